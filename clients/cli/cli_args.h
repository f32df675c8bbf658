/* cli_args: the command line of one command: its options (--name VALUE, --name=VALUE, -x VALUE,
 * flags), anywhere among the positional arguments; "--" ends the options. */
#ifndef RENFORT_CLI_ARGS_H
#define RENFORT_CLI_ARGS_H

#include <stddef.h>

struct cli_opt {
	const char *name; /* long name without "--"; NULL ends a table */
	char letter;      /* short form (-o), or 0 */
	int takes_value;
};

struct cli_arg {
	const char *name;  /* the option's long name (from its table) */
	const char *value; /* NULL for a flag */
};

struct cli_args {
	const char *command;
	char **pos;        /* positional arguments, in order */
	size_t npos;
	struct cli_arg *opts; /* options, in the order given */
	size_t nopts;
};

/* Reads argv[0..argc) for command: options are looked up in own, then in global. Returns 0, or
 * CLI_USAGE after saying what is wrong. a is released with cli_args_release() either way. */
int cli_args_parse(struct cli_args *a, const char *command, int argc, char **argv, const struct cli_opt *own,
		   const struct cli_opt *global);
void cli_args_release(struct cli_args *a);

/* Whether the option takes a value, per the tables; -1 when it is in neither. */
int cli_args_takes_value(const char *arg, const struct cli_opt *own, const struct cli_opt *global);

/* The last value given for name, or NULL. */
const char *cli_args_get(const struct cli_args *a, const char *name);
int cli_args_has(const struct cli_args *a, const char *name);
/* The values of a repeatable option, in order: start with *i = 0; NULL when there are no more. */
const char *cli_args_next(const struct cli_args *a, const char *name, size_t *i);

#endif
