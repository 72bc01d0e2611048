// SPDX-License-Identifier: MIT
// plan.js — the window plan page. GET /plan?date=&target_wait_s=&service_level= gives, per half
// hour, forecast arrivals per service and, per group of services sharing windows, the windows
// needed (Erlang C, checked by simulation) with the predicted service level and waits. Drawn as an
// SVG chart (no library: rects, polylines and text built here) and a table; the what-if form posts
// the windows per group and half hour to POST /plan/what-if and shows the simulated waits.

import * as api from './api.js';
import * as i18n from './i18n.js';
import { h, $, replace, boot, showMsg, errText, requireLogin, mountUserBar } from './ui.js';

i18n.add({
  'pl.title': ['窗口计划', 'Window plan'],
  'skip': ['跳到主要内容', 'Skip to main content'],
  'pl.params': ['计划条件', 'Plan settings'],
  'pl.date': ['日期', 'Date'],
  'pl.target': ['等候目标（分钟）', 'Waiting target (minutes)'],
  'pl.level': ['达标比例（%）', 'Share within target (%)'],
  'pl.make': ['生成计划', 'Make the plan'],
  'pl.chart': ['预计到达与所需窗口（每半小时）', 'Forecast arrivals and windows needed (per half hour)'],
  'pl.group': ['业务组', 'Service group'],
  'pl.arrivals': ['预计到达人数', 'Forecast arrivals'],
  'pl.windows': ['计划窗口数', 'Windows planned'],
  'pl.erlang': ['Erlang C 窗口数', 'Windows by Erlang C'],
  'pl.table': ['计划明细', 'Plan in detail'],
  'pl.time': ['时段', 'Half hour'],
  'pl.level_sim': ['模拟达标率', 'Simulated share in time'],
  'pl.wait': ['平均等候', 'Mean wait'],
  'pl.p90': ['90% 等候', '90% wait'],
  'pl.total': ['窗口合计', 'Windows in all'],
  'pl.whatif': ['假设分析：按以下窗口数开放，等候会怎样', 'What if: with these windows open, what waits follow'],
  'pl.simulate': ['模拟', 'Simulate'],
  'pl.day': ['全天', 'Whole day'],
  'pl.closed': ['{d}：休息日，无需开窗', '{d}: closed, no window needed'],
  'pl.summary': [
    '{d}（按{w}预测）：预计 {n} 人，共 {wh} 窗口小时；历史 {from} 至 {to}（{t} 张票）；预测误差：日总量 {mape}，半小时 {wape}',
    '{d} (forecast as {w}): {n} expected, {wh} window hours; history {from} to {to} ({t} tickets); forecast error: daily total {mape}, per half hour {wape}',
  ],
  'pl.unmet': ['部分时段即使增开窗口仍未达标', 'Some half hours miss the target even after adding windows'],
  'wd.sun': ['周日', 'Sunday'], 'wd.mon': ['周一', 'Monday'], 'wd.tue': ['周二', 'Tuesday'],
  'wd.wed': ['周三', 'Wednesday'], 'wd.thu': ['周四', 'Thursday'], 'wd.fri': ['周五', 'Friday'],
  'wd.sat': ['周六', 'Saturday'],
});

let services = new Map();
let plan = null;
let groupIdx = 0;

const pct = (x) => (x == null ? '—' : `${Math.round(x * 1000) / 10}%`);
const mins = (s) => (s == null ? '—' : i18n.fmtDuration(Math.round(s)));
const groupName = (g) => g.services.map((c) => `${c} ${i18n.nameOf(services.get(c) || { code: c })}`).join('、');

