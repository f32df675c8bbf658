#include "stock_forecast.h"

#include "alert_engine.h"
#include "app.h"
#include "auth.h"
#include "burn.h"
#include "forecast.h"
#include "epidemic.h"
#include "log.h"
#include "paris_time.h"
#include "store.h"
#include "store_alert.h"
#include "store_epidemic.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MS_PER_DAY 86400000.0

void stock_forecast_count(struct app *app, struct stock_row *r, long long quantity, long long now)
{
	struct burn_params bp = burn_default_params();
	long long consumed = 0;
	if (burn_sample_of(&r->burn, quantity, now, &bp, &consumed) == BURN_SAMPLE)
		forecast_observe(&r->samples, r->burn.anchor_at, now, consumed, r->burn.anchor_quantity + r->burn.inflow,
				 &app->forecast);
	burn_observe(&r->burn, quantity, now, &bp);
}

/* What the catalogue says the holder uses: rates x occupancy and staff (structures only). */
static double catalogue_of(const struct holder_info *h, const struct item_info *it)
{
	if (h->kind != HOLDER_STRUCTURE)
		return 0;
	return burn_catalogue(it->per_worker, it->per_patient, it->per_bed, h->occupancy > 0 ? h->occupancy : 0,
			      h->staff > 0 ? h->staff : 0);
}

/* The estimator of before (forecast_model = average): the trailing average, with the catalogue's rate
 * as it stood (all of it) until two samples; no estimate between counts, no growth, no band. */
static void evaluate_average(const struct holder_info *h, const struct item_info *it, struct stock_row *r, long long now)
{
	struct burn_params bp = burn_default_params();
	r->burn_per_day = burn_rate(&r->burn, catalogue_of(h, it), &bp);
	r->days_of_cover = burn_days_of_cover(r->quantity, r->burn_per_day, now, &r->cover_known, &r->stockout_at);
	r->stockout_low_at = r->stockout_high_at = r->cover_known ? r->stockout_at : 0;
	r->estimated = 0;
	r->estimate = r->quantity;
	r->growth = 0;
	r->from_fallback = 0;
	r->confidence = r->burn.samples >= bp.min_samples ? CONFIDENCE_HIGH : r->burn.samples ? CONFIDENCE_MEDIUM
											 : CONFIDENCE_LOW;
	r->due_at = 0;
}

/* The deliveries on their way to the holder. Allocations dispatched and transfers in transit (issue 13)
 * are to be read here, with a mark in the holder cache so that holders with none cost no query; none
 * exist yet. */
static size_t expected_inbound(struct app *app, const struct stock_row *r, struct forecast_inbound *out, size_t max)
{
	(void)app;
	(void)r;
	(void)out;
	(void)max;
	return 0;
}

void stock_forecast_evaluate(struct app *app, const struct holder_info *h, const struct item_info *it,
			     struct stock_row *r, long long now)
{
	if (app->forecast_average) {
		evaluate_average(h, it, r, now);
		return;
	}
	const struct forecast_params *p = &app->forecast;
	double prior = forecast_pool_growth(app->pool, h->dep, it->id);
	struct forecast_fit fit;
	forecast_fit_of(&r->samples, prior, p, &fit);
	/* without history: the share of the catalogue that the category really uses (the catalogue's
	 * rates are for staff and patients in COVID care: all staff at those rates is an upper bound) */
	double catalogue = catalogue_of(h, it);
	double share = forecast_pool_share(app->pool, h->category, it->id, (double)app->cfg.forecast_cold_percent / 100.0);
	if (share > 1)
		share = 1;
	forecast_path_of(&fit, prior, catalogue * share, catalogue, r->reported_at, p, &r->path);
	r->own_growth = fit.own_growth;
	r->sxx = fit.sxx;
	struct forecast_inbound inbound[16];
	struct forecast_input in = {now, r->reported_at, r->quantity, r->consumed_since_count, &r->path, inbound,
				    expected_inbound(app, r, inbound, 16)};
	struct forecast fc;
	forecast_project(&in, p, &fc);
	r->burn_per_day = fc.rate;
	r->cover_known = fc.known;
	r->days_of_cover = fc.known ? fc.days : 0;
	r->stockout_at = fc.known ? fc.stockout_at : 0;
	r->stockout_low_at = fc.known ? fc.stockout_low_at : 0;
	r->stockout_high_at = fc.known ? fc.stockout_high_at : 0;
	r->estimated = 1;
	r->estimate = fc.estimate;
	r->growth = fc.growth;
	r->confidence = fc.confidence;
	r->from_fallback = fc.from_fallback;
	r->due_at = fc.changes_at;
}

