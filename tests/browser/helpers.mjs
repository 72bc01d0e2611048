// SPDX-License-Identifier: MIT
// helpers.mjs — what the browser tests share: start the real hallq (init, then serve on a free or
// given port, reading the URL it prints), call its API with an admin token to set up a small hall,
// and launch Debian's chromium through playwright-core with a fresh profile (never a downloaded
// browser). Env: HALLQ_BIN (the binary, default build/hallq), HQ_SRC (repo root), HQ_STATIC_DIR
// (serve web/ from disk instead of the built-in copy, for page development).

import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';

export const SRC = process.env.HQ_SRC || path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = process.env.HALLQ_BIN || path.join(SRC, 'build/hallq');
export const ADMIN_PASSWORD = 'admin-pw-Browser1';
export const PASSWORD = 'staff-pw-Browser1';
export const SANITIZED = process.env.HQ_SANITIZE === 'ON' || process.env.HQ_SANITIZE === '1';

export function tmpDir(prefix = 'hq-browser-') {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function initDb(dir) {
  const db = path.join(dir, 'h.db');
  execFileSync(BIN, ['init', '--db', db], { env: { ...process.env, HALLQ_ADMIN_PASSWORD: ADMIN_PASSWORD }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60000 });
  return db;
}

// Start `hallq serve`; resolves {url, port, proc, stop(), log()} once it prints its URL.
export function serve(db, { port = 0, timeoutMs = 30000 } = {}) {
  const args = ['serve', '--db', db, '--listen', `127.0.0.1:${port}`];
  if (process.env.HQ_STATIC_DIR) args.push('--static-dir', process.env.HQ_STATIC_DIR);
  const proc = spawn(BIN, args, { env: { ...process.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stderr.on('data', (d) => {
    err += d;
    if (err.length > 200000) err = err.slice(-100000);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`hallq serve did not print its URL within ${timeoutMs} ms\nstdout: ${out}\nstderr: ${err}`));
    }, timeoutMs);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`hallq serve exited with ${code}\nstdout: ${out}\nstderr: ${err}`));
    });
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /hallq: serving (http:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        proc.removeAllListeners('exit');
        const url = m[1].replace(/\/$/, '');
        const exited = new Promise((r) => proc.on('exit', (code, sig) => r({ code, sig })));
        resolve({
          url,
          port: Number(new URL(url).port),
          proc,
          log: () => err,
          async stop() {
            if (proc.exitCode !== null || proc.signalCode !== null) return exited;
            proc.kill('SIGTERM');
            const t = setTimeout(() => proc.kill('SIGKILL'), 15000);
            const r = await exited;
            clearTimeout(t);
            return r;
          },
        });
      }
    });
  });
}

