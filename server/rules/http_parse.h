/* http_parse: the head of an HTTP/1.1 request (request line and header fields), read strictly as
 * RFC 9112 says, with a named error for everything refused. Pure: bytes in, a parsed head or an
 * error out; the connection (http_conn.c) does the I/O.
 *
 * renfortd reads requests itself rather than through libwebsockets 4.1's parser, which let a
 * header whose name begins a known one ("Co: 1") swallow the next line, kept the bytes after a NUL
 * in a value, closed the connection without an answer on long heads, and spun at 100% CPU on
 * pipelined requests with bodies. */
#ifndef RENFORT_HTTP_PARSE_H
#define RENFORT_HTTP_PARSE_H

#include <stddef.h>

#include "error.h"

enum http_method { HTTP_GET, HTTP_HEAD, HTTP_POST, HTTP_PUT, HTTP_PATCH, HTTP_DELETE, HTTP_OPTIONS };

struct http_limits {
	size_t max_uri;       /* the request target, bytes: 414 past it */
	size_t max_head;      /* the request line and the header lines, bytes: 431 past it */
	size_t max_field;     /* one header line, bytes: 431 naming the header */
	unsigned max_fields;  /* header lines: 431 */
	unsigned max_args;    /* query arguments: 414 */
};

/* The most header lines and query arguments a head can hold, whatever the limits say. */
#define HTTP_FIELDS_CAP 256
#define HTTP_ARGS_CAP 256

/* A header field or a query argument: NUL-terminated; header names in lower case. */
struct http_pair {
	const char *name;
	const char *value;
};

struct http_head {
	enum http_method method;
	int minor;                /* HTTP/1.minor: 0 or 1 */
	size_t length;            /* bytes of the head, its final empty line included */
	const char *path;         /* percent-decoded, valid UTF-8, no NUL, no "." or ".." segment */
	struct http_pair args[HTTP_ARGS_CAP];   /* query arguments, decoded ('+' is a space), no NUL; not
						 * always UTF-8: the operations check theirs */
	unsigned nargs;
	struct http_pair fields[HTTP_FIELDS_CAP];
	unsigned nfields;
	/* what the fields mean for the connection */
	long long content_length; /* 0 when absent */
	int keep_alive;           /* the connection may carry another request after this one */
	int expect_continue;      /* Expect: 100-continue */
	int upgrade;              /* Connection: upgrade and Upgrade: websocket */
	char *storage;            /* the head's bytes, split and decoded in place */
};

/* Reads the head at the start of buf[0..len). seen is how many of these bytes an earlier call was
 * given (0 the first time): the search for the end starts near there, so a head that arrives a
 * byte at a time costs linear time. Returns 1 with *h filled (release it), 0 when the head is not
 * complete yet and nothing seen so far breaks a rule, or -1 with err set (status, code, field,
 * rule): after an error the request's end is unknown, so the connection must close. */
int http_head_parse(const char *buf, size_t len, size_t seen, const struct http_limits *lim, struct http_head *h,
		    struct rf_error *err);
void http_head_release(struct http_head *h);

/* The value of the header field named lname (lower case), or NULL. */
const char *http_head_field(const struct http_head *h, const char *lname);
const char *http_method_name(enum http_method m);

#endif
