#include "geo.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

double geo_distance_km(double lat1, double lng1, double lat2, double lng2)
{
	const double r = 6371.0, rad = M_PI / 180.0;
	double dlat = (lat2 - lat1) * rad, dlng = (lng2 - lng1) * rad;
	double a = sin(dlat / 2) * sin(dlat / 2) + cos(lat1 * rad) * cos(lat2 * rad) * sin(dlng / 2) * sin(dlng / 2);
	return 2 * r * asin(sqrt(a < 1 ? a : 1));
}

/* The base letter of a two-byte UTF-8 Latin-1 supplement letter (é -> E), or 0. */
static char fold_latin1(unsigned char b1, unsigned char b2)
{
	if (b1 != 0xC3)
		return 0;
	unsigned cp = 0xC0 + (b2 & 0x3F);
	static const char map[64] = "AAAAAAACEEEEIIIIDNOOOOOxOUUUUYTsAAAAAAACEEEEIIIIdNOOOOO/OUUUUYtY";
	char c = map[cp - 0xC0];
	return (char)toupper((unsigned char)c);
}

void geo_name_normalize(const char *in, char *out, size_t outlen)
{
	char tmp[256];
	size_t n = 0;
	int space = 1; /* collapse leading spaces */
	for (const unsigned char *p = (const unsigned char *)in; *p && n + 1 < sizeof tmp; p++) {
		char c;
		if (*p >= 0x80) {
			c = p[1] ? fold_latin1(p[0], p[1]) : 0;
			if (p[1])
				p++;
			while (p[1] && (p[1] & 0xC0) == 0x80) /* other multi-byte letters: dropped */
				p++;
			if (!c)
				continue;
		} else if (isalnum(*p))
			c = (char)toupper(*p);
		else
			c = ' ';
		if (c == ' ') {
			if (!space)
				tmp[n++] = ' ';
			space = 1;
		} else {
			tmp[n++] = c;
			space = 0;
		}
	}
	while (n && tmp[n - 1] == ' ')
		n--;
	tmp[n] = '\0';
	char *cedex = strstr(tmp, " CEDEX");
	if (cedex)
		*cedex = '\0';

	/* expand ST / STE words */
	size_t o = 0;
	const char *w = tmp;
	out[0] = '\0';
	while (*w && o + 1 < outlen) {
		const char *end = strchr(w, ' ');
		size_t len = end ? (size_t)(end - w) : strlen(w);
		const char *word = w;
		size_t wl = len;
		if (len == 2 && strncmp(w, "ST", 2) == 0) {
			word = "SAINT";
			wl = 5;
		} else if (len == 3 && strncmp(w, "STE", 3) == 0) {
			word = "SAINTE";
			wl = 6;
		}
		if (o && o + 1 < outlen)
			out[o++] = ' ';
		for (size_t i = 0; i < wl && o + 1 < outlen; i++)
			out[o++] = word[i];
		w += len;
		while (*w == ' ')
			w++;
	}
	out[o] = '\0';
}
