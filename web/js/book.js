// SPDX-License-Identifier: MIT
// book.js — the public booking page (book.html; docs/APPOINTMENTS.md). GET /services (those
// `bookable`), GET /appointments/slots for a service and day (only the places offered: the share
// kept for walk-ins never shows), POST /appointments with the phone (never shown again), then the
// booking code, the QR code of this page's link (?b=<id>, GET /appointments/{id}/qr.png), and
// cancel (POST /appointments/{id}/cancel). Opened with ?b=<id> it shows that booking. A guide
// signed in on this browser books on a caller's behalf (the session goes with the booking).
// 改约: a booked booking moves to another slot of its service (POST /appointments/{id}/change),
// keeping its code; the new day and slot are picked as when booking.

import * as api from './api.js';
import * as i18n from './i18n.js';
import { h, $, replace, boot, showMsg, errText } from './ui.js';

i18n.add({
  'bk.title': ['预约办事', 'Book an appointment'],
  'bk.service': ['1. 选择业务', '1. Choose a service'],
  'bk.day': ['2. 选择日期', '2. Choose a day'],
  'bk.slot': ['3. 选择时段', '3. Choose a time'],
  'bk.contact': ['4. 填写手机号', '4. Your mobile number'],
  'bk.pick_first': ['请先选择业务和日期', 'Choose a service and a day first'],
  'bk.no_services': ['目前没有可预约的业务，请直接到大厅取号', 'No service takes bookings now: please take a ticket in the hall'],
  'bk.no_slots': ['当天没有可预约的时段（休息日、节假日或已约满）', 'No bookable time that day (closed, a holiday, or fully booked)'],
  'bk.beyond': ['该日期暂不开放预约', 'Bookings for that day are not open yet'],
  'bk.left': ['余 {n}', '{n} left'],
  'bk.full': ['已约满', 'Full'],
  'bk.phone': ['手机号码', 'Mobile number'],
  'bk.id_number': ['身份证号（可选）', 'ID number (optional)'],
  'bk.privacy': ['手机号只用于预约提醒，不会公开显示。', 'Your number is used only for reminders and is never shown publicly.'],
  'bk.submit': ['提交预约', 'Book'],
  'bk.need_slot': ['请选择时段', 'Please choose a time'],
  'bk.need_phone': ['请填写 11 位手机号码', 'Please enter your 11-digit mobile number'],
  'bk.booking': ['我的预约', 'My booking'],
  'bk.booked': ['预约成功，请记下预约码，到大厅后在取号机“预约签到”：', 'Booked. Note your booking code and check in at the kiosk (预约签到) when you arrive:'],
  'bk.k.service': ['业务', 'Service'],
  'bk.k.time': ['时间', 'Time'],
  'bk.k.status': ['状态', 'Status'],
  'bk.qr_note': ['扫描二维码或保存本页链接，可随时查看或取消预约。', 'Scan the QR code or keep this link to see or cancel your booking.'],
  'bk.cancel': ['取消预约', 'Cancel the booking'],
  'bk.confirm_cancel': ['确定取消这个预约吗？', 'Cancel this booking?'],
  'bk.cancelled_ok': ['预约已取消', 'The booking is cancelled'],
  'bk.again': ['再约一个', 'Book another'],
  'bk.change': ['改约（换时段）', 'Change the time'],
  'bk.change_day': ['选择新的日期', 'Choose a new day'],
  'bk.change_slot': ['选择新的时段', 'Choose a new time'],
  'bk.change_pick': ['请先选择日期', 'Choose a day first'],
  'bk.change_ok': ['确认改约', 'Change to this time'],
  'bk.change_no': ['不改了', 'Keep the booking as it is'],
  'bk.changed_ok': ['已改约，预约码不变', 'Changed: your booking code stays the same'],
  'bk.not_found': ['没有找到这个预约', 'No such booking'],
  'bst.booked': ['已预约', 'Booked'],
  'bst.cancelled': ['已取消', 'Cancelled'],
  'bst.checked_in': ['已签到', 'Checked in'],
  'bst.missed': ['已失约', 'Missed'],
});

const DAYS_SHOWN = 14;
let services = [];
const chosen = { service: null, day: null, slot: null };
let current = null; // the booking shown
let hallRec = null;

const pad = (n) => String(n).padStart(2, '0');
const ymd = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
const WEEK = { zh: ['日', '一', '二', '三', '四', '五', '六'], en: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] };

function pressed(container, btn) {
  for (const b of container.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b === btn));
}

