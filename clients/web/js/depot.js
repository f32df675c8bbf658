// A shared-stock depot's page (depot token): the allocations approved to it, to dispatch (one tap
// each), those on their way, and its levels. Live by its topic depot:<id>, which carries the
// allocations it is the source of and its own stock levels.
import { t, tEnum, itemName, unitName, onLangChange } from './i18n.js';
import {
  api, apiAll, h, clear, $, flash, fmtTime, fmtNumber, errorText, initFrame, signIn, wireLogout, showConnection, toast,
} from './core.js';
import { Live, Buffer } from './live.js';

const PAGE = 'depot';
const state = { id: null, depot: null, allocations: new Map(), levels: [] };
const buffer = new Buffer(applyEvent);

async function main() {
  initFrame();
  wireLogout(PAGE);
  const { token, who } = await signIn(PAGE, ['depot']);
  state.id = who.subject_id;
  onLangChange(render);
  const live = new Live({
    token,
    topics: [`depot:${state.id}`],
    onEvent: (ev) => buffer.push(ev),
    onState: (s, d) => showConnection(s, d),
    onFailing: () => api('GET', '/whoami').catch(() => {}),
    onSync: (kind) => {
      if (kind !== 'resumed') load();
    },
  });
  live.start();
  await load();
}

async function load() {
  buffer.hold();
  try {
    const [depot, approved, dispatched, levels] = await Promise.all([
      api('GET', `/depots/${state.id}`),
      apiAll('/allocations', { status: 'approved' }),
      apiAll('/allocations', { status: 'dispatched' }),
      api('GET', '/stock/levels', { params: { limit: 500 } }),
    ]);
    state.depot = depot;
    state.allocations = new Map([...approved, ...dispatched].map((a) => [a.id, a]));
    state.levels = levels.items;
  } catch (e) {
    toast(`${t('error.load')}: ${errorText(e)}`, 'error');
  } finally {
    buffer.release();
  }
  render();
  document.body.dataset.ready = '1';
}

function render() {
  const d = state.depot;
  if (d) {
    $('#depot-name').textContent = d.name;
    $('#who-label').textContent = tEnum('role', 'depot');
    $('#depot-facts').textContent = `${tEnum('depot_level', d.level)} · ${d.dep}`;
  }
  const rows = [...state.allocations.values()].sort((a, b) => a.id - b.id);
  list($('#to-dispatch'), rows.filter((a) => a.status === 'approved'), t('depot.none'), true);
  list($('#in-transit'), rows.filter((a) => a.status === 'dispatched'), t('depot.none_transit'), false);
  renderLevels();
}

function list(ol, rows, empty, withButton) {
  clear(ol);
  if (!rows.length) ol.append(h('li', { class: 'empty' }, empty));
  for (const a of rows) {
    ol.append(h('li', { class: `delivery status-${a.status}`, dataset: { id: a.id, status: a.status } },
      h('div', { class: 'what' }, h('strong', {}, t('deliv.what', { q: fmtNumber(a.quantity), unit: unitName(a.unit), item: itemName(a.item, a.item_name) }))),
      h('div', { class: 'meta' }, t('depot.to', { to: a.structure.name, dep: a.structure.dep }),
        a.dispatched_at ? ` · ${t('deliv.dispatched_at', { at: fmtTime(a.dispatched_at) })}` : ''),
      withButton ? h('button', { type: 'button', id: `dispatch-${a.id}`, class: 'primary big', onclick: () => dispatch(a) }, t('depot.dispatch')) : null));
  }
}

function renderLevels() {
  const table = clear($('#d-levels'));
  table.append(h('tbody', {}, state.levels.map((l) => h('tr', { dataset: { item: l.item } },
    h('td', {}, itemName(l.item, l.item_name)), h('td', { class: 'num' }, fmtNumber(l.quantity), ' ', h('small', {}, unitName(l.unit)))))));
}

async function dispatch(a) {
  const button = $(`#dispatch-${a.id}`);
  if (button) button.disabled = true;
  try {
    // one key per allocation's dispatch: sent again after a lost answer, it is dispatched once
    const res = await api('POST', `/allocations/${a.id}/dispatch`, { body: {}, key: `depot-dispatch-${a.id}` });
    applyEvent({ event: 'allocation.dispatched', data: res });
    toast(t('depot.dispatched', { q: fmtNumber(res.quantity), to: res.structure.name }));
  } catch (e) {
    if (button) button.disabled = false;
    toast(errorText(e), 'error');
  }
}

function applyEvent(ev) {
  if (ev.event === 'stock.level') {
    const cur = state.levels.find((l) => l.item === ev.data.item);
    if (cur) cur.quantity = ev.data.quantity;
    renderLevels();
    return;
  }
  if (!ev.event.startsWith('allocation.')) return;
  const a = ev.data;
  const cur = state.allocations.get(a.id);
  if (cur && cur.version > a.version) return;
  if (a.status === 'approved' || a.status === 'dispatched') state.allocations.set(a.id, a);
  else state.allocations.delete(a.id);
  render();
  const li = document.querySelector(`li[data-id="${a.id}"]`);
  if (li) flash(li);
}

main().catch((e) => {
  console.error(e);
  toast(errorText(e), 'error');
});
