/* api_stock: stock reports and movements (writes: one transaction each, acknowledged after commit),
 * levels with days of cover, roll-ups by département and region, and threshold overrides. */
#include "api_stock.h"

#include "alert_engine.h"
#include "api_alert.h"
#include "api_handlers.h"
#include "app.h"
#include "events.h"
#include "buf.h"
#include "burn.h"
#include "clock.h"
#include "forecast.h"
#include "stock.h"
#include "stock_forecast.h"
#include "store_alert.h"
#include "store_record.h"
#include "store_stock.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


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

/* --- the forecast's fields (issue 14), shared by levels written by hand and those of stock.levels ---- */

struct forecast_fields {
	long long at;          /* the time they are computed for */
	long long estimate, counted_at;
	int known;             /* a rate, so a trend and a band */
	double growth;         /* log per day */
	long long low_at, high_at;
	int confidence;
};

#define MS_PER_DAY 86400000.0

/* "name":"<ISO time>" (no printf: every level line writes three of them) */
static int put_time(struct buf *b, const char *name, long long ms)
{
	char iso[32];
	return buf_puts(b, name) || buf_puts(b, ":\"") || buf_puts(b, clock_format_iso(ms, iso)) || buf_puts(b, "\"");
}

/* {"quantity":..,"age_hours":..}: the stock estimated now and how old its count is (the count's date
 * is the level's reported_at, or the report's at) */
static int put_estimate(struct buf *b, const struct forecast_fields *f)
{
	if (buf_puts(b, "{\"quantity\":") || put_fixed(b, (double)f->estimate, 0, 1))
		return -1;
	if (!f->counted_at)
		return buf_puts(b, ",\"age_hours\":null}");
	double age = f->at > f->counted_at ? (double)(f->at - f->counted_at) / 3600000.0 : 0;
	return buf_puts(b, ",\"age_hours\":") || put_fixed(b, age, 1, 1) || buf_puts(b, "}");
}

/* {"growth_per_day":..}: how much more is used each day (0.1: 10% more), or null */
static int put_trend(struct buf *b, const struct forecast_fields *f)
{
	if (!f->known)
		return buf_puts(b, "null");
	return buf_puts(b, "{\"growth_per_day\":") || put_fixed(b, expm1(f->growth), 3, 1) || buf_puts(b, "}");
}

/* {"days_low":..,"days_high":..,"stockout_low_at":..,"stockout_high_at":..}, or null */
static int put_band(struct buf *b, const struct forecast_fields *f)
{
	if (!f->known || !f->low_at)
		return buf_puts(b, "null");
	double lo = f->low_at > f->at ? (double)(f->low_at - f->at) / MS_PER_DAY : 0;
	double hi = f->high_at > f->at ? (double)(f->high_at - f->at) / MS_PER_DAY : 0;
	return buf_puts(b, "{\"days_low\":") || put_fixed(b, lo, 2, 1) || buf_puts(b, ",\"days_high\":") ||
	       put_fixed(b, hi, 2, 1) || buf_puts(b, ",") || put_time(b, "\"stockout_low_at\"", f->low_at) ||
	       buf_puts(b, ",") || put_time(b, "\"stockout_high_at\"", f->high_at) || buf_puts(b, "}");
}

/* ,"estimate":..,"trend":..,"band":..,"confidence":.. */
static int put_forecast(struct buf *b, const struct forecast_fields *f)
{
	return buf_puts(b, ",\"estimate\":") || put_estimate(b, f) || buf_puts(b, ",\"trend\":") || put_trend(b, f) ||
	       buf_puts(b, ",\"band\":") || put_band(b, f) || buf_puts(b, ",\"confidence\":\"") ||
	       buf_puts(b, forecast_confidence_name((enum forecast_confidence)f->confidence)) || buf_puts(b, "\"");
}

/* The decimals a use rate is given with: four significant digits, three decimals at most (a rate is
 * an estimate: 7999.989 a day, from a day of counts that lasted a few milliseconds more, is 8000). */
static int rate_decimals(double v)
{
	int d = v > 0 ? 3 - (int)floor(log10(v)) : 3;
	return d < 0 ? 0 : d > 3 ? 3 : d;
}

/* A use rate as a JSON number (rate_decimals). */
static double rate_rounded(double v)
{
	double scale = pow(10, rate_decimals(v));
	return round(v * scale) / scale;
}

/* "item":..,"quantity":..,"burn_per_day":..,"days_of_cover":..,"stockout_at":..,"estimate":..,
 * "trend":..,"band":..,"confidence":..,"alert":.. */
