#include "deployment.h"

#include "alert_engine.h"
#include "app.h"
#include "auth.h"
#include "deploy_event.h"
#include "deploy_reply.h"
#include "deploy_text.h"
#include "events.h"
#include "log.h"
#include "model.h"
#include "outbox.h"
#include "paris_time.h"
#include "store.h"
#include "store_alert.h"
#include "store_record.h"
#include "store_sms.h"
#include "sms_text.h"
#include "store_stock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOUR_MS 3600000LL

static int active(const struct staff_request_row *r)
{
	return strcmp(r->status, "open") == 0 || strcmp(r->status, "filling") == 0;
}

/* --- the matching's view of a request ------------------------------------------------------------- */

/* The bits of the words of list in a field's enum (professions, credential kinds). */
static unsigned long long enum_bits(const struct entity *e, const char *field, const char *list)
{
	const struct field *f = entity_field(e, field, NULL);
	unsigned long long bits = 0;
	char word[64];
	const char *w;
	size_t n;
	for (const char *p = list; (w = match_next_word(&p, &n));)
		if (n < sizeof word) {
			memcpy(word, w, n);
			word[n] = '\0';
			int i = field_enum_index(f, word);
			if (i >= 0 && i < 64)
				bits |= 1ull << i;
		}
	return bits;
}

static int wave_extra_km(const struct app *app, int wave)
{
	long long extra = (long long)(wave > 1 ? wave - 1 : 0) * app->cfg.staff_radius_step_km;
	return (int)(extra < app->cfg.staff_radius_max_extra_km ? extra : app->cfg.staff_radius_max_extra_km);
}

void deployment_match_request(struct app *app, const struct staff_request_row *r, int wave, struct match_request *mrq)
{
	memset(mrq, 0, sizeof *mrq);
	mrq->professions = enum_bits(&entity_volunteer, "profession", r->professions);
	mrq->credentials = enum_bits(&entity_volunteer_credential, "kind", r->credentials);
	mrq->skills = r->skills;
	mrq->languages = r->languages;
	mrq->shifts = r->shifts;
	mrq->nshifts = (size_t)r->nshifts;
	mrq->lat = r->lat;
	mrq->lng = r->lng;
	mrq->rest_ms = app->cfg.staff_rest_hours * HOUR_MS;
	mrq->extra_radius_km = wave_extra_km(app, wave);
	mrq->band_km = (int)app->cfg.staff_distance_band_km;
}

/* The credential kinds the configuration requires of the request's professions. */
static void default_credentials(const struct app *app, const char *professions, char *out, size_t outlen)
{
	out[0] = '\0';
	const char *rules = app->cfg.staff_required_credentials;
	for (const char *p = rules; *p;) {
		while (*p == ' ')
			p++;
		size_t n = strcspn(p, " ");
		const char *eq = memchr(p, '=', n);
		if (eq && match_has_word(professions, p, (size_t)(eq - p))) {
			size_t kn = n - (size_t)(eq + 1 - p);
			if (kn && !match_has_word(out, eq + 1, kn) && strlen(out) + kn + 2 < outlen) {
				if (out[0])
					strcat(out, " ");
				strncat(out, eq + 1, kn);
			}
		}
		p += n;
	}
}

struct first_contact {
	char phone[24];
};

static int take_first_contact(void *ctx, const struct recipient *r)
{
	struct first_contact *c = ctx;
	snprintf(c->phone, sizeof c->phone, "%s", r->phone ? r->phone : "");
	return 1;
}

int deployment_request_prepare(struct app *app, const struct principal *who, struct staff_request_row *r,
			       struct rf_error *err)
{
	struct holder_info h;
	/* a structure's own token, a coordinator of its département, an admin: as for its stock */
	int rc = store_holder_get(app->store, who, HOLDER_STRUCTURE, r->structure_id, &h);
	if (rc == STORE_NOTFOUND)
		return rf_refuse(err, 404, "not_found", "structure_id", "no such structure");
	if (rc)
		return app_refuse_store(app, err, rc, "structure_id");
	char dep[4];
	if ((rc = store_commune_lookup(app->store, h.commune, dep, &r->lat, &r->lng)))
		return app_refuse_store(app, err, rc, "structure_id");
	snprintf(r->dep, sizeof r->dep, "%s", h.dep);
	snprintf(r->commune, sizeof r->commune, "%s", h.commune);
	snprintf(r->structure_name, sizeof r->structure_name, "%s", h.name);
	if (!r->credentials[0])
		default_credentials(app, r->professions, r->credentials, sizeof r->credentials);
	if (!r->contact_phone[0]) {
		struct first_contact c = {""};
		if ((rc = store_structure_contacts(app->store, h.id, take_first_contact, &c)))
			return app_refuse_store(app, err, rc, "contact_phone");
		snprintf(r->contact_phone, sizeof r->contact_phone, "%s", c.phone);
	}
	r->starts_at = r->shifts[0].start;
	r->ends_at = r->shifts[0].end;
	for (int i = 1; i < r->nshifts; i++) {
		if (r->shifts[i].start < r->starts_at)
			r->starts_at = r->shifts[i].start;
		if (r->shifts[i].end > r->ends_at)
			r->ends_at = r->shifts[i].end;
	}
	if (!r->deadline)
		r->deadline = r->starts_at;
	return 0;
}

