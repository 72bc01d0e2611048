// SPDX-License-Identifier: MIT
// kiosk.js — the kiosk: lists services (GET /services), issues a normal kiosk ticket on a touch
// (POST /tickets), shows it for 20 s, then returns to the list. Refusals (409: disabled, closed,
// quota reached) are shown in both languages, with the server's reason. A kiosk registered as a
// device with a printer gets "print":{"ok":…} in the answer: ok → "please take your ticket";
// failed → the ticket stands, shown on screen, and the customer is told in both languages to
// photograph the number or scan the QR code (and is given 60 s to do so).
// Only a registered kiosk (a device key, api.deviceKey()) returns to the list by itself: on a phone
// or a PC that is not one, the ticket stays with its tracking address as a link until 完成.
// The wait shown is the API's (estimated_wait_s, its range, or 当前无窗口办理), never our own.

import * as api from './api.js';
import * as i18n from './i18n.js';
import { h, $, replace, boot, showMsg, refusalKey, openNow, nextOpening, errText } from './ui.js';
import { noticeItem } from './notice.js';
import './kiosk_idcard.js';
import './ops_device.js'; // heartbeat; public information on the kiosk and display
import * as largetype from './largetype.js';
import * as help from './help.js';

i18n.add({
  'kiosk.title': ['取号机', 'Take a ticket'],
  'kiosk.hint': ['请选择您要办理的业务', 'Please choose your service'],
  'kiosk.your_number': ['您的号码', 'Your number'],
  'kiosk.ahead': ['前面等候', 'People ahead'],
  'kiosk.wait': ['预计等候', 'Estimated wait'],
  'kiosk.scan': ['扫码在手机上查看排队进度', 'Scan to follow your place on your phone'],
  'kiosk.done': ['完成', 'Done'],
  'kiosk.docs': ['请备好：{d}', 'Please have ready: {d}'],
  'kiosk.no_docs': ['无需材料', 'No documents needed'],
  'kiosk.waiting_n': ['等候 {n} 人', '{n} waiting'],
  'kiosk.refused': ['该业务暂不能取号', 'No ticket can be issued for this service now'],
  'kiosk.state.disabled': ['暂停办理', 'Suspended'],
  'kiosk.state.closed': ['不在办理时间', 'Closed now'],
  'kiosk.state.unserved': ['当前无窗口办理', 'No window is serving this now'],
  'kiosk.opens.today': ['{part} {at} 开始办理', 'Opens at {at}'],
  'kiosk.opens.tomorrow': ['明天 {at} 开始办理', 'Opens tomorrow at {at}'],
  'kiosk.opens.day': ['{day} {at} 开始办理', 'Opens {day_en} at {at}'],
  'kiosk.am': ['上午', 'morning'],
  'kiosk.pm': ['下午', 'afternoon'],
  'kiosk.state.suspended': ['暂停取号', 'Ticketing suspended'],
  'kiosk.suspended': ['大厅暂停取号', 'Ticketing is suspended in the hall'],
  'kiosk.state.quota': ['今日已取完', 'Fully booked today'],
  'kiosk.none': ['暂无可办理的业务', 'No services available'],
  'kiosk.persons': ['{n} 人', '{n}'],
  'kiosk.take': ['请取走号票', 'Please take your ticket'],
  'kiosk.print_failed': ['号票打印失败，请拍照记下您的号码，或扫描二维码在手机上查看', 'The ticket could not be printed: please take a photo of your number or scan the QR code to follow it on your phone'],
  'kiosk.problem.paper out': ['打印机缺纸', 'printer out of paper'],
  'kiosk.problem.printer offline': ['打印机未连接', 'printer offline'],
  'kiosk.problem.printer error': ['打印机故障', 'printer error'],
  'kiosk.staff_told': ['已通知工作人员', 'staff have been told'],
});

const SHOW_S = 20; // the ticket stays this long
const SHOW_FAILED_S = 60; // longer when it has to be photographed

let services = [];
let snapshot = null;
const quotaFull = new Map(); // code → day string when the server said the quota is reached
let busy = false;
let backTimer = null;

const today = () => new Date().toDateString();

