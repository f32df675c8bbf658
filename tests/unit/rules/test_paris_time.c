/* Unit tests of paris_time.c: Paris midnights across the changes of 2026 (29 March, 25 October),
 * dates of instants around midnight, and dates that are no day. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "paris_time.h"

#define H 3600000LL

static void test_midnights(void **state)
{
	(void)state;
	/* 2026-01-15 00:00 CET = 2026-01-14T23:00Z = 1768431600000 */
	assert_int_equal(paris_midnight(2026, 1, 15), 1768431600000LL);
	/* 2026-07-14 00:00 CEST = 2026-07-13T22:00Z */
	assert_int_equal(paris_midnight(2026, 7, 14), 1783980000000LL);
	/* the day of the change to summer time starts at 23:00Z, the next one at 22:00Z */
	assert_int_equal(paris_midnight(2026, 3, 30) - paris_midnight(2026, 3, 29), 23 * H);
	/* and back: a day of 25 hours */
	assert_int_equal(paris_midnight(2026, 10, 26) - paris_midnight(2026, 10, 25), 25 * H);
	assert_int_equal(paris_midnight(2026, 12, 2) - paris_midnight(2026, 12, 1), 24 * H);
}

static void test_dates(void **state)
{
	(void)state;
	char d[11];
	/* 2026-12-01T23:30Z is already the 2nd in Paris */
	paris_date_of(paris_midnight(2026, 12, 2) + H / 2, d);
	assert_string_equal(d, "2026-12-02");
	paris_date_of(paris_midnight(2026, 12, 2) - 1, d);
	assert_string_equal(d, "2026-12-01");
	paris_date_of(paris_midnight(2026, 7, 14), d);
	assert_string_equal(d, "2026-07-14");
	int y, m, dd;
	assert_int_equal(paris_date_parse("2026-12-02", &y, &m, &dd), 0);
	assert_true(y == 2026 && m == 12 && dd == 2);
	assert_int_equal(paris_date_parse("2028-02-29", &y, &m, &dd), 0);
	assert_int_equal(paris_date_parse("2026-02-29", &y, &m, &dd), -1);
	assert_int_equal(paris_date_parse("2026-13-01", &y, &m, &dd), -1);
	assert_int_equal(paris_date_parse("2026-1-01", &y, &m, &dd), -1);
	assert_int_equal(paris_date_parse("20261201", &y, &m, &dd), -1);
	assert_int_equal(paris_date_parse("1999-12-31", &y, &m, &dd), -1);
	assert_int_equal(paris_date_parse(NULL, &y, &m, &dd), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_midnights), cmocka_unit_test(test_dates)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
