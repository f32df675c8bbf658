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
#include "sms_inbound.h"
#include "sms_keywords.h"
#include "outbox.h"
#include "sms_text.h"
#include "store_record.h"
#include "store_sms.h"
#include "request_check.h"
#include "twilio_sig.h"
#include "utf8.h"
#include "validate.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


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
	/* the size of the text as it goes out: an exercise's marker counts (outbox.c adds it) */
	size_t sent_len = strlen(text->valuestring) + sizeof SMS_EXERCISE_MARK;
	char *sent = malloc(sent_len);
	if (!sent)
		return api_fail(res, 503, "unavailable", "text", "out of memory");
	struct sms_size size = {0};
	sms_text_mark(app->exercise, text->valuestring, sent, sent_len);
	int unfit = sms_size_of(sent, &size) || size.segments > app->cfg.sms_max_segments;
	free(sent);
	if (unfit) {
		char r[160];
		snprintf(r, sizeof r, "must fit in %lld SMS (this text needs %d%s)", app->cfg.sms_max_segments,
			 size.segments, app->exercise ? ", with the exercise marker" : "");
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
		long long vid;
		if (api_json_int(vol, "volunteer_id", 1, INT_EXACT_MAX, &vid, NULL, res))
			return -1;
		int rc = store_record_get(app->store, &entity_volunteer, &req->who, vid, &r);
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
	int rc = sms_inbound_queue_reply(app, "message", dep, recipient_kind, recipient_id, phone, lang, text->valuestring, &id);
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

/* A text received before renfortd repaired incoming texts (migration 006) may not be UTF-8: it is
 * repaired here too, and the row flagged, so that the answer stays valid JSON. */
static void add_received_text(cJSON *o, const char *name, const char *s, int *repaired)
{
	if (!s) {
		cJSON_AddNullToObject(o, name);
		return;
	}
	if (utf8_length(s) >= 0) {
		cJSON_AddStringToObject(o, name, s);
		return;
	}
	char *ok = utf8_repair_dup(s, NULL);
	cJSON_AddStringToObject(o, name, ok ? ok : "");
	free(ok);
	*repaired = 1;
}

static int add_inbox(void *ctx, const struct inbox_row *r)
{
	char iso[32];
	int repaired = r->invalid_utf8;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)r->id);
	cJSON_AddStringToObject(o, "gateway", r->gateway);
	add_received_text(o, "gateway_id", r->gateway_id, &repaired);
	add_received_text(o, "phone", r->phone, &repaired);
	add_received_text(o, "text", r->text, &repaired);
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
	cJSON_AddBoolToObject(o, "invalid_utf8", repaired);
	cJSON_AddItemToArray(ctx, o);
	return 0;
}

int op_sms_inbox(struct app *app, struct op_request *req, struct op_response *res)
{
	static const char *const names[] = {"after", "limit", NULL};
	long long after = 0, limit;
	if (api_only_params(req, res, names, "is not a filter of the inbox (after, limit)") ||
	    api_param_int(req, "after", 0, INT_EXACT_MAX, &after, "must be an id", res) || api_param_limit(app, req, &limit, res))
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

/* Stores one incoming message (once per gateway id) and acts on its keyword. What the gateway sent
 * that is not UTF-8 (a text in another charset, a broken phone) is kept with U+FFFD in place of the
 * bad bytes, and flagged: refusing it would make the gateway retry, or lose a STOP; storing the
 * bytes as they are would make every later answer holding them invalid JSON. */
static int receive(struct app *app, const char *gateway, const char *gateway_id, const char *from, const char *to,
		   const char *text, struct op_response *res)
{
	char phone[24];
	if (validate_e164(from) && phone_to_e164_fr(from, phone, sizeof phone))
		return api_fail(res, 422, "invalid", "from", "must be a phone number");
	if (!validate_e164(from))
		snprintf(phone, sizeof phone, "%s", from);
	size_t bad[3] = {0, 0, 0};
	char *id_ok = utf8_repair_dup(gateway_id, &bad[0]), *to_ok = utf8_repair_dup(to, &bad[1]);
	char *text_ok = utf8_repair_dup(text, &bad[2]);
	struct sms_incoming in = {gateway, id_ok, phone, to_ok, text_ok, bad[0] + bad[1] + bad[2] > 0};
	struct rf_error err;
	int rc = 0;
	if (!id_ok || !to_ok || !text_ok)
		rc = api_fail(res, 503, "unavailable", "", "out of memory");
	else if (sms_inbound_receive(app, &in, &err)) {
		res->status = err.status;
		res->err = err;
		rc = -1;
	}
	free(id_ok);
	free(to_ok);
	free(text_ok);
	return rc;
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
	long long id = 0, type = 0;
	if (!id_s || !type_s)
		return api_fail(res, 422, "required", !id_s ? "id" : "type", "is required");
	/* the whole value or nothing: "1108abc" is no outbox row, "16abc" no DLR type */
	if (api_param_int(req, "id", 1, INT_EXACT_MAX, &id, NULL, res) ||
	    api_param_int(req, "type", 1, 255, &type, "must be Kannel's DLR type, an integer from 1 to 255", res))
		return -1;
	/* 1 delivered, 2 failed, 4 buffered, 8 accepted by the SMSC, 16 rejected by the SMSC */
	const char *status = type & 1 ? "delivered" : (type & 2 || type & 16) ? "failed" : NULL;
	if (status) {
		int rc = store_sms_report(app->store, id, status, type & 1 ? NULL : "the network reported a failure");
		if (rc == STORE_OK)
			rc = outbox_outcome(app, id, type & 1 ? OUTBOX_DELIVERED : OUTBOX_UNDELIVERED);
		if (rc && rc != STORE_NOTFOUND)
			return api_fail_store(app, res, rc, "id");
	}
	empty_answer(res, "text/plain; charset=utf-8", "");
	return 0;
}

/* The signed webhook's form, checked against the URL Twilio was given. */
static int twilio_form(struct app *app, struct op_request *req, const char *url_path, struct form *f, struct op_response *res)
{
	/* what Twilio sends, and nothing read as one by mistake (a JSON body is no form) */
	if (req->content_type[0] && !request_check_media_type(req->content_type, "application/x-www-form-urlencoded"))
		return api_fail(res, 415, "unsupported_media_type", "content-type", "must be application/x-www-form-urlencoded");
	if (form_parse(f, req->raw_body ? req->raw_body : "", req->raw_len)) {
		res->status = 400;
		rf_error_set(&res->err, 400, "bad_request", "body",
			     "is not a form (application/x-www-form-urlencoded): a malformed escape, a NUL, or more than %d fields",
			     FORM_MAX_FIELDS);
		return -1;
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
	long long id = 0;
	if (!api_param(req, "id", t, sizeof t))
		return api_fail(res, 422, "required", "id", "is required");
	if (api_param_int(req, "id", 1, INT_EXACT_MAX, &id, NULL, res))
		return -1;
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
			rc = outbox_outcome(app, id, strcmp(status, "delivered") == 0 ? OUTBOX_DELIVERED : OUTBOX_UNDELIVERED);
	}
	form_release(&f);
	if (rc && rc != STORE_NOTFOUND)
		return api_fail_store(app, res, rc, "id");
	empty_answer(res, "text/plain; charset=utf-8", "");
	return 0;
}
