/* api_sms: messages for people (send one, the inbox), and the gateways' webhooks: Kannel's incoming
 * messages and delivery reports (a shared secret in the URL), Twilio's (a signature). Incoming
 * messages are stored once per gateway message id and their keyword acted upon. */
#include "alert_engine.h"
#include "api_handlers.h"
#include "app.h"
#include "auth.h"
#include "clock.h"
#include "form.h"
#include "gsm.h"
#include "log.h"
#include "model.h"
#include "record_json.h"
#include "sms_keywords.h"
#include "sms_sender.h"
#include "sms_text.h"
#include "store_record.h"
#include "store_sms.h"
#include "twilio_sig.h"
#include "validate.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* Queues one message in the outbox (the sender takes it from there). */
static int queue(struct app *app, const char *kind, const char *dep, const char *recipient_kind, long long recipient_id,
		 const char *phone, const char *lang, const char *text, long long *id)
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
	long long new_id;
	int rc = store_sms_enqueue(app->store, &row, &new_id);
	if (!rc) {
		sms_emit(app, new_id, "queued");
		if (id)
			*id = new_id;
	}
	return rc;
}

/* --- sms.send ----------------------------------------------------------------------------------------- */

int op_sms_send(struct app *app, struct op_request *req, struct op_response *res)
{
	const cJSON *b = req->body, *j;
	if (!cJSON_IsObject(b))
		return api_fail(res, 400, "invalid_json", "body", "a JSON object is required");
	cJSON_ArrayForEach(j, b)
	{
		if (strcmp(j->string, "to") && strcmp(j->string, "volunteer_id") && strcmp(j->string, "text") &&
		    strcmp(j->string, "lang"))
			return api_fail(res, 422, "unknown_field", j->string,
					"is not a field of a message (to or volunteer_id, text, lang)");
	}
	const cJSON *to = cJSON_GetObjectItemCaseSensitive(b, "to");
	const cJSON *vol = cJSON_GetObjectItemCaseSensitive(b, "volunteer_id");
	const cJSON *text = cJSON_GetObjectItemCaseSensitive(b, "text");
	const cJSON *lang_j = cJSON_GetObjectItemCaseSensitive(b, "lang");
	if (!!to == !!vol)
		return api_fail(res, 422, "required", to ? "volunteer_id" : "to", "give either to (a phone) or volunteer_id");
	const char *rule = cJSON_IsString(text) ? validate_text(text->valuestring, 1, 1600) : "must be a string";
	if (rule)
		return api_fail(res, 422, "invalid", "text", rule);
	struct sms_size size;
	if (sms_size_of(text->valuestring, &size) || size.segments > app->cfg.sms_max_segments) {
		char r[128];
		snprintf(r, sizeof r, "must fit in %lld SMS (this text needs %d)", app->cfg.sms_max_segments, size.segments);
		return api_fail(res, 422, "invalid", "text", r);
	}
	const char *lang = "fr";
	if (lang_j) {
		if (!cJSON_IsString(lang_j) || (strcmp(lang_j->valuestring, "fr") && strcmp(lang_j->valuestring, "en")))
			return api_fail(res, 422, "invalid", "lang", "must be fr or en");
		lang = lang_j->valuestring;
	}
	char dep[4] = "";
	const char *phone, *recipient_kind = "phone";
	long long recipient_id = 0;
	struct record *r = NULL;
	if (to) {
		rule = cJSON_IsString(to) ? validate_e164(to->valuestring) : "must be an E.164 phone number";
		if (rule)
			return api_fail(res, 422, "invalid", "to", rule);
		phone = to->valuestring;
		/* a scoped coordinator's message belongs to their (first) département */
		if (req->who.deps[0])
			snprintf(dep, sizeof dep, "%.2s", req->who.deps + 1);
	} else {
		if (!cJSON_IsNumber(vol) || vol->valuedouble < 1)
			return api_fail(res, 422, "invalid", "volunteer_id", "must be a volunteer id");
		int rc = store_record_get(app->store, &entity_volunteer, &req->who, (long long)vol->valuedouble, &r);
		if (rc)
			return api_fail_store(app, res, rc, "volunteer_id");
		phone = r->v[VOLUNTEER_PHONE].s;
		snprintf(dep, sizeof dep, "%s", r->v[VOLUNTEER_DEP].s);
		if (!lang_j && r->v[VOLUNTEER_SMS_LANG].state == V_SET)
			lang = r->v[VOLUNTEER_SMS_LANG].s;
		recipient_kind = "volunteer";
		recipient_id = r->v[VOLUNTEER_ID].i;
	}
	long long id;
	int rc = queue(app, "message", dep, recipient_kind, recipient_id, phone, lang, text->valuestring, &id);
	record_free(r);
	if (rc)
		return api_fail_store(app, res, rc, "text");
	res->status = 201;
	res->data = cJSON_CreateObject();
	cJSON_AddNumberToObject(res->data, "id", (double)id);
	cJSON_AddStringToObject(res->data, "status", "queued");
	cJSON_AddNumberToObject(res->data, "segments", size.segments);
	cJSON_AddStringToObject(res->data, "encoding", size.ucs2 ? "ucs2" : "gsm7");
	return 0;
}

