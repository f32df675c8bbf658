/* stock_nearest: the coordinator's first question, "who has gloves within 30 km?". For an item and a
 * holder: the depots (stock less reserve less what approved allocations take) and the structures
 * with stock to spare (above surplus_days of their own use) that the principal reads, nearest first. */
#ifndef RENFORT_STOCK_NEAREST_H
#define RENFORT_STOCK_NEAREST_H

#include "error.h"
#include "stock.h"

struct app;
struct principal;

struct nearest_row {
	enum holder_kind kind;
	long long id;
	const char *name, *dep;
	const char *level;      /* a depot's level, NULL for a structure */
	const char *category;   /* a structure's category, NULL for a depot */
	double distance_km;
	long long quantity;     /* its level */
	long long available;    /* what it can give */
	int cover_known;        /* a structure's cover */
	double days_of_cover;
};

struct nearest_query {
	struct stock_holder_ref holder; /* the holder the stock is for */
	struct stock_item_ref item;
	double radius_km;               /* <= 0: any distance */
	long long limit;
};

/* cb gets the candidates nearest first, at most limit. from and it: the holder and item found.
 * 0, or -1 with err set (404 holder_id, 422 item). */
int stock_nearest(struct app *app, const struct principal *who, const struct nearest_query *q, struct holder_info *from,
		  struct item_info *it, int (*cb)(void *ctx, const struct nearest_row *r), void *ctx, struct rf_error *err);

#endif
