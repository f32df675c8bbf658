/* cmd_report: `renfort report`: a stock count, from the command line (one report) or from a CSV
 * file (one report per holder), each sent with an idempotency key so that a retry never counts
 * twice; prints the days of cover and the alerts renfortd answers. */
#include "cli.h"
#include "cli_http.h"
#include "cli_out.h"
#include "cli_util.h"
#include "csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REPORT_MAX_LINES 100            /* renfortd takes 1 to 100 lines per report */
#define REPORT_CSV_MAX ((size_t)64 << 20) /* the largest CSV file read */

static const char *const one_titles[] = {"ITEM", "QUANTITY", "BURN/DAY", "COVER", "ALERT"};
static const int one_right[] = {0, 1, 1, 1, 0};
static const char *const csv_titles[] = {"LINE", "HOLDER", "ITEM", "QUANTITY", "BURN/DAY", "COVER", "ALERT"};
static const int csv_right[] = {1, 0, 0, 1, 1, 1, 0};

/* "critical (alert 3, open)" or "-" */
static void alert_text(const cJSON *alert, char *out, size_t len)
{
	if (!cJSON_IsObject(alert)) {
		snprintf(out, len, "-");
		return;
	}
	char id[32];
	cli_out_member(alert, "id", id, sizeof id);
	snprintf(out, len, "%s (alert %s, %s)", cli_out_str(alert, "severity"), id, cli_out_str(alert, "status"));
}

/* One table row per level of a report's answer; lines[k] is the CSV line of level k (or NULL). */
static void add_levels(struct cli_table *t, const cJSON *answer, const long *lines, size_t nlines)
{
	char holder[96];
	snprintf(holder, sizeof holder, "%s:", cli_out_str(answer, "holder_kind"));
	cli_out_member(answer, "holder_id", holder + strlen(holder), sizeof holder - strlen(holder));
	const cJSON *level;
	size_t k = 0;
	cJSON_ArrayForEach(level, cJSON_GetObjectItemCaseSensitive(answer, "levels"))
	{
		char line[32] = "", qty[64], burn[64], cover[64], alert[160];
		if (lines && k < nlines)
			snprintf(line, sizeof line, "%ld", lines[k]);
		cli_out_member(level, "quantity", qty, sizeof qty);
		cli_out_member(level, "burn_per_day", burn, sizeof burn);
		cli_out_days(cJSON_GetObjectItemCaseSensitive(level, "days_of_cover"), cover, sizeof cover);
		alert_text(cJSON_GetObjectItemCaseSensitive(level, "alert"), alert, sizeof alert);
		const char *item = cli_out_str(level, "item");
		if (lines) {
			const char *row[] = {line, holder, item, qty, burn, cover, alert};
			cli_table_add(t, row);
		} else {
			const char *row[] = {item, qty, burn, cover, alert};
			cli_table_add(t, row);
		}
		k++;
	}
}

/* An item named by code, or by id when it is all digits. */
static cJSON *item_ref(const char *s)
{
	long long id;
	if (cli_parse_ll(s, &id) == 0 && id > 0 && s[0] != '+' && s[0] != '-')
		return cJSON_CreateNumber((double)id);
	return cJSON_CreateString(s);
}

static int add_holder(cJSON *body, const char *holder)
{
	const char *colon = strchr(holder, ':');
	long long id;
	if (!colon || cli_parse_ll(colon + 1, &id) || id <= 0)
		return -1;
	size_t n = (size_t)(colon - holder);
	if (!(n == 9 && strncmp(holder, "structure", 9) == 0) && !(n == 5 && strncmp(holder, "depot", 5) == 0))
		return -1;
	cJSON_AddStringToObject(body, "holder_kind", n == 9 ? "structure" : "depot");
	cJSON_AddNumberToObject(body, "holder_id", (double)id);
	return 0;
}

/* --- one report from the command line -------------------------------------------------------------------- */

