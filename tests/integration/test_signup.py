"""Issue 12, joining the reserve: the public sign-up (no token). A phone is confirmed by a code sent by
SMS (it expires, is used once, may be mistyped a few times); the volunteer signs up "pending" and
receives by SMS a personal link to their page; a coordinator of the département validates them
("active") and only then can they be called. Codes, sign-ups and lost links are limited per phone
and per address; a lost link is sent again to the registered phone only, and the answer is the same
whether the phone is someone's or nobody's."""

import itertools
import re
import unittest
import urllib.parse

import samples
from deploy_support import DeployServerTest, request_body

SECRET = "kx-signup"
MIN = 60 * 1000
_n = itertools.count(1)


def national():
    """A fresh French mobile number, as a person types it, and its E.164 form."""
    n = next(_n)
    digits = "06%08d" % (41000000 + n)
    return " ".join(digits[i:i + 2] for i in range(0, 10, 2)), "+33" + digits[1:]


def profile(**over):
    body = {"first_name": "Inès", "last_name": "Roux", "profession": "nurse", "home_commune": samples.ALBI,
            "travel_radius_km": 40, "languages": ["fr", "en"], "sms_lang": "fr", "consent": True,
            "credentials": [{"kind": "diploma", "reference": "DE-SU-%d" % next(_n), "expires_on": "2031-06-30"}]}
    body.update(over)
    return body


class SignupTest(DeployServerTest):
    secret = SECRET
    settings = ("signup_per_address=1000",)

    def public(self, method, path, body=None, headers=None):
        return self.server.http(method, path, None, body=body, headers=headers)

    def ask_code(self, phone, lang="fr", status=202):
        st, body, _ = self.public("POST", "/api/v1/signup/code", {"phone": phone, "lang": lang})
        self.assertEqual(st, status, body)
        return body

    def sms(self, e164, kind):
        got = [m for m in self.d.outbox() if m["phone"] == e164 and m["kind"] == kind]
        self.assertTrue(got, "no %s SMS to %s" % (kind, e164))
        return got[-1]

    def code_of(self, e164):
        return re.search(r"\b(\d{6})\b", self.sms(e164, "signup_code")["text"]).group(1)

    def sign_up(self, phone, code, status=201, **over):
        body = profile(phone=phone, code=code, **over)
        st, got, _ = self.public("POST", "/api/v1/signup", body)
        self.assertEqual(st, status, got)
        return got

    def token_of(self, e164, kind="signup_welcome"):
        return re.search(r"token=([A-Za-z0-9_\-]+)", self.sms(e164, kind)["text"]).group(1)


