/* Unit tests of cap.c: alerts as CAP 1.2 documents and the Atom feed of them. Proves, case by case
 * from a table (shortage warning, critical, stock-out with and without a rate, resolved, silent, SMS
 * failures), every element renfort writes and its value: msgType Alert for v1 then Update with
 * references to v1, the time sent, urgency, severity, certainty, response, texts, parameters, area;
 * that each document validates against the OASIS schema (tests/data/CAP-v1.2.xsd, with xmllint from
 * libxml2-utils); that XML special characters and non-ASCII text come back unchanged once parsed,
 * even at the longest names; and that the feed is well-formed with each entry's alert valid. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cap.h"
#include "store_alert.h"
#include "unit_fixture.h"

#define CAP_XSD RENFORT_SOURCE_DIR "/tests/data/CAP-v1.2.xsd"
#define SENDER "renfort@ars-occitanie.example"

#define D 86400000LL
#define OPENED 1764146709123LL          /* 2025-11-26T08:45:09 */
#define UPDATED (OPENED + 2 * 3600000LL) /* 2025-11-26T10:45:09 */
#define RESOLVED (OPENED + D)           /* 2025-11-27T08:45:09 */
#define LAST_DATE_MS 253402300799999LL /* 9999-12-31T23:59:59.999Z */
#define OPENED_ISO "2025-11-26T08:45:09+00:00"
#define UPDATED_ISO "2025-11-26T10:45:09+00:00"
#define RESOLVED_ISO "2025-11-27T08:45:09+00:00"

/* --- reading what was written ---------------------------------------------------------------------- */

/* The text of the nth (from 0) <tag> element of doc, its entities decoded, into out; 0 when absent. */
static int xml_text(const char *doc, const char *tag, int nth, char *out, size_t outlen)
{
	char open[64], close[64];
	snprintf(open, sizeof open, "<%s>", tag);
	snprintf(close, sizeof close, "</%s>", tag);
	const char *p = doc;
	for (int i = 0; p && i <= nth; i++)
		if ((p = strstr(p, open)))
			p += strlen(open);
	const char *end = p ? strstr(p, close) : NULL;
	if (!end)
		return 0;
	static const struct {
		const char *entity, *c;
	} entities[] = {{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}};
	size_t n = 0;
	while (p < end && n + 1 < outlen) {
		size_t e = 0;
		while (e < sizeof entities / sizeof entities[0] && strncmp(p, entities[e].entity, strlen(entities[e].entity)))
			e++;
		if (e < sizeof entities / sizeof entities[0]) {
			out[n++] = entities[e].c[0];
			p += strlen(entities[e].entity);
		} else {
			if (*p == '&' || *p == '<')
				fail_msg("<%s> holds a raw '%c': %.60s", tag, *p, p);
			out[n++] = *p++;
		}
	}
	out[n] = '\0';
	return 1;
}

static int count_of(const char *doc, const char *s)
{
	int n = 0;
	for (const char *p = doc; (p = strstr(p, s)); p += strlen(s))
		n++;
	return n;
}

/* The value of the <parameter> named name (its text), into out; 0 when absent. */
static int cap_param(const char *doc, const char *name, char *out, size_t outlen)
{
	char v[128];
	for (int i = 0; xml_text(doc, "valueName", i, v, sizeof v); i++)
		if (strcmp(v, name) == 0) {
			/* the <value> right after this <valueName> is the (i)th <value> */
			return xml_text(doc, "value", i, out, outlen);
		}
	return 0;
}

/* Writes text to a file in a fresh temporary directory and runs xmllint over it (with the CAP
 * schema, or only for well-formedness). Fails the test with xmllint's words and the document. */
