// SPDX-License-Identifier: MIT
// manager.js — the duty manager's live hall. Windows (GET /windows), queues with the longest wait
// so far and the predicted wait of the last in line against the hall's target (GET /tickets?
// status=waiting, GET /hall), crowding alerts (alert.crowding) and the live advice (GET /advice,
// re-read on each alert and every 30 s), the emergency controls of clause 5.5 (POST
// /hall/emergency: suspend ticketing with a public reason, resume, carry the queue over; each
// confirmed first, the state from GET /hall), notices (POST/DELETE /notices), recent evaluations
// (GET /evaluations). Re-read on live events, debounced.

import * as api from './api.js';
import * as i18n from './i18n.js';
import * as events from './events.js';
import * as advice from './advice.js';
import './ops_badge.js'; // the overdue count of the operations records
import { h, $, replace, boot, showMsg, errText, requireLogin, mountUserBar, liveBadge, winName } from './ui.js';

i18n.add({
  'mg.title': ['值班长', 'Duty manager'],
  'skip': ['跳到主要内容', 'Skip to main content'],
  'service': ['业务', 'Service'],
  'gd.alerts': ['拥挤提醒', 'Crowding alerts'],
  'gd.waiting': ['等候', 'Waiting'],
  'gd.window': ['窗口', 'Window'],
  'gd.number': ['号码', 'Number'],
  'gd.extra': ['建议增开 {x} 个窗口', 'open {x} more window(s)'],
  'gd.alert_text': ['{s}：等候 {n} 人，预计 {w}', '{s}: {n} waiting, about {w}'],
  'mg.queues': ['排队情况', 'Queues'],
  'mg.longest': ['最长已等', 'Longest so far'],
  'mg.predicted': ['末位预计', 'Predicted (last)'],
  'mg.target': ['等候目标：{t}', 'Waiting target: {t}'],
  'mg.windows': ['窗口', 'Windows'],
  'mg.state': ['状态', 'State'],
  'mg.clerk': ['人员', 'Clerk'],
  'mg.current': ['当前', 'Current'],
  'mg.notices': ['公告（显示屏与排队页面）', 'Notices (displays and tracking pages)'],
  'mg.text_zh': ['中文内容', 'Chinese text'],
  'mg.text_en': ['英文内容', 'English text'],
  'mg.post': ['发布', 'Post'],
  'mg.remove': ['撤下', 'Remove'],
  'mg.posted': ['已发布', 'Posted'],
  'mg.no_notices': ['暂无公告', 'No notices'],
  'mg.evaluations': ['最近评价', 'Recent evaluations'],
  'mg.time': ['时间', 'Time'],
  'mg.level': ['评价', 'Rating'],
  'mg.reasons': ['原因与意见', 'Reasons and comment'],
  'mg.no_evals': ['暂无评价', 'No evaluations yet'],
  'mg.sat': ['今日满意率（满意、非常满意）{p}%（n = {n}）', 'Satisfied today (levels 4–5) {p}% (n = {n})'],
  'mg.new_wait': ['新取号预计', 'A new ticket waits'],
  'reason.long_wait': ['等候时间长', 'Long wait'],
  'reason.attitude': ['态度不好', 'Attitude'],
  'reason.not_competent': ['业务不熟', 'Not competent'],
  'reason.complicated': ['流程繁琐', 'Complicated procedure'],
  'reason.other': ['其他', 'Other'],
  'mg.plan_link': ['窗口计划（按日预测所需窗口）→', 'Window plan (windows needed, by forecast) →'],
  'mg.stats_link': ['统计报表（统计、考核、下载）→', 'Statistics (figures, scorecards, downloads) →'],
  'mg.complaints_link': ['投诉处理与改进 →', 'Complaint handling and improvements →'],
  'mg.surveys_link': ['满意度问卷 →', 'Satisfaction surveys →'],
  'em.title': ['应急处置（暂停取号）', 'Emergency: suspend ticketing'],
  'em.normal': ['取号正常', 'Ticketing is normal'],
  'em.suspended': ['已暂停取号：{r}', 'Ticketing suspended: {r}'],
  'em.carry_on': ['排队顺延：开启（未办完的号顺延到下一个营业时段）', 'Carry-over: on (tickets still waiting keep their place at the next opening)'],
  'em.carry_off': ['排队顺延：关闭（闭厅时未办完的号作过期处理）', 'Carry-over: off (tickets still waiting at closing expire)'],
  'em.carry_enable': ['开启排队顺延', 'Turn carry-over on'],
  'em.carry_disable': ['关闭排队顺延', 'Turn carry-over off'],
  'em.reason': ['暂停原因（向公众显示）', 'Reason (shown to the public)'],
  'em.reason_ph': ['例如：系统故障，暂停取号', 'e.g. system failure, ticketing suspended'],
  'em.reason_needed': ['请填写暂停原因，它将显示给公众', 'Please give the reason: it is shown to the public'],
  'em.suspend': ['暂停取号', 'Suspend ticketing'],
  'em.resume': ['恢复取号', 'Resume ticketing'],
  'em.yes': ['确认', 'Confirm'],
  'em.confirm_suspend': ['确认暂停全厅取号？取号机和网上取号将拒绝出号，并显示原因：“{r}”', 'Suspend ticketing in the whole hall? Kiosks and the web will refuse tickets and show the reason: "{r}"'],
  'em.confirm_resume': ['确认恢复取号？', 'Resume ticketing?'],
  'em.confirm_carry_on': ['确认开启排队顺延？闭厅时仍在等候的号将保留到下一个营业时段。', 'Turn carry-over on? Tickets still waiting at closing keep their place at the next opening.'],
  'em.confirm_carry_off': ['确认关闭排队顺延？闭厅时仍在等候的号将过期。', 'Turn carry-over off? Tickets still waiting at closing will expire.'],
  'em.done_suspend': ['已暂停取号', 'Ticketing suspended'],
  'em.done_resume': ['已恢复取号', 'Ticketing resumed'],
  'em.done_carry': ['已保存', 'Saved'],
});

