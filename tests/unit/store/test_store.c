/* Unit tests of store.c: opening, pragmas, migrations, transactions, the statement cache, meta,
 * backup and maintenance, on temporary database files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth.h"
#include "log.h"
#include "store.h"
#include "store_stock.h"
#include "unit_fixture.h"

/* --- helpers --------------------------------------------------------------------------------------- */

/* The number of a migration file as store.c recognises them (NNN_name.sql), or -1. */
static int migration_number(const char *name)
{
	size_t len = strlen(name);
	if (len > 8 && name[0] >= '0' && name[0] <= '9' && name[1] >= '0' && name[1] <= '9' && name[2] >= '0' &&
	    name[2] <= '9' && name[3] == '_' && strcmp(name + len - 4, ".sql") == 0)
		return atoi(name);
	return -1;
}

/* The migrations of a directory. Returns the count and sets *highest. */
static int count_migrations(const char *dir, int *highest)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	int n = 0;
	*highest = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		int v = migration_number(de->d_name);
		if (v < 0)
			continue;
		n++;
		if (v > *highest)
			*highest = v;
	}
	closedir(d);
	return n;
}

/* Links into dir the real migrations numbered from `from` to `to`; returns how many. */
static int link_migrations(const char *dir, int from, int to)
{
	DIR *d = opendir(UNIT_SCHEMA_DIR);
	assert_non_null(d);
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		int v = migration_number(de->d_name);
		if (v < from || v > to)
			continue;
		char src[512], dst[512];
		snprintf(src, sizeof src, "%s/%s", UNIT_SCHEMA_DIR, de->d_name);
		snprintf(dst, sizeof dst, "%s/%s", dir, de->d_name);
		assert_int_equal(symlink(src, dst), 0);
		n++;
	}
	closedir(d);
	return n;
}

static void write_text(const char *dir, const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void remove_file(const char *dir, const char *name)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	unlink(path);
}

/* A fresh temporary directory holding the database (and, for migration tests, a schema/ of our own). */
struct fx {
	struct tmpdb db;
	char schema[128];
	struct store *st;
};

static int setup(void **state)
{
	log_set_level(LOG_ERROR);
	struct fx *f = calloc(1, sizeof *f);
	if (!f || tmpdb_make(&f->db)) {
		free(f);
		return -1;
	}
	snprintf(f->schema, sizeof f->schema, "%s/schema", f->db.dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	store_close(f->st);
	/* our own schema directory, if a test made one */
	DIR *d = opendir(f->schema);
	if (d) {
		struct dirent *de;
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				remove_file(f->schema, de->d_name);
		closedir(d);
		rmdir(f->schema);
	}
	tmpdb_remove(&f->db);
	free(f);
	return 0;
}

static struct store *open_real(struct fx *f)
{
	char err[512] = "";
	struct store *st = NULL;
	if (store_open(&st, f->db.path, UNIT_SCHEMA_DIR, err, sizeof err))
		fail_msg("store_open: %s", err);
	assert_non_null(st);
	return st;
}

/* --- open and migrations --------------------------------------------------------------------------- */

static void test_open_applies_migrations(void **state)
{
	struct fx *f = *state;
	int highest = 0;
	int n = count_migrations(UNIT_SCHEMA_DIR, &highest);
	assert_true(n >= 2);
	f->st = open_real(f);
	assert_int_equal(store_schema_version(f->st), highest);
	assert_int_equal(unit_query_int(f->st, "PRAGMA user_version"), highest);
	assert_int_equal(unit_query_int(f->st, "SELECT count(*) FROM schema_migrations"), n);
	assert_int_equal(unit_query_int(f->st, "SELECT max(version) FROM schema_migrations"), highest);
	char name[128];
	unit_query_text(f->st, "SELECT name FROM schema_migrations WHERE version = 1", name, sizeof name);
	assert_string_equal(name, "001_core.sql");
	/* the tables and the audit triggers exist */
	assert_int_equal(unit_query_int(f->st, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
					  "('departements', 'communes', 'tokens', 'structures', 'depots', 'items', "
					  "'volunteers', 'audit', 'idempotency')"),
			 9);
	assert_true(unit_query_int(f->st, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'audit_%'") >=
		    15);
}

static void test_second_open_does_not_reapply(void **state)
{
	struct fx *f = *state;
	f->st = open_real(f);
	int version = store_schema_version(f->st);
	long long rows = unit_query_int(f->st, "SELECT count(*) FROM schema_migrations");
	assert_int_equal(store_exec(f->st, "UPDATE schema_migrations SET applied_at = 42"), STORE_OK);
	assert_int_equal(store_exec(f->st, "INSERT INTO meta(key, value) VALUES ('marker', 7)"), STORE_OK);
	store_close(f->st);
	f->st = NULL;

	f->st = open_real(f);
	assert_int_equal(store_schema_version(f->st), version);
	assert_int_equal(unit_query_int(f->st, "SELECT count(*) FROM schema_migrations"), rows);
	assert_int_equal(unit_query_int(f->st, "SELECT count(*) FROM schema_migrations WHERE applied_at != 42"), 0);
	assert_int_equal(unit_query_int(f->st, "SELECT value FROM meta WHERE key = 'marker'"), 7); /* data kept */
}

static void test_pragmas(void **state)
{
	struct fx *f = *state;
	f->st = open_real(f);
	char mode[32];
	unit_query_text(f->st, "PRAGMA journal_mode", mode, sizeof mode);
	assert_string_equal(mode, "wal");
	assert_int_equal(unit_query_int(f->st, "PRAGMA synchronous"), 2); /* FULL */
	assert_int_equal(unit_query_int(f->st, "PRAGMA foreign_keys"), 1);
	/* WAL is persistent in the file: a second connection sees it too */
	store_close(f->st);
	f->st = NULL;
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(f->db.path, &db), SQLITE_OK);
	sqlite3_stmt *s = NULL;
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "wal");
	sqlite3_finalize(s);
	sqlite3_close(db);
	/* and the reopened store sets synchronous=FULL again (it is per connection) */
	f->st = open_real(f);
	assert_int_equal(unit_query_int(f->st, "PRAGMA synchronous"), 2);
}

