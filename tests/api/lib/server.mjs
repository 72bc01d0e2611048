// SPDX-License-Identifier: MIT
// server.mjs — helpers for the end-to-end tests: start the real `hallq serve` on a free port with
// a fresh database (init, then serve), talk to it over real sockets (fetch, raw TCP, SSE), and set
// up a small hall (services A/B/C, windows 1-3, clerks, a guide and a manager). Every server
// started here is killed when the test process ends, also when a test fails.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { contractOf } from './contract.mjs';

export const SRC = process.env.HQ_SRC || path.resolve(new URL('../../..', import.meta.url).pathname);
export const BIN = process.env.HALLQ_BIN || path.join(SRC, 'build', 'hallq');
export const SANITIZE = /^(1|on|true|yes)$/i.test(process.env.HQ_SANITIZE || '');
/** Scale a count down under the sanitizer build (slower server). */
export const scale = (n, asanN) => (SANITIZE ? asanN : n);
export const ADMIN_PASSWORD = 'admin-pass-123';
export const BASE = '/api/v1';
const START_TIMEOUT_MS = SANITIZE ? 60000 : 20000;

const live = new Set();
process.on('exit', () => {
    for (const c of live) {
        try {
            c.kill('SIGKILL');
        } catch {
            /* already gone */
        }
    }
});

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function waitExit(child, ms) {
    return new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
            resolve({ code: child.exitCode, signal: child.signalCode });
            return;
        }
        const t = setTimeout(() => resolve(null), ms);
        child.once('exit', (code, signal) => {
            clearTimeout(t);
            resolve({ code, signal });
        });
    });
}

/**
 * Start a server on a fresh database. Returns an object with url, db, dir, stderr() (everything
 * the server wrote on stderr so far, all runs), stop(), kill9(), restart(), and the request
 * helpers api/login/raw bound to the current url.
 */
export async function startServer(opts = {}) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hallq-e2e-'));
    const db = opts.db || path.join(dir, 'hallq.db'); // a file, or a postgresql:// URL
    const env = { ...process.env, HALLQ_ADMIN_PASSWORD: ADMIN_PASSWORD, ...(opts.env || {}) };
    const init = spawnSync(BIN, ['init', '--db', db], { env, encoding: 'utf8', timeout: 60000 });
    if (init.status !== 0)
        throw new Error(`hallq init failed (${init.status}): ${init.stderr}${init.stdout}`);
    const srv = {
        dir,
        db,
        url: null,
        child: null,
        errlog: [],
        outlog: [],
        stderr() {
            return this.errlog.join('');
        },
    };

    srv.launch = () =>
        new Promise((resolve, reject) => {
            const child = spawn(BIN, ['serve', '--db', db, '--listen', '127.0.0.1:0', ...(opts.args || [])], {
                env,
                stdio: ['ignore', 'pipe', 'pipe'],
            });
            live.add(child);
            srv.child = child;
            let out = '';
            let done = false;
            const timer = setTimeout(() => {
                if (done) return;
                done = true;
                child.kill('SIGKILL');
                reject(new Error(`server did not print its URL within ${START_TIMEOUT_MS} ms: ${out} ${srv.stderr().slice(-2000)}`));
            }, START_TIMEOUT_MS);
            child.stdout.setEncoding('utf8');
            child.stderr.setEncoding('utf8');
            child.stderr.on('data', (d) => srv.errlog.push(d));
            child.stdout.on('data', (d) => {
                srv.outlog.push(d);
                out += d;
                const m = /hallq: serving (http:\/\/[^\s]+)/.exec(out);
                if (m && !done) {
                    done = true;
                    clearTimeout(timer);
                    srv.url = m[1].replace(/\/$/, '');
                    resolve(srv);
                }
            });
            child.on('exit', (code, signal) => {
                live.delete(child);
                if (!done) {
                    done = true;
                    clearTimeout(timer);
                    reject(new Error(`server exited (${code ?? signal}) before ready: ${srv.stderr().slice(-2000)}`));
                }
            });
        });

    /** SIGTERM; resolves with {code, signal, ms}; SIGKILLs after 10 s (+ slack under ASan). */
    srv.stop = async () => {
        const c = srv.child;
        if (!c || c.exitCode !== null || c.signalCode !== null) return { code: c?.exitCode, signal: c?.signalCode, ms: 0 };
        const t0 = Date.now();
        c.kill('SIGTERM');
        let r = await waitExit(c, SANITIZE ? 20000 : 10000);
        if (!r) {
            c.kill('SIGKILL');
            r = await waitExit(c, 5000);
            return { ...r, ms: Date.now() - t0, killed: true };
        }
        return { ...r, ms: Date.now() - t0 };
    };
    srv.kill9 = async () => {
        const c = srv.child;
        if (!c || c.exitCode !== null || c.signalCode !== null) return;
        c.kill('SIGKILL');
        await waitExit(c, 10000);
    };
    srv.restart = async ({ kill = false } = {}) => {
        if (kill) await srv.kill9();
        else await srv.stop();
        await srv.launch();
        return srv;
    };
    /** Stop with SIGTERM and check the stop was clean: exit 0 within the time, no sanitizer report. */
    srv.cleanup = async () => {
        const r = await srv.stop();
        const log = srv.stderr();
        if (!process.env.HQ_KEEP_TMP) fs.rmSync(dir, { recursive: true, force: true });
        const report = /(AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:)[^\n]*/.exec(log);
        if (report) throw new Error(`sanitizer report in the server log: ${report[0]}\n${log.slice(Math.max(0, report.index - 200), report.index + 3000)}`);
        if (r.killed) throw new Error(`the server did not stop within ${SANITIZE ? 20 : 10} s of SIGTERM`);
        if (r.code !== 0) throw new Error(`the server exited with ${r.code ?? r.signal} after SIGTERM: ${log.slice(-1500)}`);
    };
    srv.api = (method, p, body, o) => api(srv, method, p, body, o);
    srv.login = (u, pw) => login(srv, u, pw);
    srv.raw = (data, o) => raw(srv, data, o);
    await srv.launch();
    return srv;
}

