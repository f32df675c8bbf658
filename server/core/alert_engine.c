#include "alert_engine.h"

#include "alert_people.h"
#include "alert_rules.h"
#include "app.h"
#include "events.h"
#include "auth.h"
#include "escalation.h"
#include "log.h"
#include "sms_text.h"
#include "store_escalation.h"
#include "store_sms.h"

#include <stdio.h>
#include <string.h>

static struct thresholds thresholds_for(struct app *app, const struct holder_info *h, const struct item_info *it)
{
	double w, c;
	if (store_override_get(app->store, h->kind, h->id, it->id, &w, &c) == STORE_OK) {
		struct thresholds t = {w, c, app->thresholds.margin_days};
		return t;
	}
	return threshold_rules_lookup(&app->thresholds, h->category, it->code);
}

struct sms_ctx {
	struct app *app;
	const struct alert_row *alert;
	const struct alert_text *text;
	int failed;
};

static int queue_one(void *ctx, const struct recipient *r)
{
	struct sms_ctx *c = ctx;
	char text[480];
	sms_text_alert(c->text, r->lang, text, sizeof text);
	if (alert_sms_queue(c->app, "alert_critical", c->alert, r, text)) {
		c->failed = 1;
		return 1;
	}
	return 0;
}

/* Whether the holder and item's people may be texted about a at this severity: not within the
 * cool-down of a text at the same or a higher one (rules/escalation.c). */
static int sms_due(struct app *app, const struct alert_row *a, int *due)
{
	char last[16];
	long long at = 0;
	int rc = store_alert_sms_last(app->store, a->holder_kind, a->holder_id, a->item_id, last, sizeof last, &at);
	if (rc && rc != STORE_NOTFOUND)
		return rc;
	int last_level = rc == STORE_NOTFOUND ? 0 : shortage_level_parse(last);
	*due = alert_sms_allowed(store_now(app->store), shortage_level_parse(a->severity), last_level, at,
				 app->cfg.alert_sms_cooldown_hours * 3600000LL);
	return STORE_OK;
}

/* The outbox rows of a critical alert: the structure's contacts and the département's officers,
 * unless the holder and item are in their SMS cool-down. */
static int queue_sms(struct app *app, const struct holder_info *h, const struct item_info *it, const struct alert_row *a)
{
	int due = 0;
	if (sms_due(app, a, &due))
		return -1;
	if (!due)
		return 0;
	if (store_alert_sms_sent(app->store, a->holder_kind, a->holder_id, a->item_id, a->severity))
		return -1;
	struct alert_text t = {a->severity, h->name, it->name, it->unit, a->quantity, a->cover_known,
			       a->days_of_cover, a->stockout_at, a->dep, a->id};
	struct sms_ctx c = {app, a, &t, 0};
	if (h->kind == HOLDER_STRUCTURE && store_structure_contacts(app->store, h->id, queue_one, &c))
		return -1;
	if (!c.failed && store_duty_officers_for(app->store, h->dep, queue_one, &c))
		return -1;
	return c.failed ? -1 : 0;
}

/* What people see of an alert beside its own columns: its holder's name and place, its item. */
static void show(struct alert_row *a, const struct holder_info *h, const struct item_info *it)
{
	if (h) {
		snprintf(a->holder_name, sizeof a->holder_name, "%s", h->name);
		snprintf(a->commune, sizeof a->commune, "%s", h->commune);
		a->lat = h->lat;
		a->lng = h->lng;
	}
	if (it) {
		snprintf(a->item_code, sizeof a->item_code, "%s", it->code);
		snprintf(a->item_name, sizeof a->item_name, "%s", it->name);
	}
}

/* The event of a change, with the row as written and its people (who acknowledged, resolved or
 * took it): a failure fails the transaction. */
static int emit(struct app *app, const char *what, struct alert_row *a)
{
	return alert_emit(app, what, a);
}

static void copy_figures(struct alert_row *a, const struct stock_row *r)
{
	a->quantity = r->quantity;
	a->cover_known = r->cover_known;
	a->days_of_cover = r->days_of_cover;
	a->stockout_at = r->stockout_at;
}

