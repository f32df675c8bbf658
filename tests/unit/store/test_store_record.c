/* Unit tests of store_record.c (with store.c, seed.c and store_territory.c): registry rows through
 * the caller's scope, the audit triggers, erasure, on a temporary database seeded with the region's
 * reference data. */
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
#include "seed.h"
#include "store.h"
#include "store_idem.h"
#include "store_record.h"
#include "store_territory.h"
#include "unit_fixture.h"

static struct unit_store *G;

static int group_setup(void **state)
{
	(void)state;
	G = unit_store_open();
	if (!G)
		return -1;
	char err[512] = "";
	if (seed_reference_data(G->st, UNIT_DATA_DIR, UNIT_NOW, err, sizeof err)) {
		fprintf(stderr, "seed: %s\n", err);
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	unit_store_close(G);
	G = NULL;
	return 0;
}

/* --- helpers -------------------------------------------------------------------------------------- */

/* Audit rows older than this are not looked at (?2 in the queries below): ids of deleted rows can be
 * given again by SQLite, so an id alone does not tell one row's history from another's. */
static long long audit_mark;

static void set_audit_mark(void)
{
	audit_mark = unit_query_int(G->st, "SELECT coalesce(max(id), 0) FROM audit");
}

/* The first column of the first row of sql with ?1 = id, or "" (NULL gives "(null)"). */
static void query_text_id(const char *sql, long long id, char *out, size_t outlen)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(store_db(G->st), sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("cannot prepare %s: %s", sql, sqlite3_errmsg(store_db(G->st)));
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_bind_parameter_count(s) >= 2)
		sqlite3_bind_int64(s, 2, audit_mark);
	out[0] = '\0';
	if (sqlite3_step(s) == SQLITE_ROW)
		snprintf(out, outlen, "%s",
			 sqlite3_column_type(s, 0) == SQLITE_NULL ? "(null)" : (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
}

static long long query_int_id(const char *sql, long long id)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(store_db(G->st), sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("cannot prepare %s: %s", sql, sqlite3_errmsg(store_db(G->st)));
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_bind_parameter_count(s) >= 2)
		sqlite3_bind_int64(s, 2, audit_mark);
	long long v = -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_type(s, 0) == SQLITE_NULL ? -2 : sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static struct record *structure_record(const char *name, const char *commune, const char *dep, const char *finess)
{
	struct record *r = record_new(&entity_structure);
	assert_non_null(r);
	char cdep[4];
	double lat, lng;
	assert_int_equal(store_commune_lookup(G->st, commune, cdep, &lat, &lng), STORE_OK);
	assert_string_equal(cdep, dep);
	record_set_text(r, STRUCTURE_NAME, name);
	record_set_text(r, STRUCTURE_CATEGORY, "ehpad");
	record_set_text(r, STRUCTURE_LEGAL_FORM, "association");
	record_set_text(r, STRUCTURE_COMMUNE, commune);
	record_set_text(r, STRUCTURE_DEP, dep);
	record_set_real(r, STRUCTURE_LAT, lat);
	record_set_real(r, STRUCTURE_LNG, lng);
	if (finess)
		record_set_text(r, STRUCTURE_FINESS, finess);
	return r;
}

static struct record *contact(const char *name, const char *phone)
{
	struct record *c = record_new(&entity_structure_contact);
	if (name)
		record_set_text(c, CONTACT_NAME, name);
	record_set_text(c, CONTACT_PHONE, phone);
	return c;
}

/* Inserts r in its own transaction, as actor; returns the id. Frees r. */
static long long insert(struct record *r, const struct principal *actor)
{
	long long id = 0;
	assert_int_equal(store_begin(G->st, UNIT_NOW, actor), STORE_OK);
	int rc = store_record_insert(G->st, r, &id);
	if (rc) {
		store_rollback(G->st);
		fail_msg("insert failed: %d %s %s", rc, store_failure_field(G->st), store_failure_rule(G->st));
	}
	assert_int_equal(store_commit(G->st), STORE_OK);
	record_free(r);
	assert_true(id > 0);
	return id;
}

static long long insert_structure(const char *name, const char *commune, const char *dep)
{
	return insert(structure_record(name, commune, dep, NULL), NULL);
}

static int update(const struct principal *p, long long id, const struct record *patch, long long now)
{
	assert_int_equal(store_begin(G->st, now, p), STORE_OK);
	int rc = store_record_update(G->st, p, id, patch);
	if (rc)
		store_rollback(G->st);
	else
		assert_int_equal(store_commit(G->st), STORE_OK);
	return rc;
}

static int delete_row(const struct entity *e, const struct principal *p, long long id)
{
	assert_int_equal(store_begin(G->st, UNIT_NOW, p), STORE_OK);
	int rc = store_record_delete(G->st, e, p, id);
	if (rc)
		store_rollback(G->st);
	else
		assert_int_equal(store_commit(G->st), STORE_OK);
	return rc;
}

static int erase_row(const struct entity *e, const struct principal *p, long long id)
{
	assert_int_equal(store_begin(G->st, UNIT_NOW + 1000, p), STORE_OK);
	int rc = store_record_erase(G->st, e, p, id);
	if (rc)
		store_rollback(G->st);
	else
		assert_int_equal(store_commit(G->st), STORE_OK);
	return rc;
}

static int get(const struct entity *e, const struct principal *p, long long id, struct record **out)
{
	*out = NULL;
	int rc = store_record_get(G->st, e, p, id, out);
	if (rc == STORE_OK)
		assert_non_null(*out);
	else
		assert_null(*out);
	return rc;
}

static struct principal admin(void)
{
	return unit_principal(ROLE_ADMIN, "", 0, 1);
}

/* --- territory ----------------------------------------------------------------------------------------- */

static void test_seeded_territory(void **state)
{
	(void)state;
	assert_int_equal(unit_query_int(G->st, "SELECT count(*) FROM departements"), 13);
	assert_true(store_commune_count(G->st) > 4000);
	char dep[4];
	double lat = 0, lng = 0;
	assert_int_equal(store_commune_lookup(G->st, "31555", dep, &lat, &lng), STORE_OK);
	assert_string_equal(dep, "31");
	assert_true(lat > 43.5 && lat < 43.7);
	assert_true(lng > 1.3 && lng < 1.5);
	assert_int_equal(store_commune_lookup(G->st, "81004", dep, &lat, &lng), STORE_OK);
	assert_string_equal(dep, "81");
	assert_int_equal(store_commune_lookup(G->st, "75056", dep, &lat, &lng), STORE_NOTFOUND); /* Paris */
	assert_int_equal(store_commune_lookup(G->st, "", dep, &lat, &lng), STORE_NOTFOUND);
	/* seeding again does nothing */
	char err[256] = "";
	long long before = store_commune_count(G->st);
	assert_int_equal(seed_reference_data(G->st, UNIT_DATA_DIR, UNIT_NOW, err, sizeof err), 0);
	assert_int_equal(store_commune_count(G->st), before);
	assert_true(unit_query_int(G->st, "SELECT count(*) FROM items") > 10);
}

/* --- insert and get ------------------------------------------------------------------------------------ */

static void test_insert_and_get(void **state)
{
	(void)state;
	struct record *r = structure_record("EHPAD Les Tilleuls", "81004", "81", "810000000");
	record_set_int(r, STRUCTURE_CAPACITY, 80);
	record_set_int(r, STRUCTURE_OCCUPANCY, 72);
	record_set_null(r, STRUCTURE_STAFF);
	record_add_child(r, STRUCTURE_CONTACTS, contact("Accueil", "+33563000000"));
	record_add_child(r, STRUCTURE_CONTACTS, contact(NULL, "+33612345678"));
	struct principal a = admin();
	long long id = insert(r, &a);

	struct record *got;
	assert_int_equal(get(&entity_structure, &a, id, &got), STORE_OK);
	assert_int_equal(got->v[STRUCTURE_ID].i, id);
	assert_string_equal(got->v[STRUCTURE_NAME].s, "EHPAD Les Tilleuls");
	assert_string_equal(got->v[STRUCTURE_FINESS].s, "810000000");
	assert_string_equal(got->v[STRUCTURE_DEP].s, "81");
	assert_string_equal(got->v[STRUCTURE_COMMUNE].s, "81004");
	assert_int_equal(got->v[STRUCTURE_CAPACITY].i, 80);
	assert_int_equal(got->v[STRUCTURE_OCCUPANCY].i, 72);
	assert_int_equal(got->v[STRUCTURE_STAFF].state, V_NULL);
	assert_string_equal(got->v[STRUCTURE_STATUS].s, "active"); /* the column default */
	assert_int_equal(got->v[STRUCTURE_CREATED_AT].i, UNIT_NOW);
	assert_int_equal(got->v[STRUCTURE_UPDATED_AT].i, UNIT_NOW);
	assert_int_equal(got->v[STRUCTURE_CONTACTS].state, V_SET);
	assert_int_equal(got->v[STRUCTURE_CONTACTS].nrows, 2);
	const struct record *c0 = got->v[STRUCTURE_CONTACTS].rows[0], *c1 = got->v[STRUCTURE_CONTACTS].rows[1];
	assert_string_equal(c0->v[CONTACT_NAME].s, "Accueil");
	assert_string_equal(c0->v[CONTACT_PHONE].s, "+33563000000");
	assert_string_equal(c0->v[CONTACT_LANG].s, "fr");
	assert_int_equal(c1->v[CONTACT_NAME].state, V_NULL);
	record_free(got);

	assert_int_equal(get(&entity_structure, &a, id + 100000, &got), STORE_NOTFOUND);
	assert_int_equal(get(&entity_structure, &a, 0, &got), STORE_NOTFOUND);
	assert_int_equal(get(&entity_structure, &a, -1, &got), STORE_NOTFOUND);
}

static void test_insert_conflicts(void **state)
{
	(void)state;
	insert(structure_record("First", "31555", "31", "310781406"), NULL);
	struct record *dup = structure_record("Second", "31555", "31", "310781406");
	assert_int_equal(store_begin(G->st, UNIT_NOW, NULL), STORE_OK);
	long long id = 0;
	assert_int_equal(store_record_insert(G->st, dup, &id), STORE_CONFLICT);
	assert_string_equal(store_failure_field(G->st), "finess");
	assert_non_null(strstr(store_failure_rule(G->st), "already registered"));
	store_rollback(G->st);
	record_free(dup);

	/* a commune that is not in the table: the reference is refused */
	struct record *r = structure_record("Third", "31555", "31", NULL);
	record_set_text(r, STRUCTURE_COMMUNE, "31999");
	assert_int_equal(store_begin(G->st, UNIT_NOW, NULL), STORE_OK);
	assert_int_equal(store_record_insert(G->st, r, &id), STORE_CONFLICT);
	store_rollback(G->st);
	record_free(r);
	assert_int_equal(unit_query_int(G->st, "SELECT count(*) FROM structures WHERE name IN ('Second', 'Third')"), 0);
}

/* --- scope ------------------------------------------------------------------------------------------------- */

static void test_scope_coordinator(void **state)
{
	(void)state;
	long long in81 = insert_structure("Albi EHPAD", "81004", "81");
	long long in34 = insert_structure("Montpellier EHPAD", "34172", "34");
	struct principal c81 = unit_principal(ROLE_COORDINATOR, ",81,", 0, 5);
	struct record *got;

	assert_int_equal(get(&entity_structure, &c81, in81, &got), STORE_OK);
	record_free(got);
	assert_int_equal(get(&entity_structure, &c81, in34, &got), STORE_NOTFOUND);

	struct record *patch = record_new(&entity_structure);
	record_set_int(patch, STRUCTURE_OCCUPANCY, 10);
	assert_int_equal(update(&c81, in34, patch, UNIT_NOW + 1), STORE_NOTFOUND);
	assert_int_equal(query_int_id("SELECT occupancy FROM structures WHERE id = ?1", in34), -2); /* unchanged */
	assert_int_equal(update(&c81, in81, patch, UNIT_NOW + 1), STORE_OK);
	assert_int_equal(query_int_id("SELECT occupancy FROM structures WHERE id = ?1", in81), 10);
	record_free(patch);

	assert_int_equal(delete_row(&entity_structure, &c81, in34), STORE_NOTFOUND);
	assert_int_equal(query_int_id("SELECT count(*) FROM structures WHERE id = ?1", in34), 1);
	assert_int_equal(delete_row(&entity_structure, &c81, in81), STORE_OK);
	assert_int_equal(get(&entity_structure, &c81, in81, &got), STORE_NOTFOUND);
	struct principal a = admin();
	assert_int_equal(get(&entity_structure, &a, in81, &got), STORE_NOTFOUND); /* really gone */

	/* two départements; and the region */
	struct principal c3481 = unit_principal(ROLE_COORDINATOR, ",34,81,", 0, 6);
	assert_int_equal(get(&entity_structure, &c3481, in34, &got), STORE_OK);
	record_free(got);
	struct principal region = unit_principal(ROLE_COORDINATOR, "", 0, 7);
	assert_int_equal(get(&entity_structure, &region, in34, &got), STORE_OK);
	record_free(got);
	/* an observer reads like a coordinator of the same territory */
	struct principal o81 = unit_principal(ROLE_OBSERVER, ",81,", 0, 8);
	assert_int_equal(get(&entity_structure, &o81, in34, &got), STORE_NOTFOUND);
	struct principal o34 = unit_principal(ROLE_OBSERVER, ",34,", 0, 8);
	assert_int_equal(get(&entity_structure, &o34, in34, &got), STORE_OK);
	record_free(got);
}

static void test_scope_self_tokens(void **state)
{
	(void)state;
	long long mine = insert_structure("Mine", "31555", "31");
	long long other = insert_structure("Other", "31555", "31");
	struct principal s = unit_principal(ROLE_STRUCTURE, "", mine, 9);
	struct record *got;
	assert_int_equal(get(&entity_structure, &s, mine, &got), STORE_OK);
	record_free(got);
	assert_int_equal(get(&entity_structure, &s, other, &got), STORE_NOTFOUND);
	struct record *patch = record_new(&entity_structure);
	record_set_int(patch, STRUCTURE_OCCUPANCY, 3);
	assert_int_equal(update(&s, other, patch, UNIT_NOW), STORE_NOTFOUND);
	assert_int_equal(update(&s, mine, patch, UNIT_NOW), STORE_OK);
	record_free(patch);
	assert_int_equal(delete_row(&entity_structure, &s, other), STORE_NOTFOUND);

	/* tokens of another role never reach a structure, whatever their subject id */
	struct principal d = unit_principal(ROLE_DEPOT, "", mine, 10);
	struct principal v = unit_principal(ROLE_VOLUNTEER, "", mine, 11);
	assert_int_equal(get(&entity_structure, &d, mine, &got), STORE_NOTFOUND);
	assert_int_equal(get(&entity_structure, &v, mine, &got), STORE_NOTFOUND);
	/* and a structure token sees no depot */
	struct record *depot = record_new(&entity_depot);
	record_set_text(depot, DEPOT_NAME, "D");
	record_set_text(depot, DEPOT_LEVEL, "departemental");
	record_set_text(depot, DEPOT_COMMUNE, "31555");
	record_set_text(depot, DEPOT_DEP, "31");
	record_set_real(depot, DEPOT_LAT, 43.6);
	record_set_real(depot, DEPOT_LNG, 1.43);
	long long did = insert(depot, NULL);
	struct principal s2 = unit_principal(ROLE_STRUCTURE, "", did, 12);
	assert_int_equal(get(&entity_depot, &s2, did, &got), STORE_NOTFOUND);
}

static long long insert_depot(const char *name, const char *level, const char *commune, const char *dep)
{
	struct record *d = record_new(&entity_depot);
	record_set_text(d, DEPOT_NAME, name);
	record_set_text(d, DEPOT_LEVEL, level);
	record_set_text(d, DEPOT_COMMUNE, commune);
	record_set_text(d, DEPOT_DEP, dep);
	record_set_real(d, DEPOT_LAT, 43.6);
	record_set_real(d, DEPOT_LNG, 1.43);
	return insert(d, NULL);
}

static void test_scope_regional_depots(void **state)
{
	(void)state;
	long long regional = insert_depot("Socle régional", "regional", "31555", "31");
	long long dep31 = insert_depot("Socle 31", "departemental", "31555", "31");
	struct principal c81 = unit_principal(ROLE_COORDINATOR, ",81,", 0, 5);
	struct record *got;
	/* every coordinator reads the regional stock holder... */
	assert_int_equal(get(&entity_depot, &c81, regional, &got), STORE_OK);
	record_free(got);
	/* ...not another département's */
	assert_int_equal(get(&entity_depot, &c81, dep31, &got), STORE_NOTFOUND);
	/* and reading is not writing */
	struct record *patch = record_new(&entity_depot);
	record_set_text(patch, DEPOT_PHONE, "+33561022400");
	assert_int_equal(update(&c81, regional, patch, UNIT_NOW), STORE_NOTFOUND);
	record_free(patch);
	assert_int_equal(delete_row(&entity_depot, &c81, regional), STORE_NOTFOUND);
	assert_int_equal(query_int_id("SELECT phone IS NULL FROM depots WHERE id = ?1", regional), 1);
}

/* --- list ---------------------------------------------------------------------------------------------------- */

struct collected {
	long long ids[64];
	int n;
	int stop_after;
};

static int collect(void *ctx, struct record *r)
{
	struct collected *c = ctx;
	if (c->n < 64)
		c->ids[c->n++] = r->v[0].i;
	record_free(r);
	return c->stop_after && c->n >= c->stop_after;
}

static void test_list(void **state)
{
	(void)state;
	/* a département of our own, to count exactly: 48 (Lozère) */
	long long ids[5];
	for (int i = 0; i < 5; i++) {
		char name[32];
		snprintf(name, sizeof name, "Lozere %c", 'A' + i);
		struct record *r = structure_record(name, "48095", "48", NULL);
		if (i == 3)
			record_set_text(r, STRUCTURE_CATEGORY, "hospital");
		ids[i] = insert(r, NULL);
	}
	insert_structure("Elsewhere", "34172", "34");
	struct principal c48 = unit_principal(ROLE_COORDINATOR, ",48,", 0, 5);

	struct list_query q;
	memset(&q, 0, sizeof q);
	q.limit = 100;
	struct collected c;
	memset(&c, 0, sizeof c);
	long long total = -1;
	assert_int_equal(store_record_list(G->st, &entity_structure, &c48, &q, collect, &c, &total), STORE_OK);
	assert_int_equal(total, 5);
	assert_int_equal(c.n, 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(c.ids[i], ids[i]); /* id order */

	/* paging */
	q.limit = 2;
	memset(&c, 0, sizeof c);
	assert_int_equal(store_record_list(G->st, &entity_structure, &c48, &q, collect, &c, &total), STORE_OK);
	assert_int_equal(c.n, 2);
	assert_int_equal(total, 5); /* all matches, not the page */
	q.after = c.ids[1];
	memset(&c, 0, sizeof c);
	assert_int_equal(store_record_list(G->st, &entity_structure, &c48, &q, collect, &c, NULL), STORE_OK);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.ids[0], ids[2]);
	assert_int_equal(c.ids[1], ids[3]);

	/* a filter */
	q.after = 0;
	q.limit = 100;
	q.nfilters = 1;
	q.filters[0].field = STRUCTURE_CATEGORY;
	q.filters[0].value = "hospital";
	memset(&c, 0, sizeof c);
	assert_int_equal(store_record_list(G->st, &entity_structure, &c48, &q, collect, &c, &total), STORE_OK);
	assert_int_equal(total, 1);
	assert_int_equal(c.ids[0], ids[3]);

	/* a name search, case-insensitive */
	q.nfilters = 0;
	q.q = "lozere c";
	memset(&c, 0, sizeof c);
	assert_int_equal(store_record_list(G->st, &entity_structure, &c48, &q, collect, &c, &total), STORE_OK);
	assert_int_equal(total, 1);
	assert_int_equal(c.ids[0], ids[2]);
	q.q = NULL;

	/* the callback stops the listing */
	memset(&c, 0, sizeof c);
	c.stop_after = 3;
	assert_int_equal(store_record_list(G->st, &entity_structure, &c48, &q, collect, &c, NULL), STORE_OK);
	assert_int_equal(c.n, 3);

	/* nothing outside the scope, even with a filter that names it */
	struct principal c81 = unit_principal(ROLE_COORDINATOR, ",81,", 0, 5);
	q.nfilters = 1;
	q.filters[0].field = STRUCTURE_DEP;
	q.filters[0].value = "48";
	memset(&c, 0, sizeof c);
	assert_int_equal(store_record_list(G->st, &entity_structure, &c81, &q, collect, &c, &total), STORE_OK);
	assert_int_equal(total, 0);
	assert_int_equal(c.n, 0);
}

static void test_list_words_filter(void **state)
{
	(void)state;
	const char *skills[] = {"first_aid driving", "driving", "first_aid_advanced", ""};
	long long ids[4];
	for (int i = 0; i < 4; i++) {
		struct record *v = record_new(&entity_volunteer);
		char phone[20];
		snprintf(phone, sizeof phone, "+3369900000%d", i);
		record_set_text(v, VOLUNTEER_FIRST_NAME, "A");
		record_set_text(v, VOLUNTEER_LAST_NAME, "B");
		record_set_text(v, VOLUNTEER_PHONE, phone);
		record_set_text(v, VOLUNTEER_PROFESSION, "nurse");
		record_set_text(v, VOLUNTEER_SKILLS, skills[i]);
		record_set_text(v, VOLUNTEER_HOME_COMMUNE, "65440");
		record_set_text(v, VOLUNTEER_DEP, "65");
		record_set_text(v, VOLUNTEER_CONSENT_AT, "2025-11-01");
		ids[i] = insert(v, NULL);
	}
	struct principal c65 = unit_principal(ROLE_COORDINATOR, ",65,", 0, 5);
	struct list_query q;
	memset(&q, 0, sizeof q);
	q.limit = 100;
	q.nfilters = 1;
	assert_non_null(entity_field(&entity_volunteer, "skills", &q.filters[0].field));
	q.filters[0].value = "first_aid"; /* whole words: not first_aid_advanced */
	struct collected c;
	memset(&c, 0, sizeof c);
	long long total;
	assert_int_equal(store_record_list(G->st, &entity_volunteer, &c65, &q, collect, &c, &total), STORE_OK);
	assert_int_equal(total, 1);
	assert_int_equal(c.ids[0], ids[0]);
	q.filters[0].value = "driving";
	memset(&c, 0, sizeof c);
	assert_int_equal(store_record_list(G->st, &entity_volunteer, &c65, &q, collect, &c, &total), STORE_OK);
	assert_int_equal(total, 2);
	assert_int_equal(c.ids[0], ids[0]);
	assert_int_equal(c.ids[1], ids[1]);
}

/* --- update ---------------------------------------------------------------------------------------------------- */

static void test_update_fields_and_children(void **state)
{
	(void)state;
	struct record *r = structure_record("Before", "81004", "81", NULL);
	record_set_int(r, STRUCTURE_CAPACITY, 50);
	record_add_child(r, STRUCTURE_CONTACTS, contact("A", "+33563000001"));
	record_add_child(r, STRUCTURE_CONTACTS, contact("B", "+33563000002"));
	long long id = insert(r, NULL);
	struct principal a = admin();

	/* only the given fields change; children not given are kept */
	struct record *patch = record_new(&entity_structure);
	record_set_text(patch, STRUCTURE_NAME, "After");
	record_set_null(patch, STRUCTURE_CAPACITY);
	assert_int_equal(update(&a, id, patch, UNIT_NOW + 60000), STORE_OK);
	record_free(patch);
	struct record *got;
	assert_int_equal(get(&entity_structure, &a, id, &got), STORE_OK);
	assert_string_equal(got->v[STRUCTURE_NAME].s, "After");
	assert_int_equal(got->v[STRUCTURE_CAPACITY].state, V_NULL);
	assert_string_equal(got->v[STRUCTURE_CATEGORY].s, "ehpad");
	assert_int_equal(got->v[STRUCTURE_CREATED_AT].i, UNIT_NOW);
	assert_int_equal(got->v[STRUCTURE_UPDATED_AT].i, UNIT_NOW + 60000);
	assert_int_equal(got->v[STRUCTURE_CONTACTS].nrows, 2);
	record_free(got);

	/* given children replace the old ones */
	patch = record_new(&entity_structure);
	record_add_child(patch, STRUCTURE_CONTACTS, contact("C", "+33563000003"));
	assert_int_equal(update(&a, id, patch, UNIT_NOW + 120000), STORE_OK);
	record_free(patch);
	assert_int_equal(get(&entity_structure, &a, id, &got), STORE_OK);
	assert_int_equal(got->v[STRUCTURE_CONTACTS].nrows, 1);
	assert_string_equal(got->v[STRUCTURE_CONTACTS].rows[0]->v[CONTACT_NAME].s, "C");
	record_free(got);

	/* an empty list clears them */
	patch = record_new(&entity_structure);
	patch->v[STRUCTURE_CONTACTS].state = V_SET;
	assert_int_equal(update(&a, id, patch, UNIT_NOW + 180000), STORE_OK);
	record_free(patch);
	assert_int_equal(get(&entity_structure, &a, id, &got), STORE_OK);
	assert_int_equal(got->v[STRUCTURE_CONTACTS].nrows, 0);
	record_free(got);
	assert_int_equal(query_int_id("SELECT count(*) FROM structure_contacts WHERE structure_id = ?1", id), 0);

	/* a missing row */
	patch = record_new(&entity_structure);
	record_set_text(patch, STRUCTURE_NAME, "Ghost");
	assert_int_equal(update(&a, id + 100000, patch, UNIT_NOW), STORE_NOTFOUND);
	record_free(patch);
}

static void test_update_unique_conflict(void **state)
{
	(void)state;
	insert(structure_record("F1", "31555", "31", "310000005"), NULL);
	long long id2 = insert(structure_record("F2", "31555", "31", NULL), NULL);
	struct principal a = admin();
	struct record *patch = record_new(&entity_structure);
	record_set_text(patch, STRUCTURE_FINESS, "310000005");
	assert_int_equal(store_begin(G->st, UNIT_NOW, &a), STORE_OK);
	assert_int_equal(store_record_update(G->st, &a, id2, patch), STORE_CONFLICT);
	assert_string_equal(store_failure_field(G->st), "finess");
	store_rollback(G->st);
	record_free(patch);
}

static void test_delete_with_stock_history(void **state)
{
	(void)state;
	long long id = insert_structure("With stock", "31555", "31");
	long long item = unit_query_int(G->st, "SELECT min(id) FROM items");
	char sql[256];
	snprintf(sql, sizeof sql,
		 "INSERT INTO stock_levels(holder_kind, holder_id, item_id, quantity, updated_at) "
		 "VALUES ('structure', %lld, %lld, 10, 1)",
		 id, item);
	assert_int_equal(store_exec(G->st, sql), STORE_OK);
	struct principal a = admin();
	assert_int_equal(delete_row(&entity_structure, &a, id), STORE_CONFLICT);
	assert_int_equal(query_int_id("SELECT count(*) FROM structures WHERE id = ?1", id), 1);
}

/* --- audit ---------------------------------------------------------------------------------------------------- */

static void test_audit_rows(void **state)
{
	(void)state;
	set_audit_mark();
	struct principal c = unit_principal(ROLE_COORDINATOR, ",81,", 0, 42);
	struct record *r = structure_record("Audited", "81004", "81", NULL);
	record_add_child(r, STRUCTURE_CONTACTS, contact("Desk", "+33563000009"));
	long long id = insert(r, &c);
	char text[1024];

	/* create: who, when, the row after, no before */
	assert_int_equal(query_int_id("SELECT count(*) FROM audit WHERE id > ?2 AND entity = 'structure' AND entity_id = ?1", id), 1);
	assert_int_equal(query_int_id("SELECT actor FROM audit WHERE id > ?2 AND entity = 'structure' AND entity_id = ?1", id), 42);
	query_text_id("SELECT actor_role FROM audit WHERE id > ?2 AND entity = 'structure' AND entity_id = ?1", id, text, sizeof text);
	assert_string_equal(text, "coordinator");
	query_text_id("SELECT action FROM audit WHERE id > ?2 AND entity = 'structure' AND entity_id = ?1", id, text, sizeof text);
	assert_string_equal(text, "create");
	assert_int_equal(query_int_id("SELECT at FROM audit WHERE id > ?2 AND entity = 'structure' AND entity_id = ?1", id), UNIT_NOW);
	query_text_id("SELECT before FROM audit WHERE id > ?2 AND entity = 'structure' AND entity_id = ?1", id, text, sizeof text);
	assert_string_equal(text, "(null)");
	query_text_id("SELECT json_extract(after, '$.name') FROM audit WHERE id > ?2 AND entity = 'structure' AND entity_id = ?1", id,
		      text, sizeof text);
	assert_string_equal(text, "Audited");
	query_text_id("SELECT json_extract(after, '$.dep') FROM audit WHERE id > ?2 AND entity = 'structure' AND entity_id = ?1", id,
		      text, sizeof text);
	assert_string_equal(text, "81");
	/* the child's row, with its parent */
	query_text_id("SELECT json_extract(after, '$.phone') FROM audit WHERE id > ?2 AND entity = 'structure_contact' AND parent_id = ?1",
		      id, text, sizeof text);
	assert_string_equal(text, "+33563000009");

	/* update: before and after */
	struct record *patch = record_new(&entity_structure);
	record_set_text(patch, STRUCTURE_NAME, "Audited twice");
	assert_int_equal(update(&c, id, patch, UNIT_NOW + 1000), STORE_OK);
	record_free(patch);
	assert_int_equal(
		query_int_id("SELECT count(*) FROM audit WHERE id > ?2 AND entity = 'structure' AND entity_id = ?1 AND action = 'update'", id),
		1);
	query_text_id("SELECT json_extract(before, '$.name') || ' -> ' || json_extract(after, '$.name') FROM audit "
		      "WHERE entity = 'structure' AND entity_id = ?1 AND action = 'update'",
		      id, text, sizeof text);
	assert_string_equal(text, "Audited -> Audited twice");
	assert_int_equal(query_int_id("SELECT at FROM audit WHERE id > ?2 AND entity = 'structure' AND entity_id = ?1 AND action = "
				      "'update'",
				      id),
			 UNIT_NOW + 1000);

	/* an update that changes no audited value writes no audit row */
	patch = record_new(&entity_structure);
	record_set_text(patch, STRUCTURE_NAME, "Audited twice");
	assert_int_equal(update(&c, id, patch, UNIT_NOW + 2000), STORE_OK);
	record_free(patch);
	assert_int_equal(
		query_int_id("SELECT count(*) FROM audit WHERE id > ?2 AND entity = 'structure' AND entity_id = ?1 AND action = 'update'", id),
		1);

	/* delete */
	assert_int_equal(delete_row(&entity_structure, &c, id), STORE_OK);
	query_text_id("SELECT json_extract(before, '$.name') FROM audit WHERE id > ?2 AND entity = 'structure' AND entity_id = ?1 AND "
		      "action = 'delete'",
		      id, text, sizeof text);
	assert_string_equal(text, "Audited twice");
	/* the contact went with it (cascade), and that is audited too */
	assert_int_equal(query_int_id("SELECT count(*) FROM audit WHERE id > ?2 AND entity = 'structure_contact' AND parent_id = ?1 "
				      "AND action = 'delete'",
				      id),
			 1);
}

static void test_audit_system_actor(void **state)
{
	(void)state;
	set_audit_mark();
	long long id = insert(structure_record("By the system", "31555", "31", NULL), NULL);
	assert_int_equal(query_int_id("SELECT actor FROM audit WHERE id > ?2 AND entity = 'structure' AND entity_id = ?1", id), -2);
	char text[64];
	query_text_id("SELECT actor_role FROM audit WHERE id > ?2 AND entity = 'structure' AND entity_id = ?1", id, text, sizeof text);
	assert_string_equal(text, "system");
}

/* --- erasure ---------------------------------------------------------------------------------------------------- */

static long long insert_volunteer(const char *phone, const char *commune, const char *dep, const struct principal *actor)
{
	struct record *v = record_new(&entity_volunteer);
	record_set_text(v, VOLUNTEER_FIRST_NAME, "Camille");
	record_set_text(v, VOLUNTEER_LAST_NAME, "Durand-Secret");
	record_set_text(v, VOLUNTEER_PHONE, phone);
	record_set_text(v, VOLUNTEER_EMAIL, "camille.secret@example.org");
	record_set_text(v, VOLUNTEER_PROFESSION, "nurse");
	record_set_text(v, VOLUNTEER_SKILLS, "first_aid");
	record_set_text(v, VOLUNTEER_HOME_COMMUNE, commune);
	record_set_text(v, VOLUNTEER_DEP, dep);
	record_set_text(v, VOLUNTEER_CONSENT_AT, "2025-11-01");
	record_set_text(v, VOLUNTEER_GENDER, "female");
	struct record *cred = record_new(&entity_volunteer_credential);
	record_set_text(cred, CREDENTIAL_KIND, "rpps");
	record_set_text(cred, CREDENTIAL_REFERENCE, "RPPS-SECRET-123");
	record_set_text(cred, CREDENTIAL_EXPIRES_ON, "2027-06-30");
	record_add_child(v, VOLUNTEER_CREDENTIALS, cred);
	return insert(v, actor);
}

static void test_erase_volunteer(void **state)
{
	(void)state;
	set_audit_mark();
	struct principal c = unit_principal(ROLE_COORDINATOR, ",31,", 0, 77);
	long long id = insert_volunteer("+33699123456", "31555", "31", &c);
	long long keep = insert_volunteer("+33699123457", "31555", "31", &c);
	/* an update, so that personal data is in before and after */
	struct record *patch = record_new(&entity_volunteer);
	record_set_text(patch, VOLUNTEER_PHONE, "+33699123458");
	record_set_text(patch, VOLUNTEER_AVAILABILITY, "on_mission");
	assert_int_equal(update(&c, id, patch, UNIT_NOW + 10), STORE_OK);
	record_free(patch);
	/* a remembered response about it, and one about someone else */
	assert_int_equal(store_begin(G->st, UNIT_NOW, &c), STORE_OK);
	assert_int_equal(store_idem_put(G->st, 77, "k-erase-1", "volunteers.update", "h", 200,
					"{\"first_name\":\"Camille\"}", "volunteer", id),
			 STORE_OK);
	assert_int_equal(store_idem_put(G->st, 77, "k-erase-2", "volunteers.update", "h", 200, "{}", "volunteer", keep),
			 STORE_OK);
	assert_int_equal(store_commit(G->st), STORE_OK);

	/* out of scope: not found, nothing changes */
	struct principal c81 = unit_principal(ROLE_COORDINATOR, ",81,", 0, 78);
	assert_int_equal(erase_row(&entity_volunteer, &c81, id), STORE_NOTFOUND);
	char text[2048];
	query_text_id("SELECT first_name FROM volunteers WHERE id = ?1", id, text, sizeof text);
	assert_string_equal(text, "Camille");

	assert_int_equal(erase_row(&entity_volunteer, &c, id), STORE_OK);

	/* the row: personal columns null, anonymous history kept */
	query_text_id("SELECT coalesce(first_name, '') || coalesce(last_name, '') || coalesce(phone, '') || "
		      "coalesce(email, '') || coalesce(home_commune, '') || coalesce(gender, '') FROM volunteers WHERE id = ?1",
		      id, text, sizeof text);
	assert_string_equal(text, "");
	query_text_id("SELECT status || ' ' || profession || ' ' || dep FROM volunteers WHERE id = ?1", id, text,
		      sizeof text);
	assert_string_equal(text, "erased nurse 31");
	assert_int_equal(query_int_id("SELECT count(*) FROM volunteer_credentials WHERE volunteer_id = ?1", id), 0);

	/* the audit: no personal value left in any row about it or its credentials */
	const char *secrets[] = {"Camille", "Durand-Secret", "+33699123456", "+33699123458", "camille.secret",
				 "RPPS-SECRET-123", "female", "31555"};
	for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++) {
		char sql[512];
		snprintf(sql, sizeof sql,
			 "SELECT count(*) FROM audit WHERE id > ?2 AND ((entity = 'volunteer' AND entity_id = ?1) OR "
			 "(entity = 'volunteer_credential' AND parent_id = ?1)) AND "
			 "(instr(coalesce(before, ''), '%s') > 0 OR instr(coalesce(after, ''), '%s') > 0)",
			 secrets[i], secrets[i]);
		long long n = query_int_id(sql, id);
		if (n != 0)
			fail_msg("%lld audit rows still hold \"%s\" after erasure", n, secrets[i]);
	}
	/* the non-personal history is still there */
	assert_int_equal(query_int_id("SELECT count(*) FROM audit WHERE id > ?2 AND entity = 'volunteer' AND entity_id = ?1 AND "
				      "json_extract(after, '$.availability') = 'on_mission'",
				      id),
			 2); /* the update, and the erasure's own update (status erased) */
	assert_int_equal(query_int_id("SELECT count(*) FROM audit WHERE id > ?2 AND entity = 'volunteer_credential' AND parent_id = ?1 "
				      "AND json_extract(coalesce(after, before), '$.kind') = 'rpps'",
				      id),
			 2); /* create and delete */
	/* and the erasure itself is recorded, with who */
	assert_int_equal(query_int_id("SELECT count(*) FROM audit WHERE id > ?2 AND entity = 'volunteer' AND entity_id = ?1 AND action = "
				      "'erase' AND actor = 77 AND at = 1764146710123", /* UNIT_NOW + 1000 */
				      id),
			 1);
	/* remembered responses about it are gone, others stay */
	struct idem_row row;
	memset(&row, 0, sizeof row);
	assert_int_equal(store_idem_get(G->st, 77, "k-erase-1", &row), STORE_NOTFOUND);
	assert_int_equal(store_idem_get(G->st, 77, "k-erase-2", &row), STORE_OK);
	store_idem_release(&row);

	/* the other volunteer is untouched */
	query_text_id("SELECT first_name FROM volunteers WHERE id = ?1", keep, text, sizeof text);
	assert_string_equal(text, "Camille");
	assert_true(query_int_id("SELECT count(*) FROM audit WHERE id > ?2 AND entity = 'volunteer' AND entity_id = ?1 AND "
				 "instr(after, 'Camille') > 0",
				 keep) >= 1);

	/* an erased volunteer is gone for everyone, and cannot be erased or updated again */
	struct record *got;
	struct principal a = admin();
	assert_int_equal(get(&entity_volunteer, &a, id, &got), STORE_NOTFOUND);
	assert_int_equal(erase_row(&entity_volunteer, &a, id), STORE_NOTFOUND);
	patch = record_new(&entity_volunteer);
	record_set_text(patch, VOLUNTEER_FIRST_NAME, "Back");
	assert_int_equal(update(&a, id, patch, UNIT_NOW), STORE_NOTFOUND);
	record_free(patch);
	/* its phone number is free again */
	long long again = insert_volunteer("+33699123458", "31555", "31", &a);
	assert_true(again > 0);
}

static void test_erase_by_self_and_others(void **state)
{
	(void)state;
	long long id = insert_volunteer("+33699223456", "81004", "81", NULL);
	struct principal other = unit_principal(ROLE_VOLUNTEER, "", id + 1, 90);
	struct principal structure = unit_principal(ROLE_STRUCTURE, "", id, 91);
	assert_int_equal(erase_row(&entity_volunteer, &other, id), STORE_NOTFOUND);
	assert_int_equal(erase_row(&entity_volunteer, &structure, id), STORE_NOTFOUND);
	struct principal self = unit_principal(ROLE_VOLUNTEER, "", id, 92);
	assert_int_equal(erase_row(&entity_volunteer, &self, id), STORE_OK);
	char text[64];
	query_text_id("SELECT status FROM volunteers WHERE id = ?1", id, text, sizeof text);
	assert_string_equal(text, "erased");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seeded_territory),
		cmocka_unit_test(test_insert_and_get),
		cmocka_unit_test(test_insert_conflicts),
		cmocka_unit_test(test_scope_coordinator),
		cmocka_unit_test(test_scope_self_tokens),
		cmocka_unit_test(test_scope_regional_depots),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_list_words_filter),
		cmocka_unit_test(test_update_fields_and_children),
		cmocka_unit_test(test_update_unique_conflict),
		cmocka_unit_test(test_delete_with_stock_history),
		cmocka_unit_test(test_audit_rows),
		cmocka_unit_test(test_audit_system_actor),
		cmocka_unit_test(test_erase_volunteer),
		cmocka_unit_test(test_erase_by_self_and_others),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
