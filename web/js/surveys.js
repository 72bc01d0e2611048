// SPDX-License-Identifier: MIT
// surveys.js — 满意度问卷 (/surveys.html; docs/SURVEYS.md): the questionnaires (GET
// /surveys/questionnaires), an admin's definition form (POST a new one; PUT edits the latest
// version while it has no answers, otherwise POST …/versions publishes a new one), the
// questionnaire of each channel (PUT /surveys/active/{channel}) and the staff entry of answers
// from return calls and interviews (POST /surveys/answers, method phone or interview).

import * as api from './api.js';
import * as i18n from './i18n.js';
import { h, $, replace, boot, showMsg, errText, requireLogin, mountUserBar } from './ui.js';
import { surveyForm, surveyStyles } from './survey_form.js';

i18n.add({
  'sq.title': ['满意度问卷', 'Satisfaction surveys'],
  'sq.back': ['← 值班长', '← Duty manager'],
  'sq.stats': ['统计报表与差距分析 →', 'Statistics and gap analysis →'],
  'sq.list': ['问卷', 'Questionnaires'],
  'sq.active': ['各渠道启用的问卷', 'The questionnaire of each channel'],
  'sq.define': ['定义问卷', 'Define a questionnaire'],
  'sq.id': ['编号（小写字母、数字）', 'Id (a-z, 0-9)'],
  'sq.q_title': ['标题', 'Title'],
  'sq.q_title_en': ['英文标题', 'English title'],
  'sq.dims': ['评价维度（每项分别打“重要程度”和“满意程度”，1–5 分）', 'Dimensions (each rated for importance and performance, 1–5)'],
  'sq.opens': ['开放式问题', 'Open questions'],
  'sq.add_dim': ['＋ 维度', '+ Dimension'],
  'sq.add_open': ['＋ 问题', '+ Question'],
  'sq.save': ['保存', 'Save'],
  'sq.publish': ['发布新版本', 'Publish a new version'],
  'sq.new': ['新建问卷', 'New questionnaire'],
  'sq.entry': ['录入回访 / 访谈答卷', 'Enter an answer from a return call or interview'],
  'sq.questionnaire': ['问卷', 'Questionnaire'],
  'sq.method': ['方式', 'Method'],
  'sq.m.phone': ['电话回访', 'Return call'],
  'sq.m.interview': ['访谈', 'Interview'],
  'sq.key': ['键', 'Key'],
  'sq.name': ['名称', 'Name'],
  'sq.name_en': ['英文名称', 'English name'],
  'sq.text': ['问题', 'Question'],
  'sq.text_en': ['英文问题', 'English question'],
  'sq.max_chars': ['最多字数', 'Max characters'],
  'sq.remove': ['删除', 'Remove'],
  'sq.col.id': ['编号', 'Id'],
  'sq.col.version': ['版本', 'Version'],
  'sq.col.dims': ['维度', 'Dimensions'],
  'sq.col.answers': ['答卷', 'Answers'],
  'sq.col.in_use': ['状态', 'State'],
  'sq.col.active': ['启用于', 'Asked on'],
  'sq.in_use': ['已有答卷（修改需发布新版本）', 'In use (changes need a new version)'],
  'sq.unused': ['尚无答卷，可直接修改', 'No answers yet: editable'],
  'sq.edit': ['修改', 'Edit'],
  'sq.none': ['尚未定义问卷。', 'No questionnaire yet.'],
  'sq.ch.pad': ['评价器', 'Pad'],
  'sq.ch.web': ['跟踪页（办结后）', 'Tracking page (after service)'],
  'sq.ch.staff': ['工作人员录入', 'Staff entry'],
  'sq.ch_none': ['（不启用）', '(none)'],
  'sq.saved': ['已保存', 'Saved'],
  'sq.mode_new': ['新建：保存后为第 1 版。', 'New: saved as version 1.'],
  'sq.mode_edit': ['修改 {id} 第 {v} 版（尚无答卷，直接修改）。', 'Editing {id} version {v} (no answers yet: changed in place).'],
  'sq.mode_version': ['{id} 第 {v} 版已有答卷：保存将发布第 {n} 版，旧版本及其答卷保留。', '{id} version {v} has answers: saving publishes version {n}; the old version and its answers stay.'],
  'sq.entered': ['已录入（{m}）', 'Entered ({m})'],
  'sq.no_entry': ['请先定义问卷。', 'Define a questionnaire first.'],
});

