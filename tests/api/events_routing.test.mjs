// SPDX-License-Identifier: MIT
// events_routing.test.mjs — the door hands each new connection to one of two libmicrohttpd daemons
// once the head of its first request is in (src/http/door.c, accept_route.c): an event stream
// (GET /api/v1/events) whose head fits goes to the streams' daemon with its small memory pool,
// everything else to the main daemon. Over raw sockets, with /metrics' hallq_http_connections
// gauge saying which daemon holds what: an events head sent in pieces over several writes is a
// live stream on the streams' daemon; a health request followed on the same connection by a
// pipelined events request is served by the main daemon, both answered; an events request with
// bytes after its head goes to the main daemon and is still a stream; an events head too big for
// the small pool (many headers and cookies) is still a stream, from the main daemon; one over the
// server's head limit is a JSON 431 at once; a refused events request on the streams' daemon
// (bad Last-Event-ID) is a JSON 400 and its connection is closed (one request per connection
// there). A second server with --max-conns-per-ip 2: half-sent events heads are held, count
// against the cap (a third connection is 429 at once) and are closed by the head time-out (10 s),
// after which the address is served again.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { hall, issue, sleep, startServer } from './lib/server.mjs';

const { srv } = await hall(after);

/** A raw connection: everything received, closed or not. */
function raw(url) {
    const u = new URL(url);
    const c = { text: '', closed: false, waiters: [] };
    c.sock = net.connect(Number(u.port), u.hostname);
    c.connected = new Promise((r) => c.sock.on('connect', r));
    const wake = () => c.waiters.forEach((w) => w());
    c.sock.on('data', (d) => {
        c.text += d.toString('latin1');
        wake();
    });
    c.sock.on('close', () => {
        c.closed = true;
        wake();
    });
    c.sock.on('error', () => {});
    c.write = (s) => c.sock.write(Buffer.from(s, 'latin1'));
    /** Resolve when pred(c) holds; fail after ms (generous: the machine may be loaded). */
    c.until = (pred, what, ms = 30000) =>
        new Promise((resolve, reject) => {
            const check = () => {
                if (pred(c)) {
                    clearTimeout(timer);
                    c.waiters = c.waiters.filter((w) => w !== check);
                    resolve();
                }
            };
            const timer = setTimeout(() => {
                c.waiters = c.waiters.filter((w) => w !== check);
                reject(new Error(`not within ${ms} ms: ${what}; got ${JSON.stringify(c.text.slice(0, 300))}, closed ${c.closed}`));
            }, ms);
            c.waiters.push(check);
            check();
        });
    c.close = () => c.sock.destroy();
    return c;
}

const head = (lines) => lines.join('\r\n') + '\r\n\r\n';
const EVENTS = ['GET /api/v1/events HTTP/1.1', 'Host: 127.0.0.1', 'Accept: text/event-stream'];

async function daemons(url = srv.url) {
    const text = await (await fetch(url + '/metrics')).text();
    const get = (d) => {
        const m = new RegExp(`^hallq_http_connections\\{daemon="${d}"\\} (\\d+)$`, 'm').exec(text);
        assert.ok(m, `hallq_http_connections{daemon="${d}"} in /metrics`);
        return Number(m[1]);
    };
    return { main: get('main'), streams: get('streams') };
}

/** Poll /metrics until pred holds (connections are counted by libmicrohttpd's threads). */
async function daemonsUntil(pred, what, ms = 30000) {
    const t0 = Date.now();
    for (;;) {
        const d = await daemons();
        if (pred(d)) return d;
        if (Date.now() - t0 > ms) assert.fail(`${what}: ${JSON.stringify(d)}`);
        await sleep(100);
    }
}

/** The JSON error of an answer in text (one status line, a JSON body of docs/API.md). */
function jsonError(text, status, code) {
    const lines = text.match(/HTTP\/1\.[01] \d{3}/g) || [];
    assert.deepEqual(lines, [`HTTP/1.1 ${status}`], `one status line ${status}: ${text.slice(0, 200)}`);
    assert.match(text, /\r\ncontent-type: application\/json/i);
    const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));
    assert.equal(body.error.code, code);
    assert.equal(typeof body.error.message, 'string');
    return body;
}

const isStream = (c) => /^HTTP\/1\.1 200/.test(c.text) && /\r\n\r\n[\s\S]*retry:/.test(c.text);

test('an events head sent in pieces over several writes is a live stream on the streams daemon', async () => {
    const before = await daemons();
    const c = raw(srv.url);
    await c.connected;
    const h = head([...EVENTS, 'User-Agent: Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0.0.0', 'Cookie: hq_lang=zh; theme=dark']);
    const cuts = [0, 3, 11, 20, 40, h.length - 2, h.length];
    for (let i = 0; i + 1 < cuts.length; i++) {
        c.write(h.slice(cuts[i], cuts[i + 1]));
        await sleep(150);
        if (i + 2 < cuts.length) assert.equal(c.text, '', 'nothing answered before the head is whole');
    }
    await c.until(isStream, 'the stream begins');
    assert.match(c.text, /\r\ncontent-type: text\/event-stream/i);
    assert.match(c.text, /\r\nconnection: close/i);
    await daemonsUntil((d) => d.streams === before.streams + 1, 'the stream is on the streams daemon');
    const t = await issue(srv, { service: 'A' });
    await c.until((x) => x.text.includes('event: ticket.issued') && x.text.includes(`"number":"${t.number}"`), 'the ticket.issued event arrives');
    c.close();
    await daemonsUntil((d) => d.streams === before.streams, 'the closed stream is released');
});

