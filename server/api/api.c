#include "api.h"

#include "api_handlers.h"
#include "buf.h"
#include "clock.h"
#include "log.h"
#include "paris_time.h"
#include "request_check.h"
#include "store.h"
#include "store_idem.h"
#include "tx.h"
#include "store_token.h"
#include "validate.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STAFF (ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_COORDINATOR))
#define READERS (STAFF | ROLE_BIT(ROLE_OBSERVER))
#define EVERYONE ROLES_ALL
#define SELF_STRUCTURE ROLE_BIT(ROLE_STRUCTURE)
#define SELF_DEPOT ROLE_BIT(ROLE_DEPOT)
#define SELF_VOLUNTEER ROLE_BIT(ROLE_VOLUNTEER)
#define ADMIN ROLE_BIT(ROLE_ADMIN)

/* The protocol in one table. PROTOCOL.md documents each line with an example. */
static const struct op ops[] = {
	{"whoami", op_whoami, EVERYONE, 0, "GET", "/api/v1/whoami"},
	{"territories.list", op_territories_list, EVERYONE, 0, "GET", "/api/v1/territories"},
	{"territories.get", op_territories_get, EVERYONE, 0, "GET", "/api/v1/territories/{code}"},
	{"communes.list", op_communes_list, EVERYONE, 0, "GET", "/api/v1/communes"},
	{"communes.get", op_communes_get, EVERYONE, 0, "GET", "/api/v1/communes/{insee}"},

	{"structures.list", op_registry_list, READERS | SELF_STRUCTURE, 0, "GET", "/api/v1/structures"},
	{"structures.export", op_registry_export, READERS, 0, "GET", "/api/v1/structures/export"},
	{"structures.import", op_registry_import, STAFF, OP_WRITE | OP_RAW_BODY, "POST", "/api/v1/structures/import"},
	{"structures.get", op_registry_get, READERS | SELF_STRUCTURE, 0, "GET", "/api/v1/structures/{id}"},
	{"structures.create", op_registry_create, STAFF, OP_WRITE, "POST", "/api/v1/structures"},
	{"structures.update", op_registry_update, STAFF | SELF_STRUCTURE, OP_WRITE, "PATCH", "/api/v1/structures/{id}"},
	{"structures.delete", op_registry_delete, STAFF, OP_WRITE, "DELETE", "/api/v1/structures/{id}"},

	{"depots.list", op_registry_list, READERS | SELF_DEPOT, 0, "GET", "/api/v1/depots"},
	{"depots.export", op_registry_export, READERS, 0, "GET", "/api/v1/depots/export"},
	{"depots.get", op_registry_get, READERS | SELF_DEPOT, 0, "GET", "/api/v1/depots/{id}"},
	{"depots.create", op_registry_create, STAFF, OP_WRITE, "POST", "/api/v1/depots"},
	{"depots.update", op_registry_update, STAFF | SELF_DEPOT, OP_WRITE, "PATCH", "/api/v1/depots/{id}"},
	{"depots.delete", op_registry_delete, STAFF, OP_WRITE, "DELETE", "/api/v1/depots/{id}"},

	{"items.list", op_registry_list, EVERYONE, 0, "GET", "/api/v1/items"},
	{"items.export", op_registry_export, EVERYONE, 0, "GET", "/api/v1/items/export"},
	{"items.get", op_registry_get, EVERYONE, 0, "GET", "/api/v1/items/{id}"},
	{"items.create", op_registry_create, STAFF, OP_WRITE, "POST", "/api/v1/items"},
	{"items.update", op_registry_update, STAFF, OP_WRITE, "PATCH", "/api/v1/items/{id}"},
	{"items.delete", op_registry_delete, STAFF, OP_WRITE, "DELETE", "/api/v1/items/{id}"},

	{"volunteers.list", op_registry_list, STAFF | SELF_VOLUNTEER, 0, "GET", "/api/v1/volunteers"},
	{"volunteers.export", op_registry_export, STAFF, 0, "GET", "/api/v1/volunteers/export"},
	{"volunteers.import", op_registry_import, STAFF, OP_WRITE | OP_RAW_BODY, "POST", "/api/v1/volunteers/import"},
	{"volunteers.stats", op_volunteers_stats, READERS, 0, "GET", "/api/v1/volunteers/stats"},
	{"volunteers.get", op_registry_get, STAFF | SELF_VOLUNTEER, 0, "GET", "/api/v1/volunteers/{id}"},
	{"volunteers.create", op_registry_create, STAFF, OP_WRITE, "POST", "/api/v1/volunteers"},
	{"volunteers.update", op_registry_update, STAFF | SELF_VOLUNTEER, OP_WRITE, "PATCH", "/api/v1/volunteers/{id}"},
	{"volunteers.delete", op_registry_delete, STAFF, OP_WRITE, "DELETE", "/api/v1/volunteers/{id}"},

	{"duty_officers.list", op_registry_list, STAFF, 0, "GET", "/api/v1/duty_officers"},
	{"duty_officers.export", op_registry_export, STAFF, 0, "GET", "/api/v1/duty_officers/export"},
	{"duty_officers.get", op_registry_get, STAFF, 0, "GET", "/api/v1/duty_officers/{id}"},
	{"duty_officers.create", op_registry_create, STAFF, OP_WRITE, "POST", "/api/v1/duty_officers"},
	{"duty_officers.update", op_registry_update, STAFF, OP_WRITE, "PATCH", "/api/v1/duty_officers/{id}"},
	{"duty_officers.delete", op_registry_delete, STAFF, OP_WRITE, "DELETE", "/api/v1/duty_officers/{id}"},

	{"stock.report", op_stock_report, STAFF | SELF_STRUCTURE | SELF_DEPOT, OP_WRITE | OP_RERUNNABLE, "POST", "/api/v1/stock/reports"},
	{"stock.movement", op_stock_movement, STAFF | SELF_STRUCTURE | SELF_DEPOT, OP_WRITE | OP_RERUNNABLE, "POST", "/api/v1/stock/movements"},
	{"stock.levels", op_stock_levels, READERS | SELF_STRUCTURE | SELF_DEPOT, 0, "GET", "/api/v1/stock/levels"},
	{"stock.cover", op_stock_cover, READERS, 0, "GET", "/api/v1/stock/cover"},
	{"stock.history", op_stock_history, STAFF | SELF_STRUCTURE | SELF_DEPOT, 0, "GET", "/api/v1/stock/history"},
	{"stock.trends", op_stock_trends, READERS, 0, "GET", "/api/v1/stock/trends"},
	{"epidemic.import", op_epidemic_import, STAFF, OP_WRITE | OP_RAW_BODY, "POST", "/api/v1/epidemic/import"},
	{"epidemic.list", op_epidemic_list, READERS, 0, "GET", "/api/v1/epidemic"},
	{"thresholds.list", op_thresholds_list, STAFF | SELF_STRUCTURE, 0, "GET", "/api/v1/thresholds"},
	{"thresholds.set", op_thresholds_set, STAFF, OP_WRITE, "PUT", "/api/v1/thresholds"},
	{"thresholds.delete", op_thresholds_delete, STAFF, OP_WRITE, "DELETE", "/api/v1/thresholds"},

	{"alerts.list", op_alerts_list, READERS | SELF_STRUCTURE | SELF_DEPOT, 0, "GET", "/api/v1/alerts"},
	{"alerts.feed", op_alerts_feed, READERS, 0, "GET", "/api/v1/alerts/feed"},
	{"alerts.get", op_alerts_get, READERS | SELF_STRUCTURE | SELF_DEPOT, 0, "GET", "/api/v1/alerts/{id}"},
	{"alerts.cap", op_alerts_cap, READERS | SELF_STRUCTURE | SELF_DEPOT, 0, "GET", "/api/v1/alerts/{id}/cap"},
	{"alerts.acknowledge", op_alerts_acknowledge, STAFF, OP_WRITE, "POST", "/api/v1/alerts/{id}/acknowledge"},
	{"alerts.resolve", op_alerts_resolve, STAFF, OP_WRITE, "POST", "/api/v1/alerts/{id}/resolve"},
	{"alerts.take", op_alerts_take, STAFF, OP_WRITE, "POST", "/api/v1/alerts/{id}/take"},
	{"alerts.release", op_alerts_release, STAFF, OP_WRITE, "POST", "/api/v1/alerts/{id}/release"},
	{"alerts.timeline", op_alerts_timeline, READERS | SELF_STRUCTURE | SELF_DEPOT, 0, "GET", "/api/v1/alerts/{id}/timeline"},
	{"handovers.create", op_handovers_create, STAFF, OP_WRITE, "POST", "/api/v1/handovers"},
	{"handovers.list", op_handovers_list, READERS, 0, "GET", "/api/v1/handovers"},
	{"alerts.check", op_alerts_check, ADMIN, OP_WRITE, NULL, NULL},
	{"reports.situation", op_reports_situation, READERS, 0, "GET", "/api/v1/reports/situation"},
	{"reports.completeness", op_reports_completeness, READERS, 0, "GET", "/api/v1/reports/completeness"},
	{"sms.outbox", op_sms_outbox, STAFF, 0, "GET", "/api/v1/sms/outbox"},
	{"sms.send", op_sms_send, STAFF, OP_WRITE, "POST", "/api/v1/sms/send"},
	{"sms.inbox", op_sms_inbox, STAFF, 0, "GET", "/api/v1/sms/inbox"},
	{"sms.kannel_inbound", op_sms_kannel_inbound, EVERYONE, OP_WRITE | OP_PUBLIC, "GET", "/sms/kannel/inbound"},
	{"sms.kannel_dlr", op_sms_kannel_dlr, EVERYONE, OP_WRITE | OP_PUBLIC, "GET", "/sms/kannel/dlr"},
	{"sms.twilio_inbound", op_sms_twilio_inbound, EVERYONE, OP_WRITE | OP_PUBLIC | OP_RAW_BODY, "POST",
	 "/sms/twilio/inbound"},
	{"sms.twilio_status", op_sms_twilio_status, EVERYONE, OP_WRITE | OP_PUBLIC | OP_RAW_BODY, "POST",
	 "/sms/twilio/status"},
	{"clock.advance", op_clock_advance, ADMIN, OP_WRITE, "POST", "/api/v1/clock/advance"},

	{"staff_requests.create", op_staff_requests_create, STAFF | SELF_STRUCTURE, OP_WRITE, "POST", "/api/v1/deployments/requests"},
	{"staff_requests.list", op_staff_requests_list, READERS | SELF_STRUCTURE, 0, "GET", "/api/v1/deployments/requests"},
	{"staff_requests.preview", op_staff_requests_preview, STAFF, 0, "POST", "/api/v1/deployments/preview"},
	{"staff_requests.get", op_staff_requests_get, READERS | SELF_STRUCTURE | SELF_VOLUNTEER, 0, "GET", "/api/v1/deployments/requests/{id}"},
	{"staff_requests.candidates", op_staff_requests_candidates, STAFF, 0, "GET", "/api/v1/deployments/requests/{id}/candidates"},
	{"staff_requests.call_now", op_staff_requests_call_now, STAFF, OP_WRITE, "POST", "/api/v1/deployments/requests/{id}/waves"},
	{"staff_requests.cancel", op_staff_requests_cancel, STAFF | SELF_STRUCTURE, OP_WRITE, "POST", "/api/v1/deployments/requests/{id}/cancel"},
	{"staff_calls.list", op_staff_calls_list, SELF_VOLUNTEER, 0, "GET", "/api/v1/deployments/calls"},
	{"staff_calls.answer", op_staff_calls_answer, SELF_VOLUNTEER, OP_WRITE, "POST", "/api/v1/deployments/calls/{id}/answer"},
	{"availability.list", op_availability_list, STAFF | SELF_VOLUNTEER, 0, "GET", "/api/v1/volunteers/{id}/availability"},
	{"availability.add", op_availability_add, STAFF | SELF_VOLUNTEER, OP_WRITE, "POST", "/api/v1/volunteers/{id}/availability"},
	{"availability.delete", op_availability_delete, STAFF | SELF_VOLUNTEER, OP_WRITE, "DELETE",
	 "/api/v1/volunteers/{id}/availability/{window_id}"},
	{"credentials.expiring", op_credentials_expiring, STAFF | SELF_VOLUNTEER, 0, "GET", "/api/v1/credentials/expiring"},
	{"signup.communes", op_communes_list, EVERYONE, OP_PUBLIC, "GET", "/api/v1/signup/communes"},
	{"signup.code", op_signup_code, EVERYONE, OP_WRITE | OP_PUBLIC, "POST", "/api/v1/signup/code"},
	{"signup.create", op_signup_create, EVERYONE, OP_WRITE | OP_PUBLIC, "POST", "/api/v1/signup"},
	{"signup.link", op_signup_link, EVERYONE, OP_WRITE | OP_PUBLIC, "POST", "/api/v1/signup/link"},

	{"audit.list", op_audit_list, STAFF, 0, "GET", "/api/v1/audit"},
	{"tokens.list", op_tokens_list, ADMIN, 0, "GET", "/api/v1/tokens"},
	{"tokens.create", op_tokens_create, ADMIN, OP_WRITE, "POST", "/api/v1/tokens"},
	{"tokens.revoke", op_tokens_revoke, ADMIN, OP_WRITE, "DELETE", "/api/v1/tokens/{id}"},

	/* the shared stock: requests, reserves, the nearest stock, proposals and allocations (issue 13) */
	{"stock_requests.list", op_stock_requests_list, READERS | SELF_STRUCTURE, 0, "GET", "/api/v1/stock/requests"},
	{"stock_requests.create", op_stock_requests_create, STAFF | SELF_STRUCTURE, OP_WRITE, "POST", "/api/v1/stock/requests"},
	{"stock_requests.cancel", op_stock_requests_cancel, STAFF | SELF_STRUCTURE, OP_WRITE, "POST",
	 "/api/v1/stock/requests/{id}/cancel"},
	{"stock_reserves.list", op_stock_reserves_list, READERS | SELF_DEPOT, 0, "GET", "/api/v1/stock/reserves"},
	{"stock_reserves.set", op_stock_reserves_set, STAFF, OP_WRITE, "PUT", "/api/v1/stock/reserves"},
	{"stock.nearest", op_stock_nearest, READERS, 0, "GET", "/api/v1/stock/nearest"},
	{"allocations.propose", op_allocations_propose, STAFF, OP_WRITE, "POST", "/api/v1/allocations/propose"},
	{"allocations.proposal", op_allocations_proposal, READERS, 0, "GET", "/api/v1/allocations/proposals/{id}"},
	{"allocations.create", op_allocations_create, STAFF, OP_WRITE, "POST", "/api/v1/allocations"},
	{"allocations.list", op_allocations_list, READERS | SELF_STRUCTURE | SELF_DEPOT, 0, "GET", "/api/v1/allocations"},
	/* before allocations.get: a literal segment wins over {id} by its place in the table */
	{"allocations.export", op_allocations_export, READERS, 0, "GET", "/api/v1/allocations/export"},
	{"allocations.get", op_allocations_get, READERS | SELF_STRUCTURE | SELF_DEPOT, 0, "GET", "/api/v1/allocations/{id}"},
	{"allocations.approve", op_allocations_approve, STAFF, OP_WRITE, "POST", "/api/v1/allocations/{id}/approve"},
	{"allocations.dispatch", op_allocations_dispatch, STAFF | SELF_DEPOT | SELF_STRUCTURE, OP_WRITE, "POST",
	 "/api/v1/allocations/{id}/dispatch"},
	{"allocations.receive", op_allocations_receive, STAFF | SELF_STRUCTURE, OP_WRITE, "POST",
	 "/api/v1/allocations/{id}/receive"},
	{"allocations.cancel", op_allocations_cancel, STAFF, OP_WRITE, "POST", "/api/v1/allocations/{id}/cancel"},
	{"stock.ledger_export", op_stock_ledger_export, READERS | SELF_STRUCTURE | SELF_DEPOT, 0, "GET",
	 "/api/v1/stock/ledger/export"},

	{"subscribe", NULL, EVERYONE, OP_TRANSPORT, NULL, NULL},
	{"unsubscribe", NULL, EVERYONE, OP_TRANSPORT, NULL, NULL},
	{NULL, NULL, 0, 0, NULL, NULL},
};

