#include "stock.h"

#include "alert_engine.h"
#include "app.h"
#include "auth.h"
#include "burn.h"
#include "events.h"
#include "model.h"
#include "plausibility.h"
#include "stock_flags.h"
#include "stock_forecast.h"
#include "store.h"
#include "store_alert.h"
#include "store_record.h"

#include <stdio.h>
#include <string.h>

static const char *const movement_names[] = {"receipt", "dispatch", "consumption", "adjustment"};

const char *stock_movement_kind_name(enum stock_movement_kind k)
{
	return movement_names[k];
}

int stock_movement_kind_parse(const char *name)
{
	for (size_t i = 0; i < sizeof movement_names / sizeof movement_names[0]; i++)
		if (strcmp(name, movement_names[i]) == 0)
			return (int)i;
	return -1;
}

int stock_origin_known(const char *name)
{
	return strcmp(name, "purchase") == 0 || strcmp(name, "donation") == 0 || strcmp(name, "other") == 0;
}

int stock_holder_find(struct app *app, const struct principal *who, const struct stock_holder_ref *ref,
		       struct holder_info *h, struct rf_error *err)
{
	enum holder_kind kind = ref->kind;
	long long id = ref->id;
	if (kind == HOLDER_NONE) {
		if (who->role != ROLE_STRUCTURE && who->role != ROLE_DEPOT)
			return rf_refuse(err, 422, "invalid", "holder_kind", "must be structure or depot");
		kind = who->role == ROLE_STRUCTURE ? HOLDER_STRUCTURE : HOLDER_DEPOT;
		id = who->subject_id;
	}
	int rc = store_holder_get(app->store, who, kind, id, h);
	if (rc == STORE_NOTFOUND)
		return rf_refuse(err, 404, "not_found", "holder_id", "no such structure or depot");
	return rc ? app_refuse_store(app, err, rc, "holder_id") : 0;
}

int stock_item_find(struct app *app, const struct stock_item_ref *ref, const char *field, struct item_info *it,
		    struct rf_error *err)
{
	int rc = store_item_find(app->store, ref->code, ref->code ? 0 : ref->id, it);
	if (rc == STORE_NOTFOUND)
		return rf_refuse(err, 422, "invalid", field, "is not an item of the catalogue");
	return rc ? app_refuse_store(app, err, rc, field) : 0;
}

/* The level as it now is, its alert, and its stock.level event. */
static int level_done(struct app *app, const struct holder_info *h, const struct item_info *it, const struct stock_row *r,
		      const struct alert_row *a, struct stock_level *out)
{
	snprintf(out->item_code, sizeof out->item_code, "%s", it->code);
	out->quantity = r->quantity;
	out->burn_per_day = r->burn_per_day;
	out->cover_known = r->cover_known;
	out->days_of_cover = r->days_of_cover;
	out->stockout_at = r->stockout_at;
	out->at = store_now(app->store);
	out->estimate = r->estimated ? r->estimate : r->quantity;
	out->counted_at = r->reported_at;
	out->growth = r->growth;
	out->stockout_low_at = r->stockout_low_at;
	out->stockout_high_at = r->stockout_high_at;
	out->confidence = r->confidence;
	out->alert_id = a->id;
	snprintf(out->alert_severity, sizeof out->alert_severity, "%s", a->id ? a->severity : "");
	snprintf(out->alert_status, sizeof out->alert_status, "%s", a->id ? a->status : "");
	out->event = events_mark(app);
	return events_add_level(app, h->kind, h->id, h->dep, out) ? STORE_ERROR : STORE_OK;
}

/* The level of (holder, item), or a new one at zero. */
static int level_of(struct store *st, const struct holder_info *h, long long item, struct stock_row *r)
{
	int rc = store_stock_get(st, h->kind, h->id, item, r);
	if (rc == STORE_NOTFOUND) {
		memset(r, 0, sizeof *r);
		r->kind = h->kind;
		r->holder_id = h->id;
		r->item_id = item;
		rc = STORE_OK;
	}
	return rc;
}

/* A count far from what the level's history predicts, not confirmed: refused, naming the line and
 * what renfortd expected, so that the reporter can say which is right (plausibility.h). */