void stock_forecast_view(const struct app *app, const struct level_view *v, long long now, struct level_forecast *out)
{
	memset(out, 0, sizeof *out);
	out->counted_at = v->reported_at;
	if (app->forecast_average) {
		/* as it was computed at the last count or movement */
		struct burn_params bp = burn_default_params();
		out->estimate = v->quantity;
		out->rate = v->burn_per_day;
		out->cover_known = v->cover_known;
		out->days = v->days_of_cover;
		out->stockout_at = out->stockout_low_at = out->stockout_high_at = v->stockout_at;
		out->confidence = v->burn_samples >= bp.min_samples ? CONFIDENCE_HIGH
				  : v->burn_samples			  ? CONFIDENCE_MEDIUM
									  : CONFIDENCE_LOW;
		return;
	}
	/* the cheap part only (levels are read by the thousand): the dates stay those computed at the last
	 * evaluation, with what was expected then, and the cover runs down with time toward them */
	struct forecast_input in = {now, v->reported_at, v->quantity, v->consumed_since_count, &v->path, NULL, 0};
	forecast_now(&in, &app->forecast, &out->estimate, &out->rate);
	out->growth = v->path.growth;
	out->cover_known = v->cover_known;
	out->stockout_at = v->stockout_at;
	out->stockout_low_at = v->stockout_low_at;
	out->stockout_high_at = v->stockout_high_at;
	out->days = v->stockout_at > now ? (double)(v->stockout_at - now) / MS_PER_DAY : 0;
	out->confidence = forecast_confidence_of(&v->path, v->reported_at, now);
}

/* --- the roll-up by département and region ------------------------------------------------------------ */

/* A cover line being summed, with what its band needs. */
struct cover_acc {
	struct cover_line line;
	char dep[4], code[UTF8_BYTES(64)], name[UTF8_BYTES(200)], unit[UTF8_BYTES(40)];
	double growth_num, burn_low, burn_high;
	int used;
};

struct cover_ctx {
	struct app *app;
	long long now;
	int region;                  /* the region's lines too */
	struct cover_acc cur;        /* the (dep, item) being summed */
	struct cover_acc *regions;   /* per item, in the order met */
	size_t nregions, capregions;
	int (*cb)(void *ctx, const struct cover_line *c);
	void *cb_ctx;
	int stopped, failed;
};

static void acc_start(struct cover_acc *a, const struct level_view *v, const char *dep)
{
	memset(a, 0, sizeof *a);
	snprintf(a->dep, sizeof a->dep, "%s", dep ? dep : "");
	snprintf(a->code, sizeof a->code, "%s", v->item_code);
	snprintf(a->name, sizeof a->name, "%s", v->item_name);
	snprintf(a->unit, sizeof a->unit, "%s", v->unit);
	a->line.dep = dep ? a->dep : NULL;
	a->line.item_code = a->code;
	a->line.item_name = a->name;
	a->line.unit = a->unit;
	a->used = 1;
}

/* The rate at which a holder would run out at date `at` rather than its own: its rate scaled by how
 * much sooner (or later) that is, for the band of a sum. */
static double rate_for(double rate, double days, long long at, long long now)
{
	double d = at > now ? (double)(at - now) / MS_PER_DAY : 0;
	return d > 0 && days > 0 ? rate * days / d : rate;
}

static void acc_add(struct cover_acc *a, const struct level_view *v, const struct level_forecast *f, long long now)
{
	struct cover_line *l = &a->line;
	l->holders++;
	l->quantity += v->quantity;
	l->estimate += f->estimate;
	if (f->confidence >= 0 && f->confidence < 3)
		l->confidence[f->confidence]++;
	/* the least covered structure, beside the sums (issue 15): an empty shelf has none left */
	int empty = v->quantity == 0 || f->estimate == 0;
	if (empty || f->cover_known) {
		double d = empty ? 0 : f->days;
		if (!l->worst_known || d < l->worst_days)
			l->worst_days = d;
		l->worst_known = 1;
	}
	if (v->alert_severity) {
		l->warning += strcmp(v->alert_severity, "warning") == 0;
		l->critical += strcmp(v->alert_severity, "critical") == 0;
		l->stockout += strcmp(v->alert_severity, "stockout") == 0;
	}
	if (f->rate <= 0)
		return;
	l->rated_holders++;
	l->rated_quantity += v->quantity;
	l->rated_estimate += f->estimate;
	l->burn_per_day += f->rate;
	a->growth_num += f->rate * f->growth;
	a->burn_low += rate_for(f->rate, f->days, f->stockout_low_at, now);
	a->burn_high += rate_for(f->rate, f->days, f->stockout_high_at, now);
}

/* The cover of the sum: the stock of the structures whose rate is known, used at their summed rate
 * growing at their mean growth (the average estimator: stock / rate, as before). */
