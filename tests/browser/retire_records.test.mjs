// SPDX-License-Identifier: MIT
// retire_records.test.mjs — a mistaken clerk and a mistaken service retired from the admin page
// (撤销, after a confirmation): they leave the services and staff lists and appear among the
// retired with 恢复 and 彻底删除; the kiosk no longer offers the service, the counter refuses the
// clerk's sign-in. A service customers wait for asks where to transfer them, then is retired.
// Restore brings the service back switched off; the retired clerk is deleted for good. axe finds
// nothing on either tab with its retired list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as hq from './helpers.mjs';
import { assertAccessible } from './a11y_axe.mjs';

let server, ctx, admin;

hq.hallHooks((h) => ({ server, ctx, admin } = h));

// Click a button (accepting its confirmation when it asks one) and wait for the page's answer.
async function answered(page, button, { asks = true } = {}) {
  await page.evaluate(() => Object.assign(document.querySelector('#msg'), { hidden: true, textContent: '' }));
  if (asks) page.once('dialog', (d) => d.accept());
  await button.click();
  await hq.until(async () => !(await page.locator('#msg').isHidden()), { what: 'the answer shown' });
  return page.locator('#msg').textContent();
}

// The retired list of a tab, reloaded after the change and showing key.
const listed = (page, box, key) => hq.until(async () => (await page.locator(`${box}[data-state="ready"] tr[data-key="${key}"]`).count()) === 1, { what: `${key} among the retired` });

test('a mistaken service and clerk are retired from the admin page and leave the kiosk and the counter', async () => {
  const url = server.url;
  await hq.must(url, 'POST', '/services', { code: 'Z', name: '误建业务', name_en: 'Created by mistake', avg_service_s: 300 }, admin);
  await hq.must(url, 'POST', '/staff', { username: 'oops', name: '误建人员', role: 'clerk', password: hq.PASSWORD, certifications: [] }, admin);
  const kiosk = await ctx.newPage();
  await kiosk.goto(url + '/kiosk');
  await kiosk.locator('.svc-btn[data-code="Z"]').waitFor();

  const page = await ctx.newPage();
  await page.goto(url + '/admin');
  await hq.signIn(page, 'admin', hq.ADMIN_PASSWORD);
  await page.locator('#services tr[data-code="Z"]').waitFor();
  assert.match(await answered(page, page.locator('#services tr[data-code="Z"] .svc-retire')), /已撤销 Z/);
  await listed(page, '#rt-svc-box', 'Z');
  await hq.until(async () => (await page.locator('#services tr[data-code="Z"]').count()) === 0, { what: 'Z gone from the services list' });
  await assertAccessible(page, 'services tab with the retired services');

  // The kiosk, reloaded, offers it no more.
  await kiosk.reload();
  await kiosk.locator('.svc-btn[data-code="A"]').waitFor();
  assert.equal(await kiosk.locator('.svc-btn[data-code="Z"]').count(), 0, 'the kiosk does not offer a retired service');

  // A service customers wait for: the page asks where they go, then retires it.
  await hq.must(url, 'POST', '/services', { code: 'W', name: '等候业务', avg_service_s: 300 }, admin);
  await hq.must(url, 'POST', '/tickets', { service: 'W', category: 'normal', channel: 'kiosk' });
  await page.locator('[data-tab="windows"]').click();
  await page.locator('[data-tab="services"]').click();
  await page.locator('#services tr[data-code="W"]').waitFor();
  assert.match(await answered(page, page.locator('#services tr[data-code="W"] .svc-retire')), /1 customers|1 位群众|转到/);
  await page.locator('#rt-svc-waiting:not([hidden])').waitFor();
  await page.locator('#rt-svc-to').selectOption('A');
  await assertAccessible(page, 'the transfer question of a retired service');
  assert.match(await answered(page, page.locator('#rt-svc-do'), { asks: false }), /已撤销 W/);
  await listed(page, '#rt-svc-box', 'W');
  assert.ok(await page.locator('#rt-svc-waiting').isHidden(), 'the question is closed');

  // The clerk.
  await page.locator('[data-tab="staff"]').click();
  await page.locator('#staff tr[data-username="oops"]').waitFor();
  assert.match(await answered(page, page.locator('#staff tr[data-username="oops"] .staff-retire')), /已撤销 oops/);
  await listed(page, '#rt-staff-box', 'oops');
  await hq.until(async () => (await page.locator('#staff tr[data-username="oops"]').count()) === 0, { what: 'oops gone from the staff list' });
  await assertAccessible(page, 'staff tab with the retired staff');
  // The admin himself cannot be retired: the page says so.
  assert.match(await answered(page, page.locator('#staff tr[data-username="admin"] .staff-retire')), /不能撤销自己/);

  // The counter refuses the retired clerk.
  const counter = await ctx.newPage();
  await counter.goto(url + '/counter');
  await counter.locator('#login-user').fill('oops');
  await counter.locator('#login-pass').fill(hq.PASSWORD);
  await counter.locator('#login-submit').click();
  await hq.until(async () => /用户名或密码错误/.test(await counter.locator('#login .msg').textContent()), { what: 'the sign-in refused' });
  await counter.close();

  // Restore the service: back in the list, switched off; delete the clerk for good.
  await page.locator('[data-tab="services"]').click();
  await listed(page, '#rt-svc-box', 'Z');
  assert.match(await answered(page, page.locator('#rt-svc tr[data-key="Z"] .rt-restore'), { asks: false }), /已恢复 Z/);
  await page.locator('#services tr[data-code="Z"]').waitFor();
  await hq.until(async () => (await page.locator('#rt-svc-box[data-state="ready"] tr[data-key="Z"]').count()) === 0, { what: 'Z no longer among the retired' });
  assert.equal((await hq.must(url, 'GET', '/services')).find((s) => s.code === 'Z').enabled, false);
  await page.locator('[data-tab="staff"]').click();
  await listed(page, '#rt-staff-box', 'oops');
  assert.match(await answered(page, page.locator('#rt-staff tr[data-key="oops"] .rt-delete')), /已彻底删除 oops/);
  await hq.until(async () => (await page.locator('#rt-staff-box[data-state="ready"] tr[data-key="oops"]').count()) === 0, { what: 'oops deleted' });
  await kiosk.close();
  await page.close();
});
