"""deploy/: `renfortd backup` copies the live database while the server is being written to (SQLite's
online backup: a consistent snapshot, and the server keeps answering writes), the copy passes an
integrity check, holds every write acknowledged before the backup started, and serves again; the
sample configuration deploy/renfortd.conf lists every key with its default and starts a server; a
config file with an unknown key or an out-of-range value stops renfortd with the key and the line."""

import http.client
import json
import os
import re
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time
import unittest

import websocket  # Debian: python3-websocket

from harness import RENFORTD, Server, check_sanitizers

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
SAMPLE = os.path.join(ROOT, "deploy", "renfortd.conf")
CATEGORY = "deploy-test"


def item(code):
    return {"code": code, "name": "Deploy test " + code, "category": CATEGORY, "unit": "piece"}


def run(args, timeout=60):
    p = subprocess.run([RENFORTD, *args], capture_output=True, text=True, timeout=timeout)
    check_sanitizers(p.stderr)
    return p


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Writer(threading.Thread):
    """Creates items one after the other over one keep-alive connection until stopped; notes the
    time each one was acknowledged (after its commit)."""

    def __init__(self, port, token):
        super().__init__(daemon=True)
        self.port, self.token = port, token
        self.acked = []      # (n, monotonic time of the 201)
        self.failures = []
        self.halt = threading.Event()

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Authorization": "Bearer " + self.token, "Content-Type": "application/json"}
        n = 0
        try:
            while not self.halt.is_set():
                conn.request("POST", "/api/v1/items", body=json.dumps(item(f"live-{n}")), headers=headers)
                resp = conn.getresponse()
                body = resp.read()
                if resp.status != 201:
                    self.failures.append((n, resp.status, body[:300]))
                    return
                self.acked.append((n, time.monotonic()))
                n += 1
        except Exception as e:  # noqa: BLE001 - reported by the test
            self.failures.append((n, "exception", repr(e)))
        finally:
            conn.close()


def list_codes(server, token):
    """Every item code of CATEGORY, page after page, over the API."""
    codes, after = [], None
    while True:
        path = f"/api/v1/items?category={CATEGORY}&limit=1000" + (f"&after={after}" if after else "")
        st, body, _ = server.http("GET", path, token=token)
        if st != 200:
            raise AssertionError(f"GET {path}: {st} {body}")
        codes += [i["code"] for i in body["items"]]
        after = body.get("next")
        if not after:
            return codes


