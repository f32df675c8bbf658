/* Unit tests of paris_time.c: the region's civil time around both changes of 2026 (29 March and
 * 25 October), midnights, and what people type (datetime-local fields, dates). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "clock.h"
#include "paris_time.h"

#define HOUR 3600000LL

static long long iso(const char *s)
{
	long long ms = 0;
	if (clock_parse_iso(s, &ms))
		fail_msg("not ISO: %s", s);
	return ms;
}

static long long local(const char *s)
{
	long long ms = 0;
	if (paris_parse_local(s, &ms))
		fail_msg("paris_parse_local(%s) refused", s);
	return ms;
}

static void test_offsets_around_the_changes(void **state)
{
	(void)state;
	/* 2026: summer time from Sunday 29 March 01:00 UTC to Sunday 25 October 01:00 UTC */
	assert_int_equal(paris_offset_ms(iso("2026-03-29T00:59:59.999Z")), HOUR);
	assert_int_equal(paris_offset_ms(iso("2026-03-29T01:00:00Z")), 2 * HOUR);
	assert_int_equal(paris_offset_ms(iso("2026-10-25T00:59:59.999Z")), 2 * HOUR);
	assert_int_equal(paris_offset_ms(iso("2026-10-25T01:00:00Z")), HOUR);
	assert_int_equal(paris_offset_ms(iso("2026-01-15T12:00:00Z")), HOUR);
	assert_int_equal(paris_offset_ms(iso("2026-07-14T12:00:00Z")), 2 * HOUR);
	/* other years: last Sundays of March 2025 (30th) and 2027 (28th) */
	assert_int_equal(paris_offset_ms(iso("2025-03-30T01:00:00Z")), 2 * HOUR);
	assert_int_equal(paris_offset_ms(iso("2025-03-29T12:00:00Z")), HOUR);
	assert_int_equal(paris_offset_ms(iso("2027-03-28T01:00:00Z")), 2 * HOUR);
}

static void test_fields(void **state)
{
	(void)state;
	struct paris_tm t;
	paris_fields(iso("2026-03-29T00:30:00Z"), &t); /* 01:30 winter time */
	assert_int_equal(t.hour, 1);
	assert_int_equal(t.minute, 30);
	assert_int_equal(t.dst, 0);
	assert_int_equal(t.wday, 0); /* a Sunday */
	paris_fields(iso("2026-03-29T01:00:00Z"), &t); /* the clock jumps to 03:00 */
	assert_int_equal(t.hour, 3);
	assert_int_equal(t.dst, 1);
	paris_fields(iso("2026-12-31T23:30:00Z"), &t); /* already the new year in Paris */
	assert_int_equal(t.year, 2027);
	assert_int_equal(t.month, 1);
	assert_int_equal(t.day, 1);
	assert_int_equal(t.hour, 0);
}

static void test_local_to_utc(void **state)
{
	(void)state;
	assert_true(local("2026-03-28T21:00") == iso("2026-03-28T20:00:00Z"));
	assert_true(local("2026-03-29T07:00") == iso("2026-03-29T05:00:00Z"));
	/* the night of the change lasts 9 hours from 21:00 to 07:00 */
	assert_true(local("2026-03-29T07:00") - local("2026-03-28T21:00") == 9 * HOUR);
	/* 02:30 does not exist on 29 March: read in winter time, it is 03:30 summer time */
	assert_true(local("2026-03-29T02:30") == iso("2026-03-29T01:30:00Z"));
	/* 02:30 exists twice on 25 October: the first, in summer time */
	assert_true(local("2026-10-25T02:30") == iso("2026-10-25T00:30:00Z"));
	assert_true(local("2026-10-25 03:00:00") == iso("2026-10-25T02:00:00Z"));
	/* midnights, before and after the change */
	assert_true(paris_midnight(2026, 3, 29) == iso("2026-03-28T23:00:00Z"));
	assert_true(paris_midnight(2026, 3, 30) == iso("2026-03-29T22:00:00Z"));
	assert_true(paris_midnight(2026, 3, 30) - paris_midnight(2026, 3, 29) == 23 * HOUR);
}

static void test_refused(void **state)
{
	(void)state;
	long long ms;
	const char *bad[] = {"2026-02-29T10:00", "2026-13-01T10:00", "2026-03-29T24:00", "2026-03-29T10:60",
			     "2026-03-29", "2026-03-29T10:00Z", "2026-03-29T10:00:00.5", "26-03-29T10:00",
			     "2026-03-29X10:00", ""};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (paris_parse_local(bad[i], &ms) == 0)
			fail_msg("paris_parse_local accepted %s", bad[i]);
	int y, m, d;
	assert_int_equal(paris_parse_date("2028-02-29", &y, &m, &d), 0);
	assert_int_equal(paris_parse_date("2026-02-29", &y, &m, &d), -1);
	assert_int_equal(paris_parse_date("2026-4-01", &y, &m, &d), -1);
}

static void test_civil_days(void **state)
{
	(void)state;
	assert_int_equal(clock_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(clock_days_from_civil(2000, 3, 1), 11017);
	for (long long day = -1000; day < 200000; day += 37) {
		int y, m, d;
		clock_civil_from_days(day, &y, &m, &d);
		assert_int_equal(clock_days_from_civil(y, m, d), day);
	}
}

static void test_quiet_hours(void **state)
{
	(void)state;
	/* 21:00 to 08:00: the evening ends them the next morning, the small hours the same morning */
	assert_true(paris_quiet_end(local("2026-03-28T22:15"), 21, 8) == local("2026-03-29T08:00"));
	assert_true(paris_quiet_end(local("2026-03-29T03:30"), 21, 8) == local("2026-03-29T08:00"));
	assert_true(paris_quiet_end(local("2026-03-28T21:00"), 21, 8) == local("2026-03-29T08:00"));
	assert_true(paris_quiet_end(local("2026-03-28T20:59"), 21, 8) == 0);
	assert_true(paris_quiet_end(local("2026-03-29T08:00"), 21, 8) == 0);
	/* within one day, and none */
	assert_true(paris_quiet_end(local("2026-07-01T13:30"), 12, 14) == local("2026-07-01T14:00"));
	assert_true(paris_quiet_end(local("2026-07-01T13:30"), 0, 0) == 0);
	assert_true(paris_end_of_day(2026, 3, 28) == paris_midnight(2026, 3, 29));
	assert_true(paris_end_of_day(2026, 12, 31) == iso("2026-12-31T23:00:00Z"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offsets_around_the_changes), cmocka_unit_test(test_fields),
		cmocka_unit_test(test_local_to_utc), cmocka_unit_test(test_refused), cmocka_unit_test(test_civil_days),
		cmocka_unit_test(test_quiet_hours),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
