#include "record_json.h"

#include "auth.h"
#include "buf.h"
#include "clock.h"
#include "validate.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int may_write(const struct field *f, const struct principal *who)
{
	if (!who)
		return 1;
	switch (who->role) {
	case ROLE_ADMIN:
		return 1;
	case ROLE_COORDINATOR:
		return !(f->flags & F_ADMIN) || !who->deps[0];
	case ROLE_STRUCTURE:
	case ROLE_DEPOT:
	case ROLE_VOLUNTEER:
		return (f->flags & F_SELF) != 0;
	default:
		return 0;
	}
}

static int text_value(const struct field *f, const cJSON *j, const char *name, struct rf_error *err)
{
	if (!cJSON_IsString(j)) {
		rf_error_set(err, 422, "invalid", name, "must be a string");
		return -1;
	}
	const char *s = j->valuestring, *rule = NULL;
	switch (f->kind) {
	case FK_TEXT:
		rule = validate_text(s, f->min, f->max);
		break;
	case FK_PHONE:
		rule = validate_e164(s);
		break;
	case FK_FINESS:
		rule = validate_finess(s, NULL);
		break;
	case FK_COMMUNE:
		rule = validate_insee(s);
		break;
	case FK_DATE:
		rule = validate_date(s);
		break;
	case FK_ENUM:
		if (!field_enum_ok(f, s)) {
			struct buf b;
			buf_init(&b);
			buf_puts(&b, "must be one of");
			for (const char *const *v = f->values; *v; v++)
				buf_printf(&b, "%s %s", v == f->values ? "" : ",", *v);
			rf_error_set(err, 422, "invalid", name, "%s", b.data ? b.data : "must be a known value");
			buf_release(&b);
			return -1;
		}
		break;
	default:
		break;
	}
	if (rule) {
		rf_error_set(err, 422, "invalid", name, "%s", rule);
		return -1;
	}
	return 0;
}

static int words_value(const struct field *f, const cJSON *j, const char *name, struct record *r, int idx,
		       struct rf_error *err)
{
	if (!cJSON_IsArray(j)) {
		rf_error_set(err, 422, "invalid", name, "must be a list of strings");
		return -1;
	}
	int n = cJSON_GetArraySize(j);
	if (n > f->max) {
		rf_error_set(err, 422, "invalid", name, "must have at most %lld entries", f->max);
		return -1;
	}
	struct buf b;
	buf_init(&b);
	const cJSON *it;
	int rc = 0;
	cJSON_ArrayForEach(it, j)
	{
		const char *rule = !cJSON_IsString(it)	   ? "each entry must be a string"
				   : f->kind == FK_LANGS ? validate_lang2(it->valuestring)
							 : validate_word(it->valuestring);
		if (!rule && b.data) {
			/* duplicates would make filters and counts lie */
			char probe[48];
			snprintf(probe, sizeof probe, " %s ", it->valuestring);
			struct buf padded;
			buf_init(&padded);
			buf_printf(&padded, " %s ", b.data);
			if (padded.data && strstr(padded.data, probe))
				rule = "must not repeat an entry";
			buf_release(&padded);
		}
		if (rule) {
			rf_error_set(err, 422, "invalid", name, "%s", rule);
			rc = -1;
			break;
		}
		if ((b.len && buf_puts(&b, " ")) || buf_puts(&b, it->valuestring)) {
			rf_error_set(err, 500, "internal", name, "out of memory");
			rc = -1;
			break;
		}
	}
	if (!rc && record_set_text(r, idx, b.data ? b.data : "")) {
		rf_error_set(err, 500, "internal", name, "out of memory");
		rc = -1;
	}
	buf_release(&b);
	return rc;
}

