/* ws: websocket sessions on an upgraded connection: frames read and checked (ws_frame.c), messages
 * reassembled (bounded), the JSON envelope {"type","id","params","data","idempotency_key"} read and
 * answered, pings answered, the close handshake, and the bounded send queue. */
#include "conn.h"

#include "app.h"
#include "hub.h"
#include "log.h"
#include "record_json.h"
#include "request_check.h"
#include "subscribe.h"
#include "utf8.h"
#include "ws_frame.h"

#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How long a closing session waits for its last messages and close frame to be read. */
#define WS_CLOSE_WAIT_S 5

/* --- sessions ---------------------------------------------------------------------------------------- */

struct ws_session *ws_session_new(struct conn *c, const struct principal *who)
{
	struct ws_session *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->conn = c;
	s->app = c->app;
	s->wsi = c->wsi;
	s->who = *who;
	return s;
}

static void drop_queue(struct ws_session *s)
{
	for (unsigned i = 0; i < s->qlen; i++)
		msg_unref(s->q[(s->qhead + i) % s->qcap]);
	s->qlen = 0;
	s->qbytes = 0;
}

static void drop_message(struct ws_session *s)
{
	if (s->msg) {
		buf_release(s->msg);
		free(s->msg);
		s->msg = NULL;
	}
	s->msg_opcode = 0;
	s->utf8_state = 0;
}

void ws_session_free(struct ws_session *s)
{
	if (!s)
		return;
	api_detach_client(s->app, s);
	hub_detach(s->app->hub, s);
	drop_queue(s);
	free(s->q);
	free(s->topics);
	msg_unref(s->control);
	msg_unref(s->close_frame);
	drop_message(s);
	free(s);
}

/* A control frame (pong, close) to go out before the queue; it replaces one not sent yet. */
static int send_control(struct ws_session *s, int opcode, const void *payload, size_t len)
{
	struct msg *m = msg_new(NULL, len + 10);
	if (!m)
		return -1;
	unsigned char *p = msg_payload(m);
	size_t h = ws_frame_write_header(p, opcode, len);
	memcpy(p + h, payload, len);
	m->len = h + len;
	msg_unref(s->control);
	s->control = m;
	lws_callback_on_writable(s->wsi);
	return 0;
}

