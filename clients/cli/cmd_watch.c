/* cmd_watch: `renfort watch`: renfortd's events as they happen, one line each (or JSON lines). */
#include "cli.h"
#include "cli_http.h"
#include "cli_out.h"
#include "cli_util.h"
#include "cli_ws.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WATCH_MAX_TOPICS 32

static int starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int ends(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* What an event says, in a few words. */
static void describe(const char *type, const cJSON *ev, struct buf *out)
{
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(ev, "data");
	char a[128], b[128];
	if (starts(type, "alert.")) {
		cli_out_member(d, "id", a, sizeof a);
		buf_printf(out, "%s %s alert %s (%s): %s (%s)", cli_out_str(d, "severity"), cli_out_str(d, "kind"), a,
			   cli_out_str(d, "status"), cli_out_str(d, "holder_name"), cli_out_str(d, "dep"));
		if (cli_out_str(d, "item")[0]) {
			cli_out_days(cJSON_GetObjectItemCaseSensitive(d, "days_of_cover"), b, sizeof b);
			buf_printf(out, ", %s: %s of cover", cli_out_str(d, "item"), b);
		}
		const char *note = cli_out_str(d, starts(type, "alert.resolved") ? "resolve_note" : "ack_note");
		if (note[0])
			buf_printf(out, "; note: %s", note);
	} else if (strcmp(type, "stock.level") == 0) {
		const cJSON *al = cJSON_GetObjectItemCaseSensitive(d, "alert");
		cli_out_member(d, "holder_id", a, sizeof a);
		cli_out_days(cJSON_GetObjectItemCaseSensitive(d, "days_of_cover"), b, sizeof b);
		buf_printf(out, "%s:%s %s ", cli_out_str(d, "holder_kind"), a, cli_out_str(d, "item"));
		cli_out_member(d, "quantity", a, sizeof a);
		buf_printf(out, "%s, %s of cover", a, b);
		if (cJSON_IsObject(al))
			buf_printf(out, ", %s alert", cli_out_str(al, "severity"));
	} else if (ends(type, ".imported")) {
		cli_out_member(d, "created", a, sizeof a);
		const char *dep = cli_out_str(ev, "dep");
		buf_printf(out, "%s created in %s: reload the list", a, dep[0] ? dep : "the region");
	} else if (cJSON_IsObject(d) && cJSON_GetObjectItemCaseSensitive(d, "id")) {
		cli_out_member(d, "id", a, sizeof a);
		buf_printf(out, "%s %s", cli_out_str(ev, "entity"), a);
		const char *name = cli_out_str(d, "name");
		if (!name[0])
			name = cli_out_str(d, "profession");
		if (name[0])
			buf_printf(out, ": %s", name);
		if (cli_out_str(d, "dep")[0])
			buf_printf(out, " (%s)", cli_out_str(d, "dep"));
	} else {
		char *text = d ? cJSON_PrintUnformatted(d) : NULL;
		buf_puts(out, text ? text : "");
		free(text);
	}
}

static void on_event(void *ctx, const cJSON *ev, const char *text, size_t len)
{
	const struct cli *c = ctx;
	if (c->json) {
		fwrite(text, 1, len, stdout);
		fputc('\n', stdout);
	} else {
		const char *type = cli_out_str(ev, "event");
		char seq[32];
		cli_out_member(ev, "seq", seq, sizeof seq);
		struct buf line;
		buf_init(&line);
		buf_printf(&line, "#%s %s %s ", seq, cli_out_str(ev, "at"), type);
		describe(type, ev, &line);
		cli_out_clean(stdout, line.data ? line.data : "");
		fputc('\n', stdout);
		buf_release(&line);
	}
	fflush(stdout);
}

static int run_watch(struct cli *c, const struct cli_args *a)
{
	if (a->npos)
		return cli_usage("watch", "takes no arguments (topics go in --topics)");
	const char *topics_opt = cli_args_get(a, "topics"), *since = cli_args_get(a, "since");
	const char *count = cli_args_get(a, "count"), *timeout = cli_args_get(a, "timeout");
	struct cli_stream st;
	memset(&st, 0, sizeof st);
	st.since = -1;
	if (since && (cli_parse_ll(since, &st.since) || st.since < 0))
		return cli_usage("watch", "--since is the seq of the last event received (0: all renfortd still holds)");
	if (count && (cli_parse_ll(count, &st.count) || st.count < 1))
		return cli_usage("watch", "--count is a number of events, at least 1");
	if (timeout) {
		char *end = NULL;
		st.timeout_s = strtod(timeout, &end);
		if (!end || *end || !(st.timeout_s > 0) || st.timeout_s > 1e7)
			return cli_usage("watch", "--timeout is a number of seconds, more than 0");
	}
	char *list = strdup(topics_opt ? topics_opt : "alerts");
	const char *topics[WATCH_MAX_TOPICS];
	size_t n = 0;
	int rc = CLI_OK;
	for (char *save = NULL, *t = strtok_r(list, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
		if (n == WATCH_MAX_TOPICS) {
			rc = cli_usage("watch", "follows at most %d topics", WATCH_MAX_TOPICS);
			goto out;
		}
		topics[n++] = t;
	}
	if (!n) {
		rc = cli_usage("watch", "--topics names at least one topic, like alerts,stock");
		goto out;
	}
	st.topics = topics;
	st.ntopics = n;
	st.on_event = on_event;
	st.ctx = c;

	/* renfortd and the token first, over HTTP: a clear exit 3 or 4 before any websocket */
	struct cli_response res;
	rc = cli_http_send(c, "GET", "/api/v1/whoami", NULL, NULL, 0, NULL, &res);
	if (!rc && res.status >= 400)
		rc = cli_http_refused(&res, NULL);
	cli_response_release(&res);
	if (rc)
		goto out;
	rc = cli_ws_stream(c, &st);
out:
	free(list);
	return rc;
}

static const struct cli_opt watch_opts[] = {
	{"topics", 0, 1}, {"since", 0, 1}, {"count", 0, 1}, {"timeout", 0, 1}, {NULL, 0, 0},
};

const struct cli_command cmd_watch = {
	"watch", "follow alerts, stock and other events live",
	"Usage: renfort watch [--topics TOPIC,...] [--since SEQ] [--count N] [--timeout SECONDS]\n"
	"\n"
	"Prints renfortd's events as they happen (websocket /ws), one line each:\n"
	"  #SEQ TIME EVENT what it says\n"
	"or with --json the events as renfortd sends them, one JSON object per line. Runs until Ctrl-C.\n"
	"When the connection is lost (renfortd restarting, network), it reconnects with backoff (0.25 s up to\n"
	"10 s) and resumes after the last event it printed (subscribe with \"since\"), so that nothing is\n"
	"missed or printed twice; when renfortd no longer holds what was missed (it restarted), it says so.\n"
	"\n"
	"  --topics LIST     what to follow, comma-separated (default: alerts): * (everything), alerts, stock,\n"
	"                    structures, depots, items, volunteers, structure:ID, depot:ID, volunteer:ID,\n"
	"                    departement:CODE. The token's scope filters every event.\n"
	"  --since SEQ       first the events after SEQ that renfortd still holds (0: all of them)\n"
	"  --count N         stop after N events (exit 0)\n"
	"  --timeout SECONDS stop after this long: exit 0, or 6 when --count events did not all come\n"
	"\n"
	"Messages about the connection go to stderr (not with --quiet); the first one, \"watching ... at seq\n"
	"N\", says that the subscription is in place.\n"
	"\n"
	"Examples:\n"
	"  renfort watch                                   (alerts, until Ctrl-C)\n"
	"  renfort watch --topics alerts,stock --json | jq .\n"
	"  renfort watch --topics departement:81 --count 1 --timeout 60\n",
	watch_opts, run_watch,
};
