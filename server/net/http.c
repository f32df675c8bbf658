/* http: HTTP/1.1 on a raw socket. Reads requests one at a time (http_parse.c reads each head
 * strictly), runs them through the operation table, writes each answer whole, and only then reads
 * the next pipelined request: a connection holds one request at a time. Also /healthz, /metrics,
 * the browser clients' files (static_files.c), and the websocket upgrade (then ws.c takes over). */
#include "conn.h"

#include "app.h"
#include "http_parse.h"
#include "hub.h"
#include "log.h"
#include "metrics.h"
#include "record_json.h"
#include "request_check.h"
#include "gzip.h"
#include "static_files.h"
#include "store.h"
#include "ws_frame.h"

#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

/* One request on its way through: its head, the operation it leads to, and the answer. */
struct http_req {
	struct http_head head;
	struct op_request req;
	struct write_job *job;    /* a write waiting for its commit */
	struct rf_error refused;  /* an answer decided before the body arrived (it is still read) */
	enum { REQ_OPERATION, REQ_UPGRADE, REQ_HEALTH, REQ_METRICS, REQ_STATIC } kind;
	/* the answer: status line, header lines and body, written whole */
	int status;
	struct buf out;
	size_t out_sent;
};

/* The headers libwebsockets' "security best practices" option put on every answer, kept as they
 * were: the browser clients load only their own scripts, styles and websocket. */
static const char security_headers[] =
	"content-security-policy: default-src 'none'; img-src 'self' data: ; script-src 'self'; font-src 'self'; "
	"style-src 'self'; connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none';form-action 'self';\r\n"
	"x-content-type-options: nosniff\r\n"
	"x-xss-protection: 1; mode=block\r\n"
	"x-frame-options: deny\r\n"
	"referrer-policy: no-referrer\r\n";

static const char *reason_phrase(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 101: return "Switching Protocols";
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 417: return "Expectation Failed";
	case 422: return "Unprocessable Content";
	case 426: return "Upgrade Required";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Status";
	}
}

static struct http_limits limits_of(const struct app *app)
{
	struct http_limits l = {
		.max_uri = (size_t)app->cfg.max_uri_bytes,
		.max_head = (size_t)app->cfg.max_head_bytes,
		.max_field = (size_t)app->cfg.max_header_bytes,
		.max_fields = (unsigned)app->cfg.max_headers,
		.max_args = (unsigned)app->cfg.max_query_args,
	};
	return l;
}

/* How long a closing connection waits for the peer to read the last answer and close its side. */
#define CLOSE_LINGER_S 5

/* --- answers ------------------------------------------------------------------------------------- */

/* The whole answer into h->out: status line, headers (extra: more "name: value\r\n" lines), body
 * (not for HEAD), cached by the browser as `cache` says (the API's answers: "no-store"). The
 * connection then writes it. */
