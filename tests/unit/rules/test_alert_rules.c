/* Unit tests of alert_rules.c: the level a shortage alert takes after a report, and the thresholds
 * that apply. Proves, case by case from tables: a level escalates at once, one unit of cover under a
 * threshold; it calms down only at the threshold plus the margin (hysteresis), one step or two at a
 * time; a count of zero is a stock-out whatever the rate; a stock-out calms down to critical when
 * stock is back even though the rate is unknown; the threshold rules give the most specific match
 * (category and item, then any category with the item, then the category with any item, then the
 * default), and a malformed rule is refused with the rule it breaks, naming the entry. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "alert_rules.h"

#define NONE LEVEL_NONE
#define WARN LEVEL_WARNING
#define CRIT LEVEL_CRITICAL
#define OUT LEVEL_STOCKOUT
#define UNKNOWN 0 /* cover_known */
#define KNOWN 1

/* --- level names ----------------------------------------------------------------------------------- */

static void test_level_names(void **state)
{
	(void)state;
	static const char *const names[] = {"none", "warning", "critical", "stockout"};
	for (int l = LEVEL_NONE; l <= LEVEL_STOCKOUT; l++) {
		assert_string_equal(shortage_level_name((enum shortage_level)l), names[l]);
		assert_int_equal(shortage_level_parse(names[l]), l);
	}
	assert_string_equal(shortage_level_name((enum shortage_level)7), "none");
	assert_string_equal(shortage_level_name((enum shortage_level)-1), "none");
	static const char *const unknown[] = {"", "Warning", "WARNING", "warn", "stock-out", "critical ", "open"};
	for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
		if (shortage_level_parse(unknown[i]) != -1)
			fail_msg("\"%s\" parsed as a level", unknown[i]);
}

/* --- the next level -------------------------------------------------------------------------------- */

/* warning under 7 days, critical under 3, a margin of half a day: calm down at 7.5 and 3.5 */
static const struct thresholds T = {7.0, 3.0, 0.5};
/* the same without a margin */
static const struct thresholds T0M = {7.0, 3.0, 0.0};
/* warning and critical equal */
static const struct thresholds TEQ = {3.0, 3.0, 0.5};

struct level_case {
	const char *name;
	enum shortage_level current;
	long long quantity;
	int cover_known;
	double days;
	const struct thresholds *t;
	enum shortage_level want;
};

