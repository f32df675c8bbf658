/* store_signup: the codes that confirm a phone at sign-up (hashed, expiring, used once) and the
 * sign-up requests counted per phone and per address. */
#ifndef RENFORT_STORE_SIGNUP_H
#define RENFORT_STORE_SIGNUP_H

#include "store.h"

/* A new code for phone replaces any earlier one. */
int store_signup_code_put(struct store *st, const char *phone, const char *code_hash, const char *lang,
			  long long expires_at);
struct signup_code {
	char code_hash[68];
	char lang[4];
	long long expires_at, used_at, created_at;
};
int store_signup_code_get(struct store *st, const char *phone, struct signup_code *out);
int store_signup_code_use(struct store *st, const char *phone);
/* The codes sent to phone become messages to volunteer (of dep): erasing them erases these too. */
int store_signup_adopt_messages(struct store *st, const char *phone, long long volunteer, const char *dep);
/* One request of kind under key; and how many there were since `since`. */
int store_signup_count(struct store *st, const char *key, const char *kind, long long since, long long *n);
int store_signup_record(struct store *st, const char *key, const char *kind);
/* Forgets requests older than `before` (the limits look back an hour). */
int store_signup_prune(struct store *st, long long before);

#endif
