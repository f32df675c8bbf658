#include "store.h"

#include "auth.h"
#include "buf.h"
#include "clock.h"
#include "error.h"
#include "log.h"
#include "store_cache.h"
#include "store_sqlite.h"

#include <dirent.h>
#include <pthread.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

struct stmt_slot {
	const char *sql;
	sqlite3_stmt *stmt;
};

/* Statements of SQL built at run time (store_record.c), keyed by their text. Bounded: past
 * TEXT_CACHE_MAX texts, statements are prepared and finalized each time as before. */
#define TEXT_CACHE_MAX 64
struct text_slot {
	uint64_t hash;
	char *sql;
	sqlite3_stmt *stmt;
};

struct store {
	sqlite3 *db;
	struct stmt_slot *slots; /* open addressing on the sql pointer */
	size_t nslots, nused;
	struct text_slot texts[TEXT_CACHE_MAX];
	size_t ntexts;
	long long now_ms;
	long long actor_id;      /* 0: no token (command line, system) */
	char actor_role[16];
	int in_tx;
	int savepoint_depth;
	char failure_field[64];
	char failure_rule[256];
	struct store_cache *cache;  /* holders and items (store_cache.h) */
	long long data_version;     /* PRAGMA data_version when the cache was last known true */
	long long token_epoch;      /* grows when a token may have changed (store_token_epoch) */
};

/* SQLite's update hook: a row of a rowid table changed, in this connection. */
static void on_row_changed(void *arg, int op, const char *db, const char *table, sqlite3_int64 rowid)
{
	struct store *st = arg;
	(void)op;
	(void)db;
	store_cache_changed(st->cache, table, rowid);
	if (strcmp(table, "tokens") == 0)
		st->token_epoch++;
}

/* SQLite's rollback hook: what the cache read inside the transaction may be undone. */
static void on_rollback(void *arg)
{
	store_cache_clear(arg);
}

/* Another connection's commit (a sqlite3 shell, say) changes data_version: then nothing cached is
 * known to be true. Checked when a transaction begins. */
static void check_data_version(struct store *st)
{
	sqlite3_stmt *s = store_prepare(st, "PRAGMA data_version");
	if (!s)
		return;
	long long v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
	sqlite3_reset(s);
	if (v != st->data_version || v < 0) {
		store_cache_clear(st->cache);
		st->token_epoch++;
	}
	st->data_version = v;
}

long long store_token_epoch(const struct store *st)
{
	return st->token_epoch;
}

void store_notice_other_writers(struct store *st)
{
	check_data_version(st);
}

struct store_cache *store_cache_of(struct store *st)
{
	return st->cache;
}

/* SQLite's own busy timeout sleeps 1, 2, 5, 10... ms between tries: a commit held back for 3 ms by
 * the checkpoint thread would wait 8. */
int store_wait_busy(void *arg, int tries)
{
	(void)arg;
	if (tries >= 20000)
		return 0;
	struct timespec ts = {0, 100000};
	nanosleep(&ts, NULL);
	return 1;
}

/* --- functions used by the audit triggers ------------------------------------------------------ */

static void fn_now(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	(void)argv;
	struct store *st = sqlite3_user_data(ctx);
	sqlite3_result_int64(ctx, st->now_ms);
}

static void fn_actor(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	(void)argv;
	struct store *st = sqlite3_user_data(ctx);
	if (st->actor_id)
		sqlite3_result_int64(ctx, st->actor_id);
	else
		sqlite3_result_null(ctx);
}

static void fn_actor_role(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	(void)argv;
	struct store *st = sqlite3_user_data(ctx);
	sqlite3_result_text(ctx, st->actor_role, -1, SQLITE_TRANSIENT);
}

/* --- migrations ------------------------------------------------------------------------------- */

static int is_migration_name(const char *name)
{
	size_t n = strlen(name);
	return n > 8 && name[0] >= '0' && name[0] <= '9' && name[1] >= '0' && name[1] <= '9' &&
	       name[2] >= '0' && name[2] <= '9' && name[3] == '_' && strcmp(name + n - 4, ".sql") == 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *data = NULL;
	long size;
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		data = malloc((size_t)size + 1);
		if (data && fread(data, 1, (size_t)size, f) != (size_t)size) {
			free(data);
			data = NULL;
		} else if (data)
			data[size] = '\0';
	}
	fclose(f);
	return data;
}

