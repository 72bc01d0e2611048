// SPDX-License-Identifier: MIT
// devices.test.mjs — devices paired by code over HTTP (POST /pairing, GET /pairing/{id},
// POST /pairing/accept), never typed: the key handed to the waiting device once and never to the
// admin; every refusal (the public, a clerk, a bad code, a used code, a pad without its window, a
// printer on a display, a page that is not a device page); the device list with role, window and
// last seen; rename and move (PUT); a test print to a file printer; revoke — the next request with
// the key is 401 at once and after a restart —; delete only once revoked.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { hall, api, assertError } from './lib/server.mjs';

const { srv, tokens } = await hall(after);

async function startPairing(page) {
    const r = await api(srv, 'POST', '/pairing', page ? { page } : {});
    assert.equal(r.status, 201, r.text);
    assert.match(r.json.code, /^[0-9]{6}$/);
    assert.match(r.json.id, /^[0-9a-f]{32}$/);
    return r.json;
}

describe('pairing', () => {
    let pad, padKey, padId;
    test('a waiting device shows a code and a QR code; only an admin accepts it', async () => {
        assertError(await api(srv, 'POST', '/pairing', { page: '/foo' }), 400, 'invalid_field', 'page');
        assertError(await api(srv, 'POST', '/pairing', { page: '/pad/1', key: 'x' }), 400, 'invalid_field');
        pad = await startPairing('/pad/2');
        assert.equal(pad.page, '/pad/2');
        const w = await api(srv, 'GET', `/pairing/${pad.id}`);
        assert.equal(w.status, 200, w.text);
        assert.equal(w.json.status, 'waiting');
        assert.equal(w.json.key, undefined);
        const qr = await fetch(`${srv.url}/api/v1/pairing/${pad.id}/qr.png`);
        assert.equal(qr.status, 200);
        assert.equal(qr.headers.get('content-type'), 'image/png');
        const body = { code: pad.code, name: '2号窗口评价器', role: 'pad', window: 2 };
        assertError(await api(srv, 'POST', '/pairing/accept', body), 401, 'unauthenticated');
        assertError(await api(srv, 'POST', '/pairing/accept', body, { token: tokens.clerk1 }), 403, 'forbidden');
        assertError(await api(srv, 'POST', '/pairing/accept', body, { token: tokens.manager1 }), 403, 'forbidden');
    });
    test('refusals change nothing: bad code, unknown code, pad without window, printer on a display', async () => {
        const a = tokens.admin;
        assertError(await api(srv, 'POST', '/pairing/accept', { code: '12ab56', name: 'x', role: 'pad', window: 1 }, { token: a }), 400, 'invalid_field', 'code');
        const unknown = pad.code === '000000' ? '000001' : '000000';
        assertError(await api(srv, 'POST', '/pairing/accept', { code: unknown, name: 'x', role: 'kiosk' }, { token: a }), 404, 'not_found', 'code');
        assertError(await api(srv, 'POST', '/pairing/accept', { code: pad.code, name: 'x', role: 'pad' }, { token: a }), 400, 'invalid_field', 'window');
        assertError(await api(srv, 'POST', '/pairing/accept', { code: pad.code, name: 'x', role: 'pad', window: 9 }, { token: a }), 400, 'invalid_field', 'window');
        assertError(await api(srv, 'POST', '/pairing/accept', { code: pad.code, name: 'x', role: 'display', printer: '10.0.0.5:9100' }, { token: a }), 400, 'invalid_field', 'printer');
        assertError(await api(srv, 'POST', '/pairing/accept', { code: pad.code, name: '', role: 'kiosk' }, { token: a }), 400, 'invalid_field', 'name');
        assertError(await api(srv, 'POST', '/pairing/accept', { code: pad.code, name: 'x', role: 'printer' }, { token: a }), 400, 'invalid_field', 'role');
        const list = await api(srv, 'GET', '/devices', undefined, { token: a });
        assert.equal(list.status, 200);
        assert.deepEqual(list.json, [], 'nothing registered by a refusal');
        assert.equal((await api(srv, 'GET', `/pairing/${pad.id}`)).json.status, 'waiting');
    });
    test('accepted: the admin never sees the key; the device gets it once and opens its page', async () => {
        const r = await api(srv, 'POST', '/pairing/accept', { code: pad.code, name: '2号窗口评价器', role: 'pad', window: 2 }, { token: tokens.admin });
        assert.equal(r.status, 201, r.text);
        assert.equal(r.json.key, undefined, 'no key for the admin');
        assert.equal(r.json.role, 'pad');
        assert.equal(r.json.window, 2);
        assert.equal(r.json.page, '/pad/2');
        assert.equal(r.json.revoked, false);
        padId = r.json.id;
        const again = await api(srv, 'POST', '/pairing/accept', { code: pad.code, name: 'x', role: 'kiosk' }, { token: tokens.admin });
        assertError(again, 409, 'conflict', 'code');
        const p = await api(srv, 'GET', `/pairing/${pad.id}`);
        assert.equal(p.status, 200, p.text);
        assert.equal(p.json.status, 'paired');
        assert.match(p.json.key, /^[0-9a-f]{64}$/);
        assert.equal(p.json.page, '/pad/2');
        padKey = p.json.key;
        assertError(await api(srv, 'GET', `/pairing/${pad.id}`), 404, 'not_found');
        assertError(await api(srv, 'GET', `/pairing/${'0'.repeat(32)}`), 404, 'not_found');
        const pe = await api(srv, 'GET', '/windows/2/pending-evaluation', undefined, { headers: { 'X-Device-Key': padKey } });
        assert.equal(pe.status, 200, pe.text);
        const list = (await api(srv, 'GET', '/devices', undefined, { token: tokens.admin })).json;
        const d = list.find((x) => x.id === padId);
        assert.ok(d.last_seen, 'seen since it used its key');
        assert.ok(!JSON.stringify(list).includes(padKey), 'keys never listed');
    });
    test('edit: rename and move; a window that does not exist is refused', async () => {
        const a = tokens.admin;
        assertError(await api(srv, 'PUT', `/devices/${padId}`, { window: 7 }, { token: a }), 400, 'invalid_field', 'window');
        assertError(await api(srv, 'PUT', `/devices/${padId}`, { printer: '10.0.0.5:9100' }, { token: a }), 400, 'invalid_field', 'printer');
        assertError(await api(srv, 'PUT', '/devices/abcdefabcdef', { name: 'x' }, { token: a }), 404, 'not_found');
        const r = await api(srv, 'PUT', `/devices/${padId}`, { name: '3号窗口评价器', window: 3 }, { token: a });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.page, '/pad/3');
        assert.equal(r.json.name, '3号窗口评价器');
    });
    test('a kiosk with a printer prints a test slip; a dead printer says why', async () => {
        const k = await startPairing('/kiosk');
        const file = path.join(srv.dir, 'printer.bin');
        const r = await api(srv, 'POST', '/pairing/accept', { code: k.code, name: '东门取号机', role: 'kiosk', printer: `file:${file}`, paper_mm: 58 }, { token: tokens.admin });
        assert.equal(r.status, 201, r.text);
        assert.equal(r.json.paper_mm, 58);
        const t = await api(srv, 'POST', `/devices/${r.json.id}/test-print`, {}, { token: tokens.admin });
        assert.equal(t.status, 200, t.text);
        assert.equal(t.json.ok, true, t.text);
        const bytes = fs.readFileSync(file);
        assert.ok(bytes.length > 50 && bytes[0] === 0x1b && bytes[1] === 0x40, 'ESC @ … sent');
        const u = await api(srv, 'PUT', `/devices/${r.json.id}`, { printer: '127.0.0.1:1' }, { token: tokens.admin });
        assert.equal(u.status, 200, u.text);
        const t2 = await api(srv, 'POST', `/devices/${r.json.id}/test-print`, {}, { token: tokens.admin });
        assert.equal(t2.json.ok, false);
        assert.ok(t2.json.problem, 'the reason is given');
        assertError(await api(srv, 'POST', `/devices/${padId}/test-print`, {}, { token: tokens.admin }), 409, 'conflict');
    });
    test('revoke: the key is refused at once and after a restart; delete only once revoked', async () => {
        const a = tokens.admin;
        assertError(await api(srv, 'DELETE', `/devices/${padId}`, undefined, { token: a }), 409, 'conflict');
        assertError(await api(srv, 'POST', `/devices/${padId}/revoke`, {}, { token: tokens.manager1 }), 403, 'forbidden');
        const r = await api(srv, 'POST', `/devices/${padId}/revoke`, {}, { token: a });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.revoked, true);
        const refused = await api(srv, 'GET', '/windows/3/pending-evaluation', undefined, { headers: { 'X-Device-Key': padKey } });
        assertError(refused, 401, 'unauthenticated');
        assert.equal(refused.json.error.reason, 'device.key_revoked');
        assertError(await api(srv, 'POST', `/devices/${padId}/revoke`, {}, { token: a }), 409, 'conflict');
        assertError(await api(srv, 'PUT', `/devices/${padId}`, { name: 'again' }, { token: a }), 409, 'conflict');
        await srv.restart();
        const after = await api(srv, 'GET', '/windows/3/pending-evaluation', undefined, { headers: { 'X-Device-Key': padKey } });
        // A revoked kiosk cannot issue as a device either (it would skip the public rate limit).
        const t = await api(srv, 'POST', '/tickets', { service: 'A', category: 'normal', channel: 'kiosk' }, { headers: { 'X-Device-Key': padKey } });
        assertError(t, 401, 'unauthenticated');
        assertError(after, 401, 'unauthenticated');
        const list = (await api(srv, 'GET', '/devices', undefined, { token: a })).json;
        const d = list.find((x) => x.id === padId);
        assert.equal(d.revoked, true);
        assert.equal(d.role, 'pad');
        assert.equal(d.window, 3);
        const del = await api(srv, 'DELETE', `/devices/${padId}`, undefined, { token: a });
        assert.equal(del.status, 200, del.text);
        const list2 = (await api(srv, 'GET', '/devices', undefined, { token: a })).json;
        assert.ok(!list2.some((x) => x.id === padId), 'gone from the list');
        assertError(await api(srv, 'DELETE', `/devices/${padId}`, undefined, { token: a }), 404, 'not_found');
    });
});