static void test_open_bad_schema_dir(void **state)
{
	struct fx *f = *state;
	char err[512] = "", dir[192];
	snprintf(dir, sizeof dir, "%s/no-such-dir", f->db.dir);
	struct store *st = (struct store *)0x1;
	assert_int_equal(store_open(&st, f->db.path, dir, err, sizeof err), -1);
	assert_ptr_equal(st, (struct store *)0x1); /* not set on failure */
	assert_non_null(strstr(err, dir));
}

static void test_open_bad_path(void **state)
{
	struct fx *f = *state;
	char err[512] = "", path[192];
	snprintf(path, sizeof path, "%s/missing-dir/test.db", f->db.dir);
	struct store *st = NULL;
	assert_int_equal(store_open(&st, path, UNIT_SCHEMA_DIR, err, sizeof err), -1);
	assert_null(st);
	assert_non_null(strstr(err, path));
}

static void test_migration_failure_is_atomic(void **state)
{
	struct fx *f = *state;
	assert_int_equal(mkdir(f->schema, 0700), 0);
	write_text(f->schema, "001_first.sql", "CREATE TABLE a (x INTEGER) STRICT;\n");
	write_text(f->schema, "002_broken.sql", "CREATE TABLE b (x INTEGER) STRICT;\nTHIS IS NOT SQL;\n");
	write_text(f->schema, "README.md", "not a migration");
	write_text(f->schema, "01_short.sql", "THIS IS NOT SQL;");
	write_text(f->schema, "abc_name.sql", "THIS IS NOT SQL;");
	write_text(f->schema, "004_other.txt", "THIS IS NOT SQL;");
	char err[512] = "";
	struct store *st = NULL;
	assert_int_equal(store_open(&st, f->db.path, f->schema, err, sizeof err), -1);
	assert_null(st);
	assert_non_null(strstr(err, "002_broken.sql"));

	/* 001 stays applied; nothing of 002 (its first statement included) was kept */
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(f->db.path, &db), SQLITE_OK);
	sqlite3_stmt *s = NULL;
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM sqlite_master WHERE name = 'a'), "
						"(SELECT count(*) FROM sqlite_master WHERE name = 'b'), "
						"(SELECT group_concat(version) FROM schema_migrations)",
					    -1, &s, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(s, 0), 1);
	assert_int_equal(sqlite3_column_int(s, 1), 0);
	assert_string_equal((const char *)sqlite3_column_text(s, 2), "1");
	sqlite3_finalize(s);
	sqlite3_close(db);

	/* fixed, it applies on the next open; the files that are not migrations are ignored */
	write_text(f->schema, "002_broken.sql", "CREATE TABLE b (x INTEGER) STRICT;\n");
	assert_int_equal(store_open(&f->st, f->db.path, f->schema, err, sizeof err), 0);
	assert_int_equal(store_schema_version(f->st), 2);
	assert_int_equal(unit_query_int(f->st, "SELECT count(*) FROM sqlite_master WHERE name IN ('a', 'b')"), 2);
	assert_int_equal(unit_query_int(f->st, "SELECT count(*) FROM schema_migrations"), 2);
}

static void test_migrations_in_number_order(void **state)
{
	struct fx *f = *state;
	assert_int_equal(mkdir(f->schema, 0700), 0);
	/* readdir order is arbitrary: 010 needs 002 and 001 */
	write_text(f->schema, "010_c.sql", "INSERT INTO t VALUES (3);\n");
	write_text(f->schema, "001_a.sql", "CREATE TABLE t (x INTEGER) STRICT;\n");
	write_text(f->schema, "002_b.sql", "INSERT INTO t VALUES (2);\n");
	char err[512] = "";
	assert_int_equal(store_open(&f->st, f->db.path, f->schema, err, sizeof err), 0);
	assert_int_equal(store_schema_version(f->st), 10);
	char order[32];
	unit_query_text(f->st, "SELECT group_concat(x) FROM (SELECT x FROM t ORDER BY rowid)", order, sizeof order);
	assert_string_equal(order, "2,3");
	store_close(f->st);
	f->st = NULL;
	/* a new migration numbered above the current version is applied on the next open */
	write_text(f->schema, "011_d.sql", "INSERT INTO t VALUES (4);\n");
	assert_int_equal(store_open(&f->st, f->db.path, f->schema, err, sizeof err), 0);
	assert_int_equal(store_schema_version(f->st), 11);
	assert_int_equal(unit_query_int(f->st, "SELECT count(*) FROM t"), 3);
}

/* Two migrations with the same number are an error, and nothing of them may be applied: otherwise the
 * first is applied before the second is noticed, and the next open (version now 3) skips both numbers
 * and starts without the second migration, silently. */
