// SPDX-License-Identifier: MIT
// retire_records.test.mjs — services and staff retired (POST /retired-services, /retired-staff,
// admin; docs/SETUP.md "Records that can be corrected"): gone from every list (GET /services,
// GET /staff, the display, the advice, the windows' service lists), a retired clerk cannot sign in
// and his session ends at once, statistics keep the record's name, restore brings it back switched
// off / off duty; each refusal with its field (a window open, the admin himself, bookings with how
// many, the windows serving it named, customers waiting: transfer). Deleting for good also looks
// at the documents naming a record as text (a training record, an emergency plan's contact, a
// booking): refused naming the first kind and how many, allowed once they are gone.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { hall, api, assertError, issue, act, login, sse, PASSWORDS } from './lib/server.mjs';

const { srv, tokens } = await hall(after);
const A = () => tokens.admin;
/* The event log from its start (a new stream each time: the server restarts in between). */
async function seen(pred) {
    const ev = sse(srv, { lastEventId: 0 });
    try {
        await ev.ready;
        await ev.waitFor(pred);
    } finally {
        ev.close();
    }
}

const tz = (await api(srv, 'GET', '/hall')).json.timezone || 'Asia/Shanghai';
const TODAY = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
const plus = (day, n) => {
    const [y, m, d] = day.split('-').map(Number);
    return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
};
const ALL_DAY = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, '00:00-23:55']));
const codes = async () => (await api(srv, 'GET', '/services')).json.map((s) => s.code);
const users = async () => (await api(srv, 'GET', '/staff', undefined, { token: A() })).json.map((s) => s.username);
const post = (p, body, token = A()) => api(srv, 'POST', p, body, { token });

/* One ticket of service through window n by clerk (certified for it), served and finished. */
async function serve(service, n, clerk) {
    const t = await issue(srv, { service });
    await act(srv, n, 'open', tokens[clerk]);
    await act(srv, n, 'call', tokens[clerk], { number: t.number });
    await act(srv, n, 'start', tokens[clerk]);
    await act(srv, n, 'finish', tokens[clerk]);
    await act(srv, n, 'close', tokens[clerk]);
    return t;
}

