/* api_alert: alerts for people (list, read, acknowledge, resolve), as CAP 1.2, the SMS outbox as
 * coordinators see it, and the test clock. */
#include "api_alert.h"

#include "alert_engine.h"
#include "alert_escalation.h"
#include "deployment.h"
#include "volunteer_availability.h"
#include "api_handlers.h"
#include "app.h"
#include "cap.h"
#include "clock.h"
#include "stock_forecast.h"
#include "store_alert.h"
#include "store_sms.h"
#include "validate.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Who did a thing: their token and its label (a coordinator's own token bears their name); null
 * when nobody did. */
cJSON *person_json(long long token, const char *label)
{
	if (!token)
		return cJSON_CreateNull();
	cJSON *p = cJSON_CreateObject();
	cJSON_AddNumberToObject(p, "token_id", (double)token);
	cJSON_AddStringToObject(p, "name", label ? label : "");
	return p;
}

static void add_person(cJSON *o, const char *name, long long token, const char *label)
{
	cJSON_AddItemToObject(o, name, person_json(token, label));
}

cJSON *alert_json(const struct alert_row *a)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)a->id);
	cJSON_AddStringToObject(o, "kind", a->kind);
	cJSON_AddStringToObject(o, "severity", a->severity);
	cJSON_AddStringToObject(o, "status", a->status);
	cJSON_AddStringToObject(o, "holder_kind", holder_kind_name(a->holder_kind));
	cJSON_AddNumberToObject(o, "holder_id", (double)a->holder_id);
	cJSON_AddStringToObject(o, "holder_name", a->holder_name);
	cJSON_AddStringToObject(o, "dep", a->dep);
	cJSON_AddStringToObject(o, "commune", a->commune);
	cJSON_AddNumberToObject(o, "lat", a->lat);
	cJSON_AddNumberToObject(o, "lng", a->lng);
	if (a->item_id) {
		cJSON_AddStringToObject(o, "item", a->item_code);
		cJSON_AddStringToObject(o, "item_name", a->item_name);
	} else {
		cJSON_AddNullToObject(o, "item");
		cJSON_AddNullToObject(o, "item_name");
	}
	if (a->request_id) /* staff_unfilled: the request, and the places still missing as its quantity */
		cJSON_AddNumberToObject(o, "request_id", (double)a->request_id);
	if (a->quantity >= 0)
		cJSON_AddNumberToObject(o, "quantity", (double)a->quantity);
	else
		cJSON_AddNullToObject(o, "quantity");
	if (a->cover_known) {
		cJSON_AddNumberToObject(o, "days_of_cover", round(a->days_of_cover * 100) / 100);
		api_add_time(o, "stockout_at", a->stockout_at);
	} else {
		cJSON_AddNullToObject(o, "days_of_cover");
		cJSON_AddNullToObject(o, "stockout_at");
	}
	api_add_time(o, "opened_at", a->opened_at);
	api_add_time(o, "updated_at", a->updated_at);
	cJSON_AddNumberToObject(o, "version", a->version);
	api_add_time(o, "acknowledged_at", a->acknowledged_at);
	add_person(o, "acknowledged_by", a->acknowledged_at ? a->acknowledged_by : 0, a->acknowledged_by_name);
	if (a->acknowledged_at)
		cJSON_AddStringToObject(o, "ack_note", a->ack_note);
	else
		cJSON_AddNullToObject(o, "ack_note");
	add_person(o, "assigned_to", a->assigned_to, a->assigned_name);
	api_add_time(o, "assigned_at", a->assigned_to ? a->assigned_at : 0);
	api_add_time(o, "resolved_at", a->resolved_at);
	add_person(o, "resolved_by", a->resolved_at ? a->resolved_by : 0, a->resolved_by_name);
	if (a->resolved_at) {
		cJSON_AddStringToObject(o, "resolution", a->resolution);
		cJSON_AddStringToObject(o, "resolve_note", a->resolve_note);
	} else {
		cJSON_AddNullToObject(o, "resolution");
		cJSON_AddNullToObject(o, "resolve_note");
	}
	/* a shortage that came back within alert_reopen_hours: the same alert, reopened */
	api_add_time(o, "reopened_at", a->reopened_at);
	cJSON_AddNumberToObject(o, "reopen_count", a->reopen_count);
	if (a->allocation_id) {
		/* the allocation that answers it (only when there is one) */
		cJSON *al = cJSON_AddObjectToObject(o, "allocation");
		cJSON_AddNumberToObject(al, "id", (double)a->allocation_id);
		cJSON_AddStringToObject(al, "status", a->allocation_status);
		cJSON_AddNumberToObject(al, "quantity", (double)a->allocation_quantity);
	}
	return o;
}

