// The coordinator's dashboard: map, live alert feed, stocks by item, volunteer pool, SMS outbox,
// charts. Data comes by HTTP; the websocket keeps it live (alerts, stock, structures, depots,
// volunteers, sms) and resumes with "since" after a cut, or reloads when the server says so.
import { t, tEnum, itemName, unitName, onLangChange, locale } from './i18n.js';
import {
  api, apiAll, h, clear, $, flash, fmtTime, fmtDateTime, fmtDate, fmtNumber, fmtDays, coverClass, severityRank,
  maskPhone, errorText, initFrame, signIn, wireLogout, toast, showConnection, newKey, ApiError,
} from './core.js';
import { Live, Buffer } from './live.js';
import { RegionMap } from './map.js';
import { worstFirst, matches, groupByHolder } from './triage.js';
import { Attention } from './attention.js';
import { timeBars, hBars, stepLine } from './charts.js';
import { RequestsBoard, PendingVolunteers } from './deploy_board.js';
import { initAllocations } from './allocations.js';

const PAGE = 'dashboard';
const CATEGORIES = ['hospital', 'psychiatric_hospital', 'rehabilitation', 'long_term_care', 'ehpad', 'disability_home',
  'home_hospitalisation', 'home_care', 'shelter', 'health_centre', 'other'];
const PROFESSIONS = ['nurse', 'care_assistant', 'doctor', 'midwife', 'pharmacist', 'physiotherapist', 'psychologist',
  'social_worker', 'educator', 'logistician', 'driver', 'administrative', 'other'];
const FEED_PAGE = 40; // structures drawn at first in the feed; "more" draws as many again (none is cut)
const LEGAL_FORMS = ['association', 'mutuelle', 'cooperative', 'foundation', 'public', 'private_for_profit',
  'private_unspecified', 'unspecified'];
const HOUR = 3600000;
const MINUTE = 60000;

const state = {
  who: null,
  canAct: false,
  territories: [],
  depNames: {},
  items: [],
  structures: new Map(),
  depots: new Map(),
  alerts: new Map(), // active alerts by id
  fresh: new Set(), // alert ids to flash at the next draw
  cover: [],
  epidemic: new Map(), // département (and 'region') -> the latest daily hospital figures loaded
  coverSort: { key: 'dep', dir: 1 },
  levels: { rows: [], total: 0, offset: 0, limit: 25, sort: 'cover', pendingChanges: 0 },
  stats: [],
  sms: [],
  smsCapped: false,
  history: new Map(), // key -> {t, kind} alert transitions (audit + live)
  reports: new Map(), // report key -> t (live)
  activeSeries: [],
  openedAt: Date.now(),
  trends: [], // stock.trends buckets (reports, active alerts per hour)
  trendsAt: 0, // when they were read: live events count after it
  feedGroups: FEED_PAGE, // structures shown in the feed
  serverNow: 0,
  detail: null,
  loaded: false,
  loads: 0, // full (re)loads done
  syncs: {}, // subscriptions by kind: initial, reload, resumed
};

let map = null;
let live = null;
let attention = null; // title badge, sound, notifications (attention.js)
let board = null; // the staff requests board (deploy_board.js)
let pending = null; // sign-ups to validate (coordinators)
let alloc = null; // the allocation screen (allocations.js)
const buffer = new Buffer(applyEvent);
const timers = {};

// Runs fn once, ms after the first call of a burst (a steady stream of events cannot postpone it
// for ever, as a debounce would).
function later(name, fn, ms) {
  if (timers[name]) return;
  timers[name] = setTimeout(() => {
    timers[name] = null;
    fn();
  }, ms);
}

const frames = {};
function nextFrame(name, fn) {
  if (frames[name]) return;
  frames[name] = requestAnimationFrame(() => {
    frames[name] = null;
    fn();
  });
}

// The server's clock can be ahead of the browser's (test clock): charts use the later of the two.
function now() {
  return Math.max(Date.now(), state.serverNow);
}

function seen(iso) {
  const ms = Date.parse(iso);
  if (ms > state.serverNow) state.serverNow = ms;
  return ms;
}

// --- start -----------------------------------------------------------------------------------

async function main() {
  initFrame();
  wireLogout(PAGE);
  const { token, who } = await signIn(PAGE, ['admin', 'coordinator', 'observer']);
  state.who = who;
  state.canAct = who.role === 'admin' || who.role === 'coordinator';
  $('#scope-label').textContent = scopeText(who);
  wireControls();
  attention = new Attention($('#attention-tools'));
  alloc = initAllocations({
    who, canAct: state.canAct, items: () => state.items, depNames: () => state.depNames, scopeDeps: () => depsInScope(),
  });
  map = new RegionMap($('#map'), {
    onPick: (p) => openDetail(p.kind, p.id),
    onDep: (code) => chooseDep(code),
    label: t('map.title'),
  });
  onLangChange(renderAll);
  onLangChange(() => attention.retitle(document.title.replace(/^\(\d+\) /, '')));

  const topics = ['alerts', 'stock', 'structures', 'depots', 'deployments', 'allocations'];
  if (who.role !== 'observer') topics.push('volunteers', 'sms');
  board = new RequestsBoard($('#requests-board'), { canAct: state.canAct, coordinator: who.role !== 'observer' });
  if (state.canAct) {
    pending = new PendingVolunteers($('#pending-volunteers'));
    $('#pending-box').hidden = false;
  }
  let firstSync;
  const synced = new Promise((r) => { firstSync = r; });
  let loadStarted = false;
  live = new Live({
    token,
    topics,
    onEvent: (ev) => buffer.push(ev),
    onState: (s, d) => showConnection(s, d),
    onFailing: () => api('GET', '/whoami').catch(() => {}),
    onSync: (kind) => {
      state.syncs[kind] = (state.syncs[kind] || 0) + 1;
      if (kind === 'initial' && !loadStarted) firstSync();
      else if (kind === 'initial' || kind === 'reload') {
        if (kind === 'reload') toast(t('conn.reloaded'));
        reloadAll();
      }
    },
  });
  live.start();
  window.renfort = { live, state }; // for a look from the browser's console (and the tests)
  // Wait a little for the subscription, so that the first load follows it (no event can fall
  // between the two); without a websocket the page still loads, and reloads once it connects.
  await Promise.race([synced, new Promise((r) => setTimeout(r, 2500))]);
  loadStarted = true;
  await Promise.all([loadStatic(), reloadAll()]);
}

function scopeText(who) {
  const role = tEnum('role', who.role);
  const scope = who.scope === 'region' ? t('scope.region')
    : who.scope.length === 1 ? t('scope.dep', { dep: `${who.scope[0]} ${state.depNames[who.scope[0]] || ''}`.trim() })
      : t('scope.deps', { deps: who.scope.join(', ') });
  return `${role} · ${scope}`;
}

async function loadStatic() {
  try {
    const [geo, terr, items] = await Promise.all([
      fetch('data/departements-occitanie.geojson').then((r) => {
        if (!r.ok) throw new Error(`map: HTTP ${r.status}`);
        return r.json();
      }),
      api('GET', '/territories'),
      apiAll('/items'),
    ]);
    state.territories = terr.items;
    for (const d of terr.items) state.depNames[d.code] = d.name;
    state.items = items;
    map.drawDepartements(geo, state.depNames);
    map.drawLabels(terr.items);
    // a départemental coordinator starts zoomed on its département
    if (Array.isArray(state.who.scope) && state.who.scope.length === 1) map.showDep(state.who.scope[0]);
    fillSelects();
    drawMapDots();
    drawDepots();
    renderCover();
    renderPool();
  } catch (e) {
    toast(`${t('error.load')}: ${errorText(e)}`, 'error');
  }
}

