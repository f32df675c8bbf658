/* cmd_registry: `renfort list` (a table or JSON, page by page or --all), `renfort import` and
 * `renfort export` (CSV or JSON) of the registries. */
#include "cli.h"
#include "cli_http.h"
#include "cli_out.h"
#include "cli_util.h"
#include "csv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define IMPORT_MAX ((size_t)256 << 20) /* renfortd's max_body_bytes decides; this only bounds memory */
#define ALL_PAGE "1000"                /* page size asked by --all (renfortd's default maximum) */

/* What `list` shows of each kind: a column title and the member it comes from. */
struct column {
	const char *title;
	const char *key;
	int right;
};

struct kind {
	const char *name; /* as typed, and the path under /api/v1/ */
	int list, import, export;
	const struct column *cols;
};

static const struct column structure_cols[] = {
	{"ID", "id", 1}, {"NAME", "name", 0}, {"CATEGORY", "category", 0}, {"LEGAL FORM", "legal_form", 0},
	{"DEP", "dep", 0}, {"COMMUNE", "commune", 0}, {"CAPACITY", "capacity", 1}, {"OCCUPANCY", "occupancy", 1},
	{"STAFF", "staff", 1}, {"STATUS", "status", 0}, {NULL, NULL, 0},
};
static const struct column volunteer_cols[] = {
	{"ID", "id", 1}, {"FIRST NAME", "first_name", 0}, {"LAST NAME", "last_name", 0},
	{"PROFESSION", "profession", 0}, {"PHONE", "phone", 0}, {"DEP", "dep", 0},
	{"AVAILABILITY", "availability", 0}, {"STATUS", "status", 0}, {NULL, NULL, 0},
};
static const struct column depot_cols[] = {
	{"ID", "id", 1}, {"NAME", "name", 0}, {"LEVEL", "level", 0}, {"DEP", "dep", 0}, {"COMMUNE", "commune", 0},
	{"PHONE", "phone", 0}, {"STATUS", "status", 0}, {NULL, NULL, 0},
};
static const struct column item_cols[] = {
	{"ID", "id", 1}, {"CODE", "code", 0}, {"NAME", "name", 0}, {"CATEGORY", "category", 0}, {"UNIT", "unit", 0},
	{NULL, NULL, 0},
};
static const struct column alert_cols[] = {
	{"ID", "id", 1}, {"SEVERITY", "severity", 0}, {"KIND", "kind", 0}, {"STATUS", "status", 0},
	{"HOLDER", "holder_name", 0}, {"DEP", "dep", 0}, {"ITEM", "item", 0}, {"COVER", "days_of_cover", 1},
	{"OPENED", "opened_at", 0}, {NULL, NULL, 0},
};
static const struct column commune_cols[] = {
	{"INSEE", "insee", 0}, {"NAME", "name", 0}, {"DEP", "dep", 0}, {"POSTCODE", "postcode", 0},
	{"POPULATION", "population", 1}, {NULL, NULL, 0},
};
static const struct column officer_cols[] = {
	{"ID", "id", 1}, {"NAME", "name", 0}, {"PHONE", "phone", 0}, {"LANG", "lang", 0}, {"DEP", "dep", 0},
	{"STATUS", "status", 0}, {NULL, NULL, 0},
};

static const struct kind kinds[] = {
	{"structures", 1, 1, 1, structure_cols},
	{"volunteers", 1, 1, 1, volunteer_cols},
	{"depots", 1, 0, 1, depot_cols},
	{"items", 1, 0, 1, item_cols},
	{"alerts", 1, 0, 0, alert_cols},
	{"communes", 1, 0, 0, commune_cols},
	{"duty_officers", 1, 0, 1, officer_cols},
	{"epidemic", 0, 1, 0, NULL}, /* the daily hospital figures per département: imported, not a registry */
	{NULL, 0, 0, 0, NULL},
};

