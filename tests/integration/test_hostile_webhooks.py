"""Hostile input, SMS webhooks: /sms/kannel/inbound, /sms/kannel/dlr, /sms/twilio/inbound and
/sms/twilio/status get secrets missing, wrong or given twice, forged signatures, bodies that are
no form, malformed escapes and NULs, bytes that are not UTF-8, ids and types with garbage, unknown
message ids, replays, very long texts, many fields, wrong methods and content types. Each gets its
named error and changes nothing; what a gateway may legitimately send is stored, and the test says
exactly what changed. After each test the server answers /healthz."""

import http.client
import unittest
import urllib.parse

from hostile import HostileTest
from rawhttp import RawHttp, request
from sms_support import sms_server, twilio_post, twilio_signature, wait_until

SECRET = "kannel-s3cret"
TWILIO_TOKEN = "twilio-t0ken"
FORM = "application/x-www-form-urlencoded"
PHONE = "+33639981777"
INBOX_ROW = ["meta", "sms_inbox"]  # what a message stored, without a keyword, changes


def query(**params):
    """A query string from params, in the given order, values (bytes or text) percent-encoded;
    a None value leaves its parameter out."""
    return "&".join(k + "=" + urllib.parse.quote_from_bytes(v if isinstance(v, bytes) else v.encode(), safe="")
                    for k, v in params.items() if v is not None)