static int count_rows(void *ctx, int ncols, char **values, char **names)
{
	(void)ncols;
	(void)values;
	(void)names;
	(*(int *)ctx)++;
	return 0;
}

/* A migration runs with foreign keys off (SQLite's procedure for rebuilding a table: with them on,
 * dropping a parent table would delete its children's rows by ON DELETE CASCADE), and is
 * committed only when PRAGMA foreign_key_check finds nothing broken. */
static int run_migration(struct store *st, const char *sql, const char *record, char **msg)
{
	int broken = 0;
	int src = sqlite3_exec(st->db, "PRAGMA foreign_keys = OFF", NULL, NULL, msg);
	if (src == SQLITE_OK)
		src = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, msg);
	if (src == SQLITE_OK)
		src = sqlite3_exec(st->db, sql, NULL, NULL, msg);
	if (src == SQLITE_OK)
		src = sqlite3_exec(st->db, "PRAGMA foreign_key_check", count_rows, &broken, msg);
	if (src == SQLITE_OK && broken) {
		*msg = sqlite3_mprintf("%d rows break a foreign key afterwards (PRAGMA foreign_key_check)", broken);
		src = SQLITE_CONSTRAINT;
	}
	if (src == SQLITE_OK)
		src = sqlite3_exec(st->db, record, NULL, NULL, msg);
	if (src == SQLITE_OK)
		src = sqlite3_exec(st->db, "COMMIT", NULL, NULL, msg);
	if (src != SQLITE_OK)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_exec(st->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	return src;
}

static int apply_migrations(struct store *st, const char *dir, char *err, size_t errlen)
{
	int rc = -1;
	char **names = NULL;
	size_t n = 0, cap = 0;
	DIR *d = opendir(dir);
	if (!d) {
		snprintf(err, errlen, "schema directory %s: %s", dir, strerror(errno));
		return -1;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!is_migration_name(de->d_name))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			char **p = realloc(names, cap * sizeof *names);
			if (!p)
				goto out;
			names = p;
		}
		if (!(names[n] = strdup(de->d_name)))
			goto out;
		n++;
	}
	qsort(names, n, sizeof *names, cmp_names);

	if (store_exec(st, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
			   "name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT"))
		goto out;
	/* refuse a directory with two migrations of one number before applying any of them */
	for (size_t i = 1; i < n; i++)
		if (atoi(names[i - 1]) == atoi(names[i])) {
			snprintf(err, errlen, "two migrations numbered %03d in %s", atoi(names[i]), dir);
			goto out;
		}
	int current = store_schema_version(st);
	for (size_t i = 0; i < n; i++) {
		int version = atoi(names[i]);
		if (version <= current)
			continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		char *sql = read_file(path);
		if (!sql) {
			snprintf(err, errlen, "cannot read %s", path);
			goto out;
		}
		char *msg = NULL;
		char record[512];
		snprintf(record, sizeof record,
			 "INSERT INTO schema_migrations(version, name, applied_at) VALUES (%d, '%.200s', %lld);"
			 "PRAGMA user_version = %d;",
			 version, names[i], st->now_ms, version);
		int src = run_migration(st, sql, record, &msg);
		free(sql);
		if (src != SQLITE_OK) {
			snprintf(err, errlen, "migration %s failed: %s", names[i], msg ? msg : sqlite3_errstr(src));
			sqlite3_free(msg);
			goto out;
		}
		log_info("store: applied migration %s", names[i]);
	}
	rc = 0;
out:
	closedir(d);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/* --- open / close ------------------------------------------------------------------------------- */

/* Process-wide settings, before SQLite initialises itself. Memory statistics off: with them on,
 * every allocation of SQLite takes a process-wide mutex. */
