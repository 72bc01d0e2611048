// SPDX-License-Identifier: MIT
// tickets.test.mjs — issuing and reading tickets over HTTP: the ticket's shape, numbering, who may
// issue what, quota/disabled/hours refusals (409), position and wait while waiting, cancel,
// requeue, next_services, the staff list and its filters, the QR code, and masked phone numbers
// (never in public responses, events or the access log).
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { hall, api, assertError, issue, act, list, sse, SERVICES } from './lib/server.mjs';

const { srv, tokens } = await hall(after);
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

describe('issue and read', () => {
    let t1;
    test('a public kiosk ticket: 201 and the ticket of API.md', async () => {
        const r = await api(srv, 'POST', '/tickets', { service: 'A', category: 'normal', channel: 'kiosk', phone: null, next_services: [] });
        assert.equal(r.status, 201, r.text);
        assert.match(r.headers.get('content-type'), /^application\/json/);
        t1 = r.json;
        assert.match(t1.id, /^[A-Za-z0-9_-]{16,}$/, 'opaque id, long enough to be unguessable');
        assert.equal(t1.number, 'A001');
        assert.equal(t1.service, 'A');
        assert.equal(t1.category, 'normal');
        assert.equal(t1.channel, 'kiosk');
        assert.equal(t1.status, 'waiting');
        assert.match(t1.issued_at, RFC3339);
        for (const k of ['called_at', 'started_at', 'finished_at', 'window']) assert.equal(t1[k], null, k);
        assert.equal(t1.calls, 0);
        for (const k of ['position', 'ahead', 'estimated_wait_s']) assert.ok(Number.isInteger(t1[k]), `${k} is an integer: ${t1[k]}`);
        assert.equal(t1.position, 1);
        assert.equal(t1.ahead, 0);
        assert.deepEqual(t1.documents, ['身份证']);
        assert.ok(!('phone' in t1) || t1.phone === null);
    });
    test('GET /tickets/{id} is public and answers the same ticket', async () => {
        const r = await api(srv, 'GET', `/tickets/${t1.id}`);
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.id, t1.id);
        assert.equal(r.json.number, 'A001');
        assert.equal(r.json.status, 'waiting');
    });
    test('numbers: per service, from 001, in order', async () => {
        const a2 = await issue(srv, { service: 'A' });
        const b1 = await issue(srv, { service: 'B' });
        const a3 = await issue(srv, { service: 'A', channel: 'web' });
        assert.deepEqual([a2.number, b1.number, a3.number], ['A002', 'B001', 'A003']);
        assert.deepEqual(b1.documents, ['身份证', '医保卡']);
    });
    test('position and ahead count the waiting tickets of the same service', async () => {
        const a4 = await issue(srv, { service: 'A' });
        assert.equal(a4.position, 4);
        assert.equal(a4.ahead, 3);
        assert.ok(Number.isInteger(a4.estimated_wait_s) && a4.estimated_wait_s >= 0);
        // no window is open: still an integer estimate, and it grows with the queue
        assert.ok(a4.estimated_wait_s >= t1.estimated_wait_s);
        const r = await api(srv, 'GET', `/tickets/${a4.id}`);
        assert.equal(r.json.position, 4);
        await api(srv, 'POST', `/tickets/${t1.id}/cancel`);
        const r2 = await api(srv, 'GET', `/tickets/${a4.id}`);
        assert.equal(r2.json.position, 3, 'cancelling one ahead moves it up');
        assert.equal(r2.json.ahead, 2);
    });
    const notFound = [
        ['unknown id', '/tickets/0123456789abcdef0123456789abcdef'],
        ['short id', '/tickets/abc'],
        ['a ticket number is not an id', '/tickets/A001'],
        ['encoded traversal', '/tickets/..%2F..%2Fstaff'],
    ];
    for (const [name, p] of notFound) test(`GET ${name} → 404`, async () => assertError(await api(srv, 'GET', p), 404, 'not_found'));
});