static const struct kind *find_kind(const char *cmd, const char *name, int need_import, int need_export)
{
	for (const struct kind *k = kinds; name && k->name; k++)
		if (strcmp(k->name, name) == 0 && (!need_import || k->import) && (!need_export || k->export))
			return k;
	char names[256] = "";
	for (const struct kind *k = kinds; k->name; k++)
		if ((!need_import || k->import) && (!need_export || k->export))
			snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", names[0] ? ", " : "",
				 k->name);
	if (name)
		cli_usage(cmd, "cannot %s \"%s\": one of %s", cmd, name, names);
	else
		cli_usage(cmd, "what to %s? one of %s", cmd, names);
	return NULL;
}

/* --filter k=v ... into the query. 0, or CLI_USAGE. */
static int add_filters(const char *cmd, const struct cli_args *a, struct buf *path)
{
	size_t it = 0;
	const char *f;
	while ((f = cli_args_next(a, "filter", &it))) {
		const char *eq = strchr(f, '=');
		if (!eq || eq == f)
			return cli_usage(cmd, "--filter takes NAME=VALUE, like dep=81, not \"%s\"", f);
		char *name = strndup(f, (size_t)(eq - f));
		int bad = !name || cli_query_add(path, name, eq + 1);
		free(name);
		if (bad)
			return CLI_USAGE;
	}
	return 0;
}

/* --- list ------------------------------------------------------------------------------------------------- */

static void add_rows(struct cli_table *t, const struct kind *k, const cJSON *items)
{
	size_t n = t->ncols;
	char **cells = calloc(n, sizeof *cells);
	if (!cells)
		return;
	for (size_t i = 0; i < n; i++)
		cells[i] = malloc(512);
	const cJSON *row;
	cJSON_ArrayForEach(row, items)
	{
		for (size_t i = 0; i < n; i++) {
			if (!cells[i])
				continue;
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(row, k->cols[i].key);
			if (strcmp(k->cols[i].key, "days_of_cover") == 0)
				cli_out_days(v, cells[i], 512);
			else
				cli_out_value(v, cells[i], 512);
		}
		cli_table_add(t, (const char *const *)cells);
	}
	for (size_t i = 0; i < n; i++)
		free(cells[i]);
	free(cells);
}