class Joining(SignupTest):
    def test_join_validate_then_callable(self):
        typed, e164 = national()
        ws = self.server.ws(self.coord81)
        self.assertEqual(ws.request("subscribe", {"topics": ["volunteers"]})["status"], 200)
        self.assertEqual(self.ask_code(typed, "en"), {"sent": True, "expires_in_s": 600})
        code = self.code_of(e164)
        m = self.sms(e164, "signup_code")
        self.assertEqual(m["lang"], "en")
        self.assertEqual(m["text"], "renfort: your confirmation code is %s. It lasts 10 minutes. "
                                    "Never give it to anyone." % code)
        skill = "signup-skill-%d" % next(_n)
        got = self.sign_up(typed, code, skills=[skill], sms_lang="en")
        self.assertEqual((got["status"], got["dep"]), ("pending", "81"))
        vid = got["id"]
        # the coordinators of the département see someone to validate, without personal data
        ev = ws.next_event()
        while ev["event"] != "volunteer.created":
            ev = ws.next_event()
        self.assertEqual(ev["data"], {"id": vid, "dep": "81", "status": "pending", "source": "signup"})
        ws.close()
        # the welcome SMS carries their link; the token in it opens their page
        welcome = self.sms(e164, "signup_welcome")
        self.assertEqual(welcome["lang"], "en")
        self.assertRegex(welcome["text"], r"^renfort: welcome to the reserve! Your page: "
                                          r"https?://\S+/volunteer\.html\?token=\S+ \. Keep this link to yourself\. "
                                          r"A coordinator will check your credentials before your first call\.$")
        tok = self.token_of(e164)
        me = self.d.ok("GET", "/api/v1/volunteers/%d" % vid, token=tok)
        self.assertEqual((me["phone"], me["status"], me["first_name"], me["consent_at"] is not None),
                         (e164, "pending", "Inès", True))
        self.assertEqual(me["credentials"][0]["kind"], "diploma")
        # pending: never called
        s = self.d.structure()
        body = request_body(s["id"], count=1, skills=[skill], credentials=["diploma"])
        p = self.d.ok("POST", "/api/v1/deployments/preview?volunteer_id=%d" % vid, body=body)
        self.assertEqual((p["candidates"], p["excluded"][0]["rule"]), ([], "status"))
        # a coordinator of another département cannot validate them; theirs can
        st, _, _ = self.server.http("PATCH", "/api/v1/volunteers/%d" % vid, self.coord34, body={"status": "active"})
        self.assertEqual(st, 404)
        self.d.ok("PATCH", "/api/v1/volunteers/%d" % vid, token=self.coord81, body={"status": "active"})
        p = self.d.ok("POST", "/api/v1/deployments/preview?volunteer_id=%d" % vid, body=body)
        self.assertEqual([c["volunteer_id"] for c in p["candidates"]], [vid])
        # and called for real
        r = self.d.request(body)
        self.d.settle()
        self.assertEqual(list(self.d.calls(r["id"])), [vid])
        self.assertEqual(self.d.texts_to(e164)[-1][0], "staff_call")
        # the code was used: not twice
        with self.unchanged():
            st, err, _ = self.public("POST", "/api/v1/signup", profile(phone=e164, code=code))
            self.assertEqual((st, err["error"]["field"], err["error"]["rule"]),
                             (422, "code", "was used already: ask for a new one"))

    def test_codes_expire_are_replaced_and_are_mistyped_a_few_times(self):
        typed, e164 = national()
        self.ask_code(e164)
        first = self.code_of(e164)
        self.d.advance(600 * 1000)
        with self.unchanged():
            st, err, _ = self.public("POST", "/api/v1/signup", profile(phone=typed, code=first))
            self.assertEqual((st, err["error"]["field"], err["error"]["rule"]),
                             (422, "code", "has expired: ask for a new one"))
        self.ask_code(typed)
        second = self.code_of(e164)
        wrong = "%06d" % ((int(second) + 1) % 1000000)
        for _ in range(5):
            with self.unchanged():
                st, err, _ = self.public("POST", "/api/v1/signup", profile(phone=typed, code=wrong))
                self.assertEqual((st, err["error"]["rule"]), (422, "is not the code sent to this phone"))
        # five wrong: even the right one is refused now, until a new code
        st, err, _ = self.public("POST", "/api/v1/signup", profile(phone=typed, code=second))
        self.assertEqual((st, err["error"]["rule"]), (422, "was mistyped too often: ask for a new one"))
        self.ask_code(typed)
        third = self.code_of(e164)
        if third != second:
            st, err, _ = self.public("POST", "/api/v1/signup", profile(phone=typed, code=second))
            self.assertEqual((st, err["error"]["rule"]), (422, "is not the code sent to this phone"))
        self.sign_up(typed, third)

    def test_no_code_asked_and_refused_profiles_keep_the_code(self):
        typed, e164 = national()
        with self.unchanged():
            st, err, _ = self.public("POST", "/api/v1/signup", profile(phone=typed, code="123456"))
            self.assertEqual((st, err["error"]["rule"]), (422, "no code was sent to this phone: ask for one"))
        self.ask_code(typed)
        code = self.code_of(e164)
        cases = [({"consent": False}, "consent"), ({"consent": None}, "consent"), ({"travel_radius_km": -3},
                 "travel_radius_km"), ({"home_commune": "99999"}, "home_commune"), ({"profession": "wizard"},
                 "profession"), ({"status": "active"}, "status"), ({"code": "12345"}, "code")]
        for over, field in cases:
            body = profile(phone=typed, code=code)
            body.update(over)
            if over.get("consent", True) is None:
                del body["consent"]
            with self.unchanged():
                st, err, _ = self.public("POST", "/api/v1/signup", body)
                self.assertEqual((st, err["error"]["field"]), (422, field), (over, err))
        for bad in ("12", "+1555", "hello", 33639981301):
            with self.unchanged():
                st, err, _ = self.public("POST", "/api/v1/signup/code", {"phone": bad})
                self.assertEqual((st, err["error"]["field"]), (422, "phone"), bad)
        with self.unchanged():
            st, err, _ = self.public("POST", "/api/v1/signup/code", {"phone": typed, "lang": "de"})
            self.assertEqual((st, err["error"]["field"]), (422, "lang"))
        # every refusal above left the code usable
        self.sign_up(typed, code)

    def test_a_registered_phone(self):
        v = self.d.volunteer()
        self.ask_code(v["phone"])
        code = self.code_of(v["phone"])
        # only the holder of the code learns that the phone is registered
        with self.unchanged():
            st, err, _ = self.public("POST", "/api/v1/signup", profile(phone=v["phone"], code="000000"
                                                                     if code != "000000" else "000001"))
            self.assertEqual((st, err["error"]["field"]), (422, "code"))
        with self.unchanged():
            st, err, _ = self.public("POST", "/api/v1/signup", profile(phone=v["phone"], code=code))
            self.assertEqual((st, err["error"]["field"], err["error"]["code"]), (409, "phone", "conflict"))

    def test_lost_link_goes_to_the_registered_phone_only(self):
        typed, e164 = national()
        self.ask_code(typed)
        vid = self.sign_up(typed, self.code_of(e164))["id"]
        old = self.token_of(e164)
        before = self.d.last_sms_id()
        st, got, _ = self.public("POST", "/api/v1/signup/link", {"phone": typed})
        self.assertEqual((st, got), (202, {"sent": True}))
        self.d.settle()
        sent = [m for m in self.d.outbox() if m["id"] > before]
        self.assertEqual([(m["phone"], m["kind"]) for m in sent], [(e164, "signup_link")])
        self.assertRegex(sent[0]["text"], r"^renfort : votre page personnelle : https?://\S+/volunteer\.html"
                                          r"\?token=\S+ \. L'ancien lien ne fonctionne plus\.$")
        new = self.token_of(e164, "signup_link")
        self.assertNotEqual(new, old)
        self.assertEqual(self.d.ok("GET", "/api/v1/volunteers/%d" % vid, token=new)["id"], vid)
        st, _, _ = self.server.http("GET", "/api/v1/volunteers/%d" % vid, old)
        self.assertEqual(st, 401)
        # nobody's phone: the same answer, and no SMS
        _, nobody = national()
        before = self.d.last_sms_id()
        st, got, _ = self.public("POST", "/api/v1/signup/link", {"phone": nobody})
        self.assertEqual((st, got), (202, {"sent": True}))
        self.d.settle()
        self.assertEqual([m for m in self.d.outbox() if m["id"] > before], [])

    def test_erasure_takes_the_sign_up_messages_along(self):
        typed, e164 = national()
        self.ask_code(typed)
        vid = self.sign_up(typed, self.code_of(e164))["id"]
        mine = [m for m in self.d.outbox() if m["phone"] == e164]
        self.assertEqual(sorted((m["kind"], m["recipient_kind"], m["recipient_id"], m["dep"]) for m in mine),
                         [("signup_code", "volunteer", vid, "81"), ("signup_welcome", "volunteer", vid, "81")])
        self.d.ok("DELETE", "/api/v1/volunteers/%d" % vid)
        self.d.settle()
        ids = {m["id"] for m in mine}
        gone = [(m["phone"], m["text"]) for m in self.d.outbox() if m["id"] in ids]
        self.assertEqual(gone, [("", ""), ("", "")])  # the outbox answers erased texts as empty
        self.assertEqual(self.server.sql("SELECT count(*) FROM sms_outbox WHERE text LIKE ? OR phone = ?",
                                         ("%" + e164 + "%", e164)), [(0,)])

    def test_limits_per_phone(self):
        typed, e164 = national()
        for _ in range(3):
            self.ask_code(typed)
        with self.unchanged():
            st, err, _ = self.public("POST", "/api/v1/signup/code", {"phone": e164})
            self.assertEqual((st, err["error"]["code"], err["error"]["field"]), (429, "too_many_requests", "phone"))
        self.assertEqual(len([m for m in self.d.outbox() if m["phone"] == e164]), 3)
        # an hour later
        self.d.advance(60 * MIN)
        self.ask_code(typed)
        self.sign_up(typed, self.code_of(e164))
        for _ in range(3):
            self.public("POST", "/api/v1/signup/link", {"phone": typed})
        with self.unchanged():
            st, err, _ = self.public("POST", "/api/v1/signup/link", {"phone": typed})
            self.assertEqual((st, err["error"]["field"]), (429, "phone"))

    def test_public_operations_need_no_token_and_ignore_one(self):
        st, got, _ = self.public("GET", "/api/v1/signup/communes?" + urllib.parse.urlencode({"q": "albi"}))
        self.assertEqual(st, 200, got)
        self.assertIn(samples.ALBI, [c["insee"] for c in got["items"]])
        # an idempotency key means nothing to a public operation: two callers, two codes
        typed, e164 = national()
        self.public("POST", "/api/v1/signup/code", {"phone": typed}, headers={"Idempotency-Key": "same"})
        self.public("POST", "/api/v1/signup/code", {"phone": typed}, headers={"Idempotency-Key": "same"})
        self.assertEqual(len([m for m in self.d.outbox() if m["phone"] == e164]), 2)


class PerAddress(SignupTest):
    settings = ("signup_per_address=4",)

    def test_limits_per_address(self):
        phones = [national() for _ in range(5)]
        for typed, _ in phones[:4]:
            self.ask_code(typed)
        with self.unchanged():
            st, err, _ = self.public("POST", "/api/v1/signup/code", {"phone": phones[4][0]})
            self.assertEqual((st, err["error"]["field"]), (429, "address"))
        self.d.advance(60 * MIN)
        self.ask_code(phones[4][0])


if __name__ == "__main__":
    unittest.main()
