// SPDX-License-Identifier: MIT
// events.test.mjs — Server-Sent Events over real sockets: id/event/data framing, every event type
// emitted by the action that causes it, Last-Event-ID replay after a dropped connection (nothing
// lost, nothing repeated, ids strictly increasing), live-only without the header, no ticket ids or
// personal data in events, the /display snapshot, and many streams sharing each event's frame while
// one that stops reading is dropped and replays what it missed.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { hall, api, issue, act, sse, assertIds, list, scale, parseEvents } from './lib/server.mjs';

const { srv, tokens } = await hall(after);
const ids = new Set(); // every ticket id we were given: none may appear in an event

const streams = [];
after(() => streams.forEach((s) => s.close()));
function open(opts) {
    const s = sse(srv, opts);
    streams.push(s);
    return s;
}

describe('framing and live delivery', () => {
    test('GET /events is text/event-stream; a ticket.issued arrives with id, event and data', async () => {
        const s = open();
        await s.ready;
        assert.equal(s.status, 200);
        assert.match(s.headers['content-type'], /^text\/event-stream/);
        const t = await issue(srv, { service: 'A' });
        ids.add(t.id);
        const e = await s.waitFor((x) => x.event === 'ticket.issued' && x.data?.number === t.number);
        assert.match(e.id, /^\d+$/);
        assert.equal(typeof e.data, 'object', 'data is JSON');
        assert.equal(e.data.service, 'A');
        assert.ok(!e.raw.includes(t.id), 'no ticket id in the event');
        s.close();
    });
    test('without Last-Event-ID: live events only', async () => {
        const s = open();
        await s.ready;
        const t = await issue(srv, { service: 'B' });
        await s.waitFor((x) => x.event === 'ticket.issued' && x.data?.number === t.number);
        assert.equal(s.events[0].data?.number, t.number, `first event is the new one, no replay: ${s.events.map((e) => e.event)}`);
        s.close();
    });
});

