"""Issue 15, named work: who acknowledged, resolved and took an alert ("I take it"), shown by the
label of their own token in the API, the events and the audit; an alert's timeline; the handover
note a shift leaves to the next, with what changed since."""

import unittest

from harness import ServerTest

DAY = 86400000


class NamedWork(ServerTest):
    extra_args = ("--set", "test_clock=1", "--set", "silent_after_hours=1000")

    @classmethod
    def prepare(cls, server):
        cls.admin = server.token("admin")
        cls.marie = server.token("coordinator", scope="81", label="Marie Dupont")
        cls.paul = server.token("coordinator", scope="81", label="Paul Martin")
        cls.herault = server.token("coordinator", scope="34", label="Jeanne Roux")
        cls.region = server.token("coordinator", scope="region", label="Cellule régionale")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.albi = cls.create_record("structures", {
            "name": "EHPAD Les Tilleuls", "category": "ehpad", "legal_form": "association", "commune": "81004",
            "capacity": 80, "occupancy": 60, "staff": 40})["id"]
        cls.key = 0
        cls.ids = {}
        for name, token in (("marie", cls.marie), ("paul", cls.paul)):
            st, who, _ = cls.server.http("GET", "/api/v1/whoami", token)
            cls.ids[name] = who["token_id"]

    def report(self, holder, item, quantity, token=None):
        NamedWork.key += 1
        st, body, _ = self.api("POST", "/api/v1/stock/reports", token=token, body={
            "holder_kind": "structure", "holder_id": holder, "items": [{"item": item, "quantity": quantity}]},
            headers={"Idempotency-Key": f"k{NamedWork.key}"})
        self.assertEqual(st, 201, body)
        return body["levels"][0]

    def stockout(self, item):
        level = self.report(self.albi, item, 0)
        self.assertEqual(level["alert"]["severity"], "stockout", level)
        return level["alert"]["id"]

    def person(self, name):
        return {"token_id": self.ids[name], "name": {"marie": "Marie Dupont", "paul": "Paul Martin"}[name]}

    def event_of(self, ws, type_):
        while True:
            ev = ws.next_event()
            if ev["event"] == type_:
                return ev

    def test_acknowledgement_names_the_person_everywhere(self):
        alert = self.stockout("respirator")
        ws = self.server.ws(self.paul)
        self.assertEqual(ws.request("subscribe", params={"topics": ["alerts"]})["status"], 200)
        st, a, _ = self.api("POST", f"/api/v1/alerts/{alert}/acknowledge", self.marie, body={"note": "livraison 6h"})
        self.assertEqual(st, 200, a)
        self.assertEqual(a["acknowledged_by"], self.person("marie"))
        self.assertIsNone(a["resolved_by"])
        self.assertIsNone(a["assigned_to"])
        # the second coordinator's screen hears who did it
        ev = self.event_of(ws, "alert.acknowledged")
        self.assertEqual(ev["data"]["acknowledged_by"], self.person("marie"))
        self.assertEqual(ev["data"]["ack_note"], "livraison 6h")
        ws.close()
        st, got, _ = self.api("GET", f"/api/v1/alerts/{alert}", self.paul)
        self.assertEqual(got["acknowledged_by"], self.person("marie"))
        # a count that keeps it open keeps who acknowledged it, in its event too
        ws = self.server.ws(self.paul)
        ws.request("subscribe", params={"topics": ["alerts"]})
        self.report(self.albi, "respirator", 0)
        ws.close()
        st, listed, _ = self.api("GET", "/api/v1/alerts?dep=81", self.paul)
        mine = [x for x in listed["items"] if x["id"] == alert][0]
        self.assertEqual(mine["acknowledged_by"], self.person("marie"))
        st, a, _ = self.api("POST", f"/api/v1/alerts/{alert}/resolve", self.paul, body={"note": "reçu"})
        self.assertEqual(st, 200, a)
        self.assertEqual(a["resolved_by"], self.person("paul"))
        self.assertEqual(a["acknowledged_by"], self.person("marie"))
        # the audit names them
        st, audit, _ = self.api("GET", f"/api/v1/audit?entity=alert&entity_id={alert}", self.marie)
        self.assertEqual(st, 200, audit)
        names = [r["actor_name"] for r in audit["items"]]
        self.assertEqual(names[:2], ["Paul Martin", "Marie Dupont"], audit)

    def test_take_release_and_timeline(self):
        alert = self.stockout("face-shield")
        st, a, _ = self.api("POST", f"/api/v1/alerts/{alert}/take", self.paul)
        self.assertEqual(st, 200, a)
        self.assertEqual(a["assigned_to"], self.person("paul"))
        self.assertIsNotNone(a["assigned_at"])
        ws = self.server.ws(self.paul)
        ws.request("subscribe", params={"topics": ["alerts"]})
        st, a, _ = self.api("POST", f"/api/v1/alerts/{alert}/take", self.marie, body={})
        self.assertEqual(st, 200, a)
        self.assertEqual(a["assigned_to"], self.person("marie"))
        ev = self.event_of(ws, "alert.assigned")
        self.assertEqual(ev["data"]["assigned_to"], self.person("marie"))
        st, a, _ = self.api("POST", f"/api/v1/alerts/{alert}/release", self.marie)
        self.assertEqual(st, 200, a)
        self.assertIsNone(a["assigned_to"])
        self.assertIsNone(a["assigned_at"])
        self.assertEqual(self.event_of(ws, "alert.released")["data"]["id"], alert)
        ws.close()
        # nothing to release; another département's coordinator cannot see it; bodies are refused
        with self.unchanged():
            self.assertError(self.api("POST", f"/api/v1/alerts/{alert}/release", self.marie), 409, "assigned_to",
                             "conflict")
            self.assertError(self.api("POST", f"/api/v1/alerts/{alert}/take", self.herault), 404, code="not_found")
            self.assertError(self.api("POST", f"/api/v1/alerts/{alert}/take", self.paul, body={"to": 3}), 422,
                             "to", "unknown_field")
            self.assertError(self.api("POST", f"/api/v1/alerts/{alert}/take", self.paul, body=[1]), 400,
                             "body", "invalid_json")
        self.api("POST", f"/api/v1/alerts/{alert}/acknowledge", self.paul, body={"note": "je rappelle"})
        self.api("POST", f"/api/v1/clock/advance", body={"ms": 3600000})
        self.api("POST", f"/api/v1/alerts/{alert}/resolve", self.marie, body={"note": "livré"})
        st, tl, _ = self.api("GET", f"/api/v1/alerts/{alert}/timeline", self.paul)
        self.assertEqual(st, 200, tl)
        steps = [(s["event"], (s["by"] or {}).get("name"), s.get("note")) for s in tl["items"]]
        self.assertEqual(steps, [
            ("opened", "test", None),  # the count of the admin's token opened it
            ("assigned", "Paul Martin", None),
            ("assigned", "Marie Dupont", None),
            ("released", "Marie Dupont", None),
            ("acknowledged", "Paul Martin", "je rappelle"),
            ("resolved", "Marie Dupont", "livré"),
        ], tl)
        self.assertEqual(tl["items"][0]["severity"], "stockout")
        self.assertEqual(tl["alert"]["id"], alert)
        # a resolved alert is no one's to take
        with self.unchanged():
            self.assertError(self.api("POST", f"/api/v1/alerts/{alert}/take", self.paul), 409, "status", "conflict")
        self.assertError(self.api("GET", f"/api/v1/alerts/{alert}/timeline", self.herault), 404, code="not_found")

    def test_handover(self):
        st, h, _ = self.api("POST", "/api/v1/handovers", self.marie,
                            body={"territory": "81", "note": "Nuit calme; Tilleuls livrés à 6h."})
        self.assertEqual(st, 201, h)
        self.assertEqual(h["by"], self.person("marie"))
        self.assertEqual(h["territory"], "81")
        self.api("POST", "/api/v1/clock/advance", body={"ms": 1000})
        self.stockout("gloves-examination")
        st, got, _ = self.api("GET", "/api/v1/handovers?territory=81", self.paul)
        self.assertEqual(st, 200, got)
        first = got["items"][0]
        self.assertEqual(first["id"], h["id"])
        self.assertEqual(first["note"], "Nuit calme; Tilleuls livrés à 6h.")
        self.assertEqual(first["by"], self.person("marie"))
        self.assertGreaterEqual(first["since"]["opened"], 1)
        self.assertGreaterEqual(first["since"]["open_critical_now"], 1)
        # the Hérault's coordinator sees none of it, and writes neither for the Tarn nor the region
        st, other, _ = self.api("GET", "/api/v1/handovers", self.herault)
        self.assertEqual([x for x in other["items"] if x["territory"] == "81"], [])
        with self.unchanged():
            self.assertError(self.api("POST", "/api/v1/handovers", self.herault, body={"territory": "81", "note": "x"}),
                             404, "territory", "not_found")
            self.assertError(self.api("POST", "/api/v1/handovers", self.marie, body={"territory": "region", "note": "x"}),
                             422, "territory", "invalid")
            self.assertError(self.api("POST", "/api/v1/handovers", self.marie, body={"territory": "99", "note": "x"}),
                             422, "territory", "invalid")
            self.assertError(self.api("POST", "/api/v1/handovers", self.marie, body={"territory": "81"}),
                             422, "note", "required")
            self.assertError(self.api("POST", "/api/v1/handovers", self.marie, body={"territory": "81", "note": ""}),
                             422, "note", "invalid")
            self.assertError(self.api("POST", "/api/v1/handovers", self.marie,
                                      body={"territory": "81", "note": "x", "shift": "nuit"}), 422, "shift",
                             "unknown_field")
            self.assertError(self.api("GET", "/api/v1/handovers?shift=1", self.marie), 422, "shift", "unknown_field")
        st, h2, _ = self.api("POST", "/api/v1/handovers", self.region, body={"territory": "region", "note": "Point 8h"})
        self.assertEqual(st, 201, h2)
        st, mine, _ = self.api("GET", "/api/v1/handovers", self.marie)
        self.assertNotIn(h2["id"], [x["id"] for x in mine["items"]])
        st, reg, _ = self.api("GET", "/api/v1/handovers", self.region)
        self.assertEqual([x["id"] for x in reg["items"]][:2], [h2["id"], h["id"]])


if __name__ == "__main__":
    unittest.main()
