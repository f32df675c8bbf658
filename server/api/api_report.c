/* api_report: what the coordination cell hands on: the daily situation report ("point de
 * situation") of a territory and a date, as JSON or CSV, and the reporting completeness (who
 * reported that day, who is late, who is silent, the list to chase). Days are Paris days. */
#include "api_handlers.h"
#include "app.h"
#include "buf.h"
#include "clock.h"
#include "csv.h"
#include "paris_time.h"
#include "store_sitrep.h"

#include <stdio.h>
#include <string.h>

#define CHASE_MAX 2000

/* The day asked (default: today in Paris) and the département (NULL: the caller's territory). */
struct day_query {
	char date[11];
	long long start, end, prev; /* [start, end) the day, prev the day before's start */
	const char *dep;
	char dep_buf[8];
};

static int read_day(struct app *app, struct op_request *req, struct op_response *res, const char *const *names,
		    const char *rule, struct day_query *q)
{
	(void)app;
	if (api_only_params(req, res, names, rule))
		return -1;
	char t[16];
	const char *date = api_param(req, "date", t, sizeof t);
	q->dep = api_param(req, "dep", q->dep_buf, sizeof q->dep_buf);
	if (q->dep && strlen(q->dep) != 2)
		return api_fail(res, 422, "invalid", "dep", "must be a département code like 81");
	int y, m, d;
	if (date) {
		if (paris_parse_date(date, &y, &m, &d))
			return api_fail(res, 422, "invalid", "date", "must be a date like 2026-12-02 (a day in Paris)");
	} else {
		struct paris_tm today;
		paris_fields(req->now, &today);
		y = today.year, m = today.month, d = today.day;
	}
	snprintf(q->date, sizeof q->date, "%04d-%02d-%02d", y, m, d);
	q->start = paris_midnight(y, m, d);
	q->end = paris_end_of_day(y, m, d);
	clock_civil_from_days(clock_days_from_civil(y, m, d) - 1, &y, &m, &d);
	q->prev = paris_midnight(y, m, d);
	if (q->start > req->now)
		return api_fail(res, 422, "invalid", "date", "is in the future");
	return 0;
}

/* The state at the day's end, or now for today. */
static long long as_of(const struct day_query *q, long long now)
{
	return q->end < now ? q->end : now + 1;
}

/* --- reports.completeness ----------------------------------------------------------------------------- */

static int add_completeness(void *ctx, const struct completeness_row *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "dep", r->dep);
	cJSON_AddStringToObject(o, "category", r->category);
	cJSON_AddNumberToObject(o, "structures", (double)r->structures);
	cJSON_AddNumberToObject(o, "reported", (double)r->reported);
	cJSON_AddNumberToObject(o, "late", (double)r->late);
	cJSON_AddNumberToObject(o, "silent", (double)r->silent);
	cJSON_AddItemToArray(ctx, o);
	return 0;
}

static int add_chase(void *ctx, const struct chase_row *r)
{
	char iso[32];
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)r->id);
	cJSON_AddStringToObject(o, "name", r->name);
	cJSON_AddStringToObject(o, "dep", r->dep);
	cJSON_AddStringToObject(o, "category", r->category);
	cJSON_AddStringToObject(o, "state", r->late ? "late" : "silent");
	if (r->last_report_at)
		cJSON_AddStringToObject(o, "last_report_at", clock_format_iso(r->last_report_at, iso));
	else
		cJSON_AddNullToObject(o, "last_report_at");
	cJSON_AddItemToArray(ctx, o);
	return 0;
}

/* {"by": [...], "chase": [...]} of the day into o. */
static int completeness(struct app *app, struct op_request *req, const struct day_query *q, cJSON *o)
{
	cJSON *by = cJSON_AddArrayToObject(o, "completeness");
	cJSON *chase = cJSON_AddArrayToObject(o, "chase");
	int rc = store_completeness(app->store, &req->who, q->dep, q->start, q->end, add_completeness, by);
	if (!rc)
		rc = store_completeness_chase(app->store, &req->who, q->dep, q->start, q->end, CHASE_MAX, add_chase, chase);
	return rc;
}

