"""CSV import and CSV/JSON export: the real FINESS hospital file imports as it is; volunteers and
structures survive an export, an edit and an import into another server; exports follow scope."""

import csv
import io
import math
import os
import unittest

import samples
from harness import Server, ServerTest
from samples import ALBI, BEZIERS, CASTRES, MONTPELLIER, TOULOUSE

DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../schema/data")
FINESS_FILE = os.path.join(DATA_DIR, "occitanie-hopitaux-eurostat-2020.csv")

VOLATILE = ("id", "created_at", "updated_at")


def stable(rows):
    return [{k: v for k, v in r.items() if k not in VOLATILE} for r in rows]


class FinessImport(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with open(FINESS_FILE, "rb") as f:
            cls.raw = f.read()
        st, cls.result, _ = cls.server.http("POST", "/api/v1/structures/import", token=cls.admin, raw=cls.raw,
                                            content_type="text/csv")
        assert st == 201, cls.result
        st, cls.export, _ = cls.server.http("GET", "/api/v1/structures/export?format=json", token=cls.admin)
        assert st == 200, cls.export
        cls.by_finess = {s["finess"]: s for s in cls.export["items"]}
        with open(FINESS_FILE, encoding="utf-8") as f:
            cls.rows = list(csv.DictReader(f))

    def commune(self, insee):
        st, c, _ = self.api("GET", "/api/v1/communes/" + insee)
        self.assertEqual(st, 200, c)
        return c

    def test_every_hospital_imported(self):
        self.assertEqual(len(self.rows), 569)
        self.assertEqual(self.result["created"], 569)
        self.assertEqual(self.result["last_id"] - self.result["first_id"], 568)
        self.assertEqual(len(self.export["items"]), 569)
        self.assertEqual(len(self.by_finess), 569)

    def test_finess_numbers_are_nine_digits_of_their_departement(self):
        deps = {d["code"] for d in self.api("GET", "/api/v1/territories")[1]["items"]}
        for s in self.export["items"]:
            self.assertRegex(s["finess"], r"^\d{9}$")
            self.assertTrue(samples.luhn_ok(s["finess"]), s["finess"])
            self.assertEqual(s["finess"][:2], s["dep"], s)
            self.assertIn(s["dep"], deps)
        # the file drops the leading zero of Ariège's numbers: they come back with it
        for row in self.rows:
            self.assertIn(row["id"].zfill(9), self.by_finess, row["id"])
        foix = self.by_finess["090000175"]
        self.assertEqual((foix["dep"], foix["category"], foix["legal_form"]), ("09", "hospital", "public"))

    def test_beziers_hospital_lands_in_beziers(self):
        ch = self.by_finess["340000033"]
        beziers = self.commune(BEZIERS)
        self.assertEqual(ch["name"], "CENTRE HOSPITALIER DE BEZIERS")
        self.assertEqual((ch["commune"], ch["dep"]), (BEZIERS, "34"))
        # the file puts it near Saint-Étienne (45.43, 4.40): corrected to the commune
        self.assertEqual((ch["lat"], ch["lng"]), (beziers["lat"], beziers["lng"]))
        self.assertEqual(ch["contacts"], [{"name": None, "phone": "+33467357035", "lang": "fr", "role": "standard"}])
        # a site whose coordinates are right keeps them
        champeau = self.by_finess["340009885"]
        self.assertEqual((champeau["commune"], champeau["lat"], champeau["lng"]), (BEZIERS, 43.34602, 3.22706))

    def test_all_coordinates_near_their_commune(self):
        # no hospital is left far from its commune (the Béziers kind of error): 25 km at most
        centres = {}
        for dep in {s["dep"] for s in self.export["items"]}:
            st, page, _ = self.api("GET", "/api/v1/communes?limit=1000&dep=" + dep)
            self.assertEqual((st, page["next"]), (200, None), page.get("next"))
            centres.update({c["insee"]: (c["lat"], c["lng"]) for c in page["items"]})
        far = []
        for s in self.export["items"]:
            (lat, lng) = centres[s["commune"]]
            # equirectangular distance: plenty for 25 km
            dx = math.radians(s["lng"] - lng) * math.cos(math.radians((s["lat"] + lat) / 2))
            dy = math.radians(s["lat"] - lat)
            if 6371 * math.hypot(dx, dy) > 25.5:
                far.append((s["finess"], s["name"], s["commune"]))
        self.assertEqual(far, [])
        with_site = [s for s in self.export["items"] if " — " in s["name"]]
        self.assertTrue(with_site, "site names are kept after the hospital's")

    def test_second_import_of_the_same_file_changes_nothing(self):
        before = self.server.fingerprint()
        err = self.assertError(self.api("POST", "/api/v1/structures/import", raw=self.raw, content_type="text/csv"),
                               409, "finess", "conflict")
        self.assertEqual(err["line"], 2)
        self.assertEqual(self.server.fingerprint(), before)


class RoundTrips(ServerTest):
    @classmethod
    def prepare(cls, server):
        super().prepare(server)
        cls.c81 = server.token("coordinator", scope="81")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        mk = cls.create_record

        cls.volunteers = [
            mk("volunteers", samples.volunteer(first_name="Anne-Marie", last_name='O\'Neil, "la Grande"',
                                               email="am@example.org", gender="female", profession="nurse",
                                               skills=["geriatrics", "covid-swab"], languages=["fr", "en", "oc"],
                                               home_commune=ALBI, travel_radius_km=45, sms_lang="en",
                                               credentials=[{"kind": "diploma", "reference": "IDE 2015",
                                                             "expires_on": None},
                                                            {"kind": "rpps", "reference": "RPPS:10003456789",
                                                             "expires_on": "2031-01-31"},
                                                            {"kind": "first_aid", "expires_on": "2026-06-30"}])),
            mk("volunteers", samples.volunteer(first_name="Karim", last_name="Benali", profession="driver",
                                               skills=["heavy-vehicle"], languages=["fr", "ar"], home_commune=BEZIERS,
                                               availability="unavailable", credentials=[{"kind": "driving_licence"}])),
            mk("volunteers", samples.volunteer(first_name="Élodie", last_name="Estève", profession="psychologist",
                                               skills=[], languages=["fr"], home_commune=TOULOUSE, gender="other",
                                               credentials=[])),
        ]
        cls.structures = [
            mk("structures", samples.structure(
                name="EHPAD Les Cèdres, Albi", commune=ALBI, finess=samples.finess("81"), lat=43.93, lng=2.14,
                contacts=[{"name": "Direction", "phone": samples.phone(), "lang": "en"}])),
            mk("structures", samples.structure(name="Foyer \"La Source\"", category="disability_home",
                                               legal_form="foundation", commune=CASTRES, capacity=None, occupancy=None,
                                               staff=None, contacts=[])),
            mk("structures", samples.structure(name="Centre de santé Montpellier", category="health_centre",
                                               legal_form="mutuelle", commune=MONTPELLIER)),
        ]

    def fresh_server(self):
        srv = Server()
        self.addCleanup(srv.cleanup)  # runs last: kills a server that did not stop, removes its files
        token = srv.token("admin")
        srv.start()
        self.addCleanup(srv.stop)  # runs first: SIGTERM, exit 0, no sanitizer report
        return srv, token

    def test_volunteers_csv_round_trip(self):
        st, text, headers = self.api("GET", "/api/v1/volunteers/export")
        self.assertEqual(st, 200)
        self.assertTrue({k.lower(): v for k, v in headers.items()}["content-type"].startswith("text/csv"))
        rows = list(csv.DictReader(io.StringIO(text)))
        self.assertEqual(len(rows), 3)
        self.assertEqual(rows[0]["last_name"], 'O\'Neil, "la Grande"')
        self.assertEqual(rows[0]["skills"], "geriatrics;covid-swab")
        self.assertEqual(rows[0]["credentials"],
                         "diploma:IDE 2015:;rpps:RPPS:10003456789:2031-01-31;first_aid::2026-06-30")
        # the coordinator edits the file: Karim is available again, Élodie moves to Albi
        rows[1]["availability"] = "available"
        rows[2]["home_commune"] = ALBI
        out = io.StringIO()
        w = csv.DictWriter(out, fieldnames=list(rows[0].keys()), lineterminator="\r\n")
        w.writeheader()
        w.writerows(rows)

        other, token = self.fresh_server()
        st, res, _ = other.http("POST", "/api/v1/volunteers/import", token=token, raw=out.getvalue(),
                                content_type="text/csv")
        self.assertEqual((st, res.get("created")), (201, 3), res)
        st, exported, _ = other.http("GET", "/api/v1/volunteers/export?format=json", token=token)
        expected = stable(self.volunteers)
        expected[1]["availability"] = "available"
        expected[2]["home_commune"] = ALBI
        expected[2]["dep"] = "81"
        self.assertEqual(stable(exported["items"]), expected)

    def test_structures_csv_round_trip(self):
        st, text, _ = self.api("GET", "/api/v1/structures/export")
        self.assertEqual(st, 200)
        other, token = self.fresh_server()
        st, res, _ = other.http("POST", "/api/v1/structures/import", token=token, raw=text, content_type="text/csv")
        self.assertEqual((st, res.get("created")), (201, 3), res)
        st, exported, _ = other.http("GET", "/api/v1/structures/export?format=json", token=token)
        expected = stable(self.structures)
        for s in expected:  # the CSV carries one contact, without its role
            s["contacts"] = [dict(c, role=None) for c in s["contacts"][:1]]
        self.assertEqual(stable(exported["items"]), expected)
        # and the file exported again is the same file, but for ids and times
        st, text2, _ = other.http("GET", "/api/v1/structures/export", token=token)

        def strip(t):
            return [{k: v for k, v in r.items() if k not in VOLATILE} for r in csv.DictReader(io.StringIO(t))]
        self.assertEqual(strip(text2), strip(text))

    def test_json_export(self):
        st, exp, _ = self.api("GET", "/api/v1/volunteers/export?format=json")
        self.assertEqual(st, 200, exp)
        st, page, _ = self.api("GET", "/api/v1/volunteers?limit=1000")
        self.assertEqual(exp["items"], page["items"])
        self.assertEqual(exp["items"][0]["email"], "am@example.org")
        st, exp, _ = self.api("GET", "/api/v1/structures/export?format=json&dep=34")
        self.assertEqual([s["id"] for s in exp["items"]], [self.structures[2]["id"]])
        self.assertError(self.api("GET", "/api/v1/structures/export?format=xml"), 422, "format", "invalid")
        self.assertError(self.api("GET", "/api/v1/structures/export?colour=red"), 422, "colour", "unknown_field")

    def test_export_of_a_scoped_coordinator_holds_their_departement_only(self):
        for plural, ids in (("structures", {s["id"] for s in self.structures if s["dep"] == "81"}),
                            ("volunteers", {v["id"] for v in self.volunteers if v["dep"] == "81"})):
            with self.subTest(plural=plural):
                st, text, _ = self.api("GET", "/api/v1/%s/export" % plural, token=self.c81)
                self.assertEqual(st, 200)
                rows = list(csv.DictReader(io.StringIO(text)))
                self.assertTrue(ids)
                self.assertEqual({int(r["id"]) for r in rows}, ids)
                self.assertEqual({r["dep"] for r in rows}, {"81"})
                st, js, _ = self.api("GET", "/api/v1/%s/export?format=json" % plural, token=self.c81)
                self.assertEqual({r["id"] for r in js["items"]}, ids)
                # the whole region holds more
                st, text, _ = self.api("GET", "/api/v1/%s/export" % plural)
                self.assertGreater(len(list(csv.DictReader(io.StringIO(text)))), len(ids))


if __name__ == "__main__":
    unittest.main()
