/* demo: the demo region, generated the same way every time (a fixed-seed generator), through the
 * same validation as the API: the FINESS file goes through the CSV import, every generated
 * structure and volunteer through registry_create(). */
#include "demo.h"

#include "events.h"

#include "api_handlers.h"
#include "app.h"
#include "auth.h"
#include "burn.h"
#include "log.h"
#include "seed.h"
#include "server_tokens.h"
#include "stock.h"
#include "store.h"
#include "store_record.h"
#include "store_sms.h"
#include "store_stock.h"
#include "store_territory.h"
#include "tx.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct rng {
	unsigned long long s;
};

/* splitmix64: small, fast, and the same sequence on every machine */
static unsigned long long rng_next(struct rng *r)
{
	unsigned long long z = (r->s += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static long rng_range(struct rng *r, long lo, long hi) /* inclusive */
{
	return lo + (long)(rng_next(r) % (unsigned long long)(hi - lo + 1));
}

static double rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) / 9007199254740992.0;
}

struct weighted {
	const char *value;
	int weight;
};

static const char *pick(struct rng *r, const struct weighted *w)
{
	int total = 0;
	for (const struct weighted *p = w; p->value; p++)
		total += p->weight;
	long x = rng_range(r, 0, total - 1);
	for (const struct weighted *p = w; p->value; p++) {
		if (x < p->weight)
			return p->value;
		x -= p->weight;
	}
	return w[0].value;
}

/* --- communes, drawn in proportion to population ------------------------------------------------------ */

struct town {
	struct commune c;
	long long cumulative;
};

struct towns {
	struct town *v;
	size_t n, cap;
	long long total;
};

static int add_town(void *ctx, const struct commune *c)
{
	struct towns *t = ctx;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;
		struct town *v = realloc(t->v, cap * sizeof *v);
		if (!v)
			return 1;
		t->v = v;
		t->cap = cap;
	}
	t->total += c->population > 0 ? c->population : 1;
	t->v[t->n].c = *c;
	t->v[t->n++].cumulative = t->total;
	return 0;
}

