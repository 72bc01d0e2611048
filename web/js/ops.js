// SPDX-License-Identifier: MIT
// ops.js — the operations page (ops.html, docs/OPERATIONS.md) for managers and admins: what is
// overdue now (GET /ops/overview), incidents (ops_incident.js), emergency plans with their review
// dates (GET/POST /ops/plans, POST /ops/plans/{id}/review), the schedules of drills and risk
// assessments with their records (/ops/schedules), and the facility register with maintenance and
// inspection due days and the silence of linked devices (/ops/facilities). Overdue rows are marked
// (class "overdue" and a badge). The page reloads on every ops.* event and every minute.
import * as api from './api.js';
import * as i18n from './i18n.js';
import * as events from './events.js';
import { h, $, replace, boot, showMsg, errText, requireLogin, mountUserBar } from './ui.js';
import { form, parseRows } from './ops_form.js';
import * as incidents from './ops_incident.js';

i18n.add({
  'ops.title': ['运行管理', 'Operations'],
  'skip': ['跳到主要内容', 'Skip to main content'],
  'ops.back': ['← 值班长', '← Duty manager'],
  'ops.info_link': ['公示信息 →', 'Public information →'],
  'ops.saved': ['已保存', 'Saved'],
  'ops.overview': ['逾期事项', 'Overdue now'],
  'ops.none_overdue': ['没有逾期事项', 'Nothing overdue'],
  'ops.counts': ['逾期 {n} 项；处置中的突发事件 {a} 起', '{n} overdue; {a} incident(s) being handled'],
  'ops.k.plan_review': ['预案评审逾期', 'Plan review overdue'],
  'ops.k.drill': ['演练逾期', 'Drill overdue'],
  'ops.k.risk_assessment': ['风险评估逾期', 'Risk assessment overdue'],
  'ops.k.maintenance': ['维护逾期', 'Maintenance overdue'],
  'ops.k.inspection': ['检查逾期', 'Inspection overdue'],
  'ops.k.device_silent': ['设备失联', 'Device silent'],
  'ops.due': ['应于 {d}', 'due {d}'],
  'ops.silent_for': ['已 {m} 分钟无心跳', 'silent for {m} min'],
  'ops.overdue': ['逾期', 'overdue'],
  'ops.plans': ['应急预案', 'Emergency plans'],
  'ops.new_plan': ['新建应急预案', 'New emergency plan'],
  'ops.f.type': ['类型', 'Type'],
  'ops.f.title': ['名称', 'Title'],
  'ops.f.trigger': ['启动条件', 'When it starts'],
  'ops.f.steps': ['处置步骤（每行一步）', 'Steps (one a line)'],
  'ops.f.roles': ['职责分工（每行：岗位：职责）', 'Roles (a line each: role: duty)'],
  'ops.f.contacts': ['联系人（每行：姓名，岗位，电话）', 'Contacts (a line each: name, role, phone)'],
  'ops.f.review_by': ['评审期限', 'Review by'],
  'ops.f.next_review_by': ['下次评审期限', 'Next review by'],
  'ops.f.note': ['备注', 'Note'],
  'ops.review': ['记录评审', 'Record a review'],
  'ops.reviews': ['已评审 {n} 次', '{n} review(s)'],
  'ops.delete': ['删除', 'Delete'],
  'ops.no_plans': ['尚无应急预案', 'No emergency plans yet'],
  'pt.fire': ['火灾', 'Fire'],
  'pt.power': ['停电', 'Power cut'],
  'pt.system': ['系统故障', 'System failure'],
  'pt.crowd': ['人员聚集', 'Crowding'],
  'pt.medical': ['急救', 'Medical'],
  'pt.security': ['治安', 'Security'],
  'pt.weather': ['恶劣天气', 'Severe weather'],
  'pt.other': ['其他', 'Other'],
  'ops.schedules': ['应急演练与风险评估', 'Drills and risk assessments'],
  'ops.new_schedule': ['新建计划', 'New schedule'],
  'ops.f.kind': ['种类', 'Kind'],
  'sk.drill': ['应急演练', 'Drill'],
  'sk.risk_assessment': ['风险评估', 'Risk assessment'],
  'ops.f.interval_days': ['间隔（天）', 'Every (days)'],
  'ops.f.start': ['起算日期', 'Counted from'],
  'ops.f.plan': ['对应预案（可选）', 'Plan (optional)'],
  'ops.f.none': ['—', '—'],
  'ops.last_held': ['上次', 'Last held'],
  'ops.next_due': ['下次应于', 'Next due'],
  'ops.record': ['记录一次', 'Record one'],
  'ops.f.date': ['日期', 'Date'],
  'ops.f.participants': ['参加人数', 'Participants'],
  'ops.f.findings': ['发现的问题', 'Findings'],
  'ops.no_schedules': ['尚无演练或评估计划', 'No schedules yet'],
  'ops.facilities': ['设施设备', 'Facilities'],
  'ops.new_facility': ['登记设施设备', 'Register a facility'],
  'ops.f.name': ['名称', 'Name'],
  'ops.f.location': ['位置', 'Location'],
  'ops.f.device': ['关联设备编号（可选）', 'Linked device id (optional)'],
  'ops.f.maintenance_days': ['维护周期（天，0 为无）', 'Maintenance every (days, 0 none)'],
  'ops.f.inspection_days': ['检查周期（天，0 为无）', 'Inspection every (days, 0 none)'],
  'fk.kiosk': ['取号机', 'Kiosk'],
  'fk.display': ['显示屏', 'Display'],
  'fk.printer': ['打印机', 'Printer'],
  'fk.pad': ['评价器', 'Evaluation pad'],
  'fk.fire_equipment': ['消防设施', 'Fire equipment'],
  'fk.emergency_equipment': ['应急设施', 'Emergency equipment'],
  'fk.other': ['其他', 'Other'],
  'ops.next_maintenance': ['下次维护', 'Next maintenance'],
  'ops.next_inspection': ['下次检查', 'Next inspection'],
  'ops.device': ['设备状态', 'Device'],
  'ops.online': ['在线', 'alive'],
  'ops.silent': ['失联', 'silent'],
  'ops.log': ['记录维护/检查', 'Log maintenance/inspection'],
  'ops.f.log_type': ['类型', 'Type'],
  'lt.maintenance': ['维护', 'Maintenance'],
  'lt.inspection': ['检查', 'Inspection'],
  'ops.f.result': ['结果', 'Result'],
  'ops.no_facilities': ['尚未登记设施设备', 'No facilities registered yet'],
  'ops.pick': ['选择', 'Select'],
  'ops.for': ['对象：{x}', 'For: {x}'],
  'ops.pick_first': ['请先在表中选择一项', 'Select a row in the table first'],
});

