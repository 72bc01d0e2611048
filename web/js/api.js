// SPDX-License-Identifier: MIT
// api.js — the one way the pages talk to hallq: fetch against /api/v1 with JSON in and out.
// A non-2xx answer becomes an ApiError carrying the body's {"error":{code,message,field,reason,
// params,message_zh}}; its .message is the refusal in the page's current language (i18n.js lang():
// message_zh in Chinese, message in English; a general sentence for the code when the body has
// none), read when shown, so a page that re-renders after the language toggle says it anew. A
// network failure becomes an ApiError with code "network". The staff token from POST /auth/login
// is kept in sessionStorage (per tab, gone when the tab closes) and sent as "Authorization: Bearer".

import * as i18n from './i18n.js';

const BASE = '/api/v1';
const TOKEN = 'hq.token';
const USER = 'hq.user';
const CSRF = 'hq.csrf';
const DEVICE = 'hq.device';

// A registered device (evaluation pad, kiosk) is set up once by opening its page with
// ?device=KEY (the key from POST /devices): the key is kept in localStorage, taken out of the
// address bar, and sent as X-Device-Key with every request.
(function takeDeviceKey() {
  try {
    const u = new URL(location.href);
    const k = u.searchParams.get('device');
    if (k) {
      localStorage.setItem(DEVICE, k);
      u.searchParams.delete('device');
      history.replaceState(null, '', u.pathname + u.search + u.hash);
    }
  } catch {
    /* no storage: the page works as the public */
  }
})();

export function deviceKey() {
  try {
    return localStorage.getItem(DEVICE) || null;
  } catch {
    return null;
  }
}

// The device pages (a kiosk, display, window display or pad is paired to one of them).
const DEVICE_PAGE = /^\/(kiosk|display|window\/[1-9][0-9]{0,4}|pad\/[1-9][0-9]{0,4})$/;

// A device whose key an admin revoked: forget the key and ask for a new pairing.
function revoked() {
  try {
    localStorage.removeItem(DEVICE);
  } catch {
    /* nothing kept */
  }
  if (DEVICE_PAGE.test(location.pathname))
    location.replace(`/pair?page=${encodeURIComponent(location.pathname)}`);
}

