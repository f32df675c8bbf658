"""The audit log and the right to erasure. Every write is in the audit log with who, what, when,
before and after; deleting a volunteer erases their personal data everywhere (API, audit, remembered
answers, the database file's tables) and keeps an anonymised history; the server's log never holds
a full phone number or a name."""

import re
import time
import unittest

import samples
from harness import ServerTest
from samples import ALBI, BEZIERS, CASTRES


def national(e164):
    """+33639123456 -> 0639123456"""
    return "0" + e164[3:]


class Audit(ServerTest):
    @classmethod
    def prepare(cls, server):
        super().prepare(server)
        cls.c81 = server.token("coordinator", scope="81")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ids = {}
        for name, tok in (("admin", cls.admin), ("c81", cls.c81)):
            st, who, _ = cls.server.http("GET", "/api/v1/whoami", token=tok)
            cls.ids[name] = who["token_id"]

    def audit(self, entity, entity_id=None, token=None):
        q = "/api/v1/audit?limit=1000&entity=" + entity + ("&entity_id=%d" % entity_id if entity_id else "")
        st, page, _ = self.api("GET", q, token=token)
        self.assertEqual(st, 200, page)
        return list(reversed(page["items"]))  # oldest first

    def test_structure_writes_are_audited_with_who_and_what(self):
        t0 = time.time()
        st, s, _ = self.api("POST", "/api/v1/structures", token=self.c81,
                            body=samples.structure(capacity=60, occupancy=50, commune=ALBI))
        self.assertEqual(st, 201, s)
        sid = s["id"]
        st, _, _ = self.api("PATCH", "/api/v1/structures/%d" % sid, body={"capacity": 70, "name": "Renamed home"})
        self.assertEqual(st, 200)
        w = self.server.ws(token=self.c81)
        try:
            m = w.request("structures.update", params={"id": sid}, data={"occupancy": 55})
            self.assertEqual(m["status"], 200, m)
        finally:
            w.close()
        st, _, _ = self.api("DELETE", "/api/v1/structures/%d" % sid, token=self.c81)
        self.assertEqual(st, 200)

        rows = self.audit("structure", sid)
        self.assertEqual([r["action"] for r in rows], ["create", "update", "update", "delete"])
        self.assertEqual([(r["actor_token"], r["actor_role"]) for r in rows],
                         [(self.ids["c81"], "coordinator"), (self.ids["admin"], "admin"),
                          (self.ids["c81"], "coordinator"), (self.ids["c81"], "coordinator")])
        create, upd, upd2, delete = rows
        self.assertIsNone(create["before"])
        self.assertEqual((create["after"]["name"], create["after"]["capacity"], create["after"]["dep"]),
                         (s["name"], 60, "81"))
        self.assertEqual((upd["before"]["capacity"], upd["after"]["capacity"]), (60, 70))
        self.assertEqual((upd["before"]["name"], upd["after"]["name"]), (s["name"], "Renamed home"))
        self.assertEqual((upd2["before"]["occupancy"], upd2["after"]["occupancy"]), (50, 55))
        self.assertEqual(delete["before"]["name"], "Renamed home")
        self.assertIsNone(delete["after"])
        for r in rows:
            self.assertEqual((r["entity"], r["entity_id"]), ("structure", sid))
            at = time.mktime(time.strptime(r["at"][:19], "%Y-%m-%dT%H:%M:%S")) - time.timezone
            self.assertLess(abs(at - t0), 120, r["at"])
        # the contacts, as children of the structure
        contacts = [r for r in self.audit("structure_contact") if r.get("parent_id") == sid]
        self.assertEqual([r["action"] for r in contacts], ["create", "delete"])
        self.assertEqual(contacts[0]["after"]["phone"], s["contacts"][0]["phone"])
        # the coordinator of 81 reads the history of 81
        self.assertEqual([r["id"] for r in self.audit("structure", sid, token=self.c81)], [r["id"] for r in rows])

    def test_every_registry_and_tokens_are_audited(self):
        cases = (("depots", "depot", samples.depot(), {"name": "Renamed depot"}),
                 ("items", "item", samples.item(), {"name": "Renamed item"}),
                 ("volunteers", "volunteer", samples.volunteer(), {"availability": "unavailable"}))
        for plural, entity, body, patch in cases:
            with self.subTest(entity=entity):
                st, r, _ = self.api("POST", "/api/v1/" + plural, body=body)
                self.assertEqual(st, 201, r)
                self.api("PATCH", "/api/v1/%s/%d" % (plural, r["id"]), body=patch)
                self.api("DELETE", "/api/v1/%s/%d" % (plural, r["id"]))
                rows = self.audit(entity, r["id"])
                actions = [x["action"] for x in rows]
                self.assertEqual(actions[0], "create")
                self.assertIn("update", actions)
                self.assertIn("erase" if entity == "volunteer" else "delete", actions)
                self.assertTrue(all(x["actor_token"] == self.ids["admin"] for x in rows), rows)
                upd = [x for x in rows if x["action"] == "update"][0]
                k = list(patch)[0]
                self.assertEqual(upd["after"][k], patch[k])
        # tokens: created and revoked over the API, with the admin as actor, and no secret
        secret, tid = self.api_token("observer", label="audited")
        self.api("DELETE", "/api/v1/tokens/%d" % tid)
        rows = self.audit("token", tid)
        self.assertEqual([r["action"] for r in rows], ["create", "update"])
        self.assertEqual(rows[0]["after"]["role"], "observer")
        self.assertIsNone(rows[0]["after"]["revoked_at"])
        self.assertIsNotNone(rows[1]["after"]["revoked_at"])
        self.assertNotIn(secret, str(rows))
        # and an import, row by row
        st, res, _ = self.api("POST", "/api/v1/structures/import", token=self.c81,
                              raw="name,category,legal_form,commune\nImported A,ehpad,public,81004\n"
                                  "Imported B,ehpad,public,81065\n", content_type="text/csv")
        self.assertEqual(st, 201, res)
        for i in range(res["first_id"], res["last_id"] + 1):
            rows = self.audit("structure", i)
            self.assertEqual([(r["action"], r["actor_token"]) for r in rows], [("create", self.ids["c81"])])

    def test_audit_scope_and_paging(self):
        st, s34, _ = self.api("POST", "/api/v1/structures", body=samples.structure(commune=BEZIERS))
        self.assertEqual(len(self.audit("structure", s34["id"])), 1)
        self.assertEqual(self.audit("structure", s34["id"], token=self.c81), [])
        st, page, _ = self.api("GET", "/api/v1/audit?limit=2")
        self.assertEqual((st, len(page["items"])), (200, 2))
        self.assertGreater(page["items"][0]["id"], page["items"][1]["id"])
        st, page2, _ = self.api("GET", "/api/v1/audit?limit=2&before=" + page["next_before"])
        self.assertLess(page2["items"][0]["id"], page["items"][1]["id"])
        self.assertError(self.api("GET", "/api/v1/audit?who=me"), 422, "who", "unknown_field")
        self.assertError(self.api("GET", "/api/v1/audit?limit=0"), 422, "limit", "invalid")


