/* ws: websocket sessions: reassembling messages (bounded), reading the JSON envelope
 * {"type","id","params","data","idempotency_key"}, answering, and the bounded send queue. */
#include "conn.h"

#include "app.h"
#include "hub.h"
#include "log.h"
#include "record_json.h"

#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- shared messages ------------------------------------------------------------------------------- */

struct msg *msg_new(const char *text, size_t len)
{
	struct msg *m = malloc(sizeof *m + LWS_PRE + len);
	if (!m)
		return NULL;
	m->refs = 1;
	m->len = len;
	if (text)
		memcpy(m->data + LWS_PRE, text, len);
	return m;
}

char *msg_put(char *o, const char *text, size_t n)
{
	memcpy(o, text, n);
	return o + n;
}

char *msg_put_int(char *o, long long v)
{
	char tmp[24];
	int n = 0;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	do
		tmp[n++] = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*o++ = '-';
	while (n)
		*o++ = tmp[--n];
	return o;
}

void msg_ref(struct msg *m)
{
	m->refs++;
}

void msg_unref(struct msg *m)
{
	if (m && --m->refs == 0)
		free(m);
}

unsigned char *msg_payload(struct msg *m)
{
	return m->data + LWS_PRE;
}

/* --- sessions ---------------------------------------------------------------------------------------- */

struct ws_session *ws_session_new(struct app *app, struct lws *wsi, const struct principal *who)
{
	struct ws_session *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->app = app;
	s->wsi = wsi;
	s->who = *who;
	return s;
}

void ws_session_free(struct ws_session *s)
{
	if (!s)
		return;
	api_detach_client(s->app, s);
	hub_detach(s->app->hub, s);
	for (unsigned i = 0; i < s->qlen; i++)
		msg_unref(s->q[(s->qhead + i) % s->qcap]);
	free(s->q);
	free(s->topics);
	free(s->close_reason);
	if (s->rx)
		buf_release(s->rx);
	free(s->rx);
	free(s);
}

void ws_close(struct ws_session *s, int code, const char *reason)
{
	if (s->closing)
		return;
	s->closing = 1;
	s->close_code = code;
	if ((s->close_reason = malloc(96)))
		snprintf(s->close_reason, 96, "%s", reason);
	lws_callback_on_writable(s->wsi);
}

int ws_send(struct ws_session *s, struct msg *m)
{
	if (s->closing)
		return -1;
	const struct config *cfg = &s->app->cfg;
	if (s->qlen >= (unsigned)cfg->ws_send_queue_max || s->qbytes + m->len > (size_t)cfg->ws_send_queue_bytes) {
		/* A slow reader is closed, never allowed to hold the server's memory: it reconnects and
		 * resumes from its last sequence number. */
		s->app->metrics.ws_slow_closed++;
		log_warn("ws: closing a slow client (token %lld): %u messages queued", s->who.token_id, s->qlen);
		for (unsigned i = 0; i < s->qlen; i++)
			msg_unref(s->q[(s->qhead + i) % s->qcap]);
		s->qlen = 0;
		s->qbytes = 0;
		ws_close(s, LWS_CLOSE_STATUS_POLICY_VIOLATION, "send queue full: reconnect and resume with since");
		return 0;
	}
	if (s->qlen == s->qcap) {
		unsigned cap = s->qcap ? s->qcap * 2 : 8;
		struct msg **q = malloc(cap * sizeof *q);
		if (!q)
			return -1;
		for (unsigned i = 0; i < s->qlen; i++)
			q[i] = s->q[(s->qhead + i) % s->qcap];
		free(s->q);
		s->q = q;
		s->qcap = cap;
		s->qhead = 0;
	}
	msg_ref(m);
	s->q[(s->qhead + s->qlen) % s->qcap] = m;
	s->qlen++;
	s->qbytes += m->len;
	s->app->metrics.ws_messages_out++;
	if (s->qlen == 1)
		lws_callback_on_writable(s->wsi);
	return 0;
}

