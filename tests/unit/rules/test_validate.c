/* Unit tests of validate.c: pure checks of single values. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "validate.h"

/* --- validate_e164 ------------------------------------------------------------------------------ */

static void test_e164_valid(void **state)
{
	(void)state;
	assert_null(validate_e164("+33612345678"));
	assert_null(validate_e164("+33561022400"));
	assert_null(validate_e164("+12345678"));        /* 8 digits: the shortest */
	assert_null(validate_e164("+123456789012345")); /* 15 digits: the longest */
	assert_null(validate_e164("+447911123456"));
}

static void test_e164_invalid(void **state)
{
	(void)state;
	const char *bad[] = {
		NULL,
		"",
		"+",
		"33612345678",       /* no + */
		"0612345678",        /* national form */
		"+0612345678",       /* first digit 0 */
		"+1234567",          /* 7 digits */
		"+1234567890123456", /* 16 digits */
		"+33 612345678",     /* space */
		"+33-612345678",
		"+33.612345678",
		"++33612345678",
		"+33612345678 ",
		" +33612345678",
		"+3361234567a",
		"+33612345678\n",
		"+\xD9\xA3\xD9\xA3\xD9\xA3\xD9\xA3\xD9\xA3\xD9\xA3\xD9\xA3\xD9\xA3", /* Arabic-Indic digits */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *rule = validate_e164(bad[i]);
		if (!rule)
			fail_msg("validate_e164 accepted bad value #%zu \"%s\"", i, bad[i] ? bad[i] : "(null)");
		assert_non_null(strstr(rule, "E.164"));
	}
}

/* --- validate_finess ---------------------------------------------------------------------------- */

static void test_finess_real_numbers(void **state)
{
	(void)state;
	/* real FINESS numbers: the check digit is a Luhn key */
	assert_null(validate_finess("090000019", NULL));
	assert_null(validate_finess("310781406", NULL));
	assert_null(validate_finess("310781406", "31"));
	assert_null(validate_finess("090000019", "09"));
}

static void test_finess_length(void **state)
{
	(void)state;
	const char *bad[] = {NULL, "", "31078140", "3107814060", "31078140 ", " 31078140"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *rule = validate_finess(bad[i], NULL);
		if (!rule)
			fail_msg("validate_finess accepted \"%s\"", bad[i] ? bad[i] : "(null)");
	}
	assert_non_null(strstr(validate_finess("31078140", NULL), "9 characters"));
}

static void test_finess_digits_only(void **state)
{
	(void)state;
	assert_non_null(validate_finess("31078140A", NULL));
	assert_non_null(validate_finess("3107-1406", NULL));
	assert_non_null(validate_finess("31A781406", NULL)); /* a letter in third place is never Corsica */
	assert_non_null(validate_finess("3A0781406", NULL)); /* 3A is not Corsica */
	assert_non_null(validate_finess("2C0781406", NULL)); /* only 2A and 2B */
	assert_non_null(validate_finess("2a0781406", NULL)); /* uppercase only */
	assert_non_null(strstr(validate_finess("31078140A", NULL), "digits"));
}

static void test_finess_corsica(void **state)
{
	(void)state;
	/* Corsica: 2A / 2B then digits; the letter keeps the Luhn key from applying */
	assert_null(validate_finess("2A0000010", NULL));
	assert_null(validate_finess("2B0000017", NULL));
	assert_null(validate_finess("2A0000010", "2A"));
	assert_non_null(validate_finess("2A0000010", "2B"));
	assert_non_null(validate_finess("2A000001X", NULL)); /* still digits after 2A */
	assert_non_null(validate_finess("2AA000010", NULL));
}

