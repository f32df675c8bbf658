/* paris_time: the region's civil time (Europe/Paris: CET, UTC+1, and CEST, UTC+2, from the last
 * Sunday of March at 01:00 UTC to the last Sunday of October at 01:00 UTC, the EU rule since 1996).
 * Pure arithmetic on milliseconds since the epoch: no tz database, no TZ variable, no lock. Shifts,
 * expiry dates, quiet hours and "INDISPO 15/04" are said in this time by people; renfort keeps UTC. */
#ifndef RENFORT_PARIS_TIME_H
#define RENFORT_PARIS_TIME_H

struct paris_tm {
	int year, month, day; /* month 1..12 */
	int hour, minute, second;
	int wday;             /* 0 Sunday .. 6 Saturday */
	int dst;              /* 1 in summer time (UTC+2) */
};

/* The offset of Paris time from UTC at instant utc_ms: 3600000 or 7200000. */
long long paris_offset_ms(long long utc_ms);
/* The Paris wall clock at instant utc_ms. */
void paris_fields(long long utc_ms, struct paris_tm *out);

/* The instant of a Paris wall-clock time. A time that does not exist (the hour skipped on the last
 * Sunday of March, 02:00 to 03:00) is read in winter time (02:30 is then 03:30 summer time); one
 * that exists twice (02:00 to 03:00 on the last Sunday of October) is the first, in summer time.
 * 0, or -1 when a field is out of range. */
int paris_to_utc(int y, int m, int d, int hour, int minute, int second, long long *utc_ms);

/* Midnight in Paris that starts the given date, as an instant. */
long long paris_midnight(int y, int m, int d);
/* Midnight in Paris that ends the given date (starts the next day). */
long long paris_end_of_day(int y, int m, int d);

/* Quiet hours from start_hour to end_hour, Paris time (across midnight when start_hour > end_hour;
 * none when they are equal): the instant they end when t falls within them, else 0. */
long long paris_quiet_end(long long t, int start_hour, int end_hour);

/* "YYYY-MM-DDTHH:MM" or "YYYY-MM-DDTHH:MM:SS" (a space instead of T too) read as Paris time, as a
 * browser's datetime-local field gives it. 0 and *utc_ms, or -1. */
int paris_parse_local(const char *s, long long *utc_ms);
/* "YYYY-MM-DD": 0 and the date, or -1 (not a real date). */
int paris_parse_date(const char *s, int *y, int *m, int *d);

#endif
