// SPDX-License-Identifier: MIT
// emergency.test.mjs — clause 5.5 and 5.2.3 over HTTP: a manager suspends ticketing with a reason
// (503 suspended, shown on /display, hall.suspended on the stream), resumes it; asks to carry the
// queue over; only managers and admins may; live advice names the crowded service.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { hall, api, assertError, issue, act, sse } from './lib/server.mjs';

const { srv, tokens } = await hall(after);

describe('emergency', () => {
    test('a manager suspends ticketing with a reason; the public sees why; resume', async () => {
        const stream = sse(srv, {});
        await stream.ready;
        let r = await api(srv, 'POST', '/hall/emergency', { suspended: true, suspend_reason: '系统故障 system failure' }, { token: tokens.manager1 });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.suspended, true);
        r = await api(srv, 'POST', '/tickets', { service: 'A' });
        assertError(r, 503, 'suspended');
        assert.match(r.json.error.message, /系统故障/);
        r = await api(srv, 'GET', '/display');
        assert.equal(r.json.suspended, true);
        assert.match(r.json.hall.suspend_reason, /system failure/);
        const ev = await stream.waitFor((e) => e.event === 'hall.suspended', 5000);
        assert.match(JSON.stringify(ev.data), /system failure/);
        stream.close();
        r = await api(srv, 'POST', '/hall/emergency', { suspended: false }, { token: tokens.manager1 });
        assert.equal(r.status, 200, r.text);
        await issue(srv, { service: 'A' });
    });

    test('suspending needs a reason; only the three emergency fields; roles', async () => {
        let r = await api(srv, 'POST', '/hall/emergency', { suspended: true }, { token: tokens.manager1 });
        assertError(r, 400, 'invalid_field', 'suspend_reason');
        r = await api(srv, 'POST', '/hall/emergency', { name: 'x' }, { token: tokens.manager1 });
        assertError(r, 400, 'invalid_field', 'name');
        r = await api(srv, 'POST', '/hall/emergency', { carry_over: true }, { token: tokens.clerk1 });
        assertError(r, 403, 'forbidden');
        r = await api(srv, 'POST', '/hall/emergency', { carry_over: true });
        assertError(r, 401, 'unauthenticated');
        r = await api(srv, 'POST', '/hall/emergency', { carry_over: true }, { token: tokens.manager1 });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.carry_over, true);
        r = await api(srv, 'GET', '/hall');
        assert.equal(r.json.carry_over, true);
    });
});

describe('live advice', () => {
    test('a queue over the target: crowded, with the windows to open', async () => {
        await act(srv, 3, 'open', tokens.manager1, undefined, 403); // no certification for C
        for (let i = 0; i < 6; i++) await issue(srv, { service: 'C' });
        const r = await api(srv, 'GET', '/advice', undefined, { token: tokens.guide1 });
        assert.equal(r.status, 200, r.text);
        const c = r.json.services.find((s) => s.code === 'C');
        assert.equal(c.waiting, 6);
        assert.equal(c.status, 'crowded'); // 6 × 180 s on (as if) one window > 900 s
        assert.ok(c.extra_windows >= 1);
        assert.match(c.advice, /C|公积金/);
        assert.ok(Number.isInteger(c.predicted_wait_s) && c.predicted_wait_s > 900);
        const pub = await api(srv, 'GET', '/advice');
        assertError(pub, 401, 'unauthenticated');
    });
});

describe('devices', () => {
    test('an admin lists the registered devices, never their keys', async () => {
        const reg = await api(srv, 'POST', '/devices', { name: 'kiosk-east' }, { token: tokens.admin });
        assert.equal(reg.status, 201, reg.text);
        const r = await api(srv, 'GET', '/devices', undefined, { token: tokens.admin });
        assert.equal(r.status, 200, r.text);
        const d = r.json.find((x) => x.name === 'kiosk-east');
        assert.ok(d, r.text);
        assert.equal(d.id.length, 12);
        assert.ok(!r.text.includes(reg.json.key), 'the key never comes back');
        assertError(await api(srv, 'GET', '/devices', undefined, { token: tokens.manager1 }), 403, 'forbidden');
        assertError(await api(srv, 'GET', '/devices'), 401, 'unauthenticated');
    });
});
