/* Unit tests of burn.c: the burn rate a holder's counts make, and the cover it gives. Proves, case by
 * case from a table, the rules of DESIGN-NOTES "Stock, cover and alerts": a count is a sample of
 * consumption since the anchor (receipts and dispatches in between are not consumption); a negative
 * consumption is no sample and leaves the history alone; a sample above 4x the average counts as 4x;
 * a missed day weighs as two daily samples; counts closer than one hour to the anchor wait; until two
 * samples exist the catalogue (rates x occupancy and staff) stands in, averaged with the first sample;
 * and the cover's stock-out date stays a real date however small the rate. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "burn.h"

#define T0 1764146709123LL /* 2025-11-26T08:45:09.123Z */
#define H 3600000LL
#define D 86400000LL
/* 9999-12-31T23:59:59.999Z: the last instant an ISO 8601 date of four digits can say */
#define LAST_DATE_MS 253402300799999LL

/* |got - want| small against both: rates go through pow() and a few multiplications */
static int near(double got, double want)
{
	return fabs(got - want) <= 1e-9 * (1.0 + fabs(want));
}

/* --- observations: a count, a movement ----------------------------------------------------------- */

enum step_kind { STEP_END = 0, STEP_COUNT, STEP_MOVE };

struct step {
	enum step_kind kind;
	long long value; /* quantity counted, or movement (receipt > 0, dispatch < 0) */
	long long at;    /* ms after T0 (a movement's time only orders the table: burn_inflow has none) */
};

#define COUNT(q, t) {STEP_COUNT, (q), (t)}
#define MOVE(d, t) {STEP_MOVE, (d), (t)}
#define NO_ANCHOR (-1LL)

struct burn_case {
	const char *name;
	struct step steps[8];
	double catalogue; /* the catalogue's estimate given to burn_rate */
	/* expected after the steps */
	int samples;
	double rate;      /* the history's average (checked when samples > 0) */
	double used;      /* burn_rate(): what cover is computed with */
	long long anchor_at; /* ms after T0, NO_ANCHOR when none */
	long long anchor_quantity;
	long long inflow;
};

