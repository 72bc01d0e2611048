// SPDX-License-Identifier: MIT
// media.test.mjs — voice, paper tickets and QR codes end to end against the real server: the call
// announcement is RIFF/WAVE speech of plausible length after a call-next (espeak-ng, cached, 404
// with voice off, 400 on bad input); qr.png and ticket.png decode with zbarimg to the tracking
// URL; ticket.pdf read back with pdftotext holds the number and the Chinese service name; a kiosk
// registered with a fake printer on loopback prints the ticket (GB18030 text, the number, the QR
// payload), a file printer gets the same bytes, and a printer that is offline or out of paper
// leaves the ticket issued (201, print.ok false) and raises a device.alert event. Printing does not
// hold the hall lock: the hall answers while a printer hangs.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { hall, api, issue, act, sse, rawRequest, SANITIZE, scale } from './lib/server.mjs';
import { getBytes, fakePrinter, closedPort, parseWav, escposQrPayload, zbar, pdfText, sanitizerEnv } from './lib/media_helpers.mjs';
import { createAnnouncer, callTexts } from '../../web/js/voice.js';

const env = SANITIZE ? sanitizerEnv() : {};
// Voice on by default (espeak-ng is installed by scripts/setup.sh); tracking URLs from the Host.
const { srv, tokens } = await hall(after, { env });
// Voice off, a configured public base URL (needed for the QR code on paper).
const PUBLIC_URL = 'http://hall.example';
const P = await hall(after, { env, args: ['--voice', 'off', '--public-url', PUBLIC_URL] });

const printers = [];
after(() => Promise.all(printers.map((p) => p.close())));
const streams = [];
after(() => streams.forEach((s) => s.close()));

const SERVICE_ZH = '社保业务';
const SERVICE_ZH_GB18030 = Buffer.from('c9e7b1a3d2b5cef1', 'hex'); // iconv -t GB18030 of 社保业务

async function registerDevice(s, adminToken, body) {
    return api(s, 'POST', '/devices', body, { token: adminToken });
}

