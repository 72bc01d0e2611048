// SPDX-License-Identifier: MIT
// complaints-admin.js — the staff complaint page (docs/COMPLAINTS.md). GET /complaints?status=&
// overdue= lists them newest first with the overdue counts (rows past a deadline are marked);
// GET /complaints/{code} shows one in full with its history, and a form for each step the server
// says is possible now ("actions"): POST /complaints/{code}/{action}. Staff entry of other channels
// is POST /complaints with the staff token; improvement actions are GET/POST /improvements and
// POST /improvements/{id}/close. Everything the API returns is shown as text (ui.js h()).

import * as api from './api.js';
import * as i18n from './i18n.js';
import './complaints-status.js'; // the status words (cst.*), shared with the public page
import { h, $, replace, boot, showMsg, errText, requireLogin, mountUserBar } from './ui.js';
import { assistedName } from './complaints_assist.js';

i18n.add({
  'ca.title': ['投诉处理', 'Complaint handling'],
  'skip': ['跳到主要内容', 'Skip to main content'],
  'ca.back': ['← 值班长', '← Duty manager'],
  'ca.public': ['公开投诉页 →', 'Public complaint page →'],
  'ca.list': ['投诉', 'Complaints'],
  'ca.status': ['状态', 'Status'],
  'ca.f_open': ['未办结', 'Open'],
  'ca.f_all': ['全部', 'All'],
  'ca.f_overdue': ['只看超期', 'Overdue only'],
  'ca.refresh': ['刷新', 'Refresh'],
  'ca.counts': ['未办结 {open} 件；超期未确认 {ack} 件，超期未办结 {res} 件；已上报 {esc} 件', '{open} open; {ack} late to acknowledge, {res} late to resolve; {esc} escalated'],
  'ca.none': ['没有符合条件的投诉', 'No complaints match'],
  'ca.code': ['查询码', 'Tracking code'],
  'ca.received_at': ['收到时间', 'Received'],
  'ca.channel': ['渠道', 'Channel'],
  'ca.excerpt': ['内容摘要', 'Excerpt'],
  'ca.deadlines': ['时限', 'Deadlines'],
  'ca.ack_by': ['确认 {t}', 'acknowledge by {t}'],
  'ca.resolve_by': ['办结 {t}', 'resolve by {t}'],
  'ca.ack_late': ['超期未确认', 'late to acknowledge'],
  'ca.res_late': ['超期未办结', 'late to resolve'],
  'ca.escalated': ['已上报', 'escalated'],
  'ca.assist_flag': ['需协助', 'needs assistance'],
  'ca.open': ['查看', 'Open'],
  'ca.detail': ['投诉详情', 'Complaint'],
  'ca.history': ['处理记录', 'History'],
  'ca.at': ['时间', 'Time'],
  'ca.action': ['步骤', 'Step'],
  'ca.by': ['经办', 'By'],
  'ca.public_note': ['给投诉人的答复（公开）', 'Answer to the complainant (public)'],
  'ca.internal_note': ['内部备注', 'Internal note'],
  'ca.next': ['下一步', 'Next steps'],
  'ca.no_next': ['此投诉已办结，无需操作', 'This complaint is closed: nothing to do'],
  'ca.close_wait': ['投诉人可在 {t} 前评价处理结果；之后方可直接办结', 'The complainant may give a verdict until {t}; it can be closed after that'],
  'ca.content': ['投诉内容', 'Complaint'],
  'ca.contact': ['联系方式（可选）', 'Contact (optional)'],
  'ca.window': ['涉及窗口（可选）', 'Window concerned (optional)'],
  'ca.category': ['类别（可选）', 'Category (optional)'],
  'ca.assist': ['投诉人需要协助（残障、语言沟通等）', 'The complainant needs assistance (disability, language…)'],
  'ca.entry': ['登记其他渠道的投诉（热线、意见箱、来信、现场）', 'Enter a complaint from another channel (hotline, box, letter, in person)'],
  'ca.enter': ['登记', 'Enter'],
  'ca.entered': ['已登记，查询码 {c}，请告知投诉人；须在 {t} 前确认受理。', 'Entered with tracking code {c}: tell the complainant; acknowledge by {t}.'],
  'ca.empty': ['请填写投诉内容', 'Please write the complaint'],
  'ca.done': ['已保存', 'Saved'],
  'ca.k.contact': ['联系方式', 'Contact'],
  'ca.k.content': ['内容', 'Complaint'],
  'ca.k.channel': ['渠道', 'Channel'],
  'ca.k.status': ['状态', 'Status'],
  'ca.k.received_at': ['收到时间', 'Received'],
  'ca.k.deadlines': ['时限', 'Deadlines'],
  'ca.k.window': ['窗口', 'Window'],
  'ca.k.ticket': ['号票', 'Ticket'],
  'ca.k.assist': ['需要协助', 'Needs assistance'],
  'ca.k.entered_by': ['登记人', 'Entered by'],
  'ca.k.assessment': ['核实', 'Assessment'],
  'ca.k.resolution': ['处理结果与措施', 'Result and measures'],
  'ca.k.verdicts': ['投诉人评价', 'Complainant\'s verdicts'],
  'ca.k.escalation': ['上报', 'Escalation'],
  'ca.k.improvements': ['改进措施', 'Improvement actions'],
  'ca.yes': ['是', 'yes'],
  'ca.no': ['否', 'no'],
  'ca.public_web': ['投诉人本人（网上）', 'the complainant (web)'],
  'ca.satisfied': ['满意', 'satisfied'],
  'ca.not_satisfied': ['不满意', 'not satisfied'],
  'ca.subst': ['属实', 'substantiated'],
  'ca.not_subst': ['不属实', 'not substantiated'],
  'act.acknowledge': ['确认受理并答复', 'Acknowledge and answer'],
  'act.assess': ['调查核实', 'Assess'],
  'act.resolve': ['办理并答复结果', 'Resolve and answer'],
  'act.verdict': ['登记投诉人评价（电话、来信）', 'Record the complainant\'s verdict (phone, letter)'],
  'act.close': ['办结（逾期未评价）', 'Close (no verdict in time)'],
  'act.escalate': ['上报负责人', 'Escalate to the manager'],
  'act.received': ['受理', 'received'],
  'act.improve': ['提出改进措施', 'Raise an improvement action'],
  'fl.note': ['给投诉人的答复（公开，查询页可见）', 'Answer to the complainant (public, on the tracking page)'],
  'fl.internal_note': ['内部备注（仅工作人员可见）', 'Internal note (staff only)'],
  'fl.category': ['类别', 'Category'],
  'fl.severity': ['严重程度', 'Severity'],
  'fl.window': ['涉及窗口', 'Window concerned'],
  'fl.clerk': ['涉及人员（用户名）', 'Clerk concerned (user name)'],
  'fl.substantiated': ['是否属实', 'Substantiated?'],
  'fl.result': ['处理结果（公开，告知投诉人）', 'Result (public, told to the complainant)'],
  'fl.measures': ['采取的措施（内部）', 'Measures taken (internal)'],
  'fl.satisfied': ['投诉人是否满意', 'Is the complainant satisfied?'],
  'fl.comment': ['投诉人意见（不满意时必填）', 'The complainant\'s words (required when not satisfied)'],
  'fl.escalate': ['同时上报负责人', 'Escalate to the manager as well'],
  'fl.reason': ['上报原因（内部）', 'Why (internal)'],
  'fl.to': ['上报给', 'To'],
  'fl.title': ['措施', 'Action'],
  'fl.owner': ['负责人', 'Owner'],
  'fl.due': ['完成期限', 'Due'],
  'sev.': ['—', '—'],
  'sev.low': ['轻微', 'low'],
  'sev.normal': ['一般', 'normal'],
  'sev.high': ['严重', 'high'],
  'opt.': ['未定', 'not decided'],
  'opt.true': ['是', 'yes'],
  'opt.false': ['否', 'no'],
  'ch.hotline': ['服务热线', 'Hotline'],
  'ch.web': ['网站', 'Website'],
  'ch.box': ['意见箱、意见簿', 'Suggestion box or book'],
  'ch.letter': ['来信', 'Letter'],
  'ch.in_person': ['现场', 'In person'],
  'ca.improvements': ['改进措施', 'Improvement actions'],
  'ca.i_open': ['进行中', 'Open'],
  'ca.i_done': ['已完成', 'Done'],
  'ca.i_title': ['措施', 'Action'],
  'ca.i_source': ['来源', 'Source'],
  'ca.i_ref': ['依据（可选）', 'Reference (optional)'],
  'ca.i_owner': ['负责人', 'Owner'],
  'ca.i_due': ['完成期限', 'Due'],
  'ca.i_new': ['新增改进措施（来自评价、突发事件、满意度调查等）', 'New improvement action (from evaluations, incidents, surveys …)'],
  'ca.i_add': ['新增', 'Add'],
  'ca.i_close': ['完成', 'Done'],
  'ca.i_result': ['完成情况', 'What was done'],
  'ca.i_counts': ['进行中 {open} 项，其中逾期 {over} 项', '{open} open, {over} of them past due'],
  'ca.i_none': ['暂无改进措施', 'No improvement actions'],
  'ca.i_late': ['逾期', 'past due'],
  'src.complaint': ['投诉', 'Complaint'],
  'src.evaluation': ['评价', 'Evaluation'],
  'src.incident': ['突发事件', 'Incident'],
  'src.survey': ['满意度调查', 'Survey'],
  'src.other': ['其他', 'Other'],
});

