#include "store_idem.h"

#include "store_sqlite.h"

#include <stdlib.h>
#include <string.h>

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
	return store_step_done(st, s, "idempotency put");
}

int store_idem_prune(struct store *st, long long before_ms)
{
	sqlite3_stmt *s = store_prepare(st, "DELETE FROM idempotency WHERE at < ?");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, before_ms);
	return store_step_done(st, s, "idempotency prune");
}
