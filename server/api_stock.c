/* api_stock: stock reports and movements (writes: one transaction each, acknowledged after commit),
 * levels with days of cover, roll-ups by département and region, and threshold overrides. */
#include "alert_engine.h"
#include "api_alert.h"
#include "api_handlers.h"
#include "app.h"
#include "buf.h"
#include "burn.h"
#include "clock.h"
#include "store_alert.h"
#include "store_record.h"
#include "store_stock.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REPORT_MAX_ITEMS 100
#define QUANTITY_MAX 1000000000LL

/* --- holders ---------------------------------------------------------------------------------------- */

/* The holder a request names (or the token's own), within the principal's scope; 404 otherwise. */
static int load_holder(struct app *app, const struct principal *who, const cJSON *body, struct holder_info *h,
		       struct op_response *res)
{
	const cJSON *kind_j = cJSON_GetObjectItemCaseSensitive(body, "holder_kind");
	const cJSON *id_j = cJSON_GetObjectItemCaseSensitive(body, "holder_id");
	int kind;
	long long id;
	if (!kind_j && !id_j && (who->role == ROLE_STRUCTURE || who->role == ROLE_DEPOT)) {
		kind = who->role == ROLE_STRUCTURE ? HOLDER_STRUCTURE : HOLDER_DEPOT;
		id = who->subject_id;
	} else {
		if (!cJSON_IsString(kind_j) || (kind = holder_kind_parse(kind_j->valuestring)) < 0)
			return api_fail(res, 422, "invalid", "holder_kind", "must be structure or depot");
		if (!cJSON_IsNumber(id_j) || id_j->valuedouble < 1 || id_j->valuedouble != floor(id_j->valuedouble))
			return api_fail(res, 422, "invalid", "holder_id", "must be the id of a structure or depot");
		id = (long long)id_j->valuedouble;
	}
	int rc = store_holder_get(app->store, who, (enum holder_kind)kind, id, h);
	if (rc == STORE_NOTFOUND)
		return api_fail(res, 404, "not_found", "holder_id", "no such structure or depot");
	return rc ? api_fail_store(app, res, rc, "holder_id") : 0;
}

/* An item given by code (string) or id (number). */
static int load_item(struct app *app, const cJSON *j, const char *field, struct item_info *it, struct op_response *res)
{
	int rc;
	if (cJSON_IsString(j))
		rc = store_item_find(app->store, j->valuestring, 0, it);
	else if (cJSON_IsNumber(j) && j->valuedouble >= 1)
		rc = store_item_find(app->store, NULL, (long long)j->valuedouble, it);
	else
		return api_fail(res, 422, "invalid", field, "must be an item code (string) or id (number)");
	if (rc == STORE_NOTFOUND)
		return api_fail(res, 422, "invalid", field, "is not an item of the catalogue");
	return rc ? api_fail_store(app, res, rc, field) : 0;
}

static int read_count(const cJSON *j, const char *field, long long max, long long *out, struct op_response *res)
{
	if (!cJSON_IsNumber(j) || j->valuedouble != floor(j->valuedouble)) {
		char rule[64];
		snprintf(rule, sizeof rule, "must be an integer from 0 to %lld", max);
		return api_fail(res, 422, "invalid", field, rule);
	}
	if (j->valuedouble < 0 || j->valuedouble > (double)max) {
		char rule[64];
		snprintf(rule, sizeof rule, "must be an integer from 0 to %lld", max);
		return api_fail(res, 422, "invalid", field, rule);
	}
	*out = (long long)j->valuedouble;
	return 0;
}

/* Recomputes rate and cover of r after its quantity or estimator changed. */
static void refresh_cover(struct stock_row *r, const struct item_info *it, const struct holder_info *h, long long now)
{
	struct burn_params bp = burn_default_params();
	double catalogue = h->kind == HOLDER_STRUCTURE
				   ? burn_catalogue(it->per_worker, it->per_patient, it->per_bed,
						    h->occupancy > 0 ? h->occupancy : 0, h->staff > 0 ? h->staff : 0)
				   : 0;
	r->burn_per_day = burn_rate(&r->burn, catalogue, &bp);
	r->days_of_cover = burn_days_of_cover(r->quantity, r->burn_per_day, now, &r->cover_known, &r->stockout_at);
}

