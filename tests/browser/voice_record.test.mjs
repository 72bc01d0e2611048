// SPDX-License-Identifier: MIT
// voice_record.test.mjs — a voice pack recorded in the admin page from Chromium's fake audio
// device (--use-file-for-fake-audio-capture: a WAV of espeak-ng speech between silences, made
// here with espeak-ng and sox, played in a loop as the microphone). The admin records the words of
// "请 A012 号，到 3 号窗口办理" phrase by phrase (record, stop, play back, save; the page's
// data-state says where it is), the progress counts them, the pack is made active with the chime
// and two repetitions, and the announcement built from it is checked with sox: its length is the
// chime, the planned gaps and pauses and the saved clips' lengths (GET /voice/packs/{id} reports
// them), and sox's silence effect, splitting it at every silence of 0.4 s or more, finds none:
// no gap longer than planned. axe-core: 0 violations on the voice tab.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import * as hq from './helpers.mjs';
import { assertAccessible } from './a11y_axe.mjs';

let dir, server, ctx, admin;
// The recording page in the state "recorded" is shot to $HQ_SHOTS when set (docs/screenshots).
const shots = process.env.HQ_SHOTS;
const PHRASES = ['zh-qing', 'letter-A', 'zh-0', 'zh-1', 'zh-2', 'zh-hao', 'zh-dao', 'zh-3', 'zh-window'];

function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r;
}

