// SPDX-License-Identifier: MIT
// admin_voice.js — the admin page's 叫号语音 tab (docs/MEDIA.md "Voice packs"): record a hall's own
// announcer in the browser, phrase by phrase, Chinese first. For each phrase it shows what to say,
// records with getUserMedia + MediaRecorder, decodes the recording (WebAudio), trims leading and
// trailing silence, plays it back, and saves it as a 16-bit PCM WAV (PUT
// /voice/packs/{id}/clips/{phrase}; the server checks it, converts it to 22,050 Hz mono and evens
// out its loudness). Progress N of M; a phrase list to jump to any phrase. The voice settings: the
// active pack (one per hall, or espeak-ng only), repeat 1-3, the chime, and a preview of a call.
// Export downloads a pack as one JSON file; import reads such a file and uploads it clip by clip.
// The recorder's state is in #vp-rec's data-state (idle, recording, recorded, saving, saved,
// error) for people and tests alike; the settings form's in #vp-settings's data-state (loading
// while the server's values are read or saved, ready when the form holds them).

import * as api from './api.js';
import * as i18n from './i18n.js';
import { h, $, replace, showMsg, errText } from './ui.js';

i18n.add({
  'vp.tab': ['叫号语音', 'Call voice'],
  'vp.title': ['叫号语音包', 'Voice packs'],
  'vp.help': ['请本厅播音员逐句录音，约十分钟即可用自己的声音叫号。缺少的短语由机器语音补足。', "Have your hall's announcer record each phrase: in about ten minutes calls are said in your own voice. Phrases not recorded are said by the machine voice."],
  'vp.settings': ['叫号设置', 'Call settings'],
  'vp.active': ['使用的语音', 'Voice used'],
  'vp.machine': ['机器语音（espeak-ng）', 'Machine voice (espeak-ng)'],
  'vp.repeat': ['重复次数', 'Times said'],
  'vp.chime': ['叫号前提示音', 'Chime before a call'],
  'vp.save_settings': ['保存设置', 'Save settings'],
  'vp.saved_settings': ['叫号设置已保存', 'Call settings saved'],
  'vp.preview': ['试听叫号', 'Hear a call'],
  'vp.voice_off': ['本服务器未开启语音（--voice off），录音仍可保存。', 'This server runs without voice (--voice off); recordings can still be saved.'],
  'vp.packs': ['录制语音包', 'Record a pack'],
  'vp.pack': ['语音包', 'Pack'],
  'vp.none': ['（还没有语音包）', '(no pack yet)'],
  'vp.new_name': ['新语音包名称', 'New pack name'],
  'vp.create': ['新建', 'Create'],
  'vp.export': ['导出', 'Export'],
  'vp.import': ['导入语音包文件', 'Import a pack file'],
  'vp.delete': ['删除语音包', 'Delete pack'],
  'vp.confirm_delete': ['确定删除语音包“{name}”及其全部录音？', 'Delete the pack "{name}" and all its recordings?'],
  'vp.progress': ['已录 {n} / 共 {m} 个短语', '{n} of {m} phrases recorded'],
  'vp.say': ['请读：', 'Say:'],
  'vp.lang.zh': ['中文', 'Chinese'],
  'vp.lang.en': ['英文', 'English'],
  'vp.lang.letter': ['字母（按英文字母读）', 'Letter (say its name)'],
  'vp.record': ['录音', 'Record'],
  'vp.stop': ['停止', 'Stop'],
  'vp.play': ['试听', 'Play'],
  'vp.save': ['保存', 'Save'],
  'vp.prev': ['上一个', 'Previous'],
  'vp.next': ['下一个', 'Next'],
  'vp.state.idle': ['准备录音', 'Ready to record'],
  'vp.state.recording': ['正在录音…说完请按“停止”', 'Recording… press Stop when done'],
  'vp.state.recorded': ['已录好 {ms} 毫秒（已去掉首尾静音）：试听后保存', 'Recorded {ms} ms (silence trimmed): play it, then save'],
  'vp.state.saving': ['正在保存…', 'Saving…'],
  'vp.state.saved': ['已保存（{ms} 毫秒）', 'Saved ({ms} ms)'],
  'vp.state.error': ['出错了', 'Something went wrong'],
  'vp.no_sound': ['没有录到声音，请靠近话筒再录一次', 'No sound was recorded: come closer to the microphone and try again'],
  'vp.no_mic': ['无法使用话筒：{why}', 'Cannot use the microphone: {why}'],
  'vp.recorded_mark': ['已录', 'recorded'],
  'vp.phrases': ['全部短语', 'All phrases'],
  'vp.imported': ['已导入 {n} 个短语', 'Imported {n} phrases'],
  'vp.bad_file': ['不是语音包文件', 'Not a voice pack file'],
});

