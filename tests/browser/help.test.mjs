// SPDX-License-Identifier: MIT
// help.test.mjs — 请求帮助 end to end over the live stream (issue 18): a guide signed in at the guide
// page; a registered kiosk asks for help and the alert appears on the guide page without a reload
// (help.requested over SSE), naming the kiosk; the guide presses 前往 and the kiosk says a guide is
// on the way (help.acknowledged); 已解决 closes it and the kiosk's note goes (help.closed). The
// tracking page's request names the ticket's number (never its id); the pad's names its window.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as hq from './helpers.mjs';

let server, ctx, url, admin;

hq.hallHooks((h) => ({ server, ctx, url, admin } = h));

test('a help request reaches the guide live; acknowledged and closed, the asker sees it', async () => {
  const kioskKey = (await hq.must(url, 'POST', '/devices', { name: '东门取号机' }, admin)).key;
  const padKey = (await hq.must(url, 'POST', '/devices', { name: 'pad-2' }, admin)).key;
  const guide = await ctx.newPage();
  await guide.goto(url + '/guide');
  await hq.signIn(guide, 'guide1', hq.PASSWORD);
  await guide.locator('#help-box:not([hidden])').waitFor();
  await guide.locator('#help-list li.none').waitFor();
  await guide.locator('#live.on').waitFor();

  const kiosk = await ctx.newPage();
  await kiosk.goto(`${url}/kiosk?device=${kioskKey}`);
  await kiosk.locator('.svc-btn').first().waitFor();
  await kiosk.locator('#help-ask').click();
  await kiosk.locator('#help-note[data-key="help.sent"]').waitFor();
  assert.match(await kiosk.locator('#help-note').textContent(), /已通知引导员.*A guide has been told/);

  // The guide page shows it live, with the kiosk's name, and says it in its assertive region.
  const item = guide.locator('#help-list li.open', { hasText: '东门取号机' });
  await item.waitFor();
  assert.match(await guide.locator('#help-live').textContent(), /东门取号机/);
  assert.equal(await guide.locator('#help-live').getAttribute('aria-live'), 'assertive');
  await item.locator('button[data-act="ack"]').click();
  await guide.locator('#help-list li.acknowledged', { hasText: '东门取号机' }).waitFor();
  await kiosk.locator('#help-note[data-key="help.coming"]').waitFor();
  assert.match(await kiosk.locator('#help-note').textContent(), /引导员正在赶来/);
  await guide.locator('#help-list li.acknowledged button[data-act="close"]').click();
  await guide.locator('#help-list li.none').waitFor();
  await kiosk.locator('#help-note').waitFor({ state: 'hidden' });
  // Asked, then the ticket taken: the next person at the kiosk does not see the previous one's
  // note, while the guide still has the alert.
  await kiosk.locator('#help-ask').click();
  await kiosk.locator('#help-note[data-key="help.sent"]').waitFor();
  await kiosk.locator('.svc-btn[data-code="A"]').click();
  await kiosk.locator('#ticket:not([hidden])').waitFor();
  await kiosk.locator('#t-done').click();
  await kiosk.locator('#choose:not([hidden])').waitFor();
  await kiosk.locator('#help-note').waitFor({ state: 'hidden' });
  await item.locator('button[data-act="ack"]').click();
  await guide.locator('#help-list li.acknowledged button[data-act="close"]').click();
  await guide.locator('#help-list li.none').waitFor();

  // From the tracking page: the number, never the id; from the pad: its window.
  const t = await hq.must(url, 'POST', '/tickets', { service: 'A', category: 'normal', channel: 'web' });
  const track = await ctx.newPage();
  await track.goto(`${url}/t/${t.id}`);
  await track.locator('#number').waitFor();
  await track.locator('#help-ask').click();
  await track.locator('#help-note[data-key="help.sent"]').waitFor();
  const byTicket = guide.locator('#help-list li.open', { hasText: t.number });
  await byTicket.waitFor();
  assert.ok(!(await guide.locator('#help-box').textContent()).includes(t.id), 'no ticket id on the guide page');
  const pad = await ctx.newPage();
  await pad.goto(`${url}/pad/2?device=${padKey}`);
  await pad.locator('#live.on').waitFor();
  await pad.locator('#help-ask').click();
  await guide.locator('#help-list li.open', { hasText: '2 号窗口' }).waitFor();
  assert.equal(await guide.locator('#help-list li.open').count(), 2);

  // The statistics count them.
  const mgr = await hq.login(url, 'manager1', hq.PASSWORD);
  const stats = await hq.must(url, 'GET', '/stats', undefined, mgr);
  assert.equal(stats.help_requests.count, 4);
  assert.equal(stats.help_requests.acknowledged, 2);
  assert.deepEqual(ctx.pageErrors, []);
});