static int level_fields(struct buf *b, const struct stock_level *lv)
{
	char iso[32];
	int bad = buf_puts(b, "\"item\":") || put_json_string(b, lv->item_code) ||
		  buf_printf(b, ",\"quantity\":%lld,\"burn_per_day\":", lv->quantity) ||
		  put_fixed(b, lv->burn_per_day, rate_decimals(lv->burn_per_day), lv->burn_per_day > 0 || lv->cover_known) ||
		  buf_puts(b, ",\"days_of_cover\":") ||
		  put_fixed(b, lv->days_of_cover, 2, lv->cover_known);
	if (!bad && lv->cover_known)
		bad = buf_printf(b, ",\"stockout_at\":\"%s\"", clock_format_iso(lv->stockout_at, iso));
	else if (!bad)
		bad = buf_puts(b, ",\"stockout_at\":null");
	struct forecast_fields f = {lv->at,     lv->estimate,	  lv->counted_at,	lv->cover_known,
				    lv->growth, lv->stockout_low_at, lv->stockout_high_at, lv->confidence};
	if (!bad)
		bad = put_forecast(b, &f);
	/* severity and status are renfort's own words: nothing to escape */
	if (!bad && lv->alert_id)
		bad = buf_printf(b, ",\"alert\":{\"id\":%lld,\"severity\":\"%s\",\"status\":\"%s\"}", lv->alert_id,
				 lv->alert_severity, lv->alert_status);
	else if (!bad)
		bad = buf_puts(b, ",\"alert\":null");
	return bad;
}

/* {fields,"holder_kind":..,"holder_id":..[extra]}. NULL when memory runs out. */
static char *level_object_of(enum holder_kind kind, long long holder, const struct buf *fields, const char *extra)
{
	struct buf b;
	buf_init(&b);
	if (buf_reserve(&b, fields->len + 128) || buf_puts(&b, "{") || buf_append(&b, fields->data, fields->len) ||
	    buf_printf(&b, ",\"holder_kind\":\"%s\",\"holder_id\":%lld%s}", holder_kind_name(kind), holder,
		       extra ? extra : "")) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b);
}

char *api_level_object(enum holder_kind kind, long long holder, const struct stock_level *lv, const char *extra)
{
	struct buf fields;
	buf_init(&fields);
	char *text = level_fields(&fields, lv) ? NULL : level_object_of(kind, holder, &fields, extra);
	buf_release(&fields);
	return text;
}

/* --- request bodies into the typed requests of stock.c ------------------------------------------------ */

/* The holder named by the body, or none (HOLDER_NONE): the token's own. */
static int read_holder(const cJSON *body, struct stock_holder_ref *h, struct op_response *res)
{
	const cJSON *kind_j = cJSON_GetObjectItemCaseSensitive(body, "holder_kind");
	const cJSON *id_j = cJSON_GetObjectItemCaseSensitive(body, "holder_id");
	int kind;
	h->kind = HOLDER_NONE;
	h->id = 0;
	if (!kind_j && !id_j)
		return 0;
	if (!cJSON_IsString(kind_j) || (kind = holder_kind_parse(kind_j->valuestring)) < 0 || kind == HOLDER_NONE)
		return api_fail(res, 422, "invalid", "holder_kind", "must be structure or depot");
	h->kind = (enum holder_kind)kind;
	return api_json_int(id_j, "holder_id", 1, INT_EXACT_MAX, &h->id, NULL, res);
}

/* An item given by code (string) or id (number). */
static int read_item(const cJSON *j, const char *field, struct stock_item_ref *it, struct op_response *res)
{
	it->code = NULL;
	it->id = 0;
	if (cJSON_IsString(j)) {
		it->code = j->valuestring;
		return 0;
	}
	if (cJSON_IsNumber(j))
		/* an id that is not a whole number names no item: never the one it would round to */
		return api_json_int(j, field, 1, INT_EXACT_MAX, &it->id, NULL, res);
	return api_fail(res, 422, "invalid", field, "must be an item code (string) or id (number)");
}

/* The holder of a body, found within the caller's scope. */
static int load_holder(struct app *app, const struct principal *who, const cJSON *body, struct holder_info *h,
		       struct op_response *res)
{
	struct stock_holder_ref ref;
	struct rf_error err;
	if (read_holder(body, &ref, res))
		return -1;
	return stock_holder_find(app, who, &ref, h, &err) ? api_fail_error(res, &err) : 0;
}

