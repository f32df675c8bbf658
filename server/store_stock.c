#include "store_stock.h"

const char *holder_kind_name(enum holder_kind k)
{
	return k == HOLDER_DEPOT ? "depot" : "structure";
}

int store_stock_set(struct store *st, enum holder_kind kind, long long holder, long long item, long long quantity,
		    const char *ledger_kind, long long actor, const char *idem_key, long long *before)
{
	const char *hk = holder_kind_name(kind);
	sqlite3_stmt *s = store_prepare(st, "SELECT quantity FROM stock_levels WHERE holder_kind = ? AND holder_id = ? "
					    "AND item_id = ?");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, hk, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, holder);
	sqlite3_bind_int64(s, 3, item);
	int rc = sqlite3_step(s);
	long long prev = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_rc_from_sqlite(st, rc, "stock read");
	long long now = store_now(st);

	s = store_prepare(st, "INSERT INTO stock_levels(holder_kind, holder_id, item_id, quantity, reported_at, updated_at) "
			      "VALUES (?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT(holder_kind, holder_id, item_id) DO UPDATE SET "
			      "quantity = excluded.quantity, reported_at = excluded.reported_at, updated_at = excluded.updated_at");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, hk, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, holder);
	sqlite3_bind_int64(s, 3, item);
	sqlite3_bind_int64(s, 4, quantity);
	sqlite3_bind_int64(s, 5, now);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_rc_from_sqlite(st, rc, "stock level");

	s = store_prepare(st, "INSERT INTO stock_ledger(holder_kind, holder_id, item_id, kind, delta, quantity_after, actor, "
			      "idempotency_key, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, hk, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, holder);
	sqlite3_bind_int64(s, 3, item);
	sqlite3_bind_text(s, 4, ledger_kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, quantity - (prev < 0 ? 0 : prev));
	sqlite3_bind_int64(s, 6, quantity);
	if (actor)
		sqlite3_bind_int64(s, 7, actor);
	if (idem_key)
		sqlite3_bind_text(s, 8, idem_key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 9, now);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_rc_from_sqlite(st, rc, "stock ledger");
	if (before)
		*before = prev;
	return STORE_OK;
}

int store_item_id(struct store *st, const char *code, long long *id)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT id FROM items WHERE code = ?");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOTFOUND : store_rc_from_sqlite(st, rc, "item");
}

int store_structure_headcounts(struct store *st, int (*cb)(void *ctx, long long id, long long occupancy, long long staff),
			       void *ctx)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT id, coalesce(occupancy, 0), coalesce(staff, 0) FROM structures ORDER BY id");
	if (!s)
		return STORE_ERROR;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (cb(ctx, sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1), sqlite3_column_int64(s, 2)))
			break;
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "structures");
}

long long store_structure_count(struct store *st)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT count(*) FROM structures");
	long long n = 0;
	if (s && sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	if (s)
		sqlite3_reset(s);
	return n;
}
