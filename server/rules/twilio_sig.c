#include "twilio_sig.h"

#include "auth.h"
#include "buf.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>

static int by_name(const void *a, const void *b)
{
	const char *const *x = a, *const *y = b;
	return strcmp(x[0], y[0]);
}

int twilio_signature(const char *auth_token, const char *url, const struct form *params, char out[32])
{
	/* pairs (name, value) sorted by name */
	const char *(*pairs)[2] = calloc(params->n ? params->n : 1, sizeof *pairs);
	if (!pairs)
		return -1;
	for (size_t i = 0; i < params->n; i++) {
		pairs[i][0] = params->names[i];
		pairs[i][1] = params->values[i];
	}
	qsort(pairs, params->n, sizeof *pairs, by_name);
	struct buf data;
	buf_init(&data);
	int rc = buf_puts(&data, url);
	for (size_t i = 0; !rc && i < params->n; i++)
		rc = buf_puts(&data, pairs[i][0]) || buf_puts(&data, pairs[i][1]);
	free(pairs);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (!rc && !HMAC(EVP_sha1(), auth_token, (int)strlen(auth_token), (const unsigned char *)data.data, data.len, md,
			 &mdlen))
		rc = -1;
	buf_release(&data);
	if (rc || mdlen != 20)
		return -1;
	EVP_EncodeBlock((unsigned char *)out, md, (int)mdlen); /* 28 characters and a NUL */
	return 0;
}

int twilio_signature_ok(const char *auth_token, const char *url, const struct form *params, const char *received)
{
	char expected[32];
	if (!received || !auth_token[0] || twilio_signature(auth_token, url, params, expected))
		return 0;
	size_t n = strlen(expected);
	return strlen(received) == n && auth_equal_ct(expected, received, n);
}
