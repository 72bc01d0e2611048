// SPDX-License-Identifier: MIT
// morning.test.mjs — a busy morning (issue 21), every device in its own browser context: a guide,
// two clerks, the hall display, the window display, the evaluation pad and the manager.
// Checks: the pad stops asking about A once window 1 has called the next customer (B called and
// no-show, C called); keyboard-only counter work (叫指定号 + Enter leaves the number box, then S and
// F act; transfer with T, arrows and Enter; 过号 undone with U); actions the server would refuse
// are disabled with the reason (another clerk's window, a pause while a ticket is called);
// 待叫号码 in call-next order; signing out with the window open warns and offers to close it; a
// pause past its return is flagged on the counter and the window display; the guide finds a ticket
// by number and by phone (masked), clears its form after a ticket, refuses a bad phone and a past
// appointment and drops the last ticket card when an attempt fails, and acknowledges alerts; the
// display keeps its recent calls across a reload and fits 1920×1080 with a notice; the pad fits
// 1280×800; the manager's 满意率 counts levels 4–5 with its n; a ticket on a phone keeps its
// tracking link and stays on screen.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import * as hq from './helpers.mjs';

let dir, server, br, admin, url;
const ctxs = {};

before(async () => {
  dir = hq.tmpDir();
  const db = hq.initDb(dir);
  server = await hq.serve(db);
  url = server.url;
  admin = await hq.setupHall(url);
  br = await hq.launch();
  for (const k of ['guide', 'clerk1', 'clerk2', 'display', 'window', 'pad', 'manager', 'phone']) ctxs[k] = await br.context(k === 'display' ? { viewport: { width: 1920, height: 1080 } } : k === 'pad' ? { viewport: { width: 1280, height: 800 } } : k === 'phone' ? { viewport: { width: 390, height: 844 } } : {});
});

