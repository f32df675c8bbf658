/* api: the one table of operations that HTTP routes and websocket message types both lead to,
 * and how they run: reads at once, writes in a group commit whose acknowledgements go out only
 * after the COMMIT that holds them, with idempotency keys and events published after commit. */
#ifndef RENFORT_API_H
#define RENFORT_API_H

#include <cjson/cJSON.h>

#include "app.h"
#include "auth.h"
#include "error.h"
#include "validate.h" /* INT_EXACT_MAX, int_rule() for api_json_int and api_param_int */

#define OP_WRITE 0x01u    /* runs in the group commit; may carry an idempotency key */
#define OP_RAW_BODY 0x02u /* the body is not JSON (CSV import) */
#define OP_PUBLIC 0x04u   /* no token needed */
/* A write whose only effects are rows and events (none in memory): the group commit may run it
 * without a savepoint of its own, and run it again if its batch must be rerun (see flush_batch). */
#define OP_RERUNNABLE 0x08u
/* Run by the transport itself, on the session it changes (subscribe, unsubscribe: fn is NULL). */
#define OP_TRANSPORT 0x10u

struct op_request;
struct op_response;

typedef int (*op_fn)(struct app *app, struct op_request *req, struct op_response *res);

struct op {
	const char *name;   /* websocket "type", e.g. "structures.create" */
	op_fn fn;
	unsigned roles;     /* ROLE_BIT()s allowed to call it */
	unsigned flags;
	const char *method; /* HTTP method, or NULL when websocket only */
	const char *path;   /* HTTP path pattern, "{name}" captures a segment into params */
};

struct op_request {
	const struct op *op;
	struct principal who;
	cJSON *params;     /* path and query parameters (strings), or the websocket "params" */
	cJSON *body;       /* the JSON body / websocket "data", or NULL */
	char *raw_body;    /* OP_RAW_BODY: the body as received */
	size_t raw_len;
	char content_type[64];
	char idem_key[129];
	long long now;
	void *session;     /* the websocket session the request came on, or NULL (HTTP) */
	char signature[64]; /* X-Twilio-Signature of a gateway webhook */
	char peer[48];      /* the client's address (HTTP), for the public operations' rate limits */
};

struct op_response {
	int status;
	cJSON *data;              /* JSON answer */
	char *data_text;          /* the answer already serialised (api_response_text); wins over data */
	char *raw;                /* or a non-JSON answer (CSV, XML), with its type */
	size_t raw_len;
	char raw_type[64];
	char filename[64];        /* suggested download name for raw answers */
	struct rf_error err;      /* when status >= 400 */
	int secret;               /* the answer holds a secret: remembered without its "token" */
	const char *entity;       /* the row a write touched, for erasure of remembered answers */
	long long entity_id;
};

/* A write waiting for its commit. The transport that submitted it gets done() after the commit
 * (or the failure); a transport whose client went away calls api_job_detach() first. */
struct write_job {
	struct op_request req;
	struct op_response res;
	void (*done)(void *client, struct write_job *job);
	void *client;
	cJSON *reply_id;   /* the transport's own tag for the answer (websocket request id) */
	struct write_job *next;
};

/* All operations, terminated by a NULL name. */
const struct op *api_ops(void);
const struct op *api_find_op(const char *name);
/* Finds the operation for an HTTP method and path; fills params with captured segments.
 * *path_known is set when the path exists with another method (405 rather than 404). */
const struct op *api_route(const char *method, const char *path, cJSON *params, int *path_known);

/* Resolves "Bearer <token>" or a bare token to a principal. Returns 0, or -1 with err set (401). */
int api_authenticate(struct app *app, const char *token, struct principal *who, struct rf_error *err);
/* Was who's token revoked since it was authenticated (or last checked)? Looked up again only when
 * store_token_epoch moved; renfortd's own principals (token 0) never are. */
int api_token_revoked(struct app *app, struct principal *who);

/* Runs req. Reads answer at once (returns 1, res filled). Writes are queued (returns 0): done()
 * is called with the job after the commit; the job then belongs to the transport, which frees it
 * with api_job_free(). req's contents move into the job. */