test('a health request, then a pipelined events request on the same connection: both served by the main daemon', async () => {
    const before = await daemons();
    const c = raw(srv.url);
    await c.connected;
    c.write(head(['GET /api/v1/health HTTP/1.1', 'Host: x']) + head(EVENTS));
    await c.until((x) => /^HTTP\/1\.1 200[\s\S]*HTTP\/1\.1 200[\s\S]*retry:/.test(x.text), 'health, then the stream');
    assert.match(c.text, /text\/event-stream/);
    const d = await daemons();
    assert.equal(d.streams, before.streams, 'not on the streams daemon');
    assert.ok(d.main >= before.main + 1, 'held by the main daemon');
    const t = await issue(srv, { service: 'A' });
    await c.until((x) => x.text.includes(`"number":"${t.number}"`), 'events arrive on it');
    c.close();
});

test('an events request followed by more bytes goes to the main daemon and is still a stream; what follows is not answered', async () => {
    const before = await daemons();
    const c = raw(srv.url);
    await c.connected;
    c.write(head(EVENTS) + head(['GET /api/v1/health HTTP/1.1', 'Host: x']));
    await c.until(isStream, 'the stream begins');
    const d = await daemons();
    assert.equal(d.streams, before.streams, 'not on the streams daemon');
    const t = await issue(srv, { service: 'A' });
    await c.until((x) => x.text.includes(`"number":"${t.number}"`), 'events arrive on it');
    assert.equal((c.text.match(/HTTP\/1\.1 /g) || []).length, 1, 'the stream owns its connection');
    c.close();
});

test('an events head too big for the small pool is still a stream, from the main daemon', async () => {
    const before = await daemons();
    const lines = [...EVENTS];
    for (let i = 0; i < 40; i++) lines.push(`X-Extra-${i}: ${'v'.repeat(30)}`);
    lines.push('Cookie: ' + Array.from({ length: 20 }, (_, i) => `c${i}=${'w'.repeat(30)}`).join('; '));
    const h = head(lines);
    // over the streams' bounds both ways (over 2,048 bytes, and 60 headers and cookies), under 7 KiB
    assert.ok(h.length > 2048 && h.length < 7000, `a big head (${h.length} bytes) within the server's limit`);
    const c = raw(srv.url);
    await c.connected;
    c.write(h);
    await c.until(isStream, 'the stream begins');
    const d = await daemons();
    assert.equal(d.streams, before.streams, 'not on the streams daemon');
    const t = await issue(srv, { service: 'A' });
    await c.until((x) => x.text.includes(`"number":"${t.number}"`), 'events arrive on it');
    c.close();
});

test('an events head over the server head limit is a JSON 431 at once, and closed', async () => {
    const c = raw(srv.url);
    await c.connected;
    c.write(head([...EVENTS, 'Cookie: a=' + 'x'.repeat(8000)]));
    await c.until((x) => x.closed, 'answered and closed');
    jsonError(c.text, 431, 'invalid_field');
});

test('a refused events request on the streams daemon is a JSON 400 and its connection closes', async () => {
    const c = raw(srv.url);
    await c.connected;
    c.write(head(['GET /api/v1/events HTTP/1.1', 'Host: x', 'Last-Event-ID: not-a-number']));
    await c.until((x) => x.closed, 'answered and closed');
    assert.match(c.text, /\r\nconnection: close/i);
    const body = jsonError(c.text, 400, 'invalid_field');
    assert.equal(body.error.field, 'Last-Event-ID');
});

test('half-sent events heads are held, count against the per-address cap, and are closed by the head time-out', async () => {
    const cap = await startServer({ args: ['--max-conns-per-ip', '2'] });
    after(() => cap.cleanup());
    const slow = [raw(cap.url), raw(cap.url)];
    for (const s of slow) {
        await s.connected;
        s.write('GET /api/v1/ev');
    }
    await sleep(300);
    const third = raw(cap.url);
    await third.connected;
    await third.until((x) => x.closed, 'the third connection is refused at once');
    jsonError(third.text, 429, 'rate_limited');
    // the door closes a connection that has not sent its head within 10 s
    for (const s of slow) await s.until((x) => x.closed, 'closed by the head time-out', 60000);
    assert.equal(slow[0].text + slow[1].text, '', 'nothing answered to a head never finished');
    const again = raw(cap.url);
    await again.connected;
    again.write(head(EVENTS));
    await again.until(isStream, 'the address is served again');
    again.close();
});
