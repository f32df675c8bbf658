/* Unit tests of auth.c: roles, territorial scopes, token secrets and their hashes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "auth.h"

static struct principal with_deps(enum role role, const char *deps)
{
	struct principal p;
	memset(&p, 0, sizeof p);
	p.role = role;
	snprintf(p.deps, sizeof p.deps, "%s", deps);
	return p;
}

/* --- roles --------------------------------------------------------------------------------------- */

static void test_role_names(void **state)
{
	(void)state;
	assert_string_equal(role_name(ROLE_ADMIN), "admin");
	assert_string_equal(role_name(ROLE_COORDINATOR), "coordinator");
	assert_string_equal(role_name(ROLE_STRUCTURE), "structure");
	assert_string_equal(role_name(ROLE_DEPOT), "depot");
	assert_string_equal(role_name(ROLE_VOLUNTEER), "volunteer");
	assert_string_equal(role_name(ROLE_OBSERVER), "observer");
	assert_string_equal(role_name(ROLE_COUNT), "?");
	assert_string_equal(role_name((enum role)99), "?");
}

static void test_role_parse(void **state)
{
	(void)state;
	for (int r = 0; r < ROLE_COUNT; r++)
		assert_int_equal(role_parse(role_name((enum role)r)), r);
	const char *bad[] = {"", "Admin", "ADMIN", "admin ", " admin", "coord", "coordinators", "?", "root"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(role_parse(bad[i]), -1);
}

static void test_role_bits(void **state)
{
	(void)state;
	assert_int_equal(ROLE_BIT(ROLE_ADMIN), 1u);
	assert_int_equal(ROLE_BIT(ROLE_OBSERVER), 32u);
	assert_int_equal(ROLES_ALL, 63u);
}

/* --- scopes -------------------------------------------------------------------------------------- */

static void test_scope_region(void **state)
{
	(void)state;
	char deps[64];
	const char *region[] = {"region", "76", ""};
	for (size_t i = 0; i < sizeof region / sizeof region[0]; i++) {
		memset(deps, 'x', sizeof deps);
		assert_null(auth_scope_parse(region[i], deps, sizeof deps));
		assert_string_equal(deps, "");
	}
	memset(deps, 'x', sizeof deps);
	assert_null(auth_scope_parse(NULL, deps, sizeof deps));
	assert_string_equal(deps, "");
}

static void test_scope_departements(void **state)
{
	(void)state;
	char deps[64];
	assert_null(auth_scope_parse("81", deps, sizeof deps));
	assert_string_equal(deps, ",81,");
	assert_null(auth_scope_parse("31,81", deps, sizeof deps));
	assert_string_equal(deps, ",31,81,");
	assert_null(auth_scope_parse("09", deps, sizeof deps));
	assert_string_equal(deps, ",09,");
	assert_null(auth_scope_parse("81,31", deps, sizeof deps)); /* order as given */
	assert_string_equal(deps, ",81,31,");
}

static void test_scope_duplicates(void **state)
{
	(void)state;
	char deps[64];
	assert_null(auth_scope_parse("81,81", deps, sizeof deps));
	assert_string_equal(deps, ",81,");
	assert_null(auth_scope_parse("31,81,31,81,31", deps, sizeof deps));
	assert_string_equal(deps, ",31,81,");
}

static void test_scope_all_departements(void **state)
{
	(void)state;
	char deps[64];
	assert_null(auth_scope_parse("09,11,12,30,31,32,34,46,48,65,66,81,82", deps, sizeof deps));
	assert_string_equal(deps, ",09,11,12,30,31,32,34,46,48,65,66,81,82,");
	/* 41 bytes needed: 40 are not enough, and say so instead of overflowing */
	char small[40];
	assert_non_null(auth_scope_parse("09,11,12,30,31,32,34,46,48,65,66,81,82", small, sizeof small));
	char tiny[4];
	assert_non_null(auth_scope_parse("81", tiny, sizeof tiny));
	char five[5];
	assert_null(auth_scope_parse("81", five, sizeof five));
	assert_string_equal(five, ",81,");
}

static void test_scope_refused(void **state)
{
	(void)state;
	char deps[64];
	const char *bad[] = {"75",  "2A",	  "31,75",  "garbage", "Region", "REGION", "1",	  "081",
			     "31;81", "31 81", " 81",  "81 ",	 ",81",	  "31,,81", "8",      "region,81",
			     "76,81", "all",   "*"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *rule = auth_scope_parse(bad[i], deps, sizeof deps);
		if (!rule)
			fail_msg("auth_scope_parse accepted \"%s\" as \"%s\"", bad[i], deps);
	}
	const char *rule = auth_scope_parse("75", deps, sizeof deps);
	assert_non_null(strstr(rule, "region"));
	assert_non_null(strstr(rule, "81"));
}

/* --- principal_covers_dep ------------------------------------------------------------------------ */

static void test_covers_region(void **state)
{
	(void)state;
	struct principal p = with_deps(ROLE_COORDINATOR, "");
	assert_true(principal_covers_dep(&p, "81"));
	assert_true(principal_covers_dep(&p, "34"));
	assert_true(principal_covers_dep(&p, NULL));
	assert_true(principal_covers_dep(&p, ""));
}

static void test_covers_scoped(void **state)
{
	(void)state;
	struct principal p = with_deps(ROLE_COORDINATOR, ",31,81,");
	assert_true(principal_covers_dep(&p, "81"));
	assert_true(principal_covers_dep(&p, "31"));
	assert_false(principal_covers_dep(&p, "34"));
	assert_false(principal_covers_dep(&p, "1,"));  /* no match across the separators */
	assert_false(principal_covers_dep(&p, ",8"));
	assert_false(principal_covers_dep(&p, "8"));
	assert_false(principal_covers_dep(&p, "811"));
	assert_false(principal_covers_dep(&p, NULL));
	assert_false(principal_covers_dep(&p, ""));
	struct principal q = with_deps(ROLE_OBSERVER, ",81,");
	assert_true(principal_covers_dep(&q, "81"));
	assert_false(principal_covers_dep(&q, "31"));
}

/* --- tokens -------------------------------------------------------------------------------------- */

static void test_token_format(void **state)
{
	(void)state;
	char t[48];
	memset(t, '#', sizeof t);
	assert_int_equal(auth_token_generate(t), 0);
	assert_int_equal(strlen(t), 46);
	assert_memory_equal(t, "rf_", 3);
	for (int i = 3; i < 46; i++) {
		char c = t[i];
		int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
		if (!ok)
			fail_msg("token character %d is '%c', not base64url", i, c);
	}
}

static void test_tokens_differ(void **state)
{
	(void)state;
	char a[48], b[48];
	assert_int_equal(auth_token_generate(a), 0);
	assert_int_equal(auth_token_generate(b), 0);
	assert_string_not_equal(a, b);
	/* 64 tokens, all different, and every base64url character appears somewhere (not a stuck byte) */
	char seen[128] = {0};
	char prev[64][48];
	for (int i = 0; i < 64; i++) {
		assert_int_equal(auth_token_generate(prev[i]), 0);
		for (int j = 0; j < i; j++)
			assert_string_not_equal(prev[i], prev[j]);
		for (int k = 3; k < 46; k++)
			seen[(unsigned char)prev[i][k]] = 1;
	}
	int distinct = 0;
	for (int c = 0; c < 128; c++)
		distinct += seen[c];
	assert_true(distinct >= 60);
}

static void test_hash_vectors(void **state)
{
	(void)state;
	char h[65];
	auth_token_hash("abc", h);
	assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	auth_token_hash("", h);
	assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	auth_token_hash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", h);
	assert_string_equal(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	assert_int_equal(strlen(h), 64);
}

static void test_hash_of_token(void **state)
{
	(void)state;
	char t[48], h1[65], h2[65];
	assert_int_equal(auth_token_generate(t), 0);
	auth_token_hash(t, h1);
	auth_token_hash(t, h2);
	assert_string_equal(h1, h2); /* deterministic */
	for (int i = 0; i < 64; i++)
		assert_true((h1[i] >= '0' && h1[i] <= '9') || (h1[i] >= 'a' && h1[i] <= 'f'));
	t[10] ^= 1;
	auth_token_hash(t, h2);
	assert_string_not_equal(h1, h2);
}

static void test_sha256_parts(void **state)
{
	(void)state;
	char h[65];
	const void *parts[] = {"a", "b", "c"};
	size_t lens[] = {1, 1, 1};
	sha256_hex(parts, lens, 3, h);
	assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const void *two[] = {"ab", "cdef"};
	size_t twol[] = {2, 1}; /* only "c" of the second part */
	sha256_hex(two, twol, 2, h);
	assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256_hex(NULL, NULL, 0, h);
	assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	/* binary parts with NUL bytes are hashed by length */
	const void *bin[] = {"a\0b"};
	size_t binl[] = {3};
	char h2[65];
	sha256_hex(bin, binl, 1, h);
	auth_token_hash("a", h2);
	assert_string_not_equal(h, h2);
}

static void test_equal_ct(void **state)
{
	(void)state;
	assert_true(auth_equal_ct("abc", "abc", 3));
	assert_false(auth_equal_ct("abc", "abd", 3));
	assert_false(auth_equal_ct("abc", "xbc", 3));
	assert_true(auth_equal_ct("abc", "abd", 2)); /* only n bytes compared */
	assert_true(auth_equal_ct("", "", 0));
	assert_true(auth_equal_ct("x", "y", 0));
	unsigned char a[64], b[64];
	memset(a, 0xAA, sizeof a);
	memset(b, 0xAA, sizeof b);
	assert_true(auth_equal_ct(a, b, sizeof a));
	for (size_t i = 0; i < sizeof a; i++) {
		b[i] ^= 0x80; /* any single bit anywhere */
		assert_false(auth_equal_ct(a, b, sizeof a));
		b[i] ^= 0x80;
	}
	const char x[] = "a\0b", y[] = "a\0c";
	assert_false(auth_equal_ct(x, y, 3)); /* NUL bytes do not stop the comparison */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_role_names),
		cmocka_unit_test(test_role_parse),
		cmocka_unit_test(test_role_bits),
		cmocka_unit_test(test_scope_region),
		cmocka_unit_test(test_scope_departements),
		cmocka_unit_test(test_scope_duplicates),
		cmocka_unit_test(test_scope_all_departements),
		cmocka_unit_test(test_scope_refused),
		cmocka_unit_test(test_covers_region),
		cmocka_unit_test(test_covers_scoped),
		cmocka_unit_test(test_token_format),
		cmocka_unit_test(test_tokens_differ),
		cmocka_unit_test(test_hash_vectors),
		cmocka_unit_test(test_hash_of_token),
		cmocka_unit_test(test_sha256_parts),
		cmocka_unit_test(test_equal_ct),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