/* Resolves the alert a lookup found (rc from store_alert_current*), by itself: nothing to do when
 * there was none. h and it (either may be NULL) are what it concerns, for its event. */
static int resolve_found(struct app *app, int rc, struct alert_row *cur, const char *resolution,
			 const struct holder_info *h, const struct item_info *it)
{
	if (rc == STORE_NOTFOUND)
		return STORE_OK;
	if (rc)
		return rc;
	snprintf(cur->status, sizeof cur->status, "resolved");
	snprintf(cur->resolution, sizeof cur->resolution, "%s", resolution);
	cur->resolved_at = store_now(app->store);
	if ((rc = store_alert_update(app->store, cur)))
		return rc;
	show(cur, h, it);
	return emit(app, "resolved", cur);
}

int alert_engine_shortage(struct app *app, const struct holder_info *h, const struct item_info *it,
			  const struct stock_row *r, struct alert_row *out)
{
	struct store *st = app->store;
	struct alert_row cur;
	int rc = store_alert_current(st, "shortage", h->kind, h->id, it->id, &cur);
	if (rc != STORE_OK && rc != STORE_NOTFOUND)
		return rc;
	int has = rc == STORE_OK;
	enum shortage_level now_level = has ? (enum shortage_level)shortage_level_parse(cur.severity) : LEVEL_NONE;
	struct thresholds t = thresholds_for(app, h, it);
	enum shortage_level next = shortage_next(now_level, r->quantity, r->cover_known, r->days_of_cover, &t);
	alert_row_clear(out);

	if (!has && next == LEVEL_NONE)
		return STORE_OK;
	if (!has) {
		struct alert_row a;
		alert_row_clear(&a);
		snprintf(a.kind, sizeof a.kind, "shortage");
		a.holder_kind = h->kind;
		a.holder_id = h->id;
		a.item_id = it->id;
		snprintf(a.dep, sizeof a.dep, "%s", h->dep);
		snprintf(a.severity, sizeof a.severity, "%s", shortage_level_name(next));
		copy_figures(&a, r);
		if ((rc = store_alert_insert(st, &a)) || (rc = alert_carry_acknowledgement(app, &a)))
			return rc;
		if (next >= LEVEL_CRITICAL && queue_sms(app, h, it, &a))
			return STORE_ERROR;
		show(&a, h, it);
		*out = a;
		return emit(app, "opened", &a);
	}
	copy_figures(&cur, r);
	if (next == LEVEL_NONE)
		return resolve_found(app, STORE_OK, &cur, "recovered", h, it);
	if (next > now_level && strcmp(cur.status, "acknowledged") == 0)
		snprintf(cur.status, sizeof cur.status, "open"); /* worse than what was acknowledged: look again */
	snprintf(cur.severity, sizeof cur.severity, "%s", shortage_level_name(next));
	if ((rc = store_alert_update(st, &cur)))
		return rc;
	if (next > now_level && next >= LEVEL_CRITICAL && queue_sms(app, h, it, &cur))
		return STORE_ERROR;
	show(&cur, h, it);
	*out = cur;
	return emit(app, "updated", &cur);
}

int alert_engine_reported(struct app *app, const struct holder_info *h)
{
	struct alert_row cur;
	return resolve_found(app, store_alert_current(app->store, "silent", h->kind, h->id, 0, &cur), &cur, "reported", h,
			     NULL);
}

struct silent_ctx {
	struct app *app;
	long long now, after_ms;
	int rc;
};

