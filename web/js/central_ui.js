// SPDX-License-Identifier: MIT
// central_ui.js — shared by head office's pages (hallq central serve): the strings (zh first, en
// second), a fetch wrapper for the small central API (cookie session; errors in the page's
// language from message_zh / message), the sign-in form, number formats and the SVG bar chart.
// Text is set with textContent only.

import * as i18n from './i18n.js';

i18n.add({
  'c.title': ['总部 · 各大厅一览', 'Head office · all halls'],
  'c.hall_title': ['总部 · 大厅详情', 'Head office · one hall'],
  'skip': ['跳到主要内容', 'Skip to main content'],
  'c.login': ['总部登录', 'Head office sign-in'],
  'c.user': ['用户名', 'Username'],
  'c.password': ['密码', 'Password'],
  'c.signin': ['登录', 'Sign in'],
  'c.signout': ['退出', 'Sign out'],
  'c.today': ['今日各大厅', 'Today, hall by hall'],
  'c.today_sub': ['今天 {d}（{tz}），数据来自各大厅上报的事件', 'Today {d} ({tz}), from the events the halls shipped'],
  'c.halls': ['大厅', 'Halls'],
  'c.hall': ['大厅', 'Hall'],
  'c.total': ['合计', 'Total'],
  'c.tickets': ['取号', 'Tickets'],
  'c.served': ['已办结', 'Served'],
  'c.waiting': ['等候中', 'Waiting'],
  'c.no_show': ['过号', 'No-shows'],
  'c.med_wait': ['等候中位数', 'Median wait'],
  'c.mean_wait': ['平均等候', 'Mean wait'],
  'c.p90_wait': ['90% 等候', '90th pct wait'],
  'c.med_service': ['办理中位数', 'Median service'],
  'c.mean_service': ['平均办理', 'Mean service'],
  'c.windows_open': ['开放窗口', 'Windows open'],
  'c.bad_share': ['差评占比', 'Bad reviews'],
  'c.rated': ['评价数', 'Ratings'],
  'c.satisfied': ['满意率', 'Satisfied'],
  'c.mean_level': ['平均评分', 'Mean rating'],
  'c.last_sync': ['最近上报', 'Last report'],
  'c.lag': ['延迟', 'Lag'],
  'c.lag_val': ['{e} 条 / {s}', '{e} events / {s}'],
  'c.state': ['状态', 'State'],
  'c.silent': ['失联', 'Silent'],
  'c.ok': ['正常', 'Reporting'],
  'c.never': ['从未', 'never'],
  'c.silent_rule': ['；超过 {m} 分钟未上报的大厅标为“失联”。', '; a hall with no report for over {m} min is marked silent.'],
  'c.chart_today': ['今日取号与等候中（按大厅）', 'Tickets and waiting today, per hall'],
  'c.period': ['期间统计', 'Statistics of a period'],
  'c.from': ['开始日期', 'From'],
  'c.to': ['结束日期', 'To'],
  'c.target': ['等候目标（分钟）', 'Waiting target (min)'],
  'c.show': ['查看', 'Show'],
  'c.chart_wait': ['各大厅等候与办理时间（中位数，分钟）', 'Median wait and service per hall (min)'],
  'c.compliance': ['合规（可由事件推算的部分）', 'Compliance (what the events show)'],
  'c.compliance_note': ['总部只能看到各大厅上报的事件：等候达标率、过号率、差评及其整改案件、投诉、求助、事故与暂停服务可以推算；应急预案、演练、培训记录、设施维护等条款的依据是大厅内的文档，不随事件上报，请在各大厅的“合规报告”中查看。',
    'Head office sees only the events the halls ship: waits within target, no-shows, bad reviews and their cases, complaints, help requests, incidents and suspensions can be derived; the clauses on emergency plans, drills, training records and facility maintenance rest on documents kept in each hall, not shipped as events — see each hall\'s own compliance report.'],
  'c.within': ['等候达标率', 'Waits within target'],
  'c.no_show_share': ['过号率', 'No-show share'],
  'c.cases': ['整改案件', 'Cases opened'],
  'c.overdue': ['案件超期', 'Cases overdue'],
  'c.complaints': ['投诉', 'Complaints'],
  'c.help': ['求助', 'Help requests'],
  'c.incidents': ['事故', 'Incidents'],
  'c.suspensions': ['暂停服务', 'Suspensions'],
  'c.none': ['（无数据）', '(no data)'],
  'c.details': ['详情', 'Details'],
  'c.back': ['返回总览', 'Back to all halls'],
  'c.services': ['业务', 'Services'],
  'c.service': ['业务', 'Service'],
  'c.windows': ['窗口', 'Windows'],
  'c.window': ['窗口', 'Window'],
  'c.days': ['逐日', 'Day by day'],
  'c.day': ['日期', 'Day'],
  'c.chart_days': ['逐日取号（柱）与等候中位数（线，分钟）', 'Tickets per day (bars) and median wait (line, min)'],
  'c.loading': ['加载中…', 'Loading…'],
  'c.updated': ['已更新 {t}', 'Updated {t}'],
  'err.unauthenticated': ['请先登录', 'Please sign in'],
  'err.network': ['无法连接总部服务器', 'Cannot reach the head office server'],
});

