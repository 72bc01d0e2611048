// SPDX-License-Identifier: MIT
// windows.test.mjs — the clerk's actions at a window over HTTP: open (certifications decide what
// the window serves), the call order for normal, priority and appointment tickets with the default
// boosts, the first-service boost, call by number, recall, start, finish, no-show, transfer keeping
// the original place, pause/resume with reason, close, and the 409s of illegal actions.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { hall, api, assertError, issue, act, list, sleep } from './lib/server.mjs';

const { srv, tokens } = await hall(after);
const C1 = tokens.clerk1;
const C2 = tokens.clerk2;

async function drain(n, token) {
    for (;;) {
        const c = await act(srv, n, 'call-next', token);
        if (!c.ticket) return;
        await act(srv, n, 'start', token);
        await act(srv, n, 'finish', token);
    }
}
async function callOrder(n, token, count) {
    const got = [];
    for (let i = 0; i < count; i++) {
        const c = await act(srv, n, 'call-next', token);
        got.push(c.ticket?.number ?? null);
        if (c.ticket) {
            await act(srv, n, 'start', token);
            await act(srv, n, 'finish', token);
        }
    }
    return got;
}

describe('open and close', () => {
    test('open binds the clerk: 200 {window, ticket:null}', async () => {
        const r = await act(srv, 1, 'open', C1);
        assert.equal(r.window.number, 1);
        assert.equal(r.window.state, 'open');
        assert.equal(r.window.clerk, 'clerk1');
        assert.equal(r.window.current, null);
        assert.equal(r.ticket, null);
        const w = list((await api(srv, 'GET', '/windows')).json, 'windows').find((x) => x.number === 1);
        assert.equal(w.state, 'open');
        assert.equal(w.clerk, 'clerk1');
    });
    test('another clerk cannot open a window held by someone: 403', async () => {
        assertError(await api(srv, 'POST', '/windows/1/open', undefined, { token: C2 }), 403, 'forbidden');
    });
    test('a clerk without a valid certification for any of the window services: 403', async () => {
        const mk = async (username, certs) => {
            const r = await api(srv, 'POST', '/staff', { username, name: username, role: 'clerk', password: `${username}-pass-123`, certifications: certs }, { token: tokens.admin });
            assert.equal(r.status, 201, r.text);
            return (await api(srv, 'POST', '/auth/login', { username, password: `${username}-pass-123` })).json.token;
        };
        const none = await mk('clerkn', []);
        const expired = await mk('clerke', [{ service: 'C', expires_on: '2020-01-01' }]);
        assertError(await api(srv, 'POST', '/windows/3/open', undefined, { token: none }), 403, 'forbidden');
        assertError(await api(srv, 'POST', '/windows/3/open', undefined, { token: expired }), 403, 'forbidden');
        assert.equal(list((await api(srv, 'GET', '/windows')).json, 'windows').find((x) => x.number === 3).state, 'closed');
    });
    test('unknown window → 404, unknown action → 404', async () => {
        assertError(await api(srv, 'POST', '/windows/99/open', undefined, { token: C1 }), 404, 'not_found');
        assertError(await api(srv, 'POST', '/windows/1/dance', undefined, { token: C1 }), 404, 'not_found');
    });
    test('call-next with nothing waiting: ticket null', async () => {
        const r = await act(srv, 1, 'call-next', C1);
        assert.equal(r.ticket, null);
        assert.equal(r.window.current, null);
    });
    test('actions that need a current ticket: 409 without one', async () => {
        for (const a of ['recall', 'start', 'finish', 'no-show']) assertError(await api(srv, 'POST', `/windows/1/${a}`, undefined, { token: C1 }), 409, 'conflict');
        assertError(await api(srv, 'POST', '/windows/1/transfer', { service: 'B' }, { token: C1 }), 409, 'conflict');
    });
});

