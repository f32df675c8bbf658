/* request_check: checks of what arrives before it becomes an operation's request, pure, for the
 * transport (http.c, ws.c) to call: the media type of an HTTP body, and the websocket envelope
 * {"type", "id", "params", "data", "idempotency_key"}. Part of the protocol layer. */
#ifndef RENFORT_REQUEST_CHECK_H
#define RENFORT_REQUEST_CHECK_H

#include <cjson/cJSON.h>

#include "error.h"

/* Whether a Content-Type header value names the media type `type` ("application/json",
 * "text/csv"...): the type and subtype compared without regard to case (RFC 9110 8.3.1), then
 * only parameters "charset=utf-8" (name and value in any case, the value may be quoted), with
 * optional whitespace around each ';'. Anything else is another media type: "application/jsonx",
 * "application/json-seq", "application/json; charset=latin1", "application/json; x=1". */
int request_check_media_type(const char *value, const char *type);

/* Checks a websocket message's envelope, already parsed by json_parse_strict: 0 when it is good;
 * else -1 with err set (status, code, field, rule), the first rule broken in this order:
 *   not an object                       400 invalid_json  message
 *   "id" neither a string nor a number  422 invalid       id
 *   a member other than the five        422 unknown_field <the member>
 *   no "type"                           422 required      type
 *   "type" not a string                 422 invalid       type
 *   "params" not an object              422 invalid       params
 *   "idempotency_key" not 1 to 128 characters of text   422 invalid   idempotency_key
 * The answer repeats the message's "id" when it is a string or a number, and only then. */
int request_check_envelope(const cJSON *msg, struct rf_error *err);

#endif
