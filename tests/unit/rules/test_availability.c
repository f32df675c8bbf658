/* Unit tests of availability.c: the end of an unavailability as an SMS says it ("INDISPO 3",
 * "INDISPO 15/04", "INDISPO 2027-04-15", "INDISPO demain"), across midnight and the change to summer
 * time, and what the windows say about now. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "availability.h"
#include "paris_time.h"

static long long local(const char *s)
{
	long long ms = 0;
	if (paris_parse_local(s, &ms))
		fail_msg("bad local time %s", s);
	return ms;
}

static void expect_until(const char *text, const char *now, int rc, const char *until)
{
	long long got = 0;
	int r = availability_until(text, local(now), &got);
	if (r != rc)
		fail_msg("\"%s\" at %s: %d, expected %d", text, now, r, rc);
	if (rc == 1 && got != local(until))
		fail_msg("\"%s\" at %s: until %lld, expected %s (%lld)", text, now, got, until, local(until));
}

static void test_until(void **state)
{
	(void)state;
	/* a number of days: today and the next ones, to midnight; across the change of 29 March */
	expect_until("INDISPO 1", "2026-03-27T10:00", 1, "2026-03-28T00:00");
	expect_until("indispo 3", "2026-03-27T10:00", 1, "2026-03-30T00:00");
	expect_until("Indispo 3 jours", "2026-03-27T23:59", 1, "2026-03-30T00:00");
	expect_until("INDISPONIBLE pour 2 jours", "2026-03-28T22:00", 1, "2026-03-30T00:00");
	/* a date: through that day; past this year means next year's */
	expect_until("INDISPO 15/04", "2026-03-27T10:00", 1, "2026-04-16T00:00");
	expect_until("INDISPO jusqu'au 15/04", "2026-03-27T10:00", 1, "2026-04-16T00:00");
	expect_until("INDISPO 15/04", "2026-05-02T10:00", 1, "2027-04-16T00:00");
	expect_until("INDISPO 27/03", "2026-03-27T10:00", 1, "2026-03-28T00:00");
	expect_until("INDISPO 15/04/2026", "2026-03-27T10:00", 1, "2026-04-16T00:00");
	expect_until("INDISPO 15/04/26", "2026-03-27T10:00", 1, "2026-04-16T00:00");
	expect_until("INDISPO 2026-04-15", "2026-03-27T10:00", 1, "2026-04-16T00:00");
	expect_until("UNAVAILABLE until 2026-04-15", "2026-03-27T10:00", 1, "2026-04-16T00:00");
	expect_until("indispo demain", "2026-03-28T20:00", 1, "2026-03-30T00:00");
	/* nothing after the keyword */
	expect_until("INDISPO", "2026-03-27T10:00", 0, NULL);
	expect_until("INDISPO !", "2026-03-27T10:00", 0, NULL);
	/* not a date, or beyond a year */
	expect_until("INDISPO 0", "2026-03-27T10:00", -1, NULL);
	expect_until("INDISPO 366", "2026-03-27T10:00", -1, NULL);
	expect_until("INDISPO 31/02", "2026-03-27T10:00", -1, NULL);
	expect_until("INDISPO 15/04/2025", "2026-03-27T10:00", -1, NULL);
	expect_until("INDISPO 15/04/2028", "2026-03-27T10:00", -1, NULL);
	expect_until("INDISPO vacances", "2026-03-27T10:00", -1, NULL);
	expect_until("INDISPO 3 4 5 6", "2026-03-27T10:00", -1, NULL);
	expect_until("INDISPO demain 3", "2026-03-27T10:00", -1, NULL);
}

static void test_now(void **state)
{
	(void)state;
	long long now = local("2026-03-29T03:30");
	struct match_window off[] = {{local("2026-03-28T21:00"), local("2026-03-29T07:00"), 0}};
	struct match_window only[] = {{local("2026-03-30T07:00"), local("2026-03-30T19:00"), 0}};
	struct match_window shift[] = {{local("2026-03-29T02:00"), local("2026-03-29T09:00"), 1}};
	assert_string_equal(availability_now(NULL, 0, NULL, 0, NULL, 0, now), "available");
	assert_string_equal(availability_now(off, 1, NULL, 0, shift, 1, now), "unavailable");
	assert_string_equal(availability_now(NULL, 0, NULL, 0, shift, 1, now), "on_mission");
	/* available only on the 30th: not now */
	assert_string_equal(availability_now(NULL, 0, only, 1, NULL, 0, now), "unavailable");
	assert_string_equal(availability_now(NULL, 0, only, 1, NULL, 0, local("2026-03-30T08:00")), "available");
	/* once those windows are past, they say nothing any more */
	assert_string_equal(availability_now(NULL, 0, only, 1, NULL, 0, local("2026-03-31T08:00")), "available");
	/* an unavailability that ended at 07:00 */
	assert_string_equal(availability_now(off, 1, NULL, 0, NULL, 0, local("2026-03-29T07:00")), "available");
	struct match_window open[] = {{local("2026-03-28T21:00"), MATCH_FOREVER, 0}};
	assert_string_equal(availability_now(open, 1, NULL, 0, NULL, 0, local("2027-01-01T00:00")), "unavailable");
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_until), cmocka_unit_test(test_now)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
