#include "store_alert.h"

#include "auth.h"
#include "buf.h"
#include "store_alert_people.h"
#include "store_cache.h"
#include "store_sqlite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ALERT_COLUMNS                                                                                    \
	"a.id, a.kind, a.holder_kind, a.holder_id, coalesce(a.item_id, 0), a.dep, a.severity, a.status, "   \
	"coalesce(a.quantity, -1), a.days_of_cover, coalesce(a.stockout_at, 0), a.opened_at, a.updated_at, " \
	"a.version, coalesce(a.acknowledged_at, 0), coalesce(a.acknowledged_by, 0), coalesce(a.ack_note, ''), " \
	"coalesce(a.resolved_at, 0), coalesce(a.resolved_by, 0), coalesce(a.resolution, ''), "              \
	"coalesce(a.resolve_note, ''), coalesce(a.calm_since, 0), coalesce(a.reopened_at, 0), a.reopen_count, " \
	"coalesce(a.sms_severity, ''), coalesce(a.sms_at, 0), coalesce(a.request_id, 0), coalesce(a.allocation_id, 0)"

/* holder name, commune, coordinates, and item code and name, for people */
#define ALERT_NAMES                                                                                      \
	", coalesce(s.name, d.name, ''), coalesce(i.code, ''), coalesce(i.name, ''), coalesce(s.commune, d.commune, ''), " \
	"coalesce(s.lat, d.lat, 0), coalesce(s.lng, d.lng, 0), "                                          \
	"(SELECT status FROM allocations WHERE id = a.allocation_id), "                                    \
	"(SELECT quantity FROM allocations WHERE id = a.allocation_id)" ALERT_PEOPLE
#define ALERT_JOINS                                                                                      \
	" FROM alerts a LEFT JOIN structures s ON a.holder_kind = 'structure' AND s.id = a.holder_id "     \
	"LEFT JOIN depots d ON a.holder_kind = 'depot' AND d.id = a.holder_id "                           \
	"LEFT JOIN items i ON i.id = a.item_id" ALERT_PEOPLE_JOINS

static void read_alert(sqlite3_stmt *s, struct alert_row *a, int with_names)
{
	alert_row_clear(a);
	a->id = sqlite3_column_int64(s, 0);
	store_column_copy(a->kind, sizeof a->kind, s, 1);
	int hk = holder_kind_parse((const char *)sqlite3_column_text(s, 2));
	a->holder_kind = hk < 0 ? HOLDER_STRUCTURE : (enum holder_kind)hk;
	a->holder_id = sqlite3_column_int64(s, 3);
	a->item_id = sqlite3_column_int64(s, 4);
	store_column_copy(a->dep, sizeof a->dep, s, 5);
	store_column_copy(a->severity, sizeof a->severity, s, 6);
	store_column_copy(a->status, sizeof a->status, s, 7);
	a->quantity = sqlite3_column_int64(s, 8);
	a->cover_known = sqlite3_column_type(s, 9) != SQLITE_NULL;
	a->days_of_cover = sqlite3_column_double(s, 9);
	a->stockout_at = sqlite3_column_int64(s, 10);
	a->opened_at = sqlite3_column_int64(s, 11);
	a->updated_at = sqlite3_column_int64(s, 12);
	a->version = sqlite3_column_int(s, 13);
	a->acknowledged_at = sqlite3_column_int64(s, 14);
	a->acknowledged_by = sqlite3_column_int64(s, 15);
	store_column_copy(a->ack_note, sizeof a->ack_note, s, 16);
	a->resolved_at = sqlite3_column_int64(s, 17);
	a->resolved_by = sqlite3_column_int64(s, 18);
	store_column_copy(a->resolution, sizeof a->resolution, s, 19);
	store_column_copy(a->resolve_note, sizeof a->resolve_note, s, 20);
	a->calm_since = sqlite3_column_int64(s, 21);
	a->reopened_at = sqlite3_column_int64(s, 22);
	a->reopen_count = sqlite3_column_int(s, 23);
	store_column_copy(a->sms_severity, sizeof a->sms_severity, s, 24);
	a->sms_at = sqlite3_column_int64(s, 25);
	a->request_id = sqlite3_column_int64(s, 26);
	a->allocation_id = sqlite3_column_int64(s, 27);
	if (with_names) {
		store_column_copy(a->holder_name, sizeof a->holder_name, s, 28);
		store_column_copy(a->item_code, sizeof a->item_code, s, 29);
		store_column_copy(a->item_name, sizeof a->item_name, s, 30);
		store_column_copy(a->commune, sizeof a->commune, s, 31);
		a->lat = sqlite3_column_double(s, 32);
		a->lng = sqlite3_column_double(s, 33);
		store_column_copy(a->allocation_status, sizeof a->allocation_status, s, 34);
		a->allocation_quantity = sqlite3_column_int64(s, 35);
		store_alert_people_read(s, 36, a);
	}
}

