// SPDX-License-Identifier: MIT
// counter.js — the clerk's console. Every window action of API.md (POST /windows/{n}/{action}) by
// button or key: F1/N call next, R recall, S start, F finish, X no-show, T transfer, P pause.
// Shows the current ticket with a running timer, the window's queue, and the day's figures
// (computed from GET /tickets?status=done for this window).
// Actions the server would refuse are disabled and the reason is said (another clerk's window; a
// pause while a ticket is called …). 待叫号码 comes from GET /tickets?status=waiting&window=n, which
// the server orders as call-next will take them. After 过号 the clerk may take it back for a short
// while (U, POST /windows/{n}/undo-no-show). Signing out with the window open warns and offers to
// close it. A pause past its announced return is flagged.

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
  'counter.next_order': ['按叫号顺序', 'In call order'],
  'counter.overdue': ['已超过预计回来时间 {m} 分钟', '{m} min past the announced return'],
  'why.not_yours': ['此窗口由 {c} 使用，不能在此操作', 'This window is in use by {c}: you cannot act on it'],
  'why.pause_current': ['当前有号（{n}）时不能暂停：请先办结、过号或转移', 'No pause while {n} is current: finish, no-show or transfer it first'],
  'why.close_current': ['当前有号（{n}）时不能关窗', 'The window cannot close while {n} is current'],
  'why.call_current': ['请先处理当前号 {n}，再叫下一号', 'Deal with {n} before calling the next'],
  'why.closed': ['窗口未开，请先开窗', 'The window is closed: open it first'],
  'why.paused': ['窗口暂停中，请先恢复服务', 'The window is paused: resume first'],
  'undo.label': ['撤销过号 {n}', 'Undo no-show {n}'],
  'undo.done': ['{n} 已回到原位等候，可再叫号', '{n} is back in its place in the queue'],
  'signout.warn_open': ['{w} 仍开着。签退前请关窗，否则顾客仍会被分到本窗口。', '{w} is still open. Close it before you sign out, or customers are still sent to it.'],
  'signout.warn_current': ['{w} 当前号 {n} 尚未办结：请先办结、过号或转移。', '{w} still has {n}: finish, no-show or transfer it first.'],
  'signout.close': ['关窗并签退', 'Close the window and sign out'],
  'signout.anyway': ['不关窗，直接签退', 'Sign out without closing'],
  'transfer.keys': ['↑↓ 选择，Enter 转移，Esc 取消', '↑↓ to choose, Enter to transfer, Esc to cancel'],
});

// Seconds after 过号 within which the server takes it back (uc_windows.c HQ_UNDO_NO_SHOW_S).
const UNDO_S = 120;
let undo = null; // {number, until}
let undoTimer = null;

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
  renderPause();

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
    pause: state === 'open' && !has,
    resume: state === 'paused',
    close: state !== 'closed' && !has,
  };
  // Why a button is off, in the page's language (the server would refuse it for this reason).
  const why = {};
  const foreign = notMine();
  if (foreign) for (const k of Object.keys(enable)) if (k !== 'open' || state !== 'closed') (enable[k] = false), (why[k] = i18n.t('why.not_yours', { c: win.clerk_name || win.clerk }));
  if (!foreign && has) {
    why.pause = i18n.t('why.pause_current', { n: c.number });
    why.close = i18n.t('why.close_current', { n: c.number });
    why['call-next'] = i18n.t('why.call_current', { n: c.number });
  }
  if (!foreign && state === 'closed') for (const k of ['call-next', 'pause', 'close']) why[k] = i18n.t('why.closed');
  if (!foreign && state === 'paused' && !has) why['call-next'] = i18n.t('why.paused');
  for (const b of $$('#actions [data-act]')) {
    const a = b.dataset.act;
    b.disabled = busy || !enable[a];
    if (!enable[a] && why[a]) b.title = why[a];
    else b.removeAttribute('title');
  }
  const reasons = [...new Set(Object.values(why))];
  const wl = $('#why-off');
  wl.textContent = foreign ? why['call-next'] : reasons.filter((r) => r !== i18n.t('why.closed') || state === 'closed').slice(0, 2).join(' · ');
  wl.hidden = !wl.textContent;
  $('#call-form button').disabled = busy || !(state === 'open' && !has) || foreign;
  $('#call-number').disabled = foreign;
  renderUndo();
}

// Another clerk has this window open: a clerk may not act on it (manager and admin may).
function notMine() {
  return !!(win && win.clerk && me && win.clerk !== me.username && me.role === 'clerk');
}

function overdueMin(w) {
  if (!w || w.state !== 'paused' || !w.back_in_s || !w.paused_at) return 0;
  const late = Date.now() - (new Date(w.paused_at).getTime() + w.back_in_s * 1000);
  return late > 0 ? Math.max(1, Math.floor(late / 60000)) : 0;
}

function renderPause() {
  const pi = $('#pause-info');
  if (win?.state === 'paused') {
    let text = i18n.t('counter.paused', { r: win.pause_reason || '' });
    if (win.back_in_s && win.paused_at) {
      const back = new Date(new Date(win.paused_at).getTime() + win.back_in_s * 1000);
      text += ' · ' + i18n.t('counter.back_at', { t: i18n.fmtTime(back.toISOString()) });
    }
    const late = overdueMin(win);
    if (late) text += ' · ' + i18n.t('counter.overdue', { m: late });
    pi.textContent = text;
    pi.classList.toggle('overdue', !!late);
    pi.hidden = false;
  } else pi.hidden = true;
}

