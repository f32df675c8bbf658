#include "utf8.h"

#include <stdlib.h>
#include <string.h>

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

int utf8_decode(const unsigned char *p, size_t n, unsigned *cp)
{
	if (!n)
		return 0;
	unsigned c = p[0];
	int extra;
	unsigned v;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xE0) == 0xC0) {
		extra = 1;
		v = c & 0x1F;
	} else if ((c & 0xF0) == 0xE0) {
		extra = 2;
		v = c & 0x0F;
	} else if ((c & 0xF8) == 0xF0) {
		extra = 3;
		v = c & 0x07;
	} else
		return 0;
	if ((size_t)extra >= n)
		return 0;
	for (int i = 1; i <= extra; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (p[i] & 0x3F);
	}
	/* overlong forms, surrogates and values past U+10FFFF are not UTF-8 */
	if ((extra == 1 && v < 0x80) || (extra == 2 && v < 0x800) || (extra == 3 && v < 0x10000) ||
	    (v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF)
		return 0;
	*cp = v;
	return extra + 1;
}

static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */

size_t utf8_repair(const char *s, size_t n, char *out, size_t outlen)
{
	size_t replaced = 0, o = 0, i = 0;
	if (!outlen)
		return 0;
	const unsigned char *p = (const unsigned char *)s;
	while (i < n) {
		unsigned cp;
		int k = utf8_decode(p + i, n - i, &cp);
		const char *piece = (const char *)p + i;
		size_t len = (size_t)k;
		if (k == 0 || cp == 0) {
			piece = replacement;
			len = sizeof replacement - 1;
		}
		if (o + len >= outlen)
			break;
		memcpy(out + o, piece, len);
		o += len;
		if (k == 0 || cp == 0) {
			replaced++;
			i++;
		} else
			i += (size_t)k;
	}
	out[o] = '\0';
	return replaced;
}

char *utf8_repair_dup(const char *s, size_t *replaced)
{
	size_t n = strlen(s);
	/* at worst every byte becomes three */
	char *out = malloc(3 * n + 1);
	if (!out)
		return NULL;
	size_t r = utf8_repair(s, n, out, 3 * n + 1);
	if (replaced)
		*replaced = r;
	return out;
}