static const struct commune *pick_town(struct rng *r, const struct towns *t)
{
	long long x = (long long)(rng_unit(r) * (double)t->total);
	size_t lo = 0, hi = t->n - 1;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (t->v[mid].cumulative <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return &t->v[lo].c;
}

/* --- names -------------------------------------------------------------------------------------------------- */

static const char *const first_names_f[] = {"Marie", "Camille", "Léa", "Manon", "Chloé", "Emma", "Inès", "Sarah",
					    "Julie", "Laura", "Pauline", "Céline", "Nathalie", "Isabelle", "Sandrine",
					    "Sophie", "Aurélie", "Claire", "Élodie", "Mélanie", "Fatima", "Nadia",
					    "Anaïs", "Margaux", "Lucie", "Hélène", "Valérie", "Christine", "Amandine",
					    "Océane"};
static const char *const first_names_m[] = {"Thomas", "Nicolas", "Julien", "Maxime", "Alexandre", "Pierre",
					    "Antoine", "Mathieu", "Kevin", "Romain", "Sébastien", "Laurent", "Olivier",
					    "Jérôme", "Karim", "Mehdi", "Hugo", "Lucas", "Quentin", "Vincent", "Baptiste",
					    "François", "Guillaume", "Florian", "Damien"};
static const char *const last_names[] = {
	"Martin",  "Bernard", "Dubois",	  "Thomas",   "Robert",	  "Richard", "Petit",   "Durand",  "Leroy",
	"Moreau",  "Simon",   "Laurent",  "Lefebvre", "Michel",	  "Garcia",  "David",   "Bertrand", "Roux",
	"Vincent", "Fournier", "Morel",	  "Girard",   "André",	  "Mercier", "Dupont",  "Lambert", "Bonnet",
	"François", "Martinez", "Fabre",  "Castel",   "Rouquette", "Bousquet", "Vidal", "Estève",  "Cabrol",
	"Delmas",  "Teisseire", "Marty",  "Pujol",    "Sanchez",  "Lopez",   "Fernandez", "Benali", "Haddad",
	"Nguyen",  "Ferrand", "Caussade", "Azéma",    "Maury"};
static const char *const home_names[] = {"Les Tilleuls", "Les Oliviers", "Le Val Fleuri", "Les Cèdres",
					 "La Roseraie", "Les Glycines", "Le Clos du Moulin", "Les Magnolias",
					 "La Bastide", "Les Jardins d'Occitanie", "Le Mas des Cigales", "Les Platanes",
					 "Saint-Joseph", "Sainte-Marie", "La Garrigue", "Les Vignes", "Le Causse",
					 "Les Pyrénées", "La Source", "Les Acacias"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* --- structures ---------------------------------------------------------------------------------------------- */

struct kind_plan {
	const char *category;
	const char *prefix;
	int count;
	int cap_lo, cap_hi;
	const struct weighted *forms;
};

static const struct weighted forms_ehpad[] = {{"public", 45}, {"association", 22}, {"foundation", 5}, {"mutuelle", 6},
					      {"private_for_profit", 22}, {NULL, 0}};
static const struct weighted forms_social[] = {{"association", 60}, {"foundation", 12}, {"mutuelle", 6},
					       {"public", 15}, {"cooperative", 7}, {NULL, 0}};
static const struct weighted forms_care[] = {{"association", 45}, {"mutuelle", 15}, {"public", 20},
					     {"cooperative", 10}, {"private_for_profit", 10}, {NULL, 0}};

static const struct kind_plan plans[] = {
	{"ehpad", "EHPAD", 840, 40, 120, forms_ehpad},
	{"disability_home", "Foyer d'accueil médicalisé", 260, 15, 60, forms_social},
	{"home_care", "SSIAD", 200, 20, 90, forms_care},
	{"home_hospitalisation", "HAD", 40, 20, 120, forms_care},
	{"shelter", "Centre d'hébergement", 70, 20, 100, forms_social},
	{"health_centre", "Centre de santé", 150, 0, 0, forms_care},
};

static int create_or_fail(struct app *app, const struct principal *admin, const struct entity *e, cJSON *obj,
			  long long *id, char *err, size_t errlen)
{
	struct rf_error e2;
	rf_error_clear(&e2);
	int rc = registry_create(app, admin, e, obj, id, NULL, &e2);
	cJSON_Delete(obj);
	if (rc)
		snprintf(err, errlen, "%s: %s: %s", e->name, e2.field, e2.rule);
	return rc;
}

static int generate_structures(struct app *app, const struct principal *admin, struct rng *r, const struct towns *t,
			       char *err, size_t errlen)
{
	int phone = 0;
	for (size_t k = 0; k < COUNT(plans); k++)
		for (int i = 0; i < plans[k].count; i++) {
			const struct commune *c = pick_town(r, t);
			cJSON *o = cJSON_CreateObject();
			char name[200];
			snprintf(name, sizeof name, "%s %s — %s", plans[k].prefix, home_names[rng_range(r, 0, COUNT(home_names) - 1)],
				 c->name);
			cJSON_AddStringToObject(o, "name", name);
			cJSON_AddStringToObject(o, "category", plans[k].category);
			cJSON_AddStringToObject(o, "legal_form", pick(r, plans[k].forms));
			cJSON_AddStringToObject(o, "commune", c->insee);
			/* a few hundred metres around the commune's centre */
			cJSON_AddNumberToObject(o, "lat", round((c->lat + (rng_unit(r) - 0.5) * 0.01) * 1e5) / 1e5);
			cJSON_AddNumberToObject(o, "lng", round((c->lng + (rng_unit(r) - 0.5) * 0.014) * 1e5) / 1e5);
			if (plans[k].cap_hi) {
				long cap = rng_range(r, plans[k].cap_lo, plans[k].cap_hi);
				cJSON_AddNumberToObject(o, "capacity", (double)cap);
				cJSON_AddNumberToObject(o, "occupancy", (double)(cap * rng_range(r, 82, 100) / 100));
				cJSON_AddNumberToObject(o, "staff", (double)(cap * rng_range(r, 45, 75) / 100));
			} else
				cJSON_AddNumberToObject(o, "staff", (double)rng_range(r, 4, 25));
			/* contacts in ARCEP's range reserved for fiction (05 36 49 xx xx): nobody's real line */
			cJSON *contacts = cJSON_AddArrayToObject(o, "contacts");
			cJSON *ct = cJSON_CreateObject();
			char tel[20];
			snprintf(tel, sizeof tel, "+33536%06d", 490000 + (phone++ % 10000));
			cJSON_AddStringToObject(ct, "name", "Direction");
			cJSON_AddStringToObject(ct, "phone", tel);
			cJSON_AddStringToObject(ct, "lang", "fr");
			cJSON_AddStringToObject(ct, "role", "direction");
			cJSON_AddItemToArray(contacts, ct);
			long long id;
			if (create_or_fail(app, admin, &entity_structure, o, &id, err, errlen))
				return -1;
		}
	return 0;
}

/* --- volunteers ------------------------------------------------------------------------------------------------ */

static const struct weighted professions[] = {
	{"nurse", 30}, {"care_assistant", 24}, {"doctor", 8}, {"psychologist", 4}, {"social_worker", 6},
	{"logistician", 8}, {"driver", 8}, {"pharmacist", 2}, {"midwife", 2}, {"physiotherapist", 3},
	{"educator", 3}, {"administrative", 2}, {NULL, 0}};
static const char *const health_skills[] = {"geriatrics", "intensive-care", "covid-swab", "palliative-care",
					    "pediatrics", "mental-health", "emergency", "vaccination", "wound-care",
					    "dementia-care"};
static const char *const support_skills[] = {"logistics", "forklift", "heavy-vehicle", "stock-management",
					     "cold-chain", "radio", "first-aid"};

static int is_health(const char *p)
{
	return strcmp(p, "logistician") && strcmp(p, "driver") && strcmp(p, "administrative");
}

static int generate_volunteers(struct app *app, const struct principal *admin, struct rng *r, const struct towns *t,
			       long long today_days, char *err, size_t errlen)
{
	for (int i = 0; i < 2000; i++) {
		const struct commune *c = pick_town(r, t);
		const char *prof = pick(r, professions);
		cJSON *o = cJSON_CreateObject();
		double g = rng_unit(r);
		const char *gender = g < 0.58 ? "female" : g < 0.9 ? "male" : NULL;
		int female = gender ? gender[0] == 'f' : rng_unit(r) < 0.5;
		cJSON_AddStringToObject(o, "first_name", female ? first_names_f[rng_range(r, 0, COUNT(first_names_f) - 1)]
								: first_names_m[rng_range(r, 0, COUNT(first_names_m) - 1)]);
		cJSON_AddStringToObject(o, "last_name", last_names[rng_range(r, 0, COUNT(last_names) - 1)]);
		/* ARCEP's mobile range reserved for fiction, 06 39 98 xx xx: unique, and nobody's number */
		char tel[20];
		snprintf(tel, sizeof tel, "+3363998%04d", i);
		cJSON_AddStringToObject(o, "phone", tel);
		cJSON_AddStringToObject(o, "profession", prof);
		cJSON *skills = cJSON_AddArrayToObject(o, "skills");
		const char *const *pool = is_health(prof) ? health_skills : support_skills;
		size_t npool = is_health(prof) ? COUNT(health_skills) : COUNT(support_skills);
		size_t first = (size_t)rng_range(r, 0, (long)npool - 1);
		long nskills = rng_range(r, 0, 3);
		for (long k = 0; k < nskills; k++)
			cJSON_AddItemToArray(skills, cJSON_CreateString(pool[(first + (size_t)k) % npool]));
		cJSON *langs = cJSON_AddArrayToObject(o, "languages");
		cJSON_AddItemToArray(langs, cJSON_CreateString("fr"));
		double l = rng_unit(r);
		if (l < 0.22)
			cJSON_AddItemToArray(langs, cJSON_CreateString("en"));
		else if (l < 0.30)
			cJSON_AddItemToArray(langs, cJSON_CreateString("es"));
		else if (l < 0.35)
			cJSON_AddItemToArray(langs, cJSON_CreateString("ar"));
		else if (l < 0.38)
			cJSON_AddItemToArray(langs, cJSON_CreateString("oc"));
		cJSON_AddStringToObject(o, "home_commune", c->insee);
		cJSON_AddNumberToObject(o, "travel_radius_km", (double)(rng_range(r, 2, 16) * 5));
		double a = rng_unit(r);
		cJSON_AddStringToObject(o, "availability", a < 0.7 ? "available" : a < 0.95 ? "unavailable" : "on_mission");
		cJSON_AddStringToObject(o, "sms_lang", l < 0.08 ? "en" : "fr");
		char date[16];
		long long consent = today_days - rng_range(r, 10, 6 * 365);
		time_t ct = (time_t)(consent * 86400);
		struct tm tm;
		gmtime_r(&ct, &tm);
		strftime(date, sizeof date, "%Y-%m-%d", &tm);
		cJSON_AddStringToObject(o, "consent_at", date);
		if (gender)
			cJSON_AddStringToObject(o, "gender", gender);
		cJSON *creds = cJSON_AddArrayToObject(o, "credentials");
		if (is_health(prof)) {
			cJSON *d = cJSON_CreateObject();
			cJSON_AddStringToObject(d, "kind", !strcmp(prof, "doctor") || !strcmp(prof, "pharmacist") ||
									   !strcmp(prof, "midwife")
								   ? "rpps"
								   : "diploma");
			cJSON_AddItemToArray(creds, d);
		}
		if (!strcmp(prof, "driver") || rng_unit(r) < 0.3) {
			cJSON *d = cJSON_CreateObject();
			cJSON_AddStringToObject(d, "kind", "driving_licence");
			cJSON_AddItemToArray(creds, d);
		}
		/* first-aid certificates last two years: some expired, some expiring within weeks */
		cJSON *fa = cJSON_CreateObject();
		cJSON_AddStringToObject(fa, "kind", "first_aid");
		time_t exp = (time_t)((today_days + rng_range(r, -120, 700)) * 86400);
		gmtime_r(&exp, &tm);
		strftime(date, sizeof date, "%Y-%m-%d", &tm);
		cJSON_AddStringToObject(fa, "expires_on", date);
		cJSON_AddItemToArray(creds, fa);
		long long id;
		if (create_or_fail(app, admin, &entity_volunteer, o, &id, err, errlen))
			return -1;
	}
	return 0;
}

/* --- depots and stock -------------------------------------------------------------------------------------------- */

struct deps {
	struct departement v[16];
	int n;
};

static int add_dep(void *ctx, const struct departement *d)
{
	struct deps *ds = ctx;
	if (ds->n < 16)
		ds->v[ds->n++] = *d;
	return 0;
}

/* The items a crisis cell counts first, and how many a regional depot holds. */
static const struct {
	const char *code;
	long regional;
} stock_items[] = {
	{"respirator", 400000},
	{"mask-medical-surgical-for-healthworker", 2000000},
	{"mask-medical-surgical-for-patient", 600000},
	{"gown-protective", 300000},
	{"gloves-examination", 3000000},
	{"alcohol-based-hand-rub", 60000},
	{"apron-disposable", 400000},
	{"face-shield", 120000},
	{"goggles-protective", 20000},
	{"bio-hazardous-bag", 250000},
	{"pulse-oximeter", 3000},
	{"oxygen-source-i-e-concentrator-cylinder-or-pipe-supply", 800},
};

/* Hospitals of the FINESS extract come without beds or staff: give them plausible ones. */
struct sizing_ctx {
	struct app *app;
	struct rng *r;
	int failed;
};

static int size_hospital(void *ctx, struct record *rec)
{
	struct sizing_ctx *c = ctx;
	if (rec->v[STRUCTURE_CAPACITY].state != V_SET) {
		const char *cat = rec->v[STRUCTURE_CATEGORY].s;
		long lo = 150, hi = 600;
		if (!strcmp(cat, "psychiatric_hospital"))
			lo = 50, hi = 250;
		else if (!strcmp(cat, "rehabilitation"))
			lo = 40, hi = 150;
		else if (!strcmp(cat, "long_term_care"))
			lo = 30, hi = 120;
		long cap = rng_range(c->r, lo, hi);
		struct record *patch = record_new(&entity_structure);
		record_set_int(patch, STRUCTURE_CAPACITY, cap);
		record_set_int(patch, STRUCTURE_OCCUPANCY, cap * rng_range(c->r, 80, 97) / 100);
		record_set_int(patch, STRUCTURE_STAFF, cap * rng_range(c->r, 80, 150) / 100);
				if (store_record_update(c->app->store, &principal_system, rec->v[STRUCTURE_ID].i, patch))
			c->failed = 1;
		record_free(patch);
	}
	record_free(rec);
	return 0;
}

struct stock_ctx {
	struct app *app;
	struct rng *r;
	const struct item_info *items;
	size_t nitems;
	int failed;
	char why[512];
};

/* Each structure's first count, through the very code of a stock report, in days of what a structure
 * without history is taken to burn (forecast_cold_percent of the catalogue's rates): mostly two to
 * eight weeks, and a few short ones, so that the dashboard has shortages (and their warnings) to
 * show from the first minute. */
static int seed_structure_stock(void *ctx, long long id, long long occupancy, long long staff)
{
	struct stock_ctx *sc = ctx;
	struct stock_report *in = calloc(1, sizeof *in);
	struct stock_report_result *out = malloc(sizeof *out);
	if (!in || !out) {
		snprintf(sc->why, sizeof sc->why, "out of memory");
		sc->failed = 1;
	}
	char key[64];
	snprintf(key, sizeof key, "demo-first-count-%lld", id);
	if (in) {
		in->holder.kind = HOLDER_STRUCTURE;
		in->holder.id = id;
		in->occupancy = in->staff = -1;
		in->idempotency_key = key;
	}
	for (size_t i = 0; in && i < sc->nitems && in->nlines < STOCK_REPORT_MAX_LINES; i++) {
		const struct item_info *it = &sc->items[i];
		double rate = burn_catalogue(it->per_worker, it->per_patient, it->per_bed, occupancy, staff) *
			      (double)sc->app->cfg.forecast_cold_percent / 100.0;
		if (rate <= 0)
			continue;
		/* most are well stocked; one line in twelve is running short */
		double days = rng_range(sc->r, 0, 11) == 0 ? (double)rng_range(sc->r, 5, 90) / 10.0
							  : (double)rng_range(sc->r, 120, 600) / 10.0;
		in->lines[in->nlines].item.code = it->code;
		in->lines[in->nlines].quantity = (long long)(rate * days + 0.5);
		in->nlines++;
	}
	struct rf_error err;
	if (!sc->failed && in->nlines && stock_report_apply(sc->app, &principal_system, in, out, &err)) {
		snprintf(sc->why, sizeof sc->why, "first count of structure %lld: %s: %s", id, err.field, err.rule);
		sc->failed = 1;
	}
	free(in);
	free(out);
	return sc->failed;
}

static int generate_depots_and_stock(struct app *app, const struct principal *admin, struct rng *r, char *err,
				     size_t errlen)
{
	struct deps ds = {.n = 0};
	if (store_departement_list(app->store, add_dep, &ds))
		return -1;
	long long item_ids[COUNT(stock_items)];
	for (size_t i = 0; i < COUNT(stock_items); i++)
		if (store_item_id(app->store, stock_items[i].code, &item_ids[i])) {
			snprintf(err, errlen, "item %s missing from the catalogue", stock_items[i].code);
			return -1;
		}
	for (int d = -1; d < ds.n; d++) {
		cJSON *o = cJSON_CreateObject();
		char name[160];
		const char *commune = d < 0 ? "31555" : ds.v[d].prefecture;
		if (d < 0)
			snprintf(name, sizeof name, "Socle régional Occitanie — Toulouse");
		else
			snprintf(name, sizeof name, "Socle départemental %s", ds.v[d].name);
		cJSON_AddStringToObject(o, "name", name);
		cJSON_AddStringToObject(o, "level", d < 0 ? "regional" : "departemental");
		cJSON_AddStringToObject(o, "commune", commune);
		long long id;
		if (create_or_fail(app, admin, &entity_depot, o, &id, err, errlen))
			return -1;
		if (d >= 0) {
			/* the département's duty officer, in ARCEP's range for fiction too */
			cJSON *off = cJSON_CreateObject();
			char oname[120], tel[24];
			snprintf(oname, sizeof oname, "Astreinte %s", ds.v[d].name);
			snprintf(tel, sizeof tel, "+336399899%02d", d % 100);
			cJSON_AddStringToObject(off, "name", oname);
			cJSON_AddStringToObject(off, "phone", tel);
			cJSON_AddStringToObject(off, "dep", ds.v[d].code);
			long long oid;
			if (create_or_fail(app, admin, &entity_duty_officer, off, &oid, err, errlen))
				return -1;
		}
		for (size_t i = 0; i < COUNT(stock_items); i++) {
			long q = d < 0 ? stock_items[i].regional : stock_items[i].regional / 20 * rng_range(r, 5, 15) / 10;
			if (store_stock_set(app->store, HOLDER_DEPOT, id, item_ids[i], q, "adjustment", 0, NULL, NULL))
				return -1;
		}
	}
	struct sizing_ctx zc = {app, r, 0};
	struct list_query all;
	memset(&all, 0, sizeof all);
	all.limit = 1000000;
		if (store_record_list(app->store, &entity_structure, &principal_system, &all, size_hospital, &zc, NULL) || zc.failed)
		return -1;
	struct item_info items[COUNT(stock_items)];
	for (size_t i = 0; i < COUNT(stock_items); i++)
		if (store_item_find(app->store, stock_items[i].code, 0, &items[i]))
			return -1;
	struct stock_ctx sc = {app, r, items, COUNT(stock_items), 0, ""};
	if (store_structure_headcounts(app->store, seed_structure_stock, &sc) || sc.failed) {
		snprintf(err, errlen, "%s", sc.why[0] ? sc.why : "stock");
		return -1;
	}
	return 0;
}

/* --- the whole demo ------------------------------------------------------------------------------------------------- */

static int generate(struct app *app, char *err, size_t errlen)
{
		struct rng r = {20200317ULL}; /* the first day of France's 2020 lockdown */
	struct towns t = {NULL, 0, 0, 0};
	int rc = -1;
	if (store_commune_list(app->store, NULL, NULL, NULL, 100000, add_town, &t) || !t.n) {
		snprintf(err, errlen, "no communes loaded");
		goto out;
	}

	/* the real hospitals, through the CSV import exactly as a coordinator would send the file */
	char path[1024];
	size_t len;
	snprintf(path, sizeof path, "%s/occitanie-hopitaux-eurostat-2020.csv", app->cfg.data_dir);
	struct op_request req;
	struct op_response res;
	memset(&req, 0, sizeof req);
	memset(&res, 0, sizeof res);
	req.op = api_find_op("structures.import");
	req.who = principal_system;
	req.raw_body = seed_read_file(path, &len);
	req.raw_len = len;
	snprintf(req.content_type, sizeof req.content_type, "text/csv");
	if (!req.raw_body) {
		snprintf(err, errlen, "cannot read %s", path);
		goto out;
	}
	req.op->fn(app, &req, &res);
	if (res.status >= 400) {
		snprintf(err, errlen, "FINESS import, line %ld: %s: %s", res.err.line, res.err.field, res.err.rule);
		op_request_release(&req);
		op_response_release(&res);
		goto out;
	}
	op_request_release(&req);
	op_response_release(&res);

	long long today = app_now(app) / 86400000;
	if (generate_structures(app, &principal_system, &r, &t, err, errlen) ||
	    generate_volunteers(app, &principal_system, &r, &t, today, err, errlen) ||
	    generate_depots_and_stock(app, &principal_system, &r, err, errlen))
		goto out;
	rc = 0;
out:
	free(t.v);
	return rc;
}

int demo_prepare(struct app *app, char *err, size_t errlen)
{
	snprintf(err, errlen, "the database failed");
	if (store_structure_count(app->store) == 0) {
		log_info("demo: generating the demo region (hospitals, structures, volunteers, depots, stock)...");
		if (tx_begin(app))
			return -1;
		/* the first counts open alerts, but the demo's starting state pages nobody */
		if (generate(app, err, errlen) || store_sms_cancel_queued(app->store, "demo: initial state, not sent")) {
			tx_rollback(app);
			return -1;
		}
		/* the demo's own writes are not news for anyone: its events are not published */
		events_drop_from(app, 0);
		if (tx_commit(app))
			return -1;
		log_info("demo: %lld structures ready", store_structure_count(app->store));
	}
	char secret[48];
	if (server_token_issue(app, ROLE_COORDINATOR, "demo coordinator", secret))
		return -1;
	snprintf(app->demo_token, sizeof app->demo_token, "%s", secret);
	return 0;
}
