// A structure's staff requests on its page: the form that asks for people (one shift: a day, from
// and to, a night shift ending the next morning), and its requests with their progress and who is
// coming (names and phones once they accepted), kept live by the "deployment." events of its topic.
import { t, tEnum, locale } from './i18n.js';
import { api, apiAll, h, clear, $, flash, errorText, toast, newKey, ApiError, NetworkError } from './core.js';
import { PROFESSIONS, shiftText, progress, statusBadge, callCounts, professionsText } from './deploy_view.js';

function nextDay(date) {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

export class StaffRequests {
  constructor() {
    this.requests = new Map();
    this.pending = null; // {key, body} of a submission not confirmed yet (a retry sends the same key)
    this.timer = null;
    $('#staff-form').addEventListener('submit', (ev) => this.submit(ev));
    $('#staff-requests').addEventListener('click', (ev) => this.onClick(ev));
    const tomorrow = new Date(Date.now() + 86400000).toISOString().slice(0, 10);
    $('#staff-date').value = tomorrow;
    $('#staff-start').value = '07:00';
    $('#staff-end').value = '19:00';
  }

  renderForm() {
    const sel = $('#staff-profession');
    const keep = sel.value;
    clear(sel);
    for (const p of PROFESSIONS) sel.append(h('option', { value: p }, tEnum('profession', p)));
    sel.value = keep || 'nurse';
    const urg = $('#staff-urgency');
    const keepU = urg.value;
    clear(urg);
    for (const u of ['planned', 'today', 'immediate']) urg.append(h('option', { value: u }, tEnum('urgency', u)));
    urg.value = keepU || 'today';
  }

  async load() {
    try {
      const rows = await apiAll('/deployments/requests');
      this.requests = new Map(rows.map((r) => [r.id, r]));
      // who is coming: the details of the requests still open or filled
      await Promise.all(rows.filter((r) => r.status !== 'cancelled' && r.status !== 'expired').map((r) => this.reload(r.id)));
    } catch (e) {
      toast(`${t('error.load')}: ${errorText(e)}`, 'error');
    }
    this.render();
  }

  async reload(id) {
    try {
      this.requests.set(id, await api('GET', `/deployments/requests/${id}`));
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) this.requests.delete(id);
    }
  }

  applyEvent(ev) {
    const d = ev.data || {};
    const id = ev.event.startsWith('deployment.request') ? d.id : d.request_id;
    if (!id) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.reload(id).then(() => {
      this.render();
      const row = document.querySelector(`#staff-requests [data-request="${id}"]`);
      if (row) flash(row);
    }), 200);
  }

  render() {
    const list = clear($('#staff-requests'));
    const rows = [...this.requests.values()].sort((a, b) => b.id - a.id);
    if (!rows.length) {
      list.append(h('li', { class: 'empty' }, t('staffreq.none')));
      return;
    }
    for (const r of rows) {
      const li = h('li', { class: 'request', dataset: { request: String(r.id), status: r.status } },
        h('div', { class: 'request-head' }, progress(r.filled, r.count), ' ', h('strong', {}, professionsText(r)), ' ',
          statusBadge(r.status)),
        h('div', {}, r.shifts.map((s) => shiftText(s, locale())).join(', ')),
        h('div', { class: 'muted small-print' }, callCounts(r.calls)));
      if (r.people && r.people.length) {
        li.append(h('ul', { class: 'people' }, r.people.map((p) => h('li', { class: 'person' },
          h('strong', {}, `${p.first_name} ${p.last_name}`), ' · ', h('a', { href: `tel:${p.phone}` }, p.phone)))));
      }
      if (r.status === 'open' || r.status === 'filling') {
        li.append(h('button', { type: 'button', class: 'small danger', dataset: { cancel: String(r.id) } }, t('deploy.cancel')));
      }
      list.append(li);
    }
  }

  readForm() {
    const date = $('#staff-date').value;
    const start = $('#staff-start').value;
    const end = $('#staff-end').value;
    const count = Number($('#staff-count').value);
    if (!date || !start || !end) return { error: t('staffreq.bad_shift') };
    if (!Number.isInteger(count) || count < 1 || count > 50) return { error: t('staffreq.bad_count') };
    // a night shift ends the next morning
    const endDate = end <= start ? nextDay(date) : date;
    const body = {
      professions: [$('#staff-profession').value], count, urgency: $('#staff-urgency').value,
      shifts: [{ start: `${date}T${start}`, end: `${endDate}T${end}` }],
    };
    const address = $('#staff-address').value.trim();
    const notes = $('#staff-notes').value.trim();
    if (address) body.address = address;
    if (notes) body.notes = notes;
    return { body };
  }

  async submit(ev) {
    ev.preventDefault();
    const status = $('#staff-status');
    $('#staff-error').textContent = '';
    const { body, error } = this.readForm();
    if (error) {
      $('#staff-error').textContent = error;
      return;
    }
    const same = this.pending && JSON.stringify(this.pending.body) === JSON.stringify(body);
    const key = same ? this.pending.key : newKey('staff');
    this.pending = { key, body };
    $('#staff-submit').disabled = true;
    status.className = 'status';
    status.textContent = t('staffreq.sending');
    try {
      const r = await api('POST', '/deployments/requests', { body, key });
      this.pending = null;
      this.requests.set(r.id, r);
      this.render();
      status.className = 'status ok';
      status.textContent = t('staffreq.sent', { n: r.calls.called });
    } catch (e) {
      status.className = 'status error';
      if (e instanceof NetworkError) status.textContent = t('vol.unconfirmed');
      else {
        this.pending = null;
        status.textContent = e instanceof ApiError && e.field ? `${e.field} : ${e.rule}` : errorText(e);
      }
    } finally {
      $('#staff-submit').disabled = false;
    }
  }

  async onClick(ev) {
    const b = ev.target.closest('button[data-cancel]');
    if (!b) return;
    const id = Number(b.dataset.cancel);
    if (!window.confirm(t('deploy.cancel_confirm'))) return;
    b.disabled = true;
    try {
      this.requests.set(id, await api('POST', `/deployments/requests/${id}/cancel`, { body: {}, key: newKey(`cancel-${id}`) }));
      this.render();
    } catch (e) {
      toast(errorText(e), 'error');
      b.disabled = false;
    }
  }
}