static int run_list(struct cli *c, const struct cli_args *a)
{
	if (a->npos > 1)
		return cli_usage("list", "lists one kind at a time");
	const struct kind *k = find_kind("list", a->npos ? a->pos[0] : NULL, 0, 0);
	if (!k)
		return CLI_USAGE;
	int all = cli_args_has(a, "all");
	const char *limit = cli_args_get(a, "limit"), *after = cli_args_get(a, "after");
	int auto_limit = all && !limit;
	if (auto_limit)
		limit = ALL_PAGE;

	size_t ncols = 0;
	while (k->cols[ncols].title)
		ncols++;
	const char *titles[16];
	int right[16];
	for (size_t i = 0; i < ncols; i++) {
		titles[i] = k->cols[i].title;
		right[i] = k->cols[i].right;
	}
	struct cli_table t;
	cli_table_init(&t, ncols, titles, right);
	cJSON *merged = cJSON_CreateArray(), *total = NULL;
	char *next = after ? strdup(after) : NULL;
	struct buf path;
	buf_init(&path);
	int rc = CLI_OK;
	size_t pages = 0, shown = 0;
	for (;;) {
		buf_reset(&path);
		buf_printf(&path, "/api/v1/%s", k->name);
		if ((rc = add_filters("list", a, &path)))
			break;
		if (limit)
			cli_query_add(&path, "limit", limit);
		if (next)
			cli_query_add(&path, "after", next);
		struct cli_response res;
		rc = cli_http_send(c, "GET", path.data, NULL, NULL, 0, NULL, &res);
		if (!rc && res.status == 422 && auto_limit && pages == 0 &&
		    strcmp(cli_http_error_member(&res, "field"), "limit") == 0) {
			/* this renfortd has smaller pages: take its default */
			cli_response_release(&res);
			limit = NULL;
			auto_limit = 0;
			continue;
		}
		if (!rc && res.status >= 400)
			rc = cli_http_refused(&res, NULL);
		const cJSON *items = rc ? NULL : cJSON_GetObjectItemCaseSensitive(res.json, "items");
		if (!rc && !cJSON_IsArray(items)) {
			cli_err("GET %s: renfortd's answer has no items", path.data);
			rc = CLI_UNREACHABLE;
		}
		if (rc) {
			cli_response_release(&res);
			break;
		}
		pages++;
		shown += (size_t)cJSON_GetArraySize(items);
		if (!total && cJSON_GetObjectItemCaseSensitive(res.json, "total"))
			total = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(res.json, "total"), 1);
		const cJSON *nx = cJSON_GetObjectItemCaseSensitive(res.json, "next");
		char *was = next;
		next = NULL;
		if (cJSON_IsString(nx))
			next = strdup(nx->valuestring);
		else if (cJSON_IsNumber(nx)) {
			char tmp[64];
			cli_out_value(nx, tmp, sizeof tmp);
			next = strdup(tmp);
		}
		int stuck = next && was && strcmp(next, was) == 0;
		free(was);
		if (c->json && !all) {
			fwrite(res.body.data, 1, res.body.len, stdout);
			fputc('\n', stdout);
		} else if (c->json) {
			cJSON *it;
			cJSON *own = cJSON_GetObjectItemCaseSensitive(res.json, "items");
			while ((it = cJSON_DetachItemFromArray(own, 0)))
				cJSON_AddItemToArray(merged, it);
		} else
			add_rows(&t, k, items);
		cli_response_release(&res);
		if (!all || !next || stuck)
			break;
	}
	if (!rc) {
		if (c->json && all) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddItemToObject(o, "items", merged);
			merged = NULL;
			cJSON_AddItemToObject(o, "total", total ? total : cJSON_CreateNumber((double)shown));
			total = NULL;
			cli_out_json_line(stdout, o);
			cJSON_Delete(o);
		} else if (!c->json)
			cli_table_print(&t, stdout);
		char tot[64] = "";
		if (total)
			cli_out_value(total, tot, sizeof tot);
		if (next && !all)
			cli_note(c, "%zu %s shown%s%s; more with --after %s, or all with --all", shown, k->name,
				 tot[0] ? " of " : "", tot, next);
		else if (!c->json)
			cli_note(c, "%zu %s", shown, k->name);
	}
	free(next);
	buf_release(&path);
	cJSON_Delete(merged);
	cJSON_Delete(total);
	cli_table_release(&t);
	return rc;
}

/* --- import ----------------------------------------------------------------------------------------------- */

static int run_import(struct cli *c, const struct cli_args *a)
{
	if (a->npos != 2)
		return cli_usage("import", "needs what to import and the file: renfort import structures FILE.csv");
	const struct kind *k = find_kind("import", a->pos[0], 1, 0);
	if (!k)
		return CLI_USAGE;
	const char *file = a->pos[1], *key_opt = cli_args_get(a, "key");
	const char *shown = strcmp(file, "-") == 0 ? "standard input" : file;
	if (key_opt && !cli_key_ok(key_opt))
		return cli_usage("import", "--key must be 1 to 128 printable characters without spaces");
	struct buf data, path;
	buf_init(&data);
	buf_init(&path);
	struct cli_response res;
	memset(&res, 0, sizeof res);
	int rc = CLI_USAGE;
	if (cli_read_file(file, IMPORT_MAX, &data))
		goto out;
	char key[160], digest[65];
	cli_sha256_hex(data.data, data.len, digest);
	if (key_opt)
		snprintf(key, sizeof key, "%s", key_opt);
	else
		snprintf(key, sizeof key, "import-%s-%s", k->name, digest);
	buf_printf(&path, "/api/v1/%s/import", k->name);
	rc = cli_http_send(c, "POST", path.data, "text/csv", data.data, data.len, key, &res);
	if (rc) {
		if (rc == CLI_UNREACHABLE)
			cli_err("%s may or may not have been imported: run the same command again, it will count once",
				shown);
		goto out;
	}
	if (res.status >= 400) {
		rc = cli_http_refused(&res, shown);
		if (rc == CLI_REFUSED)
			cli_err("%s: nothing was imported (a file is imported whole or not at all)", shown);
		goto out;
	}
	if (c->json)
		cli_out_json_line(stdout, res.json);
	else if (strcmp(k->name, "epidemic") == 0) {
		char n[32], deps[32], first[16], last[16];
		cli_out_member(res.json, "imported", n, sizeof n);
		cli_out_member(res.json, "departements", deps, sizeof deps);
		cli_out_member(res.json, "first_day", first, sizeof first);
		cli_out_member(res.json, "last_day", last, sizeof last);
		printf("imported %s daily figures of %s départements (%s to %s) from %s\n", n, deps, first, last, shown);
	} else {
		char n[32], first[32], last[32];
		cli_out_member(res.json, "created", n, sizeof n);
		cli_out_member(res.json, "first_id", first, sizeof first);
		cli_out_member(res.json, "last_id", last, sizeof last);
		printf("imported %s %s from %s (ids %s to %s)\n", n, k->name, shown, first, last);
	}
out:
	cli_response_release(&res);
	buf_release(&data);
	buf_release(&path);
	return rc;
}

