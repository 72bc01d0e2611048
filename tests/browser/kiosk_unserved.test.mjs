// SPDX-License-Identifier: MIT
// kiosk_unserved.test.mjs — a hall set to stop issuing for a service no open window serves
// (PUT /hall {"unserved_tickets":"refuse"}): the kiosk shows that service disabled, saying
// 当前无窗口办理, and enables it again once a clerk opens a window serving it (after its reload).
// With the default ("issue") the same service can be taken, its wait replaced by 当前无窗口办理.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as hq from './helpers.mjs';
import { assertAccessible } from './a11y_axe.mjs';

let server, ctx, admin;

hq.hallHooks((h) => ({ server, ctx, admin } = h));

test('the kiosk disables a service no window serves when the hall says so', async () => {
  const url = server.url;
  const page = await ctx.newPage();
  await page.goto(url + '/kiosk');
  const a = page.locator('.svc-btn[data-code="A"]');
  await a.waitFor();
  assert.equal(await a.isDisabled(), false, 'issued by default');
  assert.match(await a.textContent(), /当前无窗口办理/);
  await hq.must(url, 'PUT', '/hall', { unserved_tickets: 'refuse' }, admin);
  await page.reload();
  await a.waitFor();
  await hq.until(async () => await a.isDisabled(), { what: 'A disabled' });
  assert.match(await a.locator('.state').textContent(), /当前无窗口办理/);
  await assertAccessible(page, 'kiosk with a service no window serves');
  // A clerk opens window 1 (A, B): A is offered again.
  const clerk = await hq.login(url, 'clerk1', hq.PASSWORD);
  await hq.must(url, 'POST', '/windows/1/open', {}, clerk);
  await page.reload();
  await a.waitFor();
  await hq.until(async () => !(await a.isDisabled()), { what: 'A enabled again' });
  await hq.must(url, 'POST', '/windows/1/close', {}, clerk);
  await hq.must(url, 'PUT', '/hall', { unserved_tickets: 'issue' }, admin);
});
