/* powerloss_vfs: see powerloss_vfs.h. Test code only: never linked into renfortd. */
#include "powerloss_vfs.h"

#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The sectors of one file written since its last sync, each with the content it had then. Open
 * addressing on the sector number. */
struct sector_map {
	long long *keys; /* -1: empty */
	unsigned char **saved;
	size_t cap, n;
};

/* A file as the disk knows it, shared by every handle open on its path (the event loop's connection
 * and the checkpointer's both open the database and its log). */
struct tracked {
	char *path;
	enum plvfs_file kind;
	long long synced_size;
	struct sector_map dirty;
};

struct pl_file {
	sqlite3_file base;
	struct tracked *t; /* NULL: not tracked (temporary files) */
	sqlite3_file *real; /* the unix VFS's file, allocated right after this struct */
};

static sqlite3_vfs *real_vfs;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
/* under lock */
static struct tracked **files;
static size_t nfiles, files_cap;
static long long events, cut_at;
static int cut;
static struct plvfs_cut last_cut;

/* --- the sector map ------------------------------------------------------------------------------ */

static size_t slot_of(const struct sector_map *m, long long key)
{
	size_t i = ((size_t)key * 11400714819323198485ULL) & (m->cap - 1);
	while (m->keys[i] != -1 && m->keys[i] != key)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static void map_clear(struct sector_map *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->saved[i]);
	free(m->keys);
	free(m->saved);
	memset(m, 0, sizeof *m);
}

static int map_grow(struct sector_map *m)
{
	struct sector_map g = {0};
	g.cap = m->cap ? m->cap * 2 : 64;
	g.keys = malloc(g.cap * sizeof *g.keys);
	g.saved = calloc(g.cap, sizeof *g.saved);
	if (!g.keys || !g.saved) {
		free(g.keys);
		free(g.saved);
		return -1;
	}
	for (size_t i = 0; i < g.cap; i++)
		g.keys[i] = -1;
	for (size_t i = 0; i < m->cap; i++)
		if (m->keys[i] != -1) {
			size_t j = slot_of(&g, m->keys[i]);
			g.keys[j] = m->keys[i];
			g.saved[j] = m->saved[i];
		}
	g.n = m->n;
	free(m->keys);
	free(m->saved);
	*m = g;
	return 0;
}

/* Keeps sector s's content as of the last sync, read from the real file, unless kept already (it
 * was written since the sync: what it holds now is not what was synced). */
static int save_sector(struct pl_file *f, long long s)
{
	struct sector_map *m = &f->t->dirty;
	if ((m->n + 1) * 2 > m->cap && map_grow(m))
		return SQLITE_NOMEM;
	size_t i = slot_of(m, s);
	if (m->keys[i] == s)
		return SQLITE_OK;
	unsigned char *buf = malloc(PLVFS_SECTOR);
	if (!buf)
		return SQLITE_NOMEM;
	/* a short read fills the rest with zeros: what a sector past the end holds */
	int rc = f->real->pMethods->xRead(f->real, buf, PLVFS_SECTOR, s * PLVFS_SECTOR);
	if (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ) {
		free(buf);
		return rc;
	}
	m->keys[i] = s;
	m->saved[i] = buf;
	m->n++;
	return SQLITE_OK;
}

/* --- the registry of tracked files ------------------------------------------------------------ */

static struct tracked *find_tracked(const char *path)
{
	for (size_t i = 0; i < nfiles; i++)
		if (strcmp(files[i]->path, path) == 0)
			return files[i];
	return NULL;
}

static void forget_tracked(size_t i)
{
	map_clear(&files[i]->dirty);
	free(files[i]->path);
	free(files[i]);
	files[i] = files[--nfiles];
}

