/* seed: loads the reference data (départements, communes, item catalogue) into an empty database,
 * from the CSV files of data_dir, in one transaction. */
#ifndef RENFORT_SEED_H
#define RENFORT_SEED_H

#include <stddef.h>

struct store;

/* Does nothing when the communes are already there. */
int seed_reference_data(struct store *st, const char *data_dir, long long now, char *err, size_t errlen);

/* Reads a whole file into memory (NUL-terminated); NULL on error. */
char *seed_read_file(const char *path, size_t *len);

#endif
