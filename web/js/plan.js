// SPDX-License-Identifier: MIT
// plan.js — the window plan page. GET /plan?date=&target_wait_s=&service_level= gives, per half
// hour, forecast arrivals per service and, per group of services sharing windows, the windows
// needed (Erlang C, checked by simulation) with the simulated service level and waits. Drawn as an
// SVG chart (no library: rects, polylines and text built here; every bar carries its figures in
// data-* for tests and support), a day summary per group and a table; the what-if table (one row
// per half hour, one input per group) posts the windows to POST /plan/what-if and shows the
// simulated share within the target and the mean wait next to each input.

import * as api from './api.js';
import * as i18n from './i18n.js';
import { h, $, replace, boot, showMsg, errText, requireLogin, mountUserBar, svgEl as s } from './ui.js';

i18n.add({
  'pl.title': ['窗口计划', 'Window plan'],
  'skip': ['跳到主要内容', 'Skip to main content'],
  'pl.back': ['← 值班长', '← Duty manager'],
  'pl.params': ['计划条件', 'Plan settings'],
  'pl.date': ['日期', 'Date'],
  'pl.target': ['等候目标（分钟）', 'Waiting target (minutes)'],
  'pl.level': ['达标比例（%）', 'Share within target (%)'],
  'pl.make': ['生成计划', 'Make the plan'],
  'pl.chart': ['预计到达与所需窗口（每半小时）', 'Forecast arrivals and windows needed (per half hour)'],
  'pl.group': ['业务组（共用窗口的业务）', 'Service group (services sharing windows)'],
  'pl.group_n': ['{s} 组', 'Group {s}'],
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
  'pl.whatif_hint': ['修改各时段的窗口数后点“模拟”，右侧显示模拟的达标率和平均等候。', 'Change the windows of any half hour and press Simulate: the simulated share within the target and the mean wait appear on the right.'],
  'pl.simulate': ['模拟', 'Simulate'],
  'pl.reset': ['恢复计划值', 'Back to the plan'],
  'pl.simulating': ['正在模拟…', 'Simulating…'],
  'pl.day': ['全天', 'Whole day'],
  'pl.services': ['业务', 'Services'],
  'pl.wh': ['窗口小时', 'Window hours'],
  'pl.closed': ['{d}：休息日，无需开窗', '{d}: closed, no window needed'],
  'pl.summary': [
    '{d}（按{w}预测）：预计 {n} 人，共 {wh} 窗口小时；目标 {t} 内叫号 {l}；历史 {from} 至 {to}（{tk} 张票）；预测误差：日总量 {mape}，半小时 {wape}',
    '{d} (forecast as a {w}): {n} expected, {wh} window hours; target {l} called within {t}; history {from} to {to} ({tk} tickets); forecast error: daily total {mape}, per half hour {wape}',
  ],
  'pl.met': ['模拟表明全天各时段均达标', 'The simulation meets the target in every half hour'],
  'pl.unmet': ['部分时段即使增开窗口仍未达标', 'Some half hours miss the target even after adding windows'],
  'pl.wi_day': ['{g}：全天模拟达标 {l}，平均等候 {w}，{wh} 窗口小时', '{g}: {l} within the target over the day, mean wait {w}, {wh} window hours'],
  'wd.sun': ['周日', 'Sunday'], 'wd.mon': ['周一', 'Monday'], 'wd.tue': ['周二', 'Tuesday'],
  'wd.wed': ['周三', 'Wednesday'], 'wd.thu': ['周四', 'Thursday'], 'wd.fri': ['周五', 'Friday'],
  'wd.sat': ['周六', 'Saturday'],
});

let services = new Map();
let plan = null;
let whatif = null; // the last what-if answer, for the plan shown
let groupIdx = 0;

const pct = (x) => (x == null ? '—' : `${Math.round(x * 1000) / 10}%`);
const dur = (s) => (s == null ? '—' : i18n.fmtDuration(Math.round(s)));
const svcNames = (codes) => codes.map((c) => `${c} ${i18n.nameOf(services.get(c) || { code: c })}`).join(i18n.lang() === 'en' ? ', ' : '、');
// A group's short label: its service codes ("A B D E F H").
const gLabel = (g) => g.services.join(' ');

