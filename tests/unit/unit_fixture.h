/* unit_fixture: helpers shared by the unit tests that need a real database: a temporary directory
 * under /tmp holding a fresh SQLite file, removed at the end. Everything is static inline so that a
 * test file that uses only part of it compiles without warnings. */
#ifndef RENFORT_UNIT_FIXTURE_H
#define RENFORT_UNIT_FIXTURE_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "log.h"
#include "store.h"
#include "store_sqlite.h" /* the store tests read the database directly */

#ifndef RENFORT_SOURCE_DIR
#error "RENFORT_SOURCE_DIR must be defined by the build"
#endif

#define UNIT_SCHEMA_DIR RENFORT_SOURCE_DIR "/schema"
#define UNIT_DATA_DIR RENFORT_SOURCE_DIR "/schema/data"

/* A fixed "now" so that times written by the store are predictable. */
#define UNIT_NOW 1764146709123LL /* 2025-11-26T08:45:09.123Z */

struct tmpdb {
	char dir[64];
	char path[128];
};

/* Creates /tmp/renfort-unit-XXXXXX and sets path to <dir>/test.db. 0 or -1. */
static inline int tmpdb_make(struct tmpdb *t)
{
	snprintf(t->dir, sizeof t->dir, "/tmp/renfort-unit-XXXXXX");
	if (!mkdtemp(t->dir))
		return -1;
	snprintf(t->path, sizeof t->path, "%s/test.db", t->dir);
	return 0;
}

/* Removes every file in the directory (the database, its -wal and -shm, anything a test wrote),
 * then the directory. */
static inline void tmpdb_remove(struct tmpdb *t)
{
	DIR *d = opendir(t->dir);
	if (d) {
		struct dirent *de;
		while ((de = readdir(d))) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			char p[512];
			snprintf(p, sizeof p, "%s/%s", t->dir, de->d_name);
			unlink(p);
		}
		closedir(d);
	}
	rmdir(t->dir);
}

/* A fresh store with the real schema, in its own temporary directory. */
struct unit_store {
	struct tmpdb db;
	struct store *st;
};

/* NULL, with the reason on stderr, when the directory or the store cannot be made. */
static inline struct unit_store *unit_store_open(void)
{
	log_set_level(LOG_ERROR);
	struct unit_store *u = calloc(1, sizeof *u);
	if (!u || tmpdb_make(&u->db)) {
		free(u);
		return NULL;
	}
	char err[512] = "";
	if (store_open(&u->st, u->db.path, UNIT_SCHEMA_DIR, err, sizeof err)) {
		fprintf(stderr, "store_open: %s\n", err);
		tmpdb_remove(&u->db);
		free(u);
		return NULL;
	}
	return u;
}

static inline void unit_store_close(struct unit_store *u)
{
	if (!u)
		return;
	store_close(u->st);
	tmpdb_remove(&u->db);
	free(u);
}

/* The first column of the first row of sql as an integer, -1 without a row; fails the test when
 * sql does not prepare. */
static inline long long unit_query_int(struct store *st, const char *sql)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("cannot prepare %s: %s", sql, sqlite3_errmsg(store_db(st)));
	long long v = -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* The same as text into out ("" without a row or for NULL). */
static inline void unit_query_text(struct store *st, const char *sql, char *out, size_t outlen)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("cannot prepare %s: %s", sql, sqlite3_errmsg(store_db(st)));
	out[0] = '\0';
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
		snprintf(out, outlen, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
}

static inline struct principal unit_principal(enum role role, const char *deps, long long subject_id,
					      long long token_id)
{
	struct principal p;
	memset(&p, 0, sizeof p);
	p.role = role;
	p.token_id = token_id;
	p.subject_id = subject_id;
	snprintf(p.deps, sizeof p.deps, "%s", deps ? deps : "");
	return p;
}

#endif
