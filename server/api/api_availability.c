/* api_availability: a volunteer's availability windows (read, add, remove: themselves or a
 * coordinator of theirs) with what holds now, and the credentials that expire soon (a coordinator's
 * list of their territory, a volunteer's own notices). */
#include "api_handlers.h"
#include "app.h"
#include "auth.h"
#include "clock.h"
#include "paris_time.h"
#include "store_availability.h"
#include "volunteer_availability.h"

#include <stdio.h>
#include <string.h>

#define YEAR_MS (366LL * 86400000LL)

static cJSON *window_json(const struct window_row *w)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)w->id);
	cJSON_AddStringToObject(o, "kind", w->kind);
	api_add_time(o, "start", w->start_at);
	api_add_time(o, "end", w->end_at);
	cJSON_AddStringToObject(o, "source", w->source);
	return o;
}

static int add_window(void *ctx, const struct window_row *w)
{
	cJSON_AddItemToArray(ctx, window_json(w));
	return 0;
}

/* The volunteer's windows still to come and what holds now, as who may read them. */
static int answer(struct app *app, struct op_request *req, long long volunteer, const char *now, struct op_response *res)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "volunteer_id", (double)volunteer);
	cJSON_AddStringToObject(o, "availability", now);
	cJSON *list = cJSON_AddArrayToObject(o, "windows");
	int rc = store_windows_of(app->store, volunteer, req->now, add_window, list);
	if (rc) {
		cJSON_Delete(o);
		return api_fail_store(app, res, rc, "windows");
	}
	res->data = o;
	return 0;
}

int op_availability_list(struct app *app, struct op_request *req, struct op_response *res)
{
	long long id;
	char now[16];
	struct rf_error err;
	if (api_param_id(req, "id", &id, res))
		return -1;
	if (availability_of(app, &req->who, id, now, &err))
		return api_fail_error(res, &err);
	return answer(app, req, id, now, res);
}

int op_availability_add(struct app *app, struct op_request *req, struct op_response *res)
{
	long long id;
	if (api_param_id(req, "id", &id, res))
		return -1;
	static const char *const names[] = {"kind", "start", "end", NULL};
	const cJSON *b = req->body;
	if (api_only_fields(b, res, names, "is not a field of a window (kind, start, end)"))
		return -1;
	struct window_row w;
	memset(&w, 0, sizeof w);
	w.volunteer_id = id;
	snprintf(w.source, sizeof w.source, req->who.role == ROLE_VOLUNTEER ? "web" : "api");
	const cJSON *kind = cJSON_GetObjectItemCaseSensitive(b, "kind");
	if (!kind)
		return api_fail(res, 422, "required", "kind", "is required");
	if (!cJSON_IsString(kind) || (strcmp(kind->valuestring, "unavailable") && strcmp(kind->valuestring, "available")))
		return api_fail(res, 422, "invalid", "kind", "must be unavailable or available (available only then)");
	snprintf(w.kind, sizeof w.kind, "%s", kind->valuestring);
	int only = strcmp(w.kind, "available") == 0;
	const cJSON *start = cJSON_GetObjectItemCaseSensitive(b, "start"), *end = cJSON_GetObjectItemCaseSensitive(b, "end");
	w.start_at = req->now;
	if (start && api_read_time(start, "start", &w.start_at, res))
		return -1;
	if (!start && only)
		return api_fail(res, 422, "required", "start", "is required for an available-only window");
	if (end && !cJSON_IsNull(end) && api_read_time(end, "end", &w.end_at, res))
		return -1;
	if (!w.end_at && only)
		return api_fail(res, 422, "required", "end", "is required for an available-only window");
	if (w.end_at && w.end_at <= w.start_at)
		return api_fail(res, 422, "invalid", "end", "must be after the start");
	if (w.end_at && w.end_at <= req->now)
		return api_fail(res, 422, "invalid", "end", "must be in the future");
	if (w.end_at && w.end_at - w.start_at > YEAR_MS)
		return api_fail(res, 422, "invalid", "end", "must be at most a year after the start");
	char now[16];
	struct rf_error err;
	if (availability_window_add(app, &req->who, &w, now, &err))
		return api_fail_error(res, &err);
	res->status = 201;
	res->data = cJSON_CreateObject();
	cJSON_AddItemToObject(res->data, "window", window_json(&w));
	cJSON_AddStringToObject(res->data, "availability", now);
	return 0;
}

int op_availability_delete(struct app *app, struct op_request *req, struct op_response *res)
{
	long long id, wid;
	if (api_param_id(req, "id", &id, res) || api_param_id(req, "window_id", &wid, res))
		return -1;
	char now[16];
	struct rf_error err;
	if (availability_window_delete(app, &req->who, id, wid, now, &err))
		return api_fail_error(res, &err);
	res->data = cJSON_CreateObject();
	cJSON_AddNumberToObject(res->data, "id", (double)wid);
	cJSON_AddBoolToObject(res->data, "deleted", 1);
	cJSON_AddStringToObject(res->data, "availability", now);
	return 0;
}

struct expiring_ctx {
	const char *today;
	cJSON *items;
	long long n;
};

static int add_expiring(void *ctx, const struct expiring_row *r)
{
	struct expiring_ctx *c = ctx;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "volunteer_id", (double)r->volunteer_id);
	cJSON_AddStringToObject(o, "first_name", r->first_name);
	cJSON_AddStringToObject(o, "last_name", r->last_name);
	cJSON_AddStringToObject(o, "dep", r->dep);
	cJSON_AddStringToObject(o, "kind", r->kind);
	cJSON_AddStringToObject(o, "expires_on", r->expires_on);
	cJSON_AddBoolToObject(o, "expired", strcmp(r->expires_on, c->today) < 0);
	cJSON_AddItemToArray(c->items, o);
	c->n++;
	return 0;
}

static void paris_date(long long ms, char out[16])
{
	struct paris_tm t;
	paris_fields(ms, &t);
	snprintf(out, 16, "%04d-%02d-%02d", t.year % 10000, t.month % 100, t.day % 100);
}

int op_credentials_expiring(struct app *app, struct op_request *req, struct op_response *res)
{
	static const char *const names[] = {"days", "dep", "expired", "limit", NULL};
	long long days = app->cfg.credential_reminder_days, limit;
	char t[2][16];
	const char *dep = api_param(req, "dep", t[0], sizeof t[0]), *expired = api_param(req, "expired", t[1], sizeof t[1]);
	if (api_only_params(req, res, names, "is not a filter of expiring credentials (days, dep, expired, limit)") ||
	    api_param_int(req, "days", 0, 365, &days, NULL, res) || api_param_limit(app, req, &limit, res))
		return -1;
	if (dep && strlen(dep) != 2)
		return api_fail(res, 422, "invalid", "dep", "must be a département code like 81");
	if (expired && strcmp(expired, "true") && strcmp(expired, "false"))
		return api_fail(res, 422, "invalid", "expired", "must be true or false");
	char today[16], until[16];
	paris_date(req->now, today);
	paris_date(req->now + days * 86400000LL, until);
	struct expiring_ctx c = {today, cJSON_CreateArray(), 0};
	/* those already expired too, unless expired=false */
	int rc = store_credentials_expiring(app->store, &req->who, expired && strcmp(expired, "false") == 0 ? today : NULL,
					    until, dep, limit, add_expiring, &c);
	if (rc) {
		cJSON_Delete(c.items);
		return api_fail_store(app, res, rc, "credentials");
	}
	res->data = cJSON_CreateObject();
	cJSON_AddItemToObject(res->data, "items", c.items);
	return 0;
}