const tr = (prefix, v) => {
  const k = prefix + (v ?? '');
  const s = i18n.t(k);
  return s === k ? String(v ?? '') : s;
};
const dt = (iso) => i18n.fmtDateTime(iso);

let selected = null; // tracking code shown in the detail
let lastList = null;
let lastDetail = null;
let lastImprovements = null;

// ---- list ----

function badge(key, cls = 'bad') {
  return h('span', { class: `badge ${cls}` }, i18n.t(key));
}

function renderList() {
  const r = lastList;
  if (!r) return;
  $('#counts').textContent = i18n.t('ca.counts', { open: r.open, ack: r.overdue.acknowledge, res: r.overdue.resolve, esc: r.escalated });
  const rows = r.complaints.map((c) =>
    h(
      'tr',
      { class: [c.overdue ? 'overdue' : '', c.tracking_code === selected ? 'selected' : ''].join(' ').trim() || null, dataset: { code: c.tracking_code } },
      h('td', { class: 'code' }, c.tracking_code),
      h('td', null, dt(c.received_at)),
      h('td', null, tr('ch.', c.channel), c.needs_assistance ? [' ', badge('ca.assist_flag', 'paused')] : null),
      h('td', null, tr('cst.', c.status), c.escalated ? [' ', badge('ca.escalated', 'paused')] : null),
      h('td', null, c.excerpt),
      h(
        'td',
        null,
        c.status === 'received' ? h('div', null, i18n.t('ca.ack_by', { t: dt(c.acknowledge_by) })) : null,
        c.status !== 'resolved' && c.status !== 'closed' ? h('div', null, i18n.t('ca.resolve_by', { t: dt(c.resolve_by) })) : null,
        c.ack_overdue ? badge('ca.ack_late') : null,
        c.resolve_overdue ? [' ', badge('ca.res_late')] : null,
      ),
      h('td', null, h('button', { class: 'btn small', type: 'button', onclick: () => openDetail(c.tracking_code) }, i18n.t('ca.open'))),
    ),
  );
  replace($('#rows'), rows.length ? rows : h('tr', null, h('td', { colspan: 7 }, i18n.t('ca.none'))));
}

