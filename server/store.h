/* store: the one SQLite connection, its pragmas, migrations, transactions and statement cache.
 * All SQL of renfort lives in store*.c; nothing above the store sees sqlite3 types except the
 * store_*.c modules themselves. */
#ifndef RENFORT_STORE_H
#define RENFORT_STORE_H

#include <stddef.h>
#include <sqlite3.h>

struct store;
struct principal;

enum store_rc {
	STORE_OK = 0,
	STORE_NOTFOUND = -1,  /* missing, or outside the caller's scope: the same answer */
	STORE_CONFLICT = -2,  /* a uniqueness or reference rule */
	STORE_INVALID = -3,   /* a value the store refuses (the store's error names the field) */
	STORE_ERROR = -4,     /* SQLite failed: I/O, full disk, corruption */
};

/* Opens (creating if needed) the database, sets WAL + synchronous=FULL + foreign keys, and
 * applies the numbered migrations of schema_dir that are not applied yet. */
int store_open(struct store **out, const char *path, const char *schema_dir, char *err, size_t errlen);
void store_close(struct store *st);

/* The schema version (the highest applied migration). */
int store_schema_version(struct store *st);

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

/* Transactions. begin() sets the clock and the actor that the audit triggers record. */
int store_begin(struct store *st, long long now_ms, const struct principal *actor);
/* Changes the actor recorded by the audit triggers inside the current transaction. */
void store_set_actor(struct store *st, const struct principal *actor);
int store_commit(struct store *st);
void store_rollback(struct store *st);
int store_in_transaction(struct store *st);
int store_savepoint(struct store *st);
/* Rows inserted, updated or deleted on the connection so far (triggers included). */
long long store_total_changes(struct store *st);
int store_release(struct store *st);
void store_rollback_savepoint(struct store *st);
long long store_now(struct store *st);
/* Moves the clock of the transaction in progress (the test clock). */
void store_set_now(struct store *st, long long now_ms);

/* Runs one SQL text with no results (used by migrations and maintenance). */
int store_exec(struct store *st, const char *sql);

/* The message of a failed store call: field and rule, for the client. Set by store modules. */
void store_set_failure(struct store *st, const char *field, const char *rule);
const char *store_failure_field(struct store *st);
struct rf_error;
/* A failure (STORE_NOTFOUND, _CONFLICT, _INVALID, _ERROR) as a client reads it: 404, 409 or 422
 * naming the store's field and rule when it gave them (what otherwise), 503. Returns the status. */
int store_rf_error(struct store *st, int rc, const char *what, struct rf_error *err);
const char *store_failure_rule(struct store *st);

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

/* Online backup of the live database into path (SQLite's backup API, a few pages at a time). */
int store_backup(struct store *st, const char *path, char *err, size_t errlen);

/* Named integers of the server itself (table meta). get: STORE_NOTFOUND when never set. */
int store_meta_get(struct store *st, const char *key, long long *value);
int store_meta_set(struct store *st, const char *key, long long value);

/* Copies the WAL into the database and truncates it (after an erasure). */
int store_checkpoint(struct store *st);

/* A cheap query that proves the database answers: 0 when it does. */
int store_ping(struct store *st);
/* A number that grows whenever a token may have been created, changed or revoked: by this
 * connection (seen at once), or by another program (seen when a transaction begins, or at
 * store_notice_other_writers). Holders of a principal check it again when the number moved. */
long long store_token_epoch(const struct store *st);
/* Looks whether another connection committed since last looked (a revocation from the command
 * line, say). */
void store_notice_other_writers(struct store *st);

/* "PRAGMA integrity_check": 0 when the answer is "ok". */
int store_integrity_check(struct store *st);

#endif
