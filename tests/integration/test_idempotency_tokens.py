"""Idempotency keys (HTTP header and websocket field), API tokens (API and command line, revocation,
secrets never stored), the websocket upgrade's checks (token, Origin) and bad websocket input."""

import hashlib
import json
import sqlite3
import unittest

import websocket

import samples
from harness import ServerTest


class Idempotency(ServerTest):
    @classmethod
    def prepare(cls, server):
        super().prepare(server)
        cls.c81 = server.token("coordinator", scope="81")

    def count(self, name):
        st, page, _ = self.api("GET", "/api/v1/structures?q=" + name.replace(" ", "%20"))
        return page["total"]

    def test_http_same_key_same_body_answers_the_first_result(self):
        body = samples.structure(name="Idem home A")
        first = self.api("POST", "/api/v1/structures", body=body, headers={"Idempotency-Key": "idem-a"})
        again = self.api("POST", "/api/v1/structures", body=body, headers={"Idempotency-Key": "idem-a"})
        self.assertEqual(first[0], 201, first[1])
        self.assertEqual((again[0], again[1]), (first[0], first[1]))
        self.assertEqual(self.count("Idem home A"), 1)
        # another body under the same key is refused, and changes nothing
        before = self.server.fingerprint()
        self.assertError(self.api("POST", "/api/v1/structures", body=samples.structure(name="Idem home B"),
                                  headers={"Idempotency-Key": "idem-a"}),
                         409, "idempotency_key", "idempotency_conflict")
        self.assertEqual(self.server.fingerprint(), before)
        self.assertEqual(self.count("Idem home B"), 0)
        # the same key for another operation, too
        self.assertError(self.api("POST", "/api/v1/depots", body=body, headers={"Idempotency-Key": "idem-a"}), 409,
                         "idempotency_key", "idempotency_conflict")
        # keys belong to a token: another token's same key is another request
        other = self.api("POST", "/api/v1/structures", token=self.c81, body=body, headers={"Idempotency-Key": "idem-a"})
        self.assertEqual(other[0], 201, other[1])
        self.assertNotEqual(other[1]["id"], first[1]["id"])
        self.assertEqual(self.count("Idem home A"), 2)

    def test_http_retried_update_and_delete(self):
        st, s, _ = self.api("POST", "/api/v1/structures", body=samples.structure(name="Idem home C", staff=1))
        url = "/api/v1/structures/%d" % s["id"]
        first = self.api("PATCH", url, body={"staff": 5}, headers={"Idempotency-Key": "idem-c1"})
        self.assertEqual((first[0], first[1]["staff"]), (200, 5))
        self.api("PATCH", url, body={"staff": 6})
        again = self.api("PATCH", url, body={"staff": 5}, headers={"Idempotency-Key": "idem-c1"})
        self.assertEqual((again[0], again[1]), (first[0], first[1]))  # the first answer...
        self.assertEqual(self.api("GET", url)[1]["staff"], 6)  # ...and not applied again
        gone = self.api("DELETE", url, headers={"Idempotency-Key": "idem-c2"})
        self.assertEqual((gone[0], gone[1]), (200, {"id": s["id"], "deleted": True}))
        # a retried delete answers as the first did, not 404
        again = self.api("DELETE", url, headers={"Idempotency-Key": "idem-c2"})
        self.assertEqual((again[0], again[1]), (gone[0], gone[1]))
        # the same key on another row is another request: refused
        self.assertError(self.api("DELETE", "/api/v1/structures/%d" % (s["id"] + 1000),
                                  headers={"Idempotency-Key": "idem-c2"}), 409, "idempotency_key")

    def test_a_refused_request_does_not_take_the_key(self):
        bad = samples.structure(name="Idem home D", category="zoo")
        self.assertError(self.api("POST", "/api/v1/structures", body=bad, headers={"Idempotency-Key": "idem-d"}), 422,
                         "category")
        good = dict(bad, category="ehpad")
        st, s, _ = self.api("POST", "/api/v1/structures", body=good, headers={"Idempotency-Key": "idem-d"})
        self.assertEqual(st, 201, s)
        self.assertEqual(self.count("Idem home D"), 1)

    def test_keys_remembered_by_an_older_renfortd_still_match(self):
        # renfortd up to schema 3 bound a key to the SHA-256 of the printed request; rows it wrote stay valid
        body = samples.structure(name="Idem home L")
        first = self.api("POST", "/api/v1/structures", body=body, headers={"Idempotency-Key": "idem-legacy"})
        self.assertEqual(first[0], 201, first[1])
        (stored,), = self.server.sql("SELECT request_hash FROM idempotency WHERE key = 'idem-legacy'")
        self.assertTrue(stored.startswith("v2:"), stored)
        printed = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
        v1 = hashlib.sha256(b"structures.create\0{}\0" + printed.encode() + b"\0").hexdigest()
        conn = sqlite3.connect(self.server.db, timeout=10)
        with conn:
            conn.execute("UPDATE idempotency SET request_hash = ? WHERE key = 'idem-legacy'", (v1,))
        conn.close()
        again = self.api("POST", "/api/v1/structures", body=body, headers={"Idempotency-Key": "idem-legacy"})
        self.assertEqual((again[0], again[1]), (201, first[1]))
        self.assertEqual(self.count("Idem home L"), 1)
        self.assertError(self.api("POST", "/api/v1/structures", body=samples.structure(name="Idem home M"),
                                  headers={"Idempotency-Key": "idem-legacy"}),
                         409, "idempotency_key", "idempotency_conflict")
        self.assertEqual(self.count("Idem home M"), 0)

    def test_key_length(self):
        self.assertError(self.api("POST", "/api/v1/structures", body=samples.structure(),
                                  headers={"Idempotency-Key": "k" * 129}), 422, "idempotency-key")
        st, s, _ = self.api("POST", "/api/v1/structures", body=samples.structure(),
                            headers={"Idempotency-Key": "k" * 128})
        self.assertEqual(st, 201, s)

    def test_websocket_idempotency_key(self):
        w = self.server.ws(token=self.admin)
        try:
            body = samples.structure(name="Idem home E")
            first = w.request("structures.create", data=body, key="idem-e")
            again = w.request("structures.create", data=body, key="idem-e")
            self.assertEqual(first["status"], 201, first)
            self.assertEqual((again["status"], again["data"]), (201, first["data"]))
            self.assertEqual(self.count("Idem home E"), 1)
            m = w.request("structures.create", data=samples.structure(name="Idem home F"), key="idem-e")
            self.assertEqual((m["type"], m["status"], m["error"]["code"], m["error"]["field"]),
                             ("error", 409, "idempotency_conflict", "idempotency_key"), m)
            self.assertEqual(self.count("Idem home F"), 0)
            for bad in ("", "k" * 129, 12):
                m = w.request("structures.create", data=body, key=bad)
                self.assertEqual((m["status"], m["error"]["field"]), (422, "idempotency_key"), m)
            # HTTP and websocket share a token's keys: a retry may switch transports
            body = samples.structure(name="Idem home G")
            http_first = self.api("POST", "/api/v1/structures", body=body, headers={"Idempotency-Key": "idem-g"})
            m = w.request("structures.create", data=body, key="idem-g")
            self.assertEqual((m["status"], m["data"]), (201, http_first[1]))
            self.assertEqual(self.count("Idem home G"), 1)
        finally:
            w.close()


