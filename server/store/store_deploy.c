#include "store_deploy.h"

#include "auth.h"
#include "buf.h"
#include "model.h"
#include "paris_time.h"
#include "store_sqlite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- requests ------------------------------------------------------------------------------------- */

#define REQ_COLUMNS                                                                                         \
	"r.id, r.structure_id, r.dep, r.professions, r.credentials, r.skills, r.languages, r.count, r.urgency, "  \
	"coalesce(r.notes, ''), coalesce(r.address, ''), coalesce(r.contact_phone, ''), r.starts_at, r.ends_at, " \
	"r.deadline, r.status, r.filled, r.wave, coalesce(r.escalated_at, 0), coalesce(r.created_by, 0), "         \
	"r.created_at, r.updated_at, coalesce(r.closed_at, 0), coalesce(r.close_reason, ''), s.name, s.commune, "   \
	"c.name, c.lat, c.lng"
#define REQ_JOINS                                                                                           \
	" FROM staff_requests r JOIN structures s ON s.id = r.structure_id JOIN communes c ON c.insee = s.commune"

/* The requests p may read, appended as " AND (...)": ?90 their départements, ?91 their row. */
static void request_scope(struct buf *sql, const struct principal *p)
{
	switch (p->role) {
	case ROLE_ADMIN:
		return;
	case ROLE_COORDINATOR:
	case ROLE_OBSERVER:
		if (p->deps[0])
			buf_puts(sql, " AND instr(?90, ',' || r.dep || ',') > 0");
		return;
	case ROLE_STRUCTURE:
		buf_puts(sql, " AND r.structure_id = ?91");
		return;
	case ROLE_VOLUNTEER:
		buf_puts(sql, " AND EXISTS (SELECT 1 FROM staff_calls k WHERE k.request_id = r.id AND k.volunteer_id = ?91)");
		return;
	default:
		buf_puts(sql, " AND 0");
		return;
	}
}

static void request_scope_bind(sqlite3_stmt *s, const struct principal *p)
{
	if (p->deps[0])
		sqlite3_bind_text(s, 90, p->deps, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 91, p->subject_id);
}

static void read_request(sqlite3_stmt *s, struct staff_request_row *r)
{
	memset(r, 0, offsetof(struct staff_request_row, structure_name));
	r->id = sqlite3_column_int64(s, 0);
	r->structure_id = sqlite3_column_int64(s, 1);
	store_column_copy(r->dep, sizeof r->dep, s, 2);
	store_column_copy(r->professions, sizeof r->professions, s, 3);
	store_column_copy(r->credentials, sizeof r->credentials, s, 4);
	store_column_copy(r->skills, sizeof r->skills, s, 5);
	store_column_copy(r->languages, sizeof r->languages, s, 6);
	r->count = sqlite3_column_int(s, 7);
	store_column_copy(r->urgency, sizeof r->urgency, s, 8);
	store_column_copy(r->notes, sizeof r->notes, s, 9);
	store_column_copy(r->address, sizeof r->address, s, 10);
	store_column_copy(r->contact_phone, sizeof r->contact_phone, s, 11);
	r->starts_at = sqlite3_column_int64(s, 12);
	r->ends_at = sqlite3_column_int64(s, 13);
	r->deadline = sqlite3_column_int64(s, 14);
	store_column_copy(r->status, sizeof r->status, s, 15);
	r->filled = sqlite3_column_int(s, 16);
	r->wave = sqlite3_column_int(s, 17);
	r->escalated_at = sqlite3_column_int64(s, 18);
	r->created_by = sqlite3_column_int64(s, 19);
	r->created_at = sqlite3_column_int64(s, 20);
	r->updated_at = sqlite3_column_int64(s, 21);
	r->closed_at = sqlite3_column_int64(s, 22);
	store_column_copy(r->close_reason, sizeof r->close_reason, s, 23);
	store_column_copy(r->structure_name, sizeof r->structure_name, s, 24);
	store_column_copy(r->commune, sizeof r->commune, s, 25);
	store_column_copy(r->commune_name, sizeof r->commune_name, s, 26);
	r->lat = sqlite3_column_double(s, 27);
	r->lng = sqlite3_column_double(s, 28);
}

static int load_shifts(struct store *st, struct staff_request_row *r)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT start_at, end_at FROM staff_shifts WHERE request_id = ? ORDER BY start_at");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, r->id);
	int rc;
	r->nshifts = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && r->nshifts < STAFF_SHIFTS_MAX) {
		struct match_window *w = &r->shifts[r->nshifts++];
		w->start = sqlite3_column_int64(s, 0);
		w->end = sqlite3_column_int64(s, 1);
		w->ref = r->id;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "shifts");
}

