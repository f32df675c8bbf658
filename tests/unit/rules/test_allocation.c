/* Unit tests of allocation.c: the split of one item's shared stock, case by case from a table, as
 * DESIGN-NOTES "Shared stock: allocation" states the rules: need = target cover x burn - stock now -
 * incoming (stock now: the level less the use estimated since the count); a request below the need
 * is the demand, one above it is capped and marked; short supply raises the lowest weighted covers
 * first (water-filling, weight x level days); nobody is pushed past the cap while another holder
 * stays below the floor; whole packs (a share under one pack is left out, the packs left over go to
 * the lowest weighted covers); the nearest depot that still has some gives, split over the next
 * when it runs out, the most urgent first; every holder gets its outcome. Then the nearest stock,
 * a structure's surplus and the weights' configuration. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "allocation.h"

#define NOW 1764146709123LL /* 2025-11-26T08:45:09.123Z */
#define DAY 86400000LL

/* places of the region */
#define TOULOUSE 43.6007, 1.43284
#define ALBI 43.92903, 2.1323
#define MONTPELLIER 43.61001, 3.87417

#define MAXH 8
#define MAXD 4
#define MAXL 12

struct want_line {
	long long holder, depot, quantity;
};

struct alloc_case {
	const char *name;
	struct alloc_params p;
	struct alloc_holder h[MAXH];
	struct alloc_depot d[MAXD];
	/* expected, per holder in input order */
	enum alloc_outcome outcome[MAXH];
	long long quantity[MAXH];
	struct want_line lines[MAXL]; /* in order; holder 0 ends */
	double level;                 /* the level reached, -1: not checked */
	int capped;
	int request_above_need[MAXH];
};

/* target 14 days, cap 7 while someone is below 3, packs of 10 */
#define P14 {14, 7, 3, 10}
#define P14_5 {14, 7, 3, 5}
/* a holder: id, place, weight, quantity, counted now, burn, incoming, requested, alert */
#define H(id, w, q, b) {id, TOULOUSE, w, q, NOW, b, 0, 0, LEVEL_NONE}
#define D(id, avail) {id, TOULOUSE, avail}

