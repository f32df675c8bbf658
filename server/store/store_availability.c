#include "store_availability.h"

#include "auth.h"
#include "buf.h"
#include "store_sqlite.h"

#include <stdlib.h>
#include <string.h>

int store_window_insert(struct store *st, struct window_row *w)
{
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO volunteer_windows(volunteer_id, kind, start_at, end_at, source, "
					    "created_at) VALUES (?, ?, ?, ?, ?, ?)");
	if (!s)
		return STORE_ERROR;
	w->created_at = store_now(st);
	sqlite3_bind_int64(s, 1, w->volunteer_id);
	sqlite3_bind_text(s, 2, w->kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, w->start_at);
	if (w->end_at)
		sqlite3_bind_int64(s, 4, w->end_at);
	sqlite3_bind_text(s, 5, w->source, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, w->created_at);
	int rc = store_step_done(st, s, "window");
	if (!rc)
		w->id = sqlite3_last_insert_rowid(store_db(st));
	return rc;
}

int store_window_delete(struct store *st, long long volunteer, long long id)
{
	sqlite3_stmt *s = store_prepare(st, "DELETE FROM volunteer_windows WHERE id = ? AND volunteer_id = ?");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, volunteer);
	int rc = store_step_done(st, s, "window delete");
	if (rc)
		return rc;
	return sqlite3_changes(store_db(st)) ? STORE_OK : STORE_NOTFOUND;
}

/* A statement about volunteer (?1) at now (?2), bound; NULL when it cannot be prepared. */
static sqlite3_stmt *about(struct store *st, const char *sql, long long volunteer, long long now)
{
	sqlite3_stmt *s = store_prepare(st, sql);
	if (s) {
		sqlite3_bind_int64(s, 1, volunteer);
		sqlite3_bind_int64(s, 2, now);
	}
	return s;
}

int store_windows_of(struct store *st, long long volunteer, long long now, int (*cb)(void *ctx, const struct window_row *w),
		     void *ctx)
{
	sqlite3_stmt *s = about(st, "SELECT id, volunteer_id, kind, start_at, coalesce(end_at, 0), source, created_at "
				"FROM volunteer_windows WHERE volunteer_id = ? AND (end_at IS NULL OR end_at > ?) "
				"ORDER BY start_at, id", volunteer, now);
	if (!s)
		return STORE_ERROR;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct window_row w;
		memset(&w, 0, sizeof w);
		w.id = sqlite3_column_int64(s, 0);
		w.volunteer_id = sqlite3_column_int64(s, 1);
		store_column_copy(w.kind, sizeof w.kind, s, 2);
		w.start_at = sqlite3_column_int64(s, 3);
		w.end_at = sqlite3_column_int64(s, 4);
		store_column_copy(w.source, sizeof w.source, s, 5);
		w.created_at = sqlite3_column_int64(s, 6);
		if (cb(ctx, &w))
			break;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "windows");
}

int store_windows_count(struct store *st, long long volunteer, long long now, long long *n)
{
	sqlite3_stmt *s = about(st, "SELECT count(*) FROM volunteer_windows WHERE volunteer_id = ? AND "
				"(end_at IS NULL OR end_at > ?)", volunteer, now);
	if (!s)
		return STORE_ERROR;
	int rc = sqlite3_step(s);
	*n = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? STORE_OK : store_rc_from_sqlite(st, rc, "windows");
}

int store_windows_end_unavailable(struct store *st, long long volunteer, long long now)
{
	sqlite3_stmt *s = about(st, "UPDATE volunteer_windows SET end_at = ?2 WHERE volunteer_id = ?1 AND "
				"kind = 'unavailable' AND start_at < ?2 AND (end_at IS NULL OR end_at > ?2)", volunteer, now);
	if (!s)
		return STORE_ERROR;
	return store_step_done(st, s, "windows end");
}

