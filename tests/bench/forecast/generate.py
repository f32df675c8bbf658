#!/usr/bin/env python3
"""Writes the forecast benchmark's scenarios (tests/bench/forecast/scenarios/*.json) from public data:

- schema/data/ars-occitanie-daily.csv: ARS Occitanie's daily hospital figures, March 2020, per
  département (hospitalised, intensive care), as opencovid19-fr published them;
- schema/data/who-esft-2022-equipment.csv: the WHO Essential Supplies Forecasting Tool's use per
  health worker caring for COVID patients, per day;
- schema/data/occitanie-hopitaux-eurostat-2020.csv: Occitanie's hospitals (FINESS), for names and
  places; schema/data/occitanie-communes.csv for their communes.

The scenarios (each one a JSON file the replay and `renfortd exercise` read):

- wave: the first wave in Occitanie's hospitals, 1-31 March 2020. Each département's COVID patients
  are its published figures (20-31 March; before the 20th, when the bulletins gave none, the
  region's figures of the 20th shared as on the 20th and extended back at 20% a day, the growth of
  the first published days), shared among its hospitals by beds. Use = an ordinary use per bed
  (assumed, below) + the ESFT's use per worker x one worker-day per severe patient-day and two per
  intensive-care one; day-to-day noise of 15%. Daily counts around 8:00 (one in twenty missed),
  weekly deliveries of the week's use; masks and respirators rationed (at most 1.5 times the week's
  ordinary use, as the March 2020 requisitions were).
- cluster: the same hospitals at their ordinary use; on day 14 the use of every item triples in every
  hospital of the Hérault (34), and stays so.
- calm: nursing homes (generated, in the communes of the region) at a steady, then declining use,
  counted daily and delivered fortnightly: stock-outs are not expected, alerts are false alarms.

With --exercise, only the exercise's scenario (for `renfortd exercise`, into clients/exercise/scenarios
by default; not one of the benchmark's):

- wave-cluster: the wave, and on top of it, on day 18 at a random time, the use of every item
  tripling in the Hérault's hospitals (a cluster) and staying so.

Assumptions that are not data (stated here and in the scenario files): the ordinary use per bed, the
worker-days per patient-day, the noise, the stock on day 0 (2 to 5 weeks), the delivery policy.

  generate.py [--out DIR] [--seed N] [--small] [--exercise]
  (--small: a few structures, for the smoke test; --exercise: the exercise's scenario only)
"""

import argparse
import csv
import datetime
import json
import math
import os
import random
import re
import sys
import unicodedata

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../.."))
DATA = os.path.join(ROOT, "schema", "data")

ITEMS = ["gloves-examination", "gown-protective", "respirator", "mask-medical-surgical-for-healthworker"]
# ordinary (non-COVID) use per bed per day: assumptions of this generator, orders of magnitude
ORDINARY_PER_BED = {"gloves-examination": 8.0, "gown-protective": 0.3, "respirator": 0.02,
                    "mask-medical-surgical-for-healthworker": 1.5}
RATIONED = {"respirator", "mask-medical-surgical-for-healthworker"}
# nursing homes: per resident per day
EHPAD_ITEMS = ["gloves-examination", "gown-protective", "mask-medical-surgical-for-healthworker", "alcohol-based-hand-rub"]
EHPAD_PER_RESIDENT = {"gloves-examination": 3.0, "gown-protective": 0.2, "mask-medical-surgical-for-healthworker": 1.2,
                      "alcohol-based-hand-rub": 0.03}
NOISE = 0.15
BACK_GROWTH = 0.20


def slug(text):
    t = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", t).strip("-")