const struct op *api_ops(void)
{
	return ops;
}

const struct op *api_find_op(const char *name)
{
	for (const struct op *o = ops; o->name; o++)
		if (strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

/* Matches path against pattern segment by segment; captures {name} segments into params. */
static int match_path(const char *pattern, const char *path, cJSON *params)
{
	const char *p = pattern, *s = path;
	while (*p && *s) {
		if (*p == '{') {
			const char *pe = strchr(p, '}');
			const char *se = strchr(s, '/');
			if (!pe)
				return 0;
			if (!se)
				se = s + strlen(s);
			if (se == s)
				return 0;
			if (params) {
				char name[32], value[256];
				size_t nl = (size_t)(pe - p - 1), vl = (size_t)(se - s);
				if (nl >= sizeof name || vl >= sizeof value)
					return 0;
				memcpy(name, p + 1, nl);
				name[nl] = '\0';
				memcpy(value, s, vl);
				value[vl] = '\0';
				cJSON_DeleteItemFromObject(params, name);
				cJSON_AddStringToObject(params, name, value);
			}
			p = pe + 1;
			s = se;
			continue;
		}
		if (*p != *s)
			return 0;
		p++;
		s++;
	}
	return *p == '\0' && *s == '\0';
}

const struct op *api_route(const char *method, const char *path, cJSON *params, int *path_known)
{
	*path_known = 0;
	/* literal segments win over captures: /structures/export before /structures/{id} (table order) */
	for (const struct op *o = ops; o->name; o++) {
		if (!o->path || !match_path(o->path, path, NULL))
			continue;
		if (strcmp(o->method, method) != 0) {
			*path_known = 1;
			continue;
		}
		match_path(o->path, path, params);
		return o;
	}
	return NULL;
}

int api_authenticate(struct app *app, const char *token, struct principal *who, struct rf_error *err)
{
	if (!token || !*token) {
		rf_error_set(err, 401, "unauthorized", "authorization", "an API token is required: "
									"Authorization: Bearer <token>");
		return -1;
	}
	if (strncmp(token, "Bearer ", 7) == 0)
		token += 7;
	while (*token == ' ')
		token++;
	char hash[65];
	auth_token_hash(token, hash);
	long long epoch = store_token_epoch(app->store);
	int rc = store_token_lookup(app->store, hash, who);
	if (rc == STORE_OK) {
		who->token_epoch = epoch;
		return 0;
	}
	if (rc == STORE_NOTFOUND)
		rf_error_set(err, 401, "unauthorized", "authorization", "the token is unknown or revoked");
	else
		rf_error_set(err, 503, "unavailable", "", "the database is not answering");
	return -1;
}

int api_token_revoked(struct app *app, struct principal *who)
{
	long long epoch = store_token_epoch(app->store);
	if (!who->token_id || epoch == who->token_epoch)
		return 0;
	int rc = store_token_active(app->store, who->token_id);
	if (rc == STORE_OK)
		who->token_epoch = epoch;
	return rc == STORE_NOTFOUND; /* a database failure: the request will meet it too */
}

void op_request_release(struct op_request *req)
{
	cJSON_Delete(req->params);
	cJSON_Delete(req->body);
	free(req->raw_body);
	req->params = req->body = NULL;
	req->raw_body = NULL;
}

void op_response_release(struct op_response *res)
{
	cJSON_Delete(res->data);
	free(res->data_text);
	free(res->raw);
	res->data = NULL;
	res->data_text = NULL;
	res->raw = NULL;
}

const char *api_response_text(struct op_response *res)
{
	if (!res->data_text)
		res->data_text = res->data ? cJSON_PrintUnformatted(res->data) : strdup("null");
	return res->data_text;
}

cJSON *api_error_json(const struct rf_error *err)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "code", err->code[0] ? err->code : "error");
	if (err->field[0])
		cJSON_AddStringToObject(o, "field", err->field);
	cJSON_AddStringToObject(o, "rule", err->rule);
	if (err->line)
		cJSON_AddNumberToObject(o, "line", (double)err->line);
	char msg[512];
	if (err->line && err->field[0])
		snprintf(msg, sizeof msg, "line %ld: %s: %s", err->line, err->field, err->rule);
	else if (err->field[0])
		snprintf(msg, sizeof msg, "%s: %s", err->field, err->rule);
	else
		snprintf(msg, sizeof msg, "%s", err->rule);
	cJSON_AddStringToObject(o, "message", msg);
	return o;
}

