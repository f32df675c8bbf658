#include "csv.h"

#include <stdio.h>
#include <string.h>

void csv_reader_init(struct csv_reader *r, const char *data, size_t len)
{
	memset(r, 0, sizeof *r);
	r->p = data;
	r->end = data + len;
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		r->p += 3;
	r->next_line = 1;
	buf_init(&r->cell);
}

void csv_reader_release(struct csv_reader *r)
{
	buf_release(&r->cell);
}

/* Ends the field that began at start; the next one begins after its NUL. */
static int end_field(struct csv_reader *r, size_t *start)
{
	if (r->nfields >= CSV_MAX_FIELDS) {
		snprintf(r->error, sizeof r->error, "more than %d fields", CSV_MAX_FIELDS);
		return -1;
	}
	r->offsets[r->nfields++] = *start;
	if (buf_append(&r->cell, "", 1)) /* NUL between fields */
		return -1;
	*start = r->cell.len;
	return 0;
}

int csv_next_row(struct csv_reader *r)
{
	for (;;) {
		if (r->p >= r->end)
			return 0;
		r->line = r->next_line;
		buf_reset(&r->cell);
		r->nfields = 0;
		size_t start = 0;
		int quoted = 0, was_quoted = 0;
		while (r->p < r->end) {
			char c = *r->p++;
			if (c == '\0') {
				/* cells are C strings: a NUL would silently cut one short */
				snprintf(r->error, sizeof r->error, "a NUL character");
				return -1;
			}
			if (quoted) {
				if (c == '"') {
					if (r->p < r->end && *r->p == '"') {
						buf_append(&r->cell, "\"", 1);
						r->p++;
					} else
						quoted = 0;
				} else {
					if (c == '\n')
						r->next_line++;
					buf_append(&r->cell, &c, 1);
				}
				continue;
			}
			if (c == '"') {
				if (r->cell.len != start || was_quoted) {
					snprintf(r->error, sizeof r->error, "a quote inside an unquoted field");
					return -1;
				}
				quoted = was_quoted = 1;
			} else if (c == ',') {
				if (end_field(r, &start))
					return -1;
				was_quoted = 0;
			} else if (c == '\r' && r->p < r->end && *r->p == '\n') {
				continue;
			} else if (c == '\n') {
				r->next_line++;
				break;
			} else {
				if (was_quoted) {
					snprintf(r->error, sizeof r->error, "text after a closing quote");
					return -1;
				}
				buf_append(&r->cell, &c, 1);
			}
		}
		if (quoted) {
			snprintf(r->error, sizeof r->error, "a quoted field is not closed");
			return -1;
		}
		if (end_field(r, &start))
			return -1;
		if (r->nfields == 1 && r->cell.data[0] == '\0' && !was_quoted)
			continue; /* blank line */
		for (size_t i = 0; i < r->nfields; i++)
			r->fields[i] = r->cell.data + r->offsets[i];
		return 1;
	}
}

int csv_find(const struct csv_reader *r, const char *name)
{
	for (size_t i = 0; i < r->nfields; i++)
		if (strcmp(r->fields[i], name) == 0)
			return (int)i;
	return -1;
}

/* Whether s starts with what spreadsheets take for the start of a formula. */
static int formula_start(const char *s)
{
	static const char *const fullwidth[] = {"\xEF\xBC\x9D", "\xEF\xBC\x8B", "\xEF\xBC\x8D", "\xEF\xBC\xA0"}; /* = + - @ */
	if (*s && strchr("=+-@\t\r\n", *s))
		return 1;
	for (size_t i = 0; i < sizeof fullwidth / sizeof fullwidth[0]; i++)
		if (strncmp(s, fullwidth[i], 3) == 0)
			return 1;
	return 0;
}

/* s after its leading single quotes */
static const char *after_quotes(const char *s)
{
	while (*s == '\'')
		s++;
	return s;
}

int csv_write_text(struct buf *out, const char *s, int last)
{
	if (!s || !formula_start(after_quotes(s)))
		return csv_write_field(out, s, last);
	struct buf cell;
	buf_init(&cell);
	int rc = buf_puts(&cell, "'") || buf_puts(&cell, s) ? -1 : csv_write_field(out, cell.data, last);
	buf_release(&cell);
	return rc;
}

const char *csv_read_text(const char *cell)
{
	return cell[0] == '\'' && formula_start(after_quotes(cell)) ? cell + 1 : cell;
}

int csv_write_field(struct buf *out, const char *s, int last)
{
	int rc = 0;
	if (!s)
		s = "";
	/* quoted: a separator, a quote, a line end, or a leading byte order mark (unquoted, a reader
	 * takes it for the file's own and drops it when the field starts the file) */
	if (strpbrk(s, ",\"\r\n") || strncmp(s, "\xEF\xBB\xBF", 3) == 0) {
		rc |= buf_append(out, "\"", 1);
		for (const char *c = s; *c; c++)
			rc |= *c == '"' ? buf_append(out, "\"\"", 2) : buf_append(out, c, 1);
		rc |= buf_append(out, "\"", 1);
	} else
		rc |= buf_puts(out, s);
	rc |= buf_puts(out, last ? "\r\n" : ",");
	return rc ? -1 : 0;
}
