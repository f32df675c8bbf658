/* Unit tests of connlimit.c: the connections each client address holds. Proves, case by case from a
 * table, the limit at its edge (the max-th connection is allowed, the next is not, one close allows
 * again), that a second open of the same connection and the close of an unknown one change nothing,
 * and that counts go back to zero; then, against a plain model, that thousands of addresses and
 * connections chosen to collide in the hash tables (same home slot, probes wrapping around the end,
 * tables growing while full of them) keep every count exact through random opens and closes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connlimit.h"

/* addresses as renfortd gets them: network byte order in a uint32_t (10.0.0.1 is 0x0100000a on x86) */
#define IP(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define IP1 IP(10, 0, 0, 1)
#define IP2 IP(10, 0, 0, 2)

/* connections are any unique pointers: these are never read */
static char conns[8];
#define K(i) ((const void *)&conns[i])

/* --- scenarios ------------------------------------------------------------------------------------- */

enum op_kind { OP_END = 0, OP_OPEN, OP_CLOSE, OP_EXPECT };

struct op {
	enum op_kind kind;
	int key;     /* OPEN, CLOSE */
	uint32_t ip; /* OPEN, EXPECT */
	size_t count; /* EXPECT: connlimit_count(ip) */
	int allow;    /* EXPECT: connlimit_allow(ip) */
};

#define OPEN(k, ip) {OP_OPEN, (k), (ip), 0, 0}
#define CLOSE(k) {OP_CLOSE, (k), 0, 0, 0}
#define EXPECT(ip, n, allow) {OP_EXPECT, 0, (ip), (n), (allow)}

struct limit_case {
	const char *name;
	long long max;
	struct op ops[12];
};

static const struct limit_case limit_cases[] = {
	{"an address never seen is allowed", 1, {EXPECT(IP1, 0, 1)}},
	{"a limit of 1: the first is allowed, the second not", 1, {OPEN(0, IP1), EXPECT(IP1, 1, 0), EXPECT(IP2, 0, 1)}},
	{"a limit of 3: the third is allowed, the fourth not", 3,
	 {OPEN(0, IP1), EXPECT(IP1, 1, 1), OPEN(1, IP1), EXPECT(IP1, 2, 1), OPEN(2, IP1), EXPECT(IP1, 3, 0), EXPECT(IP2, 0, 1)}},
	{"one close below the limit allows again", 2, {OPEN(0, IP1), OPEN(1, IP1), EXPECT(IP1, 2, 0), CLOSE(0), EXPECT(IP1, 1, 1)}},
	{"addresses are counted apart", 2, {OPEN(0, IP1), OPEN(1, IP2), OPEN(2, IP1), EXPECT(IP1, 2, 0), EXPECT(IP2, 1, 1)}},
	{"a second open of the same connection is ignored", 2,
	 {OPEN(0, IP1), OPEN(0, IP1), EXPECT(IP1, 1, 1), CLOSE(0), EXPECT(IP1, 0, 1)}},
	{"a second open of the same connection from another address is ignored", 2,
	 {OPEN(0, IP1), OPEN(0, IP2), EXPECT(IP1, 1, 1), EXPECT(IP2, 0, 1), CLOSE(0), EXPECT(IP1, 0, 1), EXPECT(IP2, 0, 1)}},
	{"the close of a connection never opened is ignored", 2, {CLOSE(3), EXPECT(IP1, 0, 1), OPEN(0, IP1), CLOSE(1), EXPECT(IP1, 1, 1)}},
	{"a second close is ignored", 3, {OPEN(0, IP1), OPEN(1, IP1), CLOSE(0), CLOSE(0), EXPECT(IP1, 1, 1)}},
	{"back to zero, then counted again", 1,
	 {OPEN(0, IP1), CLOSE(0), EXPECT(IP1, 0, 1), OPEN(0, IP1), EXPECT(IP1, 1, 0), CLOSE(0), EXPECT(IP1, 0, 1)}},
	{"a connection closed, its pointer reused by another address", 1,
	 {OPEN(0, IP1), CLOSE(0), OPEN(0, IP2), EXPECT(IP1, 0, 1), EXPECT(IP2, 1, 0)}},
	{"0.0.0.0 is an address like another", 1, {OPEN(0, 0), EXPECT(0, 1, 0), EXPECT(IP1, 0, 1), CLOSE(0), EXPECT(0, 0, 1)}},
	{"255.255.255.255 too", 1, {OPEN(0, 0xffffffffu), EXPECT(0xffffffffu, 1, 0), CLOSE(0), EXPECT(0xffffffffu, 0, 1)}},
};