int ws_send_json(struct ws_session *s, const char *text)
{
	struct msg *m = msg_new(text, strlen(text));
	if (!m)
		return -1;
	int rc = ws_send(s, m);
	msg_unref(m);
	return rc;
}

/* Several queued messages leave in one send(): at most this many bytes of them. */
#define WS_COALESCE_BYTES 16384

/* The header of a server frame (RFC 6455: FIN, text, unmasked): 2, 4 or 10 bytes. */
static size_t text_frame_header(unsigned char *h, size_t len)
{
	h[0] = 0x81;
	if (len < 126) {
		h[1] = (unsigned char)len;
		return 2;
	}
	if (len < 65536) {
		h[1] = 126;
		h[2] = (unsigned char)(len >> 8);
		h[3] = (unsigned char)len;
		return 4;
	}
	h[1] = 127;
	for (int i = 0; i < 8; i++)
		h[2 + i] = (unsigned char)((unsigned long long)len >> (56 - 8 * i));
	return 10;
}

/* Writes the next queued messages: when several are waiting (a burst, a subscriber catching up),
 * they are framed here and handed to lws as one raw write, one system call instead of one per
 * message. lws keeps raw writes in order with its own frames (a partial send is buffered), and no
 * extension rewrites frames (permessage-deflate stays off). Returns the messages written, or -1. */
static int write_queued(struct ws_session *s)
{
	size_t total = 0;
	unsigned k = 0;
	for (; k < s->qlen; k++) {
		size_t len = s->q[(s->qhead + k) % s->qcap]->len;
		size_t frame = len + (len < 126 ? 2 : len < 65536 ? 4 : 10);
		if (k && total + frame > WS_COALESCE_BYTES)
			break;
		total += frame;
	}
	unsigned char *buf = k > 1 ? malloc(LWS_PRE + total) : NULL;
	if (buf) {
		unsigned char *p = buf + LWS_PRE;
		for (unsigned i = 0; i < k; i++) {
			struct msg *m = s->q[(s->qhead + i) % s->qcap];
			p += text_frame_header(p, m->len);
			memcpy(p, msg_payload(m), m->len);
			p += m->len;
		}
		int w = lws_write(s->wsi, buf + LWS_PRE, total, LWS_WRITE_RAW);
		free(buf);
		if (w < (int)total)
			return -1;
	} else {
		k = 1;
		struct msg *m = s->q[s->qhead];
		if (lws_write(s->wsi, msg_payload(m), m->len, LWS_WRITE_TEXT) < (int)m->len)
			return -1;
	}
	for (unsigned i = 0; i < k; i++) {
		struct msg *m = s->q[s->qhead];
		s->qhead = (s->qhead + 1) % s->qcap;
		s->qlen--;
		s->qbytes -= m->len;
		msg_unref(m);
	}
	return (int)k;
}

int ws_writeable(struct ws_session *s)
{
	if (s->closing) {
		const char *why = s->close_reason ? s->close_reason : "";
		lws_close_reason(s->wsi, (enum lws_close_status)s->close_code, (unsigned char *)why, strlen(why));
		return -1;
	}
	if (!s->qlen) {
		hub_refill(s->app->hub, s); /* a replay in progress */
		return 0;
	}
	/* as many messages as the socket takes (a bounded number, for fairness between connections) */
	for (int n = 0; n < 256 && s->qlen;) {
		int k = write_queued(s);
		if (k < 0)
			return -1;
		n += k;
		/* lws_send_pipe_choked() is a poll() of its own: only worth it when more is waiting */
		if (s->qlen && lws_send_pipe_choked(s->wsi))
			break;
	}
	if (s->qlen || s->replaying)
		lws_callback_on_writable(s->wsi);
	return 0;
}

/* --- answering requests ------------------------------------------------------------------------------ */

