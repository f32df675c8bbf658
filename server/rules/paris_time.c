#include "paris_time.h"

#include "clock.h"

#include <stdio.h>
#include <string.h>

#define HOUR_MS 3600000LL
#define DAY_MS 86400000LL

/* The day (since the epoch) of the last Sunday of month m of year y. */
static long long last_sunday(int y, int m)
{
	int ny = m == 12 ? y + 1 : y, nm = m == 12 ? 1 : m + 1;
	long long last = clock_days_from_civil(ny, nm, 1) - 1;
	long long wday = ((last % 7) + 7 + 4) % 7; /* 1970-01-01 was a Thursday */
	return last - wday;
}

/* The day of an instant, rounded down (before 1970 too). */
static long long day_of(long long ms)
{
	long long d = ms / DAY_MS;
	return ms % DAY_MS < 0 ? d - 1 : d;
}

long long paris_offset_ms(long long utc_ms)
{
	long long days = day_of(utc_ms);
	int y, m, d;
	clock_civil_from_days(days, &y, &m, &d);
	long long start = last_sunday(y, 3) * DAY_MS + HOUR_MS, end = last_sunday(y, 10) * DAY_MS + HOUR_MS;
	return utc_ms >= start && utc_ms < end ? 2 * HOUR_MS : HOUR_MS;
}

void paris_fields(long long utc_ms, struct paris_tm *out)
{
	long long off = paris_offset_ms(utc_ms), local = utc_ms + off, days = day_of(local);
	long long in_day = local - days * DAY_MS;
	clock_civil_from_days(days, &out->year, &out->month, &out->day);
	out->hour = (int)(in_day / HOUR_MS);
	out->minute = (int)(in_day / 60000 % 60);
	out->second = (int)(in_day / 1000 % 60);
	out->wday = (int)(((days % 7) + 7 + 4) % 7);
	out->dst = off == 2 * HOUR_MS;
}

static int days_in_month(int y, int m)
{
	static const int n[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : n[m - 1];
}

int paris_to_utc(int y, int m, int d, int hour, int minute, int second, long long *utc_ms)
{
	if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m) || hour < 0 || hour > 24 ||
	    minute < 0 || minute > 59 || second < 0 || second > 59 || (hour == 24 && (minute || second)))
		return -1;
	long long local = clock_days_from_civil(y, m, d) * DAY_MS + hour * HOUR_MS + minute * 60000LL + second * 1000LL;
	/* summer time first: a time that exists twice is its first occurrence; a time that does not
	 * exist in summer time reads in winter time */
	long long summer = local - 2 * HOUR_MS;
	*utc_ms = paris_offset_ms(summer) == 2 * HOUR_MS ? summer : local - HOUR_MS;
	return 0;
}

long long paris_midnight(int y, int m, int d)
{
	long long t = 0;
	if (paris_to_utc(y, m, d, 0, 0, 0, &t))
		return clock_days_from_civil(y, m, d) * DAY_MS - HOUR_MS;
	return t;
}

long long paris_end_of_day(int y, int m, int d)
{
	int ny, nm, nd;
	clock_civil_from_days(clock_days_from_civil(y, m, d) + 1, &ny, &nm, &nd);
	return paris_midnight(ny, nm, nd);
}

long long paris_quiet_end(long long t, int start_hour, int end_hour)
{
	if (start_hour == end_hour)
		return 0;
	struct paris_tm p;
	paris_fields(t, &p);
	int in = start_hour < end_hour ? p.hour >= start_hour && p.hour < end_hour
				       : p.hour >= start_hour || p.hour < end_hour;
	if (!in)
		return 0;
	long long day = clock_days_from_civil(p.year, p.month, p.day);
	if (start_hour > end_hour && p.hour >= start_hour)
		day++; /* the evening: they end tomorrow morning */
	int y, m, d;
	clock_civil_from_days(day, &y, &m, &d);
	long long end = 0;
	paris_to_utc(y, m, d, end_hour, 0, 0, &end);
	return end;
}

int paris_parse_date(const char *s, int *y, int *m, int *d)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' || clock_digits(s, 4, y) || clock_digits(s + 5, 2, m) || clock_digits(s + 8, 2, d))
		return -1;
	if (*y < 1900 || *y > 2199 || *m < 1 || *m > 12 || *d < 1 || *d > days_in_month(*y, *m))
		return -1;
	return 0;
}

int paris_parse_local(const char *s, long long *utc_ms)
{
	size_t n = strlen(s);
	int y, m, d, hh, mm, ss = 0;
	char date[11];
	if ((n != 16 && n != 19) || (s[10] != 'T' && s[10] != ' ') || s[13] != ':')
		return -1;
	memcpy(date, s, 10);
	date[10] = '\0';
	if (paris_parse_date(date, &y, &m, &d) || clock_digits(s + 11, 2, &hh) || clock_digits(s + 14, 2, &mm))
		return -1;
	if (n == 19 && (s[16] != ':' || clock_digits(s + 17, 2, &ss)))
		return -1;
	if (hh > 23)
		return -1;
	return paris_to_utc(y, m, d, hh, mm, ss, utc_ms);
}
