/* signup: joining the reserve from the public page. A phone is confirmed with a code sent to it by
 * SMS (hashed, expiring, used once); the volunteer is created "pending" (by the registry, as any
 * volunteer) and gets a personal link to their page by SMS; a lost link is sent again to the
 * registered phone only. Requests are limited per phone and per address (the durable counts of
 * what went through; refused codes are counted in memory: a refused write leaves nothing). */
#ifndef RENFORT_SIGNUP_H
#define RENFORT_SIGNUP_H

#include "error.h"

struct app;

/* Sends a code to phone (E.164), in lang. 429 when the phone or the address asked too often. */
int signup_send_code(struct app *app, const char *phone, const char *lang, const char *peer, struct rf_error *err);
/* Checks the code sent to phone and uses it (in the caller's transaction: a sign-up refused
 * afterwards leaves it usable). 422 naming "code" when it is wrong, expired, used or dead; 409
 * naming "phone" when a volunteer has it already; 429 when the address tried too often. */
int signup_use_code(struct app *app, const char *phone, const char *code, const char *peer, struct rf_error *err);
/* A new volunteer's token, and the SMS with their link. */
int signup_welcome(struct app *app, long long volunteer, const char *phone, const char *dep, const char *lang,
		   struct rf_error *err);
/* The link of the volunteer(s) of phone, again (a new token: the old ones are revoked), to that
 * phone only; nothing when the phone is nobody's (said the same way: no one learns who signed up). */
int signup_send_link(struct app *app, const char *phone, const char *peer, struct rf_error *err);
/* Forgets the counts older than an hour (a periodic job). */
int signup_prune(struct app *app, long long now);

#endif
