/* stock: the use cases of stock, typed, run in the caller's transaction: a report (the counts of a
 * holder's items) and a movement (a receipt, dispatch, consumption or adjustment, with its cause).
 * Each checks what needs the store (the holder within the principal's scope, the catalogue's items)
 * before anything is written, then writes levels, ledger and report, moves the alerts, and adds
 * the stock.level events. The shape of a request (types, ranges, unknown fields) is the protocol
 * layer's to check; a refusal here is an rf_error naming the field and the rule, with nothing
 * written. */
#ifndef RENFORT_STOCK_H
#define RENFORT_STOCK_H

#include "error.h"
#include "store_stock.h"

struct app;
struct principal;

#define STOCK_REPORT_MAX_LINES 100
#define STOCK_QUANTITY_MAX 1000000000LL

/* An item named by its catalogue code, or by its id when code is NULL. */
struct stock_item_ref {
	const char *code;
	long long id;
};

/* A holder named by the request, or (kind HOLDER_NONE) the principal's own: a structure's or a
 * depot's token reports for itself. */
struct stock_holder_ref {
	enum holder_kind kind;
	long long id;
};

struct stock_report {
	struct stock_holder_ref holder;
	int nlines;
	struct {
		struct stock_item_ref item;
		long long quantity;
	} lines[STOCK_REPORT_MAX_LINES];
	long long occupancy, staff; /* -1: not given (structures only) */
	int confirmed;              /* the reporter confirmed counts far from the history (plausibility.h) */
	const char *idempotency_key;
};

/* A level as it is after a report line or a movement, and its alert. */
struct stock_level {
	char item_code[UTF8_BYTES(64)];
	long long quantity;
	double burn_per_day;  /* 0: unknown */
	int cover_known;
	double days_of_cover;
	long long stockout_at;
	/* the forecast (issue 14): the stock estimated now and the last count's date, the growth of use
	 * (log per day), the band of the stock-out date, the confidence (enum forecast_confidence) */
	long long at;         /* when it was computed */
	long long estimate, counted_at;
	double growth;
	long long stockout_low_at, stockout_high_at;
	int confidence;
	long long alert_id;   /* 0: none */
	char alert_severity[16], alert_status[16];
	size_t event;         /* its stock.level event, in the transaction's events */
};

struct stock_report_result {
	long long report_id;
	enum holder_kind holder_kind;
	long long holder_id;
	char dep[4];
	long long at;
	int nlines;
	struct stock_level levels[STOCK_REPORT_MAX_LINES];
};

/* What caused a movement: a person's declaration (kind NULL), or a row of renfort's ("allocation",
 * "transfer" ...), recorded on the ledger. */
struct stock_cause {
	const char *kind;
	long long id;
};

enum stock_movement_kind { MOVE_RECEIPT, MOVE_DISPATCH, MOVE_CONSUMPTION, MOVE_ADJUSTMENT };

struct stock_movement {
	struct stock_holder_ref holder;
	struct stock_item_ref item;
	enum stock_movement_kind kind;
	long long quantity; /* received, sent, used; for an adjustment, the new level */
	struct stock_cause cause;
	const char *origin; /* a receipt without a cause: where it came from (purchase, donation, other) */
	const char *idempotency_key;
	int scope_checked;  /* the caller checked the holder is within its rules (an allocation's step) */
};

#define STOCK_ORIGINS "purchase, donation or other"
/* Is name a declared receipt's origin? */
int stock_origin_known(const char *name);

struct stock_movement_result {
	enum holder_kind holder_kind;
	long long holder_id;
	long long delta;
	struct stock_level level;
};

/* Applies a report. 0, or -1 with err set (404 holder_id, 422 items[i].item, occupancy..., 422
 * implausible items[i].quantity for a count far from the history that is not confirmed). */
int stock_report_apply(struct app *app, const struct principal *who, const struct stock_report *in,
		       struct stock_report_result *out, struct rf_error *err);
/* Applies a movement. 0, or -1 with err set (a dispatch of more than there is: 422 quantity; a
 * receipt with neither cause nor origin: 422 origin). */
int stock_move(struct app *app, const struct principal *who, const struct stock_movement *in,
	       struct stock_movement_result *out, struct rf_error *err);

/* The holder a request names (or the token's own), within the principal's scope: 0, or -1 with
 * err set (404 holder_id). */
int stock_holder_find(struct app *app, const struct principal *who, const struct stock_holder_ref *ref,
		      struct holder_info *h, struct rf_error *err);
/* An item of the catalogue: 0, or -1 with err set (422 naming field). */
int stock_item_find(struct app *app, const struct stock_item_ref *ref, const char *field, struct item_info *it,
		    struct rf_error *err);

const char *stock_movement_kind_name(enum stock_movement_kind k);
/* -1 when name is no movement kind. */
int stock_movement_kind_parse(const char *name);

#endif
