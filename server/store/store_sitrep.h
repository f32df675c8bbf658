/* store_sitrep: what the daily situation report and the reporting completeness read: shortages open
 * at an instant by département, item and severity, the alerts opened and resolved in a span, the
 * holders in stock-out, and who reported on a day. Always within the principal's territory, and of
 * one département when dep is not NULL. */
#ifndef RENFORT_STORE_SITREP_H
#define RENFORT_STORE_SITREP_H

#include "store.h"

struct principal;

struct shortage_count {
	const char *dep, *item_code, *item_name, *severity;
	long long count;
};
/* Shortage alerts open at `at` (opened before, not resolved by then), counted. The severity is
 * the alert's last one. */
int store_sitrep_shortages(struct store *st, const struct principal *p, const char *dep, long long at,
			   int (*cb)(void *ctx, const struct shortage_count *c), void *ctx);

/* Shortage alerts opened, and resolved, in [from, to); holders in stock-out at `at`. */
int store_sitrep_changes(struct store *st, const struct principal *p, const char *dep, long long from, long long to,
			 long long *opened, long long *resolved);
long long store_sitrep_stockout_holders(struct store *st, const struct principal *p, const char *dep, long long at,
					int *failed);

struct stockout_holder {
	const char *holder_kind, *name, *dep, *items; /* items: their names, "; " between */
	long long holder_id;
};
int store_sitrep_stockouts(struct store *st, const struct principal *p, const char *dep, long long at,
			   int (*cb)(void *ctx, const struct stockout_holder *h), void *ctx);

/* Active structures by département and category: how many, how many reported on the day
 * [day, day_end), how many only the day before (late), how many neither (silent). */
struct completeness_row {
	const char *dep, *category;
	long long structures, reported, late, silent;
};
int store_completeness(struct store *st, const struct principal *p, const char *dep, long long day, long long day_end,
		       int (*cb)(void *ctx, const struct completeness_row *r), void *ctx);

/* The structures that did not report on the day, to chase: late first, then silent, each by its
 * last count ever (last_report_at 0: never), at most limit. */
struct chase_row {
	long long id;
	const char *name, *dep, *category;
	int late;                /* reported the day before */
	long long last_report_at;
};
int store_completeness_chase(struct store *st, const struct principal *p, const char *dep, long long day,
			     long long day_end, long long limit, int (*cb)(void *ctx, const struct chase_row *r), void *ctx);

#endif
