#include "eventlog.h"

#include "clock.h"
#include "conn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct eventlog {
	struct logged_event *ring;
	size_t cap, len, head; /* head: index of the oldest */
	long long next_seq;
};

struct eventlog *eventlog_new(size_t capacity, long long next_seq)
{
	struct eventlog *log = calloc(1, sizeof *log);
	if (!log)
		return NULL;
	log->ring = calloc(capacity, sizeof *log->ring);
	if (!log->ring) {
		free(log);
		return NULL;
	}
	log->cap = capacity;
	log->next_seq = next_seq;
	return log;
}

static void clear(struct logged_event *e)
{
	free(e->type);
	free(e->entity);
	free(e->entity2);
	msg_unref(e->msg);
	memset(e, 0, sizeof *e);
}

void eventlog_free(struct eventlog *log)
{
	if (!log)
		return;
	for (size_t i = 0; i < log->len; i++)
		clear(&log->ring[(log->head + i) % log->cap]);
	free(log->ring);
	free(log);
}

/* A string of renfort's own (an event type, an entity name, a département code: nothing to
 * escape), quoted, at most max bytes of it; null for NULL. */
static char *put_name(char *o, const char *s, size_t max)
{
	if (!s)
		return MSG_PUT_LITERAL(o, "null");
	size_t n = strnlen(s, max);
	*o++ = '"';
	o = msg_put(o, s, n);
	*o++ = '"';
	return o;
}

/* {"type":"event","seq":..,"event":..,"at":..,"dep":..,"entity":..,"entity_id":..,"data":<payload>},
 * written straight into the message (one allocation, no printf: this runs for every event). The
 * envelope is at most 64 + 2 x 20 digits + 64 + 24 + 2 + 40 and its quotes: under 320 bytes. */
static struct msg *event_msg(long long seq, long long at, const char *type, const char *dep, const char *entity,
			     long long id, const char *payload)
{
	size_t plen = strlen(payload);
	struct msg *m = msg_new(NULL, 320 + plen);
	if (!m)
		return NULL;
	char iso[32];
	char *start = (char *)msg_payload(m), *o = start;
	o = MSG_PUT_LITERAL(o, "{\"type\":\"event\",\"seq\":");
	o = msg_put_int(o, seq);
	o = MSG_PUT_LITERAL(o, ",\"event\":");
	o = put_name(o, type, 64);
	o = MSG_PUT_LITERAL(o, ",\"at\":\"");
	clock_format_iso(at, iso);
	o = msg_put(o, iso, strlen(iso));
	o = MSG_PUT_LITERAL(o, "\",\"dep\":");
	o = put_name(o, dep && dep[0] ? dep : NULL, 2);
	o = MSG_PUT_LITERAL(o, ",\"entity\":");
	o = put_name(o, entity, 40);
	o = MSG_PUT_LITERAL(o, ",\"entity_id\":");
	o = msg_put_int(o, id);
	o = MSG_PUT_LITERAL(o, ",\"data\":");
	o = msg_put(o, payload, plen);
	*o++ = '}';
	m->len = (size_t)(o - start);
	return m;
}

const struct logged_event *eventlog_append(struct eventlog *log, long long seq, long long at, const char *type,
					   const char *dep, const char *entity, long long entity_id, const char *payload)
{
	return eventlog_append2(log, seq, at, type, dep, entity, entity_id, NULL, NULL, 0, payload);
}

const struct logged_event *eventlog_append2(struct eventlog *log, long long seq, long long at, const char *type,
					    const char *dep, const char *entity, long long entity_id, const char *dep2,
					    const char *entity2, long long entity2_id, const char *payload)
{
	struct logged_event e;
	memset(&e, 0, sizeof e);
	if (seq != log->next_seq) {
		/* a number the log did not see (an event that could not be rendered): the log starts again
		 * from here, and clients resuming from before it are told to reload */
		while (log->len) {
			clear(&log->ring[log->head]);
			log->head = (log->head + 1) % log->cap;
			log->len--;
		}
		log->next_seq = seq;
	}
	e.seq = seq;
	e.at = at;
	e.type = strdup(type);
	snprintf(e.dep, sizeof e.dep, "%s", dep ? dep : "");
	e.entity = entity ? strdup(entity) : NULL;
	e.entity_id = entity_id;
	snprintf(e.dep2, sizeof e.dep2, "%s", dep2 ? dep2 : "");
	e.entity2 = entity2 ? strdup(entity2) : NULL;
	e.entity2_id = entity2_id;
	e.msg = event_msg(e.seq, at, type, dep, entity, entity_id, payload);
	if (!e.type || (entity && !e.entity) || (entity2 && !e.entity2) || !e.msg) {
		clear(&e);
		return NULL;
	}
	log->next_seq++;
	size_t slot;
	if (log->len == log->cap) {
		slot = log->head;
		clear(&log->ring[slot]);
		log->head = (log->head + 1) % log->cap;
	} else
		slot = (log->head + log->len++) % log->cap;
	log->ring[slot] = e;
	return &log->ring[slot];
}

long long eventlog_last_seq(const struct eventlog *log)
{
	return log->next_seq - 1;
}

static long long first_seq(const struct eventlog *log)
{
	return log->len ? log->ring[log->head].seq : log->next_seq;
}

int eventlog_covers(const struct eventlog *log, long long seq)
{
	return seq >= first_seq(log) - 1 && seq <= eventlog_last_seq(log);
}

size_t eventlog_since(const struct eventlog *log, long long after, size_t limit,
		      int (*cb)(void *ctx, const struct logged_event *ev), void *ctx)
{
	long long first = first_seq(log);
	if (after < first - 1)
		after = first - 1;
	size_t n = 0;
	/* seqs are consecutive in the ring: index by difference */
	for (long long seq = after + 1; seq < log->next_seq && n < limit; seq++) {
		const struct logged_event *e = &log->ring[(log->head + (size_t)(seq - first)) % log->cap];
		n++;
		if (cb(ctx, e))
			break;
	}
	return n;
}
