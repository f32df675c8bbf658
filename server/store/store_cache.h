/* store_cache: holders and items as last read from the database, kept across transactions. Every
 * line of a stock report needs its holder and its item, which change rarely.
 *
 * The store keeps it true: SQLite tells of every row changed in structures, depots and items
 * (sqlite3_update_hook), and that row is forgotten; marks (which holders have threshold overrides,
 * open alerts) are kept whole by the store's own writes; a rollback, of a transaction or of a
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

/* Marks: the holders that may have something most have not, so that the question need not be asked
 * of the table for the others. A mark may outlive what it stands for (that costs a lookup), never
 * the reverse. */
enum store_mark {
	MARK_OVERRIDES,      /* has threshold overrides */
	MARK_SHORTAGE_ALERT, /* has an open shortage alert */
	MARK_SILENT_ALERT,   /* has an open silent alert */
	MARK_OVERSTOCK_ALERT, /* has an open overstock alert */
	MARK_COUNT
};
/* Whether the holder is marked; -1 when the cache does not know the marks of that kind. The store
 * then lists the holders to mark: begin, mark each, end (the list counts only if nothing was lost
 * meanwhile). Marking outside a listing keeps a known list whole. */
int store_cache_marked(struct store_cache *c, enum store_mark m, enum holder_kind kind, long long id);
void store_cache_marks_begin(struct store_cache *c, enum store_mark m);
void store_cache_mark(struct store_cache *c, enum store_mark m, enum holder_kind kind, long long id);
void store_cache_marks_end(struct store_cache *c, enum store_mark m);

/* A row of table changed (SQLite's update hook): forgets what it holds of it. */
void store_cache_changed(struct store_cache *c, const char *table, long long rowid);
void store_cache_clear(struct store_cache *c);

#endif
