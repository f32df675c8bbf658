#include "cli_util.h"

#include "cli.h"

#include <errno.h>
#include <math.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

int cli_read_file(const char *path, size_t max, struct buf *out)
{
	int is_stdin = strcmp(path, "-") == 0;
	FILE *f = is_stdin ? stdin : fopen(path, "rb");
	if (!f) {
		cli_err("cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	int rc = 0;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (out->len + n > max) {
			cli_err("%s: larger than %zu bytes", is_stdin ? "standard input" : path, max);
			rc = -1;
			goto out;
		}
		if (buf_append(out, chunk, n)) {
			cli_err("%s: out of memory", path);
			rc = -1;
			goto out;
		}
	}
	if (ferror(f)) {
		cli_err("cannot read %s: %s", path, strerror(errno));
		rc = -1;
	}
	if (!rc && !out->data && buf_reserve(out, 0)) /* an empty file is an empty string, not NULL */
		rc = -1;
out:
	if (!is_stdin)
		fclose(f);
	return rc;
}

void cli_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32) {
		memset(out, '0', 64); /* not reached with a working libcrypto */
		out[64] = '\0';
		return;
	}
	for (unsigned i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

int cli_random_key(const char *prefix, char *out, size_t len)
{
	unsigned char r[16];
	size_t got = 0;
	while (got < sizeof r) {
		ssize_t n = getrandom(r + got, sizeof r - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			cli_err("no randomness for an idempotency key (%s): give one with --key", strerror(errno));
			return -1;
		}
		got += (size_t)n;
	}
	int w = snprintf(out, len, "%s", prefix);
	for (size_t i = 0; i < sizeof r && w > 0 && (size_t)w + 2 < len; i++)
		w += snprintf(out + w, len - (size_t)w, "%02x", r[i]);
	return 0;
}

int cli_key_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > 128)
		return 0;
	for (; *s; s++)
		if (*s < 0x21 || *s > 0x7E)
			return 0;
	return 1;
}

int cli_parse_ll(const char *s, long long *v)
{
	if (!s || !*s)
		return -1;
	char *end = NULL;
	errno = 0;
	long long x = strtoll(s, &end, 10);
	if (errno || *end || end == s)
		return -1;
	*v = x;
	return 0;
}

cJSON *cli_json_scalar(const char *s)
{
	/* strtod alone would take "inf", "0x10" or " 5": only plain decimal numbers become numbers */
	const char *p = s;
	if (*p == '-')
		p++;
	int digits = 0, ok = 1;
	for (; *p && ok; p++) {
		if (*p >= '0' && *p <= '9')
			digits = 1;
		else if (!strchr(".eE+-", *p))
			ok = 0;
	}
	if (ok && digits) {
		char *end = NULL;
		double d = strtod(s, &end);
		if (end && !*end && isfinite(d))
			return cJSON_CreateNumber(d);
	}
	return cJSON_CreateString(s);
}
