#include "eventlog.h"

#include "buf.h"
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

/* {"type":"event","seq":..,"event":..,"at":..,"dep":..,"entity":..,"entity_id":..,"data":<payload>} */
static struct msg *event_msg(long long seq, long long at, const char *type, const char *dep, const char *entity,
			     long long id, const char *payload)
{
	char iso[32], dep_json[8], entity_json[48];
	if (dep && dep[0])
		snprintf(dep_json, sizeof dep_json, "\"%.2s\"", dep);
	else
		snprintf(dep_json, sizeof dep_json, "null");
	if (entity)
		snprintf(entity_json, sizeof entity_json, "\"%.40s\"", entity);
	else
		snprintf(entity_json, sizeof entity_json, "null");
	struct buf b;
	buf_init(&b);
	/* type, dep and entity are renfort's own identifiers: nothing to escape. One allocation: the
	 * envelope is under 256 bytes. */
	int rc = buf_reserve(&b, strlen(payload) + 256) || buf_printf(&b,
			    "{\"type\":\"event\",\"seq\":%lld,\"event\":\"%.64s\",\"at\":\"%s\",\"dep\":%s,"
			    "\"entity\":%s,\"entity_id\":%lld,\"data\":",
			    seq, type, clock_format_iso(at, iso), dep_json, entity_json, id);
	if (rc || buf_puts(&b, payload) || buf_puts(&b, "}")) {
		buf_release(&b);
		return NULL;
	}
	struct msg *m = msg_new(b.data, b.len);
	buf_release(&b);
	return m;
}

const struct logged_event *eventlog_append(struct eventlog *log, long long at, const char *type, const char *dep,
					   const char *entity, long long entity_id, const char *payload)
{
	struct logged_event e;
	memset(&e, 0, sizeof e);
	e.seq = log->next_seq;
	e.at = at;
	e.type = strdup(type);
	snprintf(e.dep, sizeof e.dep, "%s", dep ? dep : "");
	e.entity = entity ? strdup(entity) : NULL;
	e.entity_id = entity_id;
	e.msg = event_msg(e.seq, at, type, dep, entity, entity_id, payload);
	if (!e.type || (entity && !e.entity) || !e.msg) {
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
