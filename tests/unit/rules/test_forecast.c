/* Unit tests of forecast.c, the trend estimator, on constructed series (issue 14): a holder counts
 * its stock once a day (or as the case says) while its use follows a known curve; after the counts,
 * the rate the forecast gives now, its growth, the stock it estimates and the stock-out it projects
 * are compared with the truth, and with what the trailing average of burn.c said. Cases: exponential
 * growth, a 3x step, a plateau, a decline, a recount that lowers stock, a missed day, a delivery
 * between counts, a delivery announced but never received, a holder with one count; then the pieces:
 * the integration of a growing rate against its closed form, a surprise above and below the fit, the
 * band, and the pooled prior of a territory. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "burn.h"
#include "forecast.h"

#define T0 1764146709123LL /* 2025-11-26T08:45:09.123Z */
#define H 3600000LL
#define D 86400000LL

/* --- a holder living a constructed series ------------------------------------------------------------ */

enum curve { PLATEAU, EXPONENTIAL, STEP, DECLINE };

struct series {
	const char *name;
	enum curve curve;
	double u0;        /* use a day at day 0 */
	double param;     /* growth (log per day) of EXPONENTIAL and DECLINE; the step's factor */
	double step_day;  /* STEP: when use jumps */
	double stock;     /* at day 0 */
	int days;         /* counts on days 0..days */
	int skip_day;     /* a day without a count (0: none) */
	double recount_day; long long recount_loss; /* a count lower by this much than the shelf (0: none) */
	double receipt_day; long long receipt;      /* a receipt recorded between two counts */
};

/* The use rate at t days. */
static double rate_of(const struct series *s, double t)
{
	switch (s->curve) {
	case EXPONENTIAL:
	case DECLINE:
		return s->u0 * exp(s->param * t);
	case STEP:
		return t < s->step_day ? s->u0 : s->u0 * s->param;
	default:
		return s->u0;
	}
}

/* The use between a and b days (exact). */
static double use_of(const struct series *s, double a, double b)
{
	switch (s->curve) {
	case EXPONENTIAL:
	case DECLINE:
		return s->u0 / s->param * (exp(s->param * b) - exp(s->param * a));
	case STEP:
		if (b <= s->step_day || a >= s->step_day)
			return rate_of(s, a) * (b - a);
		return s->u0 * (s->step_day - a) + s->u0 * s->param * (b - s->step_day);
	default:
		return s->u0 * (b - a);
	}
}

struct lived {
	struct forecast_state fc;
	struct burn_state burn;
	long long book;         /* the last count plus the movements since */
	long long counted_at;
	double shelf;           /* the truth */
};

/* What stock_forecast_count() does with a count: a sample for both estimators. */
static void count(struct lived *l, long long q, long long now)
{
	struct burn_params bp = burn_default_params();
	struct forecast_params p = forecast_default_params();
	long long consumed;
	if (burn_sample_of(&l->burn, q, now, &bp, &consumed) == BURN_SAMPLE)
		forecast_observe(&l->fc, l->burn.anchor_at, now, consumed, l->burn.anchor_quantity + l->burn.inflow, &p);
	burn_observe(&l->burn, q, now, &bp);
	l->book = q;
	l->counted_at = now;
}

/* Lives the series to its last count; *at: the time of that count. */
static void live(const struct series *s, struct lived *l)
{
	memset(l, 0, sizeof *l);
	l->shelf = s->stock;
	double t = 0;
	for (int day = 0; day <= s->days; day++) {
		double next = (double)day;
		if (s->receipt && s->receipt_day > t && s->receipt_day <= next) {
			l->shelf -= use_of(s, t, s->receipt_day);
			l->shelf += (double)s->receipt;
			burn_inflow(&l->burn, s->receipt);
			l->book += s->receipt;
			t = s->receipt_day;
		}
		l->shelf -= use_of(s, t, next);
		t = next;
		if (day == s->skip_day && day)
			continue;
		long long q = (long long)floor(l->shelf + 0.5);
		if (s->recount_loss && fabs(s->recount_day - next) < 1e-9) {
			l->shelf -= (double)s->recount_loss; /* found missing: the shelf is lower from now on */
			q -= s->recount_loss;
		}
		count(l, q, T0 + (long long)day * D);
	}
}