static int report_args(struct cli *c, const struct cli_args *a)
{
	const char *holder = cli_args_get(a, "holder"), *key_opt = cli_args_get(a, "key");
	const char *occupancy = cli_args_get(a, "occupancy"), *staff = cli_args_get(a, "staff");
	if (!a->npos)
		return cli_usage("report", "needs at least one ITEM=QUANTITY (or --csv FILE)");
	if (a->npos > REPORT_MAX_LINES)
		return cli_usage("report", "takes at most %d ITEM=QUANTITY (use --csv for more)", REPORT_MAX_LINES);
	if (key_opt && !cli_key_ok(key_opt))
		return cli_usage("report", "--key must be 1 to 128 printable characters without spaces");
	int rc = CLI_OK;
	struct cli_response res;
	memset(&res, 0, sizeof res);
	cJSON *body = cJSON_CreateObject();
	if (holder && add_holder(body, holder)) {
		rc = cli_usage("report", "--holder must be structure:ID or depot:ID, like structure:12");
		goto out;
	}
	cJSON *items = cJSON_AddArrayToObject(body, "items");
	for (size_t i = 0; i < a->npos; i++) {
		const char *arg = a->pos[i], *eq = strchr(arg, '=');
		if (!eq || eq == arg) {
			rc = cli_usage("report", "\"%s\" is not ITEM=QUANTITY, like gloves-examination=1500", arg);
			goto out;
		}
		char *code = strndup(arg, (size_t)(eq - arg));
		cJSON *line = cJSON_CreateObject();
		cJSON_AddItemToObject(line, "item", item_ref(code ? code : ""));
		cJSON_AddItemToObject(line, "quantity", cli_json_scalar(eq + 1));
		cJSON_AddItemToArray(items, line);
		free(code);
	}
	if (occupancy)
		cJSON_AddItemToObject(body, "occupancy", cli_json_scalar(occupancy));
	if (staff)
		cJSON_AddItemToObject(body, "staff", cli_json_scalar(staff));

	char key[160];
	if (key_opt)
		snprintf(key, sizeof key, "%s", key_opt);
	else {
		if (cli_random_key("rf-", key, sizeof key)) {
			rc = CLI_USAGE;
			goto out;
		}
		cli_note(c, "idempotency key %s (to retry this very report: --key %s)", key, key);
	}
	rc = cli_http_json(c, "POST", "/api/v1/stock/reports", body, key, &res);
	if (rc == CLI_UNREACHABLE)
		cli_err("the report may or may not have been recorded: send it again with --key %s, it will count once",
			key);
	if (rc)
		goto out;
	if (res.status >= 400) {
		rc = cli_http_refused(&res, NULL);
		if (rc == CLI_UNREACHABLE)
			cli_err("send it again with --key %s", key);
		goto out;
	}
	if (c->json) {
		cli_out_json_line(stdout, res.json);
		goto out;
	}
	char id[32], hid[32];
	cli_out_member(res.json, "report_id", id, sizeof id);
	cli_out_member(res.json, "holder_id", hid, sizeof hid);
	printf("report %s: %s %s at %s (key %s)\n", id, cli_out_str(res.json, "holder_kind"), hid,
	       cli_out_str(res.json, "at"), key);
	struct cli_table t;
	cli_table_init(&t, 5, one_titles, one_right);
	add_levels(&t, res.json, NULL, 0);
	cli_table_print(&t, stdout);
	cli_table_release(&t);
out:
	cJSON_Delete(body);
	cli_response_release(&res);
	return rc;
}

/* --- reports from a CSV file --------------------------------------------------------------------------- */

struct csv_item {
	long line;
	char *item, *quantity;
};

/* The lines of one holder (NULL kind and id: the token's own structure or depot). */
struct group {
	char *kind, *id;
	char *occupancy, *staff;
	long first_line, occupancy_line, staff_line;
	struct csv_item *items;
	size_t n, cap;
};

struct csv_job {
	const char *file;
	struct group *groups;
	size_t ngroups, cap;
	size_t nlines;
};