static void test_limit_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof limit_cases / sizeof limit_cases[0]; i++) {
		const struct limit_case *c = &limit_cases[i];
		struct connlimit *cl = connlimit_new(c->max);
		assert_non_null(cl);
		for (const struct op *o = c->ops; o->kind != OP_END; o++) {
			if (o->kind == OP_OPEN)
				assert_int_equal(connlimit_open(cl, K(o->key), o->ip), 0);
			else if (o->kind == OP_CLOSE)
				connlimit_close(cl, K(o->key));
			else if (connlimit_count(cl, o->ip) != o->count || !connlimit_allow(cl, o->ip) != !o->allow)
				fail_msg("%s, step %zu: count %zu allow %d, expected %zu and %d", c->name, (size_t)(o - c->ops),
					 connlimit_count(cl, o->ip), connlimit_allow(cl, o->ip), o->count, o->allow);
		}
		connlimit_free(cl);
	}
}

/* The default limit, 1000, at its edge. */
static void test_default_limit_edge(void **state)
{
	(void)state;
	static char many[1001];
	struct connlimit *cl = connlimit_new(1000);
	assert_non_null(cl);
	for (int i = 0; i < 999; i++)
		assert_int_equal(connlimit_open(cl, &many[i], IP1), 0);
	assert_int_equal(connlimit_count(cl, IP1), 999);
	assert_true(connlimit_allow(cl, IP1));
	assert_int_equal(connlimit_open(cl, &many[999], IP1), 0);
	assert_int_equal(connlimit_count(cl, IP1), 1000);
	assert_false(connlimit_allow(cl, IP1));
	connlimit_close(cl, &many[500]);
	assert_true(connlimit_allow(cl, IP1));
	for (int i = 0; i < 1000; i++)
		connlimit_close(cl, &many[i]);
	assert_int_equal(connlimit_count(cl, IP1), 0);
	connlimit_free(cl);
}

/* --- collisions, against a model ------------------------------------------------------------------- */

/* The tables start with 64 address slots and 1024 connection slots; these inputs are built to land on
 * the same home slot. They mirror connlimit.c's hashes only to choose hard inputs: the assertions
 * compare counts with the model, whatever the hashing. */
static size_t home_ip(uint32_t ip, size_t slots)
{
	return (size_t)(ip * 2654435761u) & (slots - 1);
}

/* n distinct addresses whose home is `slot` in a table of `slots`: several table sizes have them
 * collide (the home slot only depends on the address's low bits). */
static void colliding_ips(uint32_t *out, size_t n, size_t slot, size_t slots)
{
	size_t k = 0;
	for (uint32_t v = 0; k < n; v++)
		if (home_ip(v, slots) == slot)
			out[k++] = v;
}

struct model {
	struct connlimit *cl;
	long long max;
	size_t nips, nkeys;
	const uint32_t *ips;
	int *key_ip;     /* index into ips of the key's connection, -1 when closed */
	size_t *counts;  /* per index into ips */
	const char *keys; /* key i is &keys[i * stride] */
	size_t stride;
};

static const void *model_key(const struct model *m, size_t i)
{
	return m->keys + i * m->stride;
}

static void model_check_ip(const struct model *m, size_t i, const char *when)
{
	size_t got = connlimit_count(m->cl, m->ips[i]);
	int allow = connlimit_allow(m->cl, m->ips[i]);
	if (got != m->counts[i] || !allow != !((long long)m->counts[i] < m->max))
		fail_msg("%s: address #%zu (%08x): count %zu allow %d, expected %zu", when, i, m->ips[i], got, allow,
			 m->counts[i]);
}

static void model_check_all(const struct model *m, const char *when)
{
	for (size_t i = 0; i < m->nips; i++)
		model_check_ip(m, i, when);
}

/* A fixed sequence, the same on every run. */
static unsigned next_rand(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return (*seed >> 8) & 0xffffffu;
}

/* Random opens (also of open keys, ignored) and closes (also of closed keys, ignored) over the model;
 * every address is checked every `check_every` operations, the touched one after each. */
static void model_run(struct model *m, unsigned seed, int ops, int check_every)
{
	char when[64];
	for (int step = 0; step < ops; step++) {
		size_t k = next_rand(&seed) % m->nkeys;
		snprintf(when, sizeof when, "step %d", step);
		if (next_rand(&seed) % 100 < 55) {
			size_t ip = next_rand(&seed) % m->nips;
			assert_int_equal(connlimit_open(m->cl, model_key(m, k), m->ips[ip]), 0);
			if (m->key_ip[k] < 0) {
				m->key_ip[k] = (int)ip;
				m->counts[ip]++;
			}
			model_check_ip(m, ip, when);
			model_check_ip(m, (size_t)m->key_ip[k], when);
		} else {
			connlimit_close(m->cl, model_key(m, k));
			if (m->key_ip[k] >= 0) {
				size_t ip = (size_t)m->key_ip[k];
				m->counts[ip]--;
				m->key_ip[k] = -1;
				model_check_ip(m, ip, when);
			}
		}
		if (step % check_every == 0)
			model_check_all(m, when);
	}
	model_check_all(m, "after the random steps");
	/* close everything: every count back to zero, every address allowed */
	for (size_t k = 0; k < m->nkeys; k++) {
		connlimit_close(m->cl, model_key(m, k));
		if (m->key_ip[k] >= 0)
			m->counts[m->key_ip[k]]--;
		m->key_ip[k] = -1;
	}
	model_check_all(m, "after closing everything");
}

