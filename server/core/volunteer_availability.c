#include "volunteer_availability.h"

#include "app.h"
#include "auth.h"
#include "availability.h"
#include "deploy_text.h"
#include "events.h"
#include "log.h"
#include "model.h"
#include "outbox.h"
#include "paris_time.h"
#include "store.h"
#include "store_record.h"
#include "store_sms.h"

#include <stdio.h>
#include <string.h>

/* The volunteer's département when who may read them; 404 otherwise. */
static int volunteer_dep(struct app *app, const struct principal *who, long long volunteer, char dep[4],
			 struct rf_error *err)
{
	struct record *r = NULL;
	int rc = store_record_get(app->store, &entity_volunteer, who, volunteer, &r);
	if (rc == STORE_NOTFOUND)
		return rf_refuse(err, 404, "not_found", "id", "no such record");
	if (rc)
		return app_refuse_store(app, err, rc, "id");
	snprintf(dep, 4, "%s", r->v[VOLUNTEER_DEP].state == V_SET ? r->v[VOLUNTEER_DEP].s : "");
	record_free(r);
	return 0;
}

/* What holds now for the volunteer, from their windows and assignments. */
static int holds_now(struct app *app, long long volunteer, const char **out)
{
	struct availability_inputs in;
	int rc = store_availability_inputs(app->store, volunteer, store_now(app->store), &in);
	if (!rc)
		*out = availability_now(in.unavailable, in.nu, in.only, in.no, in.assigned, in.na, store_now(app->store));
	return rc;
}

/* Writes the volunteer's availability (through the registry: audited, updated_at) and says so:
 * always when force, else when it changed. */
static int set_availability(struct app *app, long long volunteer, const char *dep, const char *availability,
			    const char *source, int force)
{
	if (!force) {
		struct record *cur = NULL;
		int rc = store_record_get(app->store, &entity_volunteer, &principal_system, volunteer, &cur);
		int same = !rc && cur->v[VOLUNTEER_AVAILABILITY].state == V_SET &&
			   strcmp(cur->v[VOLUNTEER_AVAILABILITY].s, availability) == 0;
		record_free(cur);
		if (rc == STORE_NOTFOUND || same)
			return STORE_OK; /* erased since, or nothing new */
		if (rc)
			return rc;
	}
	struct record *patch = record_new(&entity_volunteer);
	if (!patch)
		return STORE_ERROR;
	record_set_text(patch, VOLUNTEER_AVAILABILITY, availability);
	int rc = store_record_update(app->store, &principal_system, volunteer, patch);
	record_free(patch);
	if (!rc && events_add_availability(app, volunteer, dep, availability, source))
		rc = STORE_ERROR;
	return rc;
}

static int refresh(struct app *app, long long volunteer, const char *dep, const char *source, int force)
{
	const char *now;
	int rc = holds_now(app, volunteer, &now);
	return rc ? rc : set_availability(app, volunteer, dep, now, source, force);
}

int availability_of(struct app *app, const struct principal *who, long long volunteer, char *out, struct rf_error *err)
{
	char dep[4];
	if (volunteer_dep(app, who, volunteer, dep, err))
		return -1;
	const char *now;
	int rc = holds_now(app, volunteer, &now);
	if (rc)
		return app_refuse_store(app, err, rc, "id");
	/* unavailable said with no window (INDISPO, the page) holds until they say otherwise */
	struct record *r = NULL;
	if (strcmp(now, "available") == 0 &&
	    store_record_get(app->store, &entity_volunteer, &principal_system, volunteer, &r) == STORE_OK &&
	    r->v[VOLUNTEER_AVAILABILITY].state == V_SET)
		snprintf(out, 16, "%s", r->v[VOLUNTEER_AVAILABILITY].s);
	else
		snprintf(out, 16, "%s", now);
	record_free(r);
	return 0;
}

int availability_window_add(struct app *app, const struct principal *who, struct window_row *w, char *now_availability,
			    struct rf_error *err)
{
	char dep[4];
	if (volunteer_dep(app, who, w->volunteer_id, dep, err))
		return -1;
	long long n = 0;
	int rc = store_windows_count(app->store, w->volunteer_id, store_now(app->store), &n);
	if (!rc && n >= WINDOWS_MAX)
		return rf_refuse(err, 409, "conflict", "volunteer_id", "has 50 windows to come already: remove some first");
	if (!rc)
		rc = store_window_insert(app->store, w);
	if (!rc)
		rc = refresh(app, w->volunteer_id, dep, "window", 0);
	if (rc)
		return app_refuse_store(app, err, rc, "window");
	return availability_of(app, who, w->volunteer_id, now_availability, err);
}