before(async () => {
  dir = hq.tmpDir();
  // the microphone, played in a loop: "你好" by espeak-ng said four times without a break, then
  // 0.3 s of silence (48 kHz mono). Any 2 s recorded holds speech and at most one short silence
  // (never two words apart by a long one), so the announcement's only long gaps are planned ones.
  const said = path.join(dir, 'said.wav');
  run('espeak-ng', ['-v', 'cmn-latn-pinyin', '-w', said, '--', '你好']);
  const mic = path.join(dir, 'mic.wav');
  run('sox', [said, '-r', '48000', '-c', '1', '-b', '16', mic, 'silence', '1', '0.01', '0.5%', 'reverse', 'silence', '1', '0.01', '0.5%', 'reverse', 'repeat', '3', 'pad', '0.15', '0.15']);
  server = await hq.serve(hq.initDb(dir));
  admin = await hq.setupHall(server.url);
  const profile = hq.tmpDir('hq-chromium-');
  ctx = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.HQ_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [...hq.CHROMIUM_ARGS, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${mic}`],
    viewport: { width: 1280, height: 1000 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  ctx.profile = profile;
  ctx.pageErrors = [];
  ctx.on('page', (p) => p.on('pageerror', (e) => ctx.pageErrors.push(e.message)));
});

after(async () => {
  await ctx?.close();
  if (ctx?.profile) fs.rmSync(ctx.profile, { recursive: true, force: true });
  await server?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const stateOf = (page) => page.locator('#vp-rec').getAttribute('data-state');
async function waitState(page, want) {
  await hq.until(async () => (await stateOf(page)) === want, { what: `recorder state ${want}`, timeout: 30000 });
}

test('record a pack in the browser from the fake microphone; the announcement is checked with sox', async () => {
  const page = await ctx.newPage();
  await page.goto(server.url + '/admin');
  await hq.signIn(page, 'admin', hq.ADMIN_PASSWORD);
  await page.locator('[data-tab="voice"]').click();
  await page.locator('#tab-voice').waitFor();
  await page.locator('#vp-name').fill('测试播音员');
  await page.locator('#vp-new button[type=submit]').click();
  await page.locator('#vp-list button[data-phrase="zh-qing"]').waitFor();
  // a new pack starts at the first phrase, Chinese first
  assert.equal(await page.locator('#vp-say-text').textContent(), '请');
  assert.match(await page.locator('#vp-progress-text').textContent(), /已录 0 \/ 共 56 个短语/);
  await assertAccessible(page, 'voice tab, new pack');

  for (const [i, id] of PHRASES.entries()) {
    await page.locator(`#vp-list button[data-phrase="${id}"]`).click();
    await waitState(page, 'idle');
    await page.locator('#vp-record').click();
    await waitState(page, 'recording');
    // two seconds of the looping fake microphone (the recording's length, not a timing check)
    await page.waitForTimeout(2000);
    await page.locator('#vp-stop').click();
    await waitState(page, 'recorded');
    if (i === 0) await assertAccessible(page, 'voice tab, a phrase recorded');
    if (i === 1 && shots) await page.screenshot({ path: path.join(shots, 'admin-voice-recording.zh.png'), fullPage: true, animations: 'disabled' });
    await page.locator('#vp-play').click();
    await hq.until(async () => (await page.locator('#vp-audio').getAttribute('src'))?.startsWith('blob:'), { what: 'playback of the recording' });
    await page.locator('#vp-save').click();
    await waitState(page, 'saved');
    await hq.until(async () => (await page.locator(`#vp-list button[data-phrase="${id}"]`).getAttribute('data-recorded')) === 'true', { what: `${id} marked recorded` });
  }
  assert.match(await page.locator('#vp-progress-text').textContent(), /已录 9 \/ 共 56 个短语/);

  // the pack is active, with the chime and two repetitions
  const formReady = () => hq.until(async () => (await page.locator('#vp-settings').getAttribute('data-state')) === 'ready', { what: 'the settings form holds the server values' });
  await page.locator('[data-tab="services"]').click();
  await page.locator('[data-tab="voice"]').click();
  await formReady();
  assert.equal(await page.locator('#vp-active option').count(), 2, 'the machine voice and the pack');
  const packId = await page.locator('#vp-pack').inputValue();
  await page.locator('#vp-active').selectOption(packId);
  await page.locator('#vp-repeat').selectOption('2');
  await page.locator('#vp-chime').check();
  await page.locator('#vp-settings button[type=submit]').click();
  await hq.until(async () => /叫号设置已保存/.test((await page.locator('#vp-msg').textContent()) || ''), { what: 'settings saved' });
  await formReady();
  await assertAccessible(page, 'voice tab, settings saved');
  const v = await hq.must(server.url, 'GET', '/voice', undefined, admin);
  assert.equal(v.active, packId);
  assert.equal(v.repeat, 2);
  assert.equal(v.chime, true);

  // every saved clip is speech (about the 2 s recorded, less when it began or ended in silence)
  const pack = await hq.must(server.url, 'GET', `/voice/packs/${packId}`, undefined, admin);
  const ms = Object.fromEntries(pack.phrases.filter((p) => p.recorded).map((p) => [p.id, p.ms]));
  assert.deepEqual(Object.keys(ms).sort(), [...PHRASES].sort());
  for (const id of PHRASES) assert.ok(ms[id] > 200 && ms[id] < 7900, `${id}: ${ms[id]} ms`);

  // the announcement of A012 at window 3, English off (the pack has no English words)
  await hq.must(server.url, 'PUT', '/hall', { public_info: { voice: { english: false } } }, admin);
  const res = await fetch(`${server.url}/api/v1/voice/preview?number=A012&window=3`, { headers: { authorization: `Bearer ${admin}` } });
  assert.equal(res.status, 200);
  const wav = path.join(dir, 'announcement.wav');
  fs.writeFileSync(wav, Buffer.from(await res.arrayBuffer()));
  const stat = run('sox', [wav, '-n', 'stat']).stderr;
  const secs = Number(/Length \(seconds\):\s+([\d.]+)/.exec(stat)[1]);
  // 请 A 零 一 二 号 | 到 三 号窗口办理: 9 clips, 7 gaps of 20 ms, 150 ms at the comma
  const line = (PHRASES.reduce((s, id) => s + ms[id], 0) + 7 * 20 + 150) / 1000;
  const planned = 0.7 + 0.25 + 2 * line + 0.3;
  assert.ok(Math.abs(secs - planned) < 0.05, `length ${secs} s, planned ${planned.toFixed(3)} s`);
  assert.ok(Number(/RMS\s+amplitude:\s+([\d.]+)/.exec(stat)[1]) > 0.03, 'not silence');
  // cut at every silence (under 0.5 % of full scale) of at least `gap` s: the parts between
  const parts = (gap) => {
    const out = fs.mkdtempSync(path.join(dir, 'parts-'));
    run('sox', [wav, path.join(out, 'part.wav'), 'silence', '1', '0.01', '0.5%', '1', String(gap), '0.5%', ':', 'newfile', ':', 'restart']);
    return fs.readdirSync(out).filter((f) => fs.statSync(path.join(out, f)).size > 44).length;
  };
  // the longest planned silence is the 300 ms pause between the repetitions plus the 30 ms the
  // trim keeps around each clip: nothing is cut at 0.4 s; at 0.1 s the chime, the comma and the
  // repetition are found apart (the check can see gaps)
  assert.equal(parts(0.4), 1, 'no silence longer than 0.4 s');
  assert.ok(parts(0.1) >= 4, `gaps of 0.1 s found: ${parts(0.1)} parts`);
  assert.deepEqual(ctx.pageErrors, []);
});
