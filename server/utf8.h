/* utf8: is a run of bytes valid UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing past
 * U+10FFFF)? Pure. Texts that come with a length (websocket frames, request targets, SMS bodies)
 * are checked here before anything echoes them in JSON. */
#ifndef RENFORT_UTF8_H
#define RENFORT_UTF8_H

#include <stddef.h>

/* 1 when the n bytes at p are valid UTF-8 (NUL bytes included, they are valid code points). */
int utf8_valid(const void *p, size_t n);

/* Incremental check, for a text that arrives in pieces (a fragmented websocket message): state
 * starts at 0; each call returns 0 while the bytes so far can still be valid, -1 once they cannot.
 * After the last piece, the text is valid when the state is back at 0 (no sequence cut short). */
int utf8_feed(unsigned *state, const void *p, size_t n);

#endif
