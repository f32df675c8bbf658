/* api_cell: the coordination cell's work on alerts beside acknowledging them: taking an alert ("I
 * take it") and releasing it, an alert's timeline, and the handover notes between shifts. */
#include "alert_people.h"
#include "api_alert.h"
#include "api_handlers.h"
#include "app.h"
#include "auth.h"
#include "clock.h"
#include "handover.h"
#include "store_handover.h"
#include "store_report.h"
#include "store_token.h"
#include "validate.h"

#include <stdio.h>
#include <string.h>

/* A write with no body, or an empty object: the alert's id is all it says. */
static int no_body(struct op_request *req, struct op_response *res)
{
	const cJSON *j;
	if (!req->body)
		return 0;
	if (!cJSON_IsObject(req->body))
		return api_fail(res, 400, "invalid_json", "body", "must be a JSON object");
	cJSON_ArrayForEach(j, req->body)
	{
		return api_fail(res, 422, "unknown_field", j->string, "is not a field here (the alert's id is all it takes)");
	}
	return 0;
}

static int assignment(struct app *app, struct op_request *req, struct op_response *res, int take)
{
	long long id;
	if (api_param_id(req, "id", &id, res) || no_body(req, res))
		return -1;
	struct alert_row a;
	int rc = take ? alert_take(app, &req->who, id, &a) : alert_release(app, &req->who, id, &a);
	if (rc)
		return api_fail_store(app, res, rc, "alert");
	res->data = alert_json(&a);
	return 0;
}

int op_alerts_take(struct app *app, struct op_request *req, struct op_response *res)
{
	return assignment(app, req, res, 1);
}

int op_alerts_release(struct app *app, struct op_request *req, struct op_response *res)
{
	return assignment(app, req, res, 0);
}

/* --- alerts.timeline --------------------------------------------------------------------------------- */

static void add_person(cJSON *o, long long token, const char *label)
{
	cJSON_AddItemToObject(o, "by", person_json(token, label));
}

static const char *member_text(const cJSON *o, const char *name)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, name);
	return cJSON_IsString(j) ? j->valuestring : NULL;
}

static int same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* What an audit row of an alert says happened, in people's words. */
static const char *timeline_event(const struct audit_row *r, const cJSON *before, const cJSON *after)
{
	if (strcmp(r->action, "create") == 0)
		return "opened";
	if (cJSON_HasObjectItem(after, "escalated"))
		return "escalated";
	if (cJSON_HasObjectItem(after, "assigned_to"))
		return cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(after, "assigned_to")) ? "released" : "assigned";
	const char *status = member_text(after, "status");
	if (!same(member_text(before, "status"), status) && status) {
		if (strcmp(status, "open") == 0)
			return "reopened";
		return status; /* acknowledged, resolved */
	}
	return "severity";
}

struct timeline_ctx {
	cJSON *items;
	int oom;
};

static int add_step(void *ctx, const struct audit_row *r)
{
	struct timeline_ctx *c = ctx;
	cJSON *before = r->before ? cJSON_Parse(r->before) : NULL, *after = r->after ? cJSON_Parse(r->after) : NULL;
	char iso[32];
	cJSON *o = cJSON_CreateObject();
	const char *event = timeline_event(r, before, after);
	cJSON_AddStringToObject(o, "at", clock_format_iso(r->at, iso));
	cJSON_AddStringToObject(o, "event", event);
	const char *sev = member_text(after, "severity"), *status = member_text(after, "status");
	if (sev)
		cJSON_AddStringToObject(o, "severity", sev);
	if (status)
		cJSON_AddStringToObject(o, "status", status);
	const char *note = strcmp(event, "acknowledged") == 0 ? member_text(after, "ack_note")
			   : strcmp(event, "resolved") == 0   ? member_text(after, "resolve_note")
							      : NULL;
	if (note)
		cJSON_AddStringToObject(o, "note", note);
	const cJSON *level = cJSON_GetObjectItemCaseSensitive(after, "escalated");
	if (cJSON_IsNumber(level))
		cJSON_AddNumberToObject(o, "level", level->valuedouble);
	add_person(o, r->actor, r->actor_name);
	/* the audit is read newest first: the timeline goes forwards */
	if (!cJSON_InsertItemInArray(c->items, 0, o) && !cJSON_AddItemToArray(c->items, o)) {
		cJSON_Delete(o);
		c->oom = 1;
	}
	cJSON_Delete(before);
	cJSON_Delete(after);
	return c->oom;
}

#define TIMELINE_MAX 1000

