/* store_sqlite: what the store modules share about SQLite, and nobody else includes:
 * cached statements, the connection, column copies, result mapping, and the scope SQL of holders. */
#ifndef RENFORT_STORE_SQLITE_H
#define RENFORT_STORE_SQLITE_H

#include <sqlite3.h>

#include "grow.h"
#include "store.h"

struct buf;
struct principal;

/* A cached prepared statement for sql (a string literal: its address is the cache key),
 * reset and with bindings cleared. NULL on error (logged). */
sqlite3_stmt *store_prepare(struct store *st, const char *sql);
/* A prepared statement for SQL built at run time, cached by its text (a bounded cache): returns
 * the sqlite3 result code. Give the statement back with store_text_done() (reset when cached,
 * finalized otherwise) before preparing the same text again. */
int store_prepare_text(struct store *st, const char *sql, sqlite3_stmt **out, int *cached);
void store_text_done(sqlite3_stmt *s, int cached);
sqlite3 *store_db(struct store *st);
/* The busy handler of renfort's connections (sqlite3_busy_handler): tries again every 100 µs, for
 * 2 s at most, where SQLite's busy timeout sleeps 1, 2, 5, 10... ms between tries. */
int store_wait_busy(void *arg, int tries);
const char *store_errmsg(struct store *st);

/* The holders (structures, depots) a principal may read, appended as " AND (...)" on the given
 * columns: the holder's département and, for depots, level (regional ones are everyone's shared
 * stock), kind and id (what a structure or depot token is). Binds ?90 and ?91: call
 * store_holder_scope_bind() on the prepared statement. */
struct buf;
void store_holder_scope(struct buf *sql, const struct principal *p, const char *dep_col, const char *level_col,
			const char *kind_col, const char *id_col);
void store_holder_scope_bind(sqlite3_stmt *s, const struct principal *p);

/* SQL that is true when column contains the text bound to param (a "?" or "?N") as it is: LIKE
 * with the pattern's own wildcards (% and _) and escape character escaped, so that a search for
 * "%" finds a percent sign, not every row. Case-insensitive for ASCII, as LIKE is. */
#define STORE_SQL_CONTAINS(column, param)                                                                         \
	column " LIKE '%' || replace(replace(replace(" param ", '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%' " \
	       "ESCAPE '\\'"

/* Copies a text column into a fixed buffer, truncating; NULL (or out of memory) gives "". */
void store_column_copy(char *dst, size_t n, sqlite3_stmt *s, int col);


/* Steps a statement that returns no row, resets it, and maps the result. */
int store_step_done(struct store *st, sqlite3_stmt *s, const char *what);

/* Maps an SQLite result to a store_rc, logging unexpected failures. */
int store_rc_from_sqlite(struct store *st, int rc, const char *what);

#endif
