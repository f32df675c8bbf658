#include "alert_engine.h"

#include "alert_people.h"
#include "alert_rules.h"
#include "app.h"
#include "events.h"
#include "auth.h"
#include "log.h"
#include "deploy_text.h"
#include "sms_text.h"
#include "stock_flags.h"
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

/* The text of a message about an alert, in a recipient's language. */
typedef void (*alert_text_fn)(const void *args, const char *lang, char *out, size_t outlen);

struct sms_ctx {
	struct app *app;
	const struct alert_row *alert;
	const char *kind;       /* the outbox kind: alert_critical, staff_unfilled */
	alert_text_fn text;
	const void *text_args;
	int failed;
};

static int queue_one(void *ctx, const struct recipient *r)
{
	struct sms_ctx *c = ctx;
	char text[480];
	c->text(c->text_args, r->lang, text, sizeof text);
	if (alert_sms_queue(c->app, c->kind, c->alert, r, text)) {
		c->failed = 1;
		return 1;
	}
	return 0;
}

static void shortage_text(const void *args, const char *lang, char *out, size_t outlen)
{
	sms_text_alert(args, lang, out, outlen);
}

/* The outbox rows of a critical alert: the structure's contacts and the département's officers. */
static int queue_sms(struct app *app, const struct holder_info *h, const struct item_info *it, const struct alert_row *a)
{
	struct alert_text t = {a->severity, h->name, it->name, it->unit, a->quantity, a->cover_known,
			       a->days_of_cover, a->stockout_at, a->dep, a->id};
	struct sms_ctx c = {app, a, "alert_critical", shortage_text, &t, 0};
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
	/* the stock as the forecast estimates it now (the count itself, on a count) */
	a->quantity = r->estimated ? r->estimate : r->quantity;
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

/* The last SMS of a holder and item, as an alert remembers it. */
static enum shortage_level sms_level(const struct alert_row *a)
{
	int l = a->sms_severity[0] ? shortage_level_parse(a->sms_severity) : -1;
	return l < 0 ? LEVEL_NONE : (enum shortage_level)l;
}

/* Whether an escalation of a to `next` texts people (critical and worse, with the cool-down); if so
 * the alert remembers it. */
static int sms_wanted(struct app *app, struct alert_row *a, enum shortage_level next, long long now)
{
	if (!shortage_sms_due(next, sms_level(a), a->sms_at, app->cfg.alert_sms_cooldown_hours * 3600000LL, now))
		return 0;
	snprintf(a->sms_severity, sizeof a->sms_severity, "%s", shortage_level_name(next));
	a->sms_at = now;
	return 1;
}

/* After a change written: its SMS (text), then its event "alert.<what>"; *out gets the alert. */
static int announce(struct app *app, const struct holder_info *h, const struct item_info *it, struct alert_row *a,
		    int text, const char *what, struct alert_row *out)
{
	if (text && queue_sms(app, h, it, a))
		return STORE_ERROR;
	show(a, h, it);
	*out = *a;
	return emit(app, what, a);
}

/* A shortage with no open alert: the one resolved within alert_reopen_hours opens again (the same
 * alert, its SMS remembered), else a new one, which still knows the SMS sent for the holder and item
 * within the cool-down. */
static int open_shortage(struct app *app, const struct holder_info *h, const struct item_info *it,
			 const struct stock_row *r, enum shortage_level next, long long calm_since, struct alert_row *out)
{
	struct store *st = app->store;
	long long now = store_now(st);
	struct alert_row prev;
	int rc = STORE_NOTFOUND;
	if (app->cfg.alert_reopen_hours > 0 || app->cfg.alert_sms_cooldown_hours > 0)
		rc = store_alert_latest(st, "shortage", h->kind, h->id, it->id, &prev);
	if (rc != STORE_OK && rc != STORE_NOTFOUND)
		return rc;
	if (rc == STORE_OK && strcmp(prev.status, "resolved") == 0 &&
	    shortage_reopens(prev.resolved_at, app->cfg.alert_reopen_hours * 3600000LL, now)) {
		snprintf(prev.status, sizeof prev.status, "open");
		snprintf(prev.severity, sizeof prev.severity, "%s", shortage_level_name(next));
		prev.resolved_at = prev.resolved_by = 0;
		prev.resolution[0] = prev.resolve_note[0] = '\0';
		prev.reopened_at = now;
		prev.reopen_count++;
		prev.calm_since = calm_since;
		copy_figures(&prev, r);
		int text = sms_wanted(app, &prev, next, now);
		if ((rc = store_alert_update(st, &prev)))
			return rc;
		return announce(app, h, it, &prev, text, "reopened", out);
	}
	struct alert_row a;
	alert_row_clear(&a);
	snprintf(a.kind, sizeof a.kind, "shortage");
	a.holder_kind = h->kind;
	a.holder_id = h->id;
	a.item_id = it->id;
	snprintf(a.dep, sizeof a.dep, "%s", h->dep);
	snprintf(a.severity, sizeof a.severity, "%s", shortage_level_name(next));
	copy_figures(&a, r);
	if (rc == STORE_OK) {
		/* the cool-down is the holder's and item's, across alerts */
		snprintf(a.sms_severity, sizeof a.sms_severity, "%s", prev.sms_severity);
		a.sms_at = prev.sms_at;
	}
	a.calm_since = calm_since;
	int text = sms_wanted(app, &a, next, now);
	if ((rc = store_alert_insert(st, &a)) || (rc = alert_carry_acknowledgement(app, &a)))
		return rc;
	return announce(app, h, it, &a, text, "opened", out);
}

/* The shortage alert's step (recheck: time alone moved); *was_critical: whether it was critical (or a
 * stock-out) before. */
static int shortage_step(struct app *app, const struct holder_info *h, const struct item_info *it, struct stock_row *r,
			 int recheck, struct alert_row *out, int *was_critical)
{
	struct store *st = app->store;
	struct alert_row cur;
	int rc = store_alert_current(st, "shortage", h->kind, h->id, it->id, &cur);
	if (rc != STORE_OK && rc != STORE_NOTFOUND)
		return rc;
	int has = rc == STORE_OK;
	enum shortage_level now_level = has ? (enum shortage_level)shortage_level_parse(cur.severity) : LEVEL_NONE;
	struct thresholds t = thresholds_for(app, h, it);
	long long now = store_now(st);
	double days_low = r->days_of_cover;
	if (r->cover_known && r->stockout_low_at && r->stockout_low_at < r->stockout_at)
		days_low = r->stockout_low_at > now ? (double)(r->stockout_low_at - now) / 86400000.0 : 0;
	struct shortage_view v = {r->quantity,	   r->estimated ? r->estimate : r->quantity,
				  r->cover_known,  r->days_of_cover,
				  r->stockout_at,  days_low,
				  r->from_fallback, !app->forecast_average};
	struct shortage_step step;
	shortage_decide(now_level, has ? cur.calm_since : 0, &v, &t, app->cfg.alert_hold_hours * 3600000LL,
			app->cfg.alert_reopen_hours * 3600000LL, now, &step);
	if (step.due_at && (!r->due_at || step.due_at < r->due_at))
		r->due_at = step.due_at;
	enum shortage_level next = step.level;
	alert_row_clear(out);
	*was_critical = now_level >= LEVEL_CRITICAL;

	if (!has && next == LEVEL_NONE)
		return STORE_OK;
	if (!has)
		return open_shortage(app, h, it, r, next, step.calm_since, out);
	if (recheck && next == now_level) {
		/* time alone moved, and changed nothing people see: at most the hold begins or ends */
		if (step.calm_since != cur.calm_since && (rc = store_alert_set_calm(st, cur.id, step.calm_since)))
			return rc;
		cur.calm_since = step.calm_since;
		show(&cur, h, it);
		*out = cur;
		return STORE_OK;
	}
	copy_figures(&cur, r);
	cur.calm_since = step.calm_since;
	if (next == LEVEL_NONE)
		return resolve_found(app, STORE_OK, &cur, "recovered", h, it);
	if (next > now_level && strcmp(cur.status, "acknowledged") == 0)
		snprintf(cur.status, sizeof cur.status, "open"); /* worse than what was acknowledged: look again */
	snprintf(cur.severity, sizeof cur.severity, "%s", shortage_level_name(next));
	int text = next > now_level && sms_wanted(app, &cur, next, now);
	if ((rc = store_alert_update(st, &cur)))
		return rc;
	return announce(app, h, it, &cur, text, "updated", out);
}


/* --- anti-hoarding and flagged receipts --------------------------------------------------------------- */

/* Opens an alert of a holder and item (an overstock or a large receipt, warning), with r's figures. */
static int open_flag(struct app *app, const char *kind, const struct holder_info *h, const struct item_info *it,
		     long long quantity, const struct stock_row *r)
{
	struct alert_row a;
	alert_row_clear(&a);
	snprintf(a.kind, sizeof a.kind, "%s", kind);
	a.holder_kind = h->kind;
	a.holder_id = h->id;
	a.item_id = it->id;
	snprintf(a.dep, sizeof a.dep, "%s", h->dep);
	snprintf(a.severity, sizeof a.severity, "warning");
	copy_figures(&a, r);
	a.quantity = quantity;
	int rc = store_alert_insert(app->store, &a);
	if (rc)
		return rc;
	show(&a, h, it);
	return emit(app, "opened", &a);
}

int alert_engine_overstock(struct app *app, const struct holder_info *h, const struct item_info *it,
			   const struct stock_row *r)
{
	double threshold = (double)app->cfg.overstock_days, margin = app->thresholds.margin_days;
	if (h->kind != HOLDER_STRUCTURE || threshold <= 0)
		return STORE_OK;
	struct store *st = app->store;
	struct alert_row cur;
	int rc = store_alert_current(st, "overstock", h->kind, h->id, it->id, &cur);
	if (rc != STORE_OK && rc != STORE_NOTFOUND)
		return rc;
	int has = rc == STORE_OK;
	/* the usual case, a holder under the threshold without an alert, asks nothing more */
	if (!has && !(r->cover_known && r->days_of_cover >= threshold))
		return STORE_OK;
	long long others = 0;
	if (r->cover_known && r->days_of_cover >= threshold - margin &&
	    (rc = store_critical_shortages(st, h->dep, it->id, h->id, &others)))
		return rc;
	int next = overstock_next(has, r->cover_known, r->days_of_cover, others, threshold, margin);
	if (!has)
		return next ? open_flag(app, "overstock", h, it, r->quantity, r) : STORE_OK;
	/* a review that finds it as it was writes nothing (no new version for nothing) */
	int same = cur.quantity == r->quantity && cur.cover_known == r->cover_known && cur.days_of_cover == r->days_of_cover;
	copy_figures(&cur, r);
	if (!next)
		return resolve_found(app, STORE_OK, &cur, "recovered", h, it);
	if (same)
		return STORE_OK;
	if ((rc = store_alert_update(st, &cur)))
		return rc;
	show(&cur, h, it);
	return emit(app, "updated", &cur);
}

struct review_ctx {
	struct app *app;
	int rc;
};

static int review_one(void *ctx, long long holder, long long item)
{
	struct review_ctx *c = ctx;
	struct store *st = c->app->store;
	struct holder_info h;
	struct item_info it;
	struct stock_row r;
	int rc = store_holder_get(st, &principal_system, HOLDER_STRUCTURE, holder, &h);
	if (!rc)
		rc = store_item_find(st, NULL, item, &it);
	if (!rc)
		rc = store_stock_get(st, HOLDER_STRUCTURE, holder, item, &r);
	if (rc == STORE_NOTFOUND)
		return 0; /* gone since: nothing to say of it */
	if (!rc)
		rc = alert_engine_overstock(c->app, &h, &it, &r);
	c->rc = rc;
	return rc != STORE_OK;
}

/* The structures of (dep, item) that may need their overstock alert opened or closed. */
static int review_pair(struct app *app, const char *dep, long long item)
{
	struct review_ctx c = {app, STORE_OK};
	int rc = store_overstock_review_list(app->store, (double)app->cfg.overstock_days - app->thresholds.margin_days, dep,
					     item, review_one, &c);
	return rc ? rc : c.rc;
}

void alert_engine_overstock_later(struct app *app, const char *dep, long long item)
{
	if (app->cfg.overstock_days <= 0 || app->overstock_overflow)
		return;
	for (size_t i = 0; i < app->overstock_npending; i++)
		if (app->overstock_pending[i].item == item && strcmp(app->overstock_pending[i].dep, dep) == 0)
			return;
	size_t cap = sizeof app->overstock_pending / sizeof app->overstock_pending[0];
	if (app->overstock_npending == cap) {
		app->overstock_overflow = 1;
		return;
	}
	snprintf(app->overstock_pending[app->overstock_npending].dep, sizeof app->overstock_pending[0].dep, "%s", dep);
	app->overstock_pending[app->overstock_npending++].item = item;
}

static int review_listed(void *ctx, const char *dep, long long item)
{
	struct review_ctx *c = ctx;
	c->rc = review_pair(c->app, dep, item);
	return c->rc != STORE_OK;
}

int alert_engine_overstock_pending(struct app *app)
{
	int rc = STORE_OK;
	if (app->overstock_overflow) {
		struct review_ctx c = {app, STORE_OK};
		rc = store_overstock_pairs(app->store, review_listed, &c);
		rc = rc ? rc : c.rc;
	} else
		for (size_t i = 0; i < app->overstock_npending && !rc; i++)
			rc = review_pair(app, app->overstock_pending[i].dep, app->overstock_pending[i].item);
	return rc;
}

int alert_engine_large_receipt(struct app *app, const struct holder_info *h, const struct item_info *it,
			       long long quantity, const struct stock_row *r)
{
	struct alert_row cur;
	int rc = store_alert_current(app->store, "large_receipt", h->kind, h->id, it->id, &cur);
	if (rc == STORE_NOTFOUND)
		return open_flag(app, "large_receipt", h, it, quantity, r);
	if (rc)
		return rc;
	/* one more large receipt: counted in the open flag, which asks to be looked at again */
	cur.quantity += quantity;
	cur.cover_known = r->cover_known;
	cur.days_of_cover = r->days_of_cover;
	cur.stockout_at = r->stockout_at;
	if (strcmp(cur.status, "acknowledged") == 0)
		snprintf(cur.status, sizeof cur.status, "open");
	if ((rc = store_alert_update(app->store, &cur)))
		return rc;
	show(&cur, h, it);
	return emit(app, "updated", &cur);
}

static int shortage(struct app *app, const struct holder_info *h, const struct item_info *it, struct stock_row *r,
		    int recheck, struct alert_row *out)
{
	int was = 0;
	int rc = shortage_step(app, h, it, r, recheck, out, &was);
	if (rc)
		return rc;
	/* a structure critical now, or not any more: the overstock alerts of its département follow (once
	 * its own alert is written, which they count) */
	int is = out->id && (strcmp(out->severity, "critical") == 0 || strcmp(out->severity, "stockout") == 0);
	if (was != is && h->kind == HOLDER_STRUCTURE)
		alert_engine_overstock_later(app, h->dep, it->id);
	return STORE_OK;
}

int alert_engine_shortage(struct app *app, const struct holder_info *h, const struct item_info *it,
			  struct stock_row *r, struct alert_row *out)
{
	return shortage(app, h, it, r, 0, out);
}

int alert_engine_shortage_recheck(struct app *app, const struct holder_info *h, const struct item_info *it,
				  struct stock_row *r, struct alert_row *out)
{
	return shortage(app, h, it, r, 1, out);
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
	if ((rc = emit(app, resolve ? "resolved" : "acknowledged", &a)))
		return rc;
	*out = a;
	/* a critical shortage resolved by hand: the overstock alerts around it follow */
	if (resolve && strcmp(a.kind, "shortage") == 0 && a.holder_kind == HOLDER_STRUCTURE &&
	    (strcmp(a.severity, "critical") == 0 || strcmp(a.severity, "stockout") == 0))
		alert_engine_overstock_later(app, a.dep, a.item_id);
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

static void unfilled_text(const void *args, const char *lang, char *out, size_t outlen)
{
	deploy_text(DTEXT_UNFILLED, args, lang, out, outlen);
}

int alert_engine_staff_unfilled(struct app *app, const struct staff_unfilled *u, struct alert_row *out)
{
	struct alert_row cur;
	struct holder_info h;
	memset(&h, 0, sizeof h);
	h.kind = HOLDER_STRUCTURE;
	h.id = u->structure_id;
	snprintf(h.dep, sizeof h.dep, "%s", u->dep);
	snprintf(h.name, sizeof h.name, "%s", u->structure_name);
	snprintf(h.commune, sizeof h.commune, "%s", u->commune);
	h.lat = u->lat;
	h.lng = u->lng;
	int rc = store_alert_current_request(app->store, u->request_id, &cur);
	if (rc == STORE_OK) {
		/* open already: it counts the places still missing */
		cur.quantity = u->missing;
		if (strcmp(cur.status, "acknowledged") == 0 && u->deadline)
			snprintf(cur.status, sizeof cur.status, "open"); /* the deadline passed: look again */
		if ((rc = store_alert_update(app->store, &cur)))
			return rc;
		show(&cur, &h, NULL);
		*out = cur;
		return emit(app, "updated", &cur);
	}
	if (rc != STORE_NOTFOUND)
		return rc;
	alert_row_clear(&cur);
	snprintf(cur.kind, sizeof cur.kind, "staff_unfilled");
	cur.holder_kind = HOLDER_STRUCTURE;
	cur.holder_id = u->structure_id;
	cur.request_id = u->request_id;
	snprintf(cur.dep, sizeof cur.dep, "%s", u->dep);
	snprintf(cur.severity, sizeof cur.severity, "critical");
	cur.quantity = u->missing;
	if ((rc = store_alert_insert(app->store, &cur)))
		return rc;
	/* the duty officers are called as for a critical shortage */
	struct deploy_text_args t = {.structure = u->structure_name, .commune = u->commune_name, .profession = u->profession,
				     .start = u->starts_at, .request_id = u->request_id, .missing = u->missing,
				     .count = u->count, .dep = u->dep};
	struct sms_ctx c = {app, &cur, "staff_unfilled", unfilled_text, &t, 0};
	if (store_duty_officers_for(app->store, u->dep, queue_one, &c) || c.failed)
		return STORE_ERROR;
	show(&cur, &h, NULL);
	*out = cur;
	return emit(app, "opened", &cur);
}

int alert_engine_staff_settled(struct app *app, long long request_id, const char *resolution)
{
	struct alert_row cur;
	int rc = store_alert_current_request(app->store, request_id, &cur);
	if (rc == STORE_OK) {
		struct holder_info h;
		if (store_holder_get(app->store, &principal_system, HOLDER_STRUCTURE, cur.holder_id, &h) == STORE_OK)
			return resolve_found(app, STORE_OK, &cur, resolution, &h, NULL);
	}
	return resolve_found(app, rc, &cur, resolution, NULL, NULL);
}
