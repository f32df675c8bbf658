"""Issue 12, availability and credentials: windows a volunteer keeps on their page or a coordinator
keeps for them (unavailable from ... until ..., available only on ...), SMS INDISPO with a number of
days or a date and DISPO, the three-value availability as what holds now (kept current when a
window or an assigned shift begins or ends, test clock), the matching honouring windows, the
reminder SMS of a credential about to expire (once), the list of who expires soon (a coordinator's
territory, a volunteer's own), and erasure."""

import datetime
import itertools
import unittest
import zoneinfo

import samples
from deploy_support import DeployServerTest, request_body

SECRET = "kx-avail"
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
MIN = 60 * 1000
HOUR = 60 * MIN
_skill = itertools.count(1)


class AvailabilityTest(DeployServerTest):
    secret = SECRET

    def now(self):
        return datetime.datetime.fromisoformat(self.d.advance(0)["now"].replace("Z", "+00:00")).astimezone(PARIS)

    def path(self, v, suffix=""):
        return "/api/v1/volunteers/%d/availability%s" % (v["id"], suffix)

    def preview_rule(self, s, skill, v, shift):
        p = self.d.ok("POST", "/api/v1/deployments/preview?volunteer_id=%d" % v["id"], body=request_body(
            s["id"], count=1, skills=[skill], credentials=["diploma"], shifts=[shift]))
        return p["candidates"][0]["rank"] if p["candidates"] else p["excluded"][0]["rule"]


class Windows(AvailabilityTest):
    def test_windows_on_the_page_and_in_the_matching(self):
        skill = "skill-a%d" % next(_skill)
        s = self.d.structure()
        v = self.d.volunteer(skills=[skill])
        tok = self.server.token("volunteer", subject=v["id"])
        shift = {"start": "2030-03-02T07:00", "end": "2030-03-02T19:00"}
        self.assertEqual(self.preview_rule(s, skill, v, shift), 1)
        got = self.d.ok("GET", self.path(v), token=tok)
        self.assertEqual((got["availability"], got["windows"]), ("available", []))
        # unavailable over the weekend, from the page
        w = self.d.ok("POST", self.path(v), 201, token=tok, body={
            "kind": "unavailable", "start": "2030-03-01T18:00", "end": "2030-03-04T08:00"})
        self.assertEqual((w["availability"], w["window"]["source"], w["window"]["start"], w["window"]["end"]),
                         ("available", "web", "2030-03-01T17:00:00.000Z", "2030-03-04T07:00:00.000Z"))
        self.assertEqual(self.preview_rule(s, skill, v, shift), "availability")
        p = self.d.ok("POST", "/api/v1/deployments/preview?volunteer_id=%d" % v["id"], body=request_body(
            s["id"], count=1, skills=[skill], credentials=["diploma"], shifts=[shift]))
        self.assertEqual(p["excluded"][0]["reason"], "unavailable from 2030-03-01 18:00 to 2030-03-04 08:00")
        # removed: callable again
        got = self.d.ok("DELETE", self.path(v, "/%d" % w["window"]["id"]), token=tok)
        self.assertEqual(got, {"id": w["window"]["id"], "deleted": True, "availability": "available"})
        self.assertEqual(self.preview_rule(s, skill, v, shift), 1)
        # available only on Saturday 2 March, 06:00 to 20:00: that shift yes, Sunday's not
        self.d.ok("POST", self.path(v), 201, token=tok, body={
            "kind": "available", "start": "2030-03-02T06:00", "end": "2030-03-02T20:00"})
        self.assertEqual(self.preview_rule(s, skill, v, shift), 1)
        self.assertEqual(self.preview_rule(s, skill, v, {"start": "2030-03-03T07:00", "end": "2030-03-03T19:00"}),
                         "availability")
        self.assertEqual(self.d.ok("GET", self.path(v), token=tok)["availability"], "unavailable",
                         "available only on the 2nd: not now")

    def test_who_may_and_what_is_refused(self):
        v = self.d.volunteer()
        other = self.d.volunteer()
        tok = self.server.token("volunteer", subject=v["id"])
        good = {"kind": "unavailable", "start": "2030-03-01T18:00", "end": "2030-03-04T08:00"}
        cases = [
            (tok, other, good, 404, "id", "not_found"),
            (self.coord34, v, good, 404, "id", "not_found"),
            (tok, v, dict(good, kind="busy"), 422, "kind", "invalid"),
            (tok, v, {"start": good["start"]}, 422, "kind", "required"),
            (tok, v, dict(good, end="2030-03-01T17:00"), 422, "end", "invalid"),
            (tok, v, dict(good, start="2020-01-01T00:00", end="2020-01-02T00:00"), 422, "end", "invalid"),
            (tok, v, dict(good, end="2031-03-04T08:00"), 422, "end", "invalid"),
            (tok, v, {"kind": "available", "start": good["start"]}, 422, "end", "required"),
            (tok, v, {"kind": "available", "end": good["end"]}, 422, "start", "required"),
            (tok, v, dict(good, start="soon"), 422, "start", "invalid"),
            (tok, v, dict(good, note="x"), 422, "note", "unknown_field"),
        ]
        for token, who, body, status, field, code in cases:
            with self.subTest(body=body), self.unchanged():
                self.assertError(self.server.http("POST", self.path(who), token, body=body), status, field, code)
        w = self.d.ok("POST", self.path(v), 201, token=self.coord81, body=good)
        self.assertEqual(w["window"]["source"], "api")
        with self.unchanged():
            self.assertError(self.server.http("DELETE", self.path(other, "/%d" % w["window"]["id"]), self.admin), 404,
                             "window_id",
                             "not_found")
            self.assertError(self.server.http("GET", self.path(v), self.coord34), 404, "id", "not_found")


