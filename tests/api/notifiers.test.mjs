// SPDX-License-Identifier: MIT
// notifiers.test.mjs — notifiers end to end (docs/NOTIFY.md) with a real webhook receiver on
// loopback: the admin's routes and their roles, the secret never read back, validation; a ticket
// issued with a phone gets ticket.near once at 3 ahead and ticket.called when called, signed
// (HMAC-SHA256 checked here), with the body of API.md; a receiver answering 500 and one never
// answering get the delivery again (same id) until it is taken; a command notifier gets the body
// on stdin; the phone never appears in public answers, events or the server's log.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { hall, api, act, assertError, issue, sse } from './lib/server.mjs';
import { receiver, sign, until } from './lib/receiver.mjs';

const { srv, tokens } = await hall(after, { env: { HALLQ_NOTIFY_RETRY_MS: '200' } });
const A = tokens.admin;
const rx = await receiver();
after(() => rx.close());
const SECRET = 'hook-secret-0123456789';
const PHONE = '13812345678';

const of = (type, number) => rx.got.filter((r) => r.json?.type === type && r.json?.ticket?.number === number);

describe('the routes', () => {
    test('admin only: 401 without a login, 403 for other roles', async () => {
        assertError(await api(srv, 'GET', '/notifiers'), 401, 'unauthenticated');
        for (const who of ['clerk1', 'guide1', 'manager1']) {
            assertError(await api(srv, 'GET', '/notifiers', undefined, { token: tokens[who] }), 403, 'forbidden');
            assertError(await api(srv, 'POST', '/notifiers', { kind: 'command', argv: ['/bin/true'], events: ['ticket.called'] }, { token: tokens[who] }), 403, 'forbidden');
        }
    });

    test('bad notifiers are refused with the field at fault, nothing created', async () => {
        const bad = [
            [{ kind: 'sms', url: rx.url, secret: 's', events: ['ticket.near'] }, 'kind'],
            [{ kind: 'webhook', url: 'ftp://x', secret: 's', events: ['ticket.near'] }, 'url'],
            [{ kind: 'webhook', url: rx.url, events: ['ticket.near'] }, 'secret'],
            [{ kind: 'webhook', url: rx.url, secret: '', events: ['ticket.near'] }, 'secret'],
            [{ kind: 'webhook', url: rx.url, secret: 's', events: [] }, 'events'],
            [{ kind: 'webhook', url: rx.url, secret: 's', events: ['ticket.gone'] }, 'events[0]'],
            [{ kind: 'webhook', url: rx.url, secret: 's', events: ['ticket.near', 'ticket.near'] }, 'events[1]'],
            [{ kind: 'webhook', url: rx.url, secret: 's', events: ['ticket.near'], argv: ['/bin/true'] }, 'argv'],
            [{ kind: 'webhook', url: rx.url, secret: 's', events: ['ticket.near'], near: 0 }, 'near'],
            [{ kind: 'command', argv: ['true'], events: ['ticket.near'] }, 'argv'],
            [{ kind: 'command', argv: [], events: ['ticket.near'] }, 'argv'],
            [{ kind: 'command', argv: ['/bin/true'], url: rx.url, events: ['ticket.near'] }, 'url'],
            [{ kind: 'webhook', url: rx.url, secret: 's', events: ['ticket.near'], extra: 1 }, 'extra'],
        ];
        for (const [body, field] of bad) assertError(await api(srv, 'POST', '/notifiers', body, { token: A }), 400, 'invalid_field', field);
        assert.deepEqual((await api(srv, 'GET', '/notifiers', undefined, { token: A })).json, []);
    });

    test('create, change, delete; the secret is never read back', async () => {
        let r = await api(srv, 'POST', '/notifiers', { kind: 'webhook', url: rx.url + '?x', secret: 'first-secret', events: ['appointment.booked'] }, { token: A });
        assert.equal(r.status, 201, r.text);
        const id = r.json.id;
        assert.equal(r.json.secret_set, true);
        assert.equal(r.json.near, 3);
        assert.ok(!r.text.includes('first-secret'));
        r = await api(srv, 'PUT', `/notifiers/${id}`, { events: ['appointment.reminder'], near: 5 }, { token: A });
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.json.events, ['appointment.reminder']);
        assert.equal(r.json.near, 5);
        assert.equal(r.json.url, rx.url + '?x', 'fields left out keep their value');
        assertError(await api(srv, 'PUT', `/notifiers/${id}`, { kind: 'command' }, { token: A }), 400, 'invalid_field', 'kind');
        assertError(await api(srv, 'PUT', '/notifiers/0123456789abcdef', { near: 2 }, { token: A }), 404, 'not_found');
        r = await api(srv, 'GET', '/notifiers', undefined, { token: A });
        assert.equal(r.json.length, 1);
        assert.ok(!r.text.includes('first-secret') && !('secret' in r.json[0]));
        r = await api(srv, 'DELETE', `/notifiers/${id}`, undefined, { token: A });
        assert.deepEqual(r.json, { id, deleted: true });
        assertError(await api(srv, 'DELETE', `/notifiers/${id}`, undefined, { token: A }), 404, 'not_found');
        assert.deepEqual((await api(srv, 'GET', '/notifiers', undefined, { token: A })).json, []);
    });
});

