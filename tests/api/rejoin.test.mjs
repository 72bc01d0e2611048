// SPDX-License-Identifier: MIT
// rejoin.test.mjs — a customer who missed the call rejoins from the tracking page
// (POST /tickets/{id}/rejoin, public by the secret id): within the grace the ticket waits again in
// its original place (before tickets issued after it), once only; after the grace, for a waiting
// ticket or a second time: 409 with a clear message; an unknown id: 404. GET …/rejoin asks first.
// The rejoin publishes ticket.requeued without personal data.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { hall, api, assertError, issue, act, sse, sleep } from './lib/server.mjs';

const { srv, tokens } = await hall(after);
const PHONE = '13812345678';

async function missed(service = 'A') {
    const c = await act(srv, 1, 'call-next', tokens.clerk1);
    assert.ok(c.ticket, 'a ticket is called');
    await act(srv, 1, 'no-show', tokens.clerk1);
    return c.ticket;
}

describe('rejoin after a missed call', () => {
    let first, second, third;
    test('within the grace: waits again before the tickets issued after it', async () => {
        await act(srv, 1, 'open', tokens.clerk1);
        first = await issue(srv, { service: 'A', channel: 'web', phone: PHONE });
        second = await issue(srv, { service: 'A' });
        third = await issue(srv, { service: 'B' });
        const gone = await missed();
        assert.equal(gone.number, first.number);
        assert.equal((await api(srv, 'GET', `/tickets/${first.id}`)).json.status, 'no_show');
        const ask = await api(srv, 'GET', `/tickets/${first.id}/rejoin`);
        assert.equal(ask.status, 200, ask.text);
        assert.equal(ask.json.allowed, true);
        assert.ok(Date.parse(ask.json.until) > Date.now() + 5 * 60 * 1000, `default grace of 10 min: ${ask.json.until}`);
        const ev = sse(srv);
        await ev.ready;
        const r = await api(srv, 'POST', `/tickets/${first.id}/rejoin`);
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.status, 'waiting');
        assert.equal(r.json.number, first.number);
        assert.ok(!('phone' in r.json) || r.json.phone === null, 'no phone in the public answer');
        const later = (await api(srv, 'GET', `/tickets/${second.id}`)).json;
        assert.ok(r.json.position < later.position, `kept its place: ${r.json.position} before ${later.position}`);
        const e = await ev.waitFor((x) => x.event === 'ticket.requeued' && x.data?.number === first.number);
        ev.close();
        assert.ok(!e.raw.includes(PHONE) && !e.raw.includes('5678'), 'no phone in the event');
        const again = await act(srv, 1, 'call-next', tokens.clerk1);
        assert.equal(again.ticket.number, first.number, 'called again first, in its old place');
    });
    test('a second rejoin: 409 with a clear message, nothing changed', async () => {
        await act(srv, 1, 'no-show', tokens.clerk1);
        const ask = await api(srv, 'GET', `/tickets/${first.id}/rejoin`);
        assertError(ask, 409, 'conflict');
        const r = await api(srv, 'POST', `/tickets/${first.id}/rejoin`);
        assertError(r, 409, 'conflict');
        assert.match(r.json.error.message, /once|一次/, r.text);
        assert.equal((await api(srv, 'GET', `/tickets/${first.id}`)).json.status, 'no_show');
    });
    test('a waiting ticket: 409; an unknown id: 404', async () => {
        assertError(await api(srv, 'POST', `/tickets/${second.id}/rejoin`), 409, 'conflict');
        assert.equal((await api(srv, 'GET', `/tickets/${second.id}`)).json.status, 'waiting');
        assertError(await api(srv, 'POST', '/tickets/0123456789abcdef0123456789abcdef/rejoin'), 404, 'not_found');
        assertError(await api(srv, 'POST', '/tickets/nope/rejoin'), 404, 'not_found');
        assertError(await api(srv, 'GET', '/tickets/0123456789abcdef0123456789abcdef/rejoin'), 404, 'not_found');
    });
    test('after the grace (public_info.rejoin.grace_s): 409', async () => {
        const put = await api(srv, 'PUT', '/hall', { public_info: { rejoin: { grace_s: 1 } } }, { token: tokens.admin });
        assert.equal(put.status, 200, put.text);
        const gone = await missed();
        assert.equal(gone.number, second.number);
        await sleep(2500); // past the 1 s grace (whole seconds)
        assertError(await api(srv, 'GET', `/tickets/${second.id}/rejoin`), 409, 'conflict');
        const r = await api(srv, 'POST', `/tickets/${second.id}/rejoin`);
        assertError(r, 409, 'conflict');
        assert.match(r.json.error.message, /ago|分钟/, r.text);
        assert.equal((await api(srv, 'GET', `/tickets/${second.id}`)).json.status, 'no_show');
        // grace 0 turns rejoining off
        await api(srv, 'PUT', '/hall', { public_info: { rejoin: { grace_s: 0 } } }, { token: tokens.admin });
        const g3 = await missed();
        assert.equal(g3.number, third.number);
        assertError(await api(srv, 'POST', `/tickets/${third.id}/rejoin`), 409, 'conflict');
        await api(srv, 'PUT', '/hall', { public_info: {} }, { token: tokens.admin });
    });
});
