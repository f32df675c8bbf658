// Shared by the three pages: the token (from the link, kept in sessionStorage), HTTP calls to the
// API, a tiny DOM builder, formatting, and the login form.
import { t, locale, applyStatic, wireLangSwitch, onLangChange } from './i18n.js';

// --- the token -----------------------------------------------------------------------------------

// Each page keeps its own token (a coordinator's dashboard and a structure's page may share a tab).
// A structure's and a volunteer's are kept on the device until they log out (a phone's browser
// reloads the page often, and a new tab must not ask again); a coordinator's lasts the session.
function tokenStore(page) {
  return page === 'structure' || page === 'volunteer' ? localStorage : sessionStorage;
}

// A ?token=... in the address is taken once, stored, and removed from the address bar (so that it
// is neither bookmarked, nor shared by copying the link, nor sent as a Referer).
export function takeToken(page) {
  const key = `renfort.token.${page}`;
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl !== null) {
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.pathname + (url.search === '?' ? '' : url.search) + url.hash);
    if (fromUrl.trim()) storeToken(page, fromUrl.trim());
  }
  try { return tokenStore(page).getItem(key); } catch { return memoryTokens[page] || null; }
}

const memoryTokens = {};

export function storeToken(page, token) {
  memoryTokens[page] = token;
  try { tokenStore(page).setItem(`renfort.token.${page}`, token); } catch { /* private mode: memory only */ }
}

export function forgetToken(page) {
  delete memoryTokens[page];
  try { tokenStore(page).removeItem(`renfort.token.${page}`); } catch { /* ignore */ }
}

// --- HTTP ----------------------------------------------------------------------------------------

export class ApiError extends Error {
  constructor(status, error) {
    super(error && error.message ? error.message : `HTTP ${status}`);
    this.status = status;
    this.code = error && error.code;
    this.field = error && error.field;
    this.rule = error && error.rule;
  }
}

export class NetworkError extends Error {
  constructor(cause) {
    super(t('error.network'));
    this.cause = cause;
  }
}

let currentToken = null;
let onUnauthorized = null;

export function useToken(token, unauthorized) {
  currentToken = token;
  onUnauthorized = unauthorized;
}

export function token() {
  return currentToken;
}

function queryString(params) {
  if (!params) return '';
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

// api('GET', '/alerts', {params}) or api('POST', '/alerts/3/acknowledge', {body, key}).
export async function api(method, path, { params, body, key, timeoutMs = 20000 } = {}) {
  const headers = { Accept: 'application/json' };
  if (currentToken) headers.Authorization = `Bearer ${currentToken}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (key) headers['Idempotency-Key'] = key;
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), timeoutMs);
  let res;
  try {
    res = await fetch(`/api/v1${path}${queryString(params)}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: ctrl.signal,
      cache: 'no-store',
    });
  } catch (e) {
    throw new NetworkError(e);
  } finally {
    clearTimeout(timer);
  }
  let data = null;
  const type = res.headers.get('Content-Type') || '';
  try {
    data = type.includes('json') ? await res.json() : await res.text();
  } catch (e) {
    if (res.ok) throw new NetworkError(e);
  }
  if (!res.ok) {
    if (res.status === 401 && onUnauthorized) onUnauthorized();
    throw new ApiError(res.status, data && data.error);
  }
  return data;
}

// Every page of a list paged with after/next (alerts, registries, outbox), up to maxRows.
export async function apiAll(path, params = {}, maxRows = 20000) {
  const out = [];
  let after = null;
  for (;;) {
    const page = await api('GET', path, { params: { ...params, limit: 1000, after: after ?? undefined } });
    out.push(...page.items);
    if (!page.next || out.length >= maxRows || page.items.length === 0) break;
    after = page.next;
  }
  return out;
}

export function newKey(prefix) {
  const rnd = (crypto.randomUUID && crypto.randomUUID()) ||
    Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
  return `${prefix}-${rnd}`;
}

// --- DOM -----------------------------------------------------------------------------------------

// h('tr', {class: 'x', dataset: {id: 3}, onclick: fn}, child, 'text', [children]...)
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'text') el.textContent = v;
      else if (v === true) el.setAttribute(k, '');
      else el.setAttribute(k, v);
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function $(sel, root = document) {
  return root.querySelector(sel);
}

// Briefly highlights an element that just changed (live updates).
export function flash(el) {
  el.classList.remove('flash');
  void el.offsetWidth; // restart the animation
  el.classList.add('flash');
}

// --- formatting ----------------------------------------------------------------------------------

const PARIS = 'Europe/Paris';

export function fmtTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  const now = new Date();
  const sameDay = d.toDateString() === now.toDateString();
  const opts = sameDay
    ? { hour: '2-digit', minute: '2-digit', timeZone: PARIS }
    : { day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit', timeZone: PARIS };
  return new Intl.DateTimeFormat(locale(), opts).format(d);
}

export function fmtDateTime(iso) {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'short', timeStyle: 'short', timeZone: PARIS }).format(new Date(iso));
}

export function fmtDate(iso) {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(iso));
}

