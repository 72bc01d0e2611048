// SPDX-License-Identifier: MIT
// display.js — the hall board. Starts from GET /display, then follows /events (events.js resumes
// with the last id across reconnects and server restarts). A call or recall flashes the newest box
// and is announced by voice. Everything kept is bounded: MAX_CALLS calls, one count per service.

import * as api from './api.js';
import * as i18n from './i18n.js';
import * as events from './events.js';
import * as voice from './voice.js';
import { h, $, replace, boot, liveBadge, winNo } from './ui.js';
import { noticeItem } from './notice.js';
import './ops_device.js'; // heartbeat; public information on the kiosk and display

i18n.add({
  'display.suspended': ['暂停取号', 'Ticketing suspended'],
  'display.title': ['大厅显示屏', 'Hall display'],
  'display.calls': ['叫号', 'Calls'],
  'display.now_calling': ['正在叫号', 'Now calling'],
  'display.no_calls': ['请稍候', 'Please wait'],
  'display.waiting': ['等候人数', 'People waiting'],
  'display.recall': ['重呼', 'Recall'],
  'display.voice_on': ['开启语音', 'Enable voice'],
  'display.voice_ready': ['语音已开启', 'Voice on'],
  'display.no_waiting': ['暂无等候', 'Nobody waiting'],
});

const MAX_CALLS = 9; // the newest + 8 earlier
let calls = []; // [{number, window, called_at, recall}], newest first
let waiting = {};
let notices = [];
let suspended = null; // {reason} while ticketing is suspended (clause 5.5), else null
let hall = {};
let services = new Map();
let flashTimer = null;

window.__hq = window.__hq || {};

function addCall(c, { flash }) {
  calls = calls.filter((x) => x.number !== c.number);
  calls.unshift(c);
  if (calls.length > MAX_CALLS) calls.length = MAX_CALLS;
  renderCalls();
  if (flash) {
    const box = $('#newest');
    box.classList.remove('flash');
    void box.offsetWidth; // restart the animation
    box.classList.add('flash');
    clearTimeout(flashTimer);
    flashTimer = setTimeout(() => box.classList.remove('flash'), 4000);
  }
}

function renderCalls() {
  const newest = calls[0];
  const box = $('#newest');
  if (newest) {
    box.classList.remove('empty');
    const num = $('#newest-number');
    delete num.dataset.i18n;
    num.textContent = newest.number;
    replace($('#newest-window'), i18n.t('window.n', { n: newest.window }), newest.recall ? h('small', null, i18n.t('display.recall')) : null);
  }
  replace(
    $('#calls'),
    ...calls.slice(1).map((c) =>
      h('li', null, h('span', { class: 'n' }, c.number), c.recall ? h('span', { class: 'r' }, i18n.t('display.recall')) : null, h('span', { class: 'w' }, i18n.t('window.n', { n: c.window }))),
    ),
  );
  window.__hq.calls = calls.map((c) => `${c.number}@${c.window}`);
}

function renderSide() {
  $('#hall-name').textContent = i18n.nameOf(hall) || i18n.t('display.title');
  $('#hours').textContent = i18n.fmtHours(hall.hours);
  // Disabled services with nobody waiting are left out.
  const codes = Object.keys(waiting).filter((c) => waiting[c] > 0 || services.get(c)?.enabled !== false).sort();
  replace(
    $('#waiting'),
    ...(codes.length
      ? codes.map((code) => {
          // The wait of a new ticket as the API gives it (GET /services), when the server does.
          const s = services.get(code);
          const est = s && s.estimated_wait_s != null && waiting[code] > 0 ? i18n.fmtWait(s.estimated_wait_s, s) : s?.serving_windows === 0 && waiting[code] > 0 ? i18n.t('wait.no_window') : '';
          return h('tr', { dataset: { code } }, h('td', null, `${code} ${i18n.nameOf(s) || ''}`), h('td', { class: 'num' }, String(waiting[code])), h('td', { class: 'est', dataset: { wait: String(s?.estimated_wait_s ?? '') } }, est));
        })
      : [h('tr', null, h('td', null, i18n.t('display.no_waiting')))]),
  );
  replace($('#notices'), ...notices.map(noticeItem));
  $('#notices-box').hidden = notices.length === 0;
  fitNotices();
  // Suspended: said to everyone, in both languages, with the manager's reason.
  const ban = $('#suspended');
  ban.hidden = !suspended;
  if (suspended) replace(ban, h('span', null, i18n.inLang('display.suspended', 'zh')), h('span', { class: 'en', lang: 'en' }, i18n.inLang('display.suspended', 'en')), suspended.reason ? h('span', { class: 'why' }, suspended.reason) : null);
}