/* --- operations ------------------------------------------------------------------------------------- */

static int one_of(const char *v, const char *const *values)
{
	for (; *values; values++)
		if (strcmp(v, *values) == 0)
			return 1;
	return 0;
}

struct alert_list_ctx {
	cJSON *items;
	long long last, n;
};

static int add_alert(void *ctx, const struct alert_row *a)
{
	struct alert_list_ctx *c = ctx;
	cJSON_AddItemToArray(c->items, alert_json(a));
	c->last = a->id;
	c->n++;
	return 0;
}

int op_alerts_list(struct app *app, struct op_request *req, struct op_response *res)
{
	static const char *const names[] = {"status", "kind", "severity", "dep", "holder_kind", "holder_id", "after", "limit", NULL};
	static const char *const statuses[] = {"open", "acknowledged", "resolved", "active", NULL};
	static const char *const kinds[] = {"shortage", "silent", "sms_failed", "staff_unfilled", "overstock", "large_receipt", NULL};
	static const char *const severities[] = {"warning", "critical", "stockout", NULL};
	static const char *const holders[] = {"structure", "depot", NULL};
	if (api_only_params(req, res, names, "is not a filter of alerts (status, kind, severity, dep, holder_kind, "
					  "holder_id, after, limit)"))
		return -1;
	char t[5][64];
	struct alert_query q = {api_param(req, "status", t[0], 64), api_param(req, "kind", t[1], 64),
				api_param(req, "severity", t[2], 64), api_param(req, "dep", t[3], 64),
				api_param(req, "holder_kind", t[4], 64), 0, 0, app->cfg.page_size_default};
	if (!q.status)
		q.status = "active";
	if (!one_of(q.status, statuses))
		return api_fail(res, 422, "invalid", "status", "must be open, acknowledged, resolved or active");
	if (q.kind && !one_of(q.kind, kinds))
		return api_fail(res, 422, "invalid", "kind",
				"must be shortage, silent, sms_failed, staff_unfilled, overstock or large_receipt");
	if (q.severity && !one_of(q.severity, severities))
		return api_fail(res, 422, "invalid", "severity", "must be warning, critical or stockout");
	if (q.holder_kind && !one_of(q.holder_kind, holders))
		return api_fail(res, 422, "invalid", "holder_kind", "must be structure or depot");
	if (q.dep && strlen(q.dep) != 2)
		return api_fail(res, 422, "invalid", "dep", "must be a département code like 81");
	if (api_param_int(req, "holder_id", 1, INT_EXACT_MAX, &q.holder_id, NULL, res) ||
	    api_param_int(req, "after", 0, INT_EXACT_MAX, &q.after, "must be the \"next\" value of the previous page", res) ||
	    api_param_limit(app, req, &q.limit, res))
		return -1;
	struct alert_list_ctx c = {cJSON_CreateArray(), 0, 0};
	long long total = 0;
	int rc = store_alert_list(app->store, &req->who, &q, add_alert, &c, &total);
	if (rc) {
		cJSON_Delete(c.items);
		return api_fail_store(app, res, rc, "alerts");
	}
	res->data = cJSON_CreateObject();
	cJSON_AddItemToObject(res->data, "items", c.items);
	cJSON_AddNumberToObject(res->data, "total", (double)total);
	api_add_next(res->data, c.n, q.limit, c.last);
	return 0;
}

/* The alert named by the "id" parameter, if the caller may see it. */
static int alert_from_param(struct app *app, struct op_request *req, struct op_response *res, struct alert_row *a)
{
	long long id;
	if (api_param_id(req, "id", &id, res))
		return -1;
	int rc = store_alert_get(app->store, &req->who, id, a);
	if (rc)
		return api_fail_store(app, res, rc, "alert");
	return 0;
}

int op_alerts_get(struct app *app, struct op_request *req, struct op_response *res)
{
	struct alert_row a;
	if (alert_from_param(app, req, res, &a))
		return -1;
	res->data = alert_json(&a);
	return 0;
}

static int by_person(struct app *app, struct op_request *req, struct op_response *res, int resolve)
{
	long long id;
	if (api_param_id(req, "id", &id, res))
		return -1;
	const char *note = NULL;
	if (req->body) {
		const cJSON *j;
		if (!cJSON_IsObject(req->body))
			return api_fail(res, 400, "invalid_json", "body", "must be a JSON object");
		cJSON_ArrayForEach(j, req->body)
		{
			if (strcmp(j->string, "note"))
				return api_fail(res, 422, "unknown_field", j->string, "is not a field here (note)");
			const char *rule = cJSON_IsString(j) ? validate_text(j->valuestring, 0, 500) : "must be a string";
			if (rule)
				return api_fail(res, 422, "invalid", "note", rule);
			note = j->valuestring;
		}
	}
	struct alert_row a;
	int rc = resolve ? alert_engine_resolve(app, &req->who, id, note, &a)
			 : alert_engine_acknowledge(app, &req->who, id, note, &a);
	if (rc)
		return api_fail_store(app, res, rc, "alert");
	res->data = alert_json(&a);
	return 0;
}

