/* Unit tests of alert_engine.c: how alerts open, change, reopen and resolve as reports, checks,
 * SMS results and people act. alert_engine.c has no pure part (every decision is taken between a
 * read and a write of the store), so these run it on a temporary database seeded with the region's
 * reference data, one structure with two contacts and a duty officer, each case in a transaction
 * rolled back at its end. Proves, case by case from a table, after each step: the alert's severity,
 * status, version and resolution, the SMS rows queued (critical and stock-out escalations only, to
 * the contacts and the duty officer), and the events emitted; in particular that an escalation of an
 * acknowledged alert reopens it and nothing else does, that a stock-out with an unknown rate calms to
 * critical when stock is back, and the silent-structure edges (the silence's length, three times it).
 * These run with no hold, reopening or cool-down (the rules of before issue 14); the quiet cases with
 * them: a calm must hold, a shortage back within the window reopens its alert, the SMS cool-down, the
 * estimate reaching zero between counts, a threshold crossed by time, the cold start's warning. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert_engine.h"
#include "alert_rules.h"
#include "app.h"
#include "auth.h"
#include "seed.h"
#include "store_alert.h"
#include "store_stock.h"
#include "tx.h"
#include "unit_fixture.h"

#define H 3600000LL
#define RECIPIENTS 3 /* two contacts of the structure, one duty officer of its département */

static struct unit_store *G;
static struct app A;
static struct holder_info HOLDER;
static struct item_info ITEM;
static struct principal ADMIN;

static int group_setup(void **state)
{
	(void)state;
	if (!(G = unit_store_open()))
		return -1;
	char err[512] = "";
	if (seed_reference_data(G->st, UNIT_DATA_DIR, UNIT_NOW, err, sizeof err)) {
		fprintf(stderr, "seed: %s\n", err);
		return -1;
	}
	if (store_begin(G->st, UNIT_NOW, NULL) ||
	    store_exec(G->st, "INSERT INTO structures(name, category, legal_form, commune, dep, lat, lng, occupancy, staff, "
			      "created_at, updated_at) VALUES ('EHPAD Les Peupliers', 'ehpad', 'public', '81004', '81', "
			      "43.92903, 2.1323, 50, 20, 0, 0);"
			      "INSERT INTO structure_contacts(structure_id, name, phone, lang) VALUES "
			      "(last_insert_rowid(), 'Directrice', '+33600000001', 'fr'), "
			      "((SELECT max(id) FROM structures), 'Infirmier', '+33600000002', 'oc');"
			      "INSERT INTO duty_officers(name, phone, dep, created_at, updated_at) "
			      "VALUES ('Astreinte 81', '+33600000003', '81', 0, 0);") ||
	    store_commit(G->st))
		return -1;
	HOLDER.kind = HOLDER_STRUCTURE;
	HOLDER.id = unit_query_int(G->st, "SELECT max(id) FROM structures");
	snprintf(HOLDER.dep, sizeof HOLDER.dep, "81");
	snprintf(HOLDER.name, sizeof HOLDER.name, "EHPAD Les Peupliers");
	snprintf(HOLDER.category, sizeof HOLDER.category, "ehpad");
	HOLDER.occupancy = 50;
	HOLDER.staff = 20;
	if (store_item_find(G->st, NULL, unit_query_int(G->st, "SELECT min(id) FROM items"), &ITEM))
		return -1;
	A.store = G->st;
	A.cfg.silent_after_hours = 48;
	/* warning under 7 days, critical under 3, calming down half a day past them */
	if (threshold_rules_parse("*/*=7,3", 0.5, &A.thresholds, err, sizeof err))
		return -1;
	ADMIN = unit_principal(ROLE_ADMIN, "", 0, 1);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	events_release(&A.events);
	unit_store_close(G);
	return 0;
}

/* --- steps ----------------------------------------------------------------------------------------- */

enum step_kind {
	STEP_END = 0,
	STEP_REPORT,   /* a count: quantity, cover known, days */
	STEP_ACK,      /* a person acknowledges the case's alert */
	STEP_RESOLVE,  /* a person resolves it */
	STEP_COUNTED,  /* the structure's last count was at `at` (its stock level row) */
	STEP_SILENT,   /* the silent check runs at `at` */
	STEP_REPORTED, /* the structure reports (alert_engine_reported) */
	STEP_SMS_FAILED,
	STEP_SMS_RECOVERED,
	STEP_RECHECK,  /* time alone moved: the sweep looks at the level (alert_engine_shortage_recheck) */
};

