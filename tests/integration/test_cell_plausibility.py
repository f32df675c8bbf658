"""Issue 15, no silent mistakes: a count far from the holder's history (10 times the last level, or
a tenth of what consumption leaves) is refused with the named error `implausible` until the report
says it is confirmed, and changes nothing meanwhile; an acknowledged alert that such a count
resolved takes its acknowledgement and note back when the next count brings it back."""

import unittest

from harness import ServerTest

HOUR = 3600000


class Plausibility(ServerTest):
    # an alert that recovers resolves at once: issue 14's hold and reopening off, so that the carry-over is seen
    extra_args = ("--set", "test_clock=1", "--set", "silent_after_hours=1000", "--set", "forecast_model=average", "--set", "alert_hold_hours=0", "--set", "alert_reopen_hours=0")

    @classmethod
    def prepare(cls, server):
        cls.admin = server.token("admin")
        cls.marie = server.token("coordinator", scope="81", label="Marie Dupont")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.albi = cls.create_record("structures", {
            "name": "EHPAD Les Tilleuls", "category": "ehpad", "legal_form": "association", "commune": "81004",
            "capacity": 80, "occupancy": 60, "staff": 40})["id"]
        cls.structure = cls.server.http("POST", "/api/v1/tokens", cls.admin, body={
            "role": "structure", "subject_id": cls.albi, "label": "Tilleuls"})[1]["token"]
        cls.n = 0

    def report(self, item, quantity, key=None, token=None, **extra):
        if key is None:
            Plausibility.n += 1
            key = f"p{Plausibility.n}"
        body = {"items": [{"item": item, "quantity": quantity}]}
        body.update(extra)
        return self.api("POST", "/api/v1/stock/reports", token=token or self.structure, body=body,
                        headers={"Idempotency-Key": key})

    def level(self, item):
        st, body, _ = self.api("GET", f"/api/v1/stock/levels?holder_kind=structure&holder_id={self.albi}&item={item}")
        self.assertEqual(st, 200, body)
        return body["items"][0]["quantity"]

    def test_100x_refused_then_confirmed(self):
        st, body, _ = self.report("respirator", 468)
        self.assertEqual(st, 201, body)
        with self.unchanged():
            err = self.assertError(self.report("respirator", 46800, key="typo"), 422, "items[0].quantity",
                                   "implausible")
            self.assertIn("468", err["rule"])
            self.assertIn('"confirmed": true', err["rule"])
            self.assertError(self.report("respirator", 46800, key="typo", confirmed=False), 422,
                             "items[0].quantity", "implausible")
            self.assertError(self.report("respirator", 46800, key="typo", confirmed="yes"), 422, "confirmed",
                             "invalid")
            # two zeros dropped
            self.assertError(self.report("respirator", 4), 422, "items[0].quantity", "implausible")
            # the second line of a report is named
            st, body, _ = self.api("POST", "/api/v1/stock/reports", token=self.structure, body={
                "items": [{"item": "face-shield", "quantity": 5}, {"item": "respirator", "quantity": 99999}]},
                headers={"Idempotency-Key": "two-lines"})
            self.assertEqual(st, 422, body)
            self.assertEqual(body["error"]["field"], "items[1].quantity")
        self.assertEqual(self.level("respirator"), 468)
        # the same key, confirmed: it is the reporter's word
        st, body, _ = self.report("respirator", 46800, key="typo", confirmed=True)
        self.assertEqual(st, 201, body)
        self.assertEqual(self.level("respirator"), 46800)
        # within the factor, and zero (an empty shelf), need no confirmation
        self.assertEqual(self.report("respirator", 5000)[0], 201)
        self.assertEqual(self.report("respirator", 0)[0], 201)

    def test_acknowledgement_carries_over_a_mistaken_count(self):
        item = "liquid-soap"
        st, body, _ = self.report(item, 0)
        self.assertEqual(st, 201, body)
        alert = body["levels"][0]["alert"]
        self.assertEqual(alert["severity"], "stockout")
        st, a, _ = self.api("POST", f"/api/v1/alerts/{alert['id']}/acknowledge", self.marie,
                            body={"note": "commande passée, livraison 6h"})
        self.assertEqual(st, 200, a)
        # 4,680 typed for 0: refused, then confirmed by a tired night nurse: the alert recovers
        self.assertError(self.report(item, 4680), 422, "items[0].quantity", "implausible")
        st, body, _ = self.report(item, 4680, confirmed=True)
        self.assertEqual(st, 201, body)
        st, gone, _ = self.api("GET", f"/api/v1/alerts/{alert['id']}")
        self.assertEqual((gone["status"], gone["resolution"]), ("resolved", "recovered"))
        # the corrected count brings it back, acknowledged, with its note and who wrote it
        st, body, _ = self.report(item, 0, confirmed=True)
        self.assertEqual(st, 201, body)
        again = body["levels"][0]["alert"]
        self.assertNotEqual(again["id"], alert["id"])
        st, b, _ = self.api("GET", f"/api/v1/alerts/{again['id']}")
        self.assertEqual(b["status"], "acknowledged", b)
        self.assertEqual(b["ack_note"], "commande passée, livraison 6h")
        self.assertEqual(b["acknowledged_by"]["name"], "Marie Dupont")

    def test_acknowledgement_does_not_carry_after_a_day(self):
        item = "bio-hazardous-bag"
        st, body, _ = self.report(item, 0)
        alert = body["levels"][0]["alert"]
        self.api("POST", f"/api/v1/alerts/{alert['id']}/acknowledge", self.marie, body={"note": "vu"})
        st, body, _ = self.report(item, 4680, confirmed=True)
        self.assertEqual(body["levels"][0]["alert"], None, body)
        self.api("POST", "/api/v1/clock/advance", body={"ms": 25 * HOUR})
        st, body, _ = self.report(item, 0)
        st, b, _ = self.api("GET", f"/api/v1/alerts/{body['levels'][0]['alert']['id']}")
        self.assertEqual((b["status"], b["ack_note"], b["acknowledged_by"]), ("open", None, None), b)


if __name__ == "__main__":
    unittest.main()
