"""Issue 12, the reserve's core loop over HTTP with the log gateway: staff requests (who may ask,
what is refused and changes nothing), the ranked calls of the first wave and their SMS (language,
structure, commune, shift, how to answer), replies by SMS in every form the issue lists and on the
volunteer's page, first come first served up to N, late yeses told it is filled, withdrawals that
call the next candidate, failed deliveries that do too, waves after a timeout (test clock), the
escalation and the staff_unfilled alert when nobody is left or the deadline comes, cancellation,
quiet hours, what each role reads (names and phones only once accepted), the explained preview,
events, audit and erasure. Each test isolates its volunteers with a skill of its own, which its
requests require."""

import datetime
import itertools
import unittest

import samples
from deploy_support import SHIFT, DeployServerTest, request_body, wait_until

SECRET = "kx-deploy"
_skill = itertools.count(1)

MIN = 60 * 1000
HOUR = 60 * MIN


class DeployTest(DeployServerTest):
    secret = SECRET

    def world(self, n=6, commune=samples.ALBI, lang="fr", **vover):
        """A structure of Albi and n nurses (a skill of this test's own), with their tokens."""
        skill = "skill-%d" % next(_skill)
        s = self.d.structure(name="EHPAD Les Tilleuls", commune=commune)
        vols = [self.d.volunteer(first_name="Vol%d" % i, skills=[skill], sms_lang=lang, **vover) for i in range(n)]
        return skill, s, vols

    def body(self, s, skill, **over):
        over.setdefault("credentials", ["diploma"])
        return request_body(s["id"], skills=[skill], **over)


