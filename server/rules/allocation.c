#include "allocation.h"

#include "geo.h"
#include "model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS 86400000.0

static const char *const outcome_names[ALLOC_OUTCOMES] = {
	"need_met", "request_met", "level", "capped", "no_rate", "no_need", "above_level", "over_cap", "below_pack",
	"no_supply"};

const char *alloc_outcome_name(enum alloc_outcome o)
{
	return (unsigned)o < ALLOC_OUTCOMES ? outcome_names[o] : "no_need";
}

int alloc_outcome_is_line(enum alloc_outcome o)
{
	return o <= ALLOC_CAPPED;
}

double alloc_stock_now(long long quantity, long long counted_at, double burn_per_day, long long now)
{
	double s = (double)quantity;
	/* whole units used: a proposal made a second after a count gives the same figures as one made
	 * at the count (the explanation's numbers do not move with the milliseconds) */
	if (burn_per_day > 0 && counted_at > 0 && now > counted_at)
		s -= floor(burn_per_day * (double)(now - counted_at) / DAY_MS + 1e-9);
	return s > 0 ? s : 0;
}

long long alloc_need(double target_days, double burn_per_day, double s)
{
	if (!(burn_per_day > 0))
		return 0;
	/* counted up to the unit: a fraction left by floating point below 1e-6 is not one more unit */
	double x = target_days * burn_per_day - s;
	return x > 1e-6 ? (long long)ceil(x - 1e-6) : 0;
}

long long alloc_surplus(long long quantity, long long counted_at, double burn_per_day, double keep_days, long long now)
{
	if (!(burn_per_day > 0))
		return 0;
	double spare = alloc_stock_now(quantity, counted_at, burn_per_day, now) - keep_days * burn_per_day;
	return spare >= 1 ? (long long)floor(spare) : 0;
}

/* --- the split ---------------------------------------------------------------------------------------- */

/* A holder that takes part in the level search (its burn rate is known and it has a demand). */
struct part {
	size_t i;        /* its index in the inputs */
	double b, bw;    /* burn per day; burn x weight: units a level of one more day costs */
	double s;        /* stock now + incoming */
	double demand;   /* the most it gets at all */
	double room;     /* burn x cap - s: what brings it to the cap (< 0: past it) */
	double capped;   /* the most it gets while the cap is on: min(demand, room), >= 0 */
	double first;    /* its share after the first pass (cap on) */
	double share;    /* its final share, in units (real) */
	long long packs;
};

/* Its share at level L: raised to weight x L days of cover, within [0, ceiling], and never less than
 * what the first pass gave it (floor_share) */
static double share_at(const struct part *x, double level, double ceiling, double floor_share)
{
	double a = x->bw * level - x->s;
	if (a > ceiling)
		a = ceiling;
	return a > floor_share ? a : floor_share;
}

/* The shares of all at level L: the first pass (cap on) or the second (past the cap, from the first
 * pass's shares). Non-decreasing in L. */
static double total_at(const struct part *x, size_t n, double level, int second)
{
	double t = 0;
	for (size_t k = 0; k < n; k++)
		t += second ? share_at(&x[k], level, x[k].demand, x[k].first) : share_at(&x[k], level, x[k].capped, 0);
	return t;
}

/* The highest level whose shares add up to at most supply; top: a level where every share is at its
 * ceiling. The sum is piecewise linear in the level: the false position (Illinois' variant, which
 * halves the weight of an end kept twice) lands on the linear piece of the answer in a few rounds
 * where bisection took 34; a bisection round every fourth keeps the bracket shrinking whatever the
 * shape. Stops at 1e-10 of the range (far below a unit once multiplied by any burn rate). No stop on
 * a sum equal to the supply: the sum may stay flat above it (every share at its ceiling), and the
 * highest such level is the answer. */
