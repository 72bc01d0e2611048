// SPDX-License-Identifier: MIT
// admin_info.js — the admin's "public information" tab (admin.html; clauses 7.1.8, 7.2.1): the
// licences and the prices of supporting services as lines with fields separated by "|", and the
// notes on opening hours, in Chinese and English; GET /info to fill it, PUT /info to save. The
// opening hours themselves are the hall's (the hall settings tab). Loaded when the tab opens.
import * as api from './api.js';
import * as i18n from './i18n.js';
import { h, $, showMsg, errText } from './ui.js';

i18n.add({
  'ad.info': ['公示信息', 'Public information'],
  'ai.help': ['在取号机、大厅显示屏和公示页（/info.html）上显示。每行一项，各栏用“|”分隔。', 'Shown on the kiosk, the hall display and the public page (/info.html). One entry a line, fields separated by "|".'],
  'ai.licences': ['证照：名称 | 英文名称 | 编号 | 发证机关 | 有效期至（年-月-日）', 'Licences: name | English name | number | issued by | valid until (YYYY-MM-DD)'],
  'ai.prices': ['收费：项目 | 英文项目 | 价格 | 单位 | 英文单位', 'Prices: item | English item | price | unit | English unit'],
  'ai.hours_note': ['办公时间说明', 'Note on the opening hours'],
  'ai.hours_note_en': ['办公时间说明（英文）', 'Note on the opening hours (English)'],
  'ai.notes': ['其他说明', 'Other notes'],
  'ai.notes_en': ['其他说明（英文）', 'Other notes (English)'],
  'ai.save': ['保存公示信息', 'Save the public information'],
  'ai.saved': ['已保存', 'Saved'],
  'ai.view': ['查看公示页 →', 'Open the public page →'],
});

const LIC = ['name', 'name_en', 'number', 'issuer', 'valid_until'];
const PRI = ['item', 'item_en', 'price', 'unit', 'unit_en'];
const toLines = (list, keys) => (list || []).map((o) => keys.map((k) => o[k] || '').join(' | ').replace(/( \| )+$/, '')).join('\n');
const fromLines = (text, keys) =>
  text.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
    const parts = l.split('|').map((s) => s.trim());
    const o = {};
    keys.forEach((k, i) => {
      if (parts[i]) o[k] = parts[i];
    });
    return o;
  });

function field(id, key, tag = 'input') {
  const el = h(tag, { id, rows: tag === 'textarea' ? 4 : null });
  return h('div', null, h('label', { for: id, dataset: { i18n: key } }, i18n.t(key)), el);
}

let mounted = false;

async function mount() {
  if (mounted) return;
  mounted = true;
  const panel = $('#tab-info');
  const msg = h('p', { class: 'msg', role: 'alert', hidden: true, id: 'ai-msg' });
  const form = h('form', { id: 'ai-form' },
    h('p', { dataset: { i18n: 'ai.help' } }, i18n.t('ai.help')),
    field('ai-licences', 'ai.licences', 'textarea'),
    field('ai-prices', 'ai.prices', 'textarea'),
    h('div', { class: 'row' }, field('ai-hours_note', 'ai.hours_note'), field('ai-hours_note_en', 'ai.hours_note_en')),
    h('div', { class: 'row' }, field('ai-notes', 'ai.notes'), field('ai-notes_en', 'ai.notes_en')),
    h('button', { class: 'btn primary', type: 'submit', id: 'ai-save', dataset: { i18n: 'ai.save' } }, i18n.t('ai.save')), ' ',
    h('a', { href: '/info.html', target: '_blank', rel: 'noopener', dataset: { i18n: 'ai.view' } }, i18n.t('ai.view')),
    msg,
  );
  // Nothing can be typed until what the server has is in the fields: text typed before would be
  // overwritten by it (data-state: loading, then ready).
  form.dataset.state = 'loading';
  for (const el of form.elements) el.disabled = true;
  panel.append(form);
  try {
    const r = await api.get('/info', { auth: false });
    $('#ai-licences').value = toLines(r.licences, LIC);
    $('#ai-prices').value = toLines(r.prices, PRI);
    for (const k of ['hours_note', 'hours_note_en', 'notes', 'notes_en']) $(`#ai-${k}`).value = r[k] || '';
  } catch (e) {
    showMsg(msg, errText(e));
  }
  for (const el of form.elements) el.disabled = false;
  form.dataset.state = 'ready';
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = { licences: fromLines($('#ai-licences').value, LIC), prices: fromLines($('#ai-prices').value, PRI) };
    for (const k of ['hours_note', 'hours_note_en', 'notes', 'notes_en']) body[k] = $(`#ai-${k}`).value.trim();
    try {
      await api.put('/info', body);
      showMsg(msg, i18n.t('ai.saved'), 'ok');
    } catch (e) {
      showMsg(msg, errText(e));
      const bad = e.field && $(`#ai-${CSS.escape(e.field.split(/[.[]/)[0])}`);
      if (bad) bad.focus();
    }
  });
}

const tabButton = document.querySelector('[data-tab="info"]');
if (tabButton) {
  i18n.apply(tabButton.parentNode); // admin.js may have drawn the tabs before these words were added
  tabButton.addEventListener('click', mount);
}
