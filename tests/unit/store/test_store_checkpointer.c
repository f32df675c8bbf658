/* Unit tests of store_checkpointer.c: the write-ahead log is copied into the database by the
 * thread, stays bounded under steady commits (it is started again from its beginning), nothing
 * committed is lost, and the store checkpoints by itself again once the thread is stopped. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <time.h>

#include "store_checkpointer.h"
#include "unit_fixture.h"

static long long wal_bytes(const struct unit_store *u)
{
	char p[160];
	struct stat sb;
	snprintf(p, sizeof p, "%s-wal", u->db.path);
	return stat(p, &sb) == 0 ? (long long)sb.st_size : 0;
}

/* Commits of about 6 pages each: 300 of them write about 7 MiB of log, 60 times the 30 pages
 * that start a checkpoint. Between two, a pause as the server has between two group commits (its
 * network work): SQLite's locks are not fair, and a loop of nothing but commits would keep the
 * thread's restart checkpoint from ever getting the write lock. */
static void commit_pages(struct store *st, int commits)
{
	for (int i = 0; i < commits; i++) {
		assert_int_equal(store_begin(st, UNIT_NOW, NULL), STORE_OK);
		assert_int_equal(store_exec(st, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 6) "
						"INSERT INTO t(x) SELECT randomblob(3000) FROM n"),
				 STORE_OK);
		assert_int_equal(store_commit(st), STORE_OK);
		struct timespec ts = {0, 200000};
		nanosleep(&ts, NULL);
	}
}

/* A store with a table t to fill, and a checkpointer started at `pages`. */
static struct unit_store *open_with_thread(int pages, struct checkpointer **c)
{
	struct unit_store *u = unit_store_open();
	assert_non_null(u);
	assert_int_equal(store_exec(u->st, "CREATE TABLE t(x BLOB)"), STORE_OK);
	char err[256] = "";
	*c = checkpointer_start(u->st, pages, err, sizeof err);
	if (!*c)
		fail_msg("checkpointer_start: %s", err);
	return u;
}

static void test_log_copied_and_bounded(void **state)
{
	(void)state;
	struct checkpointer *c = NULL;
	struct unit_store *u = open_with_thread(30, &c);
	commit_pages(u->st, 300);
	struct checkpointer_stats s;
	for (int i = 0; i < 300; i++) { /* up to 3 s for the thread to catch up */
		checkpointer_stats(c, &s);
		if (s.runs > 0)
			break;
		struct timespec ts = {0, 10000000};
		nanosleep(&ts, NULL);
	}
	/* the log was started again either after a passive copy that caught up between two commits,
	 * or by a restart checkpoint: which one depends on timing, the bound below holds for both */
	assert_true(s.runs > 0);
	/* written: 300 x 6 x 3000 bytes = 5.4 MB at least; the log restarts past 8 x 30 frames. On a
	 * loaded machine the thread may have had no turn during the commits: the restart then comes
	 * with the next commits (a few more, up to 3 s), never with none */
	long long wal = wal_bytes(u);
	int extra = 0;
	for (; extra < 30 && wal > 5400000 / 2; extra++) {
		commit_pages(u->st, 1);
		struct timespec ts = {0, 100000000};
		nanosleep(&ts, NULL);
		wal = wal_bytes(u);
	}
	if (wal > 5400000 / 2)
		fail_msg("the log holds %lld bytes after 5.4 MB of commits: it was never started again", wal);
	checkpointer_stop(c);
	/* the store checkpoints by itself again (SQLite's 1000 pages): the log does not grow past that */
	commit_pages(u->st, 400);
	if (wal_bytes(u) > 1100LL * 4096 + 200000)
		fail_msg("after the thread stopped the log reached %lld bytes", wal_bytes(u));
	assert_int_equal(unit_query_int(u->st, "SELECT count(*) FROM t"), (700 + extra) * 6);
	unit_store_close(u);
}

/* The store's own TRUNCATE checkpoint (after an erasure) waits for the thread instead of failing. */
static void test_truncate_beside_the_thread(void **state)
{
	(void)state;
	struct checkpointer *c = NULL;
	struct unit_store *u = open_with_thread(10, &c);
	for (int round = 0; round < 20; round++) {
		commit_pages(u->st, 5);
		assert_int_equal(store_checkpoint(u->st), STORE_OK);
		assert_int_equal(wal_bytes(u), 0);
	}
	checkpointer_stop(c);
	assert_int_equal(unit_query_int(u->st, "SELECT count(*) FROM t"), 100 * 6);
	char ok[16];
	unit_query_text(u->st, "PRAGMA integrity_check", ok, sizeof ok);
	assert_string_equal(ok, "ok");
	unit_store_close(u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_log_copied_and_bounded),
		cmocka_unit_test(test_truncate_beside_the_thread),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
