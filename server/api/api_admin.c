/* api_admin: who am I, API tokens, the audit log, and the volunteer pool's anonymous counts. */
#include "api_handlers.h"

#include "clock.h"
#include "disclosure.h"
#include "store.h"
#include "store_report.h"
#include "store_token.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ",31,81," -> ["31","81"], "" -> "region"; null for tokens acting as one row (no territory) */
static cJSON *scope_json(enum role role, const char *deps)
{
	if (role == ROLE_STRUCTURE || role == ROLE_DEPOT || role == ROLE_VOLUNTEER)
		return cJSON_CreateNull();
	if (!deps[0])
		return cJSON_CreateString("region");
	cJSON *a = cJSON_CreateArray();
	for (const char *p = deps; *p; p++)
		if (*p == ',' && p[1] && p[2] && p[3] == ',') {
			char d[3] = {p[1], p[2], '\0'};
			cJSON_AddItemToArray(a, cJSON_CreateString(d));
		}
	return a;
}

int op_whoami(struct app *app, struct op_request *req, struct op_response *res)
{
	res->data = cJSON_CreateObject();
	cJSON_AddNumberToObject(res->data, "token_id", (double)req->who.token_id);
	cJSON_AddStringToObject(res->data, "role", role_name(req->who.role));
	cJSON_AddItemToObject(res->data, "scope", scope_json(req->who.role, req->who.deps));
	if (req->who.subject_id)
		cJSON_AddNumberToObject(res->data, "subject_id", (double)req->who.subject_id);
	else
		cJSON_AddNullToObject(res->data, "subject_id");
	/* every page asks whoami first: an exercise's shows its banner from this */
	cJSON_AddBoolToObject(res->data, "exercise", app->exercise);
	return 0;
}

static cJSON *token_json(const struct token_info *t)
{
	char iso[32];
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)t->id);
	cJSON_AddStringToObject(o, "role", role_name(t->role));
	cJSON_AddItemToObject(o, "scope", scope_json(t->role, t->deps));
	if (t->subject_id)
		cJSON_AddNumberToObject(o, "subject_id", (double)t->subject_id);
	else
		cJSON_AddNullToObject(o, "subject_id");
	cJSON_AddStringToObject(o, "label", t->label);
	cJSON_AddStringToObject(o, "created_at", clock_format_iso(t->created_at, iso));
	if (t->revoked_at)
		cJSON_AddStringToObject(o, "revoked_at", clock_format_iso(t->revoked_at, iso));
	else
		cJSON_AddNullToObject(o, "revoked_at");
	return o;
}

static int add_token(void *ctx, const struct token_info *t)
{
	cJSON_AddItemToArray(ctx, token_json(t));
	return 0;
}

int op_tokens_list(struct app *app, struct op_request *req, struct op_response *res)
{
	(void)req;
	cJSON *items = cJSON_CreateArray();
	int rc = store_token_list(app->store, add_token, items);
	if (rc) {
		cJSON_Delete(items);
		return api_fail_store(app, res, rc, "tokens");
	}
	res->data = cJSON_CreateObject();
	cJSON_AddItemToObject(res->data, "items", items);
	return 0;
}

