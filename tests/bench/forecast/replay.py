#!/usr/bin/env python3
"""The forecast benchmark (issue 14): replays scenarios (generate.py) through a real renfortd with the
test clock, and measures its shortage alerts against the stock-outs that really happened.

For each scenario, renfortd runs twice on a fresh database: with today's settings ("new": the trend
estimator, a hold of 24 hours, reopening within 72 hours, an SMS cool-down of 24 hours) and with
those of before ("old": forecast_model=average, no hold, no reopening, no cool-down). The simulated
structures are created through the API with their occupancy and staff, count their stock through
stock.report (the shelf as it truly is, rounded down) and record deliveries through stock.movement;
the clock moves an hour at a time (clock.advance), so that what renfortd does by itself between counts
happens when it would. Then the alerts are read back (their audit rows: each change of severity and
status, with its time). The "oracle" is computed here: the same counts, each one judged with the true
rate of use at its time (cover = count / rate), with the same thresholds and margin.

Measured, per scenario and run:
- stock-outs: the moments a shelf truly ran out (a series' stock reaching zero; it may run out again
  after a delivery);
- lead times: for each stock-out, how long an alert (warning or worse; critical or worse) had been
  open without a break when it happened (0: none was open); min, 10th percentile, median;
- stock-outs warned less than 3 days ahead (in the cluster scenario, those that fell before the first
  count after the jump, which no count could see, are counted apart; so are, in a line of their own,
  those that fell less than 3 days after that count, which no count could warn 3 days ahead);
- false alarms: alert episodes (open to resolved, or to the end) with no stock-out of their series
  while open nor within 2 days after;
- flapping: resolutions followed by the same series' alert opening again within 72 hours, over all
  resolutions;
- SMS per stock-out: alert SMS queued (one per recipient) over stock-outs;
- cold start: alerts critical or worse before a series' second count.

  replay.py [--renfortd PATH] [--scenarios DIR] [--only NAME,...] [--modes old,new] [--json OUT]
"""

import argparse
import datetime
import json
import os
import sqlite3
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "../../.."))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
sys.path.insert(0, os.path.join(ROOT, "clients", "exercise"))
from harness import Server  # noqa: E402
from scenario import DAY, HOUR, STRUCTURE_FIELDS, count_lines, deliver, events, shelves  # noqa: E402
# what renfortd's defaults are, and what they were before issue 14
MODES = {
    "new": (),
    "old": ("--set", "forecast_model=average", "--set", "alert_hold_hours=0", "--set", "alert_reopen_hours=0",
            "--set", "alert_sms_cooldown_hours=0"),
}
COMMON = ("--set", "test_clock=1", "--set", "alert_check_interval_s=86400", "--set", "silent_after_hours=8760",
          "--set", "sms_max_attempts=1")
# renfortd's default thresholds: category -> (warning, critical) days; margin 1 day
THRESHOLDS = {"hospital": (5, 2), "ehpad": (10, 4)}
DEFAULT_THRESHOLDS = (7, 3)
MARGIN = 1.0
WARNED_DAYS = 3
FLAP_WINDOW = 72 * HOUR
FALSE_AFTER = 2 * DAY


# --- the truth: scenario.py (the shelves, shared with the exercise's driver) ---------------------------

# --- a run through renfortd ----------------------------------------------------------------------------

