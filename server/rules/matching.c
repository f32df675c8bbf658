#include "matching.h"

#include "geo.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const rule_names[RULE_COUNT] = {
	"eligible", "already_called", "status", "profession", "credential", "availability",
	"assigned", "rest", "distance", "skills", "languages",
};

const char *match_rule_name(int rule)
{
	return rule >= 0 && rule < RULE_COUNT ? rule_names[rule] : "?";
}

int match_has_word(const char *list, const char *word, size_t n)
{
	for (const char *p = list; p && *p;) {
		while (*p == ' ')
			p++;
		const char *end = p;
		while (*end && *end != ' ')
			end++;
		if ((size_t)(end - p) == n && n && memcmp(p, word, n) == 0)
			return 1;
		p = end;
	}
	return 0;
}

static int overlaps(long long a0, long long a1, long long b0, long long b1)
{
	return a0 < b1 && b0 < a1;
}

static int fail(struct match_result *r, int rule)
{
	r->rule = rule;
	return rule;
}

/* The first word of `want` that `have` lacks: its index, or -1 when it has them all. */
static int missing_word(const char *want, const char *have)
{
	int i = 0;
	for (const char *p = want; p && *p; i++) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		const char *end = p;
		while (*end && *end != ' ')
			end++;
		if (!match_has_word(have, p, (size_t)(end - p)))
			return i;
		p = end;
	}
	return -1;
}

/* Every required kind held, valid until the last shift has ended. */
static int credentials_ok(const struct match_request *rq, const struct match_volunteer *v, long long last_end,
			  struct match_result *r)
{
	for (int k = 0; k < 64; k++) {
		if (!(rq->credentials >> k & 1))
			continue;
		long long best = 0;
		for (size_t i = 0; i < v->ncreds; i++)
			if (v->creds[i].kind == k && v->creds[i].valid_until > best)
				best = v->creds[i].valid_until;
		if (best < last_end) {
			r->detail_kind = k;
			r->detail_at = best;
			return 0;
		}
	}
	return 1;
}

/* Whether [s0, s1) lies within the union of the windows (sorted by start); *gap gets the first
 * instant of it that does not. */
static int covered(const struct match_window *w, size_t n, long long s0, long long s1, long long *gap)
{
	long long cursor = s0;
	for (size_t i = 0; i < n && cursor < s1; i++) {
		if (w[i].start > cursor)
			break;
		if (w[i].end > cursor)
			cursor = w[i].end;
	}
	*gap = cursor;
	return cursor >= s1;
}

static int available(const struct match_request *rq, const struct match_volunteer *v, struct match_result *r)
{
	for (size_t s = 0; s < rq->nshifts; s++) {
		const struct match_window *sh = &rq->shifts[s];
		if (v->unavailable_open && sh->end > v->unavailable_since) {
			r->detail_kind = UNAVAILABLE_OPEN;
			r->detail_at = v->unavailable_since;
			return 0;
		}
		for (size_t i = 0; i < v->nunavailable; i++)
			if (overlaps(v->unavailable[i].start, v->unavailable[i].end, sh->start, sh->end)) {
				r->detail_kind = UNAVAILABLE_WINDOW;
				r->detail_at = v->unavailable[i].start;
				r->detail_end = v->unavailable[i].end;
				return 0;
			}
		long long gap;
		if (v->navailable_only && !covered(v->available_only, v->navailable_only, sh->start, sh->end, &gap)) {
			r->detail_kind = UNAVAILABLE_OUTSIDE_ONLY;
			r->detail_at = gap;
			r->detail_end = sh->end;
			return 0;
		}
	}
	return 1;
}

