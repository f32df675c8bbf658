/* demo: a deterministic demo region for an empty database: the 569 real hospitals of the FINESS
 * extract, generated nursing homes and medico-social structures in real communes in proportion to
 * their population, about 2,000 volunteers, depots and initial stock levels; and a coordinator
 * token for the person who started it. */
#ifndef RENFORT_DEMO_H
#define RENFORT_DEMO_H

#include <stddef.h>

struct app;

/* Generates the demo region if the database has no structures yet, then creates a fresh
 * region-wide coordinator token and prints the dashboard link with it on stdout. */
int demo_prepare(struct app *app, char *err, size_t errlen);

#endif
