#include "api_events.h"

#include "api_alert.h"
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
	switch (e->body) {
	case EVENT_TEXT:
		return e->text;
	case EVENT_ALERT: {
		cJSON *j = alert_json(e->alert);
		*owned = j ? cJSON_PrintUnformatted(j) : NULL;
		cJSON_Delete(j);
		return *owned;
	}
	case EVENT_SMS: {
		cJSON *j = sms_event_json(e->sms);
		*owned = j ? cJSON_PrintUnformatted(j) : NULL;
		cJSON_Delete(j);
		return *owned;
	}
	}
	return NULL;
}