static void test_finess_luhn(void **state)
{
	(void)state;
	/* change the check digit of a valid number: every other key is wrong */
	char s[10];
	snprintf(s, sizeof s, "310781406");
	int valid = 0;
	for (char c = '0'; c <= '9'; c++) {
		s[8] = c;
		if (!validate_finess(s, NULL))
			valid++;
		else
			assert_non_null(strstr(validate_finess(s, NULL), "check digit"));
	}
	assert_int_equal(valid, 1);
	/* a transposition of two adjacent different digits is caught */
	assert_non_null(validate_finess("310718406", NULL));
	/* a single changed digit is caught */
	assert_non_null(validate_finess("310781416", NULL));
	assert_non_null(validate_finess("090000018", NULL));
	/* all zeros pass Luhn */
	assert_null(validate_finess("000000000", NULL));
}

static void test_finess_departement_prefix(void **state)
{
	(void)state;
	assert_null(validate_finess("310781406", "31"));
	const char *rule = validate_finess("310781406", "81");
	assert_non_null(rule);
	assert_non_null(strstr(rule, "département"));
	assert_non_null(validate_finess("090000019", "31"));
	/* the prefix is checked even when the key is right and the number otherwise valid */
	assert_non_null(validate_finess("090000019", "90"));
}

/* --- validate_date ------------------------------------------------------------------------------ */

static void test_date_valid(void **state)
{
	(void)state;
	const char *good[] = {"2024-02-29", "2000-02-29", "2023-02-28", "1900-01-01", "2199-12-31", "2026-11-26",
			      "2025-01-31", "2025-03-31", "2025-04-30", "2025-12-31", "1900-02-28", "2196-02-29"};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		if (validate_date(good[i]))
			fail_msg("validate_date refused \"%s\": %s", good[i], validate_date(good[i]));
}

static void test_date_leap_years(void **state)
{
	(void)state;
	assert_null(validate_date("2024-02-29"));
	assert_non_null(validate_date("2023-02-29"));
	assert_null(validate_date("2000-02-29"));    /* divisible by 400 */
	assert_non_null(validate_date("1900-02-29")); /* divisible by 100, not 400 */
	assert_non_null(validate_date("2100-02-29"));
	assert_null(validate_date("2104-02-29"));
	assert_non_null(validate_date("2024-02-30"));
	assert_non_null(strstr(validate_date("2023-02-29"), "day"));
}

static void test_date_month_and_day(void **state)
{
	(void)state;
	assert_non_null(strstr(validate_date("2024-13-01"), "month"));
	assert_non_null(strstr(validate_date("2024-00-10"), "month"));
	assert_non_null(strstr(validate_date("2024-01-00"), "day"));
	assert_non_null(validate_date("2024-01-32"));
	assert_non_null(validate_date("2024-04-31"));
	assert_non_null(validate_date("2024-06-31"));
	assert_non_null(validate_date("2024-09-31"));
	assert_non_null(validate_date("2024-11-31"));
	assert_non_null(validate_date("2024-99-99"));
}

static void test_date_range(void **state)
{
	(void)state;
	assert_non_null(strstr(validate_date("1899-12-31"), "between"));
	assert_non_null(strstr(validate_date("2200-01-01"), "between"));
	assert_non_null(validate_date("0000-01-01"));
	assert_non_null(validate_date("9999-12-31"));
}

