/* Unit tests of ws_frame.c and utf8.c: client frame headers as RFC 6455 has them (masked, shortest
 * lengths, control frames, fragmentation), close payloads, the handshake key, and UTF-8 (RFC 3629)
 * whole and in pieces. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "utf8.h"
#include "ws_frame.h"

static void test_masked_text_frame(void **state)
{
	(void)state;
	unsigned char f[] = {0x81, 0x85, 1, 2, 3, 4, 'h' ^ 1, 'e' ^ 2, 'l' ^ 3, 'l' ^ 4, 'o' ^ 1};
	struct ws_frame fr;
	const char *why = NULL;
	for (size_t n = 0; n < 6; n++)
		assert_int_equal(ws_frame_read_header(f, n, 0, &fr, &why), 0);
	assert_int_equal(ws_frame_read_header(f, sizeof f, 0, &fr, &why), 1);
	assert_int_equal(fr.fin, 1);
	assert_int_equal(fr.opcode, WS_TEXT);
	assert_int_equal(fr.length, 5);
	assert_int_equal(fr.header_length, 6);
	ws_unmask(f + 6, 5, fr.mask, 0);
	assert_memory_equal(f + 6, "hello", 5);
	/* unmasked in two pieces gives the same */
	unsigned char g[] = {'h' ^ 1, 'e' ^ 2, 'l' ^ 3, 'l' ^ 4, 'o' ^ 1};
	ws_unmask(g, 3, fr.mask, 0);
	ws_unmask(g + 3, 2, fr.mask, 3);
	assert_memory_equal(g, "hello", 5);
}

