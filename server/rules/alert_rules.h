/* alert_rules: when a shortage alert opens, escalates, calms down or closes, and which thresholds
 * apply. Pure functions. Levels escalate at once; they calm down only past the threshold plus a
 * margin (hysteresis), so a level bouncing around a threshold does not flap. */
#ifndef RENFORT_ALERT_RULES_H
#define RENFORT_ALERT_RULES_H

#include <stddef.h>

enum shortage_level { LEVEL_NONE = 0, LEVEL_WARNING, LEVEL_CRITICAL, LEVEL_STOCKOUT };

struct thresholds {
	double warning_days;
	double critical_days;
	double margin_days;
};

const char *shortage_level_name(enum shortage_level l); /* "none", "warning", "critical", "stockout" */
int shortage_level_parse(const char *name);             /* -1 when unknown */

/* The level after a report: quantity counted, cover in days when known. */
enum shortage_level shortage_next(enum shortage_level current, long long quantity, int cover_known, double days,
				  const struct thresholds *t);

/* Threshold rules from the configuration: "category/item=warning,critical" separated by spaces,
 * "*" matching anything, e.g. "* / *=7,3 ehpad/ *=10,4 * /respirator=10,5" (without the spaces
 * around the slashes). The most specific rule wins: category and item, then item, then category,
 * then the default. */
#define THRESHOLD_RULES_MAX 64

struct threshold_rule {
	char category[32]; /* "*" for any */
	char item[65];     /* "*" for any */
	double warning_days, critical_days;
};

struct threshold_rules {
	struct threshold_rule rules[THRESHOLD_RULES_MAX];
	size_t n;
	double margin_days;
};

/* Returns NULL, or the rule broken (which names the faulty entry in err). */
const char *threshold_rules_parse(const char *text, double margin_days, struct threshold_rules *out, char *err,
				  size_t errlen);
struct thresholds threshold_rules_lookup(const struct threshold_rules *r, const char *category, const char *item);

/* --- quieter shortage alerts (issue 14) --------------------------------------------------------------
 * The level follows the projection (the stock estimated now and the cover with its trend), not one
 * count: it escalates at once; it goes down only once the projected cover has stayed past the
 * threshold plus the margin for a hold time; a stock-out is a counted zero, or the estimate reaching
 * zero; a cold-start estimate (low confidence) never raises more than a warning by itself. */

struct shortage_view {
	long long quantity;      /* the book quantity (last count and movements since): 0 is a stock-out */
	long long estimate;      /* the stock estimated now: 0 is a stock-out by the projection */
	int cover_known;
	double days;             /* projected cover from now */
	long long stockout_at;   /* when the projection runs out (ms) */
	double days_low;         /* the band's pessimistic end: what calming is judged on (days when no band) */
	int low_confidence;      /* the rate is the cold-start fallback's: at most a warning */
	int by_time;             /* the projection moves with time (trend estimator): say when to look again */
};

struct shortage_step {
	enum shortage_level level;
	long long calm_since;    /* since when the projection has allowed a lower level; 0: it has not */
	long long due_at;        /* when to look again without new data (hold ending, threshold crossed); 0: never */
};

/* The level after view v at now, from `current` (LEVEL_NONE: no alert) and its calm_since. A lower
 * level needs the projected cover past its threshold plus the margin for hold_ms (then the level
 * goes down) and still stay_ms after that (the reopening window: the projection must not already
 * say that the alert will be needed again), judged on the band's pessimistic end (escalating on the
 * central projection, calming only when even the low one allows it). hold_ms and stay_ms 0, and
 * days_low = days: shortage_next's rule. */
void shortage_decide(enum shortage_level current, long long calm_since, const struct shortage_view *v,
		     const struct thresholds *t, long long hold_ms, long long stay_ms, long long now,
		     struct shortage_step *out);

/* Whether an alert at `level` (just escalated to it) sends SMS, the last ones for its holder and item
 * having been for `last` (LEVEL_NONE: none) at last_at: critical and stock-out only, and within the
 * cool-down only for a severity above the last one sent. */
int shortage_sms_due(enum shortage_level level, enum shortage_level last, long long last_at, long long cooldown_ms,
		     long long now);

/* Whether a shortage coming back at now reopens the alert resolved at resolved_at (0: none). */
int shortage_reopens(long long resolved_at, long long window_ms, long long now);

#endif
