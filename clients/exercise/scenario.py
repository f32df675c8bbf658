"""A scenario (tests/bench/forecast/generate.py writes them) as the clients that play it see it: each
shelf's true stock through time, from its daily use and its deliveries, and the scenario's events in
the order they happen. Shared by the exercise's driver (driver.py) and the forecast benchmark's replay
(tests/bench/forecast/replay.py), so that both play a scenario the same way."""

import json

DAY = 86400000
HOUR = 3600000
# what a structure is created with (POST /api/v1/structures), from its line in the scenario
STRUCTURE_FIELDS = ("name", "category", "legal_form", "commune", "capacity", "occupancy", "staff", "contacts")


class Shelf:
    """One series: its stock through time, from its daily use (constant within a day) and deliveries."""

    def __init__(self, series, t0):
        self.use = series["use"]
        self.t0 = t0
        self.stock = float(series["stock0"])
        self.t = t0
        self.stockouts = []  # times the shelf reached zero
        self.empty = self.stock <= 0

    def rate(self, t):
        d = min(len(self.use) - 1, max(0, int((t - self.t0) // DAY)))
        return self.use[d]

    def run_to(self, t):
        while self.t < t:
            day_end = self.t0 + ((self.t - self.t0) // DAY + 1) * DAY
            step_end = min(t, day_end)
            r = self.rate(self.t) / DAY  # per ms
            need = r * (step_end - self.t)
            if not self.empty and need >= self.stock and r > 0:
                at = self.t + self.stock / r
                self.stockouts.append(int(at))
                self.stock = 0.0
                self.empty = True
            elif not self.empty:
                self.stock -= need
            self.t = step_end

    def receive(self, q):
        self.stock += q
        if self.stock > 0:
            self.empty = False


def shelves(sc, t0):
    """{(structure key, item): Shelf} of scenario sc, whose day 0 starts at t0 (ms)."""
    return {(se["structure"], se["item"]): Shelf(se, t0) for se in sc["series"]}


def events(sc, t0):
    """[(t, kind, event)]: the counts and deliveries in the order they happen (a delivery before a count
    at the same moment), kind "count" or "delivery"."""
    ev = []
    for c in sc["counts"]:
        ev.append((t0 + c["day"] * DAY + c["minute"] * 60000, 1, "count", c))
    for d in sc["deliveries"]:
        ev.append((t0 + d["day"] * DAY + d["minute"] * 60000, 0, "delivery", d))
    ev.sort(key=lambda e: (e[0], e[1], json.dumps(e[3], sort_keys=True)))
    return [(t, kind, e) for t, _, kind, e in ev]


def count_lines(sc, shelves_of, key, t):
    """The lines of structure key's count at t: each item's shelf as it truly is, rounded down."""
    lines = []
    for item in sc["items"]:
        sh = shelves_of[(key, item)]
        sh.run_to(t)
        lines.append({"item": item, "quantity": int(max(0.0, sh.stock))})
    return lines


def deliver(shelves_of, e, t):
    """Delivery e arrives at t."""
    sh = shelves_of[(e["structure"], e["item"])]
    sh.run_to(t)
    sh.receive(e["quantity"])
