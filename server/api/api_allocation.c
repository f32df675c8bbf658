/* api_allocation: requests for stock, the nearest stock, depot reserves, allocation proposals and the
 * allocations' workflow, and the CSV exports of allocations and of the ledger. Each handler parses
 * the request into the typed one of core/allocations.c, stock_requests.c or stock_nearest.c, calls
 * it, and renders its result. */
#include "api_allocation.h"

#include "allocation.h"
#include "allocations.h"
#include "api_handlers.h"
#include "app.h"
#include "buf.h"
#include "clock.h"
#include "csv.h"
#include "stock_nearest.h"
#include "stock_requests.h"
#include "store_allocation.h"
#include "store_ledger.h"
#include "validate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- JSON pieces ------------------------------------------------------------------------------------- */

static void add_time(cJSON *o, const char *name, long long ms)
{
	char iso[32];
	if (ms)
		cJSON_AddStringToObject(o, name, clock_format_iso(ms, iso));
	else
		cJSON_AddNullToObject(o, name);
}

/* An id, or null for 0. */
static void add_id(cJSON *o, const char *name, long long id)
{
	if (id)
		cJSON_AddNumberToObject(o, name, (double)id);
	else
		cJSON_AddNullToObject(o, name);
}

/* A text, or null for "". */
static void add_text(cJSON *o, const char *name, const char *t)
{
	if (t && t[0])
		cJSON_AddStringToObject(o, name, t);
	else
		cJSON_AddNullToObject(o, name);
}

static void add_rounded(cJSON *o, const char *name, double v, double scale)
{
	cJSON_AddNumberToObject(o, name, round(v * scale) / scale);
}

cJSON *allocation_json(const struct allocation_row *a)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)a->id);
	add_id(o, "proposal_id", a->proposal_id);
	cJSON_AddStringToObject(o, "kind", a->transfer ? "transfer" : "allocation");
	cJSON_AddStringToObject(o, "status", allocation_status_name(a->status));
	cJSON_AddStringToObject(o, "item", a->item_code);
	cJSON_AddStringToObject(o, "item_name", a->item_name);
	cJSON_AddStringToObject(o, "unit", a->unit);
	cJSON *src = cJSON_AddObjectToObject(o, "source");
	cJSON_AddStringToObject(src, "kind", holder_kind_name(a->source_kind));
	cJSON_AddNumberToObject(src, "id", (double)a->source_id);
	cJSON_AddStringToObject(src, "name", a->source_name);
	cJSON_AddStringToObject(src, "dep", a->source_dep);
	cJSON *to = cJSON_AddObjectToObject(o, "structure");
	cJSON_AddNumberToObject(to, "id", (double)a->structure_id);
	cJSON_AddStringToObject(to, "name", a->structure_name);
	cJSON_AddStringToObject(to, "dep", a->dep);
	cJSON_AddNumberToObject(o, "quantity", (double)a->quantity);
	cJSON_AddNumberToObject(o, "proposed_quantity", (double)a->proposed_quantity);
	if (a->received_quantity >= 0)
		cJSON_AddNumberToObject(o, "received_quantity", (double)a->received_quantity);
	else
		cJSON_AddNullToObject(o, "received_quantity");
	add_text(o, "discrepancy_reason", a->discrepancy_reason);
	add_text(o, "outcome", a->outcome);
	if (a->has_distance)
		add_rounded(o, "distance_km", a->distance_km, 10);
	else
		cJSON_AddNullToObject(o, "distance_km");
	add_id(o, "request_id", a->request_id);
	add_id(o, "alert_id", a->alert_id);
	add_text(o, "note", a->note);
	add_time(o, "created_at", a->created_at);
	add_time(o, "approved_at", a->approved_at);
	add_time(o, "dispatched_at", a->dispatched_at);
	add_time(o, "received_at", a->received_at);
	add_time(o, "cancelled_at", a->cancelled_at);
	add_text(o, "cancelled_from", a->cancelled_from);
	add_text(o, "cancel_reason", a->cancel_reason);
	add_time(o, "updated_at", a->updated_at);
	cJSON_AddNumberToObject(o, "version", a->version);
	return o;
}

cJSON *request_json(const struct stock_request_row *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)r->id);
	cJSON_AddNumberToObject(o, "structure_id", (double)r->structure_id);
	cJSON_AddStringToObject(o, "structure_name", r->structure_name);
	cJSON_AddStringToObject(o, "dep", r->dep);
	cJSON_AddStringToObject(o, "item", r->item_code);
	cJSON_AddStringToObject(o, "item_name", r->item_name);
	cJSON_AddStringToObject(o, "unit", r->unit);
	cJSON_AddNumberToObject(o, "quantity", (double)r->quantity);
	cJSON_AddStringToObject(o, "reason", r->reason);
	cJSON_AddStringToObject(o, "status", r->status);
	/* the need the allocator computes now: a request above it is capped by it */
	if (r->need_known) {
		cJSON_AddNumberToObject(o, "need", (double)r->need);
		cJSON_AddBoolToObject(o, "above_need", r->quantity > r->need);
	} else {
		cJSON_AddNullToObject(o, "need");
		cJSON_AddNullToObject(o, "above_need");
	}
	add_id(o, "allocation_id", r->allocation_id);
	add_time(o, "created_at", r->created_at);
	add_time(o, "closed_at", r->closed_at);
	add_text(o, "cancel_reason", r->cancel_reason);
	return o;
}

