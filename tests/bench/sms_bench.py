#!/usr/bin/env python3
"""SMS benchmark (issue 4): messages per second the outbox hands to Kannel's sendsms on loopback,
next to a plain curl loop to the same endpoint in the same run.

    tests/bench/sms_bench.py [--messages N] [--runs R] [--inflight K]

A real Kannel (bearerbox, smsbox, fakesmsc: Debian kannel, kannel-extras) is started on loopback.
Reference: curl, reading N sendsms URLs from a config file, with K transfers in parallel
(curl --parallel --parallel-max K) and one after the other (one process, keep-alive). renfortd: N
messages queued in the outbox of a fresh database, then renfortd starts with the kannel gateway
(sms_max_inflight K, no rate limit to speak of) and the clock runs until every message is 'sent'
(Kannel answered 202). Medians of R runs; renfortd's figure includes each message's commits
(claimed, then answered) under synchronous=FULL."""

import argparse
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "../integration"))
os.environ.setdefault("RENFORTD", os.path.join(HERE, "../../build/server/renfortd"))

from harness import Server  # noqa: E402
from kannel import Kannel  # noqa: E402
from sms_support import free_port  # noqa: E402

TEXT = "renfort : présentez-vous à l'hôpital de Béziers à 14 h, merci"


def curl_run(k, n, parallel):
    urls = []
    for i in range(n):
        # the very request renfortd makes, delivery report included (Kannel answers those slower)
        q = urllib.parse.urlencode({"username": k.username, "password": k.password, "from": k.sender,
                                    "to": "+3363998%04d" % (i % 10000), "text": TEXT, "charset": "UTF-8",
                                    "coding": "2", "dlr-mask": "31",
                                    "dlr-url": "http://127.0.0.1:9/sms/kannel/dlr?secret=bench-secret&id=%d&type=%%d" % i})
        urls.append(f'url = "{k.sendsms_url}?{q}"\noutput = "/dev/null"\n')
    with tempfile.NamedTemporaryFile("w", suffix=".curl", delete=False) as f:
        f.write("".join(urls))
        cfg = f.name
    args = ["curl", "-s", "-K", cfg]
    if parallel > 1:
        args[1:1] = ["--parallel", "--parallel-max", str(parallel)]
    t0 = time.monotonic()
    subprocess.run(args, check=True)
    dt = time.monotonic() - t0
    os.unlink(cfg)
    return n / dt


def metric(server, name):
    with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/metrics", timeout=10) as r:
        text = r.read().decode()
    m = re.search(r"^%s (\d+)" % name, text, re.M)
    return int(m.group(1)) if m else 0


def renfort_run(k, n, inflight):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = Server(extra_args=["--listen", f"127.0.0.1:{port}", "--set", f"public_url={url}",
                                "--set", "sms_gateways=kannel", "--set", "sms_rate_per_s=10000",
                                "--set", f"sms_max_inflight={inflight}",
                                *k.renfortd_settings()])
    try:
        server.token("admin")  # creates and migrates the database
        con = sqlite3.connect(server.db)
        now = int(time.time() * 1000)
        con.executemany("INSERT INTO sms_outbox(created_at, kind, recipient_kind, phone, lang, text, status, "
                        "next_attempt_at, updated_at) VALUES (?, 'message', 'phone', ?, 'fr', ?, 'queued', ?, ?)",
                        [(now, "+3363998%04d" % (i % 10000), TEXT, now, now) for i in range(n)])
        con.commit()
        con.close()
        t0 = time.monotonic()
        server.start()
        while metric(server, "renfort_sms_sent_total") < n:
            if time.monotonic() - t0 > 600:
                raise SystemExit("renfortd did not hand the messages over within 10 minutes")
            time.sleep(0.02)
        dt = time.monotonic() - t0
        server.stop()
        return n / dt
    finally:
        server.cleanup()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--messages", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--inflight", type=int, default=16)
    a = ap.parse_args()
    k = Kannel("http://127.0.0.1:9/unused", "bench-secret", max_messages=10, log_level=3)
    rows = {"curl, one after the other (keep-alive)": [], f"curl --parallel-max {a.inflight}": [],
            f"renfortd outbox (sms_max_inflight {a.inflight})": []}
    try:
        k.start()
        for _ in range(a.runs):
            keys = list(rows)
            rows[keys[0]].append(curl_run(k, a.messages, 1))
            rows[keys[1]].append(curl_run(k, a.messages, a.inflight))
            rows[keys[2]].append(renfort_run(k, a.messages, a.inflight))
    finally:
        k.stop()
        k.cleanup()
    ref = statistics.median(rows[f"curl --parallel-max {a.inflight}"])
    print(f"\nSMS handed to Kannel sendsms on loopback: {a.messages} messages, {a.runs} runs (medians)\n")
    print(f"{'':48} {'messages/s':>12} {'vs parallel curl':>18}")
    for name, v in rows.items():
        m = statistics.median(v)
        print(f"{name:48} {m:12.0f} {m / ref:17.2f}x")


if __name__ == "__main__":
    main()
