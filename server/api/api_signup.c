/* api_signup: the public sign-up page's operations (no token): a code to confirm a phone, the
 * sign-up itself (a volunteer "pending" until a coordinator validates them, and their link by SMS),
 * and a lost link sent again to the registered phone. Limited per phone and per address. */
#include "api_handlers.h"
#include "app.h"
#include "auth.h"
#include "paris_time.h"
#include "signup.h"
#include "validate.h"

#include <stdio.h>
#include <string.h>

/* The phone of a body: E.164, or a French national number ("06 39 98 13 01"). */
static int read_phone(const cJSON *b, char out[24], struct op_response *res)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(b, "phone");
	if (!p)
		return api_fail(res, 422, "required", "phone", "is required");
	if (!cJSON_IsString(p) || (validate_e164(p->valuestring) && phone_to_e164_fr(p->valuestring, out, 24)))
		return api_fail(res, 422, "invalid", "phone", "must be a mobile phone number: +33639981301 or 06 39 98 13 01");
	if (!validate_e164(p->valuestring))
		snprintf(out, 24, "%s", p->valuestring);
	return 0;
}

static const char *read_lang(const cJSON *b, struct op_response *res)
{
	const cJSON *l = cJSON_GetObjectItemCaseSensitive(b, "lang");
	if (!l)
		return "fr";
	if (!cJSON_IsString(l) || (strcmp(l->valuestring, "fr") && strcmp(l->valuestring, "en"))) {
		api_fail(res, 422, "invalid", "lang", "must be fr or en");
		return NULL;
	}
	return l->valuestring;
}

int op_signup_code(struct app *app, struct op_request *req, struct op_response *res)
{
	static const char *const names[] = {"phone", "lang", NULL};
	char phone[24];
	if (api_only_fields(req->body, res, names, "is not a field of a code request (phone, lang)") ||
	    read_phone(req->body, phone, res))
		return -1;
	const char *lang = read_lang(req->body, res);
	struct rf_error err;
	if (!lang)
		return -1;
	if (signup_send_code(app, phone, lang, req->peer, &err))
		return api_fail_error(res, &err);
	res->status = 202;
	res->data = cJSON_CreateObject();
	cJSON_AddBoolToObject(res->data, "sent", 1);
	cJSON_AddNumberToObject(res->data, "expires_in_s", (double)app->cfg.signup_code_ttl_s);
	return 0;
}

/* The volunteer fields a person gives on the sign-up page (the registry's rules apply to them). */
static const char *const volunteer_fields[] = {"first_name", "last_name", "email",	   "profession", "skills",
					       "languages",  "home_commune", "travel_radius_km", "sms_lang",   "gender",
					       "credentials", NULL};

int op_signup_create(struct app *app, struct op_request *req, struct op_response *res)
{
	static const char *const names[] = {"phone",	  "code",      "consent",	  "first_name", "last_name",
					    "email",	  "profession", "skills",	  "languages",  "home_commune",
					    "travel_radius_km", "sms_lang", "gender",	  "credentials", NULL};
	const cJSON *b = req->body;
	char phone[24];
	if (api_only_fields(b, res, names, "is not a field of a sign-up") || read_phone(b, phone, res))
		return -1;
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(b, "code");
	if (!code)
		return api_fail(res, 422, "required", "code", "is required: the code sent by SMS");
	if (!cJSON_IsString(code) || strlen(code->valuestring) != 6 || strspn(code->valuestring, "0123456789") != 6)
		return api_fail(res, 422, "invalid", "code", "must be the six digits sent by SMS");
	const cJSON *consent = cJSON_GetObjectItemCaseSensitive(b, "consent");
	if (!cJSON_IsTrue(consent))
		return api_fail(res, 422, consent ? "invalid" : "required", "consent",
				"must be true: you agree that the reserve keeps your data to call you");
	/* the volunteer as the registry takes it: pending until validated, consent given today */
	cJSON *v = cJSON_CreateObject();
	for (const char *const *f = volunteer_fields; *f; f++) {
		const cJSON *x = cJSON_GetObjectItemCaseSensitive(b, *f);
		if (x)
			cJSON_AddItemToObject(v, *f, cJSON_Duplicate(x, 1));
	}
	struct paris_tm today;
	paris_fields(req->now, &today);
	char date[16];
	snprintf(date, sizeof date, "%04d-%02d-%02d", today.year % 10000, today.month % 100, today.day % 100);
	cJSON_AddStringToObject(v, "phone", phone);
	cJSON_AddStringToObject(v, "consent_at", date);
	cJSON_AddStringToObject(v, "status", "pending");
	struct rf_error err;
	long long id = 0;
	char dep[4] = "";
	int rc = 0;
	/* the code first: nothing about the phone is said to whoever does not hold it */
	if (signup_use_code(app, phone, code->valuestring, req->peer, &err) ||
	    registry_create(app, &principal_system, &entity_volunteer, v, &id, dep, &err)) {
		rc = api_fail_error(res, &err);
	} else {
		const cJSON *lang = cJSON_GetObjectItemCaseSensitive(b, "sms_lang");
		if (signup_welcome(app, id, phone, dep, cJSON_IsString(lang) ? lang->valuestring : "fr", &err))
			rc = api_fail_error(res, &err);
	}
	cJSON_Delete(v);
	if (rc)
		return rc;
	/* the coordinators of the département: someone to validate (no personal data in the event) */
	cJSON *ev = cJSON_CreateObject();
	cJSON_AddNumberToObject(ev, "id", (double)id);
	cJSON_AddStringToObject(ev, "dep", dep);
	cJSON_AddStringToObject(ev, "status", "pending");
	cJSON_AddStringToObject(ev, "source", "signup");
	if (api_emit(app, "volunteer.created", dep, "volunteer", id, ev))
		return api_fail(res, 503, "unavailable", "", "out of memory");
	res->status = 201;
	res->data = cJSON_CreateObject();
	cJSON_AddNumberToObject(res->data, "id", (double)id);
	cJSON_AddStringToObject(res->data, "status", "pending");
	cJSON_AddStringToObject(res->data, "dep", dep);
	res->entity = "volunteer";
	res->entity_id = id;
	return 0;
}

int op_signup_link(struct app *app, struct op_request *req, struct op_response *res)
{
	static const char *const names[] = {"phone", NULL};
	char phone[24];
	struct rf_error err;
	if (api_only_fields(req->body, res, names, "is not a field of a link request (phone)") ||
	    read_phone(req->body, phone, res))
		return -1;
	if (signup_send_link(app, phone, req->peer, &err))
		return api_fail_error(res, &err);
	/* the same answer whether the phone is someone's or nobody's */
	res->status = 202;
	res->data = cJSON_CreateObject();
	cJSON_AddBoolToObject(res->data, "sent", 1);
	return 0;
}
