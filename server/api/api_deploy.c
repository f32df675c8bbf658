/* api_deploy: staff requests and deployment calls as clients see them: the request a structure or a
 * coordinator sends (parsed into a typed request for deployment.c), the requests with their
 * progress, calls and replies (each reader sees what they need: names and phones of the assigned
 * to the structure and its coordinators, calls and replies to coordinators, counts to everyone
 * else), the ranked and explained candidates, a volunteer's own calls and answers, and the
 * deployment events' payloads. */
#include "api_deploy.h"

#include "api_handlers.h"
#include "app.h"
#include "auth.h"
#include "clock.h"
#include "deploy_event.h"
#include "deploy_reply.h"
#include "deploy_text.h"
#include "deployment.h"
#include "model.h"
#include "paris_time.h"
#include "store_deploy.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROFESSIONS_MAX 5
#define WORDS_MAX 10

/* --- reading a request --------------------------------------------------------------------------- */

/* A JSON list of words into out, space-separated: each checked by check (NULL: one of e.field's
 * values), no duplicates, at most max. */
static int read_words(const cJSON *j, const char *field, const struct entity *e, const char *efield,
		      const char *(*check)(const char *), int min, int max, char *out, size_t outlen,
		      struct op_response *res)
{
	out[0] = '\0';
	if (!j)
		return min ? api_fail(res, 422, "required", field, "is required") : 0;
	char rule[160];
	if (!cJSON_IsArray(j) || cJSON_GetArraySize(j) < min || cJSON_GetArraySize(j) > max) {
		snprintf(rule, sizeof rule, "must be a list of %d to %d", min, max);
		return api_fail(res, 422, "invalid", field, rule);
	}
	const struct field *f = e ? entity_field(e, efield, NULL) : NULL;
	int i = 0;
	const cJSON *w;
	cJSON_ArrayForEach(w, j)
	{
		char name[64];
		snprintf(name, sizeof name, "%s[%d]", field, i++);
		const char *bad = !cJSON_IsString(w) ? "must be a string" : check ? check(w->valuestring) : NULL;
		if (!bad && f && !field_enum_ok(f, w->valuestring)) {
			size_t used = (size_t)snprintf(rule, sizeof rule, "must be one of");
			for (const char *const *v = f->values; *v && used < sizeof rule; v++)
				used += (size_t)snprintf(rule + used, sizeof rule - used, "%s %s", v == f->values ? "" : ",", *v);
			bad = rule;
		}
		if (!bad && match_has_word(out, w->valuestring, strlen(w->valuestring)))
			bad = "is given twice";
		if (!bad && strlen(out) + strlen(w->valuestring) + 2 > outlen)
			bad = "makes the list too long";
		if (bad)
			return api_fail(res, 422, "invalid", name, bad);
		if (out[0])
			strcat(out, " ");
		strcat(out, w->valuestring);
	}
	return 0;
}

static int read_text(const cJSON *j, const char *field, long max, char *out, size_t outlen, struct op_response *res)
{
	out[0] = '\0';
	if (!j || cJSON_IsNull(j))
		return 0;
	const char *bad = cJSON_IsString(j) ? validate_text(j->valuestring, 1, max) : "must be a string";
	if (bad)
		return api_fail(res, 422, "invalid", field, bad);
	snprintf(out, outlen, "%s", j->valuestring);
	return 0;
}

static int read_shifts(struct app *app, const cJSON *j, struct staff_request_row *r, long long now,
		       struct op_response *res)
{
	char rule[96];
	if (!j)
		return api_fail(res, 422, "required", "shifts", "is required");
	if (!cJSON_IsArray(j) || cJSON_GetArraySize(j) < 1 || cJSON_GetArraySize(j) > STAFF_SHIFTS_MAX) {
		snprintf(rule, sizeof rule, "must be a list of 1 to %d shifts {\"start\", \"end\"}", STAFF_SHIFTS_MAX);
		return api_fail(res, 422, "invalid", "shifts", rule);
	}
	(void)app;
	const cJSON *s;
	int i = 0;
	cJSON_ArrayForEach(s, j)
	{
		char field[40];
		snprintf(field, sizeof field, "shifts[%d]", i);
		if (!cJSON_IsObject(s))
			return api_fail(res, 422, "invalid", field, "must be an object {\"start\", \"end\"}");
		const cJSON *m;
		cJSON_ArrayForEach(m, s)
		{
			if (strcmp(m->string, "start") && strcmp(m->string, "end")) {
				snprintf(field, sizeof field, "shifts[%d].%.16s", i, m->string);
				return api_fail(res, 422, "unknown_field", field, "is not a field of a shift (start, end)");
			}
		}
		struct match_window *w = &r->shifts[i];
		snprintf(field, sizeof field, "shifts[%d].start", i);
		if (api_read_time(cJSON_GetObjectItemCaseSensitive(s, "start"), field, &w->start, res))
			return -1;
		snprintf(field, sizeof field, "shifts[%d].end", i);
		if (api_read_time(cJSON_GetObjectItemCaseSensitive(s, "end"), field, &w->end, res))
			return -1;
		if (w->end <= w->start)
			return api_fail(res, 422, "invalid", field, "must be after the start");
		if (w->end - w->start > 24 * 3600000LL)
			return api_fail(res, 422, "invalid", field, "must be at most 24 hours after the start");
		if (w->end <= now)
			return api_fail(res, 422, "invalid", field, "must be in the future");
		for (int k = 0; k < i; k++)
			if (r->shifts[k].start < w->end && w->start < r->shifts[k].end) {
				snprintf(field, sizeof field, "shifts[%d]", i);
				return api_fail(res, 422, "invalid", field, "overlaps another shift of the request");
			}
		i++;
	}
	r->nshifts = i;
	return 0;
}

