"""Scope follows the row (issue 10, item 3). A structure, a depot or a volunteer that moves to
another département takes with it everything that is about it: its alerts (open and resolved), their
CAP documents and feed entries, the events of its next changes, the SMS sent to its people (its
contacts, the volunteer) and its audit history. After the move the coordinator and the observer of
the old département get exactly the answer of a missing row (a list simply lacks it); those of the
new département get the row. Regional depots stay readable by every coordinator wherever they are.

The moves are made by the admin (a coordinator must cover both départements to move a row)."""

import csv
import datetime
import http.server
import io
import itertools
import threading
import time
import unittest

import samples
from harness import ServerTest, op_table
from samples import ALBI, BEZIERS, MONTPELLIER
from test_scope import MATRIX, Req

MISSING = 999999
QUIET = 0.4  # seconds of silence that say "no event"


class Moves(ServerTest):
    # one rule for every item: below 7 days of cover a warning, below 3 critical; a first count
    # taken at the catalogue's whole rate (which warns at most); days pass on the test clock
    extra_args = ("--set", "alert_thresholds=*/*=7,3", "--set", "silent_after_hours=1000",
                  "--set", "forecast_cold_percent=100", "--set", "test_clock=1")

    @classmethod
    def prepare(cls, server):
        super().prepare(server)
        cls.c81 = server.token("coordinator", scope="81")
        cls.c34 = server.token("coordinator", scope="34")
        cls.c31 = server.token("coordinator", scope="31")
        cls.o81 = server.token("observer", scope="81")
        cls.o34 = server.token("observer", scope="34")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # 2 a worker a day: a structure of 40 workers burns 80 a day by the catalogue's rate
        cls.item = cls.create_record("items", samples.item(burn_per_worker_day=2.0))["code"]
        cls.officer81 = cls.create_record("duty_officers", {"name": "Astreinte Tarn", "phone": samples.phone(),
                                                            "dep": "81"})
        cls.officer34 = cls.create_record("duty_officers", {"name": "Astreinte Hérault", "phone": samples.phone(),
                                                            "dep": "34"})
        cls.key = 0

    # --- helpers -----------------------------------------------------------------------------------
    def report(self, kind, holder, item, quantity):
        """Counts one item; returns the alert of that line as alerts.get gives it (None: no alert)."""
        Moves.key += 1
        st, body, _ = self.api("POST", "/api/v1/stock/reports", body={
            "holder_kind": kind, "holder_id": holder, "items": [{"item": item, "quantity": quantity}]},
            headers={"Idempotency-Key": "moves-%d" % Moves.key})
        self.assertEqual(st, 201, body)
        alert = body["levels"][0]["alert"]
        if alert is None:
            return None
        st, alert, _ = self.api("GET", "/api/v1/alerts/%d" % alert["id"])
        self.assertEqual(st, 200, alert)
        return alert

    def move(self, plural, rid, field, commune):
        st, row, _ = self.api("PATCH", "/api/v1/%s/%d" % (plural, rid), body={field: commune})
        self.assertEqual(st, 200, row)
        return row

    def looks_missing(self, method, path, rid, token, body=None):
        """The answer about row rid is exactly the answer about a row that never existed."""
        got = self.server.http(method, path % rid, token=token, body=body)
        missing = self.server.http(method, path % MISSING, token=token, body=body)
        self.assertEqual(got[0], 404, (path % rid, got[1]))
        self.assertEqual((got[0], got[1]), (missing[0], missing[1]), path % rid)

    def alert_ids(self, token, **filters):
        q = "&".join("%s=%s" % kv for kv in filters.items())
        st, page, _ = self.api("GET", "/api/v1/alerts?limit=1000&" + q, token=token)
        self.assertEqual(st, 200, page)
        return {a["id"]: a for a in page["items"]}

    def feed(self, token):
        st, text, _ = self.api("GET", "/api/v1/alerts/feed", token=token)
        self.assertEqual(st, 200, text)
        return text

    def outbox(self, token, **filters):
        q = "&".join("%s=%s" % kv for kv in filters.items())
        st, page, _ = self.api("GET", "/api/v1/sms/outbox?limit=1000&" + q, token=token)
        self.assertEqual(st, 200, page)
        return page["items"]

    def levels_of(self, token, kind, holder):
        st, page, _ = self.api("GET", "/api/v1/stock/levels?holder_kind=%s&holder_id=%d" % (kind, holder),
                               token=token)
        self.assertEqual(st, 200, page)
        return page["items"]

    def audit_of(self, token, entity, rid):
        st, page, _ = self.api("GET", "/api/v1/audit?entity=%s&entity_id=%d&limit=100" % (entity, rid), token=token)
        self.assertEqual(st, 200, page)
        return page["items"]

    def subscribed(self, token, topics):
        """A websocket following topics, once the SMS of earlier steps have gone (their events would
        come in between)."""
        for _ in range(100):
            if not [m for m in self.outbox(self.admin) if m["status"] in ("queued", "sending")]:
                break
            time.sleep(0.05)
        w = self.server.ws(token=token)
        m = w.request("subscribe", params={"topics": topics})
        self.assertEqual(m["status"], 200, m)
        self.drain(w)
        return w

    @staticmethod
    def drain(w):
        """Every event that arrives until the connection has been quiet for QUIET seconds."""
        got = []
        while True:
            try:
                got.append(w.next_event(timeout=QUIET))
            except AssertionError:
                return got

    def heard_by_34_only(self, watchers, alert_id):
        """After a move and a change: 81's sockets heard nothing, 34's heard the alert's update, and
        only events of 34. Returns what each of 34's sockets heard."""
        for name in ("c81", "o81"):
            self.assertEqual(self.drain(watchers[name]), [], name)
        seen = {name: self.drain(watchers[name]) for name in ("c34", "o34")}
        for name, events in seen.items():
            self.assertIn(("alert.updated", alert_id, "34"),
                          [(e["event"], e["data"].get("id"), e["dep"]) for e in events], name)
            self.assertEqual({e["dep"] for e in events}, {"34"}, name)
        return seen

    def assert_follows(self, kind, holder, alert_ids, old, new):
        """After the move: old's tokens see nothing of the holder's alerts and levels, new's see all."""
        for token in old:
            for aid in alert_ids:
                with self.subTest(alert=aid, side="old"):
                    self.looks_missing("GET", "/api/v1/alerts/%d", aid, token)
                    self.looks_missing("GET", "/api/v1/alerts/%d/cap", aid, token)
                    self.assertFalse(set(alert_ids) & set(self.alert_ids(token, status="resolved")))
                    self.assertFalse(set(alert_ids) & set(self.alert_ids(token)))
                    self.assertNotIn("renfort-alert-%d-" % aid, self.feed(token))
            self.assertEqual(self.levels_of(token, kind, holder), [])
        for token in new:
            for aid in alert_ids:
                with self.subTest(alert=aid, side="new"):
                    st, a, _ = self.api("GET", "/api/v1/alerts/%d" % aid, token=token)
                    self.assertEqual((st, a["holder_id"], a["dep"]), (200, holder, "34"), a)
                    st, cap, _ = self.api("GET", "/api/v1/alerts/%d/cap" % aid, token=token)
                    self.assertEqual(st, 200, cap)
                    self.assertIn("renfort-alert-%d-" % aid, cap)
            levels = self.levels_of(token, kind, holder)
            self.assertTrue(levels)
            self.assertEqual({lv["dep"] for lv in levels}, {"34"})

    # --- a structure -------------------------------------------------------------------------------
    def test_moved_structure(self):
        contact = samples.phone()
        s = self.create_record("structures", samples.structure(
            name="EHPAD qui déménage", commune=ALBI, staff=40,
            contacts=[{"name": "Direction", "phone": contact, "lang": "fr"}]))["id"]
        # in 81: a stock-out (SMS to the contact and 81's officer), resolved by hand: history
        out = self.report("structure", s, "respirator", 0)
        self.assertEqual((out["severity"], out["dep"]), ("stockout", "81"))
        st, body, _ = self.api("POST", "/api/v1/alerts/%d/resolve" % out["id"], body={"note": "recount"})
        self.assertEqual(st, 200, body)
        # and a warning still open: 400 at 80 a day is 5 days of cover
        warn = self.report("structure", s, self.item, 400)
        self.assertEqual((warn["severity"], warn["status"], warn["dep"]), ("warning", "open", "81"), warn)
        sent_in_81 = {m["phone"] for m in self.outbox(self.c81, alert_id=out["id"])}
        self.assertEqual(sent_in_81, {contact, self.officer81["phone"]})

        watchers = {name: self.subscribed(token, topics) for name, token, topics in (
            ("c81", self.c81, ["alerts", "sms", "stock"]), ("c34", self.c34, ["alerts", "sms", "stock"]),
            ("o81", self.o81, ["alerts", "stock"]), ("o34", self.o34, ["alerts", "stock"]))}
        try:
            self.assertEqual(self.move("structures", s, "commune", BEZIERS)["dep"], "34")
            # its next change, a day later: 240 used, 160 left, less than a day of cover: critical,
            # which calls its contact and 34's officer
            st, body, _ = self.api("POST", "/api/v1/clock/advance", body={"ms": 86400000})
            self.assertEqual(st, 200, body)
            crit = self.report("structure", s, self.item, 160)
            self.assertEqual((crit["id"], crit["severity"], crit["dep"]), (warn["id"], "critical", "34"), crit)
            seen = self.heard_by_34_only(watchers, warn["id"])
            for name in ("c34", "o34"):
                self.assertIn(("stock.level", s), [(e["event"], e["entity_id"]) for e in seen[name]], name)
            self.assertEqual(len([e for e in seen["c34"] if e["event"] == "sms.queued"]), 2, seen["c34"])
        finally:
            for w in watchers.values():
                w.close()

        self.assert_follows("structure", s, [out["id"], warn["id"]], old=(self.c81, self.o81), new=(self.c34, self.o34))
        self.assertEqual(set(self.alert_ids(self.c34, status="resolved")) & {out["id"]}, {out["id"]})
        self.assertIn("renfort-alert-%d-" % warn["id"], self.feed(self.o34))
        # the admin's dep filter agrees
        self.assertNotIn(warn["id"], self.alert_ids(self.admin, dep="81"))
        self.assertIn(warn["id"], self.alert_ids(self.admin, dep="34"))

        # acknowledging: missing for 81 (and nothing changes), done by 34
        before = self.server.fingerprint()
        self.looks_missing("POST", "/api/v1/alerts/%d/acknowledge", warn["id"], self.c81, body={"note": "vu"})
        self.assertEqual(self.server.fingerprint(), before)
        st, acked, _ = self.api("POST", "/api/v1/alerts/%d/acknowledge" % warn["id"], token=self.c34,
                                body={"note": "vu"})
        self.assertEqual((st, acked["status"], acked["dep"]), (200, "acknowledged", "34"), acked)

        # SMS: the contact's messages, before and after the move, are 34's; so are the calls of
        # 34's officer. The call of 81's officer before the move is seen by neither side (its phone
        # is not 34's, the alert is no longer 81's): the region's coordinators still see it.
        for aid in (out["id"], warn["id"]):
            self.assertEqual(self.outbox(self.c81, alert_id=aid), self.outbox(self.c81, alert_id=MISSING))
        self.assertEqual({m["phone"] for m in self.outbox(self.c34, alert_id=out["id"])}, {contact})
        self.assertEqual({m["phone"] for m in self.outbox(self.admin, alert_id=out["id"])},
                         {contact, self.officer81["phone"]})
        self.assertEqual({(m["phone"], m["dep"]) for m in self.outbox(self.c34, alert_id=warn["id"])},
                         {(contact, "34"), (self.officer34["phone"], "34")})
        phones81 = {m["phone"] for m in self.outbox(self.c81)}
        self.assertFalse({contact, self.officer34["phone"]} & phones81, phones81)

        # its history: the audit rows about it, before the move too, are 34's
        self.assertEqual(self.audit_of(self.c81, "structure", s), self.audit_of(self.c81, "structure", MISSING))
        history = self.audit_of(self.c34, "structure", s)
        self.assertEqual([e["action"] for e in history], ["update", "create"])
        self.assertEqual(history[-1]["after"]["dep"], "81")  # the snapshots themselves are not rewritten
        self.assertEqual(self.audit_of(self.c81, "alert", out["id"]), [])
        self.assertTrue(self.audit_of(self.c34, "alert", out["id"]))

    # --- depots --------------------------------------------------------------------------------------
    def test_moved_depot(self):
        d = self.create_record("depots", samples.depot(name="Socle qui déménage", commune=ALBI))["id"]
        alert = self.report("depot", d, "respirator", 0)
        self.assertEqual(alert["dep"], "81")
        watchers = {name: self.subscribed(token, ["alerts", "stock"]) for name, token in (
            ("c81", self.c81), ("c34", self.c34), ("o81", self.o81), ("o34", self.o34))}
        try:
            self.assertEqual(self.move("depots", d, "commune", BEZIERS)["dep"], "34")
            self.report("depot", d, "respirator", 0)  # counted again: its alert is updated
            self.heard_by_34_only(watchers, alert["id"])
        finally:
            for w in watchers.values():
                w.close()
        self.assert_follows("depot", d, [alert["id"]], old=(self.c81, self.o81), new=(self.c34, self.o34))
        self.looks_missing("POST", "/api/v1/alerts/%d/acknowledge", alert["id"], self.c81, body={})
        st, acked, _ = self.api("POST", "/api/v1/alerts/%d/acknowledge" % alert["id"], token=self.c34, body={})
        self.assertEqual((st, acked["status"]), (200, "acknowledged"), acked)
        self.assertEqual(self.audit_of(self.c81, "depot", d), [])
        self.assertEqual([e["action"] for e in self.audit_of(self.c34, "depot", d)], ["update", "create"])

    def test_moved_regional_depot_stays_everyones(self):
        d = self.create_record("depots", samples.depot(name="Socle régional", level="regional", commune=ALBI))["id"]
        alert = self.report("depot", d, "respirator", 0)
        self.move("depots", d, "commune", BEZIERS)
        # the shared stock: every coordinator and observer reads it and its alert, the new
        # département's id on it
        for token in (self.c81, self.c34, self.c31, self.o81, self.o34):
            st, a, _ = self.api("GET", "/api/v1/alerts/%d" % alert["id"], token=token)
            self.assertEqual((st, a["dep"]), (200, "34"), a)
            self.assertIn(alert["id"], self.alert_ids(token))
            self.assertEqual({lv["dep"] for lv in self.levels_of(token, "depot", d)}, {"34"})
        # the others read it but do not change it: their acknowledgement answers as for a missing
        # alert, like a change of the depot itself, and changes nothing
        before = self.server.fingerprint()
        for token in (self.c81, self.c31):
            for action in ("acknowledge", "resolve"):
                self.looks_missing("POST", "/api/v1/alerts/%d/" + action, alert["id"], token, body={})
        self.assertEqual(self.server.fingerprint(), before)
        # and its new département acts on it
        st, body, _ = self.api("POST", "/api/v1/alerts/%d/acknowledge" % alert["id"], token=self.c34, body={})
        self.assertEqual((st, body["dep"]), (200, "34"), body)

    # --- a volunteer -------------------------------------------------------------------------------
    def test_moved_volunteer(self):
        body = samples.volunteer(last_name="Voyageuse", home_commune=ALBI)
        v = self.create_record("volunteers", body)["id"]
        phone = body["phone"]
        st, sms, _ = self.api("POST", "/api/v1/sms/send", token=self.c81, body={"volunteer_id": v, "text": "Dispo ?"})
        self.assertEqual(st, 201, sms)
        self.assertIn(phone, {m["phone"] for m in self.outbox(self.c81)})
        secret, _ = self.api_token("volunteer", subject=v)
        watchers = {name: self.subscribed(token, ["volunteers", "sms"]) for name, token in (
            ("c81", self.c81), ("c34", self.c34))}
        try:
            self.assertEqual(self.move("volunteers", v, "home_commune", MONTPELLIER)["dep"], "34")
            self.assertEqual(self.drain(watchers["c81"]), [])
            self.assertEqual([(e["event"], e["dep"]) for e in self.drain(watchers["c34"])],
                             [("volunteer.updated", "34")])
        finally:
            for w in watchers.values():
                w.close()
        # the old département: their page, their SMS and their history look missing
        self.looks_missing("GET", "/api/v1/volunteers/%d", v, self.c81)
        self.assertNotIn(phone, {m["phone"] for m in self.outbox(self.c81)})
        self.assertEqual(self.audit_of(self.c81, "volunteer", v), [])
        # the new one: all of it
        st, row, _ = self.api("GET", "/api/v1/volunteers/%d" % v, token=self.c34)
        self.assertEqual((st, row["phone"], len(row["credentials"])), (200, phone, 1), row)
        mine = [m for m in self.outbox(self.c34) if m["id"] == sms["id"]]
        self.assertEqual([(m["phone"], m["dep"], m["recipient_id"]) for m in mine], [(phone, "34", v)])
        self.assertEqual([e["action"] for e in self.audit_of(self.c34, "volunteer", v)], ["update", "create"])
        # and the volunteer still reads their own page
        st, me, _ = self.api("GET", "/api/v1/volunteers/%d" % v, token=secret)
        self.assertEqual((st, me["dep"]), (200, "34"))


