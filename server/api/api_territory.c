/* api_territory: the région's départements and communes (reference data, readable by every token). */
#include "api_handlers.h"

#include "store_territory.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cJSON *dep_json(const struct departement *d)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "code", d->code);
	cJSON_AddStringToObject(o, "name", d->name);
	cJSON_AddStringToObject(o, "region", d->region);
	cJSON_AddNumberToObject(o, "lat", d->lat);
	cJSON_AddNumberToObject(o, "lng", d->lng);
	cJSON_AddStringToObject(o, "prefecture", d->prefecture);
	cJSON_AddNumberToObject(o, "population", (double)d->population);
	cJSON_AddNumberToObject(o, "communes", (double)d->communes);
	return o;
}

static cJSON *commune_json(const struct commune *c)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "insee", c->insee);
	cJSON_AddStringToObject(o, "name", c->name);
	cJSON_AddStringToObject(o, "dep", c->dep);
	cJSON_AddStringToObject(o, "postcode", c->postcode);
	cJSON_AddNumberToObject(o, "lat", c->lat);
	cJSON_AddNumberToObject(o, "lng", c->lng);
	cJSON_AddNumberToObject(o, "population", (double)c->population);
	return o;
}

static int add_dep(void *ctx, const struct departement *d)
{
	cJSON_AddItemToArray(ctx, dep_json(d));
	return 0;
}

int op_territories_list(struct app *app, struct op_request *req, struct op_response *res)
{
	(void)req;
	cJSON *items = cJSON_CreateArray();
	int rc = store_departement_list(app->store, add_dep, items);
	if (rc) {
		cJSON_Delete(items);
		return api_fail_store(app, res, rc, "territories");
	}
	res->data = cJSON_CreateObject();
	cJSON_AddStringToObject(res->data, "region", "76");
	cJSON_AddStringToObject(res->data, "name", "Occitanie");
	cJSON_AddItemToObject(res->data, "items", items);
	return 0;
}

int op_territories_get(struct app *app, struct op_request *req, struct op_response *res)
{
	char tmp[16];
	const char *code = api_param(req, "code", tmp, sizeof tmp);
	struct departement d;
	if (!code || strlen(code) != 2)
		return api_fail(res, 404, "not_found", "code", "no such département");
	int rc = store_departement_get(app->store, code, &d);
	if (rc == STORE_NOTFOUND)
		return api_fail(res, 404, "not_found", "code", "no such département");
	if (rc)
		return api_fail_store(app, res, rc, "territory");
	res->data = dep_json(&d);
	return 0;
}

struct commune_ctx {
	cJSON *items;
	char last[8];
	long long n;
};

static int add_commune(void *ctx, const struct commune *c)
{
	struct commune_ctx *cc = ctx;
	cJSON_AddItemToArray(cc->items, commune_json(c));
	snprintf(cc->last, sizeof cc->last, "%s", c->insee);
	cc->n++;
	return 0;
}

int op_communes_list(struct app *app, struct op_request *req, struct op_response *res)
{
	static const char *const names[] = {"dep", "after", "limit", "q", NULL};
	char t1[16], t2[16], t4[128];
	const char *dep = api_param(req, "dep", t1, sizeof t1);
	const char *after = api_param(req, "after", t2, sizeof t2);
	const char *q = api_param(req, "q", t4, sizeof t4);
	if (api_only_params(req, res, names, "is not a filter of communes (dep, q, after, limit)"))
		return -1;
	if (dep && strlen(dep) != 2)
		return api_fail(res, 422, "invalid", "dep", "must be a département code like 81");
	if (after && validate_insee(after))
		return api_fail(res, 422, "invalid", "after", "must be the \"next\" value of the previous page");
	const char *rule = q ? validate_text(q, 1, 100) : NULL;
	if (rule)
		return api_fail(res, 422, "invalid", "q", rule);
	long long limit;
	if (api_param_limit(app, req, &limit, res))
		return -1;
	struct commune_ctx cc = {cJSON_CreateArray(), "", 0};
	int rc = store_commune_list(app->store, dep, q, after, limit, add_commune, &cc);
	if (rc) {
		cJSON_Delete(cc.items);
		return api_fail_store(app, res, rc, "communes");
	}
	res->data = cJSON_CreateObject();
	cJSON_AddItemToObject(res->data, "items", cc.items);
	if (cc.n == limit)
		cJSON_AddStringToObject(res->data, "next", cc.last);
	else
		cJSON_AddNullToObject(res->data, "next");
	return 0;
}

int op_communes_get(struct app *app, struct op_request *req, struct op_response *res)
{
	char tmp[16];
	const char *insee = api_param(req, "insee", tmp, sizeof tmp);
	struct commune c;
	if (!insee || validate_insee(insee))
		return api_fail(res, 404, "not_found", "insee", "no such commune");
	int rc = store_commune_get(app->store, insee, &c);
	if (rc == STORE_NOTFOUND)
		return api_fail(res, 404, "not_found", "insee", "no such commune");
	if (rc)
		return api_fail_store(app, res, rc, "commune");
	res->data = commune_json(&c);
	return 0;
}