static double level_for(const struct part *x, size_t n, double supply, int second, double top)
{
	double f_hi = total_at(x, n, top, second) - supply;
	if (f_hi <= 0)
		return top;
	double lo = 0, hi = top, f_lo = total_at(x, n, 0, second) - supply;
	if (f_lo > 0)
		return 0;
	int kept = 0; /* which end the last rounds kept: -1 lo, +1 hi */
	for (int round = 0; round < 200 && hi - lo > 1e-10 * top; round++) {
		double mid = round % 4 == 3 || f_hi <= f_lo ? lo + (hi - lo) / 2 : lo - f_lo * (hi - lo) / (f_hi - f_lo);
		if (!(mid > lo && mid < hi))
			mid = lo + (hi - lo) / 2;
		if (mid <= lo || mid >= hi)
			break;
		double f = total_at(x, n, mid, second) - supply;
		if (f <= 0) {
			lo = mid;
			f_lo = f;
			if (kept == -1)
				f_hi /= 2;
			kept = -1;
		} else {
			hi = mid;
			f_hi = f;
			if (kept == 1)
				f_lo /= 2;
			kept = 1;
		}
	}
	return lo;
}

/* Orders holders for the packs left over and for the depots: a sort key and tie-breakers. */
struct rank {
	double key;   /* ascending: weighted cover */
	int alert;    /* descending: shortage severity */
	long long id; /* ascending */
	size_t part;
};

static int rank_cmp(const void *a, const void *b)
{
	const struct rank *x = a, *y = b;
	if (x->alert != y->alert)
		return x->alert > y->alert ? -1 : 1;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

/* Sorts by urgency (rank_cmp): a bottom-up merge sort with the comparison inlined, through tmp (n
 * ranks); qsort's call through a pointer for each comparison was a third of the allocator's time
 * at 10,000 holders. */
static void sort_by_urgency(struct rank *r, struct rank *tmp, size_t n)
{
	struct rank *from = r, *to = tmp;
	for (size_t width = 1; width < n; width *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * width) {
			size_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
			size_t i = lo, j = mid, k = lo;
			while (i < mid && j < hi)
				to[k++] = rank_cmp(&from[j], &from[i]) < 0 ? from[j++] : from[i++];
			while (i < mid)
				to[k++] = from[i++];
			while (j < hi)
				to[k++] = from[j++];
		}
		struct rank *t = from;
		from = to;
		to = t;
	}
	if (from != r)
		memcpy(r, from, n * sizeof *r);
}

/* Ranks by weighted cover first (the packs left over go to the lowest), severity breaking ties. */
static int rank_cover_cmp(const void *a, const void *b)
{
	const struct rank *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->alert != y->alert)
		return x->alert > y->alert ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

/* Puts the k lowest ranks (by weighted cover, then severity, then id: rank_cover_cmp's order)
 * first, in no particular order: quickselect, a Lomuto partition about the middle element. The order
 * is total (ids differ), so the set is the same whatever the inputs' order. */
static void select_lowest(struct rank *r, size_t n, size_t k)
{
	size_t lo = 0, hi = n; /* the boundary k lies within [lo, hi] */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2, store = lo;
		struct rank t = r[mid];
		r[mid] = r[hi - 1];
		r[hi - 1] = t;
		for (size_t i = lo; i < hi - 1; i++)
			if (rank_cover_cmp(&r[i], &r[hi - 1]) < 0) {
				t = r[i];
				r[i] = r[store];
				r[store++] = t;
			}
		t = r[store];
		r[store] = r[hi - 1];
		r[hi - 1] = t;
		/* [lo, store) below the pivot, the pivot at store, (store, hi) above it */
		if (k == store || k == store + 1)
			return;
		if (k < store)
			hi = store;
		else
			lo = store + 1;
	}
}

/* A point of the sphere as a unit vector: the nearest depot is the one of greatest dot product
 * (the chord is shorter), three products per pair instead of a haversine's trigonometry. */
static void unit_vector(double lat, double lng, double v[3])
{
	double la = lat * M_PI / 180.0, lo = lng * M_PI / 180.0;
	v[0] = cos(la) * cos(lo);
	v[1] = cos(la) * sin(lo);
	v[2] = sin(la);
}


