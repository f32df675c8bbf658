#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void rf_error_set(struct rf_error *e, int status, const char *code, const char *field, const char *fmt, ...)
{
	e->status = status;
	e->line = 0;
	snprintf(e->code, sizeof e->code, "%s", code);
	snprintf(e->field, sizeof e->field, "%s", field ? field : "");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->rule, sizeof e->rule, fmt, ap);
	va_end(ap);
}

void rf_error_clear(struct rf_error *e)
{
	memset(e, 0, sizeof *e);
}
