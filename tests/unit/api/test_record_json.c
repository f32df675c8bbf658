/* Unit tests of record_json.c: JSON in (every field rule, permissions by role) and JSON out. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "auth.h"
#include "error.h"
#include "model.h"
#include "record_json.h"

#define STRUCTURE_MIN "\"name\":\"EHPAD Les Tilleuls\",\"category\":\"ehpad\",\"legal_form\":\"association\",\"commune\":\"81004\""
#define DEPOT_MIN "\"name\":\"Socle 31\",\"level\":\"departemental\",\"commune\":\"31555\""
#define ITEM_MIN "\"code\":\"mask-ffp2\",\"name\":\"Masque FFP2\",\"category\":\"PPE\",\"unit\":\"piece\""
#define VOLUNTEER_MIN                                                                                            \
	"\"first_name\":\"Camille\",\"last_name\":\"Durand\",\"phone\":\"+33612345678\",\"profession\":\"nurse\"," \
	"\"home_commune\":\"31555\",\"consent_at\":\"2025-11-01\""

/* A test-only entity with an F_ADMIN field: none of the real ones has one yet. */
static const struct field admin_fields[] = {
	{"id", FK_ID, F_READONLY, 0, 0, 0, 0, NULL, NULL},
	{"name", FK_TEXT, F_REQUIRED, 1, 50, 0, 0, NULL, NULL},
	{"budget", FK_INT, F_NULLABLE | F_ADMIN, 0, 1000, 0, 0, NULL, NULL},
	{"note", FK_TEXT, F_NULLABLE | F_SELF, 0, 50, 0, 0, NULL, NULL},
};
static const struct entity entity_admin_test = {
	"thing", "things", "things", admin_fields, sizeof admin_fields / sizeof admin_fields[0], NULL, -1, -1, 0};

static struct principal who(enum role role, const char *deps, long long subject)
{
	struct principal p;
	memset(&p, 0, sizeof p);
	p.role = role;
	p.subject_id = subject;
	p.token_id = 1;
	snprintf(p.deps, sizeof p.deps, "%s", deps);
	return p;
}

/* Parses json and reads it as e. Returns the record (or NULL), err filled on failure. */
static struct record *read_json(const struct entity *e, const char *json, enum record_mode mode,
				const struct principal *p, struct rf_error *err)
{
	cJSON *obj = cJSON_Parse(json);
	if (!obj)
		fail_msg("test JSON does not parse: %s", json);
	struct record *r = NULL;
	rf_error_clear(err);
	int rc = record_from_json(e, obj, mode, p, &r, err);
	cJSON_Delete(obj);
	if (rc == 0)
		assert_non_null(r);
	else
		assert_null(r);
	return rc == 0 ? r : NULL;
}

static struct record *read_ok(const struct entity *e, const char *json, enum record_mode mode,
			      const struct principal *p)
{
	struct rf_error err;
	struct record *r = read_json(e, json, mode, p, &err);
	if (!r)
		fail_msg("refused %s: %d %s %s: %s", json, err.status, err.code, err.field, err.rule);
	return r;
}

static void read_bad(const struct entity *e, const char *json, enum record_mode mode, const struct principal *p,
		     int status, const char *code, const char *field, const char *rule_part)
{
	struct rf_error err;
	struct record *r = read_json(e, json, mode, p, &err);
	if (r) {
		record_free(r);
		fail_msg("accepted %s", json);
	}
	if (err.status != status || strcmp(err.code, code) != 0 || strcmp(err.field, field) != 0)
		fail_msg("%s: got %d %s \"%s\" (%s), expected %d %s \"%s\"", json, err.status, err.code, err.field,
			 err.rule, status, code, field);
	if (rule_part && !strstr(err.rule, rule_part))
		fail_msg("%s: rule \"%s\" does not say \"%s\"", json, err.rule, rule_part);
}

/* --- creation: a valid record of each entity ---------------------------------------------------------- */

static void test_structure_minimal(void **state)
{
	(void)state;
	struct record *r = read_ok(&entity_structure, "{" STRUCTURE_MIN "}", RECORD_CREATE, NULL);
	assert_string_equal(r->v[STRUCTURE_NAME].s, "EHPAD Les Tilleuls");
	assert_string_equal(r->v[STRUCTURE_CATEGORY].s, "ehpad");
	assert_string_equal(r->v[STRUCTURE_LEGAL_FORM].s, "association");
	assert_string_equal(r->v[STRUCTURE_COMMUNE].s, "81004");
	assert_int_equal(r->v[STRUCTURE_FINESS].state, V_ABSENT);
	assert_int_equal(r->v[STRUCTURE_CAPACITY].state, V_ABSENT);
	assert_int_equal(r->v[STRUCTURE_CONTACTS].state, V_ABSENT);
	assert_int_equal(r->v[STRUCTURE_ID].state, V_ABSENT);
	record_free(r);
}

static void test_structure_full(void **state)
{
	(void)state;
	const char *json = "{" STRUCTURE_MIN ",\"finess\":\"810000000\",\"lat\":43.92,\"lng\":2.14,"
			   "\"capacity\":80,\"occupancy\":72,\"staff\":45,\"status\":\"active\","
			   "\"contacts\":[{\"name\":\"Accueil\",\"phone\":\"+33563000000\",\"lang\":\"fr\",\"role\":\"reception\"},"
			   "{\"phone\":\"+33612345678\"}]}";
	struct record *r = read_ok(&entity_structure, json, RECORD_CREATE, NULL);
	assert_string_equal(r->v[STRUCTURE_FINESS].s, "810000000");
	assert_true(r->v[STRUCTURE_LAT].d == 43.92);
	assert_true(r->v[STRUCTURE_LNG].d == 2.14);
	assert_int_equal(r->v[STRUCTURE_CAPACITY].i, 80);
	assert_int_equal(r->v[STRUCTURE_OCCUPANCY].i, 72);
	assert_int_equal(r->v[STRUCTURE_STAFF].i, 45);
	assert_int_equal(r->v[STRUCTURE_CONTACTS].nrows, 2);
	const struct record *c0 = r->v[STRUCTURE_CONTACTS].rows[0], *c1 = r->v[STRUCTURE_CONTACTS].rows[1];
	assert_ptr_equal(c0->e, &entity_structure_contact);
	assert_string_equal(c0->v[CONTACT_NAME].s, "Accueil");
	assert_string_equal(c0->v[CONTACT_PHONE].s, "+33563000000");
	assert_string_equal(c0->v[CONTACT_ROLE].s, "reception");
	assert_string_equal(c1->v[CONTACT_PHONE].s, "+33612345678");
	assert_int_equal(c1->v[CONTACT_NAME].state, V_ABSENT);
	record_free(r);
}