static const struct alloc_case cases[] = {
	{"supply covers every need: each holder is raised to the target",
	 P14, {H(1, 1, 40, 10), H(2, 1, 20, 5)}, {D(1, 1000)},
	 {ALLOC_NEED_MET, ALLOC_NEED_MET}, {100, 50}, {{1, 1, 100}, {2, 1, 50}}, -1, 0, {0}},
	{"a need is rounded up to a whole pack",
	 P14, {H(1, 1, 45, 10)}, {D(1, 1000)},
	 {ALLOC_NEED_MET}, {100}, {{1, 1, 100}}, -1, 0, {0}},
	{"short supply: the lowest cover is raised first, both end at the same level",
	 P14, {H(1, 1, 10, 10), H(2, 1, 50, 10)}, {D(1, 60)},
	 {ALLOC_LEVEL, ALLOC_LEVEL}, {50, 10}, {{1, 1, 50}, {2, 1, 10}}, 6.0, 0, {0}},
	{"short supply: a holder above the level gets nothing",
	 P14, {H(1, 1, 10, 10), H(2, 1, 90, 10)}, {D(1, 50)},
	 {ALLOC_LEVEL, ALLOC_ABOVE_LEVEL}, {50, 0}, {{1, 1, 50}}, 6.0, 0, {0}},
	{"weight 2 (a nursing home) is raised to twice the level of weight 1; the pack left goes to the lowest",
	 P14, {H(1, 2, 10, 10), H(2, 1, 10, 10)}, {D(1, 60)},
	 {ALLOC_LEVEL, ALLOC_LEVEL}, {40, 20}, {{1, 1, 40}, {2, 1, 20}}, 8.0 / 3, 0, {0}},
	{"anti-hoarding: weight 3 stops at the 7-day cap while the other is below the 3-day floor",
	 P14_5, {H(1, 3, 10, 10), {2, TOULOUSE, 1, 0, NOW, 10, 0, 0, LEVEL_STOCKOUT}}, {D(1, 85)},
	 {ALLOC_CAPPED, ALLOC_LEVEL}, {60, 25}, {{2, 1, 25}, {1, 1, 60}}, 2.5, 1, {0}},
	{"the cap holds while supply raises the others to the floor, even when they then pass it",
	 P14, {H(1, 3, 10, 10), H(2, 1, 0, 10)}, {D(1, 100)},
	 {ALLOC_CAPPED, ALLOC_LEVEL}, {60, 40}, {{2, 1, 40}, {1, 1, 60}}, 4.0, 1, {0}},
	{"once nobody is below the floor, what remains goes past the cap",
	 P14, {H(1, 3, 10, 10), H(2, 1, 0, 10)}, {D(1, 200)},
	 {ALLOC_NEED_MET, ALLOC_LEVEL}, {130, 70}, {{2, 1, 70}, {1, 1, 130}}, 7.0, 0, {0}},
	{"a holder at the cap gets nothing while another stays below the floor",
	 P14_5, {H(1, 4, 75, 10), H(2, 1, 0, 10)}, {D(1, 25)},
	 {ALLOC_OVER_CAP, ALLOC_LEVEL}, {0, 25}, {{2, 1, 25}}, 2.5, 1, {0}},
	{"a request below the need is the demand; one above it is capped by the need and marked",
	 P14, {{1, TOULOUSE, 1, 40, NOW, 10, 0, 30, LEVEL_NONE}, {2, TOULOUSE, 1, 40, NOW, 10, 0, 500, LEVEL_NONE}},
	 {D(1, 1000)}, {ALLOC_REQUEST_MET, ALLOC_NEED_MET}, {30, 100}, {{1, 1, 30}, {2, 1, 100}}, -1, 0, {0, 1}},
	{"a request from a holder with no need is marked, and gets nothing",
	 P14, {{1, TOULOUSE, 1, 200, NOW, 10, 0, 50, LEVEL_NONE}}, {D(1, 1000)},
	 {ALLOC_NO_NEED}, {0}, {{0}}, -1, 0, {1}},
	{"unknown consumption, no need: left out with their reason",
	 P14, {H(1, 1, 40, 0), H(2, 1, 400, 10), H(3, 1, 40, 10)}, {D(1, 1000)},
	 {ALLOC_NO_RATE, ALLOC_NO_NEED, ALLOC_NEED_MET}, {0, 0, 100}, {{3, 1, 100}}, -1, 0, {0}},
	{"a share under one pack is left out; the pack left over goes to the lowest weighted cover, the lower id on a tie",
	 P14, {H(6, 1, 0, 10), H(7, 1, 2, 1)}, {D(1, 30)},
	 {ALLOC_LEVEL, ALLOC_BELOW_PACK}, {30, 0}, {{6, 1, 30}}, -1, 0, {0}},
	{"less than one pack in the depots: no supply",
	 P14, {H(1, 1, 0, 10)}, {D(1, 9)},
	 {ALLOC_NO_SUPPLY}, {0}, {{0}}, -1, 0, {0}},
	{"no depot at all: no supply",
	 P14, {H(1, 1, 0, 10)}, {{0}},
	 {ALLOC_NO_SUPPLY}, {0}, {{0}}, -1, 0, {0}},
	{"stock now is the level less the use since the count",
	 P14, {{1, TOULOUSE, 1, 100, NOW - 2 * DAY, 10, 0, 0, LEVEL_NONE}}, {D(1, 1000)},
	 {ALLOC_NEED_MET}, {60}, {{1, 1, 60}}, -1, 0, {0}},
	{"what is on its way counts as stock",
	 P14, {{1, TOULOUSE, 1, 40, NOW, 10, 50, 0, LEVEL_NONE}}, {D(1, 1000)},
	 {ALLOC_NEED_MET}, {50}, {{1, 1, 50}}, -1, 0, {0}},
	{"a flat sum at the supply: the level is the highest that gives it (weight 2 is full at 7 days, the other starts at 10)",
	 P14, {H(1, 2, 0, 10), H(2, 1, 100, 10)}, {D(1, 140)},
	 {ALLOC_NEED_MET, ALLOC_ABOVE_LEVEL}, {140, 0}, {{1, 1, 140}}, 10.0, 0, {0}},
	{"the nearest depot gives; when it runs out the next nearest gives the rest; the most urgent first",
	 P14,
	 {{2, MONTPELLIER, 1, 40, NOW, 5, 0, 0, LEVEL_NONE}, {1, ALBI, 1, 20, NOW, 10, 0, 0, LEVEL_CRITICAL}},
	 {{1, TOULOUSE, 100}, {2, MONTPELLIER, 50}},
	 {ALLOC_NEED_MET, ALLOC_NEED_MET}, {30, 120}, {{1, 1, 100}, {1, 2, 20}, {2, 2, 30}}, -1, 0, {0}},
	{"the severity of the holder's shortage alert goes first to the depots",
	 P14,
	 {{1, MONTPELLIER, 1, 10, NOW, 10, 0, 0, LEVEL_NONE}, {2, MONTPELLIER, 1, 50, NOW, 10, 0, 0, LEVEL_CRITICAL}},
	 {{1, MONTPELLIER, 50}, {2, TOULOUSE, 1000}},
	 {ALLOC_NEED_MET, ALLOC_NEED_MET}, {130, 90}, {{2, 1, 50}, {2, 2, 40}, {1, 2, 130}}, -1, 0, {0}},
};