int op_reports_completeness(struct app *app, struct op_request *req, struct op_response *res)
{
	static const char *const names[] = {"dep", "date", NULL};
	struct day_query q;
	if (read_day(app, req, res, names, "is not a parameter of the completeness (dep, date)", &q))
		return -1;
	res->data = cJSON_CreateObject();
	cJSON_AddStringToObject(res->data, "date", q.date);
	int rc = completeness(app, req, &q, res->data);
	if (rc) {
		cJSON_Delete(res->data);
		res->data = NULL;
		return api_fail_store(app, res, rc, "completeness");
	}
	return 0;
}

/* --- reports.situation -------------------------------------------------------------------------------- */

static int add_shortage(void *ctx, const struct shortage_count *c)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "dep", c->dep);
	cJSON_AddStringToObject(o, "item", c->item_code);
	cJSON_AddStringToObject(o, "item_name", c->item_name);
	cJSON_AddStringToObject(o, "severity", c->severity);
	cJSON_AddNumberToObject(o, "count", (double)c->count);
	cJSON_AddItemToArray(ctx, o);
	return 0;
}

static int add_stockout(void *ctx, const struct stockout_holder *h)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "holder_kind", h->holder_kind);
	cJSON_AddNumberToObject(o, "holder_id", (double)h->holder_id);
	cJSON_AddStringToObject(o, "name", h->name);
	cJSON_AddStringToObject(o, "dep", h->dep);
	cJSON_AddStringToObject(o, "items", h->items ? h->items : "");
	cJSON_AddItemToArray(ctx, o);
	return 0;
}

static const char *text_of(const cJSON *o, const char *name)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, name);
	return cJSON_IsString(j) ? j->valuestring : "";
}

static long long number_of(const cJSON *o, const char *name)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, name);
	return cJSON_IsNumber(j) ? (long long)j->valuedouble : 0;
}

/* One CSV line: section, dep, subject, detail, count (count < 0: empty). Names people typed go
 * through csv_write_text: a structure called "=HYPERLINK(...)" is shown, never run. */
static int csv_line(struct buf *b, const char *section, const char *dep, const char *subject, const char *detail,
		    long long count)
{
	char n[24] = "";
	if (count >= 0)
		snprintf(n, sizeof n, "%lld", count);
	return csv_write_field(b, section, 0) || csv_write_text(b, dep, 0) || csv_write_text(b, subject, 0) ||
	       csv_write_text(b, detail, 0) || csv_write_field(b, n, 1);
}

static int situation_csv(const cJSON *s, struct buf *b)
{
	const cJSON *x;
	int bad = csv_write_field(b, "section", 0) || csv_write_field(b, "dep", 0) || csv_write_field(b, "subject", 0) ||
		  csv_write_field(b, "detail", 0) || csv_write_field(b, "count", 1);
	bad = bad || csv_line(b, "report", text_of(s, "territory"), text_of(s, "date"), text_of(s, "as_of"), -1);
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(s, "shortages"))
	bad = bad || csv_line(b, "shortage", text_of(x, "dep"), text_of(x, "item_name"), text_of(x, "severity"),
			      number_of(x, "count"));
	const cJSON *ch = cJSON_GetObjectItemCaseSensitive(s, "changes");
	static const char *const changes[] = {"opened", "resolved", "stockout_holders", "stockout_holders_yesterday", NULL};
	for (const char *const *c = changes; *c; c++)
		bad = bad || csv_line(b, "change", "", *c, "", number_of(ch, *c));
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(s, "stockouts"))
	bad = bad || csv_line(b, "stockout", text_of(x, "dep"), text_of(x, "name"), text_of(x, "items"), -1);
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(s, "completeness"))
	{
		char what[64];
		static const char *const cols[] = {"structures", "reported", "late", "silent", NULL};
		for (const char *const *c = cols; *c; c++) {
			snprintf(what, sizeof what, "%s", *c);
			bad = bad || csv_line(b, "completeness", text_of(x, "dep"), text_of(x, "category"), what, number_of(x, *c));
		}
	}
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(s, "chase"))
	bad = bad || csv_line(b, strcmp(text_of(x, "state"), "late") == 0 ? "late" : "silent", text_of(x, "dep"),
			      text_of(x, "name"), text_of(x, "last_report_at"), -1);
	return bad ? -1 : 0;
}