static void bind_text_or_null(sqlite3_stmt *s, int col, const char *v)
{
	if (v && v[0])
		sqlite3_bind_text(s, col, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, col);
}

int store_staff_request_insert(struct store *st, struct staff_request_row *r)
{
	sqlite3_stmt *s = store_prepare(
		st, "INSERT INTO staff_requests(structure_id, dep, professions, credentials, skills, languages, count, urgency, "
		    "notes, address, contact_phone, starts_at, ends_at, deadline, status, created_by, created_at, updated_at) "
		    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, 'open', ?15, ?16, ?16)");
	if (!s)
		return STORE_ERROR;
	long long now = store_now(st);
	sqlite3_bind_int64(s, 1, r->structure_id);
	sqlite3_bind_text(s, 2, r->dep, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, r->professions, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, r->credentials, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, r->skills, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, r->languages, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 7, r->count);
	sqlite3_bind_text(s, 8, r->urgency, -1, SQLITE_STATIC);
	bind_text_or_null(s, 9, r->notes);
	bind_text_or_null(s, 10, r->address);
	bind_text_or_null(s, 11, r->contact_phone);
	sqlite3_bind_int64(s, 12, r->starts_at);
	sqlite3_bind_int64(s, 13, r->ends_at);
	sqlite3_bind_int64(s, 14, r->deadline);
	if (r->created_by)
		sqlite3_bind_int64(s, 15, r->created_by);
	sqlite3_bind_int64(s, 16, now);
	int rc = store_step_done(st, s, "staff request");
	if (rc)
		return rc;
	r->id = sqlite3_last_insert_rowid(store_db(st));
	snprintf(r->status, sizeof r->status, "open");
	r->created_at = r->updated_at = now;
	sqlite3_stmt *sh = store_prepare(st, "INSERT INTO staff_shifts(request_id, start_at, end_at) VALUES (?, ?, ?)");
	if (!sh)
		return STORE_ERROR;
	for (int i = 0; i < r->nshifts && !rc; i++) {
		sqlite3_bind_int64(sh, 1, r->id);
		sqlite3_bind_int64(sh, 2, r->shifts[i].start);
		sqlite3_bind_int64(sh, 3, r->shifts[i].end);
		rc = store_step_done(st, sh, "staff shift");
		r->shifts[i].ref = r->id;
	}
	return rc;
}

int store_staff_request_get(struct store *st, const struct principal *p, long long id, struct staff_request_row *out)
{
	struct buf sql;
	buf_init(&sql);
	buf_puts(&sql, "SELECT " REQ_COLUMNS REQ_JOINS " WHERE r.id = ?1");
	request_scope(&sql, p);
	sqlite3_stmt *s = NULL;
	int cached = 0;
	int rc = store_prepare_text(st, sql.data, &s, &cached);
	buf_release(&sql);
	if (rc != SQLITE_OK)
		return store_rc_from_sqlite(st, rc, "staff request");
	sqlite3_bind_int64(s, 1, id);
	request_scope_bind(s, p);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		read_request(s, out);
	store_text_done(s, cached);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? STORE_NOTFOUND : store_rc_from_sqlite(st, rc, "staff request");
	return load_shifts(st, out);
}

int store_staff_request_update(struct store *st, const struct staff_request_row *r)
{
	sqlite3_stmt *s = store_prepare(st, "UPDATE staff_requests SET status = ?2, wave = ?3, escalated_at = ?4, closed_at = ?5, "
					    "close_reason = ?6, updated_at = ?7 WHERE id = ?1");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, r->id);
	sqlite3_bind_text(s, 2, r->status, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, r->wave);
	if (r->escalated_at)
		sqlite3_bind_int64(s, 4, r->escalated_at);
	if (r->closed_at)
		sqlite3_bind_int64(s, 5, r->closed_at);
	bind_text_or_null(s, 6, r->close_reason);
	sqlite3_bind_int64(s, 7, store_now(st));
	return store_step_done(st, s, "staff request update");
}

