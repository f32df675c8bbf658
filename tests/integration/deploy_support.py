"""Helpers of the deployment tests (issue 12): a small world of structures and volunteers built
through the API, staff requests, replies injected as a gateway would send them, and readers of the
outbox. Not a test module."""

import itertools
import time
import urllib.parse

import samples
from harness import ServerTest

SHIFT = {"start": "2030-03-02T07:00", "end": "2030-03-02T19:00"}  # Paris time, a Saturday
_ids = itertools.count(1)


def request_body(structure_id, count=2, professions=("nurse",), shifts=(SHIFT,), **over):
    body = {"structure_id": structure_id, "professions": list(professions), "count": count, "urgency": "today",
            "shifts": list(shifts)}
    body.update(over)
    return body


class Deploy:
    """A server's deployment side, as a test drives it with one admin token."""

    def __init__(self, server, admin, secret):
        self.server, self.admin, self.secret = server, admin, secret

    def ok(self, method, path, status=200, token=None, **kw):
        st, body, _ = self.server.http(method, path, token or self.admin, **kw)
        if st != status:
            raise AssertionError(f"{method} {path}: {st}, expected {status}: {body}")
        return body

    def structure(self, **over):
        return self.ok("POST", "/api/v1/structures", 201, body=samples.structure(**over))

    def volunteer(self, **over):
        return self.ok("POST", "/api/v1/volunteers", 201, body=samples.volunteer(**over))

    def request(self, body, token=None, status=201):
        return self.ok("POST", "/api/v1/deployments/requests", status, token=token, body=body)

    def get(self, rid, token=None):
        return self.ok("GET", f"/api/v1/deployments/requests/{rid}", token=token)

    def calls(self, rid):
        return {c["volunteer_id"]: c for c in self.get(rid)["call_list"]}

    def sms_in(self, phone, text, gid=None):
        """An SMS from phone, as Kannel's sms-service forwards it."""
        q = urllib.parse.urlencode({"secret": self.secret, "from": phone, "to": "38100", "text": text,
                                    "id": gid or "mo-%d" % next(_ids)})
        st, body, _ = self.server.http("GET", "/sms/kannel/inbound?" + q)
        if st != 200:
            raise AssertionError(f"inbound {text!r}: {st} {body}")

    def dlr(self, sms_id, kind):
        """A Kannel delivery report for outbox row sms_id (1 delivered, 16 rejected by the SMSC)."""
        q = urllib.parse.urlencode({"secret": self.secret, "id": sms_id, "type": kind})
        st, body, _ = self.server.http("GET", "/sms/kannel/dlr?" + q)
        if st != 200:
            raise AssertionError(f"dlr {sms_id}: {st} {body}")

    def outbox(self):
        items, after = [], 0
        while True:
            page = self.ok("GET", f"/api/v1/sms/outbox?after={after}&limit=1000")["items"]
            items += page
            if len(page) < 1000:
                return items
            after = page[-1]["id"]

    def texts_to(self, phone, since=0):
        """(kind, text) of every message queued for phone after outbox row since."""
        return [(m["kind"], m["text"]) for m in self.outbox() if m["phone"] == phone and m["id"] > since]

    def last_sms_id(self):
        rows = self.outbox()
        return rows[-1]["id"] if rows else 0

    def settle(self, quiet=0.4, timeout=15):
        return self.server.settle(quiet, timeout)

    def advance(self, ms):
        return self.ok("POST", "/api/v1/clock/advance", body={"ms": ms})

    def alerts(self, **q):
        qs = urllib.parse.urlencode(dict(q, limit=1000))
        return self.ok("GET", "/api/v1/alerts?" + qs)["items"]


class DeployServerTest(ServerTest):
    """A server with the test clock, no quiet hours, Kannel's secret, the periodic checks pushed away
    (the tests run them with the clock), tokens for the admin, the coordinators of 81 and 34 and a
    regional observer, and self.d, a Deploy on it."""

    secret = "kx-deploy"
    settings = ()  # more --set pairs of a test module or class

    @classmethod
    def server_args(cls, *settings):
        args = ["test_clock=1", "staff_quiet_start_hour=0", "staff_quiet_end_hour=0", "kannel_secret=" + cls.secret,
                "alert_check_interval_s=86400", "staff_check_interval_s=3600"]
        args += settings
        return tuple(a for kv in args for a in ("--set", kv))

    @classmethod
    def prepare(cls, server):
        cls.admin = server.token("admin")
        cls.coord81 = server.token("coordinator", scope="81")
        cls.coord34 = server.token("coordinator", scope="34")
        cls.observer = server.token("observer", scope="region")

    @classmethod
    def setUpClass(cls):
        cls.extra_args = cls.server_args(*cls.settings)
        super().setUpClass()
        cls.d = Deploy(cls.server, cls.admin, cls.secret)

    def unchanged(self):
        """Nothing written by what runs inside, once the SMS sender has sent what it had to."""
        self.d.settle()
        return super().unchanged()


def wait_until(fn, timeout=10, step=0.05, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(step)
    raise AssertionError(f"{what} not met within {timeout} s")
