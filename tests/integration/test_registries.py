"""The registries over HTTP: create, read, update, list and delete structures, depots, items and
volunteers; list filters and keyset paging; children (contacts, credentials) replaced on update;
département and default coordinates derived from the commune; deleting a holder of stock refused."""

import unittest

import samples
from harness import ServerTest
from samples import ALBI, BEZIERS, CASTRES, MONTPELLIER, TOULOUSE

class Crud(ServerTest):
    def commune(self, insee):
        st, c, _ = self.api("GET", "/api/v1/communes/" + insee)
        self.assertEqual(st, 200, c)
        return c

    def check_crud(self, plural, body, patch, deleted_flag="deleted"):
        made = self.create_record(plural, body)
        rid = made["id"]
        self.assertIsInstance(rid, int)
        for k, v in body.items():
            self.assertEqual(made[k], v, k)
        st, got, _ = self.api("GET", "/api/v1/%s/%d" % (plural, rid))
        self.assertEqual((st, got), (200, made))

        st, upd, _ = self.api("PATCH", "/api/v1/%s/%d" % (plural, rid), body=patch)
        self.assertEqual(st, 200, upd)
        for k, v in patch.items():
            self.assertEqual(upd[k], v, k)
        # fields not in the patch are kept
        for k, v in body.items():
            if k not in patch:
                self.assertEqual(upd[k], v, k)
        self.assertEqual(upd["created_at"], made["created_at"])
        self.assertGreaterEqual(upd["updated_at"], made["updated_at"])
        st, got, _ = self.api("GET", "/api/v1/%s/%d" % (plural, rid))
        self.assertEqual((st, got), (200, upd))

        # the list holds it, as read
        st, page, _ = self.api("GET", "/api/v1/%s?limit=1000" % plural)
        self.assertEqual(st, 200, page)
        self.assertIn(upd, page["items"])

        st, gone, _ = self.api("DELETE", "/api/v1/%s/%d" % (plural, rid))
        self.assertEqual((st, gone), (200, {"id": rid, deleted_flag: True}))
        self.assertError(self.api("GET", "/api/v1/%s/%d" % (plural, rid)), 404, "id", "not_found")
        self.assertError(self.api("DELETE", "/api/v1/%s/%d" % (plural, rid)), 404, "id", "not_found")
        self.assertError(self.api("PATCH", "/api/v1/%s/%d" % (plural, rid), body=patch), 404, "id", "not_found")
        st, page, _ = self.api("GET", "/api/v1/%s?limit=1000" % plural)
        self.assertNotIn(rid, [r["id"] for r in page["items"]])
        return made

    def test_structure_crud(self):
        body = samples.structure(finess=samples.finess("81"), commune=ALBI)
        made = self.check_crud("structures", body, {"name": "EHPAD renamed", "capacity": 90, "occupancy": 85,
                                                    "status": "closed", "legal_form": "foundation"})
        self.assertEqual(made["dep"], "81")
        self.assertEqual(made["status"], "active")  # the default

    def test_depot_crud(self):
        made = self.check_crud("depots", samples.depot(commune=MONTPELLIER, phone="+33467000000"),
                               {"name": "Socle 34 bis", "level": "regional", "phone": None})
        self.assertEqual(made["dep"], "34")

    def test_item_crud(self):
        self.check_crud("items", samples.item(), {"name": "Renamed item", "burn_per_worker_day": 0.5,
                                                  "reusable": True, "burn_per_bed_day": None})

    def test_item_code_is_immutable(self):
        made = self.create_record("items", samples.item())
        self.assertError(self.api("PATCH", "/api/v1/items/%d" % made["id"], body={"code": "other-code"}), 422,
                         "code", "immutable")
        st, got, _ = self.api("GET", "/api/v1/items/%d" % made["id"])
        self.assertEqual(got["code"], made["code"])

    def test_item_catalogue_seeded(self):
        st, page, _ = self.api("GET", "/api/v1/items?q=Alcohol-based")
        self.assertEqual(st, 200)
        rub = [i for i in page["items"] if i["code"] == "alcohol-based-hand-rub"]
        self.assertEqual(len(rub), 1, page)
        self.assertAlmostEqual(rub[0]["burn_per_patient_day"], 0.01)

    def test_volunteer_crud(self):
        body = samples.volunteer(email="camille@example.org", gender="female", skills=["geriatrics", "covid-swab"],
                                 languages=["fr", "oc"], home_commune=CASTRES)
        made = self.check_crud("volunteers", body, {"availability": "on_mission", "travel_radius_km": 80,
                                                    "skills": ["palliative-care"], "email": None},
                               deleted_flag="erased")
        self.assertEqual(made["dep"], "81")
        self.assertEqual(made["status"], "active")
        self.assertEqual(made["sms_lang"], "fr")

    def test_dep_and_coordinates_from_commune(self):
        albi, beziers, toulouse = self.commune(ALBI), self.commune(BEZIERS), self.commune(TOULOUSE)
        s = self.create_record("structures", samples.structure(commune=BEZIERS))
        self.assertEqual((s["dep"], s["lat"], s["lng"]), ("34", beziers["lat"], beziers["lng"]))
        # explicit coordinates are kept
        s2 = self.create_record("structures", samples.structure(commune=ALBI, lat=43.93, lng=2.15))
        self.assertEqual((s2["dep"], s2["lat"], s2["lng"]), ("81", 43.93, 2.15))
        self.assertNotEqual((s2["lat"], s2["lng"]), (albi["lat"], albi["lng"]))
        # a new commune without coordinates moves the point to its centre, and the département with it
        st, moved, _ = self.api("PATCH", "/api/v1/structures/%d" % s2["id"], body={"commune": TOULOUSE})
        self.assertEqual(st, 200, moved)
        self.assertEqual((moved["dep"], moved["lat"], moved["lng"]), ("31", toulouse["lat"], toulouse["lng"]))
        # a new commune with coordinates keeps them
        st, moved, _ = self.api("PATCH", "/api/v1/structures/%d" % s2["id"],
                                body={"commune": ALBI, "lat": 43.91, "lng": 2.14})
        self.assertEqual((moved["dep"], moved["lat"], moved["lng"]), ("81", 43.91, 2.14))
        # null coordinates are refused on a structure (they are required in the database)
        st, body, _ = self.api("PATCH", "/api/v1/structures/%d" % s2["id"], body={"lat": None})
        self.assertTrue(400 <= st < 500, body)
        d = self.create_record("depots", samples.depot(commune=TOULOUSE))
        self.assertEqual((d["dep"], d["lat"], d["lng"]), ("31", toulouse["lat"], toulouse["lng"]))
        v = self.create_record("volunteers", samples.volunteer(home_commune=BEZIERS))
        self.assertEqual(v["dep"], "34")
        st, v2, _ = self.api("PATCH", "/api/v1/volunteers/%d" % v["id"], body={"home_commune": ALBI})
        self.assertEqual((st, v2["dep"]), (200, "81"))

    def test_structure_contacts_replaced_on_update(self):
        p1, p2, p3 = samples.phone(), samples.phone(), samples.phone()
        s = self.create_record("structures", samples.structure(contacts=[
            {"name": "Direction", "phone": p1, "lang": "fr", "role": "direction"},
            {"name": "Cadre de santé", "phone": p2, "lang": "en", "role": "nursing"}]))
        self.assertEqual([c["phone"] for c in s["contacts"]], [p1, p2])
        url = "/api/v1/structures/%d" % s["id"]
        st, u, _ = self.api("PATCH", url, body={"contacts": [{"phone": p3}]})
        self.assertEqual(st, 200, u)
        self.assertEqual(u["contacts"], [{"name": None, "phone": p3, "lang": "fr", "role": None}])
        # a patch without contacts keeps them
        st, u, _ = self.api("PATCH", url, body={"staff": 12})
        self.assertEqual(u["contacts"], [{"name": None, "phone": p3, "lang": "fr", "role": None}])
        # an empty list clears them
        st, u, _ = self.api("PATCH", url, body={"contacts": []})
        self.assertEqual((st, u["contacts"]), (200, []))
        st, got, _ = self.api("GET", url)
        self.assertEqual(got["contacts"], [])

    def test_volunteer_credentials_replaced_on_update(self):
        v = self.create_record("volunteers", samples.volunteer(credentials=[
            {"kind": "diploma", "reference": "IDE-1", "expires_on": None},
            {"kind": "first_aid", "expires_on": "2027-06-30"}]))
        self.assertEqual(v["credentials"], [{"kind": "diploma", "reference": "IDE-1", "expires_on": None},
                                            {"kind": "first_aid", "reference": None, "expires_on": "2027-06-30"}])
        url = "/api/v1/volunteers/%d" % v["id"]
        licence = {"kind": "driving_licence", "expires_on": "2031-01-01"}
        st, u, _ = self.api("PATCH", url, body={"credentials": [licence]})
        self.assertEqual(st, 200, u)
        self.assertEqual(u["credentials"], [{"kind": "driving_licence", "reference": None, "expires_on": "2031-01-01"}])
        st, u, _ = self.api("PATCH", url, body={"availability": "unavailable"})
        self.assertEqual(len(u["credentials"]), 1)
        st, u, _ = self.api("PATCH", url, body={"credentials": []})
        self.assertEqual((st, u["credentials"]), (200, []))

    def test_holders_of_stock_cannot_be_deleted(self):
        s = self.create_record("structures", samples.structure())
        d = self.create_record("depots", samples.depot())
        it = self.create_record("items", samples.item())
        for kind, holder in (("structure", s), ("depot", d)):
            st, rep, _ = self.api("POST", "/api/v1/stock/reports", headers={"Idempotency-Key": "hold-%s" % kind},
                                  body={"holder_kind": kind, "holder_id": holder["id"],
                                        "items": [{"item": it["code"], "quantity": 10}]})
            self.assertTrue(200 <= st < 300, rep)
        before = self.server.fingerprint()
        for plural, row in (("structures", s), ("depots", d), ("items", it)):
            with self.subTest(plural=plural):
                err = self.assertError(self.api("DELETE", "/api/v1/%s/%d" % (plural, row["id"])), 409, "id", "in_use")
                self.assertIn("stock", err["rule"])
                self.assertEqual(self.api("GET", "/api/v1/%s/%d" % (plural, row["id"]))[0], 200)
        self.assertEqual(self.server.fingerprint(), before)

    def test_occupancy_checked_against_stored_capacity(self):
        s = self.create_record("structures", samples.structure(capacity=50, occupancy=10))
        url = "/api/v1/structures/%d" % s["id"]
        self.assertError(self.api("PATCH", url, body={"occupancy": 51}), 422, "occupancy", "invalid")
        self.assertError(self.api("PATCH", url, body={"capacity": 9}), 422, "occupancy", "invalid")
        st, u, _ = self.api("PATCH", url, body={"capacity": 60, "occupancy": 60})
        self.assertEqual((st, u["capacity"], u["occupancy"]), (200, 60, 60))


