#include "store_sitrep.h"

#include "auth.h"
#include "store_sqlite.h"

/* ?1: a département (NULL: all), ?2: the principal's territory (NULL: the region) */
#define IN_TERRITORY(col) "(?1 IS NULL OR " col " = ?1) AND (?2 IS NULL OR instr(?2, ',' || " col " || ',') > 0)"
/* ?3: the instant */
#define OPEN_AT "a.kind = 'shortage' AND a.opened_at < ?3 AND (a.resolved_at IS NULL OR a.resolved_at >= ?3)"

static void bind_territory(sqlite3_stmt *s, const struct principal *p, const char *dep)
{
	if (dep)
		sqlite3_bind_text(s, 1, dep, -1, SQLITE_STATIC);
	if (p->deps[0])
		sqlite3_bind_text(s, 2, p->deps, -1, SQLITE_STATIC);
}

static int done(struct store *st, sqlite3_stmt *s, int rc, const char *what)
{
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, what);
}

int store_sitrep_shortages(struct store *st, const struct principal *p, const char *dep, long long at,
			   int (*cb)(void *ctx, const struct shortage_count *c), void *ctx)
{
	sqlite3_stmt *s = store_prepare(
		st, "SELECT a.dep, i.code, i.name, a.severity, count(*) FROM alerts a JOIN items i ON i.id = a.item_id "
		    "WHERE " OPEN_AT " AND " IN_TERRITORY("a.dep") " GROUP BY 1, 2, 3, 4 ORDER BY 1, 3, 4");
	if (!s)
		return STORE_ERROR;
	bind_territory(s, p, dep);
	sqlite3_bind_int64(s, 3, at);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct shortage_count c = {(const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1),
					   (const char *)sqlite3_column_text(s, 2), (const char *)sqlite3_column_text(s, 3),
					   sqlite3_column_int64(s, 4)};
		if (cb(ctx, &c))
			break;
	}
	return done(st, s, rc, "sitrep shortages");
}

int store_sitrep_changes(struct store *st, const struct principal *p, const char *dep, long long from, long long to,
			 long long *opened, long long *resolved)
{
	sqlite3_stmt *s = store_prepare(
		st, "SELECT count(*) FILTER (WHERE a.opened_at >= ?3 AND a.opened_at < ?4), "
		    "count(*) FILTER (WHERE a.resolved_at >= ?3 AND a.resolved_at < ?4) FROM alerts a "
		    "WHERE a.kind = 'shortage' AND (a.opened_at >= ?3 OR a.resolved_at >= ?3) AND " IN_TERRITORY("a.dep"));
	if (!s)
		return STORE_ERROR;
	bind_territory(s, p, dep);
	sqlite3_bind_int64(s, 3, from);
	sqlite3_bind_int64(s, 4, to);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*opened = sqlite3_column_int64(s, 0);
		*resolved = sqlite3_column_int64(s, 1);
	}
	return done(st, s, rc, "sitrep changes");
}

long long store_sitrep_stockout_holders(struct store *st, const struct principal *p, const char *dep, long long at,
					int *failed)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT count(DISTINCT a.holder_kind || a.holder_id) FROM alerts a WHERE " OPEN_AT
					    " AND a.severity = 'stockout' AND " IN_TERRITORY("a.dep"));
	if (!s) {
		*failed = 1;
		return 0;
	}
	bind_territory(s, p, dep);
	sqlite3_bind_int64(s, 3, at);
	int rc = sqlite3_step(s);
	long long n = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	if (done(st, s, rc, "sitrep stockouts"))
		*failed = 1;
	return n;
}

