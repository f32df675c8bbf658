/* forecast: how fast a holder uses an item, how fast that use grows, how much is left now and when it
 * runs out. Pure functions of the samples the counts make, the movements and the time: no I/O, no
 * clock. (burn.c is the older estimator, a trailing average, kept selectable: forecast_model.)
 *
 * - A sample is the use between two counts (burn_sample_of): its average daily rate over the
 *   interval, dated at the interval's middle. The last FORECAST_HISTORY samples are kept.
 * - Level and growth come from a weighted fit of the logarithm of those rates against time (a
 *   straight line in log space: use growing by a constant factor a day), recent samples weighing
 *   more, each as long as its interval. The growth is bounded by what an epidemic can do and pulled
 *   toward a prior (the territory's pooled growth) in proportion to how little the holder's own
 *   samples say about it.
 * - Surprises: a sample far above the fit counts at once (it may be a cluster: better warn early);
 *   one far below waits for the next count (it may be a counting error). Two in a row on the same
 *   side start a new regime: the samples before them are dropped.
 * - The projection: the rate grows from the fit's level at its growth, damped a little every day
 *   (Gardner's damped trend), so that a long projection does not run away. Stock now = the last
 *   count + movements since - the use projected since the count (never below zero); the stock-out
 *   is where the projected use, less expected deliveries, reaches that stock. A low and a high
 *   stock-out date come from the fit's standard errors.
 * - Cold start: with no sample (fewer than two counts) the rate is a fallback given by the caller
 *   (what the structure's category typically uses), and the confidence is low. */
#ifndef RENFORT_FORECAST_H
#define RENFORT_FORECAST_H

#include <stddef.h>

#define FORECAST_HISTORY 8

struct forecast_sample {
	long long at;   /* the middle of the interval, ms */
	double rate;    /* units per day, >= 0 */
	double days;    /* the interval's length */
};

/* What the estimator keeps between counts (with the level it explains). */
struct forecast_state {
	int n;                                      /* samples kept, newest last */
	struct forecast_sample s[FORECAST_HISTORY];
	signed char flags[FORECAST_HISTORY];        /* each sample when it came: 1 above the fit (a surprise),
						     * -1 below (left out until the next count), 0 */
};

/* The fit of the samples: level (units/day at level_at) and growth (log per day), with their
 * standard errors (log). samples == 0: nothing fitted. */
struct forecast_fit {
	int samples;
	double level;
	long long level_at;  /* the newest sample's date */
	double own_growth;   /* the samples' own slope, bounded; 0 with one sample */
	double growth;       /* in use: own_growth pulled toward the prior, bounded */
	double sxx;          /* how much the samples say about the growth (weighted spread of their dates, days^2) */
	double sigma;        /* spread of the samples around the fit (log) */
	double level_se;     /* standard error of log(level) */
	double growth_se;
	int surprise;        /* the newest sample is a high surprise, believed at once */
};

struct forecast_params {
	double half_life_days;  /* a sample's weight halves with this age (4) */
	double max_days;        /* an interval weighs at most this many days (3) */
	double growth_min;      /* log per day: halving in a week, -ln 2 / 7 */
	double growth_max;      /* doubling in three days, ln 2 / 3 */
	double damping;         /* share of the growth kept from one projected day to the next (0.9) */
	double prior_sxx;       /* weight of the prior growth, in the units of fit.sxx (4) */
	double surprise_log;    /* a sample this far from the fit (log; ln 1.6) is a surprise... */
	double surprise_sigmas; /* ...or this many sigmas, whichever is larger (3) */
	double sigma_min;       /* the spread never taken below (0.05) */
	double sigma_one;       /* the spread assumed with a single sample (0.3) */
	double surprise_cap;    /* a high surprise is believed up to this many times the fit (3) */
	double band_z;          /* the band's width in standard errors (1.28: 80%) */
	double inbound_grace_days; /* an expected delivery this late is no longer counted on (1) */
	double fallback_low_share; /* the band's optimistic end of a fallback: this share of it (0.5) */
};

struct forecast_params forecast_default_params(void);

/* A sample of use: `consumed` units between `from` and `to` (ms, to > from, consumed >= 0), out of
 * `available` (the count at from plus what came in). A shelf emptied by `to` (consumed = available)
 * says only that the use was at least that much: it counts when it is above the fit, else it says
 * nothing (demand cut by the stock-out is no fall of use); nothing available, nothing said. */
void forecast_observe(struct forecast_state *s, long long from, long long to, long long consumed, long long available,
		      const struct forecast_params *p);

/* The fit of the state's samples (the newest left out while it is a low surprise), its growth pulled
 * toward prior_growth as much as the samples say little about their own (fit->sxx against
 * p->prior_sxx, and their spread). */
void forecast_fit_of(const struct forecast_state *s, double prior_growth, const struct forecast_params *p,
		     struct forecast_fit *out);

/* A delivery on its way. */
struct forecast_inbound {
	long long quantity;
	long long eta; /* ms */
};

