#include "store_allocation.h"

#include "auth.h"
#include "buf.h"
#include "store_sqlite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- shared pieces -------------------------------------------------------------------------------------- */

/* A nullable integer bound as NULL when 0 (ids, actors and times that are not there yet). */
static void bind_opt(sqlite3_stmt *s, int col, long long v)
{
	if (v)
		sqlite3_bind_int64(s, col, v);
	else
		sqlite3_bind_null(s, col);
}

static void bind_text_opt(sqlite3_stmt *s, int col, const char *t)
{
	if (t && t[0])
		sqlite3_bind_text(s, col, t, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, col);
}

/* Runs a statement built at run time with the principal's scope bound, calling row() for each row
 * (it returns non-zero to stop). When total is given, count_sql is run first for the number of
 * matches. bind() binds the query's own parameters. */
struct dyn_query {
	const char *what;
	void (*bind)(sqlite3_stmt *s, const void *q, int counting);
	const void *q;
	int (*row)(sqlite3_stmt *s, void *ctx);
	void *ctx;
};

static int run_query(struct store *st, const struct principal *p, const char *sql, const struct dyn_query *d, long long *count)
{
	sqlite3_stmt *s = NULL;
	int cached = 0;
	int src = store_prepare_text(st, sql, &s, &cached);
	if (src != SQLITE_OK)
		return store_rc_from_sqlite(st, src, d->what);
	d->bind(s, d->q, count != NULL);
	store_holder_scope_bind(s, p);
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		if (count) {
			*count = sqlite3_column_int64(s, 0);
			continue;
		}
		if (d->row(s, d->ctx))
			break;
	}
	store_text_done(s, cached);
	return src == SQLITE_ROW || src == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, src, d->what);
}

/* The count, then the rows, of "SELECT <columns> <from_where> ORDER BY ... LIMIT ..." (tail). */
static int list_query(struct store *st, const struct principal *p, const char *columns, const char *from_where,
		      const char *tail, const struct dyn_query *d, long long *total)
{
	struct buf sql;
	buf_init(&sql);
	int rc = STORE_OK;
	if (total) {
		buf_printf(&sql, "SELECT count(*) %s", from_where);
		rc = run_query(st, p, sql.data, d, total);
		buf_reset(&sql);
	}
	if (rc == STORE_OK) {
		buf_printf(&sql, "SELECT %s %s %s", columns, from_where, tail);
		rc = run_query(st, p, sql.data, d, NULL);
	}
	buf_release(&sql);
	return rc;
}

/* The structures a principal reads, on the structure columns given: coordinators and observers by
 * département, a structure token its own row. Binds ?90 and ?91 (store_holder_scope_bind). */
static void structure_scope(struct buf *sql, const struct principal *p, const char *dep_col, const char *id_col)
{
	switch (p->role) {
	case ROLE_ADMIN:
		return;
	case ROLE_COORDINATOR:
	case ROLE_OBSERVER:
		if (p->deps[0])
			buf_printf(sql, " AND instr(?90, ',' || %s || ',') > 0", dep_col);
		return;
	case ROLE_STRUCTURE:
		buf_printf(sql, " AND %s = ?91", id_col);
		return;
	default:
		buf_puts(sql, " AND 0");
	}
}

/* --- requests for stock ------------------------------------------------------------------------------ */

#define REQUEST_COLUMNS                                                                                        \
	"r.id, r.structure_id, r.item_id, r.quantity, r.status, coalesce(r.allocation_id, 0), coalesce(r.created_by, 0), " \
	"r.created_at, r.updated_at, coalesce(r.closed_by, 0), coalesce(r.closed_at, 0), r.reason, "              \
	"coalesce(r.cancel_reason, ''), s.dep, s.name, i.code, i.name, i.unit"
#define REQUEST_FROM " FROM stock_requests r JOIN structures s ON s.id = r.structure_id JOIN items i ON i.id = r.item_id"

static void read_request(sqlite3_stmt *s, struct stock_request_row *r)
{
	r->need_known = 0;
	r->need = 0;
	r->id = sqlite3_column_int64(s, 0);
	r->structure_id = sqlite3_column_int64(s, 1);
	r->item_id = sqlite3_column_int64(s, 2);
	r->quantity = sqlite3_column_int64(s, 3);
	store_column_copy(r->status, sizeof r->status, s, 4);
	r->allocation_id = sqlite3_column_int64(s, 5);
	r->created_by = sqlite3_column_int64(s, 6);
	r->created_at = sqlite3_column_int64(s, 7);
	r->updated_at = sqlite3_column_int64(s, 8);
	r->closed_by = sqlite3_column_int64(s, 9);
	r->closed_at = sqlite3_column_int64(s, 10);
	store_column_copy(r->reason, sizeof r->reason, s, 11);
	store_column_copy(r->cancel_reason, sizeof r->cancel_reason, s, 12);
	store_column_copy(r->dep, sizeof r->dep, s, 13);
	store_column_copy(r->structure_name, sizeof r->structure_name, s, 14);
	store_column_copy(r->item_code, sizeof r->item_code, s, 15);
	store_column_copy(r->item_name, sizeof r->item_name, s, 16);
	store_column_copy(r->unit, sizeof r->unit, s, 17);
}

