/* store_ledger: the stock ledger as people read it (the CSV export): every movement of the holders
 * and of the stock on its way that the principal may read. Written by store_stock.c. */
#ifndef RENFORT_STORE_LEDGER_H
#define RENFORT_STORE_LEDGER_H

#include "store.h"

struct principal;

struct ledger_view {
	long long id, at;
	const char *holder_kind; /* structure, depot, transit (holder_id: the allocation) */
	long long holder_id;
	const char *holder_name, *dep; /* for stock on its way: the receiving structure's */
	const char *item_code, *kind;
	long long delta, quantity_after;
	const char *cause_kind;  /* "" when none */
	long long cause_id;
	const char *origin;      /* "" when none */
	long long report_id;
};

struct ledger_query {
	const char *holder_kind, *item, *cause_kind, *dep;
	long long holder_id, cause_id;
	long long since, until; /* ms, 0: open */
	long long after, limit;
};

/* Rows in id order: a structure's or depot's the principal reads (coordinators: their
 * départements' and the regional depots; a structure or depot token its own), and the stock on its
 * way to or from them. */
int store_ledger_list(struct store *st, const struct principal *p, const struct ledger_query *q,
		      int (*cb)(void *ctx, const struct ledger_view *v), void *ctx);

#endif
