/* Unit tests of eventlog.c: the bounded in-memory log of published events (it replaced the events
 * table of store_event.c): numbering, the ring, replay windows, the serialised message. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "conn.h"
#include "eventlog.h"

struct seen {
	long long seqs[64];
	size_t n;
	size_t stop_after;
};

static int collect(void *ctx, const struct logged_event *ev)
{
	struct seen *s = ctx;
	if (s->n < 64)
		s->seqs[s->n++] = ev->seq;
	return s->stop_after && s->n >= s->stop_after;
}

static const struct logged_event *append(struct eventlog *log, const char *type, const char *dep, const char *entity,
					 long long id)
{
	const struct logged_event *e =
		eventlog_append(log, eventlog_last_seq(log) + 1, 1764146709123LL, type, dep, entity, id, "{\"k\":1}");
	assert_non_null(e);
	return e;
}

/* The message of an event, parsed. */
static cJSON *message(const struct logged_event *e)
{
	assert_non_null(e->msg);
	char *text = malloc(e->msg->len + 1);
	assert_non_null(text);
	memcpy(text, msg_payload(e->msg), e->msg->len);
	text[e->msg->len] = '\0';
	cJSON *j = cJSON_Parse(text);
	if (!j)
		fail_msg("event message is not JSON: %s", text);
	free(text);
	return j;
}

static void test_empty(void **state)
{
	(void)state;
	struct eventlog *log = eventlog_new(8, 1);
	assert_non_null(log);
	assert_int_equal(eventlog_last_seq(log), 0);
	assert_true(eventlog_covers(log, 0));   /* a client that saw nothing missed nothing */
	assert_false(eventlog_covers(log, 1));  /* a number not given out yet */
	assert_false(eventlog_covers(log, -1));
	struct seen s;
	memset(&s, 0, sizeof s);
	assert_int_equal(eventlog_since(log, 0, 100, collect, &s), 0);
	assert_int_equal(s.n, 0);
	eventlog_free(log);
	eventlog_free(NULL);
}

static void test_numbering_and_fields(void **state)
{
	(void)state;
	struct eventlog *log = eventlog_new(8, 1);
	const struct logged_event *e1 = append(log, "structure.updated", "81", "structure", 12);
	assert_int_equal(e1->seq, 1);
	assert_int_equal(e1->at, 1764146709123LL);
	assert_string_equal(e1->type, "structure.updated");
	assert_string_equal(e1->dep, "81");
	assert_string_equal(e1->entity, "structure");
	assert_int_equal(e1->entity_id, 12);
	const struct logged_event *e2 = append(log, "alert.opened", NULL, NULL, 0);
	assert_int_equal(e2->seq, 2);
	assert_string_equal(e2->dep, "");
	assert_null(e2->entity);
	const struct logged_event *e3 = append(log, "item.created", "", "item", 4);
	assert_int_equal(e3->seq, 3);
	assert_string_equal(e3->dep, "");
	assert_int_equal(eventlog_last_seq(log), 3);
	eventlog_free(log);
}

static void test_message(void **state)
{
	(void)state;
	struct eventlog *log = eventlog_new(4, 1);
	const struct logged_event *e = eventlog_append(log, 1, 1764146709123LL, "structure.updated", "81", "structure", 12,
						       "{\"id\":12,\"name\":\"EHPAD \\\"Les Tilleuls\\\"\"}");
	cJSON *j = message(e);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(j, "type")->valuestring, "event");
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(j, "seq")->valuedouble, 1);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(j, "event")->valuestring, "structure.updated");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(j, "at")->valuestring, "2025-11-26T08:45:09.123Z");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(j, "dep")->valuestring, "81");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(j, "entity")->valuestring, "structure");
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(j, "entity_id")->valuedouble, 12);
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(j, "data");
	assert_true(cJSON_IsObject(data));
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(data, "name")->valuestring, "EHPAD \"Les Tilleuls\"");
	cJSON_Delete(j);

	e = eventlog_append(log, 2, 0, "alert.opened", NULL, NULL, 0, "[]");
	j = message(e);
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "dep")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "entity")));
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(j, "seq")->valuedouble, 2);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(j, "at")->valuestring, "1970-01-01T00:00:00.000Z");
	assert_true(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(j, "data")));
	cJSON_Delete(j);
	eventlog_free(log);
}

