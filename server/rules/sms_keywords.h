/* sms_keywords: what an incoming SMS asks, from its first word (any case, accents ignored). Pure. */
#ifndef RENFORT_SMS_KEYWORDS_H
#define RENFORT_SMS_KEYWORDS_H

enum sms_keyword {
	KW_NONE,        /* not a keyword: a reply for someone else (deployment calls) */
	KW_STOP,        /* STOP, ARRET, ARRÊT, STOPALL, UNSUBSCRIBE */
	KW_START,       /* START, REPRISE */
	KW_HELP,        /* AIDE, HELP, INFO */
	KW_AVAILABLE,   /* DISPO, DISPONIBLE, AVAILABLE */
	KW_UNAVAILABLE, /* INDISPO, INDISPONIBLE, UNAVAILABLE */
};

/* The keyword of text; *lang gets "fr" or "en" from the word used ("fr" when unknown). */
enum sms_keyword sms_keyword_of(const char *text, const char **lang);
const char *sms_keyword_name(enum sms_keyword k); /* "stop", "start", "help", "available", "unavailable", NULL */

#endif
