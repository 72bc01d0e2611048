// SPDX-License-Identifier: MIT
// screenshots.mjs — screenshots of every page in Chinese and English, from a real hallq with a
// small demo hall in mid-day (tickets waiting, windows open, paused and closed, a call, a notice,
// an evaluation). Run directly to refresh docs/screenshots/:
//     HALLQ_BIN=build/hallq node tests/browser/screenshots.mjs [OUT_DIR]
// screenshots.test.mjs runs it into a temporary directory and checks every file.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as hq from './helpers.mjs';

export const PAGES = [
  // name, path, viewport, staff user (signed in through sessionStorage), prepare(page)
  { name: 'index', path: '/' },
  { name: 'kiosk', path: '/kiosk', viewport: { width: 1920, height: 1080 } },
  { name: 'kiosk-ticket', path: '/kiosk', viewport: { width: 1920, height: 1080 }, prepare: async (p) => { await p.locator('.svc-btn[data-code="B"]').click(); await p.locator('#ticket:not([hidden])').waitFor(); await p.waitForTimeout(300); } },
  { name: 'display', path: '/display', viewport: { width: 1920, height: 1080 } },
  { name: 'display-portrait', path: '/display', viewport: { width: 1080, height: 1920 } },
  { name: 'window-1', path: '/window/1', viewport: { width: 1280, height: 720 } },
  { name: 'window-2-paused', path: '/window/2', viewport: { width: 1280, height: 720 } },
  { name: 'pad-unregistered', path: '/pad/3', viewport: { width: 1280, height: 800 }, prepare: async (p) => { await p.evaluate(() => localStorage.removeItem('hq.device')); await p.reload(); await p.locator('#msg:not([hidden])').waitFor(); } },
  { name: 'pad-idle', path: '/pad/2', viewport: { width: 1280, height: 800 } },
  { name: 'pad-ask', path: '/pad/1', viewport: { width: 1280, height: 800 }, prepare: async (p) => { await p.locator('#ask:not([hidden])').waitFor(); } },
  { name: 'pad-reasons', path: '/pad/1', viewport: { width: 1280, height: 800 }, prepare: async (p) => { await p.locator('#ask:not([hidden])').waitFor(); await p.locator('.face[data-level="1"]').click(); } },
  { name: 'track-waiting', path: (s) => `/t/${s.waitingId}`, viewport: { width: 390, height: 844 }, full: true },
  { name: 'track-called', path: (s) => `/t/${s.calledId}`, viewport: { width: 390, height: 844 }, full: true },
  { name: 'track-done', path: (s) => `/t/${s.doneId}`, viewport: { width: 390, height: 844 }, full: true },
  { name: 'complaints', path: '/complaints', full: true },
  { name: 'guide', path: '/guide', user: 'guide1', full: true },
  { name: 'counter', path: '/counter?window=1', user: 'clerk1', full: true },
  { name: 'manager', path: '/manager', user: 'manager1', full: true },
  { name: 'admin', path: '/admin', user: 'admin', full: true },
  { name: 'login', path: '/manager' },
];

