#include "store_sms.h"

#include "auth.h"
#include "buf.h"
#include "store_sqlite.h"

#include <stdio.h>
#include <string.h>

int store_sms_enqueue(struct store *st, const struct sms_row *r, long long *id)
{
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO sms_outbox(created_at, kind, dep, recipient_kind, recipient_id, phone, "
					    "lang, text, cause_kind, cause_id, status, next_attempt_at, updated_at) "
					    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'queued', max(?1, ?11), ?1)");
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
	if (r->cause_kind && r->cause_id) {
		sqlite3_bind_text(s, 9, r->cause_kind, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 10, r->cause_id);
	}
	/* a message held back (a call during quiet hours) goes out at next_attempt_at */
	sqlite3_bind_int64(s, 11, r->next_attempt_at);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_rc_from_sqlite(st, rc, "sms enqueue");
	if (id)
		*id = sqlite3_last_insert_rowid(store_db(st));
	return STORE_OK;
}

/* The messages a départemental coordinator sees (?N: their départements): those of their territory
 * (the recipient's: a structure's contact, a volunteer, the officers called, the sender's own
 * département for a bare phone; the move triggers of 005 keep it current) and, when a message is
 * about an alert, only while that alert is theirs too. A call of one département's duty officer
 * about a structure that has moved away since is thus seen by neither side: the officer's phone is
 * not the new département's, the alert is no longer the old one's. */
#define SMS_IN_SCOPE(n)                                                                                 \
	"(instr(?" n ", ',' || dep || ',') > 0 AND (cause_kind IS NOT 'alert' OR instr(?" n ", ',' || "       \
	"(SELECT a.dep FROM alerts a WHERE a.id = sms_outbox.cause_id) || ',') > 0))"

#define SMS_COLUMNS                                                                                     \
	"id, created_at, kind, dep, recipient_kind, coalesce(recipient_id, 0), phone, lang, text, "             \
	"cause_kind, coalesce(cause_id, 0), status, attempts, next_attempt_at, last_error, gateway, gateway_ref, "   \
	"updated_at"

static void read_row(sqlite3_stmt *s, struct sms_row *r)
{
	struct sms_row row = {
		sqlite3_column_int64(s, 0),		  sqlite3_column_int64(s, 1),
		(const char *)sqlite3_column_text(s, 2),  (const char *)sqlite3_column_text(s, 3),
		(const char *)sqlite3_column_text(s, 4),  sqlite3_column_int64(s, 5),
		(const char *)sqlite3_column_text(s, 6),  (const char *)sqlite3_column_text(s, 7),
		(const char *)sqlite3_column_text(s, 8),  (const char *)sqlite3_column_text(s, 9),
		sqlite3_column_int64(s, 10),		  (const char *)sqlite3_column_text(s, 11),
		sqlite3_column_int(s, 12),		  sqlite3_column_int64(s, 13),
		(const char *)sqlite3_column_text(s, 14), (const char *)sqlite3_column_text(s, 15),
		(const char *)sqlite3_column_text(s, 16), sqlite3_column_int64(s, 17),
	};
	*r = row;
}

int store_sms_list(struct store *st, const struct principal *p, const struct sms_query *q,
		   int (*cb)(void *ctx, const struct sms_row *r), void *ctx)
{
	struct buf sql;
	buf_init(&sql);
	buf_puts(&sql, "SELECT " SMS_COLUMNS " FROM sms_outbox WHERE id > ?1 AND (?2 IS NULL OR status = ?2) AND (?3 IS NULL OR kind = ?3) "
		       "AND (?4 = 0 OR (cause_kind = ?7 AND cause_id = ?4))");
	if (p->role != ROLE_ADMIN && p->deps[0])
		buf_puts(&sql, " AND " SMS_IN_SCOPE("5"));
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
	sqlite3_bind_int64(s, 4, q->cause_id);
	if (q->cause_kind)
		sqlite3_bind_text(s, 7, q->cause_kind, -1, SQLITE_STATIC);
	if (p->deps[0])
		sqlite3_bind_text(s, 5, p->deps, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, q->limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct sms_row r;
		read_row(s, &r);
		if (cb(ctx, &r))
			break;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "sms list");
}

int store_sms_status_counts(struct store *st, const struct principal *p,
			    int (*cb)(void *ctx, const char *status, long long n), void *ctx)
{
	if (p->role != ROLE_ADMIN && p->role != ROLE_COORDINATOR)
		return STORE_OK;
	sqlite3_stmt *s = store_prepare(st, "SELECT status, count(*) FROM sms_outbox WHERE ?1 IS NULL OR "
					    SMS_IN_SCOPE("1") " GROUP BY status ORDER BY status");
	if (!s)
		return STORE_ERROR;
	if (p->role != ROLE_ADMIN && p->deps[0])
		sqlite3_bind_text(s, 1, p->deps, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (cb(ctx, (const char *)sqlite3_column_text(s, 0), sqlite3_column_int64(s, 1)))
			break;
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "sms counts");
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

int store_duty_officers_of(struct store *st, const char *dep, int (*cb)(void *ctx, const struct recipient *r),
			   void *ctx)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT id, phone, lang FROM duty_officers WHERE status = 'active' AND "
					    "dep IS ?1 ORDER BY id");
	if (!s)
		return STORE_ERROR;
	if (dep)
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