/* Whether the holder carries mark m, from the cache; when the cache does not know, list_sql (a
 * literal selecting holder_kind, holder_id) lists the holders to mark. Most holders have neither
 * overrides nor open alerts, and every stock report line asks. 1 also when still not known (memory:
 * ask the table); -1 on error. */
static int holder_marked(struct store *st, enum store_mark m, const char *list_sql, enum holder_kind hk, long long holder)
{
	struct store_cache *c = store_cache_of(st);
	int marked = store_cache_marked(c, m, hk, holder);
	if (marked >= 0)
		return marked;
	sqlite3_stmt *s = store_prepare(st, list_sql);
	if (!s)
		return -1;
	store_cache_marks_begin(c, m);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int kind = holder_kind_parse((const char *)sqlite3_column_text(s, 0));
		if (kind >= 0)
			store_cache_mark(c, m, (enum holder_kind)kind, sqlite3_column_int64(s, 1));
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return -1;
	store_cache_marks_end(c, m);
	marked = store_cache_marked(c, m, hk, holder);
	return marked < 0 ? 1 : marked;
}

/* The mark that says a holder may have an open alert of this kind, or -1 for kinds not marked. */
static int alert_mark(const char *kind)
{
	return strcmp(kind, "shortage") == 0    ? MARK_SHORTAGE_ALERT
	       : strcmp(kind, "silent") == 0    ? MARK_SILENT_ALERT
	       : strcmp(kind, "overstock") == 0 ? MARK_OVERSTOCK_ALERT
						: -1;
}

/* The holders to mark for a mark of alerts (a literal: statements are cached by address). */
static const char *mark_list_sql(int m)
{
	return m == MARK_SHORTAGE_ALERT ? "SELECT DISTINCT holder_kind, holder_id FROM alerts "
					  "WHERE kind = 'shortage' AND status != 'resolved'"
	       : m == MARK_SILENT_ALERT ? "SELECT DISTINCT holder_kind, holder_id FROM alerts "
					  "WHERE kind = 'silent' AND status != 'resolved'"
					: "SELECT DISTINCT holder_kind, holder_id FROM alerts "
					  "WHERE kind = 'overstock' AND status != 'resolved'";
}

static void mark_open_alert(struct store *st, const struct alert_row *a)
{
	int m = alert_mark(a->kind);
	if (m >= 0 && strcmp(a->status, "resolved") != 0 && (a->holder_kind == HOLDER_STRUCTURE || a->holder_kind == HOLDER_DEPOT))
		store_cache_mark(store_cache_of(st), (enum store_mark)m, a->holder_kind, a->holder_id);
}

/* The first row of sql (ALERT_COLUMNS; parameters: kind, holder kind, holder, item). */
static int alert_of_holder(struct store *st, const char *sql, const char *kind, enum holder_kind hk, long long holder,
			   long long item, struct alert_row *out)
{
	sqlite3_stmt *s = store_prepare(st, sql);
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, holder_kind_name(hk), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, holder);
	sqlite3_bind_int64(s, 4, item);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		read_alert(s, out, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOTFOUND : store_rc_from_sqlite(st, rc, "alert");
}