class Filters(ServerTest):
    """A server with a known population, so that every filter's answer is exact."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.s = {}
        mk = cls.create_record

        cls.s["albi_ehpad_assoc"] = mk("structures", samples.structure(name="EHPAD Les Cèdres", commune=ALBI))
        cls.s["albi_hosp_public"] = mk("structures", samples.structure(
            name="Centre hospitalier d'Albi", category="hospital", legal_form="public", commune=ALBI,
            finess=samples.finess("81")))
        cls.s["castres_ehpad_mutuelle"] = mk("structures", samples.structure(name="EHPAD La Roseraie", commune=CASTRES,
                                                                             legal_form="mutuelle"))
        cls.s["beziers_ehpad_assoc"] = mk("structures", samples.structure(name="EHPAD Les Oliviers", commune=BEZIERS))
        cls.s["mtp_shelter_coop"] = mk("structures", samples.structure(name="Centre d'hébergement Les Cèdres",
                                                                       category="shelter", legal_form="cooperative",
                                                                       commune=MONTPELLIER, capacity=None,
                                                                       occupancy=None))
        cls.v = {}
        cls.v["nurse_albi"] = mk("volunteers", samples.volunteer(
            profession="nurse", skills=["geriatrics", "covid-swab"], languages=["fr", "en"], home_commune=ALBI))
        cls.v["nurse_beziers"] = mk("volunteers", samples.volunteer(profession="nurse", skills=["covid-swab"],
                                                                    languages=["fr", "es"], home_commune=BEZIERS,
                                                                    availability="unavailable"))
        cls.v["driver_castres"] = mk("volunteers", samples.volunteer(profession="driver", skills=["heavy-vehicle"],
                                                                     languages=["fr"], home_commune=CASTRES,
                                                                     credentials=[]))
        cls.v["doctor_mtp"] = mk("volunteers", samples.volunteer(profession="doctor", skills=[], languages=["fr", "en"],
                                                                 home_commune=MONTPELLIER, availability="on_mission"))

    def ids(self, path):
        st, page, _ = self.api("GET", path)
        self.assertEqual(st, 200, page)
        self.assertEqual(page["total"], len(page["items"]), page)
        return sorted(r["id"] for r in page["items"])

    def expect(self, path, table, *names):
        self.assertEqual(self.ids(path), sorted(table[n]["id"] for n in names), path)

    def test_structure_filters(self):
        s = self.s
        self.expect("/api/v1/structures", s, *s.keys())
        self.expect("/api/v1/structures?dep=81", s, "albi_ehpad_assoc", "albi_hosp_public", "castres_ehpad_mutuelle")
        self.expect("/api/v1/structures?dep=34", s, "beziers_ehpad_assoc", "mtp_shelter_coop")
        self.expect("/api/v1/structures?dep=09", s)
        self.expect("/api/v1/structures?category=ehpad", s, "albi_ehpad_assoc", "castres_ehpad_mutuelle",
                    "beziers_ehpad_assoc")
        self.expect("/api/v1/structures?category=ehpad&dep=81", s, "albi_ehpad_assoc", "castres_ehpad_mutuelle")
        self.expect("/api/v1/structures?legal_form=association", s, "albi_ehpad_assoc", "beziers_ehpad_assoc")
        self.expect("/api/v1/structures?legal_form=cooperative", s, "mtp_shelter_coop")
        self.expect("/api/v1/structures?commune=" + ALBI, s, "albi_ehpad_assoc", "albi_hosp_public")
        self.expect("/api/v1/structures?finess=" + s["albi_hosp_public"]["finess"], s, "albi_hosp_public")
        self.expect("/api/v1/structures?q=C%C3%A8dres", s, "albi_ehpad_assoc", "mtp_shelter_coop")
        self.expect("/api/v1/structures?q=c%C3%A8dres&category=shelter", s, "mtp_shelter_coop")
        self.expect("/api/v1/structures?q=hospitalier", s, "albi_hosp_public")
        self.expect("/api/v1/structures?q=nothing-like-this", s)
        self.expect("/api/v1/structures?status=active", s, *s.keys())
        self.expect("/api/v1/structures?status=closed", s)

    def test_volunteer_filters(self):
        v = self.v
        self.expect("/api/v1/volunteers", v, *v.keys())
        self.expect("/api/v1/volunteers?dep=34", v, "nurse_beziers", "doctor_mtp")
        self.expect("/api/v1/volunteers?profession=nurse", v, "nurse_albi", "nurse_beziers")
        self.expect("/api/v1/volunteers?profession=nurse&dep=81", v, "nurse_albi")
        self.expect("/api/v1/volunteers?availability=available", v, "nurse_albi", "driver_castres")
        self.expect("/api/v1/volunteers?availability=on_mission", v, "doctor_mtp")
        self.expect("/api/v1/volunteers?skills=covid-swab", v, "nurse_albi", "nurse_beziers")
        self.expect("/api/v1/volunteers?skills=covid", v)  # whole words, not substrings
        self.expect("/api/v1/volunteers?skills=heavy-vehicle", v, "driver_castres")
        self.expect("/api/v1/volunteers?languages=en", v, "nurse_albi", "doctor_mtp")
        self.expect("/api/v1/volunteers?languages=es&skills=covid-swab", v, "nurse_beziers")
        self.expect("/api/v1/volunteers?home_commune=" + CASTRES, v, "driver_castres")

    def test_depot_and_item_filters(self):
        d1 = self.api("POST", "/api/v1/depots", body=samples.depot(name="Socle régional test", level="regional",
                                                                     commune=TOULOUSE))[1]
        d2 = self.api("POST", "/api/v1/depots", body=samples.depot(name="Socle Tarn test", commune=ALBI))[1]
        self.assertEqual(self.ids("/api/v1/depots?level=regional"), [d1["id"]])
        self.assertEqual(self.ids("/api/v1/depots?dep=81"), [d2["id"]])
        self.assertEqual(self.ids("/api/v1/depots?q=Tarn"), [d2["id"]])
        st, page, _ = self.api("GET", "/api/v1/items?category=IPC&limit=1000")
        self.assertEqual(st, 200)
        self.assertGreater(page["total"], 0)
        self.assertTrue(all(i["category"] == "IPC" for i in page["items"]), page)
        st, page, _ = self.api("GET", "/api/v1/items?q=respirator&limit=1000")
        self.assertIn("respirator", [i["code"] for i in page["items"]])
        self.assertTrue(all("respirator" in i["name"].lower() for i in page["items"]), page)

    def test_bad_filters_refused(self):
        self.assertError(self.api("GET", "/api/v1/structures?color=red"), 422, "color", "unknown_field")
        self.assertError(self.api("GET", "/api/v1/structures?capacity=3"), 422, "capacity", "unknown_field")
        self.assertError(self.api("GET", "/api/v1/structures?category=zoo"), 422, "category", "invalid")
        self.assertError(self.api("GET", "/api/v1/structures?dep=811"), 422, "dep", "invalid")
        self.assertError(self.api("GET", "/api/v1/structures?commune=abc"), 422, "commune", "invalid")
        self.assertError(self.api("GET", "/api/v1/volunteers?profession=astronaut"), 422, "profession", "invalid")
        self.assertError(self.api("GET", "/api/v1/volunteers?skills=Not%20A%20Word"), 422, "skills", "invalid")
        self.assertError(self.api("GET", "/api/v1/volunteers?languages=fra"), 422, "languages", "invalid")
        # volunteers have no name field: a "q" that would be ignored is refused instead
        self.assertError(self.api("GET", "/api/v1/volunteers?q=Martin"), 422, "q", "unknown_field")



class Paging(ServerTest):
    def ids(self, path):
        st, page, _ = self.api("GET", path)
        self.assertEqual(st, 200, page)
        return [r["id"] for r in page["items"]]

    def test_keyset_paging(self):
        # 7 rows under one name, read 3 by 3
        made = []
        for i in range(7):
            st, s, _ = self.api("POST", "/api/v1/structures", body=samples.structure(name="Paging home %d" % i,
                                                                                      commune=TOULOUSE))
            made.append(s["id"])
        seen, after, pages = [], None, 0
        while True:
            path = "/api/v1/structures?q=Paging%20home&limit=3" + ("&after=" + after if after else "")
            st, page, _ = self.api("GET", path)
            self.assertEqual(st, 200, page)
            self.assertEqual(page["total"], 7)  # the whole filtered set, not the page
            pages += 1
            seen += [r["id"] for r in page["items"]]
            if page["next"] is None:
                self.assertLess(len(page["items"]), 3)
                break
            self.assertEqual(len(page["items"]), 3)
            self.assertEqual(page["next"], str(page["items"][-1]["id"]))
            after = page["next"]
        self.assertEqual(pages, 3)
        self.assertEqual(seen, sorted(made))
        # a page that ends exactly at the last row still says "next"; the page after is empty
        st, page, _ = self.api("GET", "/api/v1/structures?q=Paging%20home&limit=7")
        self.assertEqual(len(page["items"]), 7)
        st, page, _ = self.api("GET", "/api/v1/structures?q=Paging%20home&limit=7&after=" + page["next"])
        self.assertEqual((page["items"], page["next"], page["total"]), ([], None, 7))
        # rows created after a page was read come at the end, without shifting what was read
        st, first, _ = self.api("GET", "/api/v1/structures?q=Paging%20home&limit=3")
        self.api("POST", "/api/v1/structures", body=samples.structure(name="Paging home late", commune=TOULOUSE))
        st, second, _ = self.api("GET", "/api/v1/structures?q=Paging%20home&limit=3&after=" + first["next"])
        self.assertEqual([r["id"] for r in second["items"]], sorted(made)[3:6])
        self.assertEqual(second["total"], 8)

    def test_paging_limits(self):
        st, page, _ = self.api("GET", "/api/v1/structures")
        self.assertLessEqual(len(page["items"]), 50)
        self.assertError(self.api("GET", "/api/v1/structures?limit=0"), 422, "limit", "invalid")
        self.assertError(self.api("GET", "/api/v1/structures?limit=1001"), 422, "limit", "invalid")
        self.assertError(self.api("GET", "/api/v1/structures?limit=ten"), 422, "limit", "invalid")
        self.assertError(self.api("GET", "/api/v1/structures?after=-1"), 422, "after", "invalid")
        self.assertError(self.api("GET", "/api/v1/structures?after=x"), 422, "after", "invalid")


class DemoHolders(ServerTest):
    """The demo region: structures, depots and items hold stock, so they cannot be deleted."""

    demo = True

    def test_structure_with_stock_cannot_be_deleted(self):
        st, page, _ = self.api("GET", "/api/v1/structures?limit=1&dep=34")
        self.assertEqual(st, 200)
        sid = page["items"][0]["id"]
        before = self.api("GET", "/api/v1/structures/%d" % sid)[1]
        self.assertError(self.api("DELETE", "/api/v1/structures/%d" % sid), 409, "id", "in_use")
        st, after, _ = self.api("GET", "/api/v1/structures/%d" % sid)
        self.assertEqual((st, after), (200, before))
        # closing it is the way
        st, closed, _ = self.api("PATCH", "/api/v1/structures/%d" % sid, body={"status": "closed"})
        self.assertEqual((st, closed["status"]), (200, "closed"))

    def test_depot_with_stock_cannot_be_deleted(self):
        st, page, _ = self.api("GET", "/api/v1/depots?level=regional")
        self.assertEqual(st, 200)
        did = page["items"][0]["id"]
        self.assertError(self.api("DELETE", "/api/v1/depots/%d" % did), 409, "id", "in_use")
        self.assertEqual(self.api("GET", "/api/v1/depots/%d" % did)[0], 200)

    def test_item_with_stock_cannot_be_deleted(self):
        st, page, _ = self.api("GET", "/api/v1/items?q=Respirator")
        rid = [i["id"] for i in page["items"] if i["code"] == "respirator"][0]
        self.assertError(self.api("DELETE", "/api/v1/items/%d" % rid), 409, "id", "in_use")
        self.assertEqual(self.api("GET", "/api/v1/items/%d" % rid)[0], 200)

    def test_structure_without_stock_can_be_deleted(self):
        st, s, _ = self.api("POST", "/api/v1/structures", body=samples.structure())
        self.assertEqual(st, 201, s)
        st, gone, _ = self.api("DELETE", "/api/v1/structures/%d" % s["id"])
        self.assertEqual((st, gone), (200, {"id": s["id"], "deleted": True}))

    def test_demo_region_is_populated(self):
        st, page, _ = self.api("GET", "/api/v1/structures?limit=1")
        self.assertGreater(page["total"], 2000)
        st, page, _ = self.api("GET", "/api/v1/volunteers?limit=1")
        self.assertGreaterEqual(page["total"], 2000)
        st, page, _ = self.api("GET", "/api/v1/depots")
        self.assertGreaterEqual(page["total"], 3)


if __name__ == "__main__":
    unittest.main()