async function loadList() {
  const q = new URLSearchParams();
  const st = $('#f-status').value;
  if (st) q.set('status', st);
  if ($('#f-overdue').checked) q.set('overdue', 'true');
  try {
    lastList = await api.get(`/complaints?${q}`);
    renderList();
    showMsg($('#msg'), '');
  } catch (e) {
    showMsg($('#msg'), errText(e));
  }
}

// ---- detail ----

// The forms of the steps: [field, kind, required, options].
const FORMS = {
  acknowledge: [['note', 'textarea', true], ['internal_note', 'textarea']],
  assess: [
    ['category', 'text'],
    ['severity', 'select', false, ['', 'low', 'normal', 'high'], 'sev.'],
    ['window', 'number'],
    ['clerk', 'text'],
    ['substantiated', 'select', false, ['', 'true', 'false'], 'opt.'],
    ['note', 'textarea'],
    ['internal_note', 'textarea'],
  ],
  resolve: [['result', 'textarea', true], ['measures', 'textarea', true], ['internal_note', 'textarea']],
  verdict: [['satisfied', 'select', true, ['', 'true', 'false'], 'opt.'], ['comment', 'textarea'], ['escalate', 'checkbox']],
  close: [['note', 'textarea'], ['internal_note', 'textarea']],
  escalate: [['reason', 'textarea', true], ['to', 'text'], ['note', 'textarea']],
  improve: [['title', 'text', true], ['owner', 'text', true], ['due', 'date']],
};

