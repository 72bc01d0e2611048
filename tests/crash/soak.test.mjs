// SPDX-License-Identifier: MIT
// soak.test.mjs — a hall's day at high speed against the real server, with random kill -9 and
// restarts: kiosks (a registered kiosk device and the public) and a guide issue tickets, clerks at
// two windows call, start, finish, mark no-shows and transfer, displays hold event streams and
// reconnect with Last-Event-ID, evaluation pads evaluate what was finished. Between kills, and at
// the end, it checks: every acknowledged (2xx) ticket is there in a state at least as advanced as
// acknowledged, every acknowledged evaluation is still refused as a second one (409), no ticket
// number was given twice, each display saw strictly increasing event ids across its reconnects.
// A last phase without kills (30 s at least) reads the server's RSS (/proc) after its first half
// and at its end: it stays under 160 MB, does not grow by more than a quarter + 24 MB + 8 KB a
// ticket between the two (a leak per request or event), and in a long run (make soak, past the
// warm-up of the workers' malloc arenas) it must not grow beyond the day's tickets held in memory
// (skipped under the sanitizers). Then a disk-full run on a small tmpfs (mounted when permitted, else skipped
// with a message): the store refuses with 503 store_unavailable, nothing acknowledged is lost,
// the server stays up and takes tickets again once there is room, also after a kill -9.
//
// HQ_SOAK_SECONDS sets the length of the day (60 in `make test`; `make soak` runs 1,200).
// HQ_SEED replays a run.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hall, api, act, sse, list, sleep, startServer, setupHall, SANITIZE } from '../api/lib/server.mjs';

const SECONDS = Number(process.env.HQ_SOAK_SECONDS || 60);
let seed = Number(process.env.HQ_SEED || Date.now() % 100000);
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
console.log(`# seed ${seed} (HQ_SEED to replay), ${SECONDS} s`);

const RANK = { waiting: 0, called: 1, serving: 2, done: 3, no_show: 3 };
const acked = new Map(); // id -> {number, rank}
const issuedNumbers = []; // every acknowledged issue, in order
const evaluated = new Set(); // ids with an acknowledged evaluation
const finishedQueue = []; // ids finished, not yet evaluated
const counts = { issued: 0, called: 0, finished: 0, no_show: 0, transferred: 0, evaluated: 0, refusedWhileDown: 0, kills: 0 };

const { srv, tokens } = await hall(after);
const kiosk = (await api(srv, 'POST', '/devices', { name: '大厅取号机 1' }, { token: tokens.admin })).json.key;
assert.ok(kiosk, 'a kiosk device key');

function ack(id, number, rank) {
    const cur = acked.get(id);
    if (!cur) acked.set(id, { number, rank });
    else if (rank > cur.rank) cur.rank = rank;
}

const down = (e) => e?.code !== 'ERR_ASSERTION';

async function issuer(state, who) {
    while (!state.stop) {
        const svc = rnd() < 0.5 ? 'A' : rnd() < 0.6 ? 'B' : 'C';
        let r;
        try {
            if (who === 'kiosk') r = await api(srv, 'POST', '/tickets', { service: svc, category: 'normal', channel: 'kiosk' }, { headers: { 'x-device-key': kiosk } });
            else if (who === 'guide') r = await api(srv, 'POST', '/tickets', { service: svc, category: rnd() < 0.2 ? 'priority' : 'normal', channel: 'guide' }, { token: tokens.guide1 });
            else r = await api(srv, 'POST', '/tickets', { service: svc, category: 'normal', channel: 'web' });
        } catch (e) {
            if (down(e)) return;
            throw e;
        }
        if (who === 'public' && r.status === 429) {
            await sleep(200);
            continue;
        }
        if (r.status === 503) return; // stopping
        assert.equal(r.status, 201, `${who} issue: ${r.text}`);
        issuedNumbers.push(r.json.number);
        ack(r.json.id, r.json.number, RANK.waiting);
        counts.issued++;
        await sleep(who === 'public' ? 300 : 5 + rnd() * 20);
    }
}

