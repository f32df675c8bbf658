// A care structure's page (structure token): count stock on one screen, see its alerts and levels,
// ask for staff and see who is coming.
// A report carries an Idempotency-Key chosen when it is submitted and kept (in sessionStorage)
// until the server answers: a retry after a network error, even after a reload of the page, sends
// the same key, and renfortd counts the report once.
import { t, tEnum, itemName, unitName, onLangChange, locale } from './i18n.js';
import {
  api, apiAll, h, clear, $, flash, fmtTime, fmtDateTime, fmtNumber, fmtDays, coverClass, errorText,
  initFrame, signIn, wireLogout, showConnection, newKey, ApiError, NetworkError, toast,
} from './core.js';
import { Live, Buffer } from './live.js';
import { parseCount, askPlausible, itemUsedBy } from './count_check.js';
import { StockHistory } from './stock_history.js';
import { StaffRequests } from './staff_request.js';
import { initDeliveries } from './deliveries.js';

const PAGE = 'structure';
const PENDING = 'renfort.pending-report';

const state = {
  id: null,
  structure: null,
  commune: null,
  levels: [],
  alerts: new Map(),
  catalogue: [],
  lines: [], // item codes shown in the form, in order
  sending: false,
};
const buffer = new Buffer(applyEvent);
let history = null; // the stock history chart (stock_history.js)
let staff = null; // the staff requests (staff_request.js)
let deliveries = null; // the deliveries from the shared stock (deliveries.js)

async function main() {
  initFrame();
  wireLogout(PAGE);
  const { token, who } = await signIn(PAGE, ['structure']);
  state.id = who.subject_id;
  deliveries = initDeliveries(state.id);
  $('#report-form').addEventListener('submit', onSubmit);
  $('#add-item-btn').addEventListener('click', addLine);
  $('#pending-retry').addEventListener('click', () => {
    const p = loadPending();
    if (p) send(p);
  });
  $('#add-item-q').addEventListener('input', renderAddSelect);
  // a count that could not go is resent when the network is back (the same key: counted once)
  window.addEventListener('online', () => {
    const p = loadPending();
    if (p && !state.sending) send(p);
  });
  staff = new StaffRequests();
  onLangChange(renderAll);
  const live = new Live({
    token,
    topics: [`structure:${state.id}`],
    onEvent: (ev) => buffer.push(ev),
    onState: (s, d) => showConnection(s, d),
    onFailing: () => api('GET', '/whoami').catch(() => {}),
    onSync: (kind) => {
      if (kind !== 'resumed') load();
    },
  });
  live.start();
  history = new StockHistory($('#history-card'), { params: () => ({}) });
  await load();
  showPending();
  const p = loadPending();
  if (p && navigator.onLine !== false) send(p); // a count left unsent before a reload goes now
}

async function load() {
  buffer.hold();
  try {
    const [structure, levels, alerts, items] = await Promise.all([
      api('GET', `/structures/${state.id}`),
      api('GET', '/stock/levels', { params: { limit: 500 } }),
      apiAll('/alerts', { status: 'active' }),
      state.catalogue.length ? Promise.resolve(state.catalogue) : apiAll('/items'),
      deliveries.reload(),
    ]);
    state.structure = structure;
    if (!state.commune || state.commune.insee !== structure.commune) {
      state.commune = await api('GET', `/communes/${structure.commune}`).catch(() => null);
    }
    state.levels = levels.items;
    await staff.load();
    state.alerts = new Map(alerts.map((a) => [a.id, a]));
    state.catalogue = items;
    for (const l of state.levels) if (!state.lines.includes(l.item)) state.lines.push(l.item);
  } catch (e) {
    toast(`${t('error.load')}: ${errorText(e)}`, 'error');
  } finally {
    buffer.release();
  }
  renderAll();
  document.body.dataset.ready = '1';
}

function renderAll() {
  if (history) history.setItems(state.levels.map((l) => ({ code: l.item, name: l.item_name })));
  renderHeader();
  renderLines();
  renderAddSelect();
  renderAlerts();
  renderLevels();
  renderStaffForm();
  deliveries.render();
  showPending();
}

