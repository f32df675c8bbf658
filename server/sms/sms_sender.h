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

struct config;
struct store;
struct sms_sender;

/* What the sender asks of the application above it (it knows nothing of it): a transaction around
 * its work (the commit publishes what the outcomes added), the application's clock, what becomes
 * of a message (inside the transaction: sent, or failed for good), and a wake-up of the event loop,
 * called from the transfer thread when answers are in. */
struct sms_sender_hooks {
	void *ctx;
	int (*begin)(void *ctx);
	int (*commit)(void *ctx);
	void (*rollback)(void *ctx);
	long long (*now)(void *ctx);
	int (*outcome)(void *ctx, long long id, int sent);
	void (*wake)(void *ctx);
};

/* NULL with why set when the configuration is unusable (an unknown driver, a missing key).
 * public_url is read when messages are handed over (it may be filled after this). */
struct sms_sender *sms_sender_new(const struct config *cfg, struct store *st, const char *public_url,
				  const struct sms_sender_hooks *hooks, char *why, size_t whylen);
void sms_sender_free(struct sms_sender *s);
/* Starts the transfer thread. */
int sms_sender_start(struct sms_sender *s);
/* Puts back in the queue what a crash left 'sending'. */
int sms_sender_recover(struct sms_sender *s);
/* Does what is due at now; returns the microseconds after which it wants to run again. */
long long sms_sender_tick(struct sms_sender *s, long long now);
/* Waits (up to timeout_ms) for the transfers in flight to end, recording their outcome, then stops
 * the transfer thread. */
void sms_sender_drain(struct sms_sender *s, long long timeout_ms);

struct sms_sender_stats {
	unsigned long long handed, sent, retried, failed, inflight;
};
void sms_sender_stats(const struct sms_sender *s, struct sms_sender_stats *out);

#endif
