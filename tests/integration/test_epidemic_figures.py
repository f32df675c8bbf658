"""Epidemic figures (issue 14, part 3): a coordinator loads the daily hospital figures per
département, as ARS Occitanie published them, through the API and the command line; a bad file is
refused whole with an error naming the line, the column and the rule, and changes nothing; a
coordinator loads and reads only the départements of their territory."""

import datetime
import math
import os
import shutil
import tempfile
import zoneinfo

from harness import ServerTest
from test_cli import RENFORT, Cli

HERE = os.path.dirname(os.path.abspath(__file__))
ARS = os.path.join(HERE, "../../schema/data/ars-occitanie-daily.csv")
HEADER = "date,departement_code,departement_name,hospitalised,intensive_care,discharged,deaths\n"


def ars_text():
    with open(ARS, encoding="utf-8") as f:
        return f.read()


class EpidemicFigures(ServerTest):
    @classmethod
    def prepare(cls, server):
        cls.admin = server.token("admin")
        cls.coord81 = server.token("coordinator", scope="81")
        cls.observer = server.token("observer")

    def load(self, text, token=None, key=None):
        headers = {"Idempotency-Key": key} if key else None
        return self.api("POST", "/api/v1/epidemic/import", token=token, raw=text, content_type="text/csv",
                        headers=headers)

    def test_1_the_ars_file_loads_whole_and_reads_back(self):
        text = ars_text()
        rows = [l for l in text.splitlines()[1:] if l]
        st, out, _ = self.load(text)
        self.assertEqual(st, 201, out)
        self.assertEqual(out, {"imported": len(rows), "departements": 13, "first_day": "2020-03-07",
                               "last_day": "2020-03-31"})
        st, got, _ = self.api("GET", "/api/v1/epidemic?dep=34&from=2020-03-30", token=self.observer)
        self.assertEqual(st, 200, got)
        want = [r.split(",") for r in rows if r.split(",")[1] == "34" and r.split(",")[0] >= "2020-03-30"]
        self.assertEqual(len(got["items"]), len(want))
        for item, w in zip(got["items"], want):
            self.assertEqual(item["date"], w[0])
            self.assertEqual(item["dep"], "34")
            for name, cell in zip(("hospitalised", "intensive_care", "discharged", "deaths"), w[3:]):
                self.assertEqual(item[name], int(cell) if cell else None, (item, w))
        # a blank cell of the bulletin is no figure, not a zero
        st, got, _ = self.api("GET", "/api/v1/epidemic?dep=11&to=2020-03-07")
        self.assertEqual(got["items"], [{"dep": "11", "date": "2020-03-07", "hospitalised": None,
                                         "intensive_care": None, "discharged": None, "deaths": 0}])
        # a corrected bulletin replaces its day
        st, out, _ = self.load(HEADER + "2020-03-31,34,Hérault,200,60,,\n")
        self.assertEqual((st, out["imported"]), (201, 1), out)
        st, got, _ = self.api("GET", "/api/v1/epidemic?dep=34&from=2020-03-31")
        self.assertEqual(got["items"], [{"dep": "34", "date": "2020-03-31", "hospitalised": 200,
                                         "intensive_care": 60, "discharged": None, "deaths": None}])

    def test_bad_files_are_refused_whole_and_change_nothing(self):
        good = "2020-03-20,81,Tarn,5,1,0,0\n"
        cases = [
            ("", 400, "invalid_csv", "body", None),
            (HEADER, 422, "invalid_csv", "body", 1),
            ("date,departement_code,cases\n2020-03-20,81,4\n", 422, "unknown_column", "cases", 1),
            ("departement_code,hospitalised\n81,4\n", 422, "invalid_csv", "date", 1),
            ("date,hospitalised\n2020-03-20,4\n", 422, "invalid_csv", "departement_code", 1),
            ("date,departement_code,departement_name\n2020-03-20,81,Tarn\n", 422, "invalid_csv", "body", 1),
            ("date,departement_code,hospitalised,hospitalised\n2020-03-20,81,4,4\n", 422, "invalid_csv",
             "hospitalised", 1),
            (HEADER + good + "2020-03-21,81,Tarn,5,1,0\n", 422, "invalid_csv", "body", 3),
            (HEADER + good + "20/03/2020,81,Tarn,5,1,0,0\n", 422, "invalid", "date", 3),
            (HEADER + good + "2020-02-30,81,Tarn,5,1,0,0\n", 422, "invalid", "date", 3),
            (HEADER + good + "2020-03-21,Tarn,Tarn,5,1,0,0\n", 422, "invalid", "departement_code", 3),
            (HEADER + good + "2020-03-21,81,Tarn,-5,1,0,0\n", 422, "invalid", "hospitalised", 3),
            (HEADER + good + "2020-03-21,81,Tarn,5,1.5,0,0\n", 422, "invalid", "intensive_care", 3),
            (HEADER + good + "2020-03-21,81,Tarn,5,1,0,many\n", 422, "invalid", "deaths", 3),
            (HEADER + good + "2020-03-21,81,Tarn,5,1,0,0\n" + good, 422, "invalid_csv", "date", 4),
            (HEADER + good + "2020-03-21,75,Paris,5,1,0,0\n", 404, "not_found", "departement_code", 3),
            (HEADER + good + '2020-03-21,81,"Tarn,5,1,0,0\n', 422, "invalid_csv", "body", 3),
        ]
        with self.unchanged():
            for text, status, code, field, line in cases:
                with self.subTest(text=text):
                    err = self.assertError(self.load(text), status, field=field, code=code)
                    if line is not None:
                        self.assertEqual(err.get("line"), line, err)
            err = self.assertError(self.api("POST", "/api/v1/epidemic/import", raw=HEADER + good,
                                            content_type="application/json"), 415, "content-type",
                                   "unsupported_media_type")

    def test_a_coordinator_loads_and_reads_their_territory_only(self):
        with self.unchanged():
            # the Hérault is not the Tarn coordinator's: as if it did not exist, and the Tarn's row
            # before it is not written either
            err = self.assertError(self.load(HEADER + "2020-04-02,81,Tarn,7,2,1,0\n2020-04-02,34,Hérault,9,3,1,0\n",
                                             token=self.coord81), 404, "departement_code", "not_found")
            self.assertEqual(err["line"], 3)
            self.assertError(self.api("GET", "/api/v1/epidemic?dep=34", token=self.coord81), 404, "dep", "not_found")
            self.assertError(self.load(HEADER + "2020-04-02,81,Tarn,7,2,1,0\n", token=self.observer), 403)
            self.assertError(self.api("GET", "/api/v1/epidemic?from=1er%20avril"), 422, "from", "invalid")
            self.assertError(self.api("GET", "/api/v1/epidemic?region=76"), 422, "region", "unknown_field")
        st, out, _ = self.load(HEADER + "2020-04-02,81,Tarn,7,2,1,0\n", token=self.coord81)
        self.assertEqual((st, out["imported"]), (201, 1), out)
        st, got, _ = self.api("GET", "/api/v1/epidemic?from=2020-04-01", token=self.coord81)
        self.assertEqual(st, 200, got)
        self.assertEqual({i["dep"] for i in got["items"]}, {"81"}, got)
        self.assertIn({"dep": "81", "date": "2020-04-02", "hospitalised": 7, "intensive_care": 2,
                       "discharged": 1, "deaths": 0}, got["items"])

    def test_the_command_line_loads_the_file(self):
        if not os.access(RENFORT, os.X_OK):
            raise AssertionError(f"no CLI binary at {RENFORT} (set RENFORT_BUILD_DIR)")
        cli = Cli([self.admin])
        self.addCleanup(cli.cleanup)
        tmp = tempfile.mkdtemp(prefix="renfort-epidemic-")
        self.addCleanup(shutil.rmtree, tmp, True)
        url = f"http://127.0.0.1:{self.server.port}"
        path = os.path.join(tmp, "tarn.csv")
        with open(path, "w", encoding="utf-8") as f:
            f.write(HEADER + "2020-04-05,81,Tarn,11,3,2,1\n2020-04-05,82,Tarn-et-Garonne,4,1,0,0\n")
        p = cli.run("import", "epidemic", path, url=url, token=self.admin)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("imported 2 daily figures of 2 départements (2020-04-05 to 2020-04-05)", p.stdout)
        st, got, _ = self.api("GET", "/api/v1/epidemic?dep=82&from=2020-04-05")
        self.assertEqual(got["items"][0]["hospitalised"], 4, got)
        bad = os.path.join(tmp, "bad.csv")
        with open(bad, "w", encoding="utf-8") as f:
            f.write(HEADER + "2020-04-06,81,Tarn,onze,3,2,1\n")
        with self.unchanged():
            p = cli.run("import", "epidemic", bad, url=url, token=self.admin)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("hospitalised", p.stderr)
        self.assertIn("line 2", p.stderr)
        self.assertIn("nothing was imported", p.stderr)


