/* record_json: JSON <-> records of the model, with every field's rule checked on the way in.
 * Part of the protocol layer: the only place where registry rows meet cJSON. */
#ifndef RENFORT_RECORD_JSON_H
#define RENFORT_RECORD_JSON_H

#include <cjson/cJSON.h>

#include "error.h"
#include "json_strict.h" /* json_parse_strict(), which the transport reaches through this header */
#include "model.h"

struct principal;

enum record_mode { RECORD_CREATE, RECORD_UPDATE };

/* Reads obj into a new record of entity e. Refuses unknown fields, fields the principal may not
 * set, read-only fields, wrong types and values breaking a field's rule, naming the field.
 * On success *out owns the record. */
int record_from_json(const struct entity *e, const cJSON *obj, enum record_mode mode,
		     const struct principal *who, struct record **out, struct rf_error *err);

/* A JSON object of every field that is set. Without personal: F_PERSONAL fields are left out
 * (events, and anything that may reach people outside the record's scope). */
cJSON *record_to_json(const struct record *r, int with_personal);

/* Splits a space-separated word list into a JSON array. */
cJSON *words_to_json(const char *s);

#endif
