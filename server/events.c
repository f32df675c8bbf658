#include "events.h"

#include "app.h"
#include "store.h"
#include "store_alert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

size_t events_mark(const struct app *app)
{
	return app->events.n;
}

void events_drop_from(struct app *app, size_t mark)
{
	struct events *e = &app->events;
	while (e->n > mark) {
		struct event *ev = &e->list[--e->n];
		free(ev->text);
		free(ev->alert);
	}
}

void events_release(struct events *e)
{
	while (e->n) {
		struct event *ev = &e->list[--e->n];
		free(ev->text);
		free(ev->alert);
	}
	free(e->list);
	memset(e, 0, sizeof *e);
}