async function clerk(state, n, token) {
    try {
        const w = (await api(srv, 'GET', `/windows/${n}`)).json;
        if (w?.state !== 'open') await act(srv, n, 'open', token);
        const cur = (await api(srv, 'GET', `/windows/${n}`)).json?.current;
        if (cur) {
            if (cur.status === 'called') await act(srv, n, 'start', token);
            await act(srv, n, 'finish', token);
        }
        while (!state.stop) {
            let r = await api(srv, 'POST', `/windows/${n}/call-next`, undefined, { token });
            assert.equal(r.status, 200, r.text);
            const t = r.json.ticket;
            if (!t) {
                await sleep(10);
                continue;
            }
            ack(t.id, t.number, RANK.called);
            counts.called++;
            const roll = rnd();
            if (roll < 0.1) {
                r = await api(srv, 'POST', `/windows/${n}/no-show`, undefined, { token });
                assert.equal(r.status, 200, r.text);
                ack(t.id, t.number, RANK.no_show);
                counts.no_show++;
                continue;
            }
            r = await api(srv, 'POST', `/windows/${n}/start`, undefined, { token });
            assert.equal(r.status, 200, r.text);
            ack(t.id, t.number, RANK.serving);
            if (roll < 0.15 && t.service !== 'C') {
                // it waits again: from the moment it is sent, waiting is a state it may be in
                acked.get(t.id).rank = RANK.waiting;
                r = await api(srv, 'POST', `/windows/${n}/transfer`, { service: t.service === 'A' ? 'B' : 'A' }, { token });
                assert.equal(r.status, 200, r.text);
                counts.transferred++;
                continue;
            }
            r = await api(srv, 'POST', `/windows/${n}/finish`, undefined, { token });
            assert.equal(r.status, 200, r.text);
            ack(t.id, t.number, RANK.done);
            counts.finished++;
            finishedQueue.push(t.id);
        }
    } catch (e) {
        if (down(e)) return;
        throw e;
    }
}

async function pad(state) {
    try {
        while (!state.stop) {
            const id = finishedQueue.shift();
            if (!id) {
                await sleep(20);
                continue;
            }
            const r = await api(srv, 'POST', '/evaluations', { ticket: id, level: 1 + Math.floor(rnd() * 5), reasons: [] });
            if (r.status === 409) continue; // already evaluated before a kill cut the answer
            assert.equal(r.status, 201, r.text);
            evaluated.add(id);
            counts.evaluated++;
        }
    } catch (e) {
        if (down(e)) return;
        throw e;
    }
}

/** A display: an event stream that reconnects after a kill with Last-Event-ID; ids collects the
 * ids it saw over all its connections. */
function display() {
    const d = { last: undefined, ids: [], stream: null };
    d.connect = async () => {
        const s = sse(srv, { lastEventId: d.last });
        d.stream = s;
        try {
            await s.ready;
        } catch {
            /* the server is down: the next connect tries again */
        }
    };
    d.close = () => {
        if (!d.stream) return;
        for (const e of d.stream.events) {
            d.ids.push(Number(e.id));
            d.last = Number(e.id);
        }
        d.stream.close();
        d.stream = null;
    };
    return d;
}

async function verify(label) {
    const missing = [];
    const behind = [];
    for (const [id, { number, rank }] of acked) {
        const r = await api(srv, 'GET', `/tickets/${id}`);
        if (r.status !== 200) {
            missing.push(`${number} (${r.status})`);
            continue;
        }
        assert.equal(r.json.number, number, `${label}: ticket keeps its number`);
        const now = RANK[r.json.status] ?? -1;
        if (now < rank) behind.push(`${number}: acknowledged rank ${rank}, now ${r.json.status}`);
    }
    assert.deepEqual(missing, [], `${label}: acknowledged tickets missing`);
    assert.deepEqual(behind, [], `${label}: acknowledged changes lost`);
    assert.equal(new Set(issuedNumbers).size, issuedNumbers.length, `${label}: a number was acknowledged twice`);
    const all = list((await api(srv, 'GET', '/tickets', undefined, { token: tokens.manager1 })).json, 'tickets');
    const nums = all.map((t) => `${t.issued_at?.slice(0, 10)} ${t.number}`);
    assert.equal(new Set(nums).size, nums.length, `${label}: the store holds a number twice on a day`);
    let n = 0;
    for (const id of evaluated) {
        if (n++ > 50) break; // a sample: each costs a request
        const r = await api(srv, 'POST', '/evaluations', { ticket: id, level: 3, reasons: [] });
        assert.equal(r.status, 409, `${label}: an acknowledged evaluation was lost (${r.status} ${r.text})`);
    }
}

