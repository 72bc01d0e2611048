// SPDX-License-Identifier: MIT
// queue.js — the remote queuing page (queue.html, /queue). GET /services: each enabled service's
// `waiting`, `serving_windows`, `estimated_wait_s` and `wait_range_s` shown as the API gives them
// (i18n.fmtWait; never an estimate of our own), refreshed on live events and every 15 s. 网上取号:
// POST /tickets {"service","channel":"web"}, then the ticket's tracking page /t/{id}.

import * as api from './api.js';
import * as i18n from './i18n.js';
import * as events from './events.js';
import { h, $, replace, boot, showMsg, errText } from './ui.js';

i18n.add({
  'qu.title': ['远程排队', 'Queue from home'],
  'qu.intro': ['各业务当前排队情况。可在网上取号，到号前再来大厅。', 'The queues right now. Take a ticket online and come to the hall before your turn.'],
  'qu.waiting': ['等候人数', 'Waiting'],
  'qu.windows': ['办理窗口', 'Windows'],
  'qu.wait': ['预计等候', 'Est. wait'],
  'qu.take': ['网上取号', 'Take a ticket from home'],
  'qu.taking': ['正在取号…', 'Taking a ticket…'],
  'qu.confirm': ['确定在网上取“{s}”的号吗？', 'Take a ticket for “{s}”?'],
  'qu.none': ['目前没有可办理的业务', 'No service is open now'],
  'qu.updated': ['更新于 {t}', 'Updated {t}'],
  'qu.book': ['预约办事', 'Book an appointment'],
  'qu.complain': ['投诉与建议', 'Complaints and suggestions'],
});

let services = [];
let hallRec = null;
let busy = false;
let loadedAt = null; // when the list was last read

function card(s) {
  const closed = s.serving_windows === 0;
  return h(
    'section',
    { class: `card svc${closed ? ' closed' : ''}`, dataset: { code: s.code } },
    h('h2', null, `${s.code} ${i18n.nameOf(s)}`),
    h(
      'dl',
      null,
      h('div', null, h('dt', { text: i18n.t('qu.waiting') }), h('dd', { class: 'waiting', text: String(s.waiting ?? '—') })),
      h('div', null, h('dt', { text: i18n.t('qu.windows') }), h('dd', { class: 'windows', text: String(s.serving_windows ?? '—') })),
      h('div', null, h('dt', { text: i18n.t('qu.wait') }), h('dd', { class: 'wait', dataset: { wait: String(s.estimated_wait_s ?? '') }, text: i18n.fmtWait(s.estimated_wait_s, s) })),
    ),
    h('button', { class: 'btn primary take', type: 'button', disabled: busy, onclick: () => take(s) }, i18n.t('qu.take')),
  );
}

function render() {
  if (hallRec) $('#hall-name').textContent = i18n.nameOf(hallRec);
  $('#updated').textContent = loadedAt ? i18n.t('qu.updated', { t: i18n.fmtTime(loadedAt) }) : '';
  const open = services.filter((s) => s.enabled !== false);
  if (!open.length) replace($('#services'), h('p', { class: 'msg info', text: i18n.t('qu.none') }));
  else replace($('#services'), ...open.map(card));
}

async function load() {
  try {
    const list = await api.get('/services', { auth: false });
    services = Array.isArray(list) ? list : list?.services || [];
    showMsg($('#msg'), '');
    loadedAt = new Date().toISOString();
    render();
  } catch (e) {
    showMsg($('#msg'), errText(e));
  }
}

async function loadHall() {
  try {
    hallRec = await api.get('/hall', { auth: false });
  } catch {
    /* the name is optional */
  }
  render();
}

async function take(s) {
  if (busy || !confirm(i18n.t('qu.confirm', { s: i18n.nameOf(s) }))) return;
  busy = true;
  render();
  showMsg($('#msg'), i18n.t('qu.taking'), 'info');
  try {
    const t = await api.post('/tickets', { service: s.code, channel: 'web' }, { auth: false });
    location.href = `/t/${encodeURIComponent(t.id)}`;
  } catch (e) {
    busy = false;
    showMsg($('#msg'), errText(e));
    render();
  }
}

boot();
i18n.onChange(render);
loadHall();
load();
let timer = null;
events.connect({
  onReconnect: load,
  onEvent: (type) => {
    // anything that moves a queue or a window: reload once the burst is over
    if (type.startsWith('ticket.') || type.startsWith('window.') || type.startsWith('service')) {
      clearTimeout(timer);
      timer = setTimeout(load, 400);
    }
  },
});
setInterval(load, 15000);
