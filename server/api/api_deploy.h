/* api_deploy: staff requests, calls and their events as clients see them (handlers in
 * api_handlers.h). */
#ifndef RENFORT_API_DEPLOY_H
#define RENFORT_API_DEPLOY_H

#include <cjson/cJSON.h>

struct deploy_event;

/* The payload of a "deployment.*" event. */
cJSON *deploy_event_json(const struct deploy_event *e);

#endif
