#include "allocations.h"

#include "allocation.h"
#include "app.h"
#include "auth.h"
#include "events.h"
#include "geo.h"
#include "grow.h"
#include "outbox.h"
#include "sms_text.h"
#include "stock_requests.h"
#include "store.h"
#include "store_alert.h"
#include "store_record.h"
#include "store_sms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int not_found(struct rf_error *err)
{
	return rf_refuse(err, 404, "not_found", "id", "no such allocation");
}

/* A line's cause in the ledger and the outbox: "allocation" from a depot, "transfer" from a structure. */
static const char *cause_of(const struct allocation_row *a)
{
	return a->transfer ? "transfer" : "allocation";
}

/* May who change the stock of this holder: its own token, a coordinator whose territory holds its
 * département (a regional depot's too: region-wide, or its own département's), an admin? */
static int may_change(const struct principal *who, enum holder_kind kind, long long id, const char *dep)
{
	switch (who->role) {
	case ROLE_ADMIN:
		return 1;
	case ROLE_COORDINATOR:
		return principal_covers_dep(who, dep);
	case ROLE_STRUCTURE:
		return kind == HOLDER_STRUCTURE && id == who->subject_id;
	case ROLE_DEPOT:
		return kind == HOLDER_DEPOT && id == who->subject_id;
	default:
		return 0;
	}
}

/* The allocation, read within who's scope, for one of its steps (on the heap: the row is large);
 * NULL with err set when it cannot be read. */
static struct allocation_row *load(struct app *app, const struct principal *who, long long id, struct rf_error *err)
{
	struct allocation_row *a = malloc(sizeof *a);
	if (!a) {
		app_refuse_store(app, err, STORE_ERROR, "allocation");
		return NULL;
	}
	int rc = store_allocation_get(app->store, who, id, a);
	if (rc == STORE_NOTFOUND)
		not_found(err);
	else if (rc)
		app_refuse_store(app, err, rc, "allocation");
	if (rc) {
		free(a);
		return NULL;
	}
	return a;
}

/* 409 unless the allocation is in the status a step starts from. */
static int in_status(const struct allocation_row *a, enum allocation_status want, const char *step, struct rf_error *err)
{
	if (a->status == want)
		return 0;
	char rule[128];
	snprintf(rule, sizeof rule, "is %s: only a%s %s allocation can be %s", allocation_status_name(a->status),
		 want == ALLOCATION_APPROVED ? "n" : "", allocation_status_name(want), step);
	return rf_refuse(err, 409, "conflict", "status", rule);
}

/* The row as it now is (names and version), its event, and the caller's copy. */
static int step_done(struct app *app, long long id, const char *what, struct allocation_row *out, struct rf_error *err)
{
	int rc = store_allocation_get(app->store, &principal_system, id, out);
	if (!rc && events_add_allocation(app, what, out))
		rc = STORE_ERROR;
	return rc ? app_refuse_store(app, err, rc, "allocation") : 0;
}

/* Moves stock of one party (the source or the structure) as a step of allocation a: the level, the
 * ledger row with its cause, the holder's alerts and stock.level event (stock_move). */
static int move(struct app *app, const struct principal *who, enum holder_kind kind, long long holder,
		const struct allocation_row *a, enum stock_movement_kind mk, long long quantity, struct rf_error *err)
{
	struct stock_movement m;
	memset(&m, 0, sizeof m);
	m.holder.kind = kind;
	m.holder.id = holder;
	m.item.id = a->item_id;
	m.kind = mk;
	m.quantity = quantity;
	m.cause.kind = cause_of(a);
	m.cause.id = a->id;
	m.scope_checked = 1;
	struct stock_movement_result r;
	return stock_move(app, who, &m, &r, err);
}

/* A ledger row of the stock on its way (holder 'transit', its id the allocation's). */
static int transit(struct app *app, const struct principal *who, const struct allocation_row *a, const char *kind,
		   long long delta, long long after, struct rf_error *err)
{
	struct ledger_entry e = {HOLDER_TRANSIT, a->id, a->item_id, kind, delta, after, who->token_id, NULL, 0,
				 cause_of(a), a->id, NULL};
	int rc = store_ledger_append(app->store, &e);
	return rc ? app_refuse_store(app, err, rc, "allocation") : 0;
}

