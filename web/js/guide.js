// SPDX-License-Identifier: MIT
// guide.js — the guide's console: POST /tickets with any category (channel guide; priority and
// appointment need the guide's token), the no-show list (GET /tickets?status=no_show) with requeue,
// the queues per service (GET /display, GET /windows), crowding alerts (alert.crowding events) and,
// next to them, the advice for the services that are crowded now (GET /advice, re-read on each
// alert and every 30 s). Find any ticket by number or phone (GET /tickets?q=, matched by the
// server, the phone shown masked) with its place and the API's estimate. The form is cleared after
// each ticket; the phone must be a mainland mobile number and an appointment today and not long
// past (the server checks both too); the last ticket card goes when the next attempt fails, so a
// wrong number is never handed over. Alerts can be acknowledged one by one or cleared.

import * as api from './api.js';
import * as i18n from './i18n.js';
import * as events from './events.js';
import * as advice from './advice.js';
import './guide_booking.js';
import { h, $, replace, boot, showMsg, errText, requireLogin, mountUserBar, liveBadge, winNo } from './ui.js';

i18n.add({
  'gd.title': ['引导台', 'Guide desk'],
  'skip': ['跳到主要内容', 'Skip to main content'],
  'service': ['业务', 'Service'],
  'gd.alerts': ['拥挤提醒', 'Crowding alerts'],
  'gd.issue': ['取号', 'Issue a ticket'],
  'gd.category': ['类别', 'Category'],
  'gd.priority': ['绿色通道（老年人、残疾人、孕妇等）', 'Green channel (elderly, disabled, pregnant …)'],
  'gd.appointment': ['预约签到', 'Appointment check-in'],
  'gd.appt_at': ['预约时段开始时间', 'Start of the booked slot'],
  'gd.phone': ['手机号（可选，用于提醒）', 'Mobile number (optional, for reminders)'],
  'gd.next': ['一票到底：办完后继续办理（可选）', 'One ticket for several services (optional)'],
  'gd.issue_btn': ['出号', 'Issue'],
  'gd.queues': ['各业务排队', 'Queues by service'],
  'gd.waiting': ['等候', 'Waiting'],
  'gd.windows': ['开放窗口', 'Open windows'],
  'gd.no_shows': ['过号', 'No-shows'],
  'gd.number': ['号码', 'Number'],
  'gd.called_at': ['叫号时间', 'Called at'],
  'gd.window': ['窗口', 'Window'],
  'gd.requeue': ['重新排队', 'Requeue'],
  'gd.requeued': ['{n} 已重新排队', '{n} is waiting again'],
  'gd.none': ['暂无过号', 'No no-shows'],
  'gd.issued': ['前面 {a} 人，预计等候 {w}', '{a} ahead, about {w}'],
  'gd.appt_needed': ['请填写预约时间', 'Please give the appointment time'],
  'gd.extra': ['建议增开 {x} 个窗口', 'open {x} more window(s)'],
  'gd.alert_text': ['{s}：等候 {n} 人，预计 {w}', '{s}: {n} waiting, about {w}'],
  'gd.advice': ['当前建议（拥挤业务）', 'Advice now (crowded services)'],
  'gd.alert_log': ['提醒记录', 'Alerts received'],
  'gd.find': ['查找号票', 'Find a ticket'],
  'gd.find_q': ['号码或手机号', 'Number or mobile number'],
  'gd.find_btn': ['查找', 'Find'],
  'gd.found_none': ['没有找到号票 {q}', 'No ticket found for {q}'],
  'gd.status': ['状态', 'Status'],
  'gd.place': ['位置', 'Place'],
  'gd.wait': ['预计等候', 'Expected wait'],
  'gd.place_n': ['第 {p} 位（前面 {a} 人）', 'No. {p} ({a} ahead)'],
  'gd.phone_bad': ['手机号应为 11 位数字，以 13–19 开头', 'A mobile number has 11 digits and starts with 13–19'],
  'gd.appt_past': ['预约时段已过超过 30 分钟，不能签到', 'The slot began more than 30 minutes ago: too late to check in'],
  'gd.appt_day': ['只能为今天的预约签到', 'Only appointments of today can be checked in'],
  'gd.ack': ['知道了', 'Acknowledge'],
  'gd.clear_alerts': ['全部清除', 'Clear all'],
  'gd.phone_col': ['手机', 'Mobile'],
  'gd.issued_at': ['取号时间', 'Issued at'],
});