# --- every operation against moved rows -----------------------------------------------------------------

class ById:
    """An operation that names a row (in its path, a filter, its body or a topic): build(t, rid) is
    the request about row `row` (an attribute of the test: its id) or about MISSING. Old side: the
    answer about the moved row is exactly the answer about MISSING. New side: the answer is one of
    `new` (None: not asked, the operation would destroy the row) and not the answer about MISSING.
    roles: who is asked (an observer may not follow a volunteer, moved or not)."""

    def __init__(self, row, build, new, roles=("coordinator81", "observer")):
        self.row, self.build, self.new, self.roles = row, build, new, roles


class Listed:
    """An operation that answers many rows: `sees(t, answer)` says whether the moved rows are in it.
    Old side: they are not; new side: they are (new=False: the new side does not read this at all,
    as a proposal made over the old département). status: what both sides get."""

    def __init__(self, build, sees, status=200, new=True):
        self.build, self.sees, self.roles = build, sees, ("coordinator81", "observer")
        self.status, self.new = status, new


def _ids(answer):
    return {r["id"] for r in answer["items"]}


def _csv_ids(text):
    return {int(r["id"]) for r in csv.DictReader(io.StringIO(text))}


def _csv_holders(text):
    return {(r["holder_kind"], int(r["holder_id"])) for r in csv.DictReader(io.StringIO(text))}


