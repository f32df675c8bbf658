/* fuzz_app: what the libFuzzer targets share. A renfortd application (config, store, hub) over a
 * temporary database with the reference data, one structure and one volunteer, made once per
 * process; fz_run_op() runs one operation as the group commit does (its handler inside a
 * transaction) and then rolls the transaction back, so that every input meets the same database.
 * And the invariant every operation keeps: a success, or a 4xx error naming a code, a field and
 * a rule, never a server error. Static functions in a header (and libFuzzer's initialisation
 * hook): each target is one file that includes it once. */
#ifndef RENFORT_FUZZ_APP_H
#define RENFORT_FUZZ_APP_H

#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "api_handlers.h"
#include "app.h"
#include "log.h"
#include "store.h"

#include "tx.h"

#define FZ_KANNEL_SECRET "fz-kannel-secret"
#define FZ_TWILIO_TOKEN "fz-twilio-token"
#define FZ_PUBLIC_URL "http://127.0.0.1:8080"
#define FZ_VOLUNTEER_PHONE "+33639981302"

static struct app fz_app;
static struct principal fz_admin;
static long long fz_structure_id, fz_volunteer_id;
static char fz_dir[512];

/* Stops the process with a message: libFuzzer keeps the input as a crash. */
#define FZ_CHECK(cond, ...)                                                                        \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz invariant broken (%s:%d): ", __FILE__, __LINE__);   \
			fprintf(stderr, __VA_ARGS__);                                             \
			fprintf(stderr, "\n");                                                    \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static inline void fz_app_close(void)
{
	app_close(&fz_app);
	config_release(&fz_app.cfg);
	DIR *d = opendir(fz_dir);
	if (d) {
		struct dirent *de;
		while ((de = readdir(d))) {
			char p[512];
			if (de->d_name[0] == '.')
				continue;
			snprintf(p, sizeof p, "%s/%s", fz_dir, de->d_name);
			unlink(p);
		}
		closedir(d);
	}
	rmdir(fz_dir);
}

/* A write of the application's own (the fixture), committed. */
static inline long long fz_create(const char *entity_plural, const char *json)
{
	cJSON *obj = cJSON_Parse(json);
	long long id = 0;
	struct rf_error err = {0};
	if (!obj || tx_begin(&fz_app) ||
	    registry_create(&fz_app, &fz_admin, entity_by_plural(entity_plural), obj, &id, NULL, &err) ||
	    tx_commit(&fz_app)) {
		fprintf(stderr, "fuzz fixture: cannot create %s: %s %s\n", entity_plural, err.field, err.rule);
		exit(1);
	}
	cJSON_Delete(obj);
	return id;
}

/* Once per process (LLVMFuzzerInitialize). */
static inline void fz_app_open(void)
{
	char err[512] = "";
	log_set_level(LOG_ERROR);
	const char *tmp = getenv("TMPDIR");
	char db[600];
	if ((size_t)snprintf(fz_dir, sizeof fz_dir, "%s/renfort-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp") >= sizeof fz_dir) {
		fprintf(stderr, "fuzz: TMPDIR is too long\n");
		exit(1);
	}
	if (!mkdtemp(fz_dir)) {
		perror("fuzz: mkdtemp");
		exit(1);
	}
	snprintf(db, sizeof db, "%s/fuzz.db", fz_dir);
	if (config_init(&fz_app.cfg) || config_set(&fz_app.cfg, "db", db, err, sizeof err) ||
	    config_set(&fz_app.cfg, "checkpoint_pages", "0", err, sizeof err) ||
	    config_set(&fz_app.cfg, "kannel_secret", FZ_KANNEL_SECRET, err, sizeof err) ||
	    config_set(&fz_app.cfg, "twilio_auth_token", FZ_TWILIO_TOKEN, err, sizeof err) ||
	    config_set(&fz_app.cfg, "public_url", FZ_PUBLIC_URL, err, sizeof err) || app_open(&fz_app, err, sizeof err)) {
		fprintf(stderr, "fuzz: cannot open the application: %s\n", err);
		exit(1);
	}
	snprintf(fz_app.public_url, sizeof fz_app.public_url, "%s", FZ_PUBLIC_URL);
	atexit(fz_app_close);
	fz_admin.role = ROLE_ADMIN;
	fz_admin.token_id = 1;
	fz_structure_id = fz_create("structures", "{\"name\":\"EHPAD du fuzz\",\"category\":\"ehpad\",\"legal_form\":"
						  "\"association\",\"commune\":\"81004\",\"capacity\":80,\"occupancy\":70,"
						  "\"staff\":40}");
	fz_volunteer_id = fz_create("volunteers", "{\"first_name\":\"Inès\",\"last_name\":\"Fuzz\",\"phone\":\"" FZ_VOLUNTEER_PHONE "\","
				"\"profession\":\"nurse\",\"home_commune\":\"81004\",\"consent_at\":\"2024-03-01\"}");
}

