/* handover: the note a shift leaves to the next for a territory (the region or a département),
 * shown to the next shift with what changed since (store_handover_list). */
#ifndef RENFORT_HANDOVER_H
#define RENFORT_HANDOVER_H

#include "error.h"

struct app;
struct principal;

/* territory: "region" (region-wide tokens only) or a département of the caller's scope. 0, or -1
 * with err set (422 territory, 404 for a département outside the scope). */
int handover_write(struct app *app, const struct principal *who, const char *territory, const char *note,
		   long long *id, struct rf_error *err);

#endif