class CreateAndCall(DeployTest):
    def test_first_wave_calls_k_per_place_with_their_sms(self):
        skill, s, vols = self.world(6)
        since = self.d.last_sms_id()
        r = self.d.request(self.body(s, skill, count=2, address="3 rue des Lilas, Albi", notes="Badge à l'accueil"))
        self.assertEqual((r["status"], r["wave"], r["filled"], r["count"]), ("filling", 1, 0, 2))
        self.assertEqual(r["calls"]["called"], 4)
        self.assertEqual(r["calls"]["open"], 4)
        self.assertEqual(r["shifts"], [{"start": "2030-03-02T06:00:00.000Z", "end": "2030-03-02T18:00:00.000Z"}])
        self.assertEqual(r["deadline"], "2030-03-02T06:00:00.000Z", "the deadline defaults to the first shift's start")
        self.assertEqual(r["contact_phone"], s["contacts"][0]["phone"], "the structure's first contact")
        self.assertEqual((r["commune_name"], r["dep"], r["credentials"]), ("Albi", "81", ["diploma"]))
        # same place, never called, no deployment: by id
        called = [c["volunteer_id"] for c in r["call_list"]]
        self.assertEqual(called, [v["id"] for v in vols[:4]])
        self.assertEqual([c["rank"] for c in r["call_list"]], [1, 2, 3, 4])
        codes = [c["code"] for c in r["call_list"]]
        self.assertTrue(all(len(c) == 4 and c.isdigit() for c in codes), codes)
        for v, c in zip(vols, r["call_list"]):
            self.assertEqual(self.d.texts_to(v["phone"], since), [
                ("staff_call", "renfort : EHPAD Les Tilleuls (Albi) cherche un(e) infirmier(e) le 02/03 07:00-19:00. "
                               "Répondez OUI %s ou NON %s." % (c["code"], c["code"]))])
        for v in vols[4:]:
            self.assertEqual(self.d.texts_to(v["phone"], since), [], "not called yet")

    def test_english_volunteer_gets_english(self):
        skill, s, vols = self.world(1, lang="en")
        since = self.d.last_sms_id()
        r = self.d.request(self.body(s, skill, count=1))
        code = r["call_list"][0]["code"]
        self.assertEqual(self.d.texts_to(vols[0]["phone"], since), [
            ("staff_call", "renfort: EHPAD Les Tilleuls (Albi) needs a nurse on 02/03 07:00-19:00. "
                           "Reply YES %s or NO %s." % (code, code))])
        self.d.sms_in(vols[0]["phone"], "yes " + code)
        self.assertEqual(self.d.texts_to(vols[0]["phone"], since)[-1],
                         ("staff_confirmed", "renfort: confirmed, thank you! EHPAD Les Tilleuls, Albi, on 02/03 07:00. "
                                             "Contact: %s. Cannot come: CANCEL %s." % (s["contacts"][0]["phone"], code)))

    def test_refused_requests_change_nothing(self):
        skill, s, vols = self.world(1)
        good = self.body(s, skill)
        cases = [
            ({"count": 0}, 422, "count", "invalid"),
            ({"count": 51}, 422, "count", "invalid"),
            ({"count": 1.5}, 422, "count", "invalid"),
            ({"professions": []}, 422, "professions", "invalid"),
            ({"professions": ["surgeon"]}, 422, "professions[0]", "invalid"),
            ({"professions": ["nurse", "nurse"]}, 422, "professions[1]", "invalid"),
            ({"shifts": []}, 422, "shifts", "invalid"),
            ({"shifts": [{"start": "2030-03-02T19:00", "end": "2030-03-02T07:00"}]}, 422, "shifts[0].end", "invalid"),
            ({"shifts": [{"start": "2030-03-02T07:00", "end": "2030-03-03T08:00"}]}, 422, "shifts[0].end", "invalid"),
            ({"shifts": [{"start": "2020-03-02T07:00", "end": "2020-03-02T19:00"}]}, 422, "shifts[0].end", "invalid"),
            ({"shifts": [{"start": "tomorrow", "end": "2030-03-02T19:00"}]}, 422, "shifts[0].start", "invalid"),
            ({"shifts": [SHIFT, {"start": "2030-03-02T18:59", "end": "2030-03-02T23:00"}]}, 422, "shifts[1]", "invalid"),
            ({"shifts": [{"start": "2030-03-02T07:00", "end": "2030-03-02T19:00", "break": 1}]}, 422,
             "shifts[0].break", "unknown_field"),
            ({"urgency": "yesterday"}, 422, "urgency", "invalid"),
            ({"deadline": "2030-03-03T07:00"}, 422, "deadline", "invalid"),
            ({"deadline": "2020-03-01T07:00"}, 422, "deadline", "invalid"),
            ({"credentials": ["licence"]}, 422, "credentials[0]", "invalid"),
            ({"languages": ["french"]}, 422, "languages[0]", "invalid"),
            ({"contact_phone": "0612"}, 422, "contact_phone", "invalid"),
            ({"notes": "x" * 501}, 422, "notes", "invalid"),
            ({"structure_id": 999999}, 404, "structure_id", "not_found"),
            ({"colour": "red"}, 422, "colour", "unknown_field"),
        ]
        for over, status, field, code in cases:
            body = dict(good, **over)
            with self.subTest(over=over), self.unchanged():
                self.assertError(self.server.http("POST", "/api/v1/deployments/requests", self.admin, body=body),
                                 status, field, code)
        without = dict(good)
        del without["shifts"]
        with self.unchanged():
            self.assertError(self.server.http("POST", "/api/v1/deployments/requests", self.admin, body=without),
                             422, "shifts", "required")

    def test_who_may_ask(self):
        skill, s, vols = self.world(2)
        other = self.d.structure(name="Clinique de Béziers", commune=samples.BEZIERS)
        own = self.server.token("structure", subject=s["id"])
        # a coordinator of another département, a structure for another: as if it did not exist
        with self.unchanged():
            self.assertError(self.server.http("POST", "/api/v1/deployments/requests", self.coord34,
                                              body=self.body(s, skill)), 404, "structure_id", "not_found")
            self.assertError(self.server.http("POST", "/api/v1/deployments/requests", own,
                                              body=self.body(other, skill)), 404, "structure_id", "not_found")
            self.assertError(self.server.http("POST", "/api/v1/deployments/requests", self.observer,
                                              body=self.body(s, skill)), 403, "role", "forbidden")
        # the structure asks for itself without naming itself; its coordinator for it
        body = self.body(s, skill, count=1)
        del body["structure_id"]
        r = self.d.request(body, token=own)
        self.assertEqual(r["structure_id"], s["id"])
        r2 = self.d.request(self.body(s, skill, count=1, shifts=[{"start": "2030-03-05T07:00", "end": "2030-03-05T19:00"}]),
                            token=self.coord81)
        self.assertEqual(r2["dep"], "81")


