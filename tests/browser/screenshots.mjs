// SPDX-License-Identifier: MIT
// screenshots.mjs — screenshots of every page in Chinese and English, from a real hallq with a
// small hall in mid-day (tickets waiting, windows open, paused and closed, a call, a notice, an
// evaluation, a crowded service, kiosks with a working and a broken printer), and the window plan
// from a second hallq holding a week of demo history (`hallq demo`, generated while the first
// pages are shot). Run directly to refresh docs/screenshots/:
//     HALLQ_BIN=build/hallq node tests/browser/screenshots.mjs [OUT_DIR]
// screenshots.test.mjs runs it into a temporary directory and checks every file.
//
// Speed: one Chromium, a fresh context per shot (no shared storage, no shared connections: each
// page holds a live stream), a shot per CPU at once, and no fixed waits: a page is shot once no
// request has been in flight for a moment (helpers.tracker) and what it must show is there.
// Shots that change the hall (a kiosk issuing a ticket) run after all the others.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as hq from './helpers.mjs';

const FULLHD = { width: 1920, height: 1080 };
const PHONE = { width: 390, height: 844 };
const ticketShown = async (p) => {
  await p.locator('.svc-btn[data-code="B"]').click();
  await p.locator('#ticket:not([hidden])').waitFor();
};

