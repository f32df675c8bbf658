#include "burn.h"

#include <math.h>

#define MS_PER_DAY 86400000.0
#define STOCKOUT_LAST_MS 253402300799999LL /* 9999-12-31T23:59:59.999Z */

struct burn_params burn_default_params(void)
{
	struct burn_params p = {1.0 / 24.0, 0.3, 4.0, 2};
	return p;
}

int burn_sample_of(const struct burn_state *s, long long quantity, long long now, const struct burn_params *p,
		   long long *consumed)
{
	if (s->anchor_at == 0 || now < s->anchor_at)
		return BURN_RESTART;
	if ((double)(now - s->anchor_at) / MS_PER_DAY < p->min_interval_days)
		return BURN_WAIT; /* too close to say anything: the next report will */
	*consumed = s->anchor_quantity + s->inflow - quantity;
	return *consumed >= 0 ? BURN_SAMPLE : BURN_NO_SAMPLE;
}

void burn_observe(struct burn_state *s, long long quantity, long long now, const struct burn_params *p)
{
	long long consumed = 0;
	int what = burn_sample_of(s, quantity, now, p, &consumed);
	if (what == BURN_WAIT)
		return;
	if (what == BURN_RESTART) {
		s->anchor_at = now;
		s->anchor_quantity = quantity;
		s->inflow = 0;
		return;
	}
	double days = (double)(now - s->anchor_at) / MS_PER_DAY;
	if (what == BURN_SAMPLE) {
		double sample = (double)consumed / days;
		if (s->samples > 0 && s->rate > 0 && sample > p->clamp_factor * s->rate)
			sample = p->clamp_factor * s->rate;
		if (s->samples == 0)
			s->rate = sample;
		else {
			/* a gap of n days weighs as n daily updates */
			double w = 1.0 - pow(1.0 - p->daily_weight, days);
			s->rate += w * (sample - s->rate);
		}
		s->samples++;
	}
	s->anchor_at = now;
	s->anchor_quantity = quantity;
	s->inflow = 0;
}

void burn_inflow(struct burn_state *s, long long delta)
{
	if (s->anchor_at)
		s->inflow += delta;
}

double burn_catalogue(double per_worker, double per_patient, double per_bed, long long occupancy, long long staff)
{
	double per_person = per_patient > per_bed ? per_patient : per_bed;
	double r = 0;
	if (per_worker > 0 && staff > 0)
		r += per_worker * (double)staff;
	if (per_person > 0 && occupancy > 0)
		r += per_person * (double)occupancy;
	return r;
}

double burn_rate(const struct burn_state *s, double catalogue, const struct burn_params *p)
{
	if (s->samples >= p->min_samples || (s->samples > 0 && catalogue <= 0))
		return s->rate;
	if (s->samples > 0)
		return (s->rate + catalogue) / 2.0;
	return catalogue > 0 ? catalogue : 0;
}

double burn_days_of_cover(long long quantity, double rate, long long now, int *known, long long *stockout_at)
{
	if (rate <= 0 || !isfinite(rate)) {
		*known = 0;
		*stockout_at = 0;
		return 0;
	}
	double days = (double)quantity / rate;
	*known = 1;
	/* an average decayed by weeks of counts without consumption gives billions of days, past what a
	 * long long of ms holds: the date stops at the last one ISO 8601 writes with four digits */
	double ms = days * MS_PER_DAY;
	*stockout_at = ms < (double)(STOCKOUT_LAST_MS - now) ? now + (long long)ms : STOCKOUT_LAST_MS;
	return days;
}
