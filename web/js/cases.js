// SPDX-License-Identifier: MIT
// cases.js — the cases page (docs/EVALUATION.md). GET /cases?status= lists the cases bad reviews
// opened, with the figures (share called back, closed on time, overdue, appeals upheld); a row opens
// GET /cases/{id}: its facts, history and the form of its next step only (POST /cases/{id}/callback,
// verification, rectification, reply), the appeal (POST /cases/{id}/appeal, the clerk concerned or a
// manager) and its decision (POST /cases/{id}/appeal/decision, another manager), an improvement
// action (POST /cases/{id}/improvement). Live: case.* and alert.case_overdue reload the list.
// Everything the API returns is shown as text (ui.js h()).

import * as api from './api.js';
import * as i18n from './i18n.js';
import * as events from './events.js';
import { h, $, replace, boot, showMsg, errText, requireLogin, mountUserBar } from './ui.js';

i18n.add({
  'cs.title': ['差评工单', 'Bad-review cases'],
  'skip': ['跳到主要内容', 'Skip to main content'],
  'cs.back': ['← 值班长', '← Duty manager'],
  'cs.complaints': ['投诉处理与改进 →', 'Complaints and improvements →'],
  'cs.figures': ['差评处理情况', 'How bad reviews are handled'],
  'cs.list': ['工单', 'Cases'],
  'cs.status': ['状态', 'Status'],
  'cs.f_open': ['处理中', 'Open'],
  'cs.f_overdue': ['已超期', 'Overdue'],
  'cs.f_closed': ['已办结', 'Closed'],
  'cs.f_all': ['全部', 'All'],
  'cs.refresh': ['刷新', 'Refresh'],
  'cs.number': ['号码', 'Ticket'],
  'cs.service': ['业务', 'Service'],
  'cs.window': ['窗口', 'Window'],
  'cs.clerk': ['工作人员', 'Clerk'],
  'cs.level': ['评价', 'Rating'],
  'cs.due': ['办结时限', 'Due by'],
  'cs.next': ['下一步', 'Next step'],
  'cs.appeal': ['申诉', 'Appeal'],
  'cs.open': ['查看', 'Open'],
  'cs.none': ['没有符合条件的工单', 'No cases match'],
  'cs.window_n': ['{w} 号窗口', 'window {w}'],
  'cs.detail': ['工单详情', 'Case'],
  'cs.history': ['处理记录', 'History'],
  'cs.stage_n': ['第 {n} 项', 'service {n}'],
  'cs.overdue': ['已超期', 'overdue'],
  'cs.late': ['超期办结', 'closed late'],
  'cs.done': ['已保存', 'Saved'],
  'cs.fig.cases': ['差评工单', 'Cases'],
  'cs.fig.open': ['处理中', 'Open'],
  'cs.fig.overdue': ['超期未办结', 'Overdue'],
  'cs.fig.called': ['回访率', 'Called back'],
  'cs.fig.on_time': ['按时办结率', 'Closed on time'],
  'cs.fig.appeals': ['申诉（成立 / 驳回 / 待裁定）', 'Appeals (upheld / rejected / pending)'],
  'cs.fig.upheld': ['申诉成立率', 'Appeals upheld'],
  'cs.fig.coverage': ['参评率（近 30 天，真实评价）', 'Rated (last 30 days, real ratings)'],
  'cs.fig.real_default': ['真实 / 默认评价', 'Real / default ratings'],
  'step.opened': ['差评生成工单', 'Opened by the bad review'],
  'step.callback': ['回访', 'Return call'],
  'step.verification': ['核实', 'Verification'],
  'step.rectification': ['整改', 'Rectification'],
  'step.reply': ['答复群众', 'Reply to the customer'],
  'step.appeal': ['申诉', 'Appeal'],
  'step.appeal_upheld': ['申诉成立', 'Appeal upheld'],
  'step.appeal_rejected': ['申诉驳回', 'Appeal rejected'],
  'step.none': ['已办结', 'Closed'],
  'ap.filed': ['待裁定', 'pending'],
  'ap.upheld': ['成立', 'upheld'],
  'ap.rejected': ['驳回', 'rejected'],
  'out.reached': ['已联系上', 'reached'],
  'out.not_reached': ['未联系上', 'not reached'],
  'cs.k.review': ['评价', 'Rating'],
  'cs.k.comment': ['群众意见', 'Customer\'s comment'],
  'cs.k.served': ['办理', 'Served'],
  'cs.k.created': ['生成时间', 'Opened'],
  'cs.k.due': ['办结时限（工作日）', 'Due by (working days)'],
  'cs.k.callback': ['回访', 'Return call'],
  'cs.k.verification': ['核实', 'Verification'],
  'cs.k.rectification': ['整改措施', 'Measures'],
  'cs.k.reply': ['答复', 'Reply'],
  'cs.k.appeal': ['申诉', 'Appeal'],
  'cs.k.improvements': ['改进措施', 'Improvement actions'],
  'cs.founded': ['属实', 'founded'],
  'cs.unfounded': ['不属实', 'unfounded'],
  'f.outcome': ['回访结果', 'Outcome'],
  'f.notes': ['说明', 'Notes'],
  'f.founded': ['核实结论', 'Finding'],
  'f.measures': ['整改措施', 'Measures'],
  'f.text': ['答复内容', 'Reply'],
  'f.reasons': ['理由', 'Reasons'],
  'f.upheld': ['裁定', 'Decision'],
  'f.title': ['改进措施', 'Improvement'],
  'f.owner': ['负责人', 'Owner'],
  'f.due': ['完成期限（可选）', 'Due (optional)'],
  'f.submit': ['提交', 'Submit'],
  'form.decision': ['申诉裁定', 'Decide the appeal'],
  'form.improvement': ['提出改进措施', 'Raise an improvement action'],
  'cs.up_yes': ['申诉成立（该评价不计入个人考核）', 'Upheld (the rating leaves the clerk\'s figures)'],
  'cs.up_no': ['申诉驳回', 'Rejected'],
});