static void test_duplicate_migration_numbers(void **state)
{
	struct fx *f = *state;
	assert_int_equal(mkdir(f->schema, 0700), 0);
	write_text(f->schema, "001_a.sql", "CREATE TABLE t (x INTEGER) STRICT;\n");
	write_text(f->schema, "002_b.sql", "INSERT INTO t VALUES (2);\n");
	write_text(f->schema, "003_x.sql", "INSERT INTO t VALUES (30);\n");
	write_text(f->schema, "003_y.sql", "INSERT INTO t VALUES (31);\n");
	char err[512] = "";
	struct store *st = NULL;
	assert_int_equal(store_open(&st, f->db.path, f->schema, err, sizeof err), -1);
	assert_non_null(strstr(err, "two migrations numbered 003"));

	/* what a restart without fixing anything does: it must refuse again */
	st = NULL;
	int rc = store_open(&st, f->db.path, f->schema, err, sizeof err);
	if (rc == 0) {
		int version = store_schema_version(st);
		long long rows = unit_query_int(st, "SELECT count(*) FROM t WHERE x IN (30, 31)");
		store_close(st);
		fail_msg("a second open succeeded with duplicate migrations 003 (version %d, %lld of the two applied)",
			 version, rows);
	}
}

/* 004 rebuilds the stock ledger to rewrite one CHECK: a database made before it keeps every
 * ledger row and id, the rule still refuses a kind it does not know, and the trigger of 001 that
 * keeps a structure with stock history still finds the ledger under its name. */
static void test_ledger_rebuild_keeps_history(void **state)
{
	struct fx *f = *state;
	assert_int_equal(mkdir(f->schema, 0700), 0);
	static const char *const before[] = {"001_core.sql", "002_audit.sql", "003_stock_alerts.sql"};
	char from[512], to[512];
	for (size_t i = 0; i < sizeof before / sizeof *before; i++) {
		snprintf(from, sizeof from, "%s/%s", UNIT_SCHEMA_DIR, before[i]);
		snprintf(to, sizeof to, "%s/%s", f->schema, before[i]);
		assert_int_equal(symlink(from, to), 0);
	}
	char err[512] = "";
	assert_int_equal(store_open(&f->st, f->db.path, f->schema, err, sizeof err), 0);
	assert_int_equal(store_schema_version(f->st), 3);
	assert_int_equal(store_exec(f->st, "INSERT INTO departements VALUES ('34', 'Hérault', 'Occitanie', 43.6, 3.4, NULL);"
					   "INSERT INTO communes(insee, name, dep, lat, lng) VALUES ('34172', 'Montpellier', '34', 43.6, 3.9);"
					   "INSERT INTO structures(id, name, category, legal_form, commune, dep, lat, lng, created_at, "
					   "updated_at) VALUES (7, 'EHPAD', 'ehpad', 'association', '34172', '34', 43.6, 3.9, 1, 1);"
					   "INSERT INTO items(id, code, name, category, unit, created_at, updated_at) "
					   "VALUES (3, 'masks', 'Masks', 'ppe', 'box', 1, 1);"
					   "INSERT INTO stock_ledger(id, holder_kind, holder_id, item_id, kind, delta, quantity_after, at) "
					   "VALUES (40, 'structure', 7, 3, 'report', 5, 5, 10), (41, 'structure', 7, 3, 'receipt', 2, 7, 11);"),
			 STORE_OK);
	store_close(f->st);
	f->st = NULL;

	snprintf(from, sizeof from, "%s/004_write_path.sql", UNIT_SCHEMA_DIR);
	snprintf(to, sizeof to, "%s/004_write_path.sql", f->schema);
	assert_int_equal(symlink(from, to), 0);
	assert_int_equal(store_open(&f->st, f->db.path, f->schema, err, sizeof err), 0);
	assert_int_equal(store_schema_version(f->st), 4);
	char rows[128];
	unit_query_text(f->st, "SELECT group_concat(id || ':' || kind || ':' || quantity_after) FROM (SELECT * FROM stock_ledger ORDER BY id)",
		   rows, sizeof rows);
	assert_string_equal(rows, "40:report:5,41:receipt:7");
	assert_int_equal(store_exec(f->st, "INSERT INTO stock_ledger(holder_kind, holder_id, item_id, kind, delta, "
					   "quantity_after, at) VALUES ('structure', 7, 3, 'gift', 1, 8, 12)"),
			 STORE_ERROR); /* a CHECK is the last guard, not validation: an error */
	assert_int_equal(store_exec(f->st, "DELETE FROM structures WHERE id = 7"), STORE_ERROR); /* "has stock history" */
	assert_int_equal(unit_query_int(f->st, "SELECT count(*) FROM structures"), 1);
	assert_int_equal(unit_query_int(f->st, "SELECT count(*) FROM sqlite_master WHERE name = 'stock_ledger_holder'"), 1);
	char ok[16];
	unit_query_text(f->st, "PRAGMA integrity_check", ok, sizeof ok);
	assert_string_equal(ok, "ok");
}

/* The département of every alert, then of every outbox row, in id order: "81,34|34,81". */
static void deps_now(struct store *st, char *out, size_t n)
{
	unit_query_text(st, "SELECT (SELECT group_concat(dep) FROM (SELECT dep FROM alerts ORDER BY id)) || '|' || "
			    "(SELECT group_concat(dep) FROM (SELECT dep FROM sms_outbox ORDER BY id))",
			out, n);
}

