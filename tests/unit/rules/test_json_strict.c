/* Unit tests of json_strict.c: RFC 8259's grammar, and what a request must not hold on top of it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_strict.h"

static cJSON *strict_ok(const char *text, size_t len)
{
	char rule[96] = "";
	cJSON *j = json_parse_strict(text, len, rule, sizeof rule);
	if (!j)
		fail_msg("json_parse_strict refused \"%s\": %s", text, rule);
	return j;
}

static void strict_bad(const char *text, size_t len, const char *rule_part)
{
	/* 96 bytes: what the transport gives */
	char rule[96] = "";
	cJSON *j = json_parse_strict(text, len, rule, sizeof rule);
	if (j) {
		cJSON_Delete(j);
		fail_msg("json_parse_strict accepted \"%s\"", text);
	}
	if (!strstr(rule, rule_part))
		fail_msg("json_parse_strict(\"%s\"): rule \"%s\" does not say \"%s\"", text, rule, rule_part);
	if (strlen(rule) > 95)
		fail_msg("rule \"%s\" is longer than 95 characters", rule);
}

#define STRICT_OK(lit) cJSON_Delete(strict_ok(lit, sizeof(lit) - 1))
#define STRICT_BAD(lit, part) strict_bad(lit, sizeof(lit) - 1, part)

static void test_good_json(void **state)
{
	(void)state;
	STRICT_OK("{\"name\":\"x\"}");
	STRICT_OK("  \r\n\t{\"name\":\"x\"}\r\n \t");
	STRICT_OK("[1,2]");
	STRICT_OK("12");
	STRICT_OK("\"text\"");
	STRICT_OK("true");
	STRICT_OK("null");
	STRICT_OK("{\"a\":\"\\\\u0000\"}");  /* an escaped backslash then the text u0000: no NUL */
	STRICT_OK("{\"a\":\"\\\"\\u0041\"}"); /* an escaped quote does not end the string */
	STRICT_OK("{\"a\":\"\\u0001\"}");     /* escaped control characters are the fields' business */
	STRICT_OK("{\"a\":\"\\/\\b\\f\\n\\r\\t\"}");
	STRICT_OK("{\"a\":\"\\ud83d\\ude91\"}"); /* a surrogate pair: U+1F691 */
	STRICT_OK("{\"a\":\"\xF0\x9F\x9A\x91 \xC3\xA9t\xC3\xA9\"}"); /* raw UTF-8 */
	STRICT_OK("{\"a\":\"\x7F\"}");         /* DEL needs no escape in JSON */
	STRICT_OK("[0, -0, 0.5, -12.25, 1e3, 1E+3, 2e-3, 1.5e10, 12.0, 1.20e1]");
	STRICT_OK("[123456789012345678901234567890]"); /* whole, however large, up to a double's range */
	STRICT_OK("[1e308, 4.9e-324, 0.1000000000000000055511151231257827]");
	STRICT_OK("{\"a\":{\"a\":{\"a\":1}},\"b\":[{\"a\":1},{\"a\":2}]}"); /* the same key in other objects */
	STRICT_OK("{\"\\u0061\":1,\"b\":2}");
}