static const struct burn_case burn_cases[] = {
	{"no count: no anchor, no sample, no rate", {{0}}, 0, 0, 0, 0, NO_ANCHOR, 0, 0},
	{"no count: the catalogue alone", {{0}}, 12, 0, 0, 12, NO_ANCHOR, 0, 0},
	{"a movement before any count is not remembered", {MOVE(50, 0)}, 0, 0, 0, 0, NO_ANCHOR, 0, 0},
	{"the first count only sets the anchor", {COUNT(100, 0)}, 0, 0, 0, 0, 0, 100, 0},
	{"a receipt before the first count does not change its anchor", {MOVE(50, 0), COUNT(100, H)}, 0, 0, 0, 0, H, 100, 0},
	{"one day of consumption is one sample", {COUNT(100, 0), COUNT(90, D)}, 0, 1, 10, 10, D, 90, 0},
	{"half a day of consumption is a daily rate of twice as much", {COUNT(100, 0), COUNT(95, D / 2)}, 0, 1, 10, 10, D / 2, 95, 0},
	{"no consumption is a sample of zero", {COUNT(100, 0), COUNT(100, D)}, 0, 1, 0, 0, D, 100, 0},
	{"zero stock counted twice is a sample of zero", {COUNT(0, 0), COUNT(0, D)}, 0, 1, 0, 0, D, 0, 0},
	/* negative consumption: a recount found more, or a receipt nobody recorded */
	{"a recount finding more is no sample, the anchor moves on", {COUNT(100, 0), COUNT(110, D)}, 0, 0, 0, 0, D, 110, 0},
	{"a recount finding a single unit more is no sample", {COUNT(100, 0), COUNT(101, D)}, 0, 0, 0, 0, D, 101, 0},
	{"a recount finding more leaves the catalogue alone", {COUNT(100, 0), COUNT(110, D)}, 20, 0, 0, 20, D, 110, 0},
	{"after a recount finding more, consumption counts from the new anchor",
	 {COUNT(100, 0), COUNT(110, D), COUNT(100, 2 * D)}, 0, 1, 10, 10, 2 * D, 100, 0},
	{"a recount finding more leaves the history alone",
	 {COUNT(100, 0), COUNT(90, D), COUNT(80, 2 * D), COUNT(95, 3 * D)}, 0, 2, 10, 10, 3 * D, 95, 0},
	{"a recount finding more leaves a single sample alone (no fall back to the catalogue)",
	 {COUNT(100, 0), COUNT(90, D), COUNT(95, 2 * D)}, 20, 1, 10, 15, 2 * D, 95, 0},
	{"more found than received is no sample", {COUNT(100, 0), MOVE(50, H), COUNT(160, D)}, 0, 0, 0, 0, D, 160, 0},
	/* the one-hour wait */
	{"a count just under an hour after the anchor waits", {COUNT(100, 0), COUNT(90, H - 1)}, 0, 0, 0, 0, 0, 100, 0},
	{"a count exactly an hour after the anchor is a sample", {COUNT(100, 0), COUNT(99, H)}, 0, 1, 24, 24, H, 99, 0},
	{"a waiting count does not move the anchor", {COUNT(100, 0), COUNT(50, H / 2), COUNT(90, D)}, 0, 1, 10, 10, D, 90, 0},
	{"a waiting recount finding more does not move the anchor either",
	 {COUNT(100, 0), COUNT(500, H / 2), COUNT(90, D)}, 0, 1, 10, 10, D, 90, 0},
	{"movements are kept across a waiting count",
	 {COUNT(100, 0), MOVE(50, H / 6), COUNT(150, H / 2), COUNT(140, D)}, 0, 1, 10, 10, D, 140, 0},
	{"a clock going back restarts the anchor, without a sample", {COUNT(100, D), MOVE(5, D), COUNT(90, 0)}, 0, 0, 0, 0, 0, 90, 0},
	/* receipts and dispatches between counts */
	{"a receipt between counts is not consumption", {COUNT(100, 0), MOVE(50, H), COUNT(140, D)}, 0, 1, 10, 10, D, 140, 0},
	{"a dispatch between counts is not consumption", {COUNT(100, 0), MOVE(-30, H), COUNT(60, D)}, 0, 1, 10, 10, D, 60, 0},
	{"receipts and dispatches add up",
	 {COUNT(100, 0), MOVE(50, H), MOVE(-20, 2 * H), MOVE(5, 3 * H), COUNT(125, D)}, 0, 1, 10, 10, D, 125, 0},
	{"movements wait for the next count", {COUNT(100, 0), MOVE(50, H), MOVE(-20, 2 * H)}, 0, 0, 0, 0, 0, 100, 30},
	{"movements are cleared at each count",
	 {COUNT(100, 0), MOVE(50, H), COUNT(140, D), COUNT(130, 2 * D)}, 0, 2, 10, 10, 2 * D, 130, 0},
	{"movements are cleared by a recount finding more",
	 {COUNT(100, 0), MOVE(50, H), COUNT(200, D), COUNT(190, 2 * D)}, 0, 1, 10, 10, 2 * D, 190, 0},
	/* the moving average: 0.3 per day */
	{"a second daily sample moves the average by 0.3 of the gap",
	 {COUNT(100, 0), COUNT(90, D), COUNT(70, 2 * D)}, 0, 2, 13, 13, 2 * D, 70, 0},
	{"a lower sample pulls the average down by 0.3 of the gap",
	 {COUNT(100, 0), COUNT(90, D), COUNT(85, 2 * D)}, 0, 2, 8.5, 8.5, 2 * D, 85, 0},
	{"a missed day: one sample over two days weighs as two daily samples (1 - 0.7^2)",
	 {COUNT(100, 0), COUNT(90, D), COUNT(30, 3 * D)}, 0, 2, 20.2, 20.2, 3 * D, 30, 0},
	{"the same consumption counted every day gives the same average",
	 {COUNT(100, 0), COUNT(90, D), COUNT(60, 2 * D), COUNT(30, 3 * D)}, 0, 3, 20.2, 20.2, 3 * D, 30, 0},
	{"a week's gap almost replaces the average (1 - 0.7^7)",
	 {COUNT(100, 0), COUNT(90, D), COUNT(55, 8 * D)}, 0, 2, 10 - 5 * (1 - 0.0823543), 10 - 5 * (1 - 0.0823543), 8 * D,
	 55, 0},
	{"half a day weighs less than a day (1 - 0.7^0.5)",
	 {COUNT(100, 0), COUNT(90, D), COUNT(80, D + D / 2)}, 0, 2, 10 + (1 - 0.83666002653407556) * 10,
	 10 + (1 - 0.83666002653407556) * 10, D + D / 2, 80, 0},
	/* the clamp: a sample above 4x the average counts as 4x */
	{"a sample of 5x the average counts as 4x", {COUNT(100, 0), COUNT(90, D), COUNT(40, 2 * D)}, 0, 2, 19, 19, 2 * D, 40, 0},
	{"a sample just above 4x the average counts as 4x", {COUNT(100, 0), COUNT(90, D), COUNT(49, 2 * D)}, 0, 2, 19, 19, 2 * D, 49, 0},
	{"a sample of exactly 4x the average is kept", {COUNT(100, 0), COUNT(90, D), COUNT(50, 2 * D)}, 0, 2, 19, 19, 2 * D, 50, 0},
	{"a sample just below 4x the average is kept", {COUNT(100, 0), COUNT(90, D), COUNT(51, 2 * D)}, 0, 2, 18.7, 18.7, 2 * D, 51, 0},
	{"a sample of 100x counts as 4x", {COUNT(2000, 0), COUNT(1990, D), COUNT(990, 2 * D)}, 0, 2, 19, 19, 2 * D, 990, 0},
	{"the first sample is never clamped", {COUNT(1000, 0), COUNT(0, D)}, 0, 1, 1000, 1000, D, 0, 0},
	{"after an average of zero a high sample is not clamped",
	 {COUNT(100, 0), COUNT(100, D), COUNT(50, 2 * D)}, 0, 2, 15, 15, 2 * D, 50, 0},
	{"the clamp applies to the daily rate, not to the quantity (two days of 4x)",
	 {COUNT(100, 0), COUNT(90, D), COUNT(10, 3 * D)}, 0, 2, 10 + 0.51 * 30, 10 + 0.51 * 30, 3 * D, 10, 0},
	/* the catalogue stands in until two samples exist */
	{"one sample: averaged with the catalogue", {COUNT(100, 0), COUNT(90, D)}, 20, 1, 10, 15, D, 90, 0},
	{"one sample of zero: averaged with the catalogue", {COUNT(100, 0), COUNT(100, D)}, 20, 1, 0, 10, D, 100, 0},
	{"one count: the catalogue alone", {COUNT(100, 0)}, 20, 0, 0, 20, 0, 100, 0},
	{"two samples: the catalogue is left aside", {COUNT(100, 0), COUNT(90, D), COUNT(80, 2 * D)}, 20, 2, 10, 10, 2 * D, 80, 0},
	{"two samples of zero: zero, whatever the catalogue",
	 {COUNT(100, 0), COUNT(100, D), COUNT(100, 2 * D)}, 20, 2, 0, 0, 2 * D, 100, 0},
	{"one sample and no catalogue: the sample", {COUNT(100, 0), COUNT(90, D)}, 0, 1, 10, 10, D, 90, 0},
	{"one sample and an unknown catalogue: the sample", {COUNT(100, 0), COUNT(90, D)}, -1, 1, 10, 10, D, 90, 0},
	/* zero and huge quantities */
	{"a billion units used in a day", {COUNT(1000000000LL, 0), COUNT(0, D)}, 0, 1, 1e9, 1e9, D, 0, 0},
	{"a billion units received and used between counts",
	 {COUNT(0, 0), MOVE(1000000000LL, H), COUNT(0, D)}, 0, 1, 1e9, 1e9, D, 0, 0},
	{"10^15 units over a day", {COUNT(1000000000000000LL, 0), COUNT(0, D)}, 0, 1, 1e15, 1e15, D, 0, 0},
	{"one unit over a year", {COUNT(1, 0), COUNT(0, 365 * D)}, 0, 1, 1.0 / 365, 1.0 / 365, 365 * D, 0, 0},
};

