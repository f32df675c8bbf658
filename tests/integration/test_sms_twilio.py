"""Issue 4, the Twilio-compatible driver and webhooks, against a small Twilio-compatible test server
(http.server on loopback, in a thread) that checks the shape of every request: path
/2010-04-01/Accounts/<sid>/Messages.json, HTTP Basic auth sid:token, form fields To, From, Body,
StatusCallback. The test signs webhooks as Twilio does (X-Twilio-Signature, checked first against
the published test vectors): signed status callbacks move rows (delivered, failed); signed inbound
messages are stored and dispatched, answered with text/xml <Response/>; a forged, missing or
tampered signature gets 403 and stores nothing; a replayed request (same MessageSid) is processed
once. Failover: with sms_gateways="twilio log" and the fake answering 500, after
sms_failover_after failures messages go out through the log driver (sms_log_file), and come back
to Twilio once it has rested. With Twilio alone and every attempt failing, the row ends 'failed'
after sms_max_attempts, with an sms.failed event and an sms_failed alert."""

import base64
import http.server
import json
import os
import secrets
import threading
import time
import unittest
import urllib.parse

from sms_support import (EventLog, api_ok, dump, free_port, inbox, inbox_find, outbox, outbox_row, send_sms,
                         sms_server, twilio_signature, wait_status, wait_until)

SID = "AC" + "0123456789abcdef" * 2
TOKEN = "tw-" + secrets.token_hex(16)
FROM = "+33639989999"


class FakeTwilio:
    """A Twilio-compatible Messages API on loopback. mode: 'ok' (201 + JSON), 'fail' (500)."""

    def __init__(self, sid=SID, token=TOKEN, sender=FROM):
        self.sid, self.token, self.sender = sid, token, sender
        self.mode = "ok"
        self.requests = []   # {"path", "auth_ok", "form", "problems", "answer", "at"}
        self.lock = threading.Lock()
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def answer(self, status, obj):
                data = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self.answer(405, {"code": 20004, "message": "Method not allowed", "status": 405})

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(n)
                problems = []
                if self.path != f"/2010-04-01/Accounts/{fake.sid}/Messages.json":
                    problems.append(f"path {self.path}")
                want = "Basic " + base64.b64encode(f"{fake.sid}:{fake.token}".encode()).decode()
                auth_ok = self.headers.get("Authorization") == want
                if not auth_ok:
                    problems.append(f"auth {self.headers.get('Authorization')!r}")
                ctype = self.headers.get("Content-Type", "")
                if not ctype.startswith("application/x-www-form-urlencoded"):
                    problems.append(f"content type {ctype!r}")
                form = {}
                try:
                    pairs = urllib.parse.parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
                    form = dict(pairs)
                    if len(form) != len(pairs):
                        problems.append("a field given twice")
                except (UnicodeDecodeError, ValueError) as e:
                    problems.append(f"form: {e}")
                for f in ("To", "From", "Body", "StatusCallback"):
                    if not form.get(f):
                        problems.append(f"no {f}")
                if form.get("From") not in (None, fake.sender):
                    problems.append(f"From {form.get('From')}")
                to = form.get("To", "")
                if not (to.startswith("+") and to[1:].isdigit() and 8 <= len(to) <= 16):
                    problems.append(f"To {to!r} is not E.164")
                rec = {"path": self.path, "auth_ok": auth_ok, "form": form, "problems": problems, "at": time.time()}
                if problems:
                    rec["answer"] = 400
                    with fake.lock:
                        fake.requests.append(rec)
                    status = 401 if not auth_ok else 400
                    self.answer(status, {"code": 20003 if not auth_ok else 21211, "message": "; ".join(problems),
                                         "status": status})
                    return
                if fake.mode == "fail":
                    rec["answer"] = 500
                    with fake.lock:
                        fake.requests.append(rec)
                    self.answer(500, {"code": 20500, "message": "Internal Server Error", "status": 500})
                    return
                msid = "SM" + secrets.token_hex(16)
                rec["answer"] = 201
                rec["sid"] = msid
                with fake.lock:
                    fake.requests.append(rec)
                self.answer(201, {"sid": msid, "account_sid": fake.sid, "to": to, "from": form["From"],
                                  "body": form["Body"], "status": "queued", "num_segments": "1",
                                  "api_version": "2010-04-01",
                                  "uri": f"/2010-04-01/Accounts/{fake.sid}/Messages/{msid}.json"})

        self.port = free_port()
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.port}"

    def sent(self, **match):
        """Accepted requests (201) whose form has every field of match."""
        with self.lock:
            return [r for r in self.requests if r["answer"] == 201
                    and all(r["form"].get(k) == v for k, v in match.items())]

    def all(self):
        with self.lock:
            return list(self.requests)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def twilio_settings(fake, gateways, **extra):
    s = {"sms_gateways": gateways, "twilio_base_url": fake.base_url, "twilio_account_sid": fake.sid,
         "twilio_auth_token": fake.token, "twilio_from": fake.sender}
    s.update(extra)
    return s


