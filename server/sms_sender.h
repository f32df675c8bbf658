/* sms_sender: drains the SMS outbox inside the event loop. Rows are claimed ('sending', one more
 * attempt) and committed before they are handed to a gateway, through libcurl's multi interface,
 * on a thread of its own that touches neither lws nor SQLite and wakes the loop when answers are
 * in; answers and new claims are recorded in one transaction per wake. Failures are
 * retried with exponential backoff and jitter; after the last attempt the row is failed and an
 * alert opens. A gateway that keeps failing rests and the next one in sms_gateways takes over.
 * At-least-once: rows left 'sending' by a crash are sent again. */
#ifndef RENFORT_SMS_SENDER_H
#define RENFORT_SMS_SENDER_H

#include <stddef.h>

struct app;
struct sms_sender;

/* NULL with why set when the configuration is unusable (an unknown driver, a missing key). */
struct sms_sender *sms_sender_new(struct app *app, char *why, size_t whylen);
void sms_sender_free(struct sms_sender *s);
struct lws_context;
/* Starts the transfer thread; it wakes ctx's loop (lws_cancel_service) when answers arrive. */
int sms_sender_start(struct sms_sender *s, struct lws_context *ctx);
/* Puts back in the queue what a crash left 'sending'. */
int sms_sender_recover(struct sms_sender *s);
/* Does what is due at now; returns the microseconds after which it wants to run again. */
long long sms_sender_tick(struct sms_sender *s, long long now);
/* Waits (up to timeout_ms) for the transfers in flight to end, recording their outcome, then stops
 * the transfer thread. */
void sms_sender_drain(struct sms_sender *s, long long timeout_ms);

/* Emits "sms.<what>" for outbox row id (no phone, no text), in the current transaction. */
void sms_emit(struct app *app, long long id, const char *what);

struct sms_sender_stats {
	unsigned long long handed, sent, retried, failed, inflight;
};
void sms_sender_stats(const struct sms_sender *s, struct sms_sender_stats *out);

#endif
