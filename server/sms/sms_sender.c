#include "sms_sender.h"

#include "clock.h"
#include "config.h"
#include "log.h"
#include "sms_drivers.h"
#include "store.h"
#include "store_sms.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_GATEWAYS 4
#define CLAIM_MAX 64

struct gateway {
	const struct sms_driver *drv;
	double tokens;          /* token bucket: sms_rate_per_s, burst of one second */
	long long refilled_at;
	int failures;           /* consecutive */
	long long down_until;
};

struct transfer {
	struct gateway *gw;
	long long id;
	int attempts;
	struct sms_request rq;
	struct buf answer;     /* filled by the transfer thread */
	long status;           /* HTTP status, by the transfer thread */
	CURLcode result;       /* by the transfer thread */
	CURL *easy;            /* the thread's, while the transfer runs */
	struct transfer *next;
	struct transfer *prev_running, *next_running; /* the thread's list of running transfers */
};

/* The transfers run on a thread of their own (libcurl's multi interface, woken by
 * curl_multi_wakeup): it touches neither the event loop nor SQLite, only these two lists, and wakes
 * the loop (hooks.wake) when answers are in. Everything else stays on the loop. */
struct sms_sender {
	const struct config *cfg;
	struct store *store;
	const char *public_url;    /* filled once the server listens */
	struct sms_sender_hooks hooks;
	CURLM *multi;
	struct gateway gw[MAX_GATEWAYS];
	int ngw;
	int inflight;              /* handed to the thread, answer not recorded yet (loop thread) */
	unsigned long long rng;
	struct sms_sender_stats stats;

	pthread_t thread;
	int thread_started;
	pthread_mutex_t lock;      /* guards todo, done, stop */
	struct transfer *todo;     /* loop -> thread */
	struct transfer *done;     /* thread -> loop */
	int stop;
};

/* --- setup -------------------------------------------------------------------------------------- */

struct sms_sender *sms_sender_new(const struct config *cfg, struct store *st, const char *public_url,
				  const struct sms_sender_hooks *hooks, char *why, size_t whylen)
{
	struct sms_sender *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	s->cfg = cfg;
	s->store = st;
	s->public_url = public_url;
	s->hooks = *hooks;
	s->rng = (unsigned long long)clock_mono_us() | 1;
	char list[256];
	snprintf(list, sizeof list, "%s", cfg->sms_gateways);
	char *save = NULL;
	for (char *name = strtok_r(list, " ,", &save); name; name = strtok_r(NULL, " ,", &save)) {
		const struct sms_driver *d = sms_driver_find(name);
		const char *missing = d ? d->missing(cfg) : NULL;
		if (!d || missing || s->ngw == MAX_GATEWAYS) {
			if (!d)
				snprintf(why, whylen, "sms_gateways: \"%s\" is not a gateway (kannel, twilio, log)", name);
			else if (missing)
				snprintf(why, whylen, "sms_gateways: %s needs %s", name, missing);
			else
				snprintf(why, whylen, "sms_gateways: at most %d gateways", MAX_GATEWAYS);
			free(s);
			return NULL;
		}
		s->gw[s->ngw].drv = d;
		s->gw[s->ngw].tokens = 1;
		s->ngw++;
	}
	if (!s->ngw) {
		snprintf(why, whylen, "sms_gateways: name at least one gateway (kannel, twilio, log)");
		free(s);
		return NULL;
	}
	if (!(s->multi = curl_multi_init())) {
		snprintf(why, whylen, "libcurl: cannot start");
		free(s);
		return NULL;
	}
	curl_multi_setopt(s->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)cfg->sms_max_inflight);
	pthread_mutex_init(&s->lock, NULL);
	return s;
}

static void transfer_free(struct transfer *t)
{
	buf_release(&t->rq.url);
	buf_release(&t->rq.body);
	buf_release(&t->answer);
	free(t);
}

static void free_list(struct transfer *t)
{
	while (t) {
		struct transfer *next = t->next;
		transfer_free(t);
		t = next;
	}
}

static void stop_thread(struct sms_sender *s)
{
	if (!s->thread_started)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = 1;
	pthread_mutex_unlock(&s->lock);
	curl_multi_wakeup(s->multi);
	pthread_join(s->thread, NULL);
	s->thread_started = 0;
}

