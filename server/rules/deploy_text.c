#include "deploy_text.h"

#include "paris_time.h"
#include "sms_text.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *code, *fr, *en;
} professions[] = {
	{"nurse", "infirmier(e)", "nurse"},
	{"care_assistant", "aide-soignant(e)", "care assistant"},
	{"doctor", "médecin", "doctor"},
	{"midwife", "sage-femme", "midwife"},
	{"pharmacist", "pharmacien(ne)", "pharmacist"},
	{"physiotherapist", "kinésithérapeute", "physiotherapist"},
	{"psychologist", "psychologue", "psychologist"},
	{"social_worker", "travailleur social", "social worker"},
	{"educator", "éducateur(trice)", "educator"},
	{"logistician", "logisticien(ne)", "logistician"},
	{"driver", "chauffeur", "driver"},
	{"administrative", "agent administratif", "administrative staff"},
};

const char *deploy_text_profession(const char *code, const char *lang)
{
	int en = lang && strcmp(lang, "en") == 0;
	for (size_t i = 0; code && i < sizeof professions / sizeof professions[0]; i++)
		if (strcmp(professions[i].code, code) == 0)
			return en ? professions[i].en : professions[i].fr;
	return en ? "support" : "renfort";
}

static const struct {
	const char *code, *fr, *en;
} credentials[] = {
	{"diploma", "diplôme", "diploma"},
	{"rpps", "inscription RPPS", "RPPS registration"},
	{"adeli", "numéro ADELI", "ADELI number"},
	{"driving_licence", "permis de conduire", "driving licence"},
	{"first_aid", "attestation de premiers secours", "first aid certificate"},
	{"vaccination", "certificat de vaccination", "vaccination certificate"},
};

static const char *credential_name(const char *code, int en)
{
	for (size_t i = 0; code && i < sizeof credentials / sizeof credentials[0]; i++)
		if (strcmp(credentials[i].code, code) == 0)
			return en ? credentials[i].en : credentials[i].fr;
	return en ? "credential" : "justificatif";
}

const char *deploy_text_when(long long utc_ms, char out[16])
{
	struct paris_tm t;
	paris_fields(utc_ms, &t);
	snprintf(out, 16, "%02d/%02d %02d:%02d", t.day % 100, t.month % 100, t.hour % 100, t.minute % 100);
	return out;
}

static const char *clock_of(long long utc_ms, char out[8])
{
	struct paris_tm t;
	paris_fields(utc_ms, &t);
	snprintf(out, 8, "%02d:%02d", t.hour % 100, t.minute % 100);
	return out;
}

