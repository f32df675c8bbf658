#include "seed.h"

#include "csv.h"
#include "log.h"
#include "model.h"
#include "store.h"
#include "store_record.h"
#include "store_territory.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *seed_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct buf b;
	buf_init(&b);
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (buf_append(&b, chunk, n)) {
			buf_release(&b);
			fclose(f);
			return NULL;
		}
	fclose(f);
	*len = b.len;
	return buf_detach(&b);
}

static const char *cell(struct csv_reader *r, int idx)
{
	return idx >= 0 && (size_t)idx < r->nfields ? r->fields[idx] : "";
}

static int load_departements(struct store *st, const char *dir, char *err, size_t errlen)
{
	char path[1024];
	size_t len;
	snprintf(path, sizeof path, "%s/occitanie-departements.csv", dir);
	char *data = seed_read_file(path, &len);
	if (!data) {
		snprintf(err, errlen, "cannot read %s", path);
		return -1;
	}
	struct csv_reader r;
	csv_reader_init(&r, data, len);
	int rc = csv_next_row(&r) == 1 ? 0 : -1;
	int c_code = csv_find(&r, "insee_dep"), c_reg = csv_find(&r, "insee_reg"), c_name = csv_find(&r, "departement"),
	    c_lat = csv_find(&r, "lat"), c_lng = csv_find(&r, "lng"), c_pref = csv_find(&r, "insee_com_cheflieu");
	while (!rc && csv_next_row(&r) == 1) {
		struct departement d;
		memset(&d, 0, sizeof d);
		snprintf(d.code, sizeof d.code, "%s", cell(&r, c_code));
		snprintf(d.region, sizeof d.region, "%s", cell(&r, c_reg));
		snprintf(d.name, sizeof d.name, "%s", cell(&r, c_name));
		snprintf(d.prefecture, sizeof d.prefecture, "%s", cell(&r, c_pref));
		d.lat = atof(cell(&r, c_lat));
		d.lng = atof(cell(&r, c_lng));
		if (store_departement_insert(st, &d)) {
			snprintf(err, errlen, "%s:%ld: cannot insert département", path, r.line);
			rc = -1;
		}
	}
	csv_reader_release(&r);
	free(data);
	return rc;
}

static int load_communes(struct store *st, const char *dir, char *err, size_t errlen)
{
	char path[1024];
	size_t len;
	snprintf(path, sizeof path, "%s/occitanie-communes.csv", dir);
	char *data = seed_read_file(path, &len);
	if (!data) {
		snprintf(err, errlen, "cannot read %s", path);
		return -1;
	}
	struct csv_reader r;
	csv_reader_init(&r, data, len);
	int rc = csv_next_row(&r) == 1 ? 0 : -1;
	int c_insee = csv_find(&r, "insee_com"), c_dep = csv_find(&r, "insee_dep"), c_name = csv_find(&r, "commune"),
	    c_cp = csv_find(&r, "code_postal"), c_lat = csv_find(&r, "lat"), c_lng = csv_find(&r, "lng"),
	    c_pop = csv_find(&r, "population_2021");
	while (!rc && csv_next_row(&r) == 1) {
		struct commune c;
		memset(&c, 0, sizeof c);
		snprintf(c.insee, sizeof c.insee, "%s", cell(&r, c_insee));
		snprintf(c.dep, sizeof c.dep, "%s", cell(&r, c_dep));
		snprintf(c.name, sizeof c.name, "%s", cell(&r, c_name));
		snprintf(c.postcode, sizeof c.postcode, "%s", cell(&r, c_cp));
		c.lat = atof(cell(&r, c_lat));
		c.lng = atof(cell(&r, c_lng));
		c.population = atoll(cell(&r, c_pop));
		if (store_commune_insert(st, &c)) {
			snprintf(err, errlen, "%s:%ld: cannot insert commune", path, r.line);
			rc = -1;
		}
	}
	csv_reader_release(&r);
	free(data);
	return rc;
}

