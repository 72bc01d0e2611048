// SPDX-License-Identifier: MIT
// central.js — head office's overview page: GET /api/overview (today, every hall side by side,
// refreshed every 30 s), GET /api/stats?from=&to=&target_min= (a period per hall and in total,
// with what the events show of compliance). Each hall's name links to /hall?id=….
// The page sets data-state="ready" once both sections are drawn (tests wait for it).

import * as i18n from './i18n.js';
import { h, t, call, say, boot, replace, table, hbars, minutes, pct, ago, num, isoDate } from './central_ui.js';

let today = null;
let period = null;


function hallLink(r) {
  return h('a', { href: `/hall?id=${encodeURIComponent(r.hall)}`, text: r.name || r.hall });
}

function kpis(el, items) {
  replace(el, items.map(([label, value, alarm]) => h('div', { class: alarm ? 'kpi alarm' : 'kpi' }, h('div', { class: 'v', text: value }), h('div', { class: 'l', text: t(label) }))));
}

function drawToday() {
  if (!today) return;
  const tot = today.totals;
  document.getElementById('today-sub').textContent = `${t('c.today_sub', { d: today.today, tz: today.tz })}${t('c.silent_rule', { m: Math.round(today.silent_after_s / 60) })}`;
  kpis(document.getElementById('today-kpis'), [
    ['c.halls', num(tot.halls)],
    ['c.tickets', num(tot.tickets)],
    ['c.served', num(tot.served)],
    ['c.waiting', num(tot.waiting)],
    ['c.med_wait', minutes(tot.median_wait_s)],
    ['c.windows_open', num(tot.windows_open)],
    ['c.bad_share', pct(tot.bad, tot.rated)],
    ['c.silent', num(tot.silent), tot.silent > 0],
  ]);
  table(document.getElementById('t-today'), [
    { label: 'c.hall', get: (r, total) => (total ? t('c.total') : hallLink(r)) },
    { label: 'c.tickets', key: 'tickets', num: true },
    { label: 'c.served', key: 'served', num: true },
    { label: 'c.waiting', key: 'waiting', num: true },
    { label: 'c.med_wait', get: (r) => minutes(r.median_wait_s), num: true },
    { label: 'c.med_service', get: (r) => minutes(r.median_service_s), num: true },
    { label: 'c.windows_open', key: 'windows_open', num: true },
    { label: 'c.bad_share', get: (r) => pct(r.bad, r.rated), num: true },
    { label: 'c.last_sync', get: (r, total) => (total ? '' : r.last_sync ? i18n.fmtDateTime(r.last_sync) : t('c.never')) },
    { label: 'c.lag', get: (r, total) => (total ? '' : t('c.lag_val', { e: num(r.lag_events), s: ago(r.lag_s) })) },
    { label: 'c.state', get: (r, total) => (total ? `${t('c.silent')} ${tot.silent}` : r.silent ? t('c.silent') : t('c.ok')), cls: (r) => (r.hall ? (r.silent ? 'silent' : 'fine') : '') },
  ], today.halls, tot);
  hbars(document.getElementById('today-chart'), today.halls.map((r) => ({ label: r.name || r.hall, values: { tickets: r.tickets, waiting: r.waiting } })),
    [{ key: 'tickets', cls: 'a' }, { key: 'waiting', cls: 'b' }], (v) => num(v));
}

