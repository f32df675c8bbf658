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

#endif
