// SPDX-License-Identifier: MIT
// admin.js — configuration: services (GET/POST/PUT /services), windows (GET/POST/PUT /windows),
// staff and certifications (GET/POST/PUT /staff), hall settings (GET/PUT /hall) with hours, the
// waiting target and public information (public_info.complaints feeds the complaints page).

import * as api from './api.js';
import * as i18n from './i18n.js';
import { h, $, $$, replace, boot, showMsg, errText, requireLogin, mountUserBar } from './ui.js';

i18n.add({
  'ad.title': ['系统管理', 'Administration'],
  'skip': ['跳到主要内容', 'Skip to main content'],
  'ad.services': ['业务', 'Services'],
  'ad.windows': ['窗口', 'Windows'],
  'ad.staff': ['人员与资质', 'Staff and certifications'],
  'ad.hall': ['大厅设置', 'Hall settings'],
  'ad.code': ['代码', 'Code'],
  'ad.name': ['名称', 'Name'],
  'ad.name_en': ['英文名称', 'English name'],
  'ad.avg': ['平均时长(秒)', 'Average time (s)'],
  'ad.quota': ['日限额', 'Daily quota'],
  'ad.docs': ['所需材料', 'Documents'],
  'ad.docs_help': ['所需材料（每行一项）', 'Required documents (one a line)'],
  'ad.svc_hours': ['办理时间（留空则按大厅时间）', 'Hours (empty: the hall\'s)'],
  'ad.enabled': ['启用', 'Enabled'],
  'ad.svc_new': ['新增业务', 'New service'],
  'ad.svc_edit': ['修改业务 {c}', 'Edit service {c}'],
  'ad.new': ['新建', 'New'],
  'ad.number': ['编号', 'Number'],
  'ad.win_services': ['业务（优先顺序）', 'Services (in order)'],
  'ad.win_services_help': ['业务代码（逗号分隔，按优先顺序）', 'Service codes (comma separated, in order)'],
  'ad.win_new': ['新增窗口', 'New window'],
  'ad.win_edit': ['修改窗口 {c}', 'Edit window {c}'],
  'ad.role': ['角色', 'Role'],
  'ad.certs': ['资质（业务 至 有效期）', 'Certifications (service until)'],
  'ad.certs_help': ['资质：每行 “业务代码 有效期”，如 A 2027-06-30', 'Certifications: one a line, "code expiry", e.g. A 2027-06-30'],
  'ad.password': ['密码（修改时可留空）', 'Password (empty keeps it)'],
  'ad.active': ['在岗', 'Active'],
  'ad.staff_new': ['新增人员', 'New staff member'],
  'ad.staff_edit': ['修改人员 {c}', 'Edit {c}'],
  'ad.hall_name': ['大厅名称', 'Hall name'],
  'ad.tz': ['时区', 'Time zone'],
  'ad.target': ['等候目标(秒)', 'Waiting target (s)'],
  'ad.hours': ['开放时间（HH:MM-HH:MM，留空为休息；全部留空为全天开放）', 'Opening hours (HH:MM-HH:MM, empty = closed; all empty = always open)'],
  'ad.public_info': ['公开信息（JSON：投诉渠道 complaints、证照、收费标准等）', 'Public information (JSON: complaints channels, licences, prices …)'],
  'ad.saved': ['已保存', 'Saved'],
  'ad.bad_json': ['公开信息不是有效的 JSON 对象', 'Public information is not a valid JSON object'],
  'ad.bad_hours': ['时间格式应为 HH:MM-HH:MM', 'Hours must look like HH:MM-HH:MM'],
  'ad.devices': ['设备', 'Devices'],
  'ad.dev_help': ['评价器和取号机需登记为设备：登记后用给出的地址在该设备上打开一次页面，密钥会保存在设备上。', 'Evaluation pads and kiosks are registered as devices: open the address given once on the device, which keeps the key.'],
  'ad.dev_name': ['设备名称', 'Device name'],
  'ad.dev_page': ['页面', 'Page'],
  'ad.dev_register': ['登记', 'Register'],
  'ad.dev_done': ['已登记“{n}”。请在该设备上打开以下地址（只显示一次）：', 'Registered "{n}". Open this address once on the device (shown only now):'],
  'mg.state': ['状态', 'State'],
  'yes': ['是', 'yes'],
  'no': ['否', 'no'],
});

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
let editing = { svc: null, win: null, staff: null };
const msg = (t, k) => showMsg($('#msg'), t, k);

