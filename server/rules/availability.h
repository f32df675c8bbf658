/* availability: a volunteer's availability as windows, what it says about now, and the date an
 * SMS like "INDISPO 3" or "INDISPO 15/04" gives. Pure. */
#ifndef RENFORT_AVAILABILITY_H
#define RENFORT_AVAILABILITY_H

#include "matching.h"

#define AVAILABILITY_DAYS_MAX 365

/* The end of an unavailability said after INDISPO in text (the keyword first): a number of days
 * ("INDISPO 3": today and the next two, to midnight, Paris time), a date ("15/04", "15/04/2027",
 * "2027-04-15": through that day; a day and month already past this year are next year's),
 * DEMAIN / TOMORROW. 1 and *until, 0 when nothing follows the keyword, -1 when what follows is no
 * such thing (or more than a year ahead). */
int availability_until(const char *text, long long now, long long *until);

/* What holds now: "unavailable" when an unavailability covers now, or when the volunteer is
 * available only at other times (windows still to come, none covering now); "on_mission" when an
 * assigned shift covers now; else "available". The windows' end MATCH_FOREVER: no end. */
const char *availability_now(const struct match_window *unavailable, size_t nu, const struct match_window *only,
			     size_t no, const struct match_window *assigned, size_t na, long long now);

#endif