// ---- pure helpers (no DOM) ----

/** [from, to) of samples that are not leading/trailing silence: 10 ms windows quieter than 8 % of
 * the loudest window (and than 0.5 % of full scale), 30 ms kept around the sound. */
export function trimBounds(samples, rate) {
  const win = Math.max(1, Math.round(rate * 0.01));
  const n = samples.length;
  const rms = [];
  let loudest = 0;
  for (let a = 0; a < n; a += win) {
    let sum = 0;
    const e = Math.min(n, a + win);
    for (let i = a; i < e; i++) sum += samples[i] * samples[i];
    const r = Math.sqrt(sum / (e - a));
    rms.push(r);
    loudest = Math.max(loudest, r);
  }
  const thr = Math.max(loudest * 0.08, 0.005);
  const first = rms.findIndex((r) => r >= thr);
  if (first < 0) return [0, 0];
  let last = rms.length - 1;
  while (rms[last] < thr) last--;
  const keep = Math.round(rate * 0.03);
  return [Math.max(0, first * win - keep), Math.min(n, (last + 1) * win + keep)];
}

/** A mono 16-bit PCM WAV (ArrayBuffer) of float samples in [-1, 1]. */
export function encodeWav(samples, rate) {
  const buf = new ArrayBuffer(44 + samples.length * 2);
  const v = new DataView(buf);
  const str = (o, s) => [...s].forEach((c, i) => v.setUint8(o + i, c.charCodeAt(0)));
  str(0, 'RIFF');
  v.setUint32(4, 36 + samples.length * 2, true);
  str(8, 'WAVEfmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, 1, true);
  v.setUint32(24, rate, true);
  v.setUint32(28, rate * 2, true);
  v.setUint16(32, 2, true);
  v.setUint16(34, 16, true);
  str(36, 'data');
  v.setUint32(40, samples.length * 2, true);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i]));
    v.setInt16(44 + i * 2, Math.round(s < 0 ? s * 32768 : s * 32767), true);
  }
  return buf;
}

// ---- the page ----

const st = { voice: null, pack: null, idx: 0, rec: null, clip: null, url: null, audio: null };
const msg = (t, k) => showMsg($('#vp-msg'), t, k);

function state(s, vars = {}) {
  const box = $('#vp-rec');
  box.dataset.state = s;
  $('#vp-state').textContent = i18n.t('vp.state.' + s, vars);
  const recording = s === 'recording';
  $('#vp-record').disabled = recording || s === 'saving' || !st.pack;
  $('#vp-stop').disabled = !recording;
  $('#vp-play').disabled = recording || !(st.clip || current()?.recorded);
  $('#vp-save').disabled = s !== 'recorded';
  $('#vp-prev').disabled = recording || st.idx === 0;
  $('#vp-next').disabled = recording || !st.pack || st.idx >= st.pack.phrases.length - 1;
}

const current = () => st.pack?.phrases[st.idx];

async function authFetch(method, path, body, type) {
  const headers = {};
  const tok = api.token();
  if (tok) headers.Authorization = `Bearer ${tok}`;
  if (type) headers['Content-Type'] = type;
  const res = await fetch('/api/v1' + path, { method, headers, body, credentials: 'same-origin', cache: 'no-store' });
  if (!res.ok) {
    let err = {};
    try {
      err = (await res.json()).error || {};
    } catch {
      err = {};
    }
    throw new api.ApiError(res.status, err.code || `http_${res.status}`, err.message || '', err.field, err);
  }
  return res;
}

function drawSettings() {
  const v = st.voice;
  if (!v) return;
  const sel = $('#vp-active');
  const count = (p) => (i18n.lang() === 'zh' ? `（${p.recorded}/${p.total}）` : ` (${p.recorded}/${p.total})`);
  replace(sel, h('option', { value: '' }, i18n.t('vp.machine')), ...v.packs.map((p) => h('option', { value: p.id }, p.name + count(p))));
  sel.value = v.active || '';
  $('#vp-repeat').value = String(v.repeat);
  $('#vp-chime').checked = !!v.chime;
  $('#vp-off').hidden = v.voice_on;
  $('#vp-preview').disabled = !v.voice_on;
  const ps = $('#vp-pack');
  replace(ps, ...(v.packs.length ? v.packs.map((p) => h('option', { value: p.id }, p.name)) : [h('option', { value: '' }, i18n.t('vp.none'))]));
  if (st.pack && v.packs.some((p) => p.id === st.pack.id)) ps.value = st.pack.id;
  $('#vp-export').disabled = $('#vp-delete').disabled = !v.packs.length;
}