const MAX_ALERTS = 20;
let services = new Map();
let staffNames = new Map();
let target = 900;
let alerts = [];
let hallState = null; // GET /hall: suspended, suspend_reason, carry_over
let adv = null;

const svcName = (code) => {
  const s = services.get(code);
  return s ? `${code} ${i18n.nameOf(s)}` : code;
};

async function loadHall() {
  try {
    const [hall, list] = await Promise.all([api.get('/hall', { auth: false }), api.get('/services', { auth: false })]);
    target = hall.target_wait_s || 900;
    hallState = hall;
    $('#hall-name').textContent = i18n.nameOf(hall);
    renderEmergency();
    services = new Map((Array.isArray(list) ? list : []).map((s) => [s.code, s]));
  } catch (e) {
    showMsg($('#msg'), errText(e));
  }
  try {
    const staff = await api.get('/staff');
    staffNames = new Map((Array.isArray(staff) ? staff : []).map((u) => [u.username, u.name]));
  } catch (e) {
    showMsg($('#msg'), errText(e));
  }
  $('#target').textContent = i18n.t('mg.target', { t: i18n.fmtDuration(target) });
}

async function loadQueues() {
  try {
    const list = await api.get('/tickets?status=waiting');
    const now = Date.now();
    // Every wait shown is the API's: the last in line's own estimate (its ticket), and a new
    // ticket's (GET /services estimated_wait_s, when the server gives it).
    const svcs = await api.get('/services', { auth: false }).catch(() => []);
    const svcNow = new Map((Array.isArray(svcs) ? svcs : []).map((s) => [s.code, s]));
    // An older server gives no per-service estimate: then the column is left out.
    const hasNew = [...svcNow.values()].some((s) => s.estimated_wait_s != null);
    $('#q-new-h').hidden = !hasNew;
    const by = new Map([...services.keys()].map((c) => [c, { n: 0, longest: 0, last: null }]));
    for (const t of Array.isArray(list) ? list : []) {
      const q = by.get(t.service) || { n: 0, longest: 0, last: null };
      q.n += 1;
      const since = t.queued_at || t.issued_at;
      if (since) q.longest = Math.max(q.longest, (now - new Date(since).getTime()) / 1000);
      if (!q.last || (t.position ?? 0) > (q.last.position ?? 0)) q.last = t;
      by.set(t.service, q);
    }
    replace(
      $('#queues'),
      ...[...by.entries()].map(([code, q]) => {
        const over = (s) => (s > target ? 'num over' : 'num');
        const s = svcNow.get(code);
        const last = q.last;
        return h('tr', { dataset: { code } },
          h('td', null, svcName(code)), h('td', { class: 'num' }, String(q.n)),
          h('td', { class: over(q.longest) }, q.n ? i18n.fmtDuration(q.longest) : '—'),
          h('td', { class: over(last?.estimated_wait_s), dataset: { wait: String(last?.estimated_wait_s ?? ''), number: last?.number || '' } }, last ? `${i18n.fmtWait(last.estimated_wait_s, last)} (${last.number})` : '—'),
          hasNew ? h('td', { class: over(s?.estimated_wait_s), dataset: { wait: String(s?.estimated_wait_s ?? '') } }, s && s.estimated_wait_s != null ? i18n.fmtWait(s.estimated_wait_s, s) : '—') : null);
      }),
    );
  } catch (e) {
    showMsg($('#msg'), errText(e));
  }
}

