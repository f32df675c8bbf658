/* cmd_alert: `renfort alert ack|resolve ID`, and `renfort staff request`, the coordinators' and
 * structures' actions. A renfortd older than staff requests says 404 for their path: the command
 * says so (exit 5). */
#include "cli.h"
#include "cli_http.h"
#include "cli_out.h"
#include "cli_util.h"

#include <stdio.h>
#include <string.h>

#define STAFF_REQUEST_PATH "/api/v1/deployments/requests"

/* The key of a write: --key, or a new random one (shown when show, for a retry; always named when
 * the answer is lost). 0, or CLI_USAGE. */
static int write_key(struct cli *c, const char *cmd, const struct cli_args *a, const char *prefix, int show, char *key,
		     size_t len)
{
	const char *given = cli_args_get(a, "key");
	if (given) {
		if (!cli_key_ok(given))
			return cli_usage(cmd, "--key must be 1 to 128 printable characters without spaces");
		snprintf(key, len, "%s", given);
		return 0;
	}
	if (cli_random_key(prefix, key, len))
		return CLI_USAGE;
	if (show)
		cli_note(c, "idempotency key %s (to retry this very request: --key %s)", key, key);
	return 0;
}

static int run_alert(struct cli *c, const struct cli_args *a)
{
	if (a->npos != 2)
		return cli_usage("alert", "needs an action and an alert id: renfort alert ack 12");
	const char *action = a->pos[0], *route;
	if (strcmp(action, "ack") == 0 || strcmp(action, "acknowledge") == 0)
		route = "acknowledge";
	else if (strcmp(action, "resolve") == 0)
		route = "resolve";
	else
		return cli_usage("alert", "\"%s\" is not an action: ack or resolve", action);
	long long id;
	if (cli_parse_ll(a->pos[1], &id) || id <= 0)
		return cli_usage("alert", "the alert id is a positive number (renfort list alerts), not \"%s\"", a->pos[1]);
	const char *note = cli_args_get(a, "note");
	char key[160], path[128];
	int rc = write_key(c, "alert", a, "rf-", 0, key, sizeof key);
	if (rc)
		return rc;
	snprintf(path, sizeof path, "/api/v1/alerts/%lld/%s", id, route);
	cJSON *body = cJSON_CreateObject();
	if (note)
		cJSON_AddStringToObject(body, "note", note);
	struct cli_response res;
	rc = cli_http_json(c, "POST", path, body, key, &res);
	cJSON_Delete(body);
	if (rc == CLI_UNREACHABLE)
		cli_err("alert %lld may or may not have been %s: retry with --key %s", id,
			route[0] == 'a' ? "acknowledged" : "resolved", key);
	if (rc)
		goto out;
	if (res.status >= 400) {
		rc = cli_http_refused(&res, NULL);
		goto out;
	}
	if (c->json) {
		cli_out_json_line(stdout, res.json);
		goto out;
	}
	const cJSON *al = res.json;
	const char *item = cli_out_str(al, "item");
	printf("alert %lld %s: %s %s, ", id, cli_out_str(al, "status"), cli_out_str(al, "severity"),
	       cli_out_str(al, "kind"));
	cli_out_clean(stdout, cli_out_str(al, "holder_name"));
	printf(" (%s)%s", cli_out_str(al, "dep"), item[0] ? ", " : "");
	cli_out_clean(stdout, item);
	const char *shown = cli_out_str(al, route[0] == 'a' ? "ack_note" : "resolve_note");
	if (shown[0]) {
		fputs("; note: ", stdout);
		cli_out_clean(stdout, shown);
	}
	fputc('\n', stdout);
out:
	cli_response_release(&res);
	return rc;
}

/* The staff request's body from the options: every --profession, one shift --from .. --to. */
static cJSON *staff_body(const struct cli_args *a, long long structure)
{
	cJSON *body = cJSON_CreateObject();
	if (structure)
		cJSON_AddNumberToObject(body, "structure_id", (double)structure);
	cJSON *profs = cJSON_AddArrayToObject(body, "professions");
	size_t i = 0;
	for (const char *p; (p = cli_args_next(a, "profession", &i));)
		cJSON_AddItemToArray(profs, cJSON_CreateString(p));
	cJSON_AddItemToObject(body, "count", cli_json_scalar(cli_args_get(a, "count")));
	cJSON *shift = cJSON_CreateObject();
	cJSON_AddStringToObject(shift, "start", cli_args_get(a, "from"));
	cJSON_AddStringToObject(shift, "end", cli_args_get(a, "to"));
	cJSON_AddItemToArray(cJSON_AddArrayToObject(body, "shifts"), shift);
	static const char *const texts[] = {"urgency", "deadline", "notes", "address"};
	for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++)
		if (cli_args_get(a, texts[k]))
			cJSON_AddStringToObject(body, texts[k], cli_args_get(a, texts[k]));
	return body;
}

