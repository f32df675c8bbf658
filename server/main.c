/* renfortd: the command line. `renfortd [options]` serves; `renfortd token ...` manages API tokens;
 * `renfortd backup PATH` copies the live database; `renfortd exercise SCENARIO` serves an exercise
 * (exercise.h); `renfortd config` lists every setting;
 * `renfortd ops` prints the table of operations. */
#include "api.h"
#include "app.h"
#include "auth.h"
#include "clock.h"
#include "config.h"
#include "demo.h"
#include "exercise.h"
#include "log.h"
#include "server.h"
#include "store.h"
#include "store_token.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *out)
{
	fprintf(out,
		"usage: renfortd [options]                 run the server\n"
		"       renfortd token create --role ROLE [--scope SCOPE] [--subject ID] [--label TEXT] [options]\n"
		"       renfortd token revoke ID [options]\n"
		"       renfortd token list [options]\n"
		"       renfortd backup PATH [options]      copy the live database (SQLite online backup)\n"
		"       renfortd exercise [SCENARIO] [--speed N] [options]\n"
		"                                           serve an exercise: the scenario (default: the March 2020\n"
		"                                           wave with a cluster, scenarios/wave-cluster.json of\n"
		"                                           exercise_dir) played through the API at N simulated\n"
		"                                           seconds a second (default 1440: a day a minute),\n"
		"                                           on its own database (default renfort-exercise.db, created\n"
		"                                           and marked; a database without the mark is refused);\n"
		"                                           every CAP document and SMS is marked as an exercise\n"
		"       renfortd config                     list every configuration key with its default\n"
		"       renfortd ops                        the operations of the protocol, one a line, tab-separated:\n"
		"                                           name, method, path, roles, flags (\"-\" for none)\n"
		"\n"
		"options:\n"
		"  --config FILE       read settings from FILE (key = value lines)\n"
		"  --listen HOST:PORT  where to listen (default 127.0.0.1:8080; port 0 picks a free one)\n"
		"  --db PATH           the SQLite database (default renfort.db)\n"
		"  --demo              fill an empty database with the demo region and print a coordinator link\n"
		"  --log-level LEVEL   error, warn, info or debug\n"
		"  --set KEY=VALUE     any configuration key (see renfortd config)\n"
		"  --help              this text\n"
		"\n"
		"roles: admin, coordinator, structure, depot, volunteer, observer.\n"
		"scope (coordinator, observer): region, or départements like 81 or 31,81.\n"
		"subject (structure, depot, volunteer): the id the token acts as.\n");
}

struct cli {
	int demo;
	int db_given;          /* --db on the command line (an exercise's default is not renfort.db) */
	const char *command;   /* NULL (serve), "token", "backup", "exercise", "config", "ops" */
	const char *sub;       /* token: create, revoke, list */
	const char *arg;       /* revoke id, backup path, exercise scenario */
	const char *speed;     /* exercise */
	const char *role, *scope, *subject, *label;
};

static int parse_args(int argc, char **argv, struct config *cfg, struct cli *cli)
{
	char err[512];
	/* the config file first, so that flags override it */
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--config") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, "renfortd: --config needs a file\n");
				return -1;
			}
			if (config_load_file(cfg, argv[i + 1], err, sizeof err)) {
				fprintf(stderr, "renfortd: %s\n", err);
				return -1;
			}
		}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *next = i + 1 < argc ? argv[i + 1] : NULL;
		const char *key = NULL;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			exit(0);
		} else if (strcmp(a, "--demo") == 0) {
			cli->demo = 1;
			continue;
		} else if (strcmp(a, "--config") == 0) {
			i++;
			continue;
		} else if (strcmp(a, "--listen") == 0)
			key = "listen";
		else if (strcmp(a, "--db") == 0) {
			key = "db";
			cli->db_given = 1;
		} else if (strcmp(a, "--speed") == 0) {
			if (!next) {
				fprintf(stderr, "renfortd: --speed needs a value\n");
				return -1;
			}
			cli->speed = next;
			i++;
			continue;
		}
		else if (strcmp(a, "--log-level") == 0)
			key = "log_level";
		else if (strcmp(a, "--role") == 0 || strcmp(a, "--scope") == 0 || strcmp(a, "--subject") == 0 ||
			 strcmp(a, "--label") == 0) {
			if (!next) {
				fprintf(stderr, "renfortd: %s needs a value\n", a);
				return -1;
			}
			const char **slot = a[2] == 'r' ? &cli->role : a[3] == 'c' ? &cli->scope : a[3] == 'u' ? &cli->subject : &cli->label;
			*slot = next;
			i++;
			continue;
		} else if (strcmp(a, "--set") == 0) {
			if (!next || !strchr(next, '=')) {
				fprintf(stderr, "renfortd: --set needs KEY=VALUE\n");
				return -1;
			}
			char name[128];
			size_t n = (size_t)(strchr(next, '=') - next);
			snprintf(name, sizeof name, "%.*s", (int)n, next);
			if (config_set(cfg, name, next + n + 1, err, sizeof err)) {
				fprintf(stderr, "renfortd: %s\n", err);
				return -1;
			}
			i++;
			continue;
		} else if (a[0] == '-') {
			fprintf(stderr, "renfortd: unknown option %s (see --help)\n", a);
			return -1;
		} else {
			if (!cli->command)
				cli->command = a;
			else if (strcmp(cli->command, "token") == 0 && !cli->sub)
				cli->sub = a;
			else if (!cli->arg)
				cli->arg = a;
			else {
				fprintf(stderr, "renfortd: unexpected argument %s (see --help)\n", a);
				return -1;
			}
			continue;
		}
		if (!next) {
			fprintf(stderr, "renfortd: %s needs a value\n", a);
			return -1;
		}
		if (config_set(cfg, key, next, err, sizeof err)) {
			fprintf(stderr, "renfortd: %s\n", err);
			return -1;
		}
		i++;
	}
	int level = log_level_parse(cfg->log_level);
	if (level < 0) {
		fprintf(stderr, "renfortd: log_level: must be error, warn, info or debug\n");
		return -1;
	}
	log_set_level((enum log_level)level);
	return 0;
}

