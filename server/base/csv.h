/* csv: RFC 4180 reading (quoted fields, "" escapes, newlines inside quotes, CRLF or LF, a UTF-8
 * byte order mark) from memory, and writing. Pure: no I/O. */
#ifndef RENFORT_CSV_H
#define RENFORT_CSV_H

#include <stddef.h>

#include "buf.h"

#define CSV_MAX_FIELDS 128

struct csv_reader {
	const char *p, *end;
	long line;        /* line where the current row starts (1-based) */
	long next_line;
	struct buf cell;  /* storage for the current row's fields */
	size_t offsets[CSV_MAX_FIELDS];
	char *fields[CSV_MAX_FIELDS];
	size_t nfields;
	char error[128];
};

void csv_reader_init(struct csv_reader *r, const char *data, size_t len);
void csv_reader_release(struct csv_reader *r);
/* 1 when a row was read (r->fields, r->nfields, r->line), 0 at the end, -1 on a malformed row
 * (r->error says why, r->line where). Blank lines are skipped. */
int csv_next_row(struct csv_reader *r);

/* Index of the header named name in the row just read, or -1. */
int csv_find(const struct csv_reader *r, const char *name);

/* Appends one field, quoted when needed, and a separator (',' or "\r\n" when last). */
int csv_write_field(struct buf *out, const char *s, int last);

/* Spreadsheets run a cell that starts with =, +, -, @ (or a tab, CR or LF, or the full-width
 * forms of the four) as a formula. A text that people typed is written with csv_write_text: when
 * it starts with such a character, after any single quotes, one single quote more is put before
 * it (OWASP's neutralisation: spreadsheets show the cell as text, without that quote). */
int csv_write_text(struct buf *out, const char *s, int last);
/* The reverse, for an import: a cell made by csv_write_text loses the one quote it gained (a
 * cell of quotes followed by one of those characters); any other cell is returned as it is. So
 * an export imports back to the same values, and a name that starts with a quote stays so. */
const char *csv_read_text(const char *cell);

#endif
