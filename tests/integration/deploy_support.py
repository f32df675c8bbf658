"""Helpers of the deployment tests (issue 12): a small world of structures and volunteers built
through the API, staff requests, replies injected as a gateway would send them, and readers of the
outbox. Not a test module."""

import itertools
import time
import urllib.parse

import samples

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
        """Waits until the database stops changing (the SMS sender's background writes)."""
        deadline = time.time() + timeout
        last = self.server.fingerprint()
        while time.time() < deadline:
            time.sleep(quiet)
            now = self.server.fingerprint()
            if now == last:
                return
            last = now
        raise AssertionError("the database kept changing for %s s" % timeout)

    def advance(self, ms):
        return self.ok("POST", "/api/v1/clock/advance", body={"ms": ms})

    def alerts(self, **q):
        qs = urllib.parse.urlencode(dict(q, limit=1000))
        return self.ok("GET", "/api/v1/alerts?" + qs)["items"]


def wait_until(fn, timeout=10, step=0.05, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(step)
    raise AssertionError(f"{what} not met within {timeout} s")
