/* epidemic_import: the import of the daily hospital figures per département (issue 14, part 3), as a use
 * case run in the caller's transaction: every row's département must exist and be within the
 * principal's territory (else 404, as if it did not exist), checked before anything is written;
 * then each département's day is written, replacing an earlier import of that day. The file's
 * reading (rules/epidemic.c) comes before. */
#ifndef RENFORT_EPIDEMIC_IMPORT_H
#define RENFORT_EPIDEMIC_IMPORT_H

#include <stddef.h>

#include "epidemic.h"
#include "error.h"

struct app;
struct principal;

struct epidemic_import_result {
	long long imported;       /* rows written */
	long long departements;   /* distinct départements */
	char first_day[11], last_day[11];
};

int epidemic_import(struct app *app, const struct principal *who, const struct epidemic_row *rows, size_t n,
		    long long now, struct epidemic_import_result *out, struct rf_error *err);

#endif