const tr = (prefix, v) => {
  const k = prefix + (v ?? '');
  const s = i18n.t(k);
  return s === k ? String(v ?? '') : s;
};
const d = (s) => s || '—';
const late = () => h('span', { class: 'badge bad' }, i18n.t('ops.overdue'));
const PLAN_TYPES = ['fire', 'power', 'system', 'crowd', 'medical', 'security', 'weather', 'other'];
const FAC_KINDS = ['kiosk', 'display', 'printer', 'pad', 'fire_equipment', 'emergency_equipment', 'other'];

const state = { overview: null, plans: null, schedules: null, facilities: null, sel: { plan: null, schedule: null, facility: null } };

// ---- overview ----
function renderOverview() {
  const o = state.overview;
  if (!o) return;
  $('#ov-counts').textContent = i18n.t('ops.counts', { n: o.total, a: o.active_incidents });
  $('#overview').dataset.total = String(o.total);
  const items = o.items.map((it) =>
    h('li', { class: 'overdue', dataset: { kind: it.kind } }, h('strong', null, tr('ops.k.', it.kind)), ' · ', it.title, ' · ',
      it.due ? i18n.t('ops.due', { d: it.due }) : i18n.t('ops.silent_for', { m: Math.ceil((it.silent_s || 0) / 60) }))
  );
  replace($('#ov-items'), items.length ? items : h('li', null, i18n.t('ops.none_overdue')));
}

// ---- plans ----
function selectRow(kind, id) {
  state.sel[kind] = id;
  renderAll();
}