static void check_case(const struct alloc_case *c)
{
	size_t nh = 0, nd = 0;
	while (nh < MAXH && c->h[nh].id)
		nh++;
	while (nd < MAXD && c->d[nd].id)
		nd++;
	struct alloc_holder_out out[MAXH];
	struct alloc_line lines[MAXH + MAXD];
	struct alloc_summary sum;
	assert_int_equal(alloc_split(&c->p, NOW, c->h, nh, c->d, nd, out, lines, &sum), 0);
	long long given = 0;
	for (size_t i = 0; i < nh; i++) {
		if (out[i].outcome != c->outcome[i] || out[i].quantity != c->quantity[i] ||
		    out[i].request_above_need != c->request_above_need[i])
			fail_msg("%s: holder %lld: %s %lld (above need %d), expected %s %lld (%d)", c->name, c->h[i].id,
				 alloc_outcome_name(out[i].outcome), out[i].quantity, out[i].request_above_need,
				 alloc_outcome_name(c->outcome[i]), c->quantity[i], c->request_above_need[i]);
		given += out[i].quantity;
	}
	size_t nw = 0;
	while (nw < MAXL && c->lines[nw].holder)
		nw++;
	if (sum.nlines != nw)
		fail_msg("%s: %zu lines, expected %zu", c->name, sum.nlines, nw);
	long long in_lines = 0;
	for (size_t k = 0; k < nw; k++) {
		long long hid = c->h[lines[k].holder].id, did = c->d[lines[k].depot].id;
		if (hid != c->lines[k].holder || did != c->lines[k].depot || lines[k].quantity != c->lines[k].quantity)
			fail_msg("%s: line %zu: holder %lld from depot %lld: %lld, expected %lld from %lld: %lld", c->name, k, hid,
				 did, lines[k].quantity, c->lines[k].holder, c->lines[k].depot, c->lines[k].quantity);
		in_lines += lines[k].quantity;
		if (lines[k].quantity % c->p.pack)
			fail_msg("%s: line %zu is not whole packs", c->name, k);
	}
	assert_int_equal(in_lines, given);
	assert_int_equal(sum.given, given);
	assert_true(sum.given <= sum.supply);
	if (c->level >= 0 && fabs(sum.level - c->level) > 1e-6)
		fail_msg("%s: level %.9f, expected %.9f", c->name, sum.level, c->level);
	if (sum.capped != c->capped)
		fail_msg("%s: capped %d, expected %d", c->name, sum.capped, c->capped);
}

static void test_cases(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
		check_case(&cases[k]);
}

