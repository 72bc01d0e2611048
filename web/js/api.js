// SPDX-License-Identifier: MIT
// api.js — the one way the pages talk to hallq: fetch against /api/v1 with JSON in and out.
// A non-2xx answer becomes an ApiError carrying the body's {"error":{code,message,field}}; a network
// failure becomes an ApiError with code "network". The staff token from POST /auth/login is kept in
// sessionStorage (per tab, gone when the tab closes) and sent as "Authorization: Bearer".

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

export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.field = field || null;
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
    throw new ApiError(0, 'network', String(e?.message || e));
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
    const e = new ApiError(res.status, err.code || `http_${res.status}`, err.message || res.statusText, err.field);
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
