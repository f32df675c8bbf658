/* renfort: the command-line client of renfortd, for scripts and for structures without a browser.
 * main() finds the command, reads the global options (--url, --token, --json, --quiet), resolves
 * the URL and the token (command line, environment, what `renfort login` kept), and runs it. */
#include "cli.h"
#include "cli_config.h"
#include "cli_http.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_URL "http://127.0.0.1:8080"

static const struct cli_command *const commands[] = {
	&cmd_login, &cmd_whoami, &cmd_logout, &cmd_report, &cmd_watch, &cmd_list, &cmd_import, &cmd_export,
	&cmd_alert, &cmd_staff, NULL,
};

static const struct cli_opt global_opts[] = {
	{"url", 0, 1}, {"token", 0, 1}, {"json", 0, 0}, {"quiet", 'q', 0}, {"verbose", 0, 0}, {"help", 'h', 0},
	{"version", 0, 0}, {NULL, 0, 0},
};

static const char global_help[] =
	"Global options (before or after the command):\n"
	"  --url URL      renfortd's address: default $RENFORT_URL, else the URL kept by `renfort login`,\n"
	"                 else " DEFAULT_URL "\n"
	"  --token TOKEN  the API token: default $RENFORT_TOKEN, else the token kept by `renfort login`;\n"
	"                 \"-\" reads it from standard input (it then shows in no process list)\n"
	"  --json         print renfortd's JSON as it is (JSON lines for streams and CSV reports)\n"
	"  -q, --quiet    nothing on stderr but errors\n"
	"  --verbose      libwebsockets' own log too (watch)\n"
	"  -h, --help     this help\n";

static const char exit_help[] =
	"Exit codes:\n"
	"  0  done\n"
	"  1  renfortd refused the request (4xx): stderr names the field and the rule broken\n"
	"  2  usage error: bad arguments, or an input file that cannot be read\n"
	"  3  cannot reach renfortd, no answer, or it failed (5xx): retry (writes: with the same key)\n"
	"  4  authentication: no token, or renfortd does not know it (401)\n"
	"  5  not available on this renfortd (staff requests, for now)\n"
	"  6  watch: --timeout passed before --count events\n"
	"The token is never printed.\n";

static void general_help(FILE *f)
{
	fprintf(f, "renfort %s: the command-line client of renfortd, the crisis-time coordinator of the\n"
		   "health and medico-social reserve.\n\n"
		   "Usage: renfort COMMAND [ARGUMENTS] [OPTIONS]\n\n"
		   "Commands:\n",
		RENFORT_VERSION);
	for (const struct cli_command *const *c = commands; *c; c++)
		fprintf(f, "  %-8s %s\n", (*c)->name, (*c)->summary);
	fprintf(f, "  %-8s %s\n\n", "help", "renfort help COMMAND: the command's help (as renfort COMMAND --help)");
	fputs(global_help, f);
	fputc('\n', f);
	fputs(exit_help, f);
}

static void command_help(const struct cli_command *cmd)
{
	fputs(cmd->help, stdout);
	fputc('\n', stdout);
	fputs(global_help, stdout);
	fputs("\nExit codes: 0 done, 1 refused, 2 usage, 3 unreachable, 4 authentication, 5 not available,\n"
	      "6 timeout (renfort --help says more).\n",
	      stdout);
}

static const struct cli_command *find_command(const char *name)
{
	for (const struct cli_command *const *c = commands; *c; c++)
		if (strcmp((*c)->name, name) == 0)
			return *c;
	return NULL;
}

/* A token is printable ASCII without spaces: anything else could not be a header value. */
static int token_ok(const char *t)
{
	size_t n = strlen(t);
	if (!n || n >= CLI_TOKEN_MAX)
		return 0;
	for (; *t; t++)
		if (*t < 0x21 || *t > 0x7E)
			return 0;
	return 1;
}

static int read_token_stdin(char *out, size_t len)
{
	char line[CLI_TOKEN_MAX + 2];
	if (!fgets(line, sizeof line, stdin))
		return -1;
	line[strcspn(line, "\r\n")] = '\0';
	size_t n = strlen(line);
	int rc = n < len ? 0 : -1;
	if (!rc)
		memcpy(out, line, n + 1);
	memset(line, 0, sizeof line);
	return rc;
}

