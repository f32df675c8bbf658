#include "static_files.h"

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
	f->len = (size_t)st.st_size;
	f->data = malloc(f->len + 1);
	size_t got = 0;
	while (f->data && got < f->len) {
		ssize_t n = read(fd, f->data + got, f->len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (!f->data || got != f->len) {
		static_file_release(f);
		rf_error_set(err, 503, "unavailable", "path", "the file could not be read");
		return -1;
	}
	f->type = static_file_type(name);
	return 0;
}

void static_file_release(struct static_file *f)
{
	free(f->data);
	f->data = NULL;
	f->len = 0;
}
