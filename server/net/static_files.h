/* static_files: the browser clients' files (clients_dir), read for a GET. The path comes from
 * http_parse (decoded, no "." or ".." segment, no NUL); no file outside clients_dir can be named,
 * and neither can a hidden one or anything but a regular file. */
#ifndef RENFORT_STATIC_FILES_H
#define RENFORT_STATIC_FILES_H

#include <stddef.h>

#include "error.h"

struct static_file {
	char *data;
	size_t len;
	const char *type; /* its media type */
};

/* Reads the file for path ("/" is "/index.html"). Returns 0, or -1 with err set (404, 503). */
int static_file_read(const char *dir, const char *path, struct static_file *f, struct rf_error *err);
void static_file_release(struct static_file *f);
/* The media type for a file name, by its extension. */
const char *static_file_type(const char *name);

#endif