static const char *const request_fields[] = {"structure_id", "professions", "count",	   "shifts",	 "urgency",
					     "deadline",     "skills",	    "languages",   "credentials", "notes",
					     "address",	     "contact_phone", NULL};

/* The body of staffrequests.create (and of a preview) into r. */
static int read_request(struct app *app, struct op_request *req, struct staff_request_row *r, struct op_response *res)
{
	const cJSON *b = req->body;
	if (api_only_fields(b, res, request_fields,
			    "is not a field of a staff request (structure_id, professions, count, shifts, urgency, "
			    "deadline, skills, languages, credentials, notes, address, contact_phone)"))
		return -1;
	memset(r, 0, sizeof *r);
	const cJSON *sid = cJSON_GetObjectItemCaseSensitive(b, "structure_id");
	if (sid) {
		if (api_json_int(sid, "structure_id", 1, INT_EXACT_MAX, &r->structure_id, NULL, res))
			return -1;
	} else if (req->who.role == ROLE_STRUCTURE)
		r->structure_id = req->who.subject_id; /* a structure asks for itself */
	else
		return api_fail(res, 422, "required", "structure_id", "is required");
	if (read_words(cJSON_GetObjectItemCaseSensitive(b, "professions"), "professions", &entity_volunteer, "profession",
		       NULL, 1, PROFESSIONS_MAX, r->professions, sizeof r->professions, res))
		return -1;
	const cJSON *count = cJSON_GetObjectItemCaseSensitive(b, "count");
	long long n;
	if (!count)
		return api_fail(res, 422, "required", "count", "is required");
	if (api_json_int(count, "count", 1, app->cfg.staff_max_count, &n, NULL, res))
		return -1;
	r->count = (int)n;
	if (read_shifts(app, cJSON_GetObjectItemCaseSensitive(b, "shifts"), r, req->now, res))
		return -1;
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(b, "urgency");
	snprintf(r->urgency, sizeof r->urgency, "planned");
	if (u) {
		if (!cJSON_IsString(u) || (strcmp(u->valuestring, "immediate") && strcmp(u->valuestring, "today") &&
					   strcmp(u->valuestring, "planned")))
			return api_fail(res, 422, "invalid", "urgency", "must be immediate, today or planned");
		snprintf(r->urgency, sizeof r->urgency, "%s", u->valuestring);
	}
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(b, "deadline");
	if (d) {
		if (api_read_time(d, "deadline", &r->deadline, res))
			return -1;
		long long last_end = 0;
		for (int i = 0; i < r->nshifts; i++)
			if (r->shifts[i].end > last_end)
				last_end = r->shifts[i].end;
		if (r->deadline <= req->now)
			return api_fail(res, 422, "invalid", "deadline", "must be in the future");
		if (r->deadline > last_end)
			return api_fail(res, 422, "invalid", "deadline", "must not be after the last shift's end");
	}
	if (read_words(cJSON_GetObjectItemCaseSensitive(b, "skills"), "skills", NULL, NULL, validate_word, 0, WORDS_MAX,
		       r->skills, sizeof r->skills, res) ||
	    read_words(cJSON_GetObjectItemCaseSensitive(b, "languages"), "languages", NULL, NULL, validate_lang2, 0, 5,
		       r->languages, sizeof r->languages, res) ||
	    read_words(cJSON_GetObjectItemCaseSensitive(b, "credentials"), "credentials", &entity_volunteer_credential,
		       "kind", NULL, 0, 5, r->credentials, sizeof r->credentials, res) ||
	    read_text(cJSON_GetObjectItemCaseSensitive(b, "notes"), "notes", 500, r->notes, sizeof r->notes, res) ||
	    read_text(cJSON_GetObjectItemCaseSensitive(b, "address"), "address", 200, r->address, sizeof r->address, res))
		return -1;
	const cJSON *phone = cJSON_GetObjectItemCaseSensitive(b, "contact_phone");
	if (phone && !cJSON_IsNull(phone)) {
		const char *bad = cJSON_IsString(phone) ? validate_e164(phone->valuestring) : "must be an E.164 phone number";
		if (bad)
			return api_fail(res, 422, "invalid", "contact_phone", bad);
		snprintf(r->contact_phone, sizeof r->contact_phone, "%s", phone->valuestring);
	}
	return 0;
}

/* --- a request as JSON ------------------------------------------------------------------------------- */

static cJSON *words_json(const char *list)
{
	cJSON *a = cJSON_CreateArray();
	char word[64];
	const char *w;
	size_t n;
	for (const char *p = list; (w = match_next_word(&p, &n));)
		if (n < sizeof word) {
			memcpy(word, w, n);
			word[n] = '\0';
			cJSON_AddItemToArray(a, cJSON_CreateString(word));
		}
	return a;
}

static int is_staff(const struct principal *who)
{
	return who->role == ROLE_ADMIN || who->role == ROLE_COORDINATOR;
}

/* May who see the names of volunteers of département dep? Coordinators of it (and admins). */
static int sees_person(const struct principal *who, const char *dep)
{
	return who->role == ROLE_ADMIN || (who->role == ROLE_COORDINATOR && principal_covers_dep(who, dep));
}