export function fmtNumber(n, digits = 0) {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(n);
}

// Days of cover: "0", "1.5", "12", "> 365"; null: unknown.
export function fmtDays(d) {
  if (d === null || d === undefined) return t('common.unknown_short');
  if (d > 365) return '> 365';
  return fmtNumber(d, d < 10 ? 1 : 0);
}

// The severity class a number of days falls in, for colouring cells when no alert says it.
export function coverClass(days) {
  if (days === null || days === undefined) return 'cover-unknown';
  if (days <= 0) return 'cover-stockout';
  if (days < 3) return 'cover-critical';
  if (days < 7) return 'cover-warning';
  return 'cover-ok';
}

export const SEVERITY_RANK = { stockout: 3, critical: 2, warning: 1 };

export function severityRank(s) {
  return SEVERITY_RANK[s] || 0;
}

// A phone number shown on a shared screen: +33 6 •• •• 12 34.
export function maskPhone(p) {
  if (!p) return '—';
  return p.length > 6 ? `${p.slice(0, 4)} •• ${p.slice(-4)}` : p;
}

export function errorText(e) {
  if (e instanceof NetworkError) return t('error.network');
  if (e instanceof ApiError) {
    if (e.status === 401) return t('error.unauthorized');
    if (e.status === 403) return t('error.forbidden');
    if (e.status === 404) return t('error.not_found');
    if (e.status === 409 && e.code === 'conflict') return `${t('error.conflict')} (${e.rule || ''})`;
    if (e.status >= 500) return t('error.server');
    return e.message;
  }
  return String(e && e.message ? e.message : e);
}

// --- page frame: language switch, login form, toasts ----------------------------------------------

export function initFrame() {
  applyStatic(document);
  wireLangSwitch(document);
}

// Shows the login form (a token to paste) and resolves with the token entered.
export function askToken(page, message) {
  const box = $('#login');
  const form = $('#login-form');
  const input = $('#login-token');
  const msg = $('#login-message');
  $('#app').hidden = true;
  box.hidden = false;
  msg.textContent = message || '';
  input.value = '';
  input.focus();
  return new Promise((resolve) => {
    const submit = (ev) => {
      ev.preventDefault();
      const v = input.value.trim();
      if (!v) return;
      form.removeEventListener('submit', submit);
      storeToken(page, v);
      box.hidden = true;
      $('#app').hidden = false;
      resolve(v);
    };
    form.addEventListener('submit', submit);
  });
}

// A server playing an exercise (whoami's exercise) says so on every page, above everything, so that no
// one takes what they see for the real situation.
function showExerciseBanner() {
  if ($('#exercise-banner')) return;
  // data-i18n: the language switch (applyStatic) translates it again
  const el = h('div', { id: 'exercise-banner', class: 'banner exercise', role: 'note' },
    h('strong', { dataset: { i18n: 'exercise.banner' } }, t('exercise.banner')),
    h('span', { dataset: { i18n: 'exercise.detail' } }, t('exercise.detail')));
  document.body.prepend(el);
}

// Authenticates the page: token from the link or the session, else the form; checks it with whoami
// and that its role fits the page. Resolves with {token, who}.
export async function signIn(page, roles) {
  let tok = takeToken(page);
  let message = '';
  for (;;) {
    if (!tok) tok = await askToken(page, message);
    useToken(tok, null);
    try {
      const who = await api('GET', '/whoami');
      if (!roles.includes(who.role)) {
        forgetToken(page);
        tok = null;
        message = t('login.wrong_role', { role: t(`enum.role.${who.role}`) });
        continue;
      }
      $('#login').hidden = true;
      $('#app').hidden = false;
      if (who.exercise) showExerciseBanner();
      // a token revoked while the page is open: back to the login form
      useToken(tok, () => {
        forgetToken(page);
        window.location.reload();
      });
      return { token: tok, who };
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        forgetToken(page);
        tok = null;
        message = t('login.rejected');
        continue;
      }
      // the server is unreachable: say so and try again shortly
      message = errorText(e);
      toast(message, 'error');
      await new Promise((r) => setTimeout(r, 3000));
    }
  }
}

export function wireLogout(page) {
  const b = $('#logout');
  if (!b) return;
  b.addEventListener('click', () => {
    forgetToken(page);
    window.location.reload();
  });
}

export function toast(text, kind = 'info') {
  let box = $('#toasts');
  if (!box) {
    box = h('div', { id: 'toasts', class: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.append(box);
  }
  const el = h('div', { class: `toast toast-${kind}` }, text);
  box.append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 8000 : 4000);
}

// Connection state pill: data-state = connecting | live | reconnecting | offline | refused.
let lastConnection = null;
onLangChange(() => {
  if (lastConnection) showConnection(...lastConnection);
});

export function showConnection(state, detail) {
  lastConnection = [state, detail];
  const el = $('#conn');
  if (!el) return;
  el.dataset.state = state;
  el.textContent = t(`conn.${state}`, detail);
  el.title = t(`conn.${state}.title`, detail);
}
