#include "model.h"

#include "auth.h"

#include <stdlib.h>
#include <string.h>

static const char *const structure_categories[] = {
	"hospital", "psychiatric_hospital", "rehabilitation", "long_term_care", "ehpad", "disability_home",
	"home_hospitalisation", "home_care", "shelter", "health_centre", "other", NULL};
static const char *const legal_forms[] = {"association", "mutuelle", "cooperative", "foundation", "public",
					  "private_for_profit", "private_unspecified", "unspecified", NULL};
static const char *const active_closed[] = {"active", "closed", NULL};
static const char *const sms_langs[] = {"fr", "en", NULL};
static const char *const depot_levels[] = {"regional", "departemental", NULL};
static const char *const professions[] = {
	"nurse", "care_assistant", "doctor", "midwife", "pharmacist", "physiotherapist", "psychologist",
	"social_worker", "educator", "logistician", "driver", "administrative", "other", NULL};
static const char *const availabilities[] = {"available", "unavailable", "on_mission", NULL};
static const char *const genders[] = {"female", "male", "other", NULL};
/* pending: signed up on the public page, waiting for a coordinator to validate their credentials */
static const char *const volunteer_statuses[] = {"active", "pending", "suspended", NULL};
static const char *const credential_kinds[] = {"diploma", "rpps", "adeli", "driving_licence", "first_aid",
					       "vaccination", "other", NULL};

/* Occitanie's extent with a margin: a coordinate outside is a typo (swapped lat/lng, missing sign). */
#define LAT_MIN 41.5
#define LAT_MAX 45.5
#define LNG_MIN -1.0
#define LNG_MAX 5.5

#define ID {"id", FK_ID, F_READONLY, 0, 0, 0, 0, NULL, NULL}
#define CREATED {"created_at", FK_TIME, F_READONLY, 0, 0, 0, 0, NULL, NULL}
#define UPDATED {"updated_at", FK_TIME, F_READONLY, 0, 0, 0, 0, NULL, NULL}
#define DEP {"dep", FK_DEP, F_READONLY | F_FILTER, 0, 0, 0, 0, NULL, NULL}
#define LAT {"lat", FK_REAL, 0, 0, 0, LAT_MIN, LAT_MAX, NULL, NULL}
#define LNG {"lng", FK_REAL, 0, 0, 0, LNG_MIN, LNG_MAX, NULL, NULL}

static const struct field contact_fields[] = {
	{"name", FK_TEXT, F_NULLABLE | F_PERSONAL, 1, 120, 0, 0, NULL, NULL},
	{"phone", FK_PHONE, F_REQUIRED | F_PERSONAL, 0, 0, 0, 0, NULL, NULL},
	{"lang", FK_ENUM, 0, 0, 0, 0, 0, sms_langs, NULL},
	{"role", FK_TEXT, F_NULLABLE, 1, 80, 0, 0, NULL, NULL},
};

const struct entity entity_structure_contact = {
	"structure_contact", "contacts", "structure_contacts", contact_fields,
	sizeof contact_fields / sizeof contact_fields[0], "structure_id", -1, -1, 0};

static const struct field structure_fields[] = {
	ID,
	{"name", FK_TEXT, F_REQUIRED | F_FILTER, 1, 200, 0, 0, NULL, NULL},
	{"category", FK_ENUM, F_REQUIRED | F_FILTER, 0, 0, 0, 0, structure_categories, NULL},
	{"legal_form", FK_ENUM, F_REQUIRED | F_FILTER, 0, 0, 0, 0, legal_forms, NULL},
	{"finess", FK_FINESS, F_NULLABLE | F_FILTER, 0, 0, 0, 0, NULL, NULL},
	{"commune", FK_COMMUNE, F_REQUIRED | F_FILTER, 0, 0, 0, 0, NULL, NULL},
	DEP,
	LAT,
	LNG,
	{"capacity", FK_INT, F_NULLABLE | F_SELF, 0, 20000, 0, 0, NULL, NULL},
	{"occupancy", FK_INT, F_NULLABLE | F_SELF, 0, 20000, 0, 0, NULL, NULL},
	{"staff", FK_INT, F_NULLABLE | F_SELF, 0, 50000, 0, 0, NULL, NULL},
	{"status", FK_ENUM, F_FILTER, 0, 0, 0, 0, active_closed, NULL},
	{"contacts", FK_CHILDREN, F_SELF, 0, 20, 0, 0, NULL, &entity_structure_contact},
	CREATED,
	UPDATED,
};