static cJSON *counts_json(const struct staff_counts *c)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "called", c->called);
	cJSON_AddNumberToObject(o, "open", c->open);
	cJSON_AddNumberToObject(o, "accepted", c->accepted);
	cJSON_AddNumberToObject(o, "declined", c->declined);
	cJSON_AddNumberToObject(o, "expired", c->expired);
	cJSON_AddNumberToObject(o, "failed", c->failed);
	cJSON_AddNumberToObject(o, "withdrawn", c->withdrawn);
	cJSON_AddNumberToObject(o, "cancelled", c->cancelled);
	cJSON_AddNumberToObject(o, "late", c->late);
	return o;
}

static cJSON *request_json(const struct staff_request_row *r, const struct staff_counts *c)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)r->id);
	cJSON_AddNumberToObject(o, "structure_id", (double)r->structure_id);
	cJSON_AddStringToObject(o, "structure_name", r->structure_name);
	cJSON_AddStringToObject(o, "commune", r->commune);
	cJSON_AddStringToObject(o, "commune_name", r->commune_name);
	cJSON_AddStringToObject(o, "dep", r->dep);
	cJSON_AddItemToObject(o, "professions", words_json(r->professions));
	cJSON_AddItemToObject(o, "credentials", words_json(r->credentials));
	cJSON_AddItemToObject(o, "skills", words_json(r->skills));
	cJSON_AddItemToObject(o, "languages", words_json(r->languages));
	cJSON_AddNumberToObject(o, "count", r->count);
	cJSON *shifts = cJSON_AddArrayToObject(o, "shifts");
	for (int i = 0; i < r->nshifts; i++) {
		cJSON *s = cJSON_CreateObject();
		api_add_time(s, "start", r->shifts[i].start);
		api_add_time(s, "end", r->shifts[i].end);
		cJSON_AddItemToArray(shifts, s);
	}
	cJSON_AddStringToObject(o, "urgency", r->urgency);
	api_add_time(o, "deadline", r->deadline);
	if (r->notes[0])
		cJSON_AddStringToObject(o, "notes", r->notes);
	else
		cJSON_AddNullToObject(o, "notes");
	if (r->address[0])
		cJSON_AddStringToObject(o, "address", r->address);
	else
		cJSON_AddNullToObject(o, "address");
	if (r->contact_phone[0])
		cJSON_AddStringToObject(o, "contact_phone", r->contact_phone);
	else
		cJSON_AddNullToObject(o, "contact_phone");
	cJSON_AddStringToObject(o, "status", r->status);
	cJSON_AddNumberToObject(o, "filled", r->filled);
	cJSON_AddNumberToObject(o, "wave", r->wave);
	cJSON_AddItemToObject(o, "calls", counts_json(c));
	api_add_time(o, "escalated_at", r->escalated_at);
	api_add_time(o, "created_at", r->created_at);
	api_add_time(o, "updated_at", r->updated_at);
	api_add_time(o, "closed_at", r->closed_at);
	if (r->close_reason[0])
		cJSON_AddStringToObject(o, "close_reason", r->close_reason);
	else
		cJSON_AddNullToObject(o, "close_reason");
	return o;
}

struct detail_ctx {
	const struct principal *who;
	const struct staff_request_row *r;
	cJSON *people, *calls;
};

static void add_name(cJSON *o, const struct staff_call_row *k, int shown)
{
	if (shown && k->first_name[0]) {
		cJSON_AddStringToObject(o, "first_name", k->first_name);
		cJSON_AddStringToObject(o, "last_name", k->last_name);
	} else {
		cJSON_AddNullToObject(o, "first_name");
		cJSON_AddNullToObject(o, "last_name");
	}
}

static int add_call(void *ctx, const struct staff_call_row *k)
{
	struct detail_ctx *c = ctx;
	int accepted = strcmp(k->status, "accepted") == 0;
	/* who is coming is the structure's and its coordinators' to know; before that, counts only */
	if (accepted && c->people) {
		cJSON *p = cJSON_CreateObject();
		cJSON_AddNumberToObject(p, "call_id", (double)k->id);
		cJSON_AddNumberToObject(p, "volunteer_id", (double)k->volunteer_id);
		add_name(p, k, 1);
		if (k->phone[0])
			cJSON_AddStringToObject(p, "phone", k->phone);
		else
			cJSON_AddNullToObject(p, "phone");
		cJSON_AddStringToObject(p, "profession", k->profession);
		api_add_time(p, "accepted_at", k->answered_at);
		cJSON_AddItemToArray(c->people, p);
	}
	if (c->calls) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "id", (double)k->id);
		cJSON_AddNumberToObject(o, "volunteer_id", (double)k->volunteer_id);
		cJSON_AddStringToObject(o, "volunteer_dep", k->vdep);
		add_name(o, k, accepted || sees_person(c->who, k->vdep));
		cJSON_AddNumberToObject(o, "wave", k->wave);
		cJSON_AddNumberToObject(o, "rank", k->rank);
		cJSON_AddStringToObject(o, "code", k->code);
		cJSON_AddStringToObject(o, "status", k->status);
		cJSON_AddNumberToObject(o, "distance_km", round(k->distance_m / 100.0) / 10);
		cJSON_AddBoolToObject(o, "widened", k->widened);
		api_add_time(o, "called_at", k->called_at);
		api_add_time(o, "expires_at", k->expires_at);
		api_add_time(o, "answered_at", k->answered_at);
		if (k->sms_id)
			cJSON_AddNumberToObject(o, "sms_id", (double)k->sms_id);
		else
			cJSON_AddNullToObject(o, "sms_id");
		cJSON_AddItemToArray(c->calls, o);
	}
	return 0;
}