static int load_item(struct app *app, const cJSON *j, const char *field, struct item_info *it, struct op_response *res)
{
	struct stock_item_ref ref;
	struct rf_error err;
	if (read_item(j, field, &ref, res))
		return -1;
	return stock_item_find(app, &ref, field, it, &err) ? api_fail_error(res, &err) : 0;
}

/* --- stock.report -------------------------------------------------------------------------------------- */

static int read_report(const struct op_request *req, struct stock_report *in, struct op_response *res)
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
		    strcmp(j->string, "occupancy") && strcmp(j->string, "staff") && strcmp(j->string, "confirmed"))
			return api_fail(res, 422, "unknown_field", j->string,
					"is not a field of a stock report (holder_kind, holder_id, items, occupancy, staff, "
					"confirmed)");
	}
	const cJSON *confirmed = cJSON_GetObjectItemCaseSensitive(b, "confirmed");
	if (confirmed && !cJSON_IsBool(confirmed))
		return api_fail(res, 422, "invalid", "confirmed", "must be true or false");
	in->confirmed = cJSON_IsTrue(confirmed);
	if (read_holder(b, &in->holder, res))
		return -1;
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(b, "items");
	int n = cJSON_IsArray(items) ? cJSON_GetArraySize(items) : -1;
	if (n < 1 || n > STOCK_REPORT_MAX_LINES)
		return api_fail(res, 422, "invalid", "items", "must be a list of 1 to 100 {item, quantity}");
	/* occupancy and staff, when given, update the structure (and the catalogue's estimate) */
	const cJSON *occ_j = cJSON_GetObjectItemCaseSensitive(b, "occupancy");
	const cJSON *staff_j = cJSON_GetObjectItemCaseSensitive(b, "staff");
	in->occupancy = in->staff = -1;
	if (occ_j && api_json_int(occ_j, "occupancy", 0, 20000, &in->occupancy, NULL, res))
		return -1;
	if (staff_j && api_json_int(staff_j, "staff", 0, 50000, &in->staff, NULL, res))
		return -1;
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
		if (read_item(cJSON_GetObjectItemCaseSensitive(j, "item"), field, &in->lines[k].item, res))
			return -1;
		snprintf(field, sizeof field, "items[%d].quantity", k);
		if (api_json_int(cJSON_GetObjectItemCaseSensitive(j, "quantity"), field, 0, STOCK_QUANTITY_MAX,
				 &in->lines[k].quantity, NULL, res))
			return -1;
		k++;
	}
	in->nlines = n;
	in->idempotency_key = req->idem_key;
	return 0;
}

/* The answer: {"report_id","holder_kind","holder_id","at","levels":[...]}; each level's fields are
 * written once, for the answer and for its stock.level event. */
static char *report_answer(struct app *app, const struct stock_report_result *r)
{
	char iso[32];
	struct buf answer, fields;
	buf_init(&answer);
	buf_init(&fields);
	int bad = buf_reserve(&answer, 128 + 256 * (size_t)r->nlines) ||
		  buf_printf(&answer, "{\"report_id\":%lld,\"holder_kind\":\"%s\",\"holder_id\":%lld,\"at\":\"%s\",\"levels\":[",
			     r->report_id, holder_kind_name(r->holder_kind), r->holder_id, clock_format_iso(r->at, iso));
	for (int i = 0; i < r->nlines && !bad; i++) {
		buf_reset(&fields);
		char *event = NULL;
		bad = level_fields(&fields, &r->levels[i]) ||
		      !(event = level_object_of(r->holder_kind, r->holder_id, &fields, NULL)) || (i && buf_puts(&answer, ",")) ||
		      buf_puts(&answer, "{") || buf_append(&answer, fields.data, fields.len) || buf_puts(&answer, "}");
		if (event)
			events_set_text(app, r->levels[i].event, event);
	}
	buf_release(&fields);
	if (bad || buf_puts(&answer, "]}")) {
		buf_release(&answer);
		return NULL;
	}
	return buf_detach(&answer);
}

int op_stock_report(struct app *app, struct op_request *req, struct op_response *res)
{
	struct stock_report *in = malloc(sizeof *in);
	struct stock_report_result *out = malloc(sizeof *out);
	struct rf_error err;
	int rc = -1;
	if (!in || !out)
		api_fail(res, 503, "unavailable", "", "out of memory");
	else if (read_report(req, in, res) == 0) {
		if (stock_report_apply(app, &req->who, in, out, &err))
			api_fail_error(res, &err);
		else if (!(res->data_text = report_answer(app, out)))
			api_fail(res, 503, "unavailable", "", "out of memory");
		else {
			res->status = 201;
			rc = 0;
		}
	}
	free(in);
	free(out);
	return rc;
}

