// SPDX-License-Identifier: MIT
// voice_packs.test.mjs — voice packs over HTTP (docs/MEDIA.md "Voice packs"): an admin creates a
// pack and uploads WAV clips (made here with sox: tones and espeak-ng speech at other rates and
// in stereo), which the server converts to 22,050 Hz mono, trims and normalises; a file that is
// not a RIFF/WAVE 16-bit PCM clip of sane rate and length is a clear 400 that stores nothing;
// activating the pack makes the next call announcement use its words (counted: the 7 distinct
// words of "请 A012 号，到 1 号窗口办理" from the pack, the missing letter A from espeak-ng), with the
// chime first and the repeat count applied (lengths checked with sox); export gives every clip back;
// deleting the active pack falls back to espeak-ng.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hall, api, issue, act, SANITIZE } from './lib/server.mjs';
import { getBytes, parseWav, sanitizerEnv } from './lib/media_helpers.mjs';

const env = SANITIZE ? sanitizerEnv() : {};
const { srv, tokens } = await hall(after, { env });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hq-voicepack-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function run(cmd, args) {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
    return r;
}
/** A WAV made by sox: `sox -n -r rate -c ch -b 16 file synth …` plus padding with silence. */
function tone(name, { rate = 48000, ch = 1, secs = 0.3, freq = 440, pad = 0.4 } = {}) {
    const f = path.join(tmp, name);
    run('sox', ['-n', '-r', String(rate), '-c', String(ch), '-b', '16', f, 'synth', String(secs), 'sine', String(freq), 'vol', '0.3', 'pad', String(pad), String(pad)]);
    return fs.readFileSync(f);
}
/** sox's length (s) of a WAV. */
function soxLength(buf) {
    const f = path.join(tmp, `len-${Math.random().toString(36).slice(2)}.wav`);
    fs.writeFileSync(f, buf);
    const r = run('sox', [f, '-n', 'stat']);
    return Number(/Length \(seconds\):\s+([\d.]+)/.exec(r.stderr)[1]);
}
/** The longest stretch of silence inside a WAV (s), by sox's silence effect on each side. */
function longestGap(buf) {
    const w = parseWav(buf);
    const win = Math.round(w.rate * 0.01);
    let longest = 0;
    let run0 = 0;
    let started = false;
    for (let i = 0; i + win <= w.pcm.length / 2; i += win) {
        let sum = 0;
        for (let k = i; k < i + win; k++) sum += w.pcm.readInt16LE(k * 2) ** 2;
        const quiet = Math.sqrt(sum / win) < 100;
        if (!quiet) {
            if (started) longest = Math.max(longest, run0);
            started = true;
            run0 = 0;
        } else run0 += 0.01;
    }
    return longest;
}
async function putClip(pack, phrase, body, type = 'audio/wav') {
    return api(srv, 'PUT', `/voice/packs/${pack}/clips/${phrase}`, body, { token: tokens.admin, headers: { 'content-type': type } });
}

