// SPDX-License-Identifier: MIT
// evaluations.test.mjs — POST /evaluations over HTTP: five levels for a done ticket, once (a second
// is 409), not before the service is done, field errors; the pad's pending evaluation of a window
// and the manager's list.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { hall, api, assertError, issue, act, list } from './lib/server.mjs';

const { srv, tokens } = await hall(after);
const C1 = tokens.clerk1;

async function serve(service = 'A') {
    const t = await issue(srv, { service });
    const c = await act(srv, 1, 'call', C1, { number: t.number });
    assert.equal(c.ticket.number, t.number);
    await act(srv, 1, 'start', C1);
    await act(srv, 1, 'finish', C1);
    return t;
}

describe('evaluations', () => {
    let done, pad;
    test('setup: a finished ticket', async () => {
        await act(srv, 1, 'open', C1);
        done = await serve();
    });
    test('the pad of window 1 asks for this ticket (a registered device or staff)', async () => {
        assertError(await api(srv, 'GET', '/windows/1/pending-evaluation'), 401, 'unauthenticated');
        const d = await api(srv, 'POST', '/devices', { name: '1号窗口评价器' }, { token: tokens.admin });
        assert.equal(d.status, 201, d.text);
        pad = { 'x-device-key': d.json.key };
        const r = await api(srv, 'GET', '/windows/1/pending-evaluation', undefined, { headers: pad });
        assert.equal(r.status, 200, r.text);
        assert.ok(r.text.includes(done.number), `pending evaluation names the ticket: ${r.text}`);
    });
    const bad = [
        ['level 0', { level: 0 }, 'level'],
        ['level 6', { level: 6 }, 'level'],
        ['level as a string', { level: '5' }, 'level'],
        ['level 4.5', { level: 4.5 }, 'level'],
        ['level missing', { level: undefined }, 'level'],
        ['reasons not an array', { level: 2, reasons: '慢' }, 'reasons'],
        ['comment not a string', { level: 2, comment: 7 }, 'comment'],
        ['unknown field', { level: 2, stars: 2 }, 'stars'],
    ];
    for (const [name, extra, field] of bad)
        test(`refused: ${name} → 400 invalid_field`, async () => {
            const body = { ticket: done.id, reasons: [], comment: '', ...extra };
            assertError(await api(srv, 'POST', '/evaluations', body), 400, 'invalid_field', field);
        });
    test('201 for a done ticket', async () => {
        const r = await api(srv, 'POST', '/evaluations', { ticket: done.id, level: 5, reasons: ['态度好'], comment: '很快' });
        assert.equal(r.status, 201, r.text);
    });
    test('a second evaluation → 409', async () => {
        assertError(await api(srv, 'POST', '/evaluations', { ticket: done.id, level: 1, reasons: [], comment: '' }), 409, 'conflict');
    });
    test('the pad has nothing pending once evaluated', async () => {
        const r = await api(srv, 'GET', '/windows/1/pending-evaluation', undefined, { headers: pad });
        assert.ok(r.status === 200 || r.status === 204 || r.status === 404, r.text);
        assert.ok(!r.text.includes(done.number), `still pending: ${r.text}`);
    });
    test('a waiting ticket cannot be evaluated → 409', async () => {
        const t = await issue(srv, { service: 'B' });
        assertError(await api(srv, 'POST', '/evaluations', { ticket: t.id, level: 3 }), 409, 'conflict');
    });
    test('an unknown ticket → 400/404', async () => {
        const r = await api(srv, 'POST', '/evaluations', { ticket: '0123456789abcdef0123456789abcdef', level: 3 });
        assertError(r, [400, 404], ['invalid_field', 'not_found']);
    });
    test('every level 1-5 is accepted once', async () => {
        for (const level of [1, 2, 3, 4]) {
            const t = await serve(level % 2 ? 'A' : 'B');
            const r = await api(srv, 'POST', '/evaluations', { ticket: t.id, level, reasons: [], comment: '' });
            assert.equal(r.status, 201, r.text);
        }
    });
    test('the manager lists evaluations; a clerk may not', async () => {
        const r = await api(srv, 'GET', '/evaluations', undefined, { token: tokens.manager1 });
        assert.equal(r.status, 200, r.text);
        const evs = list(r.json, 'evaluations');
        assert.ok(evs.length >= 5, `5 evaluations listed: ${r.text.slice(0, 300)}`);
        assert.ok(!r.text.includes(done.id), 'no ticket ids in the list');
        assertError(await api(srv, 'GET', '/evaluations', undefined, { token: C1 }), 403, 'forbidden');
    });
});
