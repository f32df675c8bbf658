#include "request_check.h"

#include <string.h>
#include <strings.h>

static const char *skip_ows(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* One parameter at p (after "; "): charset=utf-8, maybe quoted. Returns the end, or NULL. */
static const char *charset_utf8(const char *p)
{
	static const char name[] = "charset=";
	if (strncasecmp(p, name, sizeof name - 1) != 0)
		return NULL;
	p += sizeof name - 1;
	int quoted = *p == '"';
	p += quoted;
	if (strncasecmp(p, "utf-8", 5) != 0)
		return NULL;
	p += 5;
	if (quoted && *p++ != '"')
		return NULL;
	return p;
}

int request_check_media_type(const char *value, const char *type)
{
	if (!value || !type)
		return 0;
	const char *p = skip_ows(value);
	size_t n = strlen(type);
	if (strncasecmp(p, type, n) != 0)
		return 0;
	p += n;
	for (;;) {
		p = skip_ows(p);
		if (*p == '\0')
			return 1;
		if (*p != ';')
			return 0;
		p = skip_ows(p + 1);
		if (*p == ';' || *p == '\0')
			continue; /* an empty parameter: RFC 9110's grammar allows it */
		if (!(p = charset_utf8(p)))
			return 0;
	}
}

int request_check_envelope(const cJSON *msg, struct rf_error *err)
{
	if (!cJSON_IsObject(msg)) {
		rf_error_set(err, 400, "invalid_json", "message", "must be a JSON object");
		return -1;
	}
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(msg, "id");
	if (id && !cJSON_IsString(id) && !cJSON_IsNumber(id)) {
		rf_error_set(err, 422, "invalid", "id", "must be a string or a number");
		return -1;
	}
	const cJSON *f;
	cJSON_ArrayForEach(f, msg)
	{
		if (strcmp(f->string, "type") && strcmp(f->string, "id") && strcmp(f->string, "params") &&
		    strcmp(f->string, "data") && strcmp(f->string, "idempotency_key")) {
			rf_error_set(err, 422, "unknown_field", f->string,
				     "is not part of a message (type, id, params, data, idempotency_key)");
			return -1;
		}
	}
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(msg, "type");
	if (!type) {
		rf_error_set(err, 422, "required", "type", "is required: the operation, like \"structures.get\"");
		return -1;
	}
	if (!cJSON_IsString(type)) {
		rf_error_set(err, 422, "invalid", "type", "must be a string: the operation, like \"structures.get\"");
		return -1;
	}
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(msg, "params");
	if (params && !cJSON_IsObject(params)) {
		rf_error_set(err, 422, "invalid", "params", "must be an object");
		return -1;
	}
	const cJSON *key = cJSON_GetObjectItemCaseSensitive(msg, "idempotency_key");
	if (key && (!cJSON_IsString(key) || !key->valuestring[0] || strlen(key->valuestring) > 128)) {
		rf_error_set(err, 422, "invalid", "idempotency_key", "must be 1 to 128 characters");
		return -1;
	}
	return 0;
}
