"""Issue 3, end to end: a structure reports its stock over days (the test clock), warning, critical
and stock-out alerts open, update in place, are acknowledged and resolve; a level bouncing around a
threshold does not flap; coordinators' websockets receive each event in order and only within their
scope; a reconnect with a sequence number misses nothing; critical alerts queue SMS in the outbox;
every CAP document validates against the OASIS schema; bad reports change nothing."""

import os
import sqlite3
import subprocess
import tempfile
import unittest

import samples
from harness import ServerTest

DAY = 86400000
CAP_XSD = os.environ.get("CAP_XSD", os.path.join(os.path.dirname(__file__), "../data/CAP-v1.2.xsd"))


# The estimator and the alert rules of before issue 14, as forecast_model=average and no hold,
# reopening or cool-down select them: kept, to compare (tests/bench/forecast), and kept working.
# test_forecast_alerts.py tells the same story with today's defaults.
BEFORE_ISSUE_14 = ("--set", "forecast_model=average", "--set", "alert_hold_hours=0", "--set", "alert_reopen_hours=0",
                   "--set", "alert_sms_cooldown_hours=0")


class StockAlerts(ServerTest):
    extra_args = ("--set", "test_clock=1", "--set", "silent_after_hours=1000",
                  "--set", "alert_thresholds=*/*=7,3 ehpad/*=10,4", "--set", "alert_margin_hours=24") + BEFORE_ISSUE_14

    @classmethod
    def prepare(cls, server):
        cls.admin = server.token("admin")
        cls.coord81 = server.token("coordinator", scope="81")
        cls.coord34 = server.token("coordinator", scope="34")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        st, a, _ = s.http("POST", "/api/v1/structures", cls.admin, body={
            "name": "EHPAD Les Tilleuls", "category": "ehpad", "legal_form": "association", "commune": "81004",
            "capacity": 80, "occupancy": 60, "staff": 40,
            "contacts": [{"name": "Direction", "phone": "+33639981111", "lang": "fr"},
                         {"name": "Night nurse", "phone": "+33639981112", "lang": "en"}]})
        assert st == 201, a
        cls.albi = a["id"]
        st, b, _ = s.http("POST", "/api/v1/structures", cls.admin, body={
            "name": "EHPAD Les Oliviers", "category": "ehpad", "legal_form": "public", "commune": "34172",
            "capacity": 50, "occupancy": 50, "staff": 30})
        assert st == 201, b
        cls.montpellier = b["id"]
        st, d, _ = s.http("POST", "/api/v1/duty_officers", cls.admin,
                          body={"name": "Astreinte Tarn", "phone": "+33639982222", "dep": "81"})
        assert st == 201, d
        cls.key = 0

    # --- helpers -------------------------------------------------------------------------------
    def report(self, holder, item, quantity, token=None, key=None, **extra):
        StockAlerts.key += 1
        body = {"holder_kind": "structure", "holder_id": holder, "items": [{"item": item, "quantity": quantity}]}
        body.update(extra)
        return self.api("POST", "/api/v1/stock/reports", token=token, body=body,
                        headers={"Idempotency-Key": key or f"r{StockAlerts.key}"})

    def receipt(self, holder, item, quantity):
        StockAlerts.key += 1
        st, body, _ = self.api("POST", "/api/v1/stock/movements", body={
            "holder_kind": "structure", "holder_id": holder, "item": item, "kind": "receipt", "quantity": quantity, "origin": "purchase"},
            headers={"Idempotency-Key": f"m{StockAlerts.key}"})
        self.assertEqual(st, 201, body)
        return body

    def advance(self, days):
        st, body, _ = self.api("POST", "/api/v1/clock/advance", body={"ms": int(days * DAY)})
        self.assertEqual(st, 200, body)

    def level(self, result):
        st, body, _ = result
        self.assertEqual(st, 201, body)
        return body["levels"][0]

    def alerts(self, **filters):
        q = "&".join(f"{k}={v}" for k, v in filters.items())
        st, body, _ = self.api("GET", "/api/v1/alerts?" + q)
        self.assertEqual(st, 200, body)
        return body["items"]

    def validate_cap(self, xml_text):
        with tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False) as f:
            f.write(xml_text)
            path = f.name
        try:
            p = subprocess.run(["xmllint", "--noout", "--schema", CAP_XSD, path], capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stderr + xml_text)
        finally:
            os.unlink(path)

    def wait_for(self, ws, event, timeout=5):
        """Alert events up to and including the first of type `event`; returns that one."""
        while True:
            ev = ws.next_event(timeout=timeout)
            if ev["event"] == event:
                return ev

    def alert_events(self, ws, n, timeout=5):
        """The next n alert events, in the order received."""
        got = []
        while len(got) < n:
            ev = ws.next_event(timeout=timeout)
            if ev["event"].startswith("alert."):
                got.append(ev)
        return got

    # --- the story -------------------------------------------------------------------------------
    def test_1_alert_lifecycle_live(self):
        ws81 = self.server.ws(self.coord81)
        ws81b = self.server.ws(self.coord81)  # a second dashboard
        ws34 = self.server.ws(self.coord34)
        for ws in (ws81, ws81b):
            r = ws.request("subscribe", params={"topics": ["alerts"]})
            self.assertEqual(r["status"], 200, r)
        r = ws34.request("subscribe", params={"topics": ["alerts", "stock"]})
        self.assertEqual(r["status"], 200, r)
        item = "respirator"
        # three steady days: 100 a day, so the history rate is 100 a day
        self.assertIsNone(self.level(self.report(self.albi, item, 2000))["alert"])
        self.advance(1)
        self.level(self.report(self.albi, item, 1900))
        self.advance(1)
        lv = self.level(self.report(self.albi, item, 1800))
        self.assertEqual(lv["burn_per_day"], 100)
        self.assertEqual(lv["days_of_cover"], 18)
        self.assertIsNone(lv["alert"])
        # 9.5 days of cover: below the EHPAD warning (10 days)
        self.advance(1)
        lv = self.level(self.report(self.albi, item, 950))  # consumption 850: clamped sample, rate rises
        self.assertIsNotNone(lv["alert"], lv)
        first = lv["alert"]
        self.assertEqual(first["severity"], "warning")
        opened = self.alert_events(ws81, 1)[0]
        self.assertEqual(opened["event"], "alert.opened")
        self.assertEqual(opened["data"]["id"], first["id"])
        self.assertEqual(opened["dep"], "81")
        self.assertEqual(opened["entity"], "structure")
        self.assertEqual(opened["entity_id"], self.albi)
        # the 34 coordinator hears nothing of 81
        ws34.no_event(0.3)

        # down to critical: SMS queued for the two contacts and the duty officer, in their languages
        self.advance(1)
        lv = self.level(self.report(self.albi, item, 150))
        self.assertEqual(lv["alert"]["id"], first["id"], "updated in place, not a new alert")
        self.assertEqual(lv["alert"]["severity"], "critical")
        critical_ev = self.alert_events(ws81, 1)[0]
        self.assertEqual((critical_ev["event"], critical_ev["data"]["severity"]), ("alert.updated", "critical"))
        st, out, _ = self.api("GET", f"/api/v1/sms/outbox?alert_id={first['id']}")
        self.assertEqual(st, 200, out)
        phones = sorted((m["phone"], m["lang"]) for m in out["items"])
        self.assertEqual(phones, [("+33639981111", "fr"), ("+33639981112", "en"), ("+33639982222", "fr")])
        # the log gateway (no real one configured) takes them at once
        self.assertTrue(all(m["status"] in ("queued", "sending", "sent") for m in out["items"]), out)
        fr = [m for m in out["items"] if m["lang"] == "fr"][0]["text"]
        en = [m for m in out["items"] if m["lang"] == "en"][0]["text"]
        self.assertIn("ALERTE CRITIQUE", fr)
        self.assertIn("EHPAD Les Tilleuls", fr)
        self.assertIn("CRITICAL", en)
        # the 34 coordinator cannot see 81's outbox rows
        st, out34, _ = self.api("GET", f"/api/v1/sms/outbox?alert_id={first['id']}", token=self.coord34)
        self.assertEqual((st, out34["items"]), (200, []))

        # acknowledged from one dashboard, seen on the other
        # a note is up to 500 characters, not bytes: kept whole, accents included
        note = "Allocation du dépôt du Tarn en route, arrivée prévue à 18 h. " + "é" * 438
        st, acked, _ = self.api("POST", f"/api/v1/alerts/{first['id']}/acknowledge", token=self.coord81,
                                body={"note": note})
        self.assertEqual(st, 200, acked)
        self.assertEqual((acked["status"], acked["ack_note"]), ("acknowledged", note))
        ev = self.wait_for(ws81b, "alert.acknowledged")
        self.assertEqual((ev["data"]["id"], ev["data"]["status"]), (first["id"], "acknowledged"))
        # the 34 coordinator may not acknowledge it: it does not exist for them
        st, err, _ = self.api("POST", f"/api/v1/alerts/{first['id']}/acknowledge", token=self.coord34, body={})
        st2, err2, _ = self.api("POST", "/api/v1/alerts/999999/acknowledge", token=self.coord34, body={})
        self.assertEqual((st, err), (st2, err2))
        self.assertEqual(st, 404)

        # stock-out: worse than what was acknowledged, so open again
        self.advance(1)
        lv = self.level(self.report(self.albi, item, 0))
        self.assertEqual((lv["alert"]["id"], lv["alert"]["severity"], lv["alert"]["status"]),
                         (first["id"], "stockout", "open"))
        # a delivery brings 30 days of cover: the alert resolves by itself
        self.receipt(self.albi, item, 20000)
        resolved = self.alerts(status="resolved", holder_id=self.albi)
        self.assertEqual([a["id"] for a in resolved], [first["id"]])
        self.assertEqual(resolved[0]["resolution"], "recovered")
        # every transition is in the audit log
        st, audit, _ = self.api("GET", f"/api/v1/audit?entity=alert&entity_id={first['id']}&limit=50")
        self.assertEqual(st, 200, audit)
        statuses = [(e["after"]["severity"], e["after"]["status"]) for e in reversed(audit["items"])]
        self.assertEqual(statuses[0][1], "open")
        self.assertIn(("critical", "acknowledged"), statuses)
        self.assertEqual(statuses[-1][1], "resolved")
        # the 81 dashboard saw every transition of that alert, in order, with growing sequence numbers
        seen = [opened, critical_ev]
        while True:
            try:
                ev = ws81.next_event(timeout=0.5)
            except AssertionError:
                break
            if ev["event"].startswith("alert.") and ev["data"]["id"] == first["id"]:
                seen.append(ev)
        self.assertEqual([(e["event"], e["data"]["severity"], e["data"]["status"]) for e in seen], [
            ("alert.opened", "warning", "open"), ("alert.updated", "critical", "open"),
            ("alert.acknowledged", "critical", "acknowledged"), ("alert.updated", "stockout", "open"),
            ("alert.resolved", "stockout", "resolved")])
        seqs = [e["seq"] for e in seen]
        self.assertEqual(seqs, sorted(set(seqs)))
        ws34.no_event(0.2)  # and the 34 coordinator, nothing of it
        for ws in (ws81, ws81b, ws34):
            ws.close()

        # every CAP document validates, and the feed's entries too
        for a in self.alerts(status="resolved") + self.alerts():
            st, xml, hdr = self.api("GET", f"/api/v1/alerts/{a['id']}/cap")
            self.assertEqual(st, 200)
            self.assertIn("application/cap+xml", hdr.get("Content-Type", hdr.get("content-type", "")))
            self.validate_cap(xml)

    def test_2_no_flapping_on_a_bouncing_level(self):
        item = "gown-protective"
        s = self.montpellier
        q = 1200
        self.level(self.report(s, item, q))
        for _ in range(2):
            self.advance(1)
            q -= 100
            self.level(self.report(s, item, q))
        # consumption stays exactly 100 a day; a count every 6 hours, and receipts move the level
        # around 10 days of cover (a receipt adds at most a quarter day above the next count)
        ids = set()
        for cover in (9.8, 10.05, 9.85, 10.1, 9.9, 10.1, 9.9):
            self.advance(0.25)
            target = int(cover * 100)
            self.receipt(s, item, target - q + 25)
            q = target
            lv = self.level(self.report(s, item, q))
            self.assertEqual(lv["burn_per_day"], 100, lv)
            if lv["alert"]:
                ids.add(lv["alert"]["id"])
                self.assertEqual(lv["alert"]["severity"], "warning")
        self.assertEqual(len(ids), 1, "one alert, kept open while the level bounces under warning + margin")
        (alert_id,) = ids
        self.assertEqual([a["id"] for a in self.alerts(holder_id=s)], [alert_id])
        self.assertEqual(self.alerts(status="resolved", holder_id=s), [])
        # 11.5 days: past the threshold plus its one-day margin
        self.advance(0.25)
        self.receipt(s, item, 1150 - q + 25)
        lv = self.level(self.report(s, item, 1150))
        self.assertIsNone(lv["alert"])
        self.assertEqual([a["id"] for a in self.alerts(status="resolved", holder_id=s)], [alert_id])

    def test_3_resume_with_sequence_number(self):
        ws = self.server.ws(self.coord81)
        live = self.server.ws(self.coord81)
        for w in (ws, live):
            self.assertEqual(w.request("subscribe", params={"topics": ["departement:81"]})["status"], 200)
        item = "face-shield"
        self.assertEqual(self.report(self.albi, item, 500)[0], 201)
        first = ws.next_event()
        last_seq = first["seq"]
        ws.close()
        # while it is away: several reports and an alert
        for q in (400, 300, 5, 0):
            self.advance(0.5)
            self.report(self.albi, item, q)
        # the client that stayed saw everything; the one that comes back asks from last_seq
        expected = [first] + [live.next_event() for _ in range(1)]
        while True:
            try:
                expected.append(live.next_event(timeout=0.5))
            except AssertionError:
                break
        expected = [e for e in expected if e["seq"] > last_seq]
        back = self.server.ws(self.coord81)
        r = back.request("subscribe", params={"topics": ["departement:81"], "since": last_seq})
        self.assertEqual(r["status"], 200, r)
        self.assertTrue(r["data"]["replaying"])
        replayed = [back.next_event() for _ in range(len(expected))]
        self.assertEqual([e["seq"] for e in replayed], [e["seq"] for e in expected])
        self.assertEqual(replayed, expected)
        back.no_event(0.3)  # no duplicate after the replay
        # and live events follow the replay (a delivery the reporter confirms: 1000 is 20 times the level)
        self.report(self.albi, item, 1000, confirmed=True)
        nxt = back.next_event()
        self.assertGreater(nxt["seq"], replayed[-1]["seq"])
        # a sequence number the log no longer holds: told to reload
        r = back.request("subscribe", params={"topics": ["alerts"], "since": 10 ** 9})
        self.assertTrue(r["data"]["reload"])
        for w in (back, live):
            w.close()

    def test_4_bad_reports_change_nothing(self):
        st, before, _ = self.api("GET", "/api/v1/stock/levels?limit=1000")
        bad = [
            ({"holder_kind": "structure", "holder_id": self.albi, "items": [{"item": "no-such-item", "quantity": 1}]},
             422, "items[0].item"),
            ({"holder_kind": "structure", "holder_id": self.albi, "items": [{"item": "respirator", "quantity": -5}]},
             422, "items[0].quantity"),
            ({"holder_kind": "structure", "holder_id": self.albi, "items": [{"item": "respirator", "quantity": 1.5}]},
             422, "items[0].quantity"),
            ({"holder_kind": "structure", "holder_id": self.albi, "items": []}, 422, "items"),
            ({"holder_kind": "structure", "holder_id": self.albi, "items": [{"item": "respirator", "quantity": 1}],
              "colour": "red"}, 422, "colour"),
            ({"holder_kind": "structure", "holder_id": self.albi,
              "items": [{"item": "respirator", "quantity": 1}, {"item": "respirator", "quantity": 2}]}, 422, "items[1].item"),
            ({"holder_kind": "structure", "holder_id": self.albi, "items": [{"item": "respirator", "quantity": 1}],
              "occupancy": 500}, 422, "occupancy"),
        ]
        for body, status, field in bad:
            res = self.api("POST", "/api/v1/stock/reports", body=body, headers={"Idempotency-Key": "bad-" + field})
            self.assertError(res, status, field)
        # a foreign structure: the 34 coordinator gets the answer of a missing one
        # (confirmed: 1 is far below what the history predicts, and plausibility is not what this checks)
        body = {"holder_kind": "structure", "holder_id": self.albi, "items": [{"item": "respirator", "quantity": 1}],
                "confirmed": True}
        missing = dict(body, holder_id=999999)
        a = self.api("POST", "/api/v1/stock/reports", token=self.coord34, body=body, headers={"Idempotency-Key": "f1"})
        b = self.api("POST", "/api/v1/stock/reports", token=self.coord34, body=missing, headers={"Idempotency-Key": "f2"})
        self.assertEqual(a[:2], b[:2])
        self.assertEqual(a[0], 404)
        # a structure token reports for itself only
        tok = self.server.run_cli("token", "create", "--role", "structure", "--subject", str(self.montpellier)).stdout.strip()
        self.assertEqual(self.api("POST", "/api/v1/stock/reports", token=tok, body=body,
                                  headers={"Idempotency-Key": "f3"})[0], 404)
        # no idempotency key
        self.assertError(self.api("POST", "/api/v1/stock/reports", body=body), 422, "idempotency_key")
        # the same key with another body is refused; with the same body answers the first result
        ok1 = self.api("POST", "/api/v1/stock/reports", body=body, headers={"Idempotency-Key": "same"})
        ok2 = self.api("POST", "/api/v1/stock/reports", body=body, headers={"Idempotency-Key": "same"})
        self.assertEqual(ok1[:2], ok2[:2])
        other = dict(body, items=[{"item": "respirator", "quantity": 2}])
        self.assertError(self.api("POST", "/api/v1/stock/reports", body=other, headers={"Idempotency-Key": "same"}),
                         409, "idempotency_key", "idempotency_conflict")
        st, after, _ = self.api("GET", "/api/v1/stock/levels?limit=1000")
        changed = [(x["holder_id"], x["item"]) for x in after["items"] if x not in before["items"]]
        self.assertEqual(changed, [(self.albi, "respirator")], "only the one good report changed anything")
        # an oversized websocket message is refused and the connection stays usable
        ws = self.server.ws(self.admin)
        ws.send('{"type":"stock.report","id":1,"data":{"items":[' + ",".join(['{"item":"respirator","quantity":1}'] * 3000) + "]}}")
        err = ws.recv()
        self.assertEqual((err["type"], err["status"], err["error"]["field"]), ("error", 413, "message"))
        self.assertEqual(ws.request("whoami")["status"], 200)
        ws.close()

    def test_5_cover_rollup_and_levels_scope(self):
        st, cover, _ = self.api("GET", "/api/v1/stock/cover", token=self.coord81)
        self.assertEqual(st, 200, cover)
        self.assertTrue(cover["items"])
        self.assertEqual({c["dep"] for c in cover["items"]}, {"81"})
        st, cover, _ = self.api("GET", "/api/v1/stock/cover")
        self.assertEqual({c["dep"] for c in cover["items"]}, {"81", "34", "region"})
        # the worst cover of one structure beside the aggregate (issue 15): an empty shelf is 0; one
        # structure's is the aggregate's; never more than the aggregate
        for c in cover["items"]:
            if c["structures"] == 1 and c["days_of_cover"] is not None:
                self.assertEqual(c["worst_days_of_cover"], c["days_of_cover"], c)
            if c["worst_days_of_cover"] is not None and c["days_of_cover"] is not None:
                self.assertLessEqual(c["worst_days_of_cover"], c["days_of_cover"], c)
        self.assertTrue(any(c["worst_days_of_cover"] == 0 for c in cover["items"]), cover)
        # the region's line of an item sums that item's lines (a sorted region list once gave each
        # line another item's name)
        for c in cover["items"]:
            if c["dep"] == "region":
                deps = [d for d in cover["items"] if d["dep"] != "region" and d["item"] == c["item"]]
                self.assertEqual(c["quantity"], sum(d["quantity"] for d in deps), c)
        st, levels, _ = self.api("GET", "/api/v1/stock/levels?sort=cover", token=self.coord34)
        self.assertEqual({x["dep"] for x in levels["items"]}, {"34"})
        covers = [x["days_of_cover"] for x in levels["items"] if x["days_of_cover"] is not None]
        self.assertEqual(covers, sorted(covers))
        self.assertEqual(self.api("GET", "/api/v1/stock/cover?dep=34", token=self.coord81)[0], 404)

    def test_6_silent_structure(self):
        st, s, _ = self.api("POST", "/api/v1/structures", body={
            "name": "Centre de santé du Causse", "category": "health_centre", "legal_form": "association",
            "commune": "81004", "staff": 10})
        self.assertEqual(st, 201, s)
        self.level(self.report(s["id"], "respirator", 100))
        self.advance(1001 / 24)
        st, _, _ = self.api("POST", "/api/v1/clock/advance", body={"ms": 1})
        silent = self.alerts(kind="silent", holder_id=s["id"])
        self.assertEqual([(a["severity"], a["status"]) for a in silent], [("warning", "open")])
        self.advance(2001 / 24)
        silent = self.alerts(kind="silent", holder_id=s["id"])
        self.assertEqual([a["severity"] for a in silent], ["critical"])
        st, xml, _ = self.api("GET", f"/api/v1/alerts/{silent[0]['id']}/cap")
        self.validate_cap(xml)
        self.report(s["id"], "respirator", 90)
        done = self.alerts(kind="silent", holder_id=s["id"], status="resolved")
        self.assertEqual([a["resolution"] for a in done], ["reported"])

    def test_7_feed_validates(self):
        st, feed, _ = self.api("GET", "/api/v1/alerts/feed")
        self.assertEqual(st, 200)
        import xml.etree.ElementTree as ET
        root = ET.fromstring(feed)
        ns = {"a": "http://www.w3.org/2005/Atom", "c": "urn:oasis:names:tc:emergency:cap:1.2"}
        alerts = root.findall("a:entry/a:content/c:alert", ns)
        self.assertEqual(len(alerts), len(root.findall("a:entry", ns)))
        for el in alerts:
            self.validate_cap('<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(el, encoding="unicode"))

    def test_8_overrides_and_categories_apply_from_the_next_report(self):
        # renfortd keeps holders, and which of them have overrides, in memory between reports: a
        # change made through the API must rule the very next report
        item = "respirator"

        def new_ehpad(name):
            return self.create_record("structures", {
                "name": name, "category": "ehpad", "legal_form": "association", "commune": "81004",
                "capacity": 40, "occupancy": 30, "staff": 20})["id"]

        def steady(holder, quantities):
            """One report a day, 100 used a day: the last level."""
            for n, q in enumerate(quantities):
                if n:
                    self.advance(1)
                lv = self.level(self.report(holder, item, q))
            return lv

        def active(holder):
            return [a for a in self.alerts(status="active", holder_id=holder) if a["kind"] == "shortage"]

        # an override raises the warning to 20 days: 17 days of cover warn; taken away, the EHPAD's
        # 10 days rule again and 16 days resolve the alert
        cedres = new_ehpad("EHPAD Les Cèdres")
        lv = steady(cedres, (2000, 1900, 1800))
        self.assertEqual((lv["days_of_cover"], lv["alert"]), (18, None), lv)
        st, body, _ = self.api("PUT", "/api/v1/thresholds", body={
            "holder_kind": "structure", "holder_id": cedres, "warning_days": 20, "critical_days": 5})
        self.assertEqual(st, 200, body)
        self.advance(1)
        lv = self.level(self.report(cedres, item, 1700))
        self.assertEqual((lv["days_of_cover"], lv["alert"] and lv["alert"]["severity"]), (17, "warning"), lv)
        self.assertEqual(len(active(cedres)), 1)
        st, body, _ = self.api("DELETE", f"/api/v1/thresholds?holder_kind=structure&holder_id={cedres}")
        self.assertEqual(st, 200, body)
        self.advance(1)
        lv = self.level(self.report(cedres, item, 1600))
        self.assertEqual(lv["days_of_cover"], 16, lv)
        self.assertEqual(active(cedres), [])

        # 9 days warn an EHPAD (10); the same structure become a hospital (7, and the one-day margin)
        # is out of warning at 8 days
        pins = new_ehpad("EHPAD Les Pins")
        lv = steady(pins, (1100, 1000, 900))
        self.assertEqual((lv["days_of_cover"], lv["alert"] and lv["alert"]["severity"]), (9, "warning"), lv)
        st, body, _ = self.api("PATCH", f"/api/v1/structures/{pins}", body={"category": "hospital"})
        self.assertEqual(st, 200, body)
        self.advance(1)
        lv = self.level(self.report(pins, item, 800))
        self.assertEqual(lv["days_of_cover"], 8, lv)
        self.assertEqual(active(pins), [])


class GroupCommit(ServerTest):
    """Stock reports share commits without a savepoint each (the fast path). A report that fails
    half-way must take nothing of itself into the shared commit, and nothing of the others away."""

    def metric(self, name):
        st, text, _ = self.server.http("GET", "/metrics")
        for line in text.splitlines():
            if line.startswith(name + " "):
                return int(line.split()[1])
        raise AssertionError(f"no metric {name}")

    def test_item_codes_are_escaped_in_levels_and_events(self):
        # codes are up to 64 characters, not bytes: 62 of them here take 126 bytes, with a quote
        code = "é" * 60 + '"\\'
        self.create_record("items", samples.item(code=code))
        holder = self.create_record("structures", samples.structure())["id"]
        ws = self.server.ws(self.admin)
        try:
            self.assertEqual(ws.request("subscribe", params={"topics": ["stock"]})["status"], 200)
            st, body, _ = self.api("POST", "/api/v1/stock/reports", headers={"Idempotency-Key": "long-code"},
                                   body={"holder_kind": "structure", "holder_id": holder,
                                         "items": [{"item": code, "quantity": 5}]})
            self.assertEqual(st, 201, body)
            self.assertEqual((body["levels"][0]["item"], body["levels"][0]["quantity"]), (code, 5))
            ev = ws.next_event()
            self.assertEqual((ev["event"], ev["data"]["item"], ev["data"]["holder_id"]), ("stock.level", code, holder))
        finally:
            ws.close()

    def test_a_report_failing_half_way_leaves_nothing_and_spares_the_others(self):
        ids = [self.create_record("structures", samples.structure())["id"] for _ in range(3)]
        poisoned = ids[1]
        # the ledger insert of one structure fails: after its report row and its level were written
        conn = sqlite3.connect(self.server.db, timeout=10)
        with conn:
            conn.execute("CREATE TRIGGER test_poison BEFORE INSERT ON stock_ledger WHEN NEW.holder_id = %d "
                         "BEGIN SELECT RAISE(ABORT, 'test poison'); END" % poisoned)
        conn.close()
        reruns = self.metric("renfort_batch_reruns_total")
        ws = self.server.ws(self.admin)
        try:
            # pipelined: the three arrive together and share a batch
            for n, holder in enumerate(ids, 1):
                ws.send({"type": "stock.report", "id": n, "idempotency_key": f"gc-{holder}",
                         "data": {"holder_kind": "structure", "holder_id": holder,
                                  "items": [{"item": "respirator", "quantity": 40 + n}]}})
            answers = {}
            while len(answers) < 3:
                m = ws.recv()
                if m.get("type") != "event":
                    answers[m["id"]] = m
        finally:
            ws.close()
        self.assertEqual([answers[n]["status"] for n in (1, 3)], [201, 201], answers)
        self.assertGreaterEqual(answers[2]["status"], 400, answers[2])
        self.assertGreater(self.metric("renfort_batch_reruns_total"), reruns)
        rows = self.server.sql("SELECT holder_id, count(*) FROM stock_reports GROUP BY holder_id ORDER BY holder_id")
        self.assertEqual(rows, [(ids[0], 1), (ids[2], 1)])
        self.assertEqual(self.server.sql("SELECT count(*) FROM stock_levels WHERE holder_id = ?", (poisoned,)), [(0,)])
        self.assertEqual(self.server.sql("SELECT count(*) FROM idempotency WHERE key = ?", (f"gc-{poisoned}",)), [(0,)])
        self.assertEqual(self.server.sql("SELECT holder_id, quantity_after FROM stock_ledger ORDER BY holder_id"),
                         [(ids[0], 41), (ids[2], 43)])
        # nothing of the failure was remembered: once the cause is gone, the same key goes through
        conn = sqlite3.connect(self.server.db, timeout=10)
        with conn:
            conn.execute("DROP TRIGGER test_poison")
        conn.close()
        st, body, _ = self.api("POST", "/api/v1/stock/reports", headers={"Idempotency-Key": f"gc-{poisoned}"},
                               body={"holder_kind": "structure", "holder_id": poisoned,
                                     "items": [{"item": "respirator", "quantity": 42}]})
        self.assertEqual(st, 201, body)
        self.assertEqual(body["levels"][0]["quantity"], 42)


if __name__ == "__main__":
    unittest.main()