describe('every event type comes from its action', () => {
    let s;
    const seen = () => new Set(s.events.map((e) => e.event));
    test('setup: a stream from the start of the log', async () => {
        s = open({ lastEventId: 0 });
        await s.ready;
        await act(srv, 1, 'open', tokens.clerk1);
        await act(srv, 2, 'open', tokens.clerk2);
    });
    const steps = [
        ['window.opened', async () => {}],
        ['ticket.issued', async () => ids.add((await issue(srv, { service: 'A', phone: '13800001111' })).id)],
        ['ticket.called', async () => {
            const r = await act(srv, 1, 'call-next', tokens.clerk1);
            assert.ok(r.ticket, 'a ticket is called');
        }],
        ['ticket.recalled', () => act(srv, 1, 'recall', tokens.clerk1)],
        ['ticket.started', () => act(srv, 1, 'start', tokens.clerk1)],
        ['ticket.transferred', () => act(srv, 1, 'transfer', tokens.clerk1, { service: 'B' })],
        ['ticket.finished', async () => {
            await act(srv, 2, 'call-next', tokens.clerk2);
            await act(srv, 2, 'start', tokens.clerk2);
            await act(srv, 2, 'finish', tokens.clerk2);
        }],
        ['ticket.no_show', async () => {
            ids.add((await issue(srv, { service: 'B' })).id);
            await act(srv, 2, 'call-next', tokens.clerk2);
            await act(srv, 2, 'no-show', tokens.clerk2);
        }],
        ['ticket.requeued', async () => {
            const r = await api(srv, 'GET', '/tickets?status=no_show', undefined, { token: tokens.guide1 });
            const t = list(r.json, 'tickets')[0];
            const q = await api(srv, 'POST', `/tickets/${t.id}/requeue`, undefined, { token: tokens.guide1 });
            assert.equal(q.status, 200, q.text);
        }],
        ['ticket.cancelled', async () => {
            const t = await issue(srv, { service: 'C' });
            ids.add(t.id);
            assert.equal((await api(srv, 'POST', `/tickets/${t.id}/cancel`)).status, 200);
        }],
        ['window.paused', () => act(srv, 1, 'pause', tokens.clerk1, { reason: '午休', back_in_s: 300 })],
        ['window.resumed', () => act(srv, 1, 'resume', tokens.clerk1)],
        ['window.closed', () => act(srv, 1, 'close', tokens.clerk1)],
        ['notice.posted', async () => {
            const r = await api(srv, 'POST', '/notices', { text: '系统维护' }, { token: tokens.admin });
            assert.equal(r.status, 201, r.text);
            s.noticeId = r.json.id;
        }],
        ['notice.cleared', async () => {
            const r = await api(srv, 'DELETE', `/notices/${s.noticeId}`, undefined, { token: tokens.admin });
            assert.ok(r.status === 200 || r.status === 204, r.text);
        }],
        ['evaluation.recorded', async () => {
            const r = await api(srv, 'GET', '/tickets?status=done', undefined, { token: tokens.guide1 });
            const t = list(r.json, 'tickets')[0];
            const e = await api(srv, 'POST', '/evaluations', { ticket: t.id, level: 4, reasons: [], comment: '' });
            assert.equal(e.status, 201, e.text);
        }],
        ['complaint.received', async () => {
            const r = await api(srv, 'POST', '/complaints', { channel: 'web', content: '等候时间太长', contact: 'me@example.com' });
            assert.equal(r.status, 201, r.text);
        }],
    ];
    for (const [type, fn] of steps)
        test(`${type}`, async () => {
            await fn();
            await s.waitFor((e) => e.event === type, 5000);
        });
    test('the stream: strictly increasing ids, no ticket id, no phone, no contact', () => {
        assertIds(s.events, { contiguous: true });
        for (const id of ids) assert.ok(!s.text.includes(id), `ticket id ${id} in the stream`);
        assert.ok(!s.text.includes('13800001111'), 'phone in the stream');
        assert.ok(!s.text.includes('me@example.com'), 'complaint contact in the stream');
        assert.ok(seen().size >= steps.length);
        s.close();
    });
});

describe('replay after a dropped connection', () => {
    test('Last-Event-ID: every missed event, in order, none repeated, then live ones', async () => {
        const a = open({ lastEventId: 0 });
        await a.ready;
        const t0 = await issue(srv, { service: 'A' });
        await a.waitFor((e) => e.event === 'ticket.issued' && e.data?.number === t0.number);
        const last = Number(a.events.at(-1).id);
        a.close(); // dropped
        const missed = [];
        for (let i = 0; i < 10; i++) missed.push((await issue(srv, { service: i % 2 ? 'A' : 'B' })).number);
        const b = open({ lastEventId: last });
        await b.ready;
        await b.waitFor((e) => e.event === 'ticket.issued' && e.data?.number === missed.at(-1));
        const live = await issue(srv, { service: 'C' });
        await b.waitFor((e) => e.event === 'ticket.issued' && e.data?.number === live.number);
        assertIds(b.events, { contiguous: true, after: last });
        assert.equal(Number(b.events[0].id), last + 1, 'replay starts right after Last-Event-ID');
        const issued = b.events.filter((e) => e.event === 'ticket.issued').map((e) => e.data.number);
        assert.deepEqual(issued, [...missed, live.number], 'every missed ticket once, then the live one');
        // the same as a full replay's tail
        const full = open({ lastEventId: 0 });
        await full.ready;
        await full.waitFor((e) => e.event === 'ticket.issued' && e.data?.number === live.number);
        assertIds(full.events, { contiguous: true });
        const tail = full.events.filter((e) => Number(e.id) > last).map((e) => `${e.id}:${e.event}:${e.raw}`);
        assert.deepEqual(b.events.map((e) => `${e.id}:${e.event}:${e.raw}`), tail);
        b.close();
        full.close();
    });
    test('many drops and reconnects while events flow: nothing lost or repeated', async () => {
        const got = [];
        let last = 0;
        const ref = open({ lastEventId: 0 });
        await ref.ready;
        for (let round = 0; round < 5; round++) {
            const s = open({ lastEventId: last });
            await s.ready;
            const p = [];
            for (let i = 0; i < 8; i++) p.push(issue(srv, { service: 'A' }));
            const ts = await Promise.all(p);
            const maxNum = ts.map((t) => t.number).sort().at(-1);
            await s.waitFor((e) => e.event === 'ticket.issued' && e.data?.number === maxNum);
            await new Promise((r) => setTimeout(r, 50));
            s.close();
            got.push(...s.events);
            last = Number(s.events.at(-1).id);
        }
        assertIds(got, { contiguous: true });
        assert.equal(got[0].id, ref.events[0].id, 'Last-Event-ID: 0 starts at the first event');
        await ref.waitFor((e) => Number(e.id) === last);
        assert.deepEqual(got.map((e) => e.id), ref.events.filter((e) => Number(e.id) <= last).map((e) => e.id));
        ref.close();
    });
    test('a Last-Event-ID beyond the log or not a number is refused or treated as live, never a crash', async () => {
        for (const v of ['999999999', 'abc', '-5', '18446744073709551616']) {
            const s = open({ lastEventId: v });
            await s.ready.catch(() => {});
            assert.ok(s.status === 200 || (s.status >= 400 && s.status < 500), `Last-Event-ID ${v}: ${s.status}`);
            s.close();
        }
        assert.equal((await api(srv, 'GET', '/health')).status, 200);
    });
});

