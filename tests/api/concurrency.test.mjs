// SPDX-License-Identifier: MIT
// concurrency.test.mjs — many clients at once over real sockets: 16 clients issuing 5,000 tickets
// (2,500 under the sanitizer build) get distinct, gap-free numbers, every one in the staff list and
// in the event log; windows calling at the same instant never get the same ticket.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { hall, api, act, sse, list, scale, assertIds } from './lib/server.mjs';

const { srv, tokens } = await hall(after);
const N = scale(5000, 2500);
const CLIENTS = 16;

// A keep-alive agent per client: 16 real connections issuing in parallel.
function post(agent, path, body, token) {
    const u = new URL(srv.url + '/api/v1' + path);
    const data = JSON.stringify(body);
    return new Promise((resolve, reject) => {
        const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), authorization: `Bearer ${token}` } }, (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (d) => (text += d));
            res.on('end', () => resolve({ status: res.statusCode, text, json: text ? JSON.parse(text) : null }));
        });
        req.on('error', reject);
        req.end(data);
    });
}

const expected = (code, n) => Array.from({ length: n }, (_, i) => code + String(i + 1).padStart(3, '0'));

describe(`${CLIENTS} clients issuing ${N} tickets at once`, () => {
    let numbers = [];
    let stream;
    test('every request is acknowledged with 201', async () => {
        stream = sse(srv, { lastEventId: 0 });
        await stream.ready;
        let next = 0;
        const t0 = Date.now();
        const clients = Array.from({ length: CLIENTS }, async () => {
            const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
            const got = [];
            while (next < N) {
                next++;
                const r = await post(agent, '/tickets', { service: 'A', category: 'normal', channel: 'guide' }, tokens.guide1);
                assert.equal(r.status, 201, r.text);
                got.push(r.json.number);
            }
            agent.destroy();
            return got;
        });
        numbers = (await Promise.all(clients)).flat();
        const s = (Date.now() - t0) / 1000;
        console.log(`# ${N} tickets from ${CLIENTS} clients in ${s.toFixed(2)} s (${Math.round(N / s)}/s)`);
        assert.equal(numbers.length, N);
    });
    test('the numbers are distinct and gap-free (A001 … A' + N + ')', () => {
        assert.equal(new Set(numbers).size, N, 'distinct');
        const sorted = [...numbers].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
        assert.deepEqual(sorted, expected('A', N));
    });
    test('the staff list holds them all, each once', async () => {
        const r = await api(srv, 'GET', '/tickets?service=A', undefined, { token: tokens.guide1 });
        assert.equal(r.status, 200);
        const nums = list(r.json, 'tickets').map((t) => t.number);
        assert.equal(nums.length, N);
        assert.equal(new Set(nums).size, N);
    });
    test('the event log has one ticket.issued for each, ids strictly increasing', async () => {
        const last = `A${N}`;
        await stream.waitFor((e) => e.event === 'ticket.issued' && e.data?.number === last, 60000);
        const issued = stream.events.filter((e) => e.event === 'ticket.issued').map((e) => e.data.number);
        assert.equal(issued.length, N);
        assert.equal(new Set(issued).size, N);
        assertIds(stream.events, { contiguous: true });
        stream.close();
    });
    test('the next ticket continues the sequence', async () => {
        const r = await api(srv, 'POST', '/tickets', { service: 'A', category: 'normal', channel: 'guide' }, { token: tokens.guide1 });
        assert.equal(r.json.number, `A${N + 1}`);
    });
});

describe('windows calling at the same instant', () => {
    test('two windows × many rounds never get the same ticket', async () => {
        await act(srv, 1, 'open', tokens.clerk1);
        await act(srv, 2, 'open', tokens.clerk2);
        const rounds = scale(100, 30);
        const called = [];
        for (let i = 0; i < rounds; i++) {
            const rs = await Promise.all([
                api(srv, 'POST', '/windows/1/call-next', undefined, { token: tokens.clerk1 }),
                api(srv, 'POST', '/windows/2/call-next', undefined, { token: tokens.clerk2 }),
            ]);
            for (const r of rs) {
                assert.equal(r.status, 200, r.text);
                assert.ok(r.json.ticket, 'a ticket for each window');
                called.push(r.json.ticket.number);
            }
            await Promise.all([
                act(srv, 1, 'start', tokens.clerk1).then(() => act(srv, 1, 'finish', tokens.clerk1)),
                act(srv, 2, 'start', tokens.clerk2).then(() => act(srv, 2, 'finish', tokens.clerk2)),
            ]);
        }
        assert.equal(new Set(called).size, called.length, 'no ticket called twice');
    });
    test('a manager and the clerk hitting the same window at once: one call, the other 409', async () => {
        const rs = await Promise.all([
            api(srv, 'POST', '/windows/1/call-next', undefined, { token: tokens.clerk1 }),
            api(srv, 'POST', '/windows/1/call-next', undefined, { token: tokens.manager1 }),
        ]);
        const codes = rs.map((r) => r.status).sort();
        assert.deepEqual(codes, [200, 409], rs.map((r) => r.text).join(' | '));
        await act(srv, 1, 'start', tokens.clerk1);
        await act(srv, 1, 'finish', tokens.clerk1);
    });
    test('three windows hammering call-next in parallel: each ticket called at most once', async () => {
        const r = await api(srv, 'POST', '/staff', { username: 'clerk3', name: '周八', role: 'clerk', password: 'clerk3-pass-123', certifications: [{ service: 'A', expires_on: '2099-12-31' }] }, { token: tokens.admin });
        assert.equal(r.status, 201, r.text);
        await api(srv, 'PUT', '/windows/3', { services: ['A'] }, { token: tokens.admin });
        const t3 = (await api(srv, 'POST', '/auth/login', { username: 'clerk3', password: 'clerk3-pass-123' })).json.token;
        await act(srv, 3, 'open', t3);
        const who = [[1, tokens.clerk1], [2, tokens.clerk2], [3, t3]];
        const called = [];
        const per = scale(60, 15);
        await Promise.all(who.map(async ([n, tk]) => {
            for (let i = 0; i < per; i++) {
                const c = await api(srv, 'POST', `/windows/${n}/call-next`, undefined, { token: tk });
                assert.equal(c.status, 200, c.text);
                if (!c.json.ticket) break;
                called.push(c.json.ticket.number);
                await act(srv, n, 'start', tk);
                const f = await api(srv, 'POST', `/windows/${n}/finish`, undefined, { token: tk });
                assert.equal(f.status, 200, f.text);
            }
        }));
        assert.equal(new Set(called).size, called.length, 'no ticket called twice');
    });
});