class EpidemicFiguresInformTheForecast(ServerTest):
    """A holder with little history (two counts: no growth of its own) takes the growth of its
    département's hospital figures when they are fresh, and nothing from stale ones or from another
    département's."""
    extra_args = ("--set", "test_clock=1", "--set", "silent_after_hours=1000")

    def today(self):
        st, out, _ = self.api("POST", "/api/v1/clock/advance", body={"ms": 0})
        self.assertEqual(st, 200, out)
        now = datetime.datetime.fromisoformat(out["now"].replace("Z", "+00:00"))
        return now.astimezone(zoneinfo.ZoneInfo("Europe/Paris")).date()

    @staticmethod
    def doubling_every_3_days(dep, name, last_day):
        """Seven daily figures ending on last_day, doubling every 3 days."""
        rows = []
        for i in range(7):
            day = last_day - datetime.timedelta(days=6 - i)
            rows.append(f"{day.isoformat()},{dep},{name},{round(100 * 2 ** (i / 3))},10,0,0\n")
        return HEADER + "".join(rows)

    def report(self, holder, quantity, key):
        st, body, _ = self.api("POST", "/api/v1/stock/reports", headers={"Idempotency-Key": key},
                               body={"holder_kind": "structure", "holder_id": holder,
                                     "items": [{"item": "gloves-examination", "quantity": quantity}]})
        self.assertEqual(st, 201, body)

    def growth(self, holder, key):
        """The level's growth once evaluated again: a level keeps the path of its last evaluation (a
        count, a movement, the sweep), which a receipt makes now."""
        st, body, _ = self.api("POST", "/api/v1/stock/movements", headers={"Idempotency-Key": key},
                               body={"holder_kind": "structure", "holder_id": holder, "item": "gloves-examination",
                                     "kind": "receipt", "quantity": 10, "origin": "purchase"})
        self.assertEqual(st, 201, body)
        st, body, _ = self.api("GET", f"/api/v1/stock/levels?holder_kind=structure&holder_id={holder}"
                                      "&item=gloves-examination")
        self.assertEqual(st, 200, body)
        (lv,) = body["items"]
        self.assertIsNotNone(lv["trend"], lv)
        return lv["trend"]["growth_per_day"]

    def load(self, text):
        st, out, _ = self.api("POST", "/api/v1/epidemic/import", raw=text, content_type="text/csv")
        self.assertEqual(st, 201, out)

    def test_fresh_figures_pull_the_growth_stale_ones_do_not(self):
        s = self.create_record("structures", {
            "name": "EHPAD Le Castelet", "category": "ehpad", "legal_form": "association", "commune": "81004",
            "capacity": 80, "occupancy": 60, "staff": 40,
            "contacts": [{"name": "Direction", "phone": "+33639981111", "lang": "fr"}]})["id"]
        self.report(s, 1000, "epi-1")
        st, out, _ = self.api("POST", "/api/v1/clock/advance", body={"ms": 86400000})
        self.assertEqual(st, 200, out)
        self.report(s, 900, "epi-2")
        before = self.growth(s, "epi-r1")
        today = self.today()
        # figures that ended three weeks ago say nothing of today's epidemic; the Hérault's fresh ones
        # are not the Tarn's
        self.load(self.doubling_every_3_days("81", "Tarn", today - datetime.timedelta(days=21)) +
                  self.doubling_every_3_days("34", "Hérault", today - datetime.timedelta(days=1))[len(HEADER):])
        self.assertEqual(self.growth(s, "epi-r2"), before)
        st, out, _ = self.api("POST", "/api/v1/clock/advance", body={"ms": 60000})
        self.assertEqual(self.growth(s, "epi-r3"), before)
        # the Tarn's figures doubling every 3 days up to yesterday: the holder's growth moves toward
        # theirs (ln 2 / 3 a day: 26% more each day), from the import on and after the pool's next
        # rebuild
        self.load(self.doubling_every_3_days("81", "Tarn", today - datetime.timedelta(days=1)))
        figures = math.expm1(math.log(2) / 3)
        after = self.growth(s, "epi-r4")
        self.assertGreater(after, before + 0.05, (before, after))
        self.assertLessEqual(abs(figures - after), abs(figures - before) - 0.05, (before, after, figures))
        st, out, _ = self.api("POST", "/api/v1/clock/advance", body={"ms": 60000})
        self.assertEqual(self.growth(s, "epi-r5"), after)


if __name__ == "__main__":
    import unittest
    unittest.main()
