// SPDX-License-Identifier: MIT
// track.js — a customer's ticket on the phone. GET /tickets/{id} (the id in the URL is the secret),
// refreshed on live events that name its number and every 15 s; cancel while waiting; the
// evaluation form once done; the hall's notices.

import * as api from './api.js';
import * as i18n from './i18n.js';
import * as events from './events.js';
import { h, $, replace, boot, showMsg, errText, winNo } from './ui.js';
import { noticeItem } from './notice.js';
import { remoteSetup, remoteRender } from './track_remote.js';
import './track_survey.js';

i18n.add({
  'tr.title': ['排队进度', 'Your place in the queue'],
  'tr.your_ticket': ['您的号码', 'Your number'],
  'tr.position': ['排队位置', 'Position'],
  'tr.ahead': ['前面等候', 'Ahead of you'],
  'tr.wait': ['预计等候', 'Estimated wait'],
  'tr.cancel': ['取消排队', 'Cancel my ticket'],
  'tr.cancel_confirm': ['确定取消排队吗？', 'Cancel this ticket?'],
  'tr.go': ['请到 {w} 号窗口', 'Please go to window {w}'],
  'tr.serving': ['正在 {w} 号窗口办理', 'Being served at window {w}'],
  'tr.updated': ['更新于 {t}', 'Updated {t}'],
  'tr.evaluate': ['请评价本次服务', 'Please rate the service'],
  'tr.comment': ['意见或建议（可选）', 'Comment (optional)'],
  'tr.thanks': ['谢谢您的评价！', 'Thank you for your rating!'],
  'tr.already': ['本次服务已评价，谢谢！', 'This service has been rated. Thank you!'],
  'tr.complain': ['投诉与建议', 'Complaints and suggestions'],
  'tr.not_found': ['没有找到这张号，请检查链接', 'No such ticket: please check the link'],
  'tr.docs': ['请备好：{d}', 'Please have ready: {d}'],
  'pad.submit': ['提交评价', 'Submit'],
  'pad.why': ['请告诉我们不满意的原因（可多选）', 'Please tell us why (choose any)'],
  'reason.long_wait': ['等候时间长', 'Long wait'],
  'reason.attitude': ['态度不好', 'Attitude'],
  'reason.not_competent': ['业务不熟', 'Not competent'],
  'reason.complicated': ['流程繁琐', 'Complicated procedure'],
  'reason.other': ['其他', 'Other'],
  'tr.choose_level': ['请选择满意程度', 'Please choose a level'],
});

const REASONS = ['long_wait', 'attitude', 'not_competent', 'complicated', 'other'];
const id = decodeURIComponent(location.pathname.split('/').filter(Boolean)[1] || new URLSearchParams(location.search).get('id') || '');
let ticket = null;
let services = new Map();
let evaluated = false;

function render() {
  const t = ticket;
  if (!t) return;
  $('#ticket').hidden = false;
  $('#number').textContent = t.number;
  document.body.dataset.status = t.status;
  $('#status').textContent = i18n.t('status.' + t.status);
  const s = services.get(t.service);
  $('#service').textContent = s ? `${t.service} ${i18n.nameOf(s)}` : t.service_name || t.service;
  const w = winNo(t.window);
  const called = $('#called');
  if (t.status === 'called' && w != null) {
    // Chinese first, and English under it for whoever reads it (the page may be in Chinese).
    replace(called, i18n.t('tr.go', { w }), i18n.lang() === 'zh' ? h('span', { class: 'en', lang: 'en' }, i18n.inLang('tr.go', 'en').replace('{w}', w)) : null);
    called.hidden = false;
  } else if (t.status === 'serving' && w != null) {
    called.textContent = i18n.t('tr.serving', { w });
    called.hidden = false;
  } else called.hidden = true;
  const waiting = t.status === 'waiting';
  $('#facts').hidden = !waiting;
  $('#position').textContent = t.position ?? '—';
  $('#ahead').textContent = t.ahead ?? '—';
  // The API's estimate as it is (its range, or 当前无窗口办理): never one of our own.
  $('#wait').textContent = i18n.fmtWait(t.estimated_wait_s, t);
  $('#wait').dataset.wait = String(t.estimated_wait_s ?? '');
  const docs = t.documents || [];
  $('#docs').textContent = waiting && docs.length ? i18n.t('tr.docs', { d: docs.join('、') }) : '';
  $('#cancel').hidden = !waiting;
  $('#updated').textContent = i18n.t('tr.updated', { t: i18n.fmtTime(new Date().toISOString()) });
  $('#evaluate').hidden = t.status !== 'done';
  if (t.status === 'done' && (t.evaluated || evaluated)) {
    $('#ev-form').hidden = true;
    showMsg($('#ev-msg'), i18n.t('tr.already'), 'ok');
  }
  remoteRender(t); // rejoin and the "N places away" reminder (track_remote.js)
}

