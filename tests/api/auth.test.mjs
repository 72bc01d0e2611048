// SPDX-License-Identifier: MIT
// auth.test.mjs — staff sign-in against the real server: login and logout, Bearer and cookie
// sessions, CSRF on cookie-authenticated changes, sessions surviving a restart, the login rate
// limit, and the role table: every staff route without a token (401) and with each wrong role (403).
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { hall, api, login, assertError, issue, act, startServer, ADMIN_PASSWORD, PASSWORDS } from './lib/server.mjs';

const { srv, tokens } = await hall(after);

describe('login and logout', () => {
    test('login answers token, user and an HttpOnly SameSite=Strict cookie', async () => {
        const r = await api(srv, 'POST', '/auth/login', { username: 'clerk1', password: PASSWORDS.clerk1 });
        assert.equal(r.status, 200, r.text);
        assert.equal(typeof r.json.token, 'string');
        assert.ok(r.json.token.length >= 32, 'token long enough to be unguessable');
        assert.deepEqual(
            { username: r.json.user.username, name: r.json.user.name, role: r.json.user.role },
            { username: 'clerk1', name: '张三', role: 'clerk' },
        );
        assert.equal(r.json.user.password, undefined);
        const cookie = r.headers.get('set-cookie');
        assert.ok(cookie, 'a session cookie is set');
        assert.match(cookie, /HttpOnly/i);
        assert.match(cookie, /SameSite=Strict/i);
        assert.ok(!r.text.includes('$argon2'), 'no password hash leaks');
    });

    const refusals = [
        ['wrong password', { username: 'clerk1', password: 'nope-nope-nope' }, 401, 'unauthenticated'],
        ['unknown user', { username: 'nobody', password: 'nope-nope-nope' }, 401, 'unauthenticated'],
        ['missing password', { username: 'clerk1' }, 400, 'invalid_field'],
        ['missing username', { password: 'x' }, 400, 'invalid_field'],
        ['username not a string', { username: 42, password: 'x' }, 400, 'invalid_field'],
    ];
    for (const [name, body, status, code] of refusals)
        test(`login refused: ${name}`, async () => assertError(await api(srv, 'POST', '/auth/login', body), status, code));

    test('wrong user and wrong password give the same message', async () => {
        const a = await api(srv, 'POST', '/auth/login', { username: 'clerk2', password: 'wrong-wrong-1' });
        const b = await api(srv, 'POST', '/auth/login', { username: 'ghost', password: 'wrong-wrong-1' });
        assert.equal(a.status, 401);
        assert.equal(a.json.error.message, b.json.error.message);
    });

    test('logout ends the session', async () => {
        const t = await login(srv, 'manager1', PASSWORDS.manager1);
        assert.equal((await api(srv, 'GET', '/staff', undefined, { token: t })).status, 200);
        const r = await api(srv, 'POST', '/auth/logout', undefined, { token: t });
        assert.ok(r.status === 200 || r.status === 204, `logout: ${r.status} ${r.text}`);
        assertError(await api(srv, 'GET', '/staff', undefined, { token: t }), 401, 'unauthenticated');
    });

    const badTokens = [
        ['garbage', 'not-a-token'],
        ['empty', ''],
        ['long', 'x'.repeat(5000)],
        ['almost right', tokens.admin.slice(0, -1) + (tokens.admin.endsWith('0') ? '1' : '0')],
    ];
    for (const [name, t] of badTokens)
        test(`invalid bearer token (${name}) → 401`, async () => {
            const r = await api(srv, 'GET', '/staff', undefined, { headers: { authorization: `Bearer ${t}` } });
            assertError(r, 401, 'unauthenticated');
        });
});

