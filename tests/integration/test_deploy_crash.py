"""Crash test of the deployment replies (issue 12): volunteers answer "OUI <code>" to hundreds of
calls through the Kannel webhook, from several threads, while renfortd is killed with SIGKILL at
random moments, 12 times. A webhook that got no answer is sent again with the same message id,
as Kannel does. In the end: never more people assigned than a request asked for (and the count
kept on the request agrees), every yes answered exactly once (assigned with a confirmation, or
told the request is filled), every call still there with its SMS, no message processed twice,
and PRAGMA integrity_check says ok."""

import http.client
import random
import sqlite3
import threading
import time
import unittest
import urllib.parse

import samples
from harness import Server

SECRET = "crash-secret"
KILLS = 12
CLIENTS = 3
REQUESTS = 100
COUNT = 3


class Replier:
    """Sends its share of the replies one after the other; a reply is done once the webhook
    answered 200 (then it is never sent again)."""

    def __init__(self, replies):
        self.pending = list(replies)  # (gateway id, phone, text)
        self.done = []

    def run(self, server, stop):
        while self.pending and not stop.is_set():
            gid, phone, text = self.pending[0]
            q = urllib.parse.urlencode({"secret": SECRET, "from": phone, "to": "38100", "text": text, "id": gid})
            try:
                st, _, _ = server.http("GET", "/sms/kannel/inbound?" + q)
            except (OSError, http.client.HTTPException):
                return  # killed: the same message goes again next round
            if st != 200:
                raise AssertionError("webhook %s: %s" % (gid, st))
            self.done.append(self.pending.pop(0))
            time.sleep(0.02)


class DeployCrash(unittest.TestCase):
    def test_sigkill_during_a_burst_of_replies(self):
        rnd = random.Random(20201126)
        server = Server(extra_args=("--set", "kannel_secret=" + SECRET, "--set", "staff_quiet_start_hour=0",
                                    "--set", "staff_quiet_end_hour=0", "--set", "sms_rate_per_s=1000"))
        admin = server.token("admin")
        try:
            server.start()
            st, s, _ = server.http("POST", "/api/v1/structures", admin, body=samples.structure(name="EHPAD crash"))
            self.assertEqual(st, 201, s)
            vols = []
            for i in range(30):
                st, v, _ = server.http("POST", "/api/v1/volunteers", admin,
                                       body=samples.volunteer(first_name="C%d" % i, skills=["crash"]))
                self.assertEqual(st, 201, v)
                vols.append(v)
            phone = {v["id"]: v["phone"] for v in vols}
            replies = []
            for r in range(REQUESTS):
                day = 1 + r % 28
                month = 4 + r // 28
                st, req, _ = server.http("POST", "/api/v1/deployments/requests", admin, body={
                    "structure_id": s["id"], "professions": ["nurse"], "count": COUNT, "skills": ["crash"],
                    "shifts": [{"start": "2030-%02d-%02dT07:00" % (month, day), "end": "2030-%02d-%02dT19:00" % (month, day)}]})
                self.assertEqual(st, 201, req)
                for c in req["call_list"]:
                    replies.append(("crash-%d" % c["id"], phone[c["volunteer_id"]], "OUI " + c["code"]))
            self.assertEqual(len(replies), REQUESTS * COUNT * 2)
            rnd.shuffle(replies)
            clients = [Replier(replies[i::CLIENTS]) for i in range(CLIENTS)]
            server.stop()

            for kill in range(KILLS):
                server.start()
                stop = threading.Event()
                threads = [threading.Thread(target=c.run, args=(server, stop)) for c in clients]
                for t in threads:
                    t.start()
                time.sleep(rnd.uniform(0.05, 0.4))
                server.kill()
                stop.set()
                for t in threads:
                    t.join(timeout=30)
                    self.assertFalse(t.is_alive())
                self.check(server.db, final=False)
            sent_before_last = sum(len(c.done) for c in clients)
            self.assertLess(sent_before_last, len(replies), "the kills came during the burst")

            # the last round: whatever is left goes through
            server.start()
            stop = threading.Event()
            threads = [threading.Thread(target=c.run, args=(server, stop)) for c in clients]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=120)
                self.assertFalse(t.is_alive())
            server.stop()
            self.assertEqual(sum(len(c.pending) for c in clients), 0)
            self.check(server.db, final=True, replies=replies)
            print("\n%d replies, %d acknowledged before the last of %d kills" % (len(replies), sent_before_last, KILLS),
                  flush=True)
        finally:
            server.cleanup()

    def check(self, db, final, replies=()):
        con = sqlite3.connect(db)
        try:
            q = lambda sql, *a: con.execute(sql, a).fetchall()
            self.assertEqual(q("PRAGMA integrity_check")[0][0], "ok")
            # never more people than asked; the request's count agrees with its calls
            for rid, count, filled, accepted in q("SELECT r.id, r.count, r.filled, (SELECT count(*) FROM staff_calls k "
                                                  "WHERE k.request_id = r.id AND k.status = 'accepted') FROM staff_requests r"):
                self.assertLessEqual(accepted, count, "request %d over-filled" % rid)
                self.assertEqual(filled, accepted, "request %d counts %d, has %d" % (rid, filled, accepted))
            # each message processed once; each yes has one reply, and one answer by SMS
            self.assertEqual(q("SELECT count(*) FROM (SELECT gateway_id FROM sms_inbox GROUP BY gateway_id "
                               "HAVING count(*) > 1)")[0][0], 0)
            rows = q("SELECT i.gateway_id, i.result, (SELECT count(*) FROM staff_replies y WHERE y.inbox_id = i.id), "
                     "k.id, k.status FROM sms_inbox i JOIN staff_calls k ON 'crash-' || k.id = i.gateway_id")
            for gid, result, nreplies, call, status in rows:
                self.assertEqual(nreplies, 1, gid)
                self.assertIn(result, ("accepted", "filled"), gid)
                confirmed = q("SELECT count(*) FROM sms_outbox WHERE cause_kind = 'call' AND cause_id = ? "
                              "AND kind = 'staff_confirmed'", call)[0][0]
                late = q("SELECT count(*) FROM sms_outbox WHERE cause_kind = 'call' AND cause_id = ? "
                         "AND kind = 'staff_late'", call)[0][0]
                if result == "accepted":
                    self.assertEqual((status, confirmed, late), ("accepted", 1, 0), gid)
                else:
                    self.assertEqual((confirmed, late), (0, 1), gid)
                    self.assertIn(status, ("late", "cancelled"), gid)
            # no call lost: every call has its SMS; every request has its 2 x count calls
            self.assertEqual(q("SELECT count(*) FROM staff_calls k WHERE k.sms_id IS NULL OR NOT EXISTS "
                               "(SELECT 1 FROM sms_outbox o WHERE o.id = k.sms_id AND o.kind = 'staff_call')")[0][0], 0)
            self.assertEqual(q("SELECT count(*) FROM staff_requests WHERE (SELECT count(*) FROM staff_calls k "
                               "WHERE k.request_id = staff_requests.id) != 2 * count")[0][0], 0)
            if final:
                # every yes went through: each request is filled, by its first three yeses
                self.assertEqual(len(rows), len(replies))
                self.assertEqual(q("SELECT count(*) FROM staff_requests WHERE status != 'filled' OR filled != count")[0][0], 0)
                self.assertEqual(q("SELECT count(*) FROM staff_calls WHERE status = 'open'")[0][0], 0)
        finally:
            con.close()


if __name__ == "__main__":
    unittest.main()