function tomorrow() {
  const d = new Date(Date.now() + 86400000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function drawChart() {
  const box = $('#chart');
  if (!plan || !plan.slots.length || !plan.groups.length) {
    replace(box);
    return;
  }
  const g = plan.groups[groupIdx];
  const n = plan.slots.length;
  const W = 1000, H = 340, L = 52, R = 52, T = 16, B = 44;
  const cw = (W - L - R) / n;
  const maxA = Math.max(1, ...g.arrivals);
  const topA = Math.ceil(maxA / 4) * 4; // four even steps
  const maxW = Math.max(1, ...g.windows, ...g.windows_erlang) + 1;
  const ya = (v) => T + (H - T - B) * (1 - v / topA);
  const yw = (v) => T + (H - T - B) * (1 - v / maxW);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, 'aria-hidden': 'true' });
  svg.dataset.group = g.id;
  for (let k = 0; k <= 4; k++) {
    const v = (topA * k) / 4;
    svg.appendChild(s('line', { class: 'grid', x1: L, y1: ya(v), x2: W - R, y2: ya(v) }));
    svg.appendChild(s('text', { x: L - 8, y: ya(v) + 4, 'text-anchor': 'end' }, Math.round(v * 10) / 10));
  }
  g.arrivals.forEach((a, i) => {
    const bar = s('rect', { class: 'bar', x: L + i * cw + 2, y: ya(a), width: Math.max(1, cw - 4), height: H - B - ya(a) });
    bar.dataset.slot = plan.slots[i];
    bar.dataset.arrivals = a;
    bar.dataset.windows = g.windows[i];
    bar.dataset.erlang = g.windows_erlang[i];
    bar.appendChild(s('title', null, `${plan.slots[i]} · ${i18n.t('pl.arrivals')} ${a.toFixed(1)} · ${i18n.t('pl.windows')} ${g.windows[i]} · ${i18n.t('pl.erlang')} ${g.windows_erlang[i]}`));
    svg.appendChild(bar);
    if (n <= 24 || i % 2 === 0) svg.appendChild(s('text', { x: L + i * cw + cw / 2, y: H - B + 18, 'text-anchor': 'middle' }, plan.slots[i]));
  });
  svg.appendChild(s('line', { class: 'axis', x1: L, y1: H - B, x2: W - R, y2: H - B }));
  svg.appendChild(s('line', { class: 'axis', x1: L, y1: T, x2: L, y2: H - B }));
  svg.appendChild(s('line', { class: 'axis', x1: W - R, y1: T, x2: W - R, y2: H - B }));
  const steps = (arr) => arr.map((v, i) => `${L + i * cw},${yw(v)} ${L + (i + 1) * cw},${yw(v)}`).join(' ');
  // Planned windows thick, Erlang C dashed over it: where they agree both stay visible.
  svg.appendChild(s('polyline', { class: 'line', points: steps(g.windows) }));
  svg.appendChild(s('polyline', { class: 'erl', points: steps(g.windows_erlang) }));
  const stepW = Math.max(1, Math.ceil(maxW / 6));
  for (let v = 0; v <= maxW; v += stepW) svg.appendChild(s('text', { x: W - R + 8, y: yw(v) + 4 }, v));
  svg.appendChild(s('text', { x: L, y: H - 4, class: 'axis-label' }, `↑ ${i18n.t('pl.arrivals')}`));
  svg.appendChild(s('text', { x: W - R, y: H - 4, 'text-anchor': 'end', class: 'axis-label' }, `${i18n.t('pl.windows')} ↑`));
  replace(box, svg);
}

// The day per group: services, arrivals, window hours, simulated level, mean and 90% wait.
function drawGroups() {
  const tb = $('#groups-table');
  if (!plan || plan.closed || !plan.groups.length) return replace(tb);
  const head = h('tr', null, h('th', null, i18n.t('pl.group_n', { s: '' }).trim()), h('th', null, i18n.t('pl.services')),
    h('th', { class: 'num' }, i18n.t('pl.arrivals')), h('th', { class: 'num' }, i18n.t('pl.wh')),
    h('th', { class: 'num' }, i18n.t('pl.level_sim')), h('th', { class: 'num' }, i18n.t('pl.wait')), h('th', { class: 'num' }, i18n.t('pl.p90')));
  const rows = plan.groups.map((g) => h('tr', { dataset: { group: g.id } },
    h('th', { scope: 'row' }, gLabel(g)), h('td', null, svcNames(g.services)),
    h('td', { class: 'num' }, String(Math.round(g.day.arrivals))), h('td', { class: 'num' }, String(g.day.window_hours)),
    h('td', { class: g.day.service_level < plan.service_level ? 'num miss' : 'num' }, pct(g.day.service_level)),
    h('td', { class: 'num' }, dur(g.day.mean_wait_s)), h('td', { class: 'num' }, dur(g.day.p90_wait_s))));
  replace(tb, h('thead', null, head), h('tbody', null, rows));
}

