/* Unit tests of request_check.c: the media type of a body, the websocket envelope. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "json_strict.h"
#include "request_check.h"

static void test_media_type_json(void **state)
{
	(void)state;
	const char *good[] = {
		"application/json",
		"APPLICATION/JSON",
		"Application/Json",
		"application/json; charset=utf-8",
		"application/json;charset=utf-8",
		"application/json ; charset=UTF-8",
		"application/json;\tcharset=\"utf-8\"",
		"application/json; CHARSET=Utf-8",
		"application/json;",
		"application/json; charset=utf-8;",
		" application/json ",
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		if (!request_check_media_type(good[i], "application/json"))
			fail_msg("refused \"%s\"", good[i]);
	const char *bad[] = {
		NULL,
		"",
		"application/jsonx",
		"application/json-seq",
		"application/json5",
		"application/jso",
		"application/json+x",
		"application/json x",
		"application/json; charset=latin1",
		"application/json; charset=utf-8x",
		"application/json; charset=utf-16",
		"application/json; charset=\"utf-8",
		"application/json; charset = utf-8",
		"application/json; x=1",
		"application/json; charset=utf-8; boundary=x",
		"text/json",
		"application/x-www-form-urlencoded",
		"text/plain",
		"xapplication/json",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (request_check_media_type(bad[i], "application/json"))
			fail_msg("accepted \"%s\"", bad[i] ? bad[i] : "(null)");
}

static void test_media_type_csv(void **state)
{
	(void)state;
	assert_true(request_check_media_type("text/csv", "text/csv"));
	assert_true(request_check_media_type("text/CSV; charset=utf-8", "text/csv"));
	assert_false(request_check_media_type("text/csvx", "text/csv"));
	assert_false(request_check_media_type("application/csv", "text/csv"));
	assert_false(request_check_media_type("text/plain", "text/csv"));
	assert_true(request_check_media_type("text/plain; charset=utf-8", "text/plain"));
}

/* The envelope check on a message's text: 0, or the status, code, field and rule. */
static void envelope(const char *text, int status, const char *code, const char *field, const char *rule_part)
{
	char rule[96];
	cJSON *msg = json_parse_strict(text, strlen(text), rule, sizeof rule);
	if (!msg)
		fail_msg("test message does not parse: %s: %s", text, rule);
	struct rf_error err;
	rf_error_clear(&err);
	int rc = request_check_envelope(msg, &err);
	cJSON_Delete(msg);
	if (!status) {
		if (rc)
			fail_msg("refused %s: %s %s: %s", text, err.code, err.field, err.rule);
		return;
	}
	if (!rc)
		fail_msg("accepted %s", text);
	assert_int_equal(err.status, status);
	assert_string_equal(err.code, code);
	assert_string_equal(err.field, field);
	if (!strstr(err.rule, rule_part))
		fail_msg("%s: rule \"%s\" does not say \"%s\"", text, err.rule, rule_part);
}

static void test_envelope(void **state)
{
	(void)state;
	envelope("{\"type\":\"whoami\"}", 0, NULL, NULL, NULL);
	envelope("{\"type\":\"structures.update\",\"id\":7,\"params\":{\"id\":12},\"data\":{\"occupancy\":61},"
		 "\"idempotency_key\":\"occ-12-0900\"}",
		 0, NULL, NULL, NULL);
	envelope("{\"type\":\"whoami\",\"id\":\"abc\"}", 0, NULL, NULL, NULL);
	envelope("{\"type\":\"structures.import\",\"data\":\"name\\nx\\n\"}", 0, NULL, NULL, NULL);

	/* the type: missing is required, anything but a string is invalid */
	envelope("{\"id\":1}", 422, "required", "type", "is required");
	envelope("{\"type\":5}", 422, "invalid", "type", "must be a string");
	envelope("{\"type\":null}", 422, "invalid", "type", "must be a string");
	envelope("{\"type\":[\"whoami\"]}", 422, "invalid", "type", "must be a string");
	envelope("{\"type\":true}", 422, "invalid", "type", "must be a string");

	envelope("[1]", 400, "invalid_json", "message", "must be a JSON object");
	envelope("\"whoami\"", 400, "invalid_json", "message", "must be a JSON object");
	envelope("{\"type\":\"whoami\",\"id\":{}}", 422, "invalid", "id", "a string or a number");
	envelope("{\"type\":\"whoami\",\"id\":null}", 422, "invalid", "id", "a string or a number");
	envelope("{\"type\":\"whoami\",\"token\":\"x\"}", 422, "unknown_field", "token", "is not part of a message");
	envelope("{\"type\":\"whoami\",\"params\":[]}", 422, "invalid", "params", "must be an object");
	envelope("{\"type\":\"whoami\",\"idempotency_key\":\"\"}", 422, "invalid", "idempotency_key", "1 to 128");
	envelope("{\"type\":\"whoami\",\"idempotency_key\":7}", 422, "invalid", "idempotency_key", "1 to 128");
	char long_key[200];
	snprintf(long_key, sizeof long_key, "{\"type\":\"whoami\",\"idempotency_key\":\"%0129d\"}", 0);
	envelope(long_key, 422, "invalid", "idempotency_key", "1 to 128");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_media_type_json),
		cmocka_unit_test(test_media_type_csv),
		cmocka_unit_test(test_envelope),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