function drawPack() {
  const p = st.pack;
  const m = p ? p.phrases.length : 0;
  const n = p ? p.phrases.filter((x) => x.recorded).length : 0;
  $('#vp-progress-text').textContent = i18n.t('vp.progress', { n, m });
  $('#vp-progress').max = m || 1;
  $('#vp-progress').value = n;
  const ph = current();
  $('#vp-say-lang').textContent = ph ? i18n.t('vp.lang.' + ph.lang) : '';
  $('#vp-say-text').textContent = ph ? ph.text : '';
  $('#vp-say-text').lang = ph?.lang === 'zh' ? 'zh-CN' : 'en';
  $('#vp-say-count').textContent = ph ? `${st.idx + 1} / ${m}` : '';
  $('#vp-audio').setAttribute('aria-label', i18n.t('vp.play'));
  replace(
    $('#vp-list'),
    ...(p ? p.phrases : []).map((x, i) =>
      h(
        'li',
        null,
        h(
          'button',
          { class: 'btn small' + (i === st.idx ? ' primary' : ''), type: 'button', 'aria-current': i === st.idx ? 'true' : null, dataset: { phrase: x.id, recorded: String(x.recorded) }, onclick: () => go(i) },
          x.text,
          x.recorded ? h('span', { class: 'vp-done', 'aria-label': i18n.t('vp.recorded_mark') }, ' ✓') : null,
        ),
      ),
    ),
  );
}

function forgetClip() {
  if (st.url) URL.revokeObjectURL(st.url);
  st.url = null;
  st.clip = null;
}

function go(i) {
  if (!st.pack || st.rec) return;
  st.idx = Math.max(0, Math.min(st.pack.phrases.length - 1, i));
  forgetClip();
  drawPack();
  const ph = current();
  state(ph?.recorded ? 'saved' : 'idle', { ms: ph?.ms ?? 0 });
}

const formState = (s) => ($('#vp-settings').dataset.state = s);

async function loadVoice() {
  formState('loading');
  try {
    st.voice = await api.get('/voice');
    drawSettings();
    formState('ready');
    const id = $('#vp-pack').value;
    if (id) await loadPack(id, st.pack?.id === id);
    else {
      st.pack = null;
      drawPack();
      state('idle');
    }
  } catch (e) {
    msg(errText(e));
  }
}

async function loadPack(id, keepPlace) {
  st.pack = await api.get(`/voice/packs/${id}`);
  if (!keepPlace) {
    const next = st.pack.phrases.findIndex((x) => !x.recorded);
    st.idx = next < 0 ? 0 : next;
  }
  go(st.idx);
}

async function record() {
  msg('');
  forgetClip();
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: true } });
  } catch (e) {
    state('error');
    return msg(i18n.t('vp.no_mic', { why: e?.message || String(e) }));
  }
  const chunks = [];
  const mr = new MediaRecorder(stream);
  st.rec = mr;
  mr.ondataavailable = (e) => e.data.size && chunks.push(e.data);
  mr.onstop = async () => {
    stream.getTracks().forEach((t) => t.stop());
    st.rec = null;
    try {
      const ctx = new AudioContext();
      const audio = await ctx.decodeAudioData(await new Blob(chunks, { type: mr.mimeType }).arrayBuffer());
      ctx.close();
      const ch0 = audio.getChannelData(0);
      const [a, b] = trimBounds(ch0, audio.sampleRate);
      if (b - a < audio.sampleRate * 0.1) {
        state('error');
        return msg(i18n.t('vp.no_sound'));
      }
      // at most 8 s are accepted by the server
      const samples = ch0.slice(a, Math.min(b, a + audio.sampleRate * 7.9));
      st.clip = new Blob([encodeWav(samples, audio.sampleRate)], { type: 'audio/wav' });
      st.url = URL.createObjectURL(st.clip);
      state('recorded', { ms: Math.round((samples.length / audio.sampleRate) * 1000) });
    } catch (e) {
      state('error');
      msg(errText(e) || String(e));
    }
  };
  mr.start();
  state('recording');
}

function stop() {
  if (st.rec && st.rec.state !== 'inactive') st.rec.stop();
}

async function play() {
  try {
    let url = st.url;
    if (!url) {
      const res = await authFetch('GET', `/voice/packs/${st.pack.id}/clips/${current().id}`);
      st.url = url = URL.createObjectURL(await res.blob());
    }
    const a = $('#vp-audio');
    a.src = url;
    await a.play();
  } catch (e) {
    msg(errText(e) || String(e));
  }
}