static void answer_cached(struct conn *c, int status, const char *type, const char *body, size_t len,
			  const char *extra, const char *cache)
{
	struct http_req *h = c->http;
	h->status = status;
	buf_reset(&h->out);
	h->out_sent = 0;
	int head_only = h->head.storage && h->head.method == HTTP_HEAD;
	int bad = buf_printf(&h->out, "HTTP/1.1 %d %s\r\n%s", status, reason_phrase(status), security_headers) ||
		  (type && buf_printf(&h->out, "content-type: %s\r\n", type)) ||
		  buf_printf(&h->out, "content-length: %zu\r\ncache-control: %s\r\n", len, cache) ||
		  (extra && buf_puts(&h->out, extra)) ||
		  (c->close_after && buf_puts(&h->out, "connection: close\r\n")) ||
		  (!c->close_after && h->head.storage && h->head.minor == 0 && buf_puts(&h->out, "connection: keep-alive\r\n")) ||
		  buf_puts(&h->out, "\r\n") || (!head_only && len && buf_append(&h->out, body, len));
	if (bad) {
		/* out of memory: the least that can be said */
		buf_reset(&h->out);
		c->close_after = 1;
		buf_puts(&h->out, "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
		h->status = 503;
	}
	c->state = CONN_ANSWER;
	lws_rx_flow_control(c->wsi, 0);
	lws_set_timeout(c->wsi, PENDING_TIMEOUT_HTTP_KEEPALIVE_IDLE, (int)c->app->cfg.http_timeout_s);
	lws_callback_on_writable(c->wsi);
}

static void answer(struct conn *c, int status, const char *type, const char *body, size_t len, const char *extra)
{
	answer_cached(c, status, type, body, len, extra, "no-store");
}

/* An answer compressed when the client accepts gzip and it is worth it (fast, level 1: the API's
 * answers are made for one request); extra as for answer(), at most 160 bytes. */
static void answer_compressed(struct conn *c, int status, const char *type, const char *body, size_t len,
			      const char *extra)
{
	char *gz = NULL;
	size_t gz_len = 0;
	if (len >= GZIP_MIN_BYTES && gzip_worth(type) && gzip_accepted(http_head_field(&c->http->head, "accept-encoding")) &&
	    gzip_compress(body, len, 1, &gz, &gz_len) == 0) {
		char more[256];
		snprintf(more, sizeof more, "%scontent-encoding: gzip\r\nvary: accept-encoding\r\n", extra ? extra : "");
		answer(c, status, type, gz, gz_len, more);
		free(gz);
		return;
	}
	answer(c, status, type, body, len, extra);
}

static void answer_json(struct conn *c, int status, cJSON *json, const char *extra)
{
	char *text = json ? cJSON_PrintUnformatted(json) : NULL;
	answer(c, status, "application/json", text ? text : "null", text ? strlen(text) : 4, extra);
	free(text);
}

static void answer_error(struct conn *c, const struct rf_error *err)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "error", api_error_json(err));
	answer_json(c, err->status ? err->status : 500, o, NULL);
	cJSON_Delete(o);
}

static void answer_fail(struct conn *c, int status, const char *code, const char *field, const char *rule)
{
	struct rf_error e;
	rf_error_set(&e, status, code, field, "%s", rule);
	answer_error(c, &e);
}

static void answer_response(struct conn *c, struct op_response *res)
{
	if (res->status >= 400) {
		answer_error(c, &res->err);
		return;
	}
	if (res->raw) {
		char extra[160] = "";
		if (res->filename[0])
			snprintf(extra, sizeof extra, "content-disposition: attachment; filename=\"%s\"\r\n", res->filename);
		answer_compressed(c, res->status, res->raw_type, res->raw, res->raw_len, extra);
		return;
	}
	const char *text = api_response_text(res);
	if (!text) {
		answer_fail(c, 503, "unavailable", "", "out of memory");
		return;
	}
	answer_compressed(c, res->status ? res->status : 200, "application/json", text, strlen(text), NULL);
}

static void job_done(void *client, struct write_job *job)
{
	struct conn *c = client;
	c->http->job = NULL;
	answer_response(c, &job->res);
	api_job_free(job);
}

static void dispatch(struct conn *c)
{
	struct http_req *h = c->http;
	struct op_response res;
	memset(&res, 0, sizeof res);
	struct write_job *job = NULL;
	c->state = CONN_BUSY;
	lws_rx_flow_control(c->wsi, 0);
	lws_set_timeout(c->wsi, NO_PENDING_TIMEOUT, 0);
	if (api_call(c->app, &h->req, &res, job_done, c, &job)) {
		answer_response(c, &res);
		op_response_release(&res);
		op_request_release(&h->req);
	} else
		h->job = job;
}

static void answer_health(struct conn *c)
{
	int ok = store_ping(c->app->store) == 0;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "status", ok ? "ok" : "degraded");
	cJSON_AddBoolToObject(o, "database", ok);
	cJSON_AddNumberToObject(o, "schema_version", store_schema_version(c->app->store));
	answer_json(c, ok ? 200 : 503, o, NULL);
	cJSON_Delete(o);
}

static void answer_metrics(struct conn *c)
{
	struct buf b;
	buf_init(&b);
	metrics_write(c->app, &b);
	answer(c, 200, "text/plain; version=0.0.4", b.data ? b.data : "", b.len, NULL);
	buf_release(&b);
}

