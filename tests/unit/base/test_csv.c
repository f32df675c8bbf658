/* Unit tests of csv.c: RFC 4180 reading and writing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "csv.h"

/* Reads the next row and checks it is a row of n fields starting at line. */
static void expect_row(struct csv_reader *r, long line, size_t n)
{
	int rc = csv_next_row(r);
	if (rc != 1)
		fail_msg("expected a row at line %ld, got %d (%s)", line, rc, r->error);
	assert_int_equal(r->line, line);
	assert_int_equal(r->nfields, n);
}

static void expect_end(struct csv_reader *r)
{
	assert_int_equal(csv_next_row(r), 0);
	assert_int_equal(csv_next_row(r), 0); /* stays at the end */
}

static void expect_error(const char *data, long line, const char *message)
{
	struct csv_reader r;
	csv_reader_init(&r, data, strlen(data));
	int rc;
	while ((rc = csv_next_row(&r)) == 1)
		;
	if (rc != -1)
		fail_msg("no error reading %s", data);
	assert_int_equal(r.line, line);
	assert_non_null(strstr(r.error, message));
	csv_reader_release(&r);
}

static void test_simple_rows(void **state)
{
	(void)state;
	const char *d = "a,b,c\n1,2,3\n";
	struct csv_reader r;
	csv_reader_init(&r, d, strlen(d));
	expect_row(&r, 1, 3);
	assert_string_equal(r.fields[0], "a");
	assert_string_equal(r.fields[1], "b");
	assert_string_equal(r.fields[2], "c");
	expect_row(&r, 2, 3);
	assert_string_equal(r.fields[0], "1");
	assert_string_equal(r.fields[2], "3");
	expect_end(&r);
	csv_reader_release(&r);
}

static void test_no_final_newline(void **state)
{
	(void)state;
	const char *d = "a,b\n1,2";
	struct csv_reader r;
	csv_reader_init(&r, d, strlen(d));
	expect_row(&r, 1, 2);
	expect_row(&r, 2, 2);
	assert_string_equal(r.fields[1], "2");
	expect_end(&r);
	csv_reader_release(&r);
}

static void test_empty_input(void **state)
{
	(void)state;
	struct csv_reader r;
	csv_reader_init(&r, "", 0);
	expect_end(&r);
	csv_reader_release(&r);
	csv_reader_init(&r, "\n\n\r\n", 4);
	expect_end(&r);
	csv_reader_release(&r);
	csv_reader_init(&r, "\xEF\xBB\xBF", 3);
	expect_end(&r);
	csv_reader_release(&r);
}

static void test_empty_fields(void **state)
{
	(void)state;
	const char *d = ",,\na,,b\n,\n";
	struct csv_reader r;
	csv_reader_init(&r, d, strlen(d));
	expect_row(&r, 1, 3);
	for (int i = 0; i < 3; i++)
		assert_string_equal(r.fields[i], "");
	expect_row(&r, 2, 3);
	assert_string_equal(r.fields[0], "a");
	assert_string_equal(r.fields[1], "");
	assert_string_equal(r.fields[2], "b");
	expect_row(&r, 3, 2);
	expect_end(&r);
	csv_reader_release(&r);
}

static void test_quoted_fields(void **state)
{
	(void)state;
	const char *d = "\"a,b\",\"c\",\"\",plain\n";
	struct csv_reader r;
	csv_reader_init(&r, d, strlen(d));
	expect_row(&r, 1, 4);
	assert_string_equal(r.fields[0], "a,b");
	assert_string_equal(r.fields[1], "c");
	assert_string_equal(r.fields[2], "");
	assert_string_equal(r.fields[3], "plain");
	expect_end(&r);
	csv_reader_release(&r);
}

static void test_doubled_quotes(void **state)
{
	(void)state;
	const char *d = "\"say \"\"hi\"\"\",\"\"\"\",\"\"\"\"\"\",\"a\"\"\"\n";
	struct csv_reader r;
	csv_reader_init(&r, d, strlen(d));
	expect_row(&r, 1, 4);
	assert_string_equal(r.fields[0], "say \"hi\"");
	assert_string_equal(r.fields[1], "\"");
	assert_string_equal(r.fields[2], "\"\"");
	assert_string_equal(r.fields[3], "a\"");
	expect_end(&r);
	csv_reader_release(&r);
}

