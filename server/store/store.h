/* store: the database behind a neutral interface: open (migrating), transactions, failures, meta,
 * backup. All SQL of renfort lives in the store modules, and nothing above the store sees an SQLite type:
 * what the store modules share among themselves (statements, columns, scope SQL) is in
 * store_sqlite.h, which only they include. The planned move to PostgreSQL (DESIGN.md) changes the
 * store modules, not their callers. */
#ifndef RENFORT_STORE_H
#define RENFORT_STORE_H

#include <stddef.h>

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

/* Runs one SQL text with no results (used by migrations and maintenance, and by tests). */
int store_exec(struct store *st, const char *sql);

/* The message of a failed store call: field and rule, for the client. Set by store modules. */
void store_set_failure(struct store *st, const char *field, const char *rule);
const char *store_failure_field(struct store *st);
struct rf_error;
/* A failure (STORE_NOTFOUND, _CONFLICT, _INVALID, _ERROR) as a client reads it: 404, 409 or 422
 * naming the store's field and rule when it gave them (what otherwise), 503. Returns the status. */
int store_rf_error(struct store *st, int rc, const char *what, struct rf_error *err);
const char *store_failure_rule(struct store *st);


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