/* --- handler helpers ---------------------------------------------------------------------------- */

const char *api_param(struct op_request *req, const char *name, char *tmp, size_t tmplen)
{
	const cJSON *v = req->params ? cJSON_GetObjectItemCaseSensitive(req->params, name) : NULL;
	if (cJSON_IsString(v))
		return v->valuestring;
	if (cJSON_IsNumber(v)) {
		long long i;
		/* a whole number as an integer's text; any other (a fraction, 1e300) as a double's, which
		 * no integer parameter takes */
		if (!int_from_double(v->valuedouble, -INT_EXACT_MAX, INT_EXACT_MAX, &i))
			snprintf(tmp, tmplen, "%lld", i);
		else
			snprintf(tmp, tmplen, "%.17g", v->valuedouble);
		return tmp;
	}
	if (cJSON_IsBool(v)) {
		snprintf(tmp, tmplen, "%s", cJSON_IsTrue(v) ? "true" : "false");
		return tmp;
	}
	return NULL;
}

int api_param_id(struct op_request *req, const char *name, long long *id, struct op_response *res)
{
	char tmp[32];
	const char *s = api_param(req, name, tmp, sizeof tmp);
	if (!s)
		return api_fail(res, 422, "required", name, "is required");
	if (int_from_text(s, 1, INT_EXACT_MAX, id))
		/* a path that cannot name anything is simply not found */
		return api_fail(res, 404, "not_found", name, "no such record");
	return 0;
}