let windowsNow = [];
async function loadWindows() {
  try {
    const list = await api.get('/windows');
    windowsNow = Array.isArray(list) ? list : [];
    if (adv?.data()) renderAdvice();
    replace(
      $('#windows'),
      ...(Array.isArray(list) ? list : []).map((w) =>
        h('tr', { dataset: { window: w.number } },
          h('td', null, winName(w)),
          h('td', null, h('span', { class: `badge ${w.state}` }, i18n.t('win.' + w.state)), w.state === 'paused' && w.pause_reason ? ` ${w.pause_reason}` : ''),
          h('td', null, w.clerk_name || w.clerk || '—'),
          h('td', null, w.current ? `${w.current.number} (${i18n.t('status.' + w.current.status)})` : '—')),
      ),
    );
  } catch (e) {
    showMsg($('#msg'), errText(e));
  }
}

async function loadNotices() {
  try {
    const snap = await api.get('/display', { auth: false });
    const list = snap.notices || [];
    replace(
      $('#notices'),
      ...(list.length
        ? list.map((n) =>
            h('li', { dataset: { id: n.id }, class: 'notice-row' },
              h('span', null, n.text || '', n.text_en ? h('span', { class: 'en', lang: 'en' }, n.text_en) : null),
              n.id ? h('button', { class: 'btn small danger', type: 'button', onclick: () => removeNotice(n.id) }, i18n.t('mg.remove')) : null),
          )
        : [h('li', null, i18n.t('mg.no_notices'))]),
    );
  } catch {
    /* retried on the next event */
  }
}

async function removeNotice(id) {
  try {
    await api.del(`/notices/${api.seg(id)}`);
    loadNotices();
  } catch (e) {
    showMsg($('#n-msg'), errText(e));
  }
}

async function loadEvaluations() {
  try {
    const list = await api.get('/evaluations?limit=200');
    const rows = (Array.isArray(list) ? list : []).slice().sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));
    loadSatisfaction(rows);
    replace(
      $('#evaluations'),
      ...(rows.length
        ? rows.slice(0, 20).map((e) =>
            h('tr', { dataset: { number: e.number, level: e.level } },
              h('td', null, i18n.fmtDateTime(e.created_at)), h('td', null, e.number || '—'), h('td', null, e.window ?? '—'), h('td', null, staffNames.get(e.clerk) || e.clerk || '—'),
              h('td', { class: e.level <= 2 ? 'over' : '' }, `${e.level} ${i18n.t('level.' + e.level)}`),
              h('td', null, [...(e.reasons || []).map(reasonText), e.comment].filter(Boolean).join(i18n.lang() === 'en' ? '; ' : '；'))),
          )
        : [h('tr', null, h('td', { colspan: 6 }, i18n.t('mg.no_evals')))]),
    );
  } catch (e) {
    showMsg($('#msg'), errText(e));
  }
}

