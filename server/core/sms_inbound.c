#include "sms_inbound.h"

#include "app.h"
#include "auth.h"
#include "deploy_text.h"
#include "deployment.h"
#include "volunteer_availability.h"
#include "events.h"
#include "log.h"
#include "model.h"
#include "outbox.h"
#include "sms_keywords.h"
#include "sms_text.h"
#include "store.h"
#include "store_record.h"
#include "store_sms.h"

#include <stdio.h>
#include <string.h>

int sms_inbound_queue_reply(struct app *app, const char *kind, const char *dep, const char *recipient_kind,
			    long long recipient_id, const char *phone, const char *lang, const char *text, long long *id)
{
	struct sms_row row;
	memset(&row, 0, sizeof row);
	row.kind = kind;
	row.dep = dep && dep[0] ? dep : NULL;
	row.recipient_kind = recipient_kind;
	row.recipient_id = recipient_id;
	row.phone = phone;
	row.lang = lang;
	row.text = text;
	return outbox_queue(app, &row, id);
}

/* Volunteers of one phone an availability keyword reaches at most. */
#define PHONE_VOLUNTEERS_MAX 32

int sms_inbound_receive(struct app *app, const struct sms_incoming *in, struct rf_error *err)
{
	struct store *st = app->store;
	const char *phone = in->phone, *text = in->text, *gateway = in->gateway;
	long long in_id;
	int rc = store_sms_inbox_insert(st, gateway, in->gateway_id, phone, in->to, text, in->invalid_utf8, &in_id);
	if (rc == STORE_CONFLICT)
		return 0; /* a retried webhook: it was processed the first time */
	if (rc) {
		store_rf_error(st, rc, "message", err);
		return -1;
	}

	const char *lang;
	enum sms_keyword kw = sms_keyword_of(text, &lang);
	long long volunteer = 0;
	char dep[4] = "", vlang[4] = "";
	if (store_volunteer_by_phone(st, phone, &volunteer, dep, vlang) == STORE_OK && vlang[0])
		lang = vlang;
	const char *result = "stored";
	const char *kwname = sms_keyword_name(kw); /* NULL when none */
	const char *reply = NULL, *reply_kind = "reply";
	char until_text[200];
	switch (kw) {
	case KW_STOP:
		rc = store_sms_optout(st, phone, 1);
		reply = sms_text_reply(REPLY_STOPPED, lang);
		reply_kind = "stop_confirmation";
		result = "opted out";
		break;
	case KW_START:
		rc = store_sms_optout(st, phone, 0);
		reply = sms_text_reply(REPLY_STARTED, lang);
		result = "opted in";
		break;
	case KW_HELP:
		reply = sms_text_reply(REPLY_HELP, lang);
		result = "help sent";
		break;
	case KW_AVAILABLE:
	case KW_UNAVAILABLE:
		if (!volunteer) {
			reply = sms_text_reply(REPLY_UNKNOWN_NUMBER, lang);
			result = "unknown number";
			break;
		} else {
			/* every volunteer of that phone: a phone is unique only within a writer's scope, and
			 * whoever holds it answers for each of them */
			struct phone_volunteer vs[PHONE_VOLUNTEERS_MAX];
			int nv = 0;
			long long until = 0;
			rc = store_volunteers_by_phone(st, phone, vs, PHONE_VOLUNTEERS_MAX, &nv);
			/* INDISPO may say until when ("INDISPO 3", "INDISPO 15/04"): a window */
			for (int i = 0; !rc && i < nv; i++)
				rc = availability_by_sms(app, vs[i].id, vs[i].dep, kw == KW_AVAILABLE, text, &until);
			reply = sms_text_reply(kw == KW_AVAILABLE ? REPLY_AVAILABLE : REPLY_UNAVAILABLE, lang);
			if (until) {
				struct deploy_text_args a = {.until = until};
				deploy_text(DTEXT_UNAVAILABLE_UNTIL, &a, lang, until_text, sizeof until_text);
				reply = until_text;
			}
			result = kw == KW_AVAILABLE ? "available" : until ? "unavailable until" : "unavailable";
		}
		break;
	default: {
		/* OUI / NON / ANNULE and a code: an answer to a deployment call, when the sender has calls */
		int handled = 0;
		const char *answered = NULL;
		rc = deployment_sms_reply(app, in_id, phone, text, &handled, &answered);
		result = handled && answered ? answered : "no keyword";
		if (handled)
			kwname = "call";
		break;
	}
	}
	if (!rc && reply)
		rc = sms_inbound_queue_reply(app, reply_kind, dep, volunteer ? "volunteer" : "phone", volunteer, phone, lang,
					     reply, NULL);
	if (!rc)
		rc = store_sms_inbox_result(st, in_id, kwname, result, volunteer);
	struct sms_received_event ev = {.id = in_id, .volunteer_id = volunteer};
	snprintf(ev.gateway, sizeof ev.gateway, "%s", gateway);
	snprintf(ev.keyword, sizeof ev.keyword, "%s", kwname ? kwname : "");
	snprintf(ev.result, sizeof ev.result, "%s", result);
	if (!rc && events_add_sms_received(app, dep, &ev))
		rc = STORE_ERROR;
	if (rc) {
		store_rf_error(st, rc, "message", err);
		return -1;
	}
	char tail[8];
	log_info("sms: received from %s via %s: %s", log_phone_tail(phone, tail), gateway, result);
	return 0;
}

