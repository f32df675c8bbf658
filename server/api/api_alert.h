/* api_alert: alerts as clients see them (JSON, CAP 1.2 XML), and their operations. */
#ifndef RENFORT_API_ALERT_H
#define RENFORT_API_ALERT_H

#include <cjson/cJSON.h>

struct app;
struct alert_row;

cJSON *alert_json(const struct alert_row *a);
/* Who did a thing: {"token_id", "name"} (the token's label), or null when token is 0 (renfortd). */
cJSON *person_json(long long token, const char *label);

#endif
