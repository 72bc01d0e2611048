// SPDX-License-Identifier: MIT
// surveys.test.mjs — the satisfaction survey in headless Chromium (docs/SURVEYS.md): after an
// evaluation on the pad the active questionnaire is offered over the pad and answered there
// (method pad); the tracking page of a finished ticket offers it once (method web) and not again
// after answering; an admin defines and publishes on /surveys.html; the stats page draws the gap
// chart (importance and performance per dimension), names the dimension furthest below, lists the
// tests with their Holm-corrected verdicts, and shows the paused time per window with its reason.
// Screenshots of each state go to $HQ_SHOTS when set (looked at by hand).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as hq from './helpers.mjs';

let dir, server, browser, admin, clerk, manager, padKey;
const today = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
const shots = process.env.HQ_SHOTS;
const shot = async (page, name) => shots && page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });

const Q = {
  id: 'hall2026',
  title: '办事满意度调查',
  title_en: 'Service satisfaction survey',
  dimensions: [
    { key: 'environment', name: '环境', name_en: 'Environment' },
    { key: 'attitude', name: '态度', name_en: 'Attitude' },
    { key: 'efficiency', name: '效率', name_en: 'Efficiency' },
  ],
  open_questions: [{ key: 'improve', text: '您希望我们改进什么？', text_en: 'What should we improve?', max_chars: 50 }],
};

async function serveOne() {
  const t = await hq.must(server.url, 'POST', '/tickets', { service: 'A', category: 'normal', channel: 'kiosk' });
  await hq.must(server.url, 'POST', '/windows/1/call', { number: t.number }, clerk);
  await hq.must(server.url, 'POST', '/windows/1/start', {}, clerk);
  return t;
}

before(async () => {
  dir = hq.tmpDir();
  const db = hq.initDb(dir);
  server = await hq.serve(db);
  admin = await hq.setupHall(server.url);
  clerk = await hq.login(server.url, 'clerk1', hq.PASSWORD);
  manager = await hq.login(server.url, 'manager1', hq.PASSWORD);
  await hq.must(server.url, 'POST', '/surveys/questionnaires', Q, admin);
  for (const ch of ['pad', 'web']) await hq.must(server.url, 'PUT', `/surveys/active/${ch}`, { questionnaire: 'hall2026' }, admin);
  padKey = (await hq.must(server.url, 'POST', '/devices', { name: 'pad-1' }, admin)).key;
  await hq.must(server.url, 'POST', '/windows/1/open', {}, clerk);
  browser = await hq.launch();
});