describe('who issues what and refusals', () => {
    const bad = [
        ['unknown service', { service: 'Z' }, 400, 'invalid_field', 'service'],
        ['lower-case service', { service: 'a' }, 400, 'invalid_field', 'service'],
        ['missing service', {}, 400, 'invalid_field', 'service'],
        ['bad category', { service: 'A', category: 'vip' }, 400, 'invalid_field', 'category'],
        ['bad channel', { service: 'A', channel: 'fax' }, 400, 'invalid_field', 'channel'],
        ['unknown field', { service: 'A', color: 'red' }, 400, 'invalid_field', 'color'],
        ['bad phone', { service: 'A', phone: 'call me maybe' }, 400, 'invalid_field', 'phone'],
        ['next_services not an array', { service: 'A', next_services: 'B' }, 400, 'invalid_field', 'next_services'],
        ['next_services unknown code', { service: 'A', next_services: ['Q'] }, 400, 'invalid_field', 'next_services'],
        ['priority without login', { service: 'A', category: 'priority' }, 401, 'unauthenticated'],
        ['phone channel without login', { service: 'A', channel: 'phone' }, 401, 'unauthenticated'],
    ];
    for (const [name, body, status, code, field] of bad)
        test(`POST /tickets refused: ${name}`, async () => {
            const before = (await api(srv, 'GET', '/display')).json.waiting;
            assertError(await api(srv, 'POST', '/tickets', body), status, code, field);
            assert.deepEqual((await api(srv, 'GET', '/display')).json.waiting, before, 'nothing changed');
        });
    test('an appointment needs appointment_at', async () => {
        assertError(await api(srv, 'POST', '/tickets', { service: 'A', category: 'appointment', channel: 'guide' }, { token: tokens.guide1 }), 400, 'invalid_field', 'appointment_at');
        assertError(await api(srv, 'POST', '/tickets', { service: 'A', category: 'appointment', channel: 'guide', appointment_at: 'tomorrow' }, { token: tokens.guide1 }), 400, 'invalid_field', 'appointment_at');
    });
    test('priority from a guide: 201 with category priority', async () => {
        const t = await issue(srv, { service: 'B', category: 'priority', channel: 'guide' }, tokens.guide1);
        assert.equal(t.category, 'priority');
        assert.equal(t.channel, 'guide');
    });
    test('daily quota: the ticket over it is refused with 409, and says why', async () => {
        let r = await api(srv, 'POST', '/services', { code: 'Q', name: '限号业务', name_en: 'Quota', avg_service_s: 120, daily_quota: 2 }, { token: tokens.admin });
        assert.equal(r.status, 201, r.text);
        await issue(srv, { service: 'Q' });
        await issue(srv, { service: 'Q' }, tokens.guide1);
        r = await api(srv, 'POST', '/tickets', { service: 'Q', category: 'normal', channel: 'kiosk' });
        assertError(r, 409, 'conflict');
        assert.match(r.json.error.message, /quota|limit|限/i);
        // staff cannot pass the quota either
        assertError(await api(srv, 'POST', '/tickets', { service: 'Q', category: 'priority', channel: 'guide' }, { token: tokens.guide1 }), 409, 'conflict');
        // raising the quota lets the next one through, with the next number
        r = await api(srv, 'PUT', '/services/Q', { daily_quota: 3 }, { token: tokens.admin });
        assert.equal(r.status, 200, r.text);
        assert.equal((await issue(srv, { service: 'Q' })).number, 'Q003');
    });
    test('a disabled service refuses with 409', async () => {
        let r = await api(srv, 'POST', '/services', { code: 'D', name: '停办业务', name_en: 'Disabled', avg_service_s: 120 }, { token: tokens.admin });
        assert.equal(r.status, 201, r.text);
        r = await api(srv, 'DELETE', '/services/D', undefined, { token: tokens.admin });
        assert.ok(r.status === 200 || r.status === 204, r.text);
        const svc = list((await api(srv, 'GET', '/services')).json, 'services').find((s) => s.code === 'D');
        assert.equal(svc.enabled, false, 'DELETE disables, the service stays listed');
        r = await api(srv, 'POST', '/tickets', { service: 'D', category: 'normal', channel: 'kiosk' });
        assertError(r, 409, 'conflict');
        assert.match(r.json.error.message, /disabled|not enabled|停/i);
    });
    test('a service outside its hours refuses with 409', async () => {
        const tz = (await api(srv, 'GET', '/hall')).json?.timezone || 'Asia/Shanghai';
        const hour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', hour12: false }).format(new Date())) % 24;
        const h = String((hour + 12) % 24).padStart(2, '0');
        const span = `${h}:00-${h}:30`;
        const hours = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, span]));
        let r = await api(srv, 'POST', '/services', { code: 'H', name: '夜间业务', name_en: 'Hours', avg_service_s: 120, hours }, { token: tokens.admin });
        assert.equal(r.status, 201, r.text);
        r = await api(srv, 'POST', '/tickets', { service: 'H', category: 'normal', channel: 'kiosk' });
        assertError(r, 409, 'conflict');
        r = await api(srv, 'PUT', '/services/H', { hours: null }, { token: tokens.admin });
        assert.equal(r.status, 200, r.text);
        assert.equal((await issue(srv, { service: 'H' })).number, 'H001', 'no hours: always open, and the refusal used no number');
    });
});

