/* cli_util: small pieces the commands share: reading a whole file, SHA-256, random keys, numbers. */
#ifndef RENFORT_CLI_UTIL_H
#define RENFORT_CLI_UTIL_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "buf.h"

/* Reads a whole file ("-": standard input) into out, up to max bytes. 0, or -1 after saying why. */
int cli_read_file(const char *path, size_t max, struct buf *out);

/* Lowercase hex SHA-256 of data. */
void cli_sha256_hex(const void *data, size_t len, char out[65]);

/* A fresh random idempotency key: prefix then 32 hex digits. 0, or -1 when no randomness. */
int cli_random_key(const char *prefix, char *out, size_t len);

/* Whether s can be an idempotency key: 1 to 128 printable ASCII characters, no spaces. */
int cli_key_ok(const char *s);

/* A decimal integer, the whole string: 0 and *v set, or -1. */
int cli_parse_ll(const char *s, long long *v);

/* A JSON number when s is one (the whole string), else s as a JSON string: the server judges values
 * and names the rule, the client does not second-guess it. */
cJSON *cli_json_scalar(const char *s);

#endif