/**
 * One API request. path is relative to /api/v1 unless it starts with "/api/" or "/metrics".
 * body: undefined (none), a string or Buffer (sent as is), or a value (JSON). Options: token
 * (Bearer), headers, cookie. Returns {status, json, text, headers}. Every answer is checked
 * against the served OpenAPI document (contract.mjs): an undocumented status or a body its
 * schema rejects throws. HQ_CONTRACT=0 turns the check off (only to debug something else).
 */
export async function api(srv, method, p, body, { token, headers = {}, cookie } = {}) {
    const url = srv.url + (p.startsWith('/api/') || p.startsWith('/metrics') || p === '/' ? p : BASE + p);
    const h = { ...headers };
    if (token) h.authorization = `Bearer ${token}`;
    if (cookie) h.cookie = cookie;
    let payload;
    if (body !== undefined) {
        payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
        if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type'))
            h['content-type'] = 'application/json; charset=utf-8';
    }
    const res = await fetch(url, { method, headers: h, body: payload });
    const text = await res.text();
    let json = null;
    try {
        json = text ? JSON.parse(text) : null;
    } catch {
        json = null;
    }
    if (process.env.HQ_CONTRACT !== '0')
        (await contractOf(srv.url)).assert(method, url, res.status, res.headers.get('content-type'), json, text);
    return { status: res.status, json, text, headers: res.headers };
}

/** Log in; returns the token (asserts 200). */
export async function login(srv, username, password) {
    const r = await api(srv, 'POST', '/auth/login', { username, password });
    assert.equal(r.status, 200, `login ${username}: ${r.status} ${r.text}`);
    assert.equal(typeof r.json.token, 'string');
    return r.json.token;
}

/** Assert the API.md error shape: status, {"error":{"code","message","field"?}}. */
export function assertError(r, status, code, field) {
    const what = `${r.status} ${r.text?.slice(0, 300)}`;
    if (Array.isArray(status)) assert.ok(status.includes(r.status), `status in ${status}: ${what}`);
    else assert.equal(r.status, status, `status: ${what}`);
    assert.ok(r.json && typeof r.json === 'object' && r.json.error, `error body: ${what}`);
    if (Array.isArray(code)) assert.ok(code.includes(r.json.error.code), `code in ${code}: ${what}`);
    else if (code) assert.equal(r.json.error.code, code, `code: ${what}`);
    assert.equal(typeof r.json.error.message, 'string', `message: ${what}`);
    assert.ok(r.json.error.message.length > 0, `message not empty: ${what}`);
    if (field !== undefined) assert.equal(r.json.error.field, field, `field: ${what}`);
    const ct = r.headers?.get ? r.headers.get('content-type') : r.headers?.['content-type'];
    if (ct !== undefined && ct !== null) assert.match(ct, /^application\/json/, `content-type: ${what}`);
}

