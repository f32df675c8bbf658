// A volunteer's page (volunteer token): their calls to answer and assignments, own profile,
// availability now and its windows, credentials and their notices.
import { t, tEnum, onLangChange } from './i18n.js';
import {
  api, h, clear, $, flash, fmtDate, fmtTime, errorText, initFrame, signIn, wireLogout, showConnection, newKey,
  ApiError, NetworkError, toast,
} from './core.js';
import { Live } from './live.js';
import { VolunteerCalls } from './volunteer_calls.js';

const PAGE = 'volunteer';
const COMMON_LANGS = ['fr', 'en', 'es', 'it', 'de', 'pt', 'ar', 'oc', 'ca'];

const state = { id: null, vol: null, commune: null, dirty: false, saving: false, pendingKey: null, pendingBody: null };

async function main() {
  initFrame();
  wireLogout(PAGE);
  const { token, who } = await signIn(PAGE, ['volunteer']);
  state.id = who.subject_id;
  const form = $('#vol-form');
  form.addEventListener('submit', save);
  form.addEventListener('input', () => { state.dirty = true; });
  const calls = new VolunteerCalls(state.id);
  onLangChange(() => {
    render();
    calls.render();
  });
  new Live({
    token,
    topics: [`volunteer:${state.id}`],
    onEvent: (ev) => {
      calls.applyEvent(ev);
      // changed elsewhere (an SMS "DISPO", a coordinator): reload, unless the form is being edited
      if (ev.event === 'volunteer.updated' && !state.dirty && !state.saving) load();
    },
    onState: (s, d) => showConnection(s, d),
    onFailing: () => api('GET', '/whoami').catch(() => {}),
    onSync: (kind) => {
      if (kind === 'reload' && !state.dirty) load();
      if (kind !== 'resumed') calls.load();
    },
  }).start();
  await Promise.all([load(), calls.load()]);
}

async function load() {
  try {
    state.vol = await api('GET', `/volunteers/${state.id}`);
    if (!state.commune || state.commune.insee !== state.vol.home_commune) {
      state.commune = await api('GET', `/communes/${state.vol.home_commune}`).catch(() => null);
    }
    state.dirty = false;
    render();
    document.body.dataset.ready = '1';
  } catch (e) {
    toast(`${t('error.load')}: ${errorText(e)}`, 'error');
  }
}

function render() {
  const v = state.vol;
  if (!v) return;
  $('#who-label').textContent = tEnum('role', 'volunteer');
  $('#vol-name').textContent = `${v.first_name} ${v.last_name}`;
  const facts = [tEnum('profession', v.profession)];
  facts.push(state.commune ? `${state.commune.name} (${v.dep})` : v.dep);
  facts.push(tEnum('vol_status', v.status));
  $('#vol-facts').textContent = facts.join(' · ');
  for (const r of document.querySelectorAll('input[name="availability"]')) r.checked = r.value === v.availability;
  for (const r of document.querySelectorAll('input[name="sms_lang"]')) r.checked = r.value === v.sms_lang;
  $('#radius').value = String(v.travel_radius_km);
  const langs = clear($('#languages'));
  for (const code of COMMON_LANGS) {
    langs.append(h('label', { class: 'check' },
      h('input', { type: 'checkbox', value: code, checked: v.languages.includes(code) }), ` ${tEnum('lang', code)}`));
  }
  $('#languages-other').value = v.languages.filter((l) => !COMMON_LANGS.includes(l)).join(', ');
  const creds = clear($('#creds'));
  const today = new Date().toISOString().slice(0, 10);
  const soon = new Date(Date.now() + 60 * 86400000).toISOString().slice(0, 10);
  for (const c of v.credentials) {
    const exp = c.expires_on;
    const cls = exp && exp < today ? 'expired' : exp && exp < soon ? 'expiring' : '';
    creds.append(h('li', { class: cls },
      h('strong', {}, tEnum('credential', c.kind)), c.reference ? ` · ${c.reference}` : '',
      exp ? ` · ${t(cls === 'expired' ? 'vol.expired' : 'vol.expires', { d: fmtDate(exp) })}` : ''));
  }
  if (!v.credentials.length) creds.append(h('li', { class: 'muted' }, t('vol.no_credentials')));
}

function readForm() {
  const v = state.vol;
  const body = {};
  const errors = [];
  const avail = document.querySelector('input[name="availability"]:checked');
  if (avail && avail.value !== v.availability) body.availability = avail.value;
  const sms = document.querySelector('input[name="sms_lang"]:checked');
  if (sms && sms.value !== v.sms_lang) body.sms_lang = sms.value;
  const radius = Number($('#radius').value);
  if (!Number.isInteger(radius) || radius < 0 || radius > 500) errors.push(t('vol.bad_radius'));
  else if (radius !== v.travel_radius_km) body.travel_radius_km = radius;
  const langs = [...$('#languages').querySelectorAll('input:checked')].map((i) => i.value);
  for (const l of $('#languages-other').value.split(/[\s,;]+/)) {
    const code = l.trim().toLowerCase();
    if (!code) continue;
    if (!/^[a-z]{2}$/.test(code)) errors.push(t('vol.bad_language', { l }));
    else if (!langs.includes(code)) langs.push(code);
  }
  if (langs.length > 10) errors.push(t('vol.too_many_languages'));
  if (langs.join(',') !== v.languages.join(',')) body.languages = langs;
  return { body, errors };
}

async function save(ev) {
  ev.preventDefault();
  if (state.saving) return;
  $('#vol-error').textContent = '';
  const status = $('#vol-status');
  const { body, errors } = readForm();
  if (errors.length) {
    $('#vol-error').textContent = errors.join(' ');
    return;
  }
  if (!Object.keys(body).length) {
    status.className = 'status';
    status.textContent = t('vol.nothing');
    return;
  }
  // one key per submission, kept for the retries of that same submission
  const sameAsPending = state.pendingBody && JSON.stringify(state.pendingBody) === JSON.stringify(body);
  const key = sameAsPending ? state.pendingKey : newKey(`vol-${state.id}`);
  state.pendingKey = key;
  state.pendingBody = body;
  state.saving = true;
  $('#vol-save').disabled = true;
  status.className = 'status';
  status.textContent = t('vol.saving');
  try {
    state.vol = await api('PATCH', `/volunteers/${state.id}`, { body, key });
    state.pendingKey = null;
    state.pendingBody = null;
    state.dirty = false;
    render();
    status.className = 'status ok';
    status.textContent = t('vol.saved', { at: fmtTime(state.vol.updated_at) });
    flash($('#vol-form'));
  } catch (e) {
    status.className = 'status error';
    if (e instanceof NetworkError) status.textContent = t('vol.unconfirmed');
    else {
      state.pendingKey = null;
      state.pendingBody = null;
      status.textContent = e instanceof ApiError && e.field ? `${e.field} : ${e.rule}` : errorText(e);
    }
  } finally {
    state.saving = false;
    $('#vol-save').disabled = false;
  }
}

main().catch((e) => {
  console.error(e);
  toast(errorText(e), 'error');
});