export async function call(url, method, p, body, token) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(url + '/api/v1' + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

export async function must(url, method, p, body, token, expect = [200, 201]) {
  const r = await call(url, method, p, body, token);
  if (!expect.includes(r.status)) throw new Error(`${method} ${p} → ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
}

export async function login(url, username, password) {
  const r = await must(url, 'POST', '/auth/login', { username, password });
  return r.token;
}

// A small hall: services A and B, windows 1 (A,B) and 2 (B,A), a clerk for each window
// certified for both, a guide and a manager. Returns the admin token.
export async function setupHall(url) {
  const admin = await login(url, 'admin', ADMIN_PASSWORD);
  await must(url, 'PUT', '/hall', {
    name: '测试市民服务中心', name_en: 'Test Citizen Service Centre', hours: null,
    public_info: { complaints: { phone: '0311-12345', department: '大厅办公室', department_en: 'Hall office', procedure: '受理、调查、答复', procedure_en: 'Receive, investigate, answer', time_limits: '1 个工作日内受理，15 个工作日内答复', time_limits_en: 'Acknowledged in 1 working day, answered in 15' } },
  }, admin);
  await must(url, 'POST', '/services', { code: 'A', name: '社保业务', name_en: 'Social security', avg_service_s: 300, documents: ['身份证', '社保卡'], daily_quota: 0, enabled: true }, admin);
  await must(url, 'POST', '/services', { code: 'B', name: '税务业务', name_en: 'Tax', avg_service_s: 420, documents: ['身份证'], daily_quota: 0, enabled: true }, admin);
  await must(url, 'POST', '/services', { code: 'C', name: '公积金', name_en: 'Housing fund', avg_service_s: 300, documents: [], daily_quota: 0, enabled: false }, admin);
  await must(url, 'POST', '/windows', { number: 1, name: '1号窗口', services: ['A', 'B'] }, admin);
  await must(url, 'POST', '/windows', { number: 2, name: '2号窗口', services: ['B', 'A'] }, admin);
  const certs = [{ service: 'A', expires_on: '2099-12-31' }, { service: 'B', expires_on: '2099-12-31' }];
  await must(url, 'POST', '/staff', { username: 'clerk1', name: '王芳', role: 'clerk', password: PASSWORD, certifications: certs }, admin);
  await must(url, 'POST', '/staff', { username: 'clerk2', name: '李强', role: 'clerk', password: PASSWORD, certifications: certs }, admin);
  await must(url, 'POST', '/staff', { username: 'guide1', name: '张敏', role: 'guide', password: PASSWORD, certifications: [] }, admin);
  await must(url, 'POST', '/staff', { username: 'manager1', name: '刘洋', role: 'manager', password: PASSWORD, certifications: [] }, admin);
  return admin;
}

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--autoplay-policy=no-user-gesture-required'];

// A fresh Chromium profile each time. Returns the persistent context (close it to end).
export async function browser({ viewport = { width: 1280, height: 900 } } = {}) {
  const dir = tmpDir('hq-chromium-');
  const ctx = await chromium.launchPersistentContext(dir, {
    executablePath: process.env.HQ_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  const errors = [];
  ctx.on('page', (p) => watch(p, errors));
  for (const p of ctx.pages()) watch(p, errors);
  const close = ctx.close.bind(ctx);
  ctx.close = async () => {
    await close();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  ctx.pageErrors = errors;
  return ctx;
}

// One Chromium (not persistent) for many independent contexts: each context is a fresh profile
// of its own (storage, cookies, and its own six connections per server), cheap to open. Returns
// the Browser with .context(opts) → a BrowserContext whose pages' script errors land in
// .pageErrors, and .done() to close it.
export async function launch() {
  const b = await chromium.launch({ executablePath: process.env.HQ_CHROMIUM || '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  const errors = [];
  b.pageErrors = errors;
  b.context = async (opts = {}) => {
    const c = await b.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', ...opts });
    c.on('page', (p) => watch(p, errors));
    return c;
  };
  b.done = () => b.close();
  return b;
}

// The usual set-up of a test file, as node:test hooks: before its tests a fresh folder, a store made
// by `hallq init`, a server on it, the small hall of setupHall (unless hall: false; its admin token
// in .admin), a browser context (unless context: false; viewport as browser's) and, with launch: true, a Chromium for
// contexts of their own (.b); after them all of it closed and removed. Returns the object those
// fields are filled into ({dir, db, server, url, admin, ctx, b}); ready(h), when given, runs at the
// end of the set-up (a file copies the fields into its own variables there).
export function hallHooks(ready, { hall = true, context = true, viewport, launch: withLaunch = false } = {}) {
  const h = {};
  before(async () => {
    h.dir = tmpDir();
    h.db = initDb(h.dir);
    h.server = await serve(h.db);
    h.url = h.server.url;
    if (hall) h.admin = await setupHall(h.url);
    if (context) h.ctx = await browser(viewport ? { viewport } : {});
    if (withLaunch) h.b = await launch();
    await ready?.(h);
  });
  after(async () => {
    await h.ctx?.close();
    await h.b?.done();
    await h.server?.stop();
    if (h.dir) fs.rmSync(h.dir, { recursive: true, force: true });
  });
  return h;
}

// Resolve once the page has had no request in flight (the live stream aside) for quietMs and its
// fonts are loaded: the page has drawn what its API calls returned.
export function tracker(page) {
  let inflight = 0;
  let last = Date.now();
  const live = (r) => r.url().includes('/api/v1/events');
  page.on('request', (r) => {
    if (live(r)) return;
    inflight++;
    last = Date.now();
  });
  const done = (r) => {
    if (live(r)) return;
    inflight = Math.max(0, inflight - 1);
    last = Date.now();
  };
  page.on('requestfinished', done);
  page.on('requestfailed', done);
  return async function settled({ quietMs = 250, timeout = 10000 } = {}) {
    const end = Date.now() + timeout;
    for (;;) {
      if (inflight === 0 && Date.now() - last >= quietMs) break;
      if (Date.now() > end) break; // a page that never goes quiet is shot as it is
      await new Promise((r) => setTimeout(r, 50));
    }
    await page.evaluate(() => document.fonts.ready.then(() => true)).catch(() => {});
  };
}

function watch(page, errors) {
  page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource|EventSource|ERR_CONNECTION_REFUSED|net::/.test(m.text())) errors.push(`${page.url()}: console: ${m.text()}`);
  });
}

// Sign a staff page in through its own form.
export async function signIn(page, username, password) {
  await page.locator('#login-user').fill(username);
  await page.locator('#login-pass').fill(password);
  await page.locator('#login-submit').click();
  await page.locator('#login').waitFor({ state: 'detached' });
}

// Poll fn until it returns a truthy value.
export async function until(fn, { timeout = 15000, interval = 100, what = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} (last: ${last})`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Day d ('mon' …) of the weekly hours grid under root (web/js/hours_grid.js) gets the ranges
 * [[from, to], …]: rows added with its + button or removed with its delete button, then filled. */
export async function setHoursDay(page, root, d, ranges) {
  const row = page.locator(`${root} tr[data-day="${d}"]`);
  while ((await row.locator('.hg-range').count()) > ranges.length) await row.locator('.hg-del').last().click();
  for (let n = 0; (await row.locator('.hg-range').count()) < ranges.length; n++) {
    assert.ok(n < 8, 'the + button adds a range');
    await row.locator('.hg-add').click();
  }
  for (let i = 0; i < ranges.length; i++) {
    await row.locator('.hg-from').nth(i).fill(ranges[i][0]);
    await row.locator('.hg-to').nth(i).fill(ranges[i][1]);
  }
}
