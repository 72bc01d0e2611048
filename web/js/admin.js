// SPDX-License-Identifier: MIT
// admin.js — configuration: services (GET/POST/PUT /services), windows (GET/POST/PUT /windows),
// staff and certifications (GET/POST/PUT /staff), hall settings (GET/PUT /hall) with hours, the
// waiting target and public information (public_info.complaints feeds the complaints page). The
// hall's and each service's hours are a weekly grid (hours_grid.js); a refusal of the server is
// marked on the grid's row of that day.

import * as api from './api.js';
import * as i18n from './i18n.js';
import { h, $, $$, replace, boot, showMsg, errText, requireLogin, mountUserBar } from './ui.js';
import * as devices from './admin_devices.js';
import * as configIo from './admin_config.js';
import * as guide from './admin_guide.js';
import * as hoursGrid from './hours_grid.js';
import * as retire from './admin_retire.js';

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
  'ad.svc_hours': ['办理时间', 'Hours'],
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
  'ad.public_url': ['公开网址（号票二维码与查询链接，手机须能访问）', 'Public URL (QR codes and tracking links; phones must reach it)'],
  'ad.public_url_note': ['留空：使用各设备访问本系统的地址。请填写大厅局域网地址或 HTTPS 域名，不要用 127.0.0.1（见 docs/DEPLOYMENT.md）。', 'Empty: each device\'s own address for hallq. Give the hall\'s LAN address or HTTPS name, never 127.0.0.1 (docs/DEPLOYMENT.md).'],
  'ad.hours': ['开放时间', 'Opening hours'],
  'ad.hours_col': ['办理时间', 'Hours'],
  'ad.hall_hours': ['同大厅', 'as the hall'],
  'ad.expired': ['已过期', 'expired'],
  'ad.public_info': ['其他公开信息（JSON，可选：证照、收费标准等）', 'Other public information (JSON, optional: licences, prices …)'],
  'ad.pi': ['投诉与建议（公开信息）', 'Complaints and suggestions (public information)'],
  'ad.pi.phone': ['投诉电话', 'Complaints phone'],
  'ad.pi.web': ['网上投诉地址', 'Web address'],
  'ad.pi.department': ['受理部门', 'Handling department'],
  'ad.pi.department_en': ['受理部门（英文）', 'Handling department (English)'],
  'ad.pi.address': ['地址', 'Address'],
  'ad.pi.procedure': ['处理程序', 'Procedure'],
  'ad.pi.procedure_en': ['处理程序（英文）', 'Procedure (English)'],
  'ad.pi.time_limits': ['办理时限', 'Time limits'],
  'ad.pi.time_limits_en': ['办理时限（英文）', 'Time limits (English)'],
  'ad.pi.assist': ['无障碍协助', 'Assistance'],
  'ad.pi.assist_en': ['无障碍协助（英文）', 'Assistance (English)'],
  'ad.pi.ack_working_days': ['受理时限（工作日，1–30，默认 1）', 'Acknowledge within (working days, 1–30, default 1)'],
  'ad.pi.resolve_working_days': ['办结时限（工作日，1–60，默认 5）', 'Resolve within (working days, 1–60, default 5)'],
  'ad.pi.channels': ['投诉渠道', 'Channels'],
  'ad.ch.hotline': ['电话', 'Hotline'],
  'ad.ch.web': ['网上', 'Web'],
  'ad.ch.box': ['意见箱', 'Box'],
  'ad.ch.letter': ['信件', 'Letter'],
  'ad.ch.in_person': ['当面', 'In person'],
  'ad.saved': ['已保存', 'Saved'],
  'ad.unserved': ['没有窗口办理的业务', 'Services no window serves'],
  'ad.unserved_issue': ['照常取号，号票提示“当前无窗口办理”', 'Issue tickets, saying "No window is serving this now"'],
  'ad.unserved_refuse': ['停止取号，取号机显示“当前无窗口办理”', 'Stop issuing; the kiosk says "No window is serving this now"'],
  'ad.unserved_rule': ['指已启用、但此刻没有已开启的窗口办理的业务；停止取号时窗口开启后自动恢复。', 'Services switched on that no open window serves now; issuing resumes by itself once a window opens.'],
  'ad.bad_json': ['公开信息不是有效的 JSON 对象', 'Public information is not a valid JSON object'],
  'ad.devices': ['设备', 'Devices'],
  'ad.dev_name': ['设备名称', 'Device name'],
  'mg.state': ['状态', 'State'],
  'ad.svc_windows': ['办理窗口', 'Windows'],
  'ad.no_window': ['无窗口办理', 'No window serves it'],
  'ad.no_window_title': ['没有任何窗口办理此业务：群众取号后将无人叫号。请在“窗口”中添加。', 'No window serves this service: customers would never be called. Add it to a window.'],
  'ad.rule_code': ['1–2 个大写字母，即号码前缀，如 A', '1–2 capital letters, the number prefix, e.g. A'],
  'ad.rule_name': ['1–60 个字', '1–60 characters'],
  'ad.rule_window': ['1–9999，不可与现有或已撤销的窗口重复', '1–9999, not used by a window or a retired one'],
  'ad.rule_win_services': ['至少一项业务代码，如 A,B', 'At least one service code, e.g. A,B'],
  'ad.rule_username': ['1–32 位小写字母、数字或 _ . -', '1–32 of a-z, 0-9, _ . -'],
  'ad.rule_password': ['至少 8 个字符', 'At least 8 characters'],
  'ad.waiting_q': ['有 {n} 位群众正在等候“{s}”。停用后如何处理他们？', '{n} customers are waiting for "{s}". What happens to them once it is switched off?'],
  'ad.waiting_keep': ['继续为他们办理（不再发新号）', 'Keep serving them (no new tickets)'],
  'ad.waiting_transfer': ['转到以下业务（保留号码和排队位置）', 'Transfer them to this service (same numbers and places)'],
  'ad.retire': ['撤销', 'Retire'],
  'ad.retire_q': ['撤销 {n} 号窗口？它将从所有页面消失，办理记录和统计保留，可随时恢复。', 'Retire window {n}? It leaves every page; its records and statistics stay, and it can be restored.'],
  'ad.retired_h': ['已撤销的窗口', 'Retired windows'],
  'ad.retired_help': ['撤销的窗口不再出现在任何页面；其办理记录和统计保留。从未办理过业务的可以彻底删除。', 'Retired windows appear on no page; their records and statistics stay. One that never served anybody can be deleted for good.'],
  'ad.retired_at': ['撤销时间', 'Retired at'],
  'ad.restore': ['恢复', 'Restore'],
  'ad.delete_forever': ['彻底删除', 'Delete for good'],
  'ad.delete_forever_q': ['彻底删除 {n} 号窗口？此操作不可恢复。', 'Delete window {n} for good? This cannot be undone.'],
  'ad.deleted': ['已彻底删除', 'Deleted for good'],
  'ad.delete_svc_label': ['彻底删除业务 {c}', 'Delete service {c} for good'],
  'ad.delete_staff_label': ['彻底删除人员 {c}', 'Delete {c} for good'],
  'ad.delete_svc_q': ['彻底删除业务 {c}（{n}）？只有从未发过号、没有窗口办理、没有人员持有其资质的业务才能删除；否则请改为撤销。此操作不可恢复。', 'Delete service {c} ({n}) for good? Only a service that never issued a ticket, that no window serves, nobody is certified for and no record names can be; otherwise retire it. This cannot be undone.'],
  'ad.delete_staff_q': ['彻底删除人员 {c}（{n}）？只有从未办理过号票、当前未开窗口的人员才能删除；否则请改为撤销。此操作不可恢复。', 'Delete {c} ({n}) for good? Only someone who never served a ticket, has no window open and no record names can be; otherwise retire them. This cannot be undone.'],
  'ad.expires_soon': ['{d} 天后到期', 'expires in {d} days'],
  'yes': ['是', 'yes'],
  'no': ['否', 'no'],
});

