/* Unit tests of plausibility.c, from a table: a count far from the holder's history (10x the last
 * level, or a tenth of what consumption leaves) asks for confirmation; no history, a zero count,
 * small levels (under the floor) and the rule switched off never do. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "plausibility.h"

#define D 86400000LL

static const struct {
	const char *name;
	long long factor, floor;
	int history;
	long long level;
	double projected;
	long long count;
	enum plausibility want;
} cases[] = {
	{"the issue's 46,800 for 468", 10, 10, 1, 468, 468, 46800, IMPLAUSIBLE_HIGH},
	{"468 for 468", 10, 10, 1, 468, 468, 468, PLAUSIBLE},
	{"exactly 10x is still believed", 10, 10, 1, 468, 468, 4680, PLAUSIBLE},
	{"one more than 10x", 10, 10, 1, 468, 468, 4681, IMPLAUSIBLE_HIGH},
	{"two zeros dropped: 4 for 468", 10, 10, 1, 468, 468, 4, IMPLAUSIBLE_LOW},
	{"a tenth of what is left is believed", 10, 10, 1, 468, 400, 40, PLAUSIBLE},
	{"below a tenth of what is left", 10, 10, 1, 468, 400, 39, IMPLAUSIBLE_LOW},
	{"zero is an empty shelf, always believed", 10, 10, 1, 468, 468, 0, PLAUSIBLE},
	{"no history: anything goes", 10, 10, 0, 0, 0, 1000000, PLAUSIBLE},
	{"a level of 0 counts as the floor", 10, 10, 1, 0, 0, 100, PLAUSIBLE},
	{"a level of 0, then 101", 10, 10, 1, 0, 0, 101, IMPLAUSIBLE_HIGH},
	{"a small level: 3 then 40", 10, 10, 1, 3, 3, 40, PLAUSIBLE},
	{"consumption left less than the floor: low side silent", 10, 10, 1, 50, 9, 1, PLAUSIBLE},
	{"off (factor 0)", 0, 10, 1, 468, 468, 46800, PLAUSIBLE},
	{"off (factor 1)", 1, 10, 1, 468, 468, 46800, PLAUSIBLE},
	{"a factor of 100", 100, 10, 1, 468, 468, 46800, PLAUSIBLE},
	{"a factor of 100, 1000x", 100, 10, 1, 468, 468, 468000, IMPLAUSIBLE_HIGH},
};

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct plausibility_params p = {cases[i].factor, cases[i].floor};
		enum plausibility got = plausibility_check(&p, cases[i].history, cases[i].level, cases[i].projected,
							   cases[i].count);
		if (got != cases[i].want)
			fail_msg("%s: got %d, want %d", cases[i].name, (int)got, (int)cases[i].want);
	}
}

static void test_projected(void **state)
{
	(void)state;
	/* 100 a day for a day and a half */
	assert_true(plausibility_projected(1000, 100, 0, D + D / 2) == 850);
	/* never below zero */
	assert_true(plausibility_projected(100, 100, 0, 5 * D) == 0);
	/* an unknown rate, or a clock behind the level's time, keeps the level */
	assert_true(plausibility_projected(468, 0, 0, 5 * D) == 468);
	assert_true(plausibility_projected(468, 10, 5 * D, 0) == 468);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_projected),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