// Mainland mobile number: 11 digits starting 13–19; spaces, dashes and +86 allowed (as the server).
export function validPhone(p) {
  if (!/^\+?[0-9 -]+$/.test(p)) return false;
  let d = p.replace(/[^0-9]/g, '');
  if (d.length === 13 && d.startsWith('86')) d = d.slice(2);
  return /^1[3-9][0-9]{9}$/.test(d);
}
const APPT_LATE_MS = 30 * 60000; // the server's HQ_APPT_LATE_S

const MAX_ALERTS = 20;
let services = [];
let alerts = [];
let adv = null;

// The box shows the advice for crowded services now, and the alerts received, side by side.
function renderAlertsBox() {
  const n = adv ? advice.renderCrowded($('#advice-list'), adv.data()) : 0;
  $('#advice-part').hidden = n === 0;
  $('#alerts-part').hidden = alerts.length === 0;
  $('#alerts-box').hidden = n === 0 && alerts.length === 0;
}

function svcName(code) {
  const s = services.find((x) => x.code === code);
  return s ? `${code} ${i18n.nameOf(s)}` : code;
}

function renderServices() {
  const sel = $('#svc');
  const keep = sel.value;
  replace(sel, ...services.filter((s) => s.enabled !== false).map((s) => h('option', { value: s.code }, `${s.code} ${i18n.nameOf(s)}`)));
  if (keep) sel.value = keep;
  const checked = new Set([...document.querySelectorAll('#next-list input:checked')].map((i) => i.value));
  replace($('#next-list'), ...services.filter((s) => s.enabled !== false).map((s) => h('label', { class: 'inline' }, h('input', { type: 'checkbox', value: s.code, checked: checked.has(s.code) }), `${s.code} ${i18n.nameOf(s)}`)));
}

async function loadQueues() {
  try {
    const [snap, wins] = await Promise.all([api.get('/display', { auth: false }), api.get('/windows', { auth: false })]);
    const waiting = snap.waiting || {};
    replace(
      $('#queues'),
      ...services.map((s) => {
        const open = (wins || []).filter((w) => w.state === 'open' && (w.active_services?.length ? w.active_services : w.services || []).includes(s.code)).map((w) => w.number);
        return h('tr', { dataset: { code: s.code } }, h('td', null, `${s.code} ${i18n.nameOf(s)}`), h('td', { class: 'num' }, String(waiting[s.code] ?? 0)), h('td', null, open.length ? open.join(', ') : '—'));
      }),
    );
  } catch {
    /* next event retries */
  }
}

async function loadNoShows({ keepMsg = false } = {}) {
  if (!keepMsg) showMsg($('#ns-msg'), '');
  try {
    const list = await api.get('/tickets?status=no_show');
    // Today's only: a no-show of an earlier day cannot come back to the queue.
    const today = new Date().toDateString();
    const rows = (Array.isArray(list) ? list : []).filter((t) => !t.called_at || new Date(t.called_at).toDateString() === today).slice(-200).reverse();
    replace(
      $('#no-shows'),
      ...(rows.length
        ? rows.map((t) =>
            h('tr', { dataset: { number: t.number } },
              h('td', null, t.number), h('td', null, svcName(t.service)), h('td', null, i18n.fmtTime(t.called_at)), h('td', null, t.window ?? '—'),
              h('td', null, h('button', { class: 'btn small', type: 'button', onclick: () => requeue(t) }, i18n.t('gd.requeue')))),
          )
        : [h('tr', null, h('td', { colspan: 5 }, i18n.t('gd.none')))]),
    );
  } catch (e) {
    showMsg($('#ns-msg'), errText(e));
  }
}

