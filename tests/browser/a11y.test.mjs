// SPDX-License-Identifier: MIT
// a11y.test.mjs — axe-core's WCAG 2.1 A/AA rules (tests/browser/a11y_axe.mjs) on every page and
// every state that matters (issue 18), with 0 violations: the public pages (index, queue, booking,
// complaints with its answer, API docs), the kiosk (services, large type, large type with More
// open, the ticket, a help request sent, the check-in dialog open), the tracking page (waiting,
// large type, called), the pad (idle, asking, large type), the hall and window displays with a
// call, and the staff pages signed in (counter with a called ticket, guide with a help alert and
// its check-in dialog, manager, admin, statistics, plan, complaints).

import { test, before, after, afterEach } from 'node:test';
import fs from 'node:fs';
import * as hq from './helpers.mjs';
import { assertAccessible } from './a11y_axe.mjs';

let dir, server, ctx, admin, url, kioskKey, padKey, clerk, ticket;

before(async () => {
  dir = hq.tmpDir();
  server = await hq.serve(hq.initDb(dir));
  url = server.url;
  admin = await hq.setupHall(url);
  // more services than large type shows at first, so that its More button is there
  for (const [code, name, en] of [['D', '不动产登记', 'Real estate'], ['E', '户籍业务', 'Household registration'], ['F', '出入境', 'Exit and entry'], ['G', '车驾管', 'Vehicles and licences']])
    await hq.must(url, 'POST', '/services', { code, name, name_en: en, avg_service_s: 300, documents: [], daily_quota: 0, enabled: true }, admin);
  kioskKey = (await hq.must(url, 'POST', '/devices', { name: 'kiosk-1' }, admin)).key;
  padKey = (await hq.must(url, 'POST', '/devices', { name: 'pad-1' }, admin)).key;
  clerk = await hq.login(url, 'clerk1', hq.PASSWORD);
  await hq.must(url, 'POST', '/windows/1/open', {}, clerk);
  ticket = await hq.must(url, 'POST', '/tickets', { service: 'A', category: 'normal', channel: 'web' });
  ctx = await hq.browser({ viewport: { width: 1280, height: 900 } });
});

