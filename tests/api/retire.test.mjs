// SPDX-License-Identifier: MIT
// retire.test.mjs — records that can be corrected: a window created by mistake is retired (out of
// GET /windows and every page at once, kept across a restart, its number not reused), restored,
// and deleted for good only if it never served anybody; a window that served customers stays
// retired. Every refusal: a window with no service, the wrong role, an open window, a device still
// on it, an unknown number, a number that is retired.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { hall, api, assertError, issue, act, sse } from './lib/server.mjs';

const { srv, tokens } = await hall(after);
const A = () => tokens.admin;
const numbers = async () => (await api(srv, 'GET', '/windows')).json.map((w) => w.number);

describe('retiring windows', () => {
    test('a window must serve at least one service', async () => {
        assertError(await api(srv, 'POST', '/windows', { number: 5, name: '5号窗口', services: [] }, { token: A() }), 400, 'invalid_field', 'services');
        assertError(await api(srv, 'PUT', '/windows/1', { services: [] }, { token: A() }), 400, 'invalid_field', 'services');
        assert.ok(!(await numbers()).includes(5));
    });
    test('a mistaken window is retired: gone from the lists, history kept, number not reused', async () => {
        const c = await api(srv, 'POST', '/windows', { number: 5, name: '5号窗口', services: ['A'] }, { token: A() });
        assert.equal(c.status, 201, c.text);
        // A pad paired to it must be moved or revoked first.
        const p = (await api(srv, 'POST', '/pairing', { page: '/pad/5' })).json;
        const dev = await api(srv, 'POST', '/pairing/accept', { code: p.code, name: '5号评价器', role: 'pad', window: 5 }, { token: A() });
        assert.equal(dev.status, 201, dev.text);
        assertError(await api(srv, 'POST', '/retired-windows', { number: 5 }, { token: tokens.manager1 }), 403, 'forbidden');
        assertError(await api(srv, 'POST', '/retired-windows', { number: 5 }, { token: A() }), 409, 'conflict', 'number');
        assert.equal((await api(srv, 'POST', `/devices/${dev.json.id}/revoke`, {}, { token: A() })).status, 200);
        assertError(await api(srv, 'POST', '/retired-windows', { number: 9 }, { token: A() }), 404, 'not_found');
        const ev = sse(srv);
        await ev.ready;
        const r = await api(srv, 'POST', '/retired-windows', { number: 5 }, { token: A() });
        assert.equal(r.status, 201, r.text);
        assert.equal(r.json.number, 5);
        assert.equal(r.json.retired_by, 'admin');
        await ev.waitFor((x) => x.event === 'window.retired' && x.data?.window === 5);
        ev.close();
        assert.deepEqual(await numbers(), [1, 2, 3]);
        assertError(await api(srv, 'GET', '/windows/5'), 404, 'not_found');
        assertError(await api(srv, 'POST', '/windows', { number: 5, name: '新5号', services: ['B'] }, { token: A() }), 409, 'conflict', 'number');
        await srv.restart();
        assert.deepEqual(await numbers(), [1, 2, 3], 'still retired after a restart');
        const list = await api(srv, 'GET', '/retired-windows', undefined, { token: tokens.manager1 });
        assert.equal(list.status, 200, list.text);
        assert.deepEqual(list.json.map((w) => w.number), [5]);
    });
    test('restore brings it back closed; delete for good works only for one that never served', async () => {
        const r = await api(srv, 'POST', '/retired-windows/5/restore', {}, { token: A() });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.state, 'closed');
        assert.deepEqual(r.json.services, ['A']);
        assert.deepEqual(await numbers(), [1, 2, 3, 5]);
        assertError(await api(srv, 'DELETE', '/retired-windows/5', undefined, { token: A() }), 409, 'conflict');
        assert.equal((await api(srv, 'POST', '/retired-windows', { number: 5 }, { token: A() })).status, 201);
        const d = await api(srv, 'DELETE', '/retired-windows/5', undefined, { token: A() });
        assert.equal(d.status, 200, d.text);
        assertError(await api(srv, 'DELETE', '/retired-windows/5', undefined, { token: A() }), 404, 'not_found');
        assertError(await api(srv, 'POST', '/retired-windows/5/restore', {}, { token: A() }), 404, 'not_found');
        const again = await api(srv, 'POST', '/windows', { number: 5, name: '5号窗口', services: ['B'] }, { token: A() });
        assert.equal(again.status, 201, 'the number is free again');
    });
    test('an open window cannot be retired; one that served customers stays retired', async () => {
        await act(srv, 1, 'open', tokens.clerk1);
        assertError(await api(srv, 'POST', '/retired-windows', { number: 1 }, { token: A() }), 409, 'conflict');
        await issue(srv, { service: 'A' });
        await act(srv, 1, 'call-next', tokens.clerk1);
        await act(srv, 1, 'start', tokens.clerk1);
        await act(srv, 1, 'finish', tokens.clerk1);
        await act(srv, 1, 'close', tokens.clerk1);
        assert.equal((await api(srv, 'POST', '/retired-windows', { number: 1 }, { token: A() })).status, 201);
        const d = await api(srv, 'DELETE', '/retired-windows/1', undefined, { token: A() });
        assertError(d, 409, 'conflict');
        assert.match(d.json.error.message, /served/);
        assert.equal((await api(srv, 'GET', '/retired-windows', undefined, { token: A() })).json.length, 1);
        // The statistics of today still count the ticket it served.
        const st = await api(srv, 'GET', '/stats', undefined, { token: tokens.manager1 });
        assert.equal(st.status, 200, st.text);
        const w1 = (st.json.windows || []).find((g) => g.key === '1');
        assert.ok(w1, `window 1 in the statistics: ${JSON.stringify(st.json.windows)}`);
        assert.equal(w1.counts.served, 1);
        assert.equal(w1.name, '1号窗口');
        assert.equal((await api(srv, 'POST', '/retired-windows/1/restore', {}, { token: A() })).status, 200);
    });
});

