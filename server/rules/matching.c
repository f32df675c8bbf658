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

static inline const char *next_word(const char **p, size_t *n)
{
	const char *s = *p;
	if (!s)
		return NULL;
	while (*s == ' ')
		s++;
	const char *end = s;
	while (*end && *end != ' ')
		end++;
	*p = end;
	*n = (size_t)(end - s);
	return *n ? s : NULL;
}

const char *match_next_word(const char **p, size_t *n)
{
	return next_word(p, n);
}

int match_has_word(const char *list, const char *word, size_t n)
{
	const char *w;
	size_t len;
	for (const char *p = list; n && (w = next_word(&p, &len));)
		if (len == n && memcmp(w, word, n) == 0)
			return 1;
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
	const char *w;
	size_t len;
	int i = 0;
	for (const char *p = want; (w = next_word(&p, &len)); i++)
		if (!match_has_word(have, w, len))
			return i;
	return -1;
}

/* Every required kind held, valid until the last shift has ended. */
static int credentials_ok(const struct match_request *rq, const struct match_volunteer *v, long long last_end,
			  struct match_result *r)
{
	for (unsigned long long want = rq->credentials; want; want &= want - 1) {
		int k = __builtin_ctzll(want);
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

/* The distances from the request's place to the volunteers' home communes, remembered for one
 * ranking (many volunteers share a commune): a slot per place's hash, the coordinates' bits as its
 * key. The same computation either way: the same metres. */
#define PLACE_SLOTS 2048
struct place_memo {
	struct {
		unsigned long long lat, lng; /* the bits of the coordinates */
		int distance_m;
	} slot[PLACE_SLOTS];
};

/* What a ranking computes once for all the volunteers it judges. */
struct judging {
	long long last_end;      /* the end of the last shift */
	double cos_rq;           /* the cosine of the request's latitude */
	struct place_memo *memo; /* the distances found so far (NULL: computed each time) */
};

static void judging_init(struct judging *j, const struct match_request *rq, struct place_memo *memo)
{
	j->last_end = 0;
	for (size_t s = 0; s < rq->nshifts; s++)
		if (rq->shifts[s].end > j->last_end)
			j->last_end = rq->shifts[s].end;
	j->cos_rq = geo_cos_lat(rq->lat);
	j->memo = memo;
}

/* Whole metres: the radius's edge is exact (a volunteer 30.000 km away with a 30 km radius is in). */
static int distance_m(const struct match_request *rq, const struct match_volunteer *v, const struct judging *j)
{
	unsigned long long lat, lng;
	memcpy(&lat, &v->lat, sizeof lat);
	memcpy(&lng, &v->lng, sizeof lng);
	size_t i = (size_t)(((lat ^ lng * 0xff51afd7ed558ccdULL) * 0x9e3779b97f4a7c15ULL) >> 53); /* 11 bits */
	if (j->memo && j->memo->slot[i].lat == lat && j->memo->slot[i].lng == lng)
		return j->memo->slot[i].distance_m;
	double km = geo_distance_km_cos(v->lat, v->lng, geo_cos_lat(v->lat), rq->lat, rq->lng, j->cos_rq);
	int d = (int)lround(km * 1000.0);
	if (j->memo) {
		j->memo->slot[i].lat = lat;
		j->memo->slot[i].lng = lng;
		j->memo->slot[i].distance_m = d;
	}
	return d;
}

/* The rules after the profession (most volunteers never get there: kept out of line). */
static int judge_further(const struct match_request *rq, const struct match_volunteer *v, struct match_result *r,
			 const struct judging *j)
{
	if (rq->credentials && !credentials_ok(rq, v, j->last_end, r))
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
	r->distance_m = distance_m(rq, v, j);
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

static inline int judge(const struct match_request *rq, const struct match_volunteer *v, struct match_result *r,
			const struct judging *j)
{
	memset(r, 0, sizeof *r);
	r->volunteer_id = v->id;
	r->distance_m = -1;
	r->last_called_at = v->last_called_at;
	r->deployments = v->deployments;
	if (v->already_called)
		return fail(r, RULE_CALLED);
	if (v->status != MATCH_ACTIVE) {
		r->detail_kind = v->status;
		return fail(r, RULE_STATUS);
	}
	if (v->profession < 0 || v->profession > 63 || !(rq->professions >> v->profession & 1))
		return fail(r, RULE_PROFESSION);
	return judge_further(rq, v, r, j);
}

int match_judge(const struct match_request *rq, const struct match_volunteer *v, long long now, struct match_result *r)
{
	(void)now; /* every rule is about the shifts themselves; kept for rules about the present */
	struct judging j;
	judging_init(&j, rq, NULL);
	return judge(rq, v, r, &j);
}

/* The ranking's order: distance band, then the least recently called, the least deployed, the id. */
static inline int before(const struct match_result *a, const struct match_result *b)
{
	if (a->band != b->band)
		return a->band < b->band;
	if (a->last_called_at != b->last_called_at)
		return a->last_called_at < b->last_called_at;
	if (a->deployments != b->deployments)
		return a->deployments < b->deployments;
	return a->volunteer_id < b->volunteer_id;
}

static inline void swap(struct match_result *a, struct match_result *b)
{
	struct match_result t = *a;
	*a = *b;
	*b = t;
}

/* Heap sort: the fallback when quicksort's partitions keep coming out lopsided. */
static void sift(struct match_result *r, size_t root, size_t n)
{
	for (size_t child; (child = 2 * root + 1) < n; root = child) {
		if (child + 1 < n && before(&r[child], &r[child + 1]))
			child++;
		if (!before(&r[root], &r[child]))
			return;
		swap(&r[root], &r[child]);
	}
}

static void heap_sort(struct match_result *r, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		sift(r, i, n);
	for (size_t end = n; end-- > 1;) {
		swap(&r[0], &r[end]);
		sift(r, 0, end);
	}
}

/* The eligible in rank order: an introsort with the order inlined (qsort's callback per comparison
 * was a sixth of the ranking). The order is total (ids differ): the result does not depend on the
 * sort's stability. */
static void rank_sort(struct match_result *r, size_t n, int depth)
{
	while (n > 16) {
		if (depth-- == 0) {
			heap_sort(r, n);
			return;
		}
		/* median of three to r[0], then Hoare's partition around it */
		size_t mid = n / 2;
		if (before(&r[mid], &r[0]))
			swap(&r[mid], &r[0]);
		if (before(&r[n - 1], &r[0]))
			swap(&r[n - 1], &r[0]);
		if (before(&r[n - 1], &r[mid]))
			swap(&r[n - 1], &r[mid]);
		swap(&r[0], &r[mid]); /* the median is the pivot, at r[0] */
		size_t i = 0, j = n;
		for (;;) {
			while (before(&r[++i], &r[0]) && i < n - 1)
				;
			while (before(&r[0], &r[--j]))
				;
			if (i >= j)
				break;
			swap(&r[i], &r[j]);
		}
		swap(&r[0], &r[j]);
		/* recurse into the smaller side, loop on the larger */
		if (j < n - j - 1) {
			rank_sort(r, j, depth);
			r += j + 1;
			n -= j + 1;
		} else {
			rank_sort(r + j + 1, n - j - 1, depth);
			n = j;
		}
	}
	for (size_t i = 1; i < n; i++) /* insertion sort of the small rest */
		for (size_t k = i; k > 0 && before(&r[k], &r[k - 1]); k--)
			swap(&r[k], &r[k - 1]);
}

void match_sort(struct match_result *r, size_t n, int depth_limit)
{
	if (depth_limit < 0) { /* 2 log2(n): beyond, quicksort is going quadratic */
		depth_limit = 0;
		for (size_t k = n; k > 1; k >>= 1)
			depth_limit += 2;
	}
	rank_sort(r, n, depth_limit);
}

size_t match_rank(const struct match_request *rq, const struct match_volunteer *v, size_t n, long long now,
		  struct match_result *out)
{
	size_t front = 0, back = n;
	int band_m = rq->band_km > 0 ? rq->band_km * 1000 : 1;
	struct place_memo memo;
	memset(&memo, 0xff, sizeof memo); /* no coordinate has these bits (a NaN) */
	struct judging j;
	judging_init(&j, rq, &memo);
	(void)now;
	/* from the last volunteer to the first, each judged in the slot before the excluded so far: an
	 * excluded one stays there (the excluded end up in input order, never copied), an eligible one
	 * moves to the front (front <= i < back: that slot is free) */
	for (size_t i = n; i-- > 0;) {
		if (i >= 8)
			__builtin_prefetch(&v[i - 8]);
		struct match_result *r = &out[back - 1];
		judge(rq, &v[i], r, &j);
		r->index = (unsigned int)i;
		if (r->rule == RULE_NONE) {
			r->band = r->distance_m / band_m;
			if (r != &out[front])
				out[front] = *r;
			front++;
		} else
			back--;
	}
	match_sort(out, front, -1);
	for (size_t i = 0; i < front; i++)
		out[i].rank = (int)i + 1;
	return front;
}
