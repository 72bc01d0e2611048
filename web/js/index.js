// SPDX-License-Identifier: MIT
// index.js — the start page: the hall's name and, per window, its display and evaluation pad.

import * as api from './api.js';
import * as i18n from './i18n.js';
import { h, $, replace, boot } from './ui.js';

i18n.add({
  'ix.title': ['服务大厅', 'Service hall'],
  'ix.public': ['公众', 'For the public'],
  'ix.kiosk': ['取号机', 'Ticket kiosk'],
  'ix.display': ['大厅显示屏', 'Hall display'],
  'ix.complaints': ['投诉与建议', 'Complaints and suggestions'],
  'ix.staff': ['工作人员', 'For staff'],
  'ix.guide': ['引导台', 'Guide desk'],
  'ix.counter': ['窗口叫号', 'Counter'],
  'ix.manager': ['值班长', 'Duty manager'],
  'ix.plan': ['窗口计划', 'Window plan'],
  'ix.stats': ['统计报表', 'Statistics and reports'],
  'ix.complaints_admin': ['投诉处理', 'Complaint handling'],
  'ix.admin': ['系统管理', 'Administration'],
  'ix.windows': ['窗口设备', 'Window devices'],
  'ix.win_display': ['{n} 号窗口屏', 'Window {n} display'],
  'ix.win_pad': ['{n} 号窗口评价器', 'Window {n} evaluation pad'],
});

let windows = [];
function render() {
  replace(
    $('#windows'),
    ...windows.flatMap((w) => [
      h('li', null, h('a', { href: `/window/${w.number}` }, i18n.t('ix.win_display', { n: w.number }), h('small', null, `/window/${w.number}`))),
      h('li', null, h('a', { href: `/pad/${w.number}` }, i18n.t('ix.win_pad', { n: w.number }), h('small', null, `/pad/${w.number}`))),
    ]),
  );
}

boot();
i18n.onChange(render);
api.get('/hall', { auth: false }).then((hall) => {
  if (hall?.name) {
    delete $('#hall-name').dataset.i18n;
    $('#hall-name').textContent = i18n.nameOf(hall);
  }
}).catch(() => {});
api.get('/windows', { auth: false }).then((list) => {
  windows = Array.isArray(list) ? list : [];
  render();
}).catch(() => {});
