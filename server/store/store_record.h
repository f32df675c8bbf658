/* store_record: create, read, update, list and delete rows of the model's registries, always
 * through the caller's scope: a row outside it behaves exactly like a missing one. */
#ifndef RENFORT_STORE_RECORD_H
#define RENFORT_STORE_RECORD_H

#include "model.h"
#include "store.h"

struct principal;

#define LIST_MAX_FILTERS 16

struct list_filter {
	int field;         /* index in the entity */
	const char *value; /* already validated by the caller */
};

struct list_query {
	struct list_filter filters[LIST_MAX_FILTERS];
	size_t nfilters;
	const char *q;     /* case-insensitive substring of the name, or NULL */
	long long after;   /* keyset paging: ids greater than this */
	long long limit;
};

/* Called once per row; takes ownership of r. A non-zero return stops the listing. */
typedef int (*record_cb)(void *ctx, struct record *r);

int store_record_get(struct store *st, const struct entity *e, const struct principal *p, long long id,
		     struct record **out);
/* Rows in id order after q->after, at most q->limit; *total (if not NULL) counts all matches. */
int store_record_list(struct store *st, const struct entity *e, const struct principal *p,
		      const struct list_query *q, record_cb cb, void *ctx, long long *total);
/* Inserts r (dep, lat, lng already resolved by the caller) and its children. */
int store_record_insert(struct store *st, const struct record *r, long long *id);
/* The F_UNIQUE_IN_SCOPE fields set in r, looked for in the other rows (all but id; 0 when r is new)
 * that p may read: STORE_CONFLICT (the failure naming the field) when one holds the same value,
 * STORE_OK otherwise. Call it before store_record_insert or store_record_update. */
int store_record_unique_check(struct store *st, const struct principal *p, const struct record *r, long long id);
/* Applies the fields set in patch to row id, if the principal may write it. */
int store_record_update(struct store *st, const struct principal *p, long long id, const struct record *patch);
int store_record_delete(struct store *st, const struct entity *e, const struct principal *p, long long id);
/* Right to erasure: nulls every personal field, drops children, scrubs the audit and remembered
 * responses of that row, and records the erasure. */
int store_record_erase(struct store *st, const struct entity *e, const struct principal *p, long long id);

/* Commune lookup: STORE_NOTFOUND when the INSEE code is not a commune of the region. */
int store_commune_lookup(struct store *st, const char *insee, char dep[4], double *lat, double *lng);

#endif