int op_alerts_acknowledge(struct app *app, struct op_request *req, struct op_response *res)
{
	return by_person(app, req, res, 0);
}

int op_alerts_resolve(struct app *app, struct op_request *req, struct op_response *res)
{
	return by_person(app, req, res, 1);
}

/* "renfort@127.0.0.1:8080" from the public URL: CAP senders hold no spaces or commas. */
static void cap_sender(const struct app *app, char *out, size_t n)
{
	const char *host = strstr(app->public_url, "://");
	host = host ? host + 3 : app->public_url;
	snprintf(out, n, "renfort@%s", host[0] ? host : "localhost");
	for (char *p = out; *p; p++)
		if (*p == '/' || *p == ' ' || *p == ',')
			*p = '\0';
}

int op_alerts_cap(struct app *app, struct op_request *req, struct op_response *res)
{
	struct alert_row a;
	if (alert_from_param(app, req, res, &a))
		return -1;
	char sender[280];
	cap_sender(app, sender, sizeof sender);
	struct buf b;
	buf_init(&b);
	cap_alert_xml(&b, &a, sender, app->exercise, 1);
	res->raw_len = b.len;
	res->raw = buf_detach(&b);
	snprintf(res->raw_type, sizeof res->raw_type, "application/cap+xml; charset=utf-8");
	return 0;
}

struct feed_ctx {
	struct buf *b;
	const char *base, *sender;
	int exercise;
};

static int feed_entry(void *ctx, const struct alert_row *a)
{
	struct feed_ctx *c = ctx;
	cap_feed_entry(c->b, a, c->base, c->sender, c->exercise);
	return 0;
}

int op_alerts_feed(struct app *app, struct op_request *req, struct op_response *res)
{
	char sender[280];
	cap_sender(app, sender, sizeof sender);
	struct buf b;
	buf_init(&b);
	cap_feed_begin(&b, app->public_url, req->now);
	struct alert_query q = {"active", NULL, NULL, NULL, NULL, 0, 0, 100000};
	struct feed_ctx c = {&b, app->public_url, sender, app->exercise};
	int rc = store_alert_list(app->store, &req->who, &q, feed_entry, &c, NULL);
	if (rc) {
		buf_release(&b);
		return api_fail_store(app, res, rc, "alerts");
	}
	cap_feed_end(&b);
	res->raw_len = b.len;
	res->raw = buf_detach(&b);
	snprintf(res->raw_type, sizeof res->raw_type, "application/atom+xml; charset=utf-8");
	return 0;
}

static int add_sms(void *ctx, const struct sms_row *r)
{
	cJSON *o = cJSON_CreateObject();
	char iso[32];
	cJSON_AddNumberToObject(o, "id", (double)r->id);
	cJSON_AddStringToObject(o, "created_at", clock_format_iso(r->created_at, iso));
	cJSON_AddStringToObject(o, "kind", r->kind);
	if (r->dep)
		cJSON_AddStringToObject(o, "dep", r->dep);
	else
		cJSON_AddNullToObject(o, "dep");
	cJSON_AddStringToObject(o, "recipient_kind", r->recipient_kind);
	cJSON_AddNumberToObject(o, "recipient_id", (double)r->recipient_id);
	cJSON_AddStringToObject(o, "phone", r->phone ? r->phone : "");
	cJSON_AddStringToObject(o, "lang", r->lang);
	cJSON_AddStringToObject(o, "text", r->text ? r->text : "");
	if (sms_row_alert_id(r))
		cJSON_AddNumberToObject(o, "alert_id", (double)sms_row_alert_id(r));
	else
		cJSON_AddNullToObject(o, "alert_id");
	cJSON_AddStringToObject(o, "status", r->status);
	cJSON_AddNumberToObject(o, "attempts", r->attempts);
	if (r->gateway)
		cJSON_AddStringToObject(o, "gateway", r->gateway);
	else
		cJSON_AddNullToObject(o, "gateway");
	if (r->gateway_ref)
		cJSON_AddStringToObject(o, "gateway_ref", r->gateway_ref);
	else
		cJSON_AddNullToObject(o, "gateway_ref");
	cJSON_AddStringToObject(o, "next_attempt_at", clock_format_iso(r->next_attempt_at, iso));
	if (r->last_error)
		cJSON_AddStringToObject(o, "last_error", r->last_error);
	else
		cJSON_AddNullToObject(o, "last_error");
	cJSON_AddItemToArray(ctx, o);
	return 0;
}