describe('call order (default policy)', () => {
    test('priority goes ahead of normal; then issue order', async () => {
        const n1 = await issue(srv, { service: 'A' });
        const p1 = await issue(srv, { service: 'A', category: 'priority', channel: 'guide' }, tokens.guide1);
        const n2 = await issue(srv, { service: 'A' });
        const p2 = await issue(srv, { service: 'A', category: 'priority', channel: 'guide' }, tokens.guide1);
        const n1now = (await api(srv, 'GET', `/tickets/${n1.id}`)).json;
        assert.equal(n1now.position, 3, 'position follows the call order: two priority tickets ahead');
        assert.deepEqual(await callOrder(1, C1, 5), [p1.number, p2.number, n1.number, n2.number, null]);
    });
    test('appointment boost only once its slot began', async () => {
        const iso = (ms) => new Date(Date.now() + ms).toISOString().replace(/\.\d+Z$/, 'Z');
        // An appointment must be on the hall's day (Asia/Shanghai, UTC+8, no summer time): both
        // times stay inside it (10 min ago and in an hour, or less near midnight), and within a
        // minute of midnight the test waits for the new day (it once failed at 23:38 hall time).
        const DAY = 86400e3;
        const intoDay = () => (Date.now() + 8 * 3600e3) % DAY;
        if (intoDay() < 5e3 || DAY - intoDay() < 90e3) await sleep((DAY - intoDay() + 6e3) % DAY);
        const pastMs = -Math.min(600e3, intoDay() - 2e3);
        const futureMs = Math.min(3600e3, DAY - intoDay() - 20e3);
        const n1 = await issue(srv, { service: 'A' });
        const p1 = await issue(srv, { service: 'A', category: 'priority', channel: 'guide' }, tokens.guide1);
        const past = await issue(srv, { service: 'A', category: 'appointment', channel: 'guide', appointment_at: iso(pastMs) }, tokens.guide1);
        const future = await issue(srv, { service: 'A', category: 'appointment', channel: 'guide', appointment_at: iso(futureMs) }, tokens.guide1);
        assert.equal(past.category, 'appointment');
        assert.ok(past.appointment_at === undefined || past.appointment_at !== null);
        const order = await callOrder(1, C1, 4);
        assert.equal(order[0], past.number, `begun appointment first (+3600): ${order}`);
        assert.equal(order[1], p1.number, `then priority (+1800): ${order}`);
        assert.ok(order.indexOf(future.number) > order.indexOf(n1.number), `a future appointment has no boost: ${order}`);
    });
    test('the first service of the window list gets +60 s', async () => {
        await act(srv, 2, 'open', C2); // window 2 serves B first, then A
        const a = await issue(srv, { service: 'A' });
        const b = await issue(srv, { service: 'B' });
        const r2 = await act(srv, 2, 'call-next', C2);
        assert.equal(r2.ticket.number, b.number, 'window 2 prefers B');
        const r1 = await act(srv, 1, 'call-next', C1);
        assert.equal(r1.ticket.number, a.number, 'window 1 prefers A');
        for (const [n, t] of [[1, C1], [2, C2]]) {
            await act(srv, n, 'start', t);
            await act(srv, n, 'finish', t);
        }
    });
    test('call by number out of turn', async () => {
        const x = await issue(srv, { service: 'A' });
        const y = await issue(srv, { service: 'A' });
        const r = await act(srv, 1, 'call', C1, { number: y.number });
        assert.equal(r.ticket.number, y.number);
        assert.equal(r.ticket.status, 'called');
        assertError(await api(srv, 'POST', '/windows/1/call-next', undefined, { token: C1 }), 409, 'conflict');
        await act(srv, 1, 'start', C1);
        await act(srv, 1, 'finish', C1);
        const bad = await api(srv, 'POST', '/windows/1/call', { number: 'A999' }, { token: C1 });
        assert.ok([404, 409].includes(bad.status), bad.text);
        assertError(bad, bad.status);
        assertError(await api(srv, 'POST', '/windows/1/call', {}, { token: C1 }), 400, 'invalid_field', 'number');
        assert.equal((await act(srv, 1, 'call-next', C1)).ticket.number, x.number);
        await act(srv, 1, 'start', C1);
        await act(srv, 1, 'finish', C1);
    });
});

describe('a ticket through a window', () => {
    let t;
    test('call-next → called, window current', async () => {
        await drain(1, C1);
        t = await issue(srv, { service: 'A' });
        const r = await act(srv, 1, 'call-next', C1);
        assert.equal(r.ticket.number, t.number);
        assert.equal(r.ticket.status, 'called');
        assert.equal(r.ticket.window, 1);
        assert.equal(r.ticket.calls, 1);
        assert.ok(r.ticket.called_at);
        assert.equal(r.window.current?.number ?? r.window.current, t.number);
        const g = (await api(srv, 'GET', `/tickets/${t.id}`)).json;
        assert.equal(g.status, 'called');
        assert.equal(g.window, 1);
        for (const k of ['position', 'ahead', 'estimated_wait_s']) assert.equal(g[k], null, `${k} null once called`);
        const d = (await api(srv, 'GET', '/display')).json;
        assert.ok(d.calls.some((c) => c.number === t.number && c.window === 1), 'on the display');
    });
    test('recall → calls + 1', async () => {
        const r = await act(srv, 1, 'recall', C1);
        assert.equal(r.ticket.calls, 2);
        assert.equal((await api(srv, 'GET', `/tickets/${t.id}`)).json.calls, 2);
    });
    test('close while a ticket is current → 409', async () => {
        assertError(await api(srv, 'POST', '/windows/1/close', undefined, { token: C1 }), 409, 'conflict');
    });
    test('start → serving; finish → done', async () => {
        let r = await act(srv, 1, 'start', C1);
        assert.equal(r.ticket.status, 'serving');
        assertError(await api(srv, 'POST', '/windows/1/start', undefined, { token: C1 }), 409, 'conflict');
        r = await act(srv, 1, 'finish', C1);
        assert.equal(r.ticket.status, 'done');
        assert.equal(r.window.current, null);
        const g = (await api(srv, 'GET', `/tickets/${t.id}`)).json;
        assert.equal(g.status, 'done');
        assert.ok(g.started_at && g.finished_at && g.called_at);
        assertError(await api(srv, 'POST', `/tickets/${t.id}/cancel`), 409, 'conflict');
    });
    test('no-show', async () => {
        const u = await issue(srv, { service: 'A' });
        await act(srv, 1, 'call-next', C1);
        const r = await act(srv, 1, 'no-show', C1);
        assert.equal(r.window.current, null);
        assert.equal((await api(srv, 'GET', `/tickets/${u.id}`)).json.status, 'no_show');
        const again = await api(srv, 'POST', `/tickets/${u.id}/requeue`, undefined, { token: tokens.manager1 });
        assert.equal(again.status, 200, again.text);
        assert.equal(again.json.status, 'waiting');
        assert.equal((await act(srv, 1, 'call-next', C1)).ticket.number, u.number);
        await act(srv, 1, 'start', C1);
        await act(srv, 1, 'finish', C1);
    });
});

