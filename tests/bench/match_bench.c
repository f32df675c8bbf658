/* match_bench: the matching of staff requests (issue 12) on a large reserve, next to the same
 * selection done as one SQLite query on the same data, in the same run.
 *
 *   match_bench [-v volunteers=100000] [-r requests=1000] [-s seed=12] [-c communes.csv] [-q (no SQL)]
 *
 * The volunteers are generated over the region's communes (schema/data/occitanie-communes.csv,
 * weighted by population), with what each matching rule reads: status, profession, credentials (some
 * expiring), unavailability windows and "until further notice", available-only windows, assigned
 * shifts (overlaps and rest), travel radius, skills, languages, and the fairness inputs (last called,
 * deployments). Each request (a structure's commune, one or two professions, a credential, a 12-hour
 * shift in the next 30 days, sometimes a skill, a language, a wave's widening) is ranked by
 * match_rank(): every volunteer judged, with the explanation of their place (the rule that excluded
 * them and what it saw, or their rank, distance band, distance and fairness), the eligible sorted.
 * Timed per request (CLOCK_MONOTONIC), median and p99.
 *
 * The reference is one SQL query giving the same eligible volunteers in the same order (and nothing
 * about the excluded): an in-memory SQLite database holding the same volunteers (indexes on
 * profession and status, on each child table by volunteer), the distance as a registered C function
 * (the same haversine, the same rounding to the metre), the query prepared once, bound and stepped to
 * the end for each request. Each request's two answers are compared: they must be the same ids in the
 * same order (the program fails otherwise).
 */
#include "geo.h"
#include "matching.h"

#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DAY_MS 86400000LL
#define HOUR_MS 3600000LL
#define NOW_MS 1780000000000LL /* a fixed "now" (2026-05-28): the run does not depend on the date */

/* the model's lists (rules/model.c): indexes the matching uses */
enum { P_NURSE, P_CARE_ASSISTANT, P_DOCTOR, P_MIDWIFE, P_PHARMACIST, P_PHYSIO, P_PSYCHOLOGIST, P_SOCIAL, P_EDUCATOR,
       P_LOGISTICIAN, P_DRIVER, P_ADMIN, P_OTHER, P_COUNT };
enum { C_DIPLOMA, C_RPPS, C_ADELI, C_DRIVING, C_FIRST_AID, C_VACCINATION, C_OTHER };
enum { W_UNAVAILABLE, W_AVAILABLE_ONLY, W_ASSIGNED };

static const char *const skill_words[] = {"geriatrics", "palliative", "pediatrics", "icu", "dialysis", "psychiatry",
					  "wound_care", "vaccination", "emergency", "dementia", "night", "diabetes"};
#define NSKILLS (sizeof skill_words / sizeof skill_words[0])

/* --- a small deterministic generator ------------------------------------------------------------ */

static uint64_t rng_state;
static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}
static long long rnd_range(long long lo, long long hi) /* [lo, hi] */
{
	return lo + (long long)(rnd() % (uint64_t)(hi - lo + 1));
}
static int chance(int percent)
{
	return (int)(rnd() % 100) < percent;
}

/* --- communes ------------------------------------------------------------------------------------ */

struct commune {
	double lat, lng;
	long long cum_pop; /* cumulative population up to and including this one */
};
static struct commune *communes;
static size_t ncommunes;

static int load_communes(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		perror(path);
		return -1;
	}
	char line[1024];
	size_t cap = 0;
	long long cum = 0;
	if (!fgets(line, sizeof line, f)) { /* the header */
		fclose(f);
		return -1;
	}
	while (fgets(line, sizeof line, f)) {
		/* insee,reg,dep,name,article,postcode,type,parent,lat,lng,area,population_2021,... */
		char *field[13];
		int nf = 0;
		for (char *p = line; nf < 13;) {
			field[nf++] = p;
			char *comma = strchr(p, ',');
			if (!comma)
				break;
			*comma = '\0';
			p = comma + 1;
		}
		if (nf < 12 || !field[8][0] || !field[9][0])
			continue;
		if (ncommunes == cap) {
			cap = cap ? cap * 2 : 1024;
			struct commune *n = realloc(communes, cap * sizeof *n);
			if (!n)
				return -1;
			communes = n;
		}
		long long pop = atoll(field[11]);
		cum += pop > 0 ? pop : 1;
		communes[ncommunes++] = (struct commune){atof(field[8]), atof(field[9]), cum};
	}
	fclose(f);
	return ncommunes ? 0 : -1;
}

