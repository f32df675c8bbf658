/* form: application/x-www-form-urlencoded bodies and query strings, in and out. Pure. */
#ifndef RENFORT_FORM_H
#define RENFORT_FORM_H

#include <stddef.h>

#include "buf.h"

#define FORM_MAX_FIELDS 64

struct form {
	char *names[FORM_MAX_FIELDS];
	char *values[FORM_MAX_FIELDS];
	size_t n;
	char *storage;
};

/* Decodes "a=1&b=x+y%21" (+ is a space); -1 on a malformed escape, a NUL (as %00 or a byte) or
 * too many fields, with nothing left to release. */
int form_parse(struct form *f, const char *text, size_t len);
void form_release(struct form *f);
/* The value of name, or NULL. */
const char *form_get(const struct form *f, const char *name);

/* Appends s percent-encoded (RFC 3986 unreserved characters kept). */
int form_escape(struct buf *out, const char *s);

#endif
