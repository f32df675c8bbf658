/* store_handover: the notes a shift leaves to the next, per territory, and what changed since. */
#ifndef RENFORT_STORE_HANDOVER_H
#define RENFORT_STORE_HANDOVER_H

#include "store.h"
#include "validate.h"

struct principal;

struct handover_row {
	long long id;
	char territory[8]; /* "region" or a département code */
	long long author;  /* token */
	long long at;
	/* what changed in the territory since the note (alerts) */
	long long opened, acknowledged, resolved, open_critical;
	char author_name[UTF8_BYTES(120)];
	char note[UTF8_BYTES(2000)];
};

int store_handover_insert(struct store *st, const char *territory, long long author, const char *note, long long *id);
/* Notes the principal may read (region notes need a region-wide token; a département's, that
 * département in scope), newest first; territory NULL: all of them. */
int store_handover_list(struct store *st, const struct principal *p, const char *territory, long long before,
			long long limit, int (*cb)(void *ctx, const struct handover_row *h), void *ctx);

#endif
