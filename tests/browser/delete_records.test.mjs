// SPDX-License-Identifier: MIT
// delete_records.test.mjs — the admin page's 彻底删除 buttons for services and staff: after a
// confirmation a record created by mistake is gone from the list; one that something refers to
// stays, and the page says what refers to it, in its language. axe finds nothing on the lists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as hq from './helpers.mjs';
import { assertAccessible } from './a11y_axe.mjs';

let server, ctx, admin;

hq.hallHooks((h) => ({ server, ctx, admin } = h));

// Click a button that asks for confirmation (accepted) and wait for the page's answer.
async function confirmed(page, button) {
  await page.evaluate(() => Object.assign(document.querySelector('#msg'), { hidden: true, textContent: '' }));
  page.once('dialog', (d) => d.accept());
  await button.click();
  await hq.until(async () => !(await page.locator('#msg').isHidden()), { what: 'the answer shown' });
  return page.locator('#msg').textContent();
}

test('services and staff created by mistake are deleted from the admin page', async () => {
  const url = server.url;
  await hq.must(url, 'POST', '/services', { code: 'Z', name: '误建业务' }, admin);
  await hq.must(url, 'POST', '/staff', { username: 'oops', name: '误建人员', role: 'clerk', password: 'pw-oops-Long1', certifications: [] }, admin);
  const page = await ctx.newPage();
  await page.goto(url + '/admin');
  await hq.signIn(page, 'admin', hq.ADMIN_PASSWORD);
  await page.locator('#services tr[data-code="Z"]').waitFor();
  await assertAccessible(page, 'services with delete buttons');
  assert.match(await confirmed(page, page.locator('#services tr[data-code="Z"] .svc-delete')), /已彻底删除/);
  await hq.until(async () => (await page.locator('#services tr[data-code="Z"]').count()) === 0, { what: 'Z gone from the list' });
  assert.ok(!(await hq.must(url, 'GET', '/services')).some((s) => s.code === 'Z'));
  // A service a window serves stays, and the page says why.
  assert.match(await confirmed(page, page.locator('#services tr[data-code="A"] .svc-delete')), /业务 A 仍由 \d+ 号窗口办理/);
  assert.ok((await hq.must(url, 'GET', '/services')).some((s) => s.code === 'A'));

  await page.locator('[data-tab="staff"]').click();
  await page.locator('#staff tr[data-username="oops"]').waitFor();
  await assertAccessible(page, 'staff with delete buttons');
  assert.match(await confirmed(page, page.locator('#staff tr[data-username="oops"] .staff-delete')), /已彻底删除/);
  await hq.until(async () => (await page.locator('#staff tr[data-username="oops"]').count()) === 0, { what: 'oops gone from the list' });
  assert.match(await confirmed(page, page.locator('#staff tr[data-username="admin"] .staff-delete')), /不能删除自己/);
});
