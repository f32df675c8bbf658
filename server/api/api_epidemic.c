/* api_epidemic: the daily hospital figures per département (issue 14, part 3): their import, a CSV
 * body read by rules/epidemic.c and written by core/epidemic_import.c, and their list, for the
 * dashboard's cover table. */
#include "api_handlers.h"

#include "auth.h"
#include "epidemic.h"
#include "epidemic_import.h"
#include "store.h"
#include "store_epidemic.h"

#include <stdlib.h>
#include <string.h>

int op_epidemic_import(struct app *app, struct op_request *req, struct op_response *res)
{
	if (api_csv_body(req, res))
		return -1;
	struct epidemic_row *rows;
	size_t n;
	if (epidemic_csv_read(req->raw_body, req->raw_len, &rows, &n, &res->err)) {
		res->status = res->err.status;
		return -1;
	}
	struct epidemic_import_result out;
	int rc = epidemic_import(app, &req->who, rows, n, req->now, &out, &res->err);
	free(rows);
	if (rc) {
		res->status = res->err.status;
		return -1;
	}
	res->status = 201;
	res->data = cJSON_CreateObject();
	cJSON_AddNumberToObject(res->data, "imported", (double)out.imported);
	cJSON_AddNumberToObject(res->data, "departements", (double)out.departements);
	cJSON_AddStringToObject(res->data, "first_day", out.first_day);
	cJSON_AddStringToObject(res->data, "last_day", out.last_day);
	return 0;
}

struct list_ctx {
	const struct principal *who;
	cJSON *items;
};

static int add_figures(void *ctx, const struct epidemic_row *r)
{
	struct list_ctx *lc = ctx;
	if (!principal_covers_dep(lc->who, r->dep))
		return 0;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "dep", r->dep);
	cJSON_AddStringToObject(o, "date", r->day);
	for (int f = 0; f < EPI_NFIGURES; f++) {
		const char *name = epidemic_figure_name((enum epidemic_figure)f);
		if (r->figure[f] < 0)
			cJSON_AddNullToObject(o, name);
		else
			cJSON_AddNumberToObject(o, name, (double)r->figure[f]);
	}
	cJSON_AddItemToArray(lc->items, o);
	return 0;
}

int op_epidemic_list(struct app *app, struct op_request *req, struct op_response *res)
{
	static const char *const names[] = {"dep", "from", "to", NULL};
	if (api_only_params(req, res, names, "is not a filter of the figures (dep, from, to)"))
		return -1;
	char t1[16], t2[16], t3[16];
	const char *dep = api_param(req, "dep", t1, sizeof t1), *from = api_param(req, "from", t2, sizeof t2);
	const char *to = api_param(req, "to", t3, sizeof t3);
	if (dep && !epidemic_dep_valid(dep))
		return api_fail(res, 422, "invalid", "dep", "must be a département code like 81");
	if (dep && !principal_covers_dep(&req->who, dep))
		return api_fail(res, 404, "not_found", "dep", "no such département in your territory");
	if (from && !epidemic_day_valid(from))
		return api_fail(res, 422, "invalid", "from", "must be a date written YYYY-MM-DD");
	if (to && !epidemic_day_valid(to))
		return api_fail(res, 422, "invalid", "to", "must be a date written YYYY-MM-DD");
	struct list_ctx lc = {&req->who, cJSON_CreateArray()};
	int rc = store_epidemic_list(app->store, dep, from, to, add_figures, &lc);
	if (rc) {
		cJSON_Delete(lc.items);
		return api_fail_store(app, res, rc, "epidemic figures");
	}
	res->data = cJSON_CreateObject();
	cJSON_AddItemToObject(res->data, "items", lc.items);
	return 0;
}
