// SPDX-License-Identifier: MIT
// counter_guide.test.mjs — the server side of the counter's and the guide's pages (issue 21):
// the pad of a window stops asking about a finished ticket once the window calls its next customer
// or closes, and a pad's late answer for it is refused (409) instead of being credited; 过号 taken
// back within a short while (undo-no-show) keeps the ticket's place; GET /tickets?window=n lists the
// waiting tickets in the order call-next takes them; GET /tickets?q= finds a ticket by number or
// phone (masked); a phone must be a mainland mobile number; an appointment is for today and not
// long past.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { hall, api, assertError, issue, act } from './lib/server.mjs';

const { srv, tokens } = await hall(after);
const C1 = tokens.clerk1;
const G = tokens.guide1;

async function serveAt(n, token, number) {
    await act(srv, n, 'call', token, { number });
    await act(srv, n, 'start', token);
    await act(srv, n, 'finish', token);
}

describe('the pad after the next call', () => {
    let pad, a, b, c;
    test('setup: a pad for window 1, A finished there', async () => {
        const d = await api(srv, 'POST', '/devices', { name: '1号窗口评价器' }, { token: tokens.admin });
        assert.equal(d.status, 201, d.text);
        pad = { 'x-device-key': d.json.key };
        await act(srv, 1, 'open', C1);
        a = await issue(srv, { service: 'A' });
        b = await issue(srv, { service: 'A' });
        c = await issue(srv, { service: 'A' });
        await serveAt(1, C1, a.number);
        const p = await api(srv, 'GET', '/windows/1/pending-evaluation', undefined, { headers: pad });
        assert.equal(p.json.number, a.number);
    });
    test('B called and no-show, C called: the pad no longer asks for A', async () => {
        await act(srv, 1, 'call', C1, { number: b.number });
        const p1 = await api(srv, 'GET', '/windows/1/pending-evaluation', undefined, { headers: pad });
        assert.equal(p1.json.ticket, null, `after the next call: ${p1.text}`);
        await act(srv, 1, 'no-show', C1);
        await act(srv, 1, 'call', C1, { number: c.number });
        const p2 = await api(srv, 'GET', '/windows/1/pending-evaluation', undefined, { headers: pad });
        assert.equal(p2.json.ticket, null, p2.text);
    });
    test("the pad's late answer for A is refused (409); A's own phone may still rate it", async () => {
        const r = await api(srv, 'POST', '/evaluations', { ticket: a.id, level: 5, reasons: [] }, { headers: pad });
        assertError(r, 409, 'conflict', 'ticket');
        const web = await api(srv, 'POST', '/evaluations', { ticket: a.id, level: 4, reasons: [] });
        assert.equal(web.status, 201, web.text);
    });
    test('closing the window clears the pad too', async () => {
        await act(srv, 1, 'start', C1);
        await act(srv, 1, 'finish', C1);
        const p = await api(srv, 'GET', '/windows/1/pending-evaluation', undefined, { headers: pad });
        assert.equal(p.json.number, c.number);
        await act(srv, 1, 'close', C1);
        const q = await api(srv, 'GET', '/windows/1/pending-evaluation', undefined, { headers: pad });
        assert.equal(q.json.ticket, null, q.text);
        assertError(await api(srv, 'POST', '/evaluations', { ticket: c.id, level: 5 }, { headers: pad }), 409, 'conflict');
    });
});

