// SPDX-License-Identifier: MIT
// devices.test.mjs — devices paired, not typed, in Chromium: a kiosk and a pad, each in a browser
// context of its own (their own storage, as two machines), open /pair from their device page's
// "not paired" link, show a six-digit code and a QR code; the admin enters the codes on the
// Devices tab, choosing role and window; each device takes its key by itself and opens its page,
// and the pad then works as a registered device. The admin revokes the pad from the list: the pad
// forgets its key and asks for a new pairing at its next request. Screenshots of the waiting
// device and of the admin's list go to docs/screenshots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as hq from './helpers.mjs';

let server, ctx, b, admin;
const SHOTS = path.join(hq.SRC, 'docs', 'screenshots');

hq.hallHooks((h) => ({ server, ctx, admin, b } = h), { launch: true });

// A device page in its own context: follows the "not paired" link and returns {page, code}.
async function waitingDevice(devicePath) {
  const c = await b.context();
  const page = await c.newPage();
  await page.goto(server.url + devicePath);
  const link = page.locator('#unpaired-link');
  await link.waitFor();
  assert.match(await link.textContent(), /未配对/);
  await link.click();
  await page.waitForURL(/\/pair\?page=/);
  await hq.until(async () => /^\d{3} \d{3}$/.test((await page.locator('#pair-code').textContent()).trim()), { what: 'a pairing code shown' });
  await hq.until(async () => page.locator('#pair-qr').evaluate((img) => img.complete && img.naturalWidth > 100), { what: 'the QR code drawn' });
  assert.equal(await page.locator('#pair-asked').textContent(), devicePath);
  const code = (await page.locator('#pair-code').textContent()).replace(/\s+/g, '');
  return { c, page, code };
}

async function pairOnAdmin(adminPage, code, name, role, window) {
  await adminPage.locator('#p-code').fill(code);
  await adminPage.locator('#p-name').fill(name);
  await adminPage.locator('#p-role').selectOption(role);
  if (window) await adminPage.locator('#p-window').selectOption(String(window));
  await adminPage.locator('#pair-form button[type=submit]').click();
  await hq.until(async () => (await adminPage.locator('#dev-paired').count()) > 0 && (await adminPage.locator('#dev-paired').textContent()).includes(name), { what: `${name} paired` });
}

test('a kiosk and a pad are paired by code from the admin page; a revoked pad asks again', async () => {
  const adminPage = await ctx.newPage();
  await adminPage.goto(server.url + '/admin');
  await hq.signIn(adminPage, 'admin', hq.ADMIN_PASSWORD);
  await adminPage.locator('[data-tab="devices"]').click();
  await adminPage.locator('#p-role option').first().waitFor({ state: 'attached' });

  const kiosk = await waitingDevice('/kiosk');
  fs.mkdirSync(SHOTS, { recursive: true });
  await kiosk.page.screenshot({ path: path.join(SHOTS, 'pair-waiting-device.png') });
  const pad = await waitingDevice('/pad/1');
  assert.notEqual(kiosk.code, pad.code);

  // A wrong code is refused on the page, in Chinese, and registers nothing.
  await adminPage.locator('#p-code').fill(kiosk.code === '000000' ? '000001' : '000000');
  await adminPage.locator('#p-name').fill('错误');
  await adminPage.locator('#pair-form button[type=submit]').click();
  await hq.until(async () => (await adminPage.locator('#msg').textContent()).includes('没有设备在等待配对码'), { what: 'unknown code refused in Chinese' });
  assert.deepEqual(await hq.must(server.url, 'GET', '/devices', undefined, admin), []);

  // The pad's window is offered only for a pad; the printer only for a kiosk.
  await adminPage.locator('#p-role').selectOption('pad');
  assert.equal(await adminPage.locator('#p-window-box').isVisible(), true);
  assert.equal(await adminPage.locator('#p-printer-box').isVisible(), false);
  await pairOnAdmin(adminPage, kiosk.code, '东门取号机', 'kiosk');
  await pairOnAdmin(adminPage, pad.code, '1号窗口评价器', 'pad', 1);

  // Each device takes its key by itself and opens its page.
  await kiosk.page.waitForURL(/\/kiosk$/, { timeout: 20000 });
  await pad.page.waitForURL(/\/pad\/1$/, { timeout: 20000 });
  const padKey = await pad.page.evaluate(() => localStorage.getItem('hq.device'));
  assert.match(padKey, /^[0-9a-f]{64}$/);
  assert.equal(await kiosk.page.locator('#unpaired-link').count(), 0, 'a paired kiosk has no pairing link');
  const pe = await fetch(server.url + '/api/v1/windows/1/pending-evaluation', { headers: { 'X-Device-Key': padKey } });
  assert.equal(pe.status, 200);

  // The list: both, with role, window and a last-seen time.
  await adminPage.locator('[data-tab="devices"]').click();
  await hq.until(async () => (await adminPage.locator('#devices tr').count()) === 2, { what: 'two devices listed' });
  const text = await adminPage.locator('#devices').textContent();
  assert.match(text, /东门取号机/);
  assert.match(text, /1号窗口评价器/);
  assert.match(text, /评价器/);
  await adminPage.screenshot({ path: path.join(SHOTS, 'admin-devices.png'), fullPage: true });

  // Revoke the pad: it stops at once and asks for a new pairing.
  adminPage.once('dialog', (d) => d.accept());
  await adminPage.locator('#devices tr', { hasText: '1号窗口评价器' }).locator('button.danger').click();
  await hq.until(async () => (await adminPage.locator('#devices tr', { hasText: '1号窗口评价器' }).textContent()).includes('已停用'), { what: 'shown as revoked' });
  // Its next request (here: the page loaded again, as after a finished ticket) is refused.
  await pad.page.reload();
  await hq.until(async () => /\/pair\?page=%2Fpad%2F1$/.test(pad.page.url()), { timeout: 30000, what: 'the revoked pad asks for a new pairing' });
  assert.equal(await pad.page.evaluate(() => localStorage.getItem('hq.device')), null);
  assert.deepEqual(ctx.pageErrors, []);
  await kiosk.c.close();
  await pad.c.close();
});
