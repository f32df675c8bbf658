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

#endif