async function requeue(t) {
  try {
    const r = await api.post(`/tickets/${api.seg(t.id)}/requeue`, {});
    showMsg($('#ns-msg'), i18n.t('gd.requeued', { n: r?.number || t.number }), 'ok');
    loadNoShows({ keepMsg: true });
    loadQueues();
  } catch (e) {
    showMsg($('#ns-msg'), errText(e));
  }
}

function renderAlerts() {
  replace($('#alerts'), ...alerts.map((a) => h('li', { dataset: { id: a.id } }, h('span', null, a.text), ' ',
    h('button', { class: 'btn small', type: 'button', onclick: () => ack(a.id) }, i18n.t('gd.ack')))));
  renderAlertsBox();
}

function ack(id) {
  alerts = alerts.filter((a) => a.id !== id);
  renderAlerts();
}

let alertSeq = 0;
function addAlert(d) {
  let text = d?.message || i18n.t('gd.alert_text', { s: svcName(d?.service || ''), n: d?.waiting ?? '?', w: i18n.fmtWait(d?.predicted_wait_s ?? d?.estimated_wait_s) });
  if (d?.extra_windows > 0) text += ` · ${i18n.t('gd.extra', { x: d.extra_windows })}`;
  alerts.unshift({ id: ++alertSeq, text: `${i18n.fmtTime(new Date().toISOString())} ${text}` });
  if (alerts.length > MAX_ALERTS) alerts.length = MAX_ALERTS;
  renderAlerts();
}

async function issue(e) {
  e.preventDefault();
  showMsg($('#issue-msg'), '');
  // The card of the last ticket goes now: if this attempt fails, no stale number stays on screen.
  $('#issued').hidden = true;
  const category = document.querySelector('input[name=cat]:checked').value;
  const body = { service: $('#svc').value, category, channel: 'guide' };
  const phone = $('#phone').value.trim();
  if (phone) {
    if (!validPhone(phone)) {
      $('#phone').focus();
      return showMsg($('#issue-msg'), i18n.t('gd.phone_bad'));
    }
    body.phone = phone;
  }
  const next = [...document.querySelectorAll('#next-list input:checked')].map((i) => i.value).filter((c) => c !== body.service);
  if (next.length) body.next_services = next;
  if (category === 'appointment') {
    const v = $('#appt-at').value;
    if (!v) return showMsg($('#issue-msg'), i18n.t('gd.appt_needed'));
    const at = new Date(v);
    if (at.toDateString() !== new Date().toDateString()) return showMsg($('#issue-msg'), i18n.t('gd.appt_day'));
    if (at.getTime() < Date.now() - APPT_LATE_MS) return showMsg($('#issue-msg'), i18n.t('gd.appt_past'));
    body.appointment_at = i18n.rfc3339(at);
  }
  try {
    const t = await api.post('/tickets', body);
    $('#issued').hidden = false;
    $('#issued-number').textContent = `${t.number} · ${i18n.t('cat.' + t.category)}`;
    $('#issued-facts').textContent = i18n.t('gd.issued', { a: t.ahead ?? 0, w: i18n.fmtWait(t.estimated_wait_s, t) });
    $('#issued').dataset.wait = String(t.estimated_wait_s ?? '');
    const url = `${location.origin}/t/${t.id}`;
    $('#issued-link').href = url;
    $('#issued-link').textContent = url;
    $('#issued-qr').src = `/api/v1/tickets/${api.seg(t.id)}/qr.svg`;
    clearForm();
    loadQueues();
  } catch (err) {
    showMsg($('#issue-msg'), errText(err));
  }
}

