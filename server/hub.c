#include "hub.h"

#include "api_handlers.h"
#include "clock.h"
#include "log.h"
#include "model.h"
#include "store.h"
#include "eventlog.h"
#include "store_record.h"

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

/* Event families: a topic name and the event type prefix it covers. */
static const struct {
	const char *topic;
	const char *prefix;
} families[] = {
	{"structures", "structure."}, {"depots", "depot."},	    {"items", "item."},
	{"volunteers", "volunteer."}, {"alerts", "alert."},	    {"stock", "stock."},
	{"sms", "sms."},	      {"allocations", "allocation."}, {"deployments", "deployment."},
};
#define NFAMILIES (sizeof families / sizeof families[0])

static const char *const entity_topics[] = {"structure", "depot", "volunteer"};

static const char *const region_deps[] = {"09", "11", "12", "30", "31", "32", "34",
					  "46", "48", "65", "66", "81", "82"};

/* --- pure rules ---------------------------------------------------------------------------------------- */

const char *topic_parse(const char *text, struct topic *t, const char **entity)
{
	memset(t, 0, sizeof *t);
	*entity = NULL;
	if (strcmp(text, "*") == 0) {
		t->kind = TOPIC_ALL;
		return NULL;
	}
	for (size_t i = 0; i < NFAMILIES; i++)
		if (strcmp(text, families[i].topic) == 0) {
			t->kind = TOPIC_FAMILY;
			t->family = (unsigned char)i;
			return NULL;
		}
	const char *colon = strchr(text, ':');
	if (colon && strncmp(text, "departement", (size_t)(colon - text)) == 0 && colon - text == 11) {
		for (size_t i = 0; i < sizeof region_deps / sizeof region_deps[0]; i++)
			if (strcmp(colon + 1, region_deps[i]) == 0) {
				t->kind = TOPIC_DEP;
				snprintf(t->dep, sizeof t->dep, "%s", region_deps[i]);
				return NULL;
			}
		return "names no département of the region";
	}
	for (size_t i = 0; colon && i < sizeof entity_topics / sizeof entity_topics[0]; i++)
		if (strlen(entity_topics[i]) == (size_t)(colon - text) && strncmp(text, entity_topics[i], (size_t)(colon - text)) == 0) {
			long long id;
			if (int_from_text(colon + 1, 1, INT_EXACT_MAX, &id))
				return "must end with a positive id, like structure:12";
			t->kind = TOPIC_ENTITY;
			t->family = (unsigned char)i;
			t->id = id;
			*entity = entity_topics[i];
			return NULL;
		}
	return "must be *, a family (structures, depots, items, volunteers, alerts, stock, sms, allocations, "
	       "deployments), structure:<id>, depot:<id>, volunteer:<id> or departement:<code>";
}

const char *topic_format(const struct topic *t, char out[40])
{
	switch (t->kind) {
	case TOPIC_ALL:
		snprintf(out, 40, "*");
		break;
	case TOPIC_FAMILY:
		snprintf(out, 40, "%s", families[t->family].topic);
		break;
	case TOPIC_ENTITY:
		snprintf(out, 40, "%s:%lld", entity_topics[t->family], t->id);
		break;
	default:
		snprintf(out, 40, "departement:%s", t->dep);
		break;
	}
	return out;
}

int topic_matches(const struct topic *t, const char *type, const char *dep, const char *entity, long long id)
{
	switch (t->kind) {
	case TOPIC_ALL:
		return 1;
	case TOPIC_FAMILY:
		return strncmp(type, families[t->family].prefix, strlen(families[t->family].prefix)) == 0;
	case TOPIC_ENTITY:
		return entity && strcmp(entity, entity_topics[t->family]) == 0 && id == t->id;
	case TOPIC_DEP:
		return dep && strcmp(dep, t->dep) == 0;
	}
	return 0;
}

