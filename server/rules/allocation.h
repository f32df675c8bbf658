/* allocation: a fair split of one item's shared stock among the holders of a territory, and the
 * ranking of the nearest stock. Pure functions of their inputs and `now`: no SQL, no I/O.
 *
 * The split (alloc_split), in words:
 *   - a holder's stock now is its level less what it used since its count (burn rate x time, in
 *     whole units);
 *     with what is already on its way (approved or dispatched to it), that is its cover;
 *   - its need is what brings it to the target cover: target x burn - stock - incoming; its demand
 *     is that need, or its open request when it asked for less (a request above the need is
 *     capped by it and marked);
 *   - supply is what the depots can give: their stock less their reserve and less what approved
 *     lines already take, in whole packs (a box: the minimum useful quantity);
 *   - when supply is short, the lowest covers are raised first, weighted by vulnerability
 *     (water-filling: every holder served is raised to weight x the same level, in days), first
 *     with nobody pushed past the cap while anybody stays below the floor (anti-hoarding); only when
 *     nobody is left below the floor does what remains go past the cap;
 *   - quantities are whole packs: each holder gets its share rounded down, then the packs left go
 *     one each to the lowest weighted covers; a share under one pack is left out;
 *   - each holder's quantity comes from the nearest depot that still has it (the most urgent
 *     first: shortage severity, then weighted cover), split over the next nearest when needed.
 * Every holder gets an outcome: why its line has this quantity, or why it has none. Ties are broken
 * by id: the same inputs give the same lines. */
#ifndef RENFORT_ALLOCATION_H
#define RENFORT_ALLOCATION_H

#include <stddef.h>

#include "alert_rules.h"

struct alloc_params {
	double target_days; /* need = target x burn - stock - incoming */
	double cap_days;    /* anti-hoarding: nobody pushed past this cover ... */
	double floor_days;  /* ... while another holder is below this one */
	long long pack;     /* the minimum useful quantity; lines are whole packs (>= 1) */
};

/* A holder of the territory that has this item (a structure). */
struct alloc_holder {
	long long id;
	double lat, lng;
	double weight;         /* vulnerability x legal form (> 0; 1 is neutral) */
	long long quantity;    /* its level */
	long long counted_at;  /* its last count (ms), 0: never counted */
	double burn_per_day;   /* 0: unknown */
	long long incoming;    /* approved or dispatched to it, not received yet */
	long long requested;   /* its open requests for the item, 0: none */
	enum shortage_level alert; /* its open shortage alert, LEVEL_NONE when none */
};

/* Why a holder got what it got. The first four are lines, the others holders left out. */
enum alloc_outcome {
	ALLOC_NEED_MET,    /* its whole need: raised to the target cover */
	ALLOC_REQUEST_MET, /* what it asked for, which is less than its need */
	ALLOC_LEVEL,       /* supply short: raised to the common level (weight x level days) */
	ALLOC_CAPPED,      /* stopped at the cap while another holder stays below the floor */
	ALLOC_NO_RATE,     /* its consumption is unknown: no need can be computed */
	ALLOC_NO_NEED,     /* its cover, with what is on its way, is at the target already */
	ALLOC_ABOVE_LEVEL, /* supply short: its cover is above the level the others reach */
	ALLOC_OVER_CAP,    /* at or past the cap while another holder stays below the floor */
	ALLOC_BELOW_PACK,  /* its share is less than one pack */
	ALLOC_NO_SUPPLY,   /* the depots have nothing to give (after their reserves) */
};
#define ALLOC_OUTCOMES 10

/* "need_met", "request_met", "level", "capped", "no_rate", "no_need", "above_level", "over_cap",
 * "below_pack", "no_supply". */
const char *alloc_outcome_name(enum alloc_outcome o);
int alloc_outcome_is_line(enum alloc_outcome o);

struct alloc_holder_out {
	enum alloc_outcome outcome;
	double stock_now;      /* its level less the use estimated since its count */
	int cover_known;       /* burn rate known */
	double cover_before;   /* days: (stock now + incoming) / burn */
	double cover_after;    /* days, with this proposal's quantity */
	long long need;        /* units to the target cover (0: none) */
	long long demand;      /* the need, or its request when smaller */
	int request_above_need;
	long long quantity;    /* given, over all its lines */
};

