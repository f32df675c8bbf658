/* store_alert: alerts (one open per kind, holder and item), threshold overrides, and the reads
 * people make of them, always within the caller's scope. */
#ifndef RENFORT_STORE_ALERT_H
#define RENFORT_STORE_ALERT_H

#include "store.h"
#include "store_stock.h"

#include <stddef.h>
#include <string.h>

struct principal;

struct alert_row {
	long long id;
	char kind[16];        /* shortage, silent, sms_failed, staff_unfilled */
	enum holder_kind holder_kind;
	long long holder_id;
	long long item_id;    /* 0: none */
	char dep[4];
	char severity[16];    /* warning, critical, stockout */
	char status[16];      /* open, acknowledged, resolved */
	long long quantity;   /* -1: none */
	int cover_known;
	double days_of_cover;
	long long stockout_at;
	long long opened_at, updated_at;
	int version;
	long long acknowledged_at, acknowledged_by;
	long long resolved_at, resolved_by;
	char resolution[16];
	long long request_id;  /* staff_unfilled: the staff request; 0 otherwise */
	long long allocation_id; /* the allocation that answers it, 0: none */
	/* filled by reads for people */
	char commune[8];
	double lat, lng;
	long long assigned_to, assigned_at; /* who took it ("I take it"): a token, 0 when nobody */
	/* quieter alerts (issue 14) */
	long long calm_since;     /* since when the projection allows a lower severity; 0: it does not */
	long long reopened_at;    /* the last time it came back after a resolution; 0: never */
	int reopen_count;
	char sms_severity[16];    /* of the last SMS sent for it, "" none */
	long long sms_at;
	char allocation_status[16]; /* the allocation's, "" when none */
	long long allocation_quantity;
	/* the long texts last: alert_row_clear() zeroes what comes before, and only their first byte */
	char ack_note[UTF8_BYTES(500)];
	char resolve_note[UTF8_BYTES(500)];
	char holder_name[UTF8_BYTES(200)]; /* filled by reads for people */
	char item_code[UTF8_BYTES(64)];
	char item_name[UTF8_BYTES(200)];
	/* the people, by their tokens' labels (store_alert_people) */
	char acknowledged_by_name[UTF8_BYTES(120)];
	char resolved_by_name[UTF8_BYTES(120)];
	char assigned_name[UTF8_BYTES(120)];
};

/* An empty row, without writing its 5 KB of text buffers: the alert rules clear rows for every
 * stock report line. */
static inline void alert_row_clear(struct alert_row *a)
{
	memset(a, 0, offsetof(struct alert_row, ack_note));
	a->ack_note[0] = a->resolve_note[0] = a->holder_name[0] = a->item_code[0] = a->item_name[0] = '\0';
	a->acknowledged_by_name[0] = a->resolved_by_name[0] = a->assigned_name[0] = '\0';
}

/* The alert of (kind, holder, item) that is not resolved; STORE_NOTFOUND when none. */
int store_alert_current(struct store *st, const char *kind, enum holder_kind hk, long long holder, long long item,
			struct alert_row *out);
/* The unresolved alert of a kind that has no holder (sms_failed) for département dep ("" region). */
int store_alert_current_dep(struct store *st, const char *kind, const char *dep, struct alert_row *out);
/* The unresolved staff_unfilled alert of a staff request; STORE_NOTFOUND when none. */
int store_alert_current_request(struct store *st, long long request, struct alert_row *out);
int store_alert_insert(struct store *st, struct alert_row *a);
/* The newest alert of (kind, holder, item), resolved or not; STORE_NOTFOUND when none. */
int store_alert_latest(struct store *st, const char *kind, enum holder_kind hk, long long holder, long long item,
		       struct alert_row *out);
/* Writes severity, status, figures, acknowledgement and resolution; bumps version. */
int store_alert_update(struct store *st, struct alert_row *a);
/* Only the hold of an alert (calm_since, 0: none): nothing people see changes, no new version. */
int store_alert_set_calm(struct store *st, long long id, long long calm_since);
/* Links the alert to the allocation that answers it (0: to none); bumps its version. */
int store_alert_link_allocation(struct store *st, long long alert, long long allocation);
/* One alert the principal may see (with names for people). */
int store_alert_get(struct store *st, const struct principal *p, long long id, struct alert_row *out);

struct alert_query {
	const char *status;   /* "open", "acknowledged", "resolved", or "active" (open and acknowledged) */
	const char *kind, *severity, *dep, *holder_kind;
	long long holder_id;
	long long after, limit;
};
int store_alert_list(struct store *st, const struct principal *p, const struct alert_query *q,
		     int (*cb)(void *ctx, const struct alert_row *a), void *ctx, long long *total);

/* Holders that reported before `before` (ms) and have no open silent alert, or whose silent alert
 * must be raised; cb gets the holder, its département and the time of its last report. */
int store_silent_candidates(struct store *st, long long before,
			    int (*cb)(void *ctx, enum holder_kind hk, long long holder, const char *dep, long long last),
			    void *ctx);
/* The last report time of a holder (0 when none). */
long long store_last_report_at(struct store *st, enum holder_kind hk, long long holder);

/* Anti-hoarding: the open critical or stock-out shortage alerts of an item in a département, but
 * structure except's. */
int store_critical_shortages(struct store *st, const char *dep, long long item, long long except, long long *n);
/* The structures of département dep whose overstock alert for item may have to open (cover at least
 * threshold days, another of the département critical for the item) or close (one is open); each
 * once, in id order. */
int store_overstock_review_list(struct store *st, double threshold, const char *dep, long long item,
				int (*cb)(void *ctx, long long holder, long long item), void *ctx);
/* Every (département, item) with a critical shortage or an open overstock alert. */
int store_overstock_pairs(struct store *st, int (*cb)(void *ctx, const char *dep, long long item), void *ctx);
/* The highest level a holder had of an item since `since` (ms), from its ledger (0 when none). */
int store_recent_max_level(struct store *st, enum holder_kind hk, long long holder, long long item, long long since,
			   long long *max);

/* Threshold overrides (item 0: every item of the holder). */
int store_override_get(struct store *st, enum holder_kind hk, long long holder, long long item, double *warning,
		       double *critical);
int store_override_set(struct store *st, enum holder_kind hk, long long holder, long long item, double warning,
		       double critical);
int store_override_delete(struct store *st, enum holder_kind hk, long long holder, long long item);
int store_override_list(struct store *st, enum holder_kind hk, long long holder,
			int (*cb)(void *ctx, long long item, const char *item_code, double warning, double critical), void *ctx);

#endif