int event_visible(const struct principal *p, const char *type, const char *dep, const char *entity, long long id)
{
	switch (p->role) {
	case ROLE_ADMIN:
		return 1;
	case ROLE_OBSERVER:
		/* the observatory reads counts, not people: no volunteers, SMS or duty officers */
		if (strncmp(type, "volunteer.", 10) == 0 || strncmp(type, "sms.", 4) == 0 ||
		    strncmp(type, "duty_officer.", 13) == 0)
			return 0;
		/* fall through */
	case ROLE_COORDINATOR:
		if (dep && dep[0])
			return principal_covers_dep(p, dep);
		/* region-wide: everyone's, but for a region-wide duty officer, whom only region-wide
		 * coordinators read (the store's scope: dep IN their départements, and NULL is in none) */
		return strncmp(type, "duty_officer.", 13) != 0 || !p->deps[0];
	case ROLE_STRUCTURE:
		return entity && ((strcmp(entity, "structure") == 0 && id == p->subject_id) || strcmp(entity, "item") == 0);
	case ROLE_DEPOT:
		return entity && ((strcmp(entity, "depot") == 0 && id == p->subject_id) || strcmp(entity, "item") == 0);
	case ROLE_VOLUNTEER:
		return entity && strcmp(entity, "volunteer") == 0 && id == p->subject_id;
	default:
		return 0;
	}
}

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

static int session_wants(const struct ws_session *s, const char *type, const char *dep, const char *entity, long long id)
{
	if (!s->ntopics || !event_visible(&s->who, type, dep, entity, id))
		return 0;
	for (unsigned i = 0; i < s->ntopics; i++)
		if (topic_matches(&s->topics[i], type, dep, entity, id))
			return 1;
	return 0;
}

void hub_publish(struct hub *h, const struct logged_event *ev)
{
	const char *dep = ev->dep[0] ? ev->dep : NULL;
	for (struct ws_session *s = h->head; s; s = s->next) {
		if (s->replaying || s->closing || !session_wants(s, ev->type, dep, ev->entity, ev->entity_id))
			continue;
		ws_send(s, ev->msg);
	}
}

static int refill_row(void *ctx, const struct logged_event *ev)
{
	struct ws_session *s = ctx;
	s->cursor = ev->seq;
	if (session_wants(s, ev->type, ev->dep[0] ? ev->dep : NULL, ev->entity, ev->entity_id))
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

/* --- subscribe / unsubscribe ---------------------------------------------------------------------------- */

static const struct entity *entity_named(const char *name)
{
	if (strcmp(name, "structure") == 0)
		return &entity_structure;
	if (strcmp(name, "depot") == 0)
		return &entity_depot;
	return &entity_volunteer;
}

/* May who subscribe to t? 0, or the response error set (a forbidden object looks missing). */
static int topic_allowed(struct app *app, const struct principal *who, const struct topic *t, const char *entity,
			 const char *field, struct op_response *res)
{
	if (t->kind == TOPIC_ENTITY) {
		struct record *r = NULL;
		int rc = store_record_get(app->store, entity_named(entity), who, t->id, &r);
		record_free(r);
		if (rc == STORE_NOTFOUND || (who->role == ROLE_OBSERVER && strcmp(entity, "volunteer") == 0))
			return api_fail(res, 404, "not_found", field, "no such record");
		return rc ? api_fail_store(app, res, rc, field) : 0;
	}
	if (t->kind == TOPIC_DEP) {
		int self = who->role == ROLE_STRUCTURE || who->role == ROLE_DEPOT || who->role == ROLE_VOLUNTEER;
		if (self || !principal_covers_dep(who, t->dep))
			return api_fail(res, 404, "not_found", field, "no such département in your territory");
		return 0;
	}
	if (t->kind == TOPIC_FAMILY && who->role == ROLE_OBSERVER &&
	    (strcmp(families[t->family].topic, "volunteers") == 0 || strcmp(families[t->family].topic, "sms") == 0))
		return api_fail(res, 403, "forbidden", field, "an observer token may not follow people");
	return 0;
}

static int same_topic(const struct topic *a, const struct topic *b)
{
	return a->kind == b->kind && a->family == b->family && a->id == b->id && strcmp(a->dep, b->dep) == 0;
}

static cJSON *topics_json(const struct ws_session *s)
{
	cJSON *a = cJSON_CreateArray();
	char text[40];
	for (unsigned i = 0; i < s->ntopics; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(topic_format(&s->topics[i], text)));
	return a;
}

static int read_topics(struct app *app, struct op_request *req, struct topic *out, unsigned *n,
		       struct op_response *res)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(req->params, "topics");
	if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) < 1 || cJSON_GetArraySize(list) > WS_MAX_TOPICS)
		return api_fail(res, 422, "invalid", "topics", "must be a list of 1 to 32 topics");
	*n = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, list)
	{
		char field[32];
		snprintf(field, sizeof field, "topics[%u]", *n);
		const char *entity = NULL;
		const char *rule = cJSON_IsString(it) ? topic_parse(it->valuestring, &out[*n], &entity) : "must be a string";
		if (rule)
			return api_fail(res, 422, "invalid", field, rule);
		if (topic_allowed(app, &req->who, &out[*n], entity, field, res))
			return -1;
		(*n)++;
	}
	return 0;
}

