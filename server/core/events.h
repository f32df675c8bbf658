/* events: what the transaction in progress changed, kept as typed rows until its commit (then
 * published, in order, by the hook the transport sets) or its rollback (then forgotten). Services
 * add what they hold (an alert row as written); the protocol layer renders it for clients. */
#ifndef RENFORT_EVENTS_H
#define RENFORT_EVENTS_H

#include <stddef.h>

#include "stock.h"
#include "store_allocation.h"

struct app;
struct alert_row;
struct sms_row;
struct deploy_event;

enum event_body {
	EVENT_TEXT,  /* the payload already rendered: a JSON object's text */
	EVENT_ALERT, /* an alert row, rendered as alerts.get shows it */
	EVENT_SMS,   /* an outbox row, without its phone or text */
	EVENT_LEVEL, /* a stock level after a count or a movement */
	EVENT_AVAILABILITY, /* a volunteer's availability changed by their SMS, or a window */
	EVENT_SMS_RECEIVED, /* an incoming message, what it said and what was done */
	EVENT_DEPLOYMENT,   /* a staff request, wave, call, reply or assignment (deploy_event.h) */
	EVENT_ALLOCATION,   /* an allocation as allocations.get shows it */
	EVENT_REQUEST,      /* a request for stock as stock_requests.list shows it */
};

struct level_event {
	enum holder_kind holder_kind;
	long long holder_id;
	struct stock_level level;
};

struct availability_event {
	long long volunteer_id;
	char availability[16];
	char source[8];  /* "sms", or "window" (one began or ended) */
};

struct sms_received_event {
	long long id;
	char gateway[16];
	char keyword[16];  /* "" when none */
	char result[32];
	long long volunteer_id; /* 0 when the phone is nobody's */
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
	/* a second row it is about ("" when none): an allocation's source depot or structure. The event
	 * reaches whoever may read, and follows, either row. */
	char dep2[4];
	char entity2[16];
	long long entity2_id;
	long long at;          /* the transaction's time */
	long long seq;         /* given at publication, after the commit */
	enum event_body body;
	char *text;            /* EVENT_TEXT; for the others, their payload once rendered (events_set_text) */
	struct alert_row *alert; /* EVENT_ALERT */
	struct sms_event *sms;   /* EVENT_SMS */
	struct level_event *level; /* EVENT_LEVEL */
	struct availability_event *availability; /* EVENT_AVAILABILITY */
	struct sms_received_event *received;     /* EVENT_SMS_RECEIVED */
	struct deploy_event *deploy;             /* EVENT_DEPLOYMENT */
	struct allocation_row *allocation;       /* EVENT_ALLOCATION */
	struct stock_request_row *request;       /* EVENT_REQUEST */
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

/* "stock.level" of a holder's item. */
int events_add_level(struct app *app, enum holder_kind kind, long long holder, const char *dep,
		     const struct stock_level *level);
/* "volunteer.updated" for an availability a volunteer's SMS (source "sms") or a window ("window")
 * changed. */
int events_add_availability(struct app *app, long long volunteer, const char *dep, const char *availability,
			    const char *source);
/* "sms.received" of an incoming message (its phone and text are not in it). */
int events_add_sms_received(struct app *app, const char *dep, const struct sms_received_event *e);

/* A "deployment.*" event about a row (entity "structure" for a request's, "volunteer" for a call's). */
int events_add_deploy(struct app *app, const char *type, const char *dep, const char *entity, long long entity_id,
		      const struct deploy_event *e);
/* "allocation.<what>" of an allocation as it is now: about its structure and its source. */
int events_add_allocation(struct app *app, const char *what, const struct allocation_row *a);
/* "allocation.request_<what>" of a request for stock: about its structure. */
int events_add_request(struct app *app, const char *what, const struct stock_request_row *r);

/* Gives event i its payload already rendered (text, malloc'ed, consumed): what the answer holds
 * too is written once (a stock report's levels). */
void events_set_text(struct app *app, size_t i, char *text);

/* How many events are pending; events added after a mark can be dropped (a savepoint undone). */
size_t events_mark(const struct app *app);
void events_drop_from(struct app *app, size_t mark);
void events_release(struct events *e);

#endif
