// SPDX-License-Identifier: MIT
// corrections.test.mjs — warnings before harm and records that can be corrected, on the admin page
// in Chromium: a service that no window serves is flagged; a mistaken window is retired (gone from
// the counter's list of windows), shown among the retired, restored and retired again and deleted
// for good; switching off a service with customers waiting asks what happens to them, and the
// answer (transfer to another service) is what the server does; the rules of a field are shown
// beside it before submitting; a certification that expires soon is marked where it is typed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as hq from './helpers.mjs';

let dir, server, ctx, admin;
const SHOTS = path.join(hq.SRC, 'docs', 'screenshots');

hq.hallHooks((h) => ({ dir, server, ctx, admin } = h));

test('the admin sees what would harm customers and corrects mistakes', async () => {
  const url = server.url;
  await hq.must(url, 'POST', '/services', { code: 'D', name: '不动产登记', name_en: 'Real estate', avg_service_s: 600, documents: [], daily_quota: 0, enabled: true }, admin);
  await hq.must(url, 'POST', '/windows', { number: 5, name: '5号窗口', services: ['A'] }, admin);
  const page = await ctx.newPage();
  await page.goto(url + '/admin');
  await hq.signIn(page, 'admin', hq.ADMIN_PASSWORD);

  // Services: D is served by no window.
  const rowD = page.locator('#services tr[data-code="D"]');
  await rowD.waitFor();
  await hq.until(async () => (await rowD.locator('.svc-windows').textContent()).includes('无窗口办理'), { what: 'no-window flag' });
  assert.match(await page.locator('#services tr[data-code="A"] .svc-windows').textContent(), /1, 2, 5/);
  assert.match(await page.locator('#s-code-rule').textContent(), /大写字母/);

  // Switching off B while two customers wait for it: the page asks; transfer to A.
  const t1 = await hq.must(url, 'POST', '/tickets', { service: 'B', category: 'normal', channel: 'kiosk' });
  await hq.must(url, 'POST', '/tickets', { service: 'B', category: 'normal', channel: 'kiosk' });
  await page.locator('#services tr[data-code="B"] button').first().click();
  await page.locator('#s-enabled').uncheck();
  await page.locator('#svc-form button[type=submit]').click();
  await page.locator('#svc-waiting').waitFor();
  assert.match(await page.locator('#svc-waiting-q').textContent(), /有 2 位群众正在等候/);
  assert.equal((await hq.must(url, 'GET', '/services')).find((s) => s.code === 'B').enabled, true, 'nothing changed yet');
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, 'admin-service-off-waiting.png'), fullPage: true });
  await page.locator('input[name=svc-waiting][value=transfer]').check();
  await page.locator('#svc-waiting-to').selectOption('A');
  await page.locator('#svc-form button[type=submit]').click();
  await hq.until(async () => (await hq.must(url, 'GET', '/services')).find((s) => s.code === 'B').enabled === false, { what: 'B switched off' });
  assert.equal((await hq.must(url, 'GET', `/tickets/${t1.id}`)).service, 'A', 'transferred as asked');
  await hq.until(async () => page.locator('#svc-waiting').isHidden(), { what: 'the question put away once saved' });

  // Windows: retire the mistaken 5号窗口.
  await page.locator('[data-tab="windows"]').click();
  const row5 = page.locator('#windows tr[data-window="5"]');
  await row5.waitFor();
  page.once('dialog', (d) => d.accept());
  await row5.locator('button.danger').click();
  await page.locator('#retired tr[data-window="5"]').waitFor();
  assert.equal(await page.locator('#windows tr[data-window="5"]').count(), 0);
  assert.deepEqual((await hq.must(url, 'GET', '/windows')).map((w) => w.number), [1, 2]);
  await page.screenshot({ path: path.join(SHOTS, 'admin-windows-retired.png'), fullPage: true });
  // The counter page no longer offers it.
  const counter = await ctx.newPage();
  await counter.goto(url + '/counter');
  await hq.signIn(counter, 'clerk1', hq.PASSWORD);
  await hq.until(async () => (await counter.locator('body').textContent()).includes('1号窗口'), { what: 'counter lists windows' });
  assert.ok(!(await counter.locator('body').textContent()).includes('5号窗口'), 'the retired window is not offered at the counter');
  await counter.close();
  // Restore, retire again, delete for good (it never served).
  await page.locator('#retired tr[data-window="5"] button:not(.danger)').click();
  await page.locator('#windows tr[data-window="5"]').waitFor();
  page.once('dialog', (d) => d.accept());
  await page.locator('#windows tr[data-window="5"] button.danger').click();
  await page.locator('#retired tr[data-window="5"]').waitFor();
  page.once('dialog', (d) => d.accept());
  await page.locator('#retired tr[data-window="5"] button.danger').click();
  await hq.until(async () => (await page.locator('#retired-box').isHidden()), { what: 'retired list empty' });
  assert.deepEqual(await hq.must(url, 'GET', '/retired-windows', undefined, admin), []);
  // A window with no service is refused, in Chinese.
  await page.locator('#w-number').fill('6');
  await page.locator('#w-services').fill(' , ');
  await page.locator('#win-form button[type=submit]').click();
  await hq.until(async () => (await page.locator('#msg').textContent()).includes('至少要办理一项业务'), { what: 'empty services refused' });

  // Staff: a certification expiring soon is marked as it is typed.
  await page.locator('[data-tab="staff"]').click();
  const soon = new Date(Date.now() + 10 * 86400000).toISOString().slice(0, 10);
  await page.locator('#u-certs').fill(`A ${soon}\nB 2020-01-01`);
  await hq.until(async () => /A \d+ 天后到期/.test(await page.locator('#u-certs-note').textContent()), { what: 'soon marked' });
  assert.match(await page.locator('#u-certs-note').textContent(), /B 已过期/);
  assert.match(await page.locator('#u-password-rule').textContent(), /至少 8/);
  // The kiosk says when a closed service opens (a lunch break counts as closed).
  const wd = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
  const later = wd[(new Date().getDay() + 3) % 7];
  await hq.must(url, 'PUT', '/services/D', { hours: { [later]: '09:00-10:00,13:30-17:00' } }, admin);
  const kiosk = await ctx.newPage();
  await kiosk.goto(url + '/kiosk');
  const dBtn = kiosk.locator('.svc-btn[data-code="D"]');
  await dBtn.waitFor();
  const zhDay = { sun: '周日', mon: '周一', tue: '周二', wed: '周三', thu: '周四', fri: '周五', sat: '周六' }[later];
  await hq.until(async () => (await dBtn.textContent()).includes(`${zhDay} 09:00 开始办理`), { what: 'opening time on the kiosk' });
  assert.equal(await dBtn.isDisabled(), true);
  await kiosk.close();
  assert.deepEqual(ctx.pageErrors, []);
  await page.close();
});