/* A depot that holds the item. */
struct alloc_depot {
	long long id;
	double lat, lng;
	long long available;   /* stock less reserve less what approved lines already take */
};

/* From depot to holder (indexes into the inputs). */
struct alloc_line {
	size_t holder, depot;
	long long quantity;
	double distance_km;
};

struct alloc_summary {
	long long supply;    /* what the depots can give, in whole packs (units) */
	long long demand;    /* the holders' demands */
	long long given;
	int short_supply;    /* supply below demand */
	int capped;          /* the cap held a holder back (a holder stays below the floor) */
	double level;        /* the weighted level reached (days) when supply was short, else 0 */
	size_t nlines;
};

/* Splits the depots' supply of one item among the holders. out gets one entry per holder; lines
 * needs room for nh + nd lines (each holder has one line, plus one for each depot it empties).
 * 0, or -1 when memory runs out. */
int alloc_split(const struct alloc_params *p, long long now, const struct alloc_holder *h, size_t nh,
		       const struct alloc_depot *d, size_t nd, struct alloc_holder_out *out, struct alloc_line *lines,
		       struct alloc_summary *sum);

/* The stock a holder has now: quantity less the whole units burn x time since its count used (not
 * below 0). */
double alloc_stock_now(long long quantity, long long counted_at, double burn_per_day, long long now);

/* The need, in whole units, of a holder whose stock now plus incoming is s: target x burn - s, 0
 * when none or when the burn rate is unknown. */
long long alloc_need(double target_days, double burn_per_day, double s);

/* What a structure can spare: its stock now less `keep_days` of its own use; 0 when its use is
 * unknown (nobody can say what it can spare). */
long long alloc_surplus(long long quantity, long long counted_at, double burn_per_day, double keep_days, long long now);

/* --- the nearest stock ------------------------------------------------------------------------------ */

struct nearest_candidate {
	int kind;            /* the caller's (structure, depot) */
	long long id;
	size_t ref;          /* the caller's, carried along */
	double lat, lng;
	long long available; /* what it can give */
	double distance_km;  /* set by alloc_nearest */
};

/* Keeps the candidates with something available within radius_km (<= 0: any distance) of (lat, lng),
 * nearest first (then kind, then id), in place; returns how many were kept. */
size_t alloc_nearest(double lat, double lng, double radius_km, struct nearest_candidate *c, size_t n);

/* --- weights ----------------------------------------------------------------------------------------- */

#define ALLOC_WEIGHTS_MAX 32

/* Weights by a key (a structure category, a legal form): "ehpad=2 hospital=1.5 *=1". */
struct alloc_weights {
	struct {
		char key[65]; /* an item code is up to 64 bytes */
		double weight;
	} w[ALLOC_WEIGHTS_MAX];
	size_t n;
};

/* Parses "key=weight ..." (weights from min to max, whole numbers when whole is set; "*" for any
 * other key; keys must be among known, NULL-terminated, when known is given). NULL, or the rule
 * broken with the entry in err. */
const char *alloc_weights_parse(const char *text, const char *const *known, double min, double max, int whole,
				struct alloc_weights *out, char *err, size_t errlen);
/* The weight of key: its own, else "*"'s, else 1. */
double alloc_weight(const struct alloc_weights *w, const char *key);

/* --- the configuration ------------------------------------------------------------------------------- */

/* The allocator's settings, read once from the configuration. */
struct allocation_config {
	double target_days, cap_days, floor_days;
	double surplus_days;
	struct alloc_weights categories, legal_forms; /* vulnerability and policy weights */
	struct alloc_weights packs;                   /* units per pack, by item code */
};

/* From the configuration's values (config.h's allocation_* keys and surplus_days). NULL, or the rule
 * broken, with err naming the key. */
const char *allocation_config_init(struct allocation_config *c, long long target_days, long long cap_days,
				   long long floor_days, long long surplus_days, const char *weights,
				   const char *legal_weights, const char *packs, char *err, size_t errlen);
/* The parameters of a proposal for the item of this code. */
struct alloc_params allocation_params(const struct allocation_config *c, const char *item_code);
/* A structure's weight: its category's times its legal form's. */
double allocation_weight(const struct allocation_config *c, const char *category, const char *legal_form);

#endif