describe('voice packs', () => {
    let pack;
    test('GET /voice lists the phrases, Chinese first, and no pack is active', async () => {
        const r = await api(srv, 'GET', '/voice', undefined, { token: tokens.admin });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.active, null);
        assert.equal(r.json.rate, 22050);
        assert.equal(r.json.phrases[0].lang, 'zh');
        const ids = r.json.phrases.map((p) => p.id);
        for (const id of ['zh-qing', 'zh-hao', 'zh-dao', 'zh-window', 'zh-0', 'zh-9', 'letter-A', 'en-number', 'en-window', 'en-9']) assert.ok(ids.includes(id), id);
        const texts = r.json.phrases.map((p) => p.text);
        assert.ok(texts.includes('号窗口办理') && texts.includes('please go to window'));
    });
    test('only an admin may touch packs', async () => {
        const r = await api(srv, 'GET', '/voice', undefined, { token: tokens.clerk1 });
        assert.equal(r.status, 403);
        const r2 = await api(srv, 'POST', '/voice/packs', { name: 'x' });
        assert.equal(r2.status, 401);
    });
    test('create a pack', async () => {
        const r = await api(srv, 'POST', '/voice/packs', { name: '王老师' }, { token: tokens.admin });
        assert.equal(r.status, 201, r.text);
        assert.equal(r.json.recorded, 0);
        assert.equal(r.json.total, r.json.phrases.length);
        pack = r.json.id;
        const bad = await api(srv, 'POST', '/voice/packs', { name: '' }, { token: tokens.admin });
        assert.equal(bad.status, 400);
    });
    test('a clip is converted to 22,050 Hz mono, trimmed of its silence and normalised', async () => {
        // 0.3 s of a quiet 48 kHz stereo tone between 0.4 s of silence each side
        const r = await putClip(pack, 'zh-qing', tone('q.wav', { ch: 2, freq: 500 }));
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.rate, 22050);
        assert.ok(r.json.ms >= 300 && r.json.ms <= 380, `trimmed to ${r.json.ms} ms`);
        assert.equal(r.json.recorded, 1);
        const g = await getBytes(srv, `/voice/packs/${pack}/clips/zh-qing`, { authorization: `Bearer ${tokens.admin}` });
        assert.equal(g.status, 200);
        const w = parseWav(g.body);
        assert.equal(w.rate, 22050);
        assert.equal(w.channels, 1);
        // vol 0.3 sine: RMS ~6950 in, brought to ~3300 (-20 dBFS) within the peak limit
        assert.ok(w.rms > 2500 && w.rms < 4200, `normalised RMS ${w.rms}`);
        assert.ok(Math.abs(soxLength(g.body) - r.json.ms / 1000) < 0.01);
    });
    test('a bad WAV is refused with a clear 400 and nothing is stored', async () => {
        const good = tone('g.wav');
        const pcm8 = Buffer.from(good);
        pcm8.writeUInt16LE(8, 34); // 8 bits per sample
        const float = Buffer.from(good);
        float.writeUInt16LE(3, 20); // IEEE float
        const fast = Buffer.from(good);
        fast.writeUInt32LE(96000, 24); // 96 kHz
        const long = tone('long.wav', { secs: 9, pad: 0 });
        const silent = Buffer.from(good);
        silent.fill(0, 44);
        for (const [what, body, re] of [
            ['text', Buffer.from('hello, not audio at all'), /RIFF\/WAVE/],
            ['empty', Buffer.alloc(0), /WAV/],
            ['8-bit', pcm8, /16-bit PCM/],
            ['float', float, /16-bit PCM/],
            ['96 kHz', fast, /8000\.\.48000/],
            ['9 s', long, /ms long/],
            ['silence', silent, /no speech/],
            ['truncated', good.subarray(0, 30), /RIFF\/WAVE/],
        ]) {
            const r = await putClip(pack, 'zh-hao', body);
            assert.equal(r.status, 400, `${what}: ${r.status} ${r.text}`);
            assert.equal(r.json.error.code, 'invalid_field');
            assert.match(r.json.error.message, re, what);
        }
        const p = await api(srv, 'GET', `/voice/packs/${pack}`, undefined, { token: tokens.admin });
        assert.equal(p.json.recorded, 1, 'nothing stored');
        assert.equal(p.json.phrases.find((x) => x.id === 'zh-hao').recorded, false);
        const unknown = await putClip(pack, 'zh-nope', good);
        assert.equal(unknown.status, 404);
        const noPack = await putClip('0123456789abcdef', 'zh-hao', good);
        assert.equal(noPack.status, 404);
    });
    test('activated, the next announcement uses the pack and espeak-ng only for what it lacks', async () => {
        // every Chinese word of 请 A012 号，到 1 号窗口办理 but the letter A, as 0.3 s tones
        const words = ['zh-qing', 'zh-hao', 'zh-dao', 'zh-window', 'zh-0', 'zh-1', 'zh-2', 'zh-3'];
        for (const [i, id] of words.entries()) {
            const r = await putClip(pack, id, tone(`${id}.wav`, { rate: 16000, freq: 300 + 50 * i }));
            assert.equal(r.status, 200, `${id}: ${r.text}`);
        }
        const h = await api(srv, 'PUT', '/hall', { public_info: { voice: { english: false } } }, { token: tokens.admin });
        assert.equal(h.status, 200, h.text);
        const before = (await api(srv, 'GET', '/voice', undefined, { token: tokens.admin })).json.words;
        const s = await api(srv, 'PUT', '/voice', { active: pack, repeat: 1, chime: true }, { token: tokens.admin });
        assert.equal(s.status, 200, s.text);
        assert.equal(s.json.active, pack);
        assert.ok(s.json.packs.find((p) => p.id === pack).active);

        await act(srv, 1, 'open', tokens.clerk1);
        let t;
        do t = await issue(srv, { service: 'A' });
        while (t.number !== 'A012' && Number(t.number.slice(1)) < 12);
        assert.equal(t.number, 'A012', 'numbers run A001, A002 …');
        // call until A012 is called to window 1
        for (;;) {
            const called = await act(srv, 1, 'call-next', tokens.clerk1);
            if (called.ticket.number === 'A012') break;
            await act(srv, 1, 'no-show', tokens.clerk1);
        }
        const g = await getBytes(srv, `/announcements?number=A012&window=1`);
        assert.equal(g.status, 200, g.text.slice(0, 300));
        const after = (await api(srv, 'GET', '/voice', undefined, { token: tokens.admin })).json.words;
        assert.deepEqual([after.from_pack - before.from_pack, after.from_espeak - before.from_espeak], [7, 1], 'seven distinct words from the pack (一 twice), the letter A from espeak-ng');
        assert.equal(after.from_espeak - before.from_espeak, 1, 'the letter A from espeak-ng');
        // chime 0.70 s + 0.25 s, 8 tones (请 零 一 二 号 到 一 号窗口办理) of 0.30 s (+ up to 2 x 30 ms kept by the trim each),
        // the letter (~0.2-0.6 s), 20 ms gaps and one 150 ms pause at "，"
        const secs = soxLength(g.body);
        assert.ok(secs > 0.95 + 8 * 0.3 + 0.15 && secs < 0.95 + 8 * 0.36 + 0.8 + 0.15 + 0.2, `length ${secs} s`);
        // no silence inside longer than planned: the 250 ms after the chime (plus the trim's margins)
        assert.ok(longestGap(g.body) <= 0.33, `longest gap ${longestGap(g.body)} s`);
    });
    test('repeat 2 says it twice (twice the speech, one chime, a 300 ms pause between)', async () => {
        const one = await getBytes(srv, `/voice/preview?number=A012&window=1`, { authorization: `Bearer ${tokens.admin}` });
        assert.equal(one.status, 200, one.text.slice(0, 200));
        const s = await api(srv, 'PUT', '/voice', { repeat: 2 }, { token: tokens.admin });
        assert.equal(s.json.repeat, 2);
        assert.equal(s.json.active, pack, 'the active pack stays');
        const two = await getBytes(srv, `/voice/preview?number=A012&window=1`, { authorization: `Bearer ${tokens.admin}` });
        const a = soxLength(one.body), b = soxLength(two.body);
        const speech = a - 0.95;
        assert.ok(Math.abs(b - (0.95 + 2 * speech + 0.3)) < 0.01, `${a} s once, ${b} s twice`);
        const bad = await api(srv, 'PUT', '/voice', { repeat: 4 }, { token: tokens.admin });
        assert.equal(bad.status, 400);
        assert.equal(bad.json.error.field, 'repeat');
        const badPack = await api(srv, 'PUT', '/voice', { active: 'ffffffffffffffff' }, { token: tokens.admin });
        assert.equal(badPack.status, 400);
        assert.equal(badPack.json.error.field, 'active');
        await api(srv, 'PUT', '/voice', { repeat: 1 }, { token: tokens.admin });
    });
    test('export gives every clip back; a deleted clip is said by espeak-ng again', async () => {
        const e = await api(srv, 'GET', `/voice/packs/${pack}/export`, undefined, { token: tokens.admin });
        assert.equal(e.status, 200);
        assert.equal(e.json.format, 'hallq-voice-pack-1');
        assert.equal(Object.keys(e.json.clips).length, 8);
        const w = parseWav(Buffer.from(e.json.clips['zh-qing'], 'base64'));
        assert.equal(w.rate, 22050);
        const d = await api(srv, 'DELETE', `/voice/packs/${pack}/clips/zh-qing`, undefined, { token: tokens.admin });
        assert.equal(d.status, 200, d.text);
        const before = (await api(srv, 'GET', '/voice', undefined, { token: tokens.admin })).json.words;
        await getBytes(srv, `/voice/preview?number=A013&window=1`, { authorization: `Bearer ${tokens.admin}` });
        const after = (await api(srv, 'GET', '/voice', undefined, { token: tokens.admin })).json.words;
        assert.ok(after.from_espeak - before.from_espeak >= 2, '请 and A from espeak-ng');
    });
    test('deleting the active pack falls back to espeak-ng only', async () => {
        const d = await api(srv, 'DELETE', `/voice/packs/${pack}`, undefined, { token: tokens.admin });
        assert.equal(d.status, 200);
        const s = await api(srv, 'GET', '/voice', undefined, { token: tokens.admin });
        assert.equal(s.json.active, null);
        assert.equal(s.json.packs.length, 0);
        const before = s.json.words;
        const g = await getBytes(srv, `/voice/preview?number=A012&window=1`, { authorization: `Bearer ${tokens.admin}` });
        assert.equal(g.status, 200);
        const after = (await api(srv, 'GET', '/voice', undefined, { token: tokens.admin })).json.words;
        assert.equal(after.from_pack, before.from_pack, 'no word from a pack');
        const gone = await api(srv, 'GET', `/voice/packs/${pack}`, undefined, { token: tokens.admin });
        assert.equal(gone.status, 404);
    });
});