static struct tracked *add_tracked(const char *path, enum plvfs_file kind)
{
	if (nfiles == files_cap) {
		size_t cap = files_cap ? files_cap * 2 : 8;
		struct tracked **p = realloc(files, cap * sizeof *p);
		if (!p)
			return NULL;
		files = p;
		files_cap = cap;
	}
	struct tracked *t = calloc(1, sizeof *t);
	if (!t || !(t->path = strdup(path))) {
		free(t);
		return NULL;
	}
	t->kind = kind;
	t->synced_size = -1; /* set from the file's size once it is open */
	files[nfiles++] = t;
	return t;
}

/* One event (a write, sync or truncation of a tracked file): SQLITE_OK to go on, else the error
 * the operation returns because the power is (now) off. Under lock. */
static int count_event(struct pl_file *f, enum plvfs_op op, int ioerr)
{
	if (cut)
		return ioerr;
	events++;
	if (events == cut_at) {
		cut = 1;
		last_cut.op = op;
		last_cut.file = f->t->kind;
		last_cut.event = events;
		return ioerr;
	}
	return SQLITE_OK;
}

/* --- the file's methods ---------------------------------------------------------------------------- */

static int pl_close(sqlite3_file *file)
{
	struct pl_file *f = (struct pl_file *)file;
	return f->real->pMethods ? f->real->pMethods->xClose(f->real) : SQLITE_OK;
}

static int pl_read(sqlite3_file *file, void *buf, int amt, sqlite3_int64 off)
{
	struct pl_file *f = (struct pl_file *)file;
	return f->real->pMethods->xRead(f->real, buf, amt, off);
}

static int pl_write(sqlite3_file *file, const void *buf, int amt, sqlite3_int64 off)
{
	struct pl_file *f = (struct pl_file *)file;
	if (!f->t)
		return f->real->pMethods->xWrite(f->real, buf, amt, off);
	pthread_mutex_lock(&lock);
	int rc = count_event(f, PLVFS_WRITE, SQLITE_IOERR_WRITE);
	for (long long s = off / PLVFS_SECTOR; rc == SQLITE_OK && amt > 0 && s <= (off + amt - 1) / PLVFS_SECTOR; s++)
		rc = save_sector(f, s);
	if (rc == SQLITE_OK)
		rc = f->real->pMethods->xWrite(f->real, buf, amt, off);
	pthread_mutex_unlock(&lock);
	return rc;
}

static int pl_truncate(sqlite3_file *file, sqlite3_int64 size)
{
	struct pl_file *f = (struct pl_file *)file;
	if (!f->t)
		return f->real->pMethods->xTruncate(f->real, size);
	pthread_mutex_lock(&lock);
	sqlite3_int64 cur = 0;
	int rc = count_event(f, PLVFS_TRUNCATE, SQLITE_IOERR_TRUNCATE);
	if (rc == SQLITE_OK)
		rc = f->real->pMethods->xFileSize(f->real, &cur);
	/* the sectors cut off (and the one cut through) are written too, with nothing */
	for (long long s = size / PLVFS_SECTOR; rc == SQLITE_OK && s * PLVFS_SECTOR < cur; s++)
		rc = save_sector(f, s);
	if (rc == SQLITE_OK)
		rc = f->real->pMethods->xTruncate(f->real, size);
	pthread_mutex_unlock(&lock);
	return rc;
}

static int pl_sync(sqlite3_file *file, int flags)
{
	(void)flags;
	struct pl_file *f = (struct pl_file *)file;
	if (!f->t)
		return SQLITE_OK;
	pthread_mutex_lock(&lock);
	sqlite3_int64 size = 0;
	int rc = count_event(f, PLVFS_SYNC, SQLITE_IOERR_FSYNC);
	if (rc == SQLITE_OK)
		rc = f->real->pMethods->xFileSize(f->real, &size);
	if (rc == SQLITE_OK) {
		/* on the disk now: no fsync() of the real file, the model is the disk */
		map_clear(&f->t->dirty);
		f->t->synced_size = size;
	}
	pthread_mutex_unlock(&lock);
	return rc;
}

static int pl_file_size(sqlite3_file *file, sqlite3_int64 *size)
{
	struct pl_file *f = (struct pl_file *)file;
	return f->real->pMethods->xFileSize(f->real, size);
}