/* Why a holder got what it got, in a sentence (its outcome and its figures). */
static void why(const struct assessment_row *a, const struct proposal_row *p, char *out, size_t n)
{
	const char *o = a->outcome;
	if (strcmp(o, "need_met") == 0)
		snprintf(out, n, "raised to the %.0f-day target: its whole need of %lld", p->target_days, a->need);
	else if (strcmp(o, "request_met") == 0)
		snprintf(out, n, "given the %lld it asked for, less than its need of %lld", a->requested, a->need);
	else if (strcmp(o, "level") == 0)
		snprintf(out, n, "supply short: raised to weight %.2g x the common level of %.2f days = %.2f days", a->weight,
			 p->level, a->weight * p->level);
	else if (strcmp(o, "capped") == 0)
		snprintf(out, n, "stopped at the %.0f-day cap: supply went first to holders below %.0f days", p->cap_days,
			 p->floor_days);
	else if (strcmp(o, "no_rate") == 0)
		snprintf(out, n, "its consumption is unknown: no need can be computed");
	else if (strcmp(o, "no_need") == 0)
		snprintf(out, n, "its cover of %.1f days, with what is on its way, is at the %.0f-day target", a->cover_before,
			 p->target_days);
	else if (strcmp(o, "above_level") == 0)
		snprintf(out, n, "supply short: its cover of %.1f days is above the level the others reach (%.2f days for its weight)",
			 a->cover_before, a->weight * p->level);
	else if (strcmp(o, "over_cap") == 0)
		snprintf(out, n, "at or past the %.0f-day cap while others stay below %.0f days", p->cap_days, p->floor_days);
	else if (strcmp(o, "below_pack") == 0)
		snprintf(out, n, "its share is less than one pack of %lld", p->pack);
	else
		snprintf(out, n, "the depots have nothing to give after their reserves");
	if (a->request_above_need && a->rate_known) {
		size_t len = strlen(out);
		snprintf(out + len, n - len, "; it asked for %lld, above its need of %lld", a->requested, a->need);
	}
}

struct proposal_ctx {
	const struct proposal_row *p;
	cJSON *holders, *lines;
};

static int add_assessment(void *ctx, const struct assessment_row *a)
{
	struct proposal_ctx *c = ctx;
	char text[256];
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "structure_id", (double)a->structure_id);
	cJSON_AddStringToObject(o, "name", a->name);
	cJSON_AddStringToObject(o, "dep", a->dep);
	cJSON_AddStringToObject(o, "category", a->category);
	cJSON_AddStringToObject(o, "outcome", a->outcome);
	why(a, c->p, text, sizeof text);
	cJSON_AddStringToObject(o, "why", text);
	cJSON_AddNumberToObject(o, "given", (double)a->given);
	cJSON_AddNumberToObject(o, "quantity", (double)a->quantity);
	add_rounded(o, "stock_now", a->stock_now, 10);
	cJSON_AddNumberToObject(o, "incoming", (double)a->incoming);
	if (a->rate_known) {
		add_rounded(o, "burn_per_day", a->burn_per_day, 1000);
		add_rounded(o, "cover_before", a->cover_before, 100);
		add_rounded(o, "cover_after", a->cover_after, 100);
	} else {
		cJSON_AddNullToObject(o, "burn_per_day");
		cJSON_AddNullToObject(o, "cover_before");
		cJSON_AddNullToObject(o, "cover_after");
	}
	add_rounded(o, "weight", a->weight, 1000);
	cJSON_AddNumberToObject(o, "need", (double)a->need);
	cJSON_AddNumberToObject(o, "demand", (double)a->demand);
	cJSON_AddNumberToObject(o, "requested", (double)a->requested);
	cJSON_AddBoolToObject(o, "request_above_need", a->request_above_need);
	add_text(o, "alert", a->alert);
	cJSON_AddItemToArray(c->holders, o);
	return 0;
}

static int add_allocation(void *ctx, const struct allocation_row *a)
{
	cJSON_AddItemToArray(ctx, allocation_json(a));
	return 0;
}