static int add_count(void *ctx, const char *status, long long n)
{
	cJSON_AddNumberToObject(ctx, status, (double)n);
	return 0;
}

int op_sms_outbox(struct app *app, struct op_request *req, struct op_response *res)
{
	static const char *const names[] = {"status", "kind", "alert_id", "after", "limit", NULL};
	if (api_only_params(req, res, names, "is not a filter of the outbox (status, kind, alert_id, after, limit)"))
		return -1;
	char t[2][64];
	struct sms_query q = {.status = api_param(req, "status", t[0], 64),
			      .kind = api_param(req, "kind", t[1], 64),
			      .cause_kind = "alert",
			      .limit = app->cfg.page_size_default};
	if (api_param_int(req, "alert_id", 1, INT_EXACT_MAX, &q.cause_id, NULL, res) ||
	    api_param_int(req, "after", 0, INT_EXACT_MAX, &q.after, "must be an id", res) ||
	    api_param_limit(app, req, &q.limit, res))
		return -1;
	cJSON *items = cJSON_CreateArray(), *counts = cJSON_CreateObject();
	int rc = store_sms_list(app->store, &req->who, &q, add_sms, items);
	if (!rc)
		rc = store_sms_status_counts(app->store, &req->who, add_count, counts);
	if (rc) {
		cJSON_Delete(items);
		cJSON_Delete(counts);
		return api_fail_store(app, res, rc, "sms");
	}
	res->data = cJSON_CreateObject();
	int n = cJSON_GetArraySize(items);
	cJSON_AddItemToObject(res->data, "items", items);
	cJSON_AddItemToObject(res->data, "counts", counts);
	const cJSON *last = n ? cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(items, n - 1), "id") : NULL;
	api_add_next(res->data, n, q.limit, last ? (long long)last->valuedouble : 0);
	return 0;
}

/* The levels whose projection moved by itself, all of them, with the pooled prior built afresh: what
 * the periodic job does, at once. */
static int check_forecasts(struct app *app, long long now)
{
	int rc = stock_forecast_refresh_pool(app, now, 1), left = 1;
	while (rc == STORE_OK && left)
		rc = stock_forecast_sweep(app, now, 256, &left);
	return rc;
}

int op_clock_advance(struct app *app, struct op_request *req, struct op_response *res)
{
	if (!app->cfg.test_clock)
		return api_fail(res, 404, "not_found", "type", "the test clock is off (test_clock = 0)");
	const cJSON *b = req->body, *j;
	if (!cJSON_IsObject(b))
		return api_fail(res, 400, "invalid_json", "body", "a JSON object is required");
	cJSON_ArrayForEach(j, b)
	{
		if (strcmp(j->string, "ms"))
			return api_fail(res, 422, "unknown_field", j->string, "is not a field here (ms)");
	}
	const cJSON *ms = cJSON_GetObjectItemCaseSensitive(b, "ms");
	long long step;
	if (api_json_int(ms, "ms", 0, 366LL * 86400000, &step, "must be a whole number of milliseconds from 0 to a year", res))
		return -1;
	app->clock_offset_ms += step;
	/* the periodic checks see the new time at once */
	long long now = app_now(app);
	store_set_now(app->store, now);
	int rc = alert_engine_check_silent(app, now);
	if (!rc)
		rc = check_forecasts(app, now);
	if (!rc)
		rc = escalation_run(app, now);
	if (!rc)
		rc = deployment_tick(app, now);
	if (!rc)
		rc = availability_tick(app, now);
	if (rc)
		return api_fail_store(app, res, rc, "clock");
	char iso[32];
	res->data = cJSON_CreateObject();
	cJSON_AddStringToObject(res->data, "now", clock_format_iso(now, iso));
	cJSON_AddNumberToObject(res->data, "offset_ms", (double)app->clock_offset_ms);
	return 0;
}

int op_alerts_check(struct app *app, struct op_request *req, struct op_response *res)
{
	(void)req;
	int rc = alert_engine_check_silent(app, store_now(app->store));
	if (!rc)
		rc = check_forecasts(app, store_now(app->store));
	if (!rc)
		rc = escalation_run(app, store_now(app->store));
	if (rc)
		return api_fail_store(app, res, rc, "alerts");
	res->data = cJSON_CreateObject();
	cJSON_AddBoolToObject(res->data, "checked", 1);
	return 0;
}