struct step {
	enum step_kind kind;
	long long quantity;
	int known;
	double days;
	long long at; /* ms after the case's start */
	/* expected after the step */
	int rc;
	const char *severity; /* "" when the case has no alert yet */
	const char *status, *resolution;
	int version;
	int sms;              /* outbox rows queued by this step */
	const char *events;   /* event types emitted by this step, space-separated */
	/* the forecast's view of the level (zero: the estimate is the count, a known rate's confidence) */
	int estimated;
	long long estimate;
	int low;              /* the cold-start fallback's rate (low confidence) */
};

#define REPORT(q, known, days, rc, sev, status, res, v, sms, ev) \
	{STEP_REPORT, q, known, days, 0, rc, sev, status, res, v, sms, ev, 0, 0, 0}
#define PERSON(k, rc, sev, status, res, v, ev) {k, 0, 0, 0, 0, rc, sev, status, res, v, 0, ev, 0, 0, 0}
#define COUNTED(at) {STEP_COUNTED, 0, 0, 0, at, 0, NULL, NULL, NULL, 0, 0, NULL, 0, 0, 0}
#define AT(k, at, sev, status, res, v, ev) {k, 0, 0, 0, at, 0, sev, status, res, v, 0, ev, 0, 0, 0}
/* a count at `at` (ms); a look by the sweep at `at`; the same with the stock estimated (est) and the
 * fallback's rate or not (low) */
#define REPORT_AT(at, q, known, days, sev, status, res, v, sms, ev) \
	{STEP_REPORT, q, known, days, at, 0, sev, status, res, v, sms, ev, 0, 0, 0}
#define RECHECK_AT(at, q, est, known, days, sev, status, res, v, sms, ev) \
	{STEP_RECHECK, q, known, days, at, 0, sev, status, res, v, sms, ev, 1, est, 0}
#define REPORT_LOW(at, q, known, days, sev, status, res, v, sms, ev) \
	{STEP_REPORT, q, known, days, at, 0, sev, status, res, v, sms, ev, 0, 0, 1}
#define K 1 /* cover known */
#define U 0 /* cover unknown (no burn rate) */
#define SMS3 "sms.queued sms.queued sms.queued"

struct engine_case {
	const char *name;
	const char *kind; /* the alert the case follows: shortage, silent, sms_failed */
	const char *dep;  /* for sms_failed */
	struct step steps[9];
};

