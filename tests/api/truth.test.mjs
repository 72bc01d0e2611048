// SPDX-License-Identifier: MIT
// truth.test.mjs — one truth for waits, advice and hours, against a real server: tickets issued in
// one second across services are called and counted in issue order, also after a restart; the
// ticket, GET /services and GET /advice give the same predicted wait, with serving_windows and
// (once history exists) wait_range_s; the measured accuracy of the estimate in /advice and /stats;
// advice that names the windows to open and never more than exist; hours with a lunch break
// (stored exactly, half-readable input refused whole, tickets refused with the next opening); the
// public URL setting and the serve command's warning; a ticket of an earlier day read from the
// store.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { api, assertError, hall, issue, act } from './lib/server.mjs';

const hallLocal = () => new Date(Date.now() + 8 * 3600 * 1000); // the default zone, Asia/Shanghai
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const hhmm = (m) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

describe('same-second order across services', () => {
    test('call order and positions follow the issue order, before and after a restart', async () => {
        const { srv, tokens } = await hall(after);
        // no first-service boost: at a window serving A and B only the issue order can decide
        let r = await api(srv, 'PUT', '/hall', { policy: { boost_first_service_s: 0 } }, { token: tokens.admin });
        assert.equal(r.status, 200, r.text);
        const pattern = 'AABABBBAABABAABBBA'.split('');
        const issued = [];
        for (const s of pattern) issued.push(await issue(srv, { service: s }, tokens.guide1)); // guide: not rate limited
        // numbers contradict the issue order: B001 came after A002
        assert.equal(issued[2].number, 'B001');
        assert.equal(issued[1].number, 'A002');
        // position counts the earlier tickets of the same service
        for (let i = 0; i < issued.length; i++) {
            const t = (await api(srv, 'GET', `/tickets/${issued[i].id}`)).json;
            const before = pattern.slice(0, i).filter((c) => c === pattern[i]).length;
            assert.equal(t.ahead, before, `${t.number}`);
            assert.equal(t.position, before + 1);
        }
        await srv.restart();
        for (let i = 0; i < issued.length; i++) {
            const t = (await api(srv, 'GET', `/tickets/${issued[i].id}`)).json;
            assert.equal(t.ahead, pattern.slice(0, i).filter((c) => c === pattern[i]).length, `after restart: ${t.number}`);
        }
        // a ticket issued after the restart goes behind every earlier one, whatever its number
        const late = await issue(srv, { service: 'B' }, tokens.guide1);
        const tk = await srv.login('clerk1', 'clerk1-pass-123').catch(() => tokens.clerk1);
        await act(srv, 1, 'open', tk);
        const called = [];
        for (let i = 0; i <= issued.length; i++) {
            const c = await act(srv, 1, 'call-next', tk);
            called.push(c.ticket.number);
            await act(srv, 1, 'no-show', tk);
        }
        assert.deepEqual(called, [...issued, late].map((t) => t.number));
    });
});

