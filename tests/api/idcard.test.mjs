// SPDX-License-Identifier: MIT
// idcard.test.mjs — ID card tickets (刷身份证取号, docs/IDCARD.md) and the hall settings of this
// area over HTTP: POST /tickets with an id_number (the GB 11643 check digit, 400 field id_number
// with a clear reason); the green channel by age only from a registered kiosk; the per-ID daily
// limit of a service (409 field id_number); the hand-over of a number read by the kiosk's reader
// (hold / take, a registered device only, once); PUT /hall's checks of rejoin.grace_s,
// notify.near and id_card.*; ticket.near at the hall's distance. The numbers are never in an
// answer, an event, the access log or a report.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { hall, api, assertError, sse, issue, act } from './lib/server.mjs';
import { receiver, until } from './lib/receiver.mjs';

const { srv, tokens } = await hall(after);
const A = tokens.admin;
const events = sse(srv, { lastEventId: 0 });
await events.ready;
after(() => events.close());
const rx = await receiver();
after(() => rx.close());

const OLD = '11010519491231002X'; // born 1949-12-31
const OLD2 = '440301195503011236'; // born 1955-03-01
const YOUNG = '440301199001011234'; // born 1990-01-01
const BAD_CHECK = '110105194912310021';
const ALL = [OLD, OLD2, YOUNG, BAD_CHECK];
const seen = []; // every answer's text, checked at the end
const call = async (...a) => {
    const r = await api(srv, ...a);
    seen.push(r.text);
    return r;
};
const dev = await api(srv, 'POST', '/devices', { name: '取号机-东' }, { token: A });
assert.equal(dev.status, 201, dev.text);
const dev2 = await api(srv, 'POST', '/devices', { name: '取号机-西' }, { token: A });
const KIOSK = { 'x-device-key': dev.json.key };
const KIOSK2 = { 'x-device-key': dev2.json.key };
const ticket = (body, headers) => call('POST', '/tickets', { service: 'A', ...body }, { headers });

describe('hall settings of rejoin, ticket.near and ID cards (PUT /hall public_info)', () => {
    test('out of bounds or of the wrong type: 400 public_info with a clear reason, nothing changed', async () => {
        const before = (await api(srv, 'GET', '/hall')).json.public_info;
        for (const [info, re] of [
            [{ rejoin: { grace_s: -1 } }, /rejoin\.grace_s: a whole number from 0 to 86400/],
            [{ rejoin: { grace_s: 86401 } }, /rejoin\.grace_s/],
            [{ rejoin: { grace_s: '600' } }, /rejoin\.grace_s/],
            [{ rejoin: 600 }, /rejoin: must be an object/],
            [{ notify: { near: 0 } }, /notify\.near: a whole number from 1 to 50/],
            [{ notify: { near: 51 } }, /notify\.near/],
            [{ id_card: { priority_age: 30 } }, /priority_age: 0 \(off\) or an age from 50 to 150/],
            [{ id_card: { priority_age: 151 } }, /priority_age/],
            [{ id_card: { daily_limit: 101 } }, /daily_limit/],
            [{ id_card: { daily_limits: { a: 1 } } }, /daily_limits/],
            [{ id_card: { daily_limits: { A: -1 } } }, /daily_limits/],
            [{ id_card: { daily_limits: [1] } }, /daily_limits/],
        ]) {
            const r = await api(srv, 'PUT', '/hall', { public_info: info }, { token: A });
            assertError(r, 400, 'invalid_field', 'public_info');
            assert.match(r.json.error.message, re, JSON.stringify(info));
        }
        assert.deepEqual((await api(srv, 'GET', '/hall')).json.public_info, before);
    });
    test('good settings are kept', async () => {
        const info = { rejoin: { grace_s: 0 }, notify: { near: 5 }, id_card: { priority_age: 70, daily_limit: 0, daily_limits: { A: 1 } } };
        const r = await api(srv, 'PUT', '/hall', { public_info: info }, { token: A });
        assert.equal(r.status, 200, r.text);
        assert.deepEqual((await api(srv, 'GET', '/hall')).json.public_info, info);
    });
    test('rejoin.grace_s 0 turns rejoining off', async () => {
        await act(srv, 1, 'open', tokens.clerk1);
        const t = await issue(srv, { service: 'B' });
        const c = await act(srv, 1, 'call-next', tokens.clerk1);
        assert.equal(c.ticket.number, t.number);
        await act(srv, 1, 'no-show', tokens.clerk1);
        const r = await api(srv, 'POST', `/tickets/${t.id}/rejoin`);
        assertError(r, 409, 'conflict');
        await act(srv, 1, 'close', tokens.clerk1);
    });
});

