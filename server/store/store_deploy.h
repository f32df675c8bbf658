/* store_deploy: staff requests, their shifts, the calls made to volunteers and their replies; and the
 * matching's inputs, read into the pure matching's structs (matching.h). Reads for people go through
 * the caller's scope: a coordinator reads the requests of its départements, a structure its own, a
 * volunteer those it was called for; anything else answers as missing. */
#ifndef RENFORT_STORE_DEPLOY_H
#define RENFORT_STORE_DEPLOY_H

#include "matching.h"
#include "store.h"
#include "validate.h"

#include <stddef.h>

struct principal;

#define STAFF_SHIFTS_MAX 14  /* two weeks of daily shifts */

struct staff_request_row {
	long long id, structure_id;
	char dep[4];
	char professions[256];   /* space-separated */
	char credentials[128];
	char skills[UTF8_BYTES(600)];
	char languages[64];
	int count;
	char urgency[12];
	long long starts_at, ends_at, deadline;
	char status[12];
	int filled, wave;
	long long escalated_at, created_by, created_at, updated_at, closed_at;
	char close_reason[32];
	char contact_phone[24];
	struct match_window shifts[STAFF_SHIFTS_MAX];
	int nshifts;
	/* the structure, for people and for distances */
	char commune[8];
	double lat, lng;         /* the structure's commune's centre */
	char structure_name[UTF8_BYTES(200)];
	char commune_name[UTF8_BYTES(100)];
	char address[UTF8_BYTES(200)];
	char notes[UTF8_BYTES(500)];
};

/* How a request's calls stand, by status. */
struct staff_counts {
	int called, open, accepted, declined, expired, failed, withdrawn, cancelled, late;
};

int store_staff_request_insert(struct store *st, struct staff_request_row *r);
/* The request, if p may read it (principal_system: any). */
int store_staff_request_get(struct store *st, const struct principal *p, long long id, struct staff_request_row *out);
/* Writes status, wave, escalated_at, closed_at and close_reason (filled follows the calls). */
int store_staff_request_update(struct store *st, const struct staff_request_row *r);
int store_staff_counts(struct store *st, long long request, struct staff_counts *out);

struct staff_request_query {
	const char *status;    /* one status, "active" (open and filling), or NULL */
	long long structure_id;
	const char *dep;
	long long after, limit;
};
int store_staff_request_list(struct store *st, const struct principal *p, const struct staff_request_query *q,
			     int (*cb)(void *ctx, const struct staff_request_row *r), void *ctx);

/* Requests still open or filling whose deadline has come (now or before). */
int store_staff_requests_past_deadline(struct store *st, long long now, int (*cb)(void *ctx, long long id), void *ctx);
/* Requests that have open calls expired at now. */
int store_staff_requests_with_expired_calls(struct store *st, long long now, int (*cb)(void *ctx, long long id),
					    void *ctx);

struct staff_call_row {
	long long id, request_id, volunteer_id;
	int wave, rank;
	char code[8];
	char status[12];
	int distance_m, widened;
	long long prev_called_at;
	int prev_deployments;
	long long sms_id, called_at, expires_at, answered_at, updated_at;
	/* the volunteer, for people (the store fills them; erased: empty) */
	char vdep[4];
	char profession[24];
	char sms_lang[4];
	char phone[24];
	char first_name[UTF8_BYTES(100)];
	char last_name[UTF8_BYTES(100)];
};

int store_staff_call_insert(struct store *st, struct staff_call_row *c);
int store_staff_call_get(struct store *st, long long id, struct staff_call_row *out);
/* Moves a call to status (answered_at: 0 leaves it). STORE_CONFLICT when the request is already
 * filled and status is "accepted" (the table's last guard). */
int store_staff_call_set_status(struct store *st, long long id, const char *status, long long answered_at);
int store_staff_call_set_sms(struct store *st, long long id, long long sms_id, long long expires_at);
/* The calls of a request, in id order; status NULL for all. */
int store_staff_calls_of_request(struct store *st, long long request, const char *status,
				 int (*cb)(void *ctx, const struct staff_call_row *c), void *ctx);
/* The calls of a volunteer: open or accepted ones (live 1), or every one, newest first. */
int store_staff_calls_of_volunteer(struct store *st, long long volunteer, int live,
				   int (*cb)(void *ctx, const struct staff_call_row *c), void *ctx);
/* Whether the volunteer has an open or accepted call with this code. */
int store_staff_code_taken(struct store *st, long long volunteer, const char *code);

struct staff_reply_row {
	long long id, request_id, call_id, volunteer_id, inbox_id, at;
	const char *source, *text, *verb, *result;
};
int store_staff_reply_insert(struct store *st, const struct staff_reply_row *r);
int store_staff_replies_of_request(struct store *st, long long request,
				   int (*cb)(void *ctx, const struct staff_reply_row *r), void *ctx);

/* A volunteer's phone, SMS language, profession and département (for a call's SMS). */
struct staff_contact {
	char phone[24], lang[4], profession[24], dep[4];
	char first_name[UTF8_BYTES(100)], last_name[UTF8_BYTES(100)];
};
int store_staff_contact(struct store *st, long long volunteer, struct staff_contact *out);

/* --- the matching's inputs ------------------------------------------------------------------------ */

/* Beside each volunteer of a pool: its département (who may see it), and where its lists start in
 * the pool's arrays (pointers are made from these once everything is read: the arrays move while
 * they grow). */
struct match_pool_entry {
	char dep[4];
	size_t skills_at, langs_at, cred_at, unavail_at, only_at, assigned_at;
};

/* Volunteers as the matching reads them, with everything their pointers point to. */
struct match_pool {
	struct match_volunteer *v;
	struct match_pool_entry *e;
	size_t n, cap;
	struct match_credential *creds;
	size_t ncreds, capcreds;
	struct match_window *windows; /* unavailable, then available-only, then assigned, per volunteer */
	size_t nwindows, capwindows;
	char *text;                   /* skills and languages */
	size_t ntext, captext;
	int oom;
};

struct match_load {
	const struct staff_request_row *request; /* for already_called and the assignments that matter */
	int only_professions;       /* 1: only the request's professions (the others cannot be called) */
	long long only_volunteer;   /* >0: that volunteer only */
	long long rest_ms;          /* assignments this close to the request's shifts are read */
	long long now;              /* windows still to come, and what holds now */
};

/* Reads every volunteer (not erased) the load asks for into pool. */
int store_staff_match_load(struct store *st, const struct match_load *q, struct match_pool *pool);
void match_pool_release(struct match_pool *pool);

/* Erasure: a volunteer's free-text replies and their audit snapshots lose their text, their
 * availability windows go. */
int store_staff_erase_volunteer(struct store *st, long long volunteer);

#endif
