/* http: HTTP requests on libwebsockets: method, path, query, headers and body into an op_request,
 * the answer back out in chunks. Also /healthz, /metrics, and the checks of a websocket upgrade. */
#include "conn.h"

#include "app.h"
#include "log.h"
#include "metrics.h"
#include "record_json.h"
#include "store.h"

#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const method_names[] = {"GET", "POST", "OPTIONS", "PUT", "PATCH", "DELETE", "CONNECT", "HEAD"};

static void answer_raw(struct http_req *h, int status, const char *type, char *body, size_t len)
{
	h->status = status;
	snprintf(h->content_type, sizeof h->content_type, "%s", type);
	free(h->out);
	h->out = body;
	h->out_len = len;
	h->out_sent = 0;
	h->answered = 1;
	lws_callback_on_writable(h->wsi);
}

static void answer_json(struct http_req *h, int status, cJSON *json)
{
	char *text = json ? cJSON_PrintUnformatted(json) : NULL;
	if (!text)
		text = strdup("null");
	answer_raw(h, status, "application/json", text, strlen(text));
}

static void answer_error(struct http_req *h, const struct rf_error *err)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "error", api_error_json(err));
	answer_json(h, err->status ? err->status : 500, o);
	cJSON_Delete(o);
}

static void answer_fail(struct http_req *h, int status, const char *code, const char *field, const char *rule)
{
	struct rf_error e;
	rf_error_set(&e, status, code, field, "%s", rule);
	answer_error(h, &e);
}

static void answer_response(struct http_req *h, struct op_response *res)
{
	if (res->status >= 400) {
		answer_error(h, &res->err);
		return;
	}
	if (res->raw) {
		if (res->filename[0])
			buf_printf(&h->head_extra, "content-disposition: attachment; filename=\"%s\"\r\n", res->filename);
		answer_raw(h, res->status, res->raw_type, res->raw, res->raw_len);
		res->raw = NULL;
		return;
	}
	if (!api_response_text(res)) {
		answer_fail(h, 503, "unavailable", "", "out of memory");
		return;
	}
	char *text = res->data_text; /* answer_raw() owns it now */
	res->data_text = NULL;
	answer_raw(h, res->status ? res->status : 200, "application/json", text, strlen(text));
}

static void job_done(void *client, struct write_job *job)
{
	struct http_req *h = client;
	h->job = NULL;
	answer_response(h, &job->res);
	api_job_free(job);
}

int http_token(struct lws *wsi, char *out, size_t outlen)
{
	out[0] = '\0';
	if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_AUTHORIZATION) > 0)
		return lws_hdr_copy(wsi, out, (int)outlen, WSI_TOKEN_HTTP_AUTHORIZATION) < 0 ? -1 : 0;
	/* browsers cannot set headers on a websocket: they pass the token in the query */
	char arg[128];
	for (int i = 0; lws_hdr_copy_fragment(wsi, arg, sizeof arg, WSI_TOKEN_HTTP_URI_ARGS, i) > 0; i++)
		if (strncmp(arg, "access_token=", 13) == 0) {
			snprintf(out, outlen, "%s", arg + 13);
			return 0;
		}
	return 0;
}

/* Query arguments as string params (the repeated ones: the last wins). */
static int read_query(struct lws *wsi, cJSON *params)
{
	char arg[1024];
	for (int i = 0;; i++) {
		int n = lws_hdr_copy_fragment(wsi, arg, sizeof arg, WSI_TOKEN_HTTP_URI_ARGS, i);
		if (n < 0) {
			/* -1 means both "no more" and "too long": tell them apart */
			if (lws_hdr_fragment_length(wsi, WSI_TOKEN_HTTP_URI_ARGS, i) >= (int)sizeof arg)
				return -1;
			break;
		}
		if (n == 0)
			continue;
		char *eq = strchr(arg, '=');
		const char *value = "";
		if (eq) {
			*eq = '\0';
			value = eq + 1;
		}
		/* an empty argument ("?" or "&" at the end) comes out of lws 4.1's URI parser as "/" */
		if (!arg[0] || (!eq && strcmp(arg, "/") == 0) || strcmp(arg, "access_token") == 0)
			continue;
		cJSON_DeleteItemFromObjectCaseSensitive(params, arg);
		cJSON_AddStringToObject(params, arg, value);
	}
	return 0;
}

static void dispatch(struct http_req *h)
{
	struct op_response res;
	memset(&res, 0, sizeof res);
	struct write_job *job = NULL;
	if (api_call(h->app, &h->req, &res, job_done, h, &job)) {
		answer_response(h, &res);
		op_response_release(&res);
		op_request_release(&h->req);
	} else
		h->job = job;
}

static int send_health(struct http_req *h)
{
	int ok = store_ping(h->app->store) == 0;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "status", ok ? "ok" : "degraded");
	cJSON_AddBoolToObject(o, "database", ok);
	cJSON_AddNumberToObject(o, "schema_version", store_schema_version(h->app->store));
	answer_json(h, ok ? 200 : 503, o);
	cJSON_Delete(o);
	return 0;
}

