// SPDX-License-Identifier: MIT
// stats.js — the statistics page. GET /stats?from=&to= gives the period's figures: key figures,
// the waiting per hour of issue (drawn here as an SVG bar chart with the 90th percentile and the
// hall's target), the satisfaction levels (SVG bars), tables per service, window and clerk (with
// the scorecard against targets). GET /stats/compare tests two periods or two windows; the report
// downloads (CSV, XLSX, PDF) are fetched with the session token and saved from a Blob.

import * as api from './api.js';
import * as i18n from './i18n.js';
import { h, $, $$, replace, boot, showMsg, errText, requireLogin, mountUserBar, svgEl as s } from './ui.js';
import './stats_gap.js'; // the surveys' gap analysis (listens to hq:stats)
import './stats_pauses.js'; // paused time per window and clerk (listens to hq:stats)

i18n.add({
  'st.title': ['统计报表', 'Statistics'],
  'skip': ['跳到主要内容', 'Skip to main content'],
  'st.period': ['统计期间', 'Period'],
  'st.from': ['开始日期', 'From'],
  'st.to': ['结束日期', 'To'],
  'st.show': ['查看', 'Show'],
  'st.download': ['下载报表：', 'Download the report: '],
  'st.overview': ['概览', 'Overview'],
  'st.wait_chart': ['各时段等候时间（按取号时段）', 'Waiting per hour of issue'],
  'st.mean_wait': ['平均等候', 'Mean wait'],
  'st.p90_wait': ['90% 等候', '90th percentile wait'],
  'st.target': ['等候目标', 'Waiting target'],
  'st.sat_chart': ['满意度分布', 'Satisfaction by level'],
  'st.services': ['业务', 'Services'],
  'st.windows': ['窗口', 'Windows'],
  'st.staff': ['人员考核', 'Staff scorecards'],
  'st.compare': ['对比分析（显著性检验）', 'Comparison (significance tests)'],
  'st.cmp_mode': ['对比', 'Compare'],
  'st.cmp_periods': ['两个期间', 'Two periods'],
  'st.cmp_windows': ['两个窗口（上方期间）', 'Two windows (period above)'],
  'st.a_from': ['期间 A 开始', 'Period A from'],
  'st.a_to': ['期间 A 结束', 'Period A to'],
  'st.b_from': ['期间 B 开始', 'Period B from'],
  'st.b_to': ['期间 B 结束', 'Period B to'],
  'st.window_a': ['窗口 A', 'Window A'],
  'st.window_b': ['窗口 B', 'Window B'],
  'st.compare_go': ['对比', 'Compare'],
  'st.k.issued': ['取号', 'Tickets issued'],
  'st.k.served': ['办结', 'Served'],
  'st.k.no_show': ['过号', 'No-shows'],
  'st.k.cancelled': ['取消 / 作废', 'Cancelled / expired'],
  'st.k.wait': ['平均等候', 'Mean wait'],
  'st.k.wait_sub': ['中位数 {m}，90% {p}', 'median {m}, 90% {p}'],
  'st.k.within': ['目标内叫号', 'Called within target'],
  'st.k.within_sub': ['目标 {t}', 'target {t}'],
  'st.k.service': ['平均办理', 'Mean service'],
  'st.k.rate': ['满意率（4–5 级）', 'Satisfaction rate (4–5)'],
  'st.k.rate_sub': ['95% 区间 {lo}–{hi}，{n} 条评价', '95% CI {lo}–{hi}, {n} evaluations'],
  'st.k.index': ['满意度指数', 'Satisfaction index'],
  'st.k.complaints': ['投诉', 'Complaints'],
  'st.c.key': ['编号', 'Key'],
  'st.c.name': ['名称', 'Name'],
  'st.c.issued': ['取号', 'Issued'],
  'st.c.called': ['叫号', 'Called'],
  'st.c.served': ['办结', 'Served'],
  'st.c.no_show': ['过号', 'No-shows'],
  'st.c.wait': ['平均等候', 'Mean wait'],
  'st.c.p90': ['90% 等候', '90% wait'],
  'st.c.within': ['目标内', 'In target'],
  'st.c.service': ['平均办理', 'Mean service'],
  'st.c.target_service': ['办理目标', 'Service target'],
  'st.c.rate': ['满意率', 'Satisfied'],
  'st.c.ci': ['95% 区间', '95% CI'],
  'st.c.index': ['指数', 'Index'],
  'st.c.evals': ['评价', 'Evaluations'],
  'st.c.complaints': ['投诉', 'Complaints'],
  'st.c.days': ['天数', 'Days'],
  'st.c.met_service': ['时长达标', 'Time met'],
  'st.c.met_sat': ['满意达标', 'Rate met'],
  'st.yes': ['达标', 'met'],
  'st.no': ['未达标', 'missed'],
  'st.near': ['略超（容差内）', 'just over (within tolerance)'],
  'st.c.wait_mine': ['平均等候', 'Mean wait'],
  'st.c.met_wait': ['等候达标', 'Wait met'],
  'st.tolerance': [
    '容差：时长超出目标不到 10%（至少 30 秒）记为“略超”，不算未达标；满意率低于目标但 95% 区间仍达到目标记为“略超”。',
    'Tolerance: a time over its target by less than 10% (at least 30 s) is “just over”, not missed; a satisfaction rate below the target whose 95% interval still reaches it is “just over”.',
  ],
  'st.miss_wait': ['未达等候目标：{list}', 'Missed the waiting target: {list}'],
  'st.miss_service': ['未达办理时长目标：{list}', 'Missed the service time target: {list}'],
  'st.miss_sat': ['未达满意率目标：{list}', 'Missed the satisfaction target: {list}'],
  'st.miss_none': ['无人明显未达标', 'Nobody misses a target by a margin that matters'],
  'st.t.better_a': ['A 更好', 'A is better'],
  'st.t.better_b': ['B 更好', 'B is better'],
  'st.t.same': ['相同', 'The same'],
  'st.t.dir_rate': ['满意率越高越好', 'higher rate is better'],
  'st.t.dir_level': ['等级越高越好', 'higher level is better'],
  'st.t.dir_wait': ['等候越短越好', 'shorter wait is better'],
  'st.t.n': ['样本 A {a} / B {b}', 'n A {a} / B {b}'],
  'st.source': [
    '数据来源：{t} 张号票、{e} 条评价、{c} 件投诉；事件日志 #{a}–#{b}（取号事件 {i} 条）',
    'Sources: {t} ticket rows, {e} evaluations, {c} complaints; event log #{a}–#{b} ({i} ticket.issued events)',
  ],
  'st.no_data': ['无数据', 'No data'],
  'st.t.test': ['检验', 'Test'],
  'st.t.a': ['A', 'A'],
  'st.t.b': ['B', 'B'],
  'st.t.diff': ['差值 A−B', 'Difference A−B'],
  'st.t.stat': ['统计量', 'Statistic'],
  'st.t.p': ['p 值', 'p-value'],
  'st.t.verdict': ['结论（α = 0.05）', 'Verdict (α = 0.05)'],
  'st.t.rate': ['满意率（两比例 z 检验）', 'Satisfaction rate (two-proportion z)'],
  'st.t.level': ['平均评价等级（Welch t 检验）', 'Mean level (Welch t)'],
  'st.t.wait': ['平均等候（Welch t 检验）', 'Mean wait (Welch t)'],
  'st.t.sig': ['差异显著', 'Significant difference'],
  'st.t.nosig': ['差异不显著', 'No significant difference'],
  'st.t.invalid': ['数据不足', 'Not enough data'],
  'st.reasons': ['评价原因', 'Reasons given'],
  'st.r.reason': ['原因', 'Reason'],
  'st.r.n': ['次数', 'Times'],
  'st.r.mean': ['平均等级', 'Mean level'],
  'lv.1': ['非常不满意', 'Very dissatisfied'],
  'lv.2': ['不满意', 'Dissatisfied'],
  'lv.3': ['基本满意', 'Fairly satisfied'],
  'lv.4': ['满意', 'Satisfied'],
  'lv.5': ['非常满意', 'Very satisfied'],
});