static int add_reply(void *ctx, const struct staff_reply_row *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)r->id);
	cJSON_AddNumberToObject(o, "call_id", (double)r->call_id);
	cJSON_AddNumberToObject(o, "volunteer_id", (double)r->volunteer_id);
	cJSON_AddStringToObject(o, "source", r->source);
	if (r->text)
		cJSON_AddStringToObject(o, "text", r->text);
	else
		cJSON_AddNullToObject(o, "text");
	cJSON_AddStringToObject(o, "verb", r->verb);
	cJSON_AddStringToObject(o, "result", r->result);
	api_add_time(o, "at", r->at);
	cJSON_AddItemToArray(ctx, o);
	return 0;
}

/* The request as who reads it: everyone its progress; the structure and coordinators who is
 * coming; coordinators every call and reply. */
static int request_detail(struct app *app, const struct principal *who, const struct staff_request_row *r, cJSON **out)
{
	struct staff_counts counts;
	int rc = store_staff_counts(app->store, r->id, &counts);
	if (rc)
		return rc;
	cJSON *o = request_json(r, &counts);
	struct detail_ctx c = {who, r, NULL, NULL};
	if (is_staff(who) || who->role == ROLE_STRUCTURE)
		c.people = cJSON_AddArrayToObject(o, "people");
	if (is_staff(who))
		c.calls = cJSON_AddArrayToObject(o, "call_list");
	if ((c.people || c.calls) && (rc = store_staff_calls_of_request(app->store, r->id, NULL, add_call, &c)) == STORE_OK &&
	    is_staff(who))
		rc = store_staff_replies_of_request(app->store, r->id, add_reply, cJSON_AddArrayToObject(o, "replies"));
	if (rc) {
		cJSON_Delete(o);
		return rc;
	}
	*out = o;
	return STORE_OK;
}

/* --- operations on requests ---------------------------------------------------------------------------- */

/* The request of the body, read, then created or only checked by the service; NULL (the answer
 * set) when refused. */
static struct staff_request_row *body_request(struct app *app, struct op_request *req, struct op_response *res,
					      int (*service)(struct app *, const struct principal *,
							     struct staff_request_row *, struct rf_error *))
{
	struct staff_request_row *r = malloc(sizeof *r);
	struct rf_error err;
	if (!r)
		api_fail(res, 503, "unavailable", "", "out of memory");
	else if (read_request(app, req, r, res) || (service(app, &req->who, r, &err) && api_fail_error(res, &err))) {
		free(r);
		r = NULL;
	}
	return r;
}

int op_staff_requests_create(struct app *app, struct op_request *req, struct op_response *res)
{
	struct staff_request_row *r = body_request(app, req, res, deployment_request_create);
	if (!r)
		return -1;
	cJSON *o = NULL;
	int rc = request_detail(app, &req->who, r, &o);
	if (rc)
		rc = api_fail_store(app, res, rc, "request");
	if (!rc) {
		res->status = 201;
		res->data = o;
		res->entity = "staff_request";
		res->entity_id = r->id;
	}
	free(r);
	return rc;
}

struct list_ctx {
	struct app *app;
	cJSON *items;
	long long last, n;
	int rc;
};

static int add_request(void *ctx, const struct staff_request_row *r)
{
	struct list_ctx *c = ctx;
	struct staff_counts counts;
	if ((c->rc = store_staff_counts(c->app->store, r->id, &counts)))
		return 1;
	cJSON_AddItemToArray(c->items, request_json(r, &counts));
	c->last = r->id;
	c->n++;
	return 0;
}

int op_staff_requests_list(struct app *app, struct op_request *req, struct op_response *res)
{
	static const char *const names[] = {"status", "structure_id", "dep", "after", "limit", NULL};
	static const char *const statuses[] = {"open", "filling", "filled", "expired", "cancelled", "active", NULL};
	char t[2][32];
	struct staff_request_query q = {api_param(req, "status", t[0], sizeof t[0]), 0, api_param(req, "dep", t[1], sizeof t[1]),
					0, 0};
	if (api_only_params(req, res, names, "is not a filter of staff requests (status, structure_id, dep, after, limit)") ||
	    api_param_int(req, "structure_id", 1, INT_EXACT_MAX, &q.structure_id, NULL, res) ||
	    api_param_int(req, "after", 0, INT_EXACT_MAX, &q.after, "must be the \"next\" value of the previous page", res) ||
	    api_param_limit(app, req, &q.limit, res))
		return -1;
	int ok = !q.status;
	for (const char *const *s = statuses; *s && !ok; s++)
		ok = strcmp(*s, q.status) == 0;
	if (!ok)
		return api_fail(res, 422, "invalid", "status", "must be open, filling, filled, expired, cancelled or active");
	if (q.dep && strlen(q.dep) != 2)
		return api_fail(res, 422, "invalid", "dep", "must be a département code like 81");
	struct list_ctx c = {app, cJSON_CreateArray(), 0, 0, STORE_OK};
	int rc = store_staff_request_list(app->store, &req->who, &q, add_request, &c);
	if (rc || c.rc) {
		cJSON_Delete(c.items);
		return api_fail_store(app, res, rc ? rc : c.rc, "requests");
	}
	res->data = cJSON_CreateObject();
	cJSON_AddItemToObject(res->data, "items", c.items);
	api_add_next(res->data, c.n, q.limit, c.last);
	return 0;
}

