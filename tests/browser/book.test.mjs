// SPDX-License-Identifier: MIT
// book.test.mjs — the public booking page (web/book.html, js/book.js) on a phone-sized screen in
// Chromium: only bookable services are offered, a day's slots show the places offered (the
// walk-in share never), a booking made through the form gives the code and a QR code of the
// booking's link, the phone never shows again, the slot then reads full, the link reopens the
// booking, and cancel works. Then 预约签到 at the kiosk (js/checkin.js): the code typed in the
// dialog gives the appointment ticket's number, and a second try is refused. Run with HQ_SHOT_DIR=docs/screenshots to refresh book.zh.png and
// book.en.png (else the shots go to a temporary directory).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as hq from './helpers.mjs';

let dir, server, ctx, admin;
const PHONE = '13912345678';
const ALL_DAY = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, '08:30-12:00,13:30-17:00']));

before(async () => {
  dir = hq.tmpDir();
  server = await hq.serve(hq.initDb(dir));
  admin = await hq.setupHall(server.url);
  await hq.must(server.url, 'PUT', '/services/A', { hours: ALL_DAY, bookable: true }, admin);
  // 2 places a slot, half kept for walk-ins: 1 offered
  await hq.must(server.url, 'PUT', '/appointments/settings', { slot_minutes: 30, capacity: 2, walk_in_share: 0.5 }, admin);
  ctx = await hq.browser({ viewport: { width: 390, height: 844 } });
});

after(async () => {
  await ctx?.close();
  await server?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('book a slot on a phone: code, QR, the phone never shown; the slot is then full; cancel', async () => {
  const shots = process.env.HQ_SHOT_DIR || dir;
  const page = await ctx.newPage();
  await page.goto(server.url + '/book.html');
  const svc = page.locator('#services button');
  await svc.first().waitFor();
  assert.deepEqual(await svc.evaluateAll((b) => b.map((x) => x.dataset.code)), ['A'], 'only the bookable service');
  for (const id of ['phone', 'idn']) assert.equal(await page.locator(`label[for="${id}"]`).count(), 1, `label for #${id}`);

  await svc.first().click();
  await page.locator('#days button').nth(1).click(); // tomorrow
  const slots = page.locator('#slots button');
  await slots.first().waitFor();
  assert.equal(await slots.count(), 7 + 7, '08:30–12:00 and 13:30–17:00 in 30-minute slots');
  assert.match(await slots.first().textContent(), /08:30.*余 1/);
  const times = await slots.evaluateAll((b) => b.map((x) => x.textContent));
  assert.ok(!times.some((t) => /^12:|^13:00/.test(t)), 'no slot in the lunch break');

  // refused in the page: no slot chosen, then a short phone
  await page.locator('#phone').fill(PHONE);
  await page.locator('#submit').click();
  await page.locator('#form-msg:not([hidden])').waitFor();
  await slots.first().click();
  await page.locator('#phone').fill('1391234');
  await page.locator('#submit').click();
  await hq.until(async () => /11/.test(await page.locator('#form-msg').textContent()), { what: 'the phone refusal' });

  await page.locator('#phone').fill(PHONE);
  await page.screenshot({ path: path.join(shots, 'book-form.zh.png'), fullPage: true });
  await page.locator('#submit').click();
  await page.locator('#done:not([hidden])').waitFor();
  const code = (await page.locator('#code-out').textContent()).trim();
  assert.match(code, /^[A-Z2-9]{6}$/);
  await hq.until(() => page.locator('#qr').evaluate((img) => img.complete && img.naturalWidth > 0), { what: 'the QR code' });
  const link = await page.locator('#link').textContent();
  assert.match(link, /\/book\.html\?b=[0-9a-f]{32}$/);
  assert.ok(!(await page.content()).includes(PHONE), 'the phone is not on the page any more');
  assert.match(await page.locator('#status').textContent(), /已预约/);
  await page.screenshot({ path: path.join(shots, 'book.zh.png'), fullPage: true });

  // English
  await page.locator('#lang').click();
  await hq.until(async () => /Booked/.test(await page.locator('#status').textContent()), { what: 'English' });
  await page.screenshot({ path: path.join(shots, 'book.en.png'), fullPage: true });
  await page.locator('#lang').click();

  // another visitor: the slot is full now (the walk-in place is never offered)
  const other = await ctx.newPage();
  await other.goto(server.url + '/book.html');
  await other.locator('#services button').first().click();
  await other.locator('#days button').nth(1).click();
  await other.locator('#slots button').first().waitFor();
  assert.equal(await other.locator('#slots button').first().isDisabled(), true);
  assert.match(await other.locator('#slots button').first().textContent(), /已约满/);

  // the link reopens the booking; cancel
  await other.goto(link);
  await other.locator('#done:not([hidden])').waitFor();
  assert.equal((await other.locator('#code-out').textContent()).trim(), code);
  other.once('dialog', (d) => d.accept());
  await other.locator('#cancel').click();
  await hq.until(async () => /已取消/.test(await other.locator('#status').textContent()), { what: 'cancelled' });
  assert.equal(await other.locator('#cancel').isHidden(), true);
  assert.deepEqual(ctx.pageErrors, []);
});

test('预约签到 at the kiosk: the code gives an appointment ticket; twice is refused', async (t) => {
  // slots all day long so that one starts within the check-in window now
  await hq.must(server.url, 'PUT', '/services/A', { hours: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, '00:00-23:55'])) }, admin);
  await hq.must(server.url, 'PUT', '/appointments/settings', { slot_minutes: 5 }, admin);
  const fmt = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });
  const today = await hq.must(server.url, 'GET', `/appointments/slots?service=A&date=${fmt.format(new Date())}`);
  if (!today.slots.length) return t.skip('no slot left today');
  const b = await hq.must(server.url, 'POST', '/appointments', { service: 'A', start: today.slots[0].start, phone: '13912340000' });
  const dev = await hq.must(server.url, 'POST', '/devices', { name: 'kiosk-1' }, admin);
  const page = await ctx.newPage();
  await page.goto(`${server.url}/kiosk?device=${dev.key}`);
  await page.locator('#checkin-open').click();
  await page.locator('#ci-dialog[open]').waitFor();
  assert.equal(await page.locator('label[for="ci-code"]').count(), 1);
  await page.locator('#ci-code').fill(b.code.toLowerCase());
  await page.locator('#ci-form button[type=submit]').click();
  await page.locator('#ci-number').waitFor();
  assert.match(await page.locator('#ci-number').textContent(), /^A\d{3,}$/);
  assert.ok(!(await page.content()).includes('13912340000'));
  const shots = process.env.HQ_SHOT_DIR;
  if (shots) await page.screenshot({ path: path.join(shots, 'kiosk-checkin.zh.png') });
  await page.locator('#ci-code').fill(b.code);
  await page.locator('#ci-form button[type=submit]').click();
  await page.locator('#ci-msg:not([hidden])').waitFor();
  assert.match(await page.locator('#ci-msg').textContent(), /签到|checked in/);
  const g = await hq.must(server.url, 'GET', `/appointments/${b.id}`);
  assert.equal(g.status, 'checked_in');
});
