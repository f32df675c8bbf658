/* cli_ws: a live stream of renfortd's events over its websocket, with libwebsockets' client API:
 * the token in the upgrade's Authorization header, one "subscribe" (with "since" to resume), one
 * callback per event, and after any loss a reconnection with backoff that resumes after the last
 * seq received; until --count events, --timeout, or Ctrl-C. */
#ifndef RENFORT_CLI_WS_H
#define RENFORT_CLI_WS_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "cli.h"

struct cli_stream {
	const char *const *topics;
	size_t ntopics;
	long long since;  /* resume after this seq; -1: only what happens from now on */
	long long count;  /* stop after this many events; 0: never */
	double timeout_s; /* stop after this long; 0: never */
	/* each event, parsed, and its text as received */
	void (*on_event)(void *ctx, const cJSON *event, const char *text, size_t len);
	void *ctx;
};

/* Runs the stream. Returns the exit code: 0 (count reached, Ctrl-C, or timeout without count),
 * CLI_TIMEOUT, CLI_AUTH (the token refused), CLI_UNREACHABLE (no websocket at the URL),
 * CLI_REFUSED (the subscription refused: a bad topic), CLI_USAGE (a URL it cannot use). */
int cli_ws_stream(struct cli *c, const struct cli_stream *st);

#endif