// (Re)loads everything that changes; events that arrive meanwhile wait in the buffer.
async function reloadAll() {
  buffer.hold();
  try {
    const jobs = {
      structures: apiAll('/structures').then((rows) => {
        state.structures = new Map(rows.map((s) => [s.id, s]));
      }),
      depots: apiAll('/depots').then((rows) => {
        state.depots = new Map(rows.map((d) => [d.id, d]));
      }),
      alerts: apiAll('/alerts', { status: 'active' }).then((rows) => {
        state.alerts = new Map(rows.map((a) => [a.id, a]));
        for (const a of rows) seen(a.updated_at);
      }),
      cover: loadCover(),
      levels: loadLevels(),
      stats: loadStats(),
      sms: state.who.role === 'observer' ? Promise.resolve() : loadSms(),
      allocations: alloc.reload(),
      audit: state.who.role === 'observer' ? Promise.resolve() : loadAlertHistory(),
      trends: loadTrends(),
      requests: board.load(),
      pending: pending ? pending.load() : Promise.resolve(),
    };
    const names = Object.keys(jobs);
    const results = await Promise.allSettled(Object.values(jobs));
    results.forEach((r, i) => {
      if (r.status === 'rejected') toast(`${t('error.load')} (${names[i]}): ${errorText(r.reason)}`, 'error');
    });
  } finally {
    buffer.release();
  }
  state.loaded = true;
  state.loads++;
  pushActivePoint();
  renderAll();
  document.body.dataset.ready = '1';
}

function renderAll() {
  $('#scope-label').textContent = scopeText(state.who);
  fillSelects();
  drawMapDots();
  drawDepots();
  renderKpis();
  renderAlerts();
  renderCover();
  renderLevels();
  renderPool();
  renderSms();
  renderCharts();
  if (alloc) alloc.render();
  if (state.detail) renderDetail();
}

// --- filters -----------------------------------------------------------------------------------

function depsInScope() {
  const all = state.territories.map((d) => d.code);
  return state.who && Array.isArray(state.who.scope) ? all.filter((c) => state.who.scope.includes(c)) : all;
}

function fillSelect(sel, options, allLabel) {
  const value = sel.value;
  clear(sel);
  if (allLabel !== null) sel.append(h('option', { value: '' }, allLabel));
  for (const [v, label] of options) sel.append(h('option', { value: v }, label));
  if ([...sel.options].some((o) => o.value === value)) sel.value = value;
}

function fillSelects() {
  const deps = depsInScope().map((c) => [c, `${c} ${state.depNames[c] || ''}`]);
  for (const id of ['#alerts-dep', '#stock-dep', '#pool-dep']) fillSelect($(id), deps, t('filter.whole_region'));
  fillSelect($('#stock-cat'), CATEGORIES.map((c) => [c, tEnum('category', c)]), t('filter.all_categories'));
  const held = new Set(state.cover.map((c) => c.item));
  const items = state.items
    .filter((i) => held.size === 0 || held.has(i.code))
    .map((i) => [i.code, itemName(i.code, i.name)])
    .sort((a, b) => a[1].localeCompare(b[1], locale()));
  fillSelect($('#stock-item'), items, t('filter.all_items'));
  const alerted = new Set([...state.alerts.values()].map((a) => a.item).filter(Boolean));
  fillSelect($('#alerts-item'), state.items.filter((i) => alerted.has(i.code))
    .map((i) => [i.code, itemName(i.code, i.name)]).sort((a, b) => a[1].localeCompare(b[1], locale())), t('filter.all_items'));
  fillSelect($('#alerts-cat'), CATEGORIES.map((c) => [c, tEnum('category', c)]), t('filter.all_categories'));
  fillSelect($('#alerts-legal'), LEGAL_FORMS.map((c) => [c, tEnum('legal_form', c)]), t('filter.all_legal_forms'));
  for (const sel of document.querySelectorAll('select option[data-i18n]')) sel.textContent = t(sel.dataset.i18n);
  if (alloc && state.items.length) alloc.fillSelects();
}

function wireControls() {
  $('#alerts-dep').addEventListener('change', renderAlerts);
  $('#alerts-sev').addEventListener('change', renderAlerts);
  $('#alerts-acked').addEventListener('change', renderAlerts);
  const refilter = () => {
    state.feedGroups = FEED_PAGE;
    renderAlerts();
  };
  for (const id of ['#alerts-item', '#alerts-cat', '#alerts-legal']) $(id).addEventListener('change', refilter);
  $('#alerts-q').addEventListener('input', () => later('feed-search', refilter, 150));
  const stockChanged = () => {
    state.levels.offset = 0;
    loadLevels().then(renderLevels, (e) => toast(errorText(e), 'error'));
    renderCover();
  };
  $('#stock-dep').addEventListener('change', stockChanged);
  $('#stock-cat').addEventListener('change', stockChanged);
  $('#stock-item').addEventListener('change', stockChanged);
  $('#levels-sev').addEventListener('change', stockChanged);
  $('#levels-holder').addEventListener('change', () => {
    $('#stock-cat').disabled = $('#levels-holder').value === 'depot';
    stockChanged();
  });
  $('#levels-prev').addEventListener('click', () => pageLevels(-1));
  $('#levels-next').addEventListener('click', () => pageLevels(1));
  $('#levels-refresh').addEventListener('click', () => loadLevels().then(renderLevels, (e) => toast(errorText(e), 'error')));
  $('#pool-dep').addEventListener('change', renderPool);
  $('#map-reset').addEventListener('click', () => {
    map.showDep(null);
    chooseDep(null);
  });
  $('#detail-close').addEventListener('click', closeDetail);
  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && !$('#alert-dialog').open) closeDetail();
  });
}

// A département chosen on the map filters the feed and the stocks (null: the whole region).
function chooseDep(code) {
  $('#map-reset').hidden = !code;
  $('#map-dep').textContent = code ? `${code} ${state.depNames[code] || ''}` : '';
  for (const id of ['#alerts-dep', '#stock-dep', '#pool-dep']) $(id).value = code || '';
  renderAlerts();
  renderPool();
  state.levels.offset = 0;
  loadLevels().then(renderLevels, (e) => toast(errorText(e), 'error'));
  renderCover();
}

// --- map ---------------------------------------------------------------------------------------

function worstOf(holderKind, holderId) {
  let best = null;
  let rank = -1;
  for (const a of state.alerts.values()) {
    if (a.holder_kind !== holderKind || a.holder_id !== holderId) continue;
    const r = a.kind === 'silent' ? 0.5 : severityRank(a.severity);
    if (r > rank) {
      rank = r;
      best = a.kind === 'silent' ? 'silent' : a.severity;
    }
  }
  return best;
}

function worstIndex() {
  const worst = new Map();
  for (const a of state.alerts.values()) {
    if (a.holder_kind !== 'structure') continue;
    const sev = a.kind === 'silent' ? 'silent' : a.severity;
    const r = a.kind === 'silent' ? 0.5 : severityRank(a.severity);
    const cur = worst.get(a.holder_id);
    if (!cur || r > cur.r) worst.set(a.holder_id, { sev, r });
  }
  return worst;
}

function structureTitle(s) {
  const sev = worstOf('structure', s.id);
  return `${s.name} (${s.dep}) — ${tEnum('category', s.category)}${sev ? ` — ${sev === 'silent' ? t('map.silent') : tEnum('severity', sev)}` : ''}`;
}