int api_call(struct app *app, struct op_request *req, struct op_response *res,
	     void (*done)(void *client, struct write_job *job), void *client, struct write_job **job_out);
void api_job_detach(struct write_job *job);
/* Detaches every queued job of this client (its connection closed): they still commit. */
void api_detach_client(struct app *app, void *client);
void api_job_free(struct write_job *job);

/* Runs the queued writes in one transaction (the group commit), then publishes and answers. */
void api_flush(struct app *app);

void op_request_release(struct op_request *req);
void op_response_release(struct op_response *res);
/* The answer's JSON text, serialised once and kept in res->data_text ("null" without data); NULL
 * only when memory runs out. Transports send it, the idempotency table remembers it. */
const char *api_response_text(struct op_response *res);

/* The JSON error object {"code","field","rule","message"} of res. */
cJSON *api_error_json(const struct rf_error *err);

/* --- helpers for operation handlers ---------------------------------------------------------------- */

/* A parameter as text (numbers are formatted), or NULL. */
const char *api_param(struct op_request *req, const char *name, char *tmp, size_t tmplen);
/* A positive integer id parameter; on error sets res (404 for a malformed path id). */
int api_param_id(struct op_request *req, const char *name, long long *id, struct op_response *res);
/* 422 unknown_field (with rule) for a parameter not in names (NULL-terminated). */
int api_only_params(struct op_request *req, struct op_response *res, const char *const *names, const char *rule);
/* The same for the members of a JSON body, which must be an object (400 invalid_json otherwise). */
int api_only_fields(const cJSON *body, struct op_response *res, const char *const *names, const char *rule);
/* A time given as ISO 8601 with its offset, or as Paris wall-clock time ("2030-03-02T07:00"); 422
 * invalid naming field otherwise. */
int api_read_time(const cJSON *j, const char *field, long long *ms, struct op_response *res);
/* An optional integer parameter in [min, max], read by int_from_text (no fraction, sign, space or
 * trailing text): *out is left alone when it is absent; 422 invalid with rule (NULL: int_rule's)
 * when it is not such an integer. */
int api_param_int(struct op_request *req, const char *name, long long min, long long max, long long *out,
		  const char *rule, struct op_response *res);
/* An integer member j of a JSON body (NULL when absent: refused too), read by int_from_double:
 * 0 and *out, else 422 invalid naming field, with rule (NULL: int_rule's "must be a positive
 * integer", ...). Every id, count and quantity of a body goes through here. */
int api_json_int(const cJSON *j, const char *field, long long min, long long max, long long *out, const char *rule,
		 struct op_response *res);
/* The page size: the limit parameter (1 to page_size_max), else page_size_default. */
int api_param_limit(struct app *app, struct op_request *req, long long *limit, struct op_response *res);
/* The CSV body of an import (OP_RAW_BODY): 0, or -1 with res set (400 invalid_csv when empty, 415
 * when the media type is not text/csv or text/plain). */
int api_csv_body(const struct op_request *req, struct op_response *res);
/* Sets res to an error. Returns -1 for "return api_fail(...)". */
int api_fail(struct op_response *res, int status, const char *code, const char *field, const char *rule);
/* Sets res to a service's refusal. Returns -1. */
int api_fail_error(struct op_response *res, const struct rf_error *err);
/* o.name = the instant ms as ISO 8601, or null when ms is 0. */
void api_add_time(cJSON *o, const char *name, long long ms);
/* Maps a store failure to a response error. */
int api_fail_store(struct app *app, struct op_response *res, int rc, const char *what);
/* Keyset paging: "next" is the last id of a full page (the client's next "after"), null otherwise. */
void api_add_next(cJSON *data, long long count, long long limit, long long last_id);
/* Paging newest first: "next_before" is the last id of a full page as text (the client's next
 * "before"), null otherwise. */
void api_add_next_before(cJSON *data, long long count, long long limit, long long last_id);
/* Records an event in the current transaction (events_add_text with data printed); it is
 * published after commit. data is consumed. */
int api_emit(struct app *app, const char *type, const char *dep, const char *entity, long long entity_id,
	     cJSON *data);

#endif
