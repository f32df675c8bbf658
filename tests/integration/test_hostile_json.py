"""Hostile input, JSON: every operation that takes a JSON body, over HTTP (the body) and over the
websocket (`data`), and a sample of reads, are sent JSON that RFC 8259 does not allow, values of
the wrong type, ids that are not whole numbers in range, fields that do not exist or that the
server sets, strings over their limits, and bodies that are no object. Each gets its named error
(status, code, field: PROTOCOL.md's errors table); after each test the server answers /healthz
and the database is unchanged, or changed exactly as a test that writes on purpose says.

The operations are listed here, not read from the server: OPS below, one line each."""

import copy
import itertools
import json
import unittest

import samples
from hostile import HostileTest
from sms_support import wait_until

NUM, STR = "@NUM@", "@STR@"  # where a class of bad input goes in an operation's body
GLOVES = b'"gloves-examination"'
_keys = itertools.count(1)


class Op:
    """One JSON-bodied write: its routes and a body (a function of the fixtures) holding the NUM
    and STR placeholders where a bad number or string goes; filled with ok's values, the body is
    valid (ValidBodies proves it: each hostile variant differs from a write only by its defect).
    path_id names the fixture whose id is the %d of the path (and the websocket's params id)."""

    def __init__(self, name, method, path, body, path_id=None, ok=None):
        self.name, self.method, self.path, self.body_of, self.path_id = name, method, path, body, path_id
        self.ok = ok or (lambda f: (b"1", b'"x"'))  # valid values for the places (the fixtures')

    def text(self, f, where=None, bad=None):
        """The body's JSON text, with bad in a place, the other places valid."""
        num, string = self.ok(f)
        return fill(self.body_of(f), where, bad, num, string)

    def __repr__(self):
        return self.name


OPS = [
    Op("structures.create", "POST", "/api/v1/structures",
       lambda f: samples.structure(name=STR, capacity=NUM, occupancy=None, contacts=[])),
    Op("structures.update", "PATCH", "/api/v1/structures/%d", lambda f: {"name": STR, "staff": NUM}, "structure"),
    Op("depots.create", "POST", "/api/v1/depots", lambda f: samples.depot(name=STR, lat=NUM),
       ok=lambda f: (b"43.9", b'"x"')),
    Op("depots.update", "PATCH", "/api/v1/depots/%d", lambda f: {"name": STR, "lat": NUM}, "depot",
       ok=lambda f: (b"43.9", b'"x"')),
    Op("items.create", "POST", "/api/v1/items", lambda f: samples.item(name=STR, burn_per_worker_day=NUM)),
    Op("items.update", "PATCH", "/api/v1/items/%d", lambda f: {"name": STR, "burn_per_bed_day": NUM}, "item"),
    Op("volunteers.create", "POST", "/api/v1/volunteers", lambda f: samples.volunteer(first_name=STR, travel_radius_km=NUM)),
    Op("volunteers.update", "PATCH", "/api/v1/volunteers/%d", lambda f: {"last_name": STR, "travel_radius_km": NUM},
       "volunteer"),
    Op("duty_officers.create", "POST", "/api/v1/duty_officers",
       lambda f: {"name": STR, "phone": samples.phone(), "dep": "09", "lang": NUM}, ok=lambda f: (b'"en"', b'"x"')),
    Op("duty_officers.update", "PATCH", "/api/v1/duty_officers/%d", lambda f: {"name": STR, "lang": NUM}, "officer",
       ok=lambda f: (b'"en"', b'"x"')),
    Op("stock.report", "POST", "/api/v1/stock/reports",
       lambda f: {"holder_kind": "structure", "holder_id": f["structure"], "items": [{"item": STR, "quantity": NUM}]},
       ok=lambda f: (b"1", GLOVES)),
    Op("stock.movement", "POST", "/api/v1/stock/movements",
       lambda f: {"holder_kind": "depot", "holder_id": f["depot"], "item": STR, "kind": "receipt", "quantity": NUM,
                  "origin": "donation"},
       ok=lambda f: (b"1", GLOVES)),
    Op("thresholds.set", "PUT", "/api/v1/thresholds",
       lambda f: {"holder_kind": "structure", "holder_id": f["structure"], "item": STR, "warning_days": NUM,
                  "critical_days": 1}, ok=lambda f: (b"9", GLOVES)),
    Op("alerts.acknowledge", "POST", "/api/v1/alerts/%d/acknowledge", lambda f: {"note": STR}, "alert"),
    Op("alerts.resolve", "POST", "/api/v1/alerts/%d/resolve", lambda f: {"note": STR}, "alert"),
    Op("sms.send", "POST", "/api/v1/sms/send", lambda f: {"volunteer_id": NUM, "text": STR},
       ok=lambda f: (str(f["volunteer"]).encode(), b'"x"')),
    Op("clock.advance", "POST", "/api/v1/clock/advance", lambda f: {"ms": NUM}),
    Op("tokens.create", "POST", "/api/v1/tokens", lambda f: {"role": "volunteer", "subject_id": NUM, "label": STR},
       ok=lambda f: (str(f["volunteer"]).encode(), b'"x"')),
]
OP = {op.name: op for op in OPS}

