// A holder's stock history (stock.history, from the ledger): an item to choose and the level of
// that item over the last 14 days as a step line. On the structure's page (its own history) and
// in the dashboard's panel of a structure. Read from the server, so that a reload shows it again.
import { t, itemName, locale } from './i18n.js';
import { api, h, clear, errorText } from './core.js';
import { stepLine } from './charts.js';

const DAYS = 14;
const DAY = 86400000;

export class StockHistory {
  // box: where to draw; params(): the holder's parameters ({} for a structure's own token).
  constructor(box, { params }) {
    this.box = box;
    this.params = params;
    this.items = [];
    this.select = h('select', { id: 'history-item', 'aria-label': t('history.item') });
    this.chart = h('div', { class: 'history-chart', id: 'history-chart' });
    this.status = h('p', { class: 'muted', role: 'status' });
    this.select.addEventListener('change', () => this.load());
    clear(box).append(h('h2', { id: 'history-h' }, t('history.title')),
      h('label', {}, h('span', {}, `${t('history.item')} `), this.select), this.chart, this.status);
  }

  setItems(items) {
    const value = this.select.value;
    this.items = items.slice().sort((a, b) => itemName(a.code, a.name).localeCompare(itemName(b.code, b.name), locale()));
    clear(this.select);
    for (const i of this.items) this.select.append(h('option', { value: i.code }, itemName(i.code, i.name)));
    if (this.items.some((i) => i.code === value)) this.select.value = value;
    if (this.select.value && this.select.value !== this.loaded) this.load();
  }

  async load() {
    const item = this.select.value;
    if (!item) return;
    this.loaded = item;
    try {
      const res = await api('GET', '/stock/history', { params: { ...this.params(), item, days: DAYS, limit: 1000 } });
      const points = res.items.map((r) => ({ t: Date.parse(r.at), v: r.quantity }));
      const end = Date.now();
      const name = itemName(item, (this.items.find((i) => i.code === item) || {}).name);
      stepLine(this.chart, {
        points,
        t0: points.length ? Math.min(points[0].t, end - DAY) : end - DAYS * DAY,
        t1: end,
        fmtTick: (ms) => new Intl.DateTimeFormat(locale(), { day: '2-digit', month: '2-digit', timeZone: 'Europe/Paris' }).format(new Date(ms)),
        title: t('history.chart', { item: name, days: DAYS }),
        empty: t('history.empty'),
      });
      this.chart.dataset.points = String(points.length);
      this.status.textContent = '';
    } catch (e) {
      this.status.textContent = errorText(e);
    }
  }
}
