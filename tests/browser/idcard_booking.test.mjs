// SPDX-License-Identifier: MIT
// idcard_booking.test.mjs — in Chromium: 改约 on the booking page (the same code, the new time),
// 电话预约 from the guide page (js/guide_booking.js: the guide books for a caller and reads out the
// code; a limit refuses the second booking of the same phone that day), and the ID card at the
// kiosk (js/kiosk_idcard.js): a keyboard-wedge reader typing the number and Enter, then the
// hand-over of `hallq idreader` (POST /idcard/hold with the kiosk's key): the page shows the number
// masked only, and the next ticket carries it (a holder of 70 or more gets the green channel).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import * as hq from './helpers.mjs';

let dir, server, ctx, admin;
const OLD = '11010519491231002X';
const OLD2 = '440301195503011236';
const ALL_DAY = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, '00:00-23:55']));

before(async () => {
  dir = hq.tmpDir();
  server = await hq.serve(hq.initDb(dir));
  admin = await hq.setupHall(server.url);
  await hq.must(server.url, 'PUT', '/services/A', { hours: ALL_DAY, bookable: true }, admin);
  await hq.must(server.url, 'PUT', '/appointments/settings', { capacity: 1, walk_in_share: 0, limit_per_day: 1 }, admin);
  await hq.must(server.url, 'PUT', '/hall', { public_info: { id_card: { priority_age: 70 } } }, admin);
  ctx = await hq.browser({ viewport: { width: 1280, height: 900 } });
});

after(async () => {
  await ctx?.close();
  await server?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const tomorrow = () => {
  const t = new Date();
  const d = new Date(t.getFullYear(), t.getMonth(), t.getDate() + 1);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

test('改约 on the booking page: another time, the same code', async () => {
  const slots = (await hq.must(server.url, 'GET', `/appointments/slots?service=A&date=${tomorrow()}`)).slots;
  const b = await hq.must(server.url, 'POST', '/appointments', { service: 'A', start: slots[0].start, phone: '13911110001' });
  const page = await ctx.newPage();
  await page.goto(`${server.url}/book.html?b=${b.id}`);
  await page.locator('#done:not([hidden])').waitFor();
  await page.locator('#change').click();
  await page.locator('#cdays button').nth(1).click(); // tomorrow
  const choice = page.locator('#cslots button:not([disabled])');
  await choice.first().waitFor();
  const start = await choice.nth(2).getAttribute('data-start');
  await choice.nth(2).click();
  await page.locator('#change-ok').click();
  await hq.until(async () => /已改约/.test(await page.locator('#done-msg').textContent()), { what: 'the change' });
  assert.equal((await page.locator('#code-out').textContent()).trim(), b.code);
  assert.ok(await page.locator('#change-box').isHidden());
  const now = await hq.must(server.url, 'GET', `/appointments/${b.id}`);
  assert.equal(new Date(now.start).getTime(), new Date(start).getTime());
  await page.close();
});

test('电话预约 from the guide page: the code to read out; the limit refuses a second one', async () => {
  const page = await ctx.newPage();
  await page.goto(`${server.url}/guide`);
  await hq.signIn(page, 'guide1', hq.PASSWORD);
  await page.locator('#guide-booking').waitFor();
  const slot = page.locator('#gb-slots button:not([disabled])');
  await slot.first().waitFor();
  await slot.nth(5).click();
  await page.locator('#gb-phone').fill('13922220002');
  await page.locator('#gb-submit').click();
  await page.locator('#gb-code').waitFor();
  const code = (await page.locator('#gb-code').textContent()).trim();
  assert.match(code, /^[A-Z2-9]{6}$/);
  assert.equal(await page.locator('#gb-phone').inputValue(), '', 'the phone field is cleared');
  const day = await page.locator('#gb-day').inputValue(); // the page's tomorrow (the browser's zone)
  const list = await hq.must(server.url, 'GET', `/appointments?date=${day}`, undefined, admin);
  const mine = list.appointments.find((a) => a.code === code);
  assert.ok(mine, JSON.stringify(list));
  assert.equal(mine.by, 'guide1');
  // the same caller again that day: refused by the limit, said on the page
  await slot.nth(6).click();
  await page.locator('#gb-phone').fill('13922220002');
  await page.locator('#gb-submit').click();
  await hq.until(async () => (await page.locator('#gb-msg').textContent()).length > 0 && !(await page.locator('#gb-msg').isHidden()), { what: 'the refusal' });
  assert.match(await page.locator('#gb-msg').textContent(), /每天最多|a day/);
  await page.close();
});

test('ID card at the kiosk: a keyboard-wedge reader, then the reader hand-over; masked on screen, on the next ticket', async () => {
  const dev = await hq.must(server.url, 'POST', '/devices', { name: '取号机-1' }, admin);
  const page = await ctx.newPage();
  await page.goto(`${server.url}/kiosk?device=${dev.key}`);
  await page.locator('#services .svc-btn[data-code="A"]').waitFor();
  await page.keyboard.type(OLD, { delay: 5 });
  await page.keyboard.press('Enter');
  const banner = page.locator('#idcard-banner');
  await hq.until(async () => /已读取身份证 1101\*{10}002X/.test(await banner.textContent()), { what: 'the wedge read' });
  assert.ok(!(await page.content()).includes(OLD), 'never in clear on the page');
  await page.locator('#services .svc-btn[data-code="A"]').click();
  await page.locator('#ticket:not([hidden])').waitFor();
  assert.ok(await banner.isHidden(), 'dropped once used');
  let tickets = await hq.must(server.url, 'GET', '/tickets', undefined, admin);
  assert.equal(tickets.at(-1).category, 'priority', 'a holder of 70 or more from a registered kiosk');
  await page.locator('#t-done').click();

  // a wrong number typed by a wedge is refused on the page
  await page.keyboard.type('110105194912310021', { delay: 5 });
  await page.keyboard.press('Enter');
  await hq.until(async () => /无法识别/.test(await banner.textContent()), { what: 'the refusal' });

  // hallq idreader's hand-over for this kiosk's key
  const r = await fetch(`${server.url}/api/v1/idcard/hold`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-device-key': dev.key }, body: JSON.stringify({ id_number: OLD2 }) });
  assert.equal(r.status, 200);
  await hq.until(async () => /4403\*{10}1236/.test(await banner.textContent()), { what: 'the hand-over', timeout: 20000 });
  await page.locator('#services .svc-btn[data-code="B"]').click();
  await page.locator('#ticket:not([hidden])').waitFor();
  tickets = await hq.must(server.url, 'GET', '/tickets', undefined, admin);
  assert.equal(tickets.at(-1).service, 'B');
  assert.equal(tickets.at(-1).category, 'priority');
  assert.ok(!(await page.content()).includes(OLD2));
  await page.close();
});
