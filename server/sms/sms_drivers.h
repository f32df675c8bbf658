/* sms_drivers: how one message is handed to each kind of gateway (Kannel's sendsms, a
 * Twilio-compatible Messages API, or the log), and how its answer is read. The requests are
 * built here and sent by sms_sender.c with libcurl. */
#ifndef RENFORT_SMS_DRIVERS_H
#define RENFORT_SMS_DRIVERS_H

#include <stddef.h>

#include "buf.h"

struct config;

struct sms_message {
	long long id;        /* outbox row */
	const char *phone;
	const char *text;
	const char *lang;
};

struct sms_request {
	struct buf url;
	struct buf body;     /* empty for GET */
	char userpwd[512];   /* "user:password" for Basic auth, or "" */
};

enum sms_outcome { SMS_OK = 0, SMS_RETRY = 1, SMS_FATAL = 2 };

struct sms_driver {
	const char *name;
	/* NULL when the configuration has what the driver needs, else what is missing */
	const char *(*missing)(const struct config *cfg);
	/* Builds the HTTP request for m (public_url: how the gateway calls us back). NULL for the log driver. */
	int (*request)(const struct config *cfg, const char *public_url, const struct sms_message *m,
		       struct sms_request *rq);
	/* Reads the gateway's answer: SMS_OK with its message reference, or a retry/fatal with a reason. */
	enum sms_outcome (*answer)(long http_status, const char *body, char *ref, size_t reflen, char *err,
				   size_t errlen);
};

/* The driver of that name, or NULL. */
const struct sms_driver *sms_driver_find(const char *name);
/* The log driver writes m down (to the file when one is configured). */
int sms_driver_log(const struct config *cfg, const struct sms_message *m);

#endif
