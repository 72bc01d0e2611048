// SPDX-License-Identifier: MIT
// login_throttle.test.mjs — failed sign-ins are throttled per (user, address) and per address,
// never per user alone: wrong passwords from one address must not lock the account against its
// owner at another address (a denial of service). Clients bind distinct loopback addresses
// (127.0.0.2, .3 …) so the server sees distinct client addresses. Checks: repeated wrong passwords
// for a user from one address end in 429 rate_limited with a Retry-After; 30 failures from an
// address (any users) block that address, even with the right password; the right password from
// an address that has not failed always signs in.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer, assertError, ADMIN_PASSWORD } from './lib/server.mjs';

const srv = await startServer();
after(() => srv.cleanup());

function loginFrom(localAddress, username, password) {
    const u = new URL(srv.url);
    const body = JSON.stringify({ username, password });
    return new Promise((resolve, reject) => {
        const req = http.request(
            { host: u.hostname, port: u.port, path: '/api/v1/auth/login', method: 'POST', localAddress, agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
            (res) => {
                let text = '';
                res.setEncoding('utf8');
                res.on('data', (d) => (text += d));
                res.on('end', () => {
                    let json = null;
                    try {
                        json = JSON.parse(text);
                    } catch {
                        json = null;
                    }
                    resolve({ status: res.statusCode, headers: res.headers, text, json });
                });
            },
        );
        req.on('error', reject);
        req.end(body);
    });
}

test('wrong passwords for a user from one address end in 429 with Retry-After; the user still signs in from another address', async () => {
    let limited = null;
    for (let i = 0; i < 12 && !limited; i++) {
        const r = await loginFrom('127.0.0.2', 'admin', `wrong-${i}-xxxx`);
        if (r.status === 429) limited = r;
        else assert.equal(r.status, 401, r.text);
    }
    assert.ok(limited, 'a 429 within 12 failed attempts');
    assertError(limited, 429, 'rate_limited');
    assert.match(limited.headers['retry-after'] || '', /^[1-9]\d*$/, 'Retry-After in seconds');
    const ok = await loginFrom('127.0.0.3', 'admin', ADMIN_PASSWORD);
    assert.equal(ok.status, 200, `right password from an address that has not failed: ${ok.text}`);
});

test('30 failures from one address (any users) block that address, never another one', async () => {
    let limited = null;
    for (let i = 0; i < 40 && !limited; i++) {
        const r = await loginFrom('127.0.0.4', `nobody${i}`, 'wrong-password-xx');
        if (r.status === 429) limited = r;
        else assert.equal(r.status, 401, r.text);
    }
    assert.ok(limited, 'the address is limited within 40 failures');
    // the address is blocked for its window (minutes), even with the right password …
    const blocked = await loginFrom('127.0.0.4', 'admin', ADMIN_PASSWORD);
    assertError(blocked, 429, 'rate_limited');
    assert.ok(Number(blocked.headers['retry-after']) >= 60, `Retry-After ${blocked.headers['retry-after']}`);
    // … and nobody else is.
    const ok = await loginFrom('127.0.0.5', 'admin', ADMIN_PASSWORD);
    assert.equal(ok.status, 200, ok.text);
    const ok2 = await loginFrom('127.0.0.1', 'admin', ADMIN_PASSWORD);
    assert.equal(ok2.status, 200, ok2.text);
});
