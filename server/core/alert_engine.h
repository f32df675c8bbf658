/* alert_engine: applies the alert rules (alert_rules.c) to the store inside the current
 * transaction: opens, updates and resolves alerts, queues the SMS of critical ones in the outbox,
 * and emits the events. */
#ifndef RENFORT_ALERT_ENGINE_H
#define RENFORT_ALERT_ENGINE_H

#include "store_alert.h"
#include "store_stock.h"

struct app;
struct principal;

/* After holder h's level of item it became r: the shortage alert follows (alert_rules.c's
 * shortage_decide, with the hold, reopening and SMS cool-down of the configuration). *out gets the
 * alert (id 0 when there is none open); r->due_at the next time the level needs a look without a
 * new count (the earlier of what it held and the alert's own). */
int alert_engine_shortage(struct app *app, const struct holder_info *h, const struct item_info *it,
			  struct stock_row *r, struct alert_row *out);
/* The same when time alone moved (the sweep): an open alert whose severity and hold did not change is
 * left as it is (no new version, no event). */
int alert_engine_shortage_recheck(struct app *app, const struct holder_info *h, const struct item_info *it,
				  struct stock_row *r, struct alert_row *out);
/* The holder has just reported: its silent alert, if any, resolves. */
int alert_engine_reported(struct app *app, const struct holder_info *h);
/* Opens or updates silent alerts of structures without a count for too long. */
int alert_engine_check_silent(struct app *app, long long now);
/* A message of département dep ("" region-wide) could not be sent: the département's SMS alert
 * opens, or counts one more. */
int alert_engine_sms_failed(struct app *app, const char *dep);
/* A message of dep went through: an open SMS alert there resolves. */
int alert_engine_sms_recovered(struct app *app, const char *dep);
/* By a person. 404 for an alert outside the principal's scope, 409 for a resolved one. */
int alert_engine_acknowledge(struct app *app, const struct principal *who, long long id, const char *note,
			     struct alert_row *out);
int alert_engine_resolve(struct app *app, const struct principal *who, long long id, const char *note,
			 struct alert_row *out);

#endif
