/* Unit tests of disclosure.c: small counts of people are put together, then withheld. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "disclosure.h"

static struct stat_cell cell(const char *dep, const char *profession, const char *availability, const char *gender,
			     long long count)
{
	struct stat_cell c;
	memset(&c, 0, sizeof c);
	snprintf(c.dep, sizeof c.dep, "%s", dep);
	snprintf(c.profession, sizeof c.profession, "%s", profession);
	snprintf(c.availability, sizeof c.availability, "%s", availability);
	snprintf(c.gender, sizeof c.gender, "%s", gender);
	c.count = count;
	return c;
}

static void expect(const struct stat_cell *c, const char *dep, const char *profession, const char *availability,
		   const char *gender, long long count, int suppressed)
{
	assert_string_equal(c->dep, dep);
	assert_string_equal(c->profession, profession);
	assert_string_equal(c->availability, availability);
	assert_string_equal(c->gender, gender);
	assert_int_equal(c->count, count);
	assert_int_equal(c->suppressed, suppressed);
}

static void test_protect(void **state)
{
	(void)state;
	struct stat_cell t[] = {
		/* every gender large enough: as it is */
		cell("81", "nurse", "available", "", 5),
		cell("81", "nurse", "available", "female", 7),
		cell("81", "nurse", "available", "male", 6),
		/* one man among nine: the split goes, the group of nine stays */
		cell("81", "nurse", "unavailable", "female", 8),
		cell("81", "nurse", "unavailable", "male", 1),
		/* the one midwife of Lozère: withheld */
		cell("48", "midwife", "available", "male", 1),
		/* two and two: together still four, withheld */
		cell("48", "nurse", "available", "", 2),
		cell("48", "nurse", "available", "female", 2),
		/* a group of one gender, large enough */
		cell("48", "nurse", "on_mission", "female", 12),
	};
	size_t n = disclosure_protect(t, sizeof t / sizeof t[0], 5);
	assert_int_equal(n, 7);
	expect(&t[0], "81", "nurse", "available", "", 5, 0);
	expect(&t[1], "81", "nurse", "available", "female", 7, 0);
	expect(&t[2], "81", "nurse", "available", "male", 6, 0);
	expect(&t[3], "81", "nurse", "unavailable", DISCLOSURE_ALL_GENDERS, 9, 0);
	expect(&t[4], "48", "midwife", "available", DISCLOSURE_ALL_GENDERS, 0, 1);
	expect(&t[5], "48", "nurse", "available", DISCLOSURE_ALL_GENDERS, 0, 1);
	expect(&t[6], "48", "nurse", "on_mission", "female", 12, 0);
	/* no cell given is a sum of others: each (dep, profession, availability) appears once with "*",
	 * or only with its genders */
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++)
			if (i != j && strcmp(t[i].gender, DISCLOSURE_ALL_GENDERS) == 0)
				assert_false(strcmp(t[i].dep, t[j].dep) == 0 && strcmp(t[i].profession, t[j].profession) == 0 &&
					     strcmp(t[i].availability, t[j].availability) == 0);
}

static void test_threshold_one_is_exact(void **state)
{
	(void)state;
	struct stat_cell t[] = {cell("81", "nurse", "available", "male", 1), cell("81", "nurse", "available", "female", 2)};
	assert_int_equal(disclosure_protect(t, 2, 1), 2);
	expect(&t[0], "81", "nurse", "available", "male", 1, 0);
	expect(&t[1], "81", "nurse", "available", "female", 2, 0);
	assert_int_equal(disclosure_protect(t, 0, 5), 0);
}

static void test_boundary(void **state)
{
	(void)state;
	struct stat_cell t[] = {cell("31", "driver", "available", "", 4), cell("31", "driver", "available", "male", 1)};
	/* 4 + 1 = 5: the group is given, without its split */
	assert_int_equal(disclosure_protect(t, 2, 5), 1);
	expect(&t[0], "31", "driver", "available", DISCLOSURE_ALL_GENDERS, 5, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_protect),
		cmocka_unit_test(test_threshold_one_is_exact),
		cmocka_unit_test(test_boundary),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