/* The request of the path's id, as who may read it. */
static int path_request(struct app *app, struct op_request *req, struct staff_request_row *r, struct op_response *res)
{
	long long id;
	if (api_param_id(req, "id", &id, res))
		return -1;
	int rc = store_staff_request_get(app->store, &req->who, id, r);
	return rc ? api_fail_store(app, res, rc, "id") : 0;
}

int op_staff_requests_get(struct app *app, struct op_request *req, struct op_response *res)
{
	struct staff_request_row *r = malloc(sizeof *r);
	if (!r)
		return api_fail(res, 503, "unavailable", "", "out of memory");
	int rc = path_request(app, req, r, res);
	cJSON *o = NULL;
	if (!rc && (rc = request_detail(app, &req->who, r, &o)))
		rc = api_fail_store(app, res, rc, "id");
	if (!rc)
		res->data = o;
	free(r);
	return rc;
}

/* The answer of a write on a request: the request as it now is. */
static int answer_request(struct app *app, struct op_request *req, long long id, struct op_response *res)
{
	struct staff_request_row *r = malloc(sizeof *r);
	if (!r)
		return api_fail(res, 503, "unavailable", "", "out of memory");
	cJSON *o = NULL;
	int rc = store_staff_request_get(app->store, &req->who, id, r);
	if (!rc)
		rc = request_detail(app, &req->who, r, &o);
	free(r);
	if (rc)
		return api_fail_store(app, res, rc, "id");
	res->data = o;
	res->entity = "staff_request";
	res->entity_id = id;
	return 0;
}

int op_staff_requests_call_now(struct app *app, struct op_request *req, struct op_response *res)
{
	long long id;
	struct rf_error err;
	if (api_param_id(req, "id", &id, res))
		return -1;
	if (req->body && !(cJSON_IsObject(req->body) && !req->body->child))
		return api_fail(res, 422, "unknown_field", "body", "a wave takes no field: send {} or nothing");
	if (deployment_call_now(app, &req->who, id, &err))
		return api_fail_error(res, &err);
	return answer_request(app, req, id, res);
}

int op_staff_requests_cancel(struct app *app, struct op_request *req, struct op_response *res)
{
	long long id;
	struct rf_error err;
	if (api_param_id(req, "id", &id, res))
		return -1;
	char reason[UTF8_BYTES(200)] = "";
	static const char *const names[] = {"reason", NULL};
	if (req->body) {
		if (api_only_fields(req->body, res, names, "is not a field of a cancellation (reason)"))
			return -1;
		if (read_text(cJSON_GetObjectItemCaseSensitive(req->body, "reason"), "reason", 200, reason, sizeof reason, res))
			return -1;
	}
	if (deployment_request_cancel(app, &req->who, id, reason, &err))
		return api_fail_error(res, &err);
	return answer_request(app, req, id, res);
}

/* --- candidates, explained ------------------------------------------------------------------------------ */

/* "2026-03-30 07:00" (Paris time). */
static const char *local_time(long long ms, char out[24])
{
	struct paris_tm t;
	paris_fields(ms, &t);
	snprintf(out, 24, "%04d-%02d-%02d %02d:%02d", t.year % 10000, t.month % 100, t.day % 100, t.hour % 100,
		 t.minute % 100);
	return out;
}

static const char *enum_value(const struct entity *e, const char *field, int i)
{
	const struct field *f = entity_field(e, field, NULL);
	int n = 0;
	while (f && f->values && f->values[n])
		n++;
	return i >= 0 && i < n ? f->values[i] : "?";
}

/* The n-th word of a space-separated list into out. */
static const char *nth_word(const char *list, int n, char *out, size_t outlen)
{
	const char *w;
	size_t len;
	out[0] = '\0';
	for (const char *p = list; (w = match_next_word(&p, &len)); n--)
		if (n == 0) {
			snprintf(out, outlen, "%.*s", (int)len, w);
			break;
		}
	return out;
}