function tab(name) {
  for (const b of $$('[data-tab]')) b.setAttribute('aria-selected', String(b.dataset.tab === name));
  for (const s of $$('[role=tabpanel]')) s.hidden = s.id !== 'tab-' + name;
  msg('');
  ({ services: loadServices, windows: loadWindows, staff: loadStaff, hall: loadHall, devices: () => {} })[name]();
}

// "mon-fri 09:00-17:00; sat 09:00-12:00" ⇄ {"mon":"09:00-17:00",…}
function parseHoursText(s) {
  s = s.trim();
  if (!s) return null;
  const out = Object.fromEntries(DAYS.map((d) => [d, null]));
  for (const part of s.split(/[;；,]/)) {
    const m = /^\s*(\w{3})(?:\s*-\s*(\w{3}))?\s+(\d\d:\d\d-\d\d:\d\d)\s*$/.exec(part);
    if (!m) throw new Error(i18n.t('ad.bad_hours'));
    const a = DAYS.indexOf(m[1]);
    const b = m[2] ? DAYS.indexOf(m[2]) : a;
    if (a < 0 || b < 0) throw new Error(i18n.t('ad.bad_hours'));
    for (let i = a; i <= b; i++) out[DAYS[i]] = m[3];
  }
  return out;
}
function hoursText(hrs) {
  if (!hrs) return '';
  return DAYS.filter((d) => hrs[d]).map((d) => `${d} ${hrs[d]}`).join('; ');
}

async function loadServices() {
  try {
    const list = await api.get('/services');
    replace(
      $('#services'),
      ...list.map((s) =>
        h('tr', { dataset: { code: s.code } },
          h('td', null, s.code), h('td', null, s.name), h('td', null, s.name_en || ''), h('td', { class: 'num' }, String(s.avg_service_s)), h('td', { class: 'num' }, String(s.daily_quota || '—')),
          h('td', null, (s.documents || []).join('、')), h('td', null, i18n.t(s.enabled ? 'yes' : 'no')),
          h('td', null, h('button', { class: 'btn small', type: 'button', onclick: () => editService(s) }, i18n.t('edit')))),
      ),
    );
  } catch (e) {
    msg(errText(e));
  }
}

function editService(s) {
  editing.svc = s.code;
  $('#svc-form-h').textContent = i18n.t('ad.svc_edit', { c: s.code });
  $('#s-code').value = s.code;
  $('#s-code').disabled = true;
  $('#s-name').value = s.name;
  $('#s-name-en').value = s.name_en || '';
  $('#s-avg').value = s.avg_service_s;
  $('#s-quota').value = s.daily_quota || 0;
  $('#s-enabled').checked = !!s.enabled;
  $('#s-docs').value = (s.documents || []).join('\n');
  $('#s-hours').value = hoursText(s.hours);
  $('#s-name').focus();
}

async function saveService(e) {
  e.preventDefault();
  let hours;
  try {
    hours = parseHoursText($('#s-hours').value);
  } catch (err) {
    return msg(err.message);
  }
  const body = {
    name: $('#s-name').value.trim(),
    name_en: $('#s-name-en').value.trim(),
    avg_service_s: Number($('#s-avg').value),
    daily_quota: Number($('#s-quota').value) || 0,
    enabled: $('#s-enabled').checked,
    documents: $('#s-docs').value.split('\n').map((x) => x.trim()).filter(Boolean),
    hours,
  };
  try {
    if (editing.svc) await api.put(`/services/${api.seg(editing.svc)}`, body);
    else await api.post('/services', { code: $('#s-code').value.trim().toUpperCase(), ...body });
    msg(i18n.t('ad.saved'), 'ok');
    $('#svc-form').reset();
    loadServices();
  } catch (err) {
    msg(errText(err));
  }
}

