// SPDX-License-Identifier: MIT
// config.test.mjs — hall configuration over HTTP: services, windows and staff (create 201, read,
// update, disable, duplicates 409, unknown 404, field errors 400 naming the field), the hall
// settings, the health check, metrics and the OpenAPI document.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { hall, api, assertError, list } from './lib/server.mjs';

const { srv, tokens } = await hall(after);
const A = tokens.admin;

describe('services', () => {
    test('GET /services lists A, B, C', async () => {
        const r = await api(srv, 'GET', '/services');
        assert.equal(r.status, 200);
        assert.match(r.headers.get('content-type'), /^application\/json; charset=utf-8/i);
        assert.deepEqual(list(r.json, 'services').map((s) => s.code).sort(), ['A', 'B', 'C']);
    });
    test('POST /services → 201 with the service', async () => {
        const s = { code: 'DE', name: '不动产登记', name_en: 'Real estate', avg_service_s: 600, documents: ['身份证', '房产证'], daily_quota: 50, enabled: true };
        const r = await api(srv, 'POST', '/services', s, { token: A });
        assert.equal(r.status, 201, r.text);
        for (const k of Object.keys(s)) assert.deepEqual(r.json[k], s[k], k);
    });
    const bad = [
        ['code lower case', { code: 'e' }, 'code'],
        ['code three letters', { code: 'EFG' }, 'code'],
        ['code digit', { code: 'E1' }, 'code'],
        ['code missing', { code: undefined }, 'code'],
        ['name missing', { name: undefined }, 'name'],
        ['avg_service_s zero', { avg_service_s: 0 }, 'avg_service_s'],
        ['avg_service_s negative', { avg_service_s: -5 }, 'avg_service_s'],
        ['avg_service_s string', { avg_service_s: '300' }, 'avg_service_s'],
        ['daily_quota negative', { daily_quota: -1 }, 'daily_quota'],
        ['documents not an array', { documents: '身份证' }, 'documents'],
        ['documents of numbers', { documents: [1, 2] }, 'documents[0]'],
        ['enabled not a bool', { enabled: 'yes' }, 'enabled'],
        ['unknown field', { colour: 'red' }, 'colour'],
        ['name too long', { name: 'x'.repeat(10000) }, 'name'],
    ];
    for (const [name, patch, field] of bad)
        test(`POST /services refused: ${name}`, async () => {
            const body = { code: 'E', name: '测试', name_en: 'Test', avg_service_s: 60, ...patch };
            assertError(await api(srv, 'POST', '/services', body, { token: A }), 400, 'invalid_field', field);
            assert.ok(!list((await api(srv, 'GET', '/services')).json, 'services').some((s) => s.code === 'E'), 'not created');
        });
    test('duplicate code → 409', async () => {
        assertError(await api(srv, 'POST', '/services', { code: 'A', name: 'x', name_en: 'x', avg_service_s: 60 }, { token: A }), 409, 'conflict');
    });
    test('PUT /services/{code} updates; the code cannot change', async () => {
        let r = await api(srv, 'PUT', '/services/DE', { name: '不动产', avg_service_s: 420 }, { token: A });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.name, '不动产');
        assert.equal(r.json.avg_service_s, 420);
        assert.equal(r.json.daily_quota, 50, 'fields not given are kept');
        r = await api(srv, 'GET', '/services');
        assert.equal(list(r.json, 'services').find((s) => s.code === 'DE').name, '不动产');
        assertError(await api(srv, 'PUT', '/services/DE', { code: 'DF' }, { token: A }), 400, 'invalid_field', 'code');
        assertError(await api(srv, 'PUT', '/services/ZZ', { name: 'x' }, { token: A }), 404, 'not_found');
        assertError(await api(srv, 'PUT', '/services/DE', { avg_service_s: 0 }, { token: A }), 400, 'invalid_field', 'avg_service_s');
    });
    test('DELETE /services/{code} disables; PUT enabled:true enables again', async () => {
        let r = await api(srv, 'DELETE', '/services/DE', undefined, { token: A });
        assert.ok(r.status === 200 || r.status === 204, r.text);
        assert.equal(list((await api(srv, 'GET', '/services')).json, 'services').find((s) => s.code === 'DE').enabled, false);
        r = await api(srv, 'PUT', '/services/DE', { enabled: true }, { token: A });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.enabled, true);
        assertError(await api(srv, 'DELETE', '/services/ZZ', undefined, { token: A }), 404, 'not_found');
    });
});