static int pl_lock(sqlite3_file *file, int level)
{
	struct pl_file *f = (struct pl_file *)file;
	return f->real->pMethods->xLock(f->real, level);
}

static int pl_unlock(sqlite3_file *file, int level)
{
	struct pl_file *f = (struct pl_file *)file;
	return f->real->pMethods->xUnlock(f->real, level);
}

static int pl_check_reserved(sqlite3_file *file, int *out)
{
	struct pl_file *f = (struct pl_file *)file;
	return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int pl_file_control(sqlite3_file *file, int op, void *arg)
{
	struct pl_file *f = (struct pl_file *)file;
	return f->real->pMethods->xFileControl(f->real, op, arg);
}

static int pl_sector_size(sqlite3_file *file)
{
	struct pl_file *f = (struct pl_file *)file;
	return f->real->pMethods->xSectorSize(f->real);
}

static int pl_device_characteristics(sqlite3_file *file)
{
	struct pl_file *f = (struct pl_file *)file;
	return f->real->pMethods->xDeviceCharacteristics(f->real);
}

/* The shared memory index is not on the disk's side of a power cut: passed through as it is. */
static int pl_shm_map(sqlite3_file *file, int page, int size, int extend, void volatile **out)
{
	struct pl_file *f = (struct pl_file *)file;
	return f->real->pMethods->xShmMap(f->real, page, size, extend, out);
}

static int pl_shm_lock(sqlite3_file *file, int offset, int n, int flags)
{
	struct pl_file *f = (struct pl_file *)file;
	return f->real->pMethods->xShmLock(f->real, offset, n, flags);
}

static void pl_shm_barrier(sqlite3_file *file)
{
	struct pl_file *f = (struct pl_file *)file;
	f->real->pMethods->xShmBarrier(f->real);
}

static int pl_shm_unmap(sqlite3_file *file, int delete_flag)
{
	struct pl_file *f = (struct pl_file *)file;
	return f->real->pMethods->xShmUnmap(f->real, delete_flag);
}

/* No memory-mapped pages: every read goes through xRead. */
static int pl_fetch(sqlite3_file *file, sqlite3_int64 off, int amt, void **out)
{
	(void)file;
	(void)off;
	(void)amt;
	*out = NULL;
	return SQLITE_OK;
}

static int pl_unfetch(sqlite3_file *file, sqlite3_int64 off, void *p)
{
	(void)file;
	(void)off;
	(void)p;
	return SQLITE_OK;
}

static const sqlite3_io_methods pl_methods = {
	3, pl_close, pl_read, pl_write, pl_truncate, pl_sync, pl_file_size, pl_lock, pl_unlock, pl_check_reserved,
	pl_file_control, pl_sector_size, pl_device_characteristics, pl_shm_map, pl_shm_lock, pl_shm_barrier, pl_shm_unmap,
	pl_fetch, pl_unfetch,
};

/* --- the VFS's methods ---------------------------------------------------------------------------- */

static enum plvfs_file kind_of(int flags)
{
	if (flags & SQLITE_OPEN_MAIN_DB)
		return PLVFS_DB;
	if (flags & SQLITE_OPEN_WAL)
		return PLVFS_WAL;
	if (flags & SQLITE_OPEN_MAIN_JOURNAL)
		return PLVFS_JOURNAL;
	return PLVFS_OTHER;
}

static int pl_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out_flags)
{
	(void)vfs;
	struct pl_file *f = (struct pl_file *)file;
	memset(f, 0, sizeof *f);
	f->real = (sqlite3_file *)(f + 1);
	int rc = real_vfs->xOpen(real_vfs, name, f->real, flags, out_flags);
	if (rc != SQLITE_OK || !f->real->pMethods)
		return rc;
	f->base.pMethods = &pl_methods;
	enum plvfs_file kind = kind_of(flags);
	if (!name || kind == PLVFS_OTHER)
		return SQLITE_OK;
	pthread_mutex_lock(&lock);
	struct tracked *t = find_tracked(name);
	if (!t && !(t = add_tracked(name, kind)))
		rc = SQLITE_NOMEM;
	sqlite3_int64 size = 0;
	/* first seen: what the file holds is on the disk */
	if (rc == SQLITE_OK && t->synced_size < 0 && (rc = f->real->pMethods->xFileSize(f->real, &size)) == SQLITE_OK)
		t->synced_size = size;
	if (rc == SQLITE_OK)
		f->t = t;
	pthread_mutex_unlock(&lock);
	if (rc != SQLITE_OK) {
		f->real->pMethods->xClose(f->real);
		f->base.pMethods = NULL;
	}
	return rc;
}