function renderServices() {
  const box = $('#services');
  const bookable = services.filter((s) => s.bookable && s.enabled !== false);
  if (!bookable.length) {
    replace(box, h('p', { class: 'msg info', text: i18n.t('bk.no_services') }));
    return;
  }
  replace(
    box,
    bookable.map((s) =>
      h('button', { class: 'btn', type: 'button', 'aria-pressed': String(chosen.service === s.code), dataset: { code: s.code }, onclick: (ev) => {
        chosen.service = s.code;
        pressed(box, ev.currentTarget);
        loadSlots();
      } }, `${s.code} ${i18n.nameOf(s)}`)
    )
  );
}

function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
}

async function submit(ev) {
  ev.preventDefault();
  const msg = $('#form-msg');
  const phone = $('#phone').value.replace(/[\s-]/g, '');
  const idn = $('#idn').value.trim();
  if (!chosen.slot) return showMsg(msg, i18n.t('bk.need_slot'));
  if (!/^1[3-9]\d{9}$/.test(phone)) return showMsg(msg, i18n.t('bk.need_phone'));
  showMsg(msg, '');
  $('#submit').disabled = true;
  try {
    const b = await api.post('/appointments', { service: chosen.service, start: chosen.slot.start, phone, id_number: idn || null });
    $('#phone').value = '';
    $('#idn').value = '';
    show(b, true);
  } catch (e) {
    showMsg(msg, errText(e));
    if (e.code === 'conflict') loadSlots();
  } finally {
    $('#submit').disabled = false;
  }
}

function show(b, fresh) {
  current = b;
  const link = `${location.origin}/book.html?b=${encodeURIComponent(b.id)}`;
  history.replaceState(null, '', `/book.html?b=${encodeURIComponent(b.id)}`);
  $('#step-form').hidden = true;
  $('#done').hidden = false;
  $('#done-ok').hidden = !fresh;
  $('#code-out').textContent = b.code;
  const svc = services.find((s) => s.code === b.service);
  replace(
    $('#details'),
    h('dt', { text: i18n.t('bk.k.service') }), h('dd', { text: svc ? `${b.service} ${i18n.nameOf(svc)}` : b.service }),
    h('dt', { text: i18n.t('bk.k.time') }), h('dd', { text: `${i18n.fmtDate(b.start)} ${i18n.fmtTime(b.start)}–${i18n.fmtTime(b.end)}` }),
    h('dt', { text: i18n.t('bk.k.status') }), h('dd', { id: 'status', text: i18n.t('bst.' + b.status) })
  );
  $('#qr').src = `/api/v1/appointments/${encodeURIComponent(b.id)}/qr.png`;
  $('#qr').alt = link;
  const a = $('#link');
  a.href = link;
  a.textContent = link;
  $('#cancel').hidden = b.status !== 'booked';
  $('#change-box').hidden = true;
  $('#change').hidden = b.status !== 'booked';
  showMsg($('#done-msg'), '');
}

async function cancel() {
  if (!current || !window.confirm(i18n.t('bk.confirm_cancel'))) return;
  try {
    const b = await api.post(`/appointments/${api.seg(current.id)}/cancel`, undefined, { auth: false });
    show(b, false);
    showMsg($('#done-msg'), i18n.t('bk.cancelled_ok'), 'ok');
  } catch (e) {
    showMsg($('#done-msg'), errText(e));
  }
}

// ---- 改约: the same booking to another slot of its service ----
const changing = { day: null, slot: null };