static void test_other_entities_minimal(void **state)
{
	(void)state;
	struct record *r = read_ok(&entity_depot, "{" DEPOT_MIN ",\"phone\":\"+33561022400\"}", RECORD_CREATE, NULL);
	assert_string_equal(r->v[DEPOT_LEVEL].s, "departemental");
	assert_string_equal(r->v[DEPOT_PHONE].s, "+33561022400");
	record_free(r);

	r = read_ok(&entity_item, "{" ITEM_MIN ",\"reusable\":true,\"burn_per_worker_day\":2.5,\"burn_per_bed_day\":null}",
		    RECORD_CREATE, NULL);
	assert_string_equal(r->v[ITEM_CODE].s, "mask-ffp2");
	assert_int_equal(r->v[ITEM_REUSABLE].i, 1);
	assert_true(r->v[ITEM_BURN_WORKER].d == 2.5);
	assert_int_equal(r->v[ITEM_BURN_BED].state, V_NULL);
	record_free(r);

	r = read_ok(&entity_item, "{" ITEM_MIN ",\"reusable\":false}", RECORD_CREATE, NULL);
	assert_int_equal(r->v[ITEM_REUSABLE].state, V_SET);
	assert_int_equal(r->v[ITEM_REUSABLE].i, 0);
	record_free(r);

	r = read_ok(&entity_volunteer,
		    "{" VOLUNTEER_MIN ",\"email\":\"c.durand@example.org\",\"skills\":[\"first_aid\",\"driving\"],"
		    "\"languages\":[\"fr\",\"oc\"],\"travel_radius_km\":40,\"availability\":\"available\","
		    "\"sms_lang\":\"fr\",\"gender\":\"female\",\"status\":\"active\","
		    "\"credentials\":[{\"kind\":\"rpps\",\"reference\":\"10001234567\",\"expires_on\":\"2027-06-30\"}]}",
		    RECORD_CREATE, NULL);
	assert_string_equal(r->v[VOLUNTEER_SKILLS].s, "first_aid driving");
	assert_string_equal(r->v[VOLUNTEER_LANGUAGES].s, "fr oc");
	assert_int_equal(r->v[VOLUNTEER_TRAVEL_RADIUS].i, 40);
	assert_int_equal(r->v[VOLUNTEER_CREDENTIALS].nrows, 1);
	assert_string_equal(r->v[VOLUNTEER_CREDENTIALS].rows[0]->v[CREDENTIAL_EXPIRES_ON].s, "2027-06-30");
	record_free(r);
}

/* --- required, unknown, read-only, immutable ------------------------------------------------------------ */

static void test_required_fields(void **state)
{
	(void)state;
	read_bad(&entity_structure, "{\"category\":\"ehpad\",\"legal_form\":\"association\",\"commune\":\"81004\"}",
		 RECORD_CREATE, NULL, 422, "required", "name", "is required");
	read_bad(&entity_structure, "{\"name\":\"A\",\"legal_form\":\"association\",\"commune\":\"81004\"}",
		 RECORD_CREATE, NULL, 422, "required", "category", NULL);
	read_bad(&entity_structure, "{\"name\":\"A\",\"category\":\"ehpad\",\"commune\":\"81004\"}", RECORD_CREATE,
		 NULL, 422, "required", "legal_form", NULL);
	read_bad(&entity_structure, "{\"name\":\"A\",\"category\":\"ehpad\",\"legal_form\":\"public\"}", RECORD_CREATE,
		 NULL, 422, "required", "commune", NULL);
	read_bad(&entity_structure, "{}", RECORD_CREATE, NULL, 422, "required", "name", NULL);
	read_bad(&entity_depot, "{\"name\":\"D\",\"commune\":\"31555\"}", RECORD_CREATE, NULL, 422, "required", "level",
		 NULL);
	read_bad(&entity_item, "{\"name\":\"N\",\"category\":\"C\",\"unit\":\"u\"}", RECORD_CREATE, NULL, 422,
		 "required", "code", NULL);
	read_bad(&entity_item, "{\"code\":\"c\",\"name\":\"N\",\"category\":\"C\"}", RECORD_CREATE, NULL, 422,
		 "required", "unit", NULL);
	/* each required field of a volunteer, removed in turn */
	const char *parts[] = {"\"first_name\":\"Camille\"", "\"last_name\":\"Durand\"", "\"phone\":\"+33612345678\"",
			       "\"profession\":\"nurse\"",   "\"home_commune\":\"31555\"", "\"consent_at\":\"2025-11-01\""};
	const char *names[] = {"first_name", "last_name", "phone", "profession", "home_commune", "consent_at"};
	for (size_t skip = 0; skip < 6; skip++) {
		char json[512] = "{";
		int first = 1;
		for (size_t i = 0; i < 6; i++)
			if (i != skip) {
				strcat(json, first ? "" : ",");
				strcat(json, parts[i]);
				first = 0;
			}
		strcat(json, "}");
		read_bad(&entity_volunteer, json, RECORD_CREATE, NULL, 422, "required", names[skip], NULL);
	}
}

static void test_update_needs_nothing(void **state)
{
	(void)state;
	struct record *r = read_ok(&entity_structure, "{}", RECORD_UPDATE, NULL);
	for (size_t i = 0; i < entity_structure.nfields; i++)
		assert_int_equal(r->v[i].state, V_ABSENT);
	record_free(r);
	r = read_ok(&entity_structure, "{\"occupancy\":12}", RECORD_UPDATE, NULL);
	assert_int_equal(r->v[STRUCTURE_OCCUPANCY].i, 12);
	assert_int_equal(r->v[STRUCTURE_NAME].state, V_ABSENT);
	record_free(r);
}

