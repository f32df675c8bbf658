#include "sms_text.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

void sms_text_shorten(const char *in, char *out, size_t max)
{
	size_t n = strlen(in);
	if (n >= max) {
		n = max - 1;
		while (n > 0 && ((unsigned char)in[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(out, in, n);
	out[n] = '\0';
}

int sms_text_mark(int exercise, const char *text, char *out, size_t outlen)
{
	const char *mark = exercise ? SMS_EXERCISE_MARK : "";
	size_t m = strlen(mark), n = strlen(text);
	if (!outlen)
		return -1;
	if (m + n >= outlen) {
		out[0] = '\0';
		return -1;
	}
	memcpy(out, mark, m);
	memcpy(out + m, text, n + 1);
	return 0;
}

/* snprintf stops where the byte limit falls: a last character cut short is taken off whole. */
static void end_on_character(char *out)
{
	size_t n = strlen(out);
	if (!n)
		return;
	size_t start = n - 1;
	while (start > 0 && ((unsigned char)out[start] & 0xC0) == 0x80)
		start--;
	unsigned char c = (unsigned char)out[start];
	size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
	if (n - start < need)
		out[start] = '\0';
}

void sms_text_alert(const struct alert_text *a, const char *lang, char *out, size_t outlen)
{
	char holder[48], item[40], when[16] = "";
	sms_text_shorten(a->holder_name ? a->holder_name : "", holder, sizeof holder);
	sms_text_shorten(a->item_name ? a->item_name : "", item, sizeof item);
	if (a->cover_known && a->stockout_at > 0) {
		time_t t = (time_t)(a->stockout_at / 1000);
		struct tm tm;
		gmtime_r(&t, &tm);
		snprintf(when, sizeof when, "%02d/%02d", tm.tm_mday % 100, (tm.tm_mon + 1) % 100);
	}
	int en = lang && strcmp(lang, "en") == 0;
	char days[16];
	snprintf(days, sizeof days, "%.1f", a->days_of_cover);
	if (!en) {
		char *dot = strchr(days, '.');
		if (dot)
			*dot = ','; /* 2,5 j */
	}
	int stockout = a->severity && strcmp(a->severity, "stockout") == 0;
	if (en) {
		if (stockout)
			snprintf(out, outlen, "renfort STOCK-OUT %s: %s is out. Alert %lld, dept %s.", holder, item,
				 a->alert_id, a->dep ? a->dep : "");
		else
			snprintf(out, outlen, "renfort CRITICAL %s: %s, %s days left (%lld %s), out by %s. Alert %lld, dept %s.",
				 holder, item, days, a->quantity, a->unit ? a->unit : "", when, a->alert_id,
				 a->dep ? a->dep : "");
	} else {
		if (stockout)
			snprintf(out, outlen, "renfort RUPTURE %s : %s épuisé. Alerte %lld, dép. %s.", holder, item,
				 a->alert_id, a->dep ? a->dep : "");
		else
			snprintf(out, outlen, "renfort ALERTE CRITIQUE %s : %s, %s j de stock (%lld %s), rupture vers le %s. "
					      "Alerte %lld, dép. %s.",
				 holder, item, days, a->quantity, a->unit ? a->unit : "", when, a->alert_id,
				 a->dep ? a->dep : "");
	}
	if (outlen)
		end_on_character(out);
}

void sms_text_allocation(const struct allocation_text *a, const char *lang, char *out, size_t outlen)
{
	char item[40], source[48];
	sms_text_shorten(a->item_name ? a->item_name : "", item, sizeof item);
	sms_text_shorten(a->source_name ? a->source_name : "", source, sizeof source);
	if (lang && strcmp(lang, "en") == 0)
		snprintf(out, outlen, "renfort: %lld %s of %s are on their way from %s. Confirm the receipt on your page. "
				      "Allocation %lld.",
			 a->quantity, a->unit ? a->unit : "", item, source, a->allocation_id);
	else
		snprintf(out, outlen, "renfort : %lld %s de %s en route depuis %s. Confirmez la réception sur votre page. "
				      "Allocation %lld.",
			 a->quantity, a->unit ? a->unit : "", item, source, a->allocation_id);
}

const char *sms_text_reply(enum sms_reply r, const char *lang)
{
	static const char *const fr[] = {
		"renfort : vous ne recevrez plus de SMS. Envoyez START pour reprendre.",
		"renfort : vous recevrez à nouveau nos SMS. STOP pour arrêter.",
		"renfort, réserve sanitaire et médico-sociale. DISPO ou INDISPO : votre disponibilité. "
		"STOP : ne plus recevoir de SMS. Répondez aux appels par OUI ou NON suivi du code.",
		"renfort : disponibilité enregistrée, merci. INDISPO si cela change.",
		"renfort : indisponibilité enregistrée. DISPO quand vous pourrez à nouveau.",
		"renfort : ce numéro n'est pas celui d'un membre de la réserve. Contactez votre coordination.",
	};
	static const char *const en[] = {
		"renfort: you will get no more SMS. Send START to resume.",
		"renfort: you will get our SMS again. STOP to stop.",
		"renfort, health and social care reserve. AVAILABLE or UNAVAILABLE: your availability. "
		"STOP: no more SMS. Answer calls with YES or NO and the code.",
		"renfort: availability recorded, thank you. UNAVAILABLE if that changes.",
		"renfort: unavailability recorded. AVAILABLE when you can again.",
		"renfort: this number is not a reserve member's. Please contact your coordination.",
	};
	if (r < REPLY_STOPPED || r > REPLY_UNKNOWN_NUMBER)
		r = REPLY_HELP;
	return lang && strcmp(lang, "en") == 0 ? en[r] : fr[r];
}

void sms_text_escalation(const struct alert_text *a, long long minutes, int level, const char *lang, char *out,
			 size_t outlen)
{
	char holder[48], item[40];
	sms_text_shorten(a->holder_name ? a->holder_name : "", holder, sizeof holder);
	sms_text_shorten(a->item_name ? a->item_name : "", item, sizeof item);
	const char *dep = a->dep ? a->dep : "";
	if (lang && strcmp(lang, "en") == 0)
		snprintf(out, outlen, "renfort ESCALATION %s: alert %lld (%s, %s, dept %s) not acknowledged for %lld min. "
				      "Please take it on the dashboard.",
			 level >= 2 ? "(region)" : "(dept)", a->alert_id, holder, item, dep, minutes);
	else
		snprintf(out, outlen, "renfort ESCALADE %s : alerte %lld (%s, %s, dép. %s) non acquittée depuis %lld min. "
				      "Merci de la prendre en charge sur le tableau de bord.",
			 level >= 2 ? "(région)" : "(dép.)", a->alert_id, holder, item, dep, minutes);
	end_on_character(out);
}
