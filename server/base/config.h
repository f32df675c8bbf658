/* config: every tunable and every limit of renfortd, in one table (name, type, default, bounds, doc).
 * Sources, later wins: built-in defaults, the config file, command-line flags. */
#ifndef RENFORT_CONFIG_H
#define RENFORT_CONFIG_H

#include <stddef.h>

struct config {
	char *listen;              /* host:port */
	char *db;                  /* SQLite file */
	char *schema_dir;          /* numbered migrations */
	char *clients_dir;         /* static files for browsers */
	char *data_dir;            /* reference data (territories, items, demo) */
	char *exercise_dir;        /* the exercise's scenario driver (renfortd exercise) */
	char *log_level;
	char *allowed_origins;     /* space-separated; empty means the listen address itself */
	char *public_url;          /* base URL printed for people and used in SMS callbacks */
	long long max_body_bytes;
	long long max_ws_message_bytes;
	long long read_buffer_bytes;
	long long max_uri_bytes;
	long long max_head_bytes;
	long long max_header_bytes;
	long long max_headers;
	long long max_query_args;
	long long ws_send_queue_max;
	long long ws_send_queue_bytes;
	long long max_connections_per_ip;
	long long http_timeout_s;
	long long page_size_default;
	long long page_size_max;
	long long event_log_size;
	long long idempotency_ttl_s;
	long long shutdown_grace_ms;
	long long batch_max;
	long long checkpoint_pages;
	char *alert_thresholds;    /* "category/item=warning,critical ..." in days of cover */
	long long alert_margin_hours;
	long long silent_after_hours;
	long long alert_check_interval_s;
	long long stats_min_count; /* smallest count of people volunteers.stats gives an observer */
	/* forecasts and quieter alerts (issue 14) */
	char *forecast_model;      /* trend (forecast.c) or average (burn.c, the estimator before it) */
	long long forecast_cold_percent;
	long long forecast_pool_interval_s;
	long long alert_hold_hours;
	long long alert_reopen_hours;
	long long alert_sms_cooldown_hours;
	/* shared stock: allocation proposals and the nearest stock (rules/allocation.h) */
	long long allocation_target_days;
	long long allocation_cap_days;
	long long allocation_floor_days;
	char *allocation_weights;       /* "category=weight ..." */
	char *allocation_legal_weights; /* "legal_form=weight ..." */
	char *allocation_packs;         /* "item=units per pack ..." */
	long long surplus_days;
	long long overstock_days;       /* anti-hoarding alert */
	long long large_receipt_factor; /* a declared receipt above this times the usual level is flagged */
	long long large_receipt_min;
	long long test_clock;      /* 1: the clock.advance operation exists (tests only) */
	/* the coordination cell (issue 15) */
	long long plausibility_factor; /* a count this many times off the history asks to be confirmed */
	long long plausibility_floor;
	long long ack_carry_hours;     /* an acknowledgement outlives a recovery by this long */
	long long escalation_minutes;  /* an unacknowledged critical alert goes up a level after this */
	long long history_days;        /* how far back stock history and trends may be asked */
	/* SMS */
	char *sms_gateways;        /* ordered drivers: kannel, twilio, log */
	char *sms_log_file;
	char *kannel_sendsms_url, *kannel_username, *kannel_password, *kannel_from, *kannel_secret;
	char *twilio_base_url, *twilio_account_sid, *twilio_auth_token, *twilio_from;
	long long sms_rate_per_s;
	long long sms_max_attempts;
	long long sms_backoff_base_ms;
	long long sms_backoff_max_ms;
	long long sms_max_inflight;
	long long sms_failover_after;
	long long sms_gateway_cooloff_s;
	long long sms_http_timeout_ms;
	long long sms_max_segments;
	/* deployments: staff requests and their call-out waves */
	long long staff_wave_factor;       /* a wave calls this many people per missing place */
	long long staff_wave_timeout_s;    /* an unanswered call expires after this */
	long long staff_rest_hours;        /* rest needed between two assignments */
	long long staff_distance_band_km;  /* distances within a band rank as equal (then fairness) */
	long long staff_radius_step_km;    /* each later wave widens every radius by this much */
	long long staff_radius_max_extra_km;
	long long staff_quiet_start_hour;  /* no call SMS from this hour... */
	long long staff_quiet_end_hour;    /* ...to this one (Paris time), unless immediate */
	char *staff_required_credentials;  /* profession=kind ... */
	long long staff_max_count;
	long long staff_check_interval_s;
	long long credential_reminder_days; /* a credential expiring within this many days is reminded */
	/* sign-up: the public page's confirmation codes and limits */
	long long signup_code_ttl_s;
	long long signup_code_attempts;
	long long signup_per_phone;        /* codes (and lost links) a phone gets per hour */
	long long signup_per_address;      /* requests an address makes per hour */
};

enum config_type { CONFIG_STR, CONFIG_INT };

struct config_key {
	const char *name;
	enum config_type type;
	size_t offset;
	const char *def;   /* default, as text; a directory of installed files: its place in the share directory */
	long long min, max;
	const char *doc;
	const char *in_source; /* a directory of installed files: its place in the source tree; else NULL */
};

/* The table, for --help and the documentation. */
const struct config_key *config_keys(size_t *count);

/* Room for any default of config_default(), a path included. */
#define CONFIG_DEFAULT_MAX 4608

/* The default of k as text. The directories of installed files (schema_dir, clients_dir, data_dir)
 * are found from the executable's location: <prefix>/share/renfort/... for an installed renfortd,
 * the source tree's for one run from its build tree. */
void config_default(const struct config_key *k, char *out, size_t outlen);

/* Fills c with the defaults. */
int config_init(struct config *c);
void config_release(struct config *c);

/* Sets one key from text. On error returns -1 and writes a message naming the key and the rule. */
int config_set(struct config *c, const char *name, const char *value, char *err, size_t errlen);

/* Reads "key = value" lines ('#' starts a comment). Errors name the file and line. */
int config_load_file(struct config *c, const char *path, char *err, size_t errlen);

/* Splits listen into host and port. */
int config_listen_parts(const struct config *c, char *host, size_t hostlen, int *port);

#endif
