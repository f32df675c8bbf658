#include "metrics.h"

#include "app.h"
#include "sms_sender.h"
#include "store_checkpointer.h"

static void counter(struct buf *b, const char *name, const char *help, unsigned long long v)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n", name, help, name, name, v);
}

static void gauge(struct buf *b, const char *name, const char *help, long long v)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s gauge\n%s %lld\n", name, help, name, name, v);
}

void metrics_write(const struct app *app, struct buf *b)
{
	const struct metrics *m = &app->metrics;
	buf_puts(b, "# HELP renfort_http_responses_total HTTP responses by status class.\n"
		    "# TYPE renfort_http_responses_total counter\n");
	for (int i = 1; i <= 5; i++)
		buf_printf(b, "renfort_http_responses_total{class=\"%dxx\"} %llu\n", i, m->http_requests[i]);
	gauge(b, "renfort_ws_connections", "Open websocket connections.", m->ws_connections);
	counter(b, "renfort_ws_messages_in_total", "Websocket messages received.", m->ws_messages_in);
	counter(b, "renfort_ws_messages_out_total", "Websocket messages queued to clients.", m->ws_messages_out);
	counter(b, "renfort_ws_slow_closed_total", "Websockets closed because their send queue was full.",
		m->ws_slow_closed);
	counter(b, "renfort_events_published_total", "Events published after commit.", m->events_published);
	counter(b, "renfort_commits_total", "Group commits.", m->commits);
	counter(b, "renfort_commit_ops_total", "Writes committed (or refused) in group commits.", m->commit_ops);
	counter(b, "renfort_commit_failures_total", "Group commits that failed.", m->commit_failures);
	counter(b, "renfort_batch_reruns_total",
		"Group commits run again with a savepoint per write, after a write failed half-way.", m->batch_reruns);
	counter(b, "renfort_commit_microseconds_total", "Time spent in group commits.", m->commit_us_total);
	struct checkpointer_stats ck;
	checkpointer_stats(app->checkpointer, &ck);
	counter(b, "renfort_checkpoints_total", "Write-ahead log checkpoints run by the checkpoint thread.", ck.runs);
	counter(b, "renfort_checkpoint_restarts_total",
		"Of those, the ones that restarted the log (the next commit waited for them).", ck.restarts);
	gauge(b, "renfort_wal_frames", "Frames in the write-ahead log after the last commit (checkpoint thread only).",
	      ck.wal_frames);
	if (app->sms) {
		struct sms_sender_stats st;
		sms_sender_stats(app->sms, &st);
		counter(b, "renfort_sms_handed_total", "SMS handed to a gateway (attempts).", st.handed);
		counter(b, "renfort_sms_sent_total", "SMS accepted by a gateway.", st.sent);
		counter(b, "renfort_sms_retried_total", "SMS attempts that failed and were rescheduled.", st.retried);
		counter(b, "renfort_sms_failed_total", "SMS failed after the last attempt.", st.failed);
		gauge(b, "renfort_sms_inflight", "SMS being handed to gateways.", (long long)st.inflight);
	}
}
