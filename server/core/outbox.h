/* outbox: messages decided in a transaction are rows written in it (store_sms), sent after its
 * commit by the SMS sender, at least once. Each names its cause (a kind and an id: "alert" 12), and
 * what becomes of it (sent, failed after its last attempt, delivered, undelivered) reaches the
 * listeners of that cause's kind, inside the transaction that records it: a failed alert message
 * opens the département's sms_failed alert today; a failed deployment call will move on to the
 * next volunteer. A new listener is one line of the table in outbox.c. */
#ifndef RENFORT_OUTBOX_H
#define RENFORT_OUTBOX_H

#include <stddef.h>

struct app;
struct sms_row;
struct sms_sender;

enum outbox_outcome {
	OUTBOX_SENT,        /* a gateway took it */
	OUTBOX_FAILED,      /* no gateway took it, after the last attempt */
	OUTBOX_DELIVERED,   /* a delivery report says it arrived */
	OUTBOX_UNDELIVERED, /* a delivery report says it never will */
};

/* Queues one message (its sms.queued event too). */
int outbox_queue(struct app *app, const struct sms_row *row, long long *id);
/* Row id has moved to outcome (the store says so already): its event, then its listeners. */
int outbox_outcome(struct app *app, long long id, enum outbox_outcome outcome);
/* Only the event of row id as it is now ("sms.<what>"), for changes no listener hears. */
int outbox_outcome_event(struct app *app, long long id, const char *what);

/* The SMS sender of this application, its transactions and outcomes going through here. NULL with
 * why set when the configuration is unusable. */
struct sms_sender *outbox_sender_new(struct app *app, char *why, size_t whylen);

#endif