class Replies(DeployTest):
    def test_each_form_of_answer(self):
        skill, s, vols = self.world(8)
        r = self.d.request(self.body(s, skill, count=4))  # 8 called
        calls = self.d.calls(r["id"])
        code = {v["id"]: calls[v["id"]]["code"] for v in vols}
        since = self.d.last_sms_id()
        answers = [(vols[0], "OUI %s" % code[vols[0]["id"]], "accepted"),
                   (vols[1], "Oui !", "accepted"),
                   (vols[2], "non merci", "declined"),
                   (vols[3], "NON %s" % code[vols[3]["id"]], "declined"),
                   (vols[4], "je viens", "accepted"),
                   (vols[5], "peut-être demain ?", "open")]
        for v, text, _ in answers:
            self.d.sms_in(v["phone"], text)
        calls = self.d.calls(r["id"])
        for v, text, status in answers:
            self.assertEqual(calls[v["id"]]["status"], status, text)
        self.assertEqual(self.d.texts_to(vols[2]["phone"], since),
                         [("staff_declined", "renfort : c'est noté (%s), merci." % code[vols[2]["id"]])])
        unclear = self.d.texts_to(vols[5]["phone"], since)
        self.assertEqual(unclear, [("staff_unclear", "renfort : réponse non comprise. Répondez OUI %s pour venir, NON %s "
                                                     "sinon." % (code[vols[5]["id"]], code[vols[5]["id"]]))])
        # the words not understood are kept on the request, for its coordinators
        replies = self.d.get(r["id"])["replies"]
        kept = [x for x in replies if x["volunteer_id"] == vols[5]["id"]]
        self.assertEqual([(x["text"], x["verb"], x["result"]) for x in kept],
                         [("peut-être demain ?", "unclear", "not understood")])
        # "ok" fills the last place: the open calls are closed, each told
        self.d.sms_in(vols[6]["phone"], "ok")
        got = self.d.get(r["id"])
        self.assertEqual((got["status"], got["filled"]), ("filled", 4))
        calls = self.d.calls(r["id"])
        self.assertEqual(calls[vols[5]["id"]]["status"], "cancelled")
        self.assertEqual(calls[vols[7]["id"]]["status"], "cancelled")
        self.assertEqual(self.d.texts_to(vols[7]["phone"], since),
                         [("staff_filled", "renfort : la demande de EHPAD Les Tilleuls (%s) est pourvue. Merci, cet appel "
                                           "est clos." % code[vols[7]["id"]])])
        # a yes after that: thanked, told it is filled, not assigned
        self.d.sms_in(vols[7]["phone"], "OUI " + code[vols[7]["id"]])
        self.assertEqual(self.d.texts_to(vols[7]["phone"], since)[-1],
                         ("staff_late", "renfort : merci ! La demande de EHPAD Les Tilleuls (%s) est déjà pourvue. Nous "
                                        "ferons appel à vous une autre fois." % code[vols[7]["id"]]))
        self.assertEqual(self.d.get(r["id"])["filled"], 4)
        # the assigned got their confirmation with the address and the contact
        self.assertEqual(self.d.texts_to(vols[0]["phone"], since),
                         [("staff_confirmed", "renfort : c'est confirmé, merci ! EHPAD Les Tilleuls, Albi, le 02/03 07:00. "
                                              "Contact : %s. Empêchement : ANNULE %s."
                           % (s["contacts"][0]["phone"], code[vols[0]["id"]]))])
        # the inbox says what became of each
        inbox = self.d.ok("GET", "/api/v1/sms/inbox?limit=1000")["items"]
        mine = {(i["phone"], i["text"]): (i["keyword"], i["result"]) for i in inbox}
        self.assertEqual(mine[(vols[1]["phone"], "Oui !")], ("call", "accepted"))
        self.assertEqual(mine[(vols[7]["phone"], "OUI " + code[vols[7]["id"]])], ("call", "filled"))

    def test_two_open_calls_and_no_code_asks_which(self):
        skill, s, vols = self.world(1)
        s2 = self.d.structure(name="Centre hospitalier d'Albi")
        r1 = self.d.request(self.body(s, skill, count=1))
        r2 = self.d.request(self.body(s2, skill, count=1, shifts=[{"start": "2030-03-04T07:00", "end": "2030-03-04T19:00"}]))
        c1 = self.d.calls(r1["id"])[vols[0]["id"]]["code"]
        c2 = self.d.calls(r2["id"])[vols[0]["id"]]["code"]
        self.assertNotEqual(c1, c2, "a code is unique among a volunteer's open calls")
        since = self.d.last_sms_id()
        self.d.sms_in(vols[0]["phone"], "oui")
        self.assertEqual(self.d.texts_to(vols[0]["phone"], since), [
            ("staff_which", "renfort : vous avez plusieurs appels en cours : %s (Centre hospitalier d'Albi 04/03 07:00), "
                            "%s (EHPAD Les Tilleuls 02/03 07:00). Répondez OUI ou NON suivi du code." % (c2, c1))])
        self.assertEqual(self.d.calls(r1["id"])[vols[0]["id"]]["status"], "open")
        self.assertEqual(self.d.calls(r2["id"])[vols[0]["id"]]["status"], "open")
        # kept on both requests
        for rid in (r1["id"], r2["id"]):
            self.assertEqual([(x["text"], x["result"]) for x in self.d.get(rid)["replies"]], [("oui", "which call")])
        # with the code: that one
        self.d.sms_in(vols[0]["phone"], "oui " + c2)
        self.assertEqual(self.d.calls(r2["id"])[vols[0]["id"]]["status"], "accepted")
        self.assertEqual(self.d.calls(r1["id"])[vols[0]["id"]]["status"], "open")
        # a code that is none of theirs
        self.d.sms_in(vols[0]["phone"], "oui 0000")
        self.assertEqual(self.d.texts_to(vols[0]["phone"], since)[-1],
                         ("staff_no_call", "renfort : aucun de vos appels n'a ce code. AIDE pour l'aide."))

    def test_withdrawal_reopens_and_calls_the_next(self):
        skill, s, vols = self.world(4)
        r = self.d.request(self.body(s, skill, count=1))  # 2 called
        calls = self.d.calls(r["id"])
        self.assertEqual(sorted(calls), [vols[0]["id"], vols[1]["id"]])
        self.d.sms_in(vols[0]["phone"], "oui")
        got = self.d.get(r["id"])
        self.assertEqual((got["status"], got["filled"]), ("filled", 1))
        since = self.d.last_sms_id()
        code = calls[vols[0]["id"]]["code"]
        self.d.sms_in(vols[0]["phone"], "ANNULE " + code)
        got = self.d.get(r["id"])
        self.assertEqual((got["status"], got["filled"], got["wave"]), ("filling", 0, 2))
        self.assertEqual(self.d.texts_to(vols[0]["phone"], since),
                         [("staff_withdrawn", "renfort : votre désistement est noté (%s). Merci de nous avoir prévenus."
                           % code)])
        calls = self.d.calls(r["id"])
        self.assertEqual(calls[vols[0]["id"]]["status"], "withdrawn")
        # the place is open again: the next candidates are called (k per missing place)
        self.assertEqual(calls[vols[2]["id"]]["status"], "open")
        self.assertEqual(calls[vols[3]["id"]]["status"], "open")
        self.assertEqual(calls[vols[2]["id"]]["wave"], 2)
        self.d.sms_in(vols[3]["phone"], "oui")
        self.assertEqual(self.d.get(r["id"])["people"][0]["volunteer_id"], vols[3]["id"])

    def test_answer_on_the_page(self):
        skill, s, vols = self.world(2)
        r = self.d.request(self.body(s, skill, count=1, address="3 rue des Lilas, Albi"))
        tok = self.server.token("volunteer", subject=vols[0]["id"])
        other = self.server.token("volunteer", subject=vols[1]["id"])
        mine = self.d.ok("GET", "/api/v1/deployments/calls", token=tok)["items"]
        self.assertEqual(len(mine), 1)
        call = mine[0]
        self.assertEqual((call["status"], call["structure_name"], call["address"], call["contact_phone"]),
                         ("open", "EHPAD Les Tilleuls", None, None), "where and whom: once accepted")
        # not theirs: missing; a bad answer: named, nothing changed
        with self.unchanged():
            self.assertError(self.server.http("POST", "/api/v1/deployments/calls/%d/answer" % call["id"], other,
                                              body={"answer": "accept"}), 404, "id", "not_found")
            self.assertError(self.server.http("POST", "/api/v1/deployments/calls/%d/answer" % call["id"], tok,
                                              body={"answer": "maybe"}), 422, "answer", "invalid")
            self.assertError(self.server.http("POST", "/api/v1/deployments/calls/%d/answer" % call["id"], self.admin,
                                              body={"answer": "accept"}), 403, "role", "forbidden")
        since = self.d.last_sms_id()
        a = self.d.ok("POST", "/api/v1/deployments/calls/%d/answer" % call["id"], token=tok, body={"answer": "accept"})
        self.assertEqual((a["status"], a["result"]), ("accepted", "accepted"))
        mine = self.d.ok("GET", "/api/v1/deployments/calls", token=tok)["items"]
        self.assertEqual((mine[0]["address"], mine[0]["contact_phone"]), ("3 rue des Lilas, Albi", s["contacts"][0]["phone"]))
        # the confirmation SMS goes all the same (where to go, whom to call)
        self.assertEqual([k for k, _ in self.d.texts_to(vols[0]["phone"], since)], ["staff_confirmed"])
        replies = self.d.get(r["id"])["replies"]
        self.assertEqual([(x["source"], x["verb"], x["result"]) for x in replies], [("web", "accept", "accepted")])
        # the other one's call was closed when the request filled
        self.assertEqual(self.d.ok("GET", "/api/v1/deployments/calls?all=true", token=other)["items"][0]["status"],
                         "cancelled")


