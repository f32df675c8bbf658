/* store_history: reads of the past: a holder's ledger (its stock history), trends of reports and
 * active alerts per time bucket, for the principal's territory. */
#ifndef RENFORT_STORE_HISTORY_H
#define RENFORT_STORE_HISTORY_H

#include "store.h"
#include "store_stock.h"
#include "validate.h"

struct principal;

struct ledger_row {
	long long id, at;
	long long item_id;
	const char *item_code;
	const char *kind;    /* report, receipt, dispatch, consumption, adjustment */
	long long delta, quantity_after;
	long long actor;     /* token, 0 for renfortd */
	const char *actor_name;
	const char *cause_kind;
	long long cause_id;
};

/* The ledger of a holder (of one item when item > 0), oldest first, ids above after, at or after
 * since (ms), at most limit rows. */
int store_stock_history(struct store *st, enum holder_kind hk, long long holder, long long item, long long after,
			long long since, long long limit, int (*cb)(void *ctx, const struct ledger_row *r), void *ctx);

struct trend_bucket {
	long long t;         /* start of the bucket (ms) */
	long long reports;   /* stock reports received in it */
	long long active;    /* shortage alerts open at its end */
	long long critical;  /* of which critical or stock-out (by their severity now) */
};

/* n buckets of width ms from start, for dep (NULL: the principal's whole territory). */
int store_trends(struct store *st, const struct principal *p, const char *dep, long long start, long long width,
		 struct trend_bucket *out, int n);

#endif