static void job_release(struct csv_job *j)
{
	for (size_t g = 0; g < j->ngroups; g++) {
		struct group *gr = &j->groups[g];
		for (size_t i = 0; i < gr->n; i++) {
			free(gr->items[i].item);
			free(gr->items[i].quantity);
		}
		free(gr->items);
		free(gr->kind);
		free(gr->id);
		free(gr->occupancy);
		free(gr->staff);
	}
	free(j->groups);
}

static char *trimmed(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return strndup(s, n);
}

static struct group *find_group(struct csv_job *j, const char *kind, const char *id, long line)
{
	for (size_t g = 0; g < j->ngroups; g++) {
		struct group *gr = &j->groups[g];
		if ((!kind && !gr->kind) || (kind && gr->kind && strcmp(kind, gr->kind) == 0 && strcmp(id, gr->id) == 0))
			return gr;
	}
	if (j->ngroups == j->cap) {
		size_t cap = j->cap ? j->cap * 2 : 16;
		struct group *p = realloc(j->groups, cap * sizeof *p);
		if (!p)
			return NULL;
		j->groups = p;
		j->cap = cap;
	}
	struct group *gr = &j->groups[j->ngroups++];
	memset(gr, 0, sizeof *gr);
	gr->first_line = line;
	if (kind) {
		gr->kind = strdup(kind);
		gr->id = strdup(id);
	}
	return gr;
}

/* Keeps a per-holder value (occupancy, staff): given once, or the same on every line. */
static int keep_value(const struct csv_job *j, const char *name, char **slot, long *slot_line, const char *v, long line)
{
	if (!v[0])
		return 0;
	if (*slot && strcmp(*slot, v) != 0) {
		cli_err("%s line %ld: %s %s differs from %s on line %ld: one value per holder", j->file, line, name, v,
			*slot, *slot_line);
		return -1;
	}
	if (!*slot) {
		*slot = strdup(v);
		*slot_line = line;
	}
	return 0;
}

enum { COL_KIND, COL_ID, COL_ITEM, COL_QTY, COL_OCC, COL_STAFF, NCOLS };
static const char *const col_names[NCOLS] = {"holder_kind", "holder_id", "item", "quantity", "occupancy", "staff"};