async function save() {
  if (!st.clip) return;
  state('saving');
  try {
    const res = await authFetch('PUT', `/voice/packs/${st.pack.id}/clips/${current().id}`, st.clip, 'audio/wav');
    const out = await res.json();
    const ph = current();
    ph.recorded = true;
    ph.ms = out.ms;
    forgetClip();
    drawPack();
    state('saved', { ms: out.ms });
    const v = st.voice?.packs.find((p) => p.id === st.pack.id);
    if (v) v.recorded = out.recorded;
  } catch (e) {
    state('recorded', { ms: 0 });
    msg(errText(e));
  }
}

async function createPack(e) {
  e.preventDefault();
  const name = $('#vp-name').value.trim();
  try {
    const p = await api.post('/voice/packs', { name });
    $('#vp-name').value = '';
    st.pack = p;
    st.voice = await api.get('/voice');
    drawSettings();
    $('#vp-pack').value = p.id;
    await loadPack(p.id, false);
    msg('');
  } catch (err) {
    msg(errText(err));
    $('#vp-name').focus();
  }
}

async function saveSettings(e) {
  e.preventDefault();
  formState('loading');
  try {
    st.voice = await api.put('/voice', { active: $('#vp-active').value || null, repeat: Number($('#vp-repeat').value), chime: $('#vp-chime').checked });
    drawSettings();
    msg(i18n.t('vp.saved_settings'), 'ok');
  } catch (err) {
    msg(errText(err));
  }
  formState('ready');
}

async function preview() {
  try {
    const res = await authFetch('GET', '/voice/preview?number=A012&window=3');
    const a = $('#vp-audio');
    if (st.previewUrl) URL.revokeObjectURL(st.previewUrl);
    st.previewUrl = URL.createObjectURL(await res.blob());
    a.src = st.previewUrl;
    await a.play();
  } catch (err) {
    msg(errText(err) || String(err));
  }
}

async function exportPack() {
  try {
    const data = await api.get(`/voice/packs/${$('#vp-pack').value}/export`);
    const url = URL.createObjectURL(new Blob([JSON.stringify(data)], { type: 'application/json' }));
    const a = h('a', { href: url, download: `voice-pack-${data.name}.json` });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  } catch (err) {
    msg(errText(err));
  }
}

async function importPack(e) {
  const file = e.target.files?.[0];
  e.target.value = '';
  if (!file) return;
  try {
    const data = JSON.parse(await file.text());
    if (data?.format !== 'hallq-voice-pack-1' || typeof data.clips !== 'object') throw new Error(i18n.t('vp.bad_file'));
    const p = await api.post('/voice/packs', { name: String(data.name || file.name).slice(0, 40) });
    let n = 0;
    for (const [id, b64] of Object.entries(data.clips)) {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      await authFetch('PUT', `/voice/packs/${p.id}/clips/${encodeURIComponent(id)}`, new Blob([bytes], { type: 'audio/wav' }), 'audio/wav');
      n++;
    }
    st.voice = await api.get('/voice');
    drawSettings();
    $('#vp-pack').value = p.id;
    await loadPack(p.id, false);
    msg(i18n.t('vp.imported', { n }), 'ok');
  } catch (err) {
    msg(errText(err) || err.message);
  }
}

async function deletePack() {
  const v = st.voice?.packs.find((p) => p.id === $('#vp-pack').value);
  if (!v || !window.confirm(i18n.t('vp.confirm_delete', { name: v.name }))) return;
  try {
    await api.del(`/voice/packs/${v.id}`);
    st.pack = null;
    await loadVoice();
  } catch (err) {
    msg(errText(err));
  }
}

i18n.apply($('#tab-voice'));
i18n.apply(document.querySelector('.tabs'));
$('#vp-settings').addEventListener('submit', saveSettings);
$('#vp-new').addEventListener('submit', createPack);
$('#vp-pack').addEventListener('change', () => loadPack($('#vp-pack').value, false).catch((e) => msg(errText(e))));
$('#vp-preview').addEventListener('click', preview);
$('#vp-export').addEventListener('click', exportPack);
$('#vp-import').addEventListener('change', importPack);
$('#vp-delete').addEventListener('click', deletePack);
$('#vp-record').addEventListener('click', record);
$('#vp-stop').addEventListener('click', stop);
$('#vp-play').addEventListener('click', play);
$('#vp-save').addEventListener('click', save);
$('#vp-prev').addEventListener('click', () => go(st.idx - 1));
$('#vp-next').addEventListener('click', () => go(st.idx + 1));
$('[data-tab="voice"]').addEventListener('click', loadVoice);
i18n.onChange(() => {
  drawSettings();
  drawPack();
  state($('#vp-rec').dataset.state || 'idle', { ms: current()?.ms ?? 0 });
});
state('idle');
