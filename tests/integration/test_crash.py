"""Crash test (issue 3): several clients send stock reports over websockets while renfortd is
killed with SIGKILL at random moments, 20 times. After each restart, every acknowledged report is
in the ledger exactly once, reports sent but not acknowledged are retried with their idempotency
key and end up there exactly once too, and PRAGMA integrity_check answers ok."""

import json
import random
import sqlite3
import threading
import time
import unittest

import websocket

from harness import Server

CLIENTS = 4
KILLS = 20
ITEMS = ("respirator", "gloves-examination")


class Client:
    def __init__(self, n, token, structure):
        self.n = n
        self.token = token
        self.structure = structure
        self.seq = 0
        self.acked = set()      # keys whose ack arrived
        self.unsure = set()     # keys sent without an ack (the server died)

    def body(self, key_n):
        return {"holder_kind": "structure", "holder_id": self.structure,
                "items": [{"item": it, "quantity": 1000 + key_n % 97} for it in ITEMS]}

    def run(self, port, stop):
        """Sends reports one after the other until the connection dies or stop is set."""
        try:
            ws = websocket.create_connection(f"ws://127.0.0.1:{port}/ws", header=["Authorization: Bearer " + self.token],
                                             timeout=5, suppress_origin=True)
        except Exception:
            return
        try:
            # first the keys left unsure by the last crash: same key, same body
            retry = sorted(self.unsure)
            while not stop.is_set():
                if retry:
                    key_n = retry.pop(0)
                else:
                    self.seq += 1
                    key_n = self.seq
                key = f"c{self.n}-{key_n}"
                self.unsure.add(key_n)
                ws.send(json.dumps({"type": "stock.report", "id": key, "idempotency_key": key, "data": self.body(key_n)}))
                while True:
                    m = json.loads(ws.recv())
                    if m.get("id") == key:
                        break
                if m["type"] != "result":
                    raise AssertionError(f"report {key} refused: {m}")
                self.acked.add(key_n)
                self.unsure.discard(key_n)
        except (websocket.WebSocketException, ConnectionError, OSError):
            pass  # the server was killed
        finally:
            try:
                ws.close()
            except Exception:
                pass


class CrashTest(unittest.TestCase):
    def test_sigkill_loses_nothing_acknowledged(self):
        rnd = random.Random(20200317)
        server = Server()
        admin = server.token("admin")
        try:
            server.start()
            clients = []
            for n in range(CLIENTS):
                st, s, _ = server.http("POST", "/api/v1/structures", admin, body={
                    "name": f"EHPAD crash {n}", "category": "ehpad", "legal_form": "public", "commune": "31555",
                    "capacity": 100, "occupancy": 90, "staff": 60})
                self.assertEqual(st, 201, s)
                clients.append(Client(n, None, s["id"]))
            server.stop()
            for c in clients:
                c.token = server.token("structure", subject=c.structure)

            for kill in range(KILLS):
                server.start()
                stop = threading.Event()
                threads = [threading.Thread(target=c.run, args=(server.port, stop)) for c in clients]
                for t in threads:
                    t.start()
                time.sleep(rnd.uniform(0.05, 0.6))
                server.kill()
                stop.set()
                for t in threads:
                    t.join(timeout=10)
                    self.assertFalse(t.is_alive())
                self.check(server.db, clients, final=False)

            # the last round: retry what is still unsure, with the server staying up
            server.start()
            stop = threading.Event()
            for c in clients:
                t = threading.Thread(target=c.run, args=(server.port, stop))
                t.start()
                time.sleep(0.3)
                stop.set()
                t.join(timeout=10)
                stop.clear()
            server.stop()
            self.check(server.db, clients, final=True)
            total = sum(len(c.acked) for c in clients)
            self.assertGreater(total, KILLS, "the clients got reports through between the kills")
            print(f"\n{total} reports acknowledged across {KILLS} kills", flush=True)
        finally:
            server.cleanup()

    def check(self, db, clients, final):
        con = sqlite3.connect(db)
        try:
            self.assertEqual(con.execute("PRAGMA integrity_check").fetchone()[0], "ok")
            counts = dict(con.execute("SELECT idempotency_key, count(*) FROM stock_ledger "
                                      "WHERE kind = 'report' GROUP BY idempotency_key").fetchall())
            reports = dict(con.execute("SELECT idempotency_key, count(*) FROM stock_reports GROUP BY idempotency_key").fetchall())
        finally:
            con.close()
        for c in clients:
            for k in c.acked:
                key = f"c{c.n}-{k}"
                self.assertEqual(counts.get(key), len(ITEMS), f"acknowledged report {key} in the ledger once")
                self.assertEqual(reports.get(key), 1, f"acknowledged report {key} recorded once")
            for k in c.unsure:
                key = f"c{c.n}-{k}"
                self.assertIn(counts.get(key, 0), (0, len(ITEMS)), f"report {key}: all or nothing")
                self.assertIn(reports.get(key, 0), (0, 1))
            if final:
                self.assertEqual(c.unsure, set(), "every report got through in the end")
        # nothing is there that no client sent
        sent = {f"c{c.n}-{k}" for c in clients for k in c.acked | c.unsure}
        self.assertEqual(set(reports) - sent, set())


if __name__ == "__main__":
    unittest.main()