function field(action, [name, kind, required, options, optPrefix]) {
  const id = `a-${action}-${name}`;
  const label = i18n.t('fl.' + name);
  if (kind === 'checkbox') return h('label', { class: 'inline', for: id }, h('input', { type: 'checkbox', id, name }), ' ', label);
  let input;
  if (kind === 'textarea') input = h('textarea', { id, name, required, 'aria-required': required ? 'true' : null, maxlength: 2000 });
  else if (kind === 'select') input = h('select', { id, name }, ...options.map((o) => h('option', { value: o }, tr(optPrefix, o))));
  else input = h('input', { id, name, type: kind, required, min: kind === 'number' ? 1 : null, maxlength: kind === 'text' ? 255 : null });
  return [h('label', { for: id }, label, required ? h('span', { 'aria-hidden': 'true' }, ' *') : null), input];
}

function bodyOf(form, spec) {
  const body = {};
  for (const [name, kind] of spec) {
    const el = form.elements[name];
    if (kind === 'checkbox') {
      if (el.checked) body[name] = true;
      continue;
    }
    const v = el.value.trim();
    if (!v) continue;
    if (kind === 'number') body[name] = Number(v);
    else if (kind === 'select' && (v === 'true' || v === 'false')) body[name] = v === 'true';
    else body[name] = v;
  }
  return body;
}

function actionForm(action, code) {
  const spec = FORMS[action];
  const form = h(
    'form',
    { id: `a-${action}`, novalidate: true, dataset: { action } },
    h('h4', null, i18n.t('act.' + action)),
    ...spec.map((f) => field(action, f)),
    h('button', { class: `btn ${action === 'escalate' ? 'danger' : 'primary'}`, type: 'submit' }, i18n.t('act.' + action)),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    showMsg($('#d-msg'), '');
    const body = bodyOf(form, spec);
    try {
      if (action === 'improve') await api.post('/improvements', { source: 'complaint', complaint: code, ...body });
      else await api.post(`/complaints/${api.seg(code)}/${action}`, body);
      showMsg($('#d-msg'), i18n.t('ca.done'), 'ok');
      await Promise.all([openDetail(code, true), loadList(), loadImprovements()]);
    } catch (e) {
      showMsg($('#d-msg'), errText(e));
      if (e.field && form.elements[e.field]) {
        form.elements[e.field].setAttribute('aria-invalid', 'true');
        form.elements[e.field].focus();
      }
    }
  });
  return form;
}

function kv(key, ...value) {
  return [h('dt', null, i18n.t('ca.k.' + key)), h('dd', { dataset: { k: key } }, ...value)];
}

