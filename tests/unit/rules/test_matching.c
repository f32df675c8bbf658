/* Unit tests of matching.c: every rule on its edge (a credential expiring one minute into the shift,
 * the radius to the metre, an assignment overlapping by one minute, the rest period, windows across
 * midnight and across the change to summer time of 29 March 2026), the first failing rule as the
 * reason, and the ranking (distance band, least recently called, least deployed, id), its sort against
 * qsort's, a large ranking against each volunteer judged alone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "geo.h"
#include "matching.h"
#include "paris_time.h"

#define MIN 60000LL
#define HOUR 3600000LL

/* Albi's centre (commune 81004) */
#define ALBI_LAT 43.92903
#define ALBI_LNG 2.1323

enum { NURSE = 0, CARE_ASSISTANT = 1, DOCTOR = 2 };
enum { DIPLOMA = 0, RPPS = 1, FIRST_AID = 4 };

static long long local(const char *s)
{
	long long ms = 0;
	if (paris_parse_local(s, &ms))
		fail_msg("bad local time %s", s);
	return ms;
}

/* The latitude due north of Albi at exactly km kilometres (to well under a metre). */
static double north_of_albi(double km)
{
	return ALBI_LAT + km / 6371.0 * 180.0 / M_PI;
}

struct fixture {
	struct match_window shifts[2];
	struct match_request rq;
	struct match_credential creds[2];
	struct match_window unavailable[2], only[3], assigned[2];
	struct match_volunteer v;
};

/* A night nurse shift in Albi, 30 March 2026 07:00-19:00, and Marie, a nurse 10 km north of it
 * with a valid diploma: eligible. Each test changes one thing. */
static void setup(struct fixture *f)
{
	memset(f, 0, sizeof *f);
	f->shifts[0] = (struct match_window){local("2026-03-30T07:00"), local("2026-03-30T19:00"), 0};
	f->rq.professions = 1ull << NURSE;
	f->rq.credentials = 1ull << DIPLOMA;
	f->rq.skills = "";
	f->rq.languages = "";
	f->rq.shifts = f->shifts;
	f->rq.nshifts = 1;
	f->rq.lat = ALBI_LAT;
	f->rq.lng = ALBI_LNG;
	f->rq.rest_ms = 11 * HOUR;
	f->rq.band_km = 5;
	f->creds[0] = (struct match_credential){DIPLOMA, MATCH_FOREVER};
	f->v.id = 7;
	f->v.status = MATCH_ACTIVE;
	f->v.profession = NURSE;
	f->v.lat = north_of_albi(10);
	f->v.lng = ALBI_LNG;
	f->v.has_place = 1;
	f->v.radius_km = 30;
	f->v.skills = "geriatrics triage";
	f->v.languages = "fr oc";
	f->v.creds = f->creds;
	f->v.ncreds = 1;
	f->v.unavailable = f->unavailable;
	f->v.available_only = f->only;
	f->v.assigned = f->assigned;
}

static int judge(struct fixture *f, struct match_result *r)
{
	return match_judge(&f->rq, &f->v, local("2026-03-29T20:00"), r);
}

static void expect(struct fixture *f, int rule, const char *what)
{
	struct match_result r;
	int got = judge(f, &r);
	if (got != rule)
		fail_msg("%s: rule %s, expected %s", what, match_rule_name(got), match_rule_name(rule));
}

static void test_eligible(void **state)
{
	(void)state;
	struct fixture f;
	setup(&f);
	struct match_result r;
	assert_int_equal(judge(&f, &r), RULE_NONE);
	assert_int_equal(r.distance_m, 10000);
	assert_false(r.widened);
}

