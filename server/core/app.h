/* app: the one object that owns renfortd's state: configuration, store, hub, the pending write
 * batch and the metrics. The event loop hands it back to every callback; nothing else is global. */
#ifndef RENFORT_APP_H
#define RENFORT_APP_H

#include <signal.h>
#include <stddef.h>

#include "alert_rules.h"
#include "allocation.h"
#include "config.h"
#include "events.h"
#include "forecast.h"

struct store;
struct hub;
struct write_job;
struct lws_context;
struct eventlog;
struct sms_sender;
struct signup_guard;

struct metrics {
	unsigned long long http_requests[6]; /* by status class: 1xx..5xx, index 1..5 */
	unsigned long long ws_messages_in;
	unsigned long long ws_messages_out;
	unsigned long long ws_slow_closed;
	unsigned long long events_published;
	unsigned long long commits;
	unsigned long long commit_ops;
	unsigned long long commit_failures;
	unsigned long long batch_reruns;
	unsigned long long commit_us_total;
	long long ws_connections;
	long long http_connections;
};

struct app {
	struct config cfg;
	struct threshold_rules thresholds; /* parsed from cfg.alert_thresholds */
	struct forecast_params forecast;   /* the trend estimator's (forecast.c) */
	int forecast_average;              /* cfg.forecast_model is average: burn.c's trailing average */
	struct forecast_pool *pool;        /* the territory's pooled prior (stock_forecast.c); NULL until built */
	long long pool_at;                 /* when it was built (the application's clock) */
	struct allocation_config alloc;    /* parsed from cfg.allocation_* */
	struct store *store;
	struct checkpointer *checkpointer; /* NULL: SQLite checkpoints inside commits */
	struct hub *hub;
	struct eventlog *eventlog;
	struct sms_sender *sms;
	struct lws_context *lws;
	char public_url[256];
	long long clock_offset_ms; /* moved only by the test clock (config test_clock) */

	/* writes waiting for the next group commit */
	struct write_job *batch_head, *batch_tail;
	size_t batch_len;
	int flush_scheduled;
	void (*schedule_flush)(struct app *app); /* set by the server loop */
	void *loop_private;                      /* the server loop's own state */

	/* events of the transaction in progress (events.h), published after its commit (tx.h) */
	struct events events;
	size_t savepoint_mark;                   /* events before the write under a savepoint */
	long long event_seq;                     /* the last number given to an event */
	/* set by the transport: delivers a committed transaction's events, numbered, in order */
	void (*publish)(struct app *app, const struct event *list, size_t n);
	/* set by the transport: wakes the event loop; the one hook called from another thread */
	void (*wake)(struct app *app);

	struct signup_guard *signup_guard;     /* refused sign-up attempts, counted in memory (signup.c) */
	/* (département, item) pairs whose overstock alerts are looked at again before the transaction in
	 * progress commits: a shortage there crossed critical (alert_engine.c, tx.c); past the list's
	 * size, every pair (overflow) */
	struct {
		char dep[4];
		long long item;
	} overstock_pending[64];
	size_t overstock_npending;
	int overstock_overflow;

	struct metrics metrics;
	int checkpoint_wanted;                   /* checkpoint the WAL after this commit (erasure) */
	char demo_token[48];                     /* printed as a link once the port is known */
	/* the database is marked as an exercise's (meta "exercise"): every CAP document says Exercise and
	 * every SMS text starts with a marker, whatever command started the server */
	int exercise;
	/* set by the command line: called once the server listens (public_url known), the exercise's
	 * driver starts there; NULL: nothing */
	void (*on_listening)(struct app *app);
	volatile sig_atomic_t stop;
};

/* The application's "now": wall time, plus the test clock's offset. */
long long app_now(const struct app *app);

/* Opens the store (migrating it), loads the reference data when missing, makes the hub. */
int app_open(struct app *app, char *err, size_t errlen);
void app_close(struct app *app);

/* A store failure rc as the caller's error (naming field), and -1: for the services' refusals. */
int app_refuse_store(struct app *app, struct rf_error *err, int rc, const char *field);

#endif
