/* json_strict: the one way a body or a websocket message becomes JSON. RFC 8259's grammar checked
 * byte by byte before cJSON (which is lenient: leading zeros, any byte below 0x21 as whitespace,
 * raw control characters and bytes that are not UTF-8 in strings), then the parsed tree checked
 * for what the grammar allows but a request must not hold. Part of the protocol layer. */
#ifndef RENFORT_JSON_STRICT_H
#define RENFORT_JSON_STRICT_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* cJSON's own nesting limit (CJSON_NESTING_LIMIT); deeper is refused with a rule that says so. */
#define JSON_MAX_DEPTH 1000

/* Parses the len bytes of text as exactly one JSON value, whitespace (space, tab, CR, LF) around
 * it allowed. Returns NULL with the rule broken in rule (at most 95 characters, so that a 96-byte
 * buffer holds it whole), naming the byte where the text is wrong:
 *  - anything outside RFC 8259: a number with a leading zero, a '+' sign, no digit before or after
 *    its point or in its exponent, NaN or Infinity; a raw control character or a byte that is not
 *    UTF-8 in a string; an unknown escape, a \u escape without four hex digits, a lone surrogate;
 *    other whitespace; a byte order mark; text after the value; nesting deeper than JSON_MAX_DEPTH;
 *  - a NUL, raw or \u0000, at which cJSON would silently cut a string short;
 *  - a number longer than 63 characters (cJSON reads numbers through a 64-byte buffer), one too
 *    large for a 64-bit float, or one whose fraction a 64-bit float loses (1.0000000000000001
 *    would read as 1: an integer field would take a fraction for a whole number);
 *  - an object with a key given twice, at any depth (RFC 8259 lets the receiver choose; cJSON
 *    would keep both and every lookup would see the first): the rule names the key. */
cJSON *json_parse_strict(const char *text, size_t len, char *rule, size_t rulelen);

#endif