/* The assignment that overlaps a shift (rest_ms 0), or that leaves less than rest_ms between them. */
static const struct match_window *in_the_way(const struct match_request *rq, const struct match_volunteer *v,
					     long long rest_ms)
{
	for (size_t i = 0; i < v->nassigned; i++) {
		const struct match_window *a = &v->assigned[i];
		for (size_t s = 0; s < rq->nshifts; s++) {
			const struct match_window *sh = &rq->shifts[s];
			if (overlaps(a->start - rest_ms, a->end + rest_ms, sh->start, sh->end))
				return a;
		}
	}
	return NULL;
}

int match_judge(const struct match_request *rq, const struct match_volunteer *v, long long now, struct match_result *r)
{
	memset(r, 0, sizeof *r);
	r->volunteer_id = v->id;
	r->distance_m = -1;
	r->last_called_at = v->last_called_at;
	r->deployments = v->deployments;
	(void)now; /* every rule is about the shifts themselves; kept for rules about the present */
	if (v->already_called)
		return fail(r, RULE_CALLED);
	if (v->status != MATCH_ACTIVE) {
		r->detail_kind = v->status;
		return fail(r, RULE_STATUS);
	}
	if (v->profession < 0 || v->profession > 63 || !(rq->professions >> v->profession & 1))
		return fail(r, RULE_PROFESSION);
	long long last_end = 0;
	for (size_t s = 0; s < rq->nshifts; s++)
		if (rq->shifts[s].end > last_end)
			last_end = rq->shifts[s].end;
	if (rq->credentials && !credentials_ok(rq, v, last_end, r))
		return fail(r, RULE_CREDENTIAL);
	if (!available(rq, v, r))
		return fail(r, RULE_AVAILABILITY);
	const struct match_window *a = in_the_way(rq, v, 0);
	int rule = RULE_ASSIGNED;
	if (!a && rq->rest_ms > 0) {
		a = in_the_way(rq, v, rq->rest_ms);
		rule = RULE_REST;
	}
	if (a) {
		r->detail_at = a->start;
		r->detail_end = a->end;
		r->detail_ref = a->ref;
		return fail(r, rule);
	}
	if (!v->has_place)
		return fail(r, RULE_DISTANCE);
	/* whole metres: the radius's edge is exact (a volunteer 30.000 km away with a 30 km radius is in) */
	double km = geo_distance_km(v->lat, v->lng, rq->lat, rq->lng);
	r->distance_m = (int)lround(km * 1000.0);
	long long own = (long long)v->radius_km * 1000, widened = own + (long long)rq->extra_radius_km * 1000;
	if (r->distance_m > widened)
		return fail(r, RULE_DISTANCE);
	r->widened = r->distance_m > own;
	int w;
	if ((w = missing_word(rq->skills, v->skills)) >= 0) {
		r->detail_kind = w;
		return fail(r, RULE_SKILLS);
	}
	if ((w = missing_word(rq->languages, v->languages)) >= 0) {
		r->detail_kind = w;
		return fail(r, RULE_LANGUAGES);
	}
	r->rule = RULE_NONE;
	return RULE_NONE;
}

static int by_rank(const void *pa, const void *pb)
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

size_t match_rank(const struct match_request *rq, const struct match_volunteer *v, size_t n, long long now,
		  struct match_result *out)
{
	size_t front = 0, back = n;
	int band_m = rq->band_km > 0 ? rq->band_km * 1000 : 1;
	for (size_t i = 0; i < n; i++) {
		struct match_result r;
		match_judge(rq, &v[i], now, &r);
		r.index = i;
		if (r.rule == RULE_NONE) {
			r.band = r.distance_m / band_m;
			out[front++] = r;
		} else
			out[--back] = r;
	}
	/* the excluded were written from the end: put them back in input order */
	for (size_t i = back, j = n; i + 1 < j; i++, j--) {
		struct match_result t = out[i];
		out[i] = out[j - 1];
		out[j - 1] = t;
	}
	qsort(out, front, sizeof *out, by_rank);
	for (size_t i = 0; i < front; i++)
		out[i].rank = (int)i + 1;
	return front;
}
