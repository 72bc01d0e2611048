// SPDX-License-Identifier: MIT
// hours_grid.js — the weekly hours grid of the admin page, used for the hall and for each service:
// a row a day (周一 … 周日), each with its ranges (start, end) added and removed with buttons, so a
// lunch break is two ranges; a day without ranges says 休息 (closed). Above the rows, the state of
// the whole: the hall "always open" or a service "as the hall" (hours null in the API) against
// "these hours". Copy Monday to Tuesday–Friday or to every day. Reads and writes the API's form
// {"mon":"08:30-12:00,13:30-17:30",…,"sat":null}; what is typed is sent as typed (a range with
// only one side filled too), so the server's 400 names the day and the range, and mark() puts
// that refusal on its row.
//
//   const g = mount(el, { id: 'h', nullMode: 'always' | 'hall' });
//   g.set(hours); g.get() → null | {mon: "…" | null, …}; g.mark(apiError) → true when marked.

import * as i18n from './i18n.js';
import { h, replace } from './ui.js';

i18n.add({
  'hg.always': ['全天开放（不限时间）', 'Always open (no hours)'],
  'hg.hall': ['同大厅办理时间', 'The hall\'s hours'],
  'hg.weekly': ['按以下每周时间', 'These weekly hours'],
  'hg.mode': ['时间设置', 'Hours'],
  'hg.closed': ['休息', 'Closed'],
  'hg.add': ['添加时段', 'Add a range'],
  'hg.del': ['删除', 'Remove'],
  'hg.from': ['开始', 'From'],
  'hg.to': ['结束', 'To'],
  'hg.range_label': ['{d} 第 {n} 段{w}', '{d} range {n} {w}'],
  'hg.del_label': ['删除{d}第 {n} 段', 'Remove {d} range {n}'],
  'hg.add_label': ['为{d}添加时段', 'Add a range to {d}'],
  'hg.copy_week': ['把周一复制到周二至周五', 'Copy Monday to Tuesday–Friday'],
  'hg.copy_all': ['把周一复制到每天', 'Copy Monday to every day'],
  'hg.rule': ['24 小时制 HH:MM，如 08:30；结束可为 24:00。午休请分为两段（如 08:30–12:00 与 13:30–17:30）；没有时段的一天为休息。', '24-hour HH:MM, e.g. 08:30; an end may be 24:00. A lunch break is two ranges (08:30–12:00 and 13:30–17:30); a day without ranges is closed.'],
  'hg.always_note': ['全天开放：任何时间都可取号。', 'Always open: tickets at any time.'],
  'hg.hall_note': ['按大厅的开放时间办理。', 'Served during the hall\'s hours.'],
  'hg.day_col': ['星期', 'Day'],
  'hg.ranges_col': ['时段', 'Ranges'],
});

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

