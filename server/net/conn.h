/* conn: one client connection, from its first byte to its close. renfortd speaks HTTP/1.1 and the
 * websocket protocol itself, over libwebsockets' raw sockets (libwebsockets keeps the event loop,
 * the sockets, accept and timeouts): http.c reads requests and writes answers; after an upgrade,
 * ws.c reads and writes frames. libwebsockets' per-session data is one struct conn, small, so an
 * idle connection costs little. */
#ifndef RENFORT_CONN_H
#define RENFORT_CONN_H

#include <stddef.h>

#include "api.h"
#include "auth.h"
#include "buf.h"
#include "msg.h"
#include "topic.h"

struct lws;
struct app;
struct http_req;

enum conn_state {
	CONN_HEAD,      /* reading a request's head */
	CONN_BODY,      /* reading its body */
	CONN_BUSY,      /* the request runs (a write waits for its commit) */
	CONN_ANSWER,    /* writing the answer */
	CONN_WEBSOCKET, /* upgraded: frames both ways */
	CONN_CLOSING    /* the last bytes are going out; reading only to drain what the peer still sends */
};

struct conn {
	struct lws *wsi;
	struct app *app;
	unsigned char state;   /* enum conn_state */
	unsigned char close_after; /* close once the answer is out */
	unsigned char shut;        /* closing: our side is shut down, the peer's last bytes are drained */
	/* bytes received and not used yet: a head arriving, a body, the next pipelined request, the
	 * rest of a websocket frame. Empty and unallocated between requests on an idle socket. */
	struct buf in;
	size_t seen;           /* bytes of `in` the head parser has looked at */
	struct http_req *http; /* the request in progress */
	struct ws_session *ws; /* after the upgrade */
};


struct ws_session {
	struct conn *conn;
	struct lws *wsi;
	struct app *app;
	struct principal who;
	struct ws_session *prev, *next; /* the hub's list */
	/* receiving: a fragmented message is gathered here (bounded by max_ws_message_bytes) */
	struct buf *msg;
	unsigned char msg_opcode;       /* the fragmented message's opcode, 0 when none */
	unsigned char rx_discard;       /* skipping the rest of a message: 1 binary, 2 oversized */
	unsigned utf8_state;            /* of the text message so far */
	unsigned char discard_fin;      /* the frame being skipped ends its message */
	unsigned long long discard_left; /* payload bytes of the frame being skipped still to come */
	/* sending */
	struct msg **q;
	unsigned qhead, qlen, qcap;
	size_t qbytes;
	struct msg *control;            /* a pong to send before the queue */
	struct msg *close_frame;        /* closing: the close frame, sent after the queue */
	/* subscriptions */
	struct topic *topics;
	unsigned ntopics;
	long long cursor;               /* replaying: last seq sent */
	int replaying;
	/* closing */
	int closing;
};

/* ws.c */
struct ws_session *ws_session_new(struct conn *c, const struct principal *who);
void ws_session_free(struct ws_session *s);
/* Queues m (taking a reference). When the queue is over its limits the session is closed
 * as too slow (1008) and 0 is still returned; -1 only when s is already closing. */
int ws_send(struct ws_session *s, struct msg *m);
int ws_send_json(struct ws_session *s, const char *text);
/* Closes the session: what is queued goes out, then a close frame, then the connection closes.
 * Nothing more is queued or read after this. */
void ws_close(struct ws_session *s, int code, const char *reason);
/* Bytes received on an upgraded connection. Returns -1 when the connection must close now. */
int ws_receive(struct ws_session *s, unsigned char *in, size_t len);
int ws_writeable(struct ws_session *s);

/* http.c */
int http_receive(struct conn *c, unsigned char *in, size_t len);
int http_writeable(struct conn *c);
/* Closes once what is written is out: our side shuts down, then what the peer still sends is read
 * and dropped until it closes (or CLOSE_LINGER_S), so that it reads our last bytes rather than a
 * reset. */
int conn_close_gently(struct conn *c);
void conn_release(struct conn *c);

#endif
