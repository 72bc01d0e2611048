// SPDX-License-Identifier: MIT
// ui.js — small DOM helpers shared by the pages. h() builds elements from text only (never
// innerHTML), so whatever the API returns is shown as text, not markup. Also: the sign-in form of
// the staff pages, error messages in the current language, and the live-connection badge.

import * as api from './api.js';
import * as i18n from './i18n.js';

// h('button', {class: 'btn', onclick: fn, 'aria-label': '…'}, 'text', childNode, …)
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v == null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = v;
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'value') el.value = v;
      else if (k === 'checked' || k === 'disabled' || k === 'hidden' || k === 'selected') el[k] = !!v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

// svgEl('rect', {x: 0, y: 0, width: 10, height: 4, class: 'bar'}, 'optional text'): an SVG
// element for the charts, its attributes set as given, its text (if any) as text.
const SVGNS = 'http://www.w3.org/2000/svg';
export function svgEl(tag, attrs, text) {
  const el = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  if (text != null) el.textContent = text;
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c == null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function replace(el, ...children) {
  clear(el);
  append(el, children);
  return el;
}

// An ApiError in the user's language, with the server's precise reason after it.
export function errText(e) {
  if (!e) return '';
  const code = e.code || 'other';
  const known = ['network', 'unauthenticated', 'forbidden', 'conflict', 'not_found', 'invalid_field', 'rate_limited', 'suspended'];
  const head = i18n.t('err.' + (known.includes(code) ? code : 'other'));
  if (code === 'network' || !e.message || e.message === code) return head;
  return `${head}: ${e.message}`;
}

export function showMsg(el, text, kind = 'error') {
  if (!el) return;
  el.textContent = text || '';
  el.className = `msg ${text ? kind : ''}`;
  el.hidden = !text;
}

// Staff pages: show the sign-in form until a session with one of `roles` exists, then call
// onReady(user). A later 401 brings the form back.
export function requireLogin({ roles, onReady, container = document.body }) {
  i18n.add({
    'login.role': ['此页面需要以下角色之一：{r}', 'This page needs one of these roles: {r}'],
  });
  let overlay = null;
  const show = () => {
    if (overlay) return;
    const msg = h('p', { class: 'msg', role: 'alert', hidden: true });
    const userIn = h('input', { id: 'login-user', name: 'username', autocomplete: 'username', required: true });
    const passIn = h('input', { id: 'login-pass', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
    const form = h(
      'form',
      { class: 'card login', 'aria-labelledby': 'login-h' },
      h('h2', { id: 'login-h', dataset: { i18n: 'login.title' } }, i18n.t('login.title')),
      h('label', { for: 'login-user', dataset: { i18n: 'login.username' } }, i18n.t('login.username')),
      userIn,
      h('label', { for: 'login-pass', dataset: { i18n: 'login.password' } }, i18n.t('login.password')),
      passIn,
      h('button', { class: 'btn primary', type: 'submit', id: 'login-submit', dataset: { i18n: 'login.submit' } }, i18n.t('login.submit')),
      msg,
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      showMsg(msg, '');
      try {
        const u = await api.login(userIn.value.trim(), passIn.value);
        if (roles && u && !roles.includes(u.role)) {
          await api.logout(); // end that session (and its cookie) on the server too
          showMsg(msg, i18n.t('login.role', { r: roles.map((r) => i18n.t('role.' + r)).join(', ') }));
          return;
        }
        overlay.remove();
        overlay = null;
        onReady(u);
      } catch (e) {
        showMsg(msg, e.code === 'unauthenticated' ? i18n.t('login.failed') : errText(e));
      }
    });
    overlay = h('section', { class: 'login-overlay', id: 'login' }, form);
    container.appendChild(overlay);
    userIn.focus();
  };
  api.onUnauthenticated(show);
  const u = api.user();
  if (api.token() && u && (!roles || roles.includes(u.role))) onReady(u);
  else show();
}

// The signed-in user and a sign-out button, in the header.
// beforeLogout (optional): () => Promise<boolean>, false keeps the user signed in (the counter asks
// to close an open window first).
export function mountUserBar(el, u, { beforeLogout } = {}) {
  if (!el) return;
  const render = () =>
    replace(
      el,
      h('span', { class: 'who' }, `${u.name || u.username} · ${i18n.t('role.' + u.role)}`),
      h('button', {
        class: 'btn small',
        type: 'button',
        id: 'logout',
        onclick: async () => {
          if (beforeLogout && !(await beforeLogout())) return;
          await api.logout();
          location.reload();
        },
      }, i18n.t('logout')),
    );
  render();
  i18n.onChange(render);
}

// A small badge telling whether the live stream is connected.
export function liveBadge(el) {
  let state = 'offline';
  const render = () => {
    if (!el) return;
    el.textContent = i18n.t(state === 'open' ? 'live.online' : 'live.offline');
    el.className = `live ${state === 'open' ? 'on' : 'off'}`;
  };
  i18n.onChange(render);
  render();
  return (s) => {
    state = s;
    render();
  };
}

// A clock element updated every second.
export function clock(el, withDate = false) {
  const tick = () => {
    const d = new Date();
    const loc = i18n.lang() === 'en' ? 'en-GB' : 'zh-CN';
    el.textContent = d.toLocaleTimeString(loc, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
    if (withDate && el.dataset.dateFor) {
      const de = document.getElementById(el.dataset.dateFor);
      if (de) de.textContent = d.toLocaleDateString(loc, { year: 'numeric', month: 'long', day: 'numeric', weekday: 'long' });
    }
  };
  tick();
  setInterval(tick, 1000);
}

export function winNo(w) {
  if (w == null) return null;
  if (typeof w === 'object') return w.number ?? null;
  return w;
}

// A window's name in the page's language: its name (or name_en) when it has one that reads in
// that language, else "3 号窗口" / "Window 3" (window names are usually Chinese only).
export function winName(w) {
  if (w == null) return '';
  const n = typeof w === 'object' ? w.number : w;
  const name = typeof w === 'object' ? w.name || '' : '';
  if (i18n.lang() === 'en') {
    if (typeof w === 'object' && w.name_en) return w.name_en;
    if (!name || /[\u3000-\u9fff\uff00-\uffef]/.test(name)) return i18n.t('window.n', { n });
    return name;
  }
  return name || i18n.t('window.n', { n });
}

// A list in the page's language: "A、B" or "A, B".
export const listJoin = (items) => items.join(i18n.lang() === 'en' ? ', ' : '、');

// Common start of every page: apply the language, mount the toggle (#lang) and clock (#clock).
export function boot() {
  i18n.apply();
  i18n.mountToggle(document.getElementById('lang'));
  const c = document.getElementById('clock');
  if (c) clock(c, true);
}

// Why a service refuses tickets, from a 409 message, as an i18n key (or null).
export function refusalKey(message) {
  const m = String(message || '').toLowerCase();
  if (m.includes('quota')) return 'refuse.quota';
  if (m.includes('disabled')) return 'refuse.disabled';
  if (m.includes('hour') || m.includes('closed') || m.includes('outside')) return 'refuse.hours';
  if (m.includes('suspend')) return 'refuse.suspended';
  return null;
}
i18n.add({
  'refuse.quota': ['今日号源已取完', 'Today\'s tickets for this service are all taken'],
  'refuse.disabled': ['该业务暂停办理', 'This service is suspended'],
  'refuse.hours': ['不在办理时间内', 'Outside opening hours'],
  'refuse.suspended': ['大厅暂停取号', 'Ticketing is suspended in the hall'],
});

const WEEK = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

// A day's ranges "08:30-12:00,13:30-17:30" as [[510, 720], [810, 1050]] (minutes); [] when closed.
function dayRanges(v) {
  if (!v || typeof v !== 'string') return [];
  return v.split(',').map((r) => /^(\d\d):(\d\d)-(\d\d):(\d\d)$/.exec(r.trim())).filter(Boolean).map((m) => [+m[1] * 60 + +m[2], +m[3] * 60 + +m[4]]);
}

// Is a service open now by its hours (or the hall's when it has none)? Every range of the day
// counts (a lunch break is two). Browser-local time.
export function openNow(hours, hallHours, d = new Date()) {
  const h = hours || hallHours;
  if (!h || typeof h !== 'object') return true;
  const now = d.getHours() * 60 + d.getMinutes();
  return dayRanges(h[WEEK[d.getDay()]]).some(([a, b]) => now >= a && now < b);
}

// When a closed service opens next, within a week: {days: 0 today / 1 tomorrow / n, weekday,
// at: "13:30"}, or null (no hours at all, or always open).
export function nextOpening(hours, hallHours, d = new Date()) {
  const h = hours || hallHours;
  if (!h || typeof h !== 'object') return null;
  const now = d.getHours() * 60 + d.getMinutes();
  for (let i = 0; i < 8; i++) {
    const wd = (d.getDay() + i) % 7;
    const start = dayRanges(h[WEEK[wd]]).map(([a]) => a).filter((a) => i > 0 || a > now).sort((x, y) => x - y)[0];
    if (start != null) return { days: i, weekday: WEEK[wd], at: `${String(Math.floor(start / 60)).padStart(2, '0')}:${String(start % 60).padStart(2, '0')}`, minutes: start };
  }
  return null;
}
