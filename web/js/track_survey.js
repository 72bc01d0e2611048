// SPDX-License-Identifier: MIT
// track_survey.js — the optional satisfaction survey on the tracking page after service (clause
// 9.1.3; docs/SURVEYS.md). Imported by track.js with one line and otherwise independent of it:
// when the page shows the ticket done (body[data-status="done"]) it asks GET
// /surveys/active/web?ticket= and, if a questionnaire is active and this ticket has not answered
// it, shows it below the evaluation; once answered (or skipped) it says thanks and stays closed.
// POST /surveys/answers as the public (method web): once per ticket.

import * as api from './api.js';
import * as i18n from './i18n.js';
import { h } from './ui.js';
import { surveyForm, surveyStyles } from './survey_form.js';

i18n.add({ 'sv.track_h': ['满意度问卷', 'Satisfaction survey'] });

const id = decodeURIComponent(location.pathname.split('/').filter(Boolean)[1] || new URLSearchParams(location.search).get('id') || '');
let shown = false;
let q = null;

function place(el) {
  const after = document.getElementById('evaluate');
  if (after?.parentNode) after.parentNode.insertBefore(el, after.nextSibling);
  else document.querySelector('main')?.appendChild(el);
}

function render(box) {
  const done = (text) => box.replaceChildren(h('h2', null, i18n.t('sv.track_h')), h('p', { class: 'thanks' }, text));
  const f = surveyForm(q, {
    skipLabel: i18n.t('sv.skip'),
    onSkip: () => box.remove(),
    onSubmit: async (body) => {
      try {
        await api.post('/surveys/answers', { ...body, ticket: id }, { auth: false });
        q = null;
        done(i18n.t('sv.thanks'));
      } catch (e) {
        if (e.status === 409 && e.field === 'ticket') done(i18n.t('sv.thanks'));
        else f.message(e.message || String(e));
      }
    },
  });
  box.replaceChildren(h('h2', { id: 'sv-h' }, i18n.t('sv.track_h')), f.el);
}

async function check() {
  if (shown || !id || document.body.dataset.status !== 'done') return;
  shown = true;
  let a;
  try {
    a = await api.get(`/surveys/active/web?ticket=${api.seg(id)}`, { auth: false });
  } catch {
    shown = false;
    return;
  }
  if (!a?.questionnaire || a.answered) return;
  q = a.questionnaire;
  surveyStyles();
  const box = h('section', { class: 'card', id: 'track-survey', 'aria-labelledby': 'sv-h' });
  place(box);
  render(box);
  i18n.onChange(() => q && box.isConnected && render(box));
}

new MutationObserver(check).observe(document.body, { attributes: true, attributeFilter: ['data-status'] });
check();