static const struct engine_case engine_cases[] = {
	/* opening */
	{"plenty: no alert", "shortage", NULL, {REPORT(100, K, 30, 0, "", "", "", 0, 0, "")}},
	{"rate unknown: no alert", "shortage", NULL, {REPORT(100, U, 0, 0, "", "", "", 0, 0, "")}},
	{"a warning opens an alert, without SMS", "shortage", NULL,
	 {REPORT(100, K, 5, 0, "warning", "open", "", 1, 0, "alert.opened")}},
	{"a critical level opens an alert with one SMS per recipient", "shortage", NULL,
	 {REPORT(100, K, 2, 0, "critical", "open", "", 1, RECIPIENTS, SMS3 " alert.opened")}},
	{"a stock-out with an unknown rate opens with SMS", "shortage", NULL,
	 {REPORT(0, U, 0, 0, "stockout", "open", "", 1, RECIPIENTS, SMS3 " alert.opened")}},
	/* in place */
	{"warning then critical: updated in place, SMS", "shortage", NULL,
	 {REPORT(100, K, 5, 0, "warning", "open", "", 1, 0, "alert.opened"),
	  REPORT(100, K, 2, 0, "critical", "open", "", 2, RECIPIENTS, SMS3 " alert.updated")}},
	{"critical then stock-out: SMS again", "shortage", NULL,
	 {REPORT(100, K, 2, 0, "critical", "open", "", 1, RECIPIENTS, SMS3 " alert.opened"),
	  REPORT(0, K, 0, 0, "stockout", "open", "", 2, RECIPIENTS, SMS3 " alert.updated")}},
	{"the same level again: new figures, no SMS", "shortage", NULL,
	 {REPORT(100, K, 2, 0, "critical", "open", "", 1, RECIPIENTS, SMS3 " alert.opened"),
	  REPORT(90, K, 1.8, 0, "critical", "open", "", 2, 0, "alert.updated")}},
	{"a stock-out, stock back with an unknown rate: critical, no SMS", "shortage", NULL,
	 {REPORT(0, U, 0, 0, "stockout", "open", "", 1, RECIPIENTS, SMS3 " alert.opened"),
	  REPORT(10, U, 0, 0, "critical", "open", "", 2, 0, "alert.updated")}},
	{"a stock-out, stock back with plenty of cover: resolved", "shortage", NULL,
	 {REPORT(0, U, 0, 0, "stockout", "open", "", 1, RECIPIENTS, SMS3 " alert.opened"),
	  REPORT(500, K, 7.5, 0, "stockout", "resolved", "recovered", 2, 0, "alert.resolved")}},
	/* hysteresis */
	{"a warning just below threshold + margin stays", "shortage", NULL,
	 {REPORT(100, K, 5, 0, "warning", "open", "", 1, 0, "alert.opened"),
	  REPORT(100, K, 7.49, 0, "warning", "open", "", 2, 0, "alert.updated")}},
	{"a warning at threshold + margin resolves", "shortage", NULL,
	 {REPORT(100, K, 5, 0, "warning", "open", "", 1, 0, "alert.opened"),
	  REPORT(100, K, 7.5, 0, "warning", "resolved", "recovered", 2, 0, "alert.resolved")}},
	{"a critical at critical + margin calms to warning", "shortage", NULL,
	 {REPORT(100, K, 2, 0, "critical", "open", "", 1, RECIPIENTS, SMS3 " alert.opened"),
	  REPORT(100, K, 3.5, 0, "warning", "open", "", 2, 0, "alert.updated")}},
	{"after a resolution, a new alert", "shortage", NULL,
	 {REPORT(100, K, 5, 0, "warning", "open", "", 1, 0, "alert.opened"),
	  REPORT(100, K, 8, 0, "warning", "resolved", "recovered", 2, 0, "alert.resolved"),
	  REPORT(100, K, 6, 0, "warning", "open", "", 1, 0, "alert.opened")}},
	/* acknowledged: only an escalation reopens */
	{"acknowledged, then an escalation: open again, SMS", "shortage", NULL,
	 {REPORT(100, K, 5, 0, "warning", "open", "", 1, 0, "alert.opened"),
	  PERSON(STEP_ACK, 0, "warning", "acknowledged", "", 2, "alert.acknowledged"),
	  REPORT(100, K, 2, 0, "critical", "open", "", 3, RECIPIENTS, SMS3 " alert.updated")}},
	{"acknowledged critical, then a stock-out: open again", "shortage", NULL,
	 {REPORT(100, K, 2, 0, "critical", "open", "", 1, RECIPIENTS, SMS3 " alert.opened"),
	  PERSON(STEP_ACK, 0, "critical", "acknowledged", "", 2, "alert.acknowledged"),
	  REPORT(0, U, 0, 0, "stockout", "open", "", 3, RECIPIENTS, SMS3 " alert.updated")}},
	{"acknowledged, the same level: stays acknowledged", "shortage", NULL,
	 {REPORT(100, K, 5, 0, "warning", "open", "", 1, 0, "alert.opened"),
	  PERSON(STEP_ACK, 0, "warning", "acknowledged", "", 2, "alert.acknowledged"),
	  REPORT(100, K, 4, 0, "warning", "acknowledged", "", 3, 0, "alert.updated")}},
	{"acknowledged, calming a step: stays acknowledged", "shortage", NULL,
	 {REPORT(100, K, 2, 0, "critical", "open", "", 1, RECIPIENTS, SMS3 " alert.opened"),
	  PERSON(STEP_ACK, 0, "critical", "acknowledged", "", 2, "alert.acknowledged"),
	  REPORT(100, K, 4, 0, "warning", "acknowledged", "", 3, 0, "alert.updated")}},
	{"acknowledged stock-out, stock back with an unknown rate: critical, still acknowledged", "shortage", NULL,
	 {REPORT(0, U, 0, 0, "stockout", "open", "", 1, RECIPIENTS, SMS3 " alert.opened"),
	  PERSON(STEP_ACK, 0, "stockout", "acknowledged", "", 2, "alert.acknowledged"),
	  REPORT(10, U, 0, 0, "critical", "acknowledged", "", 3, 0, "alert.updated")}},
	{"acknowledged, then recovered: resolved", "shortage", NULL,
	 {REPORT(100, K, 5, 0, "warning", "open", "", 1, 0, "alert.opened"),
	  PERSON(STEP_ACK, 0, "warning", "acknowledged", "", 2, "alert.acknowledged"),
	  REPORT(100, K, 9, 0, "warning", "resolved", "recovered", 3, 0, "alert.resolved")}},
	/* people */
	{"acknowledged twice: still acknowledged", "shortage", NULL,
	 {REPORT(100, K, 5, 0, "warning", "open", "", 1, 0, "alert.opened"),
	  PERSON(STEP_ACK, 0, "warning", "acknowledged", "", 2, "alert.acknowledged"),
	  PERSON(STEP_ACK, 0, "warning", "acknowledged", "", 3, "alert.acknowledged")}},
	{"resolved by a person: manual; a second resolve or an acknowledgement is a conflict", "shortage", NULL,
	 {REPORT(100, K, 5, 0, "warning", "open", "", 1, 0, "alert.opened"),
	  PERSON(STEP_RESOLVE, 0, "warning", "resolved", "manual", 2, "alert.resolved"),
	  PERSON(STEP_RESOLVE, STORE_CONFLICT, "warning", "resolved", "manual", 2, ""),
	  PERSON(STEP_ACK, STORE_CONFLICT, "warning", "resolved", "manual", 2, "")}},
	{"resolved by a person while still short: the next report opens a new alert", "shortage", NULL,
	 {REPORT(100, K, 2, 0, "critical", "open", "", 1, RECIPIENTS, SMS3 " alert.opened"),
	  PERSON(STEP_RESOLVE, 0, "critical", "resolved", "manual", 2, "alert.resolved"),
	  REPORT(100, K, 2, 0, "critical", "open", "", 1, RECIPIENTS, SMS3 " alert.opened")}},
	/* silent structures: no count for 48 h opens a warning, 3 x 48 h a critical */
	{"silent: just under and at 48 h nothing, past it a warning", "silent", NULL,
	 {COUNTED(0), AT(STEP_SILENT, 48 * H - 1, "", "", "", 0, ""), AT(STEP_SILENT, 48 * H, "", "", "", 0, ""),
	  AT(STEP_SILENT, 48 * H + 1, "warning", "open", "", 1, "alert.opened")}},
	{"silent: just under 144 h a warning, at 144 h critical", "silent", NULL,
	 {COUNTED(0), AT(STEP_SILENT, 144 * H - 1, "warning", "open", "", 1, "alert.opened"),
	  AT(STEP_SILENT, 144 * H - 1, "warning", "open", "", 1, ""),
	  AT(STEP_SILENT, 144 * H, "critical", "open", "", 2, "alert.updated")}},
	{"silent from the first check at 144 h: critical at once", "silent", NULL,
	 {COUNTED(0), AT(STEP_SILENT, 144 * H, "critical", "open", "", 1, "alert.opened")}},
	{"silent, acknowledged, then critical: open again", "silent", NULL,
	 {COUNTED(0), AT(STEP_SILENT, 50 * H, "warning", "open", "", 1, "alert.opened"),
	  PERSON(STEP_ACK, 0, "warning", "acknowledged", "", 2, "alert.acknowledged"),
	  AT(STEP_SILENT, 150 * H, "critical", "open", "", 3, "alert.updated")}},
	{"silent, then the structure reports: resolved", "silent", NULL,
	 {COUNTED(0), AT(STEP_SILENT, 50 * H, "warning", "open", "", 1, "alert.opened"),
	  AT(STEP_REPORTED, 51 * H, "warning", "resolved", "reported", 2, "alert.resolved")}},
	{"a report without a silent alert changes nothing", "silent", NULL, {AT(STEP_REPORTED, 0, "", "", "", 0, "")}},
	/* SMS failures */
	{"SMS failures: one alert counting them, recovered at the first success", "sms_failed", "34",
	 {AT(STEP_SMS_FAILED, 0, "critical", "open", "", 1, "alert.opened"),
	  AT(STEP_SMS_FAILED, 0, "critical", "open", "", 2, "alert.updated"),
	  AT(STEP_SMS_RECOVERED, 0, "critical", "resolved", "recovered", 3, "alert.resolved")}},
	{"SMS failures: acknowledged, then one more failure: open again", "sms_failed", "",
	 {AT(STEP_SMS_FAILED, 0, "critical", "open", "", 1, "alert.opened"),
	  PERSON(STEP_ACK, 0, "critical", "acknowledged", "", 2, "alert.acknowledged"),
	  AT(STEP_SMS_FAILED, 0, "critical", "open", "", 3, "alert.updated")}},
	{"an SMS success without an alert changes nothing", "sms_failed", "34", {AT(STEP_SMS_RECOVERED, 0, "", "", "", 0, "")}},
};

