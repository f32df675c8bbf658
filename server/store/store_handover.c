#include "store_handover.h"

#include "auth.h"
#include "store_sqlite.h"

#include <stddef.h>
#include <string.h>

int store_handover_insert(struct store *st, const char *territory, long long author, const char *note, long long *id)
{
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO handovers(territory, author, note, at) VALUES (?, ?, ?, ?)");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, territory, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, author);
	sqlite3_bind_text(s, 3, note, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, store_now(st));
	int rc = store_step_done(st, s, "handover");
	if (!rc)
		*id = sqlite3_last_insert_rowid(store_db(st));
	return rc;
}

/* The alerts of a note's territory ('region': all), counted since its time. */
#define SINCE(what) \
	"(SELECT count(*) FROM alerts a WHERE (h.territory = 'region' OR a.dep = h.territory) AND " what ")"

int store_handover_list(struct store *st, const struct principal *p, const char *territory, long long before,
			long long limit, int (*cb)(void *ctx, const struct handover_row *h), void *ctx)
{
	sqlite3_stmt *s = store_prepare(
		st, "SELECT h.id, h.territory, h.author, h.at, h.note, coalesce(t.label, ''), "
		    SINCE("a.opened_at > h.at") ", " SINCE("a.acknowledged_at > h.at") ", " SINCE("a.resolved_at > h.at") ", "
		    SINCE("a.status != 'resolved' AND a.severity != 'warning'")
		    " FROM handovers h LEFT JOIN tokens t ON t.id = h.author "
		    "WHERE (?1 IS NULL OR h.territory = ?1) AND (?2 = 0 OR h.id < ?2) "
		    "AND (?3 IS NULL OR instr(?3, ',' || h.territory || ',') > 0) ORDER BY h.id DESC LIMIT ?4");
	if (!s)
		return STORE_ERROR;
	if (territory)
		sqlite3_bind_text(s, 1, territory, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, before);
	if (p->deps[0])
		sqlite3_bind_text(s, 3, p->deps, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, limit);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct handover_row h;
		memset(&h, 0, offsetof(struct handover_row, author_name));
		h.id = sqlite3_column_int64(s, 0);
		store_column_copy(h.territory, sizeof h.territory, s, 1);
		h.author = sqlite3_column_int64(s, 2);
		h.at = sqlite3_column_int64(s, 3);
		store_column_copy(h.note, sizeof h.note, s, 4);
		store_column_copy(h.author_name, sizeof h.author_name, s, 5);
		h.opened = sqlite3_column_int64(s, 6);
		h.acknowledged = sqlite3_column_int64(s, 7);
		h.resolved = sqlite3_column_int64(s, 8);
		h.open_critical = sqlite3_column_int64(s, 9);
		if (cb(ctx, &h))
			break;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "handovers");
}
