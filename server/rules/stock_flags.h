/* stock_flags: when stock held is a problem rather than a shortage. Pure functions.
 * - Overstock (anti-hoarding): a holder far above the cover cap while others of its département are
 *   critical for the same item. It opens at `threshold` days of cover, and calms down only below the
 *   threshold less the margin (the hysteresis of shortages), or when nobody around is critical any
 *   more.
 * - A large receipt: stock received without an allocation (a purchase, a donation) much larger than
 *   what the holder usually holds: 100,000 masks from nowhere are flagged to the coordinators. */
#ifndef RENFORT_STOCK_FLAGS_H
#define RENFORT_STOCK_FLAGS_H

/* Whether a holder's overstock alert is (still) open after a change: open_now says whether one is
 * open; cover known, in days; others_critical: holders of its département with a critical or
 * stock-out shortage of the item. */
int overstock_next(int open_now, int cover_known, double days, long long others_critical, double threshold,
		   double margin);

/* Whether a declared receipt of quantity is large for a holder whose usual level is usual (the most
 * it held lately, or what its target cover would hold): more than factor times it, and at least
 * min_quantity. */
int receipt_is_large(long long quantity, long long usual, double factor, long long min_quantity);

#endif