export const PAGES = [
  // name, path (or fn of the staged hall), viewport, staff user (signed in through
  // sessionStorage), device (a registered device's key: 'pads', 'kioskOk', 'kioskBad'),
  // full (the whole page), demo (the server with history), mutates (run last), ready (selector
  // that must be shown), prepare(page)
  { name: 'index', path: '/', ready: '#windows li' },
  { name: 'kiosk', path: '/kiosk', viewport: FULLHD, ready: '.svc-btn' },
  { name: 'kiosk-ticket', path: '/kiosk', viewport: FULLHD, device: 'kioskOk', mutates: true, prepare: ticketShown },
  { name: 'kiosk-ticket-print-failed', path: '/kiosk', viewport: FULLHD, device: 'kioskBad', mutates: true, prepare: ticketShown },
  { name: 'display', path: '/display', viewport: FULLHD, ready: '#waiting tr' },
  { name: 'kiosk-portrait', path: '/kiosk', viewport: { width: 1080, height: 1920 }, ready: '.svc-btn' },
  { name: 'display-portrait', path: '/display', viewport: { width: 1080, height: 1920 }, ready: '#waiting tr' },
  { name: 'window-1', path: '/window/1', viewport: { width: 1280, height: 720 } },
  { name: 'window-2-paused', path: '/window/2', viewport: { width: 1280, height: 720 } },
  { name: 'pad-unregistered', path: '/pad/3', viewport: { width: 1280, height: 800 }, ready: '#msg:not([hidden])' },
  { name: 'pad-idle', path: '/pad/2', viewport: { width: 1280, height: 800 }, device: 'pads' },
  { name: 'pad-ask', path: '/pad/4', viewport: { width: 1280, height: 800 }, device: 'pads', ready: '#ask:not([hidden])' },
  { name: 'pad-reasons', path: '/pad/4', viewport: { width: 1280, height: 800 }, device: 'pads', prepare: async (p) => { await p.locator('#ask:not([hidden])').waitFor(); await p.locator('.face[data-level="1"]').click(); } },
  { name: 'track-waiting', path: (s) => `/t/${s.waitingId}`, viewport: PHONE, full: true },
  { name: 'track-called', path: (s) => `/t/${s.calledId}`, viewport: PHONE, full: true },
  { name: 'track-done', path: (s) => `/t/${s.doneId}`, viewport: PHONE, full: true, ready: '#stages .ev-form' },
  { name: 'track-rated', path: (s) => `/t/${s.ratedId}`, viewport: PHONE, full: true, ready: '#stages .stage[data-state="rated"]' },
  { name: 'complaints', path: '/complaints', full: true },
  { name: 'guide', path: '/guide', user: 'guide1', full: true, ready: '#advice-list li' },
  { name: 'counter', path: '/counter?window=1', user: 'clerk1', full: true },
  { name: 'manager', path: '/manager', user: 'manager1', full: true, ready: '#advice-rows tr[data-status="crowded"]' },
  { name: 'admin', path: '/admin', user: 'admin', full: true },
  { name: 'admin-staff', path: '/admin', user: 'admin', full: true, prepare: async (p) => { await p.locator('[data-tab="staff"]').click(); await p.locator('#staff tr[data-username="clerk4"]').waitFor(); } },
  { name: 'cases', path: '/cases.html', user: 'manager1', full: true, prepare: async (p) => { await p.locator('#rows tr[data-number] button').first().click(); await p.locator('#forms form[data-step="verification"]').waitFor(); } },
  { name: 'admin-calendar', path: '/admin', user: 'admin', full: true, prepare: async (p) => { await p.locator('[data-tab="calendar"]').click(); await p.locator('#cal-holidays li[data-day]').first().waitFor(); await p.waitForFunction(() => document.querySelector('#evs-late')?.value); } },
  { name: 'admin-voice', path: '/admin', user: 'admin', full: true, prepare: async (p) => { await p.locator('[data-tab="voice"]').click(); await p.locator('#vp-list button[data-recorded="true"]').first().waitFor(); } },
  { name: 'admin-hall', path: '/admin', user: 'admin', full: true, prepare: async (p) => { await p.locator('[data-tab="hall"]').click(); await p.locator('#h-hours .hg-mode').waitFor(); } },
  { name: 'plan', path: '/plan.html', user: 'manager1', demo: true, full: true, prepare: async (p) => {
    await p.locator('body[data-plan-date]').waitFor({ timeout: 30000 });
    // A what-if: the first group down to one window at its busiest half hour.
    const i = await p.evaluate(() => {
      const bars = [...document.querySelectorAll('#chart rect.bar')].map((b) => Number(b.dataset.arrivals));
      return bars.indexOf(Math.max(...bars));
    });
    await p.locator(`#whatif-table input[data-g="0"][data-i="${i}"]`).fill('1');
    await p.locator('#wi-run').click();
    await p.locator('#wi-summary .wi-day').first().waitFor({ timeout: 30000 });
  } },
  { name: 'compliance', path: '/compliance.html', user: 'manager1', demo: true, full: true, ready: '#t-clauses tbody tr', prepare: async (p) => { await p.locator('#t-clauses tr[data-clause="4.7-training"] details summary').click(); } },
  { name: 'login', path: '/manager', ready: '#login' },
  { name: 'kiosk-idcard', path: '/kiosk', viewport: FULLHD, device: 'kioskOk', ready: '.svc-btn', prepare: async (p) => { await p.keyboard.type('11010519491231002X', { delay: 5 }); await p.keyboard.press('Enter'); await p.locator('#idcard-banner:not([hidden])').waitFor(); } },
  // operations records (docs/OPERATIONS.md): overdue rows marked, an incident in full, public information
  { name: 'ops', path: '/ops.html', user: 'manager1', full: true, ready: '#fac-rows tr.overdue' },
  { name: 'ops-incident', path: '/ops.html', user: 'manager1', full: true, prepare: async (p) => { await p.locator('#inc-rows tr[data-id] button').first().click(); await p.locator('#inc-timeline li').first().waitFor(); } },
  { name: 'info', path: '/info.html', full: true, ready: '#prices tr' },
  { name: 'admin-info', path: '/admin', user: 'admin', full: true, prepare: async (p) => { await p.locator('[data-tab="info"]').click(); await p.locator('#ai-licences').waitFor(); await p.waitForFunction(() => document.querySelector('#ai-prices')?.value); } },
  // issue 18 (branch a11y): large type on the kiosk and the tracking page; help alerts on the guide page
  { name: 'kiosk-largetype', path: '/kiosk', viewport: FULLHD, ready: '.svc-btn', prepare: async (p) => { await p.locator('#lt-toggle').click(); await p.locator('html.lt').waitFor({ state: 'attached' }); } },
  { name: 'track-largetype', path: (s) => `/t/${s.waitingId}`, viewport: PHONE, full: true, prepare: async (p) => { await p.locator('#number').waitFor(); await p.locator('#lt-toggle').click(); } },
  { name: 'guide-help', path: '/guide', user: 'guide1', viewport: { width: 1280, height: 720 }, ready: '#help-list li[data-id]' },
  // surveys (docs/SURVEYS.md): the admin page, the gap chart and paused time on the stats page,
  // (the survey offered on the pad: tests/browser/surveys.test.mjs shoots it with HQ_SHOTS=dir; here,
  // evaluating window 4's ticket raced the other shots of that pad)
  { name: 'surveys', path: '/surveys.html', user: 'admin', full: true, ready: '#t-q tr[data-id="hall2026"]' },
  { name: 'stats-gap', path: (s) => `/stats.html?from=${s.today}&to=${s.today}`, user: 'manager1', full: true, ready: '#gap-svg', prepare: async (p) => { await p.locator('#t-pauses').waitFor(); } },
  // branch retire: the retired services and staff under their tabs (restore, delete for good)
  { name: 'admin-services-retired', path: '/admin', user: 'admin', full: true, ready: '#rt-svc-box[data-state="ready"] tr[data-key="Z"]' },
  { name: 'admin-staff-retired', path: '/admin', user: 'admin', full: true, prepare: async (p) => { await p.locator('[data-tab="staff"]').click(); await p.locator('#rt-staff-box[data-state="ready"] tr[data-key="oops"]').waitFor(); } },
];

