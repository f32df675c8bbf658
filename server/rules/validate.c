#include "validate.h"

#include "utf8.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

const char *validate_e164(const char *s)
{
	static const char rule[] = "must be an E.164 phone number: + then 8 to 15 digits, like +33612345678";
	if (!s || s[0] != '+' || s[1] < '1' || s[1] > '9')
		return rule;
	size_t n = 0;
	for (const char *p = s + 1; *p; p++, n++)
		if (*p < '0' || *p > '9')
			return rule;
	return (n >= 8 && n <= 15) ? NULL : rule;
}

static int luhn_ok(const char *digits, size_t n)
{
	int sum = 0;
	for (size_t i = 0; i < n; i++) {
		int d = digits[n - 1 - i] - '0';
		if (i % 2 == 1) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	return sum % 10 == 0;
}

const char *validate_finess(const char *s, const char *dep)
{
	if (!s || strlen(s) != 9)
		return "must be a FINESS number of 9 characters";
	int corsica = s[0] == '2' && (s[1] == 'A' || s[1] == 'B');
	for (int i = 0; i < 9; i++)
		if (!(isdigit((unsigned char)s[i]) || (i == 1 && corsica)))
			return "must be a FINESS number of 9 digits (2A/2B allowed for Corsica)";
	if (dep && strncmp(s, dep, 2) != 0)
		return "must start with the département code of the structure's commune";
	if (!corsica && !luhn_ok(s, 9))
		return "has a wrong check digit (FINESS numbers end with a Luhn key)";
	return NULL;
}

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

const char *validate_date(const char *s)
{
	static const char rule[] = "must be a date written YYYY-MM-DD";
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return rule;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return rule;
	int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	int m = (s[5] - '0') * 10 + (s[6] - '0');
	int d = (s[8] - '0') * 10 + (s[9] - '0');
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1900 || y > 2199)
		return "must be a date between 1900-01-01 and 2199-12-31";
	if (m < 1 || m > 12)
		return "must be a real calendar date (month 01 to 12)";
	int maxd = mdays[m - 1] + (m == 2 && is_leap(y));
	if (d < 1 || d > maxd)
		return "must be a real calendar date (day out of range for that month)";
	return NULL;
}

long utf8_length(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s);
	long n = 0;
	while (left) {
		unsigned cp;
		int k = utf8_decode(p, left, &cp);
		if (!k)
			return -1;
		p += k;
		left -= (size_t)k;
		n++;
	}
	return n;
}

const char *validate_text(const char *s, long min, long max)
{
	static char rule[96];
	if (!s)
		return "must be a string";
	long n = utf8_length(s);
	if (n < 0)
		return "must be valid UTF-8 text";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		/* C0, DEL, and C1 (U+0080..U+009F: 0xC2 0x80..0x9F in UTF-8) */
		if (*p < 0x20 || *p == 0x7F || (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F))
			return "must not contain control characters";
	if (n < min || n > max) {
		/* static: validation runs on the one event-loop thread, and the message is used at once */
		if (min > 0)
			snprintf(rule, sizeof rule, "must be %ld to %ld characters long", min, max);
		else
			snprintf(rule, sizeof rule, "must be at most %ld characters long", max);
		return rule;
	}
	return NULL;
}

const char *validate_word(const char *s)
{
	static const char rule[] = "each entry must be 1 to 40 of a-z, 0-9, _ and -";
	size_t n = s ? strlen(s) : 0;
	if (n < 1 || n > 40)
		return rule;
	for (size_t i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '_' || s[i] == '-'))
			return rule;
	return NULL;
}

const char *validate_insee(const char *s)
{
	static const char rule[] = "must be a commune INSEE code of 5 characters, like 31555";
	if (!s || strlen(s) != 5)
		return rule;
	int corsica = s[0] == '2' && (s[1] == 'A' || s[1] == 'B');
	for (int i = 0; i < 5; i++)
		if (!isdigit((unsigned char)s[i]) && !(i == 1 && corsica))
			return rule;
	return NULL;
}

const char *validate_lang2(const char *s)
{
	if (!s || strlen(s) != 2 || !islower((unsigned char)s[0]) || !islower((unsigned char)s[1]))
		return "each entry must be a two-letter ISO 639-1 language code, like fr";
	return NULL;
}

int phone_to_e164_fr(const char *in, char *out, size_t outlen)
{
	char digits[24];
	size_t n = 0;
	int plus = 0;
	for (const char *p = in; *p; p++) {
		if (*p == '+' && n == 0 && !plus)
			plus = 1;
		else if (isdigit((unsigned char)*p)) {
			if (n + 1 >= sizeof digits)
				return -1;
			digits[n++] = *p;
		} else if (*p != ' ' && *p != '.' && *p != '-' && *p != '(' && *p != ')')
			return -1;
	}
	digits[n] = '\0';
	int w;
	if (plus && strncmp(digits, "330", 3) == 0)
		/* "+33 (0)5 61..." or "+33 0561...": the French trunk 0 is not dialled after +33 */
		w = snprintf(out, outlen, "+33%s", digits + 3);
	else if (plus)
		w = snprintf(out, outlen, "+%s", digits);
	else if (n == 10 && digits[0] == '0')
		w = snprintf(out, outlen, "+33%s", digits + 1);
	else if (n == 9 && digits[0] != '0')
		w = snprintf(out, outlen, "+33%s", digits);
	else
		return -1;
	if (w < 0 || (size_t)w >= outlen)
		return -1;
	return validate_e164(out) ? -1 : 0;
}

int int_from_double(double d, long long min, long long max, long long *out)
{
	/* the bounds are compared as doubles only within 2^53, where they are exact */
	if (!isfinite(d) || d != floor(d) || fabs(d) > (double)INT_EXACT_MAX)
		return -1;
	long long v = (long long)d;
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int int_from_text(const char *s, long long min, long long max, long long *out)
{
	if (!s)
		return -1;
	const char *p = s + (*s == '-');
	size_t n = strspn(p, "0123456789");
	/* 18 digits hold any value below 10^18 without overflow; INT_EXACT_MAX has 16 */
	if (n == 0 || n > 18 || p[n] != '\0' || (p[0] == '0' && n > 1))
		return -1;
	long long v = 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (p[i] - '0');
	if (*s == '-')
		v = -v;
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

const char *int_rule(long long min, long long max, char *buf, size_t len)
{
	if (max >= INT_EXACT_MAX && (min == 0 || min == 1))
		snprintf(buf, len, "must be a %s integer", min ? "positive" : "non-negative");
	else
		snprintf(buf, len, "must be an integer from %lld to %lld", min, max);
	return buf;
}
