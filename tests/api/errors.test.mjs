// SPDX-License-Identifier: MIT
// errors.test.mjs — malformed input against every writing endpoint: truncated and invalid JSON,
// non-object bodies, wrong types, unknown fields, invalid UTF-8, NUL bytes, absurd numbers (1e400,
// -1, 2^63), deep nesting, wrong or missing Content-Type (415), huge bodies (413 from
// Content-Length alone, without sending them), unknown routes and methods. Each must get a 4xx
// with the error body and leave the hall exactly as it was (GET snapshots before and after).
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { hall, api, assertError, issue, act, snapshot, rawRequest, BASE, ADMIN_PASSWORD } from './lib/server.mjs';

const { srv, tokens } = await hall(after);
const A = tokens.admin;
let waiting, done;
let before;

// Writing endpoints with the token that may use them and a valid body to start from.
const targets = () => [
    ['POST', '/tickets', undefined, { service: 'A', category: 'normal', channel: 'kiosk' }],
    ['POST', '/services', A, { code: 'M', name: 'm', name_en: 'm', avg_service_s: 60 }],
    ['PUT', '/services/A', A, { avg_service_s: 300 }],
    ['POST', '/windows', A, { number: 8, name: '8号', services: ['A'] }],
    ['PUT', '/windows/1', A, { name: '1号窗口' }],
    ['POST', '/staff', A, { username: 'mal', name: 'm', role: 'guide', password: 'mal-pass-1234' }],
    ['PUT', '/hall', A, { name: '政务服务中心' }],
    ['POST', '/windows/1/pause', tokens.clerk1, { reason: 'x', back_in_s: 60 }],
    ['POST', '/windows/1/call', tokens.clerk1, { number: waiting.number }],
    ['POST', '/evaluations', undefined, { ticket: done.id, level: 5 }],
    ['POST', '/complaints', undefined, { channel: 'web', content: '投诉' }],
    ['POST', '/auth/login', undefined, { username: 'admin', password: ADMIN_PASSWORD }],
    ['POST', '/notices', A, { text: '通知' }],
];

const BIG = '9223372036854775808'; // 2^63
const cases = [
    // [name, make raw body from the valid one, codes accepted]
    ['truncated JSON', (v) => JSON.stringify(v).slice(0, -3), ['bad_json']],
    ['truncated after a key', () => '{"service":', ['bad_json']],
    ['invalid JSON (bare words)', () => '{service: A}', ['bad_json']],
    ['trailing garbage', (v) => JSON.stringify(v) + 'xyz', ['bad_json']],
    ['two objects', (v) => JSON.stringify(v) + JSON.stringify(v), ['bad_json']],
    ['empty body', () => '', ['bad_json', 'invalid_field']],
    ['array', () => '[]', ['bad_json', 'invalid_field']],
    ['null', () => 'null', ['bad_json', 'invalid_field']],
    ['string', () => '"hello"', ['bad_json', 'invalid_field']],
    ['number', () => '42', ['bad_json', 'invalid_field']],
    ['single quotes', () => "{'service':'A'}", ['bad_json']],
    ['unknown field', (v) => JSON.stringify({ ...v, zzz_unknown: 1 }), ['invalid_field']],
    ['every field a wrong type', (v) => JSON.stringify(Object.fromEntries(Object.keys(v).map((k) => [k, typeof v[k] === 'string' ? 12 : 'str']))), ['invalid_field']],
    ['every field an object', (v) => JSON.stringify(Object.fromEntries(Object.keys(v).map((k) => [k, { a: 1 }]))), ['invalid_field']],
    ['every field an array', (v) => JSON.stringify(Object.fromEntries(Object.keys(v).map((k) => [k, [1]]))), ['invalid_field']],
    ['invalid UTF-8 in a string', (v) => Buffer.concat([Buffer.from(JSON.stringify(v).slice(0, -1) + ',"x":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]), ['bad_json']],
    ['overlong UTF-8 (0xC0 0xAF)', () => Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]), ['bad_json']],
    ['UTF-16 surrogate escape alone', (v) => JSON.stringify(v).slice(0, -1) + ',"name":"\\ud800"}', ['bad_json', 'invalid_field']],
    ['NUL escaped in a string', (v) => JSON.stringify(withNul(v)), ['invalid_field', 'bad_json']],
    ['raw NUL byte', (v) => Buffer.concat([Buffer.from(JSON.stringify(v).slice(0, -1)), Buffer.from([0]), Buffer.from('}')]), ['bad_json']],
    ['1e400', (v) => JSON.stringify(v).slice(0, -1) + ',"level":1e400,"avg_service_s":1e400}', ['bad_json', 'invalid_field']],
    ['2^63 where a number goes', (v) => numberPatch(v, BIG), ['bad_json', 'invalid_field']],
    ['-1 where a number goes', (v) => numberPatch(v, '-1'), ['invalid_field']],
    ['1e400 where a number goes', (v) => numberPatch(v, '1e400'), ['bad_json', 'invalid_field']],
    ['-2^63 where a number goes', (v) => numberPatch(v, '-9223372036854775809'), ['bad_json', 'invalid_field']],
    ['NaN', (v) => numberPatch(v, 'NaN'), ['bad_json']],
    ['deep nesting', () => '{"a":' + '['.repeat(100000) + ']'.repeat(100000) + '}', ['bad_json', 'invalid_field']],
    ['duplicate keys', (v) => { const k = Object.keys(v)[0]; return JSON.stringify(v).slice(0, -1) + `,${JSON.stringify(k)}:{"x":1}}`; }, ['bad_json', 'invalid_field']],
];

// Every string of v with a NUL inside (a name with a NUL when v has no string).
function withNul(v) {
    const o = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeof x === 'string' ? x + '\u0000z' : x]));
    if (!Object.values(v).some((x) => typeof x === 'string')) o.name = 'a\u0000b';
    return o;
}

