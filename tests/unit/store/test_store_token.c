/* Unit tests of store_token.c: API tokens kept as hashes, their principals, revocation. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "log.h"
#include "model.h"
#include "store.h"
#include "store_record.h"
#include "store_territory.h"
#include "store_token.h"
#include "unit_fixture.h"

static int setup(void **state)
{
	struct unit_store *f = unit_store_open();
	if (!f)
		return -1;
	/* a minimal territory, written with store_territory rather than the whole seed */
	struct departement d;
	memset(&d, 0, sizeof d);
	snprintf(d.code, sizeof d.code, "81");
	snprintf(d.name, sizeof d.name, "Tarn");
	snprintf(d.region, sizeof d.region, "76");
	snprintf(d.prefecture, sizeof d.prefecture, "81004");
	d.lat = 43.8;
	d.lng = 2.2;
	struct commune c;
	memset(&c, 0, sizeof c);
	snprintf(c.insee, sizeof c.insee, "81004");
	snprintf(c.name, sizeof c.name, "Albi");
	snprintf(c.dep, sizeof c.dep, "81");
	snprintf(c.postcode, sizeof c.postcode, "81000");
	c.lat = 43.92903;
	c.lng = 2.1323;
	c.population = 49000;
	if (store_begin(f->st, UNIT_NOW, NULL) || store_departement_insert(f->st, &d) || store_commune_insert(f->st, &c) ||
	    store_commit(f->st)) {
		unit_store_close(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	unit_store_close(*state);
	return 0;
}

static long long insert_structure(struct store *st, const char *name)
{
	struct record *r = record_new(&entity_structure);
	record_set_text(r, STRUCTURE_NAME, name);
	record_set_text(r, STRUCTURE_CATEGORY, "ehpad");
	record_set_text(r, STRUCTURE_LEGAL_FORM, "public");
	record_set_text(r, STRUCTURE_COMMUNE, "81004");
	record_set_text(r, STRUCTURE_DEP, "81");
	record_set_real(r, STRUCTURE_LAT, 43.92903);
	record_set_real(r, STRUCTURE_LNG, 2.1323);
	long long id = 0;
	assert_int_equal(store_begin(st, UNIT_NOW, NULL), STORE_OK);
	assert_int_equal(store_record_insert(st, r, &id), STORE_OK);
	assert_int_equal(store_commit(st), STORE_OK);
	record_free(r);
	return id;
}

/* Creates a token in its own transaction; returns the store rc and sets *id and the secret's hash. */
static int create(struct store *st, enum role role, const char *deps, long long subject, const char *label,
		  char hash[65], long long *id)
{
	char secret[48];
	assert_int_equal(auth_token_generate(secret), 0);
	auth_token_hash(secret, hash);
	assert_int_equal(store_begin(st, UNIT_NOW, NULL), STORE_OK);
	int rc = store_token_create(st, role, deps, subject, label, hash, id);
	if (rc)
		store_rollback(st);
	else
		assert_int_equal(store_commit(st), STORE_OK);
	return rc;
}

static int revoke_token(struct store *st, long long id, long long now)
{
	assert_int_equal(store_begin(st, now, NULL), STORE_OK);
	int rc = store_token_revoke(st, id);
	if (rc)
		store_rollback(st);
	else
		assert_int_equal(store_commit(st), STORE_OK);
	return rc;
}

/* --- create and lookup ------------------------------------------------------------------------------ */

static void test_create_and_lookup(void **state)
{
	struct unit_store *f = *state;
	char hash[65];
	long long id = 0;
	assert_int_equal(create(f->st, ROLE_COORDINATOR, ",81,", 0, "Tarn cell", hash, &id), STORE_OK);
	assert_true(id > 0);
	struct principal p;
	memset(&p, 0xAB, sizeof p);
	assert_int_equal(store_token_lookup(f->st, hash, &p), STORE_OK);
	assert_int_equal(p.token_id, id);
	assert_int_equal(p.role, ROLE_COORDINATOR);
	assert_string_equal(p.deps, ",81,");
	assert_int_equal(p.subject_id, 0);

	/* a region-wide token keeps no scope */
	char h2[65];
	long long id2 = 0;
	assert_int_equal(create(f->st, ROLE_ADMIN, "", 0, "ops", h2, &id2), STORE_OK);
	assert_true(id2 > id);
	assert_int_equal(store_token_lookup(f->st, h2, &p), STORE_OK);
	assert_int_equal(p.role, ROLE_ADMIN);
	assert_string_equal(p.deps, "");
	char h3[65];
	long long id3 = 0;
	assert_int_equal(create(f->st, ROLE_OBSERVER, NULL, 0, NULL, h3, &id3), STORE_OK);
	assert_int_equal(store_token_lookup(f->st, h3, &p), STORE_OK);
	assert_int_equal(p.role, ROLE_OBSERVER);
	assert_string_equal(p.deps, "");
}

static void test_lookup_unknown(void **state)
{
	struct unit_store *f = *state;
	struct principal p;
	char hash[65];
	auth_token_hash("rf_never_issued", hash);
	assert_int_equal(store_token_lookup(f->st, hash, &p), STORE_NOTFOUND);
	assert_int_equal(store_token_lookup(f->st, "", &p), STORE_NOTFOUND);
	/* the secret itself is not a key: only its hash is */
	char secret[48], h[65];
	long long id;
	assert_int_equal(auth_token_generate(secret), 0);
	auth_token_hash(secret, h);
	assert_int_equal(store_begin(f->st, UNIT_NOW, NULL), STORE_OK);
	assert_int_equal(store_token_create(f->st, ROLE_ADMIN, "", 0, "x", h, &id), STORE_OK);
	assert_int_equal(store_commit(f->st), STORE_OK);
	assert_int_equal(store_token_lookup(f->st, secret, &p), STORE_NOTFOUND);
	assert_int_equal(store_token_lookup(f->st, h, &p), STORE_OK);
}

static void test_subject_tokens(void **state)
{
	struct unit_store *f = *state;
	char hash[65];
	long long id = 0;
	/* a structure token names an existing structure */
	assert_int_equal(create(f->st, ROLE_STRUCTURE, "", 999, "ghost", hash, &id), STORE_INVALID);
	assert_string_equal(store_failure_field(f->st), "subject");
	assert_int_equal(create(f->st, ROLE_DEPOT, "", 1, "ghost", hash, &id), STORE_INVALID);
	assert_int_equal(create(f->st, ROLE_VOLUNTEER, "", 1, "ghost", hash, &id), STORE_INVALID);

	long long sid = insert_structure(f->st, "EHPAD");
	assert_int_equal(create(f->st, ROLE_STRUCTURE, "", sid, "ehpad desk", hash, &id), STORE_OK);
	struct principal p;
	assert_int_equal(store_token_lookup(f->st, hash, &p), STORE_OK);
	assert_int_equal(p.role, ROLE_STRUCTURE);
	assert_int_equal(p.subject_id, sid);
	/* the structure's id does not make a depot token */
	assert_int_equal(create(f->st, ROLE_DEPOT, "", sid, "wrong", hash, &id), STORE_INVALID);

	/* roles without a subject ignore one */
	assert_int_equal(create(f->st, ROLE_ADMIN, "", sid, "admin", hash, &id), STORE_OK);
	assert_int_equal(store_token_lookup(f->st, hash, &p), STORE_OK);
	assert_int_equal(p.subject_id, 0);
}

static void test_duplicate_hash(void **state)
{
	struct unit_store *f = *state;
	char hash[65];
	long long id = 0, id2 = 0;
	assert_int_equal(create(f->st, ROLE_ADMIN, "", 0, "a", hash, &id), STORE_OK);
	assert_int_equal(store_begin(f->st, UNIT_NOW, NULL), STORE_OK);
	assert_int_equal(store_token_create(f->st, ROLE_OBSERVER, "", 0, "b", hash, &id2), STORE_CONFLICT);
	store_rollback(f->st);
	struct principal p;
	assert_int_equal(store_token_lookup(f->st, hash, &p), STORE_OK);
	assert_int_equal(p.role, ROLE_ADMIN); /* the first one, unchanged */
}

/* --- revocation -------------------------------------------------------------------------------------- */

static void test_revoke(void **state)
{
	struct unit_store *f = *state;
	char hash[65], other[65];
	long long id = 0, oid = 0;
	assert_int_equal(create(f->st, ROLE_COORDINATOR, ",81,", 0, "to revoke", hash, &id), STORE_OK);
	assert_int_equal(create(f->st, ROLE_COORDINATOR, ",81,", 0, "to keep", other, &oid), STORE_OK);
	assert_int_equal(revoke_token(f->st, id, UNIT_NOW + 5000), STORE_OK);
	struct principal p;
	assert_int_equal(store_token_lookup(f->st, hash, &p), STORE_NOTFOUND);
	assert_int_equal(store_token_lookup(f->st, other, &p), STORE_OK);
	/* twice, or an unknown id: not found */
	assert_int_equal(revoke_token(f->st, id, UNIT_NOW + 6000), STORE_NOTFOUND);
	assert_int_equal(revoke_token(f->st, 424242, UNIT_NOW), STORE_NOTFOUND);
}

struct listed {
	struct token_info t[16];
	int n;
	int stop_after;
};

static int collect(void *ctx, const struct token_info *t)
{
	struct listed *l = ctx;
	if (l->n < 16)
		l->t[l->n++] = *t;
	return l->stop_after && l->n >= l->stop_after;
}

static void test_list(void **state)
{
	struct unit_store *f = *state;
	char hash[65];
	long long a = 0, b = 0, c = 0;
	assert_int_equal(create(f->st, ROLE_ADMIN, "", 0, "first", hash, &a), STORE_OK);
	assert_int_equal(create(f->st, ROLE_COORDINATOR, ",31,81,", 0, "second", hash, &b), STORE_OK);
	assert_int_equal(create(f->st, ROLE_OBSERVER, ",81,", 0, NULL, hash, &c), STORE_OK);
	assert_int_equal(revoke_token(f->st, b, UNIT_NOW + 7000), STORE_OK);
	struct listed l;
	memset(&l, 0, sizeof l);
	assert_int_equal(store_token_list(f->st, collect, &l), STORE_OK);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.t[0].id, a);
	assert_int_equal(l.t[0].role, ROLE_ADMIN);
	assert_string_equal(l.t[0].label, "first");
	assert_string_equal(l.t[0].deps, "");
	assert_int_equal(l.t[0].created_at, UNIT_NOW);
	assert_int_equal(l.t[0].revoked_at, 0);
	assert_int_equal(l.t[1].id, b);
	assert_string_equal(l.t[1].deps, ",31,81,");
	assert_int_equal(l.t[1].revoked_at, UNIT_NOW + 7000);
	assert_int_equal(l.t[2].id, c);
	assert_string_equal(l.t[2].label, "");
	/* the callback can stop it */
	memset(&l, 0, sizeof l);
	l.stop_after = 1;
	assert_int_equal(store_token_list(f->st, collect, &l), STORE_OK);
	assert_int_equal(l.n, 1);
	/* a later list works (the statement was reset) */
	memset(&l, 0, sizeof l);
	assert_int_equal(store_token_list(f->st, collect, &l), STORE_OK);
	assert_int_equal(l.n, 3);
}