static void configure_sqlite(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int store_open(struct store **out, const char *path, const char *schema_dir, char *err, size_t errlen)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, configure_sqlite);
	struct store *st = calloc(1, sizeof *st);
	if (!st) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	strcpy(st->actor_role, "system");
	st->now_ms = clock_wall_ms();
	st->nslots = 128;
	st->slots = calloc(st->nslots, sizeof *st->slots);
	int src = st->slots ? sqlite3_open_v2(path, &st->db,
					      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL)
			    : SQLITE_NOMEM;
	if (src != SQLITE_OK) {
		snprintf(err, errlen, "cannot open database %s: %s", path,
			 st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(src));
		store_close(st);
		return -1;
	}
	sqlite3_extended_result_codes(st->db, 1);
	/* One owner: renfortd's event loop. The busy handler covers the checkpoint thread's restart
	 * (milliseconds, once per 8 x checkpoint_pages log pages), a backup or a sqlite3 shell. */
	sqlite3_busy_handler(st->db, store_wait_busy, NULL);
	/* secure_delete: erased personal data is overwritten, not left in free pages */
	const char *pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON;"
			      "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536;";
	char *msg = NULL;
	if (sqlite3_exec(st->db, pragmas, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "cannot configure database %s: %s", path, msg ? msg : "?");
		sqlite3_free(msg);
		store_close(st);
		return -1;
	}
	/* Not SQLITE_DIRECTONLY: the audit triggers call them. */
	int flags = SQLITE_UTF8;
	if (sqlite3_create_function(st->db, "renfort_now", 0, flags, st, fn_now, NULL, NULL) ||
	    sqlite3_create_function(st->db, "renfort_actor", 0, flags, st, fn_actor, NULL, NULL) ||
	    sqlite3_create_function(st->db, "renfort_actor_role", 0, flags, st, fn_actor_role, NULL, NULL)) {
		snprintf(err, errlen, "cannot register SQL functions: %s", sqlite3_errmsg(st->db));
		store_close(st);
		return -1;
	}
	if (apply_migrations(st, schema_dir, err, errlen)) {
		store_close(st);
		return -1;
	}
	if (!(st->cache = store_cache_new())) {
		snprintf(err, errlen, "out of memory");
		store_close(st);
		return -1;
	}
	sqlite3_update_hook(st->db, on_row_changed, st);
	sqlite3_rollback_hook(st->db, on_rollback, st->cache);
	st->data_version = -1;
	*out = st;
	return 0;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->nslots; i++)
		sqlite3_finalize(st->slots[i].stmt);
	free(st->slots);
	for (size_t i = 0; i < st->ntexts; i++) {
		sqlite3_finalize(st->texts[i].stmt);
		free(st->texts[i].sql);
	}
	if (st->db) {
		/* A clean close checkpoints the WAL into the main file. */
		if (sqlite3_close(st->db) != SQLITE_OK)
			log_error("store: close failed: %s", sqlite3_errmsg(st->db));
	}
	store_cache_free(st->cache);
	free(st);
}

int store_schema_version(struct store *st)
{
	sqlite3_stmt *s;
	int v = 0;
	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			v = sqlite3_column_int(s, 0);
		sqlite3_finalize(s);
	}
	return v;
}

/* --- statement cache ---------------------------------------------------------------------------- */

static size_t slot_of(const struct stmt_slot *slots, size_t nslots, const char *sql)
{
	size_t h = ((uintptr_t)sql >> 3) * 2654435761u;
	size_t i = h & (nslots - 1);
	while (slots[i].sql && slots[i].sql != sql)
		i = (i + 1) & (nslots - 1);
	return i;
}

static int grow_cache(struct store *st)
{
	size_t n = st->nslots * 2;
	struct stmt_slot *slots = calloc(n, sizeof *slots);
	if (!slots)
		return -1;
	for (size_t i = 0; i < st->nslots; i++)
		if (st->slots[i].sql)
			slots[slot_of(slots, n, st->slots[i].sql)] = st->slots[i];
	free(st->slots);
	st->slots = slots;
	st->nslots = n;
	return 0;
}