function renderHeader() {
  const s = state.structure;
  if (!s) return;
  $('#structure-name').textContent = s.name;
  $('#who-label').textContent = tEnum('role', 'structure');
  const facts = [tEnum('category', s.category), `${state.commune ? state.commune.name : s.commune} (${s.dep})`];
  if (s.capacity !== null) facts.push(t('structure.capacity', { n: fmtNumber(s.capacity) }));
  $('#structure-facts').textContent = facts.join(' · ');
  const occ = $('#occupancy');
  const staff = $('#staff');
  occ.placeholder = s.occupancy === null ? '' : String(s.occupancy);
  staff.placeholder = s.staff === null ? '' : String(s.staff);
  if (s.capacity !== null) occ.max = String(s.capacity);
}

function levelOf(code) {
  return state.levels.find((l) => l.item === code);
}

function catalogueItem(code) {
  return state.catalogue.find((i) => i.code === code) || { code, name: code, unit: '' };
}

// One line per item: a big numeric input, and what was counted last.
function renderLines() {
  const box = $('#report-lines');
  const values = new Map([...box.querySelectorAll('input[data-item]')].map((i) => [i.dataset.item, i.value]));
  clear(box);
  if (!state.lines.length) box.append(h('p', { class: 'muted' }, t('report.no_items')));
  state.lines.forEach((code) => {
    const l = levelOf(code);
    const it = catalogueItem(code);
    const id = `q-${code}`;
    // text, not number: "46 800" and "12,5" are read by parseCount, never silently changed
    const input = h('input', {
      id, type: 'text', inputmode: 'numeric', dataset: { item: code }, 'aria-describedby': `${id}-hint`, autocomplete: 'off',
    });
    if (values.has(code)) input.value = values.get(code);
    box.append(h('div', { class: `report-line ${l ? coverClass(l.days_of_cover) : ''}`, dataset: { item: code } },
      h('label', { for: id }, h('span', { class: 'item-name' }, itemName(code, l ? l.item_name : it.name)), ' ',
        h('small', {}, unitName(l ? l.unit : it.unit))),
      input,
      h('small', { id: `${id}-hint`, class: 'hint' }, lineHint(l)),
      h('span', { class: 'line-error error', role: 'alert' })));
  });
}

function lineHint(l) {
  return [l
    ? t(l.days_of_cover === null ? 'report.last_unknown' : 'report.last', { q: fmtNumber(l.quantity), unit: unitName(l.unit), at: fmtTime(l.reported_at), d: fmtDays(l.days_of_cover) })
    : t('report.never'), l && l.alert ? [' ', h('span', { class: `badge sev-${l.alert}` }, tEnum('severity', l.alert))] : null];
}

function updateHint(code) {
  const line = $('#report-lines').querySelector(`.report-line[data-item="${CSS.escape(code)}"]`);
  if (!line) return;
  const l = levelOf(code);
  line.className = `report-line ${l ? coverClass(l.days_of_cover) : ''}`;
  const hint = clear(line.querySelector('.hint'));
  for (const part of lineHint(l).flat()) if (part) hint.append(part);
  flash(line);
}

function renderAddSelect() {
  const sel = clear($('#add-item'));
  sel.append(h('option', { value: '' }, t('report.choose_item')));
  const search = $('#add-item-q');
  search.placeholder = t('report.search_items');
  search.setAttribute('aria-label', t('report.search_items'));
  const q = (search.value || '').trim().toLowerCase();
  const category = state.structure ? state.structure.category : '';
  state.catalogue
    .filter((i) => !state.lines.includes(i.code) && itemUsedBy(category, i))
    .filter((i) => !q || itemName(i.code, i.name).toLowerCase().includes(q) || i.name.toLowerCase().includes(q))
    .map((i) => [i.code, itemName(i.code, i.name)])
    .sort((a, b) => a[1].localeCompare(b[1], locale()))
    .forEach(([code, name]) => sel.append(h('option', { value: code }, name)));
}

function addLine() {
  const code = $('#add-item').value;
  if (!code || state.lines.includes(code)) return;
  state.lines.push(code);
  renderLines();
  renderAddSelect();
  const input = $(`#q-${CSS.escape(code)}`);
  if (input) input.focus();
}