int http_begin(struct app *app, struct lws *wsi, struct conn *c, const char *in)
{
	(void)in;
	http_release(c);
	struct http_req *h = calloc(1, sizeof *h);
	if (!h)
		return -1;
	c->http = h;
	h->app = app;
	h->wsi = wsi;
	buf_init(&h->body);
	buf_init(&h->head_extra);
	app->metrics.http_connections++;

	char *uri = NULL;
	int ulen = 0;
	int m = lws_http_get_uri_and_method(wsi, &uri, &ulen);
	if (m < 0 || m >= (int)(sizeof method_names / sizeof method_names[0]) || !uri) {
		answer_fail(h, 400, "bad_request", "method", "is not supported");
		return 0;
	}
	snprintf(h->method, sizeof h->method, "%s", method_names[m]);
	if (ulen >= (int)sizeof h->path) {
		answer_fail(h, 414, "uri_too_long", "path", "is too long");
		return 0;
	}
	memcpy(h->path, uri, (size_t)ulen);
	h->path[ulen] = '\0';

	if (strcmp(h->path, "/healthz") == 0)
		return send_health(h);
	if (strcmp(h->path, "/metrics") == 0) {
		struct buf b;
		buf_init(&b);
		metrics_write(app, &b);
		size_t len = b.len;
		answer_raw(h, 200, "text/plain; version=0.0.4", buf_detach(&b), len);
		return 0;
	}

	h->req.params = cJSON_CreateObject();
	int path_known = 0;
	const struct op *op = api_route(h->method, h->path, h->req.params, &path_known);
	if (!op) {
		if (path_known)
			answer_fail(h, 405, "method_not_allowed", "method", "is not allowed on this path");
		else
			answer_fail(h, 404, "not_found", "path", "no such endpoint");
		return 0;
	}
	h->req.op = op;
	if (read_query(wsi, h->req.params)) {
		answer_fail(h, 414, "uri_too_long", "query", "an argument is too long");
		return 0;
	}

	char token[256];
	struct rf_error err;
	rf_error_clear(&err);
	if (op->flags & OP_PUBLIC) {
		/* gateways' webhooks: they prove themselves with a secret or a signature, checked by the
		 * operation; they act as renfortd itself */
		h->req.who.role = ROLE_ADMIN;
	} else if (http_token(wsi, token, sizeof token) || api_authenticate(app, token, &h->req.who, &err)) {
		if (!err.status)
			rf_error_set(&err, 401, "unauthorized", "authorization", "the token is too long");
		answer_error(h, &err);
		return 0;
	}
	if (lws_hdr_custom_length(wsi, "idempotency-key:", 16) > 0) {
		int n = lws_hdr_custom_copy(wsi, h->req.idem_key, sizeof h->req.idem_key, "idempotency-key:", 16);
		if (n < 1 || n > 128) {
			answer_fail(h, 422, "invalid", "idempotency-key", "must be 1 to 128 characters");
			return 0;
		}
	}
	if (lws_hdr_custom_length(wsi, "x-twilio-signature:", 19) > 0 &&
	    lws_hdr_custom_copy(wsi, h->req.signature, sizeof h->req.signature, "x-twilio-signature:", 19) < 0)
		h->req.signature[0] = '\0';
	if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE) > 0)
		lws_hdr_copy(wsi, h->req.content_type, sizeof h->req.content_type, WSI_TOKEN_HTTP_CONTENT_TYPE);

	/* A body? lws does not bound it: we check Content-Length ourselves before reading anything. */
	h->content_length = 0;
	if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0) {
		char cl[32];
		lws_hdr_copy(wsi, cl, sizeof cl, WSI_TOKEN_HTTP_CONTENT_LENGTH);
		char *end;
		long long v = strtoll(cl, &end, 10);
		if (*end || end == cl || v < 0) {
			answer_fail(h, 400, "bad_request", "content-length", "must be a non-negative integer");
			return 0;
		}
		h->content_length = v;
	} else if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0) {
		answer_fail(h, 411, "length_required", "content-length", "is required (chunked bodies are not accepted)");
		return 0;
	}
	if (h->content_length > app->cfg.max_body_bytes) {
		char rule[96];
		snprintf(rule, sizeof rule, "the body must be at most %lld bytes", app->cfg.max_body_bytes);
		h->body_too_large = 1;
		answer_fail(h, 413, "too_large", "body", rule);
		return 0;
	}
	if (h->content_length > 0)
		return 0; /* wait for the body */
	return http_body_complete(c);
}

int http_body(struct conn *c, const void *in, size_t len)
{
	struct http_req *h = c->http;
	if (!h || h->answered)
		return 0;
	if ((long long)(h->body.len + len) > h->app->cfg.max_body_bytes) {
		answer_fail(h, 413, "too_large", "body", "the body is larger than the limit");
		return 0;
	}
	if (buf_append(&h->body, in, len)) {
		answer_fail(h, 503, "unavailable", "body", "out of memory");
		return 0;
	}
	return 0;
}