describe('one estimate', () => {
    test('ticket, services and advice agree; serving_windows; no window = 0', async () => {
        const { srv, tokens } = await hall(after);
        // nobody serves A yet: an integer estimate, serving_windows 0
        const t0 = await issue(srv, { service: 'A' }, tokens.guide1);
        assert.equal(t0.serving_windows, 0);
        assert.ok(Number.isInteger(t0.estimated_wait_s));
        assert.equal(t0.wait_range_s, null, 'no history yet');
        await act(srv, 1, 'open', tokens.clerk1);
        for (let i = 0; i < 4; i++) await issue(srv, { service: 'A' }, tokens.guide1);
        const svc = (await api(srv, 'GET', '/services')).json.find((s) => s.code === 'A');
        const adv = (await api(srv, 'GET', '/advice', undefined, { token: tokens.manager1 })).json.services.find((s) => s.code === 'A');
        const next = await issue(srv, { service: 'A' }, tokens.guide1);
        assert.equal(svc.waiting, 5);
        assert.equal(svc.serving_windows, 1);
        assert.equal(next.serving_windows, 1);
        // the kiosk's figure, the manager's figure and the ticket taken next are one number
        assert.equal(svc.estimated_wait_s, next.estimated_wait_s);
        assert.equal(adv.predicted_wait_s, next.estimated_wait_s);
        assert.equal(adv.serving_windows, 1);
        assert.equal(typeof adv.trend_wait_s, 'number');
        // a paused window is not serving now, but still counted by the estimate
        await act(srv, 1, 'pause', tokens.clerk1, { reason: '休息', back_in_s: 600 });
        const p = (await api(srv, 'GET', `/tickets/${next.id}`)).json;
        assert.equal(p.serving_windows, 0);
        assert.ok(Number.isInteger(p.estimated_wait_s));
        // a finished ticket has no live figures
        await act(srv, 1, 'resume', tokens.clerk1);
        await act(srv, 1, 'call-next', tokens.clerk1);
        await act(srv, 1, 'start', tokens.clerk1);
        const f = (await act(srv, 1, 'finish', tokens.clerk1)).ticket;
        for (const k of ['position', 'ahead', 'estimated_wait_s', 'serving_windows', 'wait_range_s']) assert.equal(f[k], null, k);
    });

    test('measured accuracy in /advice and /stats, and the range it gives the ticket', async () => {
        const { srv, tokens } = await hall(after);
        await act(srv, 1, 'open', tokens.clerk1);
        const n = 24;
        for (let i = 0; i < n; i++) await issue(srv, { service: 'A' }, tokens.guide1);
        for (let i = 0; i < n; i++) {
            await act(srv, 1, 'call-next', tokens.clerk1);
            await act(srv, 1, 'start', tokens.clerk1);
            await act(srv, 1, 'finish', tokens.clerk1);
        }
        const adv = (await api(srv, 'GET', '/advice', undefined, { token: tokens.manager1 })).json;
        const acc = adv.estimate_accuracy;
        assert.equal(acc.n, n);
        assert.ok(Number.isInteger(acc.mae_s) && acc.mae_s >= 0, JSON.stringify(acc));
        assert.ok(acc.within_5min_share >= 0 && acc.within_5min_share <= 1);
        assert.deepEqual(acc.services.map((s) => [s.code, s.n]), [['A', n]]);
        // the estimates promised 0, 300, 600 … s; every ticket was called within seconds:
        // the error of the k-th is about k × 300 s, so within 5 min are the first two
        assert.equal(acc.within_5min_share, Number((2 / n).toFixed(3)));
        const today = hallLocal().toISOString().slice(0, 10);
        const st = await api(srv, 'GET', `/stats?from=${today}`, undefined, { token: tokens.manager1 });
        assert.equal(st.status, 200, st.text);
        assert.deepEqual(
            { n: st.json.estimate_accuracy.n, mae_s: st.json.estimate_accuracy.mae_s, services: st.json.estimate_accuracy.services },
            { n: acc.n, mae_s: acc.mae_s, services: acc.services },
        );
        // with enough history a waiting ticket carries a range that holds its estimate
        for (let i = 0; i < 3; i++) await issue(srv, { service: 'A' }, tokens.guide1);
        const t = await issue(srv, { service: 'A' }, tokens.guide1);
        assert.ok(Array.isArray(t.wait_range_s), JSON.stringify(t));
        const [lo, hi] = t.wait_range_s;
        assert.ok(lo <= t.estimated_wait_s && t.estimated_wait_s <= hi && lo >= 0, JSON.stringify(t));
        // the past over-estimated: the range reaches below the estimate
        assert.ok(lo < t.estimated_wait_s, JSON.stringify(t));
        const svc = (await api(srv, 'GET', '/services')).json.find((s) => s.code === 'A');
        assert.ok(Array.isArray(svc.wait_range_s));
    });
});

