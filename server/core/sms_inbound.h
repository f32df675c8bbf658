/* sms_inbound: an incoming SMS, as a use case: stored once per gateway message id, its keyword
 * acted upon (STOP/ARRET, START, AIDE/HELP, DISPO/INDISPO), its reply queued in the outbox, its
 * events added, in the caller's transaction. The gateways' webhooks (api_sms.c) check who calls and
 * read their form into this; what does not arrive as UTF-8 is repaired there before. */
#ifndef RENFORT_SMS_INBOUND_H
#define RENFORT_SMS_INBOUND_H

#include "error.h"

struct app;

struct sms_incoming {
	const char *gateway;    /* "kannel", "twilio" */
	const char *gateway_id; /* the gateway's message id: a message is processed once */
	const char *phone;      /* E.164 */
	const char *to;         /* the number it was sent to, "" when unknown */
	const char *text;       /* UTF-8 */
	int invalid_utf8;       /* bytes that were not UTF-8 were replaced (U+FFFD) */
};

/* 0 (also for a message already received: nothing is done again), or -1 with err set. */
int sms_inbound_receive(struct app *app, const struct sms_incoming *in, struct rf_error *err);

/* Queues a message to a person, as renfortd's own (a reply, a coordinator's message). kind names
 * what it is ("reply", "message"); dep "" when none; recipient_kind "volunteer", "phone"... */
int sms_inbound_queue_reply(struct app *app, const char *kind, const char *dep, const char *recipient_kind,
			    long long recipient_id, const char *phone, const char *lang, const char *text, long long *id);

#endif
