#include "store_stock.h"

#include "auth.h"
#include "buf.h"
#include "store_cache.h"
#include "store_sqlite.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

const char *holder_kind_name(enum holder_kind k)
{
	return k == HOLDER_DEPOT ? "depot" : k == HOLDER_NONE ? "none" : k == HOLDER_TRANSIT ? "transit" : "structure";
}

int holder_kind_parse(const char *name)
{
	if (strcmp(name, "structure") == 0)
		return HOLDER_STRUCTURE;
	if (strcmp(name, "depot") == 0)
		return HOLDER_DEPOT;
	if (strcmp(name, "none") == 0)
		return HOLDER_NONE;
	return -1;
}

int store_holder_get(struct store *st, const struct principal *p, enum holder_kind kind, long long id,
		     struct holder_info *out)
{
	/* self tokens act as one holder of one kind; coordinators and observers by département */
	long long subject = 0;
	const char *deps = NULL;
	switch (p->role) {
	case ROLE_ADMIN:
		break;
	case ROLE_COORDINATOR:
	case ROLE_OBSERVER:
		deps = p->deps[0] ? p->deps : NULL;
		break;
	case ROLE_STRUCTURE:
	case ROLE_DEPOT:
		if ((p->role == ROLE_STRUCTURE) != (kind == HOLDER_STRUCTURE))
			return STORE_NOTFOUND;
		subject = p->subject_id;
		break;
	default:
		return STORE_NOTFOUND;
	}
	const struct holder_info *known = store_cache_holder(store_cache_of(st), kind, id);
	if (known) {
		/* the same rule as the SQL below */
		if ((deps && !principal_covers_dep(p, known->dep)) || (subject && id != subject))
			return STORE_NOTFOUND;
		*out = *known;
		return STORE_OK;
	}
	sqlite3_stmt *s = store_prepare(st, kind == HOLDER_STRUCTURE
						    ? "SELECT dep, name, category, coalesce(occupancy, -1), coalesce(staff, -1), commune, "
						      "lat, lng FROM structures WHERE id = ?1 AND (?2 IS NULL OR instr(?2, ',' || dep || ',') > 0) "
						      "AND (?3 = 0 OR id = ?3)"
						    : "SELECT dep, name, 'depot', -1, -1, commune, lat, lng FROM depots WHERE id = ?1 "
						      "AND (?2 IS NULL OR instr(?2, ',' || dep || ',') > 0) AND (?3 = 0 OR id = ?3)");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, id);
	if (deps)
		sqlite3_bind_text(s, 2, deps, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, subject);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		/* every field is set: no memset of the 3 KB of name buffers */
		out->kind = kind;
		out->id = id;
		store_column_copy(out->dep, sizeof out->dep, s, 0);
		store_column_copy(out->name, sizeof out->name, s, 1);
		store_column_copy(out->category, sizeof out->category, s, 2);
		out->occupancy = sqlite3_column_int64(s, 3);
		out->staff = sqlite3_column_int64(s, 4);
		store_column_copy(out->commune, sizeof out->commune, s, 5);
		out->lat = sqlite3_column_double(s, 6);
		out->lng = sqlite3_column_double(s, 7);
		store_cache_put_holder(store_cache_of(st), out);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOTFOUND : store_rc_from_sqlite(st, rc, "holder");
}

#define STOCK_COLUMNS                                                                                  \
	"quantity, coalesce(reported_at, 0), updated_at, coalesce(anchor_at, 0), coalesce(anchor_quantity, 0), " \
	"inflow, coalesce(burn_rate, 0), burn_samples, coalesce(burn_per_day, 0), days_of_cover, "        \
	"coalesce(stockout_at, 0), fc_samples, fc_fitted, coalesce(fc_level, 0), coalesce(fc_level_at, 0), "  \
	"coalesce(fc_growth, 0), coalesce(fc_own_growth, 0), coalesce(fc_sxx, 0), fc_surprise, "             \
	"consumed_since_count, coalesce(stockout_low_at, 0), coalesce(stockout_high_at, 0), coalesce(due_at, 0)"