int store_request_insert(struct store *st, struct stock_request_row *r)
{
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO stock_requests(structure_id, item_id, quantity, reason, status, "
					    "created_by, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, 'open', ?5, ?6, ?6)");
	if (!s)
		return STORE_ERROR;
	long long now = store_now(st);
	sqlite3_bind_int64(s, 1, r->structure_id);
	sqlite3_bind_int64(s, 2, r->item_id);
	sqlite3_bind_int64(s, 3, r->quantity);
	sqlite3_bind_text(s, 4, r->reason, -1, SQLITE_STATIC);
	bind_opt(s, 5, r->created_by);
	sqlite3_bind_int64(s, 6, now);
	int rc = store_step_done(st, s, "request insert");
	if (rc == STORE_OK) {
		r->id = sqlite3_last_insert_rowid(store_db(st));
		snprintf(r->status, sizeof r->status, "open");
		r->created_at = r->updated_at = now;
	}
	return rc;
}

static int request_row(sqlite3_stmt *s, void *ctx)
{
	struct stock_request_row *r = ctx;
	read_request(s, r);
	return 1;
}

static void bind_id(sqlite3_stmt *s, const void *q, int counting)
{
	(void)counting;
	sqlite3_bind_int64(s, 1, *(const long long *)q);
}

int store_request_get(struct store *st, const struct principal *p, long long id, struct stock_request_row *out)
{
	struct buf sql;
	buf_init(&sql);
	buf_puts(&sql, "SELECT " REQUEST_COLUMNS REQUEST_FROM " WHERE r.id = ?1");
	structure_scope(&sql, p, "s.dep", "r.structure_id");
	out->id = 0;
	struct dyn_query d = {"request", bind_id, &id, request_row, out};
	int rc = run_query(st, p, sql.data, &d, NULL);
	buf_release(&sql);
	return rc ? rc : out->id ? STORE_OK : STORE_NOTFOUND;
}

struct each_request {
	int (*cb)(void *ctx, const struct stock_request_row *r);
	void *ctx;
};

static int each_request_row(sqlite3_stmt *s, void *ctx)
{
	struct each_request *e = ctx;
	struct stock_request_row r;
	read_request(s, &r);
	return e->cb(e->ctx, &r);
}

static void bind_request_query(sqlite3_stmt *s, const void *qv, int counting)
{
	const struct request_query *q = qv;
	sqlite3_bind_int64(s, 1, counting ? 0 : q->after);
	bind_text_opt(s, 2, q->status);
	bind_text_opt(s, 3, q->item);
	bind_text_opt(s, 4, q->dep);
	sqlite3_bind_int64(s, 5, q->structure_id);
	if (!counting)
		sqlite3_bind_int64(s, 6, q->limit);
}

int store_request_list(struct store *st, const struct principal *p, const struct request_query *q,
		       int (*cb)(void *ctx, const struct stock_request_row *r), void *ctx, long long *total)
{
	struct buf where;
	buf_init(&where);
	buf_puts(&where, REQUEST_FROM " WHERE r.id > ?1 AND (?2 IS NULL OR r.status = ?2) AND (?3 IS NULL OR i.code = ?3) "
				       "AND (?4 IS NULL OR s.dep = ?4) AND (?5 = 0 OR r.structure_id = ?5)");
	structure_scope(&where, p, "s.dep", "r.structure_id");
	struct each_request e = {cb, ctx};
	struct dyn_query d = {"requests", bind_request_query, q, each_request_row, &e};
	int rc = list_query(st, p, REQUEST_COLUMNS, where.data, "ORDER BY r.id LIMIT ?6", &d, total);
	buf_release(&where);
	return rc;
}

int store_request_update(struct store *st, const struct stock_request_row *r)
{
	sqlite3_stmt *s = store_prepare(st, "UPDATE stock_requests SET status = ?2, allocation_id = ?3, closed_by = ?4, "
					    "closed_at = ?5, cancel_reason = ?6, updated_at = ?7 WHERE id = ?1");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, r->id);
	sqlite3_bind_text(s, 2, r->status, -1, SQLITE_STATIC);
	bind_opt(s, 3, r->allocation_id);
	bind_opt(s, 4, r->closed_by);
	bind_opt(s, 5, r->closed_at);
	bind_text_opt(s, 6, r->cancel_reason);
	sqlite3_bind_int64(s, 7, store_now(st));
	return store_step_done(st, s, "request update");
}

