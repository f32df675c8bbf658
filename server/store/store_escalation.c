#include "store_escalation.h"

#include "store_sqlite.h"

/* The last time an alert's audit says it became open and critical: its creation, a status that
 * became open (acknowledged, then worse), or a severity that rose from warning. */
#define CRITICAL_SINCE                                                                                   \
	"(SELECT max(g.at) FROM audit g WHERE g.entity = 'alert' AND g.entity_id = a.id AND "               \
	"(g.action = 'create' OR (json_extract(g.after, '$.status') = 'open' AND "                         \
	"json_extract(g.before, '$.status') IS NOT 'open') OR (json_extract(g.before, '$.severity') = 'warning' " \
	"AND json_extract(g.after, '$.severity') IN ('critical', 'stockout'))))"

int store_escalation_candidates(struct store *st, long long before, struct escalation_candidate *out, size_t max,
				size_t *n)
{
	*n = 0;
	sqlite3_stmt *s = store_prepare(
		st, "SELECT id, since, done FROM (SELECT a.id, " CRITICAL_SINCE " AS since, "
		    "coalesce((SELECT max(level) FROM alert_escalations e WHERE e.alert_id = a.id), 0) AS done "
		    "FROM alerts a WHERE a.status = 'open' AND a.severity IN ('critical', 'stockout')) "
		    "WHERE since <= ?1 AND done < 2 ORDER BY since, id LIMIT ?2");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, before);
	sqlite3_bind_int64(s, 2, (long long)max);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && *n < max) {
		out[*n].alert_id = sqlite3_column_int64(s, 0);
		out[*n].since = sqlite3_column_int64(s, 1);
		out[*n].done = sqlite3_column_int(s, 2);
		(*n)++;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "escalations");
}

int store_escalation_insert(struct store *st, long long alert_id, int level)
{
	sqlite3_stmt *s = store_prepare(st, "INSERT OR IGNORE INTO alert_escalations(alert_id, level, at) VALUES (?, ?, ?)");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, alert_id);
	sqlite3_bind_int(s, 2, level);
	sqlite3_bind_int64(s, 3, store_now(st));
	return store_step_done(st, s, "escalation");
}
