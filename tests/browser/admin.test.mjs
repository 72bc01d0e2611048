// SPDX-License-Identifier: MIT
// admin.test.mjs — configuration through the admin page: a service, a window, a staff member with
// a certification, the hall's hours and public information, and a device registration; each change
// is checked through the API. Also: a page refuses a signed-in user of the wrong role.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as hq from './helpers.mjs';

let server, ctx, admin;

hq.hallHooks((h) => ({ server, ctx, admin } = h));

test('the admin configures the hall through the page', async () => {
  const url = server.url;
  const page = await ctx.newPage();
  // The hall form holds what the server has (no save or re-read under way).
  const hallReady = () => hq.until(async () => (await page.locator('#hall-form').getAttribute('data-state')) === 'ready', { what: 'the hall form re-read' });
  await page.goto(url + '/admin');
  await hq.signIn(page, 'admin', hq.ADMIN_PASSWORD);

  // A service with documents and hours.
  await page.locator('#services tr[data-code="A"]').waitFor();
  await page.locator('#s-code').fill('D');
  await page.locator('#s-name').fill('不动产登记');
  await page.locator('#s-name-en').fill('Real estate');
  await page.locator('#s-avg').fill('600');
  await page.locator('#s-quota').fill('40');
  await page.locator('#s-docs').fill('身份证\n不动产权证书');
  await page.locator('#s-hours input[value="weekly"]').check();
  await hq.setHoursDay(page, '#s-hours', 'mon', [['09:00', '17:00']]);
  await page.locator('#s-hours .hg-copy-week').click();
  await page.locator('#svc-form button[type=submit]').click();
  await page.locator('#services tr[data-code="D"]').waitFor();
  const svc = (await hq.must(url, 'GET', '/services')).find((s) => s.code === 'D');
  assert.equal(svc.name_en, 'Real estate');
  assert.equal(svc.daily_quota, 40);
  assert.deepEqual(svc.documents, ['身份证', '不动产权证书']);
  assert.equal(svc.hours.mon, '09:00-17:00');
  assert.equal(svc.hours.sat, null);

  // Edit it: disable.
  await page.locator('#services tr[data-code="D"] button').first().click();
  await page.locator('#s-enabled').uncheck();
  await page.locator('#svc-form button[type=submit]').click();
  await hq.until(async () => (await hq.must(url, 'GET', '/services')).find((s) => s.code === 'D').enabled === false, { what: 'D disabled' });

  // A window.
  await page.locator('[data-tab="windows"]').click();
  await page.locator('#windows tr[data-window="1"]').waitFor();
  await page.locator('#w-number').fill('5');
  await page.locator('#w-name').fill('5号窗口（综合）');
  await page.locator('#w-services').fill('d, a');
  await page.locator('#win-form button[type=submit]').click();
  await page.locator('#windows tr[data-window="5"]').waitFor();
  const w5 = await hq.must(url, 'GET', '/windows/5');
  assert.deepEqual(w5.services, ['D', 'A']);

  // A clerk with a certification.
  await page.locator('[data-tab="staff"]').click();
  await page.locator('#staff tr[data-username="clerk1"]').waitFor();
  await page.locator('#u-username').fill('clerk9');
  await page.locator('#u-name').fill('陈静');
  await page.locator('#u-role').selectOption('clerk');
  await page.locator('#u-password').fill('pw-clerk9-Long');
  await page.locator('#u-certs').fill('D 2030-01-31');
  await page.locator('#staff-form button[type=submit]').click();
  await page.locator('#staff tr[data-username="clerk9"]').waitFor();
  const staff = (await hq.must(url, 'GET', '/staff', undefined, admin)).find((u) => u.username === 'clerk9');
  assert.deepEqual(staff.certifications, [{ service: 'D', expires_on: '2030-01-31' }]);
  assert.ok(await hq.login(url, 'clerk9', 'pw-clerk9-Long'));

  // Hall hours and public information.
  await page.locator('[data-tab="hall"]').click();
  await hallReady();
  await page.locator('#h-hours input[value="weekly"]').check();
  for (const d of ['mon', 'tue', 'wed', 'thu', 'fri']) await hq.setHoursDay(page, '#h-hours', d, [['08:30', '17:30']]);
  // Public information is a form now (the complaint channel's fields), not raw JSON.
  await page.locator('#pi-phone').fill('0311-99999');
  await page.locator('#pi-ack_working_days').fill('2'); // complaint deadlines in working days
  await page.locator('#hall-form button[type=submit]').click();
  await hq.until(async () => (await page.locator('#msg').textContent()).includes('已保存'), { what: 'hall saved' });
  const hall = await hq.must(url, 'GET', '/hall');
  assert.equal(hall.hours.mon, '08:30-17:30');
  assert.equal(hall.hours.sun, null);
  assert.equal(hall.public_info.complaints.phone, '0311-99999');
  assert.equal(hall.public_info.complaints.ack_working_days, 2);
  assert.equal(hall.public_info.complaints.resolve_working_days, undefined, 'empty: the default');
  // The saved hours are shown as rows; a lunch break is two ranges, Monday copied to the week.
  await hallReady();
  await hq.until(async () => (await page.locator('#h-hours tr[data-day="mon"] .hg-to').first().inputValue()) === '17:30', { what: 'hours as values' });
  assert.equal(await page.locator('#h-hours tr[data-day="sun"]').getAttribute('data-state'), 'closed');
  await hq.setHoursDay(page, '#h-hours', 'mon', [['08:30', '12:00'], ['13:30', '17:30']]);
  await page.locator('#h-hours .hg-copy-week').click();
  await hq.setHoursDay(page, '#h-hours', 'sat', [['09:00', '12:00']]);
  await page.locator('#hall-form button[type=submit]').click();
  await hq.until(async () => (await hq.must(url, 'GET', '/hall')).hours?.fri === '08:30-12:00,13:30-17:30', { what: 'lunch break saved' });
  const h2 = await hq.must(url, 'GET', '/hall');
  assert.equal(h2.hours.sat, '09:00-12:00');
  assert.equal(h2.hours.sun, null);
  assert.equal(h2.public_info.complaints.phone, '0311-99999', 'public information kept');
  // After a save the page re-reads the hall: wait for that, or it overwrites what is typed next.
  await hallReady();
  await hq.until(async () => (await page.locator('#h-hours tr[data-day="fri"] .hg-range').count()) === 2, { what: 'the form re-read' });
  // What is typed wrong is sent as it is, and the server's 400 is shown on its row.
  await hq.setHoursDay(page, '#h-hours', 'fri', [['08:30', '12:00'], ['13.30', '17:30']]);
  await page.locator('#hall-form button[type=submit]').click();
  await hq.until(async () => (await page.locator('#msg').getAttribute('class')).includes('error'), { what: 'server error shown' });
  assert.match(await page.locator('#h-hours tr[data-day="fri"]').getAttribute('class'), /bad/);
  assert.equal((await hq.must(url, 'GET', '/hall')).hours.fri, '08:30-12:00,13:30-17:30', 'nothing stored in part');
  await hq.must(url, 'PUT', '/hall', { hours: null }, admin);
  // The public URL of QR codes and tracking links is set on the page; a loopback-free LAN address.
  await page.reload();
  await page.locator('[data-tab="hall"]').click();
  await hallReady();
  await page.locator('#h-url').waitFor();
  await page.locator('#h-url').fill('http://192.168.1.20:8080');
  await page.locator('#hall-form button[type=submit]').click();
  await hq.until(async () => (await hq.must(url, 'GET', '/hall')).public_url === 'http://192.168.1.20:8080', { what: 'public URL saved from the page' });
  await hallReady();
  await page.locator('#h-url').fill('ftp://x');
  await page.locator('#hall-form button[type=submit]').click();
  await hq.until(async () => (await page.locator('#msg').getAttribute('class')).includes('error'), { what: 'a bad public URL refused' });
  assert.equal((await hq.must(url, 'GET', '/hall')).public_url, 'http://192.168.1.20:8080', 'nothing changed');
  await hq.must(url, 'PUT', '/hall', { public_url: null }, admin);

  // Devices are paired by code: tests/browser/devices.test.mjs.
  assert.deepEqual(ctx.pageErrors, []);
  await page.close();
});

test('a staff page refuses a user of the wrong role', async () => {
  const page = await ctx.newPage();
  await page.goto(server.url + '/admin');
  await page.evaluate(() => sessionStorage.clear());
  await page.reload();
  await page.locator('#login-user').fill('clerk1');
  await page.locator('#login-pass').fill(hq.PASSWORD);
  await page.locator('#login-submit').click();
  await hq.until(async () => (await page.locator('#login .msg').textContent()).includes('管理员'), { what: 'role refusal' });
  assert.equal(await page.locator('#login').isVisible(), true);
  await page.close();
});