int store_requests_open(struct store *st, long long structure, long long item, long long before,
			int (*cb)(void *ctx, const struct stock_request_row *r), void *ctx)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT " REQUEST_COLUMNS REQUEST_FROM " WHERE r.structure_id = ?1 AND "
					    "r.item_id = ?2 AND r.status = 'open' AND r.created_at <= ?3 ORDER BY r.id");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, structure);
	sqlite3_bind_int64(s, 2, item);
	sqlite3_bind_int64(s, 3, before);
	/* all read before the first callback: the callbacks write the same table */
	struct stock_request_row *rows = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 4;
			struct stock_request_row *more = realloc(rows, cap * sizeof *rows);
			if (!more) {
				rc = SQLITE_NOMEM;
				break;
			}
			rows = more;
		}
		read_request(s, &rows[n++]);
	}
	sqlite3_reset(s);
	int out = rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "requests");
	for (size_t k = 0; out == STORE_OK && k < n; k++)
		if (cb(ctx, &rows[k]))
			break;
	free(rows);
	return out;
}

/* --- allocations --------------------------------------------------------------------------------------- */

static const char *const status_names[] = {"proposed", "approved", "dispatched", "received", "cancelled"};

const char *allocation_status_name(enum allocation_status s)
{
	return (unsigned)s < 5 ? status_names[s] : "proposed";
}

int allocation_status_parse(const char *name)
{
	for (int i = 0; i < 5; i++)
		if (strcmp(name, status_names[i]) == 0)
			return i;
	return -1;
}

#define ALLOCATION_COLUMNS                                                                                         \
	"a.id, coalesce(a.proposal_id, 0), a.kind, a.item_id, a.source_kind, a.source_id, a.structure_id, a.status, "    \
	"a.proposed_quantity, a.quantity, coalesce(a.received_quantity, -1), coalesce(a.outcome, ''), a.distance_km, "  \
	"coalesce(a.request_id, 0), coalesce(a.alert_id, 0), coalesce(a.note, ''), coalesce(a.discrepancy_reason, ''), " \
	"coalesce(a.cancel_reason, ''), coalesce(a.cancelled_from, ''), coalesce(a.created_by, 0), a.created_at, "     \
	"coalesce(a.approved_by, 0), coalesce(a.approved_at, 0), coalesce(a.dispatched_by, 0), "                       \
	"coalesce(a.dispatched_at, 0), coalesce(a.received_by, 0), coalesce(a.received_at, 0), "                      \
	"coalesce(a.cancelled_by, 0), coalesce(a.cancelled_at, 0), a.updated_at, a.version, s.dep, s.name, "            \
	"coalesce(sd.dep, ss.dep, ''), coalesce(sd.name, ss.name, ''), coalesce(sd.level, ''), i.code, i.name, i.unit"
#define ALLOCATION_FROM                                                                                             \
	" FROM allocations a JOIN structures s ON s.id = a.structure_id JOIN items i ON i.id = a.item_id "              \
	"LEFT JOIN depots sd ON a.source_kind = 'depot' AND sd.id = a.source_id "                                      \
	"LEFT JOIN structures ss ON a.source_kind = 'structure' AND ss.id = a.source_id"

static void read_allocation(sqlite3_stmt *s, struct allocation_row *a)
{
	a->id = sqlite3_column_int64(s, 0);
	a->proposal_id = sqlite3_column_int64(s, 1);
	a->transfer = strcmp((const char *)sqlite3_column_text(s, 2), "transfer") == 0;
	a->item_id = sqlite3_column_int64(s, 3);
	a->source_kind = strcmp((const char *)sqlite3_column_text(s, 4), "depot") == 0 ? HOLDER_DEPOT : HOLDER_STRUCTURE;
	a->source_id = sqlite3_column_int64(s, 5);
	a->structure_id = sqlite3_column_int64(s, 6);
	int status = allocation_status_parse((const char *)sqlite3_column_text(s, 7));
	a->status = status < 0 ? ALLOCATION_PROPOSED : (enum allocation_status)status;
	a->proposed_quantity = sqlite3_column_int64(s, 8);
	a->quantity = sqlite3_column_int64(s, 9);
	a->received_quantity = sqlite3_column_int64(s, 10);
	store_column_copy(a->outcome, sizeof a->outcome, s, 11);
	a->has_distance = sqlite3_column_type(s, 12) != SQLITE_NULL;
	a->distance_km = sqlite3_column_double(s, 12);
	a->request_id = sqlite3_column_int64(s, 13);
	a->alert_id = sqlite3_column_int64(s, 14);
	store_column_copy(a->note, sizeof a->note, s, 15);
	store_column_copy(a->discrepancy_reason, sizeof a->discrepancy_reason, s, 16);
	store_column_copy(a->cancel_reason, sizeof a->cancel_reason, s, 17);
	store_column_copy(a->cancelled_from, sizeof a->cancelled_from, s, 18);
	a->created_by = sqlite3_column_int64(s, 19);
	a->created_at = sqlite3_column_int64(s, 20);
	a->approved_by = sqlite3_column_int64(s, 21);
	a->approved_at = sqlite3_column_int64(s, 22);
	a->dispatched_by = sqlite3_column_int64(s, 23);
	a->dispatched_at = sqlite3_column_int64(s, 24);
	a->received_by = sqlite3_column_int64(s, 25);
	a->received_at = sqlite3_column_int64(s, 26);
	a->cancelled_by = sqlite3_column_int64(s, 27);
	a->cancelled_at = sqlite3_column_int64(s, 28);
	a->updated_at = sqlite3_column_int64(s, 29);
	a->version = sqlite3_column_int(s, 30);
	store_column_copy(a->dep, sizeof a->dep, s, 31);
	store_column_copy(a->structure_name, sizeof a->structure_name, s, 32);
	store_column_copy(a->source_dep, sizeof a->source_dep, s, 33);
	store_column_copy(a->source_name, sizeof a->source_name, s, 34);
	store_column_copy(a->source_level, sizeof a->source_level, s, 35);
	store_column_copy(a->item_code, sizeof a->item_code, s, 36);
	store_column_copy(a->item_name, sizeof a->item_name, s, 37);
	store_column_copy(a->unit, sizeof a->unit, s, 38);
}