let stats = null;
let compare = null;

// Figures are rounded once, by the server (the group's "display" object: the same rounding as the
// CSV, XLSX and PDF); here they are only written out. dpct: a share already rounded to 0.001;
// dmin: minutes already rounded to 0.1; dnum: a number already rounded to 0.1.
const unit = () => (i18n.lang() === 'en' ? 'min' : '分钟');
const dpct = (x) => (x == null ? '—' : `${(x * 100).toFixed(1)}%`);
const dmin = (m) => (m == null ? '—' : `${m.toFixed(1)} ${unit()}`);
const dnum = (x) => (x == null ? '—' : x.toFixed(1));
// Whole seconds the server gives as they are (targets): minutes with one decimal.
const mins = (s) => (s == null ? '—' : `${(Math.round(s / 6) / 10).toFixed(1)} ${unit()}`);
const D = (g) => g.display || {};
const gname = (g) => (i18n.lang() === 'en' && g.name_en ? g.name_en : g.name || g.name_en || g.key);

function localDay(offset = 0) {
  const d = new Date(Date.now() + offset * 86400000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function kpi(label, value, sub, key) {
  return h('div', { class: 'kpi', dataset: { k: key } }, h('div', { class: 'l' }, label), h('div', { class: 'v' }, value), sub ? h('div', { class: 's' }, sub) : null);
}

function drawKpis() {
  const box = $('#kpis');
  if (!stats) return replace(box);
  const t = stats.total;
  const sat = t.satisfaction;
  replace(
    box,
    kpi(i18n.t('st.k.issued'), String(t.counts.issued), null, 'issued'),
    kpi(i18n.t('st.k.served'), String(t.counts.served), null, 'served'),
    kpi(i18n.t('st.k.no_show'), String(t.counts.no_show), null, 'no_show'),
    kpi(i18n.t('st.k.cancelled'), `${t.counts.cancelled} / ${t.counts.expired}`, null, 'cancelled'),
    kpi(i18n.t('st.k.wait'), dmin(D(t).wait_mean_min), i18n.t('st.k.wait_sub', { m: dmin(D(t).wait_median_min), p: dmin(D(t).wait_p90_min) }), 'wait'),
    kpi(i18n.t('st.k.within'), dpct(D(t).within_share), i18n.t('st.k.within_sub', { t: mins(stats.target_wait_s) }), 'within'),
    kpi(i18n.t('st.k.service'), dmin(D(t).service_mean_min), i18n.t('st.k.wait_sub', { m: dmin(D(t).service_median_min), p: dmin(D(t).service_p90_min) }), 'service'),
    kpi(i18n.t('st.k.rate'), dpct(D(t).rate), sat.n ? i18n.t('st.k.rate_sub', { lo: dpct(D(t).rate_lo), hi: dpct(D(t).rate_hi), n: sat.n }) : null, 'rate'),
    kpi(i18n.t('st.k.index'), dnum(D(t).index), null, 'index'),
    kpi(i18n.t('st.k.complaints'), String(t.complaints), null, 'complaints'),
  );
  const src = stats.source;
  $('#source').textContent = i18n.t('st.source', { t: src.tickets, e: src.evaluations, c: src.complaints, a: src.first_seq, b: src.last_seq, i: src.events['ticket.issued'] || 0 });
}

// Mean wait per hour of issue, the hours between the first and the last with tickets.
function drawWaitChart() {
  const box = $('#wait-chart');
  const hours = (stats?.hours || []).filter((g) => g.wait.n > 0);
  if (!hours.length) return replace(box, h('p', null, i18n.t('st.no_data')));
  const first = Number(hours[0].key);
  const last = Number(hours[hours.length - 1].key);
  const byHour = new Map(hours.map((g) => [Number(g.key), g]));
  const n = last - first + 1;
  const W = 640, H = 300, L = 48, R = 12, T = 14, B = 34;
  const target = stats.target_wait_s / 60;
  const maxV = Math.max(target, ...hours.map((g) => g.wait.p90_s / 60));
  const top = Math.max(5, Math.ceil(maxV / 5) * 5);
  const y = (v) => T + (H - T - B) * (1 - v / top);
  const cw = (W - L - R) / n;
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, 'aria-hidden': 'true' });
  for (let k = 0; k <= 5; k++) {
    const v = (top * k) / 5;
    svg.appendChild(s('line', { class: 'grid', x1: L, x2: W - R, y1: y(v), y2: y(v) }));
    svg.appendChild(s('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end' }, String(v)));
  }
  svg.appendChild(s('text', { x: 4, y: T + 4 }, i18n.lang() === 'en' ? 'min' : '分'));
  for (let hr = first; hr <= last; hr++) {
    const g = byHour.get(hr);
    const x = L + (hr - first) * cw;
    if (g) {
      const mean = g.wait.mean_s / 60;
      const bar = s('rect', { class: `bar${g.wait.mean_s > stats.target_wait_s ? ' over' : ''}`, x: x + cw * 0.15, y: y(mean), width: cw * 0.7, height: Math.max(0, H - B - y(mean)) });
      bar.setAttribute('data-hour', String(hr));
      bar.setAttribute('data-mean', String(g.wait.mean_s));
      bar.appendChild(s('title', null, `${String(hr).padStart(2, '0')}:00 · ${i18n.t('st.mean_wait')} ${dmin(D(g).wait_mean_min)} · ${i18n.t('st.p90_wait')} ${dmin(D(g).wait_p90_min)} · n = ${g.wait.n}`));
      svg.appendChild(bar);
      const py = y(g.wait.p90_s / 60);
      svg.appendChild(s('line', { class: 'p90', x1: x + cw * 0.3, x2: x + cw * 0.7, y1: py, y2: py }));
    }
    svg.appendChild(s('text', { x: x + cw / 2, y: H - B + 16, 'text-anchor': 'middle' }, String(hr).padStart(2, '0')));
  }
  svg.appendChild(s('line', { class: 'target', x1: L, x2: W - R, y1: y(target), y2: y(target) }));
  svg.appendChild(s('line', { class: 'grid', x1: L, x2: L, y1: T, y2: H - B }));
  replace(box, svg);
}