test('a second hall starts from the first one set-up: export, import with a preview', async () => {
  const doc = await hq.must(server.url, 'GET', '/config/export', undefined, admin);
  const file = path.join(dir, 'hallq-config.json');
  fs.writeFileSync(file, JSON.stringify(doc));
  const dir2 = hq.tmpDir();
  const second = await hq.serve(hq.initDb(dir2));
  try {
    const page = await ctx.newPage();
    await page.goto(second.url + '/admin');
    await hq.signIn(page, 'admin', hq.ADMIN_PASSWORD);
    await page.locator('[data-tab="hall"]').click();
    await page.locator('#cfg-file').setInputFiles(file);
    await page.locator('#cfg-preview').waitFor();
    assert.match(await page.locator('#cfg-summary').textContent(), /将新建 \d+ 项/);
    assert.match(await page.locator('#cfg-changes').textContent(), /新建 · 业务 A/);
    assert.deepEqual(await hq.must(second.url, 'GET', '/services'), [], 'nothing before the confirmation');
    await page.screenshot({ path: path.join(SHOTS, 'admin-config-import.png'), fullPage: true });
    await page.locator('#cfg-apply').click();
    await hq.until(async () => (await page.locator('#msg').textContent()).includes('已导入'), { what: 'imported' });
    assert.match(await page.locator('#msg').textContent(), /设置密码/);
    const svc = await hq.must(second.url, 'GET', '/services');
    assert.deepEqual(svc.map((s) => s.code), doc.services.map((s) => s.code));
    assert.deepEqual(ctx.pageErrors, []);
    await page.close();
  } finally {
    await second.stop();
    fs.rmSync(dir2, { recursive: true, force: true });
  }
});