def _assessed(answer):
    return {h["structure_id"] for h in answer["holders"]}


def _report(kind, quantity):
    return lambda t, rid: Req("POST", "/api/v1/stock/reports", body={
        "holder_kind": kind, "holder_id": rid, "items": [{"item": "respirator", "quantity": quantity}]},
        key="moved-%s-%d" % (kind, next(KEYS)))


def _holder_query(path, kind):
    return lambda t, rid: Req("GET", "%s?holder_kind=%s&holder_id=%d" % (path, kind, rid),
                              params={"holder_kind": kind, "holder_id": rid})


def _path(method, fmt, body=None):
    return lambda t, rid: Req(method, fmt % rid, body=body, params={"id": rid})


def _audit(entity):
    return lambda t, rid: Req("GET", "/api/v1/audit?entity=%s&entity_id=%d" % (entity, rid),
                              params={"entity": entity, "entity_id": rid})


def _topic(entity):
    return lambda t, rid: Req(None, None, params={"topics": ["%s:%d" % (entity, rid)]})


KEYS = itertools.count(1)
NAMES_NO_MOVED_ROW = None  # an operation that reads or writes nothing of a structure, depot or volunteer

# op name -> what a move means for it: ById / Listed checks (several for one operation), or
# NAMES_NO_MOVED_ROW. The moved rows: s (a structure with a contact, stock, an alert a_s and its
# SMS), d (a departemental depot with stock and an alert a_d), v (a volunteer with an SMS sent and
# one received), r (a staff request of s that called v). New-side writes run in this order (a threshold is set before it is deleted).
MOVED = {
    "whoami": NAMES_NO_MOVED_ROW,
    "territories.list": NAMES_NO_MOVED_ROW,
    "territories.get": NAMES_NO_MOVED_ROW,
    "communes.list": NAMES_NO_MOVED_ROW,
    "communes.get": NAMES_NO_MOVED_ROW,

    "structures.list": [Listed(lambda t: Req("GET", "/api/v1/structures?limit=1000"),
                               lambda t, a: t.s in _ids(a))],
    "structures.export": [Listed(lambda t: Req("GET", "/api/v1/structures/export"),
                                 lambda t, a: t.s in _csv_ids(a))],
    "structures.import": NAMES_NO_MOVED_ROW,
    "structures.get": [ById("s", _path("GET", "/api/v1/structures/%d"), (200,))],
    "structures.create": NAMES_NO_MOVED_ROW,
    "structures.update": [ById("s", _path("PATCH", "/api/v1/structures/%d", {"occupancy": 5}), (200,))],
    "structures.delete": [ById("s", _path("DELETE", "/api/v1/structures/%d"), (409,))],  # it has stock

    "depots.list": [Listed(lambda t: Req("GET", "/api/v1/depots?limit=1000"), lambda t, a: t.d in _ids(a))],
    "depots.export": [Listed(lambda t: Req("GET", "/api/v1/depots/export"), lambda t, a: t.d in _csv_ids(a))],
    "depots.get": [ById("d", _path("GET", "/api/v1/depots/%d"), (200,))],
    "depots.create": NAMES_NO_MOVED_ROW,
    "depots.update": [ById("d", _path("PATCH", "/api/v1/depots/%d", {"phone": "+33563000034"}), (200,))],
    "depots.delete": [ById("d", _path("DELETE", "/api/v1/depots/%d"), (409,))],

    "items.list": NAMES_NO_MOVED_ROW,
    "items.export": NAMES_NO_MOVED_ROW,
    "items.get": NAMES_NO_MOVED_ROW,
    "items.create": NAMES_NO_MOVED_ROW,
    "items.update": NAMES_NO_MOVED_ROW,
    "items.delete": NAMES_NO_MOVED_ROW,

    "volunteers.list": [Listed(lambda t: Req("GET", "/api/v1/volunteers?limit=1000"), lambda t, a: t.v in _ids(a))],
    "volunteers.export": [Listed(lambda t: Req("GET", "/api/v1/volunteers/export"),
                                 lambda t, a: t.v in _csv_ids(a))],
    "volunteers.import": NAMES_NO_MOVED_ROW,
    # anonymous counts by département: no row to find in them (the moved volunteer counts in 34's)
    "volunteers.stats": NAMES_NO_MOVED_ROW,
    "volunteers.get": [ById("v", _path("GET", "/api/v1/volunteers/%d"), (200,))],
    "volunteers.create": NAMES_NO_MOVED_ROW,
    "volunteers.update": [ById("v", _path("PATCH", "/api/v1/volunteers/%d", {"travel_radius_km": 34}), (200,))],
    "volunteers.delete": [ById("v", _path("DELETE", "/api/v1/volunteers/%d"), None)],  # 34 would erase them

    "duty_officers.list": NAMES_NO_MOVED_ROW,
    "duty_officers.export": NAMES_NO_MOVED_ROW,
    "duty_officers.get": NAMES_NO_MOVED_ROW,
    "duty_officers.create": NAMES_NO_MOVED_ROW,
    "duty_officers.update": NAMES_NO_MOVED_ROW,
    "duty_officers.delete": NAMES_NO_MOVED_ROW,

    "stock.report": [ById("s", _report("structure", 0), (201,)), ById("d", _report("depot", 0), (201,))],
    "stock.movement": [ById("s", lambda t, rid: Req("POST", "/api/v1/stock/movements", body={
        "holder_kind": "structure", "holder_id": rid, "item": "respirator", "kind": "receipt", "quantity": 5, "origin": "purchase"},
        key="moved-movement-%d" % next(KEYS)), (201,))],
    "stock.levels": [ById("s", _holder_query("/api/v1/stock/levels", "structure"), (200,)),
                     ById("d", _holder_query("/api/v1/stock/levels", "depot"), (200,))],
    # sums by département and item: no row to find in them
    "stock.cover": NAMES_NO_MOVED_ROW,
    "stock.history": [ById("s", _holder_query("/api/v1/stock/history", "structure"), (200,)),
                      ById("d", _holder_query("/api/v1/stock/history", "depot"), (200,))],
    # counts by hour: no row to find in them
    "stock.trends": NAMES_NO_MOVED_ROW,
    # figures by département: no structure, depot or volunteer in them
    "epidemic.import": NAMES_NO_MOVED_ROW,
    "epidemic.list": NAMES_NO_MOVED_ROW,
    "thresholds.list": [ById("s", _holder_query("/api/v1/thresholds", "structure"), (200,))],
    "thresholds.set": [ById("s", lambda t, rid: Req("PUT", "/api/v1/thresholds", body={
        "holder_kind": "structure", "holder_id": rid, "warning_days": 7, "critical_days": 3}), (200,))],
    "thresholds.delete": [ById("s", _holder_query("/api/v1/thresholds", "structure"), (200, 404))],

    "alerts.list": [ById("s", _holder_query("/api/v1/alerts", "structure"), (200,)),
                    ById("d", _holder_query("/api/v1/alerts", "depot"), (200,))],
    "alerts.feed": [Listed(lambda t: Req("GET", "/api/v1/alerts/feed"),
                           lambda t, a: "renfort-alert-%d-" % t.a_s in a)],  # a_d is resolved by then
    "alerts.get": [ById("a_s", _path("GET", "/api/v1/alerts/%d"), (200,)),
                   ById("a_d", _path("GET", "/api/v1/alerts/%d"), (200,))],
    "alerts.cap": [ById("a_s", _path("GET", "/api/v1/alerts/%d/cap"), (200,))],
    "alerts.acknowledge": [ById("a_s", _path("POST", "/api/v1/alerts/%d/acknowledge", {}), (200,))],
    "alerts.resolve": [ById("a_d", _path("POST", "/api/v1/alerts/%d/resolve", {}), (200, 409))],
    "alerts.take": [ById("a_s", _path("POST", "/api/v1/alerts/%d/take", {}), (200,))],
    "alerts.release": [ById("a_s", _path("POST", "/api/v1/alerts/%d/release", {}), (200, 409))],
    "alerts.timeline": [ById("a_s", _path("GET", "/api/v1/alerts/%d/timeline"), (200,))],
    "handovers.create": NAMES_NO_MOVED_ROW,  # notes name a territory, not a row that moves
    "handovers.list": NAMES_NO_MOVED_ROW,
    "alerts.check": NAMES_NO_MOVED_ROW,
    # counts by département, and lists of the structures that did not report or are out of stock:
    # the moved structure reported today and is out of nothing, so it is in none of them; both read
    # the rows' own départements as they are now (test_cell_sitrep)
    "reports.situation": NAMES_NO_MOVED_ROW,
    "reports.completeness": NAMES_NO_MOVED_ROW,
    "sms.outbox": [ById("a_s", lambda t, rid: Req("GET", "/api/v1/sms/outbox?alert_id=%d" % rid,
                                                  params={"alert_id": rid}), (200,)),
                   Listed(lambda t: Req("GET", "/api/v1/sms/outbox?limit=1000"),
                          lambda t, a: t.v_phone in {m["phone"] for m in a["items"]})],
    "sms.send": [ById("v", lambda t, rid: Req("POST", "/api/v1/sms/send", body={"volunteer_id": rid, "text": "Dispo ?"}),
                      (201,))],
    "sms.inbox": [Listed(lambda t: Req("GET", "/api/v1/sms/inbox?limit=1000"),
                         lambda t, a: t.v in {m.get("volunteer_id") for m in a["items"]})],
    "sms.kannel_inbound": NAMES_NO_MOVED_ROW,
    "sms.kannel_dlr": NAMES_NO_MOVED_ROW,
    "sms.twilio_inbound": NAMES_NO_MOVED_ROW,
    "sms.twilio_status": NAMES_NO_MOVED_ROW,
    "clock.advance": NAMES_NO_MOVED_ROW,
    "signup.communes": NAMES_NO_MOVED_ROW,
    "signup.code": NAMES_NO_MOVED_ROW,
    "signup.create": NAMES_NO_MOVED_ROW,
    "signup.link": NAMES_NO_MOVED_ROW,

    # staff requests follow their structure (a trigger moves their dep): the request of s, made below
    "staff_requests.create": [ById("s", lambda t, rid: Req("POST", "/api/v1/deployments/requests", body={
        "structure_id": rid, "professions": ["nurse"], "count": 1,
        "shifts": [{"start": "2030-05-04T07:00", "end": "2030-05-04T19:00"}]}), (201,), roles=("coordinator81",))],
    "staff_requests.list": [Listed(lambda t: Req("GET", "/api/v1/deployments/requests?limit=1000"),
                                   lambda t, a: t.r in _ids(a))],
    "staff_requests.preview": [ById("s", lambda t, rid: Req("POST", "/api/v1/deployments/preview", body={
        "structure_id": rid, "professions": ["nurse"], "count": 1,
        "shifts": [{"start": "2030-05-04T07:00", "end": "2030-05-04T19:00"}]}), (200,), roles=("coordinator81",))],
    "staff_requests.get": [ById("r", _path("GET", "/api/v1/deployments/requests/%d"), (200,))],
    "staff_requests.candidates": [ById("r", _path("GET", "/api/v1/deployments/requests/%d/candidates"), (200,),
                                       roles=("coordinator81",))],
    "staff_requests.call_now": [ById("r", _path("POST", "/api/v1/deployments/requests/%d/waves", {}), (200,),
                                     roles=("coordinator81",))],
    "staff_requests.cancel": [ById("r", _path("POST", "/api/v1/deployments/requests/%d/cancel", {}), None,
                                   roles=("coordinator81",))],  # 34 would cancel it
    # a volunteer's own calls: their token acts as them wherever they live
    "staff_calls.list": NAMES_NO_MOVED_ROW,
    "staff_calls.answer": NAMES_NO_MOVED_ROW,

    "availability.list": [ById("v", _path("GET", "/api/v1/volunteers/%d/availability"), (200,))],
    "availability.add": [ById("v", _path("POST", "/api/v1/volunteers/%d/availability", {
        "kind": "unavailable", "start": "2031-01-01T00:00", "end": "2031-01-02T00:00"}), (201,))],
    # a window that is none: the moved volunteer's is 34's to say (404 window_id), 81's as missing
    "availability.delete": [ById("v", lambda t, rid: Req("DELETE", "/api/v1/volunteers/%d/availability/999999" % rid,
                                                         params={"id": rid, "window_id": 999999}), (404,))],
    "credentials.expiring": [Listed(lambda t: Req("GET", "/api/v1/credentials/expiring?limit=1000"),
                                    lambda t, a: t.v in {x["volunteer_id"] for x in a["items"]})],

    "audit.list": [ById("s", _audit("structure"), (200,)), ById("d", _audit("depot"), (200,)),
                   ById("v", _audit("volunteer"), (200,)), ById("a_s", _audit("alert"), (200,))],
    "tokens.list": NAMES_NO_MOVED_ROW,
    "tokens.create": NAMES_NO_MOVED_ROW,
    "tokens.revoke": NAMES_NO_MOVED_ROW,

    # the shared stock: requests, allocations and the ledger read their parties where they are now
    "stock_requests.list": [Listed(lambda t: Req("GET", "/api/v1/stock/requests"), lambda t, a: t.r_s in _ids(a))],
    "stock_requests.create": [ById("s", lambda t, rid: Req("POST", "/api/v1/stock/requests", body={
        "structure_id": rid, "item": "respirator", "quantity": 5, "reason": "moved"}), (201,))],
    "stock_requests.cancel": [ById("r_s", _path("POST", "/api/v1/stock/requests/%d/cancel", {"reason": "moved"}),
                                   (200, 409))],
    "stock.nearest": [ById(row, (lambda kind: lambda t, rid: Req(
        "GET", "/api/v1/stock/nearest?item=gloves-examination&holder_kind=%s&holder_id=%d" % (kind, rid),
        params={"item": "gloves-examination", "holder_kind": kind, "holder_id": rid}))(kind), (200,))
        for row, kind in (("s", "structure"), ("d", "depot"))],
    "stock_reserves.list": [ById("d", lambda t, rid: Req("GET", "/api/v1/stock/reserves?depot_id=%d" % rid,
                                                         params={"depot_id": rid}), (200,))],
    "stock_reserves.set": [ById("d", lambda t, rid: Req("PUT", "/api/v1/stock/reserves", body={
        "depot_id": rid, "item": "respirator", "quantity": 1}), (200,))],
    "stock.ledger_export": [Listed(lambda t: Req("GET", "/api/v1/stock/ledger/export"),
                                   lambda t, a: ("structure", t.s) in _csv_holders(a))],
    "allocations.propose": [Listed(lambda t: Req("POST", "/api/v1/allocations/propose", body={"item": "gloves-examination"}),
                                   lambda t, a: t.s in _assessed(a), status=201)],
    # a proposal over 81 stays 81's: the structure that left is no longer in its explanation
    "allocations.proposal": [Listed(lambda t: Req("GET", "/api/v1/allocations/proposals/%d" % t.p81, params={"id": t.p81}),
                                    lambda t, a: t.s in _assessed(a), new=False)],
    "allocations.list": [Listed(lambda t: Req("GET", "/api/v1/allocations"), lambda t, a: t.al in _ids(a))],
    "allocations.export": [Listed(lambda t: Req("GET", "/api/v1/allocations/export"), lambda t, a: t.al in _csv_ids(a))],
    "allocations.create": [ById("s", lambda t, rid: Req("POST", "/api/v1/allocations", body={
        "item": "gloves-examination", "source_kind": "depot", "source_id": t.d, "structure_id": rid, "quantity": 5}),
        (201,))],
    "allocations.get": [ById("al", _path("GET", "/api/v1/allocations/%d"), (200,))],
    "allocations.approve": [ById("al", _path("POST", "/api/v1/allocations/%d/approve", {}), (200, 409))],
    "allocations.dispatch": [ById("al", _path("POST", "/api/v1/allocations/%d/dispatch", {}), (200, 409))],
    "allocations.receive": [ById("al", _path("POST", "/api/v1/allocations/%d/receive", {"quantity": 100}), (200, 409))],
    "allocations.cancel": [ById("al", _path("POST", "/api/v1/allocations/%d/cancel", {"reason": "moved"}), (200, 409))],

    "subscribe": [ById("s", _topic("structure"), (200,)), ById("d", _topic("depot"), (200,)),
                  ById("v", _topic("volunteer"), (200,), roles=("coordinator81",))],
    "unsubscribe": NAMES_NO_MOVED_ROW,
}