function renderPlans() {
  const p = state.plans;
  if (!p) return;
  const rows = p.plans.map((x) =>
    h('tr', { class: [x.review_overdue ? 'overdue' : '', state.sel.plan === x.id ? 'selected' : ''].join(' ').trim() || null, dataset: { id: x.id } },
      h('td', null, tr('pt.', x.type)),
      h('td', null, x.title),
      h('td', null, x.trigger),
      h('td', null, h('ol', { class: 'steps' }, (x.steps || []).map((s) => h('li', null, s)))),
      h('td', null, d(x.review_by), ' ', x.review_overdue ? late() : null, h('div', { class: 'muted' }, i18n.t('ops.reviews', { n: x.reviews.length }))),
      h('td', null,
        h('button', { class: 'btn small', type: 'button', onclick: () => selectRow('plan', x.id) }, i18n.t('ops.pick')), ' ',
        h('button', { class: 'btn small danger', type: 'button', onclick: () => removeRec(`/ops/plans/${api.seg(x.id)}`) }, i18n.t('ops.delete')))
    )
  );
  replace($('#plan-rows'), rows.length ? rows : h('tr', null, h('td', { colspan: 6 }, i18n.t('ops.no_plans'))));
  const sel = p.plans.find((x) => x.id === state.sel.plan);
  $('#plan-for').textContent = sel ? i18n.t('ops.for', { x: sel.title }) : i18n.t('ops.pick_first');
  // plan choices for the schedule and incident forms
  for (const s of document.querySelectorAll('select.plan-choice')) {
    const v = s.value;
    replace(s, s.dataset.optional ? h('option', { value: '' }, i18n.t('ops.f.none')) : null, p.plans.map((x) => h('option', { value: x.id }, `${tr('pt.', x.type)} · ${x.title}`)));
    if ([...s.options].some((o) => o.value === v)) s.value = v; // else the first plan
  }
}

// ---- schedules ----
function renderSchedules() {
  const s = state.schedules;
  if (!s) return;
  const rows = s.schedules.map((x) =>
    h('tr', { class: [x.overdue ? 'overdue' : '', state.sel.schedule === x.id ? 'selected' : ''].join(' ').trim() || null, dataset: { id: x.id } },
      h('td', null, tr('sk.', x.kind)),
      h('td', null, x.title),
      h('td', { class: 'num' }, String(x.interval_days)),
      h('td', null, d(x.last_held)),
      h('td', null, d(x.next_due), ' ', x.overdue ? late() : null),
      h('td', null, h('button', { class: 'btn small', type: 'button', onclick: () => selectRow('schedule', x.id) }, i18n.t('ops.pick')))
    )
  );
  replace($('#sched-rows'), rows.length ? rows : h('tr', null, h('td', { colspan: 6 }, i18n.t('ops.no_schedules'))));
  const sel = s.schedules.find((x) => x.id === state.sel.schedule);
  $('#sched-for').textContent = sel ? i18n.t('ops.for', { x: sel.title }) : i18n.t('ops.pick_first');
}

// ---- facilities ----
function renderFacilities() {
  const f = state.facilities;
  if (!f) return;
  const rows = f.facilities.map((x) =>
    h('tr', { class: [x.overdue || x.device_silent ? 'overdue' : '', state.sel.facility === x.id ? 'selected' : ''].join(' ').trim() || null, dataset: { id: x.id } },
      h('td', null, x.name),
      h('td', null, tr('fk.', x.kind)),
      h('td', null, d(x.location)),
      h('td', null, d(x.next_maintenance), ' ', x.maintenance_overdue ? late() : null),
      h('td', null, d(x.next_inspection), ' ', x.inspection_overdue ? late() : null),
      h('td', null, x.device ? [x.device, ' ', h('span', { class: `badge ${x.device_silent ? 'bad' : 'open'}` }, i18n.t(x.device_silent ? 'ops.silent' : 'ops.online'))] : '—'),
      h('td', null,
        h('button', { class: 'btn small', type: 'button', onclick: () => selectRow('facility', x.id) }, i18n.t('ops.pick')), ' ',
        h('button', { class: 'btn small danger', type: 'button', onclick: () => removeRec(`/ops/facilities/${api.seg(x.id)}`) }, i18n.t('ops.delete')))
    )
  );
  replace($('#fac-rows'), rows.length ? rows : h('tr', null, h('td', { colspan: 7 }, i18n.t('ops.no_facilities'))));
  const sel = f.facilities.find((x) => x.id === state.sel.facility);
  $('#fac-for').textContent = sel ? i18n.t('ops.for', { x: sel.name }) : i18n.t('ops.pick_first');
}

function renderAll() {
  renderOverview();
  renderPlans();
  renderSchedules();
  renderFacilities();
  incidents.render();
}

async function removeRec(path) {
  try {
    await api.del(path);
    await load();
  } catch (e) {
    showMsg($('#msg'), errText(e));
  }
}

async function load() {
  try {
    const [o, p, s, f] = await Promise.all([api.get('/ops/overview'), api.get('/ops/plans'), api.get('/ops/schedules'), api.get('/ops/facilities')]);
    Object.assign(state, { overview: o, plans: p, schedules: s, facilities: f });
    renderAll();
    await incidents.load();
  } catch (e) {
    showMsg($('#msg'), errText(e));
  }
}

