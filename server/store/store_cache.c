#include "store_cache.h"

#include <stdlib.h>
#include <string.h>

#define BUCKETS 4096          /* a power of two */
#define MAX_ENTRIES 100000    /* past this, everything is forgotten and read again */

/* One cached row: a holder (kind structure or depot), an item (kind ENTRY_ITEM), or a holder's mark
 * (kind ENTRY_MARK(mark, holder kind)). */
#define ENTRY_ITEM (-1)
#define ENTRY_MARK(m, kind) (-10 - 4 * (int)(m) - (int)(kind))

struct entry {
	int kind;
	long long id;
	struct entry *next;
	union {
		struct holder_info holder;
		struct item_info item;
	} v;
};

struct store_cache {
	struct entry *buckets[BUCKETS];
	size_t n;
	int marks_known[MARK_COUNT];   /* every holder to mark has its mark */
	int marks_loading[MARK_COUNT]; /* marks being listed; 0 as soon as one is lost */
};

static size_t bucket(int kind, long long id)
{
	unsigned long long h = (unsigned long long)id * 0x9E3779B97F4A7C15ULL + (unsigned long long)(kind + 1);
	return (size_t)(h >> 52) & (BUCKETS - 1);
}

struct store_cache *store_cache_new(void)
{
	return calloc(1, sizeof(struct store_cache));
}

void store_cache_clear(struct store_cache *c)
{
	if (!c)
		return;
	memset(c->marks_known, 0, sizeof c->marks_known);
	memset(c->marks_loading, 0, sizeof c->marks_loading);
	if (!c->n)
		return;
	for (size_t i = 0; i < BUCKETS; i++)
		while (c->buckets[i]) {
			struct entry *e = c->buckets[i];
			c->buckets[i] = e->next;
			free(e);
		}
	c->n = 0;
}

void store_cache_free(struct store_cache *c)
{
	store_cache_clear(c);
	free(c);
}

static struct entry *find(struct store_cache *c, int kind, long long id)
{
	for (struct entry *e = c->buckets[bucket(kind, id)]; e; e = e->next)
		if (e->kind == kind && e->id == id)
			return e;
	return NULL;
}

static void forget(struct store_cache *c, int kind, long long id)
{
	for (struct entry **p = &c->buckets[bucket(kind, id)]; *p; p = &(*p)->next)
		if ((*p)->kind == kind && (*p)->id == id) {
			struct entry *e = *p;
			*p = e->next;
			free(e);
			c->n--;
			return;
		}
}

/* A new entry for (kind, id), replacing an old one; NULL when memory runs out. */
static struct entry *add(struct store_cache *c, int kind, long long id)
{
	forget(c, kind, id);
	if (c->n >= MAX_ENTRIES)
		store_cache_clear(c);
	struct entry *e = malloc(sizeof *e);
	if (!e)
		return NULL;
	size_t b = bucket(kind, id);
	e->kind = kind;
	e->id = id;
	e->next = c->buckets[b];
	c->buckets[b] = e;
	c->n++;
	return e;
}

const struct holder_info *store_cache_holder(struct store_cache *c, enum holder_kind kind, long long id)
{
	struct entry *e = find(c, (int)kind, id);
	return e ? &e->v.holder : NULL;
}

const struct item_info *store_cache_item(struct store_cache *c, long long id)
{
	struct entry *e = find(c, ENTRY_ITEM, id);
	return e ? &e->v.item : NULL;
}

void store_cache_put_holder(struct store_cache *c, const struct holder_info *h)
{
	struct entry *e = add(c, (int)h->kind, h->id);
	if (e)
		e->v.holder = *h;
}

void store_cache_put_item(struct store_cache *c, const struct item_info *it)
{
	struct entry *e = add(c, ENTRY_ITEM, it->id);
	if (e)
		e->v.item = *it;
}

int store_cache_marked(struct store_cache *c, enum store_mark m, enum holder_kind kind, long long id)
{
	if (!c->marks_known[m])
		return -1;
	return find(c, ENTRY_MARK(m, kind), id) != NULL;
}

void store_cache_marks_begin(struct store_cache *c, enum store_mark m)
{
	c->marks_known[m] = 0;
	c->marks_loading[m] = 1;
}

void store_cache_mark(struct store_cache *c, enum store_mark m, enum holder_kind kind, long long id)
{
	if (find(c, ENTRY_MARK(m, kind), id))
		return;
	/* add() may clear the cache when full, which ends a listing too; a mark lost makes the list
	 * unknown */
	if (!add(c, ENTRY_MARK(m, kind), id))
		c->marks_known[m] = c->marks_loading[m] = 0;
}

void store_cache_marks_end(struct store_cache *c, enum store_mark m)
{
	c->marks_known[m] = c->marks_loading[m];
	c->marks_loading[m] = 0;
}

void store_cache_changed(struct store_cache *c, const char *table, long long rowid)
{
	if (strcmp(table, "structures") == 0)
		forget(c, HOLDER_STRUCTURE, rowid);
	else if (strcmp(table, "depots") == 0)
		forget(c, HOLDER_DEPOT, rowid);
	else if (strcmp(table, "items") == 0)
		forget(c, ENTRY_ITEM, rowid);
}
