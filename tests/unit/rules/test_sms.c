/* SMS building blocks: GSM/UCS-2 sizing, form bodies, Twilio signatures (the published test
 * vectors), keywords, texts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "gsm.h"
#include "sms_keywords.h"
#include "sms_text.h"
#include "twilio_sig.h"
#include "validate.h"

static void test_gsm_sizes(void **state)
{
	(void)state;
	struct sms_size z;
	assert_int_equal(sms_size_of("Bonjour, présentez-vous à 14 h", &z), 0);
	assert_false(z.ucs2); /* é and à are in the GSM alphabet */
	assert_int_equal(z.segments, 1);
	assert_int_equal(sms_size_of("Arrêt de l'hôpital", &z), 0);
	assert_true(z.ucs2); /* ê and ô are not */
	assert_int_equal(z.units, 18);
	char long_gsm[161];
	memset(long_gsm, 'a', 160);
	long_gsm[160] = '\0';
	assert_int_equal(sms_size_of(long_gsm, &z), 0);
	assert_int_equal((int)z.segments, 1);
	long_gsm[159] = '{'; /* an extension character takes two septets: 161 -> two parts */
	assert_int_equal(sms_size_of(long_gsm, &z), 0);
	assert_int_equal(z.units, 161);
	assert_int_equal(z.segments, 2);
	char ucs[3 * 71 + 1] = "";
	for (int i = 0; i < 71; i++)
		strcat(ucs, "ê");
	assert_int_equal(sms_size_of(ucs, &z), 0);
	assert_true(z.ucs2);
	assert_int_equal(z.segments, 2); /* 71 > 70: parts of 67 */
	assert_int_equal(sms_size_of("\xff", &z), -1);
}

static void test_form(void **state)
{
	(void)state;
	struct form f;
	const char body[] = "From=%2B33639980001&Body=STOP+merci&Empty=&Flag";
	assert_int_equal(form_parse(&f, body, strlen(body)), 0);
	assert_string_equal(form_get(&f, "From"), "+33639980001");
	assert_string_equal(form_get(&f, "Body"), "STOP merci");
	assert_string_equal(form_get(&f, "Empty"), "");
	assert_string_equal(form_get(&f, "Flag"), "");
	assert_null(form_get(&f, "Nope"));
	form_release(&f);
	assert_int_equal(form_parse(&f, "a=%zz", 5), -1);
	form_release(&f);
	/* a NUL, escaped or not, is refused, and a refused form holds nothing more */
	assert_int_equal(form_parse(&f, "a=%00b", 6), -1);
	assert_null(f.storage);
	assert_int_equal(form_parse(&f, "a=b\0c", 5), -1);
	assert_null(f.storage);
	struct buf b;
	buf_init(&b);
	form_escape(&b, "é à+&=/ ~ok");
	assert_string_equal(b.data, "%C3%A9%20%C3%A0%2B%26%3D%2F%20~ok");
	buf_release(&b);
}