const STEP_FORMS = {
  callback: [['outcome', 'select', ['reached', 'not_reached']], ['notes', 'textarea']],
  verification: [['founded', 'bool', ['cs.founded', 'cs.unfounded']], ['notes', 'textarea']],
  rectification: [['measures', 'textarea']],
  reply: [['text', 'textarea']],
  appeal: [['reasons', 'textarea']],
  decision: [['upheld', 'bool', ['cs.up_yes', 'cs.up_no']], ['reasons', 'textarea']],
  improvement: [['title', 'input'], ['owner', 'input'], ['due', 'date']],
};

let me = null;
let list = null;
let current = null;
let coverage = null; // GET /stats evaluation_coverage of the last 30 days
const boss = () => me && (me.role === 'manager' || me.role === 'admin');
const pct = (x) => (x == null ? '—' : `${Math.round(x * 1000) / 10}%`);

function renderFigures() {
  const f = list?.figures;
  if (!f) return;
  const a = f.appeals || {};
  const fig = (k, v) => h('div', { dataset: { fig: k } }, h('span', null, i18n.t('cs.fig.' + k)), h('b', null, String(v)));
  replace(
    $('#figures'),
    fig('cases', f.cases),
    fig('open', f.open),
    fig('overdue', f.overdue),
    fig('called', pct(f.called_back_share)),
    fig('on_time', pct(f.on_time_share)),
    fig('appeals', `${a.filed ?? 0}（${a.upheld ?? 0} / ${a.rejected ?? 0} / ${a.pending ?? 0}）`),
    fig('upheld', pct(f.appeals_upheld_share)),
    coverage ? fig('coverage', pct(coverage.coverage)) : null,
    coverage ? fig('real_default', `${coverage.rated} / ${coverage.defaulted}`) : null,
  );
}

// Every transaction rated once: the share of finished services rated by customers, and the
// default ratings counted apart (managers and admins; GET /stats).
async function loadCoverage() {
  if (!boss()) return;
  const day = (d) => new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
  const to = new Date();
  const from = new Date(to.getTime() - 29 * 86400000);
  try {
    coverage = (await api.get(`/stats?from=${day(from)}&to=${day(to)}`)).evaluation_coverage || null;
    renderFigures();
  } catch {
    /* the figures of the cases stand without it */
  }
}