/* The structure's open shortage alert for the item, which the allocation answers (kept when none). */
static int find_alert(struct app *app, struct allocation_row *a)
{
	struct alert_row al;
	int rc = store_alert_current(app->store, "shortage", HOLDER_STRUCTURE, a->structure_id, a->item_id, &al);
	if (rc == STORE_OK)
		a->alert_id = al.id;
	return rc == STORE_NOTFOUND ? STORE_OK : rc;
}

/* The shortage alert that allocation a answers says so (link: a's id), or no longer (link 0, only
 * when it is linked to a): a new version, whose CAP update names the allocation and its status. A
 * resolved alert is history: left alone. */
static int tell_alert(struct app *app, const struct allocation_row *a, long long link)
{
	if (!a->alert_id)
		return STORE_OK;
	struct alert_row *al = malloc(sizeof *al);
	if (!al)
		return STORE_ERROR;
	int rc = store_alert_get(app->store, &principal_system, a->alert_id, al);
	if (rc == STORE_NOTFOUND || (!rc && (strcmp(al->status, "resolved") == 0 || (!link && al->allocation_id != a->id)))) {
		free(al);
		return STORE_OK;
	}
	if (!rc)
		rc = store_alert_link_allocation(app->store, al->id, link);
	if (!rc)
		rc = store_alert_get(app->store, &principal_system, a->alert_id, al);
	if (!rc && events_add_alert(app, "updated", al))
		rc = STORE_ERROR;
	free(al);
	return rc;
}

/* --- the split ----------------------------------------------------------------------------------------- */

/* What the proposal keeps of each holder beside the allocator's inputs. */
struct holder_extra {
	long long request_id, alert_id;
	char alert[16];
	long long quantity;
	double burn_per_day;
};

struct propose_inputs {
	struct app *app;
	const char *dep;
	struct alloc_holder *h;
	struct holder_extra *x;
	size_t nh, caph;
	struct alloc_depot *d;
	size_t nd, capd;
	int oom;
};

static int add_holder(void *ctx, const struct alloc_holder_view *v)
{
	struct propose_inputs *in = ctx;
	size_t cap = in->caph;
	if (array_grow((void **)&in->h, &cap, in->nh + 1, sizeof *in->h) || array_grow((void **)&in->x, &in->caph, in->nh + 1, sizeof *in->x)) {
		in->oom = 1;
		return 1;
	}
	struct alloc_holder *h = &in->h[in->nh];
	struct holder_extra *x = &in->x[in->nh++];
	h->id = v->id;
	h->lat = v->lat;
	h->lng = v->lng;
	h->weight = allocation_weight(&in->app->alloc, v->category, v->legal_form);
	h->quantity = v->quantity;
	h->counted_at = v->reported_at;
	h->burn_per_day = v->burn_per_day;
	h->incoming = v->incoming;
	h->requested = v->requested;
	h->alert = v->alert;
	x->request_id = v->request_id;
	x->alert_id = v->alert_id;
	snprintf(x->alert, sizeof x->alert, "%s", v->alert_id ? shortage_level_name(v->alert) : "");
	x->quantity = v->quantity;
	x->burn_per_day = v->burn_per_day;
	return 0;
}

static int add_depot(void *ctx, const struct alloc_depot_view *v)
{
	struct propose_inputs *in = ctx;
	/* a proposal for one département draws on its own depots and the regional ones */
	if (in->dep && strcmp(v->dep, in->dep) != 0 && strcmp(v->level, "regional") != 0)
		return 0;
	if (array_grow((void **)&in->d, &in->capd, in->nd + 1, sizeof *in->d)) {
		in->oom = 1;
		return 1;
	}
	struct alloc_depot *d = &in->d[in->nd++];
	d->id = v->id;
	d->lat = v->lat;
	d->lng = v->lng;
	d->available = v->quantity - v->reserve - v->committed;
	return 0;
}