class WavesAndEscalation(DeployTest):
    def test_timeout_calls_the_next_wave_then_escalates(self):
        skill, s, vols = self.world(3)
        officer = self.d.ok("POST", "/api/v1/duty_officers", 201,
                            body={"name": "Astreinte ARS Tarn", "phone": samples.phone(), "dep": "81"})
        r = self.d.request(self.body(s, skill, count=1))  # 2 called
        self.assertEqual(len(self.d.calls(r["id"])), 2)
        since = self.d.last_sms_id()
        self.d.advance(29 * MIN)
        self.assertEqual(self.d.get(r["id"])["wave"], 1, "not yet")
        self.d.advance(1 * MIN)
        got = self.d.get(r["id"])
        calls = self.d.calls(r["id"])
        self.assertEqual((got["wave"], got["calls"]["expired"], got["calls"]["open"]), (2, 2, 1))
        self.assertEqual(calls[vols[2]["id"]]["wave"], 2)
        self.assertEqual(self.d.texts_to(vols[2]["phone"], since)[0][0], "staff_call")
        # the third goes unanswered too, and nobody is left: escalation
        self.d.advance(30 * MIN)
        got = self.d.get(r["id"])
        self.assertEqual(got["status"], "filling", "still open to a late yes until its deadline")
        self.assertIsNotNone(got["escalated_at"])
        alerts = [a for a in self.d.alerts(kind="staff_unfilled") if a.get("request_id") == r["id"]]
        self.assertEqual(len(alerts), 1)
        self.assertEqual((alerts[0]["severity"], alerts[0]["quantity"], alerts[0]["holder_id"], alerts[0]["dep"]),
                         ("critical", 1, s["id"], "81"))
        mine = "Demande %d," % r["id"]  # the other tests' requests of this server escalate too
        self.assertEqual([t for t in self.d.texts_to(officer["phone"], since) if mine in t[1]], [
            ("staff_unfilled", "renfort RENFORT NON POURVU EHPAD Les Tilleuls (Albi) : 1 sur 1 infirmier(e) "
                               "manquant(s) pour le 02/03 07:00. Demande %d, dép. 81." % r["id"])])
        # a late yes (its call expired) still fills it: the alert resolves
        self.d.sms_in(vols[0]["phone"], "oui")
        got = self.d.get(r["id"])
        self.assertEqual((got["status"], got["filled"]), ("filled", 1))
        alert = self.d.ok("GET", "/api/v1/alerts/%d" % alerts[0]["id"])
        self.assertEqual((alert["status"], alert["resolution"]), ("resolved", "recovered"))

    def test_failed_delivery_calls_the_next_at_once(self):
        skill, s, vols = self.world(3)
        r = self.d.request(self.body(s, skill, count=1))
        calls = self.d.calls(r["id"])
        first = calls[vols[0]["id"]]
        wait_until(lambda: self.d.ok("GET", "/api/v1/sms/outbox?after=%d&limit=1" % (first["sms_id"] - 1))["items"][0]
                   ["status"] == "sent", what="the call's SMS sent")
        self.d.dlr(first["sms_id"], 16)  # the SMSC rejected it
        calls = self.d.calls(r["id"])
        self.assertEqual(calls[vols[0]["id"]]["status"], "failed")
        self.assertEqual(calls[vols[2]["id"]]["status"], "open", "the next candidate, at once")

    def test_call_now_and_cancel(self):
        skill, s, vols = self.world(5)
        r = self.d.request(self.body(s, skill, count=2))  # 4 called
        own = self.server.token("structure", subject=s["id"])
        with self.unchanged():
            self.assertError(self.server.http("POST", "/api/v1/deployments/requests/%d/waves" % r["id"], own, body={}),
                             403, "role", "forbidden")
            self.assertError(self.server.http("POST", "/api/v1/deployments/requests/%d/waves" % r["id"], self.coord34,
                                              body={}), 404, "id", "not_found")
        # call now: the next wave whatever is open (one candidate is left)
        got = self.d.ok("POST", "/api/v1/deployments/requests/%d/waves" % r["id"], token=self.coord81, body={})
        self.assertEqual((got["wave"], got["calls"]["open"]), (2, 5))
        self.d.sms_in(vols[1]["phone"], "oui")
        since = self.d.last_sms_id()
        got = self.d.ok("POST", "/api/v1/deployments/requests/%d/cancel" % r["id"], token=own,
                        body={"reason": "la grippe recule"})
        self.assertEqual((got["status"], got["close_reason"], got["calls"]["cancelled"]),
                         ("cancelled", "la grippe recule", 5))
        for v in vols:
            self.assertEqual([k for k, _ in self.d.texts_to(v["phone"], since)], ["staff_cancelled"], v["first_name"])
        with self.unchanged():
            self.assertError(self.server.http("POST", "/api/v1/deployments/requests/%d/cancel" % r["id"], own, body={}),
                             409, "status", "conflict")


