/* burn: how fast a holder consumes an item, and how long its stock lasts. Pure functions of the
 * counted quantities, the movements between counts and the time: no I/O, no clock.
 *
 * Each report is an observation: consumption since the previous anchor is
 *     anchor quantity + what came in (receipts - dispatches) - counted quantity
 * over the time elapsed, which makes a daily sample. Samples feed a time-weighted moving average,
 * so a missed day is one sample over two days rather than a spike. A negative consumption (a
 * recount found more, or a receipt nobody recorded) is no sample: the anchor moves on. A sample far
 * above the average is clamped. Until there is history, the WHO catalogue's burn rates times the
 * structure's occupancy and staff stand in. */
#ifndef RENFORT_BURN_H
#define RENFORT_BURN_H

struct burn_state {
	long long anchor_at;       /* ms; 0 when no report yet */
	long long anchor_quantity;
	long long inflow;          /* received minus dispatched since the anchor */
	double rate;               /* units per day, meaningful when samples > 0 */
	int samples;
};

struct burn_params {
	double min_interval_days;  /* observations closer than this to the anchor wait */
	double daily_weight;       /* weight of one day of new data in the average (0..1) */
	double clamp_factor;       /* a sample above factor x the average counts as factor x average */
	int min_samples;           /* history samples needed before the catalogue is left aside */
};

/* Default parameters: 1 hour, 0.3 per day, x4, 2 samples. */
struct burn_params burn_default_params(void);

/* What a count at now makes of the state (without changing it): a sample of `consumed` units since
 * the anchor (>= 0), none (a recount found more: the anchor moves on), a wait (within
 * min_interval_days of the anchor), or a restart (no anchor yet, or a clock put back). The trend
 * estimator (forecast.c) takes its samples from the same anchor. */
enum burn_sample_kind { BURN_SAMPLE, BURN_NO_SAMPLE, BURN_WAIT, BURN_RESTART };
int burn_sample_of(const struct burn_state *s, long long quantity, long long now, const struct burn_params *p,
		   long long *consumed);

/* A counted quantity at time now (ms). */
void burn_observe(struct burn_state *s, long long quantity, long long now, const struct burn_params *p);
/* A movement that is not consumption: a receipt (> 0) or a dispatch (< 0). */
void burn_inflow(struct burn_state *s, long long delta);

/* The catalogue's estimate: per worker x staff + per patient (or per bed) x occupancy. Rates < 0
 * mean unknown. Returns units per day, 0 when nothing is known. */
double burn_catalogue(double per_worker, double per_patient, double per_bed, long long occupancy, long long staff);

/* The rate to use: history once it has min_samples, the average of both with one sample, else the
 * catalogue. 0 when nothing is known. */
double burn_rate(const struct burn_state *s, double catalogue, const struct burn_params *p);

/* Days of cover of quantity at rate per day; *known is 0 when the rate is 0 (cover unknown or
 * unlimited). stockout_at (ms) = now + days, at the latest 9999-12-31T23:59:59.999Z. */
double burn_days_of_cover(long long quantity, double rate, long long now, int *known, long long *stockout_at);

#endif