/* "Gown, protective" -> "gown-protective" */
static void slug(const char *name, char *out, size_t outlen)
{
	size_t n = 0;
	int dash = 0;
	for (const char *p = name; *p && n + 1 < outlen; p++) {
		if (isalnum((unsigned char)*p)) {
			if (dash && n)
				out[n++] = '-';
			dash = 0;
			if (n + 1 < outlen)
				out[n++] = (char)tolower((unsigned char)*p);
		} else
			dash = 1;
	}
	out[n] = '\0';
}

static const char *first_of(struct csv_reader *r, const int *cols, int n)
{
	for (int i = 0; i < n; i++)
		if (*cell(r, cols[i]))
			return cell(r, cols[i]);
	return "";
}

static int load_items(struct store *st, const char *dir, char *err, size_t errlen)
{
	char path[1024];
	size_t len;
	snprintf(path, sizeof path, "%s/who-esft-2022-equipment.csv", dir);
	char *data = seed_read_file(path, &len);
	if (!data) {
		snprintf(err, errlen, "cannot read %s", path);
		return -1;
	}
	struct csv_reader r;
	csv_reader_init(&r, data, len);
	int rc = csv_next_row(&r) == 1 ? 0 : -1;
	int c_cat = csv_find(&r, "category"), c_item = csv_find(&r, "item"), c_unit = csv_find(&r, "unit"),
	    c_reuse = csv_find(&r, "reusable");
	int worker[] = {csv_find(&r, "amount_per_inpatient_hcw_per_day"), csv_find(&r, "amount_per_screening_hcw_per_day")};
	int patient[] = {csv_find(&r, "amount_per_inpatient_sev_patient_per_day"),
			 csv_find(&r, "amount_per_isolation_patient_per_day"),
			 csv_find(&r, "amount_per_screening_patient_per_day")};
	int bed[] = {csv_find(&r, "amount_per_inpatient_sev_bed_per_day"), csv_find(&r, "amount_per_inpatient_crit_bed_per_day")};
	while (!rc && csv_next_row(&r) == 1) {
		struct record *it = record_new(&entity_item);
		char code[65], name[201];
		slug(cell(&r, c_item), code, sizeof code);
		/* some names hold a line break in the source: one line here */
		snprintf(name, sizeof name, "%s", cell(&r, c_item));
		for (char *p = name; *p; p++)
			if (*p == '\n' || *p == '\r')
				*p = ' ';
		record_set_text(it, ITEM_CODE, code);
		record_set_text(it, ITEM_NAME, name);
		record_set_text(it, ITEM_CATEGORY, cell(&r, c_cat));
		record_set_text(it, ITEM_UNIT, cell(&r, c_unit));
		record_set_int(it, ITEM_REUSABLE, strcmp(cell(&r, c_reuse), "TRUE") == 0);
		const char *w = first_of(&r, worker, 2), *p = first_of(&r, patient, 3), *b = first_of(&r, bed, 2);
		if (*w)
			record_set_real(it, ITEM_BURN_WORKER, atof(w));
		if (*p)
			record_set_real(it, ITEM_BURN_PATIENT, atof(p));
		if (*b)
			record_set_real(it, ITEM_BURN_BED, atof(b));
		if (store_record_insert(st, it, NULL)) {
			snprintf(err, errlen, "%s:%ld: cannot insert item %s", path, r.line, code);
			rc = -1;
		}
		record_free(it);
	}
	csv_reader_release(&r);
	free(data);
	return rc;
}

int seed_reference_data(struct store *st, const char *data_dir, long long now, char *err, size_t errlen)
{
	if (store_commune_count(st) > 0)
		return 0;
	if (store_begin(st, now, NULL))
		return -1;
	if (load_departements(st, data_dir, err, errlen) || load_communes(st, data_dir, err, errlen) ||
	    load_items(st, data_dir, err, errlen) || store_commit(st)) {
		store_rollback(st);
		return -1;
	}
	log_info("seed: loaded %lld communes and the item catalogue from %s", store_commune_count(st), data_dir);
	return 0;
}