describe('advice a manager can act on', () => {
    test('needed and extra agree, capped by the windows that serve; closed windows and free staff named', async () => {
        const { srv, tokens } = await hall(after);
        await act(srv, 1, 'open', tokens.clerk1);
        for (let i = 0; i < 10; i++) await issue(srv, { service: 'B' }, tokens.guide1);
        const r = await api(srv, 'GET', '/advice', undefined, { token: tokens.manager1 });
        assert.equal(r.status, 200, r.text);
        const b = r.json.services.find((s) => s.code === 'B');
        assert.equal(b.status, 'crowded');
        assert.equal(b.max_windows, 2, 'windows 1 and 2 list B');
        assert.ok(b.windows_needed <= b.max_windows);
        assert.equal(b.extra_windows, b.windows_needed - b.windows);
        assert.ok(b.extra_windows >= 1);
        assert.deepEqual(b.open_candidates, [{ number: 2, name: '2号窗口', staff: [{ username: 'clerk2', name: '李四' }] }]);
        assert.match(b.advice, new RegExp(`增开 ${b.extra_windows} 个窗口`));
        assert.match(b.advice_en, new RegExp(`open ${b.extra_windows} more window`));
        assert.ok(r.json.closed_windows.includes(2) && r.json.closed_windows.includes(3));
        assert.ok(!r.json.closed_windows.includes(1));
        // window 2 opens: nothing left to open, the wait is still over: capacity is short
        await act(srv, 2, 'open', tokens.clerk2);
        for (let i = 0; i < 10; i++) await issue(srv, { service: 'B' }, tokens.guide1);
        const r2 = (await api(srv, 'GET', '/advice', undefined, { token: tokens.manager1 })).json;
        const b2 = r2.services.find((s) => s.code === 'B');
        assert.equal(b2.windows, 2);
        assert.equal(b2.windows_needed, 2);
        assert.equal(b2.extra_windows, 0);
        assert.equal(b2.capacity_short, true);
        assert.equal(r2.capacity_short, true);
        assert.deepEqual(b2.open_candidates, []);
        assert.match(b2.advice, /需求超过能力/);
        assert.match(b2.advice_en, /demand exceeds capacity/);
        // C has no queue and its window is closed: not crowded, nothing to open
        const c = r2.services.find((s) => s.code === 'C');
        assert.equal(c.status, 'ok');
        assert.equal(c.extra_windows, 0);
    });
});

describe('hours with several ranges a day', () => {
    test('stored exactly, refused whole, tickets refused over lunch with the next opening', async () => {
        const { srv, tokens } = await hall(after);
        const hours = { mon: '08:30-12:00,13:30-17:30', tue: '08:30-12:00,13:30-17:30', wed: '09:00-17:00', thu: null, fri: '08:30-12:00,13:30-17:30', sat: null, sun: null };
        let r = await api(srv, 'PUT', '/services/A', { hours }, { token: tokens.admin });
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.json.hours, hours);
        r = await api(srv, 'PUT', '/hall', { hours }, { token: tokens.admin });
        assert.deepEqual(r.json.hours, hours);
        const before = (await api(srv, 'GET', '/hall')).json;
        for (const bad of [
            { mon: '08:30-12:00,' },
            { mon: '08:30-12:00;13:30-17:30' },
            { mon: '13:30-17:30,08:30-12:00' },
            { mon: '08:30-12:00,11:00-17:30' },
            { mon: '08:30-12:00,12:00-17:30' },
            { mon: '08:30-12:00 ,13:30-17:30' },
            { mon: '8:30-12:00' },
            { mon: '08:30-25:00' },
            { mon: '08:30-12:00,13:00-14:00,15:00-16:00,16:30-17:00,17:30-18:00' },
            { mon: 830 },
            { monday: '08:30-12:00' },
            'always',
        ]) {
            for (const p of ['/hall', '/services/A']) {
                const r = await api(srv, 'PUT', p, { name: 'changed', hours: bad }, { token: tokens.admin });
                assertError(r, 400, 'invalid_field');
                assert.match(r.json.error.field, /^hours(\.\w+)?$/, r.text); // hours, or the day at fault
            }
        }
        assert.deepEqual((await api(srv, 'GET', '/hall')).json, before, 'nothing stored in part');
        assert.equal((await api(srv, 'GET', '/services')).json.find((s) => s.code === 'A').name, '社保业务');
        // survives a restart
        await srv.restart();
        assert.deepEqual((await api(srv, 'GET', '/hall')).json.hours, hours);

        // a lunch break around now: service A refuses, saying when it opens again
        const d = hallLocal();
        const m = d.getUTCHours() * 60 + d.getUTCMinutes();
        const gapFrom = Math.max(1, m - 10), gapTo = Math.min(1439, m + 10);
        const today = DAYS[d.getUTCDay()];
        const lunch = { [today]: `00:00-${hhmm(gapFrom)},${hhmm(gapTo)}-24:00` };
        r = await api(srv, 'PUT', '/services/A', { hours: lunch }, { token: tokens.admin });
        assert.equal(r.status, 200, r.text);
        r = await api(srv, 'POST', '/tickets', { service: 'A', category: 'normal', channel: 'guide' }, { token: tokens.guide1 });
        if (m >= gapFrom && m < gapTo) {
            assertError(r, 409, 'conflict', 'service');
            assert.match(r.json.error.message, new RegExp(`opens today at ${hhmm(gapTo)}`));
        }
        // B has no hours of its own and the hall's are cleared: always open
        await api(srv, 'PUT', '/hall', { hours: null }, { token: tokens.admin });
        await issue(srv, { service: 'B' }, tokens.guide1);
        // closed all week but one day: the refusal names that day
        const other = DAYS[(d.getUTCDay() + 2) % 7];
        r = await api(srv, 'PUT', '/services/A', { hours: { [other]: '09:00-10:00' } }, { token: tokens.admin });
        assert.equal(r.status, 200, r.text);
        r = await api(srv, 'POST', '/tickets', { service: 'A', category: 'normal', channel: 'guide' }, { token: tokens.guide1 });
        assertError(r, 409, 'conflict', 'service');
        assert.match(r.json.error.message, /opens on \w+day at 09:00/);
    });
});

