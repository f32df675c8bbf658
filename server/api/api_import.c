/* api_import: CSV import (all-or-nothing, errors name the line and the field) and CSV/JSON export
 * of the registries. A CSV row becomes the same JSON object a client would POST, so an import is
 * validated exactly like the API. The FINESS extract (../shared/data/finess) imports as it is. */
#include "api_handlers.h"

#include "clock.h"
#include "csv.h"
#include "geo.h"
#include "record_json.h"
#include "store.h"
#include "store_record.h"
#include "store_territory.h"
#include "validate.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Columns of a CSV that are not plain fields: one contact for structures, credentials for volunteers. */
static const char *const contact_columns[] = {"contact_name", "contact_phone", "contact_lang", NULL};

static int is_contact_column(const char *name)
{
	for (const char *const *c = contact_columns; *c; c++)
		if (strcmp(*c, name) == 0)
			return 1;
	return 0;
}

static int cell_error(struct rf_error *err, long line, const char *field, const char *rule)
{
	rf_error_set(err, 422, "invalid", field, "%s", rule);
	err->line = line;
	return -1;
}

/* "kind:reference:expires_on;kind::expires_on" -> [{"kind":..,"reference":..,"expires_on":..}] */
static cJSON *credentials_from_cell(const char *cell)
{
	cJSON *list = cJSON_CreateArray();
	char *copy = strdup(cell), *save = NULL;
	for (char *item = strtok_r(copy, ";", &save); item; item = strtok_r(NULL, ";", &save)) {
		cJSON *c = cJSON_CreateObject();
		char *parts[3] = {item, NULL, NULL};
		/* kind and date hold no colon: the reference, free text, runs from the first to the last */
		char *first = strchr(item, ':'), *last = strrchr(item, ':');
		if (first) {
			*first = '\0';
			parts[1] = first + 1;
		}
		if (last && last != first) {
			*last = '\0';
			parts[2] = last + 1;
		}
		cJSON_AddStringToObject(c, "kind", parts[0]);
		if (parts[1] && *parts[1])
			cJSON_AddStringToObject(c, "reference", parts[1]);
		if (parts[2] && *parts[2])
			cJSON_AddStringToObject(c, "expires_on", parts[2]);
		cJSON_AddItemToArray(list, c);
	}
	free(copy);
	return list;
}

/* One cell of the native format into obj, typed by the field (without the quote an export put
 * before a text that a spreadsheet would take for a formula). */
static int native_cell(const struct field *f, const char *cell, cJSON *obj, long line, struct rf_error *err)
{
	cell = csv_read_text(cell);
	if (!*cell)
		return 0; /* an empty cell is an absent value */
	switch (f->kind) {
	case FK_INT: {
		long long v;
		char rule[96];
		if (int_from_text(cell, f->min, f->max, &v))
			return cell_error(err, line, f->name, int_rule(f->min, f->max, rule, sizeof rule));
		cJSON_AddNumberToObject(obj, f->name, (double)v);
		return 0;
	}
	case FK_REAL: {
		char *end;
		double v = strtod(cell, &end);
		if (*end || !isfinite(v))
			return cell_error(err, line, f->name, "must be a number");
		cJSON_AddNumberToObject(obj, f->name, v);
		return 0;
	}
	case FK_BOOL: {
		static const char *const yes[] = {"true", "1", "yes", "oui", NULL}, *const no[] = {"false", "0", "no", "non", NULL};
		for (int i = 0; yes[i]; i++)
			if (strcasecmp(cell, yes[i]) == 0) {
				cJSON_AddTrueToObject(obj, f->name);
				return 0;
			}
		for (int i = 0; no[i]; i++)
			if (strcasecmp(cell, no[i]) == 0) {
				cJSON_AddFalseToObject(obj, f->name);
				return 0;
			}
		return cell_error(err, line, f->name, "must be true or false");
	}
	case FK_WORDS:
	case FK_LANGS: {
		cJSON *a = cJSON_CreateArray();
		char *copy = strdup(cell), *save = NULL;
		for (char *w = strtok_r(copy, "; ", &save); w; w = strtok_r(NULL, "; ", &save))
			cJSON_AddItemToArray(a, cJSON_CreateString(w));
		free(copy);
		cJSON_AddItemToObject(obj, f->name, a);
		return 0;
	}
	case FK_CHILDREN:
		cJSON_AddItemToObject(obj, f->name, credentials_from_cell(cell));
		return 0;
	default:
		cJSON_AddStringToObject(obj, f->name, cell);
		return 0;
	}
}

