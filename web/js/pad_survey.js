// SPDX-License-Identifier: MIT
// pad_survey.js — the optional satisfaction survey on the evaluation pad (clause 9.1.3;
// docs/SURVEYS.md). Imported by pad.js with one line and otherwise independent of it: it watches
// the pad's state (body[data-state]); when the pad asks about a ticket it notes the ticket's id
// (GET /windows/{n}/pending-evaluation, before the evaluation), and once the customer has
// evaluated (state "thanks") it offers the questionnaire active on the pad, if any and not yet
// answered for that ticket, over the pad: short, skippable, gone after two minutes or as soon as
// the pad asks about the next customer. POST /surveys/answers with the pad's device key
// (method pad).

import * as api from './api.js';
import * as i18n from './i18n.js';
import { h } from './ui.js';
import { surveyForm, surveyStyles } from './survey_form.js';

const n = Number(location.pathname.split('/').filter(Boolean)[1] || new URLSearchParams(location.search).get('window'));
let ticket = null; // the id of the ticket the pad is asking about
let noting = Promise.resolve();
let overlay = null;
let timer = null;

function close() {
  clearTimeout(timer);
  overlay?.remove();
  overlay = null;
  delete document.body.dataset.survey;
}

async function noteTicket() {
  try {
    const p = await api.get(`/windows/${n}/pending-evaluation`, { auth: false });
    ticket = p?.ticket || null;
  } catch {
    ticket = null;
  }
}

async function offer() {
  await noting;
  const t = ticket;
  if (!t || overlay) return;
  let a;
  try {
    a = await api.get(`/surveys/active/pad?ticket=${api.seg(t)}`, { auth: false });
  } catch {
    return;
  }
  if (!a?.questionnaire || a.answered || overlay) return;
  surveyStyles();
  const thanks = () => {
    document.body.dataset.survey = 'thanks';
    overlay.replaceChildren(h('p', { class: 'thanks' }, i18n.t('sv.thanks')));
    clearTimeout(timer);
    timer = setTimeout(close, 5000);
  };
  const f = surveyForm(a.questionnaire, {
    onSkip: close,
    onSubmit: async (body) => {
      try {
        await api.post('/surveys/answers', { ...body, ticket: t }, { auth: false });
        thanks();
      } catch (e) {
        if (e.status === 409) thanks(); // answered already, or a newer version: nothing to do
        else f.message(e.message || String(e));
      }
    },
  });
  overlay = h('section', { class: 'sv-overlay', id: 'pad-survey', 'aria-label': i18n.t('sv.optional') }, f.el);
  document.body.appendChild(overlay);
  document.body.dataset.survey = 'open';
  timer = setTimeout(close, 120000);
}

new MutationObserver(() => {
  const st = document.body.dataset.state;
  if (st === 'ask') {
    close();
    noting = noteTicket();
  } else if (st === 'thanks') offer();
}).observe(document.body, { attributes: true, attributeFilter: ['data-state'] });
