// SPDX-License-Identifier: MIT
// admin_config.js — the hall tab's export and import of the set-up (GET /config/export,
// POST /config/import). Export downloads hallq-config-<date>.json; import first asks with
// dry_run=true and lists what would be created or updated, and applies only on 确认导入 / Import —
// all or nothing; a refusal names the record at fault.
import * as api from './api.js';
import * as i18n from './i18n.js';
import { h, $, replace, showMsg, errText } from './ui.js';

i18n.add({
  'ad.cfg_h': ['配置导出与导入', 'Export and import the set-up'],
  'ad.cfg_help': ['把本大厅的设置（大厅、办理时间、公开信息、业务、窗口、人员与资质；不含密码和设备）导出为文件，用于开设第二个大厅。导入时先列出将要发生的变化，确认后一次全部生效，出错则不作任何更改。', 'Export this hall\'s set-up (hall, hours, public information, services, windows, staff and certifications; no passwords or devices) to start a second hall from it. An import first lists what would change, then applies all of it at once on confirmation, or nothing if anything is wrong.'],
  'ad.cfg_export': ['导出配置', 'Export'],
  'ad.cfg_file': ['导入文件', 'File to import'],
  'ad.cfg_apply': ['确认导入', 'Import'],
  'ad.cfg_bad_file': ['文件不是有效的 JSON', 'The file is not valid JSON'],
  'ad.cfg_summary': ['将新建 {c} 项、修改 {u} 项，{n} 项不变。', '{c} to create, {u} to update, {n} unchanged.'],
  'ad.cfg_nothing': ['与当前设置相同，无需导入。', 'Same as the current set-up: nothing to import.'],
  'ad.cfg_done': ['已导入 {k} 项更改。', 'Imported: {k} changes.'],
  'ad.cfg_pw': ['以下人员需在“人员与资质”中设置密码后才能登录：{u}', 'Set a password (Staff tab) before these can sign in: {u}'],
  'ad.cfg.create': ['新建', 'create'],
  'ad.cfg.update': ['修改', 'update'],
  'ad.cfg.kind.hall': ['大厅', 'hall'],
  'ad.cfg.kind.service': ['业务', 'service'],
  'ad.cfg.kind.window': ['窗口', 'window'],
  'ad.cfg.kind.staff': ['人员', 'staff'],
});

const msg = (t, k) => showMsg($('#msg'), t, k);
let pending = null;

async function exportConfig() {
  try {
    const doc = await api.get('/config/export');
    const blob = new Blob([JSON.stringify(doc, null, 2)], { type: 'application/json' });
    const a = h('a', { href: URL.createObjectURL(blob), download: `hallq-config-${new Date().toISOString().slice(0, 10)}.json` });
    document.body.appendChild(a);
    a.click();
    a.remove();
  } catch (err) {
    msg(errText(err));
  }
}

async function preview() {
  const f = $('#cfg-file').files[0];
  $('#cfg-preview').hidden = true;
  pending = null;
  if (!f) return;
  try {
    pending = JSON.parse(await f.text());
  } catch {
    msg(i18n.t('ad.cfg_bad_file'));
    return;
  }
  try {
    const r = await api.post('/config/import?dry_run=true', pending);
    const count = (a) => r.changes.filter((c) => c.action === a).length;
    const changed = r.changes.filter((c) => c.action !== 'unchanged');
    $('#cfg-summary').textContent = changed.length ? i18n.t('ad.cfg_summary', { c: count('create'), u: count('update'), n: count('unchanged') }) : i18n.t('ad.cfg_nothing');
    replace($('#cfg-changes'), ...changed.map((c) => h('li', { class: c.action }, `${i18n.t('ad.cfg.' + c.action)} · ${i18n.t('ad.cfg.kind.' + c.kind)}${c.kind === 'hall' ? '' : ` ${c.key}`}`)));
    $('#cfg-apply').hidden = changed.length === 0;
    $('#cfg-preview').hidden = false;
    msg('');
  } catch (err) {
    pending = null;
    msg(errText(err) + (err.field ? ` (${err.field})` : ''));
  }
}

async function apply() {
  if (!pending) return;
  try {
    const r = await api.post('/config/import', pending);
    const n = r.changes.filter((c) => c.action !== 'unchanged').length;
    msg(i18n.t('ad.cfg_done', { k: n }) + (r.needs_password.length ? ` ${i18n.t('ad.cfg_pw', { u: r.needs_password.join('、') })}` : ''), 'ok');
    $('#cfg-preview').hidden = true;
    $('#cfg-file').value = '';
    pending = null;
  } catch (err) {
    msg(errText(err) + (err.field ? ` (${err.field})` : ''));
  }
}

let wired = false;
export function mount() {
  if (wired) return;
  wired = true;
  $('#cfg-export').addEventListener('click', exportConfig);
  $('#cfg-file').addEventListener('change', preview);
  $('#cfg-apply').addEventListener('click', apply);
}