static void test_credential_edges(void **state)
{
	(void)state;
	struct fixture f;
	setup(&f);
	long long end = f.shifts[0].end, start = f.shifts[0].start;
	/* valid until the very end of the shift: in */
	f.creds[0].valid_until = end;
	expect(&f, RULE_NONE, "diploma valid until the shift's end");
	/* expiring one minute into the shift: out */
	f.creds[0].valid_until = start + MIN;
	struct match_result r;
	assert_int_equal(judge(&f, &r), RULE_CREDENTIAL);
	assert_int_equal(r.detail_kind, DIPLOMA);
	assert_true(r.detail_at == start + MIN);
	/* one minute before the end, the same */
	f.creds[0].valid_until = end - MIN;
	expect(&f, RULE_CREDENTIAL, "diploma expiring a minute before the end");
	/* an expiry date: valid through that day, Paris time. The shift ends on the 30th at 19:00 */
	int y, m, d;
	paris_parse_date("2026-03-30", &y, &m, &d);
	f.creds[0].valid_until = paris_midnight(y, m, d + 1);
	expect(&f, RULE_NONE, "diploma expiring on the day of the shift (end of day)");
	f.creds[0].valid_until = paris_midnight(y, m, d);
	expect(&f, RULE_CREDENTIAL, "diploma that expired the day before");
	/* missing altogether: valid_until 0; another kind does not stand in */
	f.creds[0] = (struct match_credential){FIRST_AID, MATCH_FOREVER};
	assert_int_equal(judge(&f, &r), RULE_CREDENTIAL);
	assert_true(r.detail_at == 0);
	/* the best of two of the same kind counts */
	f.creds[0] = (struct match_credential){DIPLOMA, start};
	f.creds[1] = (struct match_credential){DIPLOMA, MATCH_FOREVER};
	f.v.ncreds = 2;
	expect(&f, RULE_NONE, "a renewed diploma beside the expired one");
	/* two kinds required */
	f.rq.credentials |= 1ull << RPPS;
	expect(&f, RULE_CREDENTIAL, "rpps required too");
	f.rq.credentials = 0;
	f.v.ncreds = 0;
	expect(&f, RULE_NONE, "no credential required");
}

static void test_radius_edges(void **state)
{
	(void)state;
	struct fixture f;
	setup(&f);
	struct match_result r;
	f.v.lat = north_of_albi(30.0);
	assert_int_equal(judge(&f, &r), RULE_NONE);
	assert_int_equal(r.distance_m, 30000);
	f.v.lat = north_of_albi(30.001);
	assert_int_equal(judge(&f, &r), RULE_DISTANCE);
	assert_int_equal(r.distance_m, 30001);
	/* a later wave's widening takes them in, and says so */
	f.rq.extra_radius_km = 5;
	assert_int_equal(judge(&f, &r), RULE_NONE);
	assert_true(r.widened);
	f.v.radius_km = 0;
	f.rq.extra_radius_km = 0;
	f.v.lat = ALBI_LAT;
	expect(&f, RULE_NONE, "radius 0 and living in the structure's commune");
	f.v.has_place = 0;
	expect(&f, RULE_DISTANCE, "no home commune");
}

static void test_assignment_edges(void **state)
{
	(void)state;
	struct fixture f;
	setup(&f);
	f.rq.rest_ms = 0;
	long long start = f.shifts[0].start, end = f.shifts[0].end;
	f.v.nassigned = 1;
	/* the night before, ending one minute into this shift */
	f.assigned[0] = (struct match_window){start - 12 * HOUR, start + MIN, 41};
	struct match_result r;
	assert_int_equal(judge(&f, &r), RULE_ASSIGNED);
	assert_true(r.detail_ref == 41);
	/* ending exactly when this one starts: no overlap */
	f.assigned[0].end = start;
	expect(&f, RULE_NONE, "back to back, no rest required");
	/* the evening after, starting one minute before this one ends */
	f.assigned[0] = (struct match_window){end - MIN, end + 11 * HOUR, 42};
	expect(&f, RULE_ASSIGNED, "starting a minute before the end");
	f.assigned[0].start = end;
	expect(&f, RULE_NONE, "starting at the end");
}