/* --- events ---------------------------------------------------------------------------------------- */

/* An event of kind about request r and, when k is given, its call k (the volunteer's id is set by
 * the events about the volunteer only: the structure's topic names nobody). */
static void event_init(struct deploy_event *e, enum deploy_event_kind kind, const struct staff_request_row *r,
		       const struct staff_call_row *k)
{
	memset(e, 0, sizeof *e);
	e->kind = kind;
	e->request_id = r->id;
	e->structure_id = r->structure_id;
	if (k)
		e->call_id = k->id;
}

static int request_event(struct app *app, const char *type, const struct staff_request_row *r)
{
	struct staff_counts c;
	int rc = store_staff_counts(app->store, r->id, &c);
	if (rc)
		return rc;
	struct deploy_event e;
	event_init(&e, DEV_REQUEST, r, NULL);
	snprintf(e.status, sizeof e.status, "%s", r->status);
	snprintf(e.urgency, sizeof e.urgency, "%s", r->urgency);
	e.count = r->count;
	e.filled = c.accepted;
	e.open_calls = c.open;
	e.called = c.called;
	e.wave = r->wave;
	e.starts_at = r->starts_at;
	e.deadline = r->deadline;
	return events_add_deploy(app, type, r->dep, "structure", r->structure_id, &e) ? STORE_ERROR : STORE_OK;
}

static int call_event(struct app *app, const char *type, const struct staff_request_row *r,
		      const struct staff_call_row *k)
{
	struct deploy_event e;
	event_init(&e, DEV_CALL, r, k);
	e.volunteer_id = k->volunteer_id;
	e.wave = k->wave;
	e.rank = k->rank;
	e.distance_m = k->distance_m;
	e.expires_at = k->expires_at;
	snprintf(e.call_status, sizeof e.call_status, "%s", k->status);
	snprintf(e.code, sizeof e.code, "%s", k->code);
	return events_add_deploy(app, type, r->dep, "volunteer", k->volunteer_id, &e) ? STORE_ERROR : STORE_OK;
}

static int reply_event(struct app *app, const struct staff_request_row *r, const struct staff_call_row *k,
		       const char *source, const char *verb, const char *result)
{
	struct deploy_event e;
	event_init(&e, DEV_REPLY, r, k);
	e.volunteer_id = k->volunteer_id;
	snprintf(e.source, sizeof e.source, "%s", source);
	snprintf(e.verb, sizeof e.verb, "%s", verb);
	snprintf(e.result, sizeof e.result, "%s", result);
	return events_add_deploy(app, "deployment.replied", r->dep, "volunteer", k->volunteer_id, &e) ? STORE_ERROR
												       : STORE_OK;
}

/* An assignment made or undone: said to the structure's topic, with counts and no name. */
static int assignment_event(struct app *app, const char *type, const struct staff_request_row *r,
			    const struct staff_call_row *k)
{
	struct deploy_event e;
	event_init(&e, DEV_ASSIGNMENT, r, k);
	e.count = r->count;
	e.filled = r->filled;
	return events_add_deploy(app, type, r->dep, "structure", r->structure_id, &e) ? STORE_ERROR : STORE_OK;
}

/* --- messages to volunteers ---------------------------------------------------------------------------- */

/* The first shift's times and the structure, for a text about request r to call k. */
static void text_args(const struct staff_request_row *r, const struct staff_call_row *k, struct deploy_text_args *a)
{
	memset(a, 0, sizeof *a);
	a->structure = r->structure_name;
	a->commune = r->commune_name;
	a->address = r->address;
	a->contact = r->contact_phone;
	a->profession = k->profession;
	a->start = r->shifts[0].start;
	a->end = r->shifts[0].end;
	a->nshifts = r->nshifts;
	a->code = k->code;
	a->immediate = strcmp(r->urgency, "immediate") == 0;
}

/* Queues text kind about call k to its volunteer (in their language), from not_before on (0: now). */
static int message(struct app *app, const struct staff_request_row *r, const struct staff_call_row *k,
		   enum deploy_text_kind kind, const char *choices, long long not_before, long long *sms_id)
{
	if (!k->phone[0])
		return STORE_OK; /* erased since: nobody to tell */
	struct deploy_text_args a;
	text_args(r, k, &a);
	a.choices = choices;
	char text[480];
	deploy_text(kind, &a, k->sms_lang, text, sizeof text);
	static const char *const kinds[DTEXT_COUNT] = {
		"staff_call",	  "staff_confirmed", "staff_filled", "staff_late",   "staff_already",
		"staff_declined", "staff_withdrawn", "staff_cancelled", "staff_closed", "staff_which",
		"staff_unclear",  "staff_no_call",   "staff_unfilled", "availability_until", "credential_reminder",
		"signup_code", "signup_welcome", "signup_link"};
	struct sms_row row;
	memset(&row, 0, sizeof row);
	row.kind = kinds[kind];
	row.dep = k->vdep;
	row.recipient_kind = "volunteer";
	row.recipient_id = k->volunteer_id;
	row.phone = k->phone;
	row.lang = k->sms_lang;
	row.text = text;
	row.cause_kind = "call";
	row.cause_id = k->id;
	row.next_attempt_at = not_before;
	return outbox_queue(app, &row, sms_id);
}