static int pl_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
	(void)vfs;
	pthread_mutex_lock(&lock);
	int off = cut;
	for (size_t i = 0; !off && i < nfiles; i++)
		if (strcmp(files[i]->path, name) == 0) {
			forget_tracked(i);
			break;
		}
	pthread_mutex_unlock(&lock);
	return off ? SQLITE_IOERR_DELETE : real_vfs->xDelete(real_vfs, name, sync_dir);
}

static int pl_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	(void)vfs;
	return real_vfs->xAccess(real_vfs, name, flags, out);
}

static int pl_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	(void)vfs;
	return real_vfs->xFullPathname(real_vfs, name, n, out);
}

static void *pl_dlopen(sqlite3_vfs *vfs, const char *name)
{
	(void)vfs;
	return real_vfs->xDlOpen(real_vfs, name);
}

static void pl_dlerror(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	real_vfs->xDlError(real_vfs, n, out);
}

static void (*pl_dlsym(sqlite3_vfs *vfs, void *h, const char *sym))(void)
{
	(void)vfs;
	return real_vfs->xDlSym(real_vfs, h, sym);
}

static void pl_dlclose(sqlite3_vfs *vfs, void *h)
{
	(void)vfs;
	real_vfs->xDlClose(real_vfs, h);
}

static int pl_randomness(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return real_vfs->xRandomness(real_vfs, n, out);
}

static int pl_sleep(sqlite3_vfs *vfs, int us)
{
	(void)vfs;
	return real_vfs->xSleep(real_vfs, us);
}

static int pl_current_time(sqlite3_vfs *vfs, double *out)
{
	(void)vfs;
	return real_vfs->xCurrentTime(real_vfs, out);
}

static int pl_last_error(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return real_vfs->xGetLastError(real_vfs, n, out);
}

static int pl_current_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	(void)vfs;
	return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

static sqlite3_vfs pl_vfs = {
	2, 0, 0, NULL, "powerloss", NULL, pl_open, pl_delete, pl_access, pl_full_pathname, pl_dlopen, pl_dlerror,
	pl_dlsym, pl_dlclose, pl_randomness, pl_sleep, pl_current_time, pl_last_error, pl_current_time64,
	NULL, NULL, NULL,
};

int plvfs_register(void)
{
	if (real_vfs)
		return SQLITE_OK;
	int rc = sqlite3_initialize();
	if (rc != SQLITE_OK)
		return rc;
	if (!(real_vfs = sqlite3_vfs_find("unix")))
		return SQLITE_ERROR;
	pl_vfs.szOsFile = (int)sizeof(struct pl_file) + real_vfs->szOsFile;
	pl_vfs.mxPathname = real_vfs->mxPathname;
	return sqlite3_vfs_register(&pl_vfs, 1);
}

/* --- the cut and what it leaves ------------------------------------------------------------------- */

void plvfs_reset(long long at)
{
	pthread_mutex_lock(&lock);
	while (nfiles)
		forget_tracked(nfiles - 1);
	events = 0;
	cut_at = at;
	cut = 0;
	memset(&last_cut, 0, sizeof last_cut);
	pthread_mutex_unlock(&lock);
}

