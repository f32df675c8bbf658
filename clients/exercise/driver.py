#!/usr/bin/env python3
"""The exercise's scenario driver: `renfortd exercise SCENARIO` starts it once the server listens, and
stops it with the server. It plays the scenario through renfortd's API like the clients of a real crisis
would, never behind its back: the simulated structures are created (with their contacts) with the admin
token renfortd gave it, and each one then has a token of its own with which it counts its stock every
morning (stock.report, its shelf as it truly is) and records the deliveries it receives (stock.movement).
Simulated time is renfortd's clock, which the driver moves forward (clock.advance, at most an hour at a
time so that what renfortd does by itself happens when it would) at the chosen speed: --speed 1440 is a
simulated day every real minute. It refuses to play on a server that does not say it runs an exercise
(whoami), and on a database where the scenario was played already.

  driver.py --url URL --scenario FILE [--speed N]     (the token in RENFORT_TOKEN)
"""

import argparse
import datetime
import json
import os
import sys
import time
import urllib.error
import urllib.request

sys.dont_write_bytecode = True  # an installed share directory is not for writing
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from scenario import DAY, HOUR, STRUCTURE_FIELDS, count_lines, deliver, events, shelves  # noqa: E402


def say(text):
    print("exercise: " + text, file=sys.stderr, flush=True)


def iso_ms(text):
    return int(datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


class Driver:
    def __init__(self, url, token, sc, speed):
        self.url = url.rstrip("/")
        self.admin = token
        self.sc = sc
        self.speed = speed
        self.key = 0

    def call(self, method, path, token, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + "/api/v1" + path, data=data, method=method)
        req.add_header("Authorization", "Bearer " + token)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if method == "POST":
            # a write retried after a lost answer is not done twice
            self.key += 1
            req.add_header("Idempotency-Key", "exercise-%d-%d" % (os.getpid(), self.key))
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                raw = r.read()
        except urllib.error.HTTPError as e:
            raise SystemExit("exercise: %s %s refused: %s %s" % (method, path, e.code, e.read().decode(errors="replace")))
        return json.loads(raw) if raw else None

    # --- the clock ---------------------------------------------------------------------------------
    def advance(self, ms):
        out = self.call("POST", "/clock/advance", self.admin, {"ms": int(ms)})
        self.now, self.now_real = iso_ms(out["now"]), time.monotonic()

    def server_now(self):
        # renfortd's clock goes on at the wall's pace between two advances
        return self.now + int((time.monotonic() - self.now_real) * 1000)

    def pace_to(self, t):
        """Moves renfortd's clock to t (ms), keeping to the speed: simulated time = where the scenario's
        play started + real time elapsed x speed. A step is at most an hour, and about a real second."""
        tick = max(1000, min(HOUR, self.speed * 1000))
        while self.server_now() < t:
            now = self.server_now()
            goal = min(t, now + tick)
            due = self.sim0 + (time.monotonic() - self.real0) * self.speed * 1000
            if due < goal:
                time.sleep(min(1.0, (goal - due) / (self.speed * 1000.0)))
                continue
            self.advance(goal - now)

    # --- the play ----------------------------------------------------------------------------------
    def setup(self):
        who = self.call("GET", "/whoami", self.admin)
        if who.get("exercise") is not True:
            raise SystemExit("exercise: the server does not run an exercise (whoami): refused")
        if self.call("GET", "/structures?limit=1", self.admin)["items"]:
            raise SystemExit("exercise: this database has structures already (a scenario was played on it): "
                             "start the exercise on a new database file")
        self.ids, self.tokens = {}, {}
        for st in self.sc["structures"]:
            sid = self.call("POST", "/structures", self.admin, {k: st[k] for k in STRUCTURE_FIELDS})["id"]
            self.ids[st["key"]] = sid
            tok = self.call("POST", "/tokens", self.admin, {"role": "structure", "subject_id": sid,
                                                              "label": "exercise: " + st["name"][:100]})
            self.tokens[st["key"]] = tok["token"]
        for o in self.sc.get("duty_officers", ()):
            self.call("POST", "/duty_officers", self.admin, {"name": o["name"], "phone": o["phone"], "dep": o["dep"]})
        self.advance(0)
        # day 0 starts at the next midnight (UTC): the first morning's counts come soon
        self.t0 = (self.now // DAY + 1) * DAY
        self.shelves = shelves(self.sc, self.t0)
        self.advance(self.t0 - HOUR - self.now if self.t0 - HOUR > self.now else 0)
        self.sim0, self.real0 = self.server_now(), time.monotonic()
        say("%d structures ready; day 0 of %d starts at %s (speed %g)" % (
            len(self.ids), self.sc["days"], datetime.datetime.fromtimestamp(self.t0 / 1000, datetime.timezone.utc)
            .strftime("%Y-%m-%d %H:%M UTC"), self.speed))

    def play(self):
        counts = deliveries = 0
        day = -1
        for t, kind, e in events(self.sc, self.t0):
            self.pace_to(t)
            if (t - self.t0) // DAY != day:
                day = (t - self.t0) // DAY
                say("day %d" % day)
            key = e["structure"]
            body = {"holder_kind": "structure", "holder_id": self.ids[key]}
            if kind == "delivery":
                deliver(self.shelves, e, t)
                body.update({"item": e["item"], "kind": "receipt", "quantity": e["quantity"], "origin": "purchase"})
                self.call("POST", "/stock/movements", self.tokens[key], body)
                deliveries += 1
            else:
                body["items"] = count_lines(self.sc, self.shelves, key, t)
                # the scenario's counts are what the shelves hold: a person asked "468 or 46,800?" by the
                # plausibility check would confirm them
                body["confirmed"] = True
                self.call("POST", "/stock/reports", self.tokens[key], body)
                counts += 1
        self.pace_to(self.t0 + self.sc["days"] * DAY)
        say("the scenario %s has played out: %d days, %d counts, %d deliveries; the server goes on" % (
            self.sc["name"], self.sc["days"], counts, deliveries))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", required=True)
    ap.add_argument("--scenario", required=True)
    ap.add_argument("--speed", type=float, default=1440)
    a = ap.parse_args()
    token = os.environ.get("RENFORT_TOKEN")
    if not token:
        raise SystemExit("exercise: no token (RENFORT_TOKEN)")
    with open(a.scenario, encoding="utf-8") as f:
        sc = json.load(f)
    d = Driver(a.url, token, sc, a.speed)
    try:
        d.setup()
        d.play()
    except KeyboardInterrupt:  # Ctrl-C reaches the whole group; renfortd says it stops
        sys.exit(130)
    except (OSError, ValueError, KeyError) as e:
        raise SystemExit("exercise: the scenario stopped: %s" % e)


if __name__ == "__main__":
    main()
