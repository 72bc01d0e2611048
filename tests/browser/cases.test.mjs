// SPDX-License-Identifier: MIT
// cases.test.mjs — the 好差评 pages (docs/EVALUATION.md) in Chromium: the tracking page of a
// two-service ticket rates the first service late while the second waits, then the second; a rated
// service says 已评价 instead of a form; a bad review opens a case that the manager handles on the
// cases page step by step (only the next step's form is offered), the clerk appeals it on the same
// page and another manager decides; the manager page's link shows the cases; the admin's calendar
// tab adds and removes a holiday. No script errors on any page.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import * as hq from './helpers.mjs';

let dir, server, ctx, admin, c1, c2, url;

before(async () => {
  dir = hq.tmpDir();
  server = await hq.serve(hq.initDb(dir));
  url = server.url;
  admin = await hq.setupHall(url);
  c1 = await hq.login(url, 'clerk1', hq.PASSWORD);
  c2 = await hq.login(url, 'clerk2', hq.PASSWORD);
  await hq.must(url, 'POST', '/windows/1/open', {}, c1);
  await hq.must(url, 'POST', '/windows/2/open', {}, c2);
  ctx = await hq.browser();
});

after(async () => {
  await ctx?.close();
  await server?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function serveAt(n, token, number) {
  await hq.must(url, 'POST', `/windows/${n}/call`, { number }, token);
  await hq.must(url, 'POST', `/windows/${n}/start`, {}, token);
  await hq.must(url, 'POST', `/windows/${n}/finish`, {}, token);
}

const stageText = (page, n) => page.locator(`#stages .stage[data-stage="${n}"]`).textContent().catch(() => '');

test('the tracking page rates each service of a ticket once, late too', async () => {
  const t = await hq.must(url, 'POST', '/tickets', { service: 'A', category: 'normal', channel: 'kiosk', next_services: ['B'] });
  await serveAt(1, c1, t.number); // A done, waiting for B
  const phone = await ctx.newPage();
  // the services' list (the names) answers late, after the stage's form is drawn
  await phone.route('**/api/v1/services', async (route) => {
    await new Promise((r) => setTimeout(r, 1500));
    await route.continue();
  });
  await phone.goto(`${url}/t/${t.id}`);
  await phone.locator('#stages .stage[data-stage="0"] form').waitFor();
  assert.equal(await phone.locator('#stages .stage').count(), 1, 'only the finished service');
  // the service's name, also when the services' list answers after the stages (the title is redrawn)
  await hq.until(async () => /社保业务/.test(await stageText(phone, 0)), { what: 'the service named on stage 0' });
  // level 1 with a reason: the reasons appear for 2 and 1 only
  await phone.locator('#stages .stage[data-stage="0"] input[name="level-0"][value="1"]').check();
  await phone.locator('#stages .stage[data-stage="0"] .ev-reasons:not([hidden])').waitFor();
  await phone.locator('#stages .stage[data-stage="0"] .ev-reasons label', { hasText: '态度不好' }).click();
  await phone.locator('#ev-comment-0').fill('说话很不耐烦');
  await phone.locator('#stages .stage[data-stage="0"] button[type=submit]').click();
  await hq.until(async () => (await stageText(phone, 0)).includes('谢谢'), { what: 'stage 0 thanked' });

  // B finished at window 2: its form appears; stage 0 stays rated
  await serveAt(2, c2, t.number);
  await hq.until(async () => (await phone.locator('#stages .stage[data-stage="1"] form').count()) === 1, { what: 'stage 1 form', timeout: 30000 });
  assert.match(await stageText(phone, 1), /税务业务/);
  assert.equal(await phone.locator('#stages .stage[data-stage="0"] form').count(), 0);
  await phone.locator('#stages .stage[data-stage="1"] input[name="level-1"][value="5"]').check();
  await phone.locator('#stages .stage[data-stage="1"] button[type=submit]').click();
  await hq.until(async () => (await stageText(phone, 1)).includes('谢谢'), { what: 'stage 1 thanked' });

  // Opened again later: both say 已评价, no form
  const again = await ctx.newPage();
  await again.goto(`${url}/t/${t.id}`);
  await hq.until(async () => (await again.locator('#stages .stage[data-state="rated"]').count()) === 2, { what: 'both rated on reload' });
  assert.match(await stageText(again, 0), /已评价/);
  assert.equal(await again.locator('#stages form').count(), 0);
  await again.close();
  await phone.close();
});

test('the manager handles the case on the cases page; the clerk appeals; another manager decides', async () => {
  const mgr = await ctx.newPage();
  await mgr.goto(url + '/manager');
  await hq.signIn(mgr, 'manager1', hq.PASSWORD);
  await mgr.locator('#cases-link').click();
  await mgr.waitForURL(/cases\.html/);
  const row = mgr.locator('#rows tr[data-number]').first();
  await row.waitFor();
  assert.match(await row.textContent(), /非常不满意/);
  assert.equal((await mgr.locator('#figures [data-fig="cases"] b').textContent()).trim(), '1');
  // the two services of the first test rated by the customer, none by default
  await hq.until(async () => ((await mgr.locator('#figures [data-fig="real_default"] b').textContent().catch(() => '')) || '').trim() === '2 / 0', { what: 'real and default ratings on the figures' });
  assert.equal((await mgr.locator('#figures [data-fig="coverage"] b').textContent()).trim(), '100%');
  await row.locator('button').click();
  await mgr.locator('#detail:not([hidden])').waitFor();
  assert.match(await mgr.locator('#facts').textContent(), /说话很不耐烦/);
  // only the next step's form (return call), an appeal and an improvement
  assert.deepEqual(await mgr.locator('#forms form').evaluateAll((fs) => fs.map((f) => f.dataset.step)), ['callback', 'appeal', 'improvement']);
  await mgr.locator('#callback-outcome').selectOption('reached');
  await mgr.locator('#callback-notes').fill('已电话致歉');
  await mgr.locator('#forms form[data-step="callback"] button').click();
  await mgr.locator('#forms form[data-step="verification"]').waitFor();
  // the verification without notes is refused with the server's reason
  await mgr.locator('#forms form[data-step="verification"] button').click();
  await hq.until(async () => /说明|notes/.test(await mgr.locator('#d-msg').textContent()), { what: 'the refusal shown (not the last step\'s 已保存)' });
  await mgr.locator('#verification-founded').selectOption('true');
  await mgr.locator('#verification-notes').fill('调阅录像属实');
  await mgr.locator('#forms form[data-step="verification"] button').click();
  await mgr.locator('#forms form[data-step="rectification"]').waitFor();
  assert.match(await mgr.locator('#history').textContent(), /回访/);

  // the clerk concerned opens the page and appeals
  const other = await hq.launch(); // a browser of its own: another person, another session
  const clerk = await other.context();
  const cp = await clerk.newPage();
  await cp.goto(url + '/cases.html');
  await hq.signIn(cp, 'clerk1', hq.PASSWORD);
  await cp.locator('#rows tr[data-number] button').first().click();
  await cp.locator('#forms form[data-step="appeal"]').waitFor();
  assert.deepEqual(await cp.locator('#forms form').evaluateAll((fs) => fs.map((f) => f.dataset.step)), ['appeal'], 'a clerk only appeals');
  await cp.locator('#appeal-reasons').fill('当时系统故障，非本人态度问题');
  await cp.locator('#forms form[data-step="appeal"] button').click();
  await hq.until(async () => (await cp.locator('#facts').textContent()).includes('待裁定'), { what: 'appeal filed' });
  await clerk.close();
  await other.done();
  assert.deepEqual(other.pageErrors, []);

  // the manager's page updates by itself (case.updated) and offers the decision
  await hq.until(async () => (await mgr.locator('#rows tr[data-number]').first().textContent()).includes('待裁定'), { what: 'list shows the appeal', timeout: 20000 });
  await mgr.locator('#rows tr[data-number] button').first().click();
  await mgr.locator('#forms form[data-step="decision"]').waitFor();
  await mgr.locator('#decision-upheld').selectOption('false');
  await mgr.locator('#decision-reasons').fill('录像显示态度生硬');
  await mgr.locator('#forms form[data-step="decision"] button').click();
  await hq.until(async () => (await mgr.locator('#facts').textContent()).includes('驳回'), { what: 'appeal rejected' });
  await mgr.locator('#rectification-measures').fill('服务礼仪培训');
  await mgr.locator('#forms form[data-step="rectification"] button').click();
  await mgr.locator('#reply-text').fill('已对工作人员进行培训，感谢监督');
  await mgr.locator('#forms form[data-step="reply"] button').click();
  await hq.until(async () => (await mgr.locator('#history').textContent()).includes('答复群众'), { what: 'closed' });
  await mgr.locator('#f-status').selectOption('closed');
  await hq.until(async () => (await mgr.locator('#rows tr[data-number]').count()) === 1, { what: 'in the closed list' });
  // the figures come with each list read; a read started by the case's last event may still land
  await hq.until(async () => (await mgr.locator('#figures [data-fig="on_time"] b').textContent()).trim() === '100%', { what: 'closed on time: 100%' });
  await mgr.close();
});

test('the admin edits the year\'s holidays on the calendar tab', async () => {
  const page = await ctx.newPage();
  await page.goto(url + '/admin');
  await hq.signIn(page, 'admin', hq.ADMIN_PASSWORD);
  await page.locator('[data-tab="calendar"]').click();
  await page.locator('#tab-calendar:not([hidden])').waitFor();
  await page.locator('#cal-year').fill('2027');
  await page.locator('#cal-year-form button').click();
  await hq.until(async () => (await page.locator('#cal-holidays').textContent()).includes('无'), { what: 'empty 2027' });
  await page.locator('#cal-date').fill('2027-10-01');
  await page.locator('#cal-add button').click();
  await hq.until(async () => (await page.locator('#cal-holidays li[data-day="2027-10-01"]').count()) === 1, { what: 'holiday added' });
  // a make-up working day on a weekday is refused with the reason
  await page.locator('#cal-date').fill('2027-10-08');
  await page.locator('#cal-kind').selectOption('workdays');
  await page.locator('#cal-add button').click();
  await hq.until(async () => /Saturday or Sunday|周六|周日|星期/.test(await page.locator('#cal-msg').textContent()), { what: 'weekday make-up refused' });
  const cal = await hq.must(url, 'GET', '/calendar/2027');
  assert.deepEqual(cal, { year: 2027, holidays: ['2027-10-01'], workdays: [] });
  await page.locator('#cal-holidays li[data-day="2027-10-01"] button').click();
  await hq.until(async () => (await hq.must(url, 'GET', '/calendar/2027')).holidays.length === 0, { what: 'holiday removed' });
  // the evaluation settings
  await hq.until(async () => (await page.locator('#evs-late').inputValue()) === '24', { what: 'settings loaded' });
  await page.locator('#evs-level').selectOption('4');
  await page.locator('#evs-form button').click();
  await page.locator('#evs-msg:not([hidden])').waitFor();
  assert.equal((await hq.must(url, 'GET', '/evaluations/settings', undefined, admin)).default_level, 4);
  await page.close();
});

test('no script errors', () => {
  assert.deepEqual(ctx.pageErrors, []);
});
