// SPDX-License-Identifier: MIT
// admin_retire.js — services and staff retired from the admin page (POST /retired-services,
// /retired-staff; docs/SETUP.md "Records that can be corrected"): the 撤销 button of each row asks
// first, then the record leaves every list and page; the lists of retired services and staff
// under their tabs offer 恢复 (back switched off / off duty) and 彻底删除. A refusal is shown in
// the page's language and the field it names is focused; when customers wait for a service the
// page asks where to transfer them (the choice switching off has), in a box under the list.
// Each list says it is loaded with data-state="ready" on its box (tests wait for that).
import * as api from './api.js';
import * as i18n from './i18n.js';
import { h, $, replace, showMsg, errText } from './ui.js';

i18n.add({
  'rt.retire': ['撤销', 'Retire'],
  'rt.svc_label': ['撤销业务 {c}', 'Retire service {c}'],
  'rt.staff_label': ['撤销人员 {c}', 'Retire {c}'],
  'rt.svc_q': ['撤销业务 {c}（{n}）？它将从取号机、预约页面、窗口与业务选择、显示屏和业务列表中消失；统计和报表保留其名称，可随时恢复。', 'Retire service {c} ({n})? It leaves the kiosk, the booking page, the window and service pickers, the display and the services list; statistics and reports keep its name, and it can be restored.'],
  'rt.staff_q': ['撤销人员 {c}（{n}）？其将从所有名单和页面消失，不能再登录（已登录的立即退出）；号票、评价、统计和报表保留其姓名，可随时恢复。', 'Retire {c} ({n})? They leave every list and page and cannot sign in (signed-in sessions end at once); tickets, evaluations, statistics and reports keep their name, and they can be restored.'],
  'rt.svc_h': ['已撤销的业务', 'Retired services'],
  'rt.svc_help': ['撤销的业务不再出现在任何页面，其代码在撤销期间不能用于新业务；统计和报表保留。恢复后为停用状态。没有任何记录引用的可以彻底删除。', 'Retired services appear on no page and their code cannot be used for a new service while retired; statistics and reports keep them. A restored service comes back switched off. One that nothing refers to can be deleted for good.'],
  'rt.staff_h': ['已撤销的人员', 'Retired staff'],
  'rt.staff_help': ['撤销的人员不再出现在任何名单，不能登录；办理记录、评价和统计保留其姓名。恢复后为不在岗。没有任何记录引用的（号票、培训记录、应急预案、投诉等）可以彻底删除。', 'Retired staff appear on no list and cannot sign in; their records, evaluations and statistics keep their name. A restored staff member comes back off duty. One that nothing refers to (tickets, training records, emergency plans, complaints …) can be deleted for good.'],
  'rt.none': ['暂无', 'None'],
  'rt.retired_at': ['撤销时间', 'Retired at'],
  'rt.by': ['操作人', 'By'],
  'rt.restore': ['恢复', 'Restore'],
  'rt.restore_label': ['恢复 {c}', 'Restore {c}'],
  'rt.delete': ['彻底删除', 'Delete for good'],
  'rt.delete_label': ['彻底删除 {c}', 'Delete {c} for good'],
  'rt.delete_q': ['彻底删除 {c}？此操作不可恢复。', 'Delete {c} for good? This cannot be undone.'],
  'rt.retired': ['已撤销 {c}', '{c} retired'],
  'rt.restored': ['已恢复 {c}', '{c} restored'],
  'rt.deleted': ['已彻底删除 {c}', '{c} deleted for good'],
  'rt.waiting_q': ['业务 {c} 还有群众在等候，且已没有窗口办理。请选择转到的业务（保留号码和排队位置），然后撤销：', 'Customers still wait for service {c} and no window serves it any more. Choose the service to transfer them to (same numbers and places), then retire it:'],
  'rt.transfer_to': ['转到业务', 'Transfer to'],
  'rt.transfer_do': ['转移并撤销', 'Transfer and retire'],
  'rt.cancel': ['取消', 'Cancel'],
});

const msg = (t, k) => showMsg($('#msg'), t, k);
const reloads = { services: null, staff: null };

