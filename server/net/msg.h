/* msg: a message ready to send on a websocket, serialised once and shared by every connection that
 * sends it (an event goes to many subscribers; the event log keeps it for replays). */
#ifndef RENFORT_MSG_H
#define RENFORT_MSG_H

#include <stddef.h>

/* Room kept before a payload: the frame header, written in place when the message is sent alone. */
#define MSG_HEADROOM 16

struct msg {
	unsigned refs;
	size_t len;
	unsigned char data[]; /* MSG_HEADROOM bytes, then the payload */
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

#endif