class Run:
    def __init__(self, scenario, mode, renfortd):
        self.sc = scenario
        self.mode = mode
        self.server = Server(extra_args=COMMON + MODES[mode], binary=renfortd)
        self.key = 0

    def call(self, method, path, body=None, headers=None, expect=(200, 201)):
        st, out, _ = self.server.http(method, path, self.admin, body=body, headers=headers)
        if st not in expect:
            raise RuntimeError("%s %s: %s %s" % (method, path, st, out))
        return out

    def advance_to(self, t):
        """Moves renfortd's clock to t (ms), an hour at a time."""
        while True:
            now = self.now + int((time.monotonic() - self.now_mono) * 1000)
            if now >= t:
                return
            step = min(HOUR, t - now)
            out = self.call("POST", "/api/v1/clock/advance", body={"ms": step})
            self.now = int(datetime.datetime.fromisoformat(out["now"].replace("Z", "+00:00")).timestamp() * 1000)
            self.now_mono = time.monotonic()

    def setup(self):
        s = self.server
        s.start()
        self.admin = s.token("admin")
        out = self.call("POST", "/api/v1/clock/advance", body={"ms": 0})
        now = int(datetime.datetime.fromisoformat(out["now"].replace("Z", "+00:00")).timestamp() * 1000)
        self.now, self.now_mono = now, time.monotonic()
        # the scenario's day 0 is the next midnight (UTC) but one
        self.t0 = (now // DAY + 2) * DAY
        self.ids = {}
        for st in self.sc["structures"]:
            body = {k: st[k] for k in STRUCTURE_FIELDS}
            self.ids[st["key"]] = self.call("POST", "/api/v1/structures", body=body)["id"]
        for o in self.sc.get("duty_officers", ()):
            self.call("POST", "/api/v1/duty_officers", body={"name": o["name"], "phone": o["phone"], "dep": o["dep"]})
        self.shelves = shelves(self.sc, self.t0)

    def replay(self):
        """Runs the scenario; the server is stopped and its files removed whatever happens."""
        try:
            return self.replay_events()
        finally:
            if self.server.proc and self.server.proc.poll() is None:
                self.server.stop(expect_clean=False)
            self.server.cleanup()

    def replay_events(self):
        self.setup()
        counts_of = {}
        for t, kind, e in events(self.sc, self.t0):
            self.advance_to(t)
            key = e["structure"]
            if kind == "delivery":
                deliver(self.shelves, e, t)
                self.key += 1
                self.call("POST", "/api/v1/stock/movements", headers={"Idempotency-Key": "d%d" % self.key},
                          body={"holder_kind": "structure", "holder_id": self.ids[key], "item": e["item"],
                                "kind": "receipt", "quantity": e["quantity"], "origin": "purchase"})
            else:
                lines = count_lines(self.sc, self.shelves, key, t)
                for line in lines:
                    counts_of.setdefault((key, line["item"]), []).append((t, line["quantity"]))
                self.key += 1
                self.call("POST", "/api/v1/stock/reports", headers={"Idempotency-Key": "c%d" % self.key},
                          body={"holder_kind": "structure", "holder_id": self.ids[key], "items": lines,
                                "confirmed": True})  # simulated counts: their jumps are real
        end = self.t0 + self.sc["days"] * DAY
        self.advance_to(end)
        for sh in self.shelves.values():
            sh.run_to(end)
        self.end = end
        self.counts_of = counts_of
        self.server.stop()
        return self.read_alerts(self.server.db)

    def read_alerts(self, path):
        """{(structure key, item): [(t, severity or None)]}: the series' alert state through time, and
        the number of alert SMS."""
        key_of = {v: k for k, v in self.ids.items()}
        con = sqlite3.connect(path)
        items = dict(con.execute("SELECT id, code FROM items"))
        alert_series = {}
        for aid, hid, iid in con.execute("SELECT id, holder_id, item_id FROM alerts WHERE kind = 'shortage' "
                                         "AND holder_kind = 'structure'"):
            alert_series[aid] = (key_of.get(hid), items.get(iid))
        states = {}
        for aid, at, after in con.execute("SELECT entity_id, at, after FROM audit WHERE entity = 'alert' ORDER BY id"):
            if aid not in alert_series or not after:
                continue
            a = json.loads(after)
            if "status" not in a:
                continue  # not the alert's state: an escalation's row ({"escalated": level}), a note...
            sev = a.get("severity") if a.get("status") in ("open", "acknowledged") else None
            states.setdefault(alert_series[aid], []).append((at, sev))
        sms = con.execute("SELECT count(*) FROM sms_outbox WHERE kind = 'alert_critical'").fetchone()[0]
        con.close()
        return states, sms


# --- the oracle ------------------------------------------------------------------------------------------

def oracle_states(sc, run):
    """Alert states an oracle would have: the same counts, judged with the true rate at their time."""
    cat = {s["key"]: s["category"] for s in sc["structures"]}
    states = {}
    for (key, item), counts in run.counts_of.items():
        w, c = THRESHOLDS.get(cat[key], DEFAULT_THRESHOLDS)
        sh = run.shelves[(key, item)]
        level, out = None, []
        for t, q in counts:
            r = sh.rate(t)
            days = q / r if r > 0 else float("inf")
            raw = "stockout" if q <= 0 else "critical" if days < c else "warning" if days < w else None
            rank = {None: 0, "warning": 1, "critical": 2, "stockout": 3}
            if rank[raw] >= rank[level]:
                new = raw
            elif days >= w + MARGIN:
                new = None
            elif level in ("critical", "stockout") and days >= c + MARGIN:
                new = "warning"
            else:
                new = level if level != "stockout" else "critical"
            if new != level:
                out.append((t, new))
                level = new
        states[(key, item)] = out
    return states


# --- measures ---------------------------------------------------------------------------------------------

RANK = {None: 0, "warning": 1, "critical": 2, "stockout": 3}


def episodes(timeline, end):
    """[(start, end, max severity)]: the continuous stretches of an open alert."""
    out, start, top = [], None, None
    for t, sev in timeline:
        if sev and start is None:
            start, top = t, sev
        elif sev and RANK[sev] > RANK[top]:
            top = sev
        elif not sev and start is not None:
            out.append((start, t, top))
            start = None
    if start is not None:
        out.append((start, end, top))
    return out


def lead(timeline, t, at_least):
    """How long, at t, an alert of severity at_least or worse had been open without a break."""
    since = None
    for at, sev in timeline:
        if at > t:
            break
        if sev and RANK[sev] >= RANK[at_least]:
            if since is None:
                since = at
        else:
            since = None
    return t - since if since is not None else 0


def pct(values, p):
    if not values:
        return None
    s = sorted(values)
    k = (len(s) - 1) * p
    lo, hi = int(k), min(len(s) - 1, int(k) + 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def measure(sc, run, states, sms):
    jump = sc.get("jump")
    dep_of = {s["key"]: s["dep"] for s in sc["structures"]}
    outs, unseeable, too_soon = [], 0, 0
    for (key, item), sh in run.shelves.items():
        for t in sh.stockouts:
            if jump:
                tj = run.t0 + jump["day"] * DAY + jump["minute"] * 60000
                after = [tc for tc, _ in run.counts_of.get((key, item), ()) if tc > tj]
                if dep_of[key] == jump["dep"] and t > tj and (not after or t < after[0]):
                    unseeable += 1
                    continue
                if dep_of[key] == jump["dep"] and t > tj and t - after[0] < WARNED_DAYS * DAY:
                    too_soon += 1
                    continue
            outs.append(((key, item), t))
    warn = [lead(states.get(s, ()), t, "warning") for s, t in outs]
    crit = [lead(states.get(s, ()), t, "critical") for s, t in outs]
    late = sum(1 for x in warn if x < WARNED_DAYS * DAY)
    false_alarms = episodes_total = resolutions = flaps = 0
    cold = 0
    for s, timeline in states.items():
        eps = episodes(timeline, run.end)
        stockouts = run.shelves[s].stockouts if s in run.shelves else []
        counts = run.counts_of.get(s, [])
        second = counts[1][0] if len(counts) > 1 else run.end
        for n, (a, b, top) in enumerate(eps):
            episodes_total += 1
            if not any(a <= t <= b + FALSE_AFTER for t in stockouts):
                false_alarms += 1
            if b < run.end:
                resolutions += 1
                if n + 1 < len(eps) and eps[n + 1][0] - b < FLAP_WINDOW:
                    flaps += 1
        for t, sev in timeline:
            if t < second and sev in ("critical", "stockout"):
                cold += 1
                break
    day = DAY / 1.0
    return {
        "stockouts": len(outs), "unseeable": unseeable, "too_soon": too_soon,
        "warn_min": min(warn) / day if warn else None, "warn_p10": pct(warn, 0.1) / day if warn else None,
        "warn_med": statistics.median(warn) / day if warn else None,
        "crit_min": min(crit) / day if crit else None, "crit_p10": pct(crit, 0.1) / day if crit else None,
        "crit_med": statistics.median(crit) / day if crit else None,
        "late": late, "late_pct": 100.0 * late / len(outs) if outs else 0.0,
        "alerts": episodes_total, "false_alarms": false_alarms,
        "resolutions": resolutions, "flaps": flaps, "flap_pct": 100.0 * flaps / resolutions if resolutions else 0.0,
        "sms": sms, "sms_per_stockout": sms / len(outs) if outs and sms is not None else None,
        "cold_critical": cold,
    }


def run_scenario(sc, modes, renfortd, log):
    results, base = {}, None
    for mode in modes:
        t = time.time()
        r = Run(sc, mode, renfortd)
        states, sms = r.replay()
        results[mode] = measure(sc, r, states, sms)
        base = r
        log("   %s/%s: %.0f s" % (sc["name"], mode, time.time() - t))
    results["oracle"] = measure(sc, base, oracle_states(sc, base), None)
    return results


# --- the table -------------------------------------------------------------------------------------------

def fmt(v, kind=""):
    if v is None:
        return "-"
    if kind == "d":
        return "%.1f" % v
    if kind == "%":
        return "%.1f%%" % v
    return "%d" % v if isinstance(v, int) else "%.2f" % v


ROWS = [
    ("stock-outs", "stockouts", ""),
    ("  apart: fell before any count after the jump", "unseeable", ""),
    ("  apart: fell < 3 days after the first count after it", "too_soon", ""),
    ("warning lead, days: min", "warn_min", "d"), ("  p10", "warn_p10", "d"), ("  median", "warn_med", "d"),
    ("critical lead, days: min", "crit_min", "d"), ("  p10", "crit_p10", "d"), ("  median", "crit_med", "d"),
    ("stock-outs warned < 3 days ahead", "late", ""), ("  share", "late_pct", "%"),
    ("alert episodes", "alerts", ""), ("false alarms", "false_alarms", ""),
    ("resolutions", "resolutions", ""), ("flapping (reopened within 72 h)", "flaps", ""), ("  share", "flap_pct", "%"),
    ("alert SMS per stock-out", "sms_per_stockout", ""), ("critical alerts from a cold start", "cold_critical", ""),
]


def targets(name, res):
    """(text, passed) for the issue's targets."""
    new, old = res.get("new"), res.get("old")
    out = []
    if not new:
        return out
    if name.startswith("wave"):
        out.append(("no stock-out warned < 3 days ahead", new["late"] == 0))
    if name.startswith("cluster"):
        out.append(("<= 5% warned < 3 days ahead after the cluster (those before any count apart)",
                    new["late_pct"] <= 5))
    out.append(("flapping <= 2% of resolutions", new["flap_pct"] <= 2))
    if old:
        out.append(("false alarms at most half of before", new["false_alarms"] <= old["false_alarms"] / 2))
    out.append(("no critical alert from a cold start", new["cold_critical"] == 0))
    return out


def table(all_results):
    lines = []
    for name, res in all_results.items():
        lines.append("")
        lines.append("scenario %s" % name)
        cols = [c for c in ("old", "new", "oracle") if c in res]
        w = max(len(r[0]) for r in ROWS)
        lines.append("  %-*s" % (w, "") + "".join("  %10s" % c for c in cols))
        for label, key, kind in ROWS:
            lines.append("  %-*s" % (w, label) + "".join("  %10s" % fmt(res[c].get(key), kind) for c in cols))
        for text, ok in targets(name, res):
            lines.append("  target: %-80s %s" % (text, "PASS" if ok else "MISS"))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--renfortd", default=os.environ.get("RENFORTD", os.path.join(ROOT, "build", "server", "renfortd")))
    ap.add_argument("--scenarios", default=os.path.join(HERE, "scenarios"))
    ap.add_argument("--only", default="")
    ap.add_argument("--modes", default="old,new")
    ap.add_argument("--json", default="")
    a = ap.parse_args()
    names = [n for n in ("wave", "cluster", "calm") if not a.only or n in a.only.split(",")]
    files = sorted(f for f in os.listdir(a.scenarios) if f.endswith(".json"))
    if a.only:
        files = [f for f in files if f[:-5] in a.only.split(",")]
    else:
        files = sorted(files, key=lambda f: names.index(f[:-5]) if f[:-5] in names else 99)
    all_results = {}
    for f in files:
        with open(os.path.join(a.scenarios, f), encoding="utf-8") as fh:
            sc = json.load(fh)
        print("== %s: %s" % (sc["name"], sc["about"]), file=sys.stderr)
        all_results[sc["name"]] = run_scenario(sc, a.modes.split(","), a.renfortd, lambda m: print(m, file=sys.stderr))
    print(table(all_results))
    if a.json:
        with open(a.json, "w") as fh:
            json.dump(all_results, fh, indent=1)


if __name__ == "__main__":
    main()
