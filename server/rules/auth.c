#include "auth.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

static const char *const role_names[ROLE_COUNT] = {"admin", "coordinator", "structure",
						   "depot", "volunteer",   "observer"};

const struct principal principal_system = {.token_id = 0, .role = ROLE_ADMIN};

const char *role_name(enum role r)
{
	return (r >= 0 && r < ROLE_COUNT) ? role_names[r] : "?";
}

int role_parse(const char *name)
{
	for (int i = 0; i < ROLE_COUNT; i++)
		if (strcmp(name, role_names[i]) == 0)
			return i;
	return -1;
}

/* The départements of the region renfort serves (Occitanie, INSEE région 76). */
static const char *const region_deps[] = {"09", "11", "12", "30", "31", "32", "34",
					  "46", "48", "65", "66", "81", "82"};

static int known_dep(const char *d, size_t n)
{
	for (size_t i = 0; i < sizeof region_deps / sizeof region_deps[0]; i++)
		if (n == 2 && strncmp(region_deps[i], d, 2) == 0)
			return 1;
	return 0;
}

const char *auth_scope_parse(const char *text, char *deps, size_t depslen)
{
	if (!text || !*text || strcmp(text, "region") == 0 || strcmp(text, "76") == 0) {
		deps[0] = '\0';
		return NULL;
	}
	if (depslen < 2)
		return "lists too many départements";
	size_t used = 1;
	deps[0] = ',';
	deps[1] = '\0';
	const char *p = text;
	while (*p) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (!known_dep(p, n))
			return "must be \"region\" or a comma-separated list of Occitanie départements (09, 11, 12, "
			       "30, 31, 32, 34, 46, 48, 65, 66, 81, 82)";
		char one[5] = {',', p[0], p[1], ',', '\0'};
		if (!strstr(deps, one)) {
			if (used + 3 >= depslen)
				return "lists too many départements";
			deps[used++] = p[0];
			deps[used++] = p[1];
			deps[used++] = ',';
			deps[used] = '\0';
		}
		p += n;
		if (*p == ',' && !*++p)
			return "must not end with a comma";
	}
	deps[used] = '\0';
	return NULL;
}

int principal_covers_dep(const struct principal *p, const char *dep)
{
	if (!p->deps[0])
		return 1;
	if (!dep || strlen(dep) != 2)
		return 0;
	char one[5] = {',', dep[0], dep[1], ',', '\0'};
	return strstr(p->deps, one) != NULL;
}

int auth_token_generate(char out[48])
{
	static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned char raw[33];
	size_t got = 0;
	while (got < sizeof raw) {
		ssize_t n = getrandom(raw + got, sizeof raw - got, 0);
		if (n < 0)
			return -1;
		got += (size_t)n;
	}
	/* 33 bytes = 264 bits -> 44 base64 characters; we keep 43 (258 bits) of them */
	char *o = out;
	*o++ = 'r';
	*o++ = 'f';
	*o++ = '_';
	for (size_t i = 0; i < sizeof raw; i += 3) {
		unsigned v = (unsigned)raw[i] << 16 | (unsigned)raw[i + 1] << 8 | raw[i + 2];
		for (int k = 3; k >= 0; k--)
			if (o - out < 46)
				*o++ = b64url[(v >> (6 * k)) & 63];
	}
	*o = '\0';
	return 0;
}

/* OpenSSL 3 looks the algorithm up in its providers on every EVP_sha256() digest (about 30,000
 * instructions, more than hashing a stock report): fetched once, kept for the process. */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void sha256_fetch(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

void sha256_hex(const void *const *parts, const size_t *lens, size_t n, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	pthread_once(&sha256_once, sha256_fetch);
	EVP_MD_CTX *c = sha256_md ? EVP_MD_CTX_new() : NULL;
	int ok = c && EVP_DigestInit_ex(c, sha256_md, NULL);
	for (size_t i = 0; ok && i < n; i++)
		ok = EVP_DigestUpdate(c, parts[i], lens[i]);
	ok = ok && EVP_DigestFinal_ex(c, md, &mdlen) && mdlen == 32;
	EVP_MD_CTX_free(c);
	if (!ok) {
		/* never reached with a working libcrypto; an impossible hash keeps lookups failing */
		memset(out, 'x', 64);
		out[64] = '\0';
		return;
	}
	for (unsigned i = 0; i < mdlen; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

void auth_token_hash(const char *secret, char out[65])
{
	const void *parts[] = {secret};
	size_t lens[] = {strlen(secret)};
	sha256_hex(parts, lens, 1, out);
}

int auth_equal_ct(const void *a, const void *b, size_t n)
{
	const volatile unsigned char *x = a, *y = b;
	unsigned char diff = 0;
	for (size_t i = 0; i < n; i++)
		diff |= x[i] ^ y[i];
	return diff == 0;
}
