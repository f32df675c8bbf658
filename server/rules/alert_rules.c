#include "alert_rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const level_names[] = {"none", "warning", "critical", "stockout"};

const char *shortage_level_name(enum shortage_level l)
{
	return l >= LEVEL_NONE && l <= LEVEL_STOCKOUT ? level_names[l] : "none";
}

int shortage_level_parse(const char *name)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(name, level_names[i]) == 0)
			return i;
	return -1;
}

/* The level that the cover alone calls for, without hysteresis. */
static enum shortage_level raw_level(double days, const struct thresholds *t)
{
	if (days < t->critical_days)
		return LEVEL_CRITICAL;
	if (days < t->warning_days)
		return LEVEL_WARNING;
	return LEVEL_NONE;
}

enum shortage_level shortage_next(enum shortage_level current, long long quantity, int cover_known, double days,
				  const struct thresholds *t)
{
	if (quantity <= 0)
		return LEVEL_STOCKOUT;
	if (!cover_known)
		/* no burn rate: nothing new to say, except that stock is back */
		return current == LEVEL_STOCKOUT ? LEVEL_CRITICAL : current;
	enum shortage_level raw = raw_level(days, t);
	if (current == LEVEL_STOCKOUT)
		current = LEVEL_CRITICAL; /* stock is back: calm down from critical, with the margin */
	if (raw >= current)
		return raw;
	/* calming down: each step needs the threshold plus the margin */
	if (days >= t->warning_days + t->margin_days)
		return LEVEL_NONE;
	if (current == LEVEL_CRITICAL && days >= t->critical_days + t->margin_days)
		return LEVEL_WARNING;
	return current;
}

static const char *parse_rule(const char *s, size_t n, struct threshold_rule *r)
{
	char text[160];
	if (n >= sizeof text)
		return "is too long";
	memcpy(text, s, n);
	text[n] = '\0';
	char *slash = strchr(text, '/'), *eq = strchr(text, '=');
	if (!slash || !eq || slash > eq)
		return "must look like category/item=warning,critical (\"*\" for any)";
	*slash = *eq = '\0';
	char *comma = strchr(eq + 1, ',');
	if (!comma)
		return "must give two numbers of days: warning,critical";
	*comma = '\0';
	char *e1, *e2;
	double w = strtod(eq + 1, &e1), c = strtod(comma + 1, &e2);
	if (*e1 || *e2 || e1 == eq + 1 || e2 == comma + 1)
		return "must give two numbers of days: warning,critical";
	if (!(c > 0) || !(w >= c) || w > 365)
		return "needs 0 < critical <= warning <= 365 days";
	size_t cl = strlen(text), il = strlen(slash + 1);
	if (cl >= sizeof r->category || il >= sizeof r->item || !cl || !il)
		return "names a category or an item that is too long or empty";
	memcpy(r->category, text, cl + 1);
	memcpy(r->item, slash + 1, il + 1);
	r->warning_days = w;
	r->critical_days = c;
	return NULL;
}

const char *threshold_rules_parse(const char *text, double margin_days, struct threshold_rules *out, char *err,
				  size_t errlen)
{
	memset(out, 0, sizeof *out);
	out->margin_days = margin_days;
	const char *p = text;
	while (*p) {
		while (*p == ' ' || *p == ';' || *p == '\t')
			p++;
		if (!*p)
			break;
		const char *end = p;
		while (*end && *end != ' ' && *end != ';' && *end != '\t')
			end++;
		if (out->n == THRESHOLD_RULES_MAX) {
			snprintf(err, errlen, "more than %d rules", THRESHOLD_RULES_MAX);
			return "has too many rules";
		}
		const char *rule = parse_rule(p, (size_t)(end - p), &out->rules[out->n]);
		if (rule) {
			snprintf(err, errlen, "\"%.*s\" %s", (int)(end - p), p, rule);
			return rule;
		}
		out->n++;
		p = end;
	}
	return NULL;
}

