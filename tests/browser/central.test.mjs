// SPDX-License-Identifier: MIT
// central.test.mjs — head office's pages (`hallq central serve`) in headless Chromium against a
// real PostgreSQL 15 on loopback with three demo halls shipped to it: the sign-in form comes
// first; the overview shows each hall and a total row equal to the sum of the hall rows; the
// language toggle; a period refused with the reason in Chinese and the field focused; the
// drill-down to one hall with its day-by-day chart; axe-core finds 0 violations in every state.
// With HQ_CENTRAL_SHOTS=1 it also writes docs/screenshots/central-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as hq from './helpers.mjs';
import { assertAccessible } from './a11y_axe.mjs';
import { startPg, makeHall, ship, startCentral } from '../api/lib/central_pg.mjs';

const HALLS = [
  ['east', '东区政务大厅', 5],
  ['west', '西区政务大厅', 7],
  ['north', '北区政务大厅', 6],
];
const SHOTS = process.env.HQ_CENTRAL_SHOTS === '1';
let dir, pg, central, browser, page;

before(async () => {
  dir = hq.tmpDir('hq-central-');
  pg = await startPg();
  for (const [id, name, days] of HALLS) {
    const db = path.join(dir, `${id}.db`);
    makeHall(db, days, hq.ADMIN_PASSWORD);
    ship(db, pg.url, id, name);
  }
  central = await startCentral(pg.url, path.join(dir, 'east.db'));
  browser = await hq.launch();
  const ctx = await browser.context({ viewport: { width: 1400, height: 1000 } });
  page = await ctx.newPage();
});

after(async () => {
  await browser?.done();
  await central?.stop();
  pg?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const shot = async (name) => {
  if (!SHOTS) return;
  await page.screenshot({ path: path.join(hq.SRC, 'docs/screenshots', name), fullPage: true });
};
const num = (s) => Number(String(s).replace(/[^0-9]/g, ''));
// body text over root text: 1.15 from css/central.css (hall.css alone leaves it at 1)
const bodyScale = () => page.evaluate(() => Math.round((parseFloat(getComputedStyle(document.body).fontSize) / parseFloat(getComputedStyle(document.documentElement).fontSize)) * 100) / 100);

test('sign-in first, then every hall side by side with a total row that is their sum', async () => {
  await page.goto(central.base + '/');
  await page.locator('body[data-state="login"]').waitFor();
  assert.equal(await page.locator('#content').isHidden(), true);
  await assertAccessible(page, 'central sign-in');
  await page.locator('#user').fill('admin');
  await page.locator('#password').fill('wrong-password');
  await page.locator('#login button[type=submit]').click();
  await page.locator('#msg:not([hidden])').waitFor();
  assert.match(await page.locator('#msg').textContent(), /用户名或密码错误/);
  await page.locator('#password').fill(hq.ADMIN_PASSWORD);
  await page.locator('#login button[type=submit]').click();
  await page.locator('body[data-state="ready"]').waitFor();
  const rows = page.locator('#t-today tbody tr');
  assert.equal(await rows.count(), 4, 'three halls and the total');
  const names = await page.locator('#t-today tbody tr th a').allTextContents();
  assert.deepEqual(names, ['东区政务大厅', '北区政务大厅', '西区政务大厅']);
  for (const table of ['#t-today', '#t-period']) {
    const col = async (i) => (await page.locator(`${table} tbody tr:not(.total) td:nth-of-type(${i})`).allTextContents()).map(num);
    const tot = async (i) => num(await page.locator(`${table} tbody tr.total td:nth-of-type(${i})`).textContent());
    for (const i of [1, 2]) {
      const v = await col(i);
      assert.ok(v.some((x) => x > 0), `${table} column ${i} has figures`);
      assert.equal(await tot(i), v.reduce((a, b) => a + b, 0), `${table} column ${i}: total is the sum`);
    }
  }
  assert.ok(await page.locator('#today-chart svg rect').count() >= 6);
  assert.ok(await page.locator('#period-chart svg rect').count() >= 6);
  assert.equal(await page.locator('#t-compliance tbody tr').count(), 4);
  assert.equal(await bodyScale(), 1.15, 'the head office style sheet (css/central.css) applies');
  await assertAccessible(page, 'central overview');
  await shot('central-overview.png');
  assert.deepEqual(browser.pageErrors, []);
});

test('English on the toggle; a bad period is refused in the page\'s language, its field focused', async () => {
  await page.locator('#lang').click();
  assert.equal(await page.locator('h1').textContent(), 'Head office · all halls');
  assert.match(await page.locator('#t-today thead').textContent(), /Median wait/);
  await assertAccessible(page, 'central overview (English)');
  await page.locator('#lang').click();
  await page.locator('#p-from').fill('2026-03-10');
  await page.locator('#p-to').fill('2026-03-01');
  await page.locator('#period button[type=submit]').click();
  // The note says 加载中 (loading) while the request is out; wait for the answer's refusal.
  await page.locator('#msg:not([hidden])', { hasText: /结束日期不能早于开始日期|end date/i }).waitFor();
  assert.match(await page.locator('#msg').textContent(), /结束日期不能早于开始日期/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'p-to');
  await assertAccessible(page, 'central overview with a refusal');
});

test('drill-down: one hall\'s services, windows and day-by-day chart', async () => {
  await page.goto(central.base + '/');
  await page.locator('body[data-state="ready"]').waitFor();
  await page.locator('#t-today a', { hasText: '西区政务大厅' }).click();
  await page.waitForURL(/\/hall\?id=west/);
  await page.locator('body[data-state="ready"]').waitFor();
  assert.equal(await page.locator('#hall-name').textContent(), '西区政务大厅');
  assert.ok(await page.locator('#t-services tbody tr').count() >= 3);
  assert.ok(await page.locator('#t-windows tbody tr').count() >= 3);
  const days = await page.locator('#t-days tbody tr').count();
  assert.ok(days >= 3);
  assert.equal(await page.locator('#day-chart svg rect').count(), days);
  assert.equal(await bodyScale(), 1.15, 'css/central.css applies here too');
  const dayTickets = (await page.locator('#t-days tbody tr td:nth-of-type(1)').allTextContents()).map(num);
  const svcTickets = (await page.locator('#t-services tbody tr td:nth-of-type(1)').allTextContents()).map(num);
  assert.equal(dayTickets.reduce((a, b) => a + b, 0), svcTickets.reduce((a, b) => a + b, 0));
  await assertAccessible(page, 'central hall');
  await shot('central-hall.png');
  await page.goto(central.base + '/hall?id=nowhere');
  await page.locator('body[data-state="ready"]').waitFor();
  assert.match(await page.locator('#msg').textContent(), /总部没有大厅/);
  await assertAccessible(page, 'central hall not found');
  assert.deepEqual(browser.pageErrors, []);
});
