// SPDX-License-Identifier: MIT
// complaints-verdict.js — the complainant's verdict on the public complaint page (clause 8.2.4),
// a module added to complaints.html beside complaints.js. When the tracking result shown in
// #track-out is a resolved complaint, it adds a form: satisfied, or not satisfied with what is
// wrong (and, if wished, a request for the manager) → POST /complaints/track/{code}/verdict. The
// answer is the public tracking view; the page then shows it again through the tracking form.

import * as api from './api.js';
import * as i18n from './i18n.js';
import './complaints-status.js'; // the status words (cst.*)
import { h, $, showMsg, errText } from './ui.js';

i18n.add({
  'cv.title': ['您对处理结果满意吗？', 'Are you satisfied with the result?'],
  'cv.yes': ['满意', 'Satisfied'],
  'cv.no': ['不满意', 'Not satisfied'],
  'cv.comment': ['请说明不满意的地方，我们将重新处理', 'Please say what is wrong: we will handle it again'],
  'cv.manager': ['请负责人处理', 'I want the manager to handle it'],
  'cv.send': ['提交评价', 'Send'],
  'cv.choose': ['请选择满意或不满意', 'Please choose satisfied or not satisfied'],
  'cv.need_comment': ['请说明不满意的地方', 'Please say what is wrong'],
  'cv.thanks_yes': ['感谢您的评价，投诉已办结。', 'Thank you: the complaint is closed.'],
  'cv.thanks_no': ['已收到，我们将重新处理并答复您。', 'Received: we will handle it again and answer you.'],
});

let busy = false;

function form(code) {
  const msg = h('p', { class: 'msg', role: 'alert', hidden: true });
  const comment = h('textarea', { id: 'verdict-comment', maxlength: 1000 });
  const f = h(
    'form',
    { id: 'verdict-form', class: 'verdict', novalidate: true },
    h(
      'fieldset',
      null,
      h('legend', null, i18n.t('cv.title')),
      h('label', { class: 'inline', for: 'verdict-yes' }, h('input', { type: 'radio', name: 'satisfied', id: 'verdict-yes', value: 'true' }), ' ', i18n.t('cv.yes')),
      h('label', { class: 'inline', for: 'verdict-no' }, h('input', { type: 'radio', name: 'satisfied', id: 'verdict-no', value: 'false' }), ' ', i18n.t('cv.no')),
    ),
    h('label', { for: 'verdict-comment' }, i18n.t('cv.comment')),
    comment,
    h('label', { class: 'inline', for: 'verdict-escalate' }, h('input', { type: 'checkbox', id: 'verdict-escalate' }), ' ', i18n.t('cv.manager')),
    h('button', { class: 'btn primary', type: 'submit', id: 'verdict-send' }, i18n.t('cv.send')),
    msg,
  );
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const choice = f.elements.satisfied.value;
    if (!choice) return showMsg(msg, i18n.t('cv.choose'));
    const satisfied = choice === 'true';
    const text = comment.value.trim();
    if (!satisfied && !text) {
      comment.setAttribute('aria-invalid', 'true');
      comment.focus();
      return showMsg(msg, i18n.t('cv.need_comment'));
    }
    const body = { satisfied };
    if (text) body.comment = text;
    if (!satisfied && $('#verdict-escalate').checked) body.escalate = true;
    try {
      await api.post(`/complaints/track/${api.seg(code)}/verdict`, body, { auth: false });
      const done = h('p', { class: 'msg ok', role: 'status', id: 'verdict-done' }, i18n.t(satisfied ? 'cv.thanks_yes' : 'cv.thanks_no'));
      $('#verdict-done')?.remove();
      $('#track-out').after(done); // outside #track-out, which the page redraws
      f.remove();
      // Show the new status and history through the page's own tracking form.
      $('#track-form')?.requestSubmit?.();
    } catch (e) {
      showMsg(msg, errText(e));
    }
  });
  return f;
}

async function check() {
  const out = $('#track-out');
  const codeEl = $('#track-code');
  if (!out || !codeEl || busy || $('#verdict-form', out)) return;
  const code = codeEl.textContent.trim();
  if (!code) return;
  busy = true;
  try {
    const r = await api.get(`/complaints/track/${api.seg(code)}`, { auth: false });
    if (r.status === 'resolved' && $('#track-code')?.textContent.trim() === code && !$('#verdict-form', out)) {
      $('#verdict-done')?.remove();
      out.appendChild(form(code));
    }
  } catch {
    /* the page shows tracking errors itself */
  } finally {
    busy = false;
  }
}

const target = $('#track-out');
if (target) new MutationObserver(check).observe(target, { childList: true });