/* --- the FINESS extract ----------------------------------------------------------------------------- */

static const char *finess_category(const char *facility_type)
{
	if (strstr(facility_type, "Maladies Mentales"))
		return "psychiatric_hospital";
	if (strstr(facility_type, "SSR"))
		return "rehabilitation";
	if (strstr(facility_type, "Longue Dur"))
		return "long_term_care";
	return "hospital";
}

struct finess_cols {
	int id, name, site, lat, lon, postcode, city, type, pubpriv, tel, beds;
};

/* Coordinates farther than this from their commune's centre are a geocoding error. */
#define FAR_KM 25.0

struct name_match {
	char wanted[160];
	struct commune found;
	int ok;
};

static int match_name(void *ctx, const struct commune *c)
{
	struct name_match *m = ctx;
	char n[160];
	geo_name_normalize(c->name, n, sizeof n);
	if (strcmp(n, m->wanted) == 0) {
		m->found = *c;
		m->ok = 1;
		return 1;
	}
	return 0;
}

static int finess_row(struct app *app, const struct finess_cols *c, char **f, size_t nf, cJSON *obj, long line,
		      struct rf_error *err)
{
#define CELL(i) ((i) >= 0 && (size_t)(i) < nf ? f[i] : "")
	char finess[16];
	const char *id = CELL(c->id);
	long long number;
	/* the extract writes FINESS numbers as integers: 090000019 becomes 90000019 */
	if (int_from_text(id, 1, 999999999, &number))
		return cell_error(err, line, "id", "must be a FINESS number");
	snprintf(finess, sizeof finess, "%09lld", number);
	cJSON_AddStringToObject(obj, "finess", finess);
	char name[256];
	const char *site = CELL(c->site);
	if (*site && strcmp(site, CELL(c->name)) != 0)
		snprintf(name, sizeof name, "%.120s — %.120s", CELL(c->name), site);
	else
		snprintf(name, sizeof name, "%s", CELL(c->name));
	cJSON_AddStringToObject(obj, "name", name);
	cJSON_AddStringToObject(obj, "category", finess_category(CELL(c->type)));
	const char *pp = CELL(c->pubpriv);
	cJSON_AddStringToObject(obj, "legal_form", strcmp(pp, "public") == 0    ? "public"
						   : strcmp(pp, "private") == 0 ? "private_unspecified"
										: "unspecified");
	char *end;
	double lat = strtod(CELL(c->lat), &end);
	if (*end || !*CELL(c->lat))
		return cell_error(err, line, "lat", "must be a number");
	double lng = strtod(CELL(c->lon), &end);
	if (*end || !*CELL(c->lon))
		return cell_error(err, line, "lon", "must be a number");
	/* The FINESS number says the département; the city name says the commune. Postcodes may be
	 * CEDEX ones and some coordinates are far off (one Béziers site sits near Saint-Étienne). */
	char dep[3] = {finess[0], finess[1], '\0'};
	struct name_match nm;
	memset(&nm, 0, sizeof nm);
	geo_name_normalize(CELL(c->city), nm.wanted, sizeof nm.wanted);
	if (store_commune_list(app->store, dep, NULL, NULL, 100000, match_name, &nm))
		return cell_error(err, line, "city", "cannot be looked up");
	struct commune com = nm.found;
	if (!nm.ok && store_commune_nearest(app->store, dep, CELL(c->postcode), lat, lng, &com))
		return cell_error(err, line, "postcode", "matches no commune of the département of the FINESS number");
	if (geo_distance_km(lat, lng, com.lat, com.lng) > FAR_KM) {
		lat = com.lat;
		lng = com.lng;
	}
	cJSON_AddStringToObject(obj, "commune", com.insee);
	cJSON_AddNumberToObject(obj, "lat", lat);
	cJSON_AddNumberToObject(obj, "lng", lng);
	if (*CELL(c->beds)) {
		long long beds;
		const struct field *cap = entity_field(&entity_structure, "capacity", NULL);
		char rule[96];
		if (int_from_text(CELL(c->beds), cap->min, cap->max, &beds))
			return cell_error(err, line, "cap_beds", int_rule(cap->min, cap->max, rule, sizeof rule));
		cJSON_AddNumberToObject(obj, "capacity", (double)beds);
	}
	char phone[24];
	if (*CELL(c->tel) && phone_to_e164_fr(CELL(c->tel), phone, sizeof phone) == 0) {
		cJSON *contacts = cJSON_AddArrayToObject(obj, "contacts");
		cJSON *ct = cJSON_CreateObject();
		cJSON_AddStringToObject(ct, "phone", phone);
		cJSON_AddStringToObject(ct, "role", "standard");
		cJSON_AddItemToArray(contacts, ct);
	}
	return 0;
#undef CELL
}