static const struct level_case level_cases[] = {
	/* escalation, from nothing: at once, at the threshold's edge */
	{"plenty: none", NONE, 100, KNOWN, 30, &T, NONE},
	{"exactly at warning: none", NONE, 100, KNOWN, 7.0, &T, NONE},
	{"just above warning: none", NONE, 100, KNOWN, 7.001, &T, NONE},
	{"just below warning: warning", NONE, 100, KNOWN, 6.999, &T, WARN},
	{"exactly at critical: warning", NONE, 100, KNOWN, 3.0, &T, WARN},
	{"just above critical: warning", NONE, 100, KNOWN, 3.001, &T, WARN},
	{"just below critical: critical at once", NONE, 100, KNOWN, 2.999, &T, CRIT},
	{"no cover left but stock counted: critical", NONE, 1, KNOWN, 0, &T, CRIT},
	{"warning and critical equal: critical below", NONE, 100, KNOWN, 2.999, &TEQ, CRIT},
	{"warning and critical equal: none at the threshold", NONE, 100, KNOWN, 3.0, &TEQ, NONE},
	{"warning to critical at once", WARN, 100, KNOWN, 2.999, &T, CRIT},
	{"warning stays at the critical threshold", WARN, 100, KNOWN, 3.0, &T, WARN},
	/* stock-out: a count of zero, whatever the cover */
	{"zero counted: stock-out", NONE, 0, KNOWN, 0, &T, OUT},
	{"zero counted, rate unknown: stock-out", NONE, 0, UNKNOWN, 0, &T, OUT},
	{"zero counted from warning: stock-out", WARN, 0, UNKNOWN, 0, &T, OUT},
	{"zero counted from critical: stock-out", CRIT, 0, KNOWN, 0, &T, OUT},
	{"still zero: stock-out", OUT, 0, UNKNOWN, 0, &T, OUT},
	{"a negative quantity is a stock-out", NONE, -1, KNOWN, 50, &T, OUT},
	{"one unit left, plenty of cover: none", NONE, 1, KNOWN, 30, &T, NONE},
	/* the rate unknown: nothing new to say, except that stock is back */
	{"rate unknown, no alert: none", NONE, 100, UNKNOWN, 0, &T, NONE},
	{"rate unknown, warning: stays", WARN, 100, UNKNOWN, 0, &T, WARN},
	{"rate unknown, critical: stays", CRIT, 100, UNKNOWN, 0, &T, CRIT},
	{"rate unknown, stock back after a stock-out: critical", OUT, 100, UNKNOWN, 0, &T, CRIT},
	{"rate unknown, one unit back after a stock-out: critical", OUT, 1, UNKNOWN, 0, &T, CRIT},
	{"rate unknown, days ignored: stock-out calms to critical only", OUT, 100, UNKNOWN, 1000, &T, CRIT},
	{"rate unknown, days ignored: warning does not calm", WARN, 100, UNKNOWN, 1000, &T, WARN},
	{"rate unknown, days ignored: nothing does not escalate", NONE, 100, UNKNOWN, 0.1, &T, NONE},
	/* calming down from warning: only at warning + margin */
	{"warning, exactly at warning: stays", WARN, 100, KNOWN, 7.0, &T, WARN},
	{"warning, just below warning + margin: stays", WARN, 100, KNOWN, 7.499, &T, WARN},
	{"warning, exactly at warning + margin: none", WARN, 100, KNOWN, 7.5, &T, NONE},
	{"warning, far above: none", WARN, 100, KNOWN, 300, &T, NONE},
	{"warning, no margin, at warning: none", WARN, 100, KNOWN, 7.0, &T0M, NONE},
	{"warning, no margin, just below: stays", WARN, 100, KNOWN, 6.999, &T0M, WARN},
	/* calming down from critical: one step at critical + margin, both at warning + margin */
	{"critical, exactly at critical: stays", CRIT, 100, KNOWN, 3.0, &T, CRIT},
	{"critical, just below critical + margin: stays", CRIT, 100, KNOWN, 3.499, &T, CRIT},
	{"critical, exactly at critical + margin: warning", CRIT, 100, KNOWN, 3.5, &T, WARN},
	{"critical, past warning but below warning + margin: warning", CRIT, 100, KNOWN, 7.2, &T, WARN},
	{"critical, just below warning + margin: warning", CRIT, 100, KNOWN, 7.499, &T, WARN},
	{"critical, exactly at warning + margin: none", CRIT, 100, KNOWN, 7.5, &T, NONE},
	{"critical, no margin, at critical: warning", CRIT, 100, KNOWN, 3.0, &T0M, WARN},
	{"critical, no margin, at warning: none", CRIT, 100, KNOWN, 7.0, &T0M, NONE},
	{"critical, thresholds equal, at the threshold + margin: none", CRIT, 100, KNOWN, 3.5, &TEQ, NONE},
	{"critical, thresholds equal, just below: stays", CRIT, 100, KNOWN, 3.499, &TEQ, CRIT},
	/* stock back after a stock-out, the rate known: calms down from critical, with the margin */
	{"stock-out, stock back, little cover: critical", OUT, 100, KNOWN, 1, &T, CRIT},
	{"stock-out, stock back, at critical: critical", OUT, 100, KNOWN, 3.0, &T, CRIT},
	{"stock-out, stock back, just below critical + margin: critical", OUT, 100, KNOWN, 3.499, &T, CRIT},
	{"stock-out, stock back, at critical + margin: warning", OUT, 100, KNOWN, 3.5, &T, WARN},
	{"stock-out, stock back, at warning: warning", OUT, 100, KNOWN, 7.0, &T, WARN},
	{"stock-out, stock back, at warning + margin: none", OUT, 100, KNOWN, 7.5, &T, NONE},
};

static void test_level_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof level_cases / sizeof level_cases[0]; i++) {
		const struct level_case *c = &level_cases[i];
		enum shortage_level got = shortage_next(c->current, c->quantity, c->cover_known, c->days, c->t);
		if (got != c->want)
			fail_msg("%s: %s, expected %s", c->name, shortage_level_name(got), shortage_level_name(c->want));
	}
}

