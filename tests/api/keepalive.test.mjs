// SPDX-License-Identifier: MIT
// keepalive.test.mjs — a later request on a kept-alive connection gets the same JSON transport
// errors as a connection's first one (issue #11, item 7): the door vets the first request head of
// each connection; later ones are parsed by libmicrohttpd alone, whose HTML answer (status line
// and headers twice) the server replaces by the JSON error of docs/API.md. Over raw sockets: one
// healthy request answered and the connection kept, then a second request with Content-Length
// abc / -1 / 2^64 / 2 MB: exactly one status line after the first answer, JSON, no HTML.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer } from './lib/server.mjs';

const srv = await startServer();
after(() => srv.cleanup());

const H = (lines) => Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1');

/** On one connection: send first, wait for its whole answer (Content-Length), then send second;
 * resolve with the text after the first answer, until the server closes (or ms pass). */
function twoRequests(first, second, ms = 8000) {
    const u = new URL(srv.url);
    return new Promise((resolve) => {
        const sock = net.connect(Number(u.port), u.hostname);
        let buf = Buffer.alloc(0);
        let firstAnswer = null;
        let done = false;
        const finish = (timedOut) => {
            if (done) return;
            done = true;
            clearTimeout(timer);
            sock.destroy();
            const all = buf.toString('latin1');
            resolve({ first: firstAnswer, text: firstAnswer === null ? all : all.slice(firstAnswer.length), timedOut });
        };
        const timer = setTimeout(() => finish(true), ms);
        sock.on('data', (d) => {
            buf = Buffer.concat([buf, d]);
            if (firstAnswer !== null) return;
            const t = buf.toString('latin1');
            const i = t.indexOf('\r\n\r\n');
            if (i < 0) return;
            const m = /\r\ncontent-length: (\d+)/i.exec(t.slice(0, i));
            if (!m || t.length < i + 4 + Number(m[1])) return;
            firstAnswer = t.slice(0, i + 4 + Number(m[1]));
            sock.write(second);
        });
        sock.on('end', () => finish(false));
        sock.on('close', () => finish(false));
        sock.on('error', () => finish(false));
        sock.on('connect', () => sock.write(first));
    });
}

const health = H(['GET /api/v1/health HTTP/1.1', 'Host: x']);

function checkOne(r, status, what) {
    assert.ok(r.first, `${what}: the first request was answered`);
    assert.match(r.first, /^HTTP\/1\.1 200/, what);
    assert.doesNotMatch(r.first, /\r\nconnection: close/i, `${what}: the first answer keeps the connection`);
    assert.equal(r.timedOut, false, `${what}: answered at once: ${JSON.stringify(r.text.slice(0, 300))}`);
    const lines = r.text.match(/HTTP\/1\.[01] \d{3}/g) || [];
    assert.equal(lines.length, 1, `${what}: exactly one status line: ${JSON.stringify(r.text.slice(0, 600))}`);
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(r.text);
    assert.ok(m, `${what}: a status line first: ${JSON.stringify(r.text.slice(0, 200))}`);
    assert.equal(Number(m[1]), status, `${what}: ${r.text.slice(0, 300)}`);
    const i = r.text.indexOf('\r\n\r\n');
    assert.match(r.text.slice(0, i), /\r\ncontent-type: application\/json/i, `${what}: JSON, not HTML`);
    const body = JSON.parse(Buffer.from(r.text.slice(i + 4), 'latin1').toString('utf8'));
    assert.equal(typeof body.error?.code, 'string', `${what}: error body`);
    assert.doesNotMatch(r.text, /<html/i, what);
    return body;
}

test('a second request on a kept-alive connection is served', async () => {
    const r = await twoRequests(health, H(['GET /api/v1/health HTTP/1.1', 'Host: x', 'Connection: close']));
    assert.ok(r.first, 'first answered');
    assert.match(r.text, /^HTTP\/1\.1 200/, r.text.slice(0, 200));
    assert.match(r.text, /"status":"ok"/);
});

for (const [cl, status, code] of [
    ['abc', 400, 'invalid_field'],
    ['-1', 400, 'invalid_field'],
    ['18446744073709551616', 413, 'payload_too_large'],
    ['99999999999999999999999', 413, 'payload_too_large'],
    [String(2 * 1024 * 1024), 413, 'payload_too_large'],
])
    test(`second request with Content-Length ${cl.slice(0, 12)}: one JSON ${status}`, async () => {
        const second = H(['POST /api/v1/tickets HTTP/1.1', 'Host: x', 'Content-Type: application/json', `Content-Length: ${cl}`]);
        const r = await twoRequests(health, second);
        const body = checkOne(r, status, `Content-Length ${cl}`);
        assert.equal(body.error.code, code, JSON.stringify(body));
    });

test('the server still serves new connections afterwards', async () => {
    const r = await fetch(srv.url + '/api/v1/health');
    assert.equal(r.status, 200);
});
