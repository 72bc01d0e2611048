// SPDX-License-Identifier: MIT
// counter.js — the clerk's console. Every window action of API.md (POST /windows/{n}/{action}) by
// button or key: F1/N call next, R recall, S start, F finish, X no-show, T transfer, P pause.
// Shows the current ticket with a running timer, the window's queue, and the day's figures
// (computed from GET /tickets?status=done for this window).

import * as api from './api.js';
import * as i18n from './i18n.js';
import * as events from './events.js';
import { h, $, $$, replace, boot, showMsg, errText, requireLogin, mountUserBar, liveBadge, winNo, winName, listJoin } from './ui.js';

i18n.add({
  'counter.title': ['窗口叫号', 'Counter'],
  'skip': ['跳到主要内容', 'Skip to main content'],
  'counter.choose': ['选择窗口', 'Choose your window'],
  'counter.switch': ['换窗口', 'Other window'],
  'counter.transfer_to': ['转移到业务', 'Transfer to service'],
  'counter.pause_reason': ['暂停原因', 'Reason for the pause'],
  'counter.back_in': ['预计离开（分钟）', 'Back in (minutes)'],
  'counter.call_number': ['叫指定号', 'Call a number'],
  'counter.queue': ['本窗口队列', 'Queue of this window'],
  'counter.waiting': ['等候', 'Waiting'],
  'counter.next': ['待叫号码', 'Next numbers'],
  'counter.today': ['今日统计', 'Today'],
  'counter.done': ['办结', 'Done'],
  'counter.mean': ['平均办理时长', 'Mean service time'],
  'counter.none_waiting': ['无人等候', 'Nobody is waiting'],
  'counter.clerk': ['窗口人员：{c}', 'Clerk: {c}'],
  'counter.paused': ['暂停：{r}', 'Paused: {r}'],
  'counter.back_at': ['预计 {t} 回来', 'back at about {t}'],
  'counter.called_n': ['已呼叫 {n} 次', 'called {n}×'],
  'counter.t_serving': ['办理用时', 'Serving for'],
  'counter.t_called': ['叫号后', 'Called'],
  'counter.no_current': ['当前无号', 'No current ticket'],
  'service': ['业务', 'Service'],
  'act.open': ['开窗', 'Open'],
  'act.call-next': ['叫下一号', 'Call next'],
  'act.call': ['叫号', 'Call'],
  'act.recall': ['重呼', 'Recall'],
  'act.start': ['开始办理', 'Start'],
  'act.finish': ['办结', 'Finish'],
  'act.no-show': ['过号', 'No-show'],
  'act.transfer': ['转移', 'Transfer'],
  'act.pause': ['暂停', 'Pause'],
  'act.resume': ['恢复服务', 'Resume'],
  'act.close': ['关窗', 'Close'],
  'done.called': ['已叫号 {n}', 'Called {n}'],
  'done.nobody': ['当前没有等候的号', 'Nobody is waiting'],
  'done.ok': ['已完成：{a}', 'Done: {a}'],
  'reason.meeting': ['临时会议', 'Short meeting'],
  'reason.break': ['短暂休息', 'Short break'],
  'reason.consult': ['业务咨询', 'Consulting a colleague'],
  'reason.system': ['系统故障', 'System fault'],
});

let me = null;
let winN = null;
let win = null;
let services = new Map();
let current = null; // the full ticket being called/served, when known
let waiting = {};
let busy = false;

const msg = () => $('#msg');

function renderWindows(list) {
  replace(
    $('#windows'),
    ...list.map((w) =>
      h(
        'button',
        { class: 'btn', type: 'button', dataset: { window: w.number }, onclick: () => selectWindow(w.number) },
        `${winName(w)} · ${i18n.t('win.' + w.state)}${w.clerk ? ' · ' + (w.clerk_name || w.clerk) : ''}`,
      ),
    ),
  );
}

async function chooseWindow() {
  $('#console').hidden = true;
  $('#choose').hidden = false;
  try {
    const list = await api.get('/windows');
    renderWindows(Array.isArray(list) ? list : []);
    const mine = list.find((w) => w.clerk === me.username);
    if (mine) selectWindow(mine.number);
  } catch (e) {
    showMsg(msg(), errText(e));
  }
}

async function selectWindow(n) {
  winN = Number(n);
  sessionStorage.setItem('hq.counter.window', String(winN));
  $('#choose').hidden = true;
  $('#console').hidden = false;
  await refresh();
}

async function refresh() {
  if (winN == null) return;
  try {
    win = await api.get(`/windows/${winN}`).catch(async (e) => {
      if (e.status === 404 || e.status === 405) {
        const list = await api.get('/windows');
        const w = list.find((x) => x.number === winN);
        if (!w) throw e;
        return w;
      }
      throw e;
    });
    await loadCurrent();
    render();
    loadQueue();
    loadFigures();
  } catch (e) {
    showMsg(msg(), errText(e));
  }
}

