/* cmd_account: `renfort login`, `renfort whoami`, `renfort logout`: the token and the URL kept
 * between runs. */
#include "cli.h"
#include "cli_config.h"
#include "cli_http.h"
#include "cli_out.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "coordinator, scope 81,34" / "structure 12, scope region" */
static void describe(const cJSON *who, char *out, size_t len)
{
	char scope[256], subject[64];
	cli_out_member(who, "scope", scope, sizeof scope);
	cli_out_member(who, "subject_id", subject, sizeof subject);
	const char *role = cli_out_str(who, "role");
	if (strcmp(subject, "-") != 0)
		snprintf(out, len, "%s %s, scope %s", role, subject, scope);
	else
		snprintf(out, len, "%s, scope %s", role, scope);
}

static int whoami(struct cli *c, struct cli_response *res)
{
	int rc = cli_http_send(c, "GET", "/api/v1/whoami", NULL, NULL, 0, NULL, res);
	if (rc)
		return rc;
	if (res->status != 200)
		return cli_http_refused(res, NULL);
	if (!cJSON_IsObject(res->json)) {
		cli_err("%s did not answer like renfortd (GET /api/v1/whoami)", c->url);
		return CLI_UNREACHABLE;
	}
	return CLI_OK;
}

static int run_login(struct cli *c, const struct cli_args *a)
{
	if (a->npos)
		return cli_usage("login", "takes no arguments");
	if (!c->token[0])
		return cli_usage("login", "needs --token TOKEN (or --token - to read it from standard input)");
	struct cli_response res;
	int rc = whoami(c, &res);
	if (rc)
		goto out;
	if (cli_config_put("url", c->url) || cli_config_put("token", c->token)) {
		rc = CLI_USAGE;
		goto out;
	}
	if (c->json) {
		cli_out_json_line(stdout, res.json);
	} else {
		char who[400], dir[900] = "";
		describe(res.json, who, sizeof who);
		cli_config_dir(dir, sizeof dir);
		printf("logged in to %s as %s\n", c->url, who);
		cli_note(c, "the URL and token are kept in %s (mode 0600); `renfort logout` forgets them", dir);
	}
out:
	cli_response_release(&res);
	return rc;
}

static int run_whoami(struct cli *c, const struct cli_args *a)
{
	if (a->npos)
		return cli_usage("whoami", "takes no arguments");
	struct cli_response res;
	int rc = whoami(c, &res);
	if (!rc) {
		if (c->json)
			cli_out_json_line(stdout, res.json);
		else {
			char who[400], id[32];
			describe(res.json, who, sizeof who);
			cli_out_member(res.json, "token_id", id, sizeof id);
			printf("token %s: %s, at %s\n", id, who, c->url);
		}
	}
	cli_response_release(&res);
	return rc;
}

static int run_logout(struct cli *c, const struct cli_args *a)
{
	if (a->npos)
		return cli_usage("logout", "takes no arguments");
	int t = cli_config_remove("token");
	int u = cli_config_remove("url");
	if (t < 0 || u < 0)
		return CLI_USAGE;
	char dir[900] = "";
	cli_config_dir(dir, sizeof dir);
	if (t)
		cli_note(c, "forgot the token kept in %s", dir);
	else
		cli_note(c, "no token was kept in %s", dir);
	if (getenv("RENFORT_TOKEN"))
		cli_note(c, "RENFORT_TOKEN is still set in the environment");
	return CLI_OK;
}

static const struct cli_opt no_opts[] = {{NULL, 0, 0}};

const struct cli_command cmd_login = {
	"login", "check a token and keep it, with the URL, for the next commands",
	"Usage: renfort login --token TOKEN [--url URL]\n"
	"       renfort login --token - [--url URL] < token-file\n"
	"\n"
	"Checks the token with renfortd (GET /api/v1/whoami) and, when renfortd knows it, keeps the URL and\n"
	"the token in ~/.config/renfort/ ($XDG_CONFIG_HOME/renfort/ when set), readable by you only (0600).\n"
	"The next commands use them when neither --url/--token nor RENFORT_URL/RENFORT_TOKEN is given.\n"
	"`--token -` reads the token from standard input, so that it does not show in the process list.\n"
	"Nothing is kept when the token is refused (exit 4) or renfortd cannot be reached (exit 3).\n"
	"\n"
	"Example:\n"
	"  renfort login --url https://renfort.example.org --token - < ~/token.txt\n",
	no_opts, run_login,
};

const struct cli_command cmd_whoami = {
	"whoami", "who the token is: role, scope, structure or depot",
	"Usage: renfort whoami\n"
	"\n"
	"Asks renfortd who the token is (GET /api/v1/whoami): its id, role (admin, coordinator, structure,\n"
	"depot, volunteer, observer), scope (region or départements) and the structure, depot or volunteer\n"
	"it acts as. Exit 4 when renfortd does not know the token.\n",
	no_opts, run_whoami,
};

const struct cli_command cmd_logout = {
	"logout", "forget the token and URL kept by login",
	"Usage: renfort logout\n"
	"\n"
	"Removes the token and URL that `renfort login` kept in ~/.config/renfort/. The token itself stays\n"
	"valid on the server: an administrator revokes tokens (DELETE /api/v1/tokens/{id}).\n",
	no_opts, run_logout,
};