function levelText(c) {
  const colon = i18n.lang() === 'zh' ? '：' : ': ';
  return `${c.level} ${i18n.t('level.' + c.level)}${c.reasons?.length ? colon + c.reasons.join('、') : ''}`;
}

function renderList() {
  renderFigures();
  const cases = list?.cases || [];
  if (!cases.length) return replace($('#rows'), h('tr', null, h('td', { colspan: 9 }, i18n.t('cs.none'))));
  replace(
    $('#rows'),
    ...cases.map((c) =>
      h(
        'tr',
        { class: [c.overdue ? 'overdue' : '', current?.id === c.id ? 'selected' : ''].join(' ').trim() || null, dataset: { id: c.id, number: c.number } },
        h('td', null, c.number, c.stage ? ` (${i18n.t('cs.stage_n', { n: c.stage + 1 })})` : ''),
        h('td', null, c.service),
        h('td', null, String(c.window)),
        h('td', null, c.clerk),
        h('td', null, levelText(c)),
        h('td', null, i18n.fmtDateTime(c.due_by), c.overdue ? h('strong', { class: 'bad' }, ' ' + i18n.t('cs.overdue')) : null, c.late ? ' ' + i18n.t('cs.late') : null),
        h('td', null, i18n.t('step.' + (c.next_step || 'none'))),
        h('td', null, c.appeal ? i18n.t('ap.' + c.appeal.status) : '—'),
        h('td', null, h('button', { class: 'btn small', type: 'button', onclick: () => openDetail(c.id) }, i18n.t('cs.open'))),
      ),
    ),
  );
}

let listReads = 0; // only the newest read is drawn: an older one may answer after it
async function loadList() {
  const st = $('#f-status').value;
  const mine = ++listReads;
  try {
    const r = await api.get(`/cases${st ? `?status=${st}` : ''}`);
    if (mine !== listReads) return;
    list = r;
    showMsg($('#msg'), '');
    renderList();
  } catch (e) {
    if (mine === listReads) showMsg($('#msg'), errText(e));
  }
}

function fact(k, ...v) {
  return [h('dt', null, i18n.t('cs.k.' + k)), h('dd', null, ...v)];
}

function stepText(c, k) {
  const s = c[k];
  if (!s) return null;
  const when = `${i18n.fmtDateTime(s.at)} · ${s.by}`;
  if (k === 'callback') return `${i18n.t('out.' + s.outcome)}${s.notes ? '：' + s.notes : ''}（${when}${s.attempts > 1 ? ` ×${s.attempts}` : ''}）`;
  if (k === 'verification') return `${i18n.t(s.founded ? 'cs.founded' : 'cs.unfounded')}：${s.notes}（${when}）`;
  if (k === 'rectification') return `${s.measures}（${when}）`;
  if (k === 'reply') return `${s.text}（${when}）`;
  return null;
}

function field(step, [name, kind, opts]) {
  const id = `${step}-${name}`;
  let input;
  if (kind === 'select') input = h('select', { id }, ...opts.map((o) => h('option', { value: o }, i18n.t('out.' + o))));
  else if (kind === 'bool') input = h('select', { id }, h('option', { value: 'true' }, i18n.t(opts[0])), h('option', { value: 'false' }, i18n.t(opts[1])));
  else if (kind === 'textarea') input = h('textarea', { id, maxlength: 1000 });
  else if (kind === 'date') input = h('input', { id, type: 'date' });
  else input = h('input', { id, maxlength: 200 });
  return [h('label', { for: id }, i18n.t('f.' + name)), input];
}