static void test_unknown_field(void **state)
{
	(void)state;
	read_bad(&entity_structure, "{" STRUCTURE_MIN ",\"colour\":\"red\"}", RECORD_CREATE, NULL, 422, "unknown_field",
		 "colour", "is not a field of structure");
	read_bad(&entity_structure, "{\"Name\":\"x\"}", RECORD_UPDATE, NULL, 422, "unknown_field", "Name", NULL);
	read_bad(&entity_volunteer, "{\"phone_number\":\"+33612345678\"}", RECORD_UPDATE, NULL, 422, "unknown_field",
		 "phone_number", "volunteer");
	/* an unknown field wins over a missing required one: the sender learns about the typo */
	read_bad(&entity_structure, "{\"nme\":\"x\"}", RECORD_CREATE, NULL, 422, "unknown_field", "nme", NULL);
}

static void test_read_only_fields(void **state)
{
	(void)state;
	const char *ro[] = {"\"id\":5", "\"dep\":\"81\"", "\"created_at\":\"2025-01-01T00:00:00.000Z\"",
			    "\"updated_at\":1"};
	const char *names[] = {"id", "dep", "created_at", "updated_at"};
	for (size_t i = 0; i < 4; i++) {
		char json[512];
		snprintf(json, sizeof json, "{" STRUCTURE_MIN ",%s}", ro[i]);
		read_bad(&entity_structure, json, RECORD_CREATE, NULL, 422, "read_only", names[i], "set by the server");
		snprintf(json, sizeof json, "{%s}", ro[i]);
		read_bad(&entity_structure, json, RECORD_UPDATE, NULL, 422, "read_only", names[i], NULL);
	}
	/* even null is refused for a read-only field */
	read_bad(&entity_volunteer, "{\"dep\":null}", RECORD_UPDATE, NULL, 422, "read_only", "dep", NULL);
}

static void test_immutable_on_update(void **state)
{
	(void)state;
	read_bad(&entity_item, "{\"code\":\"mask-ffp3\"}", RECORD_UPDATE, NULL, 422, "immutable", "code",
		 "cannot be changed after creation");
	read_bad(&entity_item, "{\"name\":\"x\",\"code\":\"mask-ffp2\"}", RECORD_UPDATE, NULL, 422, "immutable", "code",
		 NULL);
	struct record *r = read_ok(&entity_item, "{\"name\":\"Masque FFP2 (boîte)\"}", RECORD_UPDATE, NULL);
	assert_string_equal(r->v[ITEM_NAME].s, "Masque FFP2 (boîte)");
	record_free(r);
	r = read_ok(&entity_item, "{" ITEM_MIN "}", RECORD_CREATE, NULL); /* given at creation */
	record_free(r);
}

static void test_given_twice(void **state)
{
	(void)state;
	read_bad(&entity_structure, "{\"name\":\"A\",\"name\":\"B\"}", RECORD_UPDATE, NULL, 422, "invalid", "name",
		 "twice");
	read_bad(&entity_structure, "{\"finess\":null,\"finess\":\"310781406\"}", RECORD_UPDATE, NULL, 422, "invalid",
		 "finess", "twice");
	read_bad(&entity_structure, "{\"contacts\":[],\"contacts\":[]}", RECORD_UPDATE, NULL, 422, "invalid", "contacts",
		 "twice");
}

static void test_not_an_object(void **state)
{
	(void)state;
	const char *bodies[] = {"[]", "[{\"name\":\"x\"}]", "\"text\"", "12", "null", "true"};
	for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++)
		read_bad(&entity_structure, bodies[i], RECORD_CREATE, NULL, 400, "invalid_json", "body", "JSON object");
}

/* --- null, types, ranges, enums ------------------------------------------------------------------------- */

static void test_null_handling(void **state)
{
	(void)state;
	read_bad(&entity_structure, "{\"name\":null}", RECORD_UPDATE, NULL, 422, "invalid", "name", "must not be null");
	read_bad(&entity_structure, "{\"status\":null}", RECORD_UPDATE, NULL, 422, "invalid", "status", NULL);
	read_bad(&entity_structure, "{\"lat\":null}", RECORD_UPDATE, NULL, 422, "invalid", "lat", NULL);
	read_bad(&entity_structure, "{\"contacts\":null}", RECORD_UPDATE, NULL, 422, "invalid", "contacts", NULL);
	read_bad(&entity_volunteer, "{\"skills\":null}", RECORD_UPDATE, NULL, 422, "invalid", "skills", NULL);
	read_bad(&entity_item, "{\"reusable\":null}", RECORD_UPDATE, NULL, 422, "invalid", "reusable", NULL);
	/* required on create and null: refused as null, not as missing */
	read_bad(&entity_structure,
		 "{\"name\":null,\"category\":\"ehpad\",\"legal_form\":\"association\",\"commune\":\"81004\"}",
		 RECORD_CREATE, NULL, 422, "invalid", "name", "must not be null");

	struct record *r = read_ok(&entity_structure,
				   "{\"finess\":null,\"capacity\":null,\"occupancy\":null,\"staff\":null}", RECORD_UPDATE, NULL);
	assert_int_equal(r->v[STRUCTURE_FINESS].state, V_NULL);
	assert_int_equal(r->v[STRUCTURE_CAPACITY].state, V_NULL);
	assert_int_equal(r->v[STRUCTURE_OCCUPANCY].state, V_NULL);
	assert_int_equal(r->v[STRUCTURE_STAFF].state, V_NULL);
	record_free(r);
	r = read_ok(&entity_volunteer, "{\"email\":null,\"gender\":null}", RECORD_UPDATE, NULL);
	assert_int_equal(r->v[VOLUNTEER_EMAIL].state, V_NULL);
	assert_int_equal(r->v[VOLUNTEER_GENDER].state, V_NULL);
	record_free(r);
}

