#include "cap.h"

#include "store_alert.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int xml_escape(struct buf *out, const char *s)
{
	int rc = 0;
	for (const char *p = s ? s : ""; *p && !rc; p++) {
		switch (*p) {
		case '&':
			rc = buf_puts(out, "&amp;");
			break;
		case '<':
			rc = buf_puts(out, "&lt;");
			break;
		case '>':
			rc = buf_puts(out, "&gt;");
			break;
		case '"':
			rc = buf_puts(out, "&quot;");
			break;
		case '\'':
			rc = buf_puts(out, "&apos;");
			break;
		default:
			rc = buf_append(out, p, 1);
		}
	}
	return rc;
}

const char *cap_time(long long ms, char out[32])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
	return out;
}

static void element(struct buf *out, const char *indent, const char *name, const char *value)
{
	buf_printf(out, "%s<%s>", indent, name);
	xml_escape(out, value);
	buf_printf(out, "</%s>\n", name);
}

static void parameter(struct buf *out, const char *name, const char *value)
{
	buf_puts(out, "    <parameter>\n");
	element(out, "      ", "valueName", name);
	element(out, "      ", "value", value);
	buf_puts(out, "    </parameter>\n");
}

/* An allocation's status in the CAP message's language. */
static const char *allocation_status_fr(const char *status)
{
	static const char *const names[][2] = {{"proposed", "proposée"}, {"approved", "approuvée"},
					       {"dispatched", "expédiée"}, {"received", "reçue"},
					       {"cancelled", "annulée"}};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(status, names[i][0]) == 0)
			return names[i][1];
	return status;
}

const char *cap_status(int exercise)
{
	/* an exercise's messages must never be taken for real ones by a CAP consumer */
	return exercise ? "Exercise" : "Actual";
}

