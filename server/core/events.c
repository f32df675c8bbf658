#include "events.h"

#include "app.h"
#include "deploy_event.h"
#include "store.h"
#include "store_alert.h"
#include "store_sms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void event_free_body(struct event *ev)
{
	free(ev->text);
	free(ev->alert);
	free(ev->sms);
	free(ev->level);
	free(ev->availability);
	free(ev->received);
	free(ev->deploy);
	free(ev->allocation);
	free(ev->request);
}

static struct event *add(struct app *app, const char *type, const char *dep, const char *entity, long long entity_id)
{
	struct events *e = &app->events;
	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 64;
		struct event *l = realloc(e->list, cap * sizeof *l);
		if (!l)
			return NULL;
		e->list = l;
		e->cap = cap;
	}
	struct event *ev = &e->list[e->n++];
	memset(ev, 0, sizeof *ev);
	snprintf(ev->type, sizeof ev->type, "%s", type);
	snprintf(ev->dep, sizeof ev->dep, "%s", dep ? dep : "");
	snprintf(ev->entity, sizeof ev->entity, "%s", entity ? entity : "");
	ev->entity_id = entity_id;
	ev->at = store_now(app->store);
	return ev;
}

int events_add_text(struct app *app, const char *type, const char *dep, const char *entity, long long entity_id,
		    char *text)
{
	struct event *ev = text ? add(app, type, dep, entity, entity_id) : NULL;
	if (!ev) {
		free(text);
		return -1;
	}
	ev->body = EVENT_TEXT;
	ev->text = text;
	return 0;
}

int events_add_alert(struct app *app, const char *what, const struct alert_row *a)
{
	struct alert_row *copy = malloc(sizeof *copy);
	char type[32];
	snprintf(type, sizeof type, "alert.%s", what);
	struct event *ev = copy ? add(app, type, a->dep, holder_kind_name(a->holder_kind), a->holder_id) : NULL;
	if (!ev) {
		free(copy);
		return -1;
	}
	*copy = *a;
	ev->body = EVENT_ALERT;
	ev->alert = copy;
	return 0;
}

int events_add_sms(struct app *app, const char *what, const struct sms_row *r)
{
	struct sms_event *e = calloc(1, sizeof *e);
	char type[32];
	snprintf(type, sizeof type, "sms.%s", what);
	struct event *ev = e ? add(app, type, r->dep, "sms", r->id) : NULL;
	if (!ev) {
		free(e);
		return -1;
	}
	e->id = r->id;
	snprintf(e->status, sizeof e->status, "%s", r->status ? r->status : "");
	snprintf(e->kind, sizeof e->kind, "%s", r->kind ? r->kind : "");
	snprintf(e->recipient_kind, sizeof e->recipient_kind, "%s", r->recipient_kind ? r->recipient_kind : "");
	e->recipient_id = r->recipient_id;
	e->attempts = r->attempts;
	snprintf(e->cause_kind, sizeof e->cause_kind, "%s", r->cause_kind ? r->cause_kind : "");
	e->cause_id = r->cause_id;
	snprintf(e->gateway, sizeof e->gateway, "%s", r->gateway ? r->gateway : "");
	snprintf(e->error, sizeof e->error, "%s", r->last_error ? r->last_error : "");
	ev->body = EVENT_SMS;
	ev->sms = e;
	return 0;
}

/* A typed body of its own, copied. */
static struct event *add_body(struct app *app, const char *type, const char *dep, const char *entity, long long id,
			      enum event_body kind, const void *body, size_t size)
{
	void *copy = malloc(size);
	struct event *ev = copy ? add(app, type, dep, entity, id) : NULL;
	if (!ev) {
		free(copy);
		return NULL;
	}
	memcpy(copy, body, size);
	ev->body = kind;
	switch (kind) {
	case EVENT_LEVEL:
		ev->level = copy;
		break;
	case EVENT_AVAILABILITY:
		ev->availability = copy;
		break;
	case EVENT_DEPLOYMENT:
		ev->deploy = copy;
		break;
	case EVENT_ALLOCATION:
		ev->allocation = copy;
		break;
	case EVENT_REQUEST:
		ev->request = copy;
		break;
	default:
		ev->received = copy;
		break;
	}
	return ev;
}

int events_add_level(struct app *app, enum holder_kind kind, long long holder, const char *dep,
		     const struct stock_level *level)
{
	struct level_event e = {kind, holder, *level};
	return add_body(app, "stock.level", dep, holder_kind_name(kind), holder, EVENT_LEVEL, &e, sizeof e) ? 0 : -1;
}

int events_add_availability(struct app *app, long long volunteer, const char *dep, const char *availability,
			    const char *source)
{
	struct availability_event e = {volunteer, "", ""};
	snprintf(e.availability, sizeof e.availability, "%s", availability);
	snprintf(e.source, sizeof e.source, "%s", source);
	return add_body(app, "volunteer.updated", dep, "volunteer", volunteer, EVENT_AVAILABILITY, &e, sizeof e) ? 0 : -1;
}

int events_add_sms_received(struct app *app, const char *dep, const struct sms_received_event *e)
{
	return add_body(app, "sms.received", dep, "sms_in", e->id, EVENT_SMS_RECEIVED, e, sizeof *e) ? 0 : -1;
}

int events_add_deploy(struct app *app, const char *type, const char *dep, const char *entity, long long entity_id,
		      const struct deploy_event *e)
{
	return add_body(app, type, dep, entity, entity_id, EVENT_DEPLOYMENT, e, sizeof *e) ? 0 : -1;
}

int events_add_allocation(struct app *app, const char *what, const struct allocation_row *a)
{
	char type[32];
	snprintf(type, sizeof type, "allocation.%s", what);
	struct event *ev = add_body(app, type, a->dep, "structure", a->structure_id, EVENT_ALLOCATION, a, sizeof *a);
	if (!ev)
		return -1;
	snprintf(ev->dep2, sizeof ev->dep2, "%s", a->source_dep);
	snprintf(ev->entity2, sizeof ev->entity2, "%s", holder_kind_name(a->source_kind));
	ev->entity2_id = a->source_id;
	return 0;
}

int events_add_request(struct app *app, const char *what, const struct stock_request_row *r)
{
	char type[32];
	snprintf(type, sizeof type, "allocation.request_%s", what);
	return add_body(app, type, r->dep, "structure", r->structure_id, EVENT_REQUEST, r, sizeof *r) ? 0 : -1;
}

void events_set_text(struct app *app, size_t i, char *text)
{
	struct event *ev = i < app->events.n ? &app->events.list[i] : NULL;
	if (!ev) {
		free(text);
		return;
	}
	free(ev->text);
	ev->text = text;
}

size_t events_mark(const struct app *app)
{
	return app->events.n;
}

void events_drop_from(struct app *app, size_t mark)
{
	struct events *e = &app->events;
	while (e->n > mark) {
		struct event *ev = &e->list[--e->n];
		event_free_body(ev);
	}
}

void events_release(struct events *e)
{
	while (e->n) {
		struct event *ev = &e->list[--e->n];
		event_free_body(ev);
	}
	free(e->list);
	memset(e, 0, sizeof *e);
}