// Reasons are stored in Chinese (the pad's and the tracking page's words); shown in the page's language.
const REASON_KEYS = ['long_wait', 'attitude', 'not_competent', 'complicated', 'other'];
function reasonText(r) {
  const k = REASON_KEYS.find((k) => i18n.inLang('reason.' + k, 'zh') === r || i18n.inLang('reason.' + k, 'en') === r);
  return k ? i18n.t('reason.' + k) : r;
}

// 满意率 has one definition everywhere: levels 4–5 over all evaluations, with its n. Today's, from
// GET /stats (the statistics page's figure); else counted from today's evaluations the same way.
async function loadSatisfaction(rows) {
  let n = null;
  let good = null;
  try {
    const d = new Date();
    const day = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    const st = await api.get(`/stats?from=${day}&to=${day}`);
    const sat = st?.total?.satisfaction;
    if (sat && Number.isFinite(sat.n) && Number.isFinite(sat.satisfied)) (n = sat.n), (good = sat.satisfied);
  } catch {
    /* an older server: count below */
  }
  if (n == null) {
    const today = new Date().toDateString();
    const todays = rows.filter((e) => new Date(e.created_at).toDateString() === today);
    n = todays.length;
    good = todays.filter((e) => e.level >= 4).length;
  }
  const el = $('#sat');
  el.textContent = n ? i18n.t('mg.sat', { p: (Math.round((1000 * good) / n) / 10).toFixed(1), n }) : '';
  el.dataset.n = String(n);
  el.dataset.satisfied = String(good);
}

// ---- emergency (clause 5.5) ----
function renderEmergency() {
  if (!hallState) return;
  const susp = !!hallState.suspended;
  const st = $('#em-state');
  st.textContent = susp ? i18n.t('em.suspended', { r: hallState.suspend_reason || '—' }) : i18n.t('em.normal');
  st.className = susp ? 'em-state over' : 'em-state';
  $('#emergency').dataset.suspended = susp ? '1' : '0';
  $('#emergency').dataset.carry = hallState.carry_over ? '1' : '0';
  $('#em-carry-state').textContent = i18n.t(hallState.carry_over ? 'em.carry_on' : 'em.carry_off');
  $('#em-suspend-box').hidden = susp;
  $('#em-resume').hidden = !susp;
  $('#em-carry').textContent = i18n.t(hallState.carry_over ? 'em.carry_disable' : 'em.carry_enable');
}

async function loadHallState() {
  try {
    hallState = await api.get('/hall', { auth: false });
    renderEmergency();
  } catch (e) {
    showMsg($('#em-msg'), errText(e));
  }
}

let pendingAction = null;
function confirmThen(text, action) {
  pendingAction = action;
  $('#em-confirm-text').textContent = text;
  $('#em-confirm').hidden = false;
  $('#em-no').focus();
}
function closeConfirm() {
  pendingAction = null;
  $('#em-confirm').hidden = true;
}

async function emergency(body, doneKey) {
  try {
    const r = await api.post('/hall/emergency', body);
    if (r && typeof r === 'object') hallState = r;
    renderEmergency();
    showMsg($('#em-msg'), i18n.t(doneKey), 'ok');
  } catch (e) {
    showMsg($('#em-msg'), errText(e));
    loadHallState();
  }
}

function onSuspend() {
  showMsg($('#em-msg'), '');
  const reason = $('#em-reason').value.trim();
  if (!reason) {
    showMsg($('#em-msg'), i18n.t('em.reason_needed'));
    $('#em-reason').focus();
    return;
  }
  confirmThen(i18n.t('em.confirm_suspend', { r: reason }), async () => {
    await emergency({ suspended: true, suspend_reason: reason }, 'em.done_suspend');
    if (hallState?.suspended) $('#em-reason').value = '';
  });
}

function onResume() {
  showMsg($('#em-msg'), '');
  confirmThen(i18n.t('em.confirm_resume'), () => emergency({ suspended: false }, 'em.done_resume'));
}

function onCarry() {
  showMsg($('#em-msg'), '');
  const on = !hallState?.carry_over;
  confirmThen(i18n.t(on ? 'em.confirm_carry_on' : 'em.confirm_carry_off'), () => emergency({ carry_over: on }, 'em.done_carry'));
}