/** Accept either a bare array or {key:[…]} (or {items:[…]}) for list responses. */
export function list(json, key) {
    if (Array.isArray(json)) return json;
    if (json && Array.isArray(json[key])) return json[key];
    if (json && Array.isArray(json.items)) return json.items;
    throw new Error(`not a list (${key}): ${JSON.stringify(json)?.slice(0, 200)}`);
}

/**
 * Raw HTTP/1.1 over a TCP socket, for what fetch cannot send (invalid bytes, a Content-Length
 * that is never honoured, truncated bodies). data: string or Buffer of the whole request.
 * Resolves with {status, headers, text, json} as soon as one full response has arrived (or the
 * connection closed), without waiting for the server to read anything more.
 */
export function raw(srv, data, { timeout = 15000, endAfterWrite = false } = {}) {
    const u = new URL(srv.url);
    return new Promise((resolve, reject) => {
        const sock = net.connect(Number(u.port), u.hostname);
        let buf = Buffer.alloc(0);
        let finished = false;
        const timer = setTimeout(() => finish(new Error('raw request: timeout')), timeout);
        function finish(err) {
            if (finished) return;
            finished = true;
            clearTimeout(timer);
            sock.destroy();
            if (err) {
                reject(err);
                return;
            }
            resolve(parseResponse(buf));
        }
        function complete() {
            const i = buf.indexOf('\r\n\r\n');
            if (i < 0) return false;
            const head = buf.subarray(0, i).toString('latin1');
            const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
            if (m) return buf.length >= i + 4 + Number(m[1]);
            if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) return buf.subarray(i + 4).includes('\r\n0\r\n\r\n') || buf.subarray(i + 4).indexOf('0\r\n\r\n') === 0;
            return false;
        }
        sock.on('data', (d) => {
            buf = Buffer.concat([buf, d]);
            if (complete()) finish();
        });
        sock.on('error', (e) => {
            if (buf.length) finish();
            else finish(e);
        });
        sock.on('close', () => finish(buf.length ? undefined : new Error('raw request: closed without a response')));
        sock.on('connect', () => {
            sock.write(data);
            if (endAfterWrite) sock.end();
        });
    });
}

function parseResponse(buf) {
    const i = buf.indexOf('\r\n\r\n');
    const head = (i < 0 ? buf : buf.subarray(0, i)).toString('latin1');
    let body = i < 0 ? Buffer.alloc(0) : buf.subarray(i + 4);
    const lines = head.split('\r\n');
    const status = Number(/^HTTP\/1\.\d (\d{3})/.exec(lines[0])?.[1] || 0);
    const headers = {};
    for (const l of lines.slice(1)) {
        const k = l.indexOf(':');
        if (k > 0) headers[l.slice(0, k).trim().toLowerCase()] = l.slice(k + 1).trim();
    }
    if (/chunked/i.test(headers['transfer-encoding'] || '')) {
        const parts = [];
        let rest = body;
        for (;;) {
            const e = rest.indexOf('\r\n');
            if (e < 0) break;
            const n = parseInt(rest.subarray(0, e).toString(), 16);
            if (!n) break;
            parts.push(rest.subarray(e + 2, e + 2 + n));
            rest = rest.subarray(e + 2 + n + 2);
        }
        body = Buffer.concat(parts);
    } else if (headers['content-length']) body = body.subarray(0, Number(headers['content-length']));
    const text = body.toString('utf8');
    let json = null;
    try {
        json = JSON.parse(text);
    } catch {
        json = null;
    }
    return { status, headers, text, json };
}

/** Build a raw request: method, path (full), headers object, body (string/Buffer or undefined). */
export function rawRequest(srv, method, p, headers = {}, body) {
    const u = new URL(srv.url);
    const b = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
    const h = { host: u.host, connection: 'close', ...headers };
    if (b && h['content-length'] === undefined) h['content-length'] = String(b.length);
    const head = `${method} ${p} HTTP/1.1\r\n` + Object.entries(h).map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n';
    return b ? Buffer.concat([Buffer.from(head, 'latin1'), b]) : Buffer.from(head, 'latin1');
}

/**
 * A Server-Sent Events client over a raw http request. events: [{id, event, data (parsed),
 * raw}]; text: everything received. waitFor(pred, ms) resolves with the first event matching.
 */
