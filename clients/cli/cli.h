/* cli: what every part of `renfort`, the command-line client of renfortd, shares: the exit codes,
 * the global options, the shape of a command, and the messages on stderr. */
#ifndef RENFORT_CLI_H
#define RENFORT_CLI_H

#include "cli_args.h"

/* Exit codes, the same for every command (`renfort --help` lists them). */
enum cli_exit {
	CLI_OK = 0,
	CLI_REFUSED = 1,     /* the server refused the request (4xx): the message names the field and rule */
	CLI_USAGE = 2,       /* bad arguments, or an input file that cannot be read */
	CLI_UNREACHABLE = 3, /* cannot reach the server, no answer, or it failed (5xx): retry (same key) */
	CLI_AUTH = 4,        /* no token, or the server does not know it (401) */
	CLI_UNAVAILABLE = 5, /* this renfortd does not have the capability yet */
	CLI_TIMEOUT = 6,     /* watch: --timeout passed before --count events */
};

#define CLI_TOKEN_MAX 256
#define CLI_URL_MAX 1024

/* The global options once resolved (command line, environment, stored login). */
struct cli {
	char url[CLI_URL_MAX];    /* base URL of renfortd, without a trailing slash */
	char token[CLI_TOKEN_MAX]; /* "" when none; never printed */
	int json;                 /* --json: the server's JSON as it is */
	int quiet;                /* --quiet: nothing on stderr but errors */
	int verbose;              /* --verbose: libwebsockets' own log too */
	void *curl;               /* one HTTP handle for the whole run (keep-alive while paging) */
};

struct cli_command {
	const char *name;
	const char *summary;        /* one line for `renfort --help` */
	const char *help;           /* `renfort NAME --help` (the global options are appended) */
	const struct cli_opt *opts; /* the command's own options, ending with a NULL name */
	int (*run)(struct cli *c, const struct cli_args *a);
};

extern const struct cli_command cmd_login, cmd_whoami, cmd_logout, cmd_report, cmd_watch, cmd_list,
	cmd_import, cmd_export, cmd_alert, cmd_staff;

/* "renfort: ..." on stderr, always. */
#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
void cli_err(const char *fmt, ...);

/* "renfort: ..." on stderr, unless --quiet. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void cli_note(const struct cli *c, const char *fmt, ...);

/* "renfort CMD: ... (see renfort CMD --help)" on stderr; returns CLI_USAGE. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
int cli_usage(const char *cmd, const char *fmt, ...);

#endif
