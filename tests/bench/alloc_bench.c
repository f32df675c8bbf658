/* alloc_bench: the allocator's time (rules/allocation.c, alloc_split, a pure function) next to the
 * time to read its inputs from SQLite (store_alloc_holders and store_alloc_depots, as a proposal
 * reads them), on a temporary database with the real schema:
 *   1. one item over S structures (2,000) and D depots (20);
 *   2. the whole catalogue (every item of the WHO list: 53) over H holders (10,000), each holding
 *      every item.
 * Structures get a burn rate and a stock of 0 to 40 days, a third of them an open request, one in
 * eight an open shortage alert; depots hold what 60% of the need would take (supply is short: the
 * water-filling's level search runs). Each timing is the median of R runs (and the slowest).
 *
 *   alloc_bench [-s structures=2000] [-d depots=20] [-H holders=10000] [-r runs=50] [-k (keep the db)]
 */
#include "alert_rules.h"
#include "allocation.h"
#include "auth.h"
#include "log.h"
#include "seed.h"
#include "store.h"
#include "store_allocation.h"
#include "store_sqlite.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* This process's CPU time: on a machine shared with other work, the wall clock counts their turns
 * too; both are shown. */
static uint64_t cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static unsigned long long rng = 0x9E3779B97F4A7C15ULL;
static unsigned long long rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

#define NOW 1764146709123LL

/* S structures of the Tarn (the first `tarn` of them) and elsewhere, D depots, a level of every item
 * for each structure and depot. */