describe('voice announcements', () => {
    let called; // {number, window}
    let first; // the first WAV
    test('after call-next the announcement is RIFF/WAVE speech of plausible length', async () => {
        await act(srv, 1, 'open', tokens.clerk1);
        await issue(srv, { service: 'A' });
        const r = await act(srv, 1, 'call-next', tokens.clerk1);
        called = { number: r.ticket.number, window: 1 };
        const g = await getBytes(srv, `/announcements?number=${called.number}&window=1`);
        assert.equal(g.status, 200, g.text.slice(0, 300));
        assert.match(g.headers.get('content-type'), /^audio\/(wav|x-wav)/);
        const w = parseWav(g.body);
        assert.equal(w.format, 1, 'PCM');
        assert.equal(w.channels, 1);
        assert.equal(w.bits, 16);
        assert.ok(w.rate >= 8000 && w.rate <= 48000, `rate ${w.rate}`);
        // zh + en line of "A001号，请到1号窗口 / A0 0 1, window 1" from phrase clips: ~5-6 s.
        assert.ok(w.seconds > 3 && w.seconds < 8, `plausible length: ${w.seconds.toFixed(2)} s`);
        assert.ok(w.rms > 300, `not silence: RMS ${w.rms.toFixed(0)}`);
        first = g.body;
    });
    test('asked again it comes from the cache: same bytes, quickly', async () => {
        const g = await getBytes(srv, `/announcements?number=${called.number}&window=1`);
        assert.equal(g.status, 200);
        assert.ok(g.body.equals(first), 'same audio');
        assert.ok(g.ms < scale(1000, 3000), `served in ${g.ms} ms`);
    });
    test('a recall announces the same text again', async () => {
        await act(srv, 1, 'recall', tokens.clerk1);
        const g = await getBytes(srv, `/announcements?number=${called.number}&window=1`);
        assert.equal(g.status, 200);
        assert.ok(g.body.equals(first), 'same audio for the same number and window');
    });
    test('two calls in a row: both announced, each its own audio', async () => {
        await act(srv, 2, 'open', tokens.clerk2);
        await issue(srv, { service: 'B' });
        const r = await act(srv, 2, 'call-next', tokens.clerk2);
        const g = await getBytes(srv, `/announcements?number=${r.ticket.number}&window=2`);
        assert.equal(g.status, 200, g.text.slice(0, 300));
        const w = parseWav(g.body);
        assert.ok(w.seconds > 3, `${w.seconds} s`);
        assert.ok(!g.body.equals(first), 'a different announcement');
    });
    test(
        'the announcement may be cached by browsers (Cache-Control: public, max-age=86400)',
        async () => {
            const g = await getBytes(srv, `/announcements?number=${called.number}&window=1`);
            assert.match(g.headers.get('cache-control') || '', /public.*max-age=86400/);
        },
    );
    test('bad number or window: 400 naming the field', async () => {
        for (const [q, field] of [
            ['number=a001&window=1', 'number'],
            ['number=A1&window=1', 'number'],
            ['number=ABC001&window=1', 'number'],
            ['number=A001%0A&window=1', 'number'],
            ['window=1', 'number'],
            ['number=A001&window=0', 'window'],
            ['number=A001&window=10000', 'window'],
            ['number=A001&window=-1', 'window'],
            ['number=A001&window=1x', 'window'],
            ['number=A001', 'window'],
        ]) {
            const r = await api(srv, 'GET', `/announcements?${q}`);
            assert.equal(r.status, 400, `${q}: ${r.status} ${r.text}`);
            assert.equal(r.json?.error?.field, field, `${q}: ${r.text}`);
        }
    });
    test('a number never called to that window: 404 (no rendering for made-up texts)', async () => {
        const r = await api(srv, 'GET', `/announcements?number=Z999&window=1`);
        assert.equal(r.status, 404, r.text);
        const r2 = await api(srv, 'GET', `/announcements?number=${called.number}&window=3`);
        assert.equal(r2.status, 404, r2.text);
    });
    test('English off for the hall (public_info.voice.english): the Chinese line only, under 4 s', async () => {
        const put = await api(srv, 'PUT', '/hall', { public_info: { voice: { english: false } } }, { token: tokens.admin });
        assert.equal(put.status, 200, put.text);
        await act(srv, 1, 'start', tokens.clerk1);
        await act(srv, 1, 'finish', tokens.clerk1);
        await issue(srv, { service: 'A' });
        const r = await act(srv, 1, 'call-next', tokens.clerk1);
        const g = await getBytes(srv, `/announcements?number=${r.ticket.number}&window=1`);
        assert.equal(g.status, 200, g.text.slice(0, 300));
        const zh = parseWav(g.body);
        const both = parseWav(first);
        assert.ok(zh.seconds > 1 && zh.seconds < 4, `Chinese only: ${zh.seconds.toFixed(2)} s`);
        assert.ok(zh.seconds < both.seconds - 0.8, `shorter than with English (${both.seconds.toFixed(2)} s)`);
        const back = await api(srv, 'PUT', '/hall', { public_info: {} }, { token: tokens.admin });
        assert.equal(back.status, 200, back.text);
    });
    test('voice off: 404 even for a real call', async () => {
        await act(P.srv, 1, 'open', P.tokens.clerk1);
        await issue(P.srv, { service: 'A' });
        const r = await act(P.srv, 1, 'call-next', P.tokens.clerk1);
        const g = await api(P.srv, 'GET', `/announcements?number=${r.ticket.number}&window=1`);
        assert.equal(g.status, 404, g.text);
        assert.match(g.json.error.message, /voice/i);
    });
});

