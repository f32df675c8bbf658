#include "sms_keywords.h"

#include "geo.h"

#include <string.h>

static const struct {
	const char *word;
	enum sms_keyword kw;
	const char *lang;
} words[] = {
	{"STOP", KW_STOP, "fr"},	   {"ARRET", KW_STOP, "fr"},	       {"STOPALL", KW_STOP, "en"},
	{"UNSUBSCRIBE", KW_STOP, "en"},	   {"START", KW_START, "fr"},	       {"REPRISE", KW_START, "fr"},
	{"AIDE", KW_HELP, "fr"},	   {"HELP", KW_HELP, "en"},	       {"INFO", KW_HELP, "fr"},
	{"DISPO", KW_AVAILABLE, "fr"},	   {"DISPONIBLE", KW_AVAILABLE, "fr"}, {"AVAILABLE", KW_AVAILABLE, "en"},
	{"INDISPO", KW_UNAVAILABLE, "fr"}, {"INDISPONIBLE", KW_UNAVAILABLE, "fr"},
	{"UNAVAILABLE", KW_UNAVAILABLE, "en"},
};

enum sms_keyword sms_keyword_of(const char *text, const char **lang)
{
	char norm[64];
	*lang = "fr";
	/* the first 60 bytes are enough for a first word; normalising folds case and accents */
	char head[61];
	size_t n = strlen(text);
	if (n > 60)
		n = 60;
	memcpy(head, text, n);
	head[n] = '\0';
	geo_name_normalize(head, norm, sizeof norm);
	char *space = strchr(norm, ' ');
	if (space)
		*space = '\0';
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strcmp(norm, words[i].word) == 0) {
			*lang = words[i].lang;
			return words[i].kw;
		}
	return KW_NONE;
}

const char *sms_keyword_name(enum sms_keyword k)
{
	static const char *const names[] = {NULL, "stop", "start", "help", "available", "unavailable"};
	return k >= KW_NONE && k <= KW_UNAVAILABLE ? names[k] : NULL;
}
