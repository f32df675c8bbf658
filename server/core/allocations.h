/* allocations: the shared stock's workflow, run in the caller's transaction. A proposal runs the
 * allocator (rules/allocation.c) over the holders and depots the proposer reads, and writes its
 * explanation and its lines; each line (or a transfer between structures, made by hand) then goes
 * proposed -> approved -> dispatched -> received, or cancelled. Each step moves the ledger in the
 * same transaction: a dispatch takes from the source into transit, a receipt from transit into the
 * structure, a difference is a discrepancy row of its own; a cancelled dispatch goes back to its
 * source. Each step is an allocation.<step> event to the structure, the source and the coordinators;
 * a dispatch sends the structure's contacts an SMS; the shortage alert the line answers is linked to
 * it (its CAP update says so).
 *
 * Who may do what (anything else answers as a missing allocation, 404):
 * - approve: a coordinator whose territory holds the structure and the source (a regional depot's
 *   stock: a region-wide coordinator or one of the depot's own département), or an admin;
 * - dispatch: the source's own token, or a coordinator whose territory holds the source;
 * - receive: the structure's own token, or a coordinator whose territory holds it;
 * - cancel: a coordinator whose territory holds the structure or the source. */
#ifndef RENFORT_ALLOCATIONS_H
#define RENFORT_ALLOCATIONS_H

#include "error.h"
#include "stock.h"
#include "store_allocation.h"

struct app;
struct principal;

/* Proposes a split of the item over the principal's territory (dep: one of its départements, or
 * NULL). *proposal: the new proposal's id (read it back with store_proposal_get and its lines with
 * store_allocation_list). 0, or -1 with err set (404 dep outside the territory, 422 item). */
int allocation_propose(struct app *app, const struct principal *who, const struct stock_item_ref *item, const char *dep,
		       long long *proposal, struct rf_error *err);

/* A line made by hand: from a depot (an allocation) or from a structure (a transfer, mutual aid). */
struct allocation_new {
	struct stock_item_ref item;
	enum holder_kind source_kind;
	long long source_id;
	long long structure_id;
	long long quantity;
	const char *note;
};
int allocation_create(struct app *app, const struct principal *who, const struct allocation_new *in,
		      struct allocation_row *out, struct rf_error *err);

/* quantity 0: as proposed. 409 when not proposed, or when the source cannot give it. */
int allocation_approve(struct app *app, const struct principal *who, long long id, long long quantity,
		       struct allocation_row *out, struct rf_error *err);
int allocation_dispatch(struct app *app, const struct principal *who, long long id, struct allocation_row *out,
			struct rf_error *err);
/* quantity: what arrived; a difference with what was sent needs a reason (the discrepancy's). */
int allocation_receive(struct app *app, const struct principal *who, long long id, long long quantity,
		       const char *reason, struct allocation_row *out, struct rf_error *err);
/* From proposed, approved or dispatched (what was sent goes back to its source). */
int allocation_cancel(struct app *app, const struct principal *who, long long id, const char *reason,
		      struct allocation_row *out, struct rf_error *err);

/* A depot's reserve of an item (what it keeps whatever happens), by a coordinator whose territory
 * holds the depot (a regional one: region-wide or its own département's) or an admin. */
int allocation_reserve_set(struct app *app, const struct principal *who, long long depot,
			   const struct stock_item_ref *item, long long quantity, struct item_info *it, struct rf_error *err);

#endif