export function sse(srv, { lastEventId, headers = {} } = {}) {
    const u = new URL(srv.url + BASE + '/events');
    const h = { accept: 'text/event-stream', ...headers };
    if (lastEventId !== undefined) h['last-event-id'] = String(lastEventId);
    const c = { events: [], text: '', status: 0, headers: null, closed: false, comments: [] };
    const waiters = [];
    // every event is checked against the document's x-events (contract.mjs); a mismatch fails the
    // test file with the event named
    let contract = null;
    const unchecked = [];
    const checkEvent = (ev) => {
        if (process.env.HQ_CONTRACT === '0') return;
        if (!contract) return void unchecked.push(ev);
        const bad = contract.checkEvent(ev.event, ev.data);
        if (bad) process.nextTick(() => {
            throw new Error(`API contract: ${bad}`);
        });
    };
    contractOf(srv.url).then((k) => {
        contract = k;
        for (const ev of unchecked.splice(0)) checkEvent(ev);
    });
    let pending = '';
    let cur = { data: [] };
    function dispatch() {
        if (cur.data.length || cur.event || cur.id) {
            let data = cur.data.join('\n');
            let parsed = data;
            try {
                parsed = JSON.parse(data);
            } catch {
                /* keep text */
            }
            const ev = { id: cur.id, event: cur.event || 'message', data: parsed, raw: data };
            c.events.push(ev);
            checkEvent(ev);
            for (const w of [...waiters]) {
                if (w.pred(ev)) {
                    waiters.splice(waiters.indexOf(w), 1);
                    clearTimeout(w.timer);
                    w.resolve(ev);
                }
            }
        }
        cur = { data: [] };
    }
    c.ready = new Promise((resolve, reject) => {
        c.req = http.get({ host: u.hostname, port: u.port, path: u.pathname, headers: h, agent: false }, (res) => {
            c.status = res.statusCode;
            c.headers = res.headers;
            res.setEncoding('utf8');
            resolve(c);
            res.on('data', (d) => {
                c.text += d;
                pending += d;
                let k;
                while ((k = pending.search(/\r\n|\n|\r/)) >= 0) {
                    const line = pending.slice(0, k);
                    pending = pending.slice(k + (pending[k] === '\r' && pending[k + 1] === '\n' ? 2 : 1));
                    if (line === '') dispatch();
                    else if (line.startsWith(':')) c.comments.push(line);
                    else {
                        const j = line.indexOf(':');
                        const f = j < 0 ? line : line.slice(0, j);
                        let v = j < 0 ? '' : line.slice(j + 1);
                        if (v.startsWith(' ')) v = v.slice(1);
                        if (f === 'data') cur.data.push(v);
                        else if (f === 'event') cur.event = v;
                        else if (f === 'id') cur.id = v;
                    }
                }
            });
            res.on('end', () => {
                c.closed = true;
            });
            res.on('error', () => {
                c.closed = true;
            });
        });
        c.req.on('error', (e) => {
            c.closed = true;
            reject(e);
        });
    });
    c.waitFor = (pred, ms = 10000) => {
        const found = c.events.find(pred);
        if (found) return Promise.resolve(found);
        return new Promise((resolve, reject) => {
            const w = { pred, resolve };
            w.timer = setTimeout(() => {
                waiters.splice(waiters.indexOf(w), 1);
                reject(new Error(`SSE: no matching event within ${ms} ms; got ${c.events.map((e) => `${e.id}:${e.event}`).slice(-20).join(' ')}`));
            }, ms);
            waiters.push(w);
        });
    };
    c.close = () => {
        c.closed = true;
        c.req?.destroy();
    };
    return c;
}

// The complete events in a raw stream's text, as {id, event, raw}: an event cut off by the end of
// the text is discarded, as EventSource does; only events with an id count.
export function parseEvents(text) {
    const out = [];
    for (const block of text.split('\n\n').slice(0, -1)) {
        const ev = { data: [] };
        for (const line of block.split('\n')) {
            if (line.startsWith('id: ')) ev.id = line.slice(4);
            else if (line.startsWith('event: ')) ev.event = line.slice(7);
            else if (line.startsWith('data: ')) ev.data.push(line.slice(6));
        }
        if (ev.id !== undefined) out.push({ id: ev.id, event: ev.event, raw: ev.data.join('\n') });
    }
    return out;
}

/** Check SSE ids: numeric, strictly increasing; with contiguous, each is the previous + 1. */
export function assertIds(events, { contiguous = false, after } = {}) {
    let prev = after;
    for (const e of events) {
        assert.match(String(e.id), /^\d+$/, `event id numeric: ${JSON.stringify(e)}`);
        const n = Number(e.id);
        if (prev !== undefined) {
            assert.ok(n > prev, `ids strictly increasing: ${prev} then ${n}`);
            if (contiguous) assert.equal(n, prev + 1, `ids contiguous: ${prev} then ${n}`);
        }
        prev = n;
    }
}

