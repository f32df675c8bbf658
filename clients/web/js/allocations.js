// The dashboard's allocation screen: propose a split of one item over the territory, read why each
// structure gets what it gets, edit a line's quantity and approve it, follow dispatches and
// receipts live, see the structures' open requests, and export allocations and movements as CSV.
// dashboard.js hands it the allocation events (topic "allocations") and calls reload() with its
// own reloads.
import { t, tEnum, itemName, unitName, locale } from './i18n.js';
import { api, apiAll, h, clear, $, flash, fmtTime, fmtNumber, fmtDays, errorText, toast, newKey, token } from './core.js';

const ACTIVE = ['approved', 'dispatched'];

const st = {
  ctx: null,
  proposal: null,           // the proposal on screen (its lines kept up to date by the events)
  allocations: new Map(),   // approved and dispatched, and those that moved on while on screen
  requests: new Map(),      // open requests
};

// ctx: {who, canAct, items(), depNames(), scopeDeps()}
export function initAllocations(ctx) {
  st.ctx = ctx;
  $('#alloc-propose').addEventListener('click', propose);
  $('#alloc-export').addEventListener('click', () => download('/allocations/export', 'allocations.csv'));
  $('#ledger-export').addEventListener('click', () => download('/stock/ledger/export', 'ledger.csv'));
  $('#alloc-form').hidden = !ctx.canAct;
  return { reload, onEvent, render, fillSelects };
}

export function fillSelects() {
  const item = $('#alloc-item');
  const keep = item.value;
  clear(item);
  st.ctx.items()
    .map((i) => [i.code, itemName(i.code, i.name)])
    .sort((a, b) => a[1].localeCompare(b[1], locale()))
    .forEach(([code, name]) => item.append(h('option', { value: code }, name)));
  if (keep) item.value = keep;
  else if (st.ctx.items().some((i) => i.code === 'respirator')) item.value = 'respirator';
  const dep = $('#alloc-dep');
  const keepDep = dep.value;
  clear(dep);
  dep.append(h('option', { value: '' }, t('alloc.whole_scope')));
  const names = st.ctx.depNames();
  for (const code of st.ctx.scopeDeps()) dep.append(h('option', { value: code }, `${code} ${names[code] || ''}`.trim()));
  dep.value = keepDep;
}

export async function reload() {
  try {
    const [approved, dispatched, requests] = await Promise.all([
      apiAll('/allocations', { status: 'approved' }),
      apiAll('/allocations', { status: 'dispatched' }),
      apiAll('/stock/requests', { status: 'open' }),
    ]);
    st.allocations = new Map([...approved, ...dispatched].map((a) => [a.id, a]));
    st.requests = new Map(requests.map((r) => [r.id, r]));
  } catch (e) {
    toast(`${t('error.load')} (allocations): ${errorText(e)}`, 'error');
  }
  render();
}

// An allocation or request event: the tables follow (an older version never replaces a newer one).
export function onEvent(ev) {
  const d = ev.data;
  if (ev.event.startsWith('allocation.request_')) {
    if (d.status === 'open') st.requests.set(d.id, d);
    else st.requests.delete(d.id);
    renderRequests();
    return;
  }
  const cur = st.allocations.get(d.id);
  if (cur && cur.version > d.version) return;
  if (ACTIVE.includes(d.status) || cur) st.allocations.set(d.id, d);
  if (st.proposal) {
    const i = st.proposal.lines.findIndex((l) => l.id === d.id);
    if (i >= 0 && st.proposal.lines[i].version <= d.version) st.proposal.lines[i] = d;
  }
  render();
  const row = document.querySelector(`#alloc-active tr[data-id="${d.id}"], #alloc-lines tr[data-id="${d.id}"]`);
  if (row) flash(row);
}

export function render() {
  renderProposal();
  renderActive();
  renderRequests();
}

// --- proposing ---------------------------------------------------------------------------------------

async function propose() {
  const button = $('#alloc-propose');
  const status = $('#alloc-status');
  button.disabled = true;
  status.textContent = t('alloc.proposing');
  const body = { item: $('#alloc-item').value };
  if ($('#alloc-dep').value) body.dep = $('#alloc-dep').value;
  try {
    st.proposal = await api('POST', '/allocations/propose', { body, key: newKey('propose') });
    status.textContent = '';
  } catch (e) {
    status.textContent = errorText(e);
  } finally {
    button.disabled = false;
  }
  renderProposal();
}

