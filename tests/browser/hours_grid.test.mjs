// SPDX-License-Identifier: MIT
// hours_grid.test.mjs — the weekly hours grid of the admin page (web/js/hours_grid.js), for the hall
// and for a service: a lunch break entered as two ranges, Monday copied to the week, a range
// removed, the closed and always-open states; a refusal of the server (overlapping ranges) marked
// on its day's row, in the page's language, with nothing stored; axe finds nothing on the grid.
// Screenshots of both grids and of the refusal go to docs/screenshots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as hq from './helpers.mjs';
import { assertAccessible } from './a11y_axe.mjs';

let server, ctx, admin;
const SHOTS = path.join(hq.SRC, 'docs', 'screenshots');

hq.hallHooks((h) => ({ server, ctx, admin } = h));

// Submit a form and wait for the page's answer (#msg emptied first, so an old one is not taken).
async function submit(page, form) {
  await page.evaluate(() => Object.assign(document.querySelector('#msg'), { hidden: true, textContent: '' }));
  await page.locator(`${form} button[type=submit]`).click();
  await hq.until(async () => !(await page.locator('#msg').isHidden()), { what: 'the answer shown' });
  return { text: await page.locator('#msg').textContent(), cls: await page.locator('#msg').getAttribute('class') };
}

test('the hall and a service get weekly hours with a lunch break through the grid', async () => {
  const url = server.url;
  const page = await ctx.newPage();
  await page.goto(url + '/admin');
  await hq.signIn(page, 'admin', hq.ADMIN_PASSWORD);
  const hallReady = () => hq.until(async () => (await page.locator('#hall-form').getAttribute('data-state')) === 'ready', { what: 'the hall form re-read' });

  // The hall: always open at first, said so; switch to weekly hours.
  await page.locator('[data-tab="hall"]').click();
  await hallReady();
  assert.equal(await page.locator('#h-hours').getAttribute('data-mode'), 'always');
  assert.ok(await page.locator('#h-hours input[value="always"]').isChecked());
  await page.locator('#h-hours input[value="weekly"]').check();
  assert.equal(await page.locator('#h-hours tr[data-day="mon"]').getAttribute('data-state'), 'closed');
  assert.match(await page.locator('#h-hours tr[data-day="mon"]').textContent(), /周一.*休息/);
  // Chinese day names, Monday first.
  assert.deepEqual(await page.locator('#h-hours .hg-day').allTextContents(), ['周一', '周二', '周三', '周四', '周五', '周六', '周日']);
  await hq.setHoursDay(page, '#h-hours', 'mon', [['08:30', '12:00'], ['13:30', '17:30']]);
  await page.locator('#h-hours .hg-copy-week').click();
  assert.equal(await page.locator('#h-hours tr[data-day="fri"] .hg-range').count(), 2, 'Monday copied to Friday');
  assert.equal(await page.locator('#h-hours tr[data-day="sat"]').getAttribute('data-state'), 'closed', 'Saturday stays closed');
  await hq.setHoursDay(page, '#h-hours', 'sat', [['09:00', '12:00']]);
  await assertAccessible(page, 'the hall hours grid');
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.locator('#h-hours').screenshot({ path: path.join(SHOTS, 'admin-hours-grid-hall.png') });
  assert.match((await submit(page, '#hall-form')).text, /已保存/);
  const h1 = await hq.must(url, 'GET', '/hall');
  assert.equal(h1.hours.mon, '08:30-12:00,13:30-17:30', 'the morning is not dropped');
  assert.equal(h1.hours.fri, '08:30-12:00,13:30-17:30');
  assert.equal(h1.hours.sat, '09:00-12:00');
  assert.equal(h1.hours.sun, null);

  // The saved hours come back as rows; overlapping ranges on Tuesday are refused and marked there.
  await hallReady();
  assert.equal(await page.locator('#h-hours tr[data-day="tue"] .hg-to').nth(1).inputValue(), '17:30');
  await hq.setHoursDay(page, '#h-hours', 'tue', [['08:30', '12:00'], ['11:00', '17:30']]);
  const m = await submit(page, '#hall-form');
  assert.match(m.cls, /error/);
  assert.match(m.text, /星期二第 2 个时段“11:00-17:30”在第 1 个时段结束前开始/);
  const tue = page.locator('#h-hours tr[data-day="tue"]');
  assert.match(await tue.getAttribute('class'), /bad/);
  assert.match(await tue.locator('.hg-error').textContent(), /第 2 个时段/);
  assert.equal(await tue.locator('.hg-range[data-range="2"] .hg-from').getAttribute('aria-invalid'), 'true');
  assert.equal(await tue.locator('.hg-range[data-range="1"] .hg-from').getAttribute('aria-invalid'), null);
  assert.equal(await page.locator('#h-hours tr.bad').count(), 1, 'only the row at fault is marked');
  await assertAccessible(page, 'a refusal marked on the grid');
  await page.locator('#h-hours').screenshot({ path: path.join(SHOTS, 'admin-hours-grid-refused.png') });
  assert.deepEqual((await hq.must(url, 'GET', '/hall')).hours, h1.hours, 'nothing stored');
  // Removing the wrong range and saving again: Tuesday has the morning only.
  await tue.locator('.hg-range[data-range="2"] .hg-del').click();
  assert.equal(await page.locator('#h-hours tr.bad').count(), 0, 'the mark goes with the change');
  await page.locator('#hall-form button[type=submit]').click();
  await hq.until(async () => (await hq.must(url, 'GET', '/hall')).hours.tue === '08:30-12:00', { what: 'Tuesday saved' });
  await hallReady();

  // A service: the hall's hours by default; its own afternoon-only hours Monday to Friday.
  await page.locator('[data-tab="services"]').click();
  await page.locator('#services tr[data-code="A"] button').first().click();
  assert.ok(await page.locator('#s-hours input[value="hall"]').isChecked(), 'as the hall');
  await page.locator('#s-hours input[value="weekly"]').check();
  await hq.setHoursDay(page, '#s-hours', 'mon', [['13:30', '16:30']]);
  await page.locator('#s-hours .hg-copy-week').click();
  await page.locator('#s-hours').screenshot({ path: path.join(SHOTS, 'admin-hours-grid-service.png') });
  assert.match((await submit(page, '#svc-form')).text, /已保存/);
  const a = (await hq.must(url, 'GET', '/services')).find((s) => s.code === 'A');
  assert.deepEqual(a.hours, { mon: '13:30-16:30', tue: '13:30-16:30', wed: '13:30-16:30', thu: '13:30-16:30', fri: '13:30-16:30', sat: null, sun: null });

  // In English, a refusal reads in English: an end past 24:00 on Wednesday.
  await page.locator('#lang').click();
  await page.locator('#services tr[data-code="A"] button').first().click();
  await hq.until(async () => (await page.locator('#s-hours tr[data-day="wed"] .hg-range').count()) === 1, { what: 'the service in the grid' });
  await hq.setHoursDay(page, '#s-hours', 'wed', [['13:30', '24:30']]);
  const e = await submit(page, '#svc-form');
  assert.match(e.text, /hours\.wed: range 1 '13:30-24:30': 24:30 is not a time of day/);
  assert.match(await page.locator('#s-hours tr[data-day="wed"]').getAttribute('class'), /bad/);
  assert.equal((await hq.must(url, 'GET', '/services')).find((s) => s.code === 'A').hours.wed, '13:30-16:30', 'nothing stored');
  // Back to the hall's hours: null.
  await page.locator('#s-hours input[value="hall"]').check();
  await page.locator('#svc-form button[type=submit]').click();
  await hq.until(async () => (await hq.must(url, 'GET', '/services')).find((s) => s.code === 'A').hours === null, { what: 'service as the hall' });
  await page.locator('#lang').click();
  await hq.must(url, 'PUT', '/hall', { hours: null }, admin);
});