/* The explanation's figures of a line: stock now, cover before and after, need, demand. */
static void test_figures(void **state)
{
	(void)state;
	struct alloc_params p = P14;
	struct alloc_holder h[] = {{1, ALBI, 2, 100, NOW - DAY, 10, 20, 0, LEVEL_WARNING}};
	struct alloc_depot d[] = {{1, TOULOUSE, 1000}};
	struct alloc_holder_out out[1];
	struct alloc_line lines[2];
	struct alloc_summary sum;
	assert_int_equal(alloc_split(&p, NOW, h, 1, d, 1, out, lines, &sum), 0);
	assert_true(fabs(out[0].stock_now - 90) < 1e-9);
	assert_true(out[0].cover_known);
	assert_true(fabs(out[0].cover_before - 11) < 1e-9); /* (90 + 20) / 10 */
	assert_int_equal(out[0].need, 30);
	assert_int_equal(out[0].demand, 30);
	assert_int_equal(out[0].quantity, 30);
	assert_true(fabs(out[0].cover_after - 14) < 1e-9);
	assert_int_equal(sum.supply, 1000);
	assert_int_equal(sum.demand, 30);
	assert_false(sum.short_supply);
	assert_int_equal(lines[0].holder, 0);
	/* Albi to Toulouse: about 67 km as the crow flies */
	assert_true(lines[0].distance_km > 64 && lines[0].distance_km < 70);
}

/* The same inputs, in another order, give the same quantities. */
static void test_order_does_not_matter(void **state)
{
	(void)state;
	struct alloc_params p = P14;
	struct alloc_holder h[6], r[6];
	for (int i = 0; i < 6; i++)
		h[i] = (struct alloc_holder){i + 1, ALBI, 1 + i % 2, 10 * (i % 3), NOW, 10, 0, 0, LEVEL_NONE};
	for (int i = 0; i < 6; i++)
		r[i] = h[5 - i];
	struct alloc_depot d[] = {{1, TOULOUSE, 170}};
	struct alloc_holder_out a[6], b[6];
	struct alloc_line la[8], lb[8];
	struct alloc_summary sa, sb;
	assert_int_equal(alloc_split(&p, NOW, h, 6, d, 1, a, la, &sa), 0);
	assert_int_equal(alloc_split(&p, NOW, r, 6, d, 1, b, lb, &sb), 0);
	for (int i = 0; i < 6; i++) {
		assert_int_equal(a[i].quantity, b[5 - i].quantity);
		assert_int_equal(a[i].outcome, b[5 - i].outcome);
	}
	assert_int_equal(sa.given, 170);
}

/* Whatever the inputs, nothing is given beyond supply, a depot's own stock, or the cap while a holder
 * stays below the floor; lines are whole packs. Random cases with a fixed seed. */
static unsigned long long rnd_state = 88172645463325252ULL;
static unsigned long long rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static void test_invariants(void **state)
{
	(void)state;
	enum { NH = 40, ND = 5 };
	for (int round = 0; round < 2000; round++) {
		struct alloc_params p = {5 + (double)(rnd() % 20), 0, 0, 1 + (long long)(rnd() % 12)};
		p.cap_days = 2 + (double)(rnd() % 20);
		p.floor_days = (double)(rnd() % 4);
		if (p.cap_days > p.target_days)
			p.cap_days = p.target_days;
		struct alloc_holder h[NH];
		struct alloc_depot d[ND];
		size_t nh = 1 + rnd() % NH, nd = rnd() % (ND + 1);
		for (size_t i = 0; i < nh; i++)
			h[i] = (struct alloc_holder){(long long)i + 1, 43 + (double)(rnd() % 100) / 100, 1 + (double)(rnd() % 300) / 100,
						     1 + (double)(rnd() % 300) / 100, (long long)(rnd() % 500), NOW - (long long)(rnd() % (3 * DAY)),
						     rnd() % 5 ? (double)(rnd() % 4000) / 100 : 0, (long long)(rnd() % 50),
						     rnd() % 3 ? 0 : (long long)(rnd() % 400), (enum shortage_level)(rnd() % 4)};
		long long avail[ND];
		for (size_t j = 0; j < nd; j++) {
			d[j] = (struct alloc_depot){(long long)j + 1, 43 + (double)(rnd() % 100) / 100, 1 + (double)(rnd() % 300) / 100,
						    (long long)(rnd() % 3000)};
			avail[j] = d[j].available;
		}
		struct alloc_holder_out out[NH];
		struct alloc_line lines[NH + ND];
		struct alloc_summary sum;
		assert_int_equal(alloc_split(&p, NOW, h, nh, d, nd, out, lines, &sum), 0);
		long long per_holder[NH] = {0}, given = 0;
		for (size_t k = 0; k < sum.nlines; k++) {
			assert_true(lines[k].quantity > 0 && lines[k].quantity % p.pack == 0);
			avail[lines[k].depot] -= lines[k].quantity;
			assert_true(avail[lines[k].depot] >= 0);
			per_holder[lines[k].holder] += lines[k].quantity;
			given += lines[k].quantity;
		}
		assert_true(given <= sum.supply);
		int below = 0;
		for (size_t i = 0; i < nh; i++) {
			assert_int_equal(per_holder[i], out[i].quantity);
			assert_int_equal(alloc_outcome_is_line(out[i].outcome), out[i].quantity > 0);
			/* never more than the demand rounded up to one pack */
			assert_true(out[i].quantity < out[i].demand + p.pack);
			if (out[i].cover_known && out[i].cover_after < p.floor_days - 1e-9)
				below = 1;
			/* water-filling: a holder left above the level is at least at weight x level days */
			if (out[i].outcome == ALLOC_ABOVE_LEVEL)
				assert_true(out[i].cover_before >= h[i].weight * sum.level - 1e-6);
		}
		/* anti-hoarding: while a holder stays below the floor, nobody was pushed past the cap */
		for (size_t i = 0; below && i < nh; i++)
			if (out[i].quantity > 0)
				assert_true(out[i].cover_after <= p.cap_days + 1e-6);
		/* no whole pack stays in the depots that a holder could take: one more would pass its demand
		 * rounded up to a pack, or the cap */
		if (given + p.pack <= sum.supply)
			for (size_t i = 0; i < nh; i++)
				if (out[i].cover_known && out[i].demand > 0)
					if (!(out[i].quantity + p.pack > (out[i].demand + p.pack - 1) / p.pack * p.pack ||
					      out[i].cover_after + (double)p.pack / h[i].burn_per_day > p.cap_days + 1e-9))
						fail_msg("round %d: holder %zu (%s) has %lld of %lld (cover %.3f, burn %.3f), %lld of %lld "
							 "given, pack %lld, cap %.0f floor %.0f target %.0f",
							 round, i, alloc_outcome_name(out[i].outcome), out[i].quantity, out[i].demand,
							 out[i].cover_after, h[i].burn_per_day, given, sum.supply, p.pack, p.cap_days,
							 p.floor_days, p.target_days);
	}
}