describe('deliveries', () => {
    let stream;
    after(() => stream?.close?.());

    test('ticket.near once at 3 ahead, ticket.called at the call, signed, the body of API.md', async () => {
        const r = await api(srv, 'POST', '/notifiers', { kind: 'webhook', url: rx.url, secret: SECRET, events: ['ticket.near', 'ticket.called'] }, { token: A });
        assert.equal(r.status, 201, r.text);
        stream = sse(srv);
        await stream.ready;
        for (let i = 0; i < 6; i++) await issue(srv, { service: 'A' });
        const mine = await issue(srv, { service: 'A', channel: 'guide', phone: PHONE }, tokens.guide1);
        assert.equal(mine.ahead, 6);
        assert.ok(!JSON.stringify(mine).includes(PHONE), 'the answer masks the phone');
        await act(srv, 1, 'open', tokens.clerk1);
        const serveOne = async () => {
            await act(srv, 1, 'call-next', tokens.clerk1);
            await act(srv, 1, 'start', tokens.clerk1);
            await act(srv, 1, 'finish', tokens.clerk1);
        };
        await serveOne();
        await serveOne();
        assert.equal(of('ticket.near', mine.number).length, 0, 'not near at 4 ahead');
        await serveOne(); // 3 ahead now
        const near = await until(() => of('ticket.near', mine.number)[0], 'ticket.near');
        await serveOne(); // 2 ahead: no second one
        await serveOne();
        await serveOne();
        const called = await act(srv, 1, 'call-next', tokens.clerk1);
        assert.equal(called.ticket.number, mine.number);
        const call = await until(() => of('ticket.called', mine.number)[0], 'ticket.called');
        assert.equal(of('ticket.near', mine.number).length, 1, 'ticket.near once');
        for (const d of [near, call]) {
            assert.equal(d.method, 'POST');
            assert.equal(d.headers['x-hallq-signature'], sign(SECRET, d.raw), 'signature');
            assert.equal(d.headers['x-hallq-event'], d.json.type);
            assert.equal(d.headers['x-hallq-delivery'], d.json.id);
            assert.match(d.headers['content-type'], /^application\/json/);
            assert.deepEqual(Object.keys(d.json), ['id', 'type', 'at', 'to', 'text', 'ticket', 'appointment']);
            assert.deepEqual(d.json.to, { phone: PHONE });
            assert.equal(typeof d.json.text.zh, 'string');
            assert.equal(typeof d.json.text.en, 'string');
            assert.ok(d.json.text.zh.includes(mine.number) && d.json.text.en.includes(mine.number));
            assert.ok(!Number.isNaN(Date.parse(d.json.at)));
            assert.equal(d.json.appointment, null);
            assert.deepEqual(Object.keys(d.json.ticket), ['number', 'service', 'ahead', 'window']);
        }
        assert.deepEqual(near.json.ticket, { number: mine.number, service: 'A', ahead: 3, window: null });
        assert.deepEqual(call.json.ticket, { number: mine.number, service: 'A', ahead: 0, window: 1 });
        assert.notEqual(near.json.id, call.json.id);
        // tickets without a phone got nothing
        assert.ok(rx.got.every((d) => d.json.to.phone === PHONE));
        await act(srv, 1, 'start', tokens.clerk1);
        await act(srv, 1, 'finish', tokens.clerk1);
    });

    test('a ticket issued already near gets ticket.near at once', async () => {
        const t = await issue(srv, { service: 'A', channel: 'guide', phone: '13900000001' }, tokens.guide1);
        assert.ok(t.ahead <= 3);
        const d = await until(() => of('ticket.near', t.number)[0], 'ticket.near at issue');
        assert.equal(d.json.ticket.ahead, t.ahead);
        await api(srv, 'POST', `/tickets/${t.id}/cancel`);
    });

    test('a cancel ahead that moves a ticket within 3 sends ticket.near', async () => {
        const ahead = [];
        for (let i = 0; i < 4; i++) ahead.push(await issue(srv, { service: 'C' }));
        const t = await issue(srv, { service: 'C', channel: 'guide', phone: '13900000005' }, tokens.guide1);
        assert.equal(t.ahead, 4);
        await api(srv, 'POST', `/tickets/${ahead[3].id}/cancel`);
        await api(srv, 'POST', `/tickets/${ahead[2].id}/cancel`); // 2 ahead: still one message
        const d = await until(() => of('ticket.near', t.number)[0], 'ticket.near after a cancel');
        assert.equal(d.json.ticket.ahead, 3);
        for (const x of [ahead[0], ahead[1], t]) await api(srv, 'POST', `/tickets/${x.id}/cancel`);
        assert.equal(of('ticket.near', t.number).length, 1);
    });

    test('a 500 answer is retried with the same id until a 2xx', async () => {
        let fails = 2;
        rx.set((r) => (r.json?.to?.phone === '13900000002' && fails-- > 0 ? 500 : 200));
        const t = await issue(srv, { service: 'B', channel: 'guide', phone: '13900000002' }, tokens.guide1);
        await until(() => of('ticket.near', t.number).length >= 3, 'three attempts');
        const tries = of('ticket.near', t.number);
        assert.ok(tries.every((d) => d.json.id === tries[0].json.id && d.raw === tries[0].raw), 'the same delivery each time');
        await new Promise((r) => setTimeout(r, 1500)); // taken at the third: no fourth
        assert.equal(of('ticket.near', t.number).length, 3);
        rx.set(() => 200);
        await api(srv, 'POST', `/tickets/${t.id}/cancel`);
    });

    test('no answer within 10 s is retried', async () => {
        let held = false;
        rx.set((r) => {
            if (r.json?.to?.phone === '13900000003' && !held) {
                held = true;
                return null; // never answer
            }
            return 200;
        });
        const t = await issue(srv, { service: 'B', channel: 'guide', phone: '13900000003' }, tokens.guide1);
        await until(() => of('ticket.near', t.number).length >= 2, 'a second attempt after the timeout', 60000);
        const tries = of('ticket.near', t.number);
        assert.equal(tries[0].json.id, tries[1].json.id);
        rx.set(() => 200);
        await api(srv, 'POST', `/tickets/${t.id}/cancel`);
    });

    test('a command notifier gets the body on stdin, without a shell in between', async () => {
        const dir = fs.mkdtempSync(path.join(srv.dir, 'cmd-'));
        const script = path.join(dir, 'send.sh');
        fs.writeFileSync(script, '#!/bin/sh\ncat > "$1/$HALLQ_DELIVERY.json"\n', { mode: 0o755 });
        const r = await api(srv, 'POST', '/notifiers', { kind: 'command', argv: [script, dir], events: ['ticket.called'] }, { token: A });
        assert.equal(r.status, 201, r.text);
        assert.deepEqual(r.json.argv, [script, dir]);
        assert.equal(r.json.url, null);
        assert.equal(r.json.secret_set, false);
        await srv.restart(); // both notifiers are read back from the store
        const kept = (await api(srv, 'GET', '/notifiers', undefined, { token: A })).json;
        assert.deepEqual(kept.map((n) => n.kind).sort(), ['command', 'webhook']);
        assert.deepEqual(kept.find((n) => n.kind === 'command'), r.json);
        const t = await issue(srv, { service: 'A', channel: 'guide', phone: '13900000004' }, tokens.guide1);
        const c = await act(srv, 1, 'call-next', tokens.clerk1);
        assert.equal(c.ticket.number, t.number);
        const file = await until(() => fs.readdirSync(dir).find((f) => f.endsWith('.json')), 'the command wrote its stdin');
        const body = JSON.parse(await until(() => {
            const s = fs.readFileSync(path.join(dir, file), 'utf8');
            try {
                JSON.parse(s);
                return s;
            } catch {
                return null;
            }
        }, 'a whole body'));
        assert.equal(body.type, 'ticket.called');
        assert.equal(body.id + '.json', file);
        assert.deepEqual(body.to, { phone: '13900000004' });
        assert.equal(body.ticket.number, t.number);
        await act(srv, 1, 'start', tokens.clerk1);
        await act(srv, 1, 'finish', tokens.clerk1);
        await api(srv, 'DELETE', `/notifiers/${r.json.id}`, undefined, { token: A });
    });

    test('the phone never leaves hallq except through notifiers', async () => {
        const events = await api(srv, 'GET', '/tickets?status=waiting', undefined, { token: tokens.guide1 });
        assert.ok(!events.text.includes(PHONE));
        assert.ok(stream.text.length > 0 && !stream.text.includes(PHONE), 'no phone in the event stream');
        for (const p of ['13812345678', '13900000001', '13900000002', '13900000003', '13900000004']) assert.ok(!srv.stderr().includes(p), 'no phone in the log');
        const list = await api(srv, 'GET', '/notifiers', undefined, { token: A });
        assert.ok(!list.text.includes(SECRET));
    });
});