int op_reports_situation(struct app *app, struct op_request *req, struct op_response *res)
{
	static const char *const names[] = {"dep", "date", "format", NULL};
	struct day_query q;
	if (read_day(app, req, res, names, "is not a parameter of the situation report (dep, date, format)", &q))
		return -1;
	char f[16];
	const char *format = api_param(req, "format", f, sizeof f);
	if (format && strcmp(format, "json") && strcmp(format, "csv"))
		return api_fail(res, 422, "invalid", "format", "must be json or csv");
	long long at = as_of(&q, req->now);
	long long yesterday = q.start < req->now ? q.start : req->now; /* the end of the day before */
	char iso[32];
	cJSON *s = cJSON_CreateObject();
	/* the département asked, the caller's départements ("31,81"), or the region */
	char territory[48];
	snprintf(territory, sizeof territory, "%s", q.dep ? q.dep : req->who.deps[0] ? req->who.deps + 1 : "region");
	size_t tl = strlen(territory);
	if (tl && territory[tl - 1] == ',')
		territory[tl - 1] = '\0';
	cJSON_AddStringToObject(s, "territory", territory);
	cJSON_AddStringToObject(s, "date", q.date);
	cJSON_AddStringToObject(s, "as_of", clock_format_iso(at - (at > req->now ? 1 : 0), iso));
	cJSON *shortages = cJSON_AddArrayToObject(s, "shortages");
	cJSON *changes = cJSON_AddObjectToObject(s, "changes");
	cJSON *stockouts = cJSON_AddArrayToObject(s, "stockouts");
	long long opened = 0, resolved = 0;
	int failed = 0;
	int rc = store_sitrep_shortages(app->store, &req->who, q.dep, at, add_shortage, shortages);
	if (!rc)
		rc = store_sitrep_changes(app->store, &req->who, q.dep, q.start, q.end, &opened, &resolved);
	long long now_out = rc ? 0 : store_sitrep_stockout_holders(app->store, &req->who, q.dep, at, &failed);
	long long then_out = rc ? 0 : store_sitrep_stockout_holders(app->store, &req->who, q.dep, yesterday, &failed);
	if (!rc && failed)
		rc = STORE_ERROR;
	if (!rc)
		rc = store_sitrep_stockouts(app->store, &req->who, q.dep, at, add_stockout, stockouts);
	if (!rc)
		rc = completeness(app, req, &q, s);
	if (rc) {
		cJSON_Delete(s);
		return api_fail_store(app, res, rc, "situation");
	}
	cJSON_AddNumberToObject(changes, "opened", (double)opened);
	cJSON_AddNumberToObject(changes, "resolved", (double)resolved);
	cJSON_AddNumberToObject(changes, "stockout_holders", (double)now_out);
	cJSON_AddNumberToObject(changes, "stockout_holders_yesterday", (double)then_out);
	if (format && strcmp(format, "csv") == 0) {
		struct buf b;
		buf_init(&b);
		int bad = situation_csv(s, &b);
		cJSON_Delete(s);
		if (bad) {
			buf_release(&b);
			return api_fail(res, 503, "unavailable", "", "out of memory");
		}
		res->raw_len = b.len;
		res->raw = buf_detach(&b);
		snprintf(res->raw_type, sizeof res->raw_type, "text/csv; charset=utf-8");
		/* the day is the file's first line ("report"): the name stays the same for a territory */
		snprintf(res->filename, sizeof res->filename, "situation-%s.csv", q.dep ? q.dep : "renfort");
		return 0;
	}
	res->data = s;
	return 0;
}