async function loadWindows() {
  try {
    const list = await api.get('/windows');
    replace(
      $('#windows'),
      ...list.map((w) =>
        h('tr', { dataset: { window: w.number } },
          h('td', null, String(w.number)), h('td', null, w.name || ''), h('td', null, (w.services || []).join(', ')), h('td', null, i18n.t('win.' + w.state)),
          h('td', null, h('button', { class: 'btn small', type: 'button', onclick: () => editWindow(w) }, i18n.t('edit')))),
      ),
    );
  } catch (e) {
    msg(errText(e));
  }
}

function editWindow(w) {
  editing.win = w.number;
  $('#win-form-h').textContent = i18n.t('ad.win_edit', { c: w.number });
  $('#w-number').value = w.number;
  $('#w-number').disabled = true;
  $('#w-name').value = w.name || '';
  $('#w-services').value = (w.services || []).join(',');
}

async function saveWindow(e) {
  e.preventDefault();
  const body = { services: $('#w-services').value.split(/[,，\s]+/).map((x) => x.trim().toUpperCase()).filter(Boolean) };
  const name = $('#w-name').value.trim();
  if (name) body.name = name;
  try {
    if (editing.win) await api.put(`/windows/${editing.win}`, body);
    else await api.post('/windows', { number: Number($('#w-number').value), ...body });
    msg(i18n.t('ad.saved'), 'ok');
    $('#win-form').reset();
    loadWindows();
  } catch (err) {
    msg(errText(err));
  }
}

async function loadStaff() {
  try {
    const list = await api.get('/staff');
    replace(
      $('#staff'),
      ...list.map((u) =>
        h('tr', { dataset: { username: u.username } },
          h('td', null, u.username), h('td', null, u.name), h('td', null, i18n.t('role.' + u.role)),
          h('td', null, (u.certifications || []).map((c) => `${c.service} → ${c.expires_on}`).join('; ')),
          h('td', null, i18n.t(u.active === false ? 'no' : 'yes')),
          h('td', null, h('button', { class: 'btn small', type: 'button', onclick: () => editStaff(u) }, i18n.t('edit')))),
      ),
    );
  } catch (e) {
    msg(errText(e));
  }
}

function editStaff(u) {
  editing.staff = u.username;
  $('#staff-form-h').textContent = i18n.t('ad.staff_edit', { c: u.username });
  $('#u-username').value = u.username;
  $('#u-username').disabled = true;
  $('#u-name').value = u.name;
  $('#u-role').value = u.role;
  $('#u-password').value = '';
  $('#u-certs').value = (u.certifications || []).map((c) => `${c.service} ${c.expires_on}`).join('\n');
  $('#u-active').checked = u.active !== false;
}

async function saveStaff(e) {
  e.preventDefault();
  const certifications = $('#u-certs').value.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
    const [service, expires_on] = l.split(/\s+/);
    return { service: (service || '').toUpperCase(), expires_on };
  });
  const body = { name: $('#u-name').value.trim(), role: $('#u-role').value, certifications, active: $('#u-active').checked };
  const pw = $('#u-password').value;
  if (pw) body.password = pw;
  try {
    if (editing.staff) await api.put(`/staff/${api.seg(editing.staff)}`, body);
    else await api.post('/staff', { username: $('#u-username').value.trim(), ...body });
    msg(i18n.t('ad.saved'), 'ok');
    $('#staff-form').reset();
    loadStaff();
  } catch (err) {
    msg(errText(err));
  }
}

