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
/* Parses "YYYY-MM-DDTHH:MM:SS[.fff](Z|+HH:MM|-HH:MM)"; returns 0 and sets *ms, or -1. */
int clock_parse_iso(const char *s, long long *ms);

#endif