const struct entity entity_structure = {
	"structure", "structures", "structures", structure_fields,
	sizeof structure_fields / sizeof structure_fields[0], NULL, STRUCTURE_COMMUNE, ROLE_STRUCTURE,
	E_SCOPED | E_GEO};

static const struct field depot_fields[] = {
	ID,
	{"name", FK_TEXT, F_REQUIRED | F_FILTER, 1, 200, 0, 0, NULL, NULL},
	{"level", FK_ENUM, F_REQUIRED | F_FILTER, 0, 0, 0, 0, depot_levels, NULL},
	{"commune", FK_COMMUNE, F_REQUIRED | F_FILTER, 0, 0, 0, 0, NULL, NULL},
	DEP,
	LAT,
	LNG,
	{"phone", FK_PHONE, F_NULLABLE | F_SELF, 0, 0, 0, 0, NULL, NULL},
	{"status", FK_ENUM, F_FILTER, 0, 0, 0, 0, active_closed, NULL},
	CREATED,
	UPDATED,
};

const struct entity entity_depot = {
	"depot", "depots", "depots", depot_fields, sizeof depot_fields / sizeof depot_fields[0], NULL,
	DEPOT_COMMUNE, ROLE_DEPOT, E_SCOPED | E_GEO | E_REGIONAL_SHARED};

static const struct field item_fields[] = {
	ID,
	{"code", FK_TEXT, F_REQUIRED | F_IMMUTABLE | F_FILTER, 1, 64, 0, 0, NULL, NULL},
	{"name", FK_TEXT, F_REQUIRED, 1, 200, 0, 0, NULL, NULL},
	{"category", FK_TEXT, F_REQUIRED | F_FILTER, 1, 60, 0, 0, NULL, NULL},
	{"unit", FK_TEXT, F_REQUIRED, 1, 40, 0, 0, NULL, NULL},
	{"reusable", FK_BOOL, 0, 0, 0, 0, 0, NULL, NULL},
	{"burn_per_worker_day", FK_REAL, F_NULLABLE, 0, 0, 0, 1000, NULL, NULL},
	{"burn_per_patient_day", FK_REAL, F_NULLABLE, 0, 0, 0, 1000, NULL, NULL},
	{"burn_per_bed_day", FK_REAL, F_NULLABLE, 0, 0, 0, 1000, NULL, NULL},
	CREATED,
	UPDATED,
};

const struct entity entity_item = {
	"item", "items", "items", item_fields, sizeof item_fields / sizeof item_fields[0], NULL, -1, -1, 0};

static const struct field credential_fields[] = {
	{"kind", FK_ENUM, F_REQUIRED, 0, 0, 0, 0, credential_kinds, NULL},
	{"reference", FK_TEXT, F_NULLABLE | F_PERSONAL, 1, 80, 0, 0, NULL, NULL},
	{"expires_on", FK_DATE, F_NULLABLE, 0, 0, 0, 0, NULL, NULL},
};

const struct entity entity_volunteer_credential = {
	"volunteer_credential", "credentials", "volunteer_credentials", credential_fields,
	sizeof credential_fields / sizeof credential_fields[0], "volunteer_id", -1, -1, 0};