/* Writes the proposal, the explanation of every holder, and its lines (with their events). */
static int write_proposal(struct app *app, const struct principal *who, const struct item_info *it, const char *dep,
			  const struct alloc_params *p, const struct propose_inputs *in, const struct alloc_holder_out *out,
			  const struct alloc_line *lines, const struct alloc_summary *sum, long long *id)
{
	struct store *st = app->store;
	struct proposal_row pr;
	memset(&pr, 0, sizeof pr);
	pr.item_id = it->id;
	snprintf(pr.scope, sizeof pr.scope, "%s", who->role == ROLE_ADMIN ? "" : who->deps);
	snprintf(pr.dep, sizeof pr.dep, "%s", dep ? dep : "");
	pr.target_days = p->target_days;
	pr.cap_days = p->cap_days;
	pr.floor_days = p->floor_days;
	pr.pack = p->pack;
	pr.supply = sum->supply;
	pr.demand = sum->demand;
	pr.given = sum->given;
	pr.short_supply = sum->short_supply;
	pr.capped = sum->capped;
	pr.level = sum->level;
	pr.holders = (long long)in->nh;
	pr.created_by = who->token_id;
	int rc = store_proposal_insert(st, &pr);
	for (size_t i = 0; !rc && i < in->nh; i++) {
		const struct alloc_holder_out *o = &out[i];
		struct assessment_row a;
		memset(&a, 0, sizeof a);
		a.structure_id = in->h[i].id;
		snprintf(a.outcome, sizeof a.outcome, "%s", alloc_outcome_name(o->outcome));
		a.quantity = in->x[i].quantity;
		a.stock_now = o->stock_now;
		a.incoming = in->h[i].incoming;
		a.rate_known = o->cover_known;
		a.burn_per_day = in->x[i].burn_per_day;
		a.cover_before = o->cover_before;
		a.cover_after = o->cover_after;
		a.weight = in->h[i].weight;
		a.need = o->need;
		a.demand = o->demand;
		a.requested = in->h[i].requested;
		a.request_above_need = o->request_above_need;
		a.given = o->quantity;
		snprintf(a.alert, sizeof a.alert, "%s", in->x[i].alert);
		rc = store_assessment_insert(st, pr.id, &a);
	}
	struct allocation_row *row = malloc(sizeof *row);
	if (!row)
		rc = rc ? rc : STORE_ERROR;
	for (size_t k = 0; !rc && k < sum->nlines; k++) {
		const struct alloc_line *l = &lines[k];
		memset(row, 0, sizeof *row);
		row->proposal_id = pr.id;
		row->item_id = it->id;
		row->source_kind = HOLDER_DEPOT;
		row->source_id = in->d[l->depot].id;
		row->structure_id = in->h[l->holder].id;
		row->quantity = l->quantity;
		snprintf(row->outcome, sizeof row->outcome, "%s", alloc_outcome_name(out[l->holder].outcome));
		row->has_distance = 1;
		row->distance_km = l->distance_km;
		row->request_id = in->x[l->holder].request_id;
		row->alert_id = in->x[l->holder].alert_id;
		row->created_by = who->token_id;
		rc = store_allocation_insert(st, row);
		if (!rc)
			rc = store_allocation_get(st, &principal_system, row->id, row);
		if (!rc && events_add_allocation(app, "proposed", row))
			rc = STORE_ERROR;
	}
	free(row);
	if (!rc)
		*id = pr.id;
	return rc;
}

int allocation_propose(struct app *app, const struct principal *who, const struct stock_item_ref *item, const char *dep,
		       long long *proposal, struct rf_error *err)
{
	struct item_info it;
	if (stock_item_find(app, item, "item", &it, err))
		return -1;
	if (dep && (strlen(dep) != 2 || !principal_covers_dep(who, dep)))
		return rf_refuse(err, 404, "not_found", "dep", "no such département in your territory");
	struct propose_inputs in;
	memset(&in, 0, sizeof in);
	in.app = app;
	in.dep = dep;
	int rc = store_alloc_holders(app->store, who, it.id, dep, add_holder, &in);
	if (!rc)
		rc = store_alloc_depots(app->store, who, it.id, add_depot, &in);
	if (!rc && in.oom)
		rc = STORE_ERROR;
	struct alloc_holder_out *out = rc ? NULL : malloc((in.nh ? in.nh : 1) * sizeof *out);
	struct alloc_line *lines = rc ? NULL : malloc((in.nh + in.nd + 1) * sizeof *lines);
	struct alloc_summary sum;
	struct alloc_params p = allocation_params(&app->alloc, it.code);
	if (!rc && (!out || !lines || alloc_split(&p, store_now(app->store), in.h, in.nh, in.d, in.nd, out,
								 lines, &sum)))
		rc = STORE_ERROR;
	if (!rc)
		rc = write_proposal(app, who, &it, dep, &p, &in, out, lines, &sum, proposal);
	free(out);
	free(lines);
	free(in.h);
	free(in.x);
	free(in.d);
	return rc ? app_refuse_store(app, err, rc, "proposal") : 0;
}