/* The samples as bytes, small (every report line writes them with its level): the newest sample's
 * date (int64 ms) and the count; then per sample, oldest first, its date as whole seconds before
 * the newest (uint32), its rate and its interval in days (float: a rate is an estimate, seven
 * digits are plenty) and its flag (int8), in the machine's byte order (the database is not moved
 * between machines of another one: SQLite's own format is, and a blob read wrong is refused by its
 * size or its dates, and the samples restart). */
size_t store_forecast_pack(const struct forecast_state *s, unsigned char out[FORECAST_PACKED_MAX])
{
	int n = s->n < 0 ? 0 : s->n > FORECAST_HISTORY ? FORECAST_HISTORY : s->n;
	if (n == 0)
		return 0;
	long long newest = s->s[n - 1].at;
	unsigned char *o = out;
	memcpy(o, &newest, 8);
	o[8] = (unsigned char)n;
	o += 9;
	for (int i = 0; i < n; i++) {
		long long before = (newest - s->s[i].at) / 1000;
		uint32_t secs = before < 0 ? 0 : before > UINT32_MAX ? UINT32_MAX : (uint32_t)before;
		float rate = (float)s->s[i].rate, days = (float)s->s[i].days;
		memcpy(o, &secs, 4);
		memcpy(o + 4, &rate, 4);
		memcpy(o + 8, &days, 4);
		o[12] = (unsigned char)s->flags[i];
		o += 13;
	}
	return (size_t)(o - out);
}

int store_forecast_unpack(const void *bytes, size_t n, struct forecast_state *s)
{
	const unsigned char *b = bytes;
	s->n = 0;
	if (!b || n == 0)
		return 0;
	if (n < 9)
		return -1;
	long long newest;
	memcpy(&newest, b, 8);
	int k = b[8];
	if (k < 1 || k > FORECAST_HISTORY || n != 9 + (size_t)k * 13)
		return -1;
	for (int i = 0; i < k; i++) {
		const unsigned char *p = b + 9 + 13 * i;
		uint32_t secs;
		float rate, days;
		memcpy(&secs, p, 4);
		memcpy(&rate, p + 4, 4);
		memcpy(&days, p + 8, 4);
		if (!(rate >= 0) || !(days > 0))
			return -1;
		s->s[i].at = newest - (long long)secs * 1000;
		s->s[i].rate = rate;
		s->s[i].days = days;
		s->flags[i] = (signed char)p[12];
	}
	s->n = k;
	return 0;
}

int store_stock_get(struct store *st, enum holder_kind kind, long long holder, long long item, struct stock_row *out)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT " STOCK_COLUMNS " FROM stock_levels "
					    "WHERE holder_kind = ? AND holder_id = ? AND item_id = ?");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, holder_kind_name(kind), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, holder);
	sqlite3_bind_int64(s, 3, item);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		memset(out, 0, sizeof *out);
		out->kind = kind;
		out->holder_id = holder;
		out->item_id = item;
		out->quantity = sqlite3_column_int64(s, 0);
		out->reported_at = sqlite3_column_int64(s, 1);
		out->updated_at = sqlite3_column_int64(s, 2);
		out->burn.anchor_at = sqlite3_column_int64(s, 3);
		out->burn.anchor_quantity = sqlite3_column_int64(s, 4);
		out->burn.inflow = sqlite3_column_int64(s, 5);
		out->burn.rate = sqlite3_column_double(s, 6);
		out->burn.samples = sqlite3_column_int(s, 7);
		out->burn_per_day = sqlite3_column_double(s, 8);
		out->cover_known = sqlite3_column_type(s, 9) != SQLITE_NULL;
		out->days_of_cover = sqlite3_column_double(s, 9);
		out->stockout_at = sqlite3_column_int64(s, 10);
		store_forecast_unpack(sqlite3_column_blob(s, 11), (size_t)sqlite3_column_bytes(s, 11), &out->samples);
		out->path.samples = sqlite3_column_int(s, 12);
		out->path.level = sqlite3_column_double(s, 13);
		out->path.level_at = sqlite3_column_int64(s, 14);
		out->path.growth = sqlite3_column_double(s, 15);
		out->own_growth = sqlite3_column_double(s, 16);
		out->sxx = sqlite3_column_double(s, 17);
		out->path.surprise = sqlite3_column_int(s, 18);
		out->consumed_since_count = sqlite3_column_int64(s, 19);
		out->stockout_low_at = sqlite3_column_int64(s, 20);
		out->stockout_high_at = sqlite3_column_int64(s, 21);
		out->due_at = sqlite3_column_int64(s, 22);
		out->stored = 1;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOTFOUND : store_rc_from_sqlite(st, rc, "stock");
}