void sms_sender_free(struct sms_sender *s)
{
	if (!s)
		return;
	stop_thread(s);
	free_list(s->todo);
	free_list(s->done);
	curl_multi_cleanup(s->multi);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

int sms_sender_recover(struct sms_sender *s)
{
	long long n = 0;
	if (s->hooks.begin(s->hooks.ctx))
		return -1;
	if (store_sms_requeue_sending(s->store, &n)) {
		s->hooks.rollback(s->hooks.ctx);
		return -1;
	}
	if (s->hooks.commit(s->hooks.ctx))
		return -1;
	if (n)
		log_warn("sms: %lld messages were being sent when renfortd stopped: they are sent again", n);
	return 0;
}

void sms_sender_stats(const struct sms_sender *s, struct sms_sender_stats *out)
{
	*out = s->stats;
	out->inflight = (unsigned long long)s->inflight;
}

/* --- recording outcomes -------------------------------------------------------------------------------- */

static unsigned long long next_random(struct sms_sender *s)
{
	/* xorshift64: jitter needs no more */
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 7;
	s->rng ^= s->rng << 17;
	return s->rng;
}

/* base * 2^(attempts-1), capped, +/-20% */
static long long backoff_ms(struct sms_sender *s, int attempts)
{
	const struct config *cfg = s->cfg;
	double d = (double)cfg->sms_backoff_base_ms;
	for (int i = 1; i < attempts && d < (double)cfg->sms_backoff_max_ms; i++)
		d *= 2;
	if (d > (double)cfg->sms_backoff_max_ms)
		d = (double)cfg->sms_backoff_max_ms;
	double jitter = 0.8 + 0.4 * (double)(next_random(s) % 10001) / 10000.0;
	return (long long)(d * jitter);
}

static void gateway_result(struct sms_sender *s, struct gateway *gw, int ok)
{
	if (ok) {
		gw->failures = 0;
		return;
	}
	if (++gw->failures >= s->cfg->sms_failover_after) {
		gw->down_until = s->hooks.now(s->hooks.ctx) + s->cfg->sms_gateway_cooloff_s * 1000;
		gw->failures = 0;
		log_warn("sms: gateway %s keeps failing: resting %llds%s", gw->drv->name, s->cfg->sms_gateway_cooloff_s,
			 s->ngw > 1 ? ", the next gateway takes over" : "");
	}
}

/* Records one outcome inside the current transaction; the hooks' outcome tells whoever listens
 * (the message's event, its département's sms_failed alert, its cause). */
static int record(struct sms_sender *s, long long id, int attempts, enum sms_outcome out, const char *ref,
		  const char *error)
{
	struct store *st = s->store;
	int rc;
	if (out == SMS_OK) {
		s->stats.sent++;
		if ((rc = store_sms_sent(st, id, ref)))
			return rc;
		return s->hooks.outcome(s->hooks.ctx, id, 1);
	}
	if (out == SMS_RETRY && attempts < s->cfg->sms_max_attempts) {
		s->stats.retried++;
		long long at = store_now(st) + backoff_ms(s, attempts);
		return store_sms_retry(st, id, at, error);
	}
	s->stats.failed++;
	log_warn("sms: message %lld failed after %d attempts: %s", id, attempts, error);
	if ((rc = store_sms_failed(st, id, error)))
		return rc;
	return s->hooks.outcome(s->hooks.ctx, id, 0);
}

static size_t on_data(char *ptr, size_t size, size_t n, void *userdata)
{
	struct transfer *t = userdata;
	size_t len = size * n;
	/* a gateway's answer is short: keep the first 4 KB */
	if (t->answer.len < 4096)
		buf_append(&t->answer, ptr, len < 4096 - t->answer.len ? len : 4096 - t->answer.len);
	return len;
}

/* --- the transfer thread: libcurl only ------------------------------------------------------------------ */

static void start_transfer(struct sms_sender *s, struct transfer *t)
{
	const struct config *cfg = s->cfg;
	CURL *e = curl_easy_init();
	if (!e) {
		t->result = CURLE_OUT_OF_MEMORY;
		return;
	}
	curl_easy_setopt(e, CURLOPT_URL, t->rq.url.data);
	curl_easy_setopt(e, CURLOPT_PRIVATE, (char *)t);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)cfg->sms_http_timeout_ms);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)cfg->sms_http_timeout_ms);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	if (t->rq.body.len) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->rq.body.data);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)t->rq.body.len);
	}
	if (t->rq.userpwd[0]) {
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		curl_easy_setopt(e, CURLOPT_USERPWD, t->rq.userpwd);
	}
	if (curl_multi_add_handle(s->multi, e) != CURLM_OK) {
		curl_easy_cleanup(e);
		t->result = CURLE_FAILED_INIT;
		return;
	}
	t->easy = e;
}