static void test_newlines_inside_quotes_keep_line_numbers(void **state)
{
	(void)state;
	const char *d = "id,note\n"
			"1,\"first\nsecond\nthird\"\n"
			"2,\"x\r\ny\"\r\n"
			"3,z\n";
	struct csv_reader r;
	csv_reader_init(&r, d, strlen(d));
	expect_row(&r, 1, 2);
	expect_row(&r, 2, 2);
	assert_string_equal(r.fields[1], "first\nsecond\nthird");
	expect_row(&r, 5, 2); /* the row after a 3-line field starts on line 5 */
	assert_string_equal(r.fields[1], "x\r\ny"); /* CRLF inside quotes is data */
	expect_row(&r, 7, 2);
	assert_string_equal(r.fields[0], "3");
	assert_string_equal(r.fields[1], "z");
	expect_end(&r);
	csv_reader_release(&r);
}

static void test_crlf_and_lf(void **state)
{
	(void)state;
	const char *d = "a,b\r\nc,d\ne,f\r\n";
	struct csv_reader r;
	csv_reader_init(&r, d, strlen(d));
	expect_row(&r, 1, 2);
	assert_string_equal(r.fields[1], "b"); /* no stray \r */
	expect_row(&r, 2, 2);
	assert_string_equal(r.fields[1], "d");
	expect_row(&r, 3, 2);
	assert_string_equal(r.fields[1], "f");
	expect_end(&r);
	csv_reader_release(&r);
}

static void test_crlf_after_quoted_field(void **state)
{
	(void)state;
	const char *d = "\"a\",\"b\"\r\n\"c\",\"d\"\r\n";
	struct csv_reader r;
	csv_reader_init(&r, d, strlen(d));
	expect_row(&r, 1, 2);
	assert_string_equal(r.fields[1], "b");
	expect_row(&r, 2, 2);
	assert_string_equal(r.fields[0], "c");
	expect_end(&r);
	csv_reader_release(&r);
}

static void test_bom(void **state)
{
	(void)state;
	const char *d = "\xEF\xBB\xBFinsee,name\n31555,Toulouse\n";
	struct csv_reader r;
	csv_reader_init(&r, d, strlen(d));
	expect_row(&r, 1, 2);
	assert_string_equal(r.fields[0], "insee"); /* BOM not part of the first header */
	assert_int_equal(csv_find(&r, "insee"), 0);
	expect_row(&r, 2, 2);
	expect_end(&r);
	csv_reader_release(&r);
	/* a BOM that is not at the very start is data */
	const char *d2 = "a\n\xEF\xBB\xBF" "b\n";
	csv_reader_init(&r, d2, strlen(d2));
	expect_row(&r, 1, 1);
	expect_row(&r, 2, 1);
	assert_string_equal(r.fields[0], "\xEF\xBB\xBF" "b");
	csv_reader_release(&r);
}

static void test_blank_lines_skipped(void **state)
{
	(void)state;
	const char *d = "\n\na,b\n\n\r\nc,d\n\n";
	struct csv_reader r;
	csv_reader_init(&r, d, strlen(d));
	expect_row(&r, 3, 2);
	assert_string_equal(r.fields[0], "a");
	expect_row(&r, 6, 2);
	assert_string_equal(r.fields[0], "c");
	expect_end(&r);
	csv_reader_release(&r);
}

static void test_quoted_empty_line_is_a_row(void **state)
{
	(void)state;
	/* "" alone is one empty field, not a blank line */
	const char *d = "\"\"\nx\n";
	struct csv_reader r;
	csv_reader_init(&r, d, strlen(d));
	expect_row(&r, 1, 1);
	assert_string_equal(r.fields[0], "");
	expect_row(&r, 2, 1);
	expect_end(&r);
	csv_reader_release(&r);
}

