/* store_cache: holders and items as last read from the database, kept across transactions. Every
 * line of a stock report needs its holder and its item, which change rarely.
 *
 * The store keeps it true: SQLite tells of every row changed in structures, depots and items
 * (sqlite3_update_hook), and that row is forgotten; threshold overrides, whose table SQLite's hook
 * does not cover, are forgotten by the store's own writes to them; a rollback, of a transaction or of a
 * savepoint, forgets everything (what was read inside may be undone), and so does a change made
 * by another connection (PRAGMA data_version, looked at when a transaction begins). */
#ifndef RENFORT_STORE_CACHE_H
#define RENFORT_STORE_CACHE_H

#include "store_stock.h"

struct store_cache;
struct store;

/* The store's own cache (store.c keeps it true). */
struct store_cache *store_cache_of(struct store *st);

struct store_cache *store_cache_new(void);
void store_cache_free(struct store_cache *c);

/* The holder or item, or NULL when not cached. */
const struct holder_info *store_cache_holder(struct store_cache *c, enum holder_kind kind, long long id);
const struct item_info *store_cache_item(struct store_cache *c, long long id);
/* Remembers a copy (nothing when memory runs out: a cache may forget). */
void store_cache_put_holder(struct store_cache *c, const struct holder_info *h);
void store_cache_put_item(struct store_cache *c, const struct item_info *it);

/* Threshold overrides: whether a holder has any; -1 when not known. The store then lists the holders
 * that have some: begin, add each, end (the list counts only if nothing was lost meanwhile). */
int store_cache_holder_has_overrides(struct store_cache *c, enum holder_kind kind, long long id);
void store_cache_override_holders_begin(struct store_cache *c);
void store_cache_override_holders_add(struct store_cache *c, enum holder_kind kind, long long id);
void store_cache_override_holders_end(struct store_cache *c);

/* A row of table changed (SQLite's update hook): forgets what it holds of it. */
void store_cache_changed(struct store_cache *c, const char *table, long long rowid);
void store_cache_clear(struct store_cache *c);

#endif
