"""Hostile input, CSV imports: structures.import and volunteers.import, over HTTP (the body) and
over the websocket (`data`, the CSV text), get empty files, headers alone, byte order marks, every
kind of line end, unknown and repeated columns, quotes embedded, unterminated or misplaced, rows
too long or too short, bytes that are not UTF-8 and NULs in cells and headers, cells that look
like formulas, very long cells, 10,000 rows with one bad row at the end, wrong media types and
bodies over the limit. An import is all or nothing: each refusal names its error, field and line
(PROTOCOL.md), nothing is imported, and the server still answers /healthz."""

import json
import time
import unittest

from hostile import HostileTest
from rawhttp import RawHttp, request

MAX_BODY = 1048576  # max_body_bytes and max_ws_message_bytes of this server: 10,000 rows fit


class Registry:
    """One import: its columns, a valid row i, and columns to break."""

    def __init__(self, plural, head, good, text_col, typed):
        self.plural, self.head, self.good, self.text_col, self.typed = plural, head, good, text_col, typed
        self.type = plural + ".import"
        self.path = "/api/v1/%s/import" % plural

    def row(self, i, **cells):
        r = self.good(i)
        for k, v in cells.items():
            r[self.head.index(k)] = v
        return r

    def __repr__(self):
        return self.plural


STRUCTURES = Registry(
    "structures", ["name", "category", "legal_form", "commune", "capacity", "contact_name", "contact_phone"],
    lambda i: ["EHPAD %d" % i, "ehpad", "association", "81004", "10", "Direction", "+3363997%04d" % i],
    "name", {"capacity": "must be an integer", "category": "must be one of", "commune": "INSEE code",
             "contact_phone": "E.164"})
VOLUNTEERS = Registry(
    "volunteers", ["first_name", "last_name", "phone", "profession", "home_commune", "consent_at", "skills", "credentials"],
    lambda i: ["Léa", "Martin %d" % i, "+3363996%04d" % i, "nurse", "81004", "2024-01-02", "geriatrics",
               "diploma::2030-01-01"],
    "first_name", {"phone": "E.164", "profession": "must be one of", "consent_at": "YYYY-MM-DD",
                   "home_commune": "INSEE code"})
REGISTRIES = (STRUCTURES, VOLUNTEERS)


def csv_text(rows, end="\n"):
    """rows (lists of cells, written as given: no quoting) as CSV text."""
    return "".join(",".join(r) + end for r in rows)