after(async () => {
  await browser?.done();
  await server?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function answers() {
  return hq.must(server.url, 'GET', '/surveys/answers?questionnaire=hall2026', undefined, manager);
}

test('the pad offers the survey after an evaluation; answered there with method pad', async () => {
  const ctx = await browser.context({ viewport: { width: 1024, height: 768 } });
  const page = await ctx.newPage();
  await page.goto(`${server.url}/pad/1?device=${padKey}`);
  await page.locator('body[data-state="idle"]').waitFor();
  await serveOne();
  await hq.must(server.url, 'POST', '/windows/1/finish', {}, clerk);
  await page.locator('body[data-state="ask"]').waitFor();
  await page.locator('.face[data-level="4"]').click();
  const form = page.locator('#pad-survey form.sv-form');
  await form.waitFor();
  assert.equal(await form.locator('fieldset.sv-dim').count(), 3);
  // efficiency: importance 5, performance 2; environment: performance 5
  await form.locator('[data-dim="efficiency"][data-kind="importance"] [data-v="5"]').click();
  await form.locator('[data-dim="efficiency"][data-kind="performance"] [data-v="2"]').click();
  await form.locator('[data-dim="environment"][data-kind="importance"] [data-v="3"]').click();
  await form.locator('[data-dim="environment"][data-kind="performance"] [data-v="5"]').click();
  await form.locator('textarea').fill('多开几个窗口');
  await shot(page, 'survey-pad');
  await form.locator('#sv-submit').click();
  await page.locator('body[data-survey="thanks"]').waitFor();
  const list = await answers();
  assert.equal(list.length, 1);
  assert.equal(list[0].method, 'pad');
  assert.deepEqual(list[0].scores.efficiency, { i: 5, p: 2 });
  assert.equal(list[0].open.improve, '多开几个窗口');
  assert.deepEqual(browser.pageErrors, []);
  await ctx.close();
});

test('the tracking page offers it once after service (method web); skippable', async () => {
  const t = await serveOne();
  await hq.must(server.url, 'POST', '/windows/1/finish', {}, clerk);
  const ctx = await browser.context({ viewport: { width: 420, height: 900 } });
  const page = await ctx.newPage();
  await page.goto(`${server.url}/t/${t.id}`);
  const box = page.locator('#track-survey form.sv-form');
  await box.waitFor();
  await box.locator('[data-dim="efficiency"][data-kind="importance"] [data-v="4"]').click();
  await box.locator('[data-dim="efficiency"][data-kind="performance"] [data-v="3"]').click();
  await box.locator('[data-dim="attitude"][data-kind="performance"] [data-v="4"]').click();
  await shot(page, 'survey-track');
  await box.locator('#sv-submit').click();
  await page.locator('#track-survey .thanks').waitFor();
  const list = await answers();
  assert.equal(list.length, 2);
  assert.deepEqual(list.map((a) => a.method).sort(), ['pad', 'web']);
  // Reloaded: answered already, nothing offered.
  await page.reload();
  await page.locator('body[data-status="done"]').waitFor();
  const a = await hq.must(server.url, 'GET', `/surveys/active/web?ticket=${t.id}`);
  assert.equal(a.answered, true);
  assert.equal(await page.locator('#track-survey').count(), 0);
  assert.deepEqual(browser.pageErrors, []);
  await ctx.close();
});

test('the admin sees the questionnaire in use and publishes version 2 on /surveys.html', async () => {
  const ctx = await browser.context();
  const page = await ctx.newPage();
  await page.goto(`${server.url}/surveys.html`);
  await hq.signIn(page, 'admin', hq.ADMIN_PASSWORD);
  const row = page.locator('#t-q tr[data-id="hall2026"]');
  await row.waitFor();
  assert.match(await row.textContent(), /已有答卷/);
  await row.locator('button').click();
  assert.match(await page.locator('#d-mode').textContent(), /发布第 2 版/);
  await page.locator('#add-dim').click();
  const last = page.locator('#dims .dim').last();
  await last.locator('.k').fill('convenience');
  await last.locator('.n').fill('便利');
  await last.locator('.ne').fill('Convenience');
  await page.locator('#d-save').click();
  await page.locator('#def-msg.ok').waitFor();
  assert.match(await page.locator('#def-msg').textContent(), /v2/);
  await shot(page, 'survey-admin');
  assert.deepEqual(browser.pageErrors, []);
  await ctx.close();
});

test('the stats page: the gap chart, the furthest below, the tests, the paused time', async () => {
  await hq.must(server.url, 'POST', '/windows/1/pause', { reason: '系统故障' }, clerk);
  await hq.must(server.url, 'POST', '/windows/1/resume', {}, clerk);
  const ctx = await browser.context({ viewport: { width: 1280, height: 1000 } });
  const page = await ctx.newPage();
  await page.goto(`${server.url}/stats.html?from=${today}&to=${today}`);
  await hq.signIn(page, 'manager1', hq.PASSWORD);
  await page.locator('#gap-svg').waitFor();
  // efficiency: importance 5, 4 → 4.5; performance 2, 3 → 2.5; the largest gap (+2.00)
  const eff = page.locator('#gap-svg rect.gap-importance[data-dim="efficiency"]');
  assert.equal(Number(await eff.getAttribute('data-mean')), 4.5);
  assert.equal(Number(await page.locator('#gap-svg rect.gap-performance[data-dim="efficiency"]').getAttribute('data-mean')), 2.5);
  assert.match(await page.locator('#gap-svg text.gap-gap[data-dim="efficiency"]').textContent(), /\+2\.00/);
  assert.match(await page.locator('#gap-furthest').textContent(), /效率/);
  assert.match(await page.locator('#t-gap tr[data-dim="efficiency"]').textContent(), /重点改进|继续保持/);
  // the compared period (yesterday) has nothing: every test says so
  const tests = page.locator('#t-gap-tests tbody tr');
  assert.equal(await tests.count(), 1 + 4 * 2);
  assert.match(await page.locator('#t-gap-tests tr[data-test="chi2"]').textContent(), /数据不足/);
  // paused time: window 1, one pause, its reason
  const pz = page.locator('#t-pauses tr[data-kind="w"][data-key="1"]');
  await pz.waitFor();
  assert.match(await pz.textContent(), /系统故障/);
  assert.equal(await page.locator('#pz-chart rect').count(), 1);
  await page.locator('#gap').scrollIntoViewIfNeeded();
  await shot(page, 'survey-gap');
  // English
  await page.locator('#lang').click();
  await page.locator('#gap-furthest', { hasText: 'Efficiency' }).waitFor();
  await shot(page, 'survey-gap-en');
  assert.deepEqual(browser.pageErrors, []);
  await ctx.close();
});