describe('cookie sessions and CSRF', () => {
    let cookie, csrf;
    test('login sets a cookie that authenticates reads', async () => {
        const r = await api(srv, 'POST', '/auth/login', { username: 'admin', password: ADMIN_PASSWORD });
        assert.equal(r.status, 200);
        cookie = r.headers.get('set-cookie').split(';')[0];
        csrf = r.json.csrf || r.headers.get('x-csrf-token');
        assert.ok(csrf, 'the CSRF token is given at login (body "csrf" or X-CSRF-Token header)');
        const s = await api(srv, 'GET', '/staff', undefined, { cookie });
        assert.equal(s.status, 200, s.text);
    });
    test('cookie POST without X-CSRF-Token → 403 and nothing changes', async () => {
        const r = await api(srv, 'POST', '/services', { code: 'X', name: 'x', name_en: 'x', avg_service_s: 60 }, { cookie });
        assertError(r, 403, 'forbidden');
        const svcs = await api(srv, 'GET', '/services');
        assert.ok(!JSON.stringify(svcs.json).includes('"X"'), 'service X was not created');
    });
    test('cookie POST with a wrong X-CSRF-Token → 403', async () => {
        const r = await api(srv, 'POST', '/services', { code: 'X', name: 'x', name_en: 'x', avg_service_s: 60 }, { cookie, headers: { 'x-csrf-token': 'f'.repeat(64) } });
        assertError(r, 403, 'forbidden');
    });
    test('cookie POST with the X-CSRF-Token → 201', async () => {
        const r = await api(srv, 'POST', '/services', { code: 'X', name: 'x', name_en: 'x', avg_service_s: 60 }, { cookie, headers: { 'x-csrf-token': csrf } });
        assert.equal(r.status, 201, r.text);
    });
    test('cookie PUT and DELETE without CSRF → 403', async () => {
        assertError(await api(srv, 'PUT', '/services/X', { name: 'y' }, { cookie }), 403, 'forbidden');
        assertError(await api(srv, 'DELETE', '/services/X', undefined, { cookie }), 403, 'forbidden');
    });
    test('Bearer needs no CSRF token', async () => {
        const r = await api(srv, 'PUT', '/services/X', { name: 'y' }, { token: tokens.admin });
        assert.equal(r.status, 200, r.text);
    });
});

