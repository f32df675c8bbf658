/* store_stock: stock levels per holder and item, and the append-only ledger explaining them. */
#ifndef RENFORT_STORE_STOCK_H
#define RENFORT_STORE_STOCK_H

#include "store.h"

enum holder_kind { HOLDER_STRUCTURE, HOLDER_DEPOT };

const char *holder_kind_name(enum holder_kind k);

/* Sets the level to quantity and appends a ledger row of this kind ("report", "adjustment", ...)
 * with the difference. Returns the previous level in *before (-1 when there was none). */
int store_stock_set(struct store *st, enum holder_kind kind, long long holder, long long item, long long quantity,
		    const char *ledger_kind, long long actor, const char *idem_key, long long *before);
/* The id of the item with this code, STORE_NOTFOUND when none. */
int store_item_id(struct store *st, const char *code, long long *id);

/* Every structure's id, occupancy and staff (0 when not given), in id order. */
int store_structure_headcounts(struct store *st, int (*cb)(void *ctx, long long id, long long occupancy, long long staff),
			       void *ctx);
long long store_structure_count(struct store *st);

#endif
