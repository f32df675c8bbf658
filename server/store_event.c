#include "store_event.h"

#include <stdlib.h>
#include <string.h>

int store_event_append(struct store *st, const struct event_row *ev, long long *seq)
{
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO events(at, type, dep, entity, entity_id, payload) "
					    "VALUES (?, ?, ?, ?, ?, ?)");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, ev->at);
	sqlite3_bind_text(s, 2, ev->type, -1, SQLITE_STATIC);
	if (ev->dep)
		sqlite3_bind_text(s, 3, ev->dep, -1, SQLITE_STATIC);
	if (ev->entity)
		sqlite3_bind_text(s, 4, ev->entity, -1, SQLITE_STATIC);
	if (ev->entity_id)
		sqlite3_bind_int64(s, 5, ev->entity_id);
	sqlite3_bind_text(s, 6, ev->payload, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_rc_from_sqlite(st, rc, "event append");
	*seq = sqlite3_last_insert_rowid(store_db(st));
	return STORE_OK;
}

int store_event_since(struct store *st, long long after, long long limit,
		      int (*cb)(void *ctx, const struct event_row *ev), void *ctx)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT seq, at, type, dep, entity, entity_id, payload FROM events "
					    "WHERE seq > ? ORDER BY seq LIMIT ?");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, after);
	sqlite3_bind_int64(s, 2, limit);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct event_row ev = {
			sqlite3_column_int64(s, 0),
			sqlite3_column_int64(s, 1),
			(const char *)sqlite3_column_text(s, 2),
			(const char *)sqlite3_column_text(s, 3),
			(const char *)sqlite3_column_text(s, 4),
			sqlite3_column_int64(s, 5),
			(const char *)sqlite3_column_text(s, 6),
		};
		if (cb(ctx, &ev))
			break;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "events");
}

static long long one_int(struct store *st, const char *sql)
{
	sqlite3_stmt *s = store_prepare(st, sql);
	long long v = 0;
	if (s && sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	if (s)
		sqlite3_reset(s);
	return v;
}

long long store_event_last_seq(struct store *st)
{
	return one_int(st, "SELECT coalesce(max(seq), 0) FROM events");
}

long long store_event_first_seq(struct store *st)
{
	return one_int(st, "SELECT coalesce(min(seq), 0) FROM events");
}

int store_event_prune(struct store *st, long long keep)
{
	sqlite3_stmt *s = store_prepare(st, "DELETE FROM events WHERE seq <= (SELECT max(seq) FROM events) - ?");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, keep);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return store_rc_from_sqlite(st, rc, "event prune");
}

int store_idem_get(struct store *st, long long token_id, const char *key, struct idem_row *out)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT op, request_hash, status, response FROM idempotency "
					    "WHERE token_id = ? AND key = ?");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, token_id);
	sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->op = strdup((const char *)sqlite3_column_text(s, 0));
		out->request_hash = strdup((const char *)sqlite3_column_text(s, 1));
		out->status = sqlite3_column_int(s, 2);
		out->response = strdup((const char *)sqlite3_column_text(s, 3));
	}
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return out->op && out->request_hash && out->response ? STORE_OK : STORE_ERROR;
	return rc == SQLITE_DONE ? STORE_NOTFOUND : store_rc_from_sqlite(st, rc, "idempotency");
}

void store_idem_release(struct idem_row *row)
{
	free(row->op);
	free(row->request_hash);
	free(row->response);
	memset(row, 0, sizeof *row);
}

int store_idem_put(struct store *st, long long token_id, const char *key, const char *op, const char *request_hash,
		   int status, const char *response, const char *entity, long long entity_id)
{
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO idempotency(token_id, key, op, request_hash, status, "
					    "response, entity, entity_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, token_id);
	sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, op, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, request_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 5, status);
	sqlite3_bind_text(s, 6, response, -1, SQLITE_STATIC);
	if (entity)
		sqlite3_bind_text(s, 7, entity, -1, SQLITE_STATIC);
	if (entity_id)
		sqlite3_bind_int64(s, 8, entity_id);
	sqlite3_bind_int64(s, 9, store_now(st));
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return store_rc_from_sqlite(st, rc, "idempotency put");
}

int store_idem_prune(struct store *st, long long before_ms)
{
	sqlite3_stmt *s = store_prepare(st, "DELETE FROM idempotency WHERE at < ?");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, before_ms);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return store_rc_from_sqlite(st, rc, "idempotency prune");
}