/* The projection now (an hour after the last count unless said), with the prior and no fallback. */
static void project(const struct lived *l, long long now, double prior, const struct forecast_inbound *in, size_t n,
		    struct forecast *out, struct forecast_fit *fit)
{
	struct forecast_params p = forecast_default_params();
	struct forecast_path path;
	forecast_fit_of(&l->fc, prior, &p, fit);
	forecast_path_of(fit, prior, 0, 0, l->counted_at, &p, &path);
	struct forecast_input fi = {now, l->counted_at, l->book, 0, &path, in, n};
	forecast_project(&fi, &p, out);
}

/* The truth: days until the shelf is empty from t days, with no delivery. */
static double true_cover(const struct series *s, double shelf, double t)
{
	double lo = 0, hi = 1;
	while (use_of(s, t, t + hi) < shelf && hi < 1e5)
		hi *= 2;
	for (int i = 0; i < 100; i++) {
		double mid = (lo + hi) / 2;
		if (use_of(s, t, t + mid) < shelf)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

struct series_case {
	struct series s;
	/* expected, an hour after the last count */
	double rate_lo, rate_hi;   /* forecast rate / true rate */
	double growth_lo, growth_hi; /* log per day */
	double cover_tol;          /* |forecast cover - true cover| / true cover at most */
	double old_rate_max;       /* the trailing average read at most this share of the true rate (0: not checked) */
	int confidence;            /* enum forecast_confidence */
};

static const struct series_case series_cases[] = {
	/* growth of 20% a day (doubling in 3.5 days), counted for 10 days: the trailing average reads
	 * 0.65 of the true rate; the fit follows, and the cover integrates the growth */
	{{"exponential growth, 20% a day", EXPONENTIAL, 100, 0.18232, 0, 6000, 10, 0, 0, 0, 0, 0},
	 0.92, 1.05, 0.15, 0.19, 0.1, 0.7, CONFIDENCE_HIGH},
	/* use triples halfway through day 6 (counted at day 6 and 7): the surprise counts at once,
	 * and the next count confirms a new regime; the trailing average is at 0.6 */
	{{"a 3x step", STEP, 100, 3, 5.5, 20000, 7, 0, 0, 0, 0, 0}, 0.95, 1.1, -0.01, 0.08, 0.12, 0.65,
	 CONFIDENCE_MEDIUM},
	{{"a 3x step, two counts on", STEP, 100, 3, 5.5, 5000, 8, 0, 0, 0, 0, 0}, 0.95, 1.08, -0.01, 0.06, 0.1, 0,
	 CONFIDENCE_MEDIUM},
	{{"a 3x step, three counts on", STEP, 100, 3, 5.5, 5000, 9, 0, 0, 0, 0, 0}, 0.97, 1.03, -0.01, 0.01, 0.03, 0,
	 CONFIDENCE_HIGH},
	{{"a plateau", PLATEAU, 100, 0, 0, 5000, 10, 0, 0, 0, 0, 0}, 0.99, 1.01, -0.001, 0.001, 0.01, 0, CONFIDENCE_HIGH},
	/* use halving in 7 days: the growth is negative and bounded (halving in a week at most) */
	{{"a decline", DECLINE, 100, -0.099, 0, 900, 10, 0, 0, 0, 0, 0}, 0.95, 1.08, -0.1, -0.07, 0.25, 0,
	 CONFIDENCE_HIGH},
	/* a missed day (no count at day 5): one sample over two days, nothing lost */
	{{"a missed day", PLATEAU, 100, 0, 0, 5000, 8, 5, 0, 0, 0, 0}, 0.99, 1.01, -0.001, 0.001, 0.01, 0,
	 CONFIDENCE_HIGH},
	{{"a missed day, growing", EXPONENTIAL, 100, 0.1, 0, 3000, 9, 5, 0, 0, 0, 0}, 0.95, 1.05, 0.08, 0.11, 0.08, 0,
	 CONFIDENCE_HIGH},
	/* a receipt between counts is not use */
	{{"a delivery between counts", PLATEAU, 100, 0, 0, 2000, 8, 0, 0, 0, 6.5, 3000}, 0.99, 1.01, -0.001, 0.001, 0.01, 0,
	 CONFIDENCE_HIGH},
	/* a recount finding 400 fewer at day 7, then a normal count: the rate is back (the loss was no
	 * use that goes on), the stock is the count's */
	{{"a recount that lowers stock, one count on", PLATEAU, 100, 0, 0, 5000, 8, 0, 7, 400, 0, 0}, 0.95, 1.2, -0.02,
	 0.05, 0.2, 0, CONFIDENCE_HIGH},
};

static void test_series(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof series_cases / sizeof series_cases[0]; i++) {
		const struct series_case *c = &series_cases[i];
		const struct series *s = &c->s;
		struct lived l;
		live(s, &l);
		long long now = l.counted_at + H;
		double t_now = (double)(now - T0) / D;
		struct forecast fc;
		struct forecast_fit fit;
		project(&l, now, 0, NULL, 0, &fc, &fit);
		double truth = rate_of(s, t_now);
		double shelf_now = l.shelf - use_of(s, (double)(l.counted_at - T0) / D, t_now);
		double cover = true_cover(s, shelf_now, t_now);
		struct burn_params bp = burn_default_params();
		double old = burn_rate(&l.burn, 0, &bp);
		if (!fc.known || fc.rate < c->rate_lo * truth || fc.rate > c->rate_hi * truth)
			fail_msg("%s: rate %.2f, true %.2f (x%.3f), expected x%.2f..%.2f", s->name, fc.rate, truth,
				 fc.rate / truth, c->rate_lo, c->rate_hi);
		if (fc.growth < c->growth_lo || fc.growth > c->growth_hi)
			fail_msg("%s: growth %.4f, expected %.4f..%.4f", s->name, fc.growth, c->growth_lo, c->growth_hi);
		if (fabs(fc.days - cover) > c->cover_tol * cover)
			fail_msg("%s: cover %.2f days, true %.2f", s->name, fc.days, cover);
		if (c->old_rate_max > 0 && old > c->old_rate_max * truth)
			fail_msg("%s: the trailing average read x%.2f, expected it under x%.2f", s->name, old / truth,
				 c->old_rate_max);
		/* the estimate an hour after the count: the count less an hour of use */
		if (llabs(fc.estimate - (long long)floor(shelf_now + 0.5)) > (long long)(0.2 * truth / 24) + 1)
			fail_msg("%s: estimate %lld, the shelf holds %.0f", s->name, fc.estimate, shelf_now);
		if ((int)fc.confidence != c->confidence)
			fail_msg("%s: confidence %s, expected %s", s->name, forecast_confidence_name(fc.confidence),
				 forecast_confidence_name((enum forecast_confidence)c->confidence));
		if (!(fc.stockout_low_at <= fc.stockout_at && fc.stockout_at <= fc.stockout_high_at))
			fail_msg("%s: the band does not hold the stock-out date", s->name);
	}
}

/* The 3x step day by day: the forecast's share of the true rate at each count, against the
 * trailing average's (the issue: 0.51, 0.65, 0.76, 0.83, 0.88, 0.91). */
static void test_step_catch_up(void **state)
{
	(void)state;
	struct series s = {"step", STEP, 100, 3, 5.0, 100000, 5, 0, 0, 0, 0, 0};
	struct lived l;
	live(&s, &l);
	struct burn_params bp = burn_default_params();
	static const double want_new_min[] = {0.97, 0.97, 0.97, 0.97};
	/* 1 + 0.3 x 2, then 0.3 of the gap each day */
	static const double want_old[] = {1.6 / 3, 2.02 / 3, 2.314 / 3, 2.5198 / 3};
	for (int k = 0; k < 4; k++) {
		double shelf = l.shelf - use_of(&s, 5 + k, 6 + k);
		l.shelf = shelf;
		count(&l, (long long)floor(shelf + 0.5), T0 + (6 + k) * D);
		struct forecast fc;
		struct forecast_fit fit;
		project(&l, l.counted_at, 0, NULL, 0, &fc, &fit);
		double old = burn_rate(&l.burn, 0, &bp) / 300;
		if (fc.rate / 300 < want_new_min[k] || fc.rate / 300 > 1.1)
			fail_msg("day %d after the step: forecast x%.3f", k + 1, fc.rate / 300);
		if (fabs(old - want_old[k]) > 0.01)
			fail_msg("day %d after the step: trailing average x%.3f, expected x%.3f", k + 1, old, want_old[k]);
	}
}

/* A delivery announced: counted on until a day past its date; never received, it no longer hides
 * the stock-out, and the projection says when that changes. */
static void test_inbound(void **state)
{
	(void)state;
	struct series s = {"plateau", PLATEAU, 100, 0, 0, 1000, 5, 0, 0, 0, 0, 0};
	struct lived l;
	live(&s, &l); /* 500 left at day 5, 100 a day */
	struct forecast_inbound in = {1000, l.counted_at + 3 * D};
	struct forecast fc;
	struct forecast_fit fit;
	project(&l, l.counted_at, 0, NULL, 0, &fc, &fit);
	assert_true(fabs(fc.days - 5) < 0.01);
	assert_int_equal(fc.changes_at, 0);
	project(&l, l.counted_at, 0, &in, 1, &fc, &fit);
	assert_true(fabs(fc.days - 15) < 0.01);
	assert_int_equal(fc.changes_at, in.eta + D);
	/* a day late: still counted on (arriving now) */
	project(&l, in.eta + D - 1, 0, &in, 1, &fc, &fit);
	assert_true(fabs(fc.days - (15 - 4)) < 0.01);
	/* later than that: never received, not counted; the stock is what the counts say */
	project(&l, in.eta + D, 0, &in, 1, &fc, &fit);
	assert_true(fabs(fc.days - 1) < 0.01);
	assert_int_equal(fc.changes_at, 0);
	/* a delivery after the stock-out does not hide it */
	struct forecast_inbound late = {1000, l.counted_at + 7 * D};
	project(&l, l.counted_at, 0, &late, 1, &fc, &fit);
	assert_true(fabs(fc.days - 5) < 0.01);
}

/* A shelf empty for days: counts of zero say nothing of the use (the demand was there, the stock was
 * not), a count that found the shelf emptied says the use was at least that much; after a delivery
 * the rate is still the one before (the trailing average had decayed to a fraction of it). */
static void test_empty_shelf(void **state)
{
	(void)state;
	struct lived l;
	memset(&l, 0, sizeof l);
	static const long long counts[] = {1000, 900, 800, 700, 600, 500, 400, 300, 200, 100, 30, 0, 0, 0};
	int n = (int)(sizeof counts / sizeof counts[0]);
	for (int d = 0; d < n; d++)
		count(&l, counts[d], T0 + d * D);
	/* 50 delivered, gone by the next count: a second emptied shelf, still no fall of use */
	burn_inflow(&l.burn, 50);
	count(&l, 0, T0 + n * D);
	burn_inflow(&l.burn, 300);
	l.book += 300;
	count(&l, 200, T0 + (n + 1) * D); /* 100 used of the 300 received */
	struct forecast fc;
	struct forecast_fit fit;
	project(&l, l.counted_at, 0, NULL, 0, &fc, &fit);
	assert_true(fabs(fc.rate - 100) < 1);
	assert_true(fabs(fc.days - 2) < 0.02);
	struct burn_params bp = burn_default_params();
	assert_true(burn_rate(&l.burn, 0, &bp) < 60); /* the average: three days of zeros, 54 */
	/* a shelf emptied by a use above the fit: believed (a lower bound, and already a surprise) */
	memset(&l, 0, sizeof l);
	for (int d = 0; d < 6; d++)
		count(&l, 1000 - 100 * d, T0 + d * D);
	count(&l, 0, T0 + 6 * D); /* 500 gone in a day */
	project(&l, l.counted_at, 0, NULL, 0, &fc, &fit);
	assert_true(fc.rate >= 299);
}

/* A holder with one count: no sample, the fallback (here 20 a day, the catalogue's 80), low
 * confidence, the band from the catalogue's rate to half the fallback's. */
static void test_one_count(void **state)
{
	(void)state;
	struct lived l;
	memset(&l, 0, sizeof l);
	count(&l, 400, T0);
	struct forecast_params p = forecast_default_params();
	struct forecast_fit fit;
	forecast_fit_of(&l.fc, 0, &p, &fit);
	assert_int_equal(fit.samples, 0);
	struct forecast_path path;
	forecast_path_of(&fit, 0.05, 20, 80, l.counted_at, &p, &path);
	struct forecast_input in = {T0 + 12 * H, l.counted_at, l.book, 0, &path, NULL, 0};
	struct forecast fc;
	forecast_project(&in, &p, &fc);
	assert_true(fc.known);
	assert_true(fc.from_fallback);
	assert_int_equal(fc.confidence, CONFIDENCE_LOW);
	assert_true(fabs(fc.growth - 0.05) < 1e-12); /* the prior's growth */
	assert_true(fc.estimate >= 389 && fc.estimate <= 390);   /* half a day of 20 a day, growing */
	double lo = (double)(fc.stockout_low_at - in.now) / D, hi = (double)(fc.stockout_high_at - in.now) / D;
	assert_true(lo < fc.days && fc.days < hi);
	assert_true(fabs(lo - log1p(0.05 * 390.0 / (80 * exp(0.025))) / 0.05) < 0.5); /* about 4.6 days at 80 */
	/* nothing known at all: no rate, no cover, the count as it is */
	forecast_path_of(&fit, 0, 0, 0, l.counted_at, &p, &path);
	forecast_project(&in, &p, &fc);
	assert_false(fc.known);
	assert_int_equal(fc.estimate, 400);
	assert_int_equal(fc.confidence, CONFIDENCE_LOW);
}

/* The stock estimated between counts: the count, plus receipts, less the use since, never below
 * zero; consumption declared as movements is not counted twice. */
static void test_estimate_between_counts(void **state)
{
	(void)state;
	struct forecast_params p = forecast_default_params();
	struct forecast_path path = {5, 100, T0, 0, 0.1, 0.05, 0, 0};
	struct forecast_input in = {T0 + 6 * H, T0, 1000, 0, &path, NULL, 0};
	struct forecast fc;
	forecast_project(&in, &p, &fc);
	assert_int_equal(fc.estimate, 975);
	in.book_quantity = 1500; /* a receipt of 500 since */
	forecast_project(&in, &p, &fc);
	assert_int_equal(fc.estimate, 1475);
	in.book_quantity = 980; /* 20 declared used since: 25 estimated, 5 more */
	in.declared_since_count = 20;
	forecast_project(&in, &p, &fc);
	assert_int_equal(fc.estimate, 975);
	in.book_quantity = 950; /* 50 declared: more than estimated, the book holds */
	in.declared_since_count = 50;
	forecast_project(&in, &p, &fc);
	assert_int_equal(fc.estimate, 950);
	in.book_quantity = 1000;
	in.declared_since_count = 0;
	in.now = T0 + 20 * D; /* long after: nothing left, never below zero */
	forecast_project(&in, &p, &fc);
	assert_int_equal(fc.estimate, 0);
	assert_int_equal(fc.days, 0);
	assert_int_equal(fc.stockout_at, in.now);
}

/* The integration of a growing rate: without damping it is the closed form ln(1 + gS/u)/g; with
 * damping the growth fades (a constant rate after a while); a zero growth is S/u. */
static void test_integration(void **state)
{
	(void)state;
	struct forecast_params p = forecast_default_params();
	static const struct {
		double stock, level, growth;
	} cases[] = {{1000, 100, 0.2}, {1000, 100, -0.05}, {50, 100, 0.2}, {1e5, 3, 0.23}, {10000, 100, 0.1}};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		p.damping = 1;
		double got = forecast_days_to_use(cases[i].stock, cases[i].level, cases[i].growth, 0, NULL, NULL, 0, &p);
		double g = cases[i].growth, want = log1p(g * cases[i].stock / cases[i].level) / g;
		if (fabs(got - want) > 1e-6 * want)
			fail_msg("case %zu: %.9f days, closed form %.9f", i, got, want);
		double used = forecast_use_between(cases[i].level, g, 0, got, &p);
		if (fabs(used - cases[i].stock) > 1e-6 * cases[i].stock)
			fail_msg("case %zu: %.3f used by then, stock %.3f", i, used, cases[i].stock);
		p.damping = 0.9;
		double damped = forecast_days_to_use(cases[i].stock, cases[i].level, g, 0, NULL, NULL, 0, &p);
		if (g > 0 ? damped < got : damped > got)
			fail_msg("case %zu: damped %.3f days, undamped %.3f", i, damped, got);
		used = forecast_use_between(cases[i].level, g, 0, damped, &p);
		if (fabs(used - cases[i].stock) > 1e-6 * cases[i].stock)
			fail_msg("case %zu: damped, %.3f used by then, stock %.3f", i, used, cases[i].stock);
	}
	assert_true(fabs(forecast_days_to_use(1000, 100, 0, 0, NULL, NULL, 0, &p) - 10) < 1e-9);
	/* a decline that never uses the stock up: -1 */
	p.damping = 1;
	assert_true(forecast_days_to_use(1e9, 100, -0.1, 0, NULL, NULL, 0, &p) < 0);
}