function drawPeriod() {
  if (!period) return;
  const tot = period.totals;
  kpis(document.getElementById('period-kpis'), [
    ['c.tickets', num(tot.tickets)],
    ['c.served', num(tot.served)],
    ['c.med_wait', minutes(tot.median_wait_s)],
    ['c.p90_wait', minutes(tot.p90_wait_s)],
    ['c.med_service', minutes(tot.median_service_s)],
    ['c.satisfied', pct(tot.good, tot.rated)],
    ['c.within', pct(tot.within_target, tot.waited)],
  ]);
  const name = (r, total) => (total ? t('c.total') : hallLink(r));
  table(document.getElementById('t-period'), [
    { label: 'c.hall', get: name },
    { label: 'c.tickets', key: 'tickets', num: true },
    { label: 'c.served', key: 'served', num: true },
    { label: 'c.no_show', key: 'no_show', num: true },
    { label: 'c.med_wait', get: (r) => minutes(r.median_wait_s), num: true },
    { label: 'c.mean_wait', get: (r) => minutes(r.mean_wait_s), num: true },
    { label: 'c.p90_wait', get: (r) => minutes(r.p90_wait_s), num: true },
    { label: 'c.med_service', get: (r) => minutes(r.median_service_s), num: true },
    { label: 'c.rated', key: 'rated', num: true },
    { label: 'c.satisfied', get: (r) => pct(r.good, r.rated), num: true },
    { label: 'c.mean_level', get: (r) => (r.mean_level == null ? '—' : r.mean_level.toFixed(2)), num: true },
  ], period.halls, tot);
  const mins = (s) => (s == null ? 0 : Math.ceil(s / 60));
  hbars(document.getElementById('period-chart'), period.halls.map((r) => ({ label: r.name || r.hall, values: { w: mins(r.median_wait_s), s: mins(r.median_service_s) } })),
    [{ key: 'w', cls: 'a' }, { key: 's', cls: 'b' }], (v) => (i18n.lang() === 'en' ? `${v} min` : `${v} 分`));
  table(document.getElementById('t-compliance'), [
    { label: 'c.hall', get: name },
    { label: 'c.within', get: (r) => pct(r.within_target, r.waited), num: true },
    { label: 'c.no_show_share', get: (r) => pct(r.no_show, r.tickets), num: true },
    { label: 'c.bad_share', get: (r) => pct(r.bad, r.rated), num: true },
    { label: 'c.cases', key: 'cases_opened', num: true },
    { label: 'c.overdue', key: 'cases_overdue', num: true },
    { label: 'c.complaints', key: 'complaints', num: true },
    { label: 'c.help', key: 'help_requests', num: true },
    { label: 'c.incidents', key: 'incidents', num: true },
    { label: 'c.suspensions', key: 'suspensions', num: true },
  ], period.halls, tot);
}

async function loadToday() {
  try {
    today = await call('GET', '/api/overview');
    drawToday();
  } catch (e) {
    say(e.text());
  }
}

async function loadPeriod() {
  const f = document.getElementById('p-from').value, to = document.getElementById('p-to').value;
  const target = document.getElementById('p-target').value;
  // A long period over many halls takes seconds: say so, with the seconds counted, and keep the
  // button from sending it twice.
  const btn = document.querySelector('#period button[type=submit]');
  const tbl = document.getElementById('t-period');
  const started = Date.now();
  const tick = () => say(`${t('c.loading')} ${Math.round((Date.now() - started) / 1000)} s`, 'info');
  const timer = setInterval(tick, 1000);
  tick();
  btn.disabled = true;
  tbl.setAttribute('aria-busy', 'true');
  try {
    period = await call('GET', `/api/stats?from=${encodeURIComponent(f)}&to=${encodeURIComponent(to)}&target_min=${encodeURIComponent(target)}`);
    say('');
    drawPeriod();
  } catch (e) {
    say(e.text());
    const field = e.field && { from: 'p-from', to: 'p-to', target_min: 'p-target' }[e.field];
    if (field) document.getElementById(field).focus();
  } finally {
    clearInterval(timer);
    btn.disabled = false;
    tbl.removeAttribute('aria-busy');
  }
}

boot(async () => {
  const to = new Date();
  const from = new Date(to.getTime() - 29 * 86400000);
  document.getElementById('p-from').value = isoDate(from);
  document.getElementById('p-to').value = isoDate(to);
  document.getElementById('period').addEventListener('submit', (ev) => {
    ev.preventDefault();
    document.body.dataset.state = 'loading';
    loadPeriod().then(() => (document.body.dataset.state = 'ready'));
  });
  i18n.onChange(() => {
    drawToday();
    drawPeriod();
  });
  await Promise.all([loadToday(), loadPeriod()]);
  document.body.dataset.state = 'ready';
  setInterval(loadToday, 30000);
});
