/* Unit tests of clock.c: ISO 8601 formatting and parsing of millisecond timestamps. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"

#define DAY_MS 86400000LL
#define HOUR_MS 3600000LL
#define MIN_MS 60000LL

static long long parse_ok(const char *s)
{
	long long ms = -424242;
	if (clock_parse_iso(s, &ms) != 0)
		fail_msg("clock_parse_iso refused \"%s\"", s);
	return ms;
}

static void parse_bad(const char *s)
{
	long long ms = -424242;
	if (clock_parse_iso(s, &ms) != -1)
		fail_msg("clock_parse_iso accepted \"%s\" as %lld", s, ms);
	assert_int_equal(ms, -424242); /* untouched on error */
}

static void test_format_epoch(void **state)
{
	(void)state;
	char out[32];
	assert_string_equal(clock_format_iso(0, out), "1970-01-01T00:00:00.000Z");
	assert_string_equal(clock_format_iso(1, out), "1970-01-01T00:00:00.001Z");
	assert_string_equal(clock_format_iso(999, out), "1970-01-01T00:00:00.999Z");
	assert_string_equal(clock_format_iso(1000, out), "1970-01-01T00:00:01.000Z");
	assert_ptr_equal(clock_format_iso(0, out), out);
}

static void test_format_known_dates(void **state)
{
	(void)state;
	char out[32];
	assert_string_equal(clock_format_iso(1764146709123LL, out), "2025-11-26T08:45:09.123Z");
	assert_string_equal(clock_format_iso(951782400000LL, out), "2000-02-29T00:00:00.000Z");
	assert_string_equal(clock_format_iso(1709164800000LL, out), "2024-02-29T00:00:00.000Z");
	assert_string_equal(clock_format_iso(253402300799999LL, out), "9999-12-31T23:59:59.999Z");
}

static void test_format_negative(void **state)
{
	(void)state;
	char out[32];
	assert_string_equal(clock_format_iso(-1, out), "1969-12-31T23:59:59.999Z");
	assert_string_equal(clock_format_iso(-1000, out), "1969-12-31T23:59:59.000Z");
	assert_string_equal(clock_format_iso(-1001, out), "1969-12-31T23:59:58.999Z");
	assert_string_equal(clock_format_iso(-DAY_MS, out), "1969-12-31T00:00:00.000Z");
}

/* The date arithmetic against the C library's gmtime_r, over 1900 to 9999 in uneven steps (every
 * day of the epoch's neighbourhood, then a prime number of seconds apart: all months, leap days,
 * century years). */
static void test_format_matches_gmtime(void **state)
{
	(void)state;
	const long long first = -2208988800LL, last = 253402300799LL; /* 1900-01-01 .. 9999-12-31 */
	int checked = 0;
	for (long long sec = first; sec <= last; sec += sec > -86400LL * 800 && sec < 86400LL * 800 ? 86399 : 7919993) {
		time_t t = (time_t)sec;
		struct tm tm;
		char want[96], got[32];
		gmtime_r(&t, &tm);
		snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			 tm.tm_hour, tm.tm_min, tm.tm_sec, (int)((sec * 7) % 1000 + 1000) % 1000);
		long long ms = sec * 1000 + ((sec * 7) % 1000 + 1000) % 1000;
		if (strcmp(clock_format_iso(ms, got), want) != 0)
			fail_msg("%lld ms: got %s, gmtime_r says %s", ms, got, want);
		checked++;
	}
	assert_true(checked > 30000);
}

static void test_parse_utc(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("1970-01-01T00:00:00Z"), 0);
	assert_int_equal(parse_ok("1970-01-01T00:00:00.000Z"), 0);
	assert_int_equal(parse_ok("1970-01-02T00:00:00Z"), DAY_MS);
	assert_int_equal(parse_ok("2025-11-26T08:45:09.123Z"), 1764146709123LL);
	assert_int_equal(parse_ok("2000-02-29T00:00:00Z"), 951782400000LL);
	assert_int_equal(parse_ok("2000-03-01T00:00:00Z"), 951782400000LL + DAY_MS);
	assert_int_equal(parse_ok("1969-12-31T23:59:59.999Z"), -1);
	assert_int_equal(parse_ok("1900-01-01T00:00:00Z"), -2208988800000LL);
}

static void test_parse_fractions(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("1970-01-01T00:00:00.5Z"), 500);
	assert_int_equal(parse_ok("1970-01-01T00:00:00.05Z"), 50);
	assert_int_equal(parse_ok("1970-01-01T00:00:00.005Z"), 5);
	assert_int_equal(parse_ok("1970-01-01T00:00:00.123456Z"), 123);  /* truncated to ms */
	assert_int_equal(parse_ok("1970-01-01T00:00:00.999999999Z"), 999);
	assert_int_equal(parse_ok("1970-01-01T00:00:01.250+00:00"), 1250);
}