function drawTable() {
  const tb = $('#table');
  if (!plan || !plan.slots.length) return replace(tb);
  const ns = plan.services.length;
  const ng = plan.groups.length;
  const head1 = h('tr', null, h('th', { rowspan: 2, scope: 'col' }, i18n.t('pl.time')),
    h('th', { colspan: ns, class: 'grp' }, i18n.t('pl.arrivals')),
    h('th', { colspan: ng, class: 'grp' }, i18n.t('pl.windows')),
    h('th', { colspan: ng, class: 'grp' }, i18n.t('pl.level_sim')),
    h('th', { colspan: ng, class: 'grp' }, i18n.t('pl.wait')),
    h('th', { rowspan: 2, class: 'num' }, i18n.t('pl.total')));
  const gth = () => plan.groups.map((g) => h('th', { class: 'num', title: svcNames(g.services) }, gLabel(g)));
  const head2 = h('tr', null, ...plan.services.map((sv) => h('th', { class: 'num', title: i18n.nameOf(sv) }, sv.code)), ...gth(), ...gth(), ...gth());
  const rows = plan.slots.map((t, i) => h('tr', { dataset: { slot: t } }, h('th', { scope: 'row' }, t),
    ...plan.services.map((sv) => h('td', { class: 'num', dataset: { k: 'arrivals', s: sv.code } }, sv.arrivals[i].toFixed(1))),
    ...plan.groups.map((g) => h('td', { class: 'num strong', dataset: { k: 'windows', g: g.id }, title: `${i18n.t('pl.erlang')}: ${g.windows_erlang[i]}` }, String(g.windows[i]))),
    ...plan.groups.map((g) => h('td', { class: g.service_level[i] != null && g.service_level[i] < plan.service_level ? 'num miss' : 'num', dataset: { k: 'level', g: g.id } }, pct(g.service_level[i]))),
    ...plan.groups.map((g) => h('td', { class: 'num', dataset: { k: 'wait', g: g.id } }, dur(g.mean_wait_s[i]))),
    h('td', { class: 'num strong', dataset: { k: 'total' } }, String(plan.windows_total[i]))));
  replace(tb, h('thead', null, head1, head2), h('tbody', null, rows));
}

// One row per half hour: an input per group, then (after a what-if) the simulated share within
// the target and the mean wait per group.
function drawWhatIf() {
  const tb = $('#whatif-table');
  if (!plan || !plan.slots.length) {
    replace($('#wi-summary'));
    return replace(tb);
  }
  const ng = plan.groups.length;
  const pool = (g) => whatif?.pools?.find((p) => p.id === g.id) || null;
  const head1 = h('tr', null, h('th', { rowspan: 2 }, i18n.t('pl.time')),
    h('th', { colspan: ng, class: 'grp' }, i18n.t('pl.windows')),
    h('th', { colspan: ng, class: 'grp' }, i18n.t('pl.level_sim')),
    h('th', { colspan: ng, class: 'grp' }, i18n.t('pl.wait')));
  const gth = () => plan.groups.map((g) => h('th', { class: 'num', title: svcNames(g.services) }, gLabel(g)));
  const head2 = h('tr', null, ...gth(), ...gth(), ...gth());
  const rows = plan.slots.map((t, i) => h('tr', { dataset: { slot: t } }, h('th', { scope: 'row' }, t),
    ...plan.groups.map((g, gi) => {
      const p = pool(g);
      return h('td', null, h('input', { type: 'number', min: 0, max: 200, value: p ? p.windows[i] : g.windows[i], 'aria-label': `${t} ${gLabel(g)} ${i18n.t('pl.windows')}`, dataset: { g: gi, i } }));
    }),
    ...plan.groups.map((g) => {
      const p = pool(g);
      const x = p ? p.service_level[i] : null;
      return h('td', { class: x != null && x < plan.service_level ? 'num miss' : 'num', dataset: { k: 'wi-level', g: g.id } }, p ? pct(x) : '');
    }),
    ...plan.groups.map((g) => {
      const p = pool(g);
      return h('td', { class: 'num', dataset: { k: 'wi-wait', g: g.id } }, p ? dur(p.mean_wait_s[i]) : '');
    })));
  replace(tb, h('thead', null, head1, head2), h('tbody', null, rows));
  replace($('#wi-summary'), ...(whatif ? plan.groups.map((g) => {
    const p = pool(g);
    return p ? h('span', { class: 'wi-day', dataset: { group: g.id } }, i18n.t('pl.wi_day', { g: gLabel(g), l: pct(p.day.service_level), w: dur(p.day.mean_wait_s), wh: p.day.window_hours })) : null;
  }) : []));
}