static int only_members(const cJSON *o, struct op_response *res, const char *const *names, const char *rule)
{
	const cJSON *p;
	cJSON_ArrayForEach(p, o)
	{
		int ok = 0;
		for (const char *const *n = names; *n && !ok; n++)
			ok = strcmp(*n, p->string) == 0;
		if (!ok)
			return api_fail(res, 422, "unknown_field", p->string, rule);
	}
	return 0;
}

int api_only_params(struct op_request *req, struct op_response *res, const char *const *names, const char *rule)
{
	return only_members(req->params, res, names, rule);
}

int api_only_fields(const cJSON *body, struct op_response *res, const char *const *names, const char *rule)
{
	if (!cJSON_IsObject(body))
		return api_fail(res, 400, "invalid_json", "body", "a JSON object is required");
	return only_members(body, res, names, rule);
}

int api_read_time(const cJSON *j, const char *field, long long *ms, struct op_response *res)
{
	if (!cJSON_IsString(j) || (clock_parse_iso(j->valuestring, ms) && paris_parse_local(j->valuestring, ms)))
		return api_fail(res, 422, "invalid", field,
				"must be a time: 2026-03-30T07:00:00+02:00, or 2026-03-30T07:00 in Paris time");
	return 0;
}

int api_param_int(struct op_request *req, const char *name, long long min, long long max, long long *out,
		  const char *rule, struct op_response *res)
{
	char tmp[64], buf[96];
	const char *s = api_param(req, name, tmp, sizeof tmp);
	if (!s)
		return 0;
	if (int_from_text(s, min, max, out))
		return api_fail(res, 422, "invalid", name, rule ? rule : int_rule(min, max, buf, sizeof buf));
	return 0;
}

