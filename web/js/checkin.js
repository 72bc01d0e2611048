// SPDX-License-Identifier: MIT
// checkin.js — 预约签到: appointment check-in at the kiosk and the guide desk (docs/APPOINTMENTS.md).
// A page opts in with a button #checkin-open and this script; the module adds a dialog where the
// booking code is typed (or scanned: a scanner types it and presses Enter), sends
// POST /appointments/check-in {"code"} with the kiosk's device key or the guide's session, and
// shows the appointment ticket's number (a kiosk with a printer prints it as any ticket), or why
// not: check-in not open yet, missed, already checked in, unknown code. At the guide desk it also
// links the booking page, where a signed-in guide books on a caller's behalf.

import * as api from './api.js';
import * as i18n from './i18n.js';
import { h, replace, showMsg, errText } from './ui.js';

i18n.add({
  'ci.open': ['预约签到', 'Appointment check-in'],
  'ci.title': ['预约签到', 'Check in your appointment'],
  'ci.code': ['预约码', 'Booking code'],
  'ci.hint': ['请输入或扫描 6 位预约码', 'Type or scan your 6-character booking code'],
  'ci.submit': ['签到', 'Check in'],
  'ci.close': ['关闭', 'Close'],
  'ci.done': ['签到成功，您的号码：', 'Checked in. Your number:'],
  'ci.service': ['业务：{s}', 'Service: {s}'],
  'ci.slot': ['预约时间：{t}', 'Appointment: {t}'],
  'ci.not_found': ['没有找到这个预约码（或预约已取消）', 'No booking with this code (or it was cancelled)'],
  'ci.book': ['电话预约（代客预约）', 'Book for a caller'],
});

function build() {
  const input = h('input', { id: 'ci-code', name: 'code', maxlength: '12', autocomplete: 'off', autocapitalize: 'characters', 'aria-describedby': 'ci-hint' });
  const msg = h('p', { id: 'ci-msg', class: 'msg', role: 'alert', hidden: true });
  const out = h('div', { id: 'ci-out', 'aria-live': 'assertive' });
  const form = h(
    'form',
    { id: 'ci-form', novalidate: true },
    h('label', { for: 'ci-code', 'data-i18n': 'ci.code', text: i18n.t('ci.code') }),
    input,
    h('p', { id: 'ci-hint', class: 'sub', 'data-i18n': 'ci.hint', text: i18n.t('ci.hint') }),
    h('button', { class: 'btn primary', type: 'submit', 'data-i18n': 'ci.submit', text: i18n.t('ci.submit') })
  );
  const guide = document.body.classList.contains('guide');
  const dlg = h(
    'dialog',
    { id: 'ci-dialog', class: 'card', style: 'color: var(--fg); max-width: 30rem', 'aria-labelledby': 'ci-h' },
    h('h2', { id: 'ci-h', 'data-i18n': 'ci.title', text: i18n.t('ci.title') }),
    form,
    msg,
    out,
    guide ? h('p', {}, h('a', { href: '/book.html', target: '_blank', rel: 'noopener', 'data-i18n': 'ci.book', text: i18n.t('ci.book') })) : null,
    h('button', { class: 'btn', type: 'button', id: 'ci-close', 'data-i18n': 'ci.close', text: i18n.t('ci.close'), onclick: () => dlg.close() })
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const code = input.value.replace(/[\s-]/g, '').toUpperCase();
    replace(out);
    if (!code) return showMsg(msg, i18n.t('ci.hint'));
    showMsg(msg, '');
    try {
      const t = await api.post('/appointments/check-in', { code });
      input.value = '';
      replace(
        out,
        h('p', { class: 'msg ok', text: i18n.t('ci.done') }),
        h('p', { class: 'code-out', id: 'ci-number', text: t.number }),
        h('p', { text: i18n.t('ci.service', { s: t.service }) }),
        h('p', { text: i18n.t('ci.slot', { t: i18n.fmtDateTime(t.appointment_at) }) })
      );
    } catch (e) {
      showMsg(msg, e.code === 'not_found' ? i18n.t('ci.not_found') : errText(e));
    }
  });
  document.body.appendChild(dlg);
  return dlg;
}

function start() {
  const btn = document.getElementById('checkin-open');
  if (!btn) return;
  btn.textContent = i18n.t('ci.open');
  i18n.onChange(() => {
    btn.textContent = i18n.t('ci.open');
  });
  let dlg = null;
  btn.addEventListener('click', () => {
    dlg = dlg || build();
    i18n.apply(dlg);
    dlg.showModal();
    dlg.querySelector('#ci-code').focus();
  });
}

start();