class LiveBackup(unittest.TestCase):
    """The demo region plus 20 MB of ballast make a database of some 7,000 pages: the backup takes
    about 30 steps of 256 pages, and the writer commits between them. (A backup that restarts from
    page 1 whenever the server commits, as SQLite's does unless it keeps one read transaction for the
    whole copy, never ends on such a database.)"""

    @classmethod
    def setUpClass(cls):
        cls.server = Server(demo=True)
        cls.admin = cls.server.token("admin")
        db = sqlite3.connect(cls.server.db)
        try:
            db.execute("CREATE TABLE test_ballast (b BLOB)")
            db.executemany("INSERT INTO test_ballast VALUES (randomblob(4000))", [()] * 5000)
            db.commit()
        finally:
            db.close()
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        try:
            cls.server.stop()
        finally:
            cls.server.cleanup()

    def test_backup_while_writing(self):
        s = self.server
        pages = s.sql("PRAGMA page_count")[0][0]
        self.assertGreater(pages, 6000, "the live database should need many backup steps (256 pages each)")
        before = [f"pre-{i}" for i in range(30)]
        for code in before:
            st, body, _ = s.http("POST", "/api/v1/items", token=self.admin, body=item(code))
            self.assertEqual(st, 201, body)

        writer = Writer(s.port, self.admin)
        writer.start()
        try:
            deadline = time.time() + 30
            while len(writer.acked) < 50 and not writer.failures and time.time() < deadline:
                time.sleep(0.01)
            self.assertGreaterEqual(len(writer.acked), 50, writer.failures)
            backup = os.path.join(s.tmp, "b.db")
            t0 = time.monotonic()
            p = run(["backup", backup, "--db", s.db, "--log-level", "warn"], timeout=60)
            t1 = time.monotonic()
            self.assertEqual(p.returncode, 0, p.stderr)
            # the server kept answering writes during and after the backup
            n_end = len(writer.acked)
            deadline = time.time() + 30
            while len(writer.acked) < n_end + 20 and not writer.failures and time.time() < deadline:
                time.sleep(0.01)
        finally:
            writer.halt.set()
            writer.join(30)
        self.assertEqual(writer.failures, [])
        acked = list(writer.acked)
        acked_before = {f"live-{n}" for n, t in acked if t < t0}
        during = [n for n, t in acked if t0 <= t <= t1]
        self.assertGreaterEqual(len(acked), n_end + 20, "writes stalled after the backup")

        db = sqlite3.connect(backup)
        try:
            self.assertEqual(db.execute("PRAGMA integrity_check").fetchall(), [("ok",)])
            self.assertEqual(db.execute("PRAGMA foreign_key_check").fetchall(), [])
            in_backup = {r[0] for r in db.execute("SELECT code FROM items WHERE category = ?", (CATEGORY,))}
            self.assertGreater(db.execute("SELECT count(*) FROM structures").fetchone()[0], 500)
            self.assertEqual(db.execute("SELECT count(*) FROM test_ballast").fetchone()[0], 5000)
        finally:
            db.close()
        missing = (set(before) | acked_before) - in_backup
        self.assertFalse(missing, f"acknowledged before the backup started, missing from it: {sorted(missing)[:10]}")
        # a snapshot: the writer's items form a prefix live-0 .. live-(k-1), nothing torn
        live = sorted(int(c[5:]) for c in in_backup if c.startswith("live-"))
        self.assertEqual(live, list(range(len(live))))
        self.assertLess(len(live), len(acked), "the live server went on past the snapshot")
        print(f"\n  backup of {pages} pages in {t1 - t0:.3f} s; {len(during)} writes acknowledged meanwhile, "
              f"{len(live)} writer items in the copy", flush=True)

        # the copy serves: a second renfortd on it, with the same token (tokens live in the database)
        other = Server(db=backup)
        try:
            other.start()
            st, body, _ = other.http("GET", "/healthz")
            self.assertEqual((st, body["status"]), (200, "ok"), body)
            codes = list_codes(other, self.admin)
            self.assertEqual(set(codes), in_backup)
            self.assertEqual(len(codes), len(in_backup))
            st, body, _ = other.http("POST", "/api/v1/items", token=self.admin, body=item("after-restore"))
            self.assertEqual(st, 201, body)
            other.stop()
        finally:
            other.cleanup()
        # and the live one has everything the writer was told was written
        live_codes = set(list_codes(s, self.admin))
        self.assertLessEqual(set(before) | {f"live-{n}" for n, _ in acked}, live_codes)

    def test_backup_refuses_missing_database(self):
        with tempfile.TemporaryDirectory(prefix="renfort-test-") as tmp:
            missing = os.path.join(tmp, "nothere.db")
            p = run(["backup", os.path.join(tmp, "b.db"), "--db", missing])
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("no database", p.stderr)
            self.assertFalse(os.path.exists(missing), "a mistyped --db must not create a database")
            self.assertFalse(os.path.exists(os.path.join(tmp, "b.db")))

    def test_backup_refuses_live_file_itself(self):
        p = run(["backup", self.server.db, "--db", self.server.db, "--log-level", "warn"])
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("live database itself", p.stderr)
        self.assertEqual(self.server.sql("PRAGMA quick_check"), [("ok",)])
        st, _, _ = self.server.http("GET", "/healthz")
        self.assertEqual(st, 200)


def sample_entries(path):
    """(key, value, comment lines just above, line number, set) for each key = value line, and for
    each key left unset as a "#key = value" line (no space after the '#')."""
    entries, comments = [], []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            s = line.strip()
            unset = re.match(r"^#(\w+) = (.*)$", s)
            if unset:
                entries.append((unset.group(1), unset.group(2), comments, lineno, False))
                comments = []
            elif s.startswith("#"):
                comments.append(s)
            elif not s:
                comments = []
            else:
                key, _, value = s.partition("=")
                entries.append((key.strip(), value.strip(), comments, lineno, True))
                comments = []
    return entries


