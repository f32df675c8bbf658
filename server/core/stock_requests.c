#include "stock_requests.h"

#include "allocation.h"
#include "app.h"
#include "auth.h"
#include "events.h"
#include "store.h"

#include <stdio.h>
#include <string.h>

int stock_request_create(struct app *app, const struct principal *who, const struct stock_request_new *in,
			 struct stock_request_row *out, struct rf_error *err)
{
	struct stock_holder_ref ref = {in->structure_id ? HOLDER_STRUCTURE : HOLDER_NONE, in->structure_id};
	struct holder_info h;
	struct item_info it;
	if (stock_holder_find(app, who, &ref, &h, err))
		return -1;
	if (h.kind != HOLDER_STRUCTURE)
		return rf_refuse(err, 404, "not_found", "structure_id", "no such structure");
	if (stock_item_find(app, &in->item, "item", &it, err))
		return -1;
	struct stock_request_row r;
	memset(&r, 0, sizeof r);
	r.structure_id = h.id;
	r.item_id = it.id;
	r.quantity = in->quantity;
	r.created_by = who->token_id;
	snprintf(r.reason, sizeof r.reason, "%s", in->reason);
	int rc = store_request_insert(app->store, &r);
	if (!rc)
		rc = store_request_get(app->store, &principal_system, r.id, out);
	if (!rc)
		rc = stock_request_need(app, out->structure_id, out->item_id, &out->need, &out->need_known);
	if (!rc && events_add_request(app, "opened", out))
		rc = STORE_ERROR;
	if (rc) {
		store_rf_error(app->store, rc, "request", err);
		return -1;
	}
	return 0;
}

int stock_request_cancel(struct app *app, const struct principal *who, long long id, const char *reason,
			 struct stock_request_row *out, struct rf_error *err)
{
	struct stock_request_row r;
	int rc = store_request_get(app->store, who, id, &r);
	if (rc == STORE_NOTFOUND)
		return rf_refuse(err, 404, "not_found", "id", "no such request");
	if (!rc && strcmp(r.status, "open") != 0) {
		char rule[96];
		snprintf(rule, sizeof rule, "is %s: only an open request can be cancelled", r.status);
		return rf_refuse(err, 409, "conflict", "status", rule);
	}
	if (!rc) {
		snprintf(r.status, sizeof r.status, "cancelled");
		r.closed_by = who->token_id;
		r.closed_at = store_now(app->store);
		snprintf(r.cancel_reason, sizeof r.cancel_reason, "%s", reason);
		rc = store_request_update(app->store, &r);
	}
	if (!rc)
		rc = store_request_get(app->store, &principal_system, id, out);
	if (!rc && events_add_request(app, "cancelled", out))
		rc = STORE_ERROR;
	if (rc) {
		store_rf_error(app->store, rc, "request", err);
		return -1;
	}
	return 0;
}

struct serve_ctx {
	struct app *app;
	const struct principal *who;
	long long allocation;
	int rc;
};

static int serve_one(void *ctx, const struct stock_request_row *row)
{
	struct serve_ctx *c = ctx;
	struct stock_request_row r = *row;
	snprintf(r.status, sizeof r.status, "served");
	r.allocation_id = c->allocation;
	r.closed_by = c->who->token_id;
	r.closed_at = store_now(c->app->store);
	if ((c->rc = store_request_update(c->app->store, &r)))
		return 1;
	r.updated_at = r.closed_at;
	if (events_add_request(c->app, "served", &r)) {
		c->rc = STORE_ERROR;
		return 1;
	}
	return 0;
}

int stock_requests_serve(struct app *app, const struct principal *who, long long structure, long long item,
			 long long allocation, long long before)
{
	struct serve_ctx c = {app, who, allocation, STORE_OK};
	int rc = store_requests_open(app->store, structure, item, before, serve_one, &c);
	return rc ? rc : c.rc;
}

int stock_request_need(struct app *app, long long structure, long long item, long long *need, int *known)
{
	struct stock_row r;
	long long incoming = 0;
	int rc = store_stock_get(app->store, HOLDER_STRUCTURE, structure, item, &r);
	*need = 0;
	*known = 0;
	if (rc == STORE_NOTFOUND)
		return STORE_OK; /* never counted: its consumption is not known */
	if (rc || (rc = store_allocation_incoming(app->store, structure, item, &incoming)))
		return rc;
	if (!(r.burn_per_day > 0))
		return STORE_OK;
	double s = alloc_stock_now(r.quantity, r.reported_at, r.burn_per_day, store_now(app->store)) + (double)incoming;
	*need = alloc_need(app->alloc.target_days, r.burn_per_day, s);
	*known = 1;
	return STORE_OK;
}