function renderUndo() {
  const b = $('#undo');
  const left = undo ? Math.ceil((undo.until - Date.now()) / 1000) : 0;
  if (!undo || left <= 0 || notMine()) {
    undo = left > 0 ? undo : null;
    b.hidden = true;
    return;
  }
  b.hidden = false;
  b.disabled = busy;
  $('#undo-label').textContent = `${i18n.t('undo.label', { n: undo.number })} · ${left}s`;
}

function tick() {
  renderUndo();
  if (win?.state === 'paused') renderPause();
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
  let order = [];
  try {
    // The server lists them in the order call-next at this window takes them.
    const all = await api.get(`/tickets?status=waiting&window=${winN}`);
    order = (Array.isArray(all) ? all : []).filter((t) => codes.includes(t.service));
    for (const t of order) (lists[t.service] ||= []).push(t);
  } catch {
    lists = {};
  }
  const no = $('#next-order');
  no.textContent = order.length ? order.slice(0, 10).map((t) => t.number).join(' ') : i18n.t('counter.none_waiting');
  no.dataset.numbers = order.map((t) => t.number).join(' ');
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
    if (action === 'no-show' && r.ticket) {
      undo = { number: r.ticket.number, until: Date.now() + (UNDO_S - 5) * 1000 };
      clearTimeout(undoTimer);
      undoTimer = setTimeout(renderUndo, (UNDO_S - 4) * 1000);
    } else if (action === 'undo-no-show') undo = null;
    banner(action, r);
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

// The banner says what the last action did (and only that): it follows every action.
function banner(action, r) {
  let text;
  let kind = 'ok';
  if (action === 'call-next' && !r.ticket) (text = i18n.t('done.nobody')), (kind = 'info');
  else if (r.ticket && (action === 'call-next' || action === 'call')) text = i18n.t('done.called', { n: r.ticket.number });
  else if (action === 'undo-no-show' && r.ticket) text = i18n.t('undo.done', { n: r.ticket.number });
  else text = i18n.t('done.ok', { a: `${i18n.t('act.' + action)}${r.ticket ? ' ' + r.ticket.number : ''}` });
  showMsg(msg(), `${i18n.fmtTime(new Date().toISOString())} ${text}`, kind);
  msg().dataset.action = action;
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

function closeForms() {
  for (const f of ['#transfer-form', '#pause-form']) $(f).hidden = true;
  $('#cur-number').focus();
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
  if (e.key === 'Escape') return closeForms();
  if ((e.key === 'u' || e.key === 'U') && !$('#undo').hidden) {
    e.preventDefault();
    return act('undo-no-show', { number: undo.number });
  }
  const a = KEYS[e.key] || KEYS[e.key.toLowerCase?.()];
  if (!a) return;
  e.preventDefault();
  onAction(a);
}

// Signing out with the window open (or a customer called) warns and offers to close the window.
function beforeLogout() {
  if (!win || win.state === 'closed' || notMine() || win.clerk !== me?.username) return Promise.resolve(true);
  const c = current || win.current;
  const box = $('#signout');
  $('#signout-text').textContent = c ? i18n.t('signout.warn_current', { w: winName(win), n: c.number }) : i18n.t('signout.warn_open', { w: winName(win) });
  const closeBtn = $('#signout-close');
  closeBtn.disabled = !!c;
  closeBtn.title = c ? i18n.t('why.close_current', { n: c.number }) : '';
  box.hidden = false;
  (c ? $('#signout-cancel') : closeBtn).focus();
  return new Promise((resolve) => {
    const done = (v) => {
      box.hidden = true;
      closeBtn.onclick = $('#signout-anyway').onclick = $('#signout-cancel').onclick = null;
      resolve(v);
    };
    closeBtn.onclick = async () => {
      try {
        await api.post(`/windows/${winN}/close`, {});
        sessionStorage.removeItem('hq.counter.window');
        done(true);
      } catch (e) {
        showMsg(msg(), errText(e));
        done(false);
      }
    };
    $('#signout-anyway').onclick = () => done(true);
    $('#signout-cancel').onclick = () => done(false);
  });
}

async function ready(u) {
  me = u;
  mountUserBar($('#userbar'), u, { beforeLogout });
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
      const mineEvent = winNo(d?.window) === winN || (type.startsWith('window.') && winNo(d?.window ?? d?.number) === winN);
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
  if (!$('#transfer-svc').value) return;
  $('#transfer-form').hidden = true;
  act('transfer', { service: $('#transfer-svc').value }).then(() => $('#cur-number').focus());
});
// Keyboard: Enter in the service list transfers (a select does not submit its form by itself).
$('#transfer-svc').addEventListener('keydown', (e) => {
  if (e.key === 'Enter') {
    e.preventDefault();
    $('#transfer-form').requestSubmit();
  }
});
$('#undo').addEventListener('click', () => undo && act('undo-no-show', { number: undo.number }));
$('#pause-form').addEventListener('submit', (e) => {
  e.preventDefault();
  $('#pause-form').hidden = true;
  $('#cur-number').focus();
  const min = Number($('#pause-min').value) || 0;
  act('pause', { reason: $('#pause-reason').value.trim(), back_in_s: Math.round(min * 60) });
});
$('#call-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const n = $('#call-number').value.trim().toUpperCase();
  if (!n) return;
  // Focus leaves the number box, so that S, F, N … act instead of being typed into it.
  $('#call-number').value = '';
  $('#call-number').blur();
  $('#cur-number').focus();
  act('call', { number: n });
});
document.addEventListener('keydown', onKey);
setInterval(tick, 1000);
i18n.onChange(() => {
  render();
  loadQueue();
  loadFigures();
});
requireLogin({ roles: ['clerk', 'manager', 'admin'], onReady: ready });
