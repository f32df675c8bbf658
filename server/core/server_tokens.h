/* server_tokens: tokens renfortd makes for itself at start (the demo's coordinator, the exercise's
 * driver and cell), not asked for through the API. */
#ifndef RENFORT_SERVER_TOKENS_H
#define RENFORT_SERVER_TOKENS_H

#include "auth.h"

struct app;

/* A region-wide token of role, labelled label, committed in a transaction of its own; its secret
 * (shown once) in secret. -1 when it cannot be made. */
int server_token_issue(struct app *app, enum role role, const char *label, char secret[48]);

#endif
