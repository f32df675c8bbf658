#include "store_record.h"

#include "auth.h"
#include "buf.h"
#include "log.h"
#include "store_deploy.h"
#include "store_sqlite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Values to bind, in order, once the SQL text is complete. */
struct binds {
	struct {
		int is_int;
		long long i;
		const char *s;
	} v[64];
	int n;
};

static void bind_int(struct binds *b, long long i)
{
	if (b->n < 64) {
		b->v[b->n].is_int = 1;
		b->v[b->n++].i = i;
	}
}

static void bind_text(struct binds *b, const char *s)
{
	if (b->n < 64) {
		b->v[b->n].is_int = 0;
		b->v[b->n++].s = s;
	}
}

static int apply_binds(sqlite3_stmt *s, const struct binds *b, int first)
{
	for (int i = 0; i < b->n; i++) {
		int rc = b->v[i].is_int ? sqlite3_bind_int64(s, first + i, b->v[i].i)
					: sqlite3_bind_text(s, first + i, b->v[i].s, -1, SQLITE_STATIC);
		if (rc != SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
}

/* Prepares sql (released here) and applies its binds: STORE_OK, the statement to be given back
 * with store_text_done(). */
static int prepare_bound(struct store *st, struct buf *sql, const struct binds *b, sqlite3_stmt **s, int *cached,
			 const char *what)
{
	int rc = store_prepare_text(st, sql->data, s, cached);
	buf_release(sql);
	if (rc != SQLITE_OK)
		return store_rc_from_sqlite(st, rc, what);
	apply_binds(*s, b, 1);
	return STORE_OK;
}

static int is_column(const struct field *f)
{
	return f->kind != FK_CHILDREN;
}

static void column_list(struct buf *sql, const struct entity *e, const char *alias)
{
	int first = 1;
	for (size_t i = 0; i < e->nfields; i++)
		if (is_column(&e->fields[i])) {
			buf_printf(sql, "%s%s.%s", first ? "" : ", ", alias, e->fields[i].name);
			first = 0;
		}
}

/* The rows the principal may see (for_read) or change. Appends " AND (...)". */
static void scope_sql(struct buf *sql, struct binds *b, const struct entity *e, const struct principal *p,
		      int for_read)
{
	if (e->flags & E_ERASABLE)
		buf_puts(sql, " AND t.status != 'erased'");
	if (!(e->flags & E_SCOPED))
		return;
	switch (p->role) {
	case ROLE_ADMIN:
		return;
	case ROLE_COORDINATOR:
	case ROLE_OBSERVER:
		if (!p->deps[0])
			return;
		buf_puts(sql, " AND (instr(?, ',' || t.dep || ',') > 0");
		bind_text(b, p->deps);
		if (for_read && (e->flags & E_REGIONAL_SHARED))
			buf_puts(sql, " OR t.level = 'regional'");
		buf_puts(sql, ")");
		return;
	default:
		if ((int)p->role == e->self_role) {
			buf_puts(sql, " AND t.id = ?");
			bind_int(b, p->subject_id);
		} else
			buf_puts(sql, " AND 0");
		return;
	}
}

static void read_columns(sqlite3_stmt *s, struct record *r)
{
	int col = 0;
	for (size_t i = 0; i < r->e->nfields; i++) {
		const struct field *f = &r->e->fields[i];
		if (!is_column(f))
			continue;
		struct value *v = &r->v[i];
		if (sqlite3_column_type(s, col) == SQLITE_NULL) {
			v->state = V_NULL;
		} else {
			v->state = V_SET;
			switch (f->kind) {
			case FK_ID:
			case FK_INT:
			case FK_BOOL:
			case FK_TIME:
				v->i = sqlite3_column_int64(s, col);
				break;
			case FK_REAL:
				v->d = sqlite3_column_double(s, col);
				break;
			default: {
				const char *t = (const char *)sqlite3_column_text(s, col);
				v->s = strdup(t ? t : "");
				break;
			}
			}
		}
		col++;
	}
}

static int load_children(struct store *st, struct record *r, long long id)
{
	for (size_t i = 0; i < r->e->nfields; i++) {
		const struct field *f = &r->e->fields[i];
		if (f->kind != FK_CHILDREN)
			continue;
		struct buf sql;
		buf_init(&sql);
		buf_puts(&sql, "SELECT ");
		column_list(&sql, f->child, "c");
		buf_printf(&sql, " FROM %s c WHERE c.%s = ? ORDER BY c.id", f->child->table, f->child->parent_column);
		sqlite3_stmt *s = NULL;
		int cached = 0;
		int rc = store_prepare_text(st, sql.data, &s, &cached);
		buf_release(&sql);
		if (rc != SQLITE_OK)
			return store_rc_from_sqlite(st, rc, "load children");
		sqlite3_bind_int64(s, 1, id);
		r->v[i].state = V_SET;
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			struct record *c = record_new(f->child);
			if (!c || record_add_child(r, (int)i, c)) {
				record_free(c);
				store_text_done(s, cached);
				return STORE_ERROR;
			}
			read_columns(s, c);
		}
		store_text_done(s, cached);
		if (rc != SQLITE_DONE)
			return store_rc_from_sqlite(st, rc, "load children");
	}
	return STORE_OK;
}

int store_record_get(struct store *st, const struct entity *e, const struct principal *p, long long id,
		     struct record **out)
{
	struct buf sql;
	struct binds b = {.n = 0};
	buf_init(&sql);
	buf_puts(&sql, "SELECT ");
	column_list(&sql, e, "t");
	buf_printf(&sql, " FROM %s t WHERE t.id = ?", e->table);
	bind_int(&b, id);
	scope_sql(&sql, &b, e, p, 1);
	sqlite3_stmt *s = NULL;
	int cached = 0;
	int rc = prepare_bound(st, &sql, &b, &s, &cached, "get");
	if (rc)
		return rc;
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		store_text_done(s, cached);
		return rc == SQLITE_DONE ? STORE_NOTFOUND : store_rc_from_sqlite(st, rc, "get");
	}
	struct record *r = record_new(e);
	if (!r) {
		store_text_done(s, cached);
		return STORE_ERROR;
	}
	read_columns(s, r);
	store_text_done(s, cached);
	if ((rc = load_children(st, r, id))) {
		record_free(r);
		return rc;
	}
	*out = r;
	return STORE_OK;
}