describe('role table: every staff route, without a token and with each wrong role', () => {
    // [method, path, body, roles allowed] — API.md. Bodies are valid so that only the role decides.
    const routes = [
        ['POST', '/services', { code: 'R', name: 'r', name_en: 'r', avg_service_s: 60 }, ['admin']],
        ['PUT', '/services/A', { name: '社保业务' }, ['admin']],
        ['DELETE', '/services/C', undefined, ['admin']],
        ['POST', '/windows', { number: 9, name: '9号窗口', services: ['A'] }, ['admin']],
        ['PUT', '/windows/3', { name: '3号窗口' }, ['admin']],
        ['GET', '/staff', undefined, ['admin', 'manager']],
        ['POST', '/staff', { username: 'someone', name: 'x', role: 'guide', password: 'password-123' }, ['admin']],
        ['PUT', '/staff/guide1', { name: '王五' }, ['admin']],
        ['GET', '/tickets', undefined, ['admin', 'manager', 'clerk', 'guide']],
        ['POST', '/tickets/{waiting}/requeue', undefined, ['guide', 'manager', 'admin']],
        ['POST', '/windows/1/pause', { reason: 'x' }, ['clerk', 'manager', 'admin']],
        ['POST', '/windows/1/resume', undefined, ['clerk', 'manager', 'admin']],
        ['POST', '/windows/1/call-next', undefined, ['clerk', 'manager', 'admin']],
        ['POST', '/windows/1/recall', undefined, ['clerk', 'manager', 'admin']],
        ['POST', '/windows/1/start', undefined, ['clerk', 'manager', 'admin']],
        ['POST', '/windows/1/finish', undefined, ['clerk', 'manager', 'admin']],
        ['POST', '/windows/1/no-show', undefined, ['clerk', 'manager', 'admin']],
        ['POST', '/windows/1/transfer', { service: 'B' }, ['clerk', 'manager', 'admin']],
        ['POST', '/windows/1/call', { number: 'A001' }, ['clerk', 'manager', 'admin']],
        ['POST', '/windows/1/close', undefined, ['clerk', 'manager', 'admin']],
        ['POST', '/windows/1/open', undefined, ['clerk', 'manager', 'admin']],
        ['PUT', '/hall', { name: '政务服务中心' }, ['admin']],
        ['GET', '/evaluations', undefined, ['manager', 'admin']],
        ['POST', '/notices', { text: '通知' }, ['manager', 'admin']],
        ['DELETE', '/notices/none', undefined, ['manager', 'admin']],
        ['POST', '/devices', { name: '取号机' }, ['admin']],
        ['POST', '/auth/logout', undefined, ['admin', 'manager', 'clerk', 'guide']],
    ];
    // Issue-time role rules (POST /tickets is public only for normal kiosk/web tickets).
    const issueRoutes = [
        ['priority ticket', { service: 'A', category: 'priority', channel: 'guide' }],
        ['appointment ticket', { service: 'A', category: 'appointment', channel: 'guide', appointment_at: new Date().toISOString() }],
        ['normal ticket from the guide channel', { service: 'A', category: 'normal', channel: 'guide' }],
    ];
    let waitingId;
    test('a waiting ticket to aim at', async () => {
        waitingId = (await issue(srv, { service: 'A' })).id;
    });
    const roles = ['admin', 'manager', 'clerk', 'guide'];
    const tokenOf = { admin: () => tokens.admin, manager: () => tokens.manager1, clerk: () => tokens.clerk1, guide: () => tokens.guide1 };
    for (const [method, p, body, allowed] of routes) {
        const path = () => p.replace('{waiting}', waitingId);
        test(`${method} ${p} without a token → 401`, async () => {
            assertError(await api(srv, method, path(), body), 401, 'unauthenticated');
        });
        for (const role of roles.filter((x) => !allowed.includes(x)))
            test(`${method} ${p} as ${role} → 403`, async () => {
                assertError(await api(srv, method, path(), body, { token: tokenOf[role]() }), 403, 'forbidden');
            });
    }
    for (const [name, body] of issueRoutes) {
        test(`POST /tickets ${name} without a token → 401`, async () => {
            assertError(await api(srv, 'POST', '/tickets', body), 401, 'unauthenticated');
        });
        test(`POST /tickets ${name} as clerk → 403`, async () => {
            assertError(await api(srv, 'POST', '/tickets', body, { token: tokens.clerk1 }), 403, 'forbidden');
        });
        for (const role of ['guide', 'manager', 'admin'])
            test(`POST /tickets ${name} as ${role} → 201`, async () => {
                const r = await api(srv, 'POST', '/tickets', body, { token: tokenOf[role]() });
                assert.equal(r.status, 201, r.text);
            });
    }
    test('POST /complaints from a staff channel without a token → 401', async () => {
        assertError(await api(srv, 'POST', '/complaints', { channel: 'hotline', content: '排队太久' }), 401, 'unauthenticated');
    });
    test('a clerk cannot act at a window held by another clerk (403)', async () => {
        await act(srv, 2, 'open', tokens.clerk2);
        for (const a of ['call-next', 'pause', 'close', 'recall', 'finish'])
            assertError(await api(srv, 'POST', `/windows/2/${a}`, a === 'pause' ? { reason: 'x' } : undefined, { token: tokens.clerk1 }), 403, 'forbidden');
        assertError(await api(srv, 'POST', '/windows/2/open', undefined, { token: tokens.clerk1 }), 403, 'forbidden');
        // … while a manager may act at any window
        const r = await api(srv, 'POST', '/windows/2/pause', { reason: '巡查' }, { token: tokens.manager1 });
        assert.equal(r.status, 200, r.text);
        await act(srv, 2, 'resume', tokens.manager1);
    });
    test('public routes need no token', async () => {
        for (const p of ['/services', '/windows', '/display', '/health', `/tickets/${waitingId}`])
            assert.equal((await api(srv, 'GET', p)).status, 200, p);
        assert.equal((await api(srv, 'GET', '/metrics')).status, 200, '/metrics');
    });
});

describe('durable sessions and the login rate limit', () => {
    test('sessions survive a server restart', async () => {
        const before = await api(srv, 'GET', '/staff', undefined, { token: tokens.manager1 });
        assert.equal(before.status, 200);
        await srv.restart();
        const r = await api(srv, 'GET', '/staff', undefined, { token: tokens.manager1 });
        assert.equal(r.status, 200, `token still valid after restart: ${r.status} ${r.text}`);
        const c = await api(srv, 'GET', '/tickets', undefined, { token: tokens.clerk1 });
        assert.equal(c.status, 200);
    });
    test('sessions survive kill -9 too', async () => {
        const t = await login(srv, 'guide1', PASSWORDS.guide1);
        await srv.restart({ kill: true });
        assert.equal((await api(srv, 'GET', '/tickets', undefined, { token: t })).status, 200);
    });
    test('repeated wrong passwords are rate limited (429), with the error body', async () => {
        const s2 = await startServer();
        after(() => s2.cleanup());
        let limited = null;
        for (let i = 0; i < 40 && !limited; i++) {
            const r = await api(s2, 'POST', '/auth/login', { username: 'admin', password: `wrong-${i}-xxxx` });
            if (r.status === 429) limited = r;
            else assert.equal(r.status, 401, r.text);
        }
        assert.ok(limited, 'a 429 within 40 failed attempts');
        assertError(limited, 429, 'rate_limited');
    });
});
