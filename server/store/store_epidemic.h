/* store_epidemic: the daily hospital figures per département that coordinators import (016). */
#ifndef RENFORT_STORE_EPIDEMIC_H
#define RENFORT_STORE_EPIDEMIC_H

#include "epidemic.h"
#include "store.h"

/* Writes the row (figure -1: NULL), replacing that département's figures of that day. */
int store_epidemic_put(struct store *st, const struct epidemic_row *r, long long now);

/* The figures of dep (all départements when NULL), days from `from` to `to` (YYYY-MM-DD, NULL: no
 * bound), by département then day; line is 0. */
int store_epidemic_list(struct store *st, const char *dep, const char *from, const char *to,
			int (*cb)(void *ctx, const struct epidemic_row *r), void *ctx);
/* The figures of every département of the `days` days ending on `to` (YYYY-MM-DD, included), by
 * département then day: what the forecast reads of the epidemic. */
int store_epidemic_recent(struct store *st, const char *to, int days,
			  int (*cb)(void *ctx, const struct epidemic_row *r), void *ctx);

#endif
