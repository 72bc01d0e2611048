// SPDX-License-Identifier: MIT
// ops_facilities.test.mjs — clauses 7.1.3, 7.1.8, 7.2.1 and 7.4.1 over HTTP (docs/OPERATIONS.md):
// the facility register with its maintenance and inspection log and due days, a facility linked
// to a registered device, device heartbeats (only a registered device may send one), the tick's
// alerts for a missed maintenance and a silent device, the settings, and the public information
// (licences, prices, hours) read by anyone and set by the admin only — with the refusals.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { hall, api, assertError, sse } from './lib/server.mjs';

const { srv, tokens } = await hall(after);
const M = { token: tokens.manager1 };
const A = { token: tokens.admin };
const day = (n) => new Date(Date.now() + n * 86400e3).toISOString().slice(0, 10);

describe('facility register (7.1.3, 7.4.1)', () => {
    test('register, log maintenance and inspection, due days and overdue; refusals', async () => {
        let r = await api(srv, 'POST', '/ops/facilities', { name: '灭火器（一楼）', kind: 'fire_equipment', location: '一楼大厅', inspection_days: 30, maintenance_days: 365, start: day(-40) }, M);
        assert.equal(r.status, 201, r.text);
        const id = r.json.id;
        assert.equal(r.json.inspection_overdue, true);
        assert.equal(r.json.maintenance_overdue, false);
        assert.equal(r.json.next_inspection, day(-10));
        assert.equal(r.json.overdue, true);
        r = await api(srv, 'POST', `/ops/facilities/${id}/log`, { type: 'inspection', date: day(-1), result: '压力正常' }, M);
        assert.equal(r.status, 201, r.text);
        assert.equal(r.json.inspection_overdue, false);
        assert.equal(r.json.next_inspection, day(29));
        assert.equal(r.json.log.length, 1);
        r = await api(srv, 'PUT', `/ops/facilities/${id}`, { location: '一楼东侧' }, M);
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.location, '一楼东侧');
        assert.equal(r.json.log.length, 1);
        assertError(await api(srv, 'POST', '/ops/facilities', { name: 'x', kind: 'spaceship' }, M), 400, 'invalid_field', 'kind');
        assertError(await api(srv, 'POST', '/ops/facilities', { kind: 'kiosk' }, M), 400, 'invalid_field', 'name');
        assertError(await api(srv, 'POST', '/ops/facilities', { name: 'x', kind: 'kiosk', device: 'abcdefabcdef' }, M), 400, 'invalid_field', 'device');
        assertError(await api(srv, 'POST', '/ops/facilities', { name: 'x', kind: 'kiosk', maintenance_days: -1 }, M), 400, 'invalid_field', 'maintenance_days');
        assertError(await api(srv, 'POST', `/ops/facilities/${id}/log`, { type: 'repair', date: day(-1) }, M), 400, 'invalid_field', 'type');
        assertError(await api(srv, 'POST', `/ops/facilities/${id}/log`, { type: 'inspection', date: day(2) }, M), 400, 'invalid_field', 'date');
        assertError(await api(srv, 'POST', `/ops/facilities/${id}/log`, { type: 'inspection', date: day(-1) }, { token: tokens.clerk1 }), 403, 'forbidden');
        assertError(await api(srv, 'POST', '/ops/facilities/0123456789abcdef/log', { type: 'inspection', date: day(-1) }, M), 404, 'not_found');
        r = await api(srv, 'GET', '/ops/facilities', undefined, M);
        assert.equal(r.json.facilities.find((f) => f.id === id).log.length, 1, 'refusals changed nothing');
        const x = await api(srv, 'POST', '/ops/facilities', { name: 'old printer', kind: 'printer' }, M);
        assert.equal((await api(srv, 'DELETE', `/ops/facilities/${x.json.id}`, undefined, M)).status, 200);
        r = await api(srv, 'GET', '/ops/facilities', undefined, M);
        assert.ok(!r.json.facilities.some((f) => f.id === x.json.id));
    });

    test('the tick raises ops.alert for a missed maintenance', async () => {
        const stream = sse(srv, {});
        await stream.ready;
        const r = await api(srv, 'POST', '/ops/facilities', { name: '2号显示屏', kind: 'display', maintenance_days: 90, start: day(-120) }, M);
        assert.equal(r.status, 201, r.text);
        const ev = await stream.waitFor((e) => e.event === 'ops.alert' && e.data.id === r.json.id, 60000);
        assert.equal(ev.data.kind, 'maintenance');
        assert.equal(ev.data.due, day(-30));
        stream.close();
    });
});

