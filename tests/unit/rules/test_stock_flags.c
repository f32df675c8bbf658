/* Unit tests of stock_flags.c, from tables: an overstock alert opens at the threshold when another
 * holder of the département is critical, stays open down to the threshold less the margin, and
 * closes below it or when nobody is critical any more or the cover is unknown; a declared receipt is
 * large above factor x the usual level, never under the minimum, and always (above the minimum)
 * for a holder that usually holds nothing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "stock_flags.h"

static void test_overstock(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		int open_now, known;
		double days;
		long long critical;
		int want;
	} cases[] = {
		{"closed, at the threshold, others critical: opens", 0, 1, 30, 1, 1},
		{"closed, just under the threshold: stays closed", 0, 1, 29.99, 2, 0},
		{"closed, far above, nobody critical: stays closed", 0, 1, 300, 0, 0},
		{"closed, cover unknown: stays closed", 0, 0, 0, 3, 0},
		{"open, under the threshold but within the margin: stays open", 1, 1, 29.5, 1, 1},
		{"open, exactly the threshold less the margin: stays open", 1, 1, 29, 1, 1},
		{"open, below the threshold less the margin: closes", 1, 1, 28.9, 1, 0},
		{"open, nobody critical any more: closes", 1, 1, 90, 0, 0},
		{"open, cover unknown now: closes", 1, 0, 0, 1, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (overstock_next(cases[i].open_now, cases[i].known, cases[i].days, cases[i].critical, 30, 1) != cases[i].want)
			fail_msg("%s", cases[i].name);
}

static void test_large_receipt(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		long long quantity, usual;
		int want;
	} cases[] = {
		{"100,000 from nowhere to a holder of 2,000: large", 100000, 2000, 1},
		{"three times the usual level: not yet", 6000, 2000, 0},
		{"a unit more than three times: large", 6001, 2000, 1},
		{"under the minimum: never", 99, 0, 0},
		{"the minimum, to a holder that holds nothing: large", 100, 0, 1},
		{"a usual restock: not large", 1500, 2000, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (receipt_is_large(cases[i].quantity, cases[i].usual, 3, 100) != cases[i].want)
			fail_msg("%s", cases[i].name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_overstock), cmocka_unit_test(test_large_receipt)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