const need = (id) => {
  if (!id) throw Object.assign(new Error(i18n.t('ops.pick_first')), {});
  return api.seg(id);
};

function mountForms() {
  const opt = (list, prefix) => list.map((v) => [v, prefix + v]);
  $('#plan-new').append(form('pl', [
    { name: 'type', label: 'ops.f.type', type: 'select', options: opt(PLAN_TYPES, 'pt.') },
    { name: 'title', label: 'ops.f.title', required: true },
    { name: 'trigger', label: 'ops.f.trigger', required: true },
    { name: 'review_by', label: 'ops.f.review_by', type: 'date', required: true },
    { name: 'steps', label: 'ops.f.steps', type: 'lines', wide: true },
    { name: 'roles', label: 'ops.f.roles', type: 'lines' },
    { name: 'contacts', label: 'ops.f.contacts', type: 'lines' },
  ], 'ops.new_plan', async (v) => {
    v.roles = parseRows(v.roles, ['role', 'duty']);
    v.contacts = parseRows(v.contacts, ['name', 'role', 'phone']);
    await api.post('/ops/plans', v);
    await load();
  }));
  $('#plan-review').append(form('pr', [
    { name: 'next_review_by', label: 'ops.f.next_review_by', type: 'date', required: true },
    { name: 'note', label: 'ops.f.note' },
  ], 'ops.review', async (v) => {
    await api.post(`/ops/plans/${need(state.sel.plan)}/review`, v);
    await load();
  }));
  $('#sched-new').append(form('sc', [
    { name: 'kind', label: 'ops.f.kind', type: 'select', options: opt(['drill', 'risk_assessment'], 'sk.') },
    { name: 'title', label: 'ops.f.title', required: true },
    { name: 'interval_days', label: 'ops.f.interval_days', type: 'number', min: 1, required: true },
    { name: 'start', label: 'ops.f.start', type: 'date' },
    { name: 'plan', label: 'ops.f.plan', type: 'select', options: [['', 'ops.f.none']] },
  ], 'ops.new_schedule', async (v) => {
    await api.post('/ops/schedules', v);
    await load();
  }));
  $('#sc-plan').classList.add('plan-choice');
  $('#sc-plan').dataset.optional = '1';
  $('#sched-record').append(form('sr', [
    { name: 'date', label: 'ops.f.date', type: 'date', required: true },
    { name: 'participants', label: 'ops.f.participants', type: 'number', min: 0, required: true },
    { name: 'findings', label: 'ops.f.findings', type: 'textarea' },
  ], 'ops.record', async (v) => {
    await api.post(`/ops/schedules/${need(state.sel.schedule)}/records`, v);
    await load();
  }));
  $('#fac-new').append(form('fa', [
    { name: 'name', label: 'ops.f.name', required: true },
    { name: 'kind', label: 'ops.f.kind', type: 'select', options: opt(FAC_KINDS, 'fk.') },
    { name: 'location', label: 'ops.f.location' },
    { name: 'device', label: 'ops.f.device' },
    { name: 'maintenance_days', label: 'ops.f.maintenance_days', type: 'number', min: 0 },
    { name: 'inspection_days', label: 'ops.f.inspection_days', type: 'number', min: 0 },
    { name: 'start', label: 'ops.f.start', type: 'date' },
  ], 'ops.new_facility', async (v) => {
    await api.post('/ops/facilities', v);
    await load();
  }));
  $('#fac-log').append(form('fl', [
    { name: 'type', label: 'ops.f.log_type', type: 'select', options: opt(['maintenance', 'inspection'], 'lt.') },
    { name: 'date', label: 'ops.f.date', type: 'date', required: true },
    { name: 'result', label: 'ops.f.result' },
  ], 'ops.log', async (v) => {
    await api.post(`/ops/facilities/${need(state.sel.facility)}/log`, v);
    await load();
  }));
}

boot();
i18n.onChange(renderAll);
requireLogin({
  roles: ['manager', 'admin'],
  onReady: async (u) => {
    mountUserBar($('#userbar'), u);
    try {
      $('#hall-name').textContent = i18n.nameOf(await api.get('/hall', { auth: false }));
    } catch {
      /* the name is a nicety */
    }
    mountForms();
    incidents.mount({ reload: load, state });
    await load();
    events.connect({ onEvent: (type) => (type.startsWith('ops.') || type.startsWith('hall.') ? load() : null) });
    setInterval(load, 60000); // due days move with the clock
  },
});
