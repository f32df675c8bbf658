/* stock_forecast: the forecast of one level (rules/forecast.c; rules/burn.c when forecast_model is
 * average), given its holder, its item and the territory's pooled prior, which is rebuilt from every
 * level from time to time (forecast_pool_interval_s) and kept in memory: a report line reads nothing
 * more than its level. And the sweep: levels whose projection must be looked at again without a new
 * count (an alert's hold ends, the projected cover crosses a threshold, the estimate reaches zero)
 * carry a due time; the sweep runs their alert rules then. */
#ifndef RENFORT_STOCK_FORECAST_H
#define RENFORT_STOCK_FORECAST_H

#include "store_stock.h"

struct app;
struct principal;

/* A count of quantity at now: the samples it makes for both estimators (call before the row takes
 * the count). */
void stock_forecast_count(struct app *app, struct stock_row *r, long long quantity, long long now);

/* Recomputes r's rate path and projection at now: rate, cover, stock-out and its band, estimate,
 * growth, confidence; r->due_at gets when the projection changes by itself (0: never). */
void stock_forecast_evaluate(struct app *app, const struct holder_info *h, const struct item_info *it,
			     struct stock_row *r, long long now);

/* What a stored level says at now, for people: the projection from the path it keeps. */
struct level_forecast {
	long long estimate;
	long long counted_at;
	double rate;          /* units/day now, 0 unknown */
	double growth;        /* log per day */
	int cover_known;
	double days;
	long long stockout_at, stockout_low_at, stockout_high_at;
	int confidence;       /* enum forecast_confidence */
};
void stock_forecast_view(const struct app *app, const struct level_view *v, long long now, struct level_forecast *out);

/* Days of cover of the care structures per département and item, and for the region (dep NULL, when
 * the principal sees it all and asked for no département): sums of stock and estimates, the rate and
 * growth of those whose rate is known, and their cover with its band, integrating the growth. */
struct cover_line {
	const char *dep;       /* NULL: the region */
	const char *item_code, *item_name, *unit;
	long long holders;     /* structures holding the item */
	long long quantity, estimate;
	long long rated_holders;               /* those with a known rate */
	long long rated_quantity, rated_estimate;
	double burn_per_day;   /* their rates now, summed */
	double growth;         /* log per day, their rate-weighted mean */
	int cover_known;
	double days, days_low, days_high;
	long long warning, critical, stockout; /* open shortage alerts by severity */
	long long confidence[3];               /* structures by confidence: low, medium, high */
	int worst_known;       /* some structure's cover is known (an empty shelf's is 0) */
	double worst_days;     /* the least days of cover of one structure: an aggregate hides it */
};
int stock_forecast_cover(struct app *app, const struct principal *who, const char *dep, const char *item,
			 const char *category, long long now, int (*cb)(void *ctx, const struct cover_line *c), void *ctx);

/* Rebuilds the pooled prior when it is older than forecast_pool_interval_s, or always (force). */
int stock_forecast_refresh_pool(struct app *app, long long now, int force);

/* Runs the alert rules of the levels due by now, at most `limit`; *left: whether more are due. In the
 * caller's transaction. */
int stock_forecast_sweep(struct app *app, long long now, int limit, int *left);

#endif