/* --- a level as JSON text ------------------------------------------------------------------------------
 * Written directly rather than through a cJSON tree: every report line serialises a level twice
 * (its event, the answer), and cJSON prints each number with a printf checked by a scanf. */

static int put_json_string(struct buf *b, const char *s)
{
	/* cJSON's own escaping, into a buffer of the worst case (\uXXXX for each byte): on the stack
	 * for a code of up to 64 bytes, the usual case */
	char small[6 * 64 + 3];
	size_t need = 6 * strlen(s) + 3;
	char *out = need <= sizeof small ? small : malloc(need);
	cJSON node;
	memset(&node, 0, sizeof node);
	node.type = cJSON_String | cJSON_IsReference;
	node.valuestring = (char *)(uintptr_t)s;
	int bad = !out || !cJSON_PrintPreallocated(&node, out, (int)need, 0) || buf_puts(b, out);
	if (out != small)
		free(out);
	return bad ? -1 : 0;
}

/* v rounded to `decimals` places (0 to 3), trailing zeros dropped: what %.15g prints for such a
 * value, without printf's cost for a double (both figures of every level line go through here). */
static int put_fixed(struct buf *b, double v, int decimals, int known)
{
	static const long long scales[] = {1, 10, 100, 1000};
	if (!known || !isfinite(v))
		return buf_puts(b, "null");
	long long scale = scales[decimals];
	double scaled = round(v * (double)scale);
	if (fabs(scaled) >= 1e15)
		return buf_printf(b, "%.15g", scaled / (double)scale);
	long long n = (long long)scaled;
	char out[48], *o = out + sizeof out;
	*--o = '\0';
	unsigned long long u = n < 0 ? (unsigned long long)-n : (unsigned long long)n;
	int digits = 0;
	for (long long frac = (long long)(u % (unsigned long long)scale); digits < decimals; digits++, frac /= 10)
		if (frac % 10 || o[0] != '\0')
			*--o = (char)('0' + frac % 10);
	if (o[0] != '\0')
		*--o = '.';
	u /= (unsigned long long)scale;
	do
		*--o = (char)('0' + u % 10);
	while (u /= 10);
	if (n < 0)
		*--o = '-';
	return buf_puts(b, o);
}

/* "item":..,"quantity":..,"burn_per_day":..,"days_of_cover":..,"stockout_at":..,"alert":.. */
static int level_fields(struct buf *b, const struct stock_row *r, const struct item_info *it, const struct alert_row *a)
{
	char iso[32];
	int bad = buf_puts(b, "\"item\":") || put_json_string(b, it->code) ||
		  buf_printf(b, ",\"quantity\":%lld,\"burn_per_day\":", r->quantity) ||
		  put_fixed(b, r->burn_per_day, 3, r->burn_per_day > 0) || buf_puts(b, ",\"days_of_cover\":") ||
		  put_fixed(b, r->days_of_cover, 2, r->cover_known);
	if (!bad && r->cover_known)
		bad = buf_printf(b, ",\"stockout_at\":\"%s\"", clock_format_iso(r->stockout_at, iso));
	else if (!bad)
		bad = buf_puts(b, ",\"stockout_at\":null");
	/* severity and status are renfort's own words: nothing to escape */
	if (!bad && a && a->id)
		bad = buf_printf(b, ",\"alert\":{\"id\":%lld,\"severity\":\"%s\",\"status\":\"%s\"}", a->id, a->severity,
				 a->status);
	else if (!bad)
		bad = buf_puts(b, ",\"alert\":null");
	return bad;
}

/* {fields,"holder_kind":..,"holder_id":..[extra]}: the stock.level event, and the answer of a
 * movement. NULL when memory runs out. */