function drawSatChart() {
  const box = $('#sat-chart');
  const sat = stats?.total.satisfaction;
  if (!sat || !sat.n) return replace(box, h('p', null, i18n.t('st.no_data')));
  const W = 420, rowH = 34, L = 130, R = 90, H = rowH * 5 + 10;
  const max = Math.max(1, ...[1, 2, 3, 4, 5].map((l) => sat.levels[String(l)]));
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, 'aria-hidden': 'true' });
  [5, 4, 3, 2, 1].forEach((lv, i) => {
    const n = sat.levels[String(lv)];
    const y0 = 5 + i * rowH;
    const w = ((W - L - R) * n) / max;
    svg.appendChild(s('text', { x: 0, y: y0 + rowH / 2 + 4 }, `${lv} ${i18n.t('lv.' + lv)}`));
    const bar = s('rect', { class: `lv${lv}`, x: L, y: y0 + 6, width: w, height: rowH - 12 });
    bar.setAttribute('data-level', String(lv));
    bar.setAttribute('data-n', String(n));
    svg.appendChild(bar);
    svg.appendChild(s('text', { x: L + w + 6, y: y0 + rowH / 2 + 4 }, `${n} (${dpct(Math.round((n / sat.n) * 1000) / 1000)})`));
  });
  replace(box, svg);
}