// Put the hall in mid-day: returns ids for the tracking pages.
export async function stage(url) {
  const admin = await hq.setupHall(url);
  await hq.must(url, 'POST', '/windows', { number: 3, name: '3号窗口', services: ['A'] }, admin);
  const issue = (service, category = 'normal', token) => hq.must(url, 'POST', '/tickets', { service, category, channel: token ? 'guide' : 'kiosk' }, token);
  const c1 = await hq.login(url, 'clerk1', hq.PASSWORD);
  const c2 = await hq.login(url, 'clerk2', hq.PASSWORD);
  const guide = await hq.login(url, 'guide1', hq.PASSWORD);
  const mgr = await hq.login(url, 'manager1', hq.PASSWORD);
  const done = await issue('A');
  await hq.must(url, 'POST', '/windows/1/open', {}, c1);
  await hq.must(url, 'POST', '/windows/1/call-next', {}, c1);
  await hq.must(url, 'POST', '/windows/1/start', {}, c1);
  await hq.must(url, 'POST', '/windows/1/finish', {}, c1);
  await hq.must(url, 'POST', '/evaluations', { ticket: done.id, level: 2, reasons: ['等候时间长'], comment: '希望多开窗口' });
  const d2 = await issue('B');
  await hq.must(url, 'POST', '/windows/1/call-next', {}, c1);
  await hq.must(url, 'POST', '/windows/1/start', {}, c1);
  await hq.must(url, 'POST', '/windows/1/finish', {}, c1);
  await hq.must(url, 'POST', '/evaluations', { ticket: d2.id, level: 5, reasons: [], comment: '' });
  const d3 = await issue('A');
  await hq.must(url, 'POST', '/windows/1/call-next', {}, c1);
  await hq.must(url, 'POST', '/windows/1/start', {}, c1);
  await hq.must(url, 'POST', '/windows/1/finish', {}, c1); // the pad of window 1 asks for d3
  const ns = await issue('B');
  await hq.must(url, 'POST', '/windows/2/open', {}, c2);
  await hq.must(url, 'POST', '/windows/2/call-next', {}, c2);
  await hq.must(url, 'POST', '/windows/2/no-show', {}, c2);
  await hq.must(url, 'POST', '/windows/2/pause', { reason: '临时会议', back_in_s: 900 }, c2);
  const called = await issue('A');
  await issue('B', 'priority', guide);
  await hq.must(url, 'POST', '/windows/1/call-next', {}, c1); // priority B first
  await hq.must(url, 'POST', '/windows/1/start', {}, c1);
  const waiting = [];
  for (let i = 0; i < 4; i++) waiting.push(await issue(i % 2 ? 'B' : 'A'));
  await hq.must(url, 'POST', '/notices', { text: '今日 12:00-13:00 社保业务仅开放 1 个窗口，请耐心等候。', text_en: 'From 12:00 to 13:00 only one window serves social security. Thank you for your patience.' }, mgr);
  // `called` is called at window 3, opened by the manager for the screenshot.
  await hq.must(url, 'POST', '/staff', { username: 'clerk3', name: '赵磊', role: 'clerk', password: hq.PASSWORD, certifications: [{ service: 'A', expires_on: '2099-12-31' }] }, admin);
  const c3 = await hq.login(url, 'clerk3', hq.PASSWORD);
  await hq.must(url, 'POST', '/windows/3/open', {}, c3);
  const r = await hq.must(url, 'POST', '/windows/3/call-next', {}, c3);
  void ns;
  const device = (await hq.must(url, 'POST', '/devices', { name: 'pads' }, admin)).key;
  return { device, doneId: d3.id, calledId: r.ticket?.id || called.id, waitingId: waiting[2].id, tokens: { admin, guide1: guide, clerk1: c1, manager1: mgr } };
}

export async function shoot(url, outDir, staged) {
  fs.mkdirSync(outDir, { recursive: true });
  const ctx = await hq.browser();
  const files = [];
  try {
    for (const lang of ['zh', 'en']) {
      for (const pg of PAGES) {
        const page = await ctx.newPage();
        if (pg.viewport) await page.setViewportSize(pg.viewport);
        const token = pg.user ? staged.tokens[pg.user] : null;
        const user = pg.user ? { username: pg.user, name: pg.user, role: { admin: 'admin', guide1: 'guide', clerk1: 'clerk', manager1: 'manager' }[pg.user] } : null;
        await page.addInitScript(([l, t, u]) => {
          localStorage.setItem('hq.lang', l);
          if (t) {
            sessionStorage.setItem('hq.token', t);
            sessionStorage.setItem('hq.user', JSON.stringify(u));
          } else sessionStorage.clear();
        }, [lang, token, user]);
        let p = typeof pg.path === 'function' ? pg.path(staged) : pg.path;
        if (p.startsWith('/pad/')) p += `?device=${staged.device}`;
        await page.goto(url + p);
        await page.waitForLoadState('networkidle').catch(() => {});
        if (pg.prepare) await pg.prepare(page);
        await page.waitForTimeout(700);
        const file = path.join(outDir, `${pg.name}.${lang}.png`);
        await page.screenshot({ path: file, fullPage: !!pg.full });
        files.push(file);
        await page.close();
      }
    }
  } finally {
    await ctx.close();
  }
  return { files, errors: ctx.pageErrors };
}

// Run directly: a fresh server, staged, shot into OUT_DIR (default docs/screenshots).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = path.resolve(process.argv[2] || path.join(hq.SRC, 'docs/screenshots'));
  const dir = hq.tmpDir();
  const server = await hq.serve(hq.initDb(dir));
  try {
    const staged = await stage(server.url);
    const { files, errors } = await shoot(server.url, out, staged);
    console.log(`${files.length} screenshots in ${out}`);
    if (errors.length) console.log('page errors:\n' + errors.join('\n'));
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
