#include "hub.h"

#include "api.h"
#include "eventlog.h"
#include "store.h"
#include "topic.h"

#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REPLAY_CHUNK 256

struct hub {
	struct app *app;
	struct ws_session *head;
	size_t count;
	long long token_epoch; /* store_token_epoch when the sessions' tokens were last checked */
};

/* --- sessions ------------------------------------------------------------------------------------------ */

struct hub *hub_new(struct app *app)
{
	struct hub *h = calloc(1, sizeof *h);
	if (h) {
		h->app = app;
		h->token_epoch = -1;
	}
	return h;
}

void hub_free(struct hub *h)
{
	free(h);
}

void hub_attach(struct hub *h, struct ws_session *s)
{
	s->prev = NULL;
	s->next = h->head;
	if (h->head)
		h->head->prev = s;
	h->head = s;
	h->count++;
}

void hub_detach(struct hub *h, struct ws_session *s)
{
	if (!h)
		return;
	if (s->prev)
		s->prev->next = s->next;
	else if (h->head == s)
		h->head = s->next;
	else
		return; /* not attached */
	if (s->next)
		s->next->prev = s->prev;
	s->prev = s->next = NULL;
	h->count--;
}

size_t hub_count(const struct hub *h)
{
	return h->count;
}

void hub_check_tokens(struct hub *h)
{
	long long epoch = store_token_epoch(h->app->store);
	if (epoch == h->token_epoch)
		return;
	h->token_epoch = epoch;
	for (struct ws_session *s = h->head; s; s = s->next)
		if (!s->closing && api_token_revoked(h->app, &s->who))
			ws_close(s, LWS_CLOSE_STATUS_POLICY_VIOLATION, "the token was revoked");
}

void hub_close_all(struct hub *h, int code, const char *reason)
{
	for (struct ws_session *s = h->head; s; s = s->next)
		ws_close(s, code, reason);
}

static int party_wanted(const struct ws_session *s, const char *type, const char *dep, const char *entity, long long id)
{
	if (!s->ntopics || !event_visible(&s->who, type, dep, entity, id))
		return 0;
	for (unsigned i = 0; i < s->ntopics; i++)
		if (topic_matches(&s->topics[i], type, dep, entity, id))
			return 1;
	return 0;
}

/* An event about two rows (an allocation: its structure and its source) reaches a session that may
 * read, and follows, either of them. */
static int session_wants(const struct ws_session *s, const struct logged_event *ev)
{
	return party_wanted(s, ev->type, ev->dep[0] ? ev->dep : NULL, ev->entity, ev->entity_id) ||
	       (ev->entity2 && party_wanted(s, ev->type, ev->dep2[0] ? ev->dep2 : NULL, ev->entity2, ev->entity2_id));
}

void hub_publish(struct hub *h, const struct logged_event *ev)
{
	for (struct ws_session *s = h->head; s; s = s->next) {
		if (s->replaying || s->closing || !session_wants(s, ev))
			continue;
		ws_send(s, ev->msg);
	}
}

static int refill_row(void *ctx, const struct logged_event *ev)
{
	struct ws_session *s = ctx;
	s->cursor = ev->seq;
	if (session_wants(s, ev))
		ws_send(s, ev->msg);
	return s->closing;
}

void hub_refill(struct hub *h, struct ws_session *s)
{
	if (!s->replaying || s->closing)
		return;
	if (!eventlog_covers(h->app->eventlog, s->cursor)) {
		/* the log moved on while this client was catching up */
		ws_close(s, LWS_CLOSE_STATUS_POLICY_VIOLATION, "fell behind the event log: reload and subscribe again");
		return;
	}
	size_t n = eventlog_since(h->app->eventlog, s->cursor, REPLAY_CHUNK, refill_row, s);
	/* Everything committed is already published (publication follows the commit in the same
	 * callback), so a short read means the replay has reached the live stream: no gap, no
	 * duplicate. */
	if (n < REPLAY_CHUNK)
		s->replaying = 0;
	else
		lws_callback_on_writable(s->wsi);
}
