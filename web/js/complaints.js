// SPDX-License-Identifier: MIT
// complaints.js — the public complaint page. The channels and procedure come from
// GET /hall → public_info.complaints (defaults, marked as such, when the hall has not set them);
// POST /complaints (channel web) answers a tracking code; GET /complaints/track/{code} shows the
// status and the public history.

import * as api from './api.js';
import * as i18n from './i18n.js';
import { statusWord } from './complaints-status.js';
import { assistedBy } from './complaints_assist.js';
import { h, $, replace, boot, showMsg, errText } from './ui.js';

i18n.add({
  'cp.title': ['投诉与建议', 'Complaints and suggestions'],
  'cp.skip': ['跳到投诉表单', 'Skip to the form'],
  'cp.channels': ['投诉渠道与处理程序', 'How to complain, and what happens then'],
  'cp.defaults': ['本大厅尚未公布其投诉信息，以下为一般做法。', 'This hall has not published its complaint details yet; the usual practice is shown.'],
  'cp.form': ['在线投诉', 'Complain online'],
  'cp.content': ['投诉或建议内容', 'Your complaint or suggestion'],
  'cp.content_help': ['请写明时间、窗口或号码以及发生的事情。', 'Please say when, which window or ticket number, and what happened.'],
  'cp.contact': ['联系方式（可选，用于答复您）', 'Contact (optional, so that we can answer you)'],
  'cp.contact_help': ['联系方式只用于处理本投诉，不会公开。', 'Used only to handle this complaint, never published.'],
  'cp.assist': ['我需要协助（残障、语言沟通等），请工作人员联系我', 'I need assistance (disability, language…): please contact me'],
  'cp.submit': ['提交', 'Submit'],
  'cp.received': ['已收到您的投诉。请记下查询码：', 'Your complaint has been received. Please note your tracking code:'],
  'cp.ack_by': ['我们将在 {t} 前答复受理情况。', 'We will acknowledge it by {t}.'],
  'cp.track': ['查询处理进度', 'Track a complaint'],
  'cp.code': ['查询码', 'Tracking code'],
  'cp.lookup': ['查询', 'Look up'],
  'cp.empty': ['请填写投诉内容', 'Please write your complaint'],
  'cp.no_code': ['没有找到该查询码', 'No complaint with this code'],
  'cp.status': ['状态', 'Status'],
  'cp.received_at': ['收到时间', 'Received'],
  'cp.ack_at': ['受理时间', 'Acknowledged'],
  'cp.step': ['当前步骤期限', 'Deadline of the current step'],
  'cp.step.acknowledge': ['确认受理：{t} 前', 'Acknowledgement: by {t}'],
  'cp.step.resolve': ['答复处理结果：{t} 前', 'Answer with the result: by {t}'],
  'cp.step.verdict': ['请在 {t} 前告诉我们您是否满意', 'Please tell us by {t} whether you are satisfied'],
  'cp.resolve_by': ['处理结果答复期限', 'Result due by'],
  'cp.resolved_at': ['答复时间', 'Answered'],
  'cp.result': ['处理结果', 'Result'],
  'cp.closed_at': ['办结时间', 'Closed'],
  'cp.history': ['处理记录', 'History'],
  'cp.k.channels': ['投诉渠道', 'Channels'],
  'cp.k.phone': ['投诉电话', 'Complaint hotline'],
  'cp.k.web': ['网上投诉', 'On the web'],
  'cp.k.department': ['受理部门', 'Handling department'],
  'cp.k.address': ['地址', 'Address'],
  'cp.k.procedure': ['处理程序', 'Procedure'],
  'cp.k.time_limits': ['处理时限', 'Time limits'],
  'cp.k.assist': ['特殊通道', 'Assisted channel'],
  'ch.hotline': ['服务热线', 'Hotline'],
  'ch.web': ['网站', 'Website'],
  'ch.box': ['意见箱、意见簿', 'Suggestion box or book'],
  'ch.letter': ['来信', 'Letter'],
  'ch.in_person': ['现场（服务台、值班长）', 'In person (service desk, duty manager)'],
  'def.phone': ['请向大厅服务台索取', 'Ask at the service desk'],
  'def.department': ['服务大厅值班长', 'The hall\'s duty manager'],
  'def.procedure': ['受理登记 → 确认受理并告知查询码 → 调查核实 → 处理 → 答复投诉人 → 回访；对处理结果不满意可申请复核', 'Registered → acknowledged with a tracking code → investigated → handled → answered → follow-up; if you are not satisfied with the result you can ask for it to be handled again'],
  'def.time_limits': ['下一个工作日结束前确认受理；5 个工作日内答复处理结果（节假日不计，调休上班日计入）', 'Acknowledged by the end of the next working day; answered within 5 working days (public holidays not counted, make-up working days counted)'],
  'def.assist': ['残障或语言沟通有困难的客户：勾选下方“我需要协助”，或到服务台由工作人员代为登记', 'Customers with a disability or language barrier: tick "I need assistance" below, or ask at the service desk and staff will enter it for you'],
});

let info = null; // public_info.complaints, or null for defaults

const pick = (obj, key) => {
  if (!obj) return null;
  if (i18n.lang() === 'en' && obj[key + '_en']) return obj[key + '_en'];
  return obj[key] ?? null;
};

