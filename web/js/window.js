// SPDX-License-Identifier: MIT
// window.js — the window display. Reads GET /windows/{n} and re-reads it when an event concerns
// this window (ticket events carry the window number; window events too).

import * as api from './api.js';
import * as i18n from './i18n.js';
import * as events from './events.js';
import { $, boot, liveBadge, winNo, winName } from './ui.js';

i18n.add({
  'wd.title': ['窗口屏', 'Window display'],
  'wd.now': ['当前办理', 'Now serving'],
  'wd.calling': ['请到本窗口', 'Please come to this window'],
  'wd.paused': ['暂停服务', 'Temporarily closed'],
  'wd.closed': ['暂停服务 · 未开放', 'Closed'],
  'wd.back_at': ['预计 {t} 恢复服务', 'Back at about {t}'],
  'wd.clerk': ['工作人员：{c}', 'Served by: {c}'],
  'wd.sorry': ['给您带来不便，敬请谅解', 'We apologise for the inconvenience'],
  'wd.unknown': ['没有这个窗口', 'No such window'],
  'wd.overdue': ['已超过预计恢复时间，工作人员将尽快回来', 'Past the announced time: staff will be back shortly'],
});

const n = Number(location.pathname.split('/').filter(Boolean)[1] || new URLSearchParams(location.search).get('n'));
let win = null;
let services = new Map();
let hall = {};

// A pause past its announced return time (paused_at + back_in_s) is flagged on the display.
function overdue(w) {
  return !!(w && w.state === 'paused' && w.back_in_s && w.paused_at && Date.now() > new Date(w.paused_at).getTime() + w.back_in_s * 1000);
}

function render() {
  $('#hall-name').textContent = i18n.nameOf(hall) || '';
  if (!win) {
    $('#win-name').textContent = i18n.t('window.n', { n });
    $('#state').textContent = i18n.t('wd.unknown');
    $('#state').hidden = false;
    $('#serving').hidden = true;
    return;
  }
  document.body.dataset.state = win.state;
  $('#win-name').textContent = winName(win);
  const codes = win.active_services?.length ? win.active_services : win.services || [];
  $('#win-services').textContent = codes.map((c) => i18n.nameOf(services.get(c)) || c).join(' · ');
  $('#clerk').textContent = win.clerk && win.state !== 'closed' ? i18n.t('wd.clerk', { c: win.clerk_name || win.clerk }) : '';
  const st = $('#state');
  const reason = $('#reason');
  if (win.state === 'open' || (win.state === 'paused' && win.current)) {
    $('#serving').hidden = false;
    $('#current').textContent = win.current?.number || '—';
    $('#current-label').textContent = win.current?.status === 'called' ? i18n.t('wd.calling') : i18n.t('wd.now');
  } else $('#serving').hidden = true;
  if (win.state === 'paused') {
    st.textContent = i18n.t('wd.paused');
    st.hidden = false;
    let text = win.pause_reason || '';
    if (win.back_in_s && win.paused_at) {
      const back = new Date(new Date(win.paused_at).getTime() + win.back_in_s * 1000);
      text += (text ? ' · ' : '') + i18n.t('wd.back_at', { t: i18n.fmtTime(back.toISOString()) });
    }
    const late = overdue(win);
    if (late) text += (text ? ' · ' : '') + i18n.t('wd.overdue');
    document.body.classList.toggle('overdue', late);
    reason.textContent = `${text}${text ? ' — ' : ''}${i18n.t('wd.sorry')}`;
    reason.hidden = false;
  } else if (win.state === 'closed') {
    document.body.classList.remove('overdue');
    st.textContent = i18n.t('wd.closed');
    st.hidden = false;
    reason.hidden = true;
  } else {
    st.hidden = true;
    reason.hidden = true;
  }
}

async function load() {
  try {
    win = await api.get(`/windows/${n}`, { auth: false });
  } catch (e) {
    if (e.status === 404) win = null;
  }
  render();
}

async function loadMeta() {
  try {
    const [list, snap] = await Promise.all([api.get('/services', { auth: false }), api.get('/display', { auth: false })]);
    services = new Map((Array.isArray(list) ? list : []).map((s) => [s.code, s]));
    hall = snap.hall || {};
  } catch {
    /* names only */
  }
  render();
}

boot();
i18n.onChange(render);
loadMeta().then(load);
let t = null;
events.connect({
  onState: liveBadge($('#live')),
  onReconnect: load,
  onEvent: (type, d) => {
    if (winNo(d?.window) === n || (type.startsWith('window.') && d?.number === n)) {
      clearTimeout(t);
      t = setTimeout(load, 150);
    }
  },
});
// A slow safety net: configuration changes carry no event.
setInterval(loadMeta, 600000);
setInterval(load, 60000);
// The moment a pause runs past its announced return, without waiting for an event.
setInterval(() => {
  if (win?.state === 'paused' && overdue(win) !== document.body.classList.contains('overdue')) render();
}, 5000);
