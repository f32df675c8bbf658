#ifndef RENFORT_GROW_H
#define RENFORT_GROW_H

#include <stddef.h>

/* Makes room for at least need elements of size bytes in the array *p of capacity *cap, doubling it
 * (16 at first): 0, or -1 when memory is short (the array is then as it was). Every layer's growing
 * arrays go through this one. */
int array_grow(void **p, size_t *cap, size_t need, size_t size);

#endif
