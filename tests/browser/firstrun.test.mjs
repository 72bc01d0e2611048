// SPDX-License-Identifier: MIT
// firstrun.test.mjs — a hall set up from a fresh `hallq init` through the pages alone, as a new
// administrator would: the first-run guide shows the steps and marks each as it is done; hours with
// a lunch break; a service, a window, a clerk with a certification, all typed into the admin page;
// a mistaken window retired; a kiosk and a pad paired by code in browser contexts of their own; the
// public information; then a test ticket taken at the kiosk, called and finished at the counter,
// shown on the display and rated on the pad. Screenshots of the guide before and after.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as hq from './helpers.mjs';

let server, ctx, b;
const SHOTS = path.join(hq.SRC, 'docs', 'screenshots');

hq.hallHooks((h) => ({ server, ctx, b } = h), { hall: false, launch: true });

async function saved(page) {
  await hq.until(async () => /已保存|error/.test((await page.locator('#msg').textContent()) + (await page.locator('#msg').getAttribute('class'))), { what: 'saved or refused' });
  assert.match(await page.locator('#msg').textContent(), /已保存/);
}

// A device in its own browser context, paired from the admin page; returns its page.
async function pairDevice(admin, devicePath, name, role, window) {
  const c = await b.context();
  const page = await c.newPage();
  await page.goto(server.url + devicePath);
  await page.locator('#unpaired-link').click();
  await hq.until(async () => /^\d{3} \d{3}$/.test((await page.locator('#pair-code').textContent()).trim()), { what: 'code shown' });
  const code = (await page.locator('#pair-code').textContent()).replace(/\s+/g, '');
  await admin.locator('[data-tab="devices"]').click();
  await admin.locator('#p-code').fill(code);
  await admin.locator('#p-name').fill(name);
  await admin.locator('#p-role').selectOption(role);
  if (window) await admin.locator('#p-window').selectOption(String(window));
  await admin.locator('#pair-form button[type=submit]').click();
  await page.waitForURL(new RegExp(`${devicePath}$`), { timeout: 20000 });
  return page;
}