static void test_spaces_kept(void **state)
{
	(void)state;
	const char *d = " a , b \n";
	struct csv_reader r;
	csv_reader_init(&r, d, strlen(d));
	expect_row(&r, 1, 2);
	assert_string_equal(r.fields[0], " a ");
	assert_string_equal(r.fields[1], " b ");
	csv_reader_release(&r);
}

static void test_utf8_and_nul_safe_lengths(void **state)
{
	(void)state;
	/* the reader works on a length, not a NUL: bytes after len are never read */
	const char d[] = "B\xC3\xA9ziers,34\nIGNORED";
	struct csv_reader r;
	csv_reader_init(&r, d, strlen("B\xC3\xA9ziers,34\n"));
	expect_row(&r, 1, 2);
	assert_string_equal(r.fields[0], "B\xC3\xA9ziers");
	expect_end(&r);
	csv_reader_release(&r);
}

static void test_error_unclosed_quote(void **state)
{
	(void)state;
	expect_error("a,b\nc,\"never closed\n", 2, "not closed");
	expect_error("\"", 1, "not closed");
	expect_error("a\nb\n\"x\"\"\n", 3, "not closed"); /* "x"" : the doubled quote is data */
}

static void test_error_quote_in_unquoted_field(void **state)
{
	(void)state;
	expect_error("a,b\"c\n", 1, "quote inside an unquoted field");
	expect_error("h\nab\"\n", 2, "quote inside an unquoted field");
}

static void test_error_text_after_closing_quote(void **state)
{
	(void)state;
	expect_error("\"a\"b,c\n", 1, "text after a closing quote");
	expect_error("x\ny\n\"a\" ,c\n", 3, "text after a closing quote");
}

static void test_error_quote_after_closing_quote(void **state)
{
	(void)state;
	/* "a" followed directly by a second quoted part: "a""b" is an escape, but "a" "b" is not */
	expect_error("\"a\" \"b\"\n", 1, "text after a closing quote");
}

static void test_error_line_after_multiline_field(void **state)
{
	(void)state;
	expect_error("h\n\"one\ntwo\"\nok\nbad\"\n", 5, "quote inside an unquoted field");
}

static void test_error_nul_byte(void **state)
{
	(void)state;
	/* cells are C strings: a NUL would cut one short without anyone noticing */
	const char d[] = "a,b\nc,d\0e\n";
	struct csv_reader r;
	csv_reader_init(&r, d, sizeof d - 1);
	expect_row(&r, 1, 2);
	assert_int_equal(csv_next_row(&r), -1);
	assert_int_equal(r.line, 2);
	assert_non_null(strstr(r.error, "NUL"));
	csv_reader_release(&r);
	const char q[] = "\"a\0b\"\n";
	csv_reader_init(&r, q, sizeof q - 1);
	assert_int_equal(csv_next_row(&r), -1);
	assert_non_null(strstr(r.error, "NUL"));
	csv_reader_release(&r);
}

static void make_fields(struct buf *b, int n)
{
	buf_init(b);
	for (int i = 0; i < n; i++)
		buf_printf(b, "%s%d", i ? "," : "", i);
	buf_puts(b, "\n");
}

static void test_field_limit(void **state)
{
	(void)state;
	struct buf b;
	make_fields(&b, CSV_MAX_FIELDS);
	struct csv_reader r;
	csv_reader_init(&r, b.data, b.len);
	expect_row(&r, 1, CSV_MAX_FIELDS);
	assert_string_equal(r.fields[CSV_MAX_FIELDS - 1], "127");
	csv_reader_release(&r);
	buf_release(&b);

	make_fields(&b, CSV_MAX_FIELDS + 1);
	buf_puts(&b, "a\n");
	csv_reader_init(&r, b.data, b.len);
	assert_int_equal(csv_next_row(&r), -1);
	assert_int_equal(r.line, 1);
	assert_non_null(strstr(r.error, "more than 128 fields"));
	csv_reader_release(&r);
	buf_release(&b);

	/* the limit on a later line reports that line */
	buf_init(&b);
	buf_puts(&b, "ok\nok\n");
	for (int i = 0; i < 200; i++)
		buf_puts(&b, ",");
	buf_puts(&b, "\n");
	csv_reader_init(&r, b.data, b.len);
	expect_row(&r, 1, 1);
	expect_row(&r, 2, 1);
	assert_int_equal(csv_next_row(&r), -1);
	assert_int_equal(r.line, 3);
	csv_reader_release(&r);
	buf_release(&b);
}

