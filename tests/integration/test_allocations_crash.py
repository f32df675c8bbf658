"""Crash test of the shared stock (issue 13): clients drive allocations through approval, dispatch
and receipt (some received short, a discrepancy) over websockets, with idempotency keys, while
renfortd is killed with SIGKILL at random moments, 12 times. After each kill the database passes an
integrity check and:
- stock is conserved: the levels and the stock on its way add up to what was counted, less the
  discrepancies recorded;
- the stock on its way is exactly what the dispatched allocations carry;
- no step was applied twice: each allocation has exactly the ledger rows of the steps its status
  says it went through (one dispatch pair, one receipt, at most one discrepancy);
- every acknowledged step is there; a step sent without an answer is either all there or not at all,
  and is sent again with the same key after the restart (it is then applied once, or answered as
  the first time)."""

import json
import random
import sqlite3
import threading
import time
import unittest

import websocket

from harness import Server
import samples

CLIENTS = 3
KILLS = 12
LINES = 900
ITEM = "respirator"
NEXT = {"proposed": "approve", "approved": "dispatch", "dispatched": "receive"}
AFTER = {"approve": "approved", "dispatch": "dispatched", "receive": "received"}
ORDER = ["proposed", "approved", "dispatched", "received"]


class Driver:
    """One client: takes its allocations one step at a time, the same key for a step it did not
    hear back about."""

    def __init__(self, n, token, allocs):
        self.n, self.token = n, token
        self.status = {a: "proposed" for a in allocs}  # as acknowledged
        self.unsure = {}                                 # allocation -> (step, key, body) sent, no answer
        self.received = {}                               # allocation -> quantity received (acknowledged)
        self.in_flight = {"applied": 0, "not applied": 0}  # unsure steps found after a kill
        self.error = None                                # a refusal the thread met

    def body(self, a, step):
        if step != "receive":
            return {}
        # one allocation in four arrives three short
        return {"quantity": 37, "reason": "trois cassés"} if a % 4 == 0 else {"quantity": 40}

    def pending(self):
        return [a for a, s in self.status.items() if s != "received"]

    def run(self, port, stop, rnd):
        try:
            ws = websocket.create_connection("ws://127.0.0.1:%d/ws" % port, header=["Authorization: Bearer " + self.token],
                                             timeout=5, suppress_origin=True)
        except Exception:
            return
        try:
            while not stop.is_set():
                todo = self.pending()
                if not todo:
                    return
                a = rnd.choice(sorted(self.unsure) or todo)
                if a in self.unsure:
                    step, key, body = self.unsure[a]
                else:
                    step = NEXT[self.status[a]]
                    key, body = "c%d-a%d-%s" % (self.n, a, step), self.body(a, step)
                    self.unsure[a] = (step, key, body)
                ws.send(json.dumps({"type": "allocations." + step, "id": key, "idempotency_key": key,
                                    "params": {"id": a}, "data": body}))
                while True:
                    m = json.loads(ws.recv())
                    if m.get("id") == key:
                        break
                if m["type"] != "result" or m["data"]["status"] != AFTER[step]:
                    raise AssertionError("step %s of %d refused: %s" % (step, a, m))
                self.status[a] = AFTER[step]
                if step == "receive":
                    self.received[a] = body["quantity"]
                del self.unsure[a]
        except (websocket.WebSocketException, ConnectionError, OSError):
            pass  # the server was killed
        except AssertionError as e:
            self.error = str(e)
        finally:
            try:
                ws.close()
            except Exception:
                pass


