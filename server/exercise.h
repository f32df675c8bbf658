/* exercise: `renfortd exercise SCENARIO` runs a scenario through the live server on an exercise's own
 * database, for a coordination cell to train on the real dashboard. The database is marked when it is
 * created (meta "exercise"), and a database without the mark is refused: an exercise never runs on the
 * real one. The scenario is played by a driver (clients/exercise/driver.py), a client of the API with
 * tokens like any other, started once the server listens and stopped with it. */
#ifndef RENFORT_EXERCISE_H
#define RENFORT_EXERCISE_H

#include <stddef.h>

struct app;

struct exercise {
	const char *scenario; /* the scenario file (tests/bench/forecast/generate.py writes them); NULL:
			       * the exercise's own, scenarios/wave-cluster.json of exercise_dir */
	long long speed;      /* simulated seconds per real second */
};

/* Before app_open: refuses a scenario that cannot be read. created says whether the database did not exist yet
 * (it is then created and marked). Sets what exercise mode needs in app->cfg (the test clock the
 * driver moves). */
int exercise_check(struct app *app, struct exercise *ex, int *created, char *err, size_t errlen);
/* After app_open: marks a new database, refuses an existing one without the mark, makes the driver's
 * and the cell's tokens, and arranges for the driver to start once the server listens. */
int exercise_prepare(struct app *app, const struct exercise *ex, int created, char *err, size_t errlen);
/* After the server stopped: stops the driver if it still runs, and waits for it. */
void exercise_finish(void);

#endif
