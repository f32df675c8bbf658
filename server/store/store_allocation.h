/* store_allocation: the shared stock's movements as rows: requests for stock, allocation proposals
 * with what the allocator computed for each holder, allocations (lines from a depot, or from a
 * structure for a transfer) through their workflow, the depots' reserves, and the inputs the
 * allocator and the nearest-stock search read. Reads for people are within the caller's scope; the
 * parties' départements are read through them (joins), so a row follows its holder when it moves. */
#ifndef RENFORT_STORE_ALLOCATION_H
#define RENFORT_STORE_ALLOCATION_H

#include "alert_rules.h"
#include "store.h"
#include "store_stock.h"
#include "validate.h"

struct principal;

/* --- requests for stock ------------------------------------------------------------------------------ */

struct stock_request_row {
	long long id;
	long long structure_id, item_id;
	long long quantity;
	char status[16];          /* open, served, cancelled */
	long long allocation_id;  /* the allocation whose receipt served it, 0: none */
	long long created_by, created_at, updated_at, closed_by, closed_at;
	/* the structure's need for the item when it was read (set by core: stock_request_need) */
	int need_known;
	long long need;
	/* read with the row, for people */
	char dep[4];              /* the structure's */
	char item_code[UTF8_BYTES(64)];
	char unit[UTF8_BYTES(40)];
	char reason[UTF8_BYTES(500)];
	char cancel_reason[UTF8_BYTES(500)];
	char structure_name[UTF8_BYTES(200)];
	char item_name[UTF8_BYTES(200)];
};

struct request_query {
	const char *status, *item, *dep;
	long long structure_id;
	long long after, limit;
};

int store_request_insert(struct store *st, struct stock_request_row *r);
/* One request the principal may read (a coordinator of its structure's département, the structure). */
int store_request_get(struct store *st, const struct principal *p, long long id, struct stock_request_row *out);
int store_request_list(struct store *st, const struct principal *p, const struct request_query *q,
		       int (*cb)(void *ctx, const struct stock_request_row *r), void *ctx, long long *total);
/* Writes status, allocation, closing and updated_at. */
int store_request_update(struct store *st, const struct stock_request_row *r);
/* The open requests of a structure for an item made at or before `before` (ms), oldest first. */
int store_requests_open(struct store *st, long long structure, long long item, long long before,
			int (*cb)(void *ctx, const struct stock_request_row *r), void *ctx);

/* --- allocations --------------------------------------------------------------------------------------- */

enum allocation_status {
	ALLOCATION_PROPOSED,
	ALLOCATION_APPROVED,
	ALLOCATION_DISPATCHED,
	ALLOCATION_RECEIVED,
	ALLOCATION_CANCELLED,
};
const char *allocation_status_name(enum allocation_status s);
int allocation_status_parse(const char *name); /* -1 when unknown */

struct allocation_row {
	long long id;
	long long proposal_id;    /* 0: made by hand */
	int transfer;             /* from a structure (mutual aid), else from a depot */
	long long item_id;
	enum holder_kind source_kind;
	long long source_id;
	long long structure_id;
	enum allocation_status status;
	long long proposed_quantity, quantity;
	long long received_quantity; /* -1: not received */
	char outcome[16];         /* a proposed line's outcome, "" for one made by hand */
	int has_distance;
	double distance_km;
	long long request_id, alert_id; /* 0: none */
	long long created_by, created_at, approved_by, approved_at, dispatched_by, dispatched_at;
	long long received_by, received_at, cancelled_by, cancelled_at, updated_at;
	int version;
	char cancelled_from[16];  /* the status it was cancelled in */
	/* read with the row, for people and events */
	char dep[4];              /* the structure's */
	char source_dep[4];
	char source_level[16];    /* a depot's level, "" for a structure */
	char item_code[UTF8_BYTES(64)];
	char unit[UTF8_BYTES(40)];
	char item_name[UTF8_BYTES(200)];
	char structure_name[UTF8_BYTES(200)];
	char source_name[UTF8_BYTES(200)];
	char note[UTF8_BYTES(500)];
	char discrepancy_reason[UTF8_BYTES(500)];
	char cancel_reason[UTF8_BYTES(500)];
};

struct allocation_query {
	const char *status, *item, *dep;
	long long structure_id;   /* 0: any */
	const char *source_kind;  /* with source_id */
	long long source_id;
	long long proposal_id;
	long long after, limit;
};