/* The figures of every holder: stock now, cover, need and demand. Returns the number of holders
 * that take part (known rate, some demand), listed in parts. */
static size_t assess(const struct alloc_params *p, long long now, const struct alloc_holder *h, size_t nh,
		     struct alloc_holder_out *out, struct part *parts)
{
	size_t np = 0;
	for (size_t i = 0; i < nh; i++) {
		struct alloc_holder_out *o = &out[i];
		memset(o, 0, sizeof *o);
		double b = h[i].burn_per_day;
		o->stock_now = alloc_stock_now(h[i].quantity, h[i].counted_at, b, now);
		if (!(b > 0)) {
			o->outcome = ALLOC_NO_RATE;
			continue;
		}
		double s = o->stock_now + (double)h[i].incoming;
		o->cover_known = 1;
		o->cover_before = o->cover_after = s / b;
		o->need = alloc_need(p->target_days, b, s);
		o->demand = o->need;
		if (h[i].requested > 0 && h[i].requested < o->need)
			o->demand = h[i].requested;
		o->request_above_need = h[i].requested > o->need;
		if (o->demand == 0) {
			o->outcome = ALLOC_NO_NEED;
			continue;
		}
		double w = h[i].weight > 0 ? h[i].weight : 1;
		struct part *x = &parts[np++];
		memset(x, 0, sizeof *x);
		x->i = i;
		x->b = b;
		x->bw = b * w;
		x->s = s;
		x->demand = (double)o->demand;
		x->room = b * p->cap_days - s;
		x->capped = x->room <= 0 ? 0 : x->room < x->demand ? x->room : x->demand;
	}
	return np;
}

/* Is any holder's cover, with its share, still below the floor? (those without demand are at the
 * target, which is not below it) */
static int someone_below_floor(const struct part *x, size_t n, const struct alloc_params *p)
{
	for (size_t k = 0; k < n; k++)
		if (x[k].s + x[k].first < x[k].b * p->floor_days - 1e-9)
			return 1;
	return 0;
}

/* Whole packs: shares rounded down, then one more pack each to the lowest weighted covers, again
 * while packs are left and someone can take one within its ceiling. */
static void round_to_packs(struct part *x, size_t n, const struct alloc_holder *h, const struct alloc_params *p,
			   long long supply_packs, int cap_on, struct rank *r)
{
	long long left = supply_packs;
	double pack = (double)p->pack;
	for (size_t k = 0; k < n; k++) {
		/* a share a hair under a whole number of packs (floating point) is that number */
		x[k].packs = (long long)floor(x[k].share / pack + 1e-7);
		left -= x[k].packs;
	}
	if (left < 0) {
		/* that hair made a pack more than the supply: taken back from the highest covers */
		for (size_t k = 0; k < n; k++)
			r[k] = (struct rank){-(x[k].s + (double)x[k].packs * pack) / x[k].bw, 0, -h[x[k].i].id, k};
		qsort(r, n, sizeof *r, rank_cover_cmp);
		for (size_t k = 0; k < n && left < 0; k++)
			if (x[r[k].part].packs > 0) {
				x[r[k].part].packs--;
				left++;
			}
	}
	/* each pass, one pack to each of the `left` lowest weighted covers that can take one (a
	 * selection, not a sort: at 10,000 holders the sort was most of the allocator's time) */
	while (left > 0) {
		size_t m = 0;
		for (size_t k = 0; k < n; k++) {
			struct part *y = &x[k];
			double next = (double)(y->packs + 1) * pack;
			/* up to the demand rounded up to a pack, and while the cap is on never past it */
			double ceiling = ceil(y->demand / pack - 1e-9) * pack;
			if (cap_on && y->room < ceiling)
				ceiling = y->room;
			if (next <= ceiling + 1e-9)
				r[m++] = (struct rank){(y->s + (double)y->packs * pack) / y->bw, (int)h[y->i].alert, h[y->i].id, k};
		}
		if (!m)
			break;
		if ((long long)m > left) {
			select_lowest(r, m, (size_t)left);
			m = (size_t)left;
		}
		for (size_t k = 0; k < m; k++)
			x[r[k].part].packs++;
		left -= (long long)m;
	}
}