describe('staff retired', () => {
    test('refused for the admin himself, while a window is open, for unknown names and bad bodies', async () => {
        let r = await post('/retired-staff', { username: 'admin' });
        assertError(r, 409, 'conflict', 'username');
        assert.match(r.json.error.message_zh, /不能撤销自己/);
        await act(srv, 1, 'open', tokens.clerk1);
        r = await post('/retired-staff', { username: 'clerk1' });
        assertError(r, 409, 'conflict', 'username');
        assert.match(r.json.error.message, /'clerk1' has window 1 open/);
        assert.match(r.json.error.message_zh, /1 号窗口|窗口/);
        await act(srv, 1, 'close', tokens.clerk1);
        assertError(await post('/retired-staff', { username: 'nobody' }), 404, 'not_found', 'username');
        assertError(await post('/retired-staff', { username: 'clerk1', why: 'x' }), 400, 'invalid_field');
        assertError(await post('/retired-staff', { username: 'clerk1' }, tokens.manager1), 403, 'forbidden');
        assertError(await api(srv, 'POST', '/retired-staff', { username: 'clerk1' }), 401, 'unauthenticated');
        assert.ok((await users()).includes('clerk1'), 'nothing changed');
    });

    test('a retired clerk leaves every list, cannot sign in, his session ends; statistics keep his name', async () => {
        const t = await serve('A', 2, 'clerk2');
        const old = tokens.clerk2;
        assert.equal((await api(srv, 'GET', '/tickets', undefined, { token: old })).status, 200);
        const r = await post('/retired-staff', { username: 'clerk2' });
        assert.equal(r.status, 201, r.text);
        assert.equal(r.json.username, 'clerk2');
        assert.equal(r.json.active, false);
        assert.equal(r.json.retired_by, 'admin');
        assert.ok(r.json.retired_at);
        await seen((x) => x.event === 'staff.retired' && x.data?.username === 'clerk2');
        assert.ok(!(await users()).includes('clerk2'), 'not in GET /staff');
        const retired = (await api(srv, 'GET', '/retired-staff', undefined, { token: tokens.manager1 })).json;
        assert.deepEqual(retired.map((s) => s.username), ['clerk2']);
        assert.equal(retired[0].name, '李四');
        assertError(await api(srv, 'GET', '/tickets', undefined, { token: old }), 401, 'unauthenticated');
        assert.equal((await api(srv, 'POST', '/auth/login', { username: 'clerk2', password: PASSWORDS.clerk2 })).status, 401);
        // history keeps him: his ticket and the statistics name him
        const stats = (await api(srv, 'GET', `/stats?from=${TODAY}&to=${TODAY}`, undefined, { token: A() })).json;
        const row = stats.staff.find((s) => s.key === 'clerk2');
        assert.ok(row, 'GET /stats still lists the retired clerk');
        assert.equal(row.name, '李四');
        assert.equal(row.counts.served, 1);
        assert.equal((await api(srv, 'GET', `/tickets/${t.id}`)).json.status, 'done');
        // the username is taken while he is retired; his record cannot be changed
        let x = await post('/staff', { username: 'clerk2', name: '新人', role: 'clerk', password: 'long-enough-pw', certifications: [] });
        assertError(x, 409, 'conflict', 'username');
        assert.match(x.json.error.message, /retired/);
        x = await api(srv, 'PUT', '/staff/clerk2', { active: true }, { token: A() });
        assertError(x, 409, 'conflict', 'username');
        assertError(await post('/retired-staff', { username: 'clerk2' }), 409, 'conflict', 'username');
        await srv.restart();
        assert.ok(!(await users()).includes('clerk2'), 'still retired after a restart');
        assert.equal((await api(srv, 'POST', '/auth/login', { username: 'clerk2', password: PASSWORDS.clerk2 })).status, 401);
        const audit = await api(srv, 'GET', '/audit?type=staff.retired', undefined, { token: A() });
        assert.equal(audit.status, 200, audit.text);
        assert.match(audit.text, /staff\.retired/, 'the audit log has it');
    });

    test('restore brings him back off duty; switched on he signs in again', async () => {
        assertError(await post('/retired-staff/nobody/restore', {}), 404, 'not_found');
        const r = await post('/retired-staff/clerk2/restore', {});
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.active, false);
        await seen((x) => x.event === 'staff.restored' && x.data?.username === 'clerk2');
        assert.ok((await users()).includes('clerk2'));
        assert.deepEqual((await api(srv, 'GET', '/retired-staff', undefined, { token: A() })).json, []);
        assert.equal((await api(srv, 'POST', '/auth/login', { username: 'clerk2', password: PASSWORDS.clerk2 })).status, 401, 'off duty');
        assert.equal((await api(srv, 'PUT', '/staff/clerk2', { active: true }, { token: A() })).status, 200);
        tokens.clerk2 = await login(srv, 'clerk2', PASSWORDS.clerk2);
        assert.ok(tokens.clerk2);
    });

    test('delete for good: refused while a training record, then an emergency plan names him; allowed after', async () => {
        const body = { username: 'wang9', name: '王九', role: 'clerk', password: 'pw-wang9-Long', certifications: [] };
        assert.equal((await post('/staff', body)).status, 201);
        const tr = await post('/training', { staff: 'wang9', course: '窗口服务规范', date: TODAY, hours: 4 });
        assert.equal(tr.status, 201, tr.text);
        const plan = await post('/ops/plans', {
            type: 'fire', title: '火灾应急预案', trigger: '发现烟雾', steps: ['疏散群众'],
            contacts: [{ name: '王九', role: '安全员', phone: '13800000000' }], review_by: plus(TODAY, 180),
        });
        assert.equal(plan.status, 201, plan.text);
        assert.equal((await post('/retired-staff', { username: 'wang9' })).status, 201);
        let r = await api(srv, 'DELETE', '/staff/wang9/permanent', undefined, { token: A() });
        assertError(r, 409, 'conflict', 'username');
        assert.match(r.json.error.message, /'wang9' is named in 1 training records/);
        assert.match(r.json.error.message_zh, /1 条培训记录/);
        assert.equal((await api(srv, 'DELETE', `/training/${tr.json.id}`, undefined, { token: A() })).status, 200);
        r = await api(srv, 'DELETE', '/staff/wang9/permanent', undefined, { token: A() });
        assertError(r, 409, 'conflict', 'username');
        assert.match(r.json.error.message, /'wang9' is named in 1 emergency plans/);
        assert.match(r.json.error.message_zh, /应急预案/);
        const del = await api(srv, 'DELETE', `/ops/plans/${plan.json.id}`, undefined, { token: A() });
        assert.ok(del.status === 200 || del.status === 204, del.text);
        r = await api(srv, 'DELETE', '/staff/wang9/permanent', undefined, { token: A() });
        assert.equal(r.status, 200, r.text);
        assert.deepEqual((await api(srv, 'GET', '/retired-staff', undefined, { token: A() })).json, [], 'gone from the retired list');
        await srv.restart();
        assert.deepEqual((await api(srv, 'GET', '/retired-staff', undefined, { token: A() })).json, []);
        assert.equal((await post('/staff', body)).status, 201, 'the username is free again');
    });
});