/* --- stock.movement: receipts, dispatches, consumption, adjustments ---------------------------------------- */

int op_stock_movement(struct app *app, struct op_request *req, struct op_response *res)
{
	const cJSON *b = req->body, *j;
	if (!cJSON_IsObject(b))
		return api_fail(res, 400, "invalid_json", "body", "a JSON object is required");
	if (!req->idem_key[0])
		return api_fail(res, 422, "required", "idempotency_key", "is required for a stock movement");
	cJSON_ArrayForEach(j, b)
	{
		if (strcmp(j->string, "holder_kind") && strcmp(j->string, "holder_id") && strcmp(j->string, "item") &&
		    strcmp(j->string, "kind") && strcmp(j->string, "quantity") && strcmp(j->string, "origin"))
			return api_fail(res, 422, "unknown_field", j->string,
					"is not a field of a movement (holder_kind, holder_id, item, kind, quantity, origin)");
	}
	struct stock_movement in = {.idempotency_key = req->idem_key};
	if (read_holder(b, &in.holder, res) || read_item(cJSON_GetObjectItemCaseSensitive(b, "item"), "item", &in.item, res))
		return -1;
	const cJSON *kind_j = cJSON_GetObjectItemCaseSensitive(b, "kind");
	int kind = cJSON_IsString(kind_j) ? stock_movement_kind_parse(kind_j->valuestring) : -1;
	if (kind < 0)
		return api_fail(res, 422, "invalid", "kind", "must be receipt, dispatch, consumption or adjustment");
	in.kind = (enum stock_movement_kind)kind;
	if (api_json_int(cJSON_GetObjectItemCaseSensitive(b, "quantity"), "quantity", 0, STOCK_QUANTITY_MAX, &in.quantity,
			 NULL, res))
		return -1;
	if (in.quantity == 0)
		return api_fail(res, 422, "invalid", "quantity", "must be more than 0");
	/* a receipt no allocation delivers says where it came from (a receipt of an allocation is that
	 * allocation's: allocations.receive) */
	const cJSON *origin_j = cJSON_GetObjectItemCaseSensitive(b, "origin");
	if (origin_j && in.kind != MOVE_RECEIPT)
		return api_fail(res, 422, "invalid", "origin", "is only for receipts");
	if (origin_j && (!cJSON_IsString(origin_j) || !stock_origin_known(origin_j->valuestring)))
		return api_fail(res, 422, "invalid", "origin", "must be " STOCK_ORIGINS);
	in.origin = origin_j ? origin_j->valuestring : NULL;
	struct stock_movement_result out;
	struct rf_error err;
	if (stock_move(app, &req->who, &in, &out, &err))
		return api_fail_error(res, &err);
	char extra[96];
	snprintf(extra, sizeof extra, ",\"kind\":\"%s\",\"delta\":%lld", stock_movement_kind_name(in.kind), out.delta);
	if (!(res->data_text = api_level_object(out.holder_kind, out.holder_id, &out.level, extra)))
		return api_fail(res, 503, "unavailable", "", "out of memory");
	res->status = 201;
	return 0;
}

/* --- reads ---------------------------------------------------------------------------------------------- */

struct level_ctx {
	const struct app *app;
	long long now;
	cJSON *items;
};

/* A forecast field written by hand into a cJSON object, as it is in every level */
static int add_raw(cJSON *o, const char *name, const struct forecast_fields *f,
		   int (*put)(struct buf *b, const struct forecast_fields *f))
{
	struct buf b;
	buf_init(&b);
	int bad = put(&b, f) || !cJSON_AddRawToObject(o, name, b.data);
	buf_release(&b);
	return bad ? -1 : 0;
}

