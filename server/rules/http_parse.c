#include "http_parse.h"

#include "utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const method_names[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};

const char *http_method_name(enum http_method m)
{
	return (unsigned)m < sizeof method_names / sizeof method_names[0] ? method_names[m] : "?";
}

/* tchar of RFC 9110 5.6.2: the characters of methods and field names. */
static int is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return 1;
	return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* A field value's bytes: visible ASCII, space, tab, and obs-text (RFC 9110 5.5). */
static int is_field_char(unsigned char c)
{
	return c == ' ' || c == '\t' || (c > 0x20 && c != 0x7f);
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int fail(struct rf_error *err, int status, const char *code, const char *field, const char *rule)
{
	rf_error_set(err, status, code, field, "%s", rule);
	return -1;
}

/* Where the line starting at p ends (its CR), or NULL when its CRLF has not arrived. A lone CR or
 * LF inside is an error for the caller: the line then ends at it. */
static const char *line_end(const char *p, const char *end)
{
	for (const char *q = p; q < end; q++)
		if (*q == '\r' || *q == '\n')
			return q;
	return NULL;
}

/* --- the request target -------------------------------------------------------------------------- */

/* Percent-decodes s in place ('+' is a space when plus_is_space); -1 when an escape is malformed or
 * decodes to NUL. */
static int decode(char *s, int plus_is_space)
{
	char *o = s;
	for (char *p = s; *p; p++) {
		if (*p == '%') {
			int a = hexval((unsigned char)p[1]), b = a < 0 ? -1 : hexval((unsigned char)p[2]);
			if (b < 0 || (a == 0 && b == 0))
				return -1;
			*o++ = (char)(a * 16 + b);
			p += 2;
		} else
			*o++ = plus_is_space && *p == '+' ? ' ' : *p;
	}
	*o = '\0';
	return 0;
}

static int has_dot_segment(const char *path)
{
	for (const char *p = path; *p; p++) {
		if (p[0] != '/')
			continue;
		size_t n = strcspn(p + 1, "/");
		if ((n == 1 && p[1] == '.') || (n == 2 && p[1] == '.' && p[2] == '.'))
			return 1;
	}
	return 0;
}

/* The target "/path?query" (NUL-terminated in storage) into h->path and h->args. */
static int read_target(char *target, const struct http_limits *lim, struct http_head *h, struct rf_error *err)
{
	if (target[0] != '/')
		return fail(err, 400, "bad_request", "path", "must start with / (origin-form: /path?query)");
	for (const unsigned char *p = (const unsigned char *)target; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f || *p == '#')
			return fail(err, 400, "bad_request", "path",
				    "must be printable ASCII without #: other characters are percent-encoded");
	char *query = strchr(target, '?');
	if (strlen(target) > lim->max_uri) {
		char rule[96];
		snprintf(rule, sizeof rule, "must be at most %zu bytes with the query", lim->max_uri);
		return fail(err, 414, "uri_too_long", query && query - target <= (long)lim->max_uri ? "query" : "path",
			    rule);
	}
	if (query)
		*query++ = '\0';
	if (decode(target, 0))
		return fail(err, 400, "bad_request", "path", "has a malformed percent escape, or %00");
	if (!utf8_valid(target, strlen(target)))
		return fail(err, 400, "bad_request", "path", "must be UTF-8 once percent-decoded");
	if (has_dot_segment(target))
		return fail(err, 400, "bad_request", "path", "must not have . or .. segments");
	h->path = target;

	char *save = NULL;
	for (char *arg = query ? strtok_r(query, "&", &save) : NULL; arg; arg = strtok_r(NULL, "&", &save)) {
		if (h->nargs == lim->max_args || h->nargs == HTTP_ARGS_CAP) {
			char rule[64];
			snprintf(rule, sizeof rule, "must have at most %u arguments", h->nargs);
			return fail(err, 414, "uri_too_long", "query", rule);
		}
		char *eq = strchr(arg, '=');
		char *value = eq ? eq + 1 : arg + strlen(arg);
		if (eq)
			*eq = '\0';
		/* arguments may carry bytes that are not UTF-8 (a gateway's incoming SMS text): each
		 * operation checks its own, and errors repair what they repeat */
		if (decode(arg, 1) || decode(value, 1))
			return fail(err, 400, "bad_request", "query", "has a malformed percent escape, or %00");
		h->args[h->nargs].name = arg;
		h->args[h->nargs++].value = value;
	}
	return 0;
}

/* --- the request line ---------------------------------------------------------------------------- */

static int read_request_line(char *line, const struct http_limits *lim, struct http_head *h, struct rf_error *err)
{
	char *sp1 = strchr(line, ' ');
	char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	if (!sp1 || !sp2 || strchr(sp2 + 1, ' ') || sp1 == line || sp2 == sp1 + 1)
		return fail(err, 400, "bad_request", "request-line", "must be METHOD SP /target SP HTTP/1.1");
	*sp1 = *sp2 = '\0';
	for (const char *p = line; *p; p++)
		if (!is_tchar((unsigned char)*p))
			return fail(err, 400, "bad_request", "method", "must be a token");
	size_t m = 0;
	while (m < sizeof method_names / sizeof method_names[0] && strcmp(line, method_names[m]) != 0)
		m++;
	if (m == sizeof method_names / sizeof method_names[0])
		return fail(err, 501, "not_implemented", "method",
			    "must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
	h->method = (enum http_method)m;
	const char *v = sp2 + 1;
	if (strlen(v) != 8 || strncmp(v, "HTTP/", 5) != 0 || v[5] < '0' || v[5] > '9' || v[6] != '.' || v[7] < '0' ||
	    v[7] > '9')
		return fail(err, 400, "bad_request", "request-line", "must end with the version: HTTP/1.1");
	if (v[5] != '1' || v[7] > '1')
		return fail(err, 505, "http_version_not_supported", "request-line", "must be HTTP/1.1 or HTTP/1.0");
	h->minor = v[7] - '0';
	return read_target(sp1 + 1, lim, h, err);
}

/* --- header fields ------------------------------------------------------------------------------- */

/* Fields that mean one thing: twice is an error (two Content-Lengths are how requests are smuggled). */
static const char *const singletons[] = {"host", "content-length", "content-type", "authorization",
					   "idempotency-key", "x-twilio-signature", "origin", "upgrade",
					   "sec-websocket-key", "sec-websocket-version", "transfer-encoding", "expect"};

static int read_field(char *line, struct http_head *h, struct rf_error *err)
{
	char *colon = strchr(line, ':');
	if (!colon || colon == line)
		return fail(err, 400, "bad_request", "headers", "a header line must be a name, a colon and a value");
	for (char *p = line; p < colon; p++) {
		if (!is_tchar((unsigned char)*p))
			return fail(err, 400, "bad_request", "headers",
				    "a header name must be a token right before its colon (no spaces)");
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	}
	*colon = '\0';
	char *v = colon + 1;
	while (*v == ' ' || *v == '\t')
		v++;
	char *e = v + strlen(v);
	while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	*e = '\0';
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (!is_field_char(*p)) {
			/* the name is a token: safe to echo */
			return fail(err, 400, "bad_request", line, "must not contain control characters");
		}
	for (size_t i = 0; i < sizeof singletons / sizeof singletons[0]; i++)
		if (strcmp(line, singletons[i]) == 0 && http_head_field(h, line))
			return fail(err, 400, "bad_request", line, "must be given once");
	h->fields[h->nfields].name = line;
	h->fields[h->nfields++].value = v;
	return 0;
}

const char *http_head_field(const struct http_head *h, const char *lname)
{
	for (unsigned i = 0; i < h->nfields; i++)
		if (strcmp(h->fields[i].name, lname) == 0)
			return h->fields[i].value;
	return NULL;
}

/* Does the comma-separated list (Connection) hold this token, ignoring case? */
static int list_has(const char *list, const char *token)
{
	size_t n = strlen(token);
	for (const char *p = list; *p;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		const char *e = p;
		while (*e && *e != ',')
			e++;
		const char *t = e;
		while (t > p && (t[-1] == ' ' || t[-1] == '\t'))
			t--;
		if ((size_t)(t - p) == n && strncasecmp(p, token, n) == 0)
			return 1;
		p = e;
	}
	return 0;
}

/* What the fields say about the body and the connection. */
static int read_meaning(struct http_head *h, struct rf_error *err)
{
	if (h->minor == 1 && !http_head_field(h, "host"))
		return fail(err, 400, "bad_request", "host", "is required in HTTP/1.1");
	const char *cl = http_head_field(h, "content-length");
	const char *te = http_head_field(h, "transfer-encoding");
	if (cl && te)
		return fail(err, 400, "bad_request", "transfer-encoding", "must not come with Content-Length");
	if (te)
		return fail(err, 411, "length_required", "content-length",
			    "is required (chunked bodies are not accepted)");
	if (cl) {
		size_t n = strlen(cl);
		if (!n || n > 18 || strspn(cl, "0123456789") != n)
			return fail(err, 400, "bad_request", "content-length", "must be a number of bytes: digits only");
		h->content_length = strtoll(cl, NULL, 10);
	}
	const char *conn = http_head_field(h, "connection");
	h->keep_alive = h->minor == 1 ? !(conn && list_has(conn, "close")) : (conn && list_has(conn, "keep-alive"));
	const char *up = http_head_field(h, "upgrade");
	h->upgrade = conn && list_has(conn, "upgrade") && up && list_has(up, "websocket");
	const char *expect = http_head_field(h, "expect");
	if (expect) {
		if (strcasecmp(expect, "100-continue") != 0)
			return fail(err, 417, "expectation_failed", "expect", "may only be 100-continue");
		h->expect_continue = 1;
	}
	return 0;
}

/* --- the whole head ------------------------------------------------------------------------------ */

/* The name of the header on the line at p (up to end), lower case, for an error; "headers" when it
 * has no readable name. */
static void field_name_of(const char *p, const char *end, char name[64])
{
	const char *colon = memchr(p, ':', (size_t)(end - p));
	size_t n = colon ? (size_t)(colon - p) : 0;
	if (!n || n >= 64)
		n = 0;
	for (size_t i = 0; i < n; i++) {
		if (!is_tchar((unsigned char)p[i])) {
			n = 0;
			break;
		}
		name[i] = (char)(p[i] >= 'A' && p[i] <= 'Z' ? p[i] - 'A' + 'a' : p[i]);
	}
	if (n)
		name[n] = '\0';
	else
		strcpy(name, "headers");
}

static int too_long_field(const char *p, const char *end, const struct http_limits *lim, struct rf_error *err)
{
	char name[64], rule[96];
	field_name_of(p, end, name);
	snprintf(rule, sizeof rule, "a header line must be at most %zu bytes", lim->max_field);
	return fail(err, 431, "headers_too_large", name, rule);
}

static int too_long_head(const struct http_limits *lim, struct rf_error *err)
{
	char rule[96];
	snprintf(rule, sizeof rule, "the request head must be at most %zu bytes", lim->max_head);
	return fail(err, 431, "headers_too_large", "headers", rule);
}

/* The head is incomplete: is what arrived already over a limit? */
static int check_partial(const char *buf, size_t len, const struct http_limits *lim, struct rf_error *err)
{
	const char *end = buf + len, *p = buf;
	while (p + 1 < end && p[0] == '\r' && p[1] == '\n')
		p += 2;
	const char *eol = line_end(p, end);
	if (!eol) {
		/* still in the request line: "METHOD " (at most 16) + target + " HTTP/1.1" */
		if ((size_t)(end - p) > lim->max_uri + 32) {
			char rule[96];
			snprintf(rule, sizeof rule, "must be at most %zu bytes", lim->max_uri);
			return fail(err, 414, "uri_too_long", memchr(p, '?', (size_t)(end - p)) ? "query" : "path", rule);
		}
		return 0;
	}
	if (len <= lim->max_head)
		return 0;
	/* past the limit: name the header being received when its line alone is too long */
	const char *last = p;
	for (const char *q = p; (q = line_end(q, end)) != NULL; q++)
		last = q + 1;
	if (last < end && *last == '\n')
		last++;
	if ((size_t)(end - last) > lim->max_field)
		return too_long_field(last, end, lim, err);
	return too_long_head(lim, err);
}

int http_head_parse(const char *buf, size_t len, size_t seen, const struct http_limits *lim, struct http_head *h,
		    struct rf_error *err)
{
	memset(h, 0, sizeof *h);
	rf_error_clear(err);
	/* the end of the head: the first empty line after the request line */
	size_t from = seen > 3 ? seen - 3 : 0;
	size_t skip = 0;
	while (skip + 1 < len && buf[skip] == '\r' && buf[skip + 1] == '\n')
		skip += 2; /* empty lines before a request are ignored (RFC 9112 2.2) */
	if (from < skip)
		from = skip;
	const char *term = NULL;
	for (size_t i = from; i + 3 < len; i++)
		if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
			term = buf + i;
			break;
		}
	if (!term)
		return check_partial(buf, len, lim, err);
	size_t head_len = (size_t)(term - buf) + 4;

	h->storage = malloc(head_len - skip + 1);
	if (!h->storage)
		return fail(err, 503, "unavailable", "", "out of memory");
	memcpy(h->storage, buf + skip, head_len - skip);
	h->storage[head_len - skip] = '\0';
	h->length = head_len;

	/* split into lines: each ends with CRLF; a lone CR or LF, or a NUL, is refused */
	char *p = h->storage, *end = h->storage + (head_len - skip) - 2; /* the final CRLF */
	int first = 1;
	while (p < end) {
		char *eol = (char *)line_end(p, end + 2);
		if (!eol || eol[0] != '\r' || eol[1] != '\n') {
			http_head_release(h);
			return fail(err, 400, "bad_request", first ? "request-line" : "headers",
				    "lines must end with CRLF, with no CR or LF alone");
		}
		if (memchr(p, '\0', (size_t)(eol - p))) {
			char name[64];
			field_name_of(p, eol, name);
			http_head_release(h);
			return fail(err, 400, "bad_request", first ? "request-line" : name, "must not contain NUL");
		}
		*eol = '\0';
		if (!first && (*p == ' ' || *p == '\t')) {
			http_head_release(h);
			return fail(err, 400, "bad_request", "headers", "folded header lines are not accepted");
		}
		int rc;
		if (first)
			rc = read_request_line(p, lim, h, err);
		else if ((size_t)(eol - p) > lim->max_field)
			rc = too_long_field(p, eol, lim, err);
		else if (h->nfields == lim->max_fields || h->nfields == HTTP_FIELDS_CAP) {
			char rule[64];
			snprintf(rule, sizeof rule, "must be at most %u header lines", h->nfields);
			rc = fail(err, 431, "headers_too_large", "headers", rule);
		} else
			rc = read_field(p, h, err);
		if (rc) {
			http_head_release(h);
			return -1;
		}
		first = 0;
		p = eol + 2;
	}
	int rc = 0;
	if (head_len - skip > lim->max_head + 4)
		rc = too_long_head(lim, err);
	else if (first)
		rc = fail(err, 400, "bad_request", "request-line", "is missing");
	else
		rc = read_meaning(h, err);
	if (rc) {
		http_head_release(h);
		return -1;
	}
	return 1;
}

void http_head_release(struct http_head *h)
{
	free(h->storage);
	h->storage = NULL;
	h->nfields = h->nargs = 0;
	h->path = NULL;
}
