#include "static_files.h"

#include "auth.h"
#include "gzip.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* The clients' files are small; a larger one is not ours. */
#define STATIC_MAX_BYTES (64 * 1024 * 1024)

static const struct {
	const char *ext;
	const char *type;
} types[] = {
	{"html", "text/html; charset=utf-8"}, {"js", "text/javascript; charset=utf-8"},
	{"mjs", "text/javascript; charset=utf-8"}, {"css", "text/css; charset=utf-8"},
	{"json", "application/json"}, {"geojson", "application/geo+json"},
	{"svg", "image/svg+xml"}, {"png", "image/png"}, {"ico", "image/x-icon"},
	{"webmanifest", "application/manifest+json"}, {"txt", "text/plain; charset=utf-8"},
	{"md", "text/markdown; charset=utf-8"}, {"woff2", "font/woff2"},
};

const char *static_file_type(const char *name)
{
	const char *dot = strrchr(name, '.');
	if (dot && !strchr(dot, '/'))
		for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
			if (strcasecmp(dot + 1, types[i].ext) == 0)
				return types[i].type;
	return "application/octet-stream";
}

static int not_found(struct rf_error *err)
{
	rf_error_set(err, 404, "not_found", "path", "no such file");
	return -1;
}

/* A file as read, compressed and hashed once. */
struct kept {
	char *path;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	char *data, *gz;
	size_t len, gz_len;
	const char *type;
	char etag[20];
};

/* The clients' files: a few dozen. Past this many, files are served without being kept. */
#define KEPT_MAX 256
/* The event loop's thread alone serves files: no lock. */
static struct kept kept[KEPT_MAX];
static size_t nkept;

static void kept_free(struct kept *k)
{
	free(k->path);
	free(k->data);
	free(k->gz);
	memset(k, 0, sizeof *k);
}

void static_files_forget(void)
{
	for (size_t i = 0; i < nkept; i++)
		kept_free(&kept[i]);
	nkept = 0;
}

static int same_file(const struct kept *k, const struct stat *st)
{
	return k->dev == st->st_dev && k->ino == st->st_ino && k->size == st->st_size &&
	       k->mtime.tv_sec == st->st_mtim.tv_sec && k->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

/* Reads fd (st: its status) into a new kept entry k: bytes, gzip form, content hash. */
static int keep(struct kept *k, int fd, const struct stat *st, const char *full, const char *name)
{
	memset(k, 0, sizeof *k);
	k->len = (size_t)st->st_size;
	k->data = malloc(k->len + 1);
	k->path = strdup(full);
	size_t got = 0;
	while (k->data && got < k->len) {
		ssize_t n = read(fd, k->data + got, k->len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (!k->data || !k->path || got != k->len) {
		kept_free(k);
		return -1;
	}
	k->dev = st->st_dev;
	k->ino = st->st_ino;
	k->size = st->st_size;
	k->mtime = st->st_mtim;
	k->type = static_file_type(name);
	if (k->len >= GZIP_MIN_BYTES && gzip_worth(k->type) && gzip_compress(k->data, k->len, 9, &k->gz, &k->gz_len))
		k->gz = NULL;
	char hex[65];
	const void *parts[] = {k->data};
	size_t lens[] = {k->len};
	sha256_hex(parts, lens, 1, hex);
	snprintf(k->etag, sizeof k->etag, "\"%.16s\"", hex);
	return 0;
}

static void show(struct static_file *f, const struct kept *k)
{
	f->data = k->data;
	f->len = k->len;
	f->gz = k->gz;
	f->gz_len = k->gz_len;
	f->type = k->type;
	f->etag = k->etag;
}

int static_file_read(const char *dir, const char *path, struct static_file *f, struct rf_error *err)
{
	memset(f, 0, sizeof f[0]);
	if (path[0] != '/' || strstr(path, "/.") || strchr(path, '\\'))
		return not_found(err); /* hidden files, and the "." and ".." that http_parse refuses anyway */
	char full[4096];
	const char *name = strcmp(path, "/") == 0 ? "/index.html" : path;
	if (snprintf(full, sizeof full, "%s%s", dir, name) >= (int)sizeof full)
		return not_found(err);
	int fd = open(full, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return not_found(err);
	struct stat st;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > STATIC_MAX_BYTES) {
		close(fd);
		return not_found(err);
	}
	size_t i = 0;
	while (i < nkept && strcmp(kept[i].path, full) != 0)
		i++;
	if (i < nkept && same_file(&kept[i], &st)) {
		close(fd);
		show(f, &kept[i]);
		return 0;
	}
	struct kept k;
	int rc = keep(&k, fd, &st, full, name);
	close(fd);
	if (rc) {
		rf_error_set(err, 503, "unavailable", "path", "the file could not be read");
		return -1;
	}
	if (i < nkept) {
		kept_free(&kept[i]); /* changed on disk since */
		kept[i] = k;
	} else if (nkept < KEPT_MAX) {
		kept[nkept++] = k;
	} else {
		struct kept *own = malloc(sizeof *own);
		if (!own) {
			kept_free(&k);
			rf_error_set(err, 503, "unavailable", "path", "out of memory");
			return -1;
		}
		*own = k;
		f->own = own;
		show(f, own);
		return 0;
	}
	show(f, &kept[i]);
	return 0;
}

void static_file_release(struct static_file *f)
{
	if (f->own) {
		kept_free(f->own);
		free(f->own);
	}
	memset(f, 0, sizeof *f);
}