after(async () => {
  await ctx?.close();
  await server?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const pages = [];
afterEach(async () => {
  // close what a test opened, also when it failed (each page's live streams count against the
  // browser's six connections to the server)
  for (const p of pages.splice(0)) await p.close().catch(() => {});
});

async function open(path, ready) {
  const page = await ctx.newPage();
  pages.push(page);
  const settled = hq.tracker(page);
  await page.goto(url + path);
  if (ready) await page.locator(ready).first().waitFor();
  await settled();
  return page;
}

async function staff(path, user, ready) {
  const page = await open(path);
  await hq.signIn(page, user, user === 'admin' ? hq.ADMIN_PASSWORD : hq.PASSWORD);
  if (ready) await page.locator(ready).first().waitFor();
  await hq.tracker(page)();
  return page;
}

test('public pages: 0 violations', async () => {
  for (const [path, ready] of [['/', 'body'], ['/queue', 'body'], ['/book.html', 'body'], ['/complaints', '#form'], ['/api/docs', 'body']]) {
    const page = await open(path, ready);
    await assertAccessible(page, path);
    if (path === '/complaints') {
      await page.locator('#content').fill('叫号声音太小，听不清 / the calls are too quiet');
      await page.locator('#form button[type=submit]').click();
      await page.locator('#result').waitFor();
      await assertAccessible(page, 'complaints, answered');
    }
    await page.close();
  }
});

test('kiosk: services, large type, More, the ticket, help asked, the check-in dialog', async () => {
  const page = await open(`/kiosk?device=${kioskKey}`, '.svc-btn');
  await assertAccessible(page, 'kiosk');
  await page.locator('#lt-toggle').click();
  await page.locator('html.lt').waitFor({ state: 'attached' });
  await assertAccessible(page, 'kiosk, large type');
  await page.locator('#lt-more').click();
  await page.locator('#lt-more[aria-expanded="true"]').waitFor();
  await assertAccessible(page, 'kiosk, large type, More open');
  await page.locator('#lt-speak').click();
  await assertAccessible(page, 'kiosk, large type, read aloud on');
  await page.locator('#help-ask').click();
  await page.locator('#help-note:not([hidden])').waitFor();
  await assertAccessible(page, 'kiosk, help asked');
  await page.locator('.svc-btn[data-code="A"]').click();
  await page.locator('#ticket:not([hidden])').waitFor();
  await hq.tracker(page)();
  await assertAccessible(page, 'kiosk, ticket (large type)');
  await page.locator('#t-done').click();
  await page.locator('#choose:not([hidden])').waitFor();
  await page.locator('#checkin-open').click();
  await page.locator('#ci-dialog[open]').waitFor();
  await assertAccessible(page, 'kiosk, check-in dialog open');
  await page.close();
});

test('tracking page: waiting, large type, called', async () => {
  const page = await open(`/t/${ticket.id}`, '#ticket:not([hidden])');
  await page.setViewportSize({ width: 390, height: 844 });
  await assertAccessible(page, 'track, waiting');
  await page.locator('#lt-toggle').click();
  await assertAccessible(page, 'track, large type');
  await page.locator('#help-ask').click();
  await page.locator('#help-note:not([hidden])').waitFor();
  await hq.must(url, 'POST', '/windows/1/call-next', {}, clerk);
  await page.locator('#called:not([hidden])').waitFor();
  await assertAccessible(page, 'track, called, large type');
  await page.locator('#lt-toggle').click();
  await assertAccessible(page, 'track, called');
  await page.close();
});

test('pad, displays: idle, asking, large type; a call shown', async () => {
  const display = await open('/display', '#live.on');
  const win = await open('/window/1', '#live.on');
  const pad = await open(`/pad/1?device=${padKey}`, '#live.on');
  await assertAccessible(pad, 'pad, idle');
  await pad.locator('#lt-toggle').click();
  await assertAccessible(pad, 'pad, idle, large type');
  await hq.must(url, 'POST', '/windows/1/start', {}, clerk).catch(() => {});
  await hq.must(url, 'POST', '/windows/1/finish', {}, clerk);
  await pad.locator('#ask:not([hidden])').waitFor();
  await assertAccessible(pad, 'pad, asking, large type');
  await pad.locator('#help-ask').click();
  await pad.locator('#help-note:not([hidden])').waitFor();
  await assertAccessible(pad, 'pad, help asked');
  await hq.must(url, 'POST', '/tickets', { service: 'B', category: 'normal', channel: 'kiosk' });
  await hq.must(url, 'POST', '/windows/1/call-next', {}, clerk);
  await display.locator('#calls li, #calls tr, .call').first().waitFor().catch(() => {});
  await hq.tracker(display)();
  await assertAccessible(display, 'hall display, a call');
  await hq.tracker(win)();
  await assertAccessible(win, 'window display, a call');
  for (const p of [display, win, pad]) await p.close();
});

test('staff pages signed in; the guide with a help alert and a dialog open', async () => {
  const r = await fetch(`${url}/api/v1/help`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Device-Key': kioskKey }, body: '{}' });
  if (r.status !== 200 && r.status !== 201) throw new Error(`help from the kiosk: ${r.status}`);
  const guide = await staff('/guide', 'guide1', '#help-box:not([hidden])');
  await guide.locator('#help-list li[data-id]').first().waitFor();
  await assertAccessible(guide, 'guide, help alerts');
  await guide.locator('#help-list li.open button[data-act="ack"]').first().click();
  await guide.locator('#help-list li.acknowledged').first().waitFor();
  await assertAccessible(guide, 'guide, a help request acknowledged');
  await guide.locator('#checkin-open').click();
  await guide.locator('#ci-dialog[open]').waitFor();
  await assertAccessible(guide, 'guide, check-in dialog open');
  await guide.close();
  for (const [path, user, ready] of [
    ['/counter', 'clerk1', 'main'],
    ['/manager', 'manager1', 'main'],
    ['/admin', 'admin', 'main'],
    ['/stats.html', 'manager1', 'main'],
    ['/plan.html', 'manager1', 'main'],
    ['/complaints-admin.html', 'manager1', 'main'],
  ]) {
    const page = await staff(path, user, ready);
    await assertAccessible(page, `${path} signed in`);
    await page.close();
  }
});

test('no script errors on the way', () => {
  if (ctx.pageErrors.length) throw new Error(ctx.pageErrors.join('\n'));
});
