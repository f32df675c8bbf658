/* The reading of the daily hospital figures (rules/epidemic.c): each bad file names its error, its
 * column and its line; a good one gives typed rows, a blank cell being no figure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <math.h>

#include "epidemic.h"

#define H "date,departement_code,departement_name,hospitalised,intensive_care,discharged,deaths\n"
#define OK "2020-03-20,81,Tarn,5,1,0,0\n"

static const struct {
	const char *text;
	int status;
	const char *code, *field;
	long line;
} refused[] = {
	{"", 400, "invalid_csv", "body", 0},
	{H, 422, "invalid_csv", "body", 1},
	{"date,departement_code,cases\n", 422, "unknown_column", "cases", 1},
	{"date,date,departement_code,deaths\n", 422, "invalid_csv", "date", 1},
	{"departement_code,deaths\n81,0\n", 422, "invalid_csv", "date", 1},
	{"date,deaths\n2020-03-20,0\n", 422, "invalid_csv", "departement_code", 1},
	{"date,departement_code\n2020-03-20,81\n", 422, "invalid_csv", "body", 1},
	{H OK "2020-03-21,81,Tarn,5\n", 422, "invalid_csv", "body", 3},
	{H OK "2020-3-21,81,Tarn,5,1,0,0\n", 422, "invalid", "date", 3},
	{H OK "2021-02-29,81,Tarn,5,1,0,0\n", 422, "invalid", "date", 3},
	{H OK "2020-13-01,81,Tarn,5,1,0,0\n", 422, "invalid", "date", 3},
	{H OK "2020-03-21,8,Tarn,5,1,0,0\n", 422, "invalid", "departement_code", 3},
	{H OK "2020-03-21,81,Tarn,+5,1,0,0\n", 422, "invalid", "hospitalised", 3},
	{H OK "2020-03-21,81,Tarn,5,1,10000001,0\n", 422, "invalid", "discharged", 3},
	{H OK "2020-03-22,34,Hérault,1,1,1,1\n" OK, 422, "invalid_csv", "date", 4},
	{H OK "2020-03-21,81,\"Tarn,5,1,0,0\n", 422, "invalid_csv", "body", 3},
};

static void test_refused(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		struct epidemic_row *rows = (struct epidemic_row *)1;
		size_t n = 7;
		struct rf_error err;
		memset(&err, 0, sizeof err);
		int rc = epidemic_csv_read(refused[i].text, strlen(refused[i].text), &rows, &n, &err);
		if (rc != -1 || rows || n || err.status != refused[i].status || strcmp(err.code, refused[i].code) ||
		    strcmp(err.field, refused[i].field) || err.line != refused[i].line || !err.rule[0])
			fail_msg("case %zu: rc %d, %d %s %s line %ld (%s), expected %d %s %s line %ld", i, rc, err.status,
				 err.code, err.field, err.line, err.rule, refused[i].status, refused[i].code, refused[i].field,
				 refused[i].line);
	}
}

static void test_read(void **state)
{
	(void)state;
	/* columns in any order, some absent, a byte order mark and CRLF as spreadsheets write them */
	static const char text[] = "\xEF\xBB\xBF"
				   "deaths,departement_code,date,hospitalised\r\n"
				   ",2A,2020-02-29,12\r\n"
				   "3,81,2020-03-31,\r\n";
	struct epidemic_row *rows;
	size_t n;
	struct rf_error err;
	assert_int_equal(epidemic_csv_read(text, strlen(text), &rows, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].day, "2020-02-29");
	assert_string_equal(rows[0].dep, "2A");
	assert_int_equal(rows[0].figure[EPI_HOSPITALISED], 12);
	assert_int_equal(rows[0].figure[EPI_DEATHS], -1);
	assert_int_equal(rows[0].figure[EPI_INTENSIVE_CARE], -1); /* no such column */
	assert_int_equal(rows[0].line, 2);
	assert_string_equal(rows[1].dep, "81");
	assert_int_equal(rows[1].figure[EPI_HOSPITALISED], -1);
	assert_int_equal(rows[1].figure[EPI_DEATHS], 3);
	free(rows);
	assert_string_equal(epidemic_figure_name(EPI_INTENSIVE_CARE), "intensive_care");
}

/* 2026-12-02T10:00:00Z, 11:00 in Paris; and 2026-12-01T23:30Z, already the 2nd in Paris */
#define NOON_2ND 1796205600000LL
#define PARIS_2ND 1796167800000LL
#define UTC_1ST (PARIS_2ND - 3600000LL)