# Reads (method, path, type, params: none, or the fixture its id names): a malformed body is
# refused before anything is read (a body is not theirs to ignore when it cannot even be parsed).
READS = [("GET", "/api/v1/whoami", "whoami", {}), ("GET", "/api/v1/structures", "structures.list", {}),
         ("GET", "/api/v1/structures/%d", "structures.get", "structure"),
         ("GET", "/api/v1/stock/levels", "stock.levels", {}),
         ("GET", "/api/v1/alerts", "alerts.list", {}), ("GET", "/api/v1/tokens", "tokens.list", {})]

# --- classes of JSON that RFC 8259 does not allow ------------------------------------------------
# (name, where it goes: "text" = the whole body or message, "num" / "str" = a value of the body,
#  the bad text (bytes) or a function of the whole text, the rule's words, HTTP only?)
# Bytes that are not UTF-8 cannot be sent in a websocket text frame (the connection fails with
# 1007: test_hostile_ws.py), hence "HTTP only" for them.

BOM = b"\xef\xbb\xbf"
MALFORMED = [
    ("truncated by one byte", "text", lambda t: t[:-1], "the text ends too early", False),
    ("cut inside the first key", "text", lambda t: t[:3], "a string is not closed", False),
    ("trailing garbage", "text", lambda t: t + b" x", "text after the value", False),
    ("two values", "text", lambda t: t + t, "text after the value", False),
    ("two values on two lines", "text", lambda t: t + b"\n" + t, "text after the value", False),
    ("a byte order mark", "text", lambda t: BOM + t, "a byte order mark is not allowed", False),
    ("a NUL byte after the value", "text", lambda t: t + b"\x00", "must not contain NUL characters", False),
    ("only whitespace", "text", lambda t: b" \r\n\t", "there is no value", False),
    ("single quotes", "text", lambda t: t.replace(b'"', b"'"), "is not valid JSON", False),
    ("a trailing comma", "text", lambda t: t[:-1] + b",}", "an object key must be a string", False),
    ("a comment", "text", lambda t: t[:-1] + b" /* x */}", "is not valid JSON", False),
    ("nested 10,000 arrays deep", "num", b"[" * 10000 + b"]" * 10000, "nested deeper than 1000 levels", False),
    ("nested 10,000 objects deep", "num", b'{"a":' * 10000 + b"1" + b"}" * 10000, "nested deeper than 1000 levels", False),
    ("a key twice at depth", "num", b'{"a": [{"b": {"k": 1, "k": 2}}]}', 'has the key "k" twice', False),
    ("NaN", "num", b"NaN", "NaN and Infinity are not JSON numbers", False),
    ("Infinity", "num", b"Infinity", "NaN and Infinity are not JSON numbers", False),
    ("-Infinity", "num", b"-Infinity", "a number needs a digit after '-'", False),
    ("a leading zero", "num", b"012", "a number must not have a leading zero", False),
    ("a negative leading zero", "num", b"-012", "a number must not have a leading zero", False),
    ("a + sign", "num", b"+1", "a number must not have a '+' sign", False),
    (".5", "num", b".5", "a number must start with a digit", False),
    ("1.", "num", b"1.", "after its point", False),
    ("1e", "num", b"1e", "a number needs a digit in its exponent", False),
    ("1e+", "num", b"1e+", "a number needs a digit in its exponent", False),
    ("a huge exponent", "num", b"1e999", "a number is too large for a 64-bit float", False),
    ("a huge negative exponent", "num", b"-1E+400", "a number is too large for a 64-bit float", False),
    ("a tiny exponent", "num", b"1e-999", "a number is too precise for a 64-bit float", False),
    ("64 digits", "num", b"1" * 64, "a number is longer than 63 characters", False),
    ("more digits than a float keeps", "num", b"1.0000000000000001", "too precise", False),
    ("hexadecimal", "num", b"0x10", "is not valid JSON", False),
    ("a bare word", "num", b"tru", "unexpected character 't'", False),
    ("a lone high surrogate", "str", b'"a\\ud800b"', "a \\u escape is a lone surrogate", False),
    ("a lone low surrogate", "str", b'"a\\udc00b"', "a \\u escape is a lone surrogate", False),
    ("a high surrogate before a letter", "str", b'"\\ud800\\u0041"', "a \\u escape is a lone surrogate", False),
    ("\\u0000", "str", b'"a\\u0000b"', "must not contain NUL characters", False),
    ("a raw control character", "str", b'"a\x01b"', "a control character in a string must be escaped", False),
    ("a raw tab", "str", b'"a\tb"', "a control character in a string must be escaped", False),
    ("a raw newline", "str", b'"a\nb"', "a control character in a string must be escaped", False),
    ("an unknown escape", "str", b'"\\x41"', "unknown escape in a string", False),
    ("a short \\u escape", "str", b'"\\u12"', "a \\u escape needs four hex digits", False),
    ("a byte that is not UTF-8", "str", b'"\xff"', "a string is not valid UTF-8", True),
    ("a cut UTF-8 sequence", "str", b'"\xc3("', "a string is not valid UTF-8", True),
    ("an overlong encoding", "str", b'"\xc0\xaf"', "a string is not valid UTF-8", True),
    ("an encoded surrogate", "str", b'"\xed\xa0\x80"', "a string is not valid UTF-8", True),
    ("beyond U+10FFFF", "str", b'"\xf4\x90\x80\x80"', "a string is not valid UTF-8", True),
]