static void run_steps(struct burn_state *s, const struct step *steps, const struct burn_params *p)
{
	for (const struct step *st = steps; st->kind != STEP_END; st++) {
		if (st->kind == STEP_COUNT)
			burn_observe(s, st->value, T0 + st->at, p);
		else
			burn_inflow(s, st->value);
	}
}

static void test_burn_cases(void **state)
{
	(void)state;
	const struct burn_params p = burn_default_params();
	for (size_t i = 0; i < sizeof burn_cases / sizeof burn_cases[0]; i++) {
		const struct burn_case *c = &burn_cases[i];
		struct burn_state s;
		memset(&s, 0, sizeof s);
		run_steps(&s, c->steps, &p);
		long long anchor = c->anchor_at == NO_ANCHOR ? 0 : T0 + c->anchor_at;
		double used = burn_rate(&s, c->catalogue, &p);
		if (s.samples != c->samples || (c->samples > 0 && !near(s.rate, c->rate)) || !near(used, c->used) ||
		    s.anchor_at != anchor || s.anchor_quantity != c->anchor_quantity || s.inflow != c->inflow)
			fail_msg("%s: samples %d rate %.12g used %.12g anchor %lld/%lld inflow %lld; expected samples %d "
				 "rate %.12g used %.12g anchor %lld/%lld inflow %lld",
				 c->name, s.samples, s.rate, used, s.anchor_at, s.anchor_quantity, s.inflow, c->samples,
				 c->rate, c->used, anchor, c->anchor_quantity, c->inflow);
	}
}

