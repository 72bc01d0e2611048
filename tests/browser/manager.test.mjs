// SPDX-License-Identifier: MIT
// manager.test.mjs — the duty manager's live advice and emergency controls, the guide's advice,
// and the kiosk's word on its printer, in headless Chromium against the real hallq:
// - with one service's queue beyond what its windows serve within the target, the manager page
//   shows GET /advice row by row (waiting, windows, windows needed, status, the advice text in the
//   page's language) and the guide page shows that service's advice next to the alerts;
// - suspending ticketing needs a reason and a confirmation (cancel changes nothing), then the hall
//   is suspended (GET /hall; public issuing refused with 503; the kiosk says why; a second manager
//   page and the hall display follow by the live event); resume and carry-over likewise;
// - a kiosk registered with a working printer says "please take your ticket", one whose printer is
//   offline keeps the ticket on screen and says in both languages to photograph or scan it; the
//   ticket view fits 1920×1080 without scrolling.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as hq from './helpers.mjs';

let dir, server, browser, admin, mgr;

before(async () => {
  dir = hq.tmpDir();
  server = await hq.serve(hq.initDb(dir));
  admin = await hq.setupHall(server.url);
  mgr = await hq.login(server.url, 'manager1', hq.PASSWORD);
  browser = await hq.launch();
});

