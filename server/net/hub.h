/* hub: who hears which event. Websocket sessions subscribe to topics; every committed event goes,
 * serialised once, to the sessions whose scope covers it and whose topics match it. A session that
 * resumes with a sequence number is replayed from the durable event log first, then goes live. */
#ifndef RENFORT_HUB_H
#define RENFORT_HUB_H

#include <stddef.h>

#include "app.h"
#include "auth.h"
#include "conn.h"

struct hub;

struct hub *hub_new(struct app *app);
void hub_free(struct hub *h);
void hub_attach(struct hub *h, struct ws_session *s);
void hub_detach(struct hub *h, struct ws_session *s);
size_t hub_count(const struct hub *h);
struct logged_event;
void hub_publish(struct hub *h, const struct logged_event *ev);
/* Queues the next part of a session's replay, if it is replaying. */
void hub_refill(struct hub *h, struct ws_session *s);
/* Closes the sessions whose token was revoked (cheap when no token changed since the last call). */
void hub_check_tokens(struct hub *h);
/* Closes every session (shutdown). */
void hub_close_all(struct hub *h, int code, const char *reason);

#endif
