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

/* --- pure rules, exposed for tests ------------------------------------------------------------------ */

enum topic_kind { TOPIC_ALL, TOPIC_FAMILY, TOPIC_ENTITY, TOPIC_DEP };

/* Parses "*", a family ("alerts", "stock", "structures"...), "structure:12", "depot:3",
 * "volunteer:7" or "departement:81". Returns NULL or the rule broken. For TOPIC_ENTITY,
 * *entity is set to the entity name ("structure"). */
const char *topic_parse(const char *text, struct topic *t, const char **entity);
/* The topic as text; out needs 40 bytes. */
const char *topic_format(const struct topic *t, char out[40]);
int topic_matches(const struct topic *t, const char *type, const char *dep, const char *entity, long long id);
/* May this principal see this event at all? */
int event_visible(const struct principal *p, const char *type, const char *dep, const char *entity, long long id);

#endif
