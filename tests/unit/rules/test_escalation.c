/* Unit tests of escalation.c, from a table: nothing before the delay, the département's officers
 * from the delay on, the region's from twice the delay; off when the delay is 0. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "escalation.h"

#define MIN 60000LL

static void test_table(void **state)
{
	(void)state;
	static const struct {
		long long now, since, delay;
		int want;
	} cases[] = {
		{0, 0, 30 * MIN, 0},
		{30 * MIN - 1, 0, 30 * MIN, 0},
		{30 * MIN, 0, 30 * MIN, 1},
		{60 * MIN - 1, 0, 30 * MIN, 1},
		{60 * MIN, 0, 30 * MIN, 2},
		{600 * MIN, 0, 30 * MIN, 2},
		{600 * MIN, 0, 0, 0},            /* off */
		{10 * MIN, 20 * MIN, 1 * MIN, 0}, /* a clock behind the alert's time */
		{95 * MIN, 60 * MIN, 30 * MIN, 1}, /* critical again since 60: counted from then */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (escalation_level_due(cases[i].now, cases[i].since, cases[i].delay) != cases[i].want)
			fail_msg("case %zu: got %d, want %d", i,
				 escalation_level_due(cases[i].now, cases[i].since, cases[i].delay), cases[i].want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_table)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
