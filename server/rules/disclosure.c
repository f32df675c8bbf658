#include "disclosure.h"

#include <stdio.h>
#include <string.h>

static int same_group(const struct stat_cell *a, const struct stat_cell *b)
{
	return strcmp(a->dep, b->dep) == 0 && strcmp(a->profession, b->profession) == 0 &&
	       strcmp(a->availability, b->availability) == 0;
}

size_t disclosure_protect(struct stat_cell *cells, size_t n, long long min_count)
{
	size_t out = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && same_group(&cells[i], &cells[j]))
			j++;
		int small = 0;
		long long sum = 0;
		for (size_t k = i; k < j; k++) {
			small |= cells[k].count < min_count;
			sum += cells[k].count;
		}
		if (!small) {
			/* every gender of the group is large enough: given as it is */
			for (size_t k = i; k < j; k++)
				cells[out++] = cells[k];
		} else {
			struct stat_cell merged = cells[i];
			snprintf(merged.gender, sizeof merged.gender, "%s", DISCLOSURE_ALL_GENDERS);
			merged.suppressed = sum < min_count;
			merged.count = merged.suppressed ? 0 : sum;
			cells[out++] = merged;
		}
		i = j;
	}
	return out;
}