static char *level_object(const struct holder_info *h, const struct buf *fields, const char *extra)
{
	struct buf b;
	buf_init(&b);
	if (buf_reserve(&b, fields->len + 128) || buf_puts(&b, "{") || buf_append(&b, fields->data, fields->len) ||
	    buf_printf(&b, ",\"holder_kind\":\"%s\",\"holder_id\":%lld%s}", holder_kind_name(h->kind), h->id,
		       extra ? extra : "")) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b);
}

/* Queues the stock.level event of a level, and leaves its fields in `fields` for the caller's
 * answer: written once for both. */
static int emit_level(struct app *app, const struct holder_info *h, const struct stock_row *r, const struct item_info *it,
		      const struct alert_row *a, struct buf *fields)
{
	buf_reset(fields);
	char *text = level_fields(fields, r, it, a) ? NULL : level_object(h, fields, NULL);
	return text ? api_emit_text(app, "stock.level", h->dep, holder_kind_name(h->kind), h->id, text) : -1;
}

/* --- stock.report -------------------------------------------------------------------------------------- */

int op_stock_report(struct app *app, struct op_request *req, struct op_response *res)
{
	const cJSON *b = req->body, *j;
	if (!cJSON_IsObject(b))
		return api_fail(res, 400, "invalid_json", "body", "a JSON object is required");
	if (!req->idem_key[0])
		return api_fail(res, 422, "required", "idempotency_key",
				"is required for a stock report (Idempotency-Key header, or idempotency_key on the websocket)");
	cJSON_ArrayForEach(j, b)
	{
		if (strcmp(j->string, "holder_kind") && strcmp(j->string, "holder_id") && strcmp(j->string, "items") &&
		    strcmp(j->string, "occupancy") && strcmp(j->string, "staff"))
			return api_fail(res, 422, "unknown_field", j->string,
					"is not a field of a stock report (holder_kind, holder_id, items, occupancy, staff)");
	}
	struct holder_info h;
	if (load_holder(app, &req->who, b, &h, res))
		return -1;
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(b, "items");
	int n = cJSON_IsArray(items) ? cJSON_GetArraySize(items) : -1;
	if (n < 1 || n > REPORT_MAX_ITEMS)
		return api_fail(res, 422, "invalid", "items", "must be a list of 1 to 100 {item, quantity}");

	/* occupancy and staff, when given, update the structure (and the catalogue's estimate) */
	const cJSON *occ_j = cJSON_GetObjectItemCaseSensitive(b, "occupancy");
	const cJSON *staff_j = cJSON_GetObjectItemCaseSensitive(b, "staff");
	long long occupancy = -1, staff = -1;
	if ((occ_j || staff_j) && h.kind != HOLDER_STRUCTURE)
		return api_fail(res, 422, "invalid", occ_j ? "occupancy" : "staff", "is only for structures");
	if (occ_j && read_count(occ_j, "occupancy", 20000, &occupancy, res))
		return -1;
	if (staff_j && read_count(staff_j, "staff", 50000, &staff, res))
		return -1;

	/* every line is checked before anything is written */
	struct item_info its[REPORT_MAX_ITEMS];
	long long qty[REPORT_MAX_ITEMS];
	int k = 0;
	cJSON_ArrayForEach(j, items)
	{
		char field[48];
		snprintf(field, sizeof field, "items[%d]", k);
		const cJSON *f;
		if (!cJSON_IsObject(j))
			return api_fail(res, 422, "invalid", field, "must be an object {item, quantity}");
		cJSON_ArrayForEach(f, j)
		{
			if (strcmp(f->string, "item") && strcmp(f->string, "quantity")) {
				snprintf(field, sizeof field, "items[%d].%.20s", k, f->string);
				return api_fail(res, 422, "unknown_field", field, "is not a field of a report line (item, quantity)");
			}
		}
		snprintf(field, sizeof field, "items[%d].item", k);
		if (load_item(app, cJSON_GetObjectItemCaseSensitive(j, "item"), field, &its[k], res))
			return -1;
		for (int m = 0; m < k; m++)
			if (its[m].id == its[k].id)
				return api_fail(res, 422, "invalid", field, "appears twice in the report");
		snprintf(field, sizeof field, "items[%d].quantity", k);
		if (read_count(cJSON_GetObjectItemCaseSensitive(j, "quantity"), field, QUANTITY_MAX, &qty[k], res))
			return -1;
		k++;
	}

	struct store *st = app->store;
	long long now = store_now(st);
	if (occupancy >= 0 || staff >= 0) {
		struct record *patch = record_new(&entity_structure);
		if (occupancy >= 0)
			record_set_int(patch, STRUCTURE_OCCUPANCY, occupancy);
		if (staff >= 0)
			record_set_int(patch, STRUCTURE_STAFF, staff);
		struct principal all = {.role = ROLE_ADMIN};
		struct record *cur = NULL;
		int rc = store_record_get(st, &entity_structure, &all, h.id, &cur);
		if (!rc && occupancy >= 0 && cur->v[STRUCTURE_CAPACITY].state == V_SET && occupancy > cur->v[STRUCTURE_CAPACITY].i)
			rc = STORE_INVALID;
		record_free(cur);
		if (rc == STORE_INVALID) {
			record_free(patch);
			return api_fail(res, 422, "invalid", "occupancy", "must not exceed the structure's capacity");
		}
		if (!rc)
			rc = store_record_update(st, &all, h.id, patch);
		record_free(patch);
		if (rc)
			return api_fail_store(app, res, rc, "occupancy");
		if (occupancy >= 0)
			h.occupancy = occupancy;
		if (staff >= 0)
			h.staff = staff;
	}

	long long report_id;
	int rc = store_report_insert(st, h.kind, h.id, n, occupancy, staff, req->who.token_id, req->idem_key, &report_id);
	if (rc)
		return api_fail_store(app, res, rc, "report");
	struct burn_params bp = burn_default_params();
	char iso[32];
	struct buf answer, fields;
	buf_init(&answer);
	buf_init(&fields);
	int bad = buf_reserve(&answer, 128 + 256 * (size_t)n) ||
		  buf_printf(&answer, "{\"report_id\":%lld,\"holder_kind\":\"%s\",\"holder_id\":%lld,\"at\":\"%s\",\"levels\":[",
			     report_id, holder_kind_name(h.kind), h.id, clock_format_iso(now, iso));
	for (int i = 0; i < n && !bad; i++) {
		struct stock_row r;
		rc = store_stock_get(st, h.kind, h.id, its[i].id, &r);
		if (rc == STORE_NOTFOUND) {
			memset(&r, 0, sizeof r);
			r.kind = h.kind;
			r.holder_id = h.id;
			r.item_id = its[i].id;
			rc = STORE_OK;
		}
		long long before = r.quantity;
		if (!rc) {
			burn_observe(&r.burn, qty[i], now, &bp);
			r.quantity = qty[i];
			r.reported_at = r.updated_at = now;
			refresh_cover(&r, &its[i], &h, now);
			rc = store_stock_put(st, &r);
		}
		if (!rc)
			rc = store_ledger_append(st, h.kind, h.id, its[i].id, "report", qty[i] - before, qty[i], req->who.token_id,
						 req->idem_key, report_id);
		struct alert_row a;
		if (!rc)
			rc = alert_engine_shortage(app, &h, &its[i], &r, &a);
		if (rc) {
			buf_release(&answer);
			buf_release(&fields);
			return api_fail_store(app, res, rc, "items");
		}
		bad = emit_level(app, &h, &r, &its[i], &a, &fields) || (i && buf_puts(&answer, ",")) ||
		      buf_puts(&answer, "{") || buf_append(&answer, fields.data, fields.len) || buf_puts(&answer, "}");
	}
	buf_release(&fields);
	if (bad || buf_puts(&answer, "]}")) {
		buf_release(&answer);
		return api_fail(res, 503, "unavailable", "", "out of memory");
	}
	if ((rc = alert_engine_reported(app, &h))) {
		buf_release(&answer);
		return api_fail_store(app, res, rc, "report");
	}
	res->data_text = buf_detach(&answer);
	res->status = 201;
	return 0;
}