function rssMb() {
    const s = fs.readFileSync(`/proc/${srv.child.pid}/status`, 'utf8');
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(s)[1]) / 1024;
}

/** RSS in MB: three readings a second apart, combined by pick (Math.max or Math.min). */
async function rssSamples(pick) {
    const v = [];
    for (let i = 0; i < 3; i++) {
        if (i) await sleep(1000);
        v.push(rssMb());
    }
    return pick(...v);
}

/** 3 rounds of 96 requests at once (reads and issues), so that every worker thread has run. */
async function warmBurst() {
    for (let round = 0; round < 3; round++) {
        const all = [];
        for (let i = 0; i < 96; i++)
            all.push(
                i % 3 === 0
                    ? api(srv, 'POST', '/tickets', { service: 'A', category: 'normal', channel: 'guide' }, { token: tokens.guide1 }).then((r) => {
                          assert.equal(r.status, 201, `warm-up issue: ${r.text}`);
                          issuedNumbers.push(r.json.number);
                          ack(r.json.id, r.json.number, RANK.waiting);
                          counts.issued++;
                      })
                    : api(srv, 'GET', i % 3 === 1 ? '/display' : '/windows'),
            );
        await Promise.all(all);
    }
}

async function runFor(ms, displays) { // eslint-disable-line no-unused-vars
    const state = { stop: false };
    for (const d of displays) await d.connect();
    const clients = [issuer(state, 'kiosk'), issuer(state, 'guide'), issuer(state, 'public'), clerk(state, 1, tokens.clerk1), clerk(state, 2, tokens.clerk2), pad(state)];
    await sleep(ms);
    return { state, clients };
}

describe(`a day at high speed for ${SECONDS} s with kill -9 and restarts`, () => {
    const displays = [display(), display(), display()];
    test('the day, killed at random moments', async () => {
        const t0 = Date.now();
        const killPhase = SECONDS * 1000 * 0.6;
        while (Date.now() - t0 < killPhase) {
            const ms = 2000 + Math.round(rnd() * 6000);
            const { state, clients } = await runFor(ms, displays);
            state.stop = true;
            await srv.kill9();
            counts.kills++;
            await Promise.all(clients);
            for (const d of displays) d.close();
            // while down, a request is refused by the kernel: never acknowledged
            try {
                await api(srv, 'GET', '/health');
            } catch {
                counts.refusedWhileDown++;
            }
            await srv.launch();
            await verify(`after kill ${counts.kills}`);
        }
        console.log(`# ${counts.kills} kills; ${JSON.stringify(counts)}`);
        assert.ok(counts.kills >= 1);
        assert.ok(counts.issued > 0 && counts.finished > 0, JSON.stringify(counts));
    });

    test('no kills for the rest of the day: RSS does not grow', async () => {
        const rest = Math.max(30000, SECONDS * 1000 * 0.4);
        const state = { stop: false };
        for (const d of displays) await d.connect();
        const clients = [issuer(state, 'kiosk'), issuer(state, 'guide'), issuer(state, 'public'), clerk(state, 1, tokens.clerk1), clerk(state, 2, tokens.clerk2), pad(state)];
        // warm up (15 s at least): malloc arenas of the workers, caches; a burst of concurrent
        // requests first, so that every worker thread has taken its arena before the measure
        await warmBurst();
        await sleep(rest / 2 - 3000);
        const early = await rssSamples(Math.max); // the highest of 3 readings over 2 s
        const issued0 = counts.issued;
        await sleep(rest / 2 - 3000);
        const late = await rssSamples(Math.min); // the lowest of 3 readings over 2 s
        const more = counts.issued - issued0;
        state.stop = true;
        await Promise.all(clients);
        for (const d of displays) d.close();
        console.log(`# RSS ${early.toFixed(1)} MB after warm-up, ${late.toFixed(1)} MB at the end of the day`);
        await verify('end of the day');
        // Within a bound at any length: a steady day at this rate plateaus near 105 MB (64 workers
        // filling their malloc arenas over the first ~15 s, more slowly on a loaded machine).
        if (!SANITIZE) assert.ok(late < 160, `RSS ${late.toFixed(1)} MB at the end of the day`);
        // A long run (make soak) is past that warm-up at its half: from there on, growth beyond
        // the day's tickets held in memory (well under 2 KB each) is a leak.
        const allowed = early * 1.1 + 8 + (more * 2) / 1024;
        if (!SANITIZE && rest >= 120000) assert.ok(late < allowed, `RSS grew from ${early.toFixed(1)} to ${late.toFixed(1)} MB over ${more} tickets (allowed ${allowed.toFixed(1)})`);
        // The short run of `make test` (15 s measured after a 15 s warm-up and a burst that wakes
        // every worker) checks growth too, with room for what a loaded machine still adds late
        // (a quarter more, 24 MB, and 8 KB a ticket): what it catches is a leak per request or
        // per event (a body, an answer, a stream frame not freed), which grows with the hundreds
        // of requests a second the day makes, not a slow drift.
        const loose = early * 1.25 + 24 + (more * 8) / 1024;
        if (!SANITIZE) assert.ok(late < loose, `RSS grew from ${early.toFixed(1)} to ${late.toFixed(1)} MB over ${more} tickets in the measured half (allowed ${loose.toFixed(1)})`);
        for (const d of displays) {
            for (let i = 1; i < d.ids.length; i++) assert.ok(d.ids[i] > d.ids[i - 1], `a display saw event ${d.ids[i]} after ${d.ids[i - 1]}`);
            assert.ok(d.ids.length > 0, 'a display saw events');
        }
    });
});

