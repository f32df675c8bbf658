#include "store_territory.h"

#include "store_sqlite.h"

#include <stdio.h>
#include <string.h>

int store_departement_insert(struct store *st, const struct departement *d)
{
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO departements(code, name, region, lat, lng, prefecture) "
					    "VALUES (?, ?, ?, ?, ?, ?)");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, d->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, d->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, d->region, -1, SQLITE_STATIC);
	sqlite3_bind_double(s, 4, d->lat);
	sqlite3_bind_double(s, 5, d->lng);
	sqlite3_bind_text(s, 6, d->prefecture, -1, SQLITE_STATIC);
	return store_step_done(st, s, "departement insert");
}

int store_commune_insert(struct store *st, const struct commune *c)
{
	/* the source lists a commune once per postcode: the first row makes the commune */
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO communes(insee, name, dep, postcode, lat, lng, population) "
					    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(insee) DO NOTHING");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, c->insee, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, c->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, c->dep, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, c->postcode, -1, SQLITE_STATIC);
	sqlite3_bind_double(s, 5, c->lat);
	sqlite3_bind_double(s, 6, c->lng);
	sqlite3_bind_int64(s, 7, c->population);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_rc_from_sqlite(st, rc, "commune insert");
	s = store_prepare(st, "INSERT OR IGNORE INTO commune_postcodes(postcode, insee) VALUES (?, ?)");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, c->postcode, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, c->insee, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return store_rc_from_sqlite(st, rc, "commune postcode");
}

long long store_commune_count(struct store *st)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT count(*) FROM communes");
	long long n = 0;
	if (s && sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	if (s)
		sqlite3_reset(s);
	return n;
}

#define DEP_SELECT                                                                                        \
	"SELECT d.code, d.name, d.region, d.lat, d.lng, d.prefecture, "                                     \
	"(SELECT coalesce(sum(population), 0) FROM communes c WHERE c.dep = d.code), "                      \
	"(SELECT count(*) FROM communes c WHERE c.dep = d.code) FROM departements d "

static void read_dep(sqlite3_stmt *s, struct departement *d)
{
	memset(d, 0, sizeof *d);
	store_column_copy(d->code, sizeof d->code, s, 0);
	store_column_copy(d->name, sizeof d->name, s, 1);
	store_column_copy(d->region, sizeof d->region, s, 2);
	d->lat = sqlite3_column_double(s, 3);
	d->lng = sqlite3_column_double(s, 4);
	store_column_copy(d->prefecture, sizeof d->prefecture, s, 5);
	d->population = sqlite3_column_int64(s, 6);
	d->communes = sqlite3_column_int64(s, 7);
}

int store_departement_list(struct store *st, int (*cb)(void *ctx, const struct departement *d), void *ctx)
{
	sqlite3_stmt *s = store_prepare(st, DEP_SELECT "ORDER BY d.code");
	if (!s)
		return STORE_ERROR;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct departement d;
		read_dep(s, &d);
		if (cb(ctx, &d))
			break;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "departements");
}

int store_departement_get(struct store *st, const char *code, struct departement *out)
{
	sqlite3_stmt *s = store_prepare(st, DEP_SELECT "WHERE d.code = ?");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		read_dep(s, out);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOTFOUND : store_rc_from_sqlite(st, rc, "departement");
}

static void read_commune(sqlite3_stmt *s, struct commune *c)
{
	memset(c, 0, sizeof *c);
	store_column_copy(c->insee, sizeof c->insee, s, 0);
	store_column_copy(c->name, sizeof c->name, s, 1);
	store_column_copy(c->dep, sizeof c->dep, s, 2);
	store_column_copy(c->postcode, sizeof c->postcode, s, 3);
	c->lat = sqlite3_column_double(s, 4);
	c->lng = sqlite3_column_double(s, 5);
	c->population = sqlite3_column_int64(s, 6);
}

int store_commune_list(struct store *st, const char *dep, const char *q, const char *after, long long limit,
		       int (*cb)(void *ctx, const struct commune *c), void *ctx)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT insee, name, dep, postcode, lat, lng, population FROM communes "
					    "WHERE (?1 IS NULL OR dep = ?1) AND (?2 IS NULL OR " STORE_SQL_CONTAINS("name", "?2") ") "
					    "AND insee > ?3 ORDER BY insee LIMIT ?4");
	if (!s)
		return STORE_ERROR;
	if (dep)
		sqlite3_bind_text(s, 1, dep, -1, SQLITE_STATIC);
	if (q)
		sqlite3_bind_text(s, 2, q, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, after ? after : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, limit);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct commune c;
		read_commune(s, &c);
		if (cb(ctx, &c))
			break;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : store_rc_from_sqlite(st, rc, "communes");
}

int store_commune_get(struct store *st, const char *insee, struct commune *out)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT insee, name, dep, postcode, lat, lng, population FROM communes "
					    "WHERE insee = ?");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, insee, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		read_commune(s, out);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOTFOUND : store_rc_from_sqlite(st, rc, "commune");
}

int store_commune_nearest(struct store *st, const char *dep, const char *postcode, double lat, double lng,
			  struct commune *out)
{
	/* squared distance on a local flat projection is enough to rank communes a few km apart */
	sqlite3_stmt *s = store_prepare(st, "SELECT insee, name, dep, postcode, lat, lng, population FROM communes "
					    "WHERE (?4 IS NULL OR dep = ?4) ORDER BY EXISTS (SELECT 1 FROM commune_postcodes p WHERE p.insee = communes.insee "
					    "AND p.postcode = ?1) DESC, "
					    "(lat - ?2) * (lat - ?2) + (lng - ?3) * (lng - ?3) * 0.53 LIMIT 1");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, postcode ? postcode : "", -1, SQLITE_STATIC);
	sqlite3_bind_double(s, 2, lat);
	sqlite3_bind_double(s, 3, lng);
	if (dep)
		sqlite3_bind_text(s, 4, dep, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		read_commune(s, out);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOTFOUND : store_rc_from_sqlite(st, rc, "commune");
}
