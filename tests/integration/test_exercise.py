"""The exercise mode (issue 14, part 4), as a cell would start it: `renfortd exercise SCENARIO --speed N`
on a database of its own plays a scenario (here generate.py's small cluster scenario: two hospitals,
28 days, the use tripling in one of them on day 14) through the API, and everything it produces is
marked: every alert's CAP document and the feed say status Exercise, every SMS text starts with
[EXERCICE] (and the size rule of sms.send counts the marker), whoami says exercise. A database that
was not made by renfortd exercise is refused and left as it was; the same scenario on an ordinary
server gives status Actual and texts with no marker."""

import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

from harness import RENFORTD, Server, ServerTest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "bench", "forecast"))
import replay  # noqa: E402

MARK = "[EXERCICE] "
# 28 simulated days in about 6 real seconds (more under the sanitizers: the driver keeps up as it can)
SPEED = 400000
PLAYED = "has played out"


def small_scenario(tmp):
    p = subprocess.run([sys.executable, os.path.join(ROOT, "tests", "bench", "forecast", "generate.py"), "--small",
                        "--out", tmp], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    return os.path.join(tmp, "cluster-small.json")


def all_pages(server, token, path):
    items, after = [], 0
    while True:
        sep = "&" if "?" in path else "?"
        st, out, _ = server.http("GET", f"{path}{sep}limit=100&after={after}", token=token)
        assert st == 200, (st, out)
        items += out["items"]
        if not out.get("next"):
            return items
        after = items[-1]["id"]


def alerts_of(server, token):
    return [a for s in ("active", "resolved") for a in all_pages(server, token, "/api/v1/alerts?status=" + s)]


class Exercise(ServerTest):
    @classmethod
    def new_server(cls):
        cls.tmp = tempfile.mkdtemp(prefix="renfort-exercise-")
        cls.scenario_path = small_scenario(cls.tmp)
        with open(cls.scenario_path, encoding="utf-8") as f:
            cls.scenario = json.load(f)
        return Server(extra_args=("exercise", cls.scenario_path, "--speed", str(SPEED)))

    @classmethod
    def prepare(cls, server):
        pass  # nothing before start: the exercise makes (and marks) its database itself

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.addClassCleanup(lambda: subprocess.run(["rm", "-rf", cls.tmp]))
        deadline = time.time() + 300
        while PLAYED not in cls.server.stderr():
            if time.time() > deadline or "exercise: the scenario stopped" in cls.server.stderr():
                raise AssertionError("the scenario did not play out: " + cls.server.stderr()[-3000:])
            time.sleep(0.2)
        cls.admin = cls.server.token("admin")

    def test_the_scenario_played_through_the_api(self):
        out = self.server.stdout()
        self.assertIn("renfort EXERCISE is running", out)
        cell = re.search(r"\?token=(rf_\S+)", out).group(1)
        st, who, _ = self.api("GET", "/api/v1/whoami", token=cell)
        self.assertEqual((st, who["role"], who["exercise"]), (200, "coordinator", True))
        structures = all_pages(self.server, self.admin, "/api/v1/structures")
        self.assertEqual(sorted(s["name"] for s in structures), sorted(s["name"] for s in self.scenario["structures"]))
        con = sqlite3.connect(self.server.db)
        try:
            # the simulated structures counted with tokens of their own, as clients do
            reports = con.execute("SELECT count(*) FROM stock_reports").fetchone()[0]
            roles = {r for (r,) in con.execute("SELECT role FROM tokens WHERE label LIKE 'exercise: %'")}
        finally:
            con.close()
        self.assertEqual(reports, len(self.scenario["counts"]))
        self.assertEqual(roles, {"structure"})
        self.assertIn(f"{len(self.scenario['counts'])} counts, {len(self.scenario['deliveries'])} deliveries",
                      self.server.stderr())

    def test_every_cap_document_is_marked(self):
        alerts = alerts_of(self.server, self.admin)
        self.assertTrue(any(a["severity"] in ("critical", "stockout") for a in alerts), alerts)
        for a in alerts:
            st, doc, _ = self.server.http("GET", f"/api/v1/alerts/{a['id']}/cap", token=self.admin)
            self.assertEqual(st, 200)
            self.assertEqual(re.findall(r"<status>([^<]*)</status>", doc), ["Exercise"], doc)
        st, feed, _ = self.server.http("GET", "/api/v1/alerts/feed", token=self.admin)
        entries = feed.count("<entry>")
        self.assertGreater(entries, 0)
        self.assertEqual(feed.count("<status>Exercise</status>"), entries)
        self.assertNotIn("Actual", feed)

    def test_every_sms_is_marked(self):
        sms = all_pages(self.server, self.admin, "/api/v1/sms/outbox")
        self.assertGreaterEqual(len([m for m in sms if m["kind"] == "alert_critical"]), 2, sms)
        for m in sms:
            self.assertTrue(m["text"].startswith(MARK), m)
        st, out, _ = self.api("POST", "/api/v1/sms/send", body={"to": "+33600000001", "text": "Point de situation à 18 h"})
        self.assertEqual(st, 201, out)
        st, out, _ = self.api("GET", "/api/v1/sms/outbox?kind=message&limit=100")
        self.assertEqual([m["text"] for m in out["items"] if m["phone"] == "+33600000001"], [MARK + "Point de situation à 18 h"])

    def test_the_size_rule_counts_the_marker(self):
        # 910 GSM characters fit the 6 SMS allowed (918 septets) alone; with the 13 of the marker, 7 are needed
        with self.unchanged():
            st, out, _ = self.api("POST", "/api/v1/sms/send", body={"to": "+33600000002", "text": "a" * 910})
        self.assertEqual(st, 422, out)
        self.assertEqual((out["error"]["code"], out["error"]["field"], out["error"]["rule"]),
                         ("invalid", "text", "must fit in 6 SMS (this text needs 7, with the exercise marker)"))
        st, out, _ = self.api("POST", "/api/v1/sms/send", body={"to": "+33600000002", "text": "a" * 905})
        self.assertEqual(st, 201, out)

    def test_played_twice_on_the_same_database_refused_by_the_driver(self):
        # a second exercise on the marked database starts, but its driver will not play the scenario again
        again = Server(extra_args=("exercise", self.scenario_path, "--speed", str(SPEED)), db=self.server.db)
        try:
            again.start()
            deadline = time.time() + 60
            while "a scenario was played on it" not in again.stderr():
                self.assertLess(time.time(), deadline, again.stderr())
                time.sleep(0.1)
            again.stop()
        finally:
            again.cleanup()


class Refused(unittest.TestCase):
    def test_a_database_without_the_mark_is_refused_and_unchanged(self):
        tmp = tempfile.mkdtemp(prefix="renfort-exercise-")
        try:
            scenario = small_scenario(tmp)
            real = Server(tmpdir=tmp)
            real.token("admin")  # an ordinary database, as renfortd made it
            before = real.fingerprint()
            p = subprocess.run([RENFORTD, "exercise", scenario, "--db", real.db, "--listen", "127.0.0.1:0"],
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 1, p.stderr)
            self.assertIn(f"exercise: {real.db} is not an exercise's database", p.stderr)
            self.assertEqual(real.fingerprint(), before)
            # nor with a scenario that is not there or a speed that is not one, before anything is opened
            p = subprocess.run([RENFORTD, "exercise", os.path.join(tmp, "none.json"), "--db",
                                os.path.join(tmp, "new.db")], capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 2)
            self.assertIn("exercise: cannot read the scenario " + os.path.join(tmp, "none.json"), p.stderr)
            p = subprocess.run([RENFORTD, "exercise", scenario, "--speed", "0", "--db", os.path.join(tmp, "new.db")],
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 2)
            self.assertIn("--speed must be a whole number from 1 to 10000000", p.stderr)
            self.assertFalse(os.path.exists(os.path.join(tmp, "new.db")))
        finally:
            subprocess.run(["rm", "-rf", tmp])


class Ordinary(unittest.TestCase):
    """The same scenario on an ordinary server (the forecast benchmark's replay): status Actual, no marker."""

    def test_actual_and_no_marker(self):
        with tempfile.TemporaryDirectory(prefix="renfort-exercise-") as tmp:
            with open(small_scenario(tmp), encoding="utf-8") as f:
                sc = json.load(f)
            run = replay.Run(sc, "new", RENFORTD)
            try:
                run.replay_events()  # stops the server at the end, its database kept
                run.server.start()
                admin = run.server.token("admin")
                st, who, _ = run.server.http("GET", "/api/v1/whoami", token=admin)
                self.assertIs(who["exercise"], False)
                alerts = alerts_of(run.server, admin)
                self.assertTrue(any(a["severity"] in ("critical", "stockout") for a in alerts))
                for a in alerts:
                    st, doc, _ = run.server.http("GET", f"/api/v1/alerts/{a['id']}/cap", token=admin)
                    self.assertEqual(re.findall(r"<status>([^<]*)</status>", doc), ["Actual"])
                sms = all_pages(run.server, admin, "/api/v1/sms/outbox")
                self.assertGreaterEqual(len(sms), 2)
                for m in sms:
                    self.assertFalse(m["text"].startswith("["), m)
                    self.assertNotIn("EXERCICE", m["text"])
                run.server.stop()
            finally:
                if run.server.proc and run.server.proc.poll() is None:
                    run.server.stop(expect_clean=False)
                run.server.cleanup()


if __name__ == "__main__":
    unittest.main()
