// SPDX-License-Identifier: MIT
// stats.test.mjs — the statistics page in headless Chromium against a real demo history: every
// figure the page shows in the tables of services, windows and staff is the one the CSV report has
// in the same cell (rounded once, the same digits), and the staff scorecards give their verdicts.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import * as hq from './helpers.mjs';
import { parseCsv } from '../api/lib/report_csv.mjs';

let dir, server, browser, token;
const day = (offset) => new Date(Date.now() + 8 * 3600 * 1000 + offset * 86400 * 1000).toISOString().slice(0, 10);
const FROM = day(-3);
const TO = day(-1);
// CSV column of each page column (data-col: the display id), hq__cols order in src/report.
const CSV_COL = { wait_mean_min: 7, wait_p90_min: 9, within_share: 10, service_mean_min: 11, rate: 15, index: 18, target_service_min: 20 };

before(async () => {
  dir = hq.tmpDir();
  const db = path.join(dir, 'demo.db');
  execFileSync(hq.BIN, ['demo', '--db', db, '--history-days', '3'], { env: { ...process.env, HALLQ_ADMIN_PASSWORD: hq.ADMIN_PASSWORD }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 300000 });
  server = await hq.serve(db);
  token = await hq.login(server.url, 'manager1', 'demo1234');
  browser = await hq.launch();
});

after(async () => {
  await browser?.done();
  await server?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('the page shows the same figures as the CSV, cell by cell', async () => {
  const res = await fetch(`${server.url}/api/v1/reports/day.csv?from=${FROM}&to=${TO}`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  const rows = parseCsv((await res.text()).replace(/^\uFEFF/, ''));
  const section = (title) => {
    const i = rows.findIndex((r) => r[0].startsWith('# ' + title));
    const out = new Map();
    for (let k = i + 2; k < rows.length && rows[k].join('') !== ''; k++) out.set(rows[k][0], rows[k]);
    return out;
  };

  const ctx = await browser.context();
  const page = await ctx.newPage();
  await page.goto(`${server.url}/stats.html?from=${FROM}&to=${TO}`);
  await hq.signIn(page, 'manager1', 'demo1234');
  await page.locator('#t-staff tbody tr').first().waitFor();

  let compared = 0;
  for (const [table, title] of [['#t-services', '业务'], ['#t-windows', '窗口'], ['#t-staff', '人员']]) {
    const csv = section(title);
    const cells = await page.$$eval(`${table} tbody tr`, (trs) => trs.map((tr) => ({ key: tr.dataset.key, cols: [...tr.querySelectorAll('td[data-col]')].map((td) => [td.dataset.col, td.textContent]) })));
    assert.ok(cells.length > 0, `${title}: rows on the page`);
    for (const { key, cols } of cells) {
      const c = csv.get(key);
      assert.ok(c, `${title} ${key} in the CSV`);
      for (const [col, text] of cols) {
        const want = c[CSV_COL[col]];
        const got = text.replace(/\s*(分钟|min)$/, '');
        assert.equal(got === '—' ? '' : got, want, `${title} ${key} ${col}: page "${text}", CSV "${want}"`);
        compared++;
      }
    }
  }
  assert.ok(compared > 50, `${compared} cells compared`);

  // scorecards: a verdict for each target, and the tolerance said in words
  const verdicts = await page.$$eval('#t-staff td[data-verdict]', (tds) => tds.map((td) => td.textContent));
  assert.ok(verdicts.length > 0 && verdicts.every((v) => ['达标', '略超（容差内）', '未达标', '—'].includes(v)), verdicts.join(','));
  assert.match(await page.locator('#staff-misses').textContent(), /容差/);
  await ctx.close();
});
