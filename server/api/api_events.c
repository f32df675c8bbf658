#include "api_events.h"

#include "api_alert.h"
#include "api_allocation.h"
#include "api_deploy.h"
#include "api_stock.h"
#include "events.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <string.h>

/* An outbox row's event: its state, never its phone nor its text. */
static cJSON *sms_event_json(const struct sms_event *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)r->id);
	cJSON_AddStringToObject(o, "status", r->status);
	cJSON_AddStringToObject(o, "kind", r->kind);
	cJSON_AddStringToObject(o, "recipient_kind", r->recipient_kind);
	cJSON_AddNumberToObject(o, "recipient_id", (double)r->recipient_id);
	cJSON_AddNumberToObject(o, "attempts", r->attempts);
	if (r->cause_id && strcmp(r->cause_kind, "alert") == 0)
		cJSON_AddNumberToObject(o, "alert_id", (double)r->cause_id);
	if (r->gateway[0])
		cJSON_AddStringToObject(o, "gateway", r->gateway);
	if (r->error[0])
		cJSON_AddStringToObject(o, "error", r->error);
	return o;
}

const char *api_event_payload(const struct event *e, char **owned)
{
	*owned = NULL;
	if (e->text)
		return e->text;
	cJSON *j = NULL;
	switch (e->body) {
	case EVENT_TEXT:
		return NULL;
	case EVENT_LEVEL:
		return *owned = api_level_object(e->level->holder_kind, e->level->holder_id, &e->level->level, NULL);
	case EVENT_AVAILABILITY:
		j = cJSON_CreateObject();
		cJSON_AddNumberToObject(j, "id", (double)e->availability->volunteer_id);
		cJSON_AddStringToObject(j, "availability", e->availability->availability);
		cJSON_AddStringToObject(j, "source", e->availability->source);
		break;
	case EVENT_SMS_RECEIVED:
		j = cJSON_CreateObject();
		cJSON_AddNumberToObject(j, "id", (double)e->received->id);
		cJSON_AddStringToObject(j, "gateway", e->received->gateway);
		if (e->received->keyword[0])
			cJSON_AddStringToObject(j, "keyword", e->received->keyword);
		cJSON_AddStringToObject(j, "result", e->received->result);
		if (e->received->volunteer_id)
			cJSON_AddNumberToObject(j, "volunteer_id", (double)e->received->volunteer_id);
		break;
	case EVENT_ALERT:
		j = alert_json(e->alert);
		break;
	case EVENT_SMS:
		j = sms_event_json(e->sms);
		break;
	case EVENT_DEPLOYMENT:
		j = deploy_event_json(e->deploy);
		break;
	case EVENT_ALLOCATION:
		j = allocation_json(e->allocation);
		break;
	case EVENT_REQUEST:
		j = request_json(e->request);
		break;
	}
	*owned = j ? cJSON_PrintUnformatted(j) : NULL;
	cJSON_Delete(j);
	return *owned;
}
