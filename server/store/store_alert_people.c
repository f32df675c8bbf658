#include "store_alert_people.h"

#include "store_sqlite.h"

#include <stdio.h>

void store_alert_people_read(sqlite3_stmt *s, int first, struct alert_row *a)
{
	store_column_copy(a->acknowledged_by_name, sizeof a->acknowledged_by_name, s, first);
	store_column_copy(a->resolved_by_name, sizeof a->resolved_by_name, s, first + 1);
	a->assigned_to = sqlite3_column_int64(s, first + 2);
	a->assigned_at = sqlite3_column_int64(s, first + 3);
	store_column_copy(a->assigned_name, sizeof a->assigned_name, s, first + 4);
}

int store_alert_people(struct store *st, struct alert_row *a)
{
	sqlite3_stmt *s = store_prepare(
		st, "SELECT (SELECT label FROM tokens WHERE id = ?2), (SELECT label FROM tokens WHERE id = ?3), "
		    "coalesce(g.token_id, 0), coalesce(g.at, 0), coalesce(tg.label, '') "
		    "FROM (SELECT ?1 AS id) a LEFT JOIN alert_assignments g ON g.alert_id = a.id "
		    "LEFT JOIN tokens tg ON tg.id = g.token_id");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, a->id);
	sqlite3_bind_int64(s, 2, a->acknowledged_by);
	sqlite3_bind_int64(s, 3, a->resolved_by);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		store_alert_people_read(s, 0, a);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? STORE_OK : store_rc_from_sqlite(st, rc, "alert people");
}

int store_alert_assign(struct store *st, long long alert_id, long long token)
{
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO alert_assignments(alert_id, token_id, at) VALUES (?1, ?2, ?3) "
					    "ON CONFLICT(alert_id) DO UPDATE SET token_id = excluded.token_id, at = excluded.at");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, alert_id);
	sqlite3_bind_int64(s, 2, token);
	sqlite3_bind_int64(s, 3, store_now(st));
	return store_step_done(st, s, "alert assign");
}

int store_alert_unassign(struct store *st, long long alert_id)
{
	sqlite3_stmt *s = store_prepare(st, "DELETE FROM alert_assignments WHERE alert_id = ?");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, alert_id);
	int rc = store_step_done(st, s, "alert unassign");
	if (rc)
		return rc;
	return sqlite3_changes(store_db(st)) ? STORE_OK : STORE_NOTFOUND;
}

int store_alert_last_recovered_ack(struct store *st, enum holder_kind hk, long long holder, long long item,
				   long long since, struct alert_row *out)
{
	sqlite3_stmt *s = store_prepare(
		st, "SELECT severity, acknowledged_at, coalesce(acknowledged_by, 0), coalesce(ack_note, '') FROM alerts "
		    "WHERE kind = 'shortage' AND holder_kind = ?1 AND holder_id = ?2 AND item_id = ?3 AND status = 'resolved' "
		    "AND resolution = 'recovered' AND resolved_at >= ?4 ORDER BY resolved_at DESC, id DESC LIMIT 1");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, holder_kind_name(hk), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, holder);
	sqlite3_bind_int64(s, 3, item);
	sqlite3_bind_int64(s, 4, since);
	int rc = sqlite3_step(s);
	int found = rc == SQLITE_ROW && sqlite3_column_type(s, 1) != SQLITE_NULL;
	if (found) {
		store_column_copy(out->severity, sizeof out->severity, s, 0);
		out->acknowledged_at = sqlite3_column_int64(s, 1);
		out->acknowledged_by = sqlite3_column_int64(s, 2);
		store_column_copy(out->ack_note, sizeof out->ack_note, s, 3);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_rc_from_sqlite(st, rc, "alert recovered");
	return found ? STORE_OK : STORE_NOTFOUND;
}