int store_staff_counts(struct store *st, long long request, struct staff_counts *out)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT status, count(*) FROM staff_calls WHERE request_id = ? GROUP BY status");
	if (!s)
		return STORE_ERROR;
	memset(out, 0, sizeof *out);
	sqlite3_bind_int64(s, 1, request);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(s, 0);
		int n = sqlite3_column_int(s, 1);
		out->called += n;
		int *slot = !strcmp(k, "open")	       ? &out->open
			    : !strcmp(k, "accepted")  ? &out->accepted
			    : !strcmp(k, "declined")  ? &out->declined
			    : !strcmp(k, "expired")   ? &out->expired
			    : !strcmp(k, "failed")    ? &out->failed
			    : !strcmp(k, "withdrawn") ? &out->withdrawn
			    : !strcmp(k, "cancelled") ? &out->cancelled
						      : &out->late;
		*slot += n;
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "staff counts");
}

int store_staff_request_list(struct store *st, const struct principal *p, const struct staff_request_query *q,
			     int (*cb)(void *ctx, const struct staff_request_row *r), void *ctx)
{
	struct buf sql;
	buf_init(&sql);
	buf_puts(&sql, "SELECT " REQ_COLUMNS REQ_JOINS " WHERE r.id > ?1 AND (?2 = 0 OR r.structure_id = ?2) "
		       "AND (?3 IS NULL OR r.dep = ?3)");
	if (q->status && strcmp(q->status, "active") == 0)
		buf_puts(&sql, " AND (r.status = 'open' OR r.status = 'filling')");
	else if (q->status)
		buf_puts(&sql, " AND r.status = ?4");
	request_scope(&sql, p);
	buf_puts(&sql, " ORDER BY r.id LIMIT ?5");
	sqlite3_stmt *s = NULL;
	int cached = 0;
	int rc = store_prepare_text(st, sql.data, &s, &cached);
	buf_release(&sql);
	if (rc != SQLITE_OK)
		return store_rc_from_sqlite(st, rc, "staff requests");
	sqlite3_bind_int64(s, 1, q->after);
	sqlite3_bind_int64(s, 2, q->structure_id);
	if (q->dep)
		sqlite3_bind_text(s, 3, q->dep, -1, SQLITE_STATIC);
	if (q->status && strcmp(q->status, "active") != 0)
		sqlite3_bind_text(s, 4, q->status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, q->limit);
	request_scope_bind(s, p);
	/* rows are copied out before the callback: it may read the store (shifts, counts) */
	struct staff_request_row *rows = NULL;
	size_t n = 0, cap = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (array_grow((void **)&rows, &cap, n + 1, sizeof *rows)) {
			rc = SQLITE_NOMEM;
			break;
		}
		read_request(s, &rows[n++]);
	}
	store_text_done(s, cached);
	int out = rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "staff requests");
	for (size_t i = 0; i < n && out == STORE_OK; i++) {
		if ((out = load_shifts(st, &rows[i])))
			break;
		if (cb(ctx, &rows[i]))
			break;
	}
	free(rows);
	return out;
}

/* Ids of one column from a query bound with now, gathered before the callbacks (which write). */
static int ids_then(struct store *st, const char *sql, long long now, int (*cb)(void *ctx, long long id), void *ctx)
{
	sqlite3_stmt *s = store_prepare(st, sql);
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, now);
	long long *ids = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (array_grow((void **)&ids, &cap, n + 1, sizeof *ids)) {
			rc = SQLITE_NOMEM;
			break;
		}
		ids[n++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_reset(s);
	int out = rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "staff ids");
	for (size_t i = 0; i < n && out == STORE_OK; i++)
		if (cb(ctx, ids[i]))
			break;
	free(ids);
	return out;
}

int store_staff_requests_past_deadline(struct store *st, long long now, int (*cb)(void *ctx, long long id), void *ctx)
{
	return ids_then(st, "SELECT id FROM staff_requests WHERE (status = 'open' OR status = 'filling') AND deadline <= ?1 "
			    "ORDER BY id", now, cb, ctx);
}

int store_staff_requests_with_expired_calls(struct store *st, long long now, int (*cb)(void *ctx, long long id),
					    void *ctx)
{
	return ids_then(st, "SELECT DISTINCT request_id FROM staff_calls WHERE status = 'open' AND expires_at <= ?1 "
			    "ORDER BY request_id", now, cb, ctx);
}

/* --- calls ---------------------------------------------------------------------------------------- */

#define CALL_COLUMNS                                                                                          \
	"k.id, k.request_id, k.volunteer_id, k.wave, k.rank, k.code, k.status, k.distance_m, k.widened, "          \
	"coalesce(k.prev_called_at, 0), k.prev_deployments, coalesce(k.sms_id, 0), k.called_at, k.expires_at, "     \
	"coalesce(k.answered_at, 0), k.updated_at, v.dep, v.profession, v.sms_lang, coalesce(v.phone, ''), "        \
	"coalesce(v.first_name, ''), coalesce(v.last_name, '')"
