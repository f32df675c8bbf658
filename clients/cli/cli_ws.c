#include "cli_ws.h"

#include "buf.h"
#include "cli_out.h"

#include <curl/curl.h>
#include <libwebsockets.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WS_MAX_MESSAGE ((size_t)16 << 20) /* a message larger than this is dropped, with a warning */
#define WS_LINGER_US (2 * LWS_US_PER_SEC)  /* how long a clean close may take before we just go */
#define SUBSCRIBE_ID 1

/* Backoff between reconnection attempts (ms), plus up to 20 % jitter; the last one repeats. */
static const unsigned backoff_ms[] = {250, 500, 1000, 2000, 5000, 10000};

/* A silent connection is pinged after 30 s and given up after 75 s (a dead network path). */
static const uint32_t unused_table[] = {1000};
static const lws_retry_bo_t idle_policy = {
	.retry_ms_table = unused_table,
	.retry_ms_table_count = 1,
	.conceal_count = 1,
	.secs_since_valid_ping = 30,
	.secs_since_valid_hangup = 75,
	.jitter_percent = 0,
};

struct stream {
	struct cli *cli;
	const struct cli_stream *opt;
	struct lws_context *ctx;
	struct lws *wsi;          /* the established connection, or NULL */
	lws_sorted_usec_list_t sul_connect, sul_deadline, sul_linger;
	char address[256];        /* host to connect to */
	char host_header[300];    /* host[:port] */
	char path[1024];          /* .../ws */
	int port, tls;
	unsigned attempts;        /* failed attempts since the last good subscription */
	int ever_subscribed;
	int subscribe_pending;    /* the subscribe message waits for WRITEABLE */
	long long last_seq;       /* the last event's seq (or the subscription's), -1 none */
	long long received;
	char close_reason[128];   /* what the server said when it closed */
	struct buf rx;            /* a message being reassembled */
	int rx_dropped;
	int stopping, finished, rc;
};

static struct lws_context *volatile signal_ctx;
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
	if (signal_ctx)
		lws_cancel_service(signal_ctx); /* wakes the service loop's poll() */
}

static void finish_linger(lws_sorted_usec_list_t *sul)
{
	struct stream *s = lws_container_of(sul, struct stream, sul_linger);
	s->finished = 1;
}

/* Stops the stream with an exit code: a clean close when connected, else at once. */
static void stop(struct stream *s, int rc)
{
	if (s->stopping)
		return;
	s->stopping = 1;
	s->rc = rc;
	lws_sul_cancel(&s->sul_connect);
	lws_sul_cancel(&s->sul_deadline);
	if (s->wsi) {
		lws_callback_on_writable(s->wsi);
		lws_sul_schedule(s->ctx, 0, &s->sul_linger, finish_linger, WS_LINGER_US);
	} else
		s->finished = 1;
}

static void connect_now(lws_sorted_usec_list_t *sul);

static void retry_later(struct stream *s, const char *why)
{
	if (s->stopping) {
		s->finished = 1;
		return;
	}
	size_t n = sizeof backoff_ms / sizeof backoff_ms[0];
	unsigned ms = backoff_ms[s->attempts < n ? s->attempts : n - 1];
	ms += (unsigned)rand() % (ms / 5 + 1);
	s->attempts++;
	cli_note(s->cli, "%s; reconnecting in %.1f s", why, ms / 1000.0);
	lws_sul_schedule(s->ctx, 0, &s->sul_connect, connect_now, (lws_usec_t)ms * 1000);
}

static void connect_now(lws_sorted_usec_list_t *sul)
{
	struct stream *s = lws_container_of(sul, struct stream, sul_connect);
	struct lws_client_connect_info i;
	memset(&i, 0, sizeof i);
	i.context = s->ctx;
	i.address = s->address;
	i.port = s->port;
	i.path = s->path;
	i.host = s->host_header;
	i.origin = NULL; /* a program sends no Origin: renfortd checks browsers' only */
	i.ssl_connection = s->tls ? LCCSCF_USE_SSL : 0;
	i.protocol = NULL;
	i.local_protocol_name = "renfort-cli";
	i.retry_and_idle_policy = &idle_policy;
	if (!lws_client_connect_via_info(&i))
		retry_later(s, "cannot start a connection");
}