// One day-and-slot picker. The booking form's and the change form's (改约) differ only in their
// elements, their state, where the service comes from, what is said before a pick and, for a
// change, the booking's own slot left out.
function picker({ days, slots, note, state, service, before, skip = () => false }) {
  async function load() {
    const box = $(slots);
    const msg = $(note);
    state.slot = null;
    clear(box);
    if (!service() || !state.day) {
      msg.hidden = false;
      msg.textContent = i18n.t(before);
      return;
    }
    msg.hidden = true;
    try {
      const r = await api.get(`/appointments/slots?service=${api.seg(service())}&date=${api.seg(state.day)}`, { auth: false });
      const offered = r.slots.filter((s) => !skip(s));
      if (!offered.length) {
        msg.hidden = false;
        msg.textContent = i18n.t('bk.no_slots');
        return;
      }
      replace(
        box,
        offered.map((s) =>
          h('button', { class: 'btn slot', type: 'button', disabled: s.available <= 0, 'aria-pressed': 'false', dataset: { start: s.start }, onclick: (ev) => {
            state.slot = s;
            pressed(box, ev.currentTarget);
          } }, `${i18n.fmtTime(s.start)}–${i18n.fmtTime(s.end)}`, h('small', { text: s.available > 0 ? i18n.t('bk.left', { n: s.available }) : i18n.t('bk.full') }))
        )
      );
    } catch (e) {
      msg.hidden = false;
      msg.textContent = e.field === 'date' ? i18n.t('bk.beyond') : errText(e);
    }
  }
  function renderDays() {
    const box = $(days);
    const today = new Date();
    const btns = [];
    for (let i = 0; i < DAYS_SHOWN; i++) {
      const d = new Date(today.getFullYear(), today.getMonth(), today.getDate() + i);
      const day = ymd(d);
      const wk = WEEK[i18n.lang() === 'en' ? 'en' : 'zh'][d.getDay()];
      const label = i18n.lang() === 'en' ? `${wk} ${pad(d.getMonth() + 1)}-${pad(d.getDate())}` : `${d.getMonth() + 1}月${d.getDate()}日 周${wk}`;
      btns.push(h('button', { class: 'btn', type: 'button', 'aria-pressed': String(state.day === day), dataset: { day }, onclick: (ev) => {
        state.day = day;
        pressed(box, ev.currentTarget);
        load();
      } }, label));
    }
    replace(box, btns);
  }
  return { renderDays, load };
}

const booking = picker({ days: '#days', slots: '#slots', note: '#slot-note', state: chosen, service: () => chosen.service, before: 'bk.pick_first' });
const change = picker({
  days: '#cdays',
  slots: '#cslots',
  note: '#cslot-note',
  state: changing,
  service: () => current?.service,
  before: 'bk.change_pick',
  skip: (s) => new Date(s.start).getTime() === new Date(current.start).getTime(),
});
const renderDays = booking.renderDays;
const loadSlots = booking.load;
const renderChangeDays = change.renderDays;
const loadChangeSlots = change.load;

function openChange() {
  changing.day = null;
  changing.slot = null;
  $('#change-box').hidden = false;
  $('#change').hidden = true;
  renderChangeDays();
  loadChangeSlots();
}

function closeChange() {
  $('#change-box').hidden = true;
  $('#change').hidden = !current || current.status !== 'booked';
}

async function doChange() {
  const msg = $('#done-msg');
  if (!current) return;
  if (!changing.slot) return showMsg(msg, i18n.t('bk.need_slot'));
  $('#change-ok').disabled = true;
  try {
    const b = await api.post(`/appointments/${api.seg(current.id)}/change`, { start: changing.slot.start }, { auth: false });
    show(b, false);
    showMsg(msg, i18n.t('bk.changed_ok'), 'ok');
  } catch (e) {
    showMsg(msg, errText(e));
    if (e.code === 'conflict') loadChangeSlots();
  } finally {
    $('#change-ok').disabled = false;
  }
}

function again() {
  history.replaceState(null, '', '/book.html');
  current = null;
  $('#done').hidden = true;
  $('#step-form').hidden = false;
  loadSlots();
}

async function start() {
  boot();
  $('#form').addEventListener('submit', submit);
  $('#cancel').addEventListener('click', cancel);
  $('#again').addEventListener('click', again);
  $('#change').addEventListener('click', openChange);
  $('#change-no').addEventListener('click', closeChange);
  $('#change-ok').addEventListener('click', doChange);
  try {
    hallRec = await api.get('/hall', { auth: false });
    $('#hall-name').textContent = i18n.nameOf(hallRec);
  } catch {
    /* the name is a nicety */
  }
  try {
    services = await api.get('/services', { auth: false });
  } catch (e) {
    showMsg($('#form-msg'), errText(e));
  }
  renderServices();
  renderDays();
  i18n.onChange(() => {
    if (hallRec) $('#hall-name').textContent = i18n.nameOf(hallRec);
    renderServices();
    renderDays();
    if (current && !$('#change-box').hidden) {
      renderChangeDays();
      loadChangeSlots();
    } else if (current) show(current, !$('#done-ok').hidden);
    else loadSlots();
  });
  const id = new URLSearchParams(location.search).get('b');
  if (id) {
    try {
      show(await api.get(`/appointments/${api.seg(id)}`, { auth: false }), false);
    } catch (e) {
      showMsg($('#form-msg'), e.code === 'not_found' ? i18n.t('bk.not_found') : errText(e));
    }
  }
}

start();
