// SPDX-License-Identifier: MIT
// unserved.test.mjs — the hall's setting for a service that no open window serves
// (PUT /hall {"unserved_tickets":"issue"|"refuse"}): by default a ticket is issued with
// serving_windows 0 (the pages say 当前无窗口办理); with "refuse", POST /tickets answers 409 conflict
// (field service, reason ticket.unserved, in Chinese too) and nothing is issued, until a window
// serving it opens; GET /services tells the kiosk; the setting survives a restart; a bad value is 400.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { hall, api, assertError, issue, act } from './lib/server.mjs';

const { srv, tokens } = await hall(after);
const A = () => tokens.admin;
const waiting = async (code) => (await api(srv, 'GET', '/services')).json.find((s) => s.code === code).waiting;

describe('tickets for a service no window serves', () => {
    test('by default they are issued, saying no window serves it', async () => {
        assert.equal((await api(srv, 'GET', '/hall')).json.unserved_tickets, 'issue');
        const t = await issue(srv, { service: 'A' });
        assert.equal(t.serving_windows, 0);
        assert.equal((await api(srv, 'GET', '/services')).json.find((s) => s.code === 'A').unserved_tickets, 'issue');
    });
    test('a bad value is refused and changes nothing', async () => {
        assertError(await api(srv, 'PUT', '/hall', { unserved_tickets: 'maybe' }, { token: A() }), 400, 'invalid_field', 'unserved_tickets');
        assertError(await api(srv, 'PUT', '/hall', { unserved_tickets: 'refuse' }, { token: tokens.manager1 }), 403, 'forbidden');
        assert.equal((await api(srv, 'GET', '/hall')).json.unserved_tickets, 'issue');
    });
    test('set to refuse: 409 naming the service, nothing issued, across a restart', async () => {
        const r = await api(srv, 'PUT', '/hall', { unserved_tickets: 'refuse' }, { token: A() });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.unserved_tickets, 'refuse');
        await srv.restart();
        assert.equal((await api(srv, 'GET', '/hall')).json.unserved_tickets, 'refuse', 'kept across a restart');
        const svc = (await api(srv, 'GET', '/services')).json.find((s) => s.code === 'A');
        assert.equal(svc.unserved_tickets, 'refuse');
        assert.equal(svc.serving_windows, 0);
        const before = await waiting('A');
        for (const body of [{ service: 'A' }, { service: 'A', channel: 'web' }]) {
            const t = await api(srv, 'POST', '/tickets', { category: 'normal', channel: 'kiosk', ...body });
            assertError(t, 409, 'conflict', 'service');
            assert.equal(t.json.error.reason, 'ticket.unserved');
            assert.match(t.json.error.message, /service A: no window is serving it now/);
            assert.match(t.json.error.message_zh, /业务 A 当前无窗口办理/);
        }
        assert.equal(await waiting('A'), before, 'nothing issued');
        // A disabled or unknown service keeps its own refusal.
        assertError(await api(srv, 'POST', '/tickets', { service: 'C', category: 'normal', channel: 'kiosk' }), [400, 404, 409]);
    });
    test('once a window serving it opens, tickets are issued again', async () => {
        await act(srv, 1, 'open', tokens.clerk1);
        const t = await issue(srv, { service: 'A' });
        assert.ok(t.serving_windows >= 1);
        await act(srv, 1, 'close', tokens.clerk1);
        assertError(await api(srv, 'POST', '/tickets', { service: 'A', category: 'normal', channel: 'kiosk' }), 409, 'conflict', 'service');
        const back = await api(srv, 'PUT', '/hall', { unserved_tickets: 'issue' }, { token: A() });
        assert.equal(back.status, 200, back.text);
        assert.equal((await issue(srv, { service: 'A' })).serving_windows, 0);
    });
});
