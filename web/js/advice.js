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
  'adv.windows': ['开放窗口（含暂停）', 'Windows open (paused too)'],
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
  'adv.open_these': ['可开：{w}', 'Open: {w}'],
  'adv.free_staff': ['空闲持证人员：{s}', 'free certified staff: {s}'],
  'adv.no_staff': ['无空闲持证人员', 'no free certified staff'],
  'adv.short': ['全部窗口开放仍不足（最多 {m} 个窗口可办理）', 'Short even with every window open (at most {m} can serve it)'],
  'adv.closed': ['未开放窗口：{w}', 'Closed windows: {w}'],
  'adv.all_busy': ['开放窗口均在办理', 'Every open window is busy'],
  'adv.accuracy': ['等候估计准确度（今日已叫号 {n} 张）：平均误差 {m}，±5 分钟内 {p}%', 'Accuracy of the wait estimates ({n} tickets called today): mean error {m}, {p}% within ±5 min'],
  'adv.accuracy_none': ['等候估计准确度：今日尚无足够数据', 'Accuracy of the wait estimates: not enough data today yet'],
  'adv.accuracy_svc': ['{s}：平均误差 {m}，±5 分钟内 {p}%（{n} 张）', '{s}: mean error {m}, {p}% within ±5 min ({n})'],
});

// The advice of one service in the page's language (the server writes both).
export function adviceText(s) {
  if (!s) return '';
  const zh = s.advice || '';
  const en = s.advice_en || '';
  return (i18n.lang() === 'en' ? en || zh : zh || en) || '';
}

const svcLabel = (s) => `${s.code} ${i18n.nameOf(s)}`;
const winLabel = (w) => (typeof w === 'number' ? i18n.t('window.n', { n: w }) : i18n.lang() === 'en' || !w.name ? i18n.t('window.n', { n: w.number }) : w.name);
const join = (xs) => xs.join(i18n.lang() === 'en' ? ', ' : '、');

// What the manager can do about a crowded service: the closed windows to open and the free
// certified staff to open them (open_candidates), or that even every window would not do.
function actionText(s) {
  const parts = [];
  const c = Array.isArray(s.open_candidates) ? s.open_candidates : [];
  if (s.extra_windows > 0 && c.length) {
    parts.push(i18n.t('adv.open_these', { w: join(c.map(winLabel)) }));
    const staff = [...new Map(c.flatMap((w) => w.staff || []).map((p) => [p.username, p.name || p.username])).values()];
    parts.push(staff.length ? i18n.t('adv.free_staff', { s: join(staff) }) : i18n.t('adv.no_staff'));
  }
  // The server's advice text says it already when it gives one.
  if (s.capacity_short && !adviceText(s)) parts.push(i18n.t('adv.short', { m: s.max_windows ?? '?' }));
  return parts.join('；');
}

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

// The manager's table (tbody) and the idle-window line (p). windows (optional): GET /windows, for
// the closed ones when the server does not list them (closed_windows).
export function renderTable(tbody, idleEl, updatedEl, data, windows) {
  if (!data) return;
  const target = data.target_wait_s;
  const rows = (data.services || []).map((s) =>
    h('tr', { dataset: { code: s.code, status: s.status } },
      h('td', null, svcLabel(s)),
      h('td', { class: 'num' }, String(s.waiting ?? 0)),
      h('td', { class: 'num' }, String(s.windows ?? 0)),
      h('td', { class: s.predicted_wait_s > target ? 'num wait over' : 'num wait', dataset: { wait: String(s.predicted_wait_s ?? '') } },
        `${s.serving_windows === 0 && !s.waiting ? '—' : i18n.fmtWait(s.predicted_wait_s, s)} / ${i18n.fmtDuration(target)}`),
      h('td', { class: 'num' }, s.arrivals_per_hour == null ? '—' : String(s.arrivals_per_hour)),
      h('td', { class: s.windows_needed > s.windows ? 'num over' : 'num' }, String(s.windows_needed ?? 0)),
      h('td', null, h('span', { class: `badge adv-${s.status}` }, i18n.t('adv.st.' + s.status))),
      h('td', { class: s.status === 'crowded' ? 'advice over' : 'advice' }, h('span', { class: 'adv-text' }, adviceText(s) || '—'),
        actionText(s) ? h('div', { class: 'adv-action' }, actionText(s)) : null)),
  );
  replace(tbody, ...rows);
  const idle = data.idle_windows || [];
  const closed = Array.isArray(data.closed_windows) ? data.closed_windows : (windows || []).filter((w) => w.state === 'closed');
  // Never "no idle windows" while windows stand closed: say which are closed.
  const parts = [];
  if (idle.length) parts.push(i18n.t('adv.idle', { w: join(idle.map(winLabel)) }));
  else if (closed.length) parts.push(i18n.t('adv.all_busy'));
  if (closed.length) parts.push(i18n.t('adv.closed', { w: join(closed.map(winLabel)) }));
  if (idleEl) idleEl.textContent = parts.length ? parts.join('；') : i18n.t('adv.no_idle');
  if (updatedEl) updatedEl.textContent = i18n.t('adv.updated', { t: new Date().toLocaleTimeString(i18n.lang() === 'en' ? 'en-GB' : 'zh-CN', { hour: '2-digit', minute: '2-digit', second: '2-digit' }) });
}

// The measured accuracy of the estimates (estimate_accuracy of GET /advice), overall and by service.
export function renderAccuracy(el, data, svcName = (c) => c) {
  if (!el) return;
  const a = data?.estimate_accuracy;
  if (!a) {
    el.hidden = true;
    return;
  }
  el.hidden = false;
  const pct = (x) => (x == null ? '—' : String(Math.round(x * 1000) / 10));
  const line = a.n > 0 && a.mae_s != null ? i18n.t('adv.accuracy', { n: a.n, m: i18n.fmtDuration(a.mae_s), p: pct(a.within_5min_share) }) : i18n.t('adv.accuracy_none');
  replace(el, h('p', null, line), ...(a.services || []).filter((s) => s.n > 0).map((s) =>
    h('p', { class: 'sub', dataset: { code: s.code } }, i18n.t('adv.accuracy_svc', { s: svcName(s.code), m: i18n.fmtDuration(s.mae_s), p: pct(s.within_5min_share), n: s.n }))));
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