describe('QR code and the ticket as an image', () => {
    let t;
    test('qr.png decodes (zbarimg) to the tracking URL from the Host the client used', async () => {
        t = await issue(srv, { service: 'A' });
        const g = await getBytes(srv, `/tickets/${t.id}/qr.png`);
        assert.equal(g.status, 200, g.text.slice(0, 200));
        assert.equal(g.headers.get('content-type'), 'image/png');
        assert.ok(g.body.subarray(0, 8).equals(Buffer.from('89504e470d0a1a0a', 'hex')), 'PNG signature');
        assert.deepEqual(zbar(g.body), [`${srv.url}/t/${t.id}`]);
    });
    test('with --public-url the QR carries the configured base', async () => {
        const pt = await issue(P.srv, { service: 'A' });
        const g = await getBytes(P.srv, `/tickets/${pt.id}/qr.png`);
        assert.equal(g.status, 200);
        assert.deepEqual(zbar(g.body), [`${PUBLIC_URL}/t/${pt.id}`]);
    });
    test('ticket.png is the ticket, its QR decodes to the tracking URL', async () => {
        const g = await getBytes(srv, `/tickets/${t.id}/ticket.png`);
        assert.equal(g.status, 200, g.text.slice(0, 200));
        assert.equal(g.headers.get('content-type'), 'image/png');
        assert.equal(g.body.readUInt32BE(16), 640, '80 mm at 8 px/mm');
        assert.deepEqual(zbar(g.body), [`${srv.url}/t/${t.id}`]);
    });
    test('ticket.pdf read back by pdftotext: number, Chinese and English service name, documents, hall', async () => {
        const h = await api(srv, 'GET', '/hall');
        const g = await getBytes(srv, `/tickets/${t.id}/ticket.pdf`);
        assert.equal(g.status, 200, g.text.slice(0, 200));
        assert.equal(g.headers.get('content-type'), 'application/pdf');
        assert.equal(g.body.subarray(0, 5).toString('latin1'), '%PDF-');
        const text = pdfText(g.body);
        assert.ok(text.includes(t.number), `number ${t.number} in: ${text}`);
        assert.ok(text.includes(SERVICE_ZH), `service name in: ${text}`);
        assert.ok(text.includes('Social security'), `English name in: ${text}`);
        assert.ok(text.includes('身份证'), `documents in: ${text}`);
        if (h.json.name) assert.ok(text.replace(/\s/g, '').includes(h.json.name.replace(/\s/g, '')), `hall "${h.json.name}" in: ${text}`);
    });
    test('unknown ticket: 404 for every image', async () => {
        for (const p of ['qr.png', 'ticket.png', 'ticket.pdf']) {
            const r = await api(srv, 'GET', `/tickets/${'0'.repeat(32)}/${p}`);
            assert.equal(r.status, 404, `${p}: ${r.text}`);
            const r2 = await api(srv, 'GET', `/tickets/nope/${p}`);
            assert.equal(r2.status, 404, `${p}: ${r2.text}`);
        }
    });
});