// ---- live advice ----
function renderAdvice() {
  advice.renderTable($('#advice-rows'), $('#idle-windows'), $('#adv-updated'), adv?.data(), windowsNow);
  advice.renderAccuracy($('#accuracy'), adv?.data(), svcName);
}

function addAlert(d) {
  let text = d?.message || i18n.t('gd.alert_text', { s: svcName(d?.service || ''), n: d?.waiting ?? '?', w: i18n.fmtWait(d?.predicted_wait_s ?? d?.estimated_wait_s) });
  if (d?.extra_windows > 0) text += ` · ${i18n.t('gd.extra', { x: d.extra_windows })}`;
  alerts.unshift(`${new Date().toLocaleTimeString(i18n.lang() === 'en' ? 'en-GB' : 'zh-CN', { hour: '2-digit', minute: '2-digit' })} ${text}`);
  if (alerts.length > MAX_ALERTS) alerts.length = MAX_ALERTS;
  replace($('#alerts'), ...alerts.map((a) => h('li', null, a)));
  $('#alerts-box').hidden = false;
}

const all = () => {
  loadQueues();
  loadWindows();
  loadNotices();
  loadEvaluations();
};

async function ready(u) {
  mountUserBar($('#userbar'), u);
  $('#live').hidden = false;
  await loadHall();
  all();
  adv = advice.follow({
    onData: () => {
      showMsg($('#adv-msg'), '');
      renderAdvice();
    },
    onError: (e) => showMsg($('#adv-msg'), errText(e)),
  });
  const pending = new Set();
  let t = null;
  const soon = (fn) => {
    pending.add(fn);
    clearTimeout(t);
    t = setTimeout(() => {
      for (const f of pending) f();
      pending.clear();
    }, 400);
  };
  events.connect({
    onState: liveBadge($('#live')),
    onReconnect: () => {
      all();
      loadHallState();
      adv.refresh();
    },
    onEvent: (type, d) => {
      if (type === 'alert.crowding') {
        addAlert(d);
        adv.refresh();
      }
      if (type === 'hall.suspended' || type === 'hall.resumed') soon(loadHallState);
      if (type.startsWith('ticket.')) soon(loadQueues);
      if (type.startsWith('window.') || type.startsWith('ticket.')) soon(loadWindows);
      if (type.startsWith('notice.')) soon(loadNotices);
      if (type === 'evaluation.recorded') soon(loadEvaluations);
    },
  });
  // Waits grow with time even without events.
  setInterval(loadQueues, 30000);
}

boot();
// The hall's name before sign-in too (GET /hall is public).
api.get('/hall', { auth: false }).then((hall) => {
  $('#hall-name').textContent = i18n.nameOf(hall);
  if (!hallState) {
    hallState = hall;
    renderEmergency();
  }
}).catch(() => {});
$('#em-suspend').addEventListener('click', onSuspend);
$('#em-resume').addEventListener('click', onResume);
$('#em-carry').addEventListener('click', onCarry);
$('#em-no').addEventListener('click', closeConfirm);
$('#em-yes').addEventListener('click', async () => {
  const act = pendingAction;
  closeConfirm();
  if (act) await act();
});
$('#adv-refresh').addEventListener('click', () => adv?.refresh());
$('#notice-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const text = $('#n-text').value.trim();
  if (!text) return;
  try {
    await api.post('/notices', { text, text_en: $('#n-text-en').value.trim() });
    $('#n-text').value = '';
    $('#n-text-en').value = '';
    showMsg($('#n-msg'), i18n.t('mg.posted'), 'ok');
    loadNotices();
  } catch (err) {
    showMsg($('#n-msg'), errText(err));
  }
});
i18n.onChange(() => {
  if (hallState) $('#hall-name').textContent = i18n.nameOf(hallState);
  $('#target').textContent = i18n.t('mg.target', { t: i18n.fmtDuration(target) });
  renderEmergency();
  renderAdvice();
  all();
});
requireLogin({ roles: ['manager', 'admin'], onReady: ready });
