/* store_sms: the SMS outbox (rows written in the transaction that decided to send them) and the
 * phone numbers to reach: a structure's contacts, a département's duty officers. */
#ifndef RENFORT_STORE_SMS_H
#define RENFORT_STORE_SMS_H

#include "store.h"

#include <string.h>

struct principal;

struct sms_row {
	long long id;
	long long created_at;
	const char *kind;           /* alert_critical, ... */
	const char *dep;            /* NULL: none */
	const char *recipient_kind; /* structure_contact, duty_officer, volunteer, phone */
	long long recipient_id;
	const char *phone;
	const char *lang;
	const char *text;
	const char *cause_kind;     /* what made it be sent: "alert"...; NULL: nothing but a person */
	long long cause_id;         /* 0: none */
	const char *status;
	int attempts;
	long long next_attempt_at;
	const char *last_error;
	const char *gateway, *gateway_ref;
	long long updated_at;
};

/* The alert that caused the message, 0 when its cause is something else or nothing. */
static inline long long sms_row_alert_id(const struct sms_row *r)
{
	return r->cause_kind && strcmp(r->cause_kind, "alert") == 0 ? r->cause_id : 0;
}

/* Queues r, to go out now, or at r->next_attempt_at when that is later (held back). */
int store_sms_enqueue(struct store *st, const struct sms_row *r, long long *id);

struct sms_query {
	const char *status, *kind;
	const char *cause_kind;     /* with cause_id: the messages of one cause */
	long long cause_id;
	long long after, limit;
};
/* Outbox rows the principal may see (by département), in id order. */
int store_sms_list(struct store *st, const struct principal *p, const struct sms_query *q,
		   int (*cb)(void *ctx, const struct sms_row *r), void *ctx);

struct recipient {
	const char *kind; /* structure_contact or duty_officer */
	long long id;
	const char *phone, *lang;
};
/* The duty officers of dep, or the region's when dep has none. */
int store_duty_officers_for(struct store *st, const char *dep, int (*cb)(void *ctx, const struct recipient *r), void *ctx);
/* The duty officers of dep exactly (NULL: the region's own), for escalations. */
int store_duty_officers_of(struct store *st, const char *dep, int (*cb)(void *ctx, const struct recipient *r),
			   void *ctx);
/* The contacts of a structure. */
int store_structure_contacts(struct store *st, long long structure, int (*cb)(void *ctx, const struct recipient *r),
			     void *ctx);

/* Outbox rows the principal may see, counted by status. */
int store_sms_status_counts(struct store *st, const struct principal *p,
			    int (*cb)(void *ctx, const char *status, long long n), void *ctx);

/* --- the sender's side ------------------------------------------------------------------------- */

/* Queued messages to opted-out (or erased) phones are cancelled. */
int store_sms_cancel_unwanted(struct store *st);
/* Takes up to limit due messages (queued, next attempt passed): they become 'sending' with one
 * more attempt, on this gateway; cb sees each. */
int store_sms_claim(struct store *st, long long now, int limit, const char *gateway,
		    int (*cb)(void *ctx, const struct sms_row *r), void *ctx);
int store_sms_get(struct store *st, long long id, int (*cb)(void *ctx, const struct sms_row *r), void *ctx);
int store_sms_sent(struct store *st, long long id, const char *gateway_ref);
int store_sms_retry(struct store *st, long long id, long long next_at, const char *error);
int store_sms_failed(struct store *st, long long id, const char *error);
/* A delivery report: 'delivered' or 'failed' (a message not yet marked sent counts as sent). */
int store_sms_report(struct store *st, long long id, const char *status, const char *error);
/* After a crash: what was being sent is queued again. Returns the number of rows. */
int store_sms_requeue_sending(struct store *st, long long *count);
/* The earliest next attempt of a queued message, 0 when none. */
long long store_sms_next_due(struct store *st);
/* Every queued message becomes 'cancelled' with this reason (the demo's initial state). */
int store_sms_cancel_queued(struct store *st, const char *reason);
/* Messages of a status, counted (for metrics and tests). */
long long store_sms_count(struct store *st, const char *status);

/* --- incoming messages ------------------------------------------------------------------------------ */

/* STORE_CONFLICT when this gateway's message id was already received. invalid_utf8: the gateway
 * sent bytes that were not UTF-8, replaced by U+FFFD in what is given here. */
int store_sms_inbox_insert(struct store *st, const char *gateway, const char *gateway_id, const char *phone,
			   const char *to, const char *text, int invalid_utf8, long long *id);
int store_sms_inbox_result(struct store *st, long long id, const char *keyword, const char *result, long long volunteer);

struct inbox_row {
	long long id;
	const char *gateway, *gateway_id, *phone, *to, *text, *keyword, *result;
	long long volunteer_id, received_at;
	int invalid_utf8;
};
int store_sms_inbox_list(struct store *st, const struct principal *p, long long after, long long limit,
			 int (*cb)(void *ctx, const struct inbox_row *r), void *ctx);

int store_sms_optout(struct store *st, const char *phone, int out);
/* The first volunteer (by id) with this phone: id, département, SMS language; STORE_NOTFOUND when
 * none. A phone is unique only within a writer's scope: several volunteers may share it. */
int store_volunteer_by_phone(struct store *st, const char *phone, long long *id, char dep[4], char lang[4]);

struct phone_volunteer {
	long long id;
	char dep[4];
};
/* Every volunteer with this phone (by id), max at most: their number in *n. */
int store_volunteers_by_phone(struct store *st, const char *phone, struct phone_volunteer *out, int max, int *n);

#endif
