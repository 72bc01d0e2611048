// SPDX-License-Identifier: MIT
// guide_booking.js — 电话预约 on the guide page (docs/APPOINTMENTS.md): a guide answering the
// phone books a slot for the caller without leaving /guide. Pick a bookable service (GET /services)
// and a day, choose one of the slots offered (GET /appointments/slots: the walk-in share never
// shows), type the caller's mobile number (and ID number if given), and POST /appointments with
// the guide's session: the same rules and limits as the public page (409 with the field when a
// limit or a full slot refuses), exempt from the public rate limit, `by` recorded. The answer's
// booking code is shown large to be read out; the phone and ID number fields are cleared at once.
// Imported by guide.js with one line; it builds its own card in #main.

import * as api from './api.js';
import * as i18n from './i18n.js';
import { h, $, replace, showMsg, errText } from './ui.js';

i18n.add({
  'gb.title': ['电话预约', 'Book for a caller'],
  'gb.service': ['业务', 'Service'],
  'gb.day': ['日期', 'Day'],
  'gb.slots': ['可预约时段', 'Bookable times'],
  'gb.pick': ['请选择业务和日期', 'Choose a service and a day'],
  'gb.none': ['当天没有可预约的时段', 'No bookable time that day'],
  'gb.no_services': ['没有可预约的业务', 'No service takes bookings'],
  'gb.left': ['余 {n}', '{n} left'],
  'gb.full': ['已约满', 'Full'],
  'gb.phone': ['来电人手机号', "Caller's mobile number"],
  'gb.idn': ['身份证号（可选）', 'ID number (optional)'],
  'gb.submit': ['预约', 'Book'],
  'gb.need_slot': ['请选择时段', 'Please choose a time'],
  'gb.need_phone': ['请填写 11 位手机号码', 'Please enter the 11-digit mobile number'],
  'gb.code': ['预约码（请读给来电人）', 'Booking code (read it out to the caller)'],
  'gb.at': ['{s} 预约成功：{t}', '{s} booked: {t}'],
});

const pad = (n) => String(n).padStart(2, '0');
const ymd = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
let services = [];
let slot = null;

const svcSel = h('select', { id: 'gb-svc' });
const dayIn = h('input', { id: 'gb-day', type: 'date' });
const slotsBox = h('div', { class: 'choices', id: 'gb-slots', role: 'group', 'aria-labelledby': 'gb-slots-h' });
const note = h('p', { class: 'sub', id: 'gb-note' });
const phoneIn = h('input', { id: 'gb-phone', type: 'tel', maxlength: '20', autocomplete: 'off', inputmode: 'tel', placeholder: '13812345678' });
const idIn = h('input', { id: 'gb-idn', maxlength: '18', autocomplete: 'off' });
const msg = h('p', { class: 'msg', id: 'gb-msg', role: 'alert', hidden: true });
const out = h('div', { id: 'gb-done', class: 'card', hidden: true, 'aria-live': 'polite' });
const label = (key, forId) => h('label', { for: forId, dataset: { i18n: key } }, i18n.t(key));

const form = h(
  'form',
  { id: 'gb-form', novalidate: true },
  label('gb.service', 'gb-svc'),
  svcSel,
  label('gb.day', 'gb-day'),
  dayIn,
  h('h3', { id: 'gb-slots-h', dataset: { i18n: 'gb.slots' } }, i18n.t('gb.slots')),
  note,
  slotsBox,
  label('gb.phone', 'gb-phone'),
  phoneIn,
  label('gb.idn', 'gb-idn'),
  idIn,
  h('button', { class: 'btn primary', type: 'submit', id: 'gb-submit', dataset: { i18n: 'gb.submit' } }, i18n.t('gb.submit')),
);
const card = h('section', { class: 'card', id: 'guide-booking', 'aria-labelledby': 'gb-h' }, h('h2', { id: 'gb-h', dataset: { i18n: 'gb.title' } }, i18n.t('gb.title')), form, msg, out);

function renderServices() {
  const keep = svcSel.value;
  const list = services.filter((s) => s.bookable && s.enabled !== false);
  replace(svcSel, list.map((s) => h('option', { value: s.code }, `${s.code} ${i18n.nameOf(s)}`)));
  if (list.some((s) => s.code === keep)) svcSel.value = keep;
  if (!list.length) {
    note.textContent = i18n.t('gb.no_services');
    replace(slotsBox);
  }
}

async function loadSlots() {
  slot = null;
  replace(slotsBox);
  if (!svcSel.value || !dayIn.value) {
    note.textContent = i18n.t(services.some((s) => s.bookable) ? 'gb.pick' : 'gb.no_services');
    return;
  }
  note.textContent = '';
  try {
    const r = await api.get(`/appointments/slots?service=${api.seg(svcSel.value)}&date=${api.seg(dayIn.value)}`, { auth: false });
    if (!r.slots.length) {
      note.textContent = i18n.t('gb.none');
      return;
    }
    replace(
      slotsBox,
      r.slots.map((s) =>
        h('button', { class: 'btn slot', type: 'button', disabled: s.available <= 0, 'aria-pressed': 'false', dataset: { start: s.start }, onclick: (ev) => {
          slot = s;
          for (const b of slotsBox.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b === ev.currentTarget));
        } }, `${i18n.fmtTime(s.start)}–${i18n.fmtTime(s.end)} `, h('small', { text: s.available > 0 ? i18n.t('gb.left', { n: s.available }) : i18n.t('gb.full') }))
      )
    );
  } catch (e) {
    note.textContent = errText(e);
  }
}

async function submit(ev) {
  ev.preventDefault();
  out.hidden = true;
  const phone = phoneIn.value.replace(/[\s-]/g, '');
  if (!slot) return showMsg(msg, i18n.t('gb.need_slot'));
  if (!/^(\+?86)?1[3-9]\d{9}$/.test(phone)) return showMsg(msg, i18n.t('gb.need_phone'));
  showMsg(msg, '');
  $('#gb-submit').disabled = true;
  try {
    const b = await api.post('/appointments', { service: svcSel.value, start: slot.start, phone, id_number: idIn.value.trim() || null });
    phoneIn.value = '';
    idIn.value = '';
    replace(
      out,
      h('p', { text: i18n.t('gb.code') }),
      h('p', { class: 'code-out', id: 'gb-code', text: b.code }),
      h('p', { text: i18n.t('gb.at', { s: b.service, t: `${i18n.fmtDate(b.start)} ${i18n.fmtTime(b.start)}–${i18n.fmtTime(b.end)}` }) }),
    );
    out.hidden = false;
    loadSlots();
  } catch (e) {
    showMsg(msg, errText(e));
    if (e.code === 'conflict' && e.field === 'start') loadSlots();
  } finally {
    $('#gb-submit').disabled = false;
  }
}

async function mount() {
  const main = document.getElementById('main');
  if (!main) return;
  const find = main.querySelector('section[aria-labelledby="find-h"]');
  main.insertBefore(card, find || null);
  const t = new Date();
  dayIn.value = ymd(new Date(t.getFullYear(), t.getMonth(), t.getDate() + 1));
  dayIn.min = ymd(t);
  svcSel.addEventListener('change', loadSlots);
  dayIn.addEventListener('change', loadSlots);
  form.addEventListener('submit', submit);
  i18n.onChange(() => {
    renderServices();
    loadSlots();
  });
  try {
    const list = await api.get('/services', { auth: false });
    services = Array.isArray(list) ? list : [];
  } catch {
    services = [];
  }
  renderServices();
  loadSlots();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mount);
else mount();
