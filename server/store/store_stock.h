/* store_stock: stock levels per holder and item with their burn-rate state, the append-only
 * ledger explaining them, and stock reports. */
#ifndef RENFORT_STORE_STOCK_H
#define RENFORT_STORE_STOCK_H

#include "burn.h"
#include "forecast.h"
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
	/* the trend estimator (forecast.c): its samples, the rate path of the last evaluation, the fit's
	 * own growth and how much its samples say of it (for the pooled prior) */
	struct forecast_state samples;
	struct forecast_path path;
	double own_growth, sxx;
	long long consumed_since_count; /* consumption movements since the last count */
	long long stockout_low_at, stockout_high_at;
	long long due_at;      /* look again then without a new count; 0: no need */
	/* not stored: the projection at the last evaluation (estimated set when estimate is one) */
	int estimated;
	long long estimate;
	double growth;
	int confidence;        /* enum forecast_confidence */
	int from_fallback;
};

/* The packed form of the estimator's samples (a BLOB of store_stock.c's layout); 0, or -1 when the
 * bytes are not such a form (the samples are then none). */
#define FORECAST_PACKED_MAX (9 + FORECAST_HISTORY * 13)
size_t store_forecast_pack(const struct forecast_state *s, unsigned char out[FORECAST_PACKED_MAX]);
int store_forecast_unpack(const void *bytes, size_t n, struct forecast_state *s);

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

/* --- the forecast's own reads ------------------------------------------------------------------------- */

/* A structure's level with samples enough to say something of its growth, for the pooled prior. */
struct forecast_pool_row {
	const char *dep, *category;
	long long item;
	long long occupancy, staff;              /* 0 when not given */
	double per_worker, per_patient, per_bed; /* the item's catalogue rates, < 0 unknown */
	int fitted;
	double level, own_growth, sxx;
};
int store_forecast_pool_rows(struct store *st, int (*cb)(void *ctx, const struct forecast_pool_row *r), void *ctx);

/* The levels due for a look by `now` (due_at), earliest first, at most limit. */
struct level_key {
	enum holder_kind kind;
	long long holder, item;
};
int store_stock_due(struct store *st, long long now, int limit, struct level_key *out, int *n);

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
	/* what the forecast keeps (store_stock_get's meaning) */
	int burn_samples;
	struct forecast_path path;
	long long consumed_since_count;
	long long stockout_low_at, stockout_high_at;
};

#define LEVEL_SORT_DEP_ITEM 2

struct level_query {
	const char *holder_kind; /* or NULL */
	long long holder_id;     /* 0: any */
	const char *dep, *item, *category;
	const char *severity;    /* only levels with an open shortage alert of this severity or worse */
	int sort;                /* 0: holder then item; 1: cover ascending (unknown last); -1: descending;
				  * LEVEL_SORT_DEP_ITEM: département then item code (the cover roll-up's) */
	long long limit, offset; /* limit -1: all */
};

/* Levels the principal may see, with their holder and item. *total counts all matches. */
int store_level_list(struct store *st, const struct principal *p, const struct level_query *q,
		     int (*cb)(void *ctx, const struct level_view *v), void *ctx, long long *total);

#endif