/* The allocations a principal reads: a coordinator or observer those of its départements, as the
 * receiving structure's or as the source's; a structure what it receives or gives; a depot what it
 * gives. */
static void allocation_scope(struct buf *sql, const struct principal *p)
{
	switch (p->role) {
	case ROLE_ADMIN:
		return;
	case ROLE_COORDINATOR:
	case ROLE_OBSERVER:
		if (p->deps[0])
			buf_puts(sql, " AND (instr(?90, ',' || s.dep || ',') > 0 OR instr(?90, ',' || coalesce(sd.dep, ss.dep) || ',') > 0)");
		return;
	case ROLE_STRUCTURE:
		buf_puts(sql, " AND (a.structure_id = ?91 OR (a.source_kind = 'structure' AND a.source_id = ?91))");
		return;
	case ROLE_DEPOT:
		buf_puts(sql, " AND a.source_kind = 'depot' AND a.source_id = ?91");
		return;
	default:
		buf_puts(sql, " AND 0");
	}
}

int store_allocation_insert(struct store *st, struct allocation_row *r)
{
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO allocations(proposal_id, kind, item_id, source_kind, source_id, "
					    "structure_id, status, proposed_quantity, quantity, outcome, distance_km, request_id, "
					    "alert_id, note, created_by, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
					    "'proposed', ?7, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14)");
	if (!s)
		return STORE_ERROR;
	long long now = store_now(st);
	bind_opt(s, 1, r->proposal_id);
	sqlite3_bind_text(s, 2, r->transfer ? "transfer" : "allocation", -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, r->item_id);
	sqlite3_bind_text(s, 4, holder_kind_name(r->source_kind), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, r->source_id);
	sqlite3_bind_int64(s, 6, r->structure_id);
	sqlite3_bind_int64(s, 7, r->quantity);
	bind_text_opt(s, 8, r->outcome);
	if (r->has_distance)
		sqlite3_bind_double(s, 9, r->distance_km);
	bind_opt(s, 10, r->request_id);
	bind_opt(s, 11, r->alert_id);
	bind_text_opt(s, 12, r->note);
	bind_opt(s, 13, r->created_by);
	sqlite3_bind_int64(s, 14, now);
	int rc = store_step_done(st, s, "allocation insert");
	if (rc == STORE_OK) {
		r->id = sqlite3_last_insert_rowid(store_db(st));
		r->status = ALLOCATION_PROPOSED;
		r->proposed_quantity = r->quantity;
		r->received_quantity = -1;
		r->created_at = r->updated_at = now;
		r->version = 1;
	}
	return rc;
}

static int allocation_row_cb(sqlite3_stmt *s, void *ctx)
{
	read_allocation(s, ctx);
	return 1;
}

int store_allocation_get(struct store *st, const struct principal *p, long long id, struct allocation_row *out)
{
	struct buf sql;
	buf_init(&sql);
	buf_puts(&sql, "SELECT " ALLOCATION_COLUMNS ALLOCATION_FROM " WHERE a.id = ?1");
	allocation_scope(&sql, p);
	out->id = 0;
	struct dyn_query d = {"allocation", bind_id, &id, allocation_row_cb, out};
	int rc = run_query(st, p, sql.data, &d, NULL);
	buf_release(&sql);
	return rc ? rc : out->id ? STORE_OK : STORE_NOTFOUND;
}

struct each_allocation {
	int (*cb)(void *ctx, const struct allocation_row *a);
	void *ctx;
	struct allocation_row row; /* 7 KB: one for the whole list */
};

static int each_allocation_row(sqlite3_stmt *s, void *ctx)
{
	struct each_allocation *e = ctx;
	read_allocation(s, &e->row);
	return e->cb(e->ctx, &e->row);
}

static void bind_allocation_query(sqlite3_stmt *s, const void *qv, int counting)
{
	const struct allocation_query *q = qv;
	sqlite3_bind_int64(s, 1, counting ? 0 : q->after);
	bind_text_opt(s, 2, q->status);
	bind_text_opt(s, 3, q->item);
	bind_text_opt(s, 4, q->dep);
	sqlite3_bind_int64(s, 5, q->structure_id);
	bind_text_opt(s, 6, q->source_kind);
	sqlite3_bind_int64(s, 7, q->source_id);
	sqlite3_bind_int64(s, 8, q->proposal_id);
	if (!counting)
		sqlite3_bind_int64(s, 9, q->limit);
}

