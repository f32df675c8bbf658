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

struct match_volunteer {
	long long id;
	int status;            /* enum match_status */
	int profession;        /* index of the profession (the model's list), -1 unknown */
	double lat, lng;       /* home commune's centre */
	int has_place;         /* 0: no home commune (never within any radius) */
	int radius_km;         /* the volunteer's own travel radius */
	const char *skills;    /* space-separated words */
	const char *languages; /* space-separated ISO 639-1 codes */
	int unavailable_open;  /* unavailable from unavailable_since on, until they say otherwise */
	long long unavailable_since;
	const struct match_credential *creds;
	size_t ncreds;
	const struct match_window *unavailable;    /* "unavailable from ... until ..." */
	size_t nunavailable;
	const struct match_window *available_only; /* "available only on ...", sorted by start */
	size_t navailable_only;
	const struct match_window *assigned;       /* the shifts of their accepted calls */
	size_t nassigned;
	long long last_called_at; /* 0: never called */
	int deployments;          /* accepted calls, ever */
	int already_called;       /* already called for this very request */
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

struct match_result {
	size_t index;          /* the volunteer's index in the input */
	long long volunteer_id;
	int rule;              /* enum match_rule; RULE_NONE: eligible */
	int rank;              /* 1.. for the eligible, 0 for the excluded */
	int distance_m;        /* -1 when not computed (a rule before the distance excluded) */
	int band;              /* distance band, for the eligible */
	int widened;           /* eligible beyond their own radius, thanks to this wave's widening */
	long long last_called_at; /* the fairness the ranking used (copied from the input) */
	int deployments;
	/* what the rule saw */
	int detail_kind;       /* RULE_CREDENTIAL: the kind; RULE_AVAILABILITY: enum match_unavailable;
				  RULE_SKILLS, RULE_LANGUAGES: the index of the missing word in the request's list */
	long long detail_at;   /* RULE_CREDENTIAL: valid_until (0: none held); RULE_AVAILABILITY,
				  RULE_ASSIGNED, RULE_REST: the start of the window in the way */
	long long detail_end;  /* the end of that window */
	long long detail_ref;  /* RULE_ASSIGNED, RULE_REST: the other request */
};

/* Judges every volunteer: out[0 .. *eligible - 1] are the eligible in rank order, then the excluded
 * in input order (out has n entries). Returns the number of eligible. */
size_t match_rank(const struct match_request *rq, const struct match_volunteer *v, size_t n, long long now,
		  struct match_result *out);

/* Judges one volunteer (RULE_NONE: eligible; rank and band are not set). */
int match_judge(const struct match_request *rq, const struct match_volunteer *v, long long now, struct match_result *r);

/* The rule's stable name ("credential"), for programs and translations. */
const char *match_rule_name(int rule);

/* Whether the space-separated word list has word (length n). */
int match_has_word(const char *list, const char *word, size_t n);

#endif
