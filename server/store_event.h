/* store_event: the durable event log that websocket clients resume from, and idempotency keys. */
#ifndef RENFORT_STORE_EVENT_H
#define RENFORT_STORE_EVENT_H

#include "store.h"

struct event_row {
	long long seq;
	long long at;
	const char *type;
	const char *dep;    /* NULL: region-wide */
	const char *entity;
	long long entity_id;
	const char *payload; /* JSON text */
};

int store_event_append(struct store *st, const struct event_row *ev, long long *seq);
/* Events with seq > after, in order, at most limit. */
int store_event_since(struct store *st, long long after, long long limit,
		      int (*cb)(void *ctx, const struct event_row *ev), void *ctx);
long long store_event_last_seq(struct store *st);
long long store_event_first_seq(struct store *st);
/* Keeps the newest `keep` events. */
int store_event_prune(struct store *st, long long keep);

struct idem_row {
	char *op;
	char *request_hash;
	int status;
	char *response;
};
/* STORE_NOTFOUND when the key is new. Free the row with store_idem_release(). */
int store_idem_get(struct store *st, long long token_id, const char *key, struct idem_row *out);
void store_idem_release(struct idem_row *row);
int store_idem_put(struct store *st, long long token_id, const char *key, const char *op, const char *request_hash,
		   int status, const char *response, const char *entity, long long entity_id);
int store_idem_prune(struct store *st, long long before_ms);

#endif
