/* libFuzzer target: the head of an HTTP request as renfortd reads it (http_parse.c), whole and in
 * two pieces. Checks, beyond "no crash": a head read in two pieces reads the same as whole; what is
 * accepted holds the parser's promises (a decoded UTF-8 path without NUL or dot segment, lower-case
 * token names, a length within the input); what is refused has a status, a code, and a field and a
 * rule that are UTF-8 (an error never echoes the request's raw bytes). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_parse.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct http_limits lim = {
	.max_uri = 512, .max_head = 2048, .max_field = 256, .max_fields = 16, .max_args = 8,
};

static void check_accepted(const struct http_head *h, size_t size)
{
	if (h->length > size || !h->path || h->path[0] != '/')
		abort();
	if (!utf8_valid(h->path, strlen(h->path)) || strstr(h->path, "/../") || strstr(h->path, "/./"))
		abort();
	for (unsigned i = 0; i < h->nfields; i++)
		for (const char *p = h->fields[i].name; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				abort();
	if (h->content_length < 0 || h->nargs > lim.max_args || h->nfields > lim.max_fields)
		abort();
}

static void check_refused(const struct rf_error *e)
{
	if (e->status < 400 || e->status > 599 || !e->code[0] || !e->rule[0])
		abort();
	if (!utf8_valid(e->field, strlen(e->field)) || !utf8_valid(e->rule, strlen(e->rule)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct http_head whole, split;
	struct rf_error e1, e2;
	int rc1 = http_head_parse(buf, size, 0, &lim, &whole, &e1);
	/* the same bytes arriving in two pieces: the first may already be refused */
	size_t cut = size ? data[0] % (size + 1) : 0;
	int rc2 = http_head_parse(buf, cut, 0, &lim, &split, &e2);
	if (rc2 == 1)
		http_head_release(&split);
	if (rc2 == 0)
		rc2 = http_head_parse(buf, size, cut, &lim, &split, &e2);
	else if (rc2 == 1)
		rc2 = http_head_parse(buf, size, 0, &lim, &split, &e2);
	if (rc1 != rc2)
		abort();
	if (rc1 == 1) {
		check_accepted(&whole, size);
		if (whole.length != split.length || strcmp(whole.path, split.path) || whole.nfields != split.nfields ||
		    whole.content_length != split.content_length)
			abort();
		http_head_release(&whole);
		http_head_release(&split);
	} else if (rc1 < 0) {
		check_refused(&e1);
		if (e1.status != e2.status || strcmp(e1.code, e2.code))
			abort();
	}
	return 0;
}
