/* escalation: when an unacknowledged critical alert goes up a level. Level 1 (the département's
 * duty officers) after `delay` of being open and critical, level 2 (the region's) after twice it. */
#ifndef RENFORT_ESCALATION_H
#define RENFORT_ESCALATION_H

/* The highest level due now for an alert open and critical since `since` (ms), 0 when none (or
 * delay <= 0: escalation off). Levels up to `done` were sent already: the caller sends the levels
 * above done up to the answer. */
int escalation_level_due(long long now, long long since, long long delay_ms);

#endif