static void where_filters(struct buf *sql, struct binds *b, const struct entity *e, const struct list_query *q)
{
	for (size_t i = 0; i < q->nfilters; i++) {
		const struct field *f = &e->fields[q->filters[i].field];
		if (f->kind == FK_WORDS || f->kind == FK_LANGS)
			buf_printf(sql, " AND instr(' ' || t.%s || ' ', ' ' || ? || ' ') > 0", f->name);
		else
			buf_printf(sql, " AND t.%s = ?", f->name);
		bind_text(b, q->filters[i].value);
	}
	if (q->q && entity_field(e, "name", NULL)) {
		buf_puts(sql, " AND " STORE_SQL_CONTAINS("t.name", "?"));
		bind_text(b, q->q);
	}
}

int store_record_list(struct store *st, const struct entity *e, const struct principal *p,
		      const struct list_query *q, record_cb cb, void *ctx, long long *total)
{
	struct buf where;
	struct binds b = {.n = 0};
	buf_init(&where);
	buf_puts(&where, " WHERE 1");
	scope_sql(&where, &b, e, p, 1);
	where_filters(&where, &b, e, q);

	int rc;
	sqlite3_stmt *s = NULL;
	if (total) {
		struct buf sql;
		buf_init(&sql);
		buf_printf(&sql, "SELECT count(*) FROM %s t%s", e->table, where.data);
		rc = sqlite3_prepare_v2(store_db(st), sql.data, -1, &s, NULL);
		buf_release(&sql);
		if (rc != SQLITE_OK) {
			buf_release(&where);
			return store_rc_from_sqlite(st, rc, "count");
		}
		apply_binds(s, &b, 1);
		*total = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
		sqlite3_finalize(s);
	}

	struct buf sql;
	buf_init(&sql);
	buf_puts(&sql, "SELECT ");
	column_list(&sql, e, "t");
	buf_printf(&sql, " FROM %s t%s AND t.id > ? ORDER BY t.id LIMIT ?", e->table, where.data);
	buf_release(&where);
	bind_int(&b, q->after);
	bind_int(&b, q->limit);
	rc = sqlite3_prepare_v2(store_db(st), sql.data, -1, &s, NULL);
	buf_release(&sql);
	if (rc != SQLITE_OK)
		return store_rc_from_sqlite(st, rc, "list");
	apply_binds(s, &b, 1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct record *r = record_new(e);
		if (!r) {
			rc = SQLITE_NOMEM;
			break;
		}
		read_columns(s, r);
		if (load_children(st, r, r->v[0].i) != STORE_OK) {
			record_free(r);
			rc = SQLITE_ERROR;
			break;
		}
		if (cb(ctx, r)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "list");
}

static int bind_value(sqlite3_stmt *s, int col, const struct field *f, const struct value *v)
{
	if (v->state == V_NULL)
		return sqlite3_bind_null(s, col);
	switch (f->kind) {
	case FK_ID:
	case FK_INT:
	case FK_BOOL:
	case FK_TIME:
		return sqlite3_bind_int64(s, col, v->i);
	case FK_REAL:
		return sqlite3_bind_double(s, col, v->d);
	default:
		return sqlite3_bind_text(s, col, v->s, -1, SQLITE_STATIC);
	}
}

/* A UNIQUE failure names "table.column": tell the client which field. */
static int conflict(struct store *st, const struct entity *e)
{
	const char *msg = sqlite3_errmsg(store_db(st));
	const char *dot = strrchr(msg, '.');
	const char *field = dot ? dot + 1 : "";
	if (strstr(msg, "UNIQUE"))
		store_set_failure(st, field, "is already registered for another record");
	else
		store_set_failure(st, e->name, "refers to something that does not exist or is still in use");
	return STORE_CONFLICT;
}

static int insert_row(struct store *st, const struct record *r, const char *parent_column, long long parent_id,
		      long long *id)
{
	const struct entity *e = r->e;
	struct buf sql, vals;
	buf_init(&sql);
	buf_init(&vals);
	buf_printf(&sql, "INSERT INTO %s (", e->table);
	int n = 0;
	for (size_t i = 0; i < e->nfields; i++) {
		const struct field *f = &e->fields[i];
		if (!is_column(f) || r->v[i].state == V_ABSENT || f->kind == FK_TIME)
			continue;
		buf_printf(&sql, "%s%s", n ? ", " : "", f->name);
		buf_puts(&vals, n ? ", ?" : "?");
		n++;
	}
	if (parent_column) {
		buf_printf(&sql, "%s%s", n ? ", " : "", parent_column);
		buf_puts(&vals, n ? ", ?" : "?");
	} else {
		buf_printf(&sql, "%screated_at, updated_at", n ? ", " : "");
		buf_puts(&vals, n ? ", ?1000, ?1000" : "?1000, ?1000");
	}
	buf_printf(&sql, ") VALUES (%s)", vals.data);
	buf_release(&vals);

	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(store_db(st), sql.data, -1, &s, NULL);
	buf_release(&sql);
	if (rc != SQLITE_OK)
		return store_rc_from_sqlite(st, rc, "insert");
	int col = 1;
	for (size_t i = 0; i < e->nfields; i++) {
		const struct field *f = &e->fields[i];
		if (!is_column(f) || r->v[i].state == V_ABSENT || f->kind == FK_TIME)
			continue;
		bind_value(s, col++, f, &r->v[i]);
	}
	if (parent_column)
		sqlite3_bind_int64(s, col, parent_id);
	else
		sqlite3_bind_int64(s, 1000, store_now(st));
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		int src = store_rc_from_sqlite(st, rc, "insert");
		return src == STORE_CONFLICT ? conflict(st, e) : src;
	}
	long long new_id = sqlite3_last_insert_rowid(store_db(st));
	for (size_t i = 0; i < e->nfields; i++) {
		const struct field *f = &e->fields[i];
		if (f->kind != FK_CHILDREN)
			continue;
		for (size_t k = 0; k < r->v[i].nrows; k++)
			if ((rc = insert_row(st, r->v[i].rows[k], f->child->parent_column, new_id, NULL)))
				return rc;
	}
	if (id)
		*id = new_id;
	return STORE_OK;
}

