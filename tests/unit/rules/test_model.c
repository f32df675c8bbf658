/* Unit tests of model.c: the entity tables, records, merge and cross-field rules. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "auth.h"
#include "model.h"

/* --- the tables ----------------------------------------------------------------------------------- */

static void expect_field(const struct entity *e, int index, const char *name)
{
	int found = -1;
	const struct field *f = entity_field(e, name, &found);
	if (!f)
		fail_msg("%s has no field %s", e->name, name);
	if (found != index)
		fail_msg("%s.%s is at index %d, the enum in model.h says %d", e->name, name, found, index);
	assert_ptr_equal(f, &e->fields[index]);
}

static void test_field_indexes_match_enums(void **state)
{
	(void)state;
	expect_field(&entity_structure, STRUCTURE_ID, "id");
	expect_field(&entity_structure, STRUCTURE_NAME, "name");
	expect_field(&entity_structure, STRUCTURE_CATEGORY, "category");
	expect_field(&entity_structure, STRUCTURE_LEGAL_FORM, "legal_form");
	expect_field(&entity_structure, STRUCTURE_FINESS, "finess");
	expect_field(&entity_structure, STRUCTURE_COMMUNE, "commune");
	expect_field(&entity_structure, STRUCTURE_DEP, "dep");
	expect_field(&entity_structure, STRUCTURE_LAT, "lat");
	expect_field(&entity_structure, STRUCTURE_LNG, "lng");
	expect_field(&entity_structure, STRUCTURE_CAPACITY, "capacity");
	expect_field(&entity_structure, STRUCTURE_OCCUPANCY, "occupancy");
	expect_field(&entity_structure, STRUCTURE_STAFF, "staff");
	expect_field(&entity_structure, STRUCTURE_STATUS, "status");
	expect_field(&entity_structure, STRUCTURE_CONTACTS, "contacts");
	expect_field(&entity_structure, STRUCTURE_CREATED_AT, "created_at");
	expect_field(&entity_structure, STRUCTURE_UPDATED_AT, "updated_at");

	expect_field(&entity_structure_contact, CONTACT_NAME, "name");
	expect_field(&entity_structure_contact, CONTACT_PHONE, "phone");
	expect_field(&entity_structure_contact, CONTACT_LANG, "lang");
	expect_field(&entity_structure_contact, CONTACT_ROLE, "role");

	expect_field(&entity_depot, DEPOT_ID, "id");
	expect_field(&entity_depot, DEPOT_NAME, "name");
	expect_field(&entity_depot, DEPOT_LEVEL, "level");
	expect_field(&entity_depot, DEPOT_COMMUNE, "commune");
	expect_field(&entity_depot, DEPOT_DEP, "dep");
	expect_field(&entity_depot, DEPOT_LAT, "lat");
	expect_field(&entity_depot, DEPOT_LNG, "lng");
	expect_field(&entity_depot, DEPOT_PHONE, "phone");
	expect_field(&entity_depot, DEPOT_STATUS, "status");
	expect_field(&entity_depot, DEPOT_CREATED_AT, "created_at");
	expect_field(&entity_depot, DEPOT_UPDATED_AT, "updated_at");

	expect_field(&entity_item, ITEM_ID, "id");
	expect_field(&entity_item, ITEM_CODE, "code");
	expect_field(&entity_item, ITEM_NAME, "name");
	expect_field(&entity_item, ITEM_CATEGORY, "category");
	expect_field(&entity_item, ITEM_UNIT, "unit");
	expect_field(&entity_item, ITEM_REUSABLE, "reusable");
	expect_field(&entity_item, ITEM_BURN_WORKER, "burn_per_worker_day");
	expect_field(&entity_item, ITEM_BURN_PATIENT, "burn_per_patient_day");
	expect_field(&entity_item, ITEM_BURN_BED, "burn_per_bed_day");
	expect_field(&entity_item, ITEM_CREATED_AT, "created_at");
	expect_field(&entity_item, ITEM_UPDATED_AT, "updated_at");

	expect_field(&entity_volunteer, VOLUNTEER_ID, "id");
	expect_field(&entity_volunteer, VOLUNTEER_FIRST_NAME, "first_name");
	expect_field(&entity_volunteer, VOLUNTEER_LAST_NAME, "last_name");
	expect_field(&entity_volunteer, VOLUNTEER_PHONE, "phone");
	expect_field(&entity_volunteer, VOLUNTEER_EMAIL, "email");
	expect_field(&entity_volunteer, VOLUNTEER_PROFESSION, "profession");
	expect_field(&entity_volunteer, VOLUNTEER_SKILLS, "skills");
	expect_field(&entity_volunteer, VOLUNTEER_LANGUAGES, "languages");
	expect_field(&entity_volunteer, VOLUNTEER_HOME_COMMUNE, "home_commune");
	expect_field(&entity_volunteer, VOLUNTEER_DEP, "dep");
	expect_field(&entity_volunteer, VOLUNTEER_TRAVEL_RADIUS, "travel_radius_km");
	expect_field(&entity_volunteer, VOLUNTEER_AVAILABILITY, "availability");
	expect_field(&entity_volunteer, VOLUNTEER_SMS_LANG, "sms_lang");
	expect_field(&entity_volunteer, VOLUNTEER_CONSENT_AT, "consent_at");
	expect_field(&entity_volunteer, VOLUNTEER_GENDER, "gender");
	expect_field(&entity_volunteer, VOLUNTEER_STATUS, "status");
	expect_field(&entity_volunteer, VOLUNTEER_CREDENTIALS, "credentials");
	expect_field(&entity_volunteer, VOLUNTEER_CREATED_AT, "created_at");
	expect_field(&entity_volunteer, VOLUNTEER_UPDATED_AT, "updated_at");

	expect_field(&entity_volunteer_credential, CREDENTIAL_KIND, "kind");
	expect_field(&entity_volunteer_credential, CREDENTIAL_REFERENCE, "reference");
	expect_field(&entity_volunteer_credential, CREDENTIAL_EXPIRES_ON, "expires_on");
}