static void test_rest_edges(void **state)
{
	(void)state;
	struct fixture f;
	setup(&f);
	long long start = f.shifts[0].start, end = f.shifts[0].end;
	f.v.nassigned = 1;
	/* 11 hours of rest exactly since the last assignment: rested */
	f.assigned[0] = (struct match_window){start - 23 * HOUR, start - 11 * HOUR, 40};
	expect(&f, RULE_NONE, "exactly the rest");
	f.assigned[0].end = start - 11 * HOUR + MIN;
	struct match_result r;
	assert_int_equal(judge(&f, &r), RULE_REST);
	assert_true(r.detail_end == start - 11 * HOUR + MIN);
	/* an assignment planned after this shift needs the rest too */
	f.assigned[0] = (struct match_window){end + 11 * HOUR, end + 23 * HOUR, 43};
	expect(&f, RULE_NONE, "exactly the rest before the next one");
	f.assigned[0].start = end + 11 * HOUR - MIN;
	expect(&f, RULE_REST, "next one a minute too early");
	/* an overlap is said as such, not as missing rest */
	f.assigned[0].start = end - HOUR;
	expect(&f, RULE_ASSIGNED, "overlap before rest");
}

static void test_availability_windows(void **state)
{
	(void)state;
	struct fixture f;
	setup(&f);
	/* the night of the change to summer time: 28 March 21:00 to 29 March 07:00 (9 hours) */
	f.shifts[0] = (struct match_window){local("2026-03-28T21:00"), local("2026-03-29T07:00"), 0};
	assert_true(f.shifts[0].end - f.shifts[0].start == 9 * HOUR);
	f.rq.rest_ms = 0;
	/* available only from 20:00 to 08:00 across midnight and the change: covered */
	f.only[0] = (struct match_window){local("2026-03-28T20:00"), local("2026-03-29T08:00"), 0};
	f.v.navailable_only = 1;
	expect(&f, RULE_NONE, "available-only window across midnight and the change");
	/* ending at 06:59: the shift's last minute is uncovered */
	f.only[0].end = local("2026-03-29T06:59");
	struct match_result r;
	assert_int_equal(judge(&f, &r), RULE_AVAILABILITY);
	assert_int_equal(r.detail_kind, UNAVAILABLE_OUTSIDE_ONLY);
	assert_true(r.detail_at == local("2026-03-29T06:59"));
	/* two windows that meet at midnight cover the night together; one with a gap does not */
	f.only[0] = (struct match_window){local("2026-03-28T18:00"), local("2026-03-29T00:00"), 0};
	f.only[1] = (struct match_window){local("2026-03-29T00:00"), local("2026-03-29T12:00"), 0};
	f.v.navailable_only = 2;
	expect(&f, RULE_NONE, "two windows meeting at midnight");
	f.only[1].start = local("2026-03-29T00:01");
	expect(&f, RULE_AVAILABILITY, "a minute's gap at midnight");
	/* "available only on 29 March": from its midnight to the next, a day of 23 hours */
	f.only[0] = (struct match_window){paris_midnight(2026, 3, 29), paris_midnight(2026, 3, 30), 0};
	f.v.navailable_only = 1;
	expect(&f, RULE_AVAILABILITY, "only on the 29th, the shift starts on the 28th");
	f.shifts[0] = (struct match_window){local("2026-03-29T00:00"), local("2026-03-29T23:59"), 0};
	expect(&f, RULE_NONE, "only on the 29th, a shift within it");
	f.v.navailable_only = 0;
	/* unavailable windows: overlap by one minute excludes, touching does not */
	f.shifts[0] = (struct match_window){local("2026-03-28T21:00"), local("2026-03-29T07:00"), 0};
	f.unavailable[0] = (struct match_window){local("2026-03-29T06:59"), local("2026-04-02T00:00"), 0};
	f.v.nunavailable = 1;
	assert_int_equal(judge(&f, &r), RULE_AVAILABILITY);
	assert_int_equal(r.detail_kind, UNAVAILABLE_WINDOW);
	f.unavailable[0].start = local("2026-03-29T07:00");
	expect(&f, RULE_NONE, "unavailable from the shift's end on");
	/* unavailable until further notice since now */
	f.v.unavailable_open = 1;
	f.v.unavailable_since = local("2026-03-28T12:00");
	assert_int_equal(judge(&f, &r), RULE_AVAILABILITY);
	assert_int_equal(r.detail_kind, UNAVAILABLE_OPEN);
}