/* 005: a database whose holders moved before it carries their old département on their alerts and
 * messages; the migration sets them once, and from then on its triggers move them with the holder. */
static void test_moved_holders_take_their_rows(void **state)
{
	struct fx *f = *state;
	assert_int_equal(mkdir(f->schema, 0700), 0);
	assert_int_equal(link_migrations(f->schema, 1, 4), 4);
	char err[512] = "";
	assert_int_equal(store_open(&f->st, f->db.path, f->schema, err, sizeof err), 0);
	assert_int_equal(store_schema_version(f->st), 4);
	/* structure 7 and depot 8 are in 34 now; their alerts (one resolved) and the messages to the
	 * structure's contact and to volunteer 9 still say 81; 81's duty officer was called in 81 */
	assert_int_equal(
		store_exec(f->st,
			   "INSERT INTO departements VALUES ('34', 'Hérault', 'Occitanie', 43.6, 3.4, NULL), "
			   "('81', 'Tarn', 'Occitanie', 43.9, 2.1, NULL);"
			   "INSERT INTO communes(insee, name, dep, lat, lng) VALUES ('34172', 'Montpellier', '34', 43.6, 3.9), "
			   "('81004', 'Albi', '81', 43.9, 2.1);"
			   "INSERT INTO structures(id, name, category, legal_form, commune, dep, lat, lng, created_at, "
			   "updated_at) VALUES (7, 'EHPAD', 'ehpad', 'association', '34172', '34', 43.6, 3.9, 1, 1);"
			   "INSERT INTO structure_contacts(id, structure_id, phone) VALUES (70, 7, '+33639980070');"
			   "INSERT INTO depots(id, name, level, commune, dep, lat, lng, created_at, updated_at) "
			   "VALUES (8, 'Socle', 'departemental', '34172', '34', 43.6, 3.9, 1, 1);"
			   "INSERT INTO volunteers(id, phone, profession, home_commune, dep, created_at, updated_at) "
			   "VALUES (9, '+33639980090', 'nurse', '34172', '34', 1, 1);"
			   "INSERT INTO alerts(id, kind, holder_kind, holder_id, dep, severity, status, opened_at, updated_at) "
			   "VALUES (1, 'silent', 'structure', 7, '81', 'critical', 'open', 1, 1), "
			   "(2, 'silent', 'depot', 8, '81', 'warning', 'resolved', 1, 1), "
			   "(3, 'sms_failed', 'none', 0, '81', 'critical', 'open', 1, 1);"
			   "INSERT INTO sms_outbox(kind, dep, recipient_kind, recipient_id, phone, alert_id, next_attempt_at, "
			   "created_at, updated_at) VALUES ('alert_critical', '81', 'structure_contact', 70, '+33639980070', 1, 1, 1, 1), "
			   "('alert_critical', '81', 'duty_officer', 5, '+33639980005', 1, 1, 1, 1), "
			   "('message', '81', 'volunteer', 9, '+33639980090', NULL, 1, 1, 1), "
			   "('message', '81', 'phone', NULL, '+33639980001', NULL, 1, 1, 1);"),
		STORE_OK);
	char deps[128];
	deps_now(f->st, deps, sizeof deps);
	assert_string_equal(deps, "81,81,81|81,81,81,81");
	long long audited = unit_query_int(f->st, "SELECT count(*) FROM audit");
	store_close(f->st);
	f->st = NULL;

	assert_int_equal(link_migrations(f->schema, 5, 5), 1);
	assert_int_equal(store_open(&f->st, f->db.path, f->schema, err, sizeof err), 0);
	assert_int_equal(store_schema_version(f->st), 5);
	/* the holders' alerts and their people's messages; not the département's own (sms_failed,
	 * the officer called, a phone typed by 81's coordinator) */
	deps_now(f->st, deps, sizeof deps);
	assert_string_equal(deps, "34,34,81|34,81,34,81");
	assert_int_equal(unit_query_int(f->st, "SELECT count(*) FROM audit"), audited); /* history is not rewritten */

	/* from now on, a move takes them along in its own statement, and nothing else moves */
	assert_int_equal(store_exec(f->st, "UPDATE structures SET commune = '81004', dep = '81' WHERE id = 7"), STORE_OK);
	deps_now(f->st, deps, sizeof deps);
	assert_string_equal(deps, "81,34,81|81,81,34,81");
	assert_int_equal(store_exec(f->st, "UPDATE depots SET commune = '81004', dep = '81' WHERE id = 8;"
					   "UPDATE volunteers SET home_commune = '81004', dep = '81' WHERE id = 9"),
			 STORE_OK);
	deps_now(f->st, deps, sizeof deps);
	assert_string_equal(deps, "81,81,81|81,81,81,81");
	/* a change that is no move moves nothing */
	assert_int_equal(store_exec(f->st, "UPDATE alerts SET dep = '34' WHERE id = 1;"
					   "UPDATE structures SET name = 'EHPAD des Lices' WHERE id = 7"),
			 STORE_OK);
	deps_now(f->st, deps, sizeof deps);
	assert_string_equal(deps, "34,81,81|81,81,81,81");
}

/* 006 rebuilds the volunteers to drop the UNIQUE of their phone: a database made before it keeps
 * every volunteer, id and credential, ids go on where they stopped, the credentials' foreign key
 * still cascades, the audit triggers still write, and two volunteers may now share a phone (the
 * store checks uniqueness within the writer's scope). */