/* Each holder's packs from the nearest depots that still have some, the most urgent first. */
static size_t assign_depots(const struct part *x, size_t n, const struct alloc_holder *h, const struct alloc_depot *d,
			    size_t nd, const struct alloc_params *p, long long *depot_packs, double *dv, struct rank *r,
			    struct rank *tmp, struct alloc_line *lines)
{
	size_t nr = 0, nl = 0;
	for (size_t k = 0; k < n; k++)
		if (x[k].packs > 0)
			r[nr++] = (struct rank){x[k].s / x[k].bw, (int)h[x[k].i].alert, h[x[k].i].id, k};
	sort_by_urgency(r, tmp, nr);
	for (size_t j = 0; j < nd; j++)
		unit_vector(d[j].lat, d[j].lng, &dv[3 * j]);
	for (size_t k = 0; k < nr; k++) {
		const struct part *y = &x[r[k].part];
		const struct alloc_holder *hh = &h[y->i];
		double hv[3];
		unit_vector(hh->lat, hh->lng, hv);
		long long want = y->packs;
		while (want > 0) {
			size_t best = nd;
			double best_dot = -2;
			for (size_t j = 0; j < nd; j++) {
				if (depot_packs[j] <= 0)
					continue;
				double dot = hv[0] * dv[3 * j] + hv[1] * dv[3 * j + 1] + hv[2] * dv[3 * j + 2];
				if (best == nd || dot > best_dot || (dot == best_dot && d[j].id < d[best].id)) {
					best = j;
					best_dot = dot;
				}
			}
			if (best == nd)
				break; /* cannot happen: packs were counted from the depots' own */
			long long take = want < depot_packs[best] ? want : depot_packs[best];
			depot_packs[best] -= take;
			want -= take;
			lines[nl++] = (struct alloc_line){y->i, best, take * p->pack,
							  geo_distance_km(hh->lat, hh->lng, d[best].lat, d[best].lng)};
		}
	}
	return nl;
}

/* The outcome of a holder that takes part, from its share and its packs; level: the level reached. */
static enum alloc_outcome outcome_of(const struct part *x, const struct alloc_holder_out *o, long long supply_packs,
				     double level, int lifted)
{
	/* what the level alone would give it, without the cap (once the cap is lifted, it holds nobody) */
	double uncapped = x->bw * level - x->s;
	if (uncapped > x->demand)
		uncapped = x->demand;
	int held_by_cap = !lifted && x->capped < x->demand && x->share <= x->capped + 1e-6 && uncapped > x->capped + 1e-6;
	if (x->packs > 0) {
		if ((double)o->quantity >= x->demand - 1e-9)
			return o->demand < o->need ? ALLOC_REQUEST_MET : ALLOC_NEED_MET;
		return held_by_cap ? ALLOC_CAPPED : ALLOC_LEVEL;
	}
	if (supply_packs == 0)
		return ALLOC_NO_SUPPLY;
	if (x->share > 1e-6)
		return ALLOC_BELOW_PACK;
	return held_by_cap ? ALLOC_OVER_CAP : ALLOC_ABOVE_LEVEL;
}

int alloc_split(const struct alloc_params *p, long long now, const struct alloc_holder *h, size_t nh,
		       const struct alloc_depot *d, size_t nd, struct alloc_holder_out *out, struct alloc_line *lines,
		       struct alloc_summary *sum)
{
	memset(sum, 0, sizeof *sum);
	struct part *parts = malloc((nh ? nh : 1) * sizeof *parts);
	struct rank *ranks = malloc((nh ? nh : 1) * 2 * sizeof *ranks); /* and as much for the sort */
	long long *depot_packs = malloc((nd ? nd : 1) * sizeof *depot_packs);
	double *dv = malloc((nd ? nd : 1) * 3 * sizeof *dv);
	if (!parts || !ranks || !depot_packs || !dv) {
		free(parts);
		free(ranks);
		free(depot_packs);
		free(dv);
		return -1;
	}
	long long pack = p->pack > 0 ? p->pack : 1;
	struct alloc_params pp = *p;
	pp.pack = pack;

