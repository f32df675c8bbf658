"""Clean shutdown: on SIGTERM (and SIGINT) every websocket client gets a close frame 1001 (going
away), renfortd exits 0, and what was acknowledged before is there after a restart."""

import signal
import time
import unittest

import samples
from harness import Server


class Shutdown(unittest.TestCase):
    def setUp(self):
        self.server = Server()
        self.addCleanup(self.server.cleanup)
        self.admin = self.server.token("admin")
        self.coord = self.server.token("coordinator", scope="81")
        self.server.start()

    def stop_with(self, sig):
        clients = [self.server.ws(token=self.admin), self.server.ws(token=self.coord)]
        try:
            m = clients[1].request("subscribe", params={"topics": ["structures"]})
            self.assertEqual(m["status"], 200, m)
            st, s, _ = self.server.http("POST", "/api/v1/structures", token=self.admin, body=samples.structure())
            self.assertEqual(st, 201, s)
            self.assertEqual(clients[1].next_event()["entity_id"], s["id"])
            t0 = time.time()
            self.server.proc.send_signal(sig)
            for c in clients:
                code, reason = c.recv_close(timeout=10)
                self.assertEqual(code, 1001, reason)
                self.assertIn("shutting down", reason)
            code = self.server.stop()  # waits; fails on a non-zero exit or a sanitizer report
            self.assertEqual(code, 0)
            self.assertLess(time.time() - t0, 10)
        finally:
            for c in clients:
                c.close()
        return s

    def test_sigterm_closes_websockets_with_1001_and_exits_0(self):
        s = self.stop_with(signal.SIGTERM)
        # the acknowledged write survived: restart on the same database
        self.server.start()
        st, got, _ = self.server.http("GET", "/api/v1/structures/%d" % s["id"], token=self.admin)
        self.assertEqual((st, got), (200, s))
        self.assertEqual(self.server.stop(), 0)

    def test_sigint_too(self):
        self.stop_with(signal.SIGINT)


if __name__ == "__main__":
    unittest.main()
