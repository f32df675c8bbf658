"""Issue 5, the command-line client: `renfort` (clients/cli) against a real renfortd. Every command
works as its --help says: login/whoami/logout keep the token in a 0600 file; a stock report from the
command line or a CSV prints the days of cover and the alerts, and sending it again (same key, same
file) does not count twice; `watch` receives the alert a report made in parallel opens, replays
with --since, survives a restart of renfortd and resumes; lists page; an import/export round trip
between two servers keeps every row; alerts are acknowledged and resolved; exit codes are the ones
documented (1 refused with the field named, 2 usage, 3 unreachable, 4 token, 5 not available,
6 timeout); the token is never printed; the CLI's own stderr has no sanitizer report."""

import csv
import io
import json
import os
import re
import selectors
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
import unittest

from harness import Server, ServerTest, check_sanitizers

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD_DIR = os.environ.get("RENFORT_BUILD_DIR", os.path.join(HERE, "../../build"))
RENFORT = os.path.join(BUILD_DIR, "clients/cli/renfort")

ALBI, CASTRES, RODEZ, MONTPELLIER = "81004", "81065", "12202", "34172"
QTY_RULE = "items[0].quantity: must be an integer from 0 to 1000000000"
COMMANDS = ("login", "whoami", "logout", "report", "watch", "list", "import", "export", "alert", "staff")
VOLATILE = ("id", "created_at", "updated_at")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cli:
    """Runs the renfort binary with an environment of its own: a private HOME, no RENFORT_*
    variables; checks every run's output for sanitizer reports and for any token."""

    def __init__(self, secrets):
        self.home = tempfile.mkdtemp(prefix="renfort-cli-home-")
        self.secrets = secrets  # tokens that must never appear in any output

    def env(self, extra=None):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("RENFORT_") and k != "XDG_CONFIG_HOME"}
        env["HOME"] = self.home
        env.update(extra or {})
        return env

    def check_output(self, *texts):
        for text in texts:
            check_sanitizers(text)
            for secret in self.secrets:
                if secret and secret in text:
                    raise AssertionError("the CLI printed a token:\n" + text)

    def run(self, *args, url=None, token=None, stdin=None, env=None, timeout=60):
        argv = [RENFORT]
        if url:
            argv += ["--url", url]
        if token:
            argv += ["--token", token]
        argv += list(args)
        p = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=timeout, env=self.env(env))
        self.check_output(p.stdout, p.stderr)
        return p

    def start(self, *args, url=None, token=None):
        argv = [RENFORT, "--url", url, "--token", token, *args]
        return Watch(subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.env()), self)

    def cleanup(self):
        shutil.rmtree(self.home, ignore_errors=True)