function drawReasons() {
  const el = $('#t-reasons');
  const rs = stats?.reasons || [];
  if (!rs.length) return replace(el, h('tbody', null, h('tr', null, h('td', null, i18n.t('st.no_data')))));
  replace(
    el,
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, i18n.t('st.r.reason')), h('th', { class: 'num', scope: 'col' }, i18n.t('st.r.n')), h('th', { class: 'num', scope: 'col' }, i18n.t('st.r.mean')))),
    h('tbody', null, ...rs.map((r) => h('tr', null, h('td', null, r.reason), h('td', { class: 'num' }, String(r.n)), h('td', { class: 'num' }, dnum(Math.round(r.mean_level * 10) / 10))))),
  );
}

function table(el, groups, cols) {
  const head = h('tr', null, ...cols.map((c) => h('th', { class: c.num ? 'num' : null, scope: 'col' }, i18n.t(c.label))));
  const rows = groups.map((g) => h('tr', { dataset: { key: g.key } }, ...cols.map((c) => {
    const v = c.value(g);
    return h('td', { class: [c.num ? 'num' : '', c.cls ? c.cls(g) : ''].join(' ').trim() || null, dataset: c.id ? { col: c.id } : c.verdict ? { verdict: c.verdict } : undefined }, v);
  })));
  replace(el, h('thead', null, head), h('tbody', null, ...rows));
}