export const PASSWORDS = {
    clerk1: 'clerk1-pass-123',
    clerk2: 'clerk2-pass-123',
    guide1: 'guide1-pass-123',
    manager1: 'manager1-pass-123',
};

export const SERVICES = [
    { code: 'A', name: '社保业务', name_en: 'Social security', avg_service_s: 300, documents: ['身份证'], daily_quota: 0, enabled: true },
    { code: 'B', name: '医保业务', name_en: 'Medical insurance', avg_service_s: 240, documents: ['身份证', '医保卡'], daily_quota: 0, enabled: true },
    { code: 'C', name: '公积金', name_en: 'Housing fund', avg_service_s: 180, documents: [], daily_quota: 0, enabled: true },
];
export const WINDOWS = [
    { number: 1, name: '1号窗口', services: ['A', 'B'] },
    { number: 2, name: '2号窗口', services: ['B', 'A'] },
    { number: 3, name: '3号窗口', services: ['C'] },
];

/** Create services A/B/C, windows 1-3 and staff; returns tokens {admin, clerk1, clerk2, guide1, manager1}. */
export async function setupHall(srv, adminToken) {
    const admin = adminToken || (await login(srv, 'admin', ADMIN_PASSWORD));
    // A hall with no hours is always open (API.md); make sure init did not set any.
    await api(srv, 'PUT', '/hall', { hours: null }, { token: admin });
    for (const s of SERVICES) {
        const r = await api(srv, 'POST', '/services', s, { token: admin });
        assert.equal(r.status, 201, `create service ${s.code}: ${r.status} ${r.text}`);
    }
    for (const w of WINDOWS) {
        const r = await api(srv, 'POST', '/windows', w, { token: admin });
        assert.equal(r.status, 201, `create window ${w.number}: ${r.status} ${r.text}`);
    }
    const far = '2099-12-31';
    const staff = [
        { username: 'clerk1', name: '张三', role: 'clerk', certifications: [{ service: 'A', expires_on: far }, { service: 'B', expires_on: far }] },
        { username: 'clerk2', name: '李四', role: 'clerk', certifications: [{ service: 'A', expires_on: far }, { service: 'B', expires_on: far }] },
        { username: 'guide1', name: '王五', role: 'guide', certifications: [] },
        { username: 'manager1', name: '赵六', role: 'manager', certifications: [] },
    ];
    for (const s of staff) {
        const r = await api(srv, 'POST', '/staff', { ...s, password: PASSWORDS[s.username] }, { token: admin });
        assert.equal(r.status, 201, `create staff ${s.username}: ${r.status} ${r.text}`);
    }
    const tokens = { admin };
    await Promise.all(Object.keys(PASSWORDS).map(async (u) => (tokens[u] = await login(srv, u, PASSWORDS[u]))));
    return tokens;
}

/** Start a server, set up the hall, and register its cleanup with node:test's after(). */
export async function hall(after, opts) {
    const srv = await startServer(opts);
    after(() => srv.cleanup());
    const tokens = await setupHall(srv);
    return { srv, tokens };
}

/** Issue a ticket (asserts 201). */
export async function issue(srv, body, token) {
    const r = await api(srv, 'POST', '/tickets', { category: 'normal', channel: token ? 'guide' : 'kiosk', ...body }, { token });
    assert.equal(r.status, 201, `issue ${JSON.stringify(body)}: ${r.status} ${r.text}`);
    return r.json;
}

/** A window action (asserts 200 unless expect is given). */
export async function act(srv, n, action, token, body, expect = 200) {
    const r = await api(srv, 'POST', `/windows/${n}/${action}`, body, { token });
    assert.equal(r.status, expect, `window ${n} ${action}: ${r.status} ${r.text}`);
    return r.json;
}

/** Take a GET snapshot of the hall (for "a refused request changes nothing"). */
export async function snapshot(srv, token) {
    const strip = (t) => {
        const { estimated_wait_s, ...rest } = t; // eslint-disable-line no-unused-vars
        return rest;
    };
    const get = async (p, tk) => {
        const r = await api(srv, 'GET', p, undefined, { token: tk });
        return r.status === 200 ? r.json : { status: r.status };
    };
    const tickets = await get('/tickets', token);
    const display = await get('/display');
    return {
        services: await get('/services'),
        windows: await get('/windows'),
        staff: await get('/staff', token),
        hall: await get('/hall'),
        tickets: Array.isArray(tickets) ? tickets.map(strip) : Array.isArray(tickets?.tickets) ? tickets.tickets.map(strip) : tickets,
        display: { calls: display?.calls, waiting: display?.waiting, notices: display?.notices },
    };
}