/* A cover bouncing around a threshold, report after report: one alert that does not flap. */
static void test_bouncing_cover_does_not_flap(void **state)
{
	(void)state;
	static const struct {
		double days;
		enum shortage_level want;
	} seq[] = {
		{8, NONE}, {6.9, WARN}, {7.1, WARN}, {6.8, WARN}, {7.4, WARN}, {2.9, CRIT}, {3.1, CRIT},
		{2.8, CRIT}, {3.4, CRIT}, {3.6, WARN}, {3.2, WARN}, {2.99, CRIT}, {7.6, NONE}, {7.2, NONE}, {6.99, WARN},
	};
	enum shortage_level l = NONE;
	for (size_t i = 0; i < sizeof seq / sizeof seq[0]; i++) {
		l = shortage_next(l, 100, KNOWN, seq[i].days, &T);
		if (l != seq[i].want)
			fail_msg("report %zu (%.2f days): %s, expected %s", i + 1, seq[i].days, shortage_level_name(l),
				 shortage_level_name(seq[i].want));
	}
}

/* --- quieter alerts (issue 14): shortage_decide ----------------------------------------------------- */

#define HOUR 3600000LL
#define DAYMS 86400000LL
#define NOW 1764146709123LL

/* Without a hold, on a count (the estimate is the count), the rule of before, case for case. */
static void test_decide_without_hold_is_the_rule_of_before(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof level_cases / sizeof level_cases[0]; i++) {
		const struct level_case *c = &level_cases[i];
		struct shortage_view v = {c->quantity, c->quantity, c->cover_known, c->days, 0, c->days, 0, 0};
		struct shortage_step s;
		shortage_decide(c->current, 0, &v, c->t, 0, 0, NOW, &s);
		if (s.level != c->want || s.calm_since || s.due_at)
			fail_msg("%s: %s (calm since %lld, due %lld), expected %s", c->name, shortage_level_name(s.level),
				 s.calm_since, s.due_at, shortage_level_name(c->want));
	}
}

struct decide_case {
	const char *name;
	enum shortage_level current;
	long long calm_since;  /* hours before now; -1: not calming */
	long long quantity, estimate;
	int known;
	double days;
	int low, by_time;
	/* expected */
	enum shortage_level want;
	long long want_calm;   /* hours before now; -1: not calming */
	long long want_due;    /* hours after now; -1: no due time */
};

#define NOT_CALM (-1)
#define NO_DUE (-1)
#define LOW 1
#define TIMED 1

