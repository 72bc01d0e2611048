// SPDX-License-Identifier: MIT
// delete_records.test.mjs — services and staff created by mistake are deleted for good
// (DELETE /services/{code}/permanent, DELETE /staff/{username}/permanent, admin) while nothing refers
// to them: gone from the lists, across a restart, the code or username free again. While something
// does, 409 conflict names it (zh and en) and nothing changes: a window or a retired window serving
// the service, a certification, a ticket; for staff, the admin himself, an open window, a ticket
// served. Unknown records 404, other roles 403.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { hall, api, assertError, issue, act, login } from './lib/server.mjs';

const { srv, tokens } = await hall(after);
const A = () => tokens.admin;
const codes = async () => (await api(srv, 'GET', '/services')).json.map((s) => s.code);
const users = async () => (await api(srv, 'GET', '/staff', undefined, { token: A() })).json.map((s) => s.username);

describe('services deleted for good', () => {
    test('one nothing refers to is deleted; its code can be used again', async () => {
        assert.equal((await api(srv, 'POST', '/services', { code: 'Z', name: '误建业务' }, { token: A() })).status, 201);
        assertError(await api(srv, 'DELETE', '/services/Z/permanent', undefined, { token: tokens.manager1 }), 403, 'forbidden');
        assertError(await api(srv, 'DELETE', '/services/Z/permanent'), 401, 'unauthenticated');
        const r = await api(srv, 'DELETE', '/services/Z/permanent', undefined, { token: A() });
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.json, { deleted: true, code: 'Z' });
        assert.ok(!(await codes()).includes('Z'));
        await srv.restart();
        assert.ok(!(await codes()).includes('Z'), 'still gone after a restart');
        assertError(await api(srv, 'DELETE', '/services/Z/permanent', undefined, { token: A() }), 404, 'not_found');
        assert.equal((await api(srv, 'POST', '/services', { code: 'Z', name: '重新建立' }, { token: A() })).status, 201, 'the code is free');
    });
    test('refused while a window serves it, naming the window', async () => {
        const r = await api(srv, 'DELETE', '/services/A/permanent', undefined, { token: A() });
        assertError(r, 409, 'conflict', 'code');
        assert.match(r.json.error.message, /service A is served by window \d+/);
        assert.match(r.json.error.message_zh, /业务 A 仍由 \d+ 号窗口办理/);
        assert.ok((await codes()).includes('A'));
    });
    test('refused while a retired window served it', async () => {
        assert.equal((await api(srv, 'POST', '/services', { code: 'Y', name: '误建二' }, { token: A() })).status, 201);
        assert.equal((await api(srv, 'POST', '/windows', { number: 8, services: ['Y'] }, { token: A() })).status, 201);
        assert.equal((await api(srv, 'POST', '/retired-windows', { number: 8 }, { token: A() })).status, 201);
        const r = await api(srv, 'DELETE', '/services/Y/permanent', undefined, { token: A() });
        assertError(r, 409, 'conflict', 'code');
        assert.match(r.json.error.message, /retired window 8/);
        assert.equal((await api(srv, 'DELETE', '/retired-windows/8', undefined, { token: A() })).status, 200);
        assert.equal((await api(srv, 'DELETE', '/services/Y/permanent', undefined, { token: A() })).status, 200, 'free once the window is gone');
    });
    test('refused while a staff member is certified for it', async () => {
        assert.equal((await api(srv, 'POST', '/services', { code: 'X', name: '误建三' }, { token: A() })).status, 201);
        assert.equal((await api(srv, 'PUT', '/staff/guide1', { certifications: [{ service: 'X', expires_on: '2099-01-01' }] }, { token: A() })).status, 200);
        const r = await api(srv, 'DELETE', '/services/X/permanent', undefined, { token: A() });
        assertError(r, 409, 'conflict', 'code');
        assert.match(r.json.error.message, /certifications of 'guide1'/);
        assert.match(r.json.error.message_zh, /资质/);
        assert.equal((await api(srv, 'PUT', '/staff/guide1', { certifications: [] }, { token: A() })).status, 200);
    });
    test('refused once a ticket was issued for it: switched off instead', async () => {
        const t = await issue(srv, { service: 'X' });
        const r = await api(srv, 'DELETE', '/services/X/permanent', undefined, { token: A() });
        assertError(r, 409, 'conflict', 'code');
        assert.match(r.json.error.message, new RegExp(`service X has tickets \\(${t.number}\\)`));
        assert.match(r.json.error.message_zh, /请改为停用/);
        await srv.restart();
        assertError(await api(srv, 'DELETE', '/services/X/permanent', undefined, { token: A() }), 409, 'conflict', 'code');
        assert.ok((await codes()).includes('X'));
    });
});

describe('staff deleted for good', () => {
    test('one who never served is deleted: gone, cannot sign in, the name free again', async () => {
        const body = { username: 'clerk9', name: '误建人员', role: 'clerk', password: 'pw-clerk9-Long', certifications: [] };
        assert.equal((await api(srv, 'POST', '/staff', body, { token: A() })).status, 201);
        assert.ok(await login(srv, 'clerk9', 'pw-clerk9-Long'));
        const r = await api(srv, 'DELETE', '/staff/clerk9/permanent', undefined, { token: A() });
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.json, { deleted: true, username: 'clerk9' });
        assert.ok(!(await users()).includes('clerk9'));
        const l = await api(srv, 'POST', '/auth/login', { username: 'clerk9', password: 'pw-clerk9-Long' });
        assert.equal(l.status, 401, l.text);
        await srv.restart();
        assert.ok(!(await users()).includes('clerk9'), 'still gone after a restart');
        assertError(await api(srv, 'DELETE', '/staff/clerk9/permanent', undefined, { token: A() }), 404, 'not_found');
        assert.equal((await api(srv, 'POST', '/staff', body, { token: A() })).status, 201, 'the username is free');
    });
    test('the admin cannot delete himself', async () => {
        const r = await api(srv, 'DELETE', '/staff/admin/permanent', undefined, { token: A() });
        assertError(r, 409, 'conflict', 'username');
        assert.match(r.json.error.message_zh, /不能删除自己/);
    });
    test('refused while the clerk has a window open, then once he served a ticket', async () => {
        const t = await issue(srv, { service: 'A' });
        await act(srv, 1, 'open', tokens.clerk1);
        let r = await api(srv, 'DELETE', '/staff/clerk1/permanent', undefined, { token: A() });
        assertError(r, 409, 'conflict', 'username');
        assert.match(r.json.error.message, /'clerk1' has window 1 open/);
        const called = await act(srv, 1, 'call', tokens.clerk1, { number: t.number });
        assert.equal(called.ticket.number, t.number);
        await act(srv, 1, 'start', tokens.clerk1);
        await act(srv, 1, 'finish', tokens.clerk1);
        await act(srv, 1, 'close', tokens.clerk1);
        r = await api(srv, 'DELETE', '/staff/clerk1/permanent', undefined, { token: A() });
        assertError(r, 409, 'conflict', 'username');
        assert.match(r.json.error.message, new RegExp(`'clerk1' served tickets \\(${t.number}\\): retire them instead`));
        assert.match(r.json.error.message_zh, /请改为撤销/);
        assert.ok((await users()).includes('clerk1'));
    });
});