int op_alerts_timeline(struct app *app, struct op_request *req, struct op_response *res)
{
	long long id;
	if (api_param_id(req, "id", &id, res))
		return -1;
	struct alert_row a;
	int rc = store_alert_get(app->store, &req->who, id, &a);
	if (rc)
		return api_fail_store(app, res, rc, "alert");
	/* the alert is the caller's to read: its audit rows are too, whatever the token's kind */
	struct timeline_ctx c = {cJSON_CreateArray(), 0};
	rc = store_audit_list(app->store, &principal_system, "alert", id, 0, TIMELINE_MAX, add_step, &c);
	if (rc || c.oom) {
		cJSON_Delete(c.items);
		return rc ? api_fail_store(app, res, rc, "alert") : api_fail(res, 503, "unavailable", "", "out of memory");
	}
	res->data = cJSON_CreateObject();
	cJSON_AddItemToObject(res->data, "alert", alert_json(&a));
	cJSON_AddItemToObject(res->data, "items", c.items);
	return 0;
}

/* --- handovers ------------------------------------------------------------------------------------------ */

int op_handovers_create(struct app *app, struct op_request *req, struct op_response *res)
{
	const cJSON *b = req->body, *j;
	if (!cJSON_IsObject(b))
		return api_fail(res, 400, "invalid_json", "body", "a JSON object is required");
	cJSON_ArrayForEach(j, b)
	{
		if (strcmp(j->string, "territory") && strcmp(j->string, "note"))
			return api_fail(res, 422, "unknown_field", j->string, "is not a field of a handover (territory, note)");
	}
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(b, "territory");
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(b, "note");
	if (!t)
		return api_fail(res, 422, "required", "territory", "is required: \"region\" or a département code");
	if (!cJSON_IsString(t))
		return api_fail(res, 422, "invalid", "territory", "must be \"region\" or a département code");
	if (!n)
		return api_fail(res, 422, "required", "note", "is required");
	const char *rule = cJSON_IsString(n) ? validate_text(n->valuestring, 1, 2000) : "must be a string";
	if (rule)
		return api_fail(res, 422, "invalid", "note", rule);
	long long id;
	struct rf_error err;
	if (handover_write(app, &req->who, t->valuestring, n->valuestring, &id, &err)) {
		res->status = err.status;
		res->err = err;
		return -1;
	}
	char label[UTF8_BYTES(120)];
	int rc = store_token_label(app->store, req->who.token_id, label, sizeof label);
	if (rc)
		return api_fail_store(app, res, rc, "handover");
	char iso[32];
	res->status = 201;
	res->data = cJSON_CreateObject();
	cJSON_AddNumberToObject(res->data, "id", (double)id);
	cJSON_AddStringToObject(res->data, "territory", t->valuestring);
	cJSON_AddStringToObject(res->data, "note", n->valuestring);
	add_person(res->data, req->who.token_id, label);
	cJSON_AddStringToObject(res->data, "at", clock_format_iso(req->now, iso));
	return 0;
}

struct handover_ctx {
	cJSON *items;
	long long last, n;
};

static int add_handover(void *ctx, const struct handover_row *h)
{
	struct handover_ctx *c = ctx;
	char iso[32];
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)h->id);
	cJSON_AddStringToObject(o, "territory", h->territory);
	cJSON_AddStringToObject(o, "note", h->note);
	add_person(o, h->author, h->author_name);
	cJSON_AddStringToObject(o, "at", clock_format_iso(h->at, iso));
	cJSON *since = cJSON_AddObjectToObject(o, "since");
	cJSON_AddNumberToObject(since, "opened", (double)h->opened);
	cJSON_AddNumberToObject(since, "acknowledged", (double)h->acknowledged);
	cJSON_AddNumberToObject(since, "resolved", (double)h->resolved);
	cJSON_AddNumberToObject(since, "open_critical_now", (double)h->open_critical);
	cJSON_AddItemToArray(c->items, o);
	c->last = h->id;
	c->n++;
	return 0;
}

int op_handovers_list(struct app *app, struct op_request *req, struct op_response *res)
{
	static const char *const names[] = {"territory", "before", "limit", NULL};
	char t[16];
	const char *territory = api_param(req, "territory", t, sizeof t);
	long long before = 0, limit;
	if (api_only_params(req, res, names, "is not a filter of handovers (territory, before, limit)") ||
	    api_param_int(req, "before", 1, INT_EXACT_MAX, &before, "must be the \"next_before\" value of the previous page",
			  res) ||
	    api_param_limit(app, req, &limit, res))
		return -1;
	if (territory && strcmp(territory, "region") != 0 && strlen(territory) != 2)
		return api_fail(res, 422, "invalid", "territory", "must be \"region\" or a département code");
	struct handover_ctx c = {cJSON_CreateArray(), 0, 0};
	int rc = store_handover_list(app->store, &req->who, territory, before, limit, add_handover, &c);
	if (rc) {
		cJSON_Delete(c.items);
		return api_fail_store(app, res, rc, "handovers");
	}
	res->data = cJSON_CreateObject();
	cJSON_AddItemToObject(res->data, "items", c.items);
	api_add_next_before(res->data, c.n, limit, c.last);
	return 0;
}