int store_alert_current(struct store *st, const char *kind, enum holder_kind hk, long long holder, long long item,
			struct alert_row *out)
{
	int m = alert_mark(kind);
	if (m >= 0) {
		int marked = holder_marked(st, (enum store_mark)m, mark_list_sql(m), hk, holder);
		if (marked == 0)
			return STORE_NOTFOUND;
		if (marked < 0)
			return STORE_ERROR;
	}
	return alert_of_holder(st, "SELECT " ALERT_COLUMNS " FROM alerts a WHERE a.kind = ?1 AND a.holder_kind = ?2 "
				   "AND a.holder_id = ?3 AND coalesce(a.item_id, 0) = ?4 AND a.status != 'resolved'",
			       kind, hk, holder, item, out);
}

int store_alert_latest(struct store *st, const char *kind, enum holder_kind hk, long long holder, long long item,
		       struct alert_row *out)
{
	return alert_of_holder(st, "SELECT " ALERT_COLUMNS " FROM alerts a WHERE a.holder_kind = ?2 AND a.holder_id = ?3 "
				   "AND a.kind = ?1 AND coalesce(a.item_id, 0) = ?4 ORDER BY a.id DESC LIMIT 1",
			       kind, hk, holder, item, out);
}

int store_alert_current_dep(struct store *st, const char *kind, const char *dep, struct alert_row *out)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT " ALERT_COLUMNS " FROM alerts a WHERE a.kind = ? AND a.holder_kind = 'none' "
					    "AND a.dep = ? AND a.status != 'resolved'");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, dep, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		read_alert(s, out, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOTFOUND : store_rc_from_sqlite(st, rc, "alert");
}

int store_alert_current_request(struct store *st, long long request, struct alert_row *out)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT " ALERT_COLUMNS " FROM alerts a WHERE a.kind = 'staff_unfilled' "
					    "AND a.request_id = ? AND a.status != 'resolved'");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, request);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		read_alert(s, out, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOTFOUND : store_rc_from_sqlite(st, rc, "alert");
}

static void bind_figures(sqlite3_stmt *s, const struct alert_row *a, int first)
{
	if (a->quantity >= 0)
		sqlite3_bind_int64(s, first, a->quantity);
	if (a->cover_known) {
		sqlite3_bind_double(s, first + 1, a->days_of_cover);
		sqlite3_bind_int64(s, first + 2, a->stockout_at);
	}
}

int store_alert_insert(struct store *st, struct alert_row *a)
{
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO alerts(kind, holder_kind, holder_id, item_id, dep, severity, status, "
					    "quantity, days_of_cover, stockout_at, opened_at, updated_at, calm_since, sms_severity, "
					    "sms_at, request_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'open', ?7, ?8, ?9, ?10, ?10, ?11, ?12, "
					    "?13, ?14)");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, a->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, holder_kind_name(a->holder_kind), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, a->holder_id);
	if (a->item_id)
		sqlite3_bind_int64(s, 4, a->item_id);
	sqlite3_bind_text(s, 5, a->dep, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, a->severity, -1, SQLITE_STATIC);
	bind_figures(s, a, 7);
	sqlite3_bind_int64(s, 10, store_now(st));
	if (a->calm_since)
		sqlite3_bind_int64(s, 11, a->calm_since);
	if (a->sms_severity[0]) {
		sqlite3_bind_text(s, 12, a->sms_severity, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 13, a->sms_at);
	}
	if (a->request_id)
		sqlite3_bind_int64(s, 14, a->request_id);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_rc_from_sqlite(st, rc, "alert insert");
	a->id = sqlite3_last_insert_rowid(store_db(st));
	snprintf(a->status, sizeof a->status, "open");
	a->opened_at = a->updated_at = store_now(st);
	a->version = 1;
	mark_open_alert(st, a);
	return STORE_OK;
}