static void test_first_rule_is_the_reason(void **state)
{
	(void)state;
	struct fixture f;
	setup(&f);
	/* a suspended care assistant without a diploma, far away: suspended comes first */
	f.v.status = MATCH_SUSPENDED;
	f.v.profession = CARE_ASSISTANT;
	f.v.ncreds = 0;
	f.v.lat = north_of_albi(100);
	expect(&f, RULE_STATUS, "status first");
	f.v.status = MATCH_ACTIVE;
	expect(&f, RULE_PROFESSION, "then profession");
	f.v.profession = NURSE;
	expect(&f, RULE_CREDENTIAL, "then credential");
	f.v.ncreds = 1;
	expect(&f, RULE_DISTANCE, "then distance");
	f.v.lat = north_of_albi(5);
	f.rq.skills = "geriatrics dialysis";
	struct match_result r;
	assert_int_equal(judge(&f, &r), RULE_SKILLS);
	assert_int_equal(r.detail_kind, 1); /* dialysis */
	f.rq.skills = "triage";
	f.rq.languages = "fr en";
	assert_int_equal(judge(&f, &r), RULE_LANGUAGES);
	assert_int_equal(r.detail_kind, 1);
	f.rq.languages = "oc";
	expect(&f, RULE_NONE, "all in");
	f.v.already_called = 1;
	expect(&f, RULE_CALLED, "called already");
	/* several professions asked for */
	f.v.already_called = 0;
	f.v.profession = DOCTOR;
	f.rq.professions = (1ull << NURSE) | (1ull << DOCTOR);
	expect(&f, RULE_NONE, "doctor or nurse");
	f.v.profession = -1;
	expect(&f, RULE_PROFESSION, "unknown profession");
}

static void test_ranking(void **state)
{
	(void)state;
	struct fixture f;
	setup(&f);
	struct match_volunteer v[7];
	for (int i = 0; i < 7; i++)
		v[i] = f.v;
	/* ids deliberately out of order */
	v[0].id = 50; v[0].lat = north_of_albi(12);                            /* band 2 */
	v[1].id = 40; v[1].lat = north_of_albi(3); v[1].last_called_at = 5000; /* band 0, called recently */
	v[2].id = 30; v[2].lat = north_of_albi(4); v[2].last_called_at = 1000; /* band 0, called long ago */
	v[3].id = 20; v[3].lat = north_of_albi(1); v[3].last_called_at = 1000; v[3].deployments = 3;
	v[4].id = 10; v[4].lat = north_of_albi(2); v[4].last_called_at = 1000; v[4].deployments = 3;
	v[5].id = 60; v[5].profession = DOCTOR;                                /* excluded */
	v[6].id = 5; v[6].lat = north_of_albi(200);                            /* excluded */
	struct match_result out[7];
	size_t n = match_rank(&f.rq, v, 7, 0, out);
	assert_int_equal(n, 5);
	long long want[] = {30, 10, 20, 40, 50};
	for (size_t i = 0; i < n; i++) {
		if (out[i].volunteer_id != want[i])
			fail_msg("rank %zu: volunteer %lld, expected %lld", i + 1, out[i].volunteer_id, want[i]);
		assert_int_equal(out[i].rank, (int)i + 1);
	}
	/* the excluded follow in input order, with their reason */
	assert_true(out[5].volunteer_id == 60 && out[5].rule == RULE_PROFESSION && out[5].rank == 0);
	assert_true(out[6].volunteer_id == 5 && out[6].rule == RULE_DISTANCE);
	assert_int_equal(out[6].index, 6);
	/* the same input ranks the same (deterministic), whatever order it came in */
	struct match_volunteer w[7];
	for (int i = 0; i < 7; i++)
		w[i] = v[6 - i];
	struct match_result out2[7];
	match_rank(&f.rq, w, 7, 0, out2);
	for (size_t i = 0; i < n; i++)
		assert_true(out2[i].volunteer_id == want[i]);
	/* without bands, distance alone decides before fairness */
	f.rq.band_km = 0;
	match_rank(&f.rq, v, 7, 0, out);
	long long exact[] = {20, 10, 40, 30, 50};
	for (size_t i = 0; i < n; i++)
		assert_true(out[i].volunteer_id == exact[i]);
	assert_int_equal(match_rank(&f.rq, v, 0, 0, out), 0);
}