describe('cancel, requeue and the staff list', () => {
    test('cancel: while waiting only', async () => {
        const t = await issue(srv, { service: 'C' });
        let r = await api(srv, 'POST', `/tickets/${t.id}/cancel`);
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.status, 'cancelled');
        for (const k of ['position', 'ahead', 'estimated_wait_s']) assert.equal(r.json[k], null, `${k} null when not waiting`);
        assertError(await api(srv, 'POST', `/tickets/${t.id}/cancel`), 409, 'conflict');
        assertError(await api(srv, 'POST', '/tickets/0123456789abcdef0123456789abcdef/cancel'), 404, 'not_found');
        assert.equal((await api(srv, 'GET', `/tickets/${t.id}`)).json.status, 'cancelled');
    });
    test('no-show then requeue (guide): waiting again, same number', async () => {
        const t = await issue(srv, { service: 'C' });
        // window 3 serves C; a clerk certified for C opens it
        let r = await api(srv, 'POST', '/staff', { username: 'clerkc', name: '钱七', role: 'clerk', password: 'clerkc-pass-123', certifications: [{ service: 'C', expires_on: '2099-12-31' }] }, { token: tokens.admin });
        assert.equal(r.status, 201, r.text);
        const tc = (await api(srv, 'POST', '/auth/login', { username: 'clerkc', password: 'clerkc-pass-123' })).json.token;
        await act(srv, 3, 'open', tc);
        const called = await act(srv, 3, 'call-next', tc);
        assert.equal(called.ticket.number, t.number);
        const ns = await act(srv, 3, 'no-show', tc);
        assert.equal(ns.ticket?.status ?? 'no_show', 'no_show');
        assert.equal((await api(srv, 'GET', `/tickets/${t.id}`)).json.status, 'no_show');
        assertError(await api(srv, 'POST', `/tickets/${t.id}/requeue`, undefined, { token: tc }), 403, 'forbidden');
        r = await api(srv, 'POST', `/tickets/${t.id}/requeue`, undefined, { token: tokens.guide1 });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.number, t.number);
        assert.equal(r.json.status, 'waiting');
        assert.ok(Number.isInteger(r.json.position));
        assertError(await api(srv, 'POST', `/tickets/${t.id}/requeue`, undefined, { token: tokens.guide1 }), 409, 'conflict');
        const again = await act(srv, 3, 'call-next', tc);
        assert.equal(again.ticket.number, t.number, 'the requeued ticket is called again');
        await act(srv, 3, 'start', tc);
        await act(srv, 3, 'finish', tc);
        await act(srv, 3, 'close', tc);
    });
    test('GET /tickets (staff) with filters', async () => {
        let r = await api(srv, 'GET', '/tickets?status=waiting&service=A', undefined, { token: tokens.clerk1 });
        assert.equal(r.status, 200, r.text);
        const ts = list(r.json, 'tickets');
        assert.ok(ts.length >= 3);
        for (const t of ts) {
            assert.equal(t.status, 'waiting');
            assert.equal(t.service, 'A');
        }
        r = await api(srv, 'GET', '/tickets?status=cancelled', undefined, { token: tokens.guide1 });
        assert.ok(list(r.json, 'tickets').every((t) => t.status === 'cancelled'));
        assert.ok(list(r.json, 'tickets').length >= 2);
        assertError(await api(srv, 'GET', '/tickets?status=bogus', undefined, { token: tokens.guide1 }), 400, 'invalid_field', 'status');
    });
    test('next_services: one ticket for several services in turn', async () => {
        await act(srv, 1, 'open', tokens.clerk1);
        // drain window 1 of what waits so our ticket is next
        for (;;) {
            const c = await act(srv, 1, 'call-next', tokens.clerk1);
            if (!c.ticket) break;
            await act(srv, 1, 'start', tokens.clerk1);
            await act(srv, 1, 'finish', tokens.clerk1);
        }
        const t = await issue(srv, { service: 'A', next_services: ['B'] });
        assert.deepEqual(t.next_services ?? ['B'], ['B']);
        let c = await act(srv, 1, 'call-next', tokens.clerk1);
        assert.equal(c.ticket.number, t.number);
        await act(srv, 1, 'start', tokens.clerk1);
        await act(srv, 1, 'finish', tokens.clerk1);
        let g = (await api(srv, 'GET', `/tickets/${t.id}`)).json;
        assert.equal(g.status, 'waiting', 'waits for its next service');
        assert.equal(g.service, 'B');
        assert.equal(g.number, t.number, 'keeps its number');
        c = await act(srv, 1, 'call-next', tokens.clerk1);
        assert.equal(c.ticket.number, t.number);
        await act(srv, 1, 'start', tokens.clerk1);
        await act(srv, 1, 'finish', tokens.clerk1);
        g = (await api(srv, 'GET', `/tickets/${t.id}`)).json;
        assert.equal(g.status, 'done');
        await act(srv, 1, 'close', tokens.clerk1);
    });
    test('GET /tickets/{id}/qr.svg is an SVG', async () => {
        const t = await issue(srv, { service: 'B' });
        const r = await api(srv, 'GET', `/tickets/${t.id}/qr.svg`);
        assert.equal(r.status, 200);
        assert.match(r.headers.get('content-type'), /image\/svg\+xml/);
        assert.match(r.text, /<svg/);
        assertError(await api(srv, 'GET', '/tickets/0123456789abcdef0123456789abcdef/qr.svg'), 404, 'not_found');
    });
});

