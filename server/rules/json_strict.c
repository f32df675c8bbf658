#include "json_strict.h"

#include "utf8.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cJSON copies a number into a buffer of 64 bytes before strtod: a longer one is misread. */
#define NUMBER_MAX_CHARS 63
/* Objects with more keys than this are checked for duplicates by sorting, not pairwise. */
#define PAIRWISE_KEYS 16

static const char nul_rule[] = "must not contain NUL characters (\\u0000)";

struct scan {
	const unsigned char *start, *p, *end;
	const char *why; /* what is wrong at p, NULL while all is well */
	char detail[48];
};

static int fail(struct scan *s, const char *why)
{
	s->why = why;
	return -1;
}

static int is_digit(unsigned c)
{
	return c >= '0' && c <= '9';
}

static void skip_ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static int starts_with(const struct scan *s, const char *word)
{
	size_t n = strlen(word);
	return (size_t)(s->end - s->p) >= n && memcmp(s->p, word, n) == 0;
}

/* A byte that cannot start or continue what is being read: said as the character when it is
 * printable ASCII (never echoing a byte that is not UTF-8), else as its value. */
static int unexpected(struct scan *s)
{
	if (s->p >= s->end)
		return fail(s, "the text ends too early");
	unsigned c = *s->p;
	if (c == 0)
		return fail(s, nul_rule);
	if (c == '+')
		return fail(s, "a number must not have a '+' sign");
	if (c == '.')
		return fail(s, "a number must start with a digit");
	if (starts_with(s, "NaN") || starts_with(s, "Infinity"))
		return fail(s, "NaN and Infinity are not JSON numbers");
	if (starts_with(s, "\xEF\xBB\xBF"))
		return fail(s, "a byte order mark is not allowed");
	if (c > 0x20 && c < 0x7F)
		snprintf(s->detail, sizeof s->detail, "unexpected character '%c'", (char)c);
	else
		snprintf(s->detail, sizeof s->detail, "unexpected byte 0x%02X", c);
	s->why = s->detail;
	return -1;
}

static int literal(struct scan *s, const char *word)
{
	if (!starts_with(s, word))
		return unexpected(s);
	s->p += strlen(word);
	return 0;
}

