/* fuzz_csv: the CSV reader and the registries' CSV import.
 *
 * Input: one byte choosing the import (structures or volunteers), then a CSV file. Each input
 * goes through:
 * - csv_next_row() to the end or the first malformed row. Invariants: no more rows than lines;
 *   1 to CSV_MAX_FIELDS fields a row; row lines that grow and stay within the file; a malformed
 *   row says why; the rows written again with csv_write_field() read back as the same rows.
 * - the import's handler as the group commit runs it, on a database, rolled back (each row made
 *   the object a client would POST, validated by the model, written). Invariants: 2xx, or a 4xx
 *   naming a code, a field and a rule; no more records created than rows read. */
#include <stddef.h>
#include <stdint.h>

#include "csv.h"
#include "fuzz_app.h"

/* the imports, by the first byte (modulo): tests/fuzz/seed.py writes seeds in this order */
static const char *const ops[] = {"structures.import", "volunteers.import"};

/* The rows of text up to its end or its first malformed row, each row's fields joined by '\n'
 * (a byte a field may hold, but enough to tell rows apart here) into rows[]. Returns the count. */
static size_t read_rows(const char *text, size_t len, char ***rows_out, int *status)
{
	struct csv_reader r;
	csv_reader_init(&r, text, len);
	size_t lines = 1, n = 0, cap = 0;
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n' || (text[i] == '\r' && (i + 1 == len || text[i + 1] != '\n'));
	char **rows = NULL;
	long last_line = 0;
	int rc;
	while ((rc = csv_next_row(&r)) == 1) {
		FZ_CHECK(r.nfields >= 1 && r.nfields <= CSV_MAX_FIELDS, "a row of %zu fields", r.nfields);
		FZ_CHECK(r.line > last_line && (size_t)r.line <= lines, "row at line %ld after %ld (%zu lines)", r.line,
			 last_line, lines);
		last_line = r.line;
		struct buf b;
		buf_init(&b);
		for (size_t i = 0; i < r.nfields; i++)
			FZ_CHECK(buf_puts(&b, r.fields[i]) == 0 && buf_puts(&b, "\n") == 0, "out of memory");
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			rows = realloc(rows, cap * sizeof *rows);
			FZ_CHECK(rows != NULL, "out of memory");
		}
		rows[n++] = buf_detach(&b);
	}
	FZ_CHECK(n <= lines, "%zu rows in %zu lines", n, lines);
	if (rc < 0)
		FZ_CHECK(r.error[0], "a malformed row without a reason");
	*status = rc;
	csv_reader_release(&r);
	*rows_out = rows;
	return n;
}

static void free_rows(char **rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(rows[i]);
	free(rows);
}

/* The rows read, written again field by field, read back the same. A row of one empty field
 * (only `""` makes one) is left out: written, it is a blank line, which readers skip. */
static void check_round_trip(const char *text, size_t len)
{
	char **rows = NULL, **again = NULL;
	int rc, rc2;
	size_t n = read_rows(text, len, &rows, &rc), kept = 0;
	struct csv_reader r;
	struct buf out;
	buf_init(&out);
	csv_reader_init(&r, text, len);
	for (size_t k = 0; k < n; k++) {
		FZ_CHECK(csv_next_row(&r) == 1, "the second reading differs");
		if (r.nfields == 1 && !r.fields[0][0]) {
			free(rows[k]);
			continue;
		}
		rows[kept++] = rows[k];
		for (size_t i = 0; i < r.nfields; i++)
			FZ_CHECK(csv_write_field(&out, r.fields[i], i + 1 == r.nfields) == 0, "out of memory");
	}
	csv_reader_release(&r);
	size_t m = read_rows(out.data ? out.data : "", out.len, &again, &rc2);
	FZ_CHECK(rc2 == 0, "the rows written again are malformed");
	FZ_CHECK(m == kept, "%zu rows written, %zu read back:\n%s", kept, m, out.data);
	for (size_t k = 0; k < kept; k++)
		FZ_CHECK(strcmp(rows[k], again[k]) == 0, "row %zu reads back as [%s] where it was [%s]", k, again[k], rows[k]);
	free_rows(rows, kept);
	free_rows(again, m);
	buf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const char *op = ops[data[0] % (sizeof ops / sizeof ops[0])];
	const char *text = (const char *)data + 1;
	size_t len = size - 1;
	check_round_trip(text, len);

	char **rows = NULL;
	int rc;
	size_t n = read_rows(text, len, &rows, &rc);
	free_rows(rows, n);
	char *answer = NULL;
	int status = fz_run_op_answer(op, &fz_admin, NULL, NULL, text, len, NULL, &answer);
	if (status == 201) {
		cJSON *a = cJSON_Parse(answer);
		const cJSON *created = cJSON_GetObjectItemCaseSensitive(a, "created");
		FZ_CHECK(cJSON_IsNumber(created) && created->valuedouble >= 0 && (size_t)created->valuedouble + 1 <= n,
			 "%s created %g records from %zu rows (a header and the records)", op,
			 cJSON_IsNumber(created) ? created->valuedouble : -1.0, n);
		cJSON_Delete(a);
	}
	free(answer);
	return 0;
}