function place(p) {
  return `${p.name} (${p.dep})`;
}

function statusBadge(a) {
  return h('span', { class: `badge alloc-${a.status}` }, tEnum('alloc_status', a.status));
}

function actions(a, withEdit) {
  if (!st.ctx.canAct) return null;
  const out = [];
  if (a.status === 'proposed') {
    out.push(h('button', { type: 'button', class: 'small primary', dataset: { act: 'approve' }, onclick: () => approve(a, withEdit) },
      t('alloc.approve')));
  }
  if (a.status === 'approved') {
    out.push(h('button', { type: 'button', class: 'small', dataset: { act: 'dispatch' }, onclick: () => step(a, 'dispatch', {}) },
      t('alloc.dispatch')));
  }
  if (['proposed', 'approved', 'dispatched'].includes(a.status)) {
    out.push(h('button', { type: 'button', class: 'small', dataset: { act: 'cancel' }, onclick: () => cancel(a) }, t('alloc.cancel')));
  }
  return out;
}

function renderProposal() {
  const box = clear($('#alloc-proposal'));
  const p = st.proposal;
  if (!p) return;
  const unit = unitName(p.unit);
  box.append(
    h('p', { class: 'alloc-summary', id: 'alloc-summary' },
      h('strong', {}, itemName(p.item, p.item_name)), ' — ',
      t('alloc.summary', { supply: `${fmtNumber(p.supply)} ${unit}`, demand: `${fmtNumber(p.demand)} ${unit}`, given: `${fmtNumber(p.given)} ${unit}` })),
    h('p', { class: p.short_supply ? 'banner warning' : 'banner info' },
      p.short_supply ? t('alloc.short', { d: fmtNumber(p.level, 2) }) : t('alloc.enough'),
      p.capped ? [' ', t('alloc.capped')] : null),
    h('p', { class: 'muted small-print' }, t('alloc.params', { target: p.parameters.target_days, cap: p.parameters.cap_days,
      floor: p.parameters.floor_days, pack: p.parameters.pack })),
    h('h3', {}, t('alloc.lines')));
  if (!p.lines.length) box.append(h('p', { class: 'empty' }, t('alloc.no_lines')));
  else {
    box.append(h('div', { class: 'table-scroll' }, h('table', { id: 'alloc-lines', class: 'data' },
      h('thead', {}, h('tr', {}, ['structure', 'source', 'quantity', 'outcome', 'distance', 'status', 'actions']
        .map((c) => h('th', { class: c === 'quantity' || c === 'distance' ? 'num' : '' }, t(`alloc.col.${c}`))))),
      h('tbody', {}, p.lines.map((l) => h('tr', { dataset: { id: l.id, status: l.status } },
        h('td', {}, place(l.structure)),
        h('td', {}, place(l.source)),
        h('td', { class: 'num' }, l.status === 'proposed' && st.ctx.canAct
          ? h('input', { type: 'number', min: '1', step: '1', class: 'qty', value: String(l.quantity), 'aria-label': t('alloc.col.quantity'), dataset: { id: l.id } })
          : fmtNumber(l.quantity)),
        h('td', {}, tEnum('alloc_outcome', l.outcome)),
        h('td', { class: 'num' }, l.distance_km === null ? '—' : t('alloc.km', { d: fmtNumber(l.distance_km, 1) })),
        h('td', {}, statusBadge(l)),
        h('td', { class: 'actions' }, actions(l, true))))))));
  }
  const left = p.holders.filter((x) => x.given === 0).length;
  box.append(h('details', { id: 'alloc-explanation' }, h('summary', {}, t('alloc.explanation'), ` (${p.holders.length}, ${left} ${t('alloc.left_out')})`),
    h('div', { class: 'table-scroll' }, h('table', { id: 'alloc-holders', class: 'data compact' },
      h('thead', {}, h('tr', {}, ['structure', 'outcome', 'cover', 'need', 'given', 'weight', 'why']
        .map((c) => h('th', { class: ['need', 'given', 'weight'].includes(c) ? 'num' : '' }, t(`alloc.col.${c}`))))),
      h('tbody', {}, p.holders.map((x) => h('tr', { dataset: { structure: x.structure_id, outcome: x.outcome } },
        h('td', {}, `${x.name} (${x.dep})`, x.alert ? [' ', h('span', { class: `badge sev-${x.alert}` }, tEnum('severity', x.alert))] : null),
        h('td', {}, tEnum('alloc_outcome', x.outcome)),
        h('td', {}, x.cover_before === null ? '—' : `${fmtDays(x.cover_before)} → ${fmtDays(x.cover_after)}`),
        h('td', { class: 'num' }, fmtNumber(x.need)),
        h('td', { class: 'num' }, fmtNumber(x.given)),
        h('td', { class: 'num' }, fmtNumber(x.weight, 2)),
        h('td', { class: 'why' }, x.why))))))));
}

