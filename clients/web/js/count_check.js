// The structure page's checks of a count before and after it is sent: a quantity typed as people
// type it ("46 800", "12,5" with the French comma) read without surprises, and the question
// "468 or 46,800?" when renfortd finds a count far from the history (422 implausible).
import { t, itemName, unitName } from './i18n.js';
import { h, fmtNumber } from './core.js';

// The catalogue counts in whole units: a decimal ("12,5" or "12.5") is refused with its own
// message rather than read as 125 or 12. Spaces (thin, no-break) between thousands are fine.
// Returns {n} or {error}.
export function parseCount(text) {
  const v = String(text).replace(/[\s\u00a0\u202f]/g, '');
  if (v === '') return { empty: true };
  if (/^\d+[.,]\d+$/.test(v)) return { error: t('report.whole_only') };
  if (!/^\d+$/.test(v)) return { error: t('report.bad_quantity') };
  const n = Number(v);
  if (n > 1e9) return { error: t('report.bad_quantity') };
  return { n };
}

// Asks whether the count is right. item: {code, name, unit}; resolves true (send it confirmed) or
// false (the reporter corrects it).
export function askPlausible(item, entered, previous) {
  return new Promise((resolve) => {
    const a = fmtNumber(entered);
    const b = fmtNumber(previous);
    const yes = h('button', { type: 'button', class: 'primary', id: 'confirm-count' }, t('report.confirm_yes', { entered: a }));
    const fix = h('button', { type: 'button', id: 'fix-count' }, t('report.confirm_fix'));
    const dlg = h('dialog', { class: 'confirm-dialog', id: 'count-dialog', 'aria-labelledby': 'count-dialog-h' },
      h('h2', { id: 'count-dialog-h' }, t('report.confirm_title', { entered: a, previous: b })),
      h('p', {}, t('report.confirm_text', { entered: a, previous: b, unit: unitName(item.unit), item: itemName(item.code, item.name) })),
      h('div', { class: 'choices' }, yes, fix));
    const finish = (answer) => {
      dlg.close();
      dlg.remove();
      resolve(answer);
    };
    yes.addEventListener('click', () => finish(true));
    fix.addEventListener('click', () => finish(false));
    dlg.addEventListener('cancel', (ev) => {
      ev.preventDefault();
      finish(false);
    });
    document.body.append(dlg);
    dlg.showModal();
    fix.focus();
  });
}

// Items a structure of this category uses: the big hospital equipment (ventilators, X-ray, PCR
// machines) only for hospitals; counts a structure already made stay offered whatever they are.
const HOSPITALS = new Set(['hospital', 'psychiatric_hospital', 'rehabilitation', 'long_term_care']);
const HOSPITAL_ONLY = new Set(['Case management - biomedical equipment']);

export function itemUsedBy(category, item) {
  return HOSPITALS.has(category) || !HOSPITAL_ONLY.has(item.category);
}
