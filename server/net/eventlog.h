/* eventlog: the bounded log of published events, in memory, that websocket clients resume from.
 * Each event is serialised once into a shared message; sequence numbers are given at publication
 * (after the commit), so they have no gaps. The last number given out is kept in the database, so
 * numbering continues after a restart; what happened before a restart is not replayable (the
 * client is told to reload). */
#ifndef RENFORT_EVENTLOG_H
#define RENFORT_EVENTLOG_H

#include <stddef.h>

struct msg;

struct logged_event {
	long long seq;
	long long at;
	char *type;
	char dep[4];      /* "" when region-wide */
	char *entity;     /* NULL when none */
	long long entity_id;
	/* a second row it is about (an allocation's source), entity2 NULL when none: the event reaches
	 * who may read and follows either row */
	char dep2[4];
	char *entity2;
	long long entity2_id;
	struct msg *msg;  /* {"type":"event",...} ready to send */
};

struct eventlog;

/* next_seq: the number the first event will get. */
struct eventlog *eventlog_new(size_t capacity, long long next_seq);
void eventlog_free(struct eventlog *log);

/* Appends event number seq (the payload is a JSON text); NULL when out of memory. The oldest event
 * goes when the log is full. Numbers come in order: one skipped empties the log (what it held can
 * no longer be replayed without a gap). */
const struct logged_event *eventlog_append(struct eventlog *log, long long seq, long long at, const char *type,
					   const char *dep, const char *entity, long long entity_id, const char *payload);
/* The same for an event about two rows: the second's département, entity and id (the envelope names
 * the first). */
const struct logged_event *eventlog_append2(struct eventlog *log, long long seq, long long at, const char *type,
					    const char *dep, const char *entity, long long entity_id, const char *dep2,
					    const char *entity2, long long entity2_id, const char *payload);
/* The last number given out (next_seq - 1 before any event). */
long long eventlog_last_seq(const struct eventlog *log);
/* Can the log replay everything after seq? (false when older events were dropped or seq is unknown) */
int eventlog_covers(const struct eventlog *log, long long seq);
/* Calls cb for each event after `after`, in order, at most limit; returns the number visited. */
size_t eventlog_since(const struct eventlog *log, long long after, size_t limit,
		      int (*cb)(void *ctx, const struct logged_event *ev), void *ctx);

#endif