// The window JSON carries the current number; its times come from the staff ticket list.
async function loadCurrent() {
  const c = win?.current;
  if (!c) {
    current = null;
    return;
  }
  if (current && current.number === c.number && current.status === c.status) return;
  try {
    const list = await api.get(`/tickets?status=${encodeURIComponent(c.status)}`);
    current = (Array.isArray(list) ? list : []).find((t) => t.number === c.number && winNo(t.window) === winN) || { ...c };
  } catch {
    current = { ...c };
  }
}

function svcLabel(code) {
  const s = services.get(code);
  return s ? `${code} ${i18n.nameOf(s)}` : code;
}

function render() {
  if (!win) return;
  $('#win-name').textContent = winName(win);
  const st = $('#win-state');
  st.textContent = i18n.t('win.' + win.state);
  st.className = `badge ${win.state}`;
  const active = win.active_services?.length ? win.active_services : win.services || [];
  $('#win-services').textContent = `${listJoin(active.map(svcLabel))}${win.clerk ? ' · ' + i18n.t('counter.clerk', { c: win.clerk_name || win.clerk }) : ''}`;
  const pi = $('#pause-info');
  if (win.state === 'paused') {
    let text = i18n.t('counter.paused', { r: win.pause_reason || '' });
    if (win.back_in_s && win.paused_at) {
      const back = new Date(new Date(win.paused_at).getTime() + win.back_in_s * 1000);
      text += ' · ' + i18n.t('counter.back_at', { t: i18n.fmtTime(back.toISOString()) });
    }
    pi.textContent = text;
    pi.hidden = false;
  } else pi.hidden = true;

  const c = current || win.current;
  $('#cur-number').textContent = c ? c.number : '—';
  $('#cur-status').textContent = c ? i18n.t('status.' + c.status) + (c.calls > 1 ? ` (${i18n.t('counter.called_n', { n: c.calls })})` : '') : i18n.t('counter.no_current');
  $('#cur-service').textContent = c ? svcLabel(c.service) : '';
  tick();

  const state = win.state;
  const has = !!c;
  const serving = c?.status === 'serving';
  const enable = {
    open: state === 'closed',
    'call-next': state === 'open' && !has,
    recall: has && !serving,
    start: has && !serving,
    finish: serving,
    'no-show': has && !serving,
    transfer: has,
    pause: state === 'open',
    resume: state === 'paused',
    close: state !== 'closed' && !has,
  };
  for (const b of $$('#actions [data-act]')) b.disabled = busy || !enable[b.dataset.act];
  $('#call-form button').disabled = busy || !(state === 'open' && !has);
}

function tick() {
  const el = $('#cur-timer');
  const c = current;
  const since = c?.status === 'serving' ? c.started_at : c?.called_at;
  if (!c || !since) {
    el.textContent = '';
    return;
  }
  const s = (Date.now() - new Date(since).getTime()) / 1000;
  el.textContent = `${i18n.t(c.status === 'serving' ? 'counter.t_serving' : 'counter.t_called')} ${i18n.fmtClock(s)}`;
}

async function loadQueue() {
  try {
    const snap = await api.get('/display', { auth: false });
    waiting = snap.waiting || {};
  } catch {
    /* keep the last counts */
  }
  const codes = win?.active_services?.length ? win.active_services : win?.services || [];
  let lists = {};
  try {
    const all = await api.get('/tickets?status=waiting');
    for (const t of Array.isArray(all) ? all : []) (lists[t.service] ||= []).push(t);
  } catch {
    lists = {};
  }
  replace(
    $('#queue'),
    ...(codes.length
      ? codes.map((code) =>
          h('tr', { dataset: { code } }, h('td', null, svcLabel(code)), h('td', { class: 'num' }, String(waiting[code] ?? (lists[code] || []).length)), h('td', null, (lists[code] || []).slice(0, 6).map((t) => t.number).join(' '))),
        )
      : [h('tr', null, h('td', { colspan: 3 }, i18n.t('counter.none_waiting')))]),
  );
}

async function loadFigures() {
  try {
    const done = await api.get('/tickets?status=done');
    const today = new Date().toDateString();
    const mine = (Array.isArray(done) ? done : []).filter((t) => winNo(t.window) === winN && t.finished_at && new Date(t.finished_at).toDateString() === today);
    const times = mine.filter((t) => t.started_at).map((t) => (new Date(t.finished_at) - new Date(t.started_at)) / 1000);
    $('#fig-done').textContent = String(mine.length);
    $('#fig-mean').textContent = times.length ? i18n.fmtDuration(times.reduce((a, b) => a + b, 0) / times.length) : '—';
  } catch {
    /* figures are advisory */
  }
}