int store_availability_inputs(struct store *st, long long volunteer, long long now, struct availability_inputs *out)
{
	out->nu = out->no = out->na = 0;
	sqlite3_stmt *s = about(st, "SELECT kind, start_at, coalesce(end_at, 9223372036854775807) FROM volunteer_windows "
				"WHERE volunteer_id = ?1 AND (end_at IS NULL OR end_at > ?2) AND "
				"(kind = 'available' OR start_at <= ?2) ORDER BY start_at LIMIT 100", volunteer, now);
	if (!s)
		return STORE_ERROR;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(s, 0);
		int only = k && strcmp(k, "available") == 0;
		struct match_window w = {sqlite3_column_int64(s, 1), sqlite3_column_int64(s, 2), 0};
		if (only && out->no < WINDOWS_MAX)
			out->only[out->no++] = w;
		else if (!only && out->nu < WINDOWS_MAX)
			out->unavailable[out->nu++] = w;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_rc_from_sqlite(st, rc, "availability");
	s = about(st, "SELECT h.start_at, h.end_at, k.request_id FROM staff_calls k JOIN staff_shifts h ON "
		  "h.request_id = k.request_id WHERE k.volunteer_id = ?1 AND k.status = 'accepted' AND "
		  "h.start_at <= ?2 AND h.end_at > ?2 LIMIT 2", volunteer, now);
	if (!s)
		return STORE_ERROR;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && out->na < 2)
		out->assigned[out->na++] = (struct match_window){sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1),
								 sqlite3_column_int64(s, 2)};
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "availability");
}

/* Ids gathered before the callbacks (which write: the volunteer's availability). */
struct vol_list {
	long long *id;
	char (*dep)[4];
	size_t n, cap;
};

static int vol_add(struct vol_list *l, long long id, const char *dep)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->id[i] == id)
			return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 32;
		long long *ni = realloc(l->id, cap * sizeof *ni);
		if (ni)
			l->id = ni;
		char(*nd)[4] = ni ? realloc(l->dep, cap * sizeof *nd) : NULL;
		if (!nd)
			return -1;
		l->dep = nd;
		l->cap = cap;
	}
	l->id[l->n] = id;
	memcpy(l->dep[l->n], dep ? dep : "", 3);
	l->dep[l->n][3] = '\0';
	l->n++;
	return 0;
}

int store_availability_boundaries(struct store *st, long long after, long long upto,
				  int (*cb)(void *ctx, long long volunteer, const char *dep), void *ctx)
{
	sqlite3_stmt *s = store_prepare(
		st, "SELECT w.volunteer_id, v.dep FROM volunteer_windows w JOIN volunteers v ON v.id = w.volunteer_id "
		    "WHERE (w.start_at > ?1 AND w.start_at <= ?2) OR (w.end_at > ?1 AND w.end_at <= ?2) "
		    "UNION SELECT k.volunteer_id, v.dep FROM staff_shifts h JOIN staff_calls k ON k.request_id = h.request_id "
		    "AND k.status = 'accepted' JOIN volunteers v ON v.id = k.volunteer_id "
		    "WHERE (h.start_at > ?1 AND h.start_at <= ?2) OR (h.end_at > ?1 AND h.end_at <= ?2)");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, after);
	sqlite3_bind_int64(s, 2, upto);
	struct vol_list l = {NULL, NULL, 0, 0};
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (vol_add(&l, sqlite3_column_int64(s, 0), (const char *)sqlite3_column_text(s, 1))) {
			rc = SQLITE_NOMEM;
			break;
		}
	sqlite3_reset(s);
	int out = rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "availability boundaries");
	for (size_t i = 0; i < l.n && out == STORE_OK; i++)
		if (cb(ctx, l.id[i], l.dep[i]))
			break;
	free(l.id);
	free(l.dep);
	return out;
}

/* --- credentials by expiry date ------------------------------------------------------------------- */

#define EXPIRING_COLUMNS                                                                                  \
	"v.id, v.dep, coalesce(v.first_name, ''), coalesce(v.last_name, ''), coalesce(v.phone, ''), v.sms_lang, " \
	"k.kind, k.expires_on"

static void read_expiring(sqlite3_stmt *s, struct expiring_row *r)
{
	r->volunteer_id = sqlite3_column_int64(s, 0);
	r->dep = (const char *)sqlite3_column_text(s, 1);
	r->first_name = (const char *)sqlite3_column_text(s, 2);
	r->last_name = (const char *)sqlite3_column_text(s, 3);
	r->phone = (const char *)sqlite3_column_text(s, 4);
	r->lang = (const char *)sqlite3_column_text(s, 5);
	r->kind = (const char *)sqlite3_column_text(s, 6);
	r->expires_on = (const char *)sqlite3_column_text(s, 7);
}