/* --- stock.movement: receipts, dispatches, consumption, adjustments ---------------------------------------- */

int op_stock_movement(struct app *app, struct op_request *req, struct op_response *res)
{
	static const char *const kinds[] = {"receipt", "dispatch", "consumption", "adjustment", NULL};
	const cJSON *b = req->body, *j;
	if (!cJSON_IsObject(b))
		return api_fail(res, 400, "invalid_json", "body", "a JSON object is required");
	if (!req->idem_key[0])
		return api_fail(res, 422, "required", "idempotency_key", "is required for a stock movement");
	cJSON_ArrayForEach(j, b)
	{
		if (strcmp(j->string, "holder_kind") && strcmp(j->string, "holder_id") && strcmp(j->string, "item") &&
		    strcmp(j->string, "kind") && strcmp(j->string, "quantity"))
			return api_fail(res, 422, "unknown_field", j->string,
					"is not a field of a movement (holder_kind, holder_id, item, kind, quantity)");
	}
	struct holder_info h;
	struct item_info it;
	if (load_holder(app, &req->who, b, &h, res) || load_item(app, cJSON_GetObjectItemCaseSensitive(b, "item"), "item", &it, res))
		return -1;
	const cJSON *kind_j = cJSON_GetObjectItemCaseSensitive(b, "kind");
	const char *kind = NULL;
	for (int i = 0; kinds[i] && cJSON_IsString(kind_j); i++)
		if (strcmp(kind_j->valuestring, kinds[i]) == 0)
			kind = kinds[i];
	if (!kind)
		return api_fail(res, 422, "invalid", "kind", "must be receipt, dispatch, consumption or adjustment");
	long long q;
	if (read_count(cJSON_GetObjectItemCaseSensitive(b, "quantity"), "quantity", QUANTITY_MAX, &q, res))
		return -1;
	if (q == 0)
		return api_fail(res, 422, "invalid", "quantity", "must be more than 0");
	struct store *st = app->store;
	long long now = store_now(st);
	struct stock_row r;
	int rc = store_stock_get(st, h.kind, h.id, it.id, &r);
	if (rc == STORE_NOTFOUND) {
		memset(&r, 0, sizeof r);
		r.kind = h.kind;
		r.holder_id = h.id;
		r.item_id = it.id;
	} else if (rc)
		return api_fail_store(app, res, rc, "item");
	/* adjustment: the quantity is a correction upwards or downwards? we take it as the new level */
	long long delta = strcmp(kind, "receipt") == 0 ? q : strcmp(kind, "adjustment") == 0 ? q - r.quantity : -q;
	if (r.quantity + delta < 0)
		return api_fail(res, 422, "invalid", "quantity", "is more than the holder has");
	r.quantity += delta;
	r.updated_at = now;
	/* receipts and dispatches are not consumption: the estimator must not see them as such */
	if (strcmp(kind, "receipt") == 0 || strcmp(kind, "dispatch") == 0 || strcmp(kind, "adjustment") == 0)
		burn_inflow(&r.burn, delta);
	refresh_cover(&r, &it, &h, now);
	struct alert_row a;
	if ((rc = store_stock_put(st, &r)) ||
	    (rc = store_ledger_append(st, h.kind, h.id, it.id, kind, delta, r.quantity, req->who.token_id, req->idem_key, 0)) ||
	    (rc = alert_engine_shortage(app, &h, &it, &r, &a)))
		return api_fail_store(app, res, rc, "item");
	char extra[96];
	snprintf(extra, sizeof extra, ",\"kind\":\"%s\",\"delta\":%lld", kind, delta);
	struct buf fields;
	buf_init(&fields);
	int bad = emit_level(app, &h, &r, &it, &a, &fields) || !(res->data_text = level_object(&h, &fields, extra));
	buf_release(&fields);
	if (bad)
		return api_fail(res, 503, "unavailable", "", "out of memory");
	res->status = 201;
	return 0;
}

