/* auth: roles, the principal a request acts as, and API token secrets (random, kept hashed). */
#ifndef RENFORT_AUTH_H
#define RENFORT_AUTH_H

#include <stddef.h>

enum role {
	ROLE_ADMIN,
	ROLE_COORDINATOR,
	ROLE_STRUCTURE,
	ROLE_DEPOT,
	ROLE_VOLUNTEER,
	ROLE_OBSERVER,
	ROLE_COUNT
};
#define ROLE_BIT(r) (1u << (r))
#define ROLES_ALL ((1u << ROLE_COUNT) - 1)

/* Who is asking. deps is "" for the whole region, or ",31,81," for a list of départements;
 * subject_id is the structure, depot or volunteer that a token of those roles acts as. */
struct principal {
	long long token_id;
	enum role role;
	char deps[44]; /* at most the 13 départements: 13 x 3 + 1 characters */
	long long subject_id;
	long long token_epoch; /* store_token_epoch when the token was last known active */
};

/* renfortd itself, acting for no token: its periodic jobs, the gateways' webhooks, the demo. It
 * sees every row (as an admin does); the audit records no actor for it. The one place where scope is
 * stepped around, named so that every such place can be found. */
extern const struct principal principal_system;

const char *role_name(enum role r);
int role_parse(const char *name); /* -1 when unknown */

/* Parses a scope given by a person: "region", "76", or départements "81" / "31,81".
 * Writes deps in the principal's form. Returns NULL or the rule broken. */
const char *auth_scope_parse(const char *text, char *deps, size_t depslen);

/* Does the principal's territory include département dep? */
int principal_covers_dep(const struct principal *p, const char *dep);

/* A new token secret: "rf_" and 43 characters of base64url (256 random bits); out needs 48 bytes. */
int auth_token_generate(char out[48]);
/* Lowercase hex SHA-256 of the secret; out needs 65 bytes. */
void auth_token_hash(const char *secret, char out[65]);
/* Lowercase hex SHA-256 of the concatenation of n parts; out needs 65 bytes. */
void sha256_hex(const void *const *parts, const size_t *lens, size_t n, char out[65]);
/* Constant-time comparison of two equal-length byte strings. */
int auth_equal_ct(const void *a, const void *b, size_t n);

#endif