async function signIn(url, username, password) {
  const r = await hq.must(url, 'POST', '/auth/login', { username, password });
  return { token: r.token, user: r.user };
}

// Put the hall in mid-day: returns ids for the tracking pages, device keys and sessions.
// A voice pack with its first phrases recorded (0.4 s tones as WAV), active (the admin's voice tab).
async function stageVoice(url, admin) {
  const pack = await hq.must(url, 'POST', '/voice/packs', { name: '王老师' }, admin);
  const rate = 22050, n = Math.round(rate * 0.4), wav = Buffer.alloc(44 + 2 * n);
  wav.write('RIFF', 0, 'latin1'); wav.writeUInt32LE(36 + 2 * n, 4); wav.write('WAVEfmt ', 8, 'latin1');
  wav.writeUInt32LE(16, 16); wav.writeUInt16LE(1, 20); wav.writeUInt16LE(1, 22); wav.writeUInt32LE(rate, 24);
  wav.writeUInt32LE(rate * 2, 28); wav.writeUInt16LE(2, 32); wav.writeUInt16LE(16, 34); wav.write('data', 36, 'latin1'); wav.writeUInt32LE(2 * n, 40);
  for (let i = 0; i < n; i++) wav.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 330 * i) / rate)), 44 + 2 * i);
  for (const id of ['zh-qing', 'zh-hao', 'zh-dao', 'zh-window', 'zh-0', 'zh-1', 'zh-2']) {
    const r = await fetch(`${url}/api/v1/voice/packs/${pack.id}/clips/${id}`, { method: 'PUT', headers: { authorization: `Bearer ${admin}`, 'content-type': 'audio/wav' }, body: wav });
    if (!r.ok) throw new Error(`voice clip ${id}: ${r.status} ${await r.text()}`);
  }
  await hq.must(url, 'PUT', '/voice', { active: pack.id, repeat: 2, chime: true }, admin);
}