static void answer_static(struct conn *c)
{
	struct http_req *h = c->http;
	struct static_file f;
	struct rf_error err;
	if (static_file_read(c->app->cfg.clients_dir, h->head.path, &f, &err)) {
		answer_error(c, &err);
		return;
	}
	/* the browser keeps what it has and asks whether it changed (a 304 costs a few hundred bytes);
	 * a URL naming the content's hash (?v=<etag without quotes>) never changes: kept a year */
	const char *v = NULL;
	for (unsigned i = 0; i < h->head.nargs; i++)
		if (strcmp(h->head.args[i].name, "v") == 0)
			v = h->head.args[i].value;
	const char *cache = v && strlen(v) == 16 && strncmp(v, f.etag + 1, 16) == 0 ? "public, max-age=31536000, immutable"
										    : "no-cache";
	const char *match = http_head_field(&h->head, "if-none-match");
	int gz = f.gz && gzip_accepted(http_head_field(&h->head, "accept-encoding"));
	char extra[160];
	snprintf(extra, sizeof extra, "etag: %s\r\nvary: accept-encoding\r\n%s", f.etag,
		 gz ? "content-encoding: gzip\r\n" : "");
	if (match && strstr(match, f.etag))
		answer_cached(c, 304, NULL, "", 0, extra, cache);
	else
		answer_cached(c, 200, f.type, gz ? f.gz : f.data, gz ? f.gz_len : f.len, extra, cache);
	static_file_release(&f);
}

/* --- the websocket upgrade ----------------------------------------------------------------------- */

/* Is origin one of the allowed ones (space-separated), or, with none configured, our own? */
static int origin_allowed(struct app *app, const char *origin)
{
	const char *list = app->cfg.allowed_origins;
	if (!list[0])
		return strcmp(origin, app->public_url) == 0;
	size_t n = strlen(origin);
	for (const char *p = list; *p;) {
		while (*p == ' ')
			p++;
		const char *e = p;
		while (*e && *e != ' ')
			e++;
		if ((size_t)(e - p) == n && strncmp(p, origin, n) == 0)
			return 1;
		p = e;
	}
	return 0;
}

/* The token of a request: the Authorization header, or access_token in the query (a browser's
 * websocket cannot set headers). */
static const char *request_token(const struct http_head *head)
{
	const char *auth = http_head_field(head, "authorization");
	if (auth)
		return auth;
	const char *token = NULL;
	for (unsigned i = 0; i < head->nargs; i++)
		if (strcmp(head->args[i].name, "access_token") == 0)
			token = head->args[i].value;
	return token;
}

static void upgrade(struct conn *c)
{
	struct http_req *h = c->http;
	struct app *app = c->app;
	const struct http_head *head = &h->head;
	char accept_key[29];
	const char *version = http_head_field(head, "sec-websocket-version");
	const char *key = http_head_field(head, "sec-websocket-key");
	const char *origin = http_head_field(head, "origin");
	struct principal who;
	struct rf_error err;
	if (head->method != HTTP_GET || head->content_length) {
		answer_fail(c, 400, "bad_request", "method", "a websocket opens with a GET without a body");
		return;
	}
	if (!version || strcmp(version, "13") != 0) {
		struct rf_error e;
		rf_error_set(&e, 426, "upgrade_required", "sec-websocket-version", "must be 13");
		cJSON *o = cJSON_CreateObject();
		cJSON_AddItemToObject(o, "error", api_error_json(&e));
		answer_json(c, 426, o, "sec-websocket-version: 13\r\n");
		cJSON_Delete(o);
		return;
	}
	if (!key || ws_accept_key(key, accept_key)) {
		answer_fail(c, 400, "bad_request", "sec-websocket-key", "must be the base64 of 16 bytes");
		return;
	}
	if (origin && !origin_allowed(app, origin)) {
		log_warn("ws: refused upgrade from origin not allowed");
		answer_fail(c, 403, "forbidden", "origin", "is not one of allowed_origins");
		return;
	}
	if (api_authenticate(app, request_token(head), &who, &err)) {
		answer_error(c, &err);
		return;
	}
	if (!(c->ws = ws_session_new(c, &who))) {
		answer_fail(c, 503, "unavailable", "", "out of memory");
		return;
	}
	struct buf *out = &h->out;
	buf_reset(out);
	h->out_sent = 0;
	h->status = 101;
	if (buf_printf(out, "HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n"
			    "sec-websocket-accept: %s\r\n\r\n",
		       accept_key)) {
		ws_session_free(c->ws);
		c->ws = NULL;
		answer_fail(c, 503, "unavailable", "", "out of memory");
		return;
	}
	/* the 101 goes out first (http_writeable), then the connection is a websocket */
	c->state = CONN_ANSWER;
	lws_rx_flow_control(c->wsi, 0);
	lws_callback_on_writable(c->wsi);
}