describe('id_number on POST /tickets', () => {
    test('a wrong check digit, length or character: 400 field id_number, the number not echoed', async () => {
        for (const [id, re] of [
            [BAD_CHECK, /check digit/],
            ['1101051949123100', /18 characters/],
            ['11010519491231X02X', /only digits/],
            ['110105194913310025', /birth date/],
        ]) {
            const r = await ticket({ id_number: id }, KIOSK);
            assertError(r, 400, 'invalid_field', 'id_number');
            assert.match(r.json.error.message, re);
            assert.ok(!r.text.includes(id));
        }
    });
    test('a holder of 70 or more gets priority only from a registered kiosk', async () => {
        let r = await ticket({ id_number: OLD }, KIOSK);
        assert.equal(r.status, 201, r.text);
        assert.equal(r.json.category, 'priority');
        r = await ticket({ id_number: OLD2.toLowerCase(), channel: 'web' });
        assert.equal(r.status, 201, r.text);
        assert.equal(r.json.category, 'normal', 'not from a kiosk device');
        r = await ticket({ id_number: YOUNG }, KIOSK);
        assert.equal(r.status, 201, r.text);
        assert.equal(r.json.category, 'normal', 'too young');
        r = await call('POST', '/tickets', { service: 'B', channel: 'guide', category: 'normal', id_number: OLD2 }, { token: tokens.guide1 });
        assert.equal(r.status, 201, r.text);
        assert.equal(r.json.category, 'normal', 'a guide decides the category herself');
    });
    test('the daily limit per ID of a service (id_card.daily_limits): 409 field id_number; other services and numbers pass', async () => {
        let r = await ticket({ id_number: OLD }, KIOSK); // OLD took an A already
        assertError(r, 409, 'conflict', 'id_number');
        assert.match(r.json.error.message, /at most 1 tickets of this service a day/);
        r = await ticket({ id_number: OLD.toLowerCase() }, KIOSK2);
        assertError(r, 409, 'conflict', 'id_number');
        r = await ticket({ service: 'B', id_number: OLD }, KIOSK);
        assert.equal(r.status, 201, r.text);
        r = await ticket({ service: 'B', id_number: OLD }, KIOSK);
        assert.equal(r.status, 201, r.text, 'no limit on B');
        // a hall-wide limit applies to every service without its own
        await api(srv, 'PUT', '/hall', { public_info: { id_card: { priority_age: 70, daily_limit: 2 } } }, { token: A });
        r = await ticket({ service: 'B', id_number: OLD }, KIOSK);
        assertError(r, 409, 'conflict', 'id_number');
        r = await ticket({ id_number: OLD }, KIOSK);
        assert.equal(r.status, 201, r.text, 'A now allows 2');
    });
});

describe('the hand-over from the reader to the kiosk page', () => {
    test('hold and take: a registered device only; the answer of hold masked; take once', async () => {
        assertError(await call('POST', '/idcard/hold', { id_number: YOUNG }), 401, 'unauthenticated');
        assertError(await call('POST', '/idcard/hold', { id_number: YOUNG }, { token: A }), 403, 'forbidden');
        assertError(await call('POST', '/idcard/take', undefined, { token: tokens.guide1 }), 403, 'forbidden');
        assertError(await call('POST', '/idcard/hold', { id_number: BAD_CHECK }, { headers: KIOSK }), 400, 'invalid_field', 'id_number');
        assertError(await call('POST', '/idcard/hold', { id_number: YOUNG, x: 1 }, { headers: KIOSK }), 400, 'invalid_field', 'x');
        let r = await call('POST', '/idcard/hold', { id_number: YOUNG }, { headers: KIOSK });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.masked, '4403**********1234');
        assert.ok(!r.text.includes(YOUNG));
        r = await call('POST', '/idcard/take', undefined, { headers: KIOSK2 });
        assert.deepEqual(r.json, { id_number: null, masked: null }, 'another kiosk gets nothing');
        r = await api(srv, 'POST', '/idcard/take', undefined, { headers: KIOSK }); // the one place it is given back
        assert.deepEqual(r.json, { id_number: YOUNG, masked: '4403**********1234' });
        r = await call('POST', '/idcard/take', undefined, { headers: KIOSK });
        assert.deepEqual(r.json, { id_number: null, masked: null }, 'once');
        // a newer card replaces the held one
        await call('POST', '/idcard/hold', { id_number: YOUNG }, { headers: KIOSK });
        await call('POST', '/idcard/hold', { id_number: OLD2 }, { headers: KIOSK });
        r = await api(srv, 'POST', '/idcard/take', undefined, { headers: KIOSK });
        assert.equal(r.json.id_number, OLD2);
    });
});