describe('appointments', () => {
    test('a booking gets appointment.booked through the notifier, signed, with the booking code', async () => {
        const ALL_DAY = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, '00:00-23:55']));
        let r = await api(srv, 'PUT', '/services/A', { hours: ALL_DAY, bookable: true }, { token: A });
        assert.equal(r.status, 200, r.text);
        r = await api(srv, 'POST', '/notifiers', { kind: 'webhook', url: rx.url, secret: SECRET, events: ['appointment.booked'] }, { token: A });
        assert.equal(r.status, 201, r.text);
        const nid = r.json.id;
        const day = new Date(Date.now() + 2 * 86400e3).toISOString().slice(0, 10);
        r = await api(srv, 'GET', `/appointments/slots?service=A&date=${day}`);
        assert.equal(r.status, 200, r.text);
        const slot = r.json.slots.find((s) => s.available > 0);
        assert.ok(slot, 'a free slot the day after tomorrow');
        const phone = '13700000077';
        r = await api(srv, 'POST', '/appointments', { service: 'A', start: slot.start, phone }, { token: tokens.guide1 });
        assert.equal(r.status, 201, r.text);
        assert.ok(!r.text.includes(phone), 'the phone is not echoed');
        const code = r.json.code;
        const got = await until(() => rx.got.find((x) => x.json?.type === 'appointment.booked' && x.json?.appointment?.code === code), 'appointment.booked delivered');
        assert.deepEqual(got.json.to, { phone });
        assert.equal(got.json.appointment.service, 'A');
        assert.equal(got.json.ticket, null);
        assert.equal(got.headers['x-hallq-signature'], sign(SECRET, got.raw));
        assert.ok(got.json.text.zh.includes(code), got.json.text.zh);
        await api(srv, 'DELETE', `/notifiers/${nid}`, undefined, { token: A });
    });
});