static int fill(struct store *st, int structures, int depots, int items_per_holder)
{
	static const char *const categories[] = {"ehpad", "hospital", "home_care", "disability_home", "health_centre"};
	static const char *const deps[][2] = {{"81", "81004"}, {"31", "31555"}, {"34", "34172"}, {"11", "11069"}};
	sqlite3 *db = store_db(st);
	if (store_begin(st, NOW, NULL))
		return -1;
	sqlite3_stmt *s = NULL, *l = NULL, *d = NULL, *r = NULL, *a = NULL;
	sqlite3_prepare_v2(db, "INSERT INTO structures(name, category, legal_form, commune, dep, lat, lng, occupancy, staff, "
			       "created_at, updated_at) VALUES (?1, ?2, 'public', ?3, ?4, ?5, ?6, 50, 40, 0, 0)", -1, &s, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO stock_levels(holder_kind, holder_id, item_id, quantity, reported_at, updated_at, "
			       "burn_per_day, days_of_cover) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7)", -1, &l, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO depots(name, level, commune, dep, lat, lng, created_at, updated_at) "
			       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, 0)", -1, &d, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO stock_requests(structure_id, item_id, quantity, reason, status, created_at, "
			       "updated_at) VALUES (?1, ?2, ?3, 'bench', 'open', 0, 0)", -1, &r, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO alerts(kind, holder_kind, holder_id, item_id, dep, severity, status, opened_at, "
			       "updated_at) VALUES ('shortage', 'structure', ?1, ?2, ?3, 'critical', 'open', 0, 0)", -1, &a, NULL);
	if (!s || !l || !d || !r || !a)
		return -1;
	long long first_item = 0;
	sqlite3_stmt *q = NULL;
	sqlite3_prepare_v2(db, "SELECT min(id) FROM items", -1, &q, NULL);
	if (sqlite3_step(q) == SQLITE_ROW)
		first_item = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	double need_total[128] = {0};
	char name[64];
	for (int i = 0; i < structures; i++) {
		const char *const *dep = deps[i % 4 == 0 ? 0 : rnd() % 4];
		snprintf(name, sizeof name, "Structure %d", i + 1);
		sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 2, categories[rnd() % 5], -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, dep[1], -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, dep[0], -1, SQLITE_STATIC);
		sqlite3_bind_double(s, 5, 43.0 + (double)(rnd() % 150) / 100);
		sqlite3_bind_double(s, 6, 1.0 + (double)(rnd() % 300) / 100);
		if (sqlite3_step(s) != SQLITE_DONE)
			return -1;
		sqlite3_reset(s);
		long long id = sqlite3_last_insert_rowid(db);
		for (int it = 0; it < items_per_holder; it++) {
			double burn = 1 + (double)(rnd() % 20000) / 100;
			double days = (double)(rnd() % 4000) / 100;
			long long qty = (long long)(burn * days);
			sqlite3_bind_text(l, 1, "structure", -1, SQLITE_STATIC);
			sqlite3_bind_int64(l, 2, id);
			sqlite3_bind_int64(l, 3, first_item + it);
			sqlite3_bind_int64(l, 4, qty);
			sqlite3_bind_int64(l, 5, NOW);
			sqlite3_bind_double(l, 6, burn);
			sqlite3_bind_double(l, 7, days);
			if (sqlite3_step(l) != SQLITE_DONE)
				return -1;
			sqlite3_reset(l);
			double need = 14 * burn - (double)qty;
			if (need > 0)
				need_total[it] += need;
			if (rnd() % 3 == 0) {
				sqlite3_bind_int64(r, 1, id);
				sqlite3_bind_int64(r, 2, first_item + it);
				sqlite3_bind_int64(r, 3, 1 + (long long)(rnd() % 5000));
				if (sqlite3_step(r) != SQLITE_DONE)
					return -1;
				sqlite3_reset(r);
			}
			if (days < 3 && rnd() % 2 == 0) {
				sqlite3_bind_int64(a, 1, id);
				sqlite3_bind_int64(a, 2, first_item + it);
				sqlite3_bind_text(a, 3, dep[0], -1, SQLITE_STATIC);
				if (sqlite3_step(a) != SQLITE_DONE)
					return -1;
				sqlite3_reset(a);
			}
		}
	}
	for (int i = 0; i < depots; i++) {
		const char *const *dep = deps[i % 4];
		snprintf(name, sizeof name, "Socle %d", i + 1);
		sqlite3_bind_text(d, 1, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(d, 2, i == 0 ? "regional" : "departemental", -1, SQLITE_STATIC);
		sqlite3_bind_text(d, 3, dep[1], -1, SQLITE_STATIC);
		sqlite3_bind_text(d, 4, dep[0], -1, SQLITE_STATIC);
		sqlite3_bind_double(d, 5, 43.0 + (double)(rnd() % 150) / 100);
		sqlite3_bind_double(d, 6, 1.0 + (double)(rnd() % 300) / 100);
		if (sqlite3_step(d) != SQLITE_DONE)
			return -1;
		sqlite3_reset(d);
		long long id = sqlite3_last_insert_rowid(db);
		for (int it = 0; it < items_per_holder; it++) {
			/* together the depots hold 60% of the need: supply is short */
			sqlite3_bind_text(l, 1, "depot", -1, SQLITE_STATIC);
			sqlite3_bind_int64(l, 2, id);
			sqlite3_bind_int64(l, 3, first_item + it);
			sqlite3_bind_int64(l, 4, (long long)(0.6 * need_total[it] / depots));
			sqlite3_bind_int64(l, 5, NOW);
			sqlite3_bind_null(l, 6);
			sqlite3_bind_null(l, 7);
			if (sqlite3_step(l) != SQLITE_DONE)
				return -1;
			sqlite3_reset(l);
		}
	}
	sqlite3_finalize(s);
	sqlite3_finalize(l);
	sqlite3_finalize(d);
	sqlite3_finalize(r);
	sqlite3_finalize(a);
	return store_commit(st) ? -1 : 0;
}

/* --- the inputs, as core/allocations.c reads them ------------------------------------------------------ */

struct inputs {
	const struct allocation_config *cfg;
	struct alloc_holder *h;
	size_t nh, caph;
	struct alloc_depot *d;
	size_t nd, capd;
};

static int add_holder(void *ctx, const struct alloc_holder_view *v)
{
	struct inputs *in = ctx;
	if (in->nh == in->caph) {
		in->caph = in->caph ? 2 * in->caph : 1024;
		void *grown = realloc(in->h, in->caph * sizeof *in->h);
		if (!grown)
			return -1;
		in->h = grown;
	}
	in->h[in->nh++] = (struct alloc_holder){v->id, v->lat, v->lng, allocation_weight(in->cfg, v->category, v->legal_form),
						v->quantity, v->reported_at, v->burn_per_day, v->incoming, v->requested, v->alert};
	return 0;
}

static int add_depot(void *ctx, const struct alloc_depot_view *v)
{
	struct inputs *in = ctx;
	if (in->nd == in->capd) {
		in->capd = in->capd ? 2 * in->capd : 64;
		void *grown = realloc(in->d, in->capd * sizeof *in->d);
		if (!grown)
			return -1;
		in->d = grown;
	}
	in->d[in->nd++] = (struct alloc_depot){v->id, v->lat, v->lng, v->quantity - v->reserve - v->committed};
	return 0;
}

static int read_inputs(struct store *st, long long item, struct inputs *in)
{
	in->nh = in->nd = 0;
	const struct principal *p = &principal_system;
	return store_alloc_holders(st, p, item, NULL, add_holder, in) || store_alloc_depots(st, p, item, add_depot, in) ? -1 : 0;
}

/* The median and slowest of runs, in ms, wall clock and CPU time; with a target (ms, 0: none) on
 * the CPU time's median, PASS or MISS. Returns the CPU time's median (ms). */
static double report(const char *what, uint64_t *wall, uint64_t *cpu, int runs, double target_ms)
{
	qsort(wall, (size_t)runs, sizeof *wall, cmp_u64);
	qsort(cpu, (size_t)runs, sizeof *cpu, cmp_u64);
	double median = (double)cpu[runs / 2] / 1e6;
	printf("%-44s wall %9.3f ms (slowest %9.3f)   cpu %9.3f ms (slowest %9.3f)", what, (double)wall[runs / 2] / 1e6,
	       (double)wall[runs - 1] / 1e6, median, (double)cpu[runs - 1] / 1e6);
	if (target_ms > 0)
		printf("   target <= %g ms: %s", target_ms, median <= target_ms ? "PASS" : "MISS");
	printf("\n");
	return median;
}

/* A database file and its WAL companions. */
static void remove_db(const char *path)
{
	static const char *const suffixes[] = {"", "-wal", "-shm"};
	char f[600];
	for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
		snprintf(f, sizeof f, "%s%s", path, suffixes[i]);
		unlink(f);
	}
}

