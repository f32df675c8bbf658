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

/* Number of Unicode code points in valid UTF-8, or -1 if s is not valid UTF-8. */
long utf8_length(const char *s);
/* A buffer for a text validated as at most `chars` characters: UTF-8 takes up to 4 bytes each. */
#define UTF8_BYTES(chars) (4 * (chars) + 1)
/* Converts a French national number ("0561022400", "561022400", "05 61 02 24 00") or an
 * already international one to E.164 in out (at least 17 bytes). Returns 0 or -1. */
int phone_to_e164_fr(const char *in, char *out, size_t outlen);

#endif