static void test_date_format(void **state)
{
	(void)state;
	const char *bad[] = {NULL,	   "",		 "2024-2-29",  "2024-02-9",   "24-02-29",    "2024/02/29",
			     "2024-02-29 ", " 2024-02-29", "20240229",	 "2024-02-29T00", "2024-0a-29", "2024--2-29",
			     "+024-02-29", "2024-02-+9", "2024 02 29", "29-02-2024"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (!validate_date(bad[i]))
			fail_msg("validate_date accepted \"%s\"", bad[i] ? bad[i] : "(null)");
	assert_non_null(strstr(validate_date("2024/02/29"), "YYYY-MM-DD"));
}

/* --- utf8_length and validate_text -------------------------------------------------------------- */

static void test_utf8_length_valid(void **state)
{
	(void)state;
	assert_int_equal(utf8_length(""), 0);
	assert_int_equal(utf8_length("abc"), 3);
	assert_int_equal(utf8_length("B\xC3\xA9ziers"), 7);           /* Béziers: é is 2 bytes */
	assert_int_equal(utf8_length("\xE2\x82\xAC"), 1);              /* € U+20AC */
	assert_int_equal(utf8_length("\xF0\x9F\x98\x80"), 1);          /* U+1F600 */
	assert_int_equal(utf8_length("\xC2\x80"), 1);                  /* U+0080: smallest 2-byte */
	assert_int_equal(utf8_length("\xDF\xBF"), 1);                  /* U+07FF */
	assert_int_equal(utf8_length("\xE0\xA0\x80"), 1);              /* U+0800: smallest 3-byte */
	assert_int_equal(utf8_length("\xED\x9F\xBF"), 1);              /* U+D7FF, just before the surrogates */
	assert_int_equal(utf8_length("\xEE\x80\x80"), 1);              /* U+E000, just after */
	assert_int_equal(utf8_length("\xEF\xBF\xBF"), 1);              /* U+FFFF */
	assert_int_equal(utf8_length("\xF0\x90\x80\x80"), 1);          /* U+10000: smallest 4-byte */
	assert_int_equal(utf8_length("\xF4\x8F\xBF\xBF"), 1);          /* U+10FFFF: the last code point */
	assert_int_equal(utf8_length("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z"), 5);
}

static void test_utf8_length_invalid(void **state)
{
	(void)state;
	const char *bad[] = {
		"\x80",             /* lone continuation byte */
		"a\xBF",            /* lone continuation after ASCII */
		"\xC3",             /* truncated 2-byte */
		"\xC3" "a",         /* 2-byte lead then ASCII */
		"\xE2\x82",         /* truncated 3-byte */
		"\xF0\x9F\x98",     /* truncated 4-byte */
		"\xC0\xAF",         /* overlong '/' */
		"\xC1\xBF",         /* overlong U+007F */
		"\xC0\x80",         /* overlong NUL (modified UTF-8) */
		"\xE0\x80\xAF",     /* overlong 3-byte '/' */
		"\xE0\x9F\xBF",     /* overlong U+07FF */
		"\xF0\x80\x80\xAF", /* overlong 4-byte '/' */
		"\xF0\x8F\xBF\xBF", /* overlong U+FFFF */
		"\xED\xA0\x80",     /* U+D800 high surrogate */
		"\xED\xAF\xBF",     /* U+DBFF */
		"\xED\xB0\x80",     /* U+DC00 low surrogate */
		"\xED\xBF\xBF",     /* U+DFFF */
		"\xED\xA0\xBD\xED\xB8\x80", /* CESU-8 surrogate pair */
		"\xF4\x90\x80\x80", /* U+110000 */
		"\xF5\x80\x80\x80", /* lead byte F5 */
		"\xF7\xBF\xBF\xBF",
		"\xF8\x88\x80\x80\x80", /* 5-byte form */
		"\xFC\x84\x80\x80\x80\x80",
		"\xFE",
		"\xFF",
		"abc\xE2\x82\x41", /* bad continuation */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (utf8_length(bad[i]) != -1)
			fail_msg("utf8_length accepted bad sequence #%zu (got %ld)", i, utf8_length(bad[i]));
}

static void test_text_valid(void **state)
{
	(void)state;
	assert_null(validate_text("EHPAD Les Tilleuls", 1, 200));
	assert_null(validate_text("B\xC3\xA9ziers", 1, 200));
	assert_null(validate_text("", 0, 10));
	assert_null(validate_text("a", 1, 1));
	assert_null(validate_text("\xF0\x9F\x98\x80", 1, 1));
	assert_null(validate_text("~ !\"#$%&'()*+,-./", 0, 100)); /* printable ASCII punctuation */
}

static void test_text_length_in_code_points(void **state)
{
	(void)state;
	/* "ééééé": 5 code points, 10 bytes */
	const char *e5 = "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9";
	assert_int_equal(strlen(e5), 10);
	assert_null(validate_text(e5, 1, 5));
	assert_non_null(validate_text(e5, 1, 4));
	assert_null(validate_text(e5, 5, 5));
	assert_non_null(validate_text(e5, 6, 10));
	/* four 4-byte emoji: 4 code points in 16 bytes */
	assert_null(validate_text("\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80", 4, 4));
}

static void test_text_length_messages(void **state)
{
	(void)state;
	assert_string_equal(validate_text("abcdef", 1, 5), "must be 1 to 5 characters long");
	assert_string_equal(validate_text("", 1, 5), "must be 1 to 5 characters long");
	assert_string_equal(validate_text("abcdef", 0, 5), "must be at most 5 characters long");
}

static void test_text_refuses_control_characters(void **state)
{
	(void)state;
	const char *bad[] = {"a\tb", "a\nb", "a\rb", "\x01", "a\x1F", "a\x7F" "b", "\x1B[31m"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *rule = validate_text(bad[i], 0, 100);
		if (!rule)
			fail_msg("validate_text accepted control character in #%zu", i);
		assert_string_equal(rule, "must not contain control characters");
	}
}

static void test_text_refuses_bad_utf8(void **state)
{
	(void)state;
	assert_string_equal(validate_text("B\xE9ziers", 0, 100), "must be valid UTF-8 text"); /* Latin-1 */
	assert_string_equal(validate_text("\xC0\xAF", 0, 100), "must be valid UTF-8 text");
	assert_string_equal(validate_text("\xED\xA0\x80", 0, 100), "must be valid UTF-8 text");
	assert_string_equal(validate_text(NULL, 0, 100), "must be a string");
}

/* --- validate_word, validate_insee, validate_lang2 ----------------------------------------------- */

static void test_word(void **state)
{
	(void)state;
	assert_null(validate_word("a"));
	assert_null(validate_word("first_aid"));
	assert_null(validate_word("covid-19"));
	assert_null(validate_word("0123456789"));
	char w40[41], w41[42];
	memset(w40, 'a', 40);
	w40[40] = '\0';
	memset(w41, 'a', 41);
	w41[41] = '\0';
	assert_null(validate_word(w40));
	assert_non_null(validate_word(w41));
	const char *bad[] = {NULL, "", "First", "first aid", "first.aid", "caf\xC3\xA9", "a/b", "a,b", "A", " a", "a\n"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (!validate_word(bad[i]))
			fail_msg("validate_word accepted \"%s\"", bad[i] ? bad[i] : "(null)");
}

static void test_insee(void **state)
{
	(void)state;
	assert_null(validate_insee("31555"));
	assert_null(validate_insee("09001"));
	assert_null(validate_insee("2A004"));
	assert_null(validate_insee("2B033"));
	const char *bad[] = {NULL,    "",	"3155",	 "315555", "3155A", "2C004", "2a004", "A2004",
			     "2A00B", "31 55", "31555 ", "2AB04", "3A555"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (!validate_insee(bad[i]))
			fail_msg("validate_insee accepted \"%s\"", bad[i] ? bad[i] : "(null)");
}

static void test_lang2(void **state)
{
	(void)state;
	assert_null(validate_lang2("fr"));
	assert_null(validate_lang2("en"));
	assert_null(validate_lang2("oc"));
	const char *bad[] = {NULL, "", "f", "FR", "Fr", "fra", "f1", "fr ", "fr-FR", "\xC3\xA9n"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (!validate_lang2(bad[i]))
			fail_msg("validate_lang2 accepted \"%s\"", bad[i] ? bad[i] : "(null)");
	assert_non_null(strstr(validate_lang2("FR"), "ISO 639-1"));
}

/* --- phone_to_e164_fr ---------------------------------------------------------------------------- */

static void test_phone_french_forms(void **state)
{
	(void)state;
	const char *forms[] = {"0561022400",	     "561022400",	  "05 61 02 24 00",   "05.61.02.24.00",
			       "05-61-02-24-00",     "+33 5 61 02 24 00", "+33561022400",     "+33 (5) 61 02 24 00",
			       " 05 61 02 24 00 ",   "(05) 61 02 24 00"};
	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		char out[17];
		memset(out, 'x', sizeof out);
		if (phone_to_e164_fr(forms[i], out, sizeof out))
			fail_msg("phone_to_e164_fr refused \"%s\"", forms[i]);
		assert_string_equal(out, "+33561022400");
	}
	char out[17];
	assert_int_equal(phone_to_e164_fr("06 12 34 56 78", out, sizeof out), 0);
	assert_string_equal(out, "+33612345678");
}

static void test_phone_international(void **state)
{
	(void)state;
	char out[17];
	assert_int_equal(phone_to_e164_fr("+44 7911 123456", out, sizeof out), 0);
	assert_string_equal(out, "+447911123456");
	assert_int_equal(phone_to_e164_fr("+1 (202) 555-0142", out, sizeof out), 0);
	assert_string_equal(out, "+12025550142");
	assert_int_equal(phone_to_e164_fr("+123456789012345", out, sizeof out), 0); /* 15 digits fills 17 bytes */
	assert_string_equal(out, "+123456789012345");
}

static void test_phone_garbage(void **state)
{
	(void)state;
	const char *bad[] = {
		"",
		" ",
		"+",
		"abc",
		"05 61 02 24 0O",     /* letter O */
		"056102240",          /* 9 digits starting with 0 */
		"05610224000",        /* 11 digits */
		"5610224",            /* 7 digits */
		"0561022400x",
		"05/61/02/24/00",
		"+33 5 61 02 24 00 ext 12",
		"++33561022400",
		"33+561022400",       /* + after digits */
		"+0561022400",        /* E.164 never starts with 0 */
		"+1234567",           /* too short */
		"+1234567890123456",  /* too long */
		"+12345678901234567890123456", /* longer than the digit buffer */
		"1234567890123456789012345678901234567890",
		"05\t61 02 24 00",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char out[17];
		if (phone_to_e164_fr(bad[i], out, sizeof out) == 0)
			fail_msg("phone_to_e164_fr accepted \"%s\" as %s", bad[i], out);
	}
}

static void test_phone_small_output(void **state)
{
	(void)state;
	char out[12]; /* "+33561022400" needs 13 bytes */
	assert_int_equal(phone_to_e164_fr("0561022400", out, sizeof out), -1);
	char out13[13];
	assert_int_equal(phone_to_e164_fr("0561022400", out13, sizeof out13), 0);
	assert_string_equal(out13, "+33561022400");
}

/* "+33 (0)5 61 02 24 00" is how many French organisations print their number: the (0) is the trunk
 * prefix, dialled nationally only. The E.164 form is +33561022400; "+330561022400" is another
 * (non-existent) number. Either the right number or a refusal is acceptable; a wrong number is not. */
static void test_phone_trunk_prefix_after_country_code(void **state)
{
	(void)state;
	const char *forms[] = {"+33 (0)5 61 02 24 00", "+33 0561022400", "+330561022400"};
	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		char out[17] = "";
		int rc = phone_to_e164_fr(forms[i], out, sizeof out);
		if (rc == 0 && strcmp(out, "+33561022400") != 0)
			fail_msg("phone_to_e164_fr(\"%s\") gave the wrong number %s (expected +33561022400 or a refusal)",
				 forms[i], out);
	}
}

/* --- integers ------------------------------------------------------------------------------------ */

static void test_int_from_text(void **state)
{
	(void)state;
	long long v = 0;
	assert_int_equal(int_from_text("1108", 1, INT_EXACT_MAX, &v), 0);
	assert_int_equal(v, 1108);
	assert_int_equal(int_from_text("0", 0, 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(int_from_text("-12", -20, 20, &v), 0);
	assert_int_equal(v, -12);
	assert_int_equal(int_from_text("9007199254740991", 1, INT_EXACT_MAX, &v), 0);
	assert_int_equal(v, INT_EXACT_MAX);
	/* the whole text or nothing: never its leading digits */
	const char *bad[] = {NULL, "", "-", "1108.5", "1108abc", "16abc", "1.0", "1e3", "+5", " 5", "5 ", "05", "00",
			     "-05", "0x10", "\xD9\xA3", "9007199254740992", "999999999999999999999999", "1,5"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		v = 77;
		if (!int_from_text(bad[i], -INT_EXACT_MAX, INT_EXACT_MAX, &v))
			fail_msg("int_from_text accepted \"%s\"", bad[i] ? bad[i] : "(null)");
		assert_int_equal(v, 77); /* left alone */
	}
	/* the range */
	assert_int_equal(int_from_text("0", 1, 10, &v), -1);
	assert_int_equal(int_from_text("11", 1, 10, &v), -1);
	assert_int_equal(int_from_text("-1", 0, 10, &v), -1);
}

static void test_int_from_double(void **state)
{
	(void)state;
	long long v = 0;
	assert_int_equal(int_from_double(12.0, 0, 20000, &v), 0);
	assert_int_equal(v, 12);
	assert_int_equal(int_from_double(-0.0, 0, 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(int_from_double(9007199254740991.0, 1, INT_EXACT_MAX, &v), 0);
	const double bad[] = {1.5, 3.7, -1, 0.999, 1e300, -1e300, 9007199254740992.0, INFINITY, NAN};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		v = 77;
		if (!int_from_double(bad[i], 0, INT_EXACT_MAX, &v))
			fail_msg("int_from_double accepted %g", bad[i]);
		assert_int_equal(v, 77);
	}
	assert_int_equal(int_from_double(20001, 0, 20000, &v), -1);
}

static void test_int_rule(void **state)
{
	(void)state;
	char buf[96];
	assert_string_equal(int_rule(1, INT_EXACT_MAX, buf, sizeof buf), "must be a positive integer");
	assert_string_equal(int_rule(0, INT_EXACT_MAX, buf, sizeof buf), "must be a non-negative integer");
	assert_string_equal(int_rule(0, 1000000000, buf, sizeof buf), "must be an integer from 0 to 1000000000");
	assert_string_equal(int_rule(1, 1000, buf, sizeof buf), "must be an integer from 1 to 1000");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_e164_valid),
		cmocka_unit_test(test_e164_invalid),
		cmocka_unit_test(test_finess_real_numbers),
		cmocka_unit_test(test_finess_length),
		cmocka_unit_test(test_finess_digits_only),
		cmocka_unit_test(test_finess_corsica),
		cmocka_unit_test(test_finess_luhn),
		cmocka_unit_test(test_finess_departement_prefix),
		cmocka_unit_test(test_date_valid),
		cmocka_unit_test(test_date_leap_years),
		cmocka_unit_test(test_date_month_and_day),
		cmocka_unit_test(test_date_range),
		cmocka_unit_test(test_date_format),
		cmocka_unit_test(test_utf8_length_valid),
		cmocka_unit_test(test_utf8_length_invalid),
		cmocka_unit_test(test_text_valid),
		cmocka_unit_test(test_text_length_in_code_points),
		cmocka_unit_test(test_text_length_messages),
		cmocka_unit_test(test_text_refuses_control_characters),
		cmocka_unit_test(test_text_refuses_bad_utf8),
		cmocka_unit_test(test_word),
		cmocka_unit_test(test_insee),
		cmocka_unit_test(test_lang2),
		cmocka_unit_test(test_phone_french_forms),
		cmocka_unit_test(test_phone_international),
		cmocka_unit_test(test_phone_garbage),
		cmocka_unit_test(test_phone_small_output),
		cmocka_unit_test(test_phone_trunk_prefix_after_country_code),
		cmocka_unit_test(test_int_from_text),
		cmocka_unit_test(test_int_from_double),
		cmocka_unit_test(test_int_rule),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