enum forecast_confidence { CONFIDENCE_LOW = 0, CONFIDENCE_MEDIUM, CONFIDENCE_HIGH };
const char *forecast_confidence_name(enum forecast_confidence c); /* "low", "medium", "high" */

/* The rate path a projection follows, as a level keeps it between evaluations: the fit's, with its
 * growth pulled toward the prior, or the cold-start fallback's. */
struct forecast_path {
	int samples;          /* fitted; 0: the fallback (or nothing known when level is 0) */
	double level;         /* units/day at level_at; 0: unknown */
	long long level_at;
	double growth;        /* log per day, at level_at, damped after it */
	double level_se, growth_se; /* the band's (samples > 0) */
	double fallback_high; /* the band's pessimistic rate (samples == 0): the catalogue's */
	int surprise;         /* the newest sample is a high surprise */
};

/* The path of a fit (fit->samples > 0), else of the fallback (units/day, 0 unknown; its upper bound
 * high) from the count at counted_at, growing at the prior. */
void forecast_path_of(const struct forecast_fit *fit, double prior_growth, double fallback, double high,
		      long long counted_at, const struct forecast_params *p, struct forecast_path *out);

struct forecast_input {
	long long now;
	long long counted_at;          /* the last count (ms); 0: never counted */
	long long book_quantity;       /* the last count plus the movements since */
	long long declared_since_count;/* consumption declared as movements since the count (in book_quantity) */
	const struct forecast_path *path;
	const struct forecast_inbound *inbound;
	size_t ninbound;
};

struct forecast {
	int known;               /* a rate is known (else: cover unknown, as the estimate's use) */
	double rate;             /* units per day now */
	double growth;           /* log per day, in use now */
	long long estimate;      /* stock now, >= 0 */
	long long counted_at;
	double days;             /* cover from now (known only) */
	long long stockout_at;   /* ms; at the latest FORECAST_LAST_MS */
	long long stockout_low_at, stockout_high_at; /* the band */
	enum forecast_confidence confidence;
	int from_fallback;       /* the rate is the fallback's */
	long long changes_at;    /* when the projection changes by itself (an expected delivery overdue); 0 never */
};

/* 9999-12-31T23:59:59.999Z: the last instant ISO 8601 writes with four digits */
#define FORECAST_LAST_MS 253402300799999LL

void forecast_project(const struct forecast_input *in, const struct forecast_params *p, struct forecast *out);

/* The cheap part of a projection, for reads: the stock estimated now (>= 0) and the rate now (units a
 * day, 0 unknown), from in's path, count and book (inbound is not needed). */
void forecast_now(const struct forecast_input *in, const struct forecast_params *p, long long *estimate, double *rate);
/* The confidence of a projection from path at now, the last count at counted_at. */
enum forecast_confidence forecast_confidence_of(const struct forecast_path *path, long long counted_at, long long now);

/* Days until `stock` is used up from x0 days after the level, at rate `level` growing at `growth`
 * (log/day, damped), with deliveries of quantity q[i] arriving at x[i] days (ascending); -1 when
 * never (within a century). */
double forecast_days_to_use(double stock, double level, double growth, double x0, const double *x, const double *q,
			    size_t n, const struct forecast_params *p);
/* The use between x0 and x1 days after the level, same path. */
double forecast_use_between(double level, double growth, double x0, double x1, const struct forecast_params *p);

/* --- the territory's pooled signal ------------------------------------------------------------------- */

/* Pooled priors, rebuilt from every level from time to time: per département and item, the growth
 * holders share; per structure category and item, the share of the catalogue's rate they really use. */
struct forecast_pool_growth {
	char dep[4];
	long long item;
	double growth;
	double weight;
};
struct forecast_pool_share {
	char category[32];
	long long item;
	double share;
	int holders;
};
struct forecast_pool;

struct forecast_pool *forecast_pool_new(void);
void forecast_pool_free(struct forecast_pool *pool);
/* A holder's fit while building (level and own growth, catalogue estimate, 0 unknown). 0 or -1 (memory). */
int forecast_pool_add(struct forecast_pool *pool, const char *dep, const char *category, long long item,
		      const struct forecast_fit *fit, double catalogue);
/* The growth of a département's hospital figures (log per day), used for each of its items. */
int forecast_pool_add_epidemic(struct forecast_pool *pool, const char *dep, double growth);
/* Sorts and sums what was added; lookups work after it. 0 or -1 (memory). */
int forecast_pool_finish(struct forecast_pool *pool, const struct forecast_params *p);
/* The prior growth of (dep, item): its holders' growth, pulled toward the département's hospital
 * figures (or, without them, the region's holders of the item); 0 when nothing is known. */
double forecast_pool_growth(const struct forecast_pool *pool, const char *dep, long long item);
/* The share of the catalogue that structures of this category use of the item, or `fallback_share`
 * when fewer than 3 of them have history. */
double forecast_pool_share(const struct forecast_pool *pool, const char *category, long long item, double fallback_share);

#endif
