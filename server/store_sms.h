/* store_sms: the SMS outbox (rows written in the transaction that decided to send them) and the
 * phone numbers to reach: a structure's contacts, a département's duty officers. */
#ifndef RENFORT_STORE_SMS_H
#define RENFORT_STORE_SMS_H

#include "store.h"

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
	long long alert_id;         /* 0: none */
	const char *status;
	int attempts;
	long long next_attempt_at;
	const char *last_error;
	const char *gateway, *gateway_ref;
	long long updated_at;
};

int store_sms_enqueue(struct store *st, const struct sms_row *r, long long *id);

struct sms_query {
	const char *status, *kind;
	long long alert_id;
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
/* The contacts of a structure. */
int store_structure_contacts(struct store *st, long long structure, int (*cb)(void *ctx, const struct recipient *r),
			     void *ctx);

#endif
