// SPDX-License-Identifier: MIT
// media_helpers.mjs — helpers for the media end-to-end tests: binary GETs, a fake thermal printer
// on loopback that records every connection's bytes (and answers DLE EOT 4 status queries as told),
// a port where nobody listens, WAV parsing with an RMS loudness check, ESC/POS QR payload
// extraction, and the real decoders (zbarimg, pdftotext) run on temporary files.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { contractOf } from './contract.mjs';

/** GET a path (relative to /api/v1 unless absolute) as bytes: {status, headers, body (Buffer), ms}. */
export async function getBytes(srv, p, headers = {}) {
    const url = srv.url + (p.startsWith('/api/') ? p : '/api/v1' + p);
    const t0 = Date.now();
    const res = await fetch(url, { headers });
    const body = Buffer.from(await res.arrayBuffer());
    const ms = Date.now() - t0;
    const text = body.toString('utf8');
    if (process.env.HQ_CONTRACT !== '0') {
        // checked against the served document like every api() answer (status, type, JSON errors)
        const ct = res.headers.get('content-type');
        let json = null;
        if (/^application\/json/.test(ct || ''))
            try {
                json = JSON.parse(text);
            } catch {
                json = null;
            }
        (await contractOf(srv.url)).assert('GET', url, res.status, ct, json, text);
    }
    return { status: res.status, headers: res.headers, body, ms, text };
}

/**
 * A fake network printer on 127.0.0.1 (random port). Every connection's bytes are recorded in
 * printer.connections (Buffers, in order of closing). status: the byte answered to DLE EOT 4
 * (0x12 = paper fine, 0x60 = paper out), or null to never answer. hang: accept and never read.
 */
export async function fakePrinter({ status = 0x12, hang = false } = {}) {
    const p = { connections: [], sockets: new Set(), waiters: [] };
    p.server = net.createServer((sock) => {
        p.sockets.add(sock);
        if (hang) {
            sock.pause();
            return;
        }
        let buf = Buffer.alloc(0);
        sock.on('data', (d) => {
            buf = Buffer.concat([buf, d]);
            // DLE EOT 4: real-time status request (paper sensor)
            if (status !== null && buf.length === 3 && buf[0] === 0x10 && buf[1] === 0x04 && buf[2] === 0x04) sock.write(Buffer.from([status]));
        });
        const done = () => {
            if (sock._recorded) return;
            sock._recorded = true;
            p.sockets.delete(sock);
            p.connections.push(buf);
            for (const w of [...p.waiters]) if (w.pred(buf)) {
                p.waiters.splice(p.waiters.indexOf(w), 1);
                w.resolve(buf);
            }
        };
        sock.on('end', () => {
            sock.end();
            done();
        });
        sock.on('close', done);
        sock.on('error', () => {});
    });
    await new Promise((r) => p.server.listen(0, '127.0.0.1', r));
    p.port = p.server.address().port;
    p.address = `127.0.0.1:${p.port}`;
    /** The first recorded connection whose bytes start with ESC @ (a ticket), waiting up to ms. */
    p.ticket = (ms = 5000) => {
        const isTicket = (b) => b.length > 2 && b[0] === 0x1b && b[1] === 0x40;
        const found = p.connections.find(isTicket);
        if (found) return Promise.resolve(found);
        return new Promise((resolve, reject) => {
            const w = { pred: isTicket, resolve };
            p.waiters.push(w);
            setTimeout(() => reject(new Error(`fake printer: no ticket within ${ms} ms (${p.connections.length} connections)`)), ms);
        });
    };
    p.close = () => {
        for (const s of p.sockets) s.destroy();
        return new Promise((r) => p.server.close(() => r()));
    };
    return p;
}

/** A loopback port nobody listens on (bound, then closed). */
export async function closedPort() {
    const s = net.createServer();
    await new Promise((r) => s.listen(0, '127.0.0.1', r));
    const port = s.address().port;
    await new Promise((r) => s.close(r));
    return port;
}