static void acc_finish(struct app *app, struct cover_acc *a)
{
	struct cover_line *l = &a->line;
	if (l->burn_per_day <= 0)
		return;
	l->cover_known = 1;
	if (app->forecast_average) {
		l->days = l->days_low = l->days_high = (double)l->rated_quantity / l->burn_per_day;
		return;
	}
	l->growth = a->growth_num / l->burn_per_day;
	const struct forecast_params *p = &app->forecast;
	double stock = (double)l->rated_estimate, never = (double)(FORECAST_LAST_MS / 86400000LL);
	double d = forecast_days_to_use(stock, l->burn_per_day, l->growth, 0, NULL, NULL, 0, p);
	double lo = forecast_days_to_use(stock, a->burn_low, l->growth, 0, NULL, NULL, 0, p);
	double hi = forecast_days_to_use(stock, a->burn_high, l->growth, 0, NULL, NULL, 0, p);
	l->days = d < 0 ? never : d;
	l->days_low = lo < 0 ? never : lo;
	l->days_high = hi < 0 ? never : hi;
}

static int emit_line(struct cover_ctx *c, struct cover_acc *a)
{
	if (!a->used || c->stopped)
		return 0;
	/* the line's names point into the accumulator, which realloc and qsort move: pointed again here */
	a->line.dep = a->dep[0] ? a->dep : NULL;
	a->line.item_code = a->code;
	a->line.item_name = a->name;
	a->line.unit = a->unit;
	acc_finish(c->app, a);
	if (c->cb(c->cb_ctx, &a->line))
		c->stopped = 1;
	return c->stopped;
}

static struct cover_acc *region_of(struct cover_ctx *c, const struct level_view *v)
{
	for (size_t i = 0; i < c->nregions; i++)
		if (strcmp(c->regions[i].code, v->item_code) == 0)
			return &c->regions[i];
	if (c->nregions == c->capregions) {
		size_t cap = c->capregions ? c->capregions * 2 : 64;
		struct cover_acc *n = realloc(c->regions, cap * sizeof *n);
		if (!n)
			return NULL;
		c->regions = n;
		c->capregions = cap;
	}
	struct cover_acc *a = &c->regions[c->nregions++];
	acc_start(a, v, NULL);
	return a;
}

static int cover_row(void *ctx, const struct level_view *v)
{
	struct cover_ctx *c = ctx;
	struct level_forecast f;
	stock_forecast_view(c->app, v, c->now, &f);
	if (!c->cur.used || strcmp(c->cur.dep, v->dep) || strcmp(c->cur.code, v->item_code)) {
		if (emit_line(c, &c->cur))
			return 1;
		acc_start(&c->cur, v, v->dep);
	}
	acc_add(&c->cur, v, &f, c->now);
	if (c->region) {
		struct cover_acc *r = region_of(c, v);
		if (!r) {
			c->failed = 1;
			return 1;
		}
		acc_add(r, v, &f, c->now);
	}
	return 0;
}

static int by_code(const void *a, const void *b)
{
	return strcmp(((const struct cover_acc *)a)->code, ((const struct cover_acc *)b)->code);
}

int stock_forecast_cover(struct app *app, const struct principal *who, const char *dep, const char *item,
			 const char *category, long long now, int (*cb)(void *ctx, const struct cover_line *c), void *ctx)
{
	if (who->role == ROLE_STRUCTURE || who->role == ROLE_DEPOT || who->role == ROLE_VOLUNTEER)
		return STORE_OK; /* roll-ups are for the coordination */
	struct cover_ctx *c = calloc(1, sizeof *c);
	if (!c)
		return STORE_ERROR;
	c->app = app;
	c->now = now;
	c->region = !who->deps[0] && !dep;
	c->cb = cb;
	c->cb_ctx = ctx;
	struct level_query q;
	memset(&q, 0, sizeof q);
	q.holder_kind = "structure";
	q.dep = dep;
	q.item = item;
	q.category = category;
	q.sort = LEVEL_SORT_DEP_ITEM;
	q.limit = -1;
	int rc = store_level_list(app->store, who, &q, cover_row, c, NULL);
	if (rc == STORE_OK && c->failed)
		rc = STORE_ERROR;
	if (rc == STORE_OK)
		emit_line(c, &c->cur);
	if (rc == STORE_OK && c->region && c->nregions) {
		/* no row, no region line (and qsort is not given the NULL of an empty list) */
		qsort(c->regions, c->nregions, sizeof *c->regions, by_code);
		for (size_t i = 0; i < c->nregions && !emit_line(c, &c->regions[i]); i++)
			;
	}
	free(c->regions);
	free(c);
	return rc;
}

/* --- the pooled prior ----------------------------------------------------------------------------------- */

static int pool_row(void *ctx, const struct forecast_pool_row *r)
{
	struct forecast_fit fit;
	memset(&fit, 0, sizeof fit);
	fit.samples = r->fitted;
	fit.level = r->level;
	fit.own_growth = r->own_growth;
	fit.sxx = r->sxx;
	double catalogue = burn_catalogue(r->per_worker, r->per_patient, r->per_bed, r->occupancy, r->staff);
	return forecast_pool_add(ctx, r->dep, r->category, r->item, &fit, catalogue) ? 1 : 0;
}