// After a ticket: back to a blank form (normal, no phone, no appointment time, no next services),
// so the next customer never inherits the previous one's details. The service stays.
function clearForm() {
  $('#phone').value = '';
  $('#appt-at').value = '';
  document.querySelector('input[name=cat][value=normal]').checked = true;
  $('#appt').hidden = true;
  for (const i of document.querySelectorAll('#next-list input')) i.checked = false;
}

async function find(e) {
  e.preventDefault();
  const q = $('#find-q').value.trim();
  showMsg($('#find-msg'), '');
  if (!q) return;
  try {
    const list = await api.get(`/tickets?q=${encodeURIComponent(q)}`);
    found = (Array.isArray(list) ? list : []).slice(-20).reverse();
    if (!found.length) showMsg($('#find-msg'), i18n.t('gd.found_none', { q }), 'info');
  } catch (err) {
    found = [];
    showMsg($('#find-msg'), errText(err));
  }
  renderFound();
}

let found = [];
function renderFound() {
  $('#found-table').hidden = !found.length;
  replace(
    $('#found'),
    ...found.map((t) =>
      h('tr', { dataset: { number: t.number } },
        h('td', null, t.number), h('td', null, svcName(t.service)), h('td', null, i18n.t('status.' + t.status) + (t.window ? ` · ${i18n.t('window.n', { n: t.window })}` : '')),
        h('td', null, t.status === 'waiting' && t.position != null ? i18n.t('gd.place_n', { p: t.position, a: t.ahead ?? 0 }) : '—'),
        h('td', { class: 'wait', dataset: { wait: String(t.estimated_wait_s ?? '') } }, t.status === 'waiting' ? i18n.fmtWait(t.estimated_wait_s, t) : '—'),
        h('td', null, t.phone || '—'), h('td', null, i18n.fmtTime(t.issued_at))),
    ),
  );
}

async function ready(u) {
  mountUserBar($('#userbar'), u);
  $('#live').hidden = false;
  adv = advice.follow({ onData: renderAlertsBox });
  try {
    const list = await api.get('/services', { auth: false });
    services = Array.isArray(list) ? list : [];
  } catch {
    services = [];
  }
  renderServices();
  loadQueues();
  loadNoShows();
  let t = null;
  let needNoShows = false;
  events.connect({
    onState: liveBadge($('#live')),
    onReconnect: () => {
      loadQueues();
      loadNoShows();
      adv.refresh();
    },
    onEvent: (type, d) => {
      if (type === 'alert.crowding') {
        addAlert(d);
        adv.refresh();
      }
      if (type === 'ticket.no_show' || type === 'ticket.requeued') needNoShows = true;
      if (type.startsWith('ticket.') || type.startsWith('window.')) {
        clearTimeout(t);
        t = setTimeout(() => {
          loadQueues();
          if (found.length) refreshFound();
          if (needNoShows) loadNoShows({ keepMsg: true });
          needNoShows = false;
        }, 300);
      }
    },
  });
}

// Keep the found tickets' places and waits current (by number, as the guide asked).
async function refreshFound() {
  const q = $('#find-q').value.trim();
  if (!q) return;
  try {
    const list = await api.get(`/tickets?q=${encodeURIComponent(q)}`);
    found = (Array.isArray(list) ? list : []).slice(-20).reverse();
    renderFound();
  } catch {
    /* the next event retries */
  }
}

boot();
$('#find-form').addEventListener('submit', find);
$('#alerts-clear').addEventListener('click', () => {
  alerts = [];
  renderAlerts();
});
for (const r of document.querySelectorAll('input[name=cat]')) r.addEventListener('change', () => ($('#appt').hidden = document.querySelector('input[name=cat]:checked').value !== 'appointment'));
$('#issue-form').addEventListener('submit', issue);
$('#ns-refresh').addEventListener('click', () => loadNoShows());
i18n.onChange(() => {
  renderAlerts();
  renderServices();
  renderFound();
  loadQueues();
  loadNoShows();
});
requireLogin({ roles: ['guide', 'manager', 'admin'], onReady: ready });