	long long supply_packs = 0;
	for (size_t j = 0; j < nd; j++) {
		depot_packs[j] = d[j].available > 0 ? d[j].available / pack : 0;
		supply_packs += depot_packs[j];
	}
	double supply = (double)(supply_packs * pack);
	size_t np = assess(&pp, now, h, nh, out, parts);

	/* the level where every share is at its ceiling: nobody gets more above it */
	double top = 0;
	for (size_t k = 0; k < np; k++) {
		double full = (parts[k].s + parts[k].demand) / parts[k].bw;
		if (full > top)
			top = full;
		sum->demand += out[parts[k].i].demand;
	}
	/* first pass: nobody past the cap */
	double level = np ? level_for(parts, np, supply, 0, top) : 0;
	double used = 0;
	for (size_t k = 0; k < np; k++) {
		parts[k].first = share_at(&parts[k], level, parts[k].capped, 0);
		parts[k].share = parts[k].first;
		used += parts[k].first;
	}
	/* second pass, only when nobody is left below the floor: what remains may go past the cap */
	int capped = someone_below_floor(parts, np, &pp), lifted = 0;
	/* (what is left must be more than floating point's dust for a second pass) */
	if (!capped && supply - used > 1e-6 * (supply + 1)) {
		lifted = 1;
		double second = level_for(parts, np, supply, 1, top);
		for (size_t k = 0; k < np; k++)
			parts[k].share = share_at(&parts[k], second, parts[k].demand, parts[k].first);
		level = second;
	}
	round_to_packs(parts, np, h, &pp, supply_packs, capped, ranks);

	for (size_t k = 0; k < np; k++) {
		struct alloc_holder_out *o = &out[parts[k].i];
		o->quantity = parts[k].packs * pack;
		o->cover_after = (parts[k].s + (double)o->quantity) / parts[k].b;
		o->outcome = outcome_of(&parts[k], o, supply_packs, level, lifted);
		sum->given += o->quantity;
		if (o->outcome == ALLOC_CAPPED || o->outcome == ALLOC_OVER_CAP)
			sum->capped = 1;
	}
	sum->nlines = assign_depots(parts, np, h, d, nd, &pp, depot_packs, dv, ranks, ranks + (nh ? nh : 1), lines);
	sum->supply = supply_packs * pack;
	sum->short_supply = sum->supply < sum->demand;
	sum->level = sum->short_supply ? level : 0;
	free(parts);
	free(ranks);
	free(depot_packs);
	free(dv);
	return 0;
}

/* --- the nearest stock ------------------------------------------------------------------------------ */