// The complaint deadlines in working days (the hall's calendar): numbers, empty for the default.
const PI_DAYS = ['ack_working_days', 'resolve_working_days'];
const PI_FIELDS = ['phone', 'web', 'department', 'department_en', 'address', 'procedure', 'procedure_en', 'time_limits', 'time_limits_en', 'assist', 'assist_en'];
let editing = { svc: null, win: null, staff: null };
const msg = (t, k) => showMsg($('#msg'), t, k);

function tab(name) {
  for (const b of $$('[data-tab]')) b.setAttribute('aria-selected', String(b.dataset.tab === name));
  for (const s of $$('[role=tabpanel]')) s.hidden = s.id !== 'tab-' + name;
  msg('');
  guide.render(); /* a step done in a tab shows as done */
  // other tabs (info: admin_info.js, calendar: admin_calendar.js) load themselves
  ({ services: loadServices, windows: loadWindows, staff: loadStaff, hall: loadHall, devices: devices.load })[name]?.();
}

function hoursText(hrs) {
  if (!hrs || typeof hrs !== 'object') return typeof hrs === 'string' ? hrs : '';
  return i18n.fmtHours(hrs);
}

async function loadServices() {
  try {
    const [list, wins] = await Promise.all([api.get('/services'), api.get('/windows')]);
    const serving = (code) => wins.filter((w) => (w.services || []).includes(code)).map((w) => w.number);
    replace(
      $('#services'),
      ...list.map((s) =>
        h('tr', { dataset: { code: s.code } },
          h('td', null, s.code), h('td', null, s.name), h('td', null, s.name_en || ''), h('td', { class: 'num' }, String(s.avg_service_s)), h('td', { class: 'num' }, String(s.daily_quota || '—')),
          h('td', null, (s.documents || []).join('、')), h('td', { class: 'hours' }, s.hours ? hoursText(s.hours) : i18n.t('ad.hall_hours')), h('td', null, i18n.t(s.enabled ? 'yes' : 'no')),
          h('td', { class: 'svc-windows' }, serving(s.code).length ? serving(s.code).join(', ') : (s.enabled ? h('span', { class: 'pill bad', title: i18n.t('ad.no_window_title') }, i18n.t('ad.no_window')) : '—')),
          h('td', { class: 'row-actions' }, h('button', { class: 'btn small', type: 'button', onclick: () => editService(s) }, i18n.t('edit')),
            retire.serviceButton(s, loadServices),
            h('button', { class: 'btn small danger svc-delete', type: 'button', 'aria-label': i18n.t('ad.delete_svc_label', { c: s.code }), onclick: () => deleteForever(i18n.t('ad.delete_svc_q', { c: s.code, n: s.name }), `/services/${api.seg(s.code)}/permanent`, loadServices) }, i18n.t('ad.delete_forever')))),
      ),
    );
    retire.loadServices();
  } catch (e) {
    msg(errText(e));
  }
}

