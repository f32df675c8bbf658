/* fuzz_json: the JSON request parser and what validates a JSON body.
 *
 * Input: one byte choosing an operation, then a request body. Each input goes through:
 * - json_parse_strict(), the parser of every JSON body and websocket message. Invariant: what it
 *   accepts prints (cJSON_PrintUnformatted) to a text it accepts again and that prints the same.
 * - record_from_json() in create and update mode for each registry entity, then model_check() on
 *   what it accepts (the model-driven validation, without the database). Invariant: an accepted
 *   record printed by record_to_json() is accepted again and prints the same; a refusal names the
 *   field and the rule.
 * - the chosen operation's handler (registry creates and updates, stock.report, stock.movement,
 *   thresholds.set, sms.send, tokens.create) as the group commit runs it, on a database, rolled
 *   back after each input. Invariant: 2xx, or a 4xx naming a code, a field and a rule. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_app.h"
#include "record_json.h"

/* the operations, by the first byte (modulo): tests/fuzz/seed.py writes seeds in this order */
static const struct {
	const char *op;
	int id; /* 1: params {"id": the fixture's structure}, 2: the volunteer */
} ops[] = {
	{"structures.create", 0}, {"structures.update", 1}, {"depots.create", 0},   {"items.create", 0},
	{"volunteers.create", 0}, {"volunteers.update", 2}, {"duty_officers.create", 0}, {"stock.report", 0},
	{"stock.movement", 0},    {"thresholds.set", 0},    {"sms.send", 0},          {"tokens.create", 0},
};
#define NOPS (sizeof ops / sizeof ops[0])

static const struct entity *const entities[] = {&entity_structure, &entity_depot, &entity_item, &entity_volunteer,
						&entity_duty_officer};

/* Print, parse again, print again: the same text. */
static void check_round_trip(const cJSON *v)
{
	char *once = cJSON_PrintUnformatted(v);
	FZ_CHECK(once != NULL, "cannot print");
	char rule[128] = "";
	cJSON *again = json_parse_strict(once, strlen(once), rule, sizeof rule);
	FZ_CHECK(again != NULL, "printed JSON refused (%s): %s", rule, once);
	char *twice = cJSON_PrintUnformatted(again);
	FZ_CHECK(twice && strcmp(once, twice) == 0, "printed twice differently: %s / %s", once, twice ? twice : "?");
	cJSON_free(once);
	cJSON_free(twice);
	cJSON_Delete(again);
}

static void check_record(const struct entity *e, const cJSON *obj, enum record_mode mode)
{
	struct record *r = NULL;
	struct rf_error err;
	memset(&err, 0, sizeof err);
	if (record_from_json(e, obj, mode, &fz_admin, &r, &err)) {
		FZ_CHECK(err.status >= 400 && err.status < 500 && fz_field_named(err.code, err.field) && err.rule[0],
			 "%s: record_from_json refused with status %d, field '%s', rule '%s'", e->name, err.status, err.field,
			 err.rule);
		return;
	}
	const char *field = NULL;
	const char *rule = model_check(r, NULL, &field);
	FZ_CHECK(!rule || (field && field[0]), "%s: model_check's rule '%s' names no field", e->name, rule);
	/* what was accepted, printed, is accepted again and prints the same */
	cJSON *printed = record_to_json(r, 1);
	struct record *r2 = NULL;
	FZ_CHECK(printed != NULL, "record_to_json failed");
	int rc = record_from_json(e, printed, mode, &fz_admin, &r2, &err);
	char *p1 = cJSON_PrintUnformatted(printed);
	FZ_CHECK(rc == 0, "%s: a printed record is refused (%s: %s): %s", e->name, err.field, err.rule, p1);
	cJSON *printed2 = record_to_json(r2, 1);
	char *p2 = cJSON_PrintUnformatted(printed2);
	FZ_CHECK(p1 && p2 && strcmp(p1, p2) == 0, "%s: record printed differently: %s / %s", e->name, p1, p2 ? p2 : "?");
	cJSON_free(p1);
	cJSON_free(p2);
	cJSON_Delete(printed);
	cJSON_Delete(printed2);
	record_free(r);
	record_free(r2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t which = data[0] % NOPS;
	const char *text = (const char *)data + 1;
	size_t len = size - 1;
	char rule[128] = "";
	cJSON *body = json_parse_strict(text, len, rule, sizeof rule);
	if (!body) {
		FZ_CHECK(rule[0], "a refusal without its rule");
		return 0;
	}
	check_round_trip(body);
	if (cJSON_IsObject(body))
		for (size_t i = 0; i < sizeof entities / sizeof entities[0]; i++) {
			check_record(entities[i], body, RECORD_CREATE);
			check_record(entities[i], body, RECORD_UPDATE);
		}
	cJSON *params = cJSON_CreateObject();
	if (ops[which].id)
		cJSON_AddNumberToObject(params, "id", ops[which].id == 1 ? (double)fz_structure_id : (double)fz_volunteer_id);
	fz_run_op(ops[which].op, &fz_admin, params, body, NULL, 0, NULL);
	return 0;
}