/* --- import ---------------------------------------------------------------------------------------- */

#define MAX_DEPS 16 /* the région's 13, and "" for rows without one */

struct dep_count {
	char dep[4];
	long long count;
};

static void count_dep(struct dep_count *v, int *n, const char *dep)
{
	for (int i = 0; i < *n; i++)
		if (strcmp(v[i].dep, dep) == 0) {
			v[i].count++;
			return;
		}
	if (*n < MAX_DEPS) {
		snprintf(v[*n].dep, sizeof v[*n].dep, "%s", dep);
		v[(*n)++].count = 1;
	}
}

int op_registry_import(struct app *app, struct op_request *req, struct op_response *res)
{
	const struct entity *e = registry_entity(req->op);
	if (api_csv_body(req, res))
		return -1;

	struct csv_reader r;
	csv_reader_init(&r, req->raw_body, req->raw_len);
	int rc = csv_next_row(&r);
	if (rc <= 0) {
		csv_reader_release(&r);
		api_fail(res, 400, "invalid_csv", "body", rc < 0 ? r.error : "the file is empty");
		if (rc < 0)
			res->err.line = r.line; /* the header, or the blank lines before it */
		return -1;
	}
	/* header: the FINESS extract, or our own column names */
	int finess_mode = e == &entity_structure && csv_find(&r, "hospital_name") >= 0 && csv_find(&r, "facility_type") >= 0;
	struct finess_cols fc = {csv_find(&r, "id"),	   csv_find(&r, "hospital_name"), csv_find(&r, "site_name"),
				 csv_find(&r, "lat"),	   csv_find(&r, "lon"),		  csv_find(&r, "postcode"), csv_find(&r, "city"),
				 csv_find(&r, "facility_type"), csv_find(&r, "public_private"), csv_find(&r, "tel"),
				 csv_find(&r, "cap_beds")};
	size_t ncols = r.nfields;
	char **headers = calloc(ncols, sizeof *headers);
	int *field_of = calloc(ncols, sizeof *field_of);
	long long created = 0, first_id = 0, last_id = 0;
	struct dep_count per_dep[MAX_DEPS];
	int ndeps = 0;
	if (!headers || !field_of)
		goto oom;
	for (size_t i = 0; i < ncols; i++) {
		headers[i] = strdup(r.fields[i]);
		field_of[i] = -1;
		if (finess_mode)
			continue;
		for (size_t k = 0; k < i; k++)
			if (strcmp(headers[k], headers[i]) == 0) {
				/* which of the two cells would be the value? neither: the header is refused */
				rf_error_set(&res->err, 422, "invalid_csv", headers[i], "is a column given twice");
				res->err.line = r.line;
				goto fail;
			}
		const struct field *f = entity_field(e, headers[i], &field_of[i]);
		if (e == &entity_structure && is_contact_column(headers[i]))
			continue;
		if (!f) {
			rf_error_set(&res->err, 422, "unknown_column", headers[i], "is not a column of %s", e->plural);
			res->err.line = 1;
			goto fail;
		}
		if (f->flags & F_READONLY)
			field_of[i] = -2; /* exported by us, ignored on the way back in */
	}
	while ((rc = csv_next_row(&r)) == 1) {
		cJSON *obj = cJSON_CreateObject();
		if (finess_mode) {
			if (finess_row(app, &fc, r.fields, r.nfields, obj, r.line, &res->err)) {
				cJSON_Delete(obj);
				goto fail;
			}
		} else {
			if (r.nfields != ncols) {
				cJSON_Delete(obj);
				rf_error_set(&res->err, 422, "invalid_csv", "body", "has %zu fields where the header has %zu",
					     r.nfields, ncols);
				res->err.line = r.line;
				goto fail;
			}
			cJSON *contact = NULL;
			for (size_t i = 0; i < ncols; i++) {
				if (field_of[i] >= 0) {
					if (native_cell(&e->fields[field_of[i]], r.fields[i], obj, r.line, &res->err)) {
						cJSON_Delete(obj);
						cJSON_Delete(contact);
						goto fail;
					}
				} else if (field_of[i] == -1 && *r.fields[i]) {
					if (!contact)
						contact = cJSON_CreateObject();
					cJSON_AddStringToObject(contact, headers[i] + 8, csv_read_text(r.fields[i]));
				}
			}
			if (contact) {
				cJSON *list = cJSON_AddArrayToObject(obj, "contacts");
				cJSON_AddItemToArray(list, contact);
			}
		}
		long long id;
		char dep[4];
		int failed = registry_create(app, &req->who, e, obj, &id, dep, &res->err);
		cJSON_Delete(obj);
		if (failed) {
			res->err.line = r.line;
			/* name the file's column: contacts[0].phone came from contact_phone */
			if (!finess_mode && strncmp(res->err.field, "contacts[0].", 12) == 0) {
				char column[sizeof res->err.field];
				snprintf(column, sizeof column, "contact_%s", res->err.field + 12);
				snprintf(res->err.field, sizeof res->err.field, "%s", column);
			}
			goto fail;
		}
		if (!first_id)
			first_id = id;
		last_id = id;
		created++;
		count_dep(per_dep, &ndeps, dep);
	}
	if (rc < 0) {
		rf_error_set(&res->err, 422, "invalid_csv", "body", "%s", r.error);
		res->err.line = r.line;
		goto fail;
	}
	res->status = 201;
	res->data = cJSON_CreateObject();
	cJSON_AddNumberToObject(res->data, "created", (double)created);
	cJSON_AddNumberToObject(res->data, "first_id", (double)first_id);
	cJSON_AddNumberToObject(res->data, "last_id", (double)last_id);
	/* one event per département touched (each seen only within its scope): subscribers reload
	 * rather than take thousands of rows */
	for (int i = 0; i < ndeps; i++) {
		cJSON *ev = cJSON_CreateObject();
		cJSON_AddNumberToObject(ev, "created", (double)per_dep[i].count);
		char type[48];
		snprintf(type, sizeof type, "%s.imported", e->name);
		api_emit(app, type, per_dep[i].dep, e->name, 0, ev);
	}
	rc = 0;
	goto out;
oom:
	rf_error_set(&res->err, 500, "internal", "", "out of memory");
fail:
	res->status = res->err.status ? res->err.status : 422;
	rc = -1;
out:
	for (size_t i = 0; headers && i < ncols; i++)
		free(headers[i]);
	free(headers);
	free(field_of);
	csv_reader_release(&r);
	return rc;
}