static void reply(struct ws_session *s, cJSON *id, struct op_response *res)
{
	if (res->status < 400 && !res->raw) {
		/* {"type":"result","id":..,"status":..,"data":<answer>}, written straight into the message:
		 * the answer's text is spliced in as it is (the idempotency table may already hold it), and
		 * an integer id, the usual kind, is not printed through cJSON's printf and scanf */
		const char *data = api_response_text(res);
		int int_id = id && cJSON_IsNumber(id) && id->valuedouble >= -9007199254740992.0 &&
			     id->valuedouble <= 9007199254740992.0 && id->valuedouble == (double)(long long)id->valuedouble;
		char *id_text = id && !int_id ? cJSON_PrintUnformatted(id) : NULL;
		size_t dlen = data ? strlen(data) : 0, ilen = id_text ? strlen(id_text) : 0;
		struct msg *m = data && (!id || int_id || id_text) ? msg_new(NULL, 80 + ilen + dlen) : NULL;
		if (m) {
			char *start = (char *)msg_payload(m), *o = start;
			o = MSG_PUT_LITERAL(o, "{\"type\":\"result\",");
			if (id) {
				o = MSG_PUT_LITERAL(o, "\"id\":");
				o = int_id ? msg_put_int(o, (long long)id->valuedouble) : msg_put(o, id_text, ilen);
				*o++ = ',';
			}
			o = MSG_PUT_LITERAL(o, "\"status\":");
			o = msg_put_int(o, res->status);
			o = MSG_PUT_LITERAL(o, ",\"data\":");
			o = msg_put(o, data, dlen);
			*o++ = '}';
			m->len = (size_t)(o - start);
			ws_send(s, m);
			msg_unref(m);
		}
		free(id_text);
		return;
	}
	cJSON *o = cJSON_CreateObject();
	int ok = res->status < 400;
	cJSON_AddStringToObject(o, "type", ok ? "result" : "error");
	if (id)
		cJSON_AddItemToObject(o, "id", cJSON_Duplicate(id, 1));
	cJSON_AddNumberToObject(o, "status", res->status);
	if (!ok)
		cJSON_AddItemToObject(o, "error", api_error_json(&res->err));
	else {
		cJSON_AddStringToObject(o, "content_type", res->raw_type);
		cJSON_AddItemToObject(o, "data", cJSON_CreateString(res->raw));
	}
	char *text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (text)
		ws_send_json(s, text);
	free(text);
}

static void reply_error(struct ws_session *s, cJSON *id, int status, const char *code, const char *field,
			const char *rule)
{
	struct op_response res;
	memset(&res, 0, sizeof res);
	api_fail(&res, status, code, field, rule);
	reply(s, id, &res);
}

static void job_done(void *client, struct write_job *job)
{
	reply(client, job->reply_id, &job->res);
	api_job_free(job);
}

