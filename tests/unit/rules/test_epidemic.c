/* The reading of the daily hospital figures (rules/epidemic.c): each bad file names its error, its
 * column and its line; a good one gives typed rows, a blank cell being no figure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
