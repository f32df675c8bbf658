/* store_stock: stock levels per holder and item with their burn-rate state, the append-only
 * ledger explaining them, and stock reports. */
#ifndef RENFORT_STORE_STOCK_H
#define RENFORT_STORE_STOCK_H

#include "burn.h"
#include "store.h"
#include "validate.h"

struct principal;

enum holder_kind {
	HOLDER_STRUCTURE,
	HOLDER_DEPOT,
	HOLDER_NONE,    /* alerts about no holder (SMS) */
	HOLDER_TRANSIT, /* stock on its way, in the ledger only: holder_id is the allocation */
};

const char *holder_kind_name(enum holder_kind k);
int holder_kind_parse(const char *name); /* -1 when unknown ("transit" is no holder a request names) */

/* A structure or depot as the stock code needs it. */
struct holder_info {
	enum holder_kind kind;
	long long id;
	char dep[4];
	char name[UTF8_BYTES(200)];
	char category[32];          /* "depot" for depots */
	long long occupancy, staff; /* -1 when unknown */
	char commune[8];            /* where it is, for alerts shown on a map */
	double lat, lng;
};

/* The holder, if the principal may write its stock (a coordinator of its département, the holder's
 * own token, an admin); STORE_NOTFOUND otherwise. */
int store_holder_get(struct store *st, const struct principal *p, enum holder_kind kind, long long id,
		     struct holder_info *out);

struct stock_row {
	enum holder_kind kind;
	long long holder_id, item_id;
	long long quantity;
	long long reported_at; /* last count, ms; 0 when never counted */
	long long updated_at;
	struct burn_state burn;
	double burn_per_day;   /* the rate in use (history or catalogue), 0 unknown */
	int cover_known;
	double days_of_cover;
	long long stockout_at;
	int stored;            /* read from the table by store_stock_get (0 for a row made by hand) */
};

/* STORE_NOTFOUND when the holder never had this item. */
int store_stock_get(struct store *st, enum holder_kind kind, long long holder, long long item, struct stock_row *out);
/* Writes the row: an UPDATE when it was read from the table, else an insert (or an update, should
 * it be there after all). */
int store_stock_put(struct store *st, const struct stock_row *r);
/* One row of the ledger: what moved a level, by whom, why. */
struct ledger_entry {
	enum holder_kind kind;
	long long holder, item;
	const char *ledger_kind;    /* report, receipt, dispatch, consumption, adjustment */
	long long delta, quantity_after;
	long long actor;            /* the token, 0 for renfortd itself */
	const char *idem_key;
	long long report_id;        /* the report of a count, 0 otherwise */
	const char *cause_kind;     /* what caused a movement ("allocation"...), NULL: a declaration */
	long long cause_id;
	const char *origin;         /* a declared receipt's: purchase, donation, other; NULL otherwise */
};
int store_ledger_append(struct store *st, const struct ledger_entry *e);
int store_report_insert(struct store *st, enum holder_kind kind, long long holder, int items, long long occupancy,
			long long staff, long long actor, const char *idem_key, long long *id);

/* Sets the level to quantity and appends a ledger row of this kind with the difference (used where
 * no estimate is kept: the demo's initial stock). *before: the previous level or -1. */
int store_stock_set(struct store *st, enum holder_kind kind, long long holder, long long item, long long quantity,
		    const char *ledger_kind, long long actor, const char *idem_key, long long *before);

struct item_info {
	long long id;
	char code[UTF8_BYTES(64)];
	char name[UTF8_BYTES(200)];
	char unit[UTF8_BYTES(40)];
	double per_worker, per_patient, per_bed; /* < 0: unknown */
};
/* By code (when code is not NULL) or by id. */
int store_item_find(struct store *st, const char *code, long long id, struct item_info *out);
int store_item_id(struct store *st, const char *code, long long *id);

/* Every structure's id, occupancy and staff (0 when not given), in id order. */
int store_structure_headcounts(struct store *st, int (*cb)(void *ctx, long long id, long long occupancy, long long staff),
			       void *ctx);
long long store_structure_count(struct store *st);

/* --- reading levels for people ------------------------------------------------------------------- */

struct level_view {
	const char *holder_kind;
	long long holder_id;
	const char *holder_name, *dep, *category; /* category NULL for depots */
	const char *item_code, *item_name, *unit;
	long long quantity;
	long long reported_at;
	double burn_per_day;
	int cover_known;
	double days_of_cover;
	long long stockout_at;
	const char *alert_severity; /* of the open shortage alert, or NULL */
};

struct level_query {
	const char *holder_kind; /* or NULL */
	long long holder_id;     /* 0: any */
	const char *dep, *item, *category;
	const char *severity;    /* only levels with an open shortage alert of this severity or worse */
	int sort;                /* 0: holder then item; 1: cover ascending (unknown last); -1: descending */
	long long limit, offset;
};

/* Levels the principal may see, with their holder and item. *total counts all matches. */
int store_level_list(struct store *st, const struct principal *p, const struct level_query *q,
		     int (*cb)(void *ctx, const struct level_view *v), void *ctx, long long *total);

struct cover_view {
	const char *dep;       /* NULL for the region line */
	const char *item_code, *item_name, *unit;
	long long holders;     /* holders reporting this item */
	long long quantity;
	long long rated_holders, rated_quantity; /* those with a known burn rate, and their stock */
	double burn_per_day;   /* sum over holders with a known rate */
	long long warning, critical, stockout; /* holders with an open shortage alert of that severity */
	int worst_known;       /* some holder's cover is known (an empty shelf's is 0) */
	double worst_days;     /* the least days of cover of one holder: an aggregate hides it */
};

/* Totals per département and item (and the region, when the principal sees it all), structures
 * only; depots are the shared stock, counted apart. */
int store_cover_rollup(struct store *st, const struct principal *p, const char *dep, const char *item,
		       const char *category, int (*cb)(void *ctx, const struct cover_view *v), void *ctx);

#endif