static int implausible(struct app *app, const struct stock_row *r, long long count, int line, struct rf_error *err)
{
	struct plausibility_params p = {app->cfg.plausibility_factor, app->cfg.plausibility_floor};
	double projected = plausibility_projected(r->quantity, r->burn_per_day, r->updated_at, store_now(app->store));
	enum plausibility v = plausibility_check(&p, r->stored, r->quantity, projected, count);
	if (v == PLAUSIBLE)
		return 0;
	char field[48];
	snprintf(field, sizeof field, "items[%d].quantity", line);
	if (v == IMPLAUSIBLE_HIGH)
		rf_error_set(err, 422, "implausible", field,
			     "is more than %lld times the last level (%lld): if the count is right, send the report again "
			     "with \"confirmed\": true",
			     p.factor, r->quantity);
	else
		rf_error_set(err, 422, "implausible", field,
			     "is less than 1/%lld of the %.0f expected from the last level (%lld): if the count is right, "
			     "send the report again with \"confirmed\": true",
			     p.factor, projected, r->quantity);
	return -1;
}

/* Occupancy and staff given with a report update the structure (and so the catalogue's estimate of
 * its use). */
static int update_headcount(struct app *app, struct holder_info *h, long long occupancy, long long staff,
			    struct rf_error *err)
{
	struct store *st = app->store;
	struct record *patch = record_new(&entity_structure);
	if (occupancy >= 0)
		record_set_int(patch, STRUCTURE_OCCUPANCY, occupancy);
	if (staff >= 0)
		record_set_int(patch, STRUCTURE_STAFF, staff);
	struct record *cur = NULL;
	int rc = store_record_get(st, &entity_structure, &principal_system, h->id, &cur);
	if (!rc && occupancy >= 0 && cur->v[STRUCTURE_CAPACITY].state == V_SET && occupancy > cur->v[STRUCTURE_CAPACITY].i)
		rc = STORE_INVALID;
	record_free(cur);
	if (rc == STORE_INVALID) {
		record_free(patch);
		return rf_refuse(err, 422, "invalid", "occupancy", "must not exceed the structure's capacity");
	}
	if (!rc)
		rc = store_record_update(st, &principal_system, h->id, patch);
	record_free(patch);
	if (rc)
		return app_refuse_store(app, err, rc, "occupancy");
	if (occupancy >= 0)
		h->occupancy = occupancy;
	if (staff >= 0)
		h->staff = staff;
	return 0;
}

int stock_report_apply(struct app *app, const struct principal *who, const struct stock_report *in,
		       struct stock_report_result *out, struct rf_error *err)
{
	struct holder_info h;
	if (stock_holder_find(app, who, &in->holder, &h, err))
		return -1;
	if ((in->occupancy >= 0 || in->staff >= 0) && h.kind != HOLDER_STRUCTURE)
		return rf_refuse(err, 422, "invalid", in->occupancy >= 0 ? "occupancy" : "staff", "is only for structures");

	/* every line is checked before anything is written */
	int n = in->nlines;
	struct item_info its[STOCK_REPORT_MAX_LINES];
	struct stock_row rows[STOCK_REPORT_MAX_LINES];
	for (int k = 0; k < n; k++) {
		char field[48];
		snprintf(field, sizeof field, "items[%d].item", k);
		if (stock_item_find(app, &in->lines[k].item, field, &its[k], err))
			return -1;
		for (int m = 0; m < k; m++)
			if (its[m].id == its[k].id)
				return rf_refuse(err, 422, "invalid", field, "appears twice in the report");
	}
	if ((in->occupancy >= 0 || in->staff >= 0) && update_headcount(app, &h, in->occupancy, in->staff, err))
		return -1;
	/* then the counts against each level's history, once the rest is known to be right (a refusal
	 * here after a headcount was written rolls back like any other: see DESIGN-NOTES, the fast path) */
	for (int k = 0; k < n; k++) {
		int rc = level_of(app->store, &h, its[k].id, &rows[k]);
		if (rc)
			return app_refuse_store(app, err, rc, "items");
		if (!in->confirmed && implausible(app, &rows[k], in->lines[k].quantity, k, err))
			return -1;
	}

	struct store *st = app->store;
	long long now = store_now(st);
	int rc = store_report_insert(st, h.kind, h.id, n, in->occupancy, in->staff, who->token_id, in->idempotency_key,
				     &out->report_id);
	if (rc)
		return app_refuse_store(app, err, rc, "report");
	out->holder_kind = h.kind;
	out->holder_id = h.id;
	snprintf(out->dep, sizeof out->dep, "%s", h.dep);
	out->at = now;
	out->nlines = n;
	for (int i = 0; i < n; i++) {
		struct stock_row r = rows[i];
		long long qty = in->lines[i].quantity;
		long long before = r.quantity;
		struct alert_row a;
		if (!rc) {
			stock_forecast_count(app, &r, qty, now);
			r.quantity = qty;
			r.reported_at = r.updated_at = now;
			r.consumed_since_count = 0;
			stock_forecast_evaluate(app, &h, &its[i], &r, now);
			/* the alert first: it says when the level needs its next look (due_at, written with it) */
			rc = alert_engine_shortage(app, &h, &its[i], &r, &a);
		}
		if (!rc)
			rc = store_stock_put(st, &r);
		struct ledger_entry e = {h.kind, h.id, its[i].id, "report", qty - before, qty, who->token_id,
					 in->idempotency_key, out->report_id, NULL, 0, NULL};
		if (!rc)
			rc = store_ledger_append(st, &e);
		if (!rc)
			rc = alert_engine_overstock(app, &h, &its[i], &r);
		if (!rc)
			rc = level_done(app, &h, &its[i], &r, &a, &out->levels[i]);
		if (rc)
			return app_refuse_store(app, err, rc, "items");
	}
	if ((rc = alert_engine_reported(app, &h)))
		return app_refuse_store(app, err, rc, "report");
	return 0;
}