const DEFAULT_DIMS = [
  ['environment', '环境', 'Environment'],
  ['attitude', '态度', 'Attitude'],
  ['efficiency', '效率', 'Efficiency'],
  ['professionalism', '专业', 'Professionalism'],
  ['convenience', '便利', 'Convenience'],
];
const CHANNELS = ['pad', 'web', 'staff'];
let me = null;
let list = [];
let editing = null; // the questionnaire being edited, or null for a new one

const title = (q) => (i18n.lang() === 'en' && q.title_en ? q.title_en : q.title);

function dimRow(d = {}) {
  return h(
    'div',
    { class: 'row dim' },
    h('div', null, h('label', null, i18n.t('sq.key'), h('input', { class: 'k', value: d.key || '', maxlength: 24, required: true }))),
    h('div', null, h('label', null, i18n.t('sq.name'), h('input', { class: 'n', value: d.name || '', maxlength: 20, required: true }))),
    h('div', null, h('label', null, i18n.t('sq.name_en'), h('input', { class: 'ne', value: d.name_en || '', maxlength: 40 }))),
    h('button', { class: 'btn small', type: 'button', onclick: (e) => e.target.closest('.dim').remove() }, i18n.t('sq.remove')),
  );
}

function openRow(o = {}) {
  return h(
    'div',
    { class: 'row open' },
    h('div', null, h('label', null, i18n.t('sq.key'), h('input', { class: 'k', value: o.key || '', maxlength: 24, required: true }))),
    h('div', null, h('label', null, i18n.t('sq.text'), h('input', { class: 't', value: o.text || '', maxlength: 100, required: true }))),
    h('div', null, h('label', null, i18n.t('sq.text_en'), h('input', { class: 'te', value: o.text_en || '', maxlength: 200 }))),
    h('div', null, h('label', null, i18n.t('sq.max_chars'), h('input', { class: 'm', type: 'number', min: 1, max: 500, value: o.max_chars || 200 }))),
    h('button', { class: 'btn small', type: 'button', onclick: (e) => e.target.closest('.open').remove() }, i18n.t('sq.remove')),
  );
}

function fillForm(q) {
  editing = q;
  $('#d-id').value = q?.id || '';
  $('#d-id').disabled = !!q;
  $('#d-title').value = q?.title || '';
  $('#d-title-en').value = q?.title_en || '';
  const dims = q ? q.dimensions : DEFAULT_DIMS.map(([key, name, name_en]) => ({ key, name, name_en }));
  replace($('#dims'), ...dims.map(dimRow));
  replace($('#opens'), ...(q ? q.open_questions : [{ key: 'improve', text: '您希望我们改进什么？', text_en: 'What should we improve?', max_chars: 200 }]).map(openRow));
  $('#d-mode').textContent = !q
    ? i18n.t('sq.mode_new')
    : q.in_use
      ? i18n.t('sq.mode_version', { id: q.id, v: q.version, n: q.version + 1 })
      : i18n.t('sq.mode_edit', { id: q.id, v: q.version });
  $('#d-save').textContent = q?.in_use ? i18n.t('sq.publish') : i18n.t('sq.save');
}

function formBody() {
  const body = {
    title: $('#d-title').value.trim(),
    title_en: $('#d-title-en').value.trim(),
    dimensions: [...document.querySelectorAll('#dims .dim')].map((r) => ({ key: r.querySelector('.k').value.trim(), name: r.querySelector('.n').value.trim(), name_en: r.querySelector('.ne').value.trim() })),
    open_questions: [...document.querySelectorAll('#opens .open')].map((r) => ({ key: r.querySelector('.k').value.trim(), text: r.querySelector('.t').value.trim(), text_en: r.querySelector('.te').value.trim(), max_chars: Number(r.querySelector('.m').value) || 200 })),
  };
  if (!editing) body.id = $('#d-id').value.trim();
  return body;
}

async function save(e) {
  e.preventDefault();
  showMsg($('#def-msg'), '');
  try {
    const body = formBody();
    let q;
    if (!editing) q = await api.post('/surveys/questionnaires', body);
    else if (editing.in_use) q = await api.post(`/surveys/questionnaires/${api.seg(editing.id)}/versions`, body);
    else q = await api.put(`/surveys/questionnaires/${api.seg(editing.id)}`, body);
    showMsg($('#def-msg'), `${i18n.t('sq.saved')}: ${q.id} v${q.version}`, 'ok');
    await refresh();
    fillForm(list.find((x) => x.id === q.id) || null);
  } catch (err) {
    showMsg($('#def-msg'), errText(err));
  }
}