# A value of each JSON kind, for the fields that take another.
WRONG = [("str", "7"), ("int", 7), ("num", 7.25), ("bool", True), ("list", []), ("list", ["x"]),
         ("object", {}), ("object", {"value": 7}), ("null", None)]

NOT_OBJECTS = [b"[]", b'[{"name": "x"}]', b'"structure"', b"42", b"true", b"null"]


def fill(body, where, bad, num_ok, str_ok):
    """The body's JSON text with bad (bytes) put in the "num" or "str" place (an operation without
    that place takes it in the other), and the places left filled with num_ok and str_ok."""
    text = json.dumps(body).encode()
    num, string = ('"%s"' % NUM).encode(), ('"%s"' % STR).encode()
    if where:
        first, other = (num, string) if where == "num" else (string, num)
        text = text.replace(first if first in text else other, bad)
    return text.replace(num, num_ok).replace(string, str_ok)


def _steps(path):
    """The keys and indexes of a field's path: "contacts[0].phone" is "contacts", 0, "phone"."""
    return [int(p) if p.isdigit() else p for p in path.replace("]", "").replace("[", ".").split(".")]


def get_path(body, path):
    """The value at path in body."""
    for step in _steps(path):
        body = body[step]
    return body


def set_path(body, path, value):
    """body with the field at path set to value (a copy)."""
    body = copy.deepcopy(body)
    *parents, last = _steps(path)
    node = body
    for step in parents:
        node = node[step]
    node[last] = value
    return body


class JsonFixture(HostileTest):
    """A server with one row of each kind and an open alert, and the ways to send bodies."""

    extra_args = ("--set", "test_clock=1", "--set", "alert_check_interval_s=86400")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # No contact and no duty officer in the structure's département: its alert queues no SMS,
        # and nothing is written in the background while the tests compare fingerprints.
        f = cls.fix = {}
        f["structure"] = cls.create_record("structures", samples.structure(contacts=[]))["id"]
        f["depot"] = cls.create_record("depots", samples.depot())["id"]
        f["item"] = cls.create_record("items", samples.item())["id"]
        f["volunteer"] = cls.create_record("volunteers", samples.volunteer())["id"]
        f["officer"] = cls.create_record("duty_officers", {"name": "Astreinte", "phone": samples.phone(), "dep": "09"})["id"]
        st, rep, _ = cls.server.http("POST", "/api/v1/stock/reports", token=cls.admin, headers={"Idempotency-Key": "setup"},
                                     body={"holder_kind": "structure", "holder_id": f["structure"],
                                           "items": [{"item": "gloves-examination", "quantity": 0}]})
        assert st == 201 and rep["levels"][0]["alert"], rep
        f["alert"] = rep["levels"][0]["alert"]["id"]
        assert cls.server.sql("SELECT count(*) FROM sms_outbox") == [(0,)]

    # --- sending ------------------------------------------------------------------------------

    def path(self, op, id_text=None):
        if op.path_id is None:
            return op.path
        return op.path.replace("%d", id_text if id_text is not None else str(self.fix[op.path_id]))

    def http(self, op, text, id_text=None, headers=None):
        """Sends text as op's body (with an idempotency key of its own: a refusal must not use it
        up). text None: no body at all."""
        h = {"Idempotency-Key": "hostile-%d" % next(_keys)}
        h.update(headers or {})
        if text is None:
            return self.api(op.method, self.path(op, id_text), headers=h)
        return self.api(op.method, self.path(op, id_text), raw=text, content_type="application/json", headers=h)

    def ws(self):
        w = self.server.ws(token=self.admin)
        self.addCleanup(w.close)
        return w

    def envelope(self, op, data, params=None):
        """The websocket message of op as text, data (bytes, or None) spliced in as it is."""
        if params is None:
            params = {"id": self.fix[op.path_id]} if op.path_id else {}
        head = json.dumps({"type": op.name, "id": 7, "params": params, "idempotency_key": "hostile-%d" % next(_keys)})
        if data is None:
            return head.encode()
        return head[:-1].encode() + b', "data": ' + data + b"}"

    def ws_send(self, w, message):
        w.send(message.decode("utf-8"))
        return w.recv()

    def assertUsable(self, w):
        self.assertEqual(w.request("whoami")["status"], 200, "the websocket should stay usable")


