/* Unit tests of the holder and item cache (store_cache.c) as stock reports see it, through
 * store_holder_get() and store_item_find(): a change is seen by the next read, in the same
 * transaction or after it; a rolled back change is not; a change made by another connection is
 * seen by the next transaction; the caller's scope applies to a cached holder as to a read one.
 * Threshold overrides and open alerts likewise, through store_override_get() and
 * store_alert_current(); and a holder that moves takes its alerts to its new département. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "store_alert.h"
#include "store_cache.h"
#include "store_stock.h"
#include "unit_fixture.h"

struct fixture {
	struct unit_store *u;
	long long s81, s31, depot, item;
};

static void exec_ok(struct store *st, const char *sql)
{
	if (store_exec(st, sql) != STORE_OK)
		fail_msg("%s: %s", sql, store_errmsg(st));
}

/* Runs an INSERT; returns the new row's id. */
static long long insert_row(struct store *st, const char *sql)
{
	exec_ok(st, sql);
	return unit_query_int(st, "SELECT last_insert_rowid()");
}

/* sql on a connection of its own, as a sqlite3 shell would: the audit triggers call functions only
 * renfortd's connection has, so the caller drops those its statements would fire. */
static void exec_elsewhere(struct fixture *f, const char *sql)
{
	sqlite3 *other = NULL;
	assert_int_equal(sqlite3_open(f->u->db.path, &other), SQLITE_OK);
	if (sqlite3_exec(other, sql, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(other));
	sqlite3_close(other);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	if (!f || !(f->u = unit_store_open())) {
		free(f);
		return -1;
	}
	struct store *st = f->u->st;
	struct principal admin = unit_principal(ROLE_ADMIN, "", 0, 1);
	if (store_begin(st, UNIT_NOW, &admin))
		return -1;
	exec_ok(st, "INSERT INTO departements(code, name, region, lat, lng) VALUES ('81', 'Tarn', '76', 43.9, 2.1), "
		    "('31', 'Haute-Garonne', '76', 43.6, 1.4)");
	exec_ok(st, "INSERT INTO communes(insee, name, dep, lat, lng) VALUES ('81004', 'Albi', '81', 43.93, 2.15), "
		    "('31555', 'Toulouse', '31', 43.6, 1.44)");
	f->s81 = insert_row(st, "INSERT INTO structures(name, category, legal_form, commune, dep, lat, lng, occupancy, staff, "
				"created_at, updated_at) VALUES ('EHPAD Les Tilleuls', 'ehpad', 'association', '81004', '81', "
				"43.93, 2.15, 70, 40, 0, 0)");
	f->s31 = insert_row(st, "INSERT INTO structures(name, category, legal_form, commune, dep, lat, lng, created_at, updated_at) "
				"VALUES ('Clinique du Canal', 'clinique', 'sas', '31555', '31', 43.6, 1.44, 0, 0)");
	f->depot = insert_row(st, "INSERT INTO depots(name, level, commune, dep, lat, lng, created_at, updated_at) "
				  "VALUES ('Dépôt du Tarn', 'departemental', '81004', '81', 43.93, 2.15, 0, 0)");
	f->item = insert_row(st, "INSERT INTO items(code, name, category, unit, burn_per_worker_day, created_at, updated_at) "
				 "VALUES ('masque-ffp2', 'Masque FFP2', 'epi', 'pièce', 3, 0, 0)");
	if (store_commit(st))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	unit_store_close(f->u);
	free(f);
	return 0;
}

static struct holder_info holder(struct fixture *f, const struct principal *p, enum holder_kind kind, long long id,
				 int want_rc)
{
	struct holder_info h;
	memset(&h, 0, sizeof h);
	assert_int_equal(store_holder_get(f->u->st, p, kind, id, &h), want_rc);
	return h;
}

static void test_change_is_seen(void **state)
{
	struct fixture *f = *state;
	struct store *st = f->u->st;
	struct principal admin = unit_principal(ROLE_ADMIN, "", 0, 1);
	struct holder_info h = holder(f, &admin, HOLDER_STRUCTURE, f->s81, STORE_OK); /* read, now cached */
	assert_string_equal(h.name, "EHPAD Les Tilleuls");
	assert_int_equal(h.occupancy, 70);
	h = holder(f, &admin, HOLDER_STRUCTURE, f->s81, STORE_OK); /* from the cache */
	assert_string_equal(h.category, "ehpad");

	/* in a transaction: seen at once, and after the commit */
	assert_int_equal(store_begin(st, UNIT_NOW, &admin), STORE_OK);
	exec_ok(st, "UPDATE structures SET occupancy = 75, category = 'ssiad', name = 'EHPAD Les Tilleuls (annexe)' "
		    "WHERE dep = '81'");
	h = holder(f, &admin, HOLDER_STRUCTURE, f->s81, STORE_OK);
	assert_int_equal(h.occupancy, 75);
	assert_string_equal(h.category, "ssiad");
	assert_int_equal(store_commit(st), STORE_OK);
	h = holder(f, &admin, HOLDER_STRUCTURE, f->s81, STORE_OK);
	assert_string_equal(h.name, "EHPAD Les Tilleuls (annexe)");
	assert_int_equal(h.occupancy, 75);

	/* a move to another département: its coordinators no longer see it */
	struct principal coord81 = unit_principal(ROLE_COORDINATOR, ",81,", 0, 2);
	holder(f, &coord81, HOLDER_STRUCTURE, f->s81, STORE_OK);
	assert_int_equal(store_begin(st, UNIT_NOW, &admin), STORE_OK);
	exec_ok(st, "UPDATE structures SET commune = '31555', dep = '31' WHERE name LIKE 'EHPAD%'");
	assert_int_equal(store_commit(st), STORE_OK);
	holder(f, &coord81, HOLDER_STRUCTURE, f->s81, STORE_NOTFOUND);
	h = holder(f, &admin, HOLDER_STRUCTURE, f->s81, STORE_OK);
	assert_string_equal(h.dep, "31");

	/* a depot and an item likewise */
	h = holder(f, &admin, HOLDER_DEPOT, f->depot, STORE_OK);
	assert_string_equal(h.name, "Dépôt du Tarn");
	struct item_info it;
	assert_int_equal(store_item_find(st, NULL, f->item, &it), STORE_OK);
	assert_true(it.per_worker == 3);
	assert_int_equal(store_begin(st, UNIT_NOW, &admin), STORE_OK);
	exec_ok(st, "UPDATE depots SET name = 'Dépôt départemental du Tarn'");
	exec_ok(st, "UPDATE items SET burn_per_worker_day = 4.5, name = 'Masque FFP2 (boîte)'");
	assert_int_equal(store_commit(st), STORE_OK);
	h = holder(f, &admin, HOLDER_DEPOT, f->depot, STORE_OK);
	assert_string_equal(h.name, "Dépôt départemental du Tarn");
	assert_int_equal(store_item_find(st, NULL, f->item, &it), STORE_OK);
	assert_true(it.per_worker == 4.5);
	assert_string_equal(it.name, "Masque FFP2 (boîte)");
	assert_int_equal(store_item_find(st, "masque-ffp2", 0, &it), STORE_OK);
	assert_int_equal(it.id, f->item);
}

static void test_rollback_is_not_seen(void **state)
{
	struct fixture *f = *state;
	struct store *st = f->u->st;
	struct principal admin = unit_principal(ROLE_ADMIN, "", 0, 1);
	holder(f, &admin, HOLDER_STRUCTURE, f->s31, STORE_OK);

	/* a transaction rolled back, after the changed row was read (and cached) inside it */
	assert_int_equal(store_begin(st, UNIT_NOW, &admin), STORE_OK);
	exec_ok(st, "UPDATE structures SET staff = 12 WHERE id IN (SELECT id FROM structures WHERE dep = '31')");
	assert_int_equal(holder(f, &admin, HOLDER_STRUCTURE, f->s31, STORE_OK).staff, 12);
	store_rollback(st);
	assert_int_equal(holder(f, &admin, HOLDER_STRUCTURE, f->s31, STORE_OK).staff, -1);

	/* a savepoint rolled back inside a transaction that commits */
	assert_int_equal(store_begin(st, UNIT_NOW, &admin), STORE_OK);
	assert_int_equal(store_savepoint(st), STORE_OK);
	exec_ok(st, "UPDATE structures SET staff = 13 WHERE category = 'clinique'");
	assert_int_equal(holder(f, &admin, HOLDER_STRUCTURE, f->s31, STORE_OK).staff, 13);
	store_rollback_savepoint(st);
	assert_int_equal(holder(f, &admin, HOLDER_STRUCTURE, f->s31, STORE_OK).staff, -1);
	assert_int_equal(store_commit(st), STORE_OK);
	assert_int_equal(holder(f, &admin, HOLDER_STRUCTURE, f->s31, STORE_OK).staff, -1);
}

static void test_other_connection_is_seen(void **state)
{
	struct fixture *f = *state;
	struct store *st = f->u->st;
	struct principal admin = unit_principal(ROLE_ADMIN, "", 0, 1);
	assert_string_equal(holder(f, &admin, HOLDER_STRUCTURE, f->s31, STORE_OK).category, "clinique");
	assert_true(store_item_find(st, NULL, f->item, &(struct item_info){0}) == STORE_OK);

	exec_elsewhere(f, "DROP TRIGGER audit_structures_update; DROP TRIGGER audit_items_update; "
			  "UPDATE structures SET category = 'hopital' WHERE dep = '31'; UPDATE items SET unit = 'boîte'");

	/* seen from the next transaction on */
	assert_int_equal(store_begin(st, UNIT_NOW, &admin), STORE_OK);
	assert_string_equal(holder(f, &admin, HOLDER_STRUCTURE, f->s31, STORE_OK).category, "hopital");
	struct item_info it;
	assert_int_equal(store_item_find(st, NULL, f->item, &it), STORE_OK);
	assert_string_equal(it.unit, "boîte");
	store_rollback(st);
}

static void test_scope_applies_to_cached_holders(void **state)
{
	struct fixture *f = *state;
	struct principal admin = unit_principal(ROLE_ADMIN, "", 0, 1);
	struct principal coord31 = unit_principal(ROLE_COORDINATOR, ",31,", 0, 2);
	struct principal coord_both = unit_principal(ROLE_COORDINATOR, ",11,81,", 0, 2);
	struct principal region = unit_principal(ROLE_COORDINATOR, "", 0, 2);
	struct principal self = unit_principal(ROLE_STRUCTURE, "", f->s81, 3);
	struct principal depot_self = unit_principal(ROLE_DEPOT, "", f->depot, 4);
	const struct {
		const struct principal *who;
		enum holder_kind kind;
		long long id;
		int rc;
	} cases[] = {
		{&admin, HOLDER_STRUCTURE, f->s81, STORE_OK},
		{&coord31, HOLDER_STRUCTURE, f->s81, STORE_NOTFOUND},
		{&coord31, HOLDER_STRUCTURE, f->s31, STORE_OK},
		{&coord_both, HOLDER_STRUCTURE, f->s81, STORE_OK},
		{&coord_both, HOLDER_STRUCTURE, f->s31, STORE_NOTFOUND},
		{&coord_both, HOLDER_DEPOT, f->depot, STORE_OK},
		{&region, HOLDER_STRUCTURE, f->s31, STORE_OK},
		{&self, HOLDER_STRUCTURE, f->s81, STORE_OK},
		{&self, HOLDER_STRUCTURE, f->s31, STORE_NOTFOUND},
		{&self, HOLDER_DEPOT, f->depot, STORE_NOTFOUND},
		{&depot_self, HOLDER_DEPOT, f->depot, STORE_OK},
		{&depot_self, HOLDER_STRUCTURE, f->s81, STORE_NOTFOUND},
		{&admin, HOLDER_STRUCTURE, 999999, STORE_NOTFOUND},
	};
	/* each question twice: the first may read the database, the second finds the cache */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
			holder(f, cases[i].who, cases[i].kind, cases[i].id, cases[i].rc);
}

static int override_of(struct fixture *f, enum holder_kind kind, long long holder, double *warning)
{
	double critical = -1;
	*warning = -1;
	return store_override_get(f->u->st, kind, holder, f->item, warning, &critical);
}

static void test_overrides(void **state)
{
	struct fixture *f = *state;
	struct store *st = f->u->st;
	struct principal admin = unit_principal(ROLE_ADMIN, "", 0, 1);
	double w;
	assert_int_equal(override_of(f, HOLDER_STRUCTURE, f->s81, &w), STORE_NOTFOUND); /* the list is loaded */
	assert_int_equal(override_of(f, HOLDER_STRUCTURE, f->s31, &w), STORE_NOTFOUND);

	/* set: seen in its transaction and after, for that holder only */
	assert_int_equal(store_begin(st, UNIT_NOW, &admin), STORE_OK);
	assert_int_equal(store_override_set(st, HOLDER_STRUCTURE, f->s81, f->item, 9, 4), STORE_OK);
	assert_int_equal(override_of(f, HOLDER_STRUCTURE, f->s81, &w), STORE_OK);
	assert_true(w == 9);
	assert_int_equal(store_commit(st), STORE_OK);
	assert_int_equal(override_of(f, HOLDER_STRUCTURE, f->s81, &w), STORE_OK);
	assert_int_equal(override_of(f, HOLDER_STRUCTURE, f->s31, &w), STORE_NOTFOUND);
	assert_int_equal(override_of(f, HOLDER_DEPOT, f->s81, &w), STORE_NOTFOUND); /* same id, other kind */

	/* a holder-wide override (item 0) set in a transaction rolled back is not seen */
	assert_int_equal(store_begin(st, UNIT_NOW, &admin), STORE_OK);
	assert_int_equal(store_override_set(st, HOLDER_STRUCTURE, f->s31, 0, 8, 3), STORE_OK);
	assert_int_equal(override_of(f, HOLDER_STRUCTURE, f->s31, &w), STORE_OK);
	store_rollback(st);
	assert_int_equal(override_of(f, HOLDER_STRUCTURE, f->s31, &w), STORE_NOTFOUND);

	/* deleted: not found any more */
	assert_int_equal(store_begin(st, UNIT_NOW, &admin), STORE_OK);
	assert_int_equal(store_override_delete(st, HOLDER_STRUCTURE, f->s81, f->item), STORE_OK);
	assert_int_equal(store_commit(st), STORE_OK);
	assert_int_equal(override_of(f, HOLDER_STRUCTURE, f->s81, &w), STORE_NOTFOUND);

	/* set by another connection: seen from the next transaction */
	char sql[256];
	snprintf(sql, sizeof sql,
		 "INSERT INTO alert_overrides(holder_kind, holder_id, item_id, warning_days, critical_days, updated_at) "
		 "VALUES ('depot', %lld, 0, 6, 2, 0)",
		 f->depot);
	exec_elsewhere(f, sql);
	assert_int_equal(store_begin(st, UNIT_NOW, &admin), STORE_OK);
	assert_int_equal(override_of(f, HOLDER_DEPOT, f->depot, &w), STORE_OK);
	assert_true(w == 6);
	store_rollback(st);
}

static struct alert_row shortage_alert(struct fixture *f, long long holder)
{
	struct alert_row a;
	alert_row_clear(&a);
	snprintf(a.kind, sizeof a.kind, "shortage");
	snprintf(a.severity, sizeof a.severity, "warning");
	snprintf(a.dep, sizeof a.dep, "81");
	a.holder_kind = HOLDER_STRUCTURE;
	a.holder_id = holder;
	a.item_id = f->item;
	a.quantity = 10;
	return a;
}

static int current(struct fixture *f, const char *kind, enum holder_kind hk, long long holder, long long item)
{
	struct alert_row a;
	return store_alert_current(f->u->st, kind, hk, holder, item, &a);
}

static void test_open_alert_marks(void **state)
{
	struct fixture *f = *state;
	struct store *st = f->u->st;
	struct principal admin = unit_principal(ROLE_ADMIN, "", 0, 1);
	assert_int_equal(current(f, "shortage", HOLDER_STRUCTURE, f->s81, f->item), STORE_NOTFOUND); /* list loaded */
	assert_int_equal(current(f, "silent", HOLDER_STRUCTURE, f->s81, 0), STORE_NOTFOUND);

	/* opened: found in its transaction and after; another holder still has none */
	assert_int_equal(store_begin(st, UNIT_NOW, &admin), STORE_OK);
	struct alert_row a = shortage_alert(f, f->s81);
	assert_int_equal(store_alert_insert(st, &a), STORE_OK);
	assert_int_equal(current(f, "shortage", HOLDER_STRUCTURE, f->s81, f->item), STORE_OK);
	assert_int_equal(store_commit(st), STORE_OK);
	assert_int_equal(current(f, "shortage", HOLDER_STRUCTURE, f->s81, f->item), STORE_OK);
	assert_int_equal(current(f, "shortage", HOLDER_STRUCTURE, f->s31, f->item), STORE_NOTFOUND);
	assert_int_equal(current(f, "silent", HOLDER_STRUCTURE, f->s81, 0), STORE_NOTFOUND);

	/* resolved: not current any more; opened again by an update: current again */
	assert_int_equal(store_begin(st, UNIT_NOW, &admin), STORE_OK);
	snprintf(a.status, sizeof a.status, "resolved");
	a.resolved_at = UNIT_NOW;
	snprintf(a.resolution, sizeof a.resolution, "recovered");
	assert_int_equal(store_alert_update(st, &a), STORE_OK);
	assert_int_equal(store_commit(st), STORE_OK);
	assert_int_equal(current(f, "shortage", HOLDER_STRUCTURE, f->s81, f->item), STORE_NOTFOUND);
	store_cache_clear(store_cache_of(st)); /* the list is read again: the resolved alert is not in it */
	assert_int_equal(current(f, "shortage", HOLDER_STRUCTURE, f->s81, f->item), STORE_NOTFOUND);
	assert_int_equal(store_begin(st, UNIT_NOW, &admin), STORE_OK);
	snprintf(a.status, sizeof a.status, "open");
	a.resolved_at = 0;
	assert_int_equal(store_alert_update(st, &a), STORE_OK);
	assert_int_equal(store_commit(st), STORE_OK);
	assert_int_equal(current(f, "shortage", HOLDER_STRUCTURE, f->s81, f->item), STORE_OK);

	/* opened in a transaction rolled back: not there */
	assert_int_equal(store_begin(st, UNIT_NOW, &admin), STORE_OK);
	struct alert_row b = shortage_alert(f, f->s31);
	assert_int_equal(store_alert_insert(st, &b), STORE_OK);
	store_rollback(st);
	assert_int_equal(current(f, "shortage", HOLDER_STRUCTURE, f->s31, f->item), STORE_NOTFOUND);

	/* opened by another connection: seen from the next transaction */
	char sql[320];
	snprintf(sql, sizeof sql,
		 "DROP TRIGGER audit_alerts_create; INSERT INTO alerts(kind, holder_kind, holder_id, dep, severity, status, "
		 "opened_at, updated_at) VALUES ('silent', 'depot', %lld, '81', 'warning', 'open', 0, 0)",
		 f->depot);
	exec_elsewhere(f, sql);
	assert_int_equal(store_begin(st, UNIT_NOW, &admin), STORE_OK);
	assert_int_equal(current(f, "silent", HOLDER_DEPOT, f->depot, 0), STORE_OK);
	store_rollback(st);
}

/* A move (a structure's commune, hence its département, changes) inside a transaction: the
 * cached holder answers with its new territory at once, the holder keeps its open-alert mark, and
 * the alert's département moved with it (005's trigger) in the same statement; rolled back,
 * everything is where it was. */
static void test_move_in_a_transaction(void **state)
{
	struct fixture *f = *state;
	struct store *st = f->u->st;
	struct principal admin = unit_principal(ROLE_ADMIN, "", 0, 1);
	struct principal coord81 = unit_principal(ROLE_COORDINATOR, ",81,", 0, 2);
	struct principal coord31 = unit_principal(ROLE_COORDINATOR, ",31,", 0, 3);
	assert_int_equal(store_begin(st, UNIT_NOW, &admin), STORE_OK);
	struct alert_row a = shortage_alert(f, f->s81);
	assert_int_equal(store_alert_insert(st, &a), STORE_OK);
	assert_int_equal(store_commit(st), STORE_OK);
	holder(f, &coord81, HOLDER_STRUCTURE, f->s81, STORE_OK); /* cached */
	struct alert_row cur;

	for (int commit = 0; commit < 2; commit++) {
		assert_int_equal(store_begin(st, UNIT_NOW, &admin), STORE_OK);
		exec_ok(st, "UPDATE structures SET commune = '31555', dep = '31' WHERE name = 'EHPAD Les Tilleuls'");
		holder(f, &coord81, HOLDER_STRUCTURE, f->s81, STORE_NOTFOUND);
		assert_string_equal(holder(f, &coord31, HOLDER_STRUCTURE, f->s81, STORE_OK).dep, "31");
		assert_int_equal(store_alert_current(st, "shortage", HOLDER_STRUCTURE, f->s81, f->item, &cur), STORE_OK);
		assert_string_equal(cur.dep, "31");
		if (commit)
			assert_int_equal(store_commit(st), STORE_OK);
		else
			store_rollback(st);
		const char *dep = commit ? "31" : "81";
		holder(f, commit ? &coord81 : &coord31, HOLDER_STRUCTURE, f->s81, STORE_NOTFOUND);
		assert_string_equal(holder(f, commit ? &coord31 : &coord81, HOLDER_STRUCTURE, f->s81, STORE_OK).dep, dep);
		assert_int_equal(store_alert_current(st, "shortage", HOLDER_STRUCTURE, f->s81, f->item, &cur), STORE_OK);
		assert_string_equal(cur.dep, dep);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_change_is_seen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback_is_not_seen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_connection_is_seen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scope_applies_to_cached_holders, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overrides, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_alert_marks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_move_in_a_transaction, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