static int run_staff(struct cli *c, const struct cli_args *a)
{
	if (a->npos != 1 || strcmp(a->pos[0], "request") != 0)
		return cli_usage("staff", "the action is `request`: renfort staff request --profession nurse ...");
	static const char *const required[] = {"profession", "count", "from", "to"};
	for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
		if (!cli_args_get(a, required[i]))
			return cli_usage("staff request", "needs --%s", required[i]);
	const char *structure = cli_args_get(a, "structure");
	long long sid = 0;
	if (structure && (cli_parse_ll(structure, &sid) || sid <= 0))
		return cli_usage("staff request", "--structure is a structure's id, not \"%s\"", structure);
	char key[160];
	int rc = write_key(c, "staff request", a, "rf-", 1, key, sizeof key);
	if (rc)
		return rc;
	cJSON *body = staff_body(a, sid);
	struct cli_response res;
	rc = cli_http_json(c, "POST", STAFF_REQUEST_PATH, body, key, &res);
	cJSON_Delete(body);
	if (rc == CLI_UNREACHABLE)
		cli_err("the staff request may or may not have been recorded: retry with --key %s", key);
	if (rc)
		goto out;
	/* a renfortd without the capability: the path is unknown (404 naming "path"), or known for
	 * other methods only (405) */
	if ((res.status == 404 && (!res.json || strcmp(cli_http_error_member(&res, "field"), "path") == 0)) ||
	    res.status == 405) {
		cli_err("this renfortd does not take staff requests yet (POST %s: %ld)", STAFF_REQUEST_PATH, res.status);
		rc = CLI_UNAVAILABLE;
		goto out;
	}
	if (res.status >= 400) {
		rc = cli_http_refused(&res, NULL);
		goto out;
	}
	if (c->json)
		cli_out_json_line(stdout, res.json);
	else {
		char id[32], called[32];
		cli_out_member(res.json, "id", id, sizeof id);
		cli_out_member(cJSON_GetObjectItemCaseSensitive(res.json, "calls"), "called", called, sizeof called);
		printf("staff request %s recorded: %s × ", id, cli_args_get(a, "count"));
		size_t i = 0;
		for (const char *p, *sep = ""; (p = cli_args_next(a, "profession", &i)); sep = " or ")
			printf("%s%s", sep, p);
		printf(" from %s to %s, status %s, %s called\n", cli_args_get(a, "from"), cli_args_get(a, "to"),
		       cli_out_str(res.json, "status"), called);
	}
out:
	cli_response_release(&res);
	return rc;
}

static const struct cli_opt alert_opts[] = {{"note", 0, 1}, {"key", 0, 1}, {NULL, 0, 0}};
static const struct cli_opt staff_opts[] = {
	{"structure", 0, 1}, {"profession", 0, 1}, {"count", 0, 1}, {"from", 0, 1}, {"to", 0, 1}, {"urgency", 0, 1},
	{"deadline", 0, 1},  {"notes", 0, 1},	   {"address", 0, 1}, {"key", 0, 1}, {NULL, 0, 0},
};

const struct cli_command cmd_alert = {
	"alert", "acknowledge or resolve an alert",
	"Usage: renfort alert ack ID [--note TEXT] [--key KEY]\n"
	"       renfort alert resolve ID [--note TEXT] [--key KEY]\n"
	"\n"
	"ack (acknowledge): someone is on it; the alert stays active, and opens again by itself if the\n"
	"situation gets worse. resolve: closes it by hand. Coordinators and admins only.\n"
	"  --note TEXT   what is being done (at most 500 characters)\n"
	"  --key KEY     idempotency key (a random one is made and shown otherwise)\n"
	"An alert already resolved cannot be acknowledged or resolved again (exit 1).\n"
	"\n"
	"Example:\n"
	"  renfort alert ack 12 --note \"hand rub from the Tarn depot, delivery tonight\"\n",
	alert_opts, run_alert,
};

const struct cli_command cmd_staff = {
	"staff", "ask for staff (a deployment request)",
	"Usage: renfort staff request --profession PROFESSION [--profession ...] --count N --from TIME --to TIME\n"
	"                             [--structure ID] [--urgency immediate|today|planned] [--deadline TIME]\n"
	"                             [--notes TEXT] [--address TEXT] [--key KEY]\n"
	"\n"
	"Asks for N people of a profession (nurse, care_assistant, doctor, ...; several --profession for any of\n"
	"them) for one shift of a structure, as POST " STAFF_REQUEST_PATH ". TIME is Paris time,\n"
	"2030-03-02T07:00, or ISO 8601 with its offset (2030-03-02T07:00:00+01:00); a shift lasts at most\n"
	"24 hours. The best-placed volunteers are called at once by SMS (two per place by default); the\n"
	"answer says how many. --deadline: when the request expires unfilled (default: the shift's start).\n"
	"A structure's own token may leave out --structure.\n"
	"\n"
	"An older renfortd that does not take staff requests answers 404 for that path: this command then says\n"
	"\"this renfortd does not take staff requests yet\" and exits with 5 (not available on this server), so\n"
	"that a script can tell it from a refused request (1).\n"
	"\n"
	"Example:\n"
	"  renfort staff request --structure 12 --profession nurse --count 3 --from 2030-03-02T07:00 \\\n"
	"      --to 2030-03-02T19:00 --urgency today --address \"3 rue des Lilas, Albi\"\n",
	staff_opts, run_staff,
};
