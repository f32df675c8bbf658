/* plausibility: is a count far from what the holder's history predicts? A count typed with two
 * zeros too many (46,800 for 468) or two too few must be confirmed before it changes a level, an
 * alert and the burn rate; a count with no history, and a count of zero (an empty shelf is a fact
 * that must reach the cell at once), need none. */
#ifndef RENFORT_PLAUSIBILITY_H
#define RENFORT_PLAUSIBILITY_H

struct plausibility_params {
	long long factor; /* a count above factor x the level, or below it / factor, asks; <= 1: off */
	long long floor;  /* levels smaller than this count as this much (a level of 3 may well become 40) */
};

enum plausibility { PLAUSIBLE, IMPLAUSIBLE_HIGH, IMPLAUSIBLE_LOW };

/* level: the last known level (counts and movements); projected: what it should be now by the
 * burn rate (<= level); has_history: the holder has a level of this item. */
enum plausibility plausibility_check(const struct plausibility_params *p, int has_history, long long level,
				     double projected, long long count);

/* What renfortd expects now from a level of `level` updated at `since`, burning per_day a day
 * (0: unknown), never below zero. */
double plausibility_projected(long long level, double per_day, long long since, long long now);

#endif
