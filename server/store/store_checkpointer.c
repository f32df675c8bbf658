#include "store_checkpointer.h"

#include "log.h"
#include "store_sqlite.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The log is started again from its beginning once it holds this many times `pages` frames: with
 * 4000, the log file stays at about 32,000 frames (128 MiB measured). Measured with the ingest
 * benchmark: at 1, the restart's wait (10-25 ms) came every few commits and set the
 * acknowledgement p99; at 8 it falls below the 99th percentile. */
#define RESTART_FACTOR 8

struct checkpointer {
	struct store *st;
	sqlite3 *db; /* the thread's own connection: a connection is used by one thread at a time */
	int pages;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	/* under lock */
	int wanted, stopping;
	unsigned long long runs, restarts;
	long long wal_frames;
};

/* SQLite calls this on st's connection (the event loop's thread) after every commit. */
static int on_commit(void *arg, sqlite3 *db, const char *name, int frames)
{
	(void)db;
	(void)name;
	struct checkpointer *c = arg;
	pthread_mutex_lock(&c->lock);
	c->wal_frames = frames;
	if (frames >= c->pages && !c->wanted) {
		c->wanted = 1;
		pthread_cond_signal(&c->wake);
	}
	pthread_mutex_unlock(&c->lock);
	return SQLITE_OK;
}

static void *run(void *arg)
{
	struct checkpointer *c = arg;
	pthread_mutex_lock(&c->lock);
	for (;;) {
		while (!c->wanted && !c->stopping)
			pthread_cond_wait(&c->wake, &c->lock);
		if (c->stopping)
			break;
		c->wanted = 0;
		pthread_mutex_unlock(&c->lock);
		/* Passive: copies the log into the database without holding anyone up while commits go
		 * on (again while much was added meanwhile). But the log starts again from its beginning
		 * only after a copy that was complete when a commit began, which a copy beside steady
		 * commits never is: past RESTART_FACTOR x pages, a restart checkpoint holds the next
		 * commit back (its busy handler waits) while it copies and syncs what is left, about one
		 * commit's frames. Rarely, as that wait is the slowest commit of all. */
		int logged = 0, copied = 0, rc = SQLITE_OK;
		for (int pass = 0; pass < 4 && rc == SQLITE_OK; pass++) {
			rc = sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &logged, &copied);
			if (logged - copied <= c->pages / 16)
				break;
		}
		int restart = rc == SQLITE_OK && logged >= RESTART_FACTOR * c->pages;
		if (restart)
			rc = sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_RESTART, &logged, &copied);
		if (rc != SQLITE_OK && rc != SQLITE_BUSY)
			log_warn("store: background checkpoint: %s", sqlite3_errmsg(c->db));
		pthread_mutex_lock(&c->lock);
		if (rc == SQLITE_OK) {
			c->runs++;
			c->restarts += (unsigned long long)restart;
		}
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

struct checkpointer *checkpointer_start(struct store *st, int pages, char *err, size_t errlen)
{
	const char *path = sqlite3_db_filename(store_db(st), "main");
	struct checkpointer *c = calloc(1, sizeof *c);
	if (!c || !path || !path[0]) {
		snprintf(err, errlen, "checkpointer: %s", c ? "no database file" : "out of memory");
		free(c);
		return NULL;
	}
	c->st = st;
	c->pages = pages;
	/* FULL: the database file is synced before the log may be started again over what it held */
	if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    sqlite3_exec(c->db, "PRAGMA synchronous=FULL", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_busy_handler(c->db, store_wait_busy, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "checkpointer: cannot open %s: %s", path, c->db ? sqlite3_errmsg(c->db) : "out of memory");
		sqlite3_close(c->db);
		free(c);
		return NULL;
	}
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->wake, NULL);
	if (pthread_create(&c->thread, NULL, run, c) != 0) {
		snprintf(err, errlen, "checkpointer: cannot start a thread");
		pthread_cond_destroy(&c->wake);
		pthread_mutex_destroy(&c->lock);
		sqlite3_close(c->db);
		free(c);
		return NULL;
	}
	/* replaces SQLite's automatic checkpoint, which shares this hook */
	sqlite3_wal_hook(store_db(st), on_commit, c);
	return c;
}

void checkpointer_stop(struct checkpointer *c)
{
	if (!c)
		return;
	sqlite3_wal_autocheckpoint(store_db(c->st), 1000); /* SQLite's own default, and its hook */
	pthread_mutex_lock(&c->lock);
	c->stopping = 1;
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->thread, NULL);
	pthread_cond_destroy(&c->wake);
	pthread_mutex_destroy(&c->lock);
	sqlite3_close(c->db);
	free(c);
}

void checkpointer_stats(struct checkpointer *c, struct checkpointer_stats *out)
{
	memset(out, 0, sizeof *out);
	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	out->runs = c->runs;
	out->restarts = c->restarts;
	out->wal_frames = c->wal_frames;
	pthread_mutex_unlock(&c->lock);
}
