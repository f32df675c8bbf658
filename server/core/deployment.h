/* deployment: the reserve's call-outs as use cases, each run in the caller's transaction. A
 * structure (or a coordinator for it) asks for N people; the matching (matching.c) ranks who may
 * come; calls go out in waves of k x the places still missing, by SMS through the outbox and on the
 * volunteers' pages; replies (SMS or page) fill the request first come, first served, in commit
 * order; unanswered calls expire and the next wave is called (wider, when configured); when nobody
 * is left, or the deadline comes unfilled, the request escalates (a staff_unfilled alert, SMS to
 * the duty officers). Every change is audited (by trigger) and is an event (deploy_event.h). */
#ifndef RENFORT_DEPLOYMENT_H
#define RENFORT_DEPLOYMENT_H

#include "error.h"
#include "matching.h"
#include "store_deploy.h"

struct app;
struct principal;
struct sms_row;

/* A new request: r holds what was asked (structure_id, professions, credentials "" for the
 * professions' defaults, skills, languages, count, urgency, shifts, deadline 0 for the first
 * shift's start, notes, address, contact_phone "" for the structure's first contact). The first
 * wave goes out at once. r is completed (id, dep, status...). */
int deployment_request_create(struct app *app, const struct principal *who, struct staff_request_row *r,
			      struct rf_error *err);
/* Cancels a request that is still open or filling (409 otherwise): its calls are closed, with a
 * message to whoever was called or assigned. */
int deployment_request_cancel(struct app *app, const struct principal *who, long long id, const char *reason,
			      struct rf_error *err);
/* A coordinator's "call now": the next wave at once, whatever the open calls. */
int deployment_call_now(struct app *app, const struct principal *who, long long id, struct rf_error *err);

/* A volunteer's answer on their page: VERB_ACCEPT, VERB_DECLINE or VERB_WITHDRAW for call id.
 * *result says what became of it ("accepted", "filled", "declined", ...). */
int deployment_answer(struct app *app, const struct principal *who, long long call_id, int verb, const char **result,
		      struct rf_error *err);

/* An incoming SMS that is no keyword: a reply to a call when its sender has calls. *handled 0 when
 * it is nothing of the kind (the inbox keeps it as it is); *result says what was done. */
int deployment_sms_reply(struct app *app, long long inbox_id, const char *phone, const char *text, int *handled,
			 const char **result);

/* Expired calls (then the next wave) and deadlines, at now. 0, or a store failure. */
int deployment_tick(struct app *app, long long now);

/* The outbox's listener for messages caused by a call: a call whose SMS could not be delivered
 * counts as unanswered at once, and the next candidate is called. */
int deployment_sms_outcome(struct app *app, const struct sms_row *row, int failed);

/* The ranked candidates of a request (stored, or a draft with id 0) at its next wave, and every
 * excluded volunteer with the first rule that excluded them; nobody is called. */
struct deploy_preview {
	struct match_request mrq;
	struct match_pool pool;
	struct match_result *results;
	size_t eligible;
	int wave, extra_radius_km;
};
/* only_volunteer > 0: that volunteer alone (why was Marie not called?); every_profession 0: only
 * volunteers of the professions asked for (the others cannot be called anyway). */
int deployment_preview(struct app *app, const struct staff_request_row *r, long long only_volunteer,
		       int every_profession, struct deploy_preview *out, struct rf_error *err);
void deployment_preview_release(struct deploy_preview *p);

/* Fills r's defaults and checks it against the store: the structure within who's scope (404
 * otherwise), its département and commune; the profession's credential. Used by create and by the
 * preview of a draft. */
int deployment_request_prepare(struct app *app, const struct principal *who, struct staff_request_row *r,
			       struct rf_error *err);

/* The matching's view of a request at a wave. */
void deployment_match_request(struct app *app, const struct staff_request_row *r, int wave, struct match_request *mrq);

#endif
