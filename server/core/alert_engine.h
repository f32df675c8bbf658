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
/* Anti-hoarding: after structure h's level of item it became r, its overstock alert follows (open
 * past overstock_days of cover while another structure of its département is critical for the
 * item; closed a margin below, or when nobody around is critical any more). */
int alert_engine_overstock(struct app *app, const struct holder_info *h, const struct item_info *it,
			   const struct stock_row *r);
/* A shortage of the item in département dep became critical or stopped being: the overstock alerts
 * of its structures are to follow, once before the transaction commits (tx_commit_only): a review
 * reads every structure holding the item, and a batch of reports may cross critical many times. */
void alert_engine_overstock_later(struct app *app, const char *dep, long long item);
/* The reviews asked for in this transaction (every pair with a critical shortage or an open
 * overstock alert, after more than the list holds). Run in the caller's transaction. */
int alert_engine_overstock_pending(struct app *app);
/* A receipt no allocation delivered, large against the holder's usual level: its large_receipt alert
 * opens, or counts it (and opens again if acknowledged). level: the holder's level after it. */
int alert_engine_large_receipt(struct app *app, const struct holder_info *h, const struct item_info *it,
			       long long quantity, const struct stock_row *r);
/* The holder has just reported: its silent alert, if any, resolves. */
int alert_engine_reported(struct app *app, const struct holder_info *h);
/* Opens or updates silent alerts of structures without a count for too long. */
int alert_engine_check_silent(struct app *app, long long now);
/* A message of département dep ("" region-wide) could not be sent: the département's SMS alert
 * opens, or counts one more. */
int alert_engine_sms_failed(struct app *app, const char *dep);
/* A message of dep went through: an open SMS alert there resolves. */
int alert_engine_sms_recovered(struct app *app, const char *dep);
/* A staff request nobody is left to fill, or whose deadline came unfilled. */
struct staff_unfilled {
	long long request_id, structure_id;
	const char *dep, *structure_name, *commune, *commune_name, *profession;
	double lat, lng;
	int missing, count;
	long long starts_at;
	int deadline;  /* 1: the deadline passed (an acknowledged alert opens again) */
};
/* Its staff_unfilled alert opens, with an SMS to the département's duty officers (the region's
 * when it has none), or counts the places still missing; *out gets it. */
int alert_engine_staff_unfilled(struct app *app, const struct staff_unfilled *u, struct alert_row *out);
/* The request was filled (resolution "recovered") or cancelled ("manual"): its alert, if any,
 * resolves. */
int alert_engine_staff_settled(struct app *app, long long request_id, const char *resolution);
/* By a person. 404 for an alert outside the principal's scope, 409 for a resolved one. */
int alert_engine_acknowledge(struct app *app, const struct principal *who, long long id, const char *note,
			     struct alert_row *out);
int alert_engine_resolve(struct app *app, const struct principal *who, long long id, const char *note,
			 struct alert_row *out);

#endif
