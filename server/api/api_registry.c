/* api_registry: list, read, create, update and delete rows of the registries (structures, depots,
 * items, volunteers), the same code for all four, driven by the model. */
#include "api_handlers.h"

#include "record_json.h"
#include "store.h"
#include "store_record.h"
#include "store_token.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct entity *registry_entity(const struct op *op)
{
	char plural[32];
	const char *dot = strchr(op->name, '.');
	size_t n = dot ? (size_t)(dot - op->name) : strlen(op->name);
	if (n >= sizeof plural)
		return NULL;
	memcpy(plural, op->name, n);
	plural[n] = '\0';
	return entity_by_plural(plural);
}

/* Observers read registries without the personal fields (contacts' names and phones). */
static int sees_personal(const struct principal *who)
{
	return who->role != ROLE_OBSERVER;
}

/* Validates a list filter's value like the field itself would be validated. */
static const char *filter_rule(const struct field *f, const char *v)
{
	switch (f->kind) {
	case FK_ENUM:
		return field_enum_ok(f, v) ? NULL : "is not one of the field's values";
	case FK_COMMUNE:
		return validate_insee(v);
	case FK_FINESS:
		return validate_finess(v, NULL);
	case FK_DEP:
		return (strlen(v) == 2) ? NULL : "must be a département code like 81";
	case FK_WORDS:
		return validate_word(v);
	case FK_LANGS:
		return validate_lang2(v);
	default:
		return validate_text(v, 1, 200);
	}
}

struct list_ctx {
	cJSON *items;
	long long last_id;
	long long count;
	int with_personal;
};

static int list_row(void *ctx, struct record *r)
{
	struct list_ctx *lc = ctx;
	lc->last_id = r->v[0].i;
	lc->count++;
	cJSON_AddItemToArray(lc->items, record_to_json(r, lc->with_personal));
	record_free(r);
	return 0;
}

int registry_list_query(struct app *app, struct op_request *req, const struct entity *e, struct list_query *q,
			    struct op_response *res)
{
	memset(q, 0, sizeof *q);
	q->limit = app->cfg.page_size_default;
	const cJSON *p;
	char tmp[64];
	cJSON_ArrayForEach(p, req->params)
	{
		const char *name = p->string;
		const char *v = api_param(req, name, tmp, sizeof tmp);
		if (!v)
			return api_fail(res, 422, "invalid", name, "must be a string or a number");
		if (strcmp(name, "limit") == 0) {
			if (api_param_int(req, "limit", 1, app->cfg.page_size_max, &q->limit, NULL, res))
				return -1;
		} else if (strcmp(name, "after") == 0) {
			if (api_param_int(req, "after", 0, INT_EXACT_MAX, &q->after,
					  "must be the \"next\" value of the previous page", res))
				return -1;
		} else if (strcmp(name, "q") == 0) {
			/* q searches the name: where there is none, an ignored q would answer everything */
			if (!entity_field(e, "name", NULL)) {
				char rule[96];
				snprintf(rule, sizeof rule, "is not a filter of %s", e->plural);
				return api_fail(res, 422, "unknown_field", "q", rule);
			}
			const char *rule = validate_text(v, 1, 100);
			if (rule)
				return api_fail(res, 422, "invalid", "q", rule);
			q->q = v;
		} else if (strcmp(name, "format") == 0 && strstr(req->op->name, ".export")) {
			continue;
		} else {
			int idx;
			const struct field *f = entity_field(e, name, &idx);
			if (!f || !(f->flags & F_FILTER)) {
				char rule[96];
				snprintf(rule, sizeof rule, "is not a filter of %s", e->plural);
				return api_fail(res, 422, "unknown_field", name, rule);
			}
			const char *rule = filter_rule(f, v);
			if (rule)
				return api_fail(res, 422, "invalid", name, rule);
			if (q->nfilters == LIST_MAX_FILTERS)
				return api_fail(res, 422, "invalid", name, "too many filters");
			q->filters[q->nfilters].field = idx;
			q->filters[q->nfilters++].value = v;
		}
	}
	return 0;
}

int op_registry_list(struct app *app, struct op_request *req, struct op_response *res)
{
	const struct entity *e = registry_entity(req->op);
	struct list_query q;
	if (registry_list_query(app, req, e, &q, res))
		return -1;
	struct list_ctx lc = {cJSON_CreateArray(), 0, 0, sees_personal(&req->who)};
	long long total = 0;
	int rc = store_record_list(app->store, e, &req->who, &q, list_row, &lc, &total);
	if (rc) {
		cJSON_Delete(lc.items);
		return api_fail_store(app, res, rc, e->plural);
	}
	res->data = cJSON_CreateObject();
	cJSON_AddItemToObject(res->data, "items", lc.items);
	cJSON_AddNumberToObject(res->data, "total", (double)total);
	api_add_next(res->data, lc.count, q.limit, lc.last_id);
	return 0;
}