describe('windows', () => {
    test('GET /windows lists 1-3 with the API.md fields', async () => {
        const ws = list((await api(srv, 'GET', '/windows')).json, 'windows');
        assert.deepEqual(ws.map((w) => w.number).sort(), [1, 2, 3]);
        const w1 = ws.find((w) => w.number === 1);
        assert.deepEqual(w1.services, ['A', 'B']);
        assert.equal(w1.state, 'closed');
        for (const k of ['pause_reason', 'clerk', 'current']) assert.equal(w1[k], null, k);
        assert.equal(w1.name, '1号窗口');
    });
    test('POST /windows → 201', async () => {
        const r = await api(srv, 'POST', '/windows', { number: 4, name: '4号窗口', services: ['DE', 'A'] }, { token: A });
        assert.equal(r.status, 201, r.text);
        assert.deepEqual(r.json.services, ['DE', 'A']);
        assert.equal(r.json.state, 'closed');
    });
    const bad = [
        ['number 0', { number: 0 }, 'number'],
        ['number negative', { number: -3 }, 'number'],
        ['number string', { number: '5' }, 'number'],
        ['number huge', { number: 2 ** 40 }, 'number'],
        ['unknown service', { services: ['Z'] }, 'services'],
        ['services not an array', { services: 'A' }, 'services'],
        ['unknown field', { colour: 1 }, 'colour'],
    ];
    for (const [name, patch, field] of bad)
        test(`POST /windows refused: ${name}`, async () => {
            assertError(await api(srv, 'POST', '/windows', { number: 5, name: '5号窗口', services: ['A'], ...patch }, { token: A }), 400, 'invalid_field', field);
        });
    test('duplicate number → 409; PUT unknown → 404; PUT updates services', async () => {
        assertError(await api(srv, 'POST', '/windows', { number: 1, name: 'x', services: ['A'] }, { token: A }), 409, 'conflict');
        assertError(await api(srv, 'PUT', '/windows/77', { name: 'x' }, { token: A }), 404, 'not_found');
        const r = await api(srv, 'PUT', '/windows/4', { services: ['A', 'DE'] }, { token: A });
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.json.services, ['A', 'DE']);
        assert.equal(r.json.name, '4号窗口');
    });
});

describe('staff', () => {
    test('GET /staff (admin, manager): never a password or hash', async () => {
        for (const t of [A, tokens.manager1]) {
            const r = await api(srv, 'GET', '/staff', undefined, { token: t });
            assert.equal(r.status, 200, r.text);
            const st = list(r.json, 'staff');
            assert.ok(st.some((s) => s.username === 'clerk1' && s.role === 'clerk'));
            assert.ok(!/argon2|password|pw_hash/i.test(r.text), 'no secrets');
            const c1 = st.find((s) => s.username === 'clerk1');
            assert.deepEqual(c1.certifications.map((c) => c.service).sort(), ['A', 'B']);
            assert.equal(c1.certifications[0].expires_on, '2099-12-31');
        }
    });
    test('POST /staff → 201; the new user can log in', async () => {
        const r = await api(srv, 'POST', '/staff', { username: 'clerk9', name: '孙九', role: 'clerk', password: 'clerk9-pass-123', certifications: [{ service: 'C', expires_on: '2030-01-31' }] }, { token: A });
        assert.equal(r.status, 201, r.text);
        assert.equal(r.json.password, undefined);
        assert.ok(!/argon2/.test(r.text));
        const l = await api(srv, 'POST', '/auth/login', { username: 'clerk9', password: 'clerk9-pass-123' });
        assert.equal(l.status, 200);
        assert.equal(l.json.user.role, 'clerk');
    });
    const bad = [
        ['bad username', { username: 'Bad User!' }, 'username'],
        ['bad role', { role: 'king' }, 'role'],
        ['short password', { password: 'short' }, 'password'],
        ['no password', { password: undefined }, 'password'],
        ['cert date invalid', { certifications: [{ service: 'A', expires_on: '2030-02-31' }] }, 'certifications[0].expires_on'],
        ['cert service invalid', { certifications: [{ service: 'a1', expires_on: '2030-01-01' }] }, 'certifications[0].service'],
        ['certifications not an array', { certifications: 'A' }, 'certifications'],
        ['unknown field', { shoe_size: 42 }, 'shoe_size'],
    ];
    for (const [name, patch, field] of bad)
        test(`POST /staff refused: ${name}`, async () => {
            const body = { username: 'newbie', name: '新人', role: 'guide', password: 'newbie-pass-123', ...patch };
            assertError(await api(srv, 'POST', '/staff', body, { token: A }), 400, 'invalid_field', field);
        });
    test('duplicate username → 409; PUT unknown → 404; PUT changes name and password', async () => {
        assertError(await api(srv, 'POST', '/staff', { username: 'clerk1', name: 'x', role: 'clerk', password: 'whatever-123' }, { token: A }), 409, 'conflict');
        assertError(await api(srv, 'PUT', '/staff/nobody', { name: 'x' }, { token: A }), 404, 'not_found');
        const r = await api(srv, 'PUT', '/staff/clerk9', { name: '孙久', password: 'clerk9-new-pass-1' }, { token: A });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.name, '孙久');
        assert.equal((await api(srv, 'POST', '/auth/login', { username: 'clerk9', password: 'clerk9-pass-123' })).status, 401);
        assert.equal((await api(srv, 'POST', '/auth/login', { username: 'clerk9', password: 'clerk9-new-pass-1' })).status, 200);
    });
});