static void test_wrong_types(void **state)
{
	(void)state;
	read_bad(&entity_structure, "{\"name\":12}", RECORD_UPDATE, NULL, 422, "invalid", "name", "must be a string");
	read_bad(&entity_structure, "{\"name\":[\"a\"]}", RECORD_UPDATE, NULL, 422, "invalid", "name", "must be a string");
	read_bad(&entity_structure, "{\"name\":{}}", RECORD_UPDATE, NULL, 422, "invalid", "name", "must be a string");
	read_bad(&entity_structure, "{\"category\":true}", RECORD_UPDATE, NULL, 422, "invalid", "category",
		 "must be a string");
	read_bad(&entity_structure, "{\"commune\":81004}", RECORD_UPDATE, NULL, 422, "invalid", "commune",
		 "must be a string");
	read_bad(&entity_structure, "{\"finess\":310781406}", RECORD_UPDATE, NULL, 422, "invalid", "finess",
		 "must be a string");
	read_bad(&entity_structure, "{\"capacity\":\"80\"}", RECORD_UPDATE, NULL, 422, "invalid", "capacity",
		 "must be an integer");
	read_bad(&entity_structure, "{\"capacity\":true}", RECORD_UPDATE, NULL, 422, "invalid", "capacity",
		 "must be an integer");
	read_bad(&entity_structure, "{\"capacity\":[80]}", RECORD_UPDATE, NULL, 422, "invalid", "capacity",
		 "must be an integer");
	read_bad(&entity_structure, "{\"capacity\":80.5}", RECORD_UPDATE, NULL, 422, "invalid", "capacity",
		 "must be an integer");
	read_bad(&entity_structure, "{\"capacity\":1e300}", RECORD_UPDATE, NULL, 422, "invalid", "capacity",
		 "must be an integer");
	read_bad(&entity_structure, "{\"lat\":\"43.6\"}", RECORD_UPDATE, NULL, 422, "invalid", "lat", "must be a number");
	read_bad(&entity_structure, "{\"lat\":false}", RECORD_UPDATE, NULL, 422, "invalid", "lat", "must be a number");
	read_bad(&entity_item, "{\"reusable\":1}", RECORD_UPDATE, NULL, 422, "invalid", "reusable",
		 "must be true or false");
	read_bad(&entity_item, "{\"reusable\":\"true\"}", RECORD_UPDATE, NULL, 422, "invalid", "reusable", NULL);
	read_bad(&entity_volunteer, "{\"skills\":\"first_aid\"}", RECORD_UPDATE, NULL, 422, "invalid", "skills",
		 "must be a list of strings");
	read_bad(&entity_volunteer, "{\"languages\":{\"fr\":1}}", RECORD_UPDATE, NULL, 422, "invalid", "languages",
		 "must be a list");
	read_bad(&entity_structure, "{\"contacts\":{\"phone\":\"+33612345678\"}}", RECORD_UPDATE, NULL, 422, "invalid",
		 "contacts", "must be a list of objects");
	read_bad(&entity_structure, "{\"contacts\":\"+33612345678\"}", RECORD_UPDATE, NULL, 422, "invalid", "contacts",
		 NULL);
}

static void test_integer_range(void **state)
{
	(void)state;
	struct record *r = read_ok(&entity_structure, "{\"capacity\":0,\"occupancy\":20000,\"staff\":50000}",
				   RECORD_UPDATE, NULL);
	assert_int_equal(r->v[STRUCTURE_CAPACITY].i, 0);
	assert_int_equal(r->v[STRUCTURE_OCCUPANCY].i, 20000);
	assert_int_equal(r->v[STRUCTURE_STAFF].i, 50000);
	record_free(r);
	r = read_ok(&entity_structure, "{\"capacity\":12.0}", RECORD_UPDATE, NULL); /* integral value */
	assert_int_equal(r->v[STRUCTURE_CAPACITY].i, 12);
	record_free(r);
	read_bad(&entity_structure, "{\"capacity\":20001}", RECORD_UPDATE, NULL, 422, "invalid", "capacity",
		 "must be an integer from 0 to 20000");
	read_bad(&entity_structure, "{\"capacity\":-1}", RECORD_UPDATE, NULL, 422, "invalid", "capacity",
		 "must be an integer from 0 to 20000");
	read_bad(&entity_structure, "{\"staff\":50001}", RECORD_UPDATE, NULL, 422, "invalid", "staff", "50000");
	read_bad(&entity_volunteer, "{\"travel_radius_km\":501}", RECORD_UPDATE, NULL, 422, "invalid",
		 "travel_radius_km", "must be an integer from 0 to 500");
	read_bad(&entity_structure, "{\"capacity\":9007199254740993}", RECORD_UPDATE, NULL, 422, "invalid", "capacity",
		 NULL);
}

static void test_real_range(void **state)
{
	(void)state;
	struct record *r = read_ok(&entity_structure, "{\"lat\":41.5,\"lng\":5.5}", RECORD_UPDATE, NULL);
	record_free(r);
	r = read_ok(&entity_structure, "{\"lat\":45.5,\"lng\":-1}", RECORD_UPDATE, NULL);
	record_free(r);
	read_bad(&entity_structure, "{\"lat\":41.49}", RECORD_UPDATE, NULL, 422, "invalid", "lat",
		 "must be between 41.5 and 45.5");
	read_bad(&entity_structure, "{\"lat\":1.44}", RECORD_UPDATE, NULL, 422, "invalid", "lat", NULL); /* swapped */
	read_bad(&entity_structure, "{\"lng\":43.6}", RECORD_UPDATE, NULL, 422, "invalid", "lng", NULL);
	read_bad(&entity_structure, "{\"lng\":-1.01}", RECORD_UPDATE, NULL, 422, "invalid", "lng", NULL);
	read_bad(&entity_item, "{\"burn_per_bed_day\":-0.1}", RECORD_UPDATE, NULL, 422, "invalid", "burn_per_bed_day",
		 "must be between 0 and 1000");
	read_bad(&entity_item, "{\"burn_per_bed_day\":1000.5}", RECORD_UPDATE, NULL, 422, "invalid",
		 "burn_per_bed_day", NULL);
	read_bad(&entity_item, "{\"burn_per_bed_day\":1e400}", RECORD_UPDATE, NULL, 422, "invalid", "burn_per_bed_day",
		 NULL); /* parses as infinity */
}