function renderHall() {
  if (!snapshot) return;
  const hall = snapshot.hall || {};
  $('#hall-name').textContent = i18n.nameOf(hall) || i18n.t('kiosk.title');
  $('#hours').textContent = i18n.fmtHours(hall.hours);
  const list = $('#notices');
  const notices = snapshot.notices || [];
  replace(list, ...notices.map((n) => noticeItem(n)));
  $('#notices-box').hidden = notices.length === 0;
}

function serviceState(s) {
  if (snapshot?.suspended || snapshot?.hall?.suspended) return 'suspended';
  if (!s.enabled) return 'disabled';
  if (quotaFull.get(s.code) === today()) return 'quota';
  if (s.daily_quota > 0 && s.remaining === 0) return 'quota';
  if (!openNow(s.hours, snapshot?.hall?.hours)) return 'closed';
  // The hall stops issuing for a service no open window serves (unserved_tickets "refuse").
  if (s.serving_windows === 0 && s.unserved_tickets === 'refuse') return 'unserved';
  return null;
}

// "下午 13:30 开始办理 / Opens at 13:30": when a closed service opens next (its hours or the hall's).
const DAY_ZH = { mon: '周一', tue: '周二', wed: '周三', thu: '周四', fri: '周五', sat: '周六', sun: '周日' };
const DAY_EN = { mon: 'Monday', tue: 'Tuesday', wed: 'Wednesday', thu: 'Thursday', fri: 'Friday', sat: 'Saturday', sun: 'Sunday' };
function opensText(s) {
  const n = nextOpening(s.hours, snapshot?.hall?.hours);
  if (!n) return '';
  const vars = { at: n.at, part: i18n.inLang(n.minutes < 720 ? 'kiosk.am' : 'kiosk.pm', 'zh'), day: DAY_ZH[n.weekday], day_en: DAY_EN[n.weekday] };
  const key = n.days === 0 ? 'kiosk.opens.today' : n.days === 1 ? 'kiosk.opens.tomorrow' : 'kiosk.opens.day';
  return h('span', { class: 'opens' }, ' · ', i18n.both(key, vars));
}

function renderServices() {
  const box = $('#services');
  if (!services.length) {
    replace(box, h('p', { class: 'hint' }, i18n.t('kiosk.none')));
    return;
  }
  replace(
    box,
    ...services.map((s) => {
      const state = serviceState(s);
      const waiting = snapshot?.waiting?.[s.code];
      const docs = s.documents || [];
      return h(
        'button',
        {
          class: 'svc-btn',
          type: 'button',
          dataset: { code: s.code },
          disabled: !!state,
          'aria-disabled': state ? 'true' : null,
          onclick: () => issue(s),
        },
        h('span', { class: 'code' }, s.code),
        h('span', { class: 'name' }, i18n.nameOf(s)),
        state
          ? h('span', { class: 'state' }, i18n.both('kiosk.state.' + state), state === 'closed' ? opensText(s) : '')
          : h('span', { class: 'meta' }, waiting != null ? i18n.t('kiosk.waiting_n', { n: waiting }) : '',
            // The API's wait for a new ticket (GET /services), when the server gives it.
            s.estimated_wait_s != null || s.serving_windows === 0 ? ` · ${i18n.fmtWait(s.estimated_wait_s, s)}` : ''),
        h('span', { class: 'docs' }, docs.length ? i18n.t('kiosk.docs', { d: docs.join('、') }) : i18n.t('kiosk.no_docs')),
      );
    }),
  );
}

async function load() {
  try {
    const [svc, disp] = await Promise.all([api.get('/services'), api.get('/display')]);
    services = Array.isArray(svc) ? svc : svc?.services || [];
    // Enabled services first; disabled ones stay visible, marked as such.
    services.sort((a, b) => (b.enabled === false ? 0 : 1) - (a.enabled === false ? 0 : 1) || a.code.localeCompare(b.code));
    snapshot = disp;
    renderHall();
    if (!busy) renderServices();
    const susp = snapshot?.suspended || snapshot?.hall?.suspended;
    if (susp) {
      const why = snapshot?.hall?.suspend_reason;
      showMsg($('#kiosk-msg'), `${i18n.both('kiosk.suspended')}${why ? ' — ' + why : ''}`);
    } else if (!$('#kiosk-msg').dataset.sticky) showMsg($('#kiosk-msg'), '');
  } catch (e) {
    showMsg($('#kiosk-msg'), errText(e));
  }
}

