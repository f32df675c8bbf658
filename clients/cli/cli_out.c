#include "cli_out.h"

#include "cli.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* --- messages ----------------------------------------------------------------------------------- */

static void say(const char *fmt, va_list ap)
{
	fputs("renfort: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void cli_err(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	say(fmt, ap);
	va_end(ap);
}

void cli_note(const struct cli *c, const char *fmt, ...)
{
	if (c->quiet)
		return;
	va_list ap;
	va_start(ap, fmt);
	say(fmt, ap);
	va_end(ap);
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "renfort%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, " (see renfort %s%s--help)\n", cmd ? cmd : "", cmd ? " " : "");
	va_end(ap);
	return CLI_USAGE;
}

/* --- text ------------------------------------------------------------------------------------------ */

/* Copies src into dst (size len) without control characters, cut to max display columns at a
 * character boundary (an ellipsis marks the cut). Returns the display width. */
static size_t clean_copy(char *dst, size_t len, const char *src, size_t max)
{
	size_t w = 0, o = 0, total = 0;
	for (const unsigned char *p = (const unsigned char *)src; *p; p++)
		if ((*p & 0xC0) != 0x80)
			total++;
	const unsigned char *p = (const unsigned char *)src;
	while (*p) {
		size_t n = 1;
		if (*p >= 0xF0)
			n = 4;
		else if (*p >= 0xE0)
			n = 3;
		else if (*p >= 0xC0)
			n = 2;
		for (size_t k = 1; k < n; k++)
			if ((p[k] & 0xC0) != 0x80) {
				n = 1; /* not UTF-8: one byte, shown as '?' below */
				break;
			}
		if (total > max && w + 1 == max) {
			if (o + 3 < len) {
				memcpy(dst + o, "\xE2\x80\xA6", 3);
				o += 3;
				w++;
			}
			break;
		}
		if (o + n >= len)
			break;
		if (n == 1 && (*p < 0x20 || *p == 0x7F || *p >= 0x80))
			dst[o++] = '?';
		else if (n == 2 && p[0] == 0xC2 && p[1] < 0xA0) { /* C1 controls */
			dst[o++] = '?';
		} else {
			memcpy(dst + o, p, n);
			o += n;
		}
		w++;
		p += n;
	}
	dst[o] = '\0';
	return w;
}

static size_t display_width(const char *s)
{
	size_t w = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p & 0xC0) != 0x80)
			w++;
	return w;
}

void cli_out_clean(FILE *f, const char *text)
{
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		fputc(*p < 0x20 || *p == 0x7F ? '?' : *p, f);
}

/* --- tables ------------------------------------------------------------------------------------------ */

void cli_table_init(struct cli_table *t, size_t ncols, const char *const *titles, const int *right)
{
	memset(t, 0, sizeof *t);
	t->ncols = ncols;
	t->titles = titles;
	t->right = right;
}

int cli_table_add(struct cli_table *t, const char *const *cells)
{
	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		char **p = realloc(t->cells, cap * t->ncols * sizeof *p);
		if (!p)
			return -1;
		t->cells = p;
		t->cap = cap;
	}
	char **row = t->cells + t->nrows * t->ncols;
	for (size_t i = 0; i < t->ncols; i++) {
		char cell[CLI_CELL_MAX * 4 + 4];
		clean_copy(cell, sizeof cell, cells[i] ? cells[i] : "", CLI_CELL_MAX);
		row[i] = strdup(cell);
		if (!row[i]) {
			while (i--)
				free(row[i]);
			return -1;
		}
	}
	t->nrows++;
	return 0;
}

static void pad(FILE *f, size_t n)
{
	while (n--)
		fputc(' ', f);
}

void cli_table_print(const struct cli_table *t, FILE *f)
{
	size_t *width = calloc(t->ncols, sizeof *width);
	if (!width)
		return;
	for (size_t c = 0; c < t->ncols; c++) {
		width[c] = display_width(t->titles[c]);
		for (size_t r = 0; r < t->nrows; r++) {
			size_t w = display_width(t->cells[r * t->ncols + c]);
			if (w > width[c])
				width[c] = w;
		}
	}
	for (size_t r = 0; r <= t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			const char *s = r == 0 ? t->titles[c] : t->cells[(r - 1) * t->ncols + c];
			size_t gap = width[c] - display_width(s);
			int last = c + 1 == t->ncols;
			if (t->right && t->right[c])
				pad(f, gap);
			fputs(s, f);
			if (!last && !(t->right && t->right[c]))
				pad(f, gap);
			fputs(last ? "\n" : "  ", f);
		}
	}
	free(width);
}

void cli_table_release(struct cli_table *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->nrows = t->cap = 0;
}

/* --- values ------------------------------------------------------------------------------------------ */

static void number_text(double d, char *out, size_t len)
{
	if (d == floor(d) && fabs(d) < 1e15)
		snprintf(out, len, "%lld", (long long)d);
	else {
		snprintf(out, len, "%.3f", d);
		char *e = out + strlen(out);
		while (e > out && e[-1] == '0')
			*--e = '\0';
		if (e > out && e[-1] == '.')
			e[-1] = '\0';
	}
}

void cli_out_value(const cJSON *v, char *out, size_t len)
{
	out[0] = '\0';
	if (!v || cJSON_IsNull(v))
		snprintf(out, len, "-");
	else if (cJSON_IsString(v))
		snprintf(out, len, "%s", v->valuestring);
	else if (cJSON_IsNumber(v))
		number_text(v->valuedouble, out, len);
	else if (cJSON_IsBool(v))
		snprintf(out, len, "%s", cJSON_IsTrue(v) ? "yes" : "no");
	else if (cJSON_IsArray(v)) {
		size_t o = 0;
		const cJSON *it;
		cJSON_ArrayForEach(it, v)
		{
			char one[256];
			cli_out_value(it, one, sizeof one);
			int n = snprintf(out + o, len - o, "%s%s", o ? "," : "", one);
			if (n < 0 || (size_t)n >= len - o)
				break;
			o += (size_t)n;
		}
	} else {
		char *text = cJSON_PrintUnformatted(v);
		snprintf(out, len, "%s", text ? text : "?");
		free(text);
	}
}

void cli_out_days(const cJSON *v, char *out, size_t len)
{
	if (!cJSON_IsNumber(v)) {
		snprintf(out, len, "unknown");
		return;
	}
	char n[64];
	snprintf(n, sizeof n, "%.2f", v->valuedouble);
	char *e = n + strlen(n);
	while (e > n && e[-1] == '0')
		*--e = '\0';
	if (e > n && e[-1] == '.')
		e[-1] = '\0';
	snprintf(out, len, "%s %s", n, strcmp(n, "1") == 0 ? "day" : "days");
}

void cli_out_member(const cJSON *obj, const char *name, char *out, size_t len)
{
	cli_out_value(cJSON_GetObjectItemCaseSensitive(obj, name), out, len);
}

const char *cli_out_str(const cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
	return cJSON_IsString(v) ? v->valuestring : "";
}

void cli_out_json_line(FILE *f, const cJSON *v)
{
	char *text = cJSON_PrintUnformatted(v);
	if (text) {
		fputs(text, f);
		fputc('\n', f);
	}
	free(text);
}