function drawMapDots() {
  if (!map || !map.deps.size) return;
  const worst = worstIndex();
  map.drawStructures([...state.structures.values()], (id) => (worst.get(id) || {}).sev || null, structureTitle);
  if (state.detail && state.detail.kind === 'structure') map.highlight(state.detail.id);
  $('#map').dataset.dots = String(map.dots.size);
}

function drawDepots() {
  if (!map || !map.deps.size) return;
  map.drawDepots([...state.depots.values()], (d) => `${d.name} — ${tEnum('depot_level', d.level)}`);
}

// --- KPIs --------------------------------------------------------------------------------------

function renderKpis() {
  const c = { stockout: 0, critical: 0, warning: 0, silent: 0, acknowledged: 0 };
  const holders = new Set();
  for (const a of state.alerts.values()) {
    if (a.kind === 'silent') c.silent++;
    else c[a.severity]++;
    if (a.status === 'acknowledged') c.acknowledged++;
    holders.add(`${a.holder_kind}:${a.holder_id}`);
  }
  const avail = state.stats.filter((g) => g.availability === 'available').reduce((s, g) => s + g.count, 0);
  const pool = state.stats.reduce((s, g) => s + g.count, 0);
  const queued = state.sms.filter((m) => m.status === 'queued' || m.status === 'sending').length;
  const failed = state.sms.filter((m) => m.status === 'failed').length;
  const kpi = (cls, n, label, sub) => h('div', { class: `kpi ${cls}` }, h('strong', {}, fmtNumber(n)), h('span', {}, label), sub ? h('small', {}, sub) : null);
  const box = clear($('#kpis'));
  box.append(
    kpi('sev-stockout', c.stockout, tEnum('severity', 'stockout')),
    kpi('sev-critical', c.critical, tEnum('severity', 'critical')),
    kpi('sev-warning', c.warning, tEnum('severity', 'warning')),
    kpi('sev-silent', c.silent, t('kpi.silent')),
    kpi('', holders.size, t('kpi.holders_alerted'), t('kpi.acknowledged', { n: c.acknowledged })),
    kpi('', state.structures.size, t('kpi.structures')),
  );
  if (state.who.role !== 'observer') {
    box.append(
      kpi('', avail, t('kpi.volunteers_available'), t('kpi.of_pool', { n: fmtNumber(pool) })),
      kpi(failed ? 'sev-critical' : '', queued, t('kpi.sms_queued'), failed ? t('kpi.sms_failed', { n: failed }) : null),
    );
  }
}

// --- alert feed ----------------------------------------------------------------------------------

// Worst first (triage.js): the nearest projected stock-out, then severity.
const alertOrder = worstFirst;

function feedFilter() {
  return {
    dep: $('#alerts-dep').value,
    severity: $('#alerts-sev').value,
    acked: $('#alerts-acked').checked,
    item: $('#alerts-item').value,
    category: $('#alerts-cat').value,
    legal: $('#alerts-legal').value,
    q: $('#alerts-q').value.trim(),
  };
}

function searchTexts(a) {
  const s = a.holder_kind === 'structure' ? state.structures.get(a.holder_id) : null;
  return [a.holder_name, a.item_name, a.item && itemName(a.item, a.item_name), a.dep, state.depNames[a.dep],
    s && s.finess, a.commune, a.assigned_to && a.assigned_to.name];
}

function visibleAlerts() {
  const f = feedFilter();
  return [...state.alerts.values()].filter((a) => matches(a, f, state.structures, searchTexts));
}

// The feed: one row per structure (its worst alert first), its alerts under it; FEED_PAGE rows at
// first and "more" for the next ones, so that every open alert can be reached. The scroll position
// and the focus stay where they were (an acknowledgement must not send the coordinator to the top).
function renderAlerts() {
  const list = visibleAlerts().sort(alertOrder);
  const groups = groupByHolder(list);
  const ol = $('#alerts');
  const scroller = ol.closest('.alerts-card') || ol;
  const top = ol.scrollTop;
  const pageTop = scroller.scrollTop;
  // the button that has the focus comes back after the redraw (events redraw the feed all night);
  // when its alert left the page (acknowledged, it sorts below the open ones), the alert after it
  const active = document.activeElement;
  const activeLi = active && active.closest ? active.closest('#alerts li.alert') : null;
  const refocus = activeLi ? { ids: followingIds(ol, activeLi.dataset.id), cls: (active.className || '').split(' ')[0] } : null;
  clear(ol);
  $('#alerts-count').textContent = `(${fmtNumber(list.length)})`;
  $('#alerts-empty').hidden = list.length > 0;
  const frag = document.createDocumentFragment();
  for (const g of groups.slice(0, state.feedGroups)) frag.append(alertGroup(g));
  ol.append(frag);
  const more = groups.length - state.feedGroups;
  if (more > 0) {
    ol.append(h('li', { class: 'more' }, h('button', {
      type: 'button', class: 'link', id: 'alerts-more',
      onclick: () => {
        state.feedGroups += FEED_PAGE;
        renderAlerts();
        const next = ol.querySelectorAll('li.holder-group')[state.feedGroups - FEED_PAGE];
        if (next) next.querySelector('button').focus();
      },
    }, t('alerts.more_groups', { n: fmtNumber(Math.min(FEED_PAGE, more)), rest: fmtNumber(more) }))));
  }
  ol.scrollTop = top;
  scroller.scrollTop = pageTop;
  if (refocus) focusFirst(ol, refocus.ids, refocus.cls);
  for (const id of state.fresh) {
    const li = ol.querySelector(`li[data-id="${id}"]`);
    if (li) flash(li);
  }
  state.fresh.clear();
}

function alertGroup(g) {
  const holder = g.holder_kind === 'structure' || g.holder_kind === 'depot';
  const worst = g.alerts[0];
  return h('li', { class: `holder-group sev-${worst.kind === 'silent' ? 'silent' : worst.severity}`, dataset: { key: g.key } },
    h('div', { class: 'group-head' },
      holder ? h('button', { type: 'button', class: 'link holder', onclick: () => openDetail(g.holder_kind, g.holder_id) },
        g.holder_name || `#${g.holder_id}`) : h('span', { class: 'holder' }, t('alerts.sms_failed_text')),
      h('span', { class: 'dep' }, g.dep || ''),
      g.alerts.length > 1 ? h('span', { class: 'count' }, t('alerts.n_items', { n: g.alerts.length })) : null),
    h('ol', { class: 'group-alerts' }, g.alerts.map((a) => alertItem(a, { compact: true }))));
}

function alertWhat(a) {
  if (a.kind === 'silent') return t('alerts.silent_text');
  if (a.kind === 'sms_failed') return t('alerts.sms_failed_text');
  if (a.kind === 'overstock' || a.kind === 'large_receipt') {
    return `${t(`alerts.${a.kind}_text`)} · ${itemName(a.item, a.item_name)} · ${fmtNumber(a.quantity)}`;
  }
  const parts = [itemName(a.item, a.item_name)];
  if (a.days_of_cover !== null && a.days_of_cover !== undefined) parts.push(t('alerts.days', { d: fmtDays(a.days_of_cover) }));
  if (a.quantity !== null && a.quantity !== undefined) parts.push(t('alerts.qty', { q: fmtNumber(a.quantity) }));
  if (a.stockout_at && a.days_of_cover > 0) parts.push(t('alerts.stockout_at', { at: fmtDateTime(a.stockout_at) }));
  return parts.join(' · ');
}

