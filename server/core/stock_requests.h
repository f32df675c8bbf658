/* stock_requests: what a structure asks for (its own token, or a coordinator on its behalf): an item,
 * a quantity, a reason. Open until the receipt of an allocation answering it serves it, or someone
 * cancels it. The allocator counts a structure's open requests as its demand, capped by the need it
 * computes; the list shows that need beside each request. Run in the caller's transaction. */
#ifndef RENFORT_STOCK_REQUESTS_H
#define RENFORT_STOCK_REQUESTS_H

#include "error.h"
#include "stock.h"
#include "store_allocation.h"

struct app;
struct principal;

struct stock_request_new {
	long long structure_id; /* 0: the token's own structure */
	struct stock_item_ref item;
	long long quantity;
	const char *reason;
};

/* 0, or -1 with err set (404 structure_id outside scope, 422 item). Event allocation.request_opened. */
int stock_request_create(struct app *app, const struct principal *who, const struct stock_request_new *in,
			 struct stock_request_row *out, struct rf_error *err);
/* By the structure or a coordinator of its département: 404 outside, 409 when not open. */
int stock_request_cancel(struct app *app, const struct principal *who, long long id, const char *reason,
			 struct stock_request_row *out, struct rf_error *err);
/* An allocation was received: the structure's open requests for the item made at or before `before`
 * are served by it (events allocation.request_served). STORE_OK or a store failure. */
int stock_requests_serve(struct app *app, const struct principal *who, long long structure, long long item,
			 long long allocation, long long before);

/* The need of a structure for an item now, as the allocator computes it (target cover x burn rate
 * - stock now - what is on its way). *known is 0 when its consumption is unknown. */
int stock_request_need(struct app *app, long long structure, long long item, long long *need, int *known);

#endif
