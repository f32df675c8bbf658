/* sms_text: the texts renfort sends, per message kind and in the recipient's language (French by
 * default, English). Pure: values in, text out. No personal data goes into a text that is not
 * meant for its recipient. */
#ifndef RENFORT_SMS_TEXT_H
#define RENFORT_SMS_TEXT_H

#include <stddef.h>

struct alert_text {
	const char *severity;    /* critical, stockout */
	const char *holder_name;
	const char *item_name;
	const char *unit;
	long long quantity;
	int cover_known;
	double days_of_cover;
	long long stockout_at;   /* ms */
	const char *dep;
	long long alert_id;
};

/* What starts every SMS text of a server running an exercise, so that no recipient takes an exercise's
 * message for a real one. "[" and "]" are GSM extension characters: 13 septets, counted by the size
 * rules (gsm.h) like the rest of the text. */
#define SMS_EXERCISE_MARK "[EXERCICE] "

/* text as it is sent: with the exercise marker first when exercise, as it is otherwise. -1 (out
 * empty) when it does not fit in outlen bytes: strlen(text) + sizeof SMS_EXERCISE_MARK always does. */
int sms_text_mark(int exercise, const char *text, char *out, size_t outlen);

/* Cuts a UTF-8 string to at most max - 1 bytes without splitting a character (a name in a text). */
void sms_text_shorten(const char *in, char *out, size_t max);

/* A critical shortage alert, at most out_len - 1 bytes (names are shortened to fit). */
void sms_text_alert(const struct alert_text *a, const char *lang, char *out, size_t outlen);

/* A critical alert nobody acknowledged for `minutes`, sent to the next level of duty officers. */
void sms_text_escalation(const struct alert_text *a, long long minutes, int level, const char *lang, char *out,
			 size_t outlen);
struct allocation_text {
	long long quantity;
	const char *item_name;
	const char *unit;
	const char *source_name; /* the depot or structure it comes from */
	long long allocation_id;
};

/* An allocation on its way to the structure whose contacts get it: what, how much, from where, and
 * that the receipt is confirmed on the structure's page. */
void sms_text_allocation(const struct allocation_text *a, const char *lang, char *out, size_t outlen);

/* Short answers to keywords, in lang ("fr" default, "en"). */
enum sms_reply { REPLY_STOPPED, REPLY_STARTED, REPLY_HELP, REPLY_AVAILABLE, REPLY_UNAVAILABLE, REPLY_UNKNOWN_NUMBER };
const char *sms_text_reply(enum sms_reply r, const char *lang);

#endif
