// SPDX-License-Identifier: MIT
// events_fanout.test.mjs — the fan-out's direct sends (src/http/sse.c): an event goes to a
// suspended stream's socket by a non-blocking send from a fan-out thread, and through
// libmicrohttpd only when that socket is full. Here: a reader that stops until its socket is full
// (seen with `ss`: the server side's send queue stops growing) and then reads again gets every
// event once, in order, byte for byte as a stream that kept reading; streams whose clients leave
// while events are being sent do not disturb the others and are let go; and the clean stop with
// streams mid-write (one of them full) exits 0 in time, the reading streams ending after every
// event they were sent.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { execFileSync } from 'node:child_process';
import { hall, api, issue, sse, assertIds, scale, parseEvents } from './lib/server.mjs';

const { srv, tokens } = await hall(after);
const streams = [];
after(() => streams.forEach((s) => s.close()));
function open(on = srv, opts) {
    const s = sse(on, opts);
    streams.push(s);
    return s;
}
const note = (i) => ({ text: `第${i}号通知：` + '窗口调整'.repeat(38), text_en: `notice ${i} ` + 'x'.repeat(480) });
const metric = async (on, token, name) => {
    const r = await api(on, 'GET', '/metrics', undefined, { token });
    assert.equal(r.status, 200, r.text);
    return Number(new RegExp(`^${name} (\\d+)`, 'm').exec(r.text)[1]);
};
async function post(on, token, from, n) {
    const batch = [];
    for (let i = 0; i < n; i++) batch.push(api(on, 'POST', '/notices', note(from + i), { token }));
    for (const r of await Promise.all(batch)) assert.equal(r.status, 201, r.text);
}
const key = (e) => `${e.id}:${e.event}:${e.raw}`;
// a stream that reads its headers and then nothing, until resumed
async function paused(on) {
    const u = new URL(on.url + '/api/v1/events');
    const res = await new Promise((resolve, reject) => {
        const q = http.get({ host: u.hostname, port: u.port, path: u.pathname, agent: false, headers: { accept: 'text/event-stream' } }, resolve);
        q.on('error', reject);
        streams.push({ close: () => q.destroy() });
    });
    assert.equal(res.statusCode, 200);
    assert.ok(!res.headers['transfer-encoding'], 'the stream body is not chunked: it ends with the connection');
    res.pause();
    return { res, port: Number(u.port), local: res.socket.localPort };
}
// bytes the server's side of a stream holds unsent or unacknowledged (ss: Send-Q)
function sendQ({ port, local }) {
    const out = execFileSync('ss', ['-tnH', 'state', 'established', `( sport = :${port} and dport = :${local} )`], { encoding: 'utf8' });
    // with a state filter the columns are Recv-Q, Send-Q, local address, peer address
    const row = out
        .split('\n')
        .map((l) => l.trim().split(/\s+/))
        .find((t) => t.length >= 4 && t[2] === `127.0.0.1:${port}` && t[3] === `127.0.0.1:${local}`);
    assert.ok(row, `no server socket for the stream in: ${out}`);
    return Number(row[1]);
}
// post notices until the stalled stream's socket takes no more (its send queue, past 64 KiB, stopped
// growing over three batches): the later events wait in the hub for libmicrohttpd's path
async function fill(on, token, p, ref) {
    let posted = 0;
    let last = -1;
    let still = 0;
    while (still < 3) {
        assert.ok(posted < 3000, `the stream's socket did not fill after ${posted} events of about 1 KB`);
        await post(on, token, posted, 10);
        posted += 10;
        const marker = await issue(on, { service: 'A' });
        await ref.waitFor((e) => e.event === 'ticket.issued' && e.data?.number === marker.number, 30000);
        const q = sendQ(p);
        // the reader's receive queue fills first; then the server's send queue grows past the
        // stream's 64 KiB send buffer (sse.c) until the kernel takes no more
        still = q > 64 * 1024 && q <= last ? still + 1 : 0;
        last = Math.max(last, q);
    }
    return posted;
}

describe('a reader whose socket fills', () => {
    test('reads again before it is dropped: every event once, in order, as the stream that kept reading', async () => {
        const ref = open();
        await ref.ready;
        const p = await paused(srv);
        const dropped0 = await metric(srv, tokens.admin, 'hallq_sse_dropped_total');
        const posted = await fill(srv, tokens.admin, p, ref);
        // ~20 KB more: behind the full socket, well under the 256 KiB after which a stream is dropped
        await post(srv, tokens.admin, posted, 20);
        const marker = await issue(srv, { service: 'A' });
        await ref.waitFor((e) => e.event === 'ticket.issued' && e.data?.number === marker.number, 30000);
        const lastId = Number(ref.events.at(-1).id);
        assert.equal(await metric(srv, tokens.admin, 'hallq_sse_dropped_total'), dropped0, 'not dropped');
        let text = '';
        p.res.setEncoding('utf8');
        p.res.on('data', (d) => (text += d));
        p.res.resume();
        // nothing else is published meanwhile: what the full socket held back must follow by itself
        // (a stream left suspended with bytes pending would wait for the next event, or for the
        // ping after 15 s: hence 10 s here, for ~300 KB over loopback)
        const t0 = Date.now();
        while (!parseEvents(text).some((e) => Number(e.id) === lastId)) {
            assert.ok(Date.now() - t0 < 10000, `the stream never caught up to event ${lastId}`);
            await new Promise((r) => setTimeout(r, 50));
        }
        const got = parseEvents(text).filter((e) => Number(e.id) <= lastId);
        assert.ok(got.length > posted, `${got.length} events for ${posted} notices`);
        assertIds(got, { contiguous: true });
        const first = Number(got[0].id);
        assert.deepEqual(got.map(key), ref.events.filter((e) => Number(e.id) >= first && Number(e.id) <= lastId).map(key));
        assert.ok(!p.res.readableEnded, 'still open');
        p.res.destroy();
        ref.close();
    });
});