async function act(action, body = {}) {
  if (busy || winN == null) return;
  busy = true;
  render();
  showMsg(msg(), '');
  try {
    const r = await api.post(`/windows/${winN}/${action}`, body);
    win = r.window || win;
    if (r.ticket && ['called', 'serving'].includes(r.ticket.status) && winNo(r.ticket.window) === winN) current = r.ticket;
    else current = null;
    if (action === 'call-next' && !r.ticket) showMsg(msg(), i18n.t('done.nobody'), 'info');
    else if (r.ticket && (action === 'call-next' || action === 'call')) showMsg(msg(), i18n.t('done.called', { n: r.ticket.number }), 'ok');
    else showMsg(msg(), i18n.t('done.ok', { a: i18n.t('act.' + action) }), 'ok');
    if (!win.current) current = null;
  } catch (e) {
    showMsg(msg(), errText(e));
    await refresh();
  } finally {
    busy = false;
    render();
    loadQueue();
    if (action === 'finish') loadFigures();
  }
}

function openForm(id) {
  for (const f of ['#transfer-form', '#pause-form']) $(f).hidden = f !== id;
  const f = $(id);
  if (id === '#transfer-form') {
    replace($('#transfer-svc'), ...[...services.values()].filter((s) => s.enabled !== false && s.code !== current?.service).map((s) => h('option', { value: s.code }, `${s.code} ${i18n.nameOf(s)}`)));
  }
  if (id === '#pause-form') {
    replace($('#pause-reasons'), ...['meeting', 'break', 'consult', 'system'].map((k) => h('option', { value: i18n.t('reason.' + k) })));
  }
  f.querySelector('input, select')?.focus();
}

function onAction(a) {
  const b = $(`#actions [data-act="${a}"]`);
  if (!b || b.disabled) return;
  if (a === 'transfer') return openForm('#transfer-form');
  if (a === 'pause') return openForm('#pause-form');
  act(a);
}

const KEYS = { F1: 'call-next', n: 'call-next', r: 'recall', s: 'start', f: 'finish', x: 'no-show', t: 'transfer', p: 'pause' };

function onKey(e) {
  if (e.ctrlKey || e.altKey || e.metaKey) return;
  const tag = (e.target?.tagName || '').toLowerCase();
  if (e.key !== 'F1' && (tag === 'input' || tag === 'textarea' || tag === 'select')) return;
  if ($('#console').hidden) return;
  const a = KEYS[e.key] || KEYS[e.key.toLowerCase?.()];
  if (!a) return;
  e.preventDefault();
  onAction(a);
}

async function ready(u) {
  me = u;
  mountUserBar($('#userbar'), u);
  try {
    const list = await api.get('/services', { auth: false });
    services = new Map((Array.isArray(list) ? list : []).map((s) => [s.code, s]));
  } catch {
    services = new Map();
  }
  const fromUrl = new URLSearchParams(location.search).get('window');
  const saved = fromUrl || sessionStorage.getItem('hq.counter.window');
  if (saved) selectWindow(saved);
  else chooseWindow();
  $('#live').hidden = false;
  const setLive = liveBadge($('#live'));
  let t = null;
  events.connect({
    onState: setLive,
    onReconnect: () => refresh(),
    onEvent: (type, d) => {
      const mineEvent = winNo(d?.window) === winN;
      if (type.startsWith('window.') || (mineEvent && type.startsWith('ticket.'))) {
        clearTimeout(t);
        t = setTimeout(refresh, 300);
      } else if (type.startsWith('ticket.')) {
        clearTimeout(t);
        t = setTimeout(loadQueue, 300);
      }
    },
  });
}

boot();
for (const b of $$('#actions [data-act]')) b.addEventListener('click', () => onAction(b.dataset.act));
$('#switch-window').addEventListener('click', () => {
  sessionStorage.removeItem('hq.counter.window');
  winN = null;
  chooseWindow();
});
for (const b of $$('[data-close]')) b.addEventListener('click', () => (b.closest('form').hidden = true));
$('#transfer-form').addEventListener('submit', (e) => {
  e.preventDefault();
  $('#transfer-form').hidden = true;
  act('transfer', { service: $('#transfer-svc').value });
});
$('#pause-form').addEventListener('submit', (e) => {
  e.preventDefault();
  $('#pause-form').hidden = true;
  const min = Number($('#pause-min').value) || 0;
  act('pause', { reason: $('#pause-reason').value.trim(), back_in_s: Math.round(min * 60) });
});
$('#call-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const n = $('#call-number').value.trim().toUpperCase();
  if (n) act('call', { number: n });
});
document.addEventListener('keydown', onKey);
setInterval(tick, 1000);
i18n.onChange(() => {
  render();
  loadQueue();
  loadFigures();
});
requireLogin({ roles: ['clerk', 'manager', 'admin'], onReady: ready });
