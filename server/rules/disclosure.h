/* disclosure: statistical disclosure control of the counts the observatory reads (volunteers.stats).
 * A count of a few people, crossed with département, profession, availability and gender, singles
 * them out: such a group is not given. Pure: no I/O. */
#ifndef RENFORT_DISCLOSURE_H
#define RENFORT_DISCLOSURE_H

#include <stddef.h>

/* The gender of a group whose genders were put together (see disclosure_protect). */
#define DISCLOSURE_ALL_GENDERS "*"

struct stat_cell {
	char dep[4], profession[32], availability[16];
	char gender[8];   /* "" when not given, DISCLOSURE_ALL_GENDERS for genders together */
	long long count;
	int suppressed;   /* 1: count withheld (below the threshold) */
};

/* Protects cells (sorted by département, profession, availability, then gender, as the store gives
 * them) for a reader who may not see people, with min_count the smallest count given:
 *  1. a (département, profession, availability) group with any gender cell below min_count loses
 *     its gender split: its cells become one, gender DISCLOSURE_ALL_GENDERS, count their sum
 *     (gender is what would single a person out, and the sum is a larger group);
 *  2. a cell still below min_count is suppressed: count 0 and suppressed 1.
 * No cell left is a sum of others, and no total is given, so a suppressed count cannot be worked
 * out from the rest of the table. min_count 1 changes nothing. Returns the number of cells. */
size_t disclosure_protect(struct stat_cell *cells, size_t n, long long min_count);

#endif
