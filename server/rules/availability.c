#include "availability.h"

#include "clock.h"
#include "geo.h"
#include "paris_time.h"

#include <stdlib.h>
#include <string.h>

/* Words allowed between the keyword and the date: "INDISPO jusqu'au 15/04", "INDISPO 3 jours". */
static const char *const fillers[] = {"JUSQU", "AU", "LE", "POUR", "PENDANT", "J", "JOUR", "JOURS",
				      "UNTIL", "FOR", "DAY", "DAYS", "ON", "INCLUS"};

static int is_filler(const char *w, size_t n)
{
	for (size_t i = 0; i < sizeof fillers / sizeof fillers[0]; i++)
		if (strlen(fillers[i]) == n && strncmp(fillers[i], w, n) == 0)
			return 1;
	return 0;
}

int availability_until(const char *text, long long now, long long *until)
{
	char head[121], norm[128];
	size_t len = strlen(text);
	if (len > 120)
		len = 120;
	memcpy(head, text, len);
	head[len] = '\0';
	geo_name_normalize(head, norm, sizeof norm); /* "15/04" becomes "15 04" */
	char *p = strchr(norm, ' ');
	if (!p)
		return 0; /* the keyword alone */
	long nums[3];
	size_t lens[3];
	int nn = 0, tomorrow = 0, other = 0;
	while (*p) {
		while (*p == ' ')
			p++;
		char *end = p;
		while (*end && *end != ' ')
			end++;
		size_t n = (size_t)(end - p);
		if (n && p[0] >= '0' && p[0] <= '9') {
			char *stop;
			long v = strtol(p, &stop, 10);
			if (stop != end || nn == 3 || n > 4)
				return -1;
			nums[nn] = v;
			lens[nn++] = n;
		} else if (n && ((n == 6 && strncmp(p, "DEMAIN", 6) == 0) || (n == 8 && strncmp(p, "TOMORROW", 8) == 0)))
			tomorrow = 1;
		else if (n && !is_filler(p, n))
			other = 1;
		p = end;
	}
	if (other || (tomorrow && nn))
		return -1;
	if (!nn && !tomorrow)
		return 0;
	struct paris_tm t;
	paris_fields(now, &t);
	long long today = clock_days_from_civil(t.year, t.month, t.day), day;
	if (tomorrow || nn == 1) {
		long days = tomorrow ? 2 : nums[0];
		if (days < 1 || days > AVAILABILITY_DAYS_MAX)
			return -1;
		day = today + days - 1;
	} else {
		int y, m, d;
		if (nn == 3 && lens[0] == 4) {
			y = (int)nums[0], m = (int)nums[1], d = (int)nums[2];
		} else {
			d = (int)nums[0], m = (int)nums[1];
			y = nn == 3 ? (int)(lens[2] == 2 ? 2000 + nums[2] : nums[2]) : t.year;
		}
		long long probe;
		if (paris_to_utc(y, m, d, 12, 0, 0, &probe))
			return -1;
		day = clock_days_from_civil(y, m, d);
		if (nn == 2 && day < today)
			day = clock_days_from_civil(y + 1, m, d); /* "15/04" in May: next April */
		if (day < today || day > today + AVAILABILITY_DAYS_MAX)
			return -1;
	}
	int y, m, d;
	clock_civil_from_days(day, &y, &m, &d);
	*until = paris_end_of_day(y, m, d);
	return 1;
}

static int covers(const struct match_window *w, size_t n, long long now)
{
	for (size_t i = 0; i < n; i++)
		if (w[i].start <= now && now < w[i].end)
			return 1;
	return 0;
}

const char *availability_now(const struct match_window *unavailable, size_t nu, const struct match_window *only,
			     size_t no, const struct match_window *assigned, size_t na, long long now)
{
	if (covers(unavailable, nu, now))
		return "unavailable";
	if (covers(assigned, na, now))
		return "on_mission";
	int coming = 0;
	for (size_t i = 0; i < no; i++)
		coming |= only[i].end > now;
	if (coming && !covers(only, no, now))
		return "unavailable";
	return "available";
}
