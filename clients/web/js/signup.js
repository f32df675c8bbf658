// The public sign-up page (no token): the phone first, confirmed by a code sent by SMS, then the
// profile and credentials, and the consent; the personal link to the volunteer's page comes by SMS.
// A lost link is sent again to the registered phone only.
import { t, tEnum, currentLang, onLangChange } from './i18n.js';
import { api, h, clear, $, errorText, initFrame, ApiError, toast } from './core.js';
import { PROFESSIONS } from './deploy_view.js';

const KINDS = ['diploma', 'rpps', 'adeli', 'driving_licence', 'first_aid', 'vaccination', 'other'];
const state = { phone: null };

function fieldError(e) {
  return e instanceof ApiError && e.field ? `${t(`signup.field.${e.field.replace(/\[\d+\]/g, '').replace(/\./g, '_')}`)} : ${e.rule}` : errorText(e);
}

function renderProfessions() {
  const sel = $('#su-profession');
  const keep = sel.value;
  clear(sel);
  for (const p of PROFESSIONS) sel.append(h('option', { value: p }, tEnum('profession', p)));
  sel.value = keep || 'nurse';
  for (const s of document.querySelectorAll('#su-creds select')) {
    const k = s.value;
    clear(s);
    for (const c of KINDS) s.append(h('option', { value: c }, tEnum('credential', c)));
    s.value = k;
  }
}

function addCred(kind = 'diploma') {
  const sel = h('select', { class: 'cred-kind', 'aria-label': t('signup.credential_kind') });
  for (const c of KINDS) sel.append(h('option', { value: c }, tEnum('credential', c)));
  sel.value = kind;
  $('#su-creds').append(h('div', { class: 'cred-row' }, sel,
    h('input', { class: 'cred-ref', type: 'text', maxlength: '80', placeholder: t('signup.credential_ref') }),
    h('input', { class: 'cred-exp', type: 'date', 'aria-label': t('signup.credential_exp') })));
}

async function sendCode(ev) {
  ev.preventDefault();
  $('#su-phone-error').textContent = '';
  const phone = $('#su-phone').value.trim();
  if (!phone) return;
  $('#su-send-code').disabled = true;
  try {
    await api('POST', '/signup/code', { body: { phone, lang: currentLang() } });
    state.phone = phone;
    $('#su-phone-status').className = 'status ok';
    $('#su-phone-status').textContent = t('signup.code_sent');
    $('#su-form').hidden = false;
    $('#su-code').focus();
  } catch (e) {
    $('#su-phone-error').textContent = fieldError(e);
  } finally {
    $('#su-send-code').disabled = false;
  }
}

let searchTimer = null;
function searchCommunes() {
  clearTimeout(searchTimer);
  const q = $('#su-commune').value.trim();
  if (q.length < 2 || /\(\d[\dAB]\d{3}\)$/.test(q)) return;
  searchTimer = setTimeout(async () => {
    try {
      const res = await api('GET', '/signup/communes', { params: { q, limit: 20 } });
      const list = clear($('#su-communes'));
      for (const c of res.items) {
        list.append(h('option', { value: `${c.name} (${c.insee})` }));
      }
    } catch { /* typing on: the next search says it */ }
  }, 200);
}

async function submit(ev) {
  ev.preventDefault();
  const err = $('#su-error');
  err.textContent = '';
  const commune = $('#su-commune').value.trim();
  const m = /\((\d[\dAB]\d{3})\)$/.exec(commune);
  if (!m) {
    err.textContent = t('signup.pick_commune');
    return;
  }
  const credentials = [...document.querySelectorAll('#su-creds .cred-row')].map((r) => {
    const c = { kind: r.querySelector('.cred-kind').value };
    const ref = r.querySelector('.cred-ref').value.trim();
    const exp = r.querySelector('.cred-exp').value;
    if (ref) c.reference = ref;
    if (exp) c.expires_on = exp;
    return c;
  });
  const body = {
    phone: state.phone, code: $('#su-code').value.trim(), consent: $('#su-consent').checked,
    first_name: $('#su-first').value.trim(), last_name: $('#su-last').value.trim(),
    profession: $('#su-profession').value, home_commune: m[1], travel_radius_km: Number($('#su-radius').value),
    sms_lang: currentLang(), credentials,
  };
  $('#su-submit').disabled = true;
  try {
    await api('POST', '/signup', { body });
    $('#su-form').hidden = true;
    $('#su-phone-form').hidden = true;
    $('#su-done').hidden = false;
  } catch (e) {
    err.textContent = fieldError(e);
  } finally {
    $('#su-submit').disabled = false;
  }
}

async function sendLink(ev) {
  ev.preventDefault();
  const phone = $('#su-link-phone').value.trim();
  if (!phone) return;
  try {
    await api('POST', '/signup/link', { body: { phone } });
    $('#su-link-status').className = 'status ok';
    $('#su-link-status').textContent = t('signup.lost_sent');
  } catch (e) {
    $('#su-link-status').className = 'status error';
    $('#su-link-status').textContent = fieldError(e);
  }
}

function main() {
  initFrame();
  renderProfessions();
  addCred('diploma');
  onLangChange(renderProfessions);
  $('#su-phone-form').addEventListener('submit', sendCode);
  $('#su-form').addEventListener('submit', submit);
  $('#su-link-form').addEventListener('submit', sendLink);
  $('#su-add-cred').addEventListener('click', () => addCred('other'));
  $('#su-commune').addEventListener('input', searchCommunes);
  document.body.dataset.ready = '1';
}

try {
  main();
} catch (e) {
  console.error(e);
  toast(errorText(e), 'error');
}
