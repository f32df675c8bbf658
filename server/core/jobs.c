#include "jobs.h"

#include "alert_engine.h"
#include "alert_escalation.h"
#include "app.h"
#include "deployment.h"
#include "signup.h"
#include "volunteer_availability.h"
#include "sms_sender.h"
#include "stock_forecast.h"
#include "store.h"
#include "store_idem.h"
#include "tx.h"

#include <string.h>

#define SECOND_US 1000000LL

/* A job's work in a transaction of its own: all of it, or nothing (it runs again at its next turn). */
static void in_tx(struct app *app, int (*work)(struct app *app, long long now), long long now)
{
	if (tx_begin(app) == 0) {
		if (work(app, now))
			tx_rollback(app);
		else
			tx_commit(app);
	}
}

/* Idempotency keys older than idempotency_ttl_s are forgotten. */
static long long prune_idempotency(struct app *app, long long now)
{
	if (tx_begin(app) == 0) {
		if (store_idem_prune(app->store, now - app->cfg.idempotency_ttl_s * 1000))
			tx_rollback(app);
		else
			tx_commit(app);
	}
	return 60 * SECOND_US;
}

/* Structures that went silent get their alert. */
static long long check_silent(struct app *app, long long now)
{
	in_tx(app, alert_engine_check_silent, now);
	return app->cfg.alert_check_interval_s * SECOND_US;
}

/* Critical alerts nobody acknowledged go up to the next duty officers. */
static long long escalate(struct app *app, long long now)
{
	in_tx(app, escalation_run, now);
	return 60 * SECOND_US;
}

/* Levels whose projection moved by itself (an alert's hold ended, a threshold crossed, the estimate at
 * zero) get their alert rules; the territory's pooled prior is rebuilt when old. A backlog runs again
 * a millisecond later, in transactions of its own, so that reports are not held behind it. */
static long long forecast_sweep(struct app *app, long long now)
{
	int left = 0;
	if (tx_begin(app) == 0) {
		if (stock_forecast_refresh_pool(app, now, 0) || stock_forecast_sweep(app, now, 256, &left))
			tx_rollback(app);
		else
			tx_commit(app);
	}
	return left ? 1000 : app->cfg.alert_check_interval_s * SECOND_US;
}

/* A token revoked by another program on the same database (renfortd token revoke) is noticed here:
 * its open websockets close within this time (the transport closes them after every job). */
static long long notice_other_writers(struct app *app, long long now)
{
	(void)now;
	store_notice_other_writers(app->store);
	return 5 * SECOND_US;
}

/* The SMS outbox: due messages handed to the gateways, answers recorded. */
static long long send_sms(struct app *app, long long now)
{
	return sms_sender_tick(app->sms, now);
}

/* Deployment calls that went unanswered (the next wave), requests whose deadline came. */
static long long check_deployments(struct app *app, long long now)
{
	in_tx(app, deployment_tick, now);
	return app->cfg.staff_check_interval_s * SECOND_US;
}

/* Availability windows and assigned shifts that began or ended; credential reminders. */
static long long check_availability(struct app *app, long long now)
{
	in_tx(app, availability_tick, now);
	return app->cfg.staff_check_interval_s * SECOND_US;
}

/* Sign-up counts older than the hour they limit. */
static long long prune_signups(struct app *app, long long now)
{
	in_tx(app, signup_prune, now);
	return 600 * SECOND_US;
}

static long long after_staff_interval(const struct app *app)
{
	return app->cfg.staff_check_interval_s * SECOND_US;
}

static long long after_a_minute(const struct app *app)
{
	(void)app;
	return 60 * SECOND_US;
}

static long long after_silent_interval(const struct app *app)
{
	return app->cfg.alert_check_interval_s * SECOND_US;
}

static long long after_5s(const struct app *app)
{
	(void)app;
	return 5 * SECOND_US;
}

static long long at_once(const struct app *app)
{
	(void)app;
	return 1000;
}

static const struct job jobs[] = {
	{"idempotency", prune_idempotency, after_a_minute},
	{"silent", check_silent, after_silent_interval},
	{"escalation", escalate, after_a_minute},
	{"forecast", forecast_sweep, after_silent_interval},
	{"tokens", notice_other_writers, after_5s},
	{"sms", send_sms, at_once},
	{"deployments", check_deployments, after_staff_interval},
	{"availability", check_availability, after_staff_interval},
	{"signups", prune_signups, after_a_minute},
};

const struct job *jobs_table(size_t *n)
{
	*n = sizeof jobs / sizeof jobs[0];
	return jobs;
}

const struct job *job_find(const char *name)
{
	for (size_t i = 0; i < sizeof jobs / sizeof jobs[0]; i++)
		if (strcmp(jobs[i].name, name) == 0)
			return &jobs[i];
	return NULL;
}