/* --- export ---------------------------------------------------------------------------------------- */

struct export_ctx {
	const struct entity *e;
	struct buf csv;
	cJSON *items;
	int with_personal;
};

static void csv_value(struct buf *out, const struct field *f, const struct value *v, int last)
{
	char tmp[64];
	if (v->state != V_SET) {
		csv_write_field(out, "", last);
		return;
	}
	switch (f->kind) {
	case FK_ID:
	case FK_INT:
		snprintf(tmp, sizeof tmp, "%lld", v->i);
		break;
	case FK_BOOL:
		snprintf(tmp, sizeof tmp, "%s", v->i ? "true" : "false");
		break;
	case FK_REAL:
		snprintf(tmp, sizeof tmp, "%.7g", v->d);
		break;
	case FK_TIME:
		clock_format_iso(v->i, tmp);
		break;
	case FK_WORDS:
	case FK_LANGS: {
		char *s = strdup(v->s ? v->s : "");
		for (char *p = s; p && *p; p++)
			if (*p == ' ')
				*p = ';';
		csv_write_text(out, s, last);
		free(s);
		return;
	}
	case FK_CHILDREN: {
		/* credentials as kind:reference:expires_on;... */
		struct buf cell;
		buf_init(&cell);
		for (size_t k = 0; k < v->nrows; k++) {
			const struct record *c = v->rows[k];
			buf_printf(&cell, "%s%s:%s:%s", k ? ";" : "", c->v[0].s ? c->v[0].s : "",
				   c->v[1].state == V_SET ? c->v[1].s : "", c->v[2].state == V_SET ? c->v[2].s : "");
		}
		csv_write_text(out, cell.data ? cell.data : "", last);
		buf_release(&cell);
		return;
	}
	default:
		csv_write_text(out, v->s, last);
		return;
	}
	csv_write_field(out, tmp, last);
}