static void test_numbers(void **state)
{
	(void)state;
	STRICT_BAD("{\"capacity\":012}", "a number must not have a leading zero (near byte 12)");
	STRICT_BAD("[00]", "leading zero");
	STRICT_BAD("[-01]", "leading zero");
	STRICT_BAD("[1.]", "a digit after its point");
	STRICT_BAD("[1.e3]", "a digit after its point");
	STRICT_BAD("[.5]", "must start with a digit");
	STRICT_BAD("[+1]", "'+' sign");
	STRICT_BAD("[1e]", "a digit in its exponent");
	STRICT_BAD("[1e+]", "a digit in its exponent");
	STRICT_BAD("[-]", "a digit after '-'");
	STRICT_BAD("[-a]", "a digit after '-'");
	STRICT_BAD("[NaN]", "NaN and Infinity");
	STRICT_BAD("[Infinity]", "NaN and Infinity");
	STRICT_BAD("[-Infinity]", "a digit after '-'");
	STRICT_BAD("[0x10]", "expected ',' or ']' (near byte 2)");
	STRICT_BAD("[1.5.3]", "expected ',' or ']' (near byte 4)");
	STRICT_BAD("[1e400]", "too large for a 64-bit float");
	STRICT_BAD("[-1e400]", "too large for a 64-bit float");
	/* a fraction a double loses would read as a whole number */
	STRICT_BAD("{\"item\":1.0000000000000001}", "too precise for a 64-bit float (near byte 8)");
	STRICT_BAD("[9007199254740993.5]", "too precise");
	STRICT_BAD("[1e-400]", "too precise");
	STRICT_BAD("[1234567890123456789012345678901234567890123456789012345678901234]", "longer than 63");
	/* a whole number however written is whole */
	cJSON *j = strict_ok("[1.0, 0.5e1, 120e-1, 0.0]", 25);
	assert_true(cJSON_GetArrayItem(j, 0)->valuedouble == 1.0);
	assert_true(cJSON_GetArrayItem(j, 1)->valuedouble == 5.0);
	assert_true(cJSON_GetArrayItem(j, 2)->valuedouble == 12.0);
	cJSON_Delete(j);
}

static void test_strings(void **state)
{
	(void)state;
	STRICT_BAD("{\"name\":\"a\\u0000b\"}", "NUL");
	STRICT_BAD("{\"a\\u0000\":1}", "NUL"); /* in a key too */
	STRICT_BAD("{\"name\":\"a\0b\"}", "NUL"); /* a raw NUL byte */
	STRICT_BAD("{}\0", "NUL");
	STRICT_BAD("{\"a\":\"x\ty\"}", "a control character in a string must be escaped");
	STRICT_BAD("{\"a\":\"x\ny\"}", "control character");
	STRICT_BAD("{\"a\":\"\x1f\"}", "control character");
	STRICT_BAD("{\"a\":\"\\x41\"}", "unknown escape");
	STRICT_BAD("{\"a\":\"\\'\"}", "unknown escape");
	STRICT_BAD("{\"a\":\"\\u12\"}", "four hex digits");
	STRICT_BAD("{\"a\":\"\\u12G4\"}", "four hex digits");
	STRICT_BAD("{\"a\":\"\\ud800\"}", "lone surrogate");
	STRICT_BAD("{\"a\":\"\\ud800x\"}", "lone surrogate");
	STRICT_BAD("{\"a\":\"\\ud800\\u0041\"}", "lone surrogate");
	STRICT_BAD("{\"a\":\"\\udc00\"}", "lone surrogate");
	STRICT_BAD("{\"a\":\"\\udc00\\ud800\"}", "lone surrogate"); /* the halves the wrong way round */
	STRICT_BAD("{\"a\":\"\xff\xfe\"}", "a string is not valid UTF-8 (near byte 6)");
	STRICT_BAD("{\"a\":\"\xC3\"}", "not valid UTF-8");          /* cut short */
	STRICT_BAD("{\"a\":\"\xC0\xAF\"}", "not valid UTF-8");      /* overlong */
	STRICT_BAD("{\"a\":\"\xED\xA0\x80\"}", "not valid UTF-8");  /* a surrogate in UTF-8 */
	STRICT_BAD("{\"a\":\"\xF4\x90\x80\x80\"}", "not valid UTF-8"); /* past U+10FFFF */
	STRICT_BAD("{\"a\":\"abc", "a string is not closed");
	STRICT_BAD("{\"a\":\"abc\\", "a string is not closed");
}