/* The test vectors of shared/notes/sms-gateways.md (the published Twilio example). */
static void test_twilio_signature_vectors(void **state)
{
	(void)state;
	const char body[] = "CallSid=CA1234567890ABCDE&Caller=%2B14158675309&Digits=1234&From=%2B14158675309&To=%2B18005551212";
	struct form f;
	assert_int_equal(form_parse(&f, body, strlen(body)), 0);
	char sig[32];
	assert_int_equal(twilio_signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", &f, sig), 0);
	assert_string_equal(sig, "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
	assert_int_equal(twilio_signature("12345", "https://mycompany.com:443/myapp.php?foo=1&bar=2", &f, sig), 0);
	assert_string_equal(sig, "kvajT1Ptam85bY51eRf/AJRuM3w=");
	assert_true(twilio_signature_ok("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", &f,
					"RSOYDt4T1cUTdK1PDd93/VVr8B8="));
	/* forged: another token, another URL, one character off, empty, missing */
	assert_false(twilio_signature_ok("54321", "https://mycompany.com/myapp.php?foo=1&bar=2", &f,
					 "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
	assert_false(twilio_signature_ok("12345", "https://mycompany.com/myapp.php?foo=1&bar=3", &f,
					 "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
	assert_false(twilio_signature_ok("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", &f,
					 "RSOYDt4T1cUTdK1PDd93/VVr8B8-"));
	assert_false(twilio_signature_ok("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", &f, ""));
	assert_false(twilio_signature_ok("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", &f, NULL));
	assert_false(twilio_signature_ok("", "https://mycompany.com/myapp.php?foo=1&bar=2", &f, "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
	form_release(&f);
}

static void test_keywords(void **state)
{
	(void)state;
	const char *lang;
	assert_int_equal(sms_keyword_of("stop", &lang), KW_STOP);
	assert_int_equal(sms_keyword_of("  Arrêt svp", &lang), KW_STOP);
	assert_string_equal(lang, "fr");
	assert_int_equal(sms_keyword_of("HELP me", &lang), KW_HELP);
	assert_string_equal(lang, "en");
	assert_int_equal(sms_keyword_of("aide", &lang), KW_HELP);
	assert_int_equal(sms_keyword_of("Dispo", &lang), KW_AVAILABLE);
	assert_int_equal(sms_keyword_of("INDISPO demain", &lang), KW_UNAVAILABLE);
	assert_int_equal(sms_keyword_of("unavailable", &lang), KW_UNAVAILABLE);
	assert_int_equal(sms_keyword_of("START", &lang), KW_START);
	assert_int_equal(sms_keyword_of("OUI 4821", &lang), KW_NONE);
	assert_int_equal(sms_keyword_of("stopper", &lang), KW_NONE);
	assert_int_equal(sms_keyword_of("", &lang), KW_NONE);
	assert_string_equal(sms_keyword_name(KW_STOP), "stop");
	assert_null(sms_keyword_name(KW_NONE));
}

static void test_texts(void **state)
{
	(void)state;
	assert_non_null(strstr(sms_text_reply(REPLY_STOPPED, "fr"), "START"));
	assert_non_null(strstr(sms_text_reply(REPLY_HELP, "en"), "AVAILABLE"));
	assert_non_null(strstr(sms_text_reply(REPLY_HELP, NULL), "DISPO"));
	char out[480];
	struct alert_text a = {"critical", "EHPAD Les Tilleuls — un nom très long qui ne tiendra pas en entier dans le SMS",
			       "Respirator", "Each", 150, 1, 1.5, 1764146709123LL, "81", 12};
	sms_text_alert(&a, "fr", out, sizeof out);
	assert_non_null(strstr(out, "ALERTE CRITIQUE"));
	assert_non_null(strstr(out, "1,5 j"));
	assert_non_null(strstr(out, "Alerte 12"));
	sms_text_alert(&a, "en", out, sizeof out);
	assert_non_null(strstr(out, "1.5 days"));
	struct sms_size z;
	assert_int_equal(sms_size_of(out, &z), 0);
	assert_true(z.segments <= 3);

	/* an allocation on its way: what, how much, from where, and where to confirm; long names cut */
	struct allocation_text t = {500, "Gloves, examination", "Pair",
				    "Socle régional Occitanie — entrepôt de Toulouse-Blagnac, quai numéro 4 et suivants", 12};
	sms_text_allocation(&t, "fr", out, sizeof out);
	assert_non_null(strstr(out, "500 Pair de Gloves, examination en route depuis Socle régional"));
	assert_non_null(strstr(out, "Allocation 12."));
	assert_null(strstr(out, "suivants"));
	sms_text_allocation(&t, "en", out, sizeof out);
	assert_non_null(strstr(out, "500 Pair of Gloves, examination are on their way"));
	/* the source's accent makes it UCS-2 (70 characters a segment): three at most */
	assert_int_equal(sms_size_of(out, &z), 0);
	assert_true(z.segments <= 3);
}

/* Found by tests/fuzz (fuzz_sms, corpus/sms/finding-size-of-overlong-utf8): sms_size_of() took
 * overlong forms, surrogates and values past U+10FFFF as characters, where utf8_length() (and the
 * header's promise, -1 when not UTF-8) refuses them. */
static void test_size_refuses_what_is_not_utf8(void **state)
{
	(void)state;
	static const char *const not_utf8[] = {"merci \xC1\xA9", "\xE0\x80\xAF", "\xF0\x80\x80\xAF", "\xED\xA0\x80",
					       "\xF4\x90\x80\x80"};
	struct sms_size z;
	for (size_t i = 0; i < sizeof not_utf8 / sizeof not_utf8[0]; i++) {
		assert_true(utf8_length(not_utf8[i]) < 0);
		if (sms_size_of(not_utf8[i], &z) != -1)
			fail_msg("sms_size_of took invalid UTF-8 #%zu", i);
	}
	assert_int_equal(sms_size_of("merci \xC3\xA9 \xF0\x9F\x98\x80", &z), 0);
	assert_int_equal(z.ucs2, 1);
	assert_int_equal(z.units, 10);
}

/* Found by tests/fuzz (fuzz_sms, corpus/sms/finding-alert-cut-inside-a-character): a text that
 * does not fit its buffer was cut by snprintf wherever the byte limit fell, inside a character. */
static void test_alert_shortened_on_a_character(void **state)
{
	(void)state;
	struct alert_text a = {"stockout", "ééééééééééééééééééééééé", "€€€€€€€€€€€€€", "boîte", 1, 0, 0, 0, "81", 7};
	for (size_t len = 1; len <= 120; len++) {
		char out[120];
		sms_text_alert(&a, "fr", out, len);
		assert_true(strlen(out) < len);
		if (utf8_length(out) < 0)
			fail_msg("cut inside a character at %zu bytes: %s", len, out);
	}
}

/* An exercise's texts start with the marker, counted by the size rules like the rest: a text that fits
 * one SMS alone may need two with it. Outside an exercise, the text goes as it is. */
static void test_exercise_mark(void **state)
{
	(void)state;
	static const struct {
		int exercise;
		const char *text;
		size_t outlen;
		int rc;
		const char *want;
	} cases[] = {
		{1, "Alerte critique", 64, 0, "[EXERCICE] Alerte critique"},
		{0, "Alerte critique", 64, 0, "Alerte critique"},
		{1, "", 16, 0, "[EXERCICE] "},
		{1, "abc", 15, 0, "[EXERCICE] abc"}, /* exactly room: 11 + 3 + 1 */
		{1, "abcd", 15, -1, ""},             /* no room: nothing half-marked */
		{0, "abcd", 4, -1, ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[64] = "junk";
		assert_int_equal(sms_text_mark(cases[i].exercise, cases[i].text, out, cases[i].outlen), cases[i].rc);
		assert_string_equal(out, cases[i].want);
	}
	struct sms_size z;
	assert_int_equal(sms_size_of(SMS_EXERCISE_MARK, &z), 0);
	assert_false(z.ucs2);
	assert_int_equal(z.units, 13); /* [ and ] are GSM extension characters: two septets each */
	char text[148], out[200];
	memset(text, 'a', 147);
	text[147] = '\0';
	assert_int_equal(sms_size_of(text, &z), 0);
	assert_int_equal(z.segments, 1);
	assert_int_equal(sms_text_mark(1, text, out, sizeof out), 0);
	assert_int_equal(sms_size_of(out, &z), 0);
	assert_int_equal(z.units, 160);
	assert_int_equal(z.segments, 1);
	char more[149]; /* 147 + 13 = 160 fitted one SMS; one more character does not */
	memset(more, 'a', 148);
	more[148] = '\0';
	assert_int_equal(sms_text_mark(1, more, out, sizeof out), 0);
	assert_int_equal(sms_size_of(out, &z), 0);
	assert_int_equal(z.segments, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gsm_sizes), cmocka_unit_test(test_form), cmocka_unit_test(test_twilio_signature_vectors),
		cmocka_unit_test(test_keywords), cmocka_unit_test(test_texts), cmocka_unit_test(test_alert_shortened_on_a_character),
		cmocka_unit_test(test_size_refuses_what_is_not_utf8), cmocka_unit_test(test_exercise_mark),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