/* A proposal, its lines and the explanation of every holder the caller reads. */
static int proposal_answer(struct app *app, const struct principal *who, long long id, struct op_response *res)
{
	struct proposal_row p;
	int rc = store_proposal_get(app->store, who, id, &p);
	if (rc)
		return rc == STORE_NOTFOUND ? api_fail(res, 404, "not_found", "id", "no such proposal")
					    : api_fail_store(app, res, rc, "proposal");
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)p.id);
	cJSON_AddStringToObject(o, "item", p.item_code);
	cJSON_AddStringToObject(o, "item_name", p.item_name);
	cJSON_AddStringToObject(o, "unit", p.unit);
	add_text(o, "dep", p.dep);
	cJSON *params = cJSON_AddObjectToObject(o, "parameters");
	cJSON_AddNumberToObject(params, "target_days", p.target_days);
	cJSON_AddNumberToObject(params, "cap_days", p.cap_days);
	cJSON_AddNumberToObject(params, "floor_days", p.floor_days);
	cJSON_AddNumberToObject(params, "pack", (double)p.pack);
	cJSON_AddNumberToObject(o, "supply", (double)p.supply);
	cJSON_AddNumberToObject(o, "demand", (double)p.demand);
	cJSON_AddNumberToObject(o, "given", (double)p.given);
	cJSON_AddBoolToObject(o, "short_supply", p.short_supply);
	cJSON_AddBoolToObject(o, "capped", p.capped);
	if (p.short_supply)
		add_rounded(o, "level", p.level, 100);
	else
		cJSON_AddNullToObject(o, "level");
	add_time(o, "created_at", p.created_at);
	struct proposal_ctx c = {&p, cJSON_CreateArray(), cJSON_AddArrayToObject(o, "lines")};
	struct allocation_query q = {NULL, NULL, NULL, 0, NULL, 0, id, 0, 1LL << 40};
	rc = store_allocation_list(app->store, who, &q, add_allocation, c.lines, NULL);
	if (!rc)
		rc = store_assessment_list(app->store, who, id, add_assessment, &c);
	cJSON_AddItemToObject(o, "holders", c.holders);
	if (rc) {
		cJSON_Delete(o);
		return api_fail_store(app, res, rc, "proposal");
	}
	res->data = o;
	return 0;
}

/* --- reading requests -------------------------------------------------------------------------------- */

static int fail_with(struct op_response *res, const struct rf_error *err)
{
	res->status = err->status;
	res->err = *err;
	return -1;
}

/* The body must be an object of these members only; NULL (no body) is an empty object. */
static int body_fields(const struct op_request *req, const char *const *names, const char *rule, struct op_response *res)
{
	const cJSON *b = req->body, *j;
	if (!b)
		return 0;
	if (!cJSON_IsObject(b))
		return api_fail(res, 400, "invalid_json", "body", "a JSON object is required");
	cJSON_ArrayForEach(j, b)
	{
		int ok = 0;
		for (const char *const *n = names; *n && !ok; n++)
			ok = strcmp(*n, j->string) == 0;
		if (!ok)
			return api_fail(res, 422, "unknown_field", j->string, rule);
	}
	return 0;
}

static const cJSON *member(const struct op_request *req, const char *name)
{
	return req->body ? cJSON_GetObjectItemCaseSensitive(req->body, name) : NULL;
}

/* A text member of 1 to 500 characters; absent: NULL when optional, else 422 required. */
static int text_member(const struct op_request *req, const char *name, int required, const char **out,
		       struct op_response *res)
{
	const cJSON *j = member(req, name);
	*out = NULL;
	if (!j || cJSON_IsNull(j)) {
		if (required)
			return api_fail(res, 422, "required", name, "is required");
		return 0;
	}
	const char *rule = cJSON_IsString(j) ? validate_text(j->valuestring, 1, 500) : "must be a string";
	if (rule)
		return api_fail(res, 422, "invalid", name, rule);
	*out = j->valuestring;
	return 0;
}

/* An item given by code (string) or id (number). */
static int item_member(const struct op_request *req, struct stock_item_ref *it, struct op_response *res)
{
	const cJSON *j = member(req, "item");
	it->code = NULL;
	it->id = 0;
	if (cJSON_IsString(j)) {
		it->code = j->valuestring;
		return 0;
	}
	if (cJSON_IsNumber(j))
		return api_json_int(j, "item", 1, INT_EXACT_MAX, &it->id, NULL, res);
	if (!j)
		return api_fail(res, 422, "required", "item", "is required: an item code (string) or id (number)");
	return api_fail(res, 422, "invalid", "item", "must be an item code (string) or id (number)");
}

static int quantity_member(const struct op_request *req, long long min, long long *q, struct op_response *res)
{
	const cJSON *j = member(req, "quantity");
	if (!j)
		return api_fail(res, 422, "required", "quantity", "is required");
	return api_json_int(j, "quantity", min, STOCK_QUANTITY_MAX, q, NULL, res);
}

/* --- requests for stock ---------------------------------------------------------------------------------- */

struct list_ctx {
	struct app *app;
	cJSON *items;
	long long n, last;
	int rc;
};

static int add_request(void *ctx, const struct stock_request_row *row)
{
	struct list_ctx *c = ctx;
	struct stock_request_row r = *row;
	if ((c->rc = stock_request_need(c->app, r.structure_id, r.item_id, &r.need, &r.need_known)))
		return 1;
	cJSON_AddItemToArray(c->items, request_json(&r));
	c->last = r.id;
	c->n++;
	return 0;
}

