// SPDX-License-Identifier: MIT
// help.js — 请求帮助 / Ask for help (issue 18) on the kiosk, the pad and the tracking page: a button in
// the header posts POST /help — from a registered kiosk ({"from":"kiosk"}), the pad of window n
// ({"from":"pad","window":n}) or the tracking page's ticket ({"ticket":id}) — and says, in both
// languages, that a guide has been told; then follows the request on the live stream
// (help.acknowledged: a guide is on the way; help.closed: the note goes). A kiosk or pad that is not
// a registered device is told to ask at the service desk.

import * as api from './api.js';
import * as i18n from './i18n.js';
import * as events from './events.js';
import { h, $ } from './ui.js';

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
let stream = null;

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

function follow() {
  if (stream) return;
  stream = events.connect({
    onEvent: (type, d) => {
      if (!current || d?.id !== current.id) return;
      if (type === 'help.acknowledged') {
        current.status = 'acknowledged';
        tell('help.coming');
      } else if (type === 'help.closed') {
        current = null;
        tell('');
        stream?.close();
        stream = null;
      }
    },
  });
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
  stream?.close();
  stream = null;
}

function mount() {
  const bar = document.querySelector('.topbar');
  const lang = $('#lang');
  if (bar) bar.insertBefore(button, lang && lang.parentNode === bar ? lang : null);
  bar?.after(note);
  button.addEventListener('click', ask);
  i18n.onChange(label);
  label();
}

mount();