int op_tokens_create(struct app *app, struct op_request *req, struct op_response *res)
{
	const cJSON *b = req->body, *j;
	if (!cJSON_IsObject(b))
		return api_fail(res, 400, "invalid_json", "body", "a JSON object is required");
	cJSON_ArrayForEach(j, b)
	{
		if (strcmp(j->string, "role") && strcmp(j->string, "scope") && strcmp(j->string, "subject_id") &&
		    strcmp(j->string, "label"))
			return api_fail(res, 422, "unknown_field", j->string, "is not a field of token (role, scope, "
									      "subject_id, label)");
	}
	const cJSON *role_j = cJSON_GetObjectItemCaseSensitive(b, "role");
	const cJSON *scope_j = cJSON_GetObjectItemCaseSensitive(b, "scope");
	const cJSON *subject_j = cJSON_GetObjectItemCaseSensitive(b, "subject_id");
	const cJSON *label_j = cJSON_GetObjectItemCaseSensitive(b, "label");
	int role = cJSON_IsString(role_j) ? role_parse(role_j->valuestring) : -1;
	if (role < 0)
		return api_fail(res, 422, "invalid", "role", "must be one of admin, coordinator, structure, depot, "
							     "volunteer, observer");
	char deps[44] = "";
	if (scope_j && !cJSON_IsNull(scope_j)) {
		const char *rule = cJSON_IsString(scope_j) ? auth_scope_parse(scope_j->valuestring, deps, sizeof deps)
							   : "must be a string like \"region\" or \"31,81\"";
		if (rule)
			return api_fail(res, 422, "invalid", "scope", rule);
		if (deps[0] && role != ROLE_COORDINATOR && role != ROLE_OBSERVER)
			return api_fail(res, 422, "invalid", "scope", "only coordinator and observer tokens have a territory");
	}
	long long subject = 0;
	int needs_subject = role == ROLE_STRUCTURE || role == ROLE_DEPOT || role == ROLE_VOLUNTEER;
	if (needs_subject) {
		if (!subject_j || cJSON_IsNull(subject_j))
			return api_fail(res, 422, "required", "subject_id", "is required for structure, depot and volunteer "
									  "tokens: the id they act as");
		if (api_json_int(subject_j, "subject_id", 1, INT_EXACT_MAX, &subject, NULL, res))
			return -1;
	} else if (subject_j && !cJSON_IsNull(subject_j))
		return api_fail(res, 422, "invalid", "subject_id", "is only for structure, depot and volunteer tokens");
	/* 120 characters, not bytes, like every text of the protocol */
	const char *label_rule = !label_j ? NULL : cJSON_IsString(label_j) ? validate_text(label_j->valuestring, 0, 120)
									  : "must be a string of at most 120 characters";
	if (label_rule)
		return api_fail(res, 422, "invalid", "label", label_rule);
	char secret[48], hash[65];
	if (auth_token_generate(secret))
		return api_fail(res, 503, "unavailable", "", "no randomness available");
	auth_token_hash(secret, hash);
	long long id;
	int rc = store_token_create(app->store, (enum role)role, deps, subject, label_j ? label_j->valuestring : "",
				    hash, &id);
	if (rc)
		return api_fail_store(app, res, rc, "subject_id");
	res->status = 201;
	res->secret = 1;
	res->data = cJSON_CreateObject();
	cJSON_AddNumberToObject(res->data, "id", (double)id);
	cJSON_AddStringToObject(res->data, "token", secret);
	cJSON_AddStringToObject(res->data, "role", role_name((enum role)role));
	cJSON_AddItemToObject(res->data, "scope", scope_json((enum role)role, deps));
	return 0;
}

int op_tokens_revoke(struct app *app, struct op_request *req, struct op_response *res)
{
	long long id;
	if (api_param_id(req, "id", &id, res))
		return -1;
	int rc = store_token_revoke(app->store, id);
	if (rc)
		return api_fail_store(app, res, rc, "token");
	res->data = cJSON_CreateObject();
	cJSON_AddNumberToObject(res->data, "id", (double)id);
	cJSON_AddBoolToObject(res->data, "revoked", 1);
	return 0;
}

struct audit_ctx {
	cJSON *items;
	long long last;
	long long n;
};

static int add_audit(void *ctx, const struct audit_row *r)
{
	struct audit_ctx *ac = ctx;
	char iso[32];
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)r->id);
	cJSON_AddStringToObject(o, "at", clock_format_iso(r->at, iso));
	if (r->actor)
		cJSON_AddNumberToObject(o, "actor_token", (double)r->actor);
	else
		cJSON_AddNullToObject(o, "actor_token");
	if (r->actor_name)
		cJSON_AddStringToObject(o, "actor_name", r->actor_name);
	else
		cJSON_AddNullToObject(o, "actor_name");
	cJSON_AddStringToObject(o, "actor_role", r->actor_role ? r->actor_role : "system");
	cJSON_AddStringToObject(o, "action", r->action);
	cJSON_AddStringToObject(o, "entity", r->entity);
	cJSON_AddNumberToObject(o, "entity_id", (double)r->entity_id);
	if (r->parent_id)
		cJSON_AddNumberToObject(o, "parent_id", (double)r->parent_id);
	cJSON_AddItemToObject(o, "before", r->before ? cJSON_Parse(r->before) : cJSON_CreateNull());
	cJSON_AddItemToObject(o, "after", r->after ? cJSON_Parse(r->after) : cJSON_CreateNull());
	cJSON_AddItemToArray(ac->items, o);
	ac->last = r->id;
	ac->n++;
	return 0;
}

