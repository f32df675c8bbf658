#include "epidemic.h"

#include "clock.h"
#include "csv.h"
#include "paris_time.h"
#include "validate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const figure_names[EPI_NFIGURES] = {"hospitalised", "intensive_care", "discharged", "deaths"};

const char *epidemic_figure_name(enum epidemic_figure f)
{
	return f >= 0 && f < EPI_NFIGURES ? figure_names[f] : "";
}

/* The columns of the layout: where each is in the file's header (-1: absent). */
struct columns {
	int date, dep, name;
	int figure[EPI_NFIGURES];
};

static int fail_at(struct rf_error *err, long line, int status, const char *code, const char *field, const char *rule)
{
	rf_error_set(err, status, code, field, "%s", rule);
	err->line = line;
	return -1;
}

static int *column_slot(struct columns *c, const char *name)
{
	if (strcmp(name, "date") == 0)
		return &c->date;
	if (strcmp(name, "departement_code") == 0)
		return &c->dep;
	if (strcmp(name, "departement_name") == 0)
		return &c->name;
	for (int f = 0; f < EPI_NFIGURES; f++)
		if (strcmp(name, figure_names[f]) == 0)
			return &c->figure[f];
	return NULL;
}

static int read_header(const struct csv_reader *r, struct columns *c, struct rf_error *err)
{
	c->date = c->dep = c->name = -1;
	for (int f = 0; f < EPI_NFIGURES; f++)
		c->figure[f] = -1;
	for (size_t i = 0; i < r->nfields; i++) {
		int *slot = column_slot(c, r->fields[i]);
		if (!slot)
			return fail_at(err, r->line, 422, "unknown_column", r->fields[i],
				       "is not a column of the daily figures (date, departement_code, departement_name, "
				       "hospitalised, intensive_care, discharged, deaths)");
		if (*slot >= 0)
			return fail_at(err, r->line, 422, "invalid_csv", r->fields[i], "is a column given twice");
		*slot = (int)i;
	}
	if (c->date < 0)
		return fail_at(err, r->line, 422, "invalid_csv", "date", "is a required column");
	if (c->dep < 0)
		return fail_at(err, r->line, 422, "invalid_csv", "departement_code", "is a required column");
	for (int f = 0; f < EPI_NFIGURES; f++)
		if (c->figure[f] >= 0)
			return 0;
	return fail_at(err, r->line, 422, "invalid_csv", "body",
		       "needs at least one figure column (hospitalised, intensive_care, discharged, deaths)");
}