/* The reference order, as the ranking's comment states it. */
static int ref_order(const void *pa, const void *pb)
{
	const struct match_result *a = pa, *b = pb;
	if (a->band != b->band)
		return a->band < b->band ? -1 : 1;
	if (a->last_called_at != b->last_called_at)
		return a->last_called_at < b->last_called_at ? -1 : 1;
	if (a->deployments != b->deployments)
		return a->deployments < b->deployments ? -1 : 1;
	return a->volunteer_id < b->volunteer_id ? -1 : a->volunteer_id > b->volunteer_id;
}

static unsigned long long lcg(unsigned long long *x)
{
	*x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
	return *x >> 33;
}

/* match_sort against qsort with the reference order: random sizes and keys with many ties on the
 * first keys (few bands, few call times), sorted and reverse-sorted inputs, and the heap sort alone
 * (depth 0), the fallback of a quicksort going quadratic. */
static void test_sort(void **state)
{
	(void)state;
	enum { MAX = 3000 };
	static struct match_result a[MAX], b[MAX];
	unsigned long long x = 12;
	for (int round = 0; round < 60; round++) {
		size_t n = round < 20 ? (size_t)round : (size_t)(lcg(&x) % MAX);
		int pattern = round % 4, spread = 1 + (int)(lcg(&x) % 6);
		for (size_t i = 0; i < n; i++) {
			memset(&a[i], 0, sizeof a[i]);
			a[i].volunteer_id = (long long)(lcg(&x) % 1000000) * MAX + (long long)i; /* distinct */
			a[i].band = (int)(lcg(&x) % (unsigned)spread);
			a[i].last_called_at = (long long)(lcg(&x) % 3) * 1000;
			a[i].deployments = (int)(lcg(&x) % 3);
			a[i].index = (unsigned)i;
		}
		if (pattern == 1 || pattern == 2) {
			qsort(a, n, sizeof *a, ref_order);
			if (pattern == 2)
				for (size_t i = 0; i < n / 2; i++) {
					struct match_result t = a[i];
					a[i] = a[n - 1 - i];
					a[n - 1 - i] = t;
				}
		}
		memcpy(b, a, n * sizeof *a);
		qsort(b, n, sizeof *b, ref_order);
		match_sort(a, n, pattern == 3 ? 0 : -1);
		for (size_t i = 0; i < n; i++)
			if (a[i].volunteer_id != b[i].volunteer_id || a[i].index != b[i].index)
				fail_msg("round %d (n %zu, pattern %d): position %zu holds %lld, expected %lld", round, n, pattern, i,
					 a[i].volunteer_id, b[i].volunteer_id);
	}
}

/* A ranking of many volunteers is each one's judgement, the eligible in the reference order, the
 * excluded after them in input order (the memo of latitudes' cosines changes no distance). */
