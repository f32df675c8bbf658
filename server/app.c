#include "app.h"

#include "clock.h"
#include "hub.h"
#include "log.h"
#include "seed.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>

long long app_now(const struct app *app)
{
	return clock_wall_ms() + app->clock_offset_ms;
}

int app_open(struct app *app, char *err, size_t errlen)
{
	if (store_open(&app->store, app->cfg.db, app->cfg.schema_dir, err, errlen))
		return -1;
	if (seed_reference_data(app->store, app->cfg.data_dir, app_now(app), err, errlen)) {
		app_close(app);
		return -1;
	}
	if (!(app->hub = hub_new(app))) {
		snprintf(err, errlen, "out of memory");
		app_close(app);
		return -1;
	}
	return 0;
}

void app_close(struct app *app)
{
	hub_free(app->hub);
	app->hub = NULL;
	store_close(app->store);
	app->store = NULL;
	for (size_t i = 0; i < app->nevents; i++) {
		free(app->events[i].type);
		free(app->events[i].entity);
		free(app->events[i].payload);
	}
	free(app->events);
	app->events = NULL;
	app->nevents = app->events_cap = 0;
}