def esft_per_worker():
    rates = {}
    with open(os.path.join(DATA, "who-esft-2022-equipment.csv"), newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            v = r["amount_per_inpatient_hcw_per_day"]
            rates[slug(r["item"])] = float(v) if v else 0.0
    return rates


def communes():
    by_postcode, by_dep = {}, {}
    with open(os.path.join(DATA, "occitanie-communes.csv"), newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            by_postcode.setdefault(r["code_postal"], r["insee_com"])
            by_dep.setdefault(r["insee_dep"], []).append(r["insee_com"])
    return by_postcode, by_dep


def ars_figures():
    """{dep: {date: (hospitalised, intensive_care)}}, the rows as they are."""
    out, rows = {}, []
    with open(os.path.join(DATA, "ars-occitanie-daily.csv"), newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            rows.append(r)
            if r["hospitalised"]:
                out.setdefault(r["departement_code"], {})[r["date"]] = (int(r["hospitalised"]),
                                                                       int(r["intensive_care"] or 0))
    return out, rows


def patients(figures, dep, day, start):
    """(severe, intensive care) patients of dep on day (days after start)."""
    date = start + datetime.timedelta(days=day)
    d = figures.get(dep, {})
    key = date.isoformat()
    if key in d:
        h, c = d[key]
        return max(0, h - c), c
    first = min(d) if d else None
    if first is None:
        return 0.0, 0.0
    h, c = d[first]
    back = (datetime.date.fromisoformat(first) - date).days
    if back <= 0:  # after the last published day: the last one
        h, c = d[max(d)]
        return max(0, h - c), c
    f = math.exp(-BACK_GROWTH * back)
    return max(0.0, h - c) * f, c * f


def hospitals(rng, per_dep, by_postcode, by_dep):
    picked = {}
    with open(os.path.join(DATA, "occitanie-hopitaux-eurostat-2020.csv"), newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            kind = r["facility_type"]
            if kind not in ("Centre Hospitalier (C.H.)", "Centre Hospitalier Régional (C.H.R.)"):
                continue
            dep = r["id"].zfill(9)[:2]
            name = r["hospital_name"].strip()
            picked.setdefault(dep, {}).setdefault(name, (r, kind))
    out = []
    for dep in sorted(picked):
        names = sorted(picked[dep])
        for name in sorted(rng.sample(names, min(per_dep, len(names)))):
            r, kind = picked[dep][name]
            commune = by_postcode.get(r["postcode"].zfill(5)) or by_dep[dep][0]
            beds = rng.randint(400, 1200) if "Régional" in kind else rng.randint(100, 450)
            out.append({"dep": dep, "name": name.title()[:120], "commune": commune, "beds": beds})
    return out


def weekly_deliveries(rng, key, item, use, days, weekday, cap=None, every=7):
    """A delivery every `every` days at 14:00 of what was used in the interval before (x 0.9-1.1),
    at most cap a delivery."""
    out = []
    for d in range(1, days):
        if d % every != weekday % every:
            continue
        used = sum(use[max(0, d - every):d])
        q = used * rng.uniform(0.9, 1.1)
        if cap is not None:
            q = min(q, cap)
        if q >= 1:
            out.append({"structure": key, "item": item, "day": d, "minute": 14 * 60, "quantity": int(round(q))})
    return out


def counts(rng, keys, days, missed=0.05):
    out = []
    for key in keys:
        for d in range(days):
            if d > 1 and rng.random() < missed:
                continue  # not counted that day (never on the first two: the cold start is the same for all)
            out.append({"structure": key, "day": d, "minute": 8 * 60 + rng.randint(0, 120)})
    return out


def noise(rng):
    return math.exp(rng.gauss(0, NOISE) - NOISE * NOISE / 2)


def structure(key, h, category="hospital", legal_form="public"):
    beds = h["beds"]
    return {"key": key, "name": h["name"], "category": category, "legal_form": legal_form, "commune": h["commune"],
            "dep": h["dep"], "capacity": beds, "occupancy": int(beds * 0.8), "staff": int(beds * 2.2),
            "contacts": [{"name": "Cellule de crise", "phone": "+3363998%04d" % int(key[1:]), "lang": "fr"}]}


def officers(deps):
    return [{"dep": d, "name": "Astreinte ARS %s" % d, "phone": "+3353649%04d" % int(d)} for d in sorted(deps)]


def jump_factor(jump, dep, d):
    """What a cluster multiplies a day's use by: 3 from its moment on in its département, 1 elsewhere
    and before; on the day itself, the day's share after the moment."""
    if not jump or dep != jump["dep"] or d < jump["day"]:
        return 1.0
    return 3.0 if d > jump["day"] else 1 + 2 * (1 - jump["minute"] / 1440)


def wave(rng, small, jump=None):
    by_postcode, by_dep = communes()
    figures, rows = ars_figures()
    esft = esft_per_worker()
    start, days = datetime.date(2020, 3, 1), 31
    hs = hospitals(rng, 1 if small else 5, by_postcode, by_dep)
    if small:
        hs = [h for h in hs if h["dep"] in ("31", "34")]
    beds_of_dep = {}
    for h in hs:
        beds_of_dep[h["dep"]] = beds_of_dep.get(h["dep"], 0) + h["beds"]
    structures, series, deliveries = [], [], []
    items = ITEMS[:2] if small else ITEMS
    for n, h in enumerate(hs, 1):
        key = "h%d" % n
        structures.append(structure(key, h))
        share = h["beds"] / beds_of_dep[h["dep"]]
        weekday = rng.randint(0, 6)
        for item in items:
            use = []
            for d in range(days):
                severe, icu = patients(figures, h["dep"], d, start)
                worker_days = share * (severe + 2 * icu)
                u = h["beds"] * 0.8 * ORDINARY_PER_BED[item] + worker_days * esft.get(item, 0)
                u *= jump_factor(jump, h["dep"], d)
                use.append(round(u * noise(rng), 3))
            stock0 = int(use[0] * rng.uniform(14, 35))
            ordinary_week = 7 * h["beds"] * 0.8 * ORDINARY_PER_BED[item]
            cap = 1.5 * ordinary_week if item in RATIONED else None
            series.append({"structure": key, "item": item, "stock0": stock0, "use": use})
            deliveries += weekly_deliveries(rng, key, item, use, days, weekday, cap)
    deps = {h["dep"] for h in hs}
    return {
        "name": "wave" if not small else "wave-small",
        "about": "The first wave in Occitanie's hospitals, 1-31 March 2020 (ARS daily figures x WHO ESFT rates); "
                 "daily counts, weekly deliveries, masks and respirators rationed.",
        "start": start.isoformat(), "days": days, "structures": structures, "duty_officers": officers(deps),
        "items": items, "series": series, "counts": counts(rng, [s["key"] for s in structures], days),
        "deliveries": deliveries,
        "figures": [r for r in rows if r["departement_code"] in deps],
    }


def cluster(rng, small):
    by_postcode, by_dep = communes()
    start, days, jump_day, jump_dep = datetime.date(2020, 3, 1), 28, 14, "34"
    hs = hospitals(rng, 1 if small else 4, by_postcode, by_dep)
    if small:
        hs = [h for h in hs if h["dep"] in ("31", "34")]
    structures, series, deliveries = [], [], []
    jump_minute = rng.randint(0, 24 * 60 - 1)
    items = ITEMS[:2] if small else ITEMS
    for n, h in enumerate(hs, 1):
        key = "h%d" % n
        structures.append(structure(key, h))
        weekday = rng.randint(0, 6)
        for item in items:
            use = []
            for d in range(days):
                u = h["beds"] * 0.8 * ORDINARY_PER_BED[item]
                # the day of the jump: tripled from jump_minute on
                u *= jump_factor({"dep": jump_dep, "day": jump_day, "minute": jump_minute}, h["dep"], d)
                use.append(round(u * noise(rng), 3))
            stock0 = int(use[0] * rng.uniform(14, 35))
            series.append({"structure": key, "item": item, "stock0": stock0, "use": use})
            deliveries += weekly_deliveries(rng, key, item, use, days, weekday)
    deps = {h["dep"] for h in hs}
    return {
        "name": "cluster" if not small else "cluster-small",
        "about": "Hospitals at their ordinary use; on day 14 the use of every item triples in the Hérault's "
                 "hospitals (a cluster) and stays so. Daily counts, weekly deliveries.",
        "start": start.isoformat(), "days": days, "structures": structures, "duty_officers": officers(deps),
        "items": items, "series": series, "counts": counts(rng, [s["key"] for s in structures], days),
        "deliveries": deliveries, "jump": {"dep": jump_dep, "day": jump_day, "minute": jump_minute},
    }


def calm(rng, small):
    _, by_dep = communes()
    start, days = datetime.date(2020, 3, 1), 28
    structures, series, deliveries = [], [], []
    deps = sorted(by_dep)
    n_homes = 4 if small else 40
    items = EHPAD_ITEMS[:2] if small else EHPAD_ITEMS
    for n in range(1, n_homes + 1):
        key = "e%d" % n
        dep = deps[n % len(deps)]
        capacity = rng.randint(40, 110)
        h = {"dep": dep, "name": "EHPAD %d" % n, "commune": rng.choice(by_dep[dep]), "beds": capacity}
        s = structure(key, h, "ehpad", "association")
        s["occupancy"] = int(capacity * rng.uniform(0.85, 1.0))
        s["staff"] = int(capacity * rng.uniform(0.5, 0.8))
        structures.append(s)
        decline_from = rng.randint(10, 18)
        weekday = rng.randint(0, 13)
        for item in items:
            base = s["occupancy"] * EHPAD_PER_RESIDENT[item]
            use = []
            for d in range(days):
                u = base * (0.5 ** ((d - decline_from) / 14) if d > decline_from else 1)
                use.append(round(u * noise(rng), 3))
            stock0 = int(use[0] * rng.uniform(20, 40))
            series.append({"structure": key, "item": item, "stock0": stock0, "use": use})
            deliveries += weekly_deliveries(rng, key, item, use, days, weekday, every=14)
    deps_used = {s["dep"] for s in structures}
    return {
        "name": "calm" if not small else "calm-small",
        "about": "Nursing homes at a steady use, then declining; counted daily, delivered every two weeks: "
                 "no stock-out is expected, alerts are false alarms.",
        "start": start.isoformat(), "days": days, "structures": structures, "duty_officers": officers(deps_used),
        "items": items, "series": series, "counts": counts(rng, [s["key"] for s in structures], days),
        "deliveries": deliveries,
    }


def wave_cluster(rng, small):
    """The exercise's: the wave, with a cluster on day 18 in the Hérault (its moment drawn apart, so
    that the wave's own draws are the wave scenario's)."""
    jump = {"dep": "34", "day": 18, "minute": random.Random("wave-cluster-jump").randint(0, 24 * 60 - 1)}
    sc = wave(rng, small, jump)
    sc["name"] = "wave-cluster" if not small else "wave-cluster-small"
    sc["about"] = ("The first wave in Occitanie's hospitals, 1-31 March 2020 (ARS daily figures x WHO ESFT rates), "
                   "and on day 18 a cluster: the use of every item triples in the Hérault's hospitals and stays so. "
                   "Daily counts, weekly deliveries, masks and respirators rationed.")
    sc["jump"] = jump
    return sc


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "scenarios"))
    ap.add_argument("--seed", type=int, default=2020)
    ap.add_argument("--small", action="store_true")
    ap.add_argument("--exercise", action="store_true")
    a = ap.parse_args()
    if a.exercise and "--out" not in sys.argv:
        a.out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "clients", "exercise",
                             "scenarios")
    os.makedirs(a.out, exist_ok=True)
    for make in (wave_cluster,) if a.exercise else (wave, cluster, calm):
        # the wave's draws, for the exercise's too: the same hospitals, stock and deliveries
        name = "wave" if make is wave_cluster else make.__name__
        sc = make(random.Random("%s-%d" % (name, a.seed)), a.small)
        sc["generated"] = {"by": "tests/bench/forecast/generate.py", "seed": a.seed,
                           "sources": ["schema/data/ars-occitanie-daily.csv (opencovid19-fr/data, ARS Occitanie)",
                                       "schema/data/who-esft-2022-equipment.csv (WHO ESFT 2022, via mrc-ide/esft)",
                                       "schema/data/occitanie-hopitaux-eurostat-2020.csv (FINESS, via eurostat)",
                                       "schema/data/occitanie-communes.csv (INSEE COG)"]}
        path = os.path.join(a.out, sc["name"] + ".json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(sc, f, ensure_ascii=False, separators=(",", ":"))
            f.write("\n")
        print("%s: %d structures, %d series, %d counts, %d deliveries" % (
            path, len(sc["structures"]), len(sc["series"]), len(sc["counts"]), len(sc["deliveries"])))


if __name__ == "__main__":
    main()