const base = [
  { label: 'st.c.key', value: (g) => g.key },
  { label: 'st.c.name', value: gname },
];
const waitCols = [
  { label: 'st.c.wait', num: true, value: (g) => dmin(D(g).wait_mean_min), id: 'wait_mean_min' },
  { label: 'st.c.p90', num: true, value: (g) => dmin(D(g).wait_p90_min), id: 'wait_p90_min' },
  { label: 'st.c.within', num: true, value: (g) => dpct(D(g).within_share), id: 'within_share' },
  { label: 'st.c.service', num: true, value: (g) => dmin(D(g).service_mean_min), id: 'service_mean_min' },
];
const satCols = [
  { label: 'st.c.evals', num: true, value: (g) => String(g.satisfaction.n) },
  { label: 'st.c.rate', num: true, value: (g) => dpct(D(g).rate), id: 'rate' },
  { label: 'st.c.ci', num: true, value: (g) => (g.satisfaction.n ? `${dpct(D(g).rate_lo)}–${dpct(D(g).rate_hi)}` : '—') },
  { label: 'st.c.index', num: true, value: (g) => dnum(D(g).index), id: 'index' },
];
// A verdict against a target: met, just over (within the documented tolerance), missed.
const verdictText = (v) => (v === 'met' ? i18n.t('st.yes') : v === 'within_tolerance' ? i18n.t('st.near') : v === 'missed' ? i18n.t('st.no') : '—');
const verdictCls = (v) => (v === 'met' ? 'met' : v === 'within_tolerance' ? 'near' : v === 'missed' ? 'miss' : '');

function drawTables() {
  if (!stats) return;
  table($('#t-services'), stats.services, [
    ...base,
    { label: 'st.c.issued', num: true, value: (g) => String(g.counts.issued) },
    { label: 'st.c.served', num: true, value: (g) => String(g.counts.served) },
    { label: 'st.c.no_show', num: true, value: (g) => String(g.counts.no_show) },
    ...waitCols,
    ...satCols,
  ]);
  table($('#t-windows'), stats.windows, [
    ...base,
    { label: 'st.c.called', num: true, value: (g) => String(g.counts.called) },
    { label: 'st.c.served', num: true, value: (g) => String(g.counts.served) },
    { label: 'st.c.no_show', num: true, value: (g) => String(g.counts.no_show) },
    ...waitCols,
    ...satCols,
    { label: 'st.c.complaints', num: true, value: (g) => String(g.complaints) },
  ]);
  table($('#t-staff'), stats.staff, [
    ...base,
    { label: 'st.c.days', num: true, value: (g) => String(g.scorecard.days) },
    { label: 'st.c.called', num: true, value: (g) => String(g.counts.called) },
    { label: 'st.c.wait_mine', num: true, value: (g) => dmin(D(g).wait_mean_min), id: 'wait_mean_min' },
    { label: 'st.c.met_wait', value: (g) => verdictText(g.scorecard.wait_verdict), cls: (g) => verdictCls(g.scorecard.wait_verdict), verdict: 'wait' },
    { label: 'st.c.served', num: true, value: (g) => String(g.counts.served) },
    { label: 'st.c.service', num: true, value: (g) => dmin(D(g).service_mean_min), id: 'service_mean_min' },
    { label: 'st.c.target_service', num: true, value: (g) => dmin(D(g).target_service_min), id: 'target_service_min' },
    { label: 'st.c.met_service', value: (g) => verdictText(g.scorecard.service_verdict), cls: (g) => verdictCls(g.scorecard.service_verdict), verdict: 'service' },
    { label: 'st.c.evals', num: true, value: (g) => String(g.satisfaction.n) },
    { label: 'st.c.rate', num: true, value: (g) => dpct(D(g).rate), id: 'rate' },
    { label: 'st.c.met_sat', value: (g) => verdictText(g.scorecard.satisfaction_verdict), cls: (g) => verdictCls(g.scorecard.satisfaction_verdict), verdict: 'satisfaction' },
    { label: 'st.c.complaints', num: true, value: (g) => String(g.scorecard.complaints) },
  ]);
  // Who misses a target by a margin that matters, by name; the tolerance said in words.
  const m = stats.staff_misses || { wait: [], service: [], satisfaction: [] };
  const who = (keys) => keys.map((k) => { const g = stats.staff.find((x) => x.key === k); return g ? `${gname(g)}（${k}）` : k; }).join('、');
  const lines = [['st.miss_wait', m.wait], ['st.miss_service', m.service], ['st.miss_sat', m.satisfaction]].filter(([, l]) => l.length).map(([k, l]) => h('li', { dataset: { miss: k } }, i18n.t(k, { list: who(l) })));
  const box = $('#staff-misses');
  if (box) replace(box, ...(lines.length ? lines : [h('li', null, i18n.t('st.miss_none'))]), h('li', { class: 'tolerance' }, i18n.t('st.tolerance')));
}

