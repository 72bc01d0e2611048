// SPDX-License-Identifier: MIT
// i18n.js — Simplified Chinese first, English second. A page adds its own strings with add();
// elements carry data-i18n="key" (text), data-i18n-placeholder / -aria-label / -title (attributes)
// and are refreshed by apply(). The choice is remembered in localStorage ("hq.lang"); the toggle
// button switches it and every listener re-renders. t() never returns HTML: callers set textContent.

const KEY = 'hq.lang';
const dict = Object.create(null);
const listeners = new Set();

function stored() {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'en' ? 'en' : 'zh';
  } catch {
    return 'zh';
  }
}

let current = stored();

export function lang() {
  return current;
}

// add({key: ['中文', 'English'], …})
export function add(entries) {
  for (const [k, v] of Object.entries(entries)) dict[k] = v;
}

// t('key', {n: 3}) → the current language's text with {n} replaced.
export function t(key, vars) {
  const pair = dict[key];
  let s = pair ? pair[current === 'en' ? 1 : 0] ?? pair[0] : key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
  return s;
}

// Both languages at once ("中文 / English"), for messages that must be read by everyone.
export function both(key, vars) {
  const pair = dict[key];
  if (!pair) return key;
  const fill = (s) => s.replace(/\{(\w+)\}/g, (m, n) => (vars && n in vars ? String(vars[n]) : m));
  return `${fill(pair[0])} / ${fill(pair[1])}`;
}

// A record's name in the current language: name_en when English and present.
export function nameOf(rec) {
  if (!rec) return '';
  if (current === 'en' && rec.name_en) return rec.name_en;
  return rec.name || rec.name_en || rec.code || '';
}

export function apply(root = document) {
  document.documentElement.lang = current === 'en' ? 'en' : 'zh-CN';
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const attr of ['placeholder', 'aria-label', 'title']) {
    const dataName = 'i18n' + attr.replace(/(^|-)(\w)/g, (m, d, c) => c.toUpperCase());
    for (const el of root.querySelectorAll(`[data-i18n-${attr}]`))
      el.setAttribute(attr, t(el.dataset[dataName]));
  }
  const title = document.querySelector('title[data-i18n]');
  if (title) document.title = t(title.dataset.i18n);
}

export function setLang(l) {
  current = l === 'en' ? 'en' : 'zh';
  try {
    localStorage.setItem(KEY, current);
  } catch {
    /* private mode: the choice lasts for this page only */
  }
  apply();
  for (const fn of listeners) {
    try {
      fn(current);
    } catch (e) {
      console.error(e);
    }
  }
}

export function onChange(fn) {
  listeners.add(fn);
}

// Make `button` the language toggle: it shows the other language's name.
export function mountToggle(button) {
  if (!button) return;
  const label = () => {
    button.textContent = current === 'en' ? '中文' : 'English';
    button.setAttribute('aria-label', current === 'en' ? '切换到中文' : 'Switch to English');
    button.lang = current === 'en' ? 'zh-CN' : 'en';
  };
  label();
  button.addEventListener('click', () => {
    setLang(current === 'en' ? 'zh' : 'en');
    label();
  });
  onChange(label);
}

// Another tab or the same device's other page changed the language.
window.addEventListener('storage', (e) => {
  if (e.key === KEY && (e.newValue === 'en' ? 'en' : 'zh') !== current) setLang(e.newValue);
});

// ---- formatting ----
export function fmtDuration(s) {
  if (s == null || !Number.isFinite(s)) return '—';
  s = Math.max(0, Math.round(s));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (current === 'en') {
    if (h) return `${h} h ${m} min`;
    if (m) return `${m} min`;
    return `${s} s`;
  }
  if (h) return `${h} 小时 ${m} 分钟`;
  if (m) return `${m} 分钟`;
  return `${s} 秒`;
}

// mm:ss (or h:mm:ss) for running timers.
export function fmtClock(s) {
  s = Math.max(0, Math.floor(s || 0));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const p = (n) => String(n).padStart(2, '0');
  return h ? `${h}:${p(m)}:${p(sec)}` : `${p(m)}:${p(sec)}`;
}

export function fmtTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleTimeString(current === 'en' ? 'en-GB' : 'zh-CN', {
    hour: '2-digit',
    minute: '2-digit',
  });
}

// Dates are written 12月7日 in Chinese and 2026-12-07 in English (never 12/07 or 07/12).
export function fmtDate(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const p = (n) => String(n).padStart(2, '0');
  return current === 'en' ? `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}` : `${d.getMonth() + 1}月${d.getDate()}日`;
}

export function fmtDateTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return `${fmtDate(iso)} ${fmtTime(iso)}`;
}

// The wait the API estimated, as every page shows it: 当前无窗口办理 / No window is serving this now
// when no open window serves it (serving_windows 0), the measured range when the API gives one
// (wait_range_s: 约 10–20 分钟 / about 10–20 min), else the estimate itself. Pages never compute
// an estimate of their own. x: {serving_windows, wait_range_s} (either may be absent).
// A predicted wait, one rule everywhere (the printed ticket and the advice's sentences use the
// same): whole minutes rounded up; a range [low, high] when the API gives one; the API's word
// when no open window serves the service.
export function waitMinutes(seconds) {
  return Number.isFinite(seconds) ? Math.ceil(Math.max(0, seconds) / 60) : null;
}