function alertItem(a, { compact = false } = {}) {
  const sev = a.kind === 'silent' ? 'silent' : a.severity;
  const label = a.kind === 'silent' ? `${t('map.silent')} (${tEnum('severity', a.severity)})`
    : a.kind === 'sms_failed' ? `SMS (${tEnum('severity', a.severity)})` : tEnum('severity', a.severity);
  const holder = a.holder_kind === 'structure' || a.holder_kind === 'depot';
  const meta = [t('alerts.opened', { at: fmtTime(a.opened_at) })];
  if (a.acknowledged_at) {
    meta.push(t('alerts.acked', { at: fmtTime(a.acknowledged_at) }) +
      (a.acknowledged_by ? ` ${t('alerts.by', { name: a.acknowledged_by.name })}` : '') +
      (a.ack_note ? ` : « ${a.ack_note} »` : ''));
  }
  if (a.assigned_to) meta.push(t('alerts.taken_by', { name: a.assigned_to.name }));
  const li = h('li', { class: `alert sev-${sev} status-${a.status}`, dataset: { id: a.id, status: a.status } },
    h('div', { class: 'alert-main' },
      h('div', { class: 'alert-line' },
        h('span', { class: `badge sev-${sev}` }, label),
        a.status === 'acknowledged' ? h('span', { class: 'badge ack' }, t('alerts.status_acknowledged')) : null,
        compact || !holder ? null : h('button', { type: 'button', class: 'link holder', onclick: () => openDetail(a.holder_kind, a.holder_id) }, a.holder_name || `#${a.holder_id}`),
        compact ? null : h('span', { class: 'dep' }, a.dep || '')),
      h('div', { class: 'what' }, alertWhat(a)),
      h('div', { class: 'meta' }, meta.join(' · '))),
    state.canAct ? h('div', { class: 'alert-actions' },
      a.status === 'open' ? h('button', { type: 'button', class: 'ack', onclick: () => actOnAlert(a.id, 'acknowledge') }, t('alerts.acknowledge')) : null,
      takeButton(a),
      h('button', { type: 'button', class: 'resolve', onclick: () => actOnAlert(a.id, 'resolve') }, t('alerts.resolve'))) : null);
  return li;
}

// Acknowledge or resolve, with a note, in a dialog. The answer updates the alert at once; the
// event that follows (here and on every other screen) carries the same version.
// "I take it" / "release": the alert is mine (every screen of its département shows who has it).
function takeButton(a) {
  const mine = a.assigned_to && a.assigned_to.token_id === state.who.token_id;
  return h('button', {
    type: 'button', class: 'take',
    onclick: async (ev) => {
      const btn = ev.currentTarget;
      btn.disabled = true;
      try {
        const updated = await api('POST', `/alerts/${a.id}/${mine ? 'release' : 'take'}`, { key: newKey('take') });
        upsertAlert(updated);
        keepPlace(a.id, () => renderAlerts());
      } catch (e) {
        toast(errorText(e), 'error');
        btn.disabled = false;
      }
    },
  }, t(mine ? 'alerts.release' : 'alerts.take'));
}

// The feed's alert ids from id on, in the order drawn: where the focus goes when id is gone.
function followingIds(ol, id) {
  const items = [...ol.querySelectorAll('li.alert')];
  const at = items.findIndex((li) => li.dataset.id === String(id));
  return [String(id), ...(at >= 0 ? items.slice(at + 1).map((li) => li.dataset.id) : [])];
}

// Focuses the first of ids still in the feed: its button of class cls (or acknowledge, or any).
function focusFirst(ol, ids, cls) {
  const li = ids.map((k) => ol.querySelector(`li.alert[data-id="${k}"]`)).find(Boolean);
  const el = li && ((cls && li.querySelector(`button.${CSS.escape(cls)}`)) || li.querySelector('button.ack') || li.querySelector('button'));
  if (el) el.focus({ preventScroll: true });
}

// Redraws the feed and puts the focus back on the alert acted on (or, when it left the list, on
// the one that followed it), without moving the page. ids: followingIds() taken before the action
// (an event may have redrawn the feed meanwhile), or the alert's id.
function keepPlace(ids, redraw) {
  const ol = $('#alerts');
  if (!Array.isArray(ids)) ids = followingIds(ol, ids);
  const x = window.scrollX;
  const y = window.scrollY;
  redraw();
  window.scrollTo(x, y);
  focusFirst(ol, ids, 'ack');
}

function actOnAlert(id, action) {
  const a = state.alerts.get(id);
  if (!a) return;
  const opener = document.activeElement;
  const place = followingIds($('#alerts'), id); // where the feed was when the coordinator acted
  const dlg = $('#alert-dialog');
  $('#alert-dialog-h').textContent = t(action === 'acknowledge' ? 'alerts.ack_title' : 'alerts.resolve_title');
  $('#alert-dialog-what').textContent = `${a.holder_name || a.dep || ''} — ${alertWhat(a)}`;
  $('#alert-confirm').textContent = t(action === 'acknowledge' ? 'alerts.acknowledge' : 'alerts.resolve');
  $('#alert-dialog-error').textContent = '';
  const note = $('#alert-note');
  note.value = '';
  const form = $('#alert-form');
  const key = newKey(action); // one submission: a retry after a network error reuses it
  const submit = async (ev) => {
    ev.preventDefault();
    const confirm = $('#alert-confirm');
    confirm.disabled = true;
    try {
      const body = note.value.trim() ? { note: note.value.trim() } : {};
      const updated = await api('POST', `/alerts/${id}/${action}`, { body, key });
      upsertAlert(updated);
      close();
      keepPlace(place, () => { renderAlerts(); renderKpis(); });
      toast(t(action === 'acknowledge' ? 'alerts.acked_toast' : 'alerts.resolved_toast'));
    } catch (e) {
      $('#alert-dialog-error').textContent = errorText(e);
      if (e instanceof ApiError && e.status === 409) {
        // resolved meanwhile: the feed catches up from the event; nothing more to do here
        later('reload-alert', () => api('GET', `/alerts/${id}`).then((x) => { upsertAlert(x); renderAlertsEverywhere(); }, () => {}), 10);
      }
    } finally {
      confirm.disabled = false;
    }
  };
  const close = () => {
    form.removeEventListener('submit', submit);
    if (dlg.open) dlg.close();
    if (opener && opener.isConnected) opener.focus({ preventScroll: true });
  };
  form.addEventListener('submit', submit);
  $('#alert-cancel').onclick = close;
  dlg.addEventListener('close', () => form.removeEventListener('submit', submit), { once: true });
  dlg.showModal();
  note.focus();
}

function upsertAlert(a) {
  const cur = state.alerts.get(a.id);
  if (cur && cur.version > a.version) return false; // older news
  if (a.status === 'resolved') {
    if (!cur) return false;
    state.alerts.delete(a.id);
  } else {
    state.alerts.set(a.id, a);
  }
  if (a.holder_kind === 'structure') map.setSeverity(a.holder_id, worstOf('structure', a.holder_id));
  return true;
}

function renderAlertsEverywhere() {
  nextFrame('alerts', () => {
    renderAlerts();
    renderKpis();
    if (state.detail && state.detail.kind) renderDetailAlerts();
  });
}

// --- stocks: cover by département --------------------------------------------------------------

async function loadCover() {
  const [c, e] = await Promise.all([api('GET', '/stock/cover'), api('GET', '/epidemic')]);
  state.cover = c.items;
  state.epidemic = latestFigures(e.items);
}

