"""Hostile input, websocket: frames that break RFC 6455 fail the connection with 1002 (1007 for text
that is not UTF-8) and run nothing; messages that are only wrong get a named error on a connection
that stays usable; the handshake's refusals are named JSON errors; a token revoked while its socket
is open loses it. After each test the server still answers /healthz and the database is unchanged."""

import base64
import json
import os
import time
import unittest

import samples
from harness import op_table
from hostile import HostileTest
from rawhttp import RawHttp, RawWs, frame, request


class HostileWs(HostileTest):
    def ws(self, token=None, extra=b""):
        w = RawWs(self.server.port, token or self.admin, extra)
        self.addCleanup(w.close)
        return w

    def create_msg(self, name):
        return {"type": "structures.create", "id": 1, "data": samples.structure(name=name)}

    def assert_fails(self, data, code, words):
        """data (frames) fails the connection with code; a structure created in the same send after
        it is not created."""
        w = self.ws()
        w.send(data + frame(1, json.dumps(self.create_msg("Never created"))))
        got, reason = w.recv_close()
        self.assertEqual(got, code, reason)
        self.assertIn(words, reason)
        self.assertTrue(w.http.closed(), "the connection should close after the close frame")
        self.assertEqual(self.api("GET", "/api/v1/structures?q=Never%20created")[1]["total"], 0)

    # --- frames that fail the connection --------------------------------------------------------

    def test_unmasked_frame(self):
        self.assert_fails(frame(1, json.dumps(self.create_msg("Unmasked")), mask=False), 1002, "masked")
        self.assertEqual(self.api("GET", "/api/v1/structures?q=Unmasked")[1]["total"], 0)

    def test_reserved_bits(self):
        self.assert_fails(frame(1, '{"type":"whoami"}', rsv=4), 1002, "reserved bits")

    def test_unknown_opcode(self):
        self.assert_fails(frame(3, b"x"), 1002, "opcode")

    def test_fragmented_or_long_control_frames(self):
        self.assert_fails(frame(9, b"ping", fin=False), 1002, "control frames")
        self.assert_fails(frame(9, b"p" * 126), 1002, "control frames")

    def test_continuation_without_message(self):
        self.assert_fails(frame(0, b"{}"), 1002, "continuation")

    def test_new_message_inside_a_fragmented_one(self):
        self.assert_fails(frame(1, b'{"type":', fin=False) + frame(1, b'"whoami"}'), 1002, "fragmented")

    def test_length_not_in_shortest_form(self):
        self.assert_fails(frame(1, '{"type":"whoami"}', length_form=16), 1002, "shortest form")

    def test_bad_close_payloads(self):
        self.assert_fails(frame(8, b"\x03"), 1002, "close")
        self.assert_fails(frame(8, b"\x03\xed"), 1002, "close code")  # 1005 is never sent
        self.assert_fails(frame(8, b"\x03\xe8\xff"), 1002, "UTF-8")

    def test_text_not_utf8(self):
        self.assert_fails(frame(1, b'{"type":"whoami","id":"\xff"}'), 1007, "UTF-8")
        # cut inside a character between two fragments: still read as one text
        w = self.ws()
        w.send(frame(1, '{"type":"whoami","id":"caf'.encode() + b"\xc3", fin=False) + frame(0, b'\xa9"}'))
        self.assertEqual(w.recv_json()["id"], "café")

    # --- messages that are only wrong: named errors, the connection stays -----------------------

    def test_errors_that_keep_the_connection(self):
        w = self.ws()
        w.send(frame(2, b"\x00\x01binary"))
        m = w.recv_json()
        self.assertEqual((m["status"], m["error"]["code"], m["error"]["field"]), (400, "invalid_json", "message"))
        w.send(frame(1, b'{"type": "whoami", "id": 1'))
        m = w.recv_json()
        self.assertEqual((m["status"], m["error"]["code"]), (400, "invalid_json"))
        self.assertEqual(w.request({"type": "whoami", "id": 2})["status"], 200)

    def test_ping_pong_and_fragments(self):
        w = self.ws()
        w.send(frame(9, b"are you there"))
        self.assertEqual(w.recv_frame(), (10, b"are you there"))
        # a message in three fragments with a ping between them
        w.send(frame(1, b'{"type":', fin=False) + frame(9, b"mid") + frame(0, b'"whoami",', fin=False) +
               frame(0, b'"id":"frag"}'))
        self.assertEqual(w.recv_frame(), (10, b"mid"))
        self.assertEqual(w.recv_json()["id"], "frag")
        w.send(frame(10, b"unasked pong"))
        self.assertEqual(w.request({"type": "whoami", "id": 3})["status"], 200)

    def test_close_handshake(self):
        w = self.ws()
        w.send(frame(8, b"\x0f\xa0bye"))
        self.assertEqual(w.recv_close(), (4000, ""))
        self.assertTrue(w.http.closed())

    def test_frames_sent_with_the_handshake(self):
        w = self.ws(extra=frame(1, '{"type":"whoami","id":"eager"}'))
        self.assertEqual(w.recv_json()["id"], "eager")

    # --- the handshake --------------------------------------------------------------------------

    def upgrade(self, target="/ws", version="13", key=None, token=None, origin=None, method="GET", extra=()):
        key = key if key is not None else base64.b64encode(os.urandom(16)).decode()
        h = [("Host", "127.0.0.1"), ("Upgrade", "websocket"), ("Connection", "Upgrade"),
             ("Sec-WebSocket-Key", key), ("Sec-WebSocket-Version", version)]
        if token:
            h.append(("Authorization", "Bearer " + token))
        if origin:
            h.append(("Origin", origin))
        c = RawHttp(self.server.port)
        self.addCleanup(c.close)
        c.send(request(method, target, h + list(extra)))
        return c.answer()

    def test_handshake_refusals_are_named(self):
        cases = [
            (dict(token=None), 401, "unauthorized", "authorization"),
            (dict(token="not-a-token"), 401, "unauthorized", "authorization"),
            (dict(version="8"), 426, "upgrade_required", "sec-websocket-version"),
            (dict(key="short"), 400, "bad_request", "sec-websocket-key"),
            (dict(origin="http://evil.example"), 403, "forbidden", "origin"),
            (dict(target="/wsx"), 404, "not_found", "path"),
            (dict(target="/api/v1/whoami"), 404, "not_found", "path"),
            (dict(method="POST", extra=[("Content-Length", "0")]), 400, "bad_request", "method"),
        ]
        for kw, status, code, field in cases:
            with self.subTest(kw=kw):
                kw.setdefault("token", self.admin)
                ans = self.upgrade(**kw)
                self.assertEqual((ans.status, ans.error()), (status, (code, field)), ans.body)
        ans = self.upgrade(version="8", token=self.admin)
        self.assertEqual(ans.headers["sec-websocket-version"], "13")
        c = RawHttp(self.server.port)
        self.addCleanup(c.close)
        c.send(request("GET", "/ws", [("Host", "x"), ("Authorization", "Bearer " + self.admin)]))
        self.assertEqual(c.answer().error(), ("upgrade_required", "upgrade"))

    # --- revocation -----------------------------------------------------------------------------

    def test_revoked_token_loses_its_open_sockets(self):
        token, tid = self.api_token("coordinator", scope="81")
        asking = self.ws(token)
        listening = self.ws(token)
        self.assertEqual(asking.request({"type": "whoami", "id": 1})["status"], 200)
        self.assertEqual(listening.request({"type": "subscribe", "id": 1, "params": {"topics": ["*"]}})["status"], 200)
        self.assertEqual(self.api("DELETE", "/api/v1/tokens/%d" % tid)[0], 200)
        # both are closed at the revocation's commit, before any event of a later one
        self.assertEqual(listening.recv_close(timeout=5), (1008, "the token was revoked"))
        self.assertEqual(asking.recv_close(timeout=5), (1008, "the token was revoked"))
        self.create_record("structures", samples.structure(name="Seen by nobody revoked"))
        self.assertTrue(listening.http.closed())
        self.before = self.server.fingerprint()  # the revocation and the structure are changes

    def test_revoked_token_every_operation(self):
        """The role x operation matrix for a revoked token: a socket opened before the revocation,
        one per operation a coordinator may call on the websocket; after the revocation, each gets
        its close frame (1008) or a 401 then its close frame: never an answer, never an event."""
        token, tid = self.api_token("coordinator", scope="region")
        ops = [o for o in op_table() if "coordinator" in o.roles and "public" not in o.flags]
        self.assertGreater(len(ops), 30)
        sockets = [(o.name, self.ws(token)) for o in ops]
        self.assertEqual(self.api("DELETE", "/api/v1/tokens/%d" % tid)[0], 200)
        for name, w in sockets:
            try:
                w.send(frame(1, json.dumps({"type": name, "id": 1, "params": {}})))
            except OSError:
                pass  # already closed: nothing can be asked
            while True:
                op, payload = w.recv_frame(timeout=5)
                if op == 8:
                    self.assertEqual(int.from_bytes(payload[:2], "big"), 1008, name)
                    break
                m = json.loads(payload)
                self.assertEqual((m.get("type"), m.get("status")), ("error", 401), (name, m))
        self.before = self.server.fingerprint()  # the revocation

    def test_revoked_from_the_command_line(self):
        """Another program revokes: a write sent at once is refused with 401 inside its transaction
        (nothing written), and every socket of the token closes within seconds."""
        token, tid = self.api_token("coordinator", scope="region")
        listening = self.ws(token)
        writing = self.ws(token)
        self.assertEqual(listening.request({"type": "subscribe", "id": 1, "params": {"topics": ["structures"]}})["status"], 200)
        self.before = self.server.fingerprint()
        self.server.run_cli("token", "revoke", str(tid))
        t0 = time.time()
        writing.send(frame(1, json.dumps(self.create_msg("Written after revocation"))))
        m = writing.recv_json()
        self.assertEqual((m["status"], m["error"]["code"]), (401, "unauthorized"), m)
        self.assertEqual(writing.recv_close(timeout=10), (1008, "the token was revoked"))
        self.assertEqual(listening.recv_close(timeout=10), (1008, "the token was revoked"))
        self.assertLess(time.time() - t0, 7)
        self.assertEqual(self.api("GET", "/api/v1/structures?q=Written%20after")[1]["total"], 0)
        self.before = self.server.fingerprint()  # the revocation

    def test_deleting_a_structure_closes_its_tokens_sockets(self):
        s = self.create_record("structures", samples.structure(name="Soon deleted"))
        token, _ = self.api_token("structure", subject=s["id"])
        w = self.ws(token)
        self.assertEqual(w.request({"type": "whoami", "id": 1})["status"], 200)
        self.assertEqual(self.api("DELETE", "/api/v1/structures/%d" % s["id"])[0], 200)
        self.assertEqual(w.recv_close(timeout=5), (1008, "the token was revoked"))
        self.before = self.server.fingerprint()


if __name__ == "__main__":
    unittest.main()
