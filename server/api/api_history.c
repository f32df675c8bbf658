/* api_history: the past, read back: a holder's stock history from the ledger, and the trends of
 * reports and active alerts of the region or a département, per hour or day. */
#include "api_alert.h"
#include "api_handlers.h"
#include "app.h"
#include "clock.h"
#include "stock.h"
#include "store_history.h"

#include <stdio.h>
#include <string.h>

#define HOUR_MS 3600000LL
#define TREND_BUCKETS_MAX 400

struct history_ctx {
	cJSON *items;
	long long last, n;
};

static int add_row(void *ctx, const struct ledger_row *r)
{
	struct history_ctx *c = ctx;
	char iso[32];
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)r->id);
	cJSON_AddStringToObject(o, "at", clock_format_iso(r->at, iso));
	cJSON_AddStringToObject(o, "item", r->item_code ? r->item_code : "");
	cJSON_AddStringToObject(o, "kind", r->kind ? r->kind : "");
	cJSON_AddNumberToObject(o, "delta", (double)r->delta);
	cJSON_AddNumberToObject(o, "quantity", (double)r->quantity_after);
	cJSON_AddItemToObject(o, "by", person_json(r->actor, r->actor_name));
	if (r->cause_kind) {
		cJSON *cause = cJSON_AddObjectToObject(o, "cause");
		cJSON_AddStringToObject(cause, "kind", r->cause_kind);
		cJSON_AddNumberToObject(cause, "id", (double)r->cause_id);
	} else
		cJSON_AddNullToObject(o, "cause");
	cJSON_AddItemToArray(c->items, o);
	c->last = r->id;
	c->n++;
	return 0;
}

int op_stock_history(struct app *app, struct op_request *req, struct op_response *res)
{
	static const char *const names[] = {"holder_kind", "holder_id", "item", "days", "after", "limit", NULL};
	if (api_only_params(req, res, names, "is not a filter of a stock history (holder_kind, holder_id, item, days, "
					  "after, limit)"))
		return -1;
	char t[2][80];
	const char *kind = api_param(req, "holder_kind", t[0], sizeof t[0]);
	const char *item = api_param(req, "item", t[1], sizeof t[1]);
	struct stock_holder_ref ref = {HOLDER_NONE, 0};
	long long days = 14, after = 0, limit = app->cfg.page_size_max;
	if (kind) {
		int k = holder_kind_parse(kind);
		if (k < 0 || k == HOLDER_NONE)
			return api_fail(res, 422, "invalid", "holder_kind", "must be structure or depot");
		ref.kind = (enum holder_kind)k;
		if (!api_param(req, "holder_id", t[0], sizeof t[0]))
			return api_fail(res, 422, "required", "holder_id", "is required with holder_kind");
	}
	if (api_param_int(req, "holder_id", 1, INT_EXACT_MAX, &ref.id, NULL, res) ||
	    api_param_int(req, "days", 1, app->cfg.history_days, &days, NULL, res) ||
	    api_param_int(req, "after", 0, INT_EXACT_MAX, &after, "must be the \"next\" value of the previous page", res) ||
	    api_param_limit(app, req, &limit, res))
		return -1;
	if (ref.id && ref.kind == HOLDER_NONE)
		return api_fail(res, 422, "required", "holder_kind", "is required with holder_id");
	struct rf_error err;
	struct holder_info h;
	struct item_info it = {0};
	struct stock_item_ref iref = {item, 0};
	if (stock_holder_find(app, &req->who, &ref, &h, &err) ||
	    (item && stock_item_find(app, &iref, "item", &it, &err))) {
		res->status = err.status;
		res->err = err;
		return -1;
	}
	struct history_ctx c = {cJSON_CreateArray(), 0, 0};
	int rc = store_stock_history(app->store, h.kind, h.id, it.id, after, req->now - days * 24 * HOUR_MS, limit, add_row,
				   &c);
	if (rc) {
		cJSON_Delete(c.items);
		return api_fail_store(app, res, rc, "history");
	}
	res->data = cJSON_CreateObject();
	cJSON_AddStringToObject(res->data, "holder_kind", holder_kind_name(h.kind));
	cJSON_AddNumberToObject(res->data, "holder_id", (double)h.id);
	cJSON_AddStringToObject(res->data, "holder_name", h.name);
	cJSON_AddItemToObject(res->data, "items", c.items);
	api_add_next(res->data, c.n, limit, c.last);
	return 0;
}

int op_stock_trends(struct app *app, struct op_request *req, struct op_response *res)
{
	static const char *const names[] = {"dep", "hours", "bucket", NULL};
	if (api_only_params(req, res, names, "is not a parameter of trends (dep, hours, bucket)"))
		return -1;
	char t[2][16];
	const char *dep = api_param(req, "dep", t[0], sizeof t[0]);
	const char *bucket = api_param(req, "bucket", t[1], sizeof t[1]);
	long long hours = 24;
	if (dep && strlen(dep) != 2)
		return api_fail(res, 422, "invalid", "dep", "must be a département code like 81");
	/* another territory's département counts nothing: as one where nothing happened */
	if (api_param_int(req, "hours", 1, app->cfg.history_days * 24, &hours, NULL, res))
		return -1;
	long long width = HOUR_MS;
	if (bucket && strcmp(bucket, "day") == 0)
		width = 24 * HOUR_MS;
	else if (bucket && strcmp(bucket, "hour") != 0)
		return api_fail(res, 422, "invalid", "bucket", "must be hour or day");
	long long n = (hours * HOUR_MS + width - 1) / width;
	if (n > TREND_BUCKETS_MAX)
		return api_fail(res, 422, "invalid", "hours", "is too many buckets: at most 400 (use bucket=day)");
	/* buckets end with the current one */
	long long start = (req->now / width + 1 - n) * width;
	struct trend_bucket b[TREND_BUCKETS_MAX];
	int rc = store_trends(app->store, &req->who, dep, start, width, b, (int)n);
	if (rc)
		return api_fail_store(app, res, rc, "trends");
	res->data = cJSON_CreateObject();
	if (dep)
		cJSON_AddStringToObject(res->data, "dep", dep);
	else
		cJSON_AddNullToObject(res->data, "dep");
	cJSON_AddStringToObject(res->data, "bucket", width == HOUR_MS ? "hour" : "day");
	cJSON *items = cJSON_AddArrayToObject(res->data, "items");
	for (long long i = 0; i < n; i++) {
		char iso[32];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "t", clock_format_iso(b[i].t, iso));
		cJSON_AddNumberToObject(o, "reports", (double)b[i].reports);
		cJSON_AddNumberToObject(o, "active", (double)b[i].active);
		cJSON_AddNumberToObject(o, "critical", (double)b[i].critical);
		cJSON_AddItemToArray(items, o);
	}
	return 0;
}