int op_stock_requests_list(struct app *app, struct op_request *req, struct op_response *res)
{
	static const char *const names[] = {"status", "item", "dep", "structure_id", "after", "limit", NULL};
	if (api_only_params(req, res, names, "is not a filter of requests (status, item, dep, structure_id, after, limit)"))
		return -1;
	char t[3][80];
	struct request_query q = {api_param(req, "status", t[0], 80), api_param(req, "item", t[1], 80),
				  api_param(req, "dep", t[2], 80), 0, 0, 0};
	if (q.status && strcmp(q.status, "open") && strcmp(q.status, "served") && strcmp(q.status, "cancelled"))
		return api_fail(res, 422, "invalid", "status", "must be open, served or cancelled");
	if (api_param_int(req, "structure_id", 1, INT_EXACT_MAX, &q.structure_id, NULL, res) ||
	    api_param_int(req, "after", 0, INT_EXACT_MAX, &q.after, NULL, res) || api_param_limit(app, req, &q.limit, res))
		return -1;
	struct list_ctx c = {app, cJSON_CreateArray(), 0, 0, 0};
	long long total = 0;
	int rc = store_request_list(app->store, &req->who, &q, add_request, &c, &total);
	if (rc || c.rc) {
		cJSON_Delete(c.items);
		return api_fail_store(app, res, rc ? rc : c.rc, "requests");
	}
	res->data = cJSON_CreateObject();
	cJSON_AddItemToObject(res->data, "items", c.items);
	cJSON_AddNumberToObject(res->data, "total", (double)total);
	api_add_next(res->data, c.n, q.limit, c.last);
	return 0;
}

int op_stock_requests_create(struct app *app, struct op_request *req, struct op_response *res)
{
	static const char *const names[] = {"structure_id", "item", "quantity", "reason", NULL};
	if (!req->body)
		return api_fail(res, 400, "invalid_json", "body", "a JSON object is required");
	if (body_fields(req, names, "is not a field of a request (structure_id, item, quantity, reason)", res))
		return -1;
	struct stock_request_new in = {0, {NULL, 0}, 0, NULL};
	const cJSON *sid = member(req, "structure_id");
	if (sid && api_json_int(sid, "structure_id", 1, INT_EXACT_MAX, &in.structure_id, NULL, res))
		return -1;
	if (!sid && req->who.role != ROLE_STRUCTURE)
		return api_fail(res, 422, "required", "structure_id", "is required: the structure the request is for");
	if (item_member(req, &in.item, res) || quantity_member(req, 1, &in.quantity, res) ||
	    text_member(req, "reason", 1, &in.reason, res))
		return -1;
	struct stock_request_row r;
	struct rf_error err;
	if (stock_request_create(app, &req->who, &in, &r, &err))
		return fail_with(res, &err);
	res->data = request_json(&r);
	res->status = 201;
	return 0;
}

int op_stock_requests_cancel(struct app *app, struct op_request *req, struct op_response *res)
{
	static const char *const names[] = {"reason", NULL};
	long long id;
	const char *reason;
	if (api_param_id(req, "id", &id, res) || body_fields(req, names, "is not a field here (reason)", res) ||
	    text_member(req, "reason", 1, &reason, res))
		return -1;
	struct stock_request_row r;
	struct rf_error err;
	if (stock_request_cancel(app, &req->who, id, reason, &r, &err))
		return fail_with(res, &err);
	if (stock_request_need(app, r.structure_id, r.item_id, &r.need, &r.need_known))
		return api_fail_store(app, res, STORE_ERROR, "request");
	res->data = request_json(&r);
	return 0;
}

/* --- the nearest stock ------------------------------------------------------------------------------------ */

static int add_nearest(void *ctx, const struct nearest_row *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "holder_kind", holder_kind_name(r->kind));
	cJSON_AddNumberToObject(o, "holder_id", (double)r->id);
	cJSON_AddStringToObject(o, "name", r->name);
	cJSON_AddStringToObject(o, "dep", r->dep);
	if (r->level)
		cJSON_AddStringToObject(o, "level", r->level);
	else
		cJSON_AddStringToObject(o, "category", r->category);
	add_rounded(o, "distance_km", r->distance_km, 10);
	cJSON_AddNumberToObject(o, "quantity", (double)r->quantity);
	cJSON_AddNumberToObject(o, "available", (double)r->available);
	if (r->kind == HOLDER_STRUCTURE)
		add_rounded(o, "days_of_cover", r->days_of_cover, 100);
	cJSON_AddItemToArray(ctx, o);
	return 0;
}

