/* events: what the transaction in progress changed, kept as typed rows until its commit (then
 * published, in order, by the hook the transport sets) or its rollback (then forgotten). Services
 * add what they hold (an alert row as written); the protocol layer renders it for clients. */
#ifndef RENFORT_EVENTS_H
#define RENFORT_EVENTS_H

#include <stddef.h>

struct app;
struct alert_row;
struct sms_row;

enum event_body {
	EVENT_TEXT,  /* the payload already rendered: a JSON object's text */
	EVENT_ALERT, /* an alert row, rendered as alerts.get shows it */
	EVENT_SMS,   /* an outbox row, without its phone or text */
};

/* What an event says of an outbox row: never the phone nor the text (events are seen by everyone
 * in the département). */
struct sms_event {
	long long id;
	char status[16];
	char kind[32];
	char recipient_kind[24];
	long long recipient_id;
	int attempts;
	char cause_kind[16];
	long long cause_id;
	char gateway[16];  /* "" when none yet */
	char error[256];   /* "" when none */
};

struct event {
	char type[32];         /* "alert.opened", "stock.level" */
	char dep[4];           /* the département it concerns, "" region-wide */
	char entity[16];       /* the row it is about: "structure", "sms", "" */
	long long entity_id;
	long long at;          /* the transaction's time */
	long long seq;         /* given at publication, after the commit */
	enum event_body body;
	char *text;            /* EVENT_TEXT */
	struct alert_row *alert; /* EVENT_ALERT */
	struct sms_event *sms;   /* EVENT_SMS */
};

struct events {
	struct event *list;
	size_t n, cap;
};

/* Each adds an event to the transaction in progress; -1 when memory ran out (the transaction must
 * then fail: an event is never dropped silently). text is consumed, even on failure. */
int events_add_text(struct app *app, const char *type, const char *dep, const char *entity, long long entity_id,
		    char *text);
/* "alert.<what>" about a: the row is copied as it is (with its names and place, for people). */
int events_add_alert(struct app *app, const char *what, const struct alert_row *a);

/* "sms.<what>" about outbox row r as it is now. */
int events_add_sms(struct app *app, const char *what, const struct sms_row *r);

/* How many events are pending; events added after a mark can be dropped (a savepoint undone). */
size_t events_mark(const struct app *app);
void events_drop_from(struct app *app, size_t mark);
void events_release(struct events *e);

#endif