sqlite3_stmt *store_prepare(struct store *st, const char *sql)
{
	size_t i = slot_of(st->slots, st->nslots, sql);
	if (st->slots[i].sql) {
		sqlite3_stmt *s = st->slots[i].stmt;
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		return s;
	}
	if ((st->nused + 1) * 2 > st->nslots) {
		if (grow_cache(st))
			return NULL;
		i = slot_of(st->slots, st->nslots, sql);
	}
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
		log_error("store: cannot prepare statement: %s", sqlite3_errmsg(st->db));
		return NULL;
	}
	st->slots[i].sql = sql;
	st->slots[i].stmt = s;
	st->nused++;
	return s;
}

static uint64_t text_hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

int store_prepare_text(struct store *st, const char *sql, sqlite3_stmt **out, int *cached)
{
	uint64_t h = text_hash(sql);
	*out = NULL;
	*cached = 0;
	for (size_t i = 0; i < st->ntexts; i++)
		if (st->texts[i].hash == h && strcmp(st->texts[i].sql, sql) == 0) {
			sqlite3_reset(st->texts[i].stmt);
			sqlite3_clear_bindings(st->texts[i].stmt);
			*out = st->texts[i].stmt;
			*cached = 1;
			return SQLITE_OK;
		}
	int keep = st->ntexts < TEXT_CACHE_MAX;
	int rc = sqlite3_prepare_v3(st->db, sql, -1, keep ? SQLITE_PREPARE_PERSISTENT : 0, out, NULL);
	if (rc != SQLITE_OK || !keep)
		return rc;
	char *copy = strdup(sql);
	if (copy) {
		st->texts[st->ntexts].hash = h;
		st->texts[st->ntexts].sql = copy;
		st->texts[st->ntexts].stmt = *out;
		st->ntexts++;
		*cached = 1;
	}
	return SQLITE_OK;
}

void store_text_done(sqlite3_stmt *s, int cached)
{
	if (cached)
		sqlite3_reset(s);
	else
		sqlite3_finalize(s);
}

sqlite3 *store_db(struct store *st)
{
	return st->db;
}

const char *store_errmsg(struct store *st)
{
	return sqlite3_errmsg(st->db);
}

int store_exec(struct store *st, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		log_error("store: %s", msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return STORE_ERROR;
	}
	return STORE_OK;
}

/* --- transactions ------------------------------------------------------------------------------- */

void store_set_actor(struct store *st, const struct principal *actor)
{
	st->actor_id = actor ? actor->token_id : 0;
	snprintf(st->actor_role, sizeof st->actor_role, "%s", actor ? role_name(actor->role) : "system");
}

int store_begin(struct store *st, long long now_ms, const struct principal *actor)
{
	st->now_ms = now_ms;
	store_set_actor(st, actor);
	st->failure_field[0] = st->failure_rule[0] = '\0';
	if (store_exec(st, "BEGIN IMMEDIATE"))
		return STORE_ERROR;
	check_data_version(st);
	st->in_tx = 1;
	st->savepoint_depth = 0;
	return STORE_OK;
}

int store_commit(struct store *st)
{
	int rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		log_error("store: commit failed: %s", sqlite3_errmsg(st->db));
		store_rollback(st);
		return STORE_ERROR;
	}
	st->in_tx = 0;
	return STORE_OK;
}

void store_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->in_tx = 0;
	st->savepoint_depth = 0;
}

int store_in_transaction(struct store *st)
{
	return st->in_tx;
}

/* A statement without results through the statement cache (sql: a string literal): the savepoint
 * of every write would otherwise be parsed again each time. */
