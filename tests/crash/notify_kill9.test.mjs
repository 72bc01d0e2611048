// SPDX-License-Identifier: MIT
// notify_kill9.test.mjs — no delivery is lost across kill -9 (docs/NOTIFY.md). With the
// receiver down, tickets with phones are issued and called (each acknowledged change carries
// its deliveries in its own transaction); hallq is killed with SIGKILL twice (once at once after
// the last change, once while it is retrying) and restarted; then the receiver comes up on the
// same port and every expected delivery arrives, signed, each (type, ticket) under one id (a
// repeat of an id is allowed, a missing one is not).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { hall, api, act, issue, sleep } from '../api/lib/server.mjs';
import { receiver, sign, until } from '../api/lib/receiver.mjs';

const { srv, tokens } = await hall(after, { env: { HALLQ_NOTIFY_RETRY_MS: '200' } });
const SECRET = 'crash-secret';

test('receiver down, kill -9 twice, receiver up: every delivery arrives', async () => {
    const probe = await receiver();
    const port = probe.port;
    await probe.close(); // down: connections are refused
    const r = await api(srv, 'POST', '/notifiers', { kind: 'webhook', url: `http://127.0.0.1:${port}/hook`, secret: SECRET, events: ['ticket.near', 'ticket.called'] }, { token: tokens.admin });
    assert.equal(r.status, 201, r.text);

    const tickets = [];
    for (let i = 0; i < 10; i++) tickets.push(await issue(srv, { service: 'A', channel: 'guide', phone: `1390000${String(i).padStart(4, '0')}` }, tokens.guide1));
    await act(srv, 1, 'open', tokens.clerk1);
    for (let i = 0; i < 3; i++) {
        const c = await act(srv, 1, 'call-next', tokens.clerk1);
        assert.equal(c.ticket.number, tickets[i].number);
        if (i < 2) {
            await act(srv, 1, 'start', tokens.clerk1);
            await act(srv, 1, 'finish', tokens.clerk1);
        }
    }
    // expected: near for tickets 1-7 (at issue, or once three calls moved them up), called for 1-3
    const expected = new Set();
    for (let i = 0; i < 7; i++) expected.add(`ticket.near ${tickets[i].number}`);
    for (let i = 0; i < 3; i++) expected.add(`ticket.called ${tickets[i].number}`);

    await srv.restart({ kill: true }); // at once after the last acknowledged change
    await sleep(700); // some failed attempts recorded
    await srv.restart({ kill: true });
    await sleep(300);

    const rx = await receiver({ port });
    after(() => rx.close());
    const seen = () => new Set(rx.got.map((d) => `${d.json?.type} ${d.json?.ticket?.number}`));
    await until(() => [...expected].every((k) => seen().has(k)), `every delivery (${expected.size})`, 120000);
    const ids = new Map();
    for (const d of rx.got) {
        assert.equal(d.headers['x-hallq-signature'], sign(SECRET, d.raw));
        assert.equal(d.headers['x-hallq-delivery'], d.json.id);
        const k = `${d.json.type} ${d.json.ticket.number}`;
        assert.ok(expected.has(k), `unexpected delivery ${k}`);
        if (!ids.has(k)) ids.set(k, d.json.id);
        assert.equal(ids.get(k), d.json.id, `${k}: one delivery id, repeats allowed`);
        const t = tickets.find((x) => x.number === d.json.ticket.number);
        assert.deepEqual(d.json.to, { phone: `1390000${String(tickets.indexOf(t)).padStart(4, '0')}` });
    }
    assert.equal(ids.size, expected.size);
});