describe('clients that leave while events are sent', () => {
    test('the streams that stay get every event in order; the ones that left are let go', async () => {
        const n = scale(40, 12);
        const ref = open();
        const all = Array.from({ length: n }, () => open());
        await Promise.all([ref, ...all].map((s) => s.ready));
        const gone = new Set();
        const each = Math.max(1, Math.floor(n / 16)); // 8 rounds: half of the streams leave
        let posted = 0;
        for (let round = 0; round < 8; round++) {
            // the events are on their way while some clients close their sockets
            const sent = post(srv, tokens.admin, 10000 + posted, 5);
            for (const s of all.filter((x) => !gone.has(x)).slice(0, each)) {
                s.req.destroy();
                gone.add(s);
            }
            await sent;
            posted += 5;
        }
        const stay = all.filter((s) => !gone.has(s));
        assert.ok(stay.length > 0);
        const marker = await issue(srv, { service: 'B' });
        await ref.waitFor((e) => e.event === 'ticket.issued' && e.data?.number === marker.number, 30000);
        const lastId = Number(ref.events.at(-1).id);
        for (const s of stay) {
            await s.waitFor((e) => Number(e.id) === lastId, 30000);
            assertIds(s.events, { contiguous: true });
            assert.deepEqual(s.events.map(key), ref.events.filter((e) => Number(e.id) >= Number(s.events[0].id)).map(key));
            assert.ok(!s.closed);
        }
        // a socket whose peer left fails a send or two later; the server lets its stream go (and
        // the streams of the test before, closed by now): left open are ref and the ones that stay
        const want = 1 + stay.length;
        const t0 = Date.now();
        let k = await metric(srv, tokens.admin, 'hallq_sse_clients');
        while (k !== want) {
            assert.ok(Date.now() - t0 < 30000, `hallq_sse_clients ${k}, want ${want}`);
            await post(srv, tokens.admin, 20000 + posted++, 1);
            await new Promise((r) => setTimeout(r, 100));
            k = await metric(srv, tokens.admin, 'hallq_sse_clients');
        }
        assert.equal((await api(srv, 'GET', '/health')).status, 200);
        for (const s of stay) s.close();
        ref.close();
    });
});

describe('the clean stop with streams mid-write', () => {
    test('SIGTERM while events go out and one socket is full: exit 0 in time, the reading streams end after all they were sent', async () => {
        const b = await hall(after);
        const ref = open(b.srv);
        const many = Array.from({ length: scale(20, 8) }, () => open(b.srv));
        await Promise.all([ref, ...many].map((s) => s.ready));
        const p = await paused(b.srv);
        const posted = await fill(b.srv, b.tokens.admin, p, ref);
        // a burst on its way (not awaited: some answers may be cut off by the stop), then SIGTERM
        const burst = [];
        for (let i = 0; i < 20; i++) burst.push(api(b.srv, 'POST', '/notices', note(posted + i), { token: b.tokens.admin }).catch(() => null));
        await new Promise((r) => setTimeout(r, 5));
        const r = await b.srv.stop();
        assert.ok(!r.killed, 'stopped within the time');
        assert.equal(r.code, 0, b.srv.stderr().slice(-1500));
        await Promise.all(burst);
        const t0 = Date.now();
        while (![ref, ...many].every((s) => s.closed) && Date.now() - t0 < 10000) await new Promise((res) => setTimeout(res, 50));
        for (const s of [ref, ...many]) {
            assert.ok(s.closed, 'the stream ended with the server');
            assertIds(s.events, { contiguous: true });
        }
        // the same events as ref, byte for byte, as far as each got (an event committed during the
        // stop may reach streams that have not ended yet and not the others)
        const byId = new Map(ref.events.map((e) => [e.id, key(e)]));
        for (const s of many) {
            const last = Math.min(Number(s.events.at(-1).id), Number(ref.events.at(-1).id));
            for (const e of s.events.filter((x) => Number(x.id) <= last)) assert.equal(key(e), byId.get(e.id));
        }
        assert.doesNotMatch(b.srv.stderr(), /AddressSanitizer|LeakSanitizer|runtime error:/);
        p.res.destroy();
    });
});