class HostileWebhooks(HostileTest):
    @classmethod
    def new_server(cls):
        return sms_server({"kannel_secret": SECRET, "twilio_auth_token": TWILIO_TOKEN,
                           "alert_check_interval_s": 86400})

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.row = cls.sent_message()  # the row the hostile delivery reports are about: it stays "sent"

    @classmethod
    def sent_message(cls):
        """The outbox id of a message sent (log gateway), once the sender is done with it."""
        st, out, _ = cls.server.http("POST", "/api/v1/sms/send", token=cls.admin, body={"to": PHONE, "text": "Bonjour"})
        assert st == 201, out
        wait_until(lambda: cls.status(out["id"]) == "sent", 10, what="the message sent")
        return out["id"]

    @classmethod
    def status(cls, row=None):
        return cls.server.sql("SELECT status FROM sms_outbox WHERE id = ?", (row or cls.row,))[0][0]

    def fresh_row(self):
        """A message of this test's own, sent: the database's state with it is the one to keep."""
        row = self.sent_message()
        self.before = self.server.fingerprint()
        return row

    # --- helpers ------------------------------------------------------------------------------

    def inbound(self, **params):
        """GET /sms/kannel/inbound with valid parameters but those given (None: left out)."""
        params = dict({"secret": SECRET, "from": PHONE, "to": "38200", "text": "Bonjour"}, **params)
        return self.server.http("GET", "/sms/kannel/inbound?" + query(**params))

    def dlr(self, row=None, **params):
        """GET /sms/kannel/dlr about row (the class's) with valid parameters but those given."""
        params = dict({"secret": SECRET, "id": str(row or self.row), "type": "1"}, **params)
        return self.server.http("GET", "/sms/kannel/dlr?" + query(**params))

    def twilio(self, path, pairs, **kw):
        return twilio_post(self.server, TWILIO_TOKEN, path, pairs, **kw)

    def sms_in(self, gateway_id):
        """The inbox rows of a gateway id: (gateway, phone, to, text, invalid_utf8, result)."""
        return self.server.sql("SELECT gateway, phone, to_number, text, invalid_utf8, result FROM sms_inbox "
                               "WHERE gateway_id = ?", (gateway_id,))

    def raw(self, method, path, body=b"", headers=None):
        """(status, body bytes) of a request sent without what server.http adds (a Content-Type)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        return resp.status, data

    def forbidden(self, result, field, rule_part=None, what=None):
        return self.assertHttpError(result, 403, "forbidden", field, rule_part, what=what)

    # --- Kannel: the secret -------------------------------------------------------------------

    def test_kannel_secret(self):
        for secret in (None, "", "guess", SECRET.upper(), SECRET + " ", " " + SECRET, SECRET[:-1], SECRET + "x",
                       SECRET + "\u00e9", b"kannel-s3cr\xe9t"):
            with self.subTest(secret=secret):
                self.forbidden(self.inbound(secret=secret, id="k-secret"), "secret", "is not the configured")
                self.forbidden(self.dlr(secret=secret), "secret", "is not the configured kannel_secret")
        self.assertEqual(self.status(), "sent")
        # given twice, the last wins (PROTOCOL.md, query parameters): the right one last is taken
        rest = query(**{"from": PHONE, "text": "x", "id": "k-twice"})
        path = "/sms/kannel/inbound?secret=%s&%s&secret=guess" % (SECRET, rest)
        self.forbidden(self.server.http("GET", path), "secret")
        path = "/sms/kannel/dlr?secret=%s&id=%d&type=1&secret=" % (SECRET, self.row)
        self.forbidden(self.server.http("GET", path), "secret")
        self.assertEqual(self.status(), "sent")
        rest = query(**{"from": PHONE, "text": "Hi", "id": "k-twice"})
        path = "/sms/kannel/inbound?secret=guess&%s&secret=%s" % (rest, SECRET)
        self.assertEqual(self.server.http("GET", path)[0], 200)
        self.assertEqual(self.sms_in("k-twice"), [("kannel", PHONE, "", "Hi", 0, "no keyword")])
        self.expect_changes(INBOX_ROW)

    # --- Kannel: what is malformed --------------------------------------------------------------

    def test_kannel_malformed_escapes_and_nul(self):
        """Escapes the transport cannot decode, and %00, are refused before any operation runs:
        400 bad_request, field query, whatever the parameter (the secret too)."""
        for name in ("secret", "from", "to", "text", "id"):
            for bad in ("%", "%2", "%zz", "%G0", "a%0", "%00", "x%00y", "%%41"):
                with self.subTest(param=name, value=bad):
                    base = {"secret": SECRET, "from": "%2B33639981777", "to": "38200", "text": "x", "id": "k-esc"}
                    base[name] = bad
                    path = "/sms/kannel/inbound?" + "&".join("%s=%s" % kv for kv in base.items())
                    self.assertHttpError(self.server.http("GET", path), 400, "bad_request", "query",
                                         "malformed percent escape")
        for bad in ("type=1%00", "type=%zz", "id=%", "secret=%00"):
            with self.subTest(dlr=bad):
                path = "/sms/kannel/dlr?secret=%s&id=%d&type=1&%s" % (SECRET, self.row, bad)
                self.assertHttpError(self.server.http("GET", path), 400, "bad_request", "query")
        self.assertEqual(self.sms_in("k-esc"), [])

    def test_kannel_bytes_not_utf8(self):
        """Not UTF-8 in the text, the number called or the message id: kept with U+FFFD and
        flagged (PROTOCOL.md, sms.kannel_inbound); in the sender's number: refused (it must be a
        phone); in the secret: not the secret."""
        self.assertHttpError(self.inbound(**{"from": b"+3363998\xff777", "id": "k-from"}), 422, "invalid", "from",
                             "must be a phone number")
        self.assertEqual(self.sms_in("k-from"), [])
        self.assertEqual(self.inbound(to=b"38\xe900", id="k-to")[0], 200)
        self.assertEqual(self.inbound(id=b"k-\xff\xfe-id", text=b"Caf\xe9")[0], 200)
        self.assertEqual(self.inbound(id=b"k-cut", text=b"Caf\xc3")[0], 200)
        self.assertEqual(self.sms_in("k-to"), [("kannel", PHONE, "38\ufffd00", "Bonjour", 1, "no keyword")])
        self.assertEqual(self.sms_in("k-\ufffd\ufffd-id"), [("kannel", PHONE, "38200", "Caf\ufffd", 1, "no keyword")])
        self.assertEqual(self.sms_in("k-cut"), [("kannel", PHONE, "38200", "Caf\ufffd", 1, "no keyword")])
        self.expect_changes(INBOX_ROW)

    def test_kannel_missing_and_garbage_fields(self):
        for missing in ("from", "text", "id"):
            params = {"id": "k-missing", missing: None}
            with self.subTest(missing=missing):
                self.assertHttpError(self.inbound(**params), 422, "required", missing, "is required")
        self.assertHttpError(self.inbound(id=""), 422, "required", "id")
        for sender in ("", "garbage", "+", "++33639981777", "+3363998177777777777", "33639981777x", "06 39",
                       "\u0663\u0663\u0666"):
            with self.subTest(sender=sender):
                self.assertHttpError(self.inbound(**{"from": sender, "id": "k-garbage"}), 422, "invalid", "from")
        self.assertEqual(self.sms_in("k-missing") + self.sms_in("k-garbage"), [])

    def test_kannel_replay_is_processed_once(self):
        self.assertEqual(self.inbound(id="k-replay", text="Bonjour")[0], 200)
        self.expect_changes(INBOX_ROW)
        # the same gateway id again, even with another text (a STOP!), another sender or gateway
        # fields: answered 200 (Kannel would retry a refusal forever) and nothing happens
        for kw in ({"text": "Bonjour"}, {"text": "STOP"}, {"text": "DISPO", "from": "+33639981778"}, {"to": "99999"}):
            with self.subTest(**kw):
                self.assertEqual(self.inbound(id="k-replay", **kw)[0], 200)
        self.assertEqual(self.sms_in("k-replay"), [("kannel", PHONE, "38200", "Bonjour", 0, "no keyword")])
        self.assertEqual(self.server.sql("SELECT count(*) FROM sms_optouts"), [(0,)])

    def test_kannel_long_text_and_many_fields(self):
        """A text as long as the target allows is kept whole; parameters Kannel's get-url may add
        are ignored; past max_query_args or max_uri_bytes the request is refused."""
        text = "é" * 1300  # 7,800 bytes once percent-encoded: within max_uri_bytes (8192)
        self.assertEqual(self.inbound(id="k-long", text=text)[0], 200)
        extra = {"x%d" % i: "1" for i in range(90)}
        self.assertEqual(self.inbound(id="k-many", **extra)[0], 200)
        self.assertEqual(self.sms_in("k-long"), [("kannel", PHONE, "38200", text, 0, "no keyword")])
        self.assertEqual(len(self.sms_in("k-many")), 1)
        self.expect_changes(INBOX_ROW)
        self.assertHttpError(self.inbound(id="k-over", text="x" * 9000), 414, "uri_too_long", "query")
        self.assertHttpError(self.inbound(id="k-over", **{"x%d" % i: "1" for i in range(100)}), 414, "uri_too_long",
                             "query")
        self.assertEqual(self.sms_in("k-over"), [])

    def test_kannel_methods_and_bodies(self):
        good = "/sms/kannel/inbound?" + query(secret=SECRET, **{"from": PHONE, "text": "x", "id": "k-method"})
        dlr = "/sms/kannel/dlr?secret=%s&id=%d&type=1" % (SECRET, self.row)
        for path in (good, dlr):
            for method in ("POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"):
                with self.subTest(path=path[:20], method=method):
                    st, data = self.raw(method, path, b"", {"Content-Length": "0"})
                    self.assertEqual(st, 405, data)
            # a body the webhook does not take: read as JSON (the default body type), refused
            self.assertHttpError(self.server.http("GET", path, raw=b"secret=x", content_type=FORM), 415,
                                 "unsupported_media_type", "content-type")
            self.assertHttpError(self.server.http("GET", path, raw=b"{", content_type="application/json"), 400,
                                 "invalid_json", "body")
        self.assertEqual(self.sms_in("k-method"), [])
        self.assertEqual(self.status(), "sent")

    # --- Kannel: delivery reports -----------------------------------------------------------

    def test_dlr_ids_and_types_with_garbage(self):
        r = self.row
        for value in ("%dabc" % r, "%d.5" % r, "%d.0" % r, "-1", "-%d" % r, "0", "", " %d" % r, "%d " % r, "+%d" % r,
                      "0%d" % r, "0x%x" % r, "%de0" % r, "99999999999999999999", "9007199254740993", "\u0661"):
            with self.subTest(id=value):
                self.assertHttpError(self.dlr(id=value), 422, "invalid", "id", "must be a positive integer")
        for value in ("16abc", "1abc", "1.0", "1.5", "-1", "0", "256", "", " 1", "0x1", "1e0", "+1", "01",
                      "99999999999999999999"):
            with self.subTest(type=value):
                self.assertHttpError(self.dlr(type=value), 422, "invalid", "type", "DLR type")
        for missing in ("id", "type"):
            with self.subTest(missing=missing):
                self.assertHttpError(self.dlr(**{missing: None}), 422, "required", missing)
        self.assertEqual(self.status(), "sent")

    def test_dlr_unknown_rows_intermediate_types_and_replays(self):
        """A report about no row, or an intermediate one (4 buffered, 8 accepted by the SMSC), is
        answered 200 (Kannel would retry a refusal) and changes nothing; the first final report
        wins, and a replayed one changes nothing."""
        for row, type_ in ((self.row + 1000, "1"), (self.row + 1000, "2"), (9007199254740991, "16"), (self.row, "4"),
                           (self.row, "8")):
            with self.subTest(id=row, type=type_):
                self.assertEqual(self.dlr(id=str(row), type=type_)[0], 200)
        self.assertEqual(self.status(), "sent")
        row = self.fresh_row()
        self.assertEqual(self.dlr(row, type="1")[0], 200)
        self.assertEqual(self.status(row), "delivered")
        self.expect_changes(["meta", "sms_outbox"])
        for type_ in ("1", "2", "16", "1"):
            with self.subTest(after_delivery=type_):
                self.assertEqual(self.dlr(row, type=type_)[0], 200)
        # and Twilio's callback about that row cannot move it either
        self.assertEqual(self.twilio("/sms/twilio/status?id=%d" % row,
                                     [("MessageSid", "SM-late"), ("MessageStatus", "failed")])[0], 200)
        self.assertEqual(self.status(row), "delivered")

    # --- Twilio: the signature ----------------------------------------------------------------

    def pairs(self, sid, body="Bonjour", sender=PHONE):
        return [("MessageSid", sid), ("From", sender), ("To", "+33639980000"), ("Body", body)]

    def test_twilio_signatures(self):
        path = "/sms/twilio/inbound"
        pairs = self.pairs("SM-sig")
        url = self.server.public_url + path
        good = twilio_signature(TWILIO_TOKEN, url, pairs)
        forged = {
            "empty": "", "garbage": "not base64 at all", "truncated": good[:-2], "one more character": good + "=",
            "lower case": good.lower() if good.lower() != good else good.upper(),
            "another token": twilio_signature("not-the-token", url, pairs),
            "a signature of nothing": twilio_signature(TWILIO_TOKEN, "", []),
            "another host": twilio_signature(TWILIO_TOKEN, "http://localhost:1" + path, pairs),
            "another path": twilio_signature(TWILIO_TOKEN, self.server.public_url + "/sms/twilio/status", pairs),
            "a query added": twilio_signature(TWILIO_TOKEN, url + "?x=1", pairs),
            "https": twilio_signature(TWILIO_TOKEN, url.replace("http:", "https:"), pairs),
            "another body": twilio_signature(TWILIO_TOKEN, url, self.pairs("SM-sig", body="STOP")),
            "a field more": twilio_signature(TWILIO_TOKEN, url, pairs + [("Extra", "1")]),
            "a field less": twilio_signature(TWILIO_TOKEN, url, pairs[:-1]),
        }
        for name, sig in forged.items():
            with self.subTest(signature=name):
                self.forbidden(self.twilio(path, pairs, signature=sig), "x-twilio-signature",
                               "does not match the request", what=name)
        # none at all
        body = query(**dict(pairs)).encode()
        st, data = self.raw("POST", path, body, {"Content-Type": FORM})
        self.assertEqual(st, 403, data)
        # given twice: the transport refuses the head, naming the header
        c = RawHttp(self.server.port)
        self.addCleanup(c.close)
        c.send(request("POST", path, [("Host", "x"), ("Content-Type", FORM), ("Content-Length", str(len(body))),
                                      ("X-Twilio-Signature", good), ("X-Twilio-Signature", good)], body))
        ans = c.answer()
        self.assertEqual((ans.status, ans.error()), (400, ("bad_request", "x-twilio-signature")), ans.body)
        # the status callback is signed over its own URL, id included
        status_pairs = [("MessageSid", "SM1"), ("MessageStatus", "delivered")]
        for other in ("/sms/twilio/status?id=%d" % (self.row + 1), "/sms/twilio/status", "/sms/twilio/inbound"):
            with self.subTest(status_signed_for=other):
                self.forbidden(self.twilio("/sms/twilio/status?id=%d" % self.row, status_pairs,
                                           signed_url=self.server.public_url + other), "x-twilio-signature")
        self.assertEqual(self.sms_in("SM-sig"), [])
        self.assertEqual(self.status(), "sent")

    # --- Twilio: what is not a form -----------------------------------------------------------

    def test_twilio_bodies_that_are_not_forms(self):
        """Malformed escapes, a NUL (escaped or raw), more than 64 fields: 400 bad_request, field
        body, signed or not (the form is read before its signature can be checked)."""
        path = "/sms/twilio/inbound"
        base = "MessageSid=SM-form&From=%2B33639981777&Body="
        bodies = {"a lone %": base + "50%", "%2": base + "%2", "%zz": base + "%zz", "%00": base + "ST%00OP",
                  "%00 in a name": "Message%00Sid=SM-form&From=%2B33639981777&Body=x",
                  "a raw NUL": (base + "ST").encode() + b"\x00OP", "65 fields": base + "x" + "&f=1" * 62}
        for name, body in bodies.items():
            pairs = urllib.parse.parse_qsl(body if isinstance(body, str) else body.decode(), keep_blank_values=True,
                                           errors="surrogateescape")
            with self.subTest(body=name):
                self.assertHttpError(self.twilio(path, pairs, body=body), 400, "bad_request", "body", "is not a form")
        # 64 fields are a form (Twilio sends some 20, more with media)
        pairs = self.pairs("SM-64") + [("f%d" % i, "1") for i in range(60)]
        self.assertEqual(self.twilio(path, pairs)[0], 200)
        # JSON sent as a form is read as one (a field named by the whole text): no MessageSid
        text = '{"MessageSid": "SM-json", "From": "0639981777", "Body": "STOP"}'
        self.assertHttpError(self.twilio(path, [(text, "")], body=text), 422, "required", "MessageSid")
        self.assertEqual(self.sms_in("SM-form") + self.sms_in("SM-json"), [])
        self.assertEqual(self.sms_in("SM-64"), [("twilio", PHONE, "+33639980000", "Bonjour", 0, "no keyword")])
        self.expect_changes(INBOX_ROW)

    def test_twilio_content_types_and_methods(self):
        path = "/sms/twilio/inbound"
        pairs = self.pairs("SM-type")
        for ctype in ("application/json", "text/plain", "text/csv", "multipart/form-data; boundary=x",
                      FORM + "; charset=latin1", FORM + "x", "application/x-www-form"):
            with self.subTest(content_type=ctype):
                self.assertHttpError(self.twilio(path, pairs, content_type=ctype), 415, "unsupported_media_type",
                                     "content-type", FORM)
                status = [("MessageSid", "SM1"), ("MessageStatus", "delivered")]
                self.assertHttpError(self.twilio("/sms/twilio/status?id=%d" % self.row, status, content_type=ctype),
                                     415, "unsupported_media_type", "content-type")
        for method in ("GET", "PUT", "PATCH", "DELETE"):
            with self.subTest(method=method):
                st, data = self.raw(method, path, query(**dict(pairs)).encode(), {"Content-Type": FORM})
                self.assertEqual(st, 405, data)
        self.assertEqual(self.sms_in("SM-type"), [])
        self.assertEqual(self.status(), "sent")
        # Twilio's own, with its charset, is taken
        self.assertEqual(self.twilio(path, pairs, content_type=FORM + "; charset=UTF-8")[0], 200)
        self.assertEqual(len(self.sms_in("SM-type")), 1)
        self.expect_changes(INBOX_ROW)

    def test_twilio_fields(self):
        path = "/sms/twilio/inbound"
        for missing in ("MessageSid", "From", "Body"):
            with self.subTest(missing=missing):
                pairs = [kv for kv in self.pairs("SM-missing") if kv[0] != missing]
                self.assertHttpError(self.twilio(path, pairs), 422, "required", missing, "is required")
        for sender in ("", "garbage", "+", "0639", b"+3363998\xff777"):
            with self.subTest(sender=sender):
                self.assertHttpError(self.twilio(path, self.pairs("SM-garbage", sender=sender)), 422, "invalid", "from")
        self.assertEqual(self.sms_in("SM-missing") + self.sms_in("SM-garbage"), [])
        # not UTF-8 in the id and the text: kept, repaired and flagged; a very long text: kept whole
        self.assertEqual(self.twilio(path, self.pairs(b"SM-\xff", body=b"Merci \xe0 vous"))[0], 200)
        long_body = "Très long message. " * 5000
        self.assertEqual(self.twilio(path, self.pairs("SM-long", body=long_body))[0], 200)
        self.assertEqual(self.sms_in("SM-\ufffd"),
                         [("twilio", PHONE, "+33639980000", "Merci \ufffd vous", 1, "no keyword")])
        self.assertEqual(self.sms_in("SM-long"), [("twilio", PHONE, "+33639980000", long_body, 0, "no keyword")])
        self.expect_changes(INBOX_ROW)
        # replayed, even with another text: processed once
        for body in ("Bonjour", "STOP", "DISPO"):
            with self.subTest(replay=body):
                self.assertEqual(self.twilio(path, self.pairs("SM-long", body=body))[0], 200)
        self.assertEqual(self.sms_in("SM-long"), [("twilio", PHONE, "+33639980000", long_body, 0, "no keyword")])
        self.assertEqual(self.server.sql("SELECT count(*) FROM sms_optouts"), [(0,)])

    # --- Twilio: status callbacks -------------------------------------------------------------

    def test_twilio_status_ids_and_statuses(self):
        r = self.row
        good = [("MessageSid", "SM1"), ("MessageStatus", "delivered")]
        for value in ("%dabc" % r, "%d.5" % r, "-1", "0", "", "%%2B%d" % r, "0%d" % r, "99999999999999999999",
                      "9007199254740993"):
            with self.subTest(id=value):
                # refused before the signature is looked at, signed or not
                self.assertHttpError(self.twilio("/sms/twilio/status?id=" + value, good), 422, "invalid", "id",
                                     "must be a positive integer")
                self.assertHttpError(self.twilio("/sms/twilio/status?id=" + value, good, signature="x"), 422,
                                     "invalid", "id")
        self.assertHttpError(self.twilio("/sms/twilio/status", good), 422, "required", "id")
        # intermediate, unknown or garbage statuses are ignored; a row that does not exist too
        for status in ("queued", "sending", "sent", "DELIVERED", "delivered ", "deliveredx", "", "\u00e9chec"):
            with self.subTest(status=status):
                pairs = [("MessageSid", "SM1"), ("MessageStatus", status), ("ErrorCode", "3" * 1000)]
                self.assertEqual(self.twilio("/sms/twilio/status?id=%d" % r, pairs)[0], 200)
        self.assertEqual(self.twilio("/sms/twilio/status?id=%d" % (r + 1000), good)[0], 200)
        self.assertEqual(self.status(), "sent")
        # a failure with a very long error code is kept, cut to what the row holds
        row = self.fresh_row()
        pairs = [("MessageSid", "SM1"), ("MessageStatus", "undelivered"), ("ErrorCode", "3" * 1000)]
        self.assertEqual(self.twilio("/sms/twilio/status?id=%d" % row, pairs)[0], 200)
        (status, error), = self.server.sql("SELECT status, last_error FROM sms_outbox WHERE id = ?", (row,))
        self.assertEqual(status, "failed")
        self.assertTrue(error.startswith("twilio: undelivered (error 333") and len(error) < 100, error)
        self.expect_changes(["meta", "sms_outbox"])

    # --- the websocket ------------------------------------------------------------------------

    def test_webhooks_are_http_only(self):
        """The gateways' webhooks have no websocket form: with the right secret, still no such
        operation (404, field type)."""
        w = self.server.ws(token=self.admin)
        self.addCleanup(w.close)
        kannel = {"secret": SECRET, "from": PHONE, "text": "STOP", "id": "ws-1"}
        for type_, params, data in (("sms.kannel_inbound", kannel, None),
                                    ("sms.kannel_dlr", {"secret": SECRET, "id": self.row, "type": 1}, None),
                                    ("sms.twilio_inbound", {}, "MessageSid=ws-2&From=%2B33639981777&Body=STOP"),
                                    ("sms.twilio_status", {"id": self.row}, "MessageSid=SM1&MessageStatus=delivered")):
            with self.subTest(type=type_):
                m = w.request(type_, params=params, data=data)
                self.assertWsError(m, 404, "not_found", "type", "is not a known operation", rid=m["id"])
        self.assertEqual(self.sms_in("ws-1") + self.sms_in("ws-2"), [])
        self.assertEqual(self.status(), "sent")


if __name__ == "__main__":
    unittest.main()