function tomorrow() {
  const d = new Date(Date.now() + 86400000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

const SVGNS = 'http://www.w3.org/2000/svg';
function s(tag, attrs, text) {
  const el = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  if (text != null) el.textContent = text;
  return el;
}

function drawChart() {
  const box = $('#chart');
  if (!plan || !plan.slots.length) {
    replace(box);
    return;
  }
  const g = plan.groups[groupIdx];
  const n = plan.slots.length;
  const W = 900, H = 320, L = 48, R = 48, T = 16, B = 40;
  const cw = (W - L - R) / n;
  const maxA = Math.max(1, ...g.arrivals);
  const maxW = Math.max(1, ...g.windows, ...g.windows_erlang);
  const ya = (v) => T + (H - T - B) * (1 - v / maxA);
  const yw = (v) => T + (H - T - B) * (1 - v / (maxW + 1));
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, 'aria-hidden': 'true' });
  svg.appendChild(s('line', { class: 'axis', x1: L, y1: H - B, x2: W - R, y2: H - B }));
  svg.appendChild(s('line', { class: 'axis', x1: L, y1: T, x2: L, y2: H - B }));
  svg.appendChild(s('line', { class: 'axis', x1: W - R, y1: T, x2: W - R, y2: H - B }));
  g.arrivals.forEach((a, i) => {
    svg.appendChild(s('rect', { class: 'bar', x: L + i * cw + 2, y: ya(a), width: Math.max(1, cw - 4), height: H - B - ya(a) }, null));
    if (n <= 24 || i % 2 === 0) svg.appendChild(s('text', { x: L + i * cw + cw / 2, y: H - B + 16, 'text-anchor': 'middle' }, plan.slots[i]));
  });
  const steps = (arr) => arr.map((v, i) => `${L + i * cw},${yw(v)} ${L + (i + 1) * cw},${yw(v)}`).join(' ');
  svg.appendChild(s('polyline', { class: 'erl', points: steps(g.windows_erlang) }));
  svg.appendChild(s('polyline', { class: 'line', points: steps(g.windows) }));
  for (let k = 0; k <= 4; k++) {
    const v = (maxA * k) / 4;
    svg.appendChild(s('text', { x: L - 6, y: ya(v) + 4, 'text-anchor': 'end' }, Math.round(v)));
  }
  for (let v = 0; v <= maxW + 1; v += Math.max(1, Math.ceil((maxW + 1) / 6)))
    svg.appendChild(s('text', { x: W - R + 6, y: yw(v) + 4 }, v));
  svg.appendChild(s('text', { x: L, y: H - 4 }, i18n.t('pl.arrivals')));
  svg.appendChild(s('text', { x: W - R, y: H - 4, 'text-anchor': 'end' }, i18n.t('pl.windows')));
  replace(box, svg);
}

function drawTable() {
  const tb = $('#table');
  if (!plan || !plan.slots.length) {
    replace(tb);
    return;
  }
  const head = h('tr', null, h('th', null, i18n.t('pl.time')),
    ...plan.services.map((sv) => h('th', { class: 'num', title: i18n.nameOf(sv) }, `${sv.code} ${i18n.t('pl.arrivals')}`)),
    ...plan.groups.map((g) => h('th', { class: 'num', title: groupName(g) }, `${g.id} ${i18n.t('pl.windows')}`)),
    ...plan.groups.map((g) => h('th', { class: 'num' }, `${g.id} ${i18n.t('pl.level_sim')}`)),
    ...plan.groups.map((g) => h('th', { class: 'num' }, `${g.id} ${i18n.t('pl.wait')}`)),
    h('th', { class: 'num' }, i18n.t('pl.total')));
  const rows = plan.slots.map((t, i) => h('tr', null, h('th', { scope: 'row' }, t),
    ...plan.services.map((sv) => h('td', { class: 'num' }, sv.arrivals[i].toFixed(1))),
    ...plan.groups.map((g) => h('td', { class: 'num' }, g.windows[i])),
    ...plan.groups.map((g) => h('td', { class: g.service_level[i] != null && g.service_level[i] < plan.service_level ? 'num miss' : 'num' }, pct(g.service_level[i]))),
    ...plan.groups.map((g) => h('td', { class: 'num' }, mins(g.mean_wait_s[i]))),
    h('td', { class: 'num' }, plan.windows_total[i])));
  replace(tb, h('thead', null, head), h('tbody', null, rows));
}

function drawWhatIf() {
  const tb = $('#whatif-table');
  if (!plan || !plan.slots.length) {
    replace(tb);
    return;
  }
  const head = h('tr', null, h('th', null, i18n.t('pl.group')), ...plan.slots.map((t) => h('th', { class: 'num' }, t)));
  const rows = plan.groups.map((g, gi) => h('tr', null, h('th', { scope: 'row', title: groupName(g) }, g.id),
    ...g.windows.map((w, i) => h('td', null, h('input', { type: 'number', min: 0, max: 200, value: w, 'aria-label': `${g.id} ${plan.slots[i]}`, dataset: { g: gi, i } })))));
  replace(tb, h('thead', null, head), h('tbody', null, rows));
  replace($('#whatif-result'));
}

