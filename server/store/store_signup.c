#include "store_signup.h"

#include "store_sqlite.h"

#include <string.h>

int store_signup_code_put(struct store *st, const char *phone, const char *code_hash, const char *lang,
			  long long expires_at)
{
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO signup_codes(phone, code_hash, lang, expires_at, created_at) "
					    "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(phone) DO UPDATE SET code_hash = ?2, "
					    "lang = ?3, expires_at = ?4, used_at = NULL, created_at = ?5");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, phone, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, code_hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, lang, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, expires_at);
	sqlite3_bind_int64(s, 5, store_now(st));
	return store_step_done(st, s, "signup code");
}

int store_signup_code_get(struct store *st, const char *phone, struct signup_code *out)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT code_hash, lang, expires_at, coalesce(used_at, 0), created_at "
					    "FROM signup_codes WHERE phone = ?");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, phone, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		store_column_copy(out->code_hash, sizeof out->code_hash, s, 0);
		store_column_copy(out->lang, sizeof out->lang, s, 1);
		out->expires_at = sqlite3_column_int64(s, 2);
		out->used_at = sqlite3_column_int64(s, 3);
		out->created_at = sqlite3_column_int64(s, 4);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOTFOUND : store_rc_from_sqlite(st, rc, "signup code");
}

int store_signup_code_use(struct store *st, const char *phone)
{
	sqlite3_stmt *s = store_prepare(st, "UPDATE signup_codes SET used_at = ?2 WHERE phone = ?1 AND used_at IS NULL");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, phone, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, store_now(st));
	return store_step_done(st, s, "signup code use");
}

int store_signup_adopt_messages(struct store *st, const char *phone, long long volunteer, const char *dep)
{
	sqlite3_stmt *s = store_prepare(st, "UPDATE sms_outbox SET recipient_kind = 'volunteer', recipient_id = ?2, dep = ?3 "
					    "WHERE recipient_kind = 'phone' AND kind = 'signup_code' AND phone = ?1");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, phone, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, volunteer);
	sqlite3_bind_text(s, 3, dep, -1, SQLITE_STATIC);
	return store_step_done(st, s, "signup messages");
}

int store_signup_count(struct store *st, const char *key, const char *kind, long long since, long long *n)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT count(*) FROM signup_requests WHERE key = ? AND (? IS NULL OR kind = ?) "
					    "AND at > ?");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	if (kind) {
		sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, kind, -1, SQLITE_STATIC);
	}
	sqlite3_bind_int64(s, 4, since);
	int rc = sqlite3_step(s);
	*n = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? STORE_OK : store_rc_from_sqlite(st, rc, "signup count");
}

int store_signup_record(struct store *st, const char *key, const char *kind)
{
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO signup_requests(key, kind, at) VALUES (?, ?, ?)");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, store_now(st));
	return store_step_done(st, s, "signup request");
}

int store_signup_prune(struct store *st, long long before)
{
	sqlite3_stmt *s = store_prepare(st, "DELETE FROM signup_requests WHERE at < ?");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, before);
	int rc = store_step_done(st, s, "signup prune");
	if (rc)
		return rc;
	s = store_prepare(st, "DELETE FROM signup_codes WHERE expires_at < ?");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, before);
	return store_step_done(st, s, "signup codes prune");
}
