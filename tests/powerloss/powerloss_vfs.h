/* powerloss_vfs: a SQLite VFS for tests only, laid over the default ("unix") one, that models what
 * a power cut leaves on a disk. Every write, truncation and sync passes through to the real file,
 * but until the file's next xSync the shim keeps the content each touched 512-byte sector had at
 * the last sync. A "cut" then fails every later write, sync, truncation and deletion (the machine
 * is off: nothing more reaches the disk), and plvfs_restore() puts every file back as the disk
 * would hold it: each sector written since its file's last sync either dropped (its synced content
 * back) or, in torn mode, kept or dropped at random, as a disk that reorders and loses queued
 * writes does. Deletions and creations of files are taken as durable; the -shm file is not
 * (SQLite rebuilds it) and is deleted. The real fsync() is never called: the disk is the model.
 *
 * Files are tracked by path from their first open after plvfs_reset(): what they hold then is
 * taken as synced. Thread-safe (the checkpointer's thread writes beside the event loop's). */
#ifndef RENFORT_POWERLOSS_VFS_H
#define RENFORT_POWERLOSS_VFS_H

#define PLVFS_SECTOR 512

/* What the cut stopped: the operation and the kind of file it was on. */
enum plvfs_op { PLVFS_NONE, PLVFS_WRITE, PLVFS_SYNC, PLVFS_TRUNCATE, PLVFS_END /* plvfs_cut_now() */ };
enum plvfs_file { PLVFS_DB, PLVFS_WAL, PLVFS_JOURNAL, PLVFS_OTHER };

struct plvfs_cut {
	enum plvfs_op op;
	enum plvfs_file file;
	long long event; /* its number (1, 2, ...), 0 for PLVFS_END */
};

/* Registers the shim as SQLite's default VFS (over "unix"): SQLITE_OK or an SQLite code. */
int plvfs_register(void);
/* Forgets every tracked file and any cut, and counts events from 0 again. cut_at > 0: the power
 * is cut instead of the cut_at-th event (a write, sync or truncation of a database, log or journal
 * file); 0: only by plvfs_cut_now(). */
void plvfs_reset(long long cut_at);
/* Cuts the power now (if not already cut). */
void plvfs_cut_now(void);
int plvfs_is_cut(void);
/* Events seen since plvfs_reset(). */
long long plvfs_events(void);
void plvfs_last_cut(struct plvfs_cut *out);
/* After the cut, with every connection closed: puts each tracked file back to what the disk holds
 * (torn = 0: every unsynced sector dropped; 1: each kept or dropped at random from seed), deletes
 * the -shm files, forgets the files, and turns the power back on (no cut planned, events counted
 * from 0). Returns the sectors dropped, or -1 on an I/O error. */
long long plvfs_restore(int torn, unsigned seed);

const char *plvfs_op_name(enum plvfs_op op);
const char *plvfs_file_name(enum plvfs_file f);

#endif
