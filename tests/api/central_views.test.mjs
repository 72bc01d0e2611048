// SPDX-License-Identifier: MIT
// central_views.test.mjs — head office's views (`hallq central serve`) on a real PostgreSQL 15 on
// loopback: three demo halls (weeks of history, and this morning copied from their last working
// day) ship their logs with `hallq sync`. Checked: sign-in is required (only admins and managers
// of the --users store; a clerk, a wrong password and no cookie are refused); today's overview
// shows each hall with the figures its own event log gives and totals that are the sums of the
// halls'; a period's counts per hall equal the hall's own statistics (`hallq stats --full-scan`)
// and the totals their sums; the drill-down's services and days add up to the hall's figures; a
// hall whose shipper went quiet is flagged; bad input is a clear 4xx.
import { test, after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN } from './lib/server.mjs';
import { startPg, makeHall, ship, startCentral, req, signIn, sqlite, localDate, dayStart } from './lib/central_pg.mjs';

const HALLS = [
  ['east', '东区政务大厅', 6],
  ['west', '西区政务大厅', 8],
  ['north', '北区政务大厅', 5],
];
let pg, work, central, cookie, today0;

before(async () => {
  pg = await startPg();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'hallq-central-views-'));
  for (const [id, name, days] of HALLS) {
    const db = path.join(work, `${id}.db`);
    ({ today0 } = makeHall(db, days));
    ship(db, pg.url, id, name);
  }
  // the users: one hall's store (admin, manager1 and the clerks of the demo)
  central = await startCentral(pg.url, path.join(work, 'east.db'));
  cookie = await signIn(central.base, 'admin', 'admin-pass-123');
});

