/* store_availability: volunteers' availability windows, the boundaries that change what holds
 * now, and credentials by expiry date (reminders, and who expires soon). */
#ifndef RENFORT_STORE_AVAILABILITY_H
#define RENFORT_STORE_AVAILABILITY_H

#include "matching.h"
#include "store.h"
#include "validate.h"

struct principal;

struct window_row {
	long long id, volunteer_id;
	char kind[12];       /* unavailable, available */
	long long start_at;
	long long end_at;    /* 0: no end */
	char source[4];      /* web, sms, api */
	long long created_at;
};

#define WINDOWS_MAX 50 /* windows a volunteer keeps at most (past ones are dropped first) */

int store_window_insert(struct store *st, struct window_row *w);
/* STORE_NOTFOUND when volunteer has no window id. */
int store_window_delete(struct store *st, long long volunteer, long long id);
/* The volunteer's windows that have not ended at now (those with no end included), by start. */
int store_windows_of(struct store *st, long long volunteer, long long now, int (*cb)(void *ctx, const struct window_row *w),
		     void *ctx);
int store_windows_count(struct store *st, long long volunteer, long long now, long long *n);
/* The unavailabilities covering now end now ("DISPO"); those not begun are left. */
int store_windows_end_unavailable(struct store *st, long long volunteer, long long now);

/* What availability_now() needs about one volunteer at now: their unavailabilities covering now,
 * their available-only windows still to come, their assigned shift covering now. */
struct availability_inputs {
	struct match_window unavailable[WINDOWS_MAX], only[WINDOWS_MAX], assigned[2];
	size_t nu, no, na;
};
int store_availability_inputs(struct store *st, long long volunteer, long long now, struct availability_inputs *out);

/* Volunteers for whom a window or an assigned shift began or ended in (after, upto]. */
int store_availability_boundaries(struct store *st, long long after, long long upto,
				  int (*cb)(void *ctx, long long volunteer, const char *dep), void *ctx);

/* --- credentials by expiry date ---------------------------------------------------------------- */

struct expiring_row {
	long long volunteer_id;
	const char *dep, *first_name, *last_name, *phone, *lang, *kind, *expires_on;
};
/* Credentials expiring on or before `until` (YYYY-MM-DD), of volunteers p may read (a volunteer:
 * their own), by date then volunteer; expired ones too when from is NULL, else from `from` on. */
int store_credentials_expiring(struct store *st, const struct principal *p, const char *from, const char *until,
			       const char *dep, long long limit, int (*cb)(void *ctx, const struct expiring_row *r),
			       void *ctx);
/* Credentials expiring from `from` to `until` whose volunteer (active or pending) has not been
 * reminded of that very date. */
int store_credentials_to_remind(struct store *st, const char *from, const char *until,
				int (*cb)(void *ctx, const struct expiring_row *r), void *ctx);
int store_credential_reminded(struct store *st, long long volunteer, const char *kind, const char *expires_on,
			      long long sms_id);

#endif
