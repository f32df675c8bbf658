/* validate: pure checks of single values. Each returns NULL when the value is good, or the rule it
 * breaks, written so that "<field>: <rule>" reads as a sentence for the person who sent it. */
#ifndef RENFORT_VALIDATE_H
#define RENFORT_VALIDATE_H

#include <stddef.h>

/* "+" then 8 to 15 digits, the first not 0 (ITU-T E.164). */
const char *validate_e164(const char *s);
/* A FINESS number: 9 characters, the first two the département code, a valid Luhn check digit.
 * dep may be NULL when the département is not known yet. */
const char *validate_finess(const char *s, const char *dep);
/* A calendar date YYYY-MM-DD between 1900-01-01 and 2199-12-31. */
const char *validate_date(const char *s);
/* Valid UTF-8 without control characters, between min and max characters (code points). */
const char *validate_text(const char *s, long min, long max);
/* A word of a list (skills, languages...): 1 to 40 of [a-z0-9_-]. */
const char *validate_word(const char *s);
/* A commune INSEE code: 5 characters, two for the département (digits, or 2A/2B) then 3 digits. */
const char *validate_insee(const char *s);
/* An ISO 639-1 language code: two lowercase letters. */
const char *validate_lang2(const char *s);

/* --- integers: every id, count or quantity a request gives, as a JSON number or as text (a query
 * parameter, a form field, a CSV cell), is read by one of these two, so that none is rounded,
 * truncated or read from its leading digits. */

/* Ids and counts travel as JSON numbers, which hold integers exactly up to 2^53 - 1. */
#define INT_EXACT_MAX 9007199254740991LL

/* A JSON number's value as an integer from min to max: 0 and *out, or -1 when it has a fraction,
 * is out of range or is not finite. (json_parse_strict refuses the texts a double would round to a
 * whole number, like 1.0000000000000001: a whole double was written whole.) */
int int_from_double(double d, long long min, long long max, long long *out);
/* An integer written in decimal, from min to max: an optional '-', then digits without a leading
 * zero; nothing else (no '+', no space, no point, no exponent, no trailing text). 0 and *out, or -1. */
int int_from_text(const char *s, long long min, long long max, long long *out);
/* The rule both break, for "<field>: <rule>": "must be a positive integer" (1 to INT_EXACT_MAX),
 * "must be a non-negative integer" (0 to INT_EXACT_MAX), else "must be an integer from MIN to MAX".
 * Written into buf (at least 64 bytes), which is returned. */
const char *int_rule(long long min, long long max, char *buf, size_t len);

/* Number of Unicode code points in valid UTF-8, or -1 if s is not valid UTF-8. */
long utf8_length(const char *s);
/* A buffer for a text validated as at most `chars` characters: UTF-8 takes up to 4 bytes each. */
#define UTF8_BYTES(chars) (4 * (chars) + 1)
/* Converts a French national number ("0561022400", "561022400", "05 61 02 24 00") or an
 * already international one to E.164 in out (at least 17 bytes). Returns 0 or -1. */
int phone_to_e164_fr(const char *in, char *out, size_t outlen);

#endif
