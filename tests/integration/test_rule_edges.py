"""Issue 11: two edges of the pure rules that their unit tests (tests/unit/test_burn.c,
tests/unit/test_cap.c) found, as a user sees them over HTTP. A structure counting the same stock
every day for two months: its rate goes to zero and the stock-out date of its level must stay a
real date after now (it wrapped to "0000-..." after ~58 counts of the trailing average). A server whose public URL
has a long host name: the CAP message of an updated alert still refers to v1 with its time in full
(the references were cut at 160 bytes)."""

import os
import subprocess
import tempfile
import unittest
import xml.etree.ElementTree as ET

from harness import ServerTest

DAY = 86400000
CAP_XSD = os.path.join(os.path.dirname(__file__), "../data/CAP-v1.2.xsd")
CAP_NS = {"c": "urn:oasis:names:tc:emergency:cap:1.2"}
# a legal DNS name of 180 bytes: labels of at most 63
HOST = ".".join(["renfort-coordination-" + "x" * 40] * 3) + ".example"


class RuleEdges(ServerTest):
    extra_args = ("--set", "test_clock=1", "--set", "silent_after_hours=8760",
                  "--set", "alert_thresholds=*/*=7,3", "--set", f"public_url=https://{HOST}")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.structure = cls.create_record("structures", {
            "name": "EHPAD Les Tilleuls", "category": "ehpad", "legal_form": "association", "commune": "81004",
            "capacity": 80, "occupancy": 60, "staff": 40})["id"]
        cls.key = 0

    def report(self, item, quantity):
        RuleEdges.key += 1
        st, body, _ = self.api("POST", "/api/v1/stock/reports", body={
            "holder_kind": "structure", "holder_id": self.structure, "items": [{"item": item, "quantity": quantity}]},
            headers={"Idempotency-Key": f"edge{RuleEdges.key}"})
        self.assertEqual(st, 201, body)
        return body

    def advance(self, ms):
        st, body, _ = self.api("POST", "/api/v1/clock/advance", body={"ms": ms})
        self.assertEqual(st, 200, body)

    def test_stockout_date_after_months_without_consumption(self):
        self.report("respirator", 1010)
        for day in range(1, 70):
            self.advance(DAY)
            answer = self.report("respirator", 1000)
            level = answer["levels"][0]
            if level["stockout_at"] is not None:
                # same ISO 8601 shape: text order is time order
                self.assertGreaterEqual(level["stockout_at"], answer["at"], f"day {day}: {level}")
                self.assertLessEqual(level["stockout_at"], "9999-12-31T23:59:59.999Z", f"day {day}: {level}")
        # no use seen for weeks: the rate is 0 (the trailing average of before decayed to a few
        # billionths), the stock lasts: the stock-out date is the last one, the cover at least as long
        self.assertEqual(level["burn_per_day"], 0, level)
        self.assertGreater(level["days_of_cover"], (253402300799999 - 1893456000000) / DAY, level)
        self.assertEqual(level["stockout_at"], "9999-12-31T23:59:59.999Z", level)

    def test_cap_references_with_a_long_public_url(self):
        first = self.report("gloves-examination", 0)["levels"][0]["alert"]
        second = self.report("gloves-examination", 0)["levels"][0]["alert"]
        self.assertEqual((first["id"], first["severity"]), (second["id"], "stockout"))
        st, alert, _ = self.api("GET", f"/api/v1/alerts/{first['id']}")
        self.assertEqual(st, 200, alert)
        st, cap, _ = self.api("GET", f"/api/v1/alerts/{first['id']}/cap")
        self.assertEqual(st, 200, cap)
        root = ET.fromstring(cap.encode())
        self.assertEqual(root.findtext("c:msgType", namespaces=CAP_NS), "Update")
        self.assertEqual(root.findtext("c:sender", namespaces=CAP_NS), f"renfort@{HOST}")
        opened = alert["opened_at"][:19] + "+00:00"
        self.assertEqual(root.findtext("c:references", namespaces=CAP_NS),
                         f"renfort@{HOST},renfort-alert-{first['id']}-v1,{opened}")
        with tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False) as f:
            f.write(cap)
        try:
            p = subprocess.run(["xmllint", "--noout", "--schema", CAP_XSD, f.name], capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
        finally:
            os.unlink(f.name)


if __name__ == "__main__":
    unittest.main()