describe('public URL', () => {
    test('set and validated in PUT /hall, kept over a restart; serve warns on loopback', async () => {
        const { srv, tokens } = await hall(after);
        assert.match(srv.outlog.join(''), /hallq: public URL for tracking links and QR codes: /);
        assert.match(srv.stderr(), /warning: .*loopback/);
        assert.equal((await api(srv, 'GET', '/hall')).json.public_url, null);
        for (const bad of ['ftp://hall', 'javascript:alert(1)', 'http://', 'http://hall/?q=1', 'http://hall/#x', 'http://a b', 42])
            assertError(await api(srv, 'PUT', '/hall', { public_url: bad }, { token: tokens.admin }), 400, 'invalid_field', 'public_url');
        let r = await api(srv, 'PUT', '/hall', { public_url: 'https://hall.example.cn/q/' }, { token: tokens.admin });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.public_url, 'https://hall.example.cn/q');
        await srv.restart();
        assert.equal((await api(srv, 'GET', '/hall')).json.public_url, 'https://hall.example.cn/q');
        assert.match(srv.outlog.join(''), /public URL for tracking links and QR codes: https:\/\/hall\.example\.cn\/q/);
        r = await api(srv, 'PUT', '/hall', { public_url: null }, { token: tokens.admin });
        assert.equal(r.json.public_url, null);
    });
});

describe('past tickets', () => {
    const sqlite = spawnSync('sqlite3', ['-version'], { encoding: 'utf8' }).status === 0;
    test('a ticket of an earlier day is read from the store', { skip: !sqlite && 'needs the sqlite3 program' }, async () => {
        const { srv, tokens } = await hall(after);
        const t = await issue(srv, { service: 'A' }, tokens.guide1);
        await act(srv, 1, 'open', tokens.clerk1);
        await act(srv, 1, 'call-next', tokens.clerk1);
        await act(srv, 1, 'start', tokens.clerk1);
        await act(srv, 1, 'finish', tokens.clerk1);
        const today = (await api(srv, 'GET', `/tickets/${t.id}`)).json;
        await srv.stop();
        // move it to yesterday: not loaded into memory on the next start
        const q = `UPDATE tickets SET day = CAST(strftime('%Y%m%d', 'now', '+8 hours', '-1 day') AS INTEGER) WHERE id = '${t.id}'`;
        const u = spawnSync('sqlite3', [srv.db, q], { encoding: 'utf8' });
        assert.equal(u.status, 0, u.stderr);
        await srv.launch();
        const r = await api(srv, 'GET', `/tickets/${t.id}`);
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(Object.keys(r.json).sort(), Object.keys(today).sort());
        assert.equal(r.json.number, t.number);
        assert.equal(r.json.status, 'done');
        assert.equal(r.json.finished_at, today.finished_at);
        for (const k of ['position', 'ahead', 'estimated_wait_s', 'serving_windows', 'wait_range_s']) assert.equal(r.json[k], null, k);
        assertError(await api(srv, 'GET', `/tickets/${'0'.repeat(32)}`), 404, 'not_found');
        assertError(await api(srv, 'GET', `/tickets/${t.id.toUpperCase()}`), 404, 'not_found');
    });
});
