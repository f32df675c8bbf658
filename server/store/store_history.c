#include "store_history.h"

#include "auth.h"
#include "store_sqlite.h"

int store_stock_history(struct store *st, enum holder_kind hk, long long holder, long long item, long long after,
			long long since, long long limit, int (*cb)(void *ctx, const struct ledger_row *r), void *ctx)
{
	sqlite3_stmt *s = store_prepare(
		st, "SELECT l.id, l.at, l.item_id, i.code, l.kind, l.delta, l.quantity_after, coalesce(l.actor, 0), t.label, "
		    "l.cause_kind, coalesce(l.cause_id, 0) FROM stock_ledger l JOIN items i ON i.id = l.item_id "
		    "LEFT JOIN tokens t ON t.id = l.actor "
		    "WHERE l.holder_kind = ?1 AND l.holder_id = ?2 AND (?3 = 0 OR l.item_id = ?3) AND l.id > ?4 AND l.at >= ?5 "
		    "ORDER BY l.id LIMIT ?6");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, holder_kind_name(hk), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, holder);
	sqlite3_bind_int64(s, 3, item);
	sqlite3_bind_int64(s, 4, after);
	sqlite3_bind_int64(s, 5, since);
	sqlite3_bind_int64(s, 6, limit);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct ledger_row r = {
			.id = sqlite3_column_int64(s, 0),
			.at = sqlite3_column_int64(s, 1),
			.item_id = sqlite3_column_int64(s, 2),
			.item_code = (const char *)sqlite3_column_text(s, 3),
			.kind = (const char *)sqlite3_column_text(s, 4),
			.delta = sqlite3_column_int64(s, 5),
			.quantity_after = sqlite3_column_int64(s, 6),
			.actor = sqlite3_column_int64(s, 7),
			.actor_name = (const char *)sqlite3_column_text(s, 8),
			.cause_kind = (const char *)sqlite3_column_text(s, 9),
			.cause_id = sqlite3_column_int64(s, 10),
		};
		if (cb(ctx, &r))
			break;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "ledger");
}

/* The département of a report's or an alert's holder, and whether the principal may see it: a
 * dep filter (?1, NULL: none) and the territory (?2, NULL: region). */
#define IN_TERRITORY(dep) "(?1 IS NULL OR " dep " = ?1) AND (?2 IS NULL OR instr(?2, ',' || " dep " || ',') > 0)"

int store_trends(struct store *st, const struct principal *p, const char *dep, long long start, long long width,
		 struct trend_bucket *out, int n)
{
	sqlite3_stmt *reports = store_prepare(
		st, "SELECT (r.at - ?3) / ?4, count(*) FROM stock_reports r "
		    "LEFT JOIN structures s ON r.holder_kind = 'structure' AND s.id = r.holder_id "
		    "LEFT JOIN depots d ON r.holder_kind = 'depot' AND d.id = r.holder_id "
		    "WHERE r.at >= ?3 AND r.at < ?3 + ?4 * ?5 AND " IN_TERRITORY("coalesce(s.dep, d.dep)") " GROUP BY 1");
	if (!reports)
		return STORE_ERROR;
	for (int i = 0; i < n; i++) {
		out[i].t = start + width * i;
		out[i].reports = out[i].active = out[i].critical = 0;
	}
	if (dep)
		sqlite3_bind_text(reports, 1, dep, -1, SQLITE_STATIC);
	if (p->deps[0])
		sqlite3_bind_text(reports, 2, p->deps, -1, SQLITE_STATIC);
	sqlite3_bind_int64(reports, 3, start);
	sqlite3_bind_int64(reports, 4, width);
	sqlite3_bind_int64(reports, 5, n);
	int rc;
	while ((rc = sqlite3_step(reports)) == SQLITE_ROW) {
		long long i = sqlite3_column_int64(reports, 0);
		if (i >= 0 && i < n)
			out[i].reports = sqlite3_column_int64(reports, 1);
	}
	sqlite3_reset(reports);
	if (rc != SQLITE_DONE)
		return store_rc_from_sqlite(st, rc, "trends");
	/* an alert is active at a bucket's end when it opened before and was not resolved by then */
	sqlite3_stmt *active = store_prepare(
		st, "SELECT count(*), count(*) FILTER (WHERE a.severity != 'warning') FROM alerts a "
		    "WHERE a.kind = 'shortage' AND a.opened_at < ?3 AND (a.resolved_at IS NULL OR a.resolved_at >= ?3) AND "
		    IN_TERRITORY("a.dep"));
	if (!active)
		return STORE_ERROR;
	for (int i = 0; i < n && rc != SQLITE_ERROR; i++) {
		if (dep)
			sqlite3_bind_text(active, 1, dep, -1, SQLITE_STATIC);
		if (p->deps[0])
			sqlite3_bind_text(active, 2, p->deps, -1, SQLITE_STATIC);
		sqlite3_bind_int64(active, 3, out[i].t + width);
		rc = sqlite3_step(active);
		if (rc == SQLITE_ROW) {
			out[i].active = sqlite3_column_int64(active, 0);
			out[i].critical = sqlite3_column_int64(active, 1);
		}
		sqlite3_reset(active);
		if (rc != SQLITE_ROW)
			return store_rc_from_sqlite(st, rc, "trends");
	}
	return STORE_OK;
}
