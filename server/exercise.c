#include "exercise.h"

#include "app.h"
#include "auth.h"
#include "log.h"
#include "server_tokens.h"
#include "store.h"

#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* The driver's run, kept from prepare to the moment the server listens, then to its end. */
static struct {
	const struct exercise *ex;
	char driver_token[48]; /* admin: makes the structures and their tokens, moves the clock */
	char cell_token[48];   /* the regional coordinator's, printed as the dashboard's link */
	pid_t pid;             /* 0: no driver running */
} run;

int exercise_check(struct app *app, struct exercise *ex, int *created, char *err, size_t errlen)
{
	/* the March 2020 wave with a cluster (generate.py --exercise), installed with the driver */
	static char wave_cluster[4200];
	if (!ex->scenario) {
		snprintf(wave_cluster, sizeof wave_cluster, "%s/scenarios/wave-cluster.json", app->cfg.exercise_dir);
		ex->scenario = wave_cluster;
	}
	if (access(ex->scenario, R_OK)) {
		snprintf(err, errlen, "exercise: cannot read the scenario %s", ex->scenario);
		return -1;
	}
	*created = access(app->cfg.db, F_OK) != 0;
	/* the simulated time is the driver's: it moves the clock (clock.advance) at the chosen speed */
	app->cfg.test_clock = 1;
	return 0;
}

static void start_driver(struct app *app)
{
	char script[4200], speed[32], token_env[64];
	snprintf(script, sizeof script, "%s/driver.py", app->cfg.exercise_dir);
	snprintf(speed, sizeof speed, "%lld", run.ex->speed);
	/* the token goes in the environment, not on a command line that ps shows to everyone */
	snprintf(token_env, sizeof token_env, "RENFORT_TOKEN=%s", run.driver_token);
	size_t n = 0;
	while (environ[n])
		n++;
	char **env = calloc(n + 2, sizeof *env);
	if (!env) {
		log_error("exercise: out of memory: the scenario does not start");
		return;
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "RENFORT_TOKEN=", 14))
			env[k++] = environ[i];
	env[k++] = token_env;
	env[k] = NULL;
	char *argv[] = {"python3", script, "--url", app->public_url, "--scenario", (char *)run.ex->scenario, "--speed",
			speed, NULL};
	int rc = posix_spawnp(&run.pid, "python3", NULL, NULL, argv, env);
	free(env);
	if (rc) {
		run.pid = 0;
		log_error("exercise: cannot start the scenario driver (python3 %s): %s", script, strerror(rc));
		return;
	}
	printf("\nrenfort EXERCISE is running (database %s, scenario %s, speed %lld: a simulated day every %.3g "
	       "real minutes).\n"
	       "  Dashboard (regional coordinator): %s/?token=%s\n"
	       "  Everything it sends is marked as an exercise. Stop with Ctrl-C.\n\n",
	       app->cfg.db, run.ex->scenario, run.ex->speed, 1440.0 / (double)run.ex->speed, app->public_url,
	       run.cell_token);
	fflush(stdout);
}

int exercise_prepare(struct app *app, const struct exercise *ex, int created, char *err, size_t errlen)
{
	if (created) {
		if (store_begin(app->store, app_now(app), NULL))
			goto fail;
		if (store_meta_set(app->store, "exercise", 1) || store_commit(app->store)) {
			store_rollback(app->store);
			goto fail;
		}
		app->exercise = 1;
	} else if (!app->exercise) {
		snprintf(err, errlen,
			 "exercise: %s is not an exercise's database (it was not created by renfortd exercise): refused, "
			 "an exercise never runs on a real database; give a new file with --db",
			 app->cfg.db);
		return -1;
	}
	if (server_token_issue(app, ROLE_ADMIN, "exercise driver", run.driver_token) ||
	    server_token_issue(app, ROLE_COORDINATOR, "exercise cell", run.cell_token))
		goto fail;
	run.ex = ex;
	app->on_listening = start_driver;
	return 0;
fail:
	snprintf(err, errlen, "exercise: cannot prepare the database %s", app->cfg.db);
	return -1;
}

void exercise_finish(void)
{
	if (!run.pid)
		return;
	/* the driver may have ended by itself (the scenario played out): then this only reaps it */
	kill(run.pid, SIGTERM);
	int status;
	waitpid(run.pid, &status, 0);
	run.pid = 0;
}