function summary() {
  const el = $('#summary');
  if (!plan) return replace(el);
  if (plan.closed) return replace(el, i18n.t('pl.closed', { d: plan.date }));
  const n = plan.services.reduce((a, sv) => a + sv.arrivals_day, 0);
  const e = plan.forecast_error;
  replace(el, i18n.t('pl.summary', {
    d: plan.date, w: i18n.t('wd.' + plan.as_weekday), n: Math.round(n), wh: plan.window_hours,
    t: dur(plan.target_wait_s), l: pct(plan.service_level),
    from: plan.history.from, to: plan.history.to, tk: plan.history.tickets,
    mape: e ? pct(e.mape_day) : '—', wape: e ? pct(e.wape_hall_half_hour) : '—',
  }), ' ', h('strong', { class: plan.met ? 'ok-text' : 'over' }, i18n.t(plan.met ? 'pl.met' : 'pl.unmet')));
}

function render() {
  summary();
  const sel = $('#p-group');
  replace(sel, ...(plan ? plan.groups.map((g, i) => h('option', { value: i, selected: i === groupIdx }, `${gLabel(g)} — ${svcNames(g.services)}`)) : []));
  drawGroups();
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
  $('#p-make').disabled = true;
  try {
    plan = await api.get(`/plan?${q}`);
    whatif = null;
    if (groupIdx >= plan.groups.length) groupIdx = 0;
    render();
    document.body.dataset.planDate = plan.date; // for tests: which plan is drawn
  } catch (e) {
    showMsg($('#msg'), errText(e));
  } finally {
    $('#p-make').disabled = false;
  }
}

async function runWhatIf(ev) {
  ev.preventDefault();
  if (!plan) return;
  const windows = {};
  plan.groups.forEach((g) => (windows[g.id] = g.windows.slice()));
  for (const inp of $('#whatif-table').querySelectorAll('input')) windows[plan.groups[+inp.dataset.g].id][+inp.dataset.i] = Math.max(0, Math.round(Number(inp.value) || 0));
  showMsg($('#msg'), '');
  $('#wi-run').disabled = true;
  replace($('#wi-summary'), i18n.t('pl.simulating'));
  try {
    whatif = await api.post('/plan/what-if', { date: plan.date, target_wait_s: plan.target_wait_s, service_level: plan.service_level, windows });
    drawWhatIf();
  } catch (e) {
    showMsg($('#msg'), errText(e));
    replace($('#wi-summary'));
  } finally {
    $('#wi-run').disabled = false;
  }
}

async function ready(u) {
  mountUserBar($('#userbar'), u);
  // What-if is for managers and admins; a guide reads the plan only.
  document.querySelector('section.whatif').hidden = u?.role === 'guide';
  try {
    const [hall, list] = await Promise.all([api.get('/hall', { auth: false }), api.get('/services', { auth: false })]);
    $('#hall-name').textContent = i18n.nameOf(hall);
    i18n.onChange(() => ($('#hall-name').textContent = i18n.nameOf(hall)));
    services = new Map((Array.isArray(list) ? list : []).map((x) => [x.code, x]));
    if (!$('#p-target').value) $('#p-target').value = Math.round((hall.target_wait_s || 900) / 60);
  } catch (e) {
    showMsg($('#msg'), errText(e));
  }
  await load();
}

boot();
// ?date=YYYY-MM-DD opens that day's plan (links, tests); tomorrow otherwise.
const qd = new URLSearchParams(location.search).get('date');
$('#p-date').value = qd && /^\d{4}-\d{2}-\d{2}$/.test(qd) ? qd : tomorrow();
$('#plan-form').addEventListener('submit', (e) => {
  e.preventDefault();
  load();
});
$('#p-group').addEventListener('change', (e) => {
  groupIdx = Number(e.target.value) || 0;
  drawChart();
});
$('#whatif-form').addEventListener('submit', runWhatIf);
$('#wi-reset').addEventListener('click', () => {
  whatif = null;
  drawWhatIf();
});
i18n.onChange(render);
requireLogin({ roles: ['manager', 'admin', 'guide'], onReady: ready });
