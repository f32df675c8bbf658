"""Scope and roles. A coordinator of 81 can neither read, list, change, delete nor follow a structure
or a volunteer of 34, over HTTP or websocket, and the answer is exactly the one for a missing id;
a coordinator of 34 can. Every role's token is tried against every operation of the op table
(`renfortd ops`). Self roles see themselves only; observers see no personal data and no people.
Rows that move to another département: test_scope_moves.py (it uses this file's MATRIX)."""

import csv
import io
import re
import unittest

import samples
from harness import ServerTest, op_table
from samples import ALBI, BEZIERS, CASTRES, MONTPELLIER

ROLES = ("admin", "coordinator", "coordinator81", "structure", "depot", "volunteer", "observer")
STAFF = {"admin", "coordinator", "coordinator81"}
READERS = STAFF | {"observer"}
EVERYONE = set(ROLES)
FORM = "application/x-www-form-urlencoded"  # Twilio's webhooks' bodies


def without_id(msg):
    return {k: v for k, v in msg.items() if k != "id"}


class ScopeBase(ServerTest):
    @classmethod
    def prepare(cls, server):
        super().prepare(server)
        cls.coord = server.token("coordinator", scope="region")
        cls.c81 = server.token("coordinator", scope="81")
        cls.c34 = server.token("coordinator", scope="34")
        cls.observer = server.token("observer")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        mk = cls.create_record

        cls.s81 = mk("structures", samples.structure(name="EHPAD du Tarn", commune=ALBI))
        cls.s81b = mk("structures", samples.structure(name="EHPAD de Castres", commune=CASTRES))
        cls.s34 = mk("structures", samples.structure(name="EHPAD de l'Hérault", commune=BEZIERS,
                                                     finess=samples.finess("34")))
        cls.v81 = mk("volunteers", samples.volunteer(last_name="Tarnaise", home_commune=ALBI))
        cls.v34 = mk("volunteers", samples.volunteer(last_name="Héraultaise", home_commune=MONTPELLIER,
                                                     profession="doctor"))
        cls.d81 = mk("depots", samples.depot(name="Socle Tarn", commune=ALBI))
        cls.d34 = mk("depots", samples.depot(name="Socle Hérault", commune=MONTPELLIER))
        cls.tokens = {"admin": cls.admin, "coordinator": cls.coord, "coordinator81": cls.c81,
                      "observer": cls.observer}

        def api_token(role, subject):
            st, data, _ = cls.server.http("POST", "/api/v1/tokens", token=cls.admin,
                                          body={"role": role, "subject_id": subject, "label": role})
            assert st == 201, data
            return data["token"]

        cls.tokens["structure"] = cls.st81 = api_token("structure", cls.s81["id"])
        cls.tokens["depot"] = cls.dt81 = api_token("depot", cls.d81["id"])
        cls.tokens["volunteer"] = cls.vt81 = api_token("volunteer", cls.v81["id"])
        st, page, _ = cls.server.http("GET", "/api/v1/structures?limit=1000", token=cls.admin)
        cls.missing = max(r["id"] for r in page["items"]) + 1000