/* --- a line by hand --------------------------------------------------------------------------------------- */

/* Does who read the source: a holder of its territory, or a regional depot (everyone's shared stock,
 * as the depots' registry says)? */
static int source_readable(struct app *app, const struct principal *who, const struct holder_info *h)
{
	if (who->role == ROLE_ADMIN || principal_covers_dep(who, h->dep))
		return 1;
	struct record *r = NULL;
	int readable = h->kind == HOLDER_DEPOT && store_record_get(app->store, &entity_depot, who, h->id, &r) == STORE_OK;
	record_free(r);
	return readable;
}

int allocation_create(struct app *app, const struct principal *who, const struct allocation_new *in,
		      struct allocation_row *out, struct rf_error *err)
{
	struct store *st = app->store;
	struct item_info it;
	struct holder_info to, from;
	if (stock_item_find(app, &in->item, "item", &it, err))
		return -1;
	int rc = store_holder_get(st, &principal_system, HOLDER_STRUCTURE, in->structure_id, &to);
	if (rc == STORE_NOTFOUND || (!rc && !may_change(who, HOLDER_STRUCTURE, to.id, to.dep)))
		return rf_refuse(err, 404, "not_found", "structure_id", "no such structure");
	if (!rc)
		rc = store_holder_get(st, &principal_system, in->source_kind, in->source_id, &from);
	if (!rc && !source_readable(app, who, &from))
		rc = STORE_NOTFOUND;
	if (rc == STORE_NOTFOUND)
		return rf_refuse(err, 404, "not_found", "source_id", "no such depot or structure");
	if (rc)
		return app_refuse_store(app, err, rc, "source_id");
	if (in->source_kind == HOLDER_STRUCTURE && in->source_id == in->structure_id)
		return rf_refuse(err, 422, "invalid", "source_id", "must not be the structure that receives");
	struct allocation_row *row = malloc(sizeof *row);
	if (!row)
		return app_refuse_store(app, err, STORE_ERROR, "allocation");
	memset(row, 0, sizeof *row);
	row->transfer = in->source_kind == HOLDER_STRUCTURE;
	row->item_id = it.id;
	row->source_kind = in->source_kind;
	row->source_id = in->source_id;
	row->structure_id = to.id;
	row->quantity = in->quantity;
	row->has_distance = 1;
	row->distance_km = geo_distance_km(from.lat, from.lng, to.lat, to.lng);
	row->created_by = who->token_id;
	snprintf(row->note, sizeof row->note, "%s", in->note ? in->note : "");
	rc = find_alert(app, row);
	if (!rc)
		rc = store_allocation_insert(st, row);
	long long id = row->id;
	free(row);
	if (rc)
		return app_refuse_store(app, err, rc, "allocation");
	return step_done(app, id, "proposed", out, err);
}

/* --- the steps ---------------------------------------------------------------------------------------- */

/* What the source can still give: its level, less its reserve (a depot's) and what the allocations
 * approved before this one take. */
static int source_available(struct app *app, const struct allocation_row *a, long long *avail)
{
	struct store *st = app->store;
	struct stock_row r;
	long long reserve = 0, committed = 0;
	int rc = store_stock_get(st, a->source_kind, a->source_id, a->item_id, &r);
	if (rc == STORE_NOTFOUND) {
		r.quantity = 0;
		rc = STORE_OK;
	}
	if (!rc && a->source_kind == HOLDER_DEPOT)
		rc = store_reserve_get(st, a->source_id, a->item_id, &reserve);
	if (!rc)
		rc = store_allocation_committed(st, a->source_kind, a->source_id, a->item_id, a->id, &committed);
	*avail = r.quantity - reserve - committed;
	return rc;
}

