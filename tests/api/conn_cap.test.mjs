// SPDX-License-Identifier: MIT
// conn_cap.test.mjs — one client address cannot take the server from the others. 3,000
// connections from 127.0.0.2 each send half a request head and hold it (slowloris); meanwhile
// 127.0.0.3 still gets /health, a ticket and a live event stream. Checks: the connections over the
// per-address cap (--max-conns-per-ip, default 256) are answered 429 or closed at once, not held;
// the ones within the cap are closed by the head-read timeout (10 s); afterwards 127.0.0.2 is
// served again (its count went back down); hundreds of short connections in a row from one
// address are all served (handed-over connections give their count back when they close).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { hall, sleep, scale } from './lib/server.mjs';

const { srv } = await hall(after);
const u = new URL(srv.url);
const CAP = 256;
const SLOW = 3000;

function request(localAddress, method, path, body) {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
        const req = http.request(
            { host: u.hostname, port: u.port, path, method, localAddress, agent: false, headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {} },
            (res) => {
                let text = '';
                res.setEncoding('utf8');
                res.on('data', (d) => (text += d));
                res.on('end', () => resolve({ status: res.statusCode, text, headers: res.headers }));
            },
        );
        req.setTimeout(20000, () => req.destroy(new Error('timeout')));
        req.on('error', reject);
        req.end(payload);
    });
}

async function waitFor(pred, ms, what) {
    const t0 = Date.now();
    while (!pred()) {
        if (Date.now() - t0 > ms) assert.fail(`not within ${ms} ms: ${what}`);
        await sleep(100);
    }
}

test('thousands of half-sent requests from one address do not stop another address', async () => {
    const socks = [];
    const state = { closed: 0, refused429: 0 };
    const open = (i) =>
        new Promise((resolve) => {
            const s = net.connect({ host: u.hostname, port: Number(u.port), localAddress: '127.0.0.2' });
            let got = '';
            s.on('connect', () => {
                s.write('GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: ' + i + '\r\n'); // never finished
                resolve();
            });
            s.on('data', (d) => {
                got += d.toString('latin1');
                if (/^HTTP\/1\.1 429/.test(got) && !s.counted429) {
                    s.counted429 = true;
                    state.refused429++;
                }
            });
            s.on('close', () => {
                state.closed++;
                resolve();
            });
            s.on('error', () => {});
            socks.push(s);
        });
    for (let i = 0; i < SLOW; i += 100) await Promise.all(Array.from({ length: Math.min(100, SLOW - i) }, (_, k) => open(i + k)));

    // over the cap: refused at once (429 and closed), never held
    await waitFor(() => state.closed >= SLOW - CAP, 20000, `at least ${SLOW - CAP} of ${SLOW} slow connections refused (closed: ${state.closed})`);
    assert.ok(state.refused429 >= 1, 'the refusals say 429');

    // another address is served meanwhile
    const h = await request('127.0.0.3', 'GET', '/api/v1/health');
    assert.equal(h.status, 200, h.text);
    const t = await request('127.0.0.3', 'POST', '/api/v1/tickets', { service: 'A', category: 'normal', channel: 'kiosk' });
    assert.equal(t.status, 201, `a ticket is issued: ${t.text}`);
    const ev = await new Promise((resolve, reject) => {
        const req = http.get({ host: u.hostname, port: u.port, path: '/api/v1/events', localAddress: '127.0.0.3', agent: false, headers: { accept: 'text/event-stream' } }, (res) => {
            resolve(res.statusCode);
            req.destroy();
        });
        req.on('error', reject);
    });
    assert.equal(ev, 200, 'an event stream opens');

    // the ones within the cap are closed by the head timeout (10 s), not held for a minute
    await waitFor(() => state.closed >= SLOW, scale(30000, 45000), `every slow connection closed by the head timeout (closed: ${state.closed})`);
    for (const s of socks) s.destroy();
    const again = await request('127.0.0.2', 'GET', '/api/v1/health');
    assert.equal(again.status, 200, 'the address is served again once its connections are gone');
});

test('short connections one after another from one address are all served (counts go back)', async () => {
    for (let i = 0; i < CAP + 100; i++) {
        const r = await request('127.0.0.4', 'GET', '/api/v1/health');
        assert.equal(r.status, 200, `request ${i}: ${r.status} ${r.text}`);
    }
});