function drawList() {
  const admin = me?.role === 'admin';
  if (!list.length) return replace($('#t-q'), h('tbody', null, h('tr', null, h('td', null, i18n.t('sq.none')))));
  replace(
    $('#t-q'),
    h('thead', null, h('tr', null, ...['sq.col.id', 'sq.q_title', 'sq.col.version', 'sq.col.dims', 'sq.col.answers', 'sq.col.in_use', 'sq.col.active'].map((k) => h('th', null, i18n.t(k))), admin ? h('th', null, '') : null)),
    h(
      'tbody',
      null,
      list.map((q) =>
        h(
          'tr',
          { dataset: { id: q.id }, class: editing?.id === q.id ? 'selected' : '' },
          h('td', null, q.id),
          h('td', null, title(q)),
          h('td', { class: 'num' }, `v${q.version}`),
          h('td', null, q.dimensions.map((d) => (i18n.lang() === 'en' && d.name_en ? d.name_en : d.name)).join(i18n.lang() === 'en' ? ', ' : '、')),
          h('td', { class: 'num' }, String(q.answers)),
          h('td', null, q.in_use ? i18n.t('sq.in_use') : i18n.t('sq.unused')),
          h('td', null, q.active.map((c) => i18n.t('sq.ch.' + c)).join(i18n.lang() === 'en' ? ', ' : '、') || '—'),
          admin ? h('td', null, h('button', { class: 'btn small', type: 'button', onclick: () => { fillForm(q); drawList(); } }, i18n.t('sq.edit'))) : null,
        ),
      ),
    ),
  );
}

function drawActive() {
  const form = $('#active-form');
  replace(
    form,
    ...CHANNELS.map((c) => {
      const cur = list.find((q) => q.active.includes(c));
      const sel = h('select', { id: `act-${c}`, dataset: { channel: c } }, h('option', { value: '' }, i18n.t('sq.ch_none')), ...list.map((q) => h('option', { value: q.id, selected: cur?.id === q.id }, `${title(q)} (${q.id})`)));
      sel.addEventListener('change', async () => {
        showMsg($('#active-msg'), '');
        try {
          await api.put(`/surveys/active/${c}`, { questionnaire: sel.value || null });
          showMsg($('#active-msg'), i18n.t('sq.saved'), 'ok');
          await refresh();
        } catch (err) {
          showMsg($('#active-msg'), errText(err));
        }
      });
      return h('div', null, h('label', { for: `act-${c}` }, i18n.t('sq.ch.' + c)), sel);
    }),
  );
}

function drawEntry() {
  const sel = $('#e-q');
  const keep = sel.value;
  replace(sel, ...list.map((q) => h('option', { value: q.id }, `${title(q)} (v${q.version})`)));
  const pref = list.find((q) => q.id === keep) || list.find((q) => q.active.includes('staff')) || list[0];
  if (!pref) return replace($('#entry'), h('p', null, i18n.t('sq.no_entry')));
  sel.value = pref.id;
  const f = surveyForm(pref, {
    onSubmit: async (body) => {
      showMsg($('#entry-msg'), '');
      try {
        const a = await api.post('/surveys/answers', { ...body, method: $('#e-method').value });
        showMsg($('#entry-msg'), i18n.t('sq.entered', { m: i18n.t('sq.m.' + a.method) }), 'ok');
        await refresh();
      } catch (err) {
        f.message(errText(err));
      }
    },
  });
  replace($('#entry'), f.el);
}

async function refresh() {
  try {
    list = await api.get('/surveys/questionnaires');
  } catch (err) {
    showMsg($('#msg'), errText(err));
    list = [];
  }
  drawList();
  if (me?.role === 'admin') drawActive();
  drawEntry();
}

async function ready(u) {
  me = u;
  mountUserBar($('#userbar'), u);
  for (const el of document.querySelectorAll('.admin-only')) el.hidden = u.role !== 'admin';
  try {
    const hall = await api.get('/hall', { auth: false });
    $('#hall-name').textContent = i18n.nameOf(hall);
  } catch {
    /* the title without the hall's name */
  }
  surveyStyles();
  fillForm(null);
  await refresh();
}

boot();
$('#def-form').addEventListener('submit', save);
$('#add-dim').addEventListener('click', () => $('#dims').appendChild(dimRow()));
$('#add-open').addEventListener('click', () => $('#opens').appendChild(openRow()));
$('#d-new').addEventListener('click', () => {
  fillForm(null);
  drawList();
});
$('#e-q').addEventListener('change', drawEntry);
i18n.onChange(() => {
  drawList();
  if (me?.role === 'admin') drawActive();
  drawEntry();
  fillForm(editing);
});
requireLogin({ roles: ['manager', 'admin'], onReady: ready });