int api_json_int(const cJSON *j, const char *field, long long min, long long max, long long *out, const char *rule,
		 struct op_response *res)
{
	char buf[96];
	if (!cJSON_IsNumber(j) || int_from_double(j->valuedouble, min, max, out))
		return api_fail(res, 422, "invalid", field, rule ? rule : int_rule(min, max, buf, sizeof buf));
	return 0;
}

int api_param_limit(struct app *app, struct op_request *req, long long *limit, struct op_response *res)
{
	*limit = app->cfg.page_size_default;
	return api_param_int(req, "limit", 1, app->cfg.page_size_max, limit,
			     "must be an integer from 1 to the page size limit", res);
}

int api_fail(struct op_response *res, int status, const char *code, const char *field, const char *rule)
{
	res->status = status;
	rf_error_set(&res->err, status, code, field, "%s", rule);
	return -1;
}

int api_csv_body(const struct op_request *req, struct op_response *res)
{
	if (!req->raw_body || !req->raw_len)
		return api_fail(res, 400, "invalid_csv", "body", "a CSV file with a header line is required");
	/* the media type itself, not any text holding "csv" (application/csvx, text/csv-schema) */
	if (req->content_type[0] && !request_check_media_type(req->content_type, "text/csv") &&
	    !request_check_media_type(req->content_type, "text/plain"))
		return api_fail(res, 415, "unsupported_media_type", "content-type", "must be text/csv");
	return 0;
}

