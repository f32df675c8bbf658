#include "outbox.h"

#include "alert_engine.h"
#include "app.h"
#include "deployment.h"
#include "events.h"
#include "sms_sender.h"
#include "sms_text.h"
#include "store.h"
#include "store_sms.h"
#include "tx.h"

#include <stdlib.h>
#include <string.h>

/* Who hears what becomes of a message, by the kind of its cause ("*": every message). */
struct listener {
	const char *cause_kind;
	int (*on)(struct app *app, const struct sms_row *row, enum outbox_outcome outcome);
};

/* Any message that gets through, or finally fails, tells its département's sms_failed alert. */
static int sms_failed_alert(struct app *app, const struct sms_row *row, enum outbox_outcome outcome)
{
	if (outcome == OUTBOX_SENT)
		return alert_engine_sms_recovered(app, row->dep);
	if (outcome == OUTBOX_FAILED)
		return alert_engine_sms_failed(app, row->dep);
	return STORE_OK;
}

/* A deployment call whose SMS could not be delivered: the next candidate is called. */
static int call_outcome(struct app *app, const struct sms_row *row, enum outbox_outcome outcome)
{
	return deployment_sms_outcome(app, row, outcome == OUTBOX_FAILED || outcome == OUTBOX_UNDELIVERED);
}

static const struct listener listeners[] = {
	{"*", sms_failed_alert},
	{"call", call_outcome},
};

static const char *const outcome_names[] = {"sent", "failed", "delivered", "failed"};

int outbox_queue(struct app *app, const struct sms_row *row, long long *id)
{
	/* every text an exercise sends is marked here, the one way out, so that none can be missed */
	struct sms_row marked;
	char *text = NULL;
	if (app->exercise) {
		size_t n = strlen(row->text) + sizeof SMS_EXERCISE_MARK;
		if (!(text = malloc(n)))
			return STORE_ERROR;
		sms_text_mark(1, row->text, text, n);
		marked = *row;
		marked.text = text;
		row = &marked;
	}
	long long new_id;
	int rc = store_sms_enqueue(app->store, row, &new_id);
	free(text);
	if (!rc)
		rc = outbox_outcome_event(app, new_id, "queued");
	if (!rc && id)
		*id = new_id;
	return rc;
}

struct outcome_ctx {
	struct app *app;
	const char *what;
	int listen;
	enum outbox_outcome outcome;
	int rc;
};

static int on_row(void *ctx, const struct sms_row *r)
{
	struct outcome_ctx *c = ctx;
	if (events_add_sms(c->app, c->what, r)) {
		c->rc = STORE_ERROR;
		return 1;
	}
	for (size_t i = 0; c->listen && i < sizeof listeners / sizeof listeners[0] && !c->rc; i++)
		if (strcmp(listeners[i].cause_kind, "*") == 0 ||
		    (r->cause_kind && strcmp(listeners[i].cause_kind, r->cause_kind) == 0))
			c->rc = listeners[i].on(c->app, r, c->outcome);
	return c->rc != STORE_OK;
}

int outbox_outcome_event(struct app *app, long long id, const char *what)
{
	struct outcome_ctx c = {app, what, 0, OUTBOX_SENT, STORE_OK};
	int rc = store_sms_get(app->store, id, on_row, &c);
	return rc ? rc : c.rc;
}

int outbox_outcome(struct app *app, long long id, enum outbox_outcome outcome)
{
	struct outcome_ctx c = {app, outcome_names[outcome], 1, outcome, STORE_OK};
	int rc = store_sms_get(app->store, id, on_row, &c);
	return rc ? rc : c.rc;
}

/* --- the sender's hooks: core's transactions and clock, and the outcomes ---------------------------- */

static int hook_begin(void *ctx)
{
	return tx_begin(ctx);
}

static int hook_commit(void *ctx)
{
	return tx_commit(ctx);
}

static void hook_rollback(void *ctx)
{
	tx_rollback(ctx);
}

static long long hook_now(void *ctx)
{
	return app_now(ctx);
}

static int hook_outcome(void *ctx, long long id, int sent)
{
	return outbox_outcome(ctx, id, sent ? OUTBOX_SENT : OUTBOX_FAILED);
}

static void hook_wake(void *ctx)
{
	struct app *app = ctx;
	if (app->wake)
		app->wake(app);
}

struct sms_sender *outbox_sender_new(struct app *app, char *why, size_t whylen)
{
	struct sms_sender_hooks hooks = {app, hook_begin, hook_commit, hook_rollback, hook_now, hook_outcome, hook_wake};
	return sms_sender_new(&app->cfg, app->store, app->public_url, &hooks, why, whylen);
}