export async function stage(url, dir) {
  const admin = await hq.setupHall(url);
  await stageVoice(url, admin);
  await hq.must(url, 'POST', '/windows', { number: 3, name: '3号窗口', services: ['A'] }, admin);
  const issue = (service, category = 'normal', token) => hq.must(url, 'POST', '/tickets', { service, category, channel: token ? 'guide' : 'kiosk' }, token);
  const [c1, c2, guide, mgr, adm] = await Promise.all([
    signIn(url, 'clerk1', hq.PASSWORD), signIn(url, 'clerk2', hq.PASSWORD), signIn(url, 'guide1', hq.PASSWORD),
    signIn(url, 'manager1', hq.PASSWORD), signIn(url, 'admin', hq.ADMIN_PASSWORD),
  ]);
  const serve1 = async () => {
    await hq.must(url, 'POST', '/windows/1/call-next', {}, c1.token);
    await hq.must(url, 'POST', '/windows/1/start', {}, c1.token);
    await hq.must(url, 'POST', '/windows/1/finish', {}, c1.token);
  };
  const done = await issue('A');
  await hq.must(url, 'POST', '/windows/1/open', {}, c1.token);
  await serve1();
  await hq.must(url, 'POST', '/evaluations', { ticket: done.id, level: 2, reasons: ['等候时间长'], comment: '希望多开窗口' });
  const d2 = await issue('B');
  await serve1();
  await hq.must(url, 'POST', '/evaluations', { ticket: d2.id, level: 5, reasons: [], comment: '' });
  // The pad of window 4 asks for d3: finished there last (a window's next call clears its pad).
  // (clerk4's certification for A has expired: the admin page marks it; window 4 serves B only.)
  await hq.must(url, 'POST', '/windows', { number: 4, name: '4号窗口', services: ['B', 'A'] }, admin);
  await hq.must(url, 'POST', '/staff', { username: 'clerk4', name: '孙丽', role: 'clerk', password: hq.PASSWORD, certifications: [{ service: 'A', expires_on: '2026-01-31' }, { service: 'B', expires_on: '2099-12-31' }] }, admin);
  const c4 = await signIn(url, 'clerk4', hq.PASSWORD);
  // branch retire: a service and a clerk created by mistake, retired (the admin's retired lists)
  await hq.must(url, 'POST', '/services', { code: 'Z', name: '误建业务', name_en: 'Created by mistake', avg_service_s: 300 }, admin);
  await hq.must(url, 'POST', '/retired-services', { code: 'Z' }, admin);
  await hq.must(url, 'POST', '/staff', { username: 'oops', name: '误建人员', role: 'clerk', password: hq.PASSWORD, certifications: [] }, admin);
  await hq.must(url, 'POST', '/retired-staff', { username: 'oops' }, admin);
  const d3 = await issue('B');
  await hq.must(url, 'POST', '/windows/4/open', {}, c4.token);
  await hq.must(url, 'POST', '/windows/4/call', { number: d3.number }, c4.token);
  await hq.must(url, 'POST', '/windows/4/start', {}, c4.token);
  await hq.must(url, 'POST', '/windows/4/finish', {}, c4.token);
  await hq.must(url, 'POST', '/windows/4/pause', { reason: '整理材料', back_in_s: 300 }, c4.token); // the pad keeps asking
  await issue('B');
  await hq.must(url, 'POST', '/windows/2/open', {}, c2.token);
  await hq.must(url, 'POST', '/windows/2/call-next', {}, c2.token);
  await hq.must(url, 'POST', '/windows/2/no-show', {}, c2.token);
  await hq.must(url, 'POST', '/windows/2/pause', { reason: '临时会议', back_in_s: 900 }, c2.token);
  const called = await issue('A');
  await issue('B', 'priority', guide.token);
  await hq.must(url, 'POST', '/windows/1/call-next', {}, c1.token); // priority B first
  await hq.must(url, 'POST', '/windows/1/start', {}, c1.token);
  const waiting = [];
  // A queue for B that one window cannot serve within the target: the advice says so.
  for (let i = 0; i < 9; i++) waiting.push(await issue(i % 3 === 0 ? 'A' : 'B'));
  await hq.must(url, 'POST', '/notices', { text: '今日 12:00-13:00 社保业务仅开放 1 个窗口，请耐心等候。', text_en: 'From 12:00 to 13:00 only one window serves social security. Thank you for your patience.' }, mgr.token);
  // `called` is called at window 3.
  await hq.must(url, 'POST', '/staff', { username: 'clerk3', name: '赵磊', role: 'clerk', password: hq.PASSWORD, certifications: [{ service: 'A', expires_on: '2099-12-31' }] }, admin);
  const c3 = await signIn(url, 'clerk3', hq.PASSWORD);
  await hq.must(url, 'POST', '/windows/3/open', {}, c3.token);
  const r = await hq.must(url, 'POST', '/windows/3/call-next', {}, c3.token);
  // The bad review of `done` opened a case: the manager has called the customer back. The
  // national calendar of the year is set (the admin's calendar tab, the case deadline).
  const year = new Date().getFullYear();
  await hq.must(url, 'PUT', `/calendar/${year}`, { holidays: [`${year}-10-01`, `${year}-10-02`, `${year}-10-05`], workdays: [] }, admin);
  const cs = await hq.must(url, 'GET', '/cases', undefined, mgr.token);
  await hq.must(url, 'POST', `/cases/${cs.cases[0].id}/callback`, { outcome: 'reached', notes: '已电话致歉，群众表示理解' }, mgr.token);
  const device = async (body) => (await hq.must(url, 'POST', '/devices', body, admin)).key;
  const devices = {
    pads: await device({ name: 'pads' }),
    kioskOk: await device({ name: 'kiosk-1', printer: `file:${path.join(dir, 'kiosk-1.prn')}` }),
    kioskBad: await device({ name: 'kiosk-2', printer: '127.0.0.1:9' }), // nothing listens: offline
  };
  await stageOps(url, admin, mgr.token);
  // Help asked at kiosk-1 and by a waiting ticket (the guide page's alerts).
  await fetch(`${url}/api/v1/help`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Device-Key': devices.kioskOk }, body: '{}' });
  await hq.must(url, 'POST', '/help', { ticket: waiting[5].id });
  // A questionnaire asked on the pad, the tracking page and by staff, with a few answers.
  await hq.must(url, 'POST', '/surveys/questionnaires', {
    id: 'hall2026', title: '办事满意度调查', title_en: 'Service satisfaction survey',
    dimensions: [['environment', '环境', 'Environment'], ['attitude', '态度', 'Attitude'], ['efficiency', '效率', 'Efficiency'], ['professionalism', '专业', 'Professionalism'], ['convenience', '便利', 'Convenience']].map(([key, name, name_en]) => ({ key, name, name_en })),
    open_questions: [{ key: 'improve', text: '您希望我们改进什么？', text_en: 'What should we improve?', max_chars: 200 }],
  }, admin);
  for (const ch of ['pad', 'web', 'staff']) await hq.must(url, 'PUT', `/surveys/active/${ch}`, { questionnaire: 'hall2026' }, admin);
  const answers = [[4, 5, 3, 4, 5, 4, 5, 2, 4, 4], [3, 4, 4, 5, 5, 3, 4, 3, 3, 4], [4, 4, 4, 4, 4, 2, 5, 3, 4, 5], [2, 5, 5, 4, 5, 3, 4, 4, 3, 3]];
  const keys = ['environment', 'attitude', 'efficiency', 'professionalism', 'convenience'];
  for (const [i, a] of answers.entries())
    await hq.must(url, 'POST', '/surveys/answers', { questionnaire: 'hall2026', version: 1, method: i % 2 ? 'phone' : 'interview', scores: keys.map((dimension, j) => ({ dimension, importance: a[2 * j], performance: a[2 * j + 1] })) }, mgr.token);
  return {
    today: new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10),
    devices, doneId: d3.id, calledId: r.ticket?.id || called.id, waitingId: waiting[3].id,
    devices, doneId: d3.id, ratedId: done.id, calledId: r.ticket?.id || called.id, waitingId: waiting[3].id,
    sessions: { admin: adm, guide1: guide, clerk1: c1, manager1: mgr },
  };
}

