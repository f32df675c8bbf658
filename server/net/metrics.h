/* metrics: renfortd's counters in the Prometheus text format, for /metrics. */
#ifndef RENFORT_METRICS_H
#define RENFORT_METRICS_H

#include "buf.h"

struct app;

void metrics_write(const struct app *app, struct buf *out);

#endif