class AllocationCrashTest(unittest.TestCase):
    def test_sigkill_during_allocations(self):
        rnd = random.Random(20200415)
        server = Server()
        admin = server.token("admin")
        try:
            server.start()

            def post(path, body, key=None):
                st, data, _ = server.http("POST", path, admin, body=body,
                                          headers={"Idempotency-Key": key} if key else None)
                self.assertIn(st, (200, 201), data)
                return data

            structures = [post("/api/v1/structures", samples.structure(commune=samples.ALBI))["id"] for _ in range(4)]
            depots = [post("/api/v1/depots", samples.depot())["id"] for _ in range(2)]
            for kind, ids, quantity in (("structure", structures, 500), ("depot", depots, 20000)):
                for h in ids:
                    post("/api/v1/stock/reports", {"holder_kind": kind, "holder_id": h,
                                                   "items": [{"item": ITEM, "quantity": quantity}]}, "count-%s-%d" % (kind, h))
            allocs = [post("/api/v1/allocations", {"item": ITEM, "source_kind": "depot", "source_id": depots[i % 2],
                                                   "structure_id": structures[i % 4], "quantity": 40})["id"]
                      for i in range(LINES)]
            server.stop()
            self.counted = 4 * 500 + 2 * 20000
            tokens = [server.token("coordinator") for _ in range(CLIENTS)]
            drivers = [Driver(n, tokens[n], allocs[n::CLIENTS]) for n in range(CLIENTS)]

            for kill in range(KILLS):
                server.start()
                stop = threading.Event()
                threads = [threading.Thread(target=d.run, args=(server.port, stop, random.Random(rnd.random())))
                           for d in drivers]
                for t in threads:
                    t.start()
                time.sleep(rnd.uniform(0.1, 0.4))
                server.kill()
                stop.set()
                for t in threads:
                    t.join(timeout=10)
                    self.assertFalse(t.is_alive())
                self.check(server.db, drivers, final=False)

            # the last round: what is left and what is unsure, with the server staying up
            server.start()
            for d in drivers:
                stop = threading.Event()
                t = threading.Thread(target=d.run, args=(server.port, stop, random.Random(rnd.random())))
                t.start()
                t.join(timeout=60)
                self.assertFalse(t.is_alive())
            server.stop()
            self.check(server.db, drivers, final=True)
            done = sum(len(d.received) for d in drivers)
            applied = sum(d.in_flight["applied"] for d in drivers)
            not_applied = sum(d.in_flight["not applied"] for d in drivers)
            print("\n%d allocations received across %d kills; steps in flight at a kill: %d committed without their "
                  "answer, %d not committed (all sent again with their key)" % (done, KILLS, applied, not_applied), flush=True)
            self.assertGreater(applied + not_applied, 0, "the kills caught steps in flight")
        finally:
            server.cleanup()

    def check(self, db, drivers, final):
        con = sqlite3.connect(db)
        try:
            self.assertEqual([d.error for d in drivers if d.error], [], "steps refused")
            self.assertEqual(con.execute("PRAGMA integrity_check").fetchone()[0], "ok")
            q = lambda sql, *a: con.execute(sql, a).fetchall()
            levels = q("SELECT coalesce(sum(quantity), 0) FROM stock_levels")[0][0]
            transit = q("SELECT coalesce(sum(delta), 0) FROM stock_ledger WHERE holder_kind = 'transit'")[0][0]
            on_way = q("SELECT coalesce(sum(quantity), 0) FROM allocations WHERE status = 'dispatched'")[0][0]
            lost = q("SELECT coalesce(sum(delta), 0) FROM stock_ledger WHERE kind = 'discrepancy'")[0][0]
            self.assertEqual(transit, on_way, "the stock on its way is what the dispatched allocations carry")
            self.assertEqual(levels + transit, self.counted + lost, "stock is conserved")
            status = dict(q("SELECT id, status FROM allocations"))
            rows = {}
            for a, holder, kind in q("SELECT cause_id, holder_kind, kind FROM stock_ledger WHERE cause_id IS NOT NULL"):
                rows.setdefault(a, []).append((holder, kind))
            # each allocation has exactly the rows of the steps it went through: none twice
            for a, s in status.items():
                got = sorted(rows.get(a, []))
                want = []
                if ORDER.index(s) >= 2:
                    want += [("depot", "dispatch"), ("transit", "dispatch")]
                if s == "received":
                    want += [("structure", "receipt"), ("transit", "receipt")]
                    if a % 4 == 0:
                        want.append(("transit", "discrepancy"))
                self.assertEqual(got, sorted(want), "allocation %d (%s): its ledger rows" % (a, s))
            # what was acknowledged is there; what was unsure is all there or not at all
            for d in drivers:
                for a, s in d.status.items():
                    self.assertGreaterEqual(ORDER.index(status[a]), ORDER.index(s), "allocation %d: acknowledged %s" % (a, s))
                    self.assertLessEqual(ORDER.index(status[a]), ORDER.index(s) + 1, "allocation %d: a step too many" % a)
                for a, (step, _, _) in d.unsure.items():
                    d.in_flight["applied" if status[a] == AFTER[step] else "not applied"] += not final
                for a, qty in d.received.items():
                    self.assertEqual(q("SELECT received_quantity FROM allocations WHERE id = ?", a)[0][0], qty)
                if final:
                    self.assertEqual(d.pending(), [], "every allocation was received in the end")
                    self.assertEqual(d.unsure, {})
        finally:
            con.close()


if __name__ == "__main__":
    unittest.main()