int store_alert_update(struct store *st, struct alert_row *a)
{
	sqlite3_stmt *s = store_prepare(
		st, "UPDATE alerts SET severity = ?2, status = ?3, quantity = ?4, days_of_cover = ?5, stockout_at = ?6, "
		    "updated_at = ?7, version = version + 1, acknowledged_at = ?8, acknowledged_by = ?9, ack_note = ?10, "
		    "resolved_at = ?11, resolved_by = ?12, resolution = ?13, resolve_note = ?14, calm_since = ?15, "
		    "reopened_at = ?16, reopen_count = ?17, sms_severity = ?18, sms_at = ?19 WHERE id = ?1");
	if (!s)
		return STORE_ERROR;
	long long now = store_now(st);
	sqlite3_bind_int64(s, 1, a->id);
	sqlite3_bind_text(s, 2, a->severity, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, a->status, -1, SQLITE_STATIC);
	bind_figures(s, a, 4);
	sqlite3_bind_int64(s, 7, now);
	if (a->acknowledged_at) {
		sqlite3_bind_int64(s, 8, a->acknowledged_at);
		if (a->acknowledged_by)
			sqlite3_bind_int64(s, 9, a->acknowledged_by);
		sqlite3_bind_text(s, 10, a->ack_note, -1, SQLITE_STATIC);
	}
	if (a->resolved_at) {
		sqlite3_bind_int64(s, 11, a->resolved_at);
		if (a->resolved_by)
			sqlite3_bind_int64(s, 12, a->resolved_by);
		sqlite3_bind_text(s, 13, a->resolution, -1, SQLITE_STATIC);
		if (a->resolve_note[0])
			sqlite3_bind_text(s, 14, a->resolve_note, -1, SQLITE_STATIC);
	}
	if (a->calm_since)
		sqlite3_bind_int64(s, 15, a->calm_since);
	if (a->reopened_at)
		sqlite3_bind_int64(s, 16, a->reopened_at);
	sqlite3_bind_int(s, 17, a->reopen_count);
	if (a->sms_severity[0]) {
		sqlite3_bind_text(s, 18, a->sms_severity, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 19, a->sms_at);
	}
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_rc_from_sqlite(st, rc, "alert update");
	a->updated_at = now;
	a->version++;
	mark_open_alert(st, a); /* marked already, unless it was resolved and is opened again */
	return STORE_OK;
}

int store_alert_set_calm(struct store *st, long long id, long long calm_since)
{
	sqlite3_stmt *s = store_prepare(st, "UPDATE alerts SET calm_since = ?2 WHERE id = ?1");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, id);
	if (calm_since)
		sqlite3_bind_int64(s, 2, calm_since);
	return store_step_done(st, s, "alert calm");
}

int store_alert_link_allocation(struct store *st, long long alert, long long allocation)
{
	sqlite3_stmt *s = store_prepare(st, "UPDATE alerts SET allocation_id = ?2, updated_at = ?3, version = version + 1 "
					    "WHERE id = ?1");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, alert);
	if (allocation)
		sqlite3_bind_int64(s, 2, allocation);
	sqlite3_bind_int64(s, 3, store_now(st));
	return store_step_done(st, s, "alert link");
}

int store_alert_get(struct store *st, const struct principal *p, long long id, struct alert_row *out)
{
	struct buf sql;
	buf_init(&sql);
	buf_puts(&sql, "SELECT " ALERT_COLUMNS ALERT_NAMES ALERT_JOINS " WHERE a.id = ?1");
	store_holder_scope(&sql, p, "a.dep", "d.level", "a.holder_kind", "a.holder_id");
	/* cached: every alert an operation opens or updates is read back for its event */
	sqlite3_stmt *s = NULL;
	int cached = 0;
	int rc = store_prepare_text(st, sql.data, &s, &cached);
	buf_release(&sql);
	if (rc != SQLITE_OK)
		return store_rc_from_sqlite(st, rc, "alert get");
	sqlite3_bind_int64(s, 1, id);
	store_holder_scope_bind(s, p);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		read_alert(s, out, 1);
	store_text_done(s, cached);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOTFOUND : store_rc_from_sqlite(st, rc, "alert get");
}