#define STOCK_SET                                                                                      \
	"quantity = ?4, reported_at = ?5, updated_at = ?6, anchor_at = ?7, anchor_quantity = ?8, inflow = ?9, " \
	"burn_rate = ?10, burn_samples = ?11, burn_per_day = ?12, days_of_cover = ?13, stockout_at = ?14, "     \
	"fc_samples = ?15, fc_fitted = ?16, fc_level = ?17, fc_level_at = ?18, fc_growth = ?19, "              \
	"fc_own_growth = ?20, fc_sxx = ?21, fc_surprise = ?22, consumed_since_count = ?23, "                   \
	"stockout_low_at = ?24, stockout_high_at = ?25, due_at = ?26"

int store_stock_put(struct store *st, const struct stock_row *r)
{
	/* a row just read is updated in place: the upsert would first try the insert, find the key
	 * taken, then seek it again to update it */
	sqlite3_stmt *s = store_prepare(
		st, r->stored ? "UPDATE stock_levels SET " STOCK_SET " WHERE holder_kind = ?1 AND holder_id = ?2 AND item_id = ?3"
			      : "INSERT INTO stock_levels(holder_kind, holder_id, item_id, quantity, reported_at, updated_at, "
				"anchor_at, anchor_quantity, inflow, burn_rate, burn_samples, burn_per_day, days_of_cover, "
				"stockout_at, fc_samples, fc_fitted, fc_level, fc_level_at, fc_growth, fc_own_growth, fc_sxx, "
				"fc_surprise, consumed_since_count, stockout_low_at, stockout_high_at, due_at) VALUES (?1, ?2, ?3, "
				"?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, "
				"?24, ?25, ?26) ON CONFLICT(holder_kind, holder_id, item_id) DO UPDATE SET " STOCK_SET);
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, holder_kind_name(r->kind), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, r->holder_id);
	sqlite3_bind_int64(s, 3, r->item_id);
	sqlite3_bind_int64(s, 4, r->quantity);
	if (r->reported_at)
		sqlite3_bind_int64(s, 5, r->reported_at);
	sqlite3_bind_int64(s, 6, r->updated_at);
	if (r->burn.anchor_at) {
		sqlite3_bind_int64(s, 7, r->burn.anchor_at);
		sqlite3_bind_int64(s, 8, r->burn.anchor_quantity);
	}
	sqlite3_bind_int64(s, 9, r->burn.inflow);
	if (r->burn.samples)
		sqlite3_bind_double(s, 10, r->burn.rate);
	sqlite3_bind_int(s, 11, r->burn.samples);
	if (r->burn_per_day > 0)
		sqlite3_bind_double(s, 12, r->burn_per_day);
	if (r->cover_known) {
		sqlite3_bind_double(s, 13, r->days_of_cover);
		sqlite3_bind_int64(s, 14, r->stockout_at);
	}
	unsigned char packed[FORECAST_PACKED_MAX];
	if (r->samples.n > 0)
		sqlite3_bind_blob(s, 15, packed, (int)store_forecast_pack(&r->samples, packed), SQLITE_STATIC);
	sqlite3_bind_int(s, 16, r->path.samples);
	if (r->path.level > 0) {
		sqlite3_bind_double(s, 17, r->path.level);
		sqlite3_bind_int64(s, 18, r->path.level_at);
		sqlite3_bind_double(s, 19, r->path.growth);
	}
	if (r->samples.n > 1) {
		sqlite3_bind_double(s, 20, r->own_growth);
		sqlite3_bind_double(s, 21, r->sxx);
	}
	sqlite3_bind_int(s, 22, r->path.surprise);
	sqlite3_bind_int64(s, 23, r->consumed_since_count);
	if (r->cover_known && r->stockout_low_at) {
		sqlite3_bind_int64(s, 24, r->stockout_low_at);
		sqlite3_bind_int64(s, 25, r->stockout_high_at);
	}
	if (r->due_at)
		sqlite3_bind_int64(s, 26, r->due_at);
	int rc = store_step_done(st, s, "stock put");
	if (rc == STORE_OK && r->stored && sqlite3_changes(store_db(st)) == 0) {
		/* deleted between the read and now (it cannot happen inside one operation; if it ever
		 * did, the level is written all the same) */
		struct stock_row again = *r;
		again.stored = 0;
		return store_stock_put(st, &again);
	}
	return rc;
}

