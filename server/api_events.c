#include "api_events.h"

#include "api_alert.h"
#include "events.h"

#include <cjson/cJSON.h>
#include <stddef.h>

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
	}
	return NULL;
}
