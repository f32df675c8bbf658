// Texts: one messages file per language (i18n/fr.js, i18n/en.js). French by default; the choice is
// kept in localStorage. t('key', {n: 3}) replaces {n}; a missing key falls back to French, then to
// the key itself (so a forgotten translation shows, and never breaks the page).
import fr from '../i18n/fr.js';
import en from '../i18n/en.js';

const catalogues = { fr, en };
const LANG_KEY = 'renfort.lang';
let lang = pickLang();
const listeners = new Set();

function pickLang() {
  let stored = null;
  try { stored = localStorage.getItem(LANG_KEY); } catch { /* storage may be off */ }
  return stored && catalogues[stored] ? stored : 'fr';
}

export function currentLang() {
  return lang;
}

export function locale() {
  return lang === 'en' ? 'en-GB' : 'fr-FR';
}

export function setLang(next) {
  if (!catalogues[next] || next === lang) return;
  lang = next;
  try { localStorage.setItem(LANG_KEY, next); } catch { /* ignore */ }
  document.documentElement.lang = next;
  applyStatic(document);
  for (const fn of listeners) fn(next);
}

export function onLangChange(fn) {
  listeners.add(fn);
}

export function has(key) {
  return key in catalogues[lang] || key in catalogues.fr;
}

export function t(key, params) {
  let s = catalogues[lang][key];
  if (s === undefined) s = catalogues.fr[key];
  if (s === undefined) return key;
  if (params) s = s.replace(/\{(\w+)\}/g, (m, k) => (params[k] === undefined ? m : String(params[k])));
  return s;
}

// An enum value's label: t('enum.category.ehpad'), or the value itself.
export function tEnum(kind, value, fallback) {
  if (value === null || value === undefined || value === '') return fallback ?? '—';
  const key = `enum.${kind}.${value}`;
  return has(key) ? t(key) : (fallback ?? String(value));
}

// Item names: the catalogue's (English) name unless the messages translate that code.
export function itemName(code, name) {
  const key = `item.${code}`;
  return key in catalogues[lang] ? catalogues[lang][key] : (name || code);
}

// Units of the catalogue (Each, Pair, Lt, Kg...): translated when the messages know them.
export function unitName(unit) {
  const key = `unit.${unit}`;
  return key in catalogues[lang] ? catalogues[lang][key] : (unit || '');
}

// Static texts in the HTML: data-i18n="key" (text), data-i18n-attr="attr:key,attr:key".
export function applyStatic(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(',')) {
      const [attr, key] = pair.split(':');
      el.setAttribute(attr.trim(), t(key.trim()));
    }
  }
  const title = document.querySelector('title[data-i18n]');
  if (title) document.title = title.textContent;
}

// The language switch: buttons with data-lang="fr" / "en".
export function wireLangSwitch(root) {
  for (const b of root.querySelectorAll('[data-lang]')) {
    b.addEventListener('click', () => setLang(b.dataset.lang));
  }
  const mark = () => {
    for (const b of root.querySelectorAll('[data-lang]')) b.setAttribute('aria-pressed', String(b.dataset.lang === lang));
  };
  onLangChange(mark);
  mark();
}

document.documentElement.lang = lang;
