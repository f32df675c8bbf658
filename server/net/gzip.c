#include "gzip.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

int gzip_accepted(const char *ae)
{
	if (!ae)
		return 0;
	/* a list of codings with optional weights: "gzip, deflate, br" or "gzip;q=0" */
	for (const char *p = ae; *p;) {
		while (*p == ' ' || *p == ',')
			p++;
		const char *e = p;
		while (*e && *e != ',')
			e++;
		size_t n = (size_t)(e - p);
		if (n >= 4 && strncasecmp(p, "gzip", 4) == 0 && (n == 4 || p[4] == ';' || p[4] == ' ')) {
			const char *q = memchr(p, '=', n);
			/* q=0, q=0.0, q=0.000: refused; any other weight accepts */
			if (!q)
				return 1;
			for (q++; q < e && (*q == '0' || *q == '.' || *q == ' '); q++)
				;
			return q < e;
		}
		p = e;
	}
	return 0;
}

int gzip_worth(const char *type)
{
	static const char *const kinds[] = {"text/", "application/json", "application/geo+json", "application/manifest+json",
					    "image/svg+xml", "application/cap+xml", "application/atom+xml", "application/xml",
					    NULL};
	if (!type)
		return 0;
	for (const char *const *k = kinds; *k; k++)
		if (strncmp(type, *k, strlen(*k)) == 0)
			return 1;
	return 0;
}

int gzip_compress(const char *data, size_t len, int level, char **out, size_t *out_len)
{
	*out = NULL;
	*out_len = 0;
	z_stream z;
	memset(&z, 0, sizeof z);
	/* 15 + 16: a gzip header and trailer around the deflate stream */
	if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	uLong bound = deflateBound(&z, (uLong)len);
	char *buf = malloc(bound);
	if (!buf) {
		deflateEnd(&z);
		return -1;
	}
	z.next_in = (Bytef *)(uintptr_t)data;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)buf;
	z.avail_out = (uInt)bound;
	int rc = deflate(&z, Z_FINISH);
	size_t n = z.total_out;
	deflateEnd(&z);
	if (rc != Z_STREAM_END || n >= len) {
		free(buf);
		return -1;
	}
	*out = buf;
	*out_len = n;
	return 0;
}