/* Reads the file into holders and their lines. 0, or CLI_USAGE after naming the line. */
static int csv_read(struct csv_job *j, const char *data, size_t len)
{
	struct csv_reader r;
	csv_reader_init(&r, data, len);
	int col[NCOLS], rc = CLI_USAGE;
	size_t nheader = 0;
	int got = csv_next_row(&r);
	if (got <= 0) {
		if (got < 0)
			cli_err("%s line %ld: %s", j->file, r.line, r.error);
		else
			cli_err("%s: empty: the first line names the columns (%s)", j->file,
				"holder_kind,holder_id,item,quantity[,occupancy,staff]");
		goto out;
	}
	for (int k = 0; k < NCOLS; k++)
		col[k] = -1;
	nheader = r.nfields;
	for (size_t f = 0; f < r.nfields; f++) {
		int k = 0;
		char *name = trimmed(r.fields[f]);
		while (k < NCOLS && strcmp(name ? name : "", col_names[k]) != 0)
			k++;
		if (k == NCOLS || col[k] >= 0) {
			cli_err("%s line 1: column \"%s\" %s (the columns: holder_kind, holder_id, item, quantity, occupancy, "
				"staff)",
				j->file, name ? name : "", k == NCOLS ? "is not one of renfort's" : "is given twice");
			free(name);
			goto out;
		}
		col[k] = (int)f;
		free(name);
	}
	if (col[COL_ITEM] < 0 || col[COL_QTY] < 0 || (col[COL_KIND] < 0) != (col[COL_ID] < 0)) {
		cli_err("%s line 1: the columns must be holder_kind,holder_id,item,quantity (occupancy and staff "
			"optional), or item,quantity for the token's own structure or depot",
			j->file);
		goto out;
	}
	while ((got = csv_next_row(&r)) > 0) {
		long line = r.line;
		if (r.nfields != nheader) {
			cli_err("%s line %ld: has %zu fields where the header has %zu", j->file, line, r.nfields, nheader);
			goto out;
		}
		char *v[NCOLS] = {NULL};
		int bad = 0;
		for (int k = 0; k < NCOLS; k++)
			v[k] = trimmed(col[k] >= 0 ? r.fields[col[k]] : "");
		for (int k = 0; k < 4 && !bad; k++)
			if (col[k] >= 0 && !v[k][0]) {
				cli_err("%s line %ld: %s is empty", j->file, line, col_names[k]);
				bad = 1;
			}
		struct group *gr = bad ? NULL : find_group(j, col[COL_KIND] >= 0 ? v[COL_KIND] : NULL, v[COL_ID], line);
		if (!bad && (!gr || keep_value(j, "occupancy", &gr->occupancy, &gr->occupancy_line, v[COL_OCC], line) ||
			     keep_value(j, "staff", &gr->staff, &gr->staff_line, v[COL_STAFF], line)))
			bad = 1;
		if (!bad && gr->n == gr->cap) {
			size_t cap = gr->cap ? gr->cap * 2 : 16;
			struct csv_item *p = realloc(gr->items, cap * sizeof *p);
			if (p) {
				gr->items = p;
				gr->cap = cap;
			} else
				bad = 1;
		}
		if (!bad) {
			gr->items[gr->n].line = line;
			gr->items[gr->n].item = v[COL_ITEM];
			gr->items[gr->n++].quantity = v[COL_QTY];
			v[COL_ITEM] = v[COL_QTY] = NULL;
			j->nlines++;
		}
		for (int k = 0; k < NCOLS; k++)
			free(v[k]);
		if (bad)
			goto out;
	}
	if (got < 0) {
		cli_err("%s line %ld: %s", j->file, r.line, r.error);
		goto out;
	}
	if (!j->nlines) {
		cli_err("%s: no line to report after the header", j->file);
		goto out;
	}
	rc = 0;
out:
	csv_reader_release(&r);
	return rc;
}

/* The body of the report of lines [from, to) of a holder. */
static cJSON *chunk_body(const struct group *gr, size_t from, size_t to, const char *holder_opt)
{
	cJSON *body = cJSON_CreateObject();
	if (gr->kind) {
		cJSON_AddStringToObject(body, "holder_kind", gr->kind);
		cJSON_AddItemToObject(body, "holder_id", cli_json_scalar(gr->id));
	} else if (holder_opt)
		add_holder(body, holder_opt);
	cJSON *items = cJSON_AddArrayToObject(body, "items");
	for (size_t i = from; i < to; i++) {
		cJSON *line = cJSON_CreateObject();
		cJSON_AddItemToObject(line, "item", item_ref(gr->items[i].item));
		cJSON_AddItemToObject(line, "quantity", cli_json_scalar(gr->items[i].quantity));
		cJSON_AddItemToArray(items, line);
	}
	if (gr->occupancy)
		cJSON_AddItemToObject(body, "occupancy", cli_json_scalar(gr->occupancy));
	if (gr->staff)
		cJSON_AddItemToObject(body, "staff", cli_json_scalar(gr->staff));
	return body;
}

/* The key of a report from the file: a digest of what it says and of its line numbers, so that
 * the same file sent again (whole, or after a fix elsewhere) is counted once. */
static void chunk_key(const char *prefix, const char *body_text, const struct group *gr, size_t from, size_t to,
		      char *out, size_t len)
{
	struct buf in;
	buf_init(&in);
	buf_puts(&in, body_text);
	for (size_t i = from; i < to; i++)
		buf_printf(&in, "\n%ld", gr->items[i].line);
	char digest[65];
	cli_sha256_hex(in.data ? in.data : "", in.len, digest);
	buf_release(&in);
	snprintf(out, len, "%s-%.24s-L%ld", prefix, digest, gr->items[from].line);
}

