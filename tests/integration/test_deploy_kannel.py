"""Issue 12 end to end, through real Kannel (bearerbox, smsbox, fakesmsc): a request for 3 nurses in
the Tarn (81) for tomorrow 07:00-19:00; 12 eligible candidates among volunteers that each rule
excludes (suspended, another profession, an expired diploma, unavailable, assigned to an
overlapping shift, not rested, too far, a skill missing, a language missing); replies typed into
fakesmsc in mixed forms and orders (two at once, one after its call expired, free text, a
withdrawal, one after the request filled, one from a volunteer with two open calls and no code).
It checks exactly 3 assigned, every SMS each phone received (text and language), the withdrawal
refilled, a wave after a timeout and an escalation when nobody is left (test clock), the
staff_unfilled alert and its SMS to the duty officer, and the events a coordinator's websocket
received, in order."""

import datetime
import secrets
import time
import unittest
import zoneinfo

import samples
from kannel import Kannel
from sms_support import EventLog, api_ok, sms_server, wait_until

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
FROM = "38100"
MIN = 60 * 1000


def local(day, hhmm):
    return "%sT%s" % (day.isoformat(), hhmm)


class DeployThroughKannel(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.secret = "kd-" + secrets.token_hex(8)
        cls.server = sms_server({"sms_gateways": "kannel", "sms_rate_per_s": 50, "test_clock": 1,
                                 "staff_quiet_start_hour": 0, "staff_quiet_end_hour": 0,
                                 "alert_check_interval_s": 86400, "staff_check_interval_s": 3600})
        cls.addClassCleanup(cls.server.cleanup)
        cls.kannel = Kannel(cls.server.public_url + "/sms/kannel/inbound", cls.secret, sender=FROM)
        cls.addClassCleanup(cls.kannel.cleanup)
        cls.kannel.start()
        cls.server.extra_args += cls.kannel.renfortd_settings()
        cls.admin = cls.server.token("admin")
        cls.coord = cls.server.token("coordinator", scope="81")
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        try:
            cls.server.stop()
        finally:
            cls.kannel.stop()

    # --- helpers -------------------------------------------------------------------------------------
    def ok(self, method, path, expect=200, token=None, **kw):
        return api_ok(self.server, token or self.admin, method, path, expect, **kw)

    def volunteer(self, name, **over):
        over = dict({"skills": ["geriatrics"], "languages": ["fr"]}, **over)
        body = samples.volunteer(first_name=name, last_name="Tarn", **over)
        v = self.ok("POST", "/api/v1/volunteers", 201, body=body)
        self.phones[v["id"]] = v["phone"]
        self.names[v["phone"]] = name
        return v

    def request(self, **body):
        return self.ok("POST", "/api/v1/deployments/requests", 201, token=self.coord, body=body)

    def calls(self, rid):
        return {c["volunteer_id"]: c for c in self.ok("GET", "/api/v1/deployments/requests/%d" % rid)["call_list"]}

    def reply(self, v, text):
        """An SMS from v's phone, typed into fakesmsc (smsbox forwards it to renfortd)."""
        self.kannel.mo(v["phone"], text)

    def expect_sms(self, v, kind, text):
        """v's phone receives text (the expected list grows; checked whole at the end)."""
        self.expected.setdefault(v["phone"], []).append(text)
        self.kannel.wait_for(lambda m: m.receiver == v["phone"] and m.text == text, timeout=30,
                             what="%s to %s" % (kind, v.get("first_name") or v.get("name")))

    def advance(self, ms):
        return self.ok("POST", "/api/v1/clock/advance", body={"ms": ms})

    # --- the scenario ------------------------------------------------------------------------------------
    def test_three_nurses_for_tomorrow(self):
        self.phones, self.names, self.expected = {}, {}, {}
        events = EventLog(self.server, self.coord, topics=("deployments", "alerts"))
        self.addCleanup(events.close)
        now = datetime.datetime.fromisoformat(self.advance(0)["now"].replace("Z", "+00:00")).astimezone(PARIS)
        tomorrow = (now + datetime.timedelta(days=1)).date()
        today = now.date()
        ehpad = self.ok("POST", "/api/v1/structures", 201, body=samples.structure(name="EHPAD Les Tilleuls",
                                                                                  commune=samples.ALBI))
        clinic = self.ok("POST", "/api/v1/structures", 201, body=samples.structure(name="Clinique Toulouse-Lautrec",
                                                                                   commune=samples.ALBI))
        officer = self.ok("POST", "/api/v1/duty_officers", 201, body={"name": "Astreinte ARS Tarn",
                                                                      "phone": samples.phone(), "dep": "81"})

        # twelve eligible nurses of Albi (E3 and E8 read English), in id order = rank order
        E = [None] + [self.volunteer("E%d" % i, sms_lang="en" if i in (3, 8) else "fr") for i in range(1, 13)]
        E[4] = self.ok("PATCH", "/api/v1/volunteers/%d" % E[4]["id"], body={"skills": ["geriatrics", "dialysis"]})
        # one excluded by each rule
        X = {
            "status": self.volunteer("Suspendue", status="suspended"),
            "profession": self.volunteer("Aide", profession="care_assistant"),
            "credential": self.volunteer("Perimee", credentials=[{"kind": "diploma", "expires_on": today.isoformat()}]),
            "availability": self.volunteer("Indispo", availability="unavailable"),
            "assigned": self.volunteer("Prise", skills=["geriatrics", "x-assigned"]),
            "rest": self.volunteer("Fatiguee", skills=["geriatrics", "x-rest"]),
            "distance": self.volunteer("Loin", home_commune=samples.TOULOUSE, travel_radius_km=30),
            "skills": self.volunteer("Sans", skills=["triage"]),
            "languages": self.volunteer("Hispano", languages=["es"]),
        }
        # the assigned one works the clinic's morning; the tired one its night just before
        for skill, start, end in (("x-assigned", "08:00", "12:00"), ("x-rest", "00:00", "04:00")):
            r0 = self.request(structure_id=clinic["id"], professions=["nurse"], count=1, skills=[skill],
                              shifts=[{"start": local(tomorrow, start), "end": local(tomorrow, end)}])
            who = X["assigned"] if skill == "x-assigned" else X["rest"]
            code = self.calls(r0["id"])[who["id"]]["code"]
            self.expect_sms(who, "call", "renfort : Clinique Toulouse-Lautrec (Albi) cherche un(e) infirmier(e) le %s %s-%s. "
                                         "Répondez OUI %s ou NON %s." % (tomorrow.strftime("%d/%m"), start, end, code, code))
            self.reply(who, "OUI " + code)
            self.expect_sms(who, "confirmed", "renfort : c'est confirmé, merci ! Clinique Toulouse-Lautrec, Albi, le %s %s. "
                                              "Contact : %s. Empêchement : ANNULE %s."
                            % (tomorrow.strftime("%d/%m"), start, clinic["contacts"][0]["phone"], code))

        day = tomorrow.strftime("%d/%m")
        shift = [{"start": local(tomorrow, "07:00"), "end": local(tomorrow, "19:00")}]
        # the preview names each rule
        p = self.ok("POST", "/api/v1/deployments/preview?limit=1000", token=self.coord, body={
            "structure_id": ehpad["id"], "professions": ["nurse"], "count": 3, "shifts": shift,
            "skills": ["geriatrics"], "languages": ["fr"]})
        self.assertEqual([c["volunteer_id"] for c in p["candidates"]], [e["id"] for e in E[1:]])
        why = {x["volunteer_id"]: x["rule"] for x in p["excluded"]}
        for rule, v in X.items():
            if rule != "distance":  # Toulouse is not the Tarn's: counted, not named
                self.assertEqual(why.get(v["id"]), rule, v["first_name"])
        self.assertEqual(p["excluded_by_rule"]["distance"], 1)

        # R1: three nurses for tomorrow; R2: the clinic's dialysis shift of the day after, only E4 fits
        r1 = self.request(structure_id=ehpad["id"], professions=["nurse"], count=3, urgency="today", shifts=shift,
                          skills=["geriatrics"], languages=["fr"], address="3 rue des Lilas, 81000 Albi")
        r2 = self.request(structure_id=clinic["id"], professions=["nurse"], count=1, skills=["dialysis"],
                          shifts=[{"start": local(tomorrow + datetime.timedelta(days=1), "07:00"),
                                   "end": local(tomorrow + datetime.timedelta(days=1), "19:00")}])
        self.assertEqual((r1["status"], r1["wave"], r1["calls"]["called"]), ("filling", 1, 6))
        calls = self.calls(r1["id"])
        self.assertEqual(sorted(calls), [e["id"] for e in E[1:7]], "wave 1: the six best ranked")
        code = {e["id"]: calls[e["id"]]["code"] for e in E[1:7]}
        code2_e4 = self.calls(r2["id"])[E[4]["id"]]["code"]

        def call_fr(e):
            return ("renfort : EHPAD Les Tilleuls (Albi) cherche un(e) infirmier(e) le %s 07:00-19:00. "
                    "Répondez OUI %s ou NON %s." % (day, code[e["id"]], code[e["id"]]))

        def call_en(e):
            return ("renfort: EHPAD Les Tilleuls (Albi) needs a nurse on %s 07:00-19:00. Reply YES %s or NO %s."
                    % (day, code[e["id"]], code[e["id"]]))

        def confirmed(e, en=False):
            c = code[e["id"]]
            if en:
                return ("renfort: confirmed, thank you! EHPAD Les Tilleuls, 3 rue des Lilas, 81000 Albi, on %s 07:00. "
                        "Contact: %s. Cannot come: CANCEL %s." % (day, ehpad["contacts"][0]["phone"], c))
            return ("renfort : c'est confirmé, merci ! EHPAD Les Tilleuls, 3 rue des Lilas, 81000 Albi, le %s 07:00. "
                    "Contact : %s. Empêchement : ANNULE %s." % (day, ehpad["contacts"][0]["phone"], c))

        def filled(e):
            return "renfort : la demande de EHPAD Les Tilleuls (%s) est pourvue. Merci, cet appel est clos." % code[e["id"]]

        def late(e):
            return ("renfort : merci ! La demande de EHPAD Les Tilleuls (%s) est déjà pourvue. Nous ferons appel à vous "
                    "une autre fois." % code[e["id"]])

        for e in E[1:7]:
            self.expect_sms(e, "call", call_en(e) if e is E[3] else call_fr(e))
        self.expect_sms(E[4], "call R2", "renfort : Clinique Toulouse-Lautrec (Albi) cherche un(e) infirmier(e) le %s "
                                         "07:00-19:00. Répondez OUI %s ou NON %s."
                        % ((tomorrow + datetime.timedelta(days=1)).strftime("%d/%m"), code2_e4, code2_e4))

        # E1 yes with the code; E2 no thanks; E3 free text; E4 (two open calls) yes with no code
        self.reply(E[1], "OUI " + code[E[1]["id"]])
        self.expect_sms(E[1], "confirmed", confirmed(E[1]))
        self.reply(E[2], "non merci")
        self.expect_sms(E[2], "declined", "renfort : c'est noté (%s), merci." % code[E[2]["id"]])
        self.reply(E[3], "je viens pas ce soir, désolée")
        self.expect_sms(E[3], "unclear", "renfort: answer not understood. Reply YES %s to come, NO %s otherwise."
                        % (code[E[3]["id"]], code[E[3]["id"]]))
        self.reply(E[4], "oui")
        # the newest call first
        self.expect_sms(E[4], "which", "renfort : vous avez plusieurs appels en cours : %s (Clinique Toulouse-Lautrec %s "
                                       "07:00), %s (EHPAD Les Tilleuls %s 07:00). Répondez OUI ou NON suivi du code."
                        % (code2_e4, (tomorrow + datetime.timedelta(days=1)).strftime("%d/%m"), code[E[4]["id"]], day))
        got = self.ok("GET", "/api/v1/deployments/requests/%d" % r1["id"], token=self.coord)
        self.assertEqual((got["filled"], got["calls"]["open"]), (1, 4))
        free = [x for x in got["replies"] if x["volunteer_id"] == E[3]["id"]]
        self.assertEqual([(x["text"], x["result"]) for x in free], [("je viens pas ce soir, désolée", "not understood")])

        # half an hour without an answer: wave 2 (E7..E10) for the two places missing; R2 has nobody
        # left after E4: it escalates, and the duty officer is told
        self.advance(30 * MIN)
        got = self.ok("GET", "/api/v1/deployments/requests/%d" % r1["id"], token=self.coord)
        self.assertEqual((got["wave"], got["calls"]["expired"], got["calls"]["open"]), (2, 4, 4))
        calls = self.calls(r1["id"])
        self.assertEqual(sorted(i for i, c in calls.items() if c["wave"] == 2), [e["id"] for e in E[7:11]])
        code.update({e["id"]: calls[e["id"]]["code"] for e in E[7:11]})
        for e in E[7:11]:
            self.expect_sms(e, "call", call_en(e) if e is E[8] else call_fr(e))
        r2_now = self.ok("GET", "/api/v1/deployments/requests/%d" % r2["id"], token=self.coord)
        self.assertIsNotNone(r2_now["escalated_at"])
        alert = [a for a in self.ok("GET", "/api/v1/alerts?kind=staff_unfilled", token=self.coord)["items"]
                 if a["request_id"] == r2["id"]]
        self.assertEqual([(a["severity"], a["quantity"], a["holder_id"]) for a in alert], [("critical", 1, clinic["id"])])
        self.expect_sms(officer, "unfilled", "renfort RENFORT NON POURVU Clinique Toulouse-Lautrec (Albi) : 1 sur 1 "
                                             "infirmier(e) manquant(s) pour le %s 07:00. Demande %d, dép. 81."
                        % ((tomorrow + datetime.timedelta(days=1)).strftime("%d/%m"), r2["id"]))

        # E7 and E8 at once: both assigned, the request is filled, E9 and E10 told
        self.reply(E[7], "Oui !")
        self.reply(E[8], "yes " + code[E[8]["id"]])
        self.expect_sms(E[7], "confirmed", confirmed(E[7]))
        self.expect_sms(E[8], "confirmed", confirmed(E[8], en=True))
        for e in (E[9], E[10]):
            self.expect_sms(e, "filled", filled(e))
        # E5, whose call expired, says yes late; E9 says yes after the request filled: both told
        self.reply(E[5], "ok")
        self.expect_sms(E[5], "late", late(E[5]))
        self.reply(E[9], "OUI " + code[E[9]["id"]])
        self.expect_sms(E[9], "late", late(E[9]))
        got = self.ok("GET", "/api/v1/deployments/requests/%d" % r1["id"], token=self.coord)
        self.assertEqual((got["status"], got["filled"]), ("filled", 3))

        # E7 withdraws: the place opens again, E11 and E12 are called; E11 accepts, E12 is told
        self.reply(E[7], "ANNULE " + code[E[7]["id"]])
        self.expect_sms(E[7], "withdrawn", "renfort : votre désistement est noté (%s). Merci de nous avoir prévenus."
                        % code[E[7]["id"]])
        calls = self.calls(r1["id"])
        self.assertEqual(sorted(i for i, c in calls.items() if c["wave"] == 3), [E[11]["id"], E[12]["id"]])
        code.update({e["id"]: calls[e["id"]]["code"] for e in E[11:13]})
        for e in E[11:13]:
            self.expect_sms(e, "call", call_fr(e))
        self.reply(E[11], "je viens")
        self.expect_sms(E[11], "confirmed", confirmed(E[11]))
        self.expect_sms(E[12], "filled", filled(E[12]))

        # exactly three assigned: E1, E8, E11
        got = self.ok("GET", "/api/v1/deployments/requests/%d" % r1["id"], token=self.coord)
        self.assertEqual((got["status"], got["filled"]), ("filled", 3))
        self.assertEqual(sorted(p["volunteer_id"] for p in got["people"]), [E[1]["id"], E[8]["id"], E[11]["id"]])
        self.assertEqual(self.server.sql("SELECT count(*) FROM staff_calls WHERE request_id = ? AND status = 'accepted'",
                                         (r1["id"],))[0][0], 3)

        # every phone received exactly what was expected, nothing more; the excluded, nothing
        time.sleep(1.5)
        for phone, texts in self.expected.items():
            # sorted: two messages queued at once may reach the SMSC in either order
            got_texts = sorted(m.text for m in self.kannel.received() if m.receiver == phone)
            self.assertEqual(got_texts, sorted(texts), self.names.get(phone, phone))
        for rule, v in X.items():
            if rule in ("assigned", "rest"):
                continue  # their own morning and night (checked above)
            # the one whose diploma expires today was reminded of it (the clock's checks), nothing else
            want = ["renfort : votre diplôme expire le %s. Renouvelez-le et indiquez la nouvelle date sur votre page."
                    % today.strftime("%d/%m/%Y")] if rule == "credential" else []
            self.assertEqual([m.text for m in self.kannel.received() if m.receiver == v["phone"]], want, rule)
        # the English ones in English
        self.assertTrue(all(t.startswith("renfort:") for t in self.expected[E[8]["phone"]]))

        # the coordinator's websocket: R1's events, in order
        def mine(ev):
            d = ev.get("data") or {}
            return d.get("request_id") == r1["id"] or (ev["event"].startswith("deployment.request") and d.get("id") == r1["id"])
        seq = [e["event"] for _, e in events.events if e["event"].startswith("deployment.") and mine(e)]
        expected = (["deployment.requested"] + ["deployment.called"] * 6 + ["deployment.wave_started",
                                                                             "deployment.request_updated"]
                    # E1 yes; E2 no; E3 not understood; E4 which
                    + ["deployment.call_updated", "deployment.assigned", "deployment.replied", "deployment.request_updated"]
                    + ["deployment.call_updated", "deployment.replied", "deployment.request_updated"]
                    + ["deployment.replied"] + ["deployment.replied"]
                    # the timeout: four expired, wave 2
                    + ["deployment.call_updated"] * 4 + ["deployment.called"] * 4
                    + ["deployment.wave_started", "deployment.request_updated"]
                    # E7 and E8: the second fills it and closes E9 and E10
                    + ["deployment.call_updated", "deployment.assigned", "deployment.replied", "deployment.request_updated"]
                    + ["deployment.call_updated", "deployment.assigned", "deployment.call_updated", "deployment.call_updated",
                       "deployment.replied", "deployment.request_updated"]
                    # E5 late, E9 after it filled
                    + ["deployment.replied", "deployment.request_updated"] * 2
                    # E7 withdraws: wave 3
                    + ["deployment.call_updated", "deployment.unassigned", "deployment.called", "deployment.called",
                       "deployment.wave_started", "deployment.replied", "deployment.request_updated"]
                    # E11 yes, E12 closed
                    + ["deployment.call_updated", "deployment.assigned", "deployment.call_updated", "deployment.replied",
                       "deployment.request_updated"])
        wait_until(lambda: len([e for _, e in events.events if e["event"].startswith("deployment.") and mine(e)])
                   >= len(expected), 10, 0.1, "every event")
        seq = [e["event"] for _, e in events.events if e["event"].startswith("deployment.") and mine(e)]
        self.assertEqual(seq, expected)
        seqs = [e["seq"] for _, e in events.events]
        self.assertEqual(seqs, sorted(seqs), "in order")
        self.assertIn("alert.opened", [e["event"] for _, e in events.events if (e.get("data") or {}).get("request_id")
                                       == r2["id"]])


if __name__ == "__main__":
    unittest.main()