static void test_audit_never_holds_the_hash(void **state)
{
	struct unit_store *f = *state;
	char hash[65];
	long long id = 0;
	assert_int_equal(create(f->st, ROLE_COORDINATOR, ",81,", 0, "audited", hash, &id), STORE_OK);
	assert_int_equal(revoke_token(f->st, id, UNIT_NOW + 1), STORE_OK);
	sqlite3_stmt *s = NULL;
	assert_int_equal(sqlite3_prepare_v2(store_db(f->st),
					    "SELECT count(*), sum(instr(coalesce(before, '') || coalesce(after, ''), ?1) > 0) "
					    "FROM audit WHERE entity = 'token' AND entity_id = ?2",
					    -1, &s, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(s, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, id);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(s, 0), 2); /* create and revoke */
	assert_int_equal(sqlite3_column_int(s, 1), 0);
	sqlite3_finalize(s);
}

/* A structure token acts as "structure <id>". If that structure is deleted and the id is given to a
 * new structure (SQLite reuses the largest rowid after its row is deleted, unless the table is
 * AUTOINCREMENT), the old token must not act on the new structure. */
static void test_token_of_deleted_structure(void **state)
{
	struct unit_store *f = *state;
	insert_structure(f->st, "Other");
	long long old = insert_structure(f->st, "Closing down");
	char hash[65];
	long long tid = 0;
	assert_int_equal(create(f->st, ROLE_STRUCTURE, "", old, "old desk", hash, &tid), STORE_OK);
	struct principal admin = unit_principal(ROLE_ADMIN, "", 0, 1);
	assert_int_equal(store_begin(f->st, UNIT_NOW, &admin), STORE_OK);
	assert_int_equal(store_record_delete(f->st, &entity_structure, &admin, old), STORE_OK);
	assert_int_equal(store_commit(f->st), STORE_OK);
	long long fresh = insert_structure(f->st, "Someone else");

	struct principal p;
	int rc = store_token_lookup(f->st, hash, &p);
	if (rc == STORE_NOTFOUND)
		return; /* revoked with its structure: fine */
	assert_int_equal(rc, STORE_OK);
	struct record *r = NULL;
	rc = store_record_get(f->st, &entity_structure, &p, fresh, &r);
	record_free(r);
	if (rc == STORE_OK)
		fail_msg("the token of deleted structure %lld reads new structure %lld (\"Someone else\")", old, fresh);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_and_lookup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lookup_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_subject_tokens, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_hash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_revoke, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_never_holds_the_hash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_token_of_deleted_structure, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