/* --- requests ------------------------------------------------------------------------------------ */

static int has_prefix_dir(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* Query arguments as string params (repeated: the last wins); access_token is the transport's. */
static void add_query(const struct http_head *head, cJSON *params)
{
	for (unsigned i = 0; i < head->nargs; i++) {
		const char *name = head->args[i].name;
		if (!name[0] || strcmp(name, "access_token") == 0)
			continue;
		cJSON_DeleteItemFromObjectCaseSensitive(params, name);
		cJSON_AddStringToObject(params, name, head->args[i].value);
	}
}

/* The address the connection comes from ("192.0.2.7", "2001:db8::1"), "" when unknown. */
static void peer_address(struct lws *wsi, char *out, size_t n)
{
	struct sockaddr_storage a;
	socklen_t len = sizeof a;
	out[0] = '\0';
	if (getpeername(lws_get_socket_fd(wsi), (struct sockaddr *)&a, &len))
		return;
	if (a.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&a)->sin_addr, out, (socklen_t)n);
	else if (a.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&a)->sin6_addr, out, (socklen_t)n);
}

/* The operation of an /api or /sms request, its caller and its headers into h->req; an error
 * found here is kept in h->refused and answered once the body has been read. */
static void start_operation(struct conn *c)
{
	struct http_req *h = c->http;
	struct app *app = c->app;
	const struct http_head *head = &h->head;
	struct rf_error *err = &h->refused;
	h->req.params = cJSON_CreateObject();
	int path_known = 0;
	const struct op *op = h->req.params ? api_route(http_method_name(head->method), head->path, h->req.params, &path_known)
					    : NULL;
	if (!op) {
		if (path_known)
			rf_error_set(err, 405, "method_not_allowed", "method", "is not allowed on this path");
		else
			rf_error_set(err, 404, "not_found", "path", "no such endpoint");
		return;
	}
	h->req.op = op;
	add_query(head, h->req.params);
	if (op->flags & OP_PUBLIC) {
		/* gateways' webhooks: they prove themselves with a secret or a signature, checked by the
		 * operation; they act as renfortd itself. Sign-ups: limited per phone and per address */
		h->req.who = principal_system;
		peer_address(c->wsi, h->req.peer, sizeof h->req.peer);
	} else if (api_authenticate(app, request_token(head), &h->req.who, err))
		return;
	/* a public operation's callers are nobody in particular: one's key must not answer another */
	const char *key = op->flags & OP_PUBLIC ? NULL : http_head_field(head, "idempotency-key");
	if (key) {
		size_t n = strlen(key);
		if (n < 1 || n > 128) {
			rf_error_set(err, 422, "invalid", "idempotency-key", "must be 1 to 128 characters");
			return;
		}
		memcpy(h->req.idem_key, key, n + 1);
	}
	const char *sig = http_head_field(head, "x-twilio-signature");
	if (sig && strlen(sig) < sizeof h->req.signature)
		strcpy(h->req.signature, sig);
	const char *type = http_head_field(head, "content-type");
	if (type)
		snprintf(h->req.content_type, sizeof h->req.content_type, "%s", type);
}