static void test_enums(void **state)
{
	(void)state;
	read_bad(&entity_structure, "{\"category\":\"nursing_home\"}", RECORD_UPDATE, NULL, 422, "invalid", "category",
		 "must be one of hospital, psychiatric_hospital, rehabilitation");
	read_bad(&entity_structure, "{\"category\":\"EHPAD\"}", RECORD_UPDATE, NULL, 422, "invalid", "category", "ehpad");
	read_bad(&entity_structure, "{\"legal_form\":\"\"}", RECORD_UPDATE, NULL, 422, "invalid", "legal_form",
		 "association, mutuelle");
	read_bad(&entity_structure, "{\"status\":\"erased\"}", RECORD_UPDATE, NULL, 422, "invalid", "status",
		 "must be one of active, closed");
	read_bad(&entity_depot, "{\"level\":\"national\"}", RECORD_UPDATE, NULL, 422, "invalid", "level",
		 "regional, departemental");
	read_bad(&entity_volunteer, "{\"profession\":\"surgeon\"}", RECORD_UPDATE, NULL, 422, "invalid", "profession",
		 NULL);
	read_bad(&entity_volunteer, "{\"status\":\"erased\"}", RECORD_UPDATE, NULL, 422, "invalid", "status", NULL);
	read_bad(&entity_volunteer, "{\"gender\":\"f\"}", RECORD_UPDATE, NULL, 422, "invalid", "gender",
		 "female, male, other");
	read_bad(&entity_volunteer, "{\"sms_lang\":\"de\"}", RECORD_UPDATE, NULL, 422, "invalid", "sms_lang", "fr, en");
	struct record *r = read_ok(&entity_structure, "{\"category\":\"home_hospitalisation\",\"legal_form\":\"mutuelle\"}",
				   RECORD_UPDATE, NULL);
	assert_string_equal(r->v[STRUCTURE_CATEGORY].s, "home_hospitalisation");
	record_free(r);
}

static void test_text_rules(void **state)
{
	(void)state;
	read_bad(&entity_structure, "{\"name\":\"\"}", RECORD_UPDATE, NULL, 422, "invalid", "name",
		 "must be 1 to 200 characters long");
	read_bad(&entity_structure, "{\"name\":\"a\\tb\"}", RECORD_UPDATE, NULL, 422, "invalid", "name",
		 "control characters");
	read_bad(&entity_structure, "{\"name\":\"a\\u001fb\"}", RECORD_UPDATE, NULL, 422, "invalid", "name",
		 "control characters");
	read_bad(&entity_structure, "{\"name\":\"\xED\xA0\x80\"}", RECORD_UPDATE, NULL, 422, "invalid", "name",
		 "UTF-8"); /* a raw surrogate: cJSON passes the bytes through */
	read_bad(&entity_structure, "{\"name\":\"B\xE9ziers\"}", RECORD_UPDATE, NULL, 422, "invalid", "name",
		 "UTF-8"); /* Latin-1 */
	read_bad(&entity_structure, "{\"finess\":\"310781407\"}", RECORD_UPDATE, NULL, 422, "invalid", "finess",
		 "check digit");
	read_bad(&entity_structure, "{\"commune\":\"3155\"}", RECORD_UPDATE, NULL, 422, "invalid", "commune", "INSEE");
	read_bad(&entity_depot, "{\"phone\":\"0561022400\"}", RECORD_UPDATE, NULL, 422, "invalid", "phone", "E.164");
	read_bad(&entity_volunteer, "{\"consent_at\":\"2023-02-29\"}", RECORD_UPDATE, NULL, 422, "invalid", "consent_at",
		 "day");
	read_bad(&entity_volunteer, "{\"email\":\"ab\"}", RECORD_UPDATE, NULL, 422, "invalid", "email", "3 to 254");
	/* 200 characters of 2 bytes each: 400 bytes, accepted */
	char json[1024] = "{\"name\":\"";
	for (int i = 0; i < 200; i++)
		strcat(json, "\xC3\xA9");
	strcat(json, "\"}");
	struct record *r = read_ok(&entity_structure, json, RECORD_UPDATE, NULL);
	record_free(r);
	json[strlen(json) - 2] = '\0';
	strcat(json, "\xC3\xA9\"}");
	read_bad(&entity_structure, json, RECORD_UPDATE, NULL, 422, "invalid", "name", "1 to 200");
}

/* --- word lists ------------------------------------------------------------------------------------------ */

static void test_words(void **state)
{
	(void)state;
	struct record *r = read_ok(&entity_volunteer, "{\"skills\":[]}", RECORD_UPDATE, NULL);
	assert_int_equal(r->v[VOLUNTEER_SKILLS].state, V_SET);
	assert_string_equal(r->v[VOLUNTEER_SKILLS].s, "");
	record_free(r);
	/* a word that is a prefix of another is not a duplicate */
	r = read_ok(&entity_volunteer, "{\"skills\":[\"ab\",\"a\",\"b\",\"abc\"]}", RECORD_UPDATE, NULL);
	assert_string_equal(r->v[VOLUNTEER_SKILLS].s, "ab a b abc");
	record_free(r);

	read_bad(&entity_volunteer, "{\"skills\":[\"first_aid\",\"first_aid\"]}", RECORD_UPDATE, NULL, 422, "invalid",
		 "skills", "must not repeat an entry");
	read_bad(&entity_volunteer, "{\"skills\":[\"a\",\"b\",\"a\"]}", RECORD_UPDATE, NULL, 422, "invalid", "skills",
		 "repeat");
	read_bad(&entity_volunteer, "{\"skills\":[\"First Aid\"]}", RECORD_UPDATE, NULL, 422, "invalid", "skills",
		 "a-z, 0-9");
	read_bad(&entity_volunteer, "{\"skills\":[\"\"]}", RECORD_UPDATE, NULL, 422, "invalid", "skills", NULL);
	read_bad(&entity_volunteer, "{\"skills\":[\"a b\"]}", RECORD_UPDATE, NULL, 422, "invalid", "skills", NULL);
	read_bad(&entity_volunteer, "{\"skills\":[1]}", RECORD_UPDATE, NULL, 422, "invalid", "skills",
		 "each entry must be a string");
	read_bad(&entity_volunteer, "{\"skills\":[null]}", RECORD_UPDATE, NULL, 422, "invalid", "skills", NULL);

	/* 30 entries at most */
	char json[1024] = "{\"skills\":[";
	for (int i = 0; i < 30; i++) {
		char w[16];
		snprintf(w, sizeof w, "%s\"s%d\"", i ? "," : "", i);
		strcat(json, w);
	}
	strcat(json, "]}");
	r = read_ok(&entity_volunteer, json, RECORD_UPDATE, NULL);
	record_free(r);
	json[strlen(json) - 2] = '\0';
	strcat(json, ",\"s30\"]}");
	read_bad(&entity_volunteer, json, RECORD_UPDATE, NULL, 422, "invalid", "skills", "at most 30 entries");
}

