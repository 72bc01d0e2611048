// SPDX-License-Identifier: MIT
// voice.js — call announcements: Mandarin first, then English. First choice is the server's audio
// (GET /api/v1/announcements?number=&window= → WAV rendered by espeak-ng, both lines in one file);
// when it is not available (404, not rendered in time, no audio output, autoplay refused) the
// browser's speech synthesis says the same two lines. Announcements queue (bounded) and never cut
// each other off; every playback has a time limit so a stuck engine cannot stall the queue.
// window.__hq.announced keeps the last texts (bounded) so tests and maintainers can see what was
// said, and window.__hq.voice how (server / browser).

const MAX_QUEUE = 30;
const queue = [];
let speaking = false;
let enabled = true;

window.__hq = window.__hq || {};
window.__hq.announced = window.__hq.announced || [];

export function setEnabled(on) {
  enabled = on;
}

// "A001" → "A 0 0 1" so that engines read the digits one by one.
const spell = (num) => String(num).split('').join(' ');

export function callTexts(number, window) {
  return {
    number,
    window,
    zh: `请 ${number} 号到 ${window} 号窗口办理`,
    en: `Number ${number}, please go to window ${window}`,
    zhSpeak: `请 ${spell(number)} 号，到 ${window} 号窗口办理`,
    enSpeak: `Number ${spell(number)}, please go to window ${window}`,
  };
}

export function announce(number, window) {
  const tx = callTexts(number, window);
  if (queue.length >= MAX_QUEUE) queue.shift();
  queue.push(tx);
  pump();
}

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
      setTimeout(finish, 1500);
      return;
    }
    try {
      const u = new SpeechSynthesisUtterance(text);
      u.lang = lang;
      const v = pickVoice(lang);
      if (v) u.voice = v;
      u.rate = 0.9;
      u.onend = finish;
      u.onerror = finish;
      speechSynthesis.speak(u);
    } catch {
      finish();
    }
  });
}

// Play the server's WAV for this call; resolves true when it played to the end.
async function playServer(tx) {
  if (!enabled || typeof Audio === 'undefined') return false;
  const url = `/api/v1/announcements?number=${encodeURIComponent(tx.number)}&window=${encodeURIComponent(tx.window)}`;
  let blob = null;
  for (let attempt = 0; attempt < 3 && !blob; attempt++) {
    try {
      const res = await fetch(url, { cache: 'no-store' });
      if (res.ok && /audio/.test(res.headers.get('content-type') || '')) blob = await res.blob();
      else if (res.status === 503) await new Promise((r) => setTimeout(r, 700)); // still rendering
      else return false;
    } catch {
      return false;
    }
  }
  if (!blob) return false;
  const src = URL.createObjectURL(blob);
  try {
    const audio = new Audio(src);
    const ended = new Promise((resolve) => {
      audio.onended = () => resolve(true);
      audio.onerror = () => resolve(false);
    });
    await audio.play();
    const limit = new Promise((r) => setTimeout(() => r(true), 30000));
    return await Promise.race([ended, limit]);
  } catch {
    return false; // autoplay refused, no output device …
  } finally {
    URL.revokeObjectURL(src);
  }
}

async function pump() {
  if (speaking) return;
  speaking = true;
  try {
    while (queue.length) {
      const tx = queue.shift();
      const log = window.__hq.announced;
      log.push(tx.zh, tx.en);
      while (log.length > 40) log.shift();
      if (await playServer(tx)) {
        window.__hq.voice = 'server';
      } else {
        window.__hq.voice = 'browser';
        await say(tx.zhSpeak, 'zh-CN');
        await say(tx.enSpeak, 'en-US');
      }
      await new Promise((r) => setTimeout(r, 400));
    }
  } finally {
    speaking = false;
  }
}