/* Surprises: one count far above the fit is believed at once (up to 3 times it); one far below waits
 * for the next count; two in a row on the same side start a new regime. */
static void test_surprises(void **state)
{
	(void)state;
	struct forecast_params p = forecast_default_params();
	struct forecast_state s;
	memset(&s, 0, sizeof s);
	for (int d = 0; d < 6; d++)
		forecast_observe(&s, T0 + d * D, T0 + (d + 1) * D, 100, 100000, &p);
	struct forecast_fit f;
	forecast_fit_of(&s, 0, &p, &f);
	assert_true(fabs(f.level - 100) < 1e-9);
	/* 1000 in a day: believed, up to 3x */
	struct forecast_state up = s;
	forecast_observe(&up, T0 + 6 * D, T0 + 7 * D, 1000, 100000, &p);
	forecast_fit_of(&up, 0, &p, &f);
	assert_true(f.surprise);
	assert_true(fabs(f.level - 300) < 1e-6);
	/* then 100 again: the surprise was a one-off, the robust fit sets it aside */
	forecast_observe(&up, T0 + 7 * D, T0 + 8 * D, 100, 100000, &p);
	forecast_fit_of(&up, 0, &p, &f);
	assert_false(f.surprise);
	assert_true(f.level < 125);
	/* 10 in a day: waits */
	struct forecast_state down = s;
	forecast_observe(&down, T0 + 6 * D, T0 + 7 * D, 10, 100000, &p);
	forecast_fit_of(&down, 0, &p, &f);
	assert_true(fabs(f.level - 100) < 1e-9);
	assert_int_equal(f.samples, 6);
	/* and again: a new regime, which starts with the sample that confirms it */
	forecast_observe(&down, T0 + 7 * D, T0 + 8 * D, 10, 100000, &p);
	forecast_fit_of(&down, 0, &p, &f);
	assert_int_equal(f.samples, 1);
	assert_true(fabs(f.level - 10) < 1e-9);
	/* a history of at most FORECAST_HISTORY samples */
	for (int d = 8; d < 30; d++)
		forecast_observe(&down, T0 + d * D, T0 + (d + 1) * D, 10, 100000, &p);
	assert_int_equal(down.n, FORECAST_HISTORY);
	/* a sample dated before the newest (a clock put back) restarts the history */
	forecast_observe(&down, T0, T0 + D, 10, 100000, &p);
	assert_int_equal(down.n, 1);
}

