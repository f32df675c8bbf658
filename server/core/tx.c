#include "tx.h"

#include "alert_engine.h"
#include "app.h"
#include "events.h"
#include "store.h"

int tx_begin(struct app *app)
{
	return store_begin(app->store, app_now(app), NULL) ? -1 : 0;
}

static void forget_overstock(struct app *app)
{
	app->overstock_npending = 0;
	app->overstock_overflow = 0;
}

void tx_rollback(struct app *app)
{
	store_rollback(app->store);
	events_drop_from(app, 0);
	forget_overstock(app);
}

int tx_commit_only(struct app *app)
{
	app->metrics.commits++;
	/* the overstock alerts of the départements where a shortage crossed critical in this transaction,
	 * once for all its writes (a review reads every structure holding the item), before it commits */
	if ((app->overstock_npending || app->overstock_overflow) && alert_engine_overstock_pending(app)) {
		app->metrics.commit_failures++;
		tx_rollback(app);
		return -1;
	}
	forget_overstock(app);
	/* the numbers this transaction's events will get are used up, even if publishing is cut short */
	size_t n = events_mark(app);
	if ((n && store_meta_set(app->store, "event_seq", app->event_seq + (long long)n)) || store_commit(app->store)) {
		app->metrics.commit_failures++;
		tx_rollback(app);
		return -1;
	}
	return 0;
}

void tx_publish(struct app *app)
{
	struct events *e = &app->events;
	for (size_t i = 0; i < e->n; i++)
		e->list[i].seq = ++app->event_seq;
	if (app->publish)
		app->publish(app, e->list, e->n);
	app->metrics.events_published += e->n;
	events_drop_from(app, 0);
	if (app->checkpoint_wanted) {
		/* an erasure: do not leave the erased bytes in the write-ahead log */
		app->checkpoint_wanted = 0;
		store_checkpoint(app->store);
	}
}

int tx_commit(struct app *app)
{
	if (tx_commit_only(app))
		return -1;
	tx_publish(app);
	return 0;
}

int tx_savepoint(struct app *app)
{
	if (store_savepoint(app->store))
		return -1;
	app->savepoint_mark = events_mark(app);
	return 0;
}

int tx_release(struct app *app)
{
	return store_release(app->store) ? -1 : 0;
}

void tx_rollback_savepoint(struct app *app)
{
	store_rollback_savepoint(app->store);
	events_drop_from(app, app->savepoint_mark);
}