static void test_rank_many(void **state)
{
	(void)state;
	enum { N = 2000 };
	static struct match_volunteer v[N];
	static struct match_result out[N], one;
	static char skills[N][16];
	struct fixture f;
	setup(&f);
	f.rq.skills = "icu";
	unsigned long long x = 81;
	for (int i = 0; i < N; i++) {
		v[i] = f.v;
		v[i].id = 1000 + (long long)(lcg(&x) % 100) * N + i;
		v[i].profession = (short)(lcg(&x) % 3);
		/* a few dozen places, shared by many (as communes are) */
		v[i].lat = ALBI_LAT + (double)(lcg(&x) % 40) * 0.013;
		v[i].lng = ALBI_LNG - (double)(lcg(&x) % 30) * 0.017;
		v[i].radius_km = 10 + (int)(lcg(&x) % 50);
		v[i].last_called_at = (long long)(lcg(&x) % 4) * HOUR;
		v[i].deployments = (int)(lcg(&x) % 4);
		v[i].status = lcg(&x) % 10 ? MATCH_ACTIVE : MATCH_SUSPENDED;
		snprintf(skills[i], sizeof skills[i], "%s", lcg(&x) % 3 ? "icu geriatrics" : "geriatrics");
		v[i].skills = skills[i];
	}
	size_t n = match_rank(&f.rq, v, N, 0, out);
	assert_true(n > 100 && n < N);
	for (size_t i = 0; i < N; i++) {
		const struct match_result *r = &out[i];
		match_judge(&f.rq, &v[r->index], 0, &one);
		if (one.rule != r->rule || one.distance_m != r->distance_m || one.volunteer_id != r->volunteer_id)
			fail_msg("position %zu: volunteer %lld ranked with rule %d at %d m, judged alone %d at %d m", i,
				 r->volunteer_id, r->rule, r->distance_m, one.rule, one.distance_m);
		assert_true((i < n) == (r->rule == RULE_NONE));
		if (i < n) {
			assert_int_equal(r->rank, (int)i + 1);
			if (i > 0)
				assert_true(ref_order(&out[i - 1], r) < 0);
		} else if (i > n)
			assert_true(out[i - 1].index < r->index);
	}
}

static void test_words(void **state)
{
	(void)state;
	assert_true(match_has_word("fr oc en", "oc", 2));
	assert_false(match_has_word("fr occ en", "oc", 2));
	assert_false(match_has_word("", "oc", 2));
	assert_false(match_has_word("fr", "", 0));
	assert_true(match_has_word("  fr   oc ", "oc", 2));
	assert_false(match_has_word(NULL, "oc", 2));
	assert_string_equal(match_rule_name(RULE_REST), "rest");
	assert_string_equal(match_rule_name(RULE_NONE), "eligible");
}

/* The word-list walker that the matching and the protocol layer read lists with: every word once,
 * in order, whatever the spaces; nothing from an empty or absent list. */
static void test_next_word(void **state)
{
	(void)state;
	static const struct {
		const char *list, *words; /* the words expected, joined by '|' */
	} cases[] = {
	    {"fr oc en", "fr|oc|en"}, {"  fr   oc  ", "fr|oc"}, {"diploma", "diploma"}, {"", ""}, {"   ", ""}, {NULL, ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char got[64] = "";
		const char *w;
		size_t n, len = 0;
		for (const char *p = cases[i].list; (w = match_next_word(&p, &n));) {
			assert_true(n > 0 && len + n + 1 < sizeof got);
			len += (size_t)snprintf(got + len, sizeof got - len, "%s%.*s", len ? "|" : "", (int)n, w);
		}
		assert_string_equal(got, cases[i].words);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eligible),		cmocka_unit_test(test_credential_edges),
		cmocka_unit_test(test_radius_edges),		cmocka_unit_test(test_assignment_edges),
		cmocka_unit_test(test_rest_edges),		cmocka_unit_test(test_availability_windows),
		cmocka_unit_test(test_first_rule_is_the_reason), cmocka_unit_test(test_ranking),
		cmocka_unit_test(test_words),			cmocka_unit_test(test_sort),
		cmocka_unit_test(test_rank_many),		cmocka_unit_test(test_next_word),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
