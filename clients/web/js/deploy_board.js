// The dashboard's requests board: the staff requests of the coordinator's territory, live (the
// "deployment." events), with their progress, waves, calls, replies (free text included) and
// escalations; coordinators can call the next wave now or cancel a request. Observers see counts.
import { t, tEnum, locale } from './i18n.js';
import { api, apiAll, h, clear, $, flash, fmtTime, errorText, toast, newKey } from './core.js';
import { shiftText, progress, statusBadge, callCounts, professionsText } from './deploy_view.js';

export class RequestsBoard {
  constructor(root, { canAct, coordinator }) {
    this.root = root;
    this.canAct = canAct;
    this.coordinator = coordinator;
    this.requests = new Map(); // id -> request as the server gives it
    this.open = new Set(); // ids whose calls are shown
    this.timers = new Map();
    this.showClosed = false;
    root.addEventListener('click', (ev) => this.onClick(ev));
  }

  async load() {
    try {
      const rows = await apiAll('/deployments/requests', { status: this.showClosed ? undefined : 'active' });
      this.requests = new Map(rows.map((r) => [r.id, r]));
      // the details of those shown open (calls and replies are in the single read)
      await Promise.all([...this.open].map((id) => this.reload(id)));
    } catch (e) {
      toast(`${t('error.load')}: ${errorText(e)}`, 'error');
    }
    this.render();
  }

  async reload(id) {
    try {
      const r = await api('GET', `/deployments/requests/${id}`);
      this.requests.set(id, r);
    } catch (e) {
      if (e.status === 404) this.requests.delete(id);
    }
  }

  // A deployment event: the request it is about is read again (once per burst of events).
  applyEvent(ev) {
    const d = ev.data || {};
    const id = ev.event.startsWith('deployment.request') ? d.id : d.request_id;
    if (!id) return;
    if (ev.event === 'deployment.requested' || ev.event === 'deployment.request_updated') {
      const cur = this.requests.get(id);
      if (cur) Object.assign(cur, { status: d.status, filled: d.filled, wave: d.wave });
      else this.requests.set(id, { id, structure_id: d.structure_id, status: d.status, count: d.count, filled: d.filled,
        wave: d.wave, urgency: d.urgency, professions: [], shifts: [], calls: { called: d.called, open: d.open_calls } });
    }
    clearTimeout(this.timers.get(id));
    this.timers.set(id, setTimeout(() => {
      this.timers.delete(id);
      this.reload(id).then(() => {
        this.render();
        const row = this.root.querySelector(`[data-request="${id}"]`);
        if (row) flash(row);
      });
    }, 250));
    if (ev.event === 'deployment.escalated') toast(t('deploy.escalated_toast', { id }), 'error');
  }

  // What was loaded (the active ones, or all) and what arrived since: a request that fills under the
  // coordinator's eyes stays until the next reload.
  visible() {
    return [...this.requests.values()]
      .sort((a, b) => (a.deadline || '').localeCompare(b.deadline || '') || a.id - b.id);
  }

  render() {
    const box = clear(this.root);
    const head = h('div', { class: 'filters' },
      h('label', { class: 'check' }, h('input', { type: 'checkbox', id: 'deploy-closed', checked: this.showClosed }),
        ` ${t('deploy.show_closed')}`));
    box.append(head);
    head.querySelector('input').addEventListener('change', (ev) => {
      this.showClosed = ev.target.checked;
      this.load();
    });
    const rows = this.visible();
    $('#deploy-count').textContent = rows.length ? `(${rows.length})` : '';
    if (!rows.length) {
      box.append(h('p', { class: 'empty', id: 'deploy-empty' }, t('deploy.none')));
      return;
    }
    const list = h('ol', { class: 'request-list', id: 'requests' });
    for (const r of rows) list.append(this.item(r));
    box.append(list);
  }

  item(r) {
    const li = h('li', { class: `request urgency-${r.urgency || 'planned'}`, dataset: { request: String(r.id), status: r.status } });
    li.append(h('div', { class: 'request-head' },
      h('strong', {}, r.structure_name || `#${r.structure_id}`),
      r.commune_name ? h('span', { class: 'muted' }, ` · ${r.commune_name}`) : null,
      ' ', statusBadge(r.status),
      r.escalated_at && r.status !== 'filled' ? h('span', { class: 'badge sev-critical' }, t('deploy.escalated')) : null,
      r.urgency === 'immediate' ? h('span', { class: 'badge sev-stockout' }, tEnum('urgency', r.urgency)) : null));
    li.append(h('div', { class: 'request-line' },
      progress(r.filled || 0, r.count || 0), ' ',
      h('span', {}, professionsText(r)), ' · ',
      h('span', {}, (r.shifts || []).map((s) => shiftText(s, locale())).join(', ')),
      r.wave ? h('span', { class: 'muted' }, ` · ${t('deploy.wave', { n: r.wave })}`) : null));
    if (r.calls) li.append(h('div', { class: 'muted small-print request-counts' }, callCounts(r.calls)));
    const actions = h('div', { class: 'actions' });
    if (this.coordinator) {
      actions.append(h('button', { type: 'button', class: 'small', dataset: { act: 'details', id: String(r.id) } },
        this.open.has(r.id) ? t('deploy.hide') : t('deploy.details')));
    }
    if (this.canAct && (r.status === 'open' || r.status === 'filling')) {
      actions.append(h('button', { type: 'button', class: 'small', dataset: { act: 'wave', id: String(r.id) } }, t('deploy.call_now')),
        h('button', { type: 'button', class: 'small danger', dataset: { act: 'cancel', id: String(r.id) } }, t('deploy.cancel')));
    }
    if (actions.childNodes.length) li.append(actions);
    if (this.open.has(r.id) && r.call_list) li.append(this.details(r));
    return li;
  }