int store_ledger_append(struct store *st, const struct ledger_entry *e)
{
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO stock_ledger(holder_kind, holder_id, item_id, kind, delta, "
					    "quantity_after, actor, idempotency_key, at, report_id, cause_kind, cause_id, origin) "
					    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, holder_kind_name(e->kind), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, e->holder);
	sqlite3_bind_int64(s, 3, e->item);
	sqlite3_bind_text(s, 4, e->ledger_kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, e->delta);
	sqlite3_bind_int64(s, 6, e->quantity_after);
	if (e->actor)
		sqlite3_bind_int64(s, 7, e->actor);
	if (e->idem_key && e->idem_key[0])
		sqlite3_bind_text(s, 8, e->idem_key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 9, store_now(st));
	if (e->report_id)
		sqlite3_bind_int64(s, 10, e->report_id);
	if (e->cause_kind) {
		sqlite3_bind_text(s, 11, e->cause_kind, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 12, e->cause_id);
	}
	if (e->origin)
		sqlite3_bind_text(s, 13, e->origin, -1, SQLITE_STATIC);
	return store_step_done(st, s, "ledger");
}

int store_report_insert(struct store *st, enum holder_kind kind, long long holder, int items, long long occupancy,
			long long staff, long long actor, const char *idem_key, long long *id)
{
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO stock_reports(holder_kind, holder_id, items, occupancy, staff, "
					    "actor, idempotency_key, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, holder_kind_name(kind), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, holder);
	sqlite3_bind_int(s, 3, items);
	if (occupancy >= 0)
		sqlite3_bind_int64(s, 4, occupancy);
	if (staff >= 0)
		sqlite3_bind_int64(s, 5, staff);
	if (actor)
		sqlite3_bind_int64(s, 6, actor);
	if (idem_key && idem_key[0])
		sqlite3_bind_text(s, 7, idem_key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 8, store_now(st));
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_rc_from_sqlite(st, rc, "report");
	*id = sqlite3_last_insert_rowid(store_db(st));
	return STORE_OK;
}

int store_stock_set(struct store *st, enum holder_kind kind, long long holder, long long item, long long quantity,
		    const char *ledger_kind, long long actor, const char *idem_key, long long *before)
{
	const char *hk = holder_kind_name(kind);
	sqlite3_stmt *s = store_prepare(st, "SELECT quantity FROM stock_levels WHERE holder_kind = ? AND holder_id = ? "
					    "AND item_id = ?");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, hk, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, holder);
	sqlite3_bind_int64(s, 3, item);
	int rc = sqlite3_step(s);
	long long prev = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_rc_from_sqlite(st, rc, "stock read");
	long long now = store_now(st);

	s = store_prepare(st, "INSERT INTO stock_levels(holder_kind, holder_id, item_id, quantity, reported_at, updated_at) "
			      "VALUES (?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT(holder_kind, holder_id, item_id) DO UPDATE SET "
			      "quantity = excluded.quantity, reported_at = excluded.reported_at, updated_at = excluded.updated_at");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, hk, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, holder);
	sqlite3_bind_int64(s, 3, item);
	sqlite3_bind_int64(s, 4, quantity);
	sqlite3_bind_int64(s, 5, now);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_rc_from_sqlite(st, rc, "stock level");

	s = store_prepare(st, "INSERT INTO stock_ledger(holder_kind, holder_id, item_id, kind, delta, quantity_after, actor, "
			      "idempotency_key, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, hk, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, holder);
	sqlite3_bind_int64(s, 3, item);
	sqlite3_bind_text(s, 4, ledger_kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, quantity - (prev < 0 ? 0 : prev));
	sqlite3_bind_int64(s, 6, quantity);
	if (actor)
		sqlite3_bind_int64(s, 7, actor);
	if (idem_key)
		sqlite3_bind_text(s, 8, idem_key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 9, now);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_rc_from_sqlite(st, rc, "stock ledger");
	if (before)
		*before = prev;
	return STORE_OK;
}