int api_fail_error(struct op_response *res, const struct rf_error *err)
{
	res->status = err->status;
	res->err = *err;
	return -1;
}

void api_add_time(cJSON *o, const char *name, long long ms)
{
	char iso[32];
	if (ms)
		cJSON_AddStringToObject(o, name, clock_format_iso(ms, iso));
	else
		cJSON_AddNullToObject(o, name);
}

int api_fail_store(struct app *app, struct op_response *res, int rc, const char *what)
{
	res->status = store_rf_error(app->store, rc, what, &res->err);
	return -1;
}

void api_add_next(cJSON *data, long long count, long long limit, long long last_id)
{
	if (count == limit) {
		char next[32];
		snprintf(next, sizeof next, "%lld", last_id);
		cJSON_AddStringToObject(data, "next", next);
	} else
		cJSON_AddNullToObject(data, "next");
}

void api_add_next_before(cJSON *data, long long count, long long limit, long long last_id)
{
	if (count == limit) {
		char next[32];
		snprintf(next, sizeof next, "%lld", last_id);
		cJSON_AddStringToObject(data, "next_before", next);
	} else
		cJSON_AddNullToObject(data, "next_before");
}

int api_emit(struct app *app, const char *type, const char *dep, const char *entity, long long entity_id,
	     cJSON *data)
{
	cJSON *payload = data ? data : cJSON_CreateObject();
	char *text = cJSON_PrintUnformatted(payload);
	cJSON_Delete(payload);
	return events_add_text(app, type, dep, entity, entity_id, text);
}

/* --- running operations ---------------------------------------------------------------------------- */

/* The digest of a request that its idempotency key is bound to. The parsed tree is walked
 * (type, key, length-prefixed text, the number's bytes) rather than printed: printing a number
 * costs a printf and a scanf, and this runs for every keyed write. "v2:" marks this form; rows
 * remembered by an older renfortd hold the digest of the printed text (request_hash_v1). */
#define HASH_V2 "v2:"

/* Appends j's canonical bytes to b; -1 when memory ran out. A member's key is written by its
 * object: the node handed in may itself be a member ("data" of a websocket message) or a root
 * (an HTTP body), and both must digest alike. */
static int digest_json(struct buf *b, const cJSON *j)
{
	unsigned char type = (unsigned char)(j->type & 0xff);
	int bad = buf_append(b, &type, 1);
	if (cJSON_IsString(j)) {
		uint32_t n = (uint32_t)strlen(j->valuestring);
		bad |= buf_append(b, &n, sizeof n) | buf_append(b, j->valuestring, n);
	} else if (cJSON_IsNumber(j))
		bad |= buf_append(b, &j->valuedouble, sizeof j->valuedouble);
	else if (cJSON_IsArray(j) || cJSON_IsObject(j)) {
		uint32_t n = 0;
		for (const cJSON *c = j->child; c; c = c->next)
			n++;
		bad |= buf_append(b, &n, sizeof n);
		for (const cJSON *c = j->child; c; c = c->next) {
			if (cJSON_IsObject(j)) {
				uint32_t k = c->string ? (uint32_t)strlen(c->string) : 0;
				bad |= buf_append(b, &k, sizeof k) | buf_append(b, c->string ? c->string : "", k);
			}
			bad |= digest_json(b, c);
		}
	}
	return bad;
}

/* HASH_V2 and the hex SHA-256 of the request's canonical bytes into out; -1 when memory ran out. */
static int request_hash(const struct op_request *req, char out[68])
{
	struct buf b;
	buf_init(&b);
	int bad = buf_append(&b, req->op->name, strlen(req->op->name) + 1);
	if (req->params)
		bad |= digest_json(&b, req->params);
	bad |= buf_append(&b, "", 1);
	if (req->body)
		bad |= digest_json(&b, req->body);
	bad |= buf_append(&b, "", 1);
	if (req->raw_len)
		bad |= buf_append(&b, req->raw_body, req->raw_len);
	if (!bad) {
		const void *parts[] = {b.data};
		size_t lens[] = {b.len};
		memcpy(out, HASH_V2, sizeof HASH_V2 - 1);
		sha256_hex(parts, lens, 1, out + sizeof HASH_V2 - 1);
	}
	buf_release(&b);
	return bad ? -1 : 0;
}

