// SPDX-License-Identifier: MIT
// largetype.js — 长辈模式 / Large type (issue 18) on the kiosk, the tracking page and the pad, and the
// kiosk's keypad. One visible button in the header switches the page to large type (html.lt:
// css/largetype.css — at least 1.5× the normal text, 32 px body text on the kiosk), high contrast
// and longer time-outs (timeFactor()); on the kiosk also fewer choices: the hall's most used
// services first (GET /services issued_today and served_28d), at most TOP of them, the rest behind
// one 更多业务 / More button. A second toggle reads buttons aloud when touched, in the hall's voice
// (GET /api/v1/speech/{key}: fixed phrases and service names only, rendered by the server's
// espeak-ng; silent when the server has no voice). The kiosk and the pad return to normal for the
// next person (done(), called when the ticket is taken or the evaluation is over); the tracking
// page, on the customer's own phone, remembers the choice.
// Keypad: on the kiosk the number keys 1–9 pick the services shown (the number is on each button);
// 0 opens More.

import * as api from './api.js';
import * as i18n from './i18n.js';
import { h, $ } from './ui.js';

i18n.add({
  'lt.toggle': ['长辈模式', 'Large type'],
  'lt.speak': ['按键朗读', 'Read buttons aloud'],
  'lt.more': ['更多业务', 'More services'],
  'lt.fewer': ['常用业务', 'Most used services'],
  'lt.key': ['按数字键 {n}', 'press {n}'],
});

const body = document.body;
const PAGE = body.classList.contains('kiosk') ? 'kiosk' : body.classList.contains('pad') ? 'pad' : 'track';
const KEEP = PAGE === 'track'; // the customer's own phone keeps the choice
const STORE = 'hq.largetype';
const TOP = 4; // services shown first in large type
const FACTOR = 3; // time-outs are this much longer

let on = false;
let speak = false;
let expanded = false; // the kiosk's More was opened
let counts = new Map(); // service code → use (issued today + served over 28 days)
let countsAt = 0;
const listeners = new Set();

export const active = () => on;
export const timeFactor = () => (on ? FACTOR : 1);
export const onChange = (fn) => listeners.add(fn);

// Both languages on one button, the other language marked as such.
function bilingual(key) {
  const other = i18n.lang() === 'en' ? 'zh-CN' : 'en';
  return [h('span', null, i18n.t(key)), ' ', h('span', { class: 'lt-other', lang: other }, i18n.other(key))];
}

const toggle = h('button', { class: 'btn lt-toggle', id: 'lt-toggle', type: 'button', 'aria-pressed': 'false', dataset: { say: 'large_type' } });
const speakBtn = h('button', { class: 'btn lt-speak', id: 'lt-speak', type: 'button', 'aria-pressed': 'false', hidden: true, dataset: { say: 'read_aloud' } });
const moreBtn = h('button', { class: 'btn lt-more', id: 'lt-more', type: 'button', 'aria-expanded': 'false', hidden: true, 'aria-keyshortcuts': '0', dataset: { say: 'more' } });

function label() {
  toggle.replaceChildren(...bilingual('lt.toggle'));
  speakBtn.replaceChildren(...bilingual('lt.speak'));
  moreBtn.replaceChildren(h('span', { class: 'key', 'aria-hidden': 'true' }, '0'), ...bilingual(expanded ? 'lt.fewer' : 'lt.more'));
}

export function set(v) {
  on = !!v;
  document.documentElement.classList.toggle('lt', on);
  toggle.setAttribute('aria-pressed', String(on));
  speakBtn.hidden = !on;
  if (!on) {
    speak = false;
    expanded = false;
  }
  speakBtn.setAttribute('aria-pressed', String(speak));
  if (KEEP) {
    try {
      localStorage.setItem(STORE, on ? '1' : '0');
    } catch {
      /* private mode */
    }
  }
  label();
  if (PAGE === 'kiosk') {
    if (on) refreshCounts();
    arrange();
  }
  for (const fn of listeners) fn(on);
}

// The kiosk's ticket was taken, the pad's evaluation is over: normal again for the next person.
export function done() {
  if (!KEEP && on) set(false);
}

// ---- the hall's voice ----
let audio = null;
export function say(key) {
  if (!on || !speak || !key || !/^[a-z_]{2,24}$|^svc-[A-Z]{1,2}$/.test(key)) return;
  try {
    audio?.pause();
    audio = new Audio(`/api/v1/speech/${key}${i18n.lang() === 'en' ? '?lang=en' : ''}`);
    audio.play().catch(() => {}); // no voice on this server: stay silent
  } catch {
    /* no audio */
  }
}

