"""Hostile input, HTTP framing: every class of malformed, oversized or smuggling-shaped request the
hardening issue found, sent as raw bytes. Each must get its named error (status, code, field), the
connection must close when the request's end cannot be known, the server must still answer
/healthz, and nothing may change in the database."""

import json
import time
import unittest

import samples
from hostile import HostileTest
from rawhttp import RawHttp, process_cpu_seconds, request


class HostileHttp(HostileTest):
    extra_args = ("--set", "max_body_bytes=65536")

    def conn(self):
        c = RawHttp(self.server.port)
        self.addCleanup(c.close)
        return c

    def refused(self, raw, status, code, field, closes=True):
        """Sends raw on a new connection; asserts the named error, and whether the server closes."""
        c = self.conn()
        c.send(raw)
        ans = c.answer()
        self.assertEqual(ans.status, status, ans.body)
        self.assertEqual(ans.error(), (code, field), ans.body)
        self.assertTrue(ans.json()["error"]["rule"])
        if closes:
            self.assertEqual(ans.headers.get("connection"), "close")
            self.assertTrue(c.closed(), "the connection should close after a malformed head")
        return ans

    def post(self, token=None, body=b'{"a":1}', path="/api/v1/structures", extra=()):
        h = [("Host", "x"), ("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        if token:
            h.append(("Authorization", "Bearer " + token))
        return request("POST", path, h + list(extra), body)

    # --- availability: pipelining ---------------------------------------------------------------

    def test_two_posts_in_one_send_without_token_are_both_answered_and_the_loop_rests(self):
        c = self.conn()
        c.send(self.post() + self.post())
        for _ in range(2):
            ans = c.answer()
            self.assertEqual((ans.status, ans.error()), (401, ("unauthorized", "authorization")))
        # the loop does not spin afterwards: next to nothing used while idle
        cpu = process_cpu_seconds(self.server.proc.pid)
        time.sleep(1.0)
        self.assertLess(process_cpu_seconds(self.server.proc.pid) - cpu, 0.3, "renfortd is busy while idle")
        # and the connection still serves
        c.send(request("GET", "/healthz", [("Host", "x")]))
        self.assertEqual(c.answer().status, 200)

    def test_pipelined_gets_answered_in_order(self):
        c = self.conn()
        c.send(request("GET", "/healthz", [("Host", "x")]) +
               request("GET", "/api/v1/whoami", [("Host", "x"), ("Authorization", "Bearer " + self.admin)]) +
               request("GET", "/api/v1/nothing", [("Host", "x"), ("Authorization", "Bearer " + self.admin)]))
        self.assertEqual(c.answer().json()["status"], "ok")
        self.assertEqual(c.answer().json()["role"], "admin")
        self.assertEqual(c.answer().error(), ("not_found", "path"))

    def test_pipelined_write_then_read_each_answered_once(self):
        c = self.conn()
        body = json.dumps(samples.structure(name="Pipeline home")).encode()
        c.send(self.post(self.admin, body) +
               request("GET", "/api/v1/structures?q=Pipeline", [("Host", "x"), ("Authorization", "Bearer " + self.admin)]) +
               self.post(self.admin, b'{"name": 12'))
        created = c.answer()
        self.assertEqual(created.status, 201, created.body)
        listed = c.answer().json()
        self.assertEqual([s["id"] for s in listed["items"]], [created.json()["id"]])
        self.assertEqual(c.answer().error(), ("invalid_json", "body"))
        st, page, _ = self.api("GET", "/api/v1/structures?q=Pipeline")
        self.assertEqual(page["total"], 1)
        # the structure was written on purpose: the database changed by exactly that
        self.before = self.server.fingerprint()

    # --- Content-Length and Transfer-Encoding ---------------------------------------------------

    def test_content_length_digits_only(self):
        for value in ("abc", "0x10", "+10", "", "1 0", "-1", "10, 10"):
            with self.subTest(value=value):
                raw = request("POST", "/api/v1/structures", [("Host", "x"), ("Content-Length", value),
                                                            ("Authorization", "Bearer " + self.admin)], b"{}")
                self.refused(raw, 400, "bad_request", "content-length")

    def test_content_length_given_twice(self):
        raw = request("POST", "/api/v1/structures", [("Host", "x"), ("Content-Length", "2"), ("Content-Length", "2"),
                                                    ("Authorization", "Bearer " + self.admin)], b"{}")
        self.refused(raw, 400, "bad_request", "content-length")

    def test_content_length_with_chunked_is_refused(self):
        raw = request("POST", "/api/v1/structures", [("Host", "x"), ("Content-Length", "2"),
                                                    ("Transfer-Encoding", "chunked"),
                                                    ("Authorization", "Bearer " + self.admin)], b"{}")
        self.refused(raw, 400, "bad_request", "transfer-encoding")

    def test_chunked_alone_needs_a_length(self):
        raw = request("POST", "/api/v1/structures", [("Host", "x"), ("Transfer-Encoding", "chunked"),
                                                    ("Authorization", "Bearer " + self.admin)], b"2\r\n{}\r\n0\r\n\r\n")
        self.refused(raw, 411, "length_required", "content-length")

    def test_expect_continue(self):
        c = self.conn()
        body = json.dumps(samples.structure(name="Continued home")).encode()
        c.send(request("POST", "/api/v1/structures", [("Host", "x"), ("Content-Type", "application/json"),
                                                     ("Content-Length", str(len(body))), ("Expect", "100-continue"),
                                                     ("Authorization", "Bearer " + self.admin)]))
        self.assertEqual(c.answer().status, 100)
        c.send(body)
        self.assertEqual(c.answer().status, 201)
        self.before = self.server.fingerprint()
        self.refused(request("GET", "/healthz", [("Host", "x"), ("Expect", "something")]), 417,
                     "expectation_failed", "expect", closes=False)

    # --- header lines ---------------------------------------------------------------------------

    def test_a_header_that_begins_a_known_name_hides_nothing(self):
        """'Co: 1' made libwebsockets swallow the next line (here Content-Type: the answer was 415)."""
        body = json.dumps(samples.structure(name="Prefix home")).encode()
        for prefix in (("Co", "1"), ("Auth", "1"), ("X-a", "1")):
            with self.subTest(prefix=prefix):
                c = self.conn()
                c.send(request("POST", "/api/v1/structures", [("Host", "x"), prefix, ("Content-Type", "application/json"),
                                                             prefix, ("Authorization", "Bearer " + self.admin), prefix,
                                                             ("Content-Length", str(len(body)))], body))
                ans = c.answer()
                self.assertEqual(ans.status, 201, ans.body)
                self.assertEqual(self.api("DELETE", "/api/v1/structures/%d" % ans.json()["id"])[0], 200)
        self.before = self.server.fingerprint()

    def test_nul_or_control_in_a_value(self):
        for value in ("Bearer %s\0x", "Bearer %s\x01", "Bearer %s\x7f"):
            with self.subTest(value=value):
                raw = request("GET", "/api/v1/whoami", [("Host", "x"), ("Authorization", value % self.admin)])
                self.refused(raw, 400, "bad_request", "authorization")

    def test_malformed_lines(self):
        cases = [
            (b"GET /healthz HTTP/1.1\nHost: x\r\n\r\n", "request-line"),
            (b"GET /healthz HTTP/1.1\r\nHost: x\nX: 1\r\n\r\n", "headers"),
            (b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-a : 1\r\n\r\n", "headers"),
            (b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-a: 1\r\n  folded\r\n\r\n", "headers"),
            (b"GET /healthz HTTP/1.1\r\nHost: x\r\njunk\r\n\r\n", "headers"),
            (b"GET  /healthz HTTP/1.1\r\nHost: x\r\n\r\n", "request-line"),
            (b"GET /healthz\r\nHost: x\r\n\r\n", "request-line"),
            (b"GET /healthz HTTP/1.1\r\n\r\n", "host"),
            (b"GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "host"),
        ]
        for raw, field in cases:
            with self.subTest(raw=raw):
                self.refused(raw, 400, "bad_request", field)

    def test_methods_and_versions(self):
        self.refused(request("PROPFIND", "/healthz", [("Host", "x")]), 501, "not_implemented", "method")
        self.refused(request("TRACE", "/healthz", [("Host", "x")]), 501, "not_implemented", "method")
        self.refused(request("GET", "/healthz", [("Host", "x")], version="HTTP/2.0"), 505,
                     "http_version_not_supported", "request-line")

    # --- sizes ----------------------------------------------------------------------------------

    def test_oversized_heads_get_answers(self):
        self.refused(b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414, "uri_too_long", "path")
        self.refused(request("GET", "/api/v1/structures?" + "&".join("a%d=1" % i for i in range(1000)),
                             [("Host", "x")]), 414, "uri_too_long", "query")
        self.refused(request("GET", "/healthz", [("Host", "x")] + [("X-a", "1")] * 1000), 431,
                     "headers_too_large", "headers")
        self.refused(request("GET", "/healthz", [("Host", "x"), ("X-Big", "b" * 100000)]), 431,
                     "headers_too_large", "x-big")
        self.refused(request("GET", "/api/v1/whoami", [("Host", "x"), ("Authorization", "Bearer " + "k" * 8192)]), 431,
                     "headers_too_large", "authorization")

    def test_oversized_body_is_not_read(self):
        raw = request("POST", "/api/v1/structures", [("Host", "x"), ("Content-Type", "application/json"),
                                                    ("Content-Length", "1000000"),
                                                    ("Authorization", "Bearer " + self.admin)], b"{")
        ans = self.refused(raw, 413, "too_large", "body")
        self.assertIn("65536", ans.json()["error"]["rule"])

    # --- the target -----------------------------------------------------------------------------

    def test_targets(self):
        auth = [("Host", "x"), ("Authorization", "Bearer " + self.admin)]
        self.refused(request("GET", "/api/v1/struc%00tures", auth), 400, "bad_request", "path")
        self.refused(request("GET", "/api/v1/structures?q=a%00b", auth), 400, "bad_request", "query")
        self.refused(request("GET", "/api/v1/structures?q=%", auth), 400, "bad_request", "query")
        # bytes that are not UTF-8 in a query value reach the operation, which names its parameter
        self.refused(request("GET", "/api/v1/structures?q=%FF", auth), 422, "invalid", "q", closes=False)
        self.refused(request("GET", "/api/v1/../../etc/passwd", auth), 400, "bad_request", "path")
        self.refused(request("GET", "/%2e%2e/%2e%2e/etc/passwd", auth), 400, "bad_request", "path")
        self.refused(request("GET", "http://x/api/v1/whoami", auth), 400, "bad_request", "path")

    def test_static_files_stay_inside_the_clients_folder(self):
        c = self.conn()
        for target in ("/.git/config", "/js/.hidden", "/index.html/", "/etc/passwd"):
            c.send(request("GET", target, [("Host", "x")]))
            ans = c.answer()
            self.assertEqual((ans.status, ans.error()), (404, ("not_found", "path")), target)
        c.send(request("GET", "/", [("Host", "x")]))
        ans = c.answer()
        self.assertEqual(ans.status, 200)
        self.assertIn(b"<html", ans.body.lower())
        self.assertEqual(ans.headers["x-frame-options"], "deny")
        c.send(request("HEAD", "/js/core.js", [("Host", "x")]))
        ans = c.answer(head=True)
        self.assertEqual((ans.status, ans.body), (200, b""))
        self.assertGreater(int(ans.headers["content-length"]), 0)
        c.send(request("POST", "/index.html", [("Host", "x"), ("Content-Length", "0")]))
        self.assertEqual(c.answer().error(), ("method_not_allowed", "method"))


if __name__ == "__main__":
    unittest.main()