#define CALL_JOINS " FROM staff_calls k JOIN volunteers v ON v.id = k.volunteer_id"

static void read_call(sqlite3_stmt *s, struct staff_call_row *c)
{
	c->id = sqlite3_column_int64(s, 0);
	c->request_id = sqlite3_column_int64(s, 1);
	c->volunteer_id = sqlite3_column_int64(s, 2);
	c->wave = sqlite3_column_int(s, 3);
	c->rank = sqlite3_column_int(s, 4);
	store_column_copy(c->code, sizeof c->code, s, 5);
	store_column_copy(c->status, sizeof c->status, s, 6);
	c->distance_m = sqlite3_column_int(s, 7);
	c->widened = sqlite3_column_int(s, 8);
	c->prev_called_at = sqlite3_column_int64(s, 9);
	c->prev_deployments = sqlite3_column_int(s, 10);
	c->sms_id = sqlite3_column_int64(s, 11);
	c->called_at = sqlite3_column_int64(s, 12);
	c->expires_at = sqlite3_column_int64(s, 13);
	c->answered_at = sqlite3_column_int64(s, 14);
	c->updated_at = sqlite3_column_int64(s, 15);
	store_column_copy(c->vdep, sizeof c->vdep, s, 16);
	store_column_copy(c->profession, sizeof c->profession, s, 17);
	store_column_copy(c->sms_lang, sizeof c->sms_lang, s, 18);
	store_column_copy(c->phone, sizeof c->phone, s, 19);
	store_column_copy(c->first_name, sizeof c->first_name, s, 20);
	store_column_copy(c->last_name, sizeof c->last_name, s, 21);
}

int store_staff_call_insert(struct store *st, struct staff_call_row *c)
{
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO staff_calls(request_id, volunteer_id, wave, rank, code, status, "
					    "distance_m, widened, prev_called_at, prev_deployments, called_at, expires_at, "
					    "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, 'open', ?6, ?7, ?8, ?9, ?10, ?11, ?10)");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, c->request_id);
	sqlite3_bind_int64(s, 2, c->volunteer_id);
	sqlite3_bind_int(s, 3, c->wave);
	sqlite3_bind_int(s, 4, c->rank);
	sqlite3_bind_text(s, 5, c->code, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 6, c->distance_m);
	sqlite3_bind_int(s, 7, c->widened);
	if (c->prev_called_at)
		sqlite3_bind_int64(s, 8, c->prev_called_at);
	sqlite3_bind_int(s, 9, c->prev_deployments);
	sqlite3_bind_int64(s, 10, c->called_at);
	sqlite3_bind_int64(s, 11, c->expires_at);
	int rc = store_step_done(st, s, "staff call");
	if (rc)
		return rc;
	c->id = sqlite3_last_insert_rowid(store_db(st));
	snprintf(c->status, sizeof c->status, "open");
	return STORE_OK;
}

int store_staff_call_get(struct store *st, long long id, struct staff_call_row *out)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT " CALL_COLUMNS CALL_JOINS " WHERE k.id = ?");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		read_call(s, out);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOTFOUND : store_rc_from_sqlite(st, rc, "staff call");
}

int store_staff_call_set_status(struct store *st, long long id, const char *status, long long answered_at)
{
	sqlite3_stmt *s = store_prepare(st, "UPDATE staff_calls SET status = ?2, answered_at = coalesce(?3, answered_at), "
					    "updated_at = ?4 WHERE id = ?1");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, status, -1, SQLITE_STATIC);
	if (answered_at)
		sqlite3_bind_int64(s, 3, answered_at);
	sqlite3_bind_int64(s, 4, store_now(st));
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_CONSTRAINT) {
		store_set_failure(st, "call", "the request is already filled");
		return STORE_CONFLICT;
	}
	return rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "staff call status");
}

int store_staff_call_set_sms(struct store *st, long long id, long long sms_id, long long expires_at)
{
	sqlite3_stmt *s = store_prepare(st, "UPDATE staff_calls SET sms_id = ?2, expires_at = ?3 WHERE id = ?1");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, sms_id);
	sqlite3_bind_int64(s, 3, expires_at);
	return store_step_done(st, s, "staff call sms");
}