function sayFor(el) {
  const b = el?.closest?.('button, a, [role="button"], label');
  if (!b) return;
  say(b.dataset.say || (b.dataset.code ? `svc-${b.dataset.code}` : ''));
}

// ---- the kiosk: most used first, fewer choices, keypad ----
async function refreshCounts() {
  if (Date.now() - countsAt < 60000) return;
  countsAt = Date.now();
  try {
    const list = await api.get('/services', { auth: false });
    counts = new Map((Array.isArray(list) ? list : []).map((s) => [s.code, (s.issued_today || 0) + (s.served_28d || 0)]));
    arrange();
  } catch {
    /* keep the kiosk's own order */
  }
}

let observer = null;
function arrange() {
  const box = $('#services');
  if (!box) return;
  const buttons = [...box.querySelectorAll(':scope > .svc-btn')];
  if (on) {
    const pos = new Map(buttons.map((b, i) => [b, i]));
    const use = (b) => counts.get(b.dataset.code) || 0;
    buttons.sort((a, b) => (a.disabled - b.disabled) || use(b) - use(a) || pos.get(a) - pos.get(b));
    box.append(...buttons);
  }
  const shown = on && !expanded ? buttons.filter((b) => !b.disabled).slice(0, TOP) : buttons;
  for (const b of buttons) b.hidden = !shown.includes(b);
  moreBtn.hidden = !on || buttons.filter((b) => !b.disabled).length <= TOP;
  moreBtn.setAttribute('aria-expanded', String(expanded));
  label();
  // keypad numbers on the buttons that can be picked
  let n = 0;
  for (const b of buttons) {
    b.querySelector(':scope > .key')?.remove();
    b.removeAttribute('aria-keyshortcuts');
    if (b.hidden || b.disabled || n >= 9) continue;
    n += 1;
    b.prepend(h('span', { class: 'key', 'aria-hidden': 'true', title: i18n.t('lt.key', { n }) }, String(n)));
    b.setAttribute('aria-keyshortcuts', String(n));
  }
  observer?.takeRecords(); // our own moves are not a new render
}

function keypad(ev) {
  if (ev.altKey || ev.ctrlKey || ev.metaKey || !/^[0-9]$/.test(ev.key)) return;
  const t = ev.target;
  if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
  if ($('#choose')?.hidden || document.querySelector('dialog[open]')) return;
  let target = null;
  if (ev.key === '0') target = moreBtn.hidden ? null : moreBtn;
  else target = document.querySelector(`#services > .svc-btn[aria-keyshortcuts="${ev.key}"]`);
  if (!target || target.disabled) return;
  ev.preventDefault();
  target.focus();
  target.click();
}

// ---- mount ----
// The row of the customer's own buttons under the header (shared with js/help.js).
export function a11yBar() {
  let bar = document.getElementById('a11y-bar');
  if (!bar) {
    bar = h('div', { id: 'a11y-bar', class: 'a11y-bar' });
    const top = document.querySelector('.topbar');
    if (top) top.after(bar);
    else document.body.prepend(bar);
  }
  return bar;
}

function mount() {
  const bar = a11yBar();
  bar.prepend(toggle, speakBtn);
  toggle.addEventListener('click', () => set(!on));
  speakBtn.addEventListener('click', () => {
    speak = !speak;
    speakBtn.setAttribute('aria-pressed', String(speak));
    say(speak ? 'read_aloud' : '');
  });
  document.addEventListener('pointerdown', (e) => sayFor(e.target), true);
  document.addEventListener('keyup', (e) => {
    if (e.key === 'Tab') sayFor(document.activeElement);
  });
  i18n.onChange(label);
  if (PAGE === 'kiosk') {
    const box = $('#services');
    box?.after(moreBtn);
    moreBtn.addEventListener('click', () => {
      expanded = !expanded;
      arrange();
    });
    if (box) {
      observer = new MutationObserver(() => arrange());
      observer.observe(box, { childList: true });
    }
    document.addEventListener('keydown', keypad);
  }
  let saved = false;
  try {
    saved = KEEP && localStorage.getItem(STORE) === '1';
  } catch {
    /* private mode */
  }
  set(saved);
}

mount();