// The operations records: plans (one past its review date), a drill overdue, facilities (one
// maintenance missed), an incident on site and restored, and the public information.
async function stageOps(url, admin, mgr) {
  const day = (n) => new Date(Date.now() + n * 86400e3).toISOString().slice(0, 10);
  const fire = await hq.must(url, 'POST', '/ops/plans', { type: 'fire', title: '火灾应急预案', trigger: '发现烟雾或火情', steps: ['拉响警报', '疏散群众', '报警 119'], roles: [{ role: '值班长', duty: '现场指挥' }], contacts: [{ name: '王强', role: '安全员', phone: '13800001111' }], review_by: day(200) }, mgr);
  await hq.must(url, 'POST', '/ops/plans', { type: 'power', title: '停电应急预案', trigger: '大厅停电', steps: ['启用应急照明', '暂停取号'], review_by: day(-5) }, mgr);
  const drill = await hq.must(url, 'POST', '/ops/schedules', { kind: 'drill', title: '消防疏散演练', plan: fire.id, interval_days: 180, start: day(-200) }, mgr);
  await hq.must(url, 'POST', `/ops/schedules/${drill.id}/records`, { date: day(-20), participants: 24, findings: '东侧通道堆放杂物' }, mgr);
  await hq.must(url, 'POST', '/ops/schedules', { kind: 'risk_assessment', title: '季度风险评估', interval_days: 90, start: day(-120) }, mgr);
  await hq.must(url, 'POST', '/ops/facilities', { name: '1号取号机', kind: 'kiosk', location: '大厅入口', maintenance_days: 30, start: day(-10) }, mgr);
  await hq.must(url, 'POST', '/ops/facilities', { name: '大厅显示屏', kind: 'display', location: '大厅北墙', maintenance_days: 90, start: day(-100) }, mgr);
  const ext = await hq.must(url, 'POST', '/ops/facilities', { name: '灭火器（一楼）', kind: 'fire_equipment', location: '一楼东侧', inspection_days: 30, start: day(-40) }, mgr);
  await hq.must(url, 'POST', `/ops/facilities/${ext.id}/log`, { type: 'inspection', date: day(-3), result: '压力正常' }, mgr);
  const inc = await hq.must(url, 'POST', '/ops/incidents', { plan: fire.id, title: '二楼配电间冒烟', severity: 'major', description: '保安巡查发现二楼配电间有烟雾' }, mgr);
  await hq.must(url, 'POST', `/ops/incidents/${inc.id}/arrive`, { name: '李主任', role: '大厅负责人' }, mgr);
  await hq.must(url, 'POST', `/ops/incidents/${inc.id}/note`, { text: '已切断二楼电源，消防队到场检查' }, mgr);
  await hq.must(url, 'POST', `/ops/incidents/${inc.id}/restore`, { note: '排查完毕，恢复正常' }, mgr);
  await hq.must(url, 'PUT', '/info', {
    licences: [{ name: '营业执照', name_en: 'Business licence', number: '91130000MA0000000X', issuer: '市场监督管理局', valid_until: '2030-12-31' }],
    prices: [{ item: '复印', item_en: 'Copy', price: '0.5 元', unit: '页', unit_en: 'page' }, { item: '证件照', item_en: 'ID photo', price: '10 元', unit: '张', unit_en: 'set' }],
    hours_note: '法定节假日休息', hours_note_en: 'Closed on public holidays',
  }, admin);
}

