// SPDX-License-Identifier: MIT
// pad.js — the evaluation pad of window n (/pad/{n}). Idle until ticket.finished for its window
// (events carry numbers only, so the pad asks GET /windows/{n}/pending-evaluation for the ticket
// id), then five levels; for 2 or 1 the reasons; POST /evaluations; thanks; idle again after 10 s.
// Once the window calls its next customer (ticket.called for window n) or closes, the pad stops
// asking at once: the person in front of it is no longer the customer who was served.

import * as api from './api.js';
import * as i18n from './i18n.js';
import * as events from './events.js';
import { h, $, replace, boot, showMsg, errText, liveBadge, winNo, winName } from './ui.js';
import './ops_device.js'; // heartbeat; public information on the kiosk and display
import * as largetype from './largetype.js';
import './pad_survey.js';

i18n.add({
  'pad.title': ['服务评价', 'Rate our service'],
  'pad.welcome': ['欢迎您，请对我们的服务进行监督', 'Welcome. Please tell us how we served you'],
  'pad.ask': ['请您对本次服务进行评价', 'Please rate this service'],
  'pad.why': ['请告诉我们不满意的原因（可多选）', 'Please tell us why (choose any)'],
  'pad.submit': ['提交评价', 'Submit'],
  'pad.thanks': ['谢谢您的评价！', 'Thank you!'],
  'pad.setup': ['此评价器尚未登记。请管理员在“系统管理 → 设备”登记，并用给出的地址打开本页。', 'This pad is not registered yet. An administrator registers it under Administration → Devices and opens this page with the address given there.'],
  'reason.long_wait': ['等候时间长', 'Long wait'],
  'reason.attitude': ['态度不好', 'Attitude'],
  'reason.not_competent': ['业务不熟', 'Not competent'],
  'reason.complicated': ['流程繁琐', 'Complicated procedure'],
  'reason.other': ['其他', 'Other'],
});

const REASONS = ['long_wait', 'attitude', 'not_competent', 'complicated', 'other'];
const n = Number(location.pathname.split('/').filter(Boolean)[1] || new URLSearchParams(location.search).get('window'));

let pending = null; // {ticket, number}
let level = null;
let idleTimer = null;
let askTimer = null;

function show(id) {
  for (const s of ['idle', 'ask', 'why', 'thanks']) $('#' + s).hidden = s !== id;
  document.body.dataset.state = id;
}

function idle() {
  clearTimeout(idleTimer);
  clearTimeout(askTimer);
  pending = null;
  level = null;
  showMsg($('#msg'), '');
  show('idle');
  largetype.done();
}

function renderFaces() {
  replace(
    $('#faces'),
    ...[5, 4, 3, 2, 1].map((l) =>
      h(
        'button',
        { class: 'face', type: 'button', dataset: { level: l }, 'aria-label': `${l} ${i18n.both('level.' + l)}`, onclick: () => choose(l) },
        h('img', { class: 'emo', src: `/img/face-${l}.svg`, alt: '', width: 96, height: 96 }),
        h('span', { class: 'zh' }, i18n.t('level.' + l)),
        h('span', { class: 'en', lang: i18n.lang() === 'en' ? 'zh-CN' : 'en' }, i18n.other('level.' + l)),
      ),
    ),
  );
  // Reasons are recorded in Chinese (the hall's language), whatever language the pad shows.
  const checked = new Set([...document.querySelectorAll('#reasons input:checked')].map((i) => i.value));
  replace(
    $('#reasons'),
    ...REASONS.map((r) => {
      const value = i18n.inLang('reason.' + r, 'zh');
      return h('label', null, h('input', { type: 'checkbox', value, checked: checked.has(value) }),
        h('span', { class: 'txt' }, i18n.t('reason.' + r), h('small', { lang: i18n.lang() === 'en' ? 'zh-CN' : 'en' }, i18n.other('reason.' + r))));
    }),
  );
}

async function ask(finishedNumber) {
  try {
    const p = await api.get(`/windows/${n}/pending-evaluation`, { auth: false });
    if (!p || !p.ticket) return;
    if (finishedNumber && p.number && p.number !== finishedNumber) return;
    pending = p;
    level = null;
    $('#ask-number').textContent = p.number || '';
    for (const i of document.querySelectorAll('#reasons input')) i.checked = false;
    show('ask');
    // Nobody answered: back to idle after two minutes.
    clearTimeout(askTimer);
    askTimer = setTimeout(idle, 120000 * largetype.timeFactor());
  } catch (e) {
    if (e.status === 401 || e.status === 403) showMsg($('#msg'), i18n.t('pad.setup'));
    else if (e.status !== 404) showMsg($('#msg'), errText(e));
  }
}

function choose(l) {
  level = l;
  if (l <= 2) {
    show('why');
    clearTimeout(askTimer);
    askTimer = setTimeout(idle, 120000 * largetype.timeFactor());
  } else submit([]);
}

async function submit(reasons) {
  if (!pending) return idle();
  clearTimeout(askTimer);
  try {
    // the stage the window just finished (one ticket may have several services)
    const stage = Number.isInteger(pending.stage) ? { stage: pending.stage } : {};
    await api.post('/evaluations', { ticket: pending.ticket, level, reasons, comment: '', ...stage }, { auth: false });
    show('thanks');
    idleTimer = setTimeout(idle, 10000 * largetype.timeFactor());
  } catch (e) {
    if (e.status === 409) {
      // Already evaluated (another device) or too late: thank and go idle.
      show('thanks');
      idleTimer = setTimeout(idle, 10000 * largetype.timeFactor());
    } else {
      showMsg($('#msg'), errText(e));
      idleTimer = setTimeout(idle, 10000 * largetype.timeFactor());
    }
  }
}

async function loadWindow() {
  try {
    const list = await api.get('/windows', { auth: false });
    const w = (Array.isArray(list) ? list : []).find((x) => x.number === n);
    $('#win-name').textContent = w ? winName(w) : i18n.t('window.n', { n });
  } catch {
    $('#win-name').textContent = i18n.t('window.n', { n });
  }
}

boot();
renderFaces();
i18n.onChange(() => {
  renderFaces();
  loadWindow();
});
$('#why-submit').addEventListener('click', () => submit([...document.querySelectorAll('#reasons input:checked')].map((i) => i.value)));
idle();
loadWindow();
events.connect({
  onState: liveBadge($('#live')),
  onEvent: (type, d) => {
    if (winNo(d?.window) !== n) return;
    if (type === 'ticket.finished') ask(d.number);
    else if ((type === 'ticket.called' || type === 'window.closed') && pending && document.body.dataset.state !== 'thanks') {
      if (type === 'window.closed' || d.number !== pending.number) idle();
    }
  },
});
// A finish that happened just before the pad started (or while it was reconnecting).
ask(null);