class SignatureVectors(unittest.TestCase):
    """The test's own signing function, checked against the published vectors (see the notes)."""

    PARAMS = {"CallSid": "CA1234567890ABCDE", "Caller": "+14158675309", "Digits": "1234",
              "From": "+14158675309", "To": "+18005551212"}

    def test_vectors(self):
        self.assertEqual(twilio_signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", self.PARAMS),
                         "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
        self.assertEqual(twilio_signature("12345", "https://mycompany.com:443/myapp.php?foo=1&bar=2", self.PARAMS),
                         "kvajT1Ptam85bY51eRf/AJRuM3w=")
        # the order given does not matter, the names are sorted
        self.assertEqual(twilio_signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2",
                                          list(reversed(list(self.PARAMS.items())))), "RSOYDt4T1cUTdK1PDd93/VVr8B8=")


class TwilioRoundTrip(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fake = FakeTwilio()
        cls.addClassCleanup(cls.fake.close)
        cls.server = sms_server({})
        cls.addClassCleanup(cls.server.cleanup)
        cls.log_file = os.path.join(cls.server.tmp, "sms-log.jsonl")
        cls.server.extra_args += [a for k, v in twilio_settings(
            cls.fake, "twilio log", sms_log_file=cls.log_file, sms_failover_after=3, sms_gateway_cooloff_s=3,
            sms_backoff_base_ms=200, sms_backoff_max_ms=1000).items() for a in ("--set", f"{k}={v}")]
        cls.admin = cls.server.token("admin")
        cls.server.start()
        cls.events = EventLog(cls.server, cls.admin, topics=("sms",))

    @classmethod
    def tearDownClass(cls):
        cls.events.close()
        cls.server.stop()

    # --- helpers ---------------------------------------------------------------------------------
    def send(self, to, text, **kw):
        return send_sms(self.server, self.admin, to, text, **kw)

    def webhook(self, path, params, signature="sign", url=None):
        """A form POST to renfortd as Twilio makes it, signed over url (default: public_url + path)."""
        url = url or (self.server.public_url + path)
        body = urllib.parse.urlencode(params)
        headers = {}
        if signature == "sign":
            headers["X-Twilio-Signature"] = twilio_signature(TOKEN, url, params)
        elif signature is not None:
            headers["X-Twilio-Signature"] = signature
        return self.server.http("POST", path, headers=headers, raw=body,
                                content_type="application/x-www-form-urlencoded")

    def status_callback(self, callback_url, params, signature="sign"):
        u = urllib.parse.urlsplit(callback_url)
        path = u.path + ("?" + u.query if u.query else "")
        return self.webhook(path, params, signature, url=callback_url)

    def inbound_params(self, phone, body, sid=None):
        return {"ToCountry": "FR", "SmsMessageSid": sid, "NumMedia": "0", "ToCity": "", "FromZip": "",
                "SmsSid": sid, "FromState": "", "SmsStatus": "received", "FromCity": "", "Body": body,
                "FromCountry": "FR", "To": FROM, "ToZip": "", "NumSegments": "1", "MessageSid": sid,
                "AccountSid": SID, "From": phone, "ApiVersion": "2010-04-01"}

    def rows_to(self, phone):
        return [r for r in outbox(self.server, self.admin) if r["phone"] == phone]

    def sent_through_twilio(self, rid, text, phone):
        row = wait_status(self.server, self.admin, rid, ("sent", "delivered"))
        reqs = self.fake.sent(To=phone, Body=text)
        self.assertEqual(len(reqs), 1, dump(self.fake.all()[-5:]))
        return row, reqs[0]

    # --- sending -----------------------------------------------------------------------------------
    def test_01_request_shape(self):
        phone = "+33639980201"
        text = "Réserve sanitaire : présentez-vous à l'hôpital de Béziers à 14 h"
        rid = self.send(phone, text)
        row, req = self.sent_through_twilio(rid, text, phone)
        self.assertEqual(req["problems"], [])
        self.assertEqual(req["form"]["From"], FROM)
        self.assertEqual(req["form"]["StatusCallback"], f"{self.server.public_url}/sms/twilio/status?id={rid}")
        self.assertEqual(row["status"], "sent")
        self.events.wait("sms.sent", rid)
        self.assertEqual([r for r in self.fake.all() if r["problems"]], [])
        # the outbox says which gateway took it, and its message id there
        self.assertEqual(row.get("gateway"), "twilio", row)
        self.assertEqual(row.get("gateway_ref"), req["sid"], row)

    def test_02_status_callbacks(self):
        phone = "+33639980202"
        rid = self.send(phone, "Point de situation à 18 h")
        _, req = self.sent_through_twilio(rid, "Point de situation à 18 h", phone)
        cb = req["form"]["StatusCallback"]
        base = {"SmsSid": req["sid"], "MessageSid": req["sid"], "AccountSid": SID, "From": FROM, "To": phone,
                "ApiVersion": "2010-04-01"}
        # forged, missing and tampered signatures change nothing
        p = dict(base, MessageStatus="delivered", SmsStatus="delivered")
        self.assertEqual(self.status_callback(cb, p, signature="AAAAAAAAAAAAAAAAAAAAAAAAAAA=")[0], 403)
        self.assertEqual(self.status_callback(cb, p, signature=None)[0], 403)
        good = twilio_signature(TOKEN, cb, p)
        self.assertEqual(self.status_callback(cb, dict(p, MessageStatus="failed"), signature=good)[0], 403)
        other_row = cb.replace(f"id={rid}", f"id={rid + 1000}")
        self.assertEqual(self.status_callback(other_row, p, signature=good)[0], 403, "the URL is signed too")
        self.assertEqual(outbox_row(self.server, self.admin, rid)["status"], "sent")
        # sent, then delivered (with a field Twilio added since: new fields can appear at any time)
        st, body, _ = self.status_callback(cb, dict(base, MessageStatus="sent", SmsStatus="sent"))
        self.assertEqual(st, 200, body)
        st, body, _ = self.status_callback(cb, dict(p, RawDlrDoneDate="2611260915"))
        self.assertEqual(st, 200, body)
        wait_status(self.server, self.admin, rid, "delivered", timeout=5)
        self.events.wait("sms.delivered", rid)
        # replayed: processed once, still 200 (Twilio retries until it gets one)
        st, body, _ = self.status_callback(cb, dict(p, RawDlrDoneDate="2611260915"))
        self.assertEqual(st, 200, body)
        time.sleep(0.3)
        self.assertEqual(len(self.events.of("sms.delivered", rid)), 1)
        # a failure report on another message
        rid2 = self.send(phone, "Message non distribuable")
        _, req2 = self.sent_through_twilio(rid2, "Message non distribuable", phone)
        st, body, _ = self.status_callback(req2["form"]["StatusCallback"], {
            "MessageSid": req2["sid"], "MessageStatus": "undelivered", "ErrorCode": "30003", "AccountSid": SID,
            "To": phone, "From": FROM})
        self.assertEqual(st, 200, body)
        row = wait_status(self.server, self.admin, rid2, "failed", timeout=5)
        self.assertTrue(row["last_error"] and "30003" in row["last_error"], row)

    # --- inbound -----------------------------------------------------------------------------------
    def test_03_inbound_signed_stored_dispatched_once(self):
        phone = "+33639980203"
        sid = "SM" + secrets.token_hex(16)
        params = self.inbound_params(phone, "AIDE", sid)
        st, body, headers = self.webhook("/sms/twilio/inbound", params)
        self.assertEqual(st, 200, body)
        ctype = {k.lower(): v for k, v in headers.items()}.get("content-type", "")
        self.assertTrue(ctype.startswith("text/xml") or ctype.startswith("application/xml"), ctype)
        self.assertIn(body.replace(" ", "").replace("\n", "").split("?>")[-1], ("<Response/>", "<Response></Response>"))
        items = wait_until(lambda: inbox_find(inbox(self.server, self.admin), phone, "AIDE"), 5)
        self.assertEqual(len(items), 1)
        self.events.wait("sms.received")
        # the help SMS goes out through Twilio
        wait_until(lambda: self.fake.sent(To=phone), 10, what="help SMS through Twilio")
        # replayed (Twilio retries webhooks): answered, processed once
        for _ in range(2):
            st, body, _ = self.webhook("/sms/twilio/inbound", params)
            self.assertEqual(st, 200, body)
        time.sleep(1)
        self.assertEqual(len(inbox_find(inbox(self.server, self.admin), phone, "AIDE")), 1)
        self.assertEqual(len(self.rows_to(phone)), 1, "one help SMS")
        self.assertEqual(len(self.fake.sent(To=phone)), 1)

    def test_04_forged_inbound_refused_nothing_stored(self):
        phone = "+33639980204"
        before_in = inbox(self.server, self.admin)
        n_out = len(outbox(self.server, self.admin))
        sid = "SM" + secrets.token_hex(16)
        params = self.inbound_params(phone, "STOP", sid)
        good = twilio_signature(TOKEN, self.server.public_url + "/sms/twilio/inbound", params)
        cases = {
            "forged": twilio_signature("not-the-token", self.server.public_url + "/sms/twilio/inbound", params),
            "garbage": "not base64 at all",
            "empty": "",
            "truncated": good[:-2],
            "other URL": twilio_signature(TOKEN, "http://localhost:1/sms/twilio/inbound", params),
        }
        for name, sig in cases.items():
            st, body, _ = self.webhook("/sms/twilio/inbound", params, signature=sig)
            self.assertEqual(st, 403, f"{name}: {st} {body}")
        st, body, _ = self.webhook("/sms/twilio/inbound", params, signature=None)
        self.assertEqual(st, 403, f"no signature: {body}")
        # a field changed after signing
        st, body, _ = self.webhook("/sms/twilio/inbound", dict(params, Body="START"), signature=good)
        self.assertEqual(st, 403, body)
        st, body, _ = self.webhook("/sms/twilio/inbound", dict(params, Extra="1"), signature=good)
        self.assertEqual(st, 403, body)
        time.sleep(0.5)
        self.assertEqual(inbox(self.server, self.admin), before_in, "nothing stored")
        self.assertEqual(len(outbox(self.server, self.admin)), n_out, "nothing queued")
        # the phone was not opted out: a message to it goes
        rid = self.send(phone, "Toujours abonné")
        self.sent_through_twilio(rid, "Toujours abonné", phone)
        # the genuine one is taken, and does opt out
        st, body, _ = self.webhook("/sms/twilio/inbound", params, signature=good)
        self.assertEqual(st, 200, body)
        wait_until(lambda: inbox_find(inbox(self.server, self.admin), phone, "STOP"), 5)
        rid = self.send(phone, "Après STOP")
        wait_status(self.server, self.admin, rid, "cancelled", timeout=5)
        self.assertEqual(self.fake.sent(To=phone, Body="Après STOP"), [])

    # --- failover (last: it breaks the fake) -----------------------------------------------------------
    def test_09_failover_to_log_and_back(self):
        self.fake.mode = "fail"
        n_before = len(self.fake.all())
        phones = ["+3363998021%d" % i for i in range(6)]
        ids = {self.send(p, f"Bascule {i} : message de secours"): (p, f"Bascule {i} : message de secours")
               for i, p in enumerate(phones)}
        for rid in ids:
            wait_status(self.server, self.admin, rid, "sent", timeout=20)
        failures = [r for r in self.fake.all()[n_before:] if r["answer"] == 500]
        self.assertGreaterEqual(len(failures), 3, "sms_failover_after failures first")
        # the log driver wrote them down, one JSON line each
        with open(self.log_file, encoding="utf-8") as f:
            lines = [json.loads(line) for line in f if line.strip()]
        for rid, (phone, text) in ids.items():
            mine = [x for x in lines if x.get("id") == rid]
            self.assertEqual(len(mine), 1, lines[-10:])
            self.assertEqual((mine[0].get("to"), mine[0].get("text")), (phone, text))
        self.assertEqual(self.fake.sent(Body="Bascule 0 : message de secours"), [])
        # Twilio answers again; after its rest (3 s) it is used again
        self.fake.mode = "ok"
        time.sleep(3.5)
        phone = "+33639980219"
        rid = self.send(phone, "Retour à Twilio")
        back = wait_status(self.server, self.admin, rid, "sent", timeout=20)
        self.assertEqual(len(self.fake.sent(To=phone, Body="Retour à Twilio")), 1)
        with open(self.log_file, encoding="utf-8") as f:
            self.assertEqual([x for x in map(json.loads, filter(str.strip, f)) if x.get("id") == rid], [])
        # the outbox says which gateway took each message
        rows = [outbox_row(self.server, self.admin, rid) for rid in ids]
        self.assertEqual({r.get("gateway") for r in rows}, {"log"}, dump(rows))
        self.assertEqual(back.get("gateway"), "twilio", back)


class TwilioGivesUp(unittest.TestCase):
    """Twilio alone, every attempt answered 500: after sms_max_attempts the row is failed, the
    coordinators get an sms.failed event and an sms_failed alert."""

    def setUp(self):
        self.fake = FakeTwilio()
        self.addCleanup(self.fake.close)
        self.fake.mode = "fail"
        self.server = sms_server(twilio_settings(self.fake, "twilio", sms_max_attempts=3, sms_backoff_base_ms=200,
                                                 sms_backoff_max_ms=400, sms_gateway_cooloff_s=1))
        self.addCleanup(self.server.cleanup)
        self.admin = self.server.token("admin")
        self.server.start()

    def test_failed_after_last_attempt(self):
        events = EventLog(self.server, self.admin, topics=("sms", "alerts"))
        try:
            phone = "+33639980220"
            rid = send_sms(self.server, self.admin, phone, "Ce message ne partira pas")
            row = wait_status(self.server, self.admin, rid, "failed", timeout=30)
            self.assertEqual(row["attempts"], 3, row)
            self.assertTrue(row["last_error"], row)
            self.assertEqual(len([r for r in self.fake.all() if r["form"].get("To") == phone]), 3)
            events.wait("sms.failed", rid)
            alerts = wait_until(
                lambda: api_ok(self.server, self.admin, "GET", "/api/v1/alerts?kind=sms_failed")["items"],
                5, what="sms_failed alert")
            self.assertEqual(len(alerts), 1, dump(alerts))
            self.assertEqual(alerts[0]["status"] if "status" in alerts[0] else alerts[0].get("state"), "open",
                             dump(alerts))
        finally:
            events.close()
        self.server.stop()


if __name__ == "__main__":
    unittest.main()
