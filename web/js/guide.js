// SPDX-License-Identifier: MIT
// guide.js — the guide's console: POST /tickets with any category (channel guide; priority and
// appointment need the guide's token), the no-show list (GET /tickets?status=no_show) with requeue,
// the queues per service (GET /display, GET /windows), crowding alerts (alert.crowding events) and,
// next to them, the advice for the services that are crowded now (GET /advice, re-read on each
// alert and every 30 s).

import * as api from './api.js';
import * as i18n from './i18n.js';
import * as events from './events.js';
import * as advice from './advice.js';
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
});

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

function addAlert(d) {
  let text = d?.message || i18n.t('gd.alert_text', { s: svcName(d?.service || ''), n: d?.waiting ?? '?', w: i18n.fmtDuration(d?.predicted_wait_s ?? d?.estimated_wait_s) });
  if (d?.extra_windows > 0) text += ` · ${i18n.t('gd.extra', { x: d.extra_windows })}`;
  alerts.unshift(`${new Date().toLocaleTimeString(i18n.lang() === 'en' ? 'en-GB' : 'zh-CN', { hour: '2-digit', minute: '2-digit' })} ${text}`);
  if (alerts.length > MAX_ALERTS) alerts.length = MAX_ALERTS;
  replace($('#alerts'), ...alerts.map((a) => h('li', null, a)));
  renderAlertsBox();
}

async function issue(e) {
  e.preventDefault();
  showMsg($('#issue-msg'), '');
  const category = document.querySelector('input[name=cat]:checked').value;
  const body = { service: $('#svc').value, category, channel: 'guide' };
  const phone = $('#phone').value.trim();
  if (phone) body.phone = phone;
  const next = [...document.querySelectorAll('#next-list input:checked')].map((i) => i.value).filter((c) => c !== body.service);
  if (next.length) body.next_services = next;
  if (category === 'appointment') {
    const v = $('#appt-at').value;
    if (!v) return showMsg($('#issue-msg'), i18n.t('gd.appt_needed'));
    body.appointment_at = i18n.rfc3339(new Date(v));
  }
  try {
    const t = await api.post('/tickets', body);
    $('#issued').hidden = false;
    $('#issued-number').textContent = `${t.number} · ${i18n.t('cat.' + t.category)}`;
    $('#issued-facts').textContent = i18n.t('gd.issued', { a: t.ahead ?? 0, w: i18n.fmtDuration(t.estimated_wait_s) });
    const url = `${location.origin}/t/${t.id}`;
    $('#issued-link').href = url;
    $('#issued-link').textContent = url;
    $('#issued-qr').src = `/api/v1/tickets/${api.seg(t.id)}/qr.svg`;
    $('#phone').value = '';
    for (const i of document.querySelectorAll('#next-list input')) i.checked = false;
    loadQueues();
  } catch (err) {
    showMsg($('#issue-msg'), errText(err));
  }
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
          if (needNoShows) loadNoShows({ keepMsg: true });
          needNoShows = false;
        }, 300);
      }
    },
  });
}

boot();
for (const r of document.querySelectorAll('input[name=cat]')) r.addEventListener('change', () => ($('#appt').hidden = document.querySelector('input[name=cat]:checked').value !== 'appointment'));
$('#issue-form').addEventListener('submit', issue);
$('#ns-refresh').addEventListener('click', () => loadNoShows());
i18n.onChange(() => {
  renderAlertsBox();
  renderServices();
  loadQueues();
  loadNoShows();
});
requireLogin({ roles: ['guide', 'manager', 'admin'], onReady: ready });