int cap_alert_xml(struct buf *out, const struct alert_row *a, const char *sender, int exercise, int standalone)
{
	char t[32], id[64];
	char text[2048]; /* two names of 200 characters (up to 800 bytes each) and the words around them */
	int resolved = strcmp(a->status, "resolved") == 0;
	int stockout = strcmp(a->severity, "stockout") == 0;
	int critical = strcmp(a->severity, "critical") == 0;
	int silent = strcmp(a->kind, "silent") == 0;
	int sms = strcmp(a->kind, "sms_failed") == 0;
	int staff = strcmp(a->kind, "staff_unfilled") == 0;
	int overstock = strcmp(a->kind, "overstock") == 0;
	int receipt = strcmp(a->kind, "large_receipt") == 0;
	if (standalone)
		buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	buf_puts(out, "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">\n");
	/* one CAP message per version of the alert */
	snprintf(id, sizeof id, "renfort-alert-%lld-v%d", a->id, a->version);
	element(out, "  ", "identifier", id);
	element(out, "  ", "sender", sender);
	element(out, "  ", "sent", cap_time(resolved && a->resolved_at ? a->resolved_at : a->updated_at, t));
	element(out, "  ", "status", cap_status(exercise));
	element(out, "  ", "msgType", a->version > 1 || resolved ? "Update" : "Alert");
	element(out, "  ", "scope", "Restricted");
	element(out, "  ", "restriction", "Cellule de coordination régionale (santé et médico-social) : usage interne");
	if (a->version > 1 || resolved) {
		/* written in place: a sender from a long public URL does not fit a fixed buffer with the rest */
		buf_puts(out, "  <references>");
		xml_escape(out, sender);
		buf_printf(out, ",renfort-alert-%lld-v1,%s</references>\n", a->id, cap_time(a->opened_at, t));
	}
	buf_puts(out, "  <info>\n");
	element(out, "    ", "language", "fr-FR");
	element(out, "    ", "category", "Health");
	if (sms)
		snprintf(text, sizeof text, "Échec d'envoi de SMS");
	else if (staff)
		snprintf(text, sizeof text, "Renfort de personnel non pourvu");
	else if (silent)
		snprintf(text, sizeof text, "Structure sans relevé de stock");
	else if (overstock)
		snprintf(text, sizeof text, "Surstockage : %s", a->item_name);
	else if (receipt)
		snprintf(text, sizeof text, "Réception importante sans allocation : %s", a->item_name);
	else
		snprintf(text, sizeof text, "Pénurie : %s", a->item_name);
	element(out, "    ", "event", text);
	element(out, "    ", "responseType",
		resolved ? "AllClear" : (silent || sms || staff || overstock || receipt) ? "Assess" : "Prepare");
	element(out, "    ", "urgency", resolved ? "Past" : stockout ? "Immediate" : critical ? "Expected" : "Future");
	element(out, "    ", "severity", resolved ? "Minor" : (stockout || critical) ? "Severe" : "Moderate");
	element(out, "    ", "certainty", stockout ? "Observed" : "Likely");
	element(out, "    ", "effective", cap_time(a->opened_at, t));
	element(out, "    ", "senderName", "renfort — coordination régionale Occitanie");
	if (sms)
		snprintf(text, sizeof text, "%lld SMS n'ont pas pu être envoyés (département %s)", a->quantity,
			 a->dep[0] ? a->dep : "région");
	else if (staff)
		snprintf(text, sizeof text, "%s : %lld personne(s) manquante(s), demande %lld", a->holder_name, a->quantity,
			 a->request_id);
	else if (silent)
		snprintf(text, sizeof text, "%s : aucun relevé de stock récent", a->holder_name);
	else if (overstock)
		snprintf(text, sizeof text, "%s : %s, %.1f jours de stock pendant une pénurie du département", a->holder_name,
			 a->item_name, a->days_of_cover);
	else if (receipt)
		snprintf(text, sizeof text, "%s : %lld %s reçus sans allocation", a->holder_name, a->quantity, a->item_name);
	else if (stockout)
		snprintf(text, sizeof text, "Rupture de %s à %s", a->item_name, a->holder_name);
	else
		snprintf(text, sizeof text, "%s : %s, %.1f jours de stock", a->holder_name, a->item_name, a->days_of_cover);
	if (resolved)
		snprintf(text + strlen(text), sizeof text - strlen(text), " (résolue)");
	element(out, "    ", "headline", text);
	if (sms)
		snprintf(text, sizeof text, "Les passerelles SMS ont refusé ou n'ont pas pris ces messages après toutes les "
					    "tentatives. Voir la file d'envoi.");
	else if (staff)
		snprintf(text, sizeof text, "La demande de renfort %lld de %s (département %s) n'a plus personne à appeler, "
					    "ou son échéance est passée : %lld place(s) non pourvue(s).",
			 a->request_id, a->holder_name, a->dep, a->quantity);
	else if (silent)
		snprintf(text, sizeof text, "La structure %s (département %s) n'a pas compté son stock depuis trop longtemps.",
			 a->holder_name, a->dep);
	else if (overstock)
		snprintf(text, sizeof text, "Stock : %lld, couverture %.1f jours, alors que d'autres structures du département "
					    "%s sont en pénurie critique de cet article.",
			 a->quantity, a->days_of_cover, a->dep);
	else if (receipt)
		snprintf(text, sizeof text, "Réception de %lld déclarée sans allocation (achat, don), bien au-delà du niveau "
					    "habituel de la structure. Statut : %s.",
			 a->quantity, a->status);
	else if (a->cover_known)
		snprintf(text, sizeof text, "Stock estimé : %lld. Couverture estimée : %.1f jours, rupture prévue le %.10s. "
					    "Niveau : %s, statut : %s.",
			 a->quantity, a->days_of_cover, cap_time(a->stockout_at, t), a->severity, a->status);
	else
		snprintf(text, sizeof text, "Stock estimé : %lld. Niveau : %s, statut : %s.", a->quantity, a->severity,
			 a->status);
	if (a->allocation_id) {
		/* the allocation that answers it: each of its steps is a new version of the alert */
		size_t len = strlen(text);
		snprintf(text + len, sizeof text - len, " Allocation %lld (%s) : %lld unités.", a->allocation_id,
			 allocation_status_fr(a->allocation_status), a->allocation_quantity);
	}
	element(out, "    ", "description", text);
	element(out, "    ", "instruction", resolved ? "Aucune action requise."
					      : sms	 ? "Vérifier les passerelles SMS et joindre les destinataires autrement."
					      : staff	 ? "Élargir la recherche ou solliciter d'autres renforts."
					      : silent ? "Contacter la structure et obtenir un relevé de stock."
					      : overstock ? "Proposer un transfert vers les structures en pénurie."
					      : receipt ? "Vérifier l'origine de cette réception auprès de la structure."
					      : a->allocation_id && strcmp(a->allocation_status, "cancelled")
						      ? "Allocation en cours : suivre l'expédition et la réception."
						      : "Vérifier le stock partagé disponible et proposer une allocation.");
	snprintf(text, sizeof text, "%lld", a->id);
	parameter(out, "renfort:alert_id", text);
	parameter(out, "renfort:kind", a->kind);
	parameter(out, "renfort:level", a->severity);
	if (staff) {
		snprintf(text, sizeof text, "%lld", a->request_id);
		parameter(out, "renfort:request_id", text);
		snprintf(text, sizeof text, "%lld", a->quantity);
		parameter(out, "renfort:missing", text);
	}
	if (a->allocation_id) {
		snprintf(text, sizeof text, "%lld", a->allocation_id);
		parameter(out, "renfort:allocation_id", text);
		parameter(out, "renfort:allocation_status", a->allocation_status);
	}
	if (!silent && !sms && !staff) {
		parameter(out, "renfort:item", a->item_code);
		snprintf(text, sizeof text, "%lld", a->quantity);
		parameter(out, "renfort:quantity", text);
		if (a->cover_known) {
			snprintf(text, sizeof text, "%.2f", a->days_of_cover);
			parameter(out, "renfort:days_of_cover", text);
		}
	}
	buf_puts(out, "    <area>\n");
	if (sms)
		snprintf(text, sizeof text, "Département %s", a->dep[0] ? a->dep : "Occitanie (région)");
	else
		snprintf(text, sizeof text, "%s (%s), département %s", a->holder_name, a->commune, a->dep);
	element(out, "      ", "areaDesc", text);
	if (!sms) {
		snprintf(text, sizeof text, "%.5f,%.5f 1", a->lat, a->lng);
		element(out, "      ", "circle", text);
	}
	if (a->commune[0]) {
		buf_puts(out, "      <geocode>\n");
		element(out, "        ", "valueName", "INSEE");
		element(out, "        ", "value", a->commune);
		buf_puts(out, "      </geocode>\n");
	}
	buf_puts(out, "    </area>\n  </info>\n</alert>\n");
	return 0;
}

int cap_feed_begin(struct buf *out, const char *base_url, long long updated_ms)
{
	char t[32];
	buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
	buf_puts(out, "<id>urn:renfort:alerts:active</id>\n<title>renfort : alertes actives</title>\n");
	buf_printf(out, "<updated>%s</updated>\n<author><name>renfort</name></author>\n", cap_time(updated_ms, t));
	buf_puts(out, "<link rel=\"self\" href=\"");
	xml_escape(out, base_url);
	return buf_puts(out, "/api/v1/alerts/feed\"/>\n");
}

int cap_feed_entry(struct buf *out, const struct alert_row *a, const char *base_url, const char *sender, int exercise)
{
	char t[32];
	buf_printf(out, "<entry>\n<id>urn:renfort:alert:%lld:v%d</id>\n<title>", a->id, a->version);
	xml_escape(out, a->holder_name);
	buf_puts(out, " — ");
	xml_escape(out, strcmp(a->kind, "silent") == 0		 ? "sans relevé"
			: strcmp(a->kind, "sms_failed") == 0	 ? "SMS non envoyés"
			: strcmp(a->kind, "staff_unfilled") == 0 ? "renfort non pourvu"
								 : a->item_name);
	if (strcmp(a->kind, "overstock") == 0 || strcmp(a->kind, "large_receipt") == 0)
		buf_puts(out, strcmp(a->kind, "overstock") == 0 ? " : surstockage" : " : réception importante");
	buf_printf(out, " (%s)</title>\n<updated>%s</updated>\n", a->severity, cap_time(a->updated_at, t));
	buf_puts(out, "<link rel=\"alternate\" type=\"application/cap+xml\" href=\"");
	xml_escape(out, base_url);
	buf_printf(out, "/api/v1/alerts/%lld/cap\"/>\n<content type=\"application/cap+xml\">\n", a->id);
	cap_alert_xml(out, a, sender, exercise, 0);
	return buf_puts(out, "</content>\n</entry>\n");
}

int cap_feed_end(struct buf *out)
{
	return buf_puts(out, "</feed>\n");
}