// The latest day loaded of each département (the list is by département, then day), and for the
// region the sum of those: shown next to the cover, the wave beside the stock.
function latestFigures(items) {
  const by = new Map();
  for (const r of items) by.set(r.dep, r);
  if (by.size > 1) {
    const rows = [...by.values()];
    const sum = (k) => (rows.some((r) => r[k] !== null) ? rows.reduce((n, r) => n + (r[k] ?? 0), 0) : null);
    by.set('region', { dep: 'region', date: rows.map((r) => r.date).sort().pop(),
      hospitalised: sum('hospitalised'), intensive_care: sum('intensive_care'), deaths: sum('deaths') });
  }
  return by;
}

function epidemicCell(d) {
  const r = state.epidemic.get(d);
  if (!r) return h('td', { class: 'epidemic none' }, '');
  const n = fmtNumber; // null: '—', a figure the bulletin did not give
  return h('td', { class: 'epidemic', dataset: { dep: d },
    title: t('stock.epidemic_cell', { date: fmtDate(r.date), h: n(r.hospitalised), icu: n(r.intensive_care), d: n(r.deaths) }) },
  `${n(r.hospitalised)} (${n(r.intensive_care)})`);
}

function renderCover() {
  const table = clear($('#cover'));
  const depFilter = $('#stock-dep').value;
  const itemFilter = $('#stock-item').value;
  const items = [...new Set(state.cover.map((r) => r.item))]
    .filter((c) => !itemFilter || c === itemFilter)
    .map((code) => {
      const r = state.cover.find((x) => x.item === code);
      return { code, name: itemName(code, r.item_name), unit: r.unit };
    })
    .sort((a, b) => a.name.localeCompare(b.name, locale()));
  const cell = new Map(state.cover.map((r) => [`${r.dep}|${r.item}`, r]));
  let deps = depsInScope().filter((d) => !depFilter || d === depFilter);
  const { key, dir } = state.coverSort;
  deps.sort((a, b) => {
    if (key === 'dep') return dir * a.localeCompare(b);
    const va = (cell.get(`${a}|${key}`) || {}).days_of_cover;
    const vb = (cell.get(`${b}|${key}`) || {}).days_of_cover;
    const na = va === null || va === undefined;
    const nb = vb === null || vb === undefined;
    if (na !== nb) return na ? 1 : -1;
    return dir * ((va ?? 0) - (vb ?? 0)) || a.localeCompare(b);
  });
  if (!depFilter && deps.length > 1 && state.who.scope === 'region') deps = [...deps, 'region'];
  const sortMark = (k) => (key === k ? (dir > 0 ? ' ▲' : ' ▼') : '');
  const head = h('tr', {},
    h('th', { scope: 'col' }, h('button', { type: 'button', class: 'sort', onclick: () => sortCover('dep') }, t('stock.dep') + sortMark('dep'))),
    items.map((i) => h('th', { scope: 'col', title: `${i.name} (${unitName(i.unit)})` },
      h('button', { type: 'button', class: 'sort', onclick: () => sortCover(i.code) }, i.name + sortMark(i.code)))),
    state.epidemic.size ? h('th', { scope: 'col', class: 'epidemic', title: t('stock.epidemic_title') }, t('stock.epidemic')) : null);
  const body = deps.map((d) => h('tr', { class: d === 'region' ? 'total' : '' },
    h('th', { scope: 'row' }, d === 'region' ? t('scope.region') : `${d} ${state.depNames[d] || ''}`),
    items.map((i) => {
      const r = cell.get(`${d}|${i.code}`);
      if (!r) return h('td', { class: 'cover-none' }, '');
      const alerts = r.alerts.stockout + r.alerts.critical + r.alerts.warning;
      const worst = r.alerts.stockout ? 'stockout' : r.alerts.critical ? 'critical' : r.alerts.warning ? 'warning' : null;
      const title = [
        `${d === 'region' ? t('scope.region') : state.depNames[d]} — ${i.name}`,
        t('stock.cell_qty', { q: fmtNumber(r.quantity), unit: unitName(r.unit) }),
        t('stock.cell_burn', { b: fmtNumber(r.burn_per_day, 1) }),
        t('stock.cell_holders', { n: r.structures }),
        t('stock.cell_alerts', { s: r.alerts.stockout, c: r.alerts.critical, w: r.alerts.warning }),
        t('stock.cell_worst', { d: fmtDays(r.worst_days_of_cover) }),
      ].join('\n');
      // the aggregate can be green while one structure is about to run out: its cover beside it
      const w = r.worst_days_of_cover;
      const showWorst = w !== null && w !== undefined && (r.days_of_cover === null || w < r.days_of_cover);
      return h('td', { class: `${coverClass(r.days_of_cover)}${worst ? ` has-${worst}` : ''}`, title, dataset: { dep: d, item: i.code } },
        h('button', { type: 'button', class: 'cell', onclick: () => drillDown(d, i.code) },
          h('span', { class: 'days' }, fmtDays(r.days_of_cover)),
          showWorst ? h('span', { class: `worst ${coverClass(w)}` }, t('stock.cell_worst_short', { d: fmtDays(w) })) : null,
          alerts ? h('span', { class: `alerts-n sev-${worst}` }, String(alerts)) : null));
    }),
    state.epidemic.size ? epidemicCell(d) : null));
  table.append(h('thead', {}, head), h('tbody', {}, body));
  if (!items.length) table.append(h('tbody', {}, h('tr', {}, h('td', { class: 'empty' }, t('stock.none')))));
  table.dataset.rows = String(deps.length);
}

function sortCover(key) {
  const s = state.coverSort;
  if (s.key === key) s.dir = -s.dir;
  else {
    s.key = key;
    s.dir = 1;
  }
  renderCover();
}

function drillDown(dep, item) {
  $('#stock-dep').value = dep === 'region' ? '' : dep;
  $('#stock-item').value = item;
  $('#levels-sev').value = '';
  state.levels.offset = 0;
  loadLevels().then(() => {
    renderLevels();
    renderCover();
    $('#levels').scrollIntoView({ behavior: 'smooth', block: 'start' });
  }, (e) => toast(errorText(e), 'error'));
}

// --- stocks: levels by structure ---------------------------------------------------------------

async function loadLevels() {
  const L = state.levels;
  const holder = $('#levels-holder').value || 'structure';
  const params = {
    holder_kind: holder,
    dep: $('#stock-dep').value,
    category: holder === 'structure' ? $('#stock-cat').value : undefined,
    item: $('#stock-item').value,
    severity: $('#levels-sev').value,
    sort: L.sort,
    limit: L.limit,
    offset: L.offset,
  };
  const res = await api('GET', '/stock/levels', { params });
  L.rows = res.items;
  L.total = res.total;
  L.pendingChanges = 0;
}

function pageLevels(step) {
  const L = state.levels;
  const next = L.offset + step * L.limit;
  if (next < 0 || next >= Math.max(L.total, 1)) return;
  L.offset = next;
  loadLevels().then(renderLevels, (e) => toast(errorText(e), 'error'));
}

function sortLevels(key) {
  const L = state.levels;
  L.sort = key === 'holder' ? 'holder' : L.sort === 'cover' ? '-cover' : 'cover';
  L.offset = 0;
  loadLevels().then(renderLevels, (e) => toast(errorText(e), 'error'));
}