/* Calls of a statement copied out before the callbacks (which may write). */
static int calls_then(struct store *st, sqlite3_stmt *s, int cached_text, int (*cb)(void *ctx, const struct staff_call_row *c),
		      void *ctx)
{
	struct staff_call_row *rows = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (array_grow((void **)&rows, &cap, n + 1, sizeof *rows)) {
			rc = SQLITE_NOMEM;
			break;
		}
		read_call(s, &rows[n++]);
	}
	if (cached_text >= 0)
		store_text_done(s, cached_text);
	else
		sqlite3_reset(s);
	int out = rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "staff calls");
	for (size_t i = 0; i < n && out == STORE_OK; i++)
		if (cb(ctx, &rows[i]))
			break;
	free(rows);
	return out;
}

int store_staff_calls_of_request(struct store *st, long long request, const char *status,
				 int (*cb)(void *ctx, const struct staff_call_row *c), void *ctx)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT " CALL_COLUMNS CALL_JOINS " WHERE k.request_id = ?1 AND "
					    "(?2 IS NULL OR k.status = ?2) ORDER BY k.id");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, request);
	if (status)
		sqlite3_bind_text(s, 2, status, -1, SQLITE_STATIC);
	return calls_then(st, s, -1, cb, ctx);
}

int store_staff_calls_of_volunteer(struct store *st, long long volunteer, int live,
				   int (*cb)(void *ctx, const struct staff_call_row *c), void *ctx)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT " CALL_COLUMNS CALL_JOINS " WHERE k.volunteer_id = ?1 AND "
					    "(?2 = 0 OR k.status = 'open' OR k.status = 'accepted') ORDER BY k.id DESC LIMIT 200");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, volunteer);
	sqlite3_bind_int(s, 2, live);
	return calls_then(st, s, -1, cb, ctx);
}

int store_staff_code_taken(struct store *st, long long volunteer, const char *code)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT 1 FROM staff_calls WHERE volunteer_id = ? AND code = ? "
					    "AND (status = 'open' OR status = 'accepted')");
	if (!s)
		return 1;
	sqlite3_bind_int64(s, 1, volunteer);
	sqlite3_bind_text(s, 2, code, -1, SQLITE_STATIC);
	int taken = sqlite3_step(s) != SQLITE_DONE;
	sqlite3_reset(s);
	return taken;
}

/* --- replies -------------------------------------------------------------------------------------- */

int store_staff_reply_insert(struct store *st, const struct staff_reply_row *r)
{
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO staff_replies(request_id, call_id, volunteer_id, source, inbox_id, "
					    "text, verb, result, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, r->request_id);
	sqlite3_bind_int64(s, 2, r->call_id);
	sqlite3_bind_int64(s, 3, r->volunteer_id);
	sqlite3_bind_text(s, 4, r->source, -1, SQLITE_STATIC);
	if (r->inbox_id)
		sqlite3_bind_int64(s, 5, r->inbox_id);
	if (r->text)
		sqlite3_bind_text(s, 6, r->text, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, r->verb, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, r->result, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 9, store_now(st));
	return store_step_done(st, s, "staff reply");
}

int store_staff_replies_of_request(struct store *st, long long request,
				   int (*cb)(void *ctx, const struct staff_reply_row *r), void *ctx)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT id, request_id, call_id, volunteer_id, coalesce(inbox_id, 0), at, source, "
					    "text, verb, result FROM staff_replies WHERE request_id = ? ORDER BY id");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, request);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct staff_reply_row r = {
			sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1), sqlite3_column_int64(s, 2),
			sqlite3_column_int64(s, 3), sqlite3_column_int64(s, 4), sqlite3_column_int64(s, 5),
			(const char *)sqlite3_column_text(s, 6), (const char *)sqlite3_column_text(s, 7),
			(const char *)sqlite3_column_text(s, 8), (const char *)sqlite3_column_text(s, 9),
		};
		if (cb(ctx, &r))
			break;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "staff replies");
}

int store_staff_contact(struct store *st, long long volunteer, struct staff_contact *out)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT coalesce(phone, ''), sms_lang, profession, dep, coalesce(first_name, ''), "
					    "coalesce(last_name, '') FROM volunteers WHERE id = ?");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, volunteer);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		store_column_copy(out->phone, sizeof out->phone, s, 0);
		store_column_copy(out->lang, sizeof out->lang, s, 1);
		store_column_copy(out->profession, sizeof out->profession, s, 2);
		store_column_copy(out->dep, sizeof out->dep, s, 3);
		store_column_copy(out->first_name, sizeof out->first_name, s, 4);
		store_column_copy(out->last_name, sizeof out->last_name, s, 5);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOTFOUND : store_rc_from_sqlite(st, rc, "volunteer");
}