class Territory(ScopeBase):
    """The issue's test: 81 sees nothing of 34, and forbidden looks exactly like missing."""

    def same_as_missing(self, method, path_of, rid, body=None, token=None):
        token = token or self.c81
        forbidden = self.server.http(method, path_of(rid), token=token, body=body)
        missing = self.server.http(method, path_of(self.missing), token=token, body=body)
        self.assertEqual(forbidden[0], 404, forbidden[1])
        self.assertEqual(forbidden[1]["error"]["code"], "not_found")
        self.assertEqual((forbidden[0], forbidden[1]), (missing[0], missing[1]), (method, path_of(rid)))
        return forbidden

    def test_http_read_change_delete_of_34_looks_missing(self):
        before = {p: self.api("GET", "/api/v1/%s/%d" % (p, r["id"]))[1]
                  for p, r in (("structures", self.s34), ("volunteers", self.v34))}
        for plural, rec, patch in (("structures", self.s34, {"occupancy": 1, "name": "Taken over"}),
                                   ("volunteers", self.v34, {"availability": "unavailable"})):
            with self.subTest(plural=plural):
                def url(i, plural=plural):
                    return "/api/v1/%s/%d" % (plural, i)
                self.same_as_missing("GET", url, rec["id"])
                self.same_as_missing("PATCH", url, rec["id"], body=patch)
                self.same_as_missing("DELETE", url, rec["id"])
                # even with a bad body the answer does not tell that the row exists
                self.same_as_missing("PATCH", url, rec["id"], body={"no_such_field": 1})
                # the audit log of a 34 row is as empty as that of a missing one
                st, a, _ = self.api("GET", "/api/v1/audit?entity=%s&entity_id=%d" % (plural[:-1], rec["id"]),
                                    token=self.c81)
                st2, b, _ = self.api("GET", "/api/v1/audit?entity=%s&entity_id=%d" % (plural[:-1], self.missing),
                                     token=self.c81)
                self.assertEqual((st, a), (200, {"items": [], "next_before": None}))
                self.assertEqual((st, a), (st2, b))
        # nothing of 34 moved
        for p, r in (("structures", self.s34), ("volunteers", self.v34)):
            self.assertEqual(self.api("GET", "/api/v1/%s/%d" % (p, r["id"]))[1], before[p])
        # the depot of 34 too (departemental depots are scoped like structures)
        self.same_as_missing("GET", lambda i: "/api/v1/depots/%d" % i, self.d34["id"])

    def test_http_lists_and_exports_of_81_hold_nothing_of_34(self):
        for plural, mine in (("structures", {self.s81["id"], self.s81b["id"]}), ("volunteers", {self.v81["id"]})):
            with self.subTest(plural=plural):
                st, page, _ = self.api("GET", "/api/v1/%s?limit=1000" % plural, token=self.c81)
                self.assertEqual(st, 200, page)
                self.assertEqual({r["id"] for r in page["items"]}, mine)
                self.assertEqual(page["total"], len(mine))
                self.assertEqual({r["dep"] for r in page["items"]}, {"81"})
                # asking for 34 answers like asking for a département without anything
                dep34 = self.api("GET", "/api/v1/%s?dep=34" % plural, token=self.c81)
                dep09 = self.api("GET", "/api/v1/%s?dep=09" % plural, token=self.c81)
                self.assertEqual((dep34[0], dep34[1]), (200, {"items": [], "total": 0, "next": None}))
                self.assertEqual((dep34[0], dep34[1]), (dep09[0], dep09[1]))
                st, text, _ = self.api("GET", "/api/v1/%s/export" % plural, token=self.c81)
                self.assertEqual(st, 200)
                rows = list(csv.DictReader(io.StringIO(text)))
                self.assertEqual({int(r["id"]) for r in rows}, mine)
                self.assertEqual({r["dep"] for r in rows}, {"81"})
        st, page, _ = self.api("GET", "/api/v1/structures?q=H%C3%A9rault", token=self.c81)
        self.assertEqual(page["items"], [])
        st, page, _ = self.api("GET", "/api/v1/structures?finess=" + self.s34["finess"], token=self.c81)
        self.assertEqual(page["items"], [])
        st, stats, _ = self.api("GET", "/api/v1/volunteers/stats", token=self.c81)
        self.assertEqual({g["dep"] for g in stats["groups"]}, {"81"})

    def test_http_coordinator_34_can(self):
        url = "/api/v1/structures/%d" % self.s34["id"]
        st, got, _ = self.api("GET", url, token=self.c34)
        self.assertEqual((st, got["id"]), (200, self.s34["id"]))
        st, got, _ = self.api("PATCH", url, token=self.c34, body={"staff": 41})
        self.assertEqual((st, got["staff"]), (200, 41))
        st, got, _ = self.api("GET", "/api/v1/volunteers/%d" % self.v34["id"], token=self.c34)
        self.assertEqual((st, got["last_name"]), (200, "Héraultaise"))
        st, page, _ = self.api("GET", "/api/v1/structures?limit=1000", token=self.c34)
        self.assertEqual({r["dep"] for r in page["items"]}, {"34"})
        # and 34 cannot see 81 in turn
        self.assertError(self.api("GET", "/api/v1/structures/%d" % self.s81["id"], token=self.c34), 404, "id",
                         "not_found")
        # a throwaway row of 34: deleted by 34, after 81 could not
        st, tmp, _ = self.api("POST", "/api/v1/structures", token=self.c34, body=samples.structure(commune=BEZIERS))
        self.assertEqual(st, 201, tmp)
        self.assertError(self.api("DELETE", "/api/v1/structures/%d" % tmp["id"], token=self.c81), 404, "id")
        st, gone, _ = self.api("DELETE", "/api/v1/structures/%d" % tmp["id"], token=self.c34)
        self.assertEqual((st, gone), (200, {"id": tmp["id"], "deleted": True}))

    def test_duty_officers_follow_the_territory(self):
        # they name their département themselves (no commune): a coordinator of 81 writes in 81 only
        before = self.server.fingerprint()
        for body in ({"dep": "34"}, {"dep": None}, {}):
            with self.subTest(body=body):
                self.assertError(self.api("POST", "/api/v1/duty_officers", token=self.c81,
                                          body=dict(body, name="Astreinte", phone=samples.phone())),
                                 422, "dep", "out_of_scope")
        self.assertEqual(self.server.fingerprint(), before)
        st, o81, _ = self.api("POST", "/api/v1/duty_officers", token=self.c81,
                              body={"name": "Astreinte Tarn", "phone": samples.phone(), "dep": "81"})
        self.assertEqual((st, o81.get("dep")), (201, "81"), o81)
        url = "/api/v1/duty_officers/%d" % o81["id"]
        self.assertError(self.api("PATCH", url, token=self.c81, body={"dep": "34"}), 422, "dep", "out_of_scope")
        self.assertError(self.api("PATCH", url, token=self.c81, body={"dep": None}), 422, "dep", "out_of_scope")
        st, o, _ = self.api("PATCH", url, token=self.c81, body={"lang": "en"})
        self.assertEqual((st, o["dep"]), (200, "81"))
        # the region's coordinator may name any, or none
        st, o, _ = self.api("PATCH", url, token=self.coord, body={"dep": None})
        self.assertEqual((st, o["dep"]), (200, None))
        # and now it is outside 81: it looks missing there
        self.same_as_missing("GET", lambda i: "/api/v1/duty_officers/%d" % i, o81["id"])
        self.same_as_missing("PATCH", lambda i: "/api/v1/duty_officers/%d" % i, o81["id"], body={"lang": "fr"})

    def test_ws_read_change_delete_subscribe_of_34_looks_missing(self):
        w = self.server.ws(token=self.c81)
        try:
            for plural, rec, patch in (("structures", self.s34, {"occupancy": 1}),
                                       ("volunteers", self.v34, {"availability": "unavailable"})):
                for op, data in (("get", None), ("update", patch), ("delete", None)):
                    with self.subTest(op=plural + "." + op):
                        forbidden = w.request(plural + "." + op, params={"id": rec["id"]}, data=data)
                        missing = w.request(plural + "." + op, params={"id": self.missing}, data=data)
                        self.assertEqual((forbidden["type"], forbidden["status"]), ("error", 404), forbidden)
                        self.assertEqual(without_id(forbidden), without_id(missing))
                topic = plural[:-1] + ":%d"
                forbidden = w.request("subscribe", params={"topics": [topic % rec["id"]]})
                missing = w.request("subscribe", params={"topics": [topic % self.missing]})
                self.assertEqual((forbidden["type"], forbidden["status"]), ("error", 404), forbidden)
                self.assertEqual(without_id(forbidden), without_id(missing))
            m = w.request("subscribe", params={"topics": ["departement:34"]})
            self.assertEqual((m["type"], m["status"], m["error"]["code"]), ("error", 404, "not_found"), m)
            # nothing was subscribed by the refusals
            m = w.request("unsubscribe", params={"topics": []})
            self.assertEqual(m["data"]["topics"], [])
            # the list answers without 34
            m = w.request("structures.list", params={"limit": 1000})
            self.assertEqual({r["dep"] for r in m["data"]["items"]}, {"81"})
            m = w.request("volunteers.list", params={"dep": "34"})
            self.assertEqual((m["status"], m["data"]["items"]), (200, []))
            # their own département works
            m = w.request("subscribe", params={"topics": ["departement:81", "structure:%d" % self.s81["id"]]})
            self.assertEqual(m["status"], 200, m)
        finally:
            w.close()
        w = self.server.ws(token=self.c34)
        try:
            m = w.request("structures.get", params={"id": self.s34["id"]})
            self.assertEqual((m["status"], m["data"]["id"]), (200, self.s34["id"]))
            m = w.request("volunteers.get", params={"id": self.v34["id"]})
            self.assertEqual(m["status"], 200, m)
            m = w.request("subscribe", params={"topics": ["structure:%d" % self.s34["id"],
                                                          "volunteer:%d" % self.v34["id"], "departement:34"]})
            self.assertEqual(m["status"], 200, m)
        finally:
            w.close()

    def test_events_follow_the_territory(self):
        w81, w34, wobs = (self.server.ws(token=t) for t in (self.c81, self.c34, self.observer))
        try:
            for w in (w81, w34):
                m = w.request("subscribe", params={"topics": ["structures", "volunteers", "*"]})
                self.assertEqual(m["status"], 200, m)
            m = wobs.request("subscribe", params={"topics": ["*"]})
            self.assertEqual(m["status"], 200, m)
            # 34 first: if 81's subscriber were given it, it would come before 81's own event
            self.api("PATCH", "/api/v1/structures/%d" % self.s34["id"], body={"staff": 33})
            self.api("PATCH", "/api/v1/volunteers/%d" % self.v34["id"], body={"travel_radius_km": 34})
            self.api("PATCH", "/api/v1/structures/%d" % self.s81["id"], body={"staff": 81})
            ev = w81.next_event()
            self.assertEqual((ev["event"], ev["entity_id"], ev["dep"]), ("structure.updated", self.s81["id"], "81"), ev)
            self.assertEqual(ev["data"]["staff"], 81)
            w81.no_event(0.3)
            ev = w34.next_event()
            self.assertEqual((ev["event"], ev["entity_id"]), ("structure.updated", self.s34["id"]), ev)
            ev = w34.next_event()
            self.assertEqual((ev["event"], ev["entity_id"]), ("volunteer.updated", self.v34["id"]), ev)
            # events carry no personal data, even for coordinators
            self.assertNotIn("last_name", ev["data"])
            self.assertNotIn("phone", ev["data"])
            w34.no_event(0.3)
            # the observer sees structures, not volunteers
            seen = [wobs.next_event(), wobs.next_event()]
            self.assertEqual([e["event"] for e in seen], ["structure.updated", "structure.updated"])
            self.assertEqual({e["entity_id"] for e in seen}, {self.s34["id"], self.s81["id"]})
            for e in seen:
                self.assertTrue(all("phone" not in c and "name" not in c for c in e["data"]["contacts"]), e)
            wobs.no_event(0.3)
            # replayed from the event log, the same holds: a late subscriber of 81 resuming from 0
            late = self.server.ws(token=self.c81)
            try:
                m = late.request("subscribe", params={"topics": ["*"], "since": 0})
                self.assertEqual(m["status"], 200, m)
                replayed = []
                while True:
                    try:
                        replayed.append(late.next_event(timeout=0.5))
                    except AssertionError:
                        break
                self.assertIn(("structure.updated", self.s81["id"]), [(e["event"], e["entity_id"]) for e in replayed])
                self.assertEqual([e for e in replayed if e["dep"] not in ("81", None)], [])
                self.assertNotIn(self.s34["id"], [e["entity_id"] for e in replayed if e["entity"] == "structure"])
            finally:
                late.close()
        finally:
            for w in (w81, w34, wobs):
                w.close()


