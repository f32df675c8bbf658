/* topic: the rules of who hears which event. A websocket session follows topics ("*", a family of
 * events, one row, a département); scope filters every event whatever the topics. Pure. */
#ifndef RENFORT_TOPIC_H
#define RENFORT_TOPIC_H

#include "auth.h"

#define WS_MAX_TOPICS 32

enum topic_kind { TOPIC_ALL, TOPIC_FAMILY, TOPIC_ENTITY, TOPIC_DEP };

struct topic {
	unsigned char kind;   /* enum topic_kind */
	unsigned char family; /* index of the family for family topics, of the entity for row topics */
	char dep[4];
	long long id;
};

/* Parses "*", a family ("alerts", "stock", "structures"...), "structure:12", "depot:3",
 * "volunteer:7" or "departement:81". Returns NULL or the rule broken. For TOPIC_ENTITY,
 * *entity is set to the entity name ("structure"). */
const char *topic_parse(const char *text, struct topic *t, const char **entity);
/* The topic as text; out needs 40 bytes. */
const char *topic_format(const struct topic *t, char out[40]);
int topic_matches(const struct topic *t, const char *type, const char *dep, const char *entity, long long id);
/* The family's name of a family topic ("volunteers"), NULL for the others. */
const char *topic_family_name(const struct topic *t);
/* May this principal see this event at all? */
int event_visible(const struct principal *p, const char *type, const char *dep, const char *entity, long long id);

#endif
