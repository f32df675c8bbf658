/* store_checkpointer: write-ahead log checkpoints on a thread of their own, over a connection of
 * their own. Copying the log into the database file and syncing it then runs beside the event loop
 * (on the other core) instead of inside whichever commit crossed SQLite's automatic threshold. */
#ifndef RENFORT_STORE_CHECKPOINTER_H
#define RENFORT_STORE_CHECKPOINTER_H

#include "store.h"

#include <stddef.h>

struct checkpointer;

struct checkpointer_stats {
	unsigned long long runs;     /* checkpoints run */
	unsigned long long restarts; /* of which ended with a restart (the log written again from its start) */
	long long wal_frames;        /* frames in the log after the last commit */
};

/* From now on st no longer checkpoints by itself: once a commit leaves `pages` frames or more in the
 * log, the thread runs passive checkpoints (they never block st's writes or reads), and, past 8 x
 * pages, one restart checkpoint that holds st's next commit back while it copies the last frames
 * (the log file is then written again from its beginning). NULL with err when the thread or its
 * connection cannot be had; st then keeps checkpointing by itself. */
struct checkpointer *checkpointer_start(struct store *st, int pages, char *err, size_t errlen);
/* Waits for a checkpoint in progress, stops the thread, closes its connection; st checkpoints by
 * itself again. NULL is a no-op. */
void checkpointer_stop(struct checkpointer *c);
void checkpointer_stats(struct checkpointer *c, struct checkpointer_stats *out);

#endif
