// SPDX-License-Identifier: MIT
// ops_incident.js — the incidents part of the operations page (ops.html; clauses 5.5.4–5.5.7):
// the list (GET /ops/incidents), opening one from a plan with or without suspending ticketing
// (POST /ops/incidents), and the selected one in full — who is on site and when they arrived, the
// timeline, and the forms of the steps its status allows (POST /ops/incidents/{id}/{step}: arrive,
// note, suspend, restore, close, review with an improvement action).
import * as api from './api.js';
import * as i18n from './i18n.js';
import { h, $, replace, showMsg, errText } from './ui.js';
import { form } from './ops_form.js';

i18n.add({
  'oi.title': ['突发事件', 'Incidents'],
  'oi.open_new': ['启动预案、登记突发事件', 'Start a plan: open an incident'],
  'oi.f.plan': ['应急预案', 'Emergency plan'],
  'oi.f.title': ['事件', 'What happened'],
  'oi.f.severity': ['严重程度', 'Severity'],
  'oi.f.description': ['情况描述', 'Description'],
  'oi.f.suspend': ['同时暂停全厅取号', 'Suspend ticketing in the whole hall too'],
  'oi.f.suspend_reason': ['暂停原因（向公众显示）', 'Reason (shown to the public)'],
  'sv.minor': ['一般', 'Minor'],
  'sv.major': ['较大', 'Major'],
  'sv.severe': ['重大', 'Severe'],
  'is.open': ['处置中', 'Open'],
  'is.restored': ['已恢复服务', 'Service restored'],
  'is.closed': ['已结束', 'Closed'],
  'is.reviewed': ['已评估', 'Reviewed'],
  'oi.opened_at': ['发生时间', 'Opened'],
  'oi.status': ['状态', 'Status'],
  'oi.response': ['到场用时', 'On site after'],
  'oi.downtime': ['停止取号时长', 'Ticketing down'],
  'oi.none': ['暂无突发事件记录', 'No incidents recorded'],
  'oi.detail': ['事件详情', 'Incident'],
  'oi.pick': ['请在列表中选择一起事件', 'Select an incident in the list'],
  'oi.on_site': ['到场人员', 'On site'],
  'oi.timeline': ['处置经过', 'Timeline'],
  'oi.suspended': ['已暂停取号', 'ticketing suspended'],
  'st.open': ['登记', 'Opened'],
  'st.arrive': ['到场', 'Arrived'],
  'st.note': ['记录', 'Note'],
  'st.suspend': ['暂停取号', 'Ticketing suspended'],
  'st.restore': ['恢复服务', 'Service restored'],
  'st.close': ['结束', 'Closed'],
  'st.review': ['事后评估', 'Review'],
  'oi.f.name': ['姓名', 'Name'],
  'oi.f.role': ['职务', 'Role'],
  'oi.f.text': ['内容', 'Text'],
  'oi.f.note': ['说明', 'Note'],
  'oi.f.cause': ['原因', 'Cause'],
  'oi.f.measures': ['采取的措施', 'Measures'],
  'oi.f.course': ['经过', 'Course'],
  'oi.f.result': ['结果', 'Result'],
  'oi.f.lessons': ['经验教训', 'Lessons'],
  'oi.f.imp_title': ['改进措施（可选）', 'Improvement action (optional)'],
  'oi.f.imp_owner': ['改进负责人', 'Owner'],
  'oi.f.imp_due': ['完成期限', 'Due'],
  'oi.do.arrive': ['登记到场', 'Record arrival'],
  'oi.do.note': ['添加记录', 'Add a note'],
  'oi.do.suspend': ['暂停取号', 'Suspend ticketing'],
  'oi.do.restore': ['恢复服务（恢复取号）', 'Restore service (resume ticketing)'],
  'oi.do.close': ['结束事件', 'Close the incident'],
  'oi.do.review': ['保存事后评估', 'Save the review'],
  'oi.review': ['事后评估', 'After-action review'],
  'oi.improvements': ['已提出改进措施 {n} 项', '{n} improvement action(s) raised'],
});

let ctx = null;
let list = null;
let detail = null;
let selected = null;

const dt = (iso) => (iso ? i18n.fmtDateTime(iso) : '—');
const dur = (s) => (s == null ? '—' : i18n.fmtDuration(s));
const tr = (prefix, v) => {
  const k = prefix + (v ?? '');
  const s = i18n.t(k);
  return s === k ? String(v ?? '') : s;
};

async function step(name, body) {
  detail = await api.post(`/ops/incidents/${api.seg(selected)}/${name}`, body);
  await ctx.reload();
}

async function pick(id) {
  selected = id;
  try {
    detail = await api.get(`/ops/incidents/${api.seg(id)}`);
  } catch (e) {
    showMsg($('#msg'), errText(e));
  }
  render();
}

