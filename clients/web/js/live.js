// The websocket: subscribe to topics, receive events, reconnect with backoff and resume with
// "since" (the seq of the last event received), so that nothing is lost across a network cut.
//
//   const live = new Live({token, topics, onEvent, onSync, onState});
//   live.start();
//
// onSync(kind, seq) is called after each successful subscribe: kind 'initial' (first connection),
// 'reload' (the server no longer holds what was missed: reload the data by HTTP) or 'resumed'
// (the missed events are being replayed: nothing to do). Events received while the page reloads
// its data are the page's to buffer (see Buffer below).
export class Live {
  constructor({ token, topics, onEvent, onSync, onState, onFailing }) {
    this.token = token;
    this.topics = topics;
    this.onEvent = onEvent;
    this.onSync = onSync || (() => {});
    this.onState = onState || (() => {});
    // called after every third failed connection: the page checks its token by HTTP (a revoked
    // token is refused at the websocket upgrade, which the browser does not let us see)
    this.onFailing = onFailing || (() => {});
    this.lastSeq = null; // null: never synchronised (or told to reload): subscribe without since
    this.ws = null;
    this.attempt = 0;
    this.nextId = 1;
    this.pending = new Map();
    this.stopped = false;
    this.retryTimer = null;
    this.pingTimer = null;
    this.synced = false;
    window.addEventListener('online', () => this.reconnectNow());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible' && !this.ws) this.reconnectNow();
    });
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    if (this.ws) this.ws.close(1000, 'page closed');
  }

  url() {
    const proto = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${proto}//${window.location.host}/ws?access_token=${encodeURIComponent(this.token)}`;
  }

  connect() {
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.stopped || this.ws) return;
    this.onState(this.attempt ? 'reconnecting' : 'connecting', { s: 0 });
    let ws;
    try {
      ws = new WebSocket(this.url());
    } catch {
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    ws.onopen = () => this.subscribe();
    ws.onmessage = (m) => this.receive(m.data);
    ws.onclose = (ev) => this.closed(ws, ev);
    ws.onerror = () => { /* onclose follows */ };
  }

  async subscribe() {
    const params = { topics: this.topics };
    if (this.lastSeq !== null) params.since = this.lastSeq;
    let res;
    try {
      res = await this.request('subscribe', params);
    } catch {
      return; // the connection closed; onclose retries
    }
    if (res.type === 'error') {
      this.onState('refused', { reason: res.error && res.error.message });
      this.stopped = true; // a refused subscription will be refused again: do not hammer
      this.ws.close(1000, 'subscription refused');
      return;
    }
    const d = res.data;
    const kind = this.lastSeq === null ? 'initial' : d.reload ? 'reload' : 'resumed';
    if (kind !== 'resumed') this.lastSeq = d.seq;
    this.attempt = 0;
    this.synced = true;
    this.onState('live', {});
    this.startPing();
    this.onSync(kind, d.seq);
  }

  // A request on the websocket; resolves with the answer (result or error message).
  request(type, params, data, key, timeoutMs = 10000) {
    return new Promise((resolve, reject) => {
      if (!this.ws || this.ws.readyState !== WebSocket.OPEN) {
        reject(new Error('not connected'));
        return;
      }
      const id = this.nextId++;
      const msg = { type, id };
      if (params) msg.params = params;
      if (data !== undefined) msg.data = data;
      if (key) msg.idempotency_key = key;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error('timeout'));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.ws.send(JSON.stringify(msg));
    });
  }

  receive(text) {
    let m;
    try {
      m = JSON.parse(text);
    } catch {
      return;
    }
    if (m.type === 'event') {
      if (typeof m.seq === 'number' && (this.lastSeq === null || m.seq > this.lastSeq)) this.lastSeq = m.seq;
      try {
        this.onEvent(m);
      } catch (e) {
        console.error('event handler failed', e);
      }
      return;
    }
    if (m.id !== undefined && this.pending.has(m.id)) {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      p.resolve(m);
    }
  }

  // A connection that answers nothing for long is dead even if TCP has not noticed yet: ask
  // something small every 25 s and give up on the connection when no answer comes in 10 s.
  startPing() {
    clearInterval(this.pingTimer);
    const ws = this.ws;
    this.pingTimer = setInterval(() => {
      if (this.ws !== ws) return;
      this.request('whoami', undefined, undefined, undefined, 10000).catch(() => {
        if (this.ws === ws) ws.close(4000, 'no answer');
      });
    }, 25000);
  }

  closed(ws, ev) {
    if (this.ws !== ws) return;
    this.ws = null;
    this.synced = false;
    clearInterval(this.pingTimer);
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error('closed'));
    }
    this.pending.clear();
    // "fell behind the event log: reload and subscribe again": since would be refused anyway
    if (ev && typeof ev.reason === 'string' && ev.reason.includes('reload')) this.lastSeq = null;
    if (this.stopped) return;
    this.scheduleRetry();
  }

  scheduleRetry() {
    // 0.5 s, 1 s, 2 s, ... up to 30 s, with +/-25% jitter so that a room of screens does not
    // reconnect all at once after a restart.
    const base = Math.min(30000, 500 * 2 ** this.attempt);
    const delay = Math.round(base * (0.75 + Math.random() * 0.5));
    this.attempt++;
    if (this.attempt % 3 === 0) this.onFailing();
    const until = Date.now() + delay;
    this.onState(this.attempt > 6 ? 'offline' : 'reconnecting', { s: Math.ceil(delay / 1000) });
    clearInterval(this.countdown);
    this.countdown = setInterval(() => {
      const left = Math.max(0, Math.ceil((until - Date.now()) / 1000));
      if (!this.ws) this.onState(this.attempt > 6 ? 'offline' : 'reconnecting', { s: left });
      if (left <= 0) clearInterval(this.countdown);
    }, 1000);
    this.retryTimer = setTimeout(() => {
      clearInterval(this.countdown);
      this.connect();
    }, delay);
  }

  reconnectNow() {
    if (this.stopped || this.ws) return;
    clearInterval(this.countdown);
    this.connect();
  }
}

// Events that arrive while the page loads its data by HTTP are held, then applied after the load,
// so that the snapshot never overwrites a newer event, and no event is lost.
export class Buffer {
  constructor(apply) {
    this.apply = apply;
    this.holding = 0;
    this.held = [];
  }

  hold() {
    this.holding++;
  }

  release() {
    this.holding = Math.max(0, this.holding - 1);
    if (this.holding) return;
    const held = this.held;
    this.held = [];
    for (const ev of held) this.apply(ev);
  }

  push(ev) {
    if (this.holding) this.held.push(ev);
    else this.apply(ev);
  }
}
