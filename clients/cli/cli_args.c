#include "cli_args.h"

#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const struct cli_opt *find_long(const struct cli_opt *t, const char *name, size_t n)
{
	for (; t && t->name; t++)
		if (strlen(t->name) == n && strncmp(t->name, name, n) == 0)
			return t;
	return NULL;
}

static const struct cli_opt *find_letter(const struct cli_opt *t, char letter)
{
	for (; t && t->name; t++)
		if (t->letter && t->letter == letter)
			return t;
	return NULL;
}

/* The option an argument names ("--name", "--name=v", "-x"), or NULL; *inline_value set for "=v". */
static const struct cli_opt *lookup(const char *arg, const struct cli_opt *own, const struct cli_opt *global,
				    const char **inline_value)
{
	*inline_value = NULL;
	if (arg[0] == '-' && arg[1] == '-') {
		const char *name = arg + 2, *eq = strchr(name, '=');
		size_t n = eq ? (size_t)(eq - name) : strlen(name);
		const struct cli_opt *o = find_long(own, name, n);
		if (!o)
			o = find_long(global, name, n);
		if (o && eq)
			*inline_value = eq + 1;
		return o;
	}
	if (arg[0] == '-' && arg[1] && !arg[2]) {
		const struct cli_opt *o = find_letter(own, arg[1]);
		return o ? o : find_letter(global, arg[1]);
	}
	return NULL;
}

int cli_args_takes_value(const char *arg, const struct cli_opt *own, const struct cli_opt *global)
{
	const char *inline_value;
	const struct cli_opt *o = lookup(arg, own, global, &inline_value);
	if (!o)
		return -1;
	return o->takes_value && !inline_value;
}

int cli_args_parse(struct cli_args *a, const char *command, int argc, char **argv, const struct cli_opt *own,
		   const struct cli_opt *global)
{
	memset(a, 0, sizeof *a);
	a->command = command;
	a->pos = calloc((size_t)argc + 1, sizeof *a->pos);
	a->opts = calloc((size_t)argc + 1, sizeof *a->opts);
	if (!a->pos || !a->opts) {
		cli_err("out of memory");
		return CLI_USAGE;
	}
	int only_positional = 0;
	for (int i = 0; i < argc; i++) {
		char *arg = argv[i];
		/* "-" alone is a positional argument (standard input), and so is anything after "--" */
		if (only_positional || arg[0] != '-' || arg[1] == '\0') {
			a->pos[a->npos++] = arg;
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			only_positional = 1;
			continue;
		}
		const char *value;
		const struct cli_opt *o = lookup(arg, own, global, &value);
		if (!o) {
			const char *eq = strchr(arg, '=');
			return cli_usage(command, "unknown option %.*s", eq ? (int)(eq - arg) : (int)strlen(arg), arg);
		}
		if (!o->takes_value && value)
			return cli_usage(command, "--%s takes no value", o->name);
		if (o->takes_value && !value) {
			if (i + 1 >= argc)
				return cli_usage(command, "--%s needs a value", o->name);
			value = argv[++i];
		}
		a->opts[a->nopts].name = o->name;
		a->opts[a->nopts++].value = value;
	}
	return 0;
}

void cli_args_release(struct cli_args *a)
{
	free(a->pos);
	free(a->opts);
	a->pos = NULL;
	a->opts = NULL;
	a->npos = a->nopts = 0;
}

const char *cli_args_get(const struct cli_args *a, const char *name)
{
	const char *v = NULL;
	for (size_t i = 0; i < a->nopts; i++)
		if (strcmp(a->opts[i].name, name) == 0)
			v = a->opts[i].value;
	return v;
}

int cli_args_has(const struct cli_args *a, const char *name)
{
	for (size_t i = 0; i < a->nopts; i++)
		if (strcmp(a->opts[i].name, name) == 0)
			return 1;
	return 0;
}

const char *cli_args_next(const struct cli_args *a, const char *name, size_t *i)
{
	for (; *i < a->nopts; (*i)++)
		if (strcmp(a->opts[*i].name, name) == 0)
			return a->opts[(*i)++].value;
	return NULL;
}
