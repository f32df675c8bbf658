#include "sms_drivers.h"

#include "clock.h"
#include "config.h"
#include "form.h"
#include "gsm.h"
#include "log.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- Kannel -------------------------------------------------------------------------------------- */

static const char *kannel_missing(const struct config *cfg)
{
	if (!cfg->kannel_sendsms_url[0])
		return "kannel_sendsms_url";
	if (!cfg->kannel_username[0])
		return "kannel_username";
	if (!cfg->kannel_secret[0])
		return "kannel_secret";
	return NULL;
}

static void add_param(struct buf *b, const char *name, const char *value)
{
	buf_printf(b, "%s%s=", strchr(b->data ? b->data : "", '?') ? "&" : "?", name);
	form_escape(b, value ? value : "");
}

static int kannel_request(const struct config *cfg, const char *public_url, const struct sms_message *m,
			  struct sms_request *rq)
{
	struct sms_size size;
	if (sms_size_of(m->text, &size))
		return -1;
	/* our own id rides in the delivery-report URL: Kannel gives no message id back */
	struct buf dlr;
	buf_init(&dlr);
	buf_printf(&dlr, "%s/sms/kannel/dlr?secret=", public_url);
	form_escape(&dlr, cfg->kannel_secret);
	buf_printf(&dlr, "&id=%lld&type=%%d", m->id);
	char id[24];
	snprintf(id, sizeof id, "%lld", m->id);
	buf_puts(&rq->url, cfg->kannel_sendsms_url);
	add_param(&rq->url, "username", cfg->kannel_username);
	add_param(&rq->url, "password", cfg->kannel_password);
	if (cfg->kannel_from[0])
		add_param(&rq->url, "from", cfg->kannel_from);
	add_param(&rq->url, "to", m->phone);
	add_param(&rq->url, "text", m->text);
	add_param(&rq->url, "charset", "UTF-8");
	/* outside the GSM alphabet (é is in, ê is not): UCS-2, knowingly */
	add_param(&rq->url, "coding", size.ucs2 ? "2" : "0");
	add_param(&rq->url, "dlr-mask", "31");
	add_param(&rq->url, "dlr-url", dlr.data);
	buf_release(&dlr);
	return 0;
}

static enum sms_outcome kannel_answer(long status, const char *body, char *ref, size_t reflen, char *err, size_t errlen)
{
	/* 202 "0: Accepted for delivery" or "3: Queued for later delivery" */
	if (status >= 200 && status < 300) {
		ref[0] = '\0';
		(void)reflen;
		return SMS_OK;
	}
	snprintf(err, errlen, "kannel HTTP %ld: %.120s", status, body ? body : "");
	return SMS_RETRY;
}

/* --- Twilio-compatible ------------------------------------------------------------------------------ */

static const char *twilio_missing(const struct config *cfg)
{
	if (!cfg->twilio_account_sid[0])
		return "twilio_account_sid";
	if (!cfg->twilio_auth_token[0])
		return "twilio_auth_token";
	if (!cfg->twilio_from[0])
		return "twilio_from";
	return NULL;
}

static void add_field(struct buf *b, const char *name, const char *value)
{
	if (b->len)
		buf_puts(b, "&");
	buf_printf(b, "%s=", name);
	form_escape(b, value);
}

static int twilio_request(const struct config *cfg, const char *public_url, const struct sms_message *m,
			  struct sms_request *rq)
{
	buf_printf(&rq->url, "%s/2010-04-01/Accounts/", cfg->twilio_base_url);
	form_escape(&rq->url, cfg->twilio_account_sid);
	buf_puts(&rq->url, "/Messages.json");
	add_field(&rq->body, "To", m->phone);
	add_field(&rq->body, "From", cfg->twilio_from);
	add_field(&rq->body, "Body", m->text);
	char cb[512];
	snprintf(cb, sizeof cb, "%s/sms/twilio/status?id=%lld", public_url, m->id);
	add_field(&rq->body, "StatusCallback", cb);
	snprintf(rq->userpwd, sizeof rq->userpwd, "%s:%s", cfg->twilio_account_sid, cfg->twilio_auth_token);
	return 0;
}

static enum sms_outcome twilio_answer(long status, const char *body, char *ref, size_t reflen, char *err, size_t errlen)
{
	cJSON *j = body ? cJSON_Parse(body) : NULL;
	const cJSON *sid = cJSON_GetObjectItemCaseSensitive(j, "sid");
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(j, "code");
	const cJSON *message = cJSON_GetObjectItemCaseSensitive(j, "message");
	enum sms_outcome out;
	if (status >= 200 && status < 300 && cJSON_IsString(sid)) {
		snprintf(ref, reflen, "%s", sid->valuestring);
		out = SMS_OK;
	} else {
		int c = cJSON_IsNumber(code) ? code->valueint : 0;
		snprintf(err, errlen, "twilio HTTP %ld code %d: %.120s", status, c,
			 cJSON_IsString(message) ? message->valuestring : "");
		/* a number that cannot receive (invalid, unsubscribed, landline) will not get better */
		out = (c == 21211 || c == 21610 || c == 21614 || c == 21408) ? SMS_FATAL : SMS_RETRY;
	}
	cJSON_Delete(j);
	return out;
}

/* --- the log ------------------------------------------------------------------------------------------ */

static const char *log_missing(const struct config *cfg)
{
	(void)cfg;
	return NULL;
}

int sms_driver_log(const struct config *cfg, const struct sms_message *m)
{
	char tail[8];
	log_info("sms: (log gateway) message %lld to %s", m->id, log_phone_tail(m->phone, tail));
	if (!cfg->sms_log_file[0])
		return 0;
	FILE *f = fopen(cfg->sms_log_file, "a");
	if (!f) {
		log_error("sms: cannot open sms_log_file");
		return -1;
	}
	cJSON *o = cJSON_CreateObject();
	char iso[32];
	cJSON_AddNumberToObject(o, "id", (double)m->id);
	cJSON_AddStringToObject(o, "at", clock_format_iso(clock_wall_ms(), iso));
	cJSON_AddStringToObject(o, "to", m->phone);
	cJSON_AddStringToObject(o, "lang", m->lang ? m->lang : "fr");
	cJSON_AddStringToObject(o, "text", m->text);
	char *line = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	int rc = line && fprintf(f, "%s\n", line) > 0 ? 0 : -1;
	free(line);
	if (fclose(f))
		rc = -1;
	return rc;
}

static const struct sms_driver drivers[] = {
	{"kannel", kannel_missing, kannel_request, kannel_answer},
	{"twilio", twilio_missing, twilio_request, twilio_answer},
	{"log", log_missing, NULL, NULL},
};

const struct sms_driver *sms_driver_find(const char *name)
{
	for (size_t i = 0; i < sizeof drivers / sizeof drivers[0]; i++)
		if (strcmp(drivers[i].name, name) == 0)
			return &drivers[i];
	return NULL;
}
