// SPDX-License-Identifier: MIT
// compliance.js — the compliance page (docs/COMPLIANCE.md). GET /compliance?from&to gives one row per
// clause of DB13/T 1760-2013 with its verdict (coloured), figures and evidence (expandable, each a
// link to the page that opens the record: complaints by tracking code, a ticket's day in the
// statistics, staff in the training list below, events in the audit log below). The PDF is fetched
// with the session token and saved from a Blob; a progress line shows while the report computes.
// Below: certifications expiring (refreshed on the alert.certification event), training records
// (add, delete), a staff member's post and satisfaction target, and the audit log (filters, pages,
// CSV). Text is set with textContent only (ui.js h()).

import * as api from './api.js';
import * as i18n from './i18n.js';
import { h, $, replace, boot, showMsg, errText, requireLogin, mountUserBar } from './ui.js';

i18n.add({
  'cp.title': ['合规报告', 'Compliance report'],
  'skip': ['跳到主要内容', 'Skip to main content'],
  'cp.period': ['报告期间（DB13/T 1760-2013《窗口服务规范》）', 'Period (DB13/T 1760-2013 Window service specification)'],
  'cp.from': ['开始日期', 'From'],
  'cp.to': ['结束日期', 'To'],
  'cp.run': ['生成报告', 'Run the report'],
  'cp.pdf': ['下载 PDF', 'Download PDF'],
  'cp.computing': ['正在计算，请稍候…', 'Computing, please wait…'],
  'cp.clauses': ['条款核查', 'Clause by clause'],
  'cp.c.clause': ['条款', 'Clause'],
  'cp.c.title': ['要求', 'Requirement'],
  'cp.c.verdict': ['结论', 'Verdict'],
  'cp.c.figures': ['数据', 'Figures'],
  'cp.c.evidence': ['依据', 'Evidence'],
  'cp.v.met': ['符合', 'Met'],
  'cp.v.partly_met': ['部分符合', 'Partly met'],
  'cp.v.not_met': ['不符合', 'Not met'],
  'cp.v.no_data': ['无数据', 'No data'],
  'cp.ev_n': ['{n} 条记录', '{n} records'],
  'cp.ev_more': ['另有 {n} 条未列出', '{n} more not listed'],
  'cp.none': ['—', '—'],
  'cp.summary': ['符合 {met} · 部分符合 {partly_met} · 不符合 {not_met} · 无数据 {no_data}', 'Met {met} · partly met {partly_met} · not met {not_met} · no data {no_data}'],
  'cp.thresholds': ['判定阈值：', 'Thresholds: '],
  'cp.certs': ['资质证书到期提醒', 'Certifications expiring or expired'],
  'cp.certs_none': ['{d} 天内没有到期的证书', 'No certification expires within {d} days'],
  'cp.certs_alert': ['证书提醒：{u} 的 {s} 业务证书 {d} {st}', 'Certification alert: {u}, service {s}, {d} {st}'],
  'cp.c.user': ['人员', 'Staff'],
  'cp.c.service': ['业务', 'Service'],
  'cp.c.expires': ['到期日', 'Expires on'],
  'cp.c.left': ['剩余天数', 'Days left'],
  'cp.expired': ['已过期', 'expired'],
  'cp.expiring': ['即将到期', 'expiring'],
  'cp.training': ['培训记录', 'Training records'],
  'cp.staff': ['人员', 'Staff'],
  'cp.course': ['课程', 'Course'],
  'cp.date': ['日期', 'Date'],
  'cp.hours': ['学时', 'Hours'],
  'cp.certificate': ['证书编号', 'Certificate'],
  'cp.result': ['成绩', 'Result'],
  'cp.add': ['添加', 'Add'],
  'cp.delete': ['删除', 'Delete'],
  'cp.all_staff': ['全部人员', 'All staff'],
  'cp.post': ['岗位职责与目标', 'Post responsibilities and targets'],
  'cp.resp': ['岗位职责', 'Responsibilities'],
  'cp.target': ['满意率目标（%，空为全厅目标）', 'Satisfaction target (%, empty: the hall\'s)'],
  'cp.save': ['保存', 'Save'],
  'cp.saved': ['已保存', 'Saved'],
  'cp.effective': ['当前适用的满意率目标：{t}', 'Satisfaction target in force: {t}'],
  'cp.audit': ['操作审计日志（不含群众个人信息）', 'Audit log of staff actions (no personal data of customers)'],
  'cp.actor': ['人员（用户名）', 'Staff (username)'],
  'cp.type': ['操作类型（如 window. 或 ticket.called）', 'Kind (e.g. window. or ticket.called)'],
  'cp.search': ['查询', 'Search'],
  'cp.csv': ['导出 CSV', 'Export CSV'],
  'cp.prev': ['上一页', 'Previous'],
  'cp.next': ['下一页', 'Next'],
  'cp.au_count': ['共 {n} 条，第 {a}–{b} 条', '{n} in all, {a}–{b} shown'],
  'cp.c.seq': ['序号', 'Seq'],
  'cp.c.at': ['时间', 'When'],
  'cp.c.actor': ['人员', 'Who'],
  'cp.c.type': ['操作', 'What'],
  'cp.c.data': ['内容', 'Details'],
});