static int add_level(void *ctx, const struct level_view *v)
{
	char iso[32];
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToArray(((const struct level_ctx *)ctx)->items, o);
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
	const struct level_ctx *lc = ctx;
	struct level_forecast fc;
	stock_forecast_view(lc->app, v, lc->now, &fc);
	if (fc.rate > 0 || fc.cover_known)
		cJSON_AddNumberToObject(o, "burn_per_day", rate_rounded(fc.rate));
	else
		cJSON_AddNullToObject(o, "burn_per_day");
	if (fc.cover_known) {
		cJSON_AddNumberToObject(o, "days_of_cover", round(fc.days * 100) / 100);
		cJSON_AddStringToObject(o, "stockout_at", clock_format_iso(fc.stockout_at, iso));
	} else {
		cJSON_AddNullToObject(o, "days_of_cover");
		cJSON_AddNullToObject(o, "stockout_at");
	}
	struct forecast_fields f = {lc->now,   fc.estimate,	   fc.counted_at,	  fc.cover_known,
				    fc.growth, fc.stockout_low_at, fc.stockout_high_at, fc.confidence};
	if (add_raw(o, "estimate", &f, put_estimate) || add_raw(o, "trend", &f, put_trend) ||
	    add_raw(o, "band", &f, put_band))
		return -1;
	cJSON_AddStringToObject(o, "confidence", forecast_confidence_name((enum forecast_confidence)fc.confidence));
	if (v->alert_severity)
		cJSON_AddStringToObject(o, "alert", v->alert_severity);
	else
		cJSON_AddNullToObject(o, "alert");
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
	if (api_param_int(req, "holder_id", 1, INT_EXACT_MAX, &q.holder_id, NULL, res))
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
	    api_param_int(req, "offset", 0, INT_EXACT_MAX, &q.offset, NULL, res))
		return -1;
	cJSON *items = cJSON_CreateArray();
	long long total = 0;
	struct level_ctx lc = {app, req->now, items};
	int rc = store_level_list(app->store, &req->who, &q, add_level, &lc, &total);
	if (rc) {
		cJSON_Delete(items);
		return api_fail_store(app, res, rc, "levels");
	}
	res->data = cJSON_CreateObject();
	cJSON_AddItemToObject(res->data, "items", items);
	cJSON_AddNumberToObject(res->data, "total", (double)total);
	return 0;
}

static int add_cover(void *ctx, const struct cover_line *v)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToArray(ctx, o);
	cJSON_AddStringToObject(o, "dep", v->dep ? v->dep : "region");
	cJSON_AddStringToObject(o, "item", v->item_code);
	cJSON_AddStringToObject(o, "item_name", v->item_name);
	cJSON_AddStringToObject(o, "unit", v->unit);
	cJSON_AddNumberToObject(o, "structures", (double)v->holders);
	cJSON_AddNumberToObject(o, "quantity", (double)v->quantity);
	cJSON_AddNumberToObject(o, "estimate", (double)v->estimate);
	cJSON_AddNumberToObject(o, "burn_per_day", rate_rounded(v->burn_per_day));
	/* cover of the stock whose consumption is known: stock of holders without a rate would
	 * stretch it without bounds */
	cJSON_AddNumberToObject(o, "structures_with_rate", (double)v->rated_holders);
	struct forecast_fields f = {0, 0, 0, v->cover_known, v->growth, 0, 0, 0};
	if (add_raw(o, "trend", &f, put_trend))
		return -1;
	if (v->cover_known) {
		cJSON_AddNumberToObject(o, "days_of_cover", round(v->days * 100) / 100);
		cJSON *band = cJSON_AddObjectToObject(o, "band");
		cJSON_AddNumberToObject(band, "days_low", round(v->days_low * 100) / 100);
		cJSON_AddNumberToObject(band, "days_high", round(v->days_high * 100) / 100);
	} else {
		cJSON_AddNullToObject(o, "days_of_cover");
		cJSON_AddNullToObject(o, "band");
	}
	if (v->worst_known)
		cJSON_AddNumberToObject(o, "worst_days_of_cover", round(v->worst_days * 100) / 100);
	else
		cJSON_AddNullToObject(o, "worst_days_of_cover");
	cJSON *conf = cJSON_AddObjectToObject(o, "confidence");
	for (int c = CONFIDENCE_LOW; c <= CONFIDENCE_HIGH; c++)
		cJSON_AddNumberToObject(conf, forecast_confidence_name((enum forecast_confidence)c), (double)v->confidence[c]);
	cJSON *alerts = cJSON_AddObjectToObject(o, "alerts");
	cJSON_AddNumberToObject(alerts, "warning", (double)v->warning);
	cJSON_AddNumberToObject(alerts, "critical", (double)v->critical);
	cJSON_AddNumberToObject(alerts, "stockout", (double)v->stockout);
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
	int rc = stock_forecast_cover(app, &req->who, dep, item, category, req->now, add_cover, items);
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
	const char *kind = api_param(req, "holder_kind", t1, sizeof t1), *id_s = api_param(req, "holder_id", t2, sizeof t2);
	long long id = 0;
	if (api_param_int(req, "holder_id", 1, INT_EXACT_MAX, &id, NULL, res))
		return -1;
	cJSON *b = cJSON_CreateObject();
	if (kind)
		cJSON_AddStringToObject(b, "holder_kind", kind);
	if (id_s)
		cJSON_AddNumberToObject(b, "holder_id", (double)id);
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