int store_allocation_list(struct store *st, const struct principal *p, const struct allocation_query *q,
			  int (*cb)(void *ctx, const struct allocation_row *a), void *ctx, long long *total)
{
	struct buf where;
	buf_init(&where);
	buf_puts(&where, ALLOCATION_FROM " WHERE a.id > ?1 AND (?2 IS NULL OR a.status = ?2) AND (?3 IS NULL OR i.code = ?3) "
					 "AND (?4 IS NULL OR s.dep = ?4 OR coalesce(sd.dep, ss.dep) = ?4) "
					 "AND (?5 = 0 OR a.structure_id = ?5) AND (?6 IS NULL OR (a.source_kind = ?6 AND a.source_id = ?7)) "
					 "AND (?8 = 0 OR a.proposal_id = ?8)");
	allocation_scope(&where, p);
	struct each_allocation *e = malloc(sizeof *e);
	if (!e) {
		buf_release(&where);
		return STORE_ERROR;
	}
	e->cb = cb;
	e->ctx = ctx;
	struct dyn_query d = {"allocations", bind_allocation_query, q, each_allocation_row, e};
	int rc = list_query(st, p, ALLOCATION_COLUMNS, where.data, "ORDER BY a.id LIMIT ?9", &d, total);
	free(e);
	buf_release(&where);
	return rc;
}

int store_allocation_update(struct store *st, struct allocation_row *r)
{
	sqlite3_stmt *s = store_prepare(
		st, "UPDATE allocations SET status = ?2, quantity = ?3, received_quantity = ?4, alert_id = ?5, "
		    "discrepancy_reason = ?6, cancel_reason = ?7, cancelled_from = ?8, approved_by = ?9, approved_at = ?10, "
		    "dispatched_by = ?11, dispatched_at = ?12, received_by = ?13, received_at = ?14, cancelled_by = ?15, "
		    "cancelled_at = ?16, updated_at = ?17, version = version + 1 WHERE id = ?1");
	if (!s)
		return STORE_ERROR;
	long long now = store_now(st);
	sqlite3_bind_int64(s, 1, r->id);
	sqlite3_bind_text(s, 2, allocation_status_name(r->status), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, r->quantity);
	if (r->received_quantity >= 0)
		sqlite3_bind_int64(s, 4, r->received_quantity);
	bind_opt(s, 5, r->alert_id);
	bind_text_opt(s, 6, r->discrepancy_reason);
	bind_text_opt(s, 7, r->cancel_reason);
	bind_text_opt(s, 8, r->cancelled_from);
	bind_opt(s, 9, r->approved_by);
	bind_opt(s, 10, r->approved_at);
	bind_opt(s, 11, r->dispatched_by);
	bind_opt(s, 12, r->dispatched_at);
	bind_opt(s, 13, r->received_by);
	bind_opt(s, 14, r->received_at);
	bind_opt(s, 15, r->cancelled_by);
	bind_opt(s, 16, r->cancelled_at);
	sqlite3_bind_int64(s, 17, now);
	int rc = store_step_done(st, s, "allocation update");
	if (rc == STORE_OK) {
		r->updated_at = now;
		r->version++;
	}
	return rc;
}

int store_allocation_incoming(struct store *st, long long structure, long long item, long long *out)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT coalesce(sum(quantity), 0) FROM allocations WHERE structure_id = ?1 AND "
					    "item_id = ?2 AND (status = 'approved' OR status = 'dispatched')");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, structure);
	sqlite3_bind_int64(s, 2, item);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? STORE_OK : store_rc_from_sqlite(st, rc, "incoming");
}

int store_allocation_committed(struct store *st, enum holder_kind source_kind, long long source, long long item,
			       long long except, long long *out)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT coalesce(sum(quantity), 0) FROM allocations WHERE source_kind = ?1 AND "
					    "source_id = ?2 AND item_id = ?3 AND status = 'approved' AND id != ?4");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, holder_kind_name(source_kind), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, source);
	sqlite3_bind_int64(s, 3, item);
	sqlite3_bind_int64(s, 4, except);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? STORE_OK : store_rc_from_sqlite(st, rc, "committed");
}

/* --- proposals and their explanation ------------------------------------------------------------------ */

int store_proposal_insert(struct store *st, struct proposal_row *r)
{
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO allocation_proposals(item_id, scope, dep, target_days, cap_days, "
					    "floor_days, pack, supply, demand, given, short_supply, capped, level, holders, "
					    "created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
					    "?13, ?14, ?15, ?16)");
	if (!s)
		return STORE_ERROR;
	r->created_at = store_now(st);
	sqlite3_bind_int64(s, 1, r->item_id);
	bind_text_opt(s, 2, r->scope);
	bind_text_opt(s, 3, r->dep);
	sqlite3_bind_double(s, 4, r->target_days);
	sqlite3_bind_double(s, 5, r->cap_days);
	sqlite3_bind_double(s, 6, r->floor_days);
	sqlite3_bind_int64(s, 7, r->pack);
	sqlite3_bind_int64(s, 8, r->supply);
	sqlite3_bind_int64(s, 9, r->demand);
	sqlite3_bind_int64(s, 10, r->given);
	sqlite3_bind_int(s, 11, r->short_supply);
	sqlite3_bind_int(s, 12, r->capped);
	sqlite3_bind_double(s, 13, r->level);
	sqlite3_bind_int64(s, 14, r->holders);
	bind_opt(s, 15, r->created_by);
	sqlite3_bind_int64(s, 16, r->created_at);
	int rc = store_step_done(st, s, "proposal insert");
	if (rc == STORE_OK)
		r->id = sqlite3_last_insert_rowid(store_db(st));
	return rc;
}