int store_item_find(struct store *st, const char *code, long long id, struct item_info *out)
{
#define ITEM_COLUMNS                                                                                     \
	"SELECT id, code, name, unit, coalesce(burn_per_worker_day, -1), coalesce(burn_per_patient_day, -1), " \
	"coalesce(burn_per_bed_day, -1) FROM items "
	const struct item_info *known = code ? NULL : store_cache_item(store_cache_of(st), id);
	if (known) {
		*out = *known;
		return STORE_OK;
	}
	/* two statements: one WHERE with both ways was an OR over two indexes, a row set built for
	 * every report line */
	sqlite3_stmt *s = store_prepare(st, code ? ITEM_COLUMNS "WHERE code = ?1" : ITEM_COLUMNS "WHERE id = ?1");
	if (!s)
		return STORE_ERROR;
	if (code)
		sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		/* every field is set: no memset of the 1 KB of text buffers */
		out->id = sqlite3_column_int64(s, 0);
		store_column_copy(out->code, sizeof out->code, s, 1);
		store_column_copy(out->name, sizeof out->name, s, 2);
		store_column_copy(out->unit, sizeof out->unit, s, 3);
		out->per_worker = sqlite3_column_double(s, 4);
		out->per_patient = sqlite3_column_double(s, 5);
		out->per_bed = sqlite3_column_double(s, 6);
		store_cache_put_item(store_cache_of(st), out);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOTFOUND : store_rc_from_sqlite(st, rc, "item");
}

int store_item_id(struct store *st, const char *code, long long *id)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT id FROM items WHERE code = ?");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOTFOUND : store_rc_from_sqlite(st, rc, "item");
}

int store_structure_headcounts(struct store *st, int (*cb)(void *ctx, long long id, long long occupancy, long long staff),
			       void *ctx)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT id, coalesce(occupancy, 0), coalesce(staff, 0) FROM structures ORDER BY id");
	if (!s)
		return STORE_ERROR;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (cb(ctx, sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1), sqlite3_column_int64(s, 2)))
			break;
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "structures");
}

long long store_structure_count(struct store *st)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT count(*) FROM structures");
	long long n = 0;
	if (s && sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	if (s)
		sqlite3_reset(s);
	return n;
}

/* --- the forecast's own reads ------------------------------------------------------------------------- */

