// SPDX-License-Identifier: MIT
// survey_form.js — the form of a satisfaction questionnaire (docs/SURVEYS.md), shared by the pad
// (pad_survey.js), the tracking page (track_survey.js) and the staff entry on surveys.html: per
// dimension an importance and a performance on a 5-point scale (buttons, each optional), the open
// questions with their length limit in characters, submit and skip. Text only (textContent).

import * as i18n from './i18n.js';
import { h } from './ui.js';

i18n.add({
  'sv.importance': ['重要程度', 'Importance'],
  'sv.performance': ['满意程度', 'Performance'],
  'sv.imp.1': ['不重要', 'not important'],
  'sv.imp.5': ['非常重要', 'very important'],
  'sv.perf.1': ['很差', 'very poor'],
  'sv.perf.5': ['很好', 'very good'],
  'sv.submit': ['提交问卷', 'Submit'],
  'sv.skip': ['跳过', 'Skip'],
  'sv.optional': ['以下问卷可选填，约 1 分钟', 'A short optional survey (about a minute)'],
  'sv.chars_left': ['还可输入 {n} 字', '{n} characters left'],
  'sv.nothing': ['请至少选择一项评分或填写一项回答，或点“跳过”', 'Choose at least one rating or answer, or skip'],
  'sv.thanks': ['谢谢您参与问卷调查！', 'Thank you for answering the survey!'],
  'sv.legend': ['1 分为不重要 / 很差，5 分为非常重要 / 很好；每项均可不填', '1 = not important / very poor, 5 = very important / very good; every item is optional'],
});

const name = (rec, zh, en) => (i18n.lang() === 'en' && rec[en] ? rec[en] : rec[zh]);
const chars = (s) => [...s].length;

function scale(kind, dim, state) {
  const group = h('div', { class: 'sv-scale', role: 'radiogroup', 'aria-label': `${name(dim, 'name', 'name_en')} ${i18n.t('sv.' + kind)}`, dataset: { dim: dim.key, kind } });
  for (let v = 1; v <= 5; v++) {
    const b = h('button', { type: 'button', class: 'btn small sv-v', role: 'radio', 'aria-checked': 'false', dataset: { v: String(v) } }, String(v));
    b.addEventListener('click', () => {
      const cur = state[dim.key]?.[kind];
      state[dim.key] = { ...(state[dim.key] || {}), [kind]: cur === v ? undefined : v };
      for (const o of group.querySelectorAll('button')) {
        const on = Number(o.dataset.v) === state[dim.key][kind];
        o.setAttribute('aria-checked', on ? 'true' : 'false');
        o.classList.toggle('primary', on);
      }
    });
    group.appendChild(b);
  }
  const lo = kind === 'importance' ? 'sv.imp.1' : 'sv.perf.1';
  const hi = kind === 'importance' ? 'sv.imp.5' : 'sv.perf.5';
  return h('div', { class: 'sv-row' }, h('span', { class: 'sv-k' }, i18n.t('sv.' + kind)), h('small', { class: 'sv-lo' }, i18n.t(lo)), group, h('small', { class: 'sv-hi' }, i18n.t(hi)));
}

// Render q (a questionnaire as the API gives it) into a new element. onSubmit(body) gets
// {questionnaire, version, scores, open}; onSkip() when skipped. Returns {el, message(text)}.
export function surveyForm(q, { onSubmit, onSkip, skipLabel } = {}) {
  const state = {};
  const msg = h('p', { class: 'msg', role: 'status', hidden: true });
  const dims = q.dimensions.map((d) =>
    h('fieldset', { class: 'sv-dim', dataset: { key: d.key } }, h('legend', null, name(d, 'name', 'name_en')), scale('importance', d, state), scale('performance', d, state)),
  );
  const opens = (q.open_questions || []).map((o) => {
    const id = `sv-open-${o.key}`;
    const left = h('small', { class: 'sv-left', 'aria-live': 'polite' }, i18n.t('sv.chars_left', { n: o.max_chars }));
    const ta = h('textarea', { id, dataset: { key: o.key }, rows: 2, maxlength: String(o.max_chars) });
    ta.addEventListener('input', () => {
      // maxlength counts UTF-16 units; the server counts characters: trim to max_chars characters.
      if (chars(ta.value) > o.max_chars) ta.value = [...ta.value].slice(0, o.max_chars).join('');
      left.textContent = i18n.t('sv.chars_left', { n: o.max_chars - chars(ta.value) });
    });
    return h('div', { class: 'sv-open' }, h('label', { for: id }, name(o, 'text', 'text_en')), ta, left);
  });
  const form = h(
    'form',
    { class: 'sv-form', dataset: { questionnaire: q.id, version: String(q.version) } },
    h('p', { class: 'sv-title' }, h('b', null, name(q, 'title', 'title_en')), ' · ', h('span', null, i18n.t('sv.optional'))),
    h('p', { class: 'sv-legend' }, i18n.t('sv.legend')),
    dims,
    opens,
    h(
      'div',
      { class: 'row sv-actions' },
      h('button', { class: 'btn primary', type: 'submit', id: 'sv-submit' }, i18n.t('sv.submit')),
      onSkip ? h('button', { class: 'btn', type: 'button', id: 'sv-skip', onclick: () => onSkip() }, skipLabel || i18n.t('sv.skip')) : null,
    ),
    msg,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const scores = Object.entries(state)
      .map(([dimension, v]) => ({ dimension, importance: v.importance ?? null, performance: v.performance ?? null }))
      .filter((s) => s.importance || s.performance);
    const open = [...form.querySelectorAll('textarea')].map((t) => ({ question: t.dataset.key, text: t.value.trim() })).filter((o) => o.text);
    if (!scores.length && !open.length) {
      message(i18n.t('sv.nothing'));
      return;
    }
    onSubmit?.({ questionnaire: q.id, version: q.version, scores, open });
  });
  function message(text) {
    msg.textContent = text || '';
    msg.hidden = !text;
  }
  return { el: form, message };
}

// The form's styles, once per page.
export function surveyStyles() {
  if (document.getElementById('sv-style')) return;
  const st = document.createElement('style');
  st.id = 'sv-style';
  st.textContent = `
    .sv-form fieldset.sv-dim { border: 1px solid var(--line); border-radius: 8px; margin: 8px 0; padding: 6px 12px; }
    .sv-form legend { font-weight: 700; }
    .sv-row { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; margin: 4px 0; }
    .sv-row .sv-k { min-width: 5.5em; }
    .sv-row small { color: var(--muted); }
    .sv-scale { display: inline-flex; gap: 4px; }
    .sv-scale .btn { min-width: 44px; }
    .sv-open textarea { width: 100%; }
    .sv-open label { display: block; margin-top: 8px; }
    .sv-actions { margin-top: 10px; }
    .sv-legend { color: var(--muted); font-size: 0.9em; margin: 0 0 4px; }
    @media (max-width: 600px) { .sv-row .sv-lo, .sv-row .sv-hi { display: none; } .sv-scale .btn { min-width: 40px; } }
    .sv-overlay { position: fixed; inset: 0; background: var(--bg); overflow: auto; padding: 16px 24px; z-index: 50; }
  `;
  document.head.appendChild(st);
}