int store_sitrep_stockouts(struct store *st, const struct principal *p, const char *dep, long long at,
			   int (*cb)(void *ctx, const struct stockout_holder *h), void *ctx)
{
	sqlite3_stmt *s = store_prepare(
		st, "SELECT a.holder_kind, a.holder_id, coalesce(s.name, d.name, ''), a.dep, group_concat(i.name, '; ') "
		    "FROM alerts a JOIN items i ON i.id = a.item_id "
		    "LEFT JOIN structures s ON a.holder_kind = 'structure' AND s.id = a.holder_id "
		    "LEFT JOIN depots d ON a.holder_kind = 'depot' AND d.id = a.holder_id "
		    "WHERE " OPEN_AT " AND a.severity = 'stockout' AND " IN_TERRITORY("a.dep")
		    " GROUP BY 1, 2 ORDER BY 4, 3");
	if (!s)
		return STORE_ERROR;
	bind_territory(s, p, dep);
	sqlite3_bind_int64(s, 3, at);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct stockout_holder h = {(const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 2),
					    (const char *)sqlite3_column_text(s, 3), (const char *)sqlite3_column_text(s, 4),
					    sqlite3_column_int64(s, 1)};
		if (cb(ctx, &h))
			break;
	}
	return done(st, s, rc, "sitrep stockouts");
}

/* The last report of each structure on the day or the day before (?3: the day before's start, ?5:
 * the day's end), by the reports' time index: two days of reports, never the whole history. */
#define LAST_REPORTS                                                                                     \
	"WITH r AS (SELECT holder_id, max(at) AS last FROM stock_reports WHERE holder_kind = 'structure' AND " \
	"at >= ?3 AND at < ?5 GROUP BY holder_id) "

int store_completeness(struct store *st, const struct principal *p, const char *dep, long long day, long long day_end,
		       int (*cb)(void *ctx, const struct completeness_row *r), void *ctx)
{
	sqlite3_stmt *s = store_prepare(
		st, LAST_REPORTS "SELECT s.dep, s.category, count(*), count(*) FILTER (WHERE r.last >= ?4), "
				 "count(*) FILTER (WHERE r.last < ?4), count(*) FILTER (WHERE r.last IS NULL) "
				 "FROM structures s LEFT JOIN r ON r.holder_id = s.id "
				 "WHERE s.status = 'active' AND s.created_at < ?5 AND " IN_TERRITORY("s.dep")
				 " GROUP BY 1, 2 ORDER BY 1, 2");
	if (!s)
		return STORE_ERROR;
	bind_territory(s, p, dep);
	sqlite3_bind_int64(s, 3, day - 86400000LL);
	sqlite3_bind_int64(s, 4, day);
	sqlite3_bind_int64(s, 5, day_end);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct completeness_row r = {(const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1),
					     sqlite3_column_int64(s, 2), sqlite3_column_int64(s, 3),
					     sqlite3_column_int64(s, 4), sqlite3_column_int64(s, 5)};
		if (cb(ctx, &r))
			break;
	}
	return done(st, s, rc, "completeness");
}

int store_completeness_chase(struct store *st, const struct principal *p, const char *dep, long long day,
			     long long day_end, long long limit, int (*cb)(void *ctx, const struct chase_row *r), void *ctx)
{
	sqlite3_stmt *s = store_prepare(
		st, LAST_REPORTS "SELECT s.id, s.name, s.dep, s.category, r.last IS NOT NULL, "
				 "coalesce((SELECT max(l.reported_at) FROM stock_levels l WHERE l.holder_kind = 'structure' "
				 "AND l.holder_id = s.id AND l.reported_at < ?5), 0) AS ever "
				 "FROM structures s LEFT JOIN r ON r.holder_id = s.id "
				 "WHERE s.status = 'active' AND s.created_at < ?5 AND (r.last IS NULL OR r.last < ?4) AND "
				 IN_TERRITORY("s.dep") " ORDER BY 5 DESC, ever, s.dep, s.name LIMIT ?6");
	if (!s)
		return STORE_ERROR;
	bind_territory(s, p, dep);
	sqlite3_bind_int64(s, 3, day - 86400000LL);
	sqlite3_bind_int64(s, 4, day);
	sqlite3_bind_int64(s, 5, day_end);
	sqlite3_bind_int64(s, 6, limit);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct chase_row r = {sqlite3_column_int64(s, 0), (const char *)sqlite3_column_text(s, 1),
				      (const char *)sqlite3_column_text(s, 2), (const char *)sqlite3_column_text(s, 3),
				      sqlite3_column_int(s, 4), sqlite3_column_int64(s, 5)};
		if (cb(ctx, &r))
			break;
	}
	return done(st, s, rc, "completeness chase");
}