/* --- sms.inbox ------------------------------------------------------------------------------------------- */

static int add_inbox(void *ctx, const struct inbox_row *r)
{
	char iso[32];
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)r->id);
	cJSON_AddStringToObject(o, "gateway", r->gateway);
	cJSON_AddStringToObject(o, "gateway_id", r->gateway_id);
	if (r->phone)
		cJSON_AddStringToObject(o, "phone", r->phone);
	else
		cJSON_AddNullToObject(o, "phone");
	if (r->text)
		cJSON_AddStringToObject(o, "text", r->text);
	else
		cJSON_AddNullToObject(o, "text");
	if (r->keyword)
		cJSON_AddStringToObject(o, "keyword", r->keyword);
	else
		cJSON_AddNullToObject(o, "keyword");
	cJSON_AddStringToObject(o, "result", r->result ? r->result : "");
	if (r->volunteer_id)
		cJSON_AddNumberToObject(o, "volunteer_id", (double)r->volunteer_id);
	else
		cJSON_AddNullToObject(o, "volunteer_id");
	cJSON_AddStringToObject(o, "received_at", clock_format_iso(r->received_at, iso));
	cJSON_AddItemToArray(ctx, o);
	return 0;
}

int op_sms_inbox(struct app *app, struct op_request *req, struct op_response *res)
{
	static const char *const names[] = {"after", "limit", NULL};
	long long after = 0, limit;
	if (api_only_params(req, res, names, "is not a filter of the inbox (after, limit)") ||
	    api_param_int(req, "after", 0, LLONG_MAX, &after, "must be an id", res) || api_param_limit(app, req, &limit, res))
		return -1;
	cJSON *items = cJSON_CreateArray();
	int rc = store_sms_inbox_list(app->store, &req->who, after, limit, add_inbox, items);
	if (rc) {
		cJSON_Delete(items);
		return api_fail_store(app, res, rc, "inbox");
	}
	res->data = cJSON_CreateObject();
	cJSON_AddItemToObject(res->data, "items", items);
	return 0;
}

/* --- incoming messages and their keywords ------------------------------------------------------------------ */