/* The defaults are the documented ones: the cases above are written for them. */
static void test_default_params(void **state)
{
	(void)state;
	struct burn_params p = burn_default_params();
	assert_true(p.min_interval_days == 1.0 / 24.0);
	assert_true(p.daily_weight == 0.3);
	assert_true(p.clamp_factor == 4.0);
	assert_int_equal(p.min_samples, 2);
}

/* Weeks of counts without consumption: the average decays, never below zero, never a sample count
 * that stops growing. */
static void test_decay_without_consumption(void **state)
{
	(void)state;
	const struct burn_params p = burn_default_params();
	struct burn_state s;
	memset(&s, 0, sizeof s);
	burn_observe(&s, 1010, T0, &p);
	burn_observe(&s, 1000, T0 + D, &p);
	double before = s.rate;
	for (int day = 2; day < 400; day++) {
		burn_observe(&s, 1000, T0 + day * D, &p);
		assert_true(s.rate >= 0 && s.rate <= before);
		assert_int_equal(s.samples, day);
		before = s.rate;
	}
}

/* --- the catalogue --------------------------------------------------------------------------------- */

struct catalogue_case {
	const char *name;
	double per_worker, per_patient, per_bed;
	long long occupancy, staff;
	double want;
};

static const struct catalogue_case catalogue_cases[] = {
	{"nothing known", -1, -1, -1, 10, 10, 0},
	{"per worker x staff", 2, -1, -1, 0, 10, 20},
	{"per worker, nobody on staff", 2, -1, -1, 5, 0, 0},
	{"staff, but no rate per worker", -1, 3, -1, 0, 10, 0},
	{"per patient x occupancy", -1, 3, -1, 5, 0, 15},
	{"per bed x occupancy", -1, -1, 4, 5, 0, 20},
	{"per patient and per bed: the larger (bed)", -1, 3, 4, 5, 0, 20},
	{"per patient and per bed: the larger (patient)", -1, 4, 3, 5, 0, 20},
	{"workers and patients add up", 2, 3, -1, 5, 10, 35},
	{"nobody there", 2, 3, 4, 0, 0, 0},
	{"rates of zero", 0, 0, 0, 5, 10, 0},
	{"negative occupancy and staff count as nobody", 2, 3, -1, -5, -10, 0},
	{"a thousand per worker, a million workers", 1000, -1, -1, 0, 1000000, 1e9},
	{"fractions", 0.25, 0.5, -1, 3, 2, 2},
};

static void test_catalogue_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof catalogue_cases / sizeof catalogue_cases[0]; i++) {
		const struct catalogue_case *c = &catalogue_cases[i];
		double got = burn_catalogue(c->per_worker, c->per_patient, c->per_bed, c->occupancy, c->staff);
		if (!near(got, c->want))
			fail_msg("%s: %.12g, expected %.12g", c->name, got, c->want);
	}
}

/* --- the rate used, from a state ------------------------------------------------------------------- */

struct rate_case {
	const char *name;
	int samples;
	double rate, catalogue, want;
};

static const struct rate_case rate_cases[] = {
	{"nothing known: 0", 0, 0, 0, 0},
	{"an unknown catalogue (negative) is nothing", 0, 0, -1, 0},
	{"no history: the catalogue", 0, 0, 12, 12},
	{"one sample and a catalogue: their average", 1, 10, 20, 15},
	{"one sample of zero and a catalogue: half the catalogue", 1, 0, 20, 10},
	{"one sample, no catalogue: the sample", 1, 10, 0, 10},
	{"one sample, an unknown catalogue: the sample", 1, 10, -1, 10},
	{"two samples: history alone", 2, 10, 20, 10},
	{"two samples of zero: zero", 2, 0, 20, 0},
	{"many samples: history alone", 50, 3, 100, 3},
};

