"""Helpers shared by the SMS integration tests (issue 4): a renfortd on a port chosen before it
starts (public_url must name it), outbox and inbox reading, waiting, the Twilio signature, events.
Not a test module."""

import base64
import hashlib
import hmac
import json
import random
import socket
import threading
import time
import urllib.parse
from datetime import datetime

import websocket

from harness import Server


def _ephemeral_range():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            lo, hi = map(int, f.read().split())
        return lo, hi
    except (OSError, ValueError):
        return 32768, 60999


def free_ports(n):
    """n distinct free TCP ports on 127.0.0.1, chosen outside the kernel's ephemeral range: a port
    that must be bound again later (Kannel restarted, renfortd restarted after a crash) could
    otherwise be taken meanwhile by an outgoing connection's local port."""
    lo, hi = _ephemeral_range()
    ranges = [r for r in ((10000, lo - 1), (hi + 1, 65535)) if r[1] - r[0] > 1000]
    rnd = random.SystemRandom()
    picked, socks = [], []
    try:
        for _ in range(2000):
            if len(picked) == n or not ranges:
                break
            a, b = rnd.choice(ranges)
            port = rnd.randint(a, b)
            if port in picked:
                continue
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                s.bind(("127.0.0.1", port))  # no SO_REUSEADDR: a port in TIME_WAIT is not free either
            except OSError:
                s.close()
                continue
            socks.append(s)
            picked.append(port)
        while len(picked) < n:  # no room outside the ephemeral range: any free port
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
            picked.append(s.getsockname()[1])
        return picked
    finally:
        for s in socks:
            s.close()


def free_port():
    return free_ports(1)[0]