int op_stock_nearest(struct app *app, struct op_request *req, struct op_response *res)
{
	static const char *const names[] = {"item", "holder_kind", "holder_id", "radius_km", "limit", NULL};
	if (api_only_params(req, res, names, "is not a parameter of the nearest stock (item, holder_kind, holder_id, "
					     "radius_km, limit)"))
		return -1;
	char t[2][80];
	struct nearest_query q = {{HOLDER_NONE, 0}, {api_param(req, "item", t[0], 80), 0}, 0, 0};
	const char *kind = api_param(req, "holder_kind", t[1], 80);
	long long radius = 0;
	if (!q.item.code)
		return api_fail(res, 422, "required", "item", "is required: an item code");
	if (!kind || (strcmp(kind, "structure") && strcmp(kind, "depot")))
		return api_fail(res, 422, "invalid", "holder_kind", "must be structure or depot: the holder the stock is for");
	q.holder.kind = strcmp(kind, "depot") == 0 ? HOLDER_DEPOT : HOLDER_STRUCTURE;
	if (!api_param(req, "holder_id", t[1], 80))
		return api_fail(res, 422, "required", "holder_id", "is required: the holder the stock is for");
	if (api_param_int(req, "holder_id", 1, INT_EXACT_MAX, &q.holder.id, NULL, res) ||
	    api_param_int(req, "radius_km", 1, 1000, &radius, NULL, res) || api_param_limit(app, req, &q.limit, res))
		return -1;
	q.radius_km = (double)radius;
	struct holder_info from;
	struct item_info it;
	struct rf_error err;
	cJSON *items = cJSON_CreateArray();
	if (stock_nearest(app, &req->who, &q, &from, &it, add_nearest, items, &err)) {
		cJSON_Delete(items);
		return fail_with(res, &err);
	}
	res->data = cJSON_CreateObject();
	cJSON_AddStringToObject(res->data, "item", it.code);
	cJSON_AddStringToObject(res->data, "holder_kind", holder_kind_name(from.kind));
	cJSON_AddNumberToObject(res->data, "holder_id", (double)from.id);
	cJSON_AddStringToObject(res->data, "holder_name", from.name);
	if (radius)
		cJSON_AddNumberToObject(res->data, "radius_km", (double)radius);
	else
		cJSON_AddNullToObject(res->data, "radius_km");
	cJSON_AddItemToObject(res->data, "items", items);
	return 0;
}

/* --- reserves --------------------------------------------------------------------------------------------- */

static int add_reserve(void *ctx, const char *item, long long quantity, long long updated_at)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "item", item);
	cJSON_AddNumberToObject(o, "quantity", (double)quantity);
	add_time(o, "updated_at", updated_at);
	cJSON_AddItemToArray(ctx, o);
	return 0;
}

int op_stock_reserves_list(struct app *app, struct op_request *req, struct op_response *res)
{
	static const char *const names[] = {"depot_id", NULL};
	if (api_only_params(req, res, names, "is not a parameter of reserves (depot_id)"))
		return -1;
	long long depot = req->who.role == ROLE_DEPOT ? req->who.subject_id : 0;
	char t[32];
	if (!api_param(req, "depot_id", t, sizeof t) && !depot)
		return api_fail(res, 422, "required", "depot_id", "is required");
	if (api_param_int(req, "depot_id", 1, INT_EXACT_MAX, &depot, NULL, res))
		return -1;
	/* a depot the caller reads (the registry's rule: regional depots are everyone's) */
	struct record *r = NULL;
	int rc = store_record_get(app->store, &entity_depot, &req->who, depot, &r);
	record_free(r);
	if (rc == STORE_NOTFOUND)
		return api_fail(res, 404, "not_found", "depot_id", "no such depot");
	cJSON *items = cJSON_CreateArray();
	if (!rc)
		rc = store_reserve_list(app->store, depot, add_reserve, items);
	if (rc) {
		cJSON_Delete(items);
		return api_fail_store(app, res, rc, "reserves");
	}
	res->data = cJSON_CreateObject();
	cJSON_AddNumberToObject(res->data, "depot_id", (double)depot);
	cJSON_AddItemToObject(res->data, "reserves", items);
	return 0;
}

int op_stock_reserves_set(struct app *app, struct op_request *req, struct op_response *res)
{
	static const char *const names[] = {"depot_id", "item", "quantity", NULL};
	if (!req->body)
		return api_fail(res, 400, "invalid_json", "body", "a JSON object is required");
	if (body_fields(req, names, "is not a field of a reserve (depot_id, item, quantity)", res))
		return -1;
	long long depot, quantity;
	struct stock_item_ref ref;
	const cJSON *d = member(req, "depot_id");
	if (!d)
		return api_fail(res, 422, "required", "depot_id", "is required");
	if (api_json_int(d, "depot_id", 1, INT_EXACT_MAX, &depot, NULL, res) || item_member(req, &ref, res) ||
	    quantity_member(req, 0, &quantity, res))
		return -1;
	struct item_info it;
	struct rf_error err;
	if (allocation_reserve_set(app, &req->who, depot, &ref, quantity, &it, &err))
		return fail_with(res, &err);
	res->data = cJSON_CreateObject();
	cJSON_AddNumberToObject(res->data, "depot_id", (double)depot);
	cJSON_AddStringToObject(res->data, "item", it.code);
	cJSON_AddNumberToObject(res->data, "quantity", (double)quantity);
	return 0;
}

/* --- proposals and allocations ----------------------------------------------------------------------------- */

int op_allocations_propose(struct app *app, struct op_request *req, struct op_response *res)
{
	static const char *const names[] = {"item", "dep", NULL};
	if (!req->body)
		return api_fail(res, 400, "invalid_json", "body", "a JSON object is required");
	if (body_fields(req, names, "is not a field of a proposal (item, dep)", res))
		return -1;
	struct stock_item_ref item;
	const char *dep = NULL;
	const cJSON *d = member(req, "dep");
	if (item_member(req, &item, res))
		return -1;
	if (d && !cJSON_IsNull(d) && !cJSON_IsString(d))
		return api_fail(res, 422, "invalid", "dep", "must be a département code like 81");
	if (cJSON_IsString(d))
		dep = d->valuestring;
	long long id;
	struct rf_error err;
	if (allocation_propose(app, &req->who, &item, dep, &id, &err))
		return fail_with(res, &err);
	if (proposal_answer(app, &req->who, id, res))
		return -1;
	res->status = 201;
	return 0;
}