export const t = i18n.t;

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k === 'text') el.textContent = v;
    else if (k === 'class') el.className = v;
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c != null) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

export function replace(el, ...children) {
  el.replaceChildren();
  for (const c of children.flat()) if (c != null) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
}

export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || `HTTP ${status}`);
    this.status = status;
    this.code = e.code || (status === 0 ? 'network' : 'other');
    this.zh = e.message_zh;
    this.field = e.field;
  }
  text() {
    if (this.code === 'network') return t('err.network');
    return i18n.lang() === 'en' ? this.message : this.zh || this.message;
  }
}

export async function call(method, path, body) {
  let r;
  try {
    r = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body || method === 'POST' ? { 'Content-Type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : method === 'POST' ? '{}' : undefined,
    });
  } catch {
    throw new ApiError(0, null);
  }
  const data = await r.json().catch(() => null);
  if (!r.ok) throw new ApiError(r.status, data);
  return data;
}

// Show msg in the page's alert line (empty hides it).
export function say(text, kind = 'error') {
  const m = document.getElementById('msg');
  m.className = `msg ${kind}`;
  m.textContent = text || '';
  m.hidden = !text;
}

// Sign in if needed, then run start(me). The form is a card in the page; the user bar gets a
// sign-out button.
export async function boot(start) {
  i18n.mountToggle(document.getElementById('lang'));
  i18n.apply();
  const form = document.getElementById('login');
  const bar = document.getElementById('userbar');
  const signedIn = (me) => {
    form.hidden = true;
    document.getElementById('content').hidden = false;
    replace(bar, h('span', { text: me.username }), ' ', h('button', {
      class: 'btn small', type: 'button', 'data-i18n': 'c.signout', text: t('c.signout'),
      onclick: async () => {
        await call('POST', '/api/logout').catch(() => {});
        location.reload();
      },
    }));
    start(me);
  };
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    say('');
    try {
      await call('POST', '/api/login', { username: form.elements.user.value, password: form.elements.password.value });
      signedIn(await call('GET', '/api/me'));
    } catch (e) {
      say(e.text());
      form.elements.password.focus();
    }
  });
  try {
    signedIn(await call('GET', '/api/me'));
  } catch (e) {
    if (e.status !== 401) say(e.text());
    form.hidden = false;
    document.body.dataset.state = 'login';
    form.elements.user.focus();
  }
}

// ---- formats ----
export const minutes = (s) => (s == null ? '—' : i18n.fmtWait(s));
export function pct(n, d) {
  if (!d) return '—';
  return `${Math.round((n / d) * 1000) / 10}%`;
}
export function ago(s) {
  if (s == null) return t('c.never');
  if (s < 90) return i18n.lang() === 'en' ? `${s} s` : `${s} 秒`;
  if (s < 5400) return i18n.lang() === 'en' ? `${Math.round(s / 60)} min` : `${Math.round(s / 60)} 分钟`;
  return i18n.lang() === 'en' ? `${Math.round(s / 360) / 10} h` : `${Math.round(s / 360) / 10} 小时`;
}
export const num = (n) => (n == null ? '—' : Number(n).toLocaleString(i18n.lang() === 'en' ? 'en' : 'zh-CN'));

