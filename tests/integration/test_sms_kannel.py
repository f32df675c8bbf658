"""Issue 4, the Kannel round trip against the real thing: renfortd sends through Kannel's smsbox and
bearerbox to fakesmsc, which receives the exact text (accents included: UCS-2 when the text leaves
the GSM alphabet, 7-bit otherwise; long texts concatenated); delivery reports move the rows to
'delivered'; replies typed into fakesmsc come back through smsbox's sms-service to
/sms/kannel/inbound, are stored and dispatched: STOP/ARRET (every later send to the phone is
cancelled; START undoes it), AIDE/HELP (a help SMS in the sender's language, back through Kannel),
DISPO/INDISPO and AVAILABLE/UNAVAILABLE (the volunteer's availability). A wrong or missing secret
gets 403 and stores nothing; the same inbound message id twice is stored and acted upon once."""

import secrets
import time
import unittest
import urllib.parse
import uuid

import samples
from kannel import DelayProxy, Kannel
from sms_support import (EventLog, api_ok, dump, inbox, inbox_find, outbox, outbox_row, send_sms, sms_server,
                         wait_status, wait_until)

TEXT_FR = "Réserve sanitaire : présentez-vous à l'hôpital de Béziers à 14 h"
FROM = "38100"


class KannelRoundTrip(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.secret = "kx-" + secrets.token_hex(8)
        cls.server = sms_server({"sms_gateways": "kannel", "sms_rate_per_s": 50, "sms_backoff_base_ms": 300,
                                 "sms_backoff_max_ms": 3000})
        cls.addClassCleanup(cls.server.cleanup)
        cls.kannel = Kannel(cls.server.public_url + "/sms/kannel/inbound", cls.secret, sender=FROM)
        cls.addClassCleanup(cls.kannel.cleanup)
        cls.kannel.start()
        # renfortd reaches smsbox through a proxy that keeps a copy of its requests
        cls.tap = DelayProxy(cls.kannel.sendsms_port)
        cls.addClassCleanup(cls.tap.close)
        cls.server.extra_args += cls.kannel.renfortd_settings(cls.tap.url())
        cls.admin = cls.server.token("admin")
        cls.coordinator = cls.server.token("coordinator")
        cls.server.start()
        cls.events = EventLog(cls.server, cls.admin, topics=("sms",))

    @classmethod
    def tearDownClass(cls):
        cls.events.close()
        try:
            cls.server.stop()  # exit 0, no sanitizer report
        finally:
            cls.kannel.stop()

    # --- helpers ---------------------------------------------------------------------------------
    def send(self, to, text, **kw):
        return send_sms(self.server, self.admin, to, text, **kw)

    def sendsms_request(self, rid):
        """The query of renfortd's sendsms request for outbox row rid (found by its dlr-url)."""
        found = []
        for target in self.tap.request_targets():
            path, _, query = target.partition("?")
            q = urllib.parse.parse_qs(query, keep_blank_values=True)
            dlr = q.get("dlr-url", [""])[0]
            if urllib.parse.parse_qs(urllib.parse.urlsplit(dlr).query).get("id") == [str(rid)]:
                found.append((path, q))
        self.assertEqual(len(found), 1, f"one sendsms request for row {rid}: {found}")
        path, q = found[0]
        self.assertEqual(path, "/cgi-bin/sendsms")
        self.assertTrue(all(len(v) == 1 for v in q.values()), q)
        return {k: v[0] for k, v in q.items()}

    def received_by(self, phone, since, text=None, timeout=20):
        """The first message fakesmsc received for phone (index since onwards), of text if given."""
        return self.kannel.wait_for(lambda m: m.receiver == phone and (text is None or m.text == text),
                                    timeout=timeout, since=since, what=f"message to {phone} {text or ''}")

    def rows_to(self, phone):
        return [r for r in outbox(self.server, self.admin) if r["phone"] == phone]

    def inbound(self, params, secret="__default__"):
        """A GET to /sms/kannel/inbound as smsbox makes it (secret first)."""
        q = {}
        if secret == "__default__":
            q["secret"] = self.secret
        elif secret is not None:
            q["secret"] = secret
        q.update(params)
        return self.server.http("GET", "/sms/kannel/inbound?" + urllib.parse.urlencode(q))

    def volunteer(self, **over):
        body = samples.volunteer(**over)
        return api_ok(self.server, self.admin, "POST", "/api/v1/volunteers", 201, body=body)

    def availability(self, vid):
        return api_ok(self.server, self.admin, "GET", f"/api/v1/volunteers/{vid}")["availability"]

    def wait_inbox(self, phone, text, timeout=15):
        return wait_until(lambda: inbox_find(inbox(self.server, self.admin), phone, text), timeout, 0.1,
                          f"inbox item {phone} {text!r}")

    # --- sending ---------------------------------------------------------------------------------
    def test_01_exact_text_through_kannel_and_delivery_report(self):
        phone = "+33639980002"
        since = self.kannel.count()
        rid = self.send(phone, TEXT_FR)
        got = self.received_by(phone, since, TEXT_FR)
        self.assertEqual(got.text, TEXT_FR)
        self.assertEqual(got.coding, "ucs2", "ô and the like are outside the GSM alphabet: coding=2")
        self.assertEqual(got.sender, FROM)
        # fakesmsc's SMSC sends a delivery report (8 then 1) to the dlr-url: the row ends delivered
        row = wait_status(self.server, self.admin, rid, "delivered", timeout=20)
        self.assertEqual(row["text"], TEXT_FR)
        self.assertEqual(row["phone"], phone)
        self.assertEqual(row["attempts"], 1, row)
        self.assertEqual(row.get("gateway"), "kannel", row)
        self.assertIsNone(row.get("last_error"), row)
        # the request renfortd made
        q = self.sendsms_request(rid)
        self.assertEqual({k: q.get(k) for k in ("username", "password", "from", "to", "text", "charset", "coding",
                                                "dlr-mask")},
                         {"username": self.kannel.username, "password": self.kannel.password, "from": FROM,
                          "to": phone, "text": TEXT_FR, "charset": "UTF-8", "coding": "2", "dlr-mask": "31"})
        self.assertEqual(q.get("dlr-url"),
                         f"{self.server.public_url}/sms/kannel/dlr?secret={self.secret}&id={rid}&type=%d")
        # coordinators are told
        self.assertEqual(self.events.wait("sms.sent", rid)["event"], "sms.sent")
        self.events.wait("sms.delivered", rid)
        # sent exactly once
        time.sleep(0.5)
        self.assertEqual(len([m for m in self.kannel.received(since) if m.text == TEXT_FR]), 1)

    def test_02_gsm_alphabet_texts_go_as_7_bit(self):
        since = self.kannel.count()
        phone = "+33639980003"
        cases = [("Point de situation a 18 h, salle de crise", "gsm"),
                 ("Réunion à 18 h, accès par l'entrée Est", "gsm"),      # é, à, è are in the GSM alphabet
                 ("Dépôt : 40 boîtes de masques FFP2", "ucs2"),          # ô, î are not
                 ("Garçon de salle demandé", "ucs2")]                    # lower-case ç is not either
        ids = [(self.send(phone, t), t, c) for t, c in cases]
        for rid, text, coding in ids:
            got = self.received_by(phone, since, text)
            self.assertEqual(got.coding, coding, f"{text!r}: expected coding {coding}")
            self.assertEqual(self.sendsms_request(rid).get("coding"), {"gsm": "0", "ucs2": "2"}[coding], text)
            wait_status(self.server, self.admin, rid, ("sent", "delivered"))
        # the GSM extension table (€, brackets) is GSM too; whatever the coding, the text is exact
        ext = "Budget 100 € [bons de commande]"
        self.send(phone, ext)
        self.received_by(phone, since, ext)

    def test_03_long_text_concatenated_exactly(self):
        since = self.kannel.count()
        phone = "+33639980004"
        text = ("Rappel de la réserve sanitaire d'Occitanie : l'hôpital de Béziers est prêt à vous accueillir. "
                "Merci de répondre DISPO ou INDISPO avant 20 h ; pour ne plus recevoir de messages, répondez STOP.")
        self.assertGreater(len(text), 2 * 67)  # ô, ê: UCS-2, more than two segments of 67 characters
        rid = self.send(phone, text)
        got = self.received_by(phone, since, text)
        self.assertEqual(got.coding, "ucs2")
        self.assertGreaterEqual(got.parts, 3, got)
        wait_status(self.server, self.admin, rid, ("sent", "delivered"))

    def test_04_idempotent_send(self):
        since = self.kannel.count()
        phone = "+33639980005"
        a = self.send(phone, "Message envoyé une seule fois", key="send-once-1")
        b = self.send(phone, "Message envoyé une seule fois", key="send-once-1")
        self.assertEqual(a, b)
        self.received_by(phone, since, "Message envoyé une seule fois")
        time.sleep(1)
        self.assertEqual(len([m for m in self.kannel.received(since) if m.receiver == phone]), 1)
        self.assertEqual(len(self.rows_to(phone)), 1)

    # --- replies ---------------------------------------------------------------------------------
    def test_05_stop_opts_out_and_start_opts_back_in(self):
        phone = "+33639980001"
        since = self.kannel.count()
        self.kannel.mo(phone, "STOP")
        item = self.wait_inbox(phone, "STOP")[0]
        ev = self.events.wait("sms.received", timeout=10)
        self.assertEqual(ev["event"], "sms.received")
        # one confirmation, through Kannel
        confirm = self.received_by(phone, since)
        time.sleep(1.5)
        self.assertEqual(len([m for m in self.kannel.received(since) if m.receiver == phone]), 1,
                         "one confirmation SMS")
        # every later send to the phone is cancelled, and nothing reaches it
        since2 = self.kannel.count()
        rid = self.send(phone, "Vous ne devriez pas recevoir ce message")
        row = wait_status(self.server, self.admin, rid, "cancelled", timeout=10)
        self.assertEqual(row["attempts"], 0, row)
        self.assertIn(rid, [r["id"] for r in outbox(self.server, self.admin, status="cancelled")])
        self.assertNotIn(rid, [r["id"] for r in outbox(self.server, self.admin, status="sent")])
        time.sleep(1.5)
        self.assertEqual([m for m in self.kannel.received(since2) if m.receiver == phone], [])
        # START: back in
        self.kannel.mo(phone, "START")
        self.wait_inbox(phone, "START")
        time.sleep(1)
        since3 = self.kannel.count()
        rid2 = self.send(phone, "De retour dans la réserve")
        self.received_by(phone, since3, "De retour dans la réserve")
        wait_status(self.server, self.admin, rid2, ("sent", "delivered"))
        self.assertTrue(item and confirm.text)

    def test_06_arret_with_accent_and_lower_case(self):
        phone = "+33639980006"
        since = self.kannel.count()
        self.kannel.mo(phone, "arrêt")  # typed on a phone: lower case, accent (sent as UCS-2)
        self.wait_inbox(phone, "arrêt")
        self.received_by(phone, since)  # the confirmation
        rid = self.send(phone, "Message après l'arrêt")
        wait_status(self.server, self.admin, rid, "cancelled", timeout=10)

    def test_07_help_in_the_senders_language(self):
        fr_phone, en_phone = samples.phone(), samples.phone()
        self.volunteer(phone=fr_phone, sms_lang="fr")
        self.volunteer(phone=en_phone, sms_lang="en", first_name="Alex", last_name="Smith")
        stranger = "+33639980007"
        since = self.kannel.count()
        self.kannel.mo(fr_phone, "AIDE")
        self.kannel.mo(en_phone, "aide")
        self.kannel.mo(stranger, "Help")
        fr = self.received_by(fr_phone, since)
        en = self.received_by(en_phone, since)
        st = self.received_by(stranger, since)
        self.assertTrue(fr.text.strip() and en.text.strip())
        self.assertNotEqual(fr.text, en.text, "the English-speaking volunteer gets the English help text")
        self.assertIn(st.text, (fr.text, en.text))
        # what fakesmsc got is what the outbox says was sent
        for phone, msg in ((fr_phone, fr), (en_phone, en)):
            rows = self.rows_to(phone)
            self.assertEqual(len(rows), 1, dump(rows))
            self.assertEqual(rows[0]["text"], msg.text)
            self.assertIn(rows[0]["status"], ("sent", "delivered"))

    def test_08_dispo_indispo_change_availability(self):
        phone = samples.phone()
        v = self.volunteer(phone=phone, availability="unavailable")
        vid = v["id"]
        steps = [("DISPO", "available"), ("indispo", "unavailable"), ("Available", "available"),
                 ("UNAVAILABLE", "unavailable")]
        for word, expected in steps:
            since = self.kannel.count()
            self.kannel.mo(phone, word)
            wait_until(lambda: self.availability(vid) == expected, 15, 0.1, f"{word} -> {expected}")
            self.received_by(phone, since)  # a confirmation SMS
        self.assertEqual(len(inbox_find(inbox(self.server, self.admin), phone)), len(steps))

    # --- webhook protection ----------------------------------------------------------------------
    def test_09_wrong_or_missing_secret_403_and_nothing_stored(self):
        phone = "+33639980008"
        rid = self.send("+33639980009", "Rapport de livraison")
        sent = wait_status(self.server, self.admin, rid, "delivered")
        before_in = inbox(self.server, self.admin)
        n_out = len(outbox(self.server, self.admin))
        params = {"from": phone, "to": FROM, "text": "AIDE", "id": str(uuid.uuid4()), "ts": str(int(time.time()))}
        for secret in ("wrong", None, "", self.secret + "x", self.secret[:-1], self.secret.upper()):
            st, body, _ = self.inbound(params, secret=secret)
            self.assertEqual(st, 403, f"secret {secret!r}: {st} {body}")
        # the delivery-report URL too: a forged report does not move a row
        for secret in ("wrong", None):
            q = {"id": rid, "type": 2}
            if secret is not None:
                q = {"secret": secret, **q}
            st, body, _ = self.server.http("GET", "/sms/kannel/dlr?" + urllib.parse.urlencode(q))
            self.assertEqual(st, 403, body)
        time.sleep(0.5)
        self.assertEqual(inbox(self.server, self.admin), before_in)
        self.assertEqual(len(outbox(self.server, self.admin)), n_out, "no reply queued")
        self.assertEqual(outbox_row(self.server, self.admin, rid), sent)
        # with the secret: 200 and an empty body (replies go through the outbox)
        st, body, _ = self.inbound(params)
        self.assertEqual(st, 200, body)
        self.assertEqual(body, "")
        self.wait_inbox(phone, "AIDE")

    def test_10_same_inbound_id_stored_and_acted_upon_once(self):
        phone = "+33639980010"
        params = {"from": phone, "to": FROM, "text": "AIDE", "id": str(uuid.uuid4()), "ts": str(int(time.time()))}
        for _ in range(3):
            st, body, _ = self.inbound(params)
            self.assertEqual(st, 200, body)
        time.sleep(1)
        self.assertEqual(len(inbox_find(inbox(self.server, self.admin), phone, "AIDE")), 1)
        self.assertEqual(len(self.rows_to(phone)), 1, "one help SMS")
        # another id from the same phone is another message
        params["id"] = str(uuid.uuid4())
        st, body, _ = self.inbound(params)
        self.assertEqual(st, 200, body)
        wait_until(lambda: len(inbox_find(inbox(self.server, self.admin), phone, "AIDE")) == 2, 5)

    def test_11_sent_until_reported_and_failure_report(self):
        """With the SMSC link down, Kannel takes the message (the row is 'sent') but no report comes:
        the row stays 'sent'. A 'failed' report (type 2) makes it 'failed'; an 'SMSC accepted' one
        (type 8) after 'delivered' does not move a row back."""
        phone = "+33639980011"
        self.kannel.stop_fakesmsc()
        try:
            rid = self.send(phone, "Rapport d'échec")
            row = wait_status(self.server, self.admin, rid, "sent")
            time.sleep(1.5)
            self.assertEqual(outbox_row(self.server, self.admin, rid)["status"], "sent", "no report, not delivered")
            st, body, _ = self.server.http("GET", "/sms/kannel/dlr?" + urllib.parse.urlencode(
                {"secret": self.secret, "id": rid, "type": 2}))
            self.assertEqual(st, 200, body)
            row = wait_status(self.server, self.admin, rid, "failed", timeout=5)
            self.assertEqual(row["attempts"], 1, row)
        finally:
            self.kannel.start_boxes()
        # a late 'SMSC accepted' on a delivered row
        rid2 = self.send(phone, "Rapport tardif")
        wait_status(self.server, self.admin, rid2, "delivered")
        st, body, _ = self.server.http("GET", "/sms/kannel/dlr?" + urllib.parse.urlencode(
            {"secret": self.secret, "id": rid2, "type": 8}))
        self.assertEqual(st, 200, body)
        time.sleep(0.3)
        self.assertEqual(outbox_row(self.server, self.admin, rid2)["status"], "delivered")

    def test_12_staff_only(self):
        vol = self.volunteer()
        tok = self.server.token("volunteer", subject=vol["id"])
        st, body, _ = self.server.http("POST", "/api/v1/sms/send", tok, body={"to": "+33639980012", "text": "x"})
        self.assertIn(st, (403, 404), body)
        for path in ("/api/v1/sms/outbox", "/api/v1/sms/inbox"):
            st, body, _ = self.server.http("GET", path, tok)
            self.assertIn(st, (403, 404), body)
        # a coordinator may send
        rid = send_sms(self.server, self.coordinator, "+33639980012", "Message d'un coordinateur")
        wait_status(self.server, self.admin, rid, ("sent", "delivered"))


if __name__ == "__main__":
    unittest.main()