class SampleConfig(unittest.TestCase):
    def binary_keys(self):
        """{key: its line of `renfortd config`}."""
        p = run(["config"])
        self.assertEqual(p.returncode, 0, p.stderr)
        return {line.split()[0]: line for line in p.stdout.splitlines() if line.strip()}

    def test_every_key_listed_with_its_default(self):
        keys = self.binary_keys()
        entries = sample_entries(SAMPLE)
        names = [e[0] for e in entries]
        self.assertEqual(len(names), len(set(names)), "a key set twice in the sample")
        self.assertEqual(sorted(set(keys) - set(names)), [], "keys of renfortd missing from deploy/renfortd.conf")
        self.assertEqual(sorted(set(names) - set(keys)), [], "keys of deploy/renfortd.conf unknown to renfortd")
        for key, value, comments, lineno, is_set in entries:
            text = " ".join(c.lstrip("# ") for c in comments)
            m = re.search(r"default: (.+?)(?:  | \(|$)", text)
            self.assertTrue(comments and m, f"{SAMPLE}:{lineno}: {key} needs a comment with its default")
            documented = m.group(1)
            if documented.startswith("<share>/"):
                # a directory of installed files: left unset, shown at its installed place; this
                # renfortd, in its build tree, uses the source tree's
                self.assertFalse(is_set, f"{SAMPLE}:{lineno}: {key}: leave it unset (#{key} = ...)")
                self.assertEqual(value, "/usr/local/share/renfort/" + documented[len("<share>/"):], f"{key}")
                default = keys[key].split()[2]
                self.assertTrue(default.startswith(ROOT + os.sep) and os.path.isdir(default), keys[key])
            else:
                self.assertTrue(is_set, f"{SAMPLE}:{lineno}: {key} is set explicitly")
                self.assertIn(f" default {documented} ", keys[key], f"{SAMPLE}:{lineno}: {key}: documented default")

    def test_sample_starts_and_answers(self):
        port = free_port()
        server = Server()
        try:
            admin = server.token("admin")
            server.err = open(server.stderr_path, "ab")
            server.out = open(server.stdout_path, "ab")
            server.proc = subprocess.Popen(
                [RENFORTD, "--config", SAMPLE, "--set", "db=" + server.db,
                 "--listen", f"127.0.0.1:{port}"], stdout=server.out, stderr=server.err)
            deadline = time.time() + 60
            # the log names the real address and, apart, the public URL people use
            while f"listening on http://127.0.0.1:{port}/" not in server.stderr():
                if server.proc.poll() is not None:
                    raise AssertionError("renfortd exited at start: " + server.stderr())
                if time.time() > deadline:
                    raise AssertionError("renfortd did not start: " + server.stderr())
                time.sleep(0.05)
            server.port = port
            self.assertIn("public URL https://renfort.example.org/", server.stderr())
            st, body, _ = server.http("GET", "/healthz")
            self.assertEqual((st, body["status"]), (200, "ok"), body)
            st, body, _ = server.http("GET", "/api/v1/territories", token=admin)
            self.assertEqual(st, 200, body)
            # allowed_origins: the public origin passes, another one does not
            ws = server.ws(token=admin, origin="https://renfort.example.org")
            ws.close()
            with self.assertRaises(websocket.WebSocketBadStatusException):
                server.ws(token=admin, origin="https://evil.example.org")
            server.stop()
        finally:
            server.cleanup()

    def bad_config(self, tmp, lines):
        path = os.path.join(tmp, "bad.conf")
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        p = run(["--config", path, "--db", os.path.join(tmp, "x.db"), "--listen", "127.0.0.1:0"], timeout=30)
        self.assertNotEqual(p.returncode, 0, p.stderr)
        self.assertFalse(os.path.exists(os.path.join(tmp, "x.db")), "nothing is opened with a bad config")
        return path, p.stderr

    def test_unknown_key_names_key_and_line(self):
        with tempfile.TemporaryDirectory(prefix="renfort-test-") as tmp:
            path, err = self.bad_config(tmp, ["# a comment", "listen = 127.0.0.1:0", "", "max_bodee_bytes = 1000"])
            self.assertIn(f"{path}:4:", err)
            self.assertIn("max_bodee_bytes", err)
            self.assertIn("unknown", err)

    def test_out_of_range_names_key_line_and_bounds(self):
        with tempfile.TemporaryDirectory(prefix="renfort-test-") as tmp:
            path, err = self.bad_config(tmp, ["db = x.db", "ws_send_queue_max = 0   # too small"])
            self.assertIn(f"{path}:2:", err)
            self.assertIn("ws_send_queue_max", err)
            self.assertIn("between 1 and 1000000", err)
            path, err = self.bad_config(tmp, ["http_timeout_s = 30s"])
            self.assertIn(f"{path}:1:", err)
            self.assertIn("http_timeout_s", err)
            self.assertIn("integer", err)

    def test_sample_with_one_bad_line_appended(self):
        """The line number is counted in a real, long file too."""
        with tempfile.TemporaryDirectory(prefix="renfort-test-") as tmp:
            with open(SAMPLE, encoding="utf-8") as f:
                lines = f.read().splitlines()
            path, err = self.bad_config(tmp, lines + ["page_size_max = 100001"])
            self.assertIn(f"{path}:{len(lines) + 1}:", err)
            self.assertIn("page_size_max", err)


if __name__ == "__main__":
    unittest.main()