describe('heartbeat', () => {
    test('an idle stream gets a ": ping" comment within 20 s', async () => {
        const s = open();
        await s.ready;
        const t0 = Date.now();
        while (!s.comments.some((c) => /^:\s*ping/.test(c)) && Date.now() - t0 < 20000) await new Promise((r) => setTimeout(r, 200));
        s.close();
        assert.ok(s.comments.some((c) => /^:\s*ping/.test(c)), `no ping in ${Date.now() - t0} ms: ${JSON.stringify(s.comments)}`);
    });
});

describe('many streams, one of them stalled', () => {
    // Every event is formatted once and shared by all streams. A stream that stops reading falls
    // behind until the server drops it (hallq_sse_dropped_total). The complete events it had
    // received (a last one may be cut off, which EventSource discards) and what a reconnect with
    // Last-Event-ID replays are together exactly what a stream that kept reading got. The others
    // are not held up and miss nothing.
    const dropped = async () => {
        const r = await api(srv, 'GET', '/metrics', undefined, { token: tokens.admin });
        assert.equal(r.status, 200, r.text);
        return Number(/^hallq_sse_dropped_total (\d+)/m.exec(r.text)[1]);
    };
    test('the stalled stream is dropped and replays without loss; the others get every event', async () => {
        const ref = open();
        const many = Array.from({ length: scale(20, 8) }, () => open());
        await Promise.all([ref, ...many].map((s) => s.ready));
        // the stalled one: reads its headers, then nothing until it is dropped
        let text = '';
        let ended = false;
        const u = new URL(srv.url + '/api/v1/events');
        const res = await new Promise((resolve, reject) => {
            const q = http.get({ host: u.hostname, port: u.port, path: u.pathname, agent: false, headers: { accept: 'text/event-stream' } }, resolve);
            q.on('error', reject);
            streams.push({ close: () => q.destroy() });
        });
        assert.equal(res.statusCode, 200);
        res.pause();
        const before = await dropped();
        const note = (i) => ({ text: `第${i}号通知：` + '窗口调整'.repeat(38), text_en: `notice ${i} ` + 'x'.repeat(480) });
        let posted = 0;
        while ((await dropped()) === before) {
            assert.ok(posted < 40000, `not dropped after ${posted} events of about 1 KB`);
            const batch = [];
            for (let i = 0; i < 20; i++) batch.push(api(srv, 'POST', '/notices', note(posted + i), { token: tokens.admin }));
            for (const r of await Promise.all(batch)) assert.equal(r.status, 201, r.text);
            posted += 20;
        }
        const marker = await issue(srv, { service: 'A' });
        await ref.waitFor((e) => e.event === 'ticket.issued' && e.data?.number === marker.number, 30000);
        const lastId = Number(ref.events.at(-1).id);
        // the stalled stream reads again: what it had, then the end of the stream
        res.setEncoding('utf8');
        const end = new Promise((resolve) => res.on('end', () => ((ended = true), resolve())));
        res.on('data', (d) => (text += d));
        res.resume();
        await end;
        assert.ok(ended);
        const got = parseEvents(text);
        assert.ok(got.length > 0 && Number(got.at(-1).id) < lastId, 'dropped before the end');
        const first = Number(got[0].id);
        const replay = open({ lastEventId: got.at(-1).id });
        await replay.ready;
        await replay.waitFor((e) => Number(e.id) === lastId, 30000);
        const joined = [...got, ...replay.events].map((e) => `${e.id}:${e.event}:${e.raw}`);
        const expected = ref.events.filter((e) => Number(e.id) >= first && Number(e.id) <= lastId).map((e) => `${e.id}:${e.event}:${e.raw}`);
        assert.equal(joined.length, expected.length, 'no event lost or repeated');
        assert.deepEqual(joined, expected);
        assertIds([...got, ...replay.events], { contiguous: true });
        // the others got every event, in order, once
        for (const s of many) {
            await s.waitFor((e) => Number(e.id) === lastId, 30000);
            assertIds(s.events, { contiguous: true });
            assert.deepEqual(s.events.map((e) => e.id), ref.events.filter((e) => Number(e.id) >= Number(s.events[0].id)).map((e) => e.id));
            assert.ok(!s.closed, 'a stream that kept reading is not dropped');
            s.close();
        }
        replay.close();
        ref.close();
    });
});