static int print_token(void *ctx, const struct token_info *t)
{
	(void)ctx;
	char iso[32];
	printf("%lld\t%s\t%s\t%lld\t%s\t%s%s\n", t->id, role_name(t->role), t->deps[0] ? t->deps : "region",
	       t->subject_id, clock_format_iso(t->created_at, iso), t->revoked_at ? "revoked " : "", t->label);
	return 0;
}

/* Creates a token and prints its secret (shown once). */
static int token_create(struct app *app, const struct cli *cli)
{
	int role = cli->role ? role_parse(cli->role) : -1;
	if (role < 0) {
		fprintf(stderr, "renfortd: --role must be admin, coordinator, structure, depot, volunteer or observer\n");
		return 2;
	}
	char deps[44] = "";
	const char *rule = auth_scope_parse(cli->scope, deps, sizeof deps);
	if (rule) {
		fprintf(stderr, "renfortd: --scope %s\n", rule);
		return 2;
	}
	/* the API's rule: what the token list shows must be whole UTF-8 */
	if (cli->label && (rule = validate_text(cli->label, 0, 120))) {
		fprintf(stderr, "renfortd: --label %s\n", rule);
		return 2;
	}
	long long subject = 0;
	if (cli->subject && int_from_text(cli->subject, 1, INT_EXACT_MAX, &subject)) {
		fprintf(stderr, "renfortd: --subject must be a positive integer: the id the token acts as\n");
		return 2;
	}
	char secret[48], hash[65];
	if (auth_token_generate(secret))
		return 1;
	auth_token_hash(secret, hash);
	long long id;
	if (store_begin(app->store, app_now(app), NULL))
		return 1;
	int rc = store_token_create(app->store, (enum role)role, deps, subject, cli->label ? cli->label : "", hash, &id);
	if (rc || store_commit(app->store)) {
		store_rollback(app->store);
		fprintf(stderr, "renfortd: cannot create the token: %s %s\n", store_failure_field(app->store),
			store_failure_rule(app->store));
		return 1;
	}
	printf("%s\n", secret);
	fprintf(stderr, "token %lld created (role %s, scope %s); keep it: it is shown only once\n", id, cli->role,
		deps[0] ? deps : "region");
	return 0;
}

static int run_command(struct app *app, const struct cli *cli)
{
	if (strcmp(cli->command, "backup") == 0) {
		char err[512];
		if (!cli->arg) {
			fprintf(stderr, "renfortd: backup needs a destination path\n");
			return 2;
		}
		if (store_backup(app->store, cli->arg, err, sizeof err)) {
			fprintf(stderr, "renfortd: %s\n", err);
			return 1;
		}
		fprintf(stderr, "backup written to %s\n", cli->arg);
		return 0;
	}
	if (!cli->sub || strcmp(cli->sub, "list") == 0)
		return store_token_list(app->store, print_token, NULL) ? 1 : 0;
	if (strcmp(cli->sub, "create") == 0)
		return token_create(app, cli);
	if (strcmp(cli->sub, "revoke") == 0) {
		long long id = 0;
		if (!cli->arg || int_from_text(cli->arg, 1, INT_EXACT_MAX, &id)) {
			fprintf(stderr, "renfortd: token revoke needs the token id (see token list)\n");
			return 2;
		}
		if (store_begin(app->store, app_now(app), NULL))
			return 1;
		int rc = store_token_revoke(app->store, id);
		if (rc || store_commit(app->store)) {
			store_rollback(app->store);
			fprintf(stderr, "renfortd: no active token %lld\n", id);
			return 1;
		}
		fprintf(stderr, "token %lld revoked\n", id);
		return 0;
	}
	fprintf(stderr, "renfortd: unknown token command %s (create, revoke, list)\n", cli->sub);
	return 2;
}

