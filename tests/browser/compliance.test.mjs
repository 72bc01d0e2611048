// SPDX-License-Identifier: MIT
// compliance.test.mjs — the compliance page in headless Chromium against a demo history: the
// report shows one row per clause with a coloured verdict, its figures and expandable evidence
// that links to the records (a training gap links to the staff member below; an expired
// certification names him); the PDF downloads as a PDF; a training record added on the page
// appears in the list and closes that clerk's gap; the audit log lists staff actions and pages.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import * as hq from './helpers.mjs';

let dir, server, browser;
const day = (offset) => new Date(Date.now() + 8 * 3600 * 1000 + offset * 86400 * 1000).toISOString().slice(0, 10);
const FROM = day(-6);
const TO = day(0);

before(async () => {
  dir = hq.tmpDir();
  const db = path.join(dir, 'demo.db');
  execFileSync(hq.BIN, ['demo', '--db', db, '--history-days', '5'], { env: { ...process.env, HALLQ_ADMIN_PASSWORD: hq.ADMIN_PASSWORD }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 300000 });
  server = await hq.serve(db);
  browser = await hq.launch();
});

after(async () => {
  await browser?.done();
  await server?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('clauses with verdicts and evidence, the PDF, training and the audit log', async () => {
  const ctx = await browser.context({ acceptDownloads: true });
  const page = await ctx.newPage();
  const settled = hq.tracker(page);
  await page.goto(`${server.url}/compliance.html?from=${FROM}&to=${TO}`);
  await hq.signIn(page, 'manager1', 'demo1234');
  await page.locator('#t-clauses tbody tr').first().waitFor();
  const rows = await page.$$eval('#t-clauses tbody tr', (trs) => trs.map((tr) => ({ id: tr.dataset.clause, verdict: tr.dataset.verdict, badge: tr.querySelector('.verdict').textContent, colour: getComputedStyle(tr.querySelector('.verdict')).backgroundColor })));
  const ids = rows.map((r) => r.id);
  for (const id of ['4.7-certified', '4.7-training', '5.2.5', '5.3.6', '8.2.2', '8.2.4', '9.1.1', '6.2-satisfaction']) assert.ok(ids.includes(id), `${id} in ${ids}`);
  const byVerdict = Object.fromEntries(rows.map((r) => [r.verdict, r]));
  assert.equal(byVerdict.met?.badge, '符合', JSON.stringify(rows));
  if (byVerdict.met && byVerdict.not_met) assert.notEqual(byVerdict.met.colour, byVerdict.not_met.colour, 'verdicts coloured differently');
  // the demo keeps no training records, and clerk08 holds an expired certification
  const tr = page.locator('#t-clauses tr[data-clause="4.7-training"]');
  assert.notEqual(await tr.getAttribute('data-verdict'), 'met');
  await tr.locator('details summary').click();
  const ev = tr.locator('details li', { hasText: 'clerk08' }).filter({ hasText: 'expired' });
  await ev.first().waitFor();
  await ev.first().locator('a').click();
  await hq.until(async () => (await page.locator('#tr-staff').inputValue()) === 'clerk08', { what: 'training list of clerk08' });
  assert.match(await page.locator('#summary').textContent(), /符合 \d+/);
  await settled();
  await page.screenshot({ path: path.join(dir, 'compliance.png'), fullPage: false });
  if (process.env.HQ_SHOT_DIR) await page.screenshot({ path: path.join(process.env.HQ_SHOT_DIR, 'compliance.png'), fullPage: true });

  // the PDF
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#c-pdf').click()]);
  const pdfPath = path.join(dir, 'c.pdf');
  await download.saveAs(pdfPath);
  assert.equal(fs.readFileSync(pdfPath).subarray(0, 5).toString(), '%PDF-');

  // a training record for clerk08 from the page
  await page.locator('#tr-course').fill('窗口服务规范');
  await page.locator('#tr-hours').fill('8');
  await page.locator('#tr-form button[type=submit]').click();
  await page.locator('#t-training tbody tr', { hasText: '窗口服务规范' }).waitFor();
  await page.locator('#c-run').click();
  await hq.until(async () => {
    const t = await tr.locator('details').count() ? await tr.textContent() : '';
    return !/clerk08: 0\.0 h|clerk08 — 0\.0 h/.test(t) && /clerk01/.test(t);
  }, { what: 'clerk08 no longer short of training' });

  // the audit log: the training record is a staff action of manager1
  await page.locator('#au-actor').fill('manager1');
  await page.locator('#au-form button[type=submit]').click();
  await page.locator('#t-audit tbody tr', { hasText: 'training.recorded' }).waitFor();
  assert.match(await page.locator('#au-count').textContent(), /共 \d+ 条/);
  // English
  await page.locator('#lang').click();
  await page.locator('#t-clauses .verdict', { hasText: /Met|Not met|Partly met|No data/ }).first().waitFor();
  assert.deepEqual(browser.pageErrors, []);
  await ctx.close();
});