int op_subscribe(struct app *app, struct op_request *req, struct op_response *res)
{
	struct ws_session *s = req->session;
	if (!s)
		return api_fail(res, 400, "websocket_only", "type", "subscriptions exist on the websocket only");
	const cJSON *p;
	cJSON_ArrayForEach(p, req->params)
	{
		if (strcmp(p->string, "topics") && strcmp(p->string, "since"))
			return api_fail(res, 422, "unknown_field", p->string, "is not a parameter of subscribe (topics, since)");
	}
	struct topic topics[WS_MAX_TOPICS];
	unsigned n = 0;
	if (read_topics(app, req, topics, &n, res))
		return -1;
	const cJSON *since_j = cJSON_GetObjectItemCaseSensitive(req->params, "since");
	long long since = -1;
	if (since_j) {
		if (api_json_int(since_j, "since", 0, INT_EXACT_MAX, &since,
				 "must be the seq of the last event received (0 for all)", res))
			return -1;
	}
	/* the union of what was and what is asked */
	if (!s->topics && !(s->topics = calloc(WS_MAX_TOPICS, sizeof *s->topics)))
		return api_fail(res, 503, "unavailable", "", "out of memory");
	for (unsigned i = 0; i < n; i++) {
		int dup = 0;
		for (unsigned k = 0; k < s->ntopics && !dup; k++)
			dup = same_topic(&s->topics[k], &topics[i]);
		if (dup)
			continue;
		if (s->ntopics == WS_MAX_TOPICS)
			return api_fail(res, 422, "invalid", "topics", "a session follows at most 32 topics");
		s->topics[s->ntopics++] = topics[i];
	}
	long long last = eventlog_last_seq(app->eventlog);
	int reload = 0;
	if (since >= 0) {
		if (!eventlog_covers(app->eventlog, since))
			reload = 1; /* the log no longer holds what was missed (or never did: a restart) */
		else if (since < last) {
			s->replaying = 1;
			s->cursor = since;
			lws_callback_on_writable(s->wsi);
		}
	}
	res->data = cJSON_CreateObject();
	cJSON_AddItemToObject(res->data, "topics", topics_json(s));
	cJSON_AddNumberToObject(res->data, "seq", (double)last);
	cJSON_AddBoolToObject(res->data, "replaying", s->replaying);
	cJSON_AddBoolToObject(res->data, "reload", reload);
	return 0;
}

int op_unsubscribe(struct app *app, struct op_request *req, struct op_response *res)
{
	(void)app;
	struct ws_session *s = req->session;
	if (!s)
		return api_fail(res, 400, "websocket_only", "type", "subscriptions exist on the websocket only");
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(req->params, "topics");
	if (!list) {
		s->ntopics = 0;
	} else {
		if (!cJSON_IsArray(list))
			return api_fail(res, 422, "invalid", "topics", "must be a list of topics");
		const cJSON *it;
		cJSON_ArrayForEach(it, list)
		{
			struct topic t;
			const char *entity;
			if (!cJSON_IsString(it) || topic_parse(it->valuestring, &t, &entity))
				return api_fail(res, 422, "invalid", "topics", "must be topics as given to subscribe");
			for (unsigned k = 0; k < s->ntopics; k++)
				if (same_topic(&s->topics[k], &t)) {
					s->topics[k] = s->topics[--s->ntopics];
					break;
				}
		}
	}
	res->data = cJSON_CreateObject();
	cJSON_AddItemToObject(res->data, "topics", topics_json(s));
	return 0;
}
