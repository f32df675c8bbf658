/* Unit tests of topic.c: parsing and formatting topics, which events match them, and what each role may see (scope of events). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "topic.h"

static const char *const family_names[] = {"structures", "depots", "items",	   "volunteers", "alerts",
					   "stock",	 "sms",	   "allocations", "deployments"};
static const char *const family_prefixes[] = {"structure.", "depot.", "item.",	     "volunteer.", "alert.",
					      "stock.",	    "sms.",   "allocation.", "deployment."};
#define NFAM (sizeof family_names / sizeof family_names[0])

static const char *const region_deps[] = {"09", "11", "12", "30", "31", "32", "34",
					  "46", "48", "65", "66", "81", "82"};
#define NDEPS (sizeof region_deps / sizeof region_deps[0])

static struct topic parse_ok(const char *text, const char **entity)
{
	struct topic t;
	const char *ent = "unset";
	const char *rule = topic_parse(text, &t, &ent);
	if (rule)
		fail_msg("topic_parse refused \"%s\": %s", text, rule);
	if (entity)
		*entity = ent;
	return t;
}

static struct principal who(enum role role, const char *deps, long long subject)
{
	struct principal p;
	memset(&p, 0, sizeof p);
	p.role = role;
	p.subject_id = subject;
	snprintf(p.deps, sizeof p.deps, "%s", deps);
	return p;
}

/* --- topic_parse ---------------------------------------------------------------------------------- */

static void test_parse_all(void **state)
{
	(void)state;
	const char *entity;
	struct topic t = parse_ok("*", &entity);
	assert_int_equal(t.kind, TOPIC_ALL);
	assert_null(entity);
}

static void test_parse_every_family(void **state)
{
	(void)state;
	for (size_t i = 0; i < NFAM; i++) {
		const char *entity;
		struct topic t = parse_ok(family_names[i], &entity);
		assert_int_equal(t.kind, TOPIC_FAMILY);
		assert_int_equal(t.family, i);
		assert_null(entity);
	}
}

static void test_parse_entities(void **state)
{
	(void)state;
	const char *entity;
	struct topic t = parse_ok("structure:12", &entity);
	assert_int_equal(t.kind, TOPIC_ENTITY);
	assert_int_equal(t.id, 12);
	assert_string_equal(entity, "structure");

	t = parse_ok("depot:3", &entity);
	assert_int_equal(t.kind, TOPIC_ENTITY);
	assert_int_equal(t.id, 3);
	assert_string_equal(entity, "depot");

	t = parse_ok("volunteer:7", &entity);
	assert_int_equal(t.kind, TOPIC_ENTITY);
	assert_int_equal(t.id, 7);
	assert_string_equal(entity, "volunteer");

	t = parse_ok("structure:9007199254740991", &entity);
	assert_int_equal(t.id, 9007199254740991LL);
}

static void test_parse_departements(void **state)
{
	(void)state;
	for (size_t i = 0; i < NDEPS; i++) {
		char text[32];
		const char *entity;
		snprintf(text, sizeof text, "departement:%s", region_deps[i]);
		struct topic t = parse_ok(text, &entity);
		assert_int_equal(t.kind, TOPIC_DEP);
		assert_string_equal(t.dep, region_deps[i]);
		assert_null(entity);
	}
}

static void test_parse_refused(void **state)
{
	(void)state;
	const char *bad[] = {
		"",		   "**",	   "departement:75", "departement:2A", "departement:",  "departement:810",
		"departement:8",   "departement",  "departements:81", "dep:81",	      "departement:081", "structure:0",
		"structure:abc",   "structure:",   "structure:-3",    "structure:12abc", "structure:1.5",  "structure",
		"structure:12:13", "unknown",	   "unknown:12",      "item:3",	      "items:3",	 "Structures",
		"STRUCTURES",	   "structures ",  " structures",     "alert",	      "structures:12",  "volunteer:0",
		"depot:x",	   "*:12",	   "sms:1",	      "departement:81 "};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct topic t;
		const char *entity = "unset";
		const char *rule = topic_parse(bad[i], &t, &entity);
		if (!rule)
			fail_msg("topic_parse accepted \"%s\"", bad[i]);
		assert_true(strlen(rule) > 0);
	}
	struct topic t;
	const char *entity;
	assert_string_equal(topic_parse("departement:75", &t, &entity), "names no département of the region");
	assert_string_equal(topic_parse("structure:0", &t, &entity), "must end with a positive id, like structure:12");
	assert_string_equal(topic_parse("structure:abc", &t, &entity), "must end with a positive id, like structure:12");
	assert_non_null(strstr(topic_parse("unknown", &t, &entity), "departement:<code>"));
}