/* --- reads ---------------------------------------------------------------------------------------------- */

static int add_level(void *ctx, const struct level_view *v)
{
	char iso[32];
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "holder_kind", v->holder_kind);
	cJSON_AddNumberToObject(o, "holder_id", (double)v->holder_id);
	cJSON_AddStringToObject(o, "holder_name", v->holder_name);
	cJSON_AddStringToObject(o, "dep", v->dep);
	if (v->category)
		cJSON_AddStringToObject(o, "category", v->category);
	else
		cJSON_AddNullToObject(o, "category");
	cJSON_AddStringToObject(o, "item", v->item_code);
	cJSON_AddStringToObject(o, "item_name", v->item_name);
	cJSON_AddStringToObject(o, "unit", v->unit);
	cJSON_AddNumberToObject(o, "quantity", (double)v->quantity);
	if (v->reported_at)
		cJSON_AddStringToObject(o, "reported_at", clock_format_iso(v->reported_at, iso));
	else
		cJSON_AddNullToObject(o, "reported_at");
	if (v->burn_per_day > 0)
		cJSON_AddNumberToObject(o, "burn_per_day", round(v->burn_per_day * 1000) / 1000);
	else
		cJSON_AddNullToObject(o, "burn_per_day");
	if (v->cover_known) {
		cJSON_AddNumberToObject(o, "days_of_cover", round(v->days_of_cover * 100) / 100);
		cJSON_AddStringToObject(o, "stockout_at", clock_format_iso(v->stockout_at, iso));
	} else {
		cJSON_AddNullToObject(o, "days_of_cover");
		cJSON_AddNullToObject(o, "stockout_at");
	}
	if (v->alert_severity)
		cJSON_AddStringToObject(o, "alert", v->alert_severity);
	else
		cJSON_AddNullToObject(o, "alert");
	cJSON_AddItemToArray(ctx, o);
	return 0;
}