static void test_languages(void **state)
{
	(void)state;
	struct record *r = read_ok(&entity_volunteer, "{\"languages\":[\"fr\",\"en\",\"oc\"]}", RECORD_UPDATE, NULL);
	assert_string_equal(r->v[VOLUNTEER_LANGUAGES].s, "fr en oc");
	record_free(r);
	read_bad(&entity_volunteer, "{\"languages\":[\"fr\",\"fr\"]}", RECORD_UPDATE, NULL, 422, "invalid", "languages",
		 "repeat");
	read_bad(&entity_volunteer, "{\"languages\":[\"fra\"]}", RECORD_UPDATE, NULL, 422, "invalid", "languages",
		 "ISO 639-1");
	read_bad(&entity_volunteer, "{\"languages\":[\"FR\"]}", RECORD_UPDATE, NULL, 422, "invalid", "languages", NULL);
	read_bad(&entity_volunteer,
		 "{\"languages\":[\"aa\",\"ab\",\"ac\",\"ad\",\"ae\",\"af\",\"ag\",\"ah\",\"ai\",\"aj\",\"ak\"]}",
		 RECORD_UPDATE, NULL, 422, "invalid", "languages", "at most 10");
}

/* --- children ---------------------------------------------------------------------------------------------- */

static void test_children_errors_name_the_path(void **state)
{
	(void)state;
	read_bad(&entity_structure, "{\"contacts\":[{\"phone\":\"0561022400\"}]}", RECORD_UPDATE, NULL, 422, "invalid",
		 "contacts[0].phone", "E.164");
	read_bad(&entity_structure, "{\"contacts\":[{\"phone\":\"+33561022400\"},{\"phone\":\"x\"}]}", RECORD_UPDATE, NULL,
		 422, "invalid", "contacts[1].phone", NULL);
	read_bad(&entity_structure, "{\"contacts\":[{\"phone\":\"+33561022400\"},{\"name\":\"Accueil\"}]}", RECORD_UPDATE,
		 NULL, 422, "required", "contacts[1].phone", "is required");
	read_bad(&entity_structure, "{\"contacts\":[{\"phone\":\"+33561022400\",\"fax\":\"+33561022401\"}]}",
		 RECORD_UPDATE, NULL, 422, "unknown_field", "contacts[0].fax", "structure_contact");
	read_bad(&entity_structure, "{\"contacts\":[{\"phone\":\"+33561022400\",\"lang\":\"es\"}]}", RECORD_UPDATE, NULL,
		 422, "invalid", "contacts[0].lang", NULL);
	read_bad(&entity_structure, "{\"contacts\":[{\"phone\":null}]}", RECORD_UPDATE, NULL, 422, "invalid",
		 "contacts[0].phone", "must not be null");
	read_bad(&entity_volunteer, "{\"credentials\":[{\"kind\":\"licence\"}]}", RECORD_UPDATE, NULL, 422, "invalid",
		 "credentials[0].kind", NULL);
	read_bad(&entity_volunteer, "{\"credentials\":[{\"kind\":\"rpps\",\"expires_on\":\"2027-13-01\"}]}", RECORD_UPDATE,
		 NULL, 422, "invalid", "credentials[0].expires_on", "month");
	/* even a coordinator cannot give a child's id */
	struct principal admin = who(ROLE_ADMIN, "", 0);
	read_bad(&entity_structure, "{\"contacts\":[{\"phone\":\"+33561022400\",\"id\":3}]}", RECORD_UPDATE, &admin, 422,
		 "unknown_field", "contacts[0].id", NULL);
}

static void test_children_not_objects(void **state)
{
	(void)state;
	/* the field names the entry, without the "." that prefixes the entry's own fields */
	const char *bodies[] = {"{\"contacts\":[12]}", "{\"contacts\":[\"+33561022400\"]}", "{\"contacts\":[null]}",
				"{\"contacts\":[[]]}"};
	for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
		struct rf_error err;
		struct record *r = read_json(&entity_structure, bodies[i], RECORD_UPDATE, NULL, &err);
		assert_null(r);
		assert_int_equal(err.status, 422);
		assert_string_equal(err.code, "invalid");
		assert_string_equal(err.field, "contacts[0]");
		assert_non_null(strstr(err.rule, "JSON object"));
	}
}

static void test_children_count_and_empty(void **state)
{
	(void)state;
	struct record *r = read_ok(&entity_structure, "{\"contacts\":[]}", RECORD_UPDATE, NULL);
	assert_int_equal(r->v[STRUCTURE_CONTACTS].state, V_SET); /* an empty list clears the children */
	assert_int_equal(r->v[STRUCTURE_CONTACTS].nrows, 0);
	record_free(r);

	char json[2048] = "{\"contacts\":[";
	for (int i = 0; i < 20; i++)
		strcat(json, i ? ",{\"phone\":\"+33561022400\"}" : "{\"phone\":\"+33561022400\"}");
	strcat(json, "]}");
	r = read_ok(&entity_structure, json, RECORD_UPDATE, NULL);
	assert_int_equal(r->v[STRUCTURE_CONTACTS].nrows, 20);
	record_free(r);
	json[strlen(json) - 2] = '\0';
	strcat(json, ",{\"phone\":\"+33561022400\"}]}");
	read_bad(&entity_structure, json, RECORD_UPDATE, NULL, 422, "invalid", "contacts", "at most 20 entries");
}

static void test_error_after_children_frees_them(void **state)
{
	(void)state;
	/* children read, then a later field fails: everything is freed (checked by the sanitizer build) */
	read_bad(&entity_structure,
		 "{\"contacts\":[{\"phone\":\"+33561022400\"},{\"phone\":\"+33561022401\"}],\"capacity\":-5}",
		 RECORD_UPDATE, NULL, 422, "invalid", "capacity", NULL);
	read_bad(&entity_volunteer, "{\"skills\":[\"a\",\"b\"],\"languages\":[\"fr\"],\"gender\":\"x\"}", RECORD_UPDATE,
		 NULL, 422, "invalid", "gender", NULL);
}

/* --- permissions by role ----------------------------------------------------------------------------------- */