function summary() {
  const el = $('#summary');
  if (!plan) return replace(el);
  if (plan.closed) return replace(el, i18n.t('pl.closed', { d: plan.date }));
  const n = plan.services.reduce((a, sv) => a + sv.arrivals_day, 0);
  const e = plan.forecast_error;
  replace(el, i18n.t('pl.summary', {
    d: plan.date, w: i18n.t('wd.' + plan.as_weekday), n: Math.round(n), wh: plan.window_hours,
    from: plan.history.from, to: plan.history.to, t: plan.history.tickets,
    mape: e ? pct(e.mape_day) : '—', wape: e ? pct(e.wape_hall_half_hour) : '—',
  }), plan.met ? null : h('strong', null, ' ', i18n.t('pl.unmet')));
}

function render() {
  summary();
  const sel = $('#p-group');
  replace(sel, ...(plan ? plan.groups.map((g, i) => h('option', { value: i, selected: i === groupIdx }, groupName(g))) : []));
  drawChart();
  drawTable();
  drawWhatIf();
}

async function load() {
  const date = $('#p-date').value;
  const q = new URLSearchParams({ date });
  if ($('#p-target').value) q.set('target_wait_s', String(Math.round(Number($('#p-target').value) * 60)));
  if ($('#p-level').value) q.set('service_level', String(Number($('#p-level').value) / 100));
  showMsg($('#msg'), '');
  try {
    plan = await api.get(`/plan?${q}`);
    if (groupIdx >= plan.groups.length) groupIdx = 0;
    render();
  } catch (e) {
    showMsg($('#msg'), errText(e));
  }
}

async function whatIf(ev) {
  ev.preventDefault();
  if (!plan) return;
  const windows = {};
  plan.groups.forEach((g) => (windows[g.id] = g.windows.slice()));
  for (const inp of $('#whatif-table').querySelectorAll('input')) windows[plan.groups[+inp.dataset.g].id][+inp.dataset.i] = Math.max(0, Math.round(Number(inp.value) || 0));
  try {
    const r = await api.post('/plan/what-if', { date: plan.date, target_wait_s: plan.target_wait_s, service_level: plan.service_level, windows });
    const head = h('tr', null, h('th', null, i18n.t('pl.group')), h('th', { class: 'num' }, i18n.t('pl.day')), ...r.slots.map((t) => h('th', { class: 'num' }, t)));
    const rows = r.pools.flatMap((p) => [
      h('tr', null, h('th', { scope: 'row' }, `${p.id} ${i18n.t('pl.level_sim')}`), h('td', { class: 'num' }, pct(p.day.service_level)),
        ...p.service_level.map((x) => h('td', { class: x != null && x < plan.service_level ? 'num miss' : 'num' }, pct(x)))),
      h('tr', null, h('th', { scope: 'row' }, `${p.id} ${i18n.t('pl.wait')}`), h('td', { class: 'num' }, mins(p.day.mean_wait_s)),
        ...p.mean_wait_s.map((x) => h('td', { class: 'num' }, mins(x)))),
    ]);
    replace($('#whatif-result'), h('thead', null, head), h('tbody', null, rows));
  } catch (e) {
    showMsg($('#msg'), errText(e));
  }
}

async function ready(u) {
  mountUserBar($('#userbar'), u);
  try {
    const [hall, list] = await Promise.all([api.get('/hall', { auth: false }), api.get('/services', { auth: false })]);
    $('#hall-name').textContent = i18n.nameOf(hall);
    services = new Map((Array.isArray(list) ? list : []).map((x) => [x.code, x]));
    if (!$('#p-target').value) $('#p-target').value = Math.round((hall.target_wait_s || 900) / 60);
  } catch (e) {
    showMsg($('#msg'), errText(e));
  }
  await load();
}

boot();
$('#p-date').value = tomorrow();
$('#plan-form').addEventListener('submit', (e) => {
  e.preventDefault();
  load();
});
$('#p-group').addEventListener('change', (e) => {
  groupIdx = Number(e.target.value) || 0;
  drawChart();
});
$('#whatif-form').addEventListener('submit', whatIf);
i18n.onChange(render);
requireLogin({ roles: ['manager', 'admin', 'guide'], onReady: ready });
