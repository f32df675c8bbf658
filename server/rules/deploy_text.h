/* deploy_text: the SMS of deployment calls, in the recipient's language (French by default,
 * English), with times in Paris time. Pure: values in, text out; names are shortened so that a call
 * stays within two or three SMS. */
#ifndef RENFORT_DEPLOY_TEXT_H
#define RENFORT_DEPLOY_TEXT_H

#include <stddef.h>

enum deploy_text_kind {
	DTEXT_CALL,       /* the call: who needs whom, when, how to answer */
	DTEXT_CONFIRMED,  /* assigned: where, when, whom to call, how to withdraw */
	DTEXT_FILLED,     /* the request filled: this call, still open, is closed */
	DTEXT_LATE,       /* a yes after the request was filled or closed */
	DTEXT_ALREADY,    /* a yes from someone already assigned */
	DTEXT_DECLINED,   /* a no, noted */
	DTEXT_WITHDRAWN,  /* a withdrawal, noted */
	DTEXT_CANCELLED,  /* the request was cancelled */
	DTEXT_CLOSED,     /* the request reached its deadline unfilled: this call is closed */
	DTEXT_WHICH,      /* several open calls and no code: which one? (list in `choices`) */
	DTEXT_UNCLEAR,    /* not understood: how to answer */
	DTEXT_NO_CALL,    /* a code that names none of their calls, or nothing to withdraw */
	DTEXT_UNFILLED,   /* to a duty officer: a request nobody is left to fill */
	DTEXT_UNAVAILABLE_UNTIL, /* INDISPO with a date: recorded until when */
	DTEXT_CREDENTIAL, /* a credential expires soon: renew it */
	DTEXT_SIGNUP_CODE,    /* the code that confirms a phone at sign-up */
	DTEXT_SIGNUP_WELCOME, /* signed up: the personal link, and validation to come */
	DTEXT_SIGNUP_LINK,    /* a lost link, sent again */
	DTEXT_COUNT
};

struct deploy_text_args {
	const char *structure;   /* the structure's name */
	const char *commune;     /* the commune's name */
	const char *address;     /* where to go ("" : the structure and its commune) */
	const char *contact;     /* a phone at the structure ("" none) */
	const char *profession;  /* the profession's code (nurse...) */
	long long start, end;    /* the first shift */
	int nshifts;
	const char *code;        /* the call's reply code */
	int immediate;           /* urgency immediate */
	const char *choices;     /* DTEXT_WHICH: "4821 (EHPAD Les Tilleuls 02/03), 5930 (...)" */
	long long request_id;    /* DTEXT_UNFILLED */
	int missing, count;      /* DTEXT_UNFILLED */
	const char *dep;         /* DTEXT_UNFILLED */
	long long until;         /* DTEXT_UNAVAILABLE_UNTIL: the end (exclusive, midnight Paris) */
	const char *credential;  /* DTEXT_CREDENTIAL: its kind (diploma...) */
	const char *expires_on;  /* DTEXT_CREDENTIAL: YYYY-MM-DD */
	const char *url;         /* DTEXT_SIGNUP_WELCOME, DTEXT_SIGNUP_LINK: the volunteer's page */
	int minutes;             /* DTEXT_SIGNUP_CODE: how long the code lasts */
};

/* The text of kind k in lang ("fr" default, "en"), at most outlen - 1 bytes. */
void deploy_text(enum deploy_text_kind k, const struct deploy_text_args *a, const char *lang, char *out, size_t outlen);

/* "02/03 07:00" (Paris time) into out (16 bytes). */
const char *deploy_text_when(long long utc_ms, char out[16]);

/* The profession's name in lang ("infirmier(e)", "nurse"). */
const char *deploy_text_profession(const char *code, const char *lang);

#endif
