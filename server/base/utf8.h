/* utf8: is a run of bytes valid UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing past
 * U+10FFFF)? Pure. Texts that come with a length (websocket frames, request targets, SMS bodies)
 * are checked here before anything echoes them in JSON; what must be answered although it is not
 * UTF-8 (an incoming SMS, what an error repeats) is repaired here. */
#ifndef RENFORT_UTF8_H
#define RENFORT_UTF8_H

#include <stddef.h>

/* 1 when the n bytes at p are valid UTF-8 (NUL bytes included, they are valid code points). */
int utf8_valid(const void *p, size_t n);

/* Incremental check, for a text that arrives in pieces (a fragmented websocket message): state
 * starts at 0; each call returns 0 while the bytes so far can still be valid, -1 once they cannot.
 * After the last piece, the text is valid when the state is back at 0 (no sequence cut short). */
int utf8_feed(unsigned *state, const void *p, size_t n);

/* The length (1 to 4) of the UTF-8 sequence at p, reading at most n bytes, with its code point in
 * *cp; 0 when the bytes there are not UTF-8 (or n is 0). */
int utf8_decode(const unsigned char *p, size_t n, unsigned *cp);

/* Copies the n bytes of s into out (outlen bytes, always NUL-terminated when outlen > 0), each byte
 * that is not part of valid UTF-8 replaced by U+FFFD (and a NUL byte too: the result is a C
 * string); when out is too small, the copy stops at a character boundary. Returns the number of
 * bytes replaced. */
size_t utf8_repair(const char *s, size_t n, char *out, size_t outlen);

/* A malloc'd repaired copy of the C string s; *replaced (may be NULL) gets the number of bytes
 * replaced. NULL when memory ran out. */
char *utf8_repair_dup(const char *s, size_t *replaced);

#endif