/* --- topic_format ---------------------------------------------------------------------------------- */

static void test_format_round_trip(void **state)
{
	(void)state;
	const char *texts[] = {"*",	      "structures",   "depots",	      "items",	     "volunteers",
			       "alerts",      "stock",	      "sms",	      "allocations", "deployments",
			       "structure:12", "depot:3",     "volunteer:7",  "departement:81", "departement:09",
			       "structure:9007199254740991"};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		char out[40];
		struct topic t = parse_ok(texts[i], NULL);
		assert_string_equal(topic_format(&t, out), texts[i]);
		/* and the text parses back to the same topic */
		struct topic u = parse_ok(out, NULL);
		assert_int_equal(u.kind, t.kind);
		assert_int_equal(u.family, t.family);
		assert_int_equal(u.id, t.id);
		assert_string_equal(u.dep, t.dep);
	}
}

/* --- topic_matches --------------------------------------------------------------------------------- */

static void test_matches_all(void **state)
{
	(void)state;
	struct topic t = parse_ok("*", NULL);
	assert_true(topic_matches(&t, "structure.updated", "81", "structure", 12));
	assert_true(topic_matches(&t, "alert.opened", NULL, NULL, 0));
	assert_true(topic_matches(&t, "sms.sent", "34", "volunteer", 7));
}

static void test_matches_family(void **state)
{
	(void)state;
	for (size_t i = 0; i < NFAM; i++) {
		struct topic t = parse_ok(family_names[i], NULL);
		for (size_t j = 0; j < NFAM; j++) {
			char type[64];
			snprintf(type, sizeof type, "%screated", family_prefixes[j]);
			assert_int_equal(topic_matches(&t, type, "81", NULL, 0), i == j);
		}
	}
	struct topic s = parse_ok("structures", NULL);
	assert_false(topic_matches(&s, "structure", "81", "structure", 1)); /* the prefix includes the dot */
	assert_false(topic_matches(&s, "structures.x", "81", "structure", 1));
	assert_false(topic_matches(&s, "", NULL, NULL, 0));
	struct topic st = parse_ok("stock", NULL);
	assert_true(topic_matches(&st, "stock.reported", "31", "structure", 4));
	assert_false(topic_matches(&st, "stocks.reported", "31", "structure", 4));
}

static void test_matches_entity(void **state)
{
	(void)state;
	struct topic t = parse_ok("structure:12", NULL);
	assert_true(topic_matches(&t, "structure.updated", "81", "structure", 12));
	assert_true(topic_matches(&t, "stock.reported", "81", "structure", 12)); /* any event about it */
	assert_false(topic_matches(&t, "structure.updated", "81", "structure", 13));
	assert_false(topic_matches(&t, "depot.updated", "81", "depot", 12));     /* same id, other entity */
	assert_false(topic_matches(&t, "alert.opened", "81", NULL, 12));
	struct topic v = parse_ok("volunteer:7", NULL);
	assert_true(topic_matches(&v, "volunteer.updated", "31", "volunteer", 7));
	assert_false(topic_matches(&v, "volunteer.updated", "31", "volunteer", 70));
	struct topic d = parse_ok("depot:3", NULL);
	assert_true(topic_matches(&d, "depot.updated", "31", "depot", 3));
	assert_false(topic_matches(&d, "structure.updated", "31", "structure", 3));
}

static void test_matches_departement(void **state)
{
	(void)state;
	struct topic t = parse_ok("departement:81", NULL);
	assert_true(topic_matches(&t, "structure.updated", "81", "structure", 12));
	assert_true(topic_matches(&t, "alert.opened", "81", NULL, 0));
	assert_false(topic_matches(&t, "structure.updated", "34", "structure", 12));
	assert_false(topic_matches(&t, "alert.opened", NULL, NULL, 0)); /* region-wide is not "in 81" */
	assert_false(topic_matches(&t, "alert.opened", "", NULL, 0));
	assert_false(topic_matches(&t, "alert.opened", "8", NULL, 0));
}

/* --- event_visible ---------------------------------------------------------------------------------- */