// The server of the plan page: a week of demo history. Returns {started: Promise<{url, stop,
// sessions}>}; the history is generated in the background.
export function demoServer(dir) {
  const db = path.join(dir, 'demo.db');
  const started = new Promise((resolve, reject) => {
    const p = spawn(hq.BIN, ['demo', '--db', db, '--history-days', '7', '--always-open'], { env: { ...process.env, HALLQ_ADMIN_PASSWORD: hq.ADMIN_PASSWORD }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`hallq demo exited with ${code}: ${err}`))));
  }).then(async () => {
    const server = await hq.serve(db);
    const manager1 = await signIn(server.url, 'manager1', 'demo1234');
    return { url: server.url, stop: () => server.stop(), sessions: { manager1 } };
  });
  started.catch(() => {}); // reported where it is awaited
  return { started };
}

async function shot(browser, base, pg, lang, staged, outDir) {
  const sess = pg.user ? staged.sessions[pg.user] : null;
  const T = [Date.now()];
  const mark = () => T.push(Date.now());
  const ctx = await browser.context(pg.viewport ? { viewport: pg.viewport } : {});
  mark();
  try {
    const page = await ctx.newPage();
    const settled = hq.tracker(page);
    await page.addInitScript(([l, s]) => {
      localStorage.setItem('hq.lang', l);
      if (s) {
        sessionStorage.setItem('hq.token', s.token);
        sessionStorage.setItem('hq.user', JSON.stringify(s.user));
      }
    }, [lang, sess]);
    let p = typeof pg.path === 'function' ? pg.path(staged) : pg.path;
    if (pg.device) p += `${p.includes('?') ? '&' : '?'}device=${staged.devices[pg.device]}`;
    await page.goto(base + p, { waitUntil: 'domcontentloaded' });
    mark();
    if (pg.ready) await page.locator(pg.ready).first().waitFor({ timeout: 15000 });
    await settled();
    mark();
    if (pg.prepare) {
      await pg.prepare(page);
      await settled();
    }
    mark();
    const file = path.join(outDir, `${pg.name}.${lang}.png`);
    await page.screenshot({ path: file, fullPage: !!pg.full, animations: 'disabled' });
    mark();
    if (process.env.HQ_SHOT_LOG) console.log(`  ${pg.name}.${lang} context/goto/ready/prepare/shot: ${T.slice(1).map((t, i) => t - T[i]).join('/')} ms`);
    return file;
  } finally {
    await ctx.close();
  }
}

