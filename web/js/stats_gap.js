// SPDX-License-Identifier: MIT
// stats_gap.js — the surveys' gap analysis on the stats page (clause 9.1.4; docs/STATS.md
// "Surveys and gap analysis"): for the period above and a questionnaire, GET /surveys/analysis
// gives per dimension the mean importance and performance with 95% t intervals; the chart shows
// both as bars with their intervals and the gap, the dimensions furthest below what customers
// value are named, and with a second period the table lists the tests (chi-square on evaluation
// levels, Mann–Whitney per dimension) with p, Holm's corrected p and the verdict. stats.js
// announces each period with the document event "hq:stats".

import * as api from './api.js';
import * as i18n from './i18n.js';
import { h, $, replace, errText, svgEl as s } from './ui.js';

i18n.add({
  'gap.title': ['满意度差距分析（问卷）', 'Gap analysis (surveys)'],
  'gap.questionnaire': ['问卷', 'Questionnaire'],
  'gap.none_defined': ['尚未定义问卷。', 'No questionnaire defined yet.'],
  'gap.manage': ['问卷管理 →', 'Manage questionnaires →'],
  'gap.b_from': ['对比期间开始', 'Compared period from'],
  'gap.b_to': ['对比期间结束', 'Compared period to'],
  'gap.go': ['分析', 'Analyse'],
  'gap.answers': ['本期间答卷 {n} 份（评价器 {pad}，跟踪页 {web}，电话回访 {phone}，访谈 {interview}）', '{n} answers in the period (pad {pad}, web {web}, phone {phone}, interview {interview})'],
  'gap.no_answers': ['本期间没有答卷。', 'No answers in this period.'],
  'gap.importance': ['重要程度', 'Importance'],
  'gap.performance': ['表现（满意程度）', 'Performance'],
  'gap.gap': ['差距', 'Gap'],
  'gap.ci': ['95% 置信区间（t 区间）', '95% interval (t)'],
  'gap.furthest': ['最需改进（表现低于顾客看重的程度，差距由大到小）：{list}', 'Furthest below what customers value (largest gap first): {list}'],
  'gap.furthest_none': ['没有表现低于重要程度的维度。', 'No dimension performs below its importance.'],
  'gap.dim': ['维度', 'Dimension'],
  'gap.quadrant': ['象限', 'Quadrant'],
  'gap.q.concentrate': ['重点改进', 'Concentrate here'],
  'gap.q.keep': ['继续保持', 'Keep up the good work'],
  'gap.q.low_priority': ['次要', 'Low priority'],
  'gap.q.possible_overkill': ['可能过度', 'Possible overkill'],
  'gap.q.none': ['—', '—'],
  'gap.tests': ['显著性检验：本期间（A）对比期间（B）', 'Tests: this period (A) against the compared period (B)'],
  'gap.test': ['检验', 'Test'],
  'gap.chi2': ['评价等级分布（卡方独立性检验，5 级 × 2 期间）', 'Evaluation levels (chi-square test of independence, 5 levels × 2 periods)'],
  'gap.mwu': ['{dim} · {aspect}（Mann–Whitney U）', '{dim} · {aspect} (Mann–Whitney U)'],
  'gap.stat': ['统计量', 'Statistic'],
  'gap.p': ['p 值', 'p'],
  'gap.p_holm': ['Holm 校正 p', 'Holm p'],
  'gap.verdict': ['结论', 'Verdict'],
  'gap.sig_a': ['差异显著，A 较高', 'Significant, A higher'],
  'gap.sig_b': ['差异显著，B 较高', 'Significant, B higher'],
  'gap.sig': ['差异显著', 'Significant'],
  'gap.not_sig': ['差异不显著', 'Not significant'],
  'gap.invalid': ['数据不足，无法检验', 'Too little data to test'],
  'gap.note': ['多重比较用 Holm 法校正（α = 0.05）；卡方检验单独一项，不校正。', 'Many comparisons corrected by Holm’s method (α = 0.05); the chi-square test stands alone, uncorrected.'],
});