// Put a raw number literal into the first integer field of v (or an unknown field when none).
function numberPatch(v, lit) {
    const k = Object.keys(v).find((x) => typeof v[x] === 'number') || 'zzz_number';
    const rest = { ...v };
    delete rest[k];
    const s = JSON.stringify(rest);
    return s.slice(0, -1) + (s === '{}' ? '' : ',') + `${JSON.stringify(k)}:${lit}}`;
}

describe('malformed input changes nothing', () => {
    test('setup: a waiting and a done ticket, window 1 open; snapshot', async () => {
        await act(srv, 1, 'open', tokens.clerk1);
        const d = await issue(srv, { service: 'A' });
        await act(srv, 1, 'call-next', tokens.clerk1);
        await act(srv, 1, 'start', tokens.clerk1);
        await act(srv, 1, 'finish', tokens.clerk1);
        done = d;
        waiting = await issue(srv, { service: 'B' });
        before = await snapshot(srv, A);
    });
    for (const [cname, make, codes] of cases)
        test(`${cname} → 4xx with the error body, on every writing endpoint`, async () => {
            const wrong = [];
            for (const [method, p, token, valid] of targets()) {
                const body = make(valid);
                const r = await api(srv, method, p, body, { token });
                try {
                    assertError(r, 400, codes);
                } catch (e) {
                    wrong.push(`${method} ${p} ${String(body).slice(0, 80)} → ${r.status} ${r.text.slice(0, 120)}`);
                }
            }
            assert.deepEqual(wrong, [], 'endpoints that did not refuse it properly');
        });
    test('a wrong Content-Type → 415 unsupported_media_type', async () => {
        for (const [method, p, token, valid] of targets()) {
            for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx']) {
                const r = await api(srv, method, p, JSON.stringify(valid), { token, headers: { 'content-type': ct } });
                assertError(r, 415, 'unsupported_media_type');
            }
        }
    });
    test('a body without Content-Type → 415', async () => {
        const b = JSON.stringify({ service: 'A' });
        const r = await srv.raw(rawRequest(srv, 'POST', `${BASE}/tickets`, {}, b));
        assertError(r, 415, 'unsupported_media_type');
    });
    test('Content-Length 2 MiB → 413 without sending the body', async () => {
        for (const [method, p, token] of targets()) {
            const h = { 'content-type': 'application/json', 'content-length': String(2 * 1024 * 1024) };
            if (token) h.authorization = `Bearer ${token}`;
            const r = await srv.raw(rawRequest(srv, method, `${BASE}${p}`, h), { timeout: 5000 });
            assertError(r, 413, 'payload_too_large');
        }
    });
    test('a 1 MiB + 1 body actually sent → 413', async () => {
        const body = '{"service":"A","x":"' + 'a'.repeat(1024 * 1024) + '"}';
        const r = await api(srv, 'POST', '/tickets', body);
        assertError(r, 413, 'payload_too_large');
    });
    test('a body just under 1 MiB is read and refused for its content (400), not its size', async () => {
        const body = '{"service":"A","x":"' + 'a'.repeat(1024 * 1024 - 100) + '"}';
        const r = await api(srv, 'POST', '/tickets', body);
        assertError(r, 400, 'invalid_field');
    });
    test('a Content-Length larger than the body sent, then silence: no hang of the server', async () => {
        const req = rawRequest(srv, 'POST', `${BASE}/tickets`, { 'content-type': 'application/json', 'content-length': '100' }, '{"service":"A"');
        const p = srv.raw(req, { timeout: 3000 }).catch(() => null); // server may wait for the rest
        const h = await api(srv, 'GET', '/health');
        assert.equal(h.status, 200, 'others are served meanwhile');
        await p;
    });
    test('invalid Content-Length / chunked garbage → 4xx, no crash', async () => {
        for (const [h, b] of [
            [{ 'content-type': 'application/json', 'content-length': '-1' }, '{}'],
            [{ 'content-type': 'application/json', 'content-length': 'abc' }, '{}'],
            [{ 'content-type': 'application/json', 'content-length': '99999999999999999999' }, '{}'],
            [{ 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, 'zz\r\nxx\r\n0\r\n\r\n'],
        ]) {
            const r = await srv.raw(rawRequest(srv, 'POST', `${BASE}/tickets`, h, b), { timeout: 5000, endAfterWrite: true }).catch(() => ({ status: 0 }));
            assert.ok(r.status === 0 || (r.status >= 400 && r.status < 500), `${JSON.stringify(h)} → ${r.status}`);
        }
        assert.equal((await api(srv, 'GET', '/health')).status, 200);
    });
    test('unknown route → 404 not_found; wrong method → 405 with the error body', async () => {
        assertError(await api(srv, 'GET', '/nothing-here'), 404, 'not_found');
        assertError(await api(srv, 'GET', '/api/v2/tickets'), 404, 'not_found');
        const r = await api(srv, 'DELETE', '/display');
        assertError(r, [404, 405]);
        const r2 = await api(srv, 'PATCH', '/services/A', { name: 'x' }, { token: A });
        assertError(r2, [404, 405]);
    });
    test('odd paths and a huge URL → 4xx, no crash', async () => {
        for (const p of [`${BASE}/tickets/%00`, `${BASE}/tickets/%zz`, `${BASE}/windows/abc/open`, `${BASE}/windows/-1/open`, `${BASE}/windows/99999999999999999999/open`, `${BASE}/services/%C0%AF`, `${BASE}/../../etc/passwd`]) {
            const r = await srv.raw(rawRequest(srv, p.includes('open') ? 'POST' : 'GET', p, { authorization: `Bearer ${tokens.clerk1}` }));
            assert.ok(r.status >= 400 && r.status < 500, `${p} → ${r.status}`);
        }
        const r = await srv.raw(rawRequest(srv, 'GET', `${BASE}/tickets/${'a'.repeat(100000)}`), { timeout: 5000 }).catch(() => ({ status: 0 }));
        assert.ok(r.status === 0 || (r.status >= 400 && r.status < 500), `huge URL → ${r.status}`);
        const q = await api(srv, 'GET', `/tickets?status=${'w'.repeat(5000)}&service=%FF`, undefined, { token: A });
        assertError(q, 400, 'invalid_field');
    });
    test('a garbage request line and headers → no crash', async () => {
        for (const g of ['GARBAGE\r\n\r\n', 'GET\r\n\r\n', `GET ${BASE}/health HTTP/9.9\r\n\r\n`, 'GET / HTTP/1.1\r\n' + 'X: y\r\n'.repeat(2000) + '\r\n', Buffer.from([0, 1, 2, 255, 13, 10, 13, 10])])
            await srv.raw(g, { timeout: 3000, endAfterWrite: true }).catch(() => null);
        assert.equal((await api(srv, 'GET', '/health')).status, 200);
    });
    test('the hall is exactly as before, and the server is alive', async () => {
        const now = await snapshot(srv, A);
        assert.deepEqual(now, before);
        assert.equal((await api(srv, 'GET', '/health')).status, 200);
        assert.ok(!/AddressSanitizer|runtime error|internal/i.test(srv.stderr()), `sanitizer or internal error in the log: ${srv.stderr().match(/.*(AddressSanitizer|runtime error|internal).*/i)?.[0]}`);
    });
});