class Deadline(DeployTest):
    def test_deadline_expires_the_request(self):
        skill, s, vols = self.world(1)
        r = self.d.request(self.body(s, skill, count=2, deadline="2030-03-01T20:00"))
        self.assertEqual(self.d.calls(r["id"])[vols[0]["id"]]["status"], "open")
        since = self.d.last_sms_id()
        self.d.sms_in(vols[0]["phone"], "oui")
        # time passes up to the deadline (the test clock moves at most a year at a time)
        now = self.d.advance(0)["now"]
        t0 = datetime.datetime.fromisoformat(now.replace("Z", "+00:00"))
        deadline = datetime.datetime(2030, 3, 1, 19, 0, tzinfo=datetime.timezone.utc)
        left = int((deadline - t0).total_seconds() * 1000)
        while left > 0:
            step = min(left, 365 * 24 * HOUR)
            self.d.advance(step)
            left -= step
        got = self.d.get(r["id"])
        self.assertEqual((got["status"], got["filled"], got["close_reason"]), ("expired", 1, "deadline"))
        alerts = [a for a in self.d.alerts(kind="staff_unfilled") if a.get("request_id") == r["id"]]
        self.assertEqual([(a["status"], a["quantity"]) for a in alerts], [("open", 1)])
        # the one assigned is still coming: their call stays accepted
        self.assertEqual(self.d.calls(r["id"])[vols[0]["id"]]["status"], "accepted")
        self.assertEqual([k for k, _ in self.d.texts_to(vols[0]["phone"], since)], ["staff_confirmed"])