class HostileCsv(HostileTest):
    extra_args = ("--set", "max_body_bytes=%d" % MAX_BODY, "--set", "max_ws_message_bytes=%d" % MAX_BODY)

    def setUp(self):
        super().setUp()
        self.w = self.server.ws(token=self.admin)
        self.addCleanup(self.w.close)
        self.totals = {reg.plural: self.total(reg) for reg in REGISTRIES}

    # --- sending ------------------------------------------------------------------------------

    def http_import(self, reg, body, content_type="text/csv"):
        if isinstance(body, str):
            body = body.encode()
        return self.api("POST", reg.path, raw=body, content_type=content_type)

    def ws_import(self, reg, text):
        return self.w.request(reg.type, data=text, timeout=60)

    def refused(self, reg, text, status, code, field, line, rule_part=None, ws=True, what=None):
        """text imported over HTTP (and the websocket): refused with the named error, its line."""
        self.assertHttpError(self.http_import(reg, text), status, code, field, rule_part, line, what=what)
        if ws:
            m = self.ws_import(reg, text if isinstance(text, str) else text.decode())
            self.assertWsError(m, status, code, field, rule_part, line, what=what, rid=m["id"])

    def total(self, reg):
        st, page, _ = self.api("GET", "/api/v1/%s?limit=1" % reg.plural)
        self.assertEqual(st, 200, page)
        return page["total"]

    def assertNothingImported(self, reg):
        self.assertEqual(self.total(reg), self.totals[reg.plural], "an import is all or nothing")

    # --- files with nothing in them -----------------------------------------------------------

    def test_empty_and_header_only(self):
        for reg in REGISTRIES:
            with self.subTest(reg=reg):
                # no line to name: the file has none
                self.refused(reg, "", 400, "invalid_csv", "body", None, "a header line is required")
                for blank in ("\n", "\r\n", "\n\n\n", "\r\n\r\n"):
                    self.refused(reg, blank, 400, "invalid_csv", "body", None, "the file is empty")
                # a header and no row imports nothing, and says so
                for text in (csv_text([reg.head]), csv_text([reg.head], "\r\n") + "\r\n\r\n", ",".join(reg.head)):
                    st, res, _ = self.http_import(reg, text)
                    self.assertEqual((st, res), (201, {"created": 0, "first_id": 0, "last_id": 0}))
                    m = self.ws_import(reg, text)
                    self.assertEqual((m["status"], m["data"]["created"]), (201, 0), m)
                self.assertNothingImported(reg)

    # --- how lines end and files begin --------------------------------------------------------

    def test_line_ends_and_byte_order_marks(self):
        """Each file reads well up to its last row, whose bad cell is named with its line: proof
        that the header and the rows before it were read as meant."""
        for reg in REGISTRIES:
            bad_col = next(iter(reg.typed))
            rows = [reg.head, reg.good(1), reg.good(2), reg.row(3, **{bad_col: "x"})]
            for name, text in (("LF", csv_text(rows)), ("CRLF", csv_text(rows, "\r\n")),
                               ("CRLF, no end at the last line", csv_text(rows, "\r\n")[:-2]),
                               ("mixed", csv_text(rows[:2], "\r\n") + csv_text(rows[2:])),
                               ("blank lines between", csv_text(rows[:2]) + "\n\r\n" + csv_text(rows[2:])),
                               ("a byte order mark", "\ufeff" + csv_text(rows, "\r\n"))):
                line = 6 if name == "blank lines between" else 4
                with self.subTest(reg=reg, file=name):
                    self.refused(reg, text, 422, "invalid", bad_col, line, reg.typed[bad_col])
            # a byte order mark that is not at the start is part of a cell, and CR alone ends no
            # line: the header's last column runs into the next line's first cell
            with self.subTest(reg=reg, file="BOM twice"):
                self.refused(reg, "\ufeff\ufeff" + csv_text(rows), 422, "unknown_column", "\ufeff" + reg.head[0], 1)
            with self.subTest(reg=reg, file="CR only"):
                self.refused(reg, csv_text(rows, "\r"), 422, "unknown_column",
                             reg.head[-1] + "\r" + rows[1][0], 1, "is not a column of " + reg.plural)
            self.assertNothingImported(reg)

    # --- the header ---------------------------------------------------------------------------

    def test_unknown_and_repeated_columns(self):
        for reg in REGISTRIES:
            good = reg.good(1)
            for col in ("beds", reg.head[0].upper(), reg.head[0] + " ", " " + reg.head[0], "password", "id;name",
                        "contact_fax", "\u00e9"):
                with self.subTest(reg=reg, column=col):
                    self.refused(reg, csv_text([reg.head + [col], good + ["1"]]), 422, "unknown_column", col, 1,
                                 "is not a column of " + reg.plural)
            # a column twice: which cell would be the value? neither: the header is refused
            for col in (reg.head[0], reg.head[-1], "id", "created_at"):
                head = reg.head + [col] if col in reg.head else reg.head + [col, col]
                row = good + [good[reg.head.index(col)]] if col in reg.head else good + ["1", "1"]
                with self.subTest(reg=reg, twice=col):
                    self.refused(reg, csv_text([head, row]), 422, "invalid_csv", col, 1, "is a column given twice")
                    self.refused(reg, csv_text([head]), 422, "invalid_csv", col, 1, "is a column given twice")
            # more than 128 columns cannot be read at all
            self.refused(reg, ",".join("c%d" % i for i in range(200)) + "\n", 400, "invalid_csv", "body", 1,
                         "more than 128 fields")
            self.assertNothingImported(reg)

    # --- quotes -------------------------------------------------------------------------------

    def test_quotes(self):
        for reg in REGISTRIES:
            head, tc = ",".join(reg.head), reg.head.index(reg.text_col)

            def with_cell(i, cell):
                r = reg.good(i)
                r[tc] = cell
                return ",".join(r)
            bad_col = next(iter(reg.typed))
            last = ",".join(reg.row(9, **{bad_col: "x"}))
            # quoted cells with embedded quotes and commas are read: the error is the last row's
            ok = "\n".join([head, with_cell(1, '"Le ""Pin"", Albi"'), with_cell(2, '"a ""quoted"" name"'),
                            with_cell(3, '"plain"'), last]) + "\n"
            with self.subTest(reg=reg, quotes="embedded"):
                self.refused(reg, ok, 422, "invalid", bad_col, 5)
            # a quoted cell may hold a line end, but no text field takes one: named at its row's line
            for end in ("\n", "\r\n", "\r"):
                text = head + "\n" + with_cell(1, '"two%slines"' % end) + "\n" + last + "\n"
                with self.subTest(reg=reg, quoted_line_end=end):
                    self.refused(reg, text, 422, "invalid", reg.text_col, 2, "control characters")
            cases = [(with_cell(3, '"not closed'), "a quoted field is not closed"),
                     (with_cell(3, 'in"side'), "a quote inside an unquoted field"),
                     (with_cell(3, '"closed"after'), "text after a closing quote"),
                     (with_cell(3, '"a""'), "a quoted field is not closed")]
            for row, rule in cases:
                text = "\n".join([head, ",".join(reg.good(1)), ",".join(reg.good(2)), row, last]) + "\n"
                with self.subTest(reg=reg, row=row):
                    self.refused(reg, text, 422, "invalid_csv", "body", 4, rule)
            # in the header, the file cannot be read at all
            with self.subTest(reg=reg, header='"not closed'):
                self.refused(reg, '"%s,%s\n' % (reg.head[0], ",".join(reg.head[1:])) + ",".join(reg.good(1)) + "\n",
                             400, "invalid_csv", "body", 1, "a quoted field is not closed")
            self.assertNothingImported(reg)

    def test_rows_with_too_many_or_too_few_fields(self):
        for reg in REGISTRIES:
            n = len(reg.head)
            good = [",".join(reg.good(i)) for i in (1, 2)]
            for row, got in ((",".join(reg.good(3) + ["extra"]), n + 1), (",".join(reg.good(3)[:-1]), n - 1),
                             (",".join(reg.good(3)) + ",", n + 1), (reg.good(3)[0], 1), (",", 2),
                             (",".join(reg.good(3) + [""] * 10), n + 10)):
                text = "\n".join([",".join(reg.head)] + good + [row]) + "\n"
                with self.subTest(reg=reg, fields=got):
                    self.refused(reg, text, 422, "invalid_csv", "body", 4,
                                 "has %d fields where the header has %d" % (got, n))
            text = "\n".join([",".join(reg.head)] + good + [",".join(["x"] * 200)]) + "\n"
            self.refused(reg, text, 422, "invalid_csv", "body", 4, "more than 128 fields")
            self.assertNothingImported(reg)

    # --- bytes --------------------------------------------------------------------------------

    def test_bytes_not_utf8_and_nul(self):
        """Over HTTP: bytes that are not UTF-8 are named where they are (a cell: its field; the
        header: the column, repaired to U+FFFD); a NUL stops the reading. Over the websocket the
        CSV is a JSON string: a lone surrogate or \\u0000 is the message's error."""
        for reg in REGISTRIES:
            head = ",".join(reg.head).encode()
            tc = reg.head.index(reg.text_col)
            first = reg.good(1)
            for bad in (b"\xff", b"Caf\xe9", b"\xc3", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80"):
                cells = [c.encode() for c in first]
                cells[tc] = bad
                text = head + b"\n" + b",".join(c.encode() for c in reg.good(2)) + b"\n" + b",".join(cells) + b"\n"
                with self.subTest(reg=reg, cell=bad):
                    self.refused(reg, text, 422, "invalid", reg.text_col, 3, "must be valid UTF-8 text", ws=False)
                with self.subTest(reg=reg, header=bad):
                    self.refused(reg, head + b"," + bad + b"\n", 422, "unknown_column",
                                 bad.decode("utf-8", errors="replace"), 1, ws=False)
            cells = ",".join(reg.good(2))
            for where, text, line in (("cell", "%s\n%s\nA\0B%s\n" % (",".join(reg.head), cells, cells[1:]), 3),
                                      ("header", ",".join(reg.head) + "\0\n" + cells + "\n", 1),
                                      ("after the rows", "%s\n%s\n\0" % (",".join(reg.head), cells), 3)):
                status = 400 if line == 1 else 422
                with self.subTest(reg=reg, nul=where):
                    self.refused(reg, text.encode(), status, "invalid_csv", "body", line, "a NUL character", ws=False)
            # the websocket's JSON string can hold neither a lone surrogate nor U+0000
            for escape, rule in (("\\ud800", "lone surrogate"), ("\\u0000", "NUL")):
                message = '{"type": "%s", "id": 1, "data": "%s\\n%s%s\\n"}' % (reg.type, ",".join(reg.head), escape, cells)
                self.w.send(message)
                self.assertWsError(self.w.recv(), 400, "invalid_json", "message", rule, what=escape)
            self.assertNothingImported(reg)

    # --- cells: formulas and lengths ----------------------------------------------------------

    FORMULAS = ("=1+1", "+1", "-1", "@SUM(A1)", "=HYPERLINK(\"http://x.invalid\")", "\uff1d1", "\t=1")

    def test_formula_cells(self):
        """A cell that looks like a formula is data: in a typed column it breaks the column's rule
        (named); in a text column it is imported as it is (spreadsheets are protected on export,
        test_integrity.py), except the one quote an export put before it."""
        for reg in REGISTRIES:
            for col, rule in reg.typed.items():
                for f in self.FORMULAS:
                    cell = '"%s"' % f.replace('"', '""')
                    text = csv_text([reg.head, reg.good(1), reg.row(2, **{col: cell})])
                    with self.subTest(reg=reg, column=col, cell=f):
                        self.refused(reg, text, 422, "invalid", col, 3, rule)
            self.assertNothingImported(reg)
        # in a text column: taken, exactly
        names = ["=1+1", "+1", "-1", "@SUM(A1)", '=HYPERLINK("http://x.invalid")', "\uff1d1", "'=kept quote", "''+two"]
        rows = [STRUCTURES.head] + [STRUCTURES.row(i, name='"%s"' % n.replace('"', '""')) for i, n in enumerate(names, 1)]
        st, res, _ = self.http_import(STRUCTURES, csv_text(rows))
        self.assertEqual((st, res.get("created")), (201, len(names)), res)
        st, page, _ = self.api("GET", "/api/v1/structures?limit=100")
        self.assertEqual([s["name"] for s in page["items"]], names[:6] + ["=kept quote", "'+two"])
        self.expect_changes(["audit", "meta", "structure_contacts", "structures"])

    def test_long_cells(self):
        for reg in REGISTRIES:
            limit = 200 if reg is STRUCTURES else 100
            for n in (limit + 1, 10000, 500000):
                for ch in ("x", "\u00e9", "\U0001F600"):
                    if n == 500000 and ch != "x":
                        continue
                    text = csv_text([reg.head, reg.good(1), reg.row(2, **{reg.text_col: ch * n})])
                    with self.subTest(reg=reg, length=n, char=ch):
                        self.refused(reg, text, 422, "invalid", reg.text_col, 3, "characters")
            # a typed column: a long number is no number in range
            col = "capacity" if reg is STRUCTURES else "phone"
            text = csv_text([reg.head, reg.row(1, **{col: "1" * 100000})])
            self.refused(reg, text, 422, "invalid", col, 2)
            self.assertNothingImported(reg)

    # --- 10,000 rows ----------------------------------------------------------------------------

    def test_ten_thousand_rows_and_a_bad_one_at_the_end(self):
        """All or nothing: 9,999 good rows are not kept when the 10,000th is bad (its line is
        named), over HTTP for one registry and over the websocket for the other."""
        for reg, over_ws in ((STRUCTURES, False), (VOLUNTEERS, True)):
            bad_col = next(iter(reg.typed))
            rows = [reg.head] + [reg.good(i) for i in range(1, 10000)] + [reg.row(10000, **{bad_col: "x"})]
            text = csv_text(rows, "\r\n")
            t0 = time.time()
            with self.subTest(reg=reg, websocket=over_ws):
                if over_ws:
                    m = self.ws_import(reg, text)
                    self.assertWsError(m, 422, "invalid", bad_col, reg.typed[bad_col], 10001, rid=m["id"])
                else:
                    self.assertHttpError(self.http_import(reg, text), 422, "invalid", bad_col, reg.typed[bad_col], 10001)
            self.assertLess(time.time() - t0, 60)
            self.assertNothingImported(reg)

    # --- what is not a CSV body ---------------------------------------------------------------

    def test_media_types_and_sizes(self):
        text = csv_text([STRUCTURES.head, STRUCTURES.good(1)])
        for reg in REGISTRIES:
            for ctype in ("application/json", "text/html", "text/csv; charset=latin1", "text/csvx", "application/csv",
                          "application/vnd.ms-excel", "multipart/form-data; boundary=x", "text/csv; header=present"):
                with self.subTest(reg=reg, content_type=ctype):
                    self.assertHttpError(self.http_import(reg, text, ctype), 415, "unsupported_media_type",
                                         "content-type", "text/csv")
            # the websocket's data is the CSV as a string, nothing else
            for data in ({"csv": text}, [text], 42, True, None):
                with self.subTest(reg=reg, data=data):
                    m = self.w.request(reg.type, data=data) if data is not None else self.w.request(reg.type)
                    self.assertWsError(m, 422, "invalid", "data", "CSV text as a string", rid=m["id"])
            # over the limits: not read (HTTP: answered, then the connection closes)
            big = csv_text([reg.head]) + "x" * MAX_BODY
            c = RawHttp(self.server.port)
            self.addCleanup(c.close)
            c.send(request("POST", reg.path, [("Host", "x"), ("Content-Type", "text/csv"),
                                              ("Content-Length", str(len(big))), ("Authorization", "Bearer " + self.admin)],
                           big.encode()))
            ans = c.answer()
            self.assertEqual((ans.status, ans.error()), (413, ("too_large", "body")), ans.body)
            self.assertIn(str(MAX_BODY), ans.json()["error"]["rule"])
            self.assertTrue(c.closed(), "the connection should close after a body not read")
            self.w.send(json.dumps({"type": reg.type, "id": 1, "data": big}))
            self.assertWsError(self.w.recv(), 413, "too_large", "message", str(MAX_BODY))
            self.assertEqual(self.w.request("whoami")["status"], 200, "the websocket should stay usable")
            self.assertNothingImported(reg)


if __name__ == "__main__":
    unittest.main()
