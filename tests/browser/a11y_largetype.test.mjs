// SPDX-License-Identifier: MIT
// a11y_largetype.test.mjs — 长辈模式 / Large type (issue 18), measured with getComputedStyle: on the
// kiosk the body text is at least 32 px and 1.5× the normal (the service names too), the most used
// services come first (GET /services issued_today), only four of them, the rest behind 更多业务;
// the ticket stays three times as long; once the ticket is taken the kiosk is back to normal for
// the next person. The tracking page and the pad grow by 1.5× and more; the phone keeps its choice.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import * as hq from './helpers.mjs';

let dir, server, ctx, url, admin;

before(async () => {
  dir = hq.tmpDir();
  server = await hq.serve(hq.initDb(dir));
  url = server.url;
  admin = await hq.setupHall(url);
  for (const [code, name, en] of [['D', '不动产登记', 'Real estate'], ['E', '户籍业务', 'Household registration'], ['F', '出入境', 'Exit and entry'], ['G', '车驾管', 'Vehicles and licences']])
    await hq.must(url, 'POST', '/services', { code, name, name_en: en, avg_service_s: 300, documents: [], daily_quota: 0, enabled: true }, admin);
  // F is the most used today, then E.
  for (const s of ['F', 'F', 'F', 'E', 'E']) await hq.must(url, 'POST', '/tickets', { service: s, category: 'normal', channel: 'web' });
  ctx = await hq.browser({ viewport: { width: 1920, height: 1080 } });
});

after(async () => {
  await ctx?.close();
  await server?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const px = (page, sel) => page.locator(sel).first().evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
const visibleCodes = (page) => page.locator('#services > .svc-btn:visible').evaluateAll((bs) => bs.map((b) => b.dataset.code));

test('kiosk: large, high contrast, most used first, fewer choices; normal again after the ticket', async () => {
  const key = (await hq.must(url, 'POST', '/devices', { name: 'kiosk-1' }, admin)).key;
  const page = await ctx.newPage();
  await page.goto(`${url}/kiosk?device=${key}`);
  await page.locator('.svc-btn').first().waitFor();
  const body0 = await px(page, 'body');
  const name0 = await px(page, '.svc-btn .name');
  assert.equal((await visibleCodes(page)).length, 7, 'normal: every service (C disabled, shown as such)');
  assert.equal(await page.locator('#lt-toggle').getAttribute('aria-pressed'), 'false');
  assert.match(await page.locator('#lt-toggle').textContent(), /长辈模式.*Large type/);

  await page.locator('#lt-toggle').click();
  assert.equal(await page.locator('#lt-toggle').getAttribute('aria-pressed'), 'true');
  const body1 = await px(page, 'body');
  const name1 = await px(page, '.svc-btn:visible .name');
  assert.ok(body1 >= 32 && body1 >= 1.5 * body0, `body text ${body0} → ${body1} px`);
  assert.ok(name1 >= 1.5 * name0 * 0.99, `service names ${name0} → ${name1} px`);
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(bg, 'rgb(0, 0, 0)', 'high contrast: white on black');
  // Most used first (F, then E), four of them; More shows the rest.
  await hq.until(async () => (await visibleCodes(page))[0] === 'F', { what: 'F first' });
  const shown = await visibleCodes(page);
  assert.deepEqual(shown.slice(0, 2), ['F', 'E']);
  assert.equal(shown.length, 4);
  assert.match(await page.locator('#lt-more').textContent(), /更多业务.*More services/);
  await page.locator('#lt-more').click();
  assert.equal((await visibleCodes(page)).length, 7);
  assert.equal(await page.locator('#lt-more').getAttribute('aria-expanded'), 'true');
  // The read-aloud toggle.
  assert.equal(await page.locator('#lt-speak').isVisible(), true);
  await page.locator('#lt-speak').click();
  assert.equal(await page.locator('#lt-speak').getAttribute('aria-pressed'), 'true');

  // The ticket, shown three times as long; taken: normal type again.
  await page.locator('.svc-btn[data-code="F"]').click();
  await page.locator('#ticket:not([hidden])').waitFor();
  assert.ok(Number(await page.locator('#t-count').textContent()) > 20, 'a longer time-out in large type');
  assert.ok((await px(page, '#t-number')) >= 1.5 * 32);
  await page.locator('#t-done').click();
  await page.locator('#choose:not([hidden])').waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.classList.contains('lt')), false);
  assert.equal(await px(page, 'body'), body0, 'normal size for the next person');
  assert.equal(await page.locator('#lt-toggle').getAttribute('aria-pressed'), 'false');
  assert.equal(await page.locator('#lt-speak').isVisible(), false);
  assert.equal((await visibleCodes(page)).length, 7);
  await page.close();
});

test('tracking page and pad: 1.5× and more; the phone keeps it', async () => {
  const t = await hq.must(url, 'POST', '/tickets', { service: 'A', category: 'normal', channel: 'web' });
  const page = await ctx.newPage();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${url}/t/${t.id}`);
  await page.locator('#number').waitFor();
  const b0 = await px(page, '#facts');
  await page.locator('#lt-toggle').click();
  const b1 = await px(page, '#facts');
  assert.ok(b1 >= 1.5 * b0, `tracking page text ${b0} → ${b1} px`);
  await page.reload();
  await page.locator('#number').waitFor();
  assert.equal(await page.locator('#lt-toggle').getAttribute('aria-pressed'), 'true', 'kept on the phone');
  await page.close();

  const key = (await hq.must(url, 'POST', '/devices', { name: 'pad-1' }, admin)).key;
  const pad = await ctx.newPage();
  await pad.goto(`${url}/pad/1?device=${key}`);
  await pad.locator('#live.on').waitFor();
  const p0 = await px(pad, '#idle p');
  await pad.locator('#lt-toggle').click();
  const p1 = await px(pad, '#idle p');
  assert.ok(p1 >= 1.5 * p0, `pad text ${p0} → ${p1} px`);
  await pad.close();
  assert.deepEqual(ctx.pageErrors, []);
});