class QuietHours(DeployTest):
    settings = ("staff_quiet_start_hour=21", "staff_quiet_end_hour=8")

    def test_calls_wait_for_the_morning_unless_immediate(self):
        skill, s, vols = self.world(2)
        # to the next 23:00 in Paris (UTC+1 in winter, +2 in summer: 21:00 or 22:00 UTC is within quiet hours
        # either way when aiming at 22:00 UTC)
        now = datetime.datetime.fromisoformat(self.d.advance(0)["now"].replace("Z", "+00:00"))
        target = now.replace(hour=22, minute=0, second=0, microsecond=0)
        if target <= now:
            target += datetime.timedelta(days=1)
        self.d.advance(int((target - now).total_seconds() * 1000))
        r = self.d.request(self.body(s, skill, count=1, shifts=[{"start": "2030-03-04T07:00", "end": "2030-03-04T19:00"}]))
        sms_id = self.d.calls(r["id"])[vols[0]["id"]]["sms_id"]
        row = self.d.ok("GET", "/api/v1/sms/outbox?after=%d&limit=1" % (sms_id - 1))["items"][0]
        self.assertEqual(row["status"], "queued")
        self.assertGreater(row["next_attempt_at"], self.d.advance(0)["now"], "held until the morning")
        call = self.d.calls(r["id"])[vols[0]["id"]]
        held = datetime.datetime.fromisoformat(row["next_attempt_at"].replace("Z", "+00:00"))
        self.assertIn((held.hour, held.minute), ((7, 0), (6, 0)), "08:00 in Paris")
        expires = datetime.datetime.fromisoformat(call["expires_at"].replace("Z", "+00:00"))
        self.assertEqual(expires - held, datetime.timedelta(minutes=30), "the timeout counts from the SMS")
        # immediate: at once
        r2 = self.d.request(self.body(s, skill, count=1, urgency="immediate",
                                      shifts=[{"start": "2030-03-05T07:00", "end": "2030-03-05T19:00"}]))
        sms2 = self.d.calls(r2["id"])[vols[0]["id"]]["sms_id"]
        wait_until(lambda: self.d.ok("GET", "/api/v1/sms/outbox?after=%d&limit=1" % (sms2 - 1))["items"][0]["status"]
                   == "sent", what="the immediate call sent")
        self.assertEqual(self.d.ok("GET", "/api/v1/sms/outbox?after=%d&limit=1" % (sms_id - 1))["items"][0]["status"],
                         "queued")


