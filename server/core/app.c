#include "app.h"

#include "clock.h"
#include "log.h"
#include "seed.h"
#include "store.h"
#include "store_checkpointer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

long long app_now(const struct app *app)
{
	return clock_wall_ms() + app->clock_offset_ms;
}

int app_open(struct app *app, char *err, size_t errlen)
{
	char why[256];
	if (threshold_rules_parse(app->cfg.alert_thresholds, (double)app->cfg.alert_margin_hours / 24.0, &app->thresholds,
				  why, sizeof why)) {
		snprintf(err, errlen, "alert_thresholds: %s", why);
		return -1;
	}
	if (strcmp(app->cfg.forecast_model, "trend") && strcmp(app->cfg.forecast_model, "average")) {
		snprintf(err, errlen, "forecast_model: must be trend or average");
		return -1;
	}
	app->forecast_average = strcmp(app->cfg.forecast_model, "average") == 0;
	app->forecast = forecast_default_params();
	const struct config *c = &app->cfg;
	if (allocation_config_init(&app->alloc, c->allocation_target_days, c->allocation_cap_days, c->allocation_floor_days,
				   c->surplus_days, c->allocation_weights, c->allocation_legal_weights, c->allocation_packs, err,
				   errlen))
		return -1;
	if (store_open(&app->store, app->cfg.db, app->cfg.schema_dir, err, errlen))
		return -1;
	if (seed_reference_data(app->store, app->cfg.data_dir, app_now(app), err, errlen)) {
		app_close(app);
		return -1;
	}
	if (app->cfg.checkpoint_pages > 0 &&
	    !(app->checkpointer = checkpointer_start(app->store, (int)app->cfg.checkpoint_pages, err, errlen))) {
		app_close(app);
		return -1;
	}
	long long last_seq = 0;
	if (store_meta_get(app->store, "event_seq", &last_seq) == STORE_ERROR) {
		snprintf(err, errlen, "cannot read the event sequence");
		app_close(app);
		return -1;
	}
	app->event_seq = last_seq;
	long long exercise = 0;
	if (store_meta_get(app->store, "exercise", &exercise) == STORE_ERROR) {
		snprintf(err, errlen, "cannot read whether the database is an exercise's");
		app_close(app);
		return -1;
	}
	app->exercise = exercise != 0;
	return 0;
}

void app_close(struct app *app)
{
	checkpointer_stop(app->checkpointer); /* first: the store's close checkpoints what is left */
	app->checkpointer = NULL;
	store_close(app->store);
	app->store = NULL;
	events_release(&app->events);
	forecast_pool_free(app->pool);
	app->pool = NULL;
	free(app->signup_guard);
	app->signup_guard = NULL;
}

int app_refuse_store(struct app *app, struct rf_error *err, int rc, const char *field)
{
	store_rf_error(app->store, rc, field, err);
	return -1;
}
