// SPDX-License-Identifier: MIT
// bench.mjs — the node side of `make bench` (bench/run.sh), node built-ins only. Subcommands,
// each against a running server (--url):
//   setup --windows W          services A, W windows serving A with one certified clerk each and a
//                              guide; prints {"guide": token, "clerks": [tokens]} as JSON
//   login --windows W          after a restart on a store setup made: the same tokens again (sessions
//                              live in memory), each window opened again by its clerk
//   fill --n N                 N tickets of service A issued by the guide (--tokens), 32 at a time
//   calls --seconds S          W windows in parallel doing call-next + no-show: call-next per second
//              [--max N]       stop after N calls in all (a known change of the queue)
//   sse --clients N --calls K  N held SSE streams; K calls; latency from sending the call to the
//                              ticket.called event arriving at each stream (median, p99, max)
import http from 'node:http';
import fs from 'node:fs';

const args = Object.fromEntries(process.argv.slice(3).map((a, i, all) => (a.startsWith('--') ? [a.slice(2), all[i + 1]] : null)).filter(Boolean));
const cmd = process.argv[2];
const url = new URL(args.url);
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function req(method, path, body, token) {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const headers = {};
    if (data) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = Buffer.byteLength(data);
    }
    if (token) headers.authorization = `Bearer ${token}`;
    return new Promise((resolve, reject) => {
        const r = http.request({ host: url.hostname, port: url.port, path: '/api/v1' + path, method, headers, agent }, (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (d) => (text += d));
            res.on('end', () => {
                let json = null;
                try {
                    json = JSON.parse(text);
                } catch {
                    /* not JSON */
                }
                resolve({ status: res.statusCode, json, text });
            });
        });
        r.on('error', reject);
        r.end(data);
    });
}
const must = async (p, status) => {
    const r = await p;
    if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${r.text}`);
    return r.json;
};
const pct = (xs, p) => {
    if (!xs.length) return NaN;
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const hr = () => Number(process.hrtime.bigint()) / 1e6; // ms, monotonic

async function setup() {
    const W = Number(args.windows || 16);
    const admin = (await must(req('POST', '/auth/login', { username: 'admin', password: args.password }), 200)).token;
    await req('PUT', '/hall', { hours: null }, admin);
    await must(req('POST', '/services', { code: 'A', name: '综合业务', name_en: 'General', avg_service_s: 300 }, admin), 201);
    await must(req('POST', '/staff', { username: 'guide', name: 'guide', role: 'guide', password: 'guide-pass-123' }, admin), 201);
    const guide = (await must(req('POST', '/auth/login', { username: 'guide', password: 'guide-pass-123' }), 200)).token;
    const clerks = [];
    for (let w = 1; w <= W; w++) {
        await must(req('POST', '/windows', { number: w, name: `${w}号窗口`, services: ['A'] }, admin), 201);
        const u = `clerk${w}`;
        await must(req('POST', '/staff', { username: u, name: u, role: 'clerk', password: `${u}-pass-123`, certifications: [{ service: 'A', expires_on: '2099-12-31' }] }, admin), 201);
        const t = (await must(req('POST', '/auth/login', { username: u, password: `${u}-pass-123` }), 200)).token;
        await must(req('POST', `/windows/${w}/open`, undefined, t), 200);
        clerks.push(t);
    }
    process.stdout.write(JSON.stringify({ guide, clerks }) + '\n');
}

async function login() {
    const W = Number(args.windows || 16);
    const guide = (await must(req('POST', '/auth/login', { username: 'guide', password: 'guide-pass-123' }), 200)).token;
    const clerks = [];
    for (let w = 1; w <= W; w++) {
        const u = `clerk${w}`;
        const t = (await must(req('POST', '/auth/login', { username: u, password: `${u}-pass-123` }), 200)).token;
        await must(req('POST', `/windows/${w}/open`, undefined, t), 200);
        clerks.push(t);
    }
    process.stdout.write(JSON.stringify({ guide, clerks }) + '\n');
}

async function fill() {
    const { guide } = JSON.parse(fs.readFileSync(args.tokens, 'utf8'));
    const N = Number(args.n || 1000);
    let issued = 0;
    await Promise.all(Array.from({ length: 32 }, async () => {
        while (issued < N) {
            issued++;
            await must(req('POST', '/tickets', { service: 'A', category: 'normal', channel: 'guide' }, guide), 201);
        }
    }));
}

async function calls() {
    const { clerks } = JSON.parse(fs.readFileSync(args.tokens, 'utf8'));
    const S = Number(args.seconds || 10);
    const max = Number(args.max || Infinity);
    const lat = [];
    let n = 0;
    let empty = 0;
    const t0 = hr();
    const end = t0 + S * 1000;
    await Promise.all(clerks.map(async (tk, i) => {
        const w = i + 1;
        while (hr() < end && n < max) {
            const a = hr();
            const r = await req('POST', `/windows/${w}/call-next`, undefined, tk);
            if (r.status !== 200) throw new Error(`call-next: ${r.status} ${r.text}`);
            lat.push(hr() - a);
            if (!r.json.ticket) {
                empty++;
                break;
            }
            n++;
            const f = await req('POST', `/windows/${w}/no-show`, undefined, tk);
            if (f.status !== 200) throw new Error(`no-show: ${f.status} ${f.text}`);
        }
    }));
    const s = (hr() - t0) / 1000;
    console.log(`calls_total ${n}`);
    console.log(`calls_per_s ${Math.round(n / s)}`);
    console.log(`calls_requests_per_s ${Math.round((2 * n) / s)}`);
    console.log(`calls_p50_ms ${pct(lat, 50).toFixed(2)}`);
    console.log(`calls_p99_ms ${pct(lat, 99).toFixed(2)}`);
    if (empty) console.log(`calls_ran_dry ${empty}`);
}

async function sseLatency() {
    const N = Number(args.clients || 1000);
    const K = Number(args.calls || 20);
    const { clerks, guide } = JSON.parse(fs.readFileSync(args.tokens, 'utf8'));
    const tk = clerks[0];
    // a few tickets to call
    for (let i = 0; i < K; i++) await must(req('POST', '/tickets', { service: 'A', category: 'normal', channel: 'guide' }, guide), 201);
    const arrivals = new Map(); // number -> [arrival times, ms]
    let connected = 0;
    let failed = 0;
    const socks = [];
    await new Promise((resolve) => {
        let pending = N;
        const one = () => {
            const r = http.get({ host: url.hostname, port: url.port, path: '/api/v1/events', agent: false, headers: { accept: 'text/event-stream' } }, (res) => {
                if (res.statusCode !== 200) failed++;
                else connected++;
                if (--pending === 0) resolve();
                res.setEncoding('utf8');
                let buf = '';
                res.on('data', (d) => {
                    const t = hr();
                    buf += d;
                    let k;
                    while ((k = buf.indexOf('\n\n')) >= 0) {
                        const ev = buf.slice(0, k);
                        buf = buf.slice(k + 2);
                        if (!ev.includes('event: ticket.called') && !ev.includes('event:ticket.called')) continue;
                        const m = /"number"\s*:\s*"([A-Z]+\d+)"/.exec(ev);
                        if (!m) continue;
                        if (!arrivals.has(m[1])) arrivals.set(m[1], []);
                        arrivals.get(m[1]).push(t);
                    }
                });
                res.on('error', () => {});
            });
            r.on('error', () => {
                failed++;
                if (--pending === 0) resolve();
            });
            socks.push(r);
        };
        // connect in bursts so the listen backlog is not overrun
        let i = 0;
        const burst = () => {
            for (let j = 0; j < 200 && i < N; j++, i++) one();
            if (i < N) setTimeout(burst, 20);
        };
        burst();
    });
    await new Promise((r) => setTimeout(r, 500));
    const all = [];
    let missing = 0;
    for (let c = 0; c < K; c++) {
        const t = hr();
        const r = await req('POST', '/windows/1/call-next', undefined, tk);
        if (r.status !== 200 || !r.json.ticket) throw new Error(`call-next: ${r.status} ${r.text}`);
        const num = r.json.ticket.number;
        // events may arrive before the response: they are kept by number, timed from the send
        const got = () => arrivals.get(num) || [];
        const deadline = hr() + 10000;
        while (got().length < connected && hr() < deadline) await new Promise((res) => setTimeout(res, 5));
        missing += connected - got().length;
        all.push(...got().map((a) => a - t));
        await must(req('POST', '/windows/1/no-show', undefined, tk), 200);
        await new Promise((res) => setTimeout(res, 100));
    }
    socks.forEach((s) => s.destroy());
    console.log(`sse_clients ${connected}`);
    console.log(`sse_failed ${failed}`);
    console.log(`sse_deliveries ${all.length}`);
    console.log(`sse_missing ${missing}`);
    console.log(`sse_p50_ms ${pct(all, 50).toFixed(2)}`);
    console.log(`sse_p99_ms ${pct(all, 99).toFixed(2)}`);
    console.log(`sse_max_ms ${Math.max(...all).toFixed(2)}`);
}

const cmds = { setup, login, fill, calls, sse: sseLatency };
cmds[cmd]()
    .then(() => {
        agent.destroy();
        process.exit(0);
    })
    .catch((e) => {
        console.error(`bench.mjs ${cmd}: ${e.stack || e}`);
        process.exit(1);
    });
