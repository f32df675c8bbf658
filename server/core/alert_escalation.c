#include "alert_escalation.h"

#include "alert_people.h"
#include "app.h"
#include "auth.h"
#include "escalation.h"
#include "sms_text.h"
#include "store_escalation.h"
#include "store_sms.h"

/* Alerts looked at per run: the rest wait for the next minute. */
#define ESCALATION_BATCH 256

struct send_ctx {
	struct app *app;
	const struct alert_row *alert;
	const struct alert_text *text;
	int level;
	int failed;
};

static int send_one(void *ctx, const struct recipient *r)
{
	struct send_ctx *c = ctx;
	char text[480];
	sms_text_escalation(c->text, c->app->cfg.escalation_minutes * c->level, c->level, r->lang, text, sizeof text);
	if (alert_sms_queue(c->app, "alert_escalation", c->alert, r, text)) {
		c->failed = 1;
		return 1;
	}
	return 0;
}

/* Level `level` of alert a: its officers texted, the level recorded, the event. */
static int escalate(struct app *app, struct alert_row *a, int level)
{
	struct alert_text t = {a->severity, a->holder_name, a->item_name, "", a->quantity, a->cover_known,
			       a->days_of_cover, a->stockout_at, a->dep, a->id};
	struct send_ctx c = {app, a, &t, level, 0};
	int rc = store_duty_officers_of(app->store, level == 1 ? a->dep : NULL, send_one, &c);
	if (!rc && c.failed)
		rc = STORE_ERROR;
	if (!rc)
		rc = store_escalation_insert(app->store, a->id, level);
	if (!rc)
		rc = alert_emit(app, "escalated", a);
	return rc;
}

int escalation_run(struct app *app, long long now)
{
	long long delay = app->cfg.escalation_minutes * 60000LL;
	if (delay <= 0)
		return STORE_OK;
	struct escalation_candidate due[ESCALATION_BATCH];
	size_t n;
	int rc = store_escalation_candidates(app->store, now - delay, due, ESCALATION_BATCH, &n);
	for (size_t i = 0; !rc && i < n; i++) {
		int want = escalation_level_due(now, due[i].since, delay);
		if (want <= due[i].done)
			continue;
		struct alert_row a;
		rc = store_alert_get(app->store, &principal_system, due[i].alert_id, &a);
		for (int level = due[i].done + 1; !rc && level <= want; level++)
			rc = escalate(app, &a, level);
	}
	return rc;
}