static void handle_message(struct ws_session *s, const char *text, size_t len)
{
	char rule[96];
	cJSON *msg = json_parse_strict(text, len, rule, sizeof rule);
	if (!msg) {
		reply_error(s, NULL, 400, "invalid_json", "message", rule);
		return;
	}
	if (!cJSON_IsObject(msg)) {
		reply_error(s, NULL, 400, "invalid_json", "message", "must be a JSON object");
		cJSON_Delete(msg);
		return;
	}
	cJSON *id = cJSON_GetObjectItemCaseSensitive(msg, "id");
	if (id && !cJSON_IsString(id) && !cJSON_IsNumber(id)) {
		reply_error(s, NULL, 422, "invalid", "id", "must be a string or a number");
		goto out;
	}
	const cJSON *f;
	cJSON_ArrayForEach(f, msg)
	{
		if (strcmp(f->string, "type") && strcmp(f->string, "id") && strcmp(f->string, "params") &&
		    strcmp(f->string, "data") && strcmp(f->string, "idempotency_key")) {
			reply_error(s, id, 422, "unknown_field", f->string,
				    "is not part of a message (type, id, params, data, idempotency_key)");
			goto out;
		}
	}
	cJSON *type = cJSON_GetObjectItemCaseSensitive(msg, "type");
	cJSON *params = cJSON_GetObjectItemCaseSensitive(msg, "params");
	cJSON *data = cJSON_GetObjectItemCaseSensitive(msg, "data");
	cJSON *key = cJSON_GetObjectItemCaseSensitive(msg, "idempotency_key");
	if (!cJSON_IsString(type)) {
		reply_error(s, id, 422, "required", "type", "is required: the operation, like \"structures.get\"");
		goto out;
	}
	const struct op *op = api_find_op(type->valuestring);
	if (!op || (op->flags & OP_PUBLIC)) { /* gateways' webhooks are HTTP only */
		reply_error(s, id, 404, "not_found", "type", "is not a known operation");
		goto out;
	}
	if (params && !cJSON_IsObject(params)) {
		reply_error(s, id, 422, "invalid", "params", "must be an object");
		goto out;
	}
	if (key && (!cJSON_IsString(key) || !key->valuestring[0] || strlen(key->valuestring) > 128)) {
		reply_error(s, id, 422, "invalid", "idempotency_key", "must be 1 to 128 characters");
		goto out;
	}
	struct op_request req;
	memset(&req, 0, sizeof req);
	req.op = op;
	req.who = s->who;
	req.session = s;
	req.params = params ? cJSON_DetachItemViaPointer(msg, params) : cJSON_CreateObject();
	if (op->flags & OP_RAW_BODY) {
		if (!cJSON_IsString(data)) {
			reply_error(s, id, 422, "invalid", "data", "must be the CSV text as a string");
			op_request_release(&req);
			goto out;
		}
		req.raw_body = strdup(data->valuestring);
		req.raw_len = strlen(data->valuestring);
		snprintf(req.content_type, sizeof req.content_type, "text/csv");
	} else if (data)
		req.body = cJSON_DetachItemViaPointer(msg, data);
	if (key)
		snprintf(req.idem_key, sizeof req.idem_key, "%s", key->valuestring);

	struct op_response res;
	memset(&res, 0, sizeof res);
	struct write_job *job = NULL;
	if (api_call(s->app, &req, &res, job_done, s, &job)) {
		reply(s, id, &res);
		op_response_release(&res);
		op_request_release(&req);
	} else if (id && job)
		job->reply_id = cJSON_Duplicate(id, 1);
out:
	cJSON_Delete(msg);
}

static void drop_rx(struct ws_session *s)
{
	if (s->rx) {
		buf_release(s->rx);
		free(s->rx);
		s->rx = NULL;
	}
}

int ws_receive(struct ws_session *s, const void *in, size_t len)
{
	struct lws *wsi = s->wsi;
	int final = lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0;
	if (lws_frame_is_binary(wsi))
		s->rx_discard = 1;
	if (!s->rx_discard) {
		if (final && !s->rx) {
			/* the usual case, a message in one piece: read it where lws holds it */
			if ((long long)len <= s->app->cfg.max_ws_message_bytes) {
				s->app->metrics.ws_messages_in++;
				handle_message(s, in, len);
				return 0;
			}
			s->rx_discard = 2;
		} else {
			if (!s->rx && (s->rx = malloc(sizeof *s->rx)))
				buf_init(s->rx);
			if (!s->rx || (long long)(s->rx->len + len) > s->app->cfg.max_ws_message_bytes ||
			    buf_append(s->rx, in, len)) {
				s->rx_discard = 2;
				drop_rx(s);
			}
		}
	}
	if (!final)
		return 0;
	s->app->metrics.ws_messages_in++;
	if (s->rx_discard) {
		char rule[96];
		if (s->rx_discard == 1)
			snprintf(rule, sizeof rule, "must be a text frame holding JSON");
		else
			snprintf(rule, sizeof rule, "must be at most %lld bytes", s->app->cfg.max_ws_message_bytes);
		reply_error(s, NULL, s->rx_discard == 1 ? 400 : 413, s->rx_discard == 1 ? "invalid_json" : "too_large",
			    "message", rule);
		s->rx_discard = 0;
		drop_rx(s);
		return 0;
	}
	handle_message(s, s->rx->data ? s->rx->data : "", s->rx->len);
	drop_rx(s);
	return 0;
}