int store_assessment_insert(struct store *st, long long proposal, const struct assessment_row *a)
{
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO allocation_assessments(proposal_id, structure_id, outcome, quantity, "
					    "stock_now, incoming, burn_per_day, cover_before, cover_after, weight, need, demand, "
					    "requested, request_above_need, given, alert) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
					    "?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, proposal);
	sqlite3_bind_int64(s, 2, a->structure_id);
	sqlite3_bind_text(s, 3, a->outcome, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, a->quantity);
	sqlite3_bind_double(s, 5, a->stock_now);
	sqlite3_bind_int64(s, 6, a->incoming);
	if (a->rate_known) {
		sqlite3_bind_double(s, 7, a->burn_per_day);
		sqlite3_bind_double(s, 8, a->cover_before);
		sqlite3_bind_double(s, 9, a->cover_after);
	}
	sqlite3_bind_double(s, 10, a->weight);
	sqlite3_bind_int64(s, 11, a->need);
	sqlite3_bind_int64(s, 12, a->demand);
	sqlite3_bind_int64(s, 13, a->requested);
	sqlite3_bind_int(s, 14, a->request_above_need);
	sqlite3_bind_int64(s, 15, a->given);
	bind_text_opt(s, 16, a->alert);
	return store_step_done(st, s, "assessment insert");
}

/* Does the principal's territory hold the whole of this one ("" the region)? */
static int territory_within(const struct principal *p, const char *territory)
{
	if (p->role == ROLE_ADMIN || ((p->role == ROLE_COORDINATOR || p->role == ROLE_OBSERVER) && !p->deps[0]))
		return 1;
	if ((p->role != ROLE_COORDINATOR && p->role != ROLE_OBSERVER) || !territory[0])
		return 0;
	char dep[4];
	for (const char *t = territory; *t;) {
		while (*t == ',')
			t++;
		size_t n = strcspn(t, ",");
		if (!n)
			break;
		snprintf(dep, sizeof dep, "%.*s", (int)(n < 3 ? n : 3), t);
		if (!principal_covers_dep(p, dep))
			return 0;
		t += n;
	}
	return 1;
}

int store_proposal_get(struct store *st, const struct principal *p, long long id, struct proposal_row *out)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT r.id, r.item_id, coalesce(r.scope, ''), coalesce(r.dep, ''), r.target_days, "
					    "r.cap_days, r.floor_days, r.pack, r.supply, r.demand, r.given, r.short_supply, r.capped, "
					    "r.level, r.holders, coalesce(r.created_by, 0), r.created_at, i.code, i.name, i.unit "
					    "FROM allocation_proposals r JOIN items i ON i.id = r.item_id WHERE r.id = ?1");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->id = sqlite3_column_int64(s, 0);
		out->item_id = sqlite3_column_int64(s, 1);
		store_column_copy(out->scope, sizeof out->scope, s, 2);
		store_column_copy(out->dep, sizeof out->dep, s, 3);
		out->target_days = sqlite3_column_double(s, 4);
		out->cap_days = sqlite3_column_double(s, 5);
		out->floor_days = sqlite3_column_double(s, 6);
		out->pack = sqlite3_column_int64(s, 7);
		out->supply = sqlite3_column_int64(s, 8);
		out->demand = sqlite3_column_int64(s, 9);
		out->given = sqlite3_column_int64(s, 10);
		out->short_supply = sqlite3_column_int(s, 11);
		out->capped = sqlite3_column_int(s, 12);
		out->level = sqlite3_column_double(s, 13);
		out->holders = sqlite3_column_int64(s, 14);
		out->created_by = sqlite3_column_int64(s, 15);
		out->created_at = sqlite3_column_int64(s, 16);
		store_column_copy(out->item_code, sizeof out->item_code, s, 17);
		store_column_copy(out->item_name, sizeof out->item_name, s, 18);
		store_column_copy(out->unit, sizeof out->unit, s, 19);
	}
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return STORE_NOTFOUND;
	if (rc != SQLITE_ROW)
		return store_rc_from_sqlite(st, rc, "proposal");
	/* a proposal over a territory is read by those who hold all of it */
	return territory_within(p, out->dep[0] ? out->dep : out->scope) ? STORE_OK : STORE_NOTFOUND;
}

struct each_assessment {
	int (*cb)(void *ctx, const struct assessment_row *a);
	void *ctx;
};