int op_registry_get(struct app *app, struct op_request *req, struct op_response *res)
{
	const struct entity *e = registry_entity(req->op);
	long long id;
	if (api_param_id(req, "id", &id, res))
		return -1;
	struct record *r = NULL;
	int rc = store_record_get(app->store, e, &req->who, id, &r);
	if (rc)
		return api_fail_store(app, res, rc, e->name);
	res->data = record_to_json(r, sees_personal(&req->who));
	record_free(r);
	return 0;
}

/* A scoped entity without a commune (duty officers) names its département itself, or none for the
 * whole region: a coordinator of départements writes within them only. */
static int check_given_dep(const struct principal *who, const struct record *r, int is_create, struct rf_error *err)
{
	int di;
	if (!(r->e->flags & E_SCOPED) || !entity_field(r->e, "dep", &di) || !who->deps[0] ||
	    (who->role != ROLE_COORDINATOR && who->role != ROLE_OBSERVER))
		return 0;
	const struct value *v = &r->v[di];
	if (v->state == V_SET ? principal_covers_dep(who, v->s) : (v->state == V_ABSENT && !is_create))
		return 0;
	rf_error_set(err, 422, "out_of_scope", "dep",
		     v->state == V_SET ? "is outside your territory"
				       : "must be one of your départements (none means the whole region)");
	return -1;
}

/* Resolves the commune of r into its département (and default coordinates), and checks that the
 * principal's territory covers it. */
static int resolve_commune(struct app *app, const struct principal *who, struct record *r, int is_create,
			   char dep[4], struct rf_error *err)
{
	const struct entity *e = r->e;
	int ci = e->commune_field;
	if (ci < 0)
		return check_given_dep(who, r, is_create, err);
	if (r->v[ci].state != V_SET)
		return 0;
	double lat, lng;
	int rc = store_commune_lookup(app->store, r->v[ci].s, dep, &lat, &lng);
	if (rc == STORE_NOTFOUND) {
		rf_error_set(err, 422, "invalid", e->fields[ci].name, "is not the INSEE code of a commune of the region");
		return -1;
	}
	if (rc) {
		rf_error_set(err, 503, "unavailable", "", "the database failed; nothing was changed");
		return -1;
	}
	if ((who->role == ROLE_COORDINATOR || who->role == ROLE_OBSERVER) && !principal_covers_dep(who, dep)) {
		rf_error_set(err, 422, "out_of_scope", e->fields[ci].name, "is outside your territory");
		return -1;
	}
	int di;
	if (entity_field(e, "dep", &di) && record_set_text(r, di, dep))
		return -1;
	if (e->flags & E_GEO) {
		int lai, lni;
		entity_field(e, "lat", &lai);
		entity_field(e, "lng", &lni);
		/* a new commune without new coordinates moves the point to the commune's centre */
		if (r->v[lai].state == V_ABSENT || (r->v[lai].state == V_NULL && is_create))
			record_set_real(r, lai, lat);
		if (r->v[lni].state == V_ABSENT || (r->v[lni].state == V_NULL && is_create))
			record_set_real(r, lni, lng);
	}
	return 0;
}

static int store_error(struct app *app, int rc, const char *what, struct rf_error *err)
{
	struct op_response tmp;
	memset(&tmp, 0, sizeof tmp);
	api_fail_store(app, &tmp, rc, what);
	*err = tmp.err;
	return -1;
}

static int check_record(const struct record *r, const char *dep, struct rf_error *err)
{
	const char *field = NULL;
	const char *rule = model_check(r, dep, &field);
	if (!rule)
		return 0;
	rf_error_set(err, 422, "invalid", field, "%s", rule);
	return -1;
}

int registry_create(struct app *app, const struct principal *who, const struct entity *e, const cJSON *obj,
		    long long *id, char *dep_out, struct rf_error *err)
{
	struct record *r = NULL;
	char dep[4] = "";
	if (record_from_json(e, obj, RECORD_CREATE, who, &r, err))
		return -1;
	int rc = -1;
	if (resolve_commune(app, who, r, 1, dep, err) || check_record(r, dep[0] ? dep : NULL, err))
		goto out;
	/* a value may be unique only among the rows the writer reads: a conflict outside them would
	 * tell the writer that someone out of their scope holds it (a phone number) */
	int src = store_record_unique_check(app->store, who, r, 0);
	if (!src)
		src = store_record_insert(app->store, r, id);
	if (src) {
		store_error(app, src, e->name, err);
		goto out;
	}
	if (dep_out) {
		int di;
		const struct field *df = entity_field(e, "dep", &di);
		snprintf(dep_out, 4, "%s", df && r->v[di].state == V_SET ? r->v[di].s : "");
	}
	rc = 0;
out:
	record_free(r);
	return rc;
}

