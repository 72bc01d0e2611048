// SPDX-License-Identifier: MIT
// stats_pauses.js — paused time on the stats page (clause 5.3.6; docs/STATS.md "Paused time"):
// the "pauses" block of GET /stats as a bar chart of the paused minutes per window and a table
// per window and per clerk with the count and the reasons. stats.js announces each answer with
// the document event "hq:stats" (detail = the answer, or null); this module draws from it.

import * as i18n from './i18n.js';
import { h, replace, svgEl as s } from './ui.js';

i18n.add({
  'pz.title': ['暂停服务时长', 'Paused time'],
  'pz.none': ['本期间没有暂停服务。', 'No pauses in this period.'],
  'pz.windows': ['窗口', 'Windows'],
  'pz.staff': ['人员（暂停操作者）', 'Staff (who paused)'],
  'pz.who': ['窗口 / 人员', 'Window / clerk'],
  'pz.n': ['次数', 'Pauses'],
  'pz.min': ['时长（分钟）', 'Minutes'],
  'pz.reasons': ['原因', 'Reasons'],
  'pz.no_reason': ['未说明', 'not given'],
  'pz.reason_item': ['{r} {n} 次 {m} 分钟', '{r}: {n} × {m} min'],
  'pz.total': ['合计 {n} 次，{m} 分钟', 'Total {n} pauses, {m} min'],
  'pz.running': ['（其中 {n} 次仍在暂停中，计到现在）', '({n} still paused, counted to now)'],
});

const min = (sec) => (Math.round(sec / 6) / 10).toFixed(1);
let last = null;

function section() {
  let box = document.getElementById('pauses');
  if (box) return box;
  box = h('section', { class: 'card', id: 'pauses', 'aria-labelledby': 'pz-h' });
  const anchor = document.getElementById('t-windows')?.closest('section');
  if (anchor?.parentNode) anchor.parentNode.insertBefore(box, anchor.nextSibling);
  else document.querySelector('main')?.appendChild(box);
  return box;
}

function reasons(block) {
  return block.by_reason.map((r) => i18n.t('pz.reason_item', { r: r.reason || i18n.t('pz.no_reason'), n: r.n, m: min(r.total_s) })).join(i18n.lang() === 'en' ? '; ' : '；');
}

function chart(rows) {
  const W = 560, rowH = 28, L = 120, R = 80, H = rowH * rows.length + 10;
  const max = Math.max(1, ...rows.map((r) => r.total_s));
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, 'aria-hidden': 'true', id: 'pz-chart', style: `max-width:${W}px` });
  rows.forEach((r, i) => {
    const y0 = 5 + i * rowH;
    const w = ((W - L - R) * r.total_s) / max;
    svg.appendChild(s('text', { x: 0, y: y0 + rowH / 2 + 4, 'font-size': 12, fill: 'currentColor' }, r.label));
    const bar = s('rect', { x: L, y: y0 + 5, width: w, height: rowH - 10, fill: '#d9692b', 'data-window': r.key, 'data-s': r.total_s });
    svg.appendChild(bar);
    svg.appendChild(s('text', { x: L + w + 6, y: y0 + rowH / 2 + 4, 'font-size': 12, fill: 'currentColor' }, `${min(r.total_s)} min`));
  });
  return svg;
}

function draw(stats) {
  const box = section();
  const p = stats?.pauses;
  const head = h('h2', { id: 'pz-h' }, i18n.t('pz.title'));
  if (!p || !p.total.n) return replace(box, head, h('p', null, i18n.t('pz.none')));
  const winLabel = (w) => w.name || i18n.t('window.n', { n: w.window });
  const rows = [
    ...p.windows.map((w) => ({ kind: 'w', key: String(w.window), label: winLabel(w), b: w })),
    ...p.staff.map((st) => ({ kind: 's', key: st.username, label: st.name || st.username, b: st })),
  ];
  const table = h(
    'table',
    { class: 'data', id: 't-pauses' },
    h('thead', null, h('tr', null, h('th', null, i18n.t('pz.who')), h('th', { class: 'num' }, i18n.t('pz.n')), h('th', { class: 'num' }, i18n.t('pz.min')), h('th', null, i18n.t('pz.reasons')))),
    h(
      'tbody',
      null,
      rows.map((r) =>
        h('tr', { dataset: { kind: r.kind, key: r.key } }, h('td', null, r.kind === 'w' ? r.label : `${r.label}（${r.key}）`), h('td', { class: 'num' }, String(r.b.n)), h('td', { class: 'num' }, min(r.b.total_s)), h('td', null, reasons(r.b))),
      ),
    ),
  );
  replace(
    box,
    head,
    h('p', null, i18n.t('pz.total', { n: p.total.n, m: min(p.total.total_s) }), p.running ? i18n.t('pz.running', { n: p.running }) : '', ' — ', reasons(p.total)),
    h('h3', null, i18n.t('pz.windows')),
    h('div', { class: 'chart', role: 'img', 'aria-label': i18n.t('pz.title') }, chart(p.windows.map((w) => ({ key: w.window, label: winLabel(w), total_s: w.total_s })))),
    h('div', { class: 'scroll' }, table),
  );
}

document.addEventListener('hq:stats', (e) => {
  last = e.detail;
  draw(last);
});
