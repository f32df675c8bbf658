/* Unit tests of buf.c: appending, printf in one pass or two, and the NUL-terminated invariant. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "buf.h"

static void test_printf_into_empty_buffer(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b);
	assert_int_equal(buf_printf(&b, "%s=%d", "seq", 42), 0);
	assert_string_equal(b.data, "seq=42");
	assert_int_equal(b.len, 6);
	buf_release(&b);
	assert_null(b.data);
}

/* The text fits the room exactly, is one byte too long for it (the NUL), or needs the buffer to grow
 * several times: each must give the whole text, terminated, whatever the first pass wrote. */
static void test_printf_at_the_edge_of_the_room(void **state)
{
	(void)state;
	char big[1500];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	for (size_t fill = 240; fill <= 256; fill++) {
		struct buf b;
		buf_init(&b);
		assert_int_equal(buf_reserve(&b, 10), 0); /* a 256-byte buffer */
		assert_int_equal(b.cap, 256);
		char head[300];
		memset(head, 'a', fill - 10);
		head[fill - 10] = '\0';
		assert_int_equal(buf_puts(&b, head), 0);
		size_t before = b.len;
		/* 10 characters: fits while len + 10 < cap */
		assert_int_equal(buf_printf(&b, "%05d%s", 7, "bcdef"), 0);
		assert_int_equal(b.len, before + 10);
		assert_int_equal(strlen(b.data), b.len);
		assert_memory_equal(b.data + before, "00007bcdef", 10);
		assert_int_equal(buf_printf(&b, "<%s>", big), 0);
		assert_int_equal(b.len, before + 10 + sizeof big + 1);
		assert_int_equal(strlen(b.data), b.len);
		assert_int_equal(b.data[b.len - 1], '>');
		buf_release(&b);
	}
}

static void test_append_after_printf(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b);
	assert_int_equal(buf_printf(&b, "{\"n\":%lld", 12345678901LL), 0);
	assert_int_equal(buf_puts(&b, "}"), 0);
	assert_string_equal(b.data, "{\"n\":12345678901}");
	char *owned = buf_detach(&b);
	assert_null(b.data);
	assert_string_equal(owned, "{\"n\":12345678901}");
	free(owned);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_printf_into_empty_buffer),
		cmocka_unit_test(test_printf_at_the_edge_of_the_room),
		cmocka_unit_test(test_append_after_printf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
