// SPDX-License-Identifier: MIT
// voice.js — call announcements: Mandarin first, then English (when the hall has English on:
// GET /hall public_info.voice.english, default on). First choice is the server's audio
// (GET /api/v1/announcements?number=&window= → a short WAV assembled from cached phrase clips, both
// lines in one file); when it is not available (404, not rendered in time, no audio output,
// autoplay refused) the browser's speech synthesis says the same lines.
//
// Keeping up with calls: announce() only queues and returns, so the display flashes the call at
// once whatever the voice does. While one announcement plays, the calls that arrive queue; when it
// ends, every queued call is said as ONE announcement (their audio back to back, the texts joined),
// so in a burst of 12 windows the last is heard one announcement later, not eleven. A queued call
// is dropped when it is superseded: the same window has called again (a recall of the same ticket
// or the next ticket) before it was said. Every playback has a time limit so a stuck engine cannot
// stall the queue. window.__hq.announced keeps the last texts (bounded) so tests and maintainers can
// see what was said, window.__hq.voice how (server / browser), window.__hq.voiceBatches the sizes
// of the last announcements.
//
// The queue logic is createAnnouncer({play}) — no DOM — so node tests and bench/announce.mjs drive
// it with their own player. The exported announce/setEnabled/callTexts are the display's interface.

const MAX_QUEUE = 30; // calls waiting to be said; beyond it the oldest is dropped
const MAX_BATCH = 12; // calls said in one announcement

const g = typeof window !== 'undefined' ? window : globalThis;
g.__hq = g.__hq || {};
g.__hq.announced = g.__hq.announced || [];

let enabled = true;
let english = true;

export function setEnabled(on) {
  enabled = on;
}

// English line on or off (the hall setting public_info.voice.english; read by the display).
export function setEnglish(on) {
  english = on !== false;
}

// "A001" → "A 0 0 1" so that engines read the digits one by one.
const spell = (num) => String(num).split('').join(' ');

export function callTexts(number, window) {
  return {
    number,
    window,
    zh: `${number}号，请到${window}号窗口`,
    en: `${number}, window ${window}`,
    zhSpeak: `${spell(number)} 号，请到 ${window} 号窗口`,
    enSpeak: `${spell(number)}, window ${window}`,
  };
}

// The queue. play(batch) says a batch of calls (texts from callTexts) and resolves when done;
// onStart(batch, t) is told when each announcement starts. now() is the clock (ms).
export function createAnnouncer({ play, onStart = () => {}, now = () => Date.now(), maxQueue = MAX_QUEUE, maxBatch = MAX_BATCH }) {
  const queue = [];
  let busy = false;
  const stats = { calls: 0, dropped: 0, superseded: 0, announcements: 0 };

  function announce(number, window) {
    const tx = { ...callTexts(number, window), at: now() };
    stats.calls++;
    // A call not yet said at the same window is superseded by this one (recall or next ticket).
    for (let i = queue.length - 1; i >= 0; i--) {
      if (String(queue[i].window) === String(window)) {
        queue.splice(i, 1);
        stats.superseded++;
      }
    }
    if (queue.length >= maxQueue) {
      queue.shift();
      stats.dropped++;
    }
    queue.push(tx);
    pump();
    return tx;
  }

  async function pump() {
    if (busy) return;
    busy = true;
    try {
      while (queue.length) {
        const batch = queue.splice(0, maxBatch);
        stats.announcements++;
        try {
          onStart(batch, now());
        } catch {
          /* an observer's error never stops the voice */
        }
        try {
          await play(batch);
        } catch {
          /* a failed playback is over */
        }
      }
    } finally {
      busy = false;
    }
  }

  return { announce, stats, pending: () => queue.slice(), busy: () => busy };
}

// ---- the browser's player ----

