// What calls a coordinator's attention when the feed is scrolled away or the tab is behind another:
// the count of new critical alerts in the page's title, an optional sound, and desktop
// notifications once the coordinator allows them. Alerts come from the page's own subscription,
// so only those of the coordinator's territory count. The count starts again when they look
// (the tab shown, focused, clicked or typed in).
import { t, itemName } from './i18n.js';
import { h } from './core.js';

const SOUND_KEY = 'renfort.attention.sound';
const NOTIFY_KEY = 'renfort.attention.notify';
const CRITICAL = new Set(['critical', 'stockout']);

function pref(key) {
  try { return localStorage.getItem(key) === '1'; } catch { return false; }
}

function setPref(key, on) {
  try { localStorage.setItem(key, on ? '1' : '0'); } catch { /* storage off: this page only */ }
}

export class Attention {
  constructor(toolbar) {
    this.count = 0;
    this.title = document.title;
    this.audio = null;
    const seen = () => this.reset();
    window.addEventListener('focus', seen);
    document.addEventListener('visibilitychange', () => { if (!document.hidden) seen(); });
    document.addEventListener('pointerdown', seen, true);
    document.addEventListener('keydown', seen, true);
    if (toolbar) this.renderTools(toolbar);
  }

  renderTools(box) {
    const sound = h('input', { type: 'checkbox', id: 'attn-sound' });
    sound.checked = pref(SOUND_KEY);
    sound.addEventListener('change', () => setPref(SOUND_KEY, sound.checked));
    const notify = h('button', { type: 'button', class: 'link', id: 'attn-notify' });
    const label = () => {
      const p = typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
      notify.textContent = p === 'granted' && pref(NOTIFY_KEY) ? t('attention.notify_on')
        : p === 'denied' || p === 'unsupported' ? t('attention.notify_blocked') : t('attention.notify_off');
      notify.disabled = p === 'denied' || p === 'unsupported';
      notify.setAttribute('aria-pressed', String(p === 'granted' && pref(NOTIFY_KEY)));
    };
    notify.addEventListener('click', async () => {
      if (typeof Notification === 'undefined') return;
      if (Notification.permission === 'granted' && pref(NOTIFY_KEY)) setPref(NOTIFY_KEY, false);
      else if ((await Notification.requestPermission()) === 'granted') setPref(NOTIFY_KEY, true);
      label();
    });
    label();
    box.append(h('label', { class: 'check' }, sound, ' ', t('attention.sound')), ' ', notify);
    this.relabel = label;
  }

  // An alert event (type "alert.opened", ...), with the alert as it was before it (or undefined).
  // New critical alerts, and alerts that just became critical, call for attention.
  alert(type, a, before) {
    const critical = CRITICAL.has(a.severity) && a.status === 'open';
    const became = type === 'alert.opened' ||
      (type === 'alert.updated' && (!before || !CRITICAL.has(before.severity) || before.status !== 'open'));
    if (!critical || !became) return;
    this.count++;
    this.showTitle();
    if (pref(SOUND_KEY)) this.beep();
    if (pref(NOTIFY_KEY) && typeof Notification !== 'undefined' && Notification.permission === 'granted') {
      const what = a.item ? itemName(a.item, a.item_name) : '';
      try {
        const n = new Notification(t(a.severity === 'stockout' ? 'attention.stockout' : 'attention.critical',
          { holder: a.holder_name || a.dep, item: what }), { body: `${a.holder_name || ''} (${a.dep}) ${what}`, tag: `renfort-alert-${a.id}` });
        n.onclick = () => window.focus();
      } catch { /* a browser that only notifies from a service worker */ }
    }
  }

  showTitle() {
    document.title = this.count ? `(${this.count}) ${this.title}` : this.title;
  }

  // The page's own title changed (its language): the badge stays in front of it.
  retitle(title) {
    this.title = title;
    this.showTitle();
  }

  reset() {
    if (!this.count) return;
    this.count = 0;
    this.showTitle();
  }

  beep() {
    try {
      this.audio = this.audio || new AudioContext();
      const osc = this.audio.createOscillator();
      const gain = this.audio.createGain();
      osc.frequency.value = 880;
      gain.gain.value = 0.15;
      osc.connect(gain).connect(this.audio.destination);
      osc.start();
      osc.stop(this.audio.currentTime + 0.25);
    } catch { /* no audio: the title and the notification still say it */ }
  }
}
