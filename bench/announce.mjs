// SPDX-License-Identifier: MIT
// announce.mjs — `make bench`: how late the hall hears a call when many windows call at once.
// Against a running server with voice on (--url) and the tokens of `bench.mjs setup --windows W`
// (--tokens): each round issues W tickets, then all W windows call-next in the same instant; every
// call is handed, as the display does, to voice.js's own queue (createAnnouncer: calls queued while
// one is said are merged into one announcement) with a player that fetches the server's WAV of each
// call (GET /announcements, retried while it is still rendering) and takes the WAV's length in real
// time to "say" it. The delay of a call is from sending its call-next to the start of the
// announcement that says it. Prints:
//   announce_worst_delay_ms   the worst delay over the rounds (target < 10,000 in a 12-window burst)
//   announce_median_delay_ms
//   announce_first_ms         from the call-next to the start of the first announcement (fetch, render)
//   announce_call_s           the length of one call's announcement (zh + en), the raw limit: a call
//                             arriving just after an announcement started waits at least this long
//   announce_batches          announcements per burst (2 = the first call alone, the rest merged)
// Rounds end once every call has started (the merged announcement is not waited for in full).
import http from 'node:http';
import fs from 'node:fs';
import { createAnnouncer } from '../web/js/voice.js';

const args = Object.fromEntries(process.argv.slice(2).map((a, i, all) => (a.startsWith('--') ? [a.slice(2), all[i + 1]] : null)).filter(Boolean));
const url = new URL(args.url);
const ROUNDS = Number(args.rounds || 3);
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const hr = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

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
            const chunks = [];
            res.on('data', (d) => chunks.push(d));
            res.on('end', () => {
                const buf = Buffer.concat(chunks);
                let json = null;
                try {
                    json = JSON.parse(buf.toString('utf8'));
                } catch {
                    /* audio or not JSON */
                }
                resolve({ status: res.statusCode, json, buf, type: res.headers['content-type'] || '' });
            });
        });
        r.on('error', reject);
        r.end(data);
    });
}

// Length in seconds of a WAV (16-bit PCM) from its header.
function wavSeconds(buf) {
    let off = 12, rate = 0, ch = 1;
    while (off + 8 <= buf.length) {
        const id = buf.toString('latin1', off, off + 4);
        const size = buf.readUInt32LE(off + 4);
        if (id === 'fmt ') {
            ch = buf.readUInt16LE(off + 10);
            rate = buf.readUInt32LE(off + 12);
        } else if (id === 'data') return Math.min(size, buf.length - off - 8) / (2 * ch * rate);
        off += 8 + size + (size & 1);
    }
    throw new Error('not a WAV');
}

async function fetchWav(tx) {
    for (let i = 0; i < 40; i++) {
        const r = await req('GET', `/announcements?number=${tx.number}&window=${tx.window}`);
        if (r.status === 200 && /audio/.test(r.type)) return r.buf;
        if (r.status !== 503) throw new Error(`announcement ${tx.number}@${tx.window}: ${r.status} ${r.buf.toString('utf8', 0, 200)}`);
        await sleep(100);
    }
    throw new Error(`announcement ${tx.number}@${tx.window} not rendered`);
}

const { clerks, guide } = JSON.parse(fs.readFileSync(args.tokens, 'utf8'));
const W = Math.min(Number(args.windows || 12), clerks.length);
const delays = [];
const firsts = [];
const lengths = [];
const batches = [];
for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < W; i++) {
        const r = await req('POST', '/tickets', { service: 'A', category: 'normal', channel: 'guide' }, guide);
        if (r.status !== 201) throw new Error(`issue: ${r.status} ${r.buf.toString()}`);
    }
    const sent = new Map(); // "number@window" -> ms
    const started = new Map();
    let nBatches = 0;
    let allStarted;
    const done = new Promise((r) => (allStarted = r));
    const play = async (batch) => {
        const wavs = await Promise.all(batch.map(fetchWav));
        const secs = wavs.map(wavSeconds);
        lengths.push(...secs);
        const at = hr();
        nBatches++;
        for (const tx of batch) started.set(`${tx.number}@${tx.window}`, at);
        if (started.size === W) allStarted();
        await sleep(secs.reduce((a, b) => a + b, 0) * 1000);
    };
    const ann = createAnnouncer({ play, now: hr });
    const t0 = hr();
    await Promise.all(
        clerks.slice(0, W).map(async (tk, i) => {
            const w = i + 1;
            const a = hr();
            const r = await req('POST', `/windows/${w}/call-next`, undefined, tk);
            if (r.status !== 200 || !r.json?.ticket) throw new Error(`call-next ${w}: ${r.status} ${r.buf.toString()}`);
            sent.set(`${r.json.ticket.number}@${w}`, a);
            ann.announce(r.json.ticket.number, w); // as display.js does on ticket.called
        }),
    );
    await done;
    const ds = [...sent].map(([k, a]) => started.get(k) - a);
    delays.push(...ds);
    firsts.push(Math.min(...[...started.values()]) - t0);
    batches.push(nBatches);
    for (let i = 0; i < W; i++) await req('POST', `/windows/${i + 1}/no-show`, undefined, clerks[i]);
    await sleep(200);
}
delays.sort((a, b) => a - b);
lengths.sort((a, b) => a - b);
console.log(`announce_windows ${W}`);
console.log(`announce_rounds ${ROUNDS}`);
console.log(`announce_worst_delay_ms ${Math.round(delays[delays.length - 1])}`);
console.log(`announce_median_delay_ms ${Math.round(delays[Math.floor(delays.length / 2)])}`);
console.log(`announce_first_ms ${Math.round(Math.max(...firsts))}`);
console.log(`announce_call_s ${lengths[Math.floor(lengths.length / 2)].toFixed(2)}`);
console.log(`announce_batches ${batches.join(',')}`);
process.exit(0);