static int each_assessment_row(sqlite3_stmt *s, void *ctx)
{
	struct each_assessment *e = ctx;
	struct assessment_row a;
	a.structure_id = sqlite3_column_int64(s, 0);
	store_column_copy(a.outcome, sizeof a.outcome, s, 1);
	a.quantity = sqlite3_column_int64(s, 2);
	a.stock_now = sqlite3_column_double(s, 3);
	a.incoming = sqlite3_column_int64(s, 4);
	a.rate_known = sqlite3_column_type(s, 5) != SQLITE_NULL;
	a.burn_per_day = sqlite3_column_double(s, 5);
	a.cover_before = sqlite3_column_double(s, 6);
	a.cover_after = sqlite3_column_double(s, 7);
	a.weight = sqlite3_column_double(s, 8);
	a.need = sqlite3_column_int64(s, 9);
	a.demand = sqlite3_column_int64(s, 10);
	a.requested = sqlite3_column_int64(s, 11);
	a.request_above_need = sqlite3_column_int(s, 12);
	a.given = sqlite3_column_int64(s, 13);
	store_column_copy(a.alert, sizeof a.alert, s, 14);
	store_column_copy(a.dep, sizeof a.dep, s, 15);
	store_column_copy(a.category, sizeof a.category, s, 16);
	store_column_copy(a.name, sizeof a.name, s, 17);
	return e->cb(e->ctx, &a);
}

int store_assessment_list(struct store *st, const struct principal *p, long long proposal,
			  int (*cb)(void *ctx, const struct assessment_row *a), void *ctx)
{
	struct buf sql;
	buf_init(&sql);
	buf_puts(&sql, "SELECT x.structure_id, x.outcome, x.quantity, x.stock_now, x.incoming, x.burn_per_day, x.cover_before, "
		       "x.cover_after, x.weight, x.need, x.demand, x.requested, x.request_above_need, x.given, "
		       "coalesce(x.alert, ''), s.dep, s.category, s.name FROM allocation_assessments x "
		       "JOIN structures s ON s.id = x.structure_id WHERE x.proposal_id = ?1");
	structure_scope(&sql, p, "s.dep", "x.structure_id");
	buf_puts(&sql, " ORDER BY x.structure_id");
	struct each_assessment e = {cb, ctx};
	struct dyn_query d = {"assessments", bind_id, &proposal, each_assessment_row, &e};
	int rc = run_query(st, p, sql.data, &d, NULL);
	buf_release(&sql);
	return rc;
}

/* --- the allocator's inputs ---------------------------------------------------------------------------- */

struct holders_query {
	long long item;
	const char *dep;
};

static void bind_holders(sqlite3_stmt *s, const void *qv, int counting)
{
	(void)counting;
	const struct holders_query *q = qv;
	sqlite3_bind_int64(s, 1, q->item);
	bind_text_opt(s, 2, q->dep);
}

struct each_holder {
	int (*cb)(void *ctx, const struct alloc_holder_view *v);
	void *ctx;
};

static int each_holder_row(sqlite3_stmt *s, void *ctx)
{
	struct each_holder *e = ctx;
	const char *sev = (const char *)sqlite3_column_text(s, 15);
	int level = sev ? shortage_level_parse(sev) : -1;
	struct alloc_holder_view v = {
		sqlite3_column_int64(s, 0),
		(const char *)sqlite3_column_text(s, 1),
		(const char *)sqlite3_column_text(s, 2),
		(const char *)sqlite3_column_text(s, 3),
		(const char *)sqlite3_column_text(s, 4),
		sqlite3_column_double(s, 5),
		sqlite3_column_double(s, 6),
		sqlite3_column_int(s, 7),
		sqlite3_column_int64(s, 8),
		sqlite3_column_int64(s, 9),
		sqlite3_column_double(s, 10),
		sqlite3_column_int64(s, 11),
		sqlite3_column_int64(s, 12),
		sqlite3_column_int64(s, 13),
		sqlite3_column_int64(s, 14),
		level < 0 ? LEVEL_NONE : (enum shortage_level)level,
	};
	return e->cb(e->ctx, &v);
}