int store_credentials_expiring(struct store *st, const struct principal *p, const char *from, const char *until,
			       const char *dep, long long limit, int (*cb)(void *ctx, const struct expiring_row *r),
			       void *ctx)
{
	struct buf sql;
	buf_init(&sql);
	buf_puts(&sql, "SELECT " EXPIRING_COLUMNS " FROM volunteer_credentials k JOIN volunteers v ON v.id = k.volunteer_id "
		       "WHERE v.status != 'erased' AND k.expires_on IS NOT NULL AND k.expires_on <= ?1 "
		       "AND (?2 IS NULL OR k.expires_on >= ?2) AND (?3 IS NULL OR v.dep = ?3)");
	if (p->role == ROLE_VOLUNTEER)
		buf_puts(&sql, " AND v.id = ?5");
	else if (p->role != ROLE_ADMIN && p->deps[0])
		buf_puts(&sql, " AND instr(?6, ',' || v.dep || ',') > 0");
	else if (p->role != ROLE_ADMIN && p->role != ROLE_COORDINATOR)
		buf_puts(&sql, " AND 0");
	buf_puts(&sql, " ORDER BY k.expires_on, v.id, k.kind LIMIT ?4");
	sqlite3_stmt *s = NULL;
	int cached = 0;
	int rc = store_prepare_text(st, sql.data, &s, &cached);
	buf_release(&sql);
	if (rc != SQLITE_OK)
		return store_rc_from_sqlite(st, rc, "credentials");
	sqlite3_bind_text(s, 1, until, -1, SQLITE_STATIC);
	if (from)
		sqlite3_bind_text(s, 2, from, -1, SQLITE_STATIC);
	if (dep)
		sqlite3_bind_text(s, 3, dep, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, limit);
	sqlite3_bind_int64(s, 5, p->subject_id);
	if (p->deps[0])
		sqlite3_bind_text(s, 6, p->deps, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct expiring_row r;
		read_expiring(s, &r);
		if (cb(ctx, &r))
			break;
	}
	store_text_done(s, cached);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "credentials");
}

struct expiring_copy {
	long long volunteer_id;
	char dep[4], phone[24], lang[4], kind[24], expires_on[12];
};

int store_credentials_to_remind(struct store *st, const char *from, const char *until,
				int (*cb)(void *ctx, const struct expiring_row *r), void *ctx)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT " EXPIRING_COLUMNS " FROM volunteer_credentials k JOIN volunteers v ON "
					    "v.id = k.volunteer_id WHERE (v.status = 'active' OR v.status = 'pending') AND "
					    "k.expires_on >= ?1 AND k.expires_on <= ?2 AND NOT EXISTS (SELECT 1 FROM "
					    "credential_reminders c WHERE c.volunteer_id = v.id AND c.kind = k.kind AND "
					    "c.expires_on = k.expires_on) ORDER BY k.expires_on, v.id LIMIT 1000");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, until, -1, SQLITE_STATIC);
	struct expiring_copy *rows = NULL;
	size_t n = 0, cap = 0;
	int rc;
	/* copied out before the callbacks: they write (the outbox, the reminders) */
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (array_grow((void **)&rows, &cap, n + 1, sizeof *rows)) {
			rc = SQLITE_NOMEM;
			break;
		}
		struct expiring_copy *c = &rows[n++];
		c->volunteer_id = sqlite3_column_int64(s, 0);
		store_column_copy(c->dep, sizeof c->dep, s, 1);
		store_column_copy(c->phone, sizeof c->phone, s, 4);
		store_column_copy(c->lang, sizeof c->lang, s, 5);
		store_column_copy(c->kind, sizeof c->kind, s, 6);
		store_column_copy(c->expires_on, sizeof c->expires_on, s, 7);
	}
	sqlite3_reset(s);
	int out = rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "credentials to remind");
	for (size_t i = 0; i < n && out == STORE_OK; i++) {
		struct expiring_row r = {rows[i].volunteer_id, rows[i].dep, "", "", rows[i].phone, rows[i].lang, rows[i].kind,
					 rows[i].expires_on};
		if (cb(ctx, &r))
			break;
	}
	free(rows);
	return out;
}

int store_credential_reminded(struct store *st, long long volunteer, const char *kind, const char *expires_on,
			      long long sms_id)
{
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO credential_reminders(volunteer_id, kind, expires_on, sms_id, at) "
					    "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, volunteer);
	sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, expires_on, -1, SQLITE_STATIC);
	if (sms_id)
		sqlite3_bind_int64(s, 4, sms_id);
	sqlite3_bind_int64(s, 5, store_now(st));
	return store_step_done(st, s, "credential reminder");
}
