// SPDX-License-Identifier: MIT
// kiosk_idcard.js — 刷身份证取号 on the kiosk (docs/IDCARD.md). Two kinds of reader:
// - a keyboard-wedge reader "types" the 18 characters of the number and Enter: caught here on the
//   page (no visible field; keys typed into a real input are left alone), checked (GB 11643 check
//   digit) and held;
// - a serial reader run by `hallq idreader` on the kiosk's machine hands the number to the server
//   for this kiosk's device key (POST /idcard/hold); this page takes it (POST /idcard/take, once,
//   every 1.5 s while it is a registered kiosk) and holds it.
// A held number is shown only masked (已读取身份证 4403**********1233 / ID card read), kept at most
// 60 s in this page's memory, and attached as `id_number` to the next POST /tickets, then dropped
// (kiosk.js is not changed: its request is completed here, on its way out through fetch). Nothing
// is stored in the browser.

import * as api from './api.js';
import * as i18n from './i18n.js';
import { h } from './ui.js';

i18n.add({
  'kid.read': ['已读取身份证 {m}', 'ID card read {m}'],
  'kid.hint': ['请选择业务取号', 'Now choose your service'],
  'kid.bad': ['身份证号无法识别，请重新刷卡', 'The ID number could not be read: please try again'],
});

const HOLD_MS = 60000;
const TAKE_EVERY_MS = 1500;
let held = null; // { id, masked, until }
let typed = '';
let lastKey = 0;

const W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
export function validId(s) {
  if (!/^\d{17}[\dX]$/.test(s)) return false;
  const sum = W.reduce((a, w, i) => a + w * Number(s[i]), 0);
  return '10X98765432'[sum % 11] === s[17];
}
export const mask = (s) => `${s.slice(0, 4)}${'*'.repeat(10)}${s.slice(14)}`;

const banner = h('div', { id: 'idcard-banner', class: 'msg ok', role: 'status', 'aria-live': 'polite', hidden: true });
banner.style.cssText = 'position:fixed;left:50%;bottom:16px;transform:translateX(-50%);z-index:50;font-size:1.4em;padding:12px 24px';

function render() {
  if (held && held.until > Date.now()) {
    banner.className = 'msg ok';
    banner.textContent = `${i18n.t('kid.read', { m: held.masked })} · ${i18n.t('kid.hint')}`;
    banner.hidden = false;
  } else {
    banner.hidden = true;
    banner.textContent = '';
  }
}

function hold(id, masked) {
  held = { id, masked: masked || mask(id), until: Date.now() + HOLD_MS };
  render();
  setTimeout(() => {
    if (held && held.until <= Date.now()) {
      held = null;
      render();
    }
  }, HOLD_MS + 50);
}

function refuse() {
  held = null;
  banner.className = 'msg';
  banner.textContent = i18n.t('kid.bad');
  banner.hidden = false;
  setTimeout(render, 4000);
}

// The keyboard wedge: characters typed outside any input, then Enter.
function onKey(ev) {
  const t = ev.target;
  if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.isContentEditable)) return;
  const now = ev.timeStamp || performance.now();
  const gap = now - lastKey;
  if (gap > 1000) typed = ''; // a person pressing keys now and then is not a reader
  lastKey = now;
  if (ev.key === 'Enter') {
    const s = typed.toUpperCase();
    typed = '';
    if (s.length >= 15) {
      ev.preventDefault();
      ev.stopImmediatePropagation();
      if (validId(s)) hold(s);
      else refuse();
    }
    return;
  }
  if (/^[0-9xX]$/.test(ev.key)) {
    typed = (typed + ev.key).slice(-18);
    if (typed.length > 1 && gap < 60) {
      // a burst (a reader types every few ms): its characters are not the kiosk's keypad choices
      ev.preventDefault();
      ev.stopImmediatePropagation();
    }
  } else if (ev.key && ev.key.length === 1) {
    typed = '';
  }
}

// The serial reader's hand-over, for a registered kiosk only.
async function take() {
  if (!api.deviceKey() || document.hidden) return;
  try {
    const r = await api.post('/idcard/take', undefined, { auth: false });
    if (r && r.id_number) hold(r.id_number, r.masked);
  } catch {
    /* the next round retries */
  }
}

// The next ticket carries the held number (and drops it).
const realFetch = window.fetch.bind(window);
window.fetch = (url, init) => {
  if (held && init && init.method === 'POST' && typeof url === 'string' && /\/api\/v1\/tickets$/.test(url) && typeof init.body === 'string') {
    if (held.until > Date.now()) {
      try {
        const body = JSON.parse(init.body);
        body.id_number = held.id;
        init = { ...init, body: JSON.stringify(body) };
      } catch {
        /* not JSON: sent as it is */
      }
    }
    held = null;
    render();
  }
  return realFetch(url, init);
};

function mount() {
  document.body.appendChild(banner);
  window.addEventListener('keydown', onKey, true);
  i18n.onChange(render);
  setInterval(take, TAKE_EVERY_MS);
  take();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mount);
else mount();