describe('masked phone numbers', () => {
    const PHONE = '13912345678';
    const digitsOnly = (s) => s.replace(/[^0-9]/g, '');
    let t, stream;
    test('issue with a phone: the public answer does not carry it', async () => {
        stream = sse(srv, { lastEventId: 0 });
        await stream.ready;
        const r = await api(srv, 'POST', '/tickets', { service: 'B', category: 'normal', channel: 'kiosk', phone: PHONE });
        assert.equal(r.status, 201, r.text);
        t = r.json;
        assert.ok(!r.text.includes(PHONE));
        assert.ok(!r.text.includes('12345678'));
    });
    test('not in GET /tickets/{id} nor /display', async () => {
        for (const p of [`/tickets/${t.id}`, '/display', '/windows', '/services']) {
            const r = await api(srv, 'GET', p);
            assert.equal(r.status, 200);
            assert.ok(!r.text.includes(PHONE) && !digitsOnly(r.text).includes(PHONE), `${p} leaks the phone`);
        }
    });
    test('not in any event', async () => {
        await stream.waitFor((e) => e.event === 'ticket.issued' && e.data?.number === t.number);
        assert.ok(!stream.text.includes(PHONE), 'SSE stream leaks the phone');
        assert.ok(!stream.text.includes(t.id), 'SSE stream leaks the ticket id');
        stream.close();
    });
    test('the staff list shows it masked only', async () => {
        const r = await api(srv, 'GET', '/tickets?service=B', undefined, { token: tokens.guide1 });
        assert.equal(r.status, 200);
        assert.ok(!r.text.includes(PHONE), 'staff list shows the full phone');
        const mine = list(r.json, 'tickets').find((x) => x.number === t.number);
        assert.ok(mine, 'ticket listed');
        if (mine.phone !== undefined && mine.phone !== null) assert.match(mine.phone, /^139\*+5678$/);
    });
    test('not in the server log (stderr)', async () => {
        await new Promise((r) => setTimeout(r, 300));
        assert.ok(!srv.stderr().includes(PHONE), 'server log leaks the phone');
    });
    test('each request has one access line, timed in UTC to the millisecond', async () => {
        const path = `/no-such-probe-${Date.now()}`;
        const before = Date.now();
        for (let i = 0; i < 3; i++) assert.equal((await api(srv, 'GET', path)).status, 404);
        const after = Date.now();
        await new Promise((r) => setTimeout(r, 100));
        const lines = srv.stderr().split('\n').filter((l) => l.includes('msg=access') && l.includes(path));
        assert.equal(lines.length, 3, lines.join('\n'));
        for (const l of lines) {
            const m = /^t=(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z) level=info msg=access ip=127\.0\.0\.1 method=GET path="[^"]*" status=404 bytes=\d+ us=\d+$/.exec(l);
            assert.ok(m, l);
            const t = Date.parse(m[1]);
            assert.ok(t >= before - 5 && t <= after + 5, `${m[1]} not within the requests' time`);
        }
    });
});

