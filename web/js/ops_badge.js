// SPDX-License-Identifier: MIT
// ops_badge.js — the count of overdue operations items on the duty manager's page (manager.html):
// the nav link to the operations page (#ops-link) gets "(N 项逾期)" from GET /ops/overview once
// signed in, again on every ops.alert / ops.changed / ops.incident event and every minute.
// Imported with one line by manager.js.
import * as api from './api.js';
import * as i18n from './i18n.js';
import * as events from './events.js';

i18n.add({
  'mg.ops_link': ['运行管理（预案、演练、突发事件、设施）→', 'Operations (plans, drills, incidents, facilities) →'],
  'mg.ops_overdue': ['{n} 项逾期', '{n} overdue'],
  'mg.ops_active': ['{n} 起事件处置中', '{n} incident(s) open'],
});

let last = null;

function render() {
  const el = document.getElementById('ops-count');
  if (!el || !last) return;
  const parts = [];
  if (last.total) parts.push(i18n.t('mg.ops_overdue', { n: last.total }));
  if (last.active_incidents) parts.push(i18n.t('mg.ops_active', { n: last.active_incidents }));
  el.textContent = parts.length ? parts.join('，') : '';
  el.hidden = !parts.length;
  el.dataset.total = String(last.total);
}

async function refresh() {
  const u = api.user();
  if (!api.token() || !u || (u.role !== 'manager' && u.role !== 'admin')) return;
  try {
    last = await api.get('/ops/overview');
    render();
  } catch {
    /* shown at the next refresh */
  }
}

i18n.onChange(render);
// Start once signed in (manager.js shows the sign-in form until then).
function start() {
  if (!api.token()) {
    setTimeout(start, 1000);
    return;
  }
  refresh();
  events.connect({ onEvent: (type) => (type.startsWith('ops.') ? refresh() : null) });
  setInterval(refresh, 60000); // due days move with the clock
}
start();
