// SPDX-License-Identifier: MIT
// central_hall.js — one hall at head office (/hall?id=…): GET /api/halls/{id}?from=&to= gives
// its services, windows and days over the period; drawn as key figures, a day-by-day chart and
// three tables. data-state="ready" on the body once drawn (tests wait for it).

import * as i18n from './i18n.js';
import { h, t, call, say, boot, replace, table, dayChart, minutes, pct, num, isoDate } from './central_ui.js';

const id = new URLSearchParams(location.search).get('id') || '';
let data = null;

function sum(rows, k) {
  return rows.reduce((a, r) => a + (r[k] || 0), 0);
}

function draw() {
  if (!data) return;
  document.getElementById('hall-name').textContent = data.name || data.hall;
  document.getElementById('sync').textContent = `${t('c.last_sync')}: ${data.last_sync ? i18n.fmtDateTime(data.last_sync) : t('c.never')}`;
  const d = data.days;
  const rated = sum(d, 'rated');
  replace(document.getElementById('kpis'), [
    ['c.tickets', num(sum(d, 'tickets'))],
    ['c.served', num(sum(d, 'served'))],
    ['c.no_show', num(sum(d, 'no_show'))],
    ['c.rated', num(rated)],
    ['c.bad_share', pct(sum(d, 'bad'), rated)],
  ].map(([l, v]) => h('div', { class: 'kpi' }, h('div', { class: 'v', text: v }), h('div', { class: 'l', text: t(l) }))));
  dayChart(document.getElementById('day-chart'), d, 'tickets', 'median_wait_s', (s) => String(Math.ceil(s / 60)));
  table(document.getElementById('t-services'), [
    { label: 'c.service', key: 'service' },
    { label: 'c.tickets', key: 'tickets', num: true },
    { label: 'c.served', key: 'served', num: true },
    { label: 'c.no_show', key: 'no_show', num: true },
    { label: 'c.med_wait', get: (r) => minutes(r.median_wait_s), num: true },
    { label: 'c.p90_wait', get: (r) => minutes(r.p90_wait_s), num: true },
    { label: 'c.med_service', get: (r) => minutes(r.median_service_s), num: true },
  ], data.services);
  table(document.getElementById('t-windows'), [
    { label: 'c.window', key: 'window' },
    { label: 'c.served', key: 'served', num: true },
    { label: 'c.med_service', get: (r) => minutes(r.median_service_s), num: true },
    { label: 'c.mean_service', get: (r) => minutes(r.mean_service_s), num: true },
  ], data.windows);
  table(document.getElementById('t-days'), [
    { label: 'c.day', key: 'day' },
    { label: 'c.tickets', key: 'tickets', num: true },
    { label: 'c.served', key: 'served', num: true },
    { label: 'c.med_wait', get: (r) => minutes(r.median_wait_s), num: true },
    { label: 'c.med_service', get: (r) => minutes(r.median_service_s), num: true },
    { label: 'c.rated', key: 'rated', num: true },
    { label: 'c.mean_level', get: (r) => (r.mean_level == null ? '—' : r.mean_level.toFixed(2)), num: true },
    { label: 'c.bad_share', get: (r) => pct(r.bad, r.rated), num: true },
  ], d);
}

async function load() {
  const f = document.getElementById('p-from').value, to = document.getElementById('p-to').value;
  document.body.dataset.state = 'loading';
  try {
    data = await call('GET', `/api/halls/${encodeURIComponent(id)}?from=${encodeURIComponent(f)}&to=${encodeURIComponent(to)}`);
    say('');
    draw();
  } catch (e) {
    say(e.text());
  }
  document.body.dataset.state = 'ready';
}

boot(async () => {
  const to = new Date();
  const from = new Date(to.getTime() - 29 * 86400000);
  document.getElementById('p-from').value = isoDate(from);
  document.getElementById('p-to').value = isoDate(to);
  document.getElementById('period').addEventListener('submit', (ev) => {
    ev.preventDefault();
    load();
  });
  i18n.onChange(draw);
  await load();
});
