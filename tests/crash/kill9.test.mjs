// SPDX-License-Identifier: MIT
// kill9.test.mjs — crash test of the whole server: clients issue and call tickets while the server
// is killed with SIGKILL at random moments, several rounds, each restarted on the same database.
// After every restart: each acknowledged (2xx) ticket is there, in a state at least as advanced as
// acknowledged; no number was given twice; the event log replays from Last-Event-ID: 0 with ids
// strictly increasing and contiguous, one ticket.issued per ticket. Ends with a clean SIGTERM stop
// (exit 0 within 10 s) while SSE streams are held open.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { hall, api, act, sse, list, scale, sleep, assertIds, SANITIZE } from '../api/lib/server.mjs';

const { srv, tokens } = await hall(after);
const ROUNDS = 5;
const RANK = { waiting: 0, called: 1, serving: 2, done: 3 };
const acked = new Map(); // number -> {id, rank}
const issuedAcks = []; // every acknowledged issue, in order (numbers must never repeat)
let seed = Number(process.env.HQ_SEED || Date.now() % 100000);
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
console.log(`# seed ${seed} (HQ_SEED to replay)`);

function ack(number, id, rank) {
    const cur = acked.get(number);
    if (!cur) acked.set(number, { id, rank });
    else if (rank > cur.rank) cur.rank = rank;
}

async function issuer(state, token) {
    while (!state.stop) {
        let r;
        try {
            r = await api(srv, 'POST', '/tickets', { service: rnd() < 0.6 ? 'A' : 'B', category: rnd() < 0.1 ? 'priority' : 'normal', channel: 'guide' }, { token });
        } catch {
            return; // the server died under us: not acknowledged
        }
        assert.equal(r.status, 201, r.text);
        issuedAcks.push(r.json.number);
        ack(r.json.number, r.json.id, RANK.waiting);
    }
}

async function caller(state, n, token) {
    try {
        // after a restart the window may still hold a ticket: finish it first
        const w = (await api(srv, 'GET', `/windows/${n}`)).json;
        if (w?.current) {
            const st = w.current.status;
            if (st === 'called') await act(srv, n, 'start', token);
            await act(srv, n, 'finish', token);
        }
        while (!state.stop) {
            let r = await api(srv, 'POST', `/windows/${n}/call-next`, undefined, { token });
            assert.equal(r.status, 200, r.text);
            const t = r.json.ticket;
            if (!t) {
                await sleep(5);
                continue;
            }
            ack(t.number, t.id, RANK.called);
            r = await api(srv, 'POST', `/windows/${n}/start`, undefined, { token });
            assert.equal(r.status, 200, r.text);
            ack(t.number, t.id, RANK.serving);
            r = await api(srv, 'POST', `/windows/${n}/finish`, undefined, { token });
            assert.equal(r.status, 200, r.text);
            ack(t.number, t.id, RANK.done);
        }
    } catch (e) {
        if (e?.code === 'ERR_ASSERTION') throw e;
        /* connection refused or reset: the server was killed */
    }
}

async function verify(label) {
    const missing = [];
    const behind = [];
    for (const [number, { id, rank }] of acked) {
        const r = await api(srv, 'GET', `/tickets/${id}`);
        if (r.status !== 200) {
            missing.push(`${number} (${r.status})`);
            continue;
        }
        assert.equal(r.json.number, number, `${label}: ticket ${id} keeps its number`);
        if ((RANK[r.json.status] ?? -1) < rank) behind.push(`${number}: acknowledged rank ${rank}, now ${r.json.status}`);
    }
    assert.deepEqual(missing, [], `${label}: acknowledged tickets missing after restart`);
    assert.deepEqual(behind, [], `${label}: acknowledged changes lost after restart`);
    assert.equal(new Set(issuedAcks).size, issuedAcks.length, `${label}: a number was acknowledged twice`);
    const all = list((await api(srv, 'GET', '/tickets', undefined, { token: tokens.manager1 })).json, 'tickets');
    const nums = all.map((t) => t.number);
    assert.equal(new Set(nums).size, nums.length, `${label}: the store holds a number twice`);
    const ids = new Set(all.map((t) => t.id));
    assert.equal(ids.size, all.length, `${label}: ids unique`);
    return all;
}

describe('kill -9 while clients issue and call', () => {
    test('setup: windows 1 and 2 open', async () => {
        await act(srv, 1, 'open', tokens.clerk1);
        await act(srv, 2, 'open', tokens.clerk2);
    });
    for (let round = 1; round <= ROUNDS; round++) {
        test(`round ${round}: SIGKILL at a random moment, restart, nothing acknowledged is lost`, async () => {
            const state = { stop: false };
            const before = acked.size;
            const clients = [
                ...Array.from({ length: 4 }, () => issuer(state, tokens.guide1)),
                caller(state, 1, tokens.clerk1),
                caller(state, 2, tokens.clerk2),
            ];
            const ms = Math.round(scale(200, 400) + rnd() * scale(1200, 1600));
            await sleep(ms);
            state.stop = true; // no new requests once the kill is under way
            await srv.kill9();
            await Promise.all(clients);
            console.log(`# round ${round}: killed after ${ms} ms; ${acked.size - before} new tickets acknowledged, ${acked.size} in all`);
            await srv.launch();
            await verify(`round ${round}`);
        });
    }
    test('the event log replays from 0 without gaps, one ticket.issued per ticket', async () => {
        const all = await verify('final');
        const s = sse(srv, { lastEventId: 0 });
        await s.ready;
        const sentinel = (await api(srv, 'POST', '/tickets', { service: 'C', category: 'normal', channel: 'guide' }, { token: tokens.guide1 })).json;
        await s.waitFor((e) => e.event === 'ticket.issued' && e.data?.number === sentinel.number, SANITIZE ? 60000 : 20000);
        s.close();
        assertIds(s.events, { contiguous: true });
        const issued = s.events.filter((e) => e.event === 'ticket.issued').map((e) => e.data.number);
        assert.equal(new Set(issued).size, issued.length, 'a ticket.issued event twice for one number');
        assert.equal(issued.length, all.length + 1, 'one ticket.issued per ticket in the store');
        for (const n of acked.keys()) assert.ok(issued.includes(n), `ticket.issued of ${n} in the log`);
        const finished = new Set(s.events.filter((e) => e.event === 'ticket.finished').map((e) => e.data.number));
        for (const [n, { rank }] of acked) if (rank === RANK.done) assert.ok(finished.has(n), `ticket.finished of ${n} in the log`);
    });
    test('SIGTERM with SSE streams held open: exit 0 within 10 s', async () => {
        const streams = Array.from({ length: 20 }, () => sse(srv));
        await Promise.all(streams.map((s) => s.ready));
        const r = await srv.stop();
        streams.forEach((s) => s.close());
        assert.equal(r.killed, undefined, 'it had to be killed');
        assert.equal(r.code, 0, `exit status ${r.code} ${r.signal}`);
        assert.ok(r.ms < 10000, `stopped in ${r.ms} ms`);
        assert.ok(!/AddressSanitizer|runtime error|LeakSanitizer/.test(srv.stderr()), 'a sanitizer report in the server log');
    });
});