static void check_entity_consistency(const struct entity *e, int registry)
{
	assert_non_null(e->name);
	assert_non_null(e->plural);
	assert_non_null(e->table);
	assert_true(e->nfields > 0);
	if (registry) {
		assert_string_equal(e->fields[0].name, "id");
		assert_int_equal(e->fields[0].kind, FK_ID);
		assert_true(e->fields[0].flags & F_READONLY);
		assert_null(e->parent_column);
	} else
		assert_non_null(e->parent_column);
	if (e->commune_field >= 0) {
		assert_true((size_t)e->commune_field < e->nfields);
		assert_int_equal(e->fields[e->commune_field].kind, FK_COMMUNE);
	}
	for (size_t i = 0; i < e->nfields; i++) {
		const struct field *f = &e->fields[i];
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(f->name, e->fields[j].name);
		if (f->kind == FK_ENUM) {
			assert_non_null(f->values);
			assert_non_null(f->values[0]);
		}
		if (f->kind == FK_CHILDREN) {
			assert_non_null(f->child);
			check_entity_consistency(f->child, 0);
		}
		if (f->kind == FK_ID || f->kind == FK_TIME || f->kind == FK_DEP)
			assert_true(f->flags & F_READONLY);
		/* a required field cannot be server-set at the same time */
		if (f->flags & F_REQUIRED)
			assert_false(f->flags & F_READONLY);
		if (f->kind == FK_TEXT)
			assert_true(f->min <= f->max);
		if (f->kind == FK_REAL)
			assert_true(f->rmin <= f->rmax);
	}
}

static void test_entities_consistent(void **state)
{
	(void)state;
	check_entity_consistency(&entity_structure, 1);
	check_entity_consistency(&entity_depot, 1);
	check_entity_consistency(&entity_item, 1);
	check_entity_consistency(&entity_volunteer, 1);
	assert_int_equal(entity_structure.self_role, ROLE_STRUCTURE);
	assert_int_equal(entity_depot.self_role, ROLE_DEPOT);
	assert_int_equal(entity_volunteer.self_role, ROLE_VOLUNTEER);
	assert_int_equal(entity_item.self_role, -1);
	assert_true(entity_structure.flags & E_SCOPED);
	assert_true(entity_depot.flags & E_REGIONAL_SHARED);
	assert_true(entity_volunteer.flags & E_ERASABLE);
	assert_false(entity_item.flags & E_SCOPED);
}

static void test_entity_field_lookup(void **state)
{
	(void)state;
	int idx = -7;
	assert_null(entity_field(&entity_structure, "colour", &idx));
	assert_int_equal(idx, -7); /* untouched when not found */
	assert_null(entity_field(&entity_structure, "", &idx));
	assert_null(entity_field(&entity_structure, "Name", &idx));
	assert_non_null(entity_field(&entity_structure, "name", NULL)); /* index optional */
	assert_null(entity_field(&entity_structure, "phone", NULL));    /* a child's field is not the parent's */
	assert_non_null(entity_field(&entity_structure_contact, "phone", NULL));
}

