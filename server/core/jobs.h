/* jobs: renfortd's periodic work, in one table: each job runs in the event loop, in transactions of
 * its own (tx.h), and says when it wants to run again. The transport schedules them; a new periodic
 * job is one line here. */
#ifndef RENFORT_JOBS_H
#define RENFORT_JOBS_H

#include <stddef.h>

struct app;

struct job {
	const char *name;
	/* Runs the job at now (ms, the application's clock); returns the microseconds until its next run. */
	long long (*run)(struct app *app, long long now);
	/* The microseconds until its first run. */
	long long (*first)(const struct app *app);
};

/* The jobs, in no particular order; *n gets their number. */
const struct job *jobs_table(size_t *n);
/* The job named name, or NULL. */
const struct job *job_find(const char *name);

#endif