class MovedMatrix(ServerTest):
    """Every operation of the op table (`renfortd ops`), against a structure, a depot and a volunteer
    that moved from 81 to 34: the coordinator and observer of 81 get what a missing row gets, those
    of 34 get the row; over HTTP and over the websocket."""

    extra_args = ("--set", "kannel_secret=moves-secret")

    @classmethod
    def prepare(cls, server):
        super().prepare(server)
        cls.old = {"coordinator81": server.token("coordinator", scope="81"),
                   "observer": server.token("observer", scope="81")}
        cls.new = {"coordinator81": server.token("coordinator", scope="34"),
                   "observer": server.token("observer", scope="34")}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        http = cls.server.http
        cls.create_record("duty_officers", {"name": "Astreinte Tarn", "phone": samples.phone(), "dep": "81"})
        cls.s = cls.create_record("structures", samples.structure(commune=ALBI))["id"]
        cls.d = cls.create_record("depots", samples.depot(commune=ALBI))["id"]
        body = samples.volunteer(home_commune=ALBI)
        # a credential that expires soon (credentials.expiring lists it)
        body["credentials"].append({"kind": "first_aid", "expires_on": datetime.date.today().isoformat()})
        cls.v, cls.v_phone = cls.create_record("volunteers", body)["id"], body["phone"]
        alerts = {}
        for name, kind, rid in (("a_s", "structure", cls.s), ("a_d", "depot", cls.d)):
            st, rep, _ = http("POST", "/api/v1/stock/reports", token=cls.admin, headers={"Idempotency-Key": name},
                              body={"holder_kind": kind, "holder_id": rid,
                                    "items": [{"item": "respirator", "quantity": 0}]})
            assert st == 201, rep
            alerts[name] = rep["levels"][0]["alert"]["id"]
        cls.a_s, cls.a_d = alerts["a_s"], alerts["a_d"]
        # the shared stock of the moving rows: gloves at both, a request, an allocation d -> s, and
        # a proposal made over 81
        for kind, rid, quantity in (("structure", cls.s, 500), ("depot", cls.d, 5000)):
            st, rep, _ = http("POST", "/api/v1/stock/reports", token=cls.admin, headers={"Idempotency-Key": "g%s" % kind},
                              body={"holder_kind": kind, "holder_id": rid,
                                    "items": [{"item": "gloves-examination", "quantity": quantity}]})
            assert st == 201, rep
        st, req, _ = http("POST", "/api/v1/stock/requests", token=cls.admin, body={
            "structure_id": cls.s, "item": "gloves-examination", "quantity": 300, "reason": "before the move"})
        assert st == 201, req
        cls.r_s = req["id"]
        st, al, _ = http("POST", "/api/v1/allocations", token=cls.admin, body={
            "item": "gloves-examination", "source_kind": "depot", "source_id": cls.d, "structure_id": cls.s,
            "quantity": 100})
        assert st == 201, al
        cls.al = al["id"]
        st, prop, _ = http("POST", "/api/v1/allocations/propose", token=cls.old["coordinator81"], body={
            "item": "gloves-examination", "dep": "81"})
        assert st == 201 and cls.s in _assessed(prop), prop
        cls.p81 = prop["id"]
        st, sms, _ = http("POST", "/api/v1/sms/send", token=cls.admin, body={"volunteer_id": cls.v, "text": "Dispo ?"})
        assert st == 201, sms
        st, _, _ = http("GET", "/sms/kannel/inbound?secret=moves-secret&from=%s&text=DISPO&id=moves-1"
                        % cls.v_phone.replace("+", "%2B"))
        assert st == 200
        st, req, _ = http("POST", "/api/v1/deployments/requests", token=cls.admin, body={
            "structure_id": cls.s, "professions": ["nurse"], "count": 1,
            "shifts": [{"start": "2030-05-03T07:00", "end": "2030-05-03T19:00"}]})
        assert st == 201 and req["calls"]["open"] == 1, req
        cls.r = req["id"]
        for plural, rid, field, commune in (("structures", cls.s, "commune", BEZIERS),
                                            ("depots", cls.d, "commune", BEZIERS),
                                            ("volunteers", cls.v, "home_commune", MONTPELLIER)):
            st, row, _ = http("PATCH", "/api/v1/%s/%d" % (plural, rid), token=cls.admin, body={field: commune})
            assert (st, row["dep"]) == (200, "34"), row

    def test_every_operation_says_what_a_move_means(self):
        names = [op.name for op in op_table()]
        self.assertEqual(sorted(set(names) - set(MOVED)), [],
                         "operations of the op table (renfortd ops) without an entry in test_scope_moves.MOVED: say what a "
                         "moved structure, depot or volunteer means for them")
        self.assertEqual(sorted(set(MOVED) - set(names)), [], "MOVED names operations that no longer exist")

    def checks(self, transport):
        """(op, role, check) for every check the role may run on this transport."""
        for name, checks in MOVED.items():
            for check in checks or ():
                for role in ("coordinator81", "observer"):
                    if role not in MATRIX[name][0] or role not in check.roles:
                        continue
                    ws_only = check.build(self, MISSING).method is None if isinstance(check, ById) else False
                    if transport == "http" and ws_only:
                        continue
                    yield name, role, check

    def answer(self, transport, token, name, req):
        """(status, body) as the transport gives it: the websocket's without its request id."""
        if transport == "http":
            st, body, _ = self.server.http(req.method, req.path, token=token, **req.http_kw())
            return st, body
        w = self.sockets[token]
        m = w.request(name, params=req.params, data=req.data, key=req.key)
        return m["status"], m.get("data", m.get("error"))

    def run_matrix(self, transport):
        if transport == "ws":
            self.sockets = {t: self.server.ws(token=t) for t in list(self.old.values()) + list(self.new.values())}
            self.addCleanup(lambda: [w.close() for w in self.sockets.values()])
        for name, role, check in self.checks(transport):
            old, new = self.old[role], self.new[role]
            with self.subTest(op=name, role=role, row=getattr(check, "row", None), transport=transport):
                if isinstance(check, Listed):
                    st, got = self.answer(transport, old, name, check.build(self))
                    self.assertEqual(st, check.status, got)
                    self.assertFalse(check.sees(self, got), "81 still sees the moved rows")
                    if not check.new:
                        continue
                    st, got = self.answer(transport, new, name, check.build(self))
                    self.assertEqual(st, check.status, got)
                    self.assertTrue(check.sees(self, got), "34 does not see the moved rows")
                    continue
                rid = getattr(self, check.row)
                moved = self.answer(transport, old, name, check.build(self, rid))
                missing = self.answer(transport, old, name, check.build(self, MISSING))
                self.assertEqual(moved, missing, "81 gets another answer for the moved row than for a missing one")
                if check.new is None:
                    continue
                got = self.answer(transport, new, name, check.build(self, rid))
                self.assertIn(got[0], check.new, got)
                self.assertNotEqual(got, self.answer(transport, new, name, check.build(self, MISSING)),
                                    "34 gets the missing-row answer")

    def test_over_http(self):
        self.run_matrix("http")

    def test_over_websocket(self):
        self.run_matrix("ws")