describe('ticket.near at the hall distance (public_info.notify.near)', () => {
    test('a notifier without its own near follows the hall; one with near keeps it', async () => {
        await api(srv, 'PUT', '/hall', { public_info: { notify: { near: 5 } } }, { token: A });
        const n = await api(srv, 'POST', '/notifiers', { kind: 'webhook', url: rx.url, secret: 's', events: ['ticket.near'] }, { token: A });
        assert.equal(n.status, 201, n.text);
        assert.equal(n.json.near, 5);
        const own = await api(srv, 'POST', '/notifiers', { kind: 'webhook', url: rx.url, secret: 's', events: ['ticket.called'], near: 2 }, { token: A });
        assert.equal(own.json.near, 2);
        await api(srv, 'PUT', '/hall', { public_info: { notify: { near: 4 } } }, { token: A });
        const l = await api(srv, 'GET', '/notifiers', undefined, { token: A });
        assert.deepEqual(l.json.map((x) => x.near).sort(), [2, 4]);
        await api(srv, 'DELETE', `/notifiers/${own.json.id}`, undefined, { token: A });
    });
    test('delivered when the ticket is the hall number of places from the front, not before', async () => {
        for (let i = 0; i < 5; i++) await issue(srv, { service: 'B' });
        const mine = await issue(srv, { service: 'B', channel: 'guide', phone: '13700001111' }, tokens.guide1);
        const of = () => rx.got.filter((r) => r.json?.type === 'ticket.near' && r.json?.ticket?.number === mine.number);
        const ahead = async () => (await api(srv, 'GET', `/tickets/${mine.id}`)).json.ahead;
        assert.ok((await ahead()) >= 5);
        await act(srv, 1, 'open', tokens.clerk1);
        while ((await ahead()) > 5) {
            await act(srv, 1, 'call-next', tokens.clerk1);
            await act(srv, 1, 'no-show', tokens.clerk1);
        }
        assert.equal(await ahead(), 5);
        assert.equal(of().length, 0, 'not near at 5 ahead with the hall at 4');
        await act(srv, 1, 'call-next', tokens.clerk1);
        await act(srv, 1, 'no-show', tokens.clerk1);
        const d = await until(() => of()[0], 'ticket.near');
        assert.equal(d.json.ticket.ahead, 4);
        await act(srv, 1, 'close', tokens.clerk1);
    });
});

test('a booking with an ID number: the number is nowhere in the database files (a keyed hash only)', async () => {
    await api(srv, 'PUT', '/services/A', { hours: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, '00:00-23:55'])), bookable: true }, { token: A });
    const tz = (await api(srv, 'GET', '/hall')).json.timezone || 'Asia/Shanghai';
    const [y, m, d] = new Intl.DateTimeFormat('en-CA', { timeZone: tz }).format(new Date()).split('-').map(Number);
    const d1 = new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
    const slots = (await api(srv, 'GET', `/appointments/slots?service=A&date=${d1}`)).json.slots;
    const b = await call('POST', '/appointments', { service: 'A', start: slots[0].start, phone: '13600002222', id_number: YOUNG });
    assert.equal(b.status, 201, b.text);
    // the same person again that day: the hash matched (limit 1 a day), the number still not kept
    const again = await call('POST', '/appointments', { service: 'A', start: slots[1].start, phone: '13600003333', id_number: YOUNG });
    assertError(again, 409, 'conflict', 'id_number');
    // staff see it masked in the day's list
    const list = await call('GET', `/appointments?date=${d1}`, undefined, { token: tokens.guide1 });
    assert.equal(list.json.appointments.find((x) => x.code === b.json.code).id_number, '4403**********1234');
    for (const f of [srv.db, srv.db + '-wal']) {
        if (!fs.existsSync(f)) continue;
        const bytes = fs.readFileSync(f);
        for (const id of ALL) assert.equal(bytes.indexOf(Buffer.from(id)), -1, `${id.slice(0, 4)}… in ${f}`);
    }
});

test('the numbers never appear in answers, events, the access log or reports', async () => {
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: (await api(srv, 'GET', '/hall')).json.timezone || 'Asia/Shanghai' }).format(new Date());
    for (const p of ['/tickets', `/reports/day.csv?date=${day}`, `/stats?from=${day}&to=${day}`]) {
        const r = await api(srv, 'GET', p, undefined, { token: A });
        assert.equal(r.status, 200, `${p}: ${r.text.slice(0, 200)}`);
        seen.push(r.text);
    }
    const all = [...seen, events.text, srv.stderr()].join('\n');
    for (const id of ALL) {
        assert.ok(!all.includes(id), `${id.slice(0, 4)}… found`);
        assert.ok(!all.includes(id.toLowerCase()));
        assert.ok(!all.includes(id.slice(6, 14) + id.slice(14)), 'not even its tail');
    }
    assert.ok(events.events.some((e) => e.event === 'ticket.issued'), 'events were received');
});