function stepForm(c, step, path) {
  const f = h(
    'form',
    { dataset: { step }, novalidate: true },
    h('h4', null, i18n.t(step === 'decision' || step === 'improvement' ? 'form.' + step : 'step.' + step)),
    ...STEP_FORMS[step].map((d) => field(step, d)),
    h('button', { class: 'btn primary', type: 'submit' }, i18n.t('f.submit')),
  );
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = {};
    for (const [name, kind] of STEP_FORMS[step]) {
      const v = f.querySelector(`#${step}-${name}`).value;
      if (kind === 'bool') body[name] = v === 'true';
      else if (v.trim() || (kind !== 'date' && name !== 'notes')) body[name] = v.trim();
    }
    try {
      current = await api.post(`/cases/${api.seg(c.id)}/${path}`, body);
      showMsg($('#d-msg'), i18n.t('cs.done'), 'ok');
      renderDetail();
      loadList();
    } catch (e) {
      showMsg($('#d-msg'), errText(e));
      const el = e.field && f.querySelector(`#${step}-${e.field}`);
      if (el) el.focus();
    }
  });
  return f;
}

function renderDetail() {
  const c = current;
  $('#detail').hidden = !c;
  if (!c) return;
  const ap = c.appeal;
  replace(
    $('#facts'),
    ...fact('review', levelText(c)),
    ...(c.comment ? fact('comment', c.comment) : []),
    ...fact('served', `${c.number}${c.stage ? ` (${i18n.t('cs.stage_n', { n: c.stage + 1 })})` : ''} · ${c.service} · ${i18n.t('cs.window_n', { w: c.window })} · ${c.clerk}`),
    ...fact('created', i18n.fmtDateTime(c.created_at)),
    ...fact('due', i18n.fmtDateTime(c.due_by), c.overdue ? h('strong', { class: 'bad' }, ' ' + i18n.t('cs.overdue')) : null),
    ...['callback', 'verification', 'rectification', 'reply'].flatMap((k) => (c[k] ? fact(k, stepText(c, k)) : [])),
    ...(ap ? fact('appeal', `${i18n.t('ap.' + ap.status)} · ${ap.by}：${ap.reasons}${ap.decided_by ? `；${ap.decided_by}：${ap.decision_reasons}` : ''}`) : []),
    ...(c.improvements?.length ? fact('improvements', c.improvements.join('、')) : []),
  );
  replace($('#history'), ...(c.history || []).map((x) => h('li', null, `${i18n.fmtDateTime(x.at)} · ${i18n.t('step.' + x.step)}${x.by ? ' · ' + x.by : ''}`)));
  const forms = [];
  const open = c.status === 'open';
  const own = me && c.clerk === me.username;
  if (open && boss() && !own && c.next_step) forms.push(stepForm(c, c.next_step, c.next_step));
  if (open && boss() && !own && c.callback?.outcome === 'not_reached' && c.next_step === 'verification') forms.push(stepForm(c, 'callback', 'callback'));
  if (open && !ap && (boss() || own)) forms.push(stepForm(c, 'appeal', 'appeal'));
  if (ap?.status === 'filed' && boss() && !own && ap.by !== me.username) forms.push(stepForm(c, 'decision', 'appeal/decision'));
  if (boss()) forms.push(stepForm(c, 'improvement', 'improvement'));
  replace($('#forms'), ...forms);
}

async function openDetail(id) {
  showMsg($('#d-msg'), '');
  try {
    current = await api.get(`/cases/${api.seg(id)}`);
    renderDetail();
    renderList();
    $('#detail').scrollIntoView?.({ block: 'start' });
  } catch (e) {
    showMsg($('#msg'), errText(e));
  }
}

// ---- start ----

boot();
i18n.onChange(() => {
  renderList();
  renderDetail();
});
requireLogin({
  roles: ['manager', 'admin', 'clerk'],
  onReady: async (u) => {
    me = u;
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
    await loadList();
    loadCoverage();
    const id = new URLSearchParams(location.search).get('id');
    if (id) openDetail(id);
    let t = null;
    events.connect({
      onReconnect: loadList,
      onEvent: (type) => {
        if (!type.startsWith('case.') && type !== 'alert.case_overdue') return;
        clearTimeout(t);
        t = setTimeout(loadList, 300);
      },
    });
    setInterval(loadList, 60000); // the overdue flags move with the clock
  },
});
