// SPDX-License-Identifier: MIT
// track_rating.js — rating each finished service of a ticket from the tracking page (好差评: every
// transaction rated once, docs/EVALUATION.md). GET /evaluations/stages/{id} lists the finished
// stages (one per service of a 一票到底 ticket); each shows 已评价 / Already rated once rated (on the
// pad or here), 已按默认评价计入 when the hall's default level was applied, 评价期已过 after the
// hall's late limit, else a small form (five levels; reasons for 2 and 1; a comment) that posts
// POST /evaluations {ticket, stage, …}. Fetched again when the ticket moves on. Text only.

import * as api from './api.js';
import * as i18n from './i18n.js';
import { h, $, replace, showMsg, errText } from './ui.js';

i18n.add({
  'tr.evaluate': ['请评价本次服务', 'Please rate the service'],
  'tr.comment': ['意见或建议（可选）', 'Comment (optional)'],
  'tr.thanks': ['谢谢您的评价！', 'Thank you for your rating!'],
  'tr.choose_level': ['请选择满意程度', 'Please choose a level'],
  'pad.submit': ['提交评价', 'Submit'],
  'pad.why': ['请告诉我们不满意的原因（可多选）', 'Please tell us why (choose any)'],
  'reason.long_wait': ['等候时间长', 'Long wait'],
  'reason.attitude': ['态度不好', 'Attitude'],
  'reason.not_competent': ['业务不熟', 'Not competent'],
  'reason.complicated': ['流程繁琐', 'Complicated procedure'],
  'reason.other': ['其他', 'Other'],
  'rt.rated': ['已评价，谢谢！', 'Already rated. Thank you!'],
  'rt.defaulted': ['未评价，已按默认评价计入', 'Not rated: the default rating was applied'],
  'rt.closed': ['评价期已过（办结后 {h} 小时内可评价）', 'Too late to rate (within {h} hours of the service)'],
  'rt.until': ['请在 {t} 前评价', 'You may rate until {t}'],
  'rt.stage': ['第 {n} 项：{s}', 'Service {n}: {s}'],
  'rt.window': ['{w} 号窗口', 'window {w}'],
  'rt.heading': ['服务评价', 'Your ratings'],
});

const REASONS = ['long_wait', 'attitude', 'not_competent', 'complicated', 'other'];
let tid = '';
let view = null;
let services = new Map();
let sig = '';
let fetched = 0;

/** The ticket's id (the secret of the URL). */
export function ratingSetup(id) {
  tid = id;
}

/** Service names for the titles (code → service record). */
export function ratingServices(map) {
  services = map;
  draw();
}

/** Called with the ticket whenever the page has a fresh copy: fetch the stages when it moved on. */
export function ratingRender(t) {
  if (!t) return;
  const s = `${t.status}|${t.service}|${(t.next_services || []).length}`;
  // when the ticket moved on, and now and then (a rating given on the pad meanwhile)
  if (s === sig && Date.now() - fetched < 10000) return;
  sig = s;
  refresh();
}

/** Redraw in the new language. */
export function ratingRedraw() {
  draw();
}

async function refresh() {
  fetched = Date.now();
  try {
    view = await api.get(`/evaluations/stages/${api.seg(tid)}`, { auth: false });
  } catch {
    view = null;
  }
  draw();
}

function title(st) {
  const rec = services.get(st.service);
  const name = rec ? `${st.service} ${i18n.nameOf(rec)}` : st.service;
  return h('h3', null, i18n.t('rt.stage', { n: st.stage + 1, s: name }), ' · ', i18n.t('rt.window', { w: st.window }));
}

function form(st) {
  const n = st.stage;
  const reasons = h(
    'fieldset',
    { class: 'ev-reasons', hidden: true },
    h('legend', null, i18n.t('pad.why')),
    ...REASONS.map((r) => h('label', { class: 'inline' }, h('input', { type: 'checkbox', value: i18n.inLang('reason.' + r, 'zh') }), i18n.t('reason.' + r))),
  );
  const levels = h(
    'fieldset',
    { class: 'levels' },
    h('legend', { class: 'sr-only' }, i18n.t('tr.evaluate')),
    ...[5, 4, 3, 2, 1].map((l) =>
      h(
        'label',
        null,
        h('input', { type: 'radio', name: `level-${n}`, value: l, onchange: () => (reasons.hidden = l > 2) }),
        `${l} · ${i18n.t('level.' + l)}`,
      ),
    ),
  );
  const cid = `ev-comment-${n}`;
  const comment = h('textarea', { id: cid, maxlength: 500 });
  const msg = h('p', { class: 'msg', role: 'status', hidden: true });
  const f = h(
    'form',
    { class: 'ev-form', dataset: { stage: n } },
    h('p', { class: 'sub' }, i18n.t('rt.until', { t: i18n.fmtDateTime(st.rate_until) })),
    levels,
    reasons,
    h('label', { for: cid }, i18n.t('tr.comment')),
    comment,
    h('button', { class: 'btn primary', type: 'submit' }, i18n.t('pad.submit')),
    msg,
  );
  f.addEventListener('submit', async (e) => {
    e.preventDefault();
    const level = Number(f.querySelector(`input[name="level-${n}"]:checked`)?.value || 0);
    if (!level) return showMsg(msg, i18n.t('tr.choose_level'));
    const rs = level <= 2 ? [...reasons.querySelectorAll('input:checked')].map((i) => i.value) : [];
    try {
      await api.post('/evaluations', { ticket: tid, stage: n, level, reasons: rs, comment: comment.value.trim() }, { auth: false });
      st.rated = true;
      st.rateable = false;
      st.thanks = true;
    } catch (err) {
      if (err.status !== 409) return showMsg(msg, errText(err));
    }
    if (!st.thanks) await refresh();
    else draw();
  });
  return f;
}

function draw() {
  const box = $('#stages');
  if (!box) return;
  const list = view?.stages || [];
  $('#evaluate').hidden = !list.length;
  // 请评价本次服务 while a service can still be rated, else just the heading of the ratings
  $('#ev-h').textContent = i18n.t(list.some((st) => st.rateable && !st.rated) ? 'tr.evaluate' : 'rt.heading');
  // Keep a form being filled in: redraw only the stages whose state changed.
  const cards = list.map((st) => {
    const state = st.rated ? 'rated' : st.defaulted ? 'defaulted' : st.rateable ? 'open' : 'closed';
    const old = box.querySelector(`.stage[data-stage="${st.stage}"]`);
    if (old && old.dataset.state === state && state === 'open' && old.dataset.lang === i18n.lang()) {
      // the form stays as it is; the title is drawn again (the services' names may have come since)
      old.querySelector('h3')?.replaceWith(title(st));
      return old;
    }
    let body;
    if (state === 'rated') body = h('p', { class: 'rated msg ok' }, i18n.t(st.thanks ? 'tr.thanks' : 'rt.rated'));
    else if (state === 'defaulted') body = h('p', { class: 'sub' }, i18n.t('rt.defaulted'));
    else if (state === 'closed') body = h('p', { class: 'sub' }, i18n.t('rt.closed', { h: view.late_rating_h }));
    else body = form(st);
    return h('div', { class: 'stage', dataset: { stage: st.stage, state, lang: i18n.lang() } }, title(st), body);
  });
  replace(box, ...cards);
}
