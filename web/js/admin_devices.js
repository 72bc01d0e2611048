// SPDX-License-Identifier: MIT
// admin_devices.js — the admin page's Devices tab: pair a device by the six-digit code it shows
// (POST /pairing/accept: role, window, a kiosk's printer), and the list of devices (GET /devices)
// with role, window, last seen and state; rename, change window or printer (PUT /devices/{id}),
// a test print on a kiosk's printer, revoke (the device stops at once) and delete a revoked one.
// /admin?pair=123456 (the QR code on the waiting device) opens this tab with the code filled in.
import * as api from './api.js';
import * as i18n from './i18n.js';
import { h, $, replace, showMsg, errText } from './ui.js';

i18n.add({
  'ad.pair_h': ['配对新设备', 'Pair a device'],
  'ad.pair_help': ['在取号机、显示屏或评价器上打开本系统的设备页面（或 /pair），屏幕上会显示 6 位配对码和二维码。在此输入配对码，选择设备用途与窗口即可，无需输入密钥。', 'Open a device page of hallq (or /pair) on the kiosk, display or pad: it shows a six-digit code and a QR code. Enter the code here and choose what the device is for and its window: nobody types a key.'],
  'ad.pair_code': ['配对码', 'Pairing code'],
  'ad.pair_code_rule': ['6 位数字，10 分钟内有效', 'Six digits, valid for ten minutes'],
  'ad.dev_name': ['设备名称', 'Device name'],
  'ad.dev_name_rule': ['1–63 个字，如“东门取号机”', '1–63 characters, e.g. "East door kiosk"'],
  'ad.dev_role': ['用途', 'Role'],
  'ad.dev_window': ['窗口', 'Window'],
  'ad.dev_printer': ['打印机（可选）', 'Printer (optional)'],
  'ad.dev_printer_rule': ['IPv4 地址:端口，或 file:/路径', 'IPv4 address:port, or file:/path'],
  'ad.dev_printer_col': ['打印机', 'Printer'],
  'ad.dev_paper': ['纸宽', 'Paper width'],
  'ad.pair_do': ['配对', 'Pair'],
  'ad.dev_list': ['已登记设备', 'Registered devices'],
  'ad.dev_seen': ['最近在线', 'Last seen'],
  'ad.dev_seen_note': ['“最近在线”为本次服务启动以来该设备最后一次访问的时间。', '"Last seen" is the device\'s last request since the server started.'],
  'ad.role.kiosk': ['取号机', 'Kiosk'],
  'ad.role.display': ['大厅显示屏', 'Hall display'],
  'ad.role.window_display': ['窗口显示屏', 'Window display'],
  'ad.role.pad': ['评价器', 'Evaluation pad'],
  'ad.role.none': ['未指定', 'Not set'],
  'ad.dev_paired': ['已配对“{n}”，设备将自动打开 {p}。', 'Paired "{n}": the device opens {p} by itself.'],
  'ad.dev_active': ['使用中', 'In service'],
  'ad.dev_revoked': ['已停用', 'Revoked'],
  'ad.dev_never': ['本次启动后未上线', 'Not since start'],
  'ad.dev_rename': ['修改', 'Edit'],
  'ad.dev_test': ['打印测试', 'Test print'],
  'ad.dev_test_ok': ['测试票已发送到打印机', 'The test slip was sent to the printer'],
  'ad.dev_test_fail': ['打印失败：{p}', 'Printing failed: {p}'],
  'ad.dev_revoke': ['停用', 'Revoke'],
  'ad.dev_revoke_q': ['停用“{n}”？该设备将立即停止工作，需重新配对才能使用。', 'Revoke "{n}"? The device stops at once and must be paired again.'],
  'ad.dev_delete': ['删除', 'Delete'],
  'ad.dev_delete_q': ['删除已停用的设备“{n}”？历史记录保留其名称。', 'Delete the revoked device "{n}"? History keeps its name.'],
  'ad.dev_new_name': ['设备名称', 'Device name'],
  'ad.dev_new_printer': ['打印机地址（留空为无）', 'Printer address (empty: none)'],
  'ad.dev_none': ['尚无设备', 'No devices yet'],
});

const ROLES = ['kiosk', 'display', 'window_display', 'pad'];
const msg = (t, k) => showMsg($('#msg'), t, k);
let windows = [];
let wired = false;

export function pairCodeInAddress() {
  const c = new URL(location.href).searchParams.get('pair');
  return c && /^[0-9]{6}$/.test(c) ? c : null;
}

function roleName(r) {
  return i18n.t(`ad.role.${r || 'none'}`);
}

function syncForm() {
  const role = $('#p-role').value;
  const withWindow = role === 'pad' || role === 'window_display';
  $('#p-window-box').hidden = !withWindow;
  $('#p-printer-box').hidden = role !== 'kiosk';
  $('#p-paper-box').hidden = role !== 'kiosk';
}