/* Quieter alerts (issue 14), with a hold of 2 hours, reopening within 72 hours (and a projection that
 * must not already say so: calming needs the cover past threshold + margin 3 days on) and an SMS
 * cool-down of 24 hours (configuration). */
static const struct engine_case quiet_cases[] = {
	{"a lift over warning + margin resolves only once it held 2 h", "shortage", NULL,
	 {REPORT_AT(0, 100, K, 5, "warning", "open", "", 1, 0, "alert.opened"),
	  REPORT_AT(H, 100, K, 12, "warning", "open", "", 2, 0, "alert.updated"),
	  RECHECK_AT(2 * H, 100, 95, K, 11.9, "warning", "open", "", 2, 0, ""),
	  RECHECK_AT(3 * H, 100, 90, K, 11.8, "warning", "resolved", "recovered", 3, 0, "alert.resolved")}},
	{"past warning + margin, but under it again within the 72 h window: the projection keeps it open", "shortage",
	 NULL,
	 {REPORT_AT(0, 100, K, 5, "warning", "open", "", 1, 0, "alert.opened"),
	  REPORT_AT(H, 100, K, 10, "warning", "open", "", 2, 0, "alert.updated"),
	  RECHECK_AT(3 * H, 100, 90, K, 9.9, "warning", "open", "", 2, 0, "")}},
	{"the cover falling back under warning + margin ends the calm", "shortage", NULL,
	 {REPORT_AT(0, 100, K, 5, "warning", "open", "", 1, 0, "alert.opened"),
	  REPORT_AT(H, 100, K, 12, "warning", "open", "", 2, 0, "alert.updated"),
	  REPORT_AT(2 * H, 100, K, 9, "warning", "open", "", 3, 0, "alert.updated"),
	  RECHECK_AT(3 * H + 1, 100, 90, K, 8.9, "warning", "open", "", 3, 0, "")}},
	{"resolved, then short again within 72 h: the same alert reopened, no SMS in the cool-down", "shortage", NULL,
	 {REPORT_AT(0, 100, K, 2, "critical", "open", "", 1, RECIPIENTS, SMS3 " alert.opened"),
	  REPORT_AT(H, 100, K, 13, "critical", "open", "", 2, 0, "alert.updated"),
	  RECHECK_AT(3 * H, 100, 90, K, 12.8, "critical", "resolved", "recovered", 3, 0, "alert.resolved"),
	  REPORT_AT(5 * H, 100, K, 2, "critical", "open", "", 4, 0, "alert.reopened"),
	  REPORT_AT(6 * H, 0, K, 0, "stockout", "open", "", 5, RECIPIENTS, SMS3 " alert.updated")}},
	{"short again after 72 h: a new alert, and its SMS (the cool-down is over)", "shortage", NULL,
	 {REPORT_AT(0, 100, K, 2, "critical", "open", "", 1, RECIPIENTS, SMS3 " alert.opened"),
	  REPORT_AT(H, 100, K, 13, "critical", "open", "", 2, 0, "alert.updated"),
	  RECHECK_AT(3 * H, 100, 90, K, 12.8, "critical", "resolved", "recovered", 3, 0, "alert.resolved"),
	  REPORT_AT(75 * H + 1, 100, K, 2, "critical", "open", "", 1, RECIPIENTS, SMS3 " alert.opened")}},
	{"resolved by a person, still short: the next report reopens it", "shortage", NULL,
	 {REPORT_AT(0, 100, K, 5, "warning", "open", "", 1, 0, "alert.opened"),
	  PERSON(STEP_RESOLVE, 0, "warning", "resolved", "manual", 2, "alert.resolved"),
	  REPORT_AT(H, 100, K, 5, "warning", "open", "", 3, 0, "alert.reopened")}},
	{"critical, stock-out, stock back, stock-out again: SMS once per severity within the cool-down", "shortage", NULL,
	 {REPORT_AT(0, 100, K, 2, "critical", "open", "", 1, RECIPIENTS, SMS3 " alert.opened"),
	  REPORT_AT(H, 0, K, 0, "stockout", "open", "", 2, RECIPIENTS, SMS3 " alert.updated"),
	  REPORT_AT(2 * H, 50, K, 0.5, "critical", "open", "", 3, 0, "alert.updated"),
	  REPORT_AT(3 * H, 0, K, 0, "stockout", "open", "", 4, 0, "alert.updated")}},
	{"the estimate reaches zero between counts: stock-out, with SMS", "shortage", NULL,
	 {REPORT_AT(0, 100, K, 1, "critical", "open", "", 1, RECIPIENTS, SMS3 " alert.opened"),
	  RECHECK_AT(12 * H, 100, 40, K, 0.5, "critical", "open", "", 1, 0, ""),
	  RECHECK_AT(24 * H + 1, 100, 0, K, 0, "stockout", "open", "", 2, RECIPIENTS, SMS3 " alert.updated")}},
	{"a projection crossing warning by itself opens an alert", "shortage", NULL,
	 {REPORT_AT(0, 100, K, 8, "", "", "", 0, 0, ""),
	  RECHECK_AT(24 * H + 1, 100, 88, K, 6.99, "warning", "open", "", 1, 0, "alert.opened")}},
	{"the cold-start fallback: a warning at most, even at no cover left", "shortage", NULL,
	 {REPORT_LOW(0, 100, K, 1, "warning", "open", "", 1, 0, "alert.opened"),
	  REPORT_LOW(H, 100, K, 0.1, "warning", "open", "", 2, 0, "alert.updated"),
	  REPORT_LOW(2 * H, 0, K, 0, "stockout", "open", "", 3, RECIPIENTS, SMS3 " alert.updated")}},
};

