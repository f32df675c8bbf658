#include "paris_time.h"

#include <stdio.h>
#include <string.h>

#define DAY_MS 86400000LL
#define HOUR_MS 3600000LL

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static long long days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	long long yoe = y - era * 400;
	long long doy = (153LL * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(long long z, int *y, int *m, int *d)
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

/* The day (since the epoch) of the last Sunday of month m of year y. */
static long long last_sunday(int y, int m)
{
	long long last = days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) - 1;
	long long weekday = (last + 4) % 7; /* 1970-01-01 was a Thursday (4); 0 is Sunday */
	if (weekday < 0)
		weekday += 7;
	return last - weekday;
}

long long paris_offset(long long ms)
{
	long long day = ms >= 0 ? ms / DAY_MS : (ms - DAY_MS + 1) / DAY_MS;
	int y, m, d;
	civil_from_days(day, &y, &m, &d);
	long long start = last_sunday(y, 3) * DAY_MS + HOUR_MS;
	long long end = last_sunday(y, 10) * DAY_MS + HOUR_MS;
	return ms >= start && ms < end ? 2 * HOUR_MS : HOUR_MS;
}

long long paris_midnight(int y, int m, int d)
{
	long long utc_midnight = days_from_civil(y, m, d) * DAY_MS;
	/* the changes happen at 01:00 UTC, so the offset an hour before UTC midnight is the one at
	 * Paris midnight (22:00 or 23:00 UTC the day before) */
	return utc_midnight - paris_offset(utc_midnight - HOUR_MS);
}

void paris_date_of(long long ms, char out[11])
{
	long long local = ms + paris_offset(ms);
	long long day = local >= 0 ? local / DAY_MS : (local - DAY_MS + 1) / DAY_MS;
	int y, m, d;
	civil_from_days(day, &y, &m, &d);
	/* years 0..9999, months and days of two digits: 10 characters */
	unsigned yy = (unsigned)(y < 0 ? 0 : y) % 10000u, mm = (unsigned)m % 100u, dd = (unsigned)d % 100u;
	snprintf(out, 11, "%04u-%02u-%02u", yy, mm, dd);
}

int paris_date_parse(const char *s, int *y, int *m, int *d)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	*y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	*m = (s[5] - '0') * 10 + (s[6] - '0');
	*d = (s[8] - '0') * 10 + (s[9] - '0');
	if (*y < 2000 || *y > 2999 || *m < 1 || *m > 12 || *d < 1)
		return -1;
	int y2, m2, d2;
	civil_from_days(days_from_civil(*y, *m, *d), &y2, &m2, &d2);
	return m2 == *m && d2 == *d ? 0 : -1; /* 2026-02-30 is no day */
}