static void test_structure_token_fields(void **state)
{
	(void)state;
	struct principal p = who(ROLE_STRUCTURE, "", 12);
	struct record *r = read_ok(&entity_structure,
				   "{\"occupancy\":70,\"capacity\":80,\"staff\":30,\"contacts\":[{\"phone\":\"+33561022400\"}]}",
				   RECORD_UPDATE, &p);
	assert_int_equal(r->v[STRUCTURE_OCCUPANCY].i, 70);
	record_free(r);
	read_bad(&entity_structure, "{\"name\":\"Renamed\"}", RECORD_UPDATE, &p, 403, "forbidden_field", "name",
		 "cannot be changed with a structure token");
	read_bad(&entity_structure, "{\"occupancy\":70,\"status\":\"closed\"}", RECORD_UPDATE, &p, 403, "forbidden_field",
		 "status", NULL);
	read_bad(&entity_structure, "{\"finess\":null}", RECORD_UPDATE, &p, 403, "forbidden_field", "finess", NULL);
	read_bad(&entity_structure, "{\"commune\":\"31555\"}", RECORD_UPDATE, &p, 403, "forbidden_field", "commune", NULL);
	read_bad(&entity_structure, "{\"lat\":43.6}", RECORD_UPDATE, &p, 403, "forbidden_field", "lat", NULL);
	/* read-only is said before forbidden */
	read_bad(&entity_structure, "{\"id\":12}", RECORD_UPDATE, &p, 422, "read_only", "id", NULL);
}

static void test_depot_and_volunteer_token_fields(void **state)
{
	(void)state;
	struct principal d = who(ROLE_DEPOT, "", 3);
	struct record *r = read_ok(&entity_depot, "{\"phone\":\"+33561022400\"}", RECORD_UPDATE, &d);
	record_free(r);
	read_bad(&entity_depot, "{\"name\":\"x\"}", RECORD_UPDATE, &d, 403, "forbidden_field", "name", "depot token");
	read_bad(&entity_depot, "{\"level\":\"regional\"}", RECORD_UPDATE, &d, 403, "forbidden_field", "level", NULL);

	struct principal v = who(ROLE_VOLUNTEER, "", 7);
	r = read_ok(&entity_volunteer,
		    "{\"availability\":\"unavailable\",\"skills\":[\"driving\"],\"languages\":[\"fr\"],\"phone\":\"+33612345679\","
		    "\"travel_radius_km\":10,\"sms_lang\":\"en\",\"gender\":null,\"email\":null,\"first_name\":\"Cam\","
		    "\"last_name\":\"D\",\"home_commune\":\"31555\"}",
		    RECORD_UPDATE, &v);
	record_free(r);
	read_bad(&entity_volunteer, "{\"profession\":\"doctor\"}", RECORD_UPDATE, &v, 403, "forbidden_field",
		 "profession", "volunteer token");
	read_bad(&entity_volunteer, "{\"status\":\"suspended\"}", RECORD_UPDATE, &v, 403, "forbidden_field", "status",
		 NULL);
	read_bad(&entity_volunteer, "{\"consent_at\":\"2025-01-01\"}", RECORD_UPDATE, &v, 403, "forbidden_field",
		 "consent_at", NULL);
	read_bad(&entity_volunteer, "{\"credentials\":[]}", RECORD_UPDATE, &v, 403, "forbidden_field", "credentials",
		 NULL);
	/* a self token writes only F_SELF fields, whatever the entity (the store checks which row) */
	struct principal s = who(ROLE_STRUCTURE, "", 12);
	read_bad(&entity_item, "{\"name\":\"x\"}", RECORD_UPDATE, &s, 403, "forbidden_field", "name", NULL);
}

static void test_observer_writes_nothing(void **state)
{
	(void)state;
	struct principal o = who(ROLE_OBSERVER, "", 0);
	read_bad(&entity_structure, "{\"occupancy\":1}", RECORD_UPDATE, &o, 403, "forbidden_field", "occupancy",
		 "observer token");
	read_bad(&entity_volunteer, "{\"availability\":\"available\"}", RECORD_UPDATE, &o, 403, "forbidden_field",
		 "availability", NULL);
	read_bad(&entity_structure, "{" STRUCTURE_MIN "}", RECORD_CREATE, &o, 403, "forbidden_field", "name", NULL);
}

static void test_coordinators_and_admin_fields(void **state)
{
	(void)state;
	struct principal region = who(ROLE_COORDINATOR, "", 0);
	struct principal scoped = who(ROLE_COORDINATOR, ",81,", 0);
	struct principal admin = who(ROLE_ADMIN, "", 0);
	struct principal s = who(ROLE_STRUCTURE, "", 1);
	/* an F_ADMIN field: admin and region-wide coordinators only */
	struct record *r = read_ok(&entity_admin_test, "{\"budget\":10}", RECORD_UPDATE, &admin);
	record_free(r);
	r = read_ok(&entity_admin_test, "{\"budget\":10}", RECORD_UPDATE, &region);
	record_free(r);
	r = read_ok(&entity_admin_test, "{\"budget\":10}", RECORD_UPDATE, NULL);
	record_free(r);
	read_bad(&entity_admin_test, "{\"budget\":10}", RECORD_UPDATE, &scoped, 403, "forbidden_field", "budget",
		 "coordinator token");
	read_bad(&entity_admin_test, "{\"budget\":null}", RECORD_UPDATE, &scoped, 403, "forbidden_field", "budget", NULL);
	read_bad(&entity_admin_test, "{\"budget\":10}", RECORD_UPDATE, &s, 403, "forbidden_field", "budget", NULL);
	/* other fields: every coordinator */
	r = read_ok(&entity_admin_test, "{\"name\":\"x\",\"note\":\"y\"}", RECORD_UPDATE, &scoped);
	record_free(r);
	r = read_ok(&entity_admin_test, "{\"note\":\"y\"}", RECORD_UPDATE, &s);
	record_free(r);
	/* coordinators write every field of the real registries */
	r = read_ok(&entity_structure, "{" STRUCTURE_MIN ",\"status\":\"closed\",\"finess\":\"810000000\"}", RECORD_CREATE,
		    &scoped);
	record_free(r);
	r = read_ok(&entity_volunteer, "{" VOLUNTEER_MIN ",\"status\":\"suspended\",\"credentials\":[]}", RECORD_CREATE,
		    &scoped);
	record_free(r);
}

/* --- record_to_json --------------------------------------------------------------------------------------- */

static char *to_text(const struct record *r, int with_personal)
{
	cJSON *o = record_to_json(r, with_personal);
	assert_non_null(o);
	char *t = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	assert_non_null(t);
	return t;
}

