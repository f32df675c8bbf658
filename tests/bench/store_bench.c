/* store_bench: stock reports through renfortd's own write path, without the network: the
 * "stock.report" operation is called with api_call() as the websocket layer calls it, and the queue
 * is committed with api_flush() every B reports (the group commit), on a temporary database filled
 * with the demo region. Prints reports per second and the commit latency per group.
 *
 *   store_bench [-n reports=200000] [-b batch=1000] [-s max_seconds=10] [-l lines_per_report=1]
 *               [-d dir (default: a new directory under $TMPDIR or /tmp)] [-k (keep the database)]
 *               [-r (raw: SQLite alone running the statements renfort runs for each report)]
 *
 * -r is the reference that tells SQLite's share from renfort's: on the same database, through the
 * same connection (same schema, indexes, foreign keys, checkpoint thread), each report is the rows
 * renfort writes for it and the reads that must precede them: the idempotency key looked up, the
 * report row, the level read and written, the ledger row, the remembered answer (of the size renfort
 * remembers), and the event number once per group. Nothing else: no validation, JSON, burn rate,
 * alert rules, events or answers.
 */
#include "api.h"
#include "app.h"
#include "clock.h"
#include "config.h"
#include "demo.h"
#include "log.h"
#include "store.h"
#include "store_sqlite.h" /* -r runs SQL on the store's own connection */

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct tally {
	unsigned long long ok, failed;
	int reported;
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void job_done(void *client, struct write_job *job)
{
	struct tally *t = client;
	if (job->res.status == 201)
		t->ok++;
	else {
		t->failed++;
		if (t->reported++ < 5)
			fprintf(stderr, "store_bench: report refused: %d %s %s %s\n", job->res.status, job->res.err.code,
				job->res.err.field, job->res.err.rule);
	}
	api_job_free(job);
}

/* The measured commit, in a function of its own so that a profiler can be told to look only at it
 * (valgrind --tool=callgrind --toggle-collect=bench_flush): the demo's preparation also flushes. */
__attribute__((noinline)) static void bench_flush(struct app *app)
{
	api_flush(app);
}

/* Report `done` (0, 1, ...): its holder, and for line i its item and the counted quantity (rnd, the
 * generator's state, moves on). Both modes report the same, line for line. */
#define BENCH_HOLDERS 2129
#define BENCH_ITEMS 53

static long long report_holder(long long done)
{
	return 1 + done % BENCH_HOLDERS;
}

static void report_line(long long done, int i, uint32_t *rnd, long long *item, long long *quantity)
{
	*rnd = *rnd * 1103515245u + 12345u;
	*item = 1 + (done / BENCH_HOLDERS + i) % BENCH_ITEMS;
	*quantity = 100000 + (*rnd >> 8) % 1000;
}

static void usage(void)
{
	fprintf(stderr, "usage: store_bench [-n reports] [-b batch] [-s max_seconds] [-l lines] [-d dir] [-k] [-r]\n");
	exit(2);
}

/* The statements of -r, prepared once. */
enum { RAW_IDEM_GET, RAW_REPORT, RAW_LEVEL_GET, RAW_LEVEL_UPDATE, RAW_LEVEL_INSERT, RAW_LEDGER, RAW_IDEM_PUT, RAW_META, RAW_N };

static const char *const raw_sql[RAW_N] = {
	"SELECT op, request_hash, status, response FROM idempotency WHERE token_id = ?1 AND key = ?2",
	"INSERT INTO stock_reports(holder_kind, holder_id, items, occupancy, staff, actor, idempotency_key, at) "
	"VALUES ('structure', ?1, ?2, NULL, NULL, ?3, ?4, ?5)",
	"SELECT quantity, coalesce(reported_at, 0), updated_at, coalesce(anchor_at, 0), coalesce(anchor_quantity, 0), "
	"inflow, coalesce(burn_rate, 0), burn_samples, coalesce(burn_per_day, 0), days_of_cover, coalesce(stockout_at, 0) "
	"FROM stock_levels WHERE holder_kind = 'structure' AND holder_id = ?1 AND item_id = ?2",
	"UPDATE stock_levels SET quantity = ?3, reported_at = ?4, updated_at = ?4, anchor_at = ?4, anchor_quantity = ?3, "
	"inflow = 0, burn_rate = 1.5, burn_samples = burn_samples + 1, burn_per_day = 1.5, days_of_cover = ?3 / 1.5, "
	"stockout_at = ?4 + 86400000 WHERE holder_kind = 'structure' AND holder_id = ?1 AND item_id = ?2",
	"INSERT INTO stock_levels(holder_kind, holder_id, item_id, quantity, reported_at, updated_at, anchor_at, "
	"anchor_quantity, inflow, burn_samples) VALUES ('structure', ?1, ?2, ?3, ?4, ?4, ?4, ?3, 0, 0)",
	"INSERT INTO stock_ledger(holder_kind, holder_id, item_id, kind, delta, quantity_after, actor, idempotency_key, at, "
	"report_id) VALUES ('structure', ?1, ?2, 'report', ?3, ?3, ?4, ?5, ?6, ?7)",
	"INSERT INTO idempotency(token_id, key, op, request_hash, status, response, entity, entity_id, at) "
	"VALUES (?1, ?2, 'stock.report', ?3, 201, ?4, NULL, NULL, ?5)",
	"INSERT INTO meta(key, value) VALUES ('event_seq', ?1) ON CONFLICT(key) DO UPDATE SET value = ?1",
};

/* Runs a statement to its end and resets it; the step's result code. */
static int raw_run(sqlite3_stmt *s)
{
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		;
	sqlite3_reset(s);
	return rc;
}

/* -r: the same reports as SQL alone. Returns the reports written, or -1. */
static long long raw_reports(sqlite3 *db, long long token_id, long long nreports, long long batch, int lines,
			     double max_s, uint64_t *commit_ns, size_t *ncommits)
{
	sqlite3_stmt *st[RAW_N] = {0};
	for (int i = 0; i < RAW_N; i++)
		if (sqlite3_prepare_v2(db, raw_sql[i], -1, &st[i], NULL) != SQLITE_OK) {
			fprintf(stderr, "store_bench: %s: %s\n", raw_sql[i], sqlite3_errmsg(db));
			return -1;
		}
	/* what renfort remembers for a one-line report is about 250 bytes; its digest, 67 */
	char answer[1024], hash[68];
	memset(hash, 'a', 67);
	hash[67] = '\0';
	long long done = 0, seq = 0;
	uint32_t rnd = 12345;
	uint64_t t0 = now_ns();
	int failed = 0;
	while (done < nreports && !failed) {
		long long n = batch < nreports - done ? batch : nreports - done;
		uint64_t f0 = now_ns();
		failed |= sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK;
		for (long long k = 0; k < n && !failed; k++, done++) {
			long long holder = report_holder(done), at = 1764146709123LL + done;
			char key[32];
			snprintf(key, sizeof key, "sb-%lld", done);
			sqlite3_bind_int64(st[RAW_IDEM_GET], 1, token_id);
			sqlite3_bind_text(st[RAW_IDEM_GET], 2, key, -1, SQLITE_STATIC);
			failed |= raw_run(st[RAW_IDEM_GET]) != SQLITE_DONE;
			sqlite3_bind_int64(st[RAW_REPORT], 1, holder);
			sqlite3_bind_int(st[RAW_REPORT], 2, lines);
			sqlite3_bind_int64(st[RAW_REPORT], 3, token_id);
			sqlite3_bind_text(st[RAW_REPORT], 4, key, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st[RAW_REPORT], 5, at);
			failed |= raw_run(st[RAW_REPORT]) != SQLITE_DONE;
			long long report_id = sqlite3_last_insert_rowid(db);
			int len = snprintf(answer, sizeof answer, "{\"report_id\":%lld,\"holder_kind\":\"structure\",\"holder_id\":%lld,"
								   "\"at\":\"2026-11-26T13:05:36.188Z\",\"levels\":[",
					   report_id, holder);
			for (int i = 0; i < lines && !failed; i++) {
				long long item, q;
				report_line(done, i, &rnd, &item, &q);
				sqlite3_bind_int64(st[RAW_LEVEL_GET], 1, holder);
				sqlite3_bind_int64(st[RAW_LEVEL_GET], 2, item);
				int found = sqlite3_step(st[RAW_LEVEL_GET]) == SQLITE_ROW;
				sqlite3_reset(st[RAW_LEVEL_GET]);
				sqlite3_stmt *w = st[found ? RAW_LEVEL_UPDATE : RAW_LEVEL_INSERT];
				sqlite3_bind_int64(w, 1, holder);
				sqlite3_bind_int64(w, 2, item);
				sqlite3_bind_int64(w, 3, q);
				sqlite3_bind_int64(w, 4, at);
				failed |= raw_run(w) != SQLITE_DONE;
				sqlite3_stmt *l = st[RAW_LEDGER];
				sqlite3_bind_int64(l, 1, holder);
				sqlite3_bind_int64(l, 2, item);
				sqlite3_bind_int64(l, 3, q);
				sqlite3_bind_int64(l, 4, token_id);
				sqlite3_bind_text(l, 5, key, -1, SQLITE_STATIC);
				sqlite3_bind_int64(l, 6, at);
				sqlite3_bind_int64(l, 7, report_id);
				failed |= raw_run(l) != SQLITE_DONE;
				len += snprintf(answer + len, sizeof answer - (size_t)len,
						"%s{\"item\":\"item-code-%lld\",\"quantity\":%lld,\"burn_per_day\":null,"
						"\"days_of_cover\":null,\"stockout_at\":null,\"alert\":null}",
						i ? "," : "", item, q);
				if (len >= (int)sizeof answer - 160)
					break;
			}
			snprintf(answer + len, sizeof answer - (size_t)len, "]}");
			sqlite3_stmt *p = st[RAW_IDEM_PUT];
			sqlite3_bind_int64(p, 1, token_id);
			sqlite3_bind_text(p, 2, key, -1, SQLITE_STATIC);
			sqlite3_bind_text(p, 3, hash, -1, SQLITE_STATIC);
			sqlite3_bind_text(p, 4, answer, -1, SQLITE_STATIC);
			sqlite3_bind_int64(p, 5, at);
			failed |= raw_run(p) != SQLITE_DONE;
		}
		seq += n * lines;
		sqlite3_bind_int64(st[RAW_META], 1, seq);
		failed |= raw_run(st[RAW_META]) != SQLITE_DONE;
		failed |= sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK;
		uint64_t f1 = now_ns();
		commit_ns[(*ncommits)++] = f1 - f0;
		if ((double)(f1 - t0) / 1e9 > max_s)
			break;
	}
	if (failed)
		fprintf(stderr, "store_bench: raw: %s\n", sqlite3_errmsg(db));
	for (int i = 0; i < RAW_N; i++)
		sqlite3_finalize(st[i]);
	return failed ? -1 : done;
}

static void remove_db(const char *db)
{
	char p[600];
	unlink(db);
	snprintf(p, sizeof p, "%s-wal", db);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", db);
	unlink(p);
}

int main(int argc, char **argv)
{
	long long nreports = 200000, batch = 1000;
	double max_s = 10;
	int lines = 1, keep = 0, raw = 0, opt;
	const char *dir = NULL;
	while ((opt = getopt(argc, argv, "n:b:s:l:d:kr")) != -1) {
		switch (opt) {
		case 'n':
			nreports = atoll(optarg);
			break;
		case 'b':
			batch = atoll(optarg);
			break;
		case 's':
			max_s = atof(optarg);
			break;
		case 'l':
			lines = atoi(optarg);
			break;
		case 'd':
			dir = optarg;
			break;
		case 'k':
			keep = 1;
			break;
		case 'r':
			raw = 1;
			break;
		default:
			usage();
		}
	}
	if (nreports < 1 || batch < 1 || lines < 1 || lines > 16)
		usage();

	char tmpl[512], db[600];
	if (!dir) {
		const char *t = getenv("TMPDIR");
		snprintf(tmpl, sizeof tmpl, "%s/store_bench.XXXXXX", t && *t ? t : "/tmp");
		if (!mkdtemp(tmpl)) {
			perror("store_bench: mkdtemp");
			return 1;
		}
		dir = tmpl;
	}
	snprintf(db, sizeof db, "%s/store_bench.db", dir);
	remove_db(db);

	struct app app;
	memset(&app, 0, sizeof app);
	char err[512];
	log_set_level(LOG_WARN);
	if (config_init(&app.cfg) || config_set(&app.cfg, "db", db, err, sizeof err)) {
		fprintf(stderr, "store_bench: config failed\n");
		return 1;
	}
	char bm[32];
	snprintf(bm, sizeof bm, "%lld", batch);
	/* the group is ours to size: api_flush() commits batch_max writes per transaction */
	if (config_set(&app.cfg, "batch_max", bm, err, sizeof err)) {
		fprintf(stderr, "store_bench: %s\n", err);
		return 1;
	}
	if (app_open(&app, err, sizeof err) || demo_prepare(&app, err, sizeof err)) {
		fprintf(stderr, "store_bench: %s\n", err);
		return 1;
	}
	struct principal who;
	struct rf_error aerr;
	if (api_authenticate(&app, app.demo_token, &who, &aerr)) {
		fprintf(stderr, "store_bench: the demo token does not authenticate\n");
		return 1;
	}
	const struct op *op = api_find_op("stock.report");
	if (!op) {
		fprintf(stderr, "store_bench: no stock.report operation\n");
		return 1;
	}
	struct tally tally = {0, 0, 0};
	uint64_t *commit_ns = malloc(sizeof *commit_ns * (size_t)(nreports / batch + 2));
	size_t ncommits = 0;
	long long done = 0;
	uint32_t rnd = 12345;
	uint64_t t0 = now_ns();
	if (raw) {
		long long w = raw_reports(store_db(app.store), who.token_id, nreports, batch, lines, max_s, commit_ns, &ncommits);
		if (w < 0)
			tally.failed = 1;
		else
			tally.ok = (unsigned long long)w;
		done = nreports; /* the loop below is renfort's */
	}
	while (done < nreports) {
		long long n = batch < nreports - done ? batch : nreports - done;
		for (long long k = 0; k < n; k++, done++) {
			/* the body the websocket layer would hand over: a parsed "data" object */
			char text[1024];
			int len = snprintf(text, sizeof text, "{\"holder_kind\":\"structure\",\"holder_id\":%lld,\"items\":[",
					   report_holder(done));
			for (int i = 0; i < lines; i++) {
				long long item, q;
				report_line(done, i, &rnd, &item, &q);
				len += snprintf(text + len, sizeof text - (size_t)len, "%s{\"item\":%lld,\"quantity\":%lld}", i ? "," : "",
						item, q);
			}
			snprintf(text + len, sizeof text - (size_t)len, "]}");
			struct op_request req;
			struct op_response res;
			memset(&req, 0, sizeof req);
			memset(&res, 0, sizeof res);
			req.op = op;
			req.who = who;
			req.params = cJSON_CreateObject();
			req.body = cJSON_Parse(text);
			snprintf(req.idem_key, sizeof req.idem_key, "sb-%lld", done);
			struct write_job *job = NULL;
			if (api_call(&app, &req, &res, job_done, &tally, &job)) {
				/* answered at once: refused before the queue */
				tally.failed++;
				if (tally.reported++ < 5)
					fprintf(stderr, "store_bench: refused: %d %s\n", res.status, res.err.rule);
				op_response_release(&res);
				op_request_release(&req);
			}
		}
		uint64_t f0 = now_ns();
		bench_flush(&app);
		uint64_t f1 = now_ns();
		commit_ns[ncommits++] = f1 - f0;
		if ((double)(f1 - t0) / 1e9 > max_s)
			break;
	}
	uint64_t t1 = now_ns();
	double secs = (double)(t1 - t0) / 1e9;
	qsort(commit_ns, ncommits, sizeof *commit_ns, cmp_u64);
	double rate = (double)tally.ok / secs;
	printf("store_bench: %llu reports (%d line(s) each) %s in %.3f s in groups of %lld -> %.0f reports/s; "
	       "%llu refused; %llu group(s) rerun; group apply+commit ms p50=%.2f p99=%.2f max=%.2f\n",
	       tally.ok, lines, raw ? "written by SQL alone" : "applied", secs, batch, rate, tally.failed,
	       app.metrics.batch_reruns, ncommits ? (double)commit_ns[ncommits / 2] / 1e6 : 0,
	       ncommits ? (double)commit_ns[ncommits * 99 / 100] / 1e6 : 0,
	       ncommits ? (double)commit_ns[ncommits - 1] / 1e6 : 0);
	printf("RESULT mode=%s reports=%llu batch=%lld lines=%d secs=%.3f rate=%.0f refused=%llu group_p50_ms=%.2f\n",
	       raw ? "raw" : "store", tally.ok, batch, lines, secs, rate, tally.failed,
	       ncommits ? (double)commit_ns[ncommits / 2] / 1e6 : 0);
	free(commit_ns);
	app_close(&app);
	config_release(&app.cfg);
	if (!keep) {
		remove_db(db);
		if (dir == tmpl)
			rmdir(tmpl);
	}
	return tally.failed ? 1 : 0;
}
