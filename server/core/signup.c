#include "signup.h"

#include "app.h"
#include "auth.h"
#include "deploy_text.h"
#include "log.h"
#include "outbox.h"
#include "paris_time.h"
#include "store.h"
#include "store_signup.h"
#include "store_sms.h"
#include "store_token.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define HOUR_MS 3600000LL
#define GUARD_SLOTS 4096

/* Refused codes per phone and per address, in memory: refusing a request rolls its writes back, so
 * a count of refusals cannot be kept in the database. A slot per key's hash; a slot held by another
 * key still counting refuses (closed, not open, under a flood). */
struct guard_slot {
	uint64_t key;
	long long since;
	int refused;
};
struct signup_guard {
	struct guard_slot slot[GUARD_SLOTS];
};

static uint64_t hash_key(const char *kind, const char *value)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (const char *p = kind; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	h = (h ^ ':') * 1099511628211ULL;
	for (const char *p = value; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	return h | 1; /* 0 marks a free slot */
}

static struct guard_slot *guard_slot(struct app *app, uint64_t key, long long now, long long window)
{
	if (!app->signup_guard && !(app->signup_guard = calloc(1, sizeof *app->signup_guard)))
		return NULL;
	struct guard_slot *s = &app->signup_guard->slot[key % GUARD_SLOTS];
	if (s->key != key) {
		if (s->key && now - s->since < window)
			return NULL; /* another key's, still counting */
		s->key = key;
		s->since = now;
		s->refused = 0;
	} else if (now - s->since >= window) {
		s->since = now;
		s->refused = 0;
	}
	return s;
}

static int too_many(struct rf_error *err, const char *field, const char *rule)
{
	return rf_refuse(err, 429, "too_many_requests", field, rule);
}

/* Whether key may make one more request of kind (NULL: any) within the hour. */
static int within(struct app *app, const char *key, const char *kind, long long limit, int *ok)
{
	long long n = 0;
	int rc = store_signup_count(app->store, key, kind, store_now(app->store) - HOUR_MS, &n);
	*ok = n < limit;
	return rc;
}

static int limits(struct app *app, const char *phone, const char *phone_kind, const char *peer, struct rf_error *err)
{
	char key[80];
	int ok = 1, rc = STORE_OK;
	if (phone) {
		snprintf(key, sizeof key, "phone:%s", phone);
		if ((rc = within(app, key, phone_kind, app->cfg.signup_per_phone, &ok)))
			return app_refuse_store(app, err, rc, "phone");
		if (!ok)
			return too_many(err, "phone", "has asked too often: try again in an hour");
	}
	if (peer && peer[0]) {
		snprintf(key, sizeof key, "address:%s", peer);
		if ((rc = within(app, key, NULL, app->cfg.signup_per_address, &ok)))
			return app_refuse_store(app, err, rc, "address");
		if (!ok)
			return too_many(err, "address", "this address has asked too often: try again in an hour");
	}
	return 0;
}

static int record(struct app *app, const char *phone, const char *peer, const char *kind)
{
	char key[80];
	int rc = STORE_OK;
	if (phone) {
		snprintf(key, sizeof key, "phone:%s", phone);
		rc = store_signup_record(app->store, key, kind);
	}
	if (!rc && peer && peer[0]) {
		snprintf(key, sizeof key, "address:%s", peer);
		rc = store_signup_record(app->store, key, kind);
	}
	return rc;
}

static void code_hash(const char *phone, const char *code, char out[65])
{
	const void *parts[] = {"renfort-signup", phone, code};
	size_t lens[] = {15, strlen(phone) + 1, strlen(code)};
	sha256_hex(parts, lens, 3, out);
}

static int queue(struct app *app, const char *kind, const char *phone, const char *dep, const char *lang,
		 const char *recipient_kind, long long recipient_id, const char *text)
{
	struct sms_row row;
	memset(&row, 0, sizeof row);
	row.kind = kind;
	row.dep = dep;
	row.recipient_kind = recipient_kind;
	row.recipient_id = recipient_id;
	row.phone = phone;
	row.lang = lang;
	row.text = text;
	return outbox_queue(app, &row, NULL);
}

int signup_send_code(struct app *app, const char *phone, const char *lang, const char *peer, struct rf_error *err)
{
	if (limits(app, phone, "code", peer, err))
		return -1;
	unsigned char rnd[4];
	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
		return rf_refuse(err, 503, "unavailable", "", "no randomness available");
	char code[8], hash[65], text[200];
	uint32_t v = ((uint32_t)rnd[0] << 24 | (uint32_t)rnd[1] << 16 | (uint32_t)rnd[2] << 8 | rnd[3]) % 1000000u;
	snprintf(code, sizeof code, "%06u", (unsigned)v);
	code_hash(phone, code, hash);
	struct deploy_text_args a;
	memset(&a, 0, sizeof a);
	a.code = code;
	a.minutes = (int)(app->cfg.signup_code_ttl_s / 60);
	deploy_text(DTEXT_SIGNUP_CODE, &a, lang, text, sizeof text);
	int rc = store_signup_code_put(app->store, phone, hash, lang, store_now(app->store) + app->cfg.signup_code_ttl_s * 1000);
	if (!rc)
		rc = record(app, phone, peer, "code");
	if (!rc)
		rc = queue(app, "signup_code", phone, NULL, lang, "phone", 0, text);
	if (rc)
		return app_refuse_store(app, err, rc, "phone");
	/* a new code, new attempts (the codes a phone may ask for are limited per hour) */
	struct guard_slot *g = guard_slot(app, hash_key("phone", phone), store_now(app->store), 1);
	if (g)
		g->refused = 0;
	char tail[8];
	log_info("signup: a code sent to %s", log_phone_tail(phone, tail));
	return 0;
}

int signup_use_code(struct app *app, const char *phone, const char *code, const char *peer, struct rf_error *err)
{
	long long now = store_now(app->store), window = app->cfg.signup_code_ttl_s * 1000;
	struct guard_slot *by_phone = guard_slot(app, hash_key("phone", phone), now, window);
	struct guard_slot *by_peer = peer && peer[0] ? guard_slot(app, hash_key("address", peer), now, HOUR_MS) : NULL;
	if (!by_phone || (peer && peer[0] && !by_peer) || (by_peer && by_peer->refused >= app->cfg.signup_per_address))
		return too_many(err, "code", "too many wrong codes: try again later");
	if (by_phone->refused >= app->cfg.signup_code_attempts)
		return rf_refuse(err, 422, "invalid", "code", "was mistyped too often: ask for a new one");
	struct signup_code c;
	int rc = store_signup_code_get(app->store, phone, &c);
	if (rc == STORE_NOTFOUND)
		return rf_refuse(err, 422, "invalid", "code", "no code was sent to this phone: ask for one");
	if (rc)
		return app_refuse_store(app, err, rc, "code");
	if (c.used_at)
		return rf_refuse(err, 422, "invalid", "code", "was used already: ask for a new one");
	if (now >= c.expires_at)
		return rf_refuse(err, 422, "invalid", "code", "has expired: ask for a new one");
	char hash[65];
	code_hash(phone, code, hash);
	if (strlen(c.code_hash) != 64 || !auth_equal_ct(hash, c.code_hash, 64)) {
		by_phone->refused++;
		if (by_peer)
			by_peer->refused++;
		return rf_refuse(err, 422, "invalid", "code", "is not the code sent to this phone");
	}
	/* the phone is confirmed: its owner may learn that it is registered (nobody else can) */
	long long id;
	char dep[4], lang[4];
	rc = store_volunteer_by_phone(app->store, phone, &id, dep, lang);
	if (rc == STORE_OK)
		return rf_refuse(err, 409, "conflict", "phone", "is registered already: ask for your link to be sent again");
	if (rc != STORE_NOTFOUND)
		return app_refuse_store(app, err, rc, "phone");
	rc = store_signup_code_use(app->store, phone);
	if (!rc)
		rc = record(app, NULL, peer, "signup");
	return rc ? app_refuse_store(app, err, rc, "code") : 0;
}

/* A token for volunteer (their earlier ones revoked), and the SMS of kind with its link. */
static int send_link(struct app *app, long long volunteer, const char *phone, const char *dep, const char *lang,
		     enum deploy_text_kind kind)
{
	char secret[48], hash[65], url[400], text[480];
	if (auth_token_generate(secret))
		return STORE_ERROR;
	auth_token_hash(secret, hash);
	long long id;
	int rc = store_token_revoke_subject(app->store, ROLE_VOLUNTEER, volunteer);
	if (!rc)
		rc = store_token_create(app->store, ROLE_VOLUNTEER, "", volunteer, "sign-up link", hash, &id);
	if (rc)
		return rc;
	const char *base = app->public_url;
	size_t n = strlen(base);
	snprintf(url, sizeof url, "%.*s/volunteer.html?token=%s", (int)(n && base[n - 1] == '/' ? n - 1 : n), base, secret);
	struct deploy_text_args a;
	memset(&a, 0, sizeof a);
	a.url = url;
	deploy_text(kind, &a, lang, text, sizeof text);
	return queue(app, kind == DTEXT_SIGNUP_WELCOME ? "signup_welcome" : "signup_link", phone, dep, lang, "volunteer",
		     volunteer, text);
}

int signup_welcome(struct app *app, long long volunteer, const char *phone, const char *dep, const char *lang,
		   struct rf_error *err)
{
	int rc = store_signup_adopt_messages(app->store, phone, volunteer, dep);
	if (!rc)
		rc = send_link(app, volunteer, phone, dep, lang, DTEXT_SIGNUP_WELCOME);
	if (rc)
		return app_refuse_store(app, err, rc, "phone");
	log_info("signup: volunteer %lld signed up, pending validation", volunteer);
	return 0;
}

#define PHONE_VOLUNTEERS_MAX 8

int signup_send_link(struct app *app, const char *phone, const char *peer, struct rf_error *err)
{
	if (limits(app, phone, "link", peer, err))
		return -1;
	struct phone_volunteer vs[PHONE_VOLUNTEERS_MAX];
	int nv = 0;
	int rc = store_volunteers_by_phone(app->store, phone, vs, PHONE_VOLUNTEERS_MAX, &nv);
	long long id;
	char dep[4], lang[4] = "fr";
	if (!rc && nv > 0)
		rc = store_volunteer_by_phone(app->store, phone, &id, dep, lang); /* their SMS language */
	for (int i = 0; !rc && i < nv; i++)
		rc = send_link(app, vs[i].id, phone, vs[i].dep, lang, DTEXT_SIGNUP_LINK);
	if (!rc)
		rc = record(app, phone, peer, "link");
	return rc ? app_refuse_store(app, err, rc, "phone") : 0;
}

int signup_prune(struct app *app, long long now)
{
	return store_signup_prune(app->store, now - HOUR_MS);
}