static void xmllint(const char *text, int with_schema, const char *what)
{
	struct tmpdb dir;
	assert_int_equal(tmpdb_make(&dir), 0);
	char path[128], log[128], cmd[512];
	snprintf(path, sizeof path, "%s/doc.xml", dir.dir);
	snprintf(log, sizeof log, "%s/xmllint.log", dir.dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	snprintf(cmd, sizeof cmd, "xmllint --noout %s%s '%s' >'%s' 2>&1", with_schema ? "--schema " : "",
		 with_schema ? CAP_XSD : "", path, log);
	int rc = system(cmd);
	char said[2048] = "";
	f = fopen(log, "r");
	if (f) {
		size_t n = fread(said, 1, sizeof said - 1, f);
		said[n] = '\0';
		fclose(f);
	}
	tmpdb_remove(&dir);
	if (rc != 0)
		fail_msg("%s: xmllint %s (exit %d; is libxml2-utils installed?):\n%s\n%s", what,
			 with_schema ? "refuses it against CAP 1.2" : "finds it malformed", rc, said, text);
}

/* --- an alert to render ---------------------------------------------------------------------------- */

static void base_alert(struct alert_row *a)
{
	alert_row_clear(a);
	a->id = 17;
	snprintf(a->kind, sizeof a->kind, "shortage");
	a->holder_kind = HOLDER_STRUCTURE;
	a->holder_id = 5;
	a->item_id = 3;
	snprintf(a->dep, sizeof a->dep, "81");
	snprintf(a->severity, sizeof a->severity, "warning");
	snprintf(a->status, sizeof a->status, "open");
	a->quantity = 42;
	a->opened_at = OPENED;
	a->updated_at = UPDATED;
	a->version = 1;
	snprintf(a->commune, sizeof a->commune, "81004");
	a->lat = 43.92903;
	a->lng = 2.1323;
	snprintf(a->holder_name, sizeof a->holder_name, "EHPAD Les Peupliers");
	snprintf(a->item_code, sizeof a->item_code, "mask_ffp2");
	snprintf(a->item_name, sizeof a->item_name, "Masques FFP2");
}

/* The figures a report leaves on the alert (as burn_days_of_cover gives them, the stock-out date at
 * the latest at the end of 9999). */
static void set_cover(struct alert_row *a, int known, double days)
{
	a->cover_known = known;
	a->days_of_cover = days;
	a->stockout_at = !known ? 0 : days < 1e6 ? a->updated_at + (long long)(days * (double)D) : LAST_DATE_MS;
}

static char *render(const struct alert_row *a, const char *sender, int standalone)
{
	struct buf b;
	buf_init(&b);
	assert_int_equal(cap_alert_xml(&b, a, sender, 0, standalone), 0);
	return buf_detach(&b);
}

/* --- each kind of alert, each element -------------------------------------------------------------- */

#define SHORTAGE_INSTRUCTION "Vérifier le stock partagé disponible et proposer une allocation."
#define AREA "EHPAD Les Peupliers (81004), département 81"

struct cap_case {
	const char *name;
	/* the alert */
	const char *kind, *severity, *status;
	int version;
	long long quantity;
	int cover_known;
	double days;
	long long resolved_at;
	const char *dep, *commune;
	/* the document */
	const char *msg_type;
	int references;
	const char *sent, *event, *response, *urgency, *severity_cap, *certainty;
	const char *headline, *description, *instruction;
	const char *area;  /* NULL: not checked */
	int circle, geocode;
	int item_params;   /* renfort:item and renfort:quantity */
	const char *days_param; /* NULL: no renfort:days_of_cover */
};

static const struct cap_case cap_cases[] = {
	{"a warning, first version: an Alert", "shortage", "warning", "open", 1, 42, 1, 5.5, 0, "81", "81004",
	 "Alert", 0, UPDATED_ISO, "Pénurie : Masques FFP2", "Prepare", "Future", "Moderate", "Likely",
	 "EHPAD Les Peupliers : Masques FFP2, 5.5 jours de stock",
	 "Stock estimé : 42. Couverture estimée : 5.5 jours, rupture prévue le 2025-12-01. Niveau : warning, statut : open.",
	 SHORTAGE_INSTRUCTION, AREA, 1, 1, 1, "5.50"},
	{"critical, second version: an Update referring to v1", "shortage", "critical", "open", 2, 20, 1, 2, 0, "81", "81004",
	 "Update", 1, UPDATED_ISO, "Pénurie : Masques FFP2", "Prepare", "Expected", "Severe", "Likely",
	 "EHPAD Les Peupliers : Masques FFP2, 2.0 jours de stock",
	 "Stock estimé : 20. Couverture estimée : 2.0 jours, rupture prévue le 2025-11-28. Niveau : critical, statut : open.",
	 SHORTAGE_INSTRUCTION, AREA, 1, 1, 1, "2.00"},
	{"a stock-out, rate unknown, acknowledged", "shortage", "stockout", "acknowledged", 3, 0, 0, 0, 0, "81", "81004",
	 "Update", 1, UPDATED_ISO, "Pénurie : Masques FFP2", "Prepare", "Immediate", "Severe", "Observed",
	 "Rupture de Masques FFP2 à EHPAD Les Peupliers", "Stock estimé : 0. Niveau : stockout, statut : acknowledged.",
	 SHORTAGE_INSTRUCTION, AREA, 1, 1, 1, NULL},
	{"a stock-out with a known rate: stock-out now", "shortage", "stockout", "open", 2, 0, 1, 0, 0, "81", "81004",
	 "Update", 1, UPDATED_ISO, "Pénurie : Masques FFP2", "Prepare", "Immediate", "Severe", "Observed",
	 "Rupture de Masques FFP2 à EHPAD Les Peupliers",
	 "Stock estimé : 0. Couverture estimée : 0.0 jours, rupture prévue le 2025-11-26. Niveau : stockout, statut : open.",
	 SHORTAGE_INSTRUCTION, AREA, 1, 1, 1, "0.00"},
	{"a shortage with a cover of billions of days: its date is the last one", "shortage", "warning", "open", 2, 1000, 1,
	 1e12, 0, "81", "81004", "Update", 1, UPDATED_ISO, "Pénurie : Masques FFP2", "Prepare", "Future", "Moderate", "Likely",
	 "EHPAD Les Peupliers : Masques FFP2, 1000000000000.0 jours de stock",
	 "Stock estimé : 1000. Couverture estimée : 1000000000000.0 jours, rupture prévue le 9999-12-31. Niveau : warning, "
	 "statut : open.",
	 SHORTAGE_INSTRUCTION, AREA, 1, 1, 1, "1000000000000.00"},
	{"resolved: all clear, sent when resolved", "shortage", "warning", "resolved", 4, 300, 1, 30, RESOLVED, "81", "81004",
	 "Update", 1, RESOLVED_ISO, "Pénurie : Masques FFP2", "AllClear", "Past", "Minor", "Likely",
	 "EHPAD Les Peupliers : Masques FFP2, 30.0 jours de stock (résolue)",
	 "Stock estimé : 300. Couverture estimée : 30.0 jours, rupture prévue le 2025-12-26. Niveau : warning, statut : resolved.",
	 "Aucune action requise.", AREA, 1, 1, 1, "30.00"},
	{"a resolved stock-out", "shortage", "stockout", "resolved", 3, 5, 0, 0, RESOLVED, "81", "81004", "Update", 1,
	 RESOLVED_ISO, "Pénurie : Masques FFP2", "AllClear", "Past", "Minor", "Observed",
	 "Rupture de Masques FFP2 à EHPAD Les Peupliers (résolue)", "Stock estimé : 5. Niveau : stockout, statut : resolved.",
	 "Aucune action requise.", AREA, 1, 1, 1, NULL},
	{"resolved without a time: sent when updated", "shortage", "critical", "resolved", 2, 300, 1, 30, 0, "81", "81004",
	 "Update", 1, UPDATED_ISO, "Pénurie : Masques FFP2", "AllClear", "Past", "Minor", "Likely",
	 "EHPAD Les Peupliers : Masques FFP2, 30.0 jours de stock (résolue)",
	 "Stock estimé : 300. Couverture estimée : 30.0 jours, rupture prévue le 2025-12-26. Niveau : critical, statut : "
	 "resolved.",
	 "Aucune action requise.", AREA, 1, 1, 1, "30.00"},
	{"resolved at its first version: still an Update", "shortage", "warning", "resolved", 1, 300, 1, 30, RESOLVED, "81",
	 "81004", "Update", 1, RESOLVED_ISO, "Pénurie : Masques FFP2", "AllClear", "Past", "Minor", "Likely",
	 "EHPAD Les Peupliers : Masques FFP2, 30.0 jours de stock (résolue)",
	 "Stock estimé : 300. Couverture estimée : 30.0 jours, rupture prévue le 2025-12-26. Niveau : warning, statut : resolved.",
	 "Aucune action requise.", AREA, 1, 1, 1, "30.00"},
	{"a silent structure", "silent", "warning", "open", 1, -1, 0, 0, 0, "81", "81004", "Alert", 0, UPDATED_ISO,
	 "Structure sans relevé de stock", "Assess", "Future", "Moderate", "Likely",
	 "EHPAD Les Peupliers : aucun relevé de stock récent",
	 "La structure EHPAD Les Peupliers (département 81) n'a pas compté son stock depuis trop longtemps.",
	 "Contacter la structure et obtenir un relevé de stock.", AREA, 1, 1, 0, NULL},
	{"a silent structure, critical", "silent", "critical", "open", 2, -1, 0, 0, 0, "81", "81004", "Update", 1, UPDATED_ISO,
	 "Structure sans relevé de stock", "Assess", "Expected", "Severe", "Likely",
	 "EHPAD Les Peupliers : aucun relevé de stock récent",
	 "La structure EHPAD Les Peupliers (département 81) n'a pas compté son stock depuis trop longtemps.",
	 "Contacter la structure et obtenir un relevé de stock.", AREA, 1, 1, 0, NULL},
	{"SMS failures in a département", "sms_failed", "critical", "open", 2, 3, 0, 0, 0, "34", "", "Update", 1, UPDATED_ISO,
	 "Échec d'envoi de SMS", "Assess", "Expected", "Severe", "Likely", "3 SMS n'ont pas pu être envoyés (département 34)",
	 "Les passerelles SMS ont refusé ou n'ont pas pris ces messages après toutes les tentatives. Voir la file d'envoi.",
	 "Vérifier les passerelles SMS et joindre les destinataires autrement.", "Département 34", 0, 0, 0, NULL},
	{"SMS failures region-wide", "sms_failed", "critical", "open", 1, 1, 0, 0, 0, "", "", "Alert", 0, UPDATED_ISO,
	 "Échec d'envoi de SMS", "Assess", "Expected", "Severe", "Likely", "1 SMS n'ont pas pu être envoyés (département région)",
	 "Les passerelles SMS ont refusé ou n'ont pas pris ces messages après toutes les tentatives. Voir la file d'envoi.",
	 "Vérifier les passerelles SMS et joindre les destinataires autrement.", "Département Occitanie (région)", 0, 0, 0,
	 NULL},
	{"a holder without a commune: no geocode", "shortage", "warning", "open", 1, 42, 1, 5.5, 0, "81", "", "Alert", 0,
	 UPDATED_ISO, "Pénurie : Masques FFP2", "Prepare", "Future", "Moderate", "Likely",
	 "EHPAD Les Peupliers : Masques FFP2, 5.5 jours de stock",
	 "Stock estimé : 42. Couverture estimée : 5.5 jours, rupture prévue le 2025-12-01. Niveau : warning, statut : open.",
	 SHORTAGE_INSTRUCTION, NULL, 1, 0, 1, "5.50"},
};

static void expect_text(const struct cap_case *c, const char *doc, const char *tag, const char *want)
{
	char got[4096];
	if (!xml_text(doc, tag, 0, got, sizeof got))
		fail_msg("%s: no <%s>\n%s", c->name, tag, doc);
	if (strcmp(got, want) != 0)
		fail_msg("%s: <%s> is \"%s\", expected \"%s\"", c->name, tag, got, want);
}

static void expect_param(const struct cap_case *c, const char *doc, const char *name, const char *want)
{
	char got[256];
	int has = cap_param(doc, name, got, sizeof got);
	if (!want && has)
		fail_msg("%s: parameter %s is there (\"%s\"), expected none", c->name, name, got);
	if (want && (!has || strcmp(got, want) != 0))
		fail_msg("%s: parameter %s is \"%s\", expected \"%s\"", c->name, name, has ? got : "(none)", want);
}

/* What every renfort CAP message says, whatever the alert. */
static void expect_fixed_parts(const struct cap_case *c, const char *doc, const struct alert_row *a)
{
	char id[64];
	snprintf(id, sizeof id, "renfort-alert-%lld-v%d", a->id, a->version);
	expect_text(c, doc, "identifier", id);
	expect_text(c, doc, "sender", SENDER);
	expect_text(c, doc, "status", "Actual");
	expect_text(c, doc, "scope", "Restricted");
	expect_text(c, doc, "restriction", "Cellule de coordination régionale (santé et médico-social) : usage interne");
	expect_text(c, doc, "language", "fr-FR");
	expect_text(c, doc, "category", "Health");
	expect_text(c, doc, "effective", OPENED_ISO);
	expect_text(c, doc, "senderName", "renfort — coordination régionale Occitanie");
	expect_param(c, doc, "renfort:alert_id", "17");
	expect_param(c, doc, "renfort:kind", a->kind);
	expect_param(c, doc, "renfort:level", a->severity);
	if (strncmp(doc, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">",
		    strlen("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">")))
		fail_msg("%s: does not start with the declaration and a CAP 1.2 <alert>:\n%.120s", c->name, doc);
	if (count_of(doc, "<info>") != 1 || count_of(doc, "<area>") != 1)
		fail_msg("%s: one <info> and one <area> expected", c->name);
}

static void test_cap_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof cap_cases / sizeof cap_cases[0]; i++) {
		const struct cap_case *c = &cap_cases[i];
		struct alert_row a;
		base_alert(&a);
		snprintf(a.kind, sizeof a.kind, "%s", c->kind);
		snprintf(a.severity, sizeof a.severity, "%s", c->severity);
		snprintf(a.status, sizeof a.status, "%s", c->status);
		a.version = c->version;
		a.quantity = c->quantity;
		a.resolved_at = c->resolved_at;
		snprintf(a.dep, sizeof a.dep, "%s", c->dep);
		snprintf(a.commune, sizeof a.commune, "%s", c->commune);
		set_cover(&a, c->cover_known, c->days);
		if (strcmp(c->kind, "shortage") != 0)
			a.item_id = 0, a.item_code[0] = a.item_name[0] = '\0';
		if (strcmp(c->kind, "sms_failed") == 0)
			a.holder_kind = HOLDER_NONE, a.holder_id = 0, a.holder_name[0] = '\0', a.lat = a.lng = 0;
		char *doc = render(&a, SENDER, 1);

		expect_fixed_parts(c, doc, &a);
		expect_text(c, doc, "msgType", c->msg_type);
		if (c->references)
			expect_text(c, doc, "references", SENDER ",renfort-alert-17-v1," OPENED_ISO);
		else if (strstr(doc, "<references>"))
			fail_msg("%s: a first version refers to nothing", c->name);
		expect_text(c, doc, "sent", c->sent);
		expect_text(c, doc, "event", c->event);
		expect_text(c, doc, "responseType", c->response);
		expect_text(c, doc, "urgency", c->urgency);
		expect_text(c, doc, "severity", c->severity_cap);
		expect_text(c, doc, "certainty", c->certainty);
		expect_text(c, doc, "headline", c->headline);
		expect_text(c, doc, "description", c->description);
		expect_text(c, doc, "instruction", c->instruction);
		if (c->area)
			expect_text(c, doc, "areaDesc", c->area);
		if (c->circle)
			expect_text(c, doc, "circle", "43.92903,2.13230 1");
		else if (strstr(doc, "<circle>"))
			fail_msg("%s: a circle where there is no place", c->name);
		if (c->geocode)
			expect_param(c, doc, "INSEE", "81004");
		else if (strstr(doc, "<geocode>"))
			fail_msg("%s: a geocode without a commune", c->name);
		expect_param(c, doc, "renfort:item", c->item_params ? "mask_ffp2" : NULL);
		char q[32];
		snprintf(q, sizeof q, "%lld", c->quantity);
		expect_param(c, doc, "renfort:quantity", c->item_params ? q : NULL);
		expect_param(c, doc, "renfort:days_of_cover", c->days_param);

		xmllint(doc, 1, c->name);
		free(doc);
	}
}

/* --- escaping, non-ASCII, the longest texts -------------------------------------------------------- */

/* Names with every XML special character and text from several scripts come back unchanged once
 * parsed, nowhere raw; the document still validates. */
static void test_special_characters_round_trip(void **state)
{
	(void)state;
	struct alert_row a;
	base_alert(&a);
	set_cover(&a, 1, 2.5);
	snprintf(a.severity, sizeof a.severity, "critical");
	a.version = 2;
	const char *holder = "Hôpital « Saint-Éloi » <urgences> & \"Cœur\" l'Étang — 東京 😷";
	const char *item = "Masques <FFP2> & gants \"nitrile\" d'examen ✓";
	const char *code = "a&b<c>'d\"";
	snprintf(a.holder_name, sizeof a.holder_name, "%s", holder);
	snprintf(a.item_name, sizeof a.item_name, "%s", item);
	snprintf(a.item_code, sizeof a.item_code, "%s", code);
	char *doc = render(&a, SENDER, 1);
	static const struct cap_case c = {.name = "special characters"};
	char want[1024];
	snprintf(want, sizeof want, "Pénurie : %s", item);
	expect_text(&c, doc, "event", want);
	snprintf(want, sizeof want, "%s : %s, 2.5 jours de stock", holder, item);
	expect_text(&c, doc, "headline", want);
	snprintf(want, sizeof want, "%s (81004), département 81", holder);
	expect_text(&c, doc, "areaDesc", want);
	expect_param(&c, doc, "renfort:item", code);
	/* escaped as it should be, and never raw */
	assert_non_null(strstr(doc, "Hôpital « Saint-Éloi » &lt;urgences&gt; &amp; &quot;Cœur&quot; l&apos;Étang — 東京 😷"));
	assert_null(strstr(doc, "<urgences>"));
	assert_null(strstr(doc, "<FFP2>"));
	assert_null(strstr(doc, "a&b"));
	xmllint(doc, 1, c.name);
	free(doc);
}

/* Names of 200 characters of 4 bytes each (the longest the registry takes) and the largest cover
 * a double holds: every text whole, nothing cut in the middle of a character. */
static void test_longest_texts(void **state)
{
	(void)state;
	struct alert_row a;
	base_alert(&a);
	snprintf(a.status, sizeof a.status, "resolved");
	a.resolved_at = RESOLVED;
	a.version = 9;
	set_cover(&a, 1, DBL_MAX);
	char holder[UTF8_BYTES(200)] = "", item[UTF8_BYTES(200)] = "";
	for (int i = 0; i < 200; i++) {
		strcat(holder, "😷");
		strcat(item, "𝄞");
	}
	assert_int_equal(strlen(holder), 800);
	snprintf(a.holder_name, sizeof a.holder_name, "%s", holder);
	snprintf(a.item_name, sizeof a.item_name, "%s", item);
	char *doc = render(&a, SENDER, 1);
	static const struct cap_case c = {.name = "the longest texts"};
	char want[4096];
	snprintf(want, sizeof want, "%s : %s, %.1f jours de stock (résolue)", holder, item, DBL_MAX);
	expect_text(&c, doc, "headline", want);
	snprintf(want, sizeof want, "Pénurie : %s", item);
	expect_text(&c, doc, "event", want);
	snprintf(want, sizeof want, "%s (81004), département 81", holder);
	expect_text(&c, doc, "areaDesc", want);
	xmllint(doc, 1, c.name);
	free(doc);

	/* a silent alert and a stock-out, the other long texts */
	snprintf(a.kind, sizeof a.kind, "silent");
	doc = render(&a, SENDER, 1);
	snprintf(want, sizeof want, "La structure %s (département 81) n'a pas compté son stock depuis trop longtemps.", holder);
	expect_text(&c, doc, "description", want);
	free(doc);
	snprintf(a.kind, sizeof a.kind, "shortage");
	snprintf(a.severity, sizeof a.severity, "stockout");
	doc = render(&a, SENDER, 1);
	snprintf(want, sizeof want, "Rupture de %s à %s (résolue)", item, holder);
	expect_text(&c, doc, "headline", want);
	xmllint(doc, 1, c.name);
	free(doc);
}

/* The longest sender renfortd makes ("renfort@" and a public URL's host, up to 279 bytes): the
 * references still name v1 and its time in full. */
static void test_references_with_a_long_sender(void **state)
{
	(void)state;
	char sender[280] = "renfort@";
	while (strlen(sender) < sizeof sender - 1)
		strcat(sender, "x");
	struct alert_row a;
	base_alert(&a);
	a.id = 9223372036854775807LL;
	a.version = 2;
	char *doc = render(&a, sender, 1);
	static const struct cap_case c = {.name = "a long sender"};
	char want[512];
	snprintf(want, sizeof want, "%s,renfort-alert-9223372036854775807-v1,%s", sender, OPENED_ISO);
	expect_text(&c, doc, "references", want);
	expect_text(&c, doc, "sender", sender);
	expect_text(&c, doc, "identifier", "renfort-alert-9223372036854775807-v2");
	xmllint(doc, 1, c.name);
	free(doc);
}

/* --- xml_escape and cap_time ----------------------------------------------------------------------- */

static void test_xml_escape(void **state)
{
	(void)state;
	static const struct {
		const char *in, *want;
	} cases[] = {
		{NULL, ""},
		{"", ""},
		{"plain", "plain"},
		{"&", "&amp;"},
		{"<>", "&lt;&gt;"},
		{"\"'", "&quot;&apos;"},
		{"a&b<c>d\"e'f", "a&amp;b&lt;c&gt;d&quot;e&apos;f"},
		{"&amp;", "&amp;amp;"},
		{"é東😷 — «»", "é東😷 — «»"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct buf b;
		buf_init(&b);
		buf_puts(&b, "[");
		assert_int_equal(xml_escape(&b, cases[i].in), 0);
		buf_puts(&b, "]");
		char want[64];
		snprintf(want, sizeof want, "[%s]", cases[i].want);
		if (strcmp(b.data, want) != 0)
			fail_msg("xml_escape(\"%s\") = %s, expected %s", cases[i].in ? cases[i].in : "NULL", b.data, want);
		buf_release(&b);
	}
}

static void test_cap_time(void **state)
{
	(void)state;
	static const struct {
		long long ms;
		const char *want;
	} cases[] = {
		{0, "1970-01-01T00:00:00+00:00"},
		{999, "1970-01-01T00:00:00+00:00"},
		{OPENED, OPENED_ISO},
		{951782400000LL, "2000-02-29T00:00:00+00:00"},
		{LAST_DATE_MS, "9999-12-31T23:59:59+00:00"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[32];
		assert_string_equal(cap_time(cases[i].ms, out), cases[i].want);
	}
}

/* --- the feed -------------------------------------------------------------------------------------- */

/* A feed of three alerts (one with special characters) and a base URL with a query: well-formed
 * Atom, the URL and titles escaped, each entry's alert valid CAP 1.2 on its own. */
static void test_feed(void **state)
{
	(void)state;
	const char *base = "https://renfort.example/x?a=1&b=<2>";
	struct buf b;
	buf_init(&b);
	assert_int_equal(cap_feed_begin(&b, base, UPDATED), 0);
	struct alert_row a[3];
	base_alert(&a[0]);
	set_cover(&a[0], 1, 5.5);
	base_alert(&a[1]);
	a[1].id = 18;
	a[1].version = 3;
	snprintf(a[1].kind, sizeof a[1].kind, "silent");
	snprintf(a[1].holder_name, sizeof a[1].holder_name, "Clinique <Pasteur> & fils");
	base_alert(&a[2]);
	a[2].id = 19;
	snprintf(a[2].kind, sizeof a[2].kind, "sms_failed");
	snprintf(a[2].severity, sizeof a[2].severity, "critical");
	a[2].dep[0] = a[2].commune[0] = '\0';
	for (int i = 0; i < 3; i++)
		assert_int_equal(cap_feed_entry(&b, &a[i], base, SENDER, 0), 0);
	assert_int_equal(cap_feed_end(&b), 0);
	const char *feed = b.data;
	xmllint(feed, 0, "the feed");

	static const struct cap_case c = {.name = "the feed"};
	expect_text(&c, feed, "updated", UPDATED_ISO);
	expect_text(&c, feed, "id", "urn:renfort:alerts:active");
	char title[256];
	assert_true(xml_text(feed, "title", 2, title, sizeof title)); /* the feed's, then one per entry */
	assert_string_equal(title, "Clinique <Pasteur> & fils — sans relevé (warning)");
	assert_true(xml_text(feed, "title", 1, title, sizeof title));
	assert_string_equal(title, "EHPAD Les Peupliers — Masques FFP2 (warning)");
	assert_true(xml_text(feed, "title", 3, title, sizeof title));
	assert_string_equal(title, "EHPAD Les Peupliers — SMS non envoyés (critical)");
	assert_non_null(strstr(feed, "href=\"https://renfort.example/x?a=1&amp;b=&lt;2&gt;/api/v1/alerts/feed\""));
	assert_non_null(strstr(feed, "href=\"https://renfort.example/x?a=1&amp;b=&lt;2&gt;/api/v1/alerts/18/cap\""));
	assert_int_equal(count_of(feed, "<entry>"), 3);
	assert_int_equal(count_of(feed, "<id>urn:renfort:alert:18:v3</id>"), 1);

	/* each inline alert, taken out with a declaration, is valid CAP */
	const char *p = feed;
	for (int i = 0; i < 3; i++) {
		const char *start = strstr(p, "<alert xmlns=");
		assert_non_null(start);
		const char *end = strstr(start, "</alert>\n");
		assert_non_null(end);
		end += strlen("</alert>\n");
		struct buf one;
		buf_init(&one);
		buf_puts(&one, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
		buf_append(&one, start, (size_t)(end - start));
		char *alone = render(&a[i], SENDER, 1);
		assert_string_equal(one.data, alone); /* the same document as the standalone one */
		xmllint(one.data, 1, "an alert of the feed");
		free(alone);
		buf_release(&one);
		p = end;
	}
	buf_release(&b);
}

/* An exercise's documents and feed entries say status Exercise, and nothing else changes: the same
 * document with Actual in its place, valid CAP. */
static void test_exercise_status(void **state)
{
	(void)state;
	assert_string_equal(cap_status(0), "Actual");
	assert_string_equal(cap_status(1), "Exercise");
	struct alert_row a;
	base_alert(&a);
	set_cover(&a, 1, 1.5);
	struct buf ex, actual, feed;
	buf_init(&ex);
	buf_init(&actual);
	buf_init(&feed);
	assert_int_equal(cap_alert_xml(&ex, &a, SENDER, 1, 1), 0);
	assert_int_equal(cap_alert_xml(&actual, &a, SENDER, 0, 1), 0);
	xmllint(ex.data, 1, "an exercise's alert");
	static const struct cap_case c = {.name = "exercise"};
	expect_text(&c, ex.data, "status", "Exercise");
	assert_int_equal(count_of(ex.data, "<status>"), 1);
	const char *at = strstr(actual.data, "<status>Actual</status>");
	assert_non_null(at);
	struct buf same;
	buf_init(&same);
	buf_append(&same, actual.data, (size_t)(at - actual.data));
	buf_puts(&same, "<status>Exercise</status>");
	buf_puts(&same, at + strlen("<status>Actual</status>"));
	assert_string_equal(same.data, ex.data);
	assert_int_equal(cap_feed_begin(&feed, "http://x", UPDATED), 0);
	assert_int_equal(cap_feed_entry(&feed, &a, "http://x", SENDER, 1), 0);
	assert_int_equal(cap_feed_end(&feed), 0);
	assert_int_equal(count_of(feed.data, "<status>Exercise</status>"), 1);
	assert_int_equal(count_of(feed.data, "Actual"), 0);
	buf_release(&same);
	buf_release(&ex);
	buf_release(&actual);
	buf_release(&feed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cap_cases),
		cmocka_unit_test(test_special_characters_round_trip),
		cmocka_unit_test(test_longest_texts),
		cmocka_unit_test(test_references_with_a_long_sender),
		cmocka_unit_test(test_xml_escape),
		cmocka_unit_test(test_cap_time),
		cmocka_unit_test(test_feed),
		cmocka_unit_test(test_exercise_status),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