async function loadHall() {
  try {
    const hall = await api.get('/hall');
    $('#h-name').value = hall.name || '';
    $('#h-name-en').value = hall.name_en || '';
    $('#h-tz').value = hall.timezone || '';
    $('#h-target').value = hall.target_wait_s || 900;
    replace($('#h-hours'), ...DAYS.map((d) => h('div', null, h('label', { for: 'h-' + d }, i18n.t('day.' + d)), h('input', { id: 'h-' + d, value: hall.hours?.[d] || '', placeholder: '09:00-17:00', pattern: '\\d\\d:\\d\\d-\\d\\d:\\d\\d' }))));
    const info = hall.public_info && Object.keys(hall.public_info).length ? hall.public_info : { complaints: { phone: '', web: '', department: '', procedure: '', time_limits: '', channels: ['hotline', 'web', 'box', 'letter', 'in_person'] } };
    $('#h-info').value = JSON.stringify(info, null, 2);
  } catch (e) {
    msg(errText(e));
  }
}

async function saveHall(e) {
  e.preventDefault();
  let public_info;
  try {
    public_info = JSON.parse($('#h-info').value || '{}');
    if (!public_info || typeof public_info !== 'object' || Array.isArray(public_info)) throw new Error();
  } catch {
    return msg(i18n.t('ad.bad_json'));
  }
  const vals = DAYS.map((d) => $('#h-' + d).value.trim());
  if (vals.some((v) => v && !/^\d\d:\d\d-\d\d:\d\d$/.test(v))) return msg(i18n.t('ad.bad_hours'));
  const hours = vals.every((v) => !v) ? null : Object.fromEntries(DAYS.map((d, i) => [d, vals[i] || null]));
  const body = { name: $('#h-name').value.trim(), name_en: $('#h-name-en').value.trim(), hours, target_wait_s: Number($('#h-target').value) || 900, public_info };
  const tz = $('#h-tz').value.trim();
  if (tz) body.timezone = tz;
  try {
    await api.put('/hall', body);
    msg(i18n.t('ad.saved'), 'ok');
    loadHall();
  } catch (err) {
    msg(errText(err));
  }
}

async function registerDevice(e) {
  e.preventDefault();
  try {
    const r = await api.post('/devices', { name: $('#d-name').value.trim() });
    let page = $('#d-page').value.trim() || '/pad/1';
    if (!page.startsWith('/')) page = '/' + page;
    const addr = `${location.origin}${page}${page.includes('?') ? '&' : '?'}device=${encodeURIComponent(r.key)}`;
    replace($('#dev-out'), h('p', { class: 'msg ok' }, i18n.t('ad.dev_done', { n: r.name })), h('p', null, h('code', { id: 'dev-url' }, addr)));
  } catch (err) {
    msg(errText(err));
  }
}

boot();
$('#dev-form').addEventListener('submit', registerDevice);
for (const b of $$('[data-tab]')) b.addEventListener('click', () => tab(b.dataset.tab));
$('#svc-form').addEventListener('submit', saveService);
$('#win-form').addEventListener('submit', saveWindow);
$('#staff-form').addEventListener('submit', saveStaff);
$('#hall-form').addEventListener('submit', saveHall);
for (const [form, key, field, head, txt] of [
  ['#svc-form', 'svc', '#s-code', '#svc-form-h', 'ad.svc_new'],
  ['#win-form', 'win', '#w-number', '#win-form-h', 'ad.win_new'],
  ['#staff-form', 'staff', '#u-username', '#staff-form-h', 'ad.staff_new'],
]) {
  $(form).addEventListener('reset', () => {
    editing[key] = null;
    $(field).disabled = false;
    $(head).textContent = i18n.t(txt);
  });
}
i18n.onChange(() => tab($('[data-tab][aria-selected=true]').dataset.tab));
requireLogin({ roles: ['admin'], onReady: (u) => {
  mountUserBar($('#userbar'), u);
  tab('services');
} });