describe('disk full on a small tmpfs', () => {
    test('503 store_unavailable when full, nothing acknowledged lost, tickets again once there is room', async (t) => {
        if (os.platform() !== 'linux') return t.skip('tmpfs needs Linux');
        const mnt = fs.mkdtempSync(path.join(os.tmpdir(), 'hallq-full-'));
        const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mnt], { encoding: 'utf8' });
        if (m.status !== 0) {
            fs.rmSync(mnt, { recursive: true, force: true });
            console.log(`# disk-full part skipped: cannot mount a tmpfs here (${(m.stderr || m.error?.message || '').trim()})`);
            return t.skip('cannot mount a tmpfs (not permitted)');
        }
        let s2;
        try {
            s2 = await startServer({ db: path.join(mnt, 'hall.db') });
            const tk = await setupHall(s2);
            // leave a little room: fill the rest of the tmpfs with a file
            const filler = path.join(mnt, 'filler');
            const free = () => {
                const st = fs.statfsSync(mnt);
                return st.bavail * st.bsize;
            };
            const fd = fs.openSync(filler, 'w');
            const chunk = Buffer.alloc(64 * 1024, 1);
            while (free() > 256 * 1024) fs.writeSync(fd, chunk);
            fs.closeSync(fd);
            const ok = [];
            let refused = null;
            for (let i = 0; i < 5000 && !refused; i++) {
                const r = await api(s2, 'POST', '/tickets', { service: 'A', category: 'normal', channel: 'guide' }, { token: tk.guide1 });
                if (r.status === 201) ok.push(r.json);
                else refused = r;
            }
            assert.ok(refused, `the disk filled up (${ok.length} tickets issued)`);
            assert.equal(refused.status, 503, refused.text);
            assert.equal(refused.json?.error?.code, 'store_unavailable', refused.text);
            assert.equal((await api(s2, 'GET', '/health')).status, 200, 'alive while the disk is full');
            for (const t of ok.slice(-20)) assert.equal((await api(s2, 'GET', `/tickets/${t.id}`)).status, 200);
            fs.rmSync(filler);
            const again = await api(s2, 'POST', '/tickets', { service: 'A', category: 'normal', channel: 'guide' }, { token: tk.guide1 });
            assert.equal(again.status, 201, `tickets again once there is room: ${again.text}`);
            ok.push(again.json);
            await s2.restart({ kill: true });
            for (const t of ok) {
                const r = await api(s2, 'GET', `/tickets/${t.id}`);
                assert.equal(r.status, 200, `acknowledged ticket ${t.number} after disk full and kill -9`);
                assert.equal(r.json.number, t.number);
            }
            const nums = ok.map((t) => t.number);
            assert.equal(new Set(nums).size, nums.length, 'no number twice');
        } finally {
            if (s2) await s2.stop();
            spawnSync('umount', ['-l', mnt]);
            fs.rmSync(mnt, { recursive: true, force: true });
            if (s2) fs.rmSync(s2.dir, { recursive: true, force: true });
        }
    });
});