describe('device heartbeats', () => {
    test('a registered device reports; staff may not; a silent device raises an alert', async () => {
        const reg = await api(srv, 'POST', '/devices', { name: 'kiosk-ops' }, A);
        assert.equal(reg.status, 201, reg.text);
        const dev = (await api(srv, 'GET', '/devices', undefined, A)).json.find((d) => d.name === 'kiosk-ops');
        let r = await api(srv, 'POST', '/devices/heartbeat', undefined, { headers: { 'X-Device-Key': reg.json.key } });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.device, dev.id);
        assert.equal(r.json.next_in_s, 60);
        assertError(await api(srv, 'POST', '/devices/heartbeat', undefined, M), 403, 'forbidden');
        assertError(await api(srv, 'POST', '/devices/heartbeat'), 401, 'unauthenticated');
        assertError(await api(srv, 'POST', '/devices/heartbeat', undefined, { headers: { 'X-Device-Key': 'f'.repeat(64) } }), 401, 'unauthenticated');
        r = await api(srv, 'POST', '/ops/facilities', { name: '1号取号机', kind: 'kiosk', device: dev.id }, M);
        assert.equal(r.status, 201, r.text);
        assert.equal(r.json.device_silent, false);
        assert.ok(r.json.silent_s >= 0);

        assertError(await api(srv, 'PUT', '/ops/settings', { device_silent_s: 5 }, A), 400, 'invalid_field', 'device_silent_s');
        assertError(await api(srv, 'PUT', '/ops/settings', { device_silent_s: 60 }, M), 403, 'forbidden');
        const stream = sse(srv, {});
        await stream.ready;
        r = await api(srv, 'PUT', '/ops/settings', { device_silent_s: 10 }, A);
        assert.equal(r.status, 200, r.text);
        assert.equal((await api(srv, 'GET', '/ops/settings', undefined, M)).json.device_silent_s, 10);
        const ev = await stream.waitFor((e) => e.event === 'ops.alert' && e.data.kind === 'device_silent' && e.data.id === dev.id, 90000);
        assert.equal(ev.data.title, 'kiosk-ops');
        assert.ok(ev.data.silent_s > 10);
        const o = await api(srv, 'GET', '/ops/overview', undefined, M);
        assert.ok(o.json.counts.device_silent >= 1, o.text);
        r = await api(srv, 'GET', '/ops/facilities', undefined, M);
        assert.equal(r.json.facilities.find((f) => f.device === dev.id).device_silent, true);
        // it reports again: no longer silent
        await api(srv, 'POST', '/devices/heartbeat', undefined, { headers: { 'X-Device-Key': reg.json.key } });
        r = await api(srv, 'GET', '/ops/facilities', undefined, M);
        assert.equal(r.json.facilities.find((f) => f.device === dev.id).device_silent, false);
        await api(srv, 'PUT', '/ops/settings', { device_silent_s: 300 }, A);
        stream.close();
    });
});

describe('public information (7.1.8, 7.2.1)', () => {
    test('the admin sets licences, prices and an hours note; everyone reads them', async () => {
        let r = await api(srv, 'GET', '/info');
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.json.licences, []);
        const body = {
            licences: [{ name: '营业执照', number: '91130000MA0000000X', issuer: '市场监督管理局', valid_until: '2030-12-31' }, { name: '旧许可证', valid_until: day(-5) }],
            prices: [{ item: '复印', item_en: 'Copy', price: '0.5 元', unit: '页', unit_en: 'page' }],
            hours_note: '法定节假日休息', hours_note_en: 'Closed on public holidays',
        };
        r = await api(srv, 'PUT', '/info', body, A);
        assert.equal(r.status, 200, r.text);
        r = await api(srv, 'GET', '/info');
        assert.equal(r.json.licences.length, 2);
        assert.equal(r.json.licences[0].expired, false);
        assert.equal(r.json.licences[1].expired, true);
        assert.equal(r.json.prices[0].price, '0.5 元');
        assert.equal(r.json.hours_note, '法定节假日休息');
        assert.ok(r.json.hall && typeof r.json.hall.name === 'string');
        assert.ok(!('updated_by' in r.json), 'no staff names in the public view');
        assertError(await api(srv, 'PUT', '/info', { prices: [{ item: '照相' }] }, A), 400, 'invalid_field', 'prices');
        assertError(await api(srv, 'PUT', '/info', { licences: [{ number: '1' }] }, A), 400, 'invalid_field', 'licences');
        assertError(await api(srv, 'PUT', '/info', { licences: [{ name: 'x', valid_until: 'soon' }] }, A), 400, 'invalid_field', 'licences[0].valid_until');
        assertError(await api(srv, 'PUT', '/info', { motto: 'x' }, A), 400, 'invalid_field', 'motto');
        assertError(await api(srv, 'PUT', '/info', { notes: 'x' }, M), 403, 'forbidden');
        assertError(await api(srv, 'PUT', '/info', { notes: 'x' }), 401, 'unauthenticated');
        r = await api(srv, 'GET', '/info');
        assert.equal(r.json.prices.length, 1, 'refusals changed nothing');
    });
});