static void test_to_json_round_trip(void **state)
{
	(void)state;
	const char *json = "{\"name\":\"EHPAD Les Tilleuls\",\"category\":\"ehpad\",\"legal_form\":\"association\","
			   "\"finess\":null,\"commune\":\"81004\",\"lat\":43.92,\"capacity\":80,\"occupancy\":72,"
			   "\"contacts\":[{\"name\":\"Accueil\",\"phone\":\"+33563000000\",\"lang\":\"fr\"}]}";
	struct record *r = read_ok(&entity_structure, json, RECORD_CREATE, NULL);
	char *out = to_text(r, 1);
	assert_string_equal(out, json); /* fields in model order, which is also this order */
	free(out);
	record_free(r);
}

static void test_to_json_without_personal(void **state)
{
	(void)state;
	struct record *r = read_ok(&entity_volunteer,
				   "{" VOLUNTEER_MIN ",\"email\":\"c@example.org\",\"gender\":\"female\",\"skills\":[\"first_aid\"],"
				   "\"credentials\":[{\"kind\":\"rpps\",\"reference\":\"10001234567\"}]}",
				   RECORD_CREATE, NULL);
	record_set_int(r, VOLUNTEER_ID, 7);
	record_set_text(r, VOLUNTEER_DEP, "31");
	cJSON *full = record_to_json(r, 1), *anon = record_to_json(r, 0);
	const char *personal[] = {"first_name", "last_name", "phone", "email", "home_commune", "gender"};
	for (size_t i = 0; i < sizeof personal / sizeof personal[0]; i++) {
		assert_non_null(cJSON_GetObjectItemCaseSensitive(full, personal[i]));
		assert_null(cJSON_GetObjectItemCaseSensitive(anon, personal[i]));
	}
	const char *kept[] = {"id", "profession", "skills", "dep", "consent_at", "credentials"};
	for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
		assert_non_null(cJSON_GetObjectItemCaseSensitive(anon, kept[i]));
	/* children lose their personal fields too */
	const cJSON *cred = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(anon, "credentials"), 0);
	assert_non_null(cred);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(cred, "kind")->valuestring, "rpps");
	assert_null(cJSON_GetObjectItemCaseSensitive(cred, "reference"));
	cred = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(full, "credentials"), 0);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(cred, "reference")->valuestring, "10001234567");
	cJSON_Delete(full);
	cJSON_Delete(anon);
	record_free(r);

	r = read_ok(&entity_structure, "{\"contacts\":[{\"name\":\"Dr X\",\"phone\":\"+33563000000\",\"role\":\"director\"}]}",
		    RECORD_UPDATE, NULL);
	char *t = to_text(r, 0);
	assert_string_equal(t, "{\"contacts\":[{\"role\":\"director\"}]}");
	free(t);
	record_free(r);
}

static void test_to_json_kinds(void **state)
{
	(void)state;
	struct record *r = record_new(&entity_item);
	record_set_int(r, ITEM_ID, 4);
	record_set_text(r, ITEM_CODE, "gel");
	record_set_int(r, ITEM_REUSABLE, 0);
	record_set_real(r, ITEM_BURN_WORKER, 0.25);
	record_set_null(r, ITEM_BURN_BED);
	record_set_int(r, ITEM_CREATED_AT, 1764146709123LL);
	record_set_int(r, ITEM_UPDATED_AT, 0);
	char *t = to_text(r, 0);
	assert_string_equal(t, "{\"id\":4,\"code\":\"gel\",\"reusable\":false,\"burn_per_worker_day\":0.25,"
			       "\"burn_per_bed_day\":null,\"created_at\":\"2025-11-26T08:45:09.123Z\","
			       "\"updated_at\":\"1970-01-01T00:00:00.000Z\"}");
	free(t);
	record_set_int(r, ITEM_REUSABLE, 1);
	cJSON *o = record_to_json(r, 1);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "reusable")));
	cJSON_Delete(o);
	record_free(r);

	r = record_new(&entity_volunteer);
	record_set_text(r, VOLUNTEER_SKILLS, "");
	record_set_text(r, VOLUNTEER_LANGUAGES, "fr  en ");
	record_set_null(r, VOLUNTEER_CREDENTIALS);
	t = to_text(r, 1);
	assert_string_equal(t, "{\"skills\":[],\"languages\":[\"fr\",\"en\"],\"credentials\":[]}");
	free(t);
	record_free(r);

	r = record_new(&entity_structure);
	t = to_text(r, 1);
	assert_string_equal(t, "{}");
	free(t);
	record_free(r);
}

static void test_words_to_json(void **state)
{
	(void)state;
	const char *cases[][2] = {{"", "[]"},
				  {"a", "[\"a\"]"},
				  {"a b", "[\"a\",\"b\"]"},
				  {"  a   b  ", "[\"a\",\"b\"]"},
				  {"first_aid covid-19", "[\"first_aid\",\"covid-19\"]"}};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cJSON *a = words_to_json(cases[i][0]);
		char *t = cJSON_PrintUnformatted(a);
		assert_string_equal(t, cases[i][1]);
		free(t);
		cJSON_Delete(a);
	}
	cJSON *a = words_to_json(NULL);
	assert_true(cJSON_IsArray(a));
	assert_int_equal(cJSON_GetArraySize(a), 0);
	cJSON_Delete(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_structure_minimal),
		cmocka_unit_test(test_structure_full),
		cmocka_unit_test(test_other_entities_minimal),
		cmocka_unit_test(test_required_fields),
		cmocka_unit_test(test_update_needs_nothing),
		cmocka_unit_test(test_unknown_field),
		cmocka_unit_test(test_read_only_fields),
		cmocka_unit_test(test_immutable_on_update),
		cmocka_unit_test(test_given_twice),
		cmocka_unit_test(test_not_an_object),
		cmocka_unit_test(test_null_handling),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_integer_range),
		cmocka_unit_test(test_real_range),
		cmocka_unit_test(test_enums),
		cmocka_unit_test(test_text_rules),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_languages),
		cmocka_unit_test(test_children_errors_name_the_path),
		cmocka_unit_test(test_children_not_objects),
		cmocka_unit_test(test_children_count_and_empty),
		cmocka_unit_test(test_error_after_children_frees_them),
		cmocka_unit_test(test_structure_token_fields),
		cmocka_unit_test(test_depot_and_volunteer_token_fields),
		cmocka_unit_test(test_observer_writes_nothing),
		cmocka_unit_test(test_coordinators_and_admin_fields),
		cmocka_unit_test(test_to_json_round_trip),
		cmocka_unit_test(test_to_json_without_personal),
		cmocka_unit_test(test_to_json_kinds),
		cmocka_unit_test(test_words_to_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