class SelfRoles(ScopeBase):
    def test_structure_token_sees_itself_only(self):
        st, page, _ = self.api("GET", "/api/v1/structures?limit=1000", token=self.st81)
        self.assertEqual((st, [r["id"] for r in page["items"]], page["total"]), (200, [self.s81["id"]], 1))
        self.assertEqual(page["items"][0]["contacts"][0]["phone"], self.s81["contacts"][0]["phone"])
        for other in (self.s81b, self.s34):
            self.assertError(self.api("GET", "/api/v1/structures/%d" % other["id"], token=self.st81), 404, "id")
            self.assertError(self.api("PATCH", "/api/v1/structures/%d" % other["id"], token=self.st81,
                                      body={"occupancy": 1}), 404, "id")
        # its own figures and contacts, yes; its name or commune, no
        st, me, _ = self.api("PATCH", "/api/v1/structures/%d" % self.s81["id"], token=self.st81,
                             body={"occupancy": 42, "contacts": [{"phone": samples.phone(), "name": "Accueil"}]})
        self.assertEqual((st, me["occupancy"], me["contacts"][0]["name"]), (200, 42, "Accueil"))
        self.assertError(self.api("PATCH", "/api/v1/structures/%d" % self.s81["id"], token=self.st81,
                                  body={"name": "Renamed"}), 403, "name", "forbidden_field")
        self.assertError(self.api("PATCH", "/api/v1/structures/%d" % self.s81["id"], token=self.st81,
                                  body={"commune": CASTRES}), 403, "commune", "forbidden_field")
        st, who, _ = self.api("GET", "/api/v1/whoami", token=self.st81)
        self.assertEqual((who["role"], who["subject_id"]), ("structure", self.s81["id"]))
        w = self.server.ws(token=self.st81)
        try:
            m = w.request("subscribe", params={"topics": ["structure:%d" % self.s81b["id"]]})
            self.assertEqual(m["status"], 404, m)
            m = w.request("subscribe", params={"topics": ["departement:81"]})
            self.assertEqual(m["status"], 404, m)
            m = w.request("subscribe", params={"topics": ["structures"]})
            self.assertEqual(m["status"], 200, m)
            self.api("PATCH", "/api/v1/structures/%d" % self.s81b["id"], body={"staff": 7})
            self.api("PATCH", "/api/v1/structures/%d" % self.s81["id"], body={"staff": 8})
            ev = w.next_event()
            self.assertEqual((ev["event"], ev["entity_id"]), ("structure.updated", self.s81["id"]))
            w.no_event(0.3)
        finally:
            w.close()

    def test_depot_token_sees_itself_only(self):
        st, page, _ = self.api("GET", "/api/v1/depots", token=self.dt81)
        self.assertEqual([r["id"] for r in page["items"]], [self.d81["id"]])
        self.assertError(self.api("GET", "/api/v1/depots/%d" % self.d34["id"], token=self.dt81), 404, "id")
        st, me, _ = self.api("PATCH", "/api/v1/depots/%d" % self.d81["id"], token=self.dt81,
                             body={"phone": "+33563000000"})
        self.assertEqual((st, me["phone"]), (200, "+33563000000"))
        self.assertError(self.api("PATCH", "/api/v1/depots/%d" % self.d81["id"], token=self.dt81,
                                  body={"level": "regional"}), 403, "level", "forbidden_field")

    def test_volunteer_token_sees_itself_only(self):
        st, page, _ = self.api("GET", "/api/v1/volunteers", token=self.vt81)
        self.assertEqual([r["id"] for r in page["items"]], [self.v81["id"]])
        self.assertError(self.api("GET", "/api/v1/volunteers/%d" % self.v34["id"], token=self.vt81), 404, "id")
        st, me, _ = self.api("PATCH", "/api/v1/volunteers/%d" % self.v81["id"], token=self.vt81,
                             body={"availability": "unavailable", "skills": ["geriatrics", "dementia-care"]})
        self.assertEqual((st, me["availability"]), (200, "unavailable"))
        self.assertError(self.api("PATCH", "/api/v1/volunteers/%d" % self.v81["id"], token=self.vt81,
                                  body={"profession": "doctor"}), 403, "profession", "forbidden_field")
        self.assertError(self.api("PATCH", "/api/v1/volunteers/%d" % self.v81["id"], token=self.vt81,
                                  body={"credentials": []}), 403, "credentials", "forbidden_field")
        self.assertError(self.api("GET", "/api/v1/structures", token=self.vt81), 403, "role", "forbidden")

    def test_observer_sees_no_personal_data_and_no_people(self):
        st, s, _ = self.api("GET", "/api/v1/structures/%d" % self.s81["id"], token=self.observer)
        self.assertEqual(st, 200, s)
        self.assertEqual(s["name"], self.api("GET", "/api/v1/structures/%d" % self.s81["id"])[1]["name"])
        self.assertTrue(s["contacts"])
        for c in s["contacts"]:
            self.assertNotIn("name", c)
            self.assertNotIn("phone", c)
        st, page, _ = self.api("GET", "/api/v1/structures?limit=1000", token=self.observer)
        self.assertTrue(all("phone" not in c and "name" not in c for r in page["items"] for c in r["contacts"]))
        st, text, _ = self.api("GET", "/api/v1/structures/export", token=self.observer)
        header = text.splitlines()[0].split(",")
        self.assertNotIn("contact_phone", header)
        self.assertNotIn("contact_name", header)
        self.assertNotIn(self.s81["contacts"][0]["phone"], text)
        st, js, _ = self.api("GET", "/api/v1/structures/export?format=json", token=self.observer)
        self.assertNotIn(self.s81["contacts"][0]["phone"], str(js))
        for path in ("/api/v1/volunteers", "/api/v1/volunteers/%d" % self.v81["id"], "/api/v1/volunteers/export"):
            self.assertError(self.api("GET", path, token=self.observer), 403, "role", "forbidden")
        st, stats, _ = self.api("GET", "/api/v1/volunteers/stats", token=self.observer)
        self.assertEqual(st, 200)
        # two volunteers: groups too small to be counted for the observatory (stats_min_count)
        self.assertEqual(len(stats["groups"]), 2)
        for g in stats["groups"]:
            self.assertEqual(set(g), {"dep", "profession", "availability", "gender", "count", "suppressed"})
            self.assertEqual((g["gender"], g["count"], g["suppressed"]), ("*", None, True))
        w = self.server.ws(token=self.observer)
        try:
            m = w.request("subscribe", params={"topics": ["volunteers"]})
            self.assertEqual((m["status"], m["error"]["code"]), (403, "forbidden"), m)
            m = w.request("subscribe", params={"topics": ["volunteer:%d" % self.v81["id"]]})
            self.assertEqual(m["status"], 404, m)
            m = w.request("volunteers.get", params={"id": self.v81["id"]})
            self.assertEqual(m["status"], 403, m)
        finally:
            w.close()


