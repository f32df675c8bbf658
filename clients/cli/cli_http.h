/* cli_http: requests to renfortd's HTTP API with libcurl (the token in an Authorization header,
 * never in a URL or a message), and what its answers mean for the exit code. */
#ifndef RENFORT_CLI_HTTP_H
#define RENFORT_CLI_HTTP_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "cli.h"

#define CLI_HTTP_MAX_BODY ((size_t)1 << 30) /* the largest answer kept (a whole region's export) */

struct cli_response {
	long status;
	struct buf body;
	char content_type[128];
	cJSON *json; /* the body parsed, when it is JSON */
};

int cli_http_init(struct cli *c);
void cli_http_cleanup(struct cli *c);

/* Sends one request; path starts with "/api/v1/" and may carry a query. When the server answers
 * (whatever the status) returns CLI_OK with res filled; else CLI_UNREACHABLE after saying why
 * (CLI_AUTH when there is no token at all).
 * res is released with cli_response_release() either way. */
int cli_http_send(struct cli *c, const char *method, const char *path, const char *content_type, const char *body,
		  size_t len, const char *idem_key, struct cli_response *res);
/* The same with a JSON body (NULL: none). */
int cli_http_json(struct cli *c, const char *method, const char *path, const cJSON *body, const char *idem_key,
		  struct cli_response *res);
void cli_response_release(struct cli_response *res);

/* For an answer of status >= 400: prints the server's error on stderr, "renfort: [WHERE ][line N: ]
 * field: rule" (where: a file name, or NULL), and returns the exit code it means: 4 for 401, 3 for
 * 5xx, 1 otherwise. */
int cli_http_refused(const struct cli_response *res, const char *where);
/* The same, naming the field field_shown instead of the server's name for it (the column of a file). */
int cli_http_refused_as(const struct cli_response *res, const char *where, const char *field_shown);
/* The error's "field" and "code" ("" when absent). */
const char *cli_http_error_member(const struct cli_response *res, const char *name);

/* Appends "?name=value" or "&name=value", percent-encoded, to a path. 0 or -1. */
int cli_query_add(struct buf *path, const char *name, const char *value);

#endif
