// SPDX-License-Identifier: MIT
// help.js — 请求帮助 / Ask for help (issue 18) on the kiosk, the pad and the tracking page: a button in
// the header posts POST /help — from a registered kiosk ({"from":"kiosk"}), the pad of window n
// ({"from":"pad","window":n}) or the tracking page's ticket ({"ticket":id}) — and says, in both
// languages, that a guide has been told; then follows the request (GET /help/{id}: acknowledged —
// a guide is on the way; closed — the note goes). A kiosk or pad that is not
// a registered device is told to ask at the service desk.

import * as api from './api.js';
import * as i18n from './i18n.js';
import { h } from './ui.js';

i18n.add({
  'help.ask': ['请求帮助', 'Ask for help'],
  'help.sent': ['已通知引导员，请在原地稍候', 'A guide has been told: please wait here'],
  'help.coming': ['引导员正在赶来', 'A guide is on the way'],
  'help.desk': ['请到服务台请工作人员帮助', 'Please ask at the service desk'],
  'help.failed': ['暂时无法发出求助，请到服务台', 'Help could not be called: please go to the service desk'],
});

const body = document.body;
const PAGE = body.classList.contains('kiosk') ? 'kiosk' : body.classList.contains('pad') ? 'pad' : 'track';

const button = h('button', { class: 'btn help-btn', id: 'help-ask', type: 'button', dataset: { say: 'help' } });
const note = h('p', { class: 'help-note', id: 'help-note', role: 'status', hidden: true });
let current = null; // {id, status}
let timer = null;

function label() {
  const other = i18n.lang() === 'en' ? 'zh-CN' : 'en';
  button.replaceChildren(h('span', null, i18n.t('help.ask')), ' ', h('span', { class: 'lt-other', lang: other }, i18n.other('help.ask')));
  if (current) tell(current.status === 'acknowledged' ? 'help.coming' : 'help.sent');
}

function tell(key) {
  note.dataset.key = key || '';
  note.textContent = key ? i18n.both(key) : '';
  note.hidden = !key;
}

function body4page() {
  if (PAGE === 'kiosk') return { from: 'kiosk' };
  if (PAGE === 'pad') {
    const n = Number(location.pathname.split('/').filter(Boolean)[1] || new URLSearchParams(location.search).get('window'));
    return n >= 1 ? { from: 'pad', window: n } : { from: 'pad' };
  }
  const id = location.pathname.split('/').filter(Boolean)[1] || new URLSearchParams(location.search).get('id');
  return { ticket: id || '' };
}

// Follow the request by asking GET /help/{id} every POLL_MS until it is closed: no second live
// stream (a page may hold only a few connections to the server, and the tracking page and the pad
// already keep one).
const POLL_MS = 3000;
function follow() {
  if (timer) return;
  timer = setInterval(async () => {
    if (!current) return stop();
    try {
      const r = await api.get(`/help/${api.seg(current.id)}`, { auth: false });
      if (r.status === 'closed') {
        current = null;
        tell('');
        stop();
      } else if (r.status === 'acknowledged' && current.status !== 'acknowledged') {
        current.status = 'acknowledged';
        tell('help.coming');
      }
    } catch {
      /* try again at the next turn */
    }
  }, POLL_MS);
}

function stop() {
  clearInterval(timer);
  timer = null;
}

async function ask() {
  if (PAGE !== 'track' && !api.deviceKey()) return tell('help.desk');
  try {
    const r = await api.post('/help', body4page(), { auth: false });
    current = { id: r.id, status: r.status };
    tell(r.status === 'acknowledged' ? 'help.coming' : 'help.sent');
    follow();
  } catch (e) {
    tell(e.status === 401 ? 'help.desk' : 'help.failed');
  }
}

// The kiosk's next customer starts afresh (the guide still has the alert).
export function reset() {
  current = null;
  tell('');
  stop();
}

function mount() {
  // the row of the customer's buttons under the header (js/largetype.js makes it when loaded first)
  let bar = document.getElementById('a11y-bar');
  if (!bar) {
    bar = h('div', { id: 'a11y-bar', class: 'a11y-bar' });
    const top = document.querySelector('.topbar');
    if (top) top.after(bar);
    else document.body.prepend(bar);
  }
  bar.append(button);
  bar.after(note);
  button.addEventListener('click', ask);
  i18n.onChange(label);
  label();
}

mount();