/* --- calls ------------------------------------------------------------------------------------------ */

static unsigned long long mix(unsigned long long x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* A reply code for volunteer v's call of request r: four digits, none of their open or accepted
 * calls has it. Derived from the ids (no randomness to carry): the same call gets the same code. */
static int reply_code(struct store *st, long long request, long long volunteer, char code[8])
{
	for (unsigned long long attempt = 0; attempt < 200; attempt++) {
		unsigned long long x = mix((unsigned long long)request * 1000003ULL ^ mix((unsigned long long)volunteer + attempt));
		snprintf(code, 8, "%04llu", 1000 + x % 9000);
		if (!store_staff_code_taken(st, volunteer, code))
			return 0;
	}
	return -1;
}

/* The instant a call's SMS may go: now, or the end of the quiet hours unless the request is
 * immediate. */
static long long sms_time(const struct app *app, const struct staff_request_row *r, long long now)
{
	if (strcmp(r->urgency, "immediate") == 0)
		return now;
	long long end = paris_quiet_end(now, (int)app->cfg.staff_quiet_start_hour, (int)app->cfg.staff_quiet_end_hour);
	return end ? end : now;
}

static int make_call(struct app *app, struct staff_request_row *r, const struct match_result *m, int wave, long long now)
{
	struct store *st = app->store;
	struct staff_call_row k;
	memset(&k, 0, sizeof k);
	k.request_id = r->id;
	k.volunteer_id = m->volunteer_id;
	k.wave = wave;
	k.rank = m->rank;
	k.distance_m = m->distance_m;
	k.widened = m->widened;
	k.prev_called_at = m->last_called_at;
	k.prev_deployments = m->deployments;
	long long at = sms_time(app, r, now);
	k.called_at = now;
	k.expires_at = at + app->cfg.staff_wave_timeout_s * 1000;
	if (reply_code(st, r->id, k.volunteer_id, k.code))
		return STORE_CONFLICT;
	int rc = store_staff_call_insert(st, &k);
	if (!rc)
		rc = store_staff_call_get(st, k.id, &k);
	long long sms = 0;
	if (!rc)
		rc = message(app, r, &k, DTEXT_CALL, NULL, at > now ? at : 0, &sms);
	if (!rc && sms && (rc = store_staff_call_set_sms(st, k.id, sms, k.expires_at)) == STORE_OK)
		k.sms_id = sms;
	if (!rc)
		rc = call_event(app, "deployment.called", r, &k);
	return rc;
}

/* Nobody is left to call and nobody is answering: the structure's coordinators and the duty
 * officers are told (once the alert is open, it counts the places still missing). */
static int escalate(struct app *app, struct staff_request_row *r, const char *reason, int deadline)
{
	const char *first_profession = r->professions;
	char prof[24];
	size_t n = strcspn(first_profession, " ");
	snprintf(prof, sizeof prof, "%.*s", (int)(n < sizeof prof ? n : sizeof prof - 1), first_profession);
	struct staff_unfilled u = {r->id, r->structure_id, r->dep, r->structure_name, r->commune, r->commune_name, prof,
				   r->lat, r->lng, r->count - r->filled, r->count, r->starts_at, deadline};
	struct alert_row a;
	int rc = alert_engine_staff_unfilled(app, &u, &a);
	if (rc)
		return rc;
	if (!r->escalated_at) {
		r->escalated_at = store_now(app->store);
		if ((rc = store_staff_request_update(app->store, r)))
			return rc;
	}
	struct deploy_event e;
	event_init(&e, DEV_ESCALATION, r, NULL);
	e.alert_id = a.id;
	e.missing = r->count - r->filled;
	snprintf(e.reason, sizeof e.reason, "%s", reason);
	snprintf(e.status, sizeof e.status, "%s", r->status);
	log_info("deployment: request %lld escalated (%s), %d missing", r->id, reason, e.missing);
	return events_add_deploy(app, "deployment.escalated", r->dep, "structure", r->structure_id, &e) ? STORE_ERROR
													   : STORE_OK;
}

/* Keeps k calls open per missing place: calls the next candidates when fewer are open (a new
 * wave), or (forced: a coordinator's "call now") k more per missing place whatever is open. When
 * nobody can be called and nobody is answering, the request escalates. */
static int top_up(struct app *app, struct staff_request_row *r, long long now, int forced)
{
	struct store *st = app->store;
	if (!active(r))
		return STORE_OK;
	struct staff_counts c;
	int rc = store_staff_counts(st, r->id, &c);
	if (rc)
		return rc;
	int missing = r->count - c.accepted;
	if (missing <= 0)
		return STORE_OK;
	int target = (int)app->cfg.staff_wave_factor * missing;
	int want = forced ? target : target - c.open;
	if (want <= 0)
		return STORE_OK;
	int wave = r->wave + 1;
	struct deploy_preview p;
	struct rf_error err;
	if (deployment_preview(app, r, 0, 0, &p, &err))
		return STORE_ERROR;
	/* the preview ranked for the next wave already */
	int made = 0;
	for (size_t i = 0; i < p.eligible && made < want && !rc; i++, made++)
		rc = make_call(app, r, &p.results[i], wave, now);
	int extra = p.extra_radius_km;
	deployment_preview_release(&p);
	if (rc)
		return rc;
	if (!made) {
		if (c.open == 0)
			return escalate(app, r, "nobody_left", 0);
		return STORE_OK;
	}
	r->wave = wave;
	snprintf(r->status, sizeof r->status, "filling");
	if ((rc = store_staff_request_update(st, r)))
		return rc;
	struct deploy_event e;
	event_init(&e, DEV_WAVE, r, NULL);
	e.wave = wave;
	e.wave_calls = made;
	e.extra_radius_km = extra;
	if (events_add_deploy(app, "deployment.wave_started", r->dep, "structure", r->structure_id, &e))
		return STORE_ERROR;
	log_info("deployment: request %lld wave %d: %d called", r->id, wave, made);
	return STORE_OK;
}

/* --- closing ---------------------------------------------------------------------------------------- */

struct close_ctx {
	struct app *app;
	struct staff_request_row *r;
	const char *status;          /* what the calls become */
	enum deploy_text_kind text;  /* what their volunteers are told */
	int rc;
};

static int close_one(void *ctx, const struct staff_call_row *k)
{
	struct close_ctx *c = ctx;
	struct staff_call_row row = *k;
	snprintf(row.status, sizeof row.status, "%s", c->status);
	if ((c->rc = store_staff_call_set_status(c->app->store, k->id, c->status, 0)) ||
	    (c->rc = message(c->app, c->r, &row, c->text, NULL, 0, NULL)) ||
	    (c->rc = call_event(c->app, "deployment.call_updated", c->r, &row)))
		return 1;
	return 0;
}

/* The calls of r in status from become status, each volunteer told text. */
static int close_calls(struct app *app, struct staff_request_row *r, const char *from, const char *status,
		       enum deploy_text_kind text)
{
	struct close_ctx c = {app, r, status, text, STORE_OK};
	int rc = store_staff_calls_of_request(app->store, r->id, from, close_one, &c);
	return rc ? rc : c.rc;
}

/* The request has all its people: the calls still open are closed, its alert resolves. */
static int filled(struct app *app, struct staff_request_row *r)
{
	long long now = store_now(app->store);
	snprintf(r->status, sizeof r->status, "filled");
	r->closed_at = now;
	snprintf(r->close_reason, sizeof r->close_reason, "filled");
	int rc = store_staff_request_update(app->store, r);
	if (!rc)
		rc = close_calls(app, r, "open", "cancelled", DTEXT_FILLED);
	if (!rc)
		rc = alert_engine_staff_settled(app, r->id, "recovered");
	return rc;
}

/* --- answers -------------------------------------------------------------------------------------------- */

static int reload(struct app *app, struct staff_request_row *r)
{
	return store_staff_request_get(app->store, &principal_system, r->id, r);
}

static int record_reply(struct app *app, const struct staff_request_row *r, const struct staff_call_row *k,
			const char *source, long long inbox_id, const char *text, const char *verb, const char *result)
{
	struct staff_reply_row row = {0, r->id, k->id, k->volunteer_id, inbox_id, 0, source, text, verb, result};
	int rc = store_staff_reply_insert(app->store, &row);
	return rc ? rc : reply_event(app, r, k, source, verb, result);
}

/* What an answer does to call k (of request r). sms: answered by SMS (every answer gets one back);
 * by the page, only an assignment is confirmed by SMS (the address and the contact). */
static int act(struct app *app, struct staff_request_row *r, struct staff_call_row *k, enum reply_verb verb, int sms,
	       const char **result)
{
	struct store *st = app->store;
	long long now = store_now(st);
	int rc = STORE_OK;
	int was_open = strcmp(k->status, "open") == 0, accepted = strcmp(k->status, "accepted") == 0;
	if (verb == VERB_DECLINE && accepted)
		verb = VERB_WITHDRAW; /* "NON" from someone assigned: they are not coming */
	if (verb == VERB_WITHDRAW && was_open)
		verb = VERB_DECLINE;
	switch (verb) {
	case VERB_ACCEPT:
		if (accepted) {
			*result = "already assigned";
			return sms ? message(app, r, k, DTEXT_ALREADY, NULL, 0, NULL) : STORE_OK;
		}
		if (active(r) && r->filled < r->count) {
			if ((rc = store_staff_call_set_status(st, k->id, "accepted", now)))
				return rc;
			snprintf(k->status, sizeof k->status, "accepted");
			if ((rc = reload(app, r)) || (rc = message(app, r, k, DTEXT_CONFIRMED, NULL, 0, NULL)) ||
			    (rc = call_event(app, "deployment.call_updated", r, k)) ||
			    (rc = assignment_event(app, "deployment.assigned", r, k)))
				return rc;
			*result = "accepted";
			if (r->filled >= r->count)
				return filled(app, r);
			return STORE_OK;
		}
		/* too late: thanked, and told */
		if (was_open) {
			if ((rc = store_staff_call_set_status(st, k->id, "late", now)))
				return rc;
			snprintf(k->status, sizeof k->status, "late");
			if ((rc = call_event(app, "deployment.call_updated", r, k)))
				return rc;
		}
		*result = strcmp(r->status, "filled") == 0 ? "filled" : "closed";
		return message(app, r, k, strcmp(r->status, "filled") == 0 ? DTEXT_LATE : DTEXT_CLOSED, NULL, 0, NULL);
	case VERB_DECLINE:
		*result = "declined";
		if (was_open || !strcmp(k->status, "expired") || !strcmp(k->status, "failed")) {
			if ((rc = store_staff_call_set_status(st, k->id, "declined", now)))
				return rc;
			snprintf(k->status, sizeof k->status, "declined");
			if ((rc = call_event(app, "deployment.call_updated", r, k)))
				return rc;
		}
		if (sms && (rc = message(app, r, k, DTEXT_DECLINED, NULL, 0, NULL)))
			return rc;
		/* nobody left answering: the next wave need not wait for the timeout */
		return was_open ? top_up(app, r, now, 0) : STORE_OK;
	case VERB_WITHDRAW:
		if (!accepted) {
			*result = "nothing to withdraw";
			return sms ? message(app, r, k, DTEXT_NO_CALL, NULL, 0, NULL) : STORE_OK;
		}
		if ((rc = store_staff_call_set_status(st, k->id, "withdrawn", now)))
			return rc;
		snprintf(k->status, sizeof k->status, "withdrawn");
		if ((rc = reload(app, r)))
			return rc;
		if (strcmp(r->status, "filled") == 0) {
			/* a place again: the request fills anew, until its deadline */
			snprintf(r->status, sizeof r->status, "filling");
			r->closed_at = 0;
			r->close_reason[0] = '\0';
			if ((rc = store_staff_request_update(st, r)))
				return rc;
		}
		*result = "withdrawn";
		if ((sms && (rc = message(app, r, k, DTEXT_WITHDRAWN, NULL, 0, NULL))) ||
		    (rc = call_event(app, "deployment.call_updated", r, k)) ||
		    (rc = assignment_event(app, "deployment.unassigned", r, k)))
			return rc;
		return top_up(app, r, now, 0);
	default:
		*result = "not understood";
		return STORE_OK;
	}
}

/* act() on call k, with its request, its reply recorded and the request's progress said. */
static int answer_call(struct app *app, struct staff_call_row *k, enum reply_verb verb, const char *source,
		       long long inbox_id, const char *text, const char **result)
{
	struct staff_request_row r;
	int rc = store_staff_request_get(app->store, &principal_system, k->request_id, &r);
	if (rc)
		return rc;
	const char *res = "not understood";
	if ((rc = act(app, &r, k, verb, strcmp(source, "sms") == 0, &res)))
		return rc;
	*result = res;
	if ((rc = record_reply(app, &r, k, source, inbox_id, text, deploy_reply_verb_name(verb), res)) || (rc = reload(app, &r)))
		return rc;
	return request_event(app, "deployment.request_updated", &r);
}

int deployment_answer(struct app *app, const struct principal *who, long long call_id, int verb, const char **result,
		      struct rf_error *err)
{
	struct staff_call_row k;
	int rc = store_staff_call_get(app->store, call_id, &k);
	/* a volunteer answers their own calls only: anyone else's is missing */
	if (rc == STORE_NOTFOUND || (!rc && (who->role != ROLE_VOLUNTEER || k.volunteer_id != who->subject_id)))
		return rf_refuse(err, 404, "not_found", "id", "no such call");
	if (rc)
		return app_refuse_store(app, err, rc, "id");
	if ((rc = answer_call(app, &k, (enum reply_verb)verb, "web", 0, NULL, result)))
		return app_refuse_store(app, err, rc, "answer");
	return 0;
}

/* --- SMS replies ------------------------------------------------------------------------------------------ */

#define PHONE_VOLUNTEERS_MAX 8
#define REPLY_CALLS_MAX 64

struct phone_calls {
	struct staff_call_row *k;
	size_t n, cap;
	int oom;
};

static int gather(void *ctx, const struct staff_call_row *k)
{
	struct phone_calls *pc = ctx;
	if (pc->n == pc->cap) {
		size_t cap = pc->cap ? 2 * pc->cap : 8;
		struct staff_call_row *nk = realloc(pc->k, cap * sizeof *nk);
		if (!nk) {
			pc->oom = 1;
			return 1;
		}
		pc->k = nk;
		pc->cap = cap;
	}
	pc->k[pc->n++] = *k;
	return pc->n >= REPLY_CALLS_MAX;
}

/* "4821 (EHPAD Les Tilleuls 30/03 07:00), 5930 (...)": the calls of a status, to choose from. */
static int choices_of(struct app *app, const struct phone_calls *pc, const char *status, char *out, size_t outlen)
{
	out[0] = '\0';
	for (size_t i = 0; i < pc->n; i++) {
		if (strcmp(pc->k[i].status, status))
			continue;
		struct staff_request_row r;
		int rc = store_staff_request_get(app->store, &principal_system, pc->k[i].request_id, &r);
		if (rc)
			return rc;
		char name[40], when[16], one[96];
		sms_text_shorten(r.structure_name, name, 33);
		snprintf(one, sizeof one, "%s%s (%s %s)", out[0] ? ", " : "", pc->k[i].code, name,
			 deploy_text_when(r.shifts[0].start, when));
		if (strlen(out) + strlen(one) + 1 < outlen)
			strcat(out, one);
	}
	return STORE_OK;
}

/* Tells the sender which calls they might mean (or how to answer), and keeps their words on each. */
static int ask(struct app *app, const struct phone_calls *pc, const char *status, int n, enum deploy_text_kind kind,
	       long long inbox_id, const char *text, const char *verb, const char *result)
{
	char choices[320];
	int rc = choices_of(app, pc, status, choices, sizeof choices);
	int told = 0;
	for (size_t i = 0; i < pc->n && !rc; i++) {
		if (strcmp(pc->k[i].status, status))
			continue;
		struct staff_request_row r;
		if ((rc = store_staff_request_get(app->store, &principal_system, pc->k[i].request_id, &r)))
			break;
		/* one answer to one message: said once, about the first of them */
		if (!told++)
			rc = message(app, &r, &pc->k[i], n == 1 ? kind : DTEXT_WHICH, choices, 0, NULL);
		if (!rc)
			rc = record_reply(app, &r, &pc->k[i], "sms", inbox_id, text, verb, result);
	}
	return rc;
}

static size_t count_status(const struct phone_calls *pc, const char *status, size_t *first)
{
	size_t n = 0;
	for (size_t i = 0; i < pc->n; i++)
		if (strcmp(pc->k[i].status, status) == 0 && !n++)
			*first = i;
	return n;
}

/* The call an answer is about: its code's, or the only one it can be. NULL with *ask_status set
 * when it must be asked, or nothing when the sender has no call at all. */
static struct staff_call_row *target_of(struct phone_calls *pc, const struct reply_parsed *p, const char **ask_status)
{
	*ask_status = NULL;
	if (p->code[0]) {
		/* the live call with that code; else the latest call that had it */
		for (int pass = 0; pass < 2; pass++)
			for (size_t i = 0; i < pc->n; i++)
				if (strcmp(pc->k[i].code, p->code) == 0 &&
				    (pass || !strcmp(pc->k[i].status, "open") || !strcmp(pc->k[i].status, "accepted")))
					return &pc->k[i];
		return NULL;
	}
	size_t first = 0;
	const char *want = p->verb == VERB_WITHDRAW ? "accepted" : "open";
	size_t n = count_status(pc, want, &first);
	if (n == 1)
		return &pc->k[first];
	if (n > 1) {
		*ask_status = want;
		return NULL;
	}
	if (p->verb != VERB_WITHDRAW && count_status(pc, "accepted", &first) == 1)
		return &pc->k[first]; /* a yes again, or a no: about their assignment */
	if (p->verb != VERB_WITHDRAW && count_status(pc, "accepted", &first) > 1) {
		*ask_status = "accepted";
		return NULL;
	}
	/* the latest call they had (a yes after the request was filled) */
	return pc->n && p->verb != VERB_WITHDRAW ? &pc->k[0] : NULL;
}

int deployment_sms_reply(struct app *app, long long inbox_id, const char *phone, const char *text, int *handled,
			 const char **result)
{
	struct store *st = app->store;
	*handled = 0;
	*result = NULL;
	struct phone_volunteer vs[PHONE_VOLUNTEERS_MAX];
	int nv = 0;
	int rc = store_volunteers_by_phone(st, phone, vs, PHONE_VOLUNTEERS_MAX, &nv);
	if (rc || !nv)
		return rc;
	/* every call of every volunteer of that phone, newest first */
	struct phone_calls pc = {NULL, 0, 0, 0};
	for (int i = 0; i < nv && !rc; i++)
		rc = store_staff_calls_of_volunteer(st, vs[i].id, 0, gather, &pc);
	if (!rc && pc.oom)
		rc = STORE_ERROR;
	if (rc || !pc.n) {
		free(pc.k);
		return rc;
	}
	/* newest first across volunteers too */
	for (size_t i = 1; i < pc.n; i++)
		for (size_t j = i; j > 0 && pc.k[j].id > pc.k[j - 1].id; j--) {
			struct staff_call_row t = pc.k[j];
			pc.k[j] = pc.k[j - 1];
			pc.k[j - 1] = t;
		}
	struct reply_parsed p;
	deploy_reply_parse(text, &p);
	size_t first;
	int nopen = (int)count_status(&pc, "open", &first), naccepted = (int)count_status(&pc, "accepted", &first);
	*handled = 1;
	if (p.verb == VERB_NONE) {
		/* words that are not an answer: kept on the calls they may be about, and how to answer */
		if (nopen || naccepted) {
			const char *status = nopen ? "open" : "accepted";
			rc = ask(app, &pc, status, nopen ? nopen : naccepted, DTEXT_UNCLEAR, inbox_id, text, "unclear",
				 "not understood");
			*result = "not understood";
		} else
			*handled = 0; /* no call to be about: an SMS like any other */
		free(pc.k);
		return rc;
	}
	const char *ask_status;
	struct staff_call_row *k = target_of(&pc, &p, &ask_status);
	if (k) {
		rc = answer_call(app, k, p.verb, "sms", inbox_id, text, result);
	} else if (ask_status) {
		int n = (int)count_status(&pc, ask_status, &first);
		rc = ask(app, &pc, ask_status, n, DTEXT_WHICH, inbox_id, text, deploy_reply_verb_name(p.verb), "which call");
		*result = "which call";
	} else {
		/* a code that is none of theirs, or nothing to withdraw */
		struct staff_request_row r;
		if (!(rc = store_staff_request_get(st, &principal_system, pc.k[0].request_id, &r)))
			rc = message(app, &r, &pc.k[0], DTEXT_NO_CALL, NULL, 0, NULL);
		*result = p.code[0] ? "unknown code" : "nothing to withdraw";
	}
	free(pc.k);
	return rc;
}

/* --- requests ---------------------------------------------------------------------------------------------- */

int deployment_request_create(struct app *app, const struct principal *who, struct staff_request_row *r,
			      struct rf_error *err)
{
	if (deployment_request_prepare(app, who, r, err))
		return -1;
	r->created_by = who->token_id;
	int rc = store_staff_request_insert(app->store, r);
	if (!rc)
		rc = reload(app, r); /* as the store has it: the commune's name, the shifts' refs */
	if (!rc)
		rc = request_event(app, "deployment.requested", r);
	if (!rc)
		rc = top_up(app, r, store_now(app->store), 0);
	if (!rc)
		rc = reload(app, r);
	if (!rc)
		rc = request_event(app, "deployment.request_updated", r);
	if (rc)
		return app_refuse_store(app, err, rc, "request");
	log_info("deployment: request %lld for structure %lld: %d x %s", r->id, r->structure_id, r->count, r->professions);
	return 0;
}

/* The request if who may change it: a coordinator of its département, its structure, an admin. */
static int request_for(struct app *app, const struct principal *who, long long id, struct staff_request_row *r,
		       struct rf_error *err)
{
	int rc = store_staff_request_get(app->store, who, id, r);
	if (!rc && who->role != ROLE_ADMIN && who->role != ROLE_COORDINATOR && who->role != ROLE_STRUCTURE)
		rc = STORE_NOTFOUND;
	if (rc == STORE_NOTFOUND)
		return rf_refuse(err, 404, "not_found", "id", "no such staff request");
	if (rc)
		return app_refuse_store(app, err, rc, "id");
	if (!active(r))
		return rf_refuse(err, 409, "conflict", "status", "the request is no longer open (filled, expired or cancelled)");
	return 0;
}

int deployment_request_cancel(struct app *app, const struct principal *who, long long id, const char *reason,
			      struct rf_error *err)
{
	struct staff_request_row r;
	if (request_for(app, who, id, &r, err))
		return -1;
	snprintf(r.status, sizeof r.status, "cancelled");
	r.closed_at = store_now(app->store);
	snprintf(r.close_reason, sizeof r.close_reason, "%s", reason && reason[0] ? reason : "cancelled");
	int rc = store_staff_request_update(app->store, &r);
	if (!rc)
		rc = close_calls(app, &r, "open", "cancelled", DTEXT_CANCELLED);
	if (!rc)
		rc = close_calls(app, &r, "accepted", "cancelled", DTEXT_CANCELLED);
	if (!rc)
		rc = alert_engine_staff_settled(app, r.id, "manual");
	if (!rc)
		rc = reload(app, &r);
	if (!rc)
		rc = request_event(app, "deployment.request_updated", &r);
	return rc ? app_refuse_store(app, err, rc, "id") : 0;
}

int deployment_call_now(struct app *app, const struct principal *who, long long id, struct rf_error *err)
{
	struct staff_request_row r;
	if (request_for(app, who, id, &r, err))
		return -1;
	if (who->role == ROLE_STRUCTURE)
		return rf_refuse(err, 404, "not_found", "id", "no such staff request");
	int rc = top_up(app, &r, store_now(app->store), 1);
	if (!rc)
		rc = reload(app, &r);
	if (!rc)
		rc = request_event(app, "deployment.request_updated", &r);
	return rc ? app_refuse_store(app, err, rc, "id") : 0;
}

/* --- time passing --------------------------------------------------------------------------------------------- */

struct tick_ctx {
	struct app *app;
	long long now;
	int rc;
};

static int expire_calls(void *ctx, long long id)
{
	struct tick_ctx *t = ctx;
	struct staff_request_row r;
	int rc = store_staff_request_get(t->app->store, &principal_system, id, &r);
	struct staff_call_row *list = NULL;
	if (!rc) {
		struct phone_calls pc = {NULL, 0, 0, 0};
		rc = store_staff_calls_of_request(t->app->store, id, "open", gather, &pc);
		list = pc.k;
		for (size_t i = 0; !rc && i < pc.n; i++) {
			if (pc.k[i].expires_at > t->now)
				continue;
			snprintf(pc.k[i].status, sizeof pc.k[i].status, "expired");
			rc = store_staff_call_set_status(t->app->store, pc.k[i].id, "expired", 0);
			if (!rc)
				rc = call_event(t->app, "deployment.call_updated", &r, &pc.k[i]);
		}
	}
	if (!rc)
		rc = top_up(t->app, &r, t->now, 0);
	if (!rc)
		rc = reload(t->app, &r);
	if (!rc)
		rc = request_event(t->app, "deployment.request_updated", &r);
	free(list);
	return (t->rc = rc) != STORE_OK;
}

static int past_deadline(void *ctx, long long id)
{
	struct tick_ctx *t = ctx;
	struct staff_request_row r;
	int rc = store_staff_request_get(t->app->store, &principal_system, id, &r);
	if (!rc) {
		snprintf(r.status, sizeof r.status, "expired");
		r.closed_at = t->now;
		snprintf(r.close_reason, sizeof r.close_reason, "deadline");
		rc = store_staff_request_update(t->app->store, &r);
	}
	if (!rc)
		rc = close_calls(t->app, &r, "open", "cancelled", DTEXT_CLOSED);
	if (!rc)
		rc = escalate(t->app, &r, "deadline", 1);
	if (!rc)
		rc = reload(t->app, &r);
	if (!rc)
		rc = request_event(t->app, "deployment.request_updated", &r);
	return (t->rc = rc) != STORE_OK;
}

int deployment_tick(struct app *app, long long now)
{
	struct tick_ctx t = {app, now, STORE_OK};
	int rc = store_staff_requests_past_deadline(app->store, now, past_deadline, &t);
	if (!rc && !t.rc)
		rc = store_staff_requests_with_expired_calls(app->store, now, expire_calls, &t);
	return rc ? rc : t.rc;
}

int deployment_sms_outcome(struct app *app, const struct sms_row *row, int failed)
{
	/* only the call itself: a confirmation that fails calls nobody else */
	if (!failed || !row->kind || strcmp(row->kind, "staff_call") != 0)
		return STORE_OK;
	struct staff_call_row k;
	int rc = store_staff_call_get(app->store, row->cause_id, &k);
	if (rc == STORE_NOTFOUND)
		return STORE_OK;
	if (rc || strcmp(k.status, "open") != 0)
		return rc;
	struct staff_request_row r;
	if ((rc = store_staff_request_get(app->store, &principal_system, k.request_id, &r)))
		return rc;
	/* unanswered at once: the next candidate is called */
	snprintf(k.status, sizeof k.status, "failed");
	if ((rc = store_staff_call_set_status(app->store, k.id, "failed", 0)) ||
	    (rc = call_event(app, "deployment.call_updated", &r, &k)) ||
	    (rc = top_up(app, &r, store_now(app->store), 0)) || (rc = reload(app, &r)))
		return rc;
	return request_event(app, "deployment.request_updated", &r);
}

/* --- preview ---------------------------------------------------------------------------------------------------- */

int deployment_preview(struct app *app, const struct staff_request_row *r, long long only_volunteer,
		       int every_profession, struct deploy_preview *out, struct rf_error *err)
{
	memset(out, 0, sizeof *out);
	out->wave = r->wave + 1;
	out->extra_radius_km = wave_extra_km(app, out->wave);
	deployment_match_request(app, r, out->wave, &out->mrq);
	struct match_load q = {r, !every_profession && !only_volunteer, only_volunteer, app->cfg.staff_rest_hours * HOUR_MS,
			       store_now(app->store)};
	int rc = store_staff_match_load(app->store, &q, &out->pool);
	if (rc)
		return app_refuse_store(app, err, rc, "volunteers");
	out->results = malloc((out->pool.n ? out->pool.n : 1) * sizeof *out->results);
	if (!out->results) {
		match_pool_release(&out->pool);
		return rf_refuse(err, 503, "unavailable", "", "out of memory");
	}
	out->eligible = match_rank(&out->mrq, out->pool.v, out->pool.n, store_now(app->store), out->results);
	return 0;
}

void deployment_preview_release(struct deploy_preview *p)
{
	match_pool_release(&p->pool);
	free(p->results);
	memset(p, 0, sizeof *p);
}