static void request_hash_v1(const struct op_request *req, char out[65])
{
	char *p = req->params ? cJSON_PrintUnformatted(req->params) : NULL;
	char *b = req->body ? cJSON_PrintUnformatted(req->body) : NULL;
	const void *parts[] = {req->op->name, p ? p : "", b ? b : "", req->raw_body ? req->raw_body : ""};
	size_t lens[] = {strlen(req->op->name) + 1, p ? strlen(p) + 1 : 1, b ? strlen(b) + 1 : 1, req->raw_len};
	sha256_hex(parts, lens, 4, out);
	free(p);
	free(b);
}

/* Whether a remembered row was written for this very request. */
static int same_request(const struct op_request *req, const struct idem_row *row, const char *hash)
{
	if (strcmp(row->op, req->op->name) != 0)
		return 0;
	if (strncmp(row->request_hash, HASH_V2, sizeof HASH_V2 - 1) == 0)
		return strcmp(row->request_hash, hash) == 0;
	char v1[65];
	request_hash_v1(req, v1);
	return strcmp(row->request_hash, v1) == 0;
}

static int check_role(const struct op_request *req, struct op_response *res)
{
	if (req->op->roles & ROLE_BIT(req->who.role))
		return 0;
	char rule[128];
	snprintf(rule, sizeof rule, "%s %s token may not call %s", req->who.role == ROLE_ADMIN || req->who.role == ROLE_OBSERVER ? "an" : "a",
		 role_name(req->who.role), req->op->name);
	return api_fail(res, 403, "forbidden", "role", rule);
}

/* A parameter of an operation with an HTTP route is what a query string can say: text, or a
 * number or boolean standing for its text. A websocket client may send any JSON value there: null,
 * a list or an object would read as absent (api_param) and widen a filter to everything, so it is
 * refused, naming the parameter. Websocket-only operations read their own (subscribe's topics). */
static int check_params(const struct op_request *req, struct op_response *res)
{
	const cJSON *p;
	if (!req->op->path)
		return 0;
	cJSON_ArrayForEach(p, req->params)
	{
		if (!cJSON_IsString(p) && !cJSON_IsNumber(p) && !cJSON_IsBool(p))
			return api_fail(res, 422, "invalid", p->string, "must be a string or a number");
	}
	return 0;
}

int api_call(struct app *app, struct op_request *req, struct op_response *res,
	     void (*done)(void *client, struct write_job *job), void *client, struct write_job **job_out)
{
	*job_out = NULL;
	req->now = app_now(app);
	if (check_role(req, res) || check_params(req, res))
		return 1;
	if (req->op->flags & OP_TRANSPORT) {
		/* the websocket runs these itself: nothing else can reach them */
		api_fail(res, 400, "websocket_only", "type", "subscriptions exist on the websocket only");
		return 1;
	}
	if (!(req->op->flags & OP_WRITE)) {
		res->status = 200;
		req->op->fn(app, req, res);
		return 1;
	}
	struct write_job *job = calloc(1, sizeof *job);
	if (!job) {
		api_fail(res, 503, "unavailable", "", "out of memory");
		return 1;
	}
	job->req = *req;
	memset(req, 0, sizeof *req);
	job->done = done;
	job->client = client;
	if (app->batch_tail)
		app->batch_tail->next = job;
	else
		app->batch_head = job;
	app->batch_tail = job;
	app->batch_len++;
	*job_out = job;
	if (!app->flush_scheduled && app->schedule_flush) {
		app->flush_scheduled = 1;
		app->schedule_flush(app);
	}
	return 0;
}

void api_job_detach(struct write_job *job)
{
	job->client = NULL;
}

void api_detach_client(struct app *app, void *client)
{
	for (struct write_job *j = app->batch_head; j; j = j->next)
		if (j->client == client)
			j->client = NULL;
}

void api_job_free(struct write_job *job)
{
	if (!job)
		return;
	op_request_release(&job->req);
	op_response_release(&job->res);
	cJSON_Delete(job->reply_id);
	free(job);
}

/* One write inside the batch's transaction. isolated: under a savepoint of its own, so that a
 * failure takes back its rows and only its rows. Not isolated (the fast path, for OP_RERUNNABLE
 * writes): returns -1 when the write failed after it had changed rows, which are then in the
 * batch's transaction; the caller must roll the batch back and run it again isolated. */
