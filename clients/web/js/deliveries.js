// A structure's deliveries from the shared stock (on its page): what is on its way, with a one-tap
// receipt ("Reçu": the quantity sent arrived) or another quantity with its reason (a discrepancy);
// what is planned (approved); and the transfers it gives, to dispatch. structure.js hands it the
// allocation events (its topic structure:<id> carries them).
import { t, tEnum, itemName, unitName } from './i18n.js';
import { api, apiAll, h, clear, $, flash, fmtTime, fmtNumber, errorText, toast } from './core.js';

const st = { id: null, rows: new Map(), done: new Map(), open: new Set() };

export function initDeliveries(structureId) {
  st.id = structureId;
  return { reload, onEvent, render };
}

export async function reload() {
  try {
    const lists = await Promise.all(['approved', 'dispatched'].map((status) => apiAll('/allocations', { status })));
    st.rows = new Map(lists.flat().map((a) => [a.id, a]));
  } catch (e) {
    toast(`${t('error.load')}: ${errorText(e)}`, 'error');
  }
  render();
}

export function onEvent(ev) {
  if (!ev.event.startsWith('allocation.') || ev.event.startsWith('allocation.request_')) return;
  const a = ev.data;
  const cur = st.rows.get(a.id) || st.done.get(a.id);
  if (cur && cur.version > a.version) return;
  if (a.status === 'approved' || a.status === 'dispatched') st.rows.set(a.id, a);
  else {
    st.rows.delete(a.id);
    if (a.status === 'received' && a.structure.id === st.id) st.done.set(a.id, a);
  }
  render();
  const li = document.querySelector(`#deliveries li[data-id="${a.id}"]`);
  if (li) flash(li);
}

function incoming(a) {
  return a.structure.id === st.id;
}

export function render() {
  const ol = clear($('#deliveries'));
  const rows = [...st.rows.values()].sort((a, b) => (b.status === 'dispatched') - (a.status === 'dispatched') || a.id - b.id);
  if (!rows.length) ol.append(h('li', { class: 'empty' }, t('deliv.none')));
  for (const a of rows) ol.append(incoming(a) ? incomingItem(a) : outgoingItem(a));
  const recent = clear($('#deliveries-done'));
  const done = [...st.done.values()].sort((a, b) => b.id - a.id);
  $('#deliveries-done-h').hidden = !done.length;
  for (const a of done) {
    recent.append(h('li', { dataset: { id: a.id } }, what(a), ' — ', t('deliv.done', { q: fmtNumber(a.received_quantity) }),
      a.discrepancy_reason ? ` (${a.discrepancy_reason})` : ''));
  }
}

function what(a) {
  return t('deliv.what', { q: fmtNumber(a.quantity), unit: unitName(a.unit), item: itemName(a.item, a.item_name) });
}

function incomingItem(a) {
  const li = h('li', { class: `delivery status-${a.status}`, dataset: { id: a.id, status: a.status } },
    h('div', { class: 'what' }, h('strong', {}, what(a))),
    h('div', { class: 'meta' }, t('deliv.from', { source: a.source.name }), ' · ',
      a.status === 'dispatched' ? t('deliv.dispatched_at', { at: fmtTime(a.dispatched_at) })
        : t('deliv.coming', { status: tEnum('alloc_status', a.status) })));
  if (a.status !== 'dispatched') return li;
  const other = h('div', { class: 'other-qty', hidden: !st.open.has(a.id) },
    h('label', {}, h('span', {}, t('deliv.qty')),
      h('input', { id: `deliv-qty-${a.id}`, type: 'number', inputmode: 'numeric', min: '0', step: '1', value: String(a.quantity) })),
    h('label', {}, h('span', {}, t('deliv.reason')), h('input', { id: `deliv-reason-${a.id}`, type: 'text', maxlength: '500' })),
    h('button', { type: 'button', id: `deliv-confirm-${a.id}`, class: 'primary', onclick: () => confirmOther(a) }, t('deliv.confirm')),
    h('p', { class: 'error', role: 'alert', id: `deliv-error-${a.id}` }));
  li.append(h('div', { class: 'deliv-actions' },
    h('button', { type: 'button', id: `deliv-receive-${a.id}`, class: 'primary big', onclick: () => receive(a, a.quantity, null) }, t('deliv.received')),
    h('button', { type: 'button', id: `deliv-other-${a.id}`, class: 'link', onclick: () => {
      st.open.add(a.id);
      other.hidden = false;
      $(`#deliv-qty-${a.id}`).focus();
    } }, t('deliv.other_qty'))), other);
  return li;
}

// A transfer this structure gives (mutual aid): to dispatch once approved.
function outgoingItem(a) {
  return h('li', { class: `delivery outgoing status-${a.status}`, dataset: { id: a.id, status: a.status } },
    h('div', { class: 'what' }, h('strong', {}, what(a)), ' ', t('depot.to', { to: a.structure.name, dep: a.structure.dep })),
    h('div', { class: 'meta' }, tEnum('alloc_status', a.status)),
    a.status === 'approved'
      ? h('button', { type: 'button', id: `deliv-dispatch-${a.id}`, class: 'primary', onclick: () => dispatch(a) }, t('depot.dispatch'))
      : null);
}

function confirmOther(a) {
  const q = Number($(`#deliv-qty-${a.id}`).value);
  const reason = $(`#deliv-reason-${a.id}`).value.trim();
  const err = $(`#deliv-error-${a.id}`);
  if (!Number.isInteger(q) || q < 0) {
    err.textContent = t('deliv.bad_qty');
    return;
  }
  if (q !== a.quantity && !reason) {
    err.textContent = t('deliv.need_reason');
    return;
  }
  receive(a, q, reason || null);
}

async function receive(a, quantity, reason) {
  const body = { quantity };
  if (reason) body.reason = reason;
  try {
    // the key says which receipt this is: sent again after a lost answer, it is counted once
    const res = await api('POST', `/allocations/${a.id}/receive`, { body, key: `deliv-${a.id}-${quantity}` });
    st.open.delete(a.id);
    onEvent({ event: 'allocation.received', data: res });
    toast(t('deliv.done', { q: fmtNumber(quantity) }));
  } catch (e) {
    toast(errorText(e), 'error');
  }
}

async function dispatch(a) {
  try {
    const res = await api('POST', `/allocations/${a.id}/dispatch`, { body: {}, key: `deliv-dispatch-${a.id}` });
    onEvent({ event: 'allocation.dispatched', data: res });
  } catch (e) {
    toast(errorText(e), 'error');
  }
}
