/* api_events: an event's payload as clients read it (the "data" of an event message), rendered from
 * the typed row a service added (events.h). */
#ifndef RENFORT_API_EVENTS_H
#define RENFORT_API_EVENTS_H

struct event;

/* The payload's JSON text: the event's own text, or *owned (free it) rendered from its row; NULL
 * when memory ran out. */
const char *api_event_payload(const struct event *e, char **owned);

#endif