/* The event types emitted since mark, space-separated. */
static void events_since(size_t mark, char *out, size_t outlen)
{
	out[0] = '\0';
	for (size_t i = mark; i < A.events.n; i++)
		snprintf(out + strlen(out), outlen - strlen(out), "%s%s", i > mark ? " " : "", A.events.list[i].type);
}

/* The case's unresolved alert, if any; else the last one it had (id), read for an admin. */
static long long follow(const struct engine_case *c, long long id, struct alert_row *a)
{
	struct alert_row cur;
	int rc = strcmp(c->kind, "sms_failed") == 0 ? store_alert_current_dep(G->st, c->kind, c->dep, &cur)
		 : store_alert_current(G->st, c->kind, HOLDER_STRUCTURE, HOLDER.id,
				       strcmp(c->kind, "shortage") == 0 ? ITEM.id : 0, &cur);
	if (rc == STORE_OK)
		id = cur.id;
	else
		assert_int_equal(rc, STORE_NOTFOUND);
	alert_row_clear(a);
	if (id)
		assert_int_equal(store_alert_get(G->st, &ADMIN, id, a), STORE_OK);
	return id;
}

static int run_step(const struct engine_case *c, const struct step *s, long long id)
{
	struct alert_row out;
	long long now = UNIT_NOW + s->at;
	store_set_now(G->st, now);
	switch (s->kind) {
	case STEP_REPORT:
	case STEP_RECHECK: {
		struct stock_row r;
		memset(&r, 0, sizeof r);
		r.kind = HOLDER_STRUCTURE;
		r.holder_id = HOLDER.id;
		r.item_id = ITEM.id;
		r.quantity = s->quantity;
		r.cover_known = s->known;
		r.days_of_cover = s->days;
		r.stockout_at = now + (long long)(s->days * 86400000.0);
		r.estimated = s->estimated;
		r.estimate = s->estimate;
		r.from_fallback = s->low;
		return s->kind == STEP_REPORT ? alert_engine_shortage(&A, &HOLDER, &ITEM, &r, &out)
					      : alert_engine_shortage_recheck(&A, &HOLDER, &ITEM, &r, &out);
	}
	case STEP_ACK:
		return alert_engine_acknowledge(&A, &ADMIN, id, "vu", &out);
	case STEP_RESOLVE:
		return alert_engine_resolve(&A, &ADMIN, id, "fait", &out);
	case STEP_COUNTED: {
		struct stock_row r;
		memset(&r, 0, sizeof r);
		r.kind = HOLDER_STRUCTURE;
		r.holder_id = HOLDER.id;
		r.item_id = ITEM.id;
		r.quantity = 10;
		r.reported_at = r.updated_at = now;
		return store_stock_put(G->st, &r);
	}
	case STEP_SILENT:
		return alert_engine_check_silent(&A, now);
	case STEP_REPORTED:
		return alert_engine_reported(&A, &HOLDER);
	case STEP_SMS_FAILED:
		return alert_engine_sms_failed(&A, c->dep);
	case STEP_SMS_RECOVERED:
		return alert_engine_sms_recovered(&A, c->dep);
	default:
		fail_msg("unknown step");
	}
	return -1;
}

