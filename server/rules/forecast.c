#include "forecast.h"

#include "grow.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MS_PER_DAY 86400000.0
#define CENTURY_DAYS 36525.0

struct forecast_params forecast_default_params(void)
{
	struct forecast_params p = {
		.half_life_days = 4.0,
		.max_days = 3.0,
		.growth_min = -0.6931471805599453 / 7.0,
		.growth_max = 0.6931471805599453 / 3.0,
		.damping = 0.9,
		.prior_sxx = 4.0,
		.surprise_log = 0.4700036292457356, /* ln 1.6 */
		.surprise_sigmas = 3.0,
		.sigma_min = 0.05,
		.sigma_one = 0.3,
		.surprise_cap = 3.0,
		.band_z = 1.2815515655446004,
		.inbound_grace_days = 1.0,
		.fallback_low_share = 0.5,
	};
	return p;
}

static double clampd(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

const char *forecast_confidence_name(enum forecast_confidence c)
{
	return c == CONFIDENCE_HIGH ? "high" : c == CONFIDENCE_MEDIUM ? "medium" : "low";
}

/* --- the fit ------------------------------------------------------------------------------------------ */

/* A weighted straight line through log rates (y) against days (x, <= 0, the newest at 0). */
struct line {
	double w, xbar, ybar, sxx, slope, sigma;
};

static void fit_line(const double *x, const double *y, const double *w, int n, struct line *l)
{
	double sw = 0, sx = 0, sy = 0;
	for (int i = 0; i < n; i++) {
		sw += w[i];
		sx += w[i] * x[i];
		sy += w[i] * y[i];
	}
	memset(l, 0, sizeof *l);
	if (sw <= 0)
		return;
	l->w = sw;
	l->xbar = sx / sw;
	l->ybar = sy / sw;
	double sxy = 0;
	for (int i = 0; i < n; i++) {
		double dx = x[i] - l->xbar;
		l->sxx += w[i] * dx * dx;
		sxy += w[i] * dx * (y[i] - l->ybar);
	}
	l->slope = l->sxx > 1e-9 ? sxy / l->sxx : 0;
	if (n > 2) {
		double ss = 0;
		for (int i = 0; i < n; i++) {
			double e = y[i] - (l->ybar + l->slope * (x[i] - l->xbar));
			ss += w[i] * e * e;
		}
		/* two parameters fitted: the spread of n samples is over n - 2 degrees of freedom */
		l->sigma = sqrt(ss / sw * (double)n / (double)(n - 2));
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The fit of samples s[0..n-1] (n >= 1); growth pulled toward prior. */
static void fit_samples(const struct forecast_sample *s, int n, double prior, const struct forecast_params *p,
			struct forecast_fit *out)
{
	double x[FORECAST_HISTORY] = {0}, y[FORECAST_HISTORY] = {0}, w[FORECAST_HISTORY] = {0};
	long long newest = s[n - 1].at;
	double mean_num = 0, mean_den = 0;
	for (int i = 0; i < n; i++) {
		x[i] = (double)(s[i].at - newest) / MS_PER_DAY;
		w[i] = fmin(s[i].days, p->max_days) * exp2(x[i] / p->half_life_days);
		mean_num += w[i] * s[i].rate;
		mean_den += w[i];
	}
	/* a day without use has no logarithm: rates are lifted by 2% of their mean (a lift large enough to
	 * matter would flatten every slope); zeros among small counts then make a large spread, and the
	 * growth of such a holder is the prior's (below) */
	double eps = 0.02 * (mean_den > 0 ? mean_num / mean_den : 0) + 1e-9;
	for (int i = 0; i < n; i++)
		y[i] = log(s[i].rate + eps);
	struct line l;
	fit_line(x, y, w, n, &l);
	/* robust: samples far from the line weigh less, and nothing past 4.685 robust sigmas (Tukey's
	 * bisquare, twice), except the newest when it is above: an upward surprise counts at once */
	double w0[FORECAST_HISTORY];
	memcpy(w0, w, sizeof w0);
	for (int iter = 0; n > 3 && iter < 2; iter++) {
		double ad[FORECAST_HISTORY], sorted[FORECAST_HISTORY];
		for (int i = 0; i < n; i++)
			sorted[i] = ad[i] = fabs(y[i] - (l.ybar + l.slope * (x[i] - l.xbar)));
		qsort(sorted, (size_t)n, sizeof sorted[0], cmp_double);
		double mad = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
		double c = 4.685 * fmax(p->sigma_min, 1.4826 * mad);
		for (int i = 0; i < n; i++) {
			int newest_up = i == n - 1 && y[i] > l.ybar + l.slope * (x[i] - l.xbar);
			double u = ad[i] / c;
			w[i] = newest_up ? w0[i] : u >= 1 ? 0 : w0[i] * (1 - u * u) * (1 - u * u);
		}
		fit_line(x, y, w, n, &l);
	}
	double sigma = n > 2 ? fmax(l.sigma, p->sigma_min) : p->sigma_one;
	memset(out, 0, sizeof *out);
	out->samples = n;
	out->level_at = newest;
	out->sxx = l.sxx;
	out->sigma = sigma;
	out->own_growth = n > 1 ? clampd(l.slope, p->growth_min, p->growth_max) : 0;
	/* noisy samples say less about the growth: their weight against the prior's shrinks with the
	 * spread (relative to a 15% daily spread) */
	double own = n > 1 ? l.sxx / (l.sxx + p->prior_sxx * (sigma / 0.15) * (sigma / 0.15)) : 0;
	out->growth = clampd(own * out->own_growth + (1 - own) * prior, p->growth_min, p->growth_max);
	/* the level: the samples' weighted mean, each brought to the newest one's date by the growth (an
	 * arithmetic mean, unbiased with zeros and small counts, where the line's exp would not be) */
	double num = 0, den = 0, w2 = 0;
	for (int i = 0; i < n; i++) {
		num += w[i] * s[i].rate * exp(-out->growth * x[i]);
		den += w[i];
		w2 += w[i] * w[i];
	}
	out->level = den > 0 ? num / den : 0;
	/* the mean of den weights counts as (sum w)^2 / (sum w^2) independent samples */
	out->level_se = n > 1 && w2 > 0 ? sigma / sqrt(den * den / w2) : p->sigma_one;
	out->growth_se = sigma / sqrt(l.sxx + p->prior_sxx);
	if (n == 1)
		out->growth_se = p->sigma_one / sqrt(p->prior_sxx);
}

/* How far (log) a rate is from what the fit says at its date. */
static double surprise_of(const struct forecast_fit *f, const struct forecast_sample *smp)
{
	double pred = f->level * exp(f->growth * (double)(smp->at - f->level_at) / MS_PER_DAY);
	double eps = 0.02 * fmax(pred, smp->rate) + 1e-9;
	return log((smp->rate + eps) / (pred + eps));
}

static int surprise_threshold_passed(double e, const struct forecast_fit *f, const struct forecast_params *p)
{
	return fabs(e) > fmax(p->surprise_log, p->surprise_sigmas * f->sigma);
}

void forecast_observe(struct forecast_state *s, long long from, long long to, long long consumed, long long available,
		      const struct forecast_params *p)
{
	struct forecast_sample smp = {from + (to - from) / 2, 0, (double)(to - from) / MS_PER_DAY};
	if (smp.days <= 0 || consumed < 0 || available <= 0)
		return;
	smp.rate = (double)consumed / smp.days;
	if (consumed >= available && s->n > 0) {
		/* the shelf ran out: a lower bound of the use, which says something only above the fit */
		struct forecast_fit f;
		forecast_fit_of(s, 0, p, &f);
		if (f.samples > 0 && surprise_of(&f, &smp) <= 0)
			return;
	}
	int flag = 0;
	if (s->n > 0 && smp.at > s->s[s->n - 1].at) {
		/* judged against the fit of what came before the newest surprise, if it was one (a second
		 * one confirms the first against the same regime), growth its own (no prior: surprises are
		 * the holder's) */
		int keep = s->n - (s->flags[s->n - 1] != 0);
		if (keep > 0) {
			struct forecast_fit f;
			fit_samples(s->s, keep, 0, p, &f);
			f.growth = f.own_growth;
			double e = surprise_of(&f, &smp);
			if (surprise_threshold_passed(e, &f, p))
				flag = e > 0 ? 1 : -1;
		}
	} else if (s->n > 0) {
		/* a sample dated before the newest (a clock put back): history restarts from it */
		s->n = 0;
	}
	if (flag && s->n > 0 && s->flags[s->n - 1] == flag) {
		/* two surprises in a row on the same side: a new regime, which starts with this sample (the
		 * first surprise was most likely an interval the change fell within: half one, half the
		 * other); the samples before go */
		s->n = 0;
		flag = 0;
	} else if (s->n > 0 && s->flags[s->n - 1] < 0) {
		/* a low surprise not confirmed: an ordinary sample after all */
		s->flags[s->n - 1] = 0;
	}
	if (s->n == FORECAST_HISTORY) {
		memmove(&s->s[0], &s->s[1], sizeof s->s[0] * (FORECAST_HISTORY - 1));
		memmove(&s->flags[0], &s->flags[1], sizeof s->flags[0] * (FORECAST_HISTORY - 1));
		s->n--;
	}
	s->s[s->n] = smp;
	s->flags[s->n] = (signed char)flag;
	s->n++;
}

void forecast_fit_of(const struct forecast_state *s, double prior_growth, const struct forecast_params *p,
		     struct forecast_fit *out)
{
	memset(out, 0, sizeof *out);
	int n = s->n;
	if (n > 0 && s->flags[n - 1] < 0)
		n--; /* a low surprise waits for the next count */
	if (n <= 0)
		return;
	if (n > 1 && s->flags[n - 1] > 0) {
		/* a high surprise is believed at once, up to surprise_cap times what came before it: the
		 * regime before it gives the growth and the spread (the jump is not growth) */
		fit_samples(s->s, n - 1, prior_growth, p, out);
		const struct forecast_sample *newest = &s->s[n - 1];
		double base = out->level * exp(out->growth * (double)(newest->at - out->level_at) / MS_PER_DAY);
		out->level = fmax(base, fmin(newest->rate, base * p->surprise_cap));
		out->level_at = newest->at;
		out->samples = n;
		out->surprise = 1;
		return;
	}
	fit_samples(s->s, n, prior_growth, p, out);
}

/* --- the projection ---------------------------------------------------------------------------------- */

/* The rate path, in days x >= 0 after the level's date. Its log grows by G(x) = g (1 - d^x) / ln(1/d)
 * (the damped trend, continuous: the growth at x is g d^x), taken exactly at x = 0, 1/2, 1, 2, 4 ...
 * 128 days and straight in between, then flat (d^128 is 1e-6 of the growth for d = 0.9): about ten
 * pieces for any horizon, each one integrated and solved in closed form. */
#define PIECES 10
static const double piece_start[PIECES + 1] = {0, 0.5, 1, 2, 4, 8, 16, 32, 64, 128, 1e300};

struct path {
	double level;
	double log_at[PIECES + 1]; /* G at each piece's start */
	double slope[PIECES + 1];  /* the log's slope within each piece (0 in the last) */
};

static void path_make(struct path *pa, double level, double growth, double damping)
{
	pa->level = level;
	double lambda = damping < 1 ? -log(damping) : 0;
	for (int i = 0; i < PIECES; i++)
		pa->log_at[i] = lambda > 0 ? growth * -expm1(-lambda * piece_start[i]) / lambda : growth * piece_start[i];
	pa->log_at[PIECES] = pa->log_at[PIECES - 1];
	for (int i = 0; i < PIECES - 1; i++)
		pa->slope[i] = (pa->log_at[i + 1] - pa->log_at[i]) / (piece_start[i + 1] - piece_start[i]);
	pa->slope[PIECES - 1] = pa->slope[PIECES] = 0;
}

static int piece_of(double x)
{
	int i = 0;
	while (i < PIECES - 1 && x >= piece_start[i + 1])
		i++;
	return i;
}

/* the rate at x */
static double rate_at(const struct path *pa, double x)
{
	int i = piece_of(x);
	return pa->level * exp(pa->log_at[i] + pa->slope[i] * (x - piece_start[i]));
}

/* Use between a and b within one piece, rate ua at a, slope g. */
static double use_within(double ua, double g, double a, double b)
{
	double d = b - a;
	if (fabs(g * d) < 1e-9)
		return ua * d;
	return ua * expm1(g * d) / g;
}

/* Where, within a piece from a (rate ua, slope g), the use reaches r. */
static double solve_within(double ua, double g, double a, double r)
{
	if (fabs(g) < 1e-12)
		return a + r / ua;
	return a + log1p(g * r / ua) / g;
}

/* Moves x toward end piece by piece, using what is left (*left); returns 1 with *x at the point
 * where *left reached 0. */
static int walk(const struct path *pa, double *x, double end, double *left)
{
	if (pa->level <= 0)
		return 0; /* nothing used: the stock lasts */
	int i = piece_of(*x);
	double ua = rate_at(pa, *x);
	while (*x < end) {
		double piece_end = fmin(end, piece_start[i + 1]);
		double u = use_within(ua, pa->slope[i], *x, piece_end);
		if (u >= *left) {
			*x = solve_within(ua, pa->slope[i], *x, *left);
			*left = 0;
			return 1;
		}
		*left -= u;
		ua *= exp(pa->slope[i] * (piece_end - *x));
		*x = piece_end;
		if (*x >= piece_start[i + 1])
			i++;
	}
	return 0;
}

double forecast_use_between(double level, double growth, double x0, double x1, const struct forecast_params *p)
{
	struct path pa;
	path_make(&pa, level, growth, p->damping);
	double x = fmax(0, x0), used = 0;
	if (level <= 0 || x >= x1)
		return 0;
	int i = piece_of(x);
	double ua = rate_at(&pa, x);
	while (x < x1) {
		double piece_end = fmin(x1, piece_start[i + 1]);
		used += use_within(ua, pa.slope[i], x, piece_end);
		ua *= exp(pa.slope[i] * (piece_end - x));
		x = piece_end;
		i++;
	}
	return used;
}

double forecast_days_to_use(double stock, double level, double growth, double x0, const double *x, const double *q,
			    size_t n, const struct forecast_params *p)
{
	struct path pa;
	path_make(&pa, level, growth, p->damping);
	double at = fmax(0, x0), left = stock;
	double horizon = at + CENTURY_DAYS;
	if (left <= 0)
		return 0;
	for (size_t i = 0; i <= n; i++) {
		double end = i < n ? fmin(fmax(x[i], at), horizon) : horizon;
		if (walk(&pa, &at, end, &left))
			return at - fmax(0, x0);
		if (i < n)
			left += (double)q[i];
	}
	return -1;
}

/* Days until the stock is used, or -1 (never within a century), with the deliveries still expected. */
static double days_left(double stock, double level, double growth, double x0, const double *x, const double *q,
			size_t n, const struct forecast_params *p)
{
	if (level <= 0)
		return -1;
	return forecast_days_to_use(stock, level, growth, x0, x, q, n, p);
}

static long long stockout_of(long long now, double days)
{
	if (days < 0)
		return FORECAST_LAST_MS;
	double ms = days * MS_PER_DAY;
	return ms < (double)(FORECAST_LAST_MS - now) ? now + (long long)ms : FORECAST_LAST_MS;
}

#define INBOUND_MAX 16

void forecast_path_of(const struct forecast_fit *fit, double prior_growth, double fallback, double high,
		      long long counted_at, const struct forecast_params *p, struct forecast_path *out)
{
	memset(out, 0, sizeof *out);
	if (fit && fit->samples > 0) {
		out->samples = fit->samples;
		out->level = fit->level;
		out->level_at = fit->level_at;
		out->growth = fit->growth;
		out->level_se = fit->level_se;
		out->growth_se = fit->growth_se;
		out->surprise = fit->surprise;
		return;
	}
	out->level = fallback > 0 ? fallback : 0;
	out->level_at = counted_at;
	out->growth = clampd(prior_growth, p->growth_min, p->growth_max);
	out->fallback_high = fmax(high, out->level);
}

/* Where the count and now fall on the path (days after its level), and the stock estimated now. */
struct position {
	double x_count, x_now, stock;
	long long level_at, counted;
};

static void position_of(const struct forecast_input *in, const struct forecast_params *p, struct position *o)
{
	const struct forecast_path *pa = in->path;
	o->counted = in->counted_at ? in->counted_at : in->now;
	o->level_at = pa->level_at ? pa->level_at : o->counted;
	o->x_count = (double)(o->counted - o->level_at) / MS_PER_DAY;
	o->x_now = (double)(in->now - o->level_at) / MS_PER_DAY;
	if (o->x_now < o->x_count)
		o->x_now = o->x_count; /* a clock put back: nothing used since the count */
	o->stock = (double)in->book_quantity;
	if (pa->level > 0) {
		/* what was declared used since the count is in the book already */
		double used = forecast_use_between(pa->level, pa->growth, o->x_count, o->x_now, p) -
			      (double)in->declared_since_count;
		if (used > 0)
			o->stock -= used;
	}
	if (o->stock < 0)
		o->stock = 0;
}

void forecast_now(const struct forecast_input *in, const struct forecast_params *p, long long *estimate, double *rate)
{
	struct position o;
	position_of(in, p, &o);
	*estimate = (long long)floor(o.stock + 0.5);
	struct path rp;
	path_make(&rp, in->path->level, in->path->growth, p->damping);
	*rate = in->path->level > 0 ? rate_at(&rp, o.x_now) : 0;
}

enum forecast_confidence forecast_confidence_of(const struct forecast_path *path, long long counted_at, long long now)
{
	if (path->samples == 0)
		return CONFIDENCE_LOW;
	if (path->samples < 3 || (counted_at && now - counted_at > 3 * (long long)MS_PER_DAY) || path->surprise)
		return CONFIDENCE_MEDIUM;
	return CONFIDENCE_HIGH;
}

void forecast_project(const struct forecast_input *in, const struct forecast_params *p, struct forecast *out)
{
	memset(out, 0, sizeof *out);
	out->counted_at = in->counted_at;
	const struct forecast_path *pa = in->path;
	double level = pa->level, growth = pa->growth;
	out->from_fallback = pa->samples == 0 && level > 0;
	struct position o;
	position_of(in, p, &o);
	double stock = o.stock, x_now = o.x_now;
	long long level_at = o.level_at;
	out->estimate = (long long)floor(stock + 0.5);
	out->confidence = forecast_confidence_of(pa, in->counted_at, in->now);
	if (level <= 0 && pa->samples == 0)
		return; /* nothing known: no cover (a fitted rate of zero is known: the stock lasts) */
	out->known = 1;
	out->growth = growth;
	struct path rp;
	path_make(&rp, level, growth, p->damping);
	out->rate = rate_at(&rp, x_now);

	/* deliveries on their way: at their date (those late by less than the grace: now); later than
	 * that, they are no longer counted on */
	double dx[INBOUND_MAX], dq[INBOUND_MAX];
	size_t nd = 0;
	long long grace = (long long)(p->inbound_grace_days * MS_PER_DAY);
	for (size_t i = 0; i < in->ninbound && nd < INBOUND_MAX; i++) {
		const struct forecast_inbound *d = &in->inbound[i];
		if (d->quantity <= 0 || d->eta + grace <= in->now)
			continue;
		if (!out->changes_at || d->eta + grace < out->changes_at)
			out->changes_at = d->eta + grace;
		double xd = fmax(x_now, (double)(d->eta - level_at) / MS_PER_DAY);
		size_t j = nd++;
		while (j > 0 && dx[j - 1] > xd) {
			dx[j] = dx[j - 1];
			dq[j] = dq[j - 1];
			j--;
		}
		dx[j] = xd;
		dq[j] = (double)d->quantity;
	}
	double days = days_left(stock, level, growth, x_now, dx, dq, nd, p);
	out->days = days < 0 ? (double)(FORECAST_LAST_MS - in->now) / MS_PER_DAY : days;
	out->stockout_at = stockout_of(in->now, days);

	double lo_level, hi_level, lo_growth, hi_growth;
	if (out->from_fallback) {
		/* the fallback's band: from its upper bound (the catalogue's) to a share of it */
		lo_level = fmax(level, pa->fallback_high);
		hi_level = level * p->fallback_low_share;
		lo_growth = hi_growth = growth;
	} else {
		lo_level = level * exp(p->band_z * pa->level_se);
		hi_level = level * exp(-p->band_z * pa->level_se);
		lo_growth = clampd(growth + p->band_z * pa->growth_se, p->growth_min, p->growth_max);
		hi_growth = clampd(growth - p->band_z * pa->growth_se, p->growth_min, p->growth_max);
	}
	out->stockout_low_at = stockout_of(in->now, days_left(stock, lo_level, lo_growth, x_now, dx, dq, nd, p));
	out->stockout_high_at = stockout_of(in->now, days_left(stock, hi_level, hi_growth, x_now, dx, dq, nd, p));

}

/* --- the territory's pooled signal ------------------------------------------------------------------- */

struct pool_row {
	char dep[4];
	char category[32];
	long long item;
	double growth, weight; /* weight 0: says nothing of the growth */
	double share;          /* < 0: says nothing of the share */
};

struct pool_epidemic {
	char dep[4];
	double growth;
};

struct pool_region {
	long long item;
	double growth;
	double weight;
};

struct forecast_pool {
	struct pool_row *rows;
	size_t nrows, caprows;
	struct pool_epidemic *epi;
	size_t nepi, capepi;
	/* after finish */
	struct forecast_pool_growth *growth;
	size_t ngrowth;
	struct forecast_pool_share *shares;
	size_t nshares;
	struct pool_region *region;
	size_t nregion;
	double prior_sxx, growth_min, growth_max;
};

struct forecast_pool *forecast_pool_new(void)
{
	return calloc(1, sizeof(struct forecast_pool));
}

void forecast_pool_free(struct forecast_pool *pool)
{
	if (!pool)
		return;
	free(pool->rows);
	free(pool->epi);
	free(pool->growth);
	free(pool->shares);
	free(pool->region);
	free(pool);
}

static void copy_text(char *dst, size_t size, const char *src)
{
	size_t n = src ? strlen(src) : 0;
	if (n >= size)
		n = size - 1;
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

int forecast_pool_add(struct forecast_pool *pool, const char *dep, const char *category, long long item,
		      const struct forecast_fit *fit, double catalogue)
{
	if (fit->samples < 2)
		return 0; /* one sample says nothing of growth, and little of the level */
	if (array_grow((void **)&pool->rows, &pool->caprows, pool->nrows + 1, sizeof *pool->rows))
		return -1;
	struct pool_row *r = &pool->rows[pool->nrows++];
	memset(r, 0, sizeof *r);
	copy_text(r->dep, sizeof r->dep, dep);
	copy_text(r->category, sizeof r->category, category);
	r->item = item;
	/* a holder's growth weighs as much as its samples say about it */
	r->growth = fit->own_growth;
	r->weight = fit->samples >= 3 ? fit->sxx : 0;
	r->share = catalogue > 0 ? fit->level / catalogue : -1;
	return 0;
}

int forecast_pool_add_epidemic(struct forecast_pool *pool, const char *dep, double growth)
{
	if (array_grow((void **)&pool->epi, &pool->capepi, pool->nepi + 1, sizeof *pool->epi))
		return -1;
	struct pool_epidemic *e = &pool->epi[pool->nepi++];
	copy_text(e->dep, sizeof e->dep, dep);
	e->growth = growth;
	return 0;
}

static int by_dep_item(const void *a, const void *b)
{
	const struct pool_row *x = a, *y = b;
	int c = strcmp(x->dep, y->dep);
	return c ? c : (x->item > y->item) - (x->item < y->item);
}

static int by_category_item_share(const void *a, const void *b)
{
	const struct pool_row *x = a, *y = b;
	int c = strcmp(x->category, y->category);
	if (c)
		return c;
	if (x->item != y->item)
		return (x->item > y->item) - (x->item < y->item);
	return (x->share > y->share) - (x->share < y->share);
}

static int by_item(const void *a, const void *b)
{
	const struct pool_row *x = a, *y = b;
	return (x->item > y->item) - (x->item < y->item);
}

/* The weighted mean growth of the run of rows from *i that cmp finds equal to rows[*i] (sorted so that
 * they follow each other); *i moves past it, *weight gets the sum of their weights. */
static double run_growth(const struct pool_row *rows, size_t n, size_t *i, int (*cmp)(const void *, const void *),
			 double *weight)
{
	size_t first = *i;
	double num = 0;
	*weight = 0;
	for (; *i < n && cmp(&rows[*i], &rows[first]) == 0; (*i)++) {
		num += rows[*i].weight * rows[*i].growth;
		*weight += rows[*i].weight;
	}
	return *weight > 0 ? num / *weight : 0;
}

int forecast_pool_finish(struct forecast_pool *pool, const struct forecast_params *p)
{
	pool->prior_sxx = p->prior_sxx;
	pool->growth_min = p->growth_min;
	pool->growth_max = p->growth_max;
	size_t n = pool->nrows;
	free(pool->growth);
	free(pool->shares);
	free(pool->region);
	pool->growth = calloc(n ? n : 1, sizeof *pool->growth);
	pool->shares = calloc(n ? n : 1, sizeof *pool->shares);
	pool->region = calloc(n ? n : 1, sizeof *pool->region);
	pool->ngrowth = pool->nshares = pool->nregion = 0;
	if (!pool->growth || !pool->shares || !pool->region)
		return -1;
	/* per département and item: the weighted mean of the holders' growth */
	if (n == 0)
		return 0; /* nothing pooled yet: every lookup says so */
	qsort(pool->rows, n, sizeof *pool->rows, by_dep_item);
	for (size_t i = 0; i < n;) {
		struct forecast_pool_growth *g = &pool->growth[pool->ngrowth];
		memset(g, 0, sizeof *g);
		memcpy(g->dep, pool->rows[i].dep, sizeof g->dep);
		g->item = pool->rows[i].item;
		g->growth = run_growth(pool->rows, n, &i, by_dep_item, &g->weight);
		if (g->weight > 0)
			pool->ngrowth++;
	}
	/* per item, the whole region */
	qsort(pool->rows, n, sizeof *pool->rows, by_item);
	for (size_t i = 0; i < n;) {
		struct pool_region *g = &pool->region[pool->nregion];
		g->item = pool->rows[i].item;
		g->growth = run_growth(pool->rows, n, &i, by_item, &g->weight);
		if (g->weight > 0)
			pool->nregion++;
	}
	/* per category and item: the median share of the catalogue */
	qsort(pool->rows, n, sizeof *pool->rows, by_category_item_share);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && strcmp(pool->rows[j].category, pool->rows[i].category) == 0 && pool->rows[j].item == pool->rows[i].item)
			j++;
		size_t first = i;
		while (first < j && pool->rows[first].share < 0)
			first++;
		size_t k = j - first;
		if (k > 0) {
			struct forecast_pool_share *s = &pool->shares[pool->nshares++];
			memcpy(s->category, pool->rows[i].category, sizeof s->category);
			s->item = pool->rows[i].item;
			s->holders = (int)k;
			s->share = k % 2 ? pool->rows[first + k / 2].share
					 : (pool->rows[first + k / 2 - 1].share + pool->rows[first + k / 2].share) / 2;
		}
		i = j;
	}
	return 0;
}

double forecast_pool_growth(const struct forecast_pool *pool, const char *dep, long long item)
{
	if (!pool)
		return 0;
	/* the reference: the département's hospital figures, else the region's holders of the item */
	double ref = 0;
	int have_ref = 0;
	for (size_t i = 0; i < pool->nepi; i++)
		if (strcmp(pool->epi[i].dep, dep) == 0) {
			ref = pool->epi[i].growth;
			have_ref = 1;
		}
	if (!have_ref) {
		size_t lo = 0, hi = pool->nregion;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (pool->region[mid].item < item)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < pool->nregion && pool->region[lo].item == item)
			ref = pool->region[lo].growth;
	}
	size_t lo = 0, hi = pool->ngrowth;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(pool->growth[mid].dep, dep);
		if (c < 0 || (c == 0 && pool->growth[mid].item < item))
			lo = mid + 1;
		else
			hi = mid;
	}
	double g = ref;
	if (lo < pool->ngrowth && strcmp(pool->growth[lo].dep, dep) == 0 && pool->growth[lo].item == item) {
		const struct forecast_pool_growth *x = &pool->growth[lo];
		g = (x->weight * x->growth + pool->prior_sxx * ref) / (x->weight + pool->prior_sxx);
	}
	return clampd(g, pool->growth_min, pool->growth_max);
}

double forecast_pool_share(const struct forecast_pool *pool, const char *category, long long item, double fallback_share)
{
	if (!pool || !category)
		return fallback_share;
	size_t lo = 0, hi = pool->nshares;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(pool->shares[mid].category, category);
		if (c < 0 || (c == 0 && pool->shares[mid].item < item))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < pool->nshares && strcmp(pool->shares[lo].category, category) == 0 && pool->shares[lo].item == item &&
	    pool->shares[lo].holders >= 3)
		return pool->shares[lo].share;
	return fallback_share;
}