static void test_nearest(void **state)
{
	(void)state;
	struct nearest_candidate c[] = {
		{1, 10, 0, MONTPELLIER, 500, 0}, /* about 170 km from Albi */
		{0, 3, 1, TOULOUSE, 200, 0},     /* about 67 km */
		{0, 4, 2, ALBI, 0, 0},           /* nothing to give */
		{0, 2, 3, TOULOUSE, 50, 0},      /* the same place: kind, then id */
		{1, 11, 4, ALBI, 10, 0},
	};
	size_t n = alloc_nearest(ALBI, 0, c, 5);
	assert_int_equal(n, 4);
	assert_int_equal(c[0].id, 11);
	assert_int_equal(c[0].ref, 4);
	assert_true(c[0].distance_km < 1e-6);
	assert_int_equal(c[1].id, 2);
	assert_int_equal(c[2].id, 3);
	assert_int_equal(c[3].id, 10);
	n = alloc_nearest(ALBI, 100, c, n);
	assert_int_equal(n, 3); /* Montpellier is beyond 100 km */
}

static void test_surplus(void **state)
{
	(void)state;
	/* 1000 counted a day ago at 20 a day: 980 now; keeping 21 days (420), 560 can go */
	assert_int_equal(alloc_surplus(1000, NOW - DAY, 20, 21, NOW), 560);
	assert_int_equal(alloc_surplus(100, NOW, 20, 21, NOW), 0);
	assert_int_equal(alloc_surplus(1000, NOW, 0, 21, NOW), 0); /* use unknown: nothing to say */
	assert_true(fabs(alloc_stock_now(100, NOW - 10 * DAY, 20, NOW)) < 1e-12); /* not below 0 */
	assert_true(fabs(alloc_stock_now(100, 0, 20, NOW) - 100) < 1e-12);      /* never counted */
	/* whole units: 20 a day for a second is no unit used yet, for 1.5 hours 1.25 is one */
	assert_true(fabs(alloc_stock_now(100, NOW - 1000, 20, NOW) - 100) < 1e-12);
	assert_true(fabs(alloc_stock_now(100, NOW - DAY / 16, 20, NOW) - 99) < 1e-12);
}

