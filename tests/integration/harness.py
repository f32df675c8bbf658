"""Integration test harness: starts a real renfortd on a free loopback port with a temporary
SQLite file, creates tokens with `renfortd token create`, and talks to it as clients do:
HTTP (http.client) and websocket (python3-websocket). Every server is stopped with SIGTERM at the
end and must exit 0 with no sanitizer report on stderr."""

import contextlib
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import time
import unittest

import websocket  # Debian: python3-websocket

RENFORTD = os.environ.get("RENFORTD", os.path.join(os.path.dirname(__file__), "../../build/server/renfortd"))
# Settings every started server gets, from the environment: "key=value key=value". tests/run.sh's
# ThreadSanitizer pass sets checkpoint_pages=1, so that the checkpointer thread runs after every commit.
ENV_SETTINGS = [a for kv in os.environ.get("RENFORT_TEST_SETTINGS", "").split() for a in ("--set", kv)]
# meta keys that periodic jobs move forward as the clock passes (core/volunteer_availability.c): not a
# write by the request a test looks at
JOB_WATERMARKS = ("availability_at",)
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:", "SUMMARY: UndefinedBehaviorSanitizer",
                   "WARNING: ThreadSanitizer")


class Server:
    """One renfortd process with its own database in a temporary directory."""

    def __init__(self, extra_args=(), demo=False, db=None, tmpdir=None, binary=None):
        self.binary = binary or RENFORTD  # another renfortd than the build's: an installed one
        self.tmp = tmpdir or tempfile.mkdtemp(prefix="renfort-test-")
        self.own_tmp = tmpdir is None
        self.db = db or os.path.join(self.tmp, "renfort.db")
        self.extra_args = list(extra_args)
        self.demo = demo
        self.proc = None
        self.port = None
        self.stderr_path = os.path.join(self.tmp, "renfortd.stderr")
        self.stdout_path = os.path.join(self.tmp, "renfortd.stdout")

    # --- lifecycle -------------------------------------------------------------------------
    def run_cli(self, *args, check=True):
        """Runs a renfortd subcommand against this server's database."""
        p = subprocess.run([self.binary, *args, "--db", self.db, "--log-level", "warn"],
                           capture_output=True, text=True, timeout=120)
        if check and p.returncode != 0:
            raise AssertionError(f"renfortd {' '.join(args)} failed ({p.returncode}): {p.stderr}")
        check_sanitizers(p.stderr)
        return p

    def token(self, role, scope=None, subject=None, label="test"):
        args = ["token", "create", "--role", role, "--label", label]
        if scope:
            args += ["--scope", scope]
        if subject is not None:
            args += ["--subject", str(subject)]
        return self.run_cli(*args).stdout.strip()

    def start(self, timeout=60):
        args = [self.binary, "--db", self.db, "--listen", "127.0.0.1:0", *self.extra_args, *ENV_SETTINGS]
        if self.demo:
            args.append("--demo")
        self.err = open(self.stderr_path, "ab")
        self.out = open(self.stdout_path, "ab")
        # a restarted server appends to the same log: look for this run's line only
        offset = os.path.getsize(self.stderr_path)
        self.proc = subprocess.Popen(args, stdout=self.out, stderr=self.err)
        deadline = time.time() + timeout
        while time.time() < deadline:
            with open(self.stderr_path, "r", errors="replace") as f:
                f.seek(offset)
                m = re.search(r"listening on http://127\.0\.0\.1:(\d+)/", f.read())
            if m:
                self.port = int(m.group(1))
                return self
            if self.proc.poll() is not None:
                raise AssertionError("renfortd exited at start: " + self.stderr())
            time.sleep(0.05)
        raise AssertionError("renfortd did not start: " + self.stderr())

    def stderr(self):
        with open(self.stderr_path, "r", errors="replace") as f:
            return f.read()

    def stdout(self):
        with open(self.stdout_path, "r", errors="replace") as f:
            return f.read()

    def stop(self, sig=signal.SIGTERM, expect_clean=True):
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
            raise AssertionError("renfortd did not stop within 30 s of SIGTERM")
        finally:
            self.err.close()
            self.out.close()
            self.proc = None
        if expect_clean:
            check_sanitizers(self.stderr())
            if code != 0:
                raise AssertionError(f"renfortd exited with {code}: {self.stderr()[-3000:]}")
        return code

    def sql(self, query, params=()):
        """Runs one read query on the database file itself (the server may be running: WAL)."""
        conn = sqlite3.connect(self.db, timeout=10)
        try:
            return conn.execute(query, params).fetchall()
        finally:
            conn.close()

    def fingerprint(self):
        """{table: (row count, digest of every row)} of the whole database: equal fingerprints mean
        nothing was written (the tests' "changes nothing")."""
        conn = sqlite3.connect(self.db, timeout=10)
        try:
            tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                                 "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
            conn.text_factory = bytes  # every text as stored, UTF-8 or not
            out = {}
            for t in tables:
                # a periodic job's watermark moves with the clock, not with any request
                where = " WHERE key NOT IN (%s)" % ", ".join("'%s'" % k for k in JOB_WATERMARKS) if t == "meta" else ""
                rows = sorted(repr(r) for r in conn.execute('SELECT * FROM "%s"%s' % (t, where)))
                out[t] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
            return out
        finally:
            conn.close()

    def settle(self, quiet=0.4, timeout=15):
        """Waits until the database stops changing (the SMS sender's background writes): what a test
        then checks is not raced by the sending of what an earlier step queued."""
        deadline = time.time() + timeout
        last = self.fingerprint()
        while time.time() < deadline:
            time.sleep(quiet)
            now = self.fingerprint()
            if now == last:
                return
            last = now
        raise AssertionError("the database kept changing for %s s" % timeout)

    def kill(self):
        """SIGKILL: the crash tests' way to stop."""
        return self.stop(signal.SIGKILL, expect_clean=False)

    def cleanup(self):
        if self.proc is not None:
            self.stop(expect_clean=False)
        if self.own_tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)

    # --- clients ---------------------------------------------------------------------------
    def http(self, method, path, token=None, body=None, headers=None, raw=None, content_type=None):
        """Returns (status, parsed JSON or text, headers)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        h = dict(headers or {})
        if token:
            h["Authorization"] = "Bearer " + token
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        elif raw is not None:
            data = raw if isinstance(raw, bytes) else raw.encode()
            h.setdefault("Content-Type", content_type or "text/csv")
        conn.request(method, path, body=data, headers=h)
        resp = conn.getresponse()
        payload = resp.read()
        conn.close()
        ctype = resp.getheader("Content-Type", "")
        if "json" in ctype:
            parsed = json.loads(payload) if payload else None
        else:
            parsed = payload.decode("utf-8", errors="replace")
        return resp.status, parsed, dict(resp.getheaders())

    def ws(self, token=None, origin=None, timeout=10):
        url = f"ws://127.0.0.1:{self.port}/ws"
        headers = []
        if token:
            headers.append("Authorization: Bearer " + token)
        kw = {"header": headers, "timeout": timeout}
        if origin:
            kw["origin"] = origin
        else:
            kw["suppress_origin"] = True
        return WsClient(websocket.create_connection(url, **kw))


class WsClient:
    """A websocket client speaking renfort's envelope: requests carry an id the answer repeats."""

    def __init__(self, conn):
        self.conn = conn
        self.next_id = 1
        self.events = []  # events received while waiting for answers

    def send(self, msg):
        self.conn.send(json.dumps(msg) if not isinstance(msg, (str, bytes)) else msg)

    def recv(self, timeout=10):
        self.conn.settimeout(timeout)
        return json.loads(self.conn.recv())

    def request(self, type_, params=None, data=None, key=None, timeout=10):
        rid = self.next_id
        self.next_id += 1
        msg = {"type": type_, "id": rid}
        if params is not None:
            msg["params"] = params
        if data is not None:
            msg["data"] = data
        if key is not None:
            msg["idempotency_key"] = key
        self.send(msg)
        deadline = time.time() + timeout
        while time.time() < deadline:
            m = self.recv(timeout=max(0.1, deadline - time.time()))
            if m.get("type") == "event":
                self.events.append(m)
                continue
            if m.get("id") == rid:
                return m
        raise AssertionError(f"no answer to {type_} within {timeout} s")

    def next_event(self, timeout=5):
        if self.events:
            return self.events.pop(0)
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                m = self.recv(timeout=max(0.1, deadline - time.time()))
            except websocket.WebSocketTimeoutException:
                break
            if m.get("type") == "event":
                return m
        raise AssertionError("no event within %s s" % timeout)

    def no_event(self, wait=0.5):
        """Asserts that nothing arrives for `wait` seconds."""
        if self.events:
            raise AssertionError(f"unexpected event {self.events[0]}")
        self.conn.settimeout(wait)
        try:
            m = self.conn.recv()
        except websocket.WebSocketTimeoutException:
            return
        raise AssertionError(f"unexpected message {m}")

    def recv_close(self, timeout=10):
        """Reads until the server's close frame; returns (code, reason). Messages before it are kept
        in .events (events) or dropped (answers)."""
        self.conn.settimeout(timeout)
        deadline = time.time() + timeout
        while time.time() < deadline:
            opcode, frame = self.conn.recv_data_frame(True)
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                data = frame.data or b""
                code = int.from_bytes(data[:2], "big") if len(data) >= 2 else None
                return code, data[2:].decode("utf-8", errors="replace")
            if opcode == websocket.ABNF.OPCODE_TEXT:
                m = json.loads(frame.decode("utf-8") if isinstance(frame, bytes) else frame)
                if m.get("type") == "event":
                    self.events.append(m)
        raise AssertionError("no close frame within %s s" % timeout)

    def close(self):
        try:
            self.conn.close()
        except Exception:
            pass


