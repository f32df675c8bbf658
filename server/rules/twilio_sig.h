/* twilio_sig: the X-Twilio-Signature of a webhook: base64(HMAC-SHA1(auth token, the full URL
 * followed by every POST parameter sorted by name, each written as name then value)). */
#ifndef RENFORT_TWILIO_SIG_H
#define RENFORT_TWILIO_SIG_H

#include "form.h"

/* out needs 32 bytes (28 characters of base64). Returns 0 or -1. */
int twilio_signature(const char *auth_token, const char *url, const struct form *params, char out[32]);
/* Constant-time check of a received signature; 1 when it matches. */
int twilio_signature_ok(const char *auth_token, const char *url, const struct form *params, const char *received);

#endif