int op_audit_list(struct app *app, struct op_request *req, struct op_response *res)
{
	static const char *const names[] = {"entity", "entity_id", "before", "limit", NULL};
	char t1[32];
	const char *entity = api_param(req, "entity", t1, sizeof t1);
	long long entity_id = 0, before = 0, limit;
	/* a filter that cannot be read must not silently answer everything */
	if (api_only_params(req, res, names, "is not a filter of the audit log (entity, entity_id, before, limit)") ||
	    api_param_int(req, "entity_id", 1, INT_EXACT_MAX, &entity_id, NULL, res) ||
	    api_param_int(req, "before", 1, INT_EXACT_MAX, &before, "must be the \"next_before\" value of the previous page",
			  res) ||
	    api_param_limit(app, req, &limit, res))
		return -1;
	struct audit_ctx ac = {cJSON_CreateArray(), 0, 0};
	int rc = store_audit_list(app->store, &req->who, entity, entity_id, before, limit, add_audit, &ac);
	if (rc) {
		cJSON_Delete(ac.items);
		return api_fail_store(app, res, rc, "audit");
	}
	res->data = cJSON_CreateObject();
	cJSON_AddItemToObject(res->data, "items", ac.items);
	api_add_next_before(res->data, ac.n, limit, ac.last);
	return 0;
}

struct stat_table {
	struct stat_cell *cells;
	size_t n, cap;
	int oom;
};

static int add_count(void *ctx, const struct pool_count *c)
{
	struct stat_table *t = ctx;
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		struct stat_cell *p = realloc(t->cells, cap * sizeof *p);
		if (!p) {
			t->oom = 1;
			return -1;
		}
		t->cells = p;
		t->cap = cap;
	}
	struct stat_cell *cell = &t->cells[t->n++];
	memset(cell, 0, sizeof *cell);
	snprintf(cell->dep, sizeof cell->dep, "%s", c->dep);
	snprintf(cell->profession, sizeof cell->profession, "%s", c->profession);
	snprintf(cell->availability, sizeof cell->availability, "%s", c->availability);
	snprintf(cell->gender, sizeof cell->gender, "%s", c->gender);
	cell->count = c->count;
	return 0;
}

int op_volunteers_stats(struct app *app, struct op_request *req, struct op_response *res)
{
	struct stat_table t = {NULL, 0, 0, 0};
	int rc = store_volunteer_counts(app->store, &req->who, add_count, &t);
	if (rc || t.oom) {
		if (!rc)
			rc = STORE_ERROR;
		free(t.cells);
		return api_fail_store(app, res, rc, "volunteers");
	}
	/* the observatory reads counts, not people; coordinators and admins may list the people
	 * themselves, so their counts are exact */
	long long min_count = req->who.role == ROLE_OBSERVER ? app->cfg.stats_min_count : 1;
	size_t n = disclosure_protect(t.cells, t.n, min_count);
	cJSON *groups = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++) {
		const struct stat_cell *c = &t.cells[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "dep", c->dep);
		cJSON_AddStringToObject(o, "profession", c->profession);
		cJSON_AddStringToObject(o, "availability", c->availability);
		if (c->gender[0])
			cJSON_AddStringToObject(o, "gender", c->gender);
		else
			cJSON_AddNullToObject(o, "gender");
		if (c->suppressed)
			cJSON_AddNullToObject(o, "count");
		else
			cJSON_AddNumberToObject(o, "count", (double)c->count);
		cJSON_AddBoolToObject(o, "suppressed", c->suppressed);
		cJSON_AddItemToArray(groups, o);
	}
	free(t.cells);
	res->data = cJSON_CreateObject();
	cJSON_AddNumberToObject(res->data, "min_count", (double)min_count);
	cJSON_AddItemToObject(res->data, "groups", groups);
	return 0;
}
