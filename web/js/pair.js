// SPDX-License-Identifier: MIT
// pair.js — the waiting device's side of pairing (POST /pairing, then GET /pairing/{id} every two
// seconds). The code and QR code are shown until an admin accepts the code; the key handed over
// once is kept like a key opened with ?device= (localStorage), and the device opens its page. An
// expired code is replaced by a new one by itself; the page can be left open all day.
import * as api from './api.js';
import * as i18n from './i18n.js';
import { $, boot } from './ui.js';

i18n.add({
  'pair.title': ['设备配对', 'Pair this device'],
  'pair.heading': ['请管理员输入以下配对码', 'Ask an administrator to enter this code'],
  'pair.steps': ['在“管理 → 设备 → 配对新设备”中输入此码，或用已登录管理员账号的手机扫描二维码，选择设备用途与窗口。', 'In Admin → Devices → Pair a device, enter this code, or scan the QR code with a phone signed in as admin, then choose what the device is for and its window.'],
  'pair.asked': ['本设备页面', 'This device\'s page'],
  'pair.none': ['由管理员选择', 'chosen by the administrator'],
  'pair.expires': ['配对码 {m} 分钟内有效', 'The code is valid for {m} more minutes'],
  'pair.done': ['配对成功：{name}。正在打开 {page} …', 'Paired: {name}. Opening {page} …'],
  'pair.renew': ['配对码已过期，已换新码', 'The code expired: here is a new one'],
  'pair.wait_net': ['暂时无法连接服务器，正在重试 …', 'Cannot reach the server: retrying …'],
});

const PAGE = /^\/(kiosk|display|window\/[1-9][0-9]{0,4}|pad\/[1-9][0-9]{0,4})$/;
const asked = new URL(location.href).searchParams.get('page');
const page = asked && PAGE.test(asked) ? asked : null;
let pairing = null;
let timer = null;

function status(text, kind = '') {
  const el = $('#pair-status');
  el.textContent = text;
  el.className = `msg ${kind}`;
}

function showCode() {
  $('#pair-code').textContent = pairing.code.replace(/^(\d{3})(\d{3})$/, '$1 $2');
  const qr = $('#pair-qr');
  qr.src = `/api/v1/pairing/${encodeURIComponent(pairing.id)}/qr.png`;
  qr.alt = i18n.t('pair.heading');
  qr.hidden = false;
  const m = Math.max(1, Math.round((Date.parse(pairing.expires_at) - Date.now()) / 60000));
  status(i18n.t('pair.expires', { m }));
}

async function start(renewed) {
  try {
    pairing = await api.post('/pairing', page ? { page } : {}, { auth: false });
    showCode();
    if (renewed) status(i18n.t('pair.renew'));
  } catch (e) {
    status(e.code === 'network' ? i18n.t('pair.wait_net') : e.message, 'err');
    timer = setTimeout(() => start(renewed), e.code === 'rate_limited' ? 30000 : 5000);
    return;
  }
  poll();
}

async function poll() {
  clearTimeout(timer);
  try {
    const r = await api.get(`/pairing/${encodeURIComponent(pairing.id)}`, { auth: false });
    if (r.status === 'paired') {
      try {
        localStorage.setItem('hq.device', r.key);
      } catch {
        /* a device without storage cannot keep a key: the page says so below */
      }
      status(i18n.t('pair.done', { name: r.name, page: r.page }), 'ok');
      setTimeout(() => location.replace(r.page), 1200);
      return;
    }
    const m = Math.max(1, Math.round((Date.parse(r.expires_at) - Date.now()) / 60000));
    if (!$('#pair-status').classList.contains('err')) status(i18n.t('pair.expires', { m }));
  } catch (e) {
    if (e.status === 404) return start(true);
    status(i18n.t('pair.wait_net'), 'err');
  }
  timer = setTimeout(poll, 2000);
}

boot();
$('#pair-asked').textContent = page || i18n.t('pair.none');
i18n.onChange(() => {
  $('#pair-asked').textContent = page || i18n.t('pair.none');
  if (pairing) showCode();
});
start(false);
