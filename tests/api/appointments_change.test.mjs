// SPDX-License-Identifier: MIT
// appointments_change.test.mjs — changing a booking in place (改约, POST /appointments/{id}/change,
// docs/APPOINTMENTS.md): another slot of the same service keeps the id and the code and frees the
// old place; a full slot, the same slot, a start that is not a slot, a booking no longer booked:
// 409 (field start where it is the slot); the limits per phone and ID number apply to the new day
// without counting the booking itself; bad bodies 400, unknown ids 404; the change is the event
// appointment.changed (service, slot, status only).
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { hall, api, assertError, sse } from './lib/server.mjs';

const { srv, tokens } = await hall(after);
const events = sse(srv, { lastEventId: 0 });
await events.ready;
after(() => events.close());

const tz = (await api(srv, 'GET', '/hall')).json.timezone || 'Asia/Shanghai';
const TODAY = new Intl.DateTimeFormat('en-CA', { timeZone: tz }).format(new Date());
const plus = (day, n) => {
    const [y, m, d] = day.split('-').map(Number);
    return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
};
const D1 = plus(TODAY, 1);
const D2 = plus(TODAY, 2);
const ALL_DAY = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, '00:00-23:55']));
const slots = async (date) => (await api(srv, 'GET', `/appointments/slots?service=A&date=${date}`)).json.slots;
const book = (body) => api(srv, 'POST', '/appointments', { service: 'A', ...body });
const change = (id, body) => api(srv, 'POST', `/appointments/${id}/change`, body);

describe('change a booking', () => {
    let s1, s2, b;
    test('setup: A bookable all day, one place a slot', async () => {
        let r = await api(srv, 'PUT', '/services/A', { hours: ALL_DAY, bookable: true }, { token: tokens.admin });
        assert.equal(r.status, 200, r.text);
        r = await api(srv, 'PUT', '/appointments/settings', { capacity: 1, walk_in_share: 0, limit_per_day: 1, limit_per_week: 0 }, { token: tokens.admin });
        assert.equal(r.status, 200, r.text);
        s1 = await slots(D1);
        s2 = await slots(D2);
        assert.ok(s1.length > 4 && s2.length > 4);
        b = await book({ start: s1[0].start, phone: '13900000001', id_number: '11010519491231002X' });
        assert.equal(b.status, 201, b.text);
    });
    test('to another slot: 200, same id and code, the old place free again, the new one taken', async () => {
        const r = await change(b.json.id, { start: s1[1].start });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.id, b.json.id);
        assert.equal(r.json.code, b.json.code);
        assert.equal(new Date(r.json.start).getTime(), new Date(s1[1].start).getTime());
        assert.equal(r.json.status, 'booked');
        const now = await slots(D1);
        assert.equal(now.find((s) => s.start === s1[0].start).available, 1);
        assert.equal(now.find((s) => s.start === s1[1].start).available, 0);
        const g = await api(srv, 'GET', `/appointments/${b.json.id}`);
        assert.equal(new Date(g.json.start).getTime(), new Date(s1[1].start).getTime());
        const ev = await events.waitFor((e) => e.event === 'appointment.changed', 10000);
        assert.deepEqual(Object.keys(ev.data).sort(), ['service', 'start', 'status']);
        assert.ok(!ev.raw.includes(b.json.code) && !ev.raw.includes(b.json.id));
    });
    test('to a full slot, the same slot, or no slot: 409 field start', async () => {
        const other = await book({ start: s1[2].start, phone: '13900000002' });
        assert.equal(other.status, 201, other.text);
        let r = await change(b.json.id, { start: s1[2].start });
        assertError(r, 409, 'conflict', 'start');
        assert.match(r.json.error.message, /fully booked/);
        assertError(await change(b.json.id, { start: s1[1].start }), 409, 'conflict', 'start');
        const off = new Date(new Date(s1[3].start).getTime() + 60000).toISOString();
        assertError(await change(b.json.id, { start: off }), 409, 'conflict', 'start');
        assertError(await change(b.json.id, { start: new Date(Date.now() - 3600e3).toISOString() }), 409, 'conflict', 'start');
        r = await api(srv, 'GET', `/appointments/${b.json.id}`);
        assert.equal(new Date(r.json.start).getTime(), new Date(s1[1].start).getTime(), 'nothing changed');
    });
    test('the limits apply to the new day, without counting the booking itself', async () => {
        // same phone, another booking on D2: moving the D1 booking to D2 would make two that day
        const d2 = await book({ start: s2[0].start, phone: '13900000001' });
        assert.equal(d2.status, 201, d2.text);
        assertError(await change(b.json.id, { start: s2[1].start }), 409, 'conflict', 'phone');
        // moving within D1 is fine (itself not counted)
        let r = await change(b.json.id, { start: s1[3].start });
        assert.equal(r.status, 200, r.text);
        // the ID number counts too (another phone, same ID on D2)
        await api(srv, 'POST', `/appointments/${d2.json.id}/cancel`);
        const idb = await book({ start: s2[2].start, phone: '13900000003', id_number: '11010519491231002x' });
        assert.equal(idb.status, 201, idb.text);
        r = await change(b.json.id, { start: s2[3].start });
        assertError(r, 409, 'conflict', 'id_number');
        assert.ok(!r.text.includes('11010519491231002X'));
    });
    test('bad bodies 400, unknown id 404, a cancelled booking 409', async () => {
        assertError(await change(b.json.id, {}), 400, 'invalid_field', 'start');
        assertError(await change(b.json.id, { start: 'tomorrow' }), 400, 'invalid_field', 'start');
        assertError(await change(b.json.id, { start: s1[4].start, service: 'B' }), 400, 'invalid_field', 'service');
        assertError(await change('0123456789abcdef0123456789abcdef', { start: s1[4].start }), 404, 'not_found');
        assertError(await change('nope', { start: s1[4].start }), 404, 'not_found');
        const c = await api(srv, 'POST', `/appointments/${b.json.id}/cancel`);
        assert.equal(c.status, 200, c.text);
        assertError(await change(b.json.id, { start: s1[4].start }), 409, 'conflict');
    });
});