describe('printing on a kiosk printer', () => {
    test('a device printer must be IPv4:port or file:/absolute/path', async () => {
        for (const printer of ['printer.local:9100', '10.0.0.5', '10.0.0.5:0', '10.0.0.5:65536', '10.0.0.5:91a', '::1:9100', 'file:relative', 'file:/tmp/../etc/passwd', 'file:/', 'x'.repeat(200), '10.0.0.5:9100\n']) {
            const r = await registerDevice(P.srv, P.tokens.admin, { name: 'bad', printer });
            assert.equal(r.status, 400, `${JSON.stringify(printer)}: ${r.status} ${r.text}`);
            assert.equal(r.json.error.field, 'printer', r.text);
        }
        const ok = await registerDevice(P.srv, P.tokens.admin, { name: 'fine', printer: '192.168.1.50:9100' });
        assert.equal(ok.status, 201, ok.text);
        assert.equal(ok.json.printer, '192.168.1.50:9100');
    });

    test('a kiosk with a printer prints the ticket: GB18030 service name, number, QR of the tracking URL', async () => {
        const pr = await fakePrinter({ status: 0x12 });
        printers.push(pr);
        const d = await registerDevice(P.srv, P.tokens.admin, { name: 'kiosk-1', printer: pr.address });
        assert.equal(d.status, 201, d.text);
        const r = await api(P.srv, 'POST', '/tickets', { service: 'A' }, { headers: { 'x-device-key': d.json.key } });
        assert.equal(r.status, 201, r.text);
        assert.deepEqual(r.json.print, { ok: true });
        const bytes = await pr.ticket();
        assert.ok(bytes.includes(SERVICE_ZH_GB18030), 'service name in GB18030');
        assert.ok(!bytes.includes(Buffer.from(SERVICE_ZH)), 'not UTF-8');
        const text = new TextDecoder('gb18030').decode(bytes);
        assert.ok(text.includes(r.json.number), `number ${r.json.number} printed`);
        assert.ok(text.includes(SERVICE_ZH), 'decodes back to the service name');
        assert.ok(text.includes('身份证'), 'documents printed');
        assert.equal(escposQrPayload(bytes)?.toString('latin1'), `${PUBLIC_URL}/t/${r.json.id}`, 'QR payload');
        assert.equal(bytes.subarray(-4).toString('hex'), '1d564200', 'ends with a partial cut');
        assert.ok(pr.connections.some((c) => c.toString('hex') === '100404'), 'paper status asked first (DLE EOT 4)');
    });

    test('a file printer gets the same ticket bytes', async () => {
        const f = path.join(P.srv.dir, 'printer-out.bin');
        const d = await registerDevice(P.srv, P.tokens.admin, { name: 'kiosk-file', printer: `file:${f}` });
        assert.equal(d.status, 201, d.text);
        const r = await api(P.srv, 'POST', '/tickets', { service: 'B' }, { headers: { 'x-device-key': d.json.key } });
        assert.equal(r.status, 201, r.text);
        assert.deepEqual(r.json.print, { ok: true });
        const bytes = fs.readFileSync(f);
        assert.equal(bytes.subarray(0, 2).toString('hex'), '1b40', 'ESC @');
        assert.ok(new TextDecoder('gb18030').decode(bytes).includes(r.json.number));
        assert.ok(new TextDecoder('gb18030').decode(bytes).includes('医保业务'));
    });

    test('no printer, no print: a device without one and the public get no "print" member', async () => {
        const d = await registerDevice(P.srv, P.tokens.admin, { name: 'pad-1' });
        assert.equal(d.status, 201, d.text);
        const r = await api(P.srv, 'POST', '/tickets', { service: 'A' }, { headers: { 'x-device-key': d.json.key } });
        assert.equal(r.status, 201, r.text);
        assert.equal(r.json.print, undefined);
        const pub = await api(P.srv, 'POST', '/tickets', { service: 'A' });
        assert.equal(pub.status, 201);
        assert.equal(pub.json.print, undefined);
    });

    test('printer offline: the ticket is still issued (201, print.ok false) and a device.alert is raised', async () => {
        const s = sse(P.srv, { lastEventId: 0 });
        streams.push(s);
        await s.ready;
        const port = await closedPort();
        const d = await registerDevice(P.srv, P.tokens.admin, { name: 'kiosk-off', printer: `127.0.0.1:${port}` });
        assert.equal(d.status, 201, d.text);
        const t0 = Date.now();
        const r = await api(P.srv, 'POST', '/tickets', { service: 'A' }, { headers: { 'x-device-key': d.json.key } });
        assert.equal(r.status, 201, r.text);
        assert.ok(Date.now() - t0 < scale(4000, 8000), `answered in ${Date.now() - t0} ms`);
        assert.equal(r.json.print?.ok, false, r.text);
        assert.match(r.json.print.error, /refused|offline/i);
        assert.match(r.json.number, /^A\d+$/, 'the number to show on screen');
        // the ticket exists, waiting, with its QR code for the screen
        const g = await api(P.srv, 'GET', `/tickets/${r.json.id}`);
        assert.equal(g.status, 200);
        assert.equal(g.json.status, 'waiting');
        const q = await getBytes(P.srv, `/tickets/${r.json.id}/qr.png`);
        assert.deepEqual(zbar(q.body), [`${PUBLIC_URL}/t/${r.json.id}`]);
        const e = await s.waitFor((x) => x.event === 'device.alert' && x.data?.device === 'kiosk-off');
        assert.equal(e.data.problem, 'printer offline');
        assert.ok(!e.raw.includes(r.json.id), 'no ticket id in the event');
        // a second failure within a minute: the ticket still prints nothing, no second alert
        const r2 = await api(P.srv, 'POST', '/tickets', { service: 'A' }, { headers: { 'x-device-key': d.json.key } });
        assert.equal(r2.status, 201);
        assert.equal(r2.json.print.ok, false);
        const mark = await issue(P.srv, { service: 'C' });
        await s.waitFor((x) => x.event === 'ticket.issued' && x.data?.number === mark.number);
        assert.equal(s.events.filter((x) => x.event === 'device.alert' && x.data?.device === 'kiosk-off').length, 1, 'one alert a minute');
    });

    test('paper out (DLE EOT 4 says so): nothing printed, print.ok false, alert "paper out"', async () => {
        const pr = await fakePrinter({ status: 0x60 });
        printers.push(pr);
        const s = sse(P.srv, { lastEventId: 0 });
        streams.push(s);
        await s.ready;
        const d = await registerDevice(P.srv, P.tokens.admin, { name: 'kiosk-paper', printer: pr.address });
        const r = await api(P.srv, 'POST', '/tickets', { service: 'A' }, { headers: { 'x-device-key': d.json.key } });
        assert.equal(r.status, 201, r.text);
        assert.equal(r.json.print.ok, false);
        assert.match(r.json.print.error, /paper/i);
        const e = await s.waitFor((x) => x.event === 'device.alert' && x.data?.device === 'kiosk-paper');
        assert.equal(e.data.problem, 'paper out');
        assert.ok(!pr.connections.some((c) => c[0] === 0x1b), 'no ticket bytes sent');
    });

    test('printing does not hold the hall lock: the hall answers while a printer hangs', async () => {
        const pr = await fakePrinter({ hang: true });
        printers.push(pr);
        const d = await registerDevice(P.srv, P.tokens.admin, { name: 'kiosk-hang', printer: pr.address });
        const t0 = Date.now();
        const issuing = api(P.srv, 'POST', '/tickets', { service: 'A' }, { headers: { 'x-device-key': d.json.key } });
        await new Promise((r) => setTimeout(r, 300));
        // Fresh connections: a pooled keep-alive one may belong to the server thread that is
        // busy printing (the HTTP server runs handlers on its event threads; see the report).
        const t1 = Date.now();
        const body = JSON.stringify({ service: 'B' });
        const other = await P.srv.raw(rawRequest(P.srv, 'POST', '/api/v1/tickets', { 'content-type': 'application/json' }, body));
        const disp = await P.srv.raw(rawRequest(P.srv, 'GET', '/api/v1/display'));
        const quick = Date.now() - t1;
        assert.equal(other.status, 201);
        assert.equal(disp.status, 200);
        const r = await issuing;
        const slow = Date.now() - t0;
        assert.equal(r.status, 201, r.text);
        assert.ok(slow >= 900, `the hanging printer held the kiosk's request ${slow} ms`);
        assert.ok(slow < scale(5000, 10000), `within the print deadline: ${slow} ms`);
        assert.ok(quick < scale(700, 3000), `others were served meanwhile in ${quick} ms`);
        assert.equal(typeof r.json.print?.ok, 'boolean');
    });

    test('devices registered with a printer keep it across a restart', async () => {
        const pr = await fakePrinter();
        printers.push(pr);
        const d = await registerDevice(P.srv, P.tokens.admin, { name: 'kiosk-2', printer: pr.address });
        await P.srv.restart();
        const r = await api(P.srv, 'POST', '/tickets', { service: 'C' }, { headers: { 'x-device-key': d.json.key } });
        assert.equal(r.status, 201, r.text);
        assert.deepEqual(r.json.print, { ok: true });
        const bytes = await pr.ticket();
        assert.ok(new TextDecoder('gb18030').decode(bytes).includes(r.json.number));
    });
});