  details(r) {
    const box = h('div', { class: 'request-details' });
    if (r.people && r.people.length) {
      box.append(h('h4', {}, t('deploy.coming')),
        h('ul', { class: 'people' }, r.people.map((p) => h('li', {}, `${p.first_name || ''} ${p.last_name || ''} · ${p.phone || ''}`))));
    }
    const table = h('table', { class: 'data compact calls' },
      h('thead', {}, h('tr', {}, ['deploy.col.who', 'deploy.col.wave', 'deploy.col.code', 'deploy.col.status', 'deploy.col.km']
        .map((k) => h('th', {}, t(k))))),
      h('tbody', {}, r.call_list.map((c) => h('tr', { dataset: { call: String(c.id) } },
        h('td', {}, c.first_name ? `${c.first_name} ${c.last_name}` : `#${c.volunteer_id} (${c.volunteer_dep})`),
        h('td', { class: 'num' }, String(c.wave)),
        h('td', {}, c.code),
        h('td', {}, tEnum('call_status', c.status)),
        h('td', { class: 'num' }, String(c.distance_km))))));
    box.append(h('h4', {}, t('deploy.calls')), table);
    if (r.replies && r.replies.length) {
      box.append(h('h4', {}, t('deploy.replies')), h('ul', { class: 'replies' }, r.replies.map((x) => h('li', {},
        h('span', { class: 'muted' }, `${fmtTime(x.at)} #${x.volunteer_id} `),
        x.text ? h('q', {}, x.text) : h('em', {}, tEnum('reply_source', x.source)),
        ` → ${tEnum('reply_result', x.result, x.result)}`))));
    }
    return box;
  }

  async onClick(ev) {
    const b = ev.target.closest('button[data-act]');
    if (!b) return;
    const id = Number(b.dataset.id);
    if (b.dataset.act === 'details') {
      if (this.open.has(id)) this.open.delete(id);
      else {
        this.open.add(id);
        await this.reload(id);
      }
      this.render();
      return;
    }
    b.disabled = true;
    try {
      if (b.dataset.act === 'wave') {
        this.requests.set(id, await api('POST', `/deployments/requests/${id}/waves`, { body: {}, key: newKey(`wave-${id}`) }));
        toast(t('deploy.wave_sent'));
      } else if (b.dataset.act === 'cancel') {
        if (!window.confirm(t('deploy.cancel_confirm'))) return;
        this.requests.set(id, await api('POST', `/deployments/requests/${id}/cancel`, { body: {}, key: newKey(`cancel-${id}`) }));
      }
    } catch (e) {
      toast(errorText(e), 'error');
    } finally {
      b.disabled = false;
      this.render();
    }
  }
}

// Volunteers who signed up on the public page and wait for a coordinator to check their
// credentials (status "pending"): validated here, they can be called.
export class PendingVolunteers {
  constructor(root) {
    this.root = root;
    this.rows = [];
    root.addEventListener('click', (ev) => this.onClick(ev));
  }

  async load() {
    try {
      this.rows = await apiAll('/volunteers', { status: 'pending' });
    } catch (e) {
      toast(`${t('error.load')}: ${errorText(e)}`, 'error');
    }
    this.render();
  }

  applyEvent(ev) {
    if (ev.event === 'volunteer.created' && ev.data && ev.data.status === 'pending') this.load();
    else if (ev.event === 'volunteer.updated' && this.rows.some((r) => r.id === ev.entity_id)) this.load();
  }

  render() {
    const box = clear(this.root);
    if (!this.rows.length) {
      box.append(h('li', { class: 'empty' }, t('pending.none')));
      return;
    }
    for (const v of this.rows) {
      box.append(h('li', { class: 'pending', dataset: { volunteer: String(v.id) } },
        h('strong', {}, `${v.first_name} ${v.last_name}`), ` · ${tEnum('profession', v.profession)} · ${v.dep}`,
        h('div', { class: 'muted small-print' }, v.credentials.map((c) => [tEnum('credential', c.kind), c.reference,
          c.expires_on].filter(Boolean).join(' ')).join(' ; ') || t('vol.no_credentials')),
        h('button', { type: 'button', class: 'small', dataset: { validate: String(v.id) } }, t('pending.validate'))));
    }
  }

  async onClick(ev) {
    const b = ev.target.closest('button[data-validate]');
    if (!b) return;
    const id = Number(b.dataset.validate);
    b.disabled = true;
    try {
      await api('PATCH', `/volunteers/${id}`, { body: { status: 'active' }, key: newKey(`validate-${id}`) });
      toast(t('pending.validated'));
      await this.load();
    } catch (e) {
      toast(errorText(e), 'error');
      b.disabled = false;
    }
  }
}