static int exec_cached(struct store *st, const char *sql)
{
	sqlite3_stmt *s = store_prepare(st, sql);
	if (!s)
		return -1;
	int rc = sqlite3_step(s);
	if (rc != SQLITE_DONE)
		log_error("store: %s: %s", sql, sqlite3_errmsg(st->db));
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int store_savepoint(struct store *st)
{
	st->failure_field[0] = st->failure_rule[0] = '\0';
	if (exec_cached(st, "SAVEPOINT op"))
		return STORE_ERROR;
	st->savepoint_depth++;
	return STORE_OK;
}

int store_release(struct store *st)
{
	if (exec_cached(st, "RELEASE op"))
		return STORE_ERROR;
	st->savepoint_depth--;
	return STORE_OK;
}

void store_rollback_savepoint(struct store *st)
{
	sqlite3_exec(st->db, "ROLLBACK TO op; RELEASE op", NULL, NULL, NULL);
	store_cache_clear(st->cache); /* SQLite's rollback hook does not run for a savepoint */
	st->savepoint_depth--;
}

long long store_now(struct store *st)
{
	return st->now_ms;
}

void store_set_now(struct store *st, long long now_ms)
{
	st->now_ms = now_ms;
}

void store_set_failure(struct store *st, const char *field, const char *rule)
{
	snprintf(st->failure_field, sizeof st->failure_field, "%s", field ? field : "");
	snprintf(st->failure_rule, sizeof st->failure_rule, "%s", rule ? rule : "");
}

int store_rf_error(struct store *st, int rc, const char *what, struct rf_error *err)
{
	const char *field = st->failure_field[0] ? st->failure_field : what;
	switch (rc) {
	case STORE_NOTFOUND:
		rf_error_set(err, 404, "not_found", "id", "no such record");
		break;
	case STORE_CONFLICT:
		rf_error_set(err, 409, "conflict", field, "%s",
			     st->failure_rule[0] ? st->failure_rule : "conflicts with another record");
		break;
	case STORE_INVALID:
		rf_error_set(err, 422, "invalid", field, "%s", st->failure_rule[0] ? st->failure_rule : "is refused by the database");
		break;
	default:
		rf_error_set(err, 503, "unavailable", "", "the database failed; nothing was changed");
	}
	return err->status;
}

const char *store_failure_field(struct store *st)
{
	return st->failure_field;
}

const char *store_failure_rule(struct store *st)
{
	return st->failure_rule;
}

void store_holder_scope(struct buf *sql, const struct principal *p, const char *dep_col, const char *level_col,
			const char *kind_col, const char *id_col)
{
	switch (p->role) {
	case ROLE_ADMIN:
		return;
	case ROLE_COORDINATOR:
	case ROLE_OBSERVER:
		if (p->deps[0])
			buf_printf(sql, " AND (instr(?90, ',' || %s || ',') > 0 OR %s = 'regional')", dep_col, level_col);
		return;
	case ROLE_STRUCTURE:
	case ROLE_DEPOT:
		buf_printf(sql, " AND %s = '%s' AND %s = ?91", kind_col, p->role == ROLE_STRUCTURE ? "structure" : "depot",
			   id_col);
		return;
	default:
		buf_puts(sql, " AND 0");
	}
}

void store_holder_scope_bind(sqlite3_stmt *s, const struct principal *p)
{
	if (p->deps[0])
		sqlite3_bind_text(s, 90, p->deps, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 91, p->subject_id);
}

void store_column_copy(char *dst, size_t n, sqlite3_stmt *s, int col)
{
	const char *t = (const char *)sqlite3_column_text(s, col);
	size_t len = t ? (size_t)sqlite3_column_bytes(s, col) : 0;
	if (len >= n)
		len = n - 1; /* cut, as snprintf would */
	memcpy(dst, t ? t : "", len);
	dst[len] = '\0';
}

long long store_total_changes(struct store *st)
{
	return sqlite3_total_changes64(st->db);
}

int store_step_done(struct store *st, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return store_rc_from_sqlite(st, rc, what);
}

int store_rc_from_sqlite(struct store *st, int rc, const char *what)
{
	switch (rc) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return STORE_OK;
	case SQLITE_CONSTRAINT_UNIQUE:
	case SQLITE_CONSTRAINT_PRIMARYKEY:
	case SQLITE_CONSTRAINT_FOREIGNKEY:
	case SQLITE_CONSTRAINT_TRIGGER: /* the schema's own "keep history" rules */
		return STORE_CONFLICT;
	default:
		if ((rc & 0xff) == SQLITE_CONSTRAINT) {
			log_warn("store: %s: constraint: %s", what, sqlite3_errmsg(st->db));
			return STORE_INVALID;
		}
		log_error("store: %s: %s", what, sqlite3_errmsg(st->db));
		return STORE_ERROR;
	}
}