static void test_entity_by_plural(void **state)
{
	(void)state;
	assert_ptr_equal(entity_by_plural("structures"), &entity_structure);
	assert_ptr_equal(entity_by_plural("depots"), &entity_depot);
	assert_ptr_equal(entity_by_plural("items"), &entity_item);
	assert_ptr_equal(entity_by_plural("volunteers"), &entity_volunteer);
	assert_null(entity_by_plural("structure"));
	assert_null(entity_by_plural("contacts"));    /* children are not registries */
	assert_null(entity_by_plural("credentials"));
	assert_null(entity_by_plural("Structures"));
	assert_null(entity_by_plural(""));
	assert_null(entity_by_plural("tokens"));
}

static void test_field_enum_ok(void **state)
{
	(void)state;
	const struct field *cat = &entity_structure.fields[STRUCTURE_CATEGORY];
	assert_true(field_enum_ok(cat, "ehpad"));
	assert_true(field_enum_ok(cat, "hospital"));
	assert_true(field_enum_ok(cat, "other"));
	assert_false(field_enum_ok(cat, "EHPAD"));
	assert_false(field_enum_ok(cat, ""));
	assert_false(field_enum_ok(cat, "ehpad "));
	const struct field *lf = &entity_structure.fields[STRUCTURE_LEGAL_FORM];
	const char *forms[] = {"association", "mutuelle", "cooperative", "foundation", "public", "private_for_profit"};
	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++)
		assert_true(field_enum_ok(lf, forms[i]));
	/* a field that is not an enum accepts nothing */
	assert_false(field_enum_ok(&entity_structure.fields[STRUCTURE_NAME], "ehpad"));
	const struct field *level = &entity_depot.fields[DEPOT_LEVEL];
	assert_true(field_enum_ok(level, "regional"));
	assert_true(field_enum_ok(level, "departemental"));
	assert_false(field_enum_ok(level, "national"));
}

/* --- records ---------------------------------------------------------------------------------------- */

static void test_record_setters(void **state)
{
	(void)state;
	struct record *r = record_new(&entity_structure);
	assert_non_null(r);
	assert_ptr_equal(r->e, &entity_structure);
	for (size_t i = 0; i < entity_structure.nfields; i++)
		assert_int_equal(r->v[i].state, V_ABSENT);

	char name[] = "EHPAD A";
	assert_int_equal(record_set_text(r, STRUCTURE_NAME, name), 0);
	name[0] = 'X'; /* the record has its own copy */
	assert_string_equal(r->v[STRUCTURE_NAME].s, "EHPAD A");
	assert_int_equal(record_set_text(r, STRUCTURE_NAME, "EHPAD B"), 0); /* replaces, frees the old one */
	assert_string_equal(r->v[STRUCTURE_NAME].s, "EHPAD B");
	assert_int_equal(r->v[STRUCTURE_NAME].state, V_SET);

	record_set_int(r, STRUCTURE_CAPACITY, 80);
	assert_int_equal(r->v[STRUCTURE_CAPACITY].i, 80);
	assert_int_equal(r->v[STRUCTURE_CAPACITY].state, V_SET);

	record_set_real(r, STRUCTURE_LAT, 43.6);
	assert_true(r->v[STRUCTURE_LAT].d == 43.6);

	record_set_null(r, STRUCTURE_NAME);
	assert_int_equal(r->v[STRUCTURE_NAME].state, V_NULL);
	assert_null(r->v[STRUCTURE_NAME].s);

	assert_int_equal(record_set_text(r, STRUCTURE_FINESS, "310781406"), 0);
	record_set_int(r, STRUCTURE_FINESS, 3); /* a setter of another kind clears the text */
	assert_null(r->v[STRUCTURE_FINESS].s);
	record_free(r);
	record_free(NULL);
}

static struct record *contact(const char *phone)
{
	struct record *c = record_new(&entity_structure_contact);
	assert_non_null(c);
	assert_int_equal(record_set_text(c, CONTACT_PHONE, phone), 0);
	return c;
}

static void test_record_children(void **state)
{
	(void)state;
	struct record *r = record_new(&entity_structure);
	assert_int_equal(record_add_child(r, STRUCTURE_CONTACTS, contact("+33561022400")), 0);
	assert_int_equal(record_add_child(r, STRUCTURE_CONTACTS, contact("+33612345678")), 0);
	assert_int_equal(r->v[STRUCTURE_CONTACTS].state, V_SET);
	assert_int_equal(r->v[STRUCTURE_CONTACTS].nrows, 2);
	assert_string_equal(r->v[STRUCTURE_CONTACTS].rows[1]->v[CONTACT_PHONE].s, "+33612345678");
	record_set_null(r, STRUCTURE_CONTACTS); /* frees the children */
	assert_int_equal(r->v[STRUCTURE_CONTACTS].nrows, 0);
	assert_int_equal(record_add_child(r, STRUCTURE_CONTACTS, contact("+33561022400")), 0);
	record_free(r); /* frees the children too */
}