int store_staff_erase_volunteer(struct store *st, long long volunteer)
{
	sqlite3_stmt *s = store_prepare(st, "DELETE FROM volunteer_windows WHERE volunteer_id = ?");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, volunteer);
	int wrc = store_step_done(st, s, "erase windows");
	if (wrc)
		return wrc;
	s = store_prepare(st, "UPDATE staff_replies SET text = NULL WHERE volunteer_id = ?");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, volunteer);
	int rc = store_step_done(st, s, "erase replies");
	if (rc)
		return rc;
	s = store_prepare(st, "UPDATE audit SET after = json_remove(after, '$.text') WHERE entity = 'staff_reply' AND "
			      "json_extract(after, '$.volunteer_id') = ?");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, volunteer);
	return store_step_done(st, s, "erase reply audit");
}

/* --- the matching's inputs -------------------------------------------------------------------------- */

/* Text kept in the pool; its offset (pointers are set once the pool stops growing). */
static size_t pool_text(struct match_pool *pool, const char *s)
{
	size_t n = strlen(s ? s : "") + 1;
	if (array_grow((void **)&pool->text, &pool->captext, pool->ntext + n, 1)) {
		pool->oom = 1;
		return 0;
	}
	size_t at = pool->ntext;
	memcpy(pool->text + at, s ? s : "", n);
	pool->ntext += n;
	return at;
}

/* The volunteer of this id (pool->v is in id order), or NULL. */
static struct match_volunteer *by_id(struct match_pool *pool, long long id)
{
	size_t lo = 0, hi = pool->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (pool->v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < pool->n && pool->v[lo].id == id ? &pool->v[lo] : NULL;
}

/* The WHERE of the volunteers the load reads (alias v). ?1 professions, ?2 one volunteer. */
#define LOAD_WHERE                                                                                          \
	" v.status != 'erased' AND (?1 IS NULL OR instr(' ' || ?1 || ' ', ' ' || v.profession || ' ') > 0) "    \
	"AND (?2 = 0 OR v.id = ?2)"

static void bind_load(sqlite3_stmt *s, const struct match_load *q)
{
	if (q->only_professions && q->request)
		sqlite3_bind_text(s, 1, q->request->professions, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, q->only_volunteer);
}

static int load_volunteers(struct store *st, const struct match_load *q, struct match_pool *pool)
{
	/* "unavailable" said with no window to explain it (the page, INDISPO without a date): until they
	 * say otherwise; one that a window explains (an unavailability covering now, available-only
	 * windows still to come) is the windows' to judge */
	sqlite3_stmt *s = store_prepare(
		st, "SELECT v.id, v.status, v.profession, c.lat, c.lng, v.travel_radius_km, v.skills, v.languages, "
		    "v.availability = 'unavailable' AND NOT EXISTS (SELECT 1 FROM volunteer_windows w WHERE w.volunteer_id = "
		    "v.id AND ((w.kind = 'unavailable' AND w.start_at <= ?3 AND (w.end_at IS NULL OR w.end_at > ?3)) OR "
		    "(w.kind = 'available' AND w.end_at > ?3))), v.dep "
		    "FROM volunteers v LEFT JOIN communes c ON c.insee = v.home_commune WHERE" LOAD_WHERE " ORDER BY v.id");
	if (!s)
		return STORE_ERROR;
	bind_load(s, q);
	sqlite3_bind_int64(s, 3, q->now);
	const struct field *prof = entity_field(&entity_volunteer, "profession", NULL);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (pool->n == pool->cap) {
			size_t cap = pool->cap ? 2 * pool->cap : 256;
			struct match_volunteer *nv = realloc(pool->v, cap * sizeof *nv);
			if (nv)
				pool->v = nv;
			struct match_pool_entry *ne = nv ? realloc(pool->e, cap * sizeof *ne) : NULL;
			if (!ne) {
				rc = SQLITE_NOMEM;
				break;
			}
			pool->e = ne;
			pool->cap = cap;
		}
		struct match_volunteer *v = &pool->v[pool->n];
		struct match_pool_entry *e = &pool->e[pool->n];
		memset(v, 0, sizeof *v);
		memset(e, 0, sizeof *e);
		v->id = sqlite3_column_int64(s, 0);
		const char *status = (const char *)sqlite3_column_text(s, 1);
		v->status = !status || !strcmp(status, "active") ? MATCH_ACTIVE
			    : !strcmp(status, "pending")	 ? MATCH_PENDING
							 : MATCH_SUSPENDED;
		const char *p = (const char *)sqlite3_column_text(s, 2);
		v->profession = p ? field_enum_index(prof, p) : -1;
		v->has_place = sqlite3_column_type(s, 3) != SQLITE_NULL;
		v->lat = sqlite3_column_double(s, 3);
		v->lng = sqlite3_column_double(s, 4);
		v->radius_km = sqlite3_column_int(s, 5);
		v->unavailable_open = sqlite3_column_int(s, 8);
		store_column_copy(e->dep, sizeof e->dep, s, 9);
		e->skills_at = pool_text(pool, (const char *)sqlite3_column_text(s, 6));
		e->langs_at = pool_text(pool, (const char *)sqlite3_column_text(s, 7));
		pool->n++;
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "volunteers");
}