int op_stock_levels(struct app *app, struct op_request *req, struct op_response *res)
{
	static const char *const names[] = {"holder_kind", "holder_id", "dep", "item", "category", "severity", "sort",
					    "limit", "offset", NULL};
	if (api_only_params(req, res, names,
			    "is not a filter of stock levels (holder_kind, holder_id, dep, item, category, severity, sort, "
			    "limit, offset)"))
		return -1;
	char t[6][80];
	struct level_query q;
	memset(&q, 0, sizeof q);
	q.holder_kind = api_param(req, "holder_kind", t[0], 80);
	q.dep = api_param(req, "dep", t[1], 80);
	q.item = api_param(req, "item", t[2], 80);
	q.category = api_param(req, "category", t[3], 80);
	q.severity = api_param(req, "severity", t[4], 80);
	const char *v;
	if (q.holder_kind && holder_kind_parse(q.holder_kind) < 0)
		return api_fail(res, 422, "invalid", "holder_kind", "must be structure or depot");
	if (q.dep && strlen(q.dep) != 2)
		return api_fail(res, 422, "invalid", "dep", "must be a département code like 81");
	if (q.severity && strcmp(q.severity, "warning") && strcmp(q.severity, "critical") && strcmp(q.severity, "stockout"))
		return api_fail(res, 422, "invalid", "severity", "must be warning, critical or stockout (that level or worse)");
	if (api_param_int(req, "holder_id", 1, LLONG_MAX, &q.holder_id, "must be a positive integer", res))
		return -1;
	if ((v = api_param(req, "sort", t[5], 80))) {
		if (strcmp(v, "cover") == 0)
			q.sort = 1;
		else if (strcmp(v, "-cover") == 0)
			q.sort = -1;
		else if (strcmp(v, "holder"))
			return api_fail(res, 422, "invalid", "sort", "must be holder, cover or -cover");
	}
	if (api_param_limit(app, req, &q.limit, res) ||
	    api_param_int(req, "offset", 0, LLONG_MAX, &q.offset, "must be a non-negative integer", res))
		return -1;
	cJSON *items = cJSON_CreateArray();
	long long total = 0;
	int rc = store_level_list(app->store, &req->who, &q, add_level, items, &total);
	if (rc) {
		cJSON_Delete(items);
		return api_fail_store(app, res, rc, "levels");
	}
	res->data = cJSON_CreateObject();
	cJSON_AddItemToObject(res->data, "items", items);
	cJSON_AddNumberToObject(res->data, "total", (double)total);
	return 0;
}