static int from_json(const struct entity *e, const cJSON *obj, enum record_mode mode,
		     const struct principal *who, const char *prefix, struct record **out, struct rf_error *err)
{
	char name[160];
	if (!cJSON_IsObject(obj)) {
		/* a child's prefix is "contacts[0].": the field is "contacts[0]" */
		size_t n = strlen(prefix);
		snprintf(name, sizeof name, "%.*s", (int)(n && prefix[n - 1] == '.' ? n - 1 : n), prefix);
		if (n)
			rf_error_set(err, 422, "invalid", name, "must be a JSON object");
		else /* the body itself: not the JSON it must be, as for every other operation */
			rf_error_set(err, 400, "invalid_json", "body", "must be a JSON object");
		return -1;
	}
	struct record *r = record_new(e);
	if (!r) {
		rf_error_set(err, 500, "internal", "", "out of memory");
		return -1;
	}
	const cJSON *j;
	cJSON_ArrayForEach(j, obj)
	{
		int idx;
		const struct field *f = entity_field(e, j->string, &idx);
		snprintf(name, sizeof name, "%s%s", prefix, j->string);
		if (!f) {
			rf_error_set(err, 422, "unknown_field", name, "is not a field of %s", e->name);
			goto fail;
		}
		if (r->v[idx].state != V_ABSENT) {
			rf_error_set(err, 422, "invalid", name, "is given twice");
			goto fail;
		}
		if (f->flags & F_READONLY) {
			rf_error_set(err, 422, "read_only", name, "is set by the server and cannot be given");
			goto fail;
		}
		if (mode == RECORD_UPDATE && (f->flags & F_IMMUTABLE)) {
			rf_error_set(err, 422, "immutable", name, "cannot be changed after creation");
			goto fail;
		}
		if (!may_write(f, who)) {
			rf_error_set(err, 403, "forbidden_field", name, "cannot be changed with %s %s token",
				     who->role == ROLE_ADMIN || who->role == ROLE_OBSERVER ? "an" : "a", role_name(who->role));
			goto fail;
		}
		if (cJSON_IsNull(j)) {
			if (!(f->flags & F_NULLABLE)) {
				rf_error_set(err, 422, "invalid", name, "must not be null");
				goto fail;
			}
			record_set_null(r, idx);
			continue;
		}
		switch (f->kind) {
		case FK_TEXT:
		case FK_PHONE:
		case FK_FINESS:
		case FK_COMMUNE:
		case FK_DATE:
		case FK_ENUM:
			if (text_value(f, j, name, err))
				goto fail;
			if (record_set_text(r, idx, j->valuestring))
				goto oom;
			break;
		case FK_INT: {
			long long v;
			if (!cJSON_IsNumber(j) || int_from_double(j->valuedouble, f->min, f->max, &v)) {
				char rule[96];
				rf_error_set(err, 422, "invalid", name, "%s", int_rule(f->min, f->max, rule, sizeof rule));
				goto fail;
			}
			record_set_int(r, idx, v);
			break;
		}
		case FK_REAL:
			if (!cJSON_IsNumber(j) || !isfinite(j->valuedouble)) {
				rf_error_set(err, 422, "invalid", name, "must be a number");
				goto fail;
			}
			if (j->valuedouble < f->rmin || j->valuedouble > f->rmax) {
				rf_error_set(err, 422, "invalid", name, "must be between %g and %g", f->rmin, f->rmax);
				goto fail;
			}
			record_set_real(r, idx, j->valuedouble);
			break;
		case FK_BOOL:
			if (!cJSON_IsBool(j)) {
				rf_error_set(err, 422, "invalid", name, "must be true or false");
				goto fail;
			}
			record_set_int(r, idx, cJSON_IsTrue(j));
			break;
		case FK_WORDS:
		case FK_LANGS:
			if (words_value(f, j, name, r, idx, err))
				goto fail;
			break;
		case FK_CHILDREN: {
			if (!cJSON_IsArray(j)) {
				rf_error_set(err, 422, "invalid", name, "must be a list of objects");
				goto fail;
			}
			if (cJSON_GetArraySize(j) > f->max) {
				rf_error_set(err, 422, "invalid", name, "must have at most %lld entries", f->max);
				goto fail;
			}
			r->v[idx].state = V_SET; /* an empty list is a value: it clears the children */
			int k = 0;
			const cJSON *c;
			cJSON_ArrayForEach(c, j)
			{
				char sub[192];
				snprintf(sub, sizeof sub, "%s[%d].", name, k++);
				struct record *child = NULL;
				if (from_json(f->child, c, RECORD_CREATE, NULL, sub, &child, err))
					goto fail;
				if (record_add_child(r, idx, child)) {
					record_free(child);
					goto oom;
				}
			}
			break;
		}
		default:
			rf_error_set(err, 422, "read_only", name, "is set by the server and cannot be given");
			goto fail;
		}
	}
	if (mode == RECORD_CREATE)
		for (size_t i = 0; i < e->nfields; i++)
			if ((e->fields[i].flags & F_REQUIRED) && r->v[i].state == V_ABSENT) {
				snprintf(name, sizeof name, "%s%s", prefix, e->fields[i].name);
				rf_error_set(err, 422, "required", name, "is required");
				goto fail;
			}
	*out = r;
	return 0;
oom:
	rf_error_set(err, 500, "internal", "", "out of memory");
fail:
	record_free(r);
	return -1;
}

int record_from_json(const struct entity *e, const cJSON *obj, enum record_mode mode,
		     const struct principal *who, struct record **out, struct rf_error *err)
{
	return from_json(e, obj, mode, who, "", out, err);
}

cJSON *words_to_json(const char *s)
{
	cJSON *a = cJSON_CreateArray();
	if (!a || !s)
		return a;
	const char *p = s;
	while (*p) {
		while (*p == ' ')
			p++;
		const char *end = p;
		while (*end && *end != ' ')
			end++;
		if (end > p) {
			char w[64];
			size_t n = (size_t)(end - p) < sizeof w - 1 ? (size_t)(end - p) : sizeof w - 1;
			memcpy(w, p, n);
			w[n] = '\0';
			cJSON_AddItemToArray(a, cJSON_CreateString(w));
		}
		p = end;
	}
	return a;
}

cJSON *record_to_json(const struct record *r, int with_personal)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	for (size_t i = 0; i < r->e->nfields; i++) {
		const struct field *f = &r->e->fields[i];
		const struct value *v = &r->v[i];
		if (v->state == V_ABSENT || (!with_personal && (f->flags & F_PERSONAL)))
			continue;
		cJSON *item = NULL;
		if (v->state == V_NULL) {
			item = f->kind == FK_CHILDREN ? cJSON_CreateArray() : cJSON_CreateNull();
		} else {
			switch (f->kind) {
			case FK_ID:
			case FK_INT:
				item = cJSON_CreateNumber((double)v->i);
				break;
			case FK_REAL:
				item = cJSON_CreateNumber(v->d);
				break;
			case FK_BOOL:
				item = cJSON_CreateBool(v->i != 0);
				break;
			case FK_TIME: {
				char iso[32];
				item = cJSON_CreateString(clock_format_iso(v->i, iso));
				break;
			}
			case FK_WORDS:
			case FK_LANGS:
				item = words_to_json(v->s);
				break;
			case FK_CHILDREN:
				item = cJSON_CreateArray();
				for (size_t k = 0; item && k < v->nrows; k++)
					cJSON_AddItemToArray(item, record_to_json(v->rows[k], with_personal));
				break;
			default:
				item = cJSON_CreateString(v->s ? v->s : "");
				break;
			}
		}
		cJSON_AddItemToObject(o, f->name, item);
	}
	return o;
}