# --- every role against every operation ----------------------------------------------------------------

class Req:
    """One request of the matrix, for both transports: HTTP (method, path, body or CSV, headers) and
    websocket (params, data, idempotency key). method None: a websocket-only operation."""

    def __init__(self, method, path, body=None, raw=None, params=None, key=None, raw_type="text/csv"):
        self.method, self.path, self.body, self.raw, self.key = method, path, body, raw, key
        self.params = params if params is not None else {}
        self.raw_type = raw_type

    @property
    def data(self):
        return self.raw if self.raw is not None else self.body

    def http_kw(self):
        kw = {}
        if self.raw is not None:
            kw = {"raw": self.raw, "content_type": self.raw_type}
        elif self.body is not None:
            kw = {"body": self.body}
        if self.key:
            kw["headers"] = {"Idempotency-Key": self.key}
        return kw


def _csv_structure(role, n):
    return "name,category,legal_form,commune\nImported by %s %d,ehpad,public,%s\n" % (role, n, ALBI)


def _csv_volunteer(role, n):
    return ("first_name,last_name,phone,profession,home_commune,consent_at\nImport,%s,%s,nurse,%s,2024-01-01\n"
            % (role, samples.phone(), ALBI))


def _holder(t, role):
    """The holder a stock write names: the depot for a depot token, the structure of 81 otherwise."""
    if role == "depot":
        return {"holder_kind": "depot", "holder_id": t.d81["id"]}
    return {"holder_kind": "structure", "holder_id": t.s81["id"]}


def _staff_request(t, n):
    """A staff request of the structure of 81 (its volunteer is a nurse of Albi)."""
    day = 1 + n % 28
    return {"structure_id": t.s81["id"], "professions": ["nurse"], "count": 1,
            "shifts": [{"start": "2030-06-%02dT07:00" % day, "end": "2030-06-%02dT19:00" % day}]}


OK = "2xx"  # any success: the operation's own tests check the answer itself

