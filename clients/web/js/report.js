// The daily situation report ("point de situation") of the coordinator's territory for a day, from
// reports.situation: a page made for printing (the browser's "save as PDF" gives the document to
// send to the prefecture and the agency) and its CSV. Shares the dashboard's token.
import { t, tEnum, itemName, onLangChange } from './i18n.js';
import { api, h, clear, $, fmtNumber, fmtDateTime, errorText, initFrame, signIn, wireLogout, token } from './core.js';

const PAGE = 'dashboard'; // the dashboard's token: the report is the dashboard's page
const state = { who: null, data: null, territories: [] };

function parisToday() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

async function main() {
  initFrame();
  wireLogout(PAGE);
  const { who } = await signIn(PAGE, ['admin', 'coordinator', 'observer']);
  state.who = who;
  const params = new URL(window.location.href).searchParams;
  $('#sitrep-date').value = params.get('date') || parisToday();
  $('#sitrep-date').max = parisToday();
  state.territories = (await api('GET', '/territories')).items || [];
  const deps = state.territories.map((d) => d.code).filter((c) => !Array.isArray(who.scope) || who.scope.includes(c));
  const sel = $('#sitrep-dep');
  sel.append(h('option', { value: '' }, t('filter.whole_region')));
  for (const c of deps) sel.append(h('option', { value: c }, `${c} ${(state.territories.find((d) => d.code === c) || {}).name || ''}`));
  if (params.get('dep')) sel.value = params.get('dep');
  $('#sitrep-date').addEventListener('change', load);
  sel.addEventListener('change', load);
  $('#sitrep-print').addEventListener('click', () => window.print());
  $('#sitrep-csv').addEventListener('click', downloadCsv);
  onLangChange(render);
  await load();
}

function query() {
  const q = { date: $('#sitrep-date').value };
  if ($('#sitrep-dep').value) q.dep = $('#sitrep-dep').value;
  return q;
}

async function load() {
  $('#sitrep-error').textContent = '';
  document.body.dataset.ready = '0';
  try {
    state.data = await api('GET', '/reports/situation', { params: query() });
  } catch (e) {
    $('#sitrep-error').textContent = errorText(e);
    state.data = null;
  }
  render();
  document.body.dataset.ready = '1';
}

// The CSV, fetched with the token (never put in an address) and handed to the browser as a file.
async function downloadCsv() {
  const q = new URLSearchParams({ ...query(), format: 'csv' });
  const res = await fetch(`/api/v1/reports/situation?${q}`, { headers: { Authorization: `Bearer ${token()}` } });
  if (!res.ok) {
    $('#sitrep-error').textContent = `HTTP ${res.status}`;
    return;
  }
  const url = URL.createObjectURL(await res.blob());
  const a = h('a', { href: url, download: `point-de-situation-${q.get('dep') || 'region'}-${q.get('date')}.csv` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

function depName(code) {
  const d = state.territories.find((x) => x.code === code);
  return d ? `${code} ${d.name}` : code;
}

function table(el, head, rows) {
  clear(el).append(h('thead', {}, h('tr', {}, head.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, rows.length ? rows.map((r) => h('tr', {}, r.map((x) => h('td', {}, x))))
      : [h('tr', {}, h('td', { colspan: String(head.length), class: 'muted' }, t('sitrep.none')))]));
}

function render() {
  const s = state.data;
  if (!s) return;
  const territory = s.territory === 'region' ? t('sitrep.region') : s.territory.split(',').map(depName).join(', ');
  $('#sitrep-h').textContent = t('sitrep.heading', { territory, date: new Date(`${s.date}T12:00:00Z`).toLocaleDateString(document.documentElement.lang === 'en' ? 'en-GB' : 'fr-FR', { dateStyle: 'full', timeZone: 'Europe/Paris' }) });
  $('#sitrep-asof').textContent = t('sitrep.as_of', { at: fmtDateTime(s.as_of) });
  const c = s.changes;
  const diff = c.stockout_holders - c.stockout_holders_yesterday;
  clear($('#sitrep-summary')).append(
    h('li', {}, t('sitrep.stockout_holders', { n: fmtNumber(c.stockout_holders), diff: `${diff >= 0 ? '+' : ''}${fmtNumber(diff)}` })),
    h('li', {}, t('sitrep.opened_resolved', { opened: fmtNumber(c.opened), resolved: fmtNumber(c.resolved) })),
    h('li', {}, t('sitrep.reported', completenessTotals(s.completeness))));
  // shortages: one row per département and item, its counts by severity
  const rows = new Map();
  for (const x of s.shortages) {
    const key = `${x.dep}|${x.item}`;
    if (!rows.has(key)) rows.set(key, { dep: x.dep, item: itemName(x.item, x.item_name), warning: 0, critical: 0, stockout: 0 });
    rows.get(key)[x.severity] = x.count;
  }
  table($('#sitrep-shortages'), [t('filter.dep'), t('filter.item'), tEnum('severity', 'stockout'), tEnum('severity', 'critical'), tEnum('severity', 'warning')],
    [...rows.values()].sort((a, b) => b.stockout - a.stockout || b.critical - a.critical || a.dep.localeCompare(b.dep))
      .map((r) => [depName(r.dep), r.item, fmtNumber(r.stockout), fmtNumber(r.critical), fmtNumber(r.warning)]));
  const ul = clear($('#sitrep-stockouts'));
  if (!s.stockouts.length) ul.append(h('li', { class: 'muted' }, t('sitrep.none')));
  for (const x of s.stockouts) ul.append(h('li', {}, h('strong', {}, x.name), ` (${depName(x.dep)}) : ${x.items.split('; ').map((n) => n).join(', ')}`));
  table($('#sitrep-completeness'), [t('filter.dep'), t('filter.category'), t('sitrep.structures'), t('sitrep.col_reported'), t('sitrep.col_late'), t('sitrep.col_silent')],
    s.completeness.map((r) => [depName(r.dep), tEnum('category', r.category), fmtNumber(r.structures), fmtNumber(r.reported), fmtNumber(r.late), fmtNumber(r.silent)]));
  table($('#sitrep-chase'), [t('sitrep.structure'), t('filter.dep'), t('filter.category'), t('sitrep.state'), t('sitrep.last_report')],
    s.chase.map((r) => [r.name, r.dep, tEnum('category', r.category), t(`sitrep.state_${r.state}`), r.last_report_at ? fmtDateTime(r.last_report_at) : t('sitrep.never')]));
}

function completenessTotals(rows) {
  const sum = (k) => rows.reduce((n, r) => n + r[k], 0);
  return { reported: fmtNumber(sum('reported')), structures: fmtNumber(sum('structures')), late: fmtNumber(sum('late')), silent: fmtNumber(sum('silent')) };
}

main();