def sms_server(settings=(), **kw):
    """A Server listening on a port fixed in advance, with public_url naming it. settings: a dict
    or (key, value) pairs given with --set. The harness's own --listen 127.0.0.1:0 comes first on
    the command line: the later --listen wins."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = ["--listen", f"127.0.0.1:{port}", "--set", f"public_url={url}"]
    items = settings.items() if isinstance(settings, dict) else settings
    for k, v in items:
        args += ["--set", f"{k}={v}"]
    srv = Server(extra_args=args, **kw)
    srv.public_url = url
    srv.fixed_port = port
    return srv


def settings_args(settings):
    out = []
    for k, v in (settings.items() if isinstance(settings, dict) else settings):
        out += ["--set", f"{k}={v}"]
    return out


def wait_until(fn, timeout, interval=0.1, what="condition"):
    """Calls fn until it returns something true; returns it. AssertionError after timeout."""
    deadline = time.time() + timeout
    last = None
    while True:
        last = fn()
        if last:
            return last
        if time.time() > deadline:
            raise AssertionError(f"{what}: not reached within {timeout} s (last: {str(last)[:2000]})")
        time.sleep(interval)


def iso_ms(text):
    """Milliseconds since the epoch of renfort's ISO times (2026-11-26T09:00:00.123Z)."""
    return int(datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z").timestamp() * 1000)


def api_ok(server, token, method, path, expect=200, **kw):
    st, body, _ = server.http(method, path, token, **kw)
    if st != expect:
        raise AssertionError(f"{method} {path}: {st} {body}")
    return body


def send_sms(server, token, to, text, key=None, lang=None):
    """POST /api/v1/sms/send; returns the outbox id."""
    body = {"to": to, "text": text}
    if lang:
        body["lang"] = lang
    headers = {"Idempotency-Key": key} if key else None
    st, out, _ = server.http("POST", "/api/v1/sms/send", token, body=body, headers=headers)
    if st != 201:
        raise AssertionError(f"sms send to {to}: {st} {out}")
    return out["id"]


def _list(server, token, path, filters):
    items, after = [], None
    while True:
        q = dict(filters)
        q["limit"] = 1000
        if after is not None:
            q["after"] = after
        st, body, _ = server.http("GET", path + "?" + urllib.parse.urlencode(q), token)
        if st != 200:
            raise AssertionError(f"GET {path} {q}: {st} {body}")
        page = body["items"]
        items += page
        if len(page) < 1000:
            return items
        after = page[-1]["id"]


def outbox(server, token, **filters):
    """Every outbox row the token sees (pages followed), in id order."""
    return _list(server, token, "/api/v1/sms/outbox", filters)


def outbox_row(server, token, row_id):
    st, body, _ = server.http("GET", f"/api/v1/sms/outbox?after={row_id - 1}&limit=1", token)
    if st != 200:
        raise AssertionError(f"outbox row {row_id}: {st} {body}")
    items = [r for r in body["items"] if r["id"] == row_id]
    if not items:
        raise AssertionError(f"outbox row {row_id} not listed: {body}")
    return items[0]


def outbox_rows(server, token, first_id, n):
    """Rows first_id .. first_id+n-1 (at most n rows from first_id on)."""
    st, body, _ = server.http("GET", f"/api/v1/sms/outbox?after={first_id - 1}&limit={n}", token)
    if st != 200:
        raise AssertionError(f"outbox rows from {first_id}: {st} {body}")
    return body["items"]


def wait_status(server, token, row_id, statuses, timeout=20):
    """Waits until outbox row row_id has one of statuses; returns the row."""
    if isinstance(statuses, str):
        statuses = (statuses,)
    last = {}

    def check():
        last["row"] = outbox_row(server, token, row_id)
        return last["row"] if last["row"]["status"] in statuses else None
    try:
        return wait_until(check, timeout, 0.1, f"outbox row {row_id} {'/'.join(statuses)}")
    except AssertionError:
        raise AssertionError(f"outbox row {row_id} never {statuses}: {last.get('row')}\n"
                             + server.stderr()[-3000:]) from None


def inbox(server, token, **filters):
    return _list(server, token, "/api/v1/sms/inbox", filters)


def inbox_find(items, phone=None, text=None):
    """Inbox items that mention phone (any field) and whose text is text (any field)."""
    out = []
    for it in items:
        vals = [v for v in it.values() if isinstance(v, str)]
        if phone is not None and not any(phone == v for v in vals):
            continue
        if text is not None and not any(text == v for v in vals):
            continue
        out.append(it)
    return out


def _bytes(x):
    return x if isinstance(x, bytes) else x.encode()


def twilio_signature(token, url, params):
    """X-Twilio-Signature: base64(HMAC-SHA1(auth token, URL + every POST parameter, sorted by
    name, written as name then value)). params: dict or (name, value) pairs; values are text or
    bytes (the signature is over the decoded bytes, as Twilio computes it over what it sends)."""
    items = params.items() if isinstance(params, dict) else params
    data = _bytes(url) + b"".join(_bytes(k) + _bytes(v) for k, v in sorted(items, key=lambda kv: _bytes(kv[0])))
    return base64.b64encode(hmac.new(token.encode(), data, hashlib.sha1).digest()).decode()


def twilio_post(server, token, path, pairs, signature=None, body=None,
                content_type="application/x-www-form-urlencoded", signed_url=None):
    """A form POST to a Twilio webhook of server, as Twilio makes it: pairs (name, text or bytes
    value) percent-encoded, signed with token over server.public_url + path (or signed_url)
    unless signature is given; body, when given, is sent instead of the encoded pairs (the
    signature is still over pairs). Returns server.http's (status, body, headers)."""
    if body is None:
        body = "&".join(k + "=" + urllib.parse.quote_from_bytes(_bytes(v)) for k, v in pairs)
    if signature is None:
        signature = twilio_signature(token, signed_url or server.public_url + path, pairs)
    return server.http("POST", path, headers={"X-Twilio-Signature": signature}, raw=body, content_type=content_type)


class EventLog:
    """A websocket subscribed to topics, read in a thread: every event kept with its arrival time."""

    def __init__(self, server, token, topics=("sms",)):
        self.ws = server.ws(token)
        r = self.ws.request("subscribe", params={"topics": list(topics)})
        if r.get("status") != 200:
            raise AssertionError(f"subscribe {topics}: {r}")
        self.events = []
        self.lock = threading.Lock()
        self.stop_flag = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        for ev in self.ws.events:
            self.events.append((time.time(), ev))
        self.ws.events = []
        while not self.stop_flag:
            try:
                m = self.ws.recv(timeout=0.5)
            except websocket.WebSocketTimeoutException:
                continue
            except Exception:
                return
            if m.get("type") == "event":
                with self.lock:
                    self.events.append((time.time(), m))

    def of(self, name, row_id=None):
        with self.lock:
            evs = [e for _, e in self.events if e.get("event") == name]
        if row_id is not None:
            evs = [e for e in evs if isinstance(e.get("data"), dict) and e["data"].get("id") == row_id]
        return evs

    def wait(self, name, row_id=None, timeout=10):
        return wait_until(lambda: self.of(name, row_id), timeout, 0.05, f"event {name} {row_id or ''}")[0]

    def close(self):
        self.stop_flag = True
        self.thread.join(timeout=5)
        self.ws.close()


def dump(obj):
    return json.dumps(obj, ensure_ascii=False, indent=1)[:4000]