function levelRow(r) {
  return h('tr', { dataset: { holder: `${r.holder_kind}:${r.holder_id}`, item: r.item } },
    h('td', {}, h('button', { type: 'button', class: 'link', onclick: () => openDetail(r.holder_kind, r.holder_id) }, r.holder_name)),
    h('td', {}, r.dep || ''),
    h('td', {}, r.holder_kind === 'depot' ? t('filter.depots') : tEnum('category', r.category)),
    h('td', {}, itemName(r.item, r.item_name)),
    h('td', { class: 'num' }, `${fmtNumber(r.quantity)} `, h('small', {}, unitName(r.unit))),
    h('td', { class: 'num' }, r.burn_per_day === null ? '—' : fmtNumber(r.burn_per_day, 1)),
    h('td', { class: `num ${coverClass(r.days_of_cover)}` }, fmtDays(r.days_of_cover)),
    h('td', {}, r.stockout_at && r.days_of_cover > 0 ? fmtDateTime(r.stockout_at) : r.days_of_cover === 0 ? t('stock.out_now') : '—'),
    h('td', {}, fmtTime(r.reported_at)),
    h('td', {}, r.alert ? h('span', { class: `badge sev-${r.alert}` }, tEnum('severity', r.alert)) : ''));
}

function renderLevels() {
  const L = state.levels;
  const table = clear($('#levels'));
  const mark = (k) => (k === 'holder' && L.sort === 'holder' ? ' ▲' : k === 'cover' && L.sort === 'cover' ? ' ▲' : k === 'cover' && L.sort === '-cover' ? ' ▼' : '');
  table.append(h('thead', {}, h('tr', {},
    h('th', { scope: 'col' }, h('button', { type: 'button', class: 'sort', onclick: () => sortLevels('holder') }, t('levels.holder') + mark('holder'))),
    h('th', { scope: 'col' }, t('levels.dep')),
    h('th', { scope: 'col' }, t('levels.category')),
    h('th', { scope: 'col' }, t('levels.item')),
    h('th', { scope: 'col', class: 'num' }, t('levels.quantity')),
    h('th', { scope: 'col', class: 'num' }, t('levels.burn')),
    h('th', { scope: 'col', class: 'num' }, h('button', { type: 'button', class: 'sort', onclick: () => sortLevels('cover') }, t('levels.cover') + mark('cover'))),
    h('th', { scope: 'col' }, t('levels.stockout_at')),
    h('th', { scope: 'col' }, t('levels.reported_at')),
    h('th', { scope: 'col' }, t('levels.alert')))));
  const tbody = h('tbody', {}, L.rows.map(levelRow));
  if (!L.rows.length) tbody.append(h('tr', {}, h('td', { colspan: '10', class: 'empty' }, t('levels.none'))));
  table.append(tbody);
  const last = Math.min(L.offset + L.limit, L.total);
  $('#levels-page').textContent = L.total ? t('common.range', { a: fmtNumber(L.offset + 1), b: fmtNumber(last), n: fmtNumber(L.total) }) : '';
  $('#levels-prev').disabled = L.offset === 0;
  $('#levels-next').disabled = last >= L.total;
  showLevelsChanges();
}

function showLevelsChanges() {
  const b = $('#levels-refresh');
  b.hidden = !state.levels.pendingChanges;
  b.textContent = t('levels.changes', { n: state.levels.pendingChanges });
}

// A stock.level event: the row on screen changes in place; other changes are counted, and the
// table is refreshed on demand (rows do not jump under the reader's eyes).
function levelEvent(ev) {
  const d = ev.data;
  const holder = `${d.holder_kind}:${d.holder_id}`;
  const idx = state.levels.rows.findIndex((r) => `${r.holder_kind}:${r.holder_id}` === holder && r.item === d.item);
  if (idx >= 0) {
    const r = state.levels.rows[idx];
    Object.assign(r, {
      quantity: d.quantity, burn_per_day: d.burn_per_day, days_of_cover: d.days_of_cover,
      stockout_at: d.stockout_at, reported_at: ev.at, alert: d.alert && d.alert.status !== 'resolved' ? d.alert.severity : null,
    });
    const tr = $('#levels').querySelector(`tr[data-holder="${holder}"][data-item="${CSS.escape(d.item)}"]`);
    if (tr) {
      const fresh = levelRow(r);
      tr.replaceWith(fresh);
      flash(fresh);
    }
  } else {
    state.levels.pendingChanges++;
    showLevelsChanges();
  }
}

// --- volunteer pool ----------------------------------------------------------------------------

async function loadStats() {
  if (state.who.role === 'observer' || state.who.role === 'admin' || state.who.role === 'coordinator') {
    const s = await api('GET', '/volunteers/stats');
    state.stats = s.groups;
  }
}

function renderPool() {
  const dep = $('#pool-dep').value;
  const groups = state.stats.filter((g) => !dep || g.dep === dep);
  const by = new Map();
  for (const g of groups) {
    const v = by.get(g.profession) || {};
    v[g.availability] = (v[g.availability] || 0) + g.count;
    by.set(g.profession, v);
  }
  const rows = PROFESSIONS.filter((p) => by.has(p)).map((p) => ({ label: tEnum('profession', p), values: by.get(p) }));
  hBars($('#pool-chart'), {
    rows,
    series: ['available', 'on_mission', 'unavailable'].map((k) => ({ key: k, label: tEnum('availability', k) })),
    title: t('pool.title'),
  });
  if (!rows.length) $('#pool-chart').append(h('p', { class: 'empty' }, t('pool.none')));
  // available people by profession (rows) and département (columns)
  const deps = depsInScope().filter((d) => !dep || d === dep);
  const cell = new Map();
  for (const g of state.stats) {
    if (g.availability !== 'available') continue;
    const k = `${g.profession}|${g.dep}`;
    cell.set(k, (cell.get(k) || 0) + g.count);
  }
  const table = clear($('#pool-table'));
  table.append(h('thead', {}, h('tr', {}, h('th', {}, t('pool.profession')), deps.map((d) => h('th', { class: 'num', title: state.depNames[d] }, d)), h('th', { class: 'num' }, t('common.total')))));
  table.append(h('tbody', {}, PROFESSIONS.filter((p) => by.has(p)).map((p) => {
    let total = 0;
    const tds = deps.map((d) => {
      const n = cell.get(`${p}|${d}`) || 0;
      total += n;
      return h('td', { class: 'num' }, n ? String(n) : '·');
    });
    return h('tr', {}, h('th', { scope: 'row' }, tEnum('profession', p)), tds, h('td', { class: 'num' }, h('strong', {}, String(total))));
  })));
}

// --- SMS ----------------------------------------------------------------------------------------

// The outbox pages by id (after, limit) without a "next": a full page means there may be more.
async function loadSms() {
  const rows = [];
  let after;
  for (let i = 0; i < 5; i++) {
    const page = await api('GET', '/sms/outbox', { params: { limit: 1000, after } });
    rows.push(...page.items);
    if (page.items.length < 1000) break;
    after = page.items[page.items.length - 1].id;
  }
  state.sms = rows;
  state.smsCapped = rows.length >= 5000;
}

