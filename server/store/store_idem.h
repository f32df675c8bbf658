/* store_idem: remembered answers of writes that carried an idempotency key. */
#ifndef RENFORT_STORE_IDEM_H
#define RENFORT_STORE_IDEM_H

#include "store.h"

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