int op_allocations_proposal(struct app *app, struct op_request *req, struct op_response *res)
{
	long long id;
	if (api_param_id(req, "id", &id, res))
		return -1;
	return proposal_answer(app, &req->who, id, res);
}

/* The filters of the allocations' list and export. */
static int allocation_filters(struct app *app, struct op_request *req, struct allocation_query *q, char t[4][80],
			      struct op_response *res)
{
	static const char *const names[] = {"status", "item", "dep", "structure_id", "source_kind", "source_id",
					    "proposal_id", "after", "limit", NULL};
	if (api_only_params(req, res, names, "is not a filter of allocations (status, item, dep, structure_id, "
					     "source_kind, source_id, proposal_id, after, limit)"))
		return -1;
	memset(q, 0, sizeof *q);
	q->status = api_param(req, "status", t[0], 80);
	q->item = api_param(req, "item", t[1], 80);
	q->dep = api_param(req, "dep", t[2], 80);
	q->source_kind = api_param(req, "source_kind", t[3], 80);
	if (q->status && allocation_status_parse(q->status) < 0)
		return api_fail(res, 422, "invalid", "status", "must be proposed, approved, dispatched, received or cancelled");
	if (q->source_kind && strcmp(q->source_kind, "depot") && strcmp(q->source_kind, "structure"))
		return api_fail(res, 422, "invalid", "source_kind", "must be depot or structure");
	char id[40];
	if ((q->source_kind != NULL) != (api_param(req, "source_id", id, sizeof id) != NULL))
		return api_fail(res, 422, "invalid", "source_id", "goes with source_kind");
	return api_param_int(req, "structure_id", 1, INT_EXACT_MAX, &q->structure_id, NULL, res) ||
			       api_param_int(req, "source_id", 1, INT_EXACT_MAX, &q->source_id, NULL, res) ||
			       api_param_int(req, "proposal_id", 1, INT_EXACT_MAX, &q->proposal_id, NULL, res) ||
			       api_param_int(req, "after", 0, INT_EXACT_MAX, &q->after, NULL, res) ||
			       api_param_limit(app, req, &q->limit, res)
		       ? -1
		       : 0;
}

static int add_listed(void *ctx, const struct allocation_row *a)
{
	struct list_ctx *c = ctx;
	cJSON_AddItemToArray(c->items, allocation_json(a));
	c->last = a->id;
	c->n++;
	return 0;
}

int op_allocations_list(struct app *app, struct op_request *req, struct op_response *res)
{
	struct allocation_query q;
	char t[4][80];
	if (allocation_filters(app, req, &q, t, res))
		return -1;
	struct list_ctx c = {app, cJSON_CreateArray(), 0, 0, 0};
	long long total = 0;
	int rc = store_allocation_list(app->store, &req->who, &q, add_listed, &c, &total);
	if (rc) {
		cJSON_Delete(c.items);
		return api_fail_store(app, res, rc, "allocations");
	}
	res->data = cJSON_CreateObject();
	cJSON_AddItemToObject(res->data, "items", c.items);
	cJSON_AddNumberToObject(res->data, "total", (double)total);
	api_add_next(res->data, c.n, q.limit, c.last);
	return 0;
}

/* --- CSV exports ----------------------------------------------------------------------------------------- */

static int csv_int(struct buf *b, long long v, int last)
{
	char n[32];
	snprintf(n, sizeof n, "%lld", v);
	return csv_write_field(b, n, last);
}

static int csv_time(struct buf *b, long long ms, int last)
{
	char iso[32];
	return csv_write_field(b, ms ? clock_format_iso(ms, iso) : "", last);
}

static int export_allocation(void *ctx, const struct allocation_row *a)
{
	struct buf *b = ctx;
	char d[32] = "";
	if (a->has_distance)
		snprintf(d, sizeof d, "%.1f", a->distance_km);
	csv_int(b, a->id, 0);
	if (a->proposal_id)
		csv_int(b, a->proposal_id, 0);
	else
		csv_write_field(b, "", 0);
	csv_write_field(b, a->transfer ? "transfer" : "allocation", 0);
	csv_write_field(b, allocation_status_name(a->status), 0);
	csv_write_text(b, a->item_code, 0);
	csv_write_field(b, holder_kind_name(a->source_kind), 0);
	csv_int(b, a->source_id, 0);
	csv_write_text(b, a->source_name, 0);
	csv_write_field(b, a->source_dep, 0);
	csv_int(b, a->structure_id, 0);
	csv_write_text(b, a->structure_name, 0);
	csv_write_field(b, a->dep, 0);
	csv_int(b, a->proposed_quantity, 0);
	csv_int(b, a->quantity, 0);
	if (a->received_quantity >= 0)
		csv_int(b, a->received_quantity, 0);
	else
		csv_write_field(b, "", 0);
	csv_write_text(b, a->discrepancy_reason, 0);
	csv_write_field(b, a->outcome, 0);
	csv_write_field(b, d, 0);
	csv_time(b, a->created_at, 0);
	csv_time(b, a->approved_at, 0);
	csv_time(b, a->dispatched_at, 0);
	csv_time(b, a->received_at, 0);
	csv_time(b, a->cancelled_at, 0);
	csv_write_text(b, a->cancel_reason, 0);
	return csv_write_text(b, a->note, 1) ? 1 : 0;
}