static int hex4(const unsigned char *p, const unsigned char *end, unsigned *out)
{
	unsigned v = 0;
	if (end - p < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		unsigned c = p[i], d;
		if (is_digit(c))
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

/* A string, s->p on its opening quote. */
static int string(struct scan *s)
{
	s->p++;
	for (;;) {
		/* printable ASCII, the usual case, in a tight loop */
		const unsigned char *p = s->p, *end = s->end;
		while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
			p++;
		s->p = p;
		if (s->p >= s->end)
			return fail(s, "a string is not closed");
		unsigned c = *s->p;
		if (c == '"') {
			s->p++;
			return 0;
		}
		if (c == 0)
			return fail(s, nul_rule);
		if (c < 0x20)
			return fail(s, "a control character in a string must be escaped");
		if (c != '\\') {
			unsigned cp;
			int k = utf8_decode(s->p, (size_t)(s->end - s->p), &cp);
			if (!k)
				return fail(s, "a string is not valid UTF-8");
			s->p += k;
			continue;
		}
		if (s->end - s->p < 2)
			return fail(s, "a string is not closed");
		unsigned e = s->p[1];
		if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't') {
			s->p += 2;
			continue;
		}
		if (e != 'u')
			return fail(s, "unknown escape in a string");
		unsigned u, low;
		if (hex4(s->p + 2, s->end, &u))
			return fail(s, "a \\u escape needs four hex digits");
		if (u == 0)
			return fail(s, nul_rule);
		if (u >= 0xDC00 && u <= 0xDFFF)
			return fail(s, "a \\u escape is a lone surrogate");
		if (u >= 0xD800 && u <= 0xDBFF) {
			/* a high surrogate must be followed by its low half */
			if (s->end - s->p < 12 || s->p[6] != '\\' || s->p[7] != 'u' || hex4(s->p + 8, s->end, &low) ||
			    low < 0xDC00 || low > 0xDFFF)
				return fail(s, "a \\u escape is a lone surrogate");
			s->p += 12;
			continue;
		}
		s->p += 6;
	}
}

/* Whether the number written digits[0..n) x 10^(exp10) is whole, from its text: a double cannot
 * tell (1.0000000000000001 is 1.0 there). */
static int lexically_whole(const unsigned char *b, const unsigned char *end)
{
	long frac_digits = 0, trailing_zeros = 0, nonzero = 0, exp10 = 0;
	int in_frac = 0;
	const unsigned char *p = b;
	if (*p == '-')
		p++;
	for (; p < end && (is_digit(*p) || *p == '.'); p++) {
		if (*p == '.') {
			in_frac = 1;
			continue;
		}
		frac_digits += in_frac;
		if (*p == '0')
			trailing_zeros++;
		else {
			trailing_zeros = 0;
			nonzero = 1;
		}
	}
	if (!nonzero)
		return 1; /* zero, however written */
	if (p < end && (*p == 'e' || *p == 'E')) {
		int neg = *++p == '-';
		if (*p == '-' || *p == '+')
			p++;
		for (; p < end && is_digit(*p); p++)
			if (exp10 < 100000)
				exp10 = exp10 * 10 + (*p - '0');
		if (neg)
			exp10 = -exp10;
	}
	/* value = significant digits x 10^(exp10 - frac_digits + trailing_zeros) */
	return exp10 - frac_digits + trailing_zeros >= 0;
}

static int number(struct scan *s)
{
	const unsigned char *b = s->p;
	if (*s->p == '-') {
		s->p++;
		if (s->p >= s->end || !is_digit(*s->p))
			return fail(s, "a number needs a digit after '-'");
	}
	if (*s->p == '0') {
		s->p++;
		if (s->p < s->end && is_digit(*s->p)) {
			s->p = b;
			return fail(s, "a number must not have a leading zero");
		}
	} else
		while (s->p < s->end && is_digit(*s->p))
			s->p++;
	if (s->p < s->end && *s->p == '.') {
		s->p++;
		if (s->p >= s->end || !is_digit(*s->p))
			return fail(s, "a number needs a digit after its point");
		while (s->p < s->end && is_digit(*s->p))
			s->p++;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		if (s->p >= s->end || !is_digit(*s->p))
			return fail(s, "a number needs a digit in its exponent");
		while (s->p < s->end && is_digit(*s->p))
			s->p++;
	}
	size_t n = (size_t)(s->p - b);
	const unsigned char *after = s->p;
	/* digits only, at most 15: whole and exact in a double, nothing more to check (ids, counts) */
	if (n <= 15 && !memchr(b, '.', n) && !memchr(b, 'e', n) && !memchr(b, 'E', n))
		return 0;
	s->p = b; /* what follows names the number's first byte */
	if (n > NUMBER_MAX_CHARS)
		return fail(s, "a number is longer than 63 characters");
	char text[NUMBER_MAX_CHARS + 1];
	memcpy(text, b, n);
	text[n] = '\0';
	double d = strtod(text, NULL);
	if (!isfinite(d))
		return fail(s, "a number is too large for a 64-bit float");
	if (d == floor(d) && !lexically_whole(b, after))
		return fail(s, "a number is too precise for a 64-bit float");
	s->p = after;
	return 0;
}

static int value(struct scan *s, int depth);

static int container(struct scan *s, int depth, int is_object)
{
	if (depth >= JSON_MAX_DEPTH)
		return fail(s, "nested deeper than 1000 levels");
	unsigned close = is_object ? '}' : ']';
	s->p++;
	skip_ws(s);
	if (s->p < s->end && *s->p == close) {
		s->p++;
		return 0;
	}
	for (;;) {
		skip_ws(s);
		if (is_object) {
			if (s->p >= s->end || *s->p != '"')
				return s->p < s->end && *s->p != 0 ? fail(s, "an object key must be a string") : unexpected(s);
			if (string(s))
				return -1;
			skip_ws(s);
			if (s->p >= s->end || *s->p != ':')
				return s->p < s->end && *s->p != 0 ? fail(s, "a key must be followed by ':'") : unexpected(s);
			s->p++;
			skip_ws(s);
		}
		if (value(s, depth + 1))
			return -1;
		skip_ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			continue;
		}
		if (s->p < s->end && *s->p == close) {
			s->p++;
			return 0;
		}
		if (s->p >= s->end || *s->p == 0)
			return unexpected(s);
		return fail(s, is_object ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static int value(struct scan *s, int depth)
{
	if (s->p >= s->end)
		return unexpected(s);
	switch (*s->p) {
	case '{':
		return container(s, depth, 1);
	case '[':
		return container(s, depth, 0);
	case '"':
		return string(s);
	case 't':
		return literal(s, "true");
	case 'f':
		return literal(s, "false");
	case 'n':
		return literal(s, "null");
	default:
		if (*s->p == '-' || is_digit(*s->p))
			return number(s);
		return unexpected(s);
	}
}

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int is_container(const cJSON *j)
{
	return (j->type & 0xFF) == cJSON_Object || (j->type & 0xFF) == cJSON_Array;
}

/* The first key given twice in an object of j's tree, or NULL. *oom is set when a large object
 * could not be sorted. */
static const char *duplicate_key(const cJSON *j, int *oom)
{
	size_t n = 0;
	for (const cJSON *c = j->child; c; c = c->next) {
		n++;
		if (is_container(c)) {
			const char *d = duplicate_key(c, oom);
			if (d || *oom)
				return d;
		}
	}
	if ((j->type & 0xFF) != cJSON_Object || n < 2)
		return NULL;
	if (n <= PAIRWISE_KEYS) {
		for (const cJSON *a = j->child; a; a = a->next)
			for (const cJSON *b = a->next; b; b = b->next)
				if (strcmp(a->string, b->string) == 0)
					return a->string;
		return NULL;
	}
	const char **keys = malloc(n * sizeof *keys);
	if (!keys) {
		*oom = 1;
		return NULL;
	}
	size_t k = 0;
	for (const cJSON *c = j->child; c; c = c->next)
		keys[k++] = c->string;
	qsort(keys, n, sizeof *keys, cmp_keys);
	const char *dup = NULL;
	for (size_t i = 1; i < n && !dup; i++)
		if (strcmp(keys[i - 1], keys[i]) == 0)
			dup = keys[i];
	free(keys);
	return dup;
}

cJSON *json_parse_strict(const char *text, size_t len, char *rule, size_t rulelen)
{
	struct scan s = {(const unsigned char *)text, (const unsigned char *)text, (const unsigned char *)text + len,
			 NULL, ""};
	if (memchr(text, '\0', len)) {
		snprintf(rule, rulelen, "%s", nul_rule);
		return NULL;
	}
	skip_ws(&s);
	if (s.p == s.end)
		fail(&s, "there is no value");
	else if (!value(&s, 0)) {
		skip_ws(&s);
		if (s.p != s.end)
			fail(&s, "text after the value");
	}
	if (s.why) {
		if (s.why == nul_rule)
			snprintf(rule, rulelen, "%s", nul_rule);
		else
			snprintf(rule, rulelen, "is not valid JSON: %s (near byte %ld)", s.why, (long)(s.p - s.start));
		return NULL;
	}
	cJSON *j = cJSON_ParseWithLengthOpts(text, len, NULL, 0);
	if (!j) {
		/* the grammar above is RFC 8259's: this is cJSON running out of memory */
		snprintf(rule, rulelen, "could not be read (out of memory)");
		return NULL;
	}
	int oom = 0;
	const char *dup = duplicate_key(j, &oom);
	if (dup || oom) {
		char key[44];
		/* at most 40 bytes of the key, cut at a character boundary */
		utf8_repair(dup ? dup : "", dup ? strlen(dup) : 0, key, 41);
		if (oom)
			snprintf(rule, rulelen, "could not be checked for duplicate keys (out of memory)");
		else
			snprintf(rule, rulelen, "has the key \"%s%s\" twice", key, strlen(dup) > strlen(key) ? "..." : "");
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}
