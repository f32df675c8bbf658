/* tx: the one way renfortd runs a transaction. Its writes and its events go together: events
 * added while it is open are published after its commit, in order, numbered without gaps, by the
 * hook the transport sets (app->publish); a rollback forgets them. The group commit of client
 * writes, the periodic jobs, the SMS sender and the command line all go through here. */
#ifndef RENFORT_TX_H
#define RENFORT_TX_H

struct app;

/* Begins a transaction at the application's time (app_now). 0, or -1 when the database refuses. */
int tx_begin(struct app *app);
/* Commits, then publishes the events. -1 when the commit failed: everything was rolled back. */
int tx_commit(struct app *app);
void tx_rollback(struct app *app);

/* The group commit answers its writers between the commit and the publication of the events:
 * tx_commit is these two. */
int tx_commit_only(struct app *app);
void tx_publish(struct app *app);

/* A write of a batch under a savepoint of its own (one level): undone alone, with its events. */
int tx_savepoint(struct app *app);
int tx_release(struct app *app);
void tx_rollback_savepoint(struct app *app);

#endif