void deploy_text(enum deploy_text_kind k, const struct deploy_text_args *a, const char *lang, char *out, size_t outlen)
{
	int en = lang && strcmp(lang, "en") == 0;
	char who[44], commune[32], where[48], when[16], until[8], more[24] = "";
	sms_text_shorten(a->structure ? a->structure : "", who, sizeof who);
	sms_text_shorten(a->commune ? a->commune : "", commune, sizeof commune);
	sms_text_shorten(a->address && a->address[0] ? a->address : commune, where, sizeof where);
	deploy_text_when(a->start, when);
	clock_of(a->end, until);
	if (a->nshifts > 1)
		snprintf(more, sizeof more, en ? " (+%d more)" : " (+%d autres)", a->nshifts - 1);
	const char *code = a->code ? a->code : "";
	const char *prof = deploy_text_profession(a->profession, lang);
	char contact[48] = "";
	if (a->contact && a->contact[0])
		snprintf(contact, sizeof contact, en ? " Contact: %.24s." : " Contact : %.24s.", a->contact);
	switch (k) {
	case DTEXT_CALL:
		if (en)
			snprintf(out, outlen, "renfort%s: %s (%s) needs a %s on %s-%s%s. Reply YES %s or NO %s.",
				 a->immediate ? " URGENT" : "", who, commune, prof, when, until, more, code, code);
		else
			snprintf(out, outlen, "renfort%s : %s (%s) cherche un(e) %s le %s-%s%s. Répondez OUI %s ou NON %s.",
				 a->immediate ? " URGENT" : "", who, commune, prof, when, until, more, code, code);
		break;
	case DTEXT_CONFIRMED:
		if (en)
			snprintf(out, outlen, "renfort: confirmed, thank you! %s, %s, on %s%s.%s Cannot come: CANCEL %s.", who,
				 where, when, more, contact, code);
		else
			snprintf(out, outlen, "renfort : c'est confirmé, merci ! %s, %s, le %s%s.%s Empêchement : ANNULE %s.",
				 who, where, when, more, contact, code);
		break;
	case DTEXT_FILLED:
		snprintf(out, outlen,
			 en ? "renfort: the request of %s (%s) is filled. Thank you, this call is closed."
			    : "renfort : la demande de %s (%s) est pourvue. Merci, cet appel est clos.",
			 who, code);
		break;
	case DTEXT_LATE:
		snprintf(out, outlen,
			 en ? "renfort: thank you! The request of %s (%s) is already filled. We will call on you again."
			    : "renfort : merci ! La demande de %s (%s) est déjà pourvue. Nous ferons appel à vous une autre fois.",
			 who, code);
		break;
	case DTEXT_ALREADY:
		snprintf(out, outlen,
			 en ? "renfort: you are already confirmed for %s (%s), on %s."
			    : "renfort : vous êtes déjà confirmé(e) pour %s (%s), le %s.",
			 who, code, when);
		break;
	case DTEXT_DECLINED:
		snprintf(out, outlen, en ? "renfort: noted (%s), thank you." : "renfort : c'est noté (%s), merci.", code);
		break;
	case DTEXT_WITHDRAWN:
		snprintf(out, outlen,
			 en ? "renfort: your withdrawal is noted (%s). Thank you for telling us."
			    : "renfort : votre désistement est noté (%s). Merci de nous avoir prévenus.",
			 code);
		break;
	case DTEXT_CANCELLED:
		snprintf(out, outlen,
			 en ? "renfort: the request of %s (%s) is cancelled. Thank you for being there."
			    : "renfort : la demande de %s (%s) est annulée. Merci de votre disponibilité.",
			 who, code);
		break;
	case DTEXT_CLOSED:
		snprintf(out, outlen,
			 en ? "renfort: the request of %s (%s) is closed. Thank you."
			    : "renfort : la demande de %s (%s) est close. Merci.",
			 who, code);
		break;
	case DTEXT_WHICH:
		snprintf(out, outlen,
			 en ? "renfort: you have several calls: %s. Reply YES or NO followed by the code."
			    : "renfort : vous avez plusieurs appels en cours : %s. Répondez OUI ou NON suivi du code.",
			 a->choices ? a->choices : "");
		break;
	case DTEXT_UNCLEAR:
		if (code[0])
			snprintf(out, outlen,
				 en ? "renfort: answer not understood. Reply YES %s to come, NO %s otherwise."
				    : "renfort : réponse non comprise. Répondez OUI %s pour venir, NON %s sinon.",
				 code, code);
		else
			snprintf(out, outlen,
				 en ? "renfort: answer not understood. Reply YES or NO followed by the call's code."
				    : "renfort : réponse non comprise. Répondez OUI ou NON suivi du code de l'appel.");
		break;
	case DTEXT_NO_CALL:
		snprintf(out, outlen,
			 en ? "renfort: no call of yours has this code. HELP for help."
			    : "renfort : aucun de vos appels n'a ce code. AIDE pour l'aide.");
		break;
	case DTEXT_UNFILLED:
		if (en)
			snprintf(out, outlen, "renfort UNFILLED %s (%s): %d of %d %s missing for %s. Request %lld, dept %s.", who,
				 commune, a->missing, a->count, prof, when, a->request_id, a->dep ? a->dep : "");
		else
			snprintf(out, outlen, "renfort RENFORT NON POURVU %s (%s) : %d sur %d %s manquant(s) pour le %s. "
					      "Demande %lld, dép. %s.",
				 who, commune, a->missing, a->count, prof, when, a->request_id, a->dep ? a->dep : "");
		break;
	case DTEXT_UNAVAILABLE_UNTIL: {
		struct paris_tm t;
		paris_fields(a->until - 1, &t); /* the last day: the end is the next midnight */
		snprintf(out, outlen,
			 en ? "renfort: unavailability recorded through %02d/%02d. AVAILABLE when you can again."
			    : "renfort : indisponibilité enregistrée jusqu'au %02d/%02d inclus. DISPO quand vous pourrez à "
			      "nouveau.",
			 t.day % 100, t.month % 100);
		break;
	}
	case DTEXT_CREDENTIAL: {
		const char *e = a->expires_on ? a->expires_on : "";
		int dated = strlen(e) == 10;
		snprintf(out, outlen,
			 en ? "renfort: your %s expires on %.2s/%.2s/%.4s. Please renew it and give the new date on your page."
			    : "renfort : votre %s expire le %.2s/%.2s/%.4s. Renouvelez-le et indiquez la nouvelle date sur votre "
			      "page.",
			 credential_name(a->credential, en), dated ? e + 8 : "", dated ? e + 5 : "", dated ? e : "");
		break;
	}
	case DTEXT_SIGNUP_CODE:
		snprintf(out, outlen,
			 en ? "renfort: your confirmation code is %s. It lasts %d minutes. Never give it to anyone."
			    : "renfort : votre code de confirmation est %s. Il est valable %d minutes. Ne le donnez à personne.",
			 code, a->minutes);
		break;
	case DTEXT_SIGNUP_WELCOME:
		snprintf(out, outlen,
			 en ? "renfort: welcome to the reserve! Your page: %s . Keep this link to yourself. A coordinator will "
			      "check your credentials before your first call."
			    : "renfort : bienvenue dans la réserve ! Votre page : %s . Gardez ce lien pour vous. Un "
			      "coordinateur vérifiera vos qualifications avant votre premier appel.",
			 a->url ? a->url : "");
		break;
	case DTEXT_SIGNUP_LINK:
		snprintf(out, outlen,
			 en ? "renfort: your personal page: %s . The previous link no longer works."
			    : "renfort : votre page personnelle : %s . L'ancien lien ne fonctionne plus.",
			 a->url ? a->url : "");
		break;
	default:
		if (outlen)
			out[0] = '\0';
		break;
	}
}
