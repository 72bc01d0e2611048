// SPDX-License-Identifier: MIT
// reconnect.test.mjs — the hall display runs for weeks: when the server restarts (same database,
// same port) the display reconnects by itself and resumes from the last event it saw, so a call
// made before it is back is still shown and announced, exactly once.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as hq from './helpers.mjs';

let db, server, ctx;

const hall = hq.hallHooks((h) => ({ db, server, ctx } = h), { viewport: { width: 1920, height: 1080 } });

const announcedCalls = (page, number) => page.evaluate((n) => window.__hq.announced.filter((s) => s === `${n}号，请到1号窗口`).length, number);

test('the display misses no call across a server restart', async () => {
  let url = server.url;
  const port = server.port;
  for (let i = 0; i < 3; i++) await hq.must(url, 'POST', '/tickets', { service: 'A', category: 'normal', channel: 'kiosk' });
  const clerk = await hq.login(url, 'clerk1', hq.PASSWORD);
  await hq.must(url, 'POST', '/windows/1/open', {}, clerk);

  const display = await ctx.newPage();
  await display.goto(url + '/display');
  await display.locator('#live.on').waitFor();

  const first = (await hq.must(url, 'POST', '/windows/1/call-next', {}, clerk)).ticket.number;
  await hq.until(async () => (await display.locator('#newest-number').textContent()) === first, { what: 'first call shown' });
  await hq.must(url, 'POST', '/windows/1/start', {}, clerk);
  await hq.must(url, 'POST', '/windows/1/finish', {}, clerk);

  // Restart: stop, start again on the same port with the same database, and call while the
  // display cannot reach the stream yet (its requests to /events are refused until the call is
  // made), so only a resume from its last event id can bring the call to it.
  await display.route('**/api/v1/events**', (route) => route.abort('connectionrefused'));
  const r = await server.stop();
  assert.equal(r.code, 0, 'hallq stops cleanly on SIGTERM');
  await hq.until(async () => (await display.locator('#live').getAttribute('class')).includes('off'), { what: 'display notices the loss' });
  server = await hq.serve(db, { port });
  hall.server = server; // stopped by the hooks at the end
  url = server.url;
  const clerkAgain = await hq.login(url, 'clerk1', hq.PASSWORD).catch(() => clerk);
  const second = (await hq.must(url, 'POST', '/windows/1/call-next', {}, clerkAgain)).ticket.number;
  assert.notEqual(second, first);
  await new Promise((res) => setTimeout(res, 1500)); // the display keeps retrying meanwhile
  assert.notEqual(await display.locator('#newest-number').textContent(), second);
  await display.unroute('**/api/v1/events**');

  await hq.until(async () => (await display.locator('#newest-number').textContent()) === second, { timeout: 40000, what: 'call made during the outage shown after reconnect' });
  await hq.until(async () => (await announcedCalls(display, second)) === 1, { timeout: 20000, what: 'call during the outage announced' });
  assert.equal(await display.locator('#live').getAttribute('class'), 'live on');
  assert.match(await display.evaluate(() => window.__hq.stream), /\/api\/v1\/events\?last_event_id=\d+$/);
  // The earlier call is in the list below, not repeated as newest, and not announced twice.
  assert.ok((await display.locator('#calls').textContent()).includes(first));
  assert.equal(await announcedCalls(display, first), 1);

  // And a live call after the reconnect still arrives.
  await hq.must(url, 'POST', '/windows/1/start', {}, clerkAgain);
  await hq.must(url, 'POST', '/windows/1/finish', {}, clerkAgain);
  const third = (await hq.must(url, 'POST', '/windows/1/call-next', {}, clerkAgain)).ticket.number;
  await hq.until(async () => (await display.locator('#newest-number').textContent()) === third, { what: 'live call after reconnect' });
  await hq.until(async () => (await announcedCalls(display, third)) === 1, { what: 'live call announced' });
  assert.equal(await announcedCalls(display, second), 1, 'no call announced twice');
  assert.deepEqual(ctx.pageErrors, []);
});
