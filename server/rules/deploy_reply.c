#include "deploy_reply.h"

#include "geo.h"

#include <string.h>

/* Phrases in normalised form (uppercase ASCII, words separated by one space: geo_name_normalize),
 * longest first where one begins another. */
static const struct {
	const char *phrase;
	enum reply_verb verb;
	const char *lang;
} phrases[] = {
	{"JE NE VIENS PLUS", VERB_WITHDRAW, "fr"},
	{"JE ME DESISTE", VERB_WITHDRAW, "fr"},
	{"DESISTEMENT", VERB_WITHDRAW, "fr"},
	{"ANNULATION", VERB_WITHDRAW, "fr"},
	{"ANNULER", VERB_WITHDRAW, "fr"},
	{"ANNULE", VERB_WITHDRAW, "fr"},
	{"CANCEL", VERB_WITHDRAW, "en"},
	{"WITHDRAW", VERB_WITHDRAW, "en"},
	{"JE NE PEUX PAS", VERB_DECLINE, "fr"},
	{"PAS DISPONIBLE", VERB_DECLINE, "fr"},
	{"PAS POSSIBLE", VERB_DECLINE, "fr"},
	{"IMPOSSIBLE", VERB_DECLINE, "fr"},
	{"NON", VERB_DECLINE, "fr"},
	{"NOPE", VERB_DECLINE, "en"},
	{"NO", VERB_DECLINE, "en"},
	{"JE VIENS", VERB_ACCEPT, "fr"},
	{"J ARRIVE", VERB_ACCEPT, "fr"},
	{"D ACCORD", VERB_ACCEPT, "fr"},
	{"DACCORD", VERB_ACCEPT, "fr"},
	{"OUAIS", VERB_ACCEPT, "fr"},
	{"OUI", VERB_ACCEPT, "fr"},
	{"OKAY", VERB_ACCEPT, "en"},
	{"OK", VERB_ACCEPT, "fr"},
	{"YES", VERB_ACCEPT, "en"},
	{"YEP", VERB_ACCEPT, "en"},
};

/* Words that turn a "yes" into something else: "je viens pas", "ok not today". */
static const char *const negations[] = {"PAS", "NE", "N", "NOT", "CANT", "CANNOT", "JAMAIS", "PLUS"};

/* Whether text (normalised) starts with phrase as whole words; *rest gets what follows. */
static int starts_with(const char *text, const char *phrase, const char **rest)
{
	size_t n = strlen(phrase);
	if (strncmp(text, phrase, n) != 0 || (text[n] && text[n] != ' '))
		return 0;
	*rest = text + n;
	return 1;
}

static int is_negation(const char *w, size_t n)
{
	for (size_t i = 0; i < sizeof negations / sizeof negations[0]; i++)
		if (strlen(negations[i]) == n && strncmp(w, negations[i], n) == 0)
			return 1;
	return 0;
}

void deploy_reply_parse(const char *text, struct reply_parsed *out)
{
	char head[241], norm[256];
	size_t n = strlen(text);
	if (n > 240)
		n = 240;
	memcpy(head, text, n);
	head[n] = '\0';
	geo_name_normalize(head, norm, sizeof norm);
	out->verb = VERB_NONE;
	out->code[0] = '\0';
	out->lang = "fr";
	const char *rest = NULL;
	for (size_t i = 0; i < sizeof phrases / sizeof phrases[0]; i++)
		if (starts_with(norm, phrases[i].phrase, &rest)) {
			out->verb = phrases[i].verb;
			out->lang = phrases[i].lang;
			break;
		}
	if (out->verb == VERB_NONE)
		return;
	/* the words after the verb: a code of exactly four digits, or a negation that undoes a yes */
	for (const char *w = rest; *w;) {
		while (*w == ' ')
			w++;
		const char *end = w;
		while (*end && *end != ' ')
			end++;
		size_t len = (size_t)(end - w);
		int all_digits = len > 0;
		for (size_t k = 0; k < len; k++)
			all_digits &= w[k] >= '0' && w[k] <= '9';
		if (all_digits && len == REPLY_CODE_DIGITS && !out->code[0]) {
			memcpy(out->code, w, REPLY_CODE_DIGITS);
			out->code[REPLY_CODE_DIGITS] = '\0';
		} else if (out->verb == VERB_ACCEPT && is_negation(w, len)) {
			out->verb = VERB_NONE;
			out->code[0] = '\0';
			return;
		}
		w = end;
	}
}

const char *deploy_reply_verb_name(enum reply_verb v)
{
	switch (v) {
	case VERB_ACCEPT:
		return "accept";
	case VERB_DECLINE:
		return "decline";
	case VERB_WITHDRAW:
		return "withdraw";
	default:
		return "unclear";
	}
}
