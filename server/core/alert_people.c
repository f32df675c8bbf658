#include "alert_people.h"

#include "alert_rules.h"
#include "app.h"
#include "auth.h"
#include "events.h"
#include "outbox.h"
#include "store_sms.h"
#include "store_alert_people.h"

#include <stdio.h>
#include <string.h>

int alert_for_person(struct app *app, const struct principal *who, long long id, struct alert_row *out)
{
	int rc = store_alert_get(app->store, who, id, out);
	if (rc)
		return rc;
	/* a regional depot's alert is every coordinator's to read, and changed only within scope, like
	 * the depot itself: elsewhere it answers as a missing one */
	if (who->role != ROLE_ADMIN && !principal_covers_dep(who, out->dep))
		return STORE_NOTFOUND;
	if (strcmp(out->status, "resolved") == 0) {
		store_set_failure(app->store, "status", "the alert is already resolved");
		return STORE_CONFLICT;
	}
	return STORE_OK;
}

int alert_sms_queue(struct app *app, const char *kind, const struct alert_row *a, const struct recipient *r,
		    const char *text)
{
	struct sms_row row;
	memset(&row, 0, sizeof row);
	row.kind = kind;
	row.dep = a->dep;
	row.recipient_kind = r->kind;
	row.recipient_id = r->id;
	row.phone = r->phone;
	row.lang = r->lang;
	row.text = text;
	row.cause_kind = "alert";
	row.cause_id = a->id;
	return outbox_queue(app, &row, NULL) ? -1 : 0;
}

int alert_emit(struct app *app, const char *what, struct alert_row *a)
{
	int rc = store_alert_people(app->store, a);
	if (rc)
		return rc;
	return events_add_alert(app, what, a) ? STORE_ERROR : STORE_OK;
}

/* The assignment changed: the alert's version moves (a screen holding the older one knows), and
 * everyone in its département sees who has it. */
static int assignment_changed(struct app *app, struct alert_row *a, const char *what, struct alert_row *out)
{
	int rc = store_alert_update(app->store, a);
	if (!rc)
		rc = alert_emit(app, what, a);
	*out = *a;
	return rc;
}

int alert_take(struct app *app, const struct principal *who, long long id, struct alert_row *out)
{
	struct alert_row a;
	int rc = alert_for_person(app, who, id, &a);
	if (rc)
		return rc;
	if ((rc = store_alert_assign(app->store, id, who->token_id)))
		return rc;
	return assignment_changed(app, &a, "assigned", out);
}

int alert_release(struct app *app, const struct principal *who, long long id, struct alert_row *out)
{
	struct alert_row a;
	int rc = alert_for_person(app, who, id, &a);
	if (rc)
		return rc;
	rc = store_alert_unassign(app->store, id);
	if (rc == STORE_NOTFOUND) {
		store_set_failure(app->store, "assigned_to", "nobody has taken the alert");
		return STORE_CONFLICT;
	}
	if (rc)
		return rc;
	return assignment_changed(app, &a, "released", out);
}

int alert_carry_acknowledgement(struct app *app, struct alert_row *a)
{
	if (app->cfg.ack_carry_hours <= 0)
		return STORE_OK;
	struct alert_row was;
	alert_row_clear(&was);
	long long since = store_now(app->store) - app->cfg.ack_carry_hours * 3600000LL;
	int rc = store_alert_last_recovered_ack(app->store, a->holder_kind, a->holder_id, a->item_id, since, &was);
	if (rc == STORE_NOTFOUND)
		return STORE_OK;
	if (rc)
		return rc;
	a->acknowledged_at = was.acknowledged_at;
	a->acknowledged_by = was.acknowledged_by;
	memcpy(a->ack_note, was.ack_note, sizeof a->ack_note);
	if (shortage_level_parse(a->severity) <= shortage_level_parse(was.severity))
		snprintf(a->status, sizeof a->status, "acknowledged");
	return store_alert_update(app->store, a);
}