// --- the steps -------------------------------------------------------------------------------------

async function step(a, what, body) {
  try {
    const res = await api('POST', `/allocations/${a.id}/${what}`, { body, key: newKey(`${what}-${a.id}`) });
    onEvent({ event: `allocation.${res.status}`, data: res });
    toast(t('alloc.done', { what: tEnum('alloc_status', res.status), id: res.id }));
  } catch (e) {
    toast(errorText(e), 'error');
  }
}

function approve(a, withEdit) {
  const input = withEdit ? document.querySelector(`#alloc-lines input.qty[data-id="${a.id}"]`) : null;
  const body = {};
  if (input) {
    const q = Number(input.value);
    if (!Number.isInteger(q) || q < 1) {
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return;
    }
    if (q !== a.quantity) body.quantity = q;
  }
  step(a, 'approve', body);
}

function cancel(a) {
  const reason = window.prompt(t('alloc.cancel_reason'));
  if (reason && reason.trim()) step(a, 'cancel', { reason: reason.trim() });
}

// --- following -------------------------------------------------------------------------------------

function renderActive() {
  const table = clear($('#alloc-active'));
  const rows = [...st.allocations.values()].sort((a, b) => b.id - a.id);
  $('#alloc-active-empty').hidden = rows.length > 0;
  if (!rows.length) return;
  table.append(h('thead', {}, h('tr', {}, ['item', 'structure', 'source', 'quantity', 'status', 'updated', 'actions']
    .map((c) => h('th', { class: c === 'quantity' ? 'num' : '' }, t(`alloc.col.${c}`))))));
  table.append(h('tbody', {}, rows.map((a) => h('tr', { dataset: { id: a.id, status: a.status } },
    h('td', {}, itemName(a.item, a.item_name)),
    h('td', {}, place(a.structure)),
    h('td', {}, place(a.source)),
    h('td', { class: 'num' }, fmtNumber(a.quantity), ' ', h('small', {}, unitName(a.unit)),
      a.received_quantity !== null && a.received_quantity !== a.quantity
        ? h('div', { class: 'muted small-print' }, t('alloc.received_qty', { q: fmtNumber(a.received_quantity) }),
          a.discrepancy_reason ? ` · ${t('alloc.discrepancy', { reason: a.discrepancy_reason })}` : '')
        : null),
    h('td', {}, statusBadge(a)),
    h('td', {}, fmtTime(a.updated_at)),
    h('td', { class: 'actions' }, actions(a, false))))));
}

function renderRequests() {
  const ol = clear($('#alloc-requests'));
  const rows = [...st.requests.values()].sort((a, b) => a.id - b.id);
  if (!rows.length) ol.append(h('li', { class: 'empty' }, t('alloc.no_requests')));
  for (const r of rows) {
    ol.append(h('li', { dataset: { id: r.id }, class: r.above_need ? 'above-need' : '' },
      h('strong', {}, `${r.structure_name} (${r.dep})`), ' — ',
      `${fmtNumber(r.quantity)} ${unitName(r.unit)} ${itemName(r.item, r.item_name)}`, ' — ', h('q', {}, r.reason), ' ',
      r.need === null ? null : h('span', { class: r.above_need ? 'badge sev-warning' : 'muted' },
        r.above_need ? t('alloc.above_need', { need: fmtNumber(r.need) }) : t('alloc.need', { need: fmtNumber(r.need) }))));
  }
}

// --- exports ---------------------------------------------------------------------------------------

// The API wants the token in a header: the CSV comes by fetch, and is saved from a blob.
async function download(path, filename) {
  try {
    const res = await fetch(`/api/v1${path}`, { headers: { Authorization: `Bearer ${token()}` }, cache: 'no-store' });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const url = URL.createObjectURL(await res.blob());
    const a = h('a', { href: url, download: filename });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch (e) {
    toast(errorText(e), 'error');
  }
}
