/* escalation: when an unacknowledged critical alert goes up a level. Level 1 (the département's
 * duty officers) after `delay` of being open and critical, level 2 (the region's) after twice it.
 * And when an alert may text its people again (the SMS cool-down). */
#ifndef RENFORT_ESCALATION_H
#define RENFORT_ESCALATION_H

/* The highest level due now for an alert open and critical since `since` (ms), 0 when none (or
 * delay <= 0: escalation off). Levels up to `done` were sent already: the caller sends the levels
 * above done up to the answer. */
int escalation_level_due(long long now, long long since, long long delay_ms);

/* The SMS cool-down of a holder and item: whether an alert of `level` (a shortage_level) may text
 * now, when the last text for them was of `last_level` at `last_at` (last_level 0: never texted).
 * Within `cooldown_ms` of that text only a higher level texts again: a level bouncing around a
 * threshold does not re-text everyone. cooldown_ms <= 0: always. */
int alert_sms_allowed(long long now, int level, int last_level, long long last_at, long long cooldown_ms);

#endif