static void model_init(struct model *m, long long max, const uint32_t *ips, size_t nips, const char *keys, size_t nkeys,
		       size_t stride)
{
	memset(m, 0, sizeof *m);
	m->cl = connlimit_new(max);
	assert_non_null(m->cl);
	m->max = max;
	m->ips = ips;
	m->nips = nips;
	m->keys = keys;
	m->nkeys = nkeys;
	m->stride = stride;
	m->key_ip = malloc(nkeys * sizeof *m->key_ip);
	m->counts = calloc(nips, sizeof *m->counts);
	assert_non_null(m->key_ip);
	assert_non_null(m->counts);
	for (size_t k = 0; k < nkeys; k++)
		m->key_ip[k] = -1;
}

static void model_free(struct model *m)
{
	connlimit_free(m->cl);
	free(m->key_ip);
	free(m->counts);
}

/* Addresses that all share one home slot (several hundred: the table grows 64 -> 1024 while they
 * pile up), and connections whose pointers are 16 KiB apart (the same home in a table of 1024). */
static void test_colliding_addresses_and_connections(void **state)
{
	(void)state;
	enum { NIPS = 300, NKEYS = 1500, STRIDE = 16384 };
	static uint32_t ips[NIPS];
	colliding_ips(ips, NIPS, 5, 256);
	char *keys = malloc((size_t)NKEYS * STRIDE);
	assert_non_null(keys);
	struct model m;
	model_init(&m, 3, ips, NIPS, keys, NKEYS, STRIDE);
	model_run(&m, 1, 20000, 250);
	model_free(&m);
	free(keys);
}

/* A run of addresses homed at the last slot of the first table: their probes wrap around to slot 0,
 * and closes must move the ones after the wrap back across it. Few enough that the table does not grow. */
static void test_probes_wrapping_around(void **state)
{
	(void)state;
	enum { NIPS = 12, NKEYS = 40 };
	uint32_t ips[NIPS];
	colliding_ips(ips, NIPS / 2, 63, 64);
	colliding_ips(ips + NIPS / 2, NIPS / 2, 0, 64); /* and the slots the wrapped ones take */
	static char keys[NKEYS];
	struct model m;
	model_init(&m, 2, ips, NIPS, keys, NKEYS, 1);
	/* every address once, in order, then closes in an order that empties the run from its start */
	for (size_t i = 0; i < NIPS; i++) {
		assert_int_equal(connlimit_open(m.cl, &keys[i], ips[i]), 0);
		m.key_ip[i] = (int)i;
		m.counts[i] = 1;
	}
	model_check_all(&m, "after opening the run");
	for (size_t i = 0; i < NIPS; i++) {
		connlimit_close(m.cl, &keys[i]);
		m.key_ip[i] = -1;
		m.counts[i] = 0;
		model_check_all(&m, "while closing the run from its start");
	}
	/* then at random */
	model_run(&m, 7, 5000, 1);
	model_free(&m);
}

/* Many distinct addresses, each with its own connections: five thousand, counted apart. (Spread over
 * the first two bytes: five thousand of one /16 share one home slot in connlimit.c's address table,
 * and every lookup walks all of them, 14 s under ASan; the colliding test above covers that shape.) */
static void test_many_addresses(void **state)
{
	(void)state;
	enum { NIPS = 5000, NKEYS = 12000 };
	uint32_t *ips = malloc(NIPS * sizeof *ips);
	char *keys = malloc(NKEYS);
	assert_non_null(ips);
	assert_non_null(keys);
	for (uint32_t i = 0; i < NIPS; i++)
		ips[i] = IP(i & 0xff, i >> 8, 1, 2);
	struct model m;
	model_init(&m, 4, ips, NIPS, keys, NKEYS, 1);
	model_run(&m, 42, 60000, 20000);
	model_free(&m);
	free(ips);
	free(keys);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limit_cases),
		cmocka_unit_test(test_default_limit_edge),
		cmocka_unit_test(test_colliding_addresses_and_connections),
		cmocka_unit_test(test_probes_wrapping_around),
		cmocka_unit_test(test_many_addresses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
