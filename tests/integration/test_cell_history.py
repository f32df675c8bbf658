"""Issue 15, memory: a holder's stock history from the ledger (who counted, what moved), within the
caller's scope; trends of reports and active alerts per hour or day from the server's own tables,
so that a reload loses nothing; named errors for bad parameters."""

import unittest

from harness import ServerTest

HOUR = 3600000


class History(ServerTest):
    extra_args = ("--set", "test_clock=1", "--set", "silent_after_hours=1000", "--set", "history_days=30")

    @classmethod
    def prepare(cls, server):
        cls.admin = server.token("admin")
        cls.marie = server.token("coordinator", scope="81", label="Marie Dupont")
        cls.jeanne = server.token("coordinator", scope="34", label="Jeanne Roux")
        cls.observer = server.token("observer", scope="region")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.albi = cls.create_record("structures", {
            "name": "EHPAD Les Tilleuls", "category": "ehpad", "legal_form": "association", "commune": "81004",
            "capacity": 80, "occupancy": 60, "staff": 40})["id"]
        cls.sete = cls.create_record("structures", {
            "name": "EHPAD La Mer", "category": "ehpad", "legal_form": "public", "commune": "34301",
            "capacity": 50, "occupancy": 50, "staff": 30})["id"]
        cls.tilleuls = cls.server.http("POST", "/api/v1/tokens", cls.admin, body={
            "role": "structure", "subject_id": cls.albi, "label": "Infirmière de nuit, Tilleuls"})[1]["token"]
        n = 0
        for qty in (500, 420, 0):
            n += 1
            st, body, _ = cls.server.http("POST", "/api/v1/stock/reports", cls.tilleuls, body={
                "items": [{"item": "respirator", "quantity": qty}, {"item": "face-shield", "quantity": 50}]},
                headers={"Idempotency-Key": f"h{n}"})
            assert st == 201, body
            cls.server.http("POST", "/api/v1/clock/advance", cls.admin, body={"ms": 2 * HOUR})
        st, body, _ = cls.server.http("POST", "/api/v1/stock/movements", cls.marie, body={
            "holder_kind": "structure", "holder_id": cls.albi, "item": "respirator", "kind": "receipt", "quantity": 300,
            "origin": "purchase"},
            headers={"Idempotency-Key": "m1"})
        assert st == 201, body
        st, body, _ = cls.server.http("POST", "/api/v1/stock/reports", cls.admin, body={
            "holder_kind": "structure", "holder_id": cls.sete, "items": [{"item": "respirator", "quantity": 0}]},
            headers={"Idempotency-Key": "sete"})
        assert st == 201, body

    def test_history_of_an_item(self):
        st, h, _ = self.api("GET", f"/api/v1/stock/history?holder_kind=structure&holder_id={self.albi}&item=respirator",
                            self.marie)
        self.assertEqual(st, 200, h)
        self.assertEqual(h["holder_name"], "EHPAD Les Tilleuls")
        self.assertEqual([(r["kind"], r["quantity"], r["delta"]) for r in h["items"]],
                         [("report", 500, 500), ("report", 420, -80), ("report", 0, -420), ("receipt", 300, 300)])
        self.assertEqual(h["items"][0]["by"]["name"], "Infirmière de nuit, Tilleuls")
        self.assertEqual(h["items"][3]["by"]["name"], "Marie Dupont")
        self.assertIsNone(h["next"])
        # the structure reads its own, every item; paged
        st, own, _ = self.api("GET", "/api/v1/stock/history?limit=2", self.tilleuls)
        self.assertEqual(st, 200, own)
        self.assertEqual(len(own["items"]), 2)
        st, more, _ = self.api("GET", f"/api/v1/stock/history?limit=100&after={own['next']}", self.tilleuls)
        self.assertEqual(len(more["items"]), 5)
        # days: only what is recent
        self.api("POST", "/api/v1/clock/advance", body={"ms": 0})
        st, recent, _ = self.api("GET", f"/api/v1/stock/history?holder_kind=structure&holder_id={self.albi}&days=1")
        self.assertEqual(len(recent["items"]), 7)

    def test_history_refusals(self):
        with self.unchanged():
            self.assertError(self.api("GET", f"/api/v1/stock/history?holder_kind=structure&holder_id={self.albi}",
                                      self.jeanne), 404, "holder_id", "not_found")
            self.assertError(self.api("GET", "/api/v1/stock/history", self.marie), 422, "holder_kind", "invalid")
            self.assertError(self.api("GET", f"/api/v1/stock/history?holder_kind=structure&holder_id={self.albi}&days=31"),
                             422, "days", "invalid")
            self.assertError(self.api("GET", f"/api/v1/stock/history?holder_id={self.albi}"), 422, "holder_kind",
                             "required")
            self.assertError(self.api("GET", "/api/v1/stock/history?holder_kind=structure"), 422, "holder_id",
                             "required")
            self.assertError(self.api("GET", f"/api/v1/stock/history?holder_kind=structure&holder_id={self.albi}"
                                             "&item=unicorn"), 422, "item", "invalid")
            self.assertError(self.api("GET", f"/api/v1/stock/history?holder_kind=structure&holder_id={self.albi}&x=1"),
                             422, "x", "unknown_field")
            self.assertError(self.api("GET", f"/api/v1/stock/history?holder_kind=structure&holder_id={self.albi}",
                                      self.observer), 403)

    def test_trends(self):
        st, tr, _ = self.api("GET", "/api/v1/stock/trends?hours=12", self.marie)
        self.assertEqual(st, 200, tr)
        self.assertEqual(len(tr["items"]), 12)
        self.assertEqual(tr["bucket"], "hour")
        # three reports of the Tarn; the Hérault's is not the Tarn coordinator's
        self.assertEqual(sum(b["reports"] for b in tr["items"]), 3)
        # the last bucket's active alerts are those open now
        st, open81, _ = self.api("GET", "/api/v1/alerts?kind=shortage", self.marie)
        self.assertEqual(tr["items"][-1]["active"], open81["total"])
        self.assertEqual(tr["items"][-1]["critical"], len([a for a in open81["items"] if a["severity"] != "warning"]))
        self.assertGreaterEqual(tr["items"][-1]["critical"], 1)
        st, reg, _ = self.api("GET", "/api/v1/stock/trends?hours=12", self.observer)
        self.assertEqual(sum(b["reports"] for b in reg["items"]), 4)
        self.assertEqual(reg["items"][-1]["active"], open81["total"] + 1)
        # and before the first report, nothing was active
        self.assertEqual(reg["items"][0]["active"], 0)
        st, one, _ = self.api("GET", "/api/v1/stock/trends?hours=12&dep=34", self.marie)
        self.assertEqual(sum(b["reports"] for b in one["items"]), 0)
        st, days, _ = self.api("GET", "/api/v1/stock/trends?hours=720&bucket=day", self.observer)
        self.assertEqual(len(days["items"]), 30)
        with self.unchanged():
            self.assertError(self.api("GET", "/api/v1/stock/trends?hours=721"), 422, "hours", "invalid")
            self.assertError(self.api("GET", "/api/v1/stock/trends?bucket=week"), 422, "bucket", "invalid")
            self.assertError(self.api("GET", "/api/v1/stock/trends?dep=8"), 422, "dep", "invalid")
            self.assertError(self.api("GET", "/api/v1/stock/trends", self.tilleuls), 403)


if __name__ == "__main__":
    unittest.main()