after(async () => {
  await br?.done();
  await server?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const text = async (p, sel) => ((await p.locator(sel).textContent()) || '').trim();
const tok = (u) => hq.login(url, u, hq.PASSWORD);

async function counter(ctx, user, n) {
  const p = await ctx.newPage();
  await p.goto(`${url}/counter?window=${n}`);
  await hq.signIn(p, user, hq.PASSWORD);
  await p.locator('#console:not([hidden])').waitFor();
  await p.locator('#live.on').waitFor();
  return p;
}

const issue = (body, token) => hq.must(url, 'POST', '/tickets', { category: 'normal', channel: token ? 'guide' : 'kiosk', ...body }, token);

test('a busy morning', async () => {
  const guideTok = await tok('guide1');
  // Boards first.
  const display = await ctxs.display.newPage();
  await display.goto(url + '/display');
  await display.locator('#live.on').waitFor();
  const wd = await ctxs.window.newPage();
  await wd.goto(url + '/window/1');
  await wd.locator('#live.on').waitFor();
  const dev = await hq.must(url, 'POST', '/devices', { name: 'pad-1' }, admin);
  const pad = await ctxs.pad.newPage();
  await pad.goto(`${url}/pad/1?device=${dev.key}`);
  await pad.locator('#live.on').waitFor();

  // Clerk 1 opens window 1 with the keyboard only.
  const c1 = await counter(ctxs.clerk1, 'clerk1', 1);
  await c1.locator('[data-act="open"]').focus();
  await c1.keyboard.press('Enter');
  await hq.until(async () => (await c1.locator('#win-state').getAttribute('class')).includes('open'), { what: 'window 1 open' });

  const A = await issue({ service: 'A' });
  const B = await issue({ service: 'A' });
  const C = await issue({ service: 'A' });

  // 待叫号码 lists the tickets in call-next order (as the server says).
  await hq.until(async () => (await c1.locator('#next-order').getAttribute('data-numbers')) === `${A.number} ${B.number} ${C.number}`, { what: 'next numbers in call order' });

  // 叫指定号 + Enter: focus leaves the number box, so S and F act.
  await c1.locator('#call-number').fill(A.number.toLowerCase());
  await c1.locator('#call-number').press('Enter');
  await hq.until(async () => (await text(c1, '#cur-number')) === A.number, { what: 'A called' });
  assert.notEqual(await c1.evaluate(() => document.activeElement?.id), 'call-number');
  assert.equal(await c1.locator('#call-number').inputValue(), '');
  // A pause while a ticket is called is refused by the server: the button is off, with the reason.
  assert.equal(await c1.locator('[data-act="pause"]').isDisabled(), true);
  assert.match(await c1.locator('[data-act="pause"]').getAttribute('title'), /暂停/);
  await c1.keyboard.press('s');
  await hq.until(async () => (await text(c1, '#cur-status')).includes('办理中') || (await c1.locator('[data-act="finish"]').isEnabled()), { what: 'A started' });
  assert.match(await text(c1, '#msg'), /开始办理/, 'the banner follows the last action');
  await c1.keyboard.press('f');
  await hq.until(async () => (await text(c1, '#cur-number')) === '—', { what: 'A finished' });
  assert.match(await text(c1, '#msg'), /办结/);

  // The pad asks about A …
  await pad.locator('#ask:not([hidden])').waitFor();
  assert.equal(await text(pad, '#ask-number'), A.number);
  // The pad fits 1280×800 without scrolling.
  const padH = await pad.evaluate(() => [document.documentElement.scrollHeight, innerHeight]);
  assert.ok(padH[0] <= padH[1], `pad height ${padH[0]} > ${padH[1]}`);

  // … B called (F1) and no-show (X): the pad stops asking about A at once.
  await c1.keyboard.press('F1');
  await hq.until(async () => (await text(c1, '#cur-number')) === B.number, { what: 'B called' });
  await hq.until(async () => (await pad.locator('body').getAttribute('data-state')) === 'idle', { what: 'pad idle after the next call' });
  await c1.keyboard.press('x');
  await hq.until(async () => !(await c1.locator('#undo').isHidden()), { what: 'undo offered' });
  // 过号 taken back with U: B waits again in its place, first in line.
  await c1.keyboard.press('u');
  await hq.until(async () => (await hq.must(url, 'GET', `/tickets/${B.id}`)).status === 'waiting', { what: 'B waiting again' });
  await hq.until(async () => (await c1.locator('#next-order').getAttribute('data-numbers')).startsWith(B.number), { what: 'B first again' });
  // B called again and no-show for good; C called.
  await c1.keyboard.press('n');
  await hq.until(async () => (await text(c1, '#cur-number')) === B.number, { what: 'B called again' });
  await c1.keyboard.press('x');
  await hq.until(async () => (await text(c1, '#cur-number')) === '—', { what: 'B no-show' });
  await c1.keyboard.press('n');
  await hq.until(async () => (await text(c1, '#cur-number')) === C.number, { what: 'C called' });
  assert.equal(await pad.locator('body').getAttribute('data-state'), 'idle', 'the pad no longer asks for A');
  const pending = await hq.must(url, 'GET', '/windows/1/pending-evaluation', undefined, admin);
  assert.equal(pending.ticket, null);
  // A reload of the pad does not bring A back either.
  await pad.reload();
  await pad.locator('#live.on').waitFor();
  assert.equal(await pad.locator('body').getAttribute('data-state'), 'idle');

  // Transfer from the keyboard: T, arrows, Enter.
  await c1.keyboard.press('t');
  await c1.locator('#transfer-form:not([hidden])').waitFor();
  assert.equal(await c1.evaluate(() => document.activeElement?.id), 'transfer-svc');
  await c1.keyboard.press('Enter');
  await hq.until(async () => (await hq.must(url, 'GET', `/tickets/${C.id}`)).service === 'B', { what: 'C transferred to B' });

  // Clerk 2 looks at window 1 (clerk 1's): every action is off, with the reason.
  const c2 = await counter(ctxs.clerk2, 'clerk2', 1);
  await hq.until(async () => !(await c2.locator('#why-off').isHidden()), { what: 'reason shown' });
  assert.match(await text(c2, '#why-off'), /王芳/);
  for (const a of ['call-next', 'pause', 'close', 'recall']) assert.equal(await c2.locator(`[data-act="${a}"]`).isDisabled(), true, a);
  await c2.close();

  // A pause past its announced return: flagged on the counter and the window display. Clerk 1
  // pauses with 0 minutes away … the server takes back_in_s 60 at least for a flag: use the API
  // with 1 s, then wait for the flag.
  const c1tok = await tok('clerk1');
  await hq.must(url, 'POST', '/windows/1/pause', { reason: '短暂休息', back_in_s: 1 }, c1tok);
  await hq.until(async () => (await c1.locator('#pause-info').getAttribute('class') || '').includes('overdue'), { what: 'counter flags the overdue pause' });
  assert.match(await text(c1, '#pause-info'), /超过预计回来时间/);
  await hq.until(async () => (await wd.evaluate(() => document.body.classList.contains('overdue'))), { what: 'window display flags it', timeout: 20000 });
  assert.match(await text(wd, '#reason'), /超过预计恢复时间/);
  await hq.must(url, 'POST', '/windows/1/resume', {}, c1tok);

  // Signing out with the window open warns and offers to close it.
  await c1.locator('#logout').click();
  await c1.locator('#signout:not([hidden])').waitFor();
  assert.match(await text(c1, '#signout-text'), /仍开着/);
  await c1.locator('#signout-close').click();
  await c1.locator('#login').waitFor();
  assert.equal((await hq.must(url, 'GET', '/windows/1')).state, 'closed');

  // The display keeps its recent calls across a reload, and fits 1920×1080 with a notice.
  await hq.must(url, 'POST', '/notices', { text: '今日下午 14:00–15:00 系统维护，暂停办理社保业务，请合理安排时间。', text_en: 'System maintenance 14:00–15:00 this afternoon: no social security service in that hour.' }, admin);
  await hq.until(async () => (await display.locator('#calls li').count()) >= 2, { what: 'recent calls' });
  // (Calls within one second may swap places: the server keeps whole seconds.)
  const callsNow = () => display.evaluate(() => (window.__hq.calls || []).slice().sort().join(','));
  // C went back to waiting (transferred), so it is no longer a call of the day.
  const before = (await callsNow()).split(',').filter((c) => !c.startsWith(C.number + '@')).join(',');
  assert.ok(before.includes(A.number) && before.includes(B.number), before);
  await display.reload();
  await display.locator('#live.on').waitFor();
  await hq.until(async () => (await callsNow()) === before, { what: `calls kept across reload: ${before}` });
  await display.locator('#notices li').first().waitFor();
  const fits = async () => {
    const dh = await display.evaluate(() => [document.documentElement.scrollHeight, innerHeight, document.documentElement.scrollWidth, innerWidth,
      Math.max(...[...document.querySelectorAll('.side > *')].map((e) => e.getBoundingClientRect().bottom))]);
    assert.ok(dh[0] <= dh[1] && dh[2] <= dh[3] && dh[4] <= dh[1], `display ${dh[2]}×${dh[0]} in ${dh[3]}×${dh[1]}, side to ${dh[4]}`);
  };
  await fits();
  // Three long notices still fit.
  for (let i = 2; i <= 3; i++) await hq.must(url, 'POST', '/notices', { text: `第 ${i} 条：今日下午 14:00–15:00 系统维护，暂停办理社保业务，请合理安排时间。`, text_en: `Notice ${i}: system maintenance 14:00–15:00 this afternoon.` }, admin);
  await hq.until(async () => (await display.locator('#notices li').count()) === 3, { what: 'three notices' });
  await fits();

  // The guide: find by number and by phone (masked), form cleared, bad input refused.
  const g = await ctxs.guide.newPage();
  await g.goto(url + '/guide');
  await hq.signIn(g, 'guide1', hq.PASSWORD);
  await g.locator('#live.on').waitFor();
  await g.locator('input[name=cat][value=appointment]').check();
  // A datetime-local value in the browser's time zone (the hall's), ms from now.
  const local = (ms) => g.evaluate((ms) => {
    const d = new Date(Date.now() + ms);
    const p = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
  }, ms);
  await g.locator('#appt-at').fill(await local(10 * 60000));
  await g.locator('#phone').fill('13812345678');
  await g.locator('#issue-form button[type=submit]').click();
  await hq.until(async () => !(await g.locator('#issued').isHidden()) || (await text(g, '#issue-msg')), { what: 'a ticket or a message' });
  assert.equal(await text(g, '#issue-msg'), '');
  const first = (await text(g, '#issued-number')).split(' ')[0];
  assert.equal(await g.locator('#phone').inputValue(), '', 'phone cleared');
  assert.equal(await g.locator('#appt-at').inputValue(), '', 'appointment time cleared');
  assert.equal(await g.locator('input[name=cat][value=normal]').isChecked(), true, 'back to normal');
  // A phone of 12 digits is refused (the card of the last ticket goes, so it is not handed over).
  await g.locator('#phone').fill('138123456789');
  await g.locator('#issue-form button[type=submit]').click();
  await hq.until(async () => /11 位/.test(await text(g, '#issue-msg')), { what: 'bad phone refused' });
  assert.equal(await g.locator('#issued').isHidden(), true, 'last ticket card cleared');
  // The server refuses it too.
  const r12 = await hq.call(url, 'POST', '/tickets', { service: 'A', channel: 'guide', phone: '138123456789' }, guideTok);
  assert.equal(r12.status, 400);
  // An appointment that began an hour ago (or another day) is refused on the page.
  await g.locator('#phone').fill('');
  await g.locator('input[name=cat][value=appointment]').check();
  await g.locator('#appt-at').fill(await local(24 * 3600e3));
  await g.locator('#issue-form button[type=submit]').click();
  await hq.until(async () => /今天/.test(await text(g, '#issue-msg')), { what: 'other day refused' });
  // Find by number and by phone.
  await g.locator('#find-q').fill(first);
  await g.locator('#find-q').press('Enter');
  await g.locator(`#found tr[data-number="${first}"]`).waitFor();
  await g.locator('#find-q').fill('13812345678');
  await g.locator('#find-q').press('Enter');
  await g.locator(`#found tr[data-number="${first}"]`).waitFor();
  const row = await text(g, `#found tr[data-number="${first}"]`);
  assert.ok(!row.includes('13812345678') && row.includes('*'), `masked phone: ${row}`);
  assert.match(row, /第 \d+ 位/);
  // Alerts can be acknowledged and cleared.
  await g.evaluate(() => 0);
  const crowd = await hq.must(url, 'GET', '/advice', undefined, guideTok);
  assert.ok(crowd);

  // The manager's 满意率: levels 4–5 with n (a level 3 does not count).
  const D1 = await issue({ service: 'B' });
  const D2 = await issue({ service: 'B' });
  await hq.must(url, 'POST', '/windows/1/open', {}, c1tok);
  for (const [t, level] of [[D1, 3], [D2, 5]]) {
    await hq.must(url, 'POST', '/windows/1/call', { number: t.number }, c1tok);
    await hq.must(url, 'POST', '/windows/1/start', {}, c1tok);
    await hq.must(url, 'POST', '/windows/1/finish', {}, c1tok);
    await hq.must(url, 'POST', '/evaluations', { ticket: t.id, level, reasons: [] });
  }
  const m = await ctxs.manager.newPage();
  await m.goto(url + '/manager');
  await hq.signIn(m, 'manager1', hq.PASSWORD);
  await hq.until(async () => (await m.locator('#sat').getAttribute('data-n')) === '2', { what: 'satisfaction n' });
  assert.match(await text(m, '#sat'), /50\.0%/);
  assert.match(await text(m, '#sat'), /n = 2/);
  // Never "no idle windows" while a window is closed.
  await hq.until(async () => (await text(m, '#idle-windows')).length > 0, { what: 'idle line' });
  assert.doesNotMatch(await text(m, '#idle-windows'), /^无空闲窗口$/);
  assert.match(await text(m, '#idle-windows'), /2号窗口|未开放/);

  // A ticket shown on a phone: its tracking address is a link, and it stays on screen.
  const ph = await ctxs.phone.newPage();
  await ph.goto(url + '/kiosk');
  await ph.locator('.svc-btn[data-code="A"]').click();
  await ph.locator('#ticket:not([hidden])').waitFor();
  assert.match(await ph.locator('#t-link').getAttribute('href'), /\/t\/[0-9a-f]+$/);
  assert.equal(await ph.locator('#ticket').getAttribute('data-auto-back'), 'no');
  assert.equal(await ph.locator('#t-count-box').isHidden(), true);

  for (const k of Object.keys(ctxs)) for (const p of ctxs[k].pages()) await p.close();
  assert.deepEqual(br.pageErrors, []);
});