static int add_cover(void *ctx, const struct cover_view *v)
{
	cJSON *o = cJSON_CreateObject();
	if (v->dep)
		cJSON_AddStringToObject(o, "dep", v->dep);
	else
		cJSON_AddStringToObject(o, "dep", "region");
	cJSON_AddStringToObject(o, "item", v->item_code);
	cJSON_AddStringToObject(o, "item_name", v->item_name);
	cJSON_AddStringToObject(o, "unit", v->unit);
	cJSON_AddNumberToObject(o, "structures", (double)v->holders);
	cJSON_AddNumberToObject(o, "quantity", (double)v->quantity);
	cJSON_AddNumberToObject(o, "burn_per_day", round(v->burn_per_day * 1000) / 1000);
	/* cover of the stock whose consumption is known: stock of holders without a rate would
	 * stretch it without bounds */
	cJSON_AddNumberToObject(o, "structures_with_rate", (double)v->rated_holders);
	if (v->burn_per_day > 0)
		cJSON_AddNumberToObject(o, "days_of_cover", round((double)v->rated_quantity / v->burn_per_day * 100) / 100);
	else
		cJSON_AddNullToObject(o, "days_of_cover");
	cJSON *alerts = cJSON_AddObjectToObject(o, "alerts");
	cJSON_AddNumberToObject(alerts, "warning", (double)v->warning);
	cJSON_AddNumberToObject(alerts, "critical", (double)v->critical);
	cJSON_AddNumberToObject(alerts, "stockout", (double)v->stockout);
	cJSON_AddItemToArray(ctx, o);
	return 0;
}

int op_stock_cover(struct app *app, struct op_request *req, struct op_response *res)
{
	static const char *const names[] = {"dep", "item", "category", NULL};
	if (api_only_params(req, res, names, "is not a filter of the cover roll-up (dep, item, category)"))
		return -1;
	char t1[16], t2[80], t3[40];
	const char *dep = api_param(req, "dep", t1, sizeof t1), *item = api_param(req, "item", t2, sizeof t2);
	const char *category = api_param(req, "category", t3, sizeof t3);
	const struct field *cf = entity_field(&entity_structure, "category", NULL);
	if (category && !field_enum_ok(cf, category))
		return api_fail(res, 422, "invalid", "category", "is not a structure category");
	if (dep && strlen(dep) != 2)
		return api_fail(res, 422, "invalid", "dep", "must be a département code like 81");
	if (dep && !principal_covers_dep(&req->who, dep))
		return api_fail(res, 404, "not_found", "dep", "no such département in your territory");
	cJSON *items = cJSON_CreateArray();
	int rc = store_cover_rollup(app->store, &req->who, dep, item, category, add_cover, items);
	if (rc) {
		cJSON_Delete(items);
		return api_fail_store(app, res, rc, "cover");
	}
	res->data = cJSON_CreateObject();
	cJSON_AddItemToObject(res->data, "items", items);
	return 0;
}

/* --- threshold overrides ---------------------------------------------------------------------------------- */

static int add_override(void *ctx, long long item, const char *code, double warning, double critical)
{
	cJSON *o = cJSON_CreateObject();
	if (item)
		cJSON_AddStringToObject(o, "item", code ? code : "");
	else
		cJSON_AddNullToObject(o, "item");
	cJSON_AddNumberToObject(o, "warning_days", warning);
	cJSON_AddNumberToObject(o, "critical_days", critical);
	cJSON_AddItemToArray(ctx, o);
	return 0;
}

static int params_holder(struct app *app, struct op_request *req, struct holder_info *h, struct op_response *res)
{
	char t1[32], t2[32];
	const char *kind = api_param(req, "holder_kind", t1, sizeof t1), *id = api_param(req, "holder_id", t2, sizeof t2);
	cJSON *b = cJSON_CreateObject();
	if (kind)
		cJSON_AddStringToObject(b, "holder_kind", kind);
	if (id)
		cJSON_AddNumberToObject(b, "holder_id", strtod(id, NULL));
	int rc = load_holder(app, &req->who, b, h, res);
	cJSON_Delete(b);
	return rc;
}

