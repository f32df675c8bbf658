"""Bounded everything: connections per address, websocket send queues (a slow subscriber is closed
with a reason and the others do not suffer), message sizes."""

import re
import socket
import threading
import time
import unittest

import websocket

from harness import ServerTest


class Limits(ServerTest):
    extra_args = ("--set", "max_connections_per_ip=6", "--set", "ws_send_queue_max=200",
                  "--set", "max_ws_message_bytes=4096")

    @classmethod
    def prepare(cls, server):
        cls.admin = server.token("admin")

    def test_connections_per_address(self):
        held = [self.server.ws(self.admin) for _ in range(6)]
        try:
            with self.assertRaises((websocket.WebSocketException, ConnectionError, OSError)):
                extra = self.server.ws(self.admin, timeout=3)
                extra.request("whoami", timeout=3)
            # plain HTTP is refused too while the address is at its limit
            with self.assertRaises((ConnectionError, OSError, Exception)):
                self.server.http("GET", "/healthz")
        finally:
            held.pop().close()
        time.sleep(0.3)
        ok = self.server.ws(self.admin)
        self.assertEqual(ok.request("whoami")["status"], 200)
        ok.close()
        for w in held:
            w.close()
        time.sleep(0.3)
        self.assertEqual(self.server.http("GET", "/healthz")[0], 200)

    def test_slow_subscriber_is_closed_and_others_get_everything(self):
        st, s, _ = self.api("POST", "/api/v1/structures", body={
            "name": "Hôpital lent", "category": "hospital", "legal_form": "public", "commune": "31555"})
        self.assertEqual(st, 201, s)
        items = [it["code"] for it in self.api("GET", "/api/v1/items?limit=60")[1]["items"]][:50]
        # a subscriber that never reads, with a tiny receive buffer
        slow = websocket.create_connection(f"ws://127.0.0.1:{self.server.port}/ws",
                                           header=["Authorization: Bearer " + self.admin], suppress_origin=True,
                                           sockopt=((socket.SOL_SOCKET, socket.SO_RCVBUF, 2048),), timeout=10)
        slow.send('{"type":"subscribe","id":1,"params":{"topics":["stock"]}}')
        fast = self.server.ws(self.admin)
        self.assertEqual(fast.request("subscribe", params={"topics": ["stock"]})["status"], 200)
        time.sleep(0.2)
        # enough for the kernel buffers (a few MB on loopback) and then the queue (200) to fill
        reports = 300
        expected = reports * len(items)
        got = []

        def read_fast():
            while len(got) < expected:
                got.append(fast.next_event(timeout=20))

        # The server gives a peer that does not read 5 s to take its close frame, then cuts it off: the
        # slow subscriber starts reading as soon as /metrics says it was closed, however long the
        # reports take on a loaded machine.
        closed = {}

        def read_slow():
            deadline = time.time() + 120
            while time.time() < deadline:
                metrics = self.server.http("GET", "/metrics")[1]
                if re.search(r"renfort_ws_slow_closed_total [1-9]", metrics):
                    break
                time.sleep(0.1)
            deadline = time.time() + 10
            while time.time() < deadline:
                op, frame = slow.recv_data_frame(True)
                if op == websocket.ABNF.OPCODE_CLOSE:
                    closed["code"] = int.from_bytes(frame.data[:2], "big")
                    closed["reason"] = frame.data[2:].decode()
                    break

        reader = threading.Thread(target=read_fast)
        reader.start()
        slow_reader = threading.Thread(target=read_slow)
        slow_reader.start()
        for n in range(reports):
            st, body, _ = self.api("POST", "/api/v1/stock/reports", body={
                "holder_kind": "structure", "holder_id": s["id"],
                "items": [{"item": it, "quantity": 1000 + n} for it in items]},
                headers={"Idempotency-Key": f"slow-{n}"})
            self.assertEqual(st, 201, body)
        reader.join(timeout=30)
        slow_reader.join(timeout=130)
        # the reading subscriber got every event, in order
        seqs = [e["seq"] for e in got]
        self.assertEqual(len(set(seqs)), expected)
        self.assertEqual(seqs, sorted(seqs))
        # the slow one finds a close frame with the reason after what it was sent before
        self.assertEqual(closed.get("code"), 1008)
        self.assertIn("send queue full", closed["reason"])
        slow.close()
        fast.close()
        st, metrics, _ = self.server.http("GET", "/metrics")
        self.assertRegex(metrics, r"renfort_ws_slow_closed_total [1-9]")

    def test_message_too_large_keeps_connection(self):
        ws = self.server.ws(self.admin)
        ws.send('{"type":"whoami","id":1,"data":"' + "x" * 5000 + '"}')
        err = ws.recv()
        self.assertEqual((err["status"], err["error"]["code"], err["error"]["field"]), (413, "too_large", "message"))
        self.assertEqual(ws.request("whoami")["status"], 200)
        ws.close()


if __name__ == "__main__":
    unittest.main()
