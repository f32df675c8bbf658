/* paris_time: calendar days as the cells live them, in Europe/Paris (CET, CEST from the last Sunday
 * of March to the last Sunday of October, changing at 01:00 UTC). A daily report "for the 2nd"
 * covers the 2nd from midnight to midnight in Paris, not in UTC. Pure. */
#ifndef RENFORT_PARIS_TIME_H
#define RENFORT_PARIS_TIME_H

/* "YYYY-MM-DD" (a real date, years 2000 to 2999) into its parts: 0, or -1. */
int paris_date_parse(const char *s, int *y, int *m, int *d);
/* The instant (ms since the epoch) of 00:00 in Paris on that day. */
long long paris_midnight(int y, int m, int d);
/* The Paris date of an instant, as "YYYY-MM-DD" (out: 11 bytes). */
void paris_date_of(long long ms, char out[11]);
/* Paris's offset from UTC at an instant, in ms (3,600,000 or 7,200,000). */
long long paris_offset(long long ms);

#endif