static void test_volunteers_rebuild_keeps_rows(void **state)
{
	struct fx *f = *state;
	assert_int_equal(mkdir(f->schema, 0700), 0);
	/* every migration before 006, whichever there are */
	assert_true(link_migrations(f->schema, 1, 5) >= 4);
	char err[512] = "";
	assert_int_equal(store_open(&f->st, f->db.path, f->schema, err, sizeof err), 0);
	int version_before = store_schema_version(f->st);
	assert_true(version_before >= 4 && version_before < 6);
	assert_int_equal(store_exec(f->st, "INSERT INTO departements VALUES ('81', 'Tarn', 'Occitanie', 43.9, 2.1, NULL);"
					   "INSERT INTO communes(insee, name, dep, lat, lng) VALUES ('81004', 'Albi', '81', 43.9, 2.1);"
					   "INSERT INTO volunteers(id, first_name, last_name, phone, profession, home_commune, dep, "
					   "created_at, updated_at) VALUES (5, 'Camille', 'Martin', '+33639981301', 'nurse', '81004', "
					   "'81', 1, 1), (9, 'Karim', 'Benali', '+33639981302', 'driver', '81004', '81', 1, 1);"
					   "INSERT INTO volunteers(id, profession, dep, status, created_at, updated_at) "
					   "VALUES (12, 'doctor', '81', 'erased', 1, 1);"
					   "INSERT INTO volunteer_credentials(id, volunteer_id, kind) VALUES (3, 5, 'diploma');"
					   "UPDATE sqlite_sequence SET seq = 20 WHERE name = 'volunteers';"),
			 STORE_OK);
	/* before: one phone, one volunteer */
	assert_int_equal(store_exec(f->st, "INSERT INTO volunteers(profession, phone, dep, created_at, updated_at) "
					   "VALUES ('nurse', '+33639981301', '81', 1, 1)"),
			 STORE_ERROR);
	long long audit_before = unit_query_int(f->st, "SELECT count(*) FROM audit");
	char triggers_before[512];
	unit_query_text(f->st, "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master WHERE type = 'trigger' "
			       "AND tbl_name = 'volunteers' ORDER BY name)", triggers_before, sizeof triggers_before);
	store_close(f->st);
	f->st = NULL;

	assert_int_equal(link_migrations(f->schema, 6, 6), 1);
	if (store_open(&f->st, f->db.path, f->schema, err, sizeof err))
		fail_msg("store_open: %s", err);
	assert_int_equal(store_schema_version(f->st), 6);
	char rows[256];
	unit_query_text(f->st, "SELECT group_concat(id || ':' || coalesce(phone, '-') || ':' || status) FROM "
			       "(SELECT * FROM volunteers ORDER BY id)", rows, sizeof rows);
	assert_string_equal(rows, "5:+33639981301:active,9:+33639981302:active,12:-:erased");
	assert_int_equal(unit_query_int(f->st, "SELECT count(*) FROM volunteer_credentials WHERE volunteer_id = 5"), 1);
	/* the rebuild itself wrote no audit row */
	assert_int_equal(unit_query_int(f->st, "SELECT count(*) FROM audit"), audit_before);
	/* after: a phone may be shared, ids go on past the old mark, the audit triggers write */
	assert_int_equal(store_exec(f->st, "INSERT INTO volunteers(profession, phone, dep, created_at, updated_at) "
					   "VALUES ('nurse', '+33639981301', '81', 1, 1)"),
			 STORE_OK);
	assert_int_equal(unit_query_int(f->st, "SELECT max(id) FROM volunteers"), 21);
	assert_int_equal(unit_query_int(f->st, "SELECT count(*) FROM audit WHERE entity = 'volunteer' AND entity_id = 21"), 1);
	/* the credentials still belong to volunteers: deleting one takes its credentials with it */
	assert_int_equal(store_exec(f->st, "DELETE FROM volunteers WHERE id = 5"), STORE_OK);
	assert_int_equal(unit_query_int(f->st, "SELECT count(*) FROM volunteer_credentials"), 0);
	assert_int_equal(store_exec(f->st, "INSERT INTO volunteer_credentials(volunteer_id, kind) VALUES (99, 'diploma')"),
			 STORE_ERROR); /* no volunteer 99 */
	assert_int_equal(unit_query_int(f->st, "SELECT count(*) FROM sqlite_master WHERE name IN ('volunteers_dep', "
					       "'volunteers_profession', 'volunteers_phone', 'audit_volunteers_create', "
					       "'audit_volunteers_update', 'audit_volunteers_delete')"),
			 6);
	assert_int_equal(unit_query_int(f->st, "SELECT count(*) FROM sqlite_master WHERE name = 'volunteers_new'"), 0);
	/* every trigger of the old table was made again (the audit's, and 005's move trigger) */
	char triggers_after[512];
	unit_query_text(f->st, "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master WHERE type = 'trigger' "
			       "AND tbl_name = 'volunteers' ORDER BY name)", triggers_after, sizeof triggers_after);
	for (char *name = strtok(triggers_before, ","); name; name = strtok(NULL, ","))
		if (!strstr(triggers_after, name))
			fail_msg("the rebuild lost the trigger %s (after: %s)", name, triggers_after);
	assert_int_equal(unit_query_int(f->st, "SELECT invalid_utf8 FROM sms_inbox UNION ALL SELECT 0 LIMIT 1"), 0);
	char ok[16];
	unit_query_text(f->st, "PRAGMA integrity_check", ok, sizeof ok);
	assert_string_equal(ok, "ok");
	assert_int_equal(unit_query_int(f->st, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	assert_int_equal(unit_query_int(f->st, "PRAGMA foreign_keys"), 1); /* back on after the migration */
}

/* A migration that leaves a foreign key broken is not committed. */
static void test_migration_breaking_a_foreign_key_is_refused(void **state)
{
	struct fx *f = *state;
	assert_int_equal(mkdir(f->schema, 0700), 0);
	write_text(f->schema, "001_a.sql", "CREATE TABLE p (id INTEGER PRIMARY KEY);"
					   "CREATE TABLE c (id INTEGER PRIMARY KEY, p INTEGER REFERENCES p(id));"
					   "INSERT INTO p VALUES (1); INSERT INTO c VALUES (1, 1);");
	write_text(f->schema, "002_b.sql", "DELETE FROM p;");
	char err[512] = "";
	assert_int_not_equal(store_open(&f->st, f->db.path, f->schema, err, sizeof err), 0);
	if (!strstr(err, "002_b.sql") || !strstr(err, "foreign key"))
		fail_msg("error: %s", err);
}

/* --- transactions ----------------------------------------------------------------------------------- */

static void test_transactions(void **state)
{
	struct fx *f = *state;
	f->st = open_real(f);
	struct store *st = f->st;
	assert_false(store_in_transaction(st));
	assert_int_equal(store_begin(st, UNIT_NOW, NULL), STORE_OK);
	assert_true(store_in_transaction(st));
	assert_int_equal(store_now(st), UNIT_NOW);
	assert_int_equal(store_exec(st, "INSERT INTO meta(key, value) VALUES ('a', 1)"), STORE_OK);
	assert_int_equal(store_commit(st), STORE_OK);
	assert_false(store_in_transaction(st));
	assert_int_equal(unit_query_int(st, "SELECT value FROM meta WHERE key = 'a'"), 1);

	assert_int_equal(store_begin(st, UNIT_NOW + 1, NULL), STORE_OK);
	assert_int_equal(store_exec(st, "INSERT INTO meta(key, value) VALUES ('b', 2)"), STORE_OK);
	store_rollback(st);
	assert_false(store_in_transaction(st));
	assert_int_equal(unit_query_int(st, "SELECT count(*) FROM meta WHERE key = 'b'"), 0);
	store_rollback(st); /* harmless outside a transaction */

	/* savepoints: the inner operation goes, the outer one stays */
	assert_int_equal(store_begin(st, UNIT_NOW, NULL), STORE_OK);
	assert_int_equal(store_exec(st, "INSERT INTO meta(key, value) VALUES ('c', 3)"), STORE_OK);
	assert_int_equal(store_savepoint(st), STORE_OK);
	assert_int_equal(store_exec(st, "INSERT INTO meta(key, value) VALUES ('d', 4)"), STORE_OK);
	store_rollback_savepoint(st);
	assert_true(store_in_transaction(st));
	assert_int_equal(store_savepoint(st), STORE_OK);
	assert_int_equal(store_exec(st, "INSERT INTO meta(key, value) VALUES ('e', 5)"), STORE_OK);
	assert_int_equal(store_release(st), STORE_OK);
	assert_int_equal(store_commit(st), STORE_OK);
	char keys[32];
	unit_query_text(st, "SELECT group_concat(key) FROM (SELECT key FROM meta ORDER BY key)", keys, sizeof keys);
	assert_string_equal(keys, "a,c,e");
}

static void test_failure_message(void **state)
{
	struct fx *f = *state;
	f->st = open_real(f);
	struct store *st = f->st;
	store_set_failure(st, "finess", "is already registered for another record");
	assert_string_equal(store_failure_field(st), "finess");
	assert_string_equal(store_failure_rule(st), "is already registered for another record");
	store_set_failure(st, NULL, NULL);
	assert_string_equal(store_failure_field(st), "");
	assert_string_equal(store_failure_rule(st), "");
	/* begin clears the message of the previous operation */
	store_set_failure(st, "x", "y");
	assert_int_equal(store_begin(st, UNIT_NOW, NULL), STORE_OK);
	assert_string_equal(store_failure_field(st), "");
	store_rollback(st);
}

static void test_exec_error(void **state)
{
	struct fx *f = *state;
	f->st = open_real(f);
	assert_int_equal(store_exec(f->st, "THIS IS NOT SQL"), STORE_ERROR);
	assert_int_equal(store_exec(f->st, "SELECT * FROM no_such_table"), STORE_ERROR);
	assert_int_equal(store_exec(f->st, "SELECT 1"), STORE_OK);
}

static void test_rc_mapping(void **state)
{
	struct fx *f = *state;
	f->st = open_real(f);
	struct store *st = f->st;
	assert_int_equal(store_rc_from_sqlite(st, SQLITE_OK, "t"), STORE_OK);
	assert_int_equal(store_rc_from_sqlite(st, SQLITE_DONE, "t"), STORE_OK);
	assert_int_equal(store_rc_from_sqlite(st, SQLITE_ROW, "t"), STORE_OK);
	assert_int_equal(store_rc_from_sqlite(st, SQLITE_CONSTRAINT_UNIQUE, "t"), STORE_CONFLICT);
	assert_int_equal(store_rc_from_sqlite(st, SQLITE_CONSTRAINT_PRIMARYKEY, "t"), STORE_CONFLICT);
	assert_int_equal(store_rc_from_sqlite(st, SQLITE_CONSTRAINT_FOREIGNKEY, "t"), STORE_CONFLICT);
	assert_int_equal(store_rc_from_sqlite(st, SQLITE_CONSTRAINT_TRIGGER, "t"), STORE_CONFLICT);
	assert_int_equal(store_rc_from_sqlite(st, SQLITE_CONSTRAINT_CHECK, "t"), STORE_INVALID);
	assert_int_equal(store_rc_from_sqlite(st, SQLITE_CONSTRAINT_NOTNULL, "t"), STORE_INVALID);
	assert_int_equal(store_rc_from_sqlite(st, SQLITE_CONSTRAINT, "t"), STORE_INVALID);
	assert_int_equal(store_rc_from_sqlite(st, SQLITE_IOERR, "t"), STORE_ERROR);
	assert_int_equal(store_rc_from_sqlite(st, SQLITE_FULL, "t"), STORE_ERROR);
	assert_int_equal(store_rc_from_sqlite(st, SQLITE_CORRUPT, "t"), STORE_ERROR);
	assert_int_equal(store_rc_from_sqlite(st, SQLITE_BUSY, "t"), STORE_ERROR);
}

/* --- statement cache --------------------------------------------------------------------------------- */

static char many_sql[300][48];

static void test_statement_cache(void **state)
{
	struct fx *f = *state;
	f->st = open_real(f);
	struct store *st = f->st;
	static const char q1[] = "SELECT ?1 + 1";
	sqlite3_stmt *a = store_prepare(st, q1);
	assert_non_null(a);
	assert_int_equal(sqlite3_bind_int(a, 1, 41), SQLITE_OK);
	assert_int_equal(sqlite3_step(a), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(a, 0), 42);
	/* the same text at the same address: the same statement, reset, bindings cleared */
	sqlite3_stmt *b = store_prepare(st, q1);
	assert_ptr_equal(a, b);
	assert_int_equal(sqlite3_step(b), SQLITE_ROW);
	assert_int_equal(sqlite3_column_type(b, 0), SQLITE_NULL); /* NULL + 1: the binding is gone */
	sqlite3_reset(b);
	/* bad SQL gives NULL, and is not cached */
	static const char bad[] = "SELEC nothing";
	assert_null(store_prepare(st, bad));
	assert_null(store_prepare(st, bad));

	/* more statements than the first table holds: it grows, and every entry is still found */
	sqlite3_stmt *stmts[300];
	for (int i = 0; i < 300; i++) {
		snprintf(many_sql[i], sizeof many_sql[i], "SELECT %d", i);
		stmts[i] = store_prepare(st, many_sql[i]);
		assert_non_null(stmts[i]);
	}
	for (int i = 0; i < 300; i++) {
		sqlite3_stmt *s = store_prepare(st, many_sql[i]);
		assert_ptr_equal(s, stmts[i]);
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(s, 0), i);
		sqlite3_reset(s);
	}
	assert_ptr_equal(store_prepare(st, q1), a);
	sqlite3_reset(a);
}

/* --- meta, ping, integrity, backup -------------------------------------------------------------------- */

static void test_meta(void **state)
{
	struct fx *f = *state;
	f->st = open_real(f);
	long long v = -5;
	assert_int_equal(store_meta_get(f->st, "event_seq", &v), STORE_NOTFOUND);
	assert_int_equal(v, -5);
	assert_int_equal(store_meta_set(f->st, "event_seq", 12), STORE_OK);
	assert_int_equal(store_meta_get(f->st, "event_seq", &v), STORE_OK);
	assert_int_equal(v, 12);
	assert_int_equal(store_meta_set(f->st, "event_seq", 9007199254740993LL), STORE_OK); /* replaced */
	assert_int_equal(store_meta_get(f->st, "event_seq", &v), STORE_OK);
	assert_int_equal(v, 9007199254740993LL);
	assert_int_equal(unit_query_int(f->st, "SELECT count(*) FROM meta"), 1);
	/* kept across a reopen */
	store_close(f->st);
	f->st = open_real(f);
	assert_int_equal(store_meta_get(f->st, "event_seq", &v), STORE_OK);
	assert_int_equal(v, 9007199254740993LL);
}

static void test_ping_and_integrity(void **state)
{
	struct fx *f = *state;
	f->st = open_real(f);
	assert_int_equal(store_ping(f->st), 0);
	assert_int_equal(store_integrity_check(f->st), 0);
}

static void test_backup(void **state)
{
	struct fx *f = *state;
	f->st = open_real(f);
	assert_int_equal(store_exec(f->st, "INSERT INTO meta(key, value) VALUES ('backed', 1)"), STORE_OK);
	char path[192], err[512] = "";
	snprintf(path, sizeof path, "%s/backup.db", f->db.dir);
	assert_int_equal(store_backup(f->st, path, err, sizeof err), 0);
	/* the copy is a complete database */
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_stmt *s = NULL;
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT (SELECT value FROM meta WHERE key = 'backed'), "
						"(SELECT max(version) FROM schema_migrations)",
					    -1, &s, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(s, 0), 1);
	assert_int_equal(sqlite3_column_int(s, 1), store_schema_version(f->st));
	sqlite3_finalize(s);
	sqlite3_close(db);
	/* the live store still works after the backup */
	assert_int_equal(store_begin(f->st, UNIT_NOW, NULL), STORE_OK);
	assert_int_equal(store_exec(f->st, "INSERT INTO meta(key, value) VALUES ('after', 2)"), STORE_OK);
	assert_int_equal(store_commit(f->st), STORE_OK);

	/* never onto the live file */
	assert_int_equal(store_backup(f->st, f->db.path, err, sizeof err), -1);
	assert_non_null(strstr(err, "live database"));
	assert_int_equal(store_integrity_check(f->st), 0);
	assert_int_equal(unit_query_int(f->st, "SELECT value FROM meta WHERE key = 'after'"), 2);

	/* an unwritable destination is an error with the path */
	snprintf(path, sizeof path, "%s/no-such-dir/backup.db", f->db.dir);
	assert_int_equal(store_backup(f->st, path, err, sizeof err), -1);
	assert_non_null(strstr(err, path));
}