int epidemic_day_valid(const char *s)
{
	static const int days_in[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
	if (y < 2000 || y > 2099 || m < 1 || m > 12 || d < 1 || d > days_in[m - 1])
		return 0;
	return !(m == 2 && d == 29 && y % 4 != 0); /* no century in the range is a leap-year exception */
}

int epidemic_dep_valid(const char *s)
{
	if (strlen(s) != 2)
		return 0;
	if (s[0] == '2' && (s[1] == 'A' || s[1] == 'B'))
		return 1;
	return s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9';
}

static int read_row(const struct csv_reader *r, const struct columns *c, struct epidemic_row *out, struct rf_error *err)
{
	memset(out, 0, sizeof *out);
	out->line = r->line;
	const char *day = r->fields[c->date], *dep = r->fields[c->dep];
	if (!epidemic_day_valid(day))
		return fail_at(err, r->line, 422, "invalid", "date", "must be a date written YYYY-MM-DD");
	if (!epidemic_dep_valid(dep))
		return fail_at(err, r->line, 422, "invalid", "departement_code", "must be a département code like 81");
	memcpy(out->day, day, 11);
	memcpy(out->dep, dep, 3);
	for (int f = 0; f < EPI_NFIGURES; f++) {
		out->figure[f] = -1;
		if (c->figure[f] < 0 || !*r->fields[c->figure[f]])
			continue; /* the bulletin gave no figure */
		if (int_from_text(r->fields[c->figure[f]], 0, EPIDEMIC_FIGURE_MAX, &out->figure[f]))
			return fail_at(err, r->line, 422, "invalid", figure_names[f],
				       "must be an integer from 0 to 10000000, or empty when not published");
	}
	return 0;
}

static int by_dep_day_line(const void *a, const void *b)
{
	const struct epidemic_row *x = a, *y = b;
	int c = strcmp(x->dep, y->dep);
	if (!c)
		c = strcmp(x->day, y->day);
	return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* A département and day given twice: which figures would be the day's? Neither: the file is
 * refused at the later of the first such pair in file order. */
static int check_twice(const struct epidemic_row *rows, size_t n, struct rf_error *err)
{
	if (n < 2)
		return 0;
	struct epidemic_row *sorted = malloc(n * sizeof *sorted);
	if (!sorted)
		return fail_at(err, 0, 500, "internal", "body", "out of memory");
	memcpy(sorted, rows, n * sizeof *sorted);
	qsort(sorted, n, sizeof *sorted, by_dep_day_line);
	long line = 0;
	const struct epidemic_row *dup = NULL;
	for (size_t i = 1; i < n; i++)
		if (!strcmp(sorted[i].dep, sorted[i - 1].dep) && !strcmp(sorted[i].day, sorted[i - 1].day) &&
		    (!line || sorted[i].line < line)) {
			line = sorted[i].line;
			dup = &sorted[i - 1];
		}
	int rc = 0;
	if (line) {
		rf_error_set(err, 422, "invalid_csv", "date", "gives %s again for département %s (line %ld)", dup->day,
			     dup->dep, dup->line);
		err->line = line;
		rc = -1;
	}
	free(sorted);
	return rc;
}

int epidemic_csv_read(const char *data, size_t len, struct epidemic_row **rows, size_t *n, struct rf_error *err)
{
	*rows = NULL;
	*n = 0;
	struct csv_reader r;
	csv_reader_init(&r, data, len);
	struct epidemic_row *out = NULL;
	size_t count = 0, cap = 0;
	struct columns c;
	int rc = csv_next_row(&r);
	if (rc <= 0) {
		fail_at(err, rc < 0 ? r.line : 0, 400, "invalid_csv", "body", rc < 0 ? r.error : "the file is empty");
		goto fail;
	}
	if (read_header(&r, &c, err))
		goto fail;
	size_t ncols = r.nfields;
	while ((rc = csv_next_row(&r)) == 1) {
		if (r.nfields != ncols) {
			rf_error_set(err, 422, "invalid_csv", "body", "has %zu fields where the header has %zu", r.nfields, ncols);
			err->line = r.line;
			goto fail;
		}
		if (count == EPIDEMIC_ROWS_MAX) {
			fail_at(err, r.line, 413, "too_large", "body", "holds more than 100000 rows: split the file");
			goto fail;
		}
		if (count == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct epidemic_row *grown = realloc(out, ncap * sizeof *out);
			if (!grown) {
				fail_at(err, r.line, 500, "internal", "body", "out of memory");
				goto fail;
			}
			out = grown;
			cap = ncap;
		}
		if (read_row(&r, &c, &out[count], err))
			goto fail;
		count++;
	}
	if (rc < 0) {
		fail_at(err, r.line, 422, "invalid_csv", "body", r.error);
		goto fail;
	}
	if (!count) {
		fail_at(err, 1, 422, "invalid_csv", "body", "has a header and no figures");
		goto fail;
	}
	if (check_twice(out, count, err))
		goto fail;
	csv_reader_release(&r);
	*rows = out;
	*n = count;
	return 0;
fail:
	csv_reader_release(&r);
	free(out);
	return -1;
}

/* --- the figures as a signal for the forecast ------------------------------------------------------ */

/* Days since 1970-01-01 of a valid YYYY-MM-DD. */
static long long day_number(const char *day)
{
	return clock_days_from_civil(atoi(day), atoi(day + 5), atoi(day + 8));
}

enum epidemic_signal epidemic_growth(const struct epidemic_row *rows, size_t n, long long now, double *growth)
{
	struct paris_tm t;
	paris_fields(now, &t);
	long long today = clock_days_from_civil(t.year, t.month, t.day), last = 0;
	int any = 0;
	for (size_t i = 0; i < n; i++) {
		if (rows[i].figure[EPI_HOSPITALISED] < 0 || !epidemic_day_valid(rows[i].day))
			continue;
		long long d = day_number(rows[i].day);
		if (d <= today && (!any || d > last)) {
			last = d;
			any = 1;
		}
	}
	if (!any)
		return EPI_TOO_FEW;
	if (today - last > EPIDEMIC_STALE_DAYS)
		return EPI_STALE;
	/* the slope of ln(h) over x, x in days from the window's last day (small numbers: no cancellation) */
	double sx = 0, sy = 0, sxx = 0, sxy = 0;
	int k = 0;
	for (size_t i = 0; i < n; i++) {
		if (rows[i].figure[EPI_HOSPITALISED] <= 0 || !epidemic_day_valid(rows[i].day))
			continue;
		long long d = day_number(rows[i].day);
		if (d > last || d <= last - EPIDEMIC_GROWTH_DAYS)
			continue;
		double x = (double)(d - last), y = log((double)rows[i].figure[EPI_HOSPITALISED]);
		sx += x;
		sy += y;
		sxx += x * x;
		sxy += x * y;
		k++;
	}
	/* the same day given twice (not one département's rows) is not more days */
	double den = k * sxx - sx * sx;
	if (k < EPIDEMIC_GROWTH_MIN_POINTS || den <= 0)
		return EPI_TOO_FEW;
	*growth = (k * sxy - sx * sy) / den;
	return EPI_SIGNAL;
}