static const struct field volunteer_fields[] = {
	ID,
	{"first_name", FK_TEXT, F_REQUIRED | F_PERSONAL | F_SELF, 1, 100, 0, 0, NULL, NULL},
	{"last_name", FK_TEXT, F_REQUIRED | F_PERSONAL | F_SELF, 1, 100, 0, 0, NULL, NULL},
	{"phone", FK_PHONE, F_REQUIRED | F_PERSONAL | F_SELF | F_UNIQUE_IN_SCOPE, 0, 0, 0, 0, NULL, NULL},
	{"email", FK_TEXT, F_NULLABLE | F_PERSONAL | F_SELF, 3, 254, 0, 0, NULL, NULL},
	{"profession", FK_ENUM, F_REQUIRED | F_FILTER, 0, 0, 0, 0, professions, NULL},
	{"skills", FK_WORDS, F_FILTER | F_SELF, 0, 30, 0, 0, NULL, NULL},
	{"languages", FK_LANGS, F_FILTER | F_SELF, 0, 10, 0, 0, NULL, NULL},
	{"home_commune", FK_COMMUNE, F_REQUIRED | F_PERSONAL | F_FILTER | F_SELF, 0, 0, 0, 0, NULL, NULL},
	DEP,
	{"travel_radius_km", FK_INT, F_SELF, 0, 500, 0, 0, NULL, NULL},
	{"availability", FK_ENUM, F_FILTER | F_SELF, 0, 0, 0, 0, availabilities, NULL},
	{"sms_lang", FK_ENUM, F_SELF, 0, 0, 0, 0, sms_langs, NULL},
	{"consent_at", FK_DATE, F_REQUIRED, 0, 0, 0, 0, NULL, NULL},
	{"gender", FK_ENUM, F_NULLABLE | F_PERSONAL | F_SELF, 0, 0, 0, 0, genders, NULL},
	{"status", FK_ENUM, F_FILTER, 0, 0, 0, 0, volunteer_statuses, NULL},
	{"credentials", FK_CHILDREN, 0, 0, 20, 0, 0, NULL, &entity_volunteer_credential},
	CREATED,
	UPDATED,
};

const struct entity entity_volunteer = {
	"volunteer", "volunteers", "volunteers", volunteer_fields,
	sizeof volunteer_fields / sizeof volunteer_fields[0], NULL, VOLUNTEER_HOME_COMMUNE, ROLE_VOLUNTEER,
	E_SCOPED | E_ERASABLE};

static const char *const region_deps[] = {"09", "11", "12", "30", "31", "32", "34",
					  "46", "48", "65", "66", "81", "82", NULL};
static const char *const active_inactive[] = {"active", "inactive", NULL};

static const struct field duty_officer_fields[] = {
	ID,
	{"name", FK_TEXT, F_REQUIRED | F_PERSONAL, 1, 120, 0, 0, NULL, NULL},
	{"phone", FK_PHONE, F_REQUIRED | F_PERSONAL, 0, 0, 0, 0, NULL, NULL},
	{"lang", FK_ENUM, 0, 0, 0, 0, 0, sms_langs, NULL},
	{"dep", FK_ENUM, F_NULLABLE | F_FILTER, 0, 0, 0, 0, region_deps, NULL},
	{"status", FK_ENUM, F_FILTER, 0, 0, 0, 0, active_inactive, NULL},
	CREATED,
	UPDATED,
};

const struct entity entity_duty_officer = {
	"duty_officer", "duty_officers", "duty_officers", duty_officer_fields,
	sizeof duty_officer_fields / sizeof duty_officer_fields[0], NULL, -1, -1, E_SCOPED};

static const struct entity *const registries[] = {&entity_structure, &entity_depot, &entity_item,
						  &entity_volunteer, &entity_duty_officer};

const struct field *entity_field(const struct entity *e, const char *name, int *index)
{
	for (size_t i = 0; i < e->nfields; i++)
		if (strcmp(e->fields[i].name, name) == 0) {
			if (index)
				*index = (int)i;
			return &e->fields[i];
		}
	return NULL;
}

