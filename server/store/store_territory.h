/* store_territory: départements and communes of the region (reference data, readable by all). */
#ifndef RENFORT_STORE_TERRITORY_H
#define RENFORT_STORE_TERRITORY_H

#include "store.h"

struct departement {
	char code[4];
	char name[64];
	char region[4];
	double lat, lng;
	char prefecture[8];
	long long population; /* filled by reads: sum over its communes */
	long long communes;   /* filled by reads */
};

struct commune {
	char insee[8];
	char name[128];
	char dep[4];
	char postcode[8];
	double lat, lng;
	long long population;
};

int store_departement_insert(struct store *st, const struct departement *d);
int store_commune_insert(struct store *st, const struct commune *c);
long long store_commune_count(struct store *st);

int store_departement_list(struct store *st, int (*cb)(void *ctx, const struct departement *d), void *ctx);
int store_departement_get(struct store *st, const char *code, struct departement *out);
/* Communes of dep (or all when NULL) whose name contains q (or all), in INSEE order after `after`. */
int store_commune_list(struct store *st, const char *dep, const char *q, const char *after, long long limit,
		       int (*cb)(void *ctx, const struct commune *c), void *ctx);
int store_commune_get(struct store *st, const char *insee, struct commune *out);
/* The commune of département dep (any when NULL) nearest to (lat, lng), those with this postcode first. */
int store_commune_nearest(struct store *st, const char *dep, const char *postcode, double lat, double lng,
			  struct commune *out);

#endif