static const struct commune *pick_commune(void)
{
	long long x = rnd_range(1, communes[ncommunes - 1].cum_pop);
	size_t lo = 0, hi = ncommunes - 1;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (communes[mid].cum_pop >= x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return &communes[lo];
}

/* --- the reserve ------------------------------------------------------------------------------------ */

struct gen_volunteer {
	struct match_volunteer m;
	char skills[64], languages[16];
	struct match_credential creds[2];
	struct match_window unavailable[2], available_only[4], assigned[3];
};

static int required_credential(int profession)
{
	switch (profession) {
	case P_DOCTOR:
	case P_MIDWIFE:
	case P_PHARMACIST:
		return C_RPPS;
	case P_DRIVER:
		return C_DRIVING;
	default:
		return C_DIPLOMA;
	}
}

static void gen_volunteer(struct gen_volunteer *g, long long id)
{
	memset(g, 0, sizeof *g);
	struct match_volunteer *v = &g->m;
	v->id = id;
	int s = (int)rnd_range(0, 99);
	v->status = s < 95 ? MATCH_ACTIVE : s < 98 ? MATCH_PENDING : MATCH_SUSPENDED;
	int p = (int)rnd_range(0, 99);
	v->profession = p < 35 ? P_NURSE : p < 65 ? P_CARE_ASSISTANT : p < 73 ? P_DOCTOR : (int)rnd_range(P_MIDWIFE, P_OTHER);
	const struct commune *c = pick_commune();
	v->lat = c->lat;
	v->lng = c->lng;
	v->has_place = 1;
	static const int radii[] = {10, 20, 30, 30, 30, 40, 50, 80, 100};
	v->radius_km = radii[rnd() % (sizeof radii / sizeof radii[0])];
	/* skills: 0 to 3 distinct words */
	int nsk = (int)rnd_range(0, 3);
	unsigned used = 0;
	for (int i = 0; i < nsk; i++) {
		int w = (int)(rnd() % NSKILLS);
		if (used >> w & 1)
			continue;
		used |= 1u << w;
		size_t len = strlen(g->skills);
		snprintf(g->skills + len, sizeof g->skills - len, "%s%s", len ? " " : "", skill_words[w]);
	}
	snprintf(g->languages, sizeof g->languages, "fr%s%s", chance(25) ? " en" : "", chance(5) ? " es" : "");
	v->skills = g->skills;
	v->languages = g->languages;
	/* credentials: their profession's (most of them), some expiring, some expired; first aid */
	size_t nc = 0;
	if (chance(95)) {
		long long until = chance(70) ? MATCH_FOREVER : NOW_MS + rnd_range(-365, 3 * 365) * DAY_MS;
		g->creds[nc++] = (struct match_credential){required_credential(v->profession), until};
	}
	if (chance(30))
		g->creds[nc++] = (struct match_credential){C_FIRST_AID, NOW_MS + rnd_range(-200, 700) * DAY_MS};
	v->creds = g->creds;
	v->ncreds = nc;
	/* unavailable until further notice, or in windows of the next two months */
	if (chance(5)) {
		v->unavailable_open = 1;
		v->unavailable_since = NOW_MS + rnd_range(-30, 20) * DAY_MS;
	}
	if (chance(15)) {
		size_t n = (size_t)rnd_range(1, 2);
		for (size_t i = 0; i < n; i++) {
			long long start = NOW_MS + rnd_range(0, 60 * 24) * HOUR_MS;
			g->unavailable[i] = (struct match_window){start, start + rnd_range(1, 14) * DAY_MS, 0};
		}
		v->unavailable = g->unavailable;
		v->nunavailable = n;
	}
	/* available only on a few stretches, disjoint and apart (sorted by start) */
	if (chance(5)) {
		size_t n = (size_t)rnd_range(2, 4);
		long long t = NOW_MS + rnd_range(0, 5) * DAY_MS;
		for (size_t i = 0; i < n; i++) {
			long long start = t + rnd_range(1, 5) * DAY_MS, end = start + rnd_range(12, 96) * HOUR_MS;
			g->available_only[i] = (struct match_window){start, end, 0};
			t = end;
		}
		v->available_only = g->available_only;
		v->navailable_only = n;
	}
	/* assigned shifts around now (other requests) */
	if (chance(10)) {
		size_t n = (size_t)rnd_range(1, 3);
		for (size_t i = 0; i < n; i++) {
			long long start = NOW_MS + rnd_range(-10 * 24, 30 * 24) * HOUR_MS;
			g->assigned[i] = (struct match_window){start, start + 12 * HOUR_MS, 1000 + id * 4 + (long long)i};
		}
		v->assigned = g->assigned;
		v->nassigned = n;
	}
	v->last_called_at = chance(40) ? 0 : NOW_MS - rnd_range(0, 180 * 24) * HOUR_MS;
	v->deployments = chance(50) ? 0 : (int)rnd_range(1, 20);
}

/* --- requests ------------------------------------------------------------------------------------- */

struct gen_request {
	struct match_request m;
	struct match_window shift;
	int p1, p2, cred;
	char skill[24], lang[4];
};

static void gen_request(struct gen_request *g)
{
	memset(g, 0, sizeof *g);
	int p = (int)rnd_range(0, 99);
	g->p1 = p < 50 ? P_NURSE : p < 80 ? P_CARE_ASSISTANT : p < 90 ? P_NURSE : P_DOCTOR;
	g->p2 = p >= 80 && p < 90 ? P_CARE_ASSISTANT : g->p1;
	g->cred = required_credential(g->p1);
	const struct commune *c = pick_commune();
	long long day = NOW_MS - NOW_MS % DAY_MS + rnd_range(1, 30) * DAY_MS;
	long long start = day + (chance(70) ? 6 : 18) * HOUR_MS; /* 07:00 or 19:00, Paris winter time */
	g->shift = (struct match_window){start, start + 12 * HOUR_MS, 0};
	if (chance(25))
		snprintf(g->skill, sizeof g->skill, "%s", skill_words[rnd() % NSKILLS]);
	if (chance(15))
		snprintf(g->lang, sizeof g->lang, "en");
	static const int extra[] = {0, 0, 0, 0, 0, 0, 0, 10, 20, 20};
	struct match_request *m = &g->m;
	m->professions = 1ULL << g->p1 | 1ULL << g->p2;
	m->credentials = 1ULL << g->cred;
	m->skills = g->skill;
	m->languages = g->lang;
	m->shifts = &g->shift;
	m->nshifts = 1;
	m->lat = c->lat;
	m->lng = c->lng;
	m->rest_ms = 11 * HOUR_MS;
	m->extra_radius_km = extra[rnd() % 10];
	m->band_km = 5;
}

/* --- the SQL reference ------------------------------------------------------------------------------ */

static void sql_dist_m(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	double km = geo_distance_km(sqlite3_value_double(argv[0]), sqlite3_value_double(argv[1]),
				    sqlite3_value_double(argv[2]), sqlite3_value_double(argv[3]));
	sqlite3_result_int64(ctx, lround(km * 1000.0));
}

static int exec(sqlite3 *db, const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "sql: %s\n", err ? err : "?");
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

static const char *const SCHEMA =
	"CREATE TABLE v (id INTEGER PRIMARY KEY, status INTEGER, profession INTEGER, lat REAL, lng REAL,"
	" has_place INTEGER, radius_km INTEGER, skills TEXT, languages TEXT, unavailable_open INTEGER,"
	" unavailable_since INTEGER, last_called_at INTEGER, deployments INTEGER);"
	"CREATE TABLE cred (vid INTEGER, kind INTEGER, valid_until INTEGER);"
	"CREATE TABLE win (vid INTEGER, kind INTEGER, start INTEGER, end INTEGER);";
static const char *const INDEXES = "CREATE INDEX v_profession ON v(profession, status);"
				   "CREATE INDEX cred_vid ON cred(vid, kind);"
				   "CREATE INDEX win_vid ON win(vid, kind, start);"
				   "ANALYZE;";

/* The matching's selection: the same rules, the same ranking (eligible only). */
static const char *const QUERY =
	"SELECT id FROM ("
	" SELECT v.id, dist_m(v.lat, v.lng, :lat, :lng) AS d, v.radius_km, v.last_called_at, v.deployments FROM v"
	" WHERE v.status = 0 AND v.profession IN (:p1, :p2)"
	"  AND EXISTS (SELECT 1 FROM cred c WHERE c.vid = v.id AND c.kind = :cred AND c.valid_until >= :end)"
	"  AND NOT (v.unavailable_open AND :end > v.unavailable_since)"
	"  AND NOT EXISTS (SELECT 1 FROM win w WHERE w.vid = v.id AND w.kind = 0 AND w.start < :end AND :start < w.end)"
	"  AND (NOT EXISTS (SELECT 1 FROM win w WHERE w.vid = v.id AND w.kind = 1)"
	"       OR EXISTS (SELECT 1 FROM win w WHERE w.vid = v.id AND w.kind = 1 AND w.start <= :start AND w.end >= :end))"
	"  AND NOT EXISTS (SELECT 1 FROM win w WHERE w.vid = v.id AND w.kind = 2"
	"                  AND w.start - :rest < :end AND :start < w.end + :rest)"
	"  AND v.has_place"
	"  AND (:skill = '' OR instr(' ' || v.skills || ' ', ' ' || :skill || ' ') > 0)"
	"  AND (:lang = '' OR instr(' ' || v.languages || ' ', ' ' || :lang || ' ') > 0)"
	") WHERE d <= (radius_km + :extra) * 1000"
	" ORDER BY d / :band, last_called_at, deployments, id";

static int load_sql(sqlite3 *db, const struct match_volunteer *g, size_t n)
{
	if (exec(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;") || exec(db, SCHEMA) || exec(db, "BEGIN"))
		return -1;
	sqlite3_stmt *sv, *sc, *sw;
	if (sqlite3_prepare_v2(db, "INSERT INTO v VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", -1, &sv, NULL) ||
	    sqlite3_prepare_v2(db, "INSERT INTO cred VALUES (?,?,?)", -1, &sc, NULL) ||
	    sqlite3_prepare_v2(db, "INSERT INTO win VALUES (?,?,?,?)", -1, &sw, NULL))
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct match_volunteer *v = &g[i];
		sqlite3_bind_int64(sv, 1, v->id);
		sqlite3_bind_int(sv, 2, v->status);
		sqlite3_bind_int(sv, 3, v->profession);
		sqlite3_bind_double(sv, 4, v->lat);
		sqlite3_bind_double(sv, 5, v->lng);
		sqlite3_bind_int(sv, 6, v->has_place);
		sqlite3_bind_int(sv, 7, v->radius_km);
		sqlite3_bind_text(sv, 8, v->skills, -1, SQLITE_STATIC);
		sqlite3_bind_text(sv, 9, v->languages, -1, SQLITE_STATIC);
		sqlite3_bind_int(sv, 10, v->unavailable_open);
		sqlite3_bind_int64(sv, 11, v->unavailable_since);
		sqlite3_bind_int64(sv, 12, v->last_called_at);
		sqlite3_bind_int(sv, 13, v->deployments);
		if (sqlite3_step(sv) != SQLITE_DONE)
			return -1;
		sqlite3_reset(sv);
		for (size_t k = 0; k < v->ncreds; k++) {
			sqlite3_bind_int64(sc, 1, v->id);
			sqlite3_bind_int(sc, 2, v->creds[k].kind);
			sqlite3_bind_int64(sc, 3, v->creds[k].valid_until);
			if (sqlite3_step(sc) != SQLITE_DONE)
				return -1;
			sqlite3_reset(sc);
		}
		const struct match_window *lists[3] = {v->unavailable, v->available_only, v->assigned};
		size_t counts[3] = {v->nunavailable, v->navailable_only, v->nassigned};
		for (int kind = 0; kind < 3; kind++)
			for (size_t k = 0; k < counts[kind]; k++) {
				sqlite3_bind_int64(sw, 1, v->id);
				sqlite3_bind_int(sw, 2, kind);
				sqlite3_bind_int64(sw, 3, lists[kind][k].start);
				sqlite3_bind_int64(sw, 4, lists[kind][k].end);
				if (sqlite3_step(sw) != SQLITE_DONE)
					return -1;
				sqlite3_reset(sw);
			}
	}
	sqlite3_finalize(sv);
	sqlite3_finalize(sc);
	sqlite3_finalize(sw);
	return exec(db, "COMMIT") || exec(db, INDEXES);
}

static void bind(sqlite3_stmt *q, const char *name, long long v)
{
	sqlite3_bind_int64(q, sqlite3_bind_parameter_index(q, name), v);
}

/* Runs the query for request r; its ids into ids (at most max), their number returned, -1 on error. */
static long sql_select(sqlite3_stmt *q, const struct gen_request *r, long long *ids, size_t max)
{
	sqlite3_reset(q);
	sqlite3_bind_double(q, sqlite3_bind_parameter_index(q, ":lat"), r->m.lat);
	sqlite3_bind_double(q, sqlite3_bind_parameter_index(q, ":lng"), r->m.lng);
	bind(q, ":p1", r->p1);
	bind(q, ":p2", r->p2);
	bind(q, ":cred", r->cred);
	bind(q, ":start", r->shift.start);
	bind(q, ":end", r->shift.end);
	bind(q, ":rest", r->m.rest_ms);
	bind(q, ":extra", r->m.extra_radius_km);
	bind(q, ":band", (long long)r->m.band_km * 1000);
	sqlite3_bind_text(q, sqlite3_bind_parameter_index(q, ":skill"), r->skill, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, sqlite3_bind_parameter_index(q, ":lang"), r->lang, -1, SQLITE_STATIC);
	size_t n = 0;
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		if (n < max)
			ids[n++] = sqlite3_column_int64(q, 0);
	return rc == SQLITE_DONE ? (long)n : -1;
}

/* --- measuring -------------------------------------------------------------------------------------- */

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* This thread's CPU time: what the request cost, whatever else the machine runs meanwhile. */
static double cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double pct(const double *sorted, size_t n, double p)
{
	size_t i = (size_t)(p * (double)(n - 1) + 0.5);
	return sorted[i < n ? i : n - 1];
}

int main(int argc, char **argv)
{
	size_t nv = 100000, nr = 1000;
	uint64_t seed = 12;
	int no_sql = 0;
	const char *csv = NULL;
	int opt;
	while ((opt = getopt(argc, argv, "v:r:s:c:qh")) != -1) {
		switch (opt) {
		case 'v': nv = (size_t)atol(optarg); break;
		case 'r': nr = (size_t)atol(optarg); break;
		case 's': seed = (uint64_t)atoll(optarg); break;
		case 'c': csv = optarg; break;
		case 'q': no_sql = 1; break;
		default:
			fprintf(stderr, "usage: match_bench [-v volunteers] [-r requests] [-s seed] [-c communes.csv] [-q]\n");
			return opt == 'h' ? 0 : 2;
		}
	}
	if (!nv || !nr) {
		fprintf(stderr, "match_bench: -v and -r must be positive\n");
		return 2;
	}
	if (!csv)
		csv = RENFORT_COMMUNES_CSV;
	if (load_communes(csv))
		return 1;
	rng_state = seed;
	struct gen_volunteer *gv = calloc(1, sizeof *gv); /* one at a time, copied into the pools */
	struct match_volunteer *mv = calloc(nv, sizeof *mv);
	struct match_result *out = calloc(nv, sizeof *out);
	struct gen_request *rq = calloc(nr, sizeof *rq);
	long long *ids = calloc(nv, sizeof *ids);
	double *t_c = calloc(nr, sizeof *t_c), *t_sql = calloc(nr, sizeof *t_sql);
	double *c_c = calloc(nr, sizeof *c_c), *c_sql = calloc(nr, sizeof *c_sql);
	if (!gv || !mv || !out || !rq || !ids || !t_c || !t_sql || !c_c || !c_sql) {
		fprintf(stderr, "match_bench: out of memory\n");
		return 1;
	}
	/* the matching's input laid out as store_deploy lays it out: the volunteers in one array, their
	 * credentials, windows and words in pools, in volunteer order */
	struct match_credential *cred_pool = calloc(nv * 2, sizeof *cred_pool);
	struct match_window *win_pool = calloc(nv * 9, sizeof *win_pool);
	char *text_pool = calloc(nv, 80);
	if (!cred_pool || !win_pool || !text_pool) {
		fprintf(stderr, "match_bench: out of memory\n");
		return 1;
	}
	size_t ncred = 0, nwin = 0, ntext = 0;
	for (size_t i = 0; i < nv; i++) {
		gen_volunteer(gv, (long long)i + 1);
		struct match_volunteer *v = &mv[i];
		*v = gv->m;
		memcpy(cred_pool + ncred, v->creds, v->ncreds * sizeof *v->creds);
		v->creds = cred_pool + ncred;
		ncred += v->ncreds;
		const struct match_window **lists[3] = {&v->unavailable, &v->available_only, &v->assigned};
		size_t counts[3] = {v->nunavailable, v->navailable_only, v->nassigned};
		for (int k = 0; k < 3; k++) {
			memcpy(win_pool + nwin, *lists[k], counts[k] * sizeof **lists[k]);
			*lists[k] = win_pool + nwin;
			nwin += counts[k];
		}
		size_t ls = strlen(v->skills) + 1, ll = strlen(v->languages) + 1;
		memcpy(text_pool + ntext, v->skills, ls);
		v->skills = text_pool + ntext;
		memcpy(text_pool + ntext + ls, v->languages, ll);
		v->languages = text_pool + ntext + ls;
		ntext += ls + ll;
	}
	for (size_t i = 0; i < nr; i++) {
		gen_request(&rq[i]);
		rq[i].m.shifts = &rq[i].shift;
	}
	printf("match_bench: %zu volunteers over %zu communes, %zu requests (seed %llu)\n", nv, ncommunes, nr,
	       (unsigned long long)seed);

	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;
	if (!no_sql) {
		double t0 = now_ms();
		if (sqlite3_open(":memory:", &db) ||
		    sqlite3_create_function(db, "dist_m", 4, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_dist_m, NULL, NULL) ||
		    load_sql(db, mv, nv) || sqlite3_prepare_v2(db, QUERY, -1, &q, NULL)) {
			fprintf(stderr, "match_bench: sqlite: %s\n", db ? sqlite3_errmsg(db) : "cannot open");
			return 1;
		}
		printf("SQLite %s, in memory, loaded and indexed in %.0f ms\n", sqlite3_libversion(), now_ms() - t0);
	}

	/* a few rounds to warm the caches, not counted */
	for (size_t i = 0; i < 5 && i < nr; i++) {
		match_rank(&rq[i].m, mv, nv, NOW_MS, out);
		if (q)
			sql_select(q, &rq[i], ids, nv);
	}
	size_t eligible_total = 0, excluded_by[RULE_COUNT] = {0};
	for (size_t i = 0; i < nr; i++) {
		double t0 = now_ms(), u0 = cpu_ms();
		size_t ne = match_rank(&rq[i].m, mv, nv, NOW_MS, out);
		t_c[i] = now_ms() - t0;
		c_c[i] = cpu_ms() - u0;
		eligible_total += ne;
		for (size_t k = ne; k < nv; k++)
			excluded_by[out[k].rule]++;
		if (!q)
			continue;
		t0 = now_ms();
		u0 = cpu_ms();
		long ns = sql_select(q, &rq[i], ids, nv);
		t_sql[i] = now_ms() - t0;
		c_sql[i] = cpu_ms() - u0;
		if (ns < 0) {
			fprintf(stderr, "match_bench: sqlite: %s\n", sqlite3_errmsg(db));
			return 1;
		}
		/* the same people in the same order */
		int same = (size_t)ns == ne;
		for (size_t k = 0; same && k < ne; k++)
			same = ids[k] == out[k].volunteer_id;
		if (!same) {
			fprintf(stderr, "match_bench: request %zu: the matching found %zu eligible, the query %ld (or another order)\n",
				i, ne, ns);
			return 1;
		}
	}
	qsort(t_c, nr, sizeof *t_c, cmp_double);
	qsort(c_c, nr, sizeof *c_c, cmp_double);
	printf("eligible per request: %.1f on average; excluded by rule over all requests:", (double)eligible_total / (double)nr);
	for (int r = 1; r < RULE_COUNT; r++)
		printf(" %s %.1f%%", match_rule_name(r), 100.0 * (double)excluded_by[r] / ((double)nr * (double)nv));
	printf("\n");
	printf("%-42s %11s %9s %9s %11s %9s\n", "ms per request", "wall median", "wall p99", "wall max", "CPU median",
	       "CPU p99");
	printf("%-42s %11.3f %9.3f %9.3f %11.3f %9.3f\n", "match_rank (every volunteer, explained)", pct(t_c, nr, .5),
	       pct(t_c, nr, .99), t_c[nr - 1], pct(c_c, nr, .5), pct(c_c, nr, .99));
	if (q) {
		qsort(t_sql, nr, sizeof *t_sql, cmp_double);
		qsort(c_sql, nr, sizeof *c_sql, cmp_double);
		printf("%-42s %11.3f %9.3f %9.3f %11.3f %9.3f\n", "one SQLite query (the eligible, ranked)", pct(t_sql, nr, .5),
		       pct(t_sql, nr, .99), t_sql[nr - 1], pct(c_sql, nr, .5), pct(c_sql, nr, .99));
		printf("the query's answers are the matching's eligible, in the same order, for all %zu requests\n", nr);
		double ratio = pct(t_sql, nr, .5) / pct(t_c, nr, .5), cratio = pct(c_sql, nr, .5) / pct(c_c, nr, .5);
		printf("the query over the matching (medians): %.1fx wall, %.1fx CPU\n", ratio, cratio);
		printf("targets: median <= 5 ms: %s (wall), %s (CPU); >= 10x the query: %s (wall), %s (CPU)\n",
		       pct(t_c, nr, .5) <= 5.0 ? "PASS" : "MISS", pct(c_c, nr, .5) <= 5.0 ? "PASS" : "MISS",
		       ratio >= 10.0 ? "PASS" : "MISS", cratio >= 10.0 ? "PASS" : "MISS");
		printf("RESULT mode=match volunteers=%zu requests=%zu match_median_ms=%.3f match_p99_ms=%.3f match_cpu_median_ms=%.3f "
		       "sql_median_ms=%.3f sql_p99_ms=%.3f sql_cpu_median_ms=%.3f speedup=%.1f cpu_speedup=%.1f\n",
		       nv, nr, pct(t_c, nr, .5), pct(t_c, nr, .99), pct(c_c, nr, .5), pct(t_sql, nr, .5), pct(t_sql, nr, .99),
		       pct(c_sql, nr, .5), ratio, cratio);
		sqlite3_finalize(q);
		sqlite3_close(db);
	} else {
		printf("RESULT mode=match volunteers=%zu requests=%zu match_median_ms=%.3f match_p99_ms=%.3f match_cpu_median_ms=%.3f\n",
		       nv, nr, pct(t_c, nr, .5), pct(t_c, nr, .99), pct(c_c, nr, .5));
	}
	/* how loaded the machine was: other processes' share shows in wall time, not in CPU time */
	double load[3];
	if (getloadavg(load, 3) == 3)
		printf("load average at the end: %.2f (%ld CPUs online)\n", load[0], sysconf(_SC_NPROCESSORS_ONLN));
	free(gv);
	free(mv);
	free(cred_pool);
	free(win_pool);
	free(text_pool);
	free(out);
	free(rq);
	free(ids);
	free(t_c);
	free(t_sql);
	free(c_c);
	free(c_sql);
	free(communes);
	return 0;
}