static void run_cases(const struct engine_case *cases, size_t ncases)
{
	for (size_t i = 0; i < ncases; i++) {
		const struct engine_case *c = &cases[i];
		assert_int_equal(store_begin(G->st, UNIT_NOW, NULL), STORE_OK);
		long long id = 0;
		for (const struct step *s = c->steps; s->kind != STEP_END; s++) {
			int n = (int)(s - c->steps) + 1;
			size_t mark = events_mark(&A);
			long long sms_before = unit_query_int(G->st, "SELECT count(*) FROM sms_outbox");
			int rc = run_step(c, s, id);
			if (rc != s->rc)
				fail_msg("%s, step %d: rc %d, expected %d", c->name, n, rc, s->rc);
			if (s->kind == STEP_COUNTED)
				continue;
			struct alert_row a;
			id = follow(c, id, &a);
			char events[512];
			events_since(mark, events, sizeof events);
			long long sms = unit_query_int(G->st, "SELECT count(*) FROM sms_outbox") - sms_before;
			if (strcmp(a.severity, s->severity) || strcmp(a.status, s->status) || strcmp(a.resolution, s->resolution) ||
			    a.version != s->version || sms != s->sms || strcmp(events, s->events))
				fail_msg("%s, step %d: %s/%s/%s v%d, %lld SMS, events \"%s\"; expected %s/%s/%s v%d, %d SMS, "
					 "events \"%s\"",
					 c->name, n, a.severity, a.status, a.resolution, a.version, sms, events, s->severity,
					 s->status, s->resolution, s->version, s->sms, s->events);
		}
		tx_rollback(&A);
	}
}

