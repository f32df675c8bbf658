// A volunteer's deployment calls on their page: the open ones to answer (accept, decline) and their
// assignments (where, when, whom to call; withdraw), kept live by the "deployment." events of their
// topic; their availability windows (away from ... to ..., available only on ...) and the notices of
// credentials that expire soon.
import { t, tEnum, locale } from './i18n.js';
import { api, h, clear, $, flash, fmtDate, errorText, toast, newKey, ApiError } from './core.js';
import { shiftText } from './deploy_view.js';

export class VolunteerCalls {
  constructor(id) {
    this.id = id;
    this.calls = [];
    this.windows = [];
    this.notices = [];
    this.timer = null;
    $('#calls').addEventListener('click', (ev) => this.onCall(ev));
    $('#windows').addEventListener('click', (ev) => this.onWindow(ev));
    $('#window-form').addEventListener('submit', (ev) => this.addWindow(ev));
  }

  async load() {
    try {
      const [calls, windows, notices] = await Promise.all([
        api('GET', '/deployments/calls'),
        api('GET', `/volunteers/${this.id}/availability`),
        api('GET', '/credentials/expiring'),
      ]);
      this.calls = calls.items;
      this.windows = windows.windows;
      this.notices = notices.items;
    } catch (e) {
      toast(`${t('error.load')}: ${errorText(e)}`, 'error');
    }
    this.render();
  }

  applyEvent(ev) {
    if (!ev.event.startsWith('deployment.') && ev.event !== 'volunteer.updated') return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.load().then(() => {
      const d = ev.data || {};
      const row = document.querySelector(`#calls [data-call="${d.id || d.call_id}"]`);
      if (row) flash(row);
    }), 150);
  }

  render() {
    const list = clear($('#calls'));
    $('#calls-empty').hidden = this.calls.length > 0;
    for (const c of this.calls) {
      const accepted = c.status === 'accepted';
      const li = h('li', { class: `call call-${c.status}`, dataset: { call: String(c.id), status: c.status } },
        h('div', { class: 'call-head' }, h('strong', {}, c.structure_name), ` · ${c.commune_name}`,
          c.urgency === 'immediate' ? h('span', { class: 'badge sev-stockout' }, tEnum('urgency', c.urgency)) : null),
        h('div', {}, c.shifts.map((s) => shiftText(s, locale())).join(', ')),
        h('div', { class: 'muted' }, t('calls.code', { code: c.code })));
      if (c.notes) li.append(h('p', { class: 'notes' }, c.notes));
      if (accepted) {
        li.append(h('p', { class: 'status ok' }, t('calls.coming')),
          c.address ? h('p', {}, t('calls.address', { a: c.address })) : null,
          c.contact_phone ? h('p', {}, t('calls.contact'), ' ', h('a', { href: `tel:${c.contact_phone}` }, c.contact_phone)) : null,
          h('button', { type: 'button', class: 'danger', dataset: { answer: 'withdraw', id: String(c.id) } }, t('calls.withdraw')));
      } else {
        li.append(h('div', { class: 'actions' },
          h('button', { type: 'button', class: 'primary big', dataset: { answer: 'accept', id: String(c.id) } }, t('calls.accept')),
          h('button', { type: 'button', class: 'big', dataset: { answer: 'decline', id: String(c.id) } }, t('calls.decline'))));
      }
      list.append(li);
    }
    const wl = clear($('#windows'));
    for (const w of this.windows) {
      wl.append(h('li', { dataset: { window: String(w.id) } },
        h('strong', {}, tEnum('window_kind', w.kind)), ' ',
        w.end ? t('windows.range', { a: shiftDay(w.start), b: shiftDay(w.end) }) : t('windows.from', { a: shiftDay(w.start) }), ' ',
        h('button', { type: 'button', class: 'small', dataset: { remove: String(w.id) } }, t('windows.remove'))));
    }
    $('#windows-empty').hidden = this.windows.length > 0;
    const n = $('#cred-notices');
    n.hidden = !this.notices.length;
    clear(n);
    for (const x of this.notices) {
      n.append(h('div', {}, t(x.expired ? 'notice.expired' : 'notice.expires',
        { c: tEnum('credential', x.kind), d: fmtDate(x.expires_on) })));
    }
  }

  async onCall(ev) {
    const b = ev.target.closest('button[data-answer]');
    if (!b) return;
    const id = Number(b.dataset.id);
    if (b.dataset.answer === 'withdraw' && !window.confirm(t('calls.withdraw_confirm'))) return;
    b.disabled = true;
    try {
      const r = await api('POST', `/deployments/calls/${id}/answer`, { body: { answer: b.dataset.answer }, key: newKey(`answer-${id}`) });
      toast(t(`calls.result.${r.result.replace(/ /g, '_')}`));
      await this.load();
    } catch (e) {
      toast(errorText(e), 'error');
      b.disabled = false;
    }
  }

  async onWindow(ev) {
    const b = ev.target.closest('button[data-remove]');
    if (!b) return;
    b.disabled = true;
    try {
      await api('DELETE', `/volunteers/${this.id}/availability/${b.dataset.remove}`, { key: newKey('window-del') });
      await this.load();
    } catch (e) {
      toast(errorText(e), 'error');
      b.disabled = false;
    }
  }

  async addWindow(ev) {
    ev.preventDefault();
    const err = $('#window-error');
    err.textContent = '';
    const body = { kind: $('#window-kind').value, start: $('#window-start').value };
    const end = $('#window-end').value;
    if (end) body.end = end;
    if (!body.start) delete body.start;
    try {
      await api('POST', `/volunteers/${this.id}/availability`, { body, key: newKey('window') });
      $('#window-form').reset();
      await this.load();
    } catch (e) {
      err.textContent = e instanceof ApiError && e.field ? `${e.field} : ${e.rule}` : errorText(e);
    }
  }
}

function shiftDay(iso) {
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Paris' })
    .format(new Date(iso));
}
