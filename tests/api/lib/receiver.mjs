// SPDX-License-Identifier: MIT
// receiver.mjs — a webhook receiver on loopback for the notifier tests: records every request
// (headers and raw body) and answers as the test says (a status, or no answer at all).
import http from 'node:http';
import crypto from 'node:crypto';

/**
 * Start a receiver. port: 0 for any. answer(req, n): the status to answer the n-th request with
 * (1-based), or null to never answer. Returns {url, got, close(), set(answer)}.
 */
export async function receiver({ port = 0, answer = () => 200 } = {}) {
    const rx = { got: [], answer, held: [] };
    const server = http.createServer((req, res) => {
        const chunks = [];
        req.on('data', (c) => chunks.push(c));
        req.on('end', () => {
            const raw = Buffer.concat(chunks).toString('utf8');
            let json = null;
            try {
                json = JSON.parse(raw);
            } catch {}
            const r = { method: req.method, url: req.url, headers: req.headers, raw, json };
            rx.got.push(r);
            const st = rx.answer(r, rx.got.length);
            if (st === null) {
                rx.held.push(res);
                return;
            }
            res.writeHead(st, { 'content-type': 'text/plain' });
            res.end('ok');
        });
    });
    await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
    rx.port = server.address().port;
    rx.url = `http://127.0.0.1:${rx.port}/hook`;
    rx.set = (fn) => (rx.answer = fn);
    rx.close = () =>
        new Promise((resolve) => {
            for (const res of rx.held) res.destroy();
            server.closeAllConnections?.();
            server.close(() => resolve());
        });
    return rx;
}

/** The signature header a body must carry: sha256=<hex HMAC-SHA256 of the raw body>. */
export const sign = (secret, raw) => 'sha256=' + crypto.createHmac('sha256', secret).update(raw, 'utf8').digest('hex');

/** Wait until pred() is true (polling), or fail with what after a generous deadline. */
export async function until(pred, what, ms = 60000) {
    const end = Date.now() + ms;
    for (;;) {
        const v = await pred();
        if (v) return v;
        if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 50));
    }
}
