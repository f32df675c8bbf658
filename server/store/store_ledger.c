#include "store_ledger.h"

#include "auth.h"
#include "buf.h"
#include "store_sqlite.h"

#include <string.h>

/* The holders of ledger rows a principal reads. A row of stock on its way belongs to its allocation's
 * parties: the receiving structure (t) and the source (a depot td, or a structure ts). */
static void ledger_scope(struct buf *sql, const struct principal *p)
{
	switch (p->role) {
	case ROLE_ADMIN:
		return;
	case ROLE_COORDINATOR:
	case ROLE_OBSERVER:
		if (p->deps[0])
			buf_puts(sql, " AND (instr(?90, ',' || coalesce(s.dep, d.dep, t.dep) || ',') > 0 OR d.level = 'regional' "
				      "OR instr(?90, ',' || coalesce(td.dep, ts.dep) || ',') > 0)");
		return;
	case ROLE_STRUCTURE:
		buf_puts(sql, " AND ((l.holder_kind = 'structure' AND l.holder_id = ?91) OR (l.holder_kind = 'transit' AND "
			      "(a.structure_id = ?91 OR (a.source_kind = 'structure' AND a.source_id = ?91))))");
		return;
	case ROLE_DEPOT:
		buf_puts(sql, " AND ((l.holder_kind = 'depot' AND l.holder_id = ?91) OR (l.holder_kind = 'transit' AND "
			      "a.source_kind = 'depot' AND a.source_id = ?91))");
		return;
	default:
		buf_puts(sql, " AND 0");
	}
}

int store_ledger_list(struct store *st, const struct principal *p, const struct ledger_query *q,
		      int (*cb)(void *ctx, const struct ledger_view *v), void *ctx)
{
	struct buf sql;
	buf_init(&sql);
	buf_puts(&sql, "SELECT l.id, l.at, l.holder_kind, l.holder_id, coalesce(s.name, d.name, t.name, ''), "
		       "coalesce(s.dep, d.dep, t.dep, ''), i.code, l.kind, l.delta, l.quantity_after, coalesce(l.cause_kind, ''), "
		       "coalesce(l.cause_id, 0), coalesce(l.origin, ''), coalesce(l.report_id, 0) "
		       "FROM stock_ledger l JOIN items i ON i.id = l.item_id "
		       "LEFT JOIN structures s ON l.holder_kind = 'structure' AND s.id = l.holder_id "
		       "LEFT JOIN depots d ON l.holder_kind = 'depot' AND d.id = l.holder_id "
		       "LEFT JOIN allocations a ON l.holder_kind = 'transit' AND a.id = l.holder_id "
		       "LEFT JOIN structures t ON t.id = a.structure_id "
		       "LEFT JOIN depots td ON a.source_kind = 'depot' AND td.id = a.source_id "
		       "LEFT JOIN structures ts ON a.source_kind = 'structure' AND ts.id = a.source_id "
		       "WHERE l.id > ?1 AND (?2 IS NULL OR l.holder_kind = ?2) AND (?3 = 0 OR l.holder_id = ?3) "
		       "AND (?4 IS NULL OR i.code = ?4) AND (?5 IS NULL OR l.cause_kind = ?5) AND (?6 = 0 OR l.cause_id = ?6) "
		       "AND (?7 = 0 OR l.at >= ?7) AND (?8 = 0 OR l.at < ?8) AND (?9 IS NULL OR coalesce(s.dep, d.dep, t.dep) = ?9)");
	ledger_scope(&sql, p);
	buf_puts(&sql, " ORDER BY l.id LIMIT ?10");
	sqlite3_stmt *s = NULL;
	int cached = 0;
	int rc = store_prepare_text(st, sql.data, &s, &cached);
	buf_release(&sql);
	if (rc != SQLITE_OK)
		return store_rc_from_sqlite(st, rc, "ledger");
	sqlite3_bind_int64(s, 1, q->after);
	if (q->holder_kind)
		sqlite3_bind_text(s, 2, q->holder_kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, q->holder_id);
	if (q->item)
		sqlite3_bind_text(s, 4, q->item, -1, SQLITE_STATIC);
	if (q->cause_kind)
		sqlite3_bind_text(s, 5, q->cause_kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, q->cause_id);
	sqlite3_bind_int64(s, 7, q->since);
	sqlite3_bind_int64(s, 8, q->until);
	if (q->dep)
		sqlite3_bind_text(s, 9, q->dep, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 10, q->limit);
	store_holder_scope_bind(s, p);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct ledger_view v = {
			sqlite3_column_int64(s, 0),
			sqlite3_column_int64(s, 1),
			(const char *)sqlite3_column_text(s, 2),
			sqlite3_column_int64(s, 3),
			(const char *)sqlite3_column_text(s, 4),
			(const char *)sqlite3_column_text(s, 5),
			(const char *)sqlite3_column_text(s, 6),
			(const char *)sqlite3_column_text(s, 7),
			sqlite3_column_int64(s, 8),
			sqlite3_column_int64(s, 9),
			(const char *)sqlite3_column_text(s, 10),
			sqlite3_column_int64(s, 11),
			(const char *)sqlite3_column_text(s, 12),
			sqlite3_column_int64(s, 13),
		};
		if (cb(ctx, &v))
			break;
	}
	store_text_done(s, cached);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "ledger");
}