/* --url, $RENFORT_URL, the kept URL, the default; then --token, $RENFORT_TOKEN, the kept token. */
static int resolve(struct cli *c, const struct cli_args *a, const char *cmd)
{
	const char *url = cli_args_get(a, "url");
	if (!url || !*url)
		url = getenv("RENFORT_URL");
	if (url && *url)
		snprintf(c->url, sizeof c->url, "%s", url);
	else if (cli_config_get("url", c->url, sizeof c->url))
		snprintf(c->url, sizeof c->url, "%s", DEFAULT_URL);
	size_t n = strlen(c->url);
	while (n && c->url[n - 1] == '/')
		c->url[--n] = '\0';
	if (strncmp(c->url, "http://", 7) != 0 && strncmp(c->url, "https://", 8) != 0)
		return cli_usage(cmd, "--url must start with http:// or https://, like " DEFAULT_URL);
	for (const char *p = c->url; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7F)
			return cli_usage(cmd, "--url must not hold spaces or control characters");

	const char *token = cli_args_get(a, "token");
	if (token && strcmp(token, "-") == 0) {
		if (read_token_stdin(c->token, sizeof c->token))
			return cli_usage(cmd, "--token -: no token on standard input");
	} else if (token && *token)
		snprintf(c->token, sizeof c->token, "%s", token);
	else if ((token = getenv("RENFORT_TOKEN")) && *token)
		snprintf(c->token, sizeof c->token, "%s", token);
	else if (cli_config_get("token", c->token, sizeof c->token))
		c->token[0] = '\0';
	if (c->token[0] && !token_ok(c->token)) {
		memset(c->token, 0, sizeof c->token);
		return cli_usage(cmd, "the token holds characters no renfort token has (spaces, control characters, "
				      "non-ASCII), or is too long");
	}
	c->json = cli_args_has(a, "json");
	c->quiet = cli_args_has(a, "quiet");
	c->verbose = cli_args_has(a, "verbose");
	return 0;
}

int main(int argc, char **argv)
{
	/* the command is the first argument that is neither an option nor a global option's value */
	int at = 1;
	while (at < argc && argv[at][0] == '-' && argv[at][1]) {
		if (strcmp(argv[at], "--") == 0) {
			at++;
			break;
		}
		int takes = cli_args_takes_value(argv[at], NULL, global_opts);
		at += takes > 0 ? 2 : 1;
	}
	const char *name = at < argc ? argv[at] : NULL;
	for (int i = 1; i < (name ? at : argc); i++) {
		if (strcmp(argv[i], "--version") == 0) {
			printf("renfort %s\n", RENFORT_VERSION);
			return CLI_OK;
		}
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			general_help(stdout);
			return CLI_OK;
		}
	}
	if (!name) {
		general_help(stderr);
		return CLI_USAGE;
	}
	if (strcmp(name, "help") == 0) {
		const struct cli_command *cmd = at + 1 < argc ? find_command(argv[at + 1]) : NULL;
		if (at + 1 < argc && !cmd)
			return cli_usage(NULL, "no command \"%s\"", argv[at + 1]);
		if (cmd)
			command_help(cmd);
		else
			general_help(stdout);
		return CLI_OK;
	}
	const struct cli_command *cmd = find_command(name);
	if (!cmd) {
		cli_usage(NULL, "unknown command \"%s\"", name);
		fputs("commands:", stderr);
		for (const struct cli_command *const *c = commands; *c; c++)
			fprintf(stderr, " %s", (*c)->name);
		fputc('\n', stderr);
		return CLI_USAGE;
	}

	/* the command's arguments: everything but the program and the command's name */
	char **rest = malloc((size_t)argc * sizeof *rest);
	if (!rest)
		return CLI_USAGE;
	int nrest = 0;
	for (int i = 1; i < argc; i++)
		if (i != at)
			rest[nrest++] = argv[i];
	/* --help wins over anything else on the line, even a mistake */
	for (int i = 0; i < nrest && strcmp(rest[i], "--") != 0; i++)
		if (strcmp(rest[i], "--help") == 0 || strcmp(rest[i], "-h") == 0) {
			command_help(cmd);
			free(rest);
			return CLI_OK;
		}
	struct cli_args a;
	struct cli c;
	memset(&c, 0, sizeof c);
	int rc = cli_args_parse(&a, cmd->name, nrest, rest, cmd->opts, global_opts);
	if (rc)
		goto out;
	if ((rc = resolve(&c, &a, cmd->name)))
		goto out;
	if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
		cli_err("cannot start libcurl");
		rc = CLI_UNREACHABLE;
		goto out;
	}
	rc = cmd->run(&c, &a);
	cli_http_cleanup(&c);
	curl_global_cleanup();
	if (fflush(stdout) && !rc) {
		cli_err("cannot write to standard output");
		rc = CLI_USAGE;
	}
out:
	memset(c.token, 0, sizeof c.token);
	cli_args_release(&a);
	free(rest);
	return rc;
}