function editService(s) {
  editing.svc = s.code;
  $('#svc-waiting').hidden = true;
  $('#svc-form-h').textContent = i18n.t('ad.svc_edit', { c: s.code });
  $('#s-code').value = s.code;
  $('#s-code').disabled = true;
  $('#s-name').value = s.name;
  $('#s-name-en').value = s.name_en || '';
  $('#s-avg').value = s.avg_service_s;
  $('#s-quota').value = s.daily_quota || 0;
  $('#s-enabled').checked = !!s.enabled;
  $('#s-docs').value = (s.documents || []).join('\n');
  svcGrid.set(s.hours);
  $('#s-name').focus();
}

async function saveService(e) {
  e.preventDefault();
  const hours = svcGrid.get(); // as typed: a refusal names the day and range, marked on its row
  const body = {
    name: $('#s-name').value.trim(),
    name_en: $('#s-name-en').value.trim(),
    avg_service_s: Number($('#s-avg').value),
    daily_quota: Number($('#s-quota').value) || 0,
    enabled: $('#s-enabled').checked,
    documents: $('#s-docs').value.split('\n').map((x) => x.trim()).filter(Boolean),
    hours,
  };
  const box = $('#svc-waiting');
  if (!box.hidden) {
    body.waiting_action = document.querySelector('input[name=svc-waiting]:checked').value;
    if (body.waiting_action === 'transfer') body.transfer_to = $('#svc-waiting-to').value;
  }
  try {
    if (editing.svc) await api.put(`/services/${api.seg(editing.svc)}`, body);
    else await api.post('/services', { code: $('#s-code').value.trim().toUpperCase(), ...body });
    msg(i18n.t('ad.saved'), 'ok');
    $('#svc-form').reset();
    svcGrid.set(null);
    box.hidden = true;
    loadServices();
  } catch (err) {
    if (err.field === 'waiting_action' && err.status === 409) {
      // Customers wait for it: ask what happens to them, then save again.
      const others = (await api.get('/services')).filter((s) => s.enabled && s.code !== editing.svc);
      $('#svc-waiting-q').textContent = i18n.t('ad.waiting_q', { n: err.params.waiting, s: editing.svc });
      replace($('#svc-waiting-to'), ...others.map((s) => h('option', { value: s.code }, `${s.code} · ${s.name}`)));
      box.hidden = false;
      box.scrollIntoView({ block: 'nearest' });
      msg('');
      return;
    }
    svcGrid.mark(err);
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
          h('td', { class: 'row-actions' }, h('button', { class: 'btn small', type: 'button', onclick: () => editWindow(w) }, i18n.t('edit')),
            h('button', { class: 'btn small danger', type: 'button', onclick: () => retireWindow(w) }, i18n.t('ad.retire')))),
      ),
    );
    const retired = await api.get('/retired-windows');
    $('#retired-box').hidden = retired.length === 0;
    replace($('#retired'), ...retired.map((w) =>
      h('tr', { dataset: { window: w.number } }, h('td', null, String(w.number)), h('td', null, w.name || ''), h('td', null, i18n.fmtDateTime(w.retired_at)),
        h('td', { class: 'row-actions' },
          h('button', { class: 'btn small', type: 'button', onclick: () => windowChange(() => api.post(`/retired-windows/${w.number}/restore`, {})) }, i18n.t('ad.restore')),
          h('button', { class: 'btn small danger', type: 'button', onclick: () => confirm(i18n.t('ad.delete_forever_q', { n: w.number })) && windowChange(() => api.del(`/retired-windows/${w.number}`)) }, i18n.t('ad.delete_forever'))))));
  } catch (e) {
    msg(errText(e));
  }
}

