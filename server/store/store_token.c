#include "store_token.h"

#include "store_sqlite.h"

#include <stdio.h>
#include <string.h>

static const char *subject_table(enum role role)
{
	switch (role) {
	case ROLE_STRUCTURE:
		return "SELECT 1 FROM structures WHERE id = ?";
	case ROLE_DEPOT:
		return "SELECT 1 FROM depots WHERE id = ?";
	case ROLE_VOLUNTEER:
		return "SELECT 1 FROM volunteers WHERE id = ? AND status != 'erased'";
	default:
		return NULL;
	}
}

int store_token_create(struct store *st, enum role role, const char *deps, long long subject_id,
		       const char *label, const char *hash, long long *id)
{
	const char *check = subject_table(role);
	if (check) {
		sqlite3_stmt *s = store_prepare(st, check);
		if (!s)
			return STORE_ERROR;
		sqlite3_bind_int64(s, 1, subject_id);
		int found = sqlite3_step(s) == SQLITE_ROW;
		sqlite3_reset(s);
		if (!found) {
			store_set_failure(st, "subject", "must be the id of an existing structure, depot or volunteer "
							 "matching the role");
			return STORE_INVALID;
		}
	}
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO tokens(hash, role, scope, subject_id, label, created_at) "
					    "VALUES (?, ?, ?, ?, ?, ?)");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, role_name(role), -1, SQLITE_STATIC);
	if (deps && deps[0])
		sqlite3_bind_text(s, 3, deps, -1, SQLITE_STATIC);
	if (check)
		sqlite3_bind_int64(s, 4, subject_id);
	sqlite3_bind_text(s, 5, label ? label : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, store_now(st));
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_rc_from_sqlite(st, rc, "token create");
	*id = sqlite3_last_insert_rowid(store_db(st));
	return STORE_OK;
}

int store_token_lookup(struct store *st, const char *hash, struct principal *out)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT id, role, scope, subject_id FROM tokens "
					    "WHERE hash = ? AND revoked_at IS NULL");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, hash, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return rc == SQLITE_DONE ? STORE_NOTFOUND : store_rc_from_sqlite(st, rc, "token lookup");
	}
	memset(out, 0, sizeof *out);
	out->token_id = sqlite3_column_int64(s, 0);
	int role = role_parse((const char *)sqlite3_column_text(s, 1));
	out->role = role < 0 ? ROLE_OBSERVER : (enum role)role;
	store_column_copy(out->deps, sizeof out->deps, s, 2);
	out->subject_id = sqlite3_column_int64(s, 3);
	sqlite3_reset(s);
	return STORE_OK;
}

int store_token_active(struct store *st, long long id)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT 1 FROM tokens WHERE id = ? AND revoked_at IS NULL");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return STORE_OK;
	return rc == SQLITE_DONE ? STORE_NOTFOUND : store_rc_from_sqlite(st, rc, "token check");
}

int store_token_revoke(struct store *st, long long id)
{
	sqlite3_stmt *s = store_prepare(st, "UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, store_now(st));
	sqlite3_bind_int64(s, 2, id);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_rc_from_sqlite(st, rc, "token revoke");
	return sqlite3_changes(store_db(st)) ? STORE_OK : STORE_NOTFOUND;
}

int store_token_list(struct store *st, int (*cb)(void *ctx, const struct token_info *t), void *ctx)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT id, role, scope, subject_id, label, created_at, revoked_at "
					    "FROM tokens ORDER BY id");
	if (!s)
		return STORE_ERROR;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct token_info t;
		memset(&t, 0, sizeof t);
		t.id = sqlite3_column_int64(s, 0);
		int role = role_parse((const char *)sqlite3_column_text(s, 1));
		t.role = role < 0 ? ROLE_OBSERVER : (enum role)role;
		store_column_copy(t.deps, sizeof t.deps, s, 2);
		t.subject_id = sqlite3_column_int64(s, 3);
		store_column_copy(t.label, sizeof t.label, s, 4);
		t.created_at = sqlite3_column_int64(s, 5);
		t.revoked_at = sqlite3_column_int64(s, 6);
		if (cb(ctx, &t))
			break;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "token list");
}

int store_token_revoke_subject(struct store *st, enum role role, long long subject_id)
{
	sqlite3_stmt *s = store_prepare(st, "UPDATE tokens SET revoked_at = ? WHERE role = ? AND subject_id = ? "
					    "AND revoked_at IS NULL");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, store_now(st));
	sqlite3_bind_text(s, 2, role_name(role), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, subject_id);
	return store_step_done(st, s, "token revoke subject");
}

int store_token_label(struct store *st, long long token, char *out, size_t n)
{
	out[0] = '\0';
	sqlite3_stmt *s = store_prepare(st, "SELECT label FROM tokens WHERE id = ?");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, token);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		store_column_copy(out, n, s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "token label");
}