function drawCompare() {
  const el = $('#t-compare');
  if (!compare) return replace(el);
  const a = compare.a.figures, b = compare.b.figures, t = compare.tests;
  const p = (x) => (x == null ? '—' : x < 0.0001 ? '< 0.0001' : x.toFixed(4));
  // Better or worse, in the figure's direction, with each side's n; significance as a qualifier.
  const verdict = (x, dirKey) => {
    if (!x.valid) return i18n.t('st.t.invalid');
    const side = x.better === 'a' ? i18n.t('st.t.better_a') : x.better === 'b' ? i18n.t('st.t.better_b') : i18n.t('st.t.same');
    return `${side}（${i18n.t(dirKey)}；${x.significant ? i18n.t('st.t.sig') : i18n.t('st.t.nosig')}；${i18n.t('st.t.n', { a: x.n_a ?? '—', b: x.n_b ?? '—' })}）`;
  };
  const cls = (x) => (!x.valid || !x.significant ? null : x.better === 'a' ? 'better-a' : x.better === 'b' ? 'better-b' : null);
  const row = (key, test, va, vb, diff, stat, dirKey) =>
    h('tr', { dataset: { test: key, better: test.better || '' } }, h('th', { scope: 'row' }, i18n.t(`st.t.${key}`)), h('td', { class: 'num' }, va), h('td', { class: 'num' }, vb), h('td', { class: 'num' }, diff), h('td', { class: 'num' }, stat), h('td', { class: 'num' }, p(test.p)), h('td', { class: cls(test) }, verdict(test, dirKey)));
  const label = (side) => (compare.mode === 'windows' ? `${i18n.t('st.window_a').replace(/ A$/, '')} ${side.window}` : `${side.from} – ${side.to}`);
  const signed = (x, f) => (x == null ? '—' : `${x < 0 ? '−' : x > 0 ? '+' : ''}${f(Math.abs(x))}`);
  replace(
    el,
    h('thead', null, h('tr', null, ...['st.t.test', 'st.t.a', 'st.t.b', 'st.t.diff', 'st.t.stat', 'st.t.p', 'st.t.verdict'].map((k) => h('th', { scope: 'col' }, i18n.t(k))))),
    h(
      'tbody',
      null,
      h('tr', null, h('th', null, ''), h('td', { class: 'num' }, label(compare.a)), h('td', { class: 'num' }, label(compare.b)), h('td'), h('td'), h('td'), h('td')),
      row('rate', t.satisfaction_rate, dpct(D(a).rate), dpct(D(b).rate), signed(t.satisfaction_rate.diff, (x) => `${(Math.round(x * 1000) / 10).toFixed(1)} pp`), t.satisfaction_rate.z == null ? '—' : `z = ${t.satisfaction_rate.z.toFixed(2)}`, 'st.t.dir_rate'),
      row('level', t.mean_level, dnum(D(a).mean_level), dnum(D(b).mean_level), signed(t.mean_level.diff, (x) => x.toFixed(2)), t.mean_level.t == null ? '—' : `t = ${t.mean_level.t.toFixed(2)}, df = ${t.mean_level.df}`, 'st.t.dir_level'),
      row('wait', t.mean_wait, dmin(D(a).wait_mean_min), dmin(D(b).wait_mean_min), signed(t.mean_wait.diff, (x) => mins(x)), t.mean_wait.t == null ? '—' : `t = ${t.mean_wait.t.toFixed(2)}, df = ${t.mean_wait.df}`, 'st.t.dir_wait'),
    ),
  );
}

