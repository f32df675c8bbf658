"""Issue 4, fault tests against real Kannel.

(a) The gateway goes down: Kannel (bearerbox and smsbox) is stopped, 1,000 messages are queued,
    Kannel comes back after a pause. None is lost (fakesmsc receives every text, every outbox row
    ends sent or delivered, none failed, no sms_failed alert), all are sent within 60 s of the
    recovery, and the attempts are spaced by the backoff: the delay renfortd plans after the n-th
    failure is base*2^(n-1) (capped) with +/-20% jitter, observed on a sample of rows while Kannel
    is down; no row is attempted more often than the backoff allows during the outage; and rows
    were retried (not parked).
(b) renfortd is killed with SIGKILL while sending, three times, and restarted on the same database
    (smsbox's answers are held 0.25 s by a proxy, so that messages are always in flight, and delivery
    reports come 1 s late, as from a real SMSC):
    every text reaches fakesmsc at least once; the copies beyond the first (duplicates) are counted
    and bounded by sms_max_inflight (plus a small margin) per kill; at each crash at most
    sms_max_inflight rows were 'sending', and every duplicate is one of them; no row reached
    fakesmsc more often than its attempts count says it was handed to the gateway.

Figures (duplicates, drain time) are printed on stderr."""

import secrets
import sys
import threading
import time
import unittest
from collections import Counter

from kannel import DelayProxy, Kannel
from sms_support import iso_ms, outbox, outbox_rows, send_sms, sms_server, wait_until

BASE_MS, MAX_MS = 500, 5000
OUTAGE_S = 25          # Kannel down this long (from its stop to its restart)
DRAIN_LIMIT_S = 60     # all sent within this after the recovery
MESSAGES = 1000
INFLIGHT = 16
RATE = 200             # sms_rate_per_s during the outage test


def backoff_ms(n):
    """The wait after the n-th failed attempt (n >= 1), before jitter."""
    return min(BASE_MS * 2 ** (n - 1), MAX_MS)


def max_attempts_within(duration_ms):
    """The most attempts a row can have made in duration_ms if every wait is at least 80% of the
    backoff: the first attempt, then one after each wait that fits."""
    n, spent = 1, 0.0
    while True:
        spent += 0.8 * backoff_ms(n)
        if spent > duration_ms:
            return n
        n += 1


def queue_many(server, token, texts, phone_of, threads=4):
    """POSTs every text (several connections at once); returns {text: outbox id}."""
    ids = {}
    errors = []
    lock = threading.Lock()
    chunks = [texts[i::threads] for i in range(threads)]

    def run(chunk):
        try:
            for t in chunk:
                rid = send_sms(server, token, phone_of(t), t)
                with lock:
                    ids[t] = rid
        except Exception as e:  # reported below
            errors.append(e)
    ts = [threading.Thread(target=run, args=(c,)) for c in chunks]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if errors:
        raise errors[0]
    return ids


def report(line):
    print("[sms faults] " + line, file=sys.stderr, flush=True)


