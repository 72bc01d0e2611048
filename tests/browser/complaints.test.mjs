// SPDX-License-Identifier: MIT
// complaints.test.mjs — the public complaint page: the published channels and procedure from the
// hall's configuration (defaults, marked, when there is none); a complaint submitted through the
// form gets a tracking code, and tracking by that code shows it received. Labels and roles are
// checked so that the page stays usable with a screen reader.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import * as hq from './helpers.mjs';

let dir, server, ctx, admin;

before(async () => {
  dir = hq.tmpDir();
  server = await hq.serve(hq.initDb(dir));
  admin = await hq.login(server.url, 'admin', hq.ADMIN_PASSWORD);
  ctx = await hq.browser();
});

after(async () => {
  await ctx?.close();
  await server?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('without configuration the page shows defaults and says so', async () => {
  const page = await ctx.newPage();
  await page.goto(server.url + '/complaints');
  await page.locator('#info-note:not([hidden])').waitFor();
  assert.match(await page.locator('#info').textContent(), /服务热线/);
  assert.match(await page.locator('#info [data-k="web"]').textContent(), /\/complaints$/);
});

test('a complaint is submitted and found by its code', async () => {
  await hq.must(server.url, 'PUT', '/hall', { public_info: { complaints: { phone: '0311-12345', department: '大厅办公室', department_en: 'Hall office', procedure: '受理、调查、答复', time_limits: '15 个工作日内答复' } } }, admin);
  const page = await ctx.newPage();
  await page.goto(server.url + '/complaints');
  await hq.until(async () => (await page.locator('#info [data-k="phone"]').count()) && (await page.locator('#info [data-k="phone"]').textContent()) === '0311-12345', { what: 'configured phone' });
  assert.equal(await page.locator('#info-note').isHidden(), true);
  assert.match(await page.locator('#info [data-k="department"]').textContent(), /大厅办公室/);

  // Every form field has a label.
  for (const id of ['content', 'contact', 'assist', 'code']) assert.equal(await page.locator(`label[for="${id}"]`).count(), 1, `label for #${id}`);

  // An empty complaint is refused in the page, with the field marked.
  await page.locator('#form button[type=submit]').click();
  await page.locator('#form-msg:not([hidden])').waitFor();
  assert.equal(await page.locator('#content').getAttribute('aria-invalid'), 'true');

  await page.getByLabel('投诉或建议内容').fill('3 号窗口等了很久也没有人叫号，<script>alert(1)</script>');
  await page.getByLabel('联系方式（可选，用于答复您）').fill('13800000000');
  await page.locator('#assist').check();
  await page.locator('#form button[type=submit]').click();
  await page.locator('#result:not([hidden])').waitFor();
  const code = (await page.locator('#code-out').textContent()).trim();
  assert.match(code, /^[A-Z0-9]{6,}$/);

  // Tracking by code in a fresh page (as a customer coming back later), in English.
  const again = await ctx.newPage();
  await again.goto(server.url + '/complaints');
  await again.locator('#lang').click();
  assert.equal(await again.locator('html').getAttribute('lang'), 'en');
  await again.getByLabel('Tracking code').fill(code.toLowerCase());
  await again.locator('#track-form button[type=submit]').click();
  await again.locator('#track-code').waitFor();
  assert.equal((await again.locator('#track-code').textContent()).trim(), code);
  assert.match(await again.locator('#track-status').textContent(), /Received/);
  assert.ok((await again.locator('#track-history li').count()) >= 1);
  // Nothing personal in the public view.
  assert.doesNotMatch(await again.locator('#track-out').textContent(), /13800000000/);

  // An unknown code says so.
  await again.getByLabel('Tracking code').fill('ZZZZZZZZZZ');
  await again.locator('#track-form button[type=submit]').click();
  await hq.until(async () => (await again.locator('#track-msg').textContent()).includes('No complaint'), { what: 'unknown code message' });
  await again.locator('#lang').click();
  assert.deepEqual(ctx.pageErrors, []);
});