/* An error names its field; an unknown field or column is named as it was given, which may be "". */
static inline int fz_field_named(const char *code, const char *field)
{
	return field[0] || strcmp(code, "unknown_field") == 0 || strcmp(code, "unknown_column") == 0;
}

/* The invariant of every answer (DESIGN.md: bad input gets a clear error naming the field and the
 * rule): 2xx, or 4xx with a code, a field and a rule. */
static inline void fz_check_answer(const char *op, const struct op_response *res)
{
	FZ_CHECK(res->status >= 200 && res->status < 500, "%s answered %d (%s %s: %s)", op, res->status, res->err.code,
		 res->err.field, res->err.rule);
	if (res->status >= 400)
		FZ_CHECK(res->err.code[0] && fz_field_named(res->err.code, res->err.field) && res->err.rule[0],
			 "%s answered %d without code (%s), field (%s) or rule (%s)", op, res->status, res->err.code,
			 res->err.field, res->err.rule);
}

/* Runs the operation named op as the group commit would (inside a transaction, the principal as
 * the audit's actor), checks its answer, and rolls everything back. params and body are taken.
 * Returns the status; *answer (when not NULL) gets the answer's JSON text, to free. */
static inline int fz_run_op_answer(const char *op, const struct principal *who, cJSON *params, cJSON *body, const char *raw,
			    size_t rawlen, const char *signature, char **answer)
{
	struct op_request req;
	struct op_response res;
	memset(&req, 0, sizeof req);
	memset(&res, 0, sizeof res);
	req.op = api_find_op(op);
	FZ_CHECK(req.op != NULL, "no operation %s", op);
	req.who = *who;
	req.params = params ? params : cJSON_CreateObject();
	req.body = body;
	if (raw) {
		req.raw_body = malloc(rawlen + 1);
		FZ_CHECK(req.raw_body != NULL, "out of memory");
		memcpy(req.raw_body, raw, rawlen);
		req.raw_body[rawlen] = '\0';
		req.raw_len = rawlen;
	}
	snprintf(req.idem_key, sizeof req.idem_key, "fuzz");
	if (signature)
		snprintf(req.signature, sizeof req.signature, "%s", signature);
	req.now = app_now(&fz_app);
	FZ_CHECK(tx_begin(&fz_app) == 0, "cannot begin");
	store_set_actor(fz_app.store, who);
	res.status = 200;
	req.op->fn(&fz_app, &req, &res);
	tx_rollback(&fz_app);
	fz_check_answer(op, &res);
	int status = res.status;
	if (answer) {
		const char *text = res.raw ? "null" : api_response_text(&res);
		*answer = strdup(text ? text : "null");
		FZ_CHECK(*answer != NULL, "out of memory");
	}
	op_response_release(&res);
	op_request_release(&req);
	return status;
}

static inline int fz_run_op(const char *op, const struct principal *who, cJSON *params, cJSON *body, const char *raw,
		     size_t rawlen, const char *signature)
{
	return fz_run_op_answer(op, who, params, body, raw, rawlen, signature, NULL);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* libFuzzer calls it once, before the first input: every target starts the same application. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_app_open();
	return 0;
}

#endif