/* A credential's expiry date "YYYY-MM-DD" is the last day it is valid, in Paris: it stops at the
 * next midnight. */
static long long valid_until(const char *expires_on)
{
	int y, m, d;
	if (!expires_on || paris_parse_date(expires_on, &y, &m, &d))
		return MATCH_FOREVER;
	return paris_end_of_day(y, m, d);
}

static int load_credentials(struct store *st, const struct match_load *q, struct match_pool *pool)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT k.volunteer_id, k.kind, k.expires_on FROM volunteer_credentials k "
					    "JOIN volunteers v ON v.id = k.volunteer_id WHERE" LOAD_WHERE
					    " ORDER BY k.volunteer_id, k.id");
	if (!s)
		return STORE_ERROR;
	bind_load(s, q);
	const struct field *kind = entity_field(&entity_volunteer_credential, "kind", NULL);
	int rc;
	long long last = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		long long vid = sqlite3_column_int64(s, 0);
		struct match_volunteer *v = by_id(pool, vid);
		const char *k = (const char *)sqlite3_column_text(s, 1);
		if (!v || !k)
			continue;
		if (array_grow((void **)&pool->creds, &pool->capcreds, pool->ncreds + 1, sizeof *pool->creds)) {
			rc = SQLITE_NOMEM;
			break;
		}
		if (vid != last)
			pool->e[v - pool->v].cred_at = pool->ncreds;
		last = vid;
		pool->creds[pool->ncreds].kind = field_enum_index(kind, k);
		pool->creds[pool->ncreds].valid_until = valid_until((const char *)sqlite3_column_text(s, 2));
		pool->ncreds++;
		v->ncreds++;
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "credentials");
}

/* Appends one window of volunteer vid to the pool; *last and the counter say where its list starts. */
static int add_window(struct match_pool *pool, struct match_volunteer *v, size_t *at, unsigned int *count, long long *last,
		      long long start, long long end, long long ref)
{
	if (array_grow((void **)&pool->windows, &pool->capwindows, pool->nwindows + 1, sizeof *pool->windows))
		return -1;
	if (v->id != *last)
		*at = pool->nwindows;
	*last = v->id;
	pool->windows[pool->nwindows++] = (struct match_window){start, end, ref};
	(*count)++;
	return 0;
}

/* The shifts of their accepted calls that come near the request's (overlapping, or within the rest
 * on either side). */
static int load_assignments(struct store *st, const struct match_load *q, struct match_pool *pool)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT k.volunteer_id, h.start_at, h.end_at, k.request_id FROM staff_calls k "
					    "JOIN staff_shifts h ON h.request_id = k.request_id JOIN volunteers v ON v.id = "
					    "k.volunteer_id WHERE k.status = 'accepted' AND h.end_at > ?3 AND h.start_at < ?4 AND"
					    LOAD_WHERE " ORDER BY k.volunteer_id, h.start_at");
	if (!s)
		return STORE_ERROR;
	bind_load(s, q);
	sqlite3_bind_int64(s, 3, q->request ? q->request->starts_at - q->rest_ms : 0);
	sqlite3_bind_int64(s, 4, q->request ? q->request->ends_at + q->rest_ms : 0);
	int rc;
	long long last = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct match_volunteer *v = by_id(pool, sqlite3_column_int64(s, 0));
		if (!v)
			continue;
		if (add_window(pool, v, &pool->e[v - pool->v].assigned_at, &v->nassigned, &last, sqlite3_column_int64(s, 1),
			       sqlite3_column_int64(s, 2), sqlite3_column_int64(s, 3))) {
			rc = SQLITE_NOMEM;
			break;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "assignments");
}