describe('/display', () => {
    test('the snapshot a board starts from', async () => {
        await act(srv, 1, 'open', tokens.clerk1);
        const t = await issue(srv, { service: 'C' });
        ids.add(t.id);
        const called = await act(srv, 2, 'call-next', tokens.clerk2);
        const r = await api(srv, 'GET', '/display');
        assert.equal(r.status, 200);
        const d = r.json;
        assert.equal(typeof d.hall.name, 'string');
        assert.ok('hours' in d.hall);
        assert.ok(Array.isArray(d.calls));
        assert.ok(Array.isArray(d.notices));
        for (const c of d.calls) {
            assert.equal(typeof c.number, 'string');
            assert.ok(Number.isInteger(c.window));
            assert.ok('called_at' in c && 'recall' in c);
        }
        if (called.ticket) assert.ok(d.calls.some((c) => c.number === called.ticket.number && c.window === 2));
        for (const code of ['A', 'B', 'C']) assert.ok(Number.isInteger(d.waiting[code]), `waiting.${code}`);
        assert.ok(d.waiting.C >= 1);
        for (const id of ids) assert.ok(!r.text.includes(id), 'no ticket id on the display');
    });
    test('a posted notice shows on the display, a cleared one goes away', async () => {
        const p = await api(srv, 'POST', '/notices', { text: '今日社保窗口延长服务至18:00' }, { token: tokens.admin });
        assert.equal(p.status, 201, p.text);
        let d = (await api(srv, 'GET', '/display')).json;
        assert.ok(JSON.stringify(d.notices).includes('今日社保窗口延长服务至18:00'));
        await api(srv, 'DELETE', `/notices/${p.json.id}`, undefined, { token: tokens.admin });
        d = (await api(srv, 'GET', '/display')).json;
        assert.ok(!JSON.stringify(d.notices).includes('今日社保窗口延长服务至18:00'));
        const r = await api(srv, 'DELETE', '/notices/nope', undefined, { token: tokens.admin });
        assert.equal(r.status, 404);
    });
});
