// SPDX-License-Identifier: MIT
// admin_guide.js — 首次使用向导 / First-run guide on the admin page: the steps of setting a hall up,
// each marked done from what the hall already has (read from the API, never stored apart), each
// leading to the ordinary tab where it is done — so every step can be revisited later the same
// way. It ends with a test ticket: taken at the kiosk, called at a window, shown on the display.
// Shown while a step is open (a fresh `hallq init`); 隐藏 / Hide keeps it folded on this browser;
// the 向导 / Guide button brings it back.
import * as api from './api.js';
import * as i18n from './i18n.js';
import { h, $, replace } from './ui.js';

i18n.add({
  'gd.title': ['首次使用向导', 'First-run guide'],
  'gd.intro': ['按顺序完成以下步骤即可开始服务。每一步都可以之后在对应的标签页中修改。', 'Do these steps in order and the hall can open. Each can be changed later in its tab.'],
  'gd.progress': ['已完成 {d}/{n} 步', '{d} of {n} steps done'],
  'gd.hide': ['隐藏向导', 'Hide the guide'],
  'gd.show': ['向导', 'Guide'],
  'gd.go': ['去设置', 'Set up'],
  'gd.done': ['已完成', 'Done'],
  'gd.todo': ['未完成', 'To do'],
  'gd.s.hall': ['大厅名称、时区与办理时间（可设午休，如 08:30-12:00,13:30-17:30）', 'Hall name, time zone and opening hours (a lunch break is two ranges)'],
  'gd.s.services': ['新增业务：代码、名称、所需材料', 'Add the services: code, name, documents'],
  'gd.s.windows': ['新增窗口，并指定每个窗口办理的业务', 'Add the windows and the services each one serves'],
  'gd.s.staff': ['新增窗口人员并登记资质（业务与有效期）', 'Add the clerks and their certifications (service and expiry)'],
  'gd.s.devices': ['配对取号机、显示屏和评价器', 'Pair the kiosk, displays and pads'],
  'gd.s.info': ['填写投诉电话等公开信息', 'Fill in the public information (complaints phone …)'],
  'gd.s.test': ['试运行：在取号机取一张号，在窗口叫号，看大厅显示屏是否显示', 'A test run: take a ticket at the kiosk, call it at a window, watch the hall display'],
  'gd.open_kiosk': ['打开取号机', 'Open the kiosk'],
  'gd.open_counter': ['打开窗口', 'Open the counter'],
  'gd.open_display': ['打开显示屏', 'Open the display'],
  'gd.all_done': ['全部完成，大厅可以开始服务。', 'All done: the hall is ready to serve.'],
});

const HIDDEN = 'hq.guide.hidden';
let tabFn = null;
let forceShow = false; // the Guide button: shown even when every step is done

async function state() {
  const get = (p) => api.get(p).catch(() => null);
  const [hall, services, windows, staff, devices, called, done] = await Promise.all([
    get('/hall'), get('/services'), get('/windows'), get('/staff'), get('/devices'),
    get('/tickets?status=called'), get('/tickets?status=done'),
  ]);
  const today = new Date().toISOString().slice(0, 10);
  const clerks = (staff || []).filter((u) => u.role === 'clerk' && u.active !== false);
  return [
    // The hall step: named (not the name `hallq init` gives) or its hours set.
    { key: 'hall', tab: 'hall', done: !!hall && (hall.name !== '政务服务大厅' || (!!hall.hours && Object.values(hall.hours).some(Boolean))) },
    { key: 'services', tab: 'services', done: (services || []).some((s) => s.enabled) },
    { key: 'windows', tab: 'windows', done: (windows || []).length > 0 && (services || []).filter((s) => s.enabled).every((s) => (windows || []).some((w) => (w.services || []).includes(s.code))) },
    { key: 'staff', tab: 'staff', done: clerks.some((u) => (u.certifications || []).some((c) => c.expires_on >= today)) },
    { key: 'devices', tab: 'devices', done: (devices || []).some((d) => d.role === 'kiosk' && !d.revoked) },
    { key: 'info', tab: 'hall', done: !!hall?.public_info?.complaints?.phone },
    { key: 'test', tab: null, done: (called || []).length + (done || []).length > 0 },
  ];
}

let generation = 0; // renders overlap (each tab asks for one): only the newest is drawn

export async function render() {
  const box = $('#guide');
  if (!box) return;
  const mine = ++generation;
  const steps = await state();
  if (mine !== generation) return;
  const n = steps.length;
  const d = steps.filter((s) => s.done).length;
  let hidden = false;
  try {
    hidden = localStorage.getItem(HIDDEN) === '1';
  } catch {
    /* no storage: shown */
  }
  box.hidden = !forceShow && (hidden || d === n);
  $('#guide-show').hidden = !box.hidden;
  replace(box,
    h('div', { class: 'guide-head' },
      h('h2', null, i18n.t('gd.title')),
      h('span', { class: 'guide-progress', role: 'status' }, i18n.t('gd.progress', { d, n })),
      h('button', { class: 'btn small', type: 'button', onclick: () => setHidden(true) }, i18n.t('gd.hide'))),
    h('p', { class: 'hint' }, i18n.t('gd.intro')),
    h('ol', { class: 'guide-steps' }, ...steps.map((s) =>
      h('li', { class: s.done ? 'done' : 'todo', dataset: { step: s.key } },
        h('span', { class: s.done ? 'pill ok' : 'pill bad' }, i18n.t(s.done ? 'gd.done' : 'gd.todo')), ' ',
        h('span', { class: 'guide-text' }, i18n.t('gd.s.' + s.key)), ' ',
        s.tab
          ? h('button', { class: 'btn small', type: 'button', onclick: () => tabFn?.(s.tab) }, i18n.t('gd.go'))
          : h('span', { class: 'guide-links' },
            h('a', { href: '/kiosk', target: '_blank', rel: 'noopener' }, i18n.t('gd.open_kiosk')), ' · ',
            h('a', { href: '/counter', target: '_blank', rel: 'noopener' }, i18n.t('gd.open_counter')), ' · ',
            h('a', { href: '/display', target: '_blank', rel: 'noopener' }, i18n.t('gd.open_display')))))),
    d === n ? h('p', { class: 'msg ok' }, i18n.t('gd.all_done')) : null);
}

function setHidden(on) {
  forceShow = !on;
  try {
    if (on) localStorage.setItem(HIDDEN, '1');
    else localStorage.removeItem(HIDDEN);
  } catch {
    /* no storage */
  }
  render();
}

// tab: the admin page's function that opens a tab by name.
export function mount(tab) {
  tabFn = tab;
  $('#guide-show').addEventListener('click', () => setHidden(false));
  render();
}
