/* static_files: the browser clients' files (clients_dir), read for a GET. The path comes from
 * http_parse (decoded, no "." or ".." segment, no NUL); no file outside clients_dir can be named,
 * and neither can a hidden one or anything but a regular file. */
#ifndef RENFORT_STATIC_FILES_H
#define RENFORT_STATIC_FILES_H

#include <stddef.h>

#include "error.h"

struct static_file {
	const char *data;   /* the file's bytes */
	size_t len;
	const char *gz;     /* the same, gzip-compressed once (at level 9), or NULL when not worth it */
	size_t gz_len;
	const char *type;   /* its media type */
	const char *etag;   /* "\"<16 hex digits of its SHA-256>\"": a strong validator of its content */
	void *own;          /* not kept in the cache (too many files): released with the file */
};

/* Reads the file for path ("/" is "/index.html"). Returns 0, or -1 with err set (404, 503).
 * Files are kept (with their compressed form and content hash) while their inode, size and
 * modification time stay the same: a changed file is read again. The loop's thread only. */
int static_file_read(const char *dir, const char *path, struct static_file *f, struct rf_error *err);
void static_file_release(struct static_file *f);
/* Forgets every kept file (at shutdown). */
void static_files_forget(void);
/* The media type for a file name, by its extension. */
const char *static_file_type(const char *name);

#endif
