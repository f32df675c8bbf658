/* Unit tests of config.c: defaults, typed and bounded keys, config files, the listen address. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

/* A config file in a temporary directory, removed by teardown. */
struct cfg_fixture {
	char dir[64];
	char path[128];
	struct config c;
};

static int setup(void **state)
{
	struct cfg_fixture *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	snprintf(f->dir, sizeof f->dir, "/tmp/renfort-config-XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof f->path, "%s/renfort.conf", f->dir);
	if (config_init(&f->c)) {
		rmdir(f->dir);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct cfg_fixture *f = *state;
	config_release(&f->c);
	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void write_file(const struct cfg_fixture *f, const char *text)
{
	FILE *fp = fopen(f->path, "w");
	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

/* --- defaults ----------------------------------------------------------------------------------- */

static void test_defaults(void **state)
{
	struct cfg_fixture *f = *state;
	struct config *c = &f->c;
	assert_string_equal(c->listen, "127.0.0.1:8080");
	assert_string_equal(c->db, "renfort.db");
	assert_string_equal(c->log_level, "info");
	assert_string_equal(c->allowed_origins, "");
	assert_string_equal(c->public_url, "");
	assert_non_null(strstr(c->schema_dir, "/schema"));
	assert_non_null(strstr(c->clients_dir, "/clients/web"));
	assert_non_null(strstr(c->data_dir, "/schema/data"));
	assert_int_equal(c->max_body_bytes, 8388608);
	assert_int_equal(c->max_ws_message_bytes, 65536);
	assert_int_equal(c->read_buffer_bytes, 4096);
	assert_int_equal(c->ws_send_queue_max, 1024);
	assert_int_equal(c->ws_send_queue_bytes, 4194304);
	assert_int_equal(c->max_connections_per_ip, 1000);
	assert_int_equal(c->http_timeout_s, 30);
	assert_int_equal(c->page_size_default, 50);
	assert_int_equal(c->page_size_max, 1000);
	assert_int_equal(c->event_log_size, 100000);
	assert_int_equal(c->idempotency_ttl_s, 86400);
	assert_int_equal(c->shutdown_grace_ms, 2000);
	assert_int_equal(c->batch_max, 1000);
}

/* This test program has no share/renfort beside it (it is not installed): the directories of
 * installed files default to the source tree's; every other default is the table's text. */
static void test_defaults_from_the_build_tree(void **state)
{
	struct cfg_fixture *f = *state;
	assert_string_equal(f->c.schema_dir, RENFORT_SOURCE_DIR "/schema");
	assert_string_equal(f->c.clients_dir, RENFORT_SOURCE_DIR "/clients/web");
	assert_string_equal(f->c.data_dir, RENFORT_SOURCE_DIR "/schema/data");
	size_t n = 0;
	const struct config_key *k = config_keys(&n);
	char def[CONFIG_DEFAULT_MAX];
	for (size_t i = 0; i < n; i++) {
		config_default(&k[i], def, sizeof def);
		if (k[i].in_source) {
			assert_true(strncmp(def, RENFORT_SOURCE_DIR "/", strlen(RENFORT_SOURCE_DIR) + 1) == 0);
			assert_string_equal(def + strlen(RENFORT_SOURCE_DIR) + 1, k[i].in_source);
		} else
			assert_string_equal(def, k[i].def);
	}
}

static void test_key_table(void **state)
{
	(void)state;
	size_t n = 0;
	const struct config_key *k = config_keys(&n);
	assert_true(n >= 21); /* the keys below, and any added later */
	const char *known[] = {"listen",	 "db",		      "schema_dir",	    "clients_dir",
			       "data_dir",	 "log_level",	      "allowed_origins",    "public_url",
			       "max_body_bytes", "max_ws_message_bytes", "read_buffer_bytes", "ws_send_queue_max",
			       "ws_send_queue_bytes", "max_connections_per_ip", "http_timeout_s", "page_size_default",
			       "page_size_max",	 "event_log_size",    "idempotency_ttl_s",  "shutdown_grace_ms",
			       "batch_max"};
	for (size_t j = 0; j < sizeof known / sizeof known[0]; j++) {
		int found = 0;
		for (size_t i = 0; i < n; i++)
			found |= strcmp(k[i].name, known[j]) == 0;
		if (!found)
			fail_msg("configuration key %s is missing from the table", known[j]);
	}
	for (size_t i = 0; i < n; i++) {
		assert_non_null(k[i].name);
		assert_non_null(k[i].def);
		assert_non_null(k[i].doc);
		assert_true(strlen(k[i].doc) > 0);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(k[i].name, k[j].name);
		if (k[i].type == CONFIG_INT) {
			/* every default is inside its own bounds */
			long long v = strtoll(k[i].def, NULL, 10);
			assert_true(k[i].min <= v && v <= k[i].max);
		}
	}
}

static void test_release_twice_and_reinit(void **state)
{
	(void)state;
	struct config c;
	assert_int_equal(config_init(&c), 0);
	config_release(&c);
	assert_null(c.listen);
	config_release(&c); /* harmless */
	assert_int_equal(config_init(&c), 0);
	config_release(&c);
}

/* --- config_set --------------------------------------------------------------------------------- */

static void test_set_string(void **state)
{
	struct cfg_fixture *f = *state;
	char err[256] = "";
	assert_int_equal(config_set(&f->c, "db", "/var/lib/renfort/renfort.db", err, sizeof err), 0);
	assert_string_equal(f->c.db, "/var/lib/renfort/renfort.db");
	assert_int_equal(config_set(&f->c, "db", "", err, sizeof err), 0);
	assert_string_equal(f->c.db, "");
	assert_int_equal(config_set(&f->c, "allowed_origins", "https://a.example https://b.example", err, sizeof err), 0);
	assert_string_equal(f->c.allowed_origins, "https://a.example https://b.example");
}

static void test_set_int_bounds(void **state)
{
	struct cfg_fixture *f = *state;
	char err[256] = "";
	assert_int_equal(config_set(&f->c, "page_size_max", "1", err, sizeof err), 0);
	assert_int_equal(f->c.page_size_max, 1);
	assert_int_equal(config_set(&f->c, "page_size_max", "100000", err, sizeof err), 0);
	assert_int_equal(f->c.page_size_max, 100000);

	assert_int_equal(config_set(&f->c, "page_size_max", "0", err, sizeof err), -1);
	assert_string_equal(err, "page_size_max: must be between 1 and 100000, got 0");
	assert_int_equal(f->c.page_size_max, 100000); /* unchanged by a refused value */

	assert_int_equal(config_set(&f->c, "page_size_max", "100001", err, sizeof err), -1);
	assert_string_equal(err, "page_size_max: must be between 1 and 100000, got 100001");

	assert_int_equal(config_set(&f->c, "shutdown_grace_ms", "0", err, sizeof err), 0);
	assert_int_equal(f->c.shutdown_grace_ms, 0);
	assert_int_equal(config_set(&f->c, "shutdown_grace_ms", "-1", err, sizeof err), -1);
	assert_non_null(strstr(err, "shutdown_grace_ms"));
	assert_int_equal(config_set(&f->c, "max_body_bytes", "268435456", err, sizeof err), 0);
	assert_int_equal(f->c.max_body_bytes, 268435456LL);
	assert_int_equal(config_set(&f->c, "max_body_bytes", "268435457", err, sizeof err), -1);
	assert_int_equal(config_set(&f->c, "max_body_bytes", "1023", err, sizeof err), -1);
}

static void test_set_int_type(void **state)
{
	struct cfg_fixture *f = *state;
	char err[256] = "";
	const char *bad[] = {"", "abc", "12abc", "1.5", "1e3", "0x10", "12 ", "99999999999999999999",
			     "-99999999999999999999"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		if (config_set(&f->c, "http_timeout_s", bad[i], err, sizeof err) != -1)
			fail_msg("config_set accepted \"%s\" for an integer key", bad[i]);
		assert_non_null(strstr(err, "http_timeout_s"));
	}
	config_set(&f->c, "http_timeout_s", "abc", err, sizeof err);
	assert_string_equal(err, "http_timeout_s: must be an integer, got \"abc\"");
	assert_int_equal(f->c.http_timeout_s, 30);
}

static void test_set_unknown_key(void **state)
{
	struct cfg_fixture *f = *state;
	char err[256] = "";
	assert_int_equal(config_set(&f->c, "max_bodybytes", "10", err, sizeof err), -1);
	assert_string_equal(err, "max_bodybytes: unknown configuration key");
	assert_int_equal(config_set(&f->c, "", "10", err, sizeof err), -1);
	assert_int_equal(config_set(&f->c, "DB", "x", err, sizeof err), -1); /* names are case-sensitive */
	assert_string_equal(err, "DB: unknown configuration key");
}

static void test_set_small_error_buffer(void **state)
{
	struct cfg_fixture *f = *state;
	char err[8];
	memset(err, 'z', sizeof err);
	assert_int_equal(config_set(&f->c, "page_size_max", "0", err, sizeof err), -1);
	assert_int_equal(strlen(err), sizeof err - 1); /* truncated, terminated */
}

/* --- config_load_file ---------------------------------------------------------------------------- */

static void test_load_file(void **state)
{
	struct cfg_fixture *f = *state;
	char err[512] = "";
	write_file(f, "# renfort configuration\n"
		      "\n"
		      "listen = 0.0.0.0:9090\n"
		      "  db=\"/srv/renfort db.sqlite\"   \n"
		      "page_size_max = 200 # trailing comment\n"
		      "\t log_level\t=\tdebug\t\n"
		      "public_url = \"\"\n"
		      "   # indented comment\n");
	assert_int_equal(config_load_file(&f->c, f->path, err, sizeof err), 0);
	assert_string_equal(f->c.listen, "0.0.0.0:9090");
	assert_string_equal(f->c.db, "/srv/renfort db.sqlite");
	assert_int_equal(f->c.page_size_max, 200);
	assert_string_equal(f->c.log_level, "debug");
	assert_string_equal(f->c.public_url, "");
	/* untouched keys keep their defaults */
	assert_int_equal(f->c.batch_max, 1000);
}

static void test_load_file_later_wins(void **state)
{
	struct cfg_fixture *f = *state;
	char err[512] = "";
	write_file(f, "batch_max = 10\nbatch_max = 20\n");
	assert_int_equal(config_load_file(&f->c, f->path, err, sizeof err), 0);
	assert_int_equal(f->c.batch_max, 20);
}

static void test_load_file_unknown_key(void **state)
{
	struct cfg_fixture *f = *state;
	char err[512] = "", want[512];
	write_file(f, "# comment\nlisten = 127.0.0.1:1\n\nno_such_key = 3\n");
	assert_int_equal(config_load_file(&f->c, f->path, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s:4: no_such_key: unknown configuration key", f->path);
	assert_string_equal(err, want);
}

static void test_load_file_bad_value(void **state)
{
	struct cfg_fixture *f = *state;
	char err[512] = "", want[512];
	write_file(f, "batch_max = 5\nhttp_timeout_s = 0\nbatch_max = 7\n");
	assert_int_equal(config_load_file(&f->c, f->path, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s:2: http_timeout_s: must be between 1 and 3600, got 0", f->path);
	assert_string_equal(err, want);
	assert_int_equal(f->c.http_timeout_s, 30);
	assert_int_equal(f->c.batch_max, 5); /* reading stops at the first error */

	write_file(f, "http_timeout_s = thirty\n");
	assert_int_equal(config_load_file(&f->c, f->path, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s:1: http_timeout_s: must be an integer, got \"thirty\"", f->path);
	assert_string_equal(err, want);
}

static void test_load_file_missing_equals(void **state)
{
	struct cfg_fixture *f = *state;
	char err[512] = "", want[512];
	write_file(f, "\n\nlisten 127.0.0.1:8080\n");
	assert_int_equal(config_load_file(&f->c, f->path, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s:3: expected \"key = value\"", f->path);
	assert_string_equal(err, want);
}

static void test_load_file_quoted_int(void **state)
{
	struct cfg_fixture *f = *state;
	char err[512] = "";
	write_file(f, "batch_max = \"42\"\n");
	assert_int_equal(config_load_file(&f->c, f->path, err, sizeof err), 0);
	assert_int_equal(f->c.batch_max, 42);
}

static void test_load_file_missing(void **state)
{
	struct cfg_fixture *f = *state;
	char err[512] = "", path[160];
	snprintf(path, sizeof path, "%s/absent.conf", f->dir);
	assert_int_equal(config_load_file(&f->c, path, err, sizeof err), -1);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "cannot open"));
}

static void test_load_file_empty(void **state)
{
	struct cfg_fixture *f = *state;
	char err[512] = "";
	write_file(f, "");
	assert_int_equal(config_load_file(&f->c, f->path, err, sizeof err), 0);
	write_file(f, "# only comments\n\n   \n");
	assert_int_equal(config_load_file(&f->c, f->path, err, sizeof err), 0);
	assert_string_equal(f->c.listen, "127.0.0.1:8080");
}

static void test_load_sample_config(void **state)
{
	struct cfg_fixture *f = *state;
	/* the sample shipped for production must load with the current key table */
	const char *path = RENFORT_SOURCE_DIR "/deploy/renfortd.conf";
	if (access(path, R_OK) != 0) {
		skip();
		return;
	}
	char err[512] = "";
	if (config_load_file(&f->c, path, err, sizeof err))
		fail_msg("%s", err);
	char host[256];
	int port;
	assert_int_equal(config_listen_parts(&f->c, host, sizeof host, &port), 0);
}

/* --- config_listen_parts ------------------------------------------------------------------------- */

static void test_listen_parts(void **state)
{
	struct cfg_fixture *f = *state;
	char err[256], host[64];
	int port = -1;
	assert_int_equal(config_listen_parts(&f->c, host, sizeof host, &port), 0);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(port, 8080);

	config_set(&f->c, "listen", "0.0.0.0:0", err, sizeof err);
	assert_int_equal(config_listen_parts(&f->c, host, sizeof host, &port), 0);
	assert_string_equal(host, "0.0.0.0");
	assert_int_equal(port, 0);

	config_set(&f->c, "listen", "localhost:65535", err, sizeof err);
	assert_int_equal(config_listen_parts(&f->c, host, sizeof host, &port), 0);
	assert_string_equal(host, "localhost");
	assert_int_equal(port, 65535);

	/* the last colon splits, so an IPv6 literal keeps its colons */
	config_set(&f->c, "listen", "[::1]:8443", err, sizeof err);
	assert_int_equal(config_listen_parts(&f->c, host, sizeof host, &port), 0);
	assert_string_equal(host, "[::1]");
	assert_int_equal(port, 8443);
}

static void test_listen_parts_bad(void **state)
{
	struct cfg_fixture *f = *state;
	char err[256], host[64];
	const char *bad[] = {"8080", ":8080", "host:", "host:65536", "host:-1", "host:80x", "host:http", ""};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int port = -1;
		assert_int_equal(config_set(&f->c, "listen", bad[i], err, sizeof err), 0);
		if (config_listen_parts(&f->c, host, sizeof host, &port) != -1)
			fail_msg("config_listen_parts accepted \"%s\"", bad[i]);
	}
}

static void test_listen_parts_host_too_long(void **state)
{
	struct cfg_fixture *f = *state;
	char err[256], host[10];
	int port;
	config_set(&f->c, "listen", "0123456789:80", err, sizeof err); /* 10 characters need 11 bytes */
	assert_int_equal(config_listen_parts(&f->c, host, sizeof host, &port), -1);
	config_set(&f->c, "listen", "012345678:80", err, sizeof err);
	assert_int_equal(config_listen_parts(&f->c, host, sizeof host, &port), 0);
	assert_string_equal(host, "012345678");
	assert_int_equal(port, 80);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_defaults_from_the_build_tree, setup, teardown),
		cmocka_unit_test(test_key_table),
		cmocka_unit_test(test_release_twice_and_reinit),
		cmocka_unit_test_setup_teardown(test_set_string, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_int_bounds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_int_type, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_unknown_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_small_error_buffer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_file_later_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_file_unknown_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_file_bad_value, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_file_missing_equals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_file_quoted_int, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_file_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_file_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_sample_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listen_parts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listen_parts_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listen_parts_host_too_long, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