class Tokens(ServerTest):
    @classmethod
    def prepare(cls, server):
        super().prepare(server)
        cls.cli_token = server.token("coordinator", scope="81", label="from the command line")
        cls.c34 = server.token("coordinator", scope="34")

    def whoami(self, token):
        return self.server.http("GET", "/api/v1/whoami", token=token)

    def test_tokens_over_the_api(self):
        st, t, _ = self.api("POST", "/api/v1/tokens", body={"role": "coordinator", "scope": "31,81", "label": "cell"})
        self.assertEqual(st, 201, t)
        self.assertEqual((t["role"], t["scope"]), ("coordinator", ["31", "81"]))
        self.assertRegex(t["token"], r"^rf_[A-Za-z0-9_-]{40,}$")
        st, who, _ = self.whoami(t["token"])
        self.assertEqual((st, who["token_id"], who["role"], who["scope"]), (200, t["id"], "coordinator", ["31", "81"]))
        st, page, _ = self.api("GET", "/api/v1/tokens")
        listed = [x for x in page["items"] if x["id"] == t["id"]]
        self.assertEqual(len(listed), 1)
        self.assertEqual((listed[0]["label"], listed[0]["revoked_at"]), ("cell", None))
        self.assertNotIn(t["token"], json.dumps(page))
        self.assertNotIn("hash", listed[0])
        # only an admin manages tokens
        for token in (self.c34, t["token"]):
            self.assertError(self.api("POST", "/api/v1/tokens", token=token, body={"role": "admin"}), 403, "role",
                             "forbidden")
            self.assertError(self.api("DELETE", "/api/v1/tokens/%d" % t["id"], token=token), 403, "role", "forbidden")
        # revoked: 401 from then on, over HTTP and at the websocket upgrade
        st, r, _ = self.api("DELETE", "/api/v1/tokens/%d" % t["id"])
        self.assertEqual((st, r), (200, {"id": t["id"], "revoked": True}))
        self.assertError(self.whoami(t["token"]), 401, "authorization", "unauthorized")
        with self.assertRaises(websocket.WebSocketBadStatusException) as cm:
            self.server.ws(token=t["token"])
        self.assertEqual(cm.exception.status_code, 401)
        self.assertError(self.api("DELETE", "/api/v1/tokens/%d" % t["id"]), 404, "id", "not_found")
        st, page, _ = self.api("GET", "/api/v1/tokens")
        self.assertIsNotNone([x for x in page["items"] if x["id"] == t["id"]][0]["revoked_at"])

    def test_token_requests_are_validated(self):
        st, s, _ = self.api("POST", "/api/v1/structures", body=samples.structure())
        before = self.server.fingerprint()
        for body, field in (({"role": "king"}, "role"), ({"role": "coordinator", "scope": "75"}, "scope"),
                            ({"role": "coordinator", "scope": 81}, "scope"), ({"role": "structure"}, "subject_id"),
                            ({"role": "structure", "subject_id": 999999}, "subject"),
                            ({"role": "volunteer", "subject_id": s["id"]}, "subject"),
                            ({"role": "structure", "subject_id": s["id"], "scope": "81"}, "scope"),
                            ({"role": "admin", "subject_id": s["id"]}, "subject_id"),
                            ({"role": "admin", "label": "x" * 121}, "label"),
                            ({"role": "admin", "secret": "mine"}, "secret")):
            with self.subTest(body=body):
                st, err, _ = self.api("POST", "/api/v1/tokens", body=body)
                self.assertEqual(st, 422, err)
                self.assertEqual(err["error"]["field"], field, err)
        self.assertEqual(self.server.fingerprint(), before)
        st, t, _ = self.api("POST", "/api/v1/tokens", body={"role": "structure", "subject_id": s["id"]})
        self.assertEqual(st, 201, t)
        st, who, _ = self.whoami(t["token"])
        self.assertEqual((who["role"], who["subject_id"], who["scope"]), ("structure", s["id"], None))

    def test_tokens_on_the_command_line(self):
        st, who, _ = self.whoami(self.cli_token)
        self.assertEqual((st, who["role"], who["scope"]), (200, "coordinator", ["81"]))
        listing = self.server.run_cli("token", "list").stdout
        line = [ln for ln in listing.splitlines() if ln.split("\t")[0] == str(who["token_id"])]
        self.assertEqual(len(line), 1, listing)
        self.assertIn("from the command line", line[0])
        self.assertNotIn(self.cli_token, listing)
        # created on the command line while the server runs: usable at once
        fresh = self.server.token("observer", label="late")
        self.assertEqual(self.whoami(fresh)[0], 200)
        # revoked on the command line while the server runs: refused at once
        self.server.run_cli("token", "revoke", str(who["token_id"]))
        self.assertError(self.whoami(self.cli_token), 401, "authorization", "unauthorized")
        with self.assertRaises(websocket.WebSocketBadStatusException) as cm:
            self.server.ws(token=self.cli_token)
        self.assertEqual(cm.exception.status_code, 401)
        self.assertNotEqual(self.server.run_cli("token", "revoke", str(who["token_id"]), check=False).returncode, 0)
        bad = self.server.run_cli("token", "create", "--role", "coordinator", "--scope", "75", check=False)
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("scope", bad.stderr)

    def test_secrets_are_not_stored(self):
        secrets = [self.admin, self.c34, self.cli_token]
        st, t, _ = self.api("POST", "/api/v1/tokens", body={"role": "observer"}, headers={"Idempotency-Key": "tok-1"})
        self.assertEqual(st, 201, t)
        secrets.append(t["token"])
        # a retried creation does not show the secret again: it is not kept to be shown
        st, again, _ = self.api("POST", "/api/v1/tokens", body={"role": "observer"},
                                headers={"Idempotency-Key": "tok-1"})
        self.assertEqual((st, again["id"]), (201, t["id"]))
        self.assertNotEqual(again["token"], t["token"])
        self.assertNotIn("rf_", again["token"])
        tables = [r[0] for r in self.server.sql("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            dump = repr(self.server.sql('SELECT * FROM "%s"' % table))
            for secret in secrets:
                self.assertNotIn(secret, dump, table)
                self.assertNotIn(secret[3:], dump, table)
        hashes = {r[0] for r in self.server.sql("SELECT hash FROM tokens")}
        for secret in secrets:
            self.assertIn(hashlib.sha256(secret.encode()).hexdigest(), hashes)


class WebsocketUpgrade(ServerTest):
    @classmethod
    def prepare(cls, server):
        super().prepare(server)
        cls.c81 = server.token("coordinator", scope="81")

    def refused(self, status, **kw):
        with self.assertRaises(websocket.WebSocketBadStatusException) as cm:
            self.server.ws(**kw).close()
        self.assertEqual(cm.exception.status_code, status)

    def accepted(self, **kw):
        w = self.server.ws(**kw)
        try:
            m = w.request("whoami")
            self.assertEqual(m["status"], 200, m)
            return m["data"]
        finally:
            w.close()

    def test_token_is_checked_at_the_upgrade(self):
        self.refused(401)
        self.refused(401, token="rf_not_a_token")
        self.refused(401, origin="http://127.0.0.1:%d" % self.server.port)
        self.assertEqual(self.accepted(token=self.c81)["scope"], ["81"])

    def test_origin_is_checked_at_the_upgrade(self):
        own = "http://127.0.0.1:%d" % self.server.port
        port = self.server.port
        for bad in ("http://evil.example", "http://127.0.0.1:%d" % (port + 1), "https://127.0.0.1:%d" % port,
                    own + ".evil.example", "null"):
            with self.subTest(origin=bad):
                self.refused(403, token=self.c81, origin=bad)
        self.assertEqual(self.accepted(token=self.c81, origin=own)["role"], "coordinator")
        # a bad origin is refused before the token is even looked at
        self.refused(403, origin="http://evil.example")

    def test_browser_token_in_the_query(self):
        url = "ws://127.0.0.1:%d/ws?access_token=%s" % (self.server.port, self.c81)
        conn = websocket.create_connection(url, timeout=10, origin="http://127.0.0.1:%d" % self.server.port)
        try:
            conn.send(json.dumps({"type": "whoami", "id": 1}))
            m = json.loads(conn.recv())
            self.assertEqual((m["status"], m["data"]["scope"]), (200, ["81"]))
        finally:
            conn.close()
        with self.assertRaises(websocket.WebSocketBadStatusException) as cm:
            websocket.create_connection("ws://127.0.0.1:%d/ws?access_token=rf_bad" % self.server.port, timeout=10,
                                        suppress_origin=True)
        self.assertEqual(cm.exception.status_code, 401)


class ConfiguredOrigins(ServerTest):
    extra_args = ("--set", "allowed_origins=https://renfort.example https://cell.renfort.example")

    def test_only_the_configured_origins(self):
        for good in ("https://renfort.example", "https://cell.renfort.example"):
            w = self.server.ws(token=self.admin, origin=good)
            w.close()
        for bad in ("http://127.0.0.1:%d" % self.server.port, "https://renfort.example.org", "https://renfort.exampl"):
            with self.subTest(origin=bad):
                with self.assertRaises(websocket.WebSocketBadStatusException) as cm:
                    self.server.ws(token=self.admin, origin=bad)
                self.assertEqual(cm.exception.status_code, 403)


class WebsocketBadInput(ServerTest):
    extra_args = ("--set", "max_ws_message_bytes=1024")

    def setUp(self):
        self.w = self.server.ws(token=self.admin)
        self.addCleanup(self.w.close)

    def still_usable(self):
        m = self.w.request("whoami")
        self.assertEqual((m["type"], m["status"], m["data"]["role"]), ("result", 200, "admin"))

    def bad(self, raw, status, code, field, with_id=None):
        if isinstance(raw, bytes):
            self.w.conn.send_binary(raw)
        else:
            self.w.send(raw)
        m = self.w.recv()
        self.assertEqual((m["type"], m["status"], m["error"]["code"], m["error"]["field"]),
                         ("error", status, code, field), m)
        self.assertTrue(m["error"]["rule"], m)
        self.assertEqual(m.get("id"), with_id, m)
        self.still_usable()
        return m

    def test_bad_messages_get_an_error_and_the_connection_stays(self):
        before = self.server.fingerprint()
        self.bad("this is not json", 400, "invalid_json", "message")
        self.bad('{"type": "whoami", "id": 1', 400, "invalid_json", "message")
        self.bad('{"type": "whoami", "id": 2} {"type": "whoami", "id": 3}', 400, "invalid_json", "message")
        self.bad("[1, 2, 3]", 400, "invalid_json", "message")
        self.bad('"whoami"', 400, "invalid_json", "message")
        self.bad('{"type": "who\\u0000ami", "id": 4}', 400, "invalid_json", "message")
        self.bad('{"id": 5}', 422, "required", "type", with_id=5)
        self.bad('{"type": 7, "id": 6}', 422, "invalid", "type", with_id=6)
        self.bad('{"type": "structures.explode", "id": 7}', 404, "not_found", "type", with_id=7)
        self.bad('{"type": "whoami", "id": 8, "token": "rf_x"}', 422, "unknown_field", "token", with_id=8)
        self.bad('{"type": "whoami", "id": {"a": 1}}', 422, "invalid", "id")
        self.bad('{"type": "structures.get", "id": 9, "params": [1]}', 422, "invalid", "params", with_id=9)
        self.bad('{"type": "structures.import", "id": 10, "data": {"csv": 1}}', 422, "invalid", "data", with_id=10)
        self.bad(json.dumps({"type": "structures.create", "id": 11, "data": samples.structure(name="x" * 2000)}),
                 413, "too_large", "message")
        self.bad(b"\x00\x01binary", 400, "invalid_json", "message")
        self.bad('{"type": "structures.create", "id": 12, "data": {"name": "A"}}', 422, "required", "category",
                 with_id=12)
        self.assertEqual(self.server.fingerprint(), before)

    def test_an_oversized_message_in_fragments(self):
        # the limit holds after reassembly: several frames of one message count together
        payload = json.dumps({"type": "structures.create", "id": 1, "data": samples.structure(name="y" * 1500)})
        half = len(payload) // 2
        self.w.conn.send_frame(websocket.ABNF.create_frame(payload[:half], websocket.ABNF.OPCODE_TEXT, fin=0))
        self.w.conn.send_frame(websocket.ABNF.create_frame(payload[half:], websocket.ABNF.OPCODE_CONT, fin=1))
        m = self.w.recv()
        self.assertEqual((m["status"], m["error"]["code"]), (413, "too_large"), m)
        self.still_usable()
        # a message just under the limit goes through
        m = self.w.request("structures.create", data=samples.structure(name="z" * 150))
        self.assertEqual(m["status"], 201, m)


if __name__ == "__main__":
    unittest.main()