int store_record_unique_check(struct store *st, const struct principal *p, const struct record *r, long long id)
{
	const struct entity *e = r->e;
	for (size_t i = 0; i < e->nfields; i++) {
		const struct field *f = &e->fields[i];
		if (!(f->flags & F_UNIQUE_IN_SCOPE) || r->v[i].state != V_SET)
			continue;
		struct buf sql;
		struct binds b = {.n = 0};
		buf_init(&sql);
		buf_printf(&sql, "SELECT 1 FROM %s t WHERE t.%s = ? AND t.id != ?", e->table, f->name);
		bind_text(&b, r->v[i].s);
		bind_int(&b, id);
		/* the rows p reads, and only those: a value held outside them is no conflict of p's */
		scope_sql(&sql, &b, e, p, 1);
		sqlite3_stmt *s = NULL;
		int cached = 0;
		int rc = prepare_bound(st, &sql, &b, &s, &cached, "unique");
		if (rc)
			return rc;
		rc = sqlite3_step(s);
		store_text_done(s, cached);
		if (rc == SQLITE_ROW) {
			store_set_failure(st, f->name, "is already registered for another record");
			return STORE_CONFLICT;
		}
		if (rc != SQLITE_DONE)
			return store_rc_from_sqlite(st, rc, "unique");
	}
	return STORE_OK;
}