function renderSms() {
  const box = clear($('#sms-counts'));
  const table = clear($('#sms-table'));
  if (state.who.role === 'observer') {
    $('#sec-sms').hidden = true;
    return;
  }
  const counts = {};
  for (const m of state.sms) counts[m.status] = (counts[m.status] || 0) + 1;
  const order = ['queued', 'sending', 'sent', 'delivered', 'failed', 'undelivered'];
  const statuses = [...new Set([...order.filter((s) => counts[s]), ...Object.keys(counts)])];
  if (!statuses.length) box.append(h('span', { class: 'muted' }, t('sms.none')));
  for (const s of statuses) box.append(h('span', { class: `chip sms-${s}` }, `${tEnum('sms_status', s)} : ${counts[s]}`));
  const recent = state.sms.slice(-12).reverse();
  if (recent.length) {
    table.append(h('thead', {}, h('tr', {},
      h('th', {}, t('sms.when')), h('th', {}, t('sms.kind')), h('th', {}, t('sms.to')), h('th', {}, t('levels.dep')), h('th', {}, t('sms.status')), h('th', { class: 'num' }, t('sms.attempts')))));
    table.append(h('tbody', {}, recent.map((m) => h('tr', { dataset: { id: m.id }, title: m.text || '' },
      h('td', {}, fmtTime(m.created_at)),
      h('td', {}, tEnum('sms_kind', m.kind)),
      h('td', {}, `${tEnum('recipient', m.recipient_kind)} ${maskPhone(m.phone)}`),
      h('td', {}, m.dep || ''),
      h('td', {}, h('span', { class: `chip sms-${m.status}` }, tEnum('sms_status', m.status)), m.last_error ? h('small', { class: 'error' }, ` ${m.last_error}`) : null),
      h('td', { class: 'num' }, String(m.attempts))))));
  }
  $('#sms-note').textContent = state.smsCapped ? t('sms.capped') : t('sms.note');
}

// --- history and charts ------------------------------------------------------------------------

// Alert transitions of the last 24 hours from the audit log (newest first, paged), so that the
// chart has a past on opening; live events add to it.
async function loadAlertHistory() {
  const since = now() - 24 * HOUR;
  let before;
  for (let page = 0; page < 10; page++) {
    const res = await api('GET', '/audit', { params: { entity: 'alert', limit: 1000, before } });
    let older = false;
    for (const row of res.items) {
      const at = Date.parse(row.at);
      if (at < since) {
        older = true;
        continue;
      }
      const after = row.after || {};
      const prev = row.before || {};
      if (row.action === 'create') addHistory(row.entity_id, 'opened', row.at);
      else if (after.status === 'acknowledged' && prev.status !== 'acknowledged') addHistory(row.entity_id, 'acknowledged', row.at);
      else if (after.status === 'resolved' && prev.status !== 'resolved') addHistory(row.entity_id, 'resolved', row.at);
    }
    if (older || !res.next_before) break;
    before = res.next_before;
  }
}

// Reports per hour and active shortage alerts of the last 24 hours (the server's own count).
async function loadTrends() {
  const res = await api('GET', '/stock/trends', { params: { hours: 24 } });
  state.trends = res.items;
  state.trendsAt = now();
}

function addHistory(id, kind, at) {
  state.history.set(`${id}:${kind}:${at}`, { t: seen(at), kind });
}

function pushActivePoint(at) {
  const t0 = at ? seen(at) : now();
  const pts = state.activeSeries;
  const v = state.alerts.size;
  if (pts.length && pts[pts.length - 1].v === v) return;
  pts.push({ t: t0, v });
  if (pts.length > 5000) pts.splice(0, pts.length - 5000);
}

