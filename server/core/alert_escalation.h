/* escalation: critical alerts nobody acknowledged go up, as a periodic job (and at once when the
 * test clock moves): after escalation_minutes an SMS to the duty officers of the alert's
 * département, after twice that to the region's; each level once per alert, with an
 * alert.escalated event and a line in its timeline. Separate from the SMS of the alert itself. */
#ifndef RENFORT_ALERT_ESCALATION_H
#define RENFORT_ALERT_ESCALATION_H

struct app;

/* In the caller's transaction. STORE_* code. */
int escalation_run(struct app *app, long long now);

#endif
