#include "store_epidemic.h"

#include "store_sqlite.h"

#include <stdio.h>
#include <string.h>

int store_epidemic_put(struct store *st, const struct epidemic_row *r, long long now)
{
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO epidemic_figures(dep, day, hospitalised, intensive_care, "
					    "discharged, deaths, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
					    "ON CONFLICT(dep, day) DO UPDATE SET hospitalised = excluded.hospitalised, "
					    "intensive_care = excluded.intensive_care, discharged = excluded.discharged, "
					    "deaths = excluded.deaths, imported_at = excluded.imported_at");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, r->dep, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, r->day, -1, SQLITE_STATIC);
	for (int f = 0; f < EPI_NFIGURES; f++) {
		if (r->figure[f] < 0)
			sqlite3_bind_null(s, 3 + f);
		else
			sqlite3_bind_int64(s, 3 + f, r->figure[f]);
	}
	sqlite3_bind_int64(s, 7, now);
	return store_step_done(st, s, "epidemic figures");
}

int store_epidemic_list(struct store *st, const char *dep, const char *from, const char *to,
			int (*cb)(void *ctx, const struct epidemic_row *r), void *ctx)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT dep, day, hospitalised, intensive_care, discharged, deaths "
					    "FROM epidemic_figures WHERE (?1 IS NULL OR dep = ?1) AND (?2 IS NULL OR day >= ?2) "
					    "AND (?3 IS NULL OR day <= ?3) ORDER BY dep, day");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, dep, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, to, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct epidemic_row r;
		memset(&r, 0, sizeof r);
		store_column_copy(r.dep, sizeof r.dep, s, 0);
		store_column_copy(r.day, sizeof r.day, s, 1);
		for (int f = 0; f < EPI_NFIGURES; f++)
			r.figure[f] = sqlite3_column_type(s, 2 + f) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 2 + f);
		if (cb(ctx, &r)) {
			sqlite3_reset(s);
			return STORE_OK;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "epidemic figures");
}

int store_epidemic_recent(struct store *st, const char *to, int days,
			  int (*cb)(void *ctx, const struct epidemic_row *r), void *ctx)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT date(?1, ?2)");
	if (!s)
		return STORE_ERROR;
	char shift[32], from[11] = "";
	snprintf(shift, sizeof shift, "-%d days", days > 0 ? days - 1 : 0);
	sqlite3_bind_text(s, 1, to, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, shift, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		store_column_copy(from, sizeof from, s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return store_rc_from_sqlite(st, rc, "epidemic figures");
	if (!from[0])
		return STORE_ERROR; /* not a date: date() said NULL */
	return store_epidemic_list(st, NULL, from, to, cb, ctx);
}