function renderInfo() {
  const c = info || {};
  const dflt = !info;
  $('#info-note').hidden = !dflt;
  $('#info-note').textContent = dflt ? i18n.t('cp.defaults') : '';
  const channels = Array.isArray(c.channels) && c.channels.length ? c.channels : ['hotline', 'web', 'box', 'letter', 'in_person'];
  const web = pick(c, 'web') || `${location.origin}/complaints`;
  const rows = [
    ['channels', channels.map((ch) => (/^[a-z_]+$/.test(ch) ? i18n.t('ch.' + ch) : ch)).join(i18n.lang() === 'en' ? '; ' : '；')],
    ['phone', pick(c, 'phone') || i18n.t('def.phone')],
    ['web', web],
    ['department', pick(c, 'department') || i18n.t('def.department')],
    ['address', pick(c, 'address')],
    ['procedure', pick(c, 'procedure') || i18n.t('def.procedure')],
    ['time_limits', pick(c, 'time_limits') || i18n.t('def.time_limits')],
    ['assist', pick(c, 'assist') || i18n.t('def.assist')],
  ];
  replace(
    $('#info'),
    ...rows.filter(([, v]) => v).flatMap(([k, v]) => [h('dt', null, i18n.t('cp.k.' + k)), h('dd', { dataset: { k } }, k === 'web' && /^https?:\/\//.test(v) ? h('a', { href: v }, v) : String(v))]),
  );
}

async function loadInfo() {
  try {
    const hall = await api.get('/hall', { auth: false });
    const c = hall?.public_info?.complaints;
    info = c && typeof c === 'object' && Object.keys(c).length ? c : null;
    $('#hall-name').textContent = i18n.nameOf(hall);
  } catch {
    info = null;
  }
  renderInfo();
}

const cst = statusWord;

async function track(code) {
  const out = $('#track-out');
  clear();
  function clear() {
    replace(out);
    showMsg($('#track-msg'), '');
  }
  if (!code) return;
  try {
    const r = await api.get(`/complaints/track/${api.seg(code)}`, { auth: false });
    replace(
      out,
      h('dl', { class: 'info-list' },
        h('dt', null, i18n.t('cp.code')), h('dd', { class: 'code-out', id: 'track-code' }, r.tracking_code || code),
        h('dt', null, i18n.t('cp.status')), h('dd', { id: 'track-status' }, cst(r.status)),
        r.received_at ? [h('dt', null, i18n.t('cp.received_at')), h('dd', null, i18n.fmtDateTime(r.received_at))] : null,
        r.acknowledged_at ? [h('dt', null, i18n.t('cp.ack_at')), h('dd', null, i18n.fmtDateTime(r.acknowledged_at))] : null,
        // The deadline of the step the complaint is at (none once closed): the acknowledgement
        // promise only until it is acknowledged.
        r.deadline ? [h('dt', null, i18n.t('cp.step')), h('dd', { id: 'track-deadline', dataset: { step: r.deadline.step } }, i18n.t('cp.step.' + r.deadline.step, { t: i18n.fmtDateTime(r.deadline.by) }))] : null,
        r.resolve_by ? [h('dt', null, i18n.t('cp.resolve_by')), h('dd', { id: 'track-resolve-by' }, i18n.fmtDateTime(r.resolve_by))] : null,
        r.resolved_at ? [h('dt', null, i18n.t('cp.resolved_at')), h('dd', null, i18n.fmtDateTime(r.resolved_at))] : null,
        r.result ? [h('dt', null, i18n.t('cp.result')), h('dd', { id: 'track-result', class: 'ca-pre' }, r.result)] : null,
        r.closed_at ? [h('dt', null, i18n.t('cp.closed_at')), h('dd', null, i18n.fmtDateTime(r.closed_at))] : null,
      ),
      h('h3', null, i18n.t('cp.history')),
      h('ol', { id: 'track-history' }, ...(r.history || []).map((e) => h('li', null, `${i18n.fmtDateTime(e.at)} · ${cst(e.status)}${e.note ? ' · ' + e.note : ''}`))),
    );
  } catch (e) {
    showMsg($('#track-msg'), e.status === 404 ? i18n.t('cp.no_code') : errText(e));
  }
}

boot();
i18n.onChange(() => {
  renderInfo();
  const code = $('#code').value.trim();
  if (code && $('#track-out').firstChild) track(code);
});
$('#form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const content = $('#content').value.trim();
  const contact = $('#contact').value.trim();
  showMsg($('#form-msg'), '');
  if (!content) {
    $('#content').setAttribute('aria-invalid', 'true');
    $('#content').focus();
    return showMsg($('#form-msg'), i18n.t('cp.empty'));
  }
  $('#content').removeAttribute('aria-invalid');
  try {
    const r = await api.post('/complaints', { channel: 'web', content, contact: contact || null, needs_assistance: $('#assist').checked, assisted_by: assistedBy() }, { auth: false });
    $('#form').hidden = true;
    $('#result').hidden = false;
    $('#code-out').textContent = r.tracking_code;
    $('#ack-out').textContent = r.acknowledge_by ? i18n.t('cp.ack_by', { t: i18n.fmtDateTime(r.acknowledge_by) }) : '';
    $('#code').value = r.tracking_code;
    $('#code-out').focus?.();
  } catch (err) {
    showMsg($('#form-msg'), errText(err));
  }
});
$('#track-form').addEventListener('submit', (e) => {
  e.preventDefault();
  track($('#code').value.trim().toUpperCase());
});
const q = new URLSearchParams(location.search).get('code');
if (q) {
  $('#code').value = q;
  track(q.toUpperCase());
}
loadInfo();