function hourTick(ms) {
  return new Intl.DateTimeFormat(locale(), { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Paris' }).format(new Date(ms));
}

function renderCharts() {
  const end = now();
  // alerts per hour, last 24 hours
  const start = Math.floor((end - 23 * HOUR) / HOUR) * HOUR;
  const buckets = [];
  for (let i = 0; i < 24; i++) buckets.push({ t: start + i * HOUR, values: {} });
  for (const e of state.history.values()) {
    const i = Math.floor((e.t - start) / HOUR);
    if (i < 0 || i >= 24) continue;
    buckets[i].values[e.kind] = (buckets[i].values[e.kind] || 0) + 1;
  }
  timeBars($('#chart-alerts'), {
    buckets,
    series: ['opened', 'acknowledged', 'resolved'].map((k) => ({ key: k, label: t(`trends.${k}`) })),
    fmtTick: hourTick,
    title: t('trends.alerts'),
    empty: state.who.role === 'observer' ? t('trends.no_audit') : t('trends.empty'),
  });
  // reports per hour and active alerts, the last 24 hours, from the server's history
  // (stock.trends: a reload keeps them), with what came live since
  const trend = state.trends || [];
  const rb = trend.map((b) => ({ t: Date.parse(b.t), values: { reports: b.reports } }));
  const lastBucket = rb.length ? rb[rb.length - 1].t : end;
  for (const tr of state.reports.values()) {
    if (tr >= state.trendsAt && tr >= lastBucket && rb.length) rb[rb.length - 1].values.reports++;
  }
  timeBars($('#chart-reports'), {
    buckets: rb,
    series: [{ key: 'reports', label: t('trends.reports_series') }],
    fmtTick: hourTick,
    title: t('trends.reports'),
    empty: t('trends.empty'),
  });
  const points = trend.map((b) => ({ t: Date.parse(b.t) + HOUR, v: b.active }))
    .filter((p) => p.t <= state.trendsAt)
    .concat(state.activeSeries.filter((p) => p.t > state.trendsAt));
  stepLine($('#chart-active'), {
    points,
    t0: points.length ? points[0].t : end - 24 * HOUR,
    t1: end,
    fmtTick: hourTick,
    title: t('trends.active'),
    empty: t('trends.empty'),
  });
}

// --- events ------------------------------------------------------------------------------------

function applyEvent(ev) {
  seen(ev.at);
  const type = ev.event;
  if (type.startsWith('allocation.')) {
    alloc.onEvent(ev);
  } else if (type.startsWith('alert.')) {
    const a = ev.data;
    if (type === 'alert.opened') {
      addHistory(a.id, 'opened', ev.at);
      state.fresh.add(a.id);
    } else if (type === 'alert.acknowledged') addHistory(a.id, 'acknowledged', ev.at);
    else if (type === 'alert.resolved') addHistory(a.id, 'resolved', ev.at);
    else state.fresh.add(a.id);
    attention.alert(type, a, state.alerts.get(a.id));
    upsertAlert(a);
    pushActivePoint(ev.at);
    renderAlertsEverywhere();
    if (state.detail && state.detail.kind === a.holder_kind && state.detail.id === a.holder_id) renderDetailAlerts();
    if (a.severity !== 'warning' && type === 'alert.opened') later('sms', refreshSms, 2000);
    later('charts', renderCharts, 500);
  } else if (type === 'stock.level') {
    const d = ev.data;
    state.reports.set(`${d.holder_kind}:${d.holder_id}:${ev.at}`, seen(ev.at));
    levelEvent(ev);
    later('cover', () => loadCover().then(() => renderCover(), () => {}), 1500);
    later('charts', renderCharts, 500);
    if (state.detail && state.detail.kind === d.holder_kind && state.detail.id === d.holder_id) later('detail', loadDetailLevels, 300);
  } else if (type.startsWith('structure.')) {
    structureEvent(type, ev);
  } else if (type.startsWith('depot.')) {
    later('depots', () => apiAll('/depots').then((rows) => {
      state.depots = new Map(rows.map((d) => [d.id, d]));
      drawDepots();
    }, () => {}), 1000);
  } else if (type.startsWith('volunteer.')) {
    if (pending) pending.applyEvent(ev);
    later('stats', () => loadStats().then(() => { renderPool(); renderKpis(); }, () => {}), 3000);
  } else if (type.startsWith('deployment.')) {
    board.applyEvent(ev);
  } else if (type.startsWith('sms.')) {
    const m = ev.entity === 'sms' ? state.sms.find((x) => x.id === ev.entity_id) : null;
    if (m && ev.data.status) {
      m.status = ev.data.status;
      m.attempts = ev.data.attempts ?? m.attempts;
      m.last_error = ev.data.error ?? m.last_error;
      nextFrame('sms', () => { renderSms(); renderKpis(); });
    }
    later('sms', refreshSms, 3000);
  }
}

function refreshSms() {
  if (state.who.role === 'observer') return;
  loadSms().then(() => { renderSms(); renderKpis(); }, () => {});
}

function structureEvent(type, ev) {
  const d = ev.data;
  if (type === 'structure.imported') {
    later('structures', () => apiAll('/structures').then((rows) => {
      state.structures = new Map(rows.map((s) => [s.id, s]));
      drawMapDots();
      renderKpis();
    }, () => {}), 1000);
    return;
  }
  if (type === 'structure.deleted') {
    state.structures.delete(d.id);
    map.removeStructure(d.id);
    renderKpis();
    return;
  }
  const cur = state.structures.get(d.id);
  // events carry no personal fields: keep the contacts we have (the detail reloads them anyway)
  const s = cur ? { ...cur, ...d, contacts: cur.contacts } : d;
  state.structures.set(d.id, s);
  if (!map.moveStructure(s, structureTitle)) later('dots', drawMapDots, 500);
  if (state.detail && state.detail.kind === 'structure' && state.detail.id === d.id) later('detail', () => openDetail('structure', d.id), 300);
}

// --- detail drawer -------------------------------------------------------------------------------

async function openDetail(kind, id) {
  state.detail = { kind, id, record: null, levels: null };
  $('#detail').hidden = false;
  $('#detail-h').textContent = t('common.loading');
  clear($('#detail-body'));
  if (kind === 'structure') map.highlight(id);
  try {
    const [record, levels] = await Promise.all([
      api('GET', `/${kind === 'depot' ? 'depots' : 'structures'}/${id}`),
      api('GET', '/stock/levels', { params: { holder_kind: kind, holder_id: id, limit: 200, sort: 'cover' } }),
    ]);
    const commune = await api('GET', `/communes/${record.commune}`).catch(() => null);
    if (!state.detail || state.detail.id !== id || state.detail.kind !== kind) return;
    state.detail.record = record;
    state.detail.communeName = commune ? commune.name : null;
    state.detail.levels = levels.items;
    renderDetail();
  } catch (e) {
    $('#detail-h').textContent = errorText(e);
  }
}

async function loadDetailLevels() {
  const d = state.detail;
  if (!d) return;
  try {
    const levels = await api('GET', '/stock/levels', { params: { holder_kind: d.kind, holder_id: d.id, limit: 200, sort: 'cover' } });
    if (state.detail !== d) return;
    d.levels = levels.items;
    renderDetailLevels();
  } catch { /* the next event retries */ }
}

function closeDetail() {
  state.detail = null;
  $('#detail').hidden = true;
  map.highlight(null);
}

function renderDetail() {
  const d = state.detail;
  if (!d || !d.record) return;
  const r = d.record;
  $('#detail-h').textContent = r.name;
  const body = clear($('#detail-body'));
  const facts = [];
  if (d.kind === 'structure') {
    facts.push([t('detail.category'), tEnum('category', r.category)], [t('detail.legal_form'), tEnum('legal_form', r.legal_form)]);
    if (r.finess) facts.push(['FINESS', r.finess]);
    facts.push([t('detail.place'), `${d.communeName ? `${d.communeName} (${r.commune})` : r.commune} · ${r.dep} ${state.depNames[r.dep] || ''}`]);
    facts.push([t('detail.capacity'), r.capacity === null ? '—' : fmtNumber(r.capacity)]);
    facts.push([t('detail.occupancy'), r.occupancy === null ? '—' : fmtNumber(r.occupancy)]);
    facts.push([t('detail.staff'), r.staff === null ? '—' : fmtNumber(r.staff)]);
    facts.push([t('detail.status'), tEnum('status', r.status)]);
  } else {
    facts.push([t('detail.level'), tEnum('depot_level', r.level)], [t('detail.place'), `${d.communeName ? `${d.communeName} (${r.commune})` : r.commune} · ${r.dep} ${state.depNames[r.dep] || ''}`]);
    if (r.phone) facts.push([t('detail.phone'), r.phone]);
  }
  body.append(h('dl', { class: 'facts' }, facts.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])));
  if (d.kind === 'structure') {
    body.append(h('h3', {}, t('detail.contacts')));
    const contacts = r.contacts || [];
    body.append(contacts.length
      ? h('ul', { class: 'contacts' }, contacts.map((c) => h('li', {},
        h('strong', {}, c.role || c.name || t('detail.contact')), c.name && c.role ? ` (${c.name})` : '', ' ',
        c.phone ? h('a', { href: `tel:${c.phone}` }, c.phone) : '', c.lang && c.lang !== 'fr' ? ` · ${c.lang}` : '')))
      : h('p', { class: 'muted' }, state.who.role === 'observer' ? t('detail.contacts_hidden') : t('detail.no_contacts')));
  }
  body.append(h('h3', {}, t('detail.alerts')), h('ol', { id: 'detail-alerts', class: 'alert-list compact' }));
  body.append(h('h3', {}, t('detail.levels')), h('div', { class: 'table-scroll' }, h('table', { id: 'detail-levels', class: 'data compact' })));
  renderDetailAlerts();
  renderDetailLevels();
}

function renderDetailAlerts() {
  const d = state.detail;
  const ol = $('#detail-alerts');
  if (!d || !ol) return;
  clear(ol);
  const list = [...state.alerts.values()].filter((a) => a.holder_kind === d.kind && a.holder_id === d.id).sort(alertOrder);
  for (const a of list) ol.append(alertItem(a, { compact: true }));
  if (!list.length) ol.append(h('li', { class: 'empty' }, t('alerts.none')));
}

function renderDetailLevels() {
  const d = state.detail;
  const table = $('#detail-levels');
  if (!d || !table || !d.levels) return;
  clear(table);
  table.append(h('thead', {}, h('tr', {},
    h('th', {}, t('levels.item')), h('th', { class: 'num' }, t('levels.quantity')), h('th', { class: 'num' }, t('levels.burn')),
    h('th', { class: 'num' }, t('levels.cover')), h('th', {}, t('levels.reported_at')))));
  table.append(h('tbody', {}, d.levels.map((r) => h('tr', {},
    h('td', {}, itemName(r.item, r.item_name), r.alert ? [' ', h('span', { class: `badge sev-${r.alert}` }, tEnum('severity', r.alert))] : null),
    h('td', { class: 'num' }, `${fmtNumber(r.quantity)} `, h('small', {}, unitName(r.unit))),
    h('td', { class: 'num' }, r.burn_per_day === null ? '—' : fmtNumber(r.burn_per_day, 1)),
    h('td', { class: `num ${coverClass(r.days_of_cover)}` }, fmtDays(r.days_of_cover)),
    h('td', {}, fmtTime(r.reported_at))))));
  if (!d.levels.length) table.append(h('tbody', {}, h('tr', {}, h('td', { colspan: '5', class: 'empty' }, t('levels.none')))));
}

// re-draw the charts every minute so that the time axis moves on
setInterval(() => {
  if (state.loaded) renderCharts();
}, MINUTE);

main().catch((e) => {
  console.error(e);
  toast(errorText(e), 'error');
});