function renderDetail() {
  const c = lastDetail;
  if (!c) return;
  $('#detail').hidden = false;
  $('#d-code').textContent = c.tracking_code;
  const a = c.assessment;
  const res = c.resolution;
  replace(
    $('#d-info'),
    kv('status', tr('cst.', c.status), c.escalated ? [' ', badge('ca.escalated', 'paused')] : null),
    kv('channel', tr('ch.', c.channel)),
    kv('received_at', dt(c.received_at)),
    kv(
      'deadlines',
      i18n.t('ca.ack_by', { t: dt(c.acknowledge_by) }),
      c.ack_overdue ? [' ', badge('ca.ack_late')] : null,
      ' · ',
      i18n.t('ca.resolve_by', { t: dt(c.resolve_by) }),
      c.resolve_overdue ? [' ', badge('ca.res_late')] : null,
    ),
    kv('content', h('span', { class: 'ca-pre' }, c.content)),
    kv('contact', c.contact || '—'),
    kv('assist', c.needs_assistance ? i18n.t('ca.yes') : i18n.t('ca.no')),
    kv('assisted', assistedName(c.assisted_by)),
    c.window ? kv('window', String(c.window)) : null,
    c.ticket ? kv('ticket', c.ticket) : null,
    c.entered_by ? kv('entered_by', c.entered_by) : null,
    a
      ? kv(
          'assessment',
          [c.category, a.severity ? tr('sev.', a.severity) : null, a.window ? `${a.window}` : null, a.clerk, a.substantiated === true ? i18n.t('ca.subst') : a.substantiated === false ? i18n.t('ca.not_subst') : null]
            .filter(Boolean)
            .join(' · '),
        )
      : null,
    res ? kv('resolution', h('span', { class: 'ca-pre' }, `${res.result}\n${i18n.t('fl.measures')}: ${res.measures}`)) : null,
    c.verdicts?.length
      ? kv('verdicts', h('ul', null, ...c.verdicts.map((v) => h('li', null, `${dt(v.at)} · ${i18n.t(v.satisfied ? 'ca.satisfied' : 'ca.not_satisfied')}${v.comment ? ' · ' + v.comment : ''} · ${v.by || i18n.t('ca.public_web')}`))))
      : null,
    c.escalation ? kv('escalation', `${dt(c.escalation.at)} · ${c.escalation.to} · ${c.escalation.reason}`) : null,
    c.improvements?.length ? kv('improvements', c.improvements.join(', ')) : null,
  );
  replace(
    $('#d-history tbody'),
    ...(c.history || []).map((e) =>
      h('tr', null, h('td', null, dt(e.at)), h('td', null, tr('cst.', e.status)), h('td', null, tr('act.', e.action || 'received')), h('td', null, e.by || i18n.t('ca.public_web')), h('td', { class: 'ca-pre' }, e.note || ''), h('td', { class: 'ca-pre internal' }, e.internal_note || '')),
    ),
  );
  const forms = (c.actions || []).map((act) => actionForm(act, c.tracking_code));
  if (c.status === 'resolved' || c.status === 'closed') forms.push(actionForm('improve', c.tracking_code));
  const notes = [];
  if (c.status === 'resolved' && !(c.actions || []).includes('close') && c.verdict_by) notes.push(h('p', { class: 'msg info' }, i18n.t('ca.close_wait', { t: dt(c.verdict_by) })));
  if (c.status === 'closed') notes.push(h('p', null, i18n.t('ca.no_next')));
  replace($('#d-notes'), ...notes);
  replace($('#d-actions'), ...forms);
}

async function openDetail(code, keepMsg = false) {
  selected = code;
  if (!keepMsg) showMsg($('#d-msg'), '');
  try {
    lastDetail = await api.get(`/complaints/${api.seg(code)}`);
    renderDetail();
    renderList();
    if (!keepMsg) $('#detail').scrollIntoView?.({ block: 'start' });
  } catch (e) {
    showMsg($('#msg'), errText(e));
  }
}

// ---- staff entry ----

async function enter(ev) {
  ev.preventDefault();
  const content = $('#e-content').value.trim();
  showMsg($('#e-msg'), '');
  if (!content) {
    $('#e-content').setAttribute('aria-invalid', 'true');
    $('#e-content').focus();
    return showMsg($('#e-msg'), i18n.t('ca.empty'));
  }
  $('#e-content').removeAttribute('aria-invalid');
  const body = { channel: $('#e-channel').value, content, needs_assistance: $('#e-assist').checked, assisted_by: $('#e-assisted').value };
  const contact = $('#e-contact').value.trim();
  if (contact) body.contact = contact;
  const w = $('#e-window').value.trim();
  if (w) body.window = Number(w);
  const cat = $('#e-category').value.trim();
  if (cat) body.category = cat;
  try {
    const r = await api.post('/complaints', body);
    showMsg($('#e-msg'), i18n.t('ca.entered', { c: r.tracking_code, t: dt(r.acknowledge_by) }), 'ok');
    $('#entry').reset();
    await loadList();
    await openDetail(r.tracking_code, true);
  } catch (e) {
    showMsg($('#e-msg'), errText(e));
  }
}