static void test_visible_admin(void **state)
{
	(void)state;
	struct principal p = who(ROLE_ADMIN, "", 0);
	for (size_t i = 0; i < NFAM; i++) {
		char type[64];
		snprintf(type, sizeof type, "%sx", family_prefixes[i]);
		assert_true(event_visible(&p, type, "81", "structure", 1));
		assert_true(event_visible(&p, type, "34", "volunteer", 2));
		assert_true(event_visible(&p, type, NULL, NULL, 0));
	}
}

static void test_visible_region_coordinator(void **state)
{
	(void)state;
	struct principal p = who(ROLE_COORDINATOR, "", 0);
	for (size_t i = 0; i < NDEPS; i++)
		assert_true(event_visible(&p, "structure.updated", region_deps[i], "structure", 1));
	assert_true(event_visible(&p, "volunteer.updated", "34", "volunteer", 1));
	assert_true(event_visible(&p, "sms.received", "34", "volunteer", 1));
	assert_true(event_visible(&p, "alert.opened", NULL, NULL, 0));
	/* every duty officer, of a département or of the whole region */
	assert_true(event_visible(&p, "duty_officer.created", "81", "duty_officer", 3));
	assert_true(event_visible(&p, "duty_officer.created", NULL, "duty_officer", 5));
}

static void test_visible_scoped_coordinator(void **state)
{
	(void)state;
	struct principal p = who(ROLE_COORDINATOR, ",81,", 0);
	assert_true(event_visible(&p, "structure.updated", "81", "structure", 12));
	assert_true(event_visible(&p, "volunteer.updated", "81", "volunteer", 7));
	assert_true(event_visible(&p, "sms.received", "81", "volunteer", 7));
	assert_false(event_visible(&p, "structure.updated", "34", "structure", 13));
	assert_false(event_visible(&p, "volunteer.updated", "31", "volunteer", 8));
	assert_false(event_visible(&p, "alert.opened", "8", NULL, 0));
	/* region-wide events (no département) reach every coordinator */
	assert_true(event_visible(&p, "item.created", NULL, "item", 4));
	assert_true(event_visible(&p, "alert.opened", NULL, NULL, 0));
	assert_true(event_visible(&p, "alert.opened", "", NULL, 0));
	/* duty officers: those of its départements; a region-wide one (dep NULL) is not its to read */
	assert_true(event_visible(&p, "duty_officer.created", "81", "duty_officer", 3));
	assert_false(event_visible(&p, "duty_officer.created", "34", "duty_officer", 4));
	assert_false(event_visible(&p, "duty_officer.created", NULL, "duty_officer", 5));
	assert_false(event_visible(&p, "duty_officer.deleted", "", "duty_officer", 5));
	struct principal two = who(ROLE_COORDINATOR, ",31,81,", 0);
	assert_true(event_visible(&two, "structure.updated", "31", "structure", 1));
	assert_true(event_visible(&two, "structure.updated", "81", "structure", 1));
	assert_false(event_visible(&two, "structure.updated", "34", "structure", 1));
	for (size_t i = 0; i < NDEPS; i++)
		assert_int_equal(event_visible(&p, "stock.reported", region_deps[i], "structure", 1),
				 strcmp(region_deps[i], "81") == 0);
}

static void test_visible_observer(void **state)
{
	(void)state;
	struct principal region = who(ROLE_OBSERVER, "", 0);
	struct principal scoped = who(ROLE_OBSERVER, ",81,", 0);
	/* never people: volunteer.* and sms.*, wherever they happen */
	const char *people[] = {"volunteer.created", "volunteer.updated", "volunteer.erased", "sms.sent", "sms.received"};
	for (size_t i = 0; i < sizeof people / sizeof people[0]; i++) {
		assert_false(event_visible(&region, people[i], "81", "volunteer", 7));
		assert_false(event_visible(&region, people[i], NULL, NULL, 0));
		assert_false(event_visible(&scoped, people[i], "81", "volunteer", 7));
	}
	/* the rest like a coordinator of the same territory */
	assert_true(event_visible(&region, "structure.updated", "34", "structure", 1));
	assert_true(event_visible(&region, "alert.opened", NULL, NULL, 0));
	assert_true(event_visible(&scoped, "structure.updated", "81", "structure", 1));
	assert_false(event_visible(&scoped, "structure.updated", "34", "structure", 1));
	assert_true(event_visible(&scoped, "stock.reported", NULL, "depot", 1));
	assert_true(event_visible(&scoped, "deployment.filled", "81", "structure", 2));
	/* nor duty officers, of a département or of the whole region */
	const char *officers[] = {"duty_officer.created", "duty_officer.updated", "duty_officer.deleted"};
	for (size_t i = 0; i < sizeof officers / sizeof officers[0]; i++) {
		assert_false(event_visible(&region, officers[i], "81", "duty_officer", 3));
		assert_false(event_visible(&region, officers[i], NULL, "duty_officer", 3));
		assert_false(event_visible(&scoped, officers[i], "81", "duty_officer", 3));
		assert_false(event_visible(&scoped, officers[i], NULL, "duty_officer", 3));
	}
	/* type words that merely start alike are not people */
	assert_true(event_visible(&region, "volunteers_count.updated", NULL, NULL, 0));
	assert_true(event_visible(&region, "smsgateway.down", NULL, NULL, 0));
}