describe('emergency suspension', () => {
    test('a suspended hall refuses tickets with 503 suspended, and takes them again after', async () => {
        let r = await api(srv, 'PUT', '/hall', { suspended: true, suspend_reason: '消防演练' }, { token: tokens.admin });
        assert.equal(r.status, 200, r.text);
        const before = (await api(srv, 'GET', '/display')).json.waiting;
        assertError(await api(srv, 'POST', '/tickets', { service: 'A', category: 'normal', channel: 'kiosk' }), 503, 'suspended');
        assertError(await api(srv, 'POST', '/tickets', { service: 'A', category: 'priority', channel: 'guide' }, { token: tokens.guide1 }), 503, 'suspended');
        assert.deepEqual((await api(srv, 'GET', '/display')).json.waiting, before, 'nothing issued');
        r = await api(srv, 'PUT', '/hall', { suspended: false }, { token: tokens.admin });
        assert.equal(r.status, 200, r.text);
        await issue(srv, { service: 'A' });
    });
});

describe('public rate limit and registered devices', () => {
    test('one address gets at least 30 public tickets a minute, then 429; a registered device is exempt', async () => {
        let limited = null;
        let ok = 0;
        for (let i = 0; i < 400 && !limited; i++) {
            const r = await api(srv, 'POST', '/tickets', { service: 'C', category: 'normal', channel: 'kiosk' });
            if (r.status === 429) limited = r;
            else {
                assert.equal(r.status, 201, r.text);
                ok++;
            }
        }
        assert.ok(ok >= 30, `at least 30 a minute from one address (got ${ok})`);
        assert.ok(limited, 'a 429 eventually');
        assertError(limited, 429, 'rate_limited');
        const d = await api(srv, 'POST', '/devices', { name: '大厅1号取号机' }, { token: tokens.admin });
        assert.equal(d.status, 201, d.text);
        assert.match(d.json.key, /^[0-9a-f]{32,}$/);
        for (let i = 0; i < 5; i++) {
            const r = await api(srv, 'POST', '/tickets', { service: 'C', category: 'normal', channel: 'kiosk' }, { headers: { 'x-device-key': d.json.key } });
            assert.equal(r.status, 201, r.text);
        }
        const bad = await api(srv, 'POST', '/tickets', { service: 'C', category: 'normal', channel: 'kiosk' }, { headers: { 'x-device-key': 'f'.repeat(64) } });
        assert.ok([401, 429].includes(bad.status), `an unknown device key is not exempt: ${bad.status}`);
        // staff are not limited either
        const g = await api(srv, 'POST', '/tickets', { service: 'C', category: 'normal', channel: 'guide' }, { token: tokens.guide1 });
        assert.equal(g.status, 201, g.text);
    });
});

test('every service of the setup is listed with its fields', async () => {
    const svcs = list((await api(srv, 'GET', '/services')).json, 'services');
    for (const s of SERVICES) {
        const got = svcs.find((x) => x.code === s.code);
        assert.ok(got, s.code);
        for (const k of Object.keys(s)) assert.deepEqual(got[k], s[k], `${s.code}.${k}`);
    }
});
