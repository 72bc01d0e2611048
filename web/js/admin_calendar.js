// SPDX-License-Identifier: MIT
// admin_calendar.js — the admin page's 日历与评价 tab: one year's working-day calendar (GET
// /calendar/{year}: the holidays and the make-up working days 调休), each day listed with a remove
// button and a form to add one; every change PUTs the year's two lists whole (PUT /calendar/{year},
// refused with the server's reason when a make-up day is not a weekend day or is also a holiday).
// And the evaluation settings (GET/PUT /evaluations/settings): late rating hours, the default level
// of unrated services and after how many days, the working days of a bad review's case.

import * as api from './api.js';
import * as i18n from './i18n.js';
import { h, $, replace, showMsg, errText } from './ui.js';

i18n.add({
  'cal.tab': ['日历与评价', 'Calendar and ratings'],
  'cal.title': ['工作日历（法定节假日与调休上班日）', 'Working-day calendar (public holidays and make-up working days)'],
  'cal.help': ['节假日不办理业务；调休上班日（周末）按工作日办理。预约、投诉和差评工单的工作日时限都按此日历计算。', 'No service on holidays; make-up working days (weekends) are served as weekdays. Appointments and every deadline in working days (complaints, bad-review cases) follow this calendar.'],
  'cal.year': ['年份', 'Year'],
  'cal.load': ['查看', 'Show'],
  'cal.holidays': ['节假日', 'Holidays'],
  'cal.workdays': ['调休上班日', 'Make-up working days'],
  'cal.date': ['日期', 'Date'],
  'cal.kind': ['类型', 'Kind'],
  'cal.holiday': ['节假日', 'Holiday'],
  'cal.workday': ['调休上班日', 'Make-up working day'],
  'cal.add': ['添加', 'Add'],
  'cal.remove': ['删除', 'Remove'],
  'cal.none': ['（无）', '(none)'],
  'cal.saved': ['已保存 {y} 年日历：节假日 {h} 天，调休上班日 {w} 天', 'Saved the {y} calendar: {h} holidays, {w} make-up working days'],
  'cal.other_year': ['日期不在 {y} 年', 'The date is not in {y}'],
  'evs.title': ['评价与差评工单', 'Ratings and bad-review cases'],
  'evs.late': ['补评时限（小时）', 'Late rating allowed for (hours)'],
  'evs.level': ['未评价时默认等级', 'Default level of unrated services'],
  'evs.none': ['不默认', 'None'],
  'evs.after': ['办结后几天默认', 'Applied after (days)'],
  'evs.days': ['差评工单时限（工作日）', 'Bad-review case deadline (working days)'],
  'evs.saved': ['评价设置已保存', 'Rating settings saved'],
  'save': ['保存', 'Save'],
});

const WD = ['日', '一', '二', '三', '四', '五', '六'];
const WD_EN = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
let cal = null;

function dayLabel(d) {
  const wd = new Date(d + 'T12:00:00Z').getUTCDay();
  return i18n.lang() === 'zh' ? `${d}（周${WD[wd]}）` : `${d} (${WD_EN[wd]})`;
}

function draw() {
  if (!cal) return;
  for (const kind of ['holidays', 'workdays']) {
    const days = cal[kind] || [];
    replace(
      $('#cal-' + kind),
      ...(days.length
        ? days.map((d) =>
            h('li', { dataset: { day: d } }, dayLabel(d), ' ', h('button', { class: 'btn small', type: 'button', 'aria-label': `${i18n.t('cal.remove')} ${d}`, onclick: () => save(kind, d, false) }, i18n.t('cal.remove'))),
          )
        : [h('li', null, i18n.t('cal.none'))]),
    );
  }
}

async function load() {
  const y = Number($('#cal-year').value);
  try {
    cal = await api.get(`/calendar/${y}`, { auth: false });
    showMsg($('#cal-msg'), '');
    draw();
  } catch (e) {
    showMsg($('#cal-msg'), errText(e));
  }
}

async function save(kind, day, add) {
  const y = cal.year;
  const next = { holidays: [...cal.holidays], workdays: [...cal.workdays] };
  if (add) {
    if (Number(day.slice(0, 4)) !== y) return showMsg($('#cal-msg'), i18n.t('cal.other_year', { y }));
    if (!next[kind].includes(day)) next[kind] = [...next[kind], day].sort();
  } else next[kind] = next[kind].filter((d) => d !== day);
  try {
    cal = await api.put(`/calendar/${y}`, next);
    showMsg($('#cal-msg'), i18n.t('cal.saved', { y, h: cal.holidays.length, w: cal.workdays.length }), 'ok');
    draw();
  } catch (e) {
    showMsg($('#cal-msg'), errText(e));
  }
}

async function loadSettings() {
  try {
    const s = await api.get('/evaluations/settings');
    $('#evs-late').value = s.late_rating_h;
    $('#evs-level').value = s.default_level == null ? '' : String(s.default_level);
    $('#evs-after').value = s.default_after_days;
    $('#evs-days').value = s.case_working_days;
  } catch (e) {
    showMsg($('#evs-msg'), errText(e));
  }
}

// admin.js translated the page before these keys existed: translate the tab and its button now
i18n.apply($('#tab-calendar'));
i18n.apply(document.querySelector('.tabs'));
$('#cal-year').value = String(new Date().getFullYear());
$('#cal-year-form').addEventListener('submit', (e) => {
  e.preventDefault();
  load();
});
$('#cal-add').addEventListener('submit', (e) => {
  e.preventDefault();
  const d = $('#cal-date').value;
  if (d && cal) save($('#cal-kind').value, d, true);
});
$('#evs-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const lvl = $('#evs-level').value;
  try {
    await api.put('/evaluations/settings', {
      late_rating_h: Number($('#evs-late').value),
      default_level: lvl ? Number(lvl) : null,
      default_after_days: Number($('#evs-after').value),
      case_working_days: Number($('#evs-days').value),
    });
    showMsg($('#evs-msg'), i18n.t('evs.saved'), 'ok');
  } catch (err) {
    showMsg($('#evs-msg'), errText(err));
  }
});
$('[data-tab="calendar"]').addEventListener('click', () => {
  load();
  loadSettings();
});
i18n.onChange(draw);