function render() {
  drawKpis();
  drawWaitChart();
  drawSatChart();
  drawReasons();
  drawTables();
  drawCompare();
  document.dispatchEvent(new CustomEvent('hq:stats', { detail: stats }));
}

async function load() {
  showMsg($('#msg'), '');
  const from = $('#s-from').value, to = $('#s-to').value;
  try {
    stats = await api.get(`/stats?from=${api.seg(from)}&to=${api.seg(to)}`);
  } catch (e) {
    stats = null;
    showMsg($('#msg'), errText(e));
  }
  render();
}

async function runCompare(e) {
  e.preventDefault();
  showMsg($('#msg'), '');
  const mode = $('#c-mode').value;
  const q = mode === 'windows'
    ? `from=${api.seg($('#s-from').value)}&to=${api.seg($('#s-to').value)}&window_a=${api.seg($('#c-wa').value)}&window_b=${api.seg($('#c-wb').value)}`
    : `a_from=${api.seg($('#c-a-from').value)}&a_to=${api.seg($('#c-a-to').value)}&b_from=${api.seg($('#c-b-from').value)}&b_to=${api.seg($('#c-b-to').value)}`;
  try {
    compare = await api.get(`/stats/compare?${q}`);
  } catch (err) {
    compare = null;
    showMsg($('#msg'), errText(err));
  }
  drawCompare();
}

// The report files need the session token: fetch them, then save the Blob under a file name.
async function download(format) {
  showMsg($('#msg'), '');
  const from = $('#s-from').value, to = $('#s-to').value;
  const q = from === to ? `date=${api.seg(from)}` : `from=${api.seg(from)}&to=${api.seg(to)}`;
  try {
    const res = await fetch(`/api/v1/reports/day.${format}?${q}`, { headers: { Authorization: `Bearer ${api.token()}` }, cache: 'no-store' });
    if (!res.ok) {
      const body = await res.json().catch(() => ({}));
      throw new api.ApiError(res.status, body?.error?.code || `http_${res.status}`, body?.error?.message, body?.error?.field);
    }
    const blob = await res.blob();
    const url = URL.createObjectURL(blob);
    const a = h('a', { href: url, download: `hallq-report-${from}${from === to ? '' : '_' + to}.${format}`, hidden: true });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch (e) {
    showMsg($('#msg'), errText(e));
  }
}

async function ready(u) {
  mountUserBar($('#userbar'), u);
  try {
    const hall = await api.get('/hall', { auth: false });
    $('#hall-name').textContent = i18n.nameOf(hall);
    i18n.onChange(() => ($('#hall-name').textContent = i18n.nameOf(hall)));
  } catch (e) {
    showMsg($('#msg'), errText(e));
  }
  await load();
}

boot();
// ?from=&to= (or ?date=) open that period; yesterday otherwise (today's day is not over).
const qs = new URLSearchParams(location.search);
const isDay = (v) => v && /^\d{4}-\d{2}-\d{2}$/.test(v);
const qFrom = isDay(qs.get('from')) ? qs.get('from') : isDay(qs.get('date')) ? qs.get('date') : localDay(-1);
$('#s-from').value = qFrom;
$('#s-to').value = isDay(qs.get('to')) ? qs.get('to') : qFrom;
$('#c-a-from').value = $('#c-a-to').value = localDay(-2);
$('#c-b-from').value = $('#c-b-to').value = localDay(-1);
$('#stats-form').addEventListener('submit', (e) => {
  e.preventDefault();
  load();
});
$('#cmp-form').addEventListener('submit', runCompare);
$('#c-mode').addEventListener('change', (e) => {
  const w = e.target.value === 'windows';
  for (const el of $$('#cmp-form .periods')) el.hidden = w;
  for (const el of $$('#cmp-form .windows')) el.hidden = !w;
});
for (const b of $$('.downloads button')) b.addEventListener('click', () => download(b.dataset.format));
i18n.onChange(render);
requireLogin({ roles: ['manager', 'admin'], onReady: ready });