int op_thresholds_list(struct app *app, struct op_request *req, struct op_response *res)
{
	struct holder_info h;
	if (params_holder(app, req, &h, res))
		return -1;
	cJSON *items = cJSON_CreateArray();
	int rc = store_override_list(app->store, h.kind, h.id, add_override, items);
	if (rc) {
		cJSON_Delete(items);
		return api_fail_store(app, res, rc, "thresholds");
	}
	res->data = cJSON_CreateObject();
	cJSON_AddStringToObject(res->data, "holder_kind", holder_kind_name(h.kind));
	cJSON_AddNumberToObject(res->data, "holder_id", (double)h.id);
	cJSON_AddItemToObject(res->data, "overrides", items);
	return 0;
}

int op_thresholds_set(struct app *app, struct op_request *req, struct op_response *res)
{
	const cJSON *b = req->body, *j;
	if (!cJSON_IsObject(b))
		return api_fail(res, 400, "invalid_json", "body", "a JSON object is required");
	cJSON_ArrayForEach(j, b)
	{
		if (strcmp(j->string, "holder_kind") && strcmp(j->string, "holder_id") && strcmp(j->string, "item") &&
		    strcmp(j->string, "warning_days") && strcmp(j->string, "critical_days"))
			return api_fail(res, 422, "unknown_field", j->string,
					"is not a field of a threshold (holder_kind, holder_id, item, warning_days, critical_days)");
	}
	struct holder_info h;
	if (load_holder(app, &req->who, b, &h, res))
		return -1;
	struct item_info it;
	memset(&it, 0, sizeof it);
	const cJSON *item_j = cJSON_GetObjectItemCaseSensitive(b, "item");
	if (item_j && !cJSON_IsNull(item_j) && load_item(app, item_j, "item", &it, res))
		return -1;
	const cJSON *w = cJSON_GetObjectItemCaseSensitive(b, "warning_days");
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(b, "critical_days");
	if (!cJSON_IsNumber(w) || !(w->valuedouble > 0) || w->valuedouble > 365)
		return api_fail(res, 422, "invalid", "warning_days", "must be a number of days from 0 (excluded) to 365");
	if (!cJSON_IsNumber(c) || !(c->valuedouble > 0) || c->valuedouble > w->valuedouble)
		return api_fail(res, 422, "invalid", "critical_days", "must be more than 0 and at most warning_days");
	int rc = store_override_set(app->store, h.kind, h.id, it.id, w->valuedouble, c->valuedouble);
	if (rc)
		return api_fail_store(app, res, rc, "thresholds");
	res->data = cJSON_CreateObject();
	cJSON_AddStringToObject(res->data, "holder_kind", holder_kind_name(h.kind));
	cJSON_AddNumberToObject(res->data, "holder_id", (double)h.id);
	if (it.id)
		cJSON_AddStringToObject(res->data, "item", it.code);
	else
		cJSON_AddNullToObject(res->data, "item");
	cJSON_AddNumberToObject(res->data, "warning_days", w->valuedouble);
	cJSON_AddNumberToObject(res->data, "critical_days", c->valuedouble);
	return 0;
}

int op_thresholds_delete(struct app *app, struct op_request *req, struct op_response *res)
{
	struct holder_info h;
	if (params_holder(app, req, &h, res))
		return -1;
	char t[80];
	const char *item = api_param(req, "item", t, sizeof t);
	struct item_info it;
	memset(&it, 0, sizeof it);
	if (item) {
		cJSON *j = cJSON_CreateString(item);
		int bad = load_item(app, j, "item", &it, res);
		cJSON_Delete(j);
		if (bad)
			return -1;
	}
	int rc = store_override_delete(app->store, h.kind, h.id, it.id);
	if (rc)
		return api_fail_store(app, res, rc, "item");
	res->data = cJSON_CreateObject();
	cJSON_AddBoolToObject(res->data, "deleted", 1);
	return 0;
}