static int run_write(struct app *app, struct write_job *job, int isolated)
{
	struct op_request *req = &job->req;
	struct op_response *res = &job->res;
	struct store *st = app->store;
	char hash[68] = "";

	if (req->idem_key[0]) {
		struct idem_row row = {0};
		if (request_hash(req, hash)) {
			api_fail(res, 503, "unavailable", "", "out of memory");
			return 0;
		}
		int rc = store_idem_get(st, req->who.token_id, req->idem_key, &row);
		if (rc == STORE_OK) {
			if (same_request(req, &row, hash)) {
				/* the first answer, as it was sent */
				res->status = row.status;
				res->data_text = row.response;
				row.response = NULL;
			} else
				api_fail(res, 409, "idempotency_conflict", "idempotency_key",
					 "was already used with a different request; use a new key");
			store_idem_release(&row);
			return 0;
		}
		if (rc != STORE_NOTFOUND) {
			api_fail_store(app, res, rc, "idempotency_key");
			return 0;
		}
	}
	if (api_token_revoked(app, &req->who)) {
		/* revoked since the request arrived (another program's revocation is seen here, once
		 * the transaction has begun): nothing of it is written */
		api_fail(res, 401, "unauthorized", "authorization", "the token is unknown or revoked");
		return 0;
	}
	size_t mark = events_mark(app);
	long long changes = store_total_changes(st);
	if (isolated && tx_savepoint(app)) {
		api_fail_store(app, res, STORE_ERROR, "");
		return 0;
	}
	res->status = 200;
	req->op->fn(app, req, res);
	if (res->status < 400 && req->idem_key[0]) {
		/* the answer is remembered as sent, except a secret, which is remembered without it */
		char *hidden = NULL;
		const char *text;
		if (res->secret && res->data) {
			cJSON *kept = cJSON_Duplicate(res->data, 1);
			if (kept)
				cJSON_ReplaceItemInObject(kept, "token", cJSON_CreateString("(shown once)"));
			text = hidden = kept ? cJSON_PrintUnformatted(kept) : NULL;
			cJSON_Delete(kept);
		} else
			text = api_response_text(res);
		int rc = text ? store_idem_put(st, req->who.token_id, req->idem_key, req->op->name, hash, res->status, text,
					       res->entity, res->entity_id)
			      : STORE_ERROR;
		free(hidden);
		if (rc) {
			op_response_release(res);
			api_fail_store(app, res, rc, "idempotency_key");
		}
	}
	if (res->status < 400) {
		if (!isolated || tx_release(app) == 0)
			return 0;
		op_response_release(res);
		api_fail_store(app, res, STORE_ERROR, "");
	}
	op_response_release(res);
	if (isolated)
		tx_rollback_savepoint(app);
	else {
		events_drop_from(app, mark);
		if (store_total_changes(st) != changes)
			return -1;
	}
	return 0;
}

/* The writes of a batch in one transaction, not committed: 0; -1 when the transaction could not
 * begin; 1 when a write failed half-way outside a savepoint: the transaction is then rolled back
 * and every answer forgotten, for a rerun. */
static int run_batch(struct app *app, struct write_job *jobs, int isolated)
{
	if (tx_begin(app))
		return -1;
	for (struct write_job *j = jobs; j; j = j->next) {
		/* the batch shares one clock reading; the actor changes per job */
		store_set_actor(app->store, &j->req.who);
		if (run_write(app, j, isolated)) {
			tx_rollback(app);
			for (struct write_job *k = jobs; k; k = k->next) {
				op_response_release(&k->res);
				memset(&k->res, 0, sizeof k->res);
			}
			return 1;
		}
	}
	return 0;
}

/* One transaction for up to batch_max queued writes. */
static void flush_batch(struct app *app)
{
	struct write_job *jobs = app->batch_head, *last = jobs;
	size_t n = 1;
	while (last->next && n < (size_t)app->cfg.batch_max) {
		last = last->next;
		n++;
	}
	app->batch_head = last->next;
	if (!app->batch_head)
		app->batch_tail = NULL;
	app->batch_len -= n;
	last->next = NULL;

	/* a savepoint per write costs about a tenth of a stock report: batches of rerunnable writes run
	 * without, and again with when one of them fails half-way (never, short of a bug or a full disk) */
	int isolated = 0;
	for (struct write_job *j = jobs; j; j = j->next)
		if (!(j->req.op->flags & OP_RERUNNABLE))
			isolated = 1;
	long long t0 = clock_mono_us();
	int rc = run_batch(app, jobs, isolated);
	if (rc == 1) {
		app->metrics.batch_reruns++;
		rc = run_batch(app, jobs, 1);
	}
	int failed = rc != 0;
	if (failed)
		tx_rollback(app);
	else
		failed = tx_commit_only(app) != 0;
	long long dt = clock_mono_us() - t0;
	app->metrics.commit_ops += n;
	app->metrics.commit_us_total += (unsigned long long)dt;

	if (failed)
		for (struct write_job *j = jobs; j; j = j->next) {
			op_response_release(&j->res);
			api_fail(&j->res, 503, "unavailable", "", "the database could not commit; nothing was changed, "
								  "retry with the same idempotency key");
		}
	/* the writers' answers first (their commit is done), then the events for everyone else: a
	 * reporter's acknowledgement does not wait behind a fan-out to a thousand subscribers */
	while (jobs) {
		struct write_job *next = jobs->next;
		jobs->next = NULL;
		if (jobs->client && jobs->done)
			jobs->done(jobs->client, jobs);
		else
			api_job_free(jobs);
		jobs = next;
	}
	if (!failed)
		tx_publish(app);
}

void api_flush(struct app *app)
{
	app->flush_scheduled = 0;
	while (app->batch_head)
		flush_batch(app);
}
