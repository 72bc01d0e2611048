// SPDX-License-Identifier: MIT
// remote.test.mjs — remote queuing in Chromium on a phone-sized screen: the queue page (/queue,
// js/queue.js) shows each enabled service's waiting count, serving windows and the API's own wait
// (当前无窗口办理 where no window serves it), takes a web ticket and lands on its tracking page;
// the tracking page of a no-show offers 重新排队, rejoins in the old place, then offers it no
// more; the "N places away" reminder fires once. Run with HQ_SHOT_DIR=docs/screenshots to refresh
// queue.zh.png and queue.en.png (else the shots go to a temporary directory).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as hq from './helpers.mjs';

let dir, server, ctx, admin, clerk;

before(async () => {
  dir = hq.tmpDir();
  server = await hq.serve(hq.initDb(dir));
  admin = await hq.setupHall(server.url);
  // a service no window serves: its wait reads 当前无窗口办理
  await hq.must(server.url, 'POST', '/services', { code: 'D', name: '不动产登记', name_en: 'Real estate', avg_service_s: 600, documents: [], daily_quota: 0, enabled: true }, admin);
  clerk = await hq.login(server.url, 'clerk1', hq.PASSWORD);
  await hq.must(server.url, 'POST', '/windows/1/open', {}, clerk);
  ctx = await hq.browser({ viewport: { width: 390, height: 844 } });
});

after(async () => {
  await ctx?.close();
  await server?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const issue = (service) => hq.must(server.url, 'POST', '/tickets', { service, channel: 'kiosk' });

test('the queue page shows the API waits and takes a web ticket that lands on its tracking page', async () => {
  const shots = process.env.HQ_SHOT_DIR || dir;
  for (const s of ['A', 'A', 'A', 'B']) await issue(s);
  const page = await ctx.newPage();
  const settled = hq.tracker(page);
  await page.goto(server.url + '/queue');
  const cards = page.locator('#services section.svc');
  await cards.first().waitFor();
  await settled();
  const api = await hq.must(server.url, 'GET', '/services');
  const enabled = api.filter((s) => s.enabled);
  assert.deepEqual(await cards.evaluateAll((c) => c.map((x) => x.dataset.code)), enabled.map((s) => s.code), 'every enabled service, the disabled one not');
  for (const s of enabled) {
    const c = page.locator(`section.svc[data-code="${s.code}"]`);
    assert.equal(await c.locator('dd.waiting').textContent(), String(s.waiting), `${s.code} waiting`);
    assert.equal(await c.locator('dd.windows').textContent(), String(s.serving_windows), `${s.code} windows`);
    assert.equal(await c.locator('dd.wait').getAttribute('data-wait'), String(s.estimated_wait_s), `${s.code}: the API's estimate`);
  }
  assert.equal(enabled.find((s) => s.code === 'A').waiting, 3);
  assert.equal(await page.locator('section.svc[data-code="D"] dd.wait').textContent(), '当前无窗口办理');
  assert.notEqual(await page.locator('section.svc[data-code="A"] dd.wait').textContent(), '当前无窗口办理');
  await page.screenshot({ path: path.join(shots, 'queue.zh.png'), fullPage: true });
  await page.locator('#lang').click();
  await hq.until(async () => (await page.locator('section.svc[data-code="D"] dd.wait').textContent()) === 'No window is serving this now', { what: 'English' });
  await page.screenshot({ path: path.join(shots, 'queue.en.png'), fullPage: true });
  await page.locator('#lang').click();

  // live: a ticket taken elsewhere shows up without a reload
  await issue('B');
  await hq.until(async () => (await page.locator('section.svc[data-code="B"] dd.waiting').textContent()) === '2', { what: 'the live update' });

  page.once('dialog', (d) => d.accept());
  await page.locator('section.svc[data-code="A"] button.take').click();
  await page.waitForURL(/\/t\/[0-9a-f]{32}$/);
  const id = page.url().split('/t/')[1];
  await hq.until(async () => (await page.locator('#number').textContent()) === 'A004', { what: 'the tracking page' });
  const t = await hq.must(server.url, 'GET', `/tickets/${id}`);
  assert.equal(t.channel, 'web');
  assert.equal(t.status, 'waiting');
  await page.close();
  assert.deepEqual(ctx.pageErrors, []);
});

test('the tracking page of a no-show rejoins in its old place, once; the reminder fires once', async () => {
  const mine = await hq.must(server.url, 'GET', '/tickets?status=waiting&service=A', undefined, admin);
  const list = Array.isArray(mine) ? mine : mine.tickets || mine.items;
  const first = list.find((x) => x.number === 'A001');
  const called = await hq.must(server.url, 'POST', '/windows/1/call-next', {}, clerk);
  assert.equal(called.ticket.number, 'A001');
  await hq.must(server.url, 'POST', '/windows/1/no-show', {}, clerk);

  const page = await ctx.newPage();
  await page.goto(`${server.url}/t/${first.id}`);
  await page.locator('#rejoin-box:not([hidden])').waitFor();
  assert.match(await page.locator('#status').textContent(), /过号/);
  await page.locator('#rejoin').click();
  await hq.until(async () => /等候中/.test(await page.locator('#status').textContent()), { what: 'waiting again' });
  assert.equal(await page.locator('#position').textContent(), '1', 'its old place: before A002');
  assert.ok(await page.locator('#rejoin-box').isHidden());

  // the reminder: on, and 0 ahead (<= 3): one alert
  await page.locator('#near-toggle').click();
  await hq.until(() => page.locator('#near-msg').isVisible(), { what: 'the near alert' });
  assert.match(await page.locator('#near-msg').textContent(), /快到您了/);
  assert.equal(await page.evaluate(() => document.body.dataset.nearAlert), '0');

  // missed again: no second rejoin offered
  const again = await hq.must(server.url, 'POST', '/windows/1/call-next', {}, clerk);
  assert.equal(again.ticket.number, 'A001');
  await hq.must(server.url, 'POST', '/windows/1/no-show', {}, clerk);
  await hq.until(async () => /过号/.test(await page.locator('#status').textContent()), { what: 'no-show again' });
  await page.reload();
  await hq.until(async () => /过号/.test(await page.locator('#status').textContent()), { what: 'reloaded' });
  const r = await hq.call(server.url, 'GET', `/tickets/${first.id}/rejoin`);
  assert.equal(r.status, 409);
  assert.ok(await page.locator('#rejoin-box').isHidden(), 'no rejoin button the second time');
  await page.close();
  assert.deepEqual(ctx.pageErrors, []);
});
