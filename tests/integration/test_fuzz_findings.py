"""Inputs the libFuzzer targets of tests/fuzz found mishandled, sent as a client would: each gets
its named error and changes nothing. (The targets' other findings are pure functions, tested in
tests/unit/test_sms.c.)

Found by fuzz_json (corpus/json/finding-*): a JSON number past the range of a long long (1e400 is
infinity to a double) was converted to an id anyway, undefined behaviour in C; what came out named
no record, and the answer was a misleading "no such ..." instead of the rule the id breaks. And an
id with a fraction (1.5) named the record of its integer part."""

import contextlib
import unittest

import samples
from harness import ServerTest


class IdsFromJsonNumbers(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.structure = cls.create_record("structures", samples.structure())
        cls.volunteer = cls.create_record("volunteers", samples.volunteer())

    @contextlib.contextmanager
    def unchanged(self):
        before = self.server.fingerprint()
        yield
        self.assertEqual(self.server.fingerprint(), before, "the database changed")

    def refused(self, path, raw, field, code, rule_part, key=None):
        """POSTs a JSON text as it is (json.dumps cannot write 1e400); asserts the named error."""
        headers = {"Idempotency-Key": key} if key else None
        with self.unchanged():
            result = self.api("POST", path, raw=raw, content_type="application/json", headers=headers)
        err = self.assertError(result, 422, field=field, code=code)
        self.assertIn(rule_part, err["rule"])

    def report(self, holder_id, item):
        return ('{"holder_kind": "structure", "holder_id": %s, "items": [{"item": %s, "quantity": 5}]}'
                % (holder_id, item))

    def test_holder_id_past_every_integer(self):
        for bad in ("1e400", "1e300", "9007199254740994"):
            with self.subTest(holder_id=bad):
                self.refused("/api/v1/stock/reports", self.report(bad, 1), "holder_id", "invalid",
                             "must be the id of a structure or depot", key="fz-holder-" + bad)

    def test_item_past_every_integer_or_with_a_fraction(self):
        for bad in ("1e400", "1.5"):
            with self.subTest(item=bad):
                self.refused("/api/v1/stock/reports", self.report(self.structure["id"], bad), "items[0].item",
                             "invalid", "must be an item code (string) or id (number)", key="fz-item-" + bad)

    def test_volunteer_id_past_every_integer(self):
        self.refused("/api/v1/sms/send", '{"volunteer_id": 1e400, "text": "Bonjour"}', "volunteer_id", "invalid",
                     "must be a volunteer id")

    def test_subject_id_past_every_integer(self):
        self.refused("/api/v1/tokens", '{"role": "volunteer", "subject_id": 1e400, "label": "x"}', "subject_id",
                     "required", "the id they act as")

    def test_the_same_ids_in_range_are_taken(self):
        """The control: the same requests with real ids are accepted."""
        st, body, _ = self.api("POST", "/api/v1/stock/reports", raw=self.report(self.structure["id"], 1),
                               content_type="application/json", headers={"Idempotency-Key": "fz-ok"})
        self.assertEqual(st, 201, body)


if __name__ == "__main__":
    unittest.main()