int store_record_insert(struct store *st, const struct record *r, long long *id)
{
	return insert_row(st, r, NULL, 0, id);
}

/* Scope binds are anonymous "?": number them from first on, after the statement's own ?NNN. */
static char *number_anonymous(struct buf *sql, int first)
{
	struct buf out;
	buf_init(&out);
	int k = 0;
	for (const char *c = sql->data; *c; c++) {
		if (*c == '?' && !(c[1] >= '0' && c[1] <= '9'))
			buf_printf(&out, "?%d", first + k++);
		else
			buf_append(&out, c, 1);
	}
	buf_release(sql);
	return buf_detach(&out);
}

int store_record_update(struct store *st, const struct principal *p, long long id, const struct record *patch)
{
	const struct entity *e = patch->e;
	struct buf sql;
	struct binds b = {.n = 0};
	buf_init(&sql);
	buf_printf(&sql, "UPDATE %s AS t SET updated_at = ?1000", e->table);
	for (size_t i = 0; i < e->nfields; i++) {
		const struct field *f = &e->fields[i];
		if (is_column(f) && patch->v[i].state != V_ABSENT && f->kind != FK_TIME && f->kind != FK_ID)
			buf_printf(&sql, ", %s = ?%zu", f->name, i + 1);
	}
	buf_puts(&sql, " WHERE t.id = ?1001");
	scope_sql(&sql, &b, e, p, 0);
	sqlite3_stmt *s = NULL;
	/* fields at ?1..?n, updated_at ?1000, id ?1001, the scope's from ?1002 */
	char *text = number_anonymous(&sql, 1002);
	int rc = sqlite3_prepare_v2(store_db(st), text, -1, &s, NULL);
	free(text);
	if (rc != SQLITE_OK)
		return store_rc_from_sqlite(st, rc, "update");
	for (size_t i = 0; i < e->nfields; i++) {
		const struct field *f = &e->fields[i];
		if (is_column(f) && patch->v[i].state != V_ABSENT && f->kind != FK_TIME && f->kind != FK_ID)
			bind_value(s, (int)i + 1, f, &patch->v[i]);
	}
	sqlite3_bind_int64(s, 1000, store_now(st));
	sqlite3_bind_int64(s, 1001, id);
	apply_binds(s, &b, 1002);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		int src = store_rc_from_sqlite(st, rc, "update");
		return src == STORE_CONFLICT ? conflict(st, e) : src;
	}
	if (sqlite3_changes(store_db(st)) == 0)
		return STORE_NOTFOUND;
	for (size_t i = 0; i < e->nfields; i++) {
		const struct field *f = &e->fields[i];
		if (f->kind != FK_CHILDREN || patch->v[i].state == V_ABSENT)
			continue;
		char del[256];
		snprintf(del, sizeof del, "DELETE FROM %s WHERE %s = ?", f->child->table, f->child->parent_column);
		rc = sqlite3_prepare_v2(store_db(st), del, -1, &s, NULL);
		if (rc == SQLITE_OK) {
			sqlite3_bind_int64(s, 1, id);
			rc = sqlite3_step(s);
			sqlite3_finalize(s);
		}
		if (rc != SQLITE_DONE)
			return store_rc_from_sqlite(st, rc, "replace children");
		for (size_t c = 0; c < patch->v[i].nrows; c++)
			if ((rc = insert_row(st, patch->v[i].rows[c], f->child->parent_column, id, NULL)))
				return rc;
	}
	return STORE_OK;
}