/* Emits "<entity>.<what>" with the row as everybody in scope may see it (no personal data). */
static void emit_row(struct app *app, const struct entity *e, const char *what, const struct record *r, long long id)
{
	char type[48];
	snprintf(type, sizeof type, "%s.%s", e->name, what);
	int di;
	const char *dep = entity_field(e, "dep", &di) && r && r->v[di].state == V_SET ? r->v[di].s : NULL;
	/* a regional depot is every coordinator's shared stock: its events are region-wide */
	if (e == &entity_depot && r && r->v[DEPOT_LEVEL].state == V_SET && strcmp(r->v[DEPOT_LEVEL].s, "regional") == 0)
		dep = NULL;
	cJSON *data = r ? record_to_json(r, 0) : cJSON_CreateObject();
	if (!r)
		cJSON_AddNumberToObject(data, "id", (double)id);
	api_emit(app, type, dep, e->name, id, data);
}

static void answer_row(struct app *app, struct op_request *req, struct op_response *res, const struct entity *e,
		       long long id, const char *what, int status)
{
	struct record *r = NULL;
	/* read back as an admin would: the writer may not see every field (a structure token) */
		int rc = store_record_get(app->store, e, &principal_system, id, &r);
	if (rc) {
		api_fail_store(app, res, rc, e->name);
		return;
	}
	emit_row(app, e, what, r, id);
	res->status = status;
	res->data = record_to_json(r, sees_personal(&req->who));
	res->entity = e->name;
	res->entity_id = id;
	record_free(r);
}

int op_registry_create(struct app *app, struct op_request *req, struct op_response *res)
{
	const struct entity *e = registry_entity(req->op);
	long long id;
	if (!req->body)
		return api_fail(res, 400, "invalid_json", "body", "a JSON object is required");
	if (registry_create(app, &req->who, e, req->body, &id, NULL, &res->err)) {
		res->status = res->err.status;
		return -1;
	}
	answer_row(app, req, res, e, id, "created", 201);
	return 0;
}

int op_registry_update(struct app *app, struct op_request *req, struct op_response *res)
{
	const struct entity *e = registry_entity(req->op);
	long long id;
	if (api_param_id(req, "id", &id, res))
		return -1;
	if (!req->body)
		return api_fail(res, 400, "invalid_json", "body", "a JSON object is required");
	struct record *cur = NULL, *patch = NULL;
	int rc = store_record_get(app->store, e, &req->who, id, &cur);
	if (rc)
		return api_fail_store(app, res, rc, e->name);
	char dep[4] = "";
	int di;
	if (entity_field(e, "dep", &di) && cur->v[di].state == V_SET)
		snprintf(dep, sizeof dep, "%s", cur->v[di].s);
	if (record_from_json(e, req->body, RECORD_UPDATE, &req->who, &patch, &res->err) ||
	    resolve_commune(app, &req->who, patch, 0, dep, &res->err) || record_merge(cur, patch) ||
	    check_record(cur, dep[0] ? dep : NULL, &res->err)) {
		if (!res->err.status)
			rf_error_set(&res->err, 500, "internal", "", "out of memory");
		res->status = res->err.status;
		record_free(cur);
		record_free(patch);
		return -1;
	}
	rc = store_record_unique_check(app->store, &req->who, patch, id);
	if (!rc)
		rc = store_record_update(app->store, &req->who, id, patch);
	record_free(cur);
	record_free(patch);
	if (rc)
		return api_fail_store(app, res, rc, e->name);
	answer_row(app, req, res, e, id, "updated", 200);
	return 0;
}

int op_registry_delete(struct app *app, struct op_request *req, struct op_response *res)
{
	const struct entity *e = registry_entity(req->op);
	long long id;
	if (api_param_id(req, "id", &id, res))
		return -1;
	struct record *cur = NULL;
	int rc = store_record_get(app->store, e, &req->who, id, &cur);
	if (rc)
		return api_fail_store(app, res, rc, e->name);
	const char *what = (e->flags & E_ERASABLE) ? "erased" : "deleted";
	rc = (e->flags & E_ERASABLE) ? store_record_erase(app->store, e, &req->who, id)
				     : store_record_delete(app->store, e, &req->who, id);
	if (rc == STORE_CONFLICT) {
		record_free(cur);
		return api_fail(res, 409, "in_use", "id",
				e == &entity_item ? "is in use by stock records and cannot be deleted"
						  : "has stock or history: set status to closed instead of deleting");
	}
	if (e->flags & E_ERASABLE)
		app->checkpoint_wanted = 1;
	/* a token acting as what is gone acts as nothing (ids are never reused, but say it anyway) */
	if (!rc && e->self_role >= 0)
		rc = store_token_revoke_subject(app->store, (enum role)e->self_role, id);
	if (rc) {
		record_free(cur);
		return api_fail_store(app, res, rc, e->name);
	}
	/* the event names the row and its département only */
	struct record *ref = record_new(e);
	int di;
	if (ref) {
		record_set_int(ref, 0, id);
		if (entity_field(e, "dep", &di) && cur->v[di].state == V_SET)
			record_set_text(ref, di, cur->v[di].s);
	}
	emit_row(app, e, what, ref, id);
	record_free(ref);
	record_free(cur);
	res->data = cJSON_CreateObject();
	cJSON_AddNumberToObject(res->data, "id", (double)id);
	cJSON_AddBoolToObject(res->data, what, 1);
	res->entity = e->name;
	res->entity_id = id;
	return 0;
}