/* The op table as tests and scripts read it: a header line, then one operation a line in table
 * (routing) order; fields separated by tabs, lists by commas, "-" for none (a websocket-only
 * operation has no method nor path). */
static void print_ops(void)
{
	static const struct {
		unsigned bit;
		const char *name;
	} flags[] = {{OP_WRITE, "write"}, {OP_RAW_BODY, "raw_body"}, {OP_PUBLIC, "public"}, {OP_RERUNNABLE, "rerunnable"}, {OP_TRANSPORT, "transport"}};
	printf("name\tmethod\tpath\troles\tflags\n");
	for (const struct op *o = api_ops(); o->name; o++) {
		printf("%s\t%s\t%s\t", o->name, o->method ? o->method : "-", o->path ? o->path : "-");
		int n = 0;
		for (int r = 0; r < ROLE_COUNT; r++)
			if (o->roles & ROLE_BIT(r))
				printf("%s%s", n++ ? "," : "", role_name((enum role)r));
		printf("%s\t", n ? "" : "-");
		n = 0;
		unsigned known = 0;
		for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
			known |= flags[i].bit;
			if (o->flags & flags[i].bit)
				printf("%s%s", n++ ? "," : "", flags[i].name);
		}
		/* a flag added to api.h but not here still shows, so that no reader takes it for none */
		if (o->flags & ~known)
			printf("%s0x%x", n++ ? "," : "", o->flags & ~known);
		printf("%s\n", n ? "" : "-");
	}
}

static void print_config(void)
{
	size_t n;
	const struct config_key *k = config_keys(&n);
	char def[CONFIG_DEFAULT_MAX];
	for (size_t i = 0; i < n; i++) {
		config_default(&k[i], def, sizeof def);
		printf("%-24s default %-28s %s\n", k[i].name, def[0] ? def : "\"\"", k[i].doc);
	}
}

int main(int argc, char **argv)
{
	struct app app;
	struct cli cli;
	memset(&app, 0, sizeof app);
	memset(&cli, 0, sizeof cli);
	if (config_init(&app.cfg)) {
		fprintf(stderr, "renfortd: out of memory\n");
		return 1;
	}
	int rc = 2;
	if (parse_args(argc, argv, &app.cfg, &cli))
		goto out;
	if (cli.command && strcmp(cli.command, "config") == 0) {
		print_config();
		rc = 0;
		goto out;
	}
	if (cli.command && strcmp(cli.command, "ops") == 0) {
		print_ops();
		rc = 0;
		goto out;
	}
	if (cli.command && strcmp(cli.command, "token") && strcmp(cli.command, "backup") &&
	    strcmp(cli.command, "exercise")) {
		fprintf(stderr, "renfortd: unknown command %s (see --help)\n", cli.command);
		goto out;
	}
	/* A backup reads an existing database: a mistyped --db must not create (and copy) an empty one. */
	if (cli.command && strcmp(cli.command, "backup") == 0 && access(app.cfg.db, F_OK) != 0) {
		fprintf(stderr, "renfortd: backup: no database %s (see --db, --config)\n", app.cfg.db);
		rc = 1;
		goto out;
	}
	char err[512];
	int exercise = cli.command && strcmp(cli.command, "exercise") == 0, created = 0;
	struct exercise ex = {cli.arg, 1440};
	if (exercise) {
		if (cli.speed && int_from_text(cli.speed, 1, 10000000, &ex.speed)) {
			fprintf(stderr, "renfortd: --speed must be a whole number from 1 to 10000000: simulated seconds a "
					"real second (1440: a day a minute)\n");
			goto out;
		}
		/* the configuration's db is the real one: an exercise has its own unless told */
		if (!cli.db_given && config_set(&app.cfg, "db", "renfort-exercise.db", err, sizeof err)) {
			fprintf(stderr, "renfortd: %s\n", err);
			goto out;
		}
		if (exercise_check(&app, &ex, &created, err, sizeof err)) {
			fprintf(stderr, "renfortd: %s\n", err);
			goto out;
		}
	}
	if (app_open(&app, err, sizeof err)) {
		fprintf(stderr, "renfortd: %s\n", err);
		rc = 1;
		goto out;
	}
	if (exercise) {
		if (exercise_prepare(&app, &ex, created, err, sizeof err)) {
			fprintf(stderr, "renfortd: %s\n", err);
			rc = 1;
		} else
			rc = server_run(&app);
		exercise_finish();
	} else if (cli.command)
		rc = run_command(&app, &cli);
	else {
		if (cli.demo && demo_prepare(&app, err, sizeof err)) {
			fprintf(stderr, "renfortd: demo: %s\n", err);
			rc = 1;
		} else
			rc = server_run(&app);
	}
	app_close(&app);
out:
	config_release(&app.cfg);
	return rc;
}