const f2 = (x) => (x == null ? '—' : Number(x).toFixed(2));
const fp = (p) => (p == null ? '—' : p < 0.0001 ? '<0.0001' : Number(p).toFixed(4));
const dname = (d) => (i18n.lang() === 'en' && d.name_en ? d.name_en : d.name);

let period = null; // {from, to}
let questionnaires = [];
let data = null;

function dayAdd(iso, days) {
  const d = new Date(`${iso}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function section() {
  let box = document.getElementById('gap');
  if (box) return box;
  box = h('section', { class: 'card', id: 'gap', 'aria-labelledby': 'gap-h' });
  const anchor = document.getElementById('c-h')?.closest('section');
  if (anchor?.parentNode) anchor.parentNode.insertBefore(box, anchor);
  else document.querySelector('main')?.appendChild(box);
  replace(
    box,
    h('h2', { id: 'gap-h', 'data-i18n': 'gap.title' }, i18n.t('gap.title')),
    h(
      'form',
      { id: 'gap-form', class: 'stats-form' },
      h(
        'div',
        { class: 'row' },
        h('div', null, h('label', { for: 'gap-q', 'data-i18n': 'gap.questionnaire' }, i18n.t('gap.questionnaire')), h('select', { id: 'gap-q' })),
        h('div', null, h('label', { for: 'gap-b-from', 'data-i18n': 'gap.b_from' }, i18n.t('gap.b_from')), h('input', { id: 'gap-b-from', type: 'date' })),
        h('div', null, h('label', { for: 'gap-b-to', 'data-i18n': 'gap.b_to' }, i18n.t('gap.b_to')), h('input', { id: 'gap-b-to', type: 'date' })),
        h('button', { class: 'btn primary', type: 'submit', 'data-i18n': 'gap.go' }, i18n.t('gap.go')),
      ),
    ),
    h('p', null, h('a', { href: '/surveys.html', 'data-i18n': 'gap.manage' }, i18n.t('gap.manage'))),
    h('div', { id: 'gap-body' }),
  );
  $('#gap-form').addEventListener('submit', (e) => {
    e.preventDefault();
    load();
  });
  return box;
}

function chart(dims) {
  const rowH = 52, L = 110, R = 110, W = 620, H = rowH * dims.length + 34;
  const x = (v) => L + ((W - L - R) * v) / 5;
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, id: 'gap-svg', 'aria-hidden': 'true', style: `max-width:${W * 1.3}px` });
  for (let v = 0; v <= 5; v++) {
    svg.appendChild(s('line', { x1: x(v), x2: x(v), y1: 0, y2: H - 20, stroke: '#999', 'stroke-width': 0.5 }));
    svg.appendChild(s('text', { x: x(v) - 3, y: H - 6, 'font-size': 11, fill: 'currentColor' }, String(v)));
  }
  dims.forEach((d, i) => {
    const y0 = 6 + i * rowH;
    svg.appendChild(s('text', { x: 0, y: y0 + rowH / 2, 'font-size': 13, fill: 'currentColor' }, dname(d)));
    [
      ['importance', '#3b6fb6', 0],
      ['performance', '#6aa84f', 1],
    ].forEach(([k, color, j]) => {
      const m = d[k];
      const y = y0 + 4 + j * 20;
      if (m.mean == null) return;
      const bar = s('rect', { x: L, y, width: x(m.mean) - L, height: 16, fill: color, class: `gap-${k}`, 'data-dim': d.key, 'data-mean': m.mean });
      svg.appendChild(bar);
      if (m.ci95) {
        const lo = Math.max(0, m.ci95[0]), hi = Math.min(5, m.ci95[1]);
        svg.appendChild(s('line', { x1: x(lo), x2: x(hi), y1: y + 8, y2: y + 8, stroke: '#222', 'stroke-width': 1.5 }));
        svg.appendChild(s('line', { x1: x(lo), x2: x(lo), y1: y + 3, y2: y + 13, stroke: '#222', 'stroke-width': 1.5 }));
        svg.appendChild(s('line', { x1: x(hi), x2: x(hi), y1: y + 3, y2: y + 13, stroke: '#222', 'stroke-width': 1.5 }));
      }
    });
    if (d.gap != null) {
      const txt = `${i18n.t('gap.gap')} ${d.gap > 0 ? '+' : ''}${f2(d.gap)}`;
      svg.appendChild(s('text', { x: W - R + 8, y: y0 + rowH / 2, 'font-size': 13, 'font-weight': d.gap > 0 ? 700 : 400, fill: d.gap > 0 ? '#b00020' : 'currentColor', class: 'gap-gap', 'data-dim': d.key }, txt));
    }
  });
  return svg;
}

function verdict(t) {
  if (!t.valid) return i18n.t('gap.invalid');
  if (!t.significant) return i18n.t('gap.not_sig');
  if (t.higher === 'a') return i18n.t('gap.sig_a');
  if (t.higher === 'b') return i18n.t('gap.sig_b');
  return i18n.t('gap.sig');
}

function testsTable(c, dims) {
  const byKey = Object.fromEntries(dims.map((d) => [d.key, d]));
  const ev = c.evaluation_levels;
  const rows = [
    h(
      'tr',
      { dataset: { test: 'chi2' } },
      h('td', null, i18n.t('gap.chi2')),
      h('td', { class: 'num' }, `${c.evaluation_levels.n}`),
      h('td', { class: 'num' }, ev.valid ? `χ²=${f2(ev.chi2)}, df=${ev.df}` : '—'),
      h('td', { class: 'num' }, fp(ev.p)),
      h('td', { class: 'num' }, '—'),
      h('td', null, !ev.valid ? i18n.t('gap.invalid') : ev.significant ? i18n.t('gap.sig') : i18n.t('gap.not_sig')),
    ),
    ...c.dimensions.map((t) =>
      h(
        'tr',
        { dataset: { test: 'mwu', dim: t.dimension, aspect: t.aspect } },
        h('td', null, i18n.t('gap.mwu', { dim: byKey[t.dimension] ? dname(byKey[t.dimension]) : t.dimension, aspect: i18n.t('gap.' + t.aspect) })),
        h('td', { class: 'num' }, `${t.n_a} / ${t.n_b}`),
        h('td', { class: 'num' }, t.valid ? `U=${f2(t.u)}, z=${f2(t.z)}` : '—'),
        h('td', { class: 'num' }, t.valid ? fp(t.p) : '—'),
        h('td', { class: 'num' }, t.valid ? fp(t.p_holm) : '—'),
        h('td', { class: t.significant ? 'miss' : '' }, verdict(t)),
      ),
    ),
  ];
  return h(
    'table',
    { class: 'data', id: 't-gap-tests' },
    h('thead', null, h('tr', null, ...['gap.test', 'n', 'gap.stat', 'gap.p', 'gap.p_holm', 'gap.verdict'].map((k) => h('th', null, k === 'n' ? 'n (A / B)' : i18n.t(k))))),
    h('tbody', null, rows),
  );
}

function draw() {
  section();
  const body = $('#gap-body');
  if (!questionnaires.length) return replace(body, h('p', null, i18n.t('gap.none_defined')));
  if (!data) return replace(body);
  const m = data.methods;
  const parts = [h('p', { id: 'gap-answers' }, i18n.t('gap.answers', { n: data.answers, ...m }))];
  if (data.answers) {
    const byKey = Object.fromEntries(data.dimensions.map((d) => [d.key, d]));
    parts.push(
      h('p', { class: 'legend' }, h('span', null, h('i', { class: 'k', style: 'background:#3b6fb6' }), i18n.t('gap.importance')), h('span', null, h('i', { class: 'k', style: 'background:#6aa84f' }), i18n.t('gap.performance')), h('span', null, '├─┤ ', i18n.t('gap.ci'))),
      h('div', { class: 'chart', id: 'gap-chart', role: 'img', 'aria-label': i18n.t('gap.title') }, chart(data.dimensions)),
      h('p', { id: 'gap-furthest' }, h('b', null, data.furthest_below.length ? i18n.t('gap.furthest', { list: data.furthest_below.map((k) => dname(byKey[k])).join(i18n.lang() === 'en' ? ', ' : '、') }) : i18n.t('gap.furthest_none'))),
      h(
        'div',
        { class: 'scroll' },
        h(
          'table',
          { class: 'data', id: 't-gap' },
          h('thead', null, h('tr', null, ...['gap.dim', 'gap.importance', 'gap.performance', 'gap.gap', 'gap.quadrant'].map((k) => h('th', null, i18n.t(k))))),
          h(
            'tbody',
            null,
            data.dimensions.map((d) =>
              h(
                'tr',
                { dataset: { dim: d.key } },
                h('td', null, dname(d)),
                h('td', { class: 'num' }, `${f2(d.importance.mean)} ${d.importance.ci95 ? `[${f2(d.importance.ci95[0])}, ${f2(d.importance.ci95[1])}]` : ''} n=${d.importance.n}`),
                h('td', { class: 'num' }, `${f2(d.performance.mean)} ${d.performance.ci95 ? `[${f2(d.performance.ci95[0])}, ${f2(d.performance.ci95[1])}]` : ''} n=${d.performance.n}`),
                h('td', { class: d.gap > 0 ? 'num miss' : 'num' }, d.gap == null ? '—' : `${d.gap > 0 ? '+' : ''}${f2(d.gap)}`),
                h('td', null, i18n.t('gap.q.' + d.quadrant)),
              ),
            ),
          ),
        ),
      ),
    );
  } else parts.push(h('p', null, i18n.t('gap.no_answers')));
  if (data.comparison) parts.push(h('h3', null, i18n.t('gap.tests')), h('div', { class: 'scroll' }, testsTable(data.comparison, data.dimensions)), h('p', { class: 'muted' }, i18n.t('gap.note')));
  replace(body, ...parts);
}

async function load() {
  section();
  const sel = $('#gap-q');
  if (!period || !sel.value) return draw();
  const q = new URLSearchParams({ questionnaire: sel.value, from: period.from, to: period.to });
  if ($('#gap-b-from').value) q.set('b_from', $('#gap-b-from').value);
  if ($('#gap-b-to').value) q.set('b_to', $('#gap-b-to').value);
  try {
    data = await api.get(`/surveys/analysis?${q}`);
  } catch (e) {
    data = null;
    replace($('#gap-body'), h('p', { class: 'msg' }, errText(e)));
    return;
  }
  draw();
}

async function listQuestionnaires() {
  try {
    questionnaires = await api.get('/surveys/questionnaires');
  } catch {
    questionnaires = [];
  }
  const sel = $('#gap-q');
  const keep = sel.value;
  replace(sel, ...questionnaires.map((q) => h('option', { value: q.id }, i18n.lang() === 'en' && q.title_en ? q.title_en : q.title)));
  const pref = questionnaires.find((q) => q.id === keep) || questionnaires.find((q) => q.active.length) || questionnaires[0];
  if (pref) sel.value = pref.id;
}

let listed = false;
document.addEventListener('hq:stats', async () => {
  const from = $('#s-from')?.value, to = $('#s-to')?.value;
  if (!from || !to) return;
  section();
  const changed = !period || period.from !== from || period.to !== to;
  if (changed) {
    // The compared period: as long as this one, just before it.
    const days = Math.round((Date.parse(to) - Date.parse(from)) / 86400000) + 1;
    $('#gap-b-from').value = dayAdd(from, -days);
    $('#gap-b-to').value = dayAdd(from, -1);
  }
  period = { from, to };
  if (!listed) {
    listed = true;
    await listQuestionnaires();
  }
  if (changed || !data) await load();
  else draw(); // the language changed
});
