// SPDX-License-Identifier: MIT
// help.test.mjs — help requests (issue 18): POST /help from a registered kiosk or pad (its device
// key) or by a ticket's id; the guide sees it live (help.requested over SSE, nothing personal: no
// ticket id, no phone), acknowledges and closes it (help.acknowledged, help.closed); a second ask
// from the same place while open gives the same request back; refusals (no device nor ticket,
// unknown ticket, bad fields, the clerk's role, acting twice); the requests survive a restart and
// GET /stats counts them with the median time to acknowledge. GET /speech/{key} says fixed phrases
// and service names only, in the hall's voice.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { hall, api, assertError, issue, sse } from './lib/server.mjs';
import { getBytes, parseWav } from './lib/media_helpers.mjs';

const { srv, tokens } = await hall(after);
const PHONE = '13812345678';

describe('help requests', () => {
    let kioskKey, padKey, fromKiosk, fromTicket, ticket;
    test('a kiosk asks: 201, the guide sees help.requested live, nothing personal', async () => {
        kioskKey = (await api(srv, 'POST', '/devices', { name: 'kiosk-east' }, { token: tokens.admin })).json.key;
        padKey = (await api(srv, 'POST', '/devices', { name: 'pad-2' }, { token: tokens.admin })).json.key;
        const ev = sse(srv);
        await ev.ready;
        const r = await api(srv, 'POST', '/help', {}, { headers: { 'X-Device-Key': kioskKey } });
        assert.equal(r.status, 201, r.text);
        fromKiosk = r.json;
        assert.equal(r.json.source, 'kiosk');
        assert.equal(r.json.place, 'kiosk-east');
        assert.equal(r.json.status, 'open');
        assert.equal(r.json.ack_s, null);
        const e = await ev.waitFor((x) => x.event === 'help.requested' && x.data?.id === r.json.id);
        assert.equal(e.data.place, 'kiosk-east');
        // the same kiosk again while open: the same request, no second alert
        const again = await api(srv, 'POST', '/help', { from: 'kiosk' }, { headers: { 'X-Device-Key': kioskKey } });
        assert.equal(again.status, 200, again.text);
        assert.equal(again.json.id, r.json.id);
        // a ticket holder from the tracking page: its number, never its id or phone
        ticket = await issue(srv, { service: 'A', channel: 'web', phone: PHONE });
        const t = await api(srv, 'POST', '/help', { ticket: ticket.id });
        assert.equal(t.status, 201, t.text);
        fromTicket = t.json;
        assert.equal(t.json.source, 'ticket');
        assert.equal(t.json.number, ticket.number);
        assert.ok(!t.text.includes(ticket.id), 'no ticket id in the answer');
        const te = await ev.waitFor((x) => x.event === 'help.requested' && x.data?.id === t.json.id);
        ev.close();
        assert.equal(te.data.number, ticket.number);
        for (const bad of [ticket.id, PHONE, '5678']) assert.ok(!te.raw.includes(bad), `no ${bad} in the event`);
        // a pad, with its window
        const p = await api(srv, 'POST', '/help', { from: 'pad', window: 2 }, { headers: { 'X-Device-Key': padKey } });
        assert.equal(p.status, 201, p.text);
        assert.equal(p.json.window, 2);
        assert.equal(p.json.place, 'pad-2');
    });
    test('refusals: no device nor ticket, unknown ticket, bad fields', async () => {
        assertError(await api(srv, 'POST', '/help', {}), 401, 'unauthenticated');
        assertError(await api(srv, 'POST', '/help', { ticket: '0123456789abcdef0123456789abcdef' }), 400, 'invalid_field', 'ticket');
        assertError(await api(srv, 'POST', '/help', { from: 'ticket' }), 400, 'invalid_field', 'ticket');
        assertError(await api(srv, 'POST', '/help', { from: 'lobby' }, { headers: { 'X-Device-Key': kioskKey } }), 400, 'invalid_field', 'from');
        assertError(await api(srv, 'POST', '/help', { window: 0, from: 'pad' }, { headers: { 'X-Device-Key': padKey } }), 400, 'invalid_field', 'window');
        assertError(await api(srv, 'POST', '/help', { text: 'hello' }, { headers: { 'X-Device-Key': kioskKey } }), 400, 'invalid_field');
        assertError(await api(srv, 'POST', '/help/ffffffffffffffff/ack', undefined, { token: tokens.guide1 }), 404, 'not_found');
        assertError(await api(srv, 'GET', '/help/nope'), 404, 'not_found');
        assertError(await api(srv, 'GET', '/help'), 401, 'unauthenticated');
        assertError(await api(srv, 'POST', `/help/${fromKiosk.id}/ack`, undefined, { token: tokens.clerk1 }), 403, 'forbidden');
        assert.equal((await api(srv, 'GET', `/help/${fromKiosk.id}`)).json.status, 'open', 'nothing changed');
    });
    test('the guide acknowledges and closes; twice is 409; the asker sees it', async () => {
        const ev = sse(srv);
        await ev.ready;
        const list = await api(srv, 'GET', '/help', undefined, { token: tokens.guide1 });
        assert.equal(list.status, 200, list.text);
        assert.equal(list.json.length, 3);
        assert.ok(!list.text.includes(ticket.id));
        const ack = await api(srv, 'POST', `/help/${fromKiosk.id}/ack`, undefined, { token: tokens.guide1 });
        assert.equal(ack.status, 200, ack.text);
        assert.equal(ack.json.status, 'acknowledged');
        assert.equal(ack.json.acknowledged_by, 'guide1');
        assert.ok(ack.json.ack_s >= 0);
        const e = await ev.waitFor((x) => x.event === 'help.acknowledged' && x.data?.id === fromKiosk.id);
        assert.equal(e.data.status, 'acknowledged');
        const twice = await api(srv, 'POST', `/help/${fromKiosk.id}/ack`, undefined, { token: tokens.manager1 });
        assertError(twice, 409, 'conflict');
        assert.match(twice.json.error.message, /guide1/);
        const seen = await api(srv, 'GET', `/help/${fromKiosk.id}`);
        assert.equal(seen.json.status, 'acknowledged');
        assert.equal(seen.json.acknowledged_by, undefined, 'the public view does not name the guide');
        const close = await api(srv, 'POST', `/help/${fromKiosk.id}/close`, undefined, { token: tokens.guide1 });
        assert.equal(close.status, 200, close.text);
        assert.equal(close.json.status, 'closed');
        await ev.waitFor((x) => x.event === 'help.closed' && x.data?.id === fromKiosk.id);
        ev.close();
        assertError(await api(srv, 'POST', `/help/${fromKiosk.id}/close`, undefined, { token: tokens.guide1 }), 409, 'conflict');
        // closed: the kiosk may ask again, a new request
        const next = await api(srv, 'POST', '/help', {}, { headers: { 'X-Device-Key': kioskKey } });
        assert.equal(next.status, 201, next.text);
        assert.notEqual(next.json.id, fromKiosk.id);
        // a ticket's request closed without acknowledgement
        assert.equal((await api(srv, 'POST', `/help/${fromTicket.id}/close`, undefined, { token: tokens.admin })).status, 200);
    });
    test('kept across a restart and counted in GET /stats', async () => {
        await srv.restart();
        const list = await api(srv, 'GET', '/help', undefined, { token: tokens.manager1 });
        assert.equal(list.status, 200, list.text);
        assert.equal(list.json.length, 4);
        const st = list.json.find((x) => x.id === fromKiosk.id);
        assert.equal(st.status, 'closed');
        assert.equal(st.closed_by, 'guide1');
        const stats = await api(srv, 'GET', '/stats', undefined, { token: tokens.manager1 });
        assert.equal(stats.status, 200, stats.text);
        const h = stats.json.help_requests;
        assert.equal(h.count, 4);
        assert.equal(h.acknowledged, 1);
        assert.equal(h.closed, 2);
        assert.equal(h.median_ack_s, st.ack_s);
    });
    test('public askers are rate limited per address', async () => {
        const t = await issue(srv, { service: 'B', channel: 'web' });
        let limited = null;
        for (let i = 0; i < 8 && !limited; i++) {
            const r = await api(srv, 'POST', '/help', { ticket: t.id });
            if (r.status === 429) limited = r;
            else assert.ok(r.status === 201 || r.status === 200, r.text);
        }
        assert.ok(limited, 'refused after 5 a minute');
        assertError(limited, 429, 'rate_limited');
    });
    test('speech: a fixed phrase or a service name as WAV, nothing else', async () => {
        const g = await getBytes(srv, '/speech/help');
        assert.equal(g.status, 200, g.text.slice(0, 300));
        assert.match(g.headers.get('content-type'), /^audio\/wav/);
        const w = parseWav(g.body);
        assert.equal(w.format, 1, 'PCM');
        assert.ok(w.seconds > 0.3, `speech of plausible length: ${w.seconds}`);
        const svc = await getBytes(srv, '/speech/svc-A?lang=en');
        assert.equal(svc.status, 200, svc.text.slice(0, 300));
        const again = await getBytes(srv, '/speech/svc-A?lang=en');
        assert.ok(again.body.equals(svc.body), 'cached: the same bytes');
        for (const k of ['svc-Z', 'hello', 'svc-a', '..%2F..%2Fetc']) assert.equal((await getBytes(srv, `/speech/${k}`)).status, 404, k);
        assert.equal((await getBytes(srv, '/speech/help?lang=fr')).status, 400);
    });
});