class KannelOutage(unittest.TestCase):
    """(a) Kannel stopped while 1,000 messages are queued, restarted after OUTAGE_S."""

    def setUp(self):
        self.secret = secrets.token_hex(8)
        self.server = sms_server({
            "sms_gateways": "kannel", "sms_rate_per_s": RATE, "sms_max_inflight": INFLIGHT,
            # the default sms_failover_after and sms_gateway_cooloff_s: a lone gateway that fails is
            # still the one to try (it must not rest 60 s while Kannel is back)
            "sms_backoff_base_ms": BASE_MS, "sms_backoff_max_ms": MAX_MS, "sms_max_attempts": 30})
        self.addCleanup(self.server.cleanup)
        self.kannel = Kannel(self.server.public_url + "/sms/kannel/inbound", self.secret)
        self.addCleanup(self.kannel.cleanup)
        self.kannel.start()
        self.server.extra_args += self.kannel.renfortd_settings()
        self.admin = self.server.token("admin")
        self.server.start()

    def test_outage_loses_nothing_and_backs_off(self):
        s, k, admin = self.server, self.kannel, self.admin
        # the path works
        warm = send_sms(s, admin, "+33639980100", "Essai avant la panne")
        k.wait_for(lambda m: m.text == "Essai avant la panne", 15)
        wait_until(lambda: outbox_rows(s, admin, warm, 1)[0]["status"] == "delivered", 15)

        # --- outage ---------------------------------------------------------------------------
        k.stop_boxes()
        t_stop = time.time()
        run = secrets.token_hex(3)
        texts = [f"Panne {run} message {i:04d} : rappel réserve" for i in range(MESSAGES)]
        phone_of = lambda t: "+3363998%04d" % (int(t.split()[3]) % 10000)  # noqa: E731
        sample_ids = {}
        polls = {}     # id -> [(t, status, attempts, next_attempt_at ms)], one per poll
        stop_sampling = threading.Event()

        def sample():
            """Polls the first rows of the batch every 0.1 s (the sampled rows' history)."""
            while not stop_sampling.is_set():
                if "first" in sample_ids:
                    try:
                        rows = outbox_rows(s, admin, sample_ids["first"], 5)
                    except Exception:
                        rows = []
                    now = time.time()
                    for r in rows:
                        polls.setdefault(r["id"], []).append((now, r["status"], r["attempts"],
                                                              iso_ms(r["next_attempt_at"])))
                time.sleep(0.1)
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            first = send_sms(s, admin, phone_of(texts[0]), texts[0])
            sample_ids["first"] = first
            ids = queue_many(s, admin, texts[1:], phone_of)
            ids[texts[0]] = first
            t_queued = time.time()
            report(f"queued {MESSAGES} messages in {t_queued - t_stop:.1f} s while Kannel was down")
            # nothing goes out, nothing is given up
            remaining = OUTAGE_S - (time.time() - t_stop)
            if remaining > 0:
                time.sleep(remaining)
            rows = outbox(s, admin)
            batch = [r for r in rows if r["id"] in set(ids.values())]
            self.assertEqual(len(batch), MESSAGES)
            by_status = Counter(r["status"] for r in batch)
            self.assertEqual(set(by_status) - {"queued", "sending"}, set(), by_status)
            self.assertEqual(k.count(), 1)
        finally:
            stop_sampling.set()
            sampler.join(timeout=5)

        # --- recovery ------------------------------------------------------------------------
        k.start_boxes()
        t_up = time.time()
        outage = t_up - t_stop
        want = set(texts)

        def all_received():
            return want <= {m.text for m in k.received()}
        wait_until(all_received, DRAIN_LIMIT_S + 30, 0.2, "every text at fakesmsc")
        t_received = time.time()

        def drained():
            rows = [r for r in outbox(s, admin) if r["id"] in set(ids.values())]
            return rows if all(r["status"] in ("sent", "delivered", "failed", "cancelled") for r in rows) else None
        rows = wait_until(drained, DRAIN_LIMIT_S + 30, 0.5, "no row queued or sending")
        t_drained = time.time()
        report(f"outage {outage:.1f} s; after recovery: every text at fakesmsc in {t_received - t_up:.1f} s, "
               f"outbox drained in {t_drained - t_up:.1f} s")
        self.assertLessEqual(t_drained - t_up, DRAIN_LIMIT_S, "all sent within 60 s of the recovery")

        # at sms_rate_per_s (200/s, a burst of one second's worth): 1,000 messages take 4 s at least
        # (fakesmsc prints what it gets about once a second: 1 s of margin)
        arrivals = sorted(m.at for m in k.received() if m.text in want)
        report(f"{len(arrivals)} messages reached fakesmsc over {arrivals[-1] - arrivals[0]:.1f} s")
        self.assertGreaterEqual(arrivals[-1] - arrivals[0], (MESSAGES - RATE) / RATE - 1.0)

        # none lost, none failed
        statuses = Counter(r["status"] for r in rows)
        self.assertEqual(set(statuses) - {"sent", "delivered"}, set(), statuses)
        st, alerts, _ = s.http("GET", "/api/v1/alerts?kind=sms_failed", admin)
        self.assertEqual(st, 200, alerts)
        self.assertEqual(alerts["items"], [], "no sms_failed alert")
        copies = Counter(m.text for m in k.received() if m.text in want)
        self.assertEqual(set(copies), want)
        dups = sum(c - 1 for c in copies.values())
        report(f"duplicates after the outage: {dups}; statuses {dict(statuses)}")
        self.assertLessEqual(dups, INFLIGHT, "a refused connection is not a hand-off")

        # --- backoff ---------------------------------------------------------------------------
        attempts = Counter(r["attempts"] for r in rows)
        report(f"attempts per row (count of rows): {dict(sorted(attempts.items()))}")
        # rows were retried during the outage, not parked
        median = sorted(r["attempts"] for r in rows)[len(rows) // 2]
        self.assertGreaterEqual(median, 3, attempts)
        # and never more often than the backoff allows (+1: the attempt that succeeded)
        for r in rows:
            lived_ms = (t_up + 1) * 1000 - iso_ms(r["created_at"])
            self.assertLessEqual(r["attempts"], max_attempts_within(lived_ms) + 1,
                                 f"row {r['id']} attempted too often for {lived_ms / 1000:.1f} s of outage: {r}")
        # the planned delays, on the sampled rows: the n-th failure is seen at the first poll showing
        # the row queued again with attempts n and a new next attempt time; it happened since the
        # previous poll, so the planned delay is within [next - t, next - t_previous]
        checked = 0
        planned_by_n = {}
        for rid, seen in polls.items():
            failures = []  # (n, t_prev, t, next_ms)
            for (t0, st0, n0, x0), (t1, st1, n1, x1) in zip(seen, seen[1:]):
                if st1 == "queued" and n1 >= 1 and (st0, n0, x0) != (st1, n1, x1) and t1 - t0 < 0.5:
                    failures.append((n1, t0, t1, x1))
            for n, t0, t1, x in failures:
                lo_obs, hi_obs = x - t1 * 1000, x - t0 * 1000
                lo_ok, hi_ok = 0.8 * backoff_ms(n) - 60, 1.2 * backoff_ms(n) + 60
                self.assertTrue(hi_obs >= lo_ok and lo_obs <= hi_ok,
                                f"row {rid}, attempt {n}: planned delay in [{lo_obs:.0f}, {hi_obs:.0f}] ms, "
                                f"backoff {backoff_ms(n)} ms +/-20%; polls {seen}")
                planned_by_n.setdefault(n, []).append(round((lo_obs + hi_obs) / 2))
                checked += 1
            # no attempt before its planned time: attempts n+1 is never seen before failure n's next time
            for n, _, _, x in failures:
                for (t, st, m, _) in seen:
                    if m > n:
                        self.assertGreaterEqual(t * 1000, x - 50, f"row {rid}: attempt {m} before its time: {seen}")
                        break
        report(f"planned delay after the n-th failure (ms, sampled rows): {dict(sorted(planned_by_n.items()))}")
        self.assertGreaterEqual(checked, 5, f"too few failures observed: {polls}")
        self.assertTrue(any(n >= 3 for n in planned_by_n), f"the delays grow: {planned_by_n}")
        growing = [sum(v) / len(v) for n, v in sorted(planned_by_n.items()) if backoff_ms(n) < MAX_MS]
        self.assertEqual(growing, sorted(growing), f"the delays grow: {planned_by_n}")
        s.stop()  # exit 0, no sanitizer report


class KillWhileSending(unittest.TestCase):
    """(b) renfortd killed with SIGKILL while sending, restarted on the same database."""

    KILLS = 3
    N = 600
    RATE = 40
    DELAY = 0.25
    DLR_DELAY = 1.0

    def setUp(self):
        self.secret = secrets.token_hex(8)
        self.server = sms_server({
            "sms_gateways": "kannel", "sms_rate_per_s": self.RATE, "sms_max_inflight": INFLIGHT,
            "sms_backoff_base_ms": BASE_MS, "sms_backoff_max_ms": MAX_MS})
        self.addCleanup(self.server.cleanup)
        self.kannel = Kannel(self.server.public_url + "/sms/kannel/inbound", self.secret)
        self.addCleanup(self.kannel.cleanup)
        self.kannel.start()
        # smsbox's answers held 0.25 s: at any time several messages are taken by Kannel and not yet
        # acknowledged to renfortd, the window where a crash makes a duplicate
        self.proxy = DelayProxy(self.kannel.sendsms_port, response_delay=self.DELAY)
        self.addCleanup(self.proxy.close)
        # delivery reports 1 s late, as from a real SMSC (the fake one reports at once, which would
        # mark rows delivered before Kannel's answer and hide the window)
        self.dlr_proxy = DelayProxy(self.server.fixed_port, request_delay=self.DLR_DELAY)
        self.addCleanup(self.dlr_proxy.close)
        self.server.extra_args += self.kannel.renfortd_settings(self.proxy.url())
        self.server.extra_args += ["--set", f"public_url=http://127.0.0.1:{self.dlr_proxy.port}"]
        self.admin = self.server.token("admin")
        self.server.start()

    def test_sigkill_loses_nothing_duplicates_bounded(self):
        s, k, admin = self.server, self.kannel, self.admin
        run = secrets.token_hex(3)
        texts = [f"Crash {run} message {i:04d}" for i in range(self.N)]
        phone_of = lambda t: "+33639979%03d" % (int(t.split()[3]) % 1000)  # noqa: E731
        ids = queue_many(s, admin, texts, phone_of)
        want = set(texts)

        def got():
            return sum(1 for m in k.received() if m.text in want)
        sending_at_kill = []
        at_risk = set()
        for i in range(self.KILLS):
            threshold = (i + 1) * self.N // (self.KILLS + 1)
            wait_until(lambda: got() >= threshold, 60, 0.02, f"{threshold} messages at fakesmsc")
            s.kill()
            # the database as the crash left it: the rows being handed over
            sending = [r[0] for r in s.sql("SELECT text FROM sms_outbox WHERE status = 'sending'")]
            n_sending = len(sending)
            sending_at_kill.append(n_sending)
            at_risk.update(sending)
            self.assertLessEqual(n_sending, INFLIGHT, "never more rows being sent than sms_max_inflight")
            s.start()
        t_last = time.time()

        def all_received():
            return want <= {m.text for m in k.received()}
        wait_until(all_received, 90, 0.2, "every text at fakesmsc after the restarts")

        def drained():
            rows = [r for r in outbox(s, admin) if r["id"] in set(ids.values())]
            return rows if all(r["status"] in ("sent", "delivered") for r in rows) else None
        rows = wait_until(drained, 60, 0.5, "every row sent or delivered")
        report(f"after the last restart every text reached fakesmsc in {time.time() - t_last:.1f} s")
        time.sleep(1)  # a late copy would show now

        copies = Counter(m.text for m in k.received() if m.text in want)
        self.assertEqual(set(copies), want, "none lost")
        dups = sum(c - 1 for c in copies.values())
        report(f"{self.KILLS} SIGKILLs while sending {self.N} messages: rows 'sending' at each kill "
               f"{sending_at_kill}, duplicates {dups} (bound {self.KILLS} x ({INFLIGHT} + 4))")
        self.assertLessEqual(dups, self.KILLS * (INFLIGHT + 4))
        # and every duplicate is a message that was being handed over when renfortd died
        twice = {t for t, c in copies.items() if c > 1}
        self.assertEqual(twice - at_risk, set(), "a duplicate of a row that was not 'sending' at a crash")
        # a copy is a hand-off: no row reached fakesmsc more often than its attempts count
        by_text = {r["text"]: r for r in rows}
        for t, c in copies.items():
            self.assertLessEqual(c, by_text[t]["attempts"], by_text[t])
        self.assertTrue(all(r["attempts"] >= 1 for r in rows))
        s.stop()  # exit 0, no sanitizer report (in this run or the killed ones)


if __name__ == "__main__":
    unittest.main()
