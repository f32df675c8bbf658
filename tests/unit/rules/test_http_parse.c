/* Unit tests of http_parse.c: what a strict HTTP/1.1 head reader accepts, what it refuses and with
 * which status, code and field, and that a head arriving a byte at a time reads the same. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_parse.h"

static const struct http_limits lim = {
	.max_uri = 8192, .max_head = 16384, .max_field = 4096, .max_fields = 64, .max_args = 100,
};

static int parse(const char *text, struct http_head *h, struct rf_error *err)
{
	return http_head_parse(text, strlen(text), 0, &lim, h, err);
}

static void test_simple_get(void **state)
{
	(void)state;
	struct http_head h;
	struct rf_error err;
	const char *req = "GET /api/v1/structures?limit=10&q=EHPAD+du%20Tarn HTTP/1.1\r\n"
			  "Host: localhost\r\nAuthorization:   Bearer abc  \r\nX-Custom: a\r\n\r\nnext";
	assert_int_equal(parse(req, &h, &err), 1);
	assert_int_equal(h.method, HTTP_GET);
	assert_int_equal(h.minor, 1);
	assert_string_equal(h.path, "/api/v1/structures");
	assert_int_equal(h.nargs, 2);
	assert_string_equal(h.args[1].name, "q");
	assert_string_equal(h.args[1].value, "EHPAD du Tarn");
	assert_string_equal(http_head_field(&h, "authorization"), "Bearer abc");
	assert_string_equal(http_head_field(&h, "x-custom"), "a");
	assert_int_equal(h.length, strlen(req) - 4);
	assert_true(h.keep_alive);
	assert_int_equal(h.content_length, 0);
	http_head_release(&h);
}

/* A head given a byte at a time is incomplete until its last byte, then reads the same. */
static void test_byte_at_a_time(void **state)
{
	(void)state;
	const char *req = "\r\nPOST /api/v1/stock/reports HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\n"
			  "Content-Type: application/json\r\n\r\n{\"a\": 1}....";
	size_t head = strstr(req, "\r\n\r\n") - req + 4;
	struct http_head h;
	struct rf_error err;
	for (size_t n = 1; n < head; n++) {
		assert_int_equal(http_head_parse(req, n, n - 1, &lim, &h, &err), 0);
	}
	assert_int_equal(http_head_parse(req, head, head - 1, &lim, &h, &err), 1);
	assert_int_equal(h.length, head);
	assert_int_equal(h.content_length, 12);
	assert_int_equal(h.method, HTTP_POST);
	http_head_release(&h);
}

struct refusal {
	const char *request;
	int status;
	const char *code;
	const char *field;
};

