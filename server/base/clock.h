/* clock: wall time in milliseconds, and an adjustable application clock.
 * Pure logic never calls these: it receives "now" as an argument. */
#ifndef RENFORT_CLOCK_H
#define RENFORT_CLOCK_H

#include <stddef.h>

long long clock_wall_ms(void);
/* Monotonic time in microseconds, for measuring durations. */
long long clock_mono_us(void);

/* ISO 8601 UTC with milliseconds, "2026-11-26T08:45:09.123Z"; out needs 32 bytes. */
const char *clock_format_iso(long long ms, char out[32]);
/* The n ASCII digits at s as a number in *v: 0, or -1 when one is not a digit (no sign, no space). */
int clock_digits(const char *s, int n, int *v);

/* Parses "YYYY-MM-DDTHH:MM:SS[.fff](Z|+HH:MM|-HH:MM)"; returns 0 and sets *ms, or -1. */
int clock_parse_iso(const char *s, long long *ms);

/* Days since 1970-01-01 of a Gregorian date, and back (Howard Hinnant's algorithms: exact for every
 * date, no table; gmtime_r and timegm take glibc's time zone lock). */
long long clock_days_from_civil(int y, int m, int d);
void clock_civil_from_days(long long days, int *y, int *m, int *d);

#endif