/* --- export ----------------------------------------------------------------------------------------------- */

/* Writes data to path through a temporary file and a rename: a reader never sees half a file.
 * Mode 0600: exports may hold personal data. */
static int write_file(const char *path, const char *data, size_t len)
{
	size_t n = strlen(path) + 32;
	char *tmp = malloc(n);
	if (!tmp)
		return -1;
	snprintf(tmp, n, "%s.%ld.tmp", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	int ok = fd >= 0;
	for (size_t off = 0; ok && off < len;) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		ok = w > 0;
		off += ok ? (size_t)w : 0;
	}
	int saved = errno;
	if (fd >= 0 && close(fd) && ok) {
		ok = 0;
		saved = errno;
	}
	if (ok && rename(tmp, path)) {
		ok = 0;
		saved = errno;
	}
	if (!ok) {
		if (fd >= 0)
			unlink(tmp);
		cli_err("cannot write %s: %s", path, strerror(saved));
	}
	free(tmp);
	return ok ? 0 : -1;
}

static size_t csv_rows(const char *data, size_t len)
{
	struct csv_reader r;
	csv_reader_init(&r, data, len);
	size_t n = 0;
	while (csv_next_row(&r) > 0)
		n++;
	csv_reader_release(&r);
	return n ? n - 1 : 0;
}

static int run_export(struct cli *c, const struct cli_args *a)
{
	if (a->npos != 1)
		return cli_usage("export", "needs what to export: renfort export structures [-o FILE]");
	const struct kind *k = find_kind("export", a->pos[0], 0, 1);
	if (!k)
		return CLI_USAGE;
	const char *format = cli_args_get(a, "format"), *out_path = cli_args_get(a, "output");
	if (!format)
		format = c->json ? "json" : "csv";
	if (strcmp(format, "csv") && strcmp(format, "json"))
		return cli_usage("export", "--format is csv or json, not \"%s\"", format);
	struct buf path;
	buf_init(&path);
	buf_printf(&path, "/api/v1/%s/export", k->name);
	cli_query_add(&path, "format", format);
	struct cli_response res;
	memset(&res, 0, sizeof res);
	int rc = add_filters("export", a, &path);
	if (rc)
		goto out;
	rc = cli_http_send(c, "GET", path.data, NULL, NULL, 0, NULL, &res);
	if (rc)
		goto out;
	if (res.status >= 400) {
		rc = cli_http_refused(&res, NULL);
		goto out;
	}
	size_t rows = 0;
	if (strcmp(format, "json") == 0)
		rows = (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(res.json, "items"));
	else
		rows = csv_rows(res.body.data, res.body.len);
	if (out_path && strcmp(out_path, "-") != 0) {
		if (write_file(out_path, res.body.data, res.body.len)) {
			rc = CLI_USAGE;
			goto out;
		}
		cli_note(c, "wrote %zu %s to %s", rows, k->name, out_path);
	} else if (fwrite(res.body.data, 1, res.body.len, stdout) != res.body.len || fflush(stdout)) {
		cli_err("cannot write the export to standard output");
		rc = CLI_USAGE;
	}
out:
	cli_response_release(&res);
	buf_release(&path);
	return rc;
}