static void test_find(void **state)
{
	(void)state;
	const char *d = "insee_com,insee_dep,commune,lat\n";
	struct csv_reader r;
	csv_reader_init(&r, d, strlen(d));
	expect_row(&r, 1, 4);
	assert_int_equal(csv_find(&r, "insee_com"), 0);
	assert_int_equal(csv_find(&r, "commune"), 2);
	assert_int_equal(csv_find(&r, "lat"), 3);
	assert_int_equal(csv_find(&r, "lng"), -1);
	assert_int_equal(csv_find(&r, "LAT"), -1);     /* case-sensitive */
	assert_int_equal(csv_find(&r, "insee"), -1);   /* whole names only */
	assert_int_equal(csv_find(&r, ""), -1);
	csv_reader_release(&r);

	const char *dup = "a,b,a\n";
	csv_reader_init(&r, dup, strlen(dup));
	expect_row(&r, 1, 3);
	assert_int_equal(csv_find(&r, "a"), 0); /* the first of duplicates */
	csv_reader_release(&r);
}

static void test_write_field(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b);
	assert_int_equal(csv_write_field(&b, "plain", 0), 0);
	assert_int_equal(csv_write_field(&b, "a,b", 0), 0);
	assert_int_equal(csv_write_field(&b, "say \"hi\"", 0), 0);
	assert_int_equal(csv_write_field(&b, "two\nlines", 0), 0);
	assert_int_equal(csv_write_field(&b, "cr\r", 0), 0);
	assert_int_equal(csv_write_field(&b, NULL, 0), 0);
	assert_int_equal(csv_write_field(&b, "", 0), 0);
	assert_int_equal(csv_write_field(&b, "last", 1), 0);
	assert_string_equal(b.data, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\",,,last\r\n");
	buf_release(&b);
}

static void test_write_read_round_trip(void **state)
{
	(void)state;
	const char *values[] = {"plain",  "",	"a,b",	 "\"",	 "\"\"",  "say \"hi\", then go",
				"x\ny",   "x\r\ny", " padded ", "B\xC3\xA9ziers", ",", "\n", "\r\n", "end\""};
	const size_t n = sizeof values / sizeof values[0];
	struct buf b;
	buf_init(&b);
	for (int row = 0; row < 3; row++)
		for (size_t i = 0; i < n; i++)
			assert_int_equal(csv_write_field(&b, values[(i + (size_t)row) % n], i == n - 1), 0);
	struct csv_reader r;
	csv_reader_init(&r, b.data, b.len);
	for (int row = 0; row < 3; row++) {
		int rc = csv_next_row(&r);
		if (rc != 1)
			fail_msg("row %d: %d %s", row, rc, r.error);
		assert_int_equal(r.nfields, n);
		for (size_t i = 0; i < n; i++)
			assert_string_equal(r.fields[i], values[(i + (size_t)row) % n]);
	}
	assert_int_equal(csv_next_row(&r), 0);
	csv_reader_release(&r);
	buf_release(&b);
}

/* Found by tests/fuzz (fuzz_csv, corpus/csv/finding-leading-bom): a field that starts with a byte
 * order mark, written first in a file, was read back without it (taken for the file's own mark).
 * It is written quoted. */
static void test_field_starting_with_a_bom(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b);
	assert_int_equal(csv_write_field(&b, "\xEF\xBB\xBFmark", 0), 0);
	assert_int_equal(csv_write_field(&b, "after", 1), 0);
	assert_memory_equal(b.data, "\"\xEF\xBB\xBFmark\",after\r\n", b.len);
	struct csv_reader r;
	csv_reader_init(&r, b.data, b.len);
	assert_int_equal(csv_next_row(&r), 1);
	assert_int_equal(r.nfields, 2);
	assert_string_equal(r.fields[0], "\xEF\xBB\xBFmark");
	csv_reader_release(&r);
	buf_release(&b);
}