/* --- record_merge ------------------------------------------------------------------------------------ */

static void test_merge_fields(void **state)
{
	(void)state;
	struct record *base = record_new(&entity_structure);
	record_set_int(base, STRUCTURE_ID, 12);
	record_set_text(base, STRUCTURE_NAME, "EHPAD A");
	record_set_text(base, STRUCTURE_FINESS, "310781406");
	record_set_int(base, STRUCTURE_CAPACITY, 80);
	record_set_real(base, STRUCTURE_LAT, 43.6);

	struct record *patch = record_new(&entity_structure);
	record_set_text(patch, STRUCTURE_NAME, "EHPAD B");
	record_set_null(patch, STRUCTURE_FINESS);
	record_set_int(patch, STRUCTURE_OCCUPANCY, 70);
	record_set_real(patch, STRUCTURE_LAT, 44.1);

	assert_int_equal(record_merge(base, patch), 0);
	assert_int_equal(base->v[STRUCTURE_ID].i, 12);             /* absent in patch: kept */
	assert_string_equal(base->v[STRUCTURE_NAME].s, "EHPAD B");  /* replaced */
	assert_int_equal(base->v[STRUCTURE_FINESS].state, V_NULL);  /* null replaces */
	assert_null(base->v[STRUCTURE_FINESS].s);
	assert_int_equal(base->v[STRUCTURE_CAPACITY].i, 80);
	assert_int_equal(base->v[STRUCTURE_OCCUPANCY].state, V_SET); /* new */
	assert_int_equal(base->v[STRUCTURE_OCCUPANCY].i, 70);
	assert_true(base->v[STRUCTURE_LAT].d == 44.1);
	assert_int_equal(base->v[STRUCTURE_COMMUNE].state, V_ABSENT);

	/* the merged text is a copy: changing or freeing the patch leaves base alone */
	assert_ptr_not_equal(base->v[STRUCTURE_NAME].s, patch->v[STRUCTURE_NAME].s);
	record_free(patch);
	assert_string_equal(base->v[STRUCTURE_NAME].s, "EHPAD B");
	record_free(base);
}

static void test_merge_children_replaced(void **state)
{
	(void)state;
	struct record *base = record_new(&entity_structure);
	record_add_child(base, STRUCTURE_CONTACTS, contact("+33561022400"));
	record_add_child(base, STRUCTURE_CONTACTS, contact("+33612345678"));
	struct record *patch = record_new(&entity_structure);
	struct record *c = contact("+33700000001");
	record_set_text(c, CONTACT_NAME, "Night nurse");
	record_add_child(patch, STRUCTURE_CONTACTS, c);

	assert_int_equal(record_merge(base, patch), 0);
	assert_int_equal(base->v[STRUCTURE_CONTACTS].nrows, 1);
	const struct record *got = base->v[STRUCTURE_CONTACTS].rows[0];
	assert_ptr_not_equal(got, c); /* a deep copy */
	assert_ptr_equal(got->e, &entity_structure_contact);
	assert_string_equal(got->v[CONTACT_PHONE].s, "+33700000001");
	assert_string_equal(got->v[CONTACT_NAME].s, "Night nurse");
	assert_int_equal(got->v[CONTACT_LANG].state, V_ABSENT);
	record_free(patch);
	assert_string_equal(base->v[STRUCTURE_CONTACTS].rows[0]->v[CONTACT_PHONE].s, "+33700000001");

	/* an empty list clears the children; an absent list keeps them */
	struct record *keep = record_new(&entity_structure);
	record_set_text(keep, STRUCTURE_NAME, "X");
	assert_int_equal(record_merge(base, keep), 0);
	assert_int_equal(base->v[STRUCTURE_CONTACTS].nrows, 1);
	record_free(keep);

	struct record *clear = record_new(&entity_structure);
	clear->v[STRUCTURE_CONTACTS].state = V_SET; /* what record_from_json makes of "contacts": [] */
	assert_int_equal(record_merge(base, clear), 0);
	assert_int_equal(base->v[STRUCTURE_CONTACTS].state, V_SET);
	assert_int_equal(base->v[STRUCTURE_CONTACTS].nrows, 0);
	record_free(clear);
	record_free(base);
}

