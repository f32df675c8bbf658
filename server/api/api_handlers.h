/* api_handlers: the operation handlers named in api.c's table, by module. */
#ifndef RENFORT_API_HANDLERS_H
#define RENFORT_API_HANDLERS_H

#include "api.h"
#include "model.h"
#include "store_record.h"

/* api_registry.c: structures, depots, items, volunteers */
int op_registry_list(struct app *app, struct op_request *req, struct op_response *res);
int op_registry_get(struct app *app, struct op_request *req, struct op_response *res);
int op_registry_create(struct app *app, struct op_request *req, struct op_response *res);
int op_registry_update(struct app *app, struct op_request *req, struct op_response *res);
int op_registry_delete(struct app *app, struct op_request *req, struct op_response *res);
/* Reads limit, after, q and the filters of e from the request's params (422 naming a bad one). */
int registry_list_query(struct app *app, struct op_request *req, const struct entity *e, struct list_query *q,
			struct op_response *res);
/* The entity an operation works on ("structures.create" -> structures). */
const struct entity *registry_entity(const struct op *op);
/* Creates one row from a JSON object, exactly as POST would; *id set on success, and dep (when
 * not NULL, 4 bytes) to the row's département ("" when it has none). */
int registry_create(struct app *app, const struct principal *who, const struct entity *e, const cJSON *obj,
		    long long *id, char *dep, struct rf_error *err);

/* api_import.c: CSV import and CSV/JSON export */
int op_registry_import(struct app *app, struct op_request *req, struct op_response *res);
int op_registry_export(struct app *app, struct op_request *req, struct op_response *res);

/* api_territory.c */
int op_territories_list(struct app *app, struct op_request *req, struct op_response *res);
int op_territories_get(struct app *app, struct op_request *req, struct op_response *res);
int op_communes_list(struct app *app, struct op_request *req, struct op_response *res);
int op_communes_get(struct app *app, struct op_request *req, struct op_response *res);

/* api_admin.c: who am I, tokens, audit, the volunteer pool's counts */
int op_volunteers_stats(struct app *app, struct op_request *req, struct op_response *res);
int op_whoami(struct app *app, struct op_request *req, struct op_response *res);
int op_tokens_list(struct app *app, struct op_request *req, struct op_response *res);
int op_tokens_create(struct app *app, struct op_request *req, struct op_response *res);
int op_tokens_revoke(struct app *app, struct op_request *req, struct op_response *res);
int op_audit_list(struct app *app, struct op_request *req, struct op_response *res);

/* api_stock.c: reports, movements, levels, cover, thresholds */
int op_stock_report(struct app *app, struct op_request *req, struct op_response *res);
int op_stock_movement(struct app *app, struct op_request *req, struct op_response *res);
int op_stock_levels(struct app *app, struct op_request *req, struct op_response *res);
int op_stock_cover(struct app *app, struct op_request *req, struct op_response *res);
int op_epidemic_import(struct app *app, struct op_request *req, struct op_response *res);
int op_epidemic_list(struct app *app, struct op_request *req, struct op_response *res);
int op_thresholds_list(struct app *app, struct op_request *req, struct op_response *res);
int op_thresholds_set(struct app *app, struct op_request *req, struct op_response *res);
int op_thresholds_delete(struct app *app, struct op_request *req, struct op_response *res);

/* api_history.c: a holder's stock history, trends of reports and alerts */
int op_stock_history(struct app *app, struct op_request *req, struct op_response *res);
int op_stock_trends(struct app *app, struct op_request *req, struct op_response *res);

/* api_report.c: the daily situation report, the reporting completeness */
int op_reports_situation(struct app *app, struct op_request *req, struct op_response *res);
int op_reports_completeness(struct app *app, struct op_request *req, struct op_response *res);

/* api_cell.c: taking and releasing an alert, its timeline, handover notes */
int op_alerts_take(struct app *app, struct op_request *req, struct op_response *res);
int op_alerts_release(struct app *app, struct op_request *req, struct op_response *res);
int op_alerts_timeline(struct app *app, struct op_request *req, struct op_response *res);
int op_handovers_list(struct app *app, struct op_request *req, struct op_response *res);
int op_handovers_create(struct app *app, struct op_request *req, struct op_response *res);

