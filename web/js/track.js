// SPDX-License-Identifier: MIT
// track.js — a customer's ticket on the phone. GET /tickets/{id} (the id in the URL is the secret),
// refreshed on live events that name its number and every 15 s; cancel while waiting; the
// rating of each finished service (js/track_rating.js); the hall's notices.

import * as api from './api.js';
import * as i18n from './i18n.js';
import * as events from './events.js';
import { h, $, replace, boot, showMsg, errText, winNo } from './ui.js';
import { noticeItem } from './notice.js';
import { remoteSetup, remoteRender } from './track_remote.js';
import './track_survey.js';
import { ratingSetup, ratingRender, ratingServices, ratingRedraw } from './track_rating.js';

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
  'tr.complain': ['投诉与建议', 'Complaints and suggestions'],
  'tr.not_found': ['没有找到这张号，请检查链接', 'No such ticket: please check the link'],
  'tr.docs': ['请备好：{d}', 'Please have ready: {d}'],
});

const id = decodeURIComponent(location.pathname.split('/').filter(Boolean)[1] || new URLSearchParams(location.search).get('id') || '');
let ticket = null;
let services = new Map();

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
  ratingRender(t); // each finished service rated once (track_rating.js)
  remoteRender(t); // rejoin and the "N places away" reminder (track_remote.js)
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
    ratingServices(services);
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
ratingSetup(id);
remoteSetup(id, (nt) => {
  ticket = nt;
  render();
});
i18n.onChange(() => {
  render();
  ratingRedraw();
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