static void csv_answer(struct op_response *res, struct buf *b, const char *filename)
{
	res->raw_len = b->len;
	res->raw = buf_detach(b);
	snprintf(res->raw_type, sizeof res->raw_type, "text/csv; charset=utf-8");
	snprintf(res->filename, sizeof res->filename, "%s", filename);
}

int op_allocations_export(struct app *app, struct op_request *req, struct op_response *res)
{
	struct allocation_query q;
	char t[4][80];
	if (allocation_filters(app, req, &q, t, res))
		return -1;
	q.limit = 1LL << 40; /* an export is not paged */
	struct buf b;
	buf_init(&b);
	buf_puts(&b, "id,proposal_id,kind,status,item,source_kind,source_id,source_name,source_dep,structure_id,"
		     "structure_name,dep,proposed_quantity,quantity,received_quantity,discrepancy_reason,outcome,distance_km,"
		     "created_at,approved_at,dispatched_at,received_at,cancelled_at,cancel_reason,note\r\n");
	int rc = store_allocation_list(app->store, &req->who, &q, export_allocation, &b, NULL);
	if (rc) {
		buf_release(&b);
		return api_fail_store(app, res, rc, "allocations");
	}
	csv_answer(res, &b, "allocations.csv");
	return 0;
}

static int export_ledger_row(void *ctx, const struct ledger_view *v)
{
	struct buf *b = ctx;
	csv_int(b, v->id, 0);
	csv_time(b, v->at, 0);
	csv_write_field(b, v->holder_kind, 0);
	csv_int(b, v->holder_id, 0);
	csv_write_text(b, v->holder_name, 0);
	csv_write_field(b, v->dep, 0);
	csv_write_text(b, v->item_code, 0);
	csv_write_field(b, v->kind, 0);
	csv_int(b, v->delta, 0);
	csv_int(b, v->quantity_after, 0);
	csv_write_field(b, v->cause_kind, 0);
	if (v->cause_id)
		csv_int(b, v->cause_id, 0);
	else
		csv_write_field(b, "", 0);
	csv_write_field(b, v->origin, 0);
	if (v->report_id)
		return csv_int(b, v->report_id, 1) ? 1 : 0;
	return csv_write_field(b, "", 1) ? 1 : 0;
}

int op_stock_ledger_export(struct app *app, struct op_request *req, struct op_response *res)
{
	static const char *const names[] = {"holder_kind", "holder_id", "item", "cause_kind", "cause_id", "dep", "after",
					    "limit", NULL};
	if (api_only_params(req, res, names, "is not a filter of the ledger (holder_kind, holder_id, item, cause_kind, "
					     "cause_id, dep, after, limit)"))
		return -1;
	char t[4][80];
	struct ledger_query q;
	memset(&q, 0, sizeof q);
	q.holder_kind = api_param(req, "holder_kind", t[0], 80);
	q.item = api_param(req, "item", t[1], 80);
	q.cause_kind = api_param(req, "cause_kind", t[2], 80);
	q.dep = api_param(req, "dep", t[3], 80);
	q.limit = 100000;
	if (q.holder_kind && strcmp(q.holder_kind, "structure") && strcmp(q.holder_kind, "depot") &&
	    strcmp(q.holder_kind, "transit"))
		return api_fail(res, 422, "invalid", "holder_kind", "must be structure, depot or transit");
	if (api_param_int(req, "holder_id", 1, INT_EXACT_MAX, &q.holder_id, NULL, res) ||
	    api_param_int(req, "cause_id", 1, INT_EXACT_MAX, &q.cause_id, NULL, res) ||
	    api_param_int(req, "after", 0, INT_EXACT_MAX, &q.after, NULL, res) ||
	    api_param_int(req, "limit", 1, 1000000, &q.limit, "must be an integer from 1 to 1000000", res))
		return -1;
	struct buf b;
	buf_init(&b);
	buf_puts(&b, "id,at,holder_kind,holder_id,holder_name,dep,item,kind,delta,quantity_after,cause_kind,cause_id,origin,"
		     "report_id\r\n");
	int rc = store_ledger_list(app->store, &req->who, &q, export_ledger_row, &b);
	if (rc) {
		buf_release(&b);
		return api_fail_store(app, res, rc, "ledger");
	}
	csv_answer(res, &b, "ledger.csv");
	return 0;
}

/* --- the workflow --------------------------------------------------------------------------------------- */

