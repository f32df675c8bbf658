/* conn: what renfortd keeps per connection. libwebsockets' per-session data is one struct conn
 * holding pointers only, so an idle connection costs a few bytes until it does something. */
#ifndef RENFORT_CONN_H
#define RENFORT_CONN_H

#include <stddef.h>

#include "api.h"
#include "auth.h"
#include "buf.h"

struct lws;
struct app;

/* A message ready to send, shared by every connection that sends it (serialised once).
 * data has LWS_PRE bytes of headroom before the payload, as lws_write() wants. */
struct msg {
	unsigned refs;
	size_t len;
	unsigned char data[];
};

/* A message of len bytes, copied from text; without text, room for len bytes to be written at
 * msg_payload() (len may then be lowered to what was written). */
struct msg *msg_new(const char *text, size_t len);
/* Writing a message's payload by hand (the hot ones: events, acknowledgements): each appends at o
 * and returns the new end; the caller sized the message. */
char *msg_put(char *o, const char *text, size_t n);
char *msg_put_int(char *o, long long v);
#define MSG_PUT_LITERAL(o, lit) msg_put(o, lit, sizeof lit - 1)
void msg_ref(struct msg *m);
void msg_unref(struct msg *m);
unsigned char *msg_payload(struct msg *m);

/* One HTTP transaction in progress. */
struct http_req {
	struct app *app;
	struct lws *wsi;
	char method[8];
	char path[256];
	struct op_request req;
	struct write_job *job;    /* a write waiting for its commit */
	struct buf body;
	long long content_length;
	int body_too_large;
	/* the answer */
	int status;
	struct buf head_extra;    /* extra header lines */
	char content_type[64];
	char *out;
	size_t out_len, out_sent;
	int headers_sent;
	int answered;
};

#define WS_MAX_TOPICS 32

struct topic {
	unsigned char kind;   /* enum topic_kind (hub.c) */
	unsigned char family; /* index of the family for family topics */
	char dep[4];
	long long id;
};

struct ws_session {
	struct lws *wsi;
	struct app *app;
	struct principal who;
	struct ws_session *prev, *next; /* the hub's list */
	/* receiving: only a message in several pieces is copied, into a buffer that lives until its end */
	struct buf *rx;
	int rx_discard;                 /* skipping the rest of an oversized message */
	/* sending */
	struct msg **q;
	unsigned qhead, qlen, qcap;
	size_t qbytes;
	/* subscriptions */
	struct topic *topics;
	unsigned ntopics;
	long long cursor;               /* replaying: last seq sent */
	int replaying;
	/* closing */
	int closing;
	int close_code;
	char *close_reason;             /* allocated when closing: idle sessions stay small */
};

struct conn {
	struct http_req *http;
	struct ws_session *ws;
};

/* ws.c */
struct ws_session *ws_session_new(struct app *app, struct lws *wsi, const struct principal *who);
void ws_session_free(struct ws_session *s);
/* Queues m (taking a reference). When the queue is over its limits the session is closed
 * as too slow (1008) and 0 is still returned; -1 only when s is already closing. */
int ws_send(struct ws_session *s, struct msg *m);
int ws_send_json(struct ws_session *s, const char *text);
void ws_close(struct ws_session *s, int code, const char *reason);
int ws_receive(struct ws_session *s, const void *in, size_t len);
int ws_writeable(struct ws_session *s);

/* http.c */
int http_begin(struct app *app, struct lws *wsi, struct conn *c, const char *in);
int http_body(struct conn *c, const void *in, size_t len);
int http_body_complete(struct conn *c);
int http_writeable(struct conn *c);
void http_release(struct conn *c);
/* Checks a websocket upgrade before it happens: path, Origin, token. 0 to allow; otherwise an
 * HTTP error was sent and the upgrade must be refused. */
int http_confirm_upgrade(struct app *app, struct lws *wsi, struct principal *who);
/* The token of a request: Authorization header, or access_token in the query (browsers' websockets). */
int http_token(struct lws *wsi, char *out, size_t outlen);

#endif
