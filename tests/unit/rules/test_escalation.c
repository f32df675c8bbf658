/* Unit tests of escalation.c, from a table: nothing before the delay, the département's officers
 * from the delay on, the region's from twice the delay; off when the delay is 0. The SMS cool-down:
 * within it only a higher level texts again. */
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

#define HOUR 3600000LL

static void test_sms_cooldown(void **state)
{
	(void)state;
	/* levels as shortage_level: 2 critical, 3 stock-out */
	static const struct {
		long long now;
		int level, last_level;
		long long last_at, cooldown;
		int want;
	} cases[] = {
		{10 * HOUR, 2, 0, 0, 24 * HOUR, 1},                    /* never texted */
		{10 * HOUR, 2, 2, 9 * HOUR, 24 * HOUR, 0},             /* critical again an hour later */
		{10 * HOUR, 3, 2, 9 * HOUR, 24 * HOUR, 1},             /* worse than what was sent */
		{10 * HOUR, 2, 3, 9 * HOUR, 24 * HOUR, 0},             /* less than what was sent */
		{33 * HOUR - 1, 2, 2, 9 * HOUR, 24 * HOUR, 0},         /* the last millisecond of it */
		{33 * HOUR, 2, 2, 9 * HOUR, 24 * HOUR, 1},             /* the cool-down is over */
		{10 * HOUR, 2, 2, 9 * HOUR, 0, 1},                     /* off */
		{5 * HOUR, 2, 2, 9 * HOUR, 24 * HOUR, 0},              /* a clock behind the last text */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (alert_sms_allowed(cases[i].now, cases[i].level, cases[i].last_level, cases[i].last_at,
				      cases[i].cooldown) != cases[i].want)
			fail_msg("case %zu: want %d", i, cases[i].want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_table), cmocka_unit_test(test_sms_cooldown)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