class BySms(AvailabilityTest):
    def test_indispo_for_days_then_available_again(self):
        skill = "skill-b%d" % next(_skill)
        v = self.d.volunteer(skills=[skill])
        ws = self.server.ws(self.coord81)
        ws.request("subscribe", params={"topics": ["volunteer:%d" % v["id"]]})
        now = self.now()
        since = self.d.last_sms_id()
        self.d.sms_in(v["phone"], "INDISPO 3 jours")
        last_day = (now + datetime.timedelta(days=2)).date()
        self.assertEqual(self.d.texts_to(v["phone"], since), [
            ("reply", "renfort : indisponibilité enregistrée jusqu'au %s inclus. DISPO quand vous pourrez à nouveau."
             % last_day.strftime("%d/%m"))])
        got = self.d.ok("GET", self.path(v))
        self.assertEqual(got["availability"], "unavailable")
        end = datetime.datetime.combine(last_day + datetime.timedelta(days=1), datetime.time(0, 0), PARIS)
        self.assertEqual([(w["kind"], w["source"], w["end"]) for w in got["windows"]],
                         [("unavailable", "sms", end.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z"))])
        ev = ws.next_event()
        self.assertEqual((ev["event"], ev["data"]), ("volunteer.updated", {"id": v["id"], "availability": "unavailable",
                                                                           "source": "sms"}))
        # three days later the window has ended: available again, said as the window's
        self.d.advance(int((end - now).total_seconds() * 1000) + MIN)
        self.assertEqual(self.d.ok("GET", "/api/v1/volunteers/%d" % v["id"])["availability"], "available")
        ev = ws.next_event()
        self.assertEqual((ev["event"], ev["data"]), ("volunteer.updated", {"id": v["id"], "availability": "available",
                                                                           "source": "window"}))
        ws.close()

    def test_indispo_until_a_date_and_dispo(self):
        v = self.d.volunteer(sms_lang="en")
        now = self.now()
        day = (now + datetime.timedelta(days=10)).date()
        since = self.d.last_sms_id()
        self.d.sms_in(v["phone"], "UNAVAILABLE until %s" % day.isoformat())
        self.assertEqual(self.d.texts_to(v["phone"], since)[-1],
                         ("reply", "renfort: unavailability recorded through %s. AVAILABLE when you can again."
                          % day.strftime("%d/%m")))
        self.assertEqual(len(self.d.ok("GET", self.path(v))["windows"]), 1)
        # DISPO: the unavailability ends now
        self.d.sms_in(v["phone"], "DISPO")
        got = self.d.ok("GET", self.path(v))
        self.assertEqual((got["availability"], got["windows"]), ("available", []))
        # INDISPO with no date: until further notice, as before
        self.d.sms_in(v["phone"], "INDISPO")
        got = self.d.ok("GET", self.path(v))
        self.assertEqual((got["availability"], got["windows"]), ("unavailable", []))
        # a date that is none: read as no date
        self.d.sms_in(v["phone"], "DISPO")
        self.d.sms_in(v["phone"], "INDISPO 31/02")
        self.assertEqual(self.d.ok("GET", self.path(v))["availability"], "unavailable")

    def test_on_mission_during_an_assigned_shift(self):
        skill = "skill-c%d" % next(_skill)
        s = self.d.structure()
        v = self.d.volunteer(skills=[skill])
        now = self.now()
        start = now + datetime.timedelta(hours=2)
        shift = {"start": start.strftime("%Y-%m-%dT%H:%M"),
                 "end": (start + datetime.timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M")}
        r = self.d.request(request_body(s["id"], count=1, skills=[skill], credentials=["diploma"], shifts=[shift]))
        self.d.sms_in(v["phone"], "oui")
        self.assertEqual(self.d.get(r["id"])["filled"], 1)
        self.d.advance(3 * HOUR)
        self.assertEqual(self.d.ok("GET", "/api/v1/volunteers/%d" % v["id"])["availability"], "on_mission")
        self.d.advance(8 * HOUR)
        self.assertEqual(self.d.ok("GET", "/api/v1/volunteers/%d" % v["id"])["availability"], "available")


class Credentials(AvailabilityTest):
    def test_reminder_once_and_the_lists(self):
        now = self.now()
        soon = (now + datetime.timedelta(days=10)).date().isoformat()
        later = (now + datetime.timedelta(days=90)).date().isoformat()
        past = (now - datetime.timedelta(days=3)).date().isoformat()
        v = self.d.volunteer(first_name="Léa", credentials=[{"kind": "diploma", "expires_on": later},
                                                            {"kind": "first_aid", "expires_on": soon}])
        old = self.d.volunteer(first_name="Ancien", credentials=[{"kind": "diploma", "expires_on": past}])
        far = self.d.volunteer(first_name="Hérault", home_commune=samples.MONTPELLIER,
                               credentials=[{"kind": "rpps", "expires_on": soon}])
        since = self.d.last_sms_id()
        self.d.advance(0)  # the periodic check, at once
        y, m, d = soon.split("-")
        self.assertEqual(self.d.texts_to(v["phone"], since), [
            ("credential_reminder", "renfort : votre attestation de premiers secours expire le %s/%s/%s. Renouvelez-le "
                                    "et indiquez la nouvelle date sur votre page." % (d, m, y))])
        self.assertEqual(self.d.texts_to(old["phone"], since), [], "expired already: listed, not reminded")
        self.d.advance(HOUR)
        self.assertEqual(len(self.d.texts_to(v["phone"], since)), 1, "once")
        # a renewed credential, with another date, gets its own reminder when its time comes
        listed = self.d.ok("GET", "/api/v1/credentials/expiring?limit=1000", token=self.coord81)
        mine = [(x["volunteer_id"], x["kind"], x["expired"]) for x in listed["items"]
                if x["volunteer_id"] in (v["id"], old["id"], far["id"])]
        self.assertEqual(mine, [(old["id"], "diploma", True), (v["id"], "first_aid", False)])
        fresh = self.d.ok("GET", "/api/v1/credentials/expiring?expired=false&days=100&limit=1000", token=self.coord81)
        self.assertEqual([(x["volunteer_id"], x["kind"]) for x in fresh["items"] if x["volunteer_id"] in (v["id"], old["id"])],
                         [(v["id"], "first_aid"), (v["id"], "diploma")])
        # a volunteer sees their own, as a notice
        tok = self.server.token("volunteer", subject=v["id"])
        own = self.d.ok("GET", "/api/v1/credentials/expiring", token=tok)["items"]
        self.assertEqual([(x["kind"], x["expires_on"]) for x in own], [("first_aid", soon)])
        self.assertError(self.server.http("GET", "/api/v1/credentials/expiring?days=400", self.coord81), 422, "days",
                         "invalid")
        # erasure: the windows go with the rest
        w = self.d.ok("POST", self.path(v), 201, body={"kind": "unavailable", "end": later + "T00:00"})
        self.d.ok("DELETE", "/api/v1/volunteers/%d" % v["id"])
        self.assertEqual(self.server.sql("SELECT count(*) FROM volunteer_windows WHERE id = ?", (w["window"]["id"],))[0][0], 0)


if __name__ == "__main__":
    unittest.main()