describe('hall settings, health, metrics, OpenAPI', () => {
    test('GET /hall; PUT /hall changes the name shown on /display', async () => {
        const g = await api(srv, 'GET', '/hall');
        assert.equal(g.status, 200, g.text);
        for (const k of ['name', 'timezone', 'hours', 'policy']) assert.ok(k in g.json, k);
        assert.equal(g.json.policy.boost_priority_s, 1800);
        assert.equal(g.json.policy.boost_appointment_s, 3600);
        assert.equal(g.json.policy.boost_first_service_s, 60);
        const r = await api(srv, 'PUT', '/hall', { name: '某市政务服务中心', hours: { mon: '08:30-17:30', sat: null } }, { token: A });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.hours.mon, '08:30-17:30');
        const d = await api(srv, 'GET', '/display');
        assert.equal(d.json.hall.name, '某市政务服务中心');
        assert.equal((await api(srv, 'PUT', '/hall', { hours: null }, { token: A })).status, 200);
    });
    const bad = [
        ['hours bad day', { hours: { funday: '08:00-09:00' } }, 'hours.funday'],
        ['hours bad span', { hours: { mon: '18:00-08:00' } }, 'hours.mon'],
        ['hours not an object', { hours: 'always' }, 'hours'],
        ['policy negative boost', { policy: { boost_priority_s: -1 } }, 'policy.boost_priority_s'],
        ['policy unknown key', { policy: { boost_vip_s: 5 } }, 'policy.boost_vip_s'],
        ['unknown field', { colour: 'blue' }, 'colour'],
    ];
    for (const [name, body, field] of bad)
        test(`PUT /hall refused: ${name}`, async () => {
            const before = (await api(srv, 'GET', '/hall')).json;
            const r = await api(srv, 'PUT', '/hall', body, { token: A });
            assertError(r, 400, 'invalid_field');
            assert.ok([field, body && Object.keys(body)[0]].includes(r.json.error.field), `field: ${r.json.error.field}`);
            assert.deepEqual((await api(srv, 'GET', '/hall')).json, before, 'unchanged');
        });
    test('GET /health → 200 {"status":"ok"}', async () => {
        const r = await api(srv, 'GET', '/health');
        assert.equal(r.status, 200);
        assert.deepEqual(r.json, { status: 'ok' });
    });
    test('GET /metrics: Prometheus text', async () => {
        const r = await api(srv, 'GET', '/metrics');
        assert.equal(r.status, 200);
        assert.match(r.headers.get('content-type'), /^text\/plain/);
        assert.match(r.text, /^# (HELP|TYPE) /m);
        assert.match(r.text, /^[a-z_:][a-z0-9_:]*(\{[^}]*\})? [0-9.eE+-]+$/m);
        assert.ok(!r.text.includes('13'.repeat(5)));
    });
    test('GET /openapi.json: an OpenAPI 3 document naming the API.md paths', async () => {
        const r = await api(srv, 'GET', '/openapi.json');
        assert.equal(r.status, 200, r.text.slice(0, 200));
        assert.match(r.json.openapi, /^3\./);
        const paths = Object.keys(r.json.paths);
        for (const p of ['/tickets', '/services', '/windows', '/events', '/display', '/evaluations', '/complaints', '/auth/login'])
            assert.ok(paths.some((x) => x === p || x === `/api/v1${p}`), `path ${p} documented`);
    });
});