static void on_deadline(lws_sorted_usec_list_t *sul)
{
	struct stream *s = lws_container_of(sul, struct stream, sul_deadline);
	if (s->opt->count && s->received < s->opt->count) {
		cli_err("--timeout: %lld of %lld events in %g s", s->received, s->opt->count, s->opt->timeout_s);
		stop(s, CLI_TIMEOUT);
	} else
		stop(s, CLI_OK);
}

/* --- messages ---------------------------------------------------------------------------------------- */

static char *subscribe_message(const struct stream *s)
{
	cJSON *m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "type", "subscribe");
	cJSON_AddNumberToObject(m, "id", SUBSCRIBE_ID);
	cJSON *params = cJSON_AddObjectToObject(m, "params");
	cJSON *topics = cJSON_AddArrayToObject(params, "topics");
	for (size_t i = 0; i < s->opt->ntopics; i++)
		cJSON_AddItemToArray(topics, cJSON_CreateString(s->opt->topics[i]));
	if (s->last_seq >= 0)
		cJSON_AddNumberToObject(params, "since", (double)s->last_seq);
	char *text = cJSON_PrintUnformatted(m);
	cJSON_Delete(m);
	return text;
}

static int send_subscribe(struct stream *s, struct lws *wsi)
{
	char *text = subscribe_message(s);
	if (!text)
		return -1;
	size_t len = strlen(text);
	unsigned char *frame = malloc(LWS_PRE + len);
	int rc = -1;
	if (frame) {
		memcpy(frame + LWS_PRE, text, len);
		rc = lws_write(wsi, frame + LWS_PRE, len, LWS_WRITE_TEXT) < (int)len ? -1 : 0;
	}
	free(frame);
	free(text);
	return rc;
}

static void topics_text(const struct stream *s, char *out, size_t len)
{
	size_t o = 0;
	out[0] = '\0';
	for (size_t i = 0; i < s->opt->ntopics && o < len; i++) {
		int n = snprintf(out + o, len - o, "%s%s", i ? "," : "", s->opt->topics[i]);
		if (n < 0)
			break;
		o += (size_t)n;
	}
}

static long long number_member(const cJSON *o, const char *name, long long dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	return cJSON_IsNumber(v) ? (long long)v->valuedouble : dflt;
}

static void on_subscribed(struct stream *s, const cJSON *data)
{
	long long seq = number_member(data, "seq", -1);
	int replaying = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(data, "replaying"));
	int reload = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(data, "reload"));
	char topics[512];
	topics_text(s, topics, sizeof topics);
	long long asked = s->last_seq;
	if (reload)
		cli_err("warning: renfortd no longer holds the events after seq %lld (it restarted, or they are too "
			"old): some events may have been missed; reload the state (renfort list alerts) if it matters",
			asked);
	if (!replaying && seq > s->last_seq)
		s->last_seq = seq; /* a reconnection resumes from here, even if no event came */
	if (!s->ever_subscribed && replaying)
		cli_note(s->cli, "watching %s at seq %lld, first replaying the events after seq %lld (Ctrl-C to stop)",
			 topics, seq, asked);
	else if (!s->ever_subscribed)
		cli_note(s->cli, "watching %s at seq %lld (Ctrl-C to stop)", topics, seq);
	else
		cli_note(s->cli, "reconnected: watching %s, resuming after seq %lld", topics, asked);
	s->ever_subscribed = 1;
	s->attempts = 0;
}

static void on_error_message(struct stream *s, const cJSON *m)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(m, "error");
	const char *field = cli_out_str(e, "field"), *rule = cli_out_str(e, "rule");
	long long status = number_member(m, "status", 0);
	long long id = number_member(m, "id", 0);
	fprintf(stderr, "renfort: %s", id == SUBSCRIBE_ID ? "subscribe: " : "");
	if (field[0]) {
		cli_out_clean(stderr, field);
		fputs(": ", stderr);
	}
	cli_out_clean(stderr, rule[0] ? rule : "error");
	fputc('\n', stderr);
	if (id == SUBSCRIBE_ID)
		stop(s, status == 401 ? CLI_AUTH : status >= 500 ? CLI_UNREACHABLE : CLI_REFUSED);
}

