"""Kannel for the integration tests: a real bearerbox, smsbox and fakesmsc (Debian `kannel`,
`kannel-extras`) on free loopback ports, with a generated configuration in a temporary directory.
Not a test module.

    k = Kannel(inbound_url="http://127.0.0.1:PORT/sms/kannel/inbound", secret="s")
    k.start()                      # bearerbox, smsbox, fakesmsc; returns when all three are ready
    k.renfortd_settings()          # the --set arguments that point renfortd at this Kannel
    k.mo("+33639980001", "STOP")   # an SMS from a phone, typed into fakesmsc
    k.wait_for(lambda m: ..., 10)  # an SMS that reached the fake SMSC, decoded
    k.stop_boxes(); k.start_boxes()  # a gateway outage
    k.stop()                       # everything, by PID; also called at exit

What fakesmsc shows of a message sent to it (its stderr, "Got message N: <sender receiver ...>"),
as observed with Kannel 1.4.5:
- `text <raw>`: coding=0 (GSM 7-bit): the text as UTF-8 bytes, unescaped; characters outside the
  GSM alphabet already turned into `?` by Kannel;
- `ucs-2 <url-encoded UTF-16-BE bytes>`: coding=2;
- `data <url-encoded bytes>`: 8-bit;
- `udh <url-encoded UDH> data <url-encoded bytes>`: one part of a concatenated message, whatever its
  coding (UTF-8 bytes for coding=0, UTF-16-BE for coding=2): the parts are put back together here
  with the concatenation reference of the UDH, then decoded.
fakesmsc exits when bearerbox goes away: start_boxes() starts a new one."""

import atexit
import ctypes
import http.client
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse
import weakref

from sms_support import free_ports

BEARERBOX = os.environ.get("BEARERBOX") or shutil.which("bearerbox") or "/usr/sbin/bearerbox"
SMSBOX = os.environ.get("SMSBOX") or shutil.which("smsbox") or "/usr/sbin/smsbox"


def _find_fakesmsc():
    if os.environ.get("FAKESMSC"):
        return os.environ["FAKESMSC"]
    try:
        out = subprocess.run(["dpkg", "-L", "kannel-extras"], capture_output=True, text=True, timeout=30).stdout
        for line in out.splitlines():
            if line.endswith("/fakesmsc"):
                return line
    except (OSError, subprocess.TimeoutExpired):
        pass
    return "/usr/lib/kannel/test/fakesmsc"


FAKESMSC = _find_fakesmsc()


def missing():
    """What is missing to run Kannel here (None when all is there)."""
    for path in (BEARERBOX, SMSBOX, FAKESMSC):
        if not os.access(path, os.X_OK):
            return f"{path} not found: apt-get install kannel kannel-extras (deploy/install-deps.sh --test)"
    return None


_libc = None


def _die_with_parent():
    """preexec_fn: the child gets SIGKILL if the test process dies without cleaning up (a ctest
    timeout), so no Kannel outlives its test. Only used for children started from the main thread
    (PR_SET_PDEATHSIG fires when the *thread* that forked ends)."""
    if _libc is not None:
        _libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


try:
    _libc = ctypes.CDLL("libc.so.6", use_errno=True)
except OSError:  # pragma: no cover
    _libc = None

_LOG_START = re.compile(rb"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[\d+\] \[\d+\] [A-Z]+: ")
_GOT = re.compile(rb"Got message (\d+): <(.*)>\s*$", re.S)


def _urldecode(s):
    """Kannel's octstr_url_encode: '+' for a space, %XX for the rest."""
    if isinstance(s, bytes):
        s = s.decode("latin-1")
    return urllib.parse.unquote_to_bytes(s.replace("+", " "))


def _decode(data, coding):
    if coding == "ucs2":
        return data.decode("utf-16-be", errors="replace")
    return data.decode("utf-8", errors="replace")


def _guess_coding(data):
    """Coding of a concatenated message (fakesmsc does not say): UCS-2 text has NUL high bytes
    (French, English: nearly every character is below U+0100), UTF-8 text never has NULs."""
    return "ucs2" if len(data) % 2 == 0 and b"\x00" in data else "gsm"


