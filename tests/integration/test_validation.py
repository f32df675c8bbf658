"""Bad input of every class gets a 4xx JSON error that names the field and the rule, and changes
nothing in the database (its whole content is compared before and after each refusal)."""

import http.client
import json
import unittest

import samples
from harness import ServerTest
from samples import ALBI, BEZIERS, TOULOUSE

E164 = "E.164"


class Refusals(ServerTest):
    @classmethod
    def prepare(cls, server):
        super().prepare(server)
        cls.c81 = server.token("coordinator", scope="81")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        st, cls.albi, _ = cls.server.http("POST", "/api/v1/structures", token=cls.admin,
                                          body=samples.structure(commune=ALBI, capacity=50, occupancy=40))
        assert st == 201, cls.albi
        st, cls.vol, _ = cls.server.http("POST", "/api/v1/volunteers", token=cls.admin, body=samples.volunteer())
        assert st == 201, cls.vol

    def refused(self, method, path, status, field, code, rule_part=None, token=None, **kw):
        """Sends one bad request; asserts the named error and that the database did not move."""
        with self.unchanged():
            st, body, headers = self.api(method, path, token=token, **kw)
        self.assertEqual(st, status, body)
        self.assertIn("json", {k.lower(): v for k, v in headers.items()}.get("content-type", ""), headers)
        err = body["error"]
        self.assertEqual(err.get("field"), field, body)
        self.assertEqual(err.get("code"), code, body)
        self.assertTrue(err.get("rule"), body)
        self.assertIn(field, err["message"])
        if rule_part:
            self.assertIn(rule_part, err["rule"], body)
        return err

    def bad_structure(self, field, code, rule_part, **over):
        return self.refused("POST", "/api/v1/structures", 422, field, code, rule_part, body=samples.structure(**over))

    def bad_volunteer(self, field, code, rule_part, **over):
        return self.refused("POST", "/api/v1/volunteers", 422, field, code, rule_part, body=samples.volunteer(**over))

    # --- field classes ---------------------------------------------------------------------------
    def test_phone_e164(self):
        for bad in ("0612345678", "+0612345678", "+33 6 12 34 56 78", "+3361234", "+3361234567890123",
                    "+33612345678x", "33612345678", "", "+"):
            with self.subTest(phone=bad):
                self.bad_structure("contacts[0].phone", "invalid", E164, contacts=[{"phone": bad}])
                self.bad_volunteer("phone", "invalid", E164, phone=bad)
        self.refused("POST", "/api/v1/depots", 422, "phone", "invalid", E164,
                     body=samples.depot(phone="05 61 00 00 00"))
        # and on update
        self.refused("PATCH", "/api/v1/volunteers/%d" % self.vol["id"], 422, "phone", "invalid", E164,
                     body={"phone": "0639000000"})
        # the limits themselves are accepted: 8 and 15 digits
        for good in ("+33612345", "+336123456789012"):
            st, v, _ = self.api("POST", "/api/v1/volunteers", body=samples.volunteer(phone=good))
            self.assertEqual((st, v.get("phone")), (201, good), v)

    def test_finess(self):
        good81 = samples.finess("81")
        self.bad_structure("finess", "invalid", "9 characters", finess=good81[:8])
        self.bad_structure("finess", "invalid", "9 characters", finess=good81 + "0")
        self.bad_structure("finess", "invalid", "9 digits", finess=good81[:8] + "A")
        self.bad_structure("finess", "invalid", "check digit", finess=samples.bad_key(good81))
        # a valid number of another département than the commune's
        self.bad_structure("finess", "invalid", "département", finess=samples.finess("34"), commune=ALBI)
        self.refused("PATCH", "/api/v1/structures/%d" % self.albi["id"], 422, "finess", "invalid", "département",
                     body={"finess": samples.finess("31")})
        # moving to another département with the old FINESS is refused too
        st, s, _ = self.api("POST", "/api/v1/structures", body=samples.structure(finess=samples.finess("81")))
        self.assertEqual(st, 201, s)
        self.refused("PATCH", "/api/v1/structures/%d" % s["id"], 422, "finess", "invalid", "département",
                     body={"commune": BEZIERS})
        # and a FINESS already registered is a conflict
        self.refused("POST", "/api/v1/structures", 409, "finess", "conflict", "already registered",
                     body=samples.structure(finess=s["finess"]))

    def test_dates(self):
        for bad, part in (("2024-1-2", "YYYY-MM-DD"), ("2024/01/02", "YYYY-MM-DD"), ("02-01-2024", "YYYY-MM-DD"),
                          ("2024-01-02T10:00:00Z", "YYYY-MM-DD"), ("2023-02-29", "calendar"),
                          ("2024-13-01", "calendar"), ("2024-04-31", "calendar"), ("2024-00-10", "calendar"),
                          ("2024-01-00", "calendar"), ("1899-12-31", "between")):
            with self.subTest(date=bad):
                self.bad_volunteer("consent_at", "invalid", part, consent_at=bad)
                self.bad_volunteer("credentials[0].expires_on", "invalid", part,
                                   credentials=[{"kind": "first_aid", "expires_on": bad}])
        st, v, _ = self.api("POST", "/api/v1/volunteers", body=samples.volunteer(consent_at="2024-02-29"))
        self.assertEqual((st, v.get("consent_at")), (201, "2024-02-29"), v)

    def test_integer_and_number_ranges(self):
        for bad, part in ((-1, "an integer from 0 to 20000"), (20001, "an integer from 0 to 20000"), (1.5, "integer"),
                          ("12", "integer"), (True, "integer"), (1e300, "integer")):
            with self.subTest(capacity=bad):
                self.bad_structure("capacity", "invalid", part, capacity=bad, occupancy=None)
        self.bad_volunteer("travel_radius_km", "invalid", "an integer from 0 to 500", travel_radius_km=501)
        self.bad_volunteer("travel_radius_km", "invalid", "an integer from 0 to 500", travel_radius_km=-5)
        for bad, part in ((50.0, "between"), (-90, "between"), ("43.9", "number"), (None, "null")):
            with self.subTest(lat=bad):
                self.bad_structure("lat", "invalid", part, lat=bad)
        self.refused("POST", "/api/v1/items", 422, "burn_per_worker_day", "invalid", "between 0 and 1000",
                     body=samples.item(burn_per_worker_day=-0.5))
        self.refused("POST", "/api/v1/items", 422, "burn_per_bed_day", "invalid", "between 0 and 1000",
                     body=samples.item(burn_per_bed_day=1000.5))

    def test_enums(self):
        self.bad_structure("category", "invalid", "must be one of", category="zoo")
        self.bad_structure("legal_form", "invalid", "association", legal_form="Association")
        self.bad_structure("status", "invalid", "active", status="erased")
        self.bad_structure("contacts[0].lang", "invalid", "fr", contacts=[{"phone": samples.phone(), "lang": "de"}])
        self.bad_volunteer("profession", "invalid", "nurse", profession="astronaut")
        self.bad_volunteer("availability", "invalid", "available", availability="maybe")
        self.bad_volunteer("gender", "invalid", "female", gender="f")
        # an erasure cannot be faked by writing the status
        self.bad_volunteer("status", "invalid", "suspended", status="erased")
        self.bad_volunteer("credentials[0].kind", "invalid", "diploma", credentials=[{"kind": "passport"}])
        self.refused("POST", "/api/v1/depots", 422, "level", "invalid", "regional",
                     body=samples.depot(level="national"))

    def test_string_lengths(self):
        self.bad_structure("name", "invalid", "1 to 200 characters", name="")
        self.bad_structure("name", "invalid", "1 to 200 characters", name="x" * 201)
        # characters, not bytes: 200 accented letters are 400 bytes and fit
        st, s, _ = self.api("POST", "/api/v1/structures", body=samples.structure(name="é" * 200))
        self.assertEqual((st, s.get("name")), (201, "é" * 200), s)
        self.bad_structure("name", "invalid", "1 to 200 characters", name="é" * 201)
        self.bad_structure("contacts[0].role", "invalid", "1 to 80",
                           contacts=[{"phone": samples.phone(), "role": "r" * 81}])
        self.bad_volunteer("email", "invalid", "3 to 254", email="a@")
        self.bad_volunteer("last_name", "invalid", "1 to 100", last_name="L" * 101)
        self.refused("POST", "/api/v1/items", 422, "code", "invalid", "1 to 64", body=samples.item(code="c" * 65))
        # list sizes
        self.bad_structure("contacts", "invalid", "at most 20",
                           contacts=[{"phone": samples.phone()} for _ in range(21)])
        self.bad_volunteer("skills", "invalid", "at most 30", skills=["s%d" % i for i in range(31)])
        self.bad_volunteer("credentials", "invalid", "at most 20", credentials=[{"kind": "other"}] * 21)

    def test_control_characters(self):
        for bad in ("EHPAD\x01", "EHPAD\nLes Tilleuls", "EHPAD\tA", "EHPAD\x7f", "\x1b[31mred"):
            with self.subTest(name=bad):
                self.bad_structure("name", "invalid", "control characters", name=bad)
        self.bad_volunteer("credentials[0].reference", "invalid", "control characters",
                           credentials=[{"kind": "diploma", "reference": "A\rB"}])

    def test_nul_characters(self):
        # a NUL would cut the value short where the server reads it: refused, not truncated
        raw = json.dumps(samples.volunteer(first_name="Jo\x00hn"))
        self.assertIn("\\u0000", raw)
        self.refused("POST", "/api/v1/volunteers", 400, "body", "invalid_json", "NUL", raw=raw,
                     content_type="application/json")
        raw = json.dumps(samples.volunteer(phone=samples.phone() + "\x00999"))
        self.refused("POST", "/api/v1/volunteers", 400, "body", "invalid_json", "NUL", raw=raw,
                     content_type="application/json")
        self.refused("POST", "/api/v1/structures", 400, "body", "invalid_json", "NUL",
                     raw=json.dumps(samples.structure()).encode()[:-1] + b', "x\x00": 1}',
                     content_type="application/json")
        # an escaped backslash before u0000 is ordinary text
        st, v, _ = self.api("POST", "/api/v1/volunteers", body=samples.volunteer(last_name="Back\\u0000slash"))
        self.assertEqual((st, v.get("last_name")), (201, "Back\\u0000slash"), v)
        err = self.refused("POST", "/api/v1/structures/import", 422, "body", "invalid_csv", "NUL",
                           raw=b"name,category,legal_form,commune\nA,ehpad,public,81004\nB\x00x,ehpad,public,81004\n",
                           content_type="text/csv")
        self.assertEqual(err.get("line"), 3, err)

    def test_words_and_languages(self):
        self.bad_volunteer("skills", "invalid", "a-z", skills=["Not A Word"])
        self.bad_volunteer("skills", "invalid", "repeat", skills=["geriatrics", "geriatrics"])
        self.bad_volunteer("skills", "invalid", "list of strings", skills="geriatrics")
        self.bad_volunteer("skills", "invalid", "string", skills=[1])
        self.bad_volunteer("languages", "invalid", "ISO 639-1", languages=["fra"])
        self.bad_volunteer("languages", "invalid", "ISO 639-1", languages=["FR"])

    def test_unknown_fields(self):
        self.bad_structure("colour", "unknown_field", "not a field of structure", colour="blue")
        self.bad_structure("contacts[0].fax", "unknown_field", "not a field",
                           contacts=[{"phone": samples.phone(), "fax": "+33561000000"}])
        self.bad_volunteer("password", "unknown_field", "not a field of volunteer", password="x")
        self.refused("PATCH", "/api/v1/structures/%d" % self.albi["id"], 422, "beds", "unknown_field", None,
                     body={"beds": 3})

    def test_read_only_fields(self):
        for field, value in (("id", 99), ("dep", "81"), ("created_at", "2024-01-01T00:00:00.000Z"),
                             ("updated_at", "2024-01-01T00:00:00.000Z")):
            with self.subTest(field=field):
                self.bad_structure(field, "read_only", "set by the server", **{field: value})
                self.refused("PATCH", "/api/v1/volunteers/%d" % self.vol["id"], 422, field, "read_only",
                             "set by the server", body={field: value})

    def test_null_on_non_nullable(self):
        self.bad_structure("name", "invalid", "must not be null", name=None)
        self.bad_structure("category", "invalid", "must not be null", category=None)
        self.bad_structure("contacts[0].phone", "invalid", "must not be null", contacts=[{"phone": None}])
        self.bad_volunteer("consent_at", "invalid", "must not be null", consent_at=None)
        self.refused("PATCH", "/api/v1/volunteers/%d" % self.vol["id"], 422, "phone", "invalid", "must not be null",
                     body={"phone": None})
        self.refused("PATCH", "/api/v1/volunteers/%d" % self.vol["id"], 422, "skills", "invalid", "must not be null",
                     body={"skills": None})

    def test_required_fields(self):
        body = samples.structure()
        del body["legal_form"]
        self.refused("POST", "/api/v1/structures", 422, "legal_form", "required", "is required", body=body)
        self.bad_structure("contacts[0].phone", "required", "is required", contacts=[{"name": "Direction"}])
        body = samples.volunteer()
        del body["consent_at"]
        self.refused("POST", "/api/v1/volunteers", 422, "consent_at", "required", "is required", body=body)
        self.bad_volunteer("credentials[0].kind", "required", "is required", credentials=[{"reference": "X"}])

    def test_wrong_json_types(self):
        self.bad_structure("name", "invalid", "must be a string", name=12)
        self.bad_structure("commune", "invalid", "must be a string", commune=81004)
        self.bad_structure("contacts", "invalid", "list of objects", contacts={"phone": samples.phone()})
        self.bad_structure("contacts[0]", "invalid", "JSON object", contacts=["+33561000000"])
        for bad, part in (("yes", "true or false"), (1, "true or false"), (None, "null")):
            self.refused("POST", "/api/v1/items", 422, "reusable", "invalid", part, body=samples.item(reusable=bad))
        for body in ([], "structure", 42, None):
            with self.subTest(body=body):
                self.refused("POST", "/api/v1/structures", 400, "body", "invalid_json", "JSON object",
                             raw=json.dumps(body), content_type="application/json")

    def test_malformed_json(self):
        for raw in ('{"name": "x",}', '{"name": "x"', "{name: 'x'}", '{"name": "x"} trailing', "\xff\xfe"):
            with self.subTest(raw=raw):
                self.refused("POST", "/api/v1/structures", 400, "body", "invalid_json", "not valid JSON",
                             raw=raw.encode("latin-1"), content_type="application/json")
        self.refused("PATCH", "/api/v1/structures/%d" % self.albi["id"], 400, "body", "invalid_json", None,
                     raw=b'{"capacity": }', content_type="application/json")
        # a key given twice is ambiguous: refused as the JSON is read, naming the key
        self.refused("POST", "/api/v1/structures", 400, "body", "invalid_json", 'has the key "name" twice',
                     raw=json.dumps(samples.structure())[:-1] + ', "name": "other"}', content_type="application/json")
        # a write without a body
        self.refused("POST", "/api/v1/structures", 400, "body", "invalid_json", "JSON object is required")

    def test_wrong_content_type(self):
        body = json.dumps(samples.structure())
        for ctype in ("text/plain", "application/x-www-form-urlencoded", "text/csv"):
            with self.subTest(ctype=ctype):
                self.refused("POST", "/api/v1/structures", 415, "content-type", "unsupported_media_type",
                             "application/json", raw=body, content_type=ctype)
        self.refused("POST", "/api/v1/structures/import", 415, "content-type", "unsupported_media_type", "text/csv",
                     raw="name,category,legal_form,commune\nA,ehpad,public,81004\n", content_type="application/json")

    def test_communes(self):
        self.bad_structure("commune", "invalid", "commune of the region", commune="99999")
        self.bad_structure("commune", "invalid", "commune of the region", commune="75056")  # Paris
        self.bad_structure("commune", "invalid", "5 characters", commune="8100")
        self.bad_volunteer("home_commune", "invalid", "commune of the region", home_commune="13055")
        self.refused("POST", "/api/v1/depots", 422, "commune", "invalid", "commune of the region",
                     body=samples.depot(commune="2A004"))

    def test_commune_outside_scoped_coordinator_territory(self):
        self.refused("POST", "/api/v1/structures", 422, "commune", "out_of_scope", "outside your territory",
                     token=self.c81, body=samples.structure(commune=BEZIERS))
        self.refused("POST", "/api/v1/volunteers", 422, "home_commune", "out_of_scope", "outside your territory",
                     token=self.c81, body=samples.volunteer(home_commune=TOULOUSE))
        # moving one of their own structures out of their territory
        self.refused("PATCH", "/api/v1/structures/%d" % self.albi["id"], 422, "commune", "out_of_scope",
                     "outside your territory", token=self.c81, body={"commune": BEZIERS})
        # inside it, fine
        st, s, _ = self.api("POST", "/api/v1/structures", token=self.c81, body=samples.structure(commune=ALBI))
        self.assertEqual((st, s.get("dep")), (201, "81"), s)

    def test_occupancy_over_capacity(self):
        self.bad_structure("occupancy", "invalid", "capacity", capacity=10, occupancy=11)
        self.refused("PATCH", "/api/v1/structures/%d" % self.albi["id"], 422, "occupancy", "invalid", "capacity",
                     body={"occupancy": self.albi["capacity"] + 1})

    def test_update_refusal_changes_nothing_of_the_row(self):
        url = "/api/v1/structures/%d" % self.albi["id"]
        before = self.api("GET", url)[1]
        # one good field and one bad: neither is applied
        self.refused("PATCH", url, 422, "category", "invalid", None, body={"name": "Renamed", "category": "zoo"})
        self.refused("PATCH", url, 422, "contacts[0].phone", "invalid", E164,
                     body={"contacts": [{"phone": "0561000000"}], "staff": 3})
        self.assertEqual(self.api("GET", url)[1], before)

    # --- CSV imports --------------------------------------------------------------------------------
    def csv_refused(self, plural, text, status, field, code, line, rule_part=None):
        err = self.refused("POST", "/api/v1/%s/import" % plural, status, field, code, rule_part, raw=text,
                           content_type="text/csv")
        self.assertEqual(err.get("line"), line, err)
        if line:
            self.assertIn("line %d" % line, err["message"])
        return err

    def test_csv_bad_row_names_line_and_field(self):
        head = "name,category,legal_form,commune,capacity,occupancy,contact_name,contact_phone\n"
        ok = "EHPAD A,ehpad,association,81004,50,40,Direction,+33561000001\n"
        self.csv_refused("structures", head + ok + ok.replace("EHPAD A", "EHPAD B") +
                         "EHPAD C,ehpad,association,81004,50,40,Direction,05 61 00 00 03\n" + ok,
                         422, "contact_phone", "invalid", 4, E164)
        self.csv_refused("structures", head + ok + "EHPAD C,ehpad,association,99999,50,40,,\n",
                         422, "commune", "invalid", 3, "commune of the region")
        self.csv_refused("structures", head + ok + "EHPAD C,ehpad,association,81004,fifty,40,,\n",
                         422, "capacity", "invalid", 3, "integer")
        self.csv_refused("structures", head + ok + "EHPAD C,ehpad,association,81004,50,60,,\n",
                         422, "occupancy", "invalid", 3, "capacity")
        self.csv_refused("structures", head + ok + "EHPAD C,zoo,association,81004,50,40,,\n",
                         422, "category", "invalid", 3)
        vhead = "first_name,last_name,phone,profession,home_commune,consent_at,credentials\n"
        vok = "Léa,Martin,+33639000001,nurse,81004,2024-01-02,diploma::2030-01-01\n"
        self.csv_refused("volunteers", vhead + vok + "Hugo,Petit,+33639000002,nurse,81004,2024-02-30,\n",
                         422, "consent_at", "invalid", 3, "calendar")
        self.csv_refused("volunteers",
                         vhead + vok + "Hugo,Petit,+33639000002,nurse,81004,2024-02-03,diploma::2030-02-30\n",
                         422, "credentials[0].expires_on", "invalid", 3, "calendar")
        # the same phone twice in one file: the second row conflicts, and the first is not kept either
        self.csv_refused("volunteers", vhead + vok + vok.replace("Léa", "Lou"), 409, "phone", "conflict", 3)

    def test_csv_unknown_column(self):
        self.csv_refused("structures", "name,category,legal_form,commune,beds\nA,ehpad,public,81004,3\n",
                         422, "beds", "unknown_column", 1, "not a column of structures")
        self.csv_refused("volunteers", "first_name,last_name,phone,profession,home_commune,consent_at,password\n",
                         422, "password", "unknown_column", 1)

    def test_csv_wrong_field_count(self):
        head = "name,category,legal_form,commune\n"
        self.csv_refused("structures", head + "A,ehpad,public,81004\nB,ehpad,public\n", 422, "body", "invalid_csv", 3,
                         "3 fields where the header has 4")
        self.csv_refused("structures", head + "A,ehpad,public,81004\nB,ehpad,public,81004,extra\n", 422, "body",
                         "invalid_csv", 3)

    def test_csv_malformed(self):
        head = "name,category,legal_form,commune\n"
        err = self.refused("POST", "/api/v1/structures/import", 422, "body", "invalid_csv", None,
                           raw=head + 'A,ehpad,public,81004\n"B,ehpad,public,81004\n', content_type="text/csv")
        self.assertGreaterEqual(err.get("line", 0), 3, err)
        self.refused("POST", "/api/v1/structures/import", 400, "body", "invalid_csv", None, raw="",
                     content_type="text/csv")

    def test_csv_good_file_imports_whole(self):
        head = "name,category,legal_form,commune,capacity,occupancy,contact_name,contact_phone\n"
        rows = "".join("Import home %d,ehpad,association,81004,50,40,Direction,+3356100%04d\n" % (i, i)
                       for i in range(5))
        st, res, _ = self.api("POST", "/api/v1/structures/import", raw=head + rows, content_type="text/csv")
        self.assertEqual(st, 201, res)
        self.assertEqual(res["created"], 5)
        self.assertEqual(res["last_id"] - res["first_id"], 4)
        st, page, _ = self.api("GET", "/api/v1/structures?q=Import%20home")
        self.assertEqual(page["total"], 5)
        self.assertEqual(page["items"][2]["contacts"][0]["phone"], "+33561000002")


