#include "error.h"

#include "utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The field and the rule often repeat what the client sent (a parameter's name, a CSV header):
 * bytes that are not UTF-8 become U+FFFD here, the one place errors are built, so that no error
 * answer is invalid JSON. A text cut to fit is cut at a character boundary. */
void rf_error_set(struct rf_error *e, int status, const char *code, const char *field, const char *fmt, ...)
{
	char rule[2 * sizeof e->rule];
	e->status = status;
	e->line = 0;
	snprintf(e->code, sizeof e->code, "%s", code);
	if (!field)
		field = "";
	utf8_repair(field, strlen(field), e->field, sizeof e->field);
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(rule, sizeof rule, fmt, ap);
	va_end(ap);
	size_t len = n < 0 ? 0 : (size_t)n < sizeof rule ? (size_t)n : sizeof rule - 1;
	utf8_repair(rule, len, e->rule, sizeof e->rule);
}

void rf_error_clear(struct rf_error *e)
{
	memset(e, 0, sizeof *e);
}

int rf_refuse(struct rf_error *e, int status, const char *code, const char *field, const char *rule)
{
	rf_error_set(e, status, code, field, "%s", rule);
	return -1;
}