/* Why a volunteer was excluded, as a sentence. */
static void why_excluded(const struct match_result *m, const struct match_volunteer *v,
			 const struct staff_request_row *r, const struct match_request *mrq, char *out, size_t outlen)
{
	char a[24], b[24], w[64];
	const char *kind;
	switch (m->rule) {
	case RULE_CALLED:
		snprintf(out, outlen, "already called for this request");
		break;
	case RULE_STATUS:
		snprintf(out, outlen, m->detail_kind == MATCH_PENDING ? "waiting for a coordinator to validate their credentials"
								      : "suspended");
		break;
	case RULE_PROFESSION:
		snprintf(out, outlen, "is %s, the request asks for %.120s",
			 v->profession >= 0 ? enum_value(&entity_volunteer, "profession", v->profession) : "of no known profession",
			 r->professions);
		break;
	case RULE_CREDENTIAL:
		kind = enum_value(&entity_volunteer_credential, "kind", m->detail_kind);
		if (!m->detail_at)
			snprintf(out, outlen, "holds no %s", kind);
		else if (m->detail_at <= mrq->shifts[0].start)
			snprintf(out, outlen, "their %s expired at %s", kind, local_time(m->detail_at, a));
		else
			snprintf(out, outlen, "their %s expires at %s, during the shift", kind, local_time(m->detail_at, a));
		break;
	case RULE_AVAILABILITY:
		if (m->detail_kind == UNAVAILABLE_OPEN)
			snprintf(out, outlen, "unavailable until further notice");
		else if (m->detail_kind == UNAVAILABLE_WINDOW)
			snprintf(out, outlen, "unavailable from %s to %s", local_time(m->detail_at, a), local_time(m->detail_end, b));
		else
			snprintf(out, outlen, "available only at other times (not from %s)", local_time(m->detail_at, a));
		break;
	case RULE_ASSIGNED:
		snprintf(out, outlen, "already assigned (request %lld) from %s to %s", m->detail_ref, local_time(m->detail_at, a),
			 local_time(m->detail_end, b));
		break;
	case RULE_REST:
		snprintf(out, outlen, "assigned (request %lld) from %s to %s: less than %lld hours of rest", m->detail_ref,
			 local_time(m->detail_at, a), local_time(m->detail_end, b), mrq->rest_ms / 3600000LL);
		break;
	case RULE_DISTANCE:
		if (m->distance_m < 0)
			snprintf(out, outlen, "has no home commune");
		else
			snprintf(out, outlen, "lives %.1f km away, beyond their %d km radius%s", m->distance_m / 1000.0,
				 v->radius_km, mrq->extra_radius_km ? " and this wave's widening" : "");
		break;
	case RULE_SKILLS:
		snprintf(out, outlen, "lacks the skill %s", nth_word(mrq->skills, m->detail_kind, w, sizeof w));
		break;
	case RULE_LANGUAGES:
		snprintf(out, outlen, "does not speak %s", nth_word(mrq->languages, m->detail_kind, w, sizeof w));
		break;
	default:
		snprintf(out, outlen, "eligible");
		break;
	}
}

static cJSON *person_json(struct app *app, const struct principal *who, long long id, const char *dep)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "volunteer_id", (double)id);
	cJSON_AddStringToObject(o, "dep", dep);
	struct staff_contact c;
	/* names only of volunteers the reader may read */
	if (sees_person(who, dep) && store_staff_contact(app->store, id, &c) == STORE_OK) {
		cJSON_AddStringToObject(o, "first_name", c.first_name);
		cJSON_AddStringToObject(o, "last_name", c.last_name);
	} else {
		cJSON_AddNullToObject(o, "first_name");
		cJSON_AddNullToObject(o, "last_name");
	}
	return o;
}

static cJSON *candidate_json(struct app *app, const struct principal *who, const struct deploy_preview *p,
			     const struct match_result *m, const struct staff_request_row *r)
{
	const struct match_volunteer *v = &p->pool.v[m->index];
	cJSON *o = person_json(app, who, m->volunteer_id, p->pool.e[m->index].dep);
	char text[256], when[24];
	if (m->rule != RULE_NONE) {
		cJSON_AddStringToObject(o, "rule", match_rule_name(m->rule));
		why_excluded(m, v, r, &p->mrq, text, sizeof text);
		cJSON_AddStringToObject(o, "reason", text);
		return o;
	}
	cJSON_AddNumberToObject(o, "rank", m->rank);
	cJSON_AddNumberToObject(o, "distance_km", round(m->distance_m / 100.0) / 10);
	cJSON_AddNumberToObject(o, "band", m->band);
	cJSON_AddBoolToObject(o, "widened", m->widened);
	api_add_time(o, "last_called_at", m->last_called_at);
	cJSON_AddNumberToObject(o, "deployments", m->deployments);
	cJSON *reasons = cJSON_AddArrayToObject(o, "reasons");
	snprintf(text, sizeof text, "%s", enum_value(&entity_volunteer, "profession", v->profession));
	cJSON_AddItemToArray(reasons, cJSON_CreateString(text));
	if (r->credentials[0]) {
		snprintf(text, sizeof text, "%s valid over the whole shift", r->credentials);
		cJSON_AddItemToArray(reasons, cJSON_CreateString(text));
	}
	cJSON_AddItemToArray(reasons, cJSON_CreateString("available, not assigned, rested"));
	snprintf(text, sizeof text, "%.1f km away (radius %d km%s)", m->distance_m / 1000.0, v->radius_km,
		 m->widened ? ", widened for this wave" : "");
	cJSON_AddItemToArray(reasons, cJSON_CreateString(text));
	if (m->last_called_at) {
		local_time(m->last_called_at, when);
		when[10] = '\0'; /* the day is what fairness reads; the time is in last_called_at */
		snprintf(text, sizeof text, "last called on %s", when);
	}
	else {
		snprintf(text, sizeof text, "never called");
	}
	cJSON_AddItemToArray(reasons, cJSON_CreateString(text));
	snprintf(text, sizeof text, "%d deployment%s", m->deployments, m->deployments == 1 ? "" : "s");
	cJSON_AddItemToArray(reasons, cJSON_CreateString(text));
	return o;
}

