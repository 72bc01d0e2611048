// SPDX-License-Identifier: MIT
// advice.js — the live crowding advice (GET /api/v1/advice, guide/manager/admin) shared by the
// manager page (the whole table: per service waiting, open windows, predicted wait against the
// target, arrivals per hour, windows needed, status and the advice text; idle windows) and the
// guide page (the advice of crowded services next to the crowding alerts). Re-read on each
// alert.crowding event (the caller says so), on reconnect and every 30 s. Text only.

import * as api from './api.js';
import * as i18n from './i18n.js';
import { h, replace } from './ui.js';

i18n.add({
  'adv.title': ['拥挤预警与调度建议', 'Crowding advice'],
  'adv.service': ['业务', 'Service'],
  'adv.waiting': ['等候', 'Waiting'],
  'adv.windows': ['开放窗口', 'Windows open'],
  'adv.predicted': ['预计等候 / 目标', 'Predicted wait / target'],
  'adv.arrivals': ['到达（人/小时）', 'Arrivals per hour'],
  'adv.needed': ['需要窗口', 'Windows needed'],
  'adv.status': ['状态', 'Status'],
  'adv.advice': ['建议', 'Advice'],
  'adv.st.ok': ['正常', 'OK'],
  'adv.st.crowded': ['拥挤', 'Crowded'],
  'adv.st.idle': ['空闲', 'Idle'],
  'adv.idle': ['空闲窗口（开放但无人可叫）：{w}', 'Idle windows (open, nobody to call): {w}'],
  'adv.no_idle': ['无空闲窗口', 'No idle windows'],
  'adv.updated': ['更新于 {t}', 'Updated {t}'],
  'adv.extra': ['建议增开 {x} 个窗口', 'Open {x} more window(s)'],
  'adv.none_crowded': ['目前没有拥挤的业务', 'No service is crowded now'],
});

// The advice of one service in the page's language (the server writes both).
export function adviceText(s) {
  if (!s) return '';
  const zh = s.advice || '';
  const en = s.advice_en || '';
  return (i18n.lang() === 'en' ? en || zh : zh || en) || '';
}

const svcLabel = (s) => `${s.code} ${i18n.nameOf(s)}`;
const winLabel = (w) => (i18n.lang() === 'en' || !w.name ? i18n.t('window.n', { n: w.number }) : w.name);

// Poll /advice: calls onData(data) after each successful read, onError(e) after a failed one.
// Returns {refresh(), data()}; refresh() coalesces calls made while a read is in flight.
export function follow({ onData, onError, everyMs = 30000 } = {}) {
  let last = null;
  let inflight = null;
  let again = false;
  const refresh = async () => {
    if (inflight) {
      again = true;
      return inflight;
    }
    inflight = (async () => {
      do {
        again = false;
        try {
          last = await api.get('/advice');
          onData?.(last);
        } catch (e) {
          onError?.(e);
        }
      } while (again);
    })();
    try {
      await inflight;
    } finally {
      inflight = null;
    }
  };
  setInterval(refresh, everyMs);
  refresh();
  return { refresh, data: () => last };
}

// The manager's table (tbody) and the idle-window line (p).
export function renderTable(tbody, idleEl, updatedEl, data) {
  if (!data) return;
  const target = data.target_wait_s;
  const rows = (data.services || []).map((s) =>
    h('tr', { dataset: { code: s.code, status: s.status } },
      h('td', null, svcLabel(s)),
      h('td', { class: 'num' }, String(s.waiting ?? 0)),
      h('td', { class: 'num' }, String(s.windows ?? 0)),
      h('td', { class: s.predicted_wait_s > target ? 'num over' : 'num' },
        `${i18n.fmtDuration(s.predicted_wait_s)} / ${i18n.fmtDuration(target)}`),
      h('td', { class: 'num' }, s.arrivals_per_hour == null ? '—' : String(s.arrivals_per_hour)),
      h('td', { class: s.windows_needed > s.windows ? 'num over' : 'num' }, String(s.windows_needed ?? 0)),
      h('td', null, h('span', { class: `badge adv-${s.status}` }, i18n.t('adv.st.' + s.status))),
      h('td', { class: s.status === 'crowded' ? 'advice over' : 'advice' }, adviceText(s) || '—')),
  );
  replace(tbody, ...rows);
  const idle = data.idle_windows || [];
  if (idleEl) idleEl.textContent = idle.length ? i18n.t('adv.idle', { w: idle.map(winLabel).join(i18n.lang() === 'en' ? ', ' : '、') }) : i18n.t('adv.no_idle');
  if (updatedEl) updatedEl.textContent = i18n.t('adv.updated', { t: new Date().toLocaleTimeString(i18n.lang() === 'en' ? 'en-GB' : 'zh-CN', { hour: '2-digit', minute: '2-digit', second: '2-digit' }) });
}

// The guide's list: one item per crowded service, with its advice. Returns how many.
export function renderCrowded(ul, data) {
  if (!data) return 0;
  const crowded = (data.services || []).filter((s) => s.status === 'crowded');
  replace(ul, ...crowded.map((s) =>
    h('li', { dataset: { code: s.code } },
      adviceText(s) || `${svcLabel(s)} · ${i18n.t('adv.extra', { x: s.extra_windows })}`)));
  return crowded.length;
}
