"""The server starts on an empty database, loads the reference data, answers /healthz and the
API with a token, refuses without one, and stops cleanly on SIGTERM."""

import unittest

from harness import ServerTest


class CoreSmoke(ServerTest):
    def test_healthz(self):
        st, body, _ = self.server.http("GET", "/healthz")
        self.assertEqual(st, 200)
        self.assertEqual(body["status"], "ok")
        self.assertGreaterEqual(body["schema_version"], 2)

    def test_territories_loaded(self):
        st, body, _ = self.api("GET", "/api/v1/territories")
        self.assertEqual(st, 200)
        codes = [d["code"] for d in body["items"]]
        self.assertEqual(codes, ["09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82"])
        st, c, _ = self.api("GET", "/api/v1/communes/31555")
        self.assertEqual((st, c["name"], c["dep"]), (200, "Toulouse", "31"))

    def test_token_required(self):
        self.assertError(self.server.http("GET", "/api/v1/structures"), 401, "authorization", "unauthorized")
        self.assertError(self.server.http("GET", "/api/v1/structures", token="rf_not_a_token"), 401, "authorization")

    def test_unknown_endpoint(self):
        self.assertError(self.api("GET", "/api/v1/nothing-here"), 404, "path")
        self.assertError(self.api("PUT", "/api/v1/structures"), 405, "method")

    def test_websocket_request_ids_come_back_as_sent(self):
        # an id is a string or a number; integers are written by hand, the rest through cJSON
        ws = self.server.ws(self.admin)
        ids = [7, -7, 0, 9007199254740992, -9007199254740992, 2.5, -0.25, 1e300, "r-1", "é\"\\", ""]
        for rid in ids:
            ws.send({"type": "whoami", "id": rid})
            m = ws.recv()
            self.assertEqual((m.get("type"), m.get("status"), m.get("id")), ("result", 200, rid), m)
            self.assertEqual(m["data"]["role"], "admin")

    def test_metrics(self):
        st, text, _ = self.server.http("GET", "/metrics")
        self.assertEqual(st, 200)
        self.assertIn("renfort_http_responses_total{class=\"2xx\"}", text)


if __name__ == "__main__":
    unittest.main()
