// SPDX-License-Identifier: MIT
// ops.test.mjs — the operations page (ops.html): a manager sees what is overdue (a plan past its
// review date, a drill, a maintenance) marked in the overview and the tables; creates a plan
// through the form; opens an incident from it with ticketing suspended (the hall is suspended),
// records who arrived, restores the service (ticketing resumes), closes and reviews it, and sees
// the timeline; a refused step shows the server's message; no script errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as hq from './helpers.mjs';

let server, ctx, admin;
const day = (n) => new Date(Date.now() + n * 86400e3).toISOString().slice(0, 10);

hq.hallHooks((h) => ({ server, ctx, admin } = h));

test('overdue items are marked; an incident runs from a plan to its review', async () => {
  const u = server.url;
  await hq.must(u, 'POST', '/ops/plans', { type: 'power', title: '停电预案', trigger: '停电', steps: ['启用应急照明'], review_by: day(-3) }, admin);
  await hq.must(u, 'POST', '/ops/schedules', { kind: 'drill', title: '消防疏散演练', interval_days: 30, start: day(-60) }, admin);
  await hq.must(u, 'POST', '/ops/facilities', { name: '2号显示屏', kind: 'display', location: '大厅', maintenance_days: 30, start: day(-45) }, admin);

  const page = await ctx.newPage();
  await page.goto(u + '/ops.html');
  await hq.signIn(page, 'manager1', hq.PASSWORD);
  await hq.until(async () => (await page.locator('#overview').getAttribute('data-total')) === '3', { what: 'three overdue items' });
  assert.equal(await page.locator('#ov-items li.overdue').count(), 3);
  assert.match(await page.locator('#ov-items').textContent(), /预案评审逾期.*停电预案/s);
  assert.equal(await page.locator('#plan-rows tr.overdue').count(), 1);
  assert.equal(await page.locator('#sched-rows tr.overdue').count(), 1);
  assert.equal(await page.locator('#fac-rows tr.overdue').count(), 1);
  for (const id of ['pl-title', 'pl-trigger', 'pl-steps', 'io-title', 'io-plan']) assert.equal(await page.locator(`label[for="${id}"]`).count(), 1, `label for #${id}`);

  // a new plan through the form
  await page.locator('#pl-type').selectOption('fire');
  await page.locator('#pl-title').fill('火灾应急预案');
  await page.locator('#pl-trigger').fill('发现烟雾或火情');
  await page.locator('#pl-review_by').fill(day(200));
  await page.locator('#pl-steps').fill('拉响警报\n疏散群众\n报警 119');
  await page.locator('#pl-contacts').fill('王强，安全员，13800001111');
  await page.locator('#pl-submit').click();
  await hq.until(async () => (await page.locator('#plan-rows tr').count()) === 2, { what: 'the new plan listed' });
  assert.equal(await page.locator('#plan-rows tr').filter({ hasText: '火灾应急预案' }).locator('ol.steps li').count(), 3);

  // open an incident from it, suspending ticketing
  await hq.until(async () => (await page.locator('#io-plan option').count()) === 2, { what: 'plans in the incident form' });
  await page.locator('#io-plan').selectOption({ label: '火灾 · 火灾应急预案' });
  await page.locator('#io-title').fill('二楼冒烟');
  await page.locator('#io-severity').selectOption('major');
  await page.locator('#io-suspend').check();
  await page.locator('#io-suspend_reason').fill('突发情况，暂停取号');
  await page.locator('#io-submit').click();
  await page.locator('#inc-detail h3').waitFor();
  assert.match(await page.locator('#inc-detail h3').textContent(), /二楼冒烟.*处置中/);
  assert.equal((await hq.must(u, 'GET', '/hall')).suspended, true);

  // a step out of order is not offered; arrive, restore, close, review
  assert.equal(await page.locator('#ic-submit').count(), 0, 'no close before restore');
  await page.locator('#ia-name').fill('李主任');
  await page.locator('#ia-role').fill('大厅负责人');
  await page.locator('#ia-submit').click();
  await hq.until(async () => (await page.locator('#inc-on-site li').count()) === 1, { what: 'arrival shown' });
  await page.locator('#ir-submit').click();
  await hq.until(async () => (await page.locator('#inc-detail h3').textContent()).includes('已恢复服务'), { what: 'restored' });
  assert.equal((await hq.must(u, 'GET', '/hall')).suspended, false);
  await page.locator('#ic-submit').click();
  await page.locator('#iv-cause').waitFor();
  // the review refuses a missing field with the server's message
  // (the page redraws the incident when the close arrives on the live stream: fill again if so)
  await hq.until(async () => {
    await page.locator('#iv-cause').fill('线路老化');
    await page.evaluate(() => document.querySelectorAll('#iv textarea').forEach((t) => t.removeAttribute('required')));
    await page.locator('#iv-submit').click();
    await page.locator('#iv-msg:not([hidden])').waitFor();
    return /措施/.test(await page.locator('#iv-msg').textContent());
  }, { what: 'the missing measures refused with the server\'s message', timeout: 30000 });
  await page.locator('#iv-measures').fill('断电、疏散');
  await page.locator('#iv-course').fill('10:00 发现冒烟，10:04 负责人到场');
  await page.locator('#iv-result').fill('无人员伤亡');
  await page.locator('#iv-imp_title').fill('更换二楼配电线路');
  await page.locator('#iv-imp_owner').fill('manager1');
  await page.locator('#iv-submit').click();
  await hq.until(async () => (await page.locator('#inc-detail h3').textContent()).includes('已评估'), { what: 'reviewed', timeout: 30000 });
  const steps = await page.locator('#inc-timeline li').evaluateAll((els) => els.map((e) => e.dataset.action));
  assert.deepEqual(steps, ['open', 'suspend', 'arrive', 'restore', 'close', 'review']);
  assert.match(await page.locator('#inc-detail .review').textContent(), /已提出改进措施 1 项/);

  // English
  await page.locator('#lang').click();
  assert.match(await page.locator('#inc-detail h3').textContent(), /Reviewed/);
  await page.locator('#lang').click(); // back to Chinese (the choice is kept for the next pages)
  assert.deepEqual(ctx.pageErrors, []);
});

