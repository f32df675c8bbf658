/* Unit tests of deploy_reply.c and deploy_text.c: what volunteers type, read as the issue lists it,
 * and the texts renfort answers with. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "clock.h"
#include "deploy_reply.h"
#include "deploy_text.h"
#include "gsm.h"

static const struct {
	const char *text;
	enum reply_verb verb;
	const char *code;
	const char *lang;
} cases[] = {
	{"OUI 4821", VERB_ACCEPT, "4821", "fr"},
	{"oui", VERB_ACCEPT, "", "fr"},
	{"Oui !", VERB_ACCEPT, "", "fr"},
	{"  oui   4821  ", VERB_ACCEPT, "4821", "fr"},
	{"ok", VERB_ACCEPT, "", "fr"},
	{"OK 4821 merci", VERB_ACCEPT, "4821", "fr"},
	{"yes 4821", VERB_ACCEPT, "4821", "en"},
	{"Yes!", VERB_ACCEPT, "", "en"},
	{"je viens", VERB_ACCEPT, "", "fr"},
	{"Je viens, 4821", VERB_ACCEPT, "4821", "fr"},
	{"J'arrive", VERB_ACCEPT, "", "fr"},
	{"d'accord 4821", VERB_ACCEPT, "4821", "fr"},
	{"OUÍ", VERB_ACCEPT, "", "fr"},   /* í folds to I: OUI */
	{"NON 4821", VERB_DECLINE, "4821", "fr"},
	{"non merci", VERB_DECLINE, "", "fr"},
	{"Non, désolée", VERB_DECLINE, "", "fr"},
	{"no", VERB_DECLINE, "", "en"},
	{"je ne peux pas 4821", VERB_DECLINE, "4821", "fr"},
	{"ANNULE 4821", VERB_WITHDRAW, "4821", "fr"},
	{"annulé", VERB_WITHDRAW, "", "fr"},
	{"Annuler 4821 svp", VERB_WITHDRAW, "4821", "fr"},
	{"cancel 4821", VERB_WITHDRAW, "4821", "en"},
	{"je ne viens plus", VERB_WITHDRAW, "", "fr"},
	/* a yes undone by a negation is not a yes */
	{"je viens pas", VERB_NONE, "", "fr"},
	{"ok not today", VERB_NONE, "", "fr"},
	{"oui mais plus tard", VERB_NONE, "", "fr"},
	/* not an answer */
	{"4821", VERB_NONE, "", "fr"},
	{"peut-être", VERB_NONE, "", "fr"},
	{"Bonjour, je serai en retard", VERB_NONE, "", "fr"},
	{"nonobstant", VERB_NONE, "", "fr"},
	{"okapi", VERB_NONE, "", "fr"},
	{"", VERB_NONE, "", "fr"},
	/* a code is four digits exactly; the first one counts */
	{"oui 48", VERB_ACCEPT, "", "fr"},
	{"oui 48210", VERB_ACCEPT, "", "fr"},
	{"oui 4821 5930", VERB_ACCEPT, "4821", "fr"},
};

static void test_replies(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct reply_parsed p;
		deploy_reply_parse(cases[i].text, &p);
		if (p.verb != cases[i].verb || strcmp(p.code, cases[i].code) || strcmp(p.lang, cases[i].lang))
			fail_msg("\"%s\": verb %s code \"%s\" lang %s, expected %s \"%s\" %s", cases[i].text,
				 deploy_reply_verb_name(p.verb), p.code, p.lang, deploy_reply_verb_name(cases[i].verb),
				 cases[i].code, cases[i].lang);
	}
}

static void test_long_and_broken_texts(void **state)
{
	(void)state;
	char big[2000];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	memcpy(big, "OUI 4821 ", 9);
	struct reply_parsed p;
	deploy_reply_parse(big, &p);
	assert_int_equal(p.verb, VERB_ACCEPT);
	assert_string_equal(p.code, "4821");
	deploy_reply_parse("\xff\xfeOUI \xc3", &p); /* bytes that are not UTF-8 are dropped */
	assert_int_equal(p.verb, VERB_ACCEPT);
}

static long long iso(const char *s)
{
	long long ms = 0;
	clock_parse_iso(s, &ms);
	return ms;
}

static void test_texts(void **state)
{
	(void)state;
	char out[480];
	struct deploy_text_args a = {
		.structure = "EHPAD Les Tilleuls", .commune = "Albi", .address = "3 rue des Lilas, Albi",
		.contact = "+33639981111", .profession = "nurse", .start = iso("2026-03-30T05:00:00Z"),
		.end = iso("2026-03-30T17:00:00Z"), .nshifts = 1, .code = "4821",
	};
	deploy_text(DTEXT_CALL, &a, "fr", out, sizeof out);
	assert_string_equal(out, "renfort : EHPAD Les Tilleuls (Albi) cherche un(e) infirmier(e) le 30/03 07:00-19:00. "
				 "Répondez OUI 4821 ou NON 4821.");
	deploy_text(DTEXT_CALL, &a, "en", out, sizeof out);
	assert_string_equal(out, "renfort: EHPAD Les Tilleuls (Albi) needs a nurse on 30/03 07:00-19:00. Reply YES 4821 or NO 4821.");
	deploy_text(DTEXT_CONFIRMED, &a, "fr", out, sizeof out);
	assert_string_equal(out, "renfort : c'est confirmé, merci ! EHPAD Les Tilleuls, 3 rue des Lilas, Albi, le 30/03 07:00. "
				 "Contact : +33639981111. Empêchement : ANNULE 4821.");
	/* every text fits in three SMS, with a name of 200 characters */
	char name[201];
	memset(name, 'N', 200);
	name[200] = '\0';
	a.structure = name;
	a.address = name;
	a.choices = "4821 (EHPAD Les Tilleuls 30/03 07:00), 5930 (Centre hospitalier 31/03 07:00)";
	for (int k = 0; k < DTEXT_COUNT; k++) {
		for (int l = 0; l < 2; l++) {
			deploy_text((enum deploy_text_kind)k, &a, l ? "en" : "fr", out, sizeof out);
			struct sms_size z;
			assert_int_equal(sms_size_of(out, &z), 0);
			if (!out[0] || z.segments > 3)
				fail_msg("text %d (%s): %d segments: %s", k, l ? "en" : "fr", z.segments, out);
		}
	}
	/* a shift in winter time */
	char when[16];
	assert_string_equal(deploy_text_when(iso("2026-03-28T20:00:00Z"), when), "28/03 21:00");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replies),
		cmocka_unit_test(test_long_and_broken_texts),
		cmocka_unit_test(test_texts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