/* Their unavailabilities that overlap the request's span, and their available-only windows still to
 * come (past ones say nothing any more): each kind's list in start order. */
static int load_windows(struct store *st, const struct match_load *q, struct match_pool *pool, int only)
{
	sqlite3_stmt *s = store_prepare(st, only ? "SELECT w.volunteer_id, w.start_at, coalesce(w.end_at, 9223372036854775807) "
						   "FROM volunteer_windows w JOIN volunteers v ON v.id = w.volunteer_id "
						   "WHERE w.kind = 'available' AND w.end_at > ?5 AND" LOAD_WHERE
						   " ORDER BY w.volunteer_id, w.start_at"
						 : "SELECT w.volunteer_id, w.start_at, coalesce(w.end_at, 9223372036854775807) "
						   "FROM volunteer_windows w JOIN volunteers v ON v.id = w.volunteer_id "
						   "WHERE w.kind = 'unavailable' AND w.start_at < ?4 AND (w.end_at IS NULL "
						   "OR w.end_at > ?3) AND" LOAD_WHERE " ORDER BY w.volunteer_id, w.start_at");
	if (!s)
		return STORE_ERROR;
	bind_load(s, q);
	sqlite3_bind_int64(s, 3, q->request ? q->request->starts_at : 0);
	sqlite3_bind_int64(s, 4, q->request ? q->request->ends_at : 0);
	sqlite3_bind_int64(s, 5, q->now);
	int rc;
	long long last = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct match_volunteer *v = by_id(pool, sqlite3_column_int64(s, 0));
		if (!v)
			continue;
		struct match_pool_entry *e = &pool->e[v - pool->v];
		if (add_window(pool, v, only ? &e->only_at : &e->unavail_at, only ? &v->navailable_only : &v->nunavailable,
			       &last, sqlite3_column_int64(s, 1), sqlite3_column_int64(s, 2), 0)) {
			rc = SQLITE_NOMEM;
			break;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "windows");
}

/* Fairness: when each was last called, how often each was deployed; and who this request called. */
static int load_history(struct store *st, const struct match_load *q, struct match_pool *pool)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT k.volunteer_id, max(k.called_at), sum(k.status = 'accepted'), "
					    "max(k.request_id = ?3) FROM staff_calls k JOIN volunteers v ON v.id = k.volunteer_id "
					    "WHERE" LOAD_WHERE " GROUP BY k.volunteer_id");
	if (!s)
		return STORE_ERROR;
	bind_load(s, q);
	sqlite3_bind_int64(s, 3, q->request ? q->request->id : 0);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct match_volunteer *v = by_id(pool, sqlite3_column_int64(s, 0));
		if (!v)
			continue;
		v->last_called_at = sqlite3_column_int64(s, 1);
		v->deployments = sqlite3_column_int(s, 2);
		v->already_called = sqlite3_column_int(s, 3);
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "call history");
}

int store_staff_match_load(struct store *st, const struct match_load *q, struct match_pool *pool)
{
	memset(pool, 0, sizeof *pool);
	int rc = load_volunteers(st, q, pool);
	if (!rc)
		rc = load_credentials(st, q, pool);
	if (!rc)
		rc = load_windows(st, q, pool, 0);
	if (!rc)
		rc = load_windows(st, q, pool, 1);
	if (!rc)
		rc = load_assignments(st, q, pool);
	if (!rc)
		rc = load_history(st, q, pool);
	if (!rc && pool->oom)
		rc = STORE_ERROR;
	if (rc) {
		match_pool_release(pool);
		return rc;
	}
	/* the arrays stopped growing: the pointers can be made */
	for (size_t i = 0; i < pool->n; i++) {
		struct match_volunteer *v = &pool->v[i];
		const struct match_pool_entry *e = &pool->e[i];
		v->skills = pool->text + e->skills_at;
		v->languages = pool->text + e->langs_at;
		v->creds = v->ncreds ? pool->creds + e->cred_at : NULL;
		v->unavailable = v->nunavailable ? pool->windows + e->unavail_at : NULL;
		v->available_only = v->navailable_only ? pool->windows + e->only_at : NULL;
		v->assigned = v->nassigned ? pool->windows + e->assigned_at : NULL;
	}
	return STORE_OK;
}

void match_pool_release(struct match_pool *pool)
{
	free(pool->v);
	free(pool->e);
	free(pool->creds);
	free(pool->windows);
	free(pool->text);
	memset(pool, 0, sizeof *pool);
}
