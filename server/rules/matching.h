/* matching: who may be called for a staff request, in which order, and why. A pure function of the
 * request, the volunteers and now: no SQL, no I/O, no allocation. It is a filter then a ranking,
 * kept apart: the filter's rules are tried in one fixed order and the first that fails is the one an
 * excluded volunteer is told about; the eligible are ranked by distance band, then fairness (least
 * recently called, then least deployed), then id, so the order is deterministic.
 *
 * Times are milliseconds since the epoch (UTC); windows are half-open [start, end): a shift that ends
 * at 19:00 and one that starts at 19:00 do not overlap. */
#ifndef RENFORT_MATCHING_H
#define RENFORT_MATCHING_H

#include <stddef.h>

struct match_window {
	long long start, end;
	long long ref; /* what it belongs to: the staff request of an assignment; 0 otherwise */
};

struct match_credential {
	int kind;              /* index of the credential kind (the model's list) */
	long long valid_until; /* the instant it stops being valid; MATCH_FOREVER when it does not expire */
};
#define MATCH_FOREVER 0x7fffffffffffffffLL

enum match_status { MATCH_ACTIVE, MATCH_PENDING, MATCH_SUSPENDED };

/* Laid out for the ranking's pass over every volunteer: the fields of the first rules together, the
 * rest after (120 bytes). */
struct match_volunteer {
	long long id;
	short profession;              /* index of the profession (the model's list), -1 unknown */
	unsigned char status;          /* enum match_status */
	unsigned char already_called;  /* already called for this very request */
	unsigned char has_place;       /* 0: no home commune (never within any radius) */
	unsigned char unavailable_open; /* unavailable from unavailable_since on, until they say otherwise */
	int radius_km;                 /* the volunteer's own travel radius */
	int deployments;               /* accepted calls, ever */
	double lat, lng;               /* home commune's centre */
	long long unavailable_since;
	long long last_called_at;      /* 0: never called */
	const char *skills;            /* space-separated words */
	const char *languages;         /* space-separated ISO 639-1 codes */
	const struct match_credential *creds;
	const struct match_window *unavailable;    /* "unavailable from ... until ..." */
	const struct match_window *available_only; /* "available only on ...", sorted by start */
	const struct match_window *assigned;       /* the shifts of their accepted calls */
	unsigned int ncreds, nunavailable, navailable_only, nassigned;
};

struct match_request {
	unsigned long long professions; /* bit i: profession i is asked for */
	unsigned long long credentials; /* bit i: credential kind i is required */
	const char *skills;             /* space-separated words, all required ("" none) */
	const char *languages;          /* space-separated codes, all required ("" none) */
	const struct match_window *shifts;
	size_t nshifts;
	double lat, lng;                /* the structure's commune */
	long long rest_ms;              /* rest needed between two assignments */
	int extra_radius_km;            /* a later wave's widening beyond each volunteer's radius */
	int band_km;                    /* distances within one band rank as equal (then fairness) */
};

/* The rules, in the order they are tried. */
enum match_rule {
	RULE_NONE,         /* eligible */
	RULE_CALLED,       /* already called for this request */
	RULE_STATUS,       /* not active (pending validation, suspended) */
	RULE_PROFESSION,   /* not one of the professions asked for */
	RULE_CREDENTIAL,   /* a required credential missing, or not valid over the whole window */
	RULE_AVAILABILITY, /* not available over the whole window */
	RULE_ASSIGNED,     /* already assigned to an overlapping shift */
	RULE_REST,         /* too close to another assignment to have rested */
	RULE_DISTANCE,     /* home farther than their travel radius (and this wave's widening) */
	RULE_SKILLS,       /* a required skill missing */
	RULE_LANGUAGES,    /* a required language missing */
	RULE_COUNT
};

/* Why an unavailability excludes. */
enum match_unavailable { UNAVAILABLE_WINDOW, UNAVAILABLE_OPEN, UNAVAILABLE_OUTSIDE_ONLY };

/* One volunteer's place and its explanation (64 bytes: one is written for every volunteer judged). */
struct match_result {
	long long volunteer_id;
	long long last_called_at; /* the fairness the ranking used (copied from the input) */
	/* what the rule saw */
	long long detail_at;   /* RULE_CREDENTIAL: valid_until (0: none held); RULE_AVAILABILITY,
				  RULE_ASSIGNED, RULE_REST: the start of the window in the way */
	long long detail_end;  /* the end of that window */
	long long detail_ref;  /* RULE_ASSIGNED, RULE_REST: the other request */
	unsigned int index;    /* the volunteer's index in the input */
	int rank;              /* 1.. for the eligible, 0 for the excluded */
	int distance_m;        /* -1 when not computed (a rule before the distance excluded) */
	int band;              /* distance band, for the eligible */
	int deployments;
	short detail_kind;     /* RULE_CREDENTIAL: the kind; RULE_AVAILABILITY: enum match_unavailable;
				  RULE_SKILLS, RULE_LANGUAGES: the index of the missing word in the request's list;
				  RULE_STATUS: the status */
	unsigned char rule;    /* enum match_rule; RULE_NONE: eligible */
	unsigned char widened; /* eligible beyond their own radius, thanks to this wave's widening */
};

/* Judges every volunteer: out[0 .. *eligible - 1] are the eligible in rank order, then the excluded
 * in input order (out has n entries, n < 2^32). Returns the number of eligible. Uses 48 KB of stack
 * (the distances to the communes met so far: volunteers share communes). 100,000 volunteers take
 * about 3 ms of CPU (tests/bench/match.sh). */
size_t match_rank(const struct match_request *rq, const struct match_volunteer *v, size_t n, long long now,
		  struct match_result *out);

/* Sorts results in the ranking's order (band, last called, deployments, id), as match_rank sorts the
 * eligible. depth_limit < 0: the usual bound of the quicksort's depth before it turns to a heap sort;
 * 0: a heap sort (for tests). */
void match_sort(struct match_result *r, size_t n, int depth_limit);

/* Judges one volunteer (RULE_NONE: eligible; rank and band are not set). */
int match_judge(const struct match_request *rq, const struct match_volunteer *v, long long now, struct match_result *r);

/* The rule's stable name ("credential"), for programs and translations. */
const char *match_rule_name(int rule);

/* Whether the space-separated word list has word (length n). */
int match_has_word(const char *list, const char *word, size_t n);
/* The next word of a space-separated list at *p (NULL: none): its start, its length in *n, and *p
 * moved past it; NULL at the end. `for (const char *p = list; (w = match_next_word(&p, &n));)` */
const char *match_next_word(const char **p, size_t *n);

#endif