static void test_lengths(void **state)
{
	(void)state;
	struct ws_frame fr;
	const char *why = NULL;
	unsigned char f16[] = {0x81, 0xfe, 0x01, 0x00, 0, 0, 0, 0};
	assert_int_equal(ws_frame_read_header(f16, sizeof f16, 0, &fr, &why), 1);
	assert_int_equal(fr.length, 256);
	assert_int_equal(fr.header_length, 8);
	unsigned char f64[] = {0x82, 0xff, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
	assert_int_equal(ws_frame_read_header(f64, sizeof f64, 0, &fr, &why), 1);
	assert_int_equal(fr.length, 65536);
	assert_int_equal(fr.header_length, 14);
	/* not in the shortest form */
	unsigned char long16[] = {0x81, 0xfe, 0x00, 0x05, 0, 0, 0, 0};
	assert_int_equal(ws_frame_read_header(long16, sizeof long16, 0, &fr, &why), -1);
	unsigned char long64[] = {0x81, 0xff, 0, 0, 0, 0, 0, 0, 0x01, 0x00, 0, 0, 0, 0};
	assert_int_equal(ws_frame_read_header(long64, sizeof long64, 0, &fr, &why), -1);
	unsigned char msb[] = {0x81, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
	assert_int_equal(ws_frame_read_header(msb, sizeof msb, 0, &fr, &why), -1);
	/* the server's own headers, at each edge */
	unsigned char h[10];
	size_t sizes[] = {0, 125, 126, 65535, 65536};
	size_t want[] = {2, 2, 4, 4, 10};
	for (int i = 0; i < 5; i++) {
		assert_int_equal(ws_frame_write_header(h, WS_TEXT, sizes[i]), want[i]);
		assert_int_equal(ws_frame_header_length(sizes[i]), want[i]);
		assert_int_equal(h[0], 0x81);
		assert_int_equal(h[1] & 0x80, 0); /* a server never masks */
	}
}

struct bad {
	unsigned char bytes[4];
	int in_message;
};

static void test_protocol_errors(void **state)
{
	(void)state;
	static const struct bad bad[] = {
		{{0x81, 0x05}, 0},       /* not masked */
		{{0xc1, 0x80}, 0},       /* RSV1 */
		{{0xa1, 0x80}, 0},       /* RSV2 */
		{{0x83, 0x80}, 0},       /* opcode 3 */
		{{0x8b, 0x80}, 0},       /* opcode 0xB */
		{{0x09, 0x80}, 0},       /* a ping not final */
		{{0x89, 0xfe}, 0},       /* a ping of 126 bytes or more */
		{{0x80, 0x80}, 0},       /* a continuation with nothing to continue */
		{{0x81, 0x80}, 1},       /* a new text inside a fragmented message */
		{{0x02, 0x80}, 1},       /* a new binary inside one */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct ws_frame fr;
		const char *why = NULL;
		unsigned char f[14] = {0};
		memcpy(f, bad[i].bytes, 2);
		if (ws_frame_read_header(f, sizeof f, bad[i].in_message, &fr, &why) != -1 || !why)
			fail_msg("case %zu was accepted", i);
	}
	/* what is allowed inside a fragmented message: continuations and control frames */
	struct ws_frame fr;
	const char *why = NULL;
	unsigned char cont[6] = {0x00, 0x80};
	assert_int_equal(ws_frame_read_header(cont, sizeof cont, 1, &fr, &why), 1);
	unsigned char ping[6] = {0x89, 0x80};
	assert_int_equal(ws_frame_read_header(ping, sizeof ping, 1, &fr, &why), 1);
}

static void test_close_payloads(void **state)
{
	(void)state;
	int code;
	assert_null(ws_close_payload_check(NULL, 0, &code));
	assert_int_equal(code, 1005);
	unsigned char normal[] = {0x03, 0xe8, 'b', 'y', 'e'};
	assert_null(ws_close_payload_check(normal, sizeof normal, &code));
	assert_int_equal(code, 1000);
	unsigned char app[] = {0x0f, 0xa0};
	assert_null(ws_close_payload_check(app, sizeof app, &code));
	assert_int_equal(code, 4000);
	unsigned char one[] = {0x03};
	assert_non_null(ws_close_payload_check(one, 1, &code));
	/* 1004, 1005, 1006 (reserved, never sent), 999, 2999, 5000 */
	unsigned char reserved[][2] = {{0x03, 0xec}, {0x03, 0xed}, {0x03, 0xee}, {0x03, 0xe7}, {0x0b, 0xb7}, {0x13, 0x88}};
	for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
		assert_non_null(ws_close_payload_check(reserved[i], 2, &code));
	unsigned char bad_reason[] = {0x03, 0xe8, 0xff};
	assert_non_null(ws_close_payload_check(bad_reason, sizeof bad_reason, &code));
}

static void test_accept_key(void **state)
{
	(void)state;
	char out[29];
	/* RFC 6455 1.3's example */
	assert_int_equal(ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==", out), 0);
	assert_string_equal(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
	assert_int_equal(ws_accept_key("dGhlIHNhbXBsZSBub25jZQ=", out), -1);
	assert_int_equal(ws_accept_key("dGhlIHNhbXBsZSBub25j!Q==", out), -1);
	assert_int_equal(ws_accept_key("", out), -1);
}

static void test_utf8(void **state)
{
	(void)state;
	assert_true(utf8_valid("", 0));
	assert_true(utf8_valid("Héraultaise €𝄞", strlen("Héraultaise €𝄞")));
	static const char *const bad[] = {
		"\xff", "\xfe", "\xc0\xaf",            /* overlong / */
		"\xe0\x80\xaf",                          /* overlong */
		"\xed\xa0\x80",                          /* a surrogate, U+D800 */
		"\xf4\x90\x80\x80",                      /* past U+10FFFF */
		"\xc3",                                  /* cut short */
		"\x80",                                  /* a lone continuation */
		"a\xe2\x82",                             /* cut short at the end */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (utf8_valid(bad[i], strlen(bad[i])))
			fail_msg("case %zu accepted", i);
	/* "€" cut between two pieces is valid, and the state says when a piece ends inside one */
	unsigned st = 0;
	assert_int_equal(utf8_feed(&st, "a\xe2", 2), 0);
	assert_int_not_equal(st, 0);
	assert_int_equal(utf8_feed(&st, "\x82\xac", 2), 0);
	assert_int_equal(st, 0);
	st = 0;
	assert_int_equal(utf8_feed(&st, "\xe2\x82", 2), 0);
	assert_int_equal(utf8_feed(&st, "a", 1), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_masked_text_frame), cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_protocol_errors),   cmocka_unit_test(test_close_payloads),
		cmocka_unit_test(test_accept_key),        cmocka_unit_test(test_utf8),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
