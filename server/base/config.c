#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Both set by the build (CMakeLists.txt): the source tree renfortd was built from, and where
 * `cmake --install` puts the read-only files relative to where it puts renfortd. */
#ifndef RENFORT_SOURCE_DIR
#define RENFORT_SOURCE_DIR "."
#endif
#ifndef RENFORT_SHARE_FROM_BIN
#define RENFORT_SHARE_FROM_BIN "../share/renfort"
#endif

#define KEY_STR(field, def, doc) {#field, CONFIG_STR, offsetof(struct config, field), def, 0, 0, doc, NULL}
#define KEY_INT(field, def, lo, hi, doc) \
	{#field, CONFIG_INT, offsetof(struct config, field), #def, lo, hi, doc, NULL}
/* A directory of installed files: `installed` under the share directory, `source` in the source tree. */
#define KEY_DIR(field, installed, source, doc) \
	{#field, CONFIG_STR, offsetof(struct config, field), installed, 0, 0, doc, source}

static const struct config_key keys[] = {
	KEY_STR(listen, "127.0.0.1:8080", "address and port for HTTP and websocket (port 0 picks a free one)"),
	KEY_STR(db, "renfort.db", "SQLite database file"),
	KEY_DIR(schema_dir, "schema", "schema", "directory of numbered SQL migrations"),
	KEY_DIR(clients_dir, "clients", "clients/web", "directory of the browser clients"),
	KEY_DIR(data_dir, "data", "schema/data", "reference data: territories, item catalogue, demo sources"),
	KEY_DIR(exercise_dir, "exercise", "clients/exercise", "the scenario driver that renfortd exercise starts"),
	KEY_STR(log_level, "info", "error, warn, info or debug"),
	KEY_STR(allowed_origins, "", "websocket Origin values accepted, space-separated; empty: public_url only"),
	KEY_STR(public_url, "", "base URL people and gateways use to reach renfortd; empty: http://<listen>"),
	KEY_INT(max_body_bytes, 8388608, 1024, 268435456, "largest HTTP request body (CSV imports included)"),
	KEY_INT(max_ws_message_bytes, 65536, 256, 16777216, "largest websocket message, after reassembly"),
	KEY_INT(read_buffer_bytes, 4096, 2048, 1048576, "bytes read from one connection at a time (one buffer for all of them)"),
	KEY_INT(max_uri_bytes, 8192, 256, 65536, "longest request target, path and query (414 past it)"),
	KEY_INT(max_head_bytes, 16384, 1024, 1048576, "longest HTTP request head, request line and headers (431 past it)"),
	KEY_INT(max_header_bytes, 4096, 256, 65536, "longest HTTP header line (431 past it)"),
	KEY_INT(max_headers, 64, 8, 256, "most HTTP header lines in a request (431 past it)"),
	KEY_INT(max_query_args, 100, 1, 256, "most query arguments in a request (414 past it)"),
	KEY_INT(ws_send_queue_max, 1024, 1, 1000000, "messages queued for one websocket before it is closed as too slow"),
	KEY_INT(ws_send_queue_bytes, 4194304, 1024, 1073741824, "bytes queued for one websocket before it is closed as too slow"),
	KEY_INT(max_connections_per_ip, 1000, 1, 1000000, "simultaneous connections from one address"),
	KEY_INT(http_timeout_s, 30, 1, 3600, "idle timeout of an HTTP connection"),
	KEY_INT(page_size_default, 50, 1, 10000, "list page size when the client gives none"),
	KEY_INT(page_size_max, 1000, 1, 100000, "largest list page a client may ask for"),
	KEY_INT(event_log_size, 100000, 100, 10000000, "events kept in memory for clients that reconnect with a sequence number"),
	KEY_INT(idempotency_ttl_s, 86400, 60, 31536000, "how long an idempotency key is remembered"),
	KEY_INT(shutdown_grace_ms, 2000, 0, 60000, "time given to clients to receive their close frame on shutdown"),
	KEY_INT(batch_max, 1000, 1, 100000, "writes grouped into one commit at most"),
	KEY_INT(checkpoint_pages, 4000, 0, 1000000, "write-ahead log pages (4 KiB) that start a checkpoint on a thread of its own; the log restarts past 8 times that; 0: SQLite checkpoints inside commits, every 1000 pages"),
	KEY_STR(alert_thresholds, "*/*=7,3 ehpad/*=10,4 hospital/*=5,2",
		"days of cover that open warning,critical shortage alerts, as category/item=warning,critical rules "
		"(\"*\" for any; the most specific wins; per-structure overrides through the API)"),
	KEY_INT(alert_margin_hours, 24, 0, 720, "hysteresis: cover must pass a threshold by this much before an alert calms down"),
	KEY_INT(silent_after_hours, 48, 1, 8760, "a structure that has not counted its stock for this long gets a silent alert"),
	KEY_INT(alert_check_interval_s, 60, 1, 86400, "how often silent structures are looked for"),
	KEY_STR(forecast_model, "trend",
		"how use and cover are estimated: trend (a fit of level and growth, stock estimated between counts) or "
		"average (the trailing average of counts used before, for comparison)"),
	KEY_INT(forecast_cold_percent, 25, 1, 100,
		"share of the catalogue's rate (per worker and patient) a structure without history is taken to use, until "
		"three structures of its category have history of the item"),
	KEY_INT(forecast_pool_interval_s, 600, 1, 86400,
		"how often the growth shared by a territory's holders (and its hospital figures) is computed again"),
	KEY_INT(alert_hold_hours, 24, 0, 720,
		"a shortage alert calms down (or resolves) only once the projected cover has allowed it for this long"),
	KEY_INT(alert_reopen_hours, 72, 0, 8760,
		"a shortage that comes back within this time of its alert's resolution reopens that alert"),
	KEY_INT(alert_sms_cooldown_hours, 24, 0, 8760,
		"after an alert SMS for a holder and item, no other unless the severity rises above the one sent, for this long"),
	KEY_STR(sms_gateways, "log", "SMS gateways to use, in order of preference: kannel, twilio, log (the log driver only writes the messages down)"),
	KEY_STR(sms_log_file, "", "file where the log driver appends each message as a JSON line (empty: the log only)"),
	KEY_STR(kannel_sendsms_url, "", "Kannel smsbox sendsms URL, like http://127.0.0.1:13013/cgi-bin/sendsms"),
	KEY_STR(kannel_username, "", "Kannel sendsms-user username"),
	KEY_STR(kannel_password, "", "Kannel sendsms-user password"),
	KEY_STR(kannel_from, "", "sender number or name given to Kannel"),
	KEY_STR(kannel_secret, "", "shared secret Kannel puts in the inbound and delivery-report URLs (secret=...)"),
	KEY_STR(twilio_base_url, "https://api.twilio.com", "base URL of the Twilio-compatible API"),
	KEY_STR(twilio_account_sid, "", "Twilio account SID (Basic auth user)"),
	KEY_STR(twilio_auth_token, "", "Twilio auth token (Basic auth password, and the key of webhook signatures)"),
	KEY_STR(twilio_from, "", "Twilio sender number (E.164)"),
	KEY_INT(sms_rate_per_s, 10, 1, 10000, "messages per second handed to one gateway at most"),
	KEY_INT(sms_max_attempts, 8, 1, 100, "attempts before a message is failed and the coordinators are alerted"),
	KEY_INT(sms_backoff_base_ms, 2000, 10, 3600000, "wait before the 2nd attempt; doubles at each attempt (with +/-20% jitter)"),
	KEY_INT(sms_backoff_max_ms, 300000, 10, 86400000, "longest wait between two attempts"),
	KEY_INT(sms_max_inflight, 16, 1, 1000, "messages being handed to gateways at the same time"),
	KEY_INT(sms_failover_after, 3, 1, 1000, "consecutive failures after which a gateway rests and the next one is used"),
	KEY_INT(sms_gateway_cooloff_s, 60, 1, 86400, "how long a failing gateway rests"),
	KEY_INT(sms_http_timeout_ms, 10000, 100, 600000, "time given to a gateway to answer"),
	KEY_INT(sms_max_segments, 6, 1, 20, "longest message, in SMS segments (longer texts are refused or shortened)"),
	KEY_INT(staff_wave_factor, 2, 1, 20, "a call-out wave calls this many candidates per place still missing"),
	KEY_INT(staff_wave_timeout_s, 1800, 60, 604800, "a call not answered within this time expires, and the next wave is called"),
	KEY_INT(staff_rest_hours, 11, 0, 72, "rest a volunteer needs between two assignments"),
	KEY_INT(staff_distance_band_km, 5, 0, 200, "candidates whose distances fall in one band of this width rank as equal, then the least recently called first (0: by exact distance)"),
	KEY_INT(staff_radius_step_km, 0, 0, 200, "each wave after the first widens every volunteer's travel radius by this much (0: never)"),
	KEY_INT(staff_radius_max_extra_km, 20, 0, 500, "the most a travel radius is widened"),
	KEY_INT(staff_quiet_start_hour, 21, 0, 24, "no call SMS from this hour (Paris time)... (equal to staff_quiet_end_hour: no quiet hours)"),
	KEY_INT(staff_quiet_end_hour, 8, 0, 24, "...until this one, unless the request is immediate"),
	KEY_STR(staff_required_credentials, "nurse=diploma care_assistant=diploma doctor=rpps midwife=rpps pharmacist=rpps physiotherapist=diploma psychologist=diploma driver=driving_licence",
		"the credential kind each profession must hold, valid over the whole shift, when a request names none (profession=kind ...)"),
	KEY_INT(staff_max_count, 50, 1, 1000, "most people one staff request asks for"),
	KEY_INT(staff_check_interval_s, 30, 1, 3600, "how often expired calls and request deadlines are looked for"),
	KEY_INT(signup_code_ttl_s, 600, 60, 86400, "how long a sign-up confirmation code sent by SMS lasts"),
	KEY_INT(signup_code_attempts, 5, 1, 100, "wrong tries of a sign-up code before it is dead (a new one must be asked for)"),
	KEY_INT(signup_per_phone, 3, 1, 1000, "sign-up codes, and lost links, one phone number gets per hour"),
	KEY_INT(signup_per_address, 20, 1, 100000, "sign-up requests (codes, sign-ups, lost links) one address makes per hour"),
	KEY_INT(credential_reminder_days, 30, 1, 365, "a volunteer whose credential expires within this many days gets a reminder SMS (once per expiry date) and sees it on their page"),
	KEY_INT(stats_min_count, 5, 1, 1000, "smallest group of volunteers whose count an observer is given (smaller ones are withheld, the gender split first); 1: exact counts"),
	KEY_INT(allocation_target_days, 14, 1, 365, "days of cover an allocation proposal brings each structure to (need = target x burn rate - stock - incoming)"),
	KEY_INT(allocation_cap_days, 10, 1, 365, "anti-hoarding: no structure is given stock past this cover while another stays below allocation_floor_days"),
	KEY_INT(allocation_floor_days, 3, 0, 365, "anti-hoarding: the cover below which a structure keeps the others at allocation_cap_days (at most the cap and the target)"),
	KEY_STR(allocation_weights, "ehpad=2 long_term_care=2 hospital=1.5 disability_home=1.5 *=1",
		"vulnerability weights of structure categories when stock is short: a structure of weight 2 is raised to twice the common level of cover (\"*\" for the others)"),
	KEY_STR(allocation_legal_weights, "*=1",
		"weights of legal forms when stock is short, multiplied with the category's (public=1.2 association=1.2 ... gives public and social-economy structures precedence; neutral by default)"),
	KEY_STR(allocation_packs, "gloves-examination=50 gloves-surgical=25 mask-medical-surgical-for-healthworker=50 mask-medical-surgical-for-patient=50 respirator=20 gown-protective=10 apron-disposable=50 *=1",
		"the minimum useful quantity (a box) of items, in the item's units: allocation lines are whole packs (\"*\" for the others)"),
	KEY_INT(surplus_days, 21, 1, 365, "a structure has stock to spare for the nearest-stock search above this many days of its own use"),
	KEY_INT(overstock_days, 60, 1, 3650, "a structure past this many days of cover (six times the cap) while another of its département is critical for the item gets an overstock alert"),
	KEY_INT(large_receipt_factor, 3, 1, 1000, "a receipt without allocation above this many times the holder's usual level (its highest of the last 30 days, or its target cover) is flagged to the coordinators"),
	KEY_INT(large_receipt_min, 100, 1, 1000000000, "receipts without allocation below this quantity are never flagged"),
	KEY_INT(test_clock, 0, 0, 1, "1 adds the clock.advance operation that moves renfortd's clock forward: for tests only, never in production"),
	KEY_INT(plausibility_factor, 10, 0, 1000000, "a stock count above this many times the last level, or below what consumption leaves divided by it, is refused until the report says \"confirmed\": true; 0 or 1: never"),
	KEY_INT(plausibility_floor, 10, 0, 1000000000, "levels below this count as this much for the plausibility rule (3 may well become 40)"),
	KEY_INT(ack_carry_hours, 24, 0, 8760, "a shortage alert that opens again within this many hours of a recovery takes over the acknowledgement and note of the one that recovered; 0: never"),
	KEY_INT(history_days, 90, 1, 3650, "how many days back stock histories and trends may be asked for (the ledger itself is kept)"),
	KEY_INT(escalation_minutes, 30, 0, 10080, "a critical alert nobody acknowledged for this long is sent to the duty officers of its département, and after twice this long to the region's; 0: never"),
};

const struct config_key *config_keys(size_t *count)
{
	*count = sizeof keys / sizeof keys[0];
	return keys;
}

/* The directory of the read-only files (migrations, browser clients, reference data) of an
 * installed renfortd: RENFORT_SHARE_FROM_BIN from the executable's own directory
 * (<prefix>/bin -> <prefix>/share/renfort), wherever the tree was installed or moved to. It is
 * recognised by its schema/ directory, which renfortd cannot start without. -1 when there is none
 * (a binary in its build tree). See DESIGN-NOTES.md, "Where renfortd finds its files". */
static int installed_share_dir(char dir[PATH_MAX])
{
	char exe[PATH_MAX], probe[PATH_MAX + 64];
	struct stat sb;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return -1;
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	snprintf(probe, sizeof probe, "%s/%s", exe, RENFORT_SHARE_FROM_BIN);
	if (!realpath(probe, dir))
		return -1;
	snprintf(probe, sizeof probe, "%s/schema", dir);
	return stat(probe, &sb) == 0 && S_ISDIR(sb.st_mode) ? 0 : -1;
}

void config_default(const struct config_key *k, char *out, size_t outlen)
{
	char share[PATH_MAX];
	if (!k->in_source)
		snprintf(out, outlen, "%s", k->def);
	else if (installed_share_dir(share) == 0)
		snprintf(out, outlen, "%s/%s", share, k->def);
	else /* from the build tree: the source tree it was built from */
		snprintf(out, outlen, "%s/%s", RENFORT_SOURCE_DIR, k->in_source);
}

static const struct config_key *find_key(const char *name)
{
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

int config_set(struct config *c, const char *name, const char *value, char *err, size_t errlen)
{
	const struct config_key *k = find_key(name);
	if (!k) {
		snprintf(err, errlen, "%s: unknown configuration key", name);
		return -1;
	}
	char *base = (char *)c + k->offset;
	if (k->type == CONFIG_STR) {
		char *copy = strdup(value);
		if (!copy) {
			snprintf(err, errlen, "%s: out of memory", name);
			return -1;
		}
		free(*(char **)base);
		*(char **)base = copy;
		return 0;
	}
	char *end = NULL;
	errno = 0;
	long long v = strtoll(value, &end, 10);
	if (errno || end == value || *end != '\0') {
		snprintf(err, errlen, "%s: must be an integer, got \"%s\"", name, value);
		return -1;
	}
	if (v < k->min || v > k->max) {
		snprintf(err, errlen, "%s: must be between %lld and %lld, got %lld", name, k->min, k->max, v);
		return -1;
	}
	*(long long *)base = v;
	return 0;
}

int config_init(struct config *c)
{
	char err[256], def[CONFIG_DEFAULT_MAX];
	memset(c, 0, sizeof *c);
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		config_default(&keys[i], def, sizeof def);
		if (config_set(c, keys[i].name, def, err, sizeof err))
			return -1;
	}
	return 0;
}

void config_release(struct config *c)
{
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (keys[i].type == CONFIG_STR) {
			char **p = (char **)((char *)c + keys[i].offset);
			free(*p);
			*p = NULL;
		}
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

int config_load_file(struct config *c, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	char line[4096];
	int lineno = 0, rc = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *s = trim(line);
		if (!*s)
			continue;
		char *eq = strchr(s, '=');
		if (!eq) {
			snprintf(err, errlen, "%s:%d: expected \"key = value\"", path, lineno);
			rc = -1;
			break;
		}
		*eq = '\0';
		char *name = trim(s), *value = trim(eq + 1);
		size_t vl = strlen(value);
		if (vl >= 2 && value[0] == '"' && value[vl - 1] == '"') {
			value[vl - 1] = '\0';
			value++;
		}
		char sub[256];
		if (config_set(c, name, value, sub, sizeof sub)) {
			snprintf(err, errlen, "%s:%d: %s", path, lineno, sub);
			rc = -1;
			break;
		}
	}
	fclose(f);
	return rc;
}

int config_listen_parts(const struct config *c, char *host, size_t hostlen, int *port)
{
	const char *colon = strrchr(c->listen, ':');
	if (!colon || colon == c->listen || (size_t)(colon - c->listen) >= hostlen)
		return -1;
	char *end = NULL;
	long p = strtol(colon + 1, &end, 10);
	if (*end || p < 0 || p > 65535 || end == colon + 1)
		return -1;
	memcpy(host, c->listen, (size_t)(colon - c->listen));
	host[colon - c->listen] = '\0';
	*port = (int)p;
	return 0;
}