int store_forecast_pool_rows(struct store *st, int (*cb)(void *ctx, const struct forecast_pool_row *r), void *ctx)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT s.dep, s.category, coalesce(s.occupancy, 0), coalesce(s.staff, 0), l.item_id, "
					    "coalesce(i.burn_per_worker_day, -1), coalesce(i.burn_per_patient_day, -1), "
					    "coalesce(i.burn_per_bed_day, -1), l.fc_fitted, coalesce(l.fc_level, 0), "
					    "coalesce(l.fc_own_growth, 0), coalesce(l.fc_sxx, 0) "
					    "FROM stock_levels l JOIN structures s ON l.holder_kind = 'structure' AND s.id = l.holder_id "
					    "JOIN items i ON i.id = l.item_id WHERE l.fc_fitted >= 2");
	if (!s)
		return STORE_ERROR;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct forecast_pool_row r = {
			(const char *)sqlite3_column_text(s, 0),
			(const char *)sqlite3_column_text(s, 1),
			sqlite3_column_int64(s, 4),
			sqlite3_column_int64(s, 2),
			sqlite3_column_int64(s, 3),
			sqlite3_column_double(s, 5),
			sqlite3_column_double(s, 6),
			sqlite3_column_double(s, 7),
			sqlite3_column_int(s, 8),
			sqlite3_column_double(s, 9),
			sqlite3_column_double(s, 10),
			sqlite3_column_double(s, 11),
		};
		if (cb(ctx, &r))
			break;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "forecast pool");
}

int store_stock_due(struct store *st, long long now, int limit, struct level_key *out, int *n)
{
	*n = 0;
	/* a scan (due_at moves with nearly every report: an index would be rewritten each time) */
	sqlite3_stmt *s = store_prepare(st, "SELECT holder_kind, holder_id, item_id FROM stock_levels WHERE due_at <= ? "
					    "ORDER BY due_at LIMIT ?");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int(s, 2, limit);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && *n < limit) {
		int kind = holder_kind_parse((const char *)sqlite3_column_text(s, 0));
		out[*n].kind = kind < 0 ? HOLDER_STRUCTURE : (enum holder_kind)kind;
		out[*n].holder = sqlite3_column_int64(s, 1);
		out[*n].item = sqlite3_column_int64(s, 2);
		(*n)++;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "stock due");
}

/* --- reading levels for people ------------------------------------------------------------------- */

/* Structures and depots as one holder table h(kind, id, name, dep, category, level). */
#define HOLDERS                                                                                          \
	"(SELECT 'structure' AS kind, id, name, dep, category, NULL AS level FROM structures "            \
	"UNION ALL SELECT 'depot', id, name, dep, NULL, level FROM depots)"

