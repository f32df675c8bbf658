/* alert_people: the work people do on alerts beside acknowledging and resolving them: taking one
 * ("I take it": the alert is theirs until they or someone else releases it or takes it). */
#ifndef RENFORT_ALERT_PEOPLE_H
#define RENFORT_ALERT_PEOPLE_H

#include "store_alert.h"

struct app;
struct principal;

/* The alert a person may act on: within their scope (404 otherwise, as a missing one) and not
 * resolved (409). STORE_* codes, the failure named in the store. */
int alert_for_person(struct app *app, const struct principal *who, long long id, struct alert_row *out);
/* The event "alert.<what>" of a change, with the row as written and its people filled in. */
int alert_emit(struct app *app, const char *what, struct alert_row *a);

struct recipient;
/* Queues one SMS of kind (alert_critical, alert_escalation...) about alert a to recipient r, caused
 * by the alert: 0, or -1 (the transaction must fail). */
int alert_sms_queue(struct app *app, const char *kind, const struct alert_row *a, const struct recipient *r,
		    const char *text);

/* who takes the alert (from whoever had it). */
int alert_take(struct app *app, const struct principal *who, long long id, struct alert_row *out);
/* Nobody has the alert any more: 409 when nobody had it. */
int alert_release(struct app *app, const struct principal *who, long long id, struct alert_row *out);

/* A shortage alert just opened (a, as inserted) that recovered by a count within ack_carry_hours
 * while acknowledged takes that acknowledgement and note over: a count that resolved it by mistake
 * (46,800 typed for 468) does not make the cell lose its work when the next count brings it back.
 * It stays acknowledged unless it is now worse than it was. */
int alert_carry_acknowledgement(struct app *app, struct alert_row *a);

#endif