static int nearest_cmp(const void *a, const void *b)
{
	const struct nearest_candidate *x = a, *y = b;
	if (x->distance_km != y->distance_km)
		return x->distance_km < y->distance_km ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

size_t alloc_nearest(double lat, double lng, double radius_km, struct nearest_candidate *c, size_t n)
{
	size_t kept = 0;
	for (size_t k = 0; k < n; k++) {
		if (c[k].available <= 0)
			continue;
		c[k].distance_km = geo_distance_km(lat, lng, c[k].lat, c[k].lng);
		if (radius_km > 0 && c[k].distance_km > radius_km)
			continue;
		c[kept++] = c[k];
	}
	qsort(c, kept, sizeof *c, nearest_cmp);
	return kept;
}

/* --- weights ----------------------------------------------------------------------------------------- */

static int known_key(const char *key, const char *const *known)
{
	if (!known || strcmp(key, "*") == 0)
		return 1;
	for (const char *const *k = known; *k; k++)
		if (strcmp(*k, key) == 0)
			return 1;
	return 0;
}

const char *alloc_weights_parse(const char *text, const char *const *known, double min, double max, int whole,
				struct alloc_weights *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	const char *p = text;
	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		const char *end = p;
		while (*end && *end != ' ' && *end != '\t')
			end++;
		int len = (int)(end - p);
		const char *eq = memchr(p, '=', (size_t)len);
		const char *rule = NULL;
		char key[65], num[32];
		if (!eq || eq == p || (size_t)(eq - p) >= sizeof key || (size_t)(end - eq - 1) >= sizeof num || end == eq + 1)
			rule = "must look like key=weight";
		else {
			memcpy(key, p, (size_t)(eq - p));
			key[eq - p] = '\0';
			memcpy(num, eq + 1, (size_t)(end - eq - 1));
			num[end - eq - 1] = '\0';
			char *e;
			double w = strtod(num, &e);
			if (*e || !(w >= min) || w > max || (whole && w != floor(w)))
				rule = whole ? "needs a whole number in range" : "needs a weight in range";
			else if (!known_key(key, known))
				rule = "names no known key";
			else if (out->n == ALLOC_WEIGHTS_MAX)
				rule = "is one weight too many";
			else {
				for (size_t k = 0; k < out->n && !rule; k++)
					if (strcmp(out->w[k].key, key) == 0)
						rule = "gives a key twice";
				if (!rule) {
					snprintf(out->w[out->n].key, sizeof out->w[out->n].key, "%s", key);
					out->w[out->n].weight = w;
					out->n++;
				}
			}
		}
		if (rule) {
			snprintf(err, errlen, "\"%.*s\" %s", len, p, rule);
			return rule;
		}
		p = end;
	}
	return NULL;
}

double alloc_weight(const struct alloc_weights *w, const char *key)
{
	double any = 1;
	for (size_t k = 0; k < w->n; k++) {
		if (key && strcmp(w->w[k].key, key) == 0)
			return w->w[k].weight;
		if (strcmp(w->w[k].key, "*") == 0)
			any = w->w[k].weight;
	}
	return any;
}

/* --- the configuration ------------------------------------------------------------------------------- */

const char *allocation_config_init(struct allocation_config *c, long long target_days, long long cap_days,
				   long long floor_days, long long surplus_days, const char *weights,
				   const char *legal_weights, const char *packs, char *err, size_t errlen)
{
	memset(c, 0, sizeof *c);
	c->target_days = (double)target_days;
	c->cap_days = (double)cap_days;
	c->floor_days = (double)floor_days;
	c->surplus_days = (double)surplus_days;
	if (floor_days > cap_days || floor_days > target_days) {
		snprintf(err, errlen, "allocation_floor_days: %lld is above allocation_cap_days or allocation_target_days", floor_days);
		return "must not be above the cap nor the target";
	}
	const struct field *cat = entity_field(&entity_structure, "category", NULL);
	const struct field *legal = entity_field(&entity_structure, "legal_form", NULL);
	char why[160];
	const char *rule = alloc_weights_parse(weights, cat->values, 0.01, 100, 0, &c->categories, why, sizeof why);
	if (rule) {
		snprintf(err, errlen, "allocation_weights: %s (categories of structures, weights from 0.01 to 100)", why);
		return rule;
	}
	if ((rule = alloc_weights_parse(legal_weights, legal->values, 0.01, 100, 0, &c->legal_forms, why, sizeof why))) {
		snprintf(err, errlen, "allocation_legal_weights: %s (legal forms of structures, weights from 0.01 to 100)", why);
		return rule;
	}
	if ((rule = alloc_weights_parse(packs, NULL, 1, 1000000, 1, &c->packs, why, sizeof why))) {
		snprintf(err, errlen, "allocation_packs: %s (item codes, whole numbers of units from 1 to 1000000)", why);
		return rule;
	}
	return NULL;
}

struct alloc_params allocation_params(const struct allocation_config *c, const char *item_code)
{
	struct alloc_params p = {c->target_days, c->cap_days, c->floor_days, (long long)alloc_weight(&c->packs, item_code)};
	return p;
}

double allocation_weight(const struct allocation_config *c, const char *category, const char *legal_form)
{
	return alloc_weight(&c->categories, category) * alloc_weight(&c->legal_forms, legal_form);
}