static void test_reuse_after_release(void **state)
{
	(void)state;
	/* release then init again: no leak, no stale state */
	struct csv_reader r;
	csv_reader_init(&r, "a\n", 2);
	expect_row(&r, 1, 1);
	csv_reader_release(&r);
	csv_reader_init(&r, "b,c\n", 4);
	expect_row(&r, 1, 2);
	assert_string_equal(r.fields[0], "b");
	csv_reader_release(&r);
}

/* A text a spreadsheet would run as a formula gets one quote before it; the import takes that
 * quote off again, and only that one: every text comes back as it was. */
static void test_formula_neutralised(void **state)
{
	(void)state;
	static const struct {
		const char *text, *cell;
	} cases[] = {
		{"=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\""},
		{"+33612345678", "'+33612345678"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tx", "'\tx"},
		{"\rx", "\"'\rx\""},
		{"\nx", "\"'\nx\""},
		{"\xEF\xBC\x9D" "1+1", "'\xEF\xBC\x9D" "1+1"}, /* a full-width = */
		{"'=x", "''=x"},                             /* a quote the person typed is kept */
		{"''+x", "'''+x"},
		{"'s-Hertogenbosch", "'s-Hertogenbosch"}, /* a quote before anything else: as it is */
		{"EHPAD Les Tilleuls", "EHPAD Les Tilleuls"},
		{"a=b", "a=b"},
		{"", ""},
		{"'", "'"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct buf out;
		buf_init(&out);
		assert_int_equal(csv_write_text(&out, cases[i].text, 1), 0);
		char want[64];
		snprintf(want, sizeof want, "%s\r\n", cases[i].cell);
		if (strcmp(out.data, want) != 0)
			fail_msg("csv_write_text(\"%s\") wrote \"%s\", not \"%s\"", cases[i].text, out.data, want);
		/* read back as an import reads it */
		struct csv_reader r;
		csv_reader_init(&r, out.data, out.len);
		if (cases[i].text[0]) {
			assert_int_equal(csv_next_row(&r), 1);
			if (strcmp(csv_read_text(r.fields[0]), cases[i].text) != 0)
				fail_msg("\"%s\" came back as \"%s\"", cases[i].text, csv_read_text(r.fields[0]));
		}
		csv_reader_release(&r);
		buf_release(&out);
	}
	/* a cell someone wrote by hand without our quote imports as it is */
	assert_string_equal(csv_read_text("+33612345678"), "+33612345678");
	assert_string_equal(csv_read_text("=1+1"), "=1+1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple_rows),
		cmocka_unit_test(test_no_final_newline),
		cmocka_unit_test(test_empty_input),
		cmocka_unit_test(test_empty_fields),
		cmocka_unit_test(test_quoted_fields),
		cmocka_unit_test(test_doubled_quotes),
		cmocka_unit_test(test_newlines_inside_quotes_keep_line_numbers),
		cmocka_unit_test(test_crlf_and_lf),
		cmocka_unit_test(test_crlf_after_quoted_field),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_field_starting_with_a_bom),
		cmocka_unit_test(test_blank_lines_skipped),
		cmocka_unit_test(test_quoted_empty_line_is_a_row),
		cmocka_unit_test(test_spaces_kept),
		cmocka_unit_test(test_utf8_and_nul_safe_lengths),
		cmocka_unit_test(test_error_unclosed_quote),
		cmocka_unit_test(test_error_quote_in_unquoted_field),
		cmocka_unit_test(test_error_text_after_closing_quote),
		cmocka_unit_test(test_error_quote_after_closing_quote),
		cmocka_unit_test(test_error_line_after_multiline_field),
		cmocka_unit_test(test_error_nul_byte),
		cmocka_unit_test(test_field_limit),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_write_field),
		cmocka_unit_test(test_write_read_round_trip),
		cmocka_unit_test(test_formula_neutralised),
		cmocka_unit_test(test_reuse_after_release),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