/* The forecast's samples, packed for the level's row: what comes back is what went (dates to the
 * second, rates and intervals as floats), and bytes that are not such a form are refused. */
static void test_forecast_samples_packed(void **state)
{
	(void)state;
	struct forecast_state s, back;
	memset(&s, 0, sizeof s);
	unsigned char packed[FORECAST_PACKED_MAX];
	assert_int_equal(store_forecast_pack(&s, packed), 0);
	assert_int_equal(store_forecast_unpack(packed, 0, &back), 0);
	assert_int_equal(back.n, 0);
	for (int i = 0; i < FORECAST_HISTORY; i++) {
		s.s[i].at = UNIT_NOW + i * 86400000LL + 500 * (i == FORECAST_HISTORY - 1);
		s.s[i].rate = 1234.5 / (i + 1);
		s.s[i].days = 1 + 0.25 * i;
		s.flags[i] = (signed char)(i % 3 - 1);
	}
	s.n = FORECAST_HISTORY;
	size_t n = store_forecast_pack(&s, packed);
	assert_int_equal(n, FORECAST_PACKED_MAX);
	assert_int_equal(store_forecast_unpack(packed, n, &back), 0);
	assert_int_equal(back.n, s.n);
	for (int i = 0; i < s.n; i++) {
		/* the newest's date exactly, the others to the second before it */
		long long want = i == s.n - 1 ? s.s[i].at : s.s[s.n - 1].at - ((s.s[s.n - 1].at - s.s[i].at) / 1000) * 1000;
		assert_int_equal(back.s[i].at, want);
		assert_true(fabs(back.s[i].rate - s.s[i].rate) < 1e-4 * s.s[i].rate);
		assert_true(fabs(back.s[i].days - s.s[i].days) < 1e-6);
		assert_int_equal(back.flags[i], s.flags[i]);
	}
	/* refused: a size that is no count of samples, a count of none or too many, a negative rate */
	assert_int_equal(store_forecast_unpack(packed, n - 1, &back), -1);
	assert_int_equal(back.n, 0);
	unsigned char bad[FORECAST_PACKED_MAX];
	memcpy(bad, packed, n);
	bad[8] = 0;
	assert_int_equal(store_forecast_unpack(bad, n, &back), -1);
	bad[8] = FORECAST_HISTORY + 1;
	assert_int_equal(store_forecast_unpack(bad, n, &back), -1);
	memcpy(bad, packed, n);
	float negative = -1;
	memcpy(bad + 9 + 4, &negative, 4);
	assert_int_equal(store_forecast_unpack(bad, n, &back), -1);
	assert_int_equal(back.n, 0);
}