/** Parse a RIFF/WAVE buffer: {channels, rate, bits, pcm (Buffer), seconds, rms}. Throws if not WAV. */
export function parseWav(buf) {
    if (buf.length < 44 || buf.toString('latin1', 0, 4) !== 'RIFF' || buf.toString('latin1', 8, 12) !== 'WAVE')
        throw new Error(`not RIFF/WAVE: ${buf.subarray(0, 16).toString('hex')}`);
    let off = 12;
    let fmt = null;
    let pcm = null;
    while (off + 8 <= buf.length) {
        const id = buf.toString('latin1', off, off + 4);
        const size = buf.readUInt32LE(off + 4);
        const body = buf.subarray(off + 8, Math.min(buf.length, off + 8 + size));
        if (id === 'fmt ') fmt = { format: body.readUInt16LE(0), channels: body.readUInt16LE(2), rate: body.readUInt32LE(4), bits: body.readUInt16LE(14) };
        else if (id === 'data') pcm = body;
        off += 8 + size + (size & 1);
    }
    if (!fmt || !pcm) throw new Error('WAV without fmt or data chunk');
    const frames = pcm.length / (fmt.channels * (fmt.bits / 8));
    let sum = 0;
    const n = Math.floor(pcm.length / 2);
    for (let i = 0; i < n; i++) {
        const v = pcm.readInt16LE(i * 2);
        sum += v * v;
    }
    return { ...fmt, pcm, seconds: frames / fmt.rate, rms: Math.sqrt(sum / Math.max(1, n)) };
}

/**
 * The QR payload of an ESC/POS stream: the data of GS ( k cn=49 fn=80 m=48 (store), or null.
 */
export function escposQrPayload(buf) {
    for (let i = 0; i + 8 <= buf.length; i++) {
        if (buf[i] === 0x1d && buf[i + 1] === 0x28 && buf[i + 2] === 0x6b && buf[i + 5] === 0x31 && buf[i + 6] === 0x50 && buf[i + 7] === 0x30) {
            const n = buf[i + 3] + buf[i + 4] * 256 - 3;
            return buf.subarray(i + 8, i + 8 + n);
        }
    }
    return null;
}

function tmpFile(buf, ext) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hallq-media-'));
    const f = path.join(dir, 'x.' + ext);
    fs.writeFileSync(f, buf);
    return { f, done: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Decode the QR codes in an image with zbarimg: array of payload strings. */
export function zbar(png) {
    const { f, done } = tmpFile(png, 'png');
    try {
        const r = spawnSync('zbarimg', ['--raw', '-q', f], { encoding: 'utf8', timeout: 30000 });
        if (r.error) throw r.error;
        if (r.status !== 0) throw new Error(`zbarimg exit ${r.status}: ${r.stderr}`);
        return r.stdout.split('\n').filter((l) => l.length);
    } finally {
        done();
    }
}

/** The text of a PDF, through pdftotext (UTF-8). */
export function pdfText(pdf) {
    const { f, done } = tmpFile(pdf, 'pdf');
    try {
        const r = spawnSync('pdftotext', ['-enc', 'UTF-8', f, '-'], { encoding: 'utf8', timeout: 30000 });
        if (r.error) throw r.error;
        if (r.status !== 0) throw new Error(`pdftotext exit ${r.status}: ${r.stderr}`);
        return r.stdout;
    } finally {
        done();
    }
}

/**
 * Environment for a server that renders PDFs under the sanitizer build: cairo 1.16 leaks while
 * subsetting fonts and fontconfig keeps its configuration (docs/MEDIA.md), so those exact stacks
 * are suppressed (full unwinding so they can be matched). Anything else is still reported.
 */
export function sanitizerEnv() {
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hallq-lsan-')), 'lsan.supp');
    fs.writeFileSync(f, 'leak:cairo_surface_finish\nleak:cairo_toy_font_face_create\nleak:FcInitLoadConfigAndFonts\n');
    const asan = process.env.ASAN_OPTIONS ? process.env.ASAN_OPTIONS + ':' : '';
    return { LSAN_OPTIONS: `suppressions=${f}`, ASAN_OPTIONS: `${asan}fast_unwind_on_malloc=0` };
}