/* --- maintenance -------------------------------------------------------------------------------- */

int store_backup(struct store *st, const char *path, char *err, size_t errlen)
{
	/* Never onto the live file itself (nor a link to it). */
	const char *live = sqlite3_db_filename(st->db, "main");
	struct stat ls, ds;
	if (live && stat(live, &ls) == 0 && stat(path, &ds) == 0 && ls.st_dev == ds.st_dev && ls.st_ino == ds.st_ino) {
		snprintf(err, errlen, "backup to %s: that is the live database itself", path);
		return -1;
	}
	sqlite3 *dst = NULL;
	int rc = sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s: %s", path, dst ? sqlite3_errmsg(dst) : sqlite3_errstr(rc));
		sqlite3_close(dst);
		return -1;
	}
	/* One read transaction on the source for the whole copy. In WAL mode it blocks no writer, and the
	 * copy is the database as it was when the backup started. Without it, any commit of the running
	 * server between two steps restarts the copy from page 1: on a busy server it never ends. */
	int own_tx = sqlite3_get_autocommit(st->db);
	if (own_tx && sqlite3_exec(st->db, "BEGIN; SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "backup: cannot read the database: %s", sqlite3_errmsg(st->db));
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close(dst);
		return -1;
	}
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", st->db, "main");
	if (!b) {
		snprintf(err, errlen, "backup to %s: %s", path, sqlite3_errmsg(dst));
		if (own_tx)
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close(dst);
		return -1;
	}
	/* A few pages per step; a destination locked by someone else is waited for 30 s at most. */
	int busy = 0;
	do {
		rc = sqlite3_backup_step(b, 256);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
			if (++busy > 1500)
				break;
			sqlite3_sleep(20);
		} else
			busy = 0;
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	int frc = sqlite3_backup_finish(b);
	if (own_tx)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	if (rc == SQLITE_DONE && frc != SQLITE_OK)
		rc = frc;
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "backup to %s failed: %s", path, sqlite3_errstr(rc));
		sqlite3_close(dst);
		return -1;
	}
	if ((rc = sqlite3_close(dst)) != SQLITE_OK) {
		snprintf(err, errlen, "backup to %s: cannot close: %s", path, sqlite3_errstr(rc));
		return -1;
	}
	return 0;
}

int store_integrity_check(struct store *st)
{
	sqlite3_stmt *s;
	int ok = 0;
	if (sqlite3_prepare_v2(st->db, "PRAGMA integrity_check", -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW) {
		const char *r = (const char *)sqlite3_column_text(s, 0);
		ok = r && strcmp(r, "ok") == 0;
	}
	sqlite3_finalize(s);
	return ok ? 0 : -1;
}

int store_ping(struct store *st)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT max(version) FROM schema_migrations");
	if (!s)
		return -1;
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

int store_meta_get(struct store *st, const char *key, long long *value)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT value FROM meta WHERE key = ?");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*value = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOTFOUND : store_rc_from_sqlite(st, rc, "meta");
}

int store_meta_set(struct store *st, const char *key, long long value)
{
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO meta(key, value) VALUES (?1, ?2) "
					    "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, value);
	return store_step_done(st, s, "meta");
}

int store_checkpoint(struct store *st)
{
	/* the checkpoint thread may hold the checkpoint lock (SQLite answers BUSY at once): a passive
	 * checkpoint takes well under a second; wait for it, a little at a time */
	int rc = SQLITE_BUSY;
	for (int i = 0; i < 200 && rc == SQLITE_BUSY; i++) {
		if (i)
			sqlite3_sleep(10);
		rc = sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	}
	if (rc != SQLITE_OK && rc != SQLITE_BUSY)
		log_warn("store: checkpoint: %s", sqlite3_errmsg(st->db));
	return rc == SQLITE_OK ? STORE_OK : STORE_ERROR;
}
