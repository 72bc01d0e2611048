// SPDX-License-Identifier: MIT
// plan.test.mjs — the window plan over HTTP and on the command line, on a real demo history
// (`hallq demo --history-days N`, then `hallq serve` on that database): GET /plan (shape, roles,
// refusals), POST /plan/what-if (fewer windows, longer waits), the holidays, `hallq plan` giving the
// same plan as the API, and the live advice using the arrival rate.
import { test, after, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { BIN, ADMIN_PASSWORD, scale, api, login, assertError, hall, issue, act } from './lib/server.mjs';
import { demoServer, localDate } from './lib/demo_server.mjs';

// a few days keep `make test` short (the demo writes every change durably); with fewer days than
// a week the forecast falls back from the same weekday to all days
const DAYS = scale(4, 2);

describe('plan on a demo history', () => {
    let srv;
    const tk = {};
    const date = localDate(1);
    let plan;
    before(async () => {
        srv = await demoServer({ days: DAYS, tag: 'plan' });
        tk.manager = await login(srv, 'manager1', 'demo1234');
        tk.guide = await login(srv, 'guide1', 'demo1234');
        tk.clerk = await login(srv, 'clerk01', 'demo1234');
    });
    after(async () => srv && (await srv.stop()));

    test('GET /plan: forecast per service and half hour, windows per group, predicted waits', async () => {
        const r = await api(srv, 'GET', `/plan?date=${date}&target_wait_s=600&service_level=0.8`, undefined, { token: tk.manager });
        assert.equal(r.status, 200, r.text);
        plan = r.json;
        assert.equal(plan.date, date);
        assert.equal(plan.target_wait_s, 600);
        assert.equal(plan.service_level, 0.8);
        assert.equal(plan.closed, false);
        const n = plan.slots.length;
        assert.ok(n >= 16 && n <= 24, `the demo's day is 8:30-17:30: ${plan.slots}`);
        assert.equal(plan.slots[0], '08:30');
        assert.equal(plan.services.length, 8);
        assert.ok(plan.history.tickets > 100 * DAYS, JSON.stringify(plan.history));
        for (const s of plan.services) {
            assert.equal(s.arrivals.length, n);
            assert.equal(s.windows_alone.length, n);
            assert.ok(s.arrivals.every((x) => x >= 0));
            assert.ok(s.service_s > 60 && s.service_s < 1200, `${s.code} ${s.service_s}`);
        }
        // the demo's windows make two groups: C,G and the rest
        assert.deepEqual(plan.groups.map((g) => g.id).sort(), ['A,B,D,E,F,H', 'C,G']);
        for (const g of plan.groups) {
            for (const k of ['arrivals', 'windows', 'windows_erlang', 'service_level', 'mean_wait_s', 'erlang_service_level'])
                assert.equal(g[k].length, n, k);
            // never more windows than the hall has for the group; fewer than Erlang C only
            // where the hall has no more, and then that half hour is listed as short
            assert.ok(Number.isInteger(g.max_windows) && g.max_windows >= 1, g.id);
            g.windows.forEach((w, i) => {
                assert.ok(w <= g.max_windows && w >= Math.min(g.windows_erlang[i], g.max_windows) && w >= 1, `${g.id} ${plan.slots[i]}`);
                if (w < g.windows_erlang[i]) assert.ok(g.missed.some((m) => m.slot === plan.slots[i] && m.capacity_short), `${g.id} ${plan.slots[i]} short`);
            });
            if (!g.missed.length) assert.ok(g.day.service_level >= 0.75, JSON.stringify(g.day));
        }
        const demoWindows = 12;
        assert.ok(plan.windows_total.every((w) => w <= demoWindows), JSON.stringify(plan.windows_total));
        // met: the simulation of the planned windows meets the target in every half hour
        assert.equal(plan.met, plan.missed_slots === 0);
        assert.equal(plan.capacity_short, plan.groups.some((g) => g.missed.some((m) => m.capacity_short)));
        if (plan.met) assert.match(plan.verdict_en, /^Every half hour meets the target/);
        else assert.match(plan.verdict_en, new RegExp(`^${plan.missed_slots} half hours? miss the target`), plan.verdict_en);
        assert.equal(plan.hours, null, 'the demo hall here has no hours (--always-open)');
        assert.ok(plan.history.days >= 1 && plan.history.days <= DAYS, JSON.stringify(plan.history));
        assert.ok(plan.history.first_day >= plan.history.from && plan.history.last_day <= plan.history.to);
        assert.ok(plan.window_hours > 10);
        // the morning peak needs more windows than lunch time
        const t = plan.windows_total;
        assert.ok(t[plan.slots.indexOf('10:00')] > t[plan.slots.indexOf('12:30')], JSON.stringify(t));
        assert.ok(plan.forecast_error === null || plan.forecast_error.days >= 1);
    });

    test('roles: guide reads, clerk and the public do not', async () => {
        assert.equal((await api(srv, 'GET', `/plan?date=${date}`, undefined, { token: tk.guide })).status, 200);
        assertError(await api(srv, 'GET', `/plan?date=${date}`, undefined, { token: tk.clerk }), 403, 'forbidden');
        assertError(await api(srv, 'GET', `/plan?date=${date}`), 401, 'unauthenticated');
        assertError(await api(srv, 'POST', '/plan/what-if', { date, windows: { C: 1 } }, { token: tk.guide }), 403, 'forbidden');
    });

    test('refusals name the parameter', async () => {
        const bad = [
            ['date=2026-02-30', 'date'],
            ['date=tomorrow', 'date'],
            ['date=1999-01-01', 'date'],
            ['target_wait_s=abc', 'target_wait_s'],
            ['target_wait_s=-5', 'target_wait_s'],
            ['service_level=1.5', 'service_level'],
            ['service_level=0', 'service_level'],
            ['weeks=0', 'weeks'],
        ];
        for (const [q, field] of bad) assertError(await api(srv, 'GET', `/plan?${q}`, undefined, { token: tk.manager }), 400, 'invalid_field', field);
    });

    test('hallq plan prints the same plan', () => {
        const r = spawnSync(BIN, ['plan', '--db', srv.db, '--date', date, '--target-wait-s', '600', '--service-level', '0.8'], { env: srv.env, encoding: 'utf8', timeout: 120000 });
        assert.equal(r.status, 0, r.stderr);
        const cli = JSON.parse(r.stdout);
        assert.deepEqual(cli.slots, plan.slots);
        assert.deepEqual(cli.groups.map((g) => g.windows), plan.groups.map((g) => g.windows));
        assert.deepEqual(cli.services.map((s) => s.arrivals), plan.services.map((s) => s.arrivals));
        const bad = spawnSync(BIN, ['plan', '--db', srv.db, '--service-level', 'lots'], { encoding: 'utf8' });
        assert.equal(bad.status, 2);
        assert.match(bad.stderr, /service-level/);
        const help = spawnSync(BIN, ['plan', '--help'], { encoding: 'utf8' });
        assert.equal(help.status, 0);
        assert.match(help.stdout, /--target-wait-s/);
    });

    test('what-if: fewer windows than planned, longer waits', async () => {
        const g = plan.groups.find((x) => x.id === 'A,B,D,E,F,H');
        const fewer = g.windows.map((w) => Math.max(1, w - 2));
        let r = await api(srv, 'POST', '/plan/what-if', { date, target_wait_s: 600, windows: { 'A,B,D,E,F,H': g.windows } }, { token: tk.manager });
        assert.equal(r.status, 200, r.text);
        const same = r.json.pools.find((p) => p.id === 'A,B,D,E,F,H');
        assert.deepEqual(same.windows, g.windows);
        assert.ok(Math.abs(same.day.service_level - g.day.service_level) < 1e-9, 'the plan\'s windows give the plan\'s figures');
        assert.ok(r.json.pools.some((p) => p.id === 'C,G'), 'services left out keep the plan');
        r = await api(srv, 'POST', '/plan/what-if', { date, target_wait_s: 600, windows: { 'A,B,D,E,F,H': fewer } }, { token: tk.manager });
        assert.equal(r.status, 200, r.text);
        const worse = r.json.pools.find((p) => p.id === 'A,B,D,E,F,H');
        assert.ok(worse.day.service_level < same.day.service_level, `${worse.day.service_level} < ${same.day.service_level}`);
        assert.ok(worse.day.mean_wait_s > same.day.mean_wait_s);
        // a constant per service
        r = await api(srv, 'POST', '/plan/what-if', { date, windows: { C: 1, G: 1 } }, { token: tk.manager });
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.json.pools.map((p) => p.id).sort(), ['A,B,D,E,F,H', 'C', 'G']);
        const bad = [
            [{ date, windows: { Z: 1 } }, 'windows'],
            [{ date, windows: { C: -1 } }, 'windows.C'],
            [{ date, windows: { C: [1, 2] } }, 'windows'],
            [{ date, windows: { C: 1, 'C,G': 2 } }, 'windows'],
            [{ date, windows: {} }, 'windows'],
            [{ date }, 'windows'],
            [{ date, windows: { C: 1 }, colour: 'red' }, 'colour'],
        ];
        for (const [body, field] of bad) assertError(await api(srv, 'POST', '/plan/what-if', body, { token: tk.manager }), 400, 'invalid_field', field);
    });

    test("the plan's day is the hall's opening hours, lunch break and closed days included", async () => {
        const admin = await login(srv, 'admin', ADMIN_PASSWORD);
        const wd = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'][new Date(`${date}T12:00:00Z`).getUTCDay()];
        let r = await api(srv, 'PUT', '/hall', { hours: { [wd]: '09:00-12:00,13:30-16:00' } }, { token: admin });
        assert.equal(r.status, 200, r.text);
        r = await api(srv, 'GET', `/plan?date=${date}`, undefined, { token: tk.manager });
        assert.equal(r.status, 200, r.text);
        const p = r.json;
        assert.equal(p.hours, '09:00-12:00,13:30-16:00');
        assert.equal(p.slots[0], '09:00');
        assert.equal(p.slots[p.slots.length - 1], '15:30');
        for (const lunch of ['12:00', '12:30', '13:00']) {
            const i = p.slots.indexOf(lunch);
            assert.equal(p.windows_total[i], 0, lunch);
            for (const s of p.services) assert.equal(s.arrivals[i], 0, `${s.code} ${lunch}`);
        }
        assert.ok(p.windows_total[p.slots.indexOf('10:00')] > 0);
        // the same weekday closed: no plan
        r = await api(srv, 'PUT', '/hall', { hours: { [wd]: null, [wd === 'mon' ? 'tue' : 'mon']: '09:00-17:00' } }, { token: admin });
        assert.equal(r.status, 200, r.text);
        r = await api(srv, 'GET', `/plan?date=${date}`, undefined, { token: tk.manager });
        assert.equal(r.json.closed, true);
        assert.deepEqual(r.json.slots, []);
        assert.equal(r.json.hours, '');
        r = await api(srv, 'PUT', '/hall', { hours: null }, { token: admin });
        assert.equal(r.status, 200, r.text);
    });

    test('holidays: a closed day needs no window; a day worked as a Monday', async () => {
        let r = await api(srv, 'PUT', '/plan/holidays', { holidays: [{ date, as: 'closed' }] }, { token: tk.manager });
        assert.equal(r.status, 200, r.text);
        r = await api(srv, 'GET', '/plan/holidays', undefined, { token: tk.guide });
        assert.deepEqual(r.json.holidays, [{ date, as: 'closed' }]);
        r = await api(srv, 'GET', `/plan?date=${date}`, undefined, { token: tk.manager });
        assert.equal(r.status, 200);
        assert.equal(r.json.closed, true);
        assert.equal(r.json.holiday, true);
        assert.equal(r.json.window_hours, 0);
        assertError(await api(srv, 'PUT', '/plan/holidays', { holidays: [{ date: '2026-13-01' }] }, { token: tk.manager }), 400, 'invalid_field', 'holidays[0].date');
        assertError(await api(srv, 'PUT', '/plan/holidays', { holidays: [{ date, as: 'someday' }] }, { token: tk.manager }), 400, 'invalid_field', 'holidays[0].as');
        assertError(await api(srv, 'PUT', '/plan/holidays', { holidays: [] }, { token: tk.guide }), 403, 'forbidden');
        r = await api(srv, 'PUT', '/plan/holidays', { holidays: [{ date, as: 'mon' }] }, { token: tk.manager });
        assert.equal(r.status, 200);
        r = await api(srv, 'GET', `/plan?date=${date}`, undefined, { token: tk.manager });
        assert.equal(r.json.as_weekday, 'mon');
        assert.equal(r.json.closed, false);
        await api(srv, 'PUT', '/plan/holidays', { holidays: [] }, { token: tk.manager });
    });
});