class Reading(DeployTest):
    def test_each_role_reads_what_it_needs(self):
        skill, s, vols = self.world(3)
        r = self.d.request(self.body(s, skill, count=1))
        own = self.server.token("structure", subject=s["id"])
        vtok = self.server.token("volunteer", subject=vols[0]["id"])
        outsider = self.server.token("volunteer", subject=vols[2]["id"])
        path = "/api/v1/deployments/requests/%d" % r["id"]
        before = self.d.ok("GET", path, token=own)
        self.assertEqual(before["people"], [], "nobody accepted: counts only")
        self.assertNotIn("call_list", before)
        self.assertEqual(before["calls"]["open"], 2)
        self.d.sms_in(vols[1]["phone"], "oui")
        after = self.d.ok("GET", path, token=own)
        self.assertEqual([(p["first_name"], p["phone"]) for p in after["people"]], [("Vol1", vols[1]["phone"])])
        obs = self.d.ok("GET", path, token=self.observer)
        self.assertNotIn("people", obs)
        self.assertNotIn("call_list", obs)
        self.assertEqual(obs["filled"], 1)
        mine = self.d.ok("GET", path, token=vtok)
        self.assertNotIn("people", mine)
        for tok in (self.coord34, outsider):
            self.assertError(self.server.http("GET", path, tok), 404, "id", "not_found")
        coord = self.d.ok("GET", path, token=self.coord81)
        self.assertEqual(len(coord["call_list"]), 2)
        listed = self.d.ok("GET", "/api/v1/deployments/requests?status=filled&structure_id=%d" % s["id"], token=own)
        self.assertEqual([x["id"] for x in listed["items"]], [r["id"]])
        self.assertEqual(self.d.ok("GET", "/api/v1/deployments/requests?structure_id=%d" % s["id"],
                                   token=self.coord34)["items"], [])
        self.assertError(self.server.http("GET", "/api/v1/deployments/requests?status=done", self.admin),
                         422, "status", "invalid")

    def test_preview_explains_every_exclusion(self):
        skill = "skill-%d" % next(_skill)
        s = self.d.structure(name="EHPAD du Preview")
        ok = self.d.volunteer(first_name="Marie", skills=[skill])
        far = self.d.volunteer(first_name="Loin", skills=[skill], home_commune=samples.MONTPELLIER, travel_radius_km=30)
        expired = self.d.volunteer(first_name="Périmée", skills=[skill],
                                   credentials=[{"kind": "diploma", "expires_on": "2030-03-01"}])
        care = self.d.volunteer(first_name="Aide", skills=[skill], profession="care_assistant")
        off = self.d.volunteer(first_name="Indispo", skills=[skill], availability="unavailable")
        body = self.body(s, skill, count=1)
        with self.unchanged():
            p = self.d.ok("POST", "/api/v1/deployments/preview?limit=1000", body=body)
        self.assertEqual([(c["volunteer_id"], c["rank"], c["first_name"]) for c in p["candidates"]],
                         [(ok["id"], 1, "Marie")])
        self.assertEqual(p["candidates"][0]["reasons"],
                         ["nurse", "diploma valid over the whole shift", "available, not assigned, rested",
                          "0.0 km away (radius 30 km)", "never called", "0 deployments"])
        why = {e["volunteer_id"]: (e["rule"], e["reason"]) for e in p["excluded"]}
        self.assertEqual(why[far["id"]], ("distance", "lives 144.3 km away, beyond their 30 km radius"))
        self.assertEqual(why[expired["id"]], ("credential", "their diploma expired at 2030-03-02 00:00"))
        self.assertEqual(why[care["id"]], ("profession", "is care_assistant, the request asks for nurse"))
        self.assertEqual(why[off["id"]], ("availability", "unavailable until further notice"))
        # "why was Marie not called?" for a request already out
        r = self.d.request(body)
        one = self.d.ok("GET", "/api/v1/deployments/requests/%d/candidates?volunteer_id=%d" % (r["id"], ok["id"]),
                        token=self.coord81)
        self.assertEqual([(e["rule"], e["reason"]) for e in one["excluded"]], [("already_called", "already called for "
                                                                                                 "this request")])
        self.assertError(self.server.http("GET", "/api/v1/deployments/requests/%d/candidates?volunteer_id=%d"
                                          % (r["id"], far["id"]), self.coord81), 404, "volunteer_id", "not_found")