void ws_close(struct ws_session *s, int code, const char *reason)
{
	if (s->closing)
		return;
	s->closing = 1;
	/* code, then a reason of at most 123 bytes (a control frame carries 125), cut on a character */
	size_t n = strlen(reason);
	if (n > 123)
		n = 123;
	while (n && !utf8_valid(reason, n))
		n--;
	struct msg *m = msg_new(NULL, 2 + n + 10);
	if (m) {
		unsigned char *p = msg_payload(m);
		size_t h = ws_frame_write_header(p, WS_CLOSE, n + 2);
		p[h] = (unsigned char)(code >> 8);
		p[h + 1] = (unsigned char)code;
		memcpy(p + h + 2, reason, n);
		m->len = h + 2 + n;
	}
	s->close_frame = m;
	/* what is queued goes out first, then the close frame; a peer that does not read is cut off */
	lws_set_timeout(s->wsi, PENDING_TIMEOUT_CLOSE_SEND, WS_CLOSE_WAIT_S);
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
		drop_queue(s);
		ws_close(s, WS_CLOSE_POLICY, "send queue full: reconnect and resume with since");
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

/* Writes the next queued messages: when several are waiting (a burst, a subscriber catching up),
 * they are framed into one buffer and written at once, one system call instead of one per message;
 * a message alone gets its frame header written in its headroom. Returns the messages written, or
 * -1. */
static int write_queued(struct ws_session *s)
{
	size_t total = 0;
	unsigned k = 0;
	for (; k < s->qlen; k++) {
		size_t len = s->q[(s->qhead + k) % s->qcap]->len;
		size_t frame = len + ws_frame_header_length(len);
		if (k && total + frame > WS_COALESCE_BYTES)
			break;
		total += frame;
	}
	unsigned char *buf = k > 1 ? malloc(total) : NULL;
	if (buf) {
		unsigned char *p = buf;
		for (unsigned i = 0; i < k; i++) {
			struct msg *m = s->q[(s->qhead + i) % s->qcap];
			p += ws_frame_write_header(p, WS_TEXT, m->len);
			memcpy(p, msg_payload(m), m->len);
			p += m->len;
		}
		int w = lws_write(s->wsi, buf, total, LWS_WRITE_RAW);
		free(buf);
		if (w < (int)total)
			return -1;
	} else {
		k = 1;
		struct msg *m = s->q[s->qhead];
		/* the header goes in the headroom, right before the payload; a message queued to several
		 * sessions gets the same header from each, so writing it there is harmless */
		size_t h = ws_frame_header_length(m->len);
		unsigned char *start = msg_payload(m) - h;
		ws_frame_write_header(start, WS_TEXT, m->len);
		if (lws_write(s->wsi, start, h + m->len, LWS_WRITE_RAW) < (int)(h + m->len))
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

static int write_frame(struct ws_session *s, struct msg *m)
{
	int w = lws_write(s->wsi, msg_payload(m), m->len, LWS_WRITE_RAW);
	msg_unref(m);
	return w < 0 ? -1 : 0;
}

int ws_writeable(struct ws_session *s)
{
	if (s->control) {
		struct msg *m = s->control;
		s->control = NULL;
		if (write_frame(s, m))
			return -1;
	}
	if (!s->qlen) {
		if (s->closing) {
			struct msg *m = s->close_frame;
			s->close_frame = NULL;
			if (m && write_frame(s, m))
				return -1;
			return conn_close_gently(s->conn);
		}
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
	if (s->qlen || s->replaying || s->closing)
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
	cJSON *id = cJSON_IsObject(msg) ? cJSON_GetObjectItemCaseSensitive(msg, "id") : NULL;
	if (id && !cJSON_IsString(id) && !cJSON_IsNumber(id))
		id = NULL; /* not repeated in the answer */
	struct rf_error err;
	if (request_check_envelope(msg, &err)) {
		reply_error(s, id, err.status, err.code, err.field, err.rule);
		goto out;
	}
	cJSON *type = cJSON_GetObjectItemCaseSensitive(msg, "type");
	cJSON *params = cJSON_GetObjectItemCaseSensitive(msg, "params");
	cJSON *data = cJSON_GetObjectItemCaseSensitive(msg, "data");
	cJSON *key = cJSON_GetObjectItemCaseSensitive(msg, "idempotency_key");
	if (api_token_revoked(s->app, &s->who)) {
		/* revoked since the socket opened: this request is refused, and the socket closes */
		reply_error(s, id, 401, "unauthorized", "authorization", "the token is unknown or revoked");
		ws_close(s, WS_CLOSE_POLICY, "the token was revoked");
		goto out;
	}
	const struct op *op = api_find_op(type->valuestring);
	if (!op || (op->flags & OP_PUBLIC)) { /* gateways' webhooks are HTTP only */
		reply_error(s, id, 404, "not_found", "type", "is not a known operation");
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
	if ((op->flags & OP_TRANSPORT) && op->roles & ROLE_BIT(req.who.role)) {
		/* subscribe, unsubscribe: the session's own */
		res.status = 200;
		(strcmp(op->name, "subscribe") == 0 ? subscribe_op : unsubscribe_op)(s->app, s, &req, &res);
		reply(s, id, &res);
		op_response_release(&res);
		op_request_release(&req);
	} else if (api_call(s->app, &req, &res, job_done, s, &job)) {
		reply(s, id, &res);
		op_response_release(&res);
		op_request_release(&req);
	} else if (id && job)
		job->reply_id = cJSON_Duplicate(id, 1);
out:
	cJSON_Delete(msg);
}

/* --- receiving frames ------------------------------------------------------------------------------- */

/* The connection fails (RFC 6455 7.1.7): a close frame with the code and the rule, then close. */
static void fail(struct ws_session *s, int code, const char *why)
{
	log_debug("ws: failing a connection (token %lld): %s", s->who.token_id, why);
	ws_close(s, code, why);
}

/* A whole message has arrived (text, valid UTF-8) or was skipped (rx_discard). */
static void message_end(struct ws_session *s, const char *text, size_t len)
{
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
	} else
		handle_message(s, text, len);
}

/* A control frame, whole: ping, pong or close. */
static void control_frame(struct ws_session *s, const struct ws_frame *f, unsigned char *payload)
{
	if (f->opcode == WS_PING) {
		send_control(s, WS_PONG, payload, (size_t)f->length);
		return;
	}
	if (f->opcode == WS_PONG)
		return;
	int code;
	const char *why = ws_close_payload_check(payload, (size_t)f->length, &code);
	if (why) {
		fail(s, WS_CLOSE_PROTOCOL_ERROR, why);
		return;
	}
	/* the peer closes: answer with its code (1000 when it gave none), then close */
	ws_close(s, code == 1005 ? WS_CLOSE_NORMAL : code, "");
}

/* Uses the frame (or the part of a skipped frame) at the start of p[0..n): *used is how much was
 * used, 0 when more bytes are needed. */
static void read_frame(struct ws_session *s, unsigned char *p, size_t n, size_t *used)
{
	*used = 0;
	if (s->discard_left) {
		/* the rest of a frame of a message being skipped */
		size_t k = n < s->discard_left ? n : (size_t)s->discard_left;
		s->discard_left -= k;
		*used = k;
		if (!s->discard_left && s->discard_fin) {
			s->msg_opcode = 0;
			message_end(s, NULL, 0);
		}
		return;
	}
	struct ws_frame f;
	const char *why = NULL;
	int rc = ws_frame_read_header(p, n, s->msg_opcode != 0, &f, &why);
	if (rc < 0) {
		fail(s, WS_CLOSE_PROTOCOL_ERROR, why);
		*used = n;
		return;
	}
	if (rc == 0)
		return;
	size_t h = f.header_length;
	if (f.opcode >= WS_CLOSE) {
		if (n - h < f.length)
			return;
		ws_unmask(p + h, (size_t)f.length, f.mask, 0);
		control_frame(s, &f, p + h);
		*used = h + (size_t)f.length;
		return;
	}
	int opcode = f.opcode == WS_CONTINUATION ? s->msg_opcode : f.opcode;
	size_t so_far = s->msg ? s->msg->len : 0;
	if (!s->rx_discard && opcode == WS_BINARY)
		s->rx_discard = 1;
	else if (!s->rx_discard && so_far + f.length > (unsigned long long)s->app->cfg.max_ws_message_bytes)
		s->rx_discard = 2;
	if (s->rx_discard) {
		/* skipped as it comes, never held: its frames go on until the message's last */
		drop_message(s);
		s->msg_opcode = f.fin ? 0 : (unsigned char)opcode;
		s->discard_fin = (unsigned char)f.fin;
		s->discard_left = f.length;
		*used = h;
		if (!f.length && f.fin) {
			s->msg_opcode = 0;
			message_end(s, NULL, 0);
		}
		return;
	}
	if (n - h < f.length)
		return; /* a frame is used whole: it is at most max_ws_message_bytes */
	unsigned char *payload = p + h;
	size_t len = (size_t)f.length;
	ws_unmask(payload, len, f.mask, 0);
	*used = h + len;
	if (utf8_feed(&s->utf8_state, payload, len) || (f.fin && s->utf8_state)) {
		fail(s, WS_CLOSE_INVALID_DATA, "text messages must be UTF-8");
		return;
	}
	if (f.fin && !s->msg) {
		/* the usual case, a message in one frame: read where it lies */
		s->msg_opcode = 0;
		message_end(s, (const char *)payload, len);
		return;
	}
	if (!s->msg && (s->msg = malloc(sizeof *s->msg)))
		buf_init(s->msg);
	if (!s->msg || buf_append(s->msg, payload, len)) {
		fail(s, WS_CLOSE_GOING_AWAY, "out of memory");
		return;
	}
	s->msg_opcode = (unsigned char)opcode;
	if (f.fin) {
		struct buf *m = s->msg;
		s->msg = NULL;
		s->msg_opcode = 0;
		s->utf8_state = 0;
		message_end(s, m->data ? m->data : "", m->len);
		buf_release(m);
		free(m);
	}
}

int ws_receive(struct ws_session *s, unsigned char *in, size_t len)
{
	struct conn *c = s->conn;
	unsigned char *p = in;
	size_t n = len;
	if (c->in.len) {
		/* the start of a frame arrived before: join it */
		if (buf_append(&c->in, in, len))
			return -1;
		p = (unsigned char *)c->in.data;
		n = c->in.len;
	}
	size_t done = 0;
	while (done < n && !s->closing) {
		size_t used;
		read_frame(s, p + done, n - done, &used);
		if (!used)
			break;
		done += used;
	}
	if (s->closing)
		done = n; /* nothing more is read after a close */
	if (p == in) {
		if (done < n && buf_append(&c->in, in + done, n - done))
			return -1;
	} else if (done == n) {
		buf_release(&c->in);
		buf_init(&c->in);
	} else if (done) {
		memmove(c->in.data, c->in.data + done, n - done);
		c->in.len = n - done;
	}
	return 0;
}