/* The CSV line a refused report's error is about, and the field as the file names it. */
static long error_line(const struct group *gr, size_t from, size_t to, const char *field, const char **column)
{
	*column = field;
	if (strncmp(field, "items[", 6) == 0) {
		char *end;
		long k = strtol(field + 6, &end, 10);
		if (*end == ']' && k >= 0 && (size_t)k < to - from) {
			*column = end[1] == '.' ? end + 2 : "item";
			return gr->items[from + (size_t)k].line;
		}
	}
	if (strcmp(field, "occupancy") == 0 && gr->occupancy)
		return gr->occupancy_line;
	if (strcmp(field, "staff") == 0 && gr->staff)
		return gr->staff_line;
	return gr->items[from].line;
}

static int report_csv(struct cli *c, const struct cli_args *a)
{
	const char *file = cli_args_get(a, "csv"), *holder = cli_args_get(a, "holder");
	const char *prefix = cli_args_get(a, "key");
	if (a->npos)
		return cli_usage("report", "takes either ITEM=QUANTITY arguments or --csv FILE, not both");
	if (cli_args_has(a, "occupancy") || cli_args_has(a, "staff"))
		return cli_usage("report", "with --csv, occupancy and staff are columns of the file");
	if (prefix && (!cli_key_ok(prefix) || strlen(prefix) > 64))
		return cli_usage("report", "--key must be 1 to 64 printable characters without spaces with --csv");
	if (holder) {
		cJSON *probe = cJSON_CreateObject();
		int bad = add_holder(probe, holder);
		cJSON_Delete(probe);
		if (bad)
			return cli_usage("report", "--holder must be structure:ID or depot:ID, like structure:12");
	}
	struct csv_job j;
	memset(&j, 0, sizeof j);
	j.file = strcmp(file, "-") == 0 ? "standard input" : file;
	struct buf data;
	buf_init(&data);
	struct cli_table t;
	cli_table_init(&t, 7, csv_titles, csv_right);
	int rc = CLI_USAGE;
	size_t sent = 0, refused = 0, total = 0;
	if (cli_read_file(file, REPORT_CSV_MAX, &data) || csv_read(&j, data.data, data.len))
		goto out;
	if (holder && j.groups[0].kind) {
		rc = cli_usage("report", "--holder is for a file of item,quantity only: %s names its holders", j.file);
		goto out;
	}
	for (size_t g = 0; g < j.ngroups; g++)
		total += (j.groups[g].n + REPORT_MAX_LINES - 1) / REPORT_MAX_LINES;
	rc = CLI_OK;
	for (size_t g = 0; g < j.ngroups && rc != CLI_UNREACHABLE && rc != CLI_AUTH; g++) {
		const struct group *gr = &j.groups[g];
		for (size_t from = 0; from < gr->n; from += REPORT_MAX_LINES) {
			size_t to = from + REPORT_MAX_LINES < gr->n ? from + REPORT_MAX_LINES : gr->n;
			cJSON *body = chunk_body(gr, from, to, holder);
			char *text = cJSON_PrintUnformatted(body);
			char key[200];
			chunk_key(prefix ? prefix : "csv", text ? text : "", gr, from, to, key, sizeof key);
			struct cli_response res;
			int sc = cli_http_send(c, "POST", "/api/v1/stock/reports", "application/json", text,
					       text ? strlen(text) : 0, key, &res);
			free(text);
			cJSON_Delete(body);
			if (!sc && res.status >= 400) {
				const char *column;
				const char *field = cli_http_error_member(&res, "field");
				long line = error_line(gr, from, to, field, &column);
				char where[600];
				snprintf(where, sizeof where, "%s line %ld", j.file, line);
				/* the rule as renfortd says it, the field as the file names it */
				sc = cli_http_refused_as(&res, where, column);
				if (sc == CLI_REFUSED)
					refused++;
			} else if (!sc) {
				sent++;
				if (c->json)
					cli_out_json_line(stdout, res.json);
				else {
					long lines[REPORT_MAX_LINES];
					for (size_t i = from; i < to; i++)
						lines[i - from] = gr->items[i].line;
					add_levels(&t, res.json, lines, to - from);
				}
			}
			cli_response_release(&res);
			if (sc == CLI_UNREACHABLE || sc == CLI_AUTH) {
				if (sc == CLI_UNREACHABLE)
					cli_err("%s: %zu of %zu reports recorded before this; run the same command again: "
						"what was recorded is not counted twice",
						j.file, sent, total);
				rc = sc;
				break;
			}
			if (sc)
				rc = sc;
		}
	}
	if (!c->json && t.nrows)
		cli_table_print(&t, stdout);
	if (rc != CLI_UNREACHABLE && rc != CLI_AUTH)
		cli_note(c, "%s: %zu line%s, %zu of %zu report%s recorded", j.file, j.nlines, j.nlines == 1 ? "" : "s",
			 sent, total, total == 1 ? "" : "s");
	if (refused)
		cli_err("%s: %zu report%s refused (see above); fix the lines and run the same command again", j.file,
			refused, refused == 1 ? "" : "s");
out:
	cli_table_release(&t);
	buf_release(&data);
	job_release(&j);
	return rc;
}