/* A head has been read: decide what the request is, then read its body (if any). */
static void start_request(struct conn *c)
{
	struct http_req *h = c->http;
	struct app *app = c->app;
	const struct http_head *head = &h->head;
	if (!head->keep_alive)
		c->close_after = 1;
	if (has_prefix_dir(head->path, "/ws") || head->upgrade) {
		if (strcmp(head->path, "/ws") != 0)
			rf_error_set(&h->refused, 404, "not_found", "path", "the websocket endpoint is /ws");
		else if (!head->upgrade)
			rf_error_set(&h->refused, 426, "upgrade_required", "upgrade", "/ws is a websocket: Upgrade: websocket");
		else
			h->kind = REQ_UPGRADE;
	} else if (strcmp(head->path, "/healthz") == 0 || strcmp(head->path, "/metrics") == 0) {
		if (head->method != HTTP_GET && head->method != HTTP_HEAD)
			rf_error_set(&h->refused, 405, "method_not_allowed", "method", "is not allowed on this path");
		h->kind = strcmp(head->path, "/healthz") == 0 ? REQ_HEALTH : REQ_METRICS;
	} else if (has_prefix_dir(head->path, "/api") || has_prefix_dir(head->path, "/sms"))
		start_operation(c);
	else if (head->method != HTTP_GET && head->method != HTTP_HEAD)
		rf_error_set(&h->refused, 405, "method_not_allowed", "method", "static files are read with GET or HEAD");
	else
		h->kind = REQ_STATIC;

	/* A body larger than allowed is not read: answer, and close (it cannot be skipped cheaply). */
	if (head->content_length > app->cfg.max_body_bytes) {
		char rule[96];
		snprintf(rule, sizeof rule, "the body must be at most %lld bytes", app->cfg.max_body_bytes);
		c->close_after = 1;
		answer_fail(c, 413, "too_large", "body", rule);
		return;
	}
	if (head->expect_continue && head->content_length && !h->refused.status) {
		/* the client waits for this before it sends the body */
		static const char go_on[] = "HTTP/1.1 100 Continue\r\n\r\n";
		lws_write(c->wsi, (unsigned char *)go_on, sizeof go_on - 1, LWS_WRITE_RAW);
	}
	c->state = CONN_BODY;
}

/* The body (c->in's first content_length bytes) is here: run the request. */
static void finish_request(struct conn *c)
{
	struct http_req *h = c->http;
	size_t n = (size_t)h->head.content_length;
	if (h->refused.status) {
		answer_error(c, &h->refused);
		return;
	}
	switch (h->kind) {
	case REQ_UPGRADE:
		upgrade(c);
		return;
	case REQ_HEALTH:
		answer_health(c);
		return;
	case REQ_METRICS:
		answer_metrics(c);
		return;
	case REQ_STATIC:
		answer_static(c);
		return;
	case REQ_OPERATION:
		break;
	}
	const struct op *op = h->req.op;
	if (op->flags & OP_RAW_BODY) {
		h->req.raw_body = malloc(n + 1);
		if (!h->req.raw_body) {
			answer_fail(c, 503, "unavailable", "body", "out of memory");
			return;
		}
		if (n)
			memcpy(h->req.raw_body, c->in.data, n);
		h->req.raw_body[n] = '\0';
		h->req.raw_len = n;
	} else if (n) {
		if (!request_check_media_type(h->req.content_type, "application/json")) {
			answer_fail(c, 415, "unsupported_media_type", "content-type", "must be application/json");
			return;
		}
		char rule[96];
		h->req.body = json_parse_strict(c->in.data, n, rule, sizeof rule);
		if (!h->req.body) {
			answer_fail(c, 400, "invalid_json", "body", rule);
			return;
		}
	}
	dispatch(c);
}

/* Drops the first n bytes of c->in; an emptied buffer gives its memory back (idle sockets stay
 * small). */
static void consume(struct conn *c, size_t n)
{
	if (n >= c->in.len) {
		buf_release(&c->in);
		buf_init(&c->in);
	} else {
		memmove(c->in.data, c->in.data + n, c->in.len - n);
		c->in.len -= n;
		c->in.data[c->in.len] = '\0';
	}
	c->seen = 0;
}

/* Moves the connection on with what it has received, as far as it can. */
static int advance(struct conn *c)
{
	for (;;) {
		if (c->state == CONN_HEAD) {
			if (!c->in.len)
				return 0;
			if (!c->http && !(c->http = calloc(1, sizeof *c->http)))
				return -1;
			struct http_limits lim = limits_of(c->app);
			struct rf_error err;
			int rc = http_head_parse(c->in.data, c->in.len, c->seen, &lim, &c->http->head, &err);
			c->seen = c->in.len;
			if (rc == 0)
				return 0;
			if (rc < 0) {
				/* where this request ends is unknown: answer, then close */
				c->close_after = 1;
				answer_error(c, &err);
				return 0;
			}
			consume(c, c->http->head.length);
			start_request(c);
			if (c->state != CONN_BODY)
				return 0;
		}
		if (c->state != CONN_BODY)
			return 0;
		size_t need = (size_t)c->http->head.content_length;
		if (c->in.len < need) {
			/* a body still arriving: the timeout runs from its last progress */
			lws_set_timeout(c->wsi, PENDING_TIMEOUT_HTTP_CONTENT, (int)c->app->cfg.http_timeout_s);
			return 0;
		}
		finish_request(c);
		consume(c, need);
		/* the request runs or its answer is being written: the next waits in c->in */
		return 0;
	}
}