int store_alloc_holders(struct store *st, const struct principal *p, long long item, const char *dep,
			int (*cb)(void *ctx, const struct alloc_holder_view *v), void *ctx)
{
	/* driven by the item's levels (an index) and its open requests, not by every structure */
	struct buf sql;
	buf_init(&sql);
	buf_puts(&sql, "SELECT s.id, s.name, s.dep, s.category, s.legal_form, s.lat, s.lng, l.quantity IS NOT NULL, "
		       "coalesce(l.quantity, 0), coalesce(l.reported_at, 0), coalesce(l.burn_per_day, 0), "
		       "(SELECT coalesce(sum(a.quantity), 0) FROM allocations a WHERE a.structure_id = s.id AND a.item_id = ?1 "
		       "AND (a.status = 'approved' OR a.status = 'dispatched')), coalesce(r.n, 0), coalesce(r.first, 0), "
		       "coalesce(al.id, 0), al.severity "
		       "FROM (SELECT holder_id AS sid FROM stock_levels WHERE item_id = ?1 AND holder_kind = 'structure' "
		       "UNION SELECT structure_id FROM stock_requests WHERE item_id = ?1 AND status = 'open') h "
		       "JOIN structures s ON s.id = h.sid "
		       "LEFT JOIN stock_levels l ON l.holder_kind = 'structure' AND l.holder_id = s.id AND l.item_id = ?1 "
		       "LEFT JOIN (SELECT structure_id, sum(quantity) AS n, min(id) AS first FROM stock_requests "
		       "WHERE item_id = ?1 AND status = 'open' GROUP BY structure_id) r ON r.structure_id = s.id "
		       "LEFT JOIN alerts al ON al.kind = 'shortage' AND al.status != 'resolved' AND al.holder_kind = 'structure' "
		       "AND al.holder_id = s.id AND al.item_id = ?1 "
		       "WHERE s.status = 'active' AND (?2 IS NULL OR s.dep = ?2)");
	structure_scope(&sql, p, "s.dep", "s.id");
	buf_puts(&sql, " ORDER BY s.id");
	struct holders_query q = {item, dep};
	struct each_holder e = {cb, ctx};
	struct dyn_query d = {"allocation holders", bind_holders, &q, each_holder_row, &e};
	int rc = run_query(st, p, sql.data, &d, NULL);
	buf_release(&sql);
	return rc;
}

struct each_depot {
	int (*cb)(void *ctx, const struct alloc_depot_view *v);
	void *ctx;
};

static int each_depot_row(sqlite3_stmt *s, void *ctx)
{
	struct each_depot *e = ctx;
	struct alloc_depot_view v = {
		sqlite3_column_int64(s, 0),
		(const char *)sqlite3_column_text(s, 1),
		(const char *)sqlite3_column_text(s, 2),
		(const char *)sqlite3_column_text(s, 3),
		sqlite3_column_double(s, 4),
		sqlite3_column_double(s, 5),
		sqlite3_column_int64(s, 6),
		sqlite3_column_int64(s, 7),
		sqlite3_column_int64(s, 8),
	};
	return e->cb(e->ctx, &v);
}

int store_alloc_depots(struct store *st, const struct principal *p, long long item,
		       int (*cb)(void *ctx, const struct alloc_depot_view *v), void *ctx)
{
	struct buf sql;
	buf_init(&sql);
	buf_puts(&sql, "SELECT d.id, d.name, d.dep, d.level, d.lat, d.lng, l.quantity, coalesce(rs.quantity, 0), "
		       "(SELECT coalesce(sum(a.quantity), 0) FROM allocations a WHERE a.source_kind = 'depot' AND "
		       "a.source_id = d.id AND a.item_id = ?1 AND a.status = 'approved') "
		       "FROM stock_levels l JOIN depots d ON d.id = l.holder_id "
		       "LEFT JOIN stock_reserves rs ON rs.depot_id = d.id AND rs.item_id = ?1 "
		       "WHERE l.holder_kind = 'depot' AND l.item_id = ?1 AND d.status = 'active'");
	store_holder_scope(&sql, p, "d.dep", "d.level", "'depot'", "d.id");
	buf_puts(&sql, " ORDER BY d.id");
	struct each_depot e = {cb, ctx};
	struct dyn_query d = {"allocation depots", bind_id, &item, each_depot_row, &e};
	int rc = run_query(st, p, sql.data, &d, NULL);
	buf_release(&sql);
	return rc;
}

/* --- reserves ------------------------------------------------------------------------------------------- */

int store_reserve_set(struct store *st, long long depot, long long item, long long quantity, long long actor)
{
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO stock_reserves(depot_id, item_id, quantity, updated_by, updated_at) "
					    "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(depot_id, item_id) DO UPDATE SET "
					    "quantity = ?3, updated_by = ?4, updated_at = ?5");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, depot);
	sqlite3_bind_int64(s, 2, item);
	sqlite3_bind_int64(s, 3, quantity);
	bind_opt(s, 4, actor);
	sqlite3_bind_int64(s, 5, store_now(st));
	return store_step_done(st, s, "reserve");
}

int store_reserve_get(struct store *st, long long depot, long long item, long long *quantity)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT quantity FROM stock_reserves WHERE depot_id = ?1 AND item_id = ?2");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, depot);
	sqlite3_bind_int64(s, 2, item);
	int rc = sqlite3_step(s);
	*quantity = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "reserve");
}

int store_reserve_list(struct store *st, long long depot,
		       int (*cb)(void *ctx, const char *item_code, long long quantity, long long updated_at), void *ctx)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT i.code, r.quantity, r.updated_at FROM stock_reserves r "
					    "JOIN items i ON i.id = r.item_id WHERE r.depot_id = ?1 ORDER BY i.code");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, depot);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (cb(ctx, (const char *)sqlite3_column_text(s, 0), sqlite3_column_int64(s, 1), sqlite3_column_int64(s, 2)))
			break;
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "reserves");
}
