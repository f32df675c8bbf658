#include "store_report.h"

#include "auth.h"
#include "store_sqlite.h"

/* The département an audit row belongs to: that of the row it is about as that row is now (a row
 * that moved takes its history along; '' for a duty officer of the whole region), else where it
 * was when deleted, else what its own snapshot says (items, tokens and the children of a row
 * carry none: region-wide). The snapshots themselves are never rewritten. */
#define AUDIT_DEP                                                                                        \
	"coalesce(CASE entity "                                                                         \
	"WHEN 'structure' THEN (SELECT dep FROM structures WHERE id = entity_id) "                      \
	"WHEN 'depot' THEN (SELECT dep FROM depots WHERE id = entity_id) "                              \
	"WHEN 'volunteer' THEN (SELECT dep FROM volunteers WHERE id = entity_id) "                      \
	"WHEN 'duty_officer' THEN (SELECT coalesce(dep, '') FROM duty_officers WHERE id = entity_id) "  \
	"WHEN 'alert' THEN (SELECT dep FROM alerts WHERE id = entity_id) "                              \
	"WHEN 'staff_request' THEN (SELECT dep FROM staff_requests WHERE id = entity_id) "              \
	"WHEN 'staff_call' THEN (SELECT dep FROM staff_requests WHERE id = parent_id) "                 \
	"WHEN 'staff_reply' THEN (SELECT dep FROM staff_requests WHERE id = parent_id) END, "           \
	"CASE WHEN entity IN ('structure', 'depot', 'volunteer', 'duty_officer') THEN "                 \
	"(SELECT coalesce(json_extract(g.before, '$.dep'), '') FROM audit g WHERE g.entity = audit.entity " \
	"AND g.entity_id = audit.entity_id AND g.action = 'delete') END, "                              \
	"json_extract(coalesce(after, before), '$.dep'))"

int store_audit_list(struct store *st, const struct principal *p, const char *entity, long long entity_id,
		     long long before_id, long long limit, int (*cb)(void *ctx, const struct audit_row *r), void *ctx)
{
	sqlite3_stmt *s = store_prepare(
		st, "SELECT id, at, actor, actor_role, action, entity, entity_id, parent_id, before, after, "
		    "(SELECT label FROM tokens WHERE tokens.id = audit.actor) FROM audit "
		    "WHERE (?1 IS NULL OR entity = ?1) AND (?2 = 0 OR entity_id = ?2) AND (?3 = 0 OR id < ?3) "
		    "AND (?4 IS NULL OR instr(?4, ',' || " AUDIT_DEP " || ',') > 0) "
		    "ORDER BY id DESC LIMIT ?5");
	if (!s)
		return STORE_ERROR;
	if (entity)
		sqlite3_bind_text(s, 1, entity, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, entity_id);
	sqlite3_bind_int64(s, 3, before_id);
	if (p->deps[0])
		sqlite3_bind_text(s, 4, p->deps, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, limit);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct audit_row r = {
			sqlite3_column_int64(s, 0),
			sqlite3_column_int64(s, 1),
			sqlite3_column_int64(s, 2),
			sqlite3_column_int64(s, 6),
			sqlite3_column_int64(s, 7),
			(const char *)sqlite3_column_text(s, 3),
			(const char *)sqlite3_column_text(s, 4),
			(const char *)sqlite3_column_text(s, 5),
			(const char *)sqlite3_column_text(s, 8),
			(const char *)sqlite3_column_text(s, 9),
			(const char *)sqlite3_column_text(s, 10),
		};
		if (cb(ctx, &r))
			break;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "audit");
}

int store_volunteer_counts(struct store *st, const struct principal *p,
			   int (*cb)(void *ctx, const struct pool_count *c), void *ctx)
{
	sqlite3_stmt *s = store_prepare(
		st, "SELECT dep, profession, availability, coalesce(gender, ''), count(*) FROM volunteers "
		    "WHERE status = 'active' AND (?1 IS NULL OR instr(?1, ',' || dep || ',') > 0) "
		    "GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4");
	if (!s)
		return STORE_ERROR;
	if (p->deps[0])
		sqlite3_bind_text(s, 1, p->deps, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct pool_count c = {
			(const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1),
			(const char *)sqlite3_column_text(s, 2), (const char *)sqlite3_column_text(s, 3),
			sqlite3_column_int64(s, 4)};
		if (cb(ctx, &c))
			break;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "volunteer counts");
}