// Shoot every page in zh and en; `servers` = {main: url, demo: {started}}.
// Shots at once: one per CPU (two at least) — more only makes each slower (measured on 2 CPUs:
// 2 at once 33 s in all, 4 at once 40 s); HQ_SHOT_PAR overrides.
export async function shoot(servers, outDir, staged, { parallel = Number(process.env.HQ_SHOT_PAR) || Math.min(4, Math.max(2, os.availableParallelism?.() ?? os.cpus().length)) } = {}) {
  fs.mkdirSync(outDir, { recursive: true });
  const browser = await hq.launch();
  const files = [];
  const jobs = (list) => list.flatMap((pg) => ['zh', 'en'].map((lang) => ({ pg, lang })));
  const run = async (list) => {
    let next = 0;
    const worker = async () => {
      while (next < list.length) {
        const { pg, lang } = list[next++];
        let base = servers.main;
        let st = staged;
        if (pg.demo) {
          const d = await servers.demo.started;
          base = d.url;
          st = { ...staged, sessions: d.sessions };
        }
        const t1 = Date.now();
        files.push(await shot(browser, base, pg, lang, st, outDir));
        if (process.env.HQ_SHOT_LOG) console.log(`  ${pg.name}.${lang}: ${Date.now() - t1} ms`);
      }
    };
    await Promise.all(Array.from({ length: parallel }, worker));
  };
  const t0 = Date.now();
  const log = (what) => process.env.HQ_SHOT_LOG && console.log(`${what}: ${Date.now() - t0} ms`);
  try {
    // The demo server comes last: its history is still being generated meanwhile.
    await run(jobs(PAGES.filter((p) => !p.mutates && !p.demo)));
    log('pages');
    await run(jobs(PAGES.filter((p) => p.demo)));
    log('plan');
    await run(jobs(PAGES.filter((p) => p.mutates)));
    log('kiosk tickets');
  } finally {
    await browser.done();
  }
  return { files, errors: browser.pageErrors };
}

// Run directly: fresh servers, staged, shot into OUT_DIR (default docs/screenshots).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = path.resolve(process.argv[2] || path.join(hq.SRC, 'docs/screenshots'));
  const dir = hq.tmpDir();
  const demo = demoServer(dir);
  const server = await hq.serve(hq.initDb(dir));
  try {
    const t0 = Date.now();
    const staged = await stage(server.url, dir);
    const { files, errors } = await shoot({ main: server.url, demo }, out, staged);
    console.log(`${files.length} screenshots in ${out} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    if (errors.length) console.log('page errors:\n' + errors.join('\n'));
  } finally {
    await server.stop();
    await demo.started.then((d) => d.stop()).catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