OP_COLUMNS = ["name", "method", "path", "roles", "flags"]


class Op:
    """One line of `renfortd ops`: roles and flags as sets of names; method and path None for an
    operation that has no HTTP route (websocket only)."""

    def __init__(self, name, method, path, roles, flags):
        self.name, self.method, self.path, self.roles, self.flags = name, method, path, roles, flags

    def __repr__(self):
        return "Op(%s %s %s roles=%s flags=%s)" % (self.name, self.method, self.path, sorted(self.roles),
                                                  sorted(self.flags))


def op_table():
    """renfortd's table of operations, in its routing order, as the binary itself prints it
    (`renfortd ops`): [Op]."""
    p = subprocess.run([RENFORTD, "ops"], capture_output=True, text=True, timeout=60)
    check_sanitizers(p.stderr)
    if p.returncode != 0:
        raise AssertionError(f"renfortd ops failed ({p.returncode}): {p.stderr}")
    lines = p.stdout.splitlines()
    if not lines or lines[0].split("\t") != OP_COLUMNS:
        raise AssertionError("renfortd ops: the header should be %r: %r" % (OP_COLUMNS, lines[:1]))
    ops = []
    for line in lines[1:]:
        cells = line.split("\t")
        if len(cells) != len(OP_COLUMNS) or "" in cells:
            raise AssertionError("renfortd ops: not %d tab-separated fields: %r" % (len(OP_COLUMNS), line))
        name, method, path, roles, flags = [None if c == "-" else c for c in cells]
        ops.append(Op(name, method, path, set(roles.split(",")) if roles else set(),
                      set(flags.split(",")) if flags else set()))
    if not ops:
        raise AssertionError("renfortd ops printed no operation")
    return ops