static void test_merge_empty_patch(void **state)
{
	(void)state;
	struct record *base = record_new(&entity_volunteer);
	record_set_text(base, VOLUNTEER_SKILLS, "first_aid driving");
	struct record *patch = record_new(&entity_volunteer);
	assert_int_equal(record_merge(base, patch), 0);
	assert_string_equal(base->v[VOLUNTEER_SKILLS].s, "first_aid driving");
	record_free(patch);
	record_free(base);
}

/* --- model_check ------------------------------------------------------------------------------------- */

static struct record *structure_with(const char *finess, int cap_state, long long cap, int occ_state, long long occ)
{
	struct record *r = record_new(&entity_structure);
	record_set_text(r, STRUCTURE_NAME, "EHPAD");
	if (finess)
		record_set_text(r, STRUCTURE_FINESS, finess);
	if (cap_state == V_SET)
		record_set_int(r, STRUCTURE_CAPACITY, cap);
	else if (cap_state == V_NULL)
		record_set_null(r, STRUCTURE_CAPACITY);
	if (occ_state == V_SET)
		record_set_int(r, STRUCTURE_OCCUPANCY, occ);
	else if (occ_state == V_NULL)
		record_set_null(r, STRUCTURE_OCCUPANCY);
	return r;
}

static void test_check_finess_prefix(void **state)
{
	(void)state;
	const char *field = "unset";
	struct record *r = structure_with("310781406", V_ABSENT, 0, V_ABSENT, 0);
	assert_null(model_check(r, "31", &field));
	const char *rule = model_check(r, "81", &field);
	assert_non_null(rule);
	assert_string_equal(field, "finess");
	assert_non_null(strstr(rule, "département"));
	field = "unset";
	assert_null(model_check(r, NULL, &field)); /* département not known: not checked here */
	record_free(r);

	r = structure_with(NULL, V_ABSENT, 0, V_ABSENT, 0);
	record_set_null(r, STRUCTURE_FINESS);
	assert_null(model_check(r, "81", &field));
	record_free(r);

	r = structure_with("2A0000010", V_ABSENT, 0, V_ABSENT, 0);
	assert_null(model_check(r, "2A", &field));
	assert_non_null(model_check(r, "2B", &field));
	record_free(r);
}

static void test_check_occupancy(void **state)
{
	(void)state;
	const char *field = "unset";
	struct record *r = structure_with(NULL, V_SET, 80, V_SET, 81);
	const char *rule = model_check(r, "81", &field);
	assert_non_null(rule);
	assert_string_equal(rule, "must not exceed capacity");
	assert_string_equal(field, "occupancy");
	record_free(r);

	r = structure_with(NULL, V_SET, 80, V_SET, 80);
	assert_null(model_check(r, "81", &field));
	record_free(r);
	r = structure_with(NULL, V_SET, 0, V_SET, 0);
	assert_null(model_check(r, "81", &field));
	record_free(r);
	r = structure_with(NULL, V_NULL, 0, V_SET, 500); /* capacity unknown: nothing to compare */
	assert_null(model_check(r, "81", &field));
	record_free(r);
	r = structure_with(NULL, V_SET, 10, V_NULL, 0);
	assert_null(model_check(r, "81", &field));
	record_free(r);
	r = structure_with(NULL, V_ABSENT, 0, V_SET, 5);
	assert_null(model_check(r, "81", &field));
	record_free(r);
}

static void test_check_other_entities(void **state)
{
	(void)state;
	const char *field = NULL;
	struct record *r = record_new(&entity_depot);
	record_set_text(r, DEPOT_NAME, "Dépôt");
	assert_null(model_check(r, "81", &field));
	record_free(r);
	r = record_new(&entity_volunteer);
	assert_null(model_check(r, "81", &field));
	record_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_field_indexes_match_enums),
		cmocka_unit_test(test_entities_consistent),
		cmocka_unit_test(test_entity_field_lookup),
		cmocka_unit_test(test_entity_by_plural),
		cmocka_unit_test(test_field_enum_ok),
		cmocka_unit_test(test_record_setters),
		cmocka_unit_test(test_record_children),
		cmocka_unit_test(test_merge_fields),
		cmocka_unit_test(test_merge_children_replaced),
		cmocka_unit_test(test_merge_empty_patch),
		cmocka_unit_test(test_check_finess_prefix),
		cmocka_unit_test(test_check_occupancy),
		cmocka_unit_test(test_check_other_entities),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