static void test_rate_cases(void **state)
{
	(void)state;
	const struct burn_params p = burn_default_params();
	for (size_t i = 0; i < sizeof rate_cases / sizeof rate_cases[0]; i++) {
		const struct rate_case *c = &rate_cases[i];
		struct burn_state s;
		memset(&s, 0, sizeof s);
		s.samples = c->samples;
		s.rate = c->rate;
		double got = burn_rate(&s, c->catalogue, &p);
		if (!near(got, c->want))
			fail_msg("%s: %.12g, expected %.12g", c->name, got, c->want);
	}
}

/* --- cover ----------------------------------------------------------------------------------------- */

struct cover_case {
	const char *name;
	long long quantity;
	double rate;
	int known;
	double days;
	long long stockout_at; /* absolute ms; 0 when unknown */
};

static const struct cover_case cover_cases[] = {
	{"100 at 10 a day: 10 days", 100, 10, 1, 10, T0 + 10 * D},
	{"3 at 2 a day: a day and a half", 3, 2, 1, 1.5, T0 + D + D / 2},
	{"nothing left: 0 days, stock-out now", 0, 10, 1, 0, T0},
	{"a rate of 0: unknown", 100, 0, 0, 0, 0},
	{"a negative rate: unknown", 100, -1, 0, 0, 0},
	{"a rate that is not a number: unknown", 100, NAN, 0, 0, 0},
	{"an infinite rate: unknown", 100, INFINITY, 0, 0, 0},
	{"a billion at a billion a day: one day", 1000000000LL, 1e9, 1, 1, T0 + D},
	{"a billion at one a day: a billion days, past year 9999", 1000000000LL, 1, 1, 1e9, LAST_DATE_MS},
	{"a billion at a thousandth a day: the date stops at the end of 9999", 1000000000LL, 1e-3, 1, 1e12, LAST_DATE_MS},
	{"a thousand at 1e-14 a day (a long-decayed average): same", 1000, 1e-14, 1, 1e17, LAST_DATE_MS},
	{"a rate so small the cover is infinite: same", 1000000000LL, 4.9e-324, 1, INFINITY, LAST_DATE_MS},
	{"2 912 000 at one a day: in year 9998, still exact", 2912000, 1, 1, 2912000, T0 + 2912000 * D},
};

static void test_cover_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof cover_cases / sizeof cover_cases[0]; i++) {
		const struct cover_case *c = &cover_cases[i];
		int known = -1;
		long long at = -1;
		double days = burn_days_of_cover(c->quantity, c->rate, T0, &known, &at);
		int days_ok = isinf(c->days) ? isinf(days) : near(days, c->days);
		if (known != c->known || !days_ok || at != c->stockout_at)
			fail_msg("%s: known %d, %.12g days, stock-out at %lld; expected %d, %.12g, %lld", c->name, known, days, at,
				 c->known, c->days, c->stockout_at);
	}
}

/* A holder counting the same stock every day for months: its average decays towards zero and the
 * stock-out date must stay after now and a real date (it once wrapped to the year -292 million). */
static void test_cover_after_months_without_consumption(void **state)
{
	(void)state;
	const struct burn_params p = burn_default_params();
	struct burn_state s;
	memset(&s, 0, sizeof s);
	burn_observe(&s, 1010, T0, &p);
	for (int day = 1; day <= 365; day++) {
		long long now = T0 + day * D;
		burn_observe(&s, 1000, now, &p);
		int known;
		long long at;
		double days = burn_days_of_cover(1000, burn_rate(&s, 0, &p), now, &known, &at);
		if (known && (at < now || at > LAST_DATE_MS))
			fail_msg("day %d: %.6g days of cover, stock-out at %lld, before now (%lld) or after 9999", day, days, at,
				 now);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_params),
		cmocka_unit_test(test_burn_cases),
		cmocka_unit_test(test_decay_without_consumption),
		cmocka_unit_test(test_catalogue_cases),
		cmocka_unit_test(test_rate_cases),
		cmocka_unit_test(test_cover_cases),
		cmocka_unit_test(test_cover_after_months_without_consumption),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