static int raise_silent(void *ctx, enum holder_kind hk, long long holder, const char *dep, long long last)
{
	struct silent_ctx *c = ctx;
	struct store *st = c->app->store;
	/* three times the silence is critical */
	const char *severity = c->now - last >= 3 * c->after_ms ? "critical" : "warning";
	struct alert_row cur;
	struct holder_info h;
	int rc = store_alert_current(st, "silent", hk, holder, 0, &cur);
	int hrc = store_holder_get(st, &principal_system, hk, holder, &h);
	if (hrc == STORE_NOTFOUND)
		return 0; /* deleted since its last report */
	if (hrc) {
		c->rc = hrc;
		return 1;
	}
	if (rc == STORE_NOTFOUND) {
		alert_row_clear(&cur);
		snprintf(cur.kind, sizeof cur.kind, "silent");
		cur.holder_kind = hk;
		cur.holder_id = holder;
		snprintf(cur.dep, sizeof cur.dep, "%s", dep);
		snprintf(cur.severity, sizeof cur.severity, "%s", severity);
		cur.quantity = -1;
		if ((c->rc = store_alert_insert(st, &cur)))
			return 1;
		show(&cur, &h, NULL);
		return (c->rc = emit(c->app, "opened", &cur)) != STORE_OK;
	}
	if (rc) {
		c->rc = rc;
		return 1;
	}
	if (strcmp(cur.severity, severity) == 0)
		return 0;
	snprintf(cur.severity, sizeof cur.severity, "%s", severity);
	if (strcmp(severity, "critical") == 0 && strcmp(cur.status, "acknowledged") == 0)
		snprintf(cur.status, sizeof cur.status, "open");
	if ((c->rc = store_alert_update(st, &cur)))
		return 1;
	show(&cur, &h, NULL);
	return (c->rc = emit(c->app, "updated", &cur)) != STORE_OK;
}

int alert_engine_check_silent(struct app *app, long long now)
{
	struct silent_ctx c = {app, now, app->cfg.silent_after_hours * 3600000LL, STORE_OK};
	int rc = store_silent_candidates(app->store, now - c.after_ms, raise_silent, &c);
	return rc ? rc : c.rc;
}

int alert_engine_sms_failed(struct app *app, const char *dep)
{
	struct alert_row cur;
	int rc = store_alert_current_dep(app->store, "sms_failed", dep ? dep : "", &cur);
	if (rc == STORE_NOTFOUND) {
		alert_row_clear(&cur);
		snprintf(cur.kind, sizeof cur.kind, "sms_failed");
		cur.holder_kind = HOLDER_NONE;
		snprintf(cur.dep, sizeof cur.dep, "%s", dep ? dep : "");
		snprintf(cur.severity, sizeof cur.severity, "critical");
		cur.quantity = 1; /* messages that could not be sent */
		if ((rc = store_alert_insert(app->store, &cur)))
			return rc;
		return emit(app, "opened", &cur);
	}
	if (rc)
		return rc;
	cur.quantity++;
	if (strcmp(cur.status, "acknowledged") == 0)
		snprintf(cur.status, sizeof cur.status, "open");
	if ((rc = store_alert_update(app->store, &cur)))
		return rc;
	return emit(app, "updated", &cur);
}

int alert_engine_sms_recovered(struct app *app, const char *dep)
{
	struct alert_row cur;
	return resolve_found(app, store_alert_current_dep(app->store, "sms_failed", dep ? dep : "", &cur), &cur,
			     "recovered", NULL, NULL);
}

static int by_person(struct app *app, const struct principal *who, long long id, const char *note, int resolve,
		     struct alert_row *out)
{
	struct alert_row a;
	int rc = alert_for_person(app, who, id, &a);
	if (rc)
		return rc;
	long long now = store_now(app->store);
	if (resolve) {
		snprintf(a.status, sizeof a.status, "resolved");
		snprintf(a.resolution, sizeof a.resolution, "manual");
		a.resolved_at = now;
		a.resolved_by = who->token_id;
		snprintf(a.resolve_note, sizeof a.resolve_note, "%s", note ? note : "");
	} else {
		snprintf(a.status, sizeof a.status, "acknowledged");
		a.acknowledged_at = now;
		a.acknowledged_by = who->token_id;
		snprintf(a.ack_note, sizeof a.ack_note, "%s", note ? note : "");
	}
	if ((rc = store_alert_update(app->store, &a)))
		return rc;
	rc = emit(app, resolve ? "resolved" : "acknowledged", &a);
	*out = a;
	return rc;
}

int alert_engine_acknowledge(struct app *app, const struct principal *who, long long id, const char *note,
			     struct alert_row *out)
{
	return by_person(app, who, id, note, 0, out);
}

int alert_engine_resolve(struct app *app, const struct principal *who, long long id, const char *note,
			 struct alert_row *out)
{
	return by_person(app, who, id, note, 1, out);
}