static void test_visible_structure_token(void **state)
{
	(void)state;
	struct principal p = who(ROLE_STRUCTURE, "", 12);
	assert_true(event_visible(&p, "structure.updated", "81", "structure", 12));
	assert_true(event_visible(&p, "stock.reported", "81", "structure", 12));
	assert_false(event_visible(&p, "structure.updated", "81", "structure", 13));
	assert_false(event_visible(&p, "depot.updated", "81", "depot", 12));       /* same id, other entity */
	assert_false(event_visible(&p, "volunteer.updated", "81", "volunteer", 12));
	assert_false(event_visible(&p, "alert.opened", "81", NULL, 0));            /* nothing without entity */
	assert_false(event_visible(&p, "alert.opened", NULL, NULL, 12));
	/* the catalogue is shared */
	assert_true(event_visible(&p, "item.created", NULL, "item", 4));
	assert_true(event_visible(&p, "item.updated", NULL, "item", 99));
}

static void test_visible_depot_token(void **state)
{
	(void)state;
	struct principal p = who(ROLE_DEPOT, "", 3);
	assert_true(event_visible(&p, "depot.updated", "31", "depot", 3));
	assert_true(event_visible(&p, "stock.dispatched", "31", "depot", 3));
	assert_false(event_visible(&p, "depot.updated", "31", "depot", 4));
	assert_false(event_visible(&p, "structure.updated", "31", "structure", 3));
	assert_false(event_visible(&p, "alert.opened", NULL, NULL, 0));
	assert_true(event_visible(&p, "item.created", NULL, "item", 1));
}

static void test_visible_volunteer_token(void **state)
{
	(void)state;
	struct principal p = who(ROLE_VOLUNTEER, "", 7);
	assert_true(event_visible(&p, "volunteer.updated", "81", "volunteer", 7));
	assert_false(event_visible(&p, "volunteer.updated", "81", "volunteer", 8));
	assert_false(event_visible(&p, "structure.updated", "81", "structure", 7));
	assert_false(event_visible(&p, "item.created", NULL, "item", 1)); /* not the catalogue */
	assert_false(event_visible(&p, "alert.opened", NULL, NULL, 0));
	assert_false(event_visible(&p, "sms.sent", "81", NULL, 7));
}

static void test_visible_unknown_role(void **state)
{
	(void)state;
	struct principal p = who((enum role)ROLE_COUNT, "", 1);
	assert_false(event_visible(&p, "structure.updated", "81", "structure", 1));
	assert_false(event_visible(&p, "alert.opened", NULL, NULL, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_all),
		cmocka_unit_test(test_parse_every_family),
		cmocka_unit_test(test_parse_entities),
		cmocka_unit_test(test_parse_departements),
		cmocka_unit_test(test_parse_refused),
		cmocka_unit_test(test_format_round_trip),
		cmocka_unit_test(test_matches_all),
		cmocka_unit_test(test_matches_family),
		cmocka_unit_test(test_matches_entity),
		cmocka_unit_test(test_matches_departement),
		cmocka_unit_test(test_visible_admin),
		cmocka_unit_test(test_visible_region_coordinator),
		cmocka_unit_test(test_visible_scoped_coordinator),
		cmocka_unit_test(test_visible_observer),
		cmocka_unit_test(test_visible_structure_token),
		cmocka_unit_test(test_visible_depot_token),
		cmocka_unit_test(test_visible_volunteer_token),
		cmocka_unit_test(test_visible_unknown_role),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