describe('transfer keeps the original place', () => {
    test('a transferred ticket goes before tickets of the new service issued after it', async () => {
        await drain(1, C1);
        await drain(2, C2);
        const a = await issue(srv, { service: 'A' });
        await sleep(1100); // a whole second earlier than the B tickets
        const b1 = await issue(srv, { service: 'B' });
        const b2 = await issue(srv, { service: 'B' });
        // window 2 pauses so window 1 serves A first
        await act(srv, 2, 'pause', C2, { reason: '稍候' });
        assert.equal((await act(srv, 1, 'call-next', C1)).ticket.number, a.number);
        await act(srv, 1, 'start', C1);
        const r = await act(srv, 1, 'transfer', C1, { service: 'B' });
        assert.equal(r.window.current, null, 'the window is free again');
        const g = (await api(srv, 'GET', `/tickets/${a.id}`)).json;
        assert.equal(g.status, 'waiting');
        assert.equal(g.service, 'B');
        assert.equal(g.number, a.number, 'keeps its number');
        assert.equal(g.position, 1, 'first in the B queue: it keeps its place in time');
        assert.equal((await api(srv, 'GET', `/tickets/${b1.id}`)).json.position, 2);
        await act(srv, 2, 'resume', C2);
        assert.deepEqual(await callOrder(2, C2, 3), [a.number, b1.number, b2.number]);
    });
    test('transfer refusals', async () => {
        await issue(srv, { service: 'A' });
        await act(srv, 1, 'call-next', C1);
        assertError(await api(srv, 'POST', '/windows/1/transfer', { service: 'Z' }, { token: C1 }), [400, 404], ['invalid_field', 'not_found']);
        assertError(await api(srv, 'POST', '/windows/1/transfer', {}, { token: C1 }), 400, 'invalid_field', 'service');
        assertError(await api(srv, 'POST', '/windows/1/transfer', { service: 5 }, { token: C1 }), 400, 'invalid_field', 'service');
        await act(srv, 1, 'start', C1);
        await act(srv, 1, 'finish', C1);
    });
});

describe('pause, resume, close', () => {
    test('pause with a reason and back_in_s; shown on the windows list', async () => {
        const r = await act(srv, 1, 'pause', C1, { reason: '午休', back_in_s: 600 });
        assert.equal(r.window.state, 'paused');
        assert.equal(r.window.pause_reason, '午休');
        const w = list((await api(srv, 'GET', '/windows')).json, 'windows').find((x) => x.number === 1);
        assert.equal(w.state, 'paused');
        assert.equal(w.pause_reason, '午休');
        if ('back_in_s' in w) assert.equal(w.back_in_s, 600);
    });
    test('a paused window does not call', async () => {
        await issue(srv, { service: 'A' });
        assertError(await api(srv, 'POST', '/windows/1/call-next', undefined, { token: C1 }), 409, 'conflict');
    });
    test('pause refusals', async () => {
        await act(srv, 1, 'resume', C1);
        const bad = [
            [{}, 'reason'],
            [{ reason: '' }, 'reason'],
            [{ reason: 5 }, 'reason'],
            [{ reason: 'x', back_in_s: -1 }, 'back_in_s'],
            [{ reason: 'x', back_in_s: '600' }, 'back_in_s'],
            [{ reason: 'x', back_in_s: 1.5 }, 'back_in_s'],
        ];
        for (const [body, field] of bad) assertError(await api(srv, 'POST', '/windows/1/pause', body, { token: C1 }), 400, 'invalid_field', field);
        assert.equal(list((await api(srv, 'GET', '/windows')).json, 'windows').find((x) => x.number === 1).state, 'open');
    });
    test('resume → open; close → closed, clerk null', async () => {
        await drain(1, C1);
        const r = await act(srv, 1, 'close', C1);
        assert.equal(r.window.state, 'closed');
        assert.equal(r.window.clerk, null);
        assertError(await api(srv, 'POST', '/windows/1/call-next', undefined, { token: C1 }), 403, 'forbidden');
    });
    test('a manager may act at any window', async () => {
        await act(srv, 1, 'open', C1);
        await issue(srv, { service: 'A' });
        const r = await act(srv, 1, 'call-next', tokens.manager1);
        assert.ok(r.ticket);
        await act(srv, 1, 'start', tokens.admin);
        await act(srv, 1, 'finish', tokens.manager1);
        await act(srv, 1, 'close', C1);
    });
});