/* thresholds T (7, 3, half a day of margin), a hold of 24 hours */
static const struct decide_case decide_cases[] = {
	/* escalation: at once, whatever the hold */
	{"no alert, 6 days: warning at once", NONE, NOT_CALM, 100, 100, KNOWN, 6, 0, 0, WARN, NOT_CALM, NO_DUE},
	{"warning, 2 days: critical at once", WARN, NOT_CALM, 100, 100, KNOWN, 2, 0, 0, CRIT, NOT_CALM, NO_DUE},
	{"escalating ends a calm", WARN, 5, 100, 100, KNOWN, 2, 0, 0, CRIT, NOT_CALM, NO_DUE},
	/* calming down: only after the hold */
	{"warning, 10 days: calm begins, the hold ends in 24 h", WARN, NOT_CALM, 100, 100, KNOWN, 10, 0, 0, WARN, 0, 24},
	{"warning, 10 days, calm for 5 h: stays", WARN, 5, 100, 100, KNOWN, 10, 0, 0, WARN, 5, 19},
	{"warning, 10 days, calm for 24 h: resolved", WARN, 24, 100, 100, KNOWN, 10, 0, 0, NONE, NOT_CALM, NO_DUE},
	{"warning, 10 days, calm for 30 h: resolved", WARN, 30, 100, 100, KNOWN, 10, 0, 0, NONE, NOT_CALM, NO_DUE},
	{"warning, back under warning + margin: the calm ends", WARN, 20, 100, 100, KNOWN, 7.2, 0, 0, WARN, NOT_CALM, NO_DUE},
	{"critical, 5 days, calm for 24 h: warning", CRIT, 24, 100, 100, KNOWN, 5, 0, 0, WARN, NOT_CALM, NO_DUE},
	{"critical, 10 days, calm for 24 h: resolved at once (both steps)", CRIT, 24, 100, 100, KNOWN, 10, 0, 0, NONE,
	 NOT_CALM, NO_DUE},
	{"critical, 3.2 days (under critical + margin): no calm", CRIT, 10, 100, 100, KNOWN, 3.2, 0, 0, CRIT, NOT_CALM,
	 NO_DUE},
	{"a calm dated in the future (clock put back) starts now", WARN, -30, 100, 100, KNOWN, 10, 0, 0, WARN, 0, 24},
	/* stock-outs: a counted zero, or the estimate at zero */
	{"counted zero: stock-out", WARN, NOT_CALM, 0, 0, KNOWN, 0, 0, 0, OUT, NOT_CALM, NO_DUE},
	{"estimated zero: stock-out", CRIT, NOT_CALM, 80, 0, KNOWN, 0, 0, TIMED, OUT, NOT_CALM, NO_DUE},
	{"estimated zero, rate unknown: nothing new", NONE, NOT_CALM, 80, 0, UNKNOWN, 0, 0, TIMED, NONE, NOT_CALM, NO_DUE},
	{"stock back after a stock-out: critical at once (a fact)", OUT, NOT_CALM, 100, 100, KNOWN, 2, 0, 0, CRIT, NOT_CALM,
	 NO_DUE},
	{"stock back, plenty: critical, then the hold", OUT, NOT_CALM, 900, 900, KNOWN, 30, 0, 0, CRIT, 0, 24},
	/* the cold start (low confidence): never above warning by itself */
	{"low confidence, 1 day: warning only", NONE, NOT_CALM, 100, 100, KNOWN, 1, LOW, 0, WARN, NOT_CALM, NO_DUE},
	{"low confidence, estimated zero: warning only", NONE, NOT_CALM, 100, 0, KNOWN, 0, LOW, 0, WARN, NOT_CALM, NO_DUE},
	{"low confidence, counted zero: stock-out (a fact)", NONE, NOT_CALM, 0, 0, KNOWN, 0, LOW, 0, OUT, NOT_CALM, NO_DUE},
	{"low confidence does not calm a critical by itself", CRIT, NOT_CALM, 100, 100, KNOWN, 1, LOW, 0, CRIT, NOT_CALM,
	 NO_DUE},
	/* by time: when the projection crosses the next threshold (a second after) */
	{"none, 10 days: due when 7 are left", NONE, NOT_CALM, 100, 100, KNOWN, 10, 0, TIMED, NONE, NOT_CALM, 72},
	{"warning, 5 days: due when 3 are left", WARN, NOT_CALM, 100, 100, KNOWN, 5, 0, TIMED, WARN, NOT_CALM, 48},
	{"critical, 1 day: due when the estimate reaches zero", CRIT, NOT_CALM, 100, 100, KNOWN, 1, 0, TIMED, CRIT, NOT_CALM,
	 24},
	{"stock-out: nothing by time", OUT, NOT_CALM, 0, 0, KNOWN, 0, 0, TIMED, OUT, NOT_CALM, NO_DUE},
	{"warning, low confidence: no critical to wait for", WARN, NOT_CALM, 100, 100, KNOWN, 2.5, LOW, TIMED, WARN, NOT_CALM,
	 NO_DUE},
	{"calming warning, 10 days: the hold's end comes first", WARN, 5, 100, 100, KNOWN, 10, 0, TIMED, WARN, 5, 19},
	/* the cover falls under warning + margin before the hold ends: seen then (the calm ends, nothing
	 * else changes; a cover that only runs down cannot have held) */
	{"calming warning, 7.6 days: the hold's end, whatever the cover does", WARN, 5, 100, 100, KNOWN, 7.6, 0, TIMED, WARN,
	 5, 19},
};

static void test_decide_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof decide_cases / sizeof decide_cases[0]; i++) {
		const struct decide_case *c = &decide_cases[i];
		long long stockout = NOW + (long long)(c->days * DAYMS);
		struct shortage_view v = {c->quantity, c->estimate, c->known, c->days, stockout, c->days, c->low, c->by_time};
		struct shortage_step s;
		long long calm = c->calm_since == NOT_CALM ? 0 : NOW - c->calm_since * HOUR;
		shortage_decide(c->current, calm, &v, &T, 24 * HOUR, 0, NOW, &s);
		long long want_calm = c->want_calm == NOT_CALM ? 0 : NOW - c->want_calm * HOUR;
		long long want_due = c->want_due == NO_DUE ? 0 : NOW + c->want_due * HOUR;
		/* a crossing by time falls a second after the threshold is reached */
		if (c->by_time && c->want_due != NO_DUE && s.due_at == want_due + 1000)
			want_due += 1000;
		if (s.level != c->want || s.calm_since != want_calm || s.due_at != want_due)
			fail_msg("%s: %s, calm since %lld, due %lld; expected %s, %lld, %lld", c->name,
				 shortage_level_name(s.level), s.calm_since, s.due_at, shortage_level_name(c->want), want_calm,
				 want_due);
	}
}