int store_alert_list(struct store *st, const struct principal *p, const struct alert_query *q,
		     int (*cb)(void *ctx, const struct alert_row *a), void *ctx, long long *total)
{
	struct buf where, sql;
	buf_init(&where);
	buf_init(&sql);
	buf_puts(&where, ALERT_JOINS " WHERE a.id > ?1");
	store_holder_scope(&where, p, "a.dep", "d.level", "a.holder_kind", "a.holder_id");
	if (q->status && strcmp(q->status, "active") == 0)
		buf_puts(&where, " AND a.status != 'resolved'");
	else if (q->status)
		buf_puts(&where, " AND a.status = ?2");
	buf_puts(&where, " AND (?3 IS NULL OR a.kind = ?3) AND (?4 IS NULL OR a.severity = ?4) AND (?5 IS NULL OR a.dep = ?5) "
			 "AND (?6 IS NULL OR a.holder_kind = ?6) AND (?7 = 0 OR a.holder_id = ?7)");
	int rc = STORE_OK;
	for (int pass = total ? 0 : 1; pass < 2 && rc == STORE_OK; pass++) {
		buf_reset(&sql);
		if (pass == 0)
			buf_printf(&sql, "SELECT count(*)%s", where.data);
		else
			buf_printf(&sql, "SELECT " ALERT_COLUMNS ALERT_NAMES "%s ORDER BY a.id LIMIT ?8", where.data);
		sqlite3_stmt *s = NULL;
		int src = sqlite3_prepare_v2(store_db(st), sql.data, -1, &s, NULL);
		if (src != SQLITE_OK) {
			rc = store_rc_from_sqlite(st, src, "alerts");
			break;
		}
		sqlite3_bind_int64(s, 1, pass == 0 ? 0 : q->after);
		if (q->status && strcmp(q->status, "active") != 0)
			sqlite3_bind_text(s, 2, q->status, -1, SQLITE_STATIC);
		if (q->kind)
			sqlite3_bind_text(s, 3, q->kind, -1, SQLITE_STATIC);
		if (q->severity)
			sqlite3_bind_text(s, 4, q->severity, -1, SQLITE_STATIC);
		if (q->dep)
			sqlite3_bind_text(s, 5, q->dep, -1, SQLITE_STATIC);
		if (q->holder_kind)
			sqlite3_bind_text(s, 6, q->holder_kind, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 7, q->holder_id);
		if (pass == 1)
			sqlite3_bind_int64(s, 8, q->limit);
		store_holder_scope_bind(s, p);
		while ((src = sqlite3_step(s)) == SQLITE_ROW) {
			if (pass == 0) {
				*total = sqlite3_column_int64(s, 0);
				continue;
			}
			struct alert_row a;
			read_alert(s, &a, 1);
			if (cb(ctx, &a))
				break;
		}
		if (src != SQLITE_ROW && src != SQLITE_DONE)
			rc = store_rc_from_sqlite(st, src, "alerts");
		sqlite3_finalize(s);
	}
	buf_release(&where);
	buf_release(&sql);
	return rc;
}

int store_silent_candidates(struct store *st, long long before,
			    int (*cb)(void *ctx, enum holder_kind hk, long long holder, const char *dep, long long last),
			    void *ctx)
{
	/* structures that are active, whose last count is older than `before` */
	sqlite3_stmt *s = store_prepare(st, "SELECT l.holder_id, s.dep, max(l.reported_at) AS last FROM stock_levels l "
					    "JOIN structures s ON s.id = l.holder_id AND s.status = 'active' "
					    "WHERE l.holder_kind = 'structure' AND l.reported_at IS NOT NULL "
					    "GROUP BY l.holder_id HAVING last < ?");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, before);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (cb(ctx, HOLDER_STRUCTURE, sqlite3_column_int64(s, 0), (const char *)sqlite3_column_text(s, 1),
		       sqlite3_column_int64(s, 2)))
			break;
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "silent");
}

long long store_last_report_at(struct store *st, enum holder_kind hk, long long holder)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT coalesce(max(reported_at), 0) FROM stock_levels "
					    "WHERE holder_kind = ? AND holder_id = ?");
	long long v = 0;
	if (!s)
		return 0;
	sqlite3_bind_text(s, 1, holder_kind_name(hk), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, holder);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return v;
}

