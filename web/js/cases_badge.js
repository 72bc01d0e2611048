// SPDX-License-Identifier: MIT
// cases_badge.js — on the manager page, the link to the bad-review cases (cases.html) and how many
// are overdue (GET /cases?status=overdue, its figures.overdue)
// (polled each minute, and soon after the page's sign-in; the manager page's own event stream is
// not touched). No personal data.

import * as api from './api.js';
import * as i18n from './i18n.js';

i18n.add({
  'mg.cases_link': ['差评工单 →', 'Bad-review cases →'],
  'mg.cases_overdue': ['{n} 件超期', '{n} overdue'],
});

async function refresh() {
  const badge = document.getElementById('cases-overdue');
  if (!badge || !api.token()) return;
  try {
    const r = await api.get('/cases?status=overdue');
    const n = r?.figures?.overdue || 0;
    badge.textContent = n ? i18n.t('mg.cases_overdue', { n }) : '';
    badge.hidden = !n;
    badge.dataset.count = String(n);
  } catch {
    badge.hidden = true; // not signed in yet, or a role without cases
  }
}

let had = false;
i18n.onChange(refresh);
setInterval(refresh, 60000);
setInterval(() => {
  if (api.token() && !had) {
    had = true;
    refresh();
  }
}, 1000);