const struct entity *entity_by_plural(const char *name)
{
	for (size_t i = 0; i < sizeof registries / sizeof registries[0]; i++)
		if (strcmp(registries[i]->plural, name) == 0)
			return registries[i];
	return NULL;
}

int field_enum_index(const struct field *f, const char *v)
{
	for (int i = 0; f->values && f->values[i]; i++)
		if (strcmp(f->values[i], v) == 0)
			return i;
	return -1;
}

int field_enum_ok(const struct field *f, const char *v)
{
	return field_enum_index(f, v) >= 0;
}

/* --- records ----------------------------------------------------------------------------------- */

struct record *record_new(const struct entity *e)
{
	struct record *r = calloc(1, sizeof *r + e->nfields * sizeof(struct value));
	if (r)
		r->e = e;
	return r;
}

static void value_clear(struct value *v)
{
	free(v->s);
	for (size_t i = 0; i < v->nrows; i++)
		record_free(v->rows[i]);
	free(v->rows);
	memset(v, 0, sizeof *v);
}

void record_free(struct record *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->e->nfields; i++)
		value_clear(&r->v[i]);
	free(r);
}

int record_set_text(struct record *r, int field, const char *s)
{
	char *copy = strdup(s);
	if (!copy)
		return -1;
	value_clear(&r->v[field]);
	r->v[field].s = copy;
	r->v[field].state = V_SET;
	return 0;
}

void record_set_int(struct record *r, int field, long long i)
{
	value_clear(&r->v[field]);
	r->v[field].i = i;
	r->v[field].state = V_SET;
}

void record_set_real(struct record *r, int field, double d)
{
	value_clear(&r->v[field]);
	r->v[field].d = d;
	r->v[field].state = V_SET;
}

void record_set_null(struct record *r, int field)
{
	value_clear(&r->v[field]);
	r->v[field].state = V_NULL;
}

int record_add_child(struct record *r, int field, struct record *child)
{
	struct value *v = &r->v[field];
	struct record **rows = realloc(v->rows, (v->nrows + 1) * sizeof *rows);
	if (!rows)
		return -1;
	v->rows = rows;
	v->rows[v->nrows++] = child;
	v->state = V_SET;
	return 0;
}

int record_merge(struct record *base, const struct record *patch)
{
	for (size_t i = 0; i < base->e->nfields; i++) {
		const struct value *p = &patch->v[i];
		if (p->state == V_ABSENT)
			continue;
		struct value *b = &base->v[i];
		value_clear(b);
		b->state = p->state;
		b->i = p->i;
		b->d = p->d;
		if (p->s && !(b->s = strdup(p->s)))
			return -1;
		if (p->nrows) {
			b->rows = calloc(p->nrows, sizeof *b->rows);
			if (!b->rows)
				return -1;
			for (size_t k = 0; k < p->nrows; k++) {
				struct record *c = record_new(p->rows[k]->e);
				if (!c)
					return -1;
				b->rows[b->nrows++] = c;
				if (record_merge(c, p->rows[k]))
					return -1;
			}
		}
	}
	return 0;
}

/* --- cross-field rules ---------------------------------------------------------------------------- */

const char *model_check(const struct record *r, const char *dep, const char **field)
{
	if (r->e == &entity_structure) {
		const struct value *fin = &r->v[STRUCTURE_FINESS];
		if (fin->state == V_SET && dep && strncmp(fin->s, dep, 2) != 0) {
			*field = "finess";
			return "must start with the département code of the structure's commune";
		}
		const struct value *cap = &r->v[STRUCTURE_CAPACITY], *occ = &r->v[STRUCTURE_OCCUPANCY];
		if (cap->state == V_SET && occ->state == V_SET && occ->i > cap->i) {
			*field = "occupancy";
			return "must not exceed capacity";
		}
	}
	return NULL;
}