int http_receive(struct conn *c, unsigned char *in, size_t len)
{
	switch (c->state) {
	case CONN_WEBSOCKET:
		return ws_receive(c->ws, in, len);
	case CONN_CLOSING:
		return 0; /* drained */
	default:
		break;
	}
	if (buf_append(&c->in, in, len))
		return -1;
	if (c->state != CONN_HEAD && c->state != CONN_BODY)
		return 0; /* a pipelined request waits for the answer to the one before */
	return advance(c);
}

int conn_close_gently(struct conn *c)
{
	if (c->state != CONN_CLOSING) {
		c->state = CONN_CLOSING;
		lws_set_timeout(c->wsi, PENDING_TIMEOUT_CLOSE_SEND, CLOSE_LINGER_S);
	}
	if (lws_partial_buffered(c->wsi)) {
		lws_callback_on_writable(c->wsi);
		return 0;
	}
	if (!c->shut) {
		c->shut = 1;
		shutdown(lws_get_socket_fd(c->wsi), SHUT_WR);
		lws_rx_flow_control(c->wsi, 1);
	}
	return 0;
}

static void log_answer(struct conn *c)
{
	struct http_req *h = c->http;
	int cls = h->status / 100;
	if (cls >= 1 && cls <= 5)
		c->app->metrics.http_requests[cls]++;
	const char *method = h->head.storage ? http_method_name(h->head.method) : "-";
	const char *path = h->head.path ? h->head.path : "-";
	if (h->status >= 500)
		log_warn("http: %s %s -> %d", method, path, h->status);
	else
		log_debug("http: %s %s -> %d", method, path, h->status);
}

static void release_request(struct conn *c)
{
	struct http_req *h = c->http;
	if (!h)
		return;
	if (h->job)
		api_job_detach(h->job);
	op_request_release(&h->req);
	http_head_release(&h->head);
	buf_release(&h->out);
	free(h);
	c->http = NULL;
}

/* Bytes written at most per turn of the loop, so that one large answer does not hold the others. */
#define WRITE_CHUNK 65536

int http_writeable(struct conn *c)
{
	if (c->state == CONN_WEBSOCKET)
		return ws_writeable(c->ws);
	if (c->state == CONN_CLOSING)
		return conn_close_gently(c);
	struct http_req *h = c->http;
	if (c->state != CONN_ANSWER || !h)
		return 0;
	while (h->out_sent < h->out.len) {
		size_t n = h->out.len - h->out_sent;
		if (n > WRITE_CHUNK)
			n = WRITE_CHUNK;
		if (lws_write(c->wsi, (unsigned char *)h->out.data + h->out_sent, n, LWS_WRITE_RAW) < 0)
			return -1;
		h->out_sent += n;
		if (h->out_sent < h->out.len) {
			lws_callback_on_writable(c->wsi);
			return 0;
		}
	}
	log_answer(c);
	if (h->status == 101) {
		/* the upgrade is done: frames from now on (any the client already sent wait in c->in) */
		release_request(c);
		c->state = CONN_WEBSOCKET;
		lws_set_timeout(c->wsi, NO_PENDING_TIMEOUT, 0);
		lws_rx_flow_control(c->wsi, 1);
		hub_attach(c->app->hub, c->ws);
		c->app->metrics.ws_connections++;
		if (c->in.len) {
			struct buf pending = c->in;
			buf_init(&c->in);
			int rc = ws_receive(c->ws, (unsigned char *)pending.data, pending.len);
			buf_release(&pending);
			return rc;
		}
		return 0;
	}
	release_request(c);
	if (c->close_after)
		return conn_close_gently(c);
	/* keep-alive: the next request, maybe already here */
	c->state = CONN_HEAD;
	lws_set_timeout(c->wsi, PENDING_TIMEOUT_HTTP_KEEPALIVE_IDLE, (int)c->app->cfg.http_timeout_s);
	lws_rx_flow_control(c->wsi, 1);
	return advance(c);
}

void conn_release(struct conn *c)
{
	release_request(c);
	if (c->ws) {
		ws_session_free(c->ws);
		c->ws = NULL;
	}
	buf_release(&c->in);
	buf_init(&c->in);
}
