/* subscribe: the two operations of the websocket itself: following topics (with a replay from a
 * sequence number) and no longer following them. The operation table (api.c) lists them as
 * OP_TRANSPORT: the websocket runs them here, on the session they change. */
#include "subscribe.h"

#include "api.h"
#include "eventlog.h"
#include "model.h"
#include "store.h"
#include "store_record.h"
#include "topic.h"

#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	    (strcmp(topic_family_name(t), "volunteers") == 0 || strcmp(topic_family_name(t), "sms") == 0))
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

int subscribe_op(struct app *app, struct ws_session *s, struct op_request *req, struct op_response *res)
{
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

int unsubscribe_op(struct app *app, struct ws_session *s, struct op_request *req, struct op_response *res)
{
	(void)app;
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