describe('live advice uses the arrival rate', () => {
    test('twelve tickets in a few seconds on one window: the rate, Erlang C and a growing queue', async () => {
        const { srv, tokens } = await hall(after);
        await act(srv, 1, 'open', tokens.clerk1);
        // window 1 calls the first A ticket; eleven wait behind it
        for (let i = 0; i < 12; i++) await issue(srv, { service: 'A' });
        const r = await api(srv, 'GET', '/advice', undefined, { token: tokens.manager1 });
        assert.equal(r.status, 200, r.text);
        const a = r.json.services.find((s) => s.code === 'A');
        assert.equal(a.arrivals_per_hour, 24, '12 in the last 30 minutes');
        // 24 an hour × 300 s = 2 Erlangs: Erlang C needs at least 3 windows for 80% in 15 min,
        // but only 2 windows of the hall serve A: the advice names 2 and says capacity is short
        assert.ok(a.windows_needed_uncapped >= 3, JSON.stringify(a));
        assert.equal(a.max_windows, 2);
        assert.equal(a.windows_needed, 2);
        assert.equal(a.capacity_short, true);
        assert.equal(r.json.capacity_short, true);
        // the queue grows: a customer 15 minutes on waits longer than the queue alone says
        assert.ok(a.trend_wait_s > a.predicted_wait_s, JSON.stringify(a));
        assert.equal(a.status, 'crowded');
        assert.equal(a.extra_windows, a.windows_needed - a.windows, JSON.stringify(a));
        assert.deepEqual(a.open_candidates.map((w) => w.number), [2]);
        assert.ok(r.json.closed_windows.includes(2) && !r.json.closed_windows.includes(1), JSON.stringify(r.json.closed_windows));
        const c = r.json.services.find((s) => s.code === 'C');
        assert.equal(c.arrivals_per_hour, 0);
        assert.equal(c.windows_needed, 0);
    });
});
