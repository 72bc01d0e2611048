// SPDX-License-Identifier: MIT
// keyboard.test.mjs — without touch or mouse (issue 18): only page.keyboard. A customer takes a
// ticket at the kiosk with the keypad's number key, follows the tracking link from the ticket
// (Tab, Enter), is called and served (the clerk, through the API), evaluates on the pad (Tab to a
// face, Space), and files a complaint (Tab, typing, Enter). Every control reached shows a visible
// focus outline; the tracking page announces the call in a live region.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import * as hq from './helpers.mjs';

let dir, server, ctx, url, admin, padKey, clerk;

before(async () => {
  dir = hq.tmpDir();
  server = await hq.serve(hq.initDb(dir));
  url = server.url;
  admin = await hq.setupHall(url);
  padKey = (await hq.must(url, 'POST', '/devices', { name: 'pad-1' }, admin)).key;
  clerk = await hq.login(url, 'clerk1', hq.PASSWORD);
  await hq.must(url, 'POST', '/windows/1/open', {}, clerk);
  ctx = await hq.browser();
});

after(async () => {
  await ctx?.close();
  await server?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

// Press Tab until the focused element matches selector (at most max presses); checks that each
// focused element shows a focus outline.
async function tabTo(page, selector, { max = 60, shift = false } = {}) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(shift ? 'Shift+Tab' : 'Tab');
    const r = await page.evaluate((sel) => {
      const a = document.activeElement;
      if (!a || a === document.body) return { none: true };
      const cs = getComputedStyle(a);
      return {
        match: a.matches(sel),
        outline: cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2,
        what: a.outerHTML.slice(0, 120),
      };
    }, selector);
    if (r.none) continue;
    assert.ok(r.outline, `a visible focus outline on ${r.what}`);
    if (r.match) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}

test('a ticket, tracking, the pad and a complaint with the keyboard alone', async () => {
  // The kiosk (a PC, not a registered device: the ticket shows its tracking link).
  const kiosk = await ctx.newPage();
  await kiosk.goto(url + '/kiosk');
  await kiosk.locator('.svc-btn[aria-keyshortcuts="1"] .key').waitFor();
  assert.equal((await kiosk.locator('.svc-btn[aria-keyshortcuts="1"] .key').textContent()).trim(), '1', 'the key is on the button');
  const code = await kiosk.locator('.svc-btn[aria-keyshortcuts="1"]').getAttribute('data-code');
  await kiosk.keyboard.press('1');
  await kiosk.locator('#ticket:not([hidden])').waitFor();
  const number = (await kiosk.locator('#t-number').textContent()).trim();
  assert.match(number, new RegExp(`^${code}\\d{3}$`));
  // Tab to the tracking link and follow it with Enter.
  await tabTo(kiosk, '#t-link');
  await Promise.all([kiosk.waitForURL(/\/t\/[0-9a-f]+$/), kiosk.keyboard.press('Enter')]);
  const track = kiosk;
  await track.locator('#number').waitFor();
  assert.equal((await track.locator('#number').textContent()).trim(), number);

  // The pad waits for the service to end.
  const pad = await ctx.newPage();
  await pad.goto(`${url}/pad/1?device=${padKey}`);
  await pad.locator('#live.on').waitFor();

  // Called: the tracking page says it in its live region (role=alert).
  await hq.must(url, 'POST', '/windows/1/call-next', {}, clerk);
  await track.locator('#called:not([hidden])').waitFor();
  assert.equal(await track.locator('#called').getAttribute('role'), 'alert');
  assert.match(await track.locator('#called').textContent(), /1 号窗口/, 'the alert says where to go');
  await hq.must(url, 'POST', '/windows/1/start', {}, clerk);
  await hq.must(url, 'POST', '/windows/1/finish', {}, clerk);

  // The pad asks; Tab to the "very satisfied" face and press Space.
  await pad.locator('#ask:not([hidden])').waitFor();
  await pad.bringToFront();
  await tabTo(pad, '.face[data-level="5"]');
  await pad.keyboard.press('Space');
  await pad.locator('#thanks:not([hidden])').waitFor();

  // A complaint from the tracking page's link: Tab, Enter; then the form.
  await track.bringToFront();
  await tabTo(track, '#complain-link');
  await Promise.all([track.waitForURL(/\/complaints$/), track.keyboard.press('Enter')]);
  await track.locator('#form').waitFor();
  await tabTo(track, '#content');
  await track.keyboard.type('窗口等候时间太长，希望增加窗口。');
  await tabTo(track, '#text-only');
  await track.keyboard.press('Space');
  assert.equal(await track.locator('#text-only').isChecked(), true);
  await tabTo(track, '#form button[type=submit]');
  await track.keyboard.press('Enter');
  await track.locator('#result:not([hidden])').waitFor();
  const tracking = (await track.locator('#code-out').textContent()).trim();
  assert.match(tracking, /^[A-Z2-9]{10}$/);
  const mgr = await hq.login(url, 'manager1', hq.PASSWORD);
  const c = await hq.must(url, 'GET', `/complaints/${tracking}`, undefined, mgr);
  assert.equal(c.assisted_by, 'text_only', 'the text-only channel is recorded');
  const ev = await hq.must(url, 'GET', '/evaluations', undefined, mgr);
  assert.ok(ev.some((e) => e.number === number && e.level === 5), 'the evaluation from the pad is recorded');
  assert.deepEqual(ctx.pageErrors, []);
});
