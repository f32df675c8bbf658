/* error: what goes wrong with a request, as the client will read it: an HTTP status, a short code,
 * the field concerned and the rule it breaks (and the line, for CSV imports). */
#ifndef RENFORT_ERROR_H
#define RENFORT_ERROR_H

struct rf_error {
	int status;      /* HTTP status: 400, 401, 403, 404, 409, 413, 415, 422, 500, 503 */
	char code[32];   /* invalid_json, invalid, unknown_field, not_found, unauthorized, ... */
	char field[96];
	char rule[256];
	long line;       /* CSV line, 0 when not applicable */
};

#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
void rf_error_set(struct rf_error *e, int status, const char *code, const char *field, const char *fmt, ...);
void rf_error_clear(struct rf_error *e);
/* Sets e (rule as it is) and returns -1: `return rf_refuse(err, 409, "conflict", "status", "...");`. */
int rf_refuse(struct rf_error *e, int status, const char *code, const char *field, const char *rule);

#endif