int store_level_list(struct store *st, const struct principal *p, const struct level_query *q,
		     int (*cb)(void *ctx, const struct level_view *v), void *ctx, long long *total)
{
	static const char *const sev_order = "CASE a.severity WHEN 'stockout' THEN 3 WHEN 'critical' THEN 2 WHEN 'warning' THEN 1 ELSE 0 END";
	struct buf where, sql;
	buf_init(&where);
	buf_init(&sql);
	buf_puts(&where, " FROM stock_levels l JOIN " HOLDERS " h ON h.kind = l.holder_kind AND h.id = l.holder_id "
			 "JOIN items i ON i.id = l.item_id "
			 "LEFT JOIN alerts a ON a.kind = 'shortage' AND a.status != 'resolved' AND a.holder_kind = l.holder_kind "
			 "AND a.holder_id = l.holder_id AND a.item_id = l.item_id WHERE 1");
	store_holder_scope(&where, p, "h.dep", "h.level", "l.holder_kind", "l.holder_id");
	buf_puts(&where, " AND (?1 IS NULL OR l.holder_kind = ?1) AND (?2 = 0 OR l.holder_id = ?2) "
			 "AND (?3 IS NULL OR h.dep = ?3) AND (?4 IS NULL OR i.code = ?4) AND (?5 IS NULL OR h.category = ?5)");
	if (q->severity)
		buf_printf(&where, " AND %s >= CASE ?6 WHEN 'stockout' THEN 3 WHEN 'critical' THEN 2 ELSE 1 END", sev_order);
	int rc = STORE_OK;
	for (int pass = total ? 0 : 1; pass < 2 && rc == STORE_OK; pass++) {
		buf_reset(&sql);
		if (pass == 0)
			buf_printf(&sql, "SELECT count(*)%s", where.data);
		else {
			buf_printf(&sql, "SELECT l.holder_kind, l.holder_id, h.name, h.dep, h.category, i.code, i.name, i.unit, "
					 "l.quantity, coalesce(l.reported_at, 0), coalesce(l.burn_per_day, 0), l.days_of_cover, "
					 "coalesce(l.stockout_at, 0), a.severity, l.burn_samples, l.fc_fitted, coalesce(l.fc_level, 0), "
					 "coalesce(l.fc_level_at, 0), coalesce(l.fc_growth, 0), l.fc_surprise, l.consumed_since_count, "
					 "coalesce(l.stockout_low_at, 0), coalesce(l.stockout_high_at, 0)%s ORDER BY ",
				   where.data);
			/* by the stock-out date: the cover at any later time keeps its order (days_of_cover is
			 * the cover when the level was last computed) */
			if (q->sort == LEVEL_SORT_DEP_ITEM)
				buf_puts(&sql, "h.dep, i.code, l.holder_kind, l.holder_id");
			else if (q->sort > 0)
				buf_puts(&sql, "l.stockout_at IS NULL, l.stockout_at, l.holder_id, i.code");
			else if (q->sort < 0)
				buf_puts(&sql, "l.stockout_at IS NULL, l.stockout_at DESC, l.holder_id, i.code");
			else
				buf_puts(&sql, "l.holder_kind, l.holder_id, i.code");
			buf_puts(&sql, " LIMIT ?7 OFFSET ?8");
		}
		sqlite3_stmt *s = NULL;
		int src = sqlite3_prepare_v2(store_db(st), sql.data, -1, &s, NULL);
		if (src != SQLITE_OK) {
			rc = store_rc_from_sqlite(st, src, "levels");
			break;
		}
		if (q->holder_kind)
			sqlite3_bind_text(s, 1, q->holder_kind, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, q->holder_id);
		if (q->dep)
			sqlite3_bind_text(s, 3, q->dep, -1, SQLITE_STATIC);
		if (q->item)
			sqlite3_bind_text(s, 4, q->item, -1, SQLITE_STATIC);
		if (q->category)
			sqlite3_bind_text(s, 5, q->category, -1, SQLITE_STATIC);
		if (q->severity)
			sqlite3_bind_text(s, 6, q->severity, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 7, q->limit);
		sqlite3_bind_int64(s, 8, q->offset);
		store_holder_scope_bind(s, p);
		while ((src = sqlite3_step(s)) == SQLITE_ROW) {
			if (pass == 0) {
				*total = sqlite3_column_int64(s, 0);
				continue;
			}
			struct level_view v = {
				(const char *)sqlite3_column_text(s, 0),
				sqlite3_column_int64(s, 1),
				(const char *)sqlite3_column_text(s, 2),
				(const char *)sqlite3_column_text(s, 3),
				(const char *)sqlite3_column_text(s, 4),
				(const char *)sqlite3_column_text(s, 5),
				(const char *)sqlite3_column_text(s, 6),
				(const char *)sqlite3_column_text(s, 7),
				sqlite3_column_int64(s, 8),
				sqlite3_column_int64(s, 9),
				sqlite3_column_double(s, 10),
				sqlite3_column_type(s, 11) != SQLITE_NULL,
				sqlite3_column_double(s, 11),
				sqlite3_column_int64(s, 12),
				(const char *)sqlite3_column_text(s, 13),
				sqlite3_column_int(s, 14),
				{0},
				sqlite3_column_int64(s, 20),
				sqlite3_column_int64(s, 21),
				sqlite3_column_int64(s, 22),
			};
			v.path.samples = sqlite3_column_int(s, 15);
			v.path.level = sqlite3_column_double(s, 16);
			v.path.level_at = sqlite3_column_int64(s, 17);
			v.path.growth = sqlite3_column_double(s, 18);
			v.path.surprise = sqlite3_column_int(s, 19);
			if (cb(ctx, &v))
				break;
		}
		if (src != SQLITE_ROW && src != SQLITE_DONE)
			rc = store_rc_from_sqlite(st, src, "levels");
		sqlite3_finalize(s);
	}
	buf_release(&where);
	buf_release(&sql);
	return rc;
}