static void test_engine_cases(void **state)
{
	(void)state;
	run_cases(engine_cases, sizeof engine_cases / sizeof engine_cases[0]);
}

static void test_quiet_cases(void **state)
{
	(void)state;
	A.cfg.alert_hold_hours = 2;
	A.cfg.alert_reopen_hours = 72;
	A.cfg.alert_sms_cooldown_hours = 24;
	run_cases(quiet_cases, sizeof quiet_cases / sizeof quiet_cases[0]);
	A.cfg.alert_hold_hours = A.cfg.alert_reopen_hours = A.cfg.alert_sms_cooldown_hours = 0;
}

/* The SMS of a critical alert: one per contact in the contact's language, one to the duty officer,
 * each tied to the alert and in its département. */
static void test_critical_sms_rows(void **state)
{
	(void)state;
	assert_int_equal(store_begin(G->st, UNIT_NOW, NULL), STORE_OK);
	struct stock_row r;
	memset(&r, 0, sizeof r);
	r.kind = HOLDER_STRUCTURE;
	r.holder_id = HOLDER.id;
	r.item_id = ITEM.id;
	r.quantity = 4;
	r.cover_known = 1;
	r.days_of_cover = 1.5;
	struct alert_row a;
	assert_int_equal(alert_engine_shortage(&A, &HOLDER, &ITEM, &r, &a), STORE_OK);
	assert_true(a.id > 0);
	char sql[256], got[256];
	snprintf(sql, sizeof sql,
		 "SELECT group_concat(recipient_kind || ':' || phone || ':' || lang || ':' || dep || ':' || kind, ' ') "
		 "FROM (SELECT * FROM sms_outbox WHERE cause_kind = 'alert' AND cause_id = %lld ORDER BY phone)",
		 a.id);
	unit_query_text(G->st, sql, got, sizeof got);
	assert_string_equal(got, "structure_contact:+33600000001:fr:81:alert_critical "
				 "structure_contact:+33600000002:oc:81:alert_critical duty_officer:+33600000003:fr:81:alert_critical");
	tx_rollback(&A);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_engine_cases),
		cmocka_unit_test(test_quiet_cases),
		cmocka_unit_test(test_critical_sms_rows),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