/* The prior of a territory: per département and item the holders' growth weighted by what their
 * samples say, pulled toward the département's hospital figures (or the region's holders); per
 * category and item the median share of the catalogue, from three holders on. */
static void test_pool(void **state)
{
	(void)state;
	struct forecast_params p = forecast_default_params();
	struct forecast_pool *pool = forecast_pool_new();
	assert_non_null(pool);
	struct forecast_fit f;
	memset(&f, 0, sizeof f);
	f.samples = 8;
	f.sxx = 12;
	f.own_growth = 0.2;
	f.level = 30;
	assert_int_equal(forecast_pool_add(pool, "81", "hospital", 7, &f, 100), 0);
	f.own_growth = 0.1;
	f.level = 10;
	assert_int_equal(forecast_pool_add(pool, "81", "hospital", 7, &f, 100), 0);
	f.level = 20;
	f.own_growth = 0;
	assert_int_equal(forecast_pool_add(pool, "34", "hospital", 7, &f, 100), 0);
	f.samples = 1; /* one sample says nothing */
	f.own_growth = 0.23;
	assert_int_equal(forecast_pool_add(pool, "34", "hospital", 7, &f, 100), 0);
	assert_int_equal(forecast_pool_finish(pool, &p), 0);
	/* 81: (12 x 0.2 + 12 x 0.1 + 4 x region) / 28, the region's being (0.2 + 0.1 + 0) / 3 */
	double want81 = (12 * 0.2 + 12 * 0.1 + 4 * 0.1) / 28;
	assert_true(fabs(forecast_pool_growth(pool, "81", 7) - want81) < 1e-12);
	assert_true(fabs(forecast_pool_growth(pool, "34", 7) - (4 * 0.1) / 16) < 1e-12);
	assert_true(fabs(forecast_pool_growth(pool, "12", 7) - 0.1) < 1e-12); /* no holder: the region */
	assert_true(fabs(forecast_pool_growth(pool, "81", 8)) < 1e-12);       /* no item anywhere */
	assert_true(fabs(forecast_pool_share(pool, "hospital", 7, 0.25) - 0.2) < 1e-12);
	assert_true(fabs(forecast_pool_share(pool, "ehpad", 7, 0.25) - 0.25) < 1e-12);
	forecast_pool_free(pool);
	/* with hospital figures: they are the département's reference */
	pool = forecast_pool_new();
	f.samples = 8;
	f.own_growth = 0.2;
	assert_int_equal(forecast_pool_add(pool, "81", "hospital", 7, &f, 0), 0);
	assert_int_equal(forecast_pool_add_epidemic(pool, "81", 0.1), 0);
	assert_int_equal(forecast_pool_add_epidemic(pool, "12", 0.5), 0);
	assert_int_equal(forecast_pool_finish(pool, &p), 0);
	assert_true(fabs(forecast_pool_growth(pool, "81", 7) - (12 * 0.2 + 4 * 0.1) / 16) < 1e-12);
	assert_true(fabs(forecast_pool_growth(pool, "12", 7) - p.growth_max) < 1e-12); /* bounded */
	assert_true(fabs(forecast_pool_share(pool, "hospital", 7, 0.25) - 0.25) < 1e-12); /* fewer than 3 */
	forecast_pool_free(pool);
	/* a pool of nothing (no holder has history yet): no prior, the configured share */
	pool = forecast_pool_new();
	assert_int_equal(forecast_pool_finish(pool, &p), 0);
	assert_true(forecast_pool_growth(pool, "81", 7) == 0);
	assert_true(forecast_pool_share(pool, "hospital", 7, 0.25) == 0.25);
	forecast_pool_free(pool);
	/* no pool yet: no prior */
	assert_true(forecast_pool_growth(NULL, "81", 7) == 0);
	assert_true(forecast_pool_share(NULL, "hospital", 7, 0.25) == 0.25);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_series),	     cmocka_unit_test(test_step_catch_up),
		cmocka_unit_test(test_inbound),	     cmocka_unit_test(test_one_count),
		cmocka_unit_test(test_empty_shelf),
		cmocka_unit_test(test_estimate_between_counts), cmocka_unit_test(test_integration),
		cmocka_unit_test(test_surprises),    cmocka_unit_test(test_pool),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
