#include "utf8.h"

/* The state packs what the next byte must be: continuation bytes still expected (bits 16..), and
 * the range the very next one must fall in (bits 8..15 low, 0..7 high). The ranges of the second
 * byte after E0, ED, F0 and F4 are what rules out overlong forms, surrogates and code points past
 * U+10FFFF (RFC 3629, table 3-7 of the Unicode standard). */
#define STATE(left, lo, hi) (((unsigned)(left) << 16) | ((unsigned)(lo) << 8) | (unsigned)(hi))

int utf8_feed(unsigned *state, const void *p, size_t n)
{
	const unsigned char *s = p;
	unsigned st = *state;
	for (size_t i = 0; i < n; i++) {
		unsigned c = s[i];
		unsigned left = st >> 16;
		if (left) {
			if (c < ((st >> 8) & 0xff) || c > (st & 0xff))
				return -1;
			st = STATE(left - 1, 0x80, 0xbf);
			if (left == 1)
				st = 0;
			continue;
		}
		if (c < 0x80)
			continue;
		if (c >= 0xc2 && c <= 0xdf)
			st = STATE(1, 0x80, 0xbf);
		else if (c == 0xe0)
			st = STATE(2, 0xa0, 0xbf);
		else if (c == 0xed)
			st = STATE(2, 0x80, 0x9f);
		else if (c >= 0xe1 && c <= 0xef)
			st = STATE(2, 0x80, 0xbf);
		else if (c == 0xf0)
			st = STATE(3, 0x90, 0xbf);
		else if (c >= 0xf1 && c <= 0xf3)
			st = STATE(3, 0x80, 0xbf);
		else if (c == 0xf4)
			st = STATE(3, 0x80, 0x8f);
		else
			return -1;
	}
	*state = st;
	return 0;
}

int utf8_valid(const void *p, size_t n)
{
	unsigned st = 0;
	return utf8_feed(&st, p, n) == 0 && st == 0;
}