/* CSV columns: the fields, except structures' contacts which flatten to one contact's columns. */
static void csv_header(struct buf *out, const struct entity *e, int with_personal)
{
	for (size_t i = 0; i < e->nfields; i++) {
		const struct field *f = &e->fields[i];
		int last = i + 1 == e->nfields;
		if (!with_personal && (f->flags & F_PERSONAL))
			continue;
		if (e == &entity_structure && f->kind == FK_CHILDREN) {
			for (const char *const *c = contact_columns; *c; c++)
				if (with_personal || strcmp(*c, "contact_lang") == 0)
					csv_write_field(out, *c, 0);
			continue;
		}
		csv_write_field(out, f->name, last);
	}
}

static int export_row(void *ctx, struct record *r)
{
	struct export_ctx *x = ctx;
	if (x->items) {
		cJSON_AddItemToArray(x->items, record_to_json(r, x->with_personal));
		record_free(r);
		return 0;
	}
	for (size_t i = 0; i < r->e->nfields; i++) {
		const struct field *f = &r->e->fields[i];
		int last = i + 1 == r->e->nfields;
		if (!x->with_personal && (f->flags & F_PERSONAL))
			continue;
		if (r->e == &entity_structure && f->kind == FK_CHILDREN) {
			const struct record *c = r->v[i].nrows ? r->v[i].rows[0] : NULL;
			if (x->with_personal) {
				csv_write_text(&x->csv, c && c->v[CONTACT_NAME].state == V_SET ? c->v[CONTACT_NAME].s : "", 0);
				csv_write_text(&x->csv, c ? c->v[CONTACT_PHONE].s : "", 0);
			}
			csv_write_text(&x->csv, c && c->v[CONTACT_LANG].state == V_SET ? c->v[CONTACT_LANG].s : "", 0);
			continue;
		}
		csv_value(&x->csv, f, &r->v[i], last);
	}
	record_free(r);
	return 0;
}

int op_registry_export(struct app *app, struct op_request *req, struct op_response *res)
{
	const struct entity *e = registry_entity(req->op);
	char tmp[32];
	const char *format = api_param(req, "format", tmp, sizeof tmp);
	if (!format)
		format = "csv";
	if (strcmp(format, "csv") != 0 && strcmp(format, "json") != 0)
		return api_fail(res, 422, "invalid", "format", "must be csv or json");
	struct export_ctx x = {e, {NULL, 0, 0}, NULL, req->who.role != ROLE_OBSERVER};
	struct list_query q;
	if (registry_list_query(app, req, e, &q, res))
		return -1;
	q.limit = 1LL << 40; /* the whole registry in scope: an export is not paged */
	if (strcmp(format, "json") == 0)
		x.items = cJSON_CreateArray();
	else
		csv_header(&x.csv, e, x.with_personal);
	int rc = store_record_list(app->store, e, &req->who, &q, export_row, &x, NULL);
	if (rc) {
		cJSON_Delete(x.items);
		buf_release(&x.csv);
		return api_fail_store(app, res, rc, e->plural);
	}
	if (x.items) {
		res->data = cJSON_CreateObject();
		cJSON_AddItemToObject(res->data, "items", x.items);
	} else {
		res->raw_len = x.csv.len;
		res->raw = buf_detach(&x.csv);
		snprintf(res->raw_type, sizeof res->raw_type, "text/csv; charset=utf-8");
		snprintf(res->filename, sizeof res->filename, "%s.csv", e->plural);
	}
	return 0;
}