/* The ranked candidates of r (every profession: each excluded volunteer with their reason). */
static int render_preview(struct app *app, struct op_request *req, const struct staff_request_row *r,
			  struct op_response *res)
{
	static const char *const names[] = {"volunteer_id", "limit", NULL};
	long long only = 0, limit;
	if (api_only_params(req, res, names, "is not a parameter of a preview (volunteer_id, limit)") ||
	    api_param_int(req, "volunteer_id", 1, INT_EXACT_MAX, &only, NULL, res) || api_param_limit(app, req, &limit, res))
		return -1;
	struct deploy_preview p;
	struct rf_error err;
	if (deployment_preview(app, r, only, 1, &p, &err))
		return api_fail_error(res, &err);
	/* a volunteer the reader may not read is not explained: it answers as missing */
	if (only && (!p.pool.n || !sees_person(&req->who, p.pool.e[0].dep))) {
		deployment_preview_release(&p);
		return api_fail(res, 404, "not_found", "volunteer_id", "no such volunteer");
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "wave", p.wave);
	cJSON_AddNumberToObject(o, "extra_radius_km", p.extra_radius_km);
	cJSON_AddNumberToObject(o, "eligible", (double)p.eligible);
	cJSON *cand = cJSON_AddArrayToObject(o, "candidates");
	for (size_t i = 0; i < p.eligible && (long long)i < limit; i++)
		cJSON_AddItemToArray(cand, candidate_json(app, &req->who, &p, &p.results[i], r));
	int by_rule[RULE_COUNT] = {0};
	cJSON *ex = cJSON_AddArrayToObject(o, "excluded");
	long long shown = 0;
	for (size_t i = p.eligible; i < p.pool.n; i++) {
		const struct match_result *m = &p.results[i];
		by_rule[m->rule]++;
		/* the excluded the reader may read, by name and reason; the others are counted */
		if (shown < limit && sees_person(&req->who, p.pool.e[m->index].dep)) {
			cJSON_AddItemToArray(ex, candidate_json(app, &req->who, &p, m, r));
			shown++;
		}
	}
	cJSON *counts = cJSON_AddObjectToObject(o, "excluded_by_rule");
	for (int k = RULE_CALLED; k < RULE_COUNT; k++)
		cJSON_AddNumberToObject(counts, match_rule_name(k), by_rule[k]);
	deployment_preview_release(&p);
	res->data = o;
	return 0;
}

int op_staff_requests_preview(struct app *app, struct op_request *req, struct op_response *res)
{
	struct staff_request_row *r = body_request(app, req, res, deployment_request_prepare);
	if (!r)
		return -1;
	int rc = render_preview(app, req, r, res);
	free(r);
	return rc;
}

int op_staff_requests_candidates(struct app *app, struct op_request *req, struct op_response *res)
{
	struct staff_request_row *r = malloc(sizeof *r);
	if (!r)
		return api_fail(res, 503, "unavailable", "", "out of memory");
	int rc = path_request(app, req, r, res);
	if (!rc) {
		/* the id is a path's: take it out of the preview's parameters */
		cJSON_DeleteItemFromObjectCaseSensitive(req->params, "id");
		rc = render_preview(app, req, r, res);
	}
	free(r);
	return rc;
}

/* --- a volunteer's calls -------------------------------------------------------------------------------- */

struct mine_ctx {
	struct app *app;
	cJSON *items;
	int rc;
};

static int add_mine(void *ctx, const struct staff_call_row *k)
{
	struct mine_ctx *c = ctx;
	struct staff_request_row *r = malloc(sizeof *r);
	if (!r || (c->rc = store_staff_request_get(c->app->store, &principal_system, k->request_id, r))) {
		if (!r)
			c->rc = STORE_ERROR;
		free(r);
		return 1;
	}
	int accepted = strcmp(k->status, "accepted") == 0;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)k->id);
	cJSON_AddNumberToObject(o, "request_id", (double)k->request_id);
	cJSON_AddStringToObject(o, "code", k->code);
	cJSON_AddStringToObject(o, "status", k->status);
	cJSON_AddStringToObject(o, "structure_name", r->structure_name);
	cJSON_AddStringToObject(o, "commune_name", r->commune_name);
	cJSON_AddStringToObject(o, "urgency", r->urgency);
	cJSON_AddStringToObject(o, "request_status", r->status);
	cJSON *shifts = cJSON_AddArrayToObject(o, "shifts");
	for (int i = 0; i < r->nshifts; i++) {
		cJSON *s = cJSON_CreateObject();
		api_add_time(s, "start", r->shifts[i].start);
		api_add_time(s, "end", r->shifts[i].end);
		cJSON_AddItemToArray(shifts, s);
	}
	if (r->notes[0])
		cJSON_AddStringToObject(o, "notes", r->notes);
	else
		cJSON_AddNullToObject(o, "notes");
	/* where to go and whom to call: for those who are coming */
	if (accepted && r->address[0])
		cJSON_AddStringToObject(o, "address", r->address);
	else
		cJSON_AddNullToObject(o, "address");
	if (accepted && r->contact_phone[0])
		cJSON_AddStringToObject(o, "contact_phone", r->contact_phone);
	else
		cJSON_AddNullToObject(o, "contact_phone");
	api_add_time(o, "called_at", k->called_at);
	api_add_time(o, "expires_at", k->expires_at);
	api_add_time(o, "answered_at", k->answered_at);
	cJSON_AddItemToArray(c->items, o);
	free(r);
	return 0;
}