class BodyLimit(ServerTest):
    extra_args = ("--set", "max_body_bytes=2048")

    def test_oversized_body_refused(self):
        before = self.server.fingerprint()
        big = samples.structure(name="x" * 150)
        big["contacts"] = [{"phone": samples.phone(), "name": "n" * 100} for _ in range(20)]
        raw = json.dumps(big).encode()
        self.assertGreater(len(raw), 2048)
        self.assertError(self.api("POST", "/api/v1/structures", raw=raw, content_type="application/json"),
                         413, "body", "too_large")
        csv = "name,category,legal_form,commune\n" + "Home,ehpad,public,81004\n" * 200
        err = self.assertError(self.api("POST", "/api/v1/structures/import", raw=csv), 413, "body", "too_large")
        self.assertIn("2048", err["rule"])
        self.assertEqual(self.server.fingerprint(), before)
        # a body of unknown length cannot be bounded before it is read: refused
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        try:
            conn.request("POST", "/api/v1/structures", body=iter([json.dumps(samples.structure()).encode()]),
                         headers={"Authorization": "Bearer " + self.admin, "Content-Type": "application/json"},
                         encode_chunked=True)
            resp = conn.getresponse()
            err = json.loads(resp.read())["error"]
            self.assertEqual((resp.status, err["code"], err["field"]), (411, "length_required", "content-length"))
        finally:
            conn.close()
        self.assertEqual(self.server.fingerprint(), before)
        # a body under the limit still works, on a new connection
        st, s, _ = self.api("POST", "/api/v1/structures", body=samples.structure())
        self.assertEqual(st, 201, s)


if __name__ == "__main__":
    unittest.main()
