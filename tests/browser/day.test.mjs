// SPDX-License-Identifier: MIT
// day.test.mjs — a whole day in miniature, in headless Chromium against the real hallq: a customer
// takes a ticket at the kiosk; the clerk signs in at the counter page, opens window 1 and presses
// call-next (F1); the hall display shows the call, newest, with its window, and announces it; the
// window display and the tracking page follow; the clerk starts and finishes; the evaluation pad
// asks and records a rating, with reasons for a low one; the manager page shows it. Also: the
// guide issues a green-channel ticket and requeues a no-show; a refused service says why.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import * as hq from './helpers.mjs';

let dir, server, ctx, padCtx, admin;

before(async () => {
  dir = hq.tmpDir();
  const db = hq.initDb(dir);
  server = await hq.serve(db);
  admin = await hq.setupHall(server.url);
  ctx = await hq.browser();
  padCtx = await hq.browser(); // the pad is a device of its own, with no staff session
});

after(async () => {
  await ctx?.close();
  await padCtx?.close();
  await server?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('a customer is served from kiosk to evaluation, seen on every page', async (t) => {
  const url = server.url;
  const display = await ctx.newPage();
  await display.setViewportSize({ width: 1920, height: 1080 });
  await display.goto(url + '/display');
  await display.locator('#live.on').waitFor();
  await display.locator('#waiting tr').first().waitFor();

  // The pad is registered as a device and set up by opening its page once with the key.
  const dev = await hq.must(url, 'POST', '/devices', { name: 'pad-1' }, admin);
  const pad = await padCtx.newPage();
  await pad.goto(`${url}/pad/1?device=${dev.key}`);
  await pad.locator('#live.on').waitFor();
  assert.equal(new URL(pad.url()).search, '', 'the key is taken out of the address bar');
  assert.equal(await pad.locator('body').getAttribute('data-state'), 'idle');

  const win = await ctx.newPage();
  await win.goto(url + '/window/1');
  await win.locator('#live.on').waitFor();
  await hq.until(async () => (await win.locator('#state').textContent()).includes('暂停服务'), { what: 'window 1 shown closed' });

  // Kiosk: enabled services as buttons with their documents; the disabled one marked.
  const kiosk = await ctx.newPage();
  await kiosk.goto(url + '/kiosk');
  const btnA = kiosk.locator('.svc-btn[data-code="A"]');
  await btnA.waitFor();
  assert.match(await btnA.textContent(), /社保业务/);
  assert.match(await btnA.textContent(), /身份证/);
  assert.equal(await kiosk.locator('.svc-btn[data-code="C"]').isDisabled(), true);
  assert.match(await kiosk.locator('.svc-btn[data-code="C"]').textContent(), /暂停办理/);
  assert.match(await kiosk.locator('#hall-name').textContent(), /测试市民服务中心/);
  await btnA.click();
  await kiosk.locator('#ticket').waitFor();
  const number = (await kiosk.locator('#t-number').textContent()).trim();
  assert.match(number, /^A\d{3}$/);
  assert.equal((await kiosk.locator('#t-ahead').textContent()).trim(), '0');
  const trackUrl = (await kiosk.locator('#t-url').textContent()).trim();
  assert.match(trackUrl, /\/t\/[0-9a-f]+$/);
  const qr = await kiosk.locator('#t-qr').getAttribute('src');
  const qrRes = await fetch(url + qr);
  assert.equal(qrRes.status, 200, 'the QR code image is served');
  assert.match(qrRes.headers.get('content-type') || '', /svg/);

  // The display counts the waiting ticket.
  await hq.until(async () => (await display.locator('#waiting tr[data-code="A"] td.num').textContent()) === '1', { what: 'display waiting count A = 1' });

  // Tracking page on the "phone".
  const phone = await ctx.newPage();
  await phone.setViewportSize({ width: 390, height: 844 });
  await phone.goto(trackUrl.replace(/^https?:\/\/[^/]+/, url));
  await hq.until(async () => (await phone.locator('#number').textContent()) === number, { what: 'tracking shows the number' });
  assert.equal(await phone.locator('body').getAttribute('data-status'), 'waiting');
  assert.equal((await phone.locator('#position').textContent()).trim(), '1');
  assert.equal(await phone.locator('#cancel').isVisible(), true);

  // Counter: sign in, choose window 1, open, call next with the F1 key.
  const counter = await ctx.newPage();
  await counter.goto(url + '/counter');
  await hq.signIn(counter, 'clerk1', hq.PASSWORD);
  await counter.locator('#windows [data-window="1"]').click();
  await counter.locator('[data-act="open"]:not([disabled])').click();
  await counter.locator('[data-act="call-next"]:not([disabled])').waitFor();
  await counter.keyboard.press('F1');
  await hq.until(async () => (await counter.locator('#cur-number').textContent()) === number, { what: 'counter shows the called number' });

  // The hall display: newest call with its window, flashed and announced in both languages.
  await hq.until(async () => (await display.locator('#newest-number').textContent()) === number, { what: 'display shows the call' });
  assert.match(await display.locator('#newest-window').textContent(), /1 号窗口/);
  await hq.until(() => display.evaluate(() => (window.__hq.announced || []).join('|')).then((s) => s.includes(`${number}号，请到1号窗口`) && s.includes(`${number}, window 1`)), { what: 'voice announcement' });
  await hq.until(async () => (await display.locator('#waiting tr[data-code="A"] td.num').textContent()) === '0', { what: 'display waiting count back to 0' });
  const how = await hq.until(() => display.evaluate(() => window.__hq.voice), { what: 'announcement played' });
  assert.ok(['server', 'browser'].includes(how));
  t.diagnostic(`announcement voice: ${how}`);

  // Window display and tracking page follow.
  await hq.until(async () => (await win.locator('#current').textContent()) === number, { what: 'window display shows the number' });
  await hq.until(async () => (await phone.locator('#called').isVisible()) && (await phone.locator('#called').textContent()).includes('请到 1 号窗口'), { what: 'tracking page says go to window 1' });

  // Recall (R) is announced again.
  const before = await display.evaluate(() => window.__hq.announced.filter((s) => s.includes('号，请到')).length);
  await counter.keyboard.press('r');
  await hq.until(() => display.evaluate((n) => window.__hq.announced.filter((s) => s.includes('号，请到')).length > n, before), { what: 'recall announced again' });

  // Start (S), finish (F): the day's figures count it.
  await counter.keyboard.press('s');
  await hq.until(async () => (await counter.locator('#cur-status').textContent()).includes('办理中'), { what: 'serving' });
  await hq.until(async () => (await phone.locator('body').getAttribute('data-status')) === 'serving', { what: 'tracking serving' });
  await counter.keyboard.press('f');
  await hq.until(async () => (await counter.locator('#fig-done').textContent()) === '1', { what: 'day figures: 1 done' });
  assert.equal((await counter.locator('#cur-number').textContent()).trim(), '—');

  // The pad asks, the customer rates 2 with a reason; thanks; idle again later.
  await pad.locator('#ask:not([hidden])').waitFor();
  assert.equal((await pad.locator('#ask-number').textContent()).trim(), number);
  await pad.locator('.face[data-level="2"]').click();
  await pad.locator('#why:not([hidden])').waitFor();
  await pad.locator('#reasons label', { hasText: '等候时间长' }).click();
  await pad.locator('#why-submit').click();
  await pad.locator('#thanks:not([hidden])').waitFor();

  // The tracking page has the complaints link and says the service has been rated (on the pad)
  // instead of offering a second form (issue 20; a second rating is 409 anyway).
  await hq.until(async () => (await phone.locator('body').getAttribute('data-status')) === 'done', { what: 'tracking done' });
  assert.equal(await phone.locator('#complain-link').getAttribute('href'), '/complaints');
  await hq.until(async () => ((await phone.locator('#stages .stage[data-stage="0"]').textContent().catch(() => '')) || '').includes('已评价'), { what: 'tracking page says already rated', timeout: 30000 });
  assert.equal(await phone.locator('#stages .ev-form').count(), 0, 'no second form');

  // The manager sees the evaluation with its reason.
  const mgr = await ctx.newPage();
  await mgr.goto(url + '/manager');
  await hq.signIn(mgr, 'manager1', hq.PASSWORD);
  const row = mgr.locator(`#evaluations tr[data-number="${number}"]`);
  await row.waitFor();
  assert.equal(await row.getAttribute('data-level'), '2');
  assert.match(await row.textContent(), /等候时间长/);
  assert.match(await mgr.locator('#windows tr[data-window="1"]').textContent(), /王芳/);

  assert.deepEqual(ctx.pageErrors, []);
  assert.deepEqual(padCtx.pageErrors, []);
  // Each page holds a live stream; Chromium allows six connections per host: close them.
  for (const p of [display, pad, win, kiosk, phone, counter, mgr]) await p.close();
});

test('the guide issues a green-channel ticket and requeues a no-show', async () => {
  const url = server.url;
  const guide = await ctx.newPage();
  await guide.goto(url + '/guide');
  await hq.signIn(guide, 'guide1', hq.PASSWORD);
  await guide.locator('#svc option[value="B"]').waitFor({ state: 'attached' });
  await guide.locator('#svc').selectOption('B');
  await guide.locator('input[name=cat][value=priority]').check();
  await guide.locator('#issue-form button[type=submit]').click();
  await guide.locator('#issued:not([hidden])').waitFor();
  const text = await guide.locator('#issued-number').textContent();
  assert.match(text, /^B\d{3} · 绿色通道$/);
  const number = text.split(' ')[0];

  // The clerk of window 1 calls it (priority first), it does not come: no-show.
  const clerk = await hq.login(url, 'clerk1', hq.PASSWORD);
  const r = await hq.must(url, 'POST', '/windows/1/call-next', {}, clerk);
  assert.equal(r.ticket.number, number);
  await hq.must(url, 'POST', '/windows/1/no-show', {}, clerk);

  const row = guide.locator(`#no-shows tr[data-number="${number}"]`);
  await row.waitFor();
  await row.locator('button').click();
  await hq.until(async () => (await guide.locator('#ns-msg').textContent()).includes(number), { what: 'requeued message' });
  await hq.until(async () => (await guide.locator('#queues tr[data-code="B"] td.num').textContent()) === '1', { what: 'B queue 1' });
  assert.deepEqual(ctx.pageErrors, []);
  await guide.close();
});

test('a refused service says why in both languages', async () => {
  const url = server.url;
  await hq.must(url, 'PUT', '/services/B', { daily_quota: 1 }, admin);
  const kiosk = await ctx.newPage();
  await kiosk.goto(url + '/kiosk');
  await kiosk.locator('.svc-btn[data-code="B"]').click();
  await kiosk.locator('#kiosk-msg:not([hidden])').waitFor();
  const msg = await kiosk.locator('#kiosk-msg').textContent();
  assert.match(msg, /该业务暂不能取号 \/ No ticket can be issued/);
  assert.match(msg, /今日号源已取完/);
  assert.equal(await kiosk.locator('.svc-btn[data-code="B"]').isDisabled(), true);
  await hq.must(url, 'PUT', '/services/B', { daily_quota: 0 }, admin);

  // An emergency suspends ticketing hall-wide: every service says so, with the reason.
  await hq.must(url, 'PUT', '/hall', { suspended: true, suspend_reason: '消防演练 fire drill' }, admin);
  await kiosk.reload();
  await kiosk.locator('#kiosk-msg:not([hidden])').waitFor();
  assert.match(await kiosk.locator('#kiosk-msg').textContent(), /大厅暂停取号 \/ Ticketing is suspended in the hall — 消防演练/);
  assert.equal(await kiosk.locator('.svc-btn[data-code="A"]').isDisabled(), true);
  await hq.must(url, 'PUT', '/hall', { suspended: false }, admin);
  await kiosk.reload();
  await kiosk.locator('.svc-btn[data-code="A"]:not([disabled])').waitFor();
  assert.deepEqual(ctx.pageErrors, []);
});
