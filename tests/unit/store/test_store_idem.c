/* Unit tests of store_idem.c: remembered answers of writes that carried an idempotency key (this
 * part of the old store_event.c now lives here). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store.h"
#include "store_idem.h"
#include "unit_fixture.h"

static int setup(void **state)
{
	*state = unit_store_open();
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	unit_store_close(*state);
	return 0;
}

static int put(struct store *st, long long now, long long token, const char *key, const char *op, const char *hash,
	       int status, const char *response, const char *entity, long long entity_id)
{
	assert_int_equal(store_begin(st, now, NULL), STORE_OK);
	int rc = store_idem_put(st, token, key, op, hash, status, response, entity, entity_id);
	if (rc)
		store_rollback(st);
	else
		assert_int_equal(store_commit(st), STORE_OK);
	return rc;
}

static void test_put_and_get(void **state)
{
	struct unit_store *f = *state;
	struct idem_row row;
	memset(&row, 0, sizeof row);
	assert_int_equal(store_idem_get(f->st, 1, "key-1", &row), STORE_NOTFOUND);
	assert_null(row.op);

	assert_int_equal(put(f->st, UNIT_NOW, 1, "key-1", "structures.create", "abc123", 201,
			     "{\"data\":{\"id\":12}}", "structure", 12),
			 STORE_OK);
	assert_int_equal(store_idem_get(f->st, 1, "key-1", &row), STORE_OK);
	assert_string_equal(row.op, "structures.create");
	assert_string_equal(row.request_hash, "abc123");
	assert_int_equal(row.status, 201);
	assert_string_equal(row.response, "{\"data\":{\"id\":12}}");
	store_idem_release(&row);
	assert_null(row.op);
	assert_null(row.response);
	store_idem_release(&row); /* twice is harmless */
}

static void test_keys_are_per_token(void **state)
{
	struct unit_store *f = *state;
	assert_int_equal(put(f->st, UNIT_NOW, 1, "same", "a", "h1", 200, "{}", NULL, 0), STORE_OK);
	/* the same key from another token is another key */
	assert_int_equal(put(f->st, UNIT_NOW, 2, "same", "b", "h2", 201, "[]", NULL, 0), STORE_OK);
	struct idem_row row;
	assert_int_equal(store_idem_get(f->st, 2, "same", &row), STORE_OK);
	assert_string_equal(row.op, "b");
	store_idem_release(&row);
	assert_int_equal(store_idem_get(f->st, 1, "same", &row), STORE_OK);
	assert_string_equal(row.op, "a");
	store_idem_release(&row);
	assert_int_equal(store_idem_get(f->st, 3, "same", &row), STORE_NOTFOUND);
	/* keys are exact */
	assert_int_equal(store_idem_get(f->st, 1, "SAME", &row), STORE_NOTFOUND);
	assert_int_equal(store_idem_get(f->st, 1, "same ", &row), STORE_NOTFOUND);
}

static void test_key_used_twice(void **state)
{
	struct unit_store *f = *state;
	assert_int_equal(put(f->st, UNIT_NOW, 1, "k", "a", "h1", 200, "{\"first\":true}", NULL, 0), STORE_OK);
	assert_int_equal(put(f->st, UNIT_NOW + 1, 1, "k", "a", "h2", 200, "{\"second\":true}", NULL, 0), STORE_CONFLICT);
	struct idem_row row;
	assert_int_equal(store_idem_get(f->st, 1, "k", &row), STORE_OK);
	assert_string_equal(row.response, "{\"first\":true}"); /* the first answer stays */
	assert_string_equal(row.request_hash, "h1");
	store_idem_release(&row);
}

static void test_entity_columns(void **state)
{
	struct unit_store *f = *state;
	assert_int_equal(put(f->st, UNIT_NOW, 1, "with", "a", "h", 200, "{}", "volunteer", 7), STORE_OK);
	assert_int_equal(put(f->st, UNIT_NOW, 1, "without", "a", "h", 200, "{}", NULL, 0), STORE_OK);
	sqlite3_stmt *s = NULL;
	assert_int_equal(sqlite3_prepare_v2(store_db(f->st),
					    "SELECT key, entity, entity_id, at FROM idempotency ORDER BY key", -1, &s, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "with");
	assert_string_equal((const char *)sqlite3_column_text(s, 1), "volunteer");
	assert_int_equal(sqlite3_column_int64(s, 2), 7);
	assert_int_equal(sqlite3_column_int64(s, 3), UNIT_NOW); /* the transaction's clock */
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "without");
	assert_int_equal(sqlite3_column_type(s, 1), SQLITE_NULL);
	assert_int_equal(sqlite3_column_type(s, 2), SQLITE_NULL);
	sqlite3_finalize(s);
}

static void test_prune(void **state)
{
	struct unit_store *f = *state;
	assert_int_equal(put(f->st, 1000, 1, "old", "a", "h", 200, "{}", NULL, 0), STORE_OK);
	assert_int_equal(put(f->st, 2000, 1, "edge", "a", "h", 200, "{}", NULL, 0), STORE_OK);
	assert_int_equal(put(f->st, 3000, 1, "new", "a", "h", 200, "{}", NULL, 0), STORE_OK);
	assert_int_equal(store_begin(f->st, 5000, NULL), STORE_OK);
	assert_int_equal(store_idem_prune(f->st, 2000), STORE_OK); /* strictly older than 2000 */
	assert_int_equal(store_commit(f->st), STORE_OK);
	struct idem_row row;
	assert_int_equal(store_idem_get(f->st, 1, "old", &row), STORE_NOTFOUND);
	assert_int_equal(store_idem_get(f->st, 1, "edge", &row), STORE_OK);
	store_idem_release(&row);
	assert_int_equal(store_idem_get(f->st, 1, "new", &row), STORE_OK);
	store_idem_release(&row);
	/* a pruned key can be used again */
	assert_int_equal(put(f->st, 6000, 1, "old", "b", "h", 200, "{}", NULL, 0), STORE_OK);
	assert_int_equal(store_idem_prune(f->st, 0), STORE_OK); /* nothing that old */
	assert_int_equal(store_idem_get(f->st, 1, "old", &row), STORE_OK);
	assert_string_equal(row.op, "b");
	store_idem_release(&row);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_put_and_get, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys_are_per_token, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_used_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_entity_columns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prune, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