/* The projection must not already say that the level will be needed again within the reopening
 * window: with 3 days of it, calming needs the cover past threshold + margin 3 days on; and calming
 * is judged on the band's pessimistic end. */
static void test_decide_with_a_window(void **state)
{
	(void)state;
	static const struct {
		enum shortage_level current;
		double days;
		enum shortage_level want;     /* judged on the central projection */
		enum shortage_level want_low; /* the same with the band's low end half a day sooner */
	} cases[] = {
		{WARN, 10.49, WARN, WARN}, {WARN, 10.5, NONE, WARN}, {WARN, 11, NONE, NONE},	{CRIT, 6.49, CRIT, CRIT},
		{CRIT, 6.5, WARN, CRIT},   {CRIT, 10.5, NONE, WARN}, {CRIT, 11, NONE, NONE},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		for (int low = 0; low < 2; low++) {
			double d = cases[i].days;
			struct shortage_view v = {100, 100, KNOWN, d, NOW + (long long)(d * DAYMS), low ? d - 0.5 : d, 0, 1};
			struct shortage_step s;
			/* calm for a day already: the hold is over */
			shortage_decide(cases[i].current, NOW - 24 * HOUR, &v, &T, 24 * HOUR, 72 * HOUR, NOW, &s);
			enum shortage_level want = low ? cases[i].want_low : cases[i].want;
			if (s.level != want)
				fail_msg("case %zu (%s, %.2f days, low end %.2f): %s, expected %s", i,
					 shortage_level_name(cases[i].current), d, v.days_low, shortage_level_name(s.level),
					 shortage_level_name(want));
		}
	}
	/* escalation is on the central projection: a low end under critical is no critical */
	struct shortage_view v = {100, 100, KNOWN, 5, NOW + 5 * DAYMS, 1, 0, 1};
	struct shortage_step s;
	shortage_decide(NONE, 0, &v, &T, 24 * HOUR, 72 * HOUR, NOW, &s);
	assert_int_equal(s.level, WARN);
}

/* A delivery lifts the cover over warning + margin, then it runs down: with a hold of a day the
 * warning stays open and resolves only if the cover held; with none it resolves at the delivery and
 * reopens later (the flapping of before). */
static void test_delivery_does_not_resolve_at_once(void **state)
{
	(void)state;
	static const struct {
		long long at_h;
		double days;
	} seq[] = {{0, 6}, {6, 9}, {12, 8.4}, {18, 8.0}, {24, 7.3}, {30, 6.9}};
	for (int hold = 0; hold < 2; hold++) {
		enum shortage_level l = WARN;
		long long calm = 0;
		int resolved = 0, reopened = 0;
		for (size_t i = 0; i < sizeof seq / sizeof seq[0]; i++) {
			long long now = NOW + seq[i].at_h * HOUR;
			struct shortage_view v = {100,	 100, KNOWN, seq[i].days, now + (long long)(seq[i].days * DAYMS),
						  seq[i].days, 0, 1};
			struct shortage_step s;
			shortage_decide(l, calm, &v, &T, hold ? 24 * HOUR : 0, 0, now, &s);
			resolved += l != NONE && s.level == NONE;
			reopened += l == NONE && s.level != NONE;
			l = s.level;
			calm = s.calm_since;
		}
		if (hold ? resolved || reopened || l != WARN : resolved != 1 || reopened != 1)
			fail_msg("hold %d: resolved %d, reopened %d, ends %s", hold, resolved, reopened, shortage_level_name(l));
	}
}