static void test_since(void **state)
{
	(void)state;
	struct eventlog *log = eventlog_new(8, 1);
	for (int i = 0; i < 5; i++)
		append(log, "stock.reported", "31", "structure", i + 1);
	struct seen s;
	memset(&s, 0, sizeof s);
	assert_int_equal(eventlog_since(log, 0, 100, collect, &s), 5);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(s.seqs[i], (long long)i + 1);
	memset(&s, 0, sizeof s);
	assert_int_equal(eventlog_since(log, 1, 2, collect, &s), 2); /* limit */
	assert_int_equal(s.seqs[0], 2);
	assert_int_equal(s.seqs[1], 3);
	memset(&s, 0, sizeof s);
	assert_int_equal(eventlog_since(log, 4, 100, collect, &s), 1);
	assert_int_equal(s.seqs[0], 5);
	memset(&s, 0, sizeof s);
	assert_int_equal(eventlog_since(log, 5, 100, collect, &s), 0); /* up to date */
	assert_int_equal(eventlog_since(log, 99, 100, collect, &s), 0);
	assert_int_equal(eventlog_since(log, 0, 0, collect, &s), 0);
	/* the callback stops it; the one it stopped on counts */
	memset(&s, 0, sizeof s);
	s.stop_after = 2;
	assert_int_equal(eventlog_since(log, 0, 100, collect, &s), 2);
	assert_int_equal(s.n, 2);
	eventlog_free(log);
}

static void test_ring_drops_oldest(void **state)
{
	(void)state;
	struct eventlog *log = eventlog_new(4, 1);
	for (int i = 0; i < 6; i++)
		append(log, "stock.reported", "31", "structure", i + 1);
	assert_int_equal(eventlog_last_seq(log), 6);
	/* 3..6 are kept: a client that saw 2 can resume, one that saw 1 cannot */
	assert_true(eventlog_covers(log, 2));
	assert_true(eventlog_covers(log, 5));
	assert_true(eventlog_covers(log, 6));
	assert_false(eventlog_covers(log, 1));
	assert_false(eventlog_covers(log, 0));
	assert_false(eventlog_covers(log, 7));
	struct seen s;
	memset(&s, 0, sizeof s);
	assert_int_equal(eventlog_since(log, 0, 100, collect, &s), 4); /* from the oldest kept */
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(s.seqs[i], (long long)i + 3);
	memset(&s, 0, sizeof s);
	assert_int_equal(eventlog_since(log, 4, 100, collect, &s), 2);
	assert_int_equal(s.seqs[0], 5);
	assert_int_equal(s.seqs[1], 6);
	eventlog_free(log);
}

static void test_many_wraps(void **state)
{
	(void)state;
	struct eventlog *log = eventlog_new(3, 1);
	for (int i = 1; i <= 1000; i++) {
		const struct logged_event *e = append(log, i % 2 ? "alert.opened" : "stock.reported", i % 3 ? "81" : NULL,
						      i % 5 ? "structure" : NULL, i);
		assert_int_equal(e->seq, i);
	}
	struct seen s;
	memset(&s, 0, sizeof s);
	assert_int_equal(eventlog_since(log, 500, 100, collect, &s), 3);
	assert_int_equal(s.seqs[0], 998);
	assert_int_equal(s.seqs[2], 1000);
	assert_true(eventlog_covers(log, 997));
	assert_false(eventlog_covers(log, 996));
	eventlog_free(log); /* frees what is left in the ring (the sanitizer build checks) */
}

static void test_numbering_continues_after_restart(void **state)
{
	(void)state;
	/* the server keeps the last number in the database and starts the new log after it */
	struct eventlog *log = eventlog_new(16, 42);
	assert_int_equal(eventlog_last_seq(log), 41);
	assert_true(eventlog_covers(log, 41));  /* saw everything before the restart: nothing to replay */
	assert_false(eventlog_covers(log, 40)); /* missed events from before the restart: reload */
	assert_false(eventlog_covers(log, 0));
	const struct logged_event *e = append(log, "alert.opened", NULL, NULL, 0);
	assert_int_equal(e->seq, 42);
	assert_true(eventlog_covers(log, 41));
	assert_false(eventlog_covers(log, 40));
	struct seen s;
	memset(&s, 0, sizeof s);
	assert_int_equal(eventlog_since(log, 41, 10, collect, &s), 1);
	assert_int_equal(s.seqs[0], 42);
	eventlog_free(log);
}

static void test_messages_are_shared(void **state)
{
	(void)state;
	/* a sender takes a reference; the log dropping the event does not free it under the sender */
	struct eventlog *log = eventlog_new(1, 1);
	const struct logged_event *e = append(log, "alert.opened", NULL, NULL, 0);
	struct msg *m = e->msg;
	msg_ref(m);
	append(log, "alert.opened", NULL, NULL, 0); /* drops the first */
	assert_int_equal(m->refs, 1);
	assert_true(m->len > 0);
	assert_memory_equal(msg_payload(m), "{\"type\":\"event\",\"seq\":1,", 24);
	msg_unref(m);
	eventlog_free(log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_numbering_and_fields),
		cmocka_unit_test(test_message),
		cmocka_unit_test(test_since),
		cmocka_unit_test(test_ring_drops_oldest),
		cmocka_unit_test(test_many_wraps),
		cmocka_unit_test(test_numbering_continues_after_restart),
		cmocka_unit_test(test_messages_are_shared),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