// The field a refusal names, focused (its head: "services[0]" → services).
function focusField(err, ids) {
  const head = (err && err.field ? String(err.field) : '').split(/[.[]/)[0];
  const el = ids[head] && $(ids[head]);
  if (el && !el.hidden) el.focus();
}

async function change(kind, fn, done) {
  try {
    await fn();
    msg(done, 'ok');
    return true;
  } catch (err) {
    msg(errText(err));
    return err;
  } finally {
    reloads[kind]?.();
  }
}

// The 撤销 button of a service row (admin.js loadServices).
export function serviceButton(s, reload) {
  reloads.services = reload;
  return h('button', { class: 'btn small danger svc-retire', type: 'button', 'aria-label': i18n.t('rt.svc_label', { c: s.code }), onclick: () => retireService(s) }, i18n.t('rt.retire'));
}

// The 撤销 button of a staff row (admin.js loadStaff).
export function staffButton(u, reload) {
  reloads.staff = reload;
  return h('button', { class: 'btn small danger staff-retire', type: 'button', 'aria-label': i18n.t('rt.staff_label', { c: u.username }), onclick: () => retireStaff(u) }, i18n.t('rt.retire'));
}

async function retireService(s, body = {}) {
  if (!body.waiting_action && !confirm(i18n.t('rt.svc_q', { c: s.code, n: s.name }))) return;
  const r = await change('services', () => api.post('/retired-services', { code: s.code, ...body }), i18n.t('rt.retired', { c: s.code }));
  if (r === true) {
    $('#rt-svc-waiting').hidden = true;
    return;
  }
  if (r && r.field === 'waiting_action') await askTransfer(s);
  else focusField(r, { transfer_to: '#rt-svc-to' });
}

// Customers wait for it: where to? (the choice switching off has; keep needs a window serving it)
async function askTransfer(s) {
  const box = $('#rt-svc-waiting');
  let others = [];
  try {
    others = (await api.get('/services')).filter((x) => x.enabled && x.code !== s.code);
  } catch (err) {
    msg(errText(err));
  }
  $('#rt-svc-waiting-q').textContent = i18n.t('rt.waiting_q', { c: s.code });
  replace($('#rt-svc-to'), ...others.map((x) => h('option', { value: x.code }, `${x.code} ${i18n.lang() === 'en' && x.name_en ? x.name_en : x.name}`)));
  $('#rt-svc-do').onclick = () => retireService(s, { waiting_action: 'transfer', transfer_to: $('#rt-svc-to').value });
  $('#rt-svc-cancel').onclick = () => (box.hidden = true);
  box.hidden = false;
  $('#rt-svc-to').focus();
}

async function retireStaff(u) {
  if (!confirm(i18n.t('rt.staff_q', { c: u.username, n: u.name }))) return;
  await change('staff', () => api.post('/retired-staff', { username: u.username }), i18n.t('rt.retired', { c: u.username }));
}

function row(key, name, x, kind) {
  const restorePath = kind === 'services' ? `/retired-services/${api.seg(key)}/restore` : `/retired-staff/${api.seg(key)}/restore`;
  const deletePath = kind === 'services' ? `/services/${api.seg(key)}/permanent` : `/staff/${api.seg(key)}/permanent`;
  return h('tr', { dataset: { key } },
    h('td', null, key), h('td', null, name), h('td', null, i18n.fmtDateTime(x.retired_at)), h('td', null, x.retired_by || ''),
    h('td', { class: 'row-actions' },
      h('button', { class: 'btn small rt-restore', type: 'button', 'aria-label': i18n.t('rt.restore_label', { c: key }), onclick: () => change(kind, () => api.post(restorePath, {}), i18n.t('rt.restored', { c: key })) }, i18n.t('rt.restore')),
      h('button', { class: 'btn small danger rt-delete', type: 'button', 'aria-label': i18n.t('rt.delete_label', { c: key }), onclick: () => confirm(i18n.t('rt.delete_q', { c: key })) && change(kind, () => api.del(deletePath), i18n.t('rt.deleted', { c: key })) }, i18n.t('rt.delete'))));
}

async function load(kind, path, box, body, nameOf) {
  $(box).dataset.state = 'loading';
  try {
    const list = await api.get(path);
    replace($(body), ...(list.length ? list.map((x) => row(kind === 'services' ? x.code : x.username, nameOf(x), x, kind)) : [h('tr', null, h('td', { colspan: '5' }, i18n.t('rt.none')))]));
  } catch (err) {
    msg(errText(err));
  }
  $(box).dataset.state = 'ready';
}

export function loadServices() {
  return load('services', '/retired-services', '#rt-svc-box', '#rt-svc', (x) => (i18n.lang() === 'en' && x.name_en ? x.name_en : x.name));
}

export function loadStaff() {
  return load('staff', '/retired-staff', '#rt-staff-box', '#rt-staff', (x) => x.name);
}
