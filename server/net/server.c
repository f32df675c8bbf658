#include "server.h"

#include "api.h"
#include "api_events.h"
#include "eventlog.h"
#include "clock.h"
#include "conn.h"
#include "connlimit.h"
#include "hub.h"
#include "jobs.h"
#include "log.h"
#include "outbox.h"
#include "sms_sender.h"
#include "store.h"

#include <arpa/inet.h>
#include <libwebsockets.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JOBS_MAX 16
#define SHUTDOWN_TICK_US (50 * LWS_US_PER_MS)

/* A periodic job (jobs.h) on its timer. After any job, the sessions of tokens it found revoked close. */
struct job_timer {
	lws_sorted_usec_list_t sul;
	const struct job *job;
	struct server *srv;
};

struct server {
	struct app *app;
	struct connlimit *conns;
	struct lws_context *ctx;
	lws_sorted_usec_list_t flush_sul;
	lws_sorted_usec_list_t tick_sul;
	struct job_timer jobs[JOBS_MAX];
	size_t njobs;
	size_t flush_seen;      /* writes queued when the flush last looked */
	long long flush_since;  /* when the first write of the batch was queued (monotonic us) */
};

/* The signal handler's only way in: set the flag, wake the loop. */
static volatile sig_atomic_t stop_requested;
static struct lws_context *signal_ctx;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
	if (signal_ctx)
		lws_cancel_service(signal_ctx);
}

static struct app *app_of(struct lws *wsi)
{
	return lws_context_user(lws_get_context(wsi));
}

#define SMS_GATHER_US 3000
static void job_cb(lws_sorted_usec_list_t *sul);
static struct job_timer *job_timer_named(struct server *srv, const char *name);

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct conn *c = user;
	switch (reason) {
	case LWS_CALLBACK_EVENT_WAIT_CANCELLED: {
		/* woken by another thread: the SMS transfer thread has answers (or a signal arrived). The
		 * sender runs a little later, so that answers arriving together share one commit. */
		struct app *app = lws_context_user(lws_get_context(wsi));
		struct server *srv = app->loop_private;
		struct job_timer *t = srv ? job_timer_named(srv, "sms") : NULL;
		if (app->sms && t)
			lws_sul_schedule(srv->ctx, 0, &t->sul, job_cb, SMS_GATHER_US);
		return 0;
	}
	/* connections per address: refused at accept, counted from the first bind to the end */
	case LWS_CALLBACK_FILTER_NETWORK_CONNECTION: {
		const struct lws_filter_network_conn_args *a = user;
		struct server *srv = app_of(wsi)->loop_private;
		if (a->cli_addr.ss_family == AF_INET &&
		    !connlimit_allow(srv->conns, ((const struct sockaddr_in *)&a->cli_addr)->sin_addr.s_addr)) {
			log_warn("refused a connection: max_connections_per_ip reached for one address");
			return 1;
		}
		return 0;
	}
	case LWS_CALLBACK_RAW_ADOPT: {
		/* every connection starts as HTTP on a raw socket: http.c and ws.c speak the protocols */
		struct app *app = app_of(wsi);
		struct server *srv = app->loop_private;
		memset(c, 0, sizeof *c);
		c->wsi = wsi;
		c->app = app;
		c->state = CONN_HEAD;
		buf_init(&c->in);
		struct sockaddr_in sin;
		socklen_t slen = sizeof sin;
		if (getpeername(lws_get_socket_fd(wsi), (struct sockaddr *)&sin, &slen) == 0 && sin.sin_family == AF_INET)
			connlimit_open(srv->conns, wsi, sin.sin_addr.s_addr);
		app->metrics.http_connections++;
		/* the first request's head must arrive in this time (a trickling client is cut off) */
		lws_set_timeout(wsi, PENDING_TIMEOUT_HTTP_KEEPALIVE_IDLE, (int)app->cfg.http_timeout_s);
		return 0;
	}
	case LWS_CALLBACK_RAW_RX:
		return c && c->app ? http_receive(c, in, len) : -1;
	case LWS_CALLBACK_RAW_WRITEABLE:
		return c && c->app ? http_writeable(c) : 0;
	case LWS_CALLBACK_RAW_CLOSE:
		if (c && c->app) {
			if (c->ws)
				c->app->metrics.ws_connections--;
			conn_release(c);
		}
		return 0;
	case LWS_CALLBACK_WSI_DESTROY:
		connlimit_close(((struct server *)app_of(wsi)->loop_private)->conns, wsi);
		break;
	default:
		break;
	}
	return 0;
}

/* Group commit. lws reads at most read_buffer_bytes from a connection per turn of the loop, so a
 * client's pipelined writes arrive over several turns: while the batch keeps growing from one turn
 * to the next, the commit waits one more turn, for at most FLUSH_GATHER_US after the first write and
 * batch_max writes. A lone write (nothing more arrived in its turn) commits at once. */