def _concat_info(udh):
    """(reference, total, sequence) of a concatenation UDH, or None."""
    if not udh:
        return None
    i, end = 1, min(len(udh), 1 + udh[0])
    while i + 1 < end:
        iei, ln = udh[i], udh[i + 1]
        val = udh[i + 2:i + 2 + ln]
        if iei == 0x00 and ln == 3:
            return val[0], val[1], val[2]
        if iei == 0x08 and ln == 4:
            return (val[0] << 8) | val[1], val[2], val[3]
        i += 2 + ln
    return None


class Received:
    """One message fakesmsc received (the parts of a concatenated message put together)."""

    def __init__(self, n, at, sender, receiver, coding, text, parts=1, raw=None):
        self.n, self.at, self.sender, self.receiver = n, at, sender, receiver
        self.coding, self.text, self.parts, self.raw = coding, text, parts, raw

    def __repr__(self):
        return f"Received(#{self.n} {self.sender}->{self.receiver} {self.coding} x{self.parts} {self.text!r})"


class Kannel:
    """bearerbox + smsbox + fakesmsc on loopback. See the module's docstring."""

    def __init__(self, inbound_url, secret, sender="38100", username="reserve", password="s3cret-pw",
                 max_messages=10, workdir=None, log_level=1):
        problem = missing()
        if problem:
            raise AssertionError(problem)
        self.inbound_url = inbound_url
        self.secret = secret
        self.sender = sender
        self.username, self.password = username, password
        self.tmp = workdir or tempfile.mkdtemp(prefix="renfort-kannel-")
        self.own_tmp = workdir is None
        (self.admin_port, self.smsbox_port, self.smsc_port, self.sendsms_port) = free_ports(4)
        self.admin_password = "adminpw"
        self.status_password = "statuspw"
        self.conf = os.path.join(self.tmp, "kannel.conf")
        self.max_messages = max_messages
        self.log_level = log_level
        self.bearerbox = self.smsbox = self.fakesmsc = None
        self._fk_reader = None
        self._lock = threading.Lock()
        self._received = []     # Received, in arrival order, across fakesmsc restarts
        self._parts = {}        # (sender, receiver, ref, total) -> {seq: bytes}
        self._raw_lines = []    # every "Got message" payload, as bytes
        self._last_mo = 0.0
        self._write_conf()
        _live.add(self)

    # --- configuration -------------------------------------------------------------------------
    def _write_conf(self):
        q = "&".join(["secret=" + urllib.parse.quote(self.secret, safe=""),
                      "from=%p", "to=%P", "text=%a", "id=%I", "ts=%T"])
        get_url = self.inbound_url + ("&" if "?" in self.inbound_url else "?") + q
        t = self.tmp
        conf = f"""group = core
admin-port = {self.admin_port}
admin-interface = 127.0.0.1
admin-password = {self.admin_password}
status-password = {self.status_password}
admin-allow-ip = "127.0.0.1"
smsbox-port = {self.smsbox_port}
smsbox-interface = 127.0.0.1
box-allow-ip = "127.0.0.1"
log-file = "{t}/bearerbox.log"
log-level = {self.log_level}
access-log = "{t}/access.log"
dlr-storage = internal

group = smsc
smsc = fake
smsc-id = fake1
port = {self.smsc_port}
our-host = 127.0.0.1
connect-allow-ip = "127.0.0.1"

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {self.smsbox_port}
sendsms-port = {self.sendsms_port}
sendsms-interface = 127.0.0.1
log-file = "{t}/smsbox.log"
log-level = {self.log_level}
access-log = "{t}/smsbox-access.log"
mo-recode = true

group = sendsms-user
username = {self.username}
password = {self.password}
max-messages = {self.max_messages}
concatenation = true

group = sms-service
keyword = default
catch-all = true
get-url = "{get_url}"
omit-empty = true
max-messages = 1
"""
        with open(self.conf, "w") as f:
            f.write(conf)

    @property
    def sendsms_url(self):
        return f"http://127.0.0.1:{self.sendsms_port}/cgi-bin/sendsms"

    def renfortd_settings(self, sendsms_url=None):
        """--set arguments pointing renfortd's kannel driver at this Kannel (or at sendsms_url, a
        proxy in front of it)."""
        out = []
        for k, v in (("kannel_sendsms_url", sendsms_url or self.sendsms_url), ("kannel_username", self.username),
                     ("kannel_password", self.password), ("kannel_from", self.sender),
                     ("kannel_secret", self.secret)):
            out += ["--set", f"{k}={v}"]
        return out

    # --- processes -----------------------------------------------------------------------------
    def _popen(self, args, name, **kw):
        main = threading.current_thread() is threading.main_thread()
        out = open(os.path.join(self.tmp, name + ".out"), "ab")
        try:
            return subprocess.Popen(args, cwd=self.tmp, stdout=kw.pop("stdout", out), stderr=kw.pop("stderr", out),
                                    preexec_fn=_die_with_parent if main else None, **kw)
        finally:
            out.close()

    def status(self):
        """bearerbox's status page (text), or None when it does not answer."""
        try:
            c = http.client.HTTPConnection("127.0.0.1", self.admin_port, timeout=2)
            c.request("GET", "/status.txt?password=" + self.status_password)
            r = c.getresponse()
            body = r.read().decode("utf-8", errors="replace")
            c.close()
            return body if r.status == 200 else None
        except OSError:
            return None

    def _wait(self, what, ready, procs, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if ready():
                return
            for p in procs:
                if p is not None and p.poll() is not None:
                    raise AssertionError(f"Kannel: {what}: {p.args[0]} exited ({p.returncode})\n" + self.logs())
            time.sleep(0.05)
        raise AssertionError(f"Kannel: {what} not ready within {timeout} s\n" + self.logs())

    def _port_open(self, port):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            return False

    def start(self, timeout=30):
        self.start_boxes(timeout)
        return self

    def start_boxes(self, timeout=30, attempts=3):
        """bearerbox, then smsbox, then fakesmsc; returns when Kannel takes and delivers messages.
        Kannel 1.4.5's smsbox can PANIC (gwlib/conn.c lock_out: conn != NULL) on a sendsms request that
        arrives while it is still joining bearerbox, which renfortd's retries do after an outage: a
        smsbox that dies that way while the boxes come up is started again (a bounded number of times:
        it is Kannel's start-up, not what the tests measure)."""
        for attempt in range(attempts):
            try:
                return self._start_boxes_once(timeout)
            except AssertionError:
                if attempt == attempts - 1 or self.smsbox is None or self.smsbox.poll() is None or \
                        "PANIC" not in self.logs():
                    raise

    def _start_boxes_once(self, timeout):
        if self.bearerbox is None or self.bearerbox.poll() is not None:
            self.bearerbox = self._popen([BEARERBOX, "-v", str(self.log_level), self.conf], "bearerbox")
            self._wait("bearerbox", lambda: self.status() is not None, [self.bearerbox], timeout)
        if self.smsbox is None or self.smsbox.poll() is not None:
            self.smsbox = self._popen([SMSBOX, "-v", str(self.log_level), self.conf], "smsbox")
            self._wait("smsbox", lambda: self._port_open(self.sendsms_port) and
                       re.search(r"^\s*smsbox:", self.status() or "", re.M) is not None,
                       [self.bearerbox, self.smsbox], timeout)
        if self.fakesmsc is None or self.fakesmsc.poll() is not None:
            self._start_fakesmsc()
            self._wait("fakesmsc", lambda: re.search(r"fake1\[fake1\]\s+FAKE:\d+ \(online", self.status() or "")
                       is not None, [self.bearerbox, self.smsbox, self.fakesmsc], timeout)
        return self

    def _start_fakesmsc(self):
        if self._fk_reader is not None:
            self._fk_reader.join(timeout=5)
        # with no message argument fakesmsc reads the SMS to inject from stdin; -v 0 prints every
        # message it receives ("Got message") on stderr
        self.fakesmsc = self._popen([FAKESMSC, "-H", "127.0.0.1", "-r", str(self.smsc_port), "-v", "0"], "fakesmsc",
                                    stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        self._last_mo = time.time()
        log = open(os.path.join(self.tmp, "fakesmsc.out"), "ab")
        self._fk_reader = threading.Thread(target=self._read_fakesmsc, args=(self.fakesmsc, log), daemon=True)
        self._fk_reader.start()

    def _read_fakesmsc(self, proc, log):
        record = None
        try:
            for line in iter(proc.stderr.readline, b""):
                log.write(line)
                log.flush()
                if _LOG_START.match(line):
                    if record is not None:  # a record that never found its '>' (should not happen)
                        self._got(record)
                    record = line if b"Got message" in line else None
                elif record is not None:
                    record += line  # a text with a newline in it
                if record is not None and record.rstrip(b"\r\n").endswith(b">"):
                    self._got(record)
                    record = None
        finally:
            if record is not None:
                self._got(record)
            log.close()
            proc.stderr.close()

    def _got(self, record):
        m = _GOT.search(record)
        if not m:
            return
        now = time.time()
        n = int(m.group(1))
        payload = m.group(2)
        with self._lock:
            self._raw_lines.append(payload)
        fields = payload.split(b" ", 3)
        if len(fields) < 4 or fields[2] not in (b"text", b"ucs-2", b"data", b"udh"):
            # fakesmsc reads what bearerbox sends line by line: a 7-bit text with a newline in it
            # shows as a message and then "messages" made of the lines that follow
            with self._lock:
                if self._received and self._received[-1].coding == "gsm" and now - self._received[-1].at < 1:
                    self._received[-1].text += "\n" + _decode(payload, "gsm")
            return
        sender, receiver, kind, rest = (fields[0].decode(errors="replace"), fields[1].decode(errors="replace"),
                                        fields[2].decode(), fields[3])
        msg = None
        if kind == "text":
            msg = Received(n, now, sender, receiver, "gsm", _decode(rest, "gsm"), raw=payload)
        elif kind == "ucs-2":
            msg = Received(n, now, sender, receiver, "ucs2", _decode(_urldecode(rest), "ucs2"), raw=payload)
        elif kind == "data":
            msg = Received(n, now, sender, receiver, "8bit", _decode(_urldecode(rest), "gsm"), raw=payload)
        elif kind == "udh":
            udh_s, _, rest2 = rest.partition(b" ")
            _, _, data_s = rest2.partition(b" ")  # "data <bytes>"
            udh, data = _urldecode(udh_s), _urldecode(data_s)
            info = _concat_info(udh)
            if info is None:
                msg = Received(n, now, sender, receiver, _guess_coding(data), _decode(data, _guess_coding(data)),
                               raw=payload)
            else:
                ref, total, seq = info
                key = (sender, receiver, ref, total)
                with self._lock:
                    parts = self._parts.setdefault(key, {})
                    parts[seq] = data
                    if len(parts) == total and all(i in parts for i in range(1, total + 1)):
                        whole = b"".join(parts[i] for i in range(1, total + 1))
                        del self._parts[key]
                        coding = _guess_coding(whole)
                        msg = Received(n, now, sender, receiver, coding, _decode(whole, coding), parts=total,
                                       raw=payload)
        if msg is not None:
            with self._lock:
                self._received.append(msg)

    def _stop_proc(self, p, sig=signal.SIGTERM, timeout=15):
        """Stops one process by its PID: sig, then SIGKILL after timeout seconds."""
        if p is None:
            return None
        if p.stdin is not None:
            try:
                p.stdin.close()
            except OSError:
                pass
        if p.poll() is None:
            try:
                p.send_signal(sig)
                p.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=10)
        return p.returncode

    def stop_boxes(self, sig=signal.SIGTERM):
        """An outage: smsbox and bearerbox stopped (SIGTERM, or sig), fakesmsc with them."""
        self._stop_proc(self.smsbox, sig)
        self._stop_proc(self.bearerbox, sig)
        if self.fakesmsc is not None and self.fakesmsc.poll() is None:
            try:
                self.fakesmsc.wait(timeout=5)  # it leaves by itself when bearerbox goes
            except subprocess.TimeoutExpired:
                pass
        self._stop_proc(self.fakesmsc)
        if self._fk_reader is not None:
            self._fk_reader.join(timeout=5)
        self.smsbox = self.bearerbox = self.fakesmsc = None

    def stop_fakesmsc(self):
        """The SMSC link down (bearerbox and smsbox keep running and queue what they take);
        start_boxes() brings it back."""
        self._stop_proc(self.fakesmsc)
        if self._fk_reader is not None:
            self._fk_reader.join(timeout=5)
        self.fakesmsc = None
        self._wait("fakesmsc gone", lambda: re.search(r"fake1\[fake1\]\s+FAKE:\d+ \(online", self.status() or "")
                   is None, [self.bearerbox, self.smsbox], 10)

    def restart_boxes(self, pause=0.0, timeout=30):
        self.stop_boxes()
        time.sleep(pause)
        return self.start_boxes(timeout)

    def stop(self):
        """Everything, by PID (fakesmsc, smsbox, bearerbox); idempotent."""
        self._stop_proc(self.fakesmsc)
        self._stop_proc(self.smsbox)
        self._stop_proc(self.bearerbox)
        if self._fk_reader is not None:
            self._fk_reader.join(timeout=5)
        self.fakesmsc = self.smsbox = self.bearerbox = None
        _live.discard(self)

    def cleanup(self):
        self.stop()
        if self.own_tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def logs(self, tail=3000):
        """The end of every Kannel log, for failure messages."""
        out = []
        for name in ("bearerbox.log", "smsbox.log", "fakesmsc.out", "bearerbox.out", "smsbox.out"):
            path = os.path.join(self.tmp, name)
            if os.path.exists(path):
                with open(path, "r", errors="replace") as f:
                    text = f.read()
                out.append(f"--- {name} ---\n{text[-tail:]}")
        return "\n".join(out)

    # --- messages --------------------------------------------------------------------------------
    def mo(self, phone, text, receiver=None):
        """An SMS from phone to our number (receiver), typed into fakesmsc. ASCII goes as `text`,
        anything else as `ucs2` (UTF-16-BE, url-encoded). fakesmsc reads stdin through stdio: a line
        is written and flushed at least 1.1 s after the previous one, or it could wait in the buffer."""
        receiver = receiver or self.sender
        if "\n" in text or "\r" in text:
            raise ValueError("one line per message")
        if all(32 <= ord(c) < 127 for c in text):
            line = f"{phone} {receiver} text {text}"
        else:
            line = f"{phone} {receiver} ucs2 " + urllib.parse.quote_from_bytes(text.encode("utf-16-be"), safe="")
        if self.fakesmsc is None or self.fakesmsc.poll() is not None:
            raise AssertionError("fakesmsc is not running\n" + self.logs())
        wait = self._last_mo + 1.1 - time.time()
        if wait > 0:
            time.sleep(wait)
        self.fakesmsc.stdin.write(line.encode() + b"\n")
        self.fakesmsc.stdin.flush()
        self._last_mo = time.time()

    def received(self, since=0):
        """Messages received by the fake SMSC (index since onwards), complete ones only."""
        with self._lock:
            return list(self._received[since:])

    def count(self):
        with self._lock:
            return len(self._received)

    def raw_lines(self):
        with self._lock:
            return list(self._raw_lines)

    def wait_for(self, pred, timeout=15, since=0, what="message"):
        """The first received message (index since onwards) for which pred is true."""
        deadline = time.time() + timeout
        while True:
            for m in self.received(since):
                if pred(m):
                    return m
            if time.time() > deadline:
                raise AssertionError(f"fakesmsc: no {what} within {timeout} s; got {self.received(since)[-10:]}")
            time.sleep(0.05)

    def wait_count(self, n, timeout=30, pred=lambda m: True):
        """Waits until at least n received messages satisfy pred; returns them."""
        deadline = time.time() + timeout
        while True:
            got = [m for m in self.received() if pred(m)]
            if len(got) >= n or time.time() > deadline:
                return got
            time.sleep(0.05)

    def sendsms(self, to, text, coding=None, **extra):
        """A sendsms request of our own (what renfortd's driver does): returns (status, body)."""
        params = {"username": self.username, "password": self.password, "from": self.sender, "to": to,
                  "text": text, "charset": "UTF-8"}
        if coding is not None:
            params["coding"] = str(coding)
        params.update(extra)
        c = http.client.HTTPConnection("127.0.0.1", self.sendsms_port, timeout=10)
        try:
            c.request("GET", "/cgi-bin/sendsms?" + urllib.parse.urlencode(params))
            r = c.getresponse()
            return r.status, r.read().decode("utf-8", errors="replace")
        finally:
            c.close()


class DelayProxy:
    """A TCP proxy on loopback in front of a port, holding what goes through: requests
    `request_delay` seconds, answers `response_delay` seconds (each chunk from the time it arrived,
    so a busy connection is delayed, not slowed down).

    In front of smsbox's sendsms, held answers make Kannel take and send a message while its client
    still waits for the answer: the window in which a crash of the client makes a duplicate. In
    front of renfortd (as its public_url), held requests make delivery reports come late, as they do
    from a real SMSC."""

    def __init__(self, target_port, response_delay=0.0, request_delay=0.0):
        self.captured = []  # what clients sent, one bytearray per connection
        self.target_port = target_port
        self.response_delay, self.request_delay = response_delay, request_delay
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        self.closed = False
        self.lock = threading.Lock()
        self.conns = set()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while not self.closed:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=10)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            pair = (client, upstream)
            with self.lock:
                self.conns.add(pair)
            done = [0]
            sent = bytearray()
            with self.lock:
                self.captured.append(sent)
            threading.Thread(target=self._pump, args=(client, upstream, self.request_delay, pair, done, sent),
                             daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, self.response_delay, pair, done),
                             daemon=True).start()

    def request_targets(self, method="GET"):
        """The request targets (path?query) of every request clients sent through the proxy."""
        with self.lock:
            blobs = [bytes(b) for b in self.captured]
        out = []
        for b in blobs:
            pattern = rb"(?:^|\r\n)" + method.encode() + rb" (\S+) HTTP/1\.[01]\r\n"
            out += [m.decode("latin-1") for m in re.findall(pattern, b)]
        return out

    def _pump(self, src, dst, delay, pair, done, capture=None):
        q = queue.Queue()

        def writer():
            while True:
                item = q.get()
                if item is None:
                    break
                wait = item[0] - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                try:
                    dst.sendall(item[1])
                except OSError:
                    break
            try:
                dst.shutdown(socket.SHUT_WR)
            except OSError:
                pass
        w = threading.Thread(target=writer, daemon=True)
        w.start()
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if capture is not None:
                    with self.lock:
                        capture += data
                q.put((time.monotonic() + delay, data))
        except OSError:
            pass
        q.put(None)
        w.join()
        with self.lock:
            done[0] += 1
            last = done[0] == 2
            if last:
                self.conns.discard(pair)
        if last:
            for sk in pair:
                try:
                    sk.close()
                except OSError:
                    pass

    def url(self, path="/cgi-bin/sendsms"):
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self):
        self.closed = True
        try:
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the accept()
        except OSError:
            pass
        try:
            self.sock.close()
        except OSError:
            pass
        with self.lock:
            pairs = list(self.conns)
        for pair in pairs:
            for sk in pair:
                try:
                    sk.close()
                except OSError:
                    pass
        self.thread.join(timeout=5)


_live = weakref.WeakSet()


@atexit.register
def _stop_all():
    for k in list(_live):
        try:
            k.stop()
        except Exception:
            pass