int allocation_approve(struct app *app, const struct principal *who, long long id, long long quantity,
		       struct allocation_row *out, struct rf_error *err)
{
	struct allocation_row *a = load(app, who, id, err);
	int rc = -1;
	if (!a)
		return -1;
	if (!may_change(who, HOLDER_STRUCTURE, a->structure_id, a->dep) || !may_change(who, a->source_kind, a->source_id, a->source_dep)) {
		not_found(err);
		goto out;
	}
	if (in_status(a, ALLOCATION_PROPOSED, "approved", err))
		goto out;
	if (quantity > 0)
		a->quantity = quantity;
	long long avail = 0;
	int src = source_available(app, a, &avail);
	if (src) {
		app_refuse_store(app, err, src, "allocation");
		goto out;
	}
	if (a->quantity > avail) {
		char rule[160];
		snprintf(rule, sizeof rule, "is more than the source can give: %lld after its reserve and the allocations approved before",
			 avail > 0 ? avail : 0);
		rf_refuse(err, 409, "conflict", "quantity", rule);
		goto out;
	}
	a->status = ALLOCATION_APPROVED;
	a->approved_by = who->token_id;
	a->approved_at = store_now(app->store);
	/* the shortage it answers: the one open now */
	if ((src = find_alert(app, a)) || (src = store_allocation_update(app->store, a)) || (src = tell_alert(app, a, a->id))) {
		app_refuse_store(app, err, src, "allocation");
		goto out;
	}
	rc = step_done(app, id, "approved", out, err);
out:
	free(a);
	return rc;
}

struct sms_ctx {
	struct app *app;
	const struct allocation_row *a;
	int failed;
};

static int queue_one(void *ctx, const struct recipient *r)
{
	struct sms_ctx *c = ctx;
	const struct allocation_row *a = c->a;
	char text[480];
	struct allocation_text t = {a->quantity, a->item_name, a->unit, a->source_name, a->id};
	sms_text_allocation(&t, r->lang, text, sizeof text);
	struct sms_row row;
	memset(&row, 0, sizeof row);
	row.kind = "allocation_dispatched";
	row.dep = a->dep;
	row.recipient_kind = r->kind;
	row.recipient_id = r->id;
	row.phone = r->phone;
	row.lang = r->lang;
	row.text = text;
	row.cause_kind = cause_of(a);
	row.cause_id = a->id;
	if (outbox_queue(c->app, &row, NULL)) {
		c->failed = 1;
		return 1;
	}
	return 0;
}

int allocation_dispatch(struct app *app, const struct principal *who, long long id, struct allocation_row *out,
			struct rf_error *err)
{
	struct allocation_row *a = load(app, who, id, err);
	int rc = -1;
	if (!a)
		return -1;
	if (!may_change(who, a->source_kind, a->source_id, a->source_dep)) {
		not_found(err);
		goto out;
	}
	if (in_status(a, ALLOCATION_APPROVED, "dispatched", err))
		goto out;
	/* from the source into transit */
	if (move(app, who, a->source_kind, a->source_id, a, MOVE_DISPATCH, a->quantity, err) ||
	    transit(app, who, a, "dispatch", a->quantity, a->quantity, err))
		goto out;
	a->status = ALLOCATION_DISPATCHED;
	a->dispatched_by = who->token_id;
	a->dispatched_at = store_now(app->store);
	struct sms_ctx c = {app, a, 0};
	int src = store_allocation_update(app->store, a);
	if (!src)
		src = tell_alert(app, a, a->id);
	if (!src)
		src = store_structure_contacts(app->store, a->structure_id, queue_one, &c);
	if (!src && c.failed)
		src = STORE_ERROR;
	if (src) {
		app_refuse_store(app, err, src, "allocation");
		goto out;
	}
	rc = step_done(app, id, "dispatched", out, err);
out:
	free(a);
	return rc;
}