test('the manager page counts what is overdue; the admin publishes information; kiosk, display and /info show it', async () => {
  const u = server.url;
  const page = await ctx.newPage();
  await page.goto(u + '/manager');
  await hq.signIn(page, 'manager1', hq.PASSWORD);
  await hq.until(async () => (await page.locator('#ops-count').getAttribute('data-total')) === '3', { what: 'overdue count on the manager page' });
  assert.match(await page.locator('#ops-count').textContent(), /3 项逾期/);
  assert.equal(await page.locator('#ops-link').getAttribute('href'), '/ops.html');

  const ad = await ctx.newPage();
  await ad.goto(u + '/admin');
  await hq.signIn(ad, 'admin', hq.ADMIN_PASSWORD);
  assert.equal((await ad.locator('[data-tab="info"]').textContent()).trim(), '公示信息');
  await ad.locator('[data-tab="info"]').click();
  await ad.locator('#ai-form[data-state="ready"]').waitFor(); // what the server has is in the fields
  await ad.locator('#ai-licences').fill('营业执照 | Business licence | 91130000MA0000000X | 市场监督管理局 | 2030-12-31');
  await ad.locator('#ai-prices').fill('复印 | Copy | 0.5 元 | 页 | page\n照相 | Photo | 10 元 | 张 | photo');
  await ad.locator('#ai-hours_note').fill('法定节假日休息');
  await ad.locator('#ai-save').click();
  await hq.until(async () => (await ad.locator('#ai-msg').textContent()) === '已保存', { what: 'saved' });
  // a bad date is refused with the server's words
  await ad.locator('#ai-licences').fill('旧证 | | 1 | x | soon');
  await ad.locator('#ai-save').click();
  await hq.until(async () => /有效期|valid_until/.test(await ad.locator('#ai-msg').textContent()), { what: 'refusal shown' });

  const info = await ctx.newPage();
  await info.goto(u + '/info.html');
  await hq.until(async () => (await info.locator('#prices tr').count()) === 2, { what: 'prices on /info' });
  assert.match(await info.locator('#licences').textContent(), /营业执照.*91130000MA0000000X/);
  assert.match(await info.locator('#hours-note').textContent(), /法定节假日休息/);
  await info.locator('#lang').click();
  assert.match(await info.locator('#prices').textContent(), /Copy/);
  await info.locator('#lang').click();

  const kiosk = await ctx.newPage();
  await kiosk.goto(u + '/kiosk');
  await kiosk.locator('#public-info:not([hidden])').waitFor();
  assert.match(await kiosk.locator('#public-info').textContent(), /复印：0.5 元 \/ 页/);
  const display = await ctx.newPage();
  await display.goto(u + '/display');
  await display.locator('#public-info:not([hidden])').waitFor();
  assert.match(await display.locator('#public-info').textContent(), /营业执照/);

  // a registered kiosk reports its heartbeat when it loads
  const reg = await hq.must(u, 'POST', '/devices', { name: 'kiosk-hb' }, admin);
  const kp = await ctx.newPage();
  const hb = kp.waitForResponse((r) => r.url().endsWith('/api/v1/devices/heartbeat'));
  await kp.goto(u + '/kiosk?device=' + reg.key);
  const res = await hb;
  assert.equal(res.status(), 200);
  assert.equal((await res.json()).name, 'kiosk-hb');
  assert.deepEqual(ctx.pageErrors, []);
});