int store_override_get(struct store *st, enum holder_kind hk, long long holder, long long item, double *warning,
		       double *critical)
{
	int has = holder_marked(st, MARK_OVERRIDES, "SELECT DISTINCT holder_kind, holder_id FROM alert_overrides", hk, holder);
	if (has == 0)
		return STORE_NOTFOUND;
	if (has < 0)
		return STORE_ERROR;
	/* the item's own override first, then the holder's for every item (item 0). Two primary-key
	 * lookups: "item_id IN (?, 0) ORDER BY" built a temporary index on every stock report line. */
	sqlite3_stmt *s = store_prepare(st, "SELECT warning_days, critical_days FROM alert_overrides WHERE holder_kind = ? "
					    "AND holder_id = ? AND item_id = ?");
	if (!s)
		return STORE_ERROR;
	int rc = SQLITE_DONE;
	for (int pass = 0; pass < 2 && rc == SQLITE_DONE; pass++) {
		if (pass == 1 && item == 0)
			break;
		sqlite3_bind_text(s, 1, holder_kind_name(hk), -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, holder);
		sqlite3_bind_int64(s, 3, pass == 0 ? item : 0);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			*warning = sqlite3_column_double(s, 0);
			*critical = sqlite3_column_double(s, 1);
		}
		sqlite3_reset(s);
	}
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOTFOUND : store_rc_from_sqlite(st, rc, "override");
}

int store_override_set(struct store *st, enum holder_kind hk, long long holder, long long item, double warning,
		       double critical)
{
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO alert_overrides(holder_kind, holder_id, item_id, warning_days, "
					    "critical_days, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
					    "ON CONFLICT(holder_kind, holder_id, item_id) DO UPDATE SET warning_days = ?4, "
					    "critical_days = ?5, updated_at = ?6");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, holder_kind_name(hk), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, holder);
	sqlite3_bind_int64(s, 3, item);
	sqlite3_bind_double(s, 4, warning);
	sqlite3_bind_double(s, 5, critical);
	sqlite3_bind_int64(s, 6, store_now(st));
	int rc = store_step_done(st, s, "override set");
	if (rc == STORE_OK)
		/* the cache's list of holders with overrides stays whole (a deletion may leave a holder
		 * marked: that only costs a lookup) */
		store_cache_mark(store_cache_of(st), MARK_OVERRIDES, hk, holder);
	return rc;
}

int store_override_delete(struct store *st, enum holder_kind hk, long long holder, long long item)
{
	sqlite3_stmt *s = store_prepare(st, "DELETE FROM alert_overrides WHERE holder_kind = ? AND holder_id = ? AND item_id = ?");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, holder_kind_name(hk), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, holder);
	sqlite3_bind_int64(s, 3, item);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_rc_from_sqlite(st, rc, "override delete");
	return sqlite3_changes(store_db(st)) ? STORE_OK : STORE_NOTFOUND;
}

int store_override_list(struct store *st, enum holder_kind hk, long long holder,
			int (*cb)(void *ctx, long long item, const char *item_code, double warning, double critical), void *ctx)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT o.item_id, i.code, o.warning_days, o.critical_days FROM alert_overrides o "
					    "LEFT JOIN items i ON i.id = o.item_id WHERE o.holder_kind = ? AND o.holder_id = ? "
					    "ORDER BY o.item_id");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, holder_kind_name(hk), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, holder);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (cb(ctx, sqlite3_column_int64(s, 0), (const char *)sqlite3_column_text(s, 1), sqlite3_column_double(s, 2),
		       sqlite3_column_double(s, 3)))
			break;
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "overrides");
}

/* --- anti-hoarding and flagged receipts --------------------------------------------------------------- */