#define P(d, h) {d, h}
static const struct {
	const char *what;
	long long now;
	struct {
		const char *day;
		long long h;
	} fig[12];
	enum epidemic_signal want;
	double growth;
} growths[] = {
	{"doubling each day, ending 3 days before today", NOON_2ND,
	 {P("2026-11-23", 10), P("2026-11-24", 20), P("2026-11-25", 40), P("2026-11-26", 80), P("2026-11-27", 160),
	  P("2026-11-28", 320), P("2026-11-29", 640)},
	 EPI_SIGNAL, 0.69314718055994531},
	{"halving each day, in any order", NOON_2ND,
	 {P("2026-12-01", 10), P("2026-11-29", 40), P("2026-11-30", 20), P("2026-11-28", 80)}, EPI_SIGNAL,
	 -0.69314718055994531},
	{"a plateau", NOON_2ND, {P("2026-11-30", 50), P("2026-11-28", 50), P("2026-12-02", 50)}, EPI_SIGNAL, 0},
	{"only the 7 days ending at the last figure, none after today", NOON_2ND,
	 {P("2026-11-20", 9000), P("2026-11-22", 1), P("2026-11-23", 10), P("2026-11-25", 40), P("2026-11-29", 640),
	  P("2026-12-03", 1), P("2026-12-09", 5)},
	 EPI_SIGNAL, 0.69314718055994531},
	{"a day without a hospitalised figure is no point", NOON_2ND,
	 {P("2026-11-28", 10), P("2026-11-29", -1), P("2026-11-30", 40), P("2026-12-01", 80)}, EPI_SIGNAL,
	 0.69314718055994531},
	{"nothing", NOON_2ND, {{NULL, 0}}, EPI_TOO_FEW, 0},
	{"two figures", NOON_2ND, {P("2026-11-30", 10), P("2026-12-01", 20)}, EPI_TOO_FEW, 0},
	{"zeros are no points", NOON_2ND,
	 {P("2026-11-27", 0), P("2026-11-28", 0), P("2026-11-29", 0), P("2026-11-30", 5), P("2026-12-01", 10)},
	 EPI_TOO_FEW, 0},
	{"only zeros", NOON_2ND, {P("2026-11-29", 0), P("2026-11-30", 0), P("2026-12-01", 0)}, EPI_TOO_FEW, 0},
	{"three figures, the window's first out of it", NOON_2ND,
	 {P("2026-11-23", 10), P("2026-11-29", 20), P("2026-11-30", 40)}, EPI_TOO_FEW, 0},
	{"ending 4 days before today: stale", NOON_2ND,
	 {P("2026-11-25", 10), P("2026-11-26", 20), P("2026-11-27", 40), P("2026-11-28", 80)}, EPI_STALE, 0},
	{"stale weeks ago, a blank figure since", NOON_2ND,
	 {P("2026-11-01", 10), P("2026-11-02", 20), P("2026-11-03", 40), P("2026-12-01", -1)}, EPI_STALE, 0},
	{"today is Paris's date: the 2nd at 00:30", PARIS_2ND,
	 {P("2026-11-26", 10), P("2026-11-27", 20), P("2026-11-28", 40)}, EPI_STALE, 0},
	{"the same figures, still the 1st at 23:30 in Paris", UTC_1ST,
	 {P("2026-11-26", 10), P("2026-11-27", 20), P("2026-11-28", 40)}, EPI_SIGNAL, 0.69314718055994531},
};

static void test_growth(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof growths / sizeof growths[0]; i++) {
		struct epidemic_row rows[12];
		size_t n = 0;
		for (; n < 12 && growths[i].fig[n].day; n++) {
			memset(&rows[n], 0, sizeof rows[n]);
			strcpy(rows[n].day, growths[i].fig[n].day);
			strcpy(rows[n].dep, "81");
			rows[n].figure[EPI_HOSPITALISED] = growths[i].fig[n].h;
			rows[n].figure[EPI_DEATHS] = 7; /* another figure says nothing of growth */
		}
		double g = 12345;
		enum epidemic_signal got = epidemic_growth(rows, n, growths[i].now, &g);
		if (got != growths[i].want || (got == EPI_SIGNAL && fabs(g - growths[i].growth) > 1e-12) ||
		    (got != EPI_SIGNAL && g != 12345))
			fail_msg("%s: signal %d growth %.15g, expected %d %.15g", growths[i].what, (int)got, g,
				 (int)growths[i].want, growths[i].growth);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_growth),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
