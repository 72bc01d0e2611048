// SPDX-License-Identifier: MIT
// plan.test.mjs — the window plan page on a real demo history (`hallq demo --history-days 14`):
// a manager signs in through the page's form; the chart and the tables drawn for tomorrow and for
// another date chosen in the form hold exactly what GET /api/v1/plan answers for that date (every
// bar's figures, bar heights in proportion to the forecast, the planned-windows line stepping with
// the plan, every table cell); the group selector redraws the chart for the other group; a
// what-if with one window taken away at the busiest half hour shows what POST /plan/what-if
// answers for the same windows, and that half hour gets worse.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as hq from './helpers.mjs';

let dir, server, ctx, token;

const pct = (x) => (x == null ? '—' : `${Math.round(x * 1000) / 10}%`);

// YYYY-MM-DD in the hall's time zone (the browser runs in Asia/Shanghai too), days from today.
function day(offset) {
  const d = new Date(Date.now() + offset * 86400000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

before(async () => {
  dir = hq.tmpDir();
  const db = path.join(dir, 'demo.db');
  const out = execFileSync(hq.BIN, ['demo', '--db', db, '--history-days', '14', '--always-open'], {
    env: { ...process.env, HALLQ_ADMIN_PASSWORD: hq.ADMIN_PASSWORD }, timeout: 180000, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
  });
  assert.match(out, /kiosk\?device=[0-9a-f]+/, 'the demo prints the device keys');
  server = await hq.serve(db);
  token = await hq.login(server.url, 'manager1', 'demo1234');
  ctx = await hq.browser({ viewport: { width: 1280, height: 900 } });
});

after(async () => {
  await ctx?.close();
  await server?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function apiPlan(date) {
  return hq.must(server.url, 'GET', `/plan?date=${date}&target_wait_s=900&service_level=0.8`, undefined, token);
}

// Everything the page drew, read back from the DOM.
async function readPage(page) {
  return page.evaluate(() => {
    const cells = (tr, k) => [...tr.querySelectorAll(`td[data-k="${k}"]`)].map((td) => ({ text: td.textContent, s: td.dataset.s, g: td.dataset.g }));
    const rows = [...document.querySelectorAll('#table tbody tr')].map((tr) => ({
      slot: tr.dataset.slot,
      head: tr.querySelector('th').textContent,
      arrivals: cells(tr, 'arrivals'),
      windows: cells(tr, 'windows'),
      level: cells(tr, 'level'),
      total: tr.querySelector('td[data-k="total"]').textContent,
    }));
    const svg = document.querySelector('#chart svg');
    const bars = [...svg.querySelectorAll('rect.bar')].map((r) => ({
      slot: r.dataset.slot, arrivals: Number(r.dataset.arrivals), windows: Number(r.dataset.windows), erlang: Number(r.dataset.erlang),
      height: Number(r.getAttribute('height')),
    }));
    const line = svg.querySelector('polyline.line').getAttribute('points').trim().split(/\s+/).map((p) => Number(p.split(',')[1]));
    const erl = svg.querySelector('polyline.erl').getAttribute('points').trim().split(/\s+/).map((p) => Number(p.split(',')[1]));
    const groups = [...document.querySelectorAll('#groups-table tbody tr')].map((tr) => ({ id: tr.dataset.group, cells: [...tr.querySelectorAll('td')].map((td) => td.textContent) }));
    return { date: document.body.dataset.planDate, rows, bars, line, erl, group: svg.dataset.group, groups, summary: document.querySelector('#summary').textContent };
  });
}

function checkAgainst(drawn, plan, groupIdx) {
  assert.equal(drawn.date, plan.date);
  assert.ok(plan.slots.length >= 8, `the demo hall has a day of half hours (${plan.slots.length})`);
  // Table: one row per half hour, every figure as the API gives it.
  assert.equal(drawn.rows.length, plan.slots.length);
  drawn.rows.forEach((r, i) => {
    assert.equal(r.slot, plan.slots[i]);
    assert.equal(r.head, plan.slots[i]);
    assert.deepEqual(r.arrivals.map((c) => c.s), plan.services.map((s) => s.code));
    assert.deepEqual(r.arrivals.map((c) => c.text), plan.services.map((s) => s.arrivals[i].toFixed(1)), `arrivals at ${plan.slots[i]}`);
    assert.deepEqual(r.windows.map((c) => c.g), plan.groups.map((g) => g.id));
    assert.deepEqual(r.windows.map((c) => Number(c.text)), plan.groups.map((g) => g.windows[i]), `windows at ${plan.slots[i]}`);
    assert.deepEqual(r.level.map((c) => c.text), plan.groups.map((g) => pct(g.service_level[i])), `service level at ${plan.slots[i]}`);
    assert.equal(Number(r.total), plan.windows_total[i]);
  });
  // Per group, the day.
  assert.deepEqual(drawn.groups.map((g) => g.id), plan.groups.map((g) => g.id));
  drawn.groups.forEach((g, k) => {
    const d = plan.groups[k].day;
    assert.equal(Number(g.cells[1]), Math.round(d.arrivals));
    assert.equal(Number(g.cells[2]), d.window_hours);
    assert.equal(g.cells[3], pct(d.service_level));
  });
  // Chart of the selected group: one bar per half hour with its figures, heights in proportion.
  const g = plan.groups[groupIdx];
  assert.equal(drawn.group, g.id);
  assert.equal(drawn.bars.length, plan.slots.length);
  const maxA = Math.max(...g.arrivals);
  const maxH = Math.max(...drawn.bars.map((b) => b.height));
  drawn.bars.forEach((b, i) => {
    assert.equal(b.slot, plan.slots[i]);
    assert.equal(b.arrivals, g.arrivals[i]);
    assert.equal(b.windows, g.windows[i]);
    assert.equal(b.erlang, g.windows_erlang[i]);
    assert.ok(Math.abs(b.height / maxH - g.arrivals[i] / maxA) < 1e-6, `bar ${plan.slots[i]} height ${b.height} for ${g.arrivals[i]}`);
  });
  // The step lines: two points per half hour, the same height where the windows are the same,
  // higher (smaller y) where there are more.
  for (const [ys, w] of [[drawn.line, g.windows], [drawn.erl, g.windows_erlang]]) {
    assert.equal(ys.length, 2 * plan.slots.length);
    for (let i = 0; i < w.length; i++) {
      assert.equal(ys[2 * i], ys[2 * i + 1]);
      for (let j = 0; j < w.length; j++) assert.equal(Math.sign(ys[2 * j] - ys[2 * i]), Math.sign(w[i] - w[j]), `line at ${plan.slots[i]} vs ${plan.slots[j]}`);
    }
  }
  assert.ok(drawn.summary.includes(plan.date) && drawn.summary.includes(String(plan.window_hours)), drawn.summary);
}

test('a manager sees the plan the API computes, chart and table, and runs a what-if', async () => {
  const page = await ctx.newPage();
  await page.goto(server.url + '/plan.html');
  await hq.signIn(page, 'manager1', 'demo1234');

  // Tomorrow by default.
  const tomorrow = day(1);
  await page.locator(`body[data-plan-date="${tomorrow}"]`).waitFor({ timeout: 30000 });
  const plan1 = await apiPlan(tomorrow);
  assert.ok(plan1.history.tickets > 1000, `demo history (${plan1.history.tickets} tickets)`);
  assert.ok(plan1.groups.length >= 2, 'the demo hall has two service groups');
  checkAgainst(await readPage(page), plan1, 0);

  // The other group in the chart.
  await page.locator('#p-group').selectOption('1');
  await until(async () => (await readPage(page)).group === plan1.groups[1].id, 'the chart of group 2');
  checkAgainst(await readPage(page), plan1, 1);
  await page.locator('#p-group').selectOption('0');

  // Another date through the form (a weekday with history, four days on).
  const other = day(4);
  await page.locator('#p-date').fill(other);
  await page.locator('#p-make').click();
  await page.locator(`body[data-plan-date="${other}"]`).waitFor({ timeout: 30000 });
  const plan2 = await apiPlan(other);
  checkAgainst(await readPage(page), plan2, 0);

  // What-if: the first group down to one window around its busiest half hour.
  const g = plan2.groups[0];
  const busiest = g.arrivals.indexOf(Math.max(...g.arrivals));
  const changed = [busiest - 1, busiest, busiest + 1].filter((i) => i >= 0 && i < plan2.slots.length);
  assert.ok(changed.some((i) => g.windows[i] > 1), 'the busiest half hours have more than one window');
  for (const i of changed) await page.locator(`#whatif-table input[data-g="0"][data-i="${i}"]`).fill('1');
  await page.locator('#wi-run').click();
  await page.locator('#wi-summary .wi-day').first().waitFor({ timeout: 30000 });
  const windows = Object.fromEntries(plan2.groups.map((x) => [x.id, x.windows.slice()]));
  for (const i of changed) windows[g.id][i] = 1;
  const wi = await hq.must(server.url, 'POST', '/plan/what-if', { date: other, target_wait_s: 900, service_level: 0.8, windows }, token);
  const shown = await page.evaluate(() => [...document.querySelectorAll('#whatif-table tbody tr')].map((tr) => ({
    level: [...tr.querySelectorAll('td[data-k="wi-level"]')].map((td) => [td.dataset.g, td.textContent]),
    wait: [...tr.querySelectorAll('td[data-k="wi-wait"]')].map((td) => [td.dataset.g, td.textContent]),
    inputs: [...tr.querySelectorAll('input')].map((i) => Number(i.value)),
  })));
  assert.equal(shown.length, plan2.slots.length);
  shown.forEach((r, i) => {
    for (const [gid, text] of r.level) assert.equal(text, pct(wi.pools.find((p) => p.id === gid).service_level[i]), `what-if level ${gid} at ${plan2.slots[i]}`);
    assert.deepEqual(r.inputs, plan2.groups.map((x) => windows[x.id][i]));
  });
  const pool = wi.pools.find((p) => p.id === g.id);
  assert.equal(pool.windows[busiest], 1);
  assert.ok(pool.day.service_level < g.day.service_level, `fewer windows, worse service (${pool.day.service_level} < ${g.day.service_level})`);
  const worst = Math.min(...pool.service_level.filter((x) => x != null));
  assert.ok(worst < plan2.service_level, `some half hour now misses the target (${worst})`);
  assert.ok(await page.locator('#whatif-table td.miss[data-k="wi-level"]').count() > 0, 'the misses are marked');
  const daySummary = await page.locator(`#wi-summary .wi-day[data-group="${g.id}"]`).textContent();
  assert.ok(daySummary.includes(pct(pool.day.service_level)), daySummary);

  // The page in English keeps the figures.
  await page.locator('#lang').click();
  await until(async () => (await page.locator('#c-h').textContent()).includes('Forecast'), 'English');
  checkAgainst(await readPage(page), plan2, 0);
  await page.close();
  assert.deepEqual(ctx.pageErrors, []);
});

async function until(fn, what) {
  return hq.until(fn, { what, timeout: 15000 });
}
