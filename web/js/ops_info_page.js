// SPDX-License-Identifier: MIT
// ops_info_page.js — the public information page (info.html; clauses 7.1.8, 7.2.1): GET /info
// (no sign-in) drawn as text in the page's language; an expired licence is marked.
import * as api from './api.js';
import * as i18n from './i18n.js';
import { h, $, replace, boot, showMsg, errText } from './ui.js';

i18n.add({
  'info.title': ['公示信息', 'Public information'],
  'skip': ['跳到主要内容', 'Skip to main content'],
  'info.hours': ['办公时间', 'Opening hours'],
  'info.prices': ['辅助服务收费标准', 'Prices of supporting services'],
  'info.item': ['项目', 'Item'],
  'info.price': ['价格', 'Price'],
  'info.unit': ['单位', 'Unit'],
  'info.licences': ['证照与资质', 'Licences and qualifications'],
  'info.name': ['名称', 'Name'],
  'info.number': ['编号', 'Number'],
  'info.issuer': ['发证机关', 'Issued by'],
  'info.valid_until': ['有效期至', 'Valid until'],
  'info.expired': ['已过期', 'expired'],
  'info.notes': ['其他说明', 'Notes'],
  'info.none': ['暂无', 'None'],
});

let info = null;
const en = () => i18n.lang() === 'en';
const pick = (o, k) => (en() && o[k + '_en'] ? o[k + '_en'] : o[k] || '');
const none = (n) => h('tr', null, h('td', { colspan: n }, i18n.t('info.none')));

function render() {
  if (!info) return;
  $('#hall-name').textContent = info.hall ? i18n.nameOf(info.hall) : '';
  $('#hours').textContent = i18n.fmtHours(info.hours);
  $('#hours-note').textContent = pick(info, 'hours_note');
  const prices = info.prices.map((p) => h('tr', null, h('td', null, pick(p, 'item')), h('td', null, p.price || ''), h('td', null, pick(p, 'unit'))));
  replace($('#prices'), prices.length ? prices : none(3));
  const lic = info.licences.map((l) =>
    h('tr', { class: l.expired ? 'expired' : null }, h('td', null, pick(l, 'name')), h('td', null, l.number || ''), h('td', null, l.issuer || ''),
      h('td', null, l.valid_until || '—', l.expired ? [' ', h('span', { class: 'badge bad' }, i18n.t('info.expired'))] : null)));
  replace($('#licences'), lic.length ? lic : none(4));
  const notes = pick(info, 'notes');
  $('#notes').textContent = notes;
  $('#notes-box').hidden = !notes;
}

boot();
i18n.onChange(render);
api
  .get('/info', { auth: false })
  .then((r) => {
    info = r;
    render();
  })
  .catch((e) => showMsg($('#msg'), errText(e)));
