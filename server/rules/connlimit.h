/* connlimit: how many connections each client address holds, to refuse the one too many
 * (max_connections_per_ip) before it costs anything. IPv4 (renfortd listens on IPv4 only). */
#ifndef RENFORT_CONNLIMIT_H
#define RENFORT_CONNLIMIT_H

#include <stddef.h>
#include <stdint.h>

struct connlimit;

struct connlimit *connlimit_new(long long max_per_ip);
void connlimit_free(struct connlimit *c);
/* May one more connection come from ip? */
int connlimit_allow(const struct connlimit *c, uint32_t ip);
/* A connection (any unique pointer) from ip starts; a second call for the same key is ignored. */
int connlimit_open(struct connlimit *c, const void *key, uint32_t ip);
/* The connection ends (unknown keys are ignored). */
void connlimit_close(struct connlimit *c, const void *key);
size_t connlimit_count(const struct connlimit *c, uint32_t ip);

#endif