export function mount(el, { id, nullMode = 'always' }) {
  const state = { mode: 'weekly', days: Object.fromEntries(DAYS.map((d) => [d, []])), marks: {} };
  const name = `${id}-hours-mode`;
  const rule = `${id}-hours-rule`;

  function readRows() {
    for (const d of DAYS)
      state.days[d] = [...el.querySelectorAll(`[data-day="${d}"] .hg-range`)].map((r) => [r.querySelector('.hg-from').value, r.querySelector('.hg-to').value]);
  }

  function change(fn) {
    readRows();
    state.marks = {};
    fn();
    render();
  }

  function rangeEl(d, i, [from, to], bad) {
    const day = i18n.t('day.' + d);
    const inp = (cls, v, w) =>
      h('input', {
        class: cls, id: `${id}-${d}-${i + 1}-${cls.slice(3)}`, value: v, inputmode: 'numeric', autocomplete: 'off', maxlength: 8,
        'aria-label': i18n.t('hg.range_label', { d: day, n: i + 1, w: i18n.t('hg.' + w) }), 'aria-describedby': rule, 'aria-invalid': bad ? 'true' : null,
      });
    return h('span', { class: 'hg-range' + (bad ? ' bad' : ''), dataset: { range: i + 1 } },
      inp('hg-from', from, 'from'), h('span', { 'aria-hidden': 'true' }, '–'), inp('hg-to', to, 'to'),
      h('button', { class: 'btn small hg-del', type: 'button', 'aria-label': i18n.t('hg.del_label', { d: day, n: i + 1 }), onclick: () => change(() => state.days[d].splice(i, 1)) }, i18n.t('hg.del')));
  }

  function rowEl(d) {
    const ranges = state.days[d];
    const mark = state.marks[d];
    return h('tr', { class: mark ? 'bad' : null, dataset: { day: d, state: ranges.length ? 'open' : 'closed' } },
      h('th', { scope: 'row', class: 'hg-day' }, i18n.t('day.' + d)),
      h('td', { class: 'hg-ranges' },
        ranges.length ? ranges.map((r, i) => rangeEl(d, i, r, mark && (mark.index == null || mark.index === i + 1))) : h('span', { class: 'hg-closed' }, i18n.t('hg.closed')),
        h('button', { class: 'btn small hg-add', type: 'button', 'aria-label': i18n.t('hg.add_label', { d: i18n.t('day.' + d) }), onclick: () => change(() => state.days[d].push(['', ''])) }, '+ ' + i18n.t('hg.add')),
        mark ? h('p', { class: 'hg-error', role: 'alert' }, mark.text) : null));
  }

  function render() {
    const weekly = state.mode === 'weekly';
    replace(el,
      h('div', { class: 'hg-mode', role: 'radiogroup', 'aria-label': i18n.t('hg.mode') },
        [nullMode, 'weekly'].map((m) =>
          h('label', { class: 'inline' }, h('input', { type: 'radio', name, value: m, checked: state.mode === m, onchange: () => change(() => (state.mode = m)) }), ' ', i18n.t('hg.' + m)))),
      weekly ? null : h('p', { class: 'hint hg-null-note' }, i18n.t(nullMode === 'hall' ? 'hg.hall_note' : 'hg.always_note')),
      weekly ? h('p', { class: 'rule', id: rule }, i18n.t('hg.rule')) : null,
      weekly ? h('table', { class: 'data hg-table' },
        h('thead', null, h('tr', null, h('th', { scope: 'col' }, i18n.t('hg.day_col')), h('th', { scope: 'col' }, i18n.t('hg.ranges_col')))),
        h('tbody', null, DAYS.map(rowEl))) : null,
      weekly ? h('div', { class: 'row hg-copy' },
        h('button', { class: 'btn small hg-copy-week', type: 'button', onclick: () => copy(DAYS.slice(1, 5)) }, i18n.t('hg.copy_week')),
        h('button', { class: 'btn small hg-copy-all', type: 'button', onclick: () => copy(DAYS.slice(1)) }, i18n.t('hg.copy_all'))) : null);
    el.dataset.mode = state.mode;
  }

  function copy(days) {
    change(() => {
      for (const d of days) state.days[d] = state.days.mon.map((r) => [...r]);
    });
  }

  return {
    set(hours) {
      state.marks = {};
      state.mode = hours && typeof hours === 'object' ? 'weekly' : nullMode;
      for (const d of DAYS) {
        const v = hours && typeof hours === 'object' ? hours[d] : null;
        state.days[d] = typeof v === 'string' && v ? v.split(',').map((r) => { const [a, ...b] = r.split('-'); return [a, b.join('-')]; }) : [];
      }
      render();
    },
    // null (always open / the hall's) or the API's form; a range left wholly empty is no range.
    get() {
      readRows();
      if (state.mode !== 'weekly') return null;
      const norm = (s) => s.trim().replace(/：/g, ':');
      return Object.fromEntries(DAYS.map((d) => {
        const rs = state.days[d].map(([a, b]) => [norm(a), norm(b)]).filter(([a, b]) => a || b).map(([a, b]) => `${a}-${b}`);
        return [d, rs.length ? rs.join(',') : null];
      }));
    },
    // A refusal of the server (field "hours.tue", params.index the range): shown on that row.
    mark(err) {
      readRows();
      state.marks = {};
      const m = /^hours\.([a-z]+)$/.exec(err?.field || '');
      if (!m || !DAYS.includes(m[1])) {
        render();
        return false;
      }
      const index = Number(err.params?.index) || null;
      state.marks[m[1]] = { index, text: err.message };
      render();
      const first = el.querySelector(`[data-day="${m[1]}"] [aria-invalid=true]`) || el.querySelector(`[data-day="${m[1]}"] .hg-add`);
      first?.focus();
      return true;
    },
    clear() {
      readRows();
      state.marks = {};
      render();
    },
  };
}