// --- sending a report ------------------------------------------------------------------------------

function loadPending() {
  try {
    const p = JSON.parse(localStorage.getItem(PENDING) || 'null');
    return p && p.structure === state.id ? p : null;
  } catch {
    return null;
  }
}

function savePending(p) {
  try { localStorage.setItem(PENDING, JSON.stringify(p)); } catch { /* memory only */ }
}

function clearPending() {
  try { localStorage.removeItem(PENDING); } catch { /* ignore */ }
}

function showPending() {
  const p = loadPending();
  $('#pending-banner').hidden = !p || state.sending;
  if (p) $('#pending-text').textContent = t('report.pending', { at: fmtTime(new Date(p.at).toISOString()), n: p.body.items.length });
}

function readForm() {
  const items = [];
  const errors = [];
  for (const input of $('#report-lines').querySelectorAll('input[data-item]')) {
    input.closest('.report-line').querySelector('.line-error').textContent = '';
    input.removeAttribute('aria-invalid');
    const c = parseCount(input.value);
    if (c.empty) continue;
    if (c.error) {
      errors.push([input, c.error]);
      continue;
    }
    items.push({ item: input.dataset.item, quantity: c.n });
  }
  const body = { items };
  for (const [field, el] of [['occupancy', $('#occupancy')], ['staff', $('#staff')]]) {
    el.removeAttribute('aria-invalid');
    const v = el.value.trim();
    if (v === '') continue;
    const n = Number(v);
    const max = field === 'occupancy' && state.structure && state.structure.capacity !== null ? state.structure.capacity : field === 'occupancy' ? 20000 : 50000;
    if (!Number.isInteger(n) || n < 0 || n > max) errors.push([el, t('report.bad_number', { max })]);
    else body[field] = n;
  }
  return { body, errors };
}

function onSubmit(ev) {
  ev.preventDefault();
  if (state.sending) return;
  $('#report-error').textContent = '';
  const { body, errors } = readForm();
  if (errors.length) {
    for (const [el, msg] of errors) {
      el.setAttribute('aria-invalid', 'true');
      const line = el.closest('.report-line');
      if (line) line.querySelector('.line-error').textContent = msg;
      else $('#report-error').textContent = msg;
    }
    errors[0][0].focus();
    return;
  }
  if (!body.items.length) {
    $('#report-error').textContent = t('report.empty');
    return;
  }
  // the same content as a report still unanswered: the same key (it is that report again)
  let p = loadPending();
  if (!p || JSON.stringify(p.body) !== JSON.stringify(body)) {
    p = { key: newKey(`report-${state.id}`), body, at: Date.now(), structure: state.id };
  }
  savePending(p);
  send(p);
}

async function send(p) {
  state.sending = true;
  $('#pending-banner').hidden = true;
  const submit = $('#report-submit');
  submit.disabled = true;
  const status = $('#report-status');
  status.className = 'status';
  for (let attempt = 0; ; attempt++) {
    status.textContent = attempt ? t('report.retrying', { n: attempt + 1 }) : t('report.sending');
    try {
      const res = await api('POST', '/stock/reports', { body: p.body, key: p.key });
      clearPending();
      done(res, p);
      break;
    } catch (e) {
      const transient = e instanceof NetworkError || (e instanceof ApiError && e.status >= 500);
      if (transient && attempt < 2) {
        await new Promise((r) => setTimeout(r, 1000 * 2 ** attempt));
        continue;
      }
      if (transient) {
        // not confirmed: keep the key, so that the retry cannot count it twice; sent again by
        // itself when the network comes back
        status.className = 'status error';
        status.textContent = navigator.onLine === false ? t('report.queued_offline') : t('report.unconfirmed');
        showPendingNow();
      } else if (e instanceof ApiError && e.code === 'implausible' && !p.body.confirmed) {
        // "468 or 46,800?": the same report, confirmed, with the same key (a refusal is not kept)
        const m = /^items\[(\d+)\]/.exec(e.field || '');
        const line = m ? p.body.items[Number(m[1])] : null;
        status.textContent = '';
        const prev = line ? levelOf(line.item) : null;
        if (line && await askPlausible(catalogueItem(line.item), line.quantity, prev ? prev.quantity : 0)) {
          p.body = { ...p.body, confirmed: true };
          savePending(p);
          attempt = -1;
          continue;
        }
        clearPending();
        showServerError(e, p.body);
      } else {
        clearPending();
        status.className = 'status error';
        status.textContent = '';
        showServerError(e, p.body);
      }
      break;
    }
  }
  state.sending = false;
  submit.disabled = false;
}