class EventsAuditErasure(DeployTest):
    def test_coordinator_sees_each_event_in_order(self):
        skill, s, vols = self.world(2)
        ws = self.server.ws(self.coord81)
        self.assertEqual(ws.request("subscribe", params={"topics": ["deployments"]})["status"], 200)
        obs = self.server.ws(self.observer)
        obs.request("subscribe", params={"topics": ["deployments"]})
        r = self.d.request(self.body(s, skill, count=1))
        self.d.sms_in(vols[0]["phone"], "oui")
        names = []
        while True:
            try:
                e = ws.next_event(timeout=2)
            except AssertionError:
                break
            names.append((e["event"], e["entity"]))
            self.assertEqual(e["dep"], "81")
        self.assertEqual(names, [
            ("deployment.requested", "structure"), ("deployment.called", "volunteer"),
            ("deployment.called", "volunteer"), ("deployment.wave_started", "structure"),
            ("deployment.request_updated", "structure"),
            ("deployment.call_updated", "volunteer"), ("deployment.assigned", "structure"),
            ("deployment.call_updated", "volunteer"), ("deployment.replied", "volunteer"),
            ("deployment.request_updated", "structure")])
        seen = []
        while True:
            try:
                seen.append(obs.next_event(timeout=1)["event"])
            except AssertionError:
                break
        self.assertEqual(seen, ["deployment.requested", "deployment.wave_started", "deployment.request_updated",
                                "deployment.assigned", "deployment.request_updated"], "counts, nobody named")
        ws.close()
        obs.close()
        audit = self.d.ok("GET", "/api/v1/audit?entity=staff_request&entity_id=%d" % r["id"], token=self.coord81)["items"]
        self.assertEqual([a["action"] for a in reversed(audit)], ["create", "update", "update", "update"])
        self.assertEqual(self.d.ok("GET", "/api/v1/audit?entity=staff_request&entity_id=%d" % r["id"],
                                   token=self.coord34)["items"], [])

    def test_erasure_removes_the_words(self):
        skill, s, vols = self.world(1)
        r = self.d.request(self.body(s, skill, count=1))
        self.d.sms_in(vols[0]["phone"], "Je serai en retard, ma fille est malade")
        self.assertEqual(self.d.get(r["id"])["replies"][0]["text"], "Je serai en retard, ma fille est malade")
        self.d.ok("DELETE", "/api/v1/volunteers/%d" % vols[0]["id"])
        got = self.d.get(r["id"])
        self.assertIsNone(got["replies"][0]["text"])
        self.assertEqual(got["call_list"][0]["first_name"], None)
        rows = self.server.sql("SELECT count(*) FROM audit WHERE entity = 'staff_reply' AND after LIKE '%malade%'")
        self.assertEqual(rows[0][0], 0)
        rows = self.server.sql("SELECT count(*) FROM staff_replies WHERE text LIKE '%malade%'")
        self.assertEqual(rows[0][0], 0)


if __name__ == "__main__":
    unittest.main()