static int run_report(struct cli *c, const struct cli_args *a)
{
	return cli_args_get(a, "csv") ? report_csv(c, a) : report_args(c, a);
}

static const struct cli_opt report_opts[] = {
	{"holder", 0, 1}, {"occupancy", 0, 1}, {"staff", 0, 1}, {"key", 0, 1}, {"csv", 0, 1}, {NULL, 0, 0},
};

const struct cli_command cmd_report = {
	"report", "report counted stock: one report, or one per holder from a CSV file",
	"Usage: renfort report ITEM=QUANTITY [ITEM=QUANTITY...] [--holder structure:ID|depot:ID]\n"
	"                      [--occupancy N] [--staff N] [--key KEY]\n"
	"       renfort report --csv FILE [--holder structure:ID|depot:ID] [--key PREFIX]\n"
	"\n"
	"Reports the quantity of each item counted on the shelf now (POST /api/v1/stock/reports), and prints\n"
	"what renfortd makes of it: burn rate, days of cover, and the item's alert when one is open.\n"
	"ITEM is an item code of the catalogue (renfort list items) or its id.\n"
	"\n"
	"  --holder KIND:ID  the structure or depot counted; a structure's or depot's own token may leave it out\n"
	"  --occupancy N     occupied beds now (structures): updates the structure and its burn-rate estimate\n"
	"  --staff N         care workers on duty now (structures)\n"
	"  --key KEY         the idempotency key. Without it a random key is made and shown on stderr: if the\n"
	"                    answer is lost (exit 3), send the same report again with --key KEY and it counts once\n"
	"  --csv FILE        read the counts from a CSV file (\"-\": standard input) whose first line names the\n"
	"                    columns holder_kind,holder_id,item,quantity and optionally occupancy,staff; or\n"
	"                    item,quantity for the token's own structure or depot (or --holder). One report is sent\n"
	"                    per holder (per 100 lines). Each report's key is derived from its lines of the file\n"
	"                    (their content and line numbers): running the same file again, or again after fixing\n"
	"                    a refused line, does not count anything twice (keys are remembered for a day);\n"
	"                    --key PREFIX starts the keys with PREFIX instead of \"csv\", e.g. to send the same\n"
	"                    counts again as a new count. Errors name the file's line.\n"
	"\n"
	"With --json: renfortd's answer as it is (one JSON line per report with --csv).\n"
	"Exit 1 when renfortd refuses a report (with --csv, the other reports are still sent), 2 for a\n"
	"malformed argument or file, 3 when renfortd cannot be reached (retry with the same key).\n"
	"\n"
	"Examples:\n"
	"  renfort report gloves-examination=1500 alcohol-based-hand-rub=0 --holder structure:1\n"
	"  renfort report masks-ffp2=400 --occupancy 61 --staff 38        (with a structure's token)\n"
	"  renfort report --csv counts.csv\n",
	report_opts, run_report,
};