/* Sets r->id. */
int store_allocation_insert(struct store *st, struct allocation_row *r);
/* One allocation the principal may read: a coordinator of the structure's or of the source's
 * département (or of the whole region), the structure, the source depot or structure. */
int store_allocation_get(struct store *st, const struct principal *p, long long id, struct allocation_row *out);
int store_allocation_list(struct store *st, const struct principal *p, const struct allocation_query *q,
			  int (*cb)(void *ctx, const struct allocation_row *a), void *ctx, long long *total);
/* Writes the workflow's columns and bumps version. */
int store_allocation_update(struct store *st, struct allocation_row *r);
/* What is on its way to a structure: approved or dispatched, not received. */
int store_allocation_incoming(struct store *st, long long structure, long long item, long long *out);
/* What approved (not yet dispatched) allocations take from a source, but allocation `except`. */
int store_allocation_committed(struct store *st, enum holder_kind source_kind, long long source, long long item,
			       long long except, long long *out);

/* --- proposals and their explanation ------------------------------------------------------------------ */

struct proposal_row {
	long long id, item_id;
	char scope[44];          /* the proposer's territory, "" for the region */
	char dep[4];             /* "" for the whole territory */
	double target_days, cap_days, floor_days;
	long long pack;
	long long supply, demand, given;
	int short_supply, capped;
	double level;
	long long holders;
	long long created_by, created_at;
	char item_code[UTF8_BYTES(64)];
	char unit[UTF8_BYTES(40)];
	char item_name[UTF8_BYTES(200)];
};

/* What the allocator computed for one holder (allocation.h's alloc_holder_out, with its inputs). */
struct assessment_row {
	long long structure_id;
	char outcome[16];
	long long quantity;       /* its level */
	double stock_now;
	long long incoming;
	int rate_known;
	double burn_per_day, cover_before, cover_after;
	double weight;
	long long need, demand, requested;
	int request_above_need;
	long long given;
	char alert[16];           /* its open shortage alert's severity, "" */
	/* read for people */
	char dep[4];
	char category[32];
	char name[UTF8_BYTES(200)];
};

int store_proposal_insert(struct store *st, struct proposal_row *r);
int store_assessment_insert(struct store *st, long long proposal, const struct assessment_row *a);
/* A proposal the principal may read: its territory is within the principal's. */
int store_proposal_get(struct store *st, const struct principal *p, long long id, struct proposal_row *out);
/* The assessments of a proposal for structures the principal may read, in structure id order. */
int store_assessment_list(struct store *st, const struct principal *p, long long proposal,
			  int (*cb)(void *ctx, const struct assessment_row *a), void *ctx);

/* --- the allocator's inputs ---------------------------------------------------------------------------- */

/* A structure that holds the item or asked for it, with what the allocator needs to know. */
struct alloc_holder_view {
	long long id;
	const char *name, *dep, *category, *legal_form;
	double lat, lng;
	int has_level;            /* it counted the item at least once */
	long long quantity, reported_at;
	double burn_per_day;      /* 0: unknown */
	long long incoming;       /* approved or dispatched to it */
	long long requested;      /* its open requests */
	long long request_id;     /* its oldest open request, 0: none */
	long long alert_id;       /* its open shortage alert, 0: none */
	enum shortage_level alert;
};

/* The active structures the principal may read (of département dep when given) that hold item or
 * have an open request for it, in id order. */
int store_alloc_holders(struct store *st, const struct principal *p, long long item, const char *dep,
			int (*cb)(void *ctx, const struct alloc_holder_view *v), void *ctx);

struct alloc_depot_view {
	long long id;
	const char *name, *dep, *level;
	double lat, lng;
	long long quantity, reserve, committed;
};

/* The active depots the principal may read (its départements' and the regional ones) that hold the
 * item, in id order. */
int store_alloc_depots(struct store *st, const struct principal *p, long long item,
		       int (*cb)(void *ctx, const struct alloc_depot_view *v), void *ctx);

/* --- reserves ------------------------------------------------------------------------------------------- */

int store_reserve_set(struct store *st, long long depot, long long item, long long quantity, long long actor);
/* 0 when none is set. */
int store_reserve_get(struct store *st, long long depot, long long item, long long *quantity);
int store_reserve_list(struct store *st, long long depot,
		       int (*cb)(void *ctx, const char *item_code, long long quantity, long long updated_at), void *ctx);

#endif