const PAGE = 50;
let report = null;
let staff = [];
let training = [];
let certs = null;
let audit = null;
let auditOffset = 0;

function localDay(offset = 0) {
  const d = new Date(Date.now() + offset * 86400000);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

const pct = (x) => `${(x * 100).toFixed(1)}%`;

function figText(k, v) {
  if (typeof v === 'number' && !Number.isInteger(v) && v >= 0 && v <= 1 && /share|rate|coverage|target|_met|high/.test(k)) return pct(v);
  if (v && typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

// The page that opens a record named by the evidence.
function evidenceLink(e) {
  const from = report?.from, to = report?.to;
  if (e.kind === 'complaint') return h('a', { href: `/complaints-admin.html?code=${api.seg(e.id)}` }, e.id);
  if (e.kind === 'ticket') {
    const day = e.id.slice(0, 10);
    return h('a', { href: `/stats.html?date=${api.seg(day)}` }, e.id);
  }
  if (e.kind === 'window') return h('a', { href: `/stats.html?from=${api.seg(from)}&to=${api.seg(to)}` }, e.id);
  if (e.kind === 'staff')
    return h('a', { href: '#training', onclick: () => { $('#tr-staff').value = e.id; $('#po-staff').value = e.id; loadTraining(); loadPost(); } }, e.id);
  if (e.kind === 'event')
    return h('a', { href: '#audit', onclick: () => { $('#au-from').value = from; $('#au-to').value = to; $('#au-type').value = ''; $('#au-actor').value = ''; auditOffset = 0; loadAudit(true); } }, `#${e.id}`);
  return e.id;
}

function renderReport() {
  const t = $('#t-clauses');
  if (!report) return replace(t);
  replace($('#summary'), i18n.t('cp.summary', report.summary || {}));
  const head = h('tr', null, ...['cp.c.clause', 'cp.c.title', 'cp.c.verdict', 'cp.c.figures', 'cp.c.evidence'].map((k) => h('th', { scope: 'col' }, i18n.t(k))));
  const rows = report.clauses.map((c) => {
    const figs = Object.entries(c.figures || {}).filter(([k]) => k !== 'evidence_total');
    const total = c.figures?.evidence_total || c.evidence.length;
    const ev = c.evidence.length
      ? h('details', null, h('summary', null, i18n.t('cp.ev_n', { n: total })),
        h('ul', { class: 'ev' }, ...c.evidence.map((e) => h('li', null, `${e.kind} `, evidenceLink(e), ` — ${e.note}`))),
        total > c.evidence.length ? h('p', { class: 'muted' }, i18n.t('cp.ev_more', { n: total - c.evidence.length })) : null)
      : i18n.t('cp.none');
    return h('tr', { dataset: { clause: c.id || c.clause, verdict: c.verdict } },
      h('th', { scope: 'row' }, c.clause),
      h('td', null, i18n.lang() === 'en' ? c.title_en : c.title, h('br'), h('small', { class: 'muted' }, i18n.lang() === 'en' ? c.title : c.title_en)),
      h('td', null, h('span', { class: `verdict ${c.verdict}` }, i18n.t(`cp.v.${c.verdict}`))),
      h('td', null, h('ul', { class: 'figs' }, ...figs.map(([k, v]) => h('li', null, `${k}: `, h('b', null, figText(k, v)))))),
      h('td', null, ev));
  });
  replace(t, h('thead', null, head), h('tbody', null, ...rows));
  replace($('#thresholds'), i18n.t('cp.thresholds'), Object.entries(report.settings || {}).map(([k, v]) => `${k}=${figText(k, v)}`).join(' · '));
}

async function run() {
  showMsg($('#msg'), '');
  const from = $('#c-from').value, to = $('#c-to').value;
  $('#progress').hidden = false;
  $('#c-run').disabled = true;
  try {
    // one heavy computation at a time on the server: a 429 waits its turn (still "computing")
    for (let tries = 0; ; tries++) {
      try {
        report = await api.get(`/compliance?from=${api.seg(from)}&to=${api.seg(to)}`);
        break;
      } catch (e) {
        if (e.status !== 429 || tries >= 30) throw e;
        await new Promise((r) => setTimeout(r, 2000));
      }
    }
    history.replaceState(null, '', `?from=${from}&to=${to}`);
  } catch (e) {
    report = null;
    showMsg($('#msg'), errText(e));
  } finally {
    $('#progress').hidden = true;
    $('#c-run').disabled = false;
  }
  renderReport();
}

async function saveBlob(path, name) {
  const res = await fetch(path, { headers: { Authorization: `Bearer ${api.token()}` }, cache: 'no-store' });
  if (!res.ok) {
    const body = await res.json().catch(() => ({}));
    throw new api.ApiError(res.status, body?.error?.code || `http_${res.status}`, body?.error?.message, body?.error?.field);
  }
  const url = URL.createObjectURL(await res.blob());
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

async function pdf() {
  showMsg($('#msg'), '');
  const from = $('#c-from').value, to = $('#c-to').value;
  $('#progress').hidden = false;
  try {
    await saveBlob(`/api/v1/compliance.pdf?from=${api.seg(from)}&to=${api.seg(to)}`, `hallq-compliance-${from}_${to}.pdf`);
  } catch (e) {
    showMsg($('#msg'), errText(e));
  } finally {
    $('#progress').hidden = true;
  }
}

function renderCerts() {
  const t = $('#t-certs');
  if (!certs) return replace(t);
  if (!certs.certifications.length) return replace(t, h('tbody', null, h('tr', null, h('td', null, i18n.t('cp.certs_none', { d: certs.days })))));
  replace(t, h('thead', null, h('tr', null, ...['cp.c.user', 'cp.c.service', 'cp.c.expires', 'cp.c.left', 'cp.c.verdict'].map((k) => h('th', { scope: 'col' }, i18n.t(k))))),
    h('tbody', null, ...certs.certifications.map((c) => h('tr', { class: c.expired ? 'expired' : '' },
      h('td', null, `${c.name} (${c.username})`), h('td', null, c.service), h('td', null, c.expires_on), h('td', null, String(c.days_left)),
      h('td', null, h('span', { class: `verdict ${c.expired ? 'not_met' : 'partly_met'}` }, i18n.t(c.expired ? 'cp.expired' : 'cp.expiring')))))));
}

async function loadCerts() {
  try {
    certs = await api.get('/certifications/expiring');
  } catch (e) {
    showMsg($('#msg'), errText(e));
  }
  renderCerts();
}

function staffOptions(sel, withAll) {
  const cur = sel.value;
  replace(sel, withAll ? h('option', { value: '' }, i18n.t('cp.all_staff')) : null, ...staff.map((s) => h('option', { value: s.username }, `${s.name} (${s.username})`)));
  if (cur) sel.value = cur;
}

function renderTraining() {
  const t = $('#t-training');
  replace(t, h('thead', null, h('tr', null, ...['cp.staff', 'cp.course', 'cp.date', 'cp.hours', 'cp.certificate', 'cp.result', 'cp.delete'].map((k) => h('th', { scope: 'col' }, i18n.t(k))))),
    h('tbody', null, ...training.map((r) => h('tr', { dataset: { id: r.id } },
      h('td', null, r.staff), h('td', null, r.course), h('td', null, r.date), h('td', null, String(r.hours)),
      h('td', null, r.certificate || '—'), h('td', null, r.result || '—'),
      h('td', null, h('button', { class: 'btn small danger', type: 'button', onclick: () => delTraining(r.id) }, i18n.t('cp.delete')))))));
}

async function loadTraining() {
  const who = $('#tr-staff').value;
  try {
    training = (await api.get(`/training${who ? `?staff=${api.seg(who)}` : ''}`)).training;
  } catch (e) {
    showMsg($('#msg'), errText(e));
  }
  renderTraining();
}

async function addTraining(ev) {
  ev.preventDefault();
  showMsg($('#msg'), '');
  const body = { staff: $('#tr-staff').value, course: $('#tr-course').value, date: $('#tr-date').value, hours: Number($('#tr-hours').value) };
  if ($('#tr-cert').value) body.certificate = $('#tr-cert').value;
  if ($('#tr-result').value) body.result = $('#tr-result').value;
  try {
    await api.post('/training', body);
    $('#tr-course').value = $('#tr-cert').value = $('#tr-result').value = '';
    await loadTraining();
  } catch (e) {
    showMsg($('#msg'), errText(e));
  }
}

async function delTraining(id) {
  try {
    await api.del(`/training/${api.seg(id)}`);
    await loadTraining();
  } catch (e) {
    showMsg($('#msg'), errText(e));
  }
}

async function loadPost() {
  const u = $('#po-staff').value;
  if (!u) return;
  try {
    const p = await api.get(`/staff/${api.seg(u)}/post`);
    $('#po-resp').value = p.responsibilities || '';
    $('#po-target').value = p.satisfaction_target == null ? '' : (p.satisfaction_target * 100).toFixed(1);
    replace($('#po-effective'), i18n.t('cp.effective', { t: pct(p.effective_satisfaction_target) }));
  } catch (e) {
    showMsg($('#msg'), errText(e));
  }
}

async function savePost(ev) {
  ev.preventDefault();
  const u = $('#po-staff').value;
  const t = $('#po-target').value;
  try {
    await api.put(`/staff/${api.seg(u)}/post`, { responsibilities: $('#po-resp').value || null, satisfaction_target: t === '' ? null : Number(t) / 100 });
    showMsg($('#msg'), i18n.t('cp.saved'), 'ok');
    await loadPost();
  } catch (e) {
    showMsg($('#msg'), errText(e));
  }
}

function auditQuery() {
  const q = new URLSearchParams();
  for (const [id, k] of [['#au-actor', 'actor'], ['#au-type', 'type'], ['#au-from', 'from'], ['#au-to', 'to']]) if ($(id).value) q.set(k, $(id).value);
  return q;
}

function renderAudit() {
  const t = $('#t-audit');
  if (!audit) return replace(t);
  replace($('#au-count'), i18n.t('cp.au_count', { n: audit.total, a: audit.total ? audit.offset + 1 : 0, b: audit.offset + audit.events.length }));
  replace(t, h('thead', null, h('tr', null, ...['cp.c.seq', 'cp.c.at', 'cp.c.actor', 'cp.c.type', 'cp.c.data'].map((k) => h('th', { scope: 'col' }, i18n.t(k))))),
    h('tbody', null, ...audit.events.map((e) => h('tr', null, h('td', null, String(e.seq)), h('td', null, i18n.fmtDateTime(e.at)), h('td', null, e.actor),
      h('td', null, e.type), h('td', { class: 'data' }, JSON.stringify(e.data))))));
  $('#au-prev').disabled = audit.offset === 0;
  $('#au-next').disabled = audit.offset + audit.events.length >= audit.total;
}

async function loadAudit(reset) {
  if (reset) auditOffset = 0;
  const q = auditQuery();
  q.set('offset', String(auditOffset));
  q.set('limit', String(PAGE));
  try {
    audit = await api.get(`/audit?${q}`);
  } catch (e) {
    audit = null;
    showMsg($('#msg'), errText(e));
  }
  renderAudit();
}

function listenAlerts() {
  const es = new EventSource('/api/v1/events');
  es.addEventListener('alert.certification', (ev) => {
    try {
      const d = JSON.parse(ev.data);
      showMsg($('#msg'), i18n.t('cp.certs_alert', { u: d.username, s: d.service, d: d.expires_on, st: i18n.t(d.stage === 'expired' ? 'cp.expired' : 'cp.expiring') }));
    } catch {
      /* not JSON: ignore */
    }
    loadCerts();
  });
}

function renderAll() {
  renderReport();
  renderCerts();
  staffOptions($('#tr-staff'), true);
  staffOptions($('#po-staff'), false);
  renderTraining();
  renderAudit();
}

async function ready(u) {
  mountUserBar($('#userbar'), u);
  try {
    const hall = await api.get('/hall', { auth: false });
    $('#hall-name').textContent = i18n.nameOf(hall);
    i18n.onChange(() => ($('#hall-name').textContent = i18n.nameOf(hall)));
    staff = (await api.get('/staff')).filter((s) => s.active !== false);
  } catch (e) {
    showMsg($('#msg'), errText(e));
  }
  staffOptions($('#tr-staff'), true);
  staffOptions($('#po-staff'), false);
  listenAlerts();
  await Promise.all([run(), loadCerts(), loadTraining(), loadPost(), loadAudit(true)]);
}

boot();
const qs = new URLSearchParams(location.search);
const isDay = (v) => v && /^\d{4}-\d{2}-\d{2}$/.test(v);
$('#c-from').value = isDay(qs.get('from')) ? qs.get('from') : localDay(-28);
$('#c-to').value = isDay(qs.get('to')) ? qs.get('to') : localDay(0);
$('#tr-date').value = localDay(0);
$('#au-from').value = $('#au-to').value = localDay(0);
$('#cp-form').addEventListener('submit', (e) => {
  e.preventDefault();
  run();
});
$('#c-pdf').addEventListener('click', pdf);
$('#tr-form').addEventListener('submit', addTraining);
$('#tr-staff').addEventListener('change', loadTraining);
$('#po-staff').addEventListener('change', loadPost);
$('#po-form').addEventListener('submit', savePost);
$('#au-form').addEventListener('submit', (e) => {
  e.preventDefault();
  loadAudit(true);
});
$('#au-prev').addEventListener('click', () => { auditOffset = Math.max(0, auditOffset - PAGE); loadAudit(false); });
$('#au-next').addEventListener('click', () => { auditOffset += PAGE; loadAudit(false); });
$('#au-csv').addEventListener('click', () => saveBlob(`/api/v1/audit.csv?${auditQuery()}`, 'hallq-audit.csv').catch((e) => showMsg($('#msg'), errText(e))));
i18n.onChange(renderAll);
requireLogin({ roles: ['manager', 'admin'], onReady: ready });