class HeldGateway:
    """A Twilio-compatible gateway on loopback that holds every message until told, then refuses it
    (500): a message stays in flight as long as the test wants."""

    def __init__(self):
        self.arrived, self.release = threading.Event(), threading.Event()
        gateway = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                gateway.arrived.set()
                gateway.release.wait(20)
                self.send_response(500)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


class MoveWhileSending(ServerTest):
    """A message handed to the gateway before its volunteer moved, and failed after: the
    sms_failed alert it opens is the new département's (the outcome reads the row, not a copy
    taken when the message left)."""

    @classmethod
    def setUpClass(cls):
        cls.gateway = HeldGateway()
        cls.addClassCleanup(cls.gateway.close)
        cls.extra_args = ("--set", "sms_gateways=twilio", "--set", "twilio_base_url=" + cls.gateway.url,
                          "--set", "twilio_account_sid=AC" + "0" * 32, "--set", "twilio_auth_token=secret",
                          "--set", "twilio_from=+33639989999", "--set", "sms_max_attempts=1",
                          "--set", "public_url=http://127.0.0.1:9")
        super().setUpClass()

    @classmethod
    def prepare(cls, server):
        super().prepare(server)
        cls.c81 = server.token("coordinator", scope="81")
        cls.c34 = server.token("coordinator", scope="34")

    def test_failure_counts_where_the_volunteer_is_now(self):
        v = self.create_record("volunteers", samples.volunteer(home_commune=ALBI))["id"]
        st, sms, _ = self.api("POST", "/api/v1/sms/send", body={"volunteer_id": v, "text": "Dispo ?"})
        self.assertEqual(st, 201, sms)
        self.assertTrue(self.gateway.arrived.wait(10), "the message never reached the gateway")
        st, row, _ = self.api("PATCH", "/api/v1/volunteers/%d" % v, body={"home_commune": MONTPELLIER})
        self.assertEqual((st, row["dep"]), (200, "34"), row)
        self.gateway.release.set()
        for _ in range(200):
            st, page, _ = self.api("GET", "/api/v1/alerts?kind=sms_failed")
            if page["items"]:
                break
            time.sleep(0.05)
        self.assertEqual([a["dep"] for a in page["items"]], ["34"], page)
        st, page, _ = self.api("GET", "/api/v1/sms/outbox", token=self.c34)
        self.assertEqual([(m["id"], m["status"]) for m in page["items"]], [(sms["id"], "failed")])
        st, page, _ = self.api("GET", "/api/v1/alerts?kind=sms_failed", token=self.c81)
        self.assertEqual(page["items"], [])


if __name__ == "__main__":
    unittest.main()