/* Each line of the list, and the grammar's other edges. */
static const struct refusal refusals[] = {
	{"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400, "bad_request", "content-length"},
	{"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0x10\r\n\r\n", 400, "bad_request", "content-length"},
	{"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: +10\r\n\r\n", 400, "bad_request", "content-length"},
	{"GET / HTTP/1.1\r\nHost: x\r\nContent-Length:\r\n\r\n", 400, "bad_request", "content-length"},
	{"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1 0\r\n\r\n", 400, "bad_request", "content-length"},
	{"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", 400, "bad_request", "content-length"},
	{"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "bad_request",
	 "transfer-encoding"},
	{"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", 411, "length_required", "content-length"},
	{"GET / HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer abc\x01x\r\n\r\n", 400, "bad_request", "authorization"},
	{"GET / HTTP/1.1\r\nHost: x\r\nAuth : 1\r\n\r\n", 400, "bad_request", "headers"},
	{"GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n", 400, "bad_request", "headers"},
	{"GET / HTTP/1.1\r\nHost: x\r\nX-a: 1\r\n folded\r\n\r\n", 400, "bad_request", "headers"},
	{"GET / HTTP/1.1\r\nHost: x\nX-a: 1\r\n\r\n", 400, "bad_request", "headers"},
	{"GET / HTTP/1.1\nHost: x\r\n\r\n", 400, "bad_request", "request-line"},
	{"GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400, "bad_request", "host"},
	{"GET / HTTP/1.1\r\nX-a: 1\r\n\r\n", 400, "bad_request", "host"},
	{"GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_request", "request-line"},
	{"GET / HTTP/1.1 \r\nHost: x\r\n\r\n", 400, "bad_request", "request-line"},
	{"GET / HTTX/1.1\r\nHost: x\r\n\r\n", 400, "bad_request", "request-line"},
	{"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505, "http_version_not_supported", "request-line"},
	{"PROPFIND / HTTP/1.1\r\nHost: x\r\n\r\n", 501, "not_implemented", "method"},
	{"get / HTTP/1.1\r\nHost: x\r\n\r\n", 501, "not_implemented", "method"},
	{"G(T / HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_request", "method"},
	{"GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_request", "path"},
	{"GET /a%00b HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_request", "path"},
	{"GET /a%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_request", "path"},
	{"GET /a%FF HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_request", "path"},
	{"GET /a/../b HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_request", "path"},
	{"GET /a/%2e%2E/b HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_request", "path"},
	{"GET /./b HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_request", "path"},
	{"GET /a#frag HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_request", "path"},
	{"GET /a?q=%00 HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_request", "query"},
	{"GET /a?q=% HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_request", "query"},
	{"GET / HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\n\r\n", 417, "expectation_failed", "expect"},
	{"\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nX\x7f: 1\r\n\r\n", 400, "bad_request", "headers"},
};

static void test_refusals(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++) {
		const struct refusal *r = &refusals[i];
		struct http_head h;
		struct rf_error err;
		int rc = parse(r->request, &h, &err);
		if (rc != -1 || err.status != r->status || strcmp(err.code, r->code) || strcmp(err.field, r->field))
			fail_msg("case %zu (%s): rc %d, %d %s %s (%s)", i, r->request, rc, err.status, err.code, err.field,
				 err.rule);
		assert_null(h.storage);
	}
}

/* A NUL in a value: libwebsockets 4.1 read the header up to it and went on. */
static void test_nul_in_a_value(void **state)
{
	(void)state;
	const char req[] = "GET / HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer abc\0x\r\n\r\n";
	struct http_head h;
	struct rf_error err;
	assert_int_equal(http_head_parse(req, sizeof req - 1, 0, &lim, &h, &err), -1);
	assert_int_equal(err.status, 400);
}

/* "Co: 1" made libwebsockets 4.1 swallow the next line: here each line is its own header. */
static void test_prefix_of_a_known_name(void **state)
{
	(void)state;
	struct http_head h;
	struct rf_error err;
	assert_int_equal(parse("POST / HTTP/1.1\r\nHost: x\r\nCo: 1\r\nContent-Type: application/json\r\nAuth: 2\r\n"
			       "Authorization: Bearer t\r\nX-a: 3\r\nContent-Length: 4\r\n\r\n",
			       &h, &err),
			 1);
	assert_string_equal(http_head_field(&h, "co"), "1");
	assert_string_equal(http_head_field(&h, "content-type"), "application/json");
	assert_string_equal(http_head_field(&h, "auth"), "2");
	assert_string_equal(http_head_field(&h, "authorization"), "Bearer t");
	assert_string_equal(http_head_field(&h, "x-a"), "3");
	assert_int_equal(h.content_length, 4);
	http_head_release(&h);
}

static char *repeat(const char *prefix, char c, size_t n, const char *suffix)
{
	size_t p = strlen(prefix), s = strlen(suffix);
	char *t = malloc(p + n + s + 1);
	memcpy(t, prefix, p);
	memset(t + p, c, n);
	memcpy(t + p + n, suffix, s + 1);
	return t;
}

/* The limits answer with their status and name the field, before the head is complete when the
 * part already received is over them. */
static void test_limits(void **state)
{
	(void)state;
	struct http_head h;
	struct rf_error err;
	/* a 100 KB URL, incomplete: 414 as soon as the request line is past the limit */
	char *t = repeat("GET /", 'a', 100000, "");
	assert_int_equal(parse(t, &h, &err), -1);
	assert_int_equal(err.status, 414);
	assert_string_equal(err.field, "path");
	free(t);
	t = repeat("GET /a?q=", 'a', 9000, " HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_int_equal(parse(t, &h, &err), -1);
	assert_int_equal(err.status, 414);
	assert_string_equal(err.field, "query");
	free(t);
	/* 1,000 query arguments */
	struct buf_like {
		char s[8000];
	} q;
	strcpy(q.s, "GET /a?");
	for (int i = 0; i < 1000; i++)
		strcat(q.s, "a&");
	strcat(q.s, " HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_int_equal(parse(q.s, &h, &err), -1);
	assert_int_equal(err.status, 414);
	assert_string_equal(err.field, "query");
	/* an 8 KB Authorization: 431 naming it */
	t = repeat("GET / HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ", 'k', 8192, "\r\n\r\n");
	assert_int_equal(parse(t, &h, &err), -1);
	assert_int_equal(err.status, 431);
	assert_string_equal(err.field, "authorization");
	free(t);
	/* a 100 KB header still arriving: 431 naming it */
	t = repeat("GET / HTTP/1.1\r\nHost: x\r\nX-Big: ", 'k', 100000, "");
	assert_int_equal(parse(t, &h, &err), -1);
	assert_int_equal(err.status, 431);
	assert_string_equal(err.field, "x-big");
	free(t);
	/* 1,000 headers */
	char *many = malloc(20000);
	strcpy(many, "GET / HTTP/1.1\r\nHost: x\r\n");
	for (int i = 0; i < 1000; i++)
		strcat(many, "X-a: 1\r\n");
	strcat(many, "\r\n");
	assert_int_equal(parse(many, &h, &err), -1);
	assert_int_equal(err.status, 431);
	assert_string_equal(err.field, "headers");
	free(many);
	/* exactly at the limits: accepted */
	t = repeat("GET /", 'a', lim.max_uri - 1, " HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_int_equal(parse(t, &h, &err), 1);
	assert_int_equal(strlen(h.path), lim.max_uri);
	http_head_release(&h);
	free(t);
	t = repeat("GET /a HTTP/1.1\r\nHost: x\r\nX-Big: ", 'k', lim.max_field - strlen("X-Big: "), "\r\n\r\n");
	assert_int_equal(parse(t, &h, &err), 1);
	http_head_release(&h);
	free(t);
}

/* Query arguments may carry bytes that are not UTF-8 (Kannel passes an incoming SMS's text there):
 * they reach the operation, which checks its own. */
static void test_query_bytes_not_utf8(void **state)
{
	(void)state;
	struct http_head h;
	struct rf_error err;
	assert_int_equal(parse("GET /sms/kannel/inbound?text=%FF%FE&from=%2B33 HTTP/1.1\r\nHost: x\r\n\r\n", &h, &err), 1);
	assert_string_equal(h.args[0].value, "\xff\xfe");
	assert_string_equal(h.args[1].value, "+33");
	http_head_release(&h);
}

static void test_connection_and_expect(void **state)
{
	(void)state;
	struct http_head h;
	struct rf_error err;
	assert_int_equal(parse("GET / HTTP/1.0\r\n\r\n", &h, &err), 1);
	assert_false(h.keep_alive);
	http_head_release(&h);
	assert_int_equal(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &h, &err), 1);
	assert_true(h.keep_alive);
	http_head_release(&h);
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: x\r\nConnection: foo, close\r\n\r\n", &h, &err), 1);
	assert_false(h.keep_alive);
	http_head_release(&h);
	assert_int_equal(parse("GET /ws HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, Upgrade\r\nUpgrade: WebSocket\r\n\r\n",
			       &h, &err),
			 1);
	assert_true(h.upgrade);
	http_head_release(&h);
	assert_int_equal(parse("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n", &h, &err), 1);
	assert_true(h.expect_continue);
	http_head_release(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple_get),
		cmocka_unit_test(test_byte_at_a_time),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_nul_in_a_value),
		cmocka_unit_test(test_prefix_of_a_known_name),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_query_bytes_not_utf8),
		cmocka_unit_test(test_connection_and_expect),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
