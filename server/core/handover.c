#include "handover.h"

#include "app.h"
#include "auth.h"
#include "store_handover.h"
#include "store_territory.h"

#include <string.h>

int handover_write(struct app *app, const struct principal *who, const char *territory, const char *note,
		   long long *id, struct rf_error *err)
{
	if (strcmp(territory, "region") == 0) {
		if (who->deps[0]) {
			rf_error_set(err, 422, "invalid", "territory", "a token of départements writes for one of them, "
									"not for the region");
			return -1;
		}
	} else {
		struct departement d;
		int rc = strlen(territory) == 2 ? store_departement_get(app->store, territory, &d) : STORE_NOTFOUND;
		if (rc == STORE_NOTFOUND) {
			rf_error_set(err, 422, "invalid", "territory", "must be \"region\" or a département of the region");
			return -1;
		}
		if (rc) {
			store_rf_error(app->store, rc, "territory", err);
			return -1;
		}
		/* another territory's notes are not the caller's: as missing */
		if (!principal_covers_dep(who, territory)) {
			rf_error_set(err, 404, "not_found", "territory", "no such territory");
			return -1;
		}
	}
	int rc = store_handover_insert(app->store, territory, who->token_id, note, id);
	if (rc) {
		store_rf_error(app->store, rc, "handover", err);
		return -1;
	}
	return 0;
}