/* The SMS cool-down: critical and worse only; within it, only above the severity last sent. */
static void test_sms_due(void **state)
{
	(void)state;
	static const struct {
		enum shortage_level level, last;
		long long last_ago_h; /* -1: never */
		int want;
	} cases[] = {
		{WARN, NONE, -1, 0}, {CRIT, NONE, -1, 1}, {OUT, NONE, -1, 1},  {CRIT, CRIT, 2, 0},  {CRIT, CRIT, 23, 0},
		{CRIT, CRIT, 24, 1}, {OUT, CRIT, 2, 1},	  {CRIT, OUT, 2, 0},   {OUT, OUT, 2, 0},    {CRIT, WARN, 2, 1},
		{OUT, OUT, 25, 1},   {WARN, CRIT, 48, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		long long last_at = cases[i].last_ago_h < 0 ? 0 : NOW - cases[i].last_ago_h * HOUR;
		int got = shortage_sms_due(cases[i].level, cases[i].last_ago_h < 0 ? NONE : cases[i].last, last_at, 24 * HOUR,
					   NOW);
		if (got != cases[i].want)
			fail_msg("case %zu (%s after %s %lld h ago): %d", i, shortage_level_name(cases[i].level),
				 shortage_level_name(cases[i].last), cases[i].last_ago_h, got);
	}
	/* no cool-down: every escalation to critical or worse (the rule of before) */
	assert_true(shortage_sms_due(CRIT, CRIT, NOW - HOUR, 0, NOW));
	assert_false(shortage_sms_due(WARN, NONE, 0, 0, NOW));
}

static void test_reopens(void **state)
{
	(void)state;
	assert_true(shortage_reopens(NOW - HOUR, 72 * HOUR, NOW));
	assert_true(shortage_reopens(NOW - 72 * HOUR, 72 * HOUR, NOW));
	assert_false(shortage_reopens(NOW - 72 * HOUR - 1, 72 * HOUR, NOW));
	assert_false(shortage_reopens(0, 72 * HOUR, NOW));
	assert_false(shortage_reopens(NOW - HOUR, 0, NOW)); /* no window: a new alert, as before */
}

/* --- threshold rules: parsing ---------------------------------------------------------------------- */

/* 159 characters: the longest entry parse_rule takes (its buffer is 160) */
#define CAT31 "abcdefghijklmnopqrstuvwxyz01234"
#define CAT32 CAT31 "5"
#define ITEM64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define ITEM65 ITEM64 "x"

/* 64 rules: a to h for both names */
#define RULES_8(c) c "/a=7,3 " c "/b=7,3 " c "/c=7,3 " c "/d=7,3 " c "/e=7,3 " c "/f=7,3 " c "/g=7,3 " c "/h=7,3"
#define RULES_64 RULES_8("a") " " RULES_8("b") " " RULES_8("c") " " RULES_8("d") " " RULES_8("e") " " RULES_8("f") " " \
		 RULES_8("g") " " RULES_8("h")

#define SHAPE "must look like category/item=warning,critical (\"*\" for any)"
#define NUMBERS "must give two numbers of days: warning,critical"
#define RANGE "needs 0 < critical <= warning <= 365 days"
#define NAMES "names a category or an item that is too long or empty"

struct parse_case {
	const char *name;
	const char *text;
	const char *rule; /* NULL: accepted */
	const char *err;  /* the message when refused (NULL: not checked), else the rule count */
	size_t n;
};

static const struct parse_case parse_cases[] = {
	{"empty: no rule", "", NULL, NULL, 0},
	{"only separators: no rule", "  ;\t ; ", NULL, NULL, 0},
	{"one default rule", "*/*=7,3", NULL, NULL, 1},
	{"the configuration's default", "*/*=7,3 ehpad/*=10,4 hospital/*=5,2", NULL, NULL, 3},
	{"spaces, tabs and semicolons separate", "*/*=7,3;ehpad/*=10,4\thospital/*=5,2 ;  */x=1,1", NULL, NULL, 4},
	{"critical equal to warning", "a/b=3,3", NULL, NULL, 1},
	{"365 days, the most", "a/b=365,365", NULL, NULL, 1},
	{"fractions of a day", "a/b=0.5,0.25", NULL, NULL, 1},
	{"a 31-byte category and a 64-byte item", CAT31 "/" ITEM64 "=7,3", NULL, NULL, 1},
	{"64 rules, the most", RULES_64, NULL, NULL, 64},
	{"65 rules: too many", RULES_64 " z/z=7,3", "has too many rules", "more than 64 rules", 0},
	/* the shape */
	{"no slash, no equals", "ehpad", SHAPE, "\"ehpad\" " SHAPE, 0},
	{"no slash", "ehpad=7,3", SHAPE, "\"ehpad=7,3\" " SHAPE, 0},
	{"no equals", "ehpad/*", SHAPE, "\"ehpad/*\" " SHAPE, 0},
	{"the slash after the equals", "ehpad=7,3/x", SHAPE, "\"ehpad=7,3/x\" " SHAPE, 0},
	{"a bad entry after a good one is named", "*/*=7,3 oops */x=1,1", SHAPE, "\"oops\" " SHAPE, 0},
	/* the numbers */
	{"one number", "a/b=7", NUMBERS, "\"a/b=7\" " NUMBERS, 0},
	{"no warning", "a/b=,3", NUMBERS, "\"a/b=,3\" " NUMBERS, 0},
	{"no critical", "a/b=7,", NUMBERS, "\"a/b=7,\" " NUMBERS, 0},
	{"nothing after the equals", "a/b=", NUMBERS, "\"a/b=\" " NUMBERS, 0},
	{"a word for a number", "a/b=seven,3", NUMBERS, NULL, 0},
	{"trailing text", "a/b=7,3d", NUMBERS, NULL, 0},
	{"three numbers", "a/b=7,3,1", NUMBERS, NULL, 0},
	{"a second equals", "a/b=7,3=1", NUMBERS, NULL, 0},
	{"a space splits the entry", "a/b= 7,3", NUMBERS, "\"a/b=\" " NUMBERS, 0},
	/* the range */
	{"critical above warning", "a/b=3,7", RANGE, "\"a/b=3,7\" " RANGE, 0},
	{"critical of zero", "a/b=7,0", RANGE, NULL, 0},
	{"negative critical", "a/b=7,-1", RANGE, NULL, 0},
	{"warning past a year", "a/b=366,3", RANGE, NULL, 0},
	{"warning just past a year", "a/b=365.01,3", RANGE, NULL, 0},
	{"not a number (warning)", "a/b=nan,3", RANGE, NULL, 0},
	{"not a number (critical)", "a/b=7,nan", RANGE, NULL, 0},
	{"infinite warning", "a/b=inf,3", RANGE, NULL, 0},
	/* the names */
	{"empty category", "/b=7,3", NAMES, "\"/b=7,3\" " NAMES, 0},
	{"empty item", "a/=7,3", NAMES, NULL, 0},
	{"a 32-byte category", CAT32 "/b=7,3", NAMES, NULL, 0},
	{"a 65-byte item", "a/" ITEM65 "=7,3", NAMES, NULL, 0},
	/* the entry's length */
	{"an entry of 160 bytes", "a/" ITEM64 ITEM64 "xxxxxxxxxxxxxxxxxxxxxxxxxx=7,3", "is too long", NULL, 0},
	{"an entry of 159 bytes reaches the name check", "a/" ITEM64 ITEM64 "xxxxxxxxxxxxxxxxxxxxxxxxx=7,3", NAMES, NULL, 0},
};

static void test_parse_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++) {
		const struct parse_case *c = &parse_cases[i];
		struct threshold_rules r;
		char err[512] = "";
		const char *rule = threshold_rules_parse(c->text, 0.5, &r, err, sizeof err);
		if (!c->rule) {
			if (rule)
				fail_msg("%s: refused (%s)", c->name, err);
			if (r.n != c->n || r.margin_days != 0.5)
				fail_msg("%s: %zu rules and a margin of %g, expected %zu and 0.5", c->name, r.n, r.margin_days, c->n);
			continue;
		}
		if (!rule || strcmp(rule, c->rule) != 0)
			fail_msg("%s: rule \"%s\", expected \"%s\"", c->name, rule ? rule : "(accepted)", c->rule);
		if (c->err && strcmp(err, c->err) != 0)
			fail_msg("%s: message '%s', expected '%s'", c->name, err, c->err);
		/* the entry is named in the message, whatever the rule */
		if (!c->err && err[0] != '"')
			fail_msg("%s: message '%s' does not name the entry", c->name, err);
	}
}