function fillSelects() {
  const role = $('#p-role').value || 'kiosk';
  replace($('#p-role'), ...ROLES.map((r) => h('option', { value: r, selected: r === role }, roleName(r))));
  const w = $('#p-window').value;
  replace($('#p-window'), ...windows.map((x) => h('option', { value: String(x.number), selected: String(x.number) === w }, `${x.number} · ${x.name}`)));
  syncForm();
}

async function pair(e) {
  e.preventDefault();
  const role = $('#p-role').value;
  const body = { code: $('#p-code').value.replace(/\s+/g, ''), name: $('#p-name').value.trim(), role };
  if (role === 'pad' || role === 'window_display') body.window = Number($('#p-window').value);
  if (role === 'kiosk') {
    body.printer = $('#p-printer').value.trim() || null;
    body.paper_mm = Number($('#p-paper').value);
  }
  try {
    const d = await api.post('/pairing/accept', body);
    $('#pair-form').reset();
    fillSelects();
    replace($('#dev-out'), h('p', { class: 'msg ok', id: 'dev-paired' }, i18n.t('ad.dev_paired', { n: d.name, p: d.page })));
    msg('');
    load();
  } catch (err) {
    msg(errText(err));
    const f = { code: '#p-code', name: '#p-name', window: '#p-window', printer: '#p-printer' }[err.field];
    if (f) $(f).focus();
  }
}

async function act(fn) {
  try {
    await fn();
    load();
  } catch (err) {
    msg(errText(err));
  }
}

function row(d) {
  const id = encodeURIComponent(d.id);
  const actions = [];
  if (!d.revoked) {
    actions.push(h('button', { class: 'btn small', type: 'button', onclick: () => act(async () => {
      const name = prompt(i18n.t('ad.dev_new_name'), d.name);
      if (name == null) return;
      const body = { name: name.trim() };
      if (d.role === 'kiosk') {
        const p = prompt(i18n.t('ad.dev_new_printer'), d.printer || '');
        if (p == null) return;
        body.printer = p.trim() || null;
      }
      await api.put(`/devices/${id}`, body);
      msg(i18n.t('ad.saved'), 'ok');
    }) }, i18n.t('ad.dev_rename')));
    if (d.printer) {
      actions.push(h('button', { class: 'btn small', type: 'button', onclick: async () => {
        try {
          const r = await api.post(`/devices/${id}/test-print`, {});
          msg(r.ok ? i18n.t('ad.dev_test_ok') : i18n.t('ad.dev_test_fail', { p: r.problem || '' }), r.ok ? 'ok' : 'error');
        } catch (err) {
          msg(errText(err));
        }
      } }, i18n.t('ad.dev_test')));
    }
    actions.push(h('button', { class: 'btn small danger', type: 'button', onclick: () => act(async () => {
      if (!confirm(i18n.t('ad.dev_revoke_q', { n: d.name }))) return;
      await api.post(`/devices/${id}/revoke`, {});
    }) }, i18n.t('ad.dev_revoke')));
  } else {
    actions.push(h('button', { class: 'btn small danger', type: 'button', onclick: () => act(async () => {
      if (!confirm(i18n.t('ad.dev_delete_q', { n: d.name }))) return;
      await api.del(`/devices/${id}`);
    }) }, i18n.t('ad.dev_delete')));
  }
  return h('tr', { class: d.revoked ? 'muted' : null, dataset: { device: d.id } },
    h('td', null, d.name),
    h('td', null, roleName(d.role)),
    h('td', { class: 'num' }, d.window ?? '—'),
    h('td', null, d.printer ? `${d.printer}${d.paper_mm ? ` · ${d.paper_mm} mm` : ''}` : '—'),
    h('td', null, d.last_seen ? i18n.fmtDateTime(d.last_seen) : i18n.t('ad.dev_never')),
    h('td', null, h('span', { class: d.revoked ? 'pill bad' : 'pill ok' }, i18n.t(d.revoked ? 'ad.dev_revoked' : 'ad.dev_active'))),
    h('td', { class: 'row-actions' }, ...actions));
}

export async function load() {
  if (!wired) {
    wired = true;
    $('#pair-form').addEventListener('submit', pair);
    $('#p-role').addEventListener('change', syncForm);
    const code = pairCodeInAddress();
    if (code) $('#p-code').value = code;
  }
  try {
    const [list, wins] = await Promise.all([api.get('/devices'), api.get('/windows')]);
    windows = Array.isArray(wins) ? wins : wins.windows || [];
    fillSelects();
    const rows = list.map(row);
    replace($('#devices'), ...(rows.length ? rows : [h('tr', null, h('td', { colspan: 7, class: 'muted' }, i18n.t('ad.dev_none')))]));
  } catch (err) {
    msg(errText(err));
  }
}