/* --- the sender's side ------------------------------------------------------------------------- */

int store_sms_cancel_unwanted(struct store *st)
{
	/* the confirmation of a STOP is the one message that goes to a phone that just opted out */
	sqlite3_stmt *s = store_prepare(st, "UPDATE sms_outbox SET status = 'cancelled', updated_at = ?1, "
					    "last_error = CASE WHEN phone IS NULL THEN 'no phone (erased)' ELSE 'opted out (STOP)' END "
					    "WHERE status = 'queued' AND (phone IS NULL OR (kind != 'stop_confirmation' AND "
					    "phone IN (SELECT phone FROM sms_optouts)))");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, store_now(st));
	return store_step_done(st, s, "sms cancel");
}

int store_sms_claim(struct store *st, long long now, int limit, const char *gateway,
		    int (*cb)(void *ctx, const struct sms_row *r), void *ctx)
{
	sqlite3_stmt *s = store_prepare(st, "UPDATE sms_outbox SET status = 'sending', attempts = attempts + 1, gateway = ?3, "
					    "updated_at = ?1 WHERE id IN (SELECT id FROM sms_outbox WHERE status = 'queued' "
					    "AND next_attempt_at <= ?1 ORDER BY next_attempt_at, id LIMIT ?2) RETURNING " SMS_COLUMNS);
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int(s, 2, limit);
	sqlite3_bind_text(s, 3, gateway, -1, SQLITE_STATIC);
	int rc, stop = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct sms_row r;
		read_row(s, &r);
		if (!stop)
			stop = cb(ctx, &r); /* every row is stepped through, so the UPDATE completes */
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "sms claim");
}

int store_sms_get(struct store *st, long long id, int (*cb)(void *ctx, const struct sms_row *r), void *ctx)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT " SMS_COLUMNS " FROM sms_outbox WHERE id = ?");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		struct sms_row r;
		read_row(s, &r);
		cb(ctx, &r);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOTFOUND : store_rc_from_sqlite(st, rc, "sms get");
}

int store_sms_sent(struct store *st, long long id, const char *gateway_ref)
{
	/* a delivery report may already have said more than "sent": keep it */
	sqlite3_stmt *s = store_prepare(st, "UPDATE sms_outbox SET status = CASE WHEN status IN ('delivered', 'failed') "
					    "THEN status ELSE 'sent' END, gateway_ref = coalesce(gateway_ref, ?2), last_error = NULL, "
					    "updated_at = ?3 WHERE id = ?1");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, id);
	if (gateway_ref && gateway_ref[0])
		sqlite3_bind_text(s, 2, gateway_ref, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, store_now(st));
	return store_step_done(st, s, "sms sent");
}

int store_sms_retry(struct store *st, long long id, long long next_at, const char *error)
{
	sqlite3_stmt *s = store_prepare(st, "UPDATE sms_outbox SET status = 'queued', next_attempt_at = ?2, last_error = ?3, "
					    "updated_at = ?4 WHERE id = ?1 AND status = 'sending'");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, next_at);
	sqlite3_bind_text(s, 3, error, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, store_now(st));
	return store_step_done(st, s, "sms retry");
}

int store_sms_failed(struct store *st, long long id, const char *error)
{
	sqlite3_stmt *s = store_prepare(st, "UPDATE sms_outbox SET status = 'failed', last_error = ?2, updated_at = ?3 "
					    "WHERE id = ?1");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, error, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, store_now(st));
	return store_step_done(st, s, "sms failed");
}

int store_sms_report(struct store *st, long long id, const char *status, const char *error)
{
	/* delivery reports only move forward: a late "sent" never undoes "delivered" */
	sqlite3_stmt *s = store_prepare(st, "UPDATE sms_outbox SET status = ?2, last_error = coalesce(?3, last_error), "
					    "updated_at = ?4 WHERE id = ?1 AND status IN ('sending', 'sent')");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, status, -1, SQLITE_STATIC);
	if (error)
		sqlite3_bind_text(s, 3, error, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, store_now(st));
	int rc = store_step_done(st, s, "sms report");
	if (rc)
		return rc;
	return sqlite3_changes(store_db(st)) ? STORE_OK : STORE_NOTFOUND;
}

int store_sms_requeue_sending(struct store *st, long long *count)
{
	sqlite3_stmt *s = store_prepare(st, "UPDATE sms_outbox SET status = 'queued', updated_at = ?1, "
					    "last_error = 'interrupted while sending: sent again' WHERE status = 'sending'");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, store_now(st));
	int rc = store_step_done(st, s, "sms requeue");
	*count = sqlite3_changes(store_db(st));
	return rc;
}

long long store_sms_next_due(struct store *st)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT coalesce(min(next_attempt_at), 0) FROM sms_outbox WHERE status = 'queued'");
	long long v = 0;
	if (s && sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	if (s)
		sqlite3_reset(s);
	return v;
}