// On a device page without a key: a small link in a corner to pair this device (the page works
// as the public meanwhile: a phone may open /kiosk too).
i18n.add({ 'dev.unpaired': ['本设备未配对 · 配对', 'Not paired · Pair this device'] });
if (typeof document !== 'undefined' && DEVICE_PAGE.test(location.pathname) && !deviceKey()) {
  const show = () => {
    const a = document.createElement('a');
    a.href = `/pair?page=${encodeURIComponent(location.pathname)}`;
    a.className = 'unpaired-link';
    a.id = 'unpaired-link';
    a.dataset.i18n = 'dev.unpaired';
    a.textContent = i18n.t('dev.unpaired');
    document.body.appendChild(a);
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', show);
  else show();
}

// General sentences by error code, for answers without a sentence of their own (a proxy's 502,
// the network gone).
i18n.add({
  'err.bad_json': ['提交的内容不是有效的 JSON', 'The request is not valid JSON'],
  'err.invalid_field': ['填写的内容有误，请检查后重试', 'Some input is not valid: please check it'],
  'err.unauthenticated': ['请先登录', 'Please sign in'],
  'err.forbidden': ['无权进行此操作', 'You may not do this'],
  'err.not_found': ['未找到所请求的内容', 'Not found'],
  'err.conflict': ['当前状态下不能进行此操作', 'This cannot be done now'],
  'err.payload_too_large': ['提交的内容过大', 'The request is too large'],
  'err.unsupported_media_type': ['不支持的请求格式', 'Unsupported request format'],
  'err.rate_limited': ['操作过于频繁，请稍后再试', 'Too many requests: please try again later'],
  'err.suspended': ['服务暂停，请稍后再试', 'The service is suspended: please try again later'],
  'err.store_unavailable': ['数据暂时无法保存，请稍后再试', 'The data cannot be saved now: please try again later'],
  'err.internal': ['系统内部错误，请稍后再试或联系管理员', 'Internal error: please try again later or tell the administrator'],
  'err.method_not_allowed': ['不支持此请求方法', 'Method not allowed'],
  'err.network': ['无法连接服务器，请检查网络后重试', 'Cannot reach the server: please check the network'],
  'err.http': ['请求失败（{status}）', 'The request failed ({status})'],
});

export class ApiError extends Error {
  // body: the "error" member of the answer ({code, message, field, reason, params, message_zh}).
  constructor(status, code, message, field, body = {}) {
    super(message || code);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field || null;
    this.reason = body.reason || code;
    this.params = body.params && typeof body.params === 'object' ? body.params : {};
    this.message_en = message || '';
    this.message_zh = typeof body.message_zh === 'string' ? body.message_zh : '';
    // .message in the page's language, at the moment it is read.
    Object.defineProperty(this, 'message', {
      configurable: true,
      enumerable: false,
      get: () => this.text(i18n.lang()),
    });
  }

  // The refusal in lang ('zh' or 'en').
  text(lang) {
    const general = () => {
      const key = `err.${this.code}`;
      const s = i18n.inLang(key, lang);
      return s !== key ? s : i18n.inLang('err.http', lang).replace('{status}', String(this.status));
    };
    if (lang === 'en') return this.message_en || general();
    return this.message_zh || general();
  }
}

function store() {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

export function token() {
  return store()?.getItem(TOKEN) || null;
}

export function user() {
  try {
    return JSON.parse(store()?.getItem(USER) || 'null');
  } catch {
    return null;
  }
}

export function setSession(tok, usr, csrf) {
  const s = store();
  if (!s) return;
  if (tok) {
    s.setItem(TOKEN, tok);
    s.setItem(USER, JSON.stringify(usr || null));
    if (csrf) s.setItem(CSRF, csrf);
  } else {
    s.removeItem(TOKEN);
    s.removeItem(USER);
    s.removeItem(CSRF);
  }
}

let onUnauth = null;
// Called when a staff request answers 401 (session gone): the page shows its sign-in form.
export function onUnauthenticated(fn) {
  onUnauth = fn;
}

export async function request(method, path, body, { auth = true, signal } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json; charset=utf-8';
  const dev = deviceKey();
  if (dev) headers['X-Device-Key'] = dev;
  const tok = auth ? token() : null;
  if (tok) {
    headers.Authorization = `Bearer ${tok}`;
    const csrf = store()?.getItem(CSRF);
    if (csrf && method !== 'GET') headers['X-CSRF-Token'] = csrf;
  }
  let res;
  try {
    res = await fetch(BASE + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
      signal,
    });
  } catch (e) {
    if (e?.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', '', null, {});
  }
  let data = null;
  const text = await res.text().catch(() => '');
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const err = data?.error || {};
    const e = new ApiError(res.status, err.code || `http_${res.status}`, err.message || '', err.field, err);
    if (res.status === 401 && dev && err.reason === 'device.key_revoked') revoked();
    if (res.status === 401 && tok && onUnauth) {
      setSession(null);
      onUnauth(e);
    }
    throw e;
  }
  return data;
}

export const get = (path, opts) => request('GET', path, undefined, opts);
export const post = (path, body = {}, opts) => request('POST', path, body, opts);
export const put = (path, body = {}, opts) => request('PUT', path, body, opts);
export const del = (path, opts) => request('DELETE', path, undefined, opts);

export async function login(username, password) {
  const r = await request('POST', '/auth/login', { username, password }, { auth: false });
  setSession(r.token, r.user, r.csrf);
  return r.user;
}

export async function logout() {
  try {
    await request('POST', '/auth/logout', {});
  } catch {
    /* the session may already be gone */
  }
  setSession(null);
}

// Path segment escaping for ids, codes and usernames put into URLs.
export const seg = (s) => encodeURIComponent(String(s));