function pickVoice(lang) {
  try {
    const voices = speechSynthesis.getVoices();
    const l = lang.toLowerCase();
    return voices.find((v) => v.lang.toLowerCase() === l) || voices.find((v) => v.lang.toLowerCase().startsWith(l.slice(0, 2))) || null;
  } catch {
    return null;
  }
}

function say(text, lang) {
  return new Promise((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(limit);
      resolve();
    };
    // Time limit: about 0.3 s a character, at least 3 s.
    const limit = setTimeout(finish, Math.max(3000, text.length * 300));
    if (!enabled || typeof speechSynthesis === 'undefined') {
      clearTimeout(limit);
      setTimeout(finish, 1000);
      return;
    }
    try {
      const u = new SpeechSynthesisUtterance(text);
      u.lang = lang;
      const v = pickVoice(lang);
      if (v) u.voice = v;
      u.rate = 1.0;
      u.onend = finish;
      u.onerror = finish;
      speechSynthesis.speak(u);
    } catch {
      finish();
    }
  });
}

// The server's WAV of one call, or null (404, not rendered in time, network).
async function fetchServer(tx) {
  const url = `/api/v1/announcements?number=${encodeURIComponent(tx.number)}&window=${encodeURIComponent(tx.window)}`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const res = await fetch(url, { cache: 'no-store' });
      if (res.ok && /audio/.test(res.headers.get('content-type') || '')) return await res.blob();
      if (res.status !== 503) return null;
      await new Promise((r) => setTimeout(r, 500)); // still rendering
    } catch {
      return null;
    }
  }
  return null;
}

async function playBlob(blob) {
  const src = URL.createObjectURL(blob);
  try {
    const audio = new Audio(src);
    const ended = new Promise((resolve) => {
      audio.onended = () => resolve(true);
      audio.onerror = () => resolve(false);
    });
    await audio.play();
    const limit = new Promise((r) => setTimeout(() => r(true), 20000));
    return await Promise.race([ended, limit]);
  } catch {
    return false; // autoplay refused, no output device …
  } finally {
    URL.revokeObjectURL(src);
  }
}

// One announcement of a batch: the server's audio of every call back to back (fetched together),
// else the browser says the Chinese of all, then the English of all.
async function playBatch(batch) {
  const log = g.__hq.announced;
  for (const tx of batch) log.push(tx.zh, tx.en);
  while (log.length > 40) log.shift();
  const sizes = (g.__hq.voiceBatches = g.__hq.voiceBatches || []);
  sizes.push(batch.length);
  while (sizes.length > 20) sizes.shift();
  let blobs = [];
  if (enabled && typeof Audio !== 'undefined') blobs = await Promise.all(batch.map(fetchServer));
  if (blobs.length && blobs.every(Boolean)) {
    let ok = true;
    for (const b of blobs) ok = (await playBlob(b)) && ok;
    if (ok) {
      g.__hq.voice = 'server';
      await new Promise((r) => setTimeout(r, 300));
      return;
    }
  }
  g.__hq.voice = 'browser';
  await say(batch.map((tx) => tx.zhSpeak).join('，'), 'zh-CN');
  if (english) await say(batch.map((tx) => tx.enSpeak).join('; '), 'en-US');
  await new Promise((r) => setTimeout(r, 300));
}

let browserAnnouncer = null;
let englishAsked = false;

// Learn the hall's English setting once (public; failure keeps English on).
function askEnglish() {
  if (englishAsked || typeof fetch === 'undefined') return;
  englishAsked = true;
  fetch('/api/v1/hall', { cache: 'no-store' })
    .then((r) => (r.ok ? r.json() : null))
    .then((h) => {
      if (h?.public_info?.voice && h.public_info.voice.english === false) english = false;
    })
    .catch(() => {});
}

// Queue the announcement of a call; returns at once.
export function announce(number, window) {
  askEnglish();
  if (!browserAnnouncer) browserAnnouncer = createAnnouncer({ play: playBatch });
  browserAnnouncer.announce(number, window);
}