static void hand_back(struct sms_sender *s, struct transfer *t)
{
	pthread_mutex_lock(&s->lock);
	t->next = s->done;
	s->done = t;
	pthread_mutex_unlock(&s->lock);
}

static void running_remove(struct transfer **running, struct transfer *t)
{
	if (t->prev_running)
		t->prev_running->next_running = t->next_running;
	else
		*running = t->next_running;
	if (t->next_running)
		t->next_running->prev_running = t->prev_running;
	t->prev_running = t->next_running = NULL;
}

static void *transfer_thread(void *arg)
{
	struct sms_sender *s = arg;
	struct transfer *running = NULL;
	for (;;) {
		pthread_mutex_lock(&s->lock);
		int stop = s->stop;
		struct transfer *todo = s->todo;
		s->todo = NULL;
		pthread_mutex_unlock(&s->lock);
		if (stop)
			break;
		int answered = 0;
		while (todo) {
			struct transfer *t = todo;
			todo = t->next;
			t->next = NULL;
			t->result = CURLE_OK;
			start_transfer(s, t);
			if (t->result != CURLE_OK) {
				hand_back(s, t);
				answered = 1;
				continue;
			}
			t->next_running = running;
			if (running)
				running->prev_running = t;
			running = t;
		}
		int n = 0, left, numfds;
		curl_multi_perform(s->multi, &n);
		CURLMsg *msg;
		while ((msg = curl_multi_info_read(s->multi, &left))) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			struct transfer *t = NULL;
			CURL *e = msg->easy_handle;
			curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&t);
			curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &t->status);
			t->result = msg->data.result;
			curl_multi_remove_handle(s->multi, e);
			curl_easy_cleanup(e);
			t->easy = NULL;
			running_remove(&running, t);
			hand_back(s, t);
			answered = 1;
		}
		if (answered)
			s->hooks.wake(s->hooks.ctx); /* the loop records the answers */
		curl_multi_poll(s->multi, NULL, 0, 1000, &numfds);
	}
	/* stopping: what is still running is abandoned; its rows stay 'sending' and go again at the
	 * next start (at-least-once) */
	while (running) {
		struct transfer *t = running;
		running_remove(&running, t);
		curl_multi_remove_handle(s->multi, t->easy);
		curl_easy_cleanup(t->easy);
		transfer_free(t);
	}
	return NULL;
}

int sms_sender_start(struct sms_sender *s)
{
	if (pthread_create(&s->thread, NULL, transfer_thread, s))
		return -1;
	s->thread_started = 1;
	return 0;
}

/* Records the answers the thread handed back (in the open transaction). */
static int collect(struct sms_sender *s, int *errors)
{
	pthread_mutex_lock(&s->lock);
	struct transfer *done = s->done;
	s->done = NULL;
	pthread_mutex_unlock(&s->lock);
	int n = 0;
	while (done) {
		struct transfer *t = done;
		done = t->next;
		char ref[128] = "", err[256] = "";
		enum sms_outcome out;
		if (t->result != CURLE_OK) {
			snprintf(err, sizeof err, "%s: %s", t->gw->drv->name, curl_easy_strerror(t->result));
			out = SMS_RETRY;
		} else
			out = t->gw->drv->answer(t->status, t->answer.data, ref, sizeof ref, err, sizeof err);
		gateway_result(s, t->gw, out == SMS_OK);
		if (record(s, t->id, t->attempts, out, ref, err))
			(*errors)++;
		transfer_free(t);
		s->inflight--;
		n++;
	}
	return n;
}

/* --- handing messages over ------------------------------------------------------------------------------ */

static struct gateway *pick_gateway(struct sms_sender *s, long long now)
{
	for (int i = 0; i < s->ngw; i++)
		if (s->gw[i].down_until <= now)
			return &s->gw[i];
	/* all resting: the first one tries again */
	return &s->gw[0];
}

static void refill(struct sms_sender *s, struct gateway *gw, long long now)
{
	double rate = (double)s->cfg->sms_rate_per_s;
	if (gw->refilled_at)
		gw->tokens += rate * (double)(now - gw->refilled_at) / 1000.0;
	if (gw->tokens > rate)
		gw->tokens = rate;
	gw->refilled_at = now;
}