class Erasure(ServerTest):
    # the most talkative log level: even then, no phone number or name
    extra_args = ("--log-level", "debug")

    FIRST, LAST = "Zéphyrine", "Quillebeuf-Erasure"
    EMAIL = "zephyrine.quillebeuf@example.org"
    REFERENCE = "RPPS-770011223"

    # every phone number and name the tests send: test_zz_log looks for them in the server's log
    sent = []

    @classmethod
    def prepare(cls, server):
        super().prepare(server)
        cls.c81 = server.token("coordinator", scope="81")

    def personal_values(self, phones):
        out = [self.LAST, self.FIRST, self.EMAIL, self.REFERENCE]
        for p in phones:
            out += [p, p[1:], national(p)]
        return out

    def assert_nowhere_in_database(self, values):
        conn_tables = [r[0] for r in self.server.sql("SELECT name FROM sqlite_master WHERE type = 'table'")]
        self.assertIn("volunteers", conn_tables)
        for table in conn_tables:
            for row in self.server.sql('SELECT * FROM "%s"' % table):
                text = repr(row)
                for v in values:
                    self.assertNotIn(v, text, "%s still holds %r: %s" % (table, v, text[:300]))

    def stats_count(self, token=None):
        st, stats, _ = self.api("GET", "/api/v1/volunteers/stats", token=token)
        self.assertEqual(st, 200, stats)
        return sum(g["count"] for g in stats["groups"] if g["dep"] == "81" and g["profession"] == "doctor")

    def test_erasure_removes_personal_data_everywhere(self):
        phone1, phone2 = samples.phone(), samples.phone()
        before = self.stats_count()
        body = samples.volunteer(first_name=self.FIRST, last_name=self.LAST, phone=phone1, email=self.EMAIL,
                                 gender="female", profession="doctor", home_commune=CASTRES,
                                 credentials=[{"kind": "rpps", "reference": self.REFERENCE,
                                               "expires_on": "2029-01-01"}])
        # created with an idempotency key: the remembered answer holds the personal data
        st, v, _ = self.api("POST", "/api/v1/volunteers", body=body, headers={"Idempotency-Key": "erasure-create"})
        self.assertEqual(st, 201, v)
        vid = v["id"]
        secret, _ = self.api_token("volunteer", subject=vid)
        # the volunteer changes their phone; the coordinator changes their availability
        st, me, _ = self.api("PATCH", "/api/v1/volunteers/%d" % vid, token=secret, body={"phone": phone2},
                             headers={"Idempotency-Key": "erasure-phone"})
        self.assertEqual((st, me["phone"]), (200, phone2))
        self.api("PATCH", "/api/v1/volunteers/%d" % vid, token=self.c81, body={"availability": "on_mission"})
        self.assertEqual(self.stats_count(), before + 1)
        values = self.personal_values([phone1, phone2])
        self.sent.extend(values)
        # the data is there before: the checks below can see it
        self.assertTrue(any(self.LAST in repr(r) for r in self.server.sql("SELECT * FROM audit")))
        self.assertTrue(any(phone1 in repr(r) for r in self.server.sql("SELECT * FROM idempotency")))

        st, gone, _ = self.api("DELETE", "/api/v1/volunteers/%d" % vid, token=self.c81)
        self.assertEqual((st, gone), (200, {"id": vid, "erased": True}))

        # the API knows them no more, and their own token acts as nobody
        for token in (self.admin, self.c81):
            self.assertError(self.api("GET", "/api/v1/volunteers/%d" % vid, token=token), 404, "id", "not_found")
        self.assertError(self.api("GET", "/api/v1/volunteers/%d" % vid, token=secret), 401, "authorization",
                         "unauthorized")
        self.assertError(self.api("PATCH", "/api/v1/volunteers/%d" % vid, body={"availability": "available"}),
                         404, "id")
        self.assertError(self.api("DELETE", "/api/v1/volunteers/%d" % vid), 404, "id")
        st, page, _ = self.api("GET", "/api/v1/volunteers?limit=1000")
        self.assertNotIn(vid, [r["id"] for r in page["items"]])
        st, text, _ = self.api("GET", "/api/v1/volunteers/export")
        for value in values:
            self.assertNotIn(value, text)
        self.assertEqual(self.stats_count(), before)
        # their phone number is free again
        st, again, _ = self.api("POST", "/api/v1/volunteers", body=samples.volunteer(phone=phone2))
        self.assertEqual(st, 201, again)
        self.api("DELETE", "/api/v1/volunteers/%d" % again["id"])

        # the audit keeps the history without the person
        st, page, _ = self.api("GET", "/api/v1/audit?limit=1000&entity=volunteer&entity_id=%d" % vid)
        rows = page["items"]
        self.assertEqual(sorted({r["action"] for r in rows}), ["create", "erase", "update"])
        erase = [r for r in rows if r["action"] == "erase"]
        self.assertEqual(len(erase), 1)
        self.assertEqual(erase[0]["actor_role"], "coordinator")
        for r in rows:
            for snap in (r["before"], r["after"]):
                if snap is None:
                    continue
                for field in ("first_name", "last_name", "phone", "email", "home_commune", "gender"):
                    self.assertNotIn(field, snap, r)
                self.assertEqual((snap["profession"], snap["dep"]), ("doctor", "81"))
        st, page, _ = self.api("GET", "/api/v1/audit?limit=1000&entity=volunteer_credential")
        creds = [r for r in page["items"] if r.get("parent_id") == vid]
        self.assertEqual(sorted(r["action"] for r in creds), ["create", "delete"])
        for r in creds:
            for snap in (r["before"], r["after"]):
                if snap is not None:
                    self.assertNotIn("reference", snap, r)
                    self.assertEqual(snap["kind"], "rpps")
        self.assertNotIn(self.REFERENCE, str(page))

        # and the database file itself: no table holds any of it
        self.assert_nowhere_in_database(values)
        row = self.server.sql("SELECT status, first_name, last_name, phone, email, home_commune, gender, "
                              "profession, dep FROM volunteers WHERE id = ?", (vid,))
        self.assertEqual(row, [("erased", None, None, None, None, None, None, "doctor", "81")])
        self.assertEqual(self.server.sql("SELECT count(*) FROM volunteer_credentials WHERE volunteer_id = ?", (vid,)),
                         [(0,)])
        # the remembered answer is forgotten: the same key now runs again (and creates anew)
        self.assertEqual(self.server.sql("SELECT count(*) FROM idempotency WHERE key LIKE 'erasure-%'"), [(0,)])

    def test_erasure_over_websocket(self):
        # a session of creates, updates, refusals and erasures over both transports
        phones, names = [], []
        w = self.server.ws(token=self.c81)
        try:
            for i in range(5):
                p, last = samples.phone(), "Lognom%c%c" % (chr(65 + i), chr(75 + i))
                phones.append(p)
                names.append(last)
                m = w.request("volunteers.create", data=samples.volunteer(last_name=last, phone=p, home_commune=ALBI),
                              key="log-%d" % i)
                self.assertEqual(m["status"], 201, m)
                vid = m["data"]["id"]
                p2 = samples.phone()
                phones.append(p2)
                m = w.request("volunteers.update", params={"id": vid}, data={"phone": p2})
                self.assertEqual(m["status"], 200, m)
                # refused: a duplicate phone, a bad one, out of territory
                m = w.request("volunteers.create", data=samples.volunteer(last_name=last, phone=p2))
                self.assertEqual(m["status"], 409, m)
                m = w.request("volunteers.update", params={"id": vid}, data={"phone": national(p2)})
                self.assertEqual(m["status"], 422, m)
                m = w.request("volunteers.create", data=samples.volunteer(last_name=last, home_commune=BEZIERS))
                self.assertEqual(m["status"], 422, m)
                st, _, _ = self.api("GET", "/api/v1/volunteers/%d" % vid)
                self.assertEqual(st, 200)
                if i % 2 == 0:
                    m = w.request("volunteers.delete", params={"id": vid})
                    self.assertEqual((m["status"], m["data"]), (200, {"id": vid, "erased": True}), m)
                else:
                    st, _, _ = self.api("DELETE", "/api/v1/volunteers/%d" % vid)
                    self.assertEqual(st, 200)
                st, _, _ = self.api("GET", "/api/v1/volunteers/%d" % vid)
                self.assertEqual(st, 404)
        finally:
            w.close()
        self.assert_nowhere_in_database(names + phones)
        self.sent.extend(names)
        for p in phones:
            self.sent.extend((p, p[1:], national(p), p[3:]))

    def test_zz_log_holds_no_personal_data(self):
        """Runs last (unittest sorts by name): the log of the whole session above."""
        self.assertGreater(len(self.sent), 40)
        log = self.server.stderr()
        self.assertIn(" debug ", log)  # the log was at its most talkative
        self.assertIn("/api/v1/volunteers/", log)
        for value in self.sent:
            self.assertNotIn(value, log)
        self.assertIsNone(re.search(r"\d{9,}", log), "a long number in the log: %s" % re.findall(r".*\d{9,}.*", log))


if __name__ == "__main__":
    unittest.main()