static void test_audit_actor_functions(void **state)
{
	struct fx *f = *state;
	f->st = open_real(f);
	struct store *st = f->st;
	char text[64];
	struct principal p = unit_principal(ROLE_COORDINATOR, ",81,", 0, 42);
	assert_int_equal(store_begin(st, UNIT_NOW, &p), STORE_OK);
	assert_int_equal(unit_query_int(st, "SELECT renfort_now()"), UNIT_NOW);
	assert_int_equal(unit_query_int(st, "SELECT renfort_actor()"), 42);
	unit_query_text(st, "SELECT renfort_actor_role()", text, sizeof text);
	assert_string_equal(text, "coordinator");
	struct principal admin = unit_principal(ROLE_ADMIN, "", 0, 7);
	store_set_actor(st, &admin);
	assert_int_equal(unit_query_int(st, "SELECT renfort_actor()"), 7);
	unit_query_text(st, "SELECT renfort_actor_role()", text, sizeof text);
	assert_string_equal(text, "admin");
	store_set_actor(st, NULL);
	assert_int_equal(unit_query_int(st, "SELECT renfort_actor() IS NULL"), 1);
	unit_query_text(st, "SELECT renfort_actor_role()", text, sizeof text);
	assert_string_equal(text, "system");
	store_set_now(st, UNIT_NOW + 5000);
	assert_int_equal(store_now(st), UNIT_NOW + 5000);
	assert_int_equal(unit_query_int(st, "SELECT renfort_now()"), UNIT_NOW + 5000);
	store_rollback(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_applies_migrations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_open_does_not_reapply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pragmas, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_bad_schema_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_bad_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migration_failure_is_atomic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrations_in_number_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_migration_numbers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ledger_rebuild_keeps_history, setup, teardown),
		cmocka_unit_test_setup_teardown(test_moved_holders_take_their_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_volunteers_rebuild_keeps_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migration_breaking_a_foreign_key_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failure_message, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rc_mapping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_statement_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_meta, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ping_and_integrity, setup, teardown),
		cmocka_unit_test(test_forecast_samples_packed),
		cmocka_unit_test_setup_teardown(test_backup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_actor_functions, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
