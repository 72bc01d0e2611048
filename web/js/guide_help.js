// SPDX-License-Identifier: MIT
// guide_help.js — help requests on the guide's console (issue 18): the requests of today that are
// not closed (GET /help), kept live by the event stream (help.requested, help.acknowledged,
// help.closed), each saying where help is needed — which kiosk, which pad (and window) or which
// ticket number — and since when; 前往 / On my way acknowledges (POST /help/{id}/ack), 已解决 /
// Done closes (POST /help/{id}/close). A new request is announced through an assertive live region
// and a short tone. Shown once a guide, manager or admin is signed in.

import * as api from './api.js';
import * as i18n from './i18n.js';
import * as events from './events.js';
import { h, $, replace, showMsg, errText } from './ui.js';

i18n.add({
  'gh.title': ['求助', 'Help requests'],
  'gh.none': ['暂无求助', 'No one is asking for help'],
  'gh.kiosk': ['取号机“{p}”有人请求帮助', 'Someone at kiosk “{p}” asks for help'],
  'gh.pad': ['{w} 号窗口评价器“{p}”有人请求帮助', 'Someone at the pad “{p}” of window {w} asks for help'],
  'gh.pad_nowin': ['评价器“{p}”有人请求帮助', 'Someone at the pad “{p}” asks for help'],
  'gh.ticket': ['{n} 号请求帮助', 'Ticket {n} asks for help'],
  'gh.since': ['{t} 起', 'since {t}'],
  'gh.acked': ['{u} 已前往', '{u} is on the way'],
  'gh.ack': ['前往', 'On my way'],
  'gh.close': ['已解决', 'Done'],
  'gh.new': ['新的求助：{w}', 'New help request: {w}'],
});

const box = $('#help-box');
if (box) i18n.apply(box); // guide.js applied the page's texts before these were added
const list = $('#help-list');
const msg = $('#help-msg');
const live = $('#help-live');
let items = [];
let started = false;

function where(r) {
  if (r.source === 'ticket') return i18n.t('gh.ticket', { n: r.number });
  if (r.source === 'pad') return r.window ? i18n.t('gh.pad', { p: r.place, w: r.window }) : i18n.t('gh.pad_nowin', { p: r.place });
  return i18n.t('gh.kiosk', { p: r.place });
}

function render() {
  const open = items.filter((r) => r.status !== 'closed');
  box.dataset.open = String(open.length);
  if (!open.length) {
    replace(list, h('li', { class: 'none' }, i18n.t('gh.none')));
    return;
  }
  replace(
    list,
    ...open.map((r) =>
      h(
        'li',
        { class: r.status, dataset: { id: r.id } },
        h('span', { class: 'what' }, where(r)),
        h('span', { class: 'when' }, i18n.t('gh.since', { t: i18n.fmtTime(r.requested_at) })),
        r.status === 'acknowledged' ? h('span', { class: 'who' }, i18n.t('gh.acked', { u: r.acknowledged_by || '' })) : null,
        r.status === 'open'
          ? h('button', { class: 'btn primary small', type: 'button', dataset: { act: 'ack' }, 'aria-label': `${i18n.t('gh.ack')}: ${where(r)}`, onclick: () => act(r, 'ack') }, i18n.t('gh.ack'))
          : null,
        h('button', { class: 'btn small', type: 'button', dataset: { act: 'close' }, 'aria-label': `${i18n.t('gh.close')}: ${where(r)}`, onclick: () => act(r, 'close') }, i18n.t('gh.close')),
      ),
    ),
  );
}

async function load() {
  try {
    const r = await api.get('/help');
    items = Array.isArray(r) ? r : [];
    render();
  } catch (e) {
    if (e.status !== 401) showMsg(msg, errText(e));
  }
}

async function act(r, action) {
  showMsg(msg, '');
  try {
    const after = await api.post(`/help/${api.seg(r.id)}/${action}`, {});
    items = items.map((x) => (x.id === after.id ? after : x));
    render();
  } catch (e) {
    showMsg(msg, errText(e));
    load();
  }
}

function tone() {
  try {
    const ctx = new AudioContext();
    const o = ctx.createOscillator();
    const g = ctx.createGain();
    o.frequency.value = 880;
    g.gain.value = 0.15;
    o.connect(g).connect(ctx.destination);
    o.start();
    o.stop(ctx.currentTime + 0.35);
  } catch {
    /* no audio */
  }
}

function start() {
  if (started) return;
  started = true;
  box.hidden = false;
  load();
  events.connect({
    onEvent: (type, d) => {
      if (!type.startsWith('help.') || !d?.id) return;
      if (type === 'help.requested') {
        live.textContent = i18n.t('gh.new', { w: where(d) });
        tone();
      }
      load();
    },
    onReconnect: load,
  });
}

// The guide page signs in through guide.js; start once a staff session exists.
const ROLES = ['guide', 'manager', 'admin'];
function check() {
  const u = api.user();
  if (api.token() && u && ROLES.includes(u.role)) start();
}
if (box && list) {
  check();
  if (!started) {
    const t = setInterval(() => {
      check();
      if (started) clearInterval(t);
    }, 1000);
  }
  i18n.onChange(render);
}