void plvfs_cut_now(void)
{
	pthread_mutex_lock(&lock);
	if (!cut) {
		cut = 1;
		last_cut.op = PLVFS_END;
		last_cut.file = PLVFS_OTHER;
		last_cut.event = 0;
	}
	pthread_mutex_unlock(&lock);
}

int plvfs_is_cut(void)
{
	pthread_mutex_lock(&lock);
	int c = cut;
	pthread_mutex_unlock(&lock);
	return c;
}

long long plvfs_events(void)
{
	pthread_mutex_lock(&lock);
	long long n = events;
	pthread_mutex_unlock(&lock);
	return n;
}

void plvfs_last_cut(struct plvfs_cut *out)
{
	pthread_mutex_lock(&lock);
	*out = last_cut;
	pthread_mutex_unlock(&lock);
}

/* One file as the disk holds it after the cut. */
static long long restore_file(struct tracked *t, int torn, unsigned *rnd)
{
	int fd = open(t->path, O_RDWR);
	if (fd < 0)
		return -1; /* tracked files are never deleted once the power is off */
	long long dropped = 0;
	off_t cur = lseek(fd, 0, SEEK_END);
	struct sector_map *m = &t->dirty;
	unsigned char *keep = calloc(m->cap ? m->cap : 1, 1);
	if (cur < 0 || !keep) {
		close(fd);
		free(keep);
		return -1;
	}
	/* a sector kept (written to the platter) past the synced end makes the file that long */
	long long size = t->synced_size;
	for (size_t i = 0; i < m->cap; i++) {
		if (m->keys[i] == -1)
			continue;
		*rnd = *rnd * 1103515245u + 12345u;
		long long start = m->keys[i] * PLVFS_SECTOR;
		keep[i] = torn && ((*rnd >> 16) & 1) && start < cur;
		if (keep[i]) {
			long long end = start + PLVFS_SECTOR < cur ? start + PLVFS_SECTOR : cur;
			if (end > size)
				size = end;
		}
	}
	int rc = ftruncate(fd, size);
	for (size_t i = 0; rc == 0 && i < m->cap; i++) {
		if (m->keys[i] == -1 || keep[i])
			continue;
		long long start = m->keys[i] * PLVFS_SECTOR;
		dropped++;
		if (start >= size)
			continue;
		/* past the synced end, a sector held nothing */
		unsigned char *b = m->saved[i];
		for (long long k = 0; k < PLVFS_SECTOR; k++)
			if (start + k >= t->synced_size)
				b[k] = 0;
		size_t len = (size_t)(size - start < PLVFS_SECTOR ? size - start : PLVFS_SECTOR);
		if (pwrite(fd, b, len, (off_t)start) != (ssize_t)len)
			rc = -1;
	}
	free(keep);
	if (close(fd) || rc)
		return -1;
	return dropped;
}

long long plvfs_restore(int torn, unsigned seed)
{
	long long dropped = 0;
	unsigned rnd = seed;
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < nfiles && dropped >= 0; i++) {
		long long d = restore_file(files[i], torn, &rnd);
		dropped = d < 0 ? -1 : dropped + d;
		if (files[i]->kind == PLVFS_DB) {
			/* the shared memory index is rebuilt from the log by the next opener */
			size_t n = strlen(files[i]->path) + 5;
			char *shm = malloc(n);
			if (shm) {
				memcpy(shm, files[i]->path, n - 5);
				memcpy(shm + n - 5, "-shm", 5);
				unlink(shm);
				free(shm);
			}
		}
	}
	while (nfiles)
		forget_tracked(nfiles - 1);
	/* the power is back: the next opener (SQLite's recovery) may write */
	events = 0;
	cut_at = 0;
	cut = 0;
	pthread_mutex_unlock(&lock);
	return dropped;
}

const char *plvfs_op_name(enum plvfs_op op)
{
	static const char *const names[] = {"none", "write", "sync", "truncate", "end"};
	return names[op];
}

const char *plvfs_file_name(enum plvfs_file f)
{
	static const char *const names[] = {"db", "wal", "journal", "other"};
	return names[f];
}