static int one_store(const char *dir, int structures, int depots, int items, int runs, int keep, const char *label,
		     const struct allocation_config *cfg, double target_ms)
{
	char path[512], err[512] = "";
	snprintf(path, sizeof path, "%s/alloc-%s.db", dir, label);
	unlink(path);
	struct store *st = NULL;
	if (store_open(&st, path, RENFORT_SOURCE_DIR "/schema", err, sizeof err) ||
	    seed_reference_data(st, RENFORT_SOURCE_DIR "/schema/data", NOW, err, sizeof err)) {
		fprintf(stderr, "alloc_bench: %s\n", err);
		return -1;
	}
	uint64_t t0 = now_ns();
	if (fill(st, structures, depots, items)) {
		fprintf(stderr, "alloc_bench: cannot fill the database: %s\n", store_errmsg(st));
		return -1;
	}
	printf("\n%s: %d structures x %d items, %d depots (built in %.1f s)\n", label, structures, items, depots,
	       (double)(now_ns() - t0) / 1e9);
	long long first_item = 0;
	sqlite3_stmt *q = NULL;
	sqlite3_prepare_v2(store_db(st), "SELECT min(id) FROM items", -1, &q, NULL);
	if (sqlite3_step(q) == SQLITE_ROW)
		first_item = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);

	/* the inputs of every item, read R times (timed), kept from the first reading for the allocator */
	struct inputs *in = calloc((size_t)items, sizeof *in);
	uint64_t *read_ns = calloc((size_t)runs, sizeof *read_ns), *split_ns = calloc((size_t)runs, sizeof *split_ns);
	uint64_t *read_cpu = calloc((size_t)runs, sizeof *read_cpu), *split_cpu = calloc((size_t)runs, sizeof *split_cpu);
	for (int run = 0; run < runs; run++)
		for (int it = 0; it < items; it++) {
			struct inputs fresh = {cfg, NULL, 0, 0, NULL, 0, 0};
			struct inputs *into = run == 0 ? &in[it] : &fresh;
			into->cfg = cfg;
			uint64_t a = now_ns(), ac = cpu_ns();
			if (store_begin(st, NOW, NULL) || read_inputs(st, first_item + it, into)) {
				fprintf(stderr, "alloc_bench: cannot read the inputs\n");
				return -1;
			}
			store_rollback(st);
			read_ns[run] += now_ns() - a;
			read_cpu[run] += cpu_ns() - ac;
			free(fresh.h);
			free(fresh.d);
		}
	struct alloc_holder_out *out = NULL;
	struct alloc_line *lines = NULL;
	size_t room = 0;
	long long given = 0, nlines = 0, holders = 0;
	for (int it = 0; it < items; it++)
		if (in[it].nh + in[it].nd + 1 > room)
			room = in[it].nh + in[it].nd + 1;
	out = malloc(room * sizeof *out);
	lines = malloc(room * sizeof *lines);
	for (int run = 0; run < runs; run++)
		for (int it = 0; it < items; it++) {
			struct alloc_summary sum;
			struct alloc_params p = {14, 10, 3, 10};
			uint64_t b = now_ns(), bc = cpu_ns();
			if (alloc_split(&p, NOW, in[it].h, in[it].nh, in[it].d, in[it].nd, out, lines, &sum))
				return -1;
			split_ns[run] += now_ns() - b;
			split_cpu[run] += cpu_ns() - bc;
			if (run == 0) {
				given += sum.given;
				nlines += (long long)sum.nlines;
				holders += (long long)in[it].nh;
			}
		}
	printf("  %lld holders read, %lld lines proposed, %lld units given (first run)\n", holders, nlines, given);
	char what[128];
	snprintf(what, sizeof what, "  read the inputs from SQLite (%d item%s)", items, items > 1 ? "s" : "");
	double read_ms = report(what, read_ns, read_cpu, runs, 0);
	double read_wall_ms = (double)read_ns[runs / 2] / 1e6;
	snprintf(what, sizeof what, "  alloc_split, the allocator (%d item%s)", items, items > 1 ? "s" : "");
	double split_ms = report(what, split_ns, split_cpu, runs, target_ms);
	double split_wall_ms = (double)split_ns[runs / 2] / 1e6;
	/* the reference measured in the same run: the reading of the inputs, which every proposal pays
	 * too; a ratio, unlike the times, hardly moves with the load of a shared machine */
	printf("  the allocator over the reading (medians): %.3fx CPU, %.3fx wall\n", split_ms / read_ms,
	       split_wall_ms / read_wall_ms);
	printf("RESULT scenario=%s holders=%lld items=%d depots=%d runs=%d read_cpu_median_ms=%.3f split_cpu_median_ms=%.3f "
	       "read_wall_median_ms=%.3f split_wall_median_ms=%.3f split_over_read_cpu=%.3f target_ms=%g %s\n",
	       items > 1 ? "catalogue" : "one_item", holders, items, depots, runs, read_ms, split_ms, read_wall_ms, split_wall_ms,
	       split_ms / read_ms, target_ms, split_ms <= target_ms ? "PASS" : "MISS");
	free(read_ns);
	free(split_ns);
	free(read_cpu);
	free(split_cpu);
	free(out);
	free(lines);
	for (int it = 0; it < items; it++) {
		free(in[it].h);
		free(in[it].d);
	}
	free(in);
	store_close(st);
	if (!keep)
		remove_db(path);
	return 0;
}