static void on_message(struct stream *s, const char *text, size_t len)
{
	cJSON *m = cJSON_ParseWithLength(text, len);
	const char *type = cli_out_str(m, "type");
	if (strcmp(type, "event") == 0) {
		long long seq = number_member(m, "seq", -1);
		if (seq >= 0 && seq <= s->last_seq)
			goto out; /* already shown before a reconnection */
		if (seq >= 0)
			s->last_seq = seq;
		s->opt->on_event(s->opt->ctx, m, text, len);
		s->received++;
		if (s->opt->count && s->received >= s->opt->count)
			stop(s, CLI_OK);
	} else if (strcmp(type, "result") == 0 && number_member(m, "id", 0) == SUBSCRIBE_ID) {
		on_subscribed(s, cJSON_GetObjectItemCaseSensitive(m, "data"));
	} else if (strcmp(type, "error") == 0) {
		on_error_message(s, m);
	} else if (!m) {
		cli_err("warning: a message from renfortd is not JSON; ignored");
	}
out:
	cJSON_Delete(m);
}

/* --- libwebsockets ------------------------------------------------------------------------------------ */

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct lws_context *ctx = lws_get_context(wsi);
	struct stream *s = ctx ? lws_context_user(ctx) : NULL;
	if (!s)
		return lws_callback_http_dummy(wsi, reason, user, in, len);

	switch (reason) {
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER: {
		unsigned char **p = (unsigned char **)in, *end = (*p) + len;
		char value[CLI_TOKEN_MAX + 8];
		int n = snprintf(value, sizeof value, "Bearer %s", s->cli->token);
		int rc = lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_AUTHORIZATION, (unsigned char *)value, n, p, end);
		memset(value, 0, sizeof value);
		return rc ? -1 : 0;
	}
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		s->wsi = wsi;
		s->close_reason[0] = '\0';
		buf_reset(&s->rx);
		s->rx_dropped = 0;
		if (s->stopping) {
			lws_callback_on_writable(wsi);
			break;
		}
		s->subscribe_pending = 1;
		lws_callback_on_writable(wsi);
		break;

	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (s->stopping) {
			lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, (unsigned char *)"bye", 3);
			return -1;
		}
		if (s->subscribe_pending) {
			s->subscribe_pending = 0;
			if (send_subscribe(s, wsi))
				return -1;
		}
		break;

	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (s->stopping || lws_frame_is_binary(wsi))
			break;
		if (!s->rx_dropped && (s->rx.len + len > WS_MAX_MESSAGE || buf_append(&s->rx, in, len))) {
			s->rx_dropped = 1;
			buf_release(&s->rx);
		}
		if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi))
			break;
		if (s->rx_dropped)
			cli_err("warning: a message of more than %zu bytes from renfortd was dropped", WS_MAX_MESSAGE);
		else
			on_message(s, s->rx.data ? s->rx.data : "", s->rx.len);
		s->rx_dropped = 0;
		buf_reset(&s->rx);
		break;

	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		if (in && len > 2) {
			size_t n = len - 2 < sizeof s->close_reason - 1 ? len - 2 : sizeof s->close_reason - 1;
			memcpy(s->close_reason, (const char *)in + 2, n);
			s->close_reason[n] = '\0';
		}
		break;

	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR: {
		const char *why = in ? (const char *)in : "unknown error";
		s->wsi = NULL;
		if (s->stopping) {
			s->finished = 1;
			break;
		}
		if (strstr(why, "unauthorized")) {
			cli_err("the websocket refused the token (unknown or revoked): log in again");
			stop(s, CLI_AUTH);
			break;
		}
		if (!s->ever_subscribed && strncmp(why, "HS:", 3) == 0) {
			/* renfortd answered, but not with a websocket: the URL does not lead to it */
			cli_err("%s%s is not a renfortd websocket (%s)", s->host_header, s->path, why);
			stop(s, CLI_UNREACHABLE);
			break;
		}
		char msg[512];
		snprintf(msg, sizeof msg, "cannot connect to %s (%.150s)", s->host_header, why);
		retry_later(s, msg);
		break;
	}
	case LWS_CALLBACK_CLIENT_CLOSED:
		s->wsi = NULL;
		s->subscribe_pending = 0;
		if (s->stopping) {
			s->finished = 1;
			break;
		}
		{
			char msg[256];
			snprintf(msg, sizeof msg, "connection lost%s%s%s", s->close_reason[0] ? " (" : "", s->close_reason,
				 s->close_reason[0] ? ")" : "");
			for (char *p = msg; *p; p++)
				if ((unsigned char)*p < 0x20)
					*p = '?';
			retry_later(s, msg);
		}
		break;

	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols protocols[] = {
	{"renfort-cli", callback, 0, 0, 0, NULL, 0},
	{NULL, NULL, 0, 0, 0, NULL, 0},
};