static void test_structure(void **state)
{
	(void)state;
	STRICT_BAD("{} x", "is not valid JSON: text after the value (near byte 3)");
	STRICT_BAD("{}{}", "text after the value");
	STRICT_BAD("{\"a\":1,}", "an object key must be a string");
	STRICT_BAD("[1,]", "unexpected character ']'");
	STRICT_BAD("[1 2]", "expected ',' or ']'");
	STRICT_BAD("{\"a\":1 \"b\":2}", "expected ',' or '}'");
	STRICT_BAD("{\"a\" 1}", "a key must be followed by ':'");
	STRICT_BAD("{a:1}", "an object key must be a string");
	STRICT_BAD("{'a':1}", "an object key must be a string");
	STRICT_BAD("{\"a\":", "the text ends too early");
	STRICT_BAD("[", "the text ends too early");
	STRICT_BAD("", "there is no value");
	STRICT_BAD("   ", "there is no value");
	STRICT_BAD("tru", "unexpected character 't'");
	STRICT_BAD("nul", "unexpected character 'n'");
	STRICT_BAD("True", "unexpected character 'T'");
	STRICT_BAD("\xEF\xBB\xBF{}", "a byte order mark is not allowed (near byte 0)");
	STRICT_BAD("\x0b{}", "unexpected byte 0x0B"); /* cJSON takes any byte below 0x21 as whitespace */
	STRICT_BAD("{}\x0c", "text after the value (near byte 2)");
	STRICT_BAD("\xff", "unexpected byte 0xFF");
	/* only len bytes are read: what follows is not part of the body */
	cJSON_Delete(strict_ok("{\"a\":1}garbage", 7));
	strict_bad("{\"a\":1}", 5, "the text ends too early");
}

static void test_depth(void **state)
{
	(void)state;
	char text[2 * (JSON_MAX_DEPTH + 1) + 1];
	/* JSON_MAX_DEPTH levels: accepted (cJSON takes them too) */
	memset(text, '[', JSON_MAX_DEPTH);
	memset(text + JSON_MAX_DEPTH, ']', JSON_MAX_DEPTH);
	cJSON_Delete(strict_ok(text, 2 * JSON_MAX_DEPTH));
	/* one more: refused, saying why */
	memset(text, '[', JSON_MAX_DEPTH + 1);
	memset(text + JSON_MAX_DEPTH + 1, ']', JSON_MAX_DEPTH + 1);
	strict_bad(text, 2 * (JSON_MAX_DEPTH + 1), "nested deeper than 1000 levels");
}

static void test_duplicate_keys(void **state)
{
	(void)state;
	/* the websocket envelope's case: cJSON would keep both and every lookup would see the first */
	STRICT_BAD("{\"type\":\"whoami\",\"type\":\"tokens.create\"}", "has the key \"type\" twice");
	STRICT_BAD("{\"a\":1,\"\\u0061\":2}", "has the key \"a\" twice"); /* the same key, escaped */
	STRICT_BAD("{\"data\":{\"items\":[{\"item\":1,\"quantity\":2,\"item\":3}]}}", "has the key \"item\" twice");
	STRICT_BAD("[{\"x\":{}},{\"y\":1,\"y\":1}]", "has the key \"y\" twice");
	/* a long key is cut, at a character boundary, and said to be cut */
	STRICT_BAD("{\"\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
		   "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\":1,"
		   "\"\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
		   "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\":2}",
		   "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
		   "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9...\" twice");
	/* a large object is sorted, not compared pairwise: a duplicate among 5000 keys is found */
	char *big = malloc(5000 * 16 + 16);
	size_t n = 0;
	big[n++] = '{';
	for (int i = 0; i < 5000; i++)
		n += (size_t)sprintf(big + n, "%s\"k%d\":%d", i ? "," : "", i == 4999 ? 17 : i, i);
	big[n++] = '}';
	strict_bad(big, n, "has the key \"k17\" twice");
	free(big);
	/* 5000 distinct keys: accepted */
	big = malloc(5000 * 16 + 16);
	n = 0;
	big[n++] = '{';
	for (int i = 0; i < 5000; i++)
		n += (size_t)sprintf(big + n, "%s\"k%d\":%d", i ? "," : "", i, i);
	big[n++] = '}';
	cJSON_Delete(strict_ok(big, n));
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_json),   cmocka_unit_test(test_numbers),	 cmocka_unit_test(test_strings),
		cmocka_unit_test(test_structure),   cmocka_unit_test(test_depth),	 cmocka_unit_test(test_duplicate_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
