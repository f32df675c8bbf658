#include "epidemic_import.h"

#include "app.h"
#include "auth.h"
#include "stock_forecast.h"
#include "store.h"
#include "store_epidemic.h"
#include "store_territory.h"

#include <string.h>

/* The file's rows are checked, all of them, before the first is written: a refused file changes
 * nothing, even outside a savepoint. */
static int check_deps(struct app *app, const struct principal *who, const struct epidemic_row *rows, size_t n,
		      long long *ndeps, struct rf_error *err)
{
	char seen[128][4];
	long long distinct = 0;
	for (size_t i = 0; i < n; i++) {
		int known = 0;
		for (long long k = 0; k < distinct && k < 128; k++)
			if (!strcmp(seen[k], rows[i].dep))
				known = 1;
		if (known)
			continue;
		struct departement d;
		int rc = store_departement_get(app->store, rows[i].dep, &d);
		if (rc == STORE_NOTFOUND || (rc == STORE_OK && !principal_covers_dep(who, rows[i].dep))) {
			rf_error_set(err, 404, "not_found", "departement_code", "no such département in your territory");
			err->line = rows[i].line;
			return -1;
		}
		if (rc != STORE_OK)
			return app_refuse_store(app, err, rc, "departement_code");
		if (distinct < 128)
			memcpy(seen[distinct], rows[i].dep, 4);
		distinct++;
	}
	*ndeps = distinct;
	return 0;
}

int epidemic_import(struct app *app, const struct principal *who, const struct epidemic_row *rows, size_t n,
		    long long now, struct epidemic_import_result *out, struct rf_error *err)
{
	memset(out, 0, sizeof *out);
	if (check_deps(app, who, rows, n, &out->departements, err))
		return -1;
	for (size_t i = 0; i < n; i++) {
		int rc = store_epidemic_put(app->store, &rows[i], now);
		if (rc != STORE_OK)
			return app_refuse_store(app, err, rc, "body");
		if (!out->first_day[0] || strcmp(rows[i].day, out->first_day) < 0)
			memcpy(out->first_day, rows[i].day, sizeof out->first_day);
		if (strcmp(rows[i].day, out->last_day) > 0)
			memcpy(out->last_day, rows[i].day, sizeof out->last_day);
		out->imported++;
	}
	/* the forecast reads the figures in the territory's pooled prior: rebuilt now, not at its next
	 * interval, so that the levels read after the import already say what the figures do */
	int rc = stock_forecast_refresh_pool(app, now, 1);
	return rc == STORE_OK ? 0 : app_refuse_store(app, err, rc, "body");
}
