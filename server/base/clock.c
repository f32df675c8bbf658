#include "clock.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

long long clock_wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long clock_mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void clock_civil_from_days(long long z, int *y, int *m, int *d)
{
	z += 719468;
	long long era = (z >= 0 ? z : z - 146096) / 146097;
	long long doe = z - era * 146097;
	long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long long mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

long long clock_days_from_civil(int y, int m, int d)
{
	long long yy = (long long)y - (m <= 2);
	long long era = (yy >= 0 ? yy : yy - 399) / 400;
	long long yoe = yy - era * 400;
	long long doy = (153LL * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

const char *clock_format_iso(long long ms, char out[32])
{
	long long sec = ms / 1000;
	int frac = (int)(ms % 1000);
	if (frac < 0) {
		frac += 1000;
		sec -= 1;
	}
	long long days = sec / 86400, in_day = sec % 86400;
	if (in_day < 0) {
		in_day += 86400;
		days -= 1;
	}
	int year, month, day;
	clock_civil_from_days(days, &year, &month, &day);
	/* years 0..9999 only: keeps the fields within their widths */
	if (year < 0 || year > 9999)
		year = year < 0 ? 0 : 9999;
	/* "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" by hand */
	const int fields[] = {(int)year, month, day, (int)(in_day / 3600), (int)(in_day / 60 % 60), (int)(in_day % 60), frac};
	static const int widths[] = {4, 2, 2, 2, 2, 2, 3};
	static const char seps[] = "--T::.Z";
	char *o = out;
	for (int i = 0; i < 7; i++) {
		for (int w = widths[i], v = fields[i]; w > 0; w--, v /= 10)
			o[w - 1] = (char)('0' + v % 10);
		o += widths[i];
		*o++ = seps[i];
	}
	*o = '\0';
	return out;
}

int clock_digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

int clock_parse_iso(const char *s, long long *ms)
{
	int y, mo, d, h, mi, se, frac = 0;
	size_t n = strlen(s);
	if (n < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':')
		return -1;
	if (clock_digits(s, 4, &y) || clock_digits(s + 5, 2, &mo) || clock_digits(s + 8, 2, &d) || clock_digits(s + 11, 2, &h) ||
	    clock_digits(s + 14, 2, &mi) || clock_digits(s + 17, 2, &se))
		return -1;
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] + (mo == 2 && leap) || h > 23 || mi > 59 || se > 60)
		return -1;
	const char *p = s + 19;
	if (*p == '.') {
		p++;
		int nd = 0;
		while (isdigit((unsigned char)*p)) {
			if (nd < 3)
				frac = frac * 10 + (*p - '0');
			nd++;
			p++;
		}
		if (nd == 0)
			return -1;
		for (; nd < 3; nd++)
			frac *= 10;
	}
	long long offset_min = 0;
	if (*p == 'Z')
		p++;
	else if (*p == '+' || *p == '-') {
		int oh, om;
		if (strlen(p) != 6 || p[3] != ':' || clock_digits(p + 1, 2, &oh) || clock_digits(p + 4, 2, &om) || oh > 23 ||
		    om > 59)
			return -1;
		offset_min = (oh * 60 + om) * (*p == '-' ? -1 : 1);
		p += 6;
	} else
		return -1;
	if (*p)
		return -1;
	long long days = clock_days_from_civil(y, mo, d);
	*ms = ((days * 86400 + h * 3600 + mi * 60 + se) - offset_min * 60) * 1000 + frac;
	return 0;
}