class ValidBodies(JsonFixture):
    def test_the_bodies_are_valid(self):
        """Filled with their valid values, the bodies the hostile tests break are taken."""
        for op in OPS:
            with self.subTest(op=op.name):
                st, body, _ = self.http(op, op.text(self.fix))
                self.assertIn(st, (200, 201), body)
        # the message queued by sms.send is sent (log gateway) before the database is compared
        wait_until(lambda: self.server.sql("SELECT count(*) FROM sms_outbox WHERE status = 'queued'") == [(0,)], 10,
                   what="the message sent")
        self.expect_changes(["alert_overrides", "alerts", "audit", "depots", "duty_officers", "idempotency", "items",
                             "meta", "sms_outbox", "stock_ledger", "stock_levels", "stock_reports", "structures",
                             "tokens", "volunteer_credentials", "volunteers"])


class HostileJson(JsonFixture):

    # --- malformed JSON -----------------------------------------------------------------------

    def test_malformed_json_over_http(self):
        for op in OPS:
            for name, where, bad, words, _ in MALFORMED:
                text = bad(op.text(self.fix)) if where == "text" else op.text(self.fix, where, bad)
                with self.subTest(op=op.name, input=name):
                    self.assertHttpError(self.http(op, text), 400, "invalid_json", "body", words)

    def test_malformed_json_over_websocket(self):
        w = self.ws()
        for op in OPS:
            for name, where, bad, words, http_only in MALFORMED:
                if http_only:
                    continue  # not UTF-8: the connection would fail (test_hostile_ws.py)
                if where == "text":  # on the websocket the whole message is the text
                    message = bad(self.envelope(op, op.text(self.fix)))
                else:
                    message = self.envelope(op, op.text(self.fix, where, bad))
                with self.subTest(op=op.name, input=name):
                    self.assertWsError(self.ws_send(w, message), 400, "invalid_json", "message", words)
        self.assertUsable(w)

    def test_reads_refuse_malformed_json(self):
        w = self.ws()
        for method, path, type_, params in READS:
            if isinstance(params, str):
                path, params = path % self.fix[params], {"id": self.fix[params]}
            for name, where, bad, words, _ in MALFORMED:
                if where != "text":
                    continue
                with self.subTest(read=type_, input=name):
                    self.assertHttpError(self.api(method, path, raw=bad(b'{"q": 1}'), content_type="application/json"),
                                         400, "invalid_json", "body", words)
                    message = bad(json.dumps({"type": type_, "id": 1, "params": params}).encode())
                    self.assertWsError(self.ws_send(w, message), 400, "invalid_json", "message", words)
            # a parameter is a string or a number: null, a list or an object would read as absent
            # and widen a filter to everything (stock.levels answered every level)
            for bad in (None, [1], {"a": 1}, [], {}):
                for name in ("limit", "holder_id", "id"):
                    with self.subTest(read=type_, param=name, value=bad):
                        m = w.request(type_, params=dict(params, **{name: bad}))
                        self.assertWsError(m, 422, "invalid", name, "must be a string or a number", rid=m["id"])
        self.assertUsable(w)

    # --- bodies that are no object, or none ---------------------------------------------------

    def test_bodies_that_are_not_objects(self):
        w = self.ws()
        for op in OPS:
            for text in NOT_OBJECTS:
                with self.subTest(op=op.name, body=text):
                    self.assertHttpError(self.http(op, text), 400, "invalid_json", "body", "JSON object")
                    self.assertWsError(self.ws_send(w, self.envelope(op, text)), 400, "invalid_json", "body",
                                       "JSON object", rid=7)
        self.assertUsable(w)

    def test_empty_bodies(self):
        """Every operation that needs a body refuses none (alerts' notes are optional: an empty
        body acknowledges, as documented, so they are not sent one here)."""
        w = self.ws()
        for op in OPS:
            if op.name.startswith("alerts."):
                continue
            with self.subTest(op=op.name):
                self.assertHttpError(self.http(op, None), 400, "invalid_json", "body", "JSON object is required")
                self.assertHttpError(self.http(op, b""), 400, "invalid_json", "body", "JSON object is required")
                self.assertWsError(self.ws_send(w, self.envelope(op, None)), 400, "invalid_json", "body",
                                   "JSON object is required", rid=7)
        self.assertUsable(w)

    # --- values of the wrong type -------------------------------------------------------------

    def send_both(self, w, op, body, params=None, id_text=None):
        """body (a dict) as op's body over HTTP and as its data over the websocket: both answers."""
        text = json.dumps(body).encode()
        return self.http(op, text, id_text=id_text), self.ws_send(w, self.envelope(op, text, params))

    def assertRefusedBoth(self, answers, status, code, field, rule_part=None, what=None):
        over_http, over_ws = answers
        self.assertHttpError(over_http, status, code, field, rule_part, what=what)
        self.assertWsError(over_ws, status, code, field, rule_part, what=what, rid=7)

    def test_wrong_types(self):
        w = self.ws()
        for op_name, base, path, kinds in self.type_table():
            for kind, value in WRONG:
                if kind in kinds:
                    continue
                body = set_path(base(self.fix), path, value)
                # null is "not given" for a token's subject: required, as when left out
                code = "required" if value is None and path == "subject_id" else "invalid"
                with self.subTest(op=op_name, field=path, value=value):
                    self.assertRefusedBoth(self.send_both(w, OP[op_name], body), 422, code, path)
        self.assertUsable(w)

    @staticmethod
    def type_table():
        """(operation, valid body, field, the JSON kinds it takes): every field of a structure, a
        volunteer, an item, a stock report and movement, a threshold, an SMS and a token."""
        structure = lambda f: samples.structure(occupancy=None)
        volunteer = lambda f: samples.volunteer(email="camille@example.org", gender="female")
        item = lambda f: samples.item(burn_per_bed_day=1.5)
        report = lambda f: {"holder_kind": "structure", "holder_id": f["structure"], "occupancy": 10, "staff": 5,
                            "items": [{"item": "gloves-examination", "quantity": 5}]}
        movement = lambda f: {"holder_kind": "depot", "holder_id": f["depot"], "item": "gloves-examination",
                              "kind": "receipt", "quantity": 5, "origin": "donation"}
        threshold = lambda f: {"holder_kind": "structure", "holder_id": f["structure"], "item": "gloves-examination",
                               "warning_days": 10, "critical_days": 2}
        sms = lambda f: {"to": samples.phone(), "text": "Bonjour", "lang": "fr"}
        sms_volunteer = lambda f: {"volunteer_id": f["volunteer"], "text": "Bonjour"}
        coordinator = lambda f: {"role": "coordinator", "scope": "81", "label": "x"}
        self_token = lambda f: {"role": "volunteer", "subject_id": f["volunteer"]}
        T, I, N, B, L, Z = "str", "int", "num", "bool", "list", "null"
        return [
            *[("structures.create", structure, p, k) for p, k in (
                ("name", T), ("category", T), ("legal_form", T), ("finess", T + Z), ("commune", T), ("lat", N + I),
                ("lng", N + I), ("capacity", I + Z), ("occupancy", I + Z), ("staff", I + Z), ("status", T),
                ("contacts", L), ("contacts[0].name", T + Z), ("contacts[0].phone", T), ("contacts[0].lang", T),
                ("contacts[0].role", T + Z))],
            *[("volunteers.create", volunteer, p, k) for p, k in (
                ("first_name", T), ("last_name", T), ("phone", T), ("email", T + Z), ("profession", T), ("skills", L),
                ("languages", L), ("home_commune", T), ("travel_radius_km", I), ("availability", T),
                ("consent_at", T), ("gender", T + Z), ("status", T), ("credentials", L),
                ("credentials[0].kind", T), ("credentials[0].reference", T + Z), ("credentials[0].expires_on", T + Z))],
            *[("items.create", item, p, k) for p, k in (
                ("code", T), ("name", T), ("category", T), ("unit", T), ("reusable", B),
                ("burn_per_worker_day", N + I + Z), ("burn_per_bed_day", N + I + Z))],
            *[("stock.report", report, p, k) for p, k in (
                ("holder_kind", T), ("holder_id", I), ("occupancy", I), ("staff", I), ("items", L),
                ("items[0].item", T + I), ("items[0].quantity", I))],
            *[("stock.movement", movement, p, k) for p, k in (
                ("holder_kind", T), ("holder_id", I), ("item", T + I), ("kind", T), ("quantity", I),
                ("origin", T))],
            *[("thresholds.set", threshold, p, k) for p, k in (
                ("holder_kind", T), ("holder_id", I), ("item", T + I + Z), ("warning_days", N + I),
                ("critical_days", N + I))],
            *[("sms.send", sms, p, k) for p, k in (("to", T), ("text", T), ("lang", T))],
            ("sms.send", sms_volunteer, "volunteer_id", I),
            # a null scope is no scope: the default, region (tokens.create)
            *[("tokens.create", coordinator, p, k) for p, k in (("role", T), ("scope", T + Z), ("label", T))],
            ("tokens.create", self_token, "subject_id", I),
            ("clock.advance", lambda f: {"ms": 1000}, "ms", I),
            ("alerts.acknowledge", lambda f: {"note": "x"}, "note", T),
            ("alerts.resolve", lambda f: {"note": "x"}, "note", T),
        ]

    # --- ids that are not whole numbers in range ----------------------------------------------

    def test_ids_in_bodies(self):
        """An id that is not a whole number in range is refused naming its field, never read as
        the fixture's id next to it (1.5 is not 1, 9007199254740993 is no exact double)."""
        w = self.ws()
        s, v = self.fix["structure"], self.fix["volunteer"]
        cases = [("stock.report", "holder_id"), ("stock.report", "items[0].item"), ("stock.movement", "holder_id"),
                 ("stock.movement", "item"), ("thresholds.set", "holder_id"), ("thresholds.set", "item"),
                 ("sms.send", "volunteer_id"), ("tokens.create", "subject_id")]
        bases = {"stock.report": lambda: {"holder_kind": "structure", "holder_id": s, "items": [{"item": 1, "quantity": 5}]},
                 "stock.movement": lambda: {"holder_kind": "structure", "holder_id": s, "item": 1, "kind": "receipt",
                                            "quantity": 5, "origin": "donation"},
                 "thresholds.set": lambda: {"holder_kind": "structure", "holder_id": s, "item": 1, "warning_days": 9,
                                            "critical_days": 3},
                 "sms.send": lambda: {"volunteer_id": v, "text": "Bonjour"},
                 "tokens.create": lambda: {"role": "volunteer", "subject_id": v}}
        for op_name, path in cases:
            for value in (s + 0.5, v + 0.5, -1, -s, 0, -0.0, 1e300, -1e300, 9007199254740993, 2 ** 63, 2 ** 64 + s,
                          1 + 1e-15):
                body = set_path(bases[op_name](), path, value)
                with self.subTest(op=op_name, field=path, value=value):
                    self.assertRefusedBoth(self.send_both(w, OP[op_name], body), 422, "invalid", path,
                                           "must be a positive integer")
            for value in (str(s), str(v), "%d.0" % s, " 1", "1e0"):
                body = set_path(bases[op_name](), path, value)
                # an item is named by code or id: a string is a code, and no item has that one
                rule = "is not an item of the catalogue" if path.endswith("item") else "must be a positive integer"
                with self.subTest(op=op_name, field=path, value=value):
                    self.assertRefusedBoth(self.send_both(w, OP[op_name], body), 422, "invalid", path, rule)
        self.assertUsable(w)

    def test_ids_in_paths_and_params(self):
        """A path or params id that cannot name a record is simply not found (404, field id)."""
        w = self.ws()
        for op in OPS:
            if not op.path_id:
                continue
            n = self.fix[op.path_id]
            body = op.text(self.fix)
            for text in ("%d.5" % n, "%d.0" % n, "-%d" % n, "0", "1e300", "9007199254740993", "99999999999999999999",
                         "0%d" % n, "%%2B%d" % n, "%%20%d" % n, "%d%%20" % n, "0x%x" % n, "%EF%BC%91"):
                with self.subTest(op=op.name, path_id=text):
                    self.assertHttpError(self.http(op, body, id_text=text), 404, "not_found", "id", "no such record")
            for value in (n + 0.5, -n, 0, 1e300, -1e300, 9007199254740993, True, "%d.5" % n, "0%d" % n, "+%d" % n,
                          " %d" % n, "%d " % n, "%dabc" % n, ""):
                with self.subTest(op=op.name, param_id=value):
                    m = self.ws_send(w, self.envelope(op, body, params={"id": value}))
                    self.assertWsError(m, 404, "not_found", "id", "no such record", rid=7)
            for value in (None, [n], {"id": n}):
                with self.subTest(op=op.name, param_id=value):
                    m = self.ws_send(w, self.envelope(op, body, params={"id": value}))
                    self.assertWsError(m, 422, "invalid", "id", "must be a string or a number", rid=7)
        self.assertUsable(w)

    # --- fields that do not exist, or that the server sets ------------------------------------

    def test_unknown_fields(self):
        w = self.ws()
        for op in OPS:
            base = json.loads(op.text(self.fix))
            for name in ("zz", "Name", "name ", "__proto__", "idempotency_key", "token", "é", "\u2028"):
                if name in base:
                    continue
                with self.subTest(op=op.name, field=name):
                    self.assertRefusedBoth(self.send_both(w, op, dict(base, **{name: 1})), 422, "unknown_field", name)
            # a name too long to repeat whole is named by its beginning
            long_name = "a" * 300
            for answer in self.send_both(w, op, dict(base, **{long_name: 1})):
                error = answer[1]["error"] if isinstance(answer, tuple) else answer["error"]
                self.assertEqual(error["code"], "unknown_field", error)
                self.assertTrue(long_name.startswith(error["field"]) and len(error["field"]) >= 64, error)
        nested = [("structures.create", "contacts[0]", lambda f: samples.structure()),
                  ("structures.update", "contacts[0]", lambda f: {"contacts": [{"phone": samples.phone()}]}),
                  ("volunteers.create", "credentials[0]", lambda f: samples.volunteer()),
                  ("volunteers.update", "credentials[0]", lambda f: {"credentials": [{"kind": "diploma"}]}),
                  ("stock.report", "items[0]", lambda f: {"holder_kind": "structure", "holder_id": f["structure"],
                                                          "items": [{"item": 1, "quantity": 5}]})]
        for op_name, where, base in nested:
            for name in ("zz", "id", "phone_number"):
                body = set_path(base(self.fix), where + "." + name, 1)
                with self.subTest(op=op_name, field=where + "." + name):
                    self.assertRefusedBoth(self.send_both(w, OP[op_name], body), 422, "unknown_field", where + "." + name)
        self.assertUsable(w)

    def test_read_only_fields(self):
        w = self.ws()
        for op in OPS:
            if not op.name.split(".")[0] in ("structures", "depots", "items", "volunteers", "duty_officers"):
                continue
            base = json.loads(op.text(self.fix))
            for name, value in (("id", self.fix["structure"]), ("dep", "81"), ("created_at", "2024-01-01T00:00:00.000Z"),
                                ("updated_at", None)):
                if name == "dep" and op.name.split(".")[0] in ("items", "duty_officers"):
                    continue  # items have no dep; a duty officer's is theirs to set
                with self.subTest(op=op.name, field=name):
                    self.assertRefusedBoth(self.send_both(w, op, dict(base, **{name: value})), 422, "read_only", name,
                                           "set by the server")
        self.assertUsable(w)


    # --- strings over their limits, and at them -----------------------------------------------

    @staticmethod
    def limits():
        """(operation, valid body, field, limit in characters, the value of n characters made of
        ch, or None when the field takes only ASCII words)."""
        text = lambda n, ch: ch * n
        email = lambda n, ch: "x" * (n - 12) + "@example.org" if ch == "x" else None
        word = lambda n, ch: "w" * n if ch == "x" else None
        code = lambda n, ch: "c%d-" % next(_keys) + "x" * (n - 2 - len(str(next(_keys)))) if ch == "x" else None
        structure = lambda f: samples.structure(contacts=[{"name": "Direction", "role": "direction",
                                                           "phone": samples.phone()}])
        return [("structures.create", structure, "name", 200, text),
                ("structures.create", structure, "contacts[0].name", 120, text),
                ("structures.create", structure, "contacts[0].role", 80, text),
                ("depots.create", lambda f: samples.depot(), "name", 200, text),
                ("items.create", lambda f: samples.item(), "code", 64, code),
                ("items.create", lambda f: samples.item(), "name", 200, text),
                ("items.create", lambda f: samples.item(), "category", 60, text),
                ("items.create", lambda f: samples.item(), "unit", 40, text),
                ("volunteers.create", lambda f: samples.volunteer(), "first_name", 100, text),
                ("volunteers.create", lambda f: samples.volunteer(), "last_name", 100, text),
                ("volunteers.create", lambda f: samples.volunteer(), "email", 254, email),
                ("volunteers.create", lambda f: samples.volunteer(), "skills[0]", 40, word),
                ("volunteers.create", lambda f: samples.volunteer(), "credentials[0].reference", 80, text),
                ("duty_officers.create", lambda f: {"name": "x", "phone": samples.phone(), "dep": "09"}, "name", 120, text),
                ("alerts.acknowledge", lambda f: {"note": "x"}, "note", 500, text),
                ("tokens.create", lambda f: {"role": "observer", "label": "x"}, "label", 120, text),
                ("sms.send", lambda f: {"to": samples.phone(), "text": "x"}, "text", 1600, text)]

    # one character of each UTF-8 length (json.dumps writes them as \u escapes, the emoji as a
    # surrogate pair: a character, not two)
    CHARS = ("x", "\u00e9", "\u20ac", "\U0001F600")

    def test_strings_over_their_limits(self):
        w = self.ws()
        for op_name, base, path, limit, make in self.limits():
            field = path.split("[")[0] if path.endswith("]") else path
            for ch in self.CHARS:
                value = make(limit + 1, ch)
                if value is None:
                    continue
                body = set_path(base(self.fix), path, value)
                with self.subTest(op=op_name, field=path, char=ch):
                    self.assertRefusedBoth(self.send_both(w, OP[op_name], body), 422, "invalid", field)
            # far over: refused as well over HTTP; over the websocket the message itself is too large
            body = set_path(base(self.fix), path, make(100000, "x"))
            with self.subTest(op=op_name, field=path, length=100000):
                self.assertHttpError(self.http(OP[op_name], json.dumps(body).encode()), 422, "invalid", field)
                m = self.ws_send(w, self.envelope(OP[op_name], json.dumps(body).encode()))
                self.assertWsError(m, 413, "too_large", "message", "65536")
        # the idempotency key: 1 to 128 characters, in the header and in the envelope
        op = OP["structures.create"]
        for key in ("k" * 129, "é" * 129, ""):
            with self.subTest(idempotency_key=key):
                body = json.dumps(samples.structure(contacts=[])).encode()
                if key:
                    self.assertHttpError(self.http(op, body, headers={"Idempotency-Key": key.encode().decode("latin-1")}),
                                         422, "invalid", "idempotency-key", "1 to 128 characters")
                twice = self.envelope(op, body)[:-1] + b', "idempotency_key": ' + json.dumps(key).encode() + b"}"
                m = self.ws_send(w, twice)
                self.assertWsError(m, 400, "invalid_json", "message", 'has the key "idempotency_key" twice')
                m = w.request("structures.create", data=samples.structure(contacts=[]), key=key)
                self.assertWsError(m, 422, "invalid", "idempotency_key", "1 to 128 characters", rid=m["id"])
        self.assertUsable(w)

    def test_strings_at_their_limits(self):
        """Exactly at its limit, in characters whatever their UTF-8 length, a string is taken and
        comes back whole; what changed in the database is what was created (and the alert)."""
        for op_name, base, path, limit, make in self.limits():
            if op_name == "sms.send":
                continue  # 1600 characters are more segments than sms_max_segments: tested in test_sms_*
            for ch in self.CHARS:
                value = make(limit, ch)
                if value is None:
                    continue
                body = set_path(base(self.fix), path, value)
                with self.subTest(op=op_name, field=path, char=ch):
                    st, got, _ = self.http(OP[op_name], json.dumps(body).encode())
                    self.assertIn(st, (200, 201), got)
                    if op_name == "tokens.create":  # the answer holds no label: the list does
                        got = [t for t in self.api("GET", "/api/v1/tokens")[1]["items"] if t["id"] == got["id"]][0]
                    self.assertEqual(get_path(got, "ack_note" if op_name == "alerts.acknowledge" else path), value)
        key = "k" * 128
        st, got, _ = self.http(OP["structures.create"], json.dumps(samples.structure(contacts=[])).encode(),
                               headers={"Idempotency-Key": key})
        self.assertEqual(st, 201, got)
        self.expect_changes(["alerts", "audit", "depots", "duty_officers", "idempotency", "items", "meta",
                             "structure_contacts", "structures", "tokens", "volunteer_credentials", "volunteers"])


    def test_token_labels_from_the_command_line(self):
        """renfortd token create takes the API's rule for labels: at most 120 characters of UTF-8,
        so that the token list, which shows them, stays valid JSON and shows them whole."""
        for label, rule in (("\u00e9" * 121, "--label must be at most 120 characters long"),
                            (b"\xe9t\xe9", "--label must be valid UTF-8 text"),
                            ("a\tb", "--label must not contain control characters")):
            with self.subTest(label=label):
                p = self.server.run_cli("token", "create", "--role", "observer", "--label", label, check=False)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertIn(rule, p.stderr)
        label = "\U0001F600" * 120
        self.server.run_cli("token", "create", "--role", "observer", "--label", label)
        st, tokens, _ = self.api("GET", "/api/v1/tokens")
        self.assertEqual((st, tokens["items"][-1]["label"]), (200, label))
        self.expect_changes(["audit", "tokens"])


if __name__ == "__main__":
    unittest.main()