describe('counter: undo 过号, the call order', () => {
    test('undo-no-show puts the ticket back in its place; a second undo or a foreign ticket is 409', async () => {
        await act(srv, 1, 'open', C1);
        const x = await issue(srv, { service: 'B' });
        const y = await issue(srv, { service: 'B' });
        await act(srv, 1, 'call', C1, { number: x.number });
        await act(srv, 1, 'no-show', C1);
        const r = await act(srv, 1, 'undo-no-show', C1, { number: x.number });
        assert.equal(r.ticket.status, 'waiting');
        assert.equal(r.ticket.position, 1, 'back at the front, before ' + y.number);
        await act(srv, 1, 'undo-no-show', C1, { number: x.number }, 409);
        await act(srv, 1, 'undo-no-show', C1, { number: y.number }, 409);
        await act(srv, 2, 'undo-no-show', tokens.clerk2, { number: x.number }, 403);
        const next = await act(srv, 1, 'call-next', C1);
        assert.equal(next.ticket.number, x.number);
        await act(srv, 1, 'start', C1);
        await act(srv, 1, 'finish', C1);
        await act(srv, 1, 'call', C1, { number: y.number });
        await act(srv, 1, 'start', C1);
        await act(srv, 1, 'finish', C1);
    });
    test('GET /tickets?status=waiting&window=n is the order call-next takes', async () => {
        // Window 1 serves A first (+60 s), then B; a green-channel ticket goes first.
        const b1 = await issue(srv, { service: 'B' });
        const a1 = await issue(srv, { service: 'A' });
        const p1 = await issue(srv, { service: 'B', category: 'priority', channel: 'guide' }, G);
        const r = await api(srv, 'GET', '/tickets?status=waiting&window=1', undefined, { token: C1 });
        assert.equal(r.status, 200, r.text);
        const order = r.json.map((t) => t.number);
        assert.deepEqual(order, [p1.number, a1.number, b1.number]);
        for (const want of order) {
            const got = await act(srv, 1, 'call-next', C1);
            assert.equal(got.ticket.number, want);
            await act(srv, 1, 'start', C1);
            await act(srv, 1, 'finish', C1);
        }
        assertError(await api(srv, 'GET', '/tickets?window=x', undefined, { token: C1 }), 400, 'invalid_field', 'window');
        assertError(await api(srv, 'GET', '/tickets?window=99', undefined, { token: C1 }), 400, 'invalid_field', 'window');
        assertError(await api(srv, 'GET', '/tickets?window=1', undefined), 401, 'unauthenticated');
    });
});

describe('guide: find, phone, appointments', () => {
    test('q finds a ticket by number or by phone; the phone is shown masked', async () => {
        const t = await issue(srv, { service: 'A', channel: 'guide', phone: '138 0013-8000' }, G);
        const byNo = await api(srv, 'GET', `/tickets?q=${t.number.toLowerCase()}`, undefined, { token: G });
        assert.deepEqual(byNo.json.map((x) => x.number), [t.number]);
        const byPhone = await api(srv, 'GET', '/tickets?q=13800138000', undefined, { token: G });
        assert.deepEqual(byPhone.json.map((x) => x.number), [t.number]);
        assert.ok(!byPhone.text.includes('13800138000') && !byPhone.text.includes('0013-8000'), byPhone.text);
        assert.ok(byPhone.json[0].phone.includes('*'));
        const byEnd = await api(srv, 'GET', '/tickets?q=8000', undefined, { token: G });
        assert.ok(byEnd.json.some((x) => x.number === t.number));
        const none = await api(srv, 'GET', '/tickets?q=Z999', undefined, { token: G });
        assert.deepEqual(none.json, []);
        assertError(await api(srv, 'GET', '/tickets?q=' + '1'.repeat(30), undefined, { token: G }), 400, 'invalid_field', 'q');
    });
    for (const bad of ['138123456789', '1381234567', '12812345678', '0311-12345', '+8613812345678x'])
        test(`phone ${bad} refused`, async () => {
            assertError(await api(srv, 'POST', '/tickets', { service: 'A', category: 'normal', channel: 'guide', phone: bad }, { token: G }), 400, 'invalid_field', 'phone');
        });
    test('phone +86 138 1234 5678 accepted', async () => {
        await issue(srv, { service: 'A', channel: 'guide', phone: '+86 138 1234 5678' }, G);
    });
    test('an appointment long past or on another day is refused; one just begun is taken', async () => {
        const at = (ms) => new Date(Date.now() + ms).toISOString();
        const body = (a) => ({ service: 'A', category: 'appointment', channel: 'guide', appointment_at: a });
        assertError(await api(srv, 'POST', '/tickets', body(at(-3 * 3600e3)), { token: G }), 400, 'invalid_field', 'appointment_at');
        assertError(await api(srv, 'POST', '/tickets', body(at(26 * 3600e3)), { token: G }), 400, 'invalid_field', 'appointment_at');
        const ok = await api(srv, 'POST', '/tickets', body(at(-5 * 60e3)), { token: G });
        // 5 minutes ago is today except in the first minutes after midnight (hall time).
        assert.ok(ok.status === 201 || ok.status === 400, ok.text);
    });
});
