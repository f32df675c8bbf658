/* deploy_reply: what a volunteer's answer to a deployment call says, as typed in an SMS: "OUI 4821",
 * "oui", "Oui !", "ok", "yes 4821", "je viens", "NON 4821", "non merci", "ANNULE 4821". Case, accents
 * and punctuation do not matter; the verb comes first, the reply code (four digits) anywhere after
 * it. An acceptance that says "pas" or "not" after its verb ("je viens pas") is not understood
 * rather than read as a yes. Pure. */
#ifndef RENFORT_DEPLOY_REPLY_H
#define RENFORT_DEPLOY_REPLY_H

enum reply_verb {
	VERB_NONE,     /* not understood */
	VERB_ACCEPT,   /* OUI, OK, YES, JE VIENS, D'ACCORD */
	VERB_DECLINE,  /* NON, NO, IMPOSSIBLE, PAS DISPONIBLE */
	VERB_WITHDRAW, /* ANNULE, ANNULER, CANCEL, JE NE VIENS PLUS: after having accepted */
};

#define REPLY_CODE_DIGITS 4

struct reply_parsed {
	enum reply_verb verb;
	char code[REPLY_CODE_DIGITS + 1]; /* "" when none was given */
	const char *lang;                 /* "en" for an English verb, else "fr" */
};

void deploy_reply_parse(const char *text, struct reply_parsed *out);
const char *deploy_reply_verb_name(enum reply_verb v); /* "accept", "decline", "withdraw", "unclear" */

#endif