after(async () => {
  await browser?.done();
  await server?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const url = () => server.url;

async function staffPage(user, pathname, lang = 'zh') {
  const ctx = await browser.context();
  await ctx.addInitScript((l) => {
    if (location.protocol.startsWith('http')) localStorage.setItem('hq.lang', l);
  }, lang);
  const page = await ctx.newPage();
  await page.goto(url() + pathname);
  await hq.signIn(page, user, hq.PASSWORD);
  return page;
}

test('the manager sees the live advice, the guide the advice for crowded services', async () => {
  const c1 = await hq.login(url(), 'clerk1', hq.PASSWORD);
  await hq.must(url(), 'POST', '/windows/1/open', {}, c1);
  for (let i = 0; i < 8; i++) await hq.must(url(), 'POST', '/tickets', { service: 'B', category: 'normal', channel: 'kiosk' });
  const api = await hq.must(url(), 'GET', '/advice', undefined, mgr);
  const b = api.services.find((s) => s.code === 'B');
  assert.equal(b.status, 'crowded', JSON.stringify(b));

  for (const lang of ['zh', 'en']) {
    const page = await staffPage('manager1', '/manager', lang);
    await page.locator('#advice-rows tr[data-code="B"]').waitFor();
    await hq.until(async () => {
      const now = await hq.must(url(), 'GET', '/advice', undefined, mgr);
      const rows = await page.evaluate(() => [...document.querySelectorAll('#advice-rows tr')].map((tr) => ({
        code: tr.dataset.code, status: tr.dataset.status, cells: [...tr.querySelectorAll('td')].map((td) => (td.querySelector('.adv-text') || td).textContent),
      })));
      assert.deepEqual(rows.map((r) => r.code), now.services.map((s) => s.code));
      return rows.every((r, i) => {
        const s = now.services[i];
        const text = (lang === 'en' ? s.advice_en : s.advice) || '—';
        return r.status === s.status && r.cells[1] === String(s.waiting) && r.cells[2] === String(s.windows) &&
          r.cells[4] === String(s.arrivals_per_hour) && r.cells[5] === String(s.windows_needed) && r.cells[7] === text;
      });
    }, { what: `the advice table in ${lang} equals GET /advice` });
    const crowded = page.locator('#advice-rows tr[data-code="B"] td.advice');
    assert.match(await crowded.textContent(), lang === 'en' ? /open \d+ more window/ : /建议增开 \d+ 个窗口/);
    // The idle line names the idle windows, or says every open one is busy and which are closed.
    assert.match(await page.locator('#idle-windows').textContent(), lang === 'en' ? /idle|busy/i : /空闲|均在办理/);
    assert.equal(await page.locator('#plan-link').getAttribute('href'), '/plan.html');
    await page.context().close();
  }

  const guide = await staffPage('guide1', '/guide');
  await guide.locator('#advice-list li[data-code="B"]').waitFor();
  assert.equal(await guide.locator('#advice-list li').count(), api.services.filter((s) => s.status === 'crowded').length);
  assert.match(await guide.locator('#advice-list li[data-code="B"]').textContent(), /税务业务：(现在取号)?预计等候 \d+ 分钟，超过目标 15 分钟，建议增开 \d+ 个窗口/);
  assert.equal(await guide.locator('#alerts-box').isVisible(), true);
  await guide.context().close();
  assert.deepEqual(browser.pageErrors, []);
});

test('suspend and resume ticketing, carry-over, each confirmed', async () => {
  const hall = () => hq.must(url(), 'GET', '/hall');
  const page = await staffPage('manager1', '/manager');
  const other = await staffPage('manager1', '/manager');
  const dctx = await browser.context({ viewport: { width: 1920, height: 1080 } });
  const display = await dctx.newPage();
  await display.goto(url() + '/display');
  await display.locator('#live.on').waitFor();
  assert.equal(await display.locator('#suspended').isVisible(), false);
  await page.locator('#em-state').filter({ hasText: '取号正常' }).waitFor();

  // No reason: refused on the page, nothing sent.
  await page.locator('#em-suspend').click();
  await page.locator('#em-msg:not([hidden])').waitFor();
  assert.match(await page.locator('#em-msg').textContent(), /暂停原因/);
  assert.equal(await page.locator('#em-confirm').isVisible(), false);

  // Cancelled confirmation: nothing changes.
  await page.locator('#em-reason').fill('系统故障，暂停取号');
  await page.locator('#em-suspend').click();
  await page.locator('#em-confirm:not([hidden])').waitFor();
  assert.match(await page.locator('#em-confirm-text').textContent(), /系统故障，暂停取号/);
  await page.locator('#em-no').click();
  assert.equal(await page.locator('#em-confirm').isVisible(), false);
  assert.equal((await hall()).suspended, false);

  // Confirmed: suspended, the public is refused, the kiosk says why, the other page follows.
  await page.locator('#em-suspend').click();
  await page.locator('#em-yes').click();
  await page.locator('#em-state').filter({ hasText: '已暂停取号：系统故障，暂停取号' }).waitFor();
  let h = await hall();
  assert.equal(h.suspended, true);
  assert.equal(h.suspend_reason, '系统故障，暂停取号');
  const refused = await hq.call(url(), 'POST', '/tickets', { service: 'A', category: 'normal', channel: 'kiosk' });
  assert.equal(refused.status, 503);
  await other.locator('#em-state').filter({ hasText: '系统故障' }).waitFor();
  await display.locator('#suspended:not([hidden])').waitFor();
  assert.equal(await display.locator('#suspended').textContent(), '暂停取号Ticketing suspended系统故障，暂停取号');
  assert.equal(await other.locator('#em-resume').isVisible(), true);

  const kctx = await browser.context({ viewport: { width: 1920, height: 1080 } });
  const kiosk = await kctx.newPage();
  await kiosk.goto(url() + '/kiosk');
  await kiosk.locator('#kiosk-msg:not([hidden])').waitFor();
  assert.match(await kiosk.locator('#kiosk-msg').textContent(), /大厅暂停取号 \/ Ticketing is suspended in the hall — 系统故障，暂停取号/);
  assert.equal(await kiosk.locator('.svc-btn[data-code="A"]').isDisabled(), true);
  await kctx.close();

  // Resume.
  await page.locator('#em-resume').click();
  await page.locator('#em-confirm:not([hidden])').waitFor();
  await page.locator('#em-yes').click();
  await page.locator('#em-state').filter({ hasText: '取号正常' }).waitFor();
  assert.equal((await hall()).suspended, false);
  await other.locator('#em-state').filter({ hasText: '取号正常' }).waitFor();
  await display.locator('#suspended').waitFor({ state: 'hidden' });
  await dctx.close();

  // Carry-over on, then off.
  assert.equal((await hall()).carry_over, false);
  await page.locator('#em-carry').click();
  await page.locator('#em-yes').click();
  await page.locator('#emergency[data-carry="1"]').waitFor();
  assert.equal((await hall()).carry_over, true);
  assert.match(await page.locator('#em-carry-state').textContent(), /开启/);
  await page.locator('#em-carry').click();
  await page.locator('#em-no').click();
  assert.equal((await hall()).carry_over, true, 'cancelled: still on');
  await page.locator('#em-carry').click();
  await page.locator('#em-yes').click();
  await page.locator('#emergency[data-carry="0"]').waitFor();
  h = await hall();
  assert.equal(h.carry_over, false);
  await page.context().close();
  await other.context().close();
  assert.deepEqual(browser.pageErrors, []);
});

test('the kiosk says whether its ticket was printed, in both languages, and the ticket fits the screen', async () => {
  const printed = path.join(dir, 'kiosk-ok.prn');
  const ok = await hq.must(url(), 'POST', '/devices', { name: 'kiosk-ok', printer: `file:${printed}` }, admin);
  const bad = await hq.must(url(), 'POST', '/devices', { name: 'kiosk-bad', printer: '127.0.0.1:9' }, admin);
  const take = async (key, lang = 'zh') => {
    const ctx = await browser.context({ viewport: { width: 1920, height: 1080 } });
    await ctx.addInitScript((l) => {
    if (location.protocol.startsWith('http')) localStorage.setItem('hq.lang', l);
  }, lang);
    const page = await ctx.newPage();
    await page.goto(url() + '/kiosk' + (key ? `?device=${key}` : ''));
    await page.locator('.svc-btn[data-code="A"]').click();
    await page.locator('#ticket:not([hidden])').waitFor();
    return page;
  };

  let page = await take(ok.key);
  assert.equal(await page.locator('#ticket').getAttribute('data-print'), 'ok');
  assert.equal(await page.locator('#t-print').textContent(), '请取走号票Please take your ticket');
  assert.ok(fs.statSync(printed).size > 100, 'the ticket went to the printer');
  // Fits 1920×1080: nothing scrolls, the heading and the Done button are on screen.
  const fit = await page.evaluate(() => ({
    scroll: document.documentElement.scrollHeight - window.innerHeight,
    top: document.querySelector('#t-h').getBoundingClientRect().top,
    bottom: document.querySelector('#t-done').getBoundingClientRect().bottom,
    y: window.scrollY,
  }));
  assert.ok(fit.scroll <= 0 && fit.y === 0 && fit.top > 0 && fit.bottom <= 1080, JSON.stringify(fit));
  await page.context().close();

  page = await take(bad.key, 'en');
  assert.equal(await page.locator('#ticket').getAttribute('data-print'), 'failed');
  const said = await page.locator('#t-print').textContent();
  assert.match(said, /号票打印失败，请拍照记下您的号码，或扫描二维码在手机上查看/);
  assert.match(said, /could not be printed: please take a photo of your number or scan the QR code/);
  assert.match(said, /打印机未连接 \/ printer offline/);
  assert.equal(await page.locator('#t-count').textContent(), '60', 'longer on screen to photograph it');
  const id = await page.locator('#ticket').getAttribute('data-id');
  assert.equal((await hq.must(url(), 'GET', `/tickets/${id}`)).status, 'waiting', 'the ticket stands');
  await hq.until(() => page.locator('#t-qr').evaluate((img) => img.complete && img.naturalWidth > 0), { what: 'the QR code is shown' });
  await page.context().close();

  page = await take(null);
  assert.equal(await page.locator('#ticket').getAttribute('data-print'), 'none');
  assert.equal(await page.locator('#t-print').isVisible(), false);
  await page.context().close();
  assert.deepEqual(browser.pageErrors, []);
});