function renderLevels() {
  const chosen = document.querySelector('#levels input:checked')?.value;
  const legend = $('#levels legend');
  replace(
    $('#levels'),
    legend,
    ...[5, 4, 3, 2, 1].map((l) =>
      h('label', null, h('input', { type: 'radio', name: 'level', value: l, checked: String(l) === chosen, onchange: onLevel }), `${l} · ${i18n.t('level.' + l)}`),
    ),
  );
  const checked = new Set([...document.querySelectorAll('#reason-list input:checked')].map((i) => i.value));
  replace(
    $('#reason-list'),
    ...REASONS.map((r) => {
      const value = i18n.inLang('reason.' + r, 'zh');
      return h('label', { class: 'inline' }, h('input', { type: 'checkbox', value, checked: checked.has(value) }), i18n.t('reason.' + r));
    }),
  );
}

function onLevel() {
  const l = Number(document.querySelector('#levels input:checked')?.value || 0);
  $('#ev-reasons').hidden = !(l && l <= 2);
}

async function load() {
  try {
    ticket = await api.get(`/tickets/${api.seg(id)}`, { auth: false });
    showMsg($('#msg'), '');
    render();
  } catch (e) {
    if (e.status === 404 || e.status === 400) {
      $('#ticket').hidden = true;
      showMsg($('#msg'), i18n.t('tr.not_found'));
    } else showMsg($('#msg'), errText(e));
  }
}

async function loadMeta() {
  try {
    const [list, snap] = await Promise.all([api.get('/services', { auth: false }), api.get('/display', { auth: false })]);
    services = new Map((Array.isArray(list) ? list : []).map((s) => [s.code, s]));
    const hall = snap.hall || {};
    if (hall.name) $('#hall-name').textContent = i18n.nameOf(hall);
    const notices = snap.notices || [];
    replace($('#notices'), ...notices.map(noticeItem));
    $('#notices-box').hidden = !notices.length;
  } catch {
    /* optional */
  }
  render();
}

boot();
renderLevels();
remoteSetup(id, (nt) => {
  ticket = nt;
  render();
});
i18n.onChange(() => {
  render();
  renderLevels();
  loadMeta();
});
$('#cancel').addEventListener('click', async () => {
  if (!confirm(i18n.t('tr.cancel_confirm'))) return;
  try {
    ticket = await api.post(`/tickets/${api.seg(id)}/cancel`, {}, { auth: false });
    if (!ticket?.status) await load();
    render();
  } catch (e) {
    showMsg($('#msg'), errText(e));
    load();
  }
});
$('#ev-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const level = Number(document.querySelector('#levels input:checked')?.value || 0);
  if (!level) return showMsg($('#ev-msg'), i18n.t('tr.choose_level'));
  const reasons = level <= 2 ? [...document.querySelectorAll('#reason-list input:checked')].map((i) => i.value) : [];
  try {
    await api.post('/evaluations', { ticket: id, level, reasons, comment: $('#ev-comment').value.trim() }, { auth: false });
    evaluated = true;
    $('#ev-form').hidden = true;
    showMsg($('#ev-msg'), i18n.t('tr.thanks'), 'ok');
  } catch (err) {
    if (err.status === 409) {
      evaluated = true;
      $('#ev-form').hidden = true;
      showMsg($('#ev-msg'), i18n.t('tr.already'), 'ok');
    } else showMsg($('#ev-msg'), errText(err));
  }
});
loadMeta();
load();
let t = null;
events.connect({
  onReconnect: load,
  onEvent: (type, d) => {
    const mine = ticket && d?.number === ticket.number;
    // Our own events, and any that moves the queue of our service (position, ahead).
    if (mine || (ticket?.status === 'waiting' && d?.service === ticket.service) || type.startsWith('notice.')) {
      clearTimeout(t);
      t = setTimeout(type.startsWith('notice.') ? loadMeta : load, mine ? 50 : 400);
    }
  },
});
setInterval(load, 15000);