def check_sanitizers(text):
    for mark in SANITIZER_MARKS:
        if mark in text:
            raise AssertionError("sanitizer report:\n" + text[-6000:])


class ServerTest(unittest.TestCase):
    """A test case with one fresh server per class (started in setUpClass)."""

    demo = False
    extra_args = ()

    @classmethod
    def new_server(cls):
        """The class's server, not started yet (SMS tests need one whose port is fixed in advance)."""
        return Server(extra_args=cls.extra_args, demo=cls.demo)

    @classmethod
    def setUpClass(cls):
        cls.server = cls.new_server()
        # stops the server and removes its files even when setUpClass fails after this point
        # (unittest then skips tearDownClass); after a normal tearDownClass it has nothing left to do
        cls.addClassCleanup(cls.server.cleanup)
        cls.prepare(cls.server)
        cls.server.start()

    @classmethod
    def prepare(cls, server):
        """Before start: create tokens etc. with the command line."""
        cls.admin = server.token("admin")

    @classmethod
    def tearDownClass(cls):
        try:
            cls.server.stop()
        finally:
            cls.server.cleanup()

    @classmethod
    def create_record(cls, plural, body, token=None):
        """POSTs a record (with the admin token unless told) and returns it; any answer but 201 fails."""
        st, data, _ = cls.server.http("POST", "/api/v1/" + plural, token=token or cls.admin, body=body)
        if st != 201:
            raise AssertionError(f"create {plural}: {st} {data}")
        return data

    @contextlib.contextmanager
    def unchanged(self):
        """Asserts that what runs inside the block writes nothing (the database's fingerprint)."""
        before = self.server.fingerprint()
        yield
        after = self.server.fingerprint()
        changed = [t for t in before if before[t] != after.get(t)] + [t for t in after if t not in before]
        self.assertEqual(changed, [], "the database changed")

    def api(self, method, path, token=None, **kw):
        return self.server.http(method, path, token=token if token is not None else self.admin, **kw)

    def api_token(self, role, scope=None, subject=None, label="test"):
        """Creates a token over the API with the admin token; returns (secret, id)."""
        body = {"role": role, "label": label}
        if scope is not None:
            body["scope"] = scope
        if subject is not None:
            body["subject_id"] = subject
        st, data, _ = self.api("POST", "/api/v1/tokens", body=body)
        if st != 201:
            raise AssertionError(f"token create {body}: {st} {data}")
        return data["token"], data["id"]

    def assertError(self, result, status, field=None, code=None):
        st, body, _ = result
        self.assertEqual(st, status, body)
        self.assertIn("error", body)
        if field is not None:
            self.assertEqual(body["error"].get("field"), field, body)
        if code is not None:
            self.assertEqual(body["error"].get("code"), code, body)
        self.assertTrue(body["error"].get("rule"), body)
        return body["error"]