struct thresholds threshold_rules_lookup(const struct threshold_rules *r, const char *category, const char *item)
{
	/* built-in default when no rule matches at all */
	struct thresholds t = {7.0, 3.0, r->margin_days};
	int best = -1;
	for (size_t i = 0; i < r->n; i++) {
		const struct threshold_rule *x = &r->rules[i];
		int cat_any = strcmp(x->category, "*") == 0, item_any = strcmp(x->item, "*") == 0;
		if ((!cat_any && (!category || strcmp(x->category, category))) || (!item_any && (!item || strcmp(x->item, item))))
			continue;
		int score = (!item_any) * 2 + (!cat_any); /* item beats category */
		if (score >= best) {
			best = score;
			t.warning_days = x->warning_days;
			t.critical_days = x->critical_days;
		}
	}
	return t;
}

/* --- quieter shortage alerts (issue 14) -------------------------------------------------------------- */

#define DAY_MS 86400000.0

/* The level the cover calls for after stepping down from current with the margin (or current). */
static enum shortage_level calmed_level(enum shortage_level current, double days, const struct thresholds *t)
{
	if (days >= t->warning_days + t->margin_days)
		return LEVEL_NONE;
	if (current == LEVEL_CRITICAL && days >= t->critical_days + t->margin_days)
		return LEVEL_WARNING;
	return current;
}

/* When the projected cover falls under `days` of cover: a second after, so that it is under then. */
static long long crossing(long long stockout_at, double days, long long now)
{
	long long at = stockout_at - (long long)(days * DAY_MS) + 1000;
	return at > now ? at : 0;
}

static long long earliest(long long a, long long b)
{
	return !a ? b : !b ? a : a < b ? a : b;
}

void shortage_decide(enum shortage_level current, long long calm_since, const struct shortage_view *v,
		     const struct thresholds *t, long long hold_ms, long long stay_ms, long long now,
		     struct shortage_step *out)
{
	enum shortage_level cap = v->low_confidence ? LEVEL_WARNING : LEVEL_STOCKOUT;
	enum shortage_level raw;
	out->calm_since = 0;
	out->due_at = 0;
	if (v->quantity <= 0)
		raw = LEVEL_STOCKOUT; /* counted, or moved, to nothing: a fact */
	else if (!v->cover_known) {
		/* no rate: nothing new to say, except that stock is back */
		out->level = current == LEVEL_STOCKOUT ? LEVEL_CRITICAL : current;
		return;
	} else if (v->estimate <= 0)
		raw = LEVEL_STOCKOUT < cap ? LEVEL_STOCKOUT : cap;
	else {
		raw = raw_level(v->days, t);
		if (raw > cap)
			raw = cap;
	}
	if (current == LEVEL_STOCKOUT && raw < LEVEL_STOCKOUT)
		current = LEVEL_CRITICAL; /* stock is back (a fact): calm down from critical */
	if (raw >= current)
		out->level = raw;
	else {
		/* the cover once the window has passed: a projection that already says the level will be
		 * needed again within it does not calm the alert */
		double low = v->days_low < v->days ? v->days_low : v->days;
		enum shortage_level target = calmed_level(current, low - (double)stay_ms / DAY_MS, t);
		out->level = current;
		if (target < current) {
			long long since = calm_since && calm_since <= now ? calm_since : now;
			if (now - since >= hold_ms)
				out->level = target;
			else {
				out->calm_since = since;
				out->due_at = since + hold_ms;
			}
		}
	}
	if (!v->by_time || !v->cover_known || v->quantity <= 0)
		return;
	/* the projection runs down by itself: the next threshold it crosses is worth a look then */
	if (out->level == LEVEL_NONE)
		out->due_at = earliest(out->due_at, crossing(v->stockout_at, t->warning_days, now));
	else if (out->level == LEVEL_WARNING && cap > LEVEL_WARNING)
		out->due_at = earliest(out->due_at, crossing(v->stockout_at, t->critical_days, now));
	else if (out->level == LEVEL_CRITICAL && cap > LEVEL_CRITICAL && v->stockout_at > now)
		out->due_at = earliest(out->due_at, v->stockout_at + 1000);
}

int shortage_sms_due(enum shortage_level level, enum shortage_level last, long long last_at, long long cooldown_ms,
		     long long now)
{
	if (level < LEVEL_CRITICAL)
		return 0;
	if (last == LEVEL_NONE || !last_at || now - last_at >= cooldown_ms)
		return 1;
	return level > last;
}

int shortage_reopens(long long resolved_at, long long window_ms, long long now)
{
	return resolved_at > 0 && window_ms > 0 && now - resolved_at <= window_ms;
}