# op name -> (roles allowed, what an allowed role gets, builder(test, role, n) -> Req).
# The builders use rows of 81 so that every allowed role, the coordinator of 81 included, succeeds;
# deletes and alert actions name a missing id: allowed roles get 404, forbidden ones 403.
MATRIX = {
    "whoami": (EVERYONE, 200, lambda t, r, n: Req("GET", "/api/v1/whoami")),
    "territories.list": (EVERYONE, 200, lambda t, r, n: Req("GET", "/api/v1/territories")),
    "territories.get": (EVERYONE, 200, lambda t, r, n: Req("GET", "/api/v1/territories/81", params={"code": "81"})),
    "communes.list": (EVERYONE, 200, lambda t, r, n: Req("GET", "/api/v1/communes?dep=81&limit=3",
                                                        params={"dep": "81", "limit": 3})),
    "communes.get": (EVERYONE, 200, lambda t, r, n: Req("GET", "/api/v1/communes/" + ALBI, params={"insee": ALBI})),

    "structures.list": (READERS | {"structure"}, 200, lambda t, r, n: Req("GET", "/api/v1/structures")),
    "structures.export": (READERS, 200, lambda t, r, n: Req("GET", "/api/v1/structures/export")),
    "structures.import": (STAFF, 201, lambda t, r, n: Req("POST", "/api/v1/structures/import",
                                                          raw=_csv_structure(r, n))),
    "structures.get": (READERS | {"structure"}, 200, lambda t, r, n: Req("GET", "/api/v1/structures/%d" % t.s81["id"],
                                                                         params={"id": t.s81["id"]})),
    "structures.create": (STAFF, 201, lambda t, r, n: Req("POST", "/api/v1/structures",
                                                          body=samples.structure(name="By %s %d" % (r, n)))),
    "structures.update": (STAFF | {"structure"}, 200, lambda t, r, n: Req(
        "PATCH", "/api/v1/structures/%d" % t.s81["id"], body={"occupancy": n % 70}, params={"id": t.s81["id"]})),
    "structures.delete": (STAFF, 404, lambda t, r, n: Req("DELETE", "/api/v1/structures/999999",
                                                          params={"id": 999999})),

    "depots.list": (READERS | {"depot"}, 200, lambda t, r, n: Req("GET", "/api/v1/depots")),
    "depots.export": (READERS, 200, lambda t, r, n: Req("GET", "/api/v1/depots/export")),
    "depots.get": (READERS | {"depot"}, 200, lambda t, r, n: Req("GET", "/api/v1/depots/%d" % t.d81["id"],
                                                                 params={"id": t.d81["id"]})),
    "depots.create": (STAFF, 201, lambda t, r, n: Req("POST", "/api/v1/depots", body=samples.depot())),
    "depots.update": (STAFF | {"depot"}, 200, lambda t, r, n: Req(
        "PATCH", "/api/v1/depots/%d" % t.d81["id"], body={"phone": "+335630000%02d" % (n % 100)},
        params={"id": t.d81["id"]})),
    "depots.delete": (STAFF, 404, lambda t, r, n: Req("DELETE", "/api/v1/depots/999999", params={"id": 999999})),

    "items.list": (EVERYONE, 200, lambda t, r, n: Req("GET", "/api/v1/items")),
    "items.export": (EVERYONE, 200, lambda t, r, n: Req("GET", "/api/v1/items/export")),
    "items.get": (EVERYONE, 200, lambda t, r, n: Req("GET", "/api/v1/items/1", params={"id": 1})),
    "items.create": (STAFF, 201, lambda t, r, n: Req("POST", "/api/v1/items", body=samples.item())),
    "items.update": (STAFF, 200, lambda t, r, n: Req("PATCH", "/api/v1/items/1",
                                                     body={"burn_per_bed_day": n % 1000 / 10}, params={"id": 1})),
    "items.delete": (STAFF, 404, lambda t, r, n: Req("DELETE", "/api/v1/items/999999", params={"id": 999999})),

    "volunteers.list": (STAFF | {"volunteer"}, 200, lambda t, r, n: Req("GET", "/api/v1/volunteers")),
    "volunteers.export": (STAFF, 200, lambda t, r, n: Req("GET", "/api/v1/volunteers/export")),
    "volunteers.import": (STAFF, 201, lambda t, r, n: Req("POST", "/api/v1/volunteers/import",
                                                          raw=_csv_volunteer(r, n))),
    "volunteers.stats": (READERS, 200, lambda t, r, n: Req("GET", "/api/v1/volunteers/stats")),
    "volunteers.get": (STAFF | {"volunteer"}, 200, lambda t, r, n: Req("GET", "/api/v1/volunteers/%d" % t.v81["id"],
                                                                       params={"id": t.v81["id"]})),
    "volunteers.create": (STAFF, 201, lambda t, r, n: Req("POST", "/api/v1/volunteers", body=samples.volunteer())),
    "volunteers.update": (STAFF | {"volunteer"}, 200, lambda t, r, n: Req(
        "PATCH", "/api/v1/volunteers/%d" % t.v81["id"], body={"travel_radius_km": n % 500},
        params={"id": t.v81["id"]})),
    "volunteers.delete": (STAFF, 404, lambda t, r, n: Req("DELETE", "/api/v1/volunteers/999999",
                                                          params={"id": 999999})),

    "duty_officers.list": (STAFF, 200, lambda t, r, n: Req("GET", "/api/v1/duty_officers")),
    "duty_officers.export": (STAFF, 200, lambda t, r, n: Req("GET", "/api/v1/duty_officers/export")),
    "duty_officers.get": (STAFF, 200, lambda t, r, n: Req("GET", "/api/v1/duty_officers/%d" % t.o81["id"],
                                                          params={"id": t.o81["id"]})),
    "duty_officers.create": (STAFF, 201, lambda t, r, n: Req("POST", "/api/v1/duty_officers", body={
        "name": "Officier %d" % n, "phone": samples.phone(), "dep": "81"})),
    "duty_officers.update": (STAFF, 200, lambda t, r, n: Req(
        "PATCH", "/api/v1/duty_officers/%d" % t.o81["id"], body={"lang": ("fr", "en")[n % 2]},
        params={"id": t.o81["id"]})),
    "duty_officers.delete": (STAFF, 404, lambda t, r, n: Req("DELETE", "/api/v1/duty_officers/999999",
                                                             params={"id": 999999})),

    "stock.report": (STAFF | {"structure", "depot"}, OK, lambda t, r, n: Req(
        "POST", "/api/v1/stock/reports", body=dict(_holder(t, r), items=[{"item": "respirator", "quantity": 100 + n}], confirmed=True),
        key="matrix-report-%s-%d" % (r, n))),
    "stock.movement": (STAFF | {"structure", "depot"}, OK, lambda t, r, n: Req(
        "POST", "/api/v1/stock/movements", body=dict(_holder(t, r), item="respirator", kind="receipt", quantity=5, origin="purchase"),
        key="matrix-move-%s-%d" % (r, n))),
    "stock.levels": (READERS | {"structure", "depot"}, 200, lambda t, r, n: Req("GET", "/api/v1/stock/levels")),
    "stock.cover": (READERS, 200, lambda t, r, n: Req("GET", "/api/v1/stock/cover")),
    # a holder the caller counts for: the structure and depot tokens read their own without naming it
    "stock.history": (STAFF | {"structure", "depot"}, OK, lambda t, r, n: Req(
        "GET", "/api/v1/stock/history" if r in ("structure", "depot") else
        "/api/v1/stock/history?holder_kind=%s&holder_id=%d" % tuple(_holder(t, r).values()),
        params={} if r in ("structure", "depot") else dict(_holder(t, r)))),
    "stock.trends": (READERS, 200, lambda t, r, n: Req("GET", "/api/v1/stock/trends")),
    # the figures of the Tarn (the coordinators' territory): a day of its own for each call
    "epidemic.import": (STAFF, 201, lambda t, r, n: Req("POST", "/api/v1/epidemic/import",
                                                         raw="date,departement_code,hospitalised\n2020-%02d-%02d,81,%d\n"
                                                         % (1 + n // 28 % 12, 1 + n % 28, n))),
    "epidemic.list": (READERS, 200, lambda t, r, n: Req("GET", "/api/v1/epidemic")),
    "thresholds.list": (STAFF | {"structure"}, 200, lambda t, r, n: Req(
        "GET", "/api/v1/thresholds?holder_kind=structure&holder_id=%d" % t.s81["id"],
        params={"holder_kind": "structure", "holder_id": t.s81["id"]})),
    "thresholds.set": (STAFF, 200, lambda t, r, n: Req("PUT", "/api/v1/thresholds", body={
        "holder_kind": "structure", "holder_id": t.s81["id"], "warning_days": 7, "critical_days": 3})),
    # 404 when no override is left to delete (the matrix runs delete and set in turn)
    "thresholds.delete": (STAFF, (200, 404), lambda t, r, n: Req(
        "DELETE", "/api/v1/thresholds?holder_kind=structure&holder_id=%d" % t.s81["id"],
        params={"holder_kind": "structure", "holder_id": t.s81["id"]})),

    "alerts.list": (READERS | {"structure", "depot"}, 200, lambda t, r, n: Req("GET", "/api/v1/alerts")),
    "alerts.feed": (READERS, 200, lambda t, r, n: Req("GET", "/api/v1/alerts/feed")),
    "alerts.get": (READERS | {"structure", "depot"}, 404, lambda t, r, n: Req("GET", "/api/v1/alerts/999999",
                                                                              params={"id": 999999})),
    "alerts.cap": (READERS | {"structure", "depot"}, 404, lambda t, r, n: Req("GET", "/api/v1/alerts/999999/cap",
                                                                              params={"id": 999999})),
    "alerts.acknowledge": (STAFF, 404, lambda t, r, n: Req("POST", "/api/v1/alerts/999999/acknowledge", body={},
                                                           params={"id": 999999})),
    "alerts.resolve": (STAFF, 404, lambda t, r, n: Req("POST", "/api/v1/alerts/999999/resolve", body={},
                                                       params={"id": 999999})),
    "alerts.take": (STAFF, 404, lambda t, r, n: Req("POST", "/api/v1/alerts/999999/take", body={},
                                                   params={"id": 999999})),
    "alerts.release": (STAFF, 404, lambda t, r, n: Req("POST", "/api/v1/alerts/999999/release", body={},
                                                      params={"id": 999999})),
    "alerts.timeline": (READERS | {"structure", "depot"}, 404, lambda t, r, n: Req(
        "GET", "/api/v1/alerts/999999/timeline", params={"id": 999999})),
    # a région-wide token writes for the region; a département's token is told the region is not its own
    "handovers.create": (STAFF, (201, 422), lambda t, r, n: Req("POST", "/api/v1/handovers",
                                                                body={"territory": "region", "note": "matrix %d" % n})),
    "handovers.list": (READERS, 200, lambda t, r, n: Req("GET", "/api/v1/handovers")),
    "alerts.check": ({"admin"}, 200, lambda t, r, n: Req(None, None)),
    "reports.situation": (READERS, 200, lambda t, r, n: Req("GET", "/api/v1/reports/situation")),
    "reports.completeness": (READERS, 200, lambda t, r, n: Req("GET", "/api/v1/reports/completeness")),
    "sms.outbox": (STAFF, 200, lambda t, r, n: Req("GET", "/api/v1/sms/outbox")),
    "sms.send": (STAFF, 201, lambda t, r, n: Req("POST", "/api/v1/sms/send",
                                                 body={"to": "+33639980999", "text": "matrix %d" % n})),
    "sms.inbox": (STAFF, 200, lambda t, r, n: Req("GET", "/api/v1/sms/inbox")),
    # the gateways' webhooks: no token, a secret or a signature instead (refused here: none given);
    # HTTP only (see test_webhooks_are_http_only)
    "sms.kannel_inbound": (EVERYONE, 403, lambda t, r, n: Req("GET", "/sms/kannel/inbound?from=1&text=x&id=%d" % n)),
    "sms.kannel_dlr": (EVERYONE, 403, lambda t, r, n: Req("GET", "/sms/kannel/dlr?id=1&type=1")),
    "sms.twilio_inbound": (EVERYONE, 403, lambda t, r, n: Req("POST", "/sms/twilio/inbound", raw="From=1&Body=x",
                                                                       raw_type=FORM)),
    "sms.twilio_status": (EVERYONE, 403, lambda t, r, n: Req("POST", "/sms/twilio/status?id=1",
                                                                      raw="MessageStatus=sent", raw_type=FORM)),
    # the test clock is off in this server: an admin is told so (404), the others are refused
    "clock.advance": ({"admin"}, 404, lambda t, r, n: Req("POST", "/api/v1/clock/advance", body={"ms": 1})),

    # deployments: a request of the structure of 81 that called its volunteer (t.r81, made below)
    "staff_requests.create": (STAFF | {"structure"}, 201, lambda t, r, n: Req(
        "POST", "/api/v1/deployments/requests", body=_staff_request(t, n))),
    "staff_requests.list": (READERS | {"structure"}, 200, lambda t, r, n: Req("GET", "/api/v1/deployments/requests")),
    "staff_requests.preview": (STAFF, 200, lambda t, r, n: Req("POST", "/api/v1/deployments/preview",
                                                               body=_staff_request(t, n))),
    "staff_requests.get": (READERS | {"structure", "volunteer"}, 200, lambda t, r, n: Req(
        "GET", "/api/v1/deployments/requests/%d" % t.r81["id"], params={"id": t.r81["id"]})),
    "staff_requests.candidates": (STAFF, 200, lambda t, r, n: Req(
        "GET", "/api/v1/deployments/requests/%d/candidates" % t.r81["id"], params={"id": t.r81["id"]})),
    "staff_requests.call_now": (STAFF, 200, lambda t, r, n: Req(
        "POST", "/api/v1/deployments/requests/%d/waves" % t.r81["id"], body={}, params={"id": t.r81["id"]})),
    "staff_requests.cancel": (STAFF | {"structure"}, 404, lambda t, r, n: Req(
        "POST", "/api/v1/deployments/requests/999999/cancel", body={}, params={"id": 999999})),
    "staff_calls.list": ({"volunteer"}, 200, lambda t, r, n: Req("GET", "/api/v1/deployments/calls")),
    "staff_calls.answer": ({"volunteer"}, 404, lambda t, r, n: Req(
        "POST", "/api/v1/deployments/calls/999999/answer", body={"answer": "accept"}, params={"id": 999999})),

    "availability.list": (STAFF | {"volunteer"}, 200, lambda t, r, n: Req(
        "GET", "/api/v1/volunteers/%d/availability" % t.v81["id"], params={"id": t.v81["id"]})),
    "availability.add": (STAFF | {"volunteer"}, 201, lambda t, r, n: Req(
        "POST", "/api/v1/volunteers/%d/availability" % t.v81["id"], params={"id": t.v81["id"]},
        body={"kind": "unavailable", "start": "2031-01-01T00:00", "end": "2031-01-02T00:00"})),
    "availability.delete": (STAFF | {"volunteer"}, 404, lambda t, r, n: Req(
        "DELETE", "/api/v1/volunteers/%d/availability/999999" % t.v81["id"],
        params={"id": t.v81["id"], "window_id": 999999})),
    "credentials.expiring": (STAFF | {"volunteer"}, 200, lambda t, r, n: Req("GET", "/api/v1/credentials/expiring")),

    # the public sign-up (no token: one given is ignored): everybody's, HTTP only
    "signup.communes": (EVERYONE, 200, lambda t, r, n: Req("GET", "/api/v1/signup/communes?q=albi")),
    "signup.code": (EVERYONE, 202, lambda t, r, n: Req("POST", "/api/v1/signup/code", body={"phone": samples.phone()})),
    "signup.create": (EVERYONE, 422, lambda t, r, n: Req("POST", "/api/v1/signup", body={
        "phone": samples.phone(), "code": "123456", "consent": True})),
    "signup.link": (EVERYONE, 202, lambda t, r, n: Req("POST", "/api/v1/signup/link", body={"phone": samples.phone()})),

    "audit.list": (STAFF, 200, lambda t, r, n: Req("GET", "/api/v1/audit")),
    "tokens.list": ({"admin"}, 200, lambda t, r, n: Req("GET", "/api/v1/tokens")),
    "tokens.create": ({"admin"}, 201, lambda t, r, n: Req("POST", "/api/v1/tokens",
                                                          body={"role": "observer", "label": "matrix %d" % n})),
    "tokens.revoke": ({"admin"}, 404, lambda t, r, n: Req("DELETE", "/api/v1/tokens/999999", params={"id": 999999})),

    # the shared stock (issue 13): allocation ids that name nothing get 404 from allowed roles
    "stock_requests.list": (READERS | {"structure"}, 200, lambda t, r, n: Req("GET", "/api/v1/stock/requests")),
    "stock_requests.create": (STAFF | {"structure"}, 201, lambda t, r, n: Req("POST", "/api/v1/stock/requests", body={
        "structure_id": t.s81["id"], "item": "respirator", "quantity": 10 + n, "reason": "matrix %d" % n})),
    "stock_requests.cancel": (STAFF | {"structure"}, 404, lambda t, r, n: Req(
        "POST", "/api/v1/stock/requests/999999/cancel", body={"reason": "matrix"}, params={"id": 999999})),
    "stock.nearest": (READERS, 200, lambda t, r, n: Req(
        "GET", "/api/v1/stock/nearest?item=respirator&holder_kind=structure&holder_id=%d" % t.s81["id"],
        params={"item": "respirator", "holder_kind": "structure", "holder_id": t.s81["id"]})),
    "stock_reserves.list": (READERS | {"depot"}, 200, lambda t, r, n: Req(
        "GET", "/api/v1/stock/reserves?depot_id=%d" % t.d81["id"], params={"depot_id": t.d81["id"]})),
    "stock_reserves.set": (STAFF, 200, lambda t, r, n: Req("PUT", "/api/v1/stock/reserves", body={
        "depot_id": t.d81["id"], "item": "respirator", "quantity": n})),
    "stock.ledger_export": (READERS | {"structure", "depot"}, 200, lambda t, r, n: Req(
        "GET", "/api/v1/stock/ledger/export")),
    "allocations.propose": (STAFF, 201, lambda t, r, n: Req("POST", "/api/v1/allocations/propose", body={
        "item": "respirator", "dep": "81"})),
    "allocations.proposal": (READERS, 404, lambda t, r, n: Req("GET", "/api/v1/allocations/proposals/999999",
                                                               params={"id": 999999})),
    "allocations.list": (READERS | {"structure", "depot"}, 200, lambda t, r, n: Req("GET", "/api/v1/allocations")),
    "allocations.export": (READERS, 200, lambda t, r, n: Req("GET", "/api/v1/allocations/export")),
    "allocations.create": (STAFF, 201, lambda t, r, n: Req("POST", "/api/v1/allocations", body={
        "item": "respirator", "source_kind": "depot", "source_id": t.d81["id"], "structure_id": t.s81["id"],
        "quantity": 5})),
    "allocations.get": (READERS | {"structure", "depot"}, 404, lambda t, r, n: Req(
        "GET", "/api/v1/allocations/999999", params={"id": 999999})),
    "allocations.approve": (STAFF, 404, lambda t, r, n: Req("POST", "/api/v1/allocations/999999/approve", body={},
                                                            params={"id": 999999})),
    "allocations.dispatch": (STAFF | {"structure", "depot"}, 404, lambda t, r, n: Req(
        "POST", "/api/v1/allocations/999999/dispatch", body={}, params={"id": 999999})),
    "allocations.receive": (STAFF | {"structure"}, 404, lambda t, r, n: Req(
        "POST", "/api/v1/allocations/999999/receive", body={"quantity": 1}, params={"id": 999999})),
    "allocations.cancel": (STAFF, 404, lambda t, r, n: Req("POST", "/api/v1/allocations/999999/cancel",
                                                           body={"reason": "matrix"}, params={"id": 999999})),

    "subscribe": (EVERYONE, 200, lambda t, r, n: Req(None, None, params={"topics": ["items"]})),
    "unsubscribe": (EVERYONE, 200, lambda t, r, n: Req(None, None, params={"topics": ["items"]})),
}


WEBHOOKS = ("sms.kannel_inbound", "sms.kannel_dlr", "sms.twilio_inbound", "sms.twilio_status")
# operations without a token (HTTP only): the gateways' webhooks and the public sign-up
PUBLIC = WEBHOOKS + ("signup.communes", "signup.code", "signup.create", "signup.link")


class RoleMatrix(ScopeBase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        st, cls.o81, _ = cls.server.http("POST", "/api/v1/duty_officers", token=cls.admin,
                                         body={"name": "Astreinte Tarn", "phone": samples.phone(), "dep": "81"})
        assert st == 201, cls.o81
        st, cls.r81, _ = cls.server.http("POST", "/api/v1/deployments/requests", token=cls.admin,
                                         body=_staff_request(cls, 0))
        assert st == 201 and cls.r81["calls"]["open"] == 1, cls.r81

    def test_the_matrix_covers_the_op_table(self):
        table = op_table()
        self.assertGreater(len(table), 30, "renfortd ops: too few operations")
        names = [op.name for op in table]
        missing = sorted(set(names) - set(MATRIX))
        self.assertEqual(missing, [], "operations of the op table (renfortd ops) without an entry in "
                                      "test_scope.MATRIX: add what each role may do")
        self.assertEqual(sorted(set(MATRIX) - set(names)), [], "MATRIX names operations that no longer exist")
        # the requests use the routes of the table
        for op in table:
            name, method, path = op.name, op.method, op.path
            req = MATRIX[name][2](self, "admin", 0)
            self.assertEqual(req.method, method, name)
            if path is None:
                self.assertIsNone(req.path, name)
            else:
                pattern = "^" + re.sub(r"\\\{[a-z_]+\\\}", "[^/?]+", re.escape(path)) + r"(\?.*)?$"
                self.assertRegex(req.path, pattern, name)

    def check(self, name, role, status, err, allowed, ok_status):
        where = "%s as %s: %s %s" % (name, role, status, err)
        if allowed:
            if ok_status == OK:
                self.assertTrue(200 <= status < 300, where)
            elif isinstance(ok_status, tuple):
                self.assertIn(status, ok_status, where)
            else:
                self.assertEqual(status, ok_status, where)
        else:
            self.assertEqual(status, 403, where)
            self.assertEqual((err["code"], err["field"]), ("forbidden", "role"), where)
            self.assertIn(name, err["rule"], where)

    def test_every_role_against_every_operation_over_http(self):
        n = 0
        for name, (allowed, ok_status, build) in sorted(MATRIX.items()):
            for role in ROLES:
                n += 1
                req = build(self, role, n)
                if req.method is None:
                    continue  # websocket only
                with self.subTest(op=name, role=role):
                    st, data, _ = self.server.http(req.method, req.path, token=self.tokens[role], **req.http_kw())
                    err = data.get("error") if isinstance(data, dict) else None
                    self.check(name, role, st, err, role in allowed, ok_status)

    def test_public_operations_are_http_only(self):
        w = self.server.ws(token=self.admin)
        try:
            for name in PUBLIC:
                m = w.request(name, params={"secret": "x"})
                self.assertEqual((m["status"], m["error"]["field"]), (404, "type"), m)
        finally:
            w.close()

    def test_every_role_against_every_operation_over_websocket(self):
        n = 1000
        for role in ROLES:
            w = self.server.ws(token=self.tokens[role])
            try:
                for name, (allowed, ok_status, build) in sorted(MATRIX.items()):
                    n += 1
                    if name in PUBLIC:
                        continue
                    req = build(self, role, n)
                    with self.subTest(op=name, role=role):
                        m = w.request(name, params=req.params, data=req.data, key=req.key)
                        self.assertEqual(m["type"], "result" if m["status"] < 400 else "error", m)
                        self.check(name, role, m["status"], m.get("error"), role in allowed, ok_status)
            finally:
                w.close()

    def test_no_token_and_revoked_token_are_401_everywhere(self):
        secret, tid = self.api_token("coordinator", scope="81")
        self.assertEqual(self.api("DELETE", "/api/v1/tokens/%d" % tid)[0], 200)
        for name, (_, _, build) in sorted(MATRIX.items()):
            req = build(self, "admin", 0)
            if req.method is None or name in PUBLIC:
                continue  # webhooks need no token (a secret or a signature instead), nor the sign-up
            for token in (None, secret, "rf_" + "x" * 43):
                with self.subTest(op=name, token=bool(token)):
                    st, data, _ = self.server.http(req.method, req.path, token=token, **req.http_kw())
                    self.assertEqual((st, data["error"]["code"]), (401, "unauthorized"), (name, data))


if __name__ == "__main__":
    unittest.main()