/* The départements' hospital figures, read by département (the store gives them in that order): each
 * one's growth, when its figures say one, is the reference its holders' growth is pulled toward. */
struct pool_epidemic_ctx {
	struct forecast_pool *pool;
	long long now;
	struct epidemic_row rows[EPIDEMIC_GROWTH_DAYS + EPIDEMIC_STALE_DAYS];
	size_t n;
	int failed;
};

static void pool_epidemic_flush(struct pool_epidemic_ctx *c)
{
	double growth;
	if (c->n && epidemic_growth(c->rows, c->n, c->now, &growth) == EPI_SIGNAL &&
	    forecast_pool_add_epidemic(c->pool, c->rows[0].dep, growth))
		c->failed = 1;
	c->n = 0;
}

static int pool_epidemic_row(void *ctx, const struct epidemic_row *r)
{
	struct pool_epidemic_ctx *c = ctx;
	if (c->n && strcmp(c->rows[0].dep, r->dep))
		pool_epidemic_flush(c);
	/* one row a département and day, over as many days as there is room for */
	if (c->n < sizeof c->rows / sizeof c->rows[0])
		c->rows[c->n++] = *r;
	return c->failed;
}

static int pool_add_epidemics(struct app *app, struct forecast_pool *pool, long long now)
{
	struct paris_tm t;
	paris_fields(now, &t);
	char today[16];
	snprintf(today, sizeof today, "%04d-%02d-%02d", t.year, t.month, t.day);
	struct pool_epidemic_ctx *c = calloc(1, sizeof *c);
	if (!c)
		return STORE_ERROR;
	c->pool = pool;
	c->now = now;
	int rc = store_epidemic_recent(app->store, today, EPIDEMIC_GROWTH_DAYS + EPIDEMIC_STALE_DAYS, pool_epidemic_row, c);
	if (rc == STORE_OK)
		pool_epidemic_flush(c);
	if (rc == STORE_OK && c->failed)
		rc = STORE_ERROR;
	free(c);
	return rc;
}

int stock_forecast_refresh_pool(struct app *app, long long now, int force)
{
	if (!force && app->pool && now - app->pool_at < app->cfg.forecast_pool_interval_s * 1000)
		return STORE_OK;
	struct forecast_pool *pool = forecast_pool_new();
	if (!pool)
		return STORE_ERROR;
	int rc = store_forecast_pool_rows(app->store, pool_row, pool);
	if (rc == STORE_OK)
		rc = pool_add_epidemics(app, pool, now);
	if (rc == STORE_OK && forecast_pool_finish(pool, &app->forecast))
		rc = STORE_ERROR;
	if (rc) {
		forecast_pool_free(pool);
		return rc;
	}
	forecast_pool_free(app->pool);
	app->pool = pool;
	app->pool_at = now;
	return STORE_OK;
}

/* --- the sweep ----------------------------------------------------------------------------------------- */

#define SWEEP_MAX 256

static int sweep_one(struct app *app, const struct level_key *k, long long now)
{
	struct store *st = app->store;
	struct stock_row r;
	struct holder_info h;
	struct item_info it;
	int rc = store_stock_get(st, k->kind, k->holder, k->item, &r);
	if (rc == STORE_NOTFOUND)
		return STORE_OK;
	if (rc == STORE_OK)
		rc = store_holder_get(st, &principal_system, k->kind, k->holder, &h);
	if (rc == STORE_OK)
		rc = store_item_find(st, NULL, k->item, &it);
	if (rc == STORE_NOTFOUND) {
		/* its holder or item is gone: nothing more to look at */
		r.due_at = 0;
		return store_stock_put(st, &r);
	}
	if (rc)
		return rc;
	stock_forecast_evaluate(app, &h, &it, &r, now);
	struct alert_row a;
	if ((rc = alert_engine_shortage_recheck(app, &h, &it, &r, &a)))
		return rc;
	if (r.due_at && r.due_at <= now)
		r.due_at = now + 60000; /* never the same instant again: a minute later at the soonest */
	return store_stock_put(st, &r);
}

int stock_forecast_sweep(struct app *app, long long now, int limit, int *left)
{
	struct level_key keys[SWEEP_MAX];
	int n = 0;
	if (limit > SWEEP_MAX)
		limit = SWEEP_MAX;
	*left = 0;
	int rc = store_stock_due(app->store, now, limit, keys, &n);
	for (int i = 0; rc == STORE_OK && i < n; i++)
		rc = sweep_one(app, &keys[i], now);
	if (rc == STORE_OK && n == limit)
		*left = 1;
	return rc;
}
