#include "cli_config.h"

#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cli_config_dir(char *out, size_t len)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	int n;
	if (xdg && xdg[0] == '/')
		n = snprintf(out, len, "%s/renfort", xdg);
	else if (home && home[0])
		n = snprintf(out, len, "%s/.config/renfort", home);
	else
		return -1;
	return n > 0 && (size_t)n < len ? 0 : -1;
}

static int config_path(const char *name, char *out, size_t len)
{
	char dir[900];
	if (cli_config_dir(dir, sizeof dir))
		return -1;
	int n = snprintf(out, len, "%s/%s", dir, name);
	return n > 0 && (size_t)n < len ? 0 : -1;
}

int cli_config_get(const char *name, char *out, size_t len)
{
	char path[1024];
	if (config_path(name, path, sizeof path))
		return -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) == 0 && (st.st_mode & 077))
		cli_err("warning: %s can be read by others: chmod 600 it", path);
	char data[2048];
	ssize_t n = read(fd, data, sizeof data - 1);
	close(fd);
	if (n <= 0)
		return -1;
	data[n] = '\0';
	data[strcspn(data, "\r\n")] = '\0';
	if (!data[0] || strlen(data) >= len)
		return -1;
	memcpy(out, data, strlen(data) + 1);
	return 0;
}

/* mkdir -p of the configuration directory, the last level 0700. */
static int make_dir(const char *dir)
{
	char tmp[1024];
	snprintf(tmp, sizeof tmp, "%s", dir);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(tmp, 0700) && errno != EEXIST)
		return -1;
	return 0;
}

int cli_config_put(const char *name, const char *value)
{
	char dir[900], path[1024], tmp[1100];
	if (cli_config_dir(dir, sizeof dir)) {
		cli_err("cannot store the %s: neither HOME nor XDG_CONFIG_HOME is set", name);
		return -1;
	}
	snprintf(path, sizeof path, "%s/%s", dir, name);
	snprintf(tmp, sizeof tmp, "%s/.%s.%ld.tmp", dir, name, (long)getpid());
	if (make_dir(dir)) {
		cli_err("cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		cli_err("cannot write %s: %s", tmp, strerror(errno));
		return -1;
	}
	size_t len = strlen(value);
	int ok = fchmod(fd, 0600) == 0 && write(fd, value, len) == (ssize_t)len && write(fd, "\n", 1) == 1 &&
		 fsync(fd) == 0;
	int saved = errno;
	if (close(fd))
		ok = 0;
	if (!ok || rename(tmp, path)) {
		if (ok)
			saved = errno;
		unlink(tmp);
		cli_err("cannot write %s: %s", path, strerror(saved));
		return -1;
	}
	return 0;
}

int cli_config_remove(const char *name)
{
	char path[1024];
	if (config_path(name, path, sizeof path))
		return 0;
	if (unlink(path) == 0)
		return 1;
	if (errno == ENOENT)
		return 0;
	cli_err("cannot remove %s: %s", path, strerror(errno));
	return -1;
}