static void test_weights(void **state)
{
	(void)state;
	static const char *const cats[] = {"ehpad", "hospital", NULL};
	struct alloc_weights w;
	char err[128];
	assert_null(alloc_weights_parse("ehpad=2 hospital=1.5 *=0.5", cats, 0.01, 100, 0, &w, err, sizeof err));
	assert_true(alloc_weight(&w, "ehpad") == 2);
	assert_true(alloc_weight(&w, "hospital") == 1.5);
	assert_true(alloc_weight(&w, "shelter") == 0.5);
	assert_null(alloc_weights_parse("", cats, 0.01, 100, 0, &w, err, sizeof err));
	assert_true(alloc_weight(&w, "ehpad") == 1);
	static const struct {
		const char *text, *rule;
	} bad[] = {
		{"ehpad", "must look like key=weight"},        {"ehpad=", "must look like key=weight"},
		{"=2", "must look like key=weight"},           {"ehpad=0", "needs a weight in range"},
		{"ehpad=101", "needs a weight in range"}, {"ehpad=2x", "needs a weight in range"},
		{"zoo=2", "names no known key"},               {"ehpad=2 ehpad=3", "gives a key twice"},
	};
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		const char *rule = alloc_weights_parse(bad[k].text, cats, 0.01, 100, 0, &w, err, sizeof err);
		if (!rule || strcmp(rule, bad[k].rule))
			fail_msg("%s: %s, expected %s", bad[k].text, rule ? rule : "accepted", bad[k].rule);
	}
	assert_non_null(strstr(err, "ehpad=3"));
	/* packs: whole numbers, any key */
	assert_null(alloc_weights_parse("gloves=50 *=1", NULL, 1, 1000000, 1, &w, err, sizeof err));
	assert_true(alloc_weight(&w, "gloves") == 50);
	assert_string_equal(alloc_weights_parse("gloves=2.5", NULL, 1, 1000000, 1, &w, err, sizeof err),
			    "needs a whole number in range");
}

/* The configuration's defaults make a valid configuration; the floor may not pass the cap. */
static void test_config(void **state)
{
	(void)state;
	struct allocation_config c;
	char err[256];
	assert_null(allocation_config_init(&c, 14, 10, 3, 21, "ehpad=2 long_term_care=2 hospital=1.5 *=1", "*=1",
					   "gloves-examination=50 *=1", err, sizeof err));
	struct alloc_params p = allocation_params(&c, "gloves-examination");
	assert_int_equal(p.pack, 50);
	assert_true(p.target_days == 14 && p.cap_days == 10 && p.floor_days == 3);
	assert_int_equal(allocation_params(&c, "respirator").pack, 1);
	assert_true(allocation_weight(&c, "ehpad", "public") == 2);
	assert_true(allocation_weight(&c, "shelter", "public") == 1);
	assert_null(allocation_config_init(&c, 14, 10, 3, 21, "*=1", "public=1.2 association=1.2", "*=1", err, sizeof err));
	assert_true(fabs(allocation_weight(&c, "hospital", "association") - 1.2) < 1e-12);
	assert_true(allocation_weight(&c, "hospital", "private_for_profit") == 1);
	assert_non_null(allocation_config_init(&c, 14, 2, 3, 21, "*=1", "*=1", "*=1", err, sizeof err));
	assert_non_null(strstr(err, "allocation_floor_days"));
	assert_non_null(allocation_config_init(&c, 14, 10, 3, 21, "nursery=2", "*=1", "*=1", err, sizeof err));
	assert_non_null(strstr(err, "allocation_weights"));
	assert_non_null(allocation_config_init(&c, 14, 10, 3, 21, "*=1", "charity=2", "*=1", err, sizeof err));
	assert_non_null(strstr(err, "allocation_legal_weights"));
	assert_non_null(allocation_config_init(&c, 14, 10, 3, 21, "*=1", "*=1", "gloves=0", err, sizeof err));
	assert_non_null(strstr(err, "allocation_packs"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),	    cmocka_unit_test(test_figures), cmocka_unit_test(test_order_does_not_matter),
		cmocka_unit_test(test_invariants), cmocka_unit_test(test_nearest), cmocka_unit_test(test_surplus),
		cmocka_unit_test(test_weights), cmocka_unit_test(test_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