/* Is a declared receipt of q (r: the level with it) large against the holder's usual level: the most
 * it held over the last 30 days (read before this receipt is in the ledger), or what its target
 * cover holds? */
static int receipt_flagged(struct app *app, const struct holder_info *h, const struct item_info *it,
			   const struct stock_row *r, long long q, long long now, int *large)
{
	long long recent = 0;
	int rc = store_recent_max_level(app->store, h->kind, h->id, it->id, now - 30 * 86400000LL, &recent);
	if (rc)
		return rc;
	long long usual = r->quantity - q;
	if (recent > usual)
		usual = recent;
	if (r->burn_per_day * app->alloc.target_days > (double)usual)
		usual = (long long)(r->burn_per_day * app->alloc.target_days);
	*large = receipt_is_large(q, usual, (double)app->cfg.large_receipt_factor, app->cfg.large_receipt_min);
	return STORE_OK;
}

int stock_move(struct app *app, const struct principal *who, const struct stock_movement *in,
	       struct stock_movement_result *out, struct rf_error *err)
{
	struct holder_info h;
	struct item_info it;
	/* an allocation's step has checked its parties' scope by its own rules: who only signs the ledger */
	const struct principal *reader = in->scope_checked ? &principal_system : who;
	if (stock_holder_find(app, reader, &in->holder, &h, err) || stock_item_find(app, &in->item, "item", &it, err))
		return -1;
	if (in->kind == MOVE_RECEIPT && !in->cause.kind && !in->origin)
		return rf_refuse(err, 422, "required", "origin",
			      "is required for a receipt that no allocation delivers: purchase, donation or other");
	struct store *st = app->store;
	long long now = store_now(st);
	struct stock_row r;
	int rc = level_of(st, &h, it.id, &r);
	if (rc)
		return app_refuse_store(app, err, rc, "item");
	long long q = in->quantity;
	/* an adjustment gives the new level; the others what came in or went out */
	long long delta = in->kind == MOVE_RECEIPT ? q : in->kind == MOVE_ADJUSTMENT ? q - r.quantity : -q;
	if (r.quantity + delta < 0)
		return rf_refuse(err, 422, "invalid", "quantity", "is more than the holder has");
	r.quantity += delta;
	r.updated_at = now;
	/* receipts, dispatches and corrections are not consumption: the estimator must not see them as
	 * such; consumption declared is, and the estimate between counts must not count it twice */
	if (in->kind != MOVE_CONSUMPTION)
		burn_inflow(&r.burn, delta);
	else
		r.consumed_since_count += q;
	stock_forecast_evaluate(app, &h, &it, &r, now);
	struct ledger_entry e = {h.kind, h.id, it.id, stock_movement_kind_name(in->kind), delta, r.quantity,
				 who->token_id, in->idempotency_key, 0, in->cause.kind, in->cause.kind ? in->cause.id : 0,
				 in->kind == MOVE_RECEIPT && !in->cause.kind ? in->origin : NULL};
	struct alert_row a;
	int large = 0;
	if (in->kind == MOVE_RECEIPT && !in->cause.kind && (rc = receipt_flagged(app, &h, &it, &r, q, now, &large)))
		return app_refuse_store(app, err, rc, "item");
	/* the shortage first: its step says when the level is to be looked at again (r.due_at), which
	 * store_stock_put writes */
	if ((rc = alert_engine_shortage(app, &h, &it, &r, &a)) || (rc = store_stock_put(st, &r)) ||
	    (rc = store_ledger_append(st, &e)) || (rc = alert_engine_overstock(app, &h, &it, &r)) ||
	    (large && (rc = alert_engine_large_receipt(app, &h, &it, q, &r))) ||
	    (rc = level_done(app, &h, &it, &r, &a, &out->level)))
		return app_refuse_store(app, err, rc, "item");
	out->holder_kind = h.kind;
	out->holder_id = h.id;
	out->delta = delta;
	return 0;
}