// The board fits its screen whatever is posted: smaller type for the notices until they fit.
function fitNotices() {
  const box = $('#notices-box');
  box.classList.remove('dense', 'denser');
  for (const cls of ['dense', 'denser']) {
    if (box.hidden || box.scrollHeight <= box.clientHeight + 1) break;
    box.classList.add(cls);
  }
}
window.addEventListener('resize', fitNotices);

async function loadSnapshot({ replaceCalls }) {
  const snap = await api.get('/display', { auth: false });
  hall = snap.hall || {};
  waiting = snap.waiting || {};
  notices = (snap.notices || []).slice(0, 20);
  suspended = snap.suspended || hall.suspended ? { reason: hall.suspend_reason || '' } : null;
  if (replaceCalls) {
    const list = (snap.calls || []).slice();
    list.sort((a, b) => String(b.called_at || '').localeCompare(String(a.called_at || '')));
    calls = [];
    for (const c of list.slice(0, MAX_CALLS).reverse()) addCall({ number: c.number, window: winNo(c.window), called_at: c.called_at, recall: !!c.recall }, { flash: false });
  }
  renderSide();
  return snap;
}

async function loadServices() {
  try {
    const list = await api.get('/services', { auth: false });
    services = new Map((Array.isArray(list) ? list : []).map((s) => [s.code, s]));
    renderSide();
  } catch {
    /* names are a nicety; codes suffice */
  }
}

let refreshTimer = null;
function refreshSoon() {
  if (refreshTimer) return;
  refreshTimer = setTimeout(async () => {
    refreshTimer = null;
    try {
      await Promise.all([loadSnapshot({ replaceCalls: false }), loadServices()]);
    } catch {
      /* retried on the next event */
    }
  }, 500);
}

function onEvent(type, d) {
  if (!d) return;
  if (type === 'ticket.called' || type === 'ticket.recalled') {
    const w = winNo(d.window);
    addCall({ number: d.number, window: w, called_at: d.called_at || new Date().toISOString(), recall: type === 'ticket.recalled' }, { flash: true });
    voice.announce(d.number, w);
  }
  // Counts and notices: re-read the snapshot (debounced; cheap and authoritative).
  if (type.startsWith('ticket.') || type.startsWith('notice.') || type.startsWith('hall.')) refreshSoon();
}

boot();
const setLive = liveBadge($('#live'));
const voiceBtn = $('#voice');
voiceBtn.addEventListener('click', () => {
  // A user gesture unlocks speech in browsers that need one; say something short and quiet.
  try {
    const u = new SpeechSynthesisUtterance(' ');
    u.volume = 0;
    speechSynthesis.speak(u);
  } catch {
    /* no speech */
  }
  voiceBtn.dataset.i18n = 'display.voice_ready';
  voiceBtn.textContent = i18n.t('display.voice_ready');
});
i18n.onChange(() => {
  renderCalls();
  renderSide();
});

async function start() {
  let snap = null;
  for (let delay = 1000; !snap; delay = Math.min(delay * 2, 30000)) {
    try {
      snap = await loadSnapshot({ replaceCalls: true });
    } catch {
      setLive('closed');
      await new Promise((r) => setTimeout(r, delay));
    }
  }
  loadServices();
  events.connect({
    lastId: snap.last_event_id ?? null,
    onEvent,
    onState: setLive,
    onReconnect: () => refreshSoon(),
  });
  // Hourly: service names may have changed; the snapshot corrects any drift.
  setInterval(() => {
    loadServices();
    refreshSoon();
  }, 3600 * 1000);
}
start();
