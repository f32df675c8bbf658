/* store_bench: stock reports through renfortd's own write path, without the network: the
 * "stock.report" operation is called with api_call() as the websocket layer calls it, and the queue
 * is committed with api_flush() every B reports (the group commit), on a temporary database filled
 * with the demo region. Prints reports per second and the commit latency per group.
 *
 *   store_bench [-n reports=200000] [-b batch=1000] [-s max_seconds=10] [-l lines_per_report=1]
 *               [-d dir (default: a new directory under $TMPDIR or /tmp)] [-k (keep the database)]
 */
#include "api.h"
#include "app.h"
#include "clock.h"
#include "config.h"
#include "demo.h"
#include "log.h"

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

static void usage(void)
{
	fprintf(stderr, "usage: store_bench [-n reports] [-b batch] [-s max_seconds] [-l lines] [-d dir] [-k]\n");
	exit(2);
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
	int lines = 1, keep = 0, opt;
	const char *dir = NULL;
	while ((opt = getopt(argc, argv, "n:b:s:l:d:k")) != -1) {
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
	const long long holders = 2129, items = 53;

	struct tally tally = {0, 0, 0};
	uint64_t *commit_ns = malloc(sizeof *commit_ns * (size_t)(nreports / batch + 2));
	size_t ncommits = 0;
	long long done = 0;
	uint32_t rnd = 12345;
	uint64_t t0 = now_ns();
	while (done < nreports) {
		long long n = batch < nreports - done ? batch : nreports - done;
		for (long long k = 0; k < n; k++, done++) {
			/* the body the websocket layer would hand over: a parsed "data" object */
			char text[1024];
			int len = snprintf(text, sizeof text, "{\"holder_kind\":\"structure\",\"holder_id\":%lld,\"items\":[",
					   1 + done % holders);
			for (int i = 0; i < lines; i++) {
				rnd = rnd * 1103515245u + 12345u;
				len += snprintf(text + len, sizeof text - (size_t)len, "%s{\"item\":%lld,\"quantity\":%u}", i ? "," : "",
						1 + (done / holders + i) % items, 100000 + (rnd >> 8) % 1000);
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
	printf("store_bench: %llu reports (%d line(s) each) applied in %.3f s in groups of %lld -> %.0f reports/s; "
	       "%llu refused; %llu group(s) rerun; group apply+commit ms p50=%.2f p99=%.2f max=%.2f\n",
	       tally.ok, lines, secs, batch, rate, tally.failed, app.metrics.batch_reruns, ncommits ? (double)commit_ns[ncommits / 2] / 1e6 : 0,
	       ncommits ? (double)commit_ns[ncommits * 99 / 100] / 1e6 : 0,
	       ncommits ? (double)commit_ns[ncommits - 1] / 1e6 : 0);
	printf("RESULT mode=store reports=%llu batch=%lld lines=%d secs=%.3f rate=%.0f refused=%llu group_p50_ms=%.2f\n",
	       tally.ok, batch, lines, secs, rate, tally.failed, ncommits ? (double)commit_ns[ncommits / 2] / 1e6 : 0);
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