function showPendingNow() {
  state.sending = false;
  showPending();
}

// "items[2].quantity: must be ..." goes next to the third line sent.
function showServerError(e, body) {
  const m = e instanceof ApiError && e.field ? /^items\[(\d+)\]/.exec(e.field) : null;
  if (m && body.items[Number(m[1])]) {
    const code = body.items[Number(m[1])].item;
    const line = $('#report-lines').querySelector(`.report-line[data-item="${CSS.escape(code)}"]`);
    if (line) {
      line.querySelector('.line-error').textContent = e.rule || e.message;
      line.querySelector('input').setAttribute('aria-invalid', 'true');
      line.querySelector('input').focus();
      return;
    }
  }
  $('#report-error').textContent = errorText(e);
}

function done(res, p) {
  if (history) setTimeout(() => history.load(), 0); // the new count is a point of the chart
  const status = $('#report-status');
  status.className = 'status ok';
  status.textContent = t('report.sent', { id: res.report_id, at: fmtTime(res.at), n: res.levels.length });
  status.dataset.reportId = String(res.report_id);
  for (const input of $('#report-lines').querySelectorAll('input[data-item]')) input.value = '';
  $('#occupancy').value = '';
  $('#staff').value = '';
  // the answer holds the new levels: show them at once (the events confirm them)
  for (const l of res.levels) {
    const cur = levelOf(l.item);
    const it = catalogueItem(l.item);
    const row = {
      ...(cur || { holder_kind: 'structure', holder_id: state.id, item: l.item, item_name: it.name, unit: it.unit }),
      quantity: l.quantity, burn_per_day: l.burn_per_day, days_of_cover: l.days_of_cover, stockout_at: l.stockout_at,
      reported_at: res.at, alert: l.alert ? l.alert.severity : null,
    };
    if (cur) Object.assign(cur, row);
    else state.levels.push(row);
  }
  if (p.body.occupancy !== undefined && state.structure) state.structure.occupancy = p.body.occupancy;
  if (p.body.staff !== undefined && state.structure) state.structure.staff = p.body.staff;
  const result = clear($('#report-result'));
  result.hidden = false;
  result.append(h('h3', {}, t('report.result')), h('ul', { class: 'result-list' }, res.levels.map((l) => h('li', { class: coverClass(l.days_of_cover), dataset: { item: l.item } },
    h('strong', {}, itemName(l.item, catalogueItem(l.item).name)), ' : ', fmtNumber(l.quantity), ' — ',
    l.days_of_cover === null ? t('report.cover_unknown') : t('report.cover', { d: fmtDays(l.days_of_cover) }),
    l.alert ? [' ', h('span', { class: `badge sev-${l.alert.severity}` }, tEnum('severity', l.alert.severity))] : null))));
  flash(result);
  renderHeader();
  renderLines();
  renderLevels();
  showPending();
}

// --- alerts and levels -------------------------------------------------------------------------------

function renderAlerts() {
  const ol = clear($('#s-alerts'));
  const list = [...state.alerts.values()].sort((a, b) => Date.parse(b.updated_at) - Date.parse(a.updated_at));
  if (!list.length) ol.append(h('li', { class: 'empty' }, t('alerts.none')));
  for (const a of list) {
    const sev = a.kind === 'silent' ? 'silent' : a.severity;
    const what = a.kind === 'silent'
      ? t('alerts.silent_text')
      : `${itemName(a.item, a.item_name)} · ${t('alerts.days', { d: fmtDays(a.days_of_cover) })}`;
    ol.append(h('li', { class: `alert sev-${sev} status-${a.status}`, dataset: { id: a.id } },
      h('div', { class: 'alert-main' },
        h('div', { class: 'alert-line' }, h('span', { class: `badge sev-${sev}` }, a.kind === 'silent' ? t('map.silent') : tEnum('severity', a.severity)),
          a.status === 'acknowledged' ? h('span', { class: 'badge ack' }, t('structure.acked')) : null),
        h('div', { class: 'what' }, what),
        h('div', { class: 'meta' }, t('alerts.opened', { at: fmtTime(a.opened_at) }),
          a.ack_note ? ` · ${t('structure.coordination_note')} « ${a.ack_note} »` : ''))));
  }
}