struct claim_ctx {
	struct sms_sender *s;
	struct gateway *gw;
	struct transfer *started; /* to hand over after the commit */
	int failed;
};

static int start_one(void *ctx, const struct sms_row *r)
{
	struct claim_ctx *c = ctx;
	struct sms_sender *s = c->s;
	struct sms_message m = {r->id, r->phone ? r->phone : "", r->text ? r->text : "", r->lang};
	s->stats.handed++;
	c->gw->tokens -= 1;
	if (!c->gw->drv->request) {
		/* the log gateway: written down at once, in this very transaction */
		int ok = sms_driver_log(s->cfg, &m) == 0;
		if (record(s, r->id, r->attempts, ok ? SMS_OK : SMS_RETRY, "", ok ? "" : "log: cannot write"))
			c->failed = 1;
		return 0;
	}
	struct transfer *t = calloc(1, sizeof *t);
	if (!t) {
		c->failed = 1;
		return 1;
	}
	t->gw = c->gw;
	t->id = r->id;
	t->attempts = r->attempts;
	buf_init(&t->rq.url);
	buf_init(&t->rq.body);
	buf_init(&t->answer);
	if (c->gw->drv->request(s->cfg, s->public_url, &m, &t->rq)) {
		transfer_free(t);
		if (record(s, r->id, r->attempts, SMS_FATAL, "", "the text cannot be encoded"))
			c->failed = 1;
		return 0;
	}
	t->next = c->started;
	c->started = t;
	return 0;
}

long long sms_sender_tick(struct sms_sender *s, long long now)
{
	void *ctx = s->hooks.ctx;
	int errors = 0;
	struct gateway *gw = pick_gateway(s, now);
	refill(s, gw, now);
	long long due = store_sms_next_due(s->store);
	pthread_mutex_lock(&s->lock);
	int answers = s->done != NULL;
	pthread_mutex_unlock(&s->lock);

	struct claim_ctx c = {s, gw, NULL, 0};
	if ((answers || (due && due <= now && gw->tokens >= 1)) && s->hooks.begin(ctx) == 0) {
		/* answers first: they make room for the next claims, in the same commit */
		collect(s, &errors);
		int room = (int)s->cfg->sms_max_inflight - s->inflight;
		int slots = room < (int)gw->tokens ? room : (int)gw->tokens;
		if (slots > CLAIM_MAX)
			slots = CLAIM_MAX;
		if (slots > 0 && due && due <= now && store_sms_cancel_unwanted(s->store) == STORE_OK &&
		    store_sms_claim(s->store, now, slots, gw->drv->name, start_one, &c))
			errors++;
		if (errors || c.failed) {
			/* the claims are undone; answers not recorded leave their rows 'sending' until the
			 * next start, which sends them again (at-least-once) */
			s->hooks.rollback(ctx);
			free_list(c.started);
		} else if (s->hooks.commit(ctx) == 0) {
			/* claimed and committed: now, and only now, handed to the gateway */
			if (c.started) {
				int n = 1;
				struct transfer *last = c.started;
				for (; last->next; last = last->next)
					n++;
				pthread_mutex_lock(&s->lock);
				last->next = s->todo;
				s->todo = c.started;
				pthread_mutex_unlock(&s->lock);
				s->inflight += n;
				curl_multi_wakeup(s->multi);
			}
		} else
			free_list(c.started);
	}
	due = store_sms_next_due(s->store);
	if (!due)
		return 250000;
	long long wait = (due - s->hooks.now(ctx)) * 1000;
	if (gw->tokens < 1)
		wait = wait > 100000 ? wait : 100000;
	return wait < 1000 ? 1000 : wait > 250000 ? 250000 : wait;
}

void sms_sender_drain(struct sms_sender *s, long long timeout_ms)
{
	long long deadline = clock_mono_us() + timeout_ms * 1000;
	while (s->inflight && clock_mono_us() < deadline) {
		struct timespec ts = {0, 10 * 1000000};
		nanosleep(&ts, NULL);
		int errors = 0;
		if (s->hooks.begin(s->hooks.ctx) == 0) {
			collect(s, &errors);
			if (errors)
				s->hooks.rollback(s->hooks.ctx);
			else
				s->hooks.commit(s->hooks.ctx);
		}
	}
	stop_thread(s);
}