async function issue(s) {
  if (busy) return;
  busy = true;
  const msg = $('#kiosk-msg');
  showMsg(msg, '');
  delete msg.dataset.sticky;
  try {
    const t = await api.post('/tickets', { service: s.code, category: 'normal', channel: 'kiosk' }, { auth: false });
    showTicket(t, s);
  } catch (e) {
    busy = false;
    if (e.status === 409 || e.status === 503) {
      const key = refusalKey(e.message_en || e.message);
      if (key === 'refuse.quota') quotaFull.set(s.code, today());
      const reason = key ? i18n.both(key) : '';
      showMsg(msg, `${i18n.both('kiosk.refused')}${reason ? ' — ' + reason : ''}${e.message ? ` (${e.message})` : ''}`);
      msg.dataset.sticky = '1';
      renderServices();
    } else {
      showMsg(msg, errText(e));
    }
  }
}

function showTicket(t, s) {
  $('#choose').hidden = true;
  $('#notices-box').hidden = true;
  const view = $('#ticket');
  view.hidden = false;
  view.dataset.id = t.id;
  $('#t-number').textContent = t.number;
  $('#t-service').textContent = i18n.nameOf(s);
  $('#t-ahead').textContent = t.ahead ?? '—';
  $('#t-wait').textContent = i18n.fmtWait(t.estimated_wait_s, t);
  $('#t-wait').dataset.wait = String(t.estimated_wait_s ?? '');
  const docs = t.documents || s.documents || [];
  $('#t-docs').textContent = docs.length ? i18n.t('kiosk.docs', { d: docs.join('、') }) : '';
  $('#t-qr').src = `/api/v1/tickets/${api.seg(t.id)}/qr.svg`;
  $('#t-qr').alt = i18n.t('kiosk.scan');
  const url = `${location.origin}/t/${t.id}`;
  replace($('#t-url'), h('a', { href: url, id: 't-link' }, url));
  const pr = $('#t-print');
  const failed = t.print && t.print.ok === false;
  if (t.print && t.print.ok) {
    replace(pr, h('span', null, i18n.inLang('kiosk.take', 'zh')), h('span', { class: 'en', lang: 'en' }, i18n.inLang('kiosk.take', 'en')));
    pr.className = 'print-msg ok';
    pr.hidden = false;
  } else if (failed) {
    const why = t.print.problem && i18n.t('kiosk.problem.' + t.print.problem) !== 'kiosk.problem.' + t.print.problem ? i18n.both('kiosk.problem.' + t.print.problem) : '';
    replace(pr, h('span', null, i18n.inLang('kiosk.print_failed', 'zh')), h('span', { class: 'en', lang: 'en' }, i18n.inLang('kiosk.print_failed', 'en')),
      why ? h('small', null, `${why} · ${i18n.both('kiosk.staff_told')}`) : null);
    pr.className = 'print-msg failed';
    pr.hidden = false;
  } else pr.hidden = true;
  view.classList.toggle('print-failed', !!failed);
  view.dataset.print = t.print ? (t.print.ok ? 'ok' : 'failed') : 'none';
  let left = (failed ? SHOW_FAILED_S : SHOW_S) * largetype.timeFactor();
  $('#t-count').textContent = left;
  clearInterval(backTimer);
  const kiosk = !!api.deviceKey();
  $('#t-count-box').hidden = !kiosk;
  view.dataset.autoBack = kiosk ? 'yes' : 'no';
  if (!kiosk) return window.scrollTo(0, 0);
  backTimer = setInterval(() => {
    left -= 1;
    $('#t-count').textContent = left;
    if (left <= 0) back();
  }, 1000);
  $('#t-done').focus({ preventScroll: true });
  window.scrollTo(0, 0);
}

function back() {
  clearInterval(backTimer);
  backTimer = null;
  busy = false;
  largetype.done(); // the ticket is taken: normal type for the next person
  help.reset(); // and no help note of the previous person's (the guide still has the alert)
  $('#ticket').hidden = true;
  $('#choose').hidden = false;
  renderHall();
  load();
}

boot();
$('#t-done').addEventListener('click', back);
i18n.onChange(() => {
  renderHall();
  renderServices();
});
load();
setInterval(() => {
  if (!busy) load();
}, 30000);
