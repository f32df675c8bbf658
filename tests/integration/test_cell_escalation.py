"""Issue 15, attention: a critical alert nobody acknowledged goes up, on the test clock: after
escalation_minutes an SMS to the duty officers of its département, after twice that to the
region's; each level once; an acknowledged alert is not escalated, nor one that calmed down; each
escalation is an alert.escalated event and a line of the alert's timeline."""

import unittest

from harness import ServerTest

MIN = 60000


def tarn_structure_and_officers(cls):
    """An EHPAD of the Tarn with one contact, the Tarn's duty officer and the region's: their ids."""
    cls.albi = cls.create_record("structures", {
        "name": "EHPAD Les Tilleuls", "category": "ehpad", "legal_form": "association", "commune": "81004",
        "capacity": 80, "occupancy": 60, "staff": 40,
        "contacts": [{"name": "Direction", "phone": "+33639981111"}]})["id"]
    cls.tarn = cls.create_record("duty_officers", {"name": "Astreinte Tarn", "phone": "+33639982222", "dep": "81"})["id"]
    cls.region = cls.create_record("duty_officers", {"name": "Astreinte ARS", "phone": "+33639983333"})["id"]
    cls.n = 0


class Escalation(ServerTest):
    # a count that calms an alert calms it at once (issue 14's hold off)
    extra_args = ("--set", "test_clock=1", "--set", "silent_after_hours=1000", "--set", "escalation_minutes=30", "--set", "forecast_model=average", "--set", "alert_hold_hours=0", "--set", "alert_reopen_hours=0",
                  "--set", "alert_check_interval_s=86400")

    @classmethod
    def prepare(cls, server):
        cls.admin = server.token("admin")
        cls.marie = server.token("coordinator", scope="81", label="Marie Dupont")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        tarn_structure_and_officers(cls)

    def stockout(self, item):
        Escalation.n += 1
        st, body, _ = self.api("POST", "/api/v1/stock/reports", body={
            "holder_kind": "structure", "holder_id": self.albi, "items": [{"item": item, "quantity": 0}]},
            headers={"Idempotency-Key": f"e{Escalation.n}"})
        self.assertEqual(st, 201, body)
        return body["levels"][0]["alert"]["id"]

    def advance(self, minutes):
        st, body, _ = self.api("POST", "/api/v1/clock/advance", body={"ms": minutes * MIN})
        self.assertEqual(st, 200, body)

    def escalations(self, alert):
        st, body, _ = self.api("GET", f"/api/v1/sms/outbox?alert_id={alert}&kind=alert_escalation")
        self.assertEqual(st, 200, body)
        return sorted((m["recipient_kind"], m["recipient_id"]) for m in body["items"])

    def test_1_unacknowledged_goes_up_level_by_level(self):
        alert = self.stockout("respirator")
        ws = self.server.ws(self.marie)
        ws.request("subscribe", params={"topics": ["alerts"]})
        self.advance(29)
        self.assertEqual(self.escalations(alert), [])
        self.advance(1)
        self.assertEqual(self.escalations(alert), [("duty_officer", self.tarn)])
        while True:
            ev = ws.next_event()
            if ev["event"] == "alert.escalated":
                break
        self.assertEqual(ev["data"]["id"], alert)
        ws.close()
        st, msgs, _ = self.api("GET", f"/api/v1/sms/outbox?alert_id={alert}&kind=alert_escalation")
        self.assertIn("30 min", msgs["items"][0]["text"])
        self.assertIn("ESCALADE", msgs["items"][0]["text"])
        # once per level: the job running again sends nothing more
        self.api("POST", "/api/v1/clock/advance", body={"ms": 0})
        self.assertEqual(self.escalations(alert), [("duty_officer", self.tarn)])
        self.advance(30)
        self.assertEqual(self.escalations(alert), [("duty_officer", self.tarn), ("duty_officer", self.region)])
        self.advance(120)
        self.assertEqual(len(self.escalations(alert)), 2)
        st, tl, _ = self.api("GET", f"/api/v1/alerts/{alert}/timeline")
        self.assertEqual([(s["event"], s.get("level")) for s in tl["items"] if s["event"] == "escalated"],
                         [("escalated", 1), ("escalated", 2)])

    def test_2_acknowledged_is_not_escalated(self):
        alert = self.stockout("face-shield")
        self.advance(10)
        st, a, _ = self.api("POST", f"/api/v1/alerts/{alert}/acknowledge", self.marie, body={"note": "je gère"})
        self.assertEqual(st, 200, a)
        self.advance(90)
        self.assertEqual(self.escalations(alert), [])

    def test_3_a_calmed_alert_is_not_escalated(self):
        alert = self.stockout("liquid-soap")
        Escalation.n += 1
        st, body, _ = self.api("POST", "/api/v1/stock/reports", body={
            "holder_kind": "structure", "holder_id": self.albi, "items": [{"item": "liquid-soap", "quantity": 500}],
            "confirmed": True}, headers={"Idempotency-Key": f"e{Escalation.n}"})
        self.assertEqual(st, 201, body)
        self.advance(90)
        self.assertEqual(self.escalations(alert), [])


class EscalationOff(ServerTest):
    extra_args = ("--set", "test_clock=1", "--set", "escalation_minutes=0")

    def test_off(self):
        s = self.create_record("structures", {
            "name": "EHPAD Les Tilleuls", "category": "ehpad", "legal_form": "association", "commune": "81004",
            "capacity": 80, "occupancy": 60, "staff": 40})["id"]
        self.create_record("duty_officers", {"name": "Astreinte Tarn", "phone": "+33639982222", "dep": "81"})
        st, body, _ = self.api("POST", "/api/v1/stock/reports", body={
            "holder_kind": "structure", "holder_id": s, "items": [{"item": "respirator", "quantity": 0}]},
            headers={"Idempotency-Key": "off"})
        self.api("POST", "/api/v1/clock/advance", body={"ms": 600 * MIN})
        st, out, _ = self.api("GET", "/api/v1/sms/outbox?kind=alert_escalation")
        self.assertEqual(out["items"], [])


if __name__ == "__main__":
    unittest.main()