// A service or staff member created by mistake, deleted for good after a confirmation; while
// anything refers to it the server's 409 says what (shown in the page's language).
async function deleteForever(question, path, reload) {
  if (!confirm(question)) return;
  try {
    await api.del(path);
    msg(i18n.t('ad.deleted'), 'ok');
  } catch (err) {
    msg(errText(err));
  }
  reload();
}

async function windowChange(fn) {
  try {
    await fn();
    msg(i18n.t('ad.saved'), 'ok');
  } catch (err) {
    msg(errText(err));
  }
  loadWindows();
}

function retireWindow(w) {
  if (!confirm(i18n.t('ad.retire_q', { n: w.number }))) return;
  windowChange(() => api.post('/retired-windows', { number: w.number }));
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
          h('td', null, ...(u.certifications || []).flatMap((c, i) => {
            const expired = c.expires_on && c.expires_on < todayIso();
            const days = Math.round((Date.parse(c.expires_on) - Date.parse(todayIso())) / 86400000);
            const soon = !expired && days <= 30;
            const note = expired ? ` (${i18n.t('ad.expired')})` : soon ? ` (${i18n.t('ad.expires_soon', { d: days })})` : '';
            return [i ? '; ' : null, h('span', { class: expired ? 'cert expired' : soon ? 'cert soon' : 'cert', dataset: { service: c.service } }, `${c.service} → ${c.expires_on}${note}`)];
          })),
          h('td', null, i18n.t(u.active === false ? 'no' : 'yes')),
          h('td', { class: 'row-actions' }, h('button', { class: 'btn small', type: 'button', onclick: () => editStaff(u) }, i18n.t('edit')),
            retire.staffButton(u, loadStaff),
            h('button', { class: 'btn small danger staff-delete', type: 'button', 'aria-label': i18n.t('ad.delete_staff_label', { c: u.username }), onclick: () => deleteForever(i18n.t('ad.delete_staff_q', { c: u.username, n: u.name }), `/staff/${api.seg(u.username)}/permanent`, loadStaff) }, i18n.t('ad.delete_forever')))),
      ),
    );
    retire.loadStaff();
  } catch (e) {
    msg(errText(e));
  }
}

function todayIso() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

