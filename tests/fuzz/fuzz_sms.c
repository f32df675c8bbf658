/* fuzz_sms: an incoming SMS's text, its keyword, and the texts renfort sends.
 *
 * Input: the text of an SMS (UTF-8, or not). Each input goes through:
 * - sms_keyword_of(). Invariants: the language is "fr" or "en"; a keyword has a name and only a
 *   keyword does; ASCII letters in another case give the same keyword.
 * - sms_size_of() (the GSM 03.38 / UCS-2 encoding). Invariants: it refuses exactly what is not
 *   UTF-8; UCS-2 counts one unit per character and two past U+FFFF; GSM counts one or two
 *   septets per character, and plain ASCII letters, digits and spaces are GSM, one each; the
 *   segments follow from the units (160 or 153 a part, 70 or 67).
 * - sms_text_alert() with the input as the structure's and the item's names, in both languages
 *   and several sizes. Invariants: it fits, and it is still UTF-8 when the names were (shortened
 *   on a character's boundary).
 * - the Kannel webhook with the input as the text of a message from the fixture's volunteer, as
 *   the group commit runs it on a database, rolled back (the keyword's effect and reply).
 *   Invariant: 2xx, or a 4xx naming a code, a field and a rule. */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>

#include "fuzz_app.h"
#include "gsm.h"
#include "sms_keywords.h"
#include "sms_text.h"
#include "validate.h"

static void check_keyword(const char *text)
{
	const char *lang = NULL, *lang2 = NULL;
	enum sms_keyword k = sms_keyword_of(text, &lang);
	FZ_CHECK(lang && (strcmp(lang, "fr") == 0 || strcmp(lang, "en") == 0), "language %s", lang ? lang : "NULL");
	FZ_CHECK((k == KW_NONE) == (sms_keyword_name(k) == NULL), "keyword %d and its name disagree", (int)k);
	char *swapped = strdup(text);
	FZ_CHECK(swapped != NULL, "out of memory");
	for (char *p = swapped; *p; p++)
		if (isascii((unsigned char)*p) && isalpha((unsigned char)*p))
			*p = (char)(islower((unsigned char)*p) ? toupper((unsigned char)*p) : tolower((unsigned char)*p));
	FZ_CHECK(sms_keyword_of(swapped, &lang2) == k, "case changes the keyword of %s", text);
	free(swapped);
}

static void check_size(const char *text)
{
	struct sms_size sz;
	long chars = utf8_length(text);
	int rc = sms_size_of(text, &sz);
	FZ_CHECK((rc == 0) == (chars >= 0), "sms_size_of %d where utf8_length %ld", rc, chars);
	if (rc)
		return;
	size_t astral = 0, plain = 1;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		astral += *p >= 0xf0;
		plain &= isascii(*p) && (isalnum(*p) || *p == ' ');
	}
	size_t one, part;
	if (sz.ucs2) {
		FZ_CHECK(sz.units == (size_t)chars + astral, "UCS-2: %zu units for %ld characters (%zu past U+FFFF)", sz.units,
			 chars, astral);
		one = 70, part = 67;
	} else {
		FZ_CHECK(sz.units >= (size_t)chars && sz.units <= 2 * (size_t)chars, "GSM: %zu septets for %ld characters",
			 sz.units, chars);
		one = 160, part = 153;
	}
	if (plain)
		FZ_CHECK(!sz.ucs2 && sz.units == (size_t)chars, "plain ASCII not sent as GSM, one septet each");
	int segments = sz.units <= one ? 1 : (int)((sz.units + part - 1) / part);
	FZ_CHECK(sz.segments == segments, "%d segments for %zu units (%s)", sz.segments, sz.units, sz.ucs2 ? "UCS-2" : "GSM");
}

static void check_alert(const char *text, const uint8_t *data, size_t size)
{
	static const size_t sizes[] = {1, 16, 70, 161, 480};
	int valid = utf8_length(text) >= 0;
	struct alert_text a;
	memset(&a, 0, sizeof a);
	a.severity = size && data[0] & 1 ? "stockout" : "critical";
	a.holder_name = text;
	/* the second half, from a character's start */
	const char *half = text + strlen(text) / 2;
	while (half > text && (*half & 0xC0) == 0x80)
		half--;
	a.item_name = half;
	a.unit = "boîte";
	a.quantity = size > 1 ? (long long)data[1] * 1000 - 5000 : 0;
	a.cover_known = size > 2 && data[2] & 1;
	a.days_of_cover = size > 3 ? (double)data[3] / 7.0 : 0;
	a.stockout_at = 1764146709123LL;
	a.dep = "81";
	a.alert_id = 42;
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
		for (int l = 0; l < 2; l++) {
			char out[480];
			memset(out, 'x', sizeof out);
			sms_text_alert(&a, l ? "en" : "fr", out, sizes[i]);
			FZ_CHECK(memchr(out, '\0', sizes[i]) != NULL, "the alert overflows %zu bytes", sizes[i]);
			if (valid)
				FZ_CHECK(utf8_length(out) >= 0, "the alert in %zu bytes is cut inside a character: %s", sizes[i], out);
		}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	FZ_CHECK(text != NULL, "out of memory");
	memcpy(text, data, size);
	text[size] = '\0';
	check_keyword(text);
	check_size(text);
	check_alert(text, data, size);
	cJSON *params = cJSON_CreateObject();
	cJSON_AddStringToObject(params, "secret", FZ_KANNEL_SECRET);
	cJSON_AddStringToObject(params, "from", FZ_VOLUNTEER_PHONE);
	cJSON_AddStringToObject(params, "to", "+33639980000");
	cJSON_AddStringToObject(params, "id", "fuzz-1");
	cJSON_AddStringToObject(params, "text", text);
	fz_run_op("sms.kannel_inbound", &fz_admin, params, NULL, NULL, 0, NULL);
	free(text);
	return 0;
}
