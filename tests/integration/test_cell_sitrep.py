"""Issue 15, nothing to hand on: the daily situation report of a territory and a Paris day
(shortages by item and département, changes since yesterday, structures in stock-out, silent ones,
who reported), as JSON and as CSV with formulas neutralised; the reporting completeness with the
list to chase; named errors for a bad day, département or format."""

import csv
import datetime
import io
import unittest
import zoneinfo

from harness import ServerTest

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
HOUR = 3600000


class Sitrep(ServerTest):
    extra_args = ("--set", "test_clock=1", "--set", "silent_after_hours=1000", "--set", "escalation_minutes=0")

    @classmethod
    def prepare(cls, server):
        cls.admin = server.token("admin")
        cls.region = server.token("coordinator", scope="region", label="Cellule régionale")
        cls.tarn = server.token("coordinator", scope="81", label="DD Tarn")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.create_record
        cls.a = s("structures", {"name": "EHPAD Les Tilleuls", "category": "ehpad", "legal_form": "association",
                                 "commune": "81004", "capacity": 80, "occupancy": 60, "staff": 40})["id"]
        cls.b = s("structures", {"name": "CH d'Albi", "category": "hospital", "legal_form": "public",
                                 "commune": "81004", "capacity": 400, "occupancy": 300, "staff": 600})["id"]
        cls.c = s("structures", {"name": "EHPAD La Mer", "category": "ehpad", "legal_form": "public",
                                 "commune": "34301", "capacity": 50, "occupancy": 50, "staff": 30})["id"]
        cls.d = s("structures", {"name": "=HYPERLINK(\"http://evil\")", "category": "ehpad", "legal_form": "private_for_profit",
                                 "commune": "81004", "capacity": 20, "occupancy": 20, "staff": 10})["id"]
        cls.n = 0
        # stay clear of Paris midnight: the story needs its days whole
        st, now, _ = cls.server.http("POST", "/api/v1/clock/advance", cls.admin, body={"ms": 0})
        t = datetime.datetime.fromisoformat(now["now"].replace("Z", "+00:00")).astimezone(PARIS)
        if t.hour >= 20 or t.hour < 2:
            cls.server.http("POST", "/api/v1/clock/advance", cls.admin, body={"ms": 8 * HOUR})

    def report(self, holder, quantity):
        Sitrep.n += 1
        st, body, _ = self.api("POST", "/api/v1/stock/reports", body={
            "holder_kind": "structure", "holder_id": holder, "items": [{"item": "respirator", "quantity": quantity}],
            "confirmed": True}, headers={"Idempotency-Key": f"s{Sitrep.n}"})
        self.assertEqual(st, 201, body)

    def today(self):
        st, now, _ = self.api("POST", "/api/v1/clock/advance", body={"ms": 0})
        return datetime.datetime.fromisoformat(now["now"].replace("Z", "+00:00")).astimezone(PARIS).date().isoformat()

    def situation(self, token, **params):
        q = "&".join(f"{k}={v}" for k, v in params.items())
        st, body, headers = self.api("GET", "/api/v1/reports/situation?" + q, token)
        self.assertEqual(st, 200, body)
        return body

    def test_1_a_day_and_the_next(self):
        day1 = self.today()
        self.report(self.a, 0)      # the Tilleuls are out of respirators
        self.report(self.b, 5000)
        s = self.situation(self.region, date=day1)
        self.assertEqual((s["territory"], s["date"]), ("region", day1))
        self.assertIn({"dep": "81", "item": "respirator", "item_name": "Respirator", "severity": "stockout",
                       "count": 1}, s["shortages"])
        self.assertEqual([(x["name"], x["items"]) for x in s["stockouts"]], [("EHPAD Les Tilleuls", "Respirator")])
        self.assertGreaterEqual(s["changes"]["opened"], 1)
        self.assertEqual(s["changes"]["stockout_holders"], 1)
        by = {(r["dep"], r["category"]): r for r in s["completeness"]}
        self.assertEqual({k: by[("81", "ehpad")][k] for k in ("structures", "reported", "late", "silent")},
                         {"structures": 2, "reported": 1, "late": 0, "silent": 1})
        self.assertEqual(by[("34", "ehpad")]["silent"], 1)
        chase = {x["name"]: x for x in s["chase"]}
        self.assertEqual(set(chase), {"EHPAD La Mer", "=HYPERLINK(\"http://evil\")"})
        self.assertEqual(chase["EHPAD La Mer"]["state"], "silent")
        self.assertIsNone(chase["EHPAD La Mer"]["last_report_at"])
        # the Tarn's coordinator: the Tarn only
        t = self.situation(self.tarn, date=day1)
        self.assertEqual(t["territory"], "81")
        self.assertEqual({r["dep"] for r in t["completeness"]}, {"81"})
        self.assertNotIn("EHPAD La Mer", [x["name"] for x in t["chase"]])
        # the next day: the hospital counts, the Tilleuls do not (late), the stock-out goes on
        self.api("POST", "/api/v1/clock/advance", body={"ms": 24 * HOUR})
        day2 = self.today()
        self.assertNotEqual(day1, day2)
        self.report(self.b, 4800)
        s2 = self.situation(self.region, date=day2)
        self.assertEqual(s2["changes"]["stockout_holders_yesterday"], 1)
        self.assertEqual(s2["changes"]["stockout_holders"], 1)
        chase2 = {x["name"]: x["state"] for x in s2["chase"]}
        self.assertEqual(chase2["EHPAD Les Tilleuls"], "late")
        st, comp, _ = self.api("GET", f"/api/v1/reports/completeness?date={day2}&dep=81", self.region)
        self.assertEqual(st, 200, comp)
        by2 = {(r["dep"], r["category"]): r for r in comp["completeness"]}
        self.assertEqual((by2[("81", "ehpad")]["late"], by2[("81", "hospital")]["reported"]), (1, 1))
        # the day before still says what it said
        again = self.situation(self.region, date=day1)
        self.assertEqual(again["completeness"], s["completeness"])

    def test_2_csv(self):
        st, text, headers = self.api("GET", "/api/v1/reports/situation?format=csv", self.region)
        self.assertEqual(st, 200, text)
        self.assertTrue(headers["content-type"].startswith("text/csv"), headers)
        self.assertIn("attachment", headers.get("content-disposition", ""))
        rows = list(csv.reader(io.StringIO(text)))
        self.assertEqual(rows[0], ["section", "dep", "subject", "detail", "count"])
        # today, when no day is asked for
        self.assertEqual(rows[1][:3], ["report", "region", self.today()])
        st, js, _ = self.api("GET", "/api/v1/reports/situation", self.region)
        self.assertEqual(js["date"], self.today())
        sections = {r[0] for r in rows[1:]}
        self.assertTrue({"report", "change", "completeness"} <= sections, sections)
        evil = [r for r in rows if "HYPERLINK" in r[2]]
        self.assertTrue(evil, text)
        # the spreadsheet shows the name, never runs it
        self.assertTrue(all(r[2].startswith("'=") for r in evil), evil)

    def test_3_refusals(self):
        with self.unchanged():
            for q, field in (("date=2026-02-30", "date"), ("date=tomorrow", "date"), ("date=2999-01-01", "date"),
                             ("dep=8", "dep"), ("format=pdf", "format")):
                self.assertError(self.api("GET", "/api/v1/reports/situation?" + q, self.region), 422, field, "invalid")
            self.assertError(self.api("GET", "/api/v1/reports/situation?colour=red", self.region), 422, "colour",
                             "unknown_field")
            self.assertError(self.api("GET", "/api/v1/reports/completeness?format=csv", self.region), 422, "format",
                             "unknown_field")


if __name__ == "__main__":
    unittest.main()