#define FLUSH_GATHER_US 1000

static void flush_cb(lws_sorted_usec_list_t *sul)
{
	struct server *srv = lws_container_of(sul, struct server, flush_sul);
	struct app *app = srv->app;
	if (app->batch_len > srv->flush_seen && app->batch_len < (size_t)app->cfg.batch_max &&
	    clock_mono_us() - srv->flush_since < FLUSH_GATHER_US) {
		srv->flush_seen = app->batch_len;
		lws_sul_schedule(srv->ctx, 0, &srv->flush_sul, flush_cb, 1);
		return;
	}
	api_flush(app);
}

static void schedule_flush(struct app *app)
{
	struct server *srv = app->loop_private;
	srv->flush_seen = app->batch_len;
	srv->flush_since = clock_mono_us();
	/* the next turn of the loop: writes that arrived together share the commit */
	lws_sul_schedule(srv->ctx, 0, &srv->flush_sul, flush_cb, 1);
}

static void job_cb(lws_sorted_usec_list_t *sul)
{
	struct job_timer *t = lws_container_of(sul, struct job_timer, sul);
	struct app *app = t->srv->app;
	long long next = t->job->run(app, app_now(app));
	hub_check_tokens(app->hub);
	lws_sul_schedule(t->srv->ctx, 0, &t->sul, job_cb, next);
}

static struct job_timer *job_timer_named(struct server *srv, const char *name)
{
	for (size_t i = 0; i < srv->njobs; i++)
		if (strcmp(srv->jobs[i].job->name, name) == 0)
			return &srv->jobs[i];
	return NULL;
}

/* The publish hook (app->publish): a committed transaction's events go into the log and out to the
 * sessions that follow them. A token revoked in that transaction takes its sockets with it first. */
static void publish(struct app *app, const struct event *list, size_t n)
{
	hub_check_tokens(app->hub);
	for (size_t i = 0; i < n; i++) {
		const struct event *ev = &list[i];
		char *owned;
		const char *payload = api_event_payload(ev, &owned);
		const struct logged_event *e =
			payload ? eventlog_append2(app->eventlog, ev->seq, ev->at, ev->type, ev->dep,
						   ev->entity[0] ? ev->entity : NULL, ev->entity_id, ev->dep2,
						   ev->entity2[0] ? ev->entity2 : NULL, ev->entity2_id, payload)
				: NULL;
		free(owned);
		if (e)
			hub_publish(app->hub, e);
		else
			log_error("events: event %lld (%s) could not be published: out of memory", ev->seq, ev->type);
	}
}

/* The wake hook (app->wake), from another thread: lws_cancel_service is the one lws call safe there. */
static void wake_loop(struct app *app)
{
	if (app->lws)
		lws_cancel_service(app->lws);
}

static void tick_cb(lws_sorted_usec_list_t *sul)
{
	/* only wakes the loop so that it can check the clock while shutting down */
	(void)sul;
}

static void set_public_url(struct app *app, const char *host, int port)
{
	if (app->cfg.public_url[0])
		snprintf(app->public_url, sizeof app->public_url, "%s", app->cfg.public_url);
	else
		snprintf(app->public_url, sizeof app->public_url, "http://%s:%d",
			 strcmp(host, "0.0.0.0") == 0 ? "127.0.0.1" : host, port);
	size_t n = strlen(app->public_url);
	if (n && app->public_url[n - 1] == '/')
		app->public_url[n - 1] = '\0';
}