int availability_window_delete(struct app *app, const struct principal *who, long long volunteer, long long id,
			       char *now_availability, struct rf_error *err)
{
	char dep[4];
	if (volunteer_dep(app, who, volunteer, dep, err))
		return -1;
	int rc = store_window_delete(app->store, volunteer, id);
	if (rc == STORE_NOTFOUND)
		return rf_refuse(err, 404, "not_found", "window_id", "no such window");
	if (!rc)
		rc = refresh(app, volunteer, dep, "window", 0);
	if (rc)
		return app_refuse_store(app, err, rc, "window_id");
	return availability_of(app, who, volunteer, now_availability, err);
}

int availability_by_sms(struct app *app, long long volunteer, const char *dep, int available, const char *text,
			long long *until)
{
	struct store *st = app->store;
	long long now = store_now(st);
	*until = 0;
	if (available) {
		int rc = store_windows_end_unavailable(st, volunteer, now);
		return rc ? rc : refresh(app, volunteer, dep, "sms", 1);
	}
	long long end = 0;
	if (availability_until(text, now, &end) != 1)
		/* no date: unavailable until they say otherwise */
		return set_availability(app, volunteer, dep, "unavailable", "sms", 1);
	struct window_row w;
	memset(&w, 0, sizeof w);
	w.volunteer_id = volunteer;
	snprintf(w.kind, sizeof w.kind, "unavailable");
	w.start_at = now;
	w.end_at = end;
	snprintf(w.source, sizeof w.source, "sms");
	int rc = store_window_insert(st, &w);
	if (!rc)
		rc = refresh(app, volunteer, dep, "sms", 1);
	if (!rc)
		*until = end;
	return rc;
}

/* --- time passing --------------------------------------------------------------------------------------- */

struct tick_ctx {
	struct app *app;
	int rc;
};

static int boundary(void *ctx, long long volunteer, const char *dep)
{
	struct tick_ctx *t = ctx;
	return (t->rc = refresh(t->app, volunteer, dep, "window", 0)) != STORE_OK;
}

static int remind(void *ctx, const struct expiring_row *r)
{
	struct tick_ctx *t = ctx;
	struct app *app = t->app;
	long long sms = 0;
	if (r->phone && r->phone[0]) {
		struct deploy_text_args a;
		memset(&a, 0, sizeof a);
		a.credential = r->kind;
		a.expires_on = r->expires_on;
		char text[320];
		deploy_text(DTEXT_CREDENTIAL, &a, r->lang, text, sizeof text);
		struct sms_row row;
		memset(&row, 0, sizeof row);
		row.kind = "credential_reminder";
		row.dep = r->dep;
		row.recipient_kind = "volunteer";
		row.recipient_id = r->volunteer_id;
		row.phone = r->phone;
		row.lang = r->lang;
		row.text = text;
		/* not urgent: held through the quiet hours */
		row.next_attempt_at = paris_quiet_end(store_now(app->store), (int)app->cfg.staff_quiet_start_hour,
						      (int)app->cfg.staff_quiet_end_hour);
		if ((t->rc = outbox_queue(app, &row, &sms)))
			return 1;
	}
	return (t->rc = store_credential_reminded(app->store, r->volunteer_id, r->kind, r->expires_on, sms)) != STORE_OK;
}

int availability_tick(struct app *app, long long now)
{
	struct store *st = app->store;
	long long last = 0;
	int rc = store_meta_get(st, "availability_at", &last);
	if (rc && rc != STORE_NOTFOUND)
		return rc;
	struct tick_ctx t = {app, STORE_OK};
	if (now > last && (rc = store_availability_boundaries(st, last, now, boundary, &t)))
		return rc;
	if (t.rc)
		return t.rc;
	if ((rc = store_meta_set(st, "availability_at", now)))
		return rc;
	/* credentials that expire from today to credential_reminder_days ahead (Paris dates) */
	struct paris_tm a, b;
	paris_fields(now, &a);
	paris_fields(now + app->cfg.credential_reminder_days * 86400000LL, &b);
	char from[16], until[16];
	snprintf(from, sizeof from, "%04d-%02d-%02d", a.year % 10000, a.month % 100, a.day % 100);
	snprintf(until, sizeof until, "%04d-%02d-%02d", b.year % 10000, b.month % 100, b.day % 100);
	rc = store_credentials_to_remind(st, from, until, remind, &t);
	return rc ? rc : t.rc;
}
