// Staff requests as the three pages show them: the shifts, the progress (N of needed), the status and
// the calls' counts. Only rendering: each page loads and updates its own requests.
import { t, tEnum } from './i18n.js';
import { h, fmtDateTime } from './core.js';

export const PROFESSIONS = ['nurse', 'care_assistant', 'doctor', 'midwife', 'pharmacist', 'physiotherapist',
  'psychologist', 'social_worker', 'educator', 'logistician', 'driver', 'administrative', 'other'];

const PARIS = 'Europe/Paris';

// "sam. 2 mars 07:00 – 19:00" (Paris time), one line per shift.
export function shiftText(s, locale) {
  const start = new Date(s.start);
  const end = new Date(s.end);
  const day = new Intl.DateTimeFormat(locale, { weekday: 'short', day: 'numeric', month: 'short', timeZone: PARIS }).format(start);
  const hm = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', timeZone: PARIS });
  return `${day} ${hm.format(start)} – ${hm.format(end)}`;
}

// A bar and "2 / 3": the places filled of those asked for.
export function progress(filled, count) {
  const pct = count ? Math.round((100 * filled) / count) : 0;
  const fill = h('span', { class: 'progress-fill' });
  fill.style.width = `${pct}%`; // through the CSSOM: the pages' CSP refuses style attributes
  return h('span', { class: 'progress', title: t('deploy.progress_title', { n: filled, of: count }) },
    h('span', { class: 'progress-bar' }, fill),
    h('span', { class: 'progress-text', dataset: { filled: String(filled) } }, `${filled} / ${count}`));
}

export function statusBadge(status) {
  return h('span', { class: `badge deploy-${status}` }, tEnum('deploy_status', status));
}

// "6 appelés · 4 en attente · 1 refus" from a request's counts.
export function callCounts(c) {
  const parts = [];
  for (const k of ['called', 'open', 'accepted', 'declined', 'expired', 'failed', 'withdrawn', 'late']) {
    if (c[k]) parts.push(t(`deploy.count.${k}`, { n: c[k] }));
  }
  return parts.join(' · ') || t('deploy.count.none');
}

export function professionsText(r) {
  return r.professions.map((p) => tEnum('profession', p)).join(t('deploy.or'));
}

export function fmtWhen(iso) {
  return fmtDateTime(iso);
}

// A datetime-local value ("2030-03-02T07:00") as the server takes it (Paris time, no offset).
export function localValue(date, time) {
  return `${date}T${time}`;
}