int store_record_delete(struct store *st, const struct entity *e, const struct principal *p, long long id)
{
	struct buf sql;
	struct binds b = {.n = 0};
	buf_init(&sql);
	buf_printf(&sql, "DELETE FROM %s AS t WHERE t.id = ?", e->table);
	bind_int(&b, id);
	scope_sql(&sql, &b, e, p, 0);
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(store_db(st), sql.data, -1, &s, NULL);
	buf_release(&sql);
	if (rc != SQLITE_OK)
		return store_rc_from_sqlite(st, rc, "delete");
	apply_binds(s, &b, 1);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		int src = store_rc_from_sqlite(st, rc, "delete");
		return src == STORE_CONFLICT ? conflict(st, e) : src;
	}
	return sqlite3_changes(store_db(st)) ? STORE_OK : STORE_NOTFOUND;
}

static int exec_bound(struct store *st, const char *sql, long long id, const char *what)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, id);
		rc = sqlite3_step(s);
		sqlite3_finalize(s);
	}
	return rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, what);
}

/* json_remove() arguments for the personal fields of e: ", '$.a', '$.b'". */
static void personal_paths(struct buf *out, const struct entity *e)
{
	for (size_t i = 0; i < e->nfields; i++)
		if (e->fields[i].flags & F_PERSONAL)
			buf_printf(out, ", '$.%s'", e->fields[i].name);
}

