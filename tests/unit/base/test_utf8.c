/* Unit tests of utf8.c (strict decoding, repair) and of error.c, which repairs what it echoes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "utf8.h"

#define FFFD "\xEF\xBF\xBD"

static void test_decode(void **state)
{
	(void)state;
	unsigned cp;
	assert_int_equal(utf8_decode((const unsigned char *)"A", 1, &cp), 1);
	assert_int_equal(cp, 'A');
	assert_int_equal(utf8_decode((const unsigned char *)"\xC3\xA9", 2, &cp), 2);
	assert_int_equal(cp, 0xE9);
	assert_int_equal(utf8_decode((const unsigned char *)"\xE2\x82\xAC", 3, &cp), 3);
	assert_int_equal(cp, 0x20AC);
	assert_int_equal(utf8_decode((const unsigned char *)"\xF0\x9F\x9A\x91", 4, &cp), 4);
	assert_int_equal(cp, 0x1F691);
	/* not UTF-8 */
	assert_int_equal(utf8_decode((const unsigned char *)"\xC3\xA9", 1, &cp), 0);      /* cut short */
	assert_int_equal(utf8_decode((const unsigned char *)"\xFF", 1, &cp), 0);
	assert_int_equal(utf8_decode((const unsigned char *)"\x80", 1, &cp), 0);          /* a lone continuation */
	assert_int_equal(utf8_decode((const unsigned char *)"\xC0\xAF", 2, &cp), 0);      /* overlong */
	assert_int_equal(utf8_decode((const unsigned char *)"\xE0\x80\xAF", 3, &cp), 0);  /* overlong */
	assert_int_equal(utf8_decode((const unsigned char *)"\xED\xA0\x80", 3, &cp), 0);  /* a surrogate */
	assert_int_equal(utf8_decode((const unsigned char *)"\xF4\x90\x80\x80", 4, &cp), 0); /* past U+10FFFF */
	assert_int_equal(utf8_decode((const unsigned char *)"x", 0, &cp), 0);
}

/* utf8_valid and utf8_feed say the same as utf8_decode, whole or in pieces */
static void test_valid_and_feed(void **state)
{
	(void)state;
	static const char *const texts[] = {"", "abc", "\xC3\xA9t\xC3\xA9", "\xF0\x9F\x9A\x91", "\xFF", "\xC3",
					    "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "a\xE2\x82"};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		const unsigned char *p = (const unsigned char *)texts[i];
		size_t n = strlen(texts[i]), at = 0;
		unsigned cp;
		int k = 1;
		while (at < n && (k = utf8_decode(p + at, n - at, &cp)))
			at += (size_t)k;
		int valid = at == n;
		assert_int_equal(utf8_valid(p, n), valid);
		for (size_t cut = 0; cut <= n; cut++) {
			unsigned st = 0;
			int ok = utf8_feed(&st, p, cut) == 0 && utf8_feed(&st, p + cut, n - cut) == 0 && st == 0;
			assert_int_equal(ok, valid);
		}
	}
}

static void test_repair(void **state)
{
	(void)state;
	char out[64];
	assert_int_equal(utf8_repair("\xFF\xFE", 2, out, sizeof out), 2);
	assert_string_equal(out, FFFD FFFD);
	assert_int_equal(utf8_repair("DISPO \xE9t\xE9", 9, out, sizeof out), 2); /* Latin-1 accents */
	assert_string_equal(out, "DISPO " FFFD "t" FFFD);
	assert_int_equal(utf8_repair("d\xC3\xA9j\xC3\xA0", 6, out, sizeof out), 0); /* good text is kept */
	assert_string_equal(out, "d\xC3\xA9j\xC3\xA0");
	assert_int_equal(utf8_repair("a\0b", 3, out, sizeof out), 1); /* a NUL byte would cut the C string */
	assert_string_equal(out, "a" FFFD "b");
	/* too small: cut at a character boundary, never inside one */
	assert_int_equal(utf8_repair("ab\xC3\xA9", 4, out, 4), 0);
	assert_string_equal(out, "ab");
	assert_int_equal(utf8_repair("a\xFF", 2, out, 4), 0);
	assert_string_equal(out, "a");
	size_t replaced = 9;
	char *dup = utf8_repair_dup("\xFF" "ok\xFE", &replaced);
	assert_string_equal(dup, FFFD "ok" FFFD);
	assert_int_equal(replaced, 2);
	free(dup);
}

static void test_error_never_echoes_bad_bytes(void **state)
{
	(void)state;
	struct rf_error e;
	/* a CSV header \xff\xfe, a query parameter %FF: the field, and a rule that quotes it */
	rf_error_set(&e, 422, "unknown_column", "\xff\xfe", "is not a column of %s", "structures\xC3");
	assert_string_equal(e.field, FFFD FFFD);
	assert_string_equal(e.rule, "is not a column of structures" FFFD);
	assert_true(utf8_valid(e.field, strlen(e.field)));
	/* a rule cut to fit its buffer is cut between characters */
	char long_rule[600];
	memset(long_rule, 'a', 254);
	strcpy(long_rule + 254, "\xC3\xA9\xC3\xA9");
	rf_error_set(&e, 422, "invalid", "x", "%s", long_rule);
	assert_true(utf8_valid(e.rule, strlen(e.rule)));
	assert_int_equal(strlen(e.rule), 254);
	char long_field[200];
	memset(long_field, 'f', 94);
	strcpy(long_field + 94, "\xE2\x82\xAC");
	rf_error_set(&e, 422, "invalid", long_field, "rule");
	assert_true(utf8_valid(e.field, strlen(e.field)));
	assert_int_equal(strlen(e.field), 94);
	/* good text passes as it is */
	rf_error_set(&e, 422, "invalid", "contacts[0].phone", "must be %s", "d\xC3\xA9j\xC3\xA0 pris");
	assert_string_equal(e.field, "contacts[0].phone");
	assert_string_equal(e.rule, "must be d\xC3\xA9j\xC3\xA0 pris");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_valid_and_feed),
		cmocka_unit_test(test_repair),
		cmocka_unit_test(test_error_never_echoes_bad_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