/* What a rule holds once parsed. */
static void test_parse_fields(void **state)
{
	(void)state;
	struct threshold_rules r;
	char err[256];
	assert_null(threshold_rules_parse("ehpad/respirator=10.5,4.25 " CAT31 "/" ITEM64 "=365,1", 1.0, &r, err, sizeof err));
	assert_int_equal(r.n, 2);
	assert_string_equal(r.rules[0].category, "ehpad");
	assert_string_equal(r.rules[0].item, "respirator");
	assert_true(r.rules[0].warning_days == 10.5 && r.rules[0].critical_days == 4.25);
	assert_string_equal(r.rules[1].category, CAT31);
	assert_string_equal(r.rules[1].item, ITEM64);
	assert_true(r.rules[1].warning_days == 365 && r.rules[1].critical_days == 1);
	assert_true(r.margin_days == 1.0);
}

/* --- threshold rules: the most specific wins ------------------------------------------------------- */

struct lookup_case {
	const char *name;
	const char *category, *item;
	double warning, critical;
};

/* the same five rules, given in two orders: the choice must not depend on it */
static const char *const rule_orders[] = {
	"*/*=7,3 ehpad/*=10,4 */respirator=9,5 ehpad/respirator=12,6 hospital/*=5,2",
	"ehpad/respirator=12,6 hospital/*=5,2 */respirator=9,5 ehpad/*=10,4 */*=7,3",
};

