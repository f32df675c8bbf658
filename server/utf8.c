#include "utf8.h"

#include <stdlib.h>
#include <string.h>

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
