/* cli_config: what `renfort login` keeps between runs: the server's URL and the token, one file
 * each in $XDG_CONFIG_HOME/renfort/ (default ~/.config/renfort/), the directory 0700, the files 0600. */
#ifndef RENFORT_CLI_CONFIG_H
#define RENFORT_CLI_CONFIG_H

#include <stddef.h>

/* The directory's path. 0, or -1 when neither XDG_CONFIG_HOME nor HOME is set. */
int cli_config_dir(char *out, size_t len);

/* The first line of a stored file into out. 0, or -1 when there is none. A file others can read
 * is still used, with a warning (like ssh). */
int cli_config_get(const char *name, char *out, size_t len);

/* Writes value (and a newline) to the file, atomically, mode 0600. 0, or -1 after saying why. */
int cli_config_put(const char *name, const char *value);

/* 1 when the file was removed, 0 when there was none, -1 on failure (said). */
int cli_config_remove(const char *name);

#endif
