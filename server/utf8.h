/* utf8: reading UTF-8 strictly (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF)
 * and repairing text that is not UTF-8, for what comes from outside (SMS gateways, URLs, CSV files)
 * and must still be answered as JSON. Pure: no I/O. */
#ifndef RENFORT_UTF8_H
#define RENFORT_UTF8_H

#include <stddef.h>

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