class Watch:
    """A running `renfort watch`: reads its stdout and stderr as they come, without blocking."""

    def __init__(self, proc, cli):
        self.proc = proc
        self.cli = cli
        self.out = b""
        self.err = b""
        self.sel = selectors.DefaultSelector()
        for f in (proc.stdout, proc.stderr):
            os.set_blocking(f.fileno(), False)
            self.sel.register(f, selectors.EVENT_READ)

    def pump(self, wait):
        for key, _ in self.sel.select(timeout=wait):
            data = key.fileobj.read()
            if not data:
                self.sel.unregister(key.fileobj)
                continue
            if key.fileobj is self.proc.stdout:
                self.out += data
            else:
                self.err += data

    def wait_for(self, pattern, where="err", timeout=30, count=1):
        deadline = time.time() + timeout
        while time.time() < deadline:
            text = (self.err if where == "err" else self.out).decode(errors="replace")
            if len(re.findall(pattern, text)) >= count:
                return text
            if self.proc.poll() is not None and not self.sel.get_map():
                break
            self.pump(0.1)
        raise AssertionError(f"watch: no {pattern!r} on std{where} within {timeout} s:\n"
                             f"stdout: {self.out.decode(errors='replace')}\nstderr: {self.err.decode(errors='replace')}")

    def finish(self, timeout=30):
        deadline = time.time() + timeout
        while self.sel.get_map() and time.time() < deadline:
            self.pump(0.1)
        try:
            code = self.proc.wait(timeout=max(1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("watch did not stop: " + self.err.decode(errors="replace"))
        self.close()
        out, err = self.out.decode(), self.err.decode()
        self.cli.check_output(out, err)
        return code, out, err

    def close(self):
        self.sel.close()
        self.proc.stdout.close()
        self.proc.stderr.close()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if not self.proc.stdout.closed:
            self.close()


class CliTest(ServerTest):
    extra_args = ("--set", "test_clock=1")

    @classmethod
    def prepare(cls, server):
        cls.admin = server.token("admin")
        cls.coord81 = server.token("coordinator", scope="81")
        cls.coord34 = server.token("coordinator", scope="34")

    @classmethod
    def setUpClass(cls):
        if not os.access(RENFORT, os.X_OK):
            raise AssertionError(f"no CLI binary at {RENFORT} (set RENFORT_BUILD_DIR)")
        super().setUpClass()
        cls.url = f"http://127.0.0.1:{cls.server.port}"
        cls.albi = cls.create_structure("EHPAD Les Tilleuls", "ehpad", ALBI)
        cls.castres = cls.create_structure("Centre hospitalier de Castres-Mazamet", "hospital", CASTRES,
                                           capacity=420, occupancy=350, staff=600)
        st, tok, _ = cls.server.http("POST", "/api/v1/tokens", cls.admin,
                                     body={"role": "structure", "subject_id": cls.albi, "label": "albi"})
        assert st == 201, tok
        cls.albi_token = tok["token"]
        cls.cli = Cli([cls.admin, cls.coord81, cls.coord34, cls.albi_token])
        cls.addClassCleanup(cls.cli.cleanup)
        cls.tmp = tempfile.mkdtemp(prefix="renfort-cli-files-")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)

    @classmethod
    def create_structure(cls, name, category, commune, capacity=80, occupancy=60, staff=40, contacts=None):
        body = {"name": name, "category": category, "legal_form": "association", "commune": commune,
                "capacity": capacity, "occupancy": occupancy, "staff": staff}
        if contacts:
            body["contacts"] = contacts
        st, s, _ = cls.server.http("POST", "/api/v1/structures", cls.admin, body=body)
        assert st == 201, s
        return s["id"]

    # --- helpers -------------------------------------------------------------------------------
    def renfort(self, *args, token=None, url=None, **kw):
        return self.cli.run(*args, url=url or self.url, token=token or self.coord81, **kw)

    def ok(self, p):
        self.assertEqual(p.returncode, 0, f"stdout: {p.stdout}\nstderr: {p.stderr}")
        return p

    def fails(self, p, code, *messages):
        self.assertEqual(p.returncode, code, f"stdout: {p.stdout}\nstderr: {p.stderr}")
        for m in messages:
            self.assertIn(m, p.stderr)
        return p

    def file(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def count(self, table, where="1=1", params=()):
        return self.server.sql(f"SELECT count(*) FROM {table} WHERE {where}", params)[0][0]

    def level(self, holder, item):
        st, body, _ = self.api("GET", f"/api/v1/stock/levels?holder_kind=structure&holder_id={holder}&item={item}")
        self.assertEqual(st, 200, body)
        return body["items"][0]["quantity"] if body["items"] else None

    def new_structure(self, name, commune=CASTRES, category="ehpad"):
        return self.create_structure(name, category, commune)

    def current_seq(self):
        ws = self.server.ws(self.admin)
        try:
            answer = ws.request("subscribe", params={"topics": ["alerts"]})
            return answer["data"]["seq"]
        finally:
            ws.close()

    # --- help and usage ------------------------------------------------------------------------
    def test_help_for_every_command(self):
        p = self.ok(self.cli.run("--help"))
        for cmd in COMMANDS:
            self.assertRegex(p.stdout, rf"\n  {cmd} ")
        for code in range(0, 7):
            self.assertRegex(p.stdout, rf"\n  {code}  ")
        for cmd in COMMANDS:
            for args in ((cmd, "--help"), (cmd, "-h"), ("help", cmd)):
                p = self.ok(self.cli.run(*args))
                self.assertTrue(p.stdout.startswith(f"Usage: renfort {cmd}"), p.stdout[:200])
                self.assertIn("--url URL", p.stdout)
                self.assertEqual(p.stderr, "")
        staff = self.ok(self.cli.run("staff", "--help")).stdout
        self.assertIn("does not take staff requests yet", staff)
        self.assertIn("exits with 5", staff)
        self.assertIn("renfort ", self.ok(self.cli.run("--version")).stdout)

    def test_usage_errors_exit_2(self):
        self.fails(self.cli.run(), 2)
        self.fails(self.renfort("frobnicate"), 2, 'unknown command "frobnicate"')
        self.fails(self.renfort("report"), 2, "ITEM=QUANTITY")
        self.fails(self.renfort("report", "gloves-examination"), 2, '"gloves-examination" is not ITEM=QUANTITY')
        self.fails(self.renfort("report", "gloves-examination=1", "--holder", "hospital:1"), 2, "--holder")
        self.fails(self.renfort("report", "gloves-examination=1", "--holdr", "structure:1"), 2,
                   "unknown option --holdr")
        self.fails(self.renfort("list"), 2, "what to list?")
        self.fails(self.renfort("list", "hospitals"), 2, 'cannot list "hospitals"')
        self.fails(self.renfort("list", "structures", "--filter", "dep"), 2, "NAME=VALUE")
        self.fails(self.renfort("alert", "ack", "twelve"), 2, "alert id")
        self.fails(self.renfort("alert", "close", "1"), 2, "ack or resolve")
        self.fails(self.renfort("watch", "--count", "0"), 2, "--count")
        self.fails(self.renfort("watch", "--timeout"), 2, "--timeout needs a value")
        self.fails(self.renfort("export", "alerts"), 2, 'cannot export "alerts"')
        self.fails(self.renfort("export", "items", "--format", "xml"), 2, "--format")
        self.fails(self.renfort("import", "depots", "x.csv"), 2, 'cannot import "depots"')
        self.fails(self.renfort("import", "structures", os.path.join(self.tmp, "missing.csv")), 2, "cannot read")
        self.fails(self.renfort("staff", "request", "--profession", "nurse"), 2, "needs --count")
        self.fails(self.renfort("whoami", "--url", "ftp://example.org"), 2, "--url must start with http")

    # --- tokens and exit codes -----------------------------------------------------------------
    def test_token_errors_exit_4_unreachable_exit_3(self):
        p = self.fails(self.renfort("whoami", token="rf_not_a_token"), 4, "the token is unknown or revoked")
        self.assertNotIn("rf_not_a_token", p.stderr)
        self.fails(self.cli.run("whoami", url=self.url), 4, "no token")
        self.fails(self.renfort("report", "gloves-examination=5", "--holder", f"structure:{self.albi}",
                                token="rf_bad"), 4)
        self.fails(self.renfort("watch", "--count", "1", token="rf_bad"), 4)
        dead = f"http://127.0.0.1:{free_port()}"
        self.fails(self.renfort("whoami", url=dead), 3, "cannot reach renfortd")
        self.fails(self.renfort("list", "structures", url=dead), 3, "cannot reach renfortd")
        p = self.fails(self.renfort("report", "gloves-examination=5", "--holder", f"structure:{self.albi}", url=dead),
                       3, "may or may not have been recorded")
        self.assertRegex(p.stderr, r"--key rf-[0-9a-f]{32}")
        self.fails(self.renfort("watch", "--count", "1", "--timeout", "5", url=dead), 3)

    def test_refused_report_exit_1_names_the_field_and_changes_nothing(self):
        before = (self.count("stock_ledger"), self.count("stock_reports"))
        p = self.fails(self.renfort("report", "gloves-examination=-3", "--holder", f"structure:{self.albi}"), 1)
        self.assertIn("renfort: " + QTY_RULE + "\n", p.stderr)
        self.fails(self.renfort("report", "gloves-examination=lots", "--holder", f"structure:{self.albi}"), 1,
                   QTY_RULE)
        self.fails(self.renfort("report", "masks-ffp3=100", "--holder", f"structure:{self.albi}"), 1,
                   "items[0].item: is not an item of the catalogue")
        # a structure of the Tarn does not exist for the Hérault
        self.fails(self.renfort("report", "gloves-examination=5", "--holder", f"structure:{self.albi}",
                                token=self.coord34), 1, "holder_id: no such structure or depot")
        self.assertEqual((self.count("stock_ledger"), self.count("stock_reports")), before)
        self.assertEqual(p.stdout, "")

    def test_login_whoami_logout(self):
        cfg = os.path.join(self.cli.home, ".config", "renfort")
        self.addCleanup(self.cli.run, "logout")
        self.fails(self.cli.run("login", "--url", self.url, "--token", "rf_nope"), 4)
        self.assertFalse(os.path.exists(os.path.join(cfg, "token")))
        # the token from standard input: it shows in no process list
        p = self.ok(self.cli.run("login", "--url", self.url + "/", "--token", "-", stdin=self.coord81 + "\n"))
        self.assertIn(f"logged in to {self.url} as coordinator, scope 81", p.stdout)
        self.assertEqual(stat.S_IMODE(os.stat(cfg).st_mode), 0o700)
        for name, value in (("token", self.coord81), ("url", self.url)):
            path = os.path.join(cfg, name)
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
            with open(path) as f:
                self.assertEqual(f.read().strip(), value)
        # the next commands need neither --url nor --token
        p = self.ok(self.cli.run("whoami"))
        self.assertRegex(p.stdout, r"^token \d+: coordinator, scope 81, at " + re.escape(self.url))
        who = json.loads(self.ok(self.cli.run("whoami", "--json")).stdout)
        self.assertEqual((who["role"], who["scope"]), ("coordinator", ["81"]))
        self.ok(self.cli.run("list", "structures"))
        # the environment and the command line win over the kept token
        p = self.ok(self.cli.run("whoami", env={"RENFORT_TOKEN": self.admin}))
        self.assertIn("admin, scope region", p.stdout)
        p = self.ok(self.cli.run("whoami", "--token", self.coord34))
        self.assertIn("coordinator, scope 34", p.stdout)
        p = self.ok(self.cli.run("logout"))
        self.assertIn("forgot the token", p.stderr)
        self.assertFalse(os.path.exists(os.path.join(cfg, "token")))
        self.fails(self.cli.run("whoami", "--url", self.url), 4, "no token")
        self.ok(self.cli.run("logout"))

    # --- stock reports -------------------------------------------------------------------------
    def test_report_one_line_prints_cover_and_alerts_and_counts_once(self):
        home = self.new_structure("EHPAD La Roseraie")
        ledger = self.count("stock_ledger")
        p = self.ok(self.renfort("report", "gloves-examination=1500", "alcohol-based-hand-rub=0", "gown-protective=900",
                                 "--holder", f"structure:{home}", "--occupancy", "60", "--staff", "40"))
        key = re.search(r"idempotency key (rf-[0-9a-f]{32})", p.stderr).group(1)
        report_id = re.match(r"report (\d+): structure %d at \S+ \(key %s\)" % (home, key), p.stdout).group(1)
        rows = {line.split()[0]: line for line in p.stdout.splitlines()[2:]}
        # a first count: the rate is a quarter of the catalogue's (forecast_cold_percent), which warns
        # at most; a count of zero is a stock-out whatever the rate
        self.assertRegex(rows["gloves-examination"], r"1500\s+240\s+6\.25 days\s+warning \(alert \d+, open\)")
        self.assertRegex(rows["alcohol-based-hand-rub"], r"\b0\s+\S+\s+0 days\s+stockout \(alert \d+, open\)")
        self.assertRegex(rows["gown-protective"], r"900\s+10\s+90 days\s+-$")
        self.assertEqual(self.count("stock_ledger"), ledger + 3)
        # the answer was lost: the same report with the same key counts once, and answers the same
        p2 = self.ok(self.renfort("report", "gloves-examination=1500", "alcohol-based-hand-rub=0", "gown-protective=900",
                                  "--holder", f"structure:{home}", "--occupancy", "60", "--staff", "40",
                                  "--key", key))
        self.assertEqual(p2.stdout, p.stdout)
        self.assertNotIn("idempotency key", p2.stderr)
        self.assertEqual(self.count("stock_ledger"), ledger + 3)
        # the same key for another report is refused
        self.fails(self.renfort("report", "gloves-examination=1400", "--holder", f"structure:{home}", "--key", key),
                   1, "idempotency_key: was already used with a different request")
        # --json: renfortd's answer as it is
        p = self.ok(self.renfort("report", "gloves-examination=1400", "--holder", f"structure:{home}", "--json"))
        answer = json.loads(p.stdout)
        self.assertEqual((answer["holder_kind"], answer["holder_id"]), ("structure", home))
        self.assertEqual(answer["report_id"], int(report_id) + 1)
        self.assertEqual(answer["levels"][0]["quantity"], 1400)
        self.assertEqual(self.level(home, "gloves-examination"), 1400)

    def test_report_with_a_structure_token(self):
        p = self.ok(self.renfort("report", "gloves-surgical=300", "-q", token=self.albi_token))
        self.assertRegex(p.stdout, r"^report \d+: structure %d " % self.albi)
        self.assertEqual(p.stderr, "")
        self.assertEqual(self.level(self.albi, "gloves-surgical"), 300)

    def test_report_csv_one_report_per_holder_counted_once(self):
        a, b = self.new_structure("EHPAD Les Cèdres"), self.new_structure("EHPAD Les Acacias", commune=ALBI)
        path = self.file("counts.csv", "holder_kind,holder_id,item,quantity,occupancy,staff\r\n"
                                       f"structure,{a},gloves-examination,5000,60,40\r\n"
                                       f"structure,{b},gloves-examination,800,,\r\n"
                                       f"structure,{a},gown-protective,900,,\r\n"
                                       f"structure,{b},alcohol-based-hand-rub,0,55,\r\n")
        ledger, reports = self.count("stock_ledger"), self.count("stock_reports")
        p = self.ok(self.renfort("report", "--csv", path))
        self.assertIn("4 lines, 2 of 2 reports recorded", p.stderr)
        lines = p.stdout.splitlines()
        self.assertRegex(lines[0], r"^LINE\s+HOLDER\s+ITEM\s+QUANTITY\s+BURN/DAY\s+COVER\s+ALERT$")
        body = {int(l.split()[0]): l.split() for l in lines[1:]}
        self.assertEqual(sorted(body), [2, 3, 4, 5])
        self.assertEqual(body[2][1:4], [f"structure:{a}", "gloves-examination", "5000"])
        self.assertEqual(body[5][1:4], [f"structure:{b}", "alcohol-based-hand-rub", "0"])
        self.assertIn("stockout", " ".join(body[5]))
        self.assertEqual((self.count("stock_ledger"), self.count("stock_reports")), (ledger + 4, reports + 2))
        occupancy = {r[0]: r[1] for r in self.server.sql(
            "SELECT id, occupancy FROM structures WHERE id IN (?, ?)", (a, b))}
        self.assertEqual(occupancy, {a: 60, b: 55})
        # the same file again: the same answers, nothing counted twice
        p2 = self.ok(self.renfort("report", "--csv", path))
        self.assertEqual(p2.stdout, p.stdout)
        self.assertEqual((self.count("stock_ledger"), self.count("stock_reports")), (ledger + 4, reports + 2))
        # --json: one answer per report, the same report ids again
        p3 = self.ok(self.renfort("report", "--csv", path, "--json"))
        answers = [json.loads(l) for l in p3.stdout.splitlines()]
        self.assertEqual([(x["holder_id"], len(x["levels"])) for x in answers], [(a, 2), (b, 2)])
        self.assertEqual(self.count("stock_reports"), reports + 2)
        self.assertEqual(self.level(a, "gloves-examination"), 5000)
        # from standard input, for the token's own structure
        p = self.ok(self.renfort("report", "--csv", "-", stdin="item,quantity\nface-shield,12\n", token=self.albi_token))
        self.assertIn(f"structure:{self.albi}", p.stdout)
        self.assertEqual(self.level(self.albi, "face-shield"), 12)

    def test_report_csv_errors_name_the_line(self):
        a, b = self.new_structure("EHPAD Le Verger"), self.new_structure("EHPAD Le Moulin")
        text = ("holder_kind,holder_id,item,quantity\n"
                f"structure,{a},gloves-examination,4000\n"
                f"structure,{b},gloves-examination,2000\n"
                f"structure,{b},gown-protective,-5\n")
        path = self.file("bad-counts.csv", text)
        reports = self.count("stock_reports")
        p = self.fails(self.renfort("report", "--csv", path), 1)
        self.assertIn(f"renfort: {path} line 4: quantity: must be an integer from 0 to 1000000000\n", p.stderr)
        self.assertIn("1 report refused", p.stderr)
        self.assertIn(f"structure:{a}", p.stdout)  # the other holder's report was recorded
        self.assertEqual(self.count("stock_reports"), reports + 1)
        # fixed, and sent again: the report already recorded is not counted twice
        self.file("bad-counts.csv", text.replace("-5", "500"))
        self.ok(self.renfort("report", "--csv", path))
        self.assertEqual(self.count("stock_reports"), reports + 2)
        self.assertEqual(self.level(b, "gown-protective"), 500)
        # a file renfort cannot read as counts: exit 2, the line named, nothing sent
        cases = (("holder_kind,holder_id,item,qty\nstructure,1,gloves-examination,1\n", "line 1: column \"qty\""),
                 ("item,quantity\ngloves-examination,1,2\n", "line 2: has 3 fields where the header has 2"),
                 (f"holder_kind,holder_id,item,quantity\nstructure,{a},,5\n", "line 2: item is empty"),
                 ("holder_kind,holder_id,item,quantity,occupancy\n"
                  f"structure,{a},gloves-examination,1,10\nstructure,{a},gown-protective,1,11\n",
                  "line 3: occupancy 11 differs from 10 on line 2"),
                 ("item,quantity\n", "no line to report"),
                 ("", "empty"))
        for content, message in cases:
            with self.subTest(message=message):
                self.fails(self.renfort("report", "--csv", self.file("malformed.csv", content)), 2, message)
        self.assertEqual(self.count("stock_reports"), reports + 2)

    # --- watch ---------------------------------------------------------------------------------
    def test_watch_receives_the_alert_of_a_parallel_report(self):
        home = self.new_structure("EHPAD Les Glycines")
        w = self.cli.start("watch", "--topics", "alerts", "--count", "1", "--json", "--timeout", "60",
                           url=self.url, token=self.coord81)
        try:
            w.wait_for(r"watching alerts at seq \d+")
            self.ok(self.renfort("report", "alcohol-based-hand-rub=0", "--holder", f"structure:{home}", "-q"))
            code, out, err = w.finish()
        finally:
            w.kill()
        self.assertEqual(code, 0, err)
        events = [json.loads(l) for l in out.splitlines()]
        self.assertEqual(len(events), 1, out)
        ev = events[0]
        self.assertEqual((ev["type"], ev["event"], ev["entity_id"]), ("event", "alert.opened", home))
        self.assertEqual((ev["data"]["severity"], ev["data"]["item"]), ("stockout", "alcohol-based-hand-rub"))

    def test_watch_human_lines(self):
        home = self.new_structure("EHPAD Les Magnolias")
        w = self.cli.start("watch", "--topics", f"structure:{home}", "--count", "2", "--timeout", "60",
                           url=self.url, token=self.admin)
        try:
            w.wait_for(r"watching structure:\d+ at seq")
            self.ok(self.renfort("report", "gloves-examination=1000", "--holder", f"structure:{home}", "-q"))
            code, out, err = w.finish()
        finally:
            w.kill()
        self.assertEqual(code, 0, err)
        lines = out.splitlines()
        self.assertEqual(len(lines), 2, out)
        self.assertRegex(lines[0], r"^#\d+ \S+Z alert\.opened warning shortage alert \d+ \(open\): "
                                   r"EHPAD Les Magnolias \(81\), gloves-examination: 4\.17 days of cover$")
        self.assertRegex(lines[1], r"^#\d+ \S+Z stock\.level structure:%d gloves-examination 1000, 4\.17 days "
                                   r"of cover, warning alert$" % home)

    def test_watch_since_replays_then_counts(self):
        home = self.new_structure("EHPAD Les Lilas")
        seq = self.current_seq()
        self.ok(self.renfort("report", "alcohol-based-hand-rub=0", "--holder", f"structure:{home}", "-q"))
        p = self.ok(self.renfort("watch", "--since", str(seq), "--count", "1", "--timeout", "30", "--json"))
        ev = json.loads(p.stdout)
        self.assertGreater(ev["seq"], seq)
        self.assertEqual((ev["event"], ev["entity_id"]), ("alert.opened", home))
        self.assertIn("replaying", p.stderr)
        # scope: the Hérault does not see the Tarn's alerts, even replayed
        p = self.fails(self.renfort("watch", "--since", str(seq), "--count", "1", "--timeout", "2",
                                    token=self.coord34), 6, "--timeout: 0 of 1 events")
        self.assertEqual(p.stdout, "")

    def test_watch_timeout_interrupt_and_refused_topic(self):
        p = self.fails(self.renfort("watch", "--timeout", "1", "--count", "5"), 6, "--timeout: 0 of 5 events in 1 s")
        p = self.ok(self.renfort("watch", "--timeout", "1", "-q"))
        self.assertEqual((p.stdout, p.stderr), ("", ""))
        self.fails(self.renfort("watch", "--topics", "alerts,weather", "--timeout", "10"), 1,
                   "subscribe: topics[1]: must be *, a family")
        self.fails(self.renfort("watch", "--topics", "structure:999999", "--timeout", "10"), 1,
                   "topics[0]: no such record")
        w = self.cli.start("watch", url=self.url, token=self.coord81)
        try:
            w.wait_for("watching alerts")
            w.proc.send_signal(signal.SIGINT)
            code, _, _ = w.finish(timeout=10)
        finally:
            w.kill()
        self.assertEqual(code, 0)

    # --- lists ---------------------------------------------------------------------------------
    def test_list_tables_paging_and_filters(self):
        ids = [self.create_structure(f"Foyer d'accueil {i}", "shelter", RODEZ) for i in range(7)]
        p = self.ok(self.renfort("list", "structures", "--filter", "dep=12", "--limit", "3", token=self.admin))
        lines = p.stdout.splitlines()
        self.assertRegex(lines[0], r"^ID\s+NAME\s+CATEGORY\s+LEGAL FORM\s+DEP\s+COMMUNE\s+CAPACITY\s+OCCUPANCY\s+"
                                   r"STAFF\s+STATUS$")
        self.assertEqual([int(l.split()[0]) for l in lines[1:]], ids[:3])
        self.assertIn("Foyer d'accueil 0", lines[1])
        self.assertIn(f"3 structures shown of 7; more with --after {ids[2]}, or all with --all", p.stderr)
        page2 = json.loads(self.ok(self.renfort("list", "structures", "--filter", "dep=12", "--limit", "3",
                                                "--after", str(ids[2]), "--json", token=self.admin)).stdout)
        self.assertEqual([s["id"] for s in page2["items"]], ids[3:6])
        self.assertEqual((page2["total"], page2["next"]), (7, str(ids[5])))
        every = json.loads(self.ok(self.renfort("list", "structures", "--filter", "dep=12", "--limit", "2", "--all",
                                                "--json", token=self.admin)).stdout)
        self.assertEqual([s["id"] for s in every["items"]], ids)
        self.assertEqual(every["total"], 7)
        p = self.ok(self.renfort("list", "structures", "--filter", "dep=12", "--filter", "q=accueil 6", "--all",
                                 token=self.admin))
        self.assertEqual([int(l.split()[0]) for l in p.stdout.splitlines()[1:]], ids[6:])
        # scope: the Tarn's coordinator sees none of them
        self.assertEqual(len(self.ok(self.renfort("list", "structures", "--filter", "dep=12")).stdout.splitlines()), 1)
        # a filter renfortd does not have is refused, named
        self.fails(self.renfort("list", "structures", "--filter", "departement=81"), 1,
                   "departement: is not a filter of structures")
        self.fails(self.renfort("list", "structures", "--limit", "0"), 1, "limit: must be an integer from 1 to")
        # communes page by INSEE code, items by id
        communes = json.loads(self.ok(self.renfort("list", "communes", "--filter", "dep=81", "--limit", "100", "--all",
                                                   "--json")).stdout)["items"]
        self.assertEqual(len(communes), len({c["insee"] for c in communes}))
        self.assertGreater(len(communes), 300)
        self.assertTrue(all(c["dep"] == "81" for c in communes))
        p = self.ok(self.renfort("list", "items", "--all"))
        self.assertIn("gloves-examination", p.stdout)
        self.assertIn("oxygen-source-i-e-concentrator-cylinder-or-pipe", p.stdout)  # codes are never cut

    def test_list_alerts(self):
        home = self.new_structure("EHPAD Les Mimosas")
        self.ok(self.renfort("report", "alcohol-based-hand-rub=0", "--holder", f"structure:{home}", "-q"))
        p = self.ok(self.renfort("list", "alerts", "--filter", f"holder_id={home}", "--filter", "holder_kind=structure"))
        lines = p.stdout.splitlines()
        self.assertRegex(lines[0], r"^ID\s+SEVERITY\s+KIND\s+STATUS\s+HOLDER\s+DEP\s+ITEM\s+COVER\s+OPENED$")
        self.assertEqual(len(lines), 2, p.stdout)
        self.assertRegex(lines[1], r"^\s*\d+\s+stockout\s+shortage\s+open\s+EHPAD Les Mimosas\s+81\s+"
                                   r"alcohol-based-hand-rub\s+0 days\s+\S+Z$")
        self.fails(self.renfort("list", "alerts", "--filter", "status=closed"), 1,
                   "status: must be open, acknowledged, resolved or active")

    # --- import and export ---------------------------------------------------------------------
    def test_import_export_round_trip(self):
        volunteers = self.file("reserve.csv",
                               "first_name,last_name,phone,profession,skills,languages,home_commune,availability,"
                               "consent_at,credentials\n"
                               "Lucas,Bernard,+33639981302,driver,,fr,81065,available,2024-03-04,"
                               "driving_licence:B-81-2209:2031-01-01\n"
                               "Inès,Roux,+33639981303,care_assistant,geriatrics;night,fr;es,81004,unavailable,"
                               "2024-03-05,diploma::;first_aid::2026-12-31\n")
        p = self.ok(self.renfort("import", "volunteers", volunteers))
        m = re.match(r"imported 2 volunteers from .* \(ids (\d+) to (\d+)\)", p.stdout)
        self.assertTrue(m, p.stdout)
        total = self.count("volunteers")
        # the same file again (a lost answer, or by mistake): the first import's answer, no new rows
        self.assertEqual(self.ok(self.renfort("import", "volunteers", volunteers)).stdout, p.stdout)
        self.assertEqual(self.count("volunteers"), total)
        # a bad row refuses the whole file, naming the line
        bad = self.file("bad-reserve.csv", "first_name,last_name,phone,profession,home_commune,consent_at\n"
                                           "Hugo,Petit,+33639981304,nurse,81004,2024-02-28\n"
                                           "Léa,Moreau,+33639981305,nurse,81004,2024-02-30\n")
        self.fails(self.renfort("import", "volunteers", bad), 1,
                   f"renfort: {bad} line 3: consent_at: must be a real calendar date")
        self.assertEqual(self.count("volunteers"), total)

        self.create_structure("SSIAD du Ségala", "home_care", "81060",
                              contacts=[{"name": "Coordination", "phone": "+33639981402", "lang": "fr"}])
        exported = {}
        for kind in ("volunteers", "structures"):
            out = os.path.join(self.tmp, f"export-{kind}.csv")
            p = self.ok(self.renfort("export", kind, "-o", out))
            self.assertRegex(p.stderr, rf"wrote \d+ {kind} to {re.escape(out)}")
            self.assertEqual(stat.S_IMODE(os.stat(out).st_mode), 0o600)  # personal data
            with open(out, encoding="utf-8") as f:
                exported[kind] = f.read()
            self.assertEqual(self.ok(self.renfort("export", kind)).stdout, exported[kind])  # stdout alike
        rows = list(csv.DictReader(io.StringIO(exported["volunteers"])))
        # a phone starts with +: the export puts the quote that keeps spreadsheets from computing it
        self.assertEqual({r["phone"] for r in rows} & {"'+33639981302", "'+33639981303"},
                         {"'+33639981302", "'+33639981303"})
        as_json = json.loads(self.ok(self.renfort("export", "volunteers", "--format", "json")).stdout)
        self.assertEqual(len(as_json["items"]), len(rows))
        self.assertEqual(json.loads(self.ok(self.renfort("export", "items", "--json")).stdout)["items"][0]["code"],
                         "chlorine-hth-70")
        self.assertIn("renfort: wrote", self.ok(self.renfort("export", "depots", "-o",
                                                             os.path.join(self.tmp, "d.csv"))).stderr)

        # into another renfortd: every row comes back the same
        other = Server()
        self.addCleanup(other.cleanup)
        other_admin = other.token("admin")
        other.start()
        self.cli.secrets.append(other_admin)
        other_url = f"http://127.0.0.1:{other.port}"
        for kind in ("structures", "volunteers"):
            path = self.file(f"from-first-{kind}.csv", exported[kind])
            p = self.cli.run("import", kind, path, url=other_url, token=other_admin)
            self.ok(p)
            self.assertIn(f"imported {len(list(csv.DictReader(io.StringIO(exported[kind]))))} {kind}", p.stdout)
            again = self.ok(self.cli.run("export", kind, url=other_url, token=other_admin)).stdout
            strip = lambda text: [{k: v for k, v in r.items() if k not in VOLATILE}
                                  for r in csv.DictReader(io.StringIO(text))]
            self.assertEqual(strip(again), strip(exported[kind]))
        other.stop()

    # --- alerts and staff ----------------------------------------------------------------------
    def test_alert_ack_and_resolve(self):
        home = self.new_structure("EHPAD Les Peupliers")
        p = self.ok(self.renfort("report", "alcohol-based-hand-rub=0", "--holder", f"structure:{home}", "--json"))
        alert = json.loads(p.stdout)["levels"][0]["alert"]["id"]
        self.fails(self.renfort("alert", "ack", str(alert), token=self.coord34), 1, "id: no such record")
        self.fails(self.renfort("alert", "ack", str(alert), token=self.albi_token), 1,
                   "role: a structure token may not call alerts.acknowledge")
        p = self.ok(self.renfort("alert", "ack", str(alert), "--note", "livraison ce soir"))
        self.assertEqual(p.stdout, f"alert {alert} acknowledged: stockout shortage, EHPAD Les Peupliers (81), "
                                   "alcohol-based-hand-rub; note: livraison ce soir\n")
        st, a, _ = self.api("GET", f"/api/v1/alerts/{alert}")
        self.assertEqual((a["status"], a["ack_note"]), ("acknowledged", "livraison ce soir"))
        p = self.ok(self.renfort("alert", "resolve", str(alert), "--json"))
        self.assertEqual(json.loads(p.stdout)["status"], "resolved")
        st, a, _ = self.api("GET", f"/api/v1/alerts/{alert}")
        self.assertEqual((a["status"], a["resolution"]), ("resolved", "manual"))
        self.fails(self.renfort("alert", "resolve", str(alert)), 1, "status: the alert is already resolved")
        self.fails(self.renfort("alert", "ack", "999999"), 1, "id: no such record")

    def test_staff_request(self):
        st, v, _ = self.api("POST", "/api/v1/volunteers", body={
            "first_name": "Léa", "last_name": "Cli", "phone": "+33639980777", "profession": "nurse",
            "home_commune": ALBI, "consent_at": "2024-03-01", "skills": ["cli-staff"],
            "credentials": [{"kind": "diploma"}]})
        self.assertEqual(st, 201, v)
        p = self.ok(self.renfort("staff", "request", "--structure", str(self.albi), "--profession", "nurse",
                                 "--count", "1", "--from", "2030-03-02T07:00", "--to", "2030-03-02T19:00",
                                 "--urgency", "today", "--address", "3 rue des Lilas, Albi"))
        m = re.fullmatch(r"staff request (\d+) recorded: 1 × nurse from 2030-03-02T07:00 to 2030-03-02T19:00, "
                         r"status filling, (\d+) called\n", p.stdout)
        self.assertIsNotNone(m, p.stdout)
        st, r, _ = self.api("GET", "/api/v1/deployments/requests/" + m.group(1))
        self.assertEqual((r["structure_id"], r["address"], r["urgency"]), (self.albi, "3 rue des Lilas, Albi", "today"))
        self.assertIn(v["id"], [c["volunteer_id"] for c in r["call_list"]])
        # the structure for itself, as JSON
        p = self.ok(self.renfort("staff", "request", "--profession", "nurse", "--profession", "care_assistant",
                                 "--count", "2", "--from", "2030-03-03T07:00", "--to", "2030-03-03T19:00", "--json",
                                 token=self.albi_token))
        self.assertEqual(json.loads(p.stdout)["professions"], ["nurse", "care_assistant"])
        # refused, named; out of scope, missing
        self.fails(self.renfort("staff", "request", "--structure", str(self.albi), "--profession", "nurse",
                                "--count", "1", "--from", "2030-03-02T19:00", "--to", "2030-03-02T07:00"), 1,
                   "shifts[0].end: must be after the start")
        self.fails(self.renfort("staff", "request", "--structure", str(self.albi), "--profession", "nurse",
                                "--count", "1", "--from", "2030-03-02T07:00", "--to", "2030-03-02T19:00",
                                token=self.coord34), 1, "structure_id: no such structure")
        self.fails(self.renfort("staff", "request", "--profession", "nurse", "--count", "1", "--from", "2030-03-02T07:00",
                                "--to", "2030-03-02T19:00", url=f"http://127.0.0.1:{free_port()}"), 3)

    def test_staff_request_to_an_older_renfortd(self):
        """A server without the route answers 404 for the path: exit 5, said plainly."""
        import http.server
        import threading

        class Old(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                body = b'{"error": {"code": "not_found", "field": "path", "rule": "no such path", "message": "x"}}'
                self.send_response(404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        old = http.server.HTTPServer(("127.0.0.1", 0), Old)
        t = threading.Thread(target=old.serve_forever, daemon=True)
        t.start()
        try:
            p = self.fails(self.renfort("staff", "request", "--structure", "1", "--profession", "nurse", "--count", "2",
                                        "--from", "2030-03-02T07:00", "--to", "2030-03-02T19:00",
                                        url=f"http://127.0.0.1:{old.server_address[1]}"), 5,
                           "this renfortd does not take staff requests yet")
            self.assertEqual(p.stdout, "")
        finally:
            old.shutdown()
            old.server_close()


class CliReconnect(unittest.TestCase):
    """`renfort watch` across a restart of renfortd: it reconnects and resumes after its last event."""

    def setUp(self):
        if not os.access(RENFORT, os.X_OK):
            raise AssertionError(f"no CLI binary at {RENFORT} (set RENFORT_BUILD_DIR)")
        self.server = Server(extra_args=("--listen", f"127.0.0.1:{free_port()}"))
        self.addCleanup(self.server.cleanup)
        self.admin = self.server.token("admin")
        self.server.start()
        self.cli = Cli([self.admin])
        self.addCleanup(self.cli.cleanup)
        self.url = f"http://127.0.0.1:{self.server.port}"
        st, s, _ = self.server.http("POST", "/api/v1/structures", self.admin, body={
            "name": "EHPAD Les Tilleuls", "category": "ehpad", "legal_form": "association", "commune": ALBI,
            "capacity": 80, "occupancy": 60, "staff": 40})
        self.assertEqual(st, 201, s)
        self.home = s["id"]

    def tearDown(self):
        self.server.stop()  # cleanly, with no sanitizer report

    def report(self, item):
        p = self.cli.run("report", f"{item}=0", "--holder", f"structure:{self.home}", "-q", url=self.url,
                         token=self.admin)
        self.assertEqual(p.returncode, 0, p.stderr)

    def restart_while_watching(self, topics, count):
        """Watches, reports, restarts renfortd, reports again; returns (events, stderr)."""
        w = self.cli.start("watch", "--topics", topics, "--count", str(count), "--json", "--timeout", "120",
                           url=self.url, token=self.admin)
        try:
            w.wait_for(f"watching {re.escape(topics)} at seq")
            self.report("alcohol-based-hand-rub")
            w.wait_for(r'"event":"alert\.opened"', where="out")
            self.server.stop()
            w.wait_for("connection lost")
            time.sleep(1)  # it tries again meanwhile, and says so
            self.server.start()
            w.wait_for(r"reconnected: watching .*, resuming after seq \d+", timeout=60)
            self.report("gown-protective")
            code, out, err = w.finish(timeout=60)
        finally:
            w.kill()
        self.assertEqual(code, 0, err)
        self.assertIn("reconnecting in", err)
        return [json.loads(l) for l in out.splitlines()], err

    def test_resumes_after_a_restart_missing_nothing(self):
        events, err = self.restart_while_watching("*", 4)
        self.assertEqual([e["event"] for e in events], ["alert.opened", "stock.level"] * 2)
        self.assertEqual([e["data"]["item"] for e in events],
                         ["alcohol-based-hand-rub"] * 2 + ["gown-protective"] * 2)
        # every event once, in order, none missed: renfortd keeps numbering across its restart
        self.assertEqual([e["seq"] for e in events], list(range(events[0]["seq"], events[0]["seq"] + 4)))
        self.assertNotIn("no longer holds", err)

    def test_says_when_renfortd_no_longer_holds_what_was_missed(self):
        # following alerts only, it last saw the alert, not the stock level after it: renfortd,
        # restarted with an empty log, cannot tell whether that mattered, and says reload
        events, err = self.restart_while_watching("alerts", 2)
        self.assertEqual([e["data"]["item"] for e in events], ["alcohol-based-hand-rub", "gown-protective"])
        self.assertLess(events[0]["seq"], events[1]["seq"])
        self.assertIn("warning: renfortd no longer holds the events after seq %d" % events[0]["seq"], err)


if __name__ == "__main__":
    unittest.main()