export function isoDate(d) {
  const p = (x) => String(x).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

// A table: cols [{key|get, label, num}], rows, an optional total row (bold).
export function table(el, cols, rows, total) {
  const head = h('tr', null, cols.map((c) => h('th', { scope: 'col', class: c.num ? 'num' : null, text: t(c.label) })));
  const line = (r, isTotal) =>
    h('tr', { class: isTotal ? 'total' : null }, cols.map((c, i) => {
      const v = c.get ? c.get(r, isTotal) : r[c.key];
      const cell = h(i === 0 ? 'th' : 'td', { scope: i === 0 ? 'row' : null, class: [c.num ? 'num' : '', c.cls ? c.cls(r) : ''].join(' ').trim() || null });
      if (v instanceof Node) cell.append(v);
      else cell.textContent = v == null ? '—' : String(v);
      return cell;
    }));
  replace(el, h('thead', null, head), h('tbody', null, rows.map((r) => line(r, false)), total ? line(total, true) : null));
}

const SVGNS = 'http://www.w3.org/2000/svg';
function s(tag, attrs, text) {
  const el = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  if (text != null) el.textContent = text;
  return el;
}

// Horizontal bars, one row per item: series [{key, cls, label}], each a bar stacked below the
// other in the row; value labels at the bar's end. items [{label, values: {key: n}}].
export function hbars(box, items, series, fmt = (v) => String(v)) {
  const rowH = 18 * series.length + 14, L = 190, R = 90, W = 900;
  const H = Math.max(40, items.length * rowH + 10);
  const max = Math.max(1, ...items.flatMap((it) => series.map((se) => it.values[se.key] || 0)));
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, 'aria-hidden': 'true', width: '100%' });
  items.forEach((it, i) => {
    const y0 = 6 + i * rowH;
    svg.append(s('text', { x: L - 8, y: y0 + rowH / 2, 'text-anchor': 'end', class: 'lbl' }, it.label));
    series.forEach((se, j) => {
      const v = it.values[se.key] || 0;
      const w = ((W - L - R) * v) / max;
      svg.append(s('rect', { x: L, y: y0 + j * 18, width: Math.max(1, w), height: 15, class: se.cls }));
      svg.append(s('text', { x: L + w + 6, y: y0 + j * 18 + 12, class: 'val' }, fmt(it.values[se.key], se.key)));
    });
  });
  replace(box, svg);
}

// Day-by-day: bars (bar key) with a line (line key, another scale) over them.
export function dayChart(box, days, barKey, lineKey, lineFmt) {
  const W = 900, H = 300, L = 50, R = 50, T = 16, B = 40;
  const n = Math.max(1, days.length);
  const cw = (W - L - R) / n;
  const maxB = Math.max(1, ...days.map((d) => d[barKey] || 0));
  const maxL = Math.max(1, ...days.map((d) => d[lineKey] || 0));
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, 'aria-hidden': 'true', width: '100%' });
  for (const f of [0, 0.5, 1]) {
    const y = T + (H - T - B) * (1 - f);
    svg.append(s('line', { x1: L, x2: W - R, y1: y, y2: y, class: 'grid' }));
    svg.append(s('text', { x: L - 6, y: y + 4, 'text-anchor': 'end' }, String(Math.round(maxB * f))));
    svg.append(s('text', { x: W - R + 6, y: y + 4 }, lineFmt(maxL * f)));
  }
  const pts = [];
  days.forEach((d, i) => {
    const x = L + i * cw;
    const bh = ((H - T - B) * (d[barKey] || 0)) / maxB;
    svg.append(s('rect', { x: x + cw * 0.15, y: H - B - bh, width: cw * 0.7, height: bh, class: 'bar' }));
    if (d[lineKey] != null) pts.push(`${x + cw / 2},${T + (H - T - B) * (1 - d[lineKey] / maxL)}`);
    if (n <= 16 || i % Math.ceil(n / 16) === 0)
      svg.append(s('text', { x: x + cw / 2, y: H - B + 18, 'text-anchor': 'middle' }, d.day.slice(5)));
  });
  if (pts.length) svg.append(s('polyline', { points: pts.join(' '), class: 'line' }));
  replace(box, svg);
}