static const struct lookup_case lookup_cases[] = {
	{"category and item", "ehpad", "respirator", 12, 6},
	{"category only", "ehpad", "mask", 10, 4},
	{"item beats category", "hospital", "respirator", 9, 5},
	{"item, unknown category", "pharmacy", "respirator", 9, 5},
	{"category, other item", "hospital", "mask", 5, 2},
	{"neither: the default rule", "pharmacy", "mask", 7, 3},
	{"no category (a stockpile): item rule", NULL, "respirator", 9, 5},
	{"no category, other item: the default rule", NULL, "mask", 7, 3},
	{"no category, no item: the default rule", NULL, NULL, 7, 3},
	{"names match whole, not as prefixes", "ehpadx", "respirators", 7, 3},
	{"a category named like an item does not match it", "respirator", "ehpad", 7, 3},
};

static void expect_lookup(const struct threshold_rules *r, const struct lookup_case *c, const char *rules)
{
	struct thresholds t = threshold_rules_lookup(r, c->category, c->item);
	if (t.warning_days != c->warning || t.critical_days != c->critical || t.margin_days != r->margin_days)
		fail_msg("%s with \"%s\": %g,%g (margin %g), expected %g,%g (margin %g)", c->name, rules, t.warning_days,
			 t.critical_days, t.margin_days, c->warning, c->critical, r->margin_days);
}

static void test_lookup_cases(void **state)
{
	(void)state;
	for (size_t o = 0; o < sizeof rule_orders / sizeof rule_orders[0]; o++) {
		struct threshold_rules r;
		char err[256];
		assert_null(threshold_rules_parse(rule_orders[o], 0.75, &r, err, sizeof err));
		for (size_t i = 0; i < sizeof lookup_cases / sizeof lookup_cases[0]; i++)
			expect_lookup(&r, &lookup_cases[i], rule_orders[o]);
	}
}

/* Without a default rule ("*" for both), the built-in 7,3; with rules of the same specificity, the later
 * one. */
static void test_lookup_defaults_and_repeats(void **state)
{
	(void)state;
	static const struct {
		const char *rules;
		struct lookup_case c;
	} cases[] = {
		{"", {"no rule at all: built-in 7,3", "ehpad", "mask", 7, 3}},
		{"hospital/*=5,2", {"no rule matches: built-in 7,3", "ehpad", "mask", 7, 3}},
		{"*/*=20,10", {"a */* rule replaces the built-in default", "ehpad", "mask", 20, 10}},
		{"ehpad/*=10,4 ehpad/*=11,5", {"same rule twice: the later", "ehpad", "mask", 11, 5}},
		{"*/mask=10,4 */mask=11,5", {"same item rule twice: the later", "ehpad", "mask", 11, 5}},
		{"*/*=10,4 */*=11,5", {"two defaults: the later", "ehpad", "mask", 11, 5}},
		{"ehpad/mask=12,6 */*=11,5", {"a later, less specific rule does not win", "ehpad", "mask", 12, 6}},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct threshold_rules r;
		char err[256];
		assert_null(threshold_rules_parse(cases[i].rules, 0, &r, err, sizeof err));
		expect_lookup(&r, &cases[i].c, cases[i].rules);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_level_names),
		cmocka_unit_test(test_level_cases),
		cmocka_unit_test(test_bouncing_cover_does_not_flap),
		cmocka_unit_test(test_decide_without_hold_is_the_rule_of_before),
		cmocka_unit_test(test_decide_cases),
		cmocka_unit_test(test_decide_with_a_window),
		cmocka_unit_test(test_delivery_does_not_resolve_at_once),
		cmocka_unit_test(test_sms_due),
		cmocka_unit_test(test_reopens),
		cmocka_unit_test(test_parse_cases),
		cmocka_unit_test(test_parse_fields),
		cmocka_unit_test(test_lookup_cases),
		cmocka_unit_test(test_lookup_defaults_and_repeats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