function renderLevels() {
  const table = clear($('#s-levels'));
  table.append(h('thead', {}, h('tr', {},
    h('th', {}, t('levels.item')), h('th', { class: 'num' }, t('levels.quantity')), h('th', { class: 'num' }, t('levels.burn')),
    h('th', { class: 'num' }, t('levels.cover')), h('th', {}, t('levels.stockout_at')), h('th', {}, t('levels.reported_at')))));
  const rows = [...state.levels].sort((a, b) => (a.days_of_cover ?? 1e9) - (b.days_of_cover ?? 1e9));
  table.append(h('tbody', {}, rows.map((r) => h('tr', { dataset: { item: r.item } },
    h('td', {}, itemName(r.item, r.item_name), r.alert ? [' ', h('span', { class: `badge sev-${r.alert}` }, tEnum('severity', r.alert))] : null),
    h('td', { class: 'num' }, `${fmtNumber(r.quantity)} `, h('small', {}, unitName(r.unit))),
    h('td', { class: 'num' }, r.burn_per_day === null ? '—' : fmtNumber(r.burn_per_day, 1)),
    h('td', { class: `num ${coverClass(r.days_of_cover)}` }, fmtDays(r.days_of_cover)),
    h('td', {}, r.stockout_at && r.days_of_cover > 0 ? fmtDateTime(r.stockout_at) : r.days_of_cover === 0 ? t('stock.out_now') : '—'),
    h('td', {}, fmtTime(r.reported_at))))));
  if (!rows.length) table.append(h('tbody', {}, h('tr', {}, h('td', { colspan: '6', class: 'empty' }, t('levels.none')))));
}

function renderStaffForm() {
  staff.renderForm();
  staff.render();
}

// --- live ------------------------------------------------------------------------------------------

function applyEvent(ev) {
  const type = ev.event;
  if (type === 'stock.level') {
    const d = ev.data;
    const cur = levelOf(d.item);
    const patch = {
      quantity: d.quantity, burn_per_day: d.burn_per_day, days_of_cover: d.days_of_cover, stockout_at: d.stockout_at,
      reported_at: ev.at, alert: d.alert && d.alert.status !== 'resolved' ? d.alert.severity : null,
    };
    if (cur) Object.assign(cur, patch);
    else {
      const it = catalogueItem(d.item);
      state.levels.push({ holder_kind: 'structure', holder_id: state.id, item: d.item, item_name: it.name, unit: it.unit, ...patch });
    }
    if (state.lines.includes(d.item)) updateHint(d.item); // in place: the person typing keeps the focus
    else {
      state.lines.push(d.item);
      later(renderLines);
    }
    later(renderLevels);
  } else if (type.startsWith('alert.')) {
    const a = ev.data;
    const cur = state.alerts.get(a.id);
    if (cur && cur.version > a.version) return;
    if (a.status === 'resolved') state.alerts.delete(a.id);
    else state.alerts.set(a.id, a);
    later(renderAlerts);
  } else if (type.startsWith('deployment.')) {
    staff.applyEvent(ev);
  } else if (type.startsWith('allocation.')) {
    deliveries.onEvent(ev);
  } else if (type === 'structure.updated' && state.structure) {
    Object.assign(state.structure, { ...ev.data, contacts: state.structure.contacts });
    later(renderHeader);
  }
}

const frames = new Map();
function later(fn) {
  if (frames.has(fn)) return;
  frames.set(fn, requestAnimationFrame(() => {
    frames.delete(fn);
    fn();
  }));
}

main().catch((e) => {
  console.error(e);
  toast(errorText(e), 'error');
});