int http_body_complete(struct conn *c)
{
	struct http_req *h = c->http;
	/* a write already queued (h->job): lws reports the end of an empty body after we saw it */
	if (!h || h->answered || h->job)
		return 0;
	const struct op *op = h->req.op;
	if (op->flags & OP_RAW_BODY) {
		h->req.raw_len = h->body.len;
		h->req.raw_body = buf_detach(&h->body);
	} else if (h->body.len) {
		if (strncmp(h->req.content_type, "application/json", 16) != 0) {
			answer_fail(h, 415, "unsupported_media_type", "content-type", "must be application/json");
			return 0;
		}
		char rule[96];
		h->req.body = json_parse_strict(h->body.data, h->body.len, rule, sizeof rule);
		if (!h->req.body) {
			answer_fail(h, 400, "invalid_json", "body", rule);
			return 0;
		}
	}
	dispatch(h);
	return 0;
}

int http_writeable(struct conn *c)
{
	struct http_req *h = c->http;
	if (!h || !h->answered)
		return 0;
	struct lws *wsi = h->wsi;
	if (!h->headers_sent) {
		unsigned char buf[LWS_PRE + 1024], *start = buf + LWS_PRE, *p = start, *end = buf + sizeof buf - 1;
		if (lws_add_http_common_headers(wsi, (unsigned)h->status, h->content_type, h->out_len, &p, end))
			return -1;
		if (lws_add_http_header_by_name(wsi, (const unsigned char *)"cache-control:",
						(const unsigned char *)"no-store", 8, &p, end))
			return -1;
		if (h->head_extra.len) {
			/* lines "name: value\r\n" */
			char *save = NULL, *copy = strdup(h->head_extra.data);
			for (char *line = strtok_r(copy, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
				char *colon = strchr(line, ':');
				if (!colon)
					continue;
				char name[64];
				size_t nl = (size_t)(colon - line) + 1;
				if (nl >= sizeof name)
					continue;
				memcpy(name, line, nl);
				name[nl] = '\0';
				const char *v = colon + 1;
				while (*v == ' ')
					v++;
				if (lws_add_http_header_by_name(wsi, (const unsigned char *)name, (const unsigned char *)v,
								(int)strlen(v), &p, end)) {
					free(copy);
					return -1;
				}
			}
			free(copy);
		}
		if (lws_finalize_write_http_header(wsi, start, &p, end))
			return -1;
		h->headers_sent = 1;
		int cls = h->status / 100;
		if (cls >= 1 && cls <= 5)
			h->app->metrics.http_requests[cls]++;
		if (h->status >= 500)
			log_warn("http: %s %s -> %d", h->method, h->path, h->status);
		else
			log_debug("http: %s %s -> %d", h->method, h->path, h->status);
		if (h->out_len) {
			lws_callback_on_writable(wsi);
			return 0;
		}
	} else {
		unsigned char buf[LWS_PRE + 16384];
		size_t n = h->out_len - h->out_sent;
		if (n > sizeof buf - LWS_PRE)
			n = sizeof buf - LWS_PRE;
		memcpy(buf + LWS_PRE, h->out + h->out_sent, n);
		int last = h->out_sent + n == h->out_len;
		if (lws_write(wsi, buf + LWS_PRE, n, last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) != (int)n)
			return -1;
		h->out_sent += n;
		if (!last) {
			lws_callback_on_writable(wsi);
			return 0;
		}
	}
	int too_large = h->body_too_large;
	http_release(c);
	/* a refused large body is not read: close rather than parse it as the next request */
	if (too_large)
		return -1;
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}

void http_release(struct conn *c)
{
	struct http_req *h = c->http;
	if (!h)
		return;
	if (h->job)
		api_job_detach(h->job);
	op_request_release(&h->req);
	buf_release(&h->body);
	buf_release(&h->head_extra);
	free(h->out);
	free(h);
	c->http = NULL;
}

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

int http_confirm_upgrade(struct app *app, struct lws *wsi, struct principal *who)
{
	char path[64] = "";
	if (lws_hdr_copy(wsi, path, sizeof path, WSI_TOKEN_GET_URI) < 0 || strcmp(path, "/ws") != 0) {
		lws_return_http_status(wsi, HTTP_STATUS_NOT_FOUND, "websocket endpoint is /ws");
		return -1;
	}
	if (lws_hdr_total_length(wsi, WSI_TOKEN_ORIGIN) > 0) {
		char origin[256] = "";
		if (lws_hdr_copy(wsi, origin, sizeof origin, WSI_TOKEN_ORIGIN) < 0 || !origin_allowed(app, origin)) {
			log_warn("ws: refused upgrade from origin not allowed");
			lws_return_http_status(wsi, HTTP_STATUS_FORBIDDEN, "origin not allowed");
			return -1;
		}
	}
	char token[256];
	struct rf_error err;
	if (http_token(wsi, token, sizeof token) || api_authenticate(app, token, who, &err)) {
		lws_return_http_status(wsi, HTTP_STATUS_UNAUTHORIZED, "a valid API token is required");
		return -1;
	}
	return 0;
}