int store_critical_shortages(struct store *st, const char *dep, long long item, long long except, long long *n)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT count(*) FROM alerts WHERE kind = 'shortage' AND status != 'resolved' "
					    "AND dep = ?1 AND item_id = ?2 AND (severity = 'critical' OR severity = 'stockout') "
					    "AND NOT (holder_kind = 'structure' AND holder_id = ?3)");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, dep, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, item);
	sqlite3_bind_int64(s, 3, except);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? STORE_OK : store_rc_from_sqlite(st, rc, "critical shortages");
}

int store_overstock_review_list(struct store *st, double threshold, const char *dep, long long item,
				int (*cb)(void *ctx, long long holder, long long item), void *ctx)
{
	/* structures of the département whose cover passes the threshold where another is critical for the
	 * item (by the item's index of levels), and those with an open overstock alert (which may have to
	 * close): each once */
	sqlite3_stmt *s = store_prepare(st,
		"SELECT l.holder_id, l.item_id FROM stock_levels l JOIN structures s ON s.id = l.holder_id "
		"WHERE l.item_id = ?3 AND l.holder_kind = 'structure' AND s.dep = ?2 AND l.days_of_cover >= ?1 "
		"AND EXISTS (SELECT 1 FROM alerts a WHERE a.kind = 'shortage' AND a.status != 'resolved' AND a.dep = s.dep "
		"AND a.item_id = l.item_id AND (a.severity = 'critical' OR a.severity = 'stockout') "
		"AND NOT (a.holder_kind = 'structure' AND a.holder_id = l.holder_id)) "
		"UNION SELECT holder_id, item_id FROM alerts WHERE kind = 'overstock' AND status != 'resolved' AND dep = ?2 "
		"AND item_id = ?3 ORDER BY 1, 2");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_double(s, 1, threshold);
	sqlite3_bind_text(s, 2, dep, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, item);
	/* read them all first: the callback writes alerts */
	long long (*pairs)[2] = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 32;
			void *more = realloc(pairs, cap * sizeof *pairs);
			if (!more) {
				rc = SQLITE_NOMEM;
				break;
			}
			pairs = more;
		}
		pairs[n][0] = sqlite3_column_int64(s, 0);
		pairs[n][1] = sqlite3_column_int64(s, 1);
		n++;
	}
	sqlite3_reset(s);
	int out = rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "overstock review");
	for (size_t k = 0; out == STORE_OK && k < n; k++)
		if (cb(ctx, pairs[k][0], pairs[k][1]))
			break;
	free(pairs);
	return out;
}

int store_recent_max_level(struct store *st, enum holder_kind hk, long long holder, long long item, long long since,
			   long long *max)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT coalesce(max(quantity_after), 0) FROM stock_ledger WHERE holder_kind = ?1 "
					    "AND holder_id = ?2 AND item_id = ?3 AND at >= ?4");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, holder_kind_name(hk), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, holder);
	sqlite3_bind_int64(s, 3, item);
	sqlite3_bind_int64(s, 4, since);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*max = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? STORE_OK : store_rc_from_sqlite(st, rc, "recent levels");
}

int store_overstock_pairs(struct store *st, int (*cb)(void *ctx, const char *dep, long long item), void *ctx)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT DISTINCT dep, item_id FROM alerts WHERE status != 'resolved' AND "
					    "item_id IS NOT NULL AND holder_kind = 'structure' AND (kind = 'overstock' OR "
					    "(kind = 'shortage' AND (severity = 'critical' OR severity = 'stockout'))) ORDER BY 1, 2");
	if (!s)
		return STORE_ERROR;
	/* read them all first: the callback writes alerts */
	struct pair {
		char dep[4];
		long long item;
	} *pairs = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			void *more = realloc(pairs, cap * sizeof *pairs);
			if (!more) {
				rc = SQLITE_NOMEM;
				break;
			}
			pairs = more;
		}
		store_column_copy(pairs[n].dep, sizeof pairs[n].dep, s, 0);
		pairs[n++].item = sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	int out = rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "overstock pairs");
	for (size_t k = 0; out == STORE_OK && k < n; k++)
		if (cb(ctx, pairs[k].dep, pairs[k].item))
			break;
	free(pairs);
	return out;
}
