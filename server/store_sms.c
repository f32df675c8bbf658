#include "store_sms.h"

#include "auth.h"
#include "buf.h"

#include <string.h>

int store_sms_enqueue(struct store *st, const struct sms_row *r, long long *id)
{
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO sms_outbox(created_at, kind, dep, recipient_kind, recipient_id, phone, "
					    "lang, text, alert_id, status, next_attempt_at, updated_at) "
					    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'queued', ?1, ?1)");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, store_now(st));
	sqlite3_bind_text(s, 2, r->kind, -1, SQLITE_STATIC);
	if (r->dep && r->dep[0])
		sqlite3_bind_text(s, 3, r->dep, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, r->recipient_kind, -1, SQLITE_STATIC);
	if (r->recipient_id)
		sqlite3_bind_int64(s, 5, r->recipient_id);
	sqlite3_bind_text(s, 6, r->phone, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, r->lang ? r->lang : "fr", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, r->text, -1, SQLITE_STATIC);
	if (r->alert_id)
		sqlite3_bind_int64(s, 9, r->alert_id);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_rc_from_sqlite(st, rc, "sms enqueue");
	if (id)
		*id = sqlite3_last_insert_rowid(store_db(st));
	return STORE_OK;
}

int store_sms_list(struct store *st, const struct principal *p, const struct sms_query *q,
		   int (*cb)(void *ctx, const struct sms_row *r), void *ctx)
{
	struct buf sql;
	buf_init(&sql);
	buf_puts(&sql, "SELECT id, created_at, kind, dep, recipient_kind, coalesce(recipient_id, 0), phone, lang, text, "
		       "coalesce(alert_id, 0), status, attempts, next_attempt_at, last_error, gateway, gateway_ref, updated_at "
		       "FROM sms_outbox WHERE id > ?1 AND (?2 IS NULL OR status = ?2) AND (?3 IS NULL OR kind = ?3) "
		       "AND (?4 = 0 OR alert_id = ?4)");
	if (p->role != ROLE_ADMIN && p->deps[0])
		buf_puts(&sql, " AND instr(?5, ',' || dep || ',') > 0");
	else if (p->role != ROLE_ADMIN && p->role != ROLE_COORDINATOR)
		buf_puts(&sql, " AND 0");
	buf_puts(&sql, " ORDER BY id LIMIT ?6");
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(store_db(st), sql.data, -1, &s, NULL);
	buf_release(&sql);
	if (rc != SQLITE_OK)
		return store_rc_from_sqlite(st, rc, "sms list");
	sqlite3_bind_int64(s, 1, q->after);
	if (q->status)
		sqlite3_bind_text(s, 2, q->status, -1, SQLITE_STATIC);
	if (q->kind)
		sqlite3_bind_text(s, 3, q->kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, q->alert_id);
	if (p->deps[0])
		sqlite3_bind_text(s, 5, p->deps, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, q->limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct sms_row r = {
			sqlite3_column_int64(s, 0),		  sqlite3_column_int64(s, 1),
			(const char *)sqlite3_column_text(s, 2),  (const char *)sqlite3_column_text(s, 3),
			(const char *)sqlite3_column_text(s, 4),  sqlite3_column_int64(s, 5),
			(const char *)sqlite3_column_text(s, 6),  (const char *)sqlite3_column_text(s, 7),
			(const char *)sqlite3_column_text(s, 8),  sqlite3_column_int64(s, 9),
			(const char *)sqlite3_column_text(s, 10), sqlite3_column_int(s, 11),
			sqlite3_column_int64(s, 12),		  (const char *)sqlite3_column_text(s, 13),
			(const char *)sqlite3_column_text(s, 14), (const char *)sqlite3_column_text(s, 15),
			sqlite3_column_int64(s, 16),
		};
		if (cb(ctx, &r))
			break;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "sms list");
}

static int recipients(struct store *st, sqlite3_stmt *s, const char *kind, int (*cb)(void *ctx, const struct recipient *r),
		      void *ctx)
{
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct recipient r = {kind, sqlite3_column_int64(s, 0), (const char *)sqlite3_column_text(s, 1),
				      (const char *)sqlite3_column_text(s, 2)};
		if (cb(ctx, &r))
			break;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "recipients");
}

int store_duty_officers_for(struct store *st, const char *dep, int (*cb)(void *ctx, const struct recipient *r), void *ctx)
{
	/* the département's own officers; the region's only when the département has none */
	sqlite3_stmt *s = store_prepare(st, "SELECT id, phone, lang FROM duty_officers WHERE status = 'active' AND "
					    "(dep = ?1 OR (dep IS NULL AND NOT EXISTS (SELECT 1 FROM duty_officers "
					    "WHERE status = 'active' AND dep = ?1))) ORDER BY id");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, dep, -1, SQLITE_STATIC);
	return recipients(st, s, "duty_officer", cb, ctx);
}

int store_structure_contacts(struct store *st, long long structure, int (*cb)(void *ctx, const struct recipient *r),
			     void *ctx)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT id, phone, lang FROM structure_contacts WHERE structure_id = ? ORDER BY id");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, structure);
	return recipients(st, s, "structure_contact", cb, ctx);
}
