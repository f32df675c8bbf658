#include "connlimit.h"

#include <stdlib.h>
#include <string.h>

/* Two open-addressing tables with linear probing: address -> count, and connection -> address.
 * Both grow at half full; deletion shifts the following entries back (no tombstones). */
struct ip_slot {
	uint32_t ip;
	uint32_t count; /* 0: empty */
};

struct key_slot {
	const void *key; /* NULL: empty */
	uint32_t ip;
};

struct connlimit {
	long long max;
	struct ip_slot *ips;
	size_t nips, ips_used;
	struct key_slot *keys;
	size_t nkeys, keys_used;
};

/* Every bit of the address moves the low bits the table is indexed by (murmur3's finaliser): a
 * plain multiplication left the low bits to the first octets of a network-order address, and every
 * address of one /16 fell on the same slot (20,000 of them took 3 s of the event loop). */
static size_t hash32(uint32_t v)
{
	v ^= v >> 16;
	v *= 0x85ebca6bu;
	v ^= v >> 13;
	v *= 0xc2b2ae35u;
	v ^= v >> 16;
	return v;
}

static size_t hashptr(const void *p)
{
	uintptr_t v = (uintptr_t)p;
	return (size_t)((v >> 4) * 11400714819323198485ull);
}

struct connlimit *connlimit_new(long long max_per_ip)
{
	struct connlimit *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->max = max_per_ip;
	c->nips = 64;
	c->nkeys = 1024;
	c->ips = calloc(c->nips, sizeof *c->ips);
	c->keys = calloc(c->nkeys, sizeof *c->keys);
	if (!c->ips || !c->keys) {
		connlimit_free(c);
		return NULL;
	}
	return c;
}

void connlimit_free(struct connlimit *c)
{
	if (!c)
		return;
	free(c->ips);
	free(c->keys);
	free(c);
}

static struct ip_slot *ip_find(struct ip_slot *t, size_t n, uint32_t ip, int for_insert)
{
	size_t i = hash32(ip) & (n - 1);
	while (t[i].count && t[i].ip != ip)
		i = (i + 1) & (n - 1);
	return (t[i].count || for_insert) ? &t[i] : NULL;
}

/* Is home h outside the cyclic interval (i, j]? Then the entry at j may move back to i. */
static int may_move(size_t h, size_t i, size_t j)
{
	return i <= j ? (h <= i || h > j) : (h <= i && h > j);
}

static void ip_delete(struct ip_slot *t, size_t n, struct ip_slot *slot)
{
	size_t i = (size_t)(slot - t), j = i;
	for (;;) {
		j = (j + 1) & (n - 1);
		if (!t[j].count)
			break;
		if (may_move(hash32(t[j].ip) & (n - 1), i, j)) {
			t[i] = t[j];
			i = j;
		}
	}
	t[i].count = 0;
}

static int ip_rehash(struct connlimit *c, size_t n)
{
	struct ip_slot *t = calloc(n, sizeof *t);
	if (!t)
		return -1;
	size_t used = 0;
	for (size_t i = 0; i < c->nips; i++)
		if (c->ips[i].count) {
			*ip_find(t, n, c->ips[i].ip, 1) = c->ips[i];
			used++;
		}
	free(c->ips);
	c->ips = t;
	c->nips = n;
	c->ips_used = used;
	return 0;
}

int connlimit_allow(const struct connlimit *c, uint32_t ip)
{
	const struct ip_slot *s = ip_find(c->ips, c->nips, ip, 0);
	return !s || (long long)s->count < c->max;
}

size_t connlimit_count(const struct connlimit *c, uint32_t ip)
{
	const struct ip_slot *s = ip_find(c->ips, c->nips, ip, 0);
	return s ? s->count : 0;
}

static struct key_slot *key_find(struct key_slot *t, size_t n, const void *key)
{
	size_t i = hashptr(key) & (n - 1);
	while (t[i].key && t[i].key != key)
		i = (i + 1) & (n - 1);
	return &t[i];
}

static int key_rehash(struct connlimit *c, size_t n)
{
	struct key_slot *t = calloc(n, sizeof *t);
	if (!t)
		return -1;
	size_t used = 0;
	for (size_t i = 0; i < c->nkeys; i++)
		if (c->keys[i].key) {
			*key_find(t, n, c->keys[i].key) = c->keys[i];
			used++;
		}
	free(c->keys);
	c->keys = t;
	c->nkeys = n;
	c->keys_used = used;
	return 0;
}

int connlimit_open(struct connlimit *c, const void *key, uint32_t ip)
{
	if (key_find(c->keys, c->nkeys, key)->key == key)
		return 0;
	if ((c->keys_used + 1) * 2 > c->nkeys && key_rehash(c, c->nkeys * 2))
		return -1;
	if ((c->ips_used + 1) * 2 > c->nips && ip_rehash(c, c->nips * 2))
		return -1;
	struct key_slot *k = key_find(c->keys, c->nkeys, key);
	k->key = key;
	k->ip = ip;
	c->keys_used++;
	struct ip_slot *s = ip_find(c->ips, c->nips, ip, 1);
	if (!s->count) {
		s->ip = ip;
		c->ips_used++;
	}
	s->count++;
	return 0;
}

static void key_delete(struct key_slot *t, size_t n, struct key_slot *slot)
{
	size_t i = (size_t)(slot - t), j = i;
	for (;;) {
		j = (j + 1) & (n - 1);
		if (!t[j].key)
			break;
		if (may_move(hashptr(t[j].key) & (n - 1), i, j)) {
			t[i] = t[j];
			i = j;
		}
	}
	t[i].key = NULL;
}

void connlimit_close(struct connlimit *c, const void *key)
{
	struct key_slot *k = key_find(c->keys, c->nkeys, key);
	if (k->key != key)
		return;
	struct ip_slot *s = ip_find(c->ips, c->nips, k->ip, 0);
	key_delete(c->keys, c->nkeys, k);
	c->keys_used--;
	if (s && --s->count == 0) {
		ip_delete(c->ips, c->nips, s);
		c->ips_used--;
	}
}
