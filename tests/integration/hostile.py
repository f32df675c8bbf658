"""Shared by the hostile-input suites (test_hostile_*.py). Not a test module.

HostileTest: every test must leave the server answering /healthz and the database as it found it
(its fingerprint, taken in setUp, compared in tearDown). A test that changes the database on
purpose says exactly which tables it changed (expect_changes), which also takes the new
fingerprint as the one to keep. The named-error checks read HTTP answers and websocket error
messages alike."""

from harness import ServerTest


def changed_tables(before, after):
    """The tables whose rows differ between two fingerprints (or that appeared or went)."""
    return sorted(t for t in set(before) | set(after) if before.get(t) != after.get(t))


class HostileTest(ServerTest):
    def setUp(self):
        self.before = self.server.fingerprint()

    def tearDown(self):
        self.assertEqual(self.server.http("GET", "/healthz")[0], 200, "the server stopped answering")
        self.assertEqual(changed_tables(self.before, self.server.fingerprint()), [], "the database changed")

    def expect_changes(self, tables):
        """Asserts that exactly tables changed since the last fingerprint, and keeps the new one."""
        after = self.server.fingerprint()
        self.assertEqual(changed_tables(self.before, after), sorted(tables), "what changed in the database")
        self.before = after

    def assertNamed(self, status, error, want_status, code, field, rule_part=None, line=None, what=None):
        """One named error: status, code, field (None: absent), a rule (holding rule_part), and the
        CSV line when given. error is the answer's "error" object."""
        got = (status, error.get("code"), error.get("field"))
        self.assertEqual(got, (want_status, code, field), what or error)
        self.assertTrue(error.get("rule"), error)
        if rule_part is not None:
            self.assertIn(rule_part, error["rule"], what or error)
        if line is not None:
            self.assertEqual(error.get("line"), line, what or error)
            self.assertTrue(error["message"].startswith("line %d: " % line), error)
        return error

    def assertHttpError(self, result, status, code, field, rule_part=None, line=None, what=None):
        """result: server.http's (status, body, headers)."""
        st, body, _ = result
        self.assertIsInstance(body, dict, "%s: %s %r" % (what, st, body))
        self.assertIn("error", body, what)
        return self.assertNamed(st, body["error"], status, code, field, rule_part, line, what)

    def assertWsError(self, msg, status, code, field, rule_part=None, line=None, what=None, rid=None):
        """msg: a websocket answer, which must be an error; rid: the id it must repeat (None: none,
        as for a message that could not be read)."""
        self.assertEqual((msg.get("type"), msg.get("id")), ("error", rid), what or msg)
        return self.assertNamed(msg["status"], msg["error"], status, code, field, rule_part, line, what)