static int answer_allocation(struct op_response *res, const struct allocation_row *a, int status)
{
	res->data = allocation_json(a);
	res->status = status;
	return 0;
}

int op_allocations_create(struct app *app, struct op_request *req, struct op_response *res)
{
	static const char *const names[] = {"item", "source_kind", "source_id", "structure_id", "quantity", "note", NULL};
	if (!req->body)
		return api_fail(res, 400, "invalid_json", "body", "a JSON object is required");
	if (body_fields(req, names, "is not a field of an allocation (item, source_kind, source_id, structure_id, "
				    "quantity, note)",
			res))
		return -1;
	struct allocation_new in;
	memset(&in, 0, sizeof in);
	const cJSON *kind = member(req, "source_kind");
	if (item_member(req, &in.item, res))
		return -1;
	if (!cJSON_IsString(kind) || (strcmp(kind->valuestring, "depot") && strcmp(kind->valuestring, "structure")))
		return api_fail(res, 422, "invalid", "source_kind", "must be depot (an allocation) or structure (a transfer)");
	in.source_kind = strcmp(kind->valuestring, "depot") == 0 ? HOLDER_DEPOT : HOLDER_STRUCTURE;
	if (api_json_int(member(req, "source_id"), "source_id", 1, INT_EXACT_MAX, &in.source_id, NULL, res) ||
	    api_json_int(member(req, "structure_id"), "structure_id", 1, INT_EXACT_MAX, &in.structure_id, NULL, res) ||
	    quantity_member(req, 1, &in.quantity, res) || text_member(req, "note", 0, &in.note, res))
		return -1;
	struct allocation_row *a = malloc(sizeof *a);
	struct rf_error err;
	int rc = -1;
	if (!a)
		api_fail(res, 503, "unavailable", "", "out of memory");
	else if (allocation_create(app, &req->who, &in, a, &err))
		fail_with(res, &err);
	else
		rc = answer_allocation(res, a, 201);
	free(a);
	return rc;
}

int op_allocations_get(struct app *app, struct op_request *req, struct op_response *res)
{
	long long id;
	if (api_param_id(req, "id", &id, res))
		return -1;
	struct allocation_row *a = malloc(sizeof *a);
	if (!a)
		return api_fail(res, 503, "unavailable", "", "out of memory");
	int rc = store_allocation_get(app->store, &req->who, id, a);
	if (rc == STORE_NOTFOUND)
		api_fail(res, 404, "not_found", "id", "no such allocation");
	else if (rc)
		api_fail_store(app, res, rc, "allocation");
	else
		answer_allocation(res, a, 200);
	free(a);
	return rc ? -1 : 0;
}

enum step { STEP_APPROVE, STEP_DISPATCH, STEP_RECEIVE, STEP_CANCEL };

/* One step of an allocation: its body read, the service called, the allocation answered. */
static int step(struct app *app, struct op_request *req, struct op_response *res, enum step s)
{
	static const char *const approve[] = {"quantity", NULL}, *const receive[] = {"quantity", "reason", NULL},
				 *const cancel[] = {"reason", NULL}, *const none[] = {NULL};
	static const char *const *const fields[] = {approve, none, receive, cancel};
	static const char *const rules[] = {"is not a field here (quantity)", "is not a field here (none)",
					    "is not a field here (quantity, reason)", "is not a field here (reason)"};
	long long id, quantity = 0;
	const char *reason = NULL;
	if (api_param_id(req, "id", &id, res) || body_fields(req, fields[s], rules[s], res))
		return -1;
	if (s == STEP_APPROVE && member(req, "quantity") && quantity_member(req, 1, &quantity, res))
		return -1;
	if (s == STEP_RECEIVE && (quantity_member(req, 0, &quantity, res) || text_member(req, "reason", 0, &reason, res)))
		return -1;
	if (s == STEP_CANCEL && text_member(req, "reason", 1, &reason, res))
		return -1;
	struct allocation_row *a = malloc(sizeof *a);
	if (!a)
		return api_fail(res, 503, "unavailable", "", "out of memory");
	struct rf_error err;
	int bad = s == STEP_APPROVE    ? allocation_approve(app, &req->who, id, quantity, a, &err)
		  : s == STEP_DISPATCH ? allocation_dispatch(app, &req->who, id, a, &err)
		  : s == STEP_RECEIVE  ? allocation_receive(app, &req->who, id, quantity, reason, a, &err)
				       : allocation_cancel(app, &req->who, id, reason, a, &err);
	int rc = bad ? fail_with(res, &err) : answer_allocation(res, a, 200);
	free(a);
	return rc;
}

int op_allocations_approve(struct app *app, struct op_request *req, struct op_response *res)
{
	return step(app, req, res, STEP_APPROVE);
}

int op_allocations_dispatch(struct app *app, struct op_request *req, struct op_response *res)
{
	return step(app, req, res, STEP_DISPATCH);
}

int op_allocations_receive(struct app *app, struct op_request *req, struct op_response *res)
{
	return step(app, req, res, STEP_RECEIVE);
}

int op_allocations_cancel(struct app *app, struct op_request *req, struct op_response *res)
{
	return step(app, req, res, STEP_CANCEL);
}