/* How many items the catalogue holds (a database of its own, seeded as renfortd seeds it). */
static int catalogue_size(void)
{
	char dir[] = "/tmp/renfort-alloc-items-XXXXXX", path[128], err[512] = "";
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof path, "%s/items.db", dir);
	struct store *st = NULL;
	int n = -1;
	if (!store_open(&st, path, RENFORT_SOURCE_DIR "/schema", err, sizeof err) &&
	    !seed_reference_data(st, RENFORT_SOURCE_DIR "/schema/data", NOW, err, sizeof err)) {
		sqlite3_stmt *q = NULL;
		sqlite3_prepare_v2(store_db(st), "SELECT count(*) FROM items", -1, &q, NULL);
		if (q && sqlite3_step(q) == SQLITE_ROW)
			n = sqlite3_column_int(q, 0);
		sqlite3_finalize(q);
	}
	if (st)
		store_close(st);
	remove_db(path);
	rmdir(dir);
	return n;
}

int main(int argc, char **argv)
{
	int structures = 2000, depots = 20, holders = 10000, runs = 50, keep = 0, opt;
	while ((opt = getopt(argc, argv, "s:d:H:r:k")) != -1) {
		switch (opt) {
		case 's':
			structures = atoi(optarg);
			break;
		case 'd':
			depots = atoi(optarg);
			break;
		case 'H':
			holders = atoi(optarg);
			break;
		case 'r':
			runs = atoi(optarg);
			break;
		case 'k':
			keep = 1;
			break;
		default:
			fprintf(stderr, "usage: alloc_bench [-s structures] [-d depots] [-H holders] [-r runs] [-k]\n");
			return 2;
		}
	}
	if (structures < 1 || depots < 1 || holders < 1 || runs < 1)
		return 2;
	log_set_level(LOG_WARN);
	char dir[] = "/tmp/renfort-alloc-bench-XXXXXX";
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	struct allocation_config cfg;
	char err[256];
	if (allocation_config_init(&cfg, 14, 10, 3, 21, "ehpad=2 long_term_care=2 hospital=1.5 disability_home=1.5 *=1", "*=1",
				   "*=10", err, sizeof err)) {
		fprintf(stderr, "alloc_bench: %s\n", err);
		return 1;
	}
	int items = catalogue_size();
	if (items <= 0)
		return 1;
	int rc = one_store(dir, structures, depots, 1, runs, keep, "one item", &cfg, 1) ||
		 one_store(dir, holders, depots, items, runs > 10 ? runs / 5 : runs, keep, "the whole catalogue", &cfg, 100);
	if (!keep)
		rmdir(dir);
	else
		printf("\ndatabases kept in %s\n", dir);
	return rc ? 1 : 0;
}