static const struct cli_opt list_opts[] = {
	{"filter", 0, 1}, {"limit", 0, 1}, {"after", 0, 1}, {"all", 0, 0}, {NULL, 0, 0},
};
static const struct cli_opt import_opts[] = {{"key", 0, 1}, {NULL, 0, 0}};
static const struct cli_opt export_opts[] = {
	{"format", 0, 1}, {"output", 'o', 1}, {"filter", 0, 1}, {NULL, 0, 0},
};

const struct cli_command cmd_list = {
	"list", "list structures, volunteers, depots, items, alerts or communes",
	"Usage: renfort list structures|volunteers|depots|items|alerts|communes|duty_officers\n"
	"                    [--filter NAME=VALUE...] [--limit N] [--after NEXT] [--all]\n"
	"\n"
	"Lists what the token may see, in id order (communes: INSEE order), as a table, or with --json as\n"
	"renfortd's answer ({\"items\", \"total\", \"next\"}; with --all, every item in one object).\n"
	"\n"
	"  --filter NAME=VALUE  an exact filter, repeatable: dep=81, category=ehpad, profession=nurse,\n"
	"                       availability=available, q=<part of the name>; alerts: status=active|open|\n"
	"                       acknowledged|resolved, severity=warning|critical|stockout, kind, holder_id...\n"
	"                       (renfortd refuses a filter it does not have, naming it: exit 1)\n"
	"  --limit N            rows per page (renfortd's default: 50)\n"
	"  --after NEXT         the page after NEXT (the value the previous page printed)\n"
	"  --all                follow the pages to the end\n"
	"\n"
	"Examples:\n"
	"  renfort list structures --filter dep=81 --filter category=ehpad\n"
	"  renfort list alerts --filter severity=critical --all\n"
	"  renfort list volunteers --filter profession=nurse --all --json\n",
	list_opts, run_list,
};

const struct cli_command cmd_import = {
	"import", "create structures or volunteers, or load epidemic figures, from a CSV file",
	"Usage: renfort import structures|volunteers|epidemic FILE.csv [--key KEY]\n"
	"\n"
	"Sends the CSV file (\"-\": standard input) to renfortd (POST /api/v1/KIND/import, text/csv), which\n"
	"creates every row or, when one row is wrong, none: the error names the line, the field and the rule.\n"
	"The header names the fields (as `renfort export` writes them, so an export imports back into another\n"
	"renfortd); structures also accept the FINESS/Eurostat hospital extract as published.\n"
	"epidemic loads the daily hospital figures per département as the ARS published them (date,\n"
	"departement_code, departement_name, hospitalised, intensive_care, discharged, deaths): a day already\n"
	"loaded for a département is replaced.\n"
	"The idempotency key is derived from the file's SHA-256: importing the same file again (after a lost\n"
	"answer, or by mistake) answers the first import again instead of creating the rows twice (for a day).\n"
	"  --key KEY   use this idempotency key instead\n"
	"\n"
	"Example:\n"
	"  renfort import volunteers reserve-tarn.csv\n",
	import_opts, run_import,
};

const struct cli_command cmd_export = {
	"export", "export structures, volunteers, depots or items as CSV or JSON",
	"Usage: renfort export structures|volunteers|depots|items|duty_officers [--format csv|json]\n"
	"                      [-o FILE] [--filter NAME=VALUE...]\n"
	"\n"
	"Every row the token may see that matches the filters (GET /api/v1/KIND/export), as CSV (default) or\n"
	"JSON (--format json, or --json). The CSV imports back with `renfort import`.\n"
	"  -o, --output FILE    write to FILE (created readable by you only: exports may hold personal data)\n"
	"                       instead of standard output\n"
	"  --filter NAME=VALUE  as for `renfort list`\n"
	"\n"
	"Example:\n"
	"  renfort export volunteers --filter dep=81 -o reserve-tarn.csv\n",
	export_opts, run_export,
};
