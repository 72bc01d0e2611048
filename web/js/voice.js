// SPDX-License-Identifier: MIT
// voice.js — call announcements with the browser's speech synthesis: Mandarin first, then English.
// Announcements queue (bounded) and never cut each other off; each utterance has a time limit so a
// browser without voices (or a stuck engine) cannot stall the queue. window.__hq.announced keeps the
// last texts (bounded) so tests and maintainers can see what was said.

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

async function pump() {
  if (speaking) return;
  speaking = true;
  try {
    while (queue.length) {
      const tx = queue.shift();
      const log = window.__hq.announced;
      log.push(tx.zh, tx.en);
      while (log.length > 40) log.shift();
      await say(tx.zhSpeak, 'zh-CN');
      await say(tx.enSpeak, 'en-US');
      await new Promise((r) => setTimeout(r, 400));
    }
  } finally {
    speaking = false;
  }
}