test('a new administrator sets up a hall from the pages alone and serves a first customer', async () => {
  const url = server.url;
  const admin = await ctx.newPage();
  await admin.goto(url + '/admin');
  await hq.signIn(admin, 'admin', hq.ADMIN_PASSWORD);
  const guide = admin.locator('#guide');
  await guide.locator('.guide-steps li').first().waitFor();
  assert.match(await guide.locator('.guide-progress').textContent(), /已完成 0\/7 步/);
  fs.mkdirSync(SHOTS, { recursive: true });
  await admin.screenshot({ path: path.join(SHOTS, 'admin-first-run-guide.png'), fullPage: true });

  // 1. The hall: its name and hours with a lunch break, in Chinese day names.
  await guide.locator('li[data-step="hall"] button').click();
  await hq.until(async () => (await admin.locator('#hall-form').getAttribute('data-state')) === 'ready', { what: 'the hall form read' });
  await admin.locator('#h-name').fill('新区税务服务厅');
  // The weekly grid (hours_grid.js): Monday's morning and afternoon, copied to the week.
  await admin.locator('#h-hours input[value="weekly"]').check();
  const mon = admin.locator('#h-hours tr[data-day="mon"]');
  await mon.locator('.hg-add').click();
  await mon.locator('.hg-add').click();
  for (const [i, [a, z]] of [['08:30', '12:00'], ['13:30', '17:30']].entries()) {
    await mon.locator('.hg-from').nth(i).fill(a);
    await mon.locator('.hg-to').nth(i).fill(z);
  }
  await admin.locator('#h-hours .hg-copy-week').click();
  assert.deepEqual(await admin.locator('#h-hours tr[data-day="fri"] input').evaluateAll((l) => l.map((x) => x.value)), ['08:30', '12:00', '13:30', '17:30'], 'Monday copied to the week');
  await admin.locator('#hall-form button[type=submit]').click();
  await saved(admin);
  const h1 = await hq.must(url, 'GET', '/hall');
  assert.equal(h1.hours.mon, '08:30-12:00,13:30-17:30', 'the morning is not dropped');
  assert.equal(h1.hours.fri, '08:30-12:00,13:30-17:30');
  assert.equal(h1.hours.sat, null);
  // (The test must take a ticket whatever the time: open around the clock again.)
  await admin.locator('[data-tab="hall"]').click();
  // The save's re-read (and the tab's) must be done before typing, or it overwrites what is typed.
  await hq.until(async () => (await admin.locator('#hall-form').getAttribute('data-state')) === 'ready', { what: 'the hall form re-read' });
  await admin.locator('#h-hours input[value="always"]').check();
  await admin.locator('#pi-phone').fill('0311-88886666');
  await admin.locator('#hall-form button[type=submit]').click();
  await saved(admin);
  assert.equal((await hq.must(url, 'GET', '/hall')).hours, null);

  // 2. A service.
  await admin.locator('[data-tab="services"]').click();
  await admin.locator('#s-code').fill('A');
  await admin.locator('#s-name').fill('纳税申报');
  await admin.locator('#s-name-en').fill('Tax returns');
  await admin.locator('#s-docs').fill('身份证\n营业执照');
  await admin.locator('#svc-form button[type=submit]').click();
  await saved(admin);
  await hq.until(async () => (await admin.locator('#services tr[data-code="A"] .svc-windows').textContent()).includes('无窗口办理'), { what: 'flagged: no window' });

  // 3. Windows: one right, one by mistake, retired.
  await admin.locator('[data-tab="windows"]').click();
  for (const n of [1, 5]) {
    await admin.locator('#w-number').fill(String(n));
    await admin.locator('#w-services').fill('A');
    await admin.locator('#win-form button[type=submit]').click();
    await saved(admin);
  }
  await admin.locator('#windows tr[data-window="5"]').waitFor();
  admin.once('dialog', (d) => d.accept());
  await admin.locator('#windows tr[data-window="5"] button.danger').click();
  await admin.locator('#retired tr[data-window="5"]').waitFor();

  // 4. A clerk with a certification.
  await admin.locator('[data-tab="staff"]').click();
  await admin.locator('#u-username').fill('zhangli');
  await admin.locator('#u-name').fill('张丽');
  await admin.locator('#u-role').selectOption('clerk');
  await admin.locator('#u-password').fill(hq.PASSWORD);
  await admin.locator('#u-certs').fill('A 2099-12-31');
  await admin.locator('#staff-form button[type=submit]').click();
  await saved(admin);

  // 5. Devices: a kiosk and the pad of window 1, each in its own context.
  const kiosk = await pairDevice(admin, '/kiosk', '大厅取号机', 'kiosk');
  const pad = await pairDevice(admin, '/pad/1', '1号窗口评价器', 'pad', 1);
  // The guide is re-read when a tab is opened: open one until it has caught up (under load the
  // pad's pairing and the guide's reads can cross).
  await hq.until(async () => {
    if (/已完成 6\/7 步/.test(await guide.locator('.guide-progress').textContent())) return true;
    await admin.locator('[data-tab="services"]').click();
    return false;
  }, { what: 'six steps done', interval: 500 });
  assert.equal(await guide.locator('li[data-step="test"]').getAttribute('class'), 'todo');

  // 6. The test run: kiosk → counter → display → pad.
  const display = await ctx.newPage();
  await display.goto(url + '/display');
  await display.locator('#live.on').waitFor();
  const btn = kiosk.locator('.svc-btn[data-code="A"]');
  await btn.waitFor();
  await btn.click();
  await kiosk.locator('#ticket').waitFor();
  const number = (await kiosk.locator('#t-number').textContent()).trim();
  assert.equal(number, 'A001');
  const counter = await ctx.newPage();
  await counter.goto(url + '/counter');
  await hq.signIn(counter, 'zhangli', hq.PASSWORD);
  assert.equal(await counter.locator('#windows [data-window="5"]').count(), 0, 'the retired window is not offered');
  await counter.locator('#windows [data-window="1"]').click();
  await counter.locator('[data-act="open"]:not([disabled])').click();
  await counter.locator('[data-act="call-next"]:not([disabled])').click();
  await hq.until(async () => (await counter.locator('#cur-number').textContent()) === number, { what: 'called at the counter' });
  await hq.until(async () => (await display.locator('#newest-number').textContent()) === number, { what: 'shown on the display' });
  await counter.locator('[data-act="start"]:not([disabled])').click();
  await counter.locator('[data-act="finish"]:not([disabled])').click();
  await pad.locator('#ask:not([hidden])').waitFor({ timeout: 20000 });
  await pad.locator('.face[data-level="5"]').click();
  await pad.locator('#thanks:not([hidden])').waitFor();
  const ev = await hq.until(async () => {
    const r = await hq.call(url, 'GET', '/evaluations', undefined, await hq.login(url, 'admin', hq.ADMIN_PASSWORD));
    return r.status === 200 && JSON.stringify(r.json).includes('"level":5') ? r : null;
  }, { what: 'the rating recorded' });
  assert.ok(ev);

  // The guide: all done.
  await admin.reload();
  await admin.locator('#guide-show').waitFor({ state: 'attached' });
  await hq.until(async () => admin.locator('#guide').isHidden(), { what: 'guide folded when all done' });
  await admin.locator('#guide-show').click();
  await hq.until(async () => /已完成 7\/7 步/.test(await guide.locator('.guide-progress').textContent()), { what: 'seven of seven' });
  await admin.screenshot({ path: path.join(SHOTS, 'admin-first-run-done.png') });
  assert.deepEqual(ctx.pageErrors, []);
  assert.deepEqual(b.pageErrors, []);
});
