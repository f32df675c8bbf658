/* cli_out: what people read: aligned tables (UTF-8 aware), values of the server's JSON as short
 * text, and days of cover. Text that comes from the server is printed without control characters. */
#ifndef RENFORT_CLI_OUT_H
#define RENFORT_CLI_OUT_H

#include <stddef.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#define CLI_CELL_MAX 80 /* display columns a table cell is cut to (item codes are at most 64) */

struct cli_table {
	size_t ncols;
	const char *const *titles;
	const int *right; /* right-aligned columns (numbers), or NULL */
	char **cells;     /* nrows * ncols, owned */
	size_t nrows, cap;
};

void cli_table_init(struct cli_table *t, size_t ncols, const char *const *titles, const int *right);
/* Adds a row of ncols cells (copied, cleaned of control characters, cut to CLI_CELL_MAX). 0 or -1. */
int cli_table_add(struct cli_table *t, const char *const *cells);
void cli_table_print(const struct cli_table *t, FILE *f);
void cli_table_release(struct cli_table *t);

/* A JSON value as a table cell: strings as they are, integers without decimals, other numbers with
 * at most 3, null as "-", lists of strings joined with ",", objects as compact JSON. */
void cli_out_value(const cJSON *v, char *out, size_t len);
/* Days of cover: "1.52 days", "0 days", or "unknown" (null). */
void cli_out_days(const cJSON *v, char *out, size_t len);
/* A member of an object as a cell (cli_out_value), "-" when absent. */
void cli_out_member(const cJSON *obj, const char *name, char *out, size_t len);
/* The string member, or "" (for messages). */
const char *cli_out_str(const cJSON *obj, const char *name);

/* Prints text with control characters replaced by '?' (server data on a terminal). */
void cli_out_clean(FILE *f, const char *text);

/* Prints a JSON value on one line, then a newline. */
void cli_out_json_line(FILE *f, const cJSON *v);

#endif
