// SPDX-License-Identifier: MIT
// ops_device.js — what the hall's devices do for the operations records (docs/OPERATIONS.md),
// imported with one line by the kiosk, the hall display and the evaluation pad:
//   - a registered device (a device key, api.deviceKey()) says it is alive: POST
//     /devices/heartbeat now and then every minute, so a silent one raises an alert (7.1.3);
//   - the kiosk and the hall display show the public information (GET /info: licences, prices of
//     supporting services, an opening-hours note; clauses 7.1.8, 7.2.1) in a card of their own,
//     in the page's language, refreshed every ten minutes. Nothing is shown when nothing is set.
import * as api from './api.js';
import * as i18n from './i18n.js';
import { h, replace } from './ui.js';

i18n.add({
  'pi.title': ['公示信息', 'Public information'],
  'pi.licences': ['证照', 'Licences'],
  'pi.prices': ['收费标准', 'Prices'],
  'pi.hours': ['办公时间', 'Opening hours'],
  'pi.no': ['编号 {n}', 'No. {n}'],
});

const HEARTBEAT_MS = 60000;
const INFO_MS = 600000;

function heartbeat() {
  if (!api.deviceKey()) return;
  const beat = () => api.post('/devices/heartbeat', {}, { auth: false }).catch(() => {});
  beat();
  setInterval(beat, HEARTBEAT_MS);
}

const en = () => i18n.lang() === 'en';
const pick = (o, k) => (en() && o[k + '_en'] ? o[k + '_en'] : o[k] || '');

let info = null;
let box = null;

function render() {
  if (!box || !info) return;
  const lic = (info.licences || []).filter((l) => !l.expired);
  const prices = info.prices || [];
  const note = pick(info, 'hours_note');
  box.hidden = !lic.length && !prices.length && !note;
  replace(box,
    h('h2', null, i18n.t('pi.title')),
    note ? h('p', { class: 'pi-hours' }, `${i18n.t('pi.hours')}：${note}`) : null,
    prices.length
      ? [h('h3', null, i18n.t('pi.prices')), h('ul', { class: 'pi-prices' }, prices.map((p) => h('li', null, `${pick(p, 'item')}：${p.price}${pick(p, 'unit') ? ' / ' + pick(p, 'unit') : ''}`)))]
      : null,
    lic.length
      ? [h('h3', null, i18n.t('pi.licences')), h('ul', { class: 'pi-licences' }, lic.map((l) => h('li', null, pick(l, 'name'), l.number ? ` · ${i18n.t('pi.no', { n: l.number })}` : '')))]
      : null,
  );
}

async function loadInfo() {
  try {
    info = await api.get('/info', { auth: false });
    render();
  } catch {
    /* shown again at the next refresh */
  }
}

function publicInfo() {
  const b = document.body.classList;
  const host = b.contains('kiosk') ? document.querySelector('main') : b.contains('display') ? document.querySelector('aside.side') : null;
  if (!host) return;
  box = h('section', { class: 'card public-info', id: 'public-info', hidden: true, 'aria-label': i18n.t('pi.title') });
  host.appendChild(box);
  i18n.onChange(render);
  loadInfo();
  setInterval(loadInfo, INFO_MS);
}

heartbeat();
publicInfo();