int store_sms_cancel_queued(struct store *st, const char *reason)
{
	sqlite3_stmt *s = store_prepare(st, "UPDATE sms_outbox SET status = 'cancelled', last_error = ?1, updated_at = ?2 "
					    "WHERE status = 'queued'");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, store_now(st));
	return store_step_done(st, s, "sms cancel queued");
}

long long store_sms_count(struct store *st, const char *status)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT count(*) FROM sms_outbox WHERE status = ?");
	long long v = 0;
	if (!s)
		return 0;
	sqlite3_bind_text(s, 1, status, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return v;
}

/* --- incoming messages ------------------------------------------------------------------------------ */

int store_sms_inbox_insert(struct store *st, const char *gateway, const char *gateway_id, const char *phone,
			   const char *to, const char *text, int invalid_utf8, long long *id)
{
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO sms_inbox(gateway, gateway_id, phone, to_number, text, received_at, "
					    "invalid_utf8) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(gateway, gateway_id) DO NOTHING");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, gateway, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, gateway_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, phone, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, to, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, store_now(st));
	sqlite3_bind_int(s, 7, invalid_utf8 != 0);
	int rc = store_step_done(st, s, "inbox");
	if (rc)
		return rc;
	if (!sqlite3_changes(store_db(st)))
		return STORE_CONFLICT;
	*id = sqlite3_last_insert_rowid(store_db(st));
	return STORE_OK;
}

int store_sms_inbox_result(struct store *st, long long id, const char *keyword, const char *result, long long volunteer)
{
	sqlite3_stmt *s = store_prepare(st, "UPDATE sms_inbox SET keyword = ?2, result = ?3, volunteer_id = ?4 WHERE id = ?1");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, id);
	if (keyword)
		sqlite3_bind_text(s, 2, keyword, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, result, -1, SQLITE_STATIC);
	if (volunteer)
		sqlite3_bind_int64(s, 4, volunteer);
	return store_step_done(st, s, "inbox result");
}

int store_sms_inbox_list(struct store *st, const struct principal *p, long long after, long long limit,
			 int (*cb)(void *ctx, const struct inbox_row *r), void *ctx)
{
	/* a scoped coordinator sees the messages of volunteers of their départements */
	sqlite3_stmt *s = store_prepare(st, "SELECT i.id, i.gateway, i.gateway_id, i.phone, i.to_number, i.text, i.keyword, "
					    "i.result, coalesce(i.volunteer_id, 0), i.received_at, i.invalid_utf8 FROM sms_inbox i "
					    "LEFT JOIN volunteers v ON v.id = i.volunteer_id WHERE i.id > ?1 AND "
					    "(?2 IS NULL OR instr(?2, ',' || v.dep || ',') > 0) ORDER BY i.id LIMIT ?3");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, after);
	if (p->deps[0])
		sqlite3_bind_text(s, 2, p->deps, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, limit);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct inbox_row r = {
			sqlite3_column_int64(s, 0),	       (const char *)sqlite3_column_text(s, 1),
			(const char *)sqlite3_column_text(s, 2), (const char *)sqlite3_column_text(s, 3),
			(const char *)sqlite3_column_text(s, 4), (const char *)sqlite3_column_text(s, 5),
			(const char *)sqlite3_column_text(s, 6), (const char *)sqlite3_column_text(s, 7),
			sqlite3_column_int64(s, 8),	       sqlite3_column_int64(s, 9),
			sqlite3_column_int(s, 10),
		};
		if (cb(ctx, &r))
			break;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "inbox");
}

int store_sms_optout(struct store *st, const char *phone, int out)
{
	sqlite3_stmt *s = store_prepare(st, out ? "INSERT INTO sms_optouts(phone, at) VALUES (?1, ?2) ON CONFLICT DO NOTHING"
						: "DELETE FROM sms_optouts WHERE phone = ?1");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, phone, -1, SQLITE_STATIC);
	if (out)
		sqlite3_bind_int64(s, 2, store_now(st));
	return store_step_done(st, s, "optout");
}

int store_volunteer_by_phone(struct store *st, const char *phone, long long *id, char dep[4], char lang[4])
{
	sqlite3_stmt *s = store_prepare(st, "SELECT id, dep, sms_lang FROM volunteers WHERE phone = ? AND status != 'erased' "
					    "ORDER BY id LIMIT 1");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, phone, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		store_column_copy(dep, 4, s, 1);
		store_column_copy(lang, 4, s, 2);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOTFOUND : store_rc_from_sqlite(st, rc, "volunteer");
}

int store_volunteers_by_phone(struct store *st, const char *phone, struct phone_volunteer *out, int max, int *n)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT id, dep FROM volunteers WHERE phone = ? AND status != 'erased' "
					    "ORDER BY id LIMIT ?");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, phone, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, max);
	int rc;
	*n = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && *n < max) {
		out[*n].id = sqlite3_column_int64(s, 0);
		store_column_copy(out[*n].dep, sizeof out[*n].dep, s, 1);
		(*n)++;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "volunteers");
}