int allocation_receive(struct app *app, const struct principal *who, long long id, long long quantity,
		       const char *reason, struct allocation_row *out, struct rf_error *err)
{
	struct allocation_row *a = load(app, who, id, err);
	int rc = -1;
	if (!a)
		return -1;
	if (!may_change(who, HOLDER_STRUCTURE, a->structure_id, a->dep)) {
		not_found(err);
		goto out;
	}
	if (in_status(a, ALLOCATION_DISPATCHED, "received", err))
		goto out;
	long long sent = a->quantity;
	if (quantity != sent && !(reason && reason[0])) {
		char rule[160];
		snprintf(rule, sizeof rule, "is required when the quantity received differs from the %lld sent", sent);
		rf_refuse(err, 422, "required", "reason", rule);
		goto out;
	}
	/* out of transit: what was found on the way first (transit never goes below 0), then what the
	 * structure received, then what was lost */
	long long in_transit = sent;
	if (quantity > sent && transit(app, who, a, "discrepancy", quantity - sent, in_transit = quantity, err))
		goto out;
	if (quantity > 0 && transit(app, who, a, "receipt", -quantity, in_transit -= quantity, err))
		goto out;
	if (quantity < sent && transit(app, who, a, "discrepancy", -(sent - quantity), 0, err))
		goto out;
	if (quantity > 0 && move(app, who, HOLDER_STRUCTURE, a->structure_id, a, MOVE_RECEIPT, quantity, err))
		goto out;
	a->status = ALLOCATION_RECEIVED;
	a->received_quantity = quantity;
	a->received_by = who->token_id;
	a->received_at = store_now(app->store);
	snprintf(a->discrepancy_reason, sizeof a->discrepancy_reason, "%s", quantity != sent ? reason : "");
	int src = store_allocation_update(app->store, a);
	if (!src)
		src = stock_requests_serve(app, who, a->structure_id, a->item_id, a->id, a->created_at);
	if (src) {
		app_refuse_store(app, err, src, "allocation");
		goto out;
	}
	rc = step_done(app, id, "received", out, err);
out:
	free(a);
	return rc;
}

int allocation_cancel(struct app *app, const struct principal *who, long long id, const char *reason,
		      struct allocation_row *out, struct rf_error *err)
{
	struct allocation_row *a = load(app, who, id, err);
	int rc = -1;
	if (!a)
		return -1;
	if (!may_change(who, HOLDER_STRUCTURE, a->structure_id, a->dep) && !may_change(who, a->source_kind, a->source_id, a->source_dep)) {
		not_found(err);
		goto out;
	}
	if (a->status == ALLOCATION_RECEIVED || a->status == ALLOCATION_CANCELLED) {
		char rule[128];
		snprintf(rule, sizeof rule, "is %s: only a proposed, approved or dispatched allocation can be cancelled",
			 allocation_status_name(a->status));
		rf_refuse(err, 409, "conflict", "status", rule);
		goto out;
	}
	/* what was sent goes back to its source */
	if (a->status == ALLOCATION_DISPATCHED &&
	    (transit(app, who, a, "receipt", -a->quantity, 0, err) ||
	     move(app, who, a->source_kind, a->source_id, a, MOVE_RECEIPT, a->quantity, err)))
		goto out;
	snprintf(a->cancelled_from, sizeof a->cancelled_from, "%s", allocation_status_name(a->status));
	a->status = ALLOCATION_CANCELLED;
	a->cancelled_by = who->token_id;
	a->cancelled_at = store_now(app->store);
	snprintf(a->cancel_reason, sizeof a->cancel_reason, "%s", reason ? reason : "");
	int src = store_allocation_update(app->store, a);
	if (!src)
		src = tell_alert(app, a, 0);
	if (src) {
		app_refuse_store(app, err, src, "allocation");
		goto out;
	}
	rc = step_done(app, id, "cancelled", out, err);
out:
	free(a);
	return rc;
}

/* --- reserves ------------------------------------------------------------------------------------------- */

int allocation_reserve_set(struct app *app, const struct principal *who, long long depot,
			   const struct stock_item_ref *item, long long quantity, struct item_info *it, struct rf_error *err)
{
	struct holder_info h;
	int rc = store_holder_get(app->store, &principal_system, HOLDER_DEPOT, depot, &h);
	if (rc == STORE_NOTFOUND || (!rc && !may_change(who, HOLDER_DEPOT, h.id, h.dep)))
		return rf_refuse(err, 404, "not_found", "depot_id", "no such depot");
	if (rc)
		return app_refuse_store(app, err, rc, "depot_id");
	if (stock_item_find(app, item, "item", it, err))
		return -1;
	rc = store_reserve_set(app->store, depot, it->id, quantity, who->token_id);
	return rc ? app_refuse_store(app, err, rc, "reserve") : 0;
}
