/* store_token: API tokens (only their SHA-256 is stored). */
#ifndef RENFORT_STORE_TOKEN_H
#define RENFORT_STORE_TOKEN_H

#include "auth.h"
#include "store.h"

struct token_info {
	long long id;
	enum role role;
	char deps[44];
	long long subject_id;
	char label[481]; /* 120 characters of up to 4 bytes each, whole */
	long long created_at;
	long long revoked_at; /* 0 when active */
};

/* subject_id must name an existing structure/depot/volunteer for those roles (STORE_INVALID). */
int store_token_create(struct store *st, enum role role, const char *deps, long long subject_id,
		       const char *label, const char *hash, long long *id);
/* The principal of an active token with this hash; STORE_NOTFOUND if unknown or revoked. */
int store_token_lookup(struct store *st, const char *hash, struct principal *out);
int store_token_revoke(struct store *st, long long id);
/* STORE_OK while the token is active; STORE_NOTFOUND once revoked (or unknown). */
int store_token_active(struct store *st, long long id);
/* Revokes the tokens acting as a structure, depot or volunteer that is deleted or erased. */
int store_token_revoke_subject(struct store *st, enum role role, long long subject_id);
/* The label of a token ("" when unknown): what people see of who did a thing (a coordinator's own
 * token is labelled with their name). */
int store_token_label(struct store *st, long long token, char *out, size_t n);
int store_token_list(struct store *st, int (*cb)(void *ctx, const struct token_info *t), void *ctx);

#endif
