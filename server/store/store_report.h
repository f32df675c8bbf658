/* store_report: read-only views across tables: the audit log and the volunteer pool's counts. */
#ifndef RENFORT_STORE_REPORT_H
#define RENFORT_STORE_REPORT_H

#include "store.h"

struct principal;

struct audit_row {
	long long id, at, actor, entity_id, parent_id;
	const char *actor_role, *action, *entity;
	const char *before, *after; /* JSON text or NULL */
	const char *actor_name;     /* the actor's token's label, NULL for renfortd itself */
};

/* Audit rows (newest first, id < before_id when before_id > 0), of one entity/id when given,
 * limited to the principal's territory. */
int store_audit_list(struct store *st, const struct principal *p, const char *entity, long long entity_id,
		     long long before_id, long long limit, int (*cb)(void *ctx, const struct audit_row *r), void *ctx);

struct pool_count {
	const char *dep, *profession, *availability, *gender; /* gender "" when not given */
	long long count;
};

/* Active volunteers counted by département, profession, availability and gender. */
int store_volunteer_counts(struct store *st, const struct principal *p,
			   int (*cb)(void *ctx, const struct pool_count *c), void *ctx);

#endif