function stepForms(x) {
  const forms = [];
  if (x.status === 'open') {
    forms.push(form('ia', [{ name: 'name', label: 'oi.f.name', required: true }, { name: 'role', label: 'oi.f.role' }], 'oi.do.arrive', (v) => step('arrive', v)));
    if (!x.suspended) forms.push(form('is', [{ name: 'suspend_reason', label: 'oi.f.suspend_reason', required: true }], 'oi.do.suspend', (v) => step('suspend', v)));
    forms.push(form('ir', [{ name: 'note', label: 'oi.f.note' }], 'oi.do.restore', (v) => step('restore', v)));
  }
  if (x.status === 'restored') forms.push(form('ic', [{ name: 'note', label: 'oi.f.note' }], 'oi.do.close', (v) => step('close', v)));
  if (x.status === 'closed')
    forms.push(form('iv', [
      { name: 'cause', label: 'oi.f.cause', type: 'textarea', required: true },
      { name: 'measures', label: 'oi.f.measures', type: 'textarea', required: true },
      { name: 'course', label: 'oi.f.course', type: 'textarea', required: true },
      { name: 'result', label: 'oi.f.result', type: 'textarea', required: true },
      { name: 'lessons', label: 'oi.f.lessons', type: 'textarea' },
      { name: 'imp_title', label: 'oi.f.imp_title' },
      { name: 'imp_owner', label: 'oi.f.imp_owner' },
      { name: 'imp_due', label: 'oi.f.imp_due', type: 'date' },
    ], 'oi.do.review', (v) => {
      const { imp_title, imp_owner, imp_due, ...body } = v;
      if (imp_title) body.improvements = [{ title: imp_title, owner: imp_owner || '', due: imp_due || null }];
      return step('review', body);
    }));
  if (x.status !== 'reviewed') forms.push(form('in', [{ name: 'text', label: 'oi.f.text', required: true }], 'oi.do.note', (v) => step('note', v)));
  return forms;
}

export function render() {
  if (!list) return;
  const rows = list.incidents.map((x) =>
    h('tr', { class: [x.status === 'open' ? 'active' : '', selected === x.id ? 'selected' : ''].join(' ').trim() || null, dataset: { id: x.id } },
      h('td', null, dt(x.opened_at)),
      h('td', null, x.title, x.suspended && x.status === 'open' ? [' ', h('span', { class: 'badge bad' }, i18n.t('oi.suspended'))] : null),
      h('td', null, tr('sv.', x.severity)),
      h('td', null, x.plan_title),
      h('td', null, tr('is.', x.status)),
      h('td', { class: 'num' }, dur(x.response_s)),
      h('td', { class: 'num' }, dur(x.downtime_s)),
      h('td', null, h('button', { class: 'btn small', type: 'button', onclick: () => pick(x.id) }, i18n.t('ops.pick')))
    )
  );
  replace($('#inc-rows'), rows.length ? rows : h('tr', null, h('td', { colspan: 8 }, i18n.t('oi.none'))));
  const box = $('#inc-detail');
  if (!detail || detail.id !== selected) {
    replace(box, h('p', { class: 'muted' }, i18n.t('oi.pick')));
    return;
  }
  const x = detail;
  replace(box,
    h('h3', null, x.title, ' · ', tr('is.', x.status)),
    h('p', null, `${tr('sv.', x.severity)} · ${x.plan_title} · ${dt(x.opened_at)}`, x.description ? ` · ${x.description}` : ''),
    h('h4', null, i18n.t('oi.on_site')),
    h('ul', { id: 'inc-on-site' }, x.on_site.map((p) => h('li', null, `${p.name}${p.role ? '（' + p.role + '）' : ''} · ${dt(p.arrived_at)} · ${dur(p.response_s)}`))),
    h('h4', null, i18n.t('oi.timeline')),
    h('ol', { class: 'timeline', id: 'inc-timeline' }, x.timeline.map((e) => h('li', { dataset: { action: e.action } }, h('strong', null, tr('st.', e.action)), ` · ${dt(e.at)} · ${e.by}`, e.note ? ` · ${e.note}` : ''))),
    x.review
      ? h('div', { class: 'review' }, h('h4', null, i18n.t('oi.review')),
          h('dl', null, ['cause', 'measures', 'course', 'result', 'lessons'].map((k) => [h('dt', null, i18n.t('oi.f.' + k)), h('dd', null, x.review[k] || '—')])),
          h('p', null, i18n.t('oi.improvements', { n: x.improvements.length })))
      : null,
    h('div', { class: 'ops-steps' }, stepForms(x)),
  );
}

export async function load() {
  try {
    list = await api.get('/ops/incidents');
    if (selected) detail = await api.get(`/ops/incidents/${api.seg(selected)}`);
    render();
  } catch (e) {
    showMsg($('#msg'), errText(e));
  }
}

export function mount(c) {
  ctx = c;
  $('#inc-new').append(form('io', [
    { name: 'plan', label: 'oi.f.plan', type: 'select', options: [] },
    { name: 'title', label: 'oi.f.title', required: true },
    { name: 'severity', label: 'oi.f.severity', type: 'select', options: [['minor', 'sv.minor'], ['major', 'sv.major'], ['severe', 'sv.severe']] },
    { name: 'description', label: 'oi.f.description', type: 'textarea' },
    { name: 'suspend', label: 'oi.f.suspend', type: 'checkbox' },
    { name: 'suspend_reason', label: 'oi.f.suspend_reason' },
  ], 'oi.open_new', async (v) => {
    const x = await api.post('/ops/incidents', v);
    selected = x.id;
    detail = x;
    await ctx.reload();
  }));
  $('#io-plan').classList.add('plan-choice');
}