describe('services retired', () => {
    test('refused while it takes bookings, saying how many are booked', async () => {
        let r = await api(srv, 'PUT', '/services/A', { hours: ALL_DAY, bookable: true }, { token: A() });
        assert.equal(r.status, 200, r.text);
        const slots = (await api(srv, 'GET', `/appointments/slots?service=A&date=${plus(TODAY, 1)}`)).json.slots;
        const slot = slots.find((s) => s.available > 0);
        assert.ok(slot, 'a slot to book');
        const b = await api(srv, 'POST', '/appointments', { service: 'A', start: slot.start, phone: '13912345678' });
        assert.equal(b.status, 201, b.text);
        r = await post('/retired-services', { code: 'A' });
        assertError(r, 409, 'conflict', 'code');
        assert.match(r.json.error.message, /service A takes bookings \(1 booked from now on\)/);
        assert.match(r.json.error.message_zh, /1 个预约/);
        assert.ok((await codes()).includes('A'), 'nothing changed');
    });

    test('refused while a window in service serves it, naming the windows', async () => {
        const r = await post('/retired-services', { code: 'C' });
        assertError(r, 409, 'conflict', 'code');
        assert.match(r.json.error.message, /served by the windows 3/);
        assert.match(r.json.error.message_zh, /窗口 3/);
        assertError(await post('/retired-services', { code: 'Q' }), 404, 'not_found', 'code');
        assertError(await post('/retired-services', { code: 'c1' }), 400, 'invalid_field', 'code');
        assertError(await post('/retired-services', { code: 'C', waiting_action: 'drop' }), 400, 'invalid_field', 'waiting_action');
        assertError(await post('/retired-services', { code: 'C' }, tokens.manager1), 403, 'forbidden');
    });

    test('customers waiting: the keep/transfer choice of switching off; keep refused, transfer retires it', async () => {
        assert.equal((await post('/services', { code: 'F', name: '误建业务', avg_service_s: 300 })).status, 201);
        const t = await issue(srv, { service: 'F' });
        let r = await post('/retired-services', { code: 'F' });
        assertError(r, 409, 'conflict', 'waiting_action');
        assert.match(r.json.error.message, /1 customers are waiting for service F/);
        r = await post('/retired-services', { code: 'F', waiting_action: 'keep' });
        assertError(r, 409, 'conflict', 'waiting_action');
        assert.match(r.json.error.message_zh, /转到其他业务/);
        assertError(await post('/retired-services', { code: 'F', waiting_action: 'transfer', transfer_to: 'F' }), 400, 'invalid_field', 'transfer_to');
        assert.ok((await codes()).includes('F'), 'nothing changed');
        r = await post('/retired-services', { code: 'F', waiting_action: 'transfer', transfer_to: 'B' });
        assert.equal(r.status, 201, r.text);
        assert.equal(r.json.enabled, false);
        await seen((x) => x.event === 'ticket.transferred' && x.data?.number === t.number);
        await seen((x) => x.event === 'service.retired' && x.data?.code === 'F');
        const moved = (await api(srv, 'GET', `/tickets/${t.id}`)).json;
        assert.equal(moved.service, 'B');
        assert.equal(moved.number, t.number, 'keeps its number');
    });

    test('a retired service is hidden from every list, its code taken; statistics keep its name; restore', async () => {
        assert.equal((await post('/services', { code: 'G', name: '撤销测试', name_en: 'To retire', avg_service_s: 300 })).status, 201);
        assert.equal((await post('/windows', { number: 4, name: '4号窗口', services: ['G'] })).status, 201);
        assert.equal((await api(srv, 'PUT', '/staff/clerk1', { certifications: [{ service: 'A', expires_on: '2099-12-31' }, { service: 'G', expires_on: '2099-12-31' }] }, { token: A() })).status, 200);
        await serve('G', 4, 'clerk1');
        assert.equal((await api(srv, 'PUT', '/windows/4', { services: ['A'] }, { token: A() })).status, 200);
        const r = await post('/retired-services', { code: 'G' });
        assert.equal(r.status, 201, r.text);
        assert.equal(r.json.code, 'G');
        assert.equal(r.json.retired_by, 'admin');
        for (const check of [
            async () => assert.ok(!(await codes()).includes('G'), 'GET /services'),
            async () => assert.ok(!('G' in (await api(srv, 'GET', '/display')).json.waiting), 'the display'),
            async () => assert.ok(!(await api(srv, 'GET', '/windows')).json.some((w) => w.services.includes('G')), 'the windows'),
            async () => assert.ok(!(await api(srv, 'GET', '/advice', undefined, { token: tokens.manager1 })).json.services.some((s) => s.code === 'G'), 'the advice'),
            async () => {
                const plan = await api(srv, 'GET', `/plan?date=${plus(TODAY, 1)}`, undefined, { token: tokens.manager1 });
                assert.equal(plan.status, 200, plan.text);
                assert.ok(plan.json.services.some((s) => s.code === 'A') && !plan.json.services.some((s) => s.code === 'G'), 'the window plan');
            },
            async () => assert.deepEqual((await api(srv, 'GET', '/retired-services', undefined, { token: A() })).json.map((s) => s.code).sort(), ['F', 'G']),
        ])
            await check();
        assert.equal((await api(srv, 'POST', '/tickets', { service: 'G', category: 'normal', channel: 'kiosk' })).status, 409, 'no tickets');
        let x = await post('/services', { code: 'G', name: '重复' });
        assertError(x, 409, 'conflict', 'code');
        assert.match(x.json.error.message, /retired/);
        assertError(await api(srv, 'PUT', '/services/G', { enabled: true }, { token: A() }), 409, 'conflict', 'code');
        assertError(await api(srv, 'PUT', '/windows/4', { services: ['A', 'G'] }, { token: A() }), 400, 'invalid_field', 'services');
        assertError(await post('/windows', { number: 6, services: ['G'] }), 400, 'invalid_field', 'services');
        const stats = (await api(srv, 'GET', `/stats?from=${TODAY}&to=${TODAY}`, undefined, { token: A() })).json;
        const row = stats.services.find((s) => s.key === 'G');
        assert.ok(row, 'GET /stats still lists the retired service');
        assert.equal(row.name, '撤销测试');
        assert.equal(row.counts.served, 1);
        await srv.restart();
        assert.ok(!(await codes()).includes('G'), 'still retired after a restart');
        x = await post('/retired-services/G/restore', {});
        assert.equal(x.status, 200, x.text);
        assert.equal(x.json.enabled, false, 'back switched off');
        await seen((e) => e.event === 'service.restored' && e.data?.code === 'G');
        const g = (await api(srv, 'GET', '/services')).json.find((s) => s.code === 'G');
        assert.ok(g && g.enabled === false);
        assertError(await post('/retired-services/G/restore', {}), 404, 'not_found');
    });

    test('the configuration export leaves retired records out; an import naming one is refused whole', async () => {
        const doc = (await api(srv, 'GET', '/config/export', undefined, { token: A() })).json;
        assert.ok(!doc.services.some((s) => s.code === 'F'), 'a retired service is not exported');
        let r = await api(srv, 'POST', '/config/import', { ...doc, services: [...doc.services, { code: 'F', name: '误建业务', enabled: true }] }, { token: A() });
        assertError(r, 409, 'conflict');
        assert.match(r.json.error.field, /^services\[\d+\]/);
        assert.match(r.json.error.message, /service F is retired/);
        r = await api(srv, 'POST', '/config/import', { ...doc, windows: [...doc.windows, { number: 9, name: '9号窗口', services: ['F'] }] }, { token: A() });
        assertError(r, 400, 'invalid_field');
        assert.match(r.json.error.field, /^windows\[\d+\]\.services/);
        assert.match(r.json.error.message, /service F is retired/);
        assert.ok(!(await codes()).includes('F'), 'nothing changed');
        assert.ok(!(await api(srv, 'GET', '/windows')).json.some((w) => w.number === 9));
    });

    test('delete for good: refused while a booking names it, the first kind and how many', async () => {
        assert.equal((await post('/services', { code: 'E', name: '预约测试', avg_service_s: 300 })).status, 201);
        assert.equal((await post('/windows', { number: 7, name: '7号窗口', services: ['E'] })).status, 201);
        assert.equal((await api(srv, 'PUT', '/services/E', { hours: ALL_DAY, bookable: true }, { token: A() })).status, 200);
        const slot = (await api(srv, 'GET', `/appointments/slots?service=E&date=${plus(TODAY, 2)}`)).json.slots.find((s) => s.available > 0);
        assert.ok(slot);
        assert.equal((await api(srv, 'POST', '/appointments', { service: 'E', start: slot.start, phone: '13912345679' })).status, 201);
        assert.equal((await api(srv, 'PUT', '/services/E', { bookable: false }, { token: A() })).status, 200);
        assert.equal((await api(srv, 'PUT', '/windows/7', { services: ['A'] }, { token: A() })).status, 200);
        const r = await api(srv, 'DELETE', '/services/E/permanent', undefined, { token: A() });
        assertError(r, 409, 'conflict', 'code');
        assert.match(r.json.error.message, /service E is named in 1 bookings/);
        assert.match(r.json.error.message_zh, /1 条预约记录/);
        // a retired service that nothing names is deleted for good, from the retired list too
        assert.equal((await post('/services', { code: 'H', name: '误建' })).status, 201);
        assert.equal((await post('/retired-services', { code: 'H' })).status, 201);
        assert.equal((await api(srv, 'DELETE', '/services/H/permanent', undefined, { token: A() })).status, 200);
        assert.ok(!(await api(srv, 'GET', '/retired-services', undefined, { token: A() })).json.some((s) => s.code === 'H'));
        assert.equal((await post('/services', { code: 'H', name: '重新建立' })).status, 201, 'the code is free');
    });
});
