/* model: the registries' entities and their fields, as data. The protocol layer reads and writes
 * JSON from these definitions, the validation is driven by them, and the store builds its SQL
 * column lists from them: one place says what a structure or a volunteer is. */
#ifndef RENFORT_MODEL_H
#define RENFORT_MODEL_H

#include <stddef.h>

enum field_kind {
	FK_ID,       /* integer id, set by the store */
	FK_TEXT,     /* UTF-8 text, min..max characters */
	FK_INT,      /* integer in min..max */
	FK_REAL,     /* number in rmin..rmax */
	FK_BOOL,
	FK_ENUM,     /* one of values[] */
	FK_DATE,     /* YYYY-MM-DD */
	FK_TIME,     /* a server timestamp (ms), shown as ISO 8601 */
	FK_PHONE,    /* E.164 */
	FK_FINESS,
	FK_COMMUNE,  /* INSEE code of a commune of the region */
	FK_DEP,      /* département code, derived from the commune */
	FK_WORDS,    /* JSON list of words, stored space-separated */
	FK_LANGS,    /* JSON list of ISO 639-1 codes, stored space-separated */
	FK_CHILDREN, /* JSON list of child objects, kept in the child entity's table */
};

#define F_REQUIRED 0x01u  /* must be given when creating */
#define F_READONLY 0x02u  /* set by the server: refused in input */
#define F_PERSONAL 0x04u  /* personal data: erased on request, never logged */
#define F_FILTER 0x08u    /* usable as a list filter (?name=value) */
#define F_NULLABLE 0x10u  /* may be null */
#define F_IMMUTABLE 0x20u /* given when creating, refused when updating */
#define F_SELF 0x40u      /* the structure/depot/volunteer itself may change it */
#define F_ADMIN 0x80u     /* only a region-wide coordinator or an admin may change it */
/* unique among the rows the writer may read (checked by the store in the writer's scope): a value
 * used outside that scope neither conflicts nor is revealed by a 409 */
#define F_UNIQUE_IN_SCOPE 0x100u

struct entity;

struct field {
	const char *name; /* JSON name and SQL column */
	enum field_kind kind;
	unsigned flags;
	long long min, max;          /* FK_INT range; FK_TEXT length; FK_WORDS/FK_LANGS/FK_CHILDREN count */
	double rmin, rmax;           /* FK_REAL range */
	const char *const *values;   /* FK_ENUM, NULL-terminated */
	const struct entity *child;  /* FK_CHILDREN */
};

#define E_SCOPED 0x01u          /* rows carry a département (dep) that scopes who sees them */
#define E_GEO 0x02u             /* lat/lng default to the commune's centre */
#define E_REGIONAL_SHARED 0x04u /* rows with level 'regional' are visible to every coordinator */
#define E_ERASABLE 0x08u        /* delete means erasure of personal data (right to be forgotten) */

struct entity {
	const char *name;          /* "structure" */
	const char *plural;        /* "structures": URL path and topic prefix */
	const char *table;
	const struct field *fields;
	size_t nfields;
	const char *parent_column; /* child entities: the column holding the parent's id */
	int commune_field;         /* index of the FK_COMMUNE field, or -1 */
	int self_role;             /* the role (enum role) whose token acts as one row, or -1 */
	unsigned flags;
};

extern const struct entity entity_structure;
extern const struct entity entity_structure_contact;
extern const struct entity entity_depot;
extern const struct entity entity_item;
extern const struct entity entity_volunteer;
extern const struct entity entity_volunteer_credential;
extern const struct entity entity_duty_officer;

/* Field indexes used by code (cross-field rules, demo, import). Keep in the order of model.c. */
enum { STRUCTURE_ID, STRUCTURE_NAME, STRUCTURE_CATEGORY, STRUCTURE_LEGAL_FORM, STRUCTURE_FINESS,
       STRUCTURE_COMMUNE, STRUCTURE_DEP, STRUCTURE_LAT, STRUCTURE_LNG, STRUCTURE_CAPACITY,
       STRUCTURE_OCCUPANCY, STRUCTURE_STAFF, STRUCTURE_STATUS, STRUCTURE_CONTACTS,
       STRUCTURE_CREATED_AT, STRUCTURE_UPDATED_AT };
enum { CONTACT_NAME, CONTACT_PHONE, CONTACT_LANG, CONTACT_ROLE };
enum { DEPOT_ID, DEPOT_NAME, DEPOT_LEVEL, DEPOT_COMMUNE, DEPOT_DEP, DEPOT_LAT, DEPOT_LNG, DEPOT_PHONE,
       DEPOT_STATUS, DEPOT_CREATED_AT, DEPOT_UPDATED_AT };
enum { ITEM_ID, ITEM_CODE, ITEM_NAME, ITEM_CATEGORY, ITEM_UNIT, ITEM_REUSABLE, ITEM_BURN_WORKER,
       ITEM_BURN_PATIENT, ITEM_BURN_BED, ITEM_CREATED_AT, ITEM_UPDATED_AT };
enum { VOLUNTEER_ID, VOLUNTEER_FIRST_NAME, VOLUNTEER_LAST_NAME, VOLUNTEER_PHONE, VOLUNTEER_EMAIL,
       VOLUNTEER_PROFESSION, VOLUNTEER_SKILLS, VOLUNTEER_LANGUAGES, VOLUNTEER_HOME_COMMUNE,
       VOLUNTEER_DEP, VOLUNTEER_TRAVEL_RADIUS, VOLUNTEER_AVAILABILITY, VOLUNTEER_SMS_LANG,
       VOLUNTEER_CONSENT_AT, VOLUNTEER_GENDER, VOLUNTEER_STATUS, VOLUNTEER_CREDENTIALS,
       VOLUNTEER_CREATED_AT, VOLUNTEER_UPDATED_AT };
enum { CREDENTIAL_KIND, CREDENTIAL_REFERENCE, CREDENTIAL_EXPIRES_ON };

/* The field named name, or NULL; *index set when found. */
const struct field *entity_field(const struct entity *e, const char *name, int *index);
/* The registry entity whose plural is name ("structures"), or NULL. */
const struct entity *entity_by_plural(const char *name);
/* Is v one of f->values? */
int field_enum_ok(const struct field *f, const char *v);
/* The index of v in f->values, or -1. */
int field_enum_index(const struct field *f, const char *v);

/* --- records: one row of an entity, as typed values ------------------------------------------- */

enum value_state { V_ABSENT = 0, V_NULL, V_SET };

struct record;

struct value {
	enum value_state state;
	long long i;          /* FK_ID, FK_INT, FK_BOOL, FK_TIME */
	double d;             /* FK_REAL */
	char *s;              /* text kinds; FK_WORDS/FK_LANGS space-separated */
	struct record **rows; /* FK_CHILDREN */
	size_t nrows;
};

struct record {
	const struct entity *e;
	struct value v[];     /* e->nfields values */
};

struct record *record_new(const struct entity *e);
void record_free(struct record *r);
/* Setters copy their argument; each returns 0 or -1 (out of memory). */
int record_set_text(struct record *r, int field, const char *s);
void record_set_int(struct record *r, int field, long long i);
void record_set_real(struct record *r, int field, double d);
void record_set_null(struct record *r, int field);
int record_add_child(struct record *r, int field, struct record *child);
/* Merges patch into base (fields set in patch replace those of base; children are replaced). */
int record_merge(struct record *base, const struct record *patch);

/* Cross-field rules of an entity on a complete record (after merge): NULL or the rule, with
 * *field set to the field it concerns. dep is the département of the record's commune. */
const char *model_check(const struct record *r, const char *dep, const char **field);

#endif