static void lws_log(int level, const char *line)
{
	(void)level;
	fprintf(stderr, "renfort: lws: %s", line);
}

/* Splits the base URL into what libwebsockets needs; the websocket is <base path>/ws. */
static int parse_url(struct stream *s, const char *url)
{
	int rc = -1;
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
	CURLU *u = curl_url();
	if (!u || curl_url_set(u, CURLUPART_URL, url, 0) || curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) || curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) ||
	    curl_url_get(u, CURLUPART_PATH, &path, 0))
		goto out;
	if (strcmp(scheme, "http") && strcmp(scheme, "https"))
		goto out;
	s->tls = strcmp(scheme, "https") == 0;
	s->port = atoi(port);
	size_t hl = strlen(host);
	if (host[0] == '[' && hl > 2 && host[hl - 1] == ']')
		snprintf(s->address, sizeof s->address, "%.*s", (int)(hl - 2), host + 1);
	else
		snprintf(s->address, sizeof s->address, "%s", host);
	if (s->port == (s->tls ? 443 : 80))
		snprintf(s->host_header, sizeof s->host_header, "%s", host);
	else
		snprintf(s->host_header, sizeof s->host_header, "%s:%d", host, s->port);
	size_t pl = strlen(path);
	while (pl && path[pl - 1] == '/')
		pl--;
	snprintf(s->path, sizeof s->path, "%.*s/ws", (int)pl, path);
	rc = s->port > 0 ? 0 : -1;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_url_cleanup(u);
	return rc;
}

int cli_ws_stream(struct cli *c, const struct cli_stream *st)
{
	struct stream s;
	memset(&s, 0, sizeof s);
	s.cli = c;
	s.opt = st;
	s.last_seq = st->since;
	buf_init(&s.rx);
	if (parse_url(&s, c->url)) {
		cli_err("--url: cannot use %s for a websocket (http://HOST:PORT or https://...)", c->url);
		return CLI_USAGE;
	}
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	lws_set_log_level(c->verbose ? LLL_ERR | LLL_WARN | LLL_NOTICE : 0, lws_log);

	struct lws_context_creation_info info;
	memset(&info, 0, sizeof info);
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.user = &s;
	info.fd_limit_per_thread = 1 + 1 + 1;
	if (s.tls)
		info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	s.ctx = lws_create_context(&info);
	if (!s.ctx) {
		cli_err("cannot start libwebsockets");
		return CLI_UNREACHABLE;
	}

	struct sigaction sa, old_int, old_term;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal; /* no SA_RESTART: the loop's poll() returns */
	sigemptyset(&sa.sa_mask);
	interrupted = 0;
	signal_ctx = s.ctx;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);

	lws_sul_schedule(s.ctx, 0, &s.sul_connect, connect_now, 1);
	if (st->timeout_s > 0)
		lws_sul_schedule(s.ctx, 0, &s.sul_deadline, on_deadline, (lws_usec_t)(st->timeout_s * LWS_US_PER_SEC));
	while (!s.finished) {
		if (interrupted && !s.stopping)
			stop(&s, CLI_OK);
		if (s.finished)
			break;
		if (lws_service(s.ctx, 0) < 0) {
			cli_err("libwebsockets' service loop failed");
			if (!s.stopping)
				s.rc = CLI_UNREACHABLE;
			break;
		}
	}

	signal_ctx = NULL;
	s.stopping = 1; /* what the destruction calls back schedules nothing */
	lws_context_destroy(s.ctx);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	buf_release(&s.rx);
	fflush(stdout);
	return s.rc;
}