test('clean stop (voice worker and all) and no sanitizer report in the server logs', async () => {
    for (const s of [srv, P.srv]) {
        const r = await s.stop(); // leaks are reported at exit
        assert.equal(r.code, 0, `exit ${JSON.stringify(r)}: ${s.stderr().slice(-3000)}`);
        assert.ok(!/AddressSanitizer|runtime error|LeakSanitizer/.test(s.stderr()), s.stderr().slice(-3000));
    }
});

// voice.js's queue without a browser: a player that takes 4 s of a fake clock per call said.
describe('voice.js queue (no browser)', () => {
    function harness() {
        let t = 0;
        const started = []; // [{t, calls: ['A001@1', …]}]
        const waiters = [];
        const play = (batch) => new Promise((resolve) => waiters.push({ resolve, ms: 4000 * batch.length }));
        const a = createAnnouncer({ play, now: () => t, onStart: (batch, at) => started.push({ t: at, calls: batch.map((x) => `${x.number}@${x.window}`) }) });
        // finish the announcement playing now: the clock moves by its length
        const finish = async () => {
            const w = waiters.shift();
            assert.ok(w, 'something is playing');
            t += w.ms;
            w.resolve();
            await new Promise((r) => setImmediate(r));
        };
        return { a, started, finish, tick: (ms) => (t += ms), playing: () => waiters.length };
    }
    test('a burst of 12 windows: the first said at once, the other 11 merged into one announcement', async () => {
        const h = harness();
        for (let w = 1; w <= 12; w++) h.a.announce(`A${String(w).padStart(3, '0')}`, w);
        assert.equal(h.started.length, 1);
        assert.deepEqual(h.started[0].calls, ['A001@1']);
        await h.finish();
        assert.equal(h.started.length, 2);
        assert.equal(h.started[1].calls.length, 11);
        assert.equal(h.started[1].t, 4000, 'the last call starts one announcement after the burst');
        await h.finish();
        assert.equal(h.playing(), 0);
        assert.equal(h.a.stats.announcements, 2);
    });
    test('a queued call superseded by a recall or the next call at the same window is dropped', async () => {
        const h = harness();
        h.a.announce('A001', 1); // plays
        h.a.announce('A002', 2); // queued
        h.a.announce('A002', 2); // recall: replaces the queued one
        h.a.announce('A003', 3); // queued
        h.a.announce('A004', 3); // window 3 called the next ticket: A003 is dropped
        assert.deepEqual(h.a.pending().map((x) => `${x.number}@${x.window}`), ['A002@2', 'A004@3']);
        assert.equal(h.a.stats.superseded, 2);
        await h.finish();
        assert.deepEqual(h.started[1].calls, ['A002@2', 'A004@3']);
        await h.finish();
        // once said, a recall is said again
        h.a.announce('A002', 2);
        assert.deepEqual(h.started[2].calls, ['A002@2']);
        await h.finish();
    });
    test('the queue is bounded and a failing player does not stop it', async () => {
        let n = 0;
        const said = [];
        const a = createAnnouncer({ play: async (batch) => { said.push(batch.length); if (n++ === 0) throw new Error('no audio'); }, maxQueue: 5, maxBatch: 3 });
        for (let i = 1; i <= 9; i++) a.announce(`B${String(i).padStart(3, '0')}`, i);
        await new Promise((r) => setTimeout(r, 20));
        // B001 alone (fails), then the last 5 queued in batches of at most 3
        assert.deepEqual(said, [1, 3, 2]);
        assert.equal(a.stats.dropped, 3);
        assert.equal(a.busy(), false);
    });
    test('texts are short: number and window', () => {
        const tx = callTexts('A001', 3);
        assert.equal(tx.zh, 'A001号，请到3号窗口');
        assert.equal(tx.en, 'A001, window 3');
    });
});
