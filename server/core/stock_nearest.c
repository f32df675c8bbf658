#include "stock_nearest.h"

#include "allocation.h"
#include "app.h"
#include "store.h"
#include "store_allocation.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A candidate's names and figures, kept while the candidates are ranked. */
struct candidate_info {
	char name[UTF8_BYTES(200)];
	char dep[4];
	char kind_name[32]; /* a depot's level or a structure's category */
	long long quantity;
	int cover_known;
	double days_of_cover;
};

struct candidates {
	struct app *app;
	const struct holder_info *from;
	long long now;
	struct nearest_candidate *c;
	struct candidate_info *info;
	size_t n, cap;
	int oom;
};

static struct nearest_candidate *next(struct candidates *cs)
{
	if (cs->n == cs->cap) {
		size_t cap = cs->cap ? 2 * cs->cap : 64;
		struct nearest_candidate *c = realloc(cs->c, cap * sizeof *c);
		if (c)
			cs->c = c;
		struct candidate_info *info = c ? realloc(cs->info, cap * sizeof *info) : NULL;
		if (!info) {
			cs->oom = 1;
			return NULL;
		}
		cs->info = info;
		cs->cap = cap;
	}
	memset(&cs->c[cs->n], 0, sizeof cs->c[cs->n]);
	cs->c[cs->n].ref = cs->n;
	return &cs->c[cs->n++];
}

static void keep(struct candidates *cs, const char *name, const char *dep, const char *kind_name, long long quantity,
		 int cover_known, double days)
{
	struct candidate_info *i = &cs->info[cs->n - 1];
	snprintf(i->name, sizeof i->name, "%s", name ? name : "");
	snprintf(i->dep, sizeof i->dep, "%s", dep ? dep : "");
	snprintf(i->kind_name, sizeof i->kind_name, "%s", kind_name ? kind_name : "");
	i->quantity = quantity;
	i->cover_known = cover_known;
	i->days_of_cover = days;
}

static int add_depot(void *ctx, const struct alloc_depot_view *v)
{
	struct candidates *cs = ctx;
	if (cs->from->kind == HOLDER_DEPOT && v->id == cs->from->id)
		return 0;
	struct nearest_candidate *c = next(cs);
	if (!c)
		return 1;
	*c = (struct nearest_candidate){HOLDER_DEPOT, v->id, c->ref, v->lat, v->lng, v->quantity - v->reserve - v->committed, 0};
	keep(cs, v->name, v->dep, v->level, v->quantity, 0, 0);
	return 0;
}

static int add_structure(void *ctx, const struct alloc_holder_view *v)
{
	struct candidates *cs = ctx;
	if (!v->has_level || (cs->from->kind == HOLDER_STRUCTURE && v->id == cs->from->id))
		return 0;
	struct nearest_candidate *c = next(cs);
	if (!c)
		return 1;
	long long spare = alloc_surplus(v->quantity, v->reported_at, v->burn_per_day, cs->app->alloc.surplus_days, cs->now);
	*c = (struct nearest_candidate){HOLDER_STRUCTURE, v->id, c->ref, v->lat, v->lng, spare, 0};
	double s = alloc_stock_now(v->quantity, v->reported_at, v->burn_per_day, cs->now);
	keep(cs, v->name, v->dep, v->category, v->quantity, v->burn_per_day > 0, v->burn_per_day > 0 ? s / v->burn_per_day : 0);
	return 0;
}

int stock_nearest(struct app *app, const struct principal *who, const struct nearest_query *q, struct holder_info *from,
		  struct item_info *it, int (*cb)(void *ctx, const struct nearest_row *r), void *ctx, struct rf_error *err)
{
	if (stock_holder_find(app, who, &q->holder, from, err) || stock_item_find(app, &q->item, "item", it, err))
		return -1;
	struct candidates cs;
	memset(&cs, 0, sizeof cs);
	cs.app = app;
	cs.from = from;
	cs.now = store_now(app->store);
	int rc = store_alloc_depots(app->store, who, it->id, add_depot, &cs);
	if (!rc)
		rc = store_alloc_holders(app->store, who, it->id, NULL, add_structure, &cs);
	if (!rc && cs.oom)
		rc = STORE_ERROR;
	size_t n = rc ? 0 : alloc_nearest(from->lat, from->lng, q->radius_km, cs.c, cs.n);
	for (size_t k = 0; k < n && (long long)k < q->limit; k++) {
		const struct nearest_candidate *c = &cs.c[k];
		const struct candidate_info *i = &cs.info[c->ref];
		struct nearest_row r = {(enum holder_kind)c->kind, c->id, i->name, i->dep,
					c->kind == HOLDER_DEPOT ? i->kind_name : NULL, c->kind == HOLDER_DEPOT ? NULL : i->kind_name,
					c->distance_km, i->quantity, c->available, i->cover_known, i->days_of_cover};
		if (cb(ctx, &r))
			break;
	}
	free(cs.c);
	free(cs.info);
	if (rc) {
		store_rf_error(app->store, rc, "nearest", err);
		return -1;
	}
	return 0;
}