int store_record_erase(struct store *st, const struct entity *e, const struct principal *p, long long id)
{
	struct buf sql;
	struct binds b = {.n = 0};
	int rc;
	buf_init(&sql);
	buf_printf(&sql, "UPDATE %s AS t SET status = 'erased', updated_at = ?1000", e->table);
	for (size_t i = 0; i < e->nfields; i++) {
		const struct field *f = &e->fields[i];
		if ((f->flags & F_PERSONAL) && is_column(f))
			buf_printf(&sql, ", %s = %s", f->name,
				   (f->kind == FK_WORDS || f->kind == FK_LANGS) ? "''" : "NULL");
	}
	buf_puts(&sql, " WHERE t.id = ?1001");
	scope_sql(&sql, &b, e, p, 0);
	char *text = number_anonymous(&sql, 1002);
	sqlite3_stmt *s = NULL;
	rc = sqlite3_prepare_v2(store_db(st), text, -1, &s, NULL);
	free(text);
	if (rc != SQLITE_OK)
		return store_rc_from_sqlite(st, rc, "erase");
	sqlite3_bind_int64(s, 1000, store_now(st));
	sqlite3_bind_int64(s, 1001, id);
	apply_binds(s, &b, 1002);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_rc_from_sqlite(st, rc, "erase");
	if (sqlite3_changes(store_db(st)) == 0)
		return STORE_NOTFOUND;

	/* children go, and every trace of personal data in the audit and the remembered responses */
	for (size_t i = 0; i < e->nfields; i++) {
		const struct field *f = &e->fields[i];
		if (f->kind != FK_CHILDREN)
			continue;
		char del[256];
		snprintf(del, sizeof del, "DELETE FROM %s WHERE %s = ?", f->child->table, f->child->parent_column);
		if ((rc = exec_bound(st, del, id, "erase children")))
			return rc;
		buf_init(&sql);
		buf_puts(&sql, "UPDATE audit SET before = json_remove(before");
		personal_paths(&sql, f->child);
		buf_puts(&sql, "), after = json_remove(after");
		personal_paths(&sql, f->child);
		buf_printf(&sql, ") WHERE entity = '%s' AND parent_id = ?", f->child->name);
		rc = exec_bound(st, sql.data, id, "erase audit of children");
		buf_release(&sql);
		if (rc)
			return rc;
	}
	buf_init(&sql);
	buf_puts(&sql, "UPDATE audit SET before = json_remove(before");
	personal_paths(&sql, e);
	buf_puts(&sql, "), after = json_remove(after");
	personal_paths(&sql, e);
	buf_printf(&sql, ") WHERE entity = '%s' AND entity_id = ?", e->name);
	rc = exec_bound(st, sql.data, id, "erase audit");
	buf_release(&sql);
	if (rc)
		return rc;
	buf_init(&sql);
	buf_printf(&sql, "UPDATE sms_outbox SET phone = NULL, text = NULL WHERE recipient_kind = '%s' AND recipient_id = ?",
		   e->name);
	rc = exec_bound(st, sql.data, id, "erase messages");
	buf_release(&sql);
	if (rc)
		return rc;
	if (e == &entity_volunteer && (rc = exec_bound(st, "UPDATE sms_inbox SET phone = NULL, text = NULL "
						       "WHERE volunteer_id = ?", id, "erase received messages")))
		return rc;
	/* what they answered to deployment calls, in their own words */
	if (e == &entity_volunteer && (rc = store_staff_erase_volunteer(st, id)))
		return rc;
	buf_init(&sql);
	buf_printf(&sql, "DELETE FROM idempotency WHERE entity = '%s' AND entity_id = ?", e->name);
	rc = exec_bound(st, sql.data, id, "erase remembered responses");
	buf_release(&sql);
	if (rc)
		return rc;
	buf_init(&sql);
	buf_printf(&sql,
		   "INSERT INTO audit(at, actor, actor_role, action, entity, entity_id) "
		   "VALUES (renfort_now(), renfort_actor(), renfort_actor_role(), 'erase', '%s', ?)",
		   e->name);
	rc = exec_bound(st, sql.data, id, "record erasure");
	buf_release(&sql);
	return rc;
}

int store_commune_lookup(struct store *st, const char *insee, char dep[4], double *lat, double *lng)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT dep, lat, lng FROM communes WHERE insee = ?");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, insee, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return rc == SQLITE_DONE ? STORE_NOTFOUND : store_rc_from_sqlite(st, rc, "commune");
	}
	store_column_copy(dep, 4, s, 0);
	*lat = sqlite3_column_double(s, 1);
	*lng = sqlite3_column_double(s, 2);
	sqlite3_reset(s);
	return STORE_OK;
}
