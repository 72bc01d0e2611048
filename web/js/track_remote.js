// SPDX-License-Identifier: MIT
// track_remote.js — the tracking page's remote-queuing parts, hooked into track.js's render():
// 重新排队 after a missed call (GET /tickets/{id}/rejoin asks whether the hall allows it now,
// POST rejoins; a refusal shows the server's own message) and "tell me when I am N places away"
// (a browser Notification where permitted, otherwise a Web Audio beep and a vibration; once each
// time `ahead` crosses to N or fewer).

import * as api from './api.js';
import * as i18n from './i18n.js';
import { $, h, replace, showMsg, errText } from './ui.js';

i18n.add({
  'rj.missed': ['您已过号。可在宽限期内重新排队一次，保留原来的位置（{t} 前）。', 'You missed your call. You may rejoin once, keeping your place, until {t}.'],
  'rj.rejoin': ['重新排队', 'Rejoin'],
  'rj.done': ['已重新排队，请留意叫号。', 'You are back in the queue. Please listen for your number.'],
  'nr.title': ['快到我时提醒我', 'Tell me when my turn is near'],
  'nr.when': ['前面还剩几人时提醒', 'Remind me when this many are ahead'],
  'nr.on': ['开启提醒', 'Turn on the reminder'],
  'nr.off': ['关闭提醒', 'Turn off the reminder'],
  'nr.armed': ['前面还剩 {n} 人或更少时会提醒您（请保持本页打开）。', 'You will be reminded when {n} or fewer are ahead (keep this page open).'],
  'nr.alert': ['快到您了：前面还有 {n} 人，请回到大厅。', 'Your turn is near: {n} ahead of you. Please come back to the hall.'],
});

let ctx = null; // {id, onTicket}
let rejoinFor = ''; // the finished_at of the no-show we asked about, so we ask once per no-show
let rejoinUntil = null;
let near = { on: false, n: 3, fired: false };
let audio = null;

/* Called once by track.js: the secret id and how to hand back a changed ticket. */
export function remoteSetup(id, onTicket) {
  ctx = { id, onTicket };
  const sel = $('#near-n');
  replace(sel, ...[1, 2, 3, 4, 5, 6, 8, 10].map((n) => h('option', { value: n, selected: n === near.n }, String(n))));
  sel.addEventListener('change', () => {
    near.n = Number(sel.value) || 3;
    near.fired = false;
    remoteRender(lastTicket);
  });
  $('#near-toggle').addEventListener('click', toggleNear);
  $('#rejoin').addEventListener('click', rejoin);
}

let lastTicket = null;

/* Called at the end of every render of the ticket. */
export function remoteRender(t) {
  lastTicket = t;
  if (!t || !ctx) return;
  renderRejoin(t);
  renderNear(t);
}

function renderRejoin(t) {
  const box = $('#rejoin-box');
  if (t.status !== 'no_show') {
    box.hidden = true;
    rejoinFor = '';
    return;
  }
  const key = String(t.finished_at || '');
  if (key !== rejoinFor) {
    rejoinFor = key;
    rejoinUntil = null;
    box.hidden = true;
    api
      .get(`/tickets/${api.seg(ctx.id)}/rejoin`, { auth: false })
      .then((r) => {
        rejoinUntil = r?.until || null;
        renderRejoin(lastTicket);
      })
      .catch(() => {
        /* not allowed (too late, once already, turned off): no button */
      });
    return;
  }
  box.hidden = !rejoinUntil;
  if (rejoinUntil) $('#rejoin-note').textContent = i18n.t('rj.missed', { t: i18n.fmtTime(rejoinUntil) });
}

async function rejoin() {
  const msg = $('#rejoin-msg');
  try {
    const t = await api.post(`/tickets/${api.seg(ctx.id)}/rejoin`, {}, { auth: false });
    showMsg(msg, i18n.t('rj.done'), 'ok');
    ctx.onTicket(t);
  } catch (e) {
    showMsg(msg, errText(e));
  }
}

function renderNear(t) {
  const waiting = t.status === 'waiting';
  $('#near-box').hidden = !waiting;
  $('#near-toggle').textContent = i18n.t(near.on ? 'nr.off' : 'nr.on');
  $('#near-toggle').setAttribute('aria-pressed', String(near.on));
  $('#near-state').textContent = near.on ? i18n.t('nr.armed', { n: near.n }) : '';
  if (!waiting || !Number.isInteger(t.ahead)) return;
  if (t.ahead > near.n) near.fired = false; // crossed back: the next crossing alerts again
  else if (near.on && !near.fired) {
    near.fired = true;
    alertNear(t.ahead);
  }
}

async function toggleNear() {
  near.on = !near.on;
  near.fired = false;
  if (near.on) {
    // both need the customer's gesture: ask for notifications, unlock the audio
    try {
      if ('Notification' in window && Notification.permission === 'default') await Notification.requestPermission();
    } catch {
      /* no notifications here */
    }
    try {
      const AC = window.AudioContext || window.webkitAudioContext;
      if (AC && !audio) audio = new AC();
      audio?.resume?.();
    } catch {
      audio = null;
    }
  }
  remoteRender(lastTicket);
}

function alertNear(n) {
  const text = i18n.t('nr.alert', { n });
  document.body.dataset.nearAlert = String(n);
  showMsg($('#near-msg'), text, 'info');
  let shown = false;
  try {
    if ('Notification' in window && Notification.permission === 'granted') {
      new Notification(i18n.t('nr.title'), { body: text, tag: `hallq-near-${ctx.id}` });
      shown = true;
    }
  } catch {
    shown = false; // e.g. Android Chrome wants a service worker: fall back
  }
  if (!shown) beep();
  try {
    navigator.vibrate?.([300, 150, 300]);
  } catch {
    /* no vibration */
  }
}

function beep() {
  if (!audio) return;
  try {
    const o = audio.createOscillator();
    const g = audio.createGain();
    o.frequency.value = 880;
    g.gain.setValueAtTime(0.25, audio.currentTime);
    g.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.8);
    o.connect(g).connect(audio.destination);
    o.start();
    o.stop(audio.currentTime + 0.8);
  } catch {
    /* no sound */
  }
}
