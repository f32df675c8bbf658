/* store_escalation: the critical alerts nobody acknowledged, since when, and the levels they were
 * sent to. */
#ifndef RENFORT_STORE_ESCALATION_H
#define RENFORT_STORE_ESCALATION_H

#include "store.h"

struct escalation_candidate {
	long long alert_id;
	long long since; /* when it last became open and critical (ms), from its audit rows */
	int done;        /* the highest level already sent, 0 when none */
};

/* Open (not acknowledged) critical and stock-out alerts that became so at or before `before`,
 * with fewer than 2 levels sent; at most max of them, oldest first. */
int store_escalation_candidates(struct store *st, long long before, struct escalation_candidate *out, size_t max,
				size_t *n);
int store_escalation_insert(struct store *st, long long alert_id, int level);

#endif