// Beside the certifications being typed: which are expired or expire within 30 days.
function certsNote() {
  const today = todayIso();
  const notes = $('#u-certs').value.split('\n').map((l) => l.trim().split(/\s+/)).filter((x) => x.length === 2 && /^\d{4}-\d{2}-\d{2}$/.test(x[1])).flatMap(([svc, d]) => {
    const days = Math.round((Date.parse(d) - Date.parse(today)) / 86400000);
    if (d < today) return [`${svc.toUpperCase()} ${i18n.t('ad.expired')}`];
    if (days <= 30) return [`${svc.toUpperCase()} ${i18n.t('ad.expires_soon', { d: days })}`];
    return [];
  });
  const el = $('#u-certs-note');
  el.textContent = notes.join('；');
  el.classList.toggle('bad', notes.length > 0);
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
  certsNote();
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

// The hall form says when it holds what the server has ("ready"), so neither a person nor a test
// types into it while a save's re-read is about to overwrite the fields.
async function loadHall() {
  $('#hall-form').dataset.state = 'loading';
  try {
    const hall = await api.get('/hall');
    $('#h-name').value = hall.name || '';
    $('#h-name-en').value = hall.name_en || '';
    $('#h-tz').value = hall.timezone || '';
    $('#h-target').value = hall.target_wait_s || 900;
    $('#h-url').value = hall.public_url || '';
    $('#h-unserved').value = hall.unserved_tickets === 'refuse' ? 'refuse' : 'issue';
    hallGrid.set(hall.hours); // always open (null), or a row a day with its ranges
    // Public information as a form: the complaint channel's fields; anything else stays as JSON.
    const info = hall.public_info && typeof hall.public_info === 'object' ? { ...hall.public_info } : {};
    const c = info.complaints && typeof info.complaints === 'object' ? info.complaints : {};
    for (const k of PI_FIELDS) $('#pi-' + k).value = c[k] ?? '';
    for (const k of PI_DAYS) $('#pi-' + k).value = Number.isInteger(c[k]) ? String(c[k]) : '';
    const ch = new Set(Array.isArray(c.channels) ? c.channels : ['hotline', 'web', 'box', 'letter', 'in_person']);
    for (const b of $$('#pi-channels input')) b.checked = ch.has(b.value);
    delete info.complaints;
    $('#h-info').value = Object.keys(info).length ? JSON.stringify(info, null, 2) : '';
  } catch (e) {
    msg(errText(e));
  }
  $('#hall-form').dataset.state = 'ready';
}

async function saveHall(e) {
  e.preventDefault();
  let public_info;
  try {
    public_info = JSON.parse($('#h-info').value.trim() || '{}');
    if (!public_info || typeof public_info !== 'object' || Array.isArray(public_info)) throw new Error();
  } catch {
    return msg(i18n.t('ad.bad_json'));
  }
  const complaints = {};
  for (const k of PI_FIELDS) {
    const v = $('#pi-' + k).value.trim();
    if (v) complaints[k] = v;
  }
  for (const k of PI_DAYS) {
    const v = $('#pi-' + k).value.trim();
    if (v) complaints[k] = Number(v);
  }
  complaints.channels = [...$$('#pi-channels input')].filter((b) => b.checked).map((b) => b.value);
  public_info = { ...public_info, complaints };
  const hours = hallGrid.get();
  const body = { name: $('#h-name').value.trim(), name_en: $('#h-name-en').value.trim(), hours, target_wait_s: Number($('#h-target').value) || 900, public_info, public_url: $('#h-url').value.trim() || null, unserved_tickets: $('#h-unserved').value };
  const tz = $('#h-tz').value.trim();
  if (tz) body.timezone = tz;
  $('#hall-form').dataset.state = 'saving';
  try {
    await api.put('/hall', body);
    msg(i18n.t('ad.saved'), 'ok');
    loadHall();
  } catch (err) {
    hallGrid.mark(err);
    msg(errText(err));
    $('#hall-form').dataset.state = 'ready';
  }
}

boot();
const hallGrid = hoursGrid.mount($('#h-hours'), { id: 'h', nullMode: 'always' });
const svcGrid = hoursGrid.mount($('#s-hours'), { id: 's', nullMode: 'hall' });
svcGrid.set(null);
for (const b of $$('[data-tab]')) b.addEventListener('click', () => tab(b.dataset.tab));
$('#svc-form').addEventListener('submit', saveService);
$('#win-form').addEventListener('submit', saveWindow);
$('#staff-form').addEventListener('submit', saveStaff);
$('#u-certs').addEventListener('input', certsNote);
$('#svc-form').addEventListener('reset', () => {
  $('#svc-waiting').hidden = true;
  svcGrid.set(null);
});
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
i18n.onChange(() => {
  svcGrid.clear(); // the grid's words in the new language, what is typed kept
  tab($('[data-tab][aria-selected=true]').dataset.tab);
});
requireLogin({ roles: ['admin'], onReady: (u) => {
  mountUserBar($('#userbar'), u);
  configIo.mount();
  guide.mount(tab);
  tab(devices.pairCodeInAddress() ? 'devices' : 'services');
} });