/* Stores one incoming message (once per gateway id) and acts on its keyword. */
static int receive(struct app *app, const char *gateway, const char *gateway_id, const char *from, const char *to,
		   const char *text, struct op_response *res)
{
	struct store *st = app->store;
	char phone[24];
	if (validate_e164(from) && phone_to_e164_fr(from, phone, sizeof phone))
		return api_fail(res, 422, "invalid", "from", "must be a phone number");
	if (!validate_e164(from))
		snprintf(phone, sizeof phone, "%s", from);
	long long in_id;
	int rc = store_sms_inbox_insert(st, gateway, gateway_id, phone, to, text, &in_id);
	if (rc == STORE_CONFLICT)
		return 0; /* a retried webhook: it was processed the first time */
	if (rc)
		return api_fail_store(app, res, rc, "message");

	const char *lang;
	enum sms_keyword kw = sms_keyword_of(text, &lang);
	long long volunteer = 0;
	char dep[4] = "", vlang[4] = "";
	if (store_volunteer_by_phone(st, phone, &volunteer, dep, vlang) == STORE_OK && vlang[0])
		lang = vlang;
	const char *result = "stored";
	const char *reply = NULL, *reply_kind = "reply";
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
			struct record *patch = record_new(&entity_volunteer);
			struct principal all = {.role = ROLE_ADMIN};
			record_set_text(patch, VOLUNTEER_AVAILABILITY, kw == KW_AVAILABLE ? "available" : "unavailable");
			rc = store_record_update(st, &all, volunteer, patch);
			record_free(patch);
			if (!rc) {
				cJSON *ev = cJSON_CreateObject();
				cJSON_AddNumberToObject(ev, "id", (double)volunteer);
				cJSON_AddStringToObject(ev, "availability", kw == KW_AVAILABLE ? "available" : "unavailable");
				cJSON_AddStringToObject(ev, "source", "sms");
				api_emit(app, "volunteer.updated", dep, "volunteer", volunteer, ev);
			}
			reply = sms_text_reply(kw == KW_AVAILABLE ? REPLY_AVAILABLE : REPLY_UNAVAILABLE, lang);
			result = kw == KW_AVAILABLE ? "available" : "unavailable";
		}
		break;
	default:
		/* deployment calls answer OUI/NON + code: their module reads the inbox (next issue) */
		result = "no keyword";
		break;
	}
	if (!rc && reply)
		rc = queue(app, reply_kind, dep, volunteer ? "volunteer" : "phone", volunteer, phone, lang, reply, NULL);
	if (!rc)
		rc = store_sms_inbox_result(st, in_id, sms_keyword_name(kw), result, volunteer);
	if (rc)
		return api_fail_store(app, res, rc, "message");
	char tail[8];
	log_info("sms: received from %s via %s: %s", log_phone_tail(phone, tail), gateway, result);
	cJSON *ev = cJSON_CreateObject();
	cJSON_AddNumberToObject(ev, "id", (double)in_id);
	cJSON_AddStringToObject(ev, "gateway", gateway);
	if (kw != KW_NONE)
		cJSON_AddStringToObject(ev, "keyword", sms_keyword_name(kw));
	cJSON_AddStringToObject(ev, "result", result);
	if (volunteer)
		cJSON_AddNumberToObject(ev, "volunteer_id", (double)volunteer);
	api_emit(app, "sms.received", dep, "sms_in", in_id, ev);
	return 0;
}

static int secret_ok(struct app *app, const char *given)
{
	const char *secret = app->cfg.kannel_secret;
	size_t n = strlen(secret);
	return n && given && strlen(given) == n && auth_equal_ct(secret, given, n);
}

static void empty_answer(struct op_response *res, const char *type, const char *body)
{
	res->raw = strdup(body);
	res->raw_len = strlen(body);
	snprintf(res->raw_type, sizeof res->raw_type, "%s", type);
}

int op_sms_kannel_inbound(struct app *app, struct op_request *req, struct op_response *res)
{
	char t[5][1024];
	if (!secret_ok(app, api_param(req, "secret", t[0], sizeof t[0])))
		return api_fail(res, 403, "forbidden", "secret", "is not the configured kannel_secret");
	const char *from = api_param(req, "from", t[1], sizeof t[1]), *to = api_param(req, "to", t[2], sizeof t[2]);
	const char *text = api_param(req, "text", t[3], sizeof t[3]), *id = api_param(req, "id", t[4], sizeof t[4]);
	if (!from || !text || !id || !id[0])
		return api_fail(res, 422, "required", !from ? "from" : !text ? "text" : "id", "is required");
	if (receive(app, "kannel", id, from, to ? to : "", text, res))
		return -1;
	/* an empty answer: Kannel sends no reply of its own (ours go through the outbox) */
	empty_answer(res, "text/plain; charset=utf-8", "");
	return 0;
}