int op_staff_calls_list(struct app *app, struct op_request *req, struct op_response *res)
{
	static const char *const names[] = {"all", NULL};
	char t[8];
	if (api_only_params(req, res, names, "is not a parameter of a volunteer's calls (all)"))
		return -1;
	const char *all = api_param(req, "all", t, sizeof t);
	if (all && strcmp(all, "true") && strcmp(all, "false"))
		return api_fail(res, 422, "invalid", "all", "must be true or false");
	struct mine_ctx c = {app, cJSON_CreateArray(), STORE_OK};
	int rc = store_staff_calls_of_volunteer(app->store, req->who.subject_id, !(all && strcmp(all, "true") == 0), add_mine,
						&c);
	if (rc || c.rc) {
		cJSON_Delete(c.items);
		return api_fail_store(app, res, rc ? rc : c.rc, "calls");
	}
	res->data = cJSON_CreateObject();
	cJSON_AddItemToObject(res->data, "items", c.items);
	return 0;
}

int op_staff_calls_answer(struct app *app, struct op_request *req, struct op_response *res)
{
	long long id;
	if (api_param_id(req, "id", &id, res))
		return -1;
	static const char *const names[] = {"answer", NULL};
	const cJSON *b = req->body;
	if (api_only_fields(b, res, names, "is not a field of an answer (answer)"))
		return -1;
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(b, "answer");
	if (!a)
		return api_fail(res, 422, "required", "answer", "is required");
	int verb = !cJSON_IsString(a)			 ? VERB_NONE
		   : !strcmp(a->valuestring, "accept")	 ? VERB_ACCEPT
		   : !strcmp(a->valuestring, "decline")	 ? VERB_DECLINE
		   : !strcmp(a->valuestring, "withdraw") ? VERB_WITHDRAW
							 : VERB_NONE;
	if (verb == VERB_NONE)
		return api_fail(res, 422, "invalid", "answer", "must be accept, decline or withdraw");
	const char *result = NULL;
	struct rf_error err;
	if (deployment_answer(app, &req->who, id, verb, &result, &err))
		return api_fail_error(res, &err);
	struct staff_call_row k;
	int rc = store_staff_call_get(app->store, id, &k);
	if (rc)
		return api_fail_store(app, res, rc, "id");
	res->data = cJSON_CreateObject();
	cJSON_AddNumberToObject(res->data, "id", (double)id);
	cJSON_AddStringToObject(res->data, "status", k.status);
	cJSON_AddStringToObject(res->data, "result", result ? result : "");
	return 0;
}

/* --- events ----------------------------------------------------------------------------------------------- */

cJSON *deploy_event_json(const struct deploy_event *e)
{
	cJSON *o = cJSON_CreateObject();
	switch (e->kind) {
	case DEV_REQUEST:
		cJSON_AddNumberToObject(o, "id", (double)e->request_id);
		cJSON_AddNumberToObject(o, "structure_id", (double)e->structure_id);
		cJSON_AddStringToObject(o, "status", e->status);
		cJSON_AddStringToObject(o, "urgency", e->urgency);
		cJSON_AddNumberToObject(o, "count", e->count);
		cJSON_AddNumberToObject(o, "filled", e->filled);
		cJSON_AddNumberToObject(o, "open_calls", e->open_calls);
		cJSON_AddNumberToObject(o, "called", e->called);
		cJSON_AddNumberToObject(o, "wave", e->wave);
		api_add_time(o, "starts_at", e->starts_at);
		api_add_time(o, "deadline", e->deadline);
		break;
	case DEV_WAVE:
		cJSON_AddNumberToObject(o, "request_id", (double)e->request_id);
		cJSON_AddNumberToObject(o, "wave", e->wave);
		cJSON_AddNumberToObject(o, "calls", e->wave_calls);
		cJSON_AddNumberToObject(o, "extra_radius_km", e->extra_radius_km);
		break;
	case DEV_CALL:
		cJSON_AddNumberToObject(o, "id", (double)e->call_id);
		cJSON_AddNumberToObject(o, "request_id", (double)e->request_id);
		cJSON_AddNumberToObject(o, "volunteer_id", (double)e->volunteer_id);
		cJSON_AddNumberToObject(o, "wave", e->wave);
		cJSON_AddNumberToObject(o, "rank", e->rank);
		cJSON_AddStringToObject(o, "code", e->code);
		cJSON_AddStringToObject(o, "status", e->call_status);
		cJSON_AddNumberToObject(o, "distance_km", round(e->distance_m / 100.0) / 10);
		api_add_time(o, "expires_at", e->expires_at);
		break;
	case DEV_REPLY:
		cJSON_AddNumberToObject(o, "request_id", (double)e->request_id);
		cJSON_AddNumberToObject(o, "call_id", (double)e->call_id);
		cJSON_AddNumberToObject(o, "volunteer_id", (double)e->volunteer_id);
		cJSON_AddStringToObject(o, "source", e->source);
		cJSON_AddStringToObject(o, "verb", e->verb);
		cJSON_AddStringToObject(o, "result", e->result);
		break;
	case DEV_ASSIGNMENT:
		cJSON_AddNumberToObject(o, "request_id", (double)e->request_id);
		cJSON_AddNumberToObject(o, "call_id", (double)e->call_id);
		cJSON_AddNumberToObject(o, "filled", e->filled);
		cJSON_AddNumberToObject(o, "count", e->count);
		break;
	case DEV_ESCALATION:
		cJSON_AddNumberToObject(o, "request_id", (double)e->request_id);
		cJSON_AddNumberToObject(o, "alert_id", (double)e->alert_id);
		cJSON_AddStringToObject(o, "reason", e->reason);
		cJSON_AddNumberToObject(o, "missing", e->missing);
		cJSON_AddStringToObject(o, "status", e->status);
		break;
	}
	return o;
}