describe('switching off a service with customers waiting', () => {
    test('refused until the admin says what happens to them; keep or transfer', async () => {
        const t1 = await issue(srv, { service: 'C' });
        const t2 = await issue(srv, { service: 'C' });
        const off = await api(srv, 'PUT', '/services/C', { enabled: false }, { token: A() });
        assertError(off, 409, 'conflict', 'waiting_action');
        assert.equal(String(off.json.error.params?.waiting), '2', off.text);
        assert.match(off.json.error.message_zh, /2 位群众正在等候/);
        assert.equal((await api(srv, 'GET', '/services')).json.find((s) => s.code === 'C').enabled, true, 'nothing changed');
        assertError(await api(srv, 'PUT', '/services/C', { enabled: false, waiting_action: 'transfer' }, { token: A() }), 400, 'invalid_field', 'transfer_to');
        assertError(await api(srv, 'PUT', '/services/C', { enabled: false, waiting_action: 'transfer', transfer_to: 'C' }, { token: A() }), 400, 'invalid_field', 'transfer_to');
        assertError(await api(srv, 'PUT', '/services/C', { enabled: false, waiting_action: 'drop' }, { token: A() }), 400, 'invalid_field');
        assert.equal((await api(srv, 'GET', `/tickets/${t1.id}`)).json.service, 'C');
        const ev = sse(srv);
        await ev.ready;
        const r = await api(srv, 'PUT', '/services/C', { enabled: false, waiting_action: 'transfer', transfer_to: 'B' }, { token: A() });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.enabled, false);
        const e = await ev.waitFor((x) => x.event === 'ticket.transferred' && x.data?.number === t2.number);
        ev.close();
        assert.equal(e.data.from, 'C');
        assert.equal(e.data.to, 'B');
        const a1 = (await api(srv, 'GET', `/tickets/${t1.id}`)).json;
        assert.equal(a1.service, 'B');
        assert.equal(a1.number, t1.number, 'keeps its number');
        assert.equal(a1.status, 'waiting');
        // Back on, a ticket waits, and "keep" leaves it where it is.
        assert.equal((await api(srv, 'PUT', '/services/C', { enabled: true }, { token: A() })).status, 200);
        const t3 = await issue(srv, { service: 'C' });
        const k = await api(srv, 'PUT', '/services/C', { enabled: false, waiting_action: 'keep' }, { token: A() });
        assert.equal(k.status, 200, k.text);
        assert.equal((await api(srv, 'GET', `/tickets/${t3.id}`)).json.service, 'C');
        assertError(await api(srv, 'POST', '/tickets', { service: 'C', category: 'normal', channel: 'kiosk' }), 409, 'conflict');
    });
});
