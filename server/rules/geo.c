#include "geo.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

#define RAD (M_PI / 180.0)

double geo_cos_lat(double lat)
{
	return cos(lat * RAD);
}

double geo_distance_km_cos(double lat1, double lng1, double cos_lat1, double lat2, double lng2, double cos_lat2)
{
	double dlat = (lat2 - lat1) * RAD, dlng = (lng2 - lng1) * RAD;
	double s1 = sin(dlat / 2), s2 = sin(dlng / 2);
	double a = s1 * s1 + cos_lat1 * cos_lat2 * s2 * s2;
	return 2 * 6371.0 * asin(sqrt(a < 1 ? a : 1));
}

double geo_distance_km(double lat1, double lng1, double lat2, double lng2)
{
	return geo_distance_km_cos(lat1, lng1, geo_cos_lat(lat1), lat2, lng2, geo_cos_lat(lat2));
}

/* The base letters of a two-byte UTF-8 letter (é -> "E", œ -> "OE"), or "" for anything else
 * (no-break space, ×, ÷, and characters beyond Latin-1 and Latin Extended-A's ligatures). */
static const char *fold_letter(unsigned char b1, unsigned char b2)
{
	/* U+00C0..U+00FF, uppercase; "" marks × and ÷ */
	static const char *const latin1[64] = {
		"A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I", "I",
		"D", "N", "O", "O", "O", "O", "O", "",	 "O", "U", "U", "U", "U", "Y", "TH", "SS",
		"A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I", "I",
		"D", "N", "O", "O", "O", "O", "O", "",	 "O", "U", "U", "U", "U", "Y", "TH", "Y"};
	if (b1 == 0xC3 && b2 >= 0x80 && b2 <= 0xBF)
		return latin1[b2 - 0x80];
	if (b1 == 0xC5 && (b2 == 0x92 || b2 == 0x93)) /* Œ œ */
		return "OE";
	return "";
}

void geo_name_normalize(const char *in, char *out, size_t outlen)
{
	char tmp[256];
	size_t n = 0;
	int space = 1; /* collapse leading spaces */
	for (const unsigned char *p = (const unsigned char *)in; *p && n + 2 < sizeof tmp; p++) {
		const char *letters;
		char one[2] = {0, 0};
		if (*p >= 0x80) {
			if (*p < 0xC0 || (p[1] & 0xC0) != 0x80)
				continue; /* not UTF-8: a stray byte is dropped */
			/* a letter folds to its base letters; spaces and punctuation (no-break space, the
			 * U+2000 block: typographic apostrophes, dashes) separate words; other symbols go */
			letters = fold_letter(p[0], p[1]);
			int separator = (p[0] == 0xC2 && p[1] == 0xA0) || (p[0] == 0xE2 && (p[1] == 0x80 || p[1] == 0x81));
			while (p[1] && (p[1] & 0xC0) == 0x80)
				p++;
			if (!*letters && !separator)
				continue;
		} else {
			one[0] = isalnum(*p) ? (char)toupper(*p) : '\0';
			letters = one;
		}
		if (!*letters) {
			if (!space)
				tmp[n++] = ' ';
			space = 1;
			continue;
		}
		for (; *letters && n + 2 < sizeof tmp; letters++)
			tmp[n++] = *letters;
		space = 0;
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