export function fmtWait(seconds, x = {}) {
  if (x && x.serving_windows === 0) return t('wait.no_window');
  const r = x && Array.isArray(x.wait_range_s) && x.wait_range_s.length === 2 && x.wait_range_s.every(Number.isFinite) ? x.wait_range_s : null;
  if (r) {
    const lo = waitMinutes(r[0]);
    const hi = Math.max(lo, waitMinutes(r[1]));
    return current === 'en' ? `about ${lo}–${hi} min` : `约 ${lo}–${hi} 分钟`;
  }
  const m = waitMinutes(seconds);
  return m == null ? '—' : fmtDuration(m * 60);
}

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

// Hours as the API gives them: null (always open), {"mon":"09:00-17:00","sun":null,…}, or text.
// Consecutive days with the same hours are grouped: "周一至周五 09:00-17:00".
export function fmtHours(h) {
  if (h == null) return t('hours.always');
  if (typeof h === 'string') return h;
  if (typeof h !== 'object') return String(h);
  const groups = [];
  for (const d of DAYS) {
    const v = h[d] ?? null;
    const last = groups[groups.length - 1];
    if (last && last.v === v) last.to = d;
    else groups.push({ from: d, to: d, v });
  }
  return groups
    .filter((g) => g.v)
    .map((g) => {
      const days = g.from === g.to ? t('day.' + g.from) : t('days.range', { a: t('day.' + g.from), b: t('day.' + g.to) });
      return `${days} ${g.v}`;
    })
    .join(current === 'en' ? '; ' : '；') || t('hours.closed');
}

add({
  'lang.toggle': ['English', '中文'],
  'hours.always': ['全天开放', 'Always open'],
  'hours.closed': ['暂停开放', 'Closed'],
  'hours.label': ['办理时间', 'Opening hours'],
  'days.range': ['{a}至{b}', '{a}–{b}'],
  'day.mon': ['周一', 'Mon'],
  'day.tue': ['周二', 'Tue'],
  'day.wed': ['周三', 'Wed'],
  'day.thu': ['周四', 'Thu'],
  'day.fri': ['周五', 'Fri'],
  'day.sat': ['周六', 'Sat'],
  'day.sun': ['周日', 'Sun'],
  'status.waiting': ['等候中', 'Waiting'],
  'status.called': ['已叫号', 'Called'],
  'status.serving': ['办理中', 'Being served'],
  'status.done': ['已办结', 'Done'],
  'status.no_show': ['过号', 'No-show'],
  'status.cancelled': ['已取消', 'Cancelled'],
  'status.expired': ['已过期', 'Expired'],
  'cat.normal': ['普通', 'Normal'],
  'cat.priority': ['绿色通道', 'Green channel'],
  'cat.appointment': ['预约', 'Appointment'],
  'win.open': ['服务中', 'Open'],
  'wait.no_window': ['当前无窗口办理', 'No window is serving this now'],
  'win.paused': ['暂停服务', 'Paused'],
  'win.closed': ['未开放', 'Closed'],
  'role.admin': ['管理员', 'Administrator'],
  'role.manager': ['值班长', 'Duty manager'],
  'role.clerk': ['窗口人员', 'Clerk'],
  'role.guide': ['引导员', 'Guide'],
  'level.5': ['非常满意', 'Very satisfied'],
  'level.4': ['满意', 'Satisfied'],
  'level.3': ['基本满意', 'Fairly satisfied'],
  'level.2': ['不满意', 'Dissatisfied'],
  'level.1': ['非常不满意', 'Very dissatisfied'],
  'err.network': ['无法连接服务器，请稍后再试', 'Cannot reach the server, please try again'],
  'err.unauthenticated': ['请先登录', 'Please sign in'],
  'err.forbidden': ['无权进行此操作', 'Not allowed'],
  'err.conflict': ['当前状态不允许此操作', 'Not possible in the current state'],
  'err.not_found': ['未找到', 'Not found'],
  'err.invalid_field': ['输入有误', 'Invalid input'],
  'err.rate_limited': ['操作过于频繁，请稍后再试', 'Too many requests, please wait a moment'],
  'err.suspended': ['大厅暂停服务', 'The hall is suspended'],
  'err.other': ['操作失败', 'Failed'],
  'login.title': ['登录', 'Sign in'],
  'login.username': ['用户名', 'User name'],
  'login.password': ['密码', 'Password'],
  'login.submit': ['登录', 'Sign in'],
  'login.failed': ['用户名或密码错误', 'Wrong user name or password'],
  'logout': ['退出登录', 'Sign out'],
  'live.online': ['实时连接', 'Live'],
  'live.offline': ['连接中断，正在重连…', 'Connection lost, reconnecting…'],
  'none': ['无', 'None'],
  'save': ['保存', 'Save'],
  'add': ['添加', 'Add'],
  'edit': ['编辑', 'Edit'],
  'cancel': ['取消', 'Cancel'],
  'refresh': ['刷新', 'Refresh'],
  'window.n': ['{n} 号窗口', 'Window {n}'],
  'notices': ['公告', 'Notices'],
});

// The text of `key` in the language not shown (for bilingual labels), and in a given language.
export function other(key) {
  const pair = dict[key];
  return pair ? pair[current === 'en' ? 0 : 1] : '';
}
export function inLang(key, l) {
  const pair = dict[key];
  return pair ? pair[l === 'en' ? 1 : 0] : key;
}

// A Date as RFC 3339 with the browser's offset: 2025-05-06T09:30:00+08:00.
export function rfc3339(d) {
  const p = (n) => String(Math.abs(n)).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}${sign}${p(Math.trunc(off / 60))}:${p(off % 60)}`;
}
