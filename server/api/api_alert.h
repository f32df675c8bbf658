/* api_alert: alerts as clients see them (JSON, CAP 1.2 XML), and their operations. */
#ifndef RENFORT_API_ALERT_H
#define RENFORT_API_ALERT_H

#include <cjson/cJSON.h>

struct app;
struct alert_row;

cJSON *alert_json(const struct alert_row *a);

#endif