static int serve(struct app *app)
{
	struct server srv;
	memset(&srv, 0, sizeof srv);
	srv.app = app;
	app->loop_private = &srv;
	app->schedule_flush = schedule_flush;
	app->publish = publish;
	char why[256];
	if (!(app->sms = outbox_sender_new(app, why, sizeof why))) {
		log_error("%s", why);
		return 2;
	}
	if (!(srv.conns = connlimit_new(app->cfg.max_connections_per_ip)) || sms_sender_recover(app->sms)) {
		log_error("cannot start (out of memory, or the database)");
		connlimit_free(srv.conns);
		sms_sender_free(app->sms);
		app->sms = NULL;
		return 1;
	}

	char host[128];
	int port;
	if (config_listen_parts(&app->cfg, host, sizeof host, &port)) {
		log_error("listen: must be HOST:PORT, got \"%s\"", app->cfg.listen);
		return 2;
	}

	struct lws_protocols protocols[] = {
		{"renfort", callback, sizeof(struct conn), 0, 0, NULL, 0},
		{NULL, NULL, 0, 0, 0, NULL, 0},
	};

	struct lws_context_creation_info info;
	memset(&info, 0, sizeof info);
	info.port = port;
	info.iface = host;
	info.protocols = protocols;
	info.user = app;
	/* accepted connections are raw sockets bound to our protocol: renfortd reads HTTP and the
	 * websocket protocol itself (http.c, ws.c), libwebsockets keeps the loop, sockets and timers */
	info.listen_accept_role = "raw-skt";
	info.listen_accept_protocol = "renfort";
	info.pt_serv_buf_size = (unsigned)app->cfg.read_buffer_bytes;
	info.options = LWS_SERVER_OPTION_ADOPT_APPLY_LISTEN_ACCEPT_CONFIG | LWS_SERVER_OPTION_DISABLE_IPV6;
	lws_set_log_level(LLL_ERR, NULL);

	srv.ctx = lws_create_context(&info);
	if (!srv.ctx) {
		log_error("cannot listen on %s (address in use, or not a local address?)", app->cfg.listen);
		connlimit_free(srv.conns);
		sms_sender_free(app->sms);
		app->sms = NULL;
		return 1;
	}
	app->lws = srv.ctx;
	app->wake = wake_loop;
	if (sms_sender_start(app->sms)) {
		log_error("cannot start the SMS thread");
		lws_context_destroy(srv.ctx);
		connlimit_free(srv.conns);
		sms_sender_free(app->sms);
		app->sms = NULL;
		return 1;
	}
	struct lws_vhost *vh = lws_get_vhost_by_name(srv.ctx, "default");
	if (vh)
		port = lws_get_vhost_listen_port(vh);
	set_public_url(app, host, port);
	log_info("renfortd: listening on http://%s:%d/ (database %s, public URL %s/)", host, port, app->cfg.db, app->public_url);
	if (app->demo_token[0]) {
		printf("\nrenfort demo is running.\n"
		       "  Dashboard (regional coordinator): %s/?token=%s\n"
		       "  API token for scripts:            %s\n"
		       "  Stop with Ctrl-C.\n\n",
		       app->public_url, app->demo_token, app->demo_token);
		fflush(stdout);
	}
	if (app->on_listening)
		app->on_listening(app);

	signal_ctx = srv.ctx;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	size_t njobs;
	const struct job *jobs = jobs_table(&njobs);
	for (size_t i = 0; i < njobs && srv.njobs < JOBS_MAX; i++) {
		struct job_timer *t = &srv.jobs[srv.njobs++];
		t->job = &jobs[i];
		t->srv = &srv;
		lws_sul_schedule(srv.ctx, 0, &t->sul, job_cb, jobs[i].first(app));
	}

	while (!stop_requested && !app->stop)
		if (lws_service(srv.ctx, 0) < 0)
			break;

	/* Shutdown: writes already received commit and are answered; clients get a close frame. */
	log_info("renfortd: shutting down (%zu websocket clients)", hub_count(app->hub));
	api_flush(app);
	hub_close_all(app->hub, LWS_CLOSE_STATUS_GOINGAWAY, "server shutting down");
	long long deadline = clock_mono_us() + app->cfg.shutdown_grace_ms * 1000;
	while (hub_count(app->hub) > 0 && clock_mono_us() < deadline) {
		lws_sul_schedule(srv.ctx, 0, &srv.tick_sul, tick_cb, SHUTDOWN_TICK_US);
		if (lws_service(srv.ctx, 0) < 0)
			break;
	}
	lws_sul_cancel(&srv.flush_sul);
	lws_sul_cancel(&srv.tick_sul);
	for (size_t i = 0; i < srv.njobs; i++)
		lws_sul_cancel(&srv.jobs[i].sul);
	signal_ctx = NULL;
	lws_context_destroy(srv.ctx);
	connlimit_free(srv.conns);
	app->lws = NULL;
	app->loop_private = NULL;
	app->schedule_flush = NULL;
	app->publish = NULL;
	api_flush(app); /* anything left by the last callbacks */
	/* messages being handed over get their answer, or are sent again at the next start */
	sms_sender_drain(app->sms, app->cfg.shutdown_grace_ms);
	sms_sender_free(app->sms);
	app->sms = NULL;
	log_info("renfortd: stopped");
	return 0;
}

int server_run(struct app *app)
{
	/* the transport's own: the log clients resume from, and the sessions' fan-out */
	int rc = 1;
	if ((app->eventlog = eventlog_new((size_t)app->cfg.event_log_size, app->event_seq + 1)) &&
	    (app->hub = hub_new(app)))
		rc = serve(app);
	else
		log_error("cannot start: out of memory");
	hub_free(app->hub);
	app->hub = NULL;
	eventlog_free(app->eventlog);
	app->eventlog = NULL;
	return rc;
}