static void test_parse_offsets(void **state)
{
	(void)state;
	long long utc = parse_ok("2025-11-26T08:45:09Z");
	assert_int_equal(parse_ok("2025-11-26T09:45:09+01:00"), utc);
	assert_int_equal(parse_ok("2025-11-26T10:45:09+02:00"), utc);
	assert_int_equal(parse_ok("2025-11-26T03:15:09-05:30"), utc);
	assert_int_equal(parse_ok("2025-11-26T08:45:09+00:00"), utc);
	assert_int_equal(parse_ok("2025-11-26T08:45:09-00:00"), utc);
	assert_int_equal(parse_ok("2025-11-26T14:30:09+05:45"), utc);
	/* crossing midnight and the year */
	assert_int_equal(parse_ok("2026-01-01T00:30:00+01:00"), parse_ok("2025-12-31T23:30:00Z"));
	assert_int_equal(parse_ok("2025-12-31T20:00:00-05:00"), parse_ok("2026-01-01T01:00:00Z"));
	assert_int_equal(parse_ok("1970-01-01T00:00:00+01:00"), -HOUR_MS);
	assert_int_equal(parse_ok("1970-01-01T00:00:00-05:30"), 5 * HOUR_MS + 30 * MIN_MS);
	assert_int_equal(parse_ok("2025-11-26T09:45:09.123+01:00"), utc + 123);
	assert_int_equal(parse_ok("2025-11-26T08:45:09+23:59"), utc - 23 * HOUR_MS - 59 * MIN_MS);
}

static void test_round_trip(void **state)
{
	(void)state;
	const long long values[] = {0,		    1,		   999,		     1000,
				    1764146709123LL, 951782400000LL, 4102444799999LL, -1,
				    -2208988800000LL, 7258118399999LL, 1709164800001LL};
	for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
		char out[32];
		long long back = 0;
		clock_format_iso(values[i], out);
		assert_int_equal(clock_parse_iso(out, &back), 0);
		assert_int_equal(back, values[i]);
	}
	/* text -> ms -> text gives the same text for canonical strings */
	const char *texts[] = {"2025-11-26T08:45:09.123Z", "2024-02-29T23:59:59.999Z", "1999-12-31T00:00:00.000Z"};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		char out[32];
		assert_string_equal(clock_format_iso(parse_ok(texts[i]), out), texts[i]);
	}
	/* every hour of a year, in steps that touch every month */
	for (long long ms = 1704067200000LL; ms < 1735689600000LL; ms += 7 * HOUR_MS + 13 * MIN_MS + 17017) {
		char out[32];
		long long back = 0;
		clock_format_iso(ms, out);
		assert_int_equal(clock_parse_iso(out, &back), 0);
		assert_int_equal(back, ms);
	}
}

static void test_parse_invalid(void **state)
{
	(void)state;
	const char *bad[] = {
		"",
		"2025-11-26",
		"2025-11-26T08:45:09",       /* no zone */
		"2025-11-26T08:45Z",
		"2025-11-26 08:45:09Z",      /* space separator */
		"2025-11-26t08:45:09Z",
		"2025-11-26T08:45:09z",
		"2025/11/26T08:45:09Z",
		"2025-11-26T08-45-09Z",
		"25-11-26T08:45:09Z",
		"2025-1-26T08:45:09Z",
		"2025-11-26T8:45:09Z",
		"2025-13-26T08:45:09Z",      /* month 13 */
		"2025-00-26T08:45:09Z",
		"2025-11-00T08:45:09Z",
		"2025-11-32T08:45:09Z",
		"2025-11-26T24:00:00Z",
		"2025-11-26T23:60:00Z",
		"2025-11-26T23:59:61Z",
		"2025-11-26T08:45:09.Z",     /* dot without digits */
		"2025-11-26T08:45:09.12a",
		"2025-11-26T08:45:09ZZ",
		"2025-11-26T08:45:09Z ",
		"2025-11-26T08:45:09+0100",  /* offset without colon */
		"2025-11-26T08:45:09+01",
		"2025-11-26T08:45:09+01:00:00",
		"2025-11-26T08:45:09+24:00",
		"2025-11-26T08:45:09+01:60",
		"2025-11-26T08:45:09+1:00",
		"2025-11-26T08:45:09 +01:00",
		"2025-11-26T08:45:09UTC",
		"abcd-ef-ghTij:kl:mnZ",
		"+025-11-26T08:45:09Z",
		"2025-11-26T08:45:09.123",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		parse_bad(bad[i]);
}

/* A day that does not exist in its month must not silently become a day of the next month:
 * "2023-02-31" would be read as 2023-03-03. */
static void test_parse_refuses_impossible_days(void **state)
{
	(void)state;
	parse_bad("2023-02-29T00:00:00Z");
	parse_bad("2024-02-30T00:00:00Z");
	parse_bad("2023-02-31T12:00:00Z");
	parse_bad("2025-04-31T00:00:00Z");
	parse_bad("2025-06-31T00:00:00Z");
	parse_bad("2025-09-31T00:00:00Z");
	parse_bad("2025-11-31T00:00:00Z");
	parse_bad("1900-02-29T00:00:00Z");
	/* the real last days are fine */
	parse_ok("2024-02-29T00:00:00Z");
	parse_ok("2025-04-30T00:00:00Z");
	parse_ok("2000-02-29T00:00:00Z");
}

static void test_wall_and_monotonic(void **state)
{
	(void)state;
	long long w = clock_wall_ms();
	assert_true(w > 1704067200000LL); /* after 2024-01-01 */
	long long a = clock_mono_us(), b = clock_mono_us();
	assert_true(b >= a);
	char out[32];
	long long back;
	assert_int_equal(clock_parse_iso(clock_format_iso(w, out), &back), 0);
	assert_int_equal(back, w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_epoch),
		cmocka_unit_test(test_format_known_dates),
		cmocka_unit_test(test_format_negative),
		cmocka_unit_test(test_format_matches_gmtime),
		cmocka_unit_test(test_parse_utc),
		cmocka_unit_test(test_parse_fractions),
		cmocka_unit_test(test_parse_offsets),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_parse_invalid),
		cmocka_unit_test(test_parse_refuses_impossible_days),
		cmocka_unit_test(test_wall_and_monotonic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