int op_sms_kannel_dlr(struct app *app, struct op_request *req, struct op_response *res)
{
	char t[3][64];
	if (!secret_ok(app, api_param(req, "secret", t[0], sizeof t[0])))
		return api_fail(res, 403, "forbidden", "secret", "is not the configured kannel_secret");
	const char *id_s = api_param(req, "id", t[1], sizeof t[1]), *type_s = api_param(req, "type", t[2], sizeof t[2]);
	long long id = id_s ? strtoll(id_s, NULL, 10) : 0;
	int type = type_s ? atoi(type_s) : 0;
	if (id <= 0 || !type)
		return api_fail(res, 422, "required", id <= 0 ? "id" : "type", "is required");
	/* 1 delivered, 2 failed, 4 buffered, 8 accepted by the SMSC, 16 rejected by the SMSC */
	const char *status = type & 1 ? "delivered" : (type & 2 || type & 16) ? "failed" : NULL;
	if (status) {
		int rc = store_sms_report(app->store, id, status, type & 1 ? NULL : "the network reported a failure");
		if (rc == STORE_OK)
			sms_emit(app, id, status);
		else if (rc != STORE_NOTFOUND)
			return api_fail_store(app, res, rc, "id");
	}
	empty_answer(res, "text/plain; charset=utf-8", "");
	return 0;
}

/* The signed webhook's form, checked against the URL Twilio was given. */
static int twilio_form(struct app *app, struct op_request *req, const char *url_path, struct form *f, struct op_response *res)
{
	if (form_parse(f, req->raw_body ? req->raw_body : "", req->raw_len)) {
		form_release(f); /* what the parser had copied before it stopped */
		return api_fail(res, 400, "bad_request", "body", "is not a form (application/x-www-form-urlencoded)");
	}
	char url[600];
	snprintf(url, sizeof url, "%s%s", app->public_url, url_path);
	if (!twilio_signature_ok(app->cfg.twilio_auth_token, url, f, req->signature)) {
		form_release(f);
		log_warn("sms: refused a Twilio webhook with a wrong signature");
		return api_fail(res, 403, "forbidden", "x-twilio-signature", "does not match the request");
	}
	return 0;
}

int op_sms_twilio_inbound(struct app *app, struct op_request *req, struct op_response *res)
{
	struct form f;
	if (twilio_form(app, req, "/sms/twilio/inbound", &f, res))
		return -1;
	const char *sid = form_get(&f, "MessageSid"), *from = form_get(&f, "From"), *body = form_get(&f, "Body");
	int rc = -1;
	if (!sid || !from || !body)
		api_fail(res, 422, "required", !sid ? "MessageSid" : !from ? "From" : "Body", "is required");
	else if (!receive(app, "twilio", sid, from, form_get(&f, "To") ? form_get(&f, "To") : "", body, res)) {
		empty_answer(res, "text/xml; charset=utf-8", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>");
		rc = 0;
	}
	form_release(&f);
	return rc;
}

int op_sms_twilio_status(struct app *app, struct op_request *req, struct op_response *res)
{
	char t[32], path[64];
	const char *id_s = api_param(req, "id", t, sizeof t);
	long long id = id_s ? strtoll(id_s, NULL, 10) : 0;
	if (id <= 0)
		return api_fail(res, 422, "required", "id", "is required");
	snprintf(path, sizeof path, "/sms/twilio/status?id=%lld", id);
	struct form f;
	if (twilio_form(app, req, path, &f, res))
		return -1;
	const char *st = form_get(&f, "MessageStatus"), *code = form_get(&f, "ErrorCode");
	const char *status = !st ? NULL
			     : strcmp(st, "delivered") == 0			       ? "delivered"
			     : (strcmp(st, "failed") == 0 || strcmp(st, "undelivered") == 0) ? "failed"
											       : NULL;
	int rc = STORE_OK;
	if (status) {
		char err[64];
		snprintf(err, sizeof err, "twilio: %s (error %s)", st, code ? code : "none");
		rc = store_sms_report(app->store, id, status, strcmp(status, "failed") == 0 ? err : NULL);
		if (rc == STORE_OK)
			sms_emit(app, id, status);
	}
	form_release(&f);
	if (rc && rc != STORE_NOTFOUND)
		return api_fail_store(app, res, rc, "id");
	empty_answer(res, "text/plain; charset=utf-8", "");
	return 0;
}