// ---- improvement actions ----

function renderImprovements() {
  const r = lastImprovements;
  if (!r) return;
  $('#i-counts').textContent = i18n.t('ca.i_counts', { open: r.open, over: r.overdue });
  const rows = r.improvements.map((it) => {
    const result = h('input', { 'aria-label': i18n.t('ca.i_result'), placeholder: i18n.t('ca.i_result'), maxlength: 500 });
    const done = async () => {
      try {
        await api.post(`/improvements/${api.seg(it.id)}/close`, result.value.trim() ? { result: result.value.trim() } : {});
        await loadImprovements();
      } catch (e) {
        showMsg($('#i-msg'), errText(e));
      }
    };
    return h(
      'tr',
      { class: it.overdue ? 'overdue' : null, dataset: { id: it.id } },
      h('td', null, it.title, it.result ? h('div', { class: 'muted' }, it.result) : null),
      h('td', null, tr('src.', it.source), it.ref ? ` · ${it.ref}` : ''),
      h('td', null, it.owner),
      h('td', null, it.due || '—', it.overdue ? [' ', badge('ca.i_late')] : null),
      h('td', null, i18n.t(it.status === 'done' ? 'ca.i_done' : 'ca.i_open')),
      h('td', null, it.status === 'open' ? [result, ' ', h('button', { class: 'btn small ok', type: 'button', onclick: done }, i18n.t('ca.i_close'))] : dt(it.closed_at)),
    );
  });
  replace($('#i-list tbody'), rows.length ? rows : h('tr', null, h('td', { colspan: 6 }, i18n.t('ca.i_none'))));
}

async function loadImprovements() {
  const st = $('#i-status').value;
  try {
    lastImprovements = await api.get(`/improvements${st ? `?status=${st}` : ''}`);
    renderImprovements();
  } catch (e) {
    showMsg($('#i-msg'), errText(e));
  }
}

async function addImprovement(ev) {
  ev.preventDefault();
  showMsg($('#i-msg'), '');
  const body = { source: $('#i-source').value, title: $('#i-title').value.trim(), owner: $('#i-owner').value.trim() };
  const ref = $('#i-ref').value.trim();
  if (ref) body.ref = ref;
  if ($('#i-due').value) body.due = $('#i-due').value;
  try {
    await api.post('/improvements', body);
    $('#i-form').reset();
    await loadImprovements();
  } catch (e) {
    showMsg($('#i-msg'), errText(e));
    if (e.field && $(`#i-${e.field}`)) $(`#i-${e.field}`).focus();
  }
}

// ---- start ----

boot();
i18n.onChange(() => {
  renderList();
  renderDetail();
  renderImprovements();
});
requireLogin({
  roles: ['manager', 'admin'],
  onReady: async (u) => {
    mountUserBar($('#userbar'), u);
    try {
      const hall = await api.get('/hall', { auth: false });
      $('#hall-name').textContent = i18n.nameOf(hall);
    } catch {
      /* the name is a nicety */
    }
    $('#filter').addEventListener('submit', (e) => {
      e.preventDefault();
      loadList();
    });
    $('#f-status').addEventListener('change', loadList);
    $('#f-overdue').addEventListener('change', loadList);
    $('#entry').addEventListener('submit', enter);
    $('#i-status').addEventListener('change', loadImprovements);
    $('#i-form').addEventListener('submit', addImprovement);
    await Promise.all([loadList(), loadImprovements()]);
    const code = new URLSearchParams(location.search).get('code');
    if (code) openDetail(code.toUpperCase());
    setInterval(loadList, 60000); // the overdue flags move with the clock
  },
});
