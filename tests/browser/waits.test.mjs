// SPDX-License-Identifier: MIT
// waits.test.mjs — one estimate everywhere (issue 10): for one scripted queue, the wait shown on the
// kiosk ticket, the tracking page, the guide's search and the manager's queue table is the API's
// estimated_wait_s for that ticket (read from each page's data-wait, and the text shown is the
// same on all four). With no window open the API says serving_windows 0 and every page says
// 当前无窗口办理 instead of minutes (when the server gives serving_windows).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as hq from './helpers.mjs';

let server, br, url;

hq.hallHooks((h) => ({ server, url, b: br } = h), { context: false, launch: true });

const text = async (p, sel) => ((await p.locator(sel).textContent()) || '').trim();

// Take a ticket at the kiosk page; then read its wait on the four pages. Returns what each shows.
async function waitsEverywhere(service) {
  const kctx = await br.context({ viewport: { width: 1920, height: 1080 } });
  const kiosk = await kctx.newPage();
  await kiosk.goto(url + '/kiosk');
  await kiosk.locator(`.svc-btn[data-code="${service}"]`).click();
  await kiosk.locator('#ticket:not([hidden])').waitFor();
  const id = await kiosk.locator('#ticket').getAttribute('data-id');
  const api = await hq.must(url, 'GET', `/tickets/${id}`);
  const shown = { kiosk: [await kiosk.locator('#t-wait').getAttribute('data-wait'), await text(kiosk, '#t-wait')] };

  const tctx = await br.context({ viewport: { width: 390, height: 844 } });
  const track = await tctx.newPage();
  await track.goto(`${url}/t/${id}`);
  await track.locator('#wait[data-wait]').waitFor();
  shown.track = [await track.locator('#wait').getAttribute('data-wait'), await text(track, '#wait')];

  const gctx = await br.context();
  const guide = await gctx.newPage();
  await guide.goto(url + '/guide');
  await hq.signIn(guide, 'guide1', hq.PASSWORD);
  await guide.locator('#find-q').fill(api.number);
  await guide.locator('#find-q').press('Enter');
  const cell = guide.locator(`#found tr[data-number="${api.number}"] td.wait`);
  await cell.waitFor();
  shown.guide = [await cell.getAttribute('data-wait'), (await cell.textContent()).trim()];

  const mctx = await br.context();
  const m = await mctx.newPage();
  await m.goto(url + '/manager');
  await hq.signIn(m, 'manager1', hq.PASSWORD);
  const mcell = m.locator(`#queues tr[data-code="${service}"] td[data-number="${api.number}"]`);
  await mcell.waitFor();
  shown.manager = [await mcell.getAttribute('data-wait'), (await mcell.textContent()).replace(/\s*\(.*\)$/, '').trim()];
  for (const c of [kctx, tctx, gctx, mctx]) await c.close();
  return { api, shown };
}

test('the same wait on the kiosk ticket, the tracking page, the guide and the manager', async () => {
  const admin = await hq.login(url, 'admin', hq.ADMIN_PASSWORD);
  // No window open yet: the API's word for it.
  const none = await waitsEverywhere('A');
  for (const [page, [secs, shown]] of Object.entries(none.shown)) {
    assert.equal(secs, String(none.api.estimated_wait_s), `${page}: the API's estimate`);
    if (none.api.serving_windows === 0) assert.equal(shown, '当前无窗口办理', `${page}: no window serving`);
    else assert.equal(shown, none.shown.kiosk[1], `${page}: same text as the kiosk`);
  }
  // A scripted queue: window 1 open, three A tickets ahead.
  const clerk = await hq.login(url, 'clerk1', hq.PASSWORD);
  await hq.must(url, 'POST', '/windows/1/open', {}, clerk);
  for (let i = 0; i < 3; i++) await hq.must(url, 'POST', '/tickets', { service: 'A', category: 'normal', channel: 'kiosk' });
  const q = await waitsEverywhere('A');
  assert.ok(q.api.estimated_wait_s > 0, JSON.stringify(q.api));
  const again = await hq.must(url, 'GET', `/tickets/${q.api.id}`);
  assert.equal(again.estimated_wait_s, q.api.estimated_wait_s, 'the queue did not move meanwhile');
  for (const [page, [secs, shown]] of Object.entries(q.shown)) {
    assert.equal(secs, String(q.api.estimated_wait_s), `${page}: the API's estimate`);
    assert.equal(shown, q.shown.kiosk[1], `${page}: "${shown}" as on the kiosk`);
  }
  assert.notEqual(q.shown.kiosk[1], '当前无窗口办理');
  // One rounding: whole minutes rounded up, as the printed ticket and the advice's sentence say.
  if (!q.api.wait_range_s) assert.match(q.shown.kiosk[1], new RegExp(`^(${Math.ceil(q.api.estimated_wait_s / 60)} 分钟|\\d+ 小时 \\d+ 分钟)$`));
  void admin;
  assert.deepEqual(br.pageErrors, []);
});