after(async () => {
  if (central) await central.stop();
  if (pg) pg.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

const sum = (rows, k) => rows.reduce((a, r) => a + (r[k] || 0), 0);
const get = (p) => req(central.base, 'GET', p, { cookie });
function hallStats(id, from, to) {
  const r = spawnSync(BIN, ['stats', '--db', path.join(work, `${id}.db`), '--from', from, '--to', to, '--full-scan'], { encoding: 'utf8', timeout: 120000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.replace(/[\u0000-\u001f]/g, ' ')).total; // eslint-disable-line no-control-regex
}

describe('head office views', () => {
  test('sign-in is required; only admins and managers of the --users store get in', async () => {
    for (const p of ['/api/overview', '/api/stats', '/api/halls/east', '/api/me']) {
      const r = await req(central.base, 'GET', p);
      assert.equal(r.status, 401, p);
      assert.equal(r.json.error.code, 'unauthenticated');
      assert.ok(r.json.error.message_zh);
    }
    assert.equal((await req(central.base, 'GET', '/api/overview', { cookie: 'hqc=' + 'a'.repeat(64) })).status, 401);
    const wrong = await req(central.base, 'POST', '/api/login', { body: { username: 'admin', password: 'nope-nope' } });
    assert.equal(wrong.status, 401);
    const clerk = await req(central.base, 'POST', '/api/login', { body: { username: 'clerk01', password: 'demo1234' } });
    assert.equal(clerk.status, 401, 'a clerk is no head-office user');
    const mgr = await req(central.base, 'POST', '/api/login', { body: { username: 'manager1', password: 'demo1234' } });
    assert.equal(mgr.status, 200);
    assert.equal(mgr.json.role, 'manager');
    assert.match(mgr.headers.get('set-cookie'), /HttpOnly/);
    assert.match(mgr.headers.get('set-cookie'), /SameSite=Strict/);
    const me = await req(central.base, 'GET', '/api/me', { cookie: mgr.headers.get('set-cookie').split(';')[0] });
    assert.equal(me.status, 200);
    assert.equal(me.json.username, 'manager1');
    // signing out ends that session only
    const mc = mgr.headers.get('set-cookie').split(';')[0];
    assert.equal((await req(central.base, 'POST', '/api/logout', { cookie: mc, body: {} })).status, 200);
    assert.equal((await req(central.base, 'GET', '/api/me', { cookie: mc })).status, 401);
    assert.equal((await get('/api/me')).status, 200);
  });

  test('today: every hall side by side with its own log\'s figures; totals are the sums', async () => {
    const r = await get('/api/overview');
    assert.equal(r.status, 200, r.text);
    const o = r.json;
    assert.equal(o.today, localDate(today0));
    assert.deepEqual(o.halls.map((h) => h.hall), ['east', 'north', 'west']);
    for (const h of o.halls) {
      const db = path.join(work, `${h.hall}.db`);
      const q = (type) => Number(sqlite(db, `SELECT count(*) FROM events WHERE type = '${type}' AND t >= ${today0} AND t < ${today0 + 86400}`));
      assert.ok(h.tickets > 0, `${h.hall} has tickets today`);
      assert.equal(h.tickets, q('ticket.issued'), `${h.hall}: tickets`);
      assert.equal(h.served, q('ticket.finished'), `${h.hall}: served`);
      assert.equal(h.rated, q('evaluation.recorded'), `${h.hall}: ratings`);
      assert.ok(h.waiting > 0, `${h.hall}: tickets still waiting at 11:00`);
      assert.ok(h.windows_open > 0);
      assert.equal(h.silent, false);
      assert.equal(h.lag_events, 0);
      assert.ok(h.last_sync);
      assert.equal(h.name, HALLS.find((x) => x[0] === h.hall)[1]);
      assert.ok(h.median_wait_s >= 0 && h.median_service_s > 0);
    }
    for (const k of ['tickets', 'served', 'waiting', 'windows_open', 'rated', 'bad']) assert.equal(o.totals[k], sum(o.halls, k), `total ${k}`);
    assert.equal(o.totals.halls, 3);
    assert.equal(o.totals.silent, 0);
  });

  test('a period: each hall\'s counts equal its own statistics; totals are the sums', async () => {
    const to = localDate(today0 - 86400), from = localDate(today0 - 20 * 86400);
    const r = await get(`/api/stats?from=${from}&to=${to}&target_min=15`);
    assert.equal(r.status, 200, r.text);
    const p = r.json;
    assert.equal(p.target_wait_s, 900);
    assert.equal(p.halls.length, 3);
    for (const h of p.halls) {
      const own = hallStats(h.hall, from, to);
      assert.ok(h.tickets > 100, `${h.hall}: a real history`);
      assert.equal(h.tickets, own.counts.issued, `${h.hall}: tickets`);
      assert.equal(h.served, own.counts.served, `${h.hall}: served`);
      assert.equal(h.no_show, own.counts.no_show, `${h.hall}: no-shows`);
      assert.equal(h.waited, own.wait.n, `${h.hall}: waits`);
      assert.equal(h.rated, own.satisfaction.n, `${h.hall}: ratings`);
      assert.equal(h.good, own.satisfaction.satisfied, `${h.hall}: satisfied`);
      assert.ok(Math.abs(h.mean_wait_s - own.wait.mean_s) <= 1, `${h.hall}: mean wait ${h.mean_wait_s} vs ${own.wait.mean_s}`);
      assert.ok(Math.abs(h.mean_service_s - own.service.mean_s) <= 1, `${h.hall}: mean service`);
      assert.ok(Math.abs(h.mean_level - own.satisfaction.mean_level) < 0.01, `${h.hall}: mean level`);
      assert.ok(h.within_target <= h.waited);
      assert.ok(h.cases_opened >= 0 && h.complaints >= 0);
    }
    for (const k of ['tickets', 'served', 'no_show', 'waited', 'within_target', 'rated', 'good', 'bad', 'cases_opened', 'complaints', 'help_requests', 'incidents', 'suspensions']) assert.equal(p.totals[k], sum(p.halls, k), `total ${k}`);
    // the pooled mean wait is the ticket-weighted mean of the halls' means
    const pooled = p.halls.reduce((a, h) => a + h.mean_wait_s * h.waited, 0) / p.totals.waited;
    assert.ok(Math.abs(p.totals.mean_wait_s - pooled) <= 2);
    const med = p.halls.map((h) => h.median_wait_s);
    assert.ok(p.totals.median_wait_s >= Math.min(...med) && p.totals.median_wait_s <= Math.max(...med));
  });

  test('drill-down: a hall\'s services, windows and days add up to its figures', async () => {
    const to = localDate(today0), from = localDate(today0 - 20 * 86400);
    const p = (await get(`/api/stats?from=${from}&to=${to}`)).json;
    for (const id of ['east', 'west']) {
      const r = await get(`/api/halls/${id}?from=${from}&to=${to}`);
      assert.equal(r.status, 200, r.text);
      const d = r.json;
      const mine = p.halls.find((h) => h.hall === id);
      assert.equal(d.hall, id);
      assert.equal(sum(d.services, 'tickets'), mine.tickets);
      assert.equal(sum(d.days, 'tickets'), mine.tickets);
      assert.equal(sum(d.days, 'served'), mine.served);
      assert.equal(sum(d.days, 'rated'), mine.rated);
      assert.equal(sum(d.windows, 'served'), mine.served);
      assert.ok(d.services.length >= 3 && d.windows.length >= 3);
      assert.equal(d.days.at(-1).day, to, 'today is in the chart');
      assert.deepEqual(d.days.map((x) => x.day), [...d.days.map((x) => x.day)].sort());
    }
  });

  test('a hall whose shipper went quiet is flagged; a heartbeat clears it', async () => {
    pg.psql("UPDATE halls SET last_sync = now() - interval '2 hours' WHERE hall = 'north'");
    let o = (await get('/api/overview')).json;
    assert.equal(o.halls.find((h) => h.hall === 'north').silent, true);
    assert.ok(o.halls.find((h) => h.hall === 'north').lag_s >= 7200);
    assert.equal(o.totals.silent, 1);
    ship(path.join(work, 'north.db'), pg.url, 'north', '北区政务大厅'); // nothing new: a heartbeat
    o = (await get('/api/overview')).json;
    assert.equal(o.halls.find((h) => h.hall === 'north').silent, false);
    assert.equal(o.totals.silent, 0);
  });

  test('bad input is a clear 4xx, never a 500', async () => {
    const cases = [
      ['/api/stats?from=2026-02-30&to=2026-03-01', 400, 'from'],
      ['/api/stats?from=2026-03-01&to=2026-02-01', 400, 'to'],
      ['/api/stats?from=2024-01-01&to=2026-01-01', 400, 'to'],
      ['/api/stats?from=yesterday&to=2026-01-01', 400, 'from'],
      ['/api/stats?from=2026-01-01&to=2026-01-02&target_min=0', 400, 'target_min'],
      ['/api/stats?from=2026-01-01&to=2026-01-02&target_min=abc', 400, 'target_min'],
      ['/api/halls/no-such-hall', 404, 'hall'],
      ['/api/halls/bad%20id', 400, 'hall'],
      ['/api/halls/east?from=2026-13-01&to=2026-12-01', 400, 'from'],
      ['/api/nothing', 404, undefined],
    ];
    for (const [p, status, field] of cases) {
      const r = await get(p);
      assert.equal(r.status, status, `${p}: ${r.text}`);
      assert.equal(r.json.error.field, field, p);
      assert.ok(r.json.error.message && r.json.error.message_zh, p);
    }
    assert.equal((await req(central.base, 'POST', '/api/overview', { cookie, body: {} })).status, 405);
    assert.equal((await req(central.base, 'POST', '/api/login', { raw: 'username=admin', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })).status, 415);
    assert.equal((await req(central.base, 'POST', '/api/login', { raw: '{"username":', headers: { 'Content-Type': 'application/json' } })).status, 400);
    const extra = await req(central.base, 'POST', '/api/login', { body: { username: 'admin', password: 'x', role: 'admin' } });
    assert.equal(extra.status, 400);
    assert.equal(extra.json.error.field, 'role');
    const half = await req(central.base, 'POST', '/api/login', { body: { username: 'admin' } });
    assert.equal(half.status, 400);
    assert.equal(half.json.error.field, 'password');
    assert.equal((await req(central.base, 'POST', '/api/login', { body: { password: 'x' } })).json.error.field, 'username');
    assert.equal((await req(central.base, 'POST', '/api/login', { raw: JSON.stringify({ username: 'a', password: 'x'.repeat(5000) }), headers: { 'Content-Type': 'application/json' } })).status, 413);
    const css = await req(central.base, 'GET', '/css/central.css');
    assert.equal(css.status, 200, 'the pages\' own style sheet');
    assert.match(css.headers.get('content-type'), /^text\/css/);
    assert.equal((await req(central.base, 'GET', '/js/api.js')).status, 404, 'only head office\'s own pages are served');
    assert.equal((await req(central.base, 'GET', '/../etc/passwd')).status, 404);
    const page = await req(central.base, 'GET', '/');
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-security-policy'), /default-src 'self'/);
    assert.equal((await get('/api/overview')).status, 200, 'still serving');
  });

  test('the command refuses a --users store without head-office users, and bad options', () => {
    const db = path.join(work, 'empty.db');
    const r0 = spawnSync(BIN, ['central', 'serve', '--central', pg.url, '--users', path.join(work, 'missing.db')], { encoding: 'utf8' });
    assert.equal(r0.status, 1);
    assert.ok(!fs.existsSync(db));
    const r1 = spawnSync(BIN, ['central', 'serve', '--central', pg.url], { encoding: 'utf8' });
    assert.equal(r1.status, 2);
    const r2 = spawnSync(BIN, ['central', 'serve', '--central', pg.url, '--users', path.join(work, 'east.db'), '--tz', 'Mars/Olympus', '--listen', '127.0.0.1:0'], { encoding: 'utf8', timeout: 30000 });
    assert.equal(r2.status, 1);
    assert.match(r2.stderr, /time zone/);
    const r3 = spawnSync(BIN, ['central', 'serve', '--central', 'mysql://x', '--users', path.join(work, 'east.db'), '--listen', '127.0.0.1:0'], { encoding: 'utf8', timeout: 30000 });
    assert.equal(r3.status, 1);
  });

  test('the server stops cleanly on SIGTERM (under the sanitizers: no error, no leak)', async () => {
    const code = await central.stop();
    central = null;
    assert.equal(code, 0);
  });
});
