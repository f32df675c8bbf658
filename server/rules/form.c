#include "form.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes in place; returns -1 on a bad escape, or on %00: values are C strings, and a NUL would
 * silently cut one short (what the sender signed would no longer be what is read). */
static int decode(char *s)
{
	char *o = s;
	for (char *p = s; *p; p++) {
		if (*p == '+')
			*o++ = ' ';
		else if (*p == '%') {
			int a = hexval(p[1]), b = a < 0 ? -1 : hexval(p[2]);
			if (b < 0 || a * 16 + b == 0)
				return -1;
			*o++ = (char)(a * 16 + b);
			p += 2;
		} else
			*o++ = *p;
	}
	*o = '\0';
	return 0;
}

int form_parse(struct form *f, const char *text, size_t len)
{
	memset(f, 0, sizeof *f);
	f->storage = malloc(len + 1);
	if (!f->storage)
		return -1;
	memcpy(f->storage, text, len);
	f->storage[len] = '\0';
	if (memchr(text, '\0', len))
		goto fail; /* a NUL byte, like %00, would cut the form short */
	char *save = NULL;
	for (char *pair = strtok_r(f->storage, "&", &save); pair; pair = strtok_r(NULL, "&", &save)) {
		if (f->n == FORM_MAX_FIELDS)
			goto fail;
		char *eq = strchr(pair, '=');
		char *value = (char *)"";
		if (eq) {
			*eq = '\0';
			value = eq + 1;
		}
		if (decode(pair) || (eq && decode(value)))
			goto fail;
		f->names[f->n] = pair;
		f->values[f->n++] = value;
	}
	return 0;
fail:
	/* a refused form leaves nothing to release: its callers answer and return */
	form_release(f);
	return -1;
}

void form_release(struct form *f)
{
	free(f->storage);
	memset(f, 0, sizeof *f);
}

const char *form_get(const struct form *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->names[i], name) == 0)
			return f->values[i];
	return NULL;
}

int form_escape(struct buf *out, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		int rc = isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~' ? buf_append(out, p, 1)
											      : buf_printf(out, "%%%02X", *p);
		if (rc)
			return -1;
	}
	return 0;
}
