// The alert feed for a crisis night: worst first (the nearest projected stock-out, then severity),
// grouped by structure with its items under it, filtered by département, severity, item, category,
// legal form and a search, and every open alert reachable (the groups come a page at a time, never
// cut). Pure functions of the alerts and the registries, used by dashboard.js to draw the feed.
import { severityRank } from './core.js';

const DAY = 86400000;

// How soon an alert runs out, in days: 0 for a stock-out, its cover when known; silent structures
// and failed SMS by their severity only (Infinity: after every shortage of known cover).
export function daysLeft(a) {
  if (a.kind !== 'shortage') return Infinity;
  if (a.severity === 'stockout' || a.quantity === 0) return 0;
  if (a.days_of_cover !== null && a.days_of_cover !== undefined) return a.days_of_cover;
  if (a.stockout_at) return Math.max(0, (Date.parse(a.stockout_at) - Date.now()) / DAY);
  return Infinity;
}

// Open before acknowledged (someone has those); then the nearest stock-out; then severity; then
// the latest change.
export function worstFirst(a, b) {
  const sa = a.status === 'open' ? 1 : 0;
  const sb = b.status === 'open' ? 1 : 0;
  if (sa !== sb) return sb - sa;
  const da = daysLeft(a);
  const db = daysLeft(b);
  if (da !== db) return da < db ? -1 : 1;
  const ra = a.kind === 'silent' ? 0.5 : severityRank(a.severity);
  const rb = b.kind === 'silent' ? 0.5 : severityRank(b.severity);
  if (ra !== rb) return rb - ra;
  return Date.parse(b.updated_at) - Date.parse(a.updated_at) || b.id - a.id;
}

function fold(s) {
  return String(s || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

// f: {dep, severity (the least shown), acked, item, category, legal, q}; holders: id -> structure
// (category, legal form, commune name); names(a): the texts a search looks in.
export function matches(a, f, holders, names) {
  if (f.dep && a.dep !== f.dep) return false;
  if (!f.acked && a.status === 'acknowledged') return false;
  if (f.severity && (a.kind === 'silent' || severityRank(a.severity) < severityRank(f.severity))) return false;
  if (f.item && a.item !== f.item) return false;
  if (f.category || f.legal) {
    const s = a.holder_kind === 'structure' ? holders.get(a.holder_id) : null;
    if (!s) return false;
    if (f.category && s.category !== f.category) return false;
    if (f.legal && s.legal_form !== f.legal) return false;
  }
  if (f.q) {
    const hay = fold(names(a).join(' '));
    for (const word of fold(f.q).split(/\s+/).filter(Boolean)) if (!hay.includes(word)) return false;
  }
  return true;
}

// Sorted alerts into groups of one holder each, in the order of each group's worst alert: one
// structure is one row, its items under it.
export function groupByHolder(sorted) {
  const groups = new Map();
  for (const a of sorted) {
    const key = a.holder_kind === 'none' ? `none:${a.dep}:${a.id}` : `${a.holder_kind}:${a.holder_id}`;
    let g = groups.get(key);
    if (!g) {
      g = { key, holder_kind: a.holder_kind, holder_id: a.holder_id, holder_name: a.holder_name, dep: a.dep, alerts: [] };
      groups.set(key, g);
    }
    g.alerts.push(a);
  }
  return [...groups.values()];
}
