// SPDX-License-Identifier: MIT
// transport.test.mjs — errors below the API (the HTTP framing itself) answer the JSON error body
// of docs/API.md once and at once, over raw sockets: a Content-Length that is not a number (abc,
// -1) or is beyond any size (2^64), Content-Length together with Transfer-Encoding (refused, not
// smuggled), an unsupported HTTP version (505), an overlong request line (414) or head (431), a
// garbage request line (400); pages and static files announcing a 2 MB body get 413 without the
// server waiting for the body. Each answer: one status line only (libmicrohttpd used to send its
// status line and headers twice, then HTML), a JSON content type and an {"error":{…}} body.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, api } from './lib/server.mjs';

const srv = await startServer();
after(() => srv.cleanup());

/** Send bytes on a new connection; resolve with everything received until the server closes
 * (each answer here says Connection: close) or ms pass (then timedOut). No body follows. */
function exchange(data, ms = 8000) {
    const u = new URL(srv.url);
    return new Promise((resolve) => {
        const sock = net.connect(Number(u.port), u.hostname);
        let buf = Buffer.alloc(0);
        let done = false;
        const finish = (timedOut) => {
            if (done) return;
            done = true;
            clearTimeout(timer);
            sock.destroy();
            resolve({ text: buf.toString('latin1'), timedOut });
        };
        const timer = setTimeout(() => finish(true), ms);
        sock.on('data', (d) => (buf = Buffer.concat([buf, d])));
        sock.on('end', () => finish(false));
        sock.on('close', () => finish(false));
        sock.on('error', () => finish(false));
        sock.on('connect', () => sock.write(data));
    });
}

function checkOne(r, status, what) {
    assert.equal(r.timedOut, false, `${what}: answered at once, not after waiting for a body: ${r.text.slice(0, 200)}`);
    const lines = r.text.match(/HTTP\/1\.[01] \d{3}/g) || [];
    assert.equal(lines.length, 1, `${what}: exactly one status line: ${JSON.stringify(r.text.slice(0, 600))}`);
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(r.text);
    assert.ok(m, `${what}: a status line first`);
    assert.equal(Number(m[1]), status, `${what}: ${r.text.slice(0, 300)}`);
    const i = r.text.indexOf('\r\n\r\n');
    const head = r.text.slice(0, i);
    assert.match(head, /\r\ncontent-type: application\/json/i, `${what}: JSON, not HTML`);
    const body = JSON.parse(Buffer.from(r.text.slice(i + 4), 'latin1').toString('utf8'));
    assert.equal(typeof body.error?.code, 'string', `${what}: error body`);
    assert.ok(body.error.message.length > 0);
    assert.doesNotMatch(r.text, /<html/i);
    return body;
}

const H = (lines) => Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1');

test('Content-Length abc, -1 and 2^64: one JSON error, no HTML, no doubled headers', async () => {
    for (const [cl, status, code] of [
        ['abc', 400, 'invalid_field'],
        ['-1', 400, 'invalid_field'],
        ['18446744073709551616', 413, 'payload_too_large'],
        ['1 2', 400, 'invalid_field'],
    ]) {
        const r = await exchange(H(['POST /api/v1/tickets HTTP/1.1', 'Host: x', 'Content-Type: application/json', `Content-Length: ${cl}`]));
        const body = checkOne(r, status, `Content-Length: ${cl}`);
        assert.equal(body.error.code, code);
    }
});

test('Content-Length together with Transfer-Encoding is refused, first request or later', async () => {
    const smuggle = ['POST /api/v1/tickets HTTP/1.1', 'Host: x', 'Content-Type: application/json', 'Content-Length: 4', 'Transfer-Encoding: chunked'];
    const r = await exchange(Buffer.concat([H(smuggle), Buffer.from('2\r\n{}\r\n0\r\n\r\n')]));
    const body = checkOne(r, 400, 'CL + TE');
    assert.equal(body.error.field, 'Transfer-Encoding');
    // the same on the second request of a kept-alive connection
    const r2 = await exchange(Buffer.concat([H(['GET /api/v1/health HTTP/1.1', 'Host: x']), H(smuggle), Buffer.from('2\r\n{}\r\n0\r\n\r\n')]));
    const parts = r2.text.split(/(?=HTTP\/1\.1 \d{3})/);
    assert.equal(parts.length, 2, r2.text.slice(0, 800));
    assert.match(parts[0], /^HTTP\/1\.1 200/);
    checkOne({ text: parts[1], timedOut: r2.timedOut }, 400, 'CL + TE, second request');
    // and nothing was issued by either
    const t = await api(srv, 'GET', '/display');
    assert.equal(t.status, 200);
});

test('version, request line and head size errors are JSON with their own status', async () => {
    checkOne(await exchange(H(['GET /api/v1/health HTTP/2.5', 'Host: x'])), 505, 'HTTP/2.5');
    checkOne(await exchange(H([`GET /api/v1/health?q=${'a'.repeat(10000)} HTTP/1.1`, 'Host: x'])), 414, 'long request line');
    checkOne(await exchange(H(['GET /api/v1/health HTTP/1.1', 'Host: x', `X-Big: ${'b'.repeat(10000)}`])), 431, 'big head');
    checkOne(await exchange(H(['GET /api/v1/health HTTP/1.1', 'Host: x', ...Array.from({ length: 2000 }, (_, i) => `X-${i}: y`)])), 431, 'many headers');
    checkOne(await exchange(Buffer.from('GARBAGE\r\n\r\n')), 400, 'garbage request line');
    checkOne(await exchange(H(['GET /api/v1/health HTTP/1.1', 'Host: x', 'Bad Header Name: 1'])), 400, 'bad header name');
    // a normal request of a size a browser sends still passes
    const ok = await exchange(H(['GET /api/v1/health HTTP/1.1', 'Host: x', 'Connection: close', `Cookie: a=${'c'.repeat(3000)}`]));
    assert.match(ok.text, /^HTTP\/1\.1 200/);
});

test('pages and static files announcing a 2 MB body get 413 at once', async () => {
    for (const p of ['/kiosk', '/js/api.js', '/', '/metrics', '/api/v1/events']) {
        const r = await exchange(H([`GET ${p} HTTP/1.1`, 'Host: x', 'Content-Length: 2000000']), 8000);
        const body = checkOne(r, 413, `GET ${p} with a 2 MB body`);
        assert.equal(body.error.code, 'payload_too_large');
    }
});

test('the server is alive and well after all that', async () => {
    assert.equal((await api(srv, 'GET', '/health')).status, 200);
});