/* api_alert.c: alerts, CAP, the SMS outbox, the test clock */
int op_alerts_list(struct app *app, struct op_request *req, struct op_response *res);
int op_alerts_get(struct app *app, struct op_request *req, struct op_response *res);
int op_alerts_acknowledge(struct app *app, struct op_request *req, struct op_response *res);
int op_alerts_resolve(struct app *app, struct op_request *req, struct op_response *res);
int op_alerts_cap(struct app *app, struct op_request *req, struct op_response *res);
int op_alerts_feed(struct app *app, struct op_request *req, struct op_response *res);
int op_alerts_check(struct app *app, struct op_request *req, struct op_response *res);
int op_sms_outbox(struct app *app, struct op_request *req, struct op_response *res);
int op_clock_advance(struct app *app, struct op_request *req, struct op_response *res);

/* api_sms.c: messages, the inbox, gateways' webhooks */
int op_sms_send(struct app *app, struct op_request *req, struct op_response *res);
int op_sms_inbox(struct app *app, struct op_request *req, struct op_response *res);
int op_sms_kannel_inbound(struct app *app, struct op_request *req, struct op_response *res);
int op_sms_kannel_dlr(struct app *app, struct op_request *req, struct op_response *res);
int op_sms_twilio_inbound(struct app *app, struct op_request *req, struct op_response *res);
int op_sms_twilio_status(struct app *app, struct op_request *req, struct op_response *res);

/* api_deploy.c: staff requests, their candidates, a volunteer's calls and answers */
int op_staff_requests_create(struct app *app, struct op_request *req, struct op_response *res);
int op_staff_requests_list(struct app *app, struct op_request *req, struct op_response *res);
int op_staff_requests_preview(struct app *app, struct op_request *req, struct op_response *res);
int op_staff_requests_get(struct app *app, struct op_request *req, struct op_response *res);
int op_staff_requests_candidates(struct app *app, struct op_request *req, struct op_response *res);
int op_staff_requests_call_now(struct app *app, struct op_request *req, struct op_response *res);
int op_staff_requests_cancel(struct app *app, struct op_request *req, struct op_response *res);
int op_staff_calls_list(struct app *app, struct op_request *req, struct op_response *res);
int op_staff_calls_answer(struct app *app, struct op_request *req, struct op_response *res);

/* api_availability.c: availability windows, expiring credentials */
int op_availability_list(struct app *app, struct op_request *req, struct op_response *res);
int op_availability_add(struct app *app, struct op_request *req, struct op_response *res);
int op_availability_delete(struct app *app, struct op_request *req, struct op_response *res);
int op_credentials_expiring(struct app *app, struct op_request *req, struct op_response *res);

/* api_signup.c: joining the reserve (public: no token) */
int op_signup_code(struct app *app, struct op_request *req, struct op_response *res);
int op_signup_create(struct app *app, struct op_request *req, struct op_response *res);
int op_signup_link(struct app *app, struct op_request *req, struct op_response *res);
/* api_allocation.c: requests for stock, the nearest stock, reserves, proposals, allocations, exports */
int op_stock_requests_list(struct app *app, struct op_request *req, struct op_response *res);
int op_stock_requests_create(struct app *app, struct op_request *req, struct op_response *res);
int op_stock_requests_cancel(struct app *app, struct op_request *req, struct op_response *res);
int op_stock_nearest(struct app *app, struct op_request *req, struct op_response *res);
int op_stock_reserves_list(struct app *app, struct op_request *req, struct op_response *res);
int op_stock_reserves_set(struct app *app, struct op_request *req, struct op_response *res);
int op_stock_ledger_export(struct app *app, struct op_request *req, struct op_response *res);
int op_allocations_propose(struct app *app, struct op_request *req, struct op_response *res);
int op_allocations_proposal(struct app *app, struct op_request *req, struct op_response *res);
int op_allocations_list(struct app *app, struct op_request *req, struct op_response *res);
int op_allocations_export(struct app *app, struct op_request *req, struct op_response *res);
int op_allocations_create(struct app *app, struct op_request *req, struct op_response *res);
int op_allocations_get(struct app *app, struct op_request *req, struct op_response *res);
int op_allocations_approve(struct app *app, struct op_request *req, struct op_response *res);
int op_allocations_dispatch(struct app *app, struct op_request *req, struct op_response *res);
int op_allocations_receive(struct app *app, struct op_request *req, struct op_response *res);
int op_allocations_cancel(struct app *app, struct op_request *req, struct op_response *res);

/* hub.c: websocket subscriptions */

#endif
